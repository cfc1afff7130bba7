"""The embedded 2022 world from OECD ICIO (80 economies x 50 sectors), its builder and its
final-demand backtest. Tests that rebuild from ../shared/data are marked shared_data and skip
where it is absent. Costs: the embedded-world tests about 15 s in all (two solves and two
Leontief solves on 4000 nodes), the backtest under 1 s, the rebuild about 15 s."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tradewar import load_world, simulate
from tradewar.cli import app
from tradewar.errors import DataNotFoundError, WorldValidationError
from tradewar.model.value_added import value_added_in_final_demand, value_added_summary
from tradewar.world.aggregate import _BROAD, ASEAN
from tradewar.world.library import embedded_path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or "/nonexistent")
for base in (ROOT, *ROOT.parents):
    if not os.environ.get("TRADEWAR_SHARED_DATA") and (base / "shared" / "data" / "icio2022").is_dir():
        SHARED = base / "shared" / "data"
        break
HAVE_SHARED = all((SHARED / sub).is_dir() for sub in ("icio2022", "wiod2013", "cp2015", "concordance"))


def needs_shared(test):
    """Marked shared_data, and skipped with a reason where the reference data are absent."""
    skip = pytest.mark.skipif(not HAVE_SHARED, reason="reference data (icio2022, wiod2013, cp2015) not found; "
                              "set TRADEWAR_SHARED_DATA")
    return pytest.mark.shared_data(skip(test))


@pytest.fixture(scope="module")
def world():
    return load_world("icio2022")


def test_world_has_all_80_economies_and_50_sectors(world):
    assert len(world.countries) == 80 and len(world.sectors) == 50
    assert {"VNM", "MYS", "THA", "GBR", "MEX", "USA", "CHN", "DEU"} <= set(world.countries)
    assert world.is_equilibrium and int(world.data.attrs["year"]) == 2022
    path = embedded_path("icio2022")
    assert path.stat().st_size < 8e6
    note = path.with_suffix(".md").read_text()
    assert f"content hash `{world.hash}`" in note and "Backtest" in note and "stale" in note


def test_world_info_json_lists_the_economies():
    result = CliRunner().invoke(app, ["world", "info", "icio2022", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert len(info["regions"]) == 80 and {"VNM", "MYS", "THA", "GBR", "MEX"} <= set(info["regions"])
    listed = json.loads(CliRunner().invoke(app, ["world", "list", "--json"]).output)
    assert "icio2022" in [row["name"] for row in listed]


def test_us_china_goods_trade_matches_census_2022(world):
    """Held out (the build does not use it): U.S. goods imports from and exports to China in
    2022 within 15% of the Census Bureau's totals, 536.8 bn and 153.8 bn USD (U.S. Census
    Bureau, 'Trade in Goods with China', 2022 annual: imports 536,754 mn, exports 153,838 mn).
    The world's flows are at basic prices and goods are ISIC sections A-C."""
    goods = world.goods
    imports = float(world.trade.sel(importer="USA", exporter="CHN", sector=goods).sum()) / 1e3
    exports = float(world.trade.sel(importer="CHN", exporter="USA", sector=goods).sum()) / 1e3
    assert imports == pytest.approx(536.8, rel=0.15)
    assert exports == pytest.approx(153.8, rel=0.15)


# Published 2022 balances of trade in goods and services (exports minus imports, bn USD) of the five
# economies of issue 13's done-when; sources in the test below, written here from them (not read from
# the builder's PUBLISHED_BALANCES) so that a change to the builder's table is caught.
PUBLISHED_2022_BALANCES = {"USA": -945.3, "CHN": 685.6 - 94.3, "DEU": 0.0206 * 3953.9 * 1.0530,
                           "VNM": 11.2 + (-11.2 + 6.9) * 12 / 9, "MEX": -41.46}


def test_fixed_deficits_are_the_published_balances(world):
    """Issue 13 done-when: each economy's 2022 trade balance in goods and services within 15% of the
    published figures, read from the built world (its fixed deficits). Sources: U.S. BEA, 'U.S.
    International Trade in Goods and Services, January 2023' (8 March 2023): deficit 945.3 bn USD;
    China SAFE, balance of payments 2022 (10 February 2023): goods +685.6, services -94.3 bn USD;
    Germany: World Bank WDI NE.RSB.GNFS.ZS, net exports of goods and services 2.06% of GDP in 2022,
    times Destatis nominal GDP of 3,953.9 bn EUR (sum of the 2022 quarters, table of 23 May 2025),
    at the ECB's 2022 mean 1.0530 USD/EUR (85.8 bn USD); Viet Nam: GSO goods surplus 2022 11.2 bn
    USD (imports c.i.f.) plus the January-September services balance, -11.2 bn of which 6.9 bn is
    freight and insurance on imports already in c.i.f. imports, scaled to the year (constructed:
    +5.5 bn USD, the least certain of the five); Mexico: Banco de Mexico, balance of payments 2022
    (24 February 2023): -41,460 mn USD. The build fits these (choice 6) and balancing keeps
    deficits, so they hold far inside 15%; the builder's own targets (JPN too: MoF, -161.1 bn USD
    at the Federal Reserve's 2022 mean of 131.46 yen) hold to 0.1%. World deficits sum to zero (a
    closed world). Cost: under 0.1 s."""
    from tools.worlds.icio2022 import PUBLISHED_BALANCES

    surplus = -world.deficit / 1e3
    for code, published in PUBLISHED_2022_BALANCES.items():
        assert float(surplus.sel(country=code)) == pytest.approx(published, rel=0.15), code
    for code, (target, _) in PUBLISHED_BALANCES.items():
        assert float(surplus.sel(country=code)) == pytest.approx(target / 1e3, rel=1e-3), code
    assert abs(float(world.deficit.sum())) < 1e-6 * float(world.value_added.sum())


def test_accounts_and_tariffs(world):
    """Identities and the tariff choices: EU27 and the U.K. trade tariff-free with each other;
    services are tariff-free; CP's U.S. tariff on Chinese apparel (2005) is positive; value
    added equals the source's (1 - omb) * go summed: 93.17 trillion USD."""
    from tradewar.world.aggregate import EU27_2020

    union = [c for c in world.countries if c in EU27_2020 or c == "GBR"]
    assert float(world.tariff.sel(importer=union, exporter=union).max()) == 0.0
    services = [s for s in world.sectors if s not in world.goods]
    assert len(services) == 23 and float(world.tariff.sel(sector=services).max()) == 0.0
    assert float(world.tariff.sel(importer="USA", exporter="CHN", sector="Textiles and apparel")) > 0.05
    assert float(world.value_added.sum()) / 1e6 == pytest.approx(93.17, rel=2e-3)


def test_baseline_solves_with_every_hat_at_one(world):
    """Calibration: the stored world is the model's equilibrium."""
    result = simulate(world)
    for name in ("wage", "price", "welfare"):
        values = result.data[name].values
        np.testing.assert_allclose(values[np.isfinite(values)], 1.0, atol=1e-8, err_msg=name)


def test_compact_and_broad_groupings(world):
    """Compact regions gain VNM and ASEAN on this world (wiod2011 keeps its 13); the broad
    sectors cover every ICIO sector (none is left on its own); identities survive."""
    assert set(world.sectors) <= set(_BROAD), sorted(set(world.sectors) - set(_BROAD))
    small = world.aggregate(regions="compact", sectors="broad")
    assert small.countries[-3:] == ["VNM", "ASEAN", "ROW"] and len(small.sectors) == 12
    asean = [c for c in world.countries if c in ASEAN]
    assert len(asean) == 9
    np.testing.assert_allclose(
        float(small.trade.sel(importer="USA", exporter="ASEAN").sum()),
        float(world.trade.sel(importer="USA", exporter=asean).sum()), rtol=1e-12)
    np.testing.assert_allclose(float(small.value_added.sum()), float(world.value_added.sum()), rtol=1e-10)
    assert len(load_world().aggregate(regions="compact").countries) == 13
    with pytest.raises(WorldValidationError, match=re.escape("Unknown country labels ['XXX']")):
        world.aggregate(regions={"XXX": "Somewhere"})


def test_value_added_in_trade_identities_and_a_counterfactual(world):
    """Identities: each origin's value added embodied in all final demand equals its value
    added, and the total equals world GDP at basic prices. A 25-point U.S. tariff on Chinese
    goods lowers China's gross exports to the U.S. more than its value added in U.S. final
    demand, and raises the part that reaches the U.S. through third countries."""
    tiva = value_added_in_final_demand(world)
    np.testing.assert_allclose(tiva.sum(("shipper", "destination")).values, world.value_added.values, rtol=1e-8)
    np.testing.assert_allclose(float(tiva.sum()), float(world.value_added.sum()), rtol=1e-10)
    before = value_added_summary(world, "CHN", "USA", tiva)
    tariff = world.tariff.copy()
    tariff.loc[dict(importer="USA", exporter="CHN", sector=world.goods)] += 0.25
    after = value_added_summary(simulate(world, tariff=tariff).new_world(), "CHN", "USA")
    assert after["gross_exports"] < before["gross_exports"]
    assert after["gross_exports"] / before["gross_exports"] < after["value_added"] / before["value_added"]
    assert after["via_third_countries"] > before["via_third_countries"]
    with pytest.raises(KeyError, match="Unknown country 'XXX'"):
        value_added_summary(world, "XXX", "USA", tiva)


def test_value_added_identity_on_wiod2011():
    """The same identity on the default world (41 x 35)."""
    wiod = load_world()
    tiva = value_added_in_final_demand(wiod)
    np.testing.assert_allclose(tiva.sum(("shipper", "destination")).values, wiod.value_added.values, rtol=1e-8)


# --------------------------------------------------------------------------- builder and backtest
def _tools():
    from tools.worlds import icio2022, icio_final_demand

    return icio2022, icio_final_demand


@needs_shared
def test_backtest_chooses_damped_carry_forward_and_matches_the_note():
    """The WIOD backtest (2011 hidden, imputed from 2000 and 2008): carrying ratios forward,
    damped at the chosen weight, beats proportional sourcing on final flows, trade and import
    shares over the 11-year gap; the scores in the provenance note are the ones it computes."""
    builder, fd = _tools()
    results = fd.backtest(SHARED / "wiod2013")
    chosen = results[f"carry-forward {builder.DAMPING:g} from 2000"]
    proportional = results["proportional"]
    for key in ("final_wape", "trade_wape", "import_share_error", "balance_error"):
        assert chosen[key] < proportional[key], key
    eleven = {d: results[f"carry-forward {d:g} from 2000"]["trade_wape"] for d in (0.0, 0.25, 0.5, 0.75, 1.0)}
    assert min(eleven, key=eleven.get) == builder.DAMPING
    note = embedded_path("icio2022").with_suffix(".md").read_text()
    assert f"| carry-forward 0.75 from 2000 | {chosen['final_wape']:.3f} | {chosen['trade_wape']:.3f} |" in note


@needs_shared
def test_us_enduse_margins_cross_validate():
    """Census 2024 end-use margins (BEC rev.5), fitted on half of the WIOD partners, predict U.S.
    final imports by partner x goods industry of WIOD 2011 on the other half better than the
    coarse ratio a partner without earlier ratios gets otherwise, in both folds; the note shows
    the same scores. Cost: about 5 s (reads 50 Census files)."""
    builder, _ = _tools()
    from tools.worlds import us_enduse

    table = us_enduse.read_us_enduse(SHARED / "tariffs" / "weights",
                                     ROOT / "src" / "tradewar" / "data" / "concordance" / "hs6_to_wiod.csv")
    assert {"VNM", "MYS", "THA", "CHN", "MEX"} <= set(table["iso"])
    validation = us_enduse.cross_validate(table, SHARED / "wiod2013")
    note = embedded_path("icio2022").with_suffix(".md").read_text()
    for fold in validation["folds"]:
        assert fold["margins"] < fold["coarse"]
        assert f"| {fold['exponent']:.2f} | {fold['margins']:.3f} | {fold['coarse']:.3f} |" in note


@needs_shared
@pytest.mark.slow  # a full-world rebuild from the raw ICIO file
def test_rebuild_reproduces_the_committed_world(world):
    builder, _ = _tools()
    built = builder.build_icio_world(SHARED)
    assert built.countries == world.countries and built.sectors == world.sectors
    for name in ("trade", "tariff", "value_added_share", "input_share", "final_demand_share", "trade_elasticity"):
        np.testing.assert_allclose(built.data[name].values, world.data[name].values, rtol=1e-9, atol=1e-6)


@needs_shared
def test_rest_of_world_treatment_moves_little_output(world):
    """Item 3 check: the closed world keeps gross output as observed (z is split over the 80
    destinations, nothing netted out; balancing adds the baseline tariffs' revenue to spending and
    moves world output by 0.06%); in WIOD, folding the rest of the world this way leaves 2.3% of
    suppliers' totals unsold to the kept economies."""
    builder, fd = _tools()
    data = builder.read_icio(SHARED / "icio2022")
    go = data["go"].reshape(50, 80).T
    np.testing.assert_allclose(world.gross_output.values.sum(), go.sum(), rtol=2e-3)
    folded = fd.fold_wiod(fd.read_wiod(SHARED / "wiod2013", 2011))
    unsold = 1 - folded.final.sum() / folded.supplier_total.sum()
    assert unsold == pytest.approx(0.023, abs=0.001)


def test_missing_and_corrupt_source_files(tmp_path):
    """Bad input: a missing file, a file that is not an npz, an npz with an unknown sector
    code: errors name the file or the label."""
    builder, fd = _tools()
    with pytest.raises(DataNotFoundError, match="oecd_icio2022_intermediate_network.npz not found"):
        builder.read_icio(tmp_path)
    (tmp_path / builder.NPZ).write_bytes(b"not a zip file")
    with pytest.raises(DataNotFoundError, match="could not be read"):
        builder.read_icio(tmp_path)
    n, codes = 2, [*list(builder.ICIO_SECTORS)[:49], "X99"]
    np.savez(tmp_path / builder.NPZ, A=np.zeros((100 * n // 2 * 2, 100)), omb=np.zeros(100), go=np.ones(100),
             z=np.ones(100), countries=np.array(["AAA", "BBB"]), sectors=np.array(codes))
    with pytest.raises(DataNotFoundError, match=re.escape("['X99']")):
        builder.read_icio(tmp_path)
    with pytest.raises(fd.SourceError, match="wiot_2011.npz not found"):
        fd.read_wiod(tmp_path, 2011)


# Identities after random shocks (compact and full world) run on both worlds in
# tests/test_world_identities.py.
