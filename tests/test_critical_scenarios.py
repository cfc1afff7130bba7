"""Documented critical-product splits and the export-control scenarios built on them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tradewar import load_world, run_scenario
from tradewar.cli import app
from tradewar.errors import DataNotFoundError
from tradewar.world.splits import apply_split, load_split, split_names


@pytest.mark.parametrize("name", ["rare-earths", "rare-earth-mining", "rare-earth-processing", "rare-earth-magnets",
                                  "advanced-chips", "chip-design-software"])
def test_documented_splits_place_their_whole_market(name):
    """Each shipped split carves its full world value out of its parent, in the producer
    shares of its file (IEA 2024 for separated rare earths and magnets: China 91% and 94%;
    USGS 2024 mine production for ore: China 270,000 of 390,000 t of REO; BCG/SIA 2024 for
    sub-10 nm chips: Taiwan 69%, Korea 31%), and states its source."""
    spec = load_split(name)
    assert spec["source"]
    world = apply_split(load_world(), name)
    assert world.is_equilibrium
    flows = world.trade.sel(sector=spec["child"])
    assert float(flows.sum()) == pytest.approx(spec["world_value"], rel=1e-9)
    by_origin = (flows.sum("importer") / flows.sum()).to_series()
    shares = {k: v / sum(spec["producer_shares"].values()) for k, v in spec["producer_shares"].items()}
    for country, share in shares.items():
        if country in world.countries and country != "ROW":
            assert by_origin[country] == pytest.approx(share, abs=1e-9)


def test_usgs_shares_match_the_file():
    """USGS MCS 2025: China mined 270,000 t of the world's 390,000 t (69%) in 2024 (the mining
    stage; the controlled products' shares are IEA's, tests/test_rare_earths.py)."""
    spec = load_split("rare-earth-mining")
    # The countries listed add to 393,950 t; USGS rounds the world total to 390,000 t.
    assert spec["producer_shares"]["CHN"] / sum(spec["producer_shares"].values()) == pytest.approx(270 / 390, abs=0.01)
    assert set(split_names()) >= {"rare-earths", "rare-earth-mining", "advanced-chips", "chip-design-software"}
    with pytest.raises(DataNotFoundError, match="Unknown split 'unobtainium'"):
        load_split("unobtainium")


@pytest.mark.parametrize("name, banned", [
    ("rare-earth-ban", ("USA", "CHN", "Rare earths")),
    ("chip-controls", ("CHN", "USA", "Advanced chips")),
])
def test_ban_scenarios_stop_the_flow_and_hurt_the_target(name, banned):
    importer, exporter, sector = banned
    run = run_scenario(name)
    data = run.result.data
    assert float(data["trade_new"].sel(importer=importer, exporter=exporter, sector=sector)) == 0.0
    assert float(data["welfare"].sel(country=importer)) < 1
    assert run.result.solver.residual < 1e-9


def test_simulate_reports_downstream_sectors():
    """The JSON reports the product's and its users' output. Theory (scarce capacity outside
    China): China loses its U.S. sales, a share ``u`` of its output, but its rivals' capacity is
    diverted to the U.S. at the higher price and their other buyers turn to China, so China's
    output moves by less than ``u`` either way (it fell by more than 1% with constant-cost rivals)."""
    result = CliRunner().invoke(app, ["simulate", "rare-earth-ban", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    sales = apply_split(load_world(), "rare-earths").trade.sel(sector="Rare earths", exporter="CHN")
    lost = 100 * float(sales.sel(importer="USA") / sales.sum())
    assert abs(document["sector_output_pct"]["CHN"]["Rare earths"]) < lost
    assert "Transport equipment" in document["sector_output_pct"]["USA"]
