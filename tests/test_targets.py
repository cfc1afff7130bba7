"""Quotas and purchase commitments: instruments found by the solver."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar import load_world
from tradewar.errors import ShockError
from tradewar.model.targets import solve_purchase_commitment, solve_quota


@pytest.fixture(scope="module")
def world():
    return load_world().aggregate(regions="compact")


def test_quota_binds_at_its_cap(world):
    """A cap below the free flow binds exactly (to solver precision); the rent is the
    exporter's export-tax revenue, rate x capped flow."""
    quota = solve_quota(world, exporter="CHN", importer="USA", sectors="Electrical and optical", cap_usd_mn=50_000)
    assert quota.binding and quota.rate > 0
    assert quota.value == pytest.approx(50_000, rel=1e-8)
    revenue = float(quota.result.data["export_tax_revenue_new"].sel(country="CHN"))
    assert revenue == pytest.approx(quota.rate * 50_000, rel=1e-8)


def test_slack_quota_changes_nothing(world):
    flow = float(world.trade.sel(importer="USA", exporter="CHN", sector="Metals"))
    quota = solve_quota(world, exporter="CHN", importer="USA", sectors="Metals", cap_usd_mn=2 * flow)
    assert not quota.binding and quota.rate == 0.0
    np.testing.assert_allclose(quota.result.data["wage"].values, 1.0, atol=1e-10)


def test_zero_quota_is_a_ban(world):
    quota = solve_quota(world, exporter="CHN", importer="USA", sectors=["Metals"], cap_usd_mn=0)
    assert quota.rate == np.inf and quota.value == 0.0


def test_purchase_commitment_is_met(world):
    """China commits to buy USD 50 bn more U.S. goods: the subsidy found meets the target
    exactly, costs China's treasury the subsidy on those purchases, and helps the U.S."""
    base = float(world.trade.sel(importer="CHN", exporter="USA", sector=world.goods).sum())
    deal = solve_purchase_commitment(
        world, importer="CHN", exporter="USA", sectors="goods", target_usd_mn=base + 50_000
    )
    assert deal.binding and 0 < deal.rate < 0.5
    assert deal.value == pytest.approx(base + 50_000, rel=1e-8)
    assert deal.cost_usd_mn > 0
    assert float(deal.result.data["welfare"].sel(country="USA")) > 1


def test_commitment_already_met(world):
    base = float(world.trade.sel(importer="CHN", exporter="USA", sector="Agriculture"))
    deal = solve_purchase_commitment(world, importer="CHN", exporter="USA", sectors="Agriculture",
                                     target_usd_mn=0.5 * base)
    assert not deal.binding and deal.rate == 0.0 and deal.cost_usd_mn == 0.0


def test_bad_targets(world):
    with pytest.raises(ShockError, match="Unknown country 'XXX'"):
        solve_quota(world, exporter="XXX", importer="USA", sectors="goods", cap_usd_mn=1.0)
    with pytest.raises(ShockError, match=r"Unknown sectors \['Steel'\]"):
        solve_quota(world, exporter="CHN", importer="USA", sectors=["Steel"], cap_usd_mn=1.0)
    with pytest.raises(ShockError, match="cap must be a value >= 0"):
        solve_quota(world, exporter="CHN", importer="USA", sectors="goods", cap_usd_mn=-5)
    with pytest.raises(ShockError, match="out of reach|no equilibrium"):
        solve_purchase_commitment(world, importer="CHN", exporter="USA", sectors="Agriculture", target_usd_mn=1e9)


def test_scenario_with_a_purchase_commitment(tmp_path):
    """A scenario's purchase commitment in force is met: China's purchases of U.S. goods
    rise by the amount over what they would be without it, at the reported subsidy."""
    from tradewar import Scenario, run_scenario

    scenario = Scenario.from_text(
        'name = "deal"\nworld = "wiod2011"\naggregate = { regions = "compact" }\n'
        '[[measure]]\nid = "T"\nkind = "tariff"\nimposer = "CHN"\ntargets = ["USA"]\nrate = 0.1\nstart = 2020-01-01\n'
        '[[measure]]\nid = "BUY"\nkind = "purchase_commitment"\nimporter = "CHN"\nexporter = "USA"\n'
        'amount_usd_mn = 20000\nstart = 2020-01-01\n'
    )
    run = run_scenario(scenario)
    (deal,) = run.commitments
    assert deal["id"] == "BUY" and deal["import_subsidy"] > 0 and deal["cost_usd_mn"] > 0
    world = run.world
    without = run_scenario(Scenario.from_text(
        'name = "nodeal"\nworld = "wiod2011"\naggregate = { regions = "compact" }\n'
        '[[measure]]\nid = "T"\nkind = "tariff"\nimposer = "CHN"\ntargets = ["USA"]\nrate = 0.1\nstart = 2020-01-01\n'
    ))
    cells = dict(importer="CHN", exporter="USA", sector=world.goods)
    gained = float(run.result.data["trade_new"].sel(cells).sum() - without.result.data["trade_new"].sel(cells).sum())
    assert gained == pytest.approx(20_000, rel=1e-6)


def test_phase_one_commitments_by_category():
    """The library's Phase One commitments (phaseone-goals.csv 2020 goals over 2017:
    manufactured 32.9, agriculture 12.5, energy 18.5 bn; services 12.8 bn) are each met in
    phase-one-2020 (on the 13-region world), with a positive subsidy and cost."""
    from tradewar import load_scenario, run_scenario
    from tradewar.policy.scenario import AggregateSpec, ReportSpec

    scenario = load_scenario("phase-one-2020").model_copy(
        update={"aggregate": AggregateSpec(regions="compact"), "report": ReportSpec()}
    )
    run = run_scenario(scenario)
    amounts = {deal["id"]: deal for deal in run.commitments}
    assert set(amounts) == {"M019a", "M019b", "M019c", "M019d"}
    for deal in amounts.values():
        assert deal["import_subsidy"] > 0 and deal["cost_usd_mn"] > 0


def test_targets_accept_plain_arrays(world):
    """Policies given as numpy arrays (not DataArrays) work the same, and a wrong shape is a
    clear error."""
    labelled = solve_quota(world, exporter="CHN", importer="USA", sectors="Metals", cap_usd_mn=20_000,
                           tariff=world.tariff.copy())
    plain = solve_quota(world, exporter="CHN", importer="USA", sectors="Metals", cap_usd_mn=20_000,
                        tariff=world.tariff.values.copy())
    assert plain.rate == pytest.approx(labelled.rate, rel=1e-9)
    with pytest.raises(ShockError, match="Expected an array of shape"):
        solve_quota(world, exporter="CHN", importer="USA", sectors="Metals", cap_usd_mn=1.0,
                    export_tax=np.zeros((2, 2)))
