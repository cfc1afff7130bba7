"""``tradewar simulate`` and ``tradewar compare``: scenarios solved and reported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import (
    ElasticitiesOption,
    HorizonOption,
    RevenueOption,
    SelfContainedOption,
    console,
    fail,
    output_path,
    report_name,
    scenario_overrides,
    spinner,
    split_labels,
)
from tradewar.cli.draws import SIDES, DrawsOption, SchedulerOption, SeedOption, SpreadOption, simulate_draws
from tradewar.errors import TradewarError

DEFAULT_SCENARIO = "london-2025"


def _run(name, overrides=None, *, show=True):
    """Solve a scenario through the library's one pipeline, with a spinner unless ``show`` is false."""
    from tradewar.policy.library import load_scenario
    from tradewar.simulation import prepare_scenario

    prepared = prepare_scenario(load_scenario(name), overrides=overrides)
    with spinner(show, f"Solving {prepared.name}") as on_iteration:
        return prepared.solve(on_iteration=on_iteration)


def _focus(run, countries: str | None) -> list[str]:
    from tradewar.policy.validation import check_countries
    from tradewar.report.tables import focus_countries

    labels = split_labels(countries)
    if labels:
        check_countries(labels, run.world, "--countries")
    return focus_countries(run, labels)


def simulate(
    scenario: Annotated[
        str, typer.Argument(help="A built-in scenario (see `tradewar scenarios`) or a .toml file.")
    ] = DEFAULT_SCENARIO,
    against: Annotated[
        str | None, typer.Option(help="Measure from this date (YYYY-MM-DD) or scenario instead of the no-war baseline.")
    ] = None,
    tariff: Annotated[
        list[str] | None,
        typer.Option(
            "--tariff",
            help="Extra tariff on top, in percentage points (25 = 25 points more; scenario files take fractions): "
                 "IMPORTER:EXPORTER:POINTS[:SECTOR]; repeatable.",
        ),
    ] = None,
    world: Annotated[str | None, typer.Option(help="Override the scenario's world (name or .npz).")] = None,
    regions: Annotated[str | None, typer.Option(help="Aggregate countries: 'compact' or 'eu27'.")] = None,
    sectors: Annotated[str | None, typer.Option(help="Aggregate sectors: 'broad'.")] = None,
    deficits: Annotated[str | None, typer.Option(help="Override deficits: 'fixed' or 'zero'.")] = None,
    revenue: RevenueOption = None,
    elasticities: ElasticitiesOption = None,
    horizon: HorizonOption = None,
    countries: Annotated[str | None, typer.Option(help="Comma-separated countries to show first.")] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the HTML report (default tradewar-report-SCENARIO.html, with a tag when options "
                 "change the scenario)."
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the HTML report.")] = False,
    self_contained: SelfContainedOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of tables; no report unless --report.")
    ] = False,
    draws: DrawsOption = None,
    spread: SpreadOption = 0.25,
    seed: SeedOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Solve a scenario (default: the measures in force during the June 2025 London talks)."""
    if draws is not None:
        simulate_draws(scenario, draws=draws, spread=spread, seed=seed, scheduler=scheduler, against=against,
                       tariff=tariff, world=world, regions=regions, sectors=sectors, deficits=deficits,
                       revenue=revenue, elasticities=elasticities, horizon=horizon, countries=countries,
                       as_json=as_json, report=report, write_report=not no_report,
                       self_contained=self_contained)
        return
    try:
        if report is not None:
            report = output_path(report, "--report")
        overrides = scenario_overrides(world=world, regions=regions, sectors=sectors, deficits=deficits,
                                       against=against, tariff=tariff, revenue=revenue, elasticities=elasticities,
                                       horizon=horizon)
        run = _run(scenario, overrides, show=not as_json)
        focus = _focus(run, countries)
        path = None
        if (report is not None) or not (no_report or as_json):
            path = _write_report(run, report or report_name(run.scenario.name, overrides), self_contained)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    if as_json:
        document = run.to_dict()
        document["report"] = str(path) if path else None
        typer.echo(json.dumps(document, indent=2))
        return
    _print_run(run, focus)
    if path:
        console.print(f"Report: {path}")


def _write_report(run, path: Path, self_contained: bool = False) -> Path:
    from tradewar.report.html import write_report

    sides = [c for c in SIDES if c in run.result.countries]
    series = None
    if run.on is not None and len(sides) == 2:
        series = run.timeline.average_tariff(run.detailed_world, date(2018, 1, 1), max(run.on, date(2018, 1, 2)),
                                             pairs=[(sides[0], sides[1]), (sides[1], sides[0])])
    notes = [run.scenario.description, f"World {run.world.name}; measures in force on "
             f"{run.on.isoformat() if run.on else 'n/a'}; effects measured against {run.against}.",
             *run.summary().header[1:]]
    if run.extra_tariffs:
        notes.append("Extra tariffs on top of the scenario's: "
                     + "; ".join(change.describe() for change in run.extra_tariffs) + ".")
    return write_report(run.result, path, title=f"tradewar: {run.scenario.name}", focus=sides, notes=notes,
                        tariff_series=series, self_contained=self_contained)


#: A trade balance this large against value added makes welfare under fixed deficits mostly a
#: closure effect (spending = value added + deficit, the deficit fixed in dollars).
LARGE_BALANCE_SHARE = 0.25


def _large_balances_note(run, shown: list[str]) -> str | None:
    """A warning for the shown countries whose fixed trade balance is large against their value added."""
    world = run.result.baseline  # with --deficits zero its balances are zero: nothing to flag
    share = world.deficit / world.value_added
    flagged = [f"{c} ({'deficit' if float(share.sel(country=c)) > 0 else 'surplus'} "
               f"{abs(float(share.sel(country=c))):.0%} of value added)"
               for c in shown if c in world.countries and abs(float(share.sel(country=c))) > LARGE_BALANCE_SHARE]
    if not flagged:
        return None
    holds = "holds a large trade balance" if len(flagged) == 1 else "hold large trade balances"
    note = (f"Note: {', '.join(flagged)} {holds}, fixed in dollars: the welfare change is mostly the "
            "closure's (compare --deficits zero).")
    if world.name == "icio2022":
        note += (" On icio2022 only eleven economies' balances are published figures; the rest are imputed "
                 "(README, 'Who loses most').")
    return note


def _print_run(run, focus: list[str]) -> None:
    from rich.markup import escape

    from tradewar.report.tables import country_table, headline_countries

    result = run.result
    shown = headline_countries(result, focus, others=3)
    title = f"{run.scenario.name}: {run.scenario.description}" if run.scenario.description else run.scenario.name
    console.print(f"[bold]{escape(title)}[/]")
    console.print(f"World {run.world.name}; measures in force on {run.on}; effects against {run.against}.")
    for line in run.summary().header[1:]:  # the elasticities and the closure that produced the numbers
        console.print(escape(line))
    for change in run.extra_tariffs:
        console.print(f"Extra tariff on top: {escape(change.describe())}.")
    console.print(country_table(result, shown, "Effects, % change (tariff revenue change in USD mn)"))
    note = _large_balances_note(run, shown)
    if note:
        console.print(escape(note))
    sides = [c for c in SIDES if c in result.countries]
    console.print(_sectors_hit(result, sides))
    for exporter in sides:
        for importer in sides:
            if exporter != importer:
                base = float(result.data["trade_baseline"].sel(importer=importer, exporter=exporter).sum())
                new = float(result.data["trade_new"].sel(importer=importer, exporter=exporter).sum())
                console.print(f"{exporter} -> {importer} trade: {base:,.0f} -> {new:,.0f} USD mn "
                              f"({100 * (new / base - 1):+.1f}%)")
    for table in _card_tables(run):
        console.print(table)
    solver = result.solver
    console.print(f"Solver: {solver.iterations} sweeps, residual {solver.residual:.1e}, {solver.seconds:.2f} s.")


def _sectors_hit(result, countries: list[str], top: int = 5) -> Table:
    """The sectors whose output falls most in each country (downstream effects): falls only,
    so a country with fewer than ``top`` falls shows fewer (and says "no other fall")."""
    output = 100 * (result.data["output"] - 1)
    table = Table(title=f"Sectors hit hardest (output, % change; up to {top} largest falls)")
    for country in countries:
        table.add_column(country)
    columns = []
    for country in countries:
        changes = output.sel(country=country).to_series().dropna().sort_values()
        falls = changes[changes < 0].head(top)
        column = [f"{sector} {value:+.2f}" for sector, value in falls.items()]
        columns.append(column + ["(no other fall)"] * (len(column) < top))
    for row in range(max((len(column) for column in columns), default=0)):
        table.add_row(*(column[row] if row < len(column) else "" for column in columns))
    return table


def _card_buyers(run, card: dict) -> list[str]:
    """The targets a card's tables show: all of a control on a few buyers; of a control on many
    (``targets = ["*"]``), the scenario's report countries and the buyer of the published gap."""
    targets = card["targets"]
    if len(targets) <= 6:
        return list(targets)
    wanted = set(run.scenario.report.countries)
    if card.get("calibration"):
        wanted.add(card["calibration"]["buyer"])
    return [c for c in targets if c in wanted] or list(targets[:6])


def _card_tables(run) -> list[Table]:
    """Each export control on a critical product: its price inside and outside the holder, the
    gap against the split's published target, and the output of the target's critical users."""
    from tradewar.cards import card_effects

    tables = []
    for card in card_effects(run):
        holder = card["holder"]
        table = Table(title=f"{card['product']} ({card['measure']}): {holder}'s export control; price of the product, "
                            f"% change, and the gap outside / inside {holder}")
        for column in ("Buyer", "Price %", f"Gap (x, vs {holder})", "Published gap (x)"):
            table.add_column(column, justify="left" if column == "Buyer" else "right")
        target = card.get("calibration")
        published = (f"{target['price_gap']:.2f} ({target['price_gap_low']:.2f}-{target['price_gap_high']:.2f})"
                     if target else "")
        table.add_row(holder, f"{card['price_pct'][holder]:+.1f}", "1.00", "")
        shown = _card_buyers(run, card)
        for country in shown:
            table.add_row(country, f"{card['price_pct'][country]:+.1f}", f"{card['price_gap'][country]:.2f}",
                          published if target and country == target["buyer"] else "")
        table.add_row("outside mean", "", f"{card['price_gap_outside_mean']:.2f}", "")
        if target:
            table.caption = f"Published: {target['source']}."
        tables.append(table)
        for country, users in card["users"].items():
            if not users or country not in shown:
                continue
            by_user = Table(title=f"{country}'s users of {card['product']} (critical input): output, % change "
                                  f"against {card['measured_against']}")
            for column in ("Sector", "Real output %", "Nominal output %", "Real loss, USD mn"):
                by_user.add_column(column, justify="left" if column == "Sector" else "right")
            for row in users:
                by_user.add_row(row["sector"], f"{row['real_output_pct']:+.2f}", f"{row['output_pct']:+.2f}",
                                f"{row['real_output_loss_usd_mn']:,.0f}")
            tables.append(by_user)
    return tables


def compare(
    first: Annotated[str, typer.Argument(help="First scenario (name or .toml).")],
    second: Annotated[str, typer.Argument(help="Second scenario (name or .toml).")],
    countries: Annotated[str | None, typer.Option(help="Comma-separated countries to show.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    deficits: Annotated[str | None, typer.Option(help="Override deficits: 'fixed' or 'zero'.")] = None,
    revenue: RevenueOption = None,
    elasticities: ElasticitiesOption = None,
    horizon: HorizonOption = None,
) -> None:
    """Two scenarios side by side (each against the no-war baseline)."""
    try:
        overrides = scenario_overrides(deficits=deficits, revenue=revenue, elasticities=elasticities, horizon=horizon)
        runs = [_run(name, overrides or None, show=not as_json) for name in (first, second)]
        focus = _focus(runs[0], countries)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps({"scenarios": [run.to_dict() for run in runs]}, indent=2))
        return
    frames = [run.result.country_table() for run in runs]
    shown = [c for c in focus if c in frames[1].index]
    table = Table(title=f"{runs[0].scenario.name} vs {runs[1].scenario.name}: welfare and real wages, % change")
    table.add_column("Country")
    for run in runs:
        table.add_column(f"Welfare\n{run.scenario.name}", justify="right")
    table.add_column("Difference", justify="right")
    for run in runs:
        table.add_column(f"Real wage\n{run.scenario.name}", justify="right")
    for country in shown:
        welfare = [frame.loc[country, "welfare_pct"] for frame in frames]
        wages = [frame.loc[country, "real_wage_pct"] for frame in frames]
        table.add_row(country, *(f"{v:+.3f}" for v in welfare), f"{welfare[1] - welfare[0]:+.3f}",
                      *(f"{v:+.3f}" for v in wages))
    console.print(table)
