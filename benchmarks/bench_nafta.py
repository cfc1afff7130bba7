"""Time the CP2015 NAFTA counterfactual (run by hand, not in the test suite).

    python benchmarks/bench_nafta.py [--repeat 20]

Prints the median and best wall time of: loading and balancing the 1993 world,
the zero-deficit baseline, and the NAFTA tariff counterfactual itself, plus the
process's peak resident memory.
"""

from __future__ import annotations

import argparse
import platform
import resource

import numpy as np
from timing import timed

from tradewar.model.caliendo_parro import solve_equilibrium
from tradewar.replication.cp2015_nafta import nafta_tariffs
from tradewar.world.cp2015 import load_cp2015, read_cp2015_tariffs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    load_median, load_best, world = timed(load_cp2015, args.repeat)
    zero_median, zero_best, zero = timed(world.without_deficits, args.repeat)
    tariff = nafta_tariffs(zero, read_cp2015_tariffs(year=2005))
    baseline = zero.baseline()
    ones = np.ones_like(tariff)
    solve_median, solve_best, equilibrium = timed(
        lambda: solve_equilibrium(baseline, tariff, ones, zero.deficit.values), args.repeat
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, numpy "
        f"{np.__version__}"
    )
    print(f"repeats: {args.repeat}")
    print(f"load + balance CP2015 (31 x 40)     median {load_median * 1e3:7.1f} ms   best {load_best * 1e3:7.1f} ms")
    print(f"zero-deficit baseline               median {zero_median * 1e3:7.1f} ms   best {zero_best * 1e3:7.1f} ms")
    print(
        f"NAFTA counterfactual (solve)        median {solve_median * 1e3:7.1f} ms   best {solve_best * 1e3:7.1f} ms"
        f"   ({equilibrium.iterations} sweeps, residual {equilibrium.residual:.1e})"
    )
    print(f"peak resident memory                {peak_mb:7.1f} MB")


if __name__ == "__main__":
    main()
