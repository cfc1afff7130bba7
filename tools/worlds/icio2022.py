"""Build the embedded world ``icio2022`` from the OECD ICIO tables (2025 release, year 2022).

Source: ``../shared/data/icio2022`` (layout and caveats in that folder's README): 80
economies x 50 ISIC Rev.4 sectors, intermediate flows as column-normalised coefficients
``A`` with intermediate cost shares ``omb`` and gross output ``go``, and ``z``, each
supplier's sales not used as intermediates by the 80 economies (final demand in every
destination plus intermediate sales to the OECD's rest of the world, which the file drops).
Final demand by destination is not in the file: it is imputed by the method that won the
WIOD backtest (``icio_final_demand.py``). Every choice is listed in ``CHOICES`` and written
into ``src/tradewar/data/worlds/icio2022.md``.

Run from the repository root::

    python -m tools.worlds.icio2022 --source ../shared/data      # or
    tradewar world build icio --year 2022
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import numpy as np

from tradewar.errors import DataNotFoundError
from tradewar.world.aggregate import EU27_2020
from tradewar.world.cp2015 import COUNTRY_CODES as CP_CODES
from tradewar.world.cp2015 import read_cp2015_tariffs
from tradewar.world.library import embedded_path, save_world, write_provenance
from tradewar.world.world import World

__all__ = ["build_icio_world", "read_icio", "ICIO_SECTORS", "CHOICES", "CITATION", "DAMPING", "write"]


def _load_sibling(name: str):
    """The final-demand module beside this file (tools/ is not a package in every checkout)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fd = _load_sibling("icio_final_demand")
enduse = _load_sibling("us_enduse")

CITATION = (
    "OECD (2025), Inter-Country Input-Output Database, 2025 release (year 2022), http://oe.cd/icio; "
    "pre-processed by Bhattathiripad, A. and Veetil, V., sanction-simulator 0.1.4 (MIT licence). "
    "Final demand by destination imputed with ratios from Timmer et al. (2015), WIOD 2013 release."
)
YEAR = 2022
# The day whose measures the baseline holds: scenarios on this world apply the change since then.
POLICY_DATE = "2022-07-01"
NPZ = "oecd_icio2022_intermediate_network.npz"
ARRAYS = ("A", "omb", "go", "z", "countries", "sectors")
DAMPING = 0.75  # weight of a pair's own 2011 log ratio; chosen by the WIOD 2000 -> 2011 backtest
SERVICES_THETA = 5.0
WIOD_YEAR = 2011

# ICIO code -> (tradewar label, ISIC Rev.4 divisions). Goods are sections A-C (tariffs apply).
ICIO_SECTORS = {
    "A01": ("Agriculture", ("01",)),
    "A02": ("Forestry", ("02",)),
    "A03": ("Fishing", ("03",)),
    "B05": ("Coal", ("05",)),
    "B06": ("Oil and gas", ("06",)),
    "B07": ("Metal ores", ("07",)),
    "B08": ("Other mining", ("08",)),
    "B09": ("Mining support", ("09",)),
    "C10T12": ("Food", ("10", "11", "12")),
    "C13T15": ("Textiles and apparel", ("13", "14", "15")),
    "C16": ("Wood", ("16",)),
    "C17_18": ("Paper and printing", ("17", "18")),
    "C19": ("Petroleum", ("19",)),
    "C20": ("Chemicals", ("20",)),
    "C21": ("Pharmaceuticals", ("21",)),
    "C22": ("Rubber and plastics", ("22",)),
    "C23": ("Minerals", ("23",)),
    "C24A": ("Iron and steel", ("241", "2431")),
    "C24B": ("Non-ferrous metals", ("242", "2432")),
    "C25": ("Metal products", ("25",)),
    "C26": ("Computers and electronics", ("26",)),
    "C27": ("Electrical equipment", ("27",)),
    "C28": ("Machinery", ("28",)),
    "C29": ("Motor vehicles", ("29",)),
    "C301": ("Ships", ("301",)),
    "C302T309": ("Other transport equipment", ("302", "303", "304", "309")),
    "C31T33": ("Manufacturing nec", ("31", "32", "33")),
    "D": ("Electricity and gas", ("35",)),
    "E": ("Water and waste", ("36", "37", "38", "39")),
    "F": ("Construction", ("41", "42", "43")),
    "G": ("Wholesale and retail", ("45", "46", "47")),
    "H49": ("Land transport", ("49",)),
    "H50": ("Water transport", ("50",)),
    "H51": ("Air transport", ("51",)),
    "H52": ("Warehousing", ("52",)),
    "H53": ("Postal services", ("53",)),
    "I": ("Hotels and restaurants", ("55", "56")),
    "J58T60": ("Publishing and broadcasting", ("58", "59", "60")),
    "J61": ("Telecom", ("61",)),
    "J62_63": ("IT services", ("62", "63")),
    "K": ("Finance", ("64", "65", "66")),
    "L": ("Real estate", ("68",)),
    "M": ("Professional services", ("69", "70", "71", "72", "73", "74", "75")),
    "N": ("Administrative services", ("77", "78", "79", "80", "81", "82")),
    "O": ("Public administration", ("84",)),
    "P": ("Education", ("85",)),
    "Q": ("Health", ("86", "87", "88")),
    "R": ("Arts and recreation", ("90", "91", "92", "93")),
    "S": ("Other services", ("94", "95", "96")),
    "T": ("Private households", ("97", "98")),
}
GOODS_SECTIONS = ("A", "B", "C")

# ISIC Rev.3 division ranges of CP2015's 20 goods sectors and of WIOD's 35 industries.
CP_DIVISIONS = [(1, 5), (10, 14), (15, 16), (17, 19), (20, 20), (21, 22), (23, 23), (24, 24), (25, 25), (26, 26),
                (27, 27), (28, 28), (29, 29), (30, 30), (31, 31), (32, 32), (33, 33), (34, 34), (35, 35), (36, 37)]
WIOD_DIVISIONS = [(1, 5), (10, 14), (15, 16), (17, 18), (19, 19), (20, 20), (21, 22), (23, 23), (24, 24), (25, 25),
                  (26, 26), (27, 28), (29, 29), (30, 33), (34, 35), (36, 37), (40, 41), (45, 45), (50, 50), (51, 51),
                  (52, 52), (55, 55), (60, 60), (61, 61), (62, 62), (63, 63), (64, 64), (65, 67), (70, 70), (71, 74),
                  (75, 75), (80, 80), (85, 85), (90, 93), (95, 97)]  # 96-97 (ISIC 3.1 own-use households) -> c35
WIOD_TO_ISO = {"ROM": "ROU"}

# Published 2022 balances of trade in goods and services (exports minus imports, USD millions), used
# as calibration targets (choice 5): the source carries no information on what each economy spends.
PUBLISHED_BALANCES = {
    "USA": (
        -945_300.0,
        "BEA, 'U.S. International Trade in Goods and Services, January 2023' (8 March 2023): "
        "2022 deficit 945.3 bn USD (revised)",
    ),
    "CHN": (591_300.0, "SAFE, balance of payments 2022 (10 February 2023): goods +685.6 bn, services -94.3 bn USD"),
    "MEX": (
        -41_460.0,
        "Banco de Mexico, balance of payments 2022 (24 February 2023): goods and services -41,460 mn USD",
    ),
    "DEU": (
        85_800.0,
        "World Bank WDI NE.RSB.GNFS.ZS (national accounts; as published by theglobaleconomy.com): exports minus "
        "imports of goods and services 2.06% of GDP in 2022, times Destatis nominal GDP 2022 of 3,953.9 bn EUR "
        "(sum of the quarters, table 'Bruttoinlandsprodukt in jeweiligen Preisen', as of 23 May 2025) = 81.5 bn "
        "EUR = 85.8 bn USD at the ECB's 2022 mean reference rate of 1.0530 USD/EUR (Federal Reserve G.5A: "
        "1.0534); Destatis foreign trade, goods only: +79.7 bn EUR; the Bundesbank's current account, +162 bn "
        "EUR, holds primary income too",
    ),
    "VNM": (
        5_500.0,
        "General Statistics Office of Viet Nam, constructed (no full-year published goods-and-services figure "
        "was found): goods surplus 2022 11.2 bn USD (customs basis, imports c.i.f.; GSO, socio-economic "
        "situation in 2022, January 2023) plus the services balance without the freight and insurance on "
        "imports that c.i.f. imports already hold, -11.2 + 6.9 = -4.3 bn USD in January-September 2022 (GSO, "
        "30 September 2022), times 12/9 = -5.7 bn USD; +5.5 bn USD, uncertain by a few bn",
    ),
    "JPN": (
        -161_100.0,
        "Ministry of Finance, balance of payments 2022 (preliminary, 8 February 2023): goods -15.78 trn yen; "
        "services about -5.4 trn yen (first half -2.50 trn, fiscal year 2022 -5.28 trn); -21.18 trn yen = "
        "-161.1 bn USD at the 2022 mean rate of 131.46 yen/USD (Federal Reserve G.5A, 1 February 2024)",
    ),
    "GBR": (
        -133_600.0,
        "ONS, 'UK trade: December 2022' (10 February 2023): total trade in goods and services balance 2022 "
        "-108.0 bn GBP excluding precious metals = -133.6 bn USD at the 2022 mean rate of 1.2371 USD/GBP "
        "(Federal Reserve G.5A)",
    ),
    "FRA": (
        -89_800.0,
        "Banque de France, balance of payments annual report 2022 (20 July 2023): goods -137.3 bn EUR, services "
        "+52.0 bn EUR, together -85.3 bn EUR = -89.8 bn USD at 1.0530 USD/EUR",
    ),
    "KOR": (
        9_510.0,
        "Bank of Korea, balance of payments December 2022 (preliminary, 8 February 2023): goods +15.06 bn USD, "
        "services -5.55 bn USD",
    ),
    "CAN": (
        7_300.0,
        "Statistics Canada, balance of international payments (seasonally adjusted trade in goods and services, "
        "CAD): Q1 2022 +6.4 bn (30 May 2022), Q2 +9.1 bn (30 August 2022), Q3 -3.2 bn and Q4 -2.8 bn "
        "(27 February 2023); +9.5 bn CAD = +7.3 bn USD at the 2022 mean of 1.3014 CAD/USD (Federal Reserve G.5A) "
        "(quarters of different vintages)",
    ),
    "IND": (
        -122_800.0,
        "Reserve Bank of India, balance of payments 2022-23 (27 June 2023): merchandise trade deficit 265.3 bn "
        "USD, net services +142.5 bn USD; FISCAL year April 2022 - March 2023 (the calendar year was not "
        "found), -122.8 bn USD",
    ),
}

CHOICES = [
    "Economies and sectors: all 80 economies and 50 ISIC Rev.4 sectors of the source, in its order; the OECD's "
    "rest of the world is not in the source. Labels are ISO 3166 alpha-3 codes; sector codes are ICIO's.",
    "Intermediate flows X = A * (omb * go) by column (the source's recovery rule); purchases from the dropped rest "
    "of the world are already spread over the 80 suppliers by the source's column normalisation.",
    "Rest of the world (issue 13, item 3): a closed 80-economy world. Each supplier's z (final sales in every "
    "destination plus intermediate sales to the dropped region) is split over the 80 destinations, so sales to "
    "the dropped region are reassigned to the 80 in proportion, as its purchases already are; gross output and "
    "value added stay as observed and world deficits sum to zero. The WIOD backtest measures what this costs: "
    "folding WIOD's far larger rest of the world this way moves 2.3% of suppliers' totals.",
    "Final demand by destination (item 2) is imputed: the 2011 ratio of final to intermediate purchases, by "
    "importer x exporter x WIOD industry, from WIOD 2011 folded as the source is (choice 3), is carried forward "
    f"to the ICIO sector's WIOD industry and damped in logs (weight {DAMPING} on the pair's own ratio, the rest "
    "on the importer's foreign ratio in that industry, or the industry's domestic ratio for home sales); each "
    "supplier's row is then scaled to its observed z. Pairs with an economy not in WIOD (VNM, MYS, THA, ...) "
    "take the coarse ratio. Ratios are bounded to [e^-6, e^6]. A supplier with final sales and no intermediate "
    "buyers sells them at home. The method and damping were chosen by the WIOD backtest (section below).",
    "U.S. end-use margins (item 2): for the U.S. as importer and partners WIOD does not have (VNM, MYS, THA, "
    "SGP, PHL, KHM, ...), the coarse ratio of goods sectors is shifted by b times the log of the partner's "
    "final/intermediate ratio in Census 2024 imports by HS10 line (BEC rev.5 end use: capital and consumption "
    "goods final, intermediate goods not; HS2022 -> HS2017 -> WIOD industry with the package's hs6_to_wiod "
    "concordance) over all partners' ratio, cells under 100 mn USD in either use ignored. b is fitted by 2-fold "
    "cross-validation over the WIOD partners in the Census files (fit on one half, score U.S. final imports by "
    "partner x goods industry of WIOD 2011 on the other; scores in the backtest section); b = the folds' mean. "
    "The margins are of 2024, two years after the table.",
    "Trade balances (national accounts): in a closed world an economy's trade balance is its value added minus "
    "its final purchases, which the source does not record, so the imputed split leaves balances unidentified "
    "(imputed alone, bn USD, against the published figure: USA -349 / -945, CHN +767 / +591, MEX -130 / -41, DEU "
    "+296 / +86, VNM -278 (62% of its value added) / +5, JPN -418 / -161, GBR -236 / -134, FRA -191 / -90, KOR "
    "-39 / +10, CAN -198 / +7, IND +2 / -123). The "
    "split is therefore fitted (RAS: supplier rows keep z) so that the final purchases of the economies below "
    "give published 2022 balances of goods and services (VNM constructed from GSO's goods and services "
    "figures, CAN summed over quarters, IND for the fiscal year 2022-23: flagged): "
    + "; ".join(f"{code} {value / 1e3:+,.1f} bn ({source})" for code, (value, source) in PUBLISHED_BALANCES.items())
    + f". The other {80 - len(PUBLISHED_BALANCES)} economies share the rest of world final demand in proportion to "
    "their imputed totals; "
    "their balances are the imputation's and carry its error (backtest column `balance`; e.g. CYP and MLT "
    "implausibly large deficits). "
    "These balances are the world's fixed deficits.",
    "Bilateral trade by sector = observed intermediate plus imputed final purchases; domestic sales on the "
    "diagonal. Gross output = row sums (the source's z is go minus intermediate sales, to within 2 USD mn).",
    "Input shares = intermediate purchases by input sector (all origins) over gross output; value-added share = "
    "1 minus their sum (the source caps omb at 0.98 in 2 columns). Inactive nodes (zero output, 51 in the "
    "source) get a value-added share of 1 and no inputs.",
    "Final-demand shares = imputed final purchases by sector (all origins, at buyer prices: baseline tariffs "
    "added) over each economy's total.",
    "Trade elasticities (stale, to be replaced): Caliendo & Parro (2015) sector thetas mapped to ICIO sectors "
    "through ISIC Rev.4 -> Rev.3.1 (../shared/data/concordance/ISIC4_ISIC31.txt, 4-digit class links counted "
    "as weights, times CP 1993 world trade of the CP sector); services 5.0 (Head & Mayer 2014).",
    "MFN tariffs (proxies, STALE): Caliendo & Parro (2015) applied tariffs of 2005, mapped to ICIO goods sectors "
    "as the thetas are, with the CP 1993 trade of the same pair as weights (world trade where the pair has "
    "none). They miss every MFN change since 2005 except China's of 2018-19 (added with the measures, choice "
    "16) and every FTA since 2005 other than those of choice 15. The 2022 trade-war measures are added in "
    "choice 16.",
    "EU27 (2022 members, Croatia included) trade with each other tariff-free and apply the common external "
    "tariff (trade-weighted mean of the tariffs CP's EU members other than the U.K. charge); EU members not in "
    "CP face what a partner charges CP's EU members. The U.K. keeps CP's U.K. tariffs (the UK Global Tariff "
    "follows the EU tariff closely) and trades tariff-free with the EU (Trade and Cooperation Agreement, 2021).",
    "Economies not in CP2015 (50 of the 80) take CP's rest-of-world tariffs, as importers and as exporters.",
    "Services (sections D-T) are tariff-free.",
    "Free-trade areas in force in 2022 at zero on goods among their members: the EU27 internal market, the "
    "EU-UK Trade and Cooperation Agreement (2021) and USMCA (2020; NAFTA before), which CP's 2005 tariffs "
    "leave slightly above zero. Not applied (their 2022 preferences are partial or phasing in, and CP's 2005 "
    "MFN proxies are stale anyway): RCEP (2022), CPTPP (2018), EU-Japan (2019), EU-Vietnam (2020), "
    "ASEAN-China, Korea-U.S. and the rest; flagged as stale.",
    f"Trade-war measures in force on {POLICY_DATE} (issue 13 item 4), added to the tariffs above: every tariff "
    "layer of the built-in library in force that day (`tradewar.policy.library`): Section 301 Lists 1-4A on "
    "China (4A at 7.5% after Phase One), China's retaliation on U.S. goods and its MFN changes of 2018-19 "
    "(these apply to every exporter), and Section 232 on steel and aluminium as the library encodes it (on "
    "China only: the library's partner layers start in 2025 as increases over 2024, so 232 on other partners, "
    "and the 2022 EU/Japan/U.K. quota deals, are not in this baseline). The layers are folded with the "
    "library's icio2022 tables (the same HS lines and line weights as on WIOD, spread with hs6_to_icio2022.csv) "
    "line-consistently at this world's trade elasticities: where a layer covers some lines of a sector, the "
    "sector gets the rate with the lines' price index, (1+t*)^(-theta) = sum w (1+t_line)^(-theta) (issue 12 "
    "item 2), below the trade-weighted mean where lines differ. The world records `policy_aggregate = model` "
    f"and `policy_date = {POLICY_DATE}`: the timeline recovers the tariff before these layers (the fixed point "
    "of the same fold, at the elasticities of the world it is given) and applies the layers in force on a "
    "scenario's date to it, line-consistently for simulations and trade-weighted for the tracker-style "
    "averages, so the trade-weighted statutory 2022 rate stays the headline while the model sees the "
    "theta-consistent one; a scenario dated later applies only the change, one dated earlier removes them.",
    "The raw data are made a model equilibrium with World.balanced() (trade shares, cost and final-demand "
    "shares, value added and deficits kept), as for wiod2011.",
]


# --------------------------------------------------------------------------- reading
def default_shared() -> Path:
    """``$TRADEWAR_SHARED_DATA``, else the first ``shared/data`` above the working directory."""
    import os

    if os.environ.get("TRADEWAR_SHARED_DATA"):
        return Path(os.environ["TRADEWAR_SHARED_DATA"])
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / "shared" / "data" / "icio2022").is_dir():
            return base / "shared" / "data"
    return Path("../shared/data")


def read_icio(source: Path | str) -> dict[str, np.ndarray]:
    """The arrays of the ICIO file, checked; clear errors naming the file or the label."""
    folder = Path(source)
    path = folder / NPZ
    if not path.is_file():
        raise DataNotFoundError(
            f"ICIO file {path} not found. Point --source at the folder holding {NPZ} "
            "(../shared/data/icio2022; see ../shared/data/README.md)."
        )
    try:
        with np.load(path, allow_pickle=False) as raw:
            missing = [key for key in ARRAYS if key not in raw.files]
            if missing:
                raise DataNotFoundError(f"ICIO file {path} lacks the arrays {missing}; expected {list(ARRAYS)}.")
            data = {key: raw[key] for key in ARRAYS}
    except DataNotFoundError:
        raise
    except Exception as error:  # a truncated or non-zip file
        raise DataNotFoundError(f"ICIO file {path} could not be read ({type(error).__name__}: {error}).") from error
    countries = [str(c) for c in data["countries"]]
    codes = [str(s) for s in data["sectors"]]
    n, j = len(countries), len(codes)
    unknown = [code for code in codes if code not in ICIO_SECTORS]
    if unknown:
        raise DataNotFoundError(f"ICIO file {path} has sectors {unknown} that the builder's sector table does not map.")
    dropped = [code for code in ICIO_SECTORS if code not in codes]
    if dropped:
        raise DataNotFoundError(f"ICIO file {path} lacks sectors {dropped} of the builder's sector table.")
    if data["A"].shape != (n * j, n * j) or any(data[k].shape != (n * j,) for k in ("omb", "go", "z")):
        raise DataNotFoundError(f"ICIO file {path}: arrays do not match {n} economies x {j} sectors.")
    for key in ("A", "omb", "go", "z"):
        bad = ~np.isfinite(data[key]) | (data[key] < 0)
        if bad.any():
            node = int(np.flatnonzero(bad.any(axis=0) if bad.ndim == 2 else bad)[0])
            raise DataNotFoundError(
                f"ICIO file {path}: {key} has a negative or non-finite value at "
                f"{countries[node % n]}/{codes[node // n]}."
            )
    return data


def _concordance(folder: Path) -> list[tuple[str, int]]:
    """(ISIC Rev.4 class, ISIC Rev.3.1 division) links of the UN correspondence table."""
    path = folder / "ISIC4_ISIC31.txt"
    if not path.is_file():
        raise DataNotFoundError(f"Concordance {path} not found (ISIC Rev.4 to Rev.3.1, ../shared/data/concordance).")
    with open(path, newline="") as handle:
        return [(row["ISIC4code"], int(row["ISIC31code"][:2])) for row in csv.DictReader(handle)]


def _division_weights(links, ranges) -> np.ndarray:
    """(ICIO sector, target sector) counts of Rev.4 class -> Rev.3.1 division links."""
    weights = np.zeros((len(ICIO_SECTORS), len(ranges)))
    for s, (_, prefixes) in enumerate(ICIO_SECTORS.values()):
        for isic4, division in links:
            if isic4.startswith(prefixes):
                for t, (low, high) in enumerate(ranges):
                    if low <= division <= high:
                        weights[s, t] += 1
    return weights


def sector_maps(concordance_dir: Path | str) -> tuple[np.ndarray, np.ndarray]:
    """ICIO sector -> CP2015 goods sectors (weights) and -> WIOD industry (index)."""
    links = _concordance(Path(concordance_dir))
    cp = _division_weights(links, CP_DIVISIONS)
    wiod = _division_weights(links, WIOD_DIVISIONS)
    labels = list(ICIO_SECTORS)
    unmapped = [labels[s] for s in range(len(labels)) if wiod[s].sum() == 0]
    if unmapped:
        raise DataNotFoundError(f"ICIO sectors {unmapped} have no ISIC Rev.3 counterpart in the concordance.")
    goods = [s for s, code in enumerate(labels) if code[0] in GOODS_SECTIONS]
    no_cp = [labels[s] for s in goods if cp[s].sum() == 0]
    if no_cp:
        raise DataNotFoundError(f"ICIO goods sectors {no_cp} have no CP2015 goods sector in the concordance.")
    cp[[s for s in range(len(labels)) if s not in goods]] = 0.0
    return cp, wiod.argmax(axis=1)


# --------------------------------------------------------------------------- tariffs
def _cp_inputs(cp_dir: Path):
    tariffs = read_cp2015_tariffs(cp_dir, 2005)[:, :, :20]
    flows = np.loadtxt(cp_dir / "xbilat1993.txt").reshape(20, 31, 31).transpose(1, 2, 0)
    thetas = np.loadtxt(cp_dir / "T.txt")
    with open(cp_dir / "labels.csv", newline="") as handle:
        labels = [CP_CODES[row["name"]] for row in csv.DictReader(handle) if row["kind"] == "country"]
    return tariffs, flows, thetas, labels


def baseline_tariffs(cp_dir: Path | str, countries: list[str], cp_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CP2015 2005 tariffs and thetas on ICIO economies and sectors (choices 8-12)."""
    tariffs, flows, thetas, labels = _cp_inputs(Path(cp_dir))
    index = {code: k for k, code in enumerate(labels)}
    cp_eu = [index[c] for c in EU27_2020 if c in index]
    row = index["ROW"]
    world_flows = flows.sum(axis=(0, 1))
    in_union = set(EU27_2020) | {"GBR"}

    def as_importer(code):
        return cp_eu if code in EU27_2020 else [index.get(code, row)]

    def as_exporter(code):
        if code in EU27_2020 and code not in index:
            return cp_eu
        return [index.get(code, row)]

    n, j = len(countries), cp_weights.shape[0]
    tariff = np.zeros((n, n, j))
    goods = cp_weights.sum(axis=1) > 0
    for a, importer in enumerate(countries):
        rows = as_importer(importer)
        for b, exporter in enumerate(countries):
            if a == b or (importer in in_union and exporter in in_union):
                continue
            cols = as_exporter(exporter)
            block_t = tariffs[np.ix_(rows, cols)].reshape(-1, 20)
            block_w = flows[np.ix_(rows, cols)].reshape(-1, 20)
            weight_sum = block_w.sum(axis=0)
            pair_t = np.where(weight_sum > 0, (block_t * block_w).sum(axis=0) / np.where(weight_sum > 0, weight_sum, 1),
                              block_t.mean(axis=0))
            pair_w = np.where(weight_sum > 0, weight_sum, world_flows)
            w = cp_weights * pair_w[None, :]  # (ICIO sector, CP sector)
            tariff[a, b, goods] = (w[goods] * pair_t).sum(axis=1) / w[goods].sum(axis=1)
    w = cp_weights * world_flows[None, :]
    theta = np.full(j, SERVICES_THETA)
    theta[goods] = (w[goods] * thetas).sum(axis=1) / w[goods].sum(axis=1)
    return tariff, theta


# Free-trade areas in force in 2022 applied at zero on goods (members present in the world). The EU27
# internal market and the EU-U.K. agreement are zero in baseline_tariffs already.
FREE_TRADE_AREAS = {
    "EU27 internal market": tuple(EU27_2020),
    "EU-UK Trade and Cooperation Agreement (2021)": ("GBR", *EU27_2020),
    "USMCA (2020; NAFTA before)": ("USA", "CAN", "MEX"),
}


def free_trade_areas(tariff: np.ndarray, countries: list[str]) -> np.ndarray:
    """Zero tariffs among the members of each area of :data:`FREE_TRADE_AREAS` (choice 15)."""
    tariff = tariff.copy()
    index = {code: k for k, code in enumerate(countries)}
    for members in FREE_TRADE_AREAS.values():
        present = [index[c] for c in members if c in index]
        tariff[np.ix_(present, present)] = 0.0
    return tariff


def tariffs_in_force(
    tariff: np.ndarray, countries: list[str], sectors: list[str], trade: np.ndarray, theta: np.ndarray
) -> np.ndarray:
    """``tariff`` plus the built-in library's layers in force on :data:`POLICY_DATE` (choice 16), folded
    with the library's icio2022 tables (the measures' HS lines on this world's sectors) line-consistently
    at the world's own trade elasticities ``theta``: in a sector where the layers cover some lines, the
    rate with the lines' price index, (1+t*)^(-theta) = sum w (1+t_line)^(-theta)."""
    from tradewar.policy.library import load_library

    probe = World.from_arrays(
        countries=countries, sectors=sectors, trade=trade, tariff=tariff, value_added_share=np.ones(trade.shape[1:]),
        input_share=np.zeros((len(countries), len(sectors), len(sectors))),
        final_demand_share=np.full(trade.shape[1:], 1.0 / len(sectors)), trade_elasticity=theta,
        require_equilibrium=False, name=f"icio{YEAR}",
        goods="|".join(ICIO_SECTORS[c][0] for c in ICIO_SECTORS if c[0] in GOODS_SECTIONS),
    )
    # The probe has no policy date, so the library's line cells apply; the world records
    # `policy_aggregate = "model"` and the timeline removes these layers the same way (Timeline._before_policy).
    return load_library().tariff_on(POLICY_DATE, probe, aggregate="model").values


# --------------------------------------------------------------------------- flows
def icio_flows(data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intermediate purchases (importer, exporter, sector), purchases (country, input, sector)
    and suppliers' final totals z (exporter, sector) from the node-level arrays."""
    n, j = len(data["countries"]), len(data["sectors"])
    x = data["A"] * (data["omb"] * data["go"])[None, :]
    x = x.reshape(j, n, j, n)  # input sector, exporter, using sector, importer
    intermediate = x.sum(axis=2).transpose(2, 1, 0)
    purchases = x.sum(axis=1).transpose(2, 0, 1)
    z = data["z"].reshape(j, n).T
    return intermediate, purchases, z


def wiod_prior(wiod_dir: Path | str, countries: list[str], wiod_index: np.ndarray) -> np.ndarray:
    """WIOD 2011 final/intermediate ratios (folded as ICIO is) on ICIO economies and sectors;
    NaN for pairs with an economy WIOD does not have."""
    folded = fd.fold_wiod(fd.read_wiod(wiod_dir, WIOD_YEAR))
    ratio = fd.ratios(folded)
    wiod_countries = [WIOD_TO_ISO.get(c, c) for c in folded.countries]
    position = np.array([wiod_countries.index(c) if c in wiod_countries else -1 for c in countries])
    prior = ratio[np.ix_(np.maximum(position, 0), np.maximum(position, 0), wiod_index)]
    missing = position < 0
    prior[missing, :, :] = np.nan
    prior[:, missing, :] = np.nan
    return prior


def us_margin_shift(shared: Path, countries: list[str], wiod_index: np.ndarray, prior: np.ndarray):
    """Log shifts of the U.S. final/intermediate ratio for partners without 2011 ratios (choice 5)."""
    hs6_to_wiod = Path(__file__).resolve().parents[2] / "src" / "tradewar" / "data" / "concordance" / "hs6_to_wiod.csv"
    table = enduse.read_us_enduse(shared / "tariffs" / "weights", hs6_to_wiod)
    validation = enduse.cross_validate(table, shared / "wiod2013")
    margins = enduse.log_margins(table, countries)  # (partner, WIOD goods industry)
    us = countries.index("USA")
    shift = np.zeros(prior.shape)
    goods = [s for s, w in enumerate(wiod_index) if w < len(enduse.GOODS)]
    new = np.isnan(prior[us]).all(axis=1)  # partners WIOD does not have
    for s in goods:
        shift[us, new, s] = validation["exponent"] * margins[new, wiod_index[s]]
    return shift, validation


def build_icio_world(
    shared: Path | str | None = None, *, damping: float = DAMPING, calibrate: bool = True, use_margins: bool = True
) -> World:
    """Derive the balanced ``icio2022`` world from ``shared`` (the folder of the reference data).

    Parameters
    ----------
    shared : path
        Folder holding ``icio2022/``, ``wiod2013/``, ``cp2015/`` and ``concordance/``.
    damping : float
        Weight of each pair's own 2011 ratio in the final-demand imputation.
    use_margins : bool
        Shift U.S. final/intermediate ratios for partners without 2011 ratios by their
        Census 2024 end-use margins (choice 5).
    calibrate : bool
        Fit final purchases to the published balances of ``PUBLISHED_BALANCES`` (choice 5);
        False leaves the imputation alone (used to measure what it gets right by itself).

    Returns
    -------
    World
        80 economies x 50 sectors, a model equilibrium, with provenance attributes.
    """
    shared = Path(shared) if shared is not None else default_shared()
    data = read_icio(shared / "icio2022")
    countries = [str(c) for c in data["countries"]]
    codes = [str(s) for s in data["sectors"]]
    if codes != list(ICIO_SECTORS):
        raise DataNotFoundError(
            f"ICIO sectors are in an unexpected order: {codes[:4]}...; expected {list(ICIO_SECTORS)[:4]}..."
        )
    cp_weights, wiod_index = sector_maps(shared / "concordance")
    intermediate, purchases, z = icio_flows(data)
    prior = wiod_prior(shared / "wiod2013", countries, wiod_index)
    shift, margins = us_margin_shift(shared, countries, wiod_index, prior) if use_margins else (None, None)
    final = fd.impute_final(intermediate, z, prior, damping, shift)
    if calibrate:
        value_added = (intermediate.sum(axis=0) + z).sum(axis=1) - purchases.sum(axis=(1, 2))
        targets = {countries.index(code): value_added[countries.index(code)] - balance
                   for code, (balance, _) in PUBLISHED_BALANCES.items()}
        final = fd.calibrate_absorption(final, z, targets)
    trade = intermediate + final

    output = trade.sum(axis=0)
    spent = purchases.sum(axis=1)
    scale = np.where(spent > output, output / np.where(spent > 0, spent, 1), 1.0)
    input_share = np.divide(purchases * scale[:, None, :], output[:, None, :], out=np.zeros_like(purchases),
                            where=output[:, None, :] > 0)
    value_added_share = np.clip(1.0 - input_share.sum(axis=1), 0.0, 1.0)

    tariff, theta = baseline_tariffs(shared / "cp2015", countries, cp_weights)
    sectors = [ICIO_SECTORS[c][0] for c in codes]
    tariff = free_trade_areas(tariff, countries)
    tariff = tariffs_in_force(tariff, countries, sectors, trade, theta)
    final_spending = (final * (1 + tariff)).sum(axis=1)
    final_demand_share = final_spending / final_spending.sum(axis=1, keepdims=True)

    raw = World.from_arrays(
        countries=countries, sectors=sectors, trade=trade, tariff=tariff, value_added_share=value_added_share,
        input_share=input_share, final_demand_share=final_demand_share, trade_elasticity=theta,
        require_equilibrium=False,
    )
    world = raw.balanced()
    world.data.attrs.update(
        name=f"icio{YEAR}",
        source=f"OECD Inter-Country Input-Output Database, 2025 release, year {YEAR} (final demand by destination "
               f"imputed)",
        year=YEAR,
        citation=CITATION,
        tariffs=(f"Caliendo & Parro (2015) applied tariffs of 2005 (MFN proxies, stale), free-trade areas at zero "
                 f"({', '.join(FREE_TRADE_AREAS)}), plus the library's measures in force on {POLICY_DATE} "
                 "(Section 301, China's retaliation and MFN changes, Section 232 on China), choices 11-16"),
        policy_date=POLICY_DATE,
        policy_aggregate="model",
        sector_codes=",".join(codes),
        goods="|".join(ICIO_SECTORS[c][0] for c in codes if c[0] in GOODS_SECTIONS),
        final_demand="imputed: WIOD 2011 final/intermediate ratios carried forward, damped (choice 4)",
    )
    return world


def backtest_markdown(wiod_dir: Path | str) -> str:
    """The WIOD backtest's scores as a Markdown section for the provenance note."""
    results = fd.backtest(wiod_dir)
    shared = Path(wiod_dir).parent
    hs6_to_wiod = Path(__file__).resolve().parents[2] / "src" / "tradewar" / "data" / "concordance" / "hs6_to_wiod.csv"
    validation = enduse.cross_validate(enduse.read_us_enduse(shared / "tariffs" / "weights", hs6_to_wiod), wiod_dir)
    lines = [
        "",
        "## Backtest of the final-demand imputation (WIOD, 2013 release)",
        "",
        "WIOD 2011 is folded as the ICIO file is (rest of the world dropped as supplier and buyer, its sales "
        "folded into suppliers' totals, purchases from it spread), its final demand by destination hidden and "
        f"imputed from 2008 (3-year gap) or 2000 (11-year gap, like 2011 -> 2022); {', '.join(fd.NEW_IN_BACKTEST)} "
        "are treated as new economies (no earlier ratios). Errors are trade-weighted over foreign flows by "
        "pair x sector: `final` and `trade` are sum |error| / sum of flows (final use only; intermediate plus "
        "final), `shares` is half the L1 distance between imputed and true supplier shares weighted by imports, "
        "`new` is `trade` over pairs with a new economy, `balance` is the mean absolute error of trade balances "
        "over their mean absolute value. Run: `python tools/worlds/icio_final_demand.py ../shared/data/wiod2013`; "
        "checked by tests/test_icio2022.py.",
        "",
        "| method | final | trade | shares | new | balance |",
        "|---|---|---|---|---|---|",
    ]
    for method, score in results.items():
        lines.append(
            f"| {method} | {score['final_wape']:.3f} | {score['trade_wape']:.3f} | "
            f"{score['import_share_error']:.3f} | {score['new_trade_wape']:.3f} | {score['balance_error']:.3f} |"
        )
    lines += [
        "",
        "U.S. end-use margins, 2-fold cross-validation (WAPE of U.S. final imports by partner x goods industry, "
        "WIOD 2011; `coarse` = the U.S. ratio over all partners, what a partner without earlier ratios gets):",
        "",
        "| fitted on | exponent | margins | coarse |",
        "|---|---|---|---|",
        *[f"| {', '.join(fold['fit_on'])} | {fold['exponent']:.2f} | {fold['margins']:.3f} | {fold['coarse']:.3f} |"
          for fold in validation["folds"]],
        "",
        f"Exponent used: {validation['exponent']:.2f} (mean of the folds).",
        "",
        f"Chosen: carry-forward with damping {DAMPING} (best on the 11-year gap for final flows, trade and import "
        "shares; undamped ratios win on the 3-year gap). Proportional sourcing errs on final flows by about as much "
        "as the flows themselves. Pairs with a new economy err about 1.6 times as much as all pairs. Not yet used: "
        "the end-use split of U.S. exports to China (only through 2021 in the reference data).",
        "",
    ]
    return "\n".join(lines)


# Held-out figures (not used by the build): U.S. Census Bureau, trade in goods with China, 2022 (USD mn),
# and the 2024 totals of the Census HS10 files in ../shared/data/tariffs/weights (a different year: a rough check).
CENSUS_2022_CHINA = {"imports": 536_754.0, "exports": 153_838.0}
CENSUS_2024_IMPORTS = {"VNM": 141_400.0, "MYS": 51_600.0, "THA": 63_300.0, "MEX": 503_400.0, "CHN": 429_400.0}


def held_out_markdown(world: World) -> str:
    """The world's U.S. goods trade beside Census figures the build does not use."""
    goods = world.goods

    def flow(importer, exporter):
        return float(world.trade.sel(importer=importer, exporter=exporter, sector=goods).sum())

    rows = [("U.S. goods imports from China, 2022", flow("USA", "CHN"), CENSUS_2022_CHINA["imports"]),
            ("U.S. goods exports to China, 2022", flow("CHN", "USA"), CENSUS_2022_CHINA["exports"])]
    rows += [(f"U.S. goods imports from {c} (world: 2022; Census: 2024)", flow("USA", c), v)
             for c, v in CENSUS_2024_IMPORTS.items()]
    lines = ["", "## Held-out checks (figures the build does not use)", "",
             "| flow | world (bn USD) | Census (bn USD) | gap |", "|---|---|---|---|"]
    lines += [f"| {label} | {ours / 1e3:,.1f} | {theirs / 1e3:,.1f} | {100 * (ours / theirs - 1):+.0f}% |"
              for label, ours, theirs in rows]
    lines += ["", "World flows are at basic prices, goods = ISIC sections A-C; Census imports are customs values. "
              "U.S. imports from Malaysia are far too low: ICIO 2022 records only 8.6 bn USD of U.S. intermediate "
              "purchases of Malaysian goods, and the imputation scales final sales from intermediate ones.", ""]
    return "\n".join(lines)


def write(world: World, target: Path | str | None = None, *, backtest: str = "", command: str = "") -> Path:
    """Save the world and its provenance note (choices, then the backtest's errors)."""
    target = Path(target) if target else embedded_path(world.name)
    save_world(world, target)
    note = write_provenance(world, target.with_suffix(".md"), choices=CHOICES,
                            command=command or "python -m tools.worlds.icio2022 --source ../shared/data",
                            script="tools/worlds/icio2022.py")
    note.write_text(note.read_text() + held_out_markdown(world) + backtest)
    return target


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", default=str(default_shared()), help="folder with icio2022/, wiod2013/, cp2015/, concordance/"
    )
    parser.add_argument(
        "--output", default=None, help="where to write the .npz (default: the package's embedded worlds)"
    )
    args = parser.parse_args()
    built = build_icio_world(args.source)
    path = write(built, args.output, backtest=backtest_markdown(Path(args.source) / "wiod2013"),
                 command=f"python -m tools.worlds.icio2022 --source {args.source}")
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.2f} MB); hash {built.hash}")
