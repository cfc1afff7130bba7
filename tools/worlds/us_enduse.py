"""U.S. import margins by end use: how much of each partner's goods the U.S. buys for final use.

Census 2024 imports by partner and HS10 line (``../shared/data/tariffs/weights/
us_imports_2024_hs10``), HS2022 -> HS2017 (``hs6_hs5.csv``), end use by BEC rev.5
(``hs6_enduse_bec5.parquet``: capital and consumption goods are final use, intermediate
goods are not), HS6 -> WIOD industry (the package's ``data/concordance/hs6_to_wiod.csv``).
The margin of a partner in an industry is its final/intermediate ratio relative to all
partners'; the final-demand imputation shifts the U.S. ratio for a partner that has no
earlier ratio (Vietnam, Malaysia, Thailand...) by ``exponent`` times its log margin.
``cross_validate`` fits the exponent on half of the WIOD partners and scores on the other
half against WIOD 2011's observed split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# Census partner names (CTY_NAME) -> ISO alpha-3, for the partners in the ICIO table.
CENSUS_NAMES = {
    "CANADA": "CAN", "MEXICO": "MEX", "COSTA RICA": "CRI", "COLOMBIA": "COL", "PERU": "PER", "CHILE": "CHL",
    "BRAZIL": "BRA", "ARGENTINA": "ARG", "NORWAY": "NOR", "UNITED KINGDOM": "GBR", "SLOVAKIA": "SVK",
    "SWITZERLAND": "CHE", "RUSSIA": "RUS", "TURKEY": "TUR", "ISRAEL": "ISR", "SAUDI ARABIA": "SAU",
    "UNITED ARAB EMIRATES": "ARE", "INDIA": "IND", "PAKISTAN": "PAK", "BANGLADESH": "BGD", "THAILAND": "THA",
    "VIETNAM": "VNM", "CAMBODIA": "KHM", "MALAYSIA": "MYS", "SINGAPORE": "SGP", "INDONESIA": "IDN",
    "PHILIPPINES": "PHL", "CHINA": "CHN", "KOREA, SOUTH": "KOR", "HONG KONG": "HKG", "TAIWAN": "TWN",
    "JAPAN": "JPN", "AUSTRALIA": "AUS", "NEW ZEALAND": "NZL", "EGYPT": "EGY", "NIGERIA": "NGA", "ANGOLA": "AGO",
    "SOUTH AFRICA": "ZAF",
}
GOODS = [f"c{k}" for k in range(1, 17)]  # WIOD goods industries
MIN_FLOW = 1e8  # USD: partner-industry cells below this in either use carry no margin


def read_us_enduse(weights_dir: Path | str, hs6_to_wiod: Path | str) -> pd.DataFrame:
    """U.S. 2024 imports by partner (ISO) and WIOD goods industry, split into ``inter`` and ``final`` (USD)."""
    weights_dir = Path(weights_dir)
    files = sorted((weights_dir / "us_imports_2024_hs10").glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"No Census HS10 import files in {weights_dir / 'us_imports_2024_hs10'}.")
    enduse = pd.read_parquet(weights_dir / "hs6_enduse_bec5.parquet").rename(columns={"HS6": "hs17"})
    vintages = pd.read_csv(weights_dir / "hs6_hs5.csv", dtype=str)[["HS6_6d", "HS5_6d"]]
    concordance = pd.read_csv(hs6_to_wiod, dtype={"hs6": str})[["hs6", "wiod_code", "share"]]
    tables = []
    for path in files:
        lines = pd.read_parquet(path, columns=["CTY_NAME", "imports", "HS6"])
        iso = CENSUS_NAMES.get(str(lines["CTY_NAME"].iloc[0]))
        if iso is None:
            continue
        by_hs6 = lines.groupby("HS6", as_index=False)["imports"].sum()
        by_hs6 = by_hs6.merge(vintages, left_on="HS6", right_on="HS6_6d", how="left")
        by_hs6["hs17"] = by_hs6["HS5_6d"].fillna(by_hs6["HS6"])
        by_hs6 = by_hs6.merge(enduse, on="hs17", how="left").merge(concordance, left_on="HS6", right_on="hs6")
        by_hs6["value"] = by_hs6["imports"] * by_hs6["share"]
        by_hs6["use"] = np.where(by_hs6["BEC5EndUse"].isin(["CAP", "CONS"]), "final", "inter")
        table = by_hs6.pivot_table(index="wiod_code", columns="use", values="value", aggfunc="sum", fill_value=0.0)
        table = table.reindex(columns=["inter", "final"], fill_value=0.0).reset_index()
        table["iso"] = iso
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def log_margins(table: pd.DataFrame, partners: list[str]) -> np.ndarray:
    """(partner, WIOD goods industry) log of the final/intermediate ratio over all partners'; 0 where unknown."""
    table = table[table["wiod_code"].isin(GOODS)]
    overall = table.groupby("wiod_code")[["inter", "final"]].sum()
    ratio_all = (overall["final"] / overall["inter"]).reindex(GOODS)
    out = np.zeros((len(partners), len(GOODS)))
    for row in table.itertuples():
        if row.iso in partners and row.inter > MIN_FLOW and row.final > MIN_FLOW:
            k = GOODS.index(row.wiod_code)
            out[partners.index(row.iso), k] = np.log(row.final / row.inter / ratio_all.iloc[k])
    return out


def cross_validate(table: pd.DataFrame, wiod_dir: Path | str, exponents: np.ndarray | None = None) -> dict:
    """Fit the exponent on half of the WIOD partners in the Census files and score on the other
    half: WAPE of U.S. final imports by partner x goods industry in WIOD 2011 (folded), against
    the coarse ratio alone (what a partner without earlier ratios gets otherwise)."""
    import importlib.util
    import sys

    fd = sys.modules.get("icio_final_demand")
    if fd is None:  # the sibling module, loaded by path (tools/ is not a package in every checkout)
        spec = importlib.util.spec_from_file_location(
            "icio_final_demand", Path(__file__).with_name("icio_final_demand.py")
        )
        fd = importlib.util.module_from_spec(spec)
        sys.modules["icio_final_demand"] = fd
        spec.loader.exec_module(fd)
    fold_wiod, read_wiod = fd.fold_wiod, fd.read_wiod

    folded = fold_wiod(read_wiod(wiod_dir, 2011))
    countries = folded.countries
    us = countries.index("USA")
    m, f = folded.intermediate[us, :, :16], folded.final[us, :, :16]
    foreign = [k for k in range(len(countries)) if k != us]
    coarse = f[foreign].sum(axis=0) / m[foreign].sum(axis=0)
    shift = log_margins(table, countries)
    partners = sorted(
        c for c in set(table["iso"]) if c in countries and c != "USA" and m[countries.index(c)].sum() > 1e3
    )
    index = [countries.index(c) for c in partners]
    halves = (index[0::2], index[1::2])

    def wape(rows, exponent):
        predicted = coarse * np.exp(exponent * shift[rows]) * m[rows]
        return float(np.abs(predicted - f[rows]).sum() / f[rows].sum())

    grid = np.linspace(0.0, 1.5, 16) if exponents is None else exponents
    folds = []
    for fit, test in (halves, halves[::-1]):
        exponent = min(grid, key=lambda b: wape(fit, b))
        folds.append({"fit_on": [countries[k] for k in fit], "exponent": float(exponent),
                      "margins": wape(test, exponent), "coarse": wape(test, 0.0)})
    return {"folds": folds, "exponent": float(np.mean([fold["exponent"] for fold in folds]))}
