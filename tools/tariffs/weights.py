"""Trade weights for tariff lines: who buys how much of each HS 2017 six-digit line.

Inputs (reference data, ``tariffs/weights/``):

- ``us_imports_2024_hs10/2024-hs10-imports<CTY>.parquet``: 2024 U.S. imports by HS10
  line from one partner (Census country code ``CTY``), HS 2022 codes, with calculated duty;
- ``hs6_hs5.csv``: HS 2022 (``HS6_6d``) to HS 2017 (``HS5_6d``) six-digit codes
  (insongkim/concordance). Every HS 2022 code maps to exactly one HS 2017 code (122 HS
  2017 codes receive several HS 2022 codes), so values are summed, never split;
- ``us_exports_to_china_hs6_monthly_2013_2021.parquet``: U.S. exports to China by HS6 and month.

Trade at a code that is not a line of the tariff schedule being weighted is moved onto
the schedule's lines under the same five-, then four-digit prefix (in proportion to
their own trade, equally where they have none): HS editions split and merge codes
within a heading. What is still left is reported, code by code, with its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tools.tariffs._common import DATA_DIR, read_csv, require

__all__ = [
    "HS2022_TO_HS2017",
    "LineWeights",
    "align",
    "census_code",
    "us_exports_to_china",
    "us_imports_2024",
]

WEIGHTS = Path("tariffs") / "weights"
HS10_FOLDER = WEIGHTS / "us_imports_2024_hs10"
HS2022_TO_HS2017 = WEIGHTS / "hs6_hs5.csv"
EXPORTS_TO_CHINA = WEIGHTS / "us_exports_to_china_hs6_monthly_2013_2021.parquet"
CENSUS_CODES = Path("tariffs") / "us_2025_2026" / "CensusCountryMapping_FRBAtl_short.csv"
# HTS10 -> NAICS (6-digit), from the Yale Budget Lab tracker's metal-content table (all HTS10 lines).
HS10_TO_NAICS = WEIGHTS / "yale_tariff_rate_tracker" / "metal_content_shares_bea_hs10.csv"

# Census reports U.S. exports of civil aircraft to China as one code, 880000 (chapter 88
# total, kept confidential by line). Almost all of it is Boeing airliners: HS 8802.40,
# aeroplanes of an unladen weight over 15,000 kg.
CONFIDENTIAL_CODES = {"880000": "880240"}


@dataclass(frozen=True)
class LineWeights:
    """Trade value (USD) per HS 2017 line and what could not be placed on a line."""

    values: pd.Series  # index hs6 (HS 2017), USD
    basis: str  # one sentence: what the values are
    dropped: pd.Series  # index: source code, USD left out (no line under its prefix)
    moved: float  # USD moved from a code onto lines under its 5- or 4-digit prefix
    total: float  # USD in the source before alignment


def census_code(source_dir: Path, iso3: str) -> str:
    """The Census country code of a partner (``CHN`` -> ``5700``), from the tracker's mapping."""
    table = read_csv(Path(source_dir) / CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna()
    codes = table.loc[table["ISO3"] == iso3, "CTY_CODE"]
    if codes.empty:
        raise ValueError(
            f"{iso3} has no Census country code in {CENSUS_CODES}, so no U.S. import weights; {_trade_at_stake(iso3)}"
        )
    return codes.iloc[0]


def _trade_at_stake(iso3: str) -> str:
    """How much 2024 U.S. import trade a partner without weights stands for (the partner table in the package)."""
    path = DATA_DIR / "tariffs" / "us_2025_2026_by_partner.csv"
    if path.is_file():
        table = pd.read_csv(path)
        value = table.loc[table["partner"] == iso3, "imports_2024_usd_mn"]
        if not value.empty:
            return f"its 2024 U.S. imports, {float(value.iloc[0]) / 1e3:.1f} bn USD, could not be weighted by line"
    return "its 2024 U.S. imports are not in the partner table either, so the trade affected is unknown"


def _hs2017(source_dir: Path) -> pd.Series:
    table = read_csv(Path(source_dir) / HS2022_TO_HS2017, "HS 2022 -> HS 2017 six-digit codes", dtype=str)
    mapping = table.set_index(table["HS6_6d"].str.zfill(6))["HS5_6d"].str.zfill(6)
    if mapping.index.duplicated().any():
        raise ValueError(f"{HS2022_TO_HS2017}: an HS 2022 code maps to several HS 2017 codes; splits are not handled")
    return mapping


def us_imports_2024(source_dir: Path, iso3: str) -> tuple[pd.Series, pd.Series, float]:
    """2024 U.S. imports from ``iso3`` by HS 2017 six-digit code (USD), calculated duty beside them.

    Returns (imports, duty, USD of HS 2022 codes with no HS 2017 code, kept under their own code).
    """
    source_dir = Path(source_dir)
    code = census_code(source_dir, iso3)
    path = require(
        source_dir / HS10_FOLDER / f"2024-hs10-imports{code}.parquet", f"2024 U.S. imports from {iso3} by HS10"
    )
    raw = pd.read_parquet(path, columns=["HS6", "imports", "duty"])
    mapping = _hs2017(source_dir)
    hs2022 = raw["HS6"].astype(str).str.zfill(6)
    hs2017 = hs2022.map(mapping)
    unmapped = float(raw.loc[hs2017.isna(), "imports"].sum())
    hs2017 = hs2017.fillna(hs2022)
    imports = raw["imports"].groupby(hs2017.to_numpy()).sum().rename("imports")
    duty = raw["duty"].groupby(hs2017.to_numpy()).sum().rename("duty")
    return imports, duty, unmapped


def us_imports_2024_by_naics3(source_dir: Path, iso3: str) -> pd.DataFrame:
    """2024 U.S. imports from ``iso3`` by (HS 2017 six-digit code, NAICS3), USD.

    NAICS comes from the HTS10 line (``HS10_TO_NAICS``); lines it lacks get NAICS3 ``""``.
    """
    source_dir = Path(source_dir)
    code = census_code(source_dir, iso3)
    path = require(
        source_dir / HS10_FOLDER / f"2024-hs10-imports{code}.parquet", f"2024 U.S. imports from {iso3} by HS10"
    )
    raw = pd.read_parquet(path, columns=["HS10", "HS6", "imports"])
    naics = read_csv(source_dir / HS10_TO_NAICS, "HTS10 -> NAICS", dtype=str, usecols=["hs10", "naics"])
    naics3 = raw["HS10"].astype(str).str.zfill(10).map(naics.drop_duplicates("hs10").set_index("hs10")["naics"].str[:3])
    hs2022 = raw["HS6"].astype(str).str.zfill(6)
    hs2017 = hs2022.map(_hs2017(source_dir)).fillna(hs2022)
    frame = pd.DataFrame({"hs6": hs2017.to_numpy(), "naics3": naics3.fillna("").to_numpy(), "imports": raw["imports"]})
    return frame.groupby(["hs6", "naics3"], as_index=False)["imports"].sum()


def us_exports_to_china(source_dir: Path, year: int = 2017) -> pd.Series:
    """U.S. exports to China by HS6 (the year's months summed), USD."""
    path = require(Path(source_dir) / EXPORTS_TO_CHINA, "U.S. exports to China by HS6 and month")
    raw = pd.read_parquet(path, columns=["china_exports", "hs6"]).reset_index()
    raw = raw[pd.to_datetime(raw["time"]).dt.year == year]
    if raw.empty:
        raise ValueError(f"{EXPORTS_TO_CHINA} holds no U.S. exports to China in {year} (it covers 2013-2021)")
    codes = raw["hs6"].astype(str).str.zfill(6).replace(CONFIDENTIAL_CODES)
    return raw["china_exports"].groupby(codes.to_numpy()).sum().rename("exports")


def align(values: pd.Series, lines: pd.Index, basis: str) -> LineWeights:
    """Place trade by HS6 code on the tariff lines ``lines`` (HS 2017 six-digit codes).

    A code that is a line keeps its value; any other code's value goes to the lines under
    its five-digit prefix, else its four-digit prefix, in proportion to their own value
    (equally where they have none); the rest is dropped and listed.
    """
    lines = pd.Index(lines)
    values = values[values > 0]
    placed = values.reindex(lines, fill_value=0.0).astype(float)
    others = values[~values.index.isin(lines)]
    own = placed.copy()
    moved = 0.0
    dropped = {}
    for code, value in others.items():
        for digits in (5, 4):
            under = lines[lines.str[:digits] == code[:digits]]
            if len(under):
                base = own.loc[under]
                share = base / base.sum() if base.sum() > 0 else pd.Series(1.0 / len(under), index=under)
                placed.loc[under] += value * share
                moved += value
                break
        else:
            dropped[code] = value
    return LineWeights(
        placed.rename("weight"),
        basis,
        pd.Series(dropped, dtype=float).sort_values(ascending=False),
        moved,
        float(values.sum()),
    )


def describe(weights: LineWeights, top: int = 5) -> str:
    """One sentence for a provenance note: totals, what was moved, what was dropped (largest codes)."""
    dropped = weights.dropped
    listing = ", ".join(f"{code} ({value / 1e9:.2f} bn)" for code, value in dropped.head(top).items())
    return (
        f"{weights.basis}: {weights.total / 1e9:.1f} bn USD; {weights.moved / 1e9:.2f} bn at codes that are not "
        f"lines of the schedule moved onto the lines under the same 5- or 4-digit prefix; "
        f"{dropped.sum() / 1e9:.2f} bn ({dropped.sum() / weights.total:.2%}) at {len(dropped)} "
        f"code{'' if len(dropped) == 1 else 's'} with no line "
        f"under their heading left out" + (f" (largest: {listing})" if len(dropped) else "") + "."
    )
