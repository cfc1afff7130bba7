"""Nested CES input bundles: critical inputs against the rest of the bundle.

Cost: about 3 s in all (the rare-earth test solves the 42 x 36 default world three times,
about 0.2 s each; the rest are tiny worlds).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.conftest import random_world
from tradewar import load_world
from tradewar.errors import WorldValidationError
from tradewar.model import equations
from tradewar.model.caliendo_parro import solve_equilibrium
from tradewar.model.counterfactual import simulate
from tradewar.world.splits import apply_split


def _nested(baseline, critical, sigma):
    n, j = baseline.shape
    return replace(baseline, critical_inputs=tuple(critical), input_substitution=np.broadcast_to(sigma, (n, j)).copy())


def _shock(world, seed=0):
    rng = np.random.default_rng(seed)
    tariff = world.tariff.values + rng.uniform(0.0, 0.6, world.tariff.shape)
    n = len(world.countries)
    tariff[np.arange(n), np.arange(n), :] = 0.0
    return tariff


def test_sigma_one_through_the_ces_code_is_the_cobb_douglas_solution():
    """Identity (sigma = 1 is Cobb-Douglas): a baseline whose bundles run through the nested-CES
    code with sigma = 1 everywhere solves a tariff shock to the same wages, prices and
    expenditure as the Cobb-Douglas engine, to the solver's tolerance (1e-10; checked at 1e-9)."""
    world = random_world(3, 4, 3)
    baseline = world.baseline()
    tariff = _shock(world)
    ones = np.ones_like(tariff)
    plain = solve_equilibrium(baseline, tariff, ones, world.deficit.values)
    nested = solve_equilibrium(_nested(baseline, [1], 1.0), tariff, ones, world.deficit.values)
    np.testing.assert_allclose(nested.state, plain.state, rtol=0, atol=1e-9)
    np.testing.assert_allclose(nested.income, plain.income, rtol=1e-9)


def test_shares_exhaust_costs_and_leontief_is_the_closed_form_limit():
    """Identity: at any state the new value-added and input shares of every bundle sum to one.
    Closed form: with sigma -> 0 (1e-7) the unit cost is Leontief, c_hat = sum_m s_m P_hat_m +
    (1 - S) rest_hat (a share-weighted arithmetic mean), and the critical input's cost share is
    s_m P_hat_m / c_hat (its quantity per unit of output fixed); agreement to 1e-6."""
    world = random_world(5, 3, 4)
    rng = np.random.default_rng(1)
    n, j = 3, 4
    log_wage, log_price = rng.normal(0, 0.3, n), rng.normal(0, 0.5, (n, j))
    for sigma in (0.3, 2.5):
        economy = equations.economy_arrays(np, _nested(world.baseline(), [0, 2], sigma), np.ones((n, j)))
        _, bundles = equations.input_bundles(np, economy, log_wage, log_price)
        gamma = economy.input_share * bundles.rest_ratio[:, None, :]
        gamma += np.matmul(economy.critical_selector, bundles.critical_change)
        total = economy.value_added_share * bundles.rest_ratio + gamma.sum(axis=1)
        np.testing.assert_allclose(total, 1.0, atol=1e-12)
    economy = equations.economy_arrays(np, _nested(world.baseline(), [2], 1e-7), np.ones((n, j)))
    log_cost, bundles = equations.input_bundles(np, economy, log_wage, log_price)
    beta, gamma = economy.value_added_share, economy.input_share
    s = gamma[:, 2, :]
    cd = equations.unit_costs(np, economy, log_wage, log_price)
    rest = np.exp((cd - s * log_price[:, [2]]) / (1 - s))
    leontief = s * np.exp(log_price[:, [2]]) + (1 - s) * rest
    np.testing.assert_allclose(np.exp(log_cost), leontief, rtol=1e-6)
    new_share = s * bundles.rest_ratio + bundles.critical_change[:, 0, :]
    np.testing.assert_allclose(new_share, s * np.exp(log_price[:, [2]]) / leontief, rtol=1e-6)
    assert beta.shape == (n, j)


def test_low_substitution_deepens_the_rare_earth_ban():
    """Theory (monotone in sigma): with rare earths critical for U.S. machinery, electrical and
    optical equipment and transport equipment, a Chinese ban on rare-earth exports to the U.S.
    costs the U.S. more real income, and its transport-equipment output (revenue over unit cost)
    falls further, the lower the elasticity of substitution (sigma = 1: the Cobb-Douglas result)."""
    world = apply_split(load_world(), "rare-earths")
    ban = np.zeros(world.tariff.shape)
    usa, chn, k = world.countries.index("USA"), world.countries.index("CHN"), world.sectors.index("Rare earths")
    ban[usa, chn, k] = np.inf
    users = ["Machinery", "Electrical and optical", "Transport equipment"]
    welfare, output = [], []
    for sigma in (1.0, 0.5, 0.1):
        data = simulate(world.with_critical_inputs("Rare earths", sigma, users=users), export_tax=ban).data
        welfare.append(float(data["welfare"].sel(country="USA")))
        cell = {"country": "USA", "sector": "Transport equipment"}
        output.append(float(data["output"].sel(cell) / data["unit_cost"].sel(cell)))
    assert welfare[0] > welfare[1] > welfare[2]
    assert output[0] > output[1] > output[2]


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": "S1", "substitution": 0.0}, "must be a positive number"),
    ({"inputs": "S1", "substitution": -1.0}, "must be a positive number"),
    ({"inputs": "Unobtainium", "substitution": 0.1}, "Unknown critical input sectors"),
    ({"inputs": "S0", "substitution": 0.1, "users": ["Cars"]}, "Unknown user sectors"),
])
def test_bad_critical_inputs_are_clear_errors(kwargs, message):
    """Bad input: an elasticity <= 0 or unknown sectors are errors that say so."""
    world = random_world(1, 2, 2)
    with pytest.raises(WorldValidationError, match=message):
        world.with_critical_inputs(**kwargs)


def _rare_earth_ban():
    world = apply_split(load_world(), "rare-earths", horizon="short")
    ban = np.zeros(world.tariff.shape)
    ban[world.countries.index("USA"), world.countries.index("CHN"), world.sectors.index("Rare earths")] = np.inf
    return world, ban


def test_scarce_supply_raises_prices_outside_china_the_more_the_lower_eta():
    """Theory: with gross output outside China scarce (eta = inf, 2, then 0.2), the ban raises
    the unit cost of rare earths in Australia (a non-China producer: capacity's rent rises) and
    the U.S. price of rare earths, the more the lower eta; without a nest (eta = inf) the
    Australian unit cost moves by its wage and input prices only (a fraction of a percent)."""
    world, ban = _rare_earth_ban()
    world = world.with_scarce_supply("Rare earths", np.inf)  # constant cost everywhere (the file's eta undone)
    assert "capacity_share" in world.data and not np.any(world.data["capacity_share"].values > 0)
    constant = simulate(world, export_tax=ban).data
    cell = {"country": "AUS", "sector": "Rare earths"}
    us = {"country": "USA", "sector": "Rare earths"}
    costs, prices = [float(constant["unit_cost"].sel(cell))], [float(constant["price"].sel(us))]
    assert abs(costs[0] - 1) < 0.01
    for eta in (2.0, 0.2):
        data = simulate(world.with_scarce_supply("Rare earths", eta, exclude=["CHN"]), export_tax=ban).data
        costs.append(float(data["unit_cost"].sel(cell)))
        prices.append(float(data["price"].sel(us)))
        assert data.attrs.get("deficits", "fixed") == "fixed"
    assert costs[0] < costs[1] < costs[2]
    assert prices[0] < prices[1] < prices[2]


@pytest.mark.parametrize("eta", [0.0, -2.0, float("nan")])
def test_bad_supply_elasticity_is_a_clear_error(eta):
    """Bad input: a supply elasticity that is not positive is an error that says so and names the sector."""
    with pytest.raises(WorldValidationError, match=r"supply elasticity of a scarce sector \('S1'\) must be positive"):
        random_world(1, 2, 2).with_scarce_supply("S1", eta)


@pytest.mark.parametrize("share", [0.0, 1.0, 1.5])
def test_bad_capacity_share_is_a_clear_error(share):
    """Bad input: capacity's share of value added outside (0, 1) is an error that says so."""
    with pytest.raises(WorldValidationError, match="must be between 0 and 1"):
        random_world(1, 2, 2).with_scarce_supply("S1", 0.5, capacity_share=share)


def test_the_rare_earth_split_ships_critical_users_and_scarce_supply():
    """Data (the split file) and identities of with_scarce_supply: rare earths are critical for
    machinery, electrical and optical and transport equipment in every country, Cobb-Douglas
    elsewhere, with the run's horizon: sigma 0.1 short (after Boehm, Flaaen & Pandalai-Nayar
    2019), 0.41 medium, 0.8 long, long for a world with its own elasticities; capacity is scarce
    in every producer but China, with share phi = 0.4 beta of costs and elasticity of
    substitution rho = eta phi / (1 - phi) (eta 0.2 short, 2.33 medium); an unknown horizon is
    a clear error."""
    world = apply_split(load_world(), "rare-earths", horizon="short")
    sigma = world.data["input_substitution"].to_pandas()
    users = ["Machinery", "Electrical and optical", "Transport equipment"]
    assert (sigma[users] == 0.1).all().all()
    assert (sigma.drop(columns=users) == 1.0).all().all()
    assert world.data["critical_input"].sel(input="Rare earths") == 1
    capacity = world.data["capacity_share"].sel(sector="Rare earths").to_series()
    phi = 0.4 * world.value_added_share.sel(country="USA", sector="Rare earths").item()
    assert capacity["CHN"] == 0 and capacity["USA"] == pytest.approx(phi)
    rho = world.data["capacity_substitution"].sel(country="USA", sector="Rare earths").item()
    assert rho == pytest.approx(0.2 * phi / (1 - phi))
    medium = apply_split(load_world().with_elasticities("fontagne2022", "medium"), "rare-earths")
    assert float(medium.data["input_substitution"].sel(country="USA", sector="Machinery")) == 0.41
    rho = medium.data["capacity_substitution"].sel(country="USA", sector="Rare earths").item()
    assert rho == pytest.approx(2.33 * phi / (1 - phi))
    for long in (apply_split(load_world(), "rare-earths"), apply_split(load_world(), "rare-earths", horizon="long")):
        assert float(long.data["input_substitution"].sel(country="USA", sector="Machinery")) == 0.8
    with pytest.raises(WorldValidationError, match="no elasticity of substitution for the 'decade' horizon"):
        apply_split(load_world(), "rare-earths", horizon="decade")


def test_aggregation_keeps_critical_inputs_and_capacity():
    """Identity: merging countries into the compact regions keeps each region's elasticity when
    its members share one (0.1 for the users, 1 elsewhere), capacity's income (its share of
    costs times gross output, summed over members, to 1e-9) and its elasticity of substitution
    where the members share one eta and value-added share (the EU's members carry the Metals
    bundle of each; the mean is weighted by capacity income, so it lies within the members')."""
    world = apply_split(load_world(), "rare-earths", horizon="short")
    compact = world.aggregate(regions="compact")
    assert float(compact.data["critical_input"].sel(input="Rare earths")) == 1
    sigma = compact.data["input_substitution"]
    assert float(sigma.sel(country="ROW", sector="Machinery")) == pytest.approx(0.1)
    assert float(sigma.sel(country="ROW", sector="Metals")) == pytest.approx(1.0)

    def capacity_income(w):
        output = w.gross_output.sel(sector="Rare earths")
        return float((w.data["capacity_share"].sel(sector="Rare earths") * output).sum())

    assert capacity_income(compact) == pytest.approx(capacity_income(world), rel=1e-9)
    rho = world.data["capacity_substitution"].sel(sector="Rare earths").values
    nested = world.data["capacity_share"].sel(sector="Rare earths").values > 0
    merged = compact.data["capacity_substitution"].sel(sector="Rare earths", country="ROW").item()
    assert rho[nested].min() - 1e-12 <= merged <= rho[nested].max() + 1e-12
