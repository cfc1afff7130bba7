"""Aggregation of countries into regions and sectors into groups, for every world.

Flows add up; tariffs are averaged with trade weights (so tariff revenue and
spending at buyer prices are unchanged); cost shares are averaged with gross
output weights and final-demand shares with income weights, so that every
accounting identity of the original world holds for the aggregate. Trade
elasticities are averaged with international-trade weights, an approximation:
a group of goods with different elasticities has no exact single one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tradewar.errors import WorldValidationError
from tradewar.world.regions import EU27_2020
from tradewar.world.world import World

__all__ = ["aggregate", "aggregate_policy", "REGION_GROUPINGS", "SECTOR_GROUPINGS", "EU27_2020"]

COMPACT = ("USA", "CHN", "EU27", "GBR", "JPN", "KOR", "TWN", "IND", "CAN", "MEX", "BRA", "RUS", "VNM", "ASEAN", "ROW")
# ASEAN members other than Vietnam (which the compact grouping keeps on its own: the 2025 trade diverted to it).
ASEAN = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA")


def _eu27(country: str) -> str:
    return "EU27" if country in EU27_2020 else country


def _compact(labels: Sequence[str]) -> list[str]:
    """The compact regions. Worlds with Vietnam (icio2022) also get VNM and an ASEAN group; worlds
    without it (wiod2011, whose only ASEAN member is Indonesia) keep their 13 regions, IDN in ROW."""
    detailed = "VNM" in labels
    groups = []
    for country in labels:
        region = _eu27(country)
        if detailed and country in ASEAN:
            region = "ASEAN"
        groups.append(region if region in COMPACT and (detailed or region not in ("VNM", "ASEAN")) else "ROW")
    return groups


# Each named grouping maps the whole list of labels to their groups (the compact one looks at the list).
REGION_GROUPINGS: dict[str, Callable[[Sequence[str]], list[str]]] = {
    "eu27": lambda countries: [_eu27(country) for country in countries],
    "compact": _compact,
}

_BROAD = {
    "Agriculture": "Agriculture",
    "Mining": "Mining and energy",
    "Petroleum": "Mining and energy",
    "Food": "Food, textiles and light manufacturing",
    "Textiles": "Food, textiles and light manufacturing",
    "Leather": "Food, textiles and light manufacturing",
    "Wood": "Food, textiles and light manufacturing",
    "Paper": "Food, textiles and light manufacturing",
    "Manufacturing nec": "Food, textiles and light manufacturing",
    "Chemicals": "Chemicals and materials",
    "Rubber and plastics": "Chemicals and materials",
    "Minerals": "Chemicals and materials",
    "Metals": "Metals",
    "Machinery": "Machinery",
    "Electrical and optical": "Electrical and optical",
    "Transport equipment": "Transport equipment",
    "Utilities": "Utilities and construction",
    "Construction": "Utilities and construction",
    "Motor vehicle trade": "Trade and transport",
    "Wholesale": "Trade and transport",
    "Retail": "Trade and transport",
    "Hotels and restaurants": "Trade and transport",
    "Inland transport": "Trade and transport",
    "Water transport": "Trade and transport",
    "Air transport": "Trade and transport",
    "Transport services": "Trade and transport",
    "Post and telecom": "Business and finance",
    "Finance": "Business and finance",
    "Real estate": "Business and finance",
    "Business services": "Business and finance",
    "Public administration": "Public and personal services",
    "Education": "Public and personal services",
    "Health": "Public and personal services",
    "Other services": "Public and personal services",
    "Private households": "Public and personal services",
    # ISIC Rev.4 sectors of icio2022 (labels shared with WIOD above map the same way).
    "Forestry": "Agriculture",
    "Fishing": "Agriculture",
    "Coal": "Mining and energy",
    "Oil and gas": "Mining and energy",
    "Metal ores": "Mining and energy",
    "Other mining": "Mining and energy",
    "Mining support": "Mining and energy",
    "Textiles and apparel": "Food, textiles and light manufacturing",
    "Paper and printing": "Food, textiles and light manufacturing",
    "Pharmaceuticals": "Chemicals and materials",
    "Iron and steel": "Metals",
    "Non-ferrous metals": "Metals",
    "Metal products": "Metals",
    "Computers and electronics": "Electrical and optical",
    "Electrical equipment": "Electrical and optical",
    "Motor vehicles": "Transport equipment",
    "Ships": "Transport equipment",
    "Other transport equipment": "Transport equipment",
    "Electricity and gas": "Utilities and construction",
    "Water and waste": "Utilities and construction",
    "Wholesale and retail": "Trade and transport",
    "Land transport": "Trade and transport",
    "Warehousing": "Trade and transport",
    "Postal services": "Trade and transport",
    "Publishing and broadcasting": "Business and finance",
    "Telecom": "Business and finance",
    "IT services": "Business and finance",
    "Professional services": "Business and finance",
    "Administrative services": "Business and finance",
    "Arts and recreation": "Public and personal services",
}

# Sectors the broad grouping does not know (a split-out critical product) stay on their own.
SECTOR_GROUPINGS: dict[str, Callable[[Sequence[str]], list[str]]] = {
    "broad": lambda sectors: [_BROAD.get(sector, sector) for sector in sectors],
}


def _grouping(
    labels: Sequence[str], spec, kind: str, named: dict[str, Callable[[Sequence[str]], list[str]]]
) -> list[str]:
    """The group of each label, from a grouping name, a {label: group} or {group: [labels]} map."""
    if spec is None:
        return list(labels)
    if isinstance(spec, str):
        if spec not in named:
            raise WorldValidationError(f"Unknown {kind} grouping {spec!r}; built in: {sorted(named)}.")
        return named[spec](list(labels))
    if isinstance(spec, Mapping):
        mapping = dict(spec)
        if mapping and all(isinstance(v, (list, tuple, set)) for v in mapping.values()):
            inverted = {}
            for group, members in mapping.items():
                for member in members:
                    if member in inverted:
                        raise WorldValidationError(f"{kind.capitalize()} {member!r} is in two groups.")
                    inverted[member] = group
            mapping = inverted
        unknown = sorted(set(mapping) - set(labels))
        if unknown:
            raise WorldValidationError(
                f"Unknown {kind} labels {unknown} in the grouping; the world has {list(labels)}."
            )
        return [str(mapping.get(label, label)) for label in labels]
    raise WorldValidationError(f"A {kind} grouping must be a name or a mapping, not {type(spec).__name__}.")


def _membership(groups: list[str], order: Sequence[str] = ()) -> tuple[list[str], np.ndarray]:
    """Group labels (those in ``order`` first, then by first appearance) and the 0/1 matrix."""
    present = set(groups)
    labels = [g for g in order if g in present]
    labels += [g for g in dict.fromkeys(groups) if g not in labels]
    matrix = np.zeros((len(labels), len(groups)))
    matrix[[labels.index(g) for g in groups], np.arange(len(groups))] = 1.0
    return labels, matrix


def _safe_divide(numerator, denominator, fallback):
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), fallback)


def _sum_bilateral(r: np.ndarray, s: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.einsum("an,bi,kj,nij->abk", r, r, s, values, optimize=True)


def _mean_bilateral(r: np.ndarray, s: np.ndarray, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of a bilateral rate within each aggregate cell (the plain mean where
    there is no weight). Weighting a tariff by flows keeps its revenue unchanged."""
    plain = _sum_bilateral(r, s, values) / _sum_bilateral(r, s, np.ones_like(values))
    return _safe_divide(_sum_bilateral(r, s, values * weights), _sum_bilateral(r, s, weights), plain)


def _memberships(world: World, regions, sectors) -> tuple[list[str], np.ndarray, list[str], np.ndarray, list[str]]:
    region_of = _grouping(world.countries, regions, "country", REGION_GROUPINGS)
    group_of = _grouping(world.sectors, sectors, "sector", SECTOR_GROUPINGS)
    region_labels, r = _membership(region_of, COMPACT)
    sector_labels, s = _membership(group_of, list(dict.fromkeys(_BROAD.values())))
    return region_labels, r, sector_labels, s, group_of


def aggregate_policy(world: World, values, kind: str, regions=None, sectors=None):
    """A tariff or export-tax tensor of ``world`` on the labels of ``world.aggregate(...)``.

    Policies are defined on the detailed world and averaged with the same trade weights
    as the world's own tariffs, so revenue is preserved. A ban (infinite export tax)
    must cover a whole aggregate cell: a partly banned region has no single tax.

    Parameters
    ----------
    world : World
        The detailed world.
    values : xarray.DataArray or numpy.ndarray
        (importer, exporter, sector) rates on the detailed world.
    kind : {"tariff", "export_tax"}
        Which policy (it sets the weights and the treatment of bans).
    regions, sectors : str or dict, optional
        A built-in grouping name (regions: ``"eu27"``, ``"compact"``; sectors: ``"broad"``),
        a ``{label: group}`` or a ``{group: [labels]}`` mapping (default: no grouping).

    Returns
    -------
    xarray.DataArray
        The rates on the aggregated labels (infinite where a whole cell is banned).

    Raises
    ------
    tradewar.errors.WorldValidationError
        If a ban covers only part of an aggregated cell, or a grouping is malformed.
    ValueError
        If ``kind`` is neither.
    """
    import xarray as xr

    region_labels, r, sector_labels, s, _ = _memberships(world, regions, sectors)
    array = np.asarray(values.values if isinstance(values, xr.DataArray) else values, dtype=float)
    trade = world.trade.values
    if kind == "tariff":
        aggregated = _mean_bilateral(r, s, array, trade * (1 + world.export_tax.values))
    elif kind in ("export_tax", "trade_cost"):
        # A trade-cost ratio d aggregates as the tax d - 1 would (trade-weighted).
        array = array - 1.0 if kind == "trade_cost" else array
        banned = np.isinf(array)
        finite = np.where(banned, 0.0, array)
        aggregated = _mean_bilateral(r, s, finite, trade)
        ban_count = _sum_bilateral(r, s, banned.astype(float))
        # A ban covers an aggregate cell when every member flow it leaves open is empty (a ban on
        # the Netherlands' chip tools covers the EU's when no other member sells any).
        open_trading = _sum_bilateral(r, s, (~banned & (trade > 0)).astype(float))
        if np.any((ban_count > 0) & (open_trading > 0)):
            raise WorldValidationError(
                "A ban covers only part of an aggregated region or sector group; solve on the detailed world, "
                "or aggregate so that the banned flows form whole cells."
            )
        aggregated = np.where(ban_count > 0, np.inf, aggregated)
        aggregated = aggregated + 1.0 if kind == "trade_cost" else aggregated
    else:
        raise ValueError(f"kind must be 'tariff', 'export_tax' or 'trade_cost', not {kind!r}")
    return xr.DataArray(
        aggregated,
        dims=("importer", "exporter", "sector"),
        coords={"importer": region_labels, "exporter": region_labels, "sector": sector_labels},
        name=kind,
    )


def aggregate(world: World, regions=None, sectors=None) -> World:
    """Merge countries into regions and sectors into groups, preserving every identity.

    ``regions``/``sectors`` are a built-in grouping name (regions: ``"eu27"``,
    ``"compact"``; sectors: ``"broad"``), a ``{label: group}`` mapping (labels not
    named keep their own group) or a ``{group: [labels]}`` mapping.

    Parameters
    ----------
    world : World
        The world.
    regions, sectors : str or dict, optional
        A built-in grouping name (regions: ``"eu27"``, ``"compact"``; sectors: ``"broad"``),
        a ``{label: group}`` or a ``{group: [labels]}`` mapping (default: no grouping).

    Returns
    -------
    World
        The aggregated world (flows summed, rates and shares weighted by trade and output).

    Raises
    ------
    tradewar.errors.WorldValidationError
        If a grouping is unknown or malformed, or the aggregated world fails its checks.
    """
    region_labels, r, sector_labels, s, group_of = _memberships(world, regions, sectors)

    trade = world.trade.values
    tariff = world.tariff.values
    output = world.gross_output.values
    income = world.income.values

    trade_agg = _sum_bilateral(r, s, trade)
    export_tax_agg = None
    if "export_tax" in world.data:
        export_tax_agg = _mean_bilateral(r, s, world.export_tax.values, trade)
    tariff_agg = _mean_bilateral(r, s, tariff, trade * (1 + world.export_tax.values))

    output_agg = np.einsum("an,kj,nj->ak", r, s, output)
    value_added_agg = np.einsum("an,kj,nj->ak", r, s, world.value_added_share.values * output)
    beta_agg = _safe_divide(value_added_agg, output_agg, 1.0)
    purchases = world.input_share.values * output[:, None, :]  # (country, input, sector)
    purchases_agg = np.einsum("an,lm,kj,nmj->alk", r, s, s, purchases, optimize=True)
    gamma_agg = _safe_divide(purchases_agg, output_agg[:, None, :], 0.0)
    # Empty groups (no output) get value-added share one, as in the builders.
    beta_agg = np.where(output_agg > 0, beta_agg, 1.0)

    final_agg = np.einsum("an,kj,nj->ak", r, s, world.final_demand_share.values * income[:, None])
    alpha_agg = final_agg / final_agg.sum(axis=1, keepdims=True)

    foreign = trade * (1 - np.eye(len(world.countries)))[:, :, None]
    weights = foreign.sum(axis=(0, 1))
    theta = world.trade_elasticity.values
    theta_agg = _safe_divide(s @ (theta * weights), s @ weights, (s @ theta) / s.sum(axis=1))

    attrs = dict(world.data.attrs)
    goods = set(world.goods)
    attrs["goods"] = "|".join(
        label
        for label in sector_labels
        if any(g in goods for g, grp in zip(world.sectors, group_of, strict=True) if grp == label)
    )
    attrs.pop("sector_codes", None)
    # Measures and splits written for a world's sectors still fit when only regions are grouped.
    if sectors is None:
        attrs["sector_system"] = str(attrs.get("sector_system") or world.name)
    else:
        attrs.pop("sector_system", None)
    attrs["name"] = f"{world.name} ({len(region_labels)} regions x {len(sector_labels)} sectors)"
    attrs["aggregation"] = (
        f"regions={regions if isinstance(regions, str) or regions is None else 'custom'}, "
        f"sectors={sectors if isinstance(sectors, str) or sectors is None else 'custom'}"
    )
    aggregated = World.from_arrays(
        countries=region_labels,
        sectors=sector_labels,
        trade=trade_agg,
        tariff=tariff_agg,
        value_added_share=beta_agg,
        input_share=gamma_agg,
        final_demand_share=alpha_agg,
        trade_elasticity=theta_agg,
        export_tax=export_tax_agg,
        require_equilibrium=world.is_equilibrium,
        **attrs,
    )
    return _with_bundles_and_factors(world, aggregated, r, s, output, output_agg, value_added_agg)


def _with_bundles_and_factors(world: World, aggregated: World, r, s, output, output_agg, value_added_agg) -> World:
    """Critical inputs, their elasticities and fixed factors carried to the aggregate.

    A group is a critical input when all its members are; a region-sector's elasticity of
    substitution is its members' output-weighted mean (exact when they share one, as the
    shipped splits do); a fixed factor's share is weighted by value added, so its income is kept.
    """
    variables: dict[str, Any] = {}
    if "critical_input" in world.data and "input_substitution" in world.data:
        flags = world.data["critical_input"].values
        members = s.sum(axis=1)
        variables["critical_input"] = np.where((s @ flags) == members, 1.0, 0.0)
        weighted = np.einsum("an,kj,nj->ak", r, s, world.data["input_substitution"].values * output)
        variables["input_substitution"] = _safe_divide(weighted, output_agg, 1.0)
    if "fixed_factor_share" in world.data:
        fixed_income = np.einsum("an,kj,nj->ak", r, s,
                                 world.data["fixed_factor_share"].values * world.value_added_share.values * output)
        variables["fixed_factor_share"] = _safe_divide(fixed_income, value_added_agg, 0.0)
    if "capacity_share" in world.data and "capacity_substitution" in world.data:
        # Capacity's income is kept; its elasticity is the capacity-income-weighted mean (exact when
        # members share one nest, e.g. one scarce sector in every member region).
        capacity_income = world.data["capacity_share"].values * output
        income_agg = np.einsum("an,kj,nj->ak", r, s, capacity_income)
        variables["capacity_share"] = _safe_divide(income_agg, output_agg, 0.0)
        weighted = np.einsum("an,kj,nj->ak", r, s, world.data["capacity_substitution"].values * capacity_income)
        variables["capacity_substitution"] = _safe_divide(weighted, income_agg, 1.0)
    if "specific_labour_share" in world.data:  # weighted by labour income (value added less fixed factors')
        fixed = world.data["fixed_factor_share"].values if "fixed_factor_share" in world.data else 0.0
        labour = (1.0 - fixed) * world.value_added_share.values * output
        specific = np.einsum("an,kj,nj->ak", r, s, world.data["specific_labour_share"].values * labour)
        variables["specific_labour_share"] = _safe_divide(specific, np.einsum("an,kj,nj->ak", r, s, labour), 0.0)
    return aggregated.replace(**variables) if variables else aggregated
