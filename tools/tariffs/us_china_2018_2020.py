"""The 2018-2020 U.S.-China tariffs, each way, by WIOD goods sector and date.

Inputs (reference data, ``tariffs/us_china_2018_2020/``, from mwaugh0328/tradewar-tracker,
built on U.S. government schedules and Bown, Jung & Zhang's PIIE series):

- ``us_tariffs_2020.csv``: the U.S. tariff (MFN + Section 301) on Chinese goods by HS6
  at 7 dates, 2018-01-01 to 2020-02-14, in percent;
- ``new_tariff_list_2020.csv``: China's tariff on U.S. goods by HS6 at 12 dates,
  2018-01-01 to 2019-12-26, in percent.

Each HS6 line is spread over WIOD sectors with the HS6 concordance
(:mod:`tools.tariffs.concordance`) and averaged within each goods sector with
line-level trade weights (:mod:`tools.tariffs.weights`): for the U.S. tariff, 2024 U.S.
imports from China by HS10 (summed to HS 2017 six-digit lines), with each sector scaled
to its 2017 imports (``2017_imports_by_naics.csv``, NAICS3 mapped to WIOD) so that the
headline average has the standard chart's weight year (2017) and 2024 shares of lines
within each sector; for China's tariff, U.S. exports to China by HS6 in 2017. The
tracker's NAICS series serve as a cross-check.

Output: ``data/tariffs/us_china_2018_2020.csv`` (fractions) and its provenance note.
Run ``python -m tools.tariffs.us_china_2018_2020 --source ../shared/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tools.tariffs import concordance, weights
from tools.tariffs._common import (
    DATA_DIR,
    GOODS,
    main,
    read_csv,
    sector_label,
    write_table_and_note,
)

__all__ = [
    "BASE_DATE",
    "COLUMNS",
    "NAICS_TO_WIOD",
    "OUTPUT_DIR",
    "OUTPUT_NAME",
    "Schedule",
    "build",
    "census_code",
    "derive",
    "hs_average",
    "read_tariff_lines",
    "schedules",
    "sector_tariffs",
]

OUTPUT_DIR = DATA_DIR / "tariffs"
OUTPUT_NAME = "us_china_2018_2020.csv"
COLUMNS = (
    "date",
    "importer",
    "exporter",
    "sector",
    "tariff",
    "increase_over_2018_01_01",
    "wiod_code",
    "hs6_lines",
)
BASE_DATE = "2018-01-01"  # first date of both files: the pre-war MFN tariffs

FOLDER = Path("tariffs") / "us_china_2018_2020"
US_FILE = FOLDER / "us_tariffs_2020.csv"
CHINA_FILE = FOLDER / "new_tariff_list_2020.csv"
HS2_FOLDER = Path("tariffs") / "us_2025_2026" / "data-hs2"
CENSUS_CODES = Path("tariffs") / "us_2025_2026" / "CensusCountryMapping_FRBAtl_short.csv"
US_IMPORTS_BY_NAICS = FOLDER / "imports_by_naics.csv"
US_IMPORTS_2017_BY_NAICS = FOLDER / "2017_imports_by_naics.csv"
WEIGHT_YEAR = 2017  # the standard chart's (Bown, PIIE) weight year, used for both directions
LAST_US_DATE = "2020-02-14"  # the U.S. file's last date: the Section 301 rates that held through 2024
# Import-demand elasticity used to undo the tariffs' effect on 2024 line shares: Fajgelbaum,
# Goldberg, Kennedy & Khandelwal (2020), "The Return to Protectionism", QJE 135(1), estimate
# sigma = 2.53 for the elasticity of substitution between imported varieties, with complete pass-through.
BACKCAST_SIGMA = 2.53
US_EXPORTS_BY_NAICS = FOLDER / "exports_by_naics.csv"

# NAICS 3-digit manufacturing and primary subsectors -> WIOD goods sector, for the
# cross-check figures only (the tracker's NAICS series and 2017 trade weights).
# Approximate where the systems cut differently (e.g. some NAICS 333 goods are ISIC 30-33).
# 910-990 (scrap, used goods, returns, special provisions) have no single sector: left out.
NAICS_TO_WIOD = {
    "111": "c1", "112": "c1", "113": "c1", "114": "c1",
    "211": "c2", "212": "c2",
    "311": "c3", "312": "c3",
    "313": "c4", "314": "c4", "315": "c4",
    "316": "c5",
    "321": "c6",
    "322": "c7", "323": "c7",
    "324": "c8",
    "325": "c9",
    "326": "c10",
    "327": "c11",
    "331": "c12", "332": "c12",
    "333": "c13",
    "334": "c14", "335": "c14",
    "336": "c15",
    "337": "c16", "339": "c16",
}  # fmt: skip


@dataclass(frozen=True)
class Schedule:
    """One direction's tariff lines: HS6 x date (fractions, gaps filled) and each line's weight."""

    importer: str
    exporter: str
    tariffs: pd.DataFrame  # index hs6, columns dates "YYYY-MM-DD", fractions
    weights: pd.Series  # index hs6, non-negative
    weight_basis: str
    filled: pd.DataFrame  # (hs6, date) cells missing in the source and filled
    weight_notes: tuple[str, ...] = ()


def read_tariff_lines(path: Path, what: str) -> pd.DataFrame:
    """(hs6, date, tariff) from a tracker file, tariffs converted from percent to fractions.

    Both files hold percent (25.0 = 25%); a list with no value above 1 would be in
    fractions already, which these are not, so the check guards the conversion.
    """
    raw = read_csv(path, what, dtype={"hs6": str})
    lines = pd.DataFrame(
        {
            "hs6": raw["hs6"].str.zfill(6),
            "date": pd.to_datetime(raw["time_of_tariff"]).dt.strftime("%Y-%m-%d"),
            "tariff": raw["tariff"].astype(float),
        }
    )
    if lines["tariff"].max() <= 1.0:
        raise ValueError(
            f"{path}: tariffs are expected in percent (some above 1); the largest is {lines['tariff'].max()}"
        )
    if lines.duplicated(["hs6", "date"]).any():
        raise ValueError(f"{path}: some HS6 line appears twice at one date")
    return lines.assign(tariff=lines["tariff"] / 100.0)


def fill_gaps(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """HS6 x date table with missing cells filled from the line's previous date (else its next).

    A few lines lack a value at some dates. Carrying the nearest earlier value assumes the line did not change in
    between; at the first date there is no earlier value, so the next one is used.
    Returns the table and the list of filled cells.
    """
    wide = lines.pivot(index="hs6", columns="date", values="tariff").sort_index(axis=0).sort_index(axis=1)
    missing = wide.isna()
    filled = wide.ffill(axis=1).bfill(axis=1)
    cells = missing.stack()
    return filled, cells[cells].reset_index()[["hs6", "date"]]


census_code = weights.census_code


def us_import_weights(source_dir: Path, tariffs: pd.DataFrame) -> tuple[pd.Series, tuple[str, ...]]:
    """Weight of each HS6 line of ``tariffs``: U.S. imports from China in 2017 by NAICS3, shared out
    over the lines of each NAICS3 subsector in proportion to their 2024 imports with the tariffs' own
    effect on them undone.

    The standard chart weights lines by 2017 trade; the reference data hold 2017 imports only by
    NAICS3 (``2017_imports_by_naics.csv``), so 2024 imports (HS10, summed to HS 2017 lines, NAICS
    from ``weights.HS10_TO_NAICS``) supply the shares within each subsector. By 2024 the lines that
    Section 301 taxed had lost ground to the untaxed lines of their subsector, so raw 2024 shares
    understate them: each line's 2024 value is multiplied by ((1+t_2020)/(1+t_2018))^sigma, its
    tariff rise raised to the import-demand elasticity (``BACKCAST_SIGMA``; customs values move as
    (1+t)^-sigma when pass-through is complete, as Fajgelbaum et al. found). HS10 lines without a
    NAICS code keep their value times the ratio of all 2017 to all 2024 imports.
    Also returns notes for the provenance.
    """
    source_dir = Path(source_dir)
    by_naics = weights.us_imports_2024_by_naics3(source_dir, "CHN")
    naics = read_csv(source_dir / US_IMPORTS_2017_BY_NAICS, "2017 U.S. imports from China by NAICS3",
                     dtype={"naics3": str})
    totals_2017 = naics.set_index("naics3")["2017_china_trade"].astype(float)
    rise = (1 + tariffs[LAST_US_DATE]) / (1 + tariffs[BASE_DATE])
    backcast = by_naics["imports"] * by_naics["hs6"].map(rise).fillna(1.0).to_numpy() ** BACKCAST_SIGMA
    totals_2024 = backcast.groupby(by_naics["naics3"]).sum()
    overall = totals_2017.sum() / totals_2024.sum()
    factor = (totals_2017 / totals_2024).reindex(by_naics["naics3"]).fillna(overall).to_numpy()
    values_2017 = (backcast * factor).groupby(by_naics["hs6"]).sum()
    placed = weights.align(
        values_2017, tariffs.index,
        f"U.S. imports from China, {WEIGHT_YEAR} by NAICS3 x 2024 line shares (tariff effect undone)",
    )
    no_naics = float(by_naics.loc[by_naics["naics3"] == "", "imports"].sum())
    notes = (
        weights.describe(placed),
        f"2017 imports by NAICS3 {totals_2017.sum() / 1e9:.1f} bn USD, 2024 imports by HS10 "
        f"{by_naics['imports'].sum() / 1e9:.1f} bn; 2024 imports at HS10 lines with no NAICS code "
        f"{no_naics / 1e9:.2f} bn, weighted by the overall ratio {overall:.3f}.",
    )
    return placed.values, notes


def schedules(source_dir: Path, table: pd.DataFrame | None = None) -> tuple[Schedule, Schedule]:
    """The U.S. tariff on China and China's tariff on the U.S., lines filled and weighted.

    ``table`` is the HS6 -> WIOD concordance (derived from ``source_dir`` when not given).
    """
    source_dir = Path(source_dir)
    table = concordance.derive(source_dir).table if table is None else table
    us_tariffs, us_filled = fill_gaps(read_tariff_lines(source_dir / US_FILE, "U.S. tariffs on Chinese goods by HS6"))
    us_weights, notes = us_import_weights(source_dir, us_tariffs)
    us = Schedule(
        "USA",
        "CHN",
        us_tariffs,
        us_weights,
        f"U.S. imports from China in {WEIGHT_YEAR} by NAICS3, shared over each subsector's HS 2017 lines "
        f"by their 2024 imports (HS10) times their Section 301 tariff rise to the power {BACKCAST_SIGMA}",
        us_filled,
        notes,
    )
    cn_tariffs, cn_filled = fill_gaps(
        read_tariff_lines(source_dir / CHINA_FILE, "China's tariffs on U.S. goods by HS6")
    )
    exports = weights.align(
        weights.us_exports_to_china(source_dir, WEIGHT_YEAR), cn_tariffs.index,
        f"U.S. exports to China by HS6 in {WEIGHT_YEAR}",
    )
    china = Schedule(
        "CHN",
        "USA",
        cn_tariffs,
        exports.values,
        f"U.S. exports to China by HS6 in {WEIGHT_YEAR} (Census), placed on China's HS 2017 lines",
        cn_filled,
        (weights.describe(exports),),
    )
    return us, china


def _pieces(schedule: Schedule, table: pd.DataFrame) -> pd.DataFrame:
    """(hs6, wiod_code, weight) for the goods-sector parts of each line: line weight x concordance share."""
    rows = table[table["hs6"].isin(schedule.tariffs.index) & table["wiod_code"].isin(GOODS)]
    weight = rows["share"].to_numpy() * schedule.weights.reindex(rows["hs6"]).to_numpy()
    return rows.assign(weight=weight)[["hs6", "wiod_code", "share", "weight"]]


def sector_tariffs(schedule: Schedule, table: pd.DataFrame) -> pd.DataFrame:
    """Weighted average tariff by WIOD goods sector and date, and its increase over the first date.

    A sector whose lines all have zero weight (no trade in their chapters) falls back to
    equal weights, so that every sector with lines has a tariff.
    """
    pieces = _pieces(schedule, table)
    totals = pieces.groupby("wiod_code")["weight"].transform("sum")
    weight = np.where(totals > 0, pieces["weight"], pieces["share"])
    values = schedule.tariffs.loc[pieces["hs6"]].to_numpy() * weight[:, None]
    by_sector = pd.DataFrame(values, columns=schedule.tariffs.columns).groupby(pieces["wiod_code"].to_numpy()).sum()
    average = by_sector.div(pd.Series(weight).groupby(pieces["wiod_code"].to_numpy()).sum(), axis=0)
    increase = average.sub(average[BASE_DATE], axis=0)
    long = (
        average.stack().rename("tariff").to_frame().join(increase.stack().rename("increase_over_2018_01_01"))
    ).reset_index(names=["wiod_code", "date"])
    long["hs6_lines"] = long["wiod_code"].map(pieces.groupby("wiod_code")["hs6"].nunique())
    long["sector"] = long["wiod_code"].map(sector_label)
    long["importer"], long["exporter"] = schedule.importer, schedule.exporter
    long["order"] = long["wiod_code"].str[1:].astype(int)
    return long.sort_values(["date", "order"])[list(COLUMNS)].reset_index(drop=True)


def hs_average(schedule: Schedule, table: pd.DataFrame | None = None) -> pd.Series:
    """Weighted average over HS6 lines by date: all lines, or only their goods-sector parts if ``table``."""
    if table is None:
        weights = schedule.weights
        return schedule.tariffs.mul(weights, axis=0).sum() / weights.sum()
    pieces = _pieces(schedule, table)
    values = schedule.tariffs.loc[pieces["hs6"]].mul(pieces["weight"].to_numpy(), axis=0)
    return values.sum() / pieces["weight"].sum()


def naics_check(source_dir: Path, file: Path, dates: pd.Index) -> pd.Series:
    """The tracker's own trade-weighted tariff (by NAICS3, month of each date) averaged with 2017 trade.

    ``tariff_trd_w_avg`` is the tracker's HS-level trade-weighted tariff of each NAICS3
    subsector in a month; 2017 annual trade with China (the sum of the 2017 months) weights
    the subsectors, as PIIE weights with 2017 trade. Percent in the file; fractions here.
    """
    series = read_csv(
        source_dir / file, "the tracker's monthly U.S.-China trade and tariffs by NAICS3", dtype={"naics3": str}
    )
    series = series.assign(month=series["time"].str[:7])
    weights = series[series["month"].str.startswith("2017")].groupby("naics3")["china_trade"].sum()
    months = pd.Index(dates).str[:7]
    tariff = series[series["month"].isin(months)].pivot(index="naics3", columns="month", values="tariff_trd_w_avg")
    tariff = tariff.reindex(columns=months)
    valid = tariff.notna().mul(weights.reindex(tariff.index).fillna(0.0), axis=0)
    average = tariff.fillna(0.0).mul(valid).sum() / valid.sum() / 100.0
    return pd.Series(average.to_numpy(), index=dates)


def naics_sector_weights(source_dir: Path, file: Path) -> pd.Series:
    """2017 trade with China by WIOD goods sector, from the tracker's NAICS3 monthly series."""
    series = read_csv(source_dir / file, "the tracker's monthly U.S.-China trade by NAICS3", dtype={"naics3": str})
    year = series[series["time"].str.startswith("2017")]
    return year.groupby(year["naics3"].map(NAICS_TO_WIOD))["china_trade"].sum()


@dataclass
class Result:
    """The sector table and the figures the provenance note reports."""

    table: pd.DataFrame
    schedules: tuple[Schedule, Schedule]
    sanity: dict[str, pd.DataFrame]
    coverage: dict[str, dict[str, float]]


def _coverage(schedule: Schedule, table: pd.DataFrame) -> dict[str, float]:
    """Lines, and the line weight the goods sectors do not receive (unmapped or in service industries)."""
    mapped = table[table["hs6"].isin(schedule.tariffs.index)]
    goods_share = mapped[mapped["wiod_code"].isin(GOODS)].groupby("hs6")["share"].sum()
    goods_share = goods_share.reindex(schedule.tariffs.index, fill_value=0.0)
    in_concordance = schedule.tariffs.index.isin(mapped["hs6"])
    weights = schedule.weights
    return {
        "HS6 lines": len(schedule.tariffs),
        "lines not in the concordance": int((~in_concordance).sum()),
        "lines with some share outside goods sectors": int((goods_share < 1 - 1e-12).sum()),
        "weight outside goods sectors": float(((1 - goods_share) * weights).sum() / weights.sum()),
        "cells filled": len(schedule.filled),
    }


def _sanity(
    schedule: Schedule, table: pd.DataFrame, sectors: pd.DataFrame, source_dir: Path, naics_file: Path
) -> pd.DataFrame:
    """Average tariff by date several ways (fractions), for the provenance note."""
    dates = schedule.tariffs.columns
    wide = sectors.pivot(index="wiod_code", columns="date", values="tariff")
    naics_weights = naics_sector_weights(source_dir, naics_file).reindex(wide.index).fillna(0.0)
    return pd.DataFrame(
        {
            "HS6 lines, this file's weights (all lines)": hs_average(schedule),
            "HS6 lines, this file's weights (goods-sector parts)": hs_average(schedule, table),
            "HS6 lines, simple average": schedule.tariffs.mean(),
            "sectors, weighted by 2017 trade (NAICS3 -> WIOD)": wide.mul(naics_weights, axis=0).sum()
            / naics_weights.sum(),
            "tracker's NAICS3 series, month of the date, 2017 weights": naics_check(source_dir, naics_file, dates),
        },
        index=dates,
    )


def derive(source_dir: Path) -> Result:
    """Derive the sector table from the raw files (no writing)."""
    source_dir = Path(source_dir)
    table = concordance.derive(source_dir).table
    us, china = schedules(source_dir, table)
    us_sectors, china_sectors = sector_tariffs(us, table), sector_tariffs(china, table)
    result = pd.concat([us_sectors, china_sectors], ignore_index=True)
    sanity = {
        "USA on CHN": _sanity(us, table, us_sectors, source_dir, US_IMPORTS_BY_NAICS),
        "CHN on USA": _sanity(china, table, china_sectors, source_dir, US_EXPORTS_BY_NAICS),
    }
    coverage = {"USA on CHN": _coverage(us, table), "CHN on USA": _coverage(china, table)}
    return Result(result, (us, china), sanity, coverage)


def _listing(values: pd.Series) -> str:
    """Distinct values, sorted, comma-separated."""
    return ", ".join(sorted(values.unique()))


def _percent_table(frame: pd.DataFrame) -> list[str]:
    header = "| date | " + " | ".join(frame.columns) + " |"
    lines = [header, "|---" * (len(frame.columns) + 1) + "|"]
    lines += [f"| {date} | " + " | ".join(f"{value:.1%}" for value in row) + " |" for date, row in frame.iterrows()]
    return lines


def _provenance(result: Result) -> str:
    us, china = result.schedules
    lines = [
        "# U.S.-China tariffs 2018-2020 by WIOD goods sector: provenance",
        "",
        f"- File: `{OUTPUT_NAME}`, columns `{'`, `'.join(COLUMNS)}`. `tariff` = the sector's average tariff "
        "(fraction: 0.25 = 25%); `increase_over_2018_01_01` = `tariff` minus the sector's tariff on "
        "2018-01-01 (pre-war MFN), same weights. `importer` charges the tariff on goods from `exporter` "
        "(ISO3). `hs6_lines` = tariff lines with some share in the sector.",
        "- Sources: `tariffs/us_china_2018_2020/us_tariffs_2020.csv` (U.S. MFN + Section 301 tariff on Chinese "
        "goods by HS6 at 7 dates) and `new_tariff_list_2020.csv` (China's tariff on U.S. goods by HS6 at 12 "
        "dates), from mwaugh0328/tradewar-tracker (MIT licence), built on U.S. government tariff schedules "
        "(USITC HTS, USTR Section 301 notices) and on Bown, Jung & Zhang's PIIE series (Chad P. Bown, "
        '"US-China Trade War Tariffs: An Up-to-Date Chart", Peterson Institute for International Economics). '
        "Weights: `2017_imports_by_naics.csv` (same folder: 2017 U.S. imports from China by NAICS3), "
        "`tariffs/weights/us_imports_2024_hs10/2024-hs10-imports5700.parquet` (2024 U.S. imports from China by "
        "HS10, Census), `tariffs/weights/hs6_hs5.csv` (HS 2022 -> HS 2017), "
        "`tariffs/weights/yale_tariff_rate_tracker/metal_content_shares_bea_hs10.csv` (HTS10 -> NAICS) and "
        "`tariffs/weights/us_exports_to_china_hs6_monthly_2013_2021.parquet` (U.S. exports to China by HS6). HS6 -> "
        "WIOD: "
        "`../concordance/hs6_to_wiod.csv` (rebuilt from WITS by the same run). Cross-checks: the tracker's "
        "`imports_by_naics.csv` and `exports_by_naics.csv`.",
        "- Built by: `python -m tools.tariffs.us_china_2018_2020 --source ../shared/data` "
        "(script: `tools.tariffs.us_china_2018_2020.build`).",
        "",
        "## Choices",
        "",
        "1. Units: both files hold percent (25.0 = 25%; the U.S. file reaches 375 on unmanufactured tobacco, "
        "240110, an out-of-quota rate); divided by 100.",
        "2. Missing values: a few lines lack a value at some dates. The gap takes the line's value at the "
        "previous date, or at the next date for the first date (the line is assumed unchanged in between). "
        f"Cells filled: U.S. {len(us.filled)} (all on {_listing(us.filled['date'])}), "
        f"China {len(china.filled)} ({china.filled['hs6'].nunique()} lines of heading(s) "
        f"{_listing(china.filled['hs6'].str[:4])}, on {_listing(china.filled['date'])}).",
        "3. Each HS6 line is spread over WIOD industries with the concordance shares; only the goods industries "
        "(c1-c16) are kept (the model taxes goods only).",
        f"4. U.S. tariff on China: weights = {us.weight_basis}. Weight year: {WEIGHT_YEAR}, the standard "
        "chart's (PIIE: 2017 imports by line); the reference data hold 2017 imports only by NAICS3, so 2024 "
        "imports share each subsector's 2017 total out over its lines. Raw 2024 shares understate the lines "
        "Section 301 taxed (their imports from China fell relative to the untaxed lines of the same "
        "subsector: with raw 2024 shares the average is 15.3% on 2019-06-01 and 16.9% on 2020-02-14, 3 "
        "points under PIIE's), so each line's 2024 value is first multiplied by its tariff rise "
        f"(1+t on {LAST_US_DATE})/(1+t on {BASE_DATE}) to the power {BACKCAST_SIGMA}, the import-demand "
        "elasticity of Fajgelbaum, Goldberg, Kennedy & Khandelwal (2020, QJE), who found complete "
        "pass-through (customs values then move as (1+t)^-sigma). HS 2022 codes are mapped to HS 2017 with "
        "`hs6_hs5.csv`, which sends every HS 2022 code to one HS 2017 code (122 HS 2017 codes receive "
        "several): values are summed, never split. " + " ".join(us.weight_notes) + " Lines absent from the "
        "U.S. file were never on a Section 301 list (pharmaceuticals 3004, therapy apparatus 9019, goods "
        "returned 9801...); their trade is left out, which raises the averages by about 3% of their level.",
        f"5. China's tariff on the U.S.: weights = {china.weight_basis}. Weight year {WEIGHT_YEAR}, as "
        "PIIE's. Census reports civil aircraft as one confidential code, 880000, placed on 8802.40 "
        "(aeroplanes over 15 t: Boeing airliners). " + " ".join(china.weight_notes),
        "6. Weights are fixed over time, so a sector's increase is also the weighted mean of its lines' increases.",
        "7. The first date of both files, 2018-01-01, is the pre-war base. China cut its MFN tariffs on "
        "2018-07-01 and 2018-11-01, so some increases are negative before the retaliation dates.",
        "",
        "## Coverage",
        "",
    ]
    for name, figures in result.coverage.items():
        lines.append(
            f"- {name}: "
            + ", ".join(
                f"{label} {value:.2%}" if label.startswith("weight") else f"{label} {value}"
                for label, value in figures.items()
            )
            + "."
        )
    lines += [
        "",
        "## Sanity figures: average tariff by date",
        "",
        "Columns: (1) the weighted mean over all HS6 lines with this file's weights; (2) the same over the "
        "goods-sector parts of the lines, which is what the sector table averages to when sectors are "
        "weighted by their total line weight; (3) the simple mean over lines; (4) the sector tariffs of this "
        "table weighted by 2017 U.S.-China trade (NAICS3 mapped to WIOD, `NAICS_TO_WIOD`; scrap, used goods "
        "and special provisions left out); (5) the tracker's own trade-weighted tariffs by NAICS3 for the "
        "month of the date, weighted by 2017 trade: closest to PIIE's method (2017 HS-level weights); being "
        "monthly, it lags changes made late in a month (2018-07-06, 2018-08-23, 2018-09-24).",
        "",
    ]
    for name, frame in result.sanity.items():
        lines += [f"### {name}", "", *_percent_table(frame), ""]
    lines += [
        'PIIE\'s chart (Bown, "US-China Trade War Tariffs: An Up-to-Date Chart") has the U.S. average '
        "tariff on Chinese goods at about 3% before the war and about 21% from September 2019 (about 19% "
        "after the Phase One cut of February 2020), and China's on U.S. goods at about 8% rising to about "
        "21%, both weighted by 2017 trade at HS level. Column (5) is built the same way from the tracker's "
        "NAICS-level series, the closest to PIIE's construction. Columns (1), (2) and (4) agree with both "
        "within 2 points at every date PIIE publishes (the test `tests/test_sources_us_china.py` checks "
        "this); the tracker's file holds MFN and Section 301 only, so PIIE's figures, which add Section 232 "
        "and 201 (about 0.7 points from spring 2018), sit a little above the U.S. file's. Column (3), the "
        "simple mean, shows what the weights do.",
    ]
    return "\n".join(lines)


HEADLINE_NAME = "us_china_headline_weights.csv"
HEADLINE_COLUMNS = ("importer", "exporter", "wiod_code", "sector", "trade_usd", "base_tariff", "weight_year")


def headline_weights(result: Result, table: pd.DataFrame) -> pd.DataFrame:
    """Per direction and goods sector: the sector's total line weight (USD) and its 2018-01-01 tariff.

    Weighted by these, the sector tariffs give back the line-level trade-weighted average (an
    identity of weighted means), so the timeline's headline can be the trackers' statistic at
    run time without the lines.
    """
    frames = []
    for schedule in result.schedules:
        pieces = _pieces(schedule, table)
        trade = pieces.groupby("wiod_code")["weight"].sum()
        base = result.table[(result.table["importer"] == schedule.importer) & (result.table["date"] == BASE_DATE)]
        base = base.set_index("wiod_code")
        frames.append(pd.DataFrame({
            "importer": schedule.importer,
            "exporter": schedule.exporter,
            "wiod_code": base.index,
            "sector": base["sector"].to_numpy(),
            "trade_usd": trade.reindex(base.index).fillna(0.0).to_numpy(),
            "base_tariff": base["tariff"].to_numpy(),
            "weight_year": WEIGHT_YEAR,
        }))
    return pd.concat(frames, ignore_index=True)[list(HEADLINE_COLUMNS)]


def _headline_note(result: Result) -> str:
    us, china = result.schedules
    return "\n".join([
        "# Headline weights of the U.S.-China timeline: provenance",
        "",
        f"- File: `{HEADLINE_NAME}`, columns `{'`, `'.join(HEADLINE_COLUMNS)}`. One row per direction and WIOD "
        "goods sector: `trade_usd` = the sector's total line weight (USD of the weight year), `base_tariff` = "
        f"the sector's tariff on {BASE_DATE} (fraction, as in `{OUTPUT_NAME}`).",
        f"- Built by: `python -m tools.tariffs.us_china_2018_2020 --source ../shared/data` (with `{OUTPUT_NAME}`; "
        "script: `tools.tariffs.us_china_2018_2020.headline_weights`).",
        f"- U.S. on China: {us.weight_basis}. China on the U.S.: {china.weight_basis}. Weight year "
        f"{WEIGHT_YEAR}, as the standard chart (Bown, PIIE, 'US-China Trade War Tariffs: An Up-to-Date Chart').",
        "- Use: `Timeline.average_tariff(..., basis=\"tracker\")` weights each sector's tariff by `trade_usd` "
        f"and starts from `base_tariff` (the statutory {BASE_DATE} level) instead of the world's baseline "
        "tariff, adding the measures' increases; weighted by these totals the sector tariffs give back the "
        "line-level trade-weighted average exactly. See `us_china_2018_2020.md` for the lines and weights.",
    ])


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Derive the sector tariffs from ``source_dir`` (the reference data folder) and write them with their
    note, and the headline weights beside them."""
    source_dir = Path(source_dir)
    result = derive(source_dir)
    table = concordance.derive(source_dir).table
    return [
        *write_table_and_note(result.table, _provenance(result), output_dir, OUTPUT_NAME),
        *write_table_and_note(headline_weights(result, table), _headline_note(result), output_dir, HEADLINE_NAME),
    ]


if __name__ == "__main__":
    main(build, "Derive the 2018-2020 U.S.-China tariffs by WIOD goods sector.", OUTPUT_DIR)
