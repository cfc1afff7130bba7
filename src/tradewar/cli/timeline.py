"""``tradewar timeline``: the average tariff each way over time, and the measures behind each step."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import SelfContainedOption, console, fail, output_path
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
    weights: Annotated[
        str,
        typer.Option(help="'tracker': the U.S.-China headline as the trackers measure it (2017 line-level trade "
                          "weights, statutory 2018 base); 'world': the world's trade weights and baseline tariffs."),
    ] = "tracker",
    chart: Annotated[Path | None, typer.Option(help="Write an HTML chart of the series here.")] = None,
    self_contained: SelfContainedOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (daily series and steps).")] = False,
) -> None:
    """Trade-weighted average tariff on goods each way, day by day, with the measures behind each step.

    Each step lists its measures with their legal basis and source; measures whose dates, rate or
    existence rest on one source or conflicting sources are marked '?'. Where the U.S. is the
    importer, the 2024 duty actually collected (Census) is shown beside the statutory rate.
    """
    from tradewar.policy.headline import collected_2024
    from tradewar.policy.library import load_library
    from tradewar.policy.timeline import involves
    from tradewar.world.library import load_world

    try:
        first, last = _day(start, "--from"), _day(end, "--to")
        if last < first:
            raise typer.BadParameter(f"--to {end} is before --from {start}")
        if weights not in ("tracker", "world"):
            raise typer.BadParameter(f"--weights {weights!r}: use 'tracker' or 'world'")
        if chart is not None:
            chart = output_path(chart, "--chart")
        world = load_world(world_name)
        library = load_library()
        library.check_world(world)
        a, b = between
        series = library.average_tariff(world, first, last, pairs=[(a, b), (b, a)], basis="tracker")
        if weights == "world":
            series = series.assign(basis="world", average_tariff_pct=library.average_tariff(
                world, first, last, pairs=[(a, b), (b, a)])["average_tariff_pct"].to_numpy())
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
    collected = {
        f"USA on {partner}": figures
        for importer, partner in ((a, b), (b, a)) if importer == "USA"
        for figures in [collected_2024(partner)] if figures is not None
    }
    if as_json:
        document = {
            "series": series.to_dict(orient="records"),
            "steps": [
                {"date": step.on.isoformat(), "measure_id": change.measure_id, "description": change.description,
                 "event": change.event, "basis": library[change.measure_id].basis,
                 "source": library[change.measure_id].source, "uncertain": library[change.measure_id].uncertain}
                for step in steps for change in step.changes
            ],
            "collected_2024": collected,
        }
        typer.echo(json.dumps(document, indent=2))
        return
    wide = series.pivot_table(index="date", columns=["importer", "exporter"], values="average_tariff_pct")
    bases = dict(zip(zip(series["importer"], series["exporter"], strict=True), series["basis"], strict=True))
    table = Table(title=f"Average tariff on goods, trade-weighted (%): {a} and {b}",
                  caption=f"Weights: {a} on {b}: {bases[(a, b)]}; {b} on {a}: {bases[(b, a)]}. "
                          "? = uncertain measure (see the sources below).")
    table.add_column("Date")
    table.add_column(f"{a} on {b}", justify="right")
    table.add_column(f"{b} on {a}", justify="right")
    table.add_column("Measures (start / end)")
    opening = first.isoformat()
    if not steps or steps[0].on != first:
        # The level on the first day, so that a window without a step on its first day (a single day, a
        # quiet stretch) still shows the rates in force rather than an empty table.
        in_force = [e.id for e in library.in_force(first).entries if involves(e.measure, pair, library) and e.applies]
        plural = "s" if len(in_force) != 1 else ""
        note = (f"in force on {opening}: {len(in_force)} measure{plural} between {a} and {b} "
                f"(no measure starts or ends {'that day' if first == last else 'on this first day'})")
        table.add_row(opening, f"{wide.loc[opening, (a, b)]:.1f}", f"{wide.loc[opening, (b, a)]:.1f}", note)
    for step in steps:
        day = step.on.isoformat()
        if day not in wide.index:
            continue
        ids = ", ".join(
            f"{c.measure_id}{'?' if library[c.measure_id].uncertain else ''} {c.event}" for c in step.changes
        )
        table.add_row(day, f"{wide.loc[day, (a, b)]:.1f}", f"{wide.loc[day, (b, a)]:.1f}", ids)
    console.print(table)
    for label, figures in collected.items():
        console.print(
            f"2024, {label}: statutory {figures['statutory_rate']:.1%} of the same lines, collected "
            f"{figures['collected_rate']:.1%} (Census duty / imports); the gap stands for preferences the statutory "
            "rate leaves out (free-trade agreements such as USMCA), exclusions, drawback, processing trade, evasion "
            "and rerouting (data/tariffs/collected_vs_statutory_2024.md)."
        )
    shown = dict.fromkeys(c.measure_id for step in steps for c in step.changes)
    if shown:
        console.print("[bold]Sources[/]")
    for measure_id in shown:
        measure = library[measure_id]
        flag = f" [yellow]? {measure.uncertain}[/]" if measure.uncertain else ""
        console.print(f"{measure_id}: {measure.basis or ''} | {measure.source or 'no source recorded'}{flag}",
                      markup=True, highlight=False)
    if chart is not None:
        import plotly.graph_objects as go

        figure = go.Figure()
        for (importer, exporter), rows in series.groupby(["importer", "exporter"]):
            figure.add_scatter(x=rows["date"], y=rows["average_tariff_pct"], mode="lines", line_shape="hv",
                               name=f"{importer} on {exporter}")
        for label, figures in collected.items():  # the duty collected in 2024, where the window holds 2024
            since, until = max(first, date(2024, 1, 1)), min(last, date(2024, 12, 31))
            if since <= until:
                figure.add_scatter(x=[since.isoformat(), until.isoformat()], y=[100 * figures["collected_rate"]] * 2,
                                   mode="lines", line={"dash": "dash"}, name=f"{label}, collected 2024 (Census)")
        uncertain = [(step.on.isoformat(), c.measure_id) for step in steps for c in step.changes
                     if library[c.measure_id].uncertain]
        for day, measure_id in uncertain:
            figure.add_vline(x=day, line_dash="dot", line_color="orange", opacity=0.5)
            figure.add_annotation(x=day, y=1.0, yref="paper", text=f"{measure_id}?", showarrow=False,
                                  textangle=-90, font={"size": 9, "color": "darkorange"},
                                  hovertext=library[measure_id].uncertain)
        figure.update_layout(title=f"Average tariff on goods: {a} and {b} (%), statutory; dashed: collected 2024; "
                                   "dotted: uncertain measures")
        figure.write_html(chart, include_plotlyjs=True if self_contained else "directory")
        console.print(f"Chart: {chart}")
