"""Bad input to the measure-library build (issue 12): a product list no file was read for, a partner with
no line weights, and HS codes that map to no tariff line each give a clear message that says which and how
much trade is at stake. Synthetic inputs only (no ../shared/data); cost ~1 s."""

from __future__ import annotations

import pandas as pd
import pytest

from tools.tariffs import library, weights


def test_unknown_product_list_is_named():
    """A measure naming a list that was not read stops the build with the list's name and the lists known."""
    lists = library.ProductLists({"annex_ii": ["2709"], "autos": ["8703"]})
    known = r"product list 'pharma', which is not one of the lists read \(annex_ii, autos\)"
    with pytest.raises(ValueError, match=known):
        lists["pharma"]


def test_trade_under_unmatched_codes_is_summed_once():
    """The trade under codes that match no line: every HS10 line under any of the prefixes, counted once even
    where prefixes overlap (an identity on a hand-made table)."""
    trade = pd.Series({"8471300100": 5.0, "8471500150": 7.0, "8517130000": 11.0, "0303210000": 2.0})
    assert library.trade_under(["8471", "847130", "85171300"], trade) == pytest.approx(5.0 + 7.0 + 11.0)
    assert library.trade_under(["9999"], trade) == 0.0
    assert library.trade_under([], trade) == 0.0


def test_partner_without_a_census_code_says_its_trade(tmp_path):
    """A partner the Census table lacks cannot be weighted by line: the message names it and gives its 2024 U.S.
    imports from the package's partner table (Vietnam: the table's own value, 141.4 bn USD)."""
    table = tmp_path / weights.CENSUS_CODES
    table.parent.mkdir(parents=True)
    table.write_text("CTY_CODE,ISO3,country\n5700,CHN,China\n", encoding="utf-8")
    partners = pd.read_csv(weights.DATA_DIR / "tariffs" / "us_2025_2026_by_partner.csv")
    value = float(partners.loc[partners["partner"] == "VNM", "imports_2024_usd_mn"].iloc[0]) / 1e3
    said = rf"VNM has no Census country code .* {value:.1f} bn USD, could not be weighted"
    with pytest.raises(ValueError, match=said):
        weights.census_code(tmp_path, "VNM")
    with pytest.raises(ValueError, match=r"XYZ has no Census country code .* trade affected is unknown"):
        weights.census_code(tmp_path, "XYZ")
