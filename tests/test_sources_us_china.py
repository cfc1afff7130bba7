"""The 2018-2020 U.S.-China tariffs by WIOD goods sector: the committed table and its rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.tariffs import concordance
from tools.tariffs import us_china_2018_2020 as source
from tools.worlds.wiod import WIOD_SECTORS
from tradewar import load_world

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
    retaliation rounds covered every goods sector, so every sector's tariff rose each way, except
    China's on U.S. transport equipment. There, trade weights (2017) are cars (China cut its MFN tariff
    on cars 8703.23/24 from 25% to 15% on 2018-07-01, and suspended its retaliation on U.S. cars from
    2019-01-01) and untaxed airliners (8802.40: 5% throughout), so the weighted tariff fell."""
    for importer, date in (("USA", "2019-09-01"), ("CHN", "2019-09-01")):
        late = committed[(committed["importer"] == importer) & (committed["date"] == date)]
        exempt = (late["sector"] == "Transport equipment") & (importer == "CHN")
        assert (late.loc[~exempt, "increase_over_2018_01_01"] > 0.01).all(), importer
    transport = committed[(committed["importer"] == "CHN") & (committed["date"] == "2019-09-01")
                          & (committed["sector"] == "Transport equipment")]
    assert transport["increase_over_2018_01_01"].item() < 0


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
    """Electrical and optical (c14), U.S. on China, 2019-09-01, recomputed here from the raw files by
    the documented method: 2024 HS10 imports from China (Census code 5700) summed to HS 2017 lines
    via hs6_hs5.csv, within each NAICS3 (HTS10 -> NAICS table) times the line's Section 301 rise
    ((1+t 2020-02-14)/(1+t 2018-01-01))^2.53 and scaled to the subsector's 2017 imports, times the
    concordance share. Lines that are codes of the tariff file only (no 5/4-digit moves needed in c14's
    largest lines) are compared with a 0.5% tolerance for that simplification."""
    raw = pd.read_csv(FOLDER / "us_tariffs_2020.csv", dtype={"hs6": str})
    wide = raw.pivot(index="hs6", columns="time_of_tariff", values="tariff").ffill(axis=1).bfill(axis=1) / 100
    imports = pd.read_parquet(SHARED / "tariffs/weights/us_imports_2024_hs10/2024-hs10-imports5700.parquet")
    hs = pd.read_csv(SHARED / "tariffs/weights/hs6_hs5.csv", dtype=str).set_index("HS6_6d")["HS5_6d"]
    naics = pd.read_csv(SHARED / "tariffs/weights/yale_tariff_rate_tracker/metal_content_shares_bea_hs10.csv",
                        dtype=str).drop_duplicates("hs10").set_index("hs10")["naics"].str[:3]
    frame = pd.DataFrame({"hs6": imports["HS6"].map(hs).fillna(imports["HS6"]),
                          "naics3": imports["HS10"].map(naics).fillna(""), "value": imports["imports"]})
    rise = (1 + wide["2020-02-14"]) / (1 + wide["2018-01-01"])
    frame["value"] *= frame["hs6"].map(rise).fillna(1.0) ** 2.53
    totals_2017 = pd.read_csv(FOLDER / "2017_imports_by_naics.csv", dtype={"naics3": str}).set_index("naics3")
    totals = frame.groupby("naics3")["value"].sum()
    ratio = (totals_2017["2017_china_trade"] / totals).reindex(frame["naics3"])
    frame["value"] *= ratio.fillna(totals_2017["2017_china_trade"].sum() / totals.sum()).to_numpy()
    weight = frame.groupby("hs6")["value"].sum()
    pieces = table[(table["wiod_code"] == "c14") & table["hs6"].isin(wide.index)]
    w = weight.reindex(pieces["hs6"]).fillna(0.0).to_numpy() * pieces["share"].to_numpy()
    by_hand = (w * wide.loc[pieces["hs6"], "2019-09-01"].to_numpy()).sum() / w.sum()
    row = committed[
        (committed["importer"] == "USA") & (committed["date"] == "2019-09-01") & (committed["wiod_code"] == "c14")
    ]
    assert row["tariff"].item() == pytest.approx(by_hand, rel=0.005)


@needs_shared
def test_china_sector_tariff_by_hand(committed, table):
    """Food (c3), China on the U.S., 2019-12-26, recomputed from the raw files: lines weighted by
    U.S. exports to China in 2017 (sum of the months), each counted with its concordance share (c3's
    export codes are lines of China's file, so moves between HS editions matter under 0.5% here)."""
    lines = pd.read_csv(FOLDER / "new_tariff_list_2020.csv", dtype={"hs6": str})
    lines = lines[lines["time_of_tariff"] == "2019-12-26"].set_index("hs6")["tariff"] / 100
    exports = pd.read_parquet(
        SHARED / "tariffs/weights/us_exports_to_china_hs6_monthly_2013_2021.parquet"
    ).reset_index()
    exports = exports[pd.to_datetime(exports["time"]).dt.year == 2017].groupby("hs6")["china_exports"].sum()
    pieces = table[(table["wiod_code"] == "c3") & table["hs6"].isin(lines.index)]
    w = pieces["share"].to_numpy() * exports.reindex(pieces["hs6"]).fillna(0.0).to_numpy()
    by_hand = (w * lines.loc[pieces["hs6"]].to_numpy()).sum() / w.sum()
    row = committed[
        (committed["importer"] == "CHN") & (committed["date"] == "2019-12-26") & (committed["wiod_code"] == "c3")
    ]
    assert row["tariff"].item() == pytest.approx(by_hand, rel=0.005)


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


# Bown's PIIE chart, "US-China Trade War Tariffs: An Up-to-Date Chart" (and the PIIE notes built on the
# same series), trade-weighted average tariffs in percent, weights = 2017 trade at HS level (U.S.
# imports from China; U.S. exports to China), mapped to the dates of the tracker's files:
PIIE_US_ON_CHINA = {
    "2018-01-01": 3.1,  # "up ... from 3.1 percent since Trump took office" (Bown & Zhang, PIIE chart, 2019-08)
    "2018-07-06": 3.8,  # "US average tariffs increased from 3.8 percent [before July 2018] to 12.0"
    # (chart, 2019-09-20);
    # the U.S. file has no change between 2018-01-01 and 2018-07-06, so 3.8 is its 2018-01-01 level
    "2018-09-24": 12.0,  # "... to 12.0 percent" (chart, 2019-09-20)
    "2019-06-01": 18.3,  # "up from 18.3 percent in May 2019" (Bown & Zhang, PIIE chart, 2019-08)
    "2019-09-01": 21.0,  # "Current US tariffs on imports from China average 21.0 percent" (chart, 2019-12-19)
    "2020-02-14": 19.3,  # "Average US tariffs on imports from China will remain elevated at 19.3" (chart, 2020-02-14)
}
PIIE_CHINA_ON_US = {
    "2018-07-01": 7.2,  # "China's average tariffs increased from 7.2 percent [before July 6, 2018]" (chart, 2019-09-20)
    "2018-09-24": 18.3,  # "... to 18.3 percent" (chart, 2019-09-20)
    "2019-01-02": 16.5,  # "from 16.5" before the 2019 escalation (chart, 2019-09-20)
    "2019-09-01": 21.1,  # "their current average rate of 21.1 percent" (chart, 2019-12-19; unchanged since Sep 1)
    "2019-12-26": 21.1,  # same: the December 15 increase was suspended (chart, 2019-12-19)
}
FILE_DATE = {"2018-07-06": "2018-01-01"}  # PIIE's pre-July level sits at the U.S. file's 2018-01-01 rates


@needs_shared
@pytest.mark.parametrize("column", [0, 1, 3])
def test_averages_match_piie_within_two_points(derived, column):
    """Issue 12's criterion: the trade-weighted averages of the lines (column 0: all lines; 1: their
    goods-sector parts, what the sector table adds up to; 3: the sector table weighted by 2017 trade)
    lie within 2 percentage points of every dated PIIE value above, both directions, both with 2017
    weights. The U.S. file has MFN + Section 301 only; PIIE adds Section 232 and 201 (about 0.7 points)."""
    for name, published in (("USA on CHN", PIIE_US_ON_CHINA), ("CHN on USA", PIIE_CHINA_ON_US)):
        frame = derived.sanity[name]
        for date, value in published.items():
            ours = frame.loc[FILE_DATE.get(date, date) if name == "USA on CHN" else date].iloc[column]
            assert ours * 100 == pytest.approx(value, abs=2.0), (name, date, frame.columns[column])


@needs_shared
def test_weights_cover_the_trade(derived):
    """Line weights hold the partner's trade: U.S. exports to China in 2017 were 129.0 bn USD (source
    README) and under 1% of it sits at codes with no line (goods returned, special provisions); U.S.
    imports from China in 2017 by NAICS3 total 497.6 bn and under 4% of the weight is left out (the
    Section 301 file lacks lines no list touched, e.g. pharmaceuticals 3004)."""
    us, china = derived.schedules
    assert china.weights.sum() == pytest.approx(129.0e9 * (1 - 0.0091), rel=0.005)
    assert 0.96 * 497.6e9 < us.weights.sum() < 1.04 * 497.6e9
