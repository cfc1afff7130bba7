"""The U.S. tariff increases of 2025-2026 by partner and date, and by partner and WIOD sector.

Inputs (reference data, ``tariffs/us_2025_2026/``, from tradewartracker/trade-war-redux-2025,
MIT; its 2026 events are that tracker's own reading of announced measures):

- ``country-by-time.csv``: for 51 partners (the EU as one) at 23 dates, 2025-02-04 to
  2026-08-19, the import-weighted "effective tariff" increase over 2024 levels, 2024
  imports and the 2024 average tariff, all tariffs in percent;
- ``data-hs2/hs2-tariff-<code>.csv``: per partner (Census country code) and HS2 chapter,
  2024 imports and duty and the 2025 tariff increase (percent) at one snapshot;
- ``CensusCountryMapping_FRBAtl_short.csv``: Census code -> ISO3.

Outputs (fractions): ``data/tariffs/us_2025_2026_by_partner.csv`` and
``us_2025_2026_by_sector.csv``, with provenance notes.
Run ``python -m tools.tariffs.us_2025_2026 --source ../shared/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tools.tariffs import concordance
from tools.tariffs._common import (
    DATA_DIR,
    GOODS,
    main,
    read_csv,
    require,
    sector_label,
    write_csv,
    write_text,
)

__all__ = [
    "BY_PARTNER",
    "BY_SECTOR",
    "EU27",
    "EU_CODE",
    "OUTPUT_DIR",
    "PARTNER_COLUMNS",
    "SECTOR_COLUMNS",
    "build",
    "by_partner",
    "by_sector",
    "derive",
    "hs2_sector_weights",
    "partner_codes",
    "read_hs2",
    "snapshot_date",
]

OUTPUT_DIR = DATA_DIR / "tariffs"
BY_PARTNER = "us_2025_2026_by_partner.csv"
BY_SECTOR = "us_2025_2026_by_sector.csv"
PARTNER_COLUMNS = (
    "date",
    "partner",
    "increase_over_2024",
    "tariff_2024",
    "partner_name",
    "eu_member",
    "imports_2024_usd_mn",
)
SECTOR_COLUMNS = (
    "snapshot_date",
    "partner",
    "sector",
    "increase_over_2024",
    "tariff_2024",
    "imports_2024_usd_mn",
    "wiod_code",
    "partner_name",
    "eu_member",
)

FOLDER = Path("tariffs") / "us_2025_2026"
SERIES = FOLDER / "country-by-time.csv"
HS2_FOLDER = FOLDER / "data-hs2"
CENSUS_CODES = FOLDER / "CensusCountryMapping_FRBAtl_short.csv"

# The tracker reports the European Union as one partner, under this Census code.
EU_CODE = "0003"
EU_PARTNER = "EU27"
# EU members since 1 February 2020 (the U.K. out, Croatia in): the members of 2025-2026.
# (tools.worlds.wiod.EU_MEMBERS is the EU of 2011, with the U.K. and without Croatia.)
EU27 = (
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN",
    "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE",
)  # fmt: skip

# HS2 averages that agree with the partner series to this many points (percent) count as a match.
MATCH_TOLERANCE = 1e-6


def read_hs2(source_dir: Path) -> pd.DataFrame:
    """All partner x HS2 rows: hs2, code, name, imports, duty, increase (fraction), tariff_2024 (fraction)."""
    folder = source_dir / HS2_FOLDER
    files = sorted(folder.glob("hs2-tariff-*.csv"))
    if not files:
        require(folder / "hs2-tariff-5700.csv", "U.S. imports and tariff increases by partner and HS2")
    raw = pd.concat([pd.read_csv(path, dtype={"HS2": str, "CTY_CODE": str}) for path in files], ignore_index=True)
    return pd.DataFrame(
        {
            "hs2": raw["HS2"].str.zfill(2),
            "code": raw["CTY_CODE"].str.zfill(4),
            "name": raw["CTY_NAME"],
            "imports": raw["2024_imports"].astype(float),
            "duty": raw["2024_duty"].astype(float),
            "increase": raw["2025_tariff_increase"].astype(float) / 100.0,
        }
    )


def partner_codes(source_dir: Path, hs2: pd.DataFrame) -> pd.DataFrame:
    """Tracker partner name -> Census code -> ISO3 (``EU27`` for the EU), from the data themselves.

    The HS2 files carry both the tracker's partner names (as in ``country-by-time.csv``)
    and Census codes, and the tracker's mapping file turns codes into ISO3, so no name
    is matched by hand. Codes absent from the mapping get no ISO3 (NaN).
    """
    census = read_csv(source_dir / CENSUS_CODES, "Census country codes with ISO3", dtype=str).dropna(
        subset=["CTY_CODE"]
    )
    iso3 = census.assign(code=census["CTY_CODE"].str.zfill(4)).set_index("code")["ISO3"]
    names = hs2.drop_duplicates("code")[["code", "name"]].copy()
    names["partner"] = names["code"].map(iso3)
    names.loc[names["code"] == EU_CODE, "partner"] = EU_PARTNER
    names["eu_member"] = names["partner"].isin(EU27)
    return names.reset_index(drop=True)


def by_partner(source_dir: Path, partners: pd.DataFrame) -> pd.DataFrame:
    """The partner series as fractions, with ISO3 codes."""
    series = read_csv(source_dir / SERIES, "U.S. tariff increases by partner and date")
    lookup = partners.drop_duplicates("name").set_index("name")
    unknown = sorted(set(series["country_name"]) - set(lookup.index))
    if unknown:
        raise ValueError(f"{SERIES}: partners with no Census code in the HS2 files: {', '.join(unknown)}")
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(series["date"]).dt.strftime("%Y-%m-%d"),
            "partner": series["country_name"].map(lookup["partner"]),
            "increase_over_2024": series["effective tariff"].astype(float) / 100.0,
            "tariff_2024": series["2024 tariff"].astype(float) / 100.0,
            "partner_name": series["country_name"],
            "eu_member": series["country_name"].map(lookup["eu_member"]).astype(bool),
            # USD millions, WIOD's unit; the source has USD.
            "imports_2024_usd_mn": series["total imports"].astype(float) / 1e6,
        }
    )
    return table.sort_values(["date", "imports_2024_usd_mn"], ascending=[True, False]).reset_index(drop=True)[
        list(PARTNER_COLUMNS)
    ]


def partner_averages(hs2: pd.DataFrame) -> pd.DataFrame:
    """Import-weighted increase and 2024 tariff per partner over all its HS2 rows (fractions)."""
    valid = hs2["imports"] > 0
    rows = hs2[valid]
    totals = (
        rows.assign(weighted=rows["increase"] * rows["imports"]).groupby("code")[["weighted", "imports", "duty"]].sum()
    )
    return pd.DataFrame(
        {
            "increase": totals["weighted"] / totals["imports"],
            "tariff_2024": totals["duty"] / totals["imports"],
            "imports": totals["imports"],
        }
    )


def snapshot_date(series: pd.DataFrame, hs2: pd.DataFrame, partners: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The date of the partner series that the HS2 snapshot reproduces for the most partners.

    The HS2 files carry no date. Their import-weighted average per partner is compared with
    the partner series at every date; the date with the most exact matches is the snapshot's.
    Returns the date and, per partner of the series, both figures at that date.
    """
    averages = partner_averages(hs2).join(partners.set_index("code")["partner"])
    wide = series.pivot(index="partner", columns="date", values="increase_over_2024")
    joined = wide.join(averages.set_index("partner")["increase"].rename("hs2"), how="inner")
    gaps = joined[wide.columns].sub(joined["hs2"], axis=0).abs()
    matches = (gaps < MATCH_TOLERANCE / 100.0).sum()
    date = str(matches.idxmax())
    comparison = pd.DataFrame({"series": joined[date], "hs2": joined["hs2"], "gap": joined["hs2"] - joined[date]})
    return date, comparison


def hs2_sector_weights(source_dir: Path) -> pd.DataFrame:
    """(hs2, wiod_code, share): each chapter's HS 2017 subheadings spread over goods sectors.

    Shares are those of the chapter's subheadings (each counting equally) in each WIOD
    industry; the parts in service industries are dropped, so a chapter's goods shares
    may sum to a little less than one.
    """
    table = concordance.derive(source_dir).table
    weights = concordance.hs2_to_wiod(table, concordance.nomenclature(source_dir))
    return weights[weights["wiod_code"].isin(GOODS)]


def by_sector(hs2: pd.DataFrame, partners: pd.DataFrame, weights: pd.DataFrame, date: str) -> pd.DataFrame:
    """Increase and 2024 tariff by partner and WIOD goods sector, weighted by 2024 imports.

    A chapter's imports, duty and tariff increase are spread over sectors with the chapter's
    sector shares; a sector's increase is then the import-weighted mean over its chapter
    parts, and its 2024 tariff is duty over imports. Rows with no 2024 imports (no
    increase reported) carry no weight; partner-sector cells with no imports are left out.
    """
    rows = hs2[hs2["imports"] > 0].merge(weights, on="hs2")
    imports = rows["imports"] * rows["share"]
    rows = rows.assign(
        imports_2024=imports,
        weighted_increase=imports * rows["increase"],
        weighted_duty=rows["duty"] * rows["share"],
    )
    cells = rows.groupby(["code", "wiod_code"], as_index=False)[
        ["imports_2024", "weighted_increase", "weighted_duty"]
    ].sum()
    cells = cells[cells["imports_2024"] > 0]
    cells = cells.assign(
        increase_over_2024=cells["weighted_increase"] / cells["imports_2024"],
        tariff_2024=cells["weighted_duty"] / cells["imports_2024"],
        imports_2024_usd_mn=cells["imports_2024"] / 1e6,
        sector=cells["wiod_code"].map(sector_label),
        snapshot_date=date,
        order=cells["wiod_code"].str[1:].astype(int),
    ).merge(partners.rename(columns={"name": "partner_name"}), on="code")
    cells = cells.dropna(subset=["partner"])  # codes without ISO3 (reported in the note)
    return cells.sort_values(["partner", "order"]).reset_index(drop=True)[list(SECTOR_COLUMNS)]


@dataclass
class Result:
    """Both tables and the facts the provenance notes report."""

    partner_table: pd.DataFrame
    sector_table: pd.DataFrame
    snapshot: str
    comparison: pd.DataFrame
    facts: dict[str, object]


def _facts(hs2: pd.DataFrame, partners: pd.DataFrame, weights: pd.DataFrame) -> dict[str, object]:
    """Coverage of the HS2 data: unmapped chapters, partners without ISO3, the EU check."""
    members = partners.loc[partners["eu_member"], "code"]
    member_imports = hs2[hs2["code"].isin(members)].groupby("hs2")["imports"].sum()
    eu_imports = hs2[hs2["code"] == EU_CODE].set_index("hs2")["imports"]
    world = hs2[
        (hs2["code"] != EU_CODE) & partners.set_index("code")["partner"].reindex(hs2["code"]).notna().to_numpy()
    ]
    goods_share = weights.groupby("hs2")["share"].sum()
    kept = world["imports"] * world["hs2"].map(goods_share).fillna(0.0)
    unmapped = world[~world["hs2"].isin(goods_share.index)].groupby("hs2")["imports"].sum()
    return {
        "partners": int(partners["partner"].notna().sum()),
        "no_iso3": partners.loc[partners["partner"].isna(), ["code", "name"]].itertuples(index=False),
        "eu_members_found": int(partners["eu_member"].sum()),
        "eu_gap": float((member_imports.reindex(eu_imports.index, fill_value=0.0) - eu_imports).abs().max()),
        "eu_total": float(eu_imports.sum()),
        "unmapped_chapters": unmapped,
        "world_imports": float(world["imports"].sum()),
        "goods_share": float(kept.sum() / world["imports"].sum()),
        "zero_rows": int((hs2["imports"] == 0).sum()),
        "nan_rows": int(hs2["increase"].isna().sum()),
    }


def derive(source_dir: Path) -> Result:
    """Derive both tables from the raw files (no writing)."""
    source_dir = Path(source_dir)
    hs2 = read_hs2(source_dir)
    partners = partner_codes(source_dir, hs2)
    partner_table = by_partner(source_dir, partners)
    date, comparison = snapshot_date(partner_table, hs2, partners)
    weights = hs2_sector_weights(source_dir)
    sector_table = by_sector(hs2, partners, weights, date)
    return Result(partner_table, sector_table, date, comparison, _facts(hs2, partners, weights))


SOURCE_LINE = (
    "- Source: tradewartracker/trade-war-redux-2025 (MIT licence; see `tariffs/us_2025_2026/LICENSE`), "
    "built on U.S. Census Bureau 2024 import and duty data and the tracker's reading of U.S. tariff "
    "actions (IEEPA, Section 232, Section 301, Section 122). Events dated 2026 are that tracker's own "
    "reading of announced or expected measures, not observed tariffs."
)


def _partner_note(result: Result) -> str:
    table = result.partner_table
    latest = table[table["date"] == table["date"].max()].nlargest(5, "imports_2024_usd_mn")
    eu = ", ".join(EU27)
    lines = [
        "# U.S. tariff increases 2025-2026 by partner: provenance",
        "",
        f"- File: `{BY_PARTNER}`, columns `{'`, `'.join(PARTNER_COLUMNS)}`. `increase_over_2024` = the "
        'tracker\'s import-weighted "effective tariff" increase over 2024 levels on goods from `partner`; '
        "`tariff_2024` = the partner's 2024 average U.S. tariff (duty over imports); both fractions. "
        "`imports_2024_usd_mn` = 2024 U.S. imports from the partner, USD millions.",
        SOURCE_LINE,
        "- Input: `tariffs/us_2025_2026/country-by-time.csv` (percent, divided by 100); partner codes from "
        "the `data-hs2/` files (tracker name -> Census code) and `CensusCountryMapping_FRBAtl_short.csv` "
        "(Census code -> ISO3).",
        "- Built by: `python -m tools.tariffs.us_2025_2026 --source ../shared/data` "
        "(script: `tools.tariffs.us_2025_2026.build`).",
        "",
        "## Choices",
        "",
        f"1. Partners: {table['partner'].nunique()} over {table['date'].nunique()} dates "
        f"({table['date'].min()} to {table['date'].max()}). Names are matched to ISO3 through the Census "
        "codes in the tracker's own files, not by hand.",
        f"2. The tracker reports the European Union as one partner (Census code {EU_CODE}), here `{EU_PARTNER}`: "
        f"the 27 members since February 2020 ({eu}). Its HS2 file is the exact sum of the 27 members' files "
        f"(largest gap over chapters: {result.facts['eu_gap']:.0f} USD). Note that `tools.worlds.wiod.EU_MEMBERS` "
        "is the EU of 2011 (with GBR, without HRV); map `EU27` onto model regions accordingly.",
        "3. Slovakia (`SVK`, `eu_member` true) also appears on its own, and is included in `EU27` as well: "
        "do not add it twice. Its own series stays well above the EU's from April 2025 on, while its HS2 "
        "snapshot (sector note) puts its cars (chapter 87) at the EU's 15% all-in rate: the tracker's "
        "Slovak series apparently misses the EU deal; prefer `EU27` for Slovakia.",
        "4. Rows are as in the source: no interpolation between dates; a date's value holds until the next.",
        "",
        "## Largest partners at the last date",
        "",
        "| partner | increase over 2024 | 2024 tariff |",
        "|---|---|---|",
    ]
    lines += [
        f"| {row.partner} | {row.increase_over_2024:.1%} | {row.tariff_2024:.1%} |" for row in latest.itertuples()
    ]
    china = table[table["partner"] == "CHN"]
    lines += ["", "## China's series", "", "| date | increase over 2024 |", "|---|---|"]
    lines += [f"| {row.date} | {row.increase_over_2024:.1%} |" for row in china.itertuples()]
    return "\n".join(lines)


def _sector_note(result: Result) -> str:
    facts, comparison = result.facts, result.comparison
    matched = comparison["gap"].abs() < MATCH_TOLERANCE / 100.0
    unmapped = facts["unmapped_chapters"]
    no_iso3 = ", ".join(f"{code} {name}" for code, name in facts["no_iso3"]) or "none"
    lines = [
        "# U.S. tariff increases 2025 by partner and WIOD goods sector: provenance",
        "",
        f"- File: `{BY_SECTOR}`, columns `{'`, `'.join(SECTOR_COLUMNS)}`. For each partner and goods sector: "
        "`increase_over_2024` = the import-weighted tariff increase over 2024 (fraction) at `snapshot_date`; "
        "`tariff_2024` = 2024 duty over 2024 imports (fraction); `imports_2024_usd_mn` = 2024 U.S. imports "
        "(USD millions) in the sector, the weight to use when aggregating partners.",
        SOURCE_LINE,
        "- Input: `tariffs/us_2025_2026/data-hs2/hs2-tariff-<Census code>.csv` (partner x HS2: 2024 imports, "
        "2024 duty, tariff increase in percent), `CensusCountryMapping_FRBAtl_short.csv`; HS2 -> WIOD from "
        "the HS6 concordance (`../concordance/hs6_to_wiod.csv`, rebuilt from WITS by the same run).",
        "- Built by: `python -m tools.tariffs.us_2025_2026 --source ../shared/data` "
        "(script: `tools.tariffs.us_2025_2026.build`).",
        "",
        "## Choices",
        "",
        f"1. Snapshot date: the HS2 files carry none. Their import-weighted average per partner equals the "
        f"partner series (`{BY_PARTNER}`) at {result.snapshot} exactly (within {MATCH_TOLERANCE:g} points) for "
        f"{int(matched.sum())} of the {len(comparison)} partners of the series, so `snapshot_date` = "
        f"{result.snapshot}. The others are listed below; the sector table follows the HS2 data. Their HS2 "
        "files apparently treat some goods differently from the partner series: for Canada and Mexico the "
        "low HS2 rates on vehicles (chapter 87) suggest a different allowance for USMCA-compliant goods; "
        "Slovakia's chapter 87 is at the EU's 15% all-in rate, which its series misses; China and Hong "
        "Kong differ by under 0.2 points.",
        "2. HS2 -> WIOD: each chapter is spread over WIOD industries by its HS 2017 subheadings (the 5,387 "
        "codes of China's 2018-2019 tariff file), each subheading counting equally with its concordance "
        "shares. Parts in service industries (electricity in chapter 27, works of art in chapter 97, ...) "
        "are dropped.",
        "3. A partner-sector's increase = sum over chapters of imports x share x increase / sum of imports x "
        "share; its 2024 tariff = sum of duty x share / sum of imports x share. The weights are 2024 imports, "
        "before the 2025 tariffs.",
        f"4. HS2 rows with no 2024 imports ({facts['zero_rows']}; {facts['nan_rows']} of them with no increase "
        "reported) carry no weight; partner-sector cells with no imports are left out.",
        "5. Chapters with no share in a goods sector (no HS 2017 subheading, or only goods WITS places in "
        "service industries): "
        + ", ".join(f"{hs2} ({value / facts['world_imports']:.2%} of 2024 imports)" for hs2, value in unmapped.items())
        + " (97 works of art and antiques; 98-99 U.S. special classification provisions, e.g. U.S. goods "
        "returned). Together with the "
        f"service parts of choice 2, the goods sectors carry {facts['goods_share']:.2%} of 2024 imports "
        "(all partners with ISO3, the EU aggregate excluded to avoid double counting).",
        f"6. Partners: every HS2 file with an ISO3 code ({facts['partners']}, the EU aggregate `{EU_PARTNER}` "
        f"included; its {facts['eu_members_found']} members also appear one by one, `eu_member` true). "
        f"Files without ISO3, left out: {no_iso3}.",
        "7. Only one snapshot exists at HS2 level: for other dates use the partner series; scaling this "
        "sector profile by the ratio of the partner's series to its snapshot value keeps sector differences "
        "but not the changes in product coverage between dates.",
        "",
        "## Partners whose HS2 snapshot differs from the series at the snapshot date",
        "",
        "| partner | series | HS2 snapshot | difference |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {partner} | {row.series:.2%} | {row.hs2:.2%} | {row.gap:+.2%} |"
        for partner, row in comparison[~matched].sort_index().iterrows()
    ]
    china = result.sector_table[result.sector_table["partner"] == "CHN"]
    lines += [
        "",
        "## China by sector at the snapshot",
        "",
        "| sector | increase over 2024 | 2024 tariff | 2024 imports (bn USD) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {row.sector} | {row.increase_over_2024:.1%} | {row.tariff_2024:.1%} | {row.imports_2024_usd_mn / 1e3:.1f} |"
        for row in china.itertuples()
    ]
    return "\n".join(lines)


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Derive both tables from ``source_dir`` (the reference data folder) and write them with their notes."""
    result = derive(Path(source_dir))
    output_dir = Path(output_dir)
    return [
        write_csv(result.partner_table, output_dir / BY_PARTNER),
        write_text(_partner_note(result), output_dir / BY_PARTNER.replace(".csv", ".md")),
        write_csv(result.sector_table, output_dir / BY_SECTOR),
        write_text(_sector_note(result), output_dir / BY_SECTOR.replace(".csv", ".md")),
    ]


if __name__ == "__main__":
    main(build, "Derive the 2025-2026 U.S. tariff increases by partner and by partner and sector.", OUTPUT_DIR)
