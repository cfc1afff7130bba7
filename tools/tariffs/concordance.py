"""HS 6-digit product codes -> ISIC Rev.3 -> WIOD sectors, from the WITS concordances.

Tariff measures are published by HS product; the model has WIOD's 35 industries (16 of
them goods). This script derives the weights with which each HS 6-digit code belongs
to each WIOD industry and writes ``data/concordance/hs6_to_wiod.csv`` with a provenance
note beside it.

Rules, in order (each is recorded in the provenance note):

1. HS6 -> ISIC Rev.3 4-digit from the World Bank WITS concordance tables: the "HS
   combined" table first, then the HS 2007, HS 2002 and HS 1996 vintage tables for
   codes it lacks. (They never disagree where they overlap.)
2. HS codes newer than HS 2007 (HS 2012 and HS 2017, used by the 2018-2020 tariff
   lists) are not in those tables. They take the ISIC codes of the WITS lines of their
   HS 4-digit heading; codes whose heading is new take those of the HS 2007
   subheadings their goods came from (:data:`PREDECESSORS`).
3. An HS code with several ISIC codes is split equally among them.
4. ISIC -> WIOD by 2-digit division with WIOD's ranges (``wiod2013/sectors.csv``). WITS's
   "9999 goods not elsewhere classified" (waste and scrap, residues, slag) lies in no
   range: such a line goes to the goods sector most other lines of its HS chapter map to
   (scrap with its material, as GTAP's HS mapping does).

Run ``python -m tools.tariffs.concordance --source ../shared/data``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tools.tariffs._common import (
    DATA_DIR,
    GOODS,
    main,
    read_csv,
    sector_label,
    wiod_divisions,
    write_table_and_note,
)

__all__ = [
    "COLUMNS",
    "OUTPUT_DIR",
    "OUTPUT_NAME",
    "PREDECESSORS",
    "WITS_TABLES",
    "Concordance",
    "build",
    "derive",
    "hs2_to_wiod",
    "load",
    "nomenclature",
]

OUTPUT_DIR = DATA_DIR / "concordance"
OUTPUT_NAME = "hs6_to_wiod.csv"
COLUMNS = ("hs6", "wiod_code", "sector", "share", "isic", "isic_source", "wiod_rule")

# WITS concordance files, in the order they are consulted: (file, label).
WITS_TABLES = (
    ("JobID-64_Concordance_HS_to_I3.CSV", "WITS HS combined"),
    ("JobID-48_Concordance_H3_to_I3.CSV", "WITS HS 2007 (H3)"),
    ("JobID-33_Concordance_H2_to_I3.CSV", "WITS HS 2002 (H2)"),
    ("JobID-19_Concordance_H1_to_I3.CSV", "WITS HS 1996 (H1)"),
)

# HS 6-digit codes of the 2018-2020 tariff lists whose whole heading postdates HS 2007,
# so that neither WITS nor the heading rule can place them: the HS 2007 subheadings
# their goods were classified in before, per the WCO correlation tables of HS 2012
# (headings 03.08, 38.26, 96.19) and HS 2017 (heading 96.20).
PREDECESSORS: dict[str, tuple[str, ...]] = {
    # Aquatic invertebrates other than crustaceans and molluscs (sea cucumbers, sea
    # urchins, jellyfish), before in 0307.91 (live, fresh or chilled) / 0307.99 (other).
    "030811": ("030791",),
    "030812": ("030799",),
    "030819": ("030799",),
    "030821": ("030791",),
    "030822": ("030799",),
    "030829": ("030799",),
    "030830": ("030791", "030799"),
    "030890": ("030791", "030799"),
    # Biodiesel, before in 3824.90 (chemical products n.e.s.).
    "382600": ("382490",),
    # Sanitary towels, tampons, napkins and diapers, before in 4818.40 (of paper) and
    # 5601.10 (of wadding).
    "961900": ("481840", "560110"),
    # Monopods, bipods, tripods, before with the apparatus they serve (parts of 85.29,
    # 90.06, 90.07, 90.15).
    "962000": ("852990", "900691", "900791", "901590"),
}

# Files whose HS6 codes the concordance must cover (the tariff lists the project uses).
TARIFF_LISTS = (
    ("tariffs/us_china_2018_2020/new_tariff_list_2020.csv", "China's tariffs on U.S. goods by HS6, 2018-2019"),
    ("tariffs/us_china_2018_2020/us_tariffs_2020.csv", "U.S. tariffs on Chinese goods by HS6, 2018-2020"),
)
# China's list covers every HS 2017 subheading (5,387): it serves as the HS 2017 nomenclature.
NOMENCLATURE_LIST = TARIFF_LISTS[0]

GOODS_NEC = "9999"  # WITS's "Goods not elsewhere classified"


@dataclass
class Concordance:
    """The derived table and the facts the provenance note reports."""

    table: pd.DataFrame
    wits_counts: dict[str, int]
    universe: dict[str, int]
    unmapped: list[str]
    chapter_rule: pd.DataFrame
    non_goods: pd.DataFrame
    split_codes: int
    notes: list[str] = field(default_factory=list)


def read_wits(source_dir: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """(hs6, isic, isic_source) pairs from the WITS tables, each code from the first table that has it.

    The files are Latin-1 (accented descriptions); codes are kept as zero-padded strings.
    Also returns how many HS6 codes each table contributes.
    """
    frames, seen, counts = [], set(), {}
    for file_name, label in WITS_TABLES:
        raw = read_csv(
            source_dir / "concordance" / file_name,
            f"{label} to ISIC Rev.3 concordance",
            dtype=str,
            encoding="latin-1",
        )
        pairs = pd.DataFrame({"hs6": raw.iloc[:, 0].str.zfill(6), "isic": raw.iloc[:, 2].str.zfill(4)})
        pairs = pairs.drop_duplicates()
        new = pairs[~pairs["hs6"].isin(seen)].assign(isic_source=label)
        counts[label] = new["hs6"].nunique()
        seen.update(new["hs6"])
        frames.append(new)
    return pd.concat(frames, ignore_index=True), counts


def tariff_codes(source_dir: Path) -> pd.Index:
    """Every HS6 code of the project's tariff lists (sorted, unique)."""
    codes = [
        read_csv(source_dir / path, what, dtype={"hs6": str}, usecols=["hs6"])["hs6"].str.zfill(6)
        for path, what in TARIFF_LISTS
    ]
    return pd.Index(pd.concat(codes).unique()).sort_values()


def nomenclature(source_dir: Path) -> pd.Index:
    """The HS 2017 subheadings (all 5,387), as listed in China's 2018-2019 tariff file."""
    path, what = NOMENCLATURE_LIST
    codes = read_csv(source_dir / path, what, dtype={"hs6": str}, usecols=["hs6"])["hs6"].str.zfill(6)
    return pd.Index(codes.unique()).sort_values()


def _borrowed_isic(codes: pd.Index, wits: pd.DataFrame) -> pd.DataFrame:
    """ISIC codes for HS codes WITS lacks: those of their heading's WITS lines, or of their predecessors."""
    by_heading = wits.assign(heading=wits["hs6"].str[:4])[["heading", "isic"]].drop_duplicates()
    heading_pairs = (
        pd.DataFrame({"hs6": codes, "heading": codes.str[:4]})
        .merge(by_heading, on="heading")
        .drop(columns="heading")
        .assign(isic_source="HS4 heading")
    )
    known = {hs6: sources for hs6, sources in PREDECESSORS.items() if hs6 in set(codes)}
    predecessor_pairs = (
        pd.DataFrame([(hs6, source) for hs6, sources in known.items() for source in sources], columns=["hs6", "source"])
        .merge(wits[["hs6", "isic"]].rename(columns={"hs6": "source"}), on="source")
        .drop(columns="source")
        .drop_duplicates()
        .assign(isic_source="HS 2007 predecessors")
    )
    # A predecessor entry is more specific than the heading rule: it wins where both apply.
    heading_pairs = heading_pairs[~heading_pairs["hs6"].isin(predecessor_pairs["hs6"])]
    return pd.concat([heading_pairs, predecessor_pairs], ignore_index=True)


def _chapter_sectors(pairs: pd.DataFrame) -> pd.Series:
    """HS chapter -> the goods sector most of its WITS codes map to by division (ties: lowest code).

    Only codes with their own WITS line count: codes placed by their heading would repeat
    their heading's ISIC codes and so weigh some headings twice.
    """
    wits = pairs["isic_source"].str.startswith("WITS")
    goods = pairs[wits & pairs["wiod_code"].isin(GOODS)].drop_duplicates(["hs6", "wiod_code"])
    counts = goods.groupby([goods["hs6"].str[:2].rename("chapter"), "wiod_code"]).size().rename("codes").reset_index()
    counts["order"] = counts["wiod_code"].str[1:].astype(int)
    counts = counts.sort_values(["chapter", "codes", "order"], ascending=[True, False, True])
    return counts.drop_duplicates("chapter").set_index("chapter")["wiod_code"]


def _to_wiod(pairs: pd.DataFrame, divisions: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``wiod_code`` and ``wiod_rule`` to (hs6, isic) pairs; also the chapter rule's use, by chapter."""
    pairs = pairs.assign(wiod_code=pairs["isic"].str[:2].map(divisions), wiod_rule="division")
    chapters = _chapter_sectors(pairs)
    nec = pairs["isic"].eq(GOODS_NEC)
    pairs.loc[nec, "wiod_code"] = pairs.loc[nec, "hs6"].str[:2].map(chapters)
    pairs.loc[nec, "wiod_rule"] = "chapter"
    used = (
        pairs[nec]
        .groupby(pairs.loc[nec, "hs6"].str[:2].rename("chapter"))
        .agg(codes=("hs6", "nunique"), wiod_code=("wiod_code", "first"))
    )
    return pairs, used.reset_index()


def _collapse(pairs: pd.DataFrame) -> pd.DataFrame:
    """Equal split over each code's ISIC codes, then summed by WIOD sector: the final table rows."""
    pairs = pairs.assign(share=1.0 / pairs.groupby("hs6")["isic"].transform("nunique"))
    table = pairs.groupby(["hs6", "wiod_code"], as_index=False).agg(
        share=("share", "sum"),
        isic=("isic", lambda codes: ";".join(sorted(set(codes)))),
        isic_source=("isic_source", "first"),
        wiod_rule=("wiod_rule", lambda rules: ";".join(sorted(set(rules)))),
    )
    table["sector"] = table["wiod_code"].map(sector_label)
    table["order"] = table["wiod_code"].str[1:].astype(int)
    return table.sort_values(["hs6", "order"]).reset_index(drop=True)[list(COLUMNS)]


def derive(source_dir: Path) -> Concordance:
    """Derive the HS6 -> WIOD table from the raw WITS files (no writing)."""
    source_dir = Path(source_dir)
    wits, wits_counts = read_wits(source_dir)
    needed = tariff_codes(source_dir)
    extra = needed.difference(pd.Index(wits["hs6"].unique()))
    borrowed = _borrowed_isic(extra, wits)
    pairs = pd.concat([wits, borrowed], ignore_index=True)

    pairs, chapter_rule = _to_wiod(pairs, wiod_divisions(source_dir))
    unmapped_pairs = pairs["wiod_code"].isna()
    # A code is unmapped when any of its ISIC codes has no WIOD industry (then its shares
    # could not sum to one); codes with no ISIC code at all are unmapped too.
    unmapped = sorted(set(pairs.loc[unmapped_pairs, "hs6"]) | set(extra.difference(pd.Index(borrowed["hs6"]))))
    pairs = pairs[~pairs["hs6"].isin(unmapped)]
    table = _collapse(pairs)

    non_goods = table[~table["wiod_code"].isin(GOODS)]
    universe = {
        "tariff-list codes": len(needed),
        "of which in WITS": len(needed) - len(extra),
        "of which by HS4 heading": int(borrowed.loc[borrowed["isic_source"] == "HS4 heading", "hs6"].nunique()),
        "of which by HS 2007 predecessors": int(
            borrowed.loc[borrowed["isic_source"] == "HS 2007 predecessors", "hs6"].nunique()
        ),
        "of which unmapped": len(set(unmapped) & set(needed)),
    }
    split_codes = int((table.groupby("hs6").size() > 1).sum())
    return Concordance(table, wits_counts, universe, unmapped, chapter_rule, non_goods, split_codes)


def load(path: Path | None = None) -> pd.DataFrame:
    """The committed table (``hs6`` as zero-padded strings)."""
    path = OUTPUT_DIR / OUTPUT_NAME if path is None else Path(path)
    return pd.read_csv(path, dtype={"hs6": str, "wiod_code": str, "isic": str})


def hs2_to_wiod(table: pd.DataFrame, codes: Sequence[str] | pd.Index) -> pd.DataFrame:
    """HS 2-digit chapter -> WIOD industry weights: each of the chapter's HS6 ``codes`` counts equally.

    Returns (hs2, wiod_code, share) with shares summing to one per chapter, over the codes
    that the concordance maps; used to spread chapter-level data over sectors.
    """
    codes = pd.Index(codes)
    rows = table[table["hs6"].isin(codes)]
    weights = rows.assign(hs2=rows["hs6"].str[:2])
    lines = weights.groupby("hs2")["hs6"].transform("nunique")
    weights = weights.assign(share=weights["share"] / lines)
    return weights.groupby(["hs2", "wiod_code"], as_index=False)["share"].sum()


def _provenance(result: Concordance) -> str:
    table = result.table
    codes = table["hs6"].nunique()
    goods_only = table.groupby("hs6")["wiod_code"].apply(lambda c: c.isin(GOODS).all())
    lines = [
        "# HS 6-digit -> WIOD sector concordance: provenance",
        "",
        f"- File: `{OUTPUT_NAME}`, columns `{'`, `'.join(COLUMNS)}`; one row per HS6 code and WIOD industry, "
        "`share` = the code's weight in that industry (shares of each code sum to 1).",
        "- Sources: World Bank WITS product concordances, HS (combined and the 1996, 2002 and 2007 "
        "vintages) 6-digit -> ISIC Rev.3 4-digit (`JobID-64_Concordance_HS_to_I3.CSV`, `JobID-48_...H3`, "
        "`JobID-33_...H2`, `JobID-19_...H1`), World Integrated Trade Solution, "
        "https://wits.worldbank.org/product_concordance.html, built on the UN Statistics Division's "
        "correspondence tables (https://unstats.un.org/unsd/classifications/Econ); as mirrored in the R "
        "package `concordance` (Liao, Kim, Miyano & Zhang; insongkim/concordance). WIOD industries and "
        "their ISIC Rev.3 ranges: `wiod2013/sectors.csv` (Timmer et al. 2015). HS codes to cover: "
        "the HS6 codes of the 2018-2020 U.S.-China tariff lists (`tariffs/us_china_2018_2020/`, "
        "mwaugh0328/tradewar-tracker).",
        "- Built by: `python -m tools.tariffs.concordance --source ../shared/data` "
        "(script: `tools.tariffs.concordance.build`).",
        "",
        "## Choices",
        "",
        "1. HS6 -> ISIC from the WITS tables in this order: HS combined, then HS 2007, HS 2002, HS 1996 "
        "for codes the earlier tables lack (they never give a code different ISIC codes). Every WITS "
        "table gives one ISIC code per HS6 code.",
        "2. The tariff lists use HS 2017 codes; those created after HS 2007 are not in the WITS tables. "
        "Such a code takes the ISIC codes of all WITS lines of its HS 4-digit heading "
        "(`isic_source` = `HS4 heading`). Codes whose heading is itself new (headings 03.08, 38.26, "
        "96.19 of HS 2012 and 96.20 of HS 2017) take the ISIC codes of the HS 2007 subheadings their "
        "goods came from, per the WCO correlation tables (`HS 2007 predecessors`; the list is "
        "`PREDECESSORS` in the script).",
        "3. A code with several ISIC codes is split equally among them (no production or trade data "
        "at that level to weight them); the shares of ISIC codes in the same WIOD industry are added.",
        "4. ISIC -> WIOD by 2-digit division with WIOD's ranges (01-05 c1, 10-14 c2, 15-16 c3, 17-18 c4, "
        "19 c5, 20 c6, 21-22 c7, 23 c8, 24 c9, 25 c10, 26 c11, 27-28 c12, 29 c13, 30-33 c14, 34-35 c15, "
        "36-37 c16, 40-41 c17, ...), read from `wiod2013/sectors.csv` (`wiod_rule` = `division`).",
        '5. WITS\'s ISIC `9999` ("goods not elsewhere classified": waste and scrap, residues, slag, '
        "worn clothing) lies in no WIOD range. Such a line goes to the goods sector that most other HS6 "
        "codes of its HS chapter map to (`wiod_rule` = `chapter`): scrap with its material, as GTAP's HS "
        "mapping does (e.g. ferrous scrap 7204 -> Metals, waste paper 4707 -> Paper).",
        "6. WITS puts a few goods in service industries; they are kept there, following the ISIC code "
        "(they carry no tariff in the model, which taxes goods only): electrical energy, coal gas and spent "
        "nuclear fuel elements (ISIC 40 -> c17 Utilities), exposed photographic and cinematographic film "
        "(74, 92), original plans and drawings (74 -> c30), human hair (93 -> c34), works of art and "
        "antiques (92 -> c34). The list is below.",
        "7. Sector labels are the model's (`tools.worlds.wiod.WIOD_SECTORS`, as in `load_world().sectors`).",
        "",
        "## Coverage",
        "",
        f"- Rows: {len(table)}; HS6 codes: {codes}; codes split over several WIOD industries: {result.split_codes}.",
        f"- Codes entirely in goods industries (c1-c16): {int(goods_only.sum())}; with some share in "
        f"service industries: {int((~goods_only).sum())}.",
        "- HS6 codes taken from each WITS table: "
        + ", ".join(f"{label} {count}" for label, count in result.wits_counts.items())
        + ".",
        "- HS6 codes of the 2018-2020 tariff lists: "
        + ", ".join(f"{label} {count}" for label, count in result.universe.items())
        + ".",
        f"- Unmapped HS6 codes (left out of the file): {len(result.unmapped)}"
        + (f" ({', '.join(result.unmapped)})." if result.unmapped else "."),
        "",
        "## ISIC 9999 lines placed by their chapter (choice 5)",
        "",
        "| HS chapter | HS6 codes | WIOD industry |",
        "|---|---|---|",
    ]
    lines += [
        f"| {row.chapter} | {row.codes} | {row.wiod_code} {sector_label(row.wiod_code)} |"
        for row in result.chapter_rule.itertuples()
    ]
    lines += [
        "",
        "## Codes in service industries (choice 6)",
        "",
        "| HS6 | ISIC | WIOD industry | share |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {row.hs6} | {row.isic} | {row.wiod_code} {row.sector} | {row.share:g} |"
        for row in result.non_goods.itertuples()
    ]
    return "\n".join(lines)


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Derive the concordance from ``source_dir`` (the reference data folder) and write it with its note."""
    result = derive(Path(source_dir))
    return write_table_and_note(result.table, _provenance(result), output_dir, OUTPUT_NAME)


if __name__ == "__main__":
    main(build, "Derive the HS6 -> WIOD sector concordance from the WITS tables.", OUTPUT_DIR)
