"""The 2018-2020 U.S.-China tariffs by WIOD goods sector: the committed table and its rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar import load_world
from tools.tariffs import concordance
from tools.tariffs import us_china_2018_2020 as source
from tools.worlds.wiod import WIOD_SECTORS

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
FOLDER = SHARED / "tariffs" / "us_china_2018_2020"
HAVE_SHARED = (FOLDER / "us_tariffs_2020.csv").is_file() and (SHARED / "concordance").is_dir()
SKIP_REASON = f"reference data (tradewar-tracker tariff lists) not found under {SHARED}; set TRADEWAR_SHARED_DATA"
GOODS_LABELS = [WIOD_SECTORS[f"c{k}"][0] for k in range(1, 17)]


def needs_shared(test):
    """Mark a test that reads the raw reference data; skip it where they are absent."""
    return pytest.mark.shared_data(pytest.mark.skipif(not HAVE_SHARED, reason=SKIP_REASON)(test))


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return pd.read_csv(source.OUTPUT_DIR / source.OUTPUT_NAME, dtype={"date": str})


def test_committed_table_is_well_formed(committed):
    """Columns as documented, no missing values, fractions in [0, 4] (the highest line is 375%,
    out-of-quota tobacco), and each direction has every goods sector at every date of its file
    (7 U.S. dates, 12 Chinese ones, per the source README)."""
    assert tuple(committed.columns) == source.COLUMNS
    assert not committed.isna().any().any()
    assert committed["tariff"].between(0, 4).all()
    assert set(zip(committed["importer"], committed["exporter"], strict=True)) == {("USA", "CHN"), ("CHN", "USA")}
    for importer, dates in (("USA", 7), ("CHN", 12)):
        side = committed[committed["importer"] == importer]
        assert side["date"].nunique() == dates
        assert side["date"].min() == source.BASE_DATE
        assert (
            side.groupby("date")["sector"].apply(list)
            == pd.Series([GOODS_LABELS] * dates, index=sorted(side["date"].unique()))
        ).all()
    assert (committed["hs6_lines"] > 0).all()


def test_sectors_are_the_default_worlds_goods(committed):
    """The sector labels are exactly the embedded world's goods sectors (``load_world().goods``)."""
    assert sorted(set(committed["sector"])) == sorted(load_world().goods)


def test_increase_is_tariff_minus_base(committed):
    """``increase_over_2018_01_01`` = the sector's tariff minus its 2018-01-01 tariff (definition)."""
    base = committed[committed["date"] == source.BASE_DATE].set_index(["importer", "sector"])["tariff"]
    expected = (
        committed["tariff"] - base.reindex(pd.MultiIndex.from_frame(committed[["importer", "sector"]])).to_numpy()
    )
    np.testing.assert_allclose(committed["increase_over_2018_01_01"], expected, atol=1e-9)


def test_war_raises_every_sector(committed):
    """Expected from the policy record: by September 2019 Section 301 lists 1-4A and China's four
    retaliation rounds covered every goods sector, so every sector's tariff rose each way."""
    for importer, date in (("USA", "2019-09-01"), ("CHN", "2019-09-01")):
        late = committed[(committed["importer"] == importer) & (committed["date"] == date)]
        assert (late["increase_over_2018_01_01"] > 0.01).all(), importer


@pytest.fixture(scope="module")
def derived():
    return source.derive(SHARED)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return concordance.load()


@needs_shared
def test_build_reproduces_the_committed_files(tmp_path, committed):
    """The committed CSV and note are what ``build()`` derives from the raw files."""
    source.build(SHARED, tmp_path)
    rebuilt = pd.read_csv(tmp_path / source.OUTPUT_NAME, dtype={"date": str})
    pd.testing.assert_frame_equal(rebuilt, committed, check_exact=False, rtol=1e-9, atol=1e-12)
    note = source.OUTPUT_NAME.replace(".csv", ".md")
    assert (tmp_path / note).read_text() == (source.OUTPUT_DIR / note).read_text()


@needs_shared
def test_units_are_percent_in_the_source():
    """The raw files hold percent (README: "25.0" = 25%): their largest values exceed 100, so the
    script divides by 100."""
    raw = pd.read_csv(FOLDER / "us_tariffs_2020.csv", dtype={"hs6": str})
    assert raw["tariff"].max() > 100
    lines = source.read_tariff_lines(FOLDER / "us_tariffs_2020.csv", "test")
    assert lines["tariff"].max() == pytest.approx(raw["tariff"].max() / 100)


@needs_shared
def test_every_line_maps_and_little_weight_is_lost(derived):
    """Every HS6 line is in the concordance; the weight falling outside goods sectors (electricity,
    works of art...) is under 1% each way (the provenance note reports it)."""
    for figures in derived.coverage.values():
        assert figures["lines not in the concordance"] == 0
        assert figures["weight outside goods sectors"] < 0.01


@needs_shared
def test_sector_averages_lie_between_their_lines(derived, table):
    """A weighted mean lies between the smallest and largest of the lines averaged (definition)."""
    for schedule in derived.schedules:
        sectors = source.sector_tariffs(schedule, table)
        rows = table[table["hs6"].isin(schedule.tariffs.index) & table["wiod_code"].str[1:].astype(int).le(16)]
        lines = schedule.tariffs.loc[rows["hs6"]].set_axis(rows["wiod_code"].to_numpy())
        low, high = lines.groupby(level=0).min(), lines.groupby(level=0).max()
        for row in sectors.itertuples():
            assert low.loc[row.wiod_code, row.date] - 1e-12 <= row.tariff <= high.loc[row.wiod_code, row.date] + 1e-12


@needs_shared
def test_us_sector_tariff_by_hand(committed, table):
    """Electrical and optical (c14), U.S. on China, 2019-09-01, recomputed here from the raw files:
    line tariff (percent / 100) x weight (2024 imports of its HS2 chapter from China, the file for
    Census code 5700, / the chapter's lines in the tariff file) x concordance share, over the same
    sum without the tariff."""
    lines = pd.read_csv(FOLDER / "us_tariffs_2020.csv", dtype={"hs6": str})
    lines = lines[lines["time_of_tariff"] == "2019-09-01"].set_index("hs6")["tariff"] / 100
    trade = pd.read_csv(SHARED / "tariffs/us_2025_2026/data-hs2/hs2-tariff-5700.csv", dtype={"HS2": str})
    imports = trade.set_index("HS2")["2024_imports"]
    chapters = lines.index.str[:2]
    weight = pd.Series(
        chapters.map(imports).fillna(0).to_numpy() / chapters.map(chapters.value_counts()).to_numpy(), index=lines.index
    )
    pieces = table[(table["wiod_code"] == "c14") & table["hs6"].isin(lines.index)]
    w = weight.loc[pieces["hs6"]].to_numpy() * pieces["share"].to_numpy()
    by_hand = (w * lines.loc[pieces["hs6"]].to_numpy()).sum() / w.sum()
    row = committed[
        (committed["importer"] == "USA") & (committed["date"] == "2019-09-01") & (committed["wiod_code"] == "c14")
    ]
    assert row["tariff"].item() == pytest.approx(by_hand, rel=1e-9)


@needs_shared
def test_china_sector_tariff_by_hand(committed, table):
    """Agriculture (c1), China on the U.S., 2019-12-26: the simple mean of the lines, each counted
    with its concordance share, recomputed here from the raw file (no gaps at that date)."""
    lines = pd.read_csv(FOLDER / "new_tariff_list_2020.csv", dtype={"hs6": str})
    lines = lines[lines["time_of_tariff"] == "2019-12-26"].set_index("hs6")["tariff"] / 100
    pieces = table[(table["wiod_code"] == "c1") & table["hs6"].isin(lines.index)]
    by_hand = (pieces["share"].to_numpy() * lines.loc[pieces["hs6"]].to_numpy()).sum() / pieces["share"].sum()
    row = committed[
        (committed["importer"] == "CHN") & (committed["date"] == "2019-12-26") & (committed["wiod_code"] == "c1")
    ]
    assert row["tariff"].item() == pytest.approx(by_hand, rel=1e-9)


@needs_shared
def test_sector_table_reproduces_the_hs_level_average(derived, committed):
    """Sectors weighted by their total line weight give back the HS-level weighted average over the
    lines' goods parts, at every date (an identity of weighted means)."""
    us, _ = derived.schedules
    table = concordance.load()
    rows = table[table["hs6"].isin(us.tariffs.index) & table["wiod_code"].str[1:].astype(int).le(16)]
    weight = pd.Series(
        us.weights.loc[rows["hs6"]].to_numpy() * rows["share"].to_numpy(), index=rows["wiod_code"].to_numpy()
    )
    sector_weight = weight.groupby(level=0).sum()
    usa = committed[committed["importer"] == "USA"].pivot(index="wiod_code", columns="date", values="tariff")
    from_sectors = usa.mul(sector_weight, axis=0).sum() / sector_weight.sum()
    np.testing.assert_allclose(
        from_sectors, source.hs_average(us, concordance.load()).loc[from_sectors.index], rtol=1e-9
    )


@needs_shared
def test_averages_track_piie(derived):
    """PIIE's chart (Bown, 2017 trade weights): U.S. on China about 3% before the war and about 21%
    from September 2019; China on the U.S. about 8% rising to about 21%. This file's weights differ
    (see the note), so the bounds are loose: pre-war under 6% (U.S.) and 5-11% (China), and
    18-28% each way in September 2019. The tracker's own NAICS series must land within 2.5 points
    of PIIE's September 2019 figures."""
    us, china = derived.sanity["USA on CHN"], derived.sanity["CHN on USA"]
    weighted = us.columns[0]
    assert us.loc["2018-01-01", weighted] < 0.06
    assert 0.05 < china.loc["2018-01-01", weighted] < 0.11
    assert 0.18 < us.loc["2019-09-01", weighted] < 0.28
    assert 0.18 < china.loc["2019-09-01", weighted] < 0.28
    tracker = us.columns[-1]
    assert us.loc["2019-09-01", tracker] == pytest.approx(0.21, abs=0.025)
    assert china.loc["2019-09-01", tracker] == pytest.approx(0.21, abs=0.025)
