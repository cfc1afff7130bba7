"""Carving critical products out of sectors."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import load_world, simulate
from tradewar.errors import WorldValidationError


@pytest.fixture(scope="module")
def world():
    return load_world().aggregate(regions="compact")


def test_split_world_is_an_equilibrium_and_solves_with_hats_at_one(world):
    """Identity: splitting preserves every account (validated on construction) and the split
    world's baseline solves with every hat at one."""
    split = world.split_sector("Mining", "Rare earths", {"CHN": 0.02, "USA": 0.003}, trade_elasticity=1.5)
    assert split.is_equilibrium and split.sectors[-1] == "Rare earths" and "Rare earths" in split.goods
    result = simulate(split)
    np.testing.assert_allclose(result.data["wage"].values, 1.0, atol=1e-12)
    np.testing.assert_allclose(result.data["price"].values, 1.0, atol=1e-12)
    for total in ("value_added", "income", "tariff_revenue"):
        np.testing.assert_allclose(getattr(split, total).values, getattr(world, total).values, rtol=1e-12)
    np.testing.assert_allclose(split.gross_output.sel(sector=["Mining", "Rare earths"]).sum("sector").values,
                               world.gross_output.sel(sector="Mining").values, rtol=1e-12)


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


def test_uniform_split_with_the_parent_elasticity_changes_no_result(world):
    """Identity: a child that is a uniform slice of its parent, with the same theta, is the
    same good: a tariff shock on both gives exactly the unsplit welfare and wages."""
    split = world.split_sector("Metals", "Special metals", 0.1)
    tariff = world.tariff.copy()
    tariff.loc[dict(importer="USA", exporter="CHN", sector="Metals")] += 0.5
    split_tariff = split.tariff.copy()
    split_tariff.loc[dict(importer="USA", exporter="CHN", sector=["Metals", "Special metals"])] += 0.5
    a, b = simulate(world, tariff=tariff), simulate(split, tariff=split_tariff)
    np.testing.assert_allclose(b.data["welfare"].values, a.data["welfare"].values, atol=1e-9)
    np.testing.assert_allclose(b.data["wage"].values, a.data["wage"].values, atol=1e-9)


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
