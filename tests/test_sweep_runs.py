"""Sweeps (tradewar.uncertainty.sweep), the run index and the commands `tradewar sweep`,
`tradewar runs list|show` and the Monte Carlo table of `simulate --draws`.

Expected numbers come from identities: a stored run equals the same scenario solved
directly (run_scenario) with the elasticities scaled; a second sweep over the same runs
solves nothing (resumable); the index lists what was stored.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tradewar.cli import app
from tradewar.errors import ShockError
from tradewar.uncertainty.sweep import RunStore, expand_runs, read_sweep_spec, run_sweep

runner = CliRunner()


def test_sweep_stores_runs_equal_to_direct_solves_and_resumes(tmp_path):
    """Each stored country table equals run_scenario on the scenario with the elasticities scaled;
    running the sweep again skips every run; the DuckDB index records scenario, parameters,
    world hash and code version."""
    import tradewar
    from tradewar.policy.library import load_scenario
    from tradewar.policy.scenario import AggregateSpec
    from tradewar.simulation import run_scenario

    runs = expand_runs(["pre-2025"], {"elasticity_scale": [1.0, 2.0], "regions": ["compact"]})
    first = run_sweep(runs, name="grid", store=tmp_path, executor="serial")
    assert sorted(first.solved) == sorted(r.id for r in runs) and not first.failed
    again = run_sweep(runs, name="grid", store=tmp_path, executor="serial")
    assert again.solved == [] and sorted(again.skipped) == sorted(first.solved)

    store = RunStore(tmp_path)
    index = store.list()
    assert len(index) == 2 and set(index["status"]) == {"ok"}
    assert set(index["code_version"]) == {tradewar.__version__}
    scenario = load_scenario("pre-2025").model_copy(update={"aggregate": AggregateSpec(regions="compact")})
    direct = run_scenario(scenario).result
    assert set(index["world_hash"]) == {run_scenario(scenario).world.hash}
    row, country, bilateral = store.show(runs[0].id)
    assert json.loads(row["parameters"]) == {"elasticity_scale": 1.0, "regions": "compact"}
    np.testing.assert_array_equal(country["welfare_pct"].to_numpy(), direct.country_table()["welfare_pct"].to_numpy())
    usa_chn = bilateral.set_index(["importer", "exporter"]).loc[("USA", "CHN")]
    assert usa_chn["trade_new"] == pytest.approx(
        float(direct.data["trade_new"].sel(importer="USA", exporter="CHN").sum())
    )
    _, doubled, _ = store.show(runs[1].id[:8])
    assert not np.array_equal(doubled["welfare_pct"].to_numpy(), country["welfare_pct"].to_numpy())


def test_sweep_file_and_errors(tmp_path):
    """A TOML sweep crosses scenarios with its grid and adds single runs; bad keys are named."""
    spec = tmp_path / "elasticities.toml"
    spec.write_text('scenarios = ["pre-2025", "london-2025"]\n[grid]\nelasticity_scale = [0.5, 1.0]\n'
                    '[[run]]\nscenario = "busan-2025"\ndeficits = "zero"\n')
    name, runs = read_sweep_spec(spec)
    assert name == "elasticities" and len(runs) == 5
    assert runs[-1].params == {"deficits": "zero"}
    assert len({r.id for r in runs}) == 5
    with pytest.raises(ShockError, match="unknown parameters \\['theta'\\]"):
        expand_runs(["pre-2025"], {"theta": [1]})
    with pytest.raises(ShockError, match="elasticity_scale must be positive"):
        expand_runs(["pre-2025"], {"elasticity_scale": [-1]})


def test_sweep_and_runs_commands(tmp_path):
    """`tradewar sweep --scenario --grid` then `runs list --json` and `runs show ID` read the index;
    a failing run (unknown scenario) is recorded as failed with its reason, not dropped."""
    store = str(tmp_path / "store")
    result = runner.invoke(app, ["sweep", "--scenario", "pre-2025", "--scenario", "no-such-scenario",
                                 "--grid", "regions=compact", "--store", store, "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert len(outcome["solved"]) == 1 and len(outcome["failed"]) == 1
    assert "no-such-scenario" in next(iter(outcome["failed"].values()))
    listed = runner.invoke(app, ["runs", "list", "--store", store, "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert {row["status"] for row in rows} == {"ok", "failed"}
    ok = next(row for row in rows if row["status"] == "ok")
    shown = runner.invoke(app, ["runs", "show", ok["id"][:6], "--store", store])
    assert shown.exit_code == 0, shown.output
    assert "pre-2025" in shown.output and "USA" in shown.output
    missing = runner.invoke(app, ["runs", "show", "zzzz", "--store", store])
    assert missing.exit_code == 2 and "No run with id" in missing.output


def test_simulate_draws_json_and_table(capsys, tmp_path):
    """The function behind `simulate --draws`: JSON has p5/p50/p95 and the point estimate for every
    country; the table shows bands [p5, p95]; failed draws are reported with reasons."""
    from tradewar.cli.draws import simulate_draws

    simulate_draws("pre-2025", draws=4, spread=0.2, seed=2, regions="compact", workers=1, as_json=True)
    document = json.loads(capsys.readouterr().out)
    usa = document["countries"]["USA"]["welfare_pct"]
    assert set(usa) == {"point", "p5", "p50", "p95"} and usa["p5"] <= usa["p50"] <= usa["p95"]
    assert document["draws"] == 4 and document["solved"] + document["failed"] == 4
    assert "CHN->USA" in document["bilateral_trade_pct"]
    report = tmp_path / "bands.html"
    simulate_draws("pre-2025", draws=3, spread=0.2, seed=2, regions="compact", workers=1, report=report)
    text = capsys.readouterr().out
    assert "[p5, p95]" in text and "USA" in text and "CHN -> USA trade" in text
    assert "5th-95th percentile band" in report.read_text()


def test_sweep_where_every_run_fails_exits_1(tmp_path):
    """A sweep in which no run solves is an error for scripts (exit 1) and says so; the failed runs
    are still recorded with their reasons (issue 17: it exited 0)."""
    store = str(tmp_path / "store")
    args = ["sweep", "--scenario", "no-such-scenario", "--scenario", "nor-this-one", "--store", store, "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "every run of sweep sweep failed (2 of 2)" in result.output
    assert "Traceback" not in result.output
    as_json = runner.invoke(app, [*args, "--rerun", "--json"])
    assert as_json.exit_code == 1
    assert len(json.loads(as_json.stdout)["failed"]) == 2
