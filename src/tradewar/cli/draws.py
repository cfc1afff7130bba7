"""Monte Carlo on the command line: ``tradewar simulate SCENARIO --draws N``.

:func:`simulate_draws` solves a scenario (with the same overrides as a plain
``simulate``) under N draws of the trade elasticities and prints bands; the option
types ``simulate`` declares are :data:`DrawsOption`, :data:`SpreadOption`,
:data:`SeedOption` and :data:`SchedulerOption`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tradewar.cli.common import (
    ProgressCount,
    bar,
    console,
    executor,
    fail,
    output_path,
    report_name,
    scenario_overrides,
    split_labels,
    stop_on_ctrl_c,
)
from tradewar.errors import TradewarError

SIDES = ("USA", "CHN")  # the headline's two sides (cli/simulate.py uses these too)

__all__ = ["DrawsOption", "SchedulerOption", "SeedOption", "SpreadOption", "simulate_draws"]

DrawsOption = Annotated[int | None, typer.Option(
    "--draws", help="Monte Carlo: solve N draws of the trade elasticities and show bands (p5..p95).")]
SpreadOption = Annotated[float, typer.Option(
    "--spread", help="Monte Carlo: spread of the draws (standard deviation of log elasticity).")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Monte Carlo: random seed (reproducible draws).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Solve on a Dask cluster at tcp://HOST:PORT (default: local processes).")]

BANDS = (("welfare_pct", "Welfare"), ("real_wage_pct", "Real wage"), ("price_index_pct", "Price index"),
         ("exports_pct", "Exports"), ("imports_pct", "Imports"))


def simulate_draws(
    scenario: str,
    *,
    draws: int,
    spread: float = 0.25,
    seed: int | None = None,
    scheduler: str | None = None,
    distribution: str = "lognormal",
    workers: int | None = None,
    against: str | None = None,
    tariff: list[str] | None = None,
    world: str | None = None,
    regions: str | None = None,
    sectors: str | None = None,
    deficits: str | None = None,
    revenue: str | None = None,
    elasticities: str | None = None,
    horizon: str | None = None,
    countries: str | None = None,
    as_json: bool = False,
    report: Path | None = None,
    write_report: bool = True,
    self_contained: bool = False,
) -> None:
    """``tradewar simulate SCENARIO --draws N``: the scenario under N elasticity draws, with bands
    (tables, and an HTML report with band charts unless ``write_report`` is false)."""
    from tradewar.policy.library import load_scenario
    from tradewar.policy.validation import check_countries
    from tradewar.simulation import prepare_scenario
    from tradewar.uncertainty import monte_carlo
    from tradewar.uncertainty.plan import Plan

    try:
        if draws < 1:
            raise typer.BadParameter(f"--draws {draws}: give at least 1 draw (or leave --draws out for one solve)")
        if spread <= 0 or spread != spread:
            raise typer.BadParameter(f"--spread {spread}: the spread of log elasticities must be positive")
        if report is not None:
            report = output_path(report, "--report")
        overrides = scenario_overrides(world=world, regions=regions, sectors=sectors, deficits=deficits,
                                       against=against, tariff=tariff, revenue=revenue, elasticities=elasticities,
                                       horizon=horizon)
        prepared = prepare_scenario(load_scenario(scenario), overrides=overrides)
        chosen = prepared.scenario
        if countries:
            check_countries(split_labels(countries), prepared.world, "--countries")
        count = ProgressCount()
        with stop_on_ctrl_c("Monte Carlo", lambda: f"{count.done} of {draws} draws had solved; nothing was written"), \
                bar(not as_json, f"Monte Carlo on {chosen.name}") as progress:
            count.then = progress
            mc = monte_carlo(Plan.from_prepared(prepared), draws=draws, spread=spread, distribution=distribution,
                             seed=seed, executor=executor(scheduler, workers), progress=count)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    path = None
    if report is not None or (write_report and not as_json):
        from tradewar.report.bands_html import write_band_report

        path = write_band_report(
            mc, report or report_name(chosen.name, overrides, "-draws"),
            title=f"tradewar: {chosen.name}, {mc.n_ok} of {mc.n_draws} elasticity draws",
            notes=[chosen.description, f"Elasticities {mc.settings['distribution']}, spread {mc.settings['spread']:g}, "
                   f"seed {mc.seed}; {mc.n_failed} draws failed."],
            self_contained=self_contained,
        )
    if as_json:
        document = mc.to_dict()
        document["report"] = str(path) if path else None
        typer.echo(json.dumps(document, indent=2))
        return
    _print_bands(mc, chosen, countries)
    if path:
        console.print(f"Report: {path}")


def _print_bands(mc, scenario, countries: str | None) -> None:
    from tradewar.report.tables import headline_countries

    central = mc.central
    focus = split_labels(countries) or [*SIDES, *scenario.report.countries]
    focus = [c for c in dict.fromkeys(focus) if c in central.countries]
    shown = headline_countries(central, focus, others=3)
    table = mc.percentiles(point=True)
    title = escape(f"{scenario.name}: % change, point estimate [p5, p95] over {mc.n_ok} of {mc.n_draws} draws "
                   f"(elasticities {mc.settings['distribution']}, spread {mc.settings['spread']:g}, seed {mc.seed})")
    out = Table(title=title)
    out.add_column("Country")
    for _, label in BANDS:
        out.add_column(label, justify="right")
    for country in shown:
        cells = []
        for variable, _ in BANDS:
            point, low, high = (table.loc[country, (variable, s)] for s in ("point", "p5", "p95"))
            cells.append(escape(f"{point:+.3f} [{low:+.3f},{high:+.3f}]"))
        out.add_row(country, *cells)
    console.print(out)
    bilateral = mc.percentiles(level="bilateral", point=True)
    for exporter in SIDES:
        for importer in SIDES:
            if exporter != importer and (importer, exporter) in bilateral.index:
                row = bilateral.loc[(importer, exporter)]
                console.print(
                    f"{exporter} -> {importer} trade: {row['point']:+.1f}% [{row['p5']:+.1f}%, {row['p95']:+.1f}%]"
                )
    if mc.n_failed:
        reasons = ", ".join(f"{count} {error}" for error, count in mc.failure_reasons().items())
        console.print(f"[yellow]{mc.n_failed} draws failed ({reasons}); bands use the {mc.n_ok} that solved.[/]")
        console.print(f"First failure (draw {mc.failed.iloc[0]['draw']}): {mc.failed.iloc[0]['message']}")
    console.print(f"{mc.n_draws} solves in {mc.seconds:.1f} s ({mc.solves_per_second:.1f} per second) on "
                  f"{mc.settings['executor']}.")


