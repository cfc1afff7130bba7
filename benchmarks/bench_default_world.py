"""Time the embedded default world (run by hand, not in the test suite).

    python benchmarks/bench_default_world.py [--repeat 10]

Loading the WIOD 2011 world (41 x 35) from the package, a U.S.-China tariff
counterfactual on it (+25 points each way on all goods), the same on the 13-region
aggregate, and peak resident memory.
"""

from __future__ import annotations

import argparse
import platform
import resource

import numpy as np
from timing import timed

from tradewar import load_world, simulate


def us_china(world, points: float = 0.25):
    tariff = world.tariff.copy()
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        tariff.loc[dict(importer=importer, exporter=exporter, sector=world.goods)] += points
    return tariff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    load_median, load_best, world = timed(load_world, args.repeat)
    tariff = us_china(world)
    full_median, full_best, full = timed(lambda: simulate(world, tariff=tariff), args.repeat)
    small = world.aggregate(regions="compact")
    small_tariff = us_china(small)
    small_median, small_best, aggregated = timed(lambda: simulate(small, tariff=small_tariff), args.repeat)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}; repeats "
        f"{args.repeat}"
    )
    print(
        f"load embedded wiod2011 (41 x 35)          median {load_median * 1e3:7.1f} ms   best {load_best * 1e3:7.1f} ms"
    )
    print(
        f"US-China +25 pts, full world              median {full_median * 1e3:7.1f} ms   best {full_best * 1e3:7.1f} ms"
        f"   ({full.solver.iterations} sweeps, residual {full.solver.residual:.1e})"
    )
    print(
        f"US-China +25 pts, 13 regions x 35         median {small_median * 1e3:7.1f} ms   best "
        f"{small_best * 1e3:7.1f} ms"
        f"   ({aggregated.solver.iterations} sweeps, residual {aggregated.solver.residual:.1e})"
    )
    print(f"peak resident memory                      {peak_mb:7.1f} MB")


if __name__ == "__main__":
    main()
