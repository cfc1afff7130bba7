"""The command line, end to end."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import needs_cp2015
from tradewar.cli import app

runner = CliRunner()


@needs_cp2015
def test_replicate_cp2015_json_matches_the_paper():
    """``tradewar replicate cp2015 --json`` reports Table 2 of Caliendo & Parro (2015)
    beside the published numbers, with solver diagnostics."""
    result = runner.invoke(app, ["replicate", "cp2015", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [row["country"] for row in report["rows"]] == ["MEX", "CAN", "USA"]
    mexico = report["rows"][0]
    assert round(mexico["welfare_pct"], 2) == mexico["published"]["welfare_pct"] == 1.31
    assert report["matches_published"] is True
    assert report["solver"]["iterations"] > 0 and report["solver"]["residual"] < 1e-9
    assert report["solver"]["seconds"] > 0


@needs_cp2015
def test_replicate_cp2015_table():
    result = runner.invoke(app, ["replicate", "cp2015"])
    assert result.exit_code == 0, result.output
    assert "1.31" in result.output and "match the paper" in result.output


def test_replicate_cp2015_explains_missing_data(tmp_path):
    result = runner.invoke(app, ["replicate", "cp2015", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "replication data are missing" in result.output
    assert "--data DIR" in result.output


def test_simulate_json_on_the_default_world():
    """``tradewar simulate --tariff ... --json``: documented keys, both sides of the war
    lose trade with each other, the solver converged."""
    result = runner.invoke(app, ["simulate", "--tariff", "USA:CHN:25", "--tariff", "CHN:USA:25", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["world"] == "wiod2011"
    assert document["solver"]["residual"] < 1e-9
    usa = document["countries"]["USA"]
    assert set(usa) == {"welfare_pct", "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct",
                        "tariff_revenue_usd_mn"}
    totals = {(row["exporter"], row["importer"]): row for row in document["bilateral"] if row["sector"] == "all"}
    assert totals[("CHN", "USA")]["change_pct"] < 0 and totals[("USA", "CHN")]["change_pct"] < 0


def test_simulate_table_on_an_aggregated_world():
    result = runner.invoke(app, ["simulate", "--tariff", "USA:CHN:10:Metals", "--regions", "compact"])
    assert result.exit_code == 0, result.output
    assert "EU27" in result.output or "USA" in result.output
    assert "Solver:" in result.output


def test_simulate_bad_input_is_a_clear_error():
    unknown = runner.invoke(app, ["simulate", "--tariff", "USA:XXX:25"])
    assert unknown.exit_code == 2 and "unknown country 'XXX'" in unknown.output
    malformed = runner.invoke(app, ["simulate", "--tariff", "USA-CHN-25"])
    assert malformed.exit_code == 2 and "expected IMPORTER:EXPORTER:POINTS" in malformed.output
    nothing = runner.invoke(app, ["simulate"])
    assert nothing.exit_code == 2 and "nothing to simulate" in nothing.output
    floor = runner.invoke(app, ["simulate", "--tariff", "USA:CHN:-150"])
    assert floor.exit_code == 2 and "above -1 (-100%)" in floor.output
