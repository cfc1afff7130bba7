"""``tradewar sweep``, ``tradewar runs list|show`` and Monte Carlo for ``tradewar simulate --draws``.

``simulate --draws N`` is wired by :func:`simulate_draws` (called from
``cli/simulate.py``); the option types it needs are :data:`DrawsOption`,
:data:`SpreadOption`, :data:`SeedOption` and :data:`SchedulerOption`.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.markup import escape
from rich.table import Table

from tradewar.cli.common import console, fail
from tradewar.errors import TradewarError

__all__ = ["DrawsOption", "SchedulerOption", "SeedOption", "SpreadOption", "runs_app", "simulate_draws", "sweep"]

DrawsOption = Annotated[int | None, typer.Option(
    "--draws", help="Monte Carlo: solve N draws of the trade elasticities and show bands (p5..p95).")]
SpreadOption = Annotated[float, typer.Option(
    "--spread", help="Monte Carlo: spread of the draws (standard deviation of log elasticity).")]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Monte Carlo: random seed (reproducible draws).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Solve on a Dask cluster at tcp://HOST:PORT (default: local processes).")]

BANDS = (("welfare_pct", "Welfare"), ("real_wage_pct", "Real wage"), ("price_index_pct", "Price index"),
         ("exports_pct", "Exports"), ("imports_pct", "Imports"))
SIDES = ("USA", "CHN")


@contextmanager
def _bar(enabled: bool, what: str):
    """A progress bar fed with ``update(done, total)``, or nothing."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=True) as progress:
        task = progress.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _executor(scheduler: str | None, workers: int | None):
    if scheduler:
        return scheduler
    if workers == 1:
        return "serial"
    return workers or None


# ---------------------------------------------------------------------- simulate --draws
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
    countries: str | None = None,
    as_json: bool = False,
    report: Path | None = None,
    write_report: bool = True,
) -> None:
    """``tradewar simulate SCENARIO --draws N``: the scenario under N elasticity draws, with bands
    (tables, and an HTML report with band charts unless ``write_report`` is false)."""
    from tradewar.cli.simulate import _against, _extra_tariffs, _scenario_with_overrides
    from tradewar.uncertainty import monte_carlo

    try:
        chosen = _scenario_with_overrides(scenario, world, regions, sectors, deficits)
        with _bar(not as_json, f"Monte Carlo on {chosen.name}") as progress:
            mc = monte_carlo(chosen, draws=draws, spread=spread, distribution=distribution, seed=seed,
                             executor=_executor(scheduler, workers), against=_against(against),
                             extra_tariff=_extra_tariffs(tariff or []), progress=progress)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    path = None
    if report is not None or (write_report and not as_json):
        from tradewar.report.bands_html import write_band_report

        path = write_band_report(
            mc, report or Path(f"tradewar-report-{chosen.name}-draws.html"),
            title=f"tradewar: {chosen.name}, {mc.n_ok} of {mc.n_draws} elasticity draws",
            notes=[chosen.description, f"Elasticities {mc.settings['distribution']}, spread {mc.settings['spread']:g}, "
                   f"seed {mc.seed}; {mc.n_failed} draws failed."],
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
    focus = [c.strip() for c in countries.split(",")] if countries else [*SIDES, *scenario.report.countries]
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
                console.print(f"{exporter} -> {importer} trade: {row['point']:+.1f}% [{row['p5']:+.1f}%, {row['p95']:+.1f}%]")
    if mc.n_failed:
        reasons = ", ".join(f"{count} {error}" for error, count in mc.failure_reasons().items())
        console.print(f"[yellow]{mc.n_failed} draws failed ({reasons}); bands use the {mc.n_ok} that solved.[/]")
        console.print(f"First failure (draw {mc.failed.iloc[0]['draw']}): {mc.failed.iloc[0]['message']}")
    console.print(f"{mc.n_draws} solves in {mc.seconds:.1f} s ({mc.solves_per_second:.1f} per second) on "
                  f"{mc.settings['executor']}.")


# ---------------------------------------------------------------------- sweep
def sweep(
    spec: Annotated[Path | None, typer.Argument(help="A sweep file (TOML: name, scenarios, [grid], [[run]]).")] = None,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="A scenario to sweep over; repeatable.")] = None,
    grid: Annotated[list[str] | None, typer.Option("--grid", help="KEY=V1,V2,...: parameter values to cross (elasticity_scale, deficits, regions, sectors, world, against); repeatable.")] = None,
    name: Annotated[str | None, typer.Option(help="The sweep's name in the run index (default: the file's name or 'sweep').")] = None,
    store: Annotated[Path, typer.Option(help="Directory of the results (Parquet) and the run index (DuckDB).")] = Path("tradewar-runs"),
    scheduler: SchedulerOption = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: one per core; 1 = in this process).")] = None,
    rerun: Annotated[bool, typer.Option("--rerun", help="Solve every run again, even those already done.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Solve a grid or list of scenarios and parameters; resumable (runs already done are skipped)."""
    from tradewar.uncertainty.sweep import RunStore, expand_runs, parse_grid_option, read_sweep_spec, run_sweep

    try:
        runs = []
        sweep_name = name
        if spec is not None:
            file_name, runs = read_sweep_spec(spec)
            sweep_name = sweep_name or file_name
        if scenario:
            runs += expand_runs(scenario, dict(parse_grid_option(g) for g in grid or []))
        elif grid and spec is None:
            raise typer.BadParameter("--grid needs at least one --scenario (or a sweep file).")
        if not runs:
            raise typer.BadParameter("Give a sweep file or at least one --scenario.")
        runs = list(dict.fromkeys(runs))
        with _bar(not as_json, f"Sweep {sweep_name or 'sweep'}") as progress:
            outcome = run_sweep(runs, name=sweep_name or "sweep", store=RunStore(store),
                                executor=_executor(scheduler, workers), progress=progress, resume=not rerun)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
        return
    console.print(f"Sweep {outcome.name}: {len(outcome.runs)} runs; {len(outcome.solved)} solved, "
                  f"{len(outcome.skipped)} already done, {len(outcome.failed)} failed; {outcome.seconds:.1f} s. "
                  f"Index: {Path(store) / 'runs.duckdb'} (`tradewar runs list --store {store}`).")
    for run_id, error in outcome.failed.items():
        console.print(f"[red]failed[/] {run_id}: {error}")


# ---------------------------------------------------------------------- runs
runs_app = typer.Typer(help="The index of sweep runs: list them, show one.", no_args_is_help=True)


@runs_app.command("list")
def runs_list(
    store: Annotated[Path, typer.Option(help="The sweep store directory.")] = Path("tradewar-runs"),
    sweep_name: Annotated[str | None, typer.Option("--sweep", help="Only this sweep's runs.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Runs in the index, newest first."""
    from tradewar.uncertainty.sweep import RunStore

    try:
        frame = RunStore(store).list(sweep_name)
    except (TradewarError, OSError) as error:
        fail(error)
    if as_json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    table = Table(title=f"Runs in {Path(store) / 'runs.duckdb'}")
    table.add_column("ID", no_wrap=True)
    for column in ("Sweep", "Scenario", "Parameters", "World", "Version", "Finished (UTC)", "Status"):
        table.add_column(column)
    for row in frame.itertuples():
        finished = row.finished_at.strftime("%Y-%m-%d %H:%M") if row.finished_at is not None else ""
        status = row.status if row.status == "ok" else f"[red]{row.status}[/]"
        parameters = " ".join(f"{k}={v}" for k, v in json.loads(row.parameters).items())
        table.add_row(row.id, row.sweep, row.scenario, parameters, row.world_hash or "", row.code_version,
                      finished, status)
    console.print(table)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id (a unique prefix is enough).")],
    store: Annotated[Path, typer.Option(help="The sweep store directory.")] = Path("tradewar-runs"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One run: what was solved and its country results."""
    from tradewar.uncertainty.sweep import RunStore

    try:
        row, country, _ = RunStore(store).show(run_id)
    except (TradewarError, OSError) as error:
        fail(error)
    if as_json:
        document = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        document = {k: (None if isinstance(v, float) and v != v else v) for k, v in document.items()}
        document["countries"] = None if country is None else country.to_dict(orient="index")
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    console.print(f"[bold]Run {row['id']}[/] ({row['status']}): scenario {row['scenario']}, parameters "
                  f"{row['parameters']}, world {row['world_hash']}, tradewar {row['code_version']}, "
                  f"finished {row['finished_at']}, {row['seconds']:.2f} s.")
    if row["status"] != "ok":
        console.print(f"[red]{row['error']}[/]")
        return
    table = Table(title="Effects, % change")
    columns = ["welfare_pct", "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct"]
    table.add_column("Country")
    for column in columns:
        table.add_column(column.removesuffix("_pct").replace("_", " ").capitalize(), justify="right")
    for country_name, values in country.iterrows():
        table.add_row(str(country_name), *(f"{values[c]:+.3f}" for c in columns))
    console.print(table)
