"""``tradewar sweep`` and ``tradewar runs list|show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tradewar.cli.common import ProgressCount, bar, console, errors, executor, fail, stop_on_ctrl_c
from tradewar.cli.draws import SchedulerOption
from tradewar.errors import TradewarError

__all__ = ["runs_app", "sweep"]


# ---------------------------------------------------------------------- sweep
def sweep(
    spec: Annotated[Path | None, typer.Argument(help="A sweep file (TOML: name, scenarios, [grid], [[run]]).")] = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", help="A scenario to sweep over; repeatable.")
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            help="KEY=V1,V2,...: parameter values to cross (elasticity_scale, deficits, regions, sectors, world, "
                 "against); repeatable.",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="The sweep's name in the run index (default: the file's name or 'sweep').")
    ] = None,
    store: Annotated[Path, typer.Option(help="Directory of the results (Parquet) and the run index (DuckDB).")] = Path(
        "tradewar-runs"
    ),
    scheduler: SchedulerOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: one per core; 1 = in this process).")
    ] = None,
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
        count = ProgressCount()
        # Each finished run is recorded as it finishes, so an interrupted sweep resumes.
        with stop_on_ctrl_c(f"sweep {sweep_name or 'sweep'}",
                            lambda: f"{count.done} of {len(runs)} runs are recorded in {store}; run the same "
                                    f"command again to resume"), \
                bar(not as_json, f"Sweep {sweep_name or 'sweep'}") as progress:
            count.then = progress
            outcome = run_sweep(runs, name=sweep_name or "sweep", store=RunStore(store),
                                executor=executor(scheduler, workers), progress=count,
                                resume=not rerun)
    except (TradewarError, typer.BadParameter, OSError) as error:
        fail(error)
    # Exit 1 when nothing this sweep tried solved, so scripts and CI notice.
    all_failed = bool(outcome.failed) and not outcome.solved
    if as_json:
        typer.echo(json.dumps(outcome.to_dict(), indent=2))
        if all_failed:
            raise typer.Exit(code=1)
        return
    console.print(f"Sweep {outcome.name}: {len(outcome.runs)} runs; {len(outcome.solved)} solved, "
                  f"{len(outcome.skipped)} already done, {len(outcome.failed)} failed; {outcome.seconds:.1f} s. "
                  f"Index: {Path(store) / 'runs.duckdb'} (`tradewar runs list --store {store}`).")
    for run_id, error in outcome.failed.items():
        console.print(f"[red]failed[/] {run_id}: {error}")
    if all_failed:
        errors.print(f"[bold red]error:[/] every run of sweep {escape(outcome.name)} failed "
                     f"({len(outcome.failed)} of {len(outcome.runs)}); see the messages above.")
        raise typer.Exit(code=1)


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
