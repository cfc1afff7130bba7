"""``tradewar bridge``: how a scenario's headline numbers move as each change is switched on."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import bar, console, fail, output_path
from tradewar.errors import TradewarError

# The target footing's defaults, repeated here so that `tradewar --help` imports no model
# (tests/test_cli.py checks they agree with tradewar.bridge.TARGET).
TARGET_DEFAULTS = {"world": "icio2022", "elasticities": "fontagne2022", "horizon": "medium",
                   "revenue": "deficit-reduction", "deficits": "fixed"}


def _cell(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:+.{digits}f}"


def bridge(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario or a .toml file.")] = "london-2025",
    world: Annotated[str, typer.Option(help="The world of step 1 on.")] = TARGET_DEFAULTS["world"],
    elasticities: Annotated[str, typer.Option(help="The elasticity set of step 3 on.")] =
        TARGET_DEFAULTS["elasticities"],
    horizon: Annotated[str, typer.Option(help="The horizon of step 3 on.")] = TARGET_DEFAULTS["horizon"],
    revenue: Annotated[str, typer.Option(help="The revenue closure of step 4 on.")] = TARGET_DEFAULTS["revenue"],
    deficits: Annotated[str, typer.Option(help="Deficits of step 4 on: fixed or zero.")] = TARGET_DEFAULTS["deficits"],
    regions: Annotated[str | None, typer.Option(help="Aggregate countries at every step: 'compact' or 'eu27'.")]
        = None,
    markdown: Annotated[Path | None, typer.Option(help="Also write the table as a markdown page (docs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The headline numbers (U.S. and China welfare, real GDP, real wage, U.S.-China trade; Vietnam and
    Mexico) as each change is switched on in turn: world, line-level tariffs, elasticities and horizon,
    closure, critical inputs."""
    from tradewar.bridge import bridge_steps, run_bridge
    from tradewar.policy.validation import check_choice, check_closure, check_elasticities
    from tradewar.world.aggregate import REGION_GROUPINGS

    try:
        check_elasticities(elasticities, horizon, names=("--elasticities", "--horizon"))
        check_closure(revenue, deficits, names=("--revenue", "--deficits"))
        if regions is not None:
            check_choice(regions, list(REGION_GROUPINGS), "--regions")
        if markdown is not None:
            output_path(markdown, "--markdown")
        steps = bridge_steps(world=world, elasticities=elasticities, horizon=horizon, revenue=revenue,
                             deficits=deficits, regions=regions)
        with bar(not as_json, f"Bridge for {scenario}") as on_step:
            result = run_bridge(scenario, steps, on_step=on_step)
    except (TradewarError, ValueError) as error:
        fail(error)
    if markdown is not None:
        command = "tradewar bridge " + scenario + "".join(
            f" --{key} {value}" for key, value in (("world", world), ("elasticities", elasticities),
                                                  ("horizon", horizon), ("revenue", revenue), ("deficits", deficits),
                                                  ("regions", regions))
            if value is not None and value != TARGET_DEFAULTS.get(key)) + f" --markdown {markdown}"
        markdown.write_text(result.as_markdown(command), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    from tradewar.bridge import HEADLINE

    # One column per step (rows are the headline numbers): six steps fit a terminal, eleven numbers do not.
    table = Table(title=f"Bridge table: {result.scenario} (% change against {result.runs[0]['against']}; each "
                        "column adds one change to the column before)")
    table.add_column("%", no_wrap=True)
    for step in result.steps:
        table.add_column(step.key.split("-", 1)[0], justify="right", no_wrap=True, min_width=6)  # legend below
    for key, _, _, label in HEADLINE:
        short = label.replace(" %", "").replace(" (model)", "")
        table.add_row(short, *(_cell(values[key]) for values in result.values))
    console.print(table)
    for step in result.steps:
        console.print(f"  {step.key}: {step.label}")
    for note in result.notes():
        console.print(note)
    if markdown is not None:
        console.print(f"Markdown page written to {markdown}")
