"""The literature harness: published studies' setups re-run with tradewar, side by side.

    python benchmarks/literature.py                 # print the table
    python benchmarks/literature.py --write         # also rewrite benchmarks/LITERATURE.md
    python benchmarks/literature.py --only cepii2025 kite2025

Run by hand, and by the ``nightly`` / ``slow`` pytest profile (tests/test_literature.py).
Each study lists its published figures, each with the place it is printed (page, table or
key-findings list), the tradewar setup chosen to match the study's as closely as the model
allows, tradewar's number for the same quantity, and the reasons the two differ. Nothing
here is tuned to a published figure: the setups are the shipped library's measures or the
study's stated tariff changes on a shipped world, with a named elasticity set and horizon.

Concepts. ``welfare_pct`` is the exact change in real income (equivalent variation as a share
of income); ``real_gdp_pct`` is double-deflated value added at baseline prices (GTAP's qgdp).
In this static one-factor model with labour fixed, real GDP moves only by allocative effects
(near zero), while CGE models with capital accumulation, unemployment or productivity effects
(MIRAGE, KITE's short run, the Budget Lab's GTAP runs) report larger GDP losses; welfare is the
closer concept for them, and both are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "LITERATURE.md"


def _shared() -> Path:
    """``$TRADEWAR_SHARED_DATA``, else the first ``shared/data`` above the repository (as the CP2015 loader looks)."""
    if os.environ.get("TRADEWAR_SHARED_DATA"):
        return Path(os.environ["TRADEWAR_SHARED_DATA"])
    for base in HERE.parents:
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return HERE.parent.parent / "shared" / "data"


SHARED = _shared()
OSSA_REGIONS = ("BRA", "CHN", "EU", "IND", "JPN", "ROW", "USA")  # the order of ossa2014/regions.csv


@dataclass
class Row:
    """One published figure beside tradewar's number for the same quantity."""

    quantity: str
    published: float | None
    unit: str
    source: str  # where the figure is printed
    tradewar: float | None = None


@dataclass
class Study:
    key: str
    citation: str
    setup: str  # the study's setup, in a sentence
    ours: str  # tradewar's setup
    reasons: str  # why the numbers differ
    run: Callable[[], dict[str, float]]  # tradewar's numbers, by quantity
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


# ----------------------------------------------------------------------------- helpers
def _scenario(name: str, world: str, day: date | None = None):
    from tradewar.policy.scenario import Scenario

    return Scenario(name=name, world=world, date=day)


def _run(scenario, *, library=None, **overrides):
    from tradewar.simulation import ScenarioOverrides, run_scenario

    return run_scenario(scenario, overrides=ScenarioOverrides(**overrides), library=library)


def _country(run, code: str, measure: str) -> float:
    return float(run.to_dict()["countries"][code][measure])


def _usd_bn(run, code: str) -> float:
    """The welfare change in billions of USD of the world's year (welfare_pct x baseline income)."""
    income = float(run.world.income.sel(country=code)) if "country" in run.world.income.dims else float(
        run.world.income.loc[code])
    return _country(run, code, "welfare_pct") / 100 * income / 1000


def _changes(pairs: list[tuple[str, str, float]]):
    from tradewar.policy.validation import TariffChange

    return tuple(TariffChange(importer=a, exporter=b, rate=rate) for a, b, rate in pairs)


def _gdp_and_welfare(run) -> dict[str, float]:
    return {"U.S. real GDP": _country(run, "USA", "real_gdp_pct"),
            "China real GDP": _country(run, "CHN", "real_gdp_pct"),
            "U.S. welfare (tradewar only)": _country(run, "USA", "welfare_pct"),
            "China welfare (tradewar only)": _country(run, "CHN", "welfare_pct")}


def _us_only_library():
    """The library's measures imposed by the United States (tariffs, exclusions and pauses of its own)."""
    from tradewar.policy.library import load_library
    from tradewar.policy.timeline import Timeline

    return Timeline([m for m in load_library().measures if getattr(m, "imposer", None) == "USA"])


# ----------------------------------------------------------------------------- studies
def _fgkk() -> dict[str, float]:
    run = _run(_scenario("fgkk-2018", "wiod2011", date(2018, 12, 31)), elasticities="fontagne2022", horizon="short")
    return {"U.S. aggregate real income": _country(run, "USA", "welfare_pct"),
            "U.S. imports": float(run.to_dict()["countries"]["USA"]["imports_pct"])}


def _arw() -> dict[str, float]:
    run = _run(_scenario("arw-2018", "wiod2011", date(2018, 12, 31)), library=_us_only_library(),
               elasticities="fontagne2022", horizon="short")
    return {"U.S. real income, U.S. tariffs only": _country(run, "USA", "welfare_pct"),
            "U.S. real income, U.S. tariffs only (USD bn a year, 2011 world)": _usd_bn(run, "USA")}


def _cepii() -> dict[str, float]:
    from tradewar.world.library import load_world

    world = load_world("icio2022")
    others = [c for c in world.countries if c not in ("USA", "CHN", "CAN", "MEX")]
    pairs = [("USA", "CHN", 0.60), ("CHN", "USA", 0.60)]
    pairs += [(p, q, 0.10) for c in others for p, q in (("USA", c), (c, "USA"))]
    run = _run(_scenario("cepii-2025", "icio2022"), tariffs=_changes(pairs), elasticities="fontagne2022",
               horizon="long")
    return _gdp_and_welfare(run)


def _kite() -> dict[str, float]:
    from tradewar.world.library import load_world

    world = load_world("icio2022")
    others = [c for c in world.countries if c not in ("USA", "CHN")]
    pairs = [("USA", "CHN", 1.45), ("CHN", "USA", 1.25)] + [("USA", c, 0.10) for c in others]
    run = _run(_scenario("kite-2025", "icio2022"), tariffs=_changes(pairs), elasticities="fontagne2022",
               horizon="short")
    return _gdp_and_welfare(run)


def _yale() -> dict[str, float]:
    run = _run(_scenario("yale-2025-05-12", "icio2022", date(2025, 5, 14)), against=date(2025, 1, 1),
               elasticities="fontagne2022", horizon="long")
    return {"U.S. real GDP, long run": _country(run, "USA", "real_gdp_pct"),
            "China real GDP, long run": _country(run, "CHN", "real_gdp_pct"),
            "U.S. welfare (tradewar only)": _country(run, "USA", "welfare_pct")}


def ossa_world(folder: Path | None = None):
    """Ossa (2014)'s 2007 data (7 regions x 33 traded industries) as a tradewar world.

    ``trade_ijs.csv`` / ``tariff_ijs.csv``: 231 rows = industry-major (33 industries x 7 exporters
    i), 7 columns = importers j; flows before tariffs, tariffs imposed by j. Value added is all of
    gross output (no input-output table in the files); final-demand shares are spending shares at
    buyer prices; the trade elasticity is sigma - 1 with sigma the first column of ``sigma_s.csv``
    (its mean, 3.42, equals the constant of the fifth column: the baseline estimates; columns 2-4
    are scaled-up variants). The 34th "all other sectors" has no data in the files and is left out.
    The raw data are not an exact equilibrium: balanced as CP2015's first step (World.balanced).
    """
    import numpy as np

    import tradewar.model  # noqa: F401 -- registers the equilibrium engine World.balanced uses
    from tradewar.world.world import World

    folder = SHARED / "ossa2014" if folder is None else folder
    if not (folder / "trade_ijs.csv").is_file():
        raise FileNotFoundError(f"Ossa (2014) data not found in {folder} (set TRADEWAR_SHARED_DATA)")
    labels = [line.strip().strip('"') for line in (folder / "labels.csv").read_text().splitlines() if line.strip()]
    n, s = len(OSSA_REGIONS), len(labels)
    flows = np.loadtxt(folder / "trade_ijs.csv", delimiter=",").reshape(s, n, n)  # [industry, exporter, importer]
    rates = np.loadtxt(folder / "tariff_ijs.csv", delimiter=",").reshape(s, n, n)
    sigma = np.loadtxt(folder / "sigma_s.csv", delimiter=",")[:, 0]
    trade, tariff = np.transpose(flows, (2, 1, 0)), np.transpose(rates, (2, 1, 0))  # [importer, exporter, industry]
    spending = (trade * (1 + tariff)).sum(axis=1)
    return World.from_arrays(
        countries=OSSA_REGIONS, sectors=labels, trade=trade, tariff=tariff, value_added_share=np.ones((n, s)),
        input_share=np.zeros((n, s, s)), final_demand_share=spending / spending.sum(axis=1, keepdims=True),
        trade_elasticity=sigma - 1, name="ossa2014", require_equilibrium=False).balanced()


def _ossa() -> dict[str, float]:
    import numpy as np

    from tradewar.strategy.game import TariffGame
    from tradewar.strategy.war import nash_war

    world = ossa_world()
    war = nash_war(TariffGame(world, deficits="zero"), list(OSSA_REGIONS), tol=1e-3)
    if not war.converged:
        raise RuntimeError("the Nash war did not converge")
    foreign = ~np.eye(len(OSSA_REGIONS), dtype=bool)
    welfare = 100 * (np.asarray(war.welfare_end) / np.asarray(war.welfare_start) - 1)
    return {"average Nash (trade war) tariff": 100 * float(war.tariff[foreign].mean()),
            "average welfare change, factual -> trade war": float(welfare.mean()),
            "average factual tariff": 100 * float(world.tariff.values[foreign].mean())}


def _cp2015() -> dict[str, float]:
    from tradewar.replication.cp2015_nafta import replicate_table2

    table = replicate_table2().to_frame()
    return {f"{code} welfare (eq. 28)": float(table.loc[code, "welfare_first_order_pct"])
            for code in ("MEX", "CAN", "USA")}


STUDIES = [
    Study(
        "fgkk2020",
        "Fajgelbaum, Goldberg, Kennedy & Khandelwal (2020), The Return to Protectionism, QJE 135(1), 1-55",
        "The 2018 U.S. import tariffs (Sections 201, 232, 301 lists 1-3) and partners' retaliation, short run, "
        "elasticities estimated on 2018 data; general equilibrium model of the U.S. economy.",
        "wiod2011 against the pre-war baseline, the library's measures in force on 2018-12-31 (both sides), "
        "fontagne2022 short horizon, rebate, fixed deficits.",
        "FGKK estimate complete pass-through and a U.S. import-demand elasticity near 2.5 on 2018 product data and "
        "hold foreign export supply nearly flat; tradewar's Ricardian world of 2011 lets Chinese prices fall "
        "(terms-of-trade gain offsets part of the loss) and its trade response comes from the elasticity set.",
        _fgkk,
        [Row("U.S. aggregate real income", -0.04, "% of GDP",
             "abstract (p. 1): -$7.2 billion, 0.04% of GDP (https://doi.org/10.1093/qje/qjz036; NBER w25638)"),
         Row("U.S. imports", None, "%", "no economy-wide figure compared (tradewar's, for scale)")],
    ),
    Study(
        "arw2019",
        "Amiti, Redding & Weinstein (2019), The Impact of the 2018 Tariffs on Prices and Welfare, JEP 33(4), 187-210",
        "U.S. tariffs of 2018 only, full pass-through, deadweight loss from import-demand triangles.",
        "wiod2011, only the U.S. measures of the library in force on 2018-12-31 (no retaliation), fontagne2022 short.",
        "ARW count the deadweight triangles with complete pass-through (no terms-of-trade gain); tradewar is general "
        "equilibrium, so part of the tariff falls on foreign exporters' prices and offsets the triangles; "
        "tradewar's USD are of its 2011 world, smaller than 2018's.",
        _arw,
        [Row("U.S. real income, U.S. tariffs only (USD bn a year, 2011 world)", -16.8, "USD bn a year",
             "abstract (p. 187): real income -$1.4 billion per month by the end of 2018, x 12 "
             "(https://doi.org/10.1257/jep.33.4.187); a figure of $8.2 bn a year was not found in the paper"),
         Row("U.S. real income, U.S. tariffs only", -0.08, "% of GDP",
             "the same $16.8 bn a year over 2018 U.S. GDP of about $20.5 trillion (BEA): derived here")],
    ),
    Study(
        "cepii2025",
        "Bouet, Sall & Zheng (2025), Towards a Trade War in 2025, CEPII Working Paper 2025-03 (MIRAGE-Power)",
        "Central scenario: +60 points on all U.S. imports from China, +10 points on all other partners except "
        "Canada and Mexico, reciprocal retaliation; results for 2030.",
        "icio2022 against its 2022 baseline, the stated tariff changes on every goods sector (U.S. and each partner "
        "reciprocally), fontagne2022 long horizon (MIRAGE uses Fontagne et al. 2022 elasticities).",
        "MIRAGE-Power is dynamic (capital accumulation to 2030) with imperfect competition, so GDP volumes fall; "
        "tradewar's static one-factor real GDP moves only through allocation (near zero) and its welfare is the "
        "comparable loss. MIRAGE's baseline is a 2030 projection, tradewar's the 2022 world.",
        _cepii,
        [Row("U.S. real GDP", -1.3, "%", "key points of the working-paper page: U.S. and China GDP losses of 1.3% "
             "each, 2030 (https://cepii.fr/CEPII/fr/publications/wp/abstract.asp?NoDoc=14398)"),
         Row("China real GDP", -1.3, "%", "key findings, as above"),
         Row("U.S. welfare (tradewar only)", None, "%", "-"),
         Row("China welfare (tradewar only)", None, "%", "-")],
    ),
    Study(
        "kite2025",
        "Kiel Institute (April 2025), US-China trade war: serious consequences, mostly for the USA (KITE model)",
        "145% U.S. tariffs on all Chinese imports, 125% Chinese counter-tariffs, +10% on almost all other U.S. "
        "imports; short run (within a year).",
        "icio2022 against its 2022 baseline, the stated tariff changes (the U.S. +10 points on every other economy), "
        "fontagne2022 short horizon.",
        "KITE's short run has sticky factor allocations and reports real output (GDP); tradewar's short horizon "
        "scales elasticities only (labour stays mobile; sector-specific labour is being added), so its real GDP "
        "barely moves while welfare carries the loss.",
        _kite,
        [Row("U.S. real GDP", -1.6, "%", "Kiel Institute news release: U.S. economic output -1.6% (https://www."
             "ifw-kiel.de/publications/news/us-china-trade-war-serious-consequences-mostly-for-the-usa)"),
         Row("China real GDP", -0.7, "%", "same release: China's output -0.7%"),
         Row("U.S. welfare (tradewar only)", None, "%", "-"),
         Row("China welfare (tradewar only)", None, "%", "-")],
    ),
    Study(
        "yale2025",
        "The Budget Lab at Yale (12 May 2025), State of U.S. Tariffs: May 12, 2025 (GTAP for the long run)",
        "All 2025 U.S. tariffs and foreign retaliation in force on 12 May 2025 (after Geneva), as if permanent; "
        "long-run level effects.",
        "icio2022, the library's measures in force on 2025-05-14 against those of 2025-01-01, fontagne2022 long.",
        "The Budget Lab's long run is GTAP with its standard closure (investment, capital, several factors); "
        "tradewar's long-run one-factor real GDP moves only through allocation.",
        _yale,
        [Row("U.S. real GDP, long run", -0.4, "%", "Key Takeaways, Real GDP Effects: persistently -0.4% smaller "
             "(https://budgetlab.yale.edu/research/state-us-tariffs-may-12-2025)"),
         Row("China real GDP, long run", None, "%", "the report's country table was not checked: no figure cited"),
         Row("U.S. welfare (tradewar only)", None, "%", "-")],
    ),
    Study(
        "ossa2014",
        "Ossa (2014), Trade Wars and Trade Talks with Data, AER 104(12), 4104-46",
        "7 regions (Brazil, China, EU, India, Japan, U.S., rest of world) x 33 industries, 2007; Nash tariffs by "
        "industry from iterated best responses in a model with Ricardian, Krugman and political-economy motives.",
        "Ossa's shared 2007 data as a tradewar world (benchmarks/literature.py: ossa_world), trade imbalances "
        "removed first (deficits zero: an assumption here), theta = sigma - 1; tradewar's Nash war among all 7 "
        "with one tariff per partner on all goods, from the factual tariffs.",
        "tradewar's engine is perfectly competitive (terms-of-trade motive only: no profit shifting, no "
        "political-economy weights, so 'government welfare' is real income here); its tariffs are uniform across "
        "industries (Ossa's vary by industry); the 34th 'all other sectors' is missing from the shared files, so "
        "welfare changes are shares of traded-goods income only (overstated).",
        _ossa,
        [Row("average Nash (trade war) tariff", 63.0, "%", "abstract (p. 4104): world trade war tariffs average 63 "
             "percent (https://doi.org/10.1257/aer.104.12.4104)"),
         Row("average welfare change, factual -> trade war", -2.9, "%", "abstract: government welfare losses from a "
             "breakdown of trade policy cooperation average 2.9 percent"),
         Row("average factual tariff", None, "%", "- (input, shown for scale)")],
    ),
    Study(
        "cp2015",
        "Caliendo & Parro (2015), Estimates of the Trade and Welfare Effects of NAFTA, REStud 82(1), 1-44",
        "NAFTA's tariff cuts, 1993 world, zero deficits.",
        "tradewar replicate cp2015 (the same data and model; also tests/test_cp2015_table2.py).",
        "Same model and data: differences are rounding.",
        _cp2015,
        [Row("MEX welfare (eq. 28)", 1.31, "%", "Table 2"), Row("CAN welfare (eq. 28)", -0.06, "%", "Table 2"),
         Row("USA welfare (eq. 28)", 0.08, "%", "Table 2")],
    ),
]


def run_studies(only: list[str] | None = None) -> list[Study]:
    """Run every study (or those named in ``only``); a failing study records its error."""
    chosen = [s for s in STUDIES if not only or s.key in only]
    unknown = sorted(set(only or ()) - {s.key for s in STUDIES})
    if unknown:
        raise SystemExit(f"Unknown studies {unknown}; known: {[s.key for s in STUDIES]}")
    for study in chosen:
        start = time.process_time()
        try:
            numbers = study.run()
        except Exception as error:  # noqa: BLE001 -- a study that cannot run is reported, the rest still run
            study.error = f"{type(error).__name__}: {error}"
        else:
            for row in study.rows:
                row.tradewar = numbers.get(row.quantity)
        study.seconds = time.process_time() - start
    return chosen


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def as_markdown(studies: list[Study]) -> str:
    lines = ["# Literature harness: published studies beside tradewar", "",
             "Generated by `python benchmarks/literature.py --write` (do not edit by hand). Each study's setup is "
             "re-run with tradewar as closely as the model allows; the reasons for the differences follow each "
             "table. `welfare` = exact real-income change; `real GDP` = double-deflated value added (GTAP's qgdp).",
             ""]
    for study in studies:
        lines += [f"## {study.key}: {study.citation}", "", f"- Study's setup: {study.setup}",
                  f"- tradewar's setup: {study.ours}", f"- Why they differ: {study.reasons}", ""]
        if study.error:
            lines += [f"**Could not run:** `{study.error}`", ""]
            continue
        lines += ["| quantity | unit | published | tradewar | where published |", "|---|---|---:|---:|---|"]
        for row in study.rows:
            lines.append(f"| {row.quantity} | {row.unit} | {_fmt(row.published)} | {_fmt(row.tradewar)} | "
                         f"{row.source} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="study keys to run (default: all)")
    parser.add_argument("--write", action="store_true", help=f"rewrite {RESULTS.name}")
    args = parser.parse_args(argv)
    studies = run_studies(args.only)
    text = as_markdown(studies)
    print(text)
    # Timings go to the terminal only: the results file stays the same from run to run.
    print("CPU seconds: " + ", ".join(f"{s.key} {s.seconds:.1f}" for s in studies))
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
    return 1 if any(s.error for s in studies) else 0


if __name__ == "__main__":
    sys.exit(main())
