"""The results protocol (tradewar.results): every result has a summary that prints as text and
HTML, ``_repr_html_``, ``to_frame``, ``to_dict`` (exactly what ``--json`` prints) and, where it
holds arrays, ``to_netcdf`` with units on every variable.

Expected values come from identities: frame shapes are the world's dimensions (countries,
sectors, instruments, draws); a netCDF file read back equals the dataset written; a
document printed by a command equals the ``to_dict()`` of the result object that command
computed (captured as it ran), byte for byte; numbers in a document equal the same numbers
in the result's frames. Cost: about 18 s of CPU in all (about 50 s wall on a loaded 2-core
machine), most of it the two wars' gradients and the scenario runs (each test states its own).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from tests.conftest import random_world
from tradewar import simulate
from tradewar.cli import app
from tradewar.model.gravity import GravityModel
from tradewar.model.targets import solve_purchase_commitment, solve_quota
from tradewar.results import ArrayResult, Result, Summary, missing_units, netcdf_ready
from tradewar.simulation import ScenarioRun
from tradewar.strategy import TariffGame, best_response, nash_war, tariff_instruments
from tradewar.uncertainty import monte_carlo, montecarlo
from tradewar.uncertainty.montecarlo import MonteCarloResult
from tradewar.uncertainty.sweep import RunSpec, run_sweep
from tradewar.world.library import load_world, save_world

runner = CliRunner()


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    """A 3-country, 2-sector equilibrium world, saved as a world file (for the commands)."""
    return save_world(random_world(5, n_countries=3, n_sectors=2), tmp_path_factory.mktemp("world") / "small.npz")


@pytest.fixture(scope="module")
def small(small_file):
    """That world, read back (as the commands read it), and a 20-point tariff by C0 on C1."""
    world = load_world(str(small_file))
    tariff = world.tariff.values.copy()
    tariff[0, 1, :] += 0.2
    return world, tariff


@pytest.fixture(scope="module")
def game(small):
    """The small world's tariff game (one, so that its gradients are compiled once)."""
    return TariffGame(small[0])


@pytest.fixture(scope="module")
def war(game):
    """Two rounds of the C0-C1 tariff war on the small world."""
    return nash_war(game, ["C0", "C1"], max_rounds=2)


def check_protocol(result: Result, title_part: str, tmp_path, name: str) -> dict:
    """Checks every result must pass; returns its document (parsed back from JSON)."""
    summary = result.summary()
    assert isinstance(summary, Summary)
    text = str(summary)
    assert title_part in text and text == summary.as_text() == repr(result)
    html = result._repr_html_()
    assert html == summary.as_html() == summary._repr_html_()
    assert html.startswith('<div class="tradewar-summary">') and html.rstrip().endswith("</div>")
    assert "<table" in html or "(none)" in html
    document = json.loads(json.dumps(result.to_dict()))  # JSON-safe
    if isinstance(result, ArrayResult):
        dataset = result.to_dataset()
        assert missing_units(dataset) == [], f"variables without units: {missing_units(dataset)}"
        path = result.to_netcdf(tmp_path / f"{name}.nc")
        with xr.open_dataset(path) as read:
            xr.testing.assert_identical(read.load(), netcdf_ready(dataset))
    return document


def test_counterfactual_result(small, tmp_path):
    """Shapes are the world's dimensions; the document's welfare is the data's (percent of the hat);
    every variable of ``data`` has units. Cost: < 1 s."""
    world, tariff = small
    result = simulate(world, tariff=tariff)
    document = check_protocol(result, "Counterfactual on", tmp_path, "counterfactual")
    n, j = len(world.countries), len(world.sectors)
    assert result.to_frame("country").shape == (n, 13)  # 9 + welfare_first_order, real and nominal GDP, deficit change
    assert result.to_frame("sector").shape == (n * j, 6)
    assert result.to_frame("bilateral").shape == (n * n * j, 5)
    assert missing_units(result.data) == []
    assert result.data["welfare"].attrs["units"] == "ratio (new/baseline)"
    assert result.data["trade_new"].attrs["units"] == "USD millions"
    assert result.data["tariff_new"].attrs["units"] == "ad valorem rate (fraction)"
    for country in world.countries:
        assert document["countries"][country]["welfare_pct"] == pytest.approx(
            100 * (float(result.data["welfare"].sel(country=country)) - 1), rel=1e-15)
    # Only the given countries are summarised; the HTML escapes what it shows.
    assert "C2" not in result.summary(["C0", "C1"]).as_text().split("\n", 1)[1]


def test_target_results(small, tmp_path):
    """A quota at 80% of the flow binds (its flow equals the cap); a purchase target below the flow
    does not (rate 0). Cost: about 1 s."""
    world, tariff = small
    free = simulate(world, tariff=tariff)
    flow = float(free.data["trade_new"].sel(importer="C0", exporter="C1").sum())
    quota = solve_quota(world, exporter="C1", importer="C0", sectors="goods", cap_usd_mn=0.8 * flow, tariff=tariff)
    document = check_protocol(quota, "Quota on C1's sales to C0", tmp_path, "quota")
    assert document["binding"] is True and document["rate"] > 0
    assert document["value_usd_mn"] == pytest.approx(0.8 * flow, rel=1e-8)
    assert document["result"]["countries"].keys() == set(world.countries)
    assert quota.to_frame().shape == (len(world.countries), 13)
    ban = solve_quota(world, exporter="C1", importer="C0", sectors="S0", cap_usd_mn=0.0)
    assert ban.to_dict()["rate"] is None  # infinite (a ban) is null in JSON
    json.dumps(ban.to_dict(), allow_nan=False)
    purchase = solve_purchase_commitment(world, importer="C0", exporter="C1", sectors="goods",
                                         target_usd_mn=0.5 * flow, tariff=tariff)
    document = check_protocol(purchase, "Purchase commitment", tmp_path, "purchase")
    assert document["binding"] is False and document["rate"] == 0.0


def test_best_response_and_war_results(small, game, war, tmp_path):
    """The war's frames have one row per instrument and per country; its document's tariffs equal the
    frame's end tariffs. Cost: about 4 s (JAX gradients on the 3-country world)."""
    world, _ = small
    instruments = tariff_instruments(world, "C0", ["C1"])
    response = best_response(game, world.tariff.values, instruments)
    document = check_protocol(response, "Best response of C0", tmp_path, "best_response")
    assert set(document["tariffs_pct"]) == {"C1"} and response.to_frame().shape == (1, 1)
    document = check_protocol(war, "Tariff war between C0, C1", tmp_path, "war")
    tariffs = war.to_frame("tariffs")
    assert tariffs.shape == (2, 2)
    assert document["tariffs"]["C0"]["C1"] == pytest.approx(tariffs.loc[("C0", "C1", "all"), "end_pct"], rel=1e-15)
    assert war.to_frame("welfare").shape == (3, 1)
    assert war.to_frame("rounds").shape == (len(war.rounds), 1 + len(world.countries))
    assert document["world"] == world.name and document["solves"] == war.solves > 0


def test_war_cli_prints_to_dict(small_file, war):
    """``tradewar war --json`` prints ``WarResult.to_dict()`` of the same war, byte for byte (the war is
    deterministic: the fixture solved it on the same world file). Cost: about 4 s."""
    printed = runner.invoke(app, ["war", "C0", "C1", "--world", str(small_file), "--regions", "", "--max-rounds", "2",
                                  "--json"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == json.dumps(war.to_dict(), indent=2) + "\n"


@pytest.fixture
def captured(monkeypatch):
    """The documents that ``to_dict`` of the given result classes return while a command runs."""
    documents = []

    def capture(cls):
        original = cls.to_dict

        def recording(self, *args, **kwargs):
            document = original(self, *args, **kwargs)
            documents.append(json.loads(json.dumps(document)))  # as printed, before the command adds to it
            return document

        monkeypatch.setattr(cls, "to_dict", recording)
        return documents

    return capture


def test_simulate_and_compare_print_to_dict(captured, tmp_path):
    """``simulate --json`` prints ``ScenarioRun.to_dict()`` plus the report's path; ``compare --json``
    prints both runs' documents. Cost: about 4 s (three solves of the 13-region, 12-sector world)."""
    documents = captured(ScenarioRun)
    args = ["--regions", "compact", "--sectors", "broad"]
    printed = runner.invoke(app, ["simulate", "geneva-2025", *args, "--json"])
    assert printed.exit_code == 0, printed.output
    assert len(documents) == 1
    assert printed.output == json.dumps({**documents[0], "report": None}, indent=2) + "\n"
    run_keys = {"scenario", "world", "date", "deficits", "solver", "countries", "bilateral", "against",
                "purchase_commitments", "sector_output_pct", "closure", "elasticities", "horizon", "labour"}
    assert set(documents[0]) == run_keys
    documents.clear()
    printed = runner.invoke(app, ["compare", "trade-war-2019", "geneva-2025", "--json"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == json.dumps({"scenarios": documents}, indent=2) + "\n"
    assert [d["scenario"] for d in documents] == ["trade-war-2019", "geneva-2025"]


def test_scenario_run(tmp_path):
    """A solved scenario's frames are its result's; its dataset names the scenario. Cost: about 1 s."""
    from tradewar.policy.library import load_scenario
    from tradewar.policy.scenario import AggregateSpec
    from tradewar.simulation import run_scenario

    scenario = load_scenario("geneva-2025").model_copy(update={"aggregate": AggregateSpec(regions="compact",
                                                                                           sectors="broad")})
    run = run_scenario(scenario)
    document = check_protocol(run, "geneva-2025: Counterfactual on", tmp_path, "run")
    assert document["scenario"] == "geneva-2025" and document["date"] == run.on.isoformat()
    assert run.to_frame().shape == (len(run.result.countries), 13)
    assert run.to_dataset().attrs["scenario"] == "geneva-2025"


def test_monte_carlo_result(small, tmp_path, captured, monkeypatch):
    """Frames have one row per draw and country; the dataset has one variable per country outcome, in
    percent or USD millions; ``simulate --draws --json`` prints ``to_dict()`` plus the report's path.
    Cost: about 3 s (3 draws on the 13-region world)."""
    world, tariff = small
    mc = monte_carlo(world, tariff=tariff, draws=4, spread=0.2, seed=2, executor="serial")
    document = check_protocol(mc, "Monte Carlo, 4 draws", tmp_path, "mc")
    assert mc.to_frame().shape == (4 * 3, 9)
    dataset = mc.to_dataset()
    assert dataset["welfare_pct"].attrs["units"] == "percent"
    assert dataset["tariff_revenue_usd_mn"].attrs["units"] == "USD millions"
    assert dataset["elasticity"].shape == (4, 2)
    welfare = mc.percentiles(point=True)[("welfare_pct", "p50")]
    assert document["countries"]["C1"]["welfare_pct"]["p50"] == welfare["C1"]
    documents = captured(MonteCarloResult)
    # Solve the command's draws here rather than in worker processes (whose start-up dominates the cost
    # of 3 draws); the executors give bit-for-bit the same draws (tests/test_uncertainty_dask.py).
    solve_everywhere = montecarlo.run_tasks
    monkeypatch.setattr(montecarlo, "run_tasks", lambda job, tasks, executor, **kw: solve_everywhere(
        job, tasks, "serial", **kw))
    printed = runner.invoke(app, ["simulate", "geneva-2025", "--regions", "compact", "--sectors", "broad",
                                  "--draws", "3", "--seed", "3", "--json"])
    assert printed.exit_code == 0, printed.output
    assert len(documents) == 1 and documents[0]["draws"] == 3 and documents[0]["scenario"] == "geneva-2025"
    assert printed.output == json.dumps({**documents[0], "report": None}, indent=2) + "\n"


def test_sweep_outcome(tmp_path, captured):
    """A sweep's outcome lists its runs; ``sweep --json`` prints ``to_dict()``. Cost: about 2 s."""
    outcome = run_sweep([RunSpec.make("geneva-2025", {"regions": "compact", "sectors": "broad"})],
                        store=tmp_path / "store", executor="serial")
    document = check_protocol(outcome, "Sweep sweep: 1 runs", tmp_path, "sweep")
    assert document["runs"] == 1 and len(document["solved"]) == 1
    assert outcome.to_frame().loc[document["solved"][0], "status"] == "solved"
    documents = captured(type(outcome))
    printed = runner.invoke(app, ["sweep", "--scenario", "geneva-2025", "--grid", "regions=compact",
                                  "--grid", "sectors=broad", "--store", str(tmp_path / "store"), "--json"])
    assert printed.exit_code == 0, printed.output
    assert printed.output == json.dumps(documents[0], indent=2) + "\n"
    assert documents[0]["skipped"] == document["solved"]  # done before: resumed, not solved again


def test_gravity_result(tmp_path):
    """The one-sector gravity result: a 3-country world with flows only (ge_gravity style); frames have
    one row per country (11 outcomes) and per pair; the document's welfare is the data's. Cost: < 0.5 s."""
    flows = np.array([[80.0, 10, 5], [8, 60, 4], [6, 3, 50]])
    change = np.ones((3, 3))
    change[0, 1] = change[1, 0] = 1.5
    result = GravityModel.from_flows(flows, ["A", "B", "C"], sigma=5).simulate(trade_cost_change=change,
                                                                             closure="exact")
    document = check_protocol(result, "One-sector gravity", tmp_path, "gravity")
    assert result.to_frame().shape == (3, 11) and result.to_frame("bilateral").shape == (9, 4)
    assert document["countries"]["A"]["welfare_pct"] == pytest.approx(
        100 * (float(result.data["welfare"].sel(country="A")) - 1), rel=1e-15)


def test_summary_html_escapes_labels():
    """Labels are escaped in HTML (a country named with markup shows as text). Cost: < 0.1 s."""
    import pandas as pd

    from tradewar.results import SummaryTable

    summary = Summary("A <b> & C", header=["x < y"], tables=[SummaryTable("t", pd.DataFrame({"v": [1.0]},
                                                                                              index=["<i>"]))])
    html = summary.as_html()
    assert "A &lt;b&gt; &amp; C" in html and "x &lt; y" in html and "&lt;i&gt;" in html
    assert "<i>" not in html


def test_py_typed_ships():
    """PEP 561: the package says it is typed, and the marker is package data. Cost: < 0.1 s."""
    import tomllib
    from importlib import resources
    from pathlib import Path

    assert (resources.files("tradewar") / "py.typed").is_file()
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["tradewar"]
