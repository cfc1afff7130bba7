"""Export taxes and bans (export controls as tax equivalents) in the engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import random_world
from tradewar import load_world, simulate
from tradewar.errors import ShockError


@pytest.fixture(scope="module")
def world():
    return load_world().aggregate(regions="compact")


def control(world, exporter: str, importer: str, sector: str, rate: float):
    tax = world.tariff.copy() * 0.0
    tax.loc[dict(importer=importer, exporter=exporter, sector=sector)] = rate
    return tax


def test_zero_rate_control_changes_nothing(world):
    """Identity: an export tax of zero is no shock: every hat stays at one."""
    result = simulate(world, export_tax=control(world, "CHN", "USA", "Mining", 0.0))
    np.testing.assert_allclose(result.data["wage"].values, 1.0, atol=1e-10)
    np.testing.assert_allclose(result.data["trade_new"].values, result.data["trade_baseline"].values, rtol=1e-8)


def test_ban_drives_the_flow_to_zero(world):
    """A ban (infinite export tax) stops the flow; other flows stay positive; the solver
    converges and the other exporters sell more of that good to the banned market."""
    result = simulate(world, export_tax=control(world, "CHN", "USA", "Electrical and optical", np.inf))
    d = result.data
    banned = dict(importer="USA", exporter="CHN", sector="Electrical and optical")
    assert float(d["trade_new"].sel(banned)) == 0.0
    assert float(d["trade_baseline"].sel(banned)) > 0
    assert result.solver.residual < 1e-9
    others = dict(importer="USA", exporter=["KOR", "TWN", "MEX"], sector="Electrical and optical")
    assert (d["trade_new"].sel(others) > d["trade_baseline"].sel(others)).all()
    assert np.isfinite(d["welfare"].values).all()
    world_after = result.new_world()
    assert world_after.is_equilibrium


def test_export_tax_revenue_goes_to_the_exporter(world):
    """Accounting: the exporter collects rate x flow at producer prices; the flow falls by
    the trade elasticity's force (kappa = 1.2 for all buyers of that flow)."""
    result = simulate(world, export_tax=control(world, "CHN", "USA", "Metals", 0.2))
    d = result.data
    flow = float(d["trade_new"].sel(importer="USA", exporter="CHN", sector="Metals"))
    np.testing.assert_allclose(float(d["export_tax_revenue_new"].sel(country="CHN")), 0.2 * flow, rtol=1e-10)
    assert float(d["export_tax_revenue_new"].sel(country="USA")) == 0.0
    base = float(d["trade_baseline"].sel(importer="USA", exporter="CHN", sector="Metals"))
    assert flow < base


def test_export_tax_equals_tariff_for_the_importer_price(world):
    """Lerner-style symmetry of prices: an export tax x and a tariff t with (1+x) = (1+t)
    raise the buyer's price identically, so the importer's sector price indices match;
    only who collects the revenue differs."""
    tax = control(world, "CHN", "USA", "Metals", 0.3)
    tariff = world.tariff.copy()
    tariff.loc[dict(importer="USA", exporter="CHN", sector="Metals")] = (
        (1 + tariff.sel(importer="USA", exporter="CHN", sector="Metals")) * 1.3 - 1
    )
    by_tax = simulate(world, export_tax=tax, deficits="zero")
    by_tariff = simulate(world, tariff=tariff, deficits="zero")
    share_tax = by_tax.data["trade_shares_new"].sel(importer="USA", sector="Metals")
    share_tariff = by_tariff.data["trade_shares_new"].sel(importer="USA", sector="Metals")
    # Same price wedge, different incomes: shares differ only through general-equilibrium wages.
    assert float(abs(share_tax - share_tariff).max()) < 0.02
    assert float(by_tax.data["export_tax_revenue_new"].sel(country="CHN")) > 0
    assert float(by_tariff.data["export_tax_revenue_new"].sel(country="CHN")) == 0


def test_bad_export_taxes(world):
    with pytest.raises(ShockError, match=r"export_tax\[importer='USA', exporter='CHN', sector='Metals'\].*-100%"):
        simulate(world, export_tax=control(world, "CHN", "USA", "Metals", -1.0))
    with pytest.raises(ShockError, match="export_tax.*NaN"):
        simulate(world, export_tax=control(world, "CHN", "USA", "Metals", np.nan))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), shock_seed=st.integers(0, 2**31 - 1))
def test_identities_with_export_taxes(seed, shock_seed):
    """Identities with random export taxes (some bans): shares sum to one, balances equal
    the fixed deficits (valued at the border, export taxes included), markets clear in
    the new world, world value added stays the numeraire."""
    world = random_world(seed, 4, 3).without_deficits()
    rng = np.random.default_rng(shock_seed)
    tax = rng.uniform(0.0, 0.5, size=world.tariff.shape)
    tax[rng.random(tax.shape) < 0.1] = np.inf
    tax[np.arange(4), np.arange(4), :] = 0.0
    result = simulate(world, export_tax=tax)
    np.testing.assert_allclose(result.data["trade_shares_new"].sum("exporter").values, 1.0, atol=1e-12)
    new_world = result.new_world()
    scale = world.value_added.values.sum()
    assert np.abs(new_world.deficit.values).max() < 1e-7 * scale
    np.testing.assert_allclose((result.data["wage"] * world.value_added).sum().item(), scale, rtol=1e-10)


def test_timeline_turns_quantified_export_controls_into_export_taxes(world):
    """A ban and a 20% tax equivalent in force become export taxes on the imposer's sales
    to the targets (importer, exporter orientation), a suspension lifts them, and
    unquantified controls change nothing."""
    from tradewar.policy import Timeline

    timeline = Timeline([
        {"id": "BAN", "kind": "export_control", "imposer": "CHN", "targets": ["USA"], "sectors": ["Mining"],
         "ban": True, "start": "2025-04-04"},
        {"id": "TAX", "kind": "export_control", "imposer": "USA", "targets": ["CHN"],
         "sectors": ["Electrical and optical"], "tax_equivalent": 0.2, "start": "2025-01-01"},
        {"id": "LIST", "kind": "export_control", "imposer": "USA", "targets": ["CHN"], "sectors": ["Machinery"],
         "start": "2025-01-01"},
        {"id": "PAUSE", "kind": "suspension", "measures": ["BAN"], "start": "2025-11-10", "end": "2026-11-10"},
    ])
    tax = timeline.export_tax_on("2025-06-10", world)
    assert float(tax.sel(importer="USA", exporter="CHN", sector="Mining")) == np.inf
    assert float(tax.sel(importer="CHN", exporter="USA", sector="Electrical and optical")) == pytest.approx(0.2)
    assert float(tax.sel(importer="CHN", exporter="USA", sector="Machinery")) == 0.0
    assert float(abs(tax).where(np.isfinite(tax), 0).sum()) == pytest.approx(0.2)
    paused = timeline.export_tax_on("2025-12-01", world)
    assert float(paused.sel(importer="USA", exporter="CHN", sector="Mining")) == 0.0
    result = simulate(world, export_tax=tax)
    assert float(result.data["trade_new"].sel(importer="USA", exporter="CHN", sector="Mining")) == 0.0


def test_green_channel_exempts_listed_destinations(world):
    """An export control on everyone but a 'green channel' destination taxes every other
    buyer and spares the exempt one."""
    from tradewar.policy import Timeline

    timeline = Timeline([
        {"id": "RE", "kind": "export_control", "imposer": "CHN", "targets": ["*"], "exempt": ["EU27"],
         "sectors": ["Metals"], "tax_equivalent": 0.5, "start": "2025-06-01"},
    ])
    tax = timeline.export_tax_on("2025-06-10", world).sel(exporter="CHN", sector="Metals")
    assert float(tax.sel(importer="EU27")) == 0.0
    assert float(tax.sel(importer="USA")) == pytest.approx(0.5)
    assert float(tax.sel(importer="CHN")) == 0.0


def test_world_with_export_taxes_rebalances():
    """Regression: a world that carries export taxes (a counterfactual's new world) can be
    re-solved without deficits and stays an equilibrium with its taxes."""
    from tests.conftest import random_world

    world = random_world(3, 3, 2)
    tax = np.zeros_like(world.tariff.values)
    tax[0, 1, :] = 0.2
    taxed = simulate(world, export_tax=tax).new_world()
    balanced = taxed.without_deficits()
    assert balanced.is_equilibrium
    assert float(balanced.export_tax.values.max()) == pytest.approx(0.2)
    assert np.abs(balanced.deficit.values).max() < 1e-8 * balanced.value_added.values.sum()
