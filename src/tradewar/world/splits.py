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
from tradewar.world.horizons import HORIZONS
from tradewar.world.world import World

__all__ = ["SPLIT_HORIZONS", "split_names", "load_split", "apply_split"]


def _folder() -> Path:
    return Path(str(resources.files("tradewar") / "data" / "splits"))


def split_names() -> list[str]:
    """The shipped critical-product splits (``src/tradewar/data/splits/*.toml``), sorted.

    Returns
    -------
    list of str
        Their names.
    """
    return sorted(p.stem for p in _folder().glob("*.toml"))


def load_split(name: str) -> dict:
    """A split's definition (a built-in name or a .toml path).

    Parameters
    ----------
    name : str
        A built-in split's name, or the path of a ``.toml`` file.

    Returns
    -------
    dict
        The checked TOML document.

    Raises
    ------
    tradewar.errors.DataNotFoundError
        If there is no such split.
    tradewar.errors.WorldValidationError
        If the file is not valid TOML or its definition is incomplete.
    """
    path = Path(name) if str(name).endswith(".toml") else _folder() / f"{name}.toml"
    if not path.is_file():
        raise DataNotFoundError(f"Unknown split {name!r}; built in: {', '.join(split_names())}, or a .toml file.")
    with open(path, "rb") as handle:
        try:
            spec = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise WorldValidationError(f"Split file {path} is not valid TOML: {error}.") from None
    _check_spec(str(name), spec)
    return spec


#: The horizons a split gives its elasticities for: every horizon a run can have.
SPLIT_HORIZONS = HORIZONS

#: Units in which a split's producer shares must add up to a known total (other units, e.g.
#: tonnes of ore, are amounts and are renormalised).
SHARE_TOTALS = {"percent": 100.0, "fraction": 1.0}


def _positive(value, infinite_ok: bool = False) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool) and value > 0
            and (infinite_ok or value != float("inf")))


def _check_spec(name: str, spec: dict) -> None:
    """Clear errors, in the file's own units, for a split that cannot be right."""
    for key in ("parent", "child"):
        if not isinstance(spec.get(key), str):
            raise WorldValidationError(f"Split {name!r} must name its {key} sector ({key} = \"...\").")
    if "trade_elasticity" in spec and not _positive(spec["trade_elasticity"]):
        raise WorldValidationError(f"Split {name!r}: trade_elasticity must be a positive number (the child's theta), "
                                   f"got {spec['trade_elasticity']!r}.")
    tables = [("producer_shares", spec.get("producer_shares"))] + [
        (f"worlds.{world}.producer_shares", table["producer_shares"])
        for world, table in spec.get("worlds", {}).items() if "producer_shares" in table]
    unit = spec.get("producer_shares_unit")
    for where, shares in tables:
        if shares is None:
            continue
        bad = {k: v for k, v in shares.items()
               if not (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < float("inf"))}
        if bad:
            raise WorldValidationError(f"Split {name!r}: [{where}] must be non-negative numbers, got {bad}.")
        # The main table must add up in a stated unit; a world's own table may leave out producers
        # that world lacks (said in the file), and is renormalised like amounts.
        if unit in SHARE_TOTALS and where == "producer_shares":
            total = sum(shares.values())
            if abs(total - SHARE_TOTALS[unit]) > 1e-3 * SHARE_TOTALS[unit]:
                listed = ", ".join(f"{k} {v:g}" for k, v in shares.items())
                raise WorldValidationError(
                    f"Split {name!r}: producer shares are in {unit} but add up to {total:g}, not "
                    f"{SHARE_TOTALS[unit]:g} ({listed}).")
    # A supply elasticity may be inf (constant cost); an elasticity of substitution may not. Each
    # table gives a value for every horizon a run can have (a run's splits follow its horizon).
    for table, key, what in (("critical_input", "substitution", "elasticity of substitution"),
                             ("scarce_supply", "supply_elasticity", "supply elasticity")):
        if table not in spec:
            continue
        values = spec[table].get(key)
        if not isinstance(values, dict):
            raise WorldValidationError(f"Split {name!r}: [{table}] needs a table [{table}.{key}] with the {what} "
                                       f"for each horizon ({', '.join(SPLIT_HORIZONS)}).")
        for horizon, value in values.items():
            if not _positive(value, infinite_ok=table == "scarce_supply"):
                raise WorldValidationError(
                    f"Split {name!r}: the {what} for the {horizon!r} horizon ([{table}.{key}]) must be a positive "
                    f"number, got {value!r}.")
        missing = [h for h in SPLIT_HORIZONS if h not in values]
        if missing:
            raise WorldValidationError(
                f"Split {name!r} gives no {what} for the {', '.join(map(repr, missing))} horizon"
                f"{'s' if len(missing) > 1 else ''} ([{table}.{key}] has {sorted(values)}; every run has one of "
                f"{', '.join(SPLIT_HORIZONS)}).")


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
    input of its users (nested CES bundles), and where it has ``[scarce_supply]``, its gross output
    is scarce outside the countries named by ``exclude`` (a capacity nest), each with the file's
    elasticity for the run's horizon.

    Parameters
    ----------
    world : World
        The world to split (detailed or aggregated; the file's shares are mapped onto its regions).
    name : str
        A shipped split, e.g. ``"rare-earths"``, ``"advanced-chips"`` (``src/tradewar/data/splits/``).
    horizon : {"short", "medium", "long"}, optional
        Which elasticities of the ``[critical_input]`` and ``[scarce_supply]`` tables to use
        (default: the world's horizon, recorded by
        :func:`~tradewar.world.elasticities.with_elasticities`; "long" for a world with its own
        elasticities, as the results label it).

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
        buyer_values={c: float(v) for c, v in spec.get("buyer_values", {}).items() if c in world.countries} or None,
        split_source=f"{spec['child']}: {spec.get('source', '')}",
    )
    horizon = horizon or world.data.attrs.get("horizon") or "long"
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
