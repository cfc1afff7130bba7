"""Scarce supply on gross output: a capacity factor nested CES above the variable bundle
(:func:`tradewar.model.equations.capacity_costs`, :func:`tradewar.world.critical.with_scarce_supply`).

Cost: about 15 s in the default profile on a shared 2-core machine (small random worlds solved
a few dozen times, the JAX sweep compiled once for a capacity world: about 7 s, a stiff wiod2011
ban: about 3 s, three scenario preparations: about 2 s); the exact-gradient check is ``slow``
(about 20 s more: the adjoint's compilation).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import random_world
from tradewar.errors import WorldValidationError
from tradewar.model.caliendo_parro import _System, expenditure_scale, solve_equilibrium
from tradewar.model.counterfactual import simulate
from tradewar.model.solver import SolverOptions

TIGHT = SolverOptions(tol=1e-13)


def _tariffs(world, level=0.3, seed=0):
    rng = np.random.default_rng(seed)
    n = len(world.countries)
    tariff = world.tariff.values + rng.uniform(0.0, level, world.tariff.shape)
    tariff[np.arange(n), np.arange(n), :] = 0.0
    return tariff


def test_infinite_eta_is_exactly_the_constant_cost_model():
    """Identity (eta = inf is no capacity nest): a world given infinite supply elasticities in a
    sector solves a tariff shock to the same state, welfare and output as the world without any
    capacity variable, to 1e-12; so does a nest in a sector that produces nothing (it earns nothing)."""
    world = random_world(3, 4, 3)
    tariff = _tariffs(world)
    plain = simulate(world, tariff=tariff)
    infinite = simulate(world.with_scarce_supply("S1", np.inf), tariff=tariff)
    assert "capacity_share" in infinite.baseline.data
    np.testing.assert_allclose(infinite.solver_state, plain.solver_state, rtol=0, atol=1e-12)
    for name in ("welfare", "output_new", "real_gdp", "nominal_gdp"):
        np.testing.assert_allclose(infinite[name].values, plain[name].values, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("eta", [0.2, 1.0, 4.0])
def test_gross_output_supply_elasticity_is_eta(eta):
    """Closed form: with capacity fixed, real output of the scarce sector moves as
    ``q_hat = (r_hat / c_hat)^rho`` exactly (1e-9), and to first order ``d log q = eta d log(c / v)``
    (output's supply elasticity with respect to its price over its variable cost is eta). One
    scarce sector (S1 in the first country), a small demand shift (every other country cuts
    its tariff on it by 1 point): the first-order relation holds to 3% of the response."""
    world = random_world(5, 3, 2).without_deficits().with_scarce_supply("S1", eta, countries=["C0"])
    tariff = world.tariff.values.copy()
    tariff[1:, 0, 1] -= 0.01
    data = simulate(world, tariff=tariff, options=TIGHT).data
    cell = {"country": "C0", "sector": "S1"}
    cost, variable = float(data["unit_cost"].sel(cell)), float(data["variable_cost"].sel(cell))
    quantity = float(data["output"].sel(cell)) / cost  # producer revenue over the producer price
    phi = float(world.data["capacity_share"].sel(cell))
    rho = float(world.data["capacity_substitution"].sel(cell))
    assert rho == pytest.approx(eta * phi / (1 - phi))
    assert np.log(quantity) == pytest.approx(rho * np.log(float(data["capacity_rent"].sel(cell)) / cost), abs=1e-9)
    assert abs(np.log(quantity)) > 1e-5  # the shift moved output
    assert np.log(quantity) == pytest.approx(eta * np.log(cost / variable), rel=0.03)
    # Elsewhere no nest: rents one, variable cost the unit cost.
    other = {"country": "C1", "sector": "S1"}
    assert float(data["capacity_rent"].sel(other)) == 1.0
    assert float(data["variable_cost"].sel(other)) == float(data["unit_cost"].sel(other))


def test_capacity_has_a_ceiling_below_rho_one():
    """Closed form: with rho < 1 output cannot exceed ``phi^(-rho / (1 - rho))`` of its baseline
    (the CES with a fixed factor as the variable bundle grows without bound). A prohibitive
    trade-cost rise on every rival of the scarce producer pushes its output towards, never
    past, the ceiling."""
    world = random_world(2, 3, 2).without_deficits().with_scarce_supply("S1", 0.3, countries=["C0"])
    phi = float(world.data["capacity_share"].sel(country="C0", sector="S1"))
    rho = float(world.data["capacity_substitution"].sel(country="C0", sector="S1"))
    ceiling = phi ** (-rho / (1 - rho))
    cost = np.ones(world.tariff.shape)
    cost[:, 1:, 1] = 50.0  # rivals' S1 sales (and their own) 50 times dearer
    cost[np.arange(3), np.arange(3), 1] = np.where(np.arange(3) == 0, 1.0, 50.0)
    data = simulate(world, trade_cost_change=cost).data
    cell = {"country": "C0", "sector": "S1"}
    quantity = float(data["output"].sel(cell)) / float(data["unit_cost"].sel(cell))
    assert 1.0 < quantity < ceiling


def test_income_counts_capacity_rents_and_accounts_close():
    """Identities after a tariff shock with a capacity nest (eta 0.5), short-run specific labour
    (s = 0.6) and a critical input (sigma 0.3), to 1e-10 of world value added: income = labour
    income + sector-specific rents + capacity's rent (phi Y r_hat) + tariff revenue + deficit;
    nominal GDP is those factor incomes over baseline value added; world spending = world sales
    + tariffs; the new world (moved cost shares, capacity's new share) is an equilibrium that a
    no-shock solve leaves where it is (welfare 1 to 1e-9)."""
    base = random_world(9, 4, 3).with_critical_inputs("S2", 0.3, users=["S0", "S1"])
    n, j = 4, 3
    world = base.replace(specific_labour_share=np.full((n, j), 0.6)).with_scarce_supply("S2", 0.5, exclude=["C0"])
    result = simulate(world, tariff=_tariffs(world, 0.5, seed=3), options=TIGHT)
    d = result.data
    scale = world.value_added.values.sum()
    output = world.gross_output.values
    phi = world.data["capacity_share"].values
    capacity_income = (phi * output * d["capacity_rent"].values).sum(axis=1)
    value_added = world.value_added_share.values * output
    labour = value_added - phi * output
    tied = 0.6 * labour
    wage_hat = np.exp(result.solver_state[:n])  # the national wage of mobile labour
    labour_income = wage_hat * (labour - tied).sum(axis=1) + (d["sector_wage"].values * tied).sum(axis=1)
    factor_income = labour_income + capacity_income
    np.testing.assert_allclose(d["nominal_gdp"].values * value_added.sum(axis=1), factor_income, atol=1e-10 * scale)
    np.testing.assert_allclose(d["income_new"].values,
                               factor_income + d["tariff_revenue_new"].values + d["deficit_new"].values,
                               atol=1e-10 * scale)
    np.testing.assert_allclose(d["expenditure_new"].sum().item(),
                               d["output_new"].sum().item() + d["tariff_revenue_new"].sum().item(), rtol=1e-10)
    moved = result.new_world()  # re-validates shares and market clearing
    assert float(moved.data["capacity_share"].sel(country="C1", sector="S2")) != pytest.approx(
        float(world.data["capacity_share"].sel(country="C1", sector="S2")), rel=1e-6)
    again = simulate(moved, tariff=moved.tariff.values)
    np.testing.assert_allclose(again["welfare"].values, 1.0, atol=1e-9)


def _jax_world():
    """Capacity nests (eta 0.3 in S2 outside C0, eta 3 in S1 of C2), specific labour (s = 0.5)
    and a critical input (S2 for S0, sigma 0.4) together, without deficits."""
    world = random_world(11, 3, 3).without_deficits().with_critical_inputs("S2", 0.4, users=["S0"])
    world = world.with_scarce_supply("S2", 0.3, exclude=["C0"]).with_scarce_supply("S1", 3.0, countries=["C2"])
    return world.replace(specific_labour_share=np.full((3, 3), 0.5))


def test_numpy_and_jax_agree_with_capacity():
    """Identity: away from equilibrium the numpy sweep (products form) and the compiled JAX sweep
    (log-sum-exp form, the one the talks differentiate) map the same state to the same image
    (1e-12) with capacity nests, specific labour and a critical input together; at the numpy
    equilibrium the JAX map moves nothing and its welfare equals the result's (1e-12).
    Cost: about 7 s (compiling the JAX sweep and welfare for this world)."""
    import jax
    import jax.numpy as jnp

    from tradewar.strategy.differentiable import DifferentiableEquilibrium, _sweep_jit, _welfare

    world = _jax_world()
    baseline = world.baseline()
    n, j = baseline.shape
    tariff = _tariffs(world, 0.4, seed=2)
    rng = np.random.default_rng(4)
    system = _System(baseline, tariff, np.ones_like(tariff), world.deficit.values)
    assert system.economy.capacity_share is not None and system.economy.fixed_share is not None
    state = system.pack(rng.normal(0, 0.1, n), rng.normal(0, 0.1, (n, j)),
                        baseline.expenditure * rng.uniform(0.8, 1.2, (n, j)), rng.normal(0, 0.1, (n, j)),
                        rng.normal(0, 0.3, (n, j)))
    model = DifferentiableEquilibrium(baseline, world.deficit.values, expenditure_scale(baseline), world.income.values)
    policy = model._policy(tariff, None, None)
    with jax.enable_x64(True):
        image = np.asarray(_sweep_jit(model.model, jnp.asarray(state), *policy))
    np.testing.assert_allclose(image, system.sweep(state), rtol=1e-12, atol=1e-12)
    solved = solve_equilibrium(baseline, tariff, np.ones_like(tariff), world.deficit.values, TIGHT)
    assert model.residual(solved.state, tariff) < 1e-11
    expected = simulate(world, tariff=tariff, options=TIGHT)["welfare"].values
    with jax.enable_x64(True):
        compiled = np.asarray(jax.jit(_welfare)(model.model, jnp.asarray(solved.state), *policy))
    np.testing.assert_allclose(compiled, expected, rtol=1e-12)
    np.testing.assert_allclose(model.welfare(solved.state, tariff), expected, rtol=1e-12)


@pytest.mark.slow
def test_gradients_are_exact_with_capacity():
    """Identity: with capacity nests, specific labour and a critical input, the adjoint tariff
    gradient of welfare equals a central finite difference of solved welfare (1e-7): the talks
    differentiate scarce supply exactly. Slow (about 20 s: compiling the adjoint for this world);
    the default profile checks the JAX sweep it differentiates (test above)."""
    from tradewar.strategy.differentiable import DifferentiableEquilibrium

    world = _jax_world()
    baseline = world.baseline()
    tariff = _tariffs(world, 0.4, seed=2)
    model = DifferentiableEquilibrium(baseline, world.deficit.values, expenditure_scale(baseline), world.income.values)
    solved = solve_equilibrium(baseline, tariff, np.ones_like(tariff), world.deficit.values, TIGHT)
    gradient = model.gradient(solved.state, tariff, np.array([0.0, 1.0, 0.0]))
    for cell in [(1, 0, 2), (0, 1, 2), (2, 1, 1)]:
        step = np.zeros_like(tariff)
        step[cell] = 1e-5
        up, down = (simulate(world, tariff=tariff + sign * step, options=TIGHT)["welfare"].values[1]
                    for sign in (1, -1))
        assert gradient[cell] == pytest.approx((up - down) / 2e-5, abs=1e-7)


def test_a_stiff_ban_solves_by_continuation():
    """The solver: the U.S. chip-tool ban with reach to Dutch and Japanese makers (the
    chip-tools-controls measures) at the short horizon leaves China's own capacity (eta 0.2)
    to serve near-Leontief users (sigma 0.1); the accelerated sweeps stall from the baseline
    (300 sweeps, checked when this test was written), and the continuation through more elastic
    capacity reaches the equilibrium (residual below 10x the tolerance of 1e-10), where China's
    capacity rent has risen and its users' real output has fallen. Cost: about 3 s."""
    from tradewar import load_world
    from tradewar.world.splits import apply_split

    world = apply_split(load_world().with_elasticities("fontagne2022", "short"), "chip-making-equipment")
    tools, china = "Chip-making equipment", world.countries.index("CHN")
    k = world.sectors.index(tools)
    ban = np.zeros(world.tariff.shape)
    ban[china, world.countries.index("USA"), k] = np.inf
    reach = np.ones(world.tariff.shape)
    reach[china, [world.countries.index("NLD"), world.countries.index("JPN")], k] = np.inf
    result = simulate(world, export_tax=ban, trade_cost_change=reach)
    assert result.solver.residual < 1e-9
    assert float(result["capacity_rent"].sel(country="CHN", sector=tools)) > 1.0
    users = result["output"].sel(country="CHN", sector="Electrical and optical") / result["unit_cost"].sel(
        country="CHN", sector="Electrical and optical")
    assert float(users) < 1.0


def test_a_capacity_share_beyond_value_added_is_refused():
    """Bad input: capacity's cost share is carved out of value added, so a share at or above the
    value-added share is an error that names the cell."""
    world = random_world(1, 2, 2)
    beta = world.value_added_share.values
    shares = np.zeros_like(beta)
    shares[0, 1] = beta[0, 1]
    with pytest.raises(WorldValidationError, match=r"capacity_share\[country='C0', sector='S1'\].*value-added share"):
        world.replace(capacity_share=shares, capacity_substitution=np.ones_like(beta))


def test_splits_follow_the_runs_horizon():
    """The scenario pipeline: rare-earth-ban names the short horizon (sigma 0.1 for the users,
    capacity's rho from eta 0.2); the same scenario at the medium horizon gets the split's
    medium values (0.41, eta 2.33), at the long one its long values (0.8, eta 5)."""
    from tradewar.simulation import ScenarioOverrides, prepare_scenario

    expected = {"short": (0.1, 0.2), "medium": (0.41, 2.33), "long": (0.8, 5.0)}
    for horizon, (sigma, eta) in expected.items():
        overrides = None if horizon == "short" else ScenarioOverrides(horizon=horizon)
        world = prepare_scenario("rare-earth-ban", overrides=overrides).world
        assert world.data.attrs["horizon"] == horizon
        assert float(world.data["input_substitution"].sel(country="DEU", sector="Machinery")) == sigma
        cell = {"country": "JPN", "sector": "Rare earths"}
        phi = float(world.data["capacity_share"].sel(cell))
        assert float(world.data["capacity_substitution"].sel(cell)) == pytest.approx(eta * phi / (1 - phi))
