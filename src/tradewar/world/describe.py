"""A world described in numbers: dimensions, totals, largest flows, provenance."""

from __future__ import annotations

import numpy as np

from tradewar.world.world import World

__all__ = ["describe_world"]


def describe_world(world: World, top: int = 10) -> dict:
    """A JSON-ready description; ``total_trade_usd_mn`` counts international flows only.

    Parameters
    ----------
    world : World
        The world.
    top : int, default 10
        How many of the largest international flows to list.

    Returns
    -------
    dict
        Name, regions, sectors, year, source, citation, totals (USD millions), hash, tariffs,
        policy date and the largest flows with their average tariff.
    """
    attrs = world.data.attrs
    flows = world.trade.values.sum(axis=2)
    foreign = flows * (1 - np.eye(len(world.countries)))
    revenue = (world.trade.values * world.tariff.values).sum(axis=2)
    order = np.argsort(foreign, axis=None)[::-1][: max(top, 0)]
    largest = []
    for flat in order:
        n, i = np.unravel_index(flat, foreign.shape)
        largest.append(
            {
                "exporter": world.countries[i],
                "importer": world.countries[n],
                "usd_mn": float(foreign[n, i]),
                "tariff_pct": float(100 * revenue[n, i] / foreign[n, i]) if foreign[n, i] > 0 else 0.0,
            }
        )
    year = attrs.get("year")
    return {
        "name": world.name,
        "regions": world.countries,
        "sectors": world.sectors,
        "year": int(year) if year is not None else None,
        "source": str(attrs.get("source", "")),
        "citation": str(attrs.get("citation", "")),
        "total_trade_usd_mn": float(foreign.sum()),
        "gross_output_usd_mn": float(world.gross_output.values.sum()),
        "value_added_usd_mn": float(world.value_added.values.sum()),
        "hash": world.hash,
        "tariffs": str(attrs.get("tariffs", "")),
        # The day whose measures the baseline tariffs hold (None: no trade-war measures in it).
        "policy_date": str(attrs["policy_date"]) if attrs.get("policy_date") else None,
        "largest_flows": largest,
    }
