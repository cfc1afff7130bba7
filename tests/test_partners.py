"""U.S. tariffs on partners other than China, rebuilt line by line from the measures (issue 12 items 1-3).

The partner layers (``data/measures/us_partners_2025.toml``, built by ``tools/tariffs/partners.py``)
are checked against an independent reading of the same measures, the tradewartracker series
(``data/tariffs/us_2025_2026_by_partner.csv``: tradewartracker/trade-war-redux-2025
``country-by-time.csv``, increase over 2024 weighted by 2024 U.S. imports), and against Annex II
of EO 14257, which the old HS2 profile missed on Irish pharmaceuticals. Both files are in the
package, so these tests need no reference data (about 1 s in all).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from tools.tariffs import library as source
from tools.tariffs import partners

DAYS = ("2025-12-01", "2026-02-24")  # the brief's dates: after the farm exemptions; Section 122's first day
# Tolerance per partner, percentage points. The tracker's own HS2 file (data-hs2, 2025-08-07 snapshot)
# puts 13.5% on EU chapter 30 and 14.1% on EU chapter 27, goods Annex II exempts from the reciprocal
# tariff, and 23% on UK cars that the UK deal taxes at 10%: its reading of the measures differs by
# up to 2.7 points for the EU and the UK for such reasons, which the library does not copy.
TOLERANCE = 3.0
# Partners whose gap is larger, each for a reason the note gives:
EXPLAINED = {
    # vehicles from Mexico and Canada: the library taxes USMCA-qualifying vehicles on non-U.S. content
    # at the collected average (19% in July 2025); the tracker's 232 rate on both is lower
    "MEX": (0.0, 6.0),
    "CAN": (0.0, 4.5),
    # aluminium: the library counts the UAE's 2025 aluminium at 50% over the 2018 10% it paid
    "ARE": (0.0, 6.0),
}
# The all-partner averages must agree more closely: errors of the tracker's readings partly cancel.
AGGREGATE_TOLERANCE = 1.0


def _layers() -> list[dict]:
    path = source.OUTPUT_DIR / source.US_PARTNERS
    return tomllib.loads(path.read_text(encoding="utf-8"))["measure"]


def _rate_on(layers: list[dict], label: str, day: str) -> float | None:
    """The partner layer's trade-weighted rate in force on ``day`` (0 when none is), None if the label has no layer."""
    own = [m for m in layers if m["targets"] == [label]]
    if not own:
        return None
    for m in own:
        if m["start"].isoformat() <= day and ("end" not in m or day < m["end"].isoformat()):
            return float(m["rate"])
    return 0.0


def _tracker(day: str) -> pd.Series:
    table = pd.read_csv(source.BY_PARTNER, dtype={"date": str})
    wide = table.pivot(index="date", columns="partner", values="increase_over_2024").sort_index()
    return wide.loc[wide.index[wide.index <= day][-1]]


def _imports() -> pd.Series:
    table = pd.read_csv(source.BY_PARTNER, dtype={"date": str})
    return table.groupby("partner")["imports_2024_usd_mn"].first()


@pytest.mark.parametrize("day", DAYS)
def test_partner_rates_against_the_tracker(day):
    """Every Census partner that is a model partner of its own (WIOD or icio2022), with at least 10 bn USD
    of 2024 U.S. imports: the library's trade-weighted statutory increase over 2024 on ``day`` is within
    3 points of the tracker's (2024 import weights both), or within its stated band; the import-weighted
    mean over those partners within 1 point."""
    layers, tracker, imports = _layers(), _tracker(day), _imports()
    rows = []
    for partner, value in imports.items():
        mine = _rate_on(layers, partner, day)
        if mine is None or partner not in tracker or value < 10_000:
            continue
        rows.append((partner, value, 100 * mine, 100 * float(tracker[partner])))
    table = pd.DataFrame(rows, columns=["partner", "imports", "library", "tracker"]).set_index("partner")
    assert {"EU27", "MEX", "CAN", "JPN", "VNM", "KOR", "TWN", "IND", "GBR", "CHE"} <= set(table.index)
    gap = table["library"] - table["tracker"]
    for partner, value in gap.items():
        low, high = EXPLAINED.get(partner, (-TOLERANCE, TOLERANCE))
        assert low <= value <= high, f"{partner} on {day}: library {table.loc[partner, 'library']:.2f}% vs " \
                                     f"tracker {table.loc[partner, 'tracker']:.2f}%"
    weights = table["imports"] / table["imports"].sum()
    assert abs(float((gap * weights).sum())) <= AGGREGATE_TOLERANCE


def test_irish_pharmaceuticals_carry_no_reciprocal_tariff():
    """Annex II of EO 14257 exempts pharmaceuticals (HS chapter 30) from the reciprocal tariff, and the EU
    deal's 15% floor is that tariff: on icio2022 the EU layer (Ireland's) puts under 2% on Pharmaceuticals
    on the London talks' day and on 2025-12-01 (the old HS2 profile put 13.7 points there), while the EU's
    average stays near its 15% floor's reach (above 5%)."""
    layers = [m for m in _layers() if m["targets"] == ["EU27"]]
    for day in ("2025-06-10", "2025-12-01"):
        (layer,) = [m for m in layers if m["start"].isoformat() <= day and day < m["end"].isoformat()]
        icio = layer["worlds"]["icio2022"]["rate_by_sector"]
        assert icio.get("Pharmaceuticals", 0.0) < 0.02, (day, icio.get("Pharmaceuticals"))
        assert layer["rate"] > 0.05


def test_canada_and_mexico_face_no_reciprocal_tariff_but_the_fentanyl_one():
    """Canada's layer on 2025-12-01 is below Canada's fentanyl rate on non-USMCA goods (35%) and above 5%:
    USMCA-qualifying goods (most of the trade) are exempt (EO 14231); Mexico the same below 25%."""
    layers = _layers()
    assert 0.05 < _rate_on(layers, "CAN", "2025-12-01") < 0.35
    assert 0.05 < _rate_on(layers, "MEX", "2025-12-01") < 0.25


def test_partner_file_has_no_layer_before_2025():
    """The file holds increases over 2024: nothing starts before the first 2025 measure (2025-02-04)."""
    assert min(m["start"].isoformat() for m in _layers()) >= "2025-02-04"


def test_partner_without_weights_is_an_error_naming_its_trade(tmp_path):
    """A non-EU country of a world with a ROW region (WIOD-like) and no Census 2024 HS10 file cannot be
    weighted by line: the build stops naming it and its 2024 U.S. imports (Vietnam: 141.4 bn USD, the
    package's partner table)."""
    partners._CACHE[Path(tmp_path).resolve()] = {}  # a source folder whose Census files hold no partner
    world = SimpleNamespace(countries=["USA", "CHN", "VNM", "ROW"])
    try:
        with pytest.raises(ValueError, match=r"VNM: no 2024 U.S. import weights by line .*141\.4 bn USD"):
            partners.model_partners(world, tmp_path, base=None)
    finally:
        partners._CACHE.pop(Path(tmp_path).resolve())
