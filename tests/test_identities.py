"""Identities of the equilibrium that must hold for any world and any shock.

Worlds and shocks are drawn by hypothesis: random flows with home bias, tariffs,
input-output shares and elasticities, made consistent with ``World.balanced``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import random_world
from tradewar.errors import NoEquilibriumError
from tradewar.model.counterfactual import simulate

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(min_value=0, max_value=2**31 - 1)
sizes = st.tuples(st.integers(2, 6), st.integers(1, 5))


def random_tariffs(world, seed: int, top: float = 1.5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    tariff = rng.uniform(0.0, top, size=world.tariff.shape)
    n = len(world.countries)
    tariff[np.arange(n), np.arange(n), :] = 0.0
    return tariff


@SETTINGS
@given(seed=seeds, size=sizes, sparse=st.booleans())
def test_zero_shock_leaves_every_hat_at_one(seed, size, sparse):
    """Identity: with no shock the baseline is the equilibrium: every hat is 1."""
    world = random_world(seed, *size, sparse=sparse)
    result = simulate(world)
    d = result.data
    for name in ("wage", "price_index", "welfare", "real_wage", "price", "unit_cost"):
        np.testing.assert_allclose(d[name].values, 1.0, atol=1e-9, err_msg=name)
    np.testing.assert_allclose(d["trade_new"].values, d["trade_baseline"].values, rtol=1e-8, atol=1e-9)
    assert abs(d["terms_of_trade"]).max() < 1e-9 and abs(d["volume_of_trade"]).max() < 1e-9


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds, sparse=st.booleans(), deficits=st.sampled_from(["fixed", "zero"]))
def test_accounting_identities_after_a_shock(seed, size, shock_seed, sparse, deficits):
    """Identities after any tariff shock: trade shares sum to one; every country's trade
    balance equals its (fixed) deficit; world value added is the numeraire; world spending
    equals world sales plus tariffs (Walras' law); the new flows are an equilibrium
    (``World`` re-validates market clearing). Tariffs reach 150% without deficits; with
    fixed deficits they stop at 50%, since steeper ones can make a deficit unfinanceable
    (that case is a clear NoEquilibriumError, tested in test_bad_input)."""
    world = random_world(seed, *size, sparse=sparse)
    if deficits == "zero":
        world = world.without_deficits()
    result = simulate(world, tariff=random_tariffs(world, shock_seed, top=1.5 if deficits == "zero" else 0.5))
    d = result.data
    np.testing.assert_allclose(d["trade_shares_new"].sum("exporter").values, 1.0, atol=1e-12)
    new_world = result.new_world()  # raises if markets do not clear
    scale = world.value_added.values.sum()
    np.testing.assert_allclose(new_world.deficit.values, world.deficit.values, atol=1e-7 * scale)
    wage_bill = (d["wage"] * world.value_added).sum().item()
    np.testing.assert_allclose(wage_bill, scale, rtol=1e-10)
    spending = d["expenditure_new"].sum().item()
    sales_plus_tariffs = d["output_new"].sum().item() + d["tariff_revenue_new"].sum().item()
    np.testing.assert_allclose(spending, sales_plus_tariffs, rtol=1e-9)


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds, data=st.data())
def test_results_do_not_depend_on_the_order_of_countries_or_sectors(seed, size, shock_seed, data):
    """Identity: relabelling is not economics. Permuting countries and sectors permutes the
    results and changes nothing else."""
    world = random_world(seed, *size)
    # Fixed deficits: tariffs stop at 50%, as in the accounting test (steeper ones can make a
    # deficit unfinanceable, which the slow profile's 100 examples found in a 2 x 1 world).
    tariff = random_tariffs(world, shock_seed, top=0.5)
    n, j = len(world.countries), len(world.sectors)
    country_order = np.array(data.draw(st.permutations(range(n))))
    sector_order = np.array(data.draw(st.permutations(range(j))))
    permuted = world.replace(
        trade=world.trade.values[np.ix_(country_order, country_order, sector_order)],
        tariff=world.tariff.values[np.ix_(country_order, country_order, sector_order)],
        value_added_share=world.value_added_share.values[np.ix_(country_order, sector_order)],
        input_share=world.input_share.values[np.ix_(country_order, sector_order, sector_order)],
        final_demand_share=world.final_demand_share.values[np.ix_(country_order, sector_order)],
        trade_elasticity=world.trade_elasticity.values[sector_order],
    )
    permuted.data = permuted.data.assign_coords(
        importer=[world.countries[k] for k in country_order],
        exporter=[world.countries[k] for k in country_order],
        country=[world.countries[k] for k in country_order],
        sector=[world.sectors[k] for k in sector_order],
        input=[world.sectors[k] for k in sector_order],
    )
    permuted_tariff = tariff[np.ix_(country_order, country_order, sector_order)]
    try:
        original = simulate(world, tariff=tariff)
    except NoEquilibriumError:  # no equilibrium is a fact about the economy, not about its labels
        with pytest.raises(NoEquilibriumError):
            simulate(permuted, tariff=permuted_tariff)
        return
    reordered = simulate(permuted, tariff=permuted_tariff)
    for name in ("welfare", "real_wage", "terms_of_trade", "volume_of_trade"):
        np.testing.assert_allclose(
            reordered.data[name].sel(country=world.countries).values, original.data[name].values, atol=1e-9
        )
    np.testing.assert_allclose(
        reordered.data["price"].sel(country=world.countries, sector=world.sectors).values,
        original.data["price"].values,
        atol=1e-9,
    )


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds, factor=st.floats(0.01, 100.0))
def test_hats_do_not_depend_on_the_units_of_money(seed, size, shock_seed, factor):
    """Identity: the model is homogeneous of degree one in money; measuring every flow in
    other units leaves every change (hat) the same."""
    world = random_world(seed, *size)
    tariff = random_tariffs(world, shock_seed)
    scaled = world.replace(trade=world.trade.values * factor)
    a, b = simulate(world, tariff=tariff), simulate(scaled, tariff=tariff)
    for name in ("welfare", "wage", "price_index", "terms_of_trade", "volume_of_trade"):
        np.testing.assert_allclose(a.data[name].values, b.data[name].values, rtol=1e-8, atol=1e-10)


@SETTINGS
@given(seed=seeds, n_countries=st.integers(2, 6), shock_seed=seeds, io=st.booleans())
def test_one_sector_welfare_matches_the_closed_form(seed, n_countries, shock_seed, io):
    """Closed form (Arkolakis, Costinot & Rodriguez-Clare 2012, AER; CP2015 eq. 26 with
    one sector): with no tariffs and no deficits, the real wage changes by
    ``pi_nn_hat ** (-1 / (theta * beta))`` for any change in iceberg trade costs."""
    world = random_world(seed, n_countries, 1, tariffs=False, io=io).without_deficits()
    rng = np.random.default_rng(shock_seed)
    cost_change = rng.uniform(0.5, 2.0, size=world.tariff.shape)
    cost_change[np.arange(n_countries), np.arange(n_countries), :] = 1.0
    result = simulate(world, trade_cost_change=cost_change)
    d = result.data
    own_share_hat = np.einsum("nnj->n", d["trade_shares_new"].values) / np.einsum(
        "nnj->n", d["trade_shares_baseline"].values
    )
    theta = world.trade_elasticity.values[0]
    beta = world.value_added_share.values[:, 0]
    np.testing.assert_allclose(d["real_wage"].values, own_share_hat ** (-1 / (theta * beta)), rtol=1e-8)
    np.testing.assert_allclose(d["welfare"].values, d["real_wage"].values, rtol=1e-8)


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds)
def test_zero_deficit_world_is_an_equilibrium_without_deficits(seed, size, shock_seed):
    """Identity: ``without_deficits`` gives a world whose trade is balanced country by country."""
    world = random_world(seed, *size).without_deficits()
    assert np.abs(world.deficit.values).max() < 1e-8 * world.value_added.values.sum()
    assert world.is_equilibrium
