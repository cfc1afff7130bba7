"""Sector-specific labour, the short-run closure (issue 14, item 3).

A share ``s`` of each sector's labour cannot leave it and earns a sector wage (the
rent of a factor fixed in the sector); the rest is mobile at the national wage. The
engine serves it with the fixed-factor block of :mod:`tradewar.model.equations`.

Cost: about 15 s in all on a shared 2-core machine (a dozen wiod2011 solves, two icio2022
solves, the JAX map compiled for two small shapes, a few hypothesis examples).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import random_world
from tradewar.errors import ElasticityError, WorldValidationError
from tradewar.model.caliendo_parro import expenditure_scale, solve_equilibrium
from tradewar.model.counterfactual import simulate
from tradewar.world.elasticities import SHORT_RUN_SPECIFIC_LABOUR, with_elasticities
from tradewar.world.library import load_world

SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
seeds = st.integers(min_value=0, max_value=2**31 - 1)


def _us_china(world, points=0.25):
    """U.S. and China raise tariffs on each other's goods by ``points``."""
    c = world.countries
    us, cn = c.index("USA"), c.index("CHN")
    goods = [world.sectors.index(s) for s in world.goods]
    tariff = world.tariff.values.copy()
    tariff[us, cn, goods] += points
    tariff[cn, us, goods] += points
    return tariff


def _with_specific_labour(world, share):
    return world.replace(specific_labour_share=np.full((len(world.countries), len(world.sectors)), share))


def _check_identities(world, result, share):
    """Identities of the specific-factors equilibrium, to 1e-10 of world value added:
    fixed deficits; income = factor income + tariff revenue + deficit; world spending =
    world sales + tariffs; the mobile wage bill is the numeraire; every sector's specific
    workers earn their fixed share of the sector's value added (``r_hat s beta Y = s beta Y'``)."""
    d = result.data
    scale = world.value_added.values.sum()
    new_world = result.new_world()  # re-validates market clearing
    np.testing.assert_allclose(new_world.deficit.values, world.deficit.values, atol=1e-10 * scale)
    value_added_old = (world.value_added_share.values * world.gross_output.values)
    value_added_new = world.value_added_share.values * d["output_new"].values
    factor_income = d["nominal_gdp"].values * value_added_old.sum(axis=1)
    np.testing.assert_allclose(factor_income, value_added_new.sum(axis=1), atol=1e-10 * scale)
    np.testing.assert_allclose(d["income_new"].values,
                               factor_income + d["tariff_revenue_new"].values + d["deficit_new"].values,
                               atol=1e-10 * scale)
    np.testing.assert_allclose(d["expenditure_new"].sum().item(),
                               d["output_new"].sum().item() + d["tariff_revenue_new"].sum().item(), rtol=1e-10)
    # Mobile labour's new income: all labour income less what the tied workers earn.
    tied_income = (d["sector_wage"].values * share * value_added_old).sum(axis=1)
    mobile_income = d["wage"].values * value_added_old.sum(axis=1) - tied_income
    np.testing.assert_allclose(mobile_income.sum(), ((1 - share) * value_added_old).sum(), rtol=1e-10)
    produced = value_added_old > 0
    np.testing.assert_allclose((d["sector_wage"].values * share * value_added_old)[produced],
                               (share * value_added_new)[produced], atol=1e-10 * scale)


@pytest.mark.parametrize("world_name", ["wiod2011", "icio2022"])
def test_short_run_identities_on_both_shipped_worlds(world_name):
    """Identities (see ``_check_identities``) to 1e-10 after U.S.-China +25 points on goods,
    on each shipped world at the short horizon (cp2015 set, s = 0.9 by default)."""
    world = with_elasticities(load_world(world_name), "cp2015", "short")
    assert world.data.attrs["labour"] == "sector-specific"
    share = SHORT_RUN_SPECIFIC_LABOUR
    np.testing.assert_array_equal(world.data["specific_labour_share"].values, share)
    _check_identities(world, simulate(world, tariff=_us_china(world)), share)


@SETTINGS
@given(seed=seeds, shock_seed=seeds, size=st.sampled_from([(2, 2), (3, 2), (4, 3)]), share=st.floats(0.05, 0.95))
def test_identities_on_random_worlds(seed, shock_seed, size, share):
    """The same identities on random worlds and tariffs (0-50%, fixed deficits) for any s in (0, 1)."""
    world = _with_specific_labour(random_world(seed, *size), share)
    rng = np.random.default_rng(shock_seed)
    tariff = np.where(~np.eye(size[0], dtype=bool)[:, :, None], rng.uniform(0, 0.5, world.tariff.shape), 0.0)
    _check_identities(world, simulate(world, tariff=tariff), share)


def test_short_run_converges_to_long_run_as_labour_becomes_mobile():
    """Limit: as the specific share s -> 0 every result tends to the mobile-labour (one-factor)
    solution at the same elasticities, and the gap shrinks in proportion to s (a factor of
    about 100 for each factor of 100 in s), far below the short-run effect itself."""
    world = with_elasticities(load_world(), "cp2015", "short", labour="mobile")
    tariff = _us_china(world)
    mobile = simulate(world, tariff=tariff).data
    fields = ("welfare", "real_wage", "real_gdp", "nominal_gdp", "price_index")

    def gap(share):
        d = simulate(_with_specific_labour(world, share), tariff=tariff).data
        return max(float(np.abs(d[f].values - mobile[f].values).max()) for f in fields)

    gaps = [gap(s) for s in (0.9, 1e-2, 1e-4, 1e-6)]
    assert gaps[0] > 1e-4  # tying labour to sectors matters at s = 0.9
    for bigger, smaller in zip(gaps[1:], gaps[2:], strict=False):
        assert smaller < 0.05 * bigger
    assert gaps[-1] < 1e-8


def test_one_sector_world_is_unchanged_by_specific_labour():
    """Identity: with one sector there is nowhere to move, so tying labour to it changes no
    real outcome (welfare, real wage) and the sector wage is the national wage."""
    world = random_world(3, 4, 1)
    tariff = world.tariff.values + 0.2
    tariff[np.arange(4), np.arange(4), :] = 0
    mobile = simulate(world, tariff=tariff).data
    tied = simulate(_with_specific_labour(world, 0.9), tariff=tariff).data
    for name in ("welfare", "real_wage", "price_index", "wage"):
        np.testing.assert_allclose(tied[name].values, mobile[name].values, rtol=1e-9)
    np.testing.assert_allclose(tied["sector_wage"].values[:, 0], mobile["wage"].values, rtol=1e-9)


def test_sector_wages_follow_sector_output_in_the_short_run():
    """Specific factors (Jones 1971): the workers tied to a sector gain where its value added
    rises and lose where it falls. With Cobb-Douglas bundles the sector wage change equals
    the change of the sector's revenue, so U.S. sector wages rank exactly as U.S. output;
    and their spread is far wider than under mobile labour (where it is zero)."""
    world = with_elasticities(load_world(), "cp2015", "short")
    d = simulate(world, tariff=_us_china(world)).data
    us = d.sel(country="USA")
    produced = us["output_baseline"].values > 0
    np.testing.assert_allclose(us["sector_wage"].values[produced], us["output"].values[produced], rtol=1e-9)
    assert float(us["real_sector_wage"].max() - us["real_sector_wage"].min()) > 0.01


def test_jax_agrees_and_gradients_are_exact_with_specific_labour():
    """Identity: the JAX map moves nothing at the equilibrium the numpy solver found with
    specific labour (s = 0.7), its welfare equals the result's (1e-12), and the adjoint
    tariff gradient equals a central finite difference of solved welfare (1e-7): the war
    and negotiation searches differentiate the short run exactly."""
    from tradewar.model.solver import SolverOptions
    from tradewar.strategy.differentiable import DifferentiableEquilibrium

    world = _with_specific_labour(random_world(7, 3, 3).without_deficits(), 0.7)
    baseline = world.baseline()
    assert baseline.specific_labour_share is not None
    tariff = world.tariff.values + 0.15
    tariff[np.arange(3), np.arange(3), :] = 0
    options = SolverOptions(tol=1e-13)
    model = DifferentiableEquilibrium(baseline, world.deficit.values, expenditure_scale(baseline),
                                      world.income.values)
    solved = solve_equilibrium(baseline, tariff, np.ones_like(tariff), world.deficit.values, options)
    assert model.residual(solved.state, tariff) < 1e-11
    np.testing.assert_allclose(model.welfare(solved.state, tariff),
                               simulate(world, tariff=tariff, options=options)["welfare"].values, rtol=1e-12)
    weights = np.array([1.0, 0.0, 0.0])
    gradient = model.gradient(solved.state, tariff, weights)
    for cell in [(0, 1, 0), (0, 2, 2), (1, 0, 1)]:
        step = np.zeros_like(tariff)
        step[cell] = 1e-5
        up, down = (simulate(world, tariff=tariff + sign * step, options=options)["welfare"].values[0]
                    for sign in (1, -1))
        assert gradient[cell] == pytest.approx((up - down) / 2e-5, abs=1e-7)


def test_numpy_and_jax_sweeps_agree_with_specific_labour_and_scarce_supply():
    """Identity: away from equilibrium, the numpy sweep (products form) and the JAX sweep map
    the same state to the same image (1e-12) when specific labour (s = 0.6) and a scarce fixed
    factor (f = 0.3 in the last sector) share the fixed-factor block."""
    import jax
    import jax.numpy as jnp

    from tradewar.model import equations
    from tradewar.model.caliendo_parro import _System

    world = random_world(11, 4, 3)
    n, j = 4, 3
    fixed = np.zeros((n, j))
    fixed[:, -1] = 0.3
    baseline = replace(world.baseline(), fixed_factor_share=fixed, specific_labour_share=np.full((n, j), 0.6))
    rng = np.random.default_rng(5)
    tariff = np.where(~np.eye(n, dtype=bool)[:, :, None], rng.uniform(0, 1, (n, n, j)), 0.0)
    system = _System(baseline, tariff, np.ones_like(tariff), world.deficit.values)
    tied = fixed + 0.6 * (1 - fixed)  # f + s (1 - f)
    np.testing.assert_allclose(system.economy.fixed_share, baseline.value_added_share * tied)
    state = system.pack(rng.normal(0, 0.1, n), rng.normal(0, 0.1, (n, j)),
                        baseline.expenditure * rng.uniform(0.8, 1.2, (n, j)), rng.normal(0, 0.1, (n, j)))
    with jax.enable_x64(True):
        economy = equations.economy_arrays(jnp, baseline, system.scale)
        shock = equations.prepare_shock(jnp, economy, jnp.asarray(tariff), None, jnp.asarray(world.deficit.values))
        image = np.asarray(equations.sweep(jnp, economy, shock, jnp.asarray(state)))
    np.testing.assert_allclose(image, system.sweep(state), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"labour": "sticky"}, "Unknown labour closure 'sticky'"),
    ({"labour": "sector-specific", "specific_share": 1.0}, r"must be in \[0, 1\)"),
    ({"labour": "sector-specific", "specific_share": -0.1}, r"must be in \[0, 1\)"),
    ({"labour": "sector-specific", "specific_share": "most"}, "must be a number"),
    ({"labour": "mobile", "specific_share": 0.5}, "needs labour='sector-specific'"),
])
def test_bad_labour_closures_are_clear_errors(kwargs, message):
    """Bad input: an unknown labour closure or a share outside [0, 1) is an ElasticityError naming it."""
    with pytest.raises(ElasticityError, match=message):
        with_elasticities(load_world(), "cp2015", "short", **kwargs)


def test_a_world_with_all_labour_tied_is_refused():
    """Bad input: a world variable s = 1 leaves no mobile labour (no numeraire): a clear error."""
    world = random_world(1, 2, 2)
    with pytest.raises(WorldValidationError, match="outside \\[0, 1\\)"):
        _with_specific_labour(world, 1.0)


def test_long_and_medium_keep_labour_mobile_and_short_can_be_made_mobile():
    """The documented defaults: labour mobile at long and medium horizons; at short, mobile on request
    (then the short run only scales elasticities) and a long world made from a short one is mobile again."""
    world = load_world()
    for horizon in ("long", "medium"):
        assert with_elasticities(world, "cp2015", horizon).data.attrs["labour"] == "mobile"
    short = with_elasticities(world, "cp2015", "short")
    back = with_elasticities(short, "cp2015", "long")
    assert back.data.attrs["labour"] == "mobile" and not back.data["specific_labour_share"].values.any()
    assert with_elasticities(world, "cp2015", "short", labour="mobile").data.attrs["labour"] == "mobile"


@pytest.mark.slow
def test_near_autarky_short_run_solves_through_the_nested_fallback():
    """Near autarky (every tariff +500 points, balanced trade) the joint iteration stalls at the
    short horizon; the nested fallback (rents, prices and spending solved for given national
    wages, the wages by MINPACK) finds the equilibrium, and its identities hold. Slow profile:
    about 8 s (the fallback's inner solves)."""
    world = with_elasticities(load_world(), "cp2015", "short").without_deficits()
    n = len(world.countries)
    tariff = world.tariff.values + 5.0
    tariff[np.arange(n), np.arange(n), :] = 0
    result = simulate(world, tariff=tariff)
    assert result.solver.iterations > 300  # the fast sweeps alone did not get there
    _check_identities(world, result, SHORT_RUN_SPECIFIC_LABOUR)
    assert (result["welfare"].values < 1).all()  # near autarky every country loses
