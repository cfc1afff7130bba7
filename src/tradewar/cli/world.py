"""``tradewar world``: list, describe and build worlds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tradewar.cli.common import console, fail
from tradewar.errors import TradewarError

world_app = typer.Typer(help="List, describe and build worlds (baseline economies).", no_args_is_help=True)
build_app = typer.Typer(help="Build a world from raw reference data.", no_args_is_help=True)
world_app.add_typer(build_app, name="build")


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
        fail(error)
    info = describe_world(world, top=top)
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    console.print(f"[bold]{info['name']}[/]: {len(info['regions'])} regions x {len(info['sectors'])} sectors, "
                  f"year {info['year']}, hash {info['hash']}")
    console.print(f"Source: {info['source']}\nCitation: {info['citation']}")
    if info.get('tariffs'):
        dated = f" (policy date {info['policy_date']})" if info.get("policy_date") else ""
        console.print(f"Tariffs: {info['tariffs']}{dated}")
    console.print(
        f"International trade {info['total_trade_usd_mn']:,.0f}, gross output {info['gross_output_usd_mn']:,.0f}, "
        f"value added {info['value_added_usd_mn']:,.0f} (USD millions)"
    )
    console.print("Regions: " + ", ".join(info["regions"]))
    console.print("Sectors: " + ", ".join(info["sectors"]))
    table = Table(title="Largest bilateral flows (all sectors, USD millions)")
    for column in ("Exporter", "Importer", "Flow", "Mean tariff"):
        table.add_column(column, justify="right" if column in ("Flow", "Mean tariff") else "left")
    for flow in info["largest_flows"]:
        table.add_row(flow["exporter"], flow["importer"], f"{flow['usd_mn']:,.0f}", f"{flow['tariff_pct']:.2f}%")
    console.print(table)


def checkout_root() -> Path | None:
    """The repository checkout whose ``tools/`` holds the builders, or None (an installed package alone).

    Looked for beside the imported package (``src/tradewar`` in a checkout, as with an editable
    install or ``PYTHONPATH=src``), then in the working directory and its parents.
    """
    import tradewar

    package_root = Path(tradewar.__file__).resolve().parents[2]
    for base in (package_root, Path.cwd(), *Path.cwd().parents):
        if (base / "tools" / "worlds" / "__init__.py").is_file() and (base / "src" / "tradewar").is_dir():
            return base
    return None


def load_builder(module: str):
    """Import ``tools.<module>`` from the checkout; a clear error when there is no checkout.

    The builders read raw reference data and are not installed with the package (the
    wheel holds only what they derived), so building needs the repository.
    """
    import importlib
    import sys

    root = checkout_root()
    if root is None:
        fail(ValueError(
            "Building worlds needs a checkout of the tradewar repository: its builders live in the "
            "repository's tools/ folder, which is not installed with the package. Run this command "
            "from (or below) the checkout's root."
        ))
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return root, importlib.import_module(f"tools.{module}")


@build_app.command("wiod")
def build_wiod(
    year: Annotated[int, typer.Option(help="WIOD year: 1995, 2000, 2005, 2008 or 2011.")] = 2011,
    source: Annotated[Path, typer.Option(help="Folder with WIOD's wiot_YYYY.npz files.")] = Path(
        "../shared/data/wiod2013"
    ),
    cp2015: Annotated[Path, typer.Option(help="Folder with the CP2015 files (for tariffs and elasticities).")] = Path(
        "../shared/data/cp2015"
    ),
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write the world (default: the checkout's src/tradewar/data/worlds/wiodYEAR.npz)."),
    ] = None,
    services_theta: Annotated[float, typer.Option(help="Trade elasticity of service sectors.")] = 5.0,
) -> None:
    """Derive a world from the World Input-Output Database; writes the .npz and its provenance.

    Needs a checkout of the repository (the builder is ``tools/worlds/wiod.py``). Without
    ``--output`` it writes into the checkout's source tree, never into an installed package.
    """
    from tradewar.world.library import save_world, write_provenance

    if services_theta <= 0:
        fail(ValueError(f"--services-theta must be positive, got {services_theta}"))
    root, wiod = load_builder("worlds.wiod")
    target = output or root / "src" / "tradewar" / "data" / "worlds" / f"wiod{year}.npz"
    try:
        with console.status(f"Building WIOD {year} and solving its baseline equilibrium..."):
            world = wiod.build_wiod_world(source, cp2015, year, services_theta=services_theta)
    except (TradewarError, ValueError) as error:
        fail(error)
    save_world(world, target)
    command = (
        f"tradewar world build wiod --year {year} --source {source} --cp2015 {cp2015} --services-theta {services_theta}"
    )
    write_provenance(world, target.with_suffix(".md"), choices=wiod.CHOICES, command=command)
    console.print(
        f"Wrote {target} ({target.stat().st_size / 1e6:.2f} MB) and {target.with_suffix('.md').name}; hash {world.hash}"
    )


@build_app.command("icio")
def build_icio(
    year: Annotated[int, typer.Option(help="ICIO year (the reference data hold 2022).")] = 2022,
    source: Annotated[
        Path | None, typer.Option(help="Folder with icio2022/, wiod2013/, cp2015/, concordance/.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Where to write the world (default: the checkout's src/tradewar/data/worlds/icio2022.npz)."),
    ] = None,
) -> None:
    """Derive ``icio2022`` from the OECD ICIO tables.

    Needs a checkout of the repository (the builder is ``tools/worlds/icio2022.py``). Without
    ``--output`` it writes into the checkout's source tree, never into an installed package.
    """
    if year != 2022:
        fail(ValueError(f"The reference data hold OECD ICIO for 2022 only, not {year}."))
    root, builder = load_builder("worlds.icio2022")
    if output is None:
        output = root / "src" / "tradewar" / "data" / "worlds" / "icio2022.npz"
    shared = source or builder.default_shared()
    try:
        with console.status("Building ICIO 2022, imputing final demand and solving its baseline equilibrium..."):
            world = builder.build_icio_world(shared)
            notes = builder.backtest_markdown(Path(shared) / "wiod2013")
    except (TradewarError, ValueError, builder.fd.SourceError) as error:
        fail(error)
    target = builder.write(
        world, output, backtest=notes, command=f"tradewar world build icio --year {year} --source {shared}"
    )
    console.print(
        f"Wrote {target} ({target.stat().st_size / 1e6:.2f} MB) and {target.with_suffix('.md').name}; hash {world.hash}"
    )
