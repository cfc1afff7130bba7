"""gegravity's own experiment as whole processes: tradewar against gegravity (run by hand).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gravity_process.py [--repeat 7]

Each run is a fresh Python process that does the whole job a user would: import, read the
sample panel (``../shared/data/gegravity/sample_data_set.dlm``, or $TRADEWAR_SHARED_DATA),
build the baseline with the PPML cost coefficients of gegravity's README, add the Canada-Japan
PTA, solve, and print each country's factory-price change. The two tools alternate run by run
(interleaved), so a busy machine slows both alike; the ratio is taken per pair of runs and
reported as median (min-max). CPU time is user + system of the child process; wall time is
printed beside it. The printed results are compared (largest factory-price gap).

In-process timings (data frame in memory -> results) are in ``bench_peers.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(os.environ.get("TRADEWAR_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SAMPLE = SHARED / "gegravity" / "sample_data_set.dlm"
COEFFICIENTS = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
                "pta": 0.4711383, "international": -3.412584, "constant": 16.32434}

TRADEWAR = f"""
import pandas as pd
from tradewar.model.gravity import GravityModel
from tradewar.world.gravity_data import GravityPanel
frame = pd.read_csv({str(SAMPLE)!r}).assign(constant=1)
panel = GravityPanel.from_frame(frame, output="Y", expenditure="E")
model = GravityModel.from_panel(panel, {COEFFICIENTS!r}, sigma=5, reference_importer="DEU")
result = model.simulate(experiment=panel.with_values("pta", [("CAN", "JPN")], 1, both_ways=True))
for country, row in result.country_table().iterrows():
    print(country, repr(float(row["factory_price_pct"])))
"""

GEGRAVITY = f"""
import warnings
warnings.simplefilter("ignore")
import pandas as pd
import gegravity as ge
frame = pd.read_csv({str(SAMPLE)!r}).assign(constant=1)
baseline = ge.BaselineData(frame, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                           trade_var_name="trade", expend_var_name="E", output_var_name="Y")
estimates = pd.DataFrame([(k, v, 0.1) for k, v in {COEFFICIENTS!r}.items()], columns=["var", "beta", "stderr"])
costs = ge.CostCoeffs(estimates=estimates, identifier_col="var", coeff_col="beta", stderr_col="stderr")
model = ge.OneSectorGE(baseline=baseline, cost_coeff_values=costs, cost_variables={list(COEFFICIENTS)!r},
                       year="2006", reference_importer="DEU", sigma=5, quiet=True)
model.build_baseline(omr_rescale=1)
experiment = model.baseline_data.copy()
for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
    experiment.loc[(experiment["importer"] == a) & (experiment["exporter"] == b), "pta"] = 1
model.define_experiment(experiment)
model.simulate()
table = model.country_results
for country, value in table["factory gate price change (percent)"].items():
    print(country, repr(float(value)))
"""


def run_once(code: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one fresh process, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def _parse(text: str) -> dict[str, float]:
    return {line.split()[0]: float(line.split()[1]) for line in text.splitlines() if line.strip()}


def _cell(values: list[float], unit: str = " s") -> str:
    return f"{statistics.median(values):.2f}{unit} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not SAMPLE.is_file():
        raise SystemExit(f"no gegravity sample data at {SAMPLE} (set TRADEWAR_SHARED_DATA)")
    ours: dict[str, list[float]] = {"wall": [], "cpu": []}
    peer: dict[str, list[float]] = {"wall": [], "cpu": []}
    ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
    gap = 0.0
    run_once(TRADEWAR), run_once(GEGRAVITY)  # warm the file cache and the bytecode of both
    for _ in range(args.repeat):
        wall_a, cpu_a, out_a = run_once(TRADEWAR)
        wall_b, cpu_b, out_b = run_once(GEGRAVITY)
        ours["wall"].append(wall_a), ours["cpu"].append(cpu_a)
        peer["wall"].append(wall_b), peer["cpu"].append(cpu_b)
        ratios["wall"].append(wall_b / wall_a), ratios["cpu"].append(cpu_b / cpu_a)
        a, b = _parse(out_a), _parse(out_b)
        gap = max(gap, max(abs(a[c] - b[c]) for c in a))
    for kind in ("cpu", "wall"):
        print(f"{kind:4s} tradewar {_cell(ours[kind])}; gegravity {_cell(peer[kind])}; "
              f"gegravity / tradewar per pair {_cell(ratios[kind], 'x')}")
    print(f"{args.repeat} interleaved pairs; largest factory-price gap {gap:.1e} percentage points; "
          f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
