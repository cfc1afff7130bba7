"""Monte Carlo over trade elasticities (tradewar.uncertainty).

Expected numbers come from identities: a draw is the counterfactual solved with the
drawn elasticities, so each draw must equal ``simulate(world.replace(trade_elasticity=...))``
bit for bit; with zero spread every draw is the point estimate; a scenario's plan must
reproduce ``run_scenario`` exactly; draws read from a file equal the same draws given as
a DataFrame; results do not depend on the executor.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from tests.conftest import random_world
from tradewar import simulate
from tradewar.errors import ShockError
from tradewar.policy.scenario import Scenario
from tradewar.simulation import run_scenario
from tradewar.uncertainty import Plan, draw_elasticities, monte_carlo
from tradewar.uncertainty.plan import COUNTRY_COLUMNS, summarise


@pytest.fixture(scope="module")
def small():
    world = random_world(11, n_countries=4, n_sectors=3)
    tariff = world.tariff.values.copy()
    tariff[0, 1, :] += 0.3
    tariff[1, 0, :] += 0.2
    return world, tariff


def test_each_draw_equals_simulate_with_drawn_elasticities(small):
    """Identity: draw k is simulate() on the world with draw k's elasticities, to the solver's
    tolerance (each draw starts from the central equilibrium, simulate() from the baseline:
    the two iterations stop at different points within tol = 1e-10 of the same fixed point;
    results are percentages, so 1e-10 in logs is about 1e-8 there, compared at 1e-7).

    Draws are solved on a pickled copy of the world (what every worker receives: numpy's
    reductions round by memory layout), so the reference is solved on one too."""
    world, tariff = small
    mc = monte_carlo(world, tariff=tariff, draws=6, spread=0.3, seed=4, executor="serial")
    assert mc.n_ok == 6 and mc.n_failed == 0
    world = pickle.loads(pickle.dumps(world))
    for k in (0, 5):
        theta = mc.draws.iloc[k].to_numpy()
        country, bilateral = summarise(simulate(world.replace(trade_elasticity=theta), tariff=tariff))
        np.testing.assert_allclose(mc.values["country"].values[k], country, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(mc.values["bilateral"].values[k], bilateral, rtol=1e-7, atol=1e-7)
    # The point estimate is the counterfactual at the world's own elasticities.
    pd.testing.assert_frame_equal(mc.central.country_table(), simulate(world, tariff=tariff).country_table())


def test_zero_spread_bands_collapse_to_the_point_estimate(small):
    """Identity: with spread 0 every draw has the world's elasticities, so p5 = p50 = p95 = point."""
    world, tariff = small
    mc = monte_carlo(world, tariff=tariff, draws=3, spread=0.0, seed=1, executor="serial")
    table = mc.percentiles(point=True)
    for variable in ("welfare_pct", "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct"):
        for stat in ("p5", "p50", "p95"):
            np.testing.assert_array_equal(table[(variable, stat)].to_numpy(), table[(variable, "point")].to_numpy())
    bilateral = mc.percentiles(level="bilateral", point=True)
    np.testing.assert_array_equal(bilateral["p95"].to_numpy(), bilateral["point"].to_numpy())
    assert list(mc.to_frame().columns) == list(COUNTRY_COLUMNS)
    assert mc.to_frame().shape == (3 * 4, len(COUNTRY_COLUMNS))


def test_lognormal_draws_have_the_requested_spread():
    """Closed form: log(theta_draw / theta) is N(0, spread^2); the normal draws are theta (1 + spread z)."""
    base = pd.Series([4.0, 8.0], index=["a", "b"])
    draws = draw_elasticities(base, 4000, 0.25, "lognormal", seed=0)
    logs = np.log(draws / base)
    assert abs(logs.to_numpy().std() - 0.25) < 0.01 and abs(logs.to_numpy().mean()) < 0.01
    common = draw_elasticities(base, 5, 0.25, "lognormal", seed=0, correlation="common")
    np.testing.assert_allclose(common["a"] / 4.0, common["b"] / 8.0)
    normal = draw_elasticities(base, 4000, 0.1, "normal", seed=0)
    assert abs((normal / base).to_numpy().std() - 0.1) < 0.005


def test_failed_draws_are_counted_with_their_reasons(small):
    """Normal draws with a spread of 2 give non-positive elasticities: those draws fail with a
    ShockError naming the sector, are counted, and are left out of the percentiles."""
    world, tariff = small
    mc = monte_carlo(world, tariff=tariff, draws=12, spread=2.0, distribution="normal", seed=3, executor="serial")
    bad = (mc.draws <= 0).any(axis=1)
    assert bad.sum() > 0 and mc.n_failed >= bad.sum()
    assert mc.n_ok + mc.n_failed == 12
    failed_shock = mc.failed[mc.failed["error"] == "ShockError"]
    assert set(failed_shock["draw"]) == set(np.flatnonzero(bad.to_numpy()))
    assert failed_shock["message"].str.contains("must be positive").all()
    assert mc.failure_reasons().sum() == mc.n_failed
    assert np.isnan(mc.values["country"].values[~mc.values["ok"].values]).all()
    assert mc.percentiles().notna().all().all()


def test_draws_from_csv_and_parquet_files(small, tmp_path):
    """The same draws given as a DataFrame, a CSV file and a Parquet file give identical results;
    a file whose columns are not the world's sectors is refused with the names."""
    world, tariff = small
    draws = draw_elasticities(world.trade_elasticity.to_series(), 3, 0.2, seed=8)
    draws.to_csv(tmp_path / "draws.csv")
    draws.to_parquet(tmp_path / "draws.parquet")
    reference = monte_carlo(world, tariff=tariff, draws=draws, executor="serial")
    for path in (tmp_path / "draws.csv", tmp_path / "draws.parquet"):
        from_file = monte_carlo(world, tariff=tariff, draws=path, executor="serial")
        np.testing.assert_array_equal(from_file.values["country"].values, reference.values["country"].values)
    draws.rename(columns={"S0": "steel"}).to_csv(tmp_path / "bad.csv")
    with pytest.raises(ShockError, match="unknown \\['steel'\\].*missing \\['S0'\\]"):
        monte_carlo(world, tariff=tariff, draws=tmp_path / "bad.csv", executor="serial")


def test_local_processes_equal_serial_bit_for_bit(small):
    """Executor independence: two local worker processes give exactly the serial numbers."""
    world, tariff = small
    serial = monte_carlo(world, tariff=tariff, draws=8, spread=0.3, seed=5, executor="serial")
    pooled = monte_carlo(world, tariff=tariff, draws=8, spread=0.3, seed=5, executor=2, chunk_size=2)
    np.testing.assert_array_equal(pooled.values["country"].values, serial.values["country"].values)
    np.testing.assert_array_equal(pooled.values["bilateral"].values, serial.values["bilateral"].values)


def test_scenario_plan_reproduces_run_scenario():
    """Identity with run_scenario: aggregation, zero deficits, an `against` date and the Phase One
    purchase commitments resolved by Plan give the same result, bit for bit."""
    scenario = Scenario.from_text(
        'name = "mc-check"\nworld = "wiod2011"\ndate = 2020-02-14\nagainst = 2019-01-01\ndeficits = "zero"\n'
        '[aggregate]\nregions = "compact"\n'
    )
    plan = Plan.from_scenario(scenario)
    assert plan.commitments and plan.start is not None and not plan.fast
    mine = plan.solve()
    theirs = run_scenario(scenario).result
    pd.testing.assert_frame_equal(mine.country_table(), theirs.country_table(), check_exact=True)
    np.testing.assert_array_equal(mine.data["trade_new"].values, theirs.data["trade_new"].values)


def test_draws_on_the_command_line_print_bands(monkeypatch, tmp_path):
    """``simulate --draws N`` without ``--json`` prints the bands table and the US-China trade lines
    (it once failed with a NameError on the headline sides). The printed U.S. exports to China are
    the result's own bilateral bands (identity). Cost: about 3 s."""
    from typer.testing import CliRunner

    from tradewar.cli import app
    from tradewar.uncertainty import montecarlo

    solve_everywhere = montecarlo.run_tasks  # serial: worker start-up would dominate 3 draws
    results = []
    monkeypatch.setattr(montecarlo, "run_tasks", lambda job, tasks, executor, **kw: solve_everywhere(
        job, tasks, "serial", **kw))
    original = montecarlo.MonteCarloResult.percentiles

    def recording(self, *args, **kwargs):
        results.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(montecarlo.MonteCarloResult, "percentiles", recording)
    printed = CliRunner().invoke(app, ["simulate", "geneva-2025", "--regions", "compact", "--sectors", "broad",
                                       "--draws", "3", "--seed", "3", "--report", str(tmp_path / "r.html")])
    assert printed.exit_code == 0, printed.output
    assert "USA -> CHN trade:" in printed.output and "CHN -> USA trade:" in printed.output
    row = results[-1].percentiles(level="bilateral", point=True).loc[("CHN", "USA")]  # [importer, exporter]
    assert f"USA -> CHN trade: {row['point']:+.1f}% [{row['p5']:+.1f}%, {row['p95']:+.1f}%]" in printed.output
