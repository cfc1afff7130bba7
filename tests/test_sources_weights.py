"""Line weights (tools/tariffs/weights.py): placing trade on tariff lines, and bad input.

Synthetic numbers; the values are identities (trade is conserved, shares follow the lines' own
trade). Cost: under 1 s (the partner check reads one small CSV of the reference data).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tools.tariffs import weights

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")


def test_align_keeps_moves_and_reports_every_dollar():
    """A line keeps its trade; a code that is not a line goes to the lines under its 5-digit prefix in
    proportion to their trade (else its 4-digit prefix, equally when they have none); a code with no line
    under its heading is dropped and listed with its value. Placed + dropped = total (identity)."""
    lines = pd.Index(["851712", "851713", "440311", "440312", "010121"])
    trade = pd.Series({"851712": 30.0, "851713": 10.0, "851719": 8.0, "440320": 4.0, "999995": 5.0})
    placed = weights.align(trade, lines, "test")
    assert placed.values["851712"] == pytest.approx(30.0 + 8.0 * 30 / 40)
    assert placed.values["851713"] == pytest.approx(10.0 + 8.0 * 10 / 40)
    assert placed.values["440311"] == placed.values["440312"] == pytest.approx(2.0)  # 4-digit, no own trade
    assert placed.dropped.to_dict() == {"999995": 5.0}
    assert placed.values.sum() + placed.dropped.sum() == pytest.approx(trade.sum())
    assert placed.moved == pytest.approx(12.0)
    text = weights.describe(placed)
    assert "999995 (0.00 bn)" in text and "at 1 code with no line" in text


@pytest.mark.shared_data
@pytest.mark.skipif(not (SHARED / weights.CENSUS_CODES).is_file(), reason=f"Census code table not found under {SHARED}")
def test_partner_without_weights_is_named():
    """A partner with no Census code cannot be line-weighted: the error names it and says so."""
    with pytest.raises(ValueError, match="ATL has no Census country code .* so no U.S. import weights"):
        weights.census_code(SHARED, "ATL")



@pytest.mark.shared_data
@pytest.mark.skipif(not (SHARED / weights.CENSUS_CODES).is_file(), reason=f"Census code table not found under {SHARED}")
def test_partner_without_an_import_file_is_named(tmp_path):
    """A partner with a Census code but no 2024 HS10 file: the error names the file and what it holds."""
    import shutil

    from tradewar.errors import DataNotFoundError

    target = tmp_path / weights.CENSUS_CODES
    target.parent.mkdir(parents=True)
    shutil.copy(SHARED / weights.CENSUS_CODES, target)
    with pytest.raises(
        DataNotFoundError, match=r"2024-hs10-imports5700.parquet not found \(2024 U.S. imports from CHN"
    ):
        weights.us_imports_2024(tmp_path, "CHN")
