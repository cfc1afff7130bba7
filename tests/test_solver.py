"""The solver: large shocks converge, failures are clear, options are checked."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import needs_cp2015, random_world
from tradewar.errors import ConvergenceError
from tradewar.model.counterfactual import simulate
from tradewar.model.solver import SolverOptions


@pytest.fixture(scope="module")
def cp2015_world():
    from tradewar.world.cp2015 import load_cp2015

    return load_cp2015()


def bilateral_tariff(world, a: str, b: str, rate: float, sectors=slice(None)) -> np.ndarray:
    tariff = world.tariff.values.copy()
    i, j = world.countries.index(a), world.countries.index(b)
    tariff[i, j, sectors] = rate
    tariff[j, i, sectors] = rate
    return tariff


@needs_cp2015
@pytest.mark.parametrize("rate", [1.45, 10.0, 1000.0])
def test_us_china_war_converges(cp2015_world, rate):
    """145% (April 2025), 1000% (near-prohibitive) and 100,000% tariffs between the U.S. and
    China on all goods converge; the residual is reported and below tolerance; both lose
    (the U.S. terms-of-trade gain does not cover the lost trade at such rates)."""
    result = simulate(cp2015_world, tariff=bilateral_tariff(cp2015_world, "USA", "CHN", rate, slice(0, 20)))
    assert result.solver.residual < 1e-9
    welfare = result.data["welfare"]
    assert welfare.sel(country="CHN") < 1
    flows = result.data["trade_new"].sel(importer="USA", exporter="CHN").sum()
    baseline = result.data["trade_baseline"].sel(importer="USA", exporter="CHN").sum()
    assert flows < baseline * (1 + rate) ** -1


@needs_cp2015
@pytest.mark.slow  # a stress test: the hardest solve in the suite (minutes on a busy machine)
def test_prohibitive_tariffs_everywhere_converge_without_deficits(cp2015_world):
    """Every goods tariff at 1000% drives the world near autarky; the nested fallback
    solves it. Trade collapses for every country."""
    tariff = cp2015_world.tariff.values.copy()
    tariff[:, :, :20] = 10.0
    n = len(cp2015_world.countries)
    tariff[np.arange(n), np.arange(n), :] = 0.0
    result = simulate(cp2015_world, tariff=tariff, deficits="zero")
    assert result.solver.residual < 1e-9
    imports = result.data["imports_new"] / result.data["imports_baseline"]
    assert float(imports.max()) < 0.2


def test_large_random_shocks_converge():
    """Random tariffs up to 1000% on a random world converge."""
    world = random_world(11, 5, 4)
    rng = np.random.default_rng(1)
    tariff = rng.uniform(0, 10, size=world.tariff.shape)
    tariff[np.arange(5), np.arange(5), :] = 0
    result = simulate(world, tariff=tariff, deficits="zero")
    assert result.solver.residual < 1e-9


def test_non_convergence_is_a_clear_error():
    world = random_world(5, 3, 2)
    tariff = world.tariff.values + 0.5
    with pytest.raises(ConvergenceError, match="did not converge") as info:
        simulate(world, tariff=tariff, options=SolverOptions(max_iter=2, fast_sweeps=2))
    assert info.value.iterations >= 2
    assert np.isfinite(info.value.residual)
    assert info.value.history


@pytest.mark.parametrize(
    "kwargs, message",
    [({"tol": 0}, "tol must be positive"), ({"max_iter": 0}, "max_iter"), ({"damping": 1.5}, "damping"),
     ({"memory": -1}, "memory")],
)
def test_solver_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SolverOptions(**kwargs)


def test_anderson_solves_a_linear_fixed_point_exactly():
    """Closed form: for the affine contraction ``x = A x + b`` (spectral radius 0.95, as
    slow as the input-output loop) the fixed point is ``(I - A)^-1 b``; the accelerated
    solver reaches it to its tolerance, in far fewer sweeps than plain iteration would
    need (log(1e-10) / log(0.95), about 450). Cost: 0.1 s."""
    from tradewar.model.solver import solve_fixed_point

    rng = np.random.default_rng(0)
    size = 200
    basis, _ = np.linalg.qr(rng.normal(size=(size, size)))
    a = basis @ np.diag(rng.uniform(-0.5, 0.95, size)) @ basis.T
    b = rng.normal(size=size)
    fit = solve_fixed_point(lambda x: a @ x + b, np.zeros(size), SolverOptions(tol=1e-12))
    np.testing.assert_allclose(fit.x, np.linalg.solve(np.eye(size) - a, b), atol=1e-9)
    assert fit.iterations < 150


def test_the_log_sum_exp_fallback_solves_the_same_equilibrium(monkeypatch):
    """Identity: where the precomputed products over- or underflow the solver evaluates the
    price index by a shifted log-sum-exp instead; forcing that form on every sweep gives
    the same equilibrium (to 10x the tolerance of 1e-10), with tariffs, an export tax and a
    trade-cost change in force. (Realistic shocks rarely overflow: it takes a theta times log
    kappa beyond 709.) Cost: 0.2 s."""
    from tradewar.model import equations

    world = random_world(6, 4, 3)
    rng = np.random.default_rng(3)
    tariff = world.tariff.values + rng.uniform(0.0, 0.5, size=world.tariff.shape)
    tariff[np.arange(4), np.arange(4), :] = 0.0
    export_tax = np.zeros_like(tariff)
    export_tax[1, 2, 0] = 0.4
    cost = np.ones_like(tariff)
    cost[0, 3, :] = 0.7
    fast = simulate(world, tariff=tariff, export_tax=export_tax, trade_cost_change=cost)
    monkeypatch.setattr(equations, "products_are_finite", lambda flows: False)
    robust = simulate(world, tariff=tariff, export_tax=export_tax, trade_cost_change=cost)
    for name in ("welfare", "wage", "price", "expenditure_new", "tariff_revenue_new", "export_tax_revenue_new"):
        scale = max(1.0, float(np.abs(fast.data[name]).max()))
        np.testing.assert_allclose(robust.data[name].values, fast.data[name].values, atol=1e-9 * scale, err_msg=name)
