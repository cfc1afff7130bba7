"""Build the observed series of the ``trade-war-2019`` backtest (``src/tradewar/data/backtest/``).

Offline: reads ``../shared/data`` and writes ``trade_war_2019_observed.csv``: U.S.
imports from China and from all partners, and U.S. exports to China and to all
destinations, by WIOD goods sector and year (2017, 2019 from monthly NAICS3 data;
imports also 2024 from HS10 lines), USD millions. See ``trade_war_2019_observed.md``.

Usage (from the repository root)::

    python tools/backtest/build_trade_war_2019.py --source ../shared/data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "tradewar" / "data" / "backtest"
sys.path.insert(0, str(ROOT / "tools" / "elasticities"))
from build_elasticities import hs6_to_sector  # noqa: E402  (same HS6 -> WIOD rule as the elasticity weights)

YEARS = (2017, 2019)
CHINA_CENSUS_CODE = "5700"


def naics_years(path: Path, naics_map: pd.DataFrame, flow: str) -> pd.DataFrame:
    """Calendar-year sums of the monthly NAICS3 series, mapped to WIOD sectors (codes 910-990 left out)."""
    monthly = pd.read_csv(path)
    monthly["year"] = monthly["time"].str[:4].astype(int)
    monthly = monthly[monthly["year"].isin(YEARS)].merge(naics_map, on="naics3", how="inner")
    months = monthly.groupby("year")["time"].nunique()
    if (months != 12).any():
        raise SystemExit(f"{path.name}: incomplete years {months[months != 12].to_dict()}")
    table = monthly.groupby(["year", "wiod_code", "sector"], as_index=False)[["china_trade", "total_trade"]].sum()
    table[["china_usd_mn", "total_usd_mn"]] = table[["china_trade", "total_trade"]] / 1e6
    return table.assign(flow=flow, source=f"{path.name} (NAICS3)")[
        ["flow", "year", "wiod_code", "sector", "china_usd_mn", "total_usd_mn", "source"]]


def imports_2024(source: Path, concordance: pd.DataFrame) -> pd.DataFrame:
    """2024 U.S. imports by WIOD goods sector from the 51 partner files (all partners) and China's file."""
    folder = source / "tariffs" / "weights" / "us_imports_2024_hs10"
    lines = pd.concat(pd.read_parquet(f, columns=["imports", "HS10", "HS6", "CTY_CODE"])
                      for f in sorted(folder.glob("*.parquet")))
    lines["gtap"] = (lines["CTY_CODE"] == CHINA_CENSUS_CODE).map({True: "china", False: "other"})
    spread = hs6_to_sector(lines, concordance, "wiod_code")  # "gtap" column reused as the partner group
    wide = spread.pivot_table(index="wiod_code", columns="gtap", values="weight", aggfunc="sum").fillna(0.0)
    labels = concordance.drop_duplicates("wiod_code").set_index("wiod_code")["sector"]
    table = pd.DataFrame({"flow": "imports", "year": 2024, "wiod_code": wide.index,
                          "sector": labels.reindex(wide.index).values,
                          "china_usd_mn": wide["china"].values / 1e6,
                          "total_usd_mn": (wide["china"] + wide["other"]).values / 1e6,
                          "source": "us_imports_2024_hs10 (HS10 -> WIOD)"})
    return table[table["wiod_code"].isin([f"c{k}" for k in range(1, 17)])]


def build(source: Path) -> None:
    naics_map = pd.read_csv(OUT / "naics3_to_wiod.csv")
    folder = source / "tariffs" / "us_china_2018_2020"
    concordance = pd.read_csv(
        ROOT / "src" / "tradewar" / "data" / "concordance" / "hs6_to_wiod.csv", dtype={"hs6": str}
    )
    table = pd.concat([naics_years(folder / "imports_by_naics.csv", naics_map, "imports"),
                       naics_years(folder / "exports_by_naics.csv", naics_map, "exports"),
                       imports_2024(source, concordance)], ignore_index=True)
    table["order"] = table["wiod_code"].str[1:].astype(int)
    table = table.sort_values(["flow", "year", "order"]).drop(columns="order")
    table.to_csv(OUT / "trade_war_2019_observed.csv", index=False, float_format="%.3f")
    for (flow, year), part in table.groupby(["flow", "year"]):
        print(
            f"{flow} {year}: China {part.china_usd_mn.sum() / 1e3:,.1f} bn of {part.total_usd_mn.sum() / 1e3:,.1f} bn "
            f"({part.china_usd_mn.sum() / part.total_usd_mn.sum():.1%})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data")
    build(parser.parse_args().source)


if __name__ == "__main__":
    main()
