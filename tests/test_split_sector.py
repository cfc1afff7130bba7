"""Carving critical products out of sectors."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import load_world, simulate
from tradewar.errors import WorldValidationError


@pytest.fixture(scope="module")
def world():
    return load_world().aggregate(regions="compact")


# The split identities (an equilibrium with hats at one; a uniform slice changes no result)
# run on both worlds in tests/test_world_identities.py.


def test_market_split_places_the_world_value_in_producer_shares(world):
    """A child defined by its world market: flows add up to the world value (nothing
    unplaced at this size) and the producers' shares are those given."""
    split = world.split_sector("Metals", "Magnets", world_value=20_000, producer_shares={"CHN": 0.9, "JPN": 0.1})
    assert split.data.attrs["split_unplaced_usd_mn"] == pytest.approx(0.0, abs=1e-6)
    flows = split.trade.sel(sector="Magnets")
    assert float(flows.sum()) == pytest.approx(20_000)
    by_origin = flows.sum("importer") / flows.sum()
    assert float(by_origin.sel(exporter="CHN")) == pytest.approx(0.9)
    assert split.is_equilibrium


def test_rare_earth_ban_hits_the_buyer(world):
    """A Chinese ban on rare-earth sales to the U.S. stops that flow and raises the U.S.
    price of rare earths by about the closed form of the Eaton-Kortum price index when
    the cheapest supplier drops out, ``(1 - pi_CHN) ** (-1 / theta)`` (other costs barely
    move in general equilibrium), and lowers U.S. welfare."""
    theta = 1.5
    split = world.split_sector("Metals", "Rare earths", trade_elasticity=theta, world_value=15_000,
                               producer_shares={"CHN": 0.7, "USA": 0.1, "ROW": 0.2})
    china_share = float(split.trade_shares.sel(importer="USA", exporter="CHN", sector="Rare earths"))
    assert china_share > 0.5
    tax = split.tariff.copy() * 0
    tax.loc[dict(importer="USA", exporter="CHN", sector="Rare earths")] = np.inf
    result = simulate(split, export_tax=tax)
    d = result.data
    assert float(d["trade_new"].sel(importer="USA", exporter="CHN", sector="Rare earths")) == 0.0
    price = float(d["price"].sel(country="USA", sector="Rare earths"))
    assert price == pytest.approx((1 - china_share) ** (-1 / theta), rel=0.01)
    assert float(d["welfare"].sel(country="USA")) < 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("Steel", "X", 0.1), "Unknown parent sector 'Steel'"),
        (("Mining", "Metals", 0.1), "Sector 'Metals' already exists"),
        (("Mining", "X", 1.0), "output_share for 'USA' is 1.0"),
        (("Mining", "X", {"MARS": 0.1}), r"unknown countries \['MARS'\]"),
        (("Mining", "X"), "Say how big the child is"),
    ],
)
def test_bad_splits(world, args, message):
    with pytest.raises(WorldValidationError, match=message):
        world.split_sector(*args)
