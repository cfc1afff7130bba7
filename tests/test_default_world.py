"""The embedded default world (WIOD 2011, 41 regions x 35 sectors): always available."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tradewar import load_world, simulate
from tradewar.errors import DataNotFoundError, WorldValidationError
from tradewar.world.aggregate import EU27_2020
from tradewar.world.library import embedded_path


@pytest.fixture(scope="module")
def world():
    return load_world()


def test_default_world_is_wiod_2011(world):
    assert world.name == "wiod2011"
    assert len(world.countries) == 41 and len(world.sectors) == 35
    assert {"USA", "CHN", "GBR", "DEU", "JPN", "KOR", "TWN", "MEX", "ROW"} <= set(world.countries)
    assert world.is_equilibrium  # validated, markets clear, on load
    assert int(world.data.attrs["year"]) == 2011
    assert "Timmer" in world.data.attrs["citation"]


def test_committed_file_is_small_and_has_provenance(world):
    path = embedded_path("wiod2011")
    assert path.stat().st_size < 5e6
    provenance = path.with_suffix(".md").read_text()
    assert f"content hash `{world.hash}`" in provenance
    assert "Timmer" in provenance and "Choices made" in provenance


def test_baseline_solves_with_every_hat_at_one(world):
    """Calibration: the stored world is the model's equilibrium, so no shock changes nothing."""
    result = simulate(world)
    for name in ("wage", "price", "welfare", "output"):
        values = result.data[name].values
        np.testing.assert_allclose(values[np.isfinite(values)], 1.0, atol=1e-9, err_msg=name)


def test_accounts_are_consistent(world):
    """Identities: deficits sum to zero; income = value added + tariff revenue + deficit;
    EU members trade tariff-free; services are tariff-free; no NaN, no negative share."""
    assert abs(world.deficit.sum().item()) < 1e-6 * world.value_added.sum().item()
    eu = [c for c in world.countries if c in EU27_2020 or c == "GBR"]
    assert float(world.tariff.sel(importer=eu, exporter=eu).max()) == 0.0
    services = world.sectors[16:]
    assert float(world.tariff.sel(sector=services).max()) == 0.0
    assert float(world.tariff.sel(importer="USA", exporter="CHN", sector="Textiles")) > 0.05


def test_us_china_tariff_counterfactual_on_the_full_world(world):
    """A 25-point U.S.-China tariff increase on all goods: trade between them falls, both lose
    relative to free-er trade, the solver reports its residual."""
    tariff = world.tariff.copy()
    goods = world.sectors[:16]
    tariff.loc[dict(importer="USA", exporter="CHN", sector=goods)] += 0.25
    tariff.loc[dict(importer="CHN", exporter="USA", sector=goods)] += 0.25
    result = simulate(world, tariff=tariff)
    assert result.solver.residual < 1e-9
    bilateral = result.data["trade_new"].sel(importer="USA", exporter="CHN", sector=goods).sum()
    assert bilateral < result.data["trade_baseline"].sel(importer="USA", exporter="CHN", sector=goods).sum()
    assert float(result.data["welfare"].sel(country="CHN")) < 1


# Aggregation identities, policy aggregation, export-tax identities and random-shock
# property tests run on both worlds in tests/test_world_identities.py.


def test_compact_grouping(world):
    small = world.aggregate(regions="compact")
    assert small.countries == [
        "USA",
        "CHN",
        "EU27",
        "GBR",
        "JPN",
        "KOR",
        "TWN",
        "IND",
        "CAN",
        "MEX",
        "BRA",
        "RUS",
        "ROW",
    ]
    eu = [c for c in world.countries if c in EU27_2020]
    np.testing.assert_allclose(
        small.trade.sel(importer="USA", exporter="EU27").sum().item(),
        world.trade.sel(importer="USA", exporter=eu).sum().item(),
        rtol=1e-12,
    )


def test_custom_aggregation_and_its_errors(world):
    north_america = world.aggregate(regions={"NAFTA": ["USA", "CAN", "MEX"]})
    assert "NAFTA" in north_america.countries and len(north_america.countries) == 39
    with pytest.raises(WorldValidationError, match=re.escape("Unknown country labels ['XXX']")):
        world.aggregate(regions={"XXX": "Somewhere"})
    with pytest.raises(WorldValidationError, match="Unknown sector grouping 'tiny'"):
        world.aggregate(sectors="tiny")
    with pytest.raises(WorldValidationError, match="in two groups"):
        world.aggregate(regions={"A": ["USA"], "B": ["USA"]})


def test_unknown_world_name():
    with pytest.raises(DataNotFoundError, match="Unknown world 'mars'"):
        load_world("mars")
