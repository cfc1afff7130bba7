"""``tradewar timeline``: the average tariff each way over time, and the measures behind each step."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import console, fail, output_path
from tradewar.errors import TradewarError


def _day(value: str, option: str) -> date:
    """A day within the measure library's span (bounded output: no 200-year daily series)."""
    from tradewar.policy.validation import parse_day

    return parse_day(value, option)


def timeline(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")] = "2018-01-01",
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")] = "2026-06-30",
    between: Annotated[tuple[str, str], typer.Option(help="The two countries.")] = ("USA", "CHN"),
    world_name: Annotated[str, typer.Option("--world", help="World whose trade weights the averages.")] = "wiod2011",
    chart: Annotated[Path | None, typer.Option(help="Write an HTML chart of the series here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (daily series and steps).")] = False,
) -> None:
    """Trade-weighted average tariff on goods each way, day by day, with the measures behind each step."""
    from tradewar.policy.library import load_library
    from tradewar.policy.timeline import involves
    from tradewar.world.library import load_world

    try:
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            raise typer.BadParameter(f"--to {end} is before --from {start}")
        if chart is not None:
            chart = output_path(chart, "--chart")
        world = load_world(world_name)
        library = load_library()
        library.check_world(world)
        a, b = between
        series = library.average_tariff(world, first, last, pairs=[(a, b), (b, a)])
        pair = {a, b}
        steps = [
            step for step in (
                type(step)(step.on, tuple(c for c in step.changes if involves(library[c.measure_id], pair, library)))
                for step in library.steps(first, last)
            )
            if step.changes
        ]
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    series = series.assign(date=series["date"].astype(str))
    if as_json:
        document = {
            "series": series.to_dict(orient="records"),
            "steps": [
                {"date": step.on.isoformat(), "measure_id": change.measure_id, "description": change.description,
                 "event": change.event}
                for step in steps for change in step.changes
            ],
        }
        typer.echo(json.dumps(document, indent=2))
        return
    wide = series.pivot_table(index="date", columns=["importer", "exporter"], values="average_tariff_pct")
    table = Table(title=f"Average tariff on goods, trade-weighted (%): {a} and {b}")
    table.add_column("Date")
    table.add_column(f"{a} on {b}", justify="right")
    table.add_column(f"{b} on {a}", justify="right")
    table.add_column("Measures (start / end)")
    for step in steps:
        day = step.on.isoformat()
        if day not in wide.index:
            continue
        ids = ", ".join(f"{c.measure_id} {c.event}" for c in step.changes)
        table.add_row(day, f"{wide.loc[day, (a, b)]:.1f}", f"{wide.loc[day, (b, a)]:.1f}", ids)
    console.print(table)
    if chart is not None:
        import plotly.graph_objects as go

        figure = go.Figure()
        for (importer, exporter), rows in series.groupby(["importer", "exporter"]):
            figure.add_scatter(x=rows["date"], y=rows["average_tariff_pct"], mode="lines", line_shape="hv",
                               name=f"{importer} on {exporter}")
        figure.update_layout(title=f"Average tariff on goods: {a} and {b} (%)")
        figure.write_html(chart, include_plotlyjs=True)
        console.print(f"Chart: {chart}")
