"""One set of equilibrium equations for numpy (the solver) and JAX (the gradients).

The numpy solver evaluates the price index by precomputed weights times N x J powers
(falling back to log-sum-exp only on over/underflow); JAX always uses the shifted
log-sum-exp form. Agreement of the two on random worlds and shocks therefore checks
both the shared code path and the two price-index forms against each other.

Cost: about 10 s in all on a quiet machine: the JAX map is compiled once per world shape
(three shapes, about 1 s each), each example then takes milliseconds; the gradient test
compiles the adjoint once (about 3 s); the import check starts one interpreter (about 1 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import random_world
from tradewar.model import equations
from tradewar.model.caliendo_parro import _System, expenditure_scale
from tradewar.model.counterfactual import simulate
from tradewar.model.solver import SolverOptions

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=2**31 - 1)
# A few shapes only: JAX compiles its map once per shape.
sizes = st.sampled_from([(2, 1), (3, 2), (5, 4)])


def random_policy(world, seed: int, ban: bool):
    """New tariffs (0-150%), export taxes (0-50% on a third of the flows, one ban if asked)
    and iceberg trade-cost ratios (0.5-2) on foreign flows; domestic flows untouched."""
    rng = np.random.default_rng(seed)
    shape = world.tariff.shape
    foreign = ~np.eye(shape[0], dtype=bool)[:, :, None]
    tariff = np.where(foreign, rng.uniform(0.0, 1.5, size=shape), 0.0)
    export_tax = np.where(foreign & (rng.random(shape) < 1 / 3), rng.uniform(0.0, 0.5, size=shape), 0.0)
    if ban:
        export_tax[1, 0, 0] = np.inf
    cost = np.where(foreign, rng.uniform(0.5, 2.0, size=shape), 1.0)
    return tariff, export_tax, cost


@jax.jit
def jax_sweep_and_welfare(economy, tariff, export_tax, cost, deficit, state, income):
    """The shared equations on jax.numpy: the sweep's image of ``state`` and welfare there
    (compiled once per shape; call inside ``jax.enable_x64``)."""
    shock = equations.prepare_shock(jnp, economy, tariff, jnp.log(cost), deficit, export_tax, has_export_tax=True)
    return (equations.sweep(jnp, economy, shock, state),
            equations.welfare(jnp, economy, shock, state, income))


def on_jax(baseline, scale, tariff, export_tax, cost, deficit, state, income):
    with jax.enable_x64(True):
        economy = equations.economy_arrays(jnp, baseline, scale)
        image, welfare = jax_sweep_and_welfare(economy, *(jnp.asarray(a, dtype=jnp.float64) for a in (
            tariff, export_tax, cost, deficit, state, income)))
        return np.asarray(image), np.asarray(welfare)


def nested_bundles(baseline, seed: int):
    """The baseline with nested CES bundles: the last sector critical for all, sigma drawn
    from 0.05-3 with a quarter of the cells exactly 1 (Cobb-Douglas inside the CES code);
    and a fixed factor in the last sector of every country but the first (share of value
    added 0-0.9: scarce supply)."""
    rng = np.random.default_rng(seed)
    n, j = baseline.shape
    sigma = np.where(rng.random((n, j)) < 0.25, 1.0, rng.uniform(0.05, 3.0, (n, j)))
    fixed = np.zeros((n, j))
    fixed[1:, -1] = rng.uniform(0.0, 0.9, n - 1)
    return replace(baseline, critical_inputs=(j - 1,), input_substitution=sigma, fixed_factor_share=fixed)


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds, sparse=st.booleans(), ban=st.booleans(),
       taxed_baseline=st.booleans(), nested=st.booleans())
def test_numpy_and_jax_sweeps_agree(seed, size, shock_seed, sparse, ban, taxed_baseline, nested):
    """Identity: the numpy sweep (products form) and the JAX sweep (log-sum-exp form) map the
    same state to the same image, to 1e-12, for random worlds, tariffs, export taxes (bans
    included, in the baseline too), iceberg trade-cost changes and nested CES bundles (random
    elasticities for a critical input), at a state away from equilibrium. A third evaluation,
    numpy by log-sum-exp, agrees as well."""
    world = random_world(seed, *size, sparse=sparse)
    tariff, export_tax, cost = random_policy(world, shock_seed, ban and size[0] > 1)
    baseline = nested_bundles(world.baseline(), seed) if nested else world.baseline()
    rng = np.random.default_rng(shock_seed + 1)
    if taxed_baseline:  # taxes already in the baseline, changed by the shock
        baseline = replace(baseline, export_tax=np.where(export_tax > 0, rng.uniform(0.0, 0.3, tariff.shape), 0.0))
    deficit = world.deficit.values
    system = _System(baseline, tariff, cost, deficit, export_tax)
    n, j = baseline.shape
    state = system.pack(rng.normal(0.0, 0.1, n), rng.normal(0.0, 0.1, (n, j)),
                        baseline.expenditure * rng.uniform(0.8, 1.2, (n, j)), rng.normal(0.0, 0.1, (n, j)))
    log_cost, _ = equations.input_bundles(np, system.economy, *system.unpack(state)[:2],
                                          equations.unpack_rent(np, system.economy, state))
    _, flows = equations.price_block_products(np, system.economy, system.shock, log_cost)
    assert system.products and equations.products_are_finite(flows)  # the numpy side is the products form

    numpy_image = system.sweep(state)
    logsumexp_image = equations.sweep(np, system.economy, system.shock, state, equations.price_block_logsumexp)
    jax_image, _ = on_jax(baseline, system.scale, tariff, export_tax, cost, deficit, state, np.ones(n))
    np.testing.assert_allclose(jax_image, numpy_image, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(logsumexp_image, numpy_image, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(seed=seeds, size=sizes, shock_seed=seeds, sparse=st.booleans(), ban=st.booleans(), nested=st.booleans())
def test_jax_welfare_equals_the_solved_equilibrium(seed, size, shock_seed, sparse, ban, nested):
    """Identity: at the equilibrium the numpy solver finds for random tariffs, export taxes and
    trade-cost changes (no deficits, so that every shock has an equilibrium), with Cobb-Douglas
    or nested CES bundles (the last sector critical, random elasticities), the JAX sweep
    moves nothing (residual below 10x the solver's tolerance of 1e-10) and the JAX welfare
    equals the result's welfare (1e-12)."""
    world = random_world(seed, *size, sparse=sparse).without_deficits()
    if nested:
        rng = np.random.default_rng(seed)
        world = world.with_critical_inputs(world.sectors[-1], float(rng.uniform(0.05, 3.0)),
                                           users=world.sectors[:1])
    # A ban only where other trade remains: banning a country's only export flow leaves its
    # relative wage undetermined (no unique equilibrium; the engine says so).
    tariff, export_tax, cost = random_policy(world, shock_seed, ban and size[0] > 2 and not sparse)
    result = simulate(world, tariff=tariff, export_tax=export_tax, trade_cost_change=cost)
    baseline = world.baseline()
    # The state vector the engine solved, rebuilt from the result (same layout as Equilibrium.state).
    scale = expenditure_scale(baseline)
    d = result.data
    state = np.concatenate([np.log(d["wage"].values), np.log(d["price"].values).ravel(),
                            (d["expenditure_new"].values / scale).ravel()])
    image, welfare = on_jax(baseline, scale, tariff, export_tax, cost, world.deficit.values, state,
                            world.income.values)
    assert np.max(np.abs(image - state)) < 1e-9
    np.testing.assert_allclose(welfare, d["welfare"].values, rtol=1e-12, atol=1e-12)


def test_trade_cost_gradient_is_exact():
    """Identity: the adjoint gradient of welfare with respect to iceberg trade costs (which the
    JAX map ignored before it shared the numpy equations) equals a central finite difference
    of welfare solved with a tight tolerance (agreement to 1e-8), with tariffs and an export
    tax in force."""
    from tradewar.strategy.differentiable import DifferentiableEquilibrium

    world = random_world(4, 3, 2)
    baseline = world.baseline()
    options = SolverOptions(tol=1e-13)
    tariff = world.tariff.values + 0.1
    tariff[np.arange(3), np.arange(3), :] = 0
    export_tax = np.zeros_like(tariff)
    export_tax[2, 1, 0] = 0.2
    cost = np.ones_like(tariff)
    cost[0, 1, :] = 1.3
    model = DifferentiableEquilibrium(baseline, world.deficit.values, expenditure_scale(baseline),
                                      world.income.values)
    weights = np.array([0.0, 1.0, 0.0])

    def solved(cost_hat):
        return simulate(world, tariff=tariff, export_tax=export_tax, trade_cost_change=cost_hat,
                        options=options).data

    d = solved(cost)
    state = np.concatenate([np.log(d["wage"].values), np.log(d["price"].values).ravel(),
                            (d["expenditure_new"].values / expenditure_scale(baseline)).ravel()])
    assert model.residual(state, tariff, export_tax, cost) < 1e-11
    _, _, gradient = model.gradient(state, tariff, weights, export_tax=export_tax, with_export_tax=True,
                                    trade_cost_hat=cost, with_trade_cost=True)
    for cell in [(0, 1, 0), (1, 2, 1), (2, 0, 0)]:
        step = np.zeros_like(cost)
        step[cell] = 1e-5
        up, down = (solved(cost + sign * step)["welfare"].values[1] for sign in (1, -1))
        assert gradient[cell] == pytest.approx((up - down) / 2e-5, abs=1e-8)
    assert not jax.config.jax_enable_x64  # double precision stayed inside the module's calls


def test_the_model_layer_does_not_import_jax():
    """The forward engine runs without JAX: importing and solving loads no jax module."""
    code = ("import sys; from tests.conftest import random_world; from tradewar.model.counterfactual import simulate; "
            "simulate(random_world(1, 3, 2)); assert 'jax' not in sys.modules, 'jax imported'")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(root, "src"), root]))
    run = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
