"""Build the named trade-elasticity sets shipped in ``src/tradewar/data/elasticities/``.

Offline: reads ``../shared/data`` (never needed at run time) and writes

- ``fontagne2022_gtap.csv``: the published GTAP-sector elasticities, with the named
  donor of every sector the file leaves empty;
- ``wiod2011.csv``: every set's value for each WIOD sector of the default world,
  in the concept it was published in and as the engine's theta.

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
            table.loc[code, ["epsilon", "donor", "donor_reason"]] = [table.loc[donor, "epsilon_published"], donor, reason]
    missing = table.index[table["epsilon"].isna()].tolist()
    if missing:
        raise SystemExit(f"GTAP sectors without an estimate or a donor: {missing}")
    table["description"] = [names.get(code, "") for code in table.index]
    return table.sort_index().reset_index().rename(columns={"index": "gtap"})


def hs_weights(source: Path) -> pd.DataFrame:
    """2024 U.S. imports (51 partner files, all partners together) by HS10, with its GTAP sector."""
    folder = source / "tariffs" / "weights" / "us_imports_2024_hs10"
    imports = pd.concat(pd.read_parquet(f, columns=["imports", "HS10", "HS6"]) for f in sorted(folder.glob("*.parquet")))
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


def build(source: Path) -> None:
    gtap = fontagne_gtap(source)
    gtap.to_csv(OUT / "fontagne2022_gtap.csv", index=False, float_format="%.6f")
    concordance = pd.read_csv(CONCORDANCE, dtype={"hs6": str})
    weights = hs6_to_sector(hs_weights(source), concordance, "wiod_code")
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
            theta, how = by_sector.loc[code, "theta"], f"trade-weighted over GTAP: {by_sector.loc[code, 'gtap_sources']}"
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
