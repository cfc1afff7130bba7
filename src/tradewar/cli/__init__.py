"""The ``tradewar`` command line: one module per command group."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated


def _started_as_command() -> bool:
    """Whether this process is the ``tradewar`` command (its script, or ``python -m tradewar``)."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return started.name == "tradewar" or (started.name == "__main__.py" and started.parent.name == "tradewar")


if _started_as_command():  # no collector passes while the command's modules load; see _Command
    gc.disable()

import typer  # noqa: E402

from tradewar.cli.common import console  # noqa: E402
from tradewar.cli.extras import needs  # noqa: E402
from tradewar.cli.replicate import replicate_app  # noqa: E402
from tradewar.cli.serve import serve  # noqa: E402
from tradewar.cli.simulate import compare, simulate  # noqa: E402
from tradewar.cli.strategy import negotiate, war  # noqa: E402
from tradewar.cli.timeline import timeline  # noqa: E402
from tradewar.cli.world import world_app  # noqa: E402

# Commands that finish in about a second (``simulate`` without ``--draws``; any ``--help``): run
# without the cyclic garbage collector's automatic passes (see _Command).
SHORT_COMMANDS = ("simulate", "compare", "timeline", "scenarios")


def _short(argv: list[str]) -> bool:
    if not argv or "--help" in argv:
        return True
    if argv[0] not in SHORT_COMMANDS:
        return False
    return not any(arg == "--draws" or arg.startswith("--draws=") for arg in argv)  # Monte Carlo: long


class _Command(typer.Typer):
    """The ``tradewar`` command (``tradewar`` on the shell, ``python -m tradewar``).

    Two start-up costs of the interpreter, not of the work, are cut here, in the process's
    entry only (``CliRunner`` and other in-process callers do not pass through ``__call__``,
    and importing this module turns the collector off only in the ``tradewar`` process itself):

    - Importing numpy, pandas, xarray and pydantic makes about a million objects, and the
      cyclic collector's automatic passes walk them again and again while they load: about
      0.1-0.2 s of a one-second ``simulate --json``. A short command (:data:`SHORT_COMMANDS`)
      runs with the passes off; it leaves little cyclic garbage (the same peak memory).
    - Python's exit walks every object once more in a full collection (0.2-0.3 s); objects
      frozen just before it are left out. atexit handlers and module teardown run as before.
    """

    def __call__(self, *args, **kwargs):
        argv = kwargs.get("args", args[0] if args else None)
        if _short(list(sys.argv[1:] if argv is None else argv)):
            gc.disable()
        elif _started_as_command():
            gc.enable()  # a long command: collect as usual from here on
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit:  # a standalone command always ends so
            gc.freeze()
            raise


app = _Command(
    help="Trade wars and trade talks in general equilibrium, on real data.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(simulate)
app.command()(compare)
app.command()(timeline)
app.command()(needs("web")(serve))
app.command()(needs("strategy", compilation_cache=True)(war))
app.command()(needs("strategy", compilation_cache=True)(negotiate))
app.add_typer(world_app, name="world")
app.add_typer(replicate_app, name="replicate")

# Sweeps and the run index (issue 7).
from tradewar.cli.sweep import runs_app, sweep  # noqa: E402

app.command()(needs("scale")(sweep))
app.add_typer(runs_app, name="runs", callback=needs("scale")(lambda: None))

# Backtests against observed trade (issue 14).
from tradewar.cli.backtest import backtest  # noqa: E402

app.command()(backtest)

# The bridge table (issue 18).
from tradewar.cli.bridge import bridge  # noqa: E402

app.command()(bridge)


@app.command()
def scenarios(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The built-in scenarios: name, date and description."""
    from rich.table import Table

    from tradewar.policy.library import load_scenario, scenario_names, scenario_path

    rows = []
    for name in scenario_names():
        scenario = load_scenario(name)
        rows.append({"name": name, "date": scenario.date.isoformat() if scenario.date else None,
                     "description": scenario.description, "file": str(scenario_path(name))})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Built-in scenarios (copy a file, edit it, run `tradewar simulate FILE.toml`)")
    for column in ("Name", "Date", "Description"):
        table.add_column(column)
    for row in sorted(rows, key=lambda r: r["date"] or ""):
        table.add_row(row["name"], row["date"] or "", row["description"])
    console.print(table)


__all__ = ["app"]
