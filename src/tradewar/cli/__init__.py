"""The ``tradewar`` command line: one module per command group."""

from __future__ import annotations

import json
import sys
from typing import Annotated

from tradewar.cli import collector

collector.pause_while_loading()  # before the command's modules load

import typer  # noqa: E402

from tradewar.cli.common import console  # noqa: E402
from tradewar.cli.extras import needs  # noqa: E402
from tradewar.cli.replicate import replicate_app  # noqa: E402
from tradewar.cli.serve import serve  # noqa: E402
from tradewar.cli.simulate import compare, simulate  # noqa: E402
from tradewar.cli.strategy import negotiate, war  # noqa: E402
from tradewar.cli.timeline import timeline  # noqa: E402
from tradewar.cli.world import world_app  # noqa: E402


class _Command(typer.Typer):
    """The ``tradewar`` command (``tradewar`` on the shell, ``python -m tradewar``): sets the
    garbage collector for the command and freezes it before exit (:mod:`tradewar.cli.collector`).
    ``CliRunner`` and other in-process callers do not pass through ``__call__``."""

    def __call__(self, *args, **kwargs):
        argv = kwargs.get("args", args[0] if args else None)
        collector.collect_for(list(sys.argv[1:] if argv is None else argv))
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit:  # a standalone command always ends so
            collector.freeze_for_exit()
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
