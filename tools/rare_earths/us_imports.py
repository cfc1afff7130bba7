"""2024 U.S. imports of rare-earth products by HS line and partner, from the Census HS10 files
in ``../shared/data/tariffs/weights/us_imports_2024_hs10`` (one file per partner, about 50
partners; ``EUROPEAN UNION`` is the EU aggregate, so its members' own files -- Slovakia -- are
left out to avoid counting them twice).

The lines (HS 2022): permanent magnets of metal, 8505.11 (NdFeB and SmCo magnets); compounds of
rare-earth metals, 2846 (oxides, chlorides, carbonates...); rare-earth metals, scandium and
yttrium, 2805.30. These are the products China's export controls of 2025 covered and the
``rare-earths`` split stands for; the total is the U.S. purchases the split pins
(``buyer_values`` in ``src/tradewar/data/splits/rare-earths.toml``; the U.S. makes almost none
of these products: IEA gives it no share of separation or magnet output).

Run from the repository root::

    python -m tools.rare_earths.us_imports --source ../shared/data
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

LINES = {"8505.11 permanent magnets": "850511", "2846 rare-earth compounds": "2846",
         "2805.30 rare-earth metals": "280530"}
EU_MEMBERS_WITH_OWN_FILES = {"SLOVAKIA"}  # inside the EUROPEAN UNION file too


def us_imports(source: Path) -> pd.DataFrame:
    """USD millions by (line, partner), 2024 customs value."""
    rows = []
    for path in sorted((source / "tariffs" / "weights" / "us_imports_2024_hs10").glob("*.parquet")):
        data = pd.read_parquet(path, columns=["CTY_NAME", "HS10", "imports"])
        partner = str(data["CTY_NAME"].iloc[0])
        if partner in EU_MEMBERS_WITH_OWN_FILES:
            continue
        codes = data["HS10"].astype(str)
        for line, prefix in LINES.items():
            value = float(data.loc[codes.str.startswith(prefix), "imports"].sum()) / 1e6
            if value > 0:
                rows.append({"line": line, "partner": partner, "usd_mn": value})
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """By line: imports from China, from all partners in the files, China's share."""
    total = table.groupby("line")["usd_mn"].sum()
    china = table[table["partner"] == "CHINA"].groupby("line")["usd_mn"].sum()
    out = pd.DataFrame({"from_china_usd_mn": china, "all_partners_usd_mn": total})
    out.loc["all three"] = out.sum()
    out["china_share"] = out["from_china_usd_mn"] / out["all_partners_usd_mn"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    table = us_imports(args.source)
    print(summary(table).round(3).to_string())
    for line, group in table.groupby("line"):
        print(f"\n{line}: largest partners, USD mn")
        print(group.sort_values("usd_mn", ascending=False).head(6).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
