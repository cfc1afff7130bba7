"""The HS6 -> WIOD concordance: the committed table, and its rebuild from the WITS files."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.tariffs import concordance
from tools.worlds.wiod import WIOD_SECTORS

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
HAVE_SHARED = (SHARED / "concordance" / concordance.WITS_TABLES[0][0]).is_file()
SKIP_REASON = f"reference data (WITS concordances) not found under {SHARED}; set TRADEWAR_SHARED_DATA"


def needs_shared(test):
    """Mark a test that reads the raw reference data; skip it where they are absent."""
    return pytest.mark.shared_data(pytest.mark.skipif(not HAVE_SHARED, reason=SKIP_REASON)(test))


# The ISIC Rev.3 ranges of WIOD's industries as WIOD documents them (Timmer et al. 2015,
# Table 2; also wiod2013/sectors.csv), typed here independently of the build script.
WIOD_RANGES = {
    "c1": (1, 5), "c2": (10, 14), "c3": (15, 16), "c4": (17, 18), "c5": (19, 19), "c6": (20, 20),
    "c7": (21, 22), "c8": (23, 23), "c9": (24, 24), "c10": (25, 25), "c11": (26, 26), "c12": (27, 28),
    "c13": (29, 29), "c14": (30, 33), "c15": (34, 35), "c16": (36, 37), "c17": (40, 41),
    "c30": (71, 74), "c34": (90, 93),
}  # fmt: skip


def by_division(division: int) -> str | None:
    return next((code for code, (low, high) in WIOD_RANGES.items() if low <= division <= high), None)


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    return concordance.load()


def test_committed_table_is_well_formed(committed):
    """Columns as documented; codes are 6-digit strings; no missing values; labels are the model's
    (expected: ``WIOD_SECTORS``, the labels of ``load_world().sectors``)."""
    assert tuple(committed.columns) == concordance.COLUMNS
    assert not committed.isna().any().any()
    assert committed["hs6"].str.fullmatch(r"\d{6}").all()
    assert committed["wiod_code"].isin(WIOD_SECTORS).all()
    labels = committed["wiod_code"].map(lambda code: WIOD_SECTORS[code][0])
    assert (committed["sector"] == labels).all()
    assert not committed.duplicated(["hs6", "wiod_code"]).any()


def test_shares_of_each_code_sum_to_one(committed):
    """Each HS6 code is split over WIOD industries with shares in (0, 1] summing to 1 (by construction)."""
    assert committed["share"].between(0, 1, inclusive="right").all()
    np.testing.assert_allclose(committed.groupby("hs6")["share"].sum(), 1.0, atol=1e-9)


def test_almost_every_code_is_in_a_goods_sector(committed):
    """Expected: WITS puts only a handful of goods (electricity, exposed film, plans, hair, works of art:
    19 codes in the provenance note) in service industries; everything else is c1-c16."""
    goods = [f"c{k}" for k in range(1, 17)]
    outside = committed.loc[~committed["wiod_code"].isin(goods), "hs6"].unique()
    assert 0 < len(outside) < 40
    assert set(pd.Index(outside).str[:2]) <= {"05", "27", "28", "37", "49", "97"}


def test_hs2_weights_sum_to_at_most_one(committed):
    """Chapter -> sector weights: each chapter's shares sum to 1, less its service parts (definition)."""
    weights = concordance.hs2_to_wiod(committed, committed["hs6"].unique())
    sums = weights.groupby("hs2")["share"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-9)
    goods = weights[weights["wiod_code"].isin([f"c{k}" for k in range(1, 17)])].groupby("hs2")["share"].sum()
    assert (goods <= 1 + 1e-9).all() and goods.loc["84"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("hs6", "expected"),
    [
        ("100199", {"c1": 1.0}),  # wheat: ISIC 0111
        ("720449", {"c12": 1.0}),  # ferrous scrap: ISIC 9999, chapter 72 is basic metals
        ("470790", {"c7": 1.0}),  # waste paper: ISIC 9999, chapter 47 is pulp
        ("271600", {"c17": 1.0}),  # electrical energy: ISIC 4010
        ("851712", {"c14": 1.0}),  # cell phones (HS 2007 code, WITS H3): ISIC 3220
        ("870899", {"c15": 1.0}),  # motor vehicle parts: ISIC 3430
        ("961900", {"c4": 0.5, "c7": 0.5}),  # diapers (HS 2012): 4818.40 paper + 5601.10 wadding
    ],
)
def test_known_codes(committed, hs6, expected):
    """Spot checks; expected values from the WITS ISIC code of each line (or its predecessors) and
    WIOD's ISIC ranges."""
    rows = committed[committed["hs6"] == hs6].set_index("wiod_code")["share"].to_dict()
    assert rows == pytest.approx(expected)


@pytest.fixture(scope="module")
def wits() -> pd.DataFrame:
    frames = [
        pd.read_csv(
            SHARED / "concordance" / name,
            dtype=str,
            encoding="latin-1",
            usecols=[0, 2],
            names=["hs6", "isic"],
            header=0,
        )
        for name, _ in concordance.WITS_TABLES
    ]
    return pd.concat(frames).drop_duplicates("hs6")


@needs_shared
def test_wits_lines_follow_their_isic_division(committed, wits):
    """Every WITS code whose ISIC division lies in a WIOD range sits wholly in that industry
    (expected: the ranges typed above, independent of the script)."""
    expected = wits.assign(expected=wits["isic"].str[:2].astype(int).map(by_division)).dropna(subset=["expected"])
    got = committed.set_index("hs6")
    merged = expected.join(got[["wiod_code", "share"]], on="hs6")
    assert (merged["wiod_code"] == merged["expected"]).all()
    assert (merged["share"] == 1.0).all()


@needs_shared
def test_every_tariff_line_is_mapped(committed):
    """Every HS6 code of both 2018-2020 tariff files is in the concordance (the provenance note
    reports 0 unmapped of 5,387)."""
    folder = SHARED / "tariffs" / "us_china_2018_2020"
    for name in ("us_tariffs_2020.csv", "new_tariff_list_2020.csv"):
        codes = pd.read_csv(folder / name, dtype={"hs6": str}, usecols=["hs6"])["hs6"].unique()
        assert set(codes) <= set(committed["hs6"]), name


@needs_shared
def test_build_reproduces_the_committed_files(tmp_path):
    """The committed CSV and note are exactly what ``build()`` derives from the raw WITS files."""
    concordance.build(SHARED, tmp_path)
    rebuilt = concordance.load(tmp_path / concordance.OUTPUT_NAME)
    pd.testing.assert_frame_equal(rebuilt, concordance.load(), check_exact=False, rtol=1e-9)
    note = concordance.OUTPUT_NAME.replace(".csv", ".md")
    assert (tmp_path / note).read_text() == (concordance.OUTPUT_DIR / note).read_text()
