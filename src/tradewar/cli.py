"""The ``tradewar`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tradewar.errors import TradewarError

app = typer.Typer(
    help="Trade wars and trade talks in general equilibrium, on real data.",
    no_args_is_help=True,
    add_completion=False,
)
replicate_app = typer.Typer(help="Re-run published experiments and compare with the published numbers.")
app.add_typer(replicate_app, name="replicate")
world_app = typer.Typer(help="List, describe and build worlds (baseline economies).", no_args_is_help=True)
app.add_typer(world_app, name="world")
build_app = typer.Typer(help="Build a world from raw reference data.", no_args_is_help=True)
world_app.add_typer(build_app, name="build")

console = Console()
errors = Console(stderr=True)


def _fail(error: Exception) -> None:
    # Escape: messages name cells as tariff[importer='USA', ...], which rich would read as markup.
    errors.print(f"[bold red]error:[/] {escape(str(error))}")
    raise typer.Exit(code=2)


@replicate_app.command("cp2015")
def replicate_cp2015(
    data: Annotated[
        Path | None,
        typer.Option(help="Folder with the CP2015 replication files (default: $TRADEWAR_CP2015_DIR or ../shared/data/cp2015)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Caliendo & Parro (2015) Table 2: welfare effects of NAFTA's tariff cuts, model vs paper."""
    from tradewar.replication.cp2015_nafta import replicate_table2

    try:
        if as_json:
            replication = replicate_table2(data)
        else:
            with console.status("Solving the 1993 world without deficits, then NAFTA's tariff cuts..."):
                replication = replicate_table2(data)
    except TradewarError as error:
        _fail(error)
    report = replication.to_dict()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    table = Table(title="Caliendo & Parro (2015), Table 2: NAFTA's tariff cuts, % change")
    table.add_column("", no_wrap=True)
    for header in ("Welfare", "ToT", "VoT", "Real wage"):
        table.add_column(f"{header}\nmodel (paper)", justify="right", no_wrap=True)
    table.add_column("Exact\nmodel", justify="right", no_wrap=True)
    columns = ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct")
    for row in report["rows"]:
        cells = []
        for column in columns:
            model, paper = row[column], row["published"][column]
            style = "green" if round(model, 2) == paper else "red"
            cells.append(f"[{style}]{model:.2f}[/] [dim]({paper:.2f})[/]")
        table.add_row(row["country"], *cells, f"{row['exact_welfare_pct']:.2f}")
    console.print(table)
    solver = report["solver"]
    verdict = "[green]all numbers match the paper to two decimals[/]" if report["matches_published"] else "[red]some numbers differ from the paper[/]"
    console.print(
        f"{verdict}.\nWelfare = ToT (terms of trade) + VoT (volume of trade), the paper's first-order "
        "measure (eq. 28); Exact = the model's exact change in real income (income over the price index).\n"
        f"Solver: {solver['iterations']} sweeps, residual {solver['residual']:.1e}, {solver['seconds']:.3f} s."
    )


def _parse_tariff(spec: str, world) -> tuple[str, str, float, list[str]]:
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


@app.command()
def simulate(
    tariff: Annotated[
        list[str] | None,
        typer.Option(
            "--tariff",
            help="Raise a tariff: IMPORTER:EXPORTER:POINTS[:SECTOR], e.g. USA:CHN:25 adds 25 points on all "
            "goods the U.S. buys from China. Repeat for several.",
        ),
    ] = None,
    world_name: Annotated[str, typer.Option("--world", help="World name or .npz file.")] = "wiod2011",
    regions: Annotated[str | None, typer.Option(help="Aggregate countries: 'compact' or 'eu27'.")] = None,
    sectors: Annotated[str | None, typer.Option(help="Aggregate sectors: 'broad'.")] = None,
    deficits: Annotated[str, typer.Option(help="'fixed' (baseline deficits) or 'zero'.")] = "fixed",
    countries: Annotated[str | None, typer.Option(help="Comma-separated countries to show first.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Solve a tariff counterfactual on a world and report every country's gains and losses."""
    from tradewar.model.counterfactual import simulate as run
    from tradewar.report.tables import country_table, headline_countries, result_document
    from tradewar.world.library import load_world

    try:
        world = load_world(world_name)
        if regions or sectors:
            world = world.aggregate(regions=regions, sectors=sectors)
        new_tariff = world.tariff.copy()
        changes = [_parse_tariff(spec, world) for spec in tariff or []]
        if not changes:
            raise typer.BadParameter("nothing to simulate: give at least one --tariff IMPORTER:EXPORTER:POINTS")
        for importer, exporter, rate, covered in changes:
            new_tariff.loc[dict(importer=importer, exporter=exporter, sector=covered)] += rate
        if as_json:
            result = run(world, tariff=new_tariff, deficits=deficits)
        else:
            with console.status(f"Solving the equilibrium of {world.name}..."):
                result = run(world, tariff=new_tariff, deficits=deficits)
    except typer.BadParameter as error:
        _fail(error)
    except TradewarError as error:
        _fail(error)
    pairs = list(dict.fromkeys((exporter, importer) for importer, exporter, _, _ in changes))
    if as_json:
        typer.echo(json.dumps(result_document(result, pairs=pairs), indent=2))
        return
    focus = [c.strip() for c in countries.split(",")] if countries else []
    focus = list(dict.fromkeys(focus + [c for pair in pairs for c in pair]))
    shown = headline_countries(result, focus)
    console.print(country_table(result, shown, f"Effects on {world.name} ({deficits} deficits), % change"))
    for exporter, importer in pairs:
        base = float(result.data["trade_baseline"].sel(importer=importer, exporter=exporter).sum())
        new = float(result.data["trade_new"].sel(importer=importer, exporter=exporter).sum())
        console.print(f"{exporter} -> {importer} trade: {base:,.0f} -> {new:,.0f} USD mn ({100 * (new / base - 1):+.1f}%)")
    solver = result.solver
    console.print(f"Solver: {solver.iterations} sweeps, residual {solver.residual:.1e}, {solver.seconds:.2f} s.")


@world_app.command("list")
def world_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The worlds tradewar knows: embedded ones load anywhere, others need reference data."""
    from tradewar.world.library import DEFAULT_WORLD, embedded_path, world_names

    rows = [
        {"name": name, "embedded": embedded_path(name).is_file(), "default": name == DEFAULT_WORLD}
        for name in world_names()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Worlds")
    table.add_column("Name")
    table.add_column("Where")
    for row in rows:
        where = "embedded in the package" if row["embedded"] else "built from ../shared/data at load"
        table.add_row(row["name"] + (" (default)" if row["default"] else ""), where)
    console.print(table)


@world_app.command("info")
def world_info(
    name: Annotated[str, typer.Argument(help="World name or .npz file.")] = "wiod2011",
    top: Annotated[int, typer.Option(help="How many of the largest bilateral flows to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Dimensions, totals, the largest bilateral flows and the provenance of a world."""
    from tradewar.world.describe import describe_world
    from tradewar.world.library import load_world

    try:
        world = load_world(name)
    except TradewarError as error:
        _fail(error)
    info = describe_world(world, top=top)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    console.print(f"[bold]{info['name']}[/]: {len(info['regions'])} regions x {len(info['sectors'])} sectors, "
                  f"year {info['year']}, hash {info['hash']}")
    console.print(f"Source: {info['source']}\nCitation: {info['citation']}")
    console.print(
        f"International trade {info['total_trade_usd_mn']:,.0f}, gross output {info['gross_output_usd_mn']:,.0f}, "
        f"value added {info['value_added_usd_mn']:,.0f} (USD millions)"
    )
    console.print("Regions: " + ", ".join(info["regions"]))
    console.print("Sectors: " + ", ".join(info["sectors"]))
    table = Table(title=f"Largest bilateral flows (all sectors, USD millions)")
    for column in ("Exporter", "Importer", "Flow", "Mean tariff"):
        table.add_column(column, justify="right" if column in ("Flow", "Mean tariff") else "left")
    for flow in info["largest_flows"]:
        table.add_row(flow["exporter"], flow["importer"], f"{flow['usd_mn']:,.0f}", f"{flow['tariff_pct']:.2f}%")
    console.print(table)


@build_app.command("wiod")
def build_wiod(
    year: Annotated[int, typer.Option(help="WIOD year: 1995, 2000, 2005, 2008 or 2011.")] = 2011,
    source: Annotated[Path, typer.Option(help="Folder with WIOD's wiot_YYYY.npz files.")] = Path("../shared/data/wiod2013"),
    cp2015: Annotated[Path, typer.Option(help="Folder with the CP2015 files (for tariffs and elasticities).")] = Path(
        "../shared/data/cp2015"
    ),
    output: Annotated[Path | None, typer.Option(help="Where to write the world (default: the package's embedded worlds).")] = None,
    services_theta: Annotated[float, typer.Option(help="Trade elasticity of service sectors.")] = 5.0,
) -> None:
    """Derive a world from the World Input-Output Database; writes the .npz and its provenance."""
    from tradewar.world.library import embedded_path, save_world, write_provenance
    from tradewar.world.wiod import CHOICES, build_wiod_world

    if services_theta <= 0:
        _fail(ValueError(f"--services-theta must be positive, got {services_theta}"))
    target = output or embedded_path(f"wiod{year}")
    try:
        with console.status(f"Building WIOD {year} and solving its baseline equilibrium..."):
            world = build_wiod_world(source, cp2015, year, services_theta=services_theta)
    except (TradewarError, ValueError) as error:
        _fail(error)
    save_world(world, target)
    command = f"tradewar world build wiod --year {year} --source {source} --cp2015 {cp2015} --services-theta {services_theta}"
    write_provenance(world, target.with_suffix(".md"), choices=CHOICES, command=command)
    console.print(f"Wrote {target} ({target.stat().st_size / 1e6:.2f} MB) and {target.with_suffix('.md').name}; hash {world.hash}")


def main() -> None:  # pragma: no cover - console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
