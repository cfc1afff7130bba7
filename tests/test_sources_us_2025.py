"""The 2025-2026 U.S. tariff increases by partner and by partner and sector."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.tariffs import concordance
from tools.tariffs import us_2025_2026 as source
from tools.worlds.wiod import WIOD_SECTORS
from tradewar import load_world

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
FOLDER = SHARED / "tariffs" / "us_2025_2026"
HAVE_SHARED = (FOLDER / "country-by-time.csv").is_file() and (SHARED / "concordance").is_dir()
SKIP_REASON = f"reference data (trade-war-redux-2025 files) not found under {SHARED}; set TRADEWAR_SHARED_DATA"
GOODS_LABELS = {WIOD_SECTORS[f"c{k}"][0] for k in range(1, 17)}


def needs_shared(test):
    """Mark a test that reads the raw reference data; skip it where they are absent."""
    return pytest.mark.shared_data(pytest.mark.skipif(not HAVE_SHARED, reason=SKIP_REASON)(test))


@pytest.fixture(scope="module")
def partners() -> pd.DataFrame:
    return pd.read_csv(source.OUTPUT_DIR / source.BY_PARTNER, dtype={"date": str})


@pytest.fixture(scope="module")
def sectors() -> pd.DataFrame:
    return pd.read_csv(source.OUTPUT_DIR / source.BY_SECTOR, dtype={"snapshot_date": str}, keep_default_na=False)


def test_partner_table_is_well_formed(partners):
    """Columns as documented, no missing values; 51 partners x 23 dates, 2025-02-04 to 2026-08-19
    (source README); increases in [0, 1.5] (the peak is 124%, Hong Kong on 2025-04-09) and
    2024 tariffs in [0, 0.2] (the highest, Bangladesh, 15%)."""
    assert tuple(partners.columns) == source.PARTNER_COLUMNS
    assert not partners.isna().any().any()
    assert partners["partner"].nunique() == 51 and partners["date"].nunique() == 23
    assert len(partners) == 51 * 23
    assert (partners["date"].min(), partners["date"].max()) == ("2025-02-04", "2026-08-19")
    assert partners["increase_over_2024"].between(0, 1.5).all()
    assert partners["tariff_2024"].between(0, 0.2).all()
    assert partners["partner"].str.fullmatch(r"[A-Z]{3}|EU27").all()


def test_partner_figures_match_the_readme(partners):
    """README of the source folder: China's 2024 tariff is 10.87%; the EU is reported as one partner."""
    china = partners[partners["partner"] == "CHN"]
    assert china["tariff_2024"].unique() == pytest.approx([0.1087], abs=5e-5)
    assert "EU27" in set(partners["partner"])
    assert set(partners.loc[partners["eu_member"], "partner"]) <= set(source.EU27)


def test_sector_table_is_well_formed(sectors):
    """Columns as documented, no missing values, one snapshot date, goods sectors only, fractions
    in range, positive imports, each partner-sector once."""
    assert tuple(sectors.columns) == source.SECTOR_COLUMNS
    assert not sectors.replace("", np.nan).isna().any().any()
    assert sectors["snapshot_date"].nunique() == 1
    assert set(sectors["sector"]) <= GOODS_LABELS == set(load_world().goods)
    assert sectors["increase_over_2024"].between(0, 1.5).all()
    assert sectors["tariff_2024"].between(0, 1).all()
    assert (sectors["imports_2024_usd_mn"] > 0).all()
    assert not sectors.duplicated(["partner", "sector"]).any()
    assert {"CHN", "EU27", "MEX", "CAN", "JPN"} <= set(sectors["partner"])


def test_china_imports_add_up(sectors):
    """China's sector imports add up to its 2024 U.S. imports (429.4 bn USD, country-by-time.csv) less
    the chapters with no goods sector (98-99, works of art): between 95% and 100%."""
    total = sectors.loc[sectors["partner"] == "CHN", "imports_2024_usd_mn"].sum()
    assert 0.95 * 429_425.8 < total < 429_425.8


@pytest.fixture(scope="module")
def derived():
    return source.derive(SHARED)


@needs_shared
def test_build_reproduces_the_committed_files(tmp_path, partners, sectors):
    """The committed CSVs and notes are what ``build()`` derives from the raw files."""
    source.build(SHARED, tmp_path)
    rebuilt = pd.read_csv(tmp_path / source.BY_PARTNER, dtype={"date": str})
    pd.testing.assert_frame_equal(rebuilt, partners, check_exact=False, rtol=1e-9)
    rebuilt = pd.read_csv(tmp_path / source.BY_SECTOR, dtype={"snapshot_date": str}, keep_default_na=False)
    pd.testing.assert_frame_equal(rebuilt, sectors, check_exact=False, rtol=1e-9)
    for name in (source.BY_PARTNER, source.BY_SECTOR):
        note = name.replace(".csv", ".md")
        assert (tmp_path / note).read_text() == (source.OUTPUT_DIR / note).read_text()


@needs_shared
def test_partner_names_map_through_census_codes(derived):
    """Expected from CensusCountryMapping_FRBAtl_short.csv: "KOREA, SOUTH" is Census 5800 = KOR,
    "HONG KONG" 5820 = HKG; the EU aggregate (code 0003) is EU27."""
    names = derived.partner_table.drop_duplicates("partner_name").set_index("partner_name")["partner"]
    assert names["KOREA, SOUTH"] == "KOR" and names["HONG KONG"] == "HKG" and names["EUROPEAN UNION"] == "EU27"


@needs_shared
def test_snapshot_date_matches_the_series(derived):
    """The HS2 snapshot reproduces the partner series exactly for most partners at one date
    (the note reports 45 of 51 at 2025-08-07); Japan's import-weighted HS2 average, recomputed here
    from its raw file (Census 5880), equals its series value at that date."""
    assert derived.snapshot == "2025-08-07"
    hs2 = pd.read_csv(FOLDER / "data-hs2" / "hs2-tariff-5880.csv")
    japan = (hs2["2025_tariff_increase"] * hs2["2024_imports"]).sum() / hs2["2024_imports"].sum() / 100
    series = derived.partner_table.set_index(["partner", "date"]).loc[("JPN", derived.snapshot), "increase_over_2024"]
    assert japan == pytest.approx(series, abs=1e-9)
    assert (derived.comparison["gap"].abs() < 1e-8).sum() >= 40


@needs_shared
def test_sector_increase_by_hand(sectors):
    """China, Electrical and optical (c14), recomputed here from the raw HS2 file (Census 5700) and
    the committed concordance: chapters spread over sectors by their HS 2017 subheadings (the codes
    of China's 2018-2019 tariff file, each counting equally), weighted by 2024 imports."""
    hs2 = pd.read_csv(FOLDER / "data-hs2" / "hs2-tariff-5700.csv", dtype={"HS2": str})
    codes = pd.read_csv(SHARED / "tariffs/us_china_2018_2020/new_tariff_list_2020.csv", dtype={"hs6": str})[
        "hs6"
    ].unique()
    table = concordance.load()
    table = table[table["hs6"].isin(codes)]
    lines = table.groupby(table["hs6"].str[:2])["hs6"].nunique()
    c14 = table[table["wiod_code"] == "c14"].groupby(table["hs6"].str[:2])["share"].sum() / lines
    rows = hs2.set_index("HS2").join(c14.rename("c14"), how="inner")
    weight = rows["2024_imports"] * rows["c14"]
    by_hand = (weight * rows["2025_tariff_increase"]).sum() / weight.sum() / 100
    row = sectors[(sectors["partner"] == "CHN") & (sectors["wiod_code"] == "c14")]
    assert row["increase_over_2024"].item() == pytest.approx(by_hand, rel=1e-9)
    assert row["imports_2024_usd_mn"].item() == pytest.approx(weight.sum() / 1e6, rel=1e-9)


@needs_shared
def test_sector_increases_lie_between_their_chapters(sectors):
    """A sector's increase is a weighted mean of its chapters' increases, so it lies between the
    smallest and largest of them (definition); checked for every partner-sector, to the 10
    significant digits of the CSV."""
    hs2 = source.read_hs2(SHARED)
    partners = source.partner_codes(SHARED, hs2)
    weights = source.hs2_sector_weights(SHARED)
    rows = hs2[hs2["imports"] > 0].merge(weights, on="hs2").merge(partners[["code", "partner"]], on="code")
    bounds = rows.groupby(["partner", "wiod_code"])["increase"].agg(["min", "max"])
    merged = sectors.join(bounds, on=["partner", "wiod_code"])
    assert merged["min"].notna().all()
    assert (merged["increase_over_2024"] >= merged["min"] - 1e-9).all()
    assert (merged["increase_over_2024"] <= merged["max"] + 1e-9).all()
