"""The built-in library of real measures (data/measures/*.toml): loads, fits the default world,
reproduces the 2018-2020 tariff table and the 2025-2026 partner series, and gives average tariffs
in the range of published figures. The TOML files are committed data, so most tests always run;
the rebuild from the raw reference data is skipped where those are absent."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.tariffs import library as source
from tradewar import load_world
from tradewar.policy.library import data_folder, load_library
from tradewar.policy.timeline import Timeline

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
HAVE_SHARED = (
    (SHARED / source.MEASURES_CSV).is_file()
    and (SHARED / source.LISTS).is_dir()
    and (SHARED / "tariffs" / "us_china_2018_2020" / "us_tariffs_2020.csv").is_file()
)
SKIP_REASON = f"reference data (timeline/measures.csv, tariff lists) not found under {SHARED}; set TRADEWAR_SHARED_DATA"
CSV_IDS = [f"M{k:03d}" for k in range(1, 83)]  # measures.csv holds M001-M082 (its README)
# The layers' trade-weighted sector rates (the tables' statistic), not the model's line aggregate.
TW = "trade-weighted"


def needs_shared(test):
    """Mark a test that reads the raw reference data; skip it where they are absent."""
    return pytest.mark.shared_data(pytest.mark.skipif(not HAVE_SHARED, reason=SKIP_REASON)(test))


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture(scope="module")
def derived():
    """One derivation of the U.S.-China file from the reference data, shared by the tests that need it
    (each took about 35 s on its own; the partner file, another 40 s, is built by the slow test)."""
    return source.derive(SHARED, partners=False)


def average(timeline: Timeline, world, day: str, pair=("USA", "CHN")) -> float:
    """Trade-weighted average tariff (percent) of one pair on one day."""
    frame = timeline.average_tariff(world, day, day, pairs=[pair])
    return float(frame["average_tariff_pct"].iloc[0])


def tables(name: str) -> list[dict]:
    with open(data_folder("measures") / name, "rb") as handle:
        return tomllib.load(handle)["measure"]


# ---------------------------------------------------------------------- the files
def test_library_loads_and_fits_the_default_world(library, world):
    """Both files load into one timeline whose labels all exist in the default world."""
    library.check_world(world)
    assert len(library) == len(tables(source.US_CHINA)) + len(tables(source.US_PARTNERS))


def test_every_measure_is_documented():
    """Every measure has an id, a description, a basis and a source (copied from measures.csv or the
    tracker); U.S.-China ids are CSV ids (with a suffix for split layers), China's MFN changes, or measures
    not in measures.csv (issue 12 item 4, each with its primary source)."""
    for name in (source.US_CHINA, source.US_PARTNERS):
        for table in tables(name):
            assert table["description"].strip() and table["basis"].strip() and table["source"].strip(), table["id"]
    for table in tables(source.US_CHINA):
        assert table["id"][:4] in CSV_IDS or table["id"].startswith(("CN-MFN-", *source.EXTRA_PREFIXES)), table["id"]
    assert all(t["id"].startswith("P-") for t in tables(source.US_PARTNERS))


def test_note_accounts_for_every_csv_id():
    """The provenance note says, for each of M001-M082, what was done with it."""
    note = (data_folder("measures") / "us_china.md").read_text(encoding="utf-8")
    for csv_id in CSV_IDS:
        assert f"| {csv_id} |" in note, csv_id
    for csv_id in ("M015", "M016", "M066"):  # threats never implemented: skipped, with the reason
        assert f"| {csv_id} |" in note and "never implemented" in note.split(f"| {csv_id} |")[1].split("\n")[0]


@pytest.mark.slow  # a full rebuild of the library, partners included, on both worlds' sectors (~1 min)
@needs_shared
def test_committed_files_equal_the_build(tmp_path):
    """The committed TOML files, the line files (``data/tariffs/layer_lines.csv``, ``partner_lines.bin.gz``),
    their notes and the parsed cache of the TOML files are exactly (byte for byte) what ``build()`` writes
    from the reference data."""
    paths = source.build(SHARED, tmp_path)
    assert {p.name for p in paths} == {"us_china.toml", "us_china.md", "us_partners_2025.toml", "us_partners_2025.md",
                                       "layer_lines.csv", "layer_lines.md", "partner_lines.bin.gz", "partner_lines.md",
                                       "library_cache.json.gz"}
    for path in paths:
        tariffs = path.name.startswith(("layer_lines", "partner_lines"))
        committed = data_folder("tariffs" if tariffs else "measures") / path.name
        assert committed.read_bytes() == path.read_bytes(), path.name


@needs_shared
def test_every_csv_row_is_encoded_or_skipped_with_a_reason(derived):
    """Every id of measures.csv is either encoded (as one or more measures) or in SKIPPED, not both."""
    result = derived
    assert set(result.done) | set(source.SKIPPED) == set(result.csv.index) == set(CSV_IDS)
    assert not set(result.done) & set(source.SKIPPED)


# ---------------------------------------------------------------------- 2018-2020
def test_2018_2020_layers_reproduce_the_sector_table(library, world):
    """At every date of ``us_china_2018_2020.csv``, USA<-CHN and CHN<-USA = baseline + the table's
    ``increase_over_2018_01_01`` by sector. The Section 232 layer of 2018 (M001) is not in the table
    (the tracker's U.S. file is MFN + Section 301 only), so it is left out of this check."""
    table = pd.read_csv(source.TABLE_2018_2020, dtype={"date": str})
    timeline = Timeline([m for m in library if m.id != "M001"])
    for (day, importer, exporter), rows in table.groupby(["date", "importer", "exporter"]):
        tariff = timeline.tariff_on(day, world, aggregate=TW).sel(importer=importer, exporter=exporter)
        base = world.tariff.sel(importer=importer, exporter=exporter)
        added = (tariff - base).sel(sector=list(rows["sector"])).values
        np.testing.assert_allclose(added, rows["increase_over_2018_01_01"].to_numpy(), atol=1e-8, err_msg=day)


def test_m001_is_the_only_other_layer_before_2025(library, world):
    """Before 2024 the full library adds to the table only M001's Section 232 rates on Chinese metals."""
    table = pd.read_csv(source.TABLE_2018_2020, dtype={"date": str})
    m001 = library["M001"]
    for day in sorted(table.loc[table["importer"] == "USA", "date"].unique()):
        full = library.tariff_on(day, world, aggregate=TW).sel(importer="USA", exporter="CHN")
        without = Timeline([m for m in library if m.id != "M001"]).tariff_on(day, world, aggregate=TW).sel(
            importer="USA", exporter="CHN"
        )
        extra = (full - without).to_series()
        expected = pd.Series(0.0, index=extra.index)
        if m001.in_force(date.fromisoformat(day)):
            for sector, rate in m001.rate_by_sector.items():
                expected[sector] = rate
        np.testing.assert_allclose(extra.to_numpy(), expected.to_numpy(), atol=1e-12)


# ---------------------------------------------------------------------- averages on key dates
# Expectations: PIIE's US-China tariff chart (Chad P. Bown, "US-China Trade War Tariffs: An Up-to-Date
# Chart", Peterson Institute): the U.S. average tariff on Chinese goods about 3% before July 2018, about 21%
# from September 2019, about 19% after Phase One (14 Feb 2020); China's on U.S. goods about 8% rising to
# about 21%. These averages use the default world's WIOD 2011 trade weights and start from its 2005
# applied tariffs, not PIIE's 2017 line weights and 2018 statutory rates (tests/test_headline.py checks
# the tracker basis against PIIE's dated values within 2 points): the ranges allow for that. 2025: the
# statutory rates of measures.csv (fentanyl 20%, reciprocal 125% at the April peak; Geneva: reciprocal
# 10% + fentanyl 20%; Busan: 10% + 10%), less the goods outside the reciprocal tariff (Annex II,
# Section 232 goods, electronics: about a third of U.S.
# imports from China in the default world's weights).
def test_us_average_tariff_on_china(library, world):
    before = average(library, world, "2018-01-01")
    assert 2.0 < before < 4.0  # PIIE: 3.1% (Jan 2018)
    end_2019 = average(library, world, "2019-12-01")
    phase_one = average(library, world, "2020-02-14")
    assert 19.0 < end_2019 < 28.0  # PIIE: 21.0% (Sept 2019 - Feb 2020)
    assert 17.0 < phase_one < 26.0  # PIIE: 19.3% after Phase One
    assert 1.0 < end_2019 - phase_one < 3.0  # PIIE: -1.7 points (List 4A 15% -> 7.5%)
    pre_2025 = average(library, world, "2025-01-15")
    peak = average(library, world, "2025-04-12")
    assert peak - before > 115.0  # April 2025 peak: PIIE 124.1 - 3.1 = 121 points added over the pre-war tariff
    assert 85.0 < peak - pre_2025 < 125.0  # IEEPA 145 points statutory, less the goods exempted
    geneva = average(library, world, "2025-05-14")
    assert 20.0 < geneva - pre_2025 < 32.0  # about 30 points of IEEPA on top of Section 301
    busan = average(library, world, "2025-11-10")
    assert 12.0 < busan - pre_2025 < 22.0  # fentanyl 10 + reciprocal 10 (less exemptions) + Section 232
    assert 9.0 < average(library, world, "2025-11-09") - busan < 11.0  # fentanyl 20% -> 10%


def test_china_average_tariff_on_us(library, world):
    pair = ("CHN", "USA")
    before = average(library, world, "2018-01-01", pair)
    assert 4.0 < before < 9.0  # PIIE: about 8% (Jan 2018); here the 2005 applied tariff
    end_2019 = average(library, world, "2019-12-01", pair)
    assert 17.0 < end_2019 < 25.0  # PIIE: about 21%
    assert 0.2 < end_2019 - average(library, world, "2020-02-14", pair) < 2.0  # batch 1 halved (M021)
    pre_2025 = average(library, world, "2025-01-15", pair)
    assert 125.0 <= average(library, world, "2025-04-12", pair) - pre_2025 < 128.0  # 125% on all U.S. goods + M037
    assert 10.0 <= average(library, world, "2025-05-14", pair) - pre_2025 < 12.0  # Geneva: 10% kept
    assert 10.0 <= average(library, world, "2025-11-10", pair) - pre_2025 < 11.0  # Busan: farm tariffs end


# ---------------------------------------------------------------------- 2025 mechanics
def test_cumulative_rates_add_up(library):
    """Layers add to measures.csv's cumulative rates: 84 (34+50), 125; China's likewise; fentanyl 20."""
    def headline(day, ids):
        state = library.in_force(day)
        return round(sum(state[i].rate for i in ids if i in state), 10)

    assert headline("2025-04-09", ["M044", "M048", "M050"]) == 0.84
    assert headline("2025-04-10", ["M044", "M048", "M050"]) == 1.25
    assert headline("2025-04-12", ["M047", "M049", "M052"]) == 1.25
    assert headline("2025-03-04", ["M036", "M039"]) == 0.20
    assert headline("2025-11-10", ["M036", "M039", "M067"]) == 0.10
    assert headline("2025-05-14", ["M044", "M048", "M050"]) == 0.10  # Geneva: 34% held at 10%
    assert headline("2026-02-24", ["M044", "M067"]) == 0.0  # IEEPA terminated (M076)


def test_a_90_day_pause_ends_by_itself(library):
    """Without its extension, the Geneva pause (M054, from 2025-05-14) lapses after 90 days and the 34%
    country rate comes back on 2025-08-12; with the extension (M060a) it stays at 10%."""
    alone = Timeline([m for m in library if m.id not in ("M060a", "M068", "M076")])
    assert alone.in_force("2025-08-11")["M044"].rate == pytest.approx(0.10)
    assert alone.in_force("2025-08-12")["M044"].rate == pytest.approx(0.34)
    assert library.in_force("2025-08-12")["M044"].rate == pytest.approx(0.10)


def test_exemptions_lower_the_reciprocal_tariff_in_electronics(library, world):
    """The electronics exemption (M051) takes about half of Electrical and optical out of the reciprocal
    tariff; the fentanyl tariff still applies in full."""
    tariff = library.tariff_on("2025-04-12", world, aggregate=TW).sel(importer="USA", exporter="CHN")
    without = Timeline([m for m in library if not m.id.startswith("M051")]).tariff_on("2025-04-12", world, aggregate=TW)
    gap = float((without.sel(importer="USA", exporter="CHN") - tariff).sel(sector="Electrical and optical"))
    assert 0.4 * 1.25 < gap < 0.7 * 1.25
    assert (
        float(tariff.sel(sector="Textiles") - world.tariff.sel(importer="USA", exporter="CHN", sector="Textiles"))
        > 1.45
    )


# ---------------------------------------------------------------------- partners
# The partner layers' checks against the tracker are in tests/test_partners.py (issue 12: the layers are
# now built from the measures line by line, not copied from the tracker's series).


def test_partner_file_leaves_china_out():
    """China's measures are in us_china.toml only: no partner layer targets CHN (no double counting)."""
    for table in tables(source.US_PARTNERS):
        assert table["imposer"] == "USA" and table["targets"] != ["CHN"] and "CHN" not in table["targets"]
