"""The ``tradewar`` command line: one module per command group."""

from __future__ import annotations

import gc
import json
from typing import Annotated

import typer

from tradewar.cli.common import console, short_lived
from tradewar.cli.extras import needs
from tradewar.cli.replicate import replicate_app
from tradewar.cli.serve import serve
from tradewar.cli.simulate import compare, simulate
from tradewar.cli.strategy import negotiate, war
from tradewar.cli.timeline import timeline
from tradewar.cli.world import world_app


class _Command(typer.Typer):
    """The ``tradewar`` command (``tradewar`` on the shell, ``python -m tradewar``)."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit:
            # The process ends now (a standalone command always exits so). Python's exit still
            # walks every object once in a full garbage collection -- about a million after numpy,
            # pandas and xarray, 0.2-0.3 s of a one-second `simulate --json` -- and frozen objects
            # are left out of it. atexit handlers and module teardown run as before.
            gc.freeze()
            raise


app = _Command(
    help="Trade wars and trade talks in general equilibrium, on real data.",
    no_args_is_help=True,
    add_completion=False,
)
# Commands of about a second run without the cyclic collector's passes (cli.common.short_lived).
app.command()(short_lived(simulate))
app.command()(short_lived(compare))
app.command()(short_lived(timeline))
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
@short_lived
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
