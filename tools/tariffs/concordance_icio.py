"""HS 6-digit product codes -> ISIC Rev.3 -> Rev.3.1 -> Rev.4 -> the 50 ICIO 2022 sectors.

The second concordance beside ``hs6_to_wiod.csv``: the same HS6 -> ISIC Rev.3 step (the
WITS tables, the HS4-heading and predecessor rules of :mod:`tools.tariffs.concordance`),
then the UN correspondence tables ISIC Rev.3 -> Rev.3.1 -> Rev.4 to the OECD ICIO sectors
(``tools.elasticities.build_elasticities.isic3_to_icio``, also used for the icio2022
elasticities). Writes ``data/concordance/hs6_to_icio2022.csv`` with a provenance note that
lists every split and the unmapped codes with their 2024 U.S. imports.

Run ``python -m tools.tariffs.concordance_icio --source ../shared/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tools.elasticities.build_elasticities import icio_sector
from tools.tariffs import concordance
from tools.tariffs._common import DATA_DIR, main, read_csv, write_table_and_note

__all__ = ["icio_goods", "OUTPUT_NAME", "build", "derive", "icio_labels", "load"]

OUTPUT_DIR = DATA_DIR / "concordance"
OUTPUT_NAME = "hs6_to_icio2022.csv"
COLUMNS = ("hs6", "icio_code", "sector", "share", "isic", "isic_source", "icio_rule")
GOODS_NEC = concordance.GOODS_NEC
HS10_FOLDER = Path("tariffs") / "weights" / "us_imports_2024_hs10"


def icio_labels() -> dict[str, str]:
    """ICIO sector code -> the model's label (``C24A`` -> ``Iron and steel``), from the world builder."""
    from tools.worlds.icio2022 import ICIO_SECTORS

    return {code: spec if isinstance(spec, str) else spec[0] for code, spec in ICIO_SECTORS.items()}


def icio_goods() -> tuple[str, ...]:
    """The 27 ICIO goods sectors (ISIC Rev.4 sections A-C), in the source's order."""
    return tuple(code for code in icio_labels() if code[0] in "ABC")




MAIN_LINK_WORDS = ("except", "excluding", "exceptions")  # the Rev.4 class a Rev.3.1 class mostly goes to


def _is_service_or_repair(isic4: str) -> bool:
    """Repair and installation (ISIC Rev.4 group 33, division 95) or a service section (divisions 35+)."""
    return isic4[:2] in ("33", "95") or int(isic4[:2]) >= 35


def isic3_to_icio_products(source_dir: Path) -> pd.DataFrame:
    """ISIC Rev.3 class -> ICIO sector shares for traded goods (isic3, icio, share).

    Rev.3 -> Rev.3.1: equal split over the Rev.3.1 classes. Rev.3.1 -> Rev.4, for products:
    links to repair and installation or to services are dropped when the class has a goods
    link (an HS code names a good, not its repair); a link whose UN note describes a carved-out
    piece ("Manufacture of car seats") is dropped when the class has a main link (blank note, or
    a note that says what the main class excludes); the remaining links share equally.
    """
    folder = Path(source_dir) / "concordance"
    r31 = read_csv(folder / "ISIC_Rev_31-ISIC_Rev_3_correspondence.txt", "ISIC Rev.3.1 -> Rev.3 correspondence",
                   dtype=str)[["Rev31", "Rev3"]]
    r4 = read_csv(folder / "ISIC4_ISIC31.txt", "ISIC Rev.4 <-> Rev.3.1 correspondence", dtype=str)
    r4 = r4[["ISIC4code", "ISIC31code", "Detail"]].fillna("")
    r4["goods"] = ~r4["ISIC4code"].map(_is_service_or_repair)
    has_goods = r4.groupby("ISIC31code")["goods"].transform("any")
    r4 = r4[r4["goods"] | ~has_goods]
    detail = r4["Detail"].str.lower()
    r4["main"] = detail.eq("") | detail.str.contains("|".join(MAIN_LINK_WORDS))
    has_main = r4.groupby("ISIC31code")["main"].transform("any")
    r4 = r4[r4["main"] | ~has_main]
    r31 = r31.assign(w31=1.0 / r31.groupby("Rev3")["Rev31"].transform("count"))
    r4 = r4.assign(w4=1.0 / r4.groupby("ISIC31code")["ISIC4code"].transform("count"))
    chain = r31.merge(r4, left_on="Rev31", right_on="ISIC31code")
    chain["icio"] = chain["ISIC4code"].map(icio_sector)
    chain["share"] = chain["w31"] * chain["w4"]
    chain = chain.groupby(["Rev3", "icio"], as_index=False)["share"].sum()
    chain["share"] /= chain.groupby("Rev3")["share"].transform("sum")
    return chain.rename(columns={"Rev3": "isic3"})


@dataclass
class IcioConcordance:
    table: pd.DataFrame
    unmapped: pd.DataFrame  # hs6, imports_2024_usd_mn
    chapter_rule: pd.DataFrame
    split_codes: int
    non_goods: pd.DataFrame
    wits_counts: dict[str, int]


def _chapter_sectors(pairs: pd.DataFrame, goods: tuple[str, ...]) -> pd.Series:
    """HS chapter -> the ICIO goods sector with most of its WITS codes' weight (ties: source order)."""
    wits = pairs[pairs["isic_source"].str.startswith("WITS") & pairs["icio_code"].isin(goods)]
    weight = wits.groupby([wits["hs6"].str[:2].rename("chapter"), "icio_code"])["w"].sum().rename("w").reset_index()
    weight["order"] = weight["icio_code"].map({code: k for k, code in enumerate(goods)})
    weight = weight.sort_values(["chapter", "w", "order"], ascending=[True, False, True])
    return weight.drop_duplicates("chapter").set_index("chapter")["icio_code"]


def us_imports_2024_all(source_dir: Path) -> pd.Series:
    """2024 U.S. imports from all partners in the reference files by HS 2017 six-digit code, USD millions."""
    mapping = concordance_hs2017(source_dir)
    folder = Path(source_dir) / HS10_FOLDER
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"{folder}: no 2024 U.S. import files (needed to weigh the unmapped HS codes)")
    raw = pd.concat(pd.read_parquet(f, columns=["HS6", "imports"]) for f in files)
    hs2022 = raw["HS6"].astype(str).str.zfill(6)
    hs2017 = hs2022.map(mapping).fillna(hs2022)
    return raw["imports"].groupby(hs2017.to_numpy()).sum() / 1e6


def concordance_hs2017(source_dir: Path) -> pd.Series:
    from tools.tariffs.weights import _hs2017

    return _hs2017(Path(source_dir))


def derive(source_dir: Path) -> IcioConcordance:
    """Derive the HS6 -> ICIO table from the raw files (no writing)."""
    source_dir = Path(source_dir)
    labels, goods = icio_labels(), icio_goods()
    wits, wits_counts = concordance.read_wits(source_dir)
    needed = concordance.tariff_codes(source_dir)
    extra = needed.difference(pd.Index(wits["hs6"].unique()))
    pairs = pd.concat([wits, concordance._borrowed_isic(extra, wits)], ignore_index=True)
    # Equal split over a code's ISIC Rev.3 classes (as for WIOD), then each class over its ICIO
    # sectors with the Rev.3 -> 3.1 -> 4 chain's equal splits.
    pairs = pairs.assign(w=1.0 / pairs.groupby("hs6")["isic"].transform("nunique"))
    chain = isic3_to_icio_products(source_dir)
    mapped = pairs.merge(chain, left_on="isic", right_on="isic3", how="left")
    mapped["w"] = mapped["w"] * mapped["share"].fillna(1.0)
    mapped = mapped.rename(columns={"icio": "icio_code"}).drop(columns=["isic3", "share"])
    mapped["icio_rule"] = "ISIC chain"
    chapters = _chapter_sectors(mapped, goods)
    nec = mapped["isic"].eq(GOODS_NEC)
    mapped.loc[nec, "icio_code"] = mapped.loc[nec, "hs6"].str[:2].map(chapters)
    mapped.loc[nec, "icio_rule"] = "chapter"
    chapter_rule = (
        mapped[nec].groupby(mapped.loc[nec, "hs6"].str[:2].rename("chapter"))
        .agg(codes=("hs6", "nunique"), icio_code=("icio_code", "first")).reset_index()
    )
    bad = mapped["icio_code"].isna()
    unmapped_codes = sorted(set(mapped.loc[bad, "hs6"]) | set(extra.difference(pd.Index(pairs["hs6"]))))
    mapped = mapped[~mapped["hs6"].isin(unmapped_codes)]
    table = mapped.groupby(["hs6", "icio_code"], as_index=False).agg(
        share=("w", "sum"),
        isic=("isic", lambda codes: ";".join(sorted(set(codes)))),
        isic_source=("isic_source", "first"),
        icio_rule=("icio_rule", lambda rules: ";".join(sorted(set(rules)))),
    )
    table["share"] /= table.groupby("hs6")["share"].transform("sum")
    table["sector"] = table["icio_code"].map(labels)
    order = {code: k for k, code in enumerate(labels)}
    table = table.assign(order=table["icio_code"].map(order)).sort_values(["hs6", "order"])
    table = table.reset_index(drop=True)[list(COLUMNS)]

    imports = us_imports_2024_all(source_dir)
    covered = set(table["hs6"])
    missing = imports[[code not in covered for code in imports.index]]
    unmapped = pd.DataFrame({"hs6": missing.index, "imports_2024_usd_mn": missing.to_numpy()})
    unmapped = pd.concat([unmapped, pd.DataFrame({"hs6": [c for c in unmapped_codes if c not in set(unmapped["hs6"])],
                                                  "imports_2024_usd_mn": 0.0})], ignore_index=True)
    unmapped = unmapped.sort_values("imports_2024_usd_mn", ascending=False).reset_index(drop=True)
    split_codes = int((table.groupby("hs6").size() > 1).sum())
    non_goods = table[~table["icio_code"].isin(goods)]
    return IcioConcordance(table, unmapped, chapter_rule, split_codes, non_goods, wits_counts)


def load(path: Path | None = None) -> pd.DataFrame:
    """The committed table (``hs6`` as zero-padded strings)."""
    path = OUTPUT_DIR / OUTPUT_NAME if path is None else Path(path)
    return pd.read_csv(path, dtype={"hs6": str, "icio_code": str, "isic": str})


def as_wiod_layout(table: pd.DataFrame) -> pd.DataFrame:
    """The ICIO table in the column layout of ``hs6_to_wiod.csv`` (code column ``wiod_code``), for the
    builders that spread lines over sectors (the library's second pass)."""
    return table.rename(columns={"icio_code": "wiod_code", "icio_rule": "wiod_rule"})


def _provenance(result: IcioConcordance) -> str:
    table, labels = result.table, icio_labels()
    total = us_total = float(result.unmapped["imports_2024_usd_mn"].sum())
    goods = set(icio_goods())
    split = table[table.groupby("hs6")["hs6"].transform("size") > 1]
    top_splits = (
        split.groupby(["icio_code"]).size().rename("codes").reset_index().sort_values("codes", ascending=False)
    )
    lines = [
        "# HS 6-digit -> ICIO 2022 sector concordance: provenance",
        "",
        f"- File: `{OUTPUT_NAME}`, columns `{'`, `'.join(COLUMNS)}`; one row per HS6 code and ICIO sector "
        "(ISIC Rev.4 codes of the OECD ICIO 2022 table, labels as in `load_world('icio2022').sectors`); "
        "`share` = the code's weight in that sector (shares of each code sum to 1).",
        "- Sources: the WITS HS -> ISIC Rev.3 tables exactly as for `hs6_to_wiod.csv` (see `hs6_to_wiod.md`, "
        "choices 1-2: WITS combined, then H3, H2, H1; HS 2012/2017 codes by their HS4 heading or their HS 2007 "
        "predecessors); UN correspondence tables ISIC Rev.3 -> Rev.3.1 "
        "(`concordance/ISIC_Rev_31-ISIC_Rev_3_correspondence.txt`) and ISIC Rev.4 <-> Rev.3.1 "
        "(`concordance/ISIC4_ISIC31.txt`), UN Statistics Division, as mirrored in insongkim/concordance; ICIO "
        "sector definitions (ISIC Rev.4 divisions; C24A = classes 2410 and 2431, C301 = group 301): OECD ICIO "
        "2025 release. Weights of the unmapped list: 2024 U.S. imports by HS10 from the ~50 partners of "
        "`tariffs/weights/us_imports_2024_hs10/` (Census), HS 2022 mapped to HS 2017 with `hs6_hs5.csv`.",
        "- Built by: `python -m tools.tariffs.concordance_icio --source ../shared/data`.",
        "",
        "## Choices (split weights)",
        "",
        "1. HS6 -> ISIC Rev.3: as for WIOD; a code with several ISIC Rev.3 classes is split equally among them.",
        "2. ISIC Rev.3 -> Rev.3.1: a class that corresponds to several Rev.3.1 classes is split equally among "
        "them. Rev.3.1 -> Rev.4, for traded products (`isic3_to_icio_products`): (a) links to repair and "
        "installation (Rev.4 group 33, division 95) or to service sections (divisions 35 and up) are dropped "
        "when the class has a goods link: an HS code names a good, not its repair (without this, phones "
        "would put 20% in 'Other services' and laptops 25% in 'Manufacturing nec', via repair classes); (b) a "
        "link whose UN note describes a carved-out piece (e.g. furniture 3610 -> car seats 2930, blackboards "
        "2817, railway seats 3020) is dropped when the class has a main link (a blank note, or a note that "
        "says what the main class excludes: 'except', 'excluding', 'see other links for exceptions'), so "
        "furniture stays in furniture, as WIOD's division rule keeps it; (c) the remaining links share "
        "equally (no output or trade data at class level to weight them; e.g. office and computing machinery "
        "3000 -> computers 2620 and office machinery 2817, half each). The product of the splits is the "
        "code's weight in each Rev.4 class; classes are summed by ICIO sector (C24A = 2410 and 2431, C301 = "
        "group 301).",
        "3. WITS's ISIC `9999` (goods not elsewhere classified: waste and scrap, residues) goes to the ICIO goods "
        "sector with the largest weight of the other WITS codes of its HS chapter (`icio_rule` = `chapter`), as "
        "for WIOD.",
        "4. Goods that the chain puts in service sectors stay there (they carry no tariff in the model).",
        "",
        "## Coverage",
        "",
        f"- Rows: {len(table)}; HS6 codes: {table['hs6'].nunique()}; codes split over several ICIO sectors: "
        f"{result.split_codes} (by sector of a split row: "
        + ", ".join(f"{r.icio_code} {r.codes}" for r in top_splits.head(12).itertuples()) + ", ...).",
        f"- Codes with some share in service sectors: {result.non_goods['hs6'].nunique()}.",
        f"- Unmapped HS6 codes (2024 U.S. imports not covered: {us_total:,.1f} mn USD, listed below): "
        f"{len(result.unmapped)}.",
        "",
        "## ISIC 9999 lines placed by their chapter (choice 3)",
        "",
        "| HS chapter | HS6 codes | ICIO sector |",
        "|---|---|---|",
    ]
    lines += [f"| {r.chapter} | {r.codes} | {r.icio_code} {labels[r.icio_code]} |"
              for r in result.chapter_rule.itertuples()]
    lines += ["", "## Unmapped HS6 codes with their 2024 U.S. imports", "",
              "Codes in the 2024 U.S. import files (HS 2017 after `hs6_hs5.csv`) that the concordance lacks "
              "(mostly chapter 98/99 special provisions, which are not goods classifications, and HS 2022 "
              "codes without an HS 2017 code). Their imports carry no sector weight.", "",
              "| HS6 | 2024 U.S. imports (mn USD) |", "|---|---|"]
    lines += [f"| {r.hs6} | {r.imports_2024_usd_mn:,.1f} |" for r in result.unmapped.itertuples()]
    lines += ["", f"Total: {total:,.1f} mn USD."]
    lines += ["", "## Codes with a share in service sectors (choice 4)", "", "| HS6 | ISIC | ICIO sector | share |",
              "|---|---|---|---|"]
    lines += [f"| {r.hs6} | {r.isic} | {r.icio_code} {r.sector} | {r.share:.3g} |"
              for r in result.non_goods.itertuples() if r.icio_code not in goods]
    return "\n".join(lines)


def build(source_dir: Path, output_dir: Path = OUTPUT_DIR) -> list[Path]:
    """Derive the HS6 -> ICIO 2022 concordance and write it with its note."""
    result = derive(Path(source_dir))
    return write_table_and_note(result.table, _provenance(result), output_dir, OUTPUT_NAME)


if __name__ == "__main__":
    main(build, "Derive the HS6 -> ICIO 2022 sector concordance (WITS, ISIC Rev.3 -> 3.1 -> 4).", OUTPUT_DIR)
