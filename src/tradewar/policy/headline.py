"""Headline weights: the trade of the trackers' weight year by sector, for the timeline's headline.

The standard chart of U.S.-China tariffs (Bown, PIIE) weights tariff lines by 2017 trade.
``data/tariffs/us_china_headline_weights.csv`` (built by ``tools/tariffs/us_china_2018_2020.py``,
provenance beside it) holds, per direction and goods sector, the sector's total line
weight and its statutory tariff on 2018-01-01; weighted by these totals the sector
tariffs give back the line-level trade-weighted average, so the package computes the
trackers' statistic at run time without the lines.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["COLLECTED_FILE", "HEADLINE_FILE", "collected_2024", "headline_weights"]

HEADLINE_FILE = "us_china_headline_weights.csv"


@cache
def _read() -> pd.DataFrame:
    with resources.files("tradewar").joinpath("data", "tariffs", HEADLINE_FILE).open("rb") as handle:
        return pd.read_csv(handle)


def headline_weights() -> pd.DataFrame:
    """Columns importer, exporter, wiod_code, sector, trade_usd, base_tariff (fraction), weight_year.

    Returns
    -------
    pandas.DataFrame
        A copy of the shipped ``data/tariffs/us_china_headline_weights.csv``.
    """
    return _read().copy()


COLLECTED_FILE = "collected_vs_statutory_2024.csv"


@cache
def _collected() -> pd.DataFrame:
    with resources.files("tradewar").joinpath("data", "tariffs", COLLECTED_FILE).open("rb") as handle:
        return pd.read_csv(handle, dtype={"hs2": str})


def collected_2024(partner: str) -> dict[str, float] | None:
    """2024 U.S. tariffs on one partner's goods, all chapters: Census duty collected over imports
    beside the statutory rate of the same lines (``data/tariffs/collected_vs_statutory_2024.md``).

    Parameters
    ----------
    partner : str
        The partner's code (e.g. ``CHN``).

    Returns
    -------
    dict of str to float or None
        ``{"imports_usd", "collected_rate", "statutory_rate", "gap"}`` (rates as fractions), or
        None for a partner without 2024 HS10 data.
    """
    rows = _collected()
    row = rows[(rows["partner"] == partner) & (rows["hs2"] == "all")]
    if row.empty:
        return None
    first = row.iloc[0]
    return {key: float(first[key]) for key in ("imports_usd", "collected_rate", "statutory_rate", "gap")}
