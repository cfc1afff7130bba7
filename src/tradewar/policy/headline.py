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

__all__ = ["HEADLINE_FILE", "headline_weights"]

HEADLINE_FILE = "us_china_headline_weights.csv"


@cache
def _read() -> pd.DataFrame:
    with resources.files("tradewar").joinpath("data", "tariffs", HEADLINE_FILE).open("rb") as handle:
        return pd.read_csv(handle)


def headline_weights() -> pd.DataFrame:
    """Columns importer, exporter, wiod_code, sector, trade_usd, base_tariff (fraction), weight_year."""
    return _read().copy()
