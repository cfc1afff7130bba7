"""Parity with USITC's ``gegravity`` (the peer tool, run here) on its own sample data.

The experiment is gegravity's documented example: Canada and Japan sign a preferential
trade agreement (``pta`` set to 1 both ways), sigma = 5, reference importer DEU. Both
tools get the same cost parameters (the example's PPML estimates, as gegravity's
README gives them; no estimation step is run), so the comparison is of the GE models
alone. Expected numbers: gegravity's ``country_results`` and ``bilateral_trade_results``.
Tolerance: 1e-6 relative on levels and hats (factory-gate prices, resistances, welfare
statistic, trade flows), which bounds percent changes to 1e-4 percentage points.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.model.gravity import GravityModel
from tradewar.world.gravity_data import read_gravity_panel

gegravity = pytest.importorskip("gegravity", reason="the peer tool gegravity is not installed (pip install -e .[test])")


def _shared_data() -> Path:
    configured = os.environ.get("TRADEWAR_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"


SAMPLE = _shared_data() / "gegravity" / "sample_data_set.dlm"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.filterwarnings("ignore:::gegravity.*"),
    pytest.mark.skipif(not SAMPLE.is_file(), reason=f"gegravity sample data not found at {SAMPLE} "
                                                    "(set TRADEWAR_SHARED_DATA or provide ../shared/data)"),
]

COEFFICIENTS = {  # gegravity README, "Prepare the trade cost parameters" (PPML estimates)
    "lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
    "pta": 0.4711383, "international": -3.412584, "constant": 16.32434,
}
RTOL = 1e-6


@pytest.fixture(scope="module")
def both():
    frame = pd.read_csv(SAMPLE)
    frame["constant"] = 1
    baseline = gegravity.BaselineData(frame.copy(), imp_var_name="importer", exp_var_name="exporter",
                                      year_var_name="year", trade_var_name="trade", expend_var_name="E",
                                      output_var_name="Y")
    estimates = pd.DataFrame([(k, v, 0.1) for k, v in COEFFICIENTS.items()], columns=["var", "beta", "stderr"])
    costs = gegravity.CostCoeffs(estimates=estimates, identifier_col="var", coeff_col="beta", stderr_col="stderr")
    peer = gegravity.OneSectorGE(baseline=baseline, cost_coeff_values=costs, cost_variables=list(COEFFICIENTS),
                                 year="2006", reference_importer="DEU", sigma=5, quiet=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.build_baseline(omr_rescale=1)
        experiment = peer.baseline_data.copy()
        for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
            experiment.loc[(experiment["importer"] == a) & (experiment["exporter"] == b), "pta"] = 1
        peer.define_experiment(experiment)
        peer.simulate()
    assert peer.solver_diagnostics["full_GE"]["success"]

    panel = read_gravity_panel(SAMPLE, output="Y", expenditure="E")
    panel = type(panel)(panel.data.assign(constant=1), panel.source)
    model = GravityModel.from_panel(panel, COEFFICIENTS, sigma=5, reference_importer="DEU", year=2006)
    mine = model.simulate(experiment=panel.with_values("pta", [("CAN", "JPN")], 1, both_ways=True))
    return peer, mine


def _hat(percent):
    return 1 + np.asarray(percent, dtype=float) / 100


def test_country_results_match_gegravity(both):
    """Factory-gate prices, inward and outward resistances, GDP, terms of trade, output,
    expenditure, foreign exports and imports, intranational trade and the welfare statistic."""
    peer, mine = both
    theirs = peer.country_results.loc[mine.countries]
    ours = mine.country_table()
    pairs = {
        "factory gate price change (percent)": "factory_price_pct", "imr change (percent)": "price_index_pct",
        "GDP change (percent)": "real_gdp_pct", "terms of trade change (percent)": "terms_of_trade_pct",
        "output change (percent)": "output_pct", "expenditure change (percent)": "expenditure_pct",
        "foreign exports change (percent)": "exports_pct", "foreign imports change (percent)": "imports_pct",
        "intranational trade change (percent)": "intranational_pct",
    }
    for peer_column, column in pairs.items():
        np.testing.assert_allclose(_hat(ours[column]), _hat(theirs[peer_column]), rtol=RTOL, err_msg=peer_column)
    # gegravity's welfare statistic is (E / P) / (E' / P'), the inverse of our welfare hat.
    np.testing.assert_allclose(1 / mine.data["welfare"].values, theirs["welfare statistic"].to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(mine.data["outward_resistance"].values, _hat(theirs["omr change (percent)"]), rtol=RTOL)
    prices = peer.factory_gate_prices.loc[mine.countries].iloc[:, 0].to_numpy()
    np.testing.assert_allclose(mine.data["factory_price"].values, prices, rtol=RTOL)
    # The experiment moves Canada and Japan most, as in gegravity's example.
    assert ours["exports_pct"].nlargest(2).index.tolist() in (["CAN", "JPN"], ["JPN", "CAN"])


def test_bilateral_trade_matches_gegravity(both):
    """Baseline modelled and experiment trade for all 900 pairs."""
    peer, mine = both
    theirs = peer.bilateral_trade_results
    ours = mine.to_frame("bilateral").reorder_levels(["exporter", "importer"]).loc[theirs.index]
    np.testing.assert_allclose(ours["trade_baseline"], theirs["baseline modeled trade"], rtol=RTOL)
    np.testing.assert_allclose(ours["trade_new"], theirs["experiment trade"], rtol=RTOL)
    np.testing.assert_allclose(_hat(ours["trade_change_pct"]), _hat(theirs["trade change (percent)"]), rtol=RTOL)
