"""The bridge table (``tradewar bridge``; issue 18, item 2).

Cost: about 12 s CPU in all (one compact bridge: six solves on two worlds, shared by the tests;
one direct solve; the tariff check solves nothing). Over 5 s because the identity needs the
whole bridge; the command's outputs reuse it. No shared data needed (embedded worlds).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tradewar.bridge import TARGET, bridge_steps, critical_splits, headline, run_bridge
from tradewar.cli import app
from tradewar.cli.bridge import TARGET_DEFAULTS
from tradewar.errors import TradewarError
from tradewar.simulation import ScenarioOverrides, prepare_scenario, run_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def compact_result():
    """One bridge on the compact regions (six solves), shared by the tests below."""
    return run_bridge("london-2025", bridge_steps(regions="compact"))


@pytest.fixture(scope="module")
def compact_bridge(compact_result) -> dict:
    return json.loads(json.dumps(compact_result.to_dict()))  # JSON-safe: what --json prints


def test_last_step_is_a_direct_simulate_with_every_switch_on(compact_bridge):
    """Identity: the bridge's last row is one ordinary run of the pipeline with the target
    footing (world, line-level tariffs by default, elasticities, closure, critical splits), so
    the order of the steps changes the contributions but never the end point."""
    direct = run_scenario("london-2025", overrides=ScenarioOverrides(
        world=TARGET["world"], regions="compact", elasticities=TARGET["elasticities"], horizon=TARGET["horizon"],
        revenue=TARGET["revenue"], deficits=TARGET["deficits"], splits=critical_splits()))
    expected = headline(direct)
    last = compact_bridge["steps"][-1]
    assert last["world"].startswith(TARGET["world"]) and last["closure"]["revenue"] == TARGET["revenue"]
    for key, value in expected.items():
        assert last["values"][key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_steps_switch_one_change_at_a_time(compact_bridge):
    """Each step's overrides differ from the step before in exactly the switches it names
    (identity of the construction), and each row's change is its value minus the row above."""
    steps = compact_bridge["steps"]
    assert [s["step"].split("-", 1)[1] for s in steps] == ["old-footing", "world", "line-tariffs", "elasticities",
                                                             "closure", "critical-inputs"]
    first = steps[0]["overrides"]
    assert first["world"] == "wiod2011" and first["tariff_aggregate"] == "trade-weighted"
    changed = []
    for before, after in zip(steps, steps[1:], strict=False):
        keys = set(before["overrides"]) | set(after["overrides"])
        changed.append({k for k in keys if before["overrides"].get(k) != after["overrides"].get(k)})
        for key, value in after["values"].items():
            if value is not None and before["values"][key] is not None:
                assert after["change_from_previous"][key] == pytest.approx(value - before["values"][key])
    assert changed == [{"world"}, {"tariff_aggregate"}, {"elasticities", "horizon"}, {"revenue"}, {"splits"}]
    # wiod2011 has no Vietnam: said as null, not as a number
    assert steps[0]["values"]["vnm_welfare_pct"] is None and steps[1]["values"]["vnm_welfare_pct"] is not None


def test_line_level_tariffs_never_exceed_the_trade_weighted_ones():
    """Closed form: (1+t*)^-theta = sum w (1+t_line)^-theta with weights summing to one makes
    1+t* a power mean of (1+t_line) with a negative exponent, never above the arithmetic mean
    sum w (1+t_line) (Jensen). So switching ``tariff_aggregate`` from "trade-weighted" to
    "model" can only lower a cell's rate, and on wiod2011 in June 2025 it lowers some."""
    rates = {aggregate: prepare_scenario("london-2025", overrides=ScenarioOverrides(
        world="wiod2011", tariff_aggregate=aggregate)).tariff
             for aggregate in ("model", "trade-weighted")}
    model, weighted = rates["model"].values, rates["trade-weighted"].values
    assert np.all(model <= weighted + 1e-12)
    assert np.any(model < weighted - 1e-3)


def test_target_defaults_agree():
    """The command's defaults (kept in the CLI so that --help imports no model) are TARGET's."""
    assert TARGET_DEFAULTS == TARGET
    assert len(bridge_steps(splits=())) == 6


def test_bad_switches_are_named():
    with pytest.raises(TradewarError, match="tariff_aggregate"):
        ScenarioOverrides(tariff_aggregate="line-by-line")
    result = runner.invoke(app, ["bridge", "london-2025", "--horizon", "forever"])
    assert result.exit_code == 2 and "--horizon" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["bridge", "london-2025", "--revenue", "burn"])
    assert result.exit_code == 2 and "--revenue" in result.output


def test_command_prints_table_json_and_markdown(compact_result, monkeypatch, tmp_path):
    """The command's three outputs from one bridge (the solve is the fixture's: patched in)."""
    import tradewar.bridge

    monkeypatch.setattr(tradewar.bridge, "run_bridge", lambda scenario, steps, on_step=None: compact_result)
    page = tmp_path / "bridge.md"
    table = runner.invoke(app, ["bridge", "london-2025", "--regions", "compact", "--markdown", str(page)])
    assert table.exit_code == 0, table.output
    assert "U.S. welfare" in table.output and "5-critical-inputs" in table.output
    text = page.read_text()
    assert "tradewar bridge london-2025 --regions compact --markdown" in text  # the page names its command
    assert text.count("| 5-critical-inputs |") == 2  # levels and contributions
    printed = runner.invoke(app, ["bridge", "london-2025", "--regions", "compact", "--json"])
    assert printed.exit_code == 0 and json.loads(printed.output)["steps"][-1]["step"] == "5-critical-inputs"


def test_summary_and_frames(compact_result):
    """The results protocol: the summary has both tables; 'changes' is 'levels' differenced (identity)."""
    text = compact_result.summary().as_text()
    assert "Headline numbers by step" in text and "Contribution of each step" in text
    levels, changes = compact_result.to_frame("levels"), compact_result.to_frame("changes")
    assert list(changes.index) == list(levels.index[1:])
    np.testing.assert_allclose(changes.values, levels.diff().values[1:], equal_nan=True)
    with pytest.raises(ValueError, match="levels"):
        compact_result.to_frame("totals")
