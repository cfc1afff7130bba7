"""Build a world from the World Input-Output Database (2013 release).

Source: Timmer, Dietzenbacher, Los, Stehrer & de Vries (2015), "An Illustrated User
Guide to the World Input-Output Database: the Case of Global Automotive
Production", Review of International Economics 23: 575-605. 41 regions (40
countries and the rest of the world) x 35 industries (ISIC Rev.3), USD millions.

Every choice made in deriving the model's inputs is listed in ``CHOICES`` and
written into the provenance file beside the built world.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tradewar.errors import DataNotFoundError
from tradewar.world.cp2015 import COUNTRY_CODES as CP_CODES
from tradewar.world.cp2015 import read_cp2015_tariffs
from tradewar.world.world import World

__all__ = ["build_wiod_world", "WIOD_SECTORS", "EU_MEMBERS", "YEARS", "CITATION", "CHOICES"]

CITATION = (
    "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
    "'An Illustrated User Guide to the World Input-Output Database: the Case of Global "
    "Automotive Production', Review of International Economics 23: 575-605."
)
YEARS = (1995, 2000, 2005, 2008, 2011)

# WIOD industry code -> (tradewar label, CP2015 tradable sectors behind it, 1-based).
WIOD_SECTORS = {
    "c1": ("Agriculture", (1,)),
    "c2": ("Mining", (2,)),
    "c3": ("Food", (3,)),
    "c4": ("Textiles", (4,)),
    "c5": ("Leather", (4,)),
    "c6": ("Wood", (5,)),
    "c7": ("Paper", (6,)),
    "c8": ("Petroleum", (7,)),
    "c9": ("Chemicals", (8,)),
    "c10": ("Rubber and plastics", (9,)),
    "c11": ("Minerals", (10,)),
    "c12": ("Metals", (11, 12)),
    "c13": ("Machinery", (13,)),
    "c14": ("Electrical and optical", (14, 15, 16, 17)),
    "c15": ("Transport equipment", (18, 19)),
    "c16": ("Manufacturing nec", (20,)),
    "c17": ("Utilities", ()),
    "c18": ("Construction", ()),
    "c19": ("Motor vehicle trade", ()),
    "c20": ("Wholesale", ()),
    "c21": ("Retail", ()),
    "c22": ("Hotels and restaurants", ()),
    "c23": ("Inland transport", ()),
    "c24": ("Water transport", ()),
    "c25": ("Air transport", ()),
    "c26": ("Transport services", ()),
    "c27": ("Post and telecom", ()),
    "c28": ("Finance", ()),
    "c29": ("Real estate", ()),
    "c30": ("Business services", ()),
    "c31": ("Public administration", ()),
    "c32": ("Education", ()),
    "c33": ("Health", ()),
    "c34": ("Other services", ()),
    "c35": ("Private households", ()),
}

# WIOD region codes that are not ISO 3166 alpha-3.
WIOD_TO_ISO = {"ROM": "ROU", "RoW": "ROW"}

# Members of the EU in 2011 (27, the U.K. included): they trade with each other
# tariff-free and share the common external tariff.
EU_MEMBERS = (
    "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR", "GRC", "HUN",
    "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE",
)

SERVICES_THETA = 5.0

CHOICES = [
    "Bilateral trade by sector = intermediate use plus final use (the five final-use "
    "categories summed), by origin and destination, at basic prices; domestic sales on the diagonal.",
    "Final use summed over categories; cells that stay negative (inventory run-downs larger "
    "than other final use) are set to zero.",
    "Gross output = the sum of a row's uses (not WIOD's 'output' vector, which differs from "
    "row sums by more than 3% in about a tenth of rows), so that sales add up.",
    "Input shares = intermediate purchases by input sector (all origins) over gross output; "
    "value-added share = 1 minus their sum. Where purchases exceed output the input shares "
    "are scaled down to sum to one (value-added share 0); zero-output industries get a "
    "value-added share of 1 and no inputs.",
    "Final-demand shares = final use by sector (all origins, at buyer prices: baseline tariffs "
    "added) over total final use.",
    "Baseline tariffs: Caliendo & Parro (2015) 2005 applied tariffs, mapped from their 20 "
    "ISIC Rev.3 goods sectors to WIOD's 16 goods industries with the CP 1993 trade of the "
    "same importer-exporter pair as weights (world trade where the pair has none).",
    "EU members (27 in 2011) trade with each other tariff-free and all apply the EU external "
    "tariff: the trade-weighted mean of the tariffs CP's EU members charge. EU exporters not "
    "in CP (BEL, BGR, CYP, CZE, EST, LTU, LUX, LVA, MLT, POL, ROU, SVK, SVN) face what a "
    "partner charges CP's EU members, trade-weighted.",
    "Countries missing from CP2015 (RUS, TWN) and WIOD's rest of the world take CP's rest-of-"
    "world tariffs, both as importers and as exporters.",
    "Services (c17-c35) are tariff-free.",
    f"Trade elasticities: CP2015's sector thetas, trade-weighted where several CP sectors map to "
    f"one WIOD industry; services get {SERVICES_THETA} (the central aggregate estimate of Head & Mayer 2014).",
    "The raw data are made a model equilibrium with World.balanced(): trade shares, cost "
    "shares, final-demand shares, value added and deficits are kept and the model is "
    "solved with no shock (as Caliendo & Parro do), so every accounting identity holds.",
]


def _iso(code: str) -> str:
    return WIOD_TO_ISO.get(code, code)


def _read(source: Path, year: int):
    if year not in YEARS:
        raise ValueError(f"WIOD (2013 release) covers {', '.join(map(str, YEARS))}; {year} is not among them.")
    path = source / f"wiot_{year}.npz"
    if not path.is_file():
        raise DataNotFoundError(
            f"{path} not found. Point --source at the folder with WIOD's wiot_YYYY.npz files "
            "(the 2013 release, e.g. ../shared/data/wiod2013)."
        )
    with np.load(path, allow_pickle=False) as raw:
        return {key: raw[key] for key in raw.files}


def _flows(raw) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Trade (importer, exporter, sector) and intermediate purchases (country, input, sector)."""
    n, j = len(raw["countries"]), len(raw["industries"])
    inter = raw["inter"].reshape(n, j, n, j)  # exporter, input sector, importer, using sector
    final = raw["final"].reshape(n, j, n, -1).sum(axis=3)  # exporter, sector, importer
    final = np.maximum(final, 0.0)
    trade = (inter.sum(axis=3) + final).transpose(2, 0, 1)  # importer, exporter, sector
    purchases = inter.sum(axis=0).transpose(1, 0, 2)  # (country, input, using sector)
    return trade, purchases, final.transpose(2, 0, 1), n


def _cp_mapping(cp_dir: Path, countries: list[str]):
    """CP2015 2005 tariffs, 1993 flows and thetas mapped to WIOD countries (goods only)."""
    tariffs = read_cp2015_tariffs(cp_dir, 2005)[:, :, :20]
    flows = np.loadtxt(cp_dir / "xbilat1993.txt").reshape(20, 31, 31).transpose(1, 2, 0)
    thetas = np.loadtxt(cp_dir / "T.txt")
    labels = []
    import csv

    with open(cp_dir / "labels.csv", newline="") as handle:
        labels = [CP_CODES[row["name"]] for row in csv.DictReader(handle) if row["kind"] == "country"]
    index = {code: k for k, code in enumerate(labels)}
    cp_eu = [index[c] for c in EU_MEMBERS if c in index]
    row = index["ROW"]

    def as_importer(code):
        if code in EU_MEMBERS:
            return cp_eu
        return [index.get(code, row)]

    def as_exporter(code):
        if code in EU_MEMBERS:
            return [index[code]] if code in index else cp_eu
        return [index.get(code, row)]

    return tariffs, flows, thetas, as_importer, as_exporter


def _weighted(values: np.ndarray, weights: np.ndarray, axis) -> np.ndarray:
    total = weights.sum(axis=axis)
    plain = values.mean(axis=axis)
    return np.where(total > 0, (values * weights).sum(axis=axis) / np.where(total > 0, total, 1), plain)


def _baseline_tariffs(cp_dir: Path, countries: list[str]) -> tuple[np.ndarray, np.ndarray]:
    tariffs, flows, thetas, as_importer, as_exporter = _cp_mapping(cp_dir, countries)
    n = len(countries)
    world_flows = flows.sum(axis=(0, 1))
    tariff = np.zeros((n, n, len(WIOD_SECTORS)))
    for a, importer in enumerate(countries):
        rows = as_importer(importer)
        for b, exporter in enumerate(countries):
            if a == b or (importer in EU_MEMBERS and exporter in EU_MEMBERS):
                continue
            cols = as_exporter(exporter)
            block_t = tariffs[np.ix_(rows, cols)].reshape(-1, 20)
            block_w = flows[np.ix_(rows, cols)].reshape(-1, 20)
            pair_t = _weighted(block_t, block_w, axis=0)
            pair_w = block_w.sum(axis=0)
            for s, (_, cp_sectors) in enumerate(WIOD_SECTORS.values()):
                if not cp_sectors:
                    continue
                k = [c - 1 for c in cp_sectors]
                weights = pair_w[k] if pair_w[k].sum() > 0 else world_flows[k]
                tariff[a, b, s] = _weighted(pair_t[k], weights, axis=0)
    theta = np.full(len(WIOD_SECTORS), SERVICES_THETA)
    for s, (_, cp_sectors) in enumerate(WIOD_SECTORS.values()):
        if cp_sectors:
            k = [c - 1 for c in cp_sectors]
            theta[s] = _weighted(thetas[k], world_flows[k], axis=0)
    return tariff, theta


def build_wiod_world(
    source: Path | str,
    cp2015_source: Path | str,
    year: int = 2011,
    *,
    services_theta: float = SERVICES_THETA,
    trade_elasticity: dict[str, float] | None = None,
) -> World:
    """Derive a balanced :class:`World` from a WIOD table and the CP2015 tariffs."""
    source, cp2015_source = Path(source), Path(cp2015_source)
    raw = _read(source, year)
    trade, purchases, final, n = _flows(raw)
    countries = [_iso(str(c)) for c in raw["countries"]]
    codes = [str(c) for c in raw["industries"]]
    if codes != list(WIOD_SECTORS):
        raise DataNotFoundError(f"Unexpected WIOD industries {codes[:5]}...; expected c1..c35.")
    sectors = [WIOD_SECTORS[c][0] for c in codes]

    output = trade.sum(axis=0)  # (country, sector)
    spent = purchases.sum(axis=1)  # (country, sector)
    scale = np.where(spent > output, output / np.where(spent > 0, spent, 1), 1.0)
    input_share = np.divide(
        purchases * scale[:, None, :], output[:, None, :], out=np.zeros_like(purchases), where=output[:, None, :] > 0
    )
    value_added_share = np.clip(1.0 - input_share.sum(axis=1), 0.0, 1.0)

    tariff, theta = _baseline_tariffs(cp2015_source, countries)
    theta[[k for k, (_, cp) in enumerate(WIOD_SECTORS.values()) if not cp]] = services_theta
    for label, value in (trade_elasticity or {}).items():
        if label not in sectors:
            raise ValueError(f"Unknown sector {label!r} in trade_elasticity; sectors are {sectors}.")
        theta[sectors.index(label)] = value

    final_spending = (final * (1 + tariff)).sum(axis=1)  # (country, sector)
    final_demand_share = final_spending / final_spending.sum(axis=1, keepdims=True)

    raw_world = World.from_arrays(
        countries=countries,
        sectors=sectors,
        trade=trade,
        tariff=tariff,
        value_added_share=value_added_share,
        input_share=input_share,
        final_demand_share=final_demand_share,
        trade_elasticity=theta,
        require_equilibrium=False,
    )
    world = raw_world.balanced()
    world.data.attrs.update(
        name=f"wiod{year}",
        source=f"World Input-Output Database, 2013 release, year {year}",
        year=year,
        citation=CITATION,
        tariffs="Caliendo & Parro (2015) applied tariffs of 2005, mapped as in choices 6-9",
        sector_codes=",".join(codes),
        goods="|".join(WIOD_SECTORS[c][0] for c in codes if WIOD_SECTORS[c][1]),
    )
    return world
