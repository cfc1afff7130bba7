"""Carving a small critical product out of a sector (rare earths out of mining, advanced
chips out of electrical equipment), every accounting identity preserved.

Two ways to say how big the child is and who makes it:

- ``output_share``: in each producing country the child is that share of its
  parent's output, and every flow of the parent from that country splits the same
  way (the child inherits its parent's trade pattern);
- ``world_value`` and ``producer_shares``: the child is a world market of that
  value (USD millions) supplied in those shares (e.g. USGS mine production), and
  every buyer sources it in those shares, in proportion to its spending on the
  parent (or, for the buyers named in ``buyer_values``, the purchases given there). A
  child flow takes at most ``max_cell_share`` of the parent's flow in the
  same cell (there must be a parent flow to carve from); value that does not fit is
  left in the parent and reported in the world's ``split_unplaced_usd_mn``
  attribute.

Each buyer's spending on the child is then a share of its spending on the parent. The child inherits its parent's cost
structure (value-added and input shares) and tariffs; as an input and as a final good it
replaces the parent in proportion to each buyer's spending on it, so market clearing
holds for both. Only its trade elasticity is its own (critical inputs are hard to
substitute across suppliers: a low theta).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tradewar.errors import WorldValidationError
from tradewar.world.world import World

__all__ = ["split_sector"]


def _output_shares(world: World, output_share) -> np.ndarray:
    countries = world.countries
    if isinstance(output_share, Mapping):
        unknown = sorted(set(output_share) - set(countries))
        if unknown:
            raise WorldValidationError(f"output_share names unknown countries {unknown}; the world has {countries}.")
        shares = np.array([float(output_share.get(c, 0.0)) for c in countries])
    else:
        shares = np.full(len(countries), float(output_share))
    bad = np.flatnonzero(~np.isfinite(shares) | (shares < 0) | (shares >= 1))
    if bad.size:
        raise WorldValidationError(
            f"output_share for {countries[bad[0]]!r} is {float(shares[bad[0]])!r}; a child takes a share in [0, 1) of "
            f"its "
            "parent's output."
        )
    return shares


def _demand_shares(world: World, parent_flows: np.ndarray, world_value: float,
                   buyer_values) -> tuple[np.ndarray, np.ndarray]:
    """Each buyer's share of the child's world market: its share of the parent's, except the
    buyers whose purchases are given (``buyer_values``, USD millions); the others share the rest
    in proportion to their spending on the parent."""
    demand = parent_flows.sum(axis=1) / parent_flows.sum()
    if not buyer_values:
        return demand, np.zeros(len(world.countries), dtype=bool)
    unknown = sorted(set(buyer_values) - set(world.countries))
    if unknown:
        raise WorldValidationError(f"buyer_values names unknown countries {unknown}; the world has {world.countries}.")
    pinned = np.zeros(len(world.countries), dtype=bool)
    given = np.zeros(len(world.countries))
    for country, value in buyer_values.items():
        value = float(value)
        if not (np.isfinite(value) and value >= 0):
            raise WorldValidationError(f"buyer_values for {country!r} must be a non-negative number of USD millions, "
                                       f"got {value!r}.")
        pinned[world.countries.index(country)] = True
        given[world.countries.index(country)] = value / world_value
    rest = 1.0 - given.sum()
    free = np.where(pinned, 0.0, demand)
    if rest < 0 or (rest > 0 and free.sum() <= 0):
        raise WorldValidationError(f"buyer_values add up to {given.sum() * world_value:,.0f} USD mn, more than the "
                                   f"world market of {world_value:,.0f} USD mn (or leave no buyer for the rest).")
    return given + free * (rest / free.sum() if free.sum() > 0 else 0.0), pinned


def _market_flows(world: World, p: int, world_value, producer_shares, max_cell_share,
                  buyer_values=None) -> tuple[np.ndarray, float]:
    """Child flows (importer, exporter) for a world market supplied in given shares."""
    if not (np.isfinite(world_value) and world_value > 0):
        raise WorldValidationError(f"world_value must be a positive number of USD millions, got {world_value!r}.")
    if not 0 < max_cell_share < 1:
        raise WorldValidationError(f"max_cell_share must be in (0, 1), got {max_cell_share!r}.")
    producer_shares = dict(producer_shares or {})
    unknown = sorted(set(producer_shares) - set(world.countries))
    if unknown:
        raise WorldValidationError(
            f"producer_shares names unknown countries {unknown}; the world has {world.countries}."
        )
    shares = np.array([float(producer_shares.get(c, 0.0)) for c in world.countries])
    if not np.all(np.isfinite(shares) & (shares >= 0)) or shares.sum() <= 0:
        raise WorldValidationError("producer_shares must be non-negative and give a positive share to some country.")
    supply = shares / shares.sum()
    parent_flows = world.trade.values[:, :, p]
    demand, pinned = _demand_shares(world, parent_flows, world_value, buyer_values)
    cap = max_cell_share * parent_flows
    # Each producer's sales go to buyers in proportion to their demand; where a cell is
    # full, the rest is spread over the producer's other buyers (water-filling), so the
    # producers' shares hold whenever their parent sales leave room.
    to_place = world_value * supply
    # A buyer whose purchases are given takes no more than its share of each producer's sales
    # (the spill-over of full cells goes to the other buyers).
    cap[pinned] = np.minimum(cap[pinned], demand[pinned, None] * to_place[None, :])
    placed = np.zeros_like(parent_flows)
    for _ in range(50):
        room = cap - placed
        open_cells = room > 1e-12 * world_value
        weights = demand[:, None] * open_cells
        totals = weights.sum(axis=0)
        remaining = to_place - placed.sum(axis=0)
        if np.all((remaining <= 1e-9 * world_value) | (totals <= 0)):
            break
        offer = np.divide(weights * remaining[None, :], totals[None, :], out=np.zeros_like(weights),
                          where=totals[None, :] > 0)
        placed += np.minimum(offer, room)
    return placed, float(world_value - placed.sum())


def split_sector(
    world: World,
    parent: str,
    child: str,
    output_share=None,
    trade_elasticity: float | None = None,
    *,
    world_value: float | None = None,
    producer_shares: Mapping[str, float] | None = None,
    max_cell_share: float = 0.5,
    buyer_values: Mapping[str, float] | None = None,
    **attrs,
) -> World:
    """A world with ``child`` carved out of ``parent``.

    Parameters
    ----------
    world : World
        The world to split.
    parent : str
        The sector the child is carved from.
    child : str
        The new sector's name (not already a sector).
    output_share
        The child's share of the parent's output in each producing country: a number
        for all, or ``{country: share}`` (countries not named produce none of it).
    trade_elasticity
        The child's theta; default: the parent's.
    world_value, producer_shares
        Instead of ``output_share``: the child's world market (USD millions) and each
        producer's share of it (shares of the named countries are renormalised to 1).
    max_cell_share
        With ``world_value``: the largest share of a parent flow the child may take.
    buyer_values
        With ``world_value``: purchases of the child by some buyers, USD millions (e.g. from
        customs data); the other buyers share the rest in proportion to their parent spending.
    **attrs
        Provenance to record in the world's attributes (e.g. ``split_source``).

    Returns
    -------
    World
        The world with ``child`` beside ``parent``.

    Raises
    ------
    tradewar.errors.WorldValidationError
        If the parent is unknown, the child exists, the size is missing or given twice, or a
        share or elasticity is out of range.
    """
    if parent not in world.sectors:
        raise WorldValidationError(f"Unknown parent sector {parent!r}; sectors are {world.sectors}.")
    if child in world.sectors:
        raise WorldValidationError(f"Sector {child!r} already exists in the world.")
    theta = world.trade_elasticity.sel(sector=parent).item() if trade_elasticity is None else float(trade_elasticity)
    if not theta > 0:
        raise WorldValidationError(f"The child's trade elasticity must be positive, got {theta!r}.")
    p = world.sectors.index(parent)
    trade = world.trade.values
    unplaced = 0.0
    if world_value is not None:
        if output_share is not None:
            raise WorldValidationError("Give either output_share or world_value with producer_shares, not both.")
        child_trade, unplaced = _market_flows(world, p, world_value, producer_shares, max_cell_share, buyer_values)
    else:
        if output_share is None:
            raise WorldValidationError("Say how big the child is: output_share, or world_value and producer_shares.")
        child_trade = trade[:, :, p] * _output_shares(world, output_share)[None, :]
    parent_trade = trade[:, :, p] - child_trade
    fob = 1.0 + world.export_tax.values[:, :, p]
    buyer_price = fob * (1.0 + world.tariff.values[:, :, p])
    spending = (trade[:, :, p] * buyer_price).sum(axis=1)
    child_spending = (child_trade * buyer_price).sum(axis=1)
    # Each buyer's share of its spending on the parent that now goes to the child.
    buyer_share = np.divide(child_spending, spending, out=np.zeros_like(spending), where=spending > 0)

    def append(array: np.ndarray, child_values: np.ndarray, axis: int) -> np.ndarray:
        return np.concatenate([array, np.expand_dims(child_values, axis)], axis=axis)

    new_trade = trade.copy()
    new_trade[:, :, p] = parent_trade
    new_trade = append(new_trade, child_trade, 2)
    tariff = append(world.tariff.values, world.tariff.values[:, :, p], 2)

    beta = append(world.value_added_share.values, world.value_added_share.values[:, p], 1)
    # Inputs: every user's purchases of the parent good split by its buyer share...
    gamma = world.input_share.values.copy()  # (country, input, sector)
    parent_input = gamma[:, p, :].copy()
    gamma[:, p, :] = parent_input * (1 - buyer_share)[:, None]
    gamma = append(gamma, parent_input * buyer_share[:, None], 1)
    # ...and the child is produced like its parent (its own column copies the parent's).
    gamma = append(gamma, gamma[:, :, p], 2)

    alpha = world.final_demand_share.values.copy()
    alpha_parent = alpha[:, p].copy()
    alpha[:, p] = alpha_parent * (1 - buyer_share)
    alpha = append(alpha, alpha_parent * buyer_share, 1)

    theta_all = np.append(world.trade_elasticity.values, theta)
    export_tax = (
        append(world.export_tax.values, world.export_tax.values[:, :, p], 2) if "export_tax" in world.data else None
    )

    new_attrs = dict(world.data.attrs)
    goods = set(world.goods)
    new_attrs["goods"] = "|".join([*[s for s in world.sectors if s in goods], *([child] if parent in goods else [])])
    new_attrs.pop("sector_codes", None)
    new_attrs["splits"] = "; ".join(filter(None, [str(new_attrs.get("splits", "")), f"{child} from {parent}"]))
    if world_value is not None:
        new_attrs["split_unplaced_usd_mn"] = float(unplaced)
    new_attrs.update(attrs)
    split = World.from_arrays(
        countries=world.countries,
        sectors=[*world.sectors, child],
        trade=new_trade,
        tariff=tariff,
        value_added_share=beta,
        input_share=gamma,
        final_demand_share=alpha,
        trade_elasticity=theta_all,
        export_tax=export_tax,
        require_equilibrium=world.is_equilibrium,
        **new_attrs,
    )
    # Settings an earlier split made (critical inputs, scarce supply) carry over: the child is not
    # a critical input and has no fixed factor (its own split sets those), and it is produced
    # with its parent's bundle, so it keeps its parent's elasticity of substitution.
    if "critical_input" in world.data:
        split = split.replace(critical_input=np.append(world.data["critical_input"].values, 0.0))
    if "input_substitution" in world.data:
        sigma = world.data["input_substitution"].values
        split = split.replace(input_substitution=append(sigma, sigma[:, p], 1))
    if "fixed_factor_share" in world.data:
        split = split.replace(fixed_factor_share=append(world.data["fixed_factor_share"].values,
                                                        np.zeros(len(world.countries)), 1))
    if "capacity_share" in world.data and "capacity_substitution" in world.data:
        split = split.replace(
            capacity_share=append(world.data["capacity_share"].values, np.zeros(len(world.countries)), 1),
            capacity_substitution=append(world.data["capacity_substitution"].values, np.ones(len(world.countries)), 1))
    return split
