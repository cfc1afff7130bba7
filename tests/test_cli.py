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
