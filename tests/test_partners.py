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

import numpy as np
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
    # vehicles from Mexico and Canada: the library taxes USMCA-qualifying vehicles on their non-U.S. content
    # (taxed share 1 - claim share x 0.40, Yale's U.S.-content assumption; flagged uncertain); the tracker's
    # 232 rate on both is lower (gaps +3.7 / +1.9 points on 2025-12-01, +1.4 / +3.0 on 2026-02-24)
    "MEX": (0.0, 4.5),
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


def _one_partner(iso3: str, rows: int, **fields) -> partners.PartnerLines:
    """A partner with ``rows`` HS10 rows of equal 2024 imports on one HS6 line, no list but those given."""
    zeros = np.zeros(rows)
    names = ("annex_ii", "annex_ii_nov", "electronics", "s122", "brazil", "brazil_farm", "energy_ca", "potash_mx",
             "floor_eu", "floor_japan", "floor_korea", "floor_swiss")
    masks = {name: np.zeros(rows, dtype=bool) for name in names}
    masks.update(fields.pop("masks", {}))
    base = dict(iso3=iso3, code="0000", hs10=np.array([f"{k:010d}" for k in range(rows)]), row_imports=np.ones(rows),
                mfn=zeros, usmca=zeros, chips=zeros, masks=masks, actions=[], action_rows={"M001": zeros},
                universe=pd.Index(["000000"]), source=np.arange(rows), target=np.zeros(rows, dtype=int),
                share=np.ones(rows))
    base.update(fields)
    return partners.PartnerLines(**base)


def test_india_keeps_the_25_percent_reciprocal_rate_after_the_oil_penalty_ends():
    """EO 14384 (2026-02-06) ended the 25% Russian-oil duty from 2026-02-07; CBP CSMS #67702087 says the
    reciprocal tariff (EO 14326 Annex I: 25% for India) stays, and the 18% of the joint statement was never put
    in force before IEEPA duties ended (2026-02-24, CSMS #67834313); Section 122 then adds 10%. On two rows, one
    in Annex II (exempt from all three), the mean is 50%/2, 25%/2 and 10%/2 (closed form; < 0.1 s)."""
    p = _one_partner("IND", 2, masks={"annex_ii": np.array([True, False]), "s122": np.array([True, False])})
    rates = {"IND": 0.25}
    assert [round(float(partners.line_rates(p, day, rates).iloc[0]), 12) for day in
            ("2026-02-06", "2026-02-07", "2026-02-23", "2026-02-24")] == [0.25, 0.125, 0.125, 0.05]


def test_korea_reciprocal_rate_is_all_in_from_the_deal_notice():
    """Korea: 15% on top of the column 1 rate from 2025-08-07 (EO 14326 Annex I), then 15% all-in, max(0, 15% -
    column 1 rate), from 2025-11-14 (USTR/Commerce notice 90 FR 55964 of 2025-12-04): on a line with a 4% rate
    the add-on falls from 15% to 11%, on a line at 20% to nothing (closed form; < 0.1 s)."""
    p = _one_partner("KOR", 2, mfn=np.array([0.04, 0.20]))
    rates = {"KOR": 0.15}
    assert round(float(partners.line_rates(p, "2025-11-13", rates).iloc[0]), 12) == 0.15
    assert round(float(partners.line_rates(p, "2025-11-14", rates).iloc[0]), 12) == round((0.11 + 0.0) / 2, 12)


def test_north_american_vehicles_pay_on_non_us_content_of_qualifying_share():
    """Proclamation 10908 (clause 3(b)) and CBP CSMS #65649652: 25% on the full value of non-qualifying vehicles
    and on the non-U.S. content of USMCA-qualifying ones. A Mexican vehicle line with 90% of its value claiming
    USMCA and U.S. content 0.40 (US_VEHICLE_CONTENT) pays 25% x (1 - 0.9 x 0.4) = 16%; no fentanyl duty stacks
    (EO 14289) (closed form; < 0.1 s)."""
    autos = SimpleNamespace(id="M042", start="2025-04-03", end=None, lines={"870323": 0.25})
    p = _one_partner("MEX", 1, usmca=np.array([0.9]), actions=[autos],
                     action_rows={"M001": np.zeros(1), "M042": np.array([0.25])})
    assert partners.US_VEHICLE_CONTENT == 0.40
    assert round(float(partners.line_rates(p, "2025-12-01", {}).iloc[0]), 12) == 0.16
