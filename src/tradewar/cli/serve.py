"""``tradewar serve``: the web page and the JSON API, served by uvicorn."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import Annotated

import typer

from tradewar.cli.common import console, fail


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _check_free(host: str, port: int) -> None:
    """Fail clearly, before uvicorn starts, when the address cannot be used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise typer.BadParameter(f"--host {host!r} is not an address of this machine ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise typer.BadParameter(f"port {port} on {host} is already in use; choose another with --port") \
                    from None
            raise typer.BadParameter(f"cannot listen on {host}:{port}: {error.strerror}") from None


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only; "
                                           "0.0.0.0: every network interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A host name (or address) the page may be reached by, besides this machine's "
                             "loopback names and --host; repeat for several; '*' allows any (not advised).")] = None,
    runs_db: Annotated[Path | None, typer.Option(
        "--runs-db", envvar="TRADEWAR_RUNS_DB", dir_okay=False,
        help="The SQLite file that keeps the runs across restarts (default: tradewar/runs.sqlite3 in the "
             "user's data directory).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=256, help="Worker processes solving runs "
                                                                     "(default: cores minus one).")] = None,
) -> None:
    """Serve the web page (run scenarios with a form, see charts, download results) and its JSON API."""
    try:
        _check_free(host, port)
        import uvicorn

        from tradewar.web.app import LOOPBACK_HOSTS, create_app
        from tradewar.web.store import StoreError

        hosts = [*LOOPBACK_HOSTS, *([host] if host not in ("", "0.0.0.0", "::") else []), *(allow_host or [])]
        try:
            app = create_app(workers=workers, store=runs_db, allowed_hosts=tuple(hosts))
        except StoreError as error:
            raise typer.BadParameter(str(error)) from None
    except typer.BadParameter as error:
        fail(error)
    url = _url(host, port)
    console.print(f"[bold]tradewar[/] is serving at [link={url}]{url}[/link]: open it in a web browser.",
                  soft_wrap=True)
    console.print(f"API documentation: {url}docs (OpenAPI: {url}openapi.json). Press Ctrl+C to stop.",
                  soft_wrap=True)
    console.print(f"Runs are kept in {app.state.runs.store.path}.", soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]Listening on {host}: other machines that can reach this one can use the page "
                      "and run simulations.[/]", soft_wrap=True)
        if not allow_host:
            console.print("[yellow]They must reach it by a name given with --allow-host (the page answers only "
                          "to the host names it knows).[/]", soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
