"""Closures (tariff revenue rebated or lowering deficits) and GDP beside welfare.

Every number here is an identity of the model or a bound derived from it (each test
says which). Cost: about 4 s in all on one core (random worlds of 4 countries and
3 sectors; one JAX compilation, about 2 s).
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.conftest import random_raw_world, random_world
from tradewar.errors import ShockError
from tradewar.model import equations
from tradewar.model.caliendo_parro import _System, baseline_tariff_revenue
from tradewar.model.counterfactual import simulate


def foreign_tariff(world, points: float, importer: int = 0) -> np.ndarray:
    """The world's tariffs with ``importer``'s tariffs on every foreign good raised by ``points``."""
    tariff = world.tariff.values.copy()
    foreign = ~np.eye(len(world.countries), dtype=bool)
    tariff[importer, foreign[importer], :] += points
    return tariff


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_deficit_reduction_moves_deficits_by_the_revenue_change(seed):
    """Identity (the closure's definition, :func:`tradewar.model.equations.deficits_after`):
    with deficit reduction each country's new trade deficit, imports minus exports at producer
    prices as measured from the new flows, equals ``D - dT + s * sum(dT)``: the old deficit
    less its own change of tariff revenue, plus its value-added share ``s`` of the world's
    net change (so deficits still sum to zero). Tolerance 1e-6 of world value added: the
    solver's tolerance is 1e-10 on the scaled state."""
    world = random_world(seed, 4, 3)
    result = simulate(world, tariff=foreign_tariff(world, 0.2), revenue="deficit-reduction")
    d = result.data
    measured = d["imports_new"].values - d["exports_new"].values
    change = d["tariff_revenue_new"].values - d["tariff_revenue_baseline"].values
    share = world.value_added.values / world.value_added.values.sum()
    expected = world.deficit.values - change + share * change.sum()
    scale = world.value_added.values.sum()
    np.testing.assert_allclose(measured / scale, expected / scale, atol=1e-6)
    np.testing.assert_allclose(d["deficit_new"].values / scale, expected / scale, atol=1e-12)
    assert abs(measured.sum()) / scale < 1e-6  # world imports are world exports
    assert change[0] > 0 and measured[0] < world.deficit.values[0]  # the tariff-raiser's deficit falls


def test_rebate_keeps_deficits_and_is_the_default():
    """Identity: under the rebate closure (CP2015's, the default) every deficit stays at its
    baseline value, and the default equals ``revenue="rebate"`` bit for bit."""
    world = random_world(4, 4, 3)
    tariff = foreign_tariff(world, 0.2)
    default, rebate = simulate(world, tariff=tariff), simulate(world, tariff=tariff, revenue="rebate")
    assert default.data.identical(rebate.data)
    d = rebate.data
    scale = world.value_added.values.sum()
    np.testing.assert_allclose((d["imports_new"] - d["exports_new"]).values / scale,
                               world.deficit.values / scale, atol=1e-6)
    assert rebate.closure == {"revenue": "rebate", "deficits": "fixed"}


def test_closures_agree_when_revenue_does_not_change():
    """Identity: in a world without tariffs, tariff revenue is zero before and after an
    iceberg trade-cost shock, so both closures give the same equilibrium (1e-12)."""
    free = random_raw_world(5, 4, 3, tariffs=False).balanced()
    cost = np.ones_like(free.tariff.values)
    cost[0, 1, :] = 1.3
    one, two = (simulate(free, trade_cost_change=cost, revenue=r) for r in ("rebate", "deficit-reduction"))
    np.testing.assert_allclose(one.data["welfare"].values, two.data["welfare"].values, rtol=1e-12)


def test_unknown_revenue_closure_is_named():
    world = random_world(1, 3, 2)
    with pytest.raises(ShockError, match="revenue must be 'rebate' or 'deficit-reduction', not 'refund'"):
        simulate(world, revenue="refund")


def test_jax_evaluates_the_deficit_reduction_closure():
    """Identity: the shared equations on jax.numpy, with the deficit-reduction closure, leave
    the numpy solver's equilibrium in place (the sweep's image equals the state to 1e-9) and
    give the result's welfare (1e-10): the closure is one equation for both namespaces."""
    world = random_world(6, 4, 3)
    tariff = foreign_tariff(world, 0.3)
    result = simulate(world, tariff=tariff, revenue="deficit-reduction")
    baseline = world.baseline()
    system = _System(baseline, tariff, np.ones_like(tariff), world.deficit.values, None, "deficit-reduction")
    state = system.pack(np.log(result.data["wage"].values), np.log(result.data["price"].values),
                        result.data["expenditure_new"].values)
    with jax.enable_x64(True):
        economy = equations.economy_arrays(jnp, baseline, system.scale)
        shock = equations.prepare_shock(jnp, economy, jnp.asarray(tariff), None, jnp.asarray(world.deficit.values),
                                        tariff_revenue_baseline=baseline_tariff_revenue(baseline))
        image = np.asarray(equations.sweep(jnp, economy, shock, jnp.asarray(state)))
        welfare = np.asarray(equations.welfare(jnp, economy, shock, jnp.asarray(state),
                                               jnp.asarray(world.income.values)))
    np.testing.assert_allclose(image, state, atol=1e-9)
    np.testing.assert_allclose(welfare, result.data["welfare"].values, rtol=1e-10)


def test_real_gdp_moves_only_at_second_order():
    """Bound derived from the definition (double-deflated value added at baseline prices):
    its first-order change is ``sum_j beta Y (dlog Y - dlog w) / VA``, zero by labour-market
    clearing (``w VA = sum_j beta Y``), so in the one-factor model real GDP moves only through
    allocative, second-order effects. Hence (a) for a 1-point tariff it moves by far less
    than the first-order terms of trade (under a tenth), and (b) doubling a small shock
    multiplies its change by 4 (within 3.5-4.5: the third-order remainder is small at 0.5-1
    points)."""
    world = random_world(7, 4, 3)
    small, double = (simulate(world, tariff=foreign_tariff(world, points)) for points in (0.005, 0.01))
    gdp_small, gdp_double = (np.log(r.data["real_gdp"].values) for r in (small, double))
    terms = np.abs(double.data["terms_of_trade"].values)
    assert np.all(np.abs(gdp_double) < 0.1 * terms)
    ratio = gdp_double / gdp_small
    assert np.all((ratio > 3.5) & (ratio < 4.5)), ratio


def test_real_gdp_is_one_without_a_shock_and_nominal_gdp_is_the_wage():
    """Identities: no shock leaves real GDP at its baseline (1 to 1e-10); nominal GDP (value
    added at current prices, in units of world value added) moves with the wage, and its
    value-added-weighted mean is 1 (world value added is the numeraire)."""
    world = random_world(8, 4, 3)
    still = simulate(world)
    np.testing.assert_allclose(still.data["real_gdp"].values, 1.0, atol=1e-10)
    moved = simulate(world, tariff=foreign_tariff(world, 0.2))
    va = world.value_added.values
    assert np.isclose((moved.data["nominal_gdp"].values * va).sum() / va.sum(), 1.0, atol=1e-10)
    np.testing.assert_allclose(moved.data["nominal_gdp"].values, moved.data["wage"].values)


def test_country_table_has_both_welfare_measures():
    """Identity: ``welfare_first_order_pct`` (CP2015 eq. 28) is the sum of its terms-of-trade
    and volume-of-trade parts; ``welfare_pct`` is the exact change in real income."""
    world = random_world(9, 4, 3)
    table = simulate(world, tariff=foreign_tariff(world, 0.1)).country_table()
    np.testing.assert_allclose(table["welfare_first_order_pct"],
                               table["terms_of_trade_pct"] + table["volume_of_trade_pct"], atol=1e-12)
    assert {"welfare_pct", "real_gdp_pct", "nominal_gdp_pct", "real_wage_pct"} <= set(table.columns)


# -- chosen by name, recorded in every output --------------------------------------------------
def test_simulate_records_elasticities_horizon_and_closure():
    """``tradewar simulate --json`` solves under the named set, horizon and closure and says so;
    the identity of the closure holds on the shipped world (USA's deficit falls by its own
    revenue change less its value-added share of the world's, to 1e-3 of world value added).
    Cost: about 3 s (two solves of london-2025)."""
    from typer.testing import CliRunner

    from tradewar.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["simulate", "london-2025", "--json", "--elasticities", "fontagne2022",
                              "--horizon", "medium", "--revenue", "deficit-reduction"])
    assert out.exit_code == 0, out.output
    document = json.loads(out.output)
    assert document["elasticities"] == "fontagne2022" and document["horizon"] == "medium"
    assert document["closure"] == {"revenue": "deficit-reduction", "deficits": "fixed"}
    usa = document["countries"]["USA"]
    assert {"real_gdp_pct", "nominal_gdp_pct", "welfare_first_order_pct"} <= set(usa)
    plain = json.loads(runner.invoke(app, ["simulate", "london-2025", "--json"]).output)
    assert plain["closure"] == {"revenue": "rebate", "deficits": "fixed"}
    # Another set and closure give other numbers (the options reach the solver).
    assert usa["welfare_pct"] != plain["countries"]["USA"]["welfare_pct"]


@pytest.mark.parametrize(("option", "value", "choices"), [
    ("--elasticities", "cp2016", "cp2015, fontagne2022"),
    ("--horizon", "shortest", "short, medium, long"),
    ("--revenue", "refund", "rebate, deficit-reduction"),
    ("--deficits", "floating", "fixed, zero"),
])
def test_unknown_names_list_the_choices(option, value, choices):
    """Bad input: an unknown set, horizon or closure is a one-line error naming the option and
    listing the choices (no traceback). Cost: under 0.1 s each (nothing is solved)."""
    from typer.testing import CliRunner

    from tradewar.cli import app

    out = CliRunner().invoke(app, ["simulate", "london-2025", "--json", option, value])
    assert out.exit_code == 2
    assert option in out.output and choices in " ".join(out.output.split()) and "Traceback" not in out.output


def test_scenario_file_names_its_elasticities(tmp_path):
    """A scenario TOML's ``elasticities``, ``horizon`` and ``revenue`` fields are applied once, to
    the loaded world: theta there is the named set at the horizon (the set's file, scaled by
    :func:`~tradewar.world.elasticities.horizon_theta`), and an unknown set is named with the
    file's line. Cost: about 1 s (no solve)."""
    from tradewar.errors import TradewarError
    from tradewar.policy.scenario import Scenario
    from tradewar.simulation import prepare_scenario
    from tradewar.world.elasticities import horizon_theta, load_elasticity_set

    path = tmp_path / "short.toml"
    path.write_text('name = "short"\ndate = 2025-06-10\nelasticities = "fontagne2022"\nhorizon = "short"\n'
                    'revenue = "deficit-reduction"\n')
    prepared = prepare_scenario(Scenario.from_toml(path))
    expected = horizon_theta(load_elasticity_set("fontagne2022", prepared.detailed_world).theta, "short")
    np.testing.assert_allclose(prepared.detailed_world.trade_elasticity.values, expected)
    assert prepared.scenario.revenue == "deficit-reduction"
    path.write_text('name = "bad"\ndate = 2025-06-10\nelasticities = "cp2016"\n')
    with pytest.raises(TradewarError, match="cp2016"):
        Scenario.from_toml(path)
