"""Documented critical-product splits shipped with tradewar (``data/splits/*.toml``).

Each file names a parent sector, the child product, its world market value, its
producers' shares (with the source) and its trade elasticity; every number that is
an assumption says so in the file.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from tradewar.errors import DataNotFoundError, WorldValidationError
from tradewar.world.aggregate import EU27_2020
from tradewar.world.world import World

__all__ = ["split_names", "load_split", "apply_split"]


def _folder() -> Path:
    return Path(str(resources.files("tradewar") / "data" / "splits"))


def split_names() -> list[str]:
    """The shipped critical-product splits (``src/tradewar/data/splits/*.toml``), sorted."""
    return sorted(p.stem for p in _folder().glob("*.toml"))


def load_split(name: str) -> dict:
    """A split's definition (a built-in name or a .toml path)."""
    path = Path(name) if str(name).endswith(".toml") else _folder() / f"{name}.toml"
    if not path.is_file():
        raise DataNotFoundError(f"Unknown split {name!r}; built in: {', '.join(split_names())}, or a .toml file.")
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _shares_for(world: World, shares: dict[str, float]) -> dict[str, float]:
    """Producer shares keyed by the world's labels: missing countries go to their region."""
    mapped: dict[str, float] = {}
    for code, value in shares.items():
        if code in world.countries:
            label = code
        elif code in EU27_2020 and "EU27" in world.countries:
            label = "EU27"
        elif "ROW" in world.countries:
            label = "ROW"
        else:
            raise WorldValidationError(f"Producer {code!r} is not in the world and it has no ROW region to hold it.")
        mapped[label] = mapped.get(label, 0.0) + float(value)
    return mapped


def _on_world(spec: dict, world: World) -> dict:
    """The split's fields on ``world``: a ``[worlds.<name>]`` table replaces ``parent`` and
    ``producer_shares`` on worlds with other sectors or economies (matched by the world's
    ``sector_system`` attribute, else its name)."""
    system = str(world.data.attrs.get("sector_system") or world.name)
    return {**spec, **spec.get("worlds", {}).get(system, {})}


def apply_split(world: World, name: str, horizon: str | None = None) -> World:
    """``world`` with a shipped critical product carved out of its parent sector.

    Where the split's file has a ``[critical_input]`` table, the product is also made a critical
    input of its users (nested CES bundles), and where it has ``[scarce_supply]``, its supply is
    scarce outside the countries named by ``exclude`` (a fixed factor).

    Parameters
    ----------
    world : World
        The world to split (detailed or aggregated; the file's shares are mapped onto its regions).
    name : str
        A shipped split, e.g. ``"rare-earths"``, ``"advanced-chips"`` (``src/tradewar/data/splits/``).
    horizon : {"short", "long"}, optional
        Which elasticity of substitution of the ``[critical_input]`` table to use (default: the file's).

    Returns
    -------
    World
        The split world; every identity of the original is preserved.
    """
    spec = _on_world(load_split(name), world)
    split = world.split_sector(
        spec["parent"],
        spec["child"],
        trade_elasticity=spec.get("trade_elasticity"),
        world_value=float(spec["world_value"]),
        producer_shares=_shares_for(world, spec["producer_shares"]),
        split_source=f"{spec['child']}: {spec.get('source', '')}",
    )
    horizon = horizon or spec.get("critical_input", {}).get("horizon", "short")
    critical = spec.get("critical_input")
    if critical:
        users = [user for user in critical.get("users", []) if user in split.sectors]
        sigma = _at_horizon(name, critical.get("substitution", {}), horizon, "elasticity of substitution")
        split = split.with_critical_inputs(spec["child"], sigma, users=users)
    scarce = spec.get("scarce_supply")
    if scarce:
        eta = _at_horizon(name, scarce.get("supply_elasticity", {}), horizon, "supply elasticity")
        exclude = [c for c in scarce.get("exclude", []) if c in split.countries]
        split = split.with_scarce_supply(spec["child"], eta, exclude=exclude)
    return split


def _at_horizon(name: str, values: dict, horizon: str, what: str) -> float:
    if horizon not in values:
        raise WorldValidationError(
            f"Split {name!r} gives no {what} for the {horizon!r} horizon; it has {sorted(values)}."
        )
    return float(values[horizon])
