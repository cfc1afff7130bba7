"""Time the 2022 world from OECD ICIO (run by hand, not in the test suite).

    python benchmarks/bench_icio2022.py [--rounds 7] [--tiva]

BLAS is single-threaded (OMP/OPENBLAS/MKL_NUM_THREADS=1, set here before numpy loads).
The world is pinned by name and content hash. Each round runs, in turn, loading
``icio2022`` (80 x 50) from the package, a U.S.-China tariff counterfactual on the full
world (+25 points each way on all goods, fixed deficits), and the same on the compact x
broad aggregate (15 x 12); interleaving the steps spreads a busy shared machine's load
over all of them. Times are wall seconds and CPU seconds of this process
(``time.process_time``, which other processes inflate less); the table gives the median
and interquartile range over rounds. ``--tiva`` adds value added in trade (one dense
solve over 4000 nodes) to each round.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from tradewar import load_world, simulate  # noqa: E402
from tradewar.model.value_added import value_added_in_final_demand  # noqa: E402

WORLD_HASH = "9399e6a62b81a217"  # icio2022 as built at the commit that recorded benchmarks/RESULTS.md


def us_china(world, points: float = 0.25):
    tariff = world.tariff.copy()
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        tariff.loc[dict(importer=importer, exporter=exporter, sector=world.goods)] += points
    return tariff


def clocked(function):
    """Wall and CPU seconds of one call, and its value."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def summary(values: list[float]) -> str:
    if len(values) >= 4:
        q1, _, q3 = statistics.quantiles(values, n=4)
        return f"{statistics.median(values):.3f} s (IQR {q1:.3f}-{q3:.3f})"
    return f"{statistics.median(values):.3f} s (min {min(values):.3f})"


def contention() -> float:
    """Wall over CPU time of a pure-Python loop: about 1 on a quiet core, more when the machine is shared."""
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i
    return (time.perf_counter() - wall) / max(time.process_time() - cpu, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tiva", action="store_true", help="also time value added in trade")
    args = parser.parse_args()
    world = load_world("icio2022")  # the first call pays for imports
    if world.hash != WORLD_HASH:
        raise SystemExit(f"icio2022 has hash {world.hash}, the benchmark is pinned to {WORLD_HASH}: "
                         "update WORLD_HASH and say so in benchmarks/RESULTS.md")
    tariff = us_china(world)
    small = world.aggregate(regions="compact", sectors="broad")
    small_tariff = us_china(small)
    simulate(small, tariff=small_tariff)  # warm the solver's code paths once
    steps = {"load": lambda: load_world("icio2022"),
             "full": lambda: simulate(world, tariff=tariff),
             "compact": lambda: simulate(small, tariff=small_tariff)}
    if args.tiva:
        steps["tiva"] = lambda: value_added_in_final_demand(world)
    wall: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    last = {}
    ratios = []
    for _ in range(args.rounds):
        ratios.append(contention())
        for name, step in steps.items():
            w, c, last[name] = clocked(step)
            wall[name].append(w)
            cpu[name].append(c)
    full = last["full"]
    labels = {"load": "load icio2022 (80 x 50), validation included",
              "full": f"U.S.-China +25 pts, full 80 x 50 ({full.solver.iterations} sweeps, "
                      f"residual {full.solver.residual:.1e})",
              "compact": "same, compact x broad (15 x 12)",
              "tiva": "value added in trade (4000 nodes)"}
    print(f"platform: {platform.platform()}, python {platform.python_version()}, "
          f"{args.rounds} interleaved rounds, load average {os.getloadavg()[0]:.1f}, "
          f"wall/CPU of a pure-Python loop {statistics.median(ratios):.1f} (1 = a quiet core)")
    print("| step | wall: median (IQR) | CPU: median (IQR) |")
    print("|---|---|---|")
    for name in steps:
        print(f"| {labels[name]} | {summary(wall[name])} | {summary(cpu[name])} |")


if __name__ == "__main__":
    main()
