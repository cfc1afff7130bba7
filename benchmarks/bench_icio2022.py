"""Time the 2022 world from OECD ICIO (run by hand, not in the test suite).

    python benchmarks/bench_icio2022.py [--repeat 3]

Loading ``icio2022`` (80 x 50) from the package, a U.S.-China tariff counterfactual on
the full world (+25 points each way on all goods), the same on the compact x broad
aggregate (15 x 12), and value added in trade (one dense solve over 4000 nodes).
"""

from __future__ import annotations

import argparse
import platform

from timing import timed

from tradewar import load_world, simulate
from tradewar.model.value_added import value_added_in_final_demand


def us_china(world, points: float = 0.25):
    tariff = world.tariff.copy()
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        tariff.loc[dict(importer=importer, exporter=exporter, sector=world.goods)] += points
    return tariff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_world("icio2022")  # first call pays for imports
    load_median, load_best, world = timed(lambda: load_world("icio2022"), args.repeat)
    tariff = us_china(world)
    full_median, full_best, full = timed(lambda: simulate(world, tariff=tariff), args.repeat)
    small = world.aggregate(regions="compact", sectors="broad")
    small_tariff = us_china(small)
    small_median, small_best, _ = timed(lambda: simulate(small, tariff=small_tariff), args.repeat)
    tiva_median, tiva_best, _ = timed(lambda: value_added_in_final_demand(world), args.repeat)
    print(f"platform: {platform.platform()}, python {platform.python_version()}")
    print(f"load icio2022 (80 x 50):            median {load_median:.3f} s, best {load_best:.3f} s")
    print(f"U.S.-China +25 pts, full world:     median {full_median:.3f} s, best {full_best:.3f} s "
          f"(residual {full.solver.residual:.1e}, {full.solver.iterations} iterations)")
    print(f"same, compact x broad (15 x 12):    median {small_median:.3f} s, best {small_best:.3f} s")
    print(f"value added in trade (4000 nodes):  median {tiva_median:.3f} s, best {tiva_best:.3f} s")


if __name__ == "__main__":
    main()
