"""Bad input gets a clear error that names the problem, never a traceback or a wrong answer."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.conftest import random_raw_world, random_world
from tradewar.errors import ShockError, WorldValidationError
from tradewar.model.counterfactual import simulate
from tradewar.world import World


def arrays(world: World) -> dict:
    return {
        "countries": world.countries,
        "sectors": world.sectors,
        "trade": world.trade.values.copy(),
        "tariff": world.tariff.values.copy(),
        "value_added_share": world.value_added_share.values.copy(),
        "input_share": world.input_share.values.copy(),
        "final_demand_share": world.final_demand_share.values.copy(),
        "trade_elasticity": world.trade_elasticity.values.copy(),
    }


@pytest.fixture
def raw():
    return arrays(random_raw_world(7, 3, 2))


def test_negative_flow_names_the_cell(raw):
    raw["trade"][1, 2, 0] = -5.0
    with pytest.raises(
        WorldValidationError, match=r"trade\[importer='C1', exporter='C2', sector='S0'\] = -5 is negative"
    ):
        World.from_arrays(**raw, require_equilibrium=False)


def test_nan_names_the_cell(raw):
    raw["final_demand_share"][2, 1] = np.nan
    with pytest.raises(WorldValidationError, match=r"final_demand_share\[country='C2', sector='S1'\].*not a finite"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_cost_shares_that_do_not_add_up(raw):
    raw["value_added_share"][0, 1] += 0.1
    with pytest.raises(WorldValidationError, match=r"country='C0', sector='S1'.*should be 1"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_final_demand_shares_that_do_not_add_up(raw):
    raw["final_demand_share"][1] *= 0.5
    with pytest.raises(WorldValidationError, match=r"sum of final_demand_share\[country='C1'\].*should be 1"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_tariff_at_minus_100_percent(raw):
    raw["tariff"][0, 1, 1] = -1.0
    with pytest.raises(WorldValidationError, match=r"tariff\[importer='C0', exporter='C1', sector='S1'\].*-100%"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_non_positive_elasticity(raw):
    raw["trade_elasticity"][1] = 0.0
    with pytest.raises(WorldValidationError, match=r"trade_elasticity\[sector='S1'\].*must be positive"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_wrong_shape(raw):
    raw["tariff"] = raw["tariff"][:, :, :1]
    with pytest.raises(WorldValidationError, match=r"tariff has shape \(3, 3, 1\).*need \(3, 3, 2\)"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_duplicate_labels(raw):
    raw["countries"] = ["C0", "C1", "C0"]
    with pytest.raises(WorldValidationError, match=r"Duplicate country labels: \['C0'\]"):
        World.from_arrays(**raw, require_equilibrium=False)


def test_mismatched_labels(raw):
    world = World.from_arrays(**raw, require_equilibrium=False)
    data = world.data.assign_coords(exporter=["C0", "C1", "X9"])
    with pytest.raises(WorldValidationError, match=r"exporter labels .* do not match the country labels"):
        World(data, require_equilibrium=False)


def test_raw_data_are_not_an_equilibrium(raw):
    with pytest.raises(WorldValidationError, match=r"Markets do not clear for country=.*World.balanced\(\)"):
        World.from_arrays(**raw)


def test_simulating_raw_data_is_refused(raw):
    world = World.from_arrays(**raw, require_equilibrium=False)
    with pytest.raises(ShockError, match=r"raw data, not a model equilibrium"):
        simulate(world)


@pytest.fixture(scope="module")
def world():
    return random_world(3, 3, 2)


def test_shock_tariff_below_minus_100_percent(world):
    tariff = world.tariff.values.copy()
    tariff[2, 0, 1] = -1.5
    with pytest.raises(ShockError, match=r"tariff\[importer='C2', exporter='C0', sector='S1'\] = -1.5.*above -1"):
        simulate(world, tariff=tariff)


def test_shock_with_nan(world):
    tariff = world.tariff.values.copy()
    tariff[0, 1, 0] = np.nan
    with pytest.raises(ShockError, match=r"tariff\[importer='C0', exporter='C1', sector='S0'\] is NaN"):
        simulate(world, tariff=tariff)


def test_shock_with_unknown_country(world):
    tariff = world.tariff.copy().assign_coords(importer=["C0", "C1", "ZZZ"])
    with pytest.raises(ShockError, match=r"unknown importer labels \['ZZZ'\]"):
        simulate(world, tariff=tariff)


def test_shock_with_missing_sector(world):
    tariff = world.tariff.isel(sector=[0])
    with pytest.raises(ShockError, match=r"lacks sector labels \['S1'\]"):
        simulate(world, tariff=tariff)


def test_shock_with_wrong_shape(world):
    with pytest.raises(ShockError, match=r"shape \(2, 2\)"):
        simulate(world, tariff=np.zeros((2, 2)))


def test_negative_trade_cost_change(world):
    change = np.ones(world.tariff.shape)
    change[1, 0, 0] = -2.0
    with pytest.raises(ShockError, match=r"trade_cost_change\[importer='C1', exporter='C0', sector='S0'\].*positive"):
        simulate(world, trade_cost_change=change)


def test_unfinanceable_deficits_are_a_clear_error():
    """A lopsided world (large surpluses) under steep tariffs has no equilibrium with fixed
    deficits: the surplus country would need negative income. The error says so and
    names the country instead of returning negative flows."""
    from tradewar.errors import NoEquilibriumError

    world = random_raw_world(3, 4, 1, lopsided=True).balanced()
    rng = np.random.default_rng(0)
    tariff = rng.uniform(0.0, 1.5, size=world.tariff.shape)
    tariff[np.arange(4), np.arange(4), :] = 0.0
    with pytest.raises(NoEquilibriumError, match=r"C1 would need negative income.*deficits='zero'"):
        simulate(world, tariff=tariff)
    assert simulate(world, tariff=tariff, deficits="zero").solver.residual < 1e-9


def test_unknown_deficit_rule(world):
    with pytest.raises(ShockError, match="deficits must be 'fixed' or 'zero'"):
        simulate(world, deficits="floating")


def test_labelled_tariffs_in_any_order_are_aligned(world):
    """A labelled shock given in another label order means the same shock."""
    tariff = world.tariff.copy() + 0.1
    tariff.values[np.arange(3), np.arange(3), :] = 0.0
    shuffled = tariff.isel(importer=[2, 0, 1], sector=[1, 0]).transpose("sector", "exporter", "importer")
    a = simulate(world, tariff=tariff)
    b = simulate(world, tariff=shuffled)
    xr.testing.assert_allclose(a.data["welfare"], b.data["welfare"])
