"""tradewar beside its peers and at scale (run by hand, not in the test suite).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_peers.py [--draws 200] [--repeat 5]

Side by side, as one Markdown table:

1. the CP2015 NAFTA counterfactual (``replicate_table2``, data from ../shared/data/cp2015);
2. a default-world counterfactual (WIOD 2011, 41 x 35, U.S.-China +25 points on goods);
3. gegravity's own example (Canada-Japan PTA on its sample data, sigma 5) solved by
   tradewar's one-sector gravity engine and by ``gegravity`` itself, the same steps
   (data frame in memory -> model -> baseline -> experiment -> results), and their ratio;
4. Monte Carlo throughput (solves per second) on the 13-region aggregate of the default
   world, 35 sectors, lognormal elasticity draws (spread 0.25): in this process, with one
   local worker process and with two.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from timing import timed

from tradewar import load_world, simulate
from tradewar.model.gravity import GravityModel
from tradewar.uncertainty import monte_carlo
from tradewar.world.gravity_data import GravityPanel

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SAMPLE = SHARED / "gegravity" / "sample_data_set.dlm"
COEFFICIENTS = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
                "pta": 0.4711383, "international": -3.412584, "constant": 16.32434}


def us_china(world, points: float = 0.25):
    tariff = world.tariff.copy()
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        tariff.loc[dict(importer=importer, exporter=exporter, sector=world.goods)] += points
    return tariff


def gravity_tradewar(frame: pd.DataFrame):
    panel = GravityPanel.from_frame(frame, output="Y", expenditure="E")
    model = GravityModel.from_panel(panel, COEFFICIENTS, sigma=5, reference_importer="DEU")
    return model.simulate(experiment=panel.with_values("pta", [("CAN", "JPN")], 1, both_ways=True))


def gravity_peer(frame: pd.DataFrame):
    import gegravity as ge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline = ge.BaselineData(frame.copy(), imp_var_name="importer", exp_var_name="exporter",
                                   year_var_name="year", trade_var_name="trade", expend_var_name="E",
                                   output_var_name="Y")
        estimates = pd.DataFrame([(k, v, 0.1) for k, v in COEFFICIENTS.items()], columns=["var", "beta", "stderr"])
        costs = ge.CostCoeffs(estimates=estimates, identifier_col="var", coeff_col="beta", stderr_col="stderr")
        model = ge.OneSectorGE(baseline=baseline, cost_coeff_values=costs, cost_variables=list(COEFFICIENTS),
                               year="2006", reference_importer="DEU", sigma=5, quiet=True)
        model.build_baseline(omr_rescale=1)
        experiment = model.baseline_data.copy()
        for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
            experiment.loc[(experiment["importer"] == a) & (experiment["exporter"] == b), "pta"] = 1
        model.define_experiment(experiment)
        model.simulate()
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    rows = []

    cp_dir = SHARED / "cp2015"
    if cp_dir.is_dir():
        from tradewar.replication.cp2015_nafta import replicate_table2

        median, best, replication = timed(lambda: replicate_table2(cp_dir), args.repeat)
        rows.append(("CP2015 NAFTA counterfactual, replicate_table2 (31 x 40, load + zero deficits + solve)",
                     f"{median * 1e3:.1f} ms", f"{best * 1e3:.1f} ms", ""))
    else:
        rows.append(("CP2015 NAFTA counterfactual", "skipped", "", f"no data at {cp_dir}"))

    world = load_world()
    tariff = us_china(world)
    median, best, result = timed(lambda: simulate(world, tariff=tariff), args.repeat)
    rows.append(("Default world (41 x 35), U.S.-China +25 points", f"{median * 1e3:.1f} ms", f"{best * 1e3:.1f} ms",
                 f"{result.solver.iterations} sweeps"))

    if SAMPLE.is_file():
        frame = pd.read_csv(SAMPLE).assign(constant=1)
        ours_median, ours_best, ours = timed(lambda: gravity_tradewar(frame), args.repeat)
        peer_median, peer_best, peer = timed(lambda: gravity_peer(frame), max(1, min(args.repeat, 3)))
        gap = np.max(np.abs(ours.data["factory_price"].values
                            - peer.factory_gate_prices.loc[ours.countries].iloc[:, 0].to_numpy()))
        rows.append(("gegravity example (30 countries, CAN-JPN PTA), tradewar", f"{ours_median * 1e3:.1f} ms",
                     f"{ours_best * 1e3:.1f} ms", f"solve {ours.solver.seconds * 1e3:.1f} ms"))
        rows.append(("gegravity example, gegravity 0.3 itself", f"{peer_median * 1e3:.1f} ms",
                     f"{peer_best * 1e3:.1f} ms", f"max factory-price gap {gap:.1e}"))
        rows.append(("gegravity / tradewar (median)", f"{peer_median / ours_median:.1f}x", "", "target >= 5x"))
    else:
        rows.append(("gegravity example", "skipped", "", f"no data at {SAMPLE}"))

    small = world.aggregate(regions="compact")
    small_tariff = us_china(small)
    rates = {}
    for label, executor in (("in this process", "serial"), ("1 worker process", 1), ("2 worker processes", 2)):
        mc = monte_carlo(small, tariff=small_tariff, draws=args.draws, spread=0.25, seed=1, executor=executor)
        workers = 2 if executor == 2 else 1
        rates[label] = mc.solves_per_second
        rows.append((f"Monte Carlo, 13 regions x 35, {args.draws} draws, {label}",
                     f"{mc.solves_per_second:.1f} solves/s", f"{mc.solves_per_second / workers:.1f} per core",
                     f"{mc.n_failed} failed; {mc.seconds:.1f} s incl. start-up"))
    rows.append(("Monte Carlo speed-up, 2 vs 1 worker processes",
                 f"{rates['2 worker processes'] / rates['1 worker process']:.2f}x", "", "target near 2x"))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; repeats {args.repeat}; {time.strftime('%Y-%m-%d')}")
    print()
    print("| what | median / rate | best / per core | note |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
