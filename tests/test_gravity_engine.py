"""The one-sector gravity engine (tradewar.model.gravity) and the panel loader.

Expected numbers come from identities: with fixed deficits the exact closure is the
Caliendo-Parro model with one sector, no inputs and theta = sigma - 1 (a second,
independent engine); resistances solve their defining equations; markets clear;
a zero shock changes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradewar import SolverOptions, World, simulate
from tradewar.errors import ShockError, WorldValidationError
from tradewar.model.gravity import GravityModel
from tradewar.world.gravity_data import GravityPanel


def _panel(n: int = 5, seed: int = 0) -> GravityPanel:
    rng = np.random.default_rng(seed)
    names = [f"C{k}" for k in range(n)]
    rows = []
    output = rng.uniform(50, 500, n)
    for i, exporter in enumerate(names):
        for j, importer in enumerate(names):
            rows.append({"exporter": exporter, "importer": importer, "year": 2006,
                         "trade": float(rng.uniform(1, 20) * (30 if i == j else 1)),
                         "Y": output[i], "E": output[j] * 1.05, "lndist": 0.0 if i == j else rng.uniform(5, 9),
                         "pta": int(i != j and (i + j) % 3 == 0), "international": int(i != j)})
    return GravityPanel.from_frame(pd.DataFrame(rows), output="Y", expenditure="E")


COEF = {"lndist": -0.8, "pta": 0.4, "international": -2.0}


def test_resistances_solve_their_equations():
    """1/a_n = sum_i T s_i b_i (n != reference), 1/b_i = sum_n T e_n a_n, a_ref = 1; modelled
    flows then sum to E by importer and to Y (E/Y world) by exporter."""
    model = GravityModel.from_panel(_panel(), COEF, sigma=5, reference_importer="C2")
    r = model.resistances()
    cost, s, e = model.trade_cost, model.output_share, model.expenditure_share
    np.testing.assert_allclose(
        1 / r.imr[[0, 1, 3, 4]], (cost * s[None, :] * r.omr[None, :]).sum(axis=1)[[0, 1, 3, 4]], rtol=1e-12
    )
    np.testing.assert_allclose(1 / r.omr, (cost * e[:, None] * r.imr[:, None]).sum(axis=0), rtol=1e-12)
    assert r.imr[2] == 1.0
    flows = model.modelled_trade()
    np.testing.assert_allclose(flows.sum(axis=1), model.expenditure, rtol=1e-12)
    np.testing.assert_allclose(
        flows.sum(axis=0), model.output * model.expenditure.sum() / model.output.sum(), rtol=1e-12
    )


@pytest.mark.parametrize("closure", ["gegravity", "exact"])
def test_no_shock_changes_nothing(closure):
    """Identity: unchanged costs leave every hat at one."""
    model = GravityModel.from_panel(_panel(), COEF, sigma=4, reference_importer="C0")
    result = model.simulate(trade_cost_change=np.ones((5, 5)), closure=closure)
    np.testing.assert_allclose(result.country_table().to_numpy(), 0.0, atol=1e-9)


def test_exact_closure_with_fixed_deficits_is_one_sector_caliendo_parro():
    """Cross-engine identity: exact gravity with fixed deficits equals tradewar.simulate on a
    one-sector world with value-added share 1 and theta = sigma - 1, the shock d_hat = T_hat^(-1/theta)."""
    panel = _panel(6, seed=3)
    model = GravityModel.from_panel(panel, COEF, sigma=6, reference_importer="C0")
    flows = model.modelled_trade()
    experiment = panel.with_values("pta", [("C1", "C4")], 1, both_ways=True)
    change = model.trade_cost_from(experiment) / model.trade_cost
    gravity = model.simulate(trade_cost_change=change, closure="exact", deficits="fixed")
    n = len(model.countries)
    world = World.from_arrays(countries=model.countries, sectors=["all"], trade=flows[:, :, None],
                              tariff=np.zeros((n, n, 1)), value_added_share=np.ones((n, 1)),
                              input_share=np.zeros((n, 1, 1)), final_demand_share=np.ones((n, 1)),
                              trade_elasticity=np.array([5.0]))
    cp = simulate(world, trade_cost_change=(change ** (-1 / 5.0))[:, :, None], options=SolverOptions(tol=1e-13))
    np.testing.assert_allclose(gravity.data["welfare"].values, cp.data["welfare"].values, rtol=1e-9)
    np.testing.assert_allclose(gravity.data["factory_price"].values, cp.data["wage"].values, rtol=1e-9)
    np.testing.assert_allclose(gravity.data["price_index"].values, cp.data["price_index"].values, rtol=1e-9)
    np.testing.assert_allclose(gravity.data["trade_new"].values, cp.data["trade_new"].values[:, :, 0], rtol=1e-8)


def test_exact_closure_clears_markets_with_multiplicative_deficits():
    """Market clearing: sales p Y = sum of purchases; expenditure stays phi times output."""
    panel = _panel(5, seed=7)
    model = GravityModel.from_panel(panel, COEF, sigma=5, reference_importer="C3")
    result = model.simulate(experiment=panel.with_values("pta", [("C0", "C1")], 1, both_ways=True), closure="exact")
    d = result.data
    np.testing.assert_allclose(d["trade_new"].values.sum(axis=0), d["output_new"].values, rtol=1e-10)
    np.testing.assert_allclose(d["trade_new"].values.sum(axis=1), d["expenditure_new"].values, rtol=1e-10)
    phi = d["expenditure_baseline"].values / d["output_baseline"].values
    np.testing.assert_allclose(d["expenditure_new"].values, phi * d["output_new"].values, rtol=1e-12)
    assert abs(d["price_index"].sel(country="C3").item() - 1) < 1e-12  # the reference importer's index is the numeraire
    assert result.country_table().loc["C0", "welfare_pct"] > 0  # a new agreement raises its members' welfare


def test_from_flows_and_bad_inputs():
    """ge_gravity style (flows only) works with the exact closure; errors name the problem."""
    flows = np.array([[80.0, 10, 5], [8, 60, 4], [6, 3, 50]])
    model = GravityModel.from_flows(flows, ["A", "B", "C"], sigma=5)
    change = np.ones((3, 3))
    change[0, 1] = change[1, 0] = 1.5
    result = model.simulate(trade_cost_change=change, closure="exact")
    assert result.data["trade_new"].sel(importer="A", exporter="B") > flows[0, 1]
    with pytest.raises(ShockError, match="no trade costs"):
        model.simulate(trade_cost_change=change)
    with pytest.raises(ShockError, match="positive finite"):
        model.simulate(trade_cost_change=-change, closure="exact")
    with pytest.raises(WorldValidationError, match="sigma must exceed 1"):
        GravityModel.from_flows(flows, ["A", "B", "C"], sigma=0.5)


def test_panel_loader_checks(tmp_path):
    """Missing pairs, duplicates and output that varies within a country are refused by name."""
    frame = _panel(3).data.rename(columns={"output": "Y", "expenditure": "E"})
    frame.to_csv(tmp_path / "ok.dlm", index=False)
    from tradewar.world.gravity_data import read_gravity_panel

    panel = read_gravity_panel(tmp_path / "ok.dlm", output="Y", expenditure="E")
    assert panel.countries() == ["C0", "C1", "C2"] and panel.matrix("trade").shape == (3, 3)
    frame.to_parquet(tmp_path / "ok.parquet")
    assert read_gravity_panel(tmp_path / "ok.parquet", output="Y", expenditure="E").data.equals(panel.data)
    with pytest.raises(WorldValidationError, match="no 'trade' for exporter 'C1' -> importer 'C0'"):
        GravityPanel.from_frame(frame.drop(index=3), output="Y", expenditure="E").matrix("trade")
    with pytest.raises(WorldValidationError, match="appears more than once"):
        GravityPanel.from_frame(pd.concat([frame, frame.iloc[[0]]]), output="Y", expenditure="E")
    varying = frame.copy()
    varying.loc[0, "Y"] += 1
    with pytest.raises(WorldValidationError, match="output differs between rows of exporter 'C0'"):
        GravityPanel.from_frame(varying, output="Y", expenditure="E")


def test_panel_matrices_equal_pandas_pivots():
    """Peer: pandas' own pivot (importer rows, exporter columns) of each column, on rows in a
    shuffled order and with a country left out of the chosen labels: the one-pass matrices are
    the same arrays, bit for bit. Cost: well under 1 s."""
    panel = _panel(5, seed=3)
    shuffled = GravityPanel(panel.data.sample(frac=1.0, random_state=7).reset_index(drop=True), "shuffled")
    countries = ["C4", "C0", "C2", "C1"]  # C3 left out, not in sorted order
    got = shuffled.matrices(["trade", "lndist", "pta"], countries=countries)
    for column in ("trade", "lndist", "pta"):
        pivot = panel.data.pivot(index="importer", columns="exporter", values=column)
        expected = pivot.reindex(index=countries, columns=countries).to_numpy(dtype=float)
        np.testing.assert_array_equal(got[column], expected)
        np.testing.assert_array_equal(shuffled.matrix(column, countries=countries), expected)
