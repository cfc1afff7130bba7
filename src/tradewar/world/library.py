"""Named worlds: the embedded default, worlds built from shared data, and world files."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tradewar.errors import DataNotFoundError, WorldValidationError
from tradewar.world.world import World

__all__ = [
    "DEFAULT_WORLD",
    "RECENT_FROM",
    "RECENT_WORLD",
    "default_world_for",
    "embedded_path",
    "load_world",
    "read_world_file",
    "save_world",
    "world_names",
    "write_provenance",
]

DEFAULT_WORLD = "wiod2011"
# Scenarios dated from this day on default to the 2022 world, whose baseline holds the 2018-19
# measures (issue 13 item 7); earlier ones to WIOD 2011, the fully observed world.
RECENT_WORLD, RECENT_FROM = "icio2022", date(2023, 1, 1)


def default_world_for(day: date | None) -> str:
    """The default world of a scenario dated ``day``: icio2022 from 2023 on, else wiod2011."""
    return RECENT_WORLD if day is not None and day >= RECENT_FROM else DEFAULT_WORLD
VARIABLES = ("trade", "tariff", "value_added_share", "input_share", "final_demand_share", "trade_elasticity")


def embedded_path(name: str) -> Path:
    """Where an embedded world file lives inside the installed package."""
    return Path(str(resources.files("tradewar") / "data" / "worlds" / f"{name}.npz"))


def world_names() -> list[str]:
    """Embedded worlds plus those tradewar can build from reference data."""
    folder = embedded_path(DEFAULT_WORLD).parent
    embedded = sorted(p.stem for p in folder.glob("*.npz")) if folder.is_dir() else []
    return embedded + [name for name in ("cp2015",) if name not in embedded]


def save_world(world: World, path: Path | str) -> Path:
    """Write a world to a compressed ``.npz`` file (labels, arrays, attributes as JSON)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    attrs = {key: (value.item() if hasattr(value, "item") else value) for key, value in world.data.attrs.items()}
    arrays: dict[str, Any] = {name: world.data[name].values for name in (*VARIABLES, "export_tax")
                              if name in world.data}
    np.savez_compressed(
        path,
        countries=np.array(world.countries),
        sectors=np.array(world.sectors),
        attrs=np.array(json.dumps(attrs)),
        **arrays,
    )
    return path


def write_provenance(
    world: World,
    path: Path | str,
    *,
    choices: list[str],
    command: str,
    script: str = "tools.worlds.wiod.build_wiod_world",
) -> Path:
    """Write the Markdown provenance note that sits beside a built world file."""
    path = Path(path)
    attrs = world.data.attrs
    lines = [
        f"# World `{world.name}`: provenance",
        "",
        f"- File: `{path.with_suffix('.npz').name}` ({len(world.countries)} regions x {len(world.sectors)} sectors, "
        f"{attrs.get('units', 'USD millions')}), content hash `{world.hash}`",
        f"- Source: {attrs.get('source', 'unknown')}",
        f"- Year: {attrs.get('year', 'unknown')}",
        f"- Citation: {attrs.get('citation', 'unknown')}",
        f"- Tariffs: {attrs.get('tariffs', 'as in the source')}",
        f"- Built by: `{command}` (script: `{script}`)",
        "",
        "## Choices made in deriving the model's inputs",
        "",
        *[f"{k}. {choice}" for k, choice in enumerate(choices, start=1)],
        "",
        "## Regions",
        "",
        ", ".join(world.countries),
        "",
        "## Sectors",
        "",
        *_sector_lines(world),
        "",
    ]
    path.write_text("\n".join(lines))
    return path


def _sector_lines(world: World) -> list[str]:
    codes = str(world.data.attrs.get("sector_codes", "")).split(",")
    if len(codes) == len(world.sectors):
        return [f"- `{code}`: {sector} (trade elasticity {theta:.2f})" for code, sector, theta in
                zip(codes, world.sectors, world.trade_elasticity.values, strict=True)]
    return [", ".join(world.sectors)]


def read_world_file(path: Path | str) -> World:
    """Read a world written by :func:`save_world`; it is validated as it loads."""
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"World file {path} not found.")
    what = f"{path} is not a tradewar world file (an .npz written by `tradewar world build` or save_world)"
    try:
        stored = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        # np.load's own message suggests allow_pickle=True, which would run code from the file: never.
        raise WorldValidationError(f"{what}: it cannot be read as one ({type(error).__name__}).") from None
    if not isinstance(stored, np.lib.npyio.NpzFile):
        raise WorldValidationError(f"{what}: it holds a single array, not a world's arrays.")
    with stored:
        needed = [name for name in (*VARIABLES, "attrs", "countries", "sectors") if name not in stored.files]
        if needed:
            raise WorldValidationError(f"{what}: it lacks {', '.join(needed)}.")
        try:
            arrays: dict[str, Any] = {name: stored[name] for name in (*VARIABLES, "export_tax") if name in stored.files}
            attrs = json.loads(str(stored["attrs"]))
            countries, sectors = list(stored["countries"]), list(stored["sectors"])
        except (ValueError, OSError, json.JSONDecodeError) as error:
            raise WorldValidationError(f"{what}: {error}") from None
    return World.from_arrays(countries=countries, sectors=sectors, **arrays, **attrs)


def load_world(name: str | Path = DEFAULT_WORLD) -> World:
    """Load a world by name or from a file.

    Parameters
    ----------
    name : str or Path
        An embedded world (``wiod2011``, the default; ``icio2022``), ``cp2015`` (the
        Caliendo-Parro 1993 world, from the reference data), or the path of a ``.npz``
        world file.

    Returns
    -------
    World
        The checked world, a model equilibrium.

    Raises
    ------
    DataNotFoundError
        The name is neither an embedded world nor a file (the message lists the worlds).
    """
    candidate = Path(name)
    if candidate.suffix == ".npz":
        return read_world_file(candidate)
    name = str(name)
    if embedded_path(name).is_file():
        return read_world_file(embedded_path(name))
    if name == "cp2015":
        from tradewar.world.cp2015 import load_cp2015

        return load_cp2015()
    raise DataNotFoundError(
        f"Unknown world {name!r}. Available: {', '.join(world_names())}, or a path to a .npz world file."
    )
