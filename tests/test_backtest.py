"""The trade-war-2019 backtest (issue 14, item 6).

Cost: about 12 s (one backtest: three solves of the default world; the rest is cheap).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.backtest import _fit, grid_row, load_observed, window_average_policy
from tradewar.cli import app
from tradewar.policy.library import load_library
from tradewar.world.elasticities import DEFAULT_ELASTICITIES
from tradewar.world.library import load_world

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
NAICS_FILE = SHARED / "tariffs" / "us_china_2018_2020" / "imports_by_naics.csv"


def test_window_average_weights_each_day():
    """Provenance: identity. In 2019-05-01..2019-05-19 the library changes U.S. tariffs on
    2019-05-10 (List 3 to 25%) and 2019-05-16: the average is the 9/6/4-day mix of the three states."""
    world, library = load_world(), load_library()
    tariff, export_tax = window_average_policy(library, world, "2019-05-01", "2019-05-19")
    states = [library.tariff_on(date(2019, 5, d), world).values for d in (1, 10, 16)]
    assert [s.on.day for s in library.steps("2019-05-01", "2019-05-19")] == [10, 16]
    np.testing.assert_allclose(tariff, (9 * states[0] + 6 * states[1] + 4 * states[2]) / 19, rtol=1e-12)
    np.testing.assert_allclose(export_tax, world.export_tax.values, atol=1e-12)


def test_fit_recovers_an_exact_line():
    """Provenance: closed form. Observed = 2 x predicted + 1 exactly: slope 2, correlation 1, and every
    bootstrap resample says the same (intervals collapse to the point), weighted or not."""
    x = np.linspace(-1.0, 0.0, 9)
    for weights in (None, np.arange(1.0, 10.0)):
        fit = _fit(x, 2 * x + 1, weights, draws=200)
        assert fit["slope"] == pytest.approx(2.0) and fit["correlation"] == pytest.approx(1.0)
        np.testing.assert_allclose(fit["slope_ci95"], [2.0, 2.0], rtol=1e-9)


def test_backtest_json_reports_sectors_slope_and_held_out(monkeypatch, tmp_path):
    """Provenance: identities on the output (observed change = log of the shipped shares) and the
    model's sign: a tariff on China alone raises its relative price, so its share of U.S. imports
    falls in every goods sector. The command prints its result's ``to_dict()``, which follows the
    results protocol (tests/test_results_protocol.py)."""
    from tests.test_results_protocol import check_protocol
    from tradewar.backtest import BacktestResult

    computed = []
    original = BacktestResult.to_dict
    monkeypatch.setattr(BacktestResult, "to_dict", lambda self: computed.append(self) or original(self))
    result = CliRunner().invoke(app, ["backtest", "trade-war-2019", "--elasticities", "fontagne2022",
                                      "--horizon", "short", "--json"])
    assert result.exit_code == 0, result.output
    assert len(computed) == 1 and result.output == json.dumps(original(computed[0]), indent=2) + "\n"
    check_protocol(computed[0], "Backtest trade-war-2019", tmp_path, "backtest")
    assert computed[0].to_frame().shape == (16, 7)
    document = json.loads(result.output)
    assert (document["elasticities"], document["horizon"]) == ("fontagne2022", "short")
    sectors = pd.DataFrame(document["sectors"])
    assert len(sectors) == 16 and (sectors["predicted_dlog_share"] < 0).all()
    np.testing.assert_allclose(
        sectors["observed_dlog_share"],
        np.log(sectors["observed_share_after_pct"] / sectors["observed_share_before_pct"]), rtol=1e-12)
    observed = load_observed().query("flow == 'imports'").groupby("year")[["china_usd_mn", "total_usd_mn"]].sum()
    share = observed["china_usd_mn"] / observed["total_usd_mn"]
    assert document["aggregate"]["observed_dlog_share"] == pytest.approx(np.log(share[2019] / share[2017]))
    low, high = document["headline"]["slope_ci95"]
    assert low <= high and document["headline"]["n_sectors"] == 16
    assert set(document["held_out"]) == {"china_side_2017_2019", "medium_2017_2024"}
    assert document["held_out"]["medium_2017_2024"]["horizon"] == "medium"
    assert document["cannot_control_for"]
    # The shipped grid that chose the default (data/backtest/default_choice.csv) reproduces: its
    # fontagne2022-short-rebate-fixed row is this run (stored to 6 decimals), and the rule applied
    # to the grid picks the shipped default (the constant and its evidence agree).
    decision = document["default_choice"]
    assert decision["choice"] == {**DEFAULT_ELASTICITIES, "revenue": "rebate", "deficits": "fixed"}
    row = next(r for r in decision["grid"] if (r["elasticities"], r["horizon"], r["revenue"], r["deficits"])
               == ("fontagne2022", "short", "rebate", "fixed"))
    fresh = grid_row(computed[0])
    assert set(row) == set(fresh)
    for key, value in fresh.items():
        assert row[key] == (value if isinstance(value, str) else pytest.approx(value, abs=2e-6)), key


def test_unknown_backtest_is_a_clear_error():
    """Provenance: bad input named in the error."""
    result = CliRunner().invoke(app, ["backtest", "trade-war-2018"])
    assert result.exit_code == 2 and "Unknown backtest 'trade-war-2018'" in result.output


@pytest.mark.shared_data
@pytest.mark.skipif(not NAICS_FILE.is_file(), reason=f"reference data not found at {NAICS_FILE}")
def test_shipped_observed_series_match_the_census_naics_file():
    """Provenance: observed data (mwaugh0328/tradewar-tracker monthly U.S. imports by NAICS3):
    the shipped 2017 and 2019 totals are the calendar-year sums over the mapped NAICS codes."""
    raw = pd.read_csv(NAICS_FILE)
    raw = raw[raw["naics3"] < 900]  # 910/930/990: scrap, used goods, special provisions (left out)
    raw["year"] = raw["time"].str[:4].astype(int)
    shipped = load_observed().query("flow == 'imports'").groupby("year")[["china_usd_mn", "total_usd_mn"]].sum()
    for year in (2017, 2019):
        sums = raw[raw["year"] == year][["china_trade", "total_trade"]].sum() / 1e6
        assert shipped.loc[year, "china_usd_mn"] == pytest.approx(sums["china_trade"], abs=0.01)  # stored to 0.001 mn
        assert shipped.loc[year, "total_usd_mn"] == pytest.approx(sums["total_trade"], abs=0.01)
