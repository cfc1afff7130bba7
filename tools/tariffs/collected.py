"""Collected versus statutory U.S. tariffs in 2024, by partner and HS2 chapter.

A check that uses none of the library's inputs on the collected side: Census calculated
duty over customs value (``tariffs/weights/us_imports_2024_hs10/``, one file per partner),
beside the statutory rate the library's line data give for the same 2024 imports:

- the statutory rate of a line is the column-1 ("general", MFN) rate plus, for China, the
  Section 301 rate (both from the tracker's ``us_tariffs_2020.csv`` on 2020-02-14, the rates
  that held through 2024; its 2018-01-01 column is the MFN rate, the same for every WTO
  member) plus the 2018 Section 232 tariffs on steel (25%) and aluminium (10%) for partners
  not exempted from them in 2024 (Canada, Mexico and Australia were; Argentina, Brazil and
  Korea had quotas instead; the EU, Japan and the U.K. had tariff-rate quotas: counted at the
  full rate, an upper bound);
- lines of the tariff file only: imports at HS 2022 codes are summed to HS 2017 lines
  (``hs6_hs5.csv``) and placed on the file's lines (``weights.align``); the share of imports
  that has a statutory rate is reported (``statutory_coverage``).

Preferences (USMCA, other free-trade agreements, GSP was lapsed in 2024) make the statutory
MFN rate an overstatement for FTA partners: the gap then measures the preference use.
Output: ``data/tariffs/collected_vs_statutory_2024.csv`` and its provenance note.
Run ``python -m tools.tariffs.collected --source ../shared/data``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tools.tariffs import us_china_2018_2020 as table_source
from tools.tariffs import weights
from tools.tariffs._common import DATA_DIR, main, read_csv, write_table_and_note

__all__ = ["COLUMNS", "OUTPUT_NAME", "build", "derive", "line_rates"]

OUTPUT_DIR = DATA_DIR / "tariffs"
OUTPUT_NAME = "collected_vs_statutory_2024.csv"
COLUMNS = (
    "partner", "hs2", "imports_usd", "duty_usd", "collected_rate", "statutory_rate", "statutory_coverage", "gap",
)
STEEL_2018 = tuple(str(h) for h in range(7206, 7230)) + ("7301", "7302", "7304", "7305", "7306")
ALUMINIUM_2018 = ("7601", "7604", "7605", "7606", "7607", "7608", "7609")
# Partners without the 2018 Section 232 metal tariffs in 2024 (exempted by agreement).
METALS_EXEMPT = ("CAN", "MEX", "AUS")
# Partners with U.S. free-trade agreements in force in 2024: MFN overstates their statutory rate.
FTA_PARTNERS = ("AUS", "BHR", "CAN", "CHL", "COL", "CRI", "DOM", "GTM", "HND", "ISR", "JOR", "KOR", "MAR",
                "MEX", "NIC", "OMN", "PAN", "PER", "SGP", "SLV")


def line_rates(source_dir: Path, partner: str) -> pd.Series:
    """Statutory 2024 rate per HS 2017 line of the tracker's U.S. file for one partner (fraction)."""
    tariffs, _ = table_source.fill_gaps(
        table_source.read_tariff_lines(Path(source_dir) / table_source.US_FILE, "U.S. tariffs by HS6")
    )
    rate = tariffs[table_source.LAST_US_DATE] if partner == "CHN" else tariffs[table_source.BASE_DATE].copy()
    if partner not in METALS_EXEMPT:
        lines = rate.index.to_series()
        rate = rate + 0.25 * lines.str[:4].isin(STEEL_2018) + 0.10 * lines.str[:4].isin(ALUMINIUM_2018)
    return rate


def _partner_rows(source_dir: Path, partner: str, code: str) -> pd.DataFrame:
    path = Path(source_dir) / weights.HS10_FOLDER / f"2024-hs10-imports{code}.parquet"
    raw = pd.read_parquet(path, columns=["HS6", "imports", "duty"])
    hs2017 = raw["HS6"].astype(str).str.zfill(6).map(weights._hs2017(source_dir)).fillna(raw["HS6"].astype(str))
    by_line = raw.groupby(hs2017.to_numpy())[["imports", "duty"]].sum()
    rates = line_rates(source_dir, partner)
    placed = weights.align(by_line["imports"], rates.index, "2024 imports").values
    statutory = (placed * rates).groupby(placed.index.str[:2]).sum()
    covered = placed.groupby(placed.index.str[:2]).sum()
    chapter = by_line.groupby(by_line.index.str[:2]).sum()
    frame = chapter.join(statutory.rename("statutory_duty")).join(covered.rename("covered")).fillna(0.0)
    total = frame.sum().to_frame().T.set_axis(["all"])
    frame = pd.concat([frame, total])
    return pd.DataFrame({
        "partner": partner,
        "hs2": frame.index,
        "imports_usd": frame["imports"].to_numpy(),
        "duty_usd": frame["duty"].to_numpy(),
        "collected_rate": (frame["duty"] / frame["imports"]).to_numpy(),
        "statutory_rate": (frame["statutory_duty"] / frame["covered"].where(frame["covered"] > 0)).to_numpy(),
        "statutory_coverage": (frame["covered"].clip(upper=frame["imports"]) / frame["imports"]).to_numpy(),
    })


def derive(source_dir: Path) -> pd.DataFrame:
    """The table (no writing): every partner with a 2024 HS10 file and an ISO3 code."""
    source_dir = Path(source_dir)
    mapping = read_csv(source_dir / weights.CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna()
    files = sorted((source_dir / weights.HS10_FOLDER).glob("2024-hs10-imports*.parquet"))
    if not files:
        raise FileNotFoundError(f"no 2024 HS10 import files under {source_dir / weights.HS10_FOLDER}")
    iso = dict(zip(mapping["CTY_CODE"], mapping["ISO3"], strict=False))
    iso["0003"] = "EU27"
    frames = []
    for path in files:
        code = path.stem.removeprefix("2024-hs10-imports")
        if code not in iso:
            raise ValueError(f"{path.name}: Census code {code} has no ISO3 code in {weights.CENSUS_CODES}")
        frames.append(_partner_rows(source_dir, iso[code], code))
    table = pd.concat(frames, ignore_index=True)
    table = table[table["imports_usd"] > 0]
    table["gap"] = table["statutory_rate"] - table["collected_rate"]
    return table.sort_values(["partner", "hs2"]).reset_index(drop=True)[list(COLUMNS)]


def _note(table: pd.DataFrame) -> str:
    totals = table[table["hs2"] == "all"].set_index("partner")
    china = totals.loc["CHN"]
    biggest = totals.sort_values("imports_usd", ascending=False).head(12)
    lines = [
        "# Collected versus statutory U.S. tariffs, 2024: provenance",
        "",
        f"- File: `{OUTPUT_NAME}`, columns `{'`, `'.join(COLUMNS)}`. One row per partner (ISO3; `EU27` is the EU "
        "as one partner, Census code 0003) and HS2 chapter of the HS 2017 lines, plus `all`. Rates are fractions: "
        "`collected_rate` = Census calculated duty / customs value; `statutory_rate` = the line rates below, "
        "weighted by the same 2024 imports over the imports that have one; `statutory_coverage` = that share; "
        "`gap` = statutory minus collected.",
        "- Sources: `tariffs/weights/us_imports_2024_hs10/` (2024 U.S. imports and calculated duty by HS10 and "
        "partner, U.S. Census Bureau via tradewartracker, MIT; public domain data), `tariffs/weights/hs6_hs5.csv`, "
        "`tariffs/us_china_2018_2020/us_tariffs_2020.csv` (tracker's MFN and Section 301 rates by HS6).",
        "- Built by: `python -m tools.tariffs.collected --source ../shared/data` (script: "
        "`tools.tariffs.collected.build`).",
        "",
        "## Choices",
        "",
        "1. Statutory rate of a line: the column-1 (MFN) rate of 2018 (the tracker file's first date), plus for "
        "China its Section 301 rate (the file's 2020-02-14 rates, in force through 2024; the four-year review "
        "increases of 2024-09-27 are left out: a quarter of the year on few lines), plus the 2018 Section 232 "
        f"rates on steel (25%) and aluminium (10%) except for {', '.join(METALS_EXEMPT)} (exempt in 2024). "
        "Tariff-rate quotas (EU, Japan, U.K.) and quotas (Argentina, Brazil, Korea) are not modelled: an upper bound.",
        "2. MFN rates changed little between 2018 and 2024. Specific duties enter as the tracker's ad valorem "
        "equivalents.",
        f"3. Free-trade partners ({', '.join(FTA_PARTNERS)}) pay preferential rates on qualifying goods: for them "
        "the statutory MFN rate is an upper bound and the gap measures preference use.",
        "4. Lines absent from the tracker file (never on a Section 301 list: pharmaceuticals, goods returned) "
        "have no statutory rate and are left out of the statutory average (see `statutory_coverage`).",
        "",
        "## What the gap stands for",
        "",
        f"China, all goods: collected {china['collected_rate']:.2%} of {china['imports_usd'] / 1e9:.1f} bn USD "
        f"(Census; the tracker's country-by-time file reports 10.87%), statutory {china['statutory_rate']:.2%} "
        f"on the {china['statutory_coverage']:.0%} of imports with a rate: a gap of "
        f"{china['gap'] * 100:.1f} points, statutory about {china['statutory_rate'] / china['collected_rate']:.1f} "
        "times collected. The gap stands for: Section 301 product exclusions (hundreds of lines, extended "
        "through 2024); duty drawback and duty-free entry for processing (foreign-trade zones, temporary "
        "imports under bond, goods re-exported); the de minimis entries (under 800 USD, duty-free and mostly "
        "outside these statistics, yet they move what is declared); under-valuation and misdeclared origin "
        "(evasion, transshipment through third countries: rerouting moves the taxed trade out of China's "
        "row); and within-line composition (HS10 lines under an HS6 line differ in their 301 coverage; "
        "the 8-digit lists hit only some of them). The data here cannot split the gap among these.",
        "",
        "## Largest partners",
        "",
        "| partner | imports (bn USD) | collected | statutory | coverage | gap (points) |",
        "|---|---|---|---|---|---|",
        *[
            f"| {p} | {r.imports_usd / 1e9:.1f} | {r.collected_rate:.2%} | {r.statutory_rate:.2%} | "
            f"{r.statutory_coverage:.0%} | {r.gap * 100:.1f} |"
            for p, r in biggest.iterrows()
        ],
    ]
    return "\n".join(lines)


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Derive the table from ``source_dir`` and write it with its provenance note."""
    table = derive(Path(source_dir))
    return write_table_and_note(table, _note(table), output_dir, OUTPUT_NAME)


if __name__ == "__main__":
    main(build, "Collected versus statutory U.S. tariffs in 2024 by partner and HS2.", OUTPUT_DIR)
