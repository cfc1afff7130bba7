"""Building worlds from the raw WIOD tables (needs ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import CP2015_DIR, HAVE_CP2015
from tools.worlds.wiod import build_wiod_world
from tradewar.cli import app
from tradewar.errors import DataNotFoundError
from tradewar.world.library import load_world, read_world_file

WIOD_DIR = CP2015_DIR.parent / "wiod2013"
HAVE_WIOD = (WIOD_DIR / "wiot_2011.npz").is_file() and HAVE_CP2015
needs_wiod = pytest.mark.skipif(not HAVE_WIOD, reason=f"WIOD and CP2015 data not found beside {CP2015_DIR}")


@pytest.fixture(scope="module")
def built():
    return build_wiod_world(WIOD_DIR, CP2015_DIR, 2011)


@needs_wiod
def test_build_reproduces_the_committed_world(built):
    """The embedded file is exactly what the build script derives from the raw table."""
    committed = load_world()
    assert built.countries == committed.countries and built.sectors == committed.sectors
    for name in ("trade", "tariff", "value_added_share", "input_share", "final_demand_share", "trade_elasticity"):
        np.testing.assert_allclose(built.data[name].values, committed.data[name].values, rtol=1e-9, atol=1e-9)


@needs_wiod
def test_model_matches_the_data(built):
    """Calibration: balancing moves gross output and bilateral trade by well under 1% of the
    raw WIOD values (the gap is the tariff revenue WIOD's basic-price flows leave out)."""
    from tools.worlds.wiod import _flows, _read

    trade, *_ = _flows(_read(WIOD_DIR, 2011))
    output = trade.sum(axis=0)
    assert np.abs(built.gross_output.values - output).sum() / output.sum() < 0.01
    assert np.abs(built.trade.values - trade).sum() / trade.sum() < 0.01
    foreign = ~np.eye(len(built.countries), dtype=bool)
    raw_foreign = trade.sum(axis=2)[foreign].sum()
    assert abs(built.trade.values.sum(axis=2)[foreign].sum() / raw_foreign - 1) < 0.01


@needs_wiod
@pytest.mark.slow  # full-world rebuilds from the raw WIOD tables
@pytest.mark.parametrize("year", [1995, 2005])
def test_other_years_build(year):
    world = build_wiod_world(WIOD_DIR, CP2015_DIR, year)
    assert world.is_equilibrium and world.data.attrs["year"] == year
    assert len(world.countries) == 41


@needs_wiod
def test_elasticities_can_be_overridden():
    world = build_wiod_world(WIOD_DIR, CP2015_DIR, 2011, services_theta=3.0, trade_elasticity={"Metals": 6.0})
    assert float(world.trade_elasticity.sel(sector="Finance")) == 3.0
    assert float(world.trade_elasticity.sel(sector="Metals")) == 6.0
    with pytest.raises(ValueError, match="Unknown sector 'Steel'"):
        build_wiod_world(WIOD_DIR, CP2015_DIR, 2011, trade_elasticity={"Steel": 6.0})


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(DataNotFoundError, match="wiot_2011.npz not found"):
        build_wiod_world(tmp_path, tmp_path, 2011)
    with pytest.raises(ValueError, match="1995, 2000, 2005, 2008, 2011"):
        build_wiod_world(tmp_path, tmp_path, 2012)


@needs_wiod
def test_cli_build_writes_world_and_provenance(tmp_path):
    target = tmp_path / "wiod2008.npz"
    result = CliRunner().invoke(
        app,
        ["world", "build", "wiod", "--year", "2008", "--source", str(WIOD_DIR), "--cp2015", str(CP2015_DIR),
         "--output", str(target)],
    )
    assert result.exit_code == 0, result.output
    world = read_world_file(target)
    assert world.data.attrs["year"] == 2008
    assert "World Input-Output Database" in Path(target.with_suffix(".md")).read_text()


def test_cli_world_info_json():
    result = CliRunner().invoke(app, ["world", "info", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert {"name", "regions", "sectors", "year", "source", "citation", "total_trade_usd_mn", "hash"} <= set(info)
    assert info["name"] == "wiod2011" and info["year"] == 2011 and len(info["regions"]) == 41
    assert info["total_trade_usd_mn"] > 1e7  # world trade in 2011 was about USD 18 trillion
    assert info["largest_flows"][0]["usd_mn"] >= info["largest_flows"][-1]["usd_mn"]


def test_cli_world_list_and_unknown_world():
    runner = CliRunner()
    listed = runner.invoke(app, ["world", "list", "--json"])
    assert listed.exit_code == 0
    assert {"name": "wiod2011", "embedded": True, "default": True} in json.loads(listed.output)
    missing = runner.invoke(app, ["world", "info", "mars"])
    assert missing.exit_code == 2 and "Unknown world 'mars'" in missing.output
