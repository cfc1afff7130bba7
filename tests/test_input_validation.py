"""One validation of user input (policy/validation.py), and issue 17's bad-input cases on the
command line (exit code 2, no traceback, the problem named in the user's units) and the web API
(a 422 that names it).

Provenance of the expected values: the bounds and units documented in
``tradewar.policy.validation`` (points: -100 < change <= 1,000; rates are fractions; days
2018-01-01 to 2030-12-31), the Gregorian calendar (February 2025 has 28 days), and the
compact grouping's 13 regions (``tradewar.world.aggregate``). Cost: about 25 s in all (three
solves of london-2025 on the compact world and a web client); the rest is under a second.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from typer.testing import CliRunner

from tradewar.cli import app
from tradewar.policy.validation import (
    InputError,
    TariffChange,
    apply_tariff_changes,
    parse_against,
    parse_tariff_spec,
    tariff_change,
)
from tradewar.simulation import ScenarioOverrides, run_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def default_world():
    from tradewar.world.library import load_world

    return load_world()


def _refused(argv: list[str], *fragments: str) -> str:
    """Run the CLI: exit code 2, no traceback, every fragment in the message."""
    result = runner.invoke(app, argv)
    output = " ".join(result.output.split())  # rich wraps long lines
    assert result.exit_code == 2, (argv, result.exit_code, result.output, result.exception)
    assert "Traceback" not in output, output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    return output


# ---------------------------------------------------------------------- the library's checks
def test_units_bounds_and_types():
    """Points and rates are converted in one place; the bounds hold in both units; booleans and
    text are not numbers; errors speak the unit the user typed."""
    assert tariff_change(25) == pytest.approx(0.25)
    assert tariff_change(0.25, "rate", "rate") == 0.25
    assert tariff_change(1000) == pytest.approx(10.0)  # the upper bound is allowed
    for value, fragment in ((1e9, "1e+09 points is above the 1,000 points allowed"),
                            (-100, "at or below -100 points"), (True, "must be a number"),
                            ("25", "must be a number"), (float("nan"), "finite")):
        with pytest.raises(InputError, match="percentage points") as error:
            tariff_change(value)
        assert fragment in str(error.value)
    with pytest.raises(InputError, match="did you mean 0.25") as error:
        tariff_change(25, "rate", "rate")
    assert "points" not in str(error.value)  # a rate's error speaks in fractions


def test_dates_and_starting_points():
    assert str(parse_against("2025-06-10")) == "2025-06-10"
    assert parse_against("london-2025") == "london-2025"
    with pytest.raises(InputError, match="2025-02-30 is not a date: February 2025 has 28 days"):
        parse_against("2025-02-30")
    for far in ("1900-01-01", "9999-12-31"):
        with pytest.raises(InputError, match="outside the span the measure library covers, 2018-01-01 to 2030-12-31"):
            parse_against(far)


def test_tariff_specs_and_their_application(default_world):
    """Own-country tariffs are refused; a change lands on exactly its cells; stacked cuts that
    leave a tariff at or below -100% are refused, in points."""
    with pytest.raises(InputError, match="cannot put a tariff on its own goods"):
        parse_tariff_spec("USA:USA:25")
    with pytest.raises(InputError, match="not a number of percentage points"):
        parse_tariff_spec("USA:CHN:lots")
    change = parse_tariff_spec("USA:CHN:25:Agriculture")
    assert change == TariffChange("USA", "CHN", 0.25, ("Agriculture",), "points", "--tariff USA:CHN:25:Agriculture")
    base = default_world.tariff
    new = apply_tariff_changes(default_world, base, [change])
    diff = (new - base).values
    i, k, j = (default_world.countries.index("USA"), default_world.countries.index("CHN"),
               default_world.sectors.index("Agriculture"))
    assert diff[i, k, j] == pytest.approx(0.25) and np.count_nonzero(diff) == 1
    cut = parse_tariff_spec("USA:CHN:-99")
    with pytest.raises(
        InputError,
        match=r"-99 points brings USA's tariff on Agriculture from CHN from -98.06% to -197.1%, at or below -100%",
    ):
        apply_tariff_changes(default_world, base, [cut, cut])
    with pytest.raises(InputError, match="unknown country or group 'XYZ'"):
        apply_tariff_changes(default_world, base, [parse_tariff_spec("USA:XYZ:10")])


def test_overrides_check_their_words():
    with pytest.raises(InputError, match="regions: unknown 'compakt' \\(did you mean 'compact'\\?\\)"):
        ScenarioOverrides(regions="compakt")
    with pytest.raises(InputError, match="deficits"):
        ScenarioOverrides(deficits="none")
    assert not ScenarioOverrides() and ScenarioOverrides().tag() == ""


# ---------------------------------------------------------------------- the command line
@pytest.mark.parametrize(("argv", "fragments"), [
    (["simulate", "--tariff", "USA:USA:25", "--no-report"], ["cannot put a tariff on its own goods"]),
    (["simulate", "--tariff", "USA:CHN:1e9", "--no-report"], ["1e+09 points is above the 1,000 points allowed",
                                                             "percentage points"]),
    (["simulate", "--tariff", "USA:CHN:-99", "--tariff", "USA:CHN:-99", "--no-report"],
     ["-99 points brings USA's tariff on", "at or below -100%"]),
    (["simulate", "--draws", "0"], ["--draws 0: give at least 1 draw"]),
    (["simulate", "--against", "2025-02-30", "--no-report"], ["2025-02-30 is not a date: February 2025 has 28 days"]),
    (["simulate", "--regions", "compakt", "--no-report"], ["did you mean 'compact'"]),
    (["timeline", "--from", "1900-01-01", "--to", "2100-01-01"], ["--from 1900-01-01 is outside the span"]),
    (["war", "USA", "USA"], ["USA named more than once"]),
])
def test_cli_refuses_bad_input(argv, fragments):
    output = _refused(argv, *fragments)
    assert "nknown scenario" not in output


def test_cli_countries_must_exist():
    """``--countries XYZ`` used to be ignored silently (one solve of london-2025)."""
    _refused(["simulate", "london-2025", "--regions", "compact", "--countries", "XYZ", "--no-report"],
             "--countries: unknown country 'XYZ'")


def test_cli_files_that_cannot_be_used(tmp_path):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    _refused(["simulate", str(latin1), "--no-report"], "not UTF-8 text", "save the file as UTF-8")
    text = tmp_path / "x.npz"
    text.write_text("not a world\n")
    output = _refused(["simulate", "--world", str(text), "--no-report"], "is not a tradewar world file")
    assert "pickle" not in output
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    _refused(["simulate", "--world", str(other), "--no-report"], "is not a tradewar world file", "it lacks trade")
    missing = tmp_path / "no" / "such" / "folder"
    _refused(["simulate", "--report", str(missing / "r.html")], "--report", "does not exist")
    _refused(["timeline", "--chart", str(missing / "c.html")], "--chart", "does not exist")


@pytest.fixture(scope="module")
def compact_run():
    return run_scenario("london-2025", overrides=ScenarioOverrides(regions="compact"))


def test_sectors_hit_lists_falls_only(compact_run):
    """The "largest falls" table lists only sectors whose output falls."""
    from tradewar.cli.simulate import _sectors_hit

    table = _sectors_hit(compact_run.result, ["USA", "CHN"])
    cells = [cell for column in table.columns for cell in column._cells if cell and cell != "(no other fall)"]
    values = [float(cell.rsplit(" ", 1)[1]) for cell in cells]
    assert values and all(value < 0 for value in values), cells


def test_small_worlds_show_every_region(compact_run):
    """``--regions compact`` shows every region (15 on london-2025's world, icio2022: the 13 of
    wiod2011 plus VNM and ASEAN), not the two sides and three others."""
    from tradewar.report.tables import focus_countries, headline_countries

    shown = headline_countries(compact_run.result, focus_countries(compact_run), others=3)
    assert len(compact_run.result.countries) == 15 and sorted(shown) == sorted(compact_run.result.countries)


def test_extra_tariffs_leave_a_trace(tmp_path, monkeypatch):
    """Extra tariffs appear in the JSON, the printed output and the report, and the report goes to
    its own default file instead of overwriting the scenario's."""
    monkeypatch.chdir(tmp_path)
    args = ["simulate", "london-2025", "--regions", "compact", "--tariff", "USA:CHN:10"]
    document = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert document["extra_tariffs"] == [{"importer": "USA", "exporter": "CHN", "sectors": "goods", "rate": 0.1,
                                          "points": 10.0}]
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0, printed.output
    assert "Extra tariff on top: USA on CHN (goods): +10 points" in printed.output
    reports = list(tmp_path.glob("tradewar-report-london-2025*.html"))
    assert len(reports) == 1 and reports[0].name != "tradewar-report-london-2025.html"
    assert "USA on CHN (goods): +10 points" in reports[0].read_text()


# ---------------------------------------------------------------------- the web API
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient
    from tradewar.web import create_app

    # Its own run store, and a loopback Host (the server answers only to the names it serves).
    store = tmp_path_factory.mktemp("runs") / "runs.sqlite3"
    with TestClient(create_app(workers=1, store=store), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _tariffs(*changes):
    return {"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", **c} for c in changes]}


@pytest.mark.parametrize(("body", "fragments"), [
    (_tariffs({"rate": True}), ["must be a number"]),
    (_tariffs({"rate": "0.1"}), ["must be a number"]),
    (_tariffs({"points": -99}, {"points": -99}), ["-99 points brings", "at or below -100%"]),
    (_tariffs({"points": 5000}), ["5,000 points is above the 1,000 points allowed", "percentage points"]),
    (_tariffs({"points": 10, "rate": 0.1}), ["rate", "or as points"]),
    ({"date": "9999-12-31"}, ["outside the span the measure library covers"]),
    ({"scenario": "london-2025", "against": "2045-01-01"}, ["outside the span"]),
])
def test_web_refuses_bad_input(client, body, fragments):
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    for fragment in fragments:
        assert fragment in detail, (fragment, detail)
    if any("points" in change for change in body.get("tariffs", [])) and "rate" not in str(body):
        assert "0." not in detail  # the page's points box gets points back, never fractions


def test_web_points_are_the_pages_unit():
    """``points`` and ``rate`` name the same change: 25 points = rate 0.25 (checked without solving)."""
    from tradewar.web.models import RunRequest
    from tradewar.web.service import prepare_run

    by_points = prepare_run(RunRequest.model_validate(_tariffs({"points": 25})))
    by_rate = prepare_run(RunRequest.model_validate(_tariffs({"rate": 0.25})))
    assert [c.rate for c in by_points.overrides.tariffs] == [c.rate for c in by_rate.overrides.tariffs] == [0.25]
    assert by_points.overrides.tariffs[0].amount() == "25 points"
    assert by_rate.overrides.tariffs[0].amount() == "rate 0.25"


def test_web_timeline_window_is_bounded(client):
    response = client.get("/api/timeline", params={"start": "2018-01-01", "end": "2100-01-01"})
    assert response.status_code == 422 and "outside the span" in response.json()["detail"]


def test_invalid_input_errors_are_tradewar_errors():
    """The CLI turns every TradewarError into exit code 2; InputError is one."""
    from tradewar.errors import TradewarError

    assert issubclass(InputError, TradewarError) and issubclass(InputError, ValueError)
