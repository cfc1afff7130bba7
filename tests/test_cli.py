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
    assert round(mexico["welfare_first_order_pct"], 2) == mexico["published"]["welfare_first_order_pct"] == 1.31
    assert "welfare_pct" in mexico  # the exact change in real income, as in every other output
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


def test_simulate_json_documented_keys(tmp_path):
    """``tradewar simulate --json`` (default scenario london-2025) prints the documented
    document; an extra --tariff on top lowers U.S. imports from China."""
    result = runner.invoke(app, ["simulate", "--tariff", "USA:CHN:25", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"scenario", "world", "date", "solver", "countries", "bilateral"} <= set(document)
    assert document["scenario"] == "london-2025" and document["date"] == "2025-06-10"
    assert document["world"] == "icio2022"  # london-2025 names the 2022 world (issue 13)
    assert document["solver"]["residual"] < 1e-9 and document["solver"]["iterations"] >= 1
    usa = document["countries"]["USA"]
    assert set(usa) == {"welfare_pct", "welfare_first_order_pct", "real_gdp_pct", "nominal_gdp_pct", "real_wage_pct",
                        "price_index_pct", "exports_pct", "imports_pct", "tariff_revenue_usd_mn"}
    assert document["closure"] == {"revenue": "rebate", "deficits": "fixed"}
    totals = {(row["exporter"], row["importer"]): row for row in document["bilateral"] if row["sector"] == "all"}
    assert totals[("CHN", "USA")]["change_pct"] < 0
    assert {"exporter", "importer", "sector", "baseline_usd_mn", "change_pct"} == set(document["bilateral"][0])


def test_simulate_writes_a_light_report_or_a_self_contained_one(tmp_path):
    """By default the report loads one plotly.min.js written beside it (issue 17: reports weighed
    about 5 MB, 4.8 MB of it plotly.js) and says so if the script goes missing; --self-contained
    puts plotly.js inside the file, so that it opens anywhere on its own."""
    path = tmp_path / "report.html"
    result = runner.invoke(app, ["simulate", "london-2025", "--regions", "compact", "--report", str(path)])
    assert result.exit_code == 0, result.output
    page = path.read_text()
    assert 'src="plotly.min.js"' in page and (tmp_path / "plotly.min.js").is_file()
    assert "The charts need plotly.min.js" in page  # shown only if the script is missing
    assert path.stat().st_size < 1_000_000
    assert "Welfare change by region" in page and "EU27" in page
    alone = tmp_path / "alone" / "report.html"
    alone.parent.mkdir()
    result = runner.invoke(app, ["simulate", "london-2025", "--regions", "compact", "--report", str(alone),
                                 "--self-contained"])
    assert result.exit_code == 0, result.output
    page = alone.read_text()
    assert "<script src=" not in page and not (alone.parent / "plotly.min.js").exists()
    assert alone.stat().st_size > 3_000_000  # plotly.js inline: opens offline


def test_simulate_a_scenario_file_against_a_date(tmp_path):
    """A user's TOML scenario with its own measure, measured against another date. It names no
    world and is dated 2025: it runs on icio2022 (the default from 2023 on), and says so."""
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\ndate = 2025-06-10\n[[measure]]\nid = "X1"\nkind = "tariff"\nimposer = "USA"\n'
        'targets = ["GBR"]\nsectors = "goods"\nrate = 0.2\n'
    )
    result = runner.invoke(app, ["simulate", str(path), "--against", "2025-06-09", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["scenario"] == "mine"
    assert document["against"] == "the measures in force on 2025-06-09 (on icio2022)"
    assert document["world"].startswith("icio2022")
    assert document["countries"]["GBR"]["exports_pct"] < 0


def test_simulate_bad_input_is_a_clear_error(tmp_path):
    unknown = runner.invoke(app, ["simulate", "--tariff", "USA:XXX:25", "--no-report"])
    assert unknown.exit_code == 2 and "unknown country or group 'XXX'" in unknown.output
    malformed = runner.invoke(app, ["simulate", "--tariff", "USA-CHN-25", "--no-report"])
    assert malformed.exit_code == 2 and "expected IMPORTER:EXPORTER:POINTS" in malformed.output
    floor = runner.invoke(app, ["simulate", "--tariff", "USA:CHN:-250", "--no-report"])
    assert floor.exit_code == 2 and "-100%" in floor.output
    missing = runner.invoke(app, ["simulate", "no-such-scenario", "--no-report"])
    assert missing.exit_code == 2 and "Unknown scenario 'no-such-scenario'" in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\ndate = 2025-06-10\n[[measure]]\nid = "X1"\nkind = "tariff"\n'
                   'imposer = "USA"\ntargets = ["CHN"]\nrate = -3\n')
    located = runner.invoke(app, ["simulate", str(bad), "--no-report"])
    assert located.exit_code == 2
    assert "bad.toml, line 8" in " ".join(located.output.split()) and "rate" in located.output


def test_compare_two_scenarios():
    result = runner.invoke(app, ["compare", "pre-2025", "london-2025", "--json"])
    assert result.exit_code == 0, result.output
    names = [document["scenario"] for document in json.loads(result.output)["scenarios"]]
    assert names == ["pre-2025", "london-2025"]


def test_timeline_json_and_scenarios():
    result = runner.invoke(app, ["timeline", "--from", "2025-01-01", "--to", "2025-12-31", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert {"series", "steps", "collected_2024"} == set(document)
    assert {"date", "importer", "exporter", "average_tariff_pct", "basis"} == set(document["series"][0])
    assert len(document["series"]) == 2 * 365
    listed = runner.invoke(app, ["scenarios", "--json"])
    names = {row["name"] for row in json.loads(listed.output)}
    assert {"trade-war-2019", "phase-one-2020", "pre-2025", "liberation-day-2025", "geneva-2025", "london-2025",
            "busan-2025", "latest"} <= names
    backwards = runner.invoke(app, ["timeline", "--from", "2025-01-01", "--to", "2024-01-01"])
    assert backwards.exit_code == 2 and "before --from" in backwards.output


def test_simulate_flags_large_fixed_trade_balances(tmp_path):
    """Identity of the closure: with deficits fixed in dollars, spending = value added + deficit,
    so an economy whose balance is a large share of its value added (icio2022: Ireland's surplus
    40%, CSO; DR Congo's 26%, imputed) has its welfare magnified; the table says so, and with
    --deficits zero (balances zero) it does not."""
    fixed = runner.invoke(app, ["simulate", "london-2025", "--countries", "IRL,USA",
                                "--report", str(tmp_path / "r.html")])
    assert fixed.exit_code == 0, fixed.output
    text = " ".join(fixed.output.split())
    note = text[text.index("Note: "):]
    assert note.startswith("Note: IRL (surplus 40% of value added)") and "USA (" not in note
    assert "only eleven economies' balances are published" in note
    zero = runner.invoke(app, ["simulate", "london-2025", "--countries", "IRL,USA", "--deficits", "zero",
                               "--report", str(tmp_path / "r.html")])
    assert zero.exit_code == 0 and "Note:" not in zero.output
