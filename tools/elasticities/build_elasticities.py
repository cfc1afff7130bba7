"""Build the named trade-elasticity sets shipped in ``src/tradewar/data/elasticities/``.

Offline: reads ``../shared/data`` (never needed at run time) and writes

- ``fontagne2022_gtap.csv``: the published GTAP-sector elasticities, with the named
  donor of every sector the file leaves empty;
- ``wiod2011.csv``: every set's value for each WIOD sector of the default world,
  in the concept it was published in and as the engine's theta;
- ``icio2022.csv``: the same for the 50 ISIC Rev.4 sectors of OECD ICIO 2022.

Usage (from the repository root)::

    python tools/elasticities/build_elasticities.py --source ../shared/data

The choices are listed in ``src/tradewar/data/elasticities/elasticities.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "tradewar" / "data" / "elasticities"
CONCORDANCE = ROOT / "src" / "tradewar" / "data" / "concordance" / "hs6_to_wiod.csv"

# GTAP goods sectors the Fontagne-Guimbard-Orefice file leaves empty (or omits), and
# the sector whose estimate stands in for each: the closest product group they publish.
GTAP_DONORS = {
    "COA": ("OXT", "coal: a bulk mined solid, like other mining and quarrying"),
    "GAS": ("OIL", "natural gas: extracted jointly with crude oil (GTAP splits one ISIC class)"),
    "GDT": ("ELY", "gas manufacture and distribution: a network utility, like electricity"),
    "GRO": ("WHT", "other grains (maize, barley, sorghum): the closest cereal estimated, wheat"),
    "RMK": ("MIL", "raw milk: the dairy products made from it"),
}
# WIOD sectors with no (or almost no) HS trade: services, which no tariff-based
# estimate covers. They take the trade-weighted mean of the set's goods sectors.
SERVICES_DONOR = "goods mean"
GOODS = [f"c{k}" for k in range(1, 17)]


def fontagne_gtap(source: Path) -> pd.DataFrame:
    """The GTAP-sector table: published epsilon, the value used, and its donor."""
    raw = pd.read_stata(source / "elasticities" / "final_tariff_GTAP_2020_10_08.dta")
    raw["gtap"] = raw["gtap_sector"].str.upper()
    names = pd.read_csv(source / "elasticities" / "gtap_sectorlist.csv", sep=";", encoding="latin-1")
    names = names.set_index("code")["description"].str.split(":").str[0]
    table = raw.set_index("gtap")[["epsilon_GTAP"]].rename(columns={"epsilon_GTAP": "epsilon_published"})
    for code in GTAP_DONORS:
        if code not in table.index:
            table.loc[code] = np.nan
    table["epsilon"] = table["epsilon_published"]
    table["donor"] = ""
    table["donor_reason"] = ""
    for code, (donor, reason) in GTAP_DONORS.items():
        if np.isnan(table.loc[code, "epsilon_published"]):
            table.loc[code, ["epsilon", "donor", "donor_reason"]] = [
                table.loc[donor, "epsilon_published"],
                donor,
                reason,
            ]
    missing = table.index[table["epsilon"].isna()].tolist()
    if missing:
        raise SystemExit(f"GTAP sectors without an estimate or a donor: {missing}")
    table["description"] = [names.get(code, "") for code in table.index]
    return table.sort_index().reset_index().rename(columns={"index": "gtap"})


def hs_weights(source: Path) -> pd.DataFrame:
    """2024 U.S. imports (51 partner files, all partners together) by HS10, with its GTAP sector."""
    folder = source / "tariffs" / "weights" / "us_imports_2024_hs10"
    imports = pd.concat(
        pd.read_parquet(f, columns=["imports", "HS10", "HS6"]) for f in sorted(folder.glob("*.parquet"))
    )
    imports = imports.groupby(["HS10", "HS6"], as_index=False)["imports"].sum()
    crosswalk = pd.read_csv(source / "tariffs" / "weights" / "yale_tariff_rate_tracker" / "hs10_gtap_crosswalk.csv",
                            dtype=str)
    crosswalk["gtap"] = crosswalk["gtap_code"].str.upper()
    crosswalk = crosswalk.dropna(subset=["gtap"])
    lines = imports.merge(crosswalk[["hs10", "gtap"]], left_on="HS10", right_on="hs10", how="left")
    # Lines the crosswalk lacks (new HS10 codes) take the GTAP sector most of their HS6's lines have.
    by_hs6 = crosswalk.groupby("hs6_code")["gtap"].agg(lambda s: s.value_counts().index[0])
    by_hs4 = crosswalk.assign(hs4=crosswalk["hs6_code"].str[:4]).groupby("hs4")["gtap"].agg(
        lambda s: s.value_counts().index[0])
    lines["gtap"] = lines["gtap"].fillna(lines["HS6"].map(by_hs6)).fillna(lines["HS6"].str[:4].map(by_hs4))
    return lines.dropna(subset=["gtap"])[["HS10", "HS6", "gtap", "imports"]]


def hs6_to_sector(lines: pd.DataFrame, concordance: pd.DataFrame, code: str) -> pd.DataFrame:
    """Spread each line over the world's sectors with the HS6 concordance (HS4 heading where the code is new)."""
    exact = concordance[["hs6", code, "share"]]
    heading = concordance.assign(hs4=concordance["hs6"].str[:4]).groupby(["hs4", code], as_index=False)["share"].sum()
    heading["share"] /= heading.groupby("hs4")["share"].transform("sum")
    matched = lines.merge(exact, left_on="HS6", right_on="hs6", how="inner")
    rest = lines[~lines["HS6"].isin(exact["hs6"])].assign(hs4=lambda d: d["HS6"].str[:4])
    matched = pd.concat([matched, rest.merge(heading, on="hs4", how="inner")], ignore_index=True)
    matched["weight"] = matched["imports"] * matched["share"]
    return matched.groupby(["gtap", code], as_index=False)["weight"].sum()


# ICIO 2022 sectors (ISIC Rev.4) by 2-digit division; the two basic-metal and the two
# other-transport groups split below the division (OECD ICIO sector definitions).
ICIO_DIVISIONS = {
    "A01": [1], "A02": [2], "A03": [3], "B05": [5], "B06": [6], "B07": [7], "B08": [8], "B09": [9],
    "C10T12": [10, 11, 12], "C13T15": [13, 14, 15], "C16": [16], "C17_18": [17, 18], "C19": [19], "C20": [20],
    "C21": [21], "C22": [22], "C23": [23], "C25": [25], "C26": [26], "C27": [27], "C28": [28], "C29": [29],
    "C31T33": [31, 32, 33], "D": [35], "E": [36, 37, 38, 39], "F": [41, 42, 43], "G": [45, 46, 47], "H49": [49],
    "H50": [50], "H51": [51], "H52": [52], "H53": [53], "I": [55, 56], "J58T60": [58, 59, 60], "J61": [61],
    "J62_63": [62, 63], "K": [64, 65, 66], "L": [68], "M": [69, 70, 71, 72, 73, 74, 75],
    "N": [77, 78, 79, 80, 81, 82], "O": [84], "P": [85], "Q": [86, 87, 88], "R": [90, 91, 92, 93],
    "S": [94, 95, 96], "T": [97, 98, 99],  # 99 (extraterritorial bodies): no ICIO sector of its own
}  # fmt: skip
HEAD_MAYER_SERVICES = 5.0  # Head & Mayer (2014) central estimate, the services value of the cp2015 set in wiod2011


def icio_sector(isic4: str) -> str:
    """The ICIO 2022 sector of an ISIC Rev.4 class (4 digits)."""
    if isic4[:2] == "24":
        return "C24A" if isic4 in ("2410", "2431") else "C24B"
    if isic4[:2] == "30":
        return "C301" if isic4[:3] == "301" else "C302T309"
    division = int(isic4[:2])
    return next(code for code, divisions in ICIO_DIVISIONS.items() if division in divisions)


def isic3_to_icio(source: Path) -> pd.DataFrame:
    """ISIC Rev.3 class -> ICIO sector shares, through Rev.3.1 and Rev.4 (UN correspondence tables).

    A class that corresponds to several classes of the next revision is split equally
    among them (no output data at that level to weight them).
    """
    folder = source / "concordance"
    r31 = pd.read_csv(folder / "ISIC_Rev_31-ISIC_Rev_3_correspondence.txt", dtype=str)[["Rev31", "Rev3"]]
    r4 = pd.read_csv(folder / "ISIC4_ISIC31.txt", dtype=str)[["ISIC4code", "ISIC31code"]]
    r31["w31"] = 1.0 / r31.groupby("Rev3")["Rev31"].transform("count")
    r4["w4"] = 1.0 / r4.groupby("ISIC31code")["ISIC4code"].transform("count")
    chain = r31.merge(r4, left_on="Rev31", right_on="ISIC31code")
    chain["icio"] = chain["ISIC4code"].map(icio_sector)
    chain["share"] = chain["w31"] * chain["w4"]
    chain = chain.groupby(["Rev3", "icio"], as_index=False)["share"].sum()
    chain["share"] /= chain.groupby("Rev3")["share"].transform("sum")
    return chain.rename(columns={"Rev3": "isic3"})


def cp2015_theta_by_isic3(source: Path) -> dict[int, float]:
    """CP2015 Table 1 theta by ISIC Rev.3 division (their 20 goods sectors, ``labels.csv`` and ``T.txt``)."""
    labels = pd.read_csv(source / "cp2015" / "labels.csv", header=None, names=["kind", "k", "name", "isic"])
    goods = labels[labels["kind"] == "sector"].head(20)
    theta = np.loadtxt(source / "cp2015" / "T.txt")
    by_division = {}
    for (_, row), value in zip(goods.iterrows(), theta, strict=True):
        low, _, high = str(row["isic"]).partition("-")
        for division in range(int(low), int(high or low) + 1):
            by_division[division] = float(value)
    return by_division


def build_icio(source: Path, gtap: pd.DataFrame, lines: pd.DataFrame, concordance: pd.DataFrame) -> pd.DataFrame:
    """Both sets on the 50 ICIO 2022 sectors: HS lines -> ISIC Rev.3 -> Rev.4 -> ICIO, import-weighted."""
    names = pd.read_csv(source / "icio2022" / "sectors.csv", encoding="utf-8-sig").set_index("code")[
        "economic_activity"
    ]
    per_hs6 = concordance.groupby(["hs6", "isic"], as_index=False)["share"].sum()
    per_hs6["isic"] = per_hs6["isic"].astype(str).str.zfill(4)
    spread = lines.merge(per_hs6, left_on="HS6", right_on="hs6").merge(isic3_to_icio(source), left_on="isic",
                                                                       right_on="isic3", suffixes=("", "_icio"))
    spread["weight"] = spread["imports"] * spread["share"] * spread["share_icio"]
    epsilon = gtap.set_index("gtap")["epsilon"]
    cp_by_division = cp2015_theta_by_isic3(source)
    spread["theta_fontagne2022"] = -epsilon.reindex(spread["gtap"]).values - 1.0
    spread["theta_cp2015"] = spread["isic"].str[:2].astype(int).map(cp_by_division)
    spread = spread.dropna(subset=["theta_cp2015"])  # ISIC 9999 (scrap etc.) has no CP sector
    goods = [code for code in names.index if code[0] in "ABC" and code != "B09"]
    rows = []
    for name in ("cp2015", "fontagne2022"):
        column = f"theta_{name}"
        in_goods = spread[spread["icio"].isin(goods)]
        mean = float(np.average(in_goods[column], weights=in_goods["weight"]))
        donor_theta = HEAD_MAYER_SERVICES if name == "cp2015" else mean
        for code, label in names.items():
            part = spread[spread["icio"] == code]
            if code in goods and part["weight"].sum() > 0:
                theta = float(np.average(part[column], weights=part["weight"]))
                how = f"trade-weighted over HS lines ({part['weight'].sum() / 1e9:.1f} bn USD of 2024 U.S. imports)"
            else:
                theta = donor_theta
                how = ("donor: Head & Mayer (2014) 5.0, as for wiod2011 services" if name == "cp2015"
                       else f"donor: goods mean (trade-weighted mean of the set's goods sectors, {mean:.2f})")
            published = theta if name == "cp2015" else -(1.0 + theta)
            rows.append({"set": name, "sector_code": code, "sector": label,
                         "concept": "gross" if name == "cp2015" else "net", "published": published, "theta": theta,
                         "se": np.nan, "derivation": how})
    return pd.DataFrame(rows)


def build(source: Path) -> None:
    gtap = fontagne_gtap(source)
    gtap.to_csv(OUT / "fontagne2022_gtap.csv", index=False, float_format="%.6f")
    concordance = pd.read_csv(CONCORDANCE, dtype={"hs6": str, "isic": str})
    lines = hs_weights(source)
    icio = build_icio(source, gtap, lines, concordance)
    icio.to_csv(OUT / "icio2022.csv", index=False, float_format="%.6f")
    print(icio.pivot_table(index="sector_code", columns="set", values="theta", sort=False).round(2).to_string())
    weights = hs6_to_sector(lines, concordance, "wiod_code")
    labels = concordance.drop_duplicates("wiod_code").set_index("wiod_code")["sector"]

    epsilon = gtap.set_index("gtap")["epsilon"]
    weights["theta"] = -epsilon.reindex(weights["gtap"]).values - 1.0  # net-of-tariff flows: -(1 + theta)
    goods = weights[weights["wiod_code"].isin(GOODS)]
    by_sector = goods.groupby("wiod_code").apply(
        lambda d: pd.Series({"theta": np.average(d["theta"], weights=d["weight"]),
                             "weight_usd_bn": d["weight"].sum() / 1e9,
                             "gtap_sources": ", ".join(f"{g} {w:.0%}" for g, w in
                                                       (d.set_index("gtap")["weight"] / d["weight"].sum())
                                                       .sort_values(ascending=False).head(4).items())}),
        include_groups=False)
    goods_mean = float(np.average(by_sector["theta"], weights=by_sector["weight_usd_bn"]))

    world = np.load(ROOT / "src" / "tradewar" / "data" / "worlds" / "wiod2011.npz", allow_pickle=False)
    sectors, cp_theta = list(world["sectors"]), world["trade_elasticity"]
    rows = []
    for k, (sector, theta_cp) in enumerate(zip(sectors, cp_theta, strict=True)):
        code = f"c{k + 1}"
        assert labels.get(code, sector) == sector, (code, sector)
        rows.append({"set": "cp2015", "sector_code": code, "sector": sector, "concept": "gross",
                     "published": float(theta_cp), "theta": float(theta_cp), "se": np.nan,
                     "derivation": "CP2015 Table 1 theta, as in wiod2011.md choice 10" if code in GOODS
                     else "Head & Mayer (2014) 5.0, as in wiod2011.md choice 10"})
        if code in by_sector.index:
            theta, how = (
                by_sector.loc[code, "theta"],
                f"trade-weighted over GTAP: {by_sector.loc[code, 'gtap_sources']}",
            )
        else:
            theta, how = goods_mean, f"donor: {SERVICES_DONOR} (trade-weighted mean of the set's goods sectors)"
        rows.append({"set": "fontagne2022", "sector_code": code, "sector": sector, "concept": "net",
                     "published": -(1.0 + theta), "theta": theta, "se": np.nan, "derivation": how})
    table = pd.DataFrame(rows)
    table.to_csv(OUT / "wiod2011.csv", index=False, float_format="%.6f")
    print(table[table.set == "fontagne2022"][["sector_code", "sector", "published", "theta", "derivation"]].to_string())
    print(f"goods mean theta (fontagne2022): {goods_mean:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data")
    build(parser.parse_args().source)


if __name__ == "__main__":
    main()
