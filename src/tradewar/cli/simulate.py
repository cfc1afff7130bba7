"""``tradewar simulate`` and ``tradewar compare``: scenarios solved and reported."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradewar.cli.common import console, fail
from tradewar.cli.sweep import DrawsOption, SchedulerOption, SeedOption, SpreadOption
from tradewar.errors import TradewarError

DEFAULT_SCENARIO = "london-2025"
SIDES = ("USA", "CHN")


def parse_tariff(spec: str, world) -> tuple[str, str, float, list[str]]:
    """``IMPORTER:EXPORTER:POINTS[:SECTOR]`` -> labels, a rate increase and the sectors it covers."""
    parts = spec.split(":")
    if len(parts) not in (3, 4):
        raise typer.BadParameter(f"{spec!r}: expected IMPORTER:EXPORTER:POINTS or IMPORTER:EXPORTER:POINTS:SECTOR")
    importer, exporter, points = parts[:3]
    for label in (importer, exporter):
        if label not in world.countries:
            raise typer.BadParameter(f"{spec!r}: unknown country {label!r}; the world has {', '.join(world.countries)}")
    try:
        rate = float(points) / 100
    except ValueError:
        raise typer.BadParameter(f"{spec!r}: {points!r} is not a number of percentage points") from None
    sectors = world.goods if len(parts) == 3 else [parts[3]]
    if sectors[0] not in world.sectors:
        raise typer.BadParameter(f"{spec!r}: unknown sector {parts[3]!r}; sectors are {', '.join(world.sectors)}")
    return importer, exporter, rate, sectors


def _extra_tariffs(specs: list[str]):
    """A function adding the ``--tariff`` changes to a scenario's tariffs (checked per world)."""
    if not specs:
        return None

    def add(world, tariff):
        tariff = tariff.copy()
        for importer, exporter, rate, covered in (parse_tariff(spec, world) for spec in specs):
            tariff.loc[dict(importer=importer, exporter=exporter, sector=covered)] += rate
        return tariff

    return add


def _against(value: str | None):
    from tradewar.simulation import parse_against

    return parse_against(value)


def _scenario_with_overrides(name: str, world: str | None, regions: str | None, sectors: str | None,
                             deficits: str | None):
    from tradewar.policy.library import load_scenario
    from tradewar.policy.scenario import AggregateSpec, ReportSpec

    scenario = load_scenario(name)
    update = {}
    if world:
        update["world"] = world
    if regions or sectors:
        update["aggregate"] = AggregateSpec(regions=regions, sectors=sectors)
    if world or regions:
        # The scenario's report list names countries of its own world; they may not exist here.
        update["report"] = ReportSpec()
    if deficits:
        if deficits not in ("fixed", "zero"):
            raise typer.BadParameter(f"--deficits must be 'fixed' or 'zero', not {deficits!r}")
        update["deficits"] = deficits
    return scenario.model_copy(update=update) if update else scenario


@contextmanager
def _progress(enabled: bool, what: str):
    """A spinner showing the solver's sweeps and residual, or nothing (``--json``)."""
    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(what, total=None)

        def update(iteration: int, residual: float) -> None:
            progress.update(task, description=f"{what}: sweep {iteration}, residual {residual:.1e}")

        yield update


def _run(name, *, against=None, tariff=None, world=None, regions=None, sectors=None, deficits=None, show=True):
    from tradewar.simulation import run_scenario

    scenario = _scenario_with_overrides(name, world, regions, sectors, deficits)
    with _progress(show, f"Solving {scenario.name}") as on_iteration:
        return run_scenario(scenario, against=_against(against), extra_tariff=_extra_tariffs(tariff or []),
                            on_iteration=on_iteration)


def _focus(run, countries: str | None) -> list[str]:
    from tradewar.report.tables import focus_countries

    return focus_countries(run, [c.strip() for c in countries.split(",")] if countries else None)


def simulate(
    scenario: Annotated[str, typer.Argument(help="A built-in scenario (see `tradewar scenarios`) or a .toml file.")] = DEFAULT_SCENARIO,
    against: Annotated[str | None, typer.Option(help="Measure from this date (YYYY-MM-DD) or scenario instead of the no-war baseline.")] = None,
    tariff: Annotated[list[str] | None, typer.Option("--tariff", help="Extra tariff on top: IMPORTER:EXPORTER:POINTS[:SECTOR]; repeatable.")] = None,
    world: Annotated[str | None, typer.Option(help="Override the scenario's world (name or .npz).")] = None,
    regions: Annotated[str | None, typer.Option(help="Aggregate countries: 'compact' or 'eu27'.")] = None,
    sectors: Annotated[str | None, typer.Option(help="Aggregate sectors: 'broad'.")] = None,
    deficits: Annotated[str | None, typer.Option(help="Override deficits: 'fixed' or 'zero'.")] = None,
    countries: Annotated[str | None, typer.Option(help="Comma-separated countries to show first.")] = None,
    report: Annotated[Path | None, typer.Option(help="Where to write the HTML report (default tradewar-report-SCENARIO.html).")] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write the HTML report.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables; no report unless --report.")] = False,
    draws: DrawsOption = None,
    spread: SpreadOption = 0.25,
    seed: SeedOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Solve a scenario (default: the measures in force during the June 2025 London talks)."""
    if draws:
        from tradewar.cli.sweep import simulate_draws

        simulate_draws(scenario, draws=draws, spread=spread, seed=seed, scheduler=scheduler, against=against,
                       tariff=tariff, world=world, regions=regions, sectors=sectors, deficits=deficits,
                       countries=countries, as_json=as_json, report=report, write_report=not no_report)
        return
    try:
        run = _run(scenario, against=against, tariff=tariff, world=world, regions=regions, sectors=sectors,
                   deficits=deficits, show=not as_json)
        path = None
        if (report is not None) or not (no_report or as_json):
            path = _write_report(run, report or Path(f"tradewar-report-{run.scenario.name}.html"))
    except (TradewarError, typer.BadParameter) as error:
        fail(error)
    if as_json:
        document = run.to_dict()
        document["report"] = str(path) if path else None
        typer.echo(json.dumps(document, indent=2))
        return
    _print_run(run, countries)
    if path:
        console.print(f"Report: {path}")


def _write_report(run, path: Path) -> Path:
    from tradewar.report.html import write_report

    sides = [c for c in SIDES if c in run.result.countries]
    series = None
    if run.on is not None and len(sides) == 2:
        series = run.timeline.average_tariff(run.detailed_world, date(2018, 1, 1), max(run.on, date(2018, 1, 2)),
                                             pairs=[(sides[0], sides[1]), (sides[1], sides[0])])
    notes = [run.scenario.description, f"Measures in force on {run.on.isoformat() if run.on else 'n/a'}; "
             f"effects measured against {run.against}."]
    return write_report(run.result, path, title=f"tradewar: {run.scenario.name}", focus=sides, notes=notes,
                        tariff_series=series)


def _print_run(run, countries: str | None) -> None:
    from tradewar.report.tables import country_table, headline_countries

    result = run.result
    shown = headline_countries(result, _focus(run, countries), others=3)
    title = f"{run.scenario.name}: {run.scenario.description}" if run.scenario.description else run.scenario.name
    console.print(f"[bold]{title}[/]")
    console.print(f"World {run.world.name}; measures in force on {run.on}; effects against {run.against}.")
    console.print(country_table(result, shown, "Effects, % change (tariff revenue change in USD mn)"))
    sides = [c for c in SIDES if c in result.countries]
    console.print(_sectors_hit(result, sides))
    for exporter in sides:
        for importer in sides:
            if exporter != importer:
                base = float(result.data["trade_baseline"].sel(importer=importer, exporter=exporter).sum())
                new = float(result.data["trade_new"].sel(importer=importer, exporter=exporter).sum())
                console.print(f"{exporter} -> {importer} trade: {base:,.0f} -> {new:,.0f} USD mn "
                              f"({100 * (new / base - 1):+.1f}%)")
    solver = result.solver
    console.print(f"Solver: {solver.iterations} sweeps, residual {solver.residual:.1e}, {solver.seconds:.2f} s.")


def _sectors_hit(result, countries: list[str], top: int = 5) -> Table:
    """The sectors whose output falls most in each country (downstream effects)."""
    output = 100 * (result.data["output"] - 1)
    table = Table(title=f"Sectors hit hardest (output, % change; {top} largest falls)")
    for country in countries:
        table.add_column(country)
    columns = []
    for country in countries:
        changes = output.sel(country=country).to_series().dropna().sort_values()
        columns.append([f"{sector} {value:+.2f}" for sector, value in changes.head(top).items()])
    for row in zip(*columns, strict=True):
        table.add_row(*row)
    return table


def compare(
    first: Annotated[str, typer.Argument(help="First scenario (name or .toml).")],
    second: Annotated[str, typer.Argument(help="Second scenario (name or .toml).")],
    countries: Annotated[str | None, typer.Option(help="Comma-separated countries to show.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Two scenarios side by side (each against the no-war baseline)."""
    try:
        runs = [_run(name, show=not as_json) for name in (first, second)]
    except (TradewarError, typer.BadParameter) as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps({"scenarios": [run.to_dict() for run in runs]}, indent=2))
        return
    frames = [run.result.country_table() for run in runs]
    shown = [c for c in _focus(runs[0], countries) if c in frames[1].index]
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
