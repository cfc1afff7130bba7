"""The web API (``tradewar serve``): lists, runs, progress, results, the timeline, and every bad request.

Runs are solved by worker processes and kept in a SQLite file under pytest's temporary folder.
Cost: about 40 s on two cores (most of it the twenty concurrent runs).
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # recent starlette asks for httpx2 in its test client; httpx works
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

from typer.testing import CliRunner

from tradewar.cli import app as cli_app
from tradewar.web import create_app
from tradewar.web.models import MAX_TOML_BYTES

COUNTRY_FIELDS = {"welfare_pct", "welfare_first_order_pct", "real_gdp_pct", "nominal_gdp_pct",
                  "real_wage_pct", "price_index_pct", "exports_pct", "imports_pct",
                  "tariff_revenue_usd_mn"}
MY_SCENARIO = """\
name = "mine"
description = "London plus 20 points on British goods"
date = 2025-06-10

[[measure]]
id = "X1"
kind = "tariff"
imposer = "USA"
targets = ["GBR"]
sectors = "goods"
rate = 0.2
"""


# A tariff the solver cannot handle: 1,000% on everything the United States buys, with fixed deficits:
# Luxembourg could not finance its deficit (the engine's NoEquilibriumError).
NO_EQUILIBRIUM = """\
name = "autarky"
date = 2025-06-10
deficits = "fixed"

[[measure]]
id = "X1"
kind = "tariff"
imposer = "USA"
targets = ["*"]
sectors = "all"
rate = 10
"""


def app_client(store: Path, **options) -> TestClient:
    """A test client of a fresh app keeping its runs in ``store`` (loopback Host, as a browser here sends)."""
    return TestClient(create_app(store=store, **options), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_client(tmp_path_factory.mktemp("runs") / "runs.sqlite3", workers=2) as test_client:
        yield test_client


def wait(client, run_id: str, timeout: float = 120.0) -> tuple[dict, list[dict]]:
    """Poll a run until it is done or failed; the final status and every status seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/api/runs/{run_id}")
        assert response.status_code == 200, response.text
        status = response.json()
        seen.append(status)
        if status["status"] in ("done", "failed"):
            return status, seen
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s: {seen[-1]}")


def submit(client, body: dict) -> dict:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def run_to_end(client, body: dict) -> tuple[dict, dict]:
    created = submit(client, body)
    status, _ = wait(client, created["id"])
    assert status["status"] == "done", status
    result = client.get(f"/api/runs/{created['id']}/result")
    assert result.status_code == 200, result.text
    return status, result.json()


@pytest.fixture(scope="module")
def london(client):
    """london-2025 run once: (created, statuses seen while polling, final status)."""
    created = submit(client, {"scenario": "london-2025"})
    final, seen = wait(client, created["id"])
    return created, seen, final


# ---------------------------------------------------------------------- lists
def test_lists_worlds_and_scenarios(client):
    worlds = client.get("/api/worlds").json()
    assert {"name": "wiod2011", "embedded": True, "default": True} in worlds
    scenarios = {s["name"]: s for s in client.get("/api/scenarios").json()}
    assert scenarios["london-2025"]["date"] == "2025-06-10"
    assert "London" in scenarios["london-2025"]["description"]
    assert all({"name", "date", "description", "world"} <= set(s) for s in scenarios.values())
    assert all("file" not in s and "path" not in s for s in scenarios.values())  # no server paths


def test_world_and_scenario_details(client):
    world = client.get("/api/worlds/wiod2011").json()
    assert "USA" in world["countries"] and "Metals" in world["goods"] and "EU27" in world["groups"]
    detail = client.get("/api/scenarios/rare-earth-ban").json()
    assert "Rare earths" in detail["sectors"]  # the split's sector: the form offers it
    assert detail["toml"].startswith("#") or "name" in detail["toml"]
    assert client.get("/api/scenarios/no-such").status_code == 404
    assert client.get("/api/worlds/no-such").status_code == 404


def test_health_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    for path in ("/api/runs", "/api/runs/{run_id}", "/api/runs/{run_id}/result", "/api/runs/{run_id}/csv/{level}",
                 "/api/timeline", "/api/scenarios", "/api/worlds", "/api/scenarios/check"):
        assert path in spec["paths"], path
    assert "RunRequest" in spec["components"]["schemas"]


def test_pages_load_nothing_from_elsewhere(client):
    """The page and the docs page are served here and name no other host; plotly.js comes
    from the plotly package; FastAPI's CDN-based docs are off."""
    for path in ("/", "/docs", "/static/app.js", "/static/docs.js", "/static/style.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "http://" not in response.text and "https://" not in response.text, path
    assert "/static/plotly.min.js" in client.get("/").text
    plotly = client.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert client.get("/redoc").status_code == 404
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


# ---------------------------------------------------------------------- a run, end to end
def test_run_london_to_completion(client, london):
    """The bar never goes back: the solver's residual can rise for a while (Anderson
    acceleration), which made this test fail about 2 runs in 3 when the fraction followed it;
    the fraction shown is now the largest so far."""
    created, seen, final = london
    assert created["status"] in ("queued", "running") and len(created["id"]) == 32
    assert created["links"]["self"] == f"/api/runs/{created['id']}"
    assert final["status"] == "done" and final["error"] is None
    assert final["progress"]["fraction"] == 1.0
    assert final["progress"]["iterations"] > 10 and final["progress"]["residual"] < 1e-9
    assert final["elapsed_s"] > 0
    fractions = [s["progress"]["fraction"] for s in seen]
    assert fractions == sorted(fractions)  # the bar never goes back
    assert set(final["links"]) >= {"result", "charts", "csv_country", "csv_sector", "csv_bilateral"}


def test_result_json_is_the_simulate_document(client, london):
    """The result is the document of ``tradewar simulate --json`` (same numbers)."""
    from tradewar import run_scenario

    created, _, _ = london
    document = client.get(f"/api/runs/{created['id']}/result").json()
    assert {"scenario", "world", "date", "against", "deficits", "solver", "countries", "bilateral",
            "sector_output_pct", "purchase_commitments"} <= set(document)
    assert document["scenario"] == "london-2025" and document["date"] == "2025-06-10"
    assert set(document["countries"]["USA"]) == COUNTRY_FIELDS
    assert document["solver"]["residual"] < 1e-9
    direct = run_scenario("london-2025").result.country_table()
    assert document["countries"]["CHN"]["welfare_pct"] == pytest.approx(direct.loc["CHN", "welfare_pct"], abs=1e-9)
    totals = {(r["exporter"], r["importer"]): r for r in document["bilateral"] if r["sector"] == "all"}
    assert totals[("CHN", "USA")]["change_pct"] < 0


def test_result_csv(client, london):
    created, _, _ = london
    base = f"/api/runs/{created['id']}"
    document = client.get(f"{base}/result").json()
    response = client.get(f"{base}/csv/country")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(document["countries"])
    usa = next(row for row in rows if row["country"] == "USA")
    assert float(usa["welfare_pct"]) == pytest.approx(document["countries"]["USA"]["welfare_pct"], rel=1e-8)
    sector = list(csv.DictReader(io.StringIO(client.get(f"{base}/csv/sector").text)))
    assert {"country", "sector", "output", "price"} <= set(sector[0])
    bilateral = client.get(f"{base}/csv/bilateral").text.splitlines()
    assert bilateral[0].startswith("importer,exporter,sector,trade_baseline,trade_new")
    assert client.get(f"{base}/csv/everything").status_code == 422


def test_result_charts(client, london):
    created, _, _ = london
    charts = client.get(f"/api/runs/{created['id']}/charts").json()
    assert {"map", "sectors", "bilateral", "third_countries", "welfare", "timeline"} <= set(charts)
    assert "Welfare change by region" in charts["map"]["layout"]["title"]["text"]
    assert {trace["name"] for trace in charts["sectors"]["data"]} == {"USA", "CHN"}


def test_extra_tariff_and_export_ban(client):
    """A form's extra tariff and export ban change the result: China's sales of metals to the
    United States stop, and U.S. imports from China fall further."""
    _, plain = run_to_end(client, {"scenario": "london-2025"})
    _, changed = run_to_end(client, {
        "scenario": "london-2025",
        "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 0.25}],
        "export_controls": [{"imposer": "CHN", "targets": ["USA"], "sectors": ["Non-ferrous metals"], "ban": True}],
    })
    def flows(document):
        return {(r["exporter"], r["importer"], r["sector"]): r["change_pct"] for r in document["bilateral"]}
    assert flows(changed)[("CHN", "USA", "Non-ferrous metals")] == pytest.approx(-100.0)
    assert flows(changed)[("CHN", "USA", "all")] < flows(plain)[("CHN", "USA", "all")]
    assert changed["request"]["tariffs"][0]["rate"] == 0.25
    assert "1 tariff change and 1 export control" in changed["label"]


def test_run_a_date_and_against(client):
    _, document = run_to_end(client, {"date": "2019-12-01", "against": "2018-01-01"})
    assert document["date"] == "2019-12-01"
    assert "2018-01-01" in document["against"]
    assert document["countries"]["CHN"]["welfare_pct"] < 0
    _, versus = run_to_end(client, {"scenario": "london-2025", "against": "pre-2025"})
    assert "pre-2025" in versus["against"]


def test_london_measures_on_icio2022(client):
    """The measures in force on the London talks' day through the API, no world named: the date
    rule that `tradewar simulate` uses picks icio2022 (2023 or later); the document names it and
    has its 80 economies, and the map draws every one of them (an outline, or a dot for Malta,
    Hong Kong, Singapore and Sao Tome), with the countries outside the closed world grey.
    Expected values: the world's own labels (identity). Cost: about 5 s (one 80 x 50 solve)."""
    created = submit(client, {"date": "2025-06-10"})
    status, _ = wait(client, created["id"])
    assert status["status"] == "done", status
    document = client.get(f"/api/runs/{created['id']}/result").json()
    assert document["world"] == "icio2022"
    economies = set(client.get("/api/worlds/icio2022").json()["countries"])
    assert len(economies) == 80 and set(document["countries"]) == economies
    charts = client.get(f"/api/runs/{created['id']}/charts").json()
    drawn = {trace.get("name") for trace in charts["map"]["data"]}
    dots = {text.split(":")[0] for trace in charts["map"]["data"] if trace.get("mode") == "markers"
            for text in (trace.get("text") or [])}
    assert economies <= drawn | dots, sorted(economies - drawn - dots)
    assert {"VNM", "MYS", "THA", "GBR", "MEX"} <= drawn
    assert "(not in this world)" in drawn and "outside this world" in charts["map"]["layout"]["annotations"][0]["text"]
    assert {trace["name"] for trace in charts["sectors"]["data"]} == {"USA", "CHN"}
    bad = client.post("/api/runs", json={"date": "2025-06-10", "world": "icio2023"})
    assert bad.status_code == 422 and "icio2023" in bad.text


def test_run_under_another_closure_and_set(client):
    """The request's elasticity set, horizon and closure reach the solver and the document records
    them (as ``tradewar simulate --json`` does). Cost: about 2 s (one solve)."""
    _, document = run_to_end(client, {"scenario": "london-2025", "revenue": "deficit-reduction",
                                      "elasticities": "fontagne2022", "horizon": "short"})
    assert document["closure"] == {"revenue": "deficit-reduction", "deficits": "fixed"}
    assert (document["elasticities"], document["horizon"]) == ("fontagne2022", "short")
    assert "real_gdp_pct" in document["countries"]["USA"]


def test_run_an_uploaded_scenario(client):
    check = client.post("/api/scenarios/check", json={"toml": MY_SCENARIO})
    assert check.status_code == 200, check.text
    assert check.json()["name"] == "mine" and check.json()["measures"] == 1
    _, document = run_to_end(client, {"toml": MY_SCENARIO})
    assert document["scenario"] == "mine"
    assert "your scenario" in document["label"]


def test_timeline(client):
    response = client.get("/api/timeline", params={"a": "USA", "b": "CHN", "start": "2018-01-01",
                                                   "end": "2020-12-31"})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["between"] == ["USA", "CHN"]
    series = document["series"]
    assert {row["importer"] for row in series} == {"USA", "CHN"}
    usa = [row for row in series if row["importer"] == "USA"]
    assert usa[0]["date"] == "2018-01-01" and usa[-1]["date"] == "2020-12-31"
    assert usa[-1]["average_tariff_pct"] > usa[0]["average_tariff_pct"] + 5  # the 2018-2019 war
    assert any(step["event"] == "starts" and step["date"].startswith("2018") for step in document["steps"])
    assert {"date", "measure_id", "kind", "event", "description"} == set(document["steps"][0])
    daily = client.get("/api/timeline", params={"start": "2018-01-01", "end": "2018-01-31", "daily": True}).json()
    assert len(daily["series"]) == 2 * 31


# ---------------------------------------------------------------------- bad requests
BAD_RUNS = [
    ({}, 422, "exactly one of scenario"),
    ({"scenario": "london-2025", "revenue": "refund"}, 422, "'rebate' or 'deficit-reduction'"),
    ({"scenario": "london-2025", "elasticities": "cp2016"}, 422, "'cp2015' or 'fontagne2022'"),
    ({"scenario": "london-2025", "date": "2025-01-01"}, 422, "exactly one of"),
    ({"scenario": "no-such-scenario"}, 422, "unknown scenario 'no-such-scenario'"),
    ({"scenario": "../../etc/passwd"}, 422, "unknown scenario"),
    ({"scenario": "london-2025", "against": "/etc/passwd"}, 422, "neither a date"),
    ({"scenario": "london-2025", "against": "2025-02-30"}, 422, "is not a date: February 2025 has 28 days"),
    ({"date": "2025-02-30"}, 422, "date"),
    ({"date": "2025-06-10", "world": "/tmp/evil.npz"}, 422, "unknown world"),
    ({"scenario": "london-2025", "world": "wiod2011"}, 422, "world goes with date"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "XYZ", "rate": 0.1}]},
     422, "tariffs[0].exporter: unknown country or group 'XYZ'"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 0.1,
                                              "sectors": ["Widgets"]}]}, 422, "unknown sector 'Widgets'"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 25}]},
     422, "did you mean 0.25"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": -1}]},
     422, "at or below -1 (-100%)"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "USA", "rate": 0.1}]},
     422, "both 'USA'"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "EU27", "exporter": "DEU", "rate": 0.1}]},
     422, "on both sides"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": "lots"}]},
     422, "tariffs[0].rate"),
    ({"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN"}]}, 422,
     "tariffs[0]: give the change as rate"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                      "tax_equivalent": -0.5}]}, 422, "negative"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                      "tax_equivalent": 50}]}, 422, "above 10"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"]}]},
     422, "or ban = true"),
    # The page's export-tax box is in percent (issue 17): its errors speak in percent.
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                      "tax_points": 5000}]}, 422,
     "export tax of 5,000% is above 1,000%"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                      "tax_points": -5}]}, 422, "export tax of -5% is negative"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                      "tax_points": True}]}, 422, "tax_points must be a number"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"], "tax_points": 20,
                                                      "tax_equivalent": 0.2}]}, 422, "give the export tax once"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["USA"], "ban": True,
                                                      "tax_equivalent": 0.2}]}, 422, "not both"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["ATLANTIS"], "ban": True}]},
     422, "unknown country or group 'ATLANTIS'"),
    ({"scenario": "london-2025", "export_controls": [{"imposer": "CHN", "targets": ["CHN"], "ban": True}]},
     422, "among its own targets"),
    ({"scenario": "london-2025", "colour": "red"}, 422, "colour"),
    ({"toml": 'name = "x"\nworld = "/etc/evil.npz"\n'}, 422, "world files cannot be named"),
    ({"toml": 'name = "x"\nsplits = ["/etc/evil.toml"]\n'}, 422, "split files cannot be named"),
    ({"toml": 'name = "x"\nagainst = "../secret.toml"\n'}, 422, "neither a date"),
    ({"toml": 'name = "x"\ndate = 2025-06-10\n[[measure]]\nid = "X1"\nkind = "tariff"\nimposer = "USA"\n'
              'targets = ["NARNIA"]\nrate = 0.1\n'}, 422, "NARNIA"),
]


@pytest.mark.parametrize(("body", "status", "fragment"), BAD_RUNS, ids=[f"bad{k}" for k in range(len(BAD_RUNS))])
def test_bad_run_requests(client, body, status, fragment):
    response = client.post("/api/runs", json=body)
    assert response.status_code == status, response.text
    error = response.json()
    assert fragment in error["detail"], error
    assert isinstance(error["errors"], list)


def test_export_tax_in_percent_equals_the_fraction():
    """The page sends tax_points (percent, as typed); the engine gets the same fraction as
    tax_equivalent (one conversion, in the request model)."""
    from tradewar.web.models import ExtraExportControl

    in_points = ExtraExportControl(imposer="CHN", targets=["USA"], tax_points=25)
    as_fraction = ExtraExportControl(imposer="CHN", targets=["USA"], tax_equivalent=0.25)
    assert in_points.tax_equivalent == as_fraction.tax_equivalent == 0.25


def test_malformed_toml_names_its_line(client):
    text = 'name = "broken"\ndate = 2025-06-10\nrate = = 0.1\n'
    for response in (client.post("/api/runs", json={"toml": text}),
                     client.post("/api/scenarios/check", json={"toml": text})):
        assert response.status_code == 422
        error = response.json()
        assert "line 3" in error["detail"] and "invalid TOML" in error["detail"]
        assert error["errors"][0]["line"] == 3
    invalid = 'name = "x"\ndate = 2025-06-10\n\n[[measure]]\nid = "X1"\nkind = "tariff"\nimposer = "USA"\n' \
              'targets = ["CHN"]\nrate = -3\n'
    error = client.post("/api/runs", json={"toml": invalid}).json()
    assert error["errors"][0]["line"] == 9 and error["errors"][0]["field"] == "measure[0].rate"


def test_oversized_uploads(client):
    padding = "# " + "x" * 70 + "\n"
    text = 'name = "big"\n' + padding * (MAX_TOML_BYTES // len(padding) + 10)
    assert MAX_TOML_BYTES < len(text) < MAX_TOML_BYTES + 16 * 1024
    for path in ("/api/runs", "/api/scenarios/check"):
        response = client.post(path, json={"toml": text})
        assert response.status_code == 413, response.text
        assert "64 KB" in response.json()["detail"]
    huge = client.post("/api/runs", json={"toml": text * 4})
    assert huge.status_code == 413 and "64 KB" in huge.json()["detail"]
    # A body sent in chunks, with no length given, is cut off too.
    chunks = (b'{"toml": "' + b"#" * 8192 for _ in range(40))
    response = client.post("/api/runs", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_malformed_json_and_unknown_paths(client):
    response = client.post("/api/runs", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "not valid JSON" in response.json()["detail"]
    assert client.get("/api/runs/not-a-run").status_code == 404
    assert client.get("/api/runs/" + "0" * 32).status_code == 404
    assert client.get("/api/runs/" + "0" * 32 + "/result").status_code == 404
    assert client.get("/static/../../pyproject.toml").status_code == 404
    assert client.get("/static/index.html").status_code == 404  # only the named assets
    assert client.get("/api/scenarios/..%2F..%2Fpyproject").status_code == 404


def test_bad_timeline_requests(client):
    cases = [({"a": "USA", "b": "XYZ"}, "unknown country or group 'XYZ'"),
             ({"a": "USA", "b": "USA"}, "both 'USA'"),
             ({"start": "2020-01-01", "end": "2019-01-01"}, "before start"),
             ({"start": "2018-13-01"}, "start"),
             ({"start": "1900-01-01", "end": "2026-01-01"}, "outside the span the measure library covers"),
             ({"world": "/etc/evil.npz"}, "unknown world")]
    for params, fragment in cases:
        response = client.get("/api/timeline", params=params)
        assert response.status_code == 422, (params, response.text)
        assert fragment in response.json()["detail"], (params, response.json())


# ---------------------------------------------------------------------- runs that are not done
def test_results_wait_for_the_run_and_failures_are_reported(client):
    """A result asked for too early is a 409; a real solver failure (no equilibrium: the engine's
    own message) reaches the status with ``residual`` null and no crash."""
    running = submit(client, {"scenario": "london-2025"})
    early = client.get(f"/api/runs/{running['id']}/result")
    assert early.status_code == 409 and ("running" in early.json()["detail"] or "queued" in early.json()["detail"])
    failing = submit(client, {"toml": NO_EQUILIBRIUM})
    assert wait(client, running["id"])[0]["status"] == "done"
    failed, _ = wait(client, failing["id"])
    assert failed["status"] == "failed"
    assert "no economically meaningful equilibrium" in failed["error"] and "deficits='zero'" in failed["error"]
    assert failed["progress"]["residual"] is None or failed["progress"]["residual"] >= 0
    response = client.get(f"/api/runs/{failing['id']}/result")
    assert response.status_code == 409 and "failed: The shock has no" in response.json()["detail"]


@pytest.mark.slow  # a load test
def test_twenty_concurrent_requests(client):
    """20 users at once: each submits a run and polls it to the end; all complete, and equal
    requests give equal results."""
    bodies = [{"scenario": "london-2025"} if k % 2 == 0 else
              {"scenario": "london-2025", "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 0.1}]}
              for k in range(20)]
    outcomes: list = [None] * 20
    errors: list = []

    def user(k):
        try:
            created = client.post("/api/runs", json=bodies[k])
            assert created.status_code == 202, created.text
            status, _ = wait(client, created.json()["id"])
            assert status["status"] == "done", status
            document = client.get(f"/api/runs/{created.json()['id']}/result").json()
            outcomes[k] = document["countries"]["USA"]["welfare_pct"]
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append((k, repr(error)))

    threads = [threading.Thread(target=user, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors
    assert len({outcomes[k] for k in range(0, 20, 2)}) == 1
    assert len({outcomes[k] for k in range(1, 20, 2)}) == 1
    assert outcomes[0] != outcomes[1]


# ---------------------------------------------------------------------- the command
def test_serve_command_help_and_busy_port():
    runner = CliRunner()
    result = runner.invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "--port" in result.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(cli_app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert "already in use" in result.output


def test_old_runs_are_forgotten(tmp_path):
    """Finished runs keep their results for download, the most recent ones only; an older one's
    id still says what happened to it (410, not a misleading 404)."""
    with app_client(tmp_path / "runs.sqlite3", workers=1, keep_runs=2) as client:
        ids = []
        for _ in range(3):
            created = submit(client, {"scenario": "london-2025"})
            assert wait(client, created["id"])[0]["status"] == "done"
            ids.append(created["id"])
        forgotten = client.get(f"/api/runs/{ids[0]}/result")
        assert forgotten.status_code == 410 and "dropped" in forgotten.json()["detail"]
        assert client.get(f"/api/runs/{ids[0]}").json()["status"] == "done"
        assert client.get(f"/api/runs/{ids[2]}/csv/country").status_code == 200
