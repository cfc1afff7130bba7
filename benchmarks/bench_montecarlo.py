"""Monte Carlo throughput on london-2025 (wiod2011, 41 x 35), one core (run by hand).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_montecarlo.py [--draws 60] [--rounds 3]
        [--against OTHER/src]

Each round is a fresh process per source tree (this checkout, and ``--against`` another),
alternating (interleaved). In it: the plan is prepared, a 4-draw run warms up, then
``--draws`` draws (lognormal, spread 0.25, seed 1) are solved serially; the rate is draws per
second of the process's CPU time over that run (central solve included). Prints each tree's
median (min-max), the per-round ratio, mean sweeps per draw and the world's hash.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"

CHILD = """
import json, sys, time
from tradewar.uncertainty import monte_carlo
from tradewar.uncertainty.plan import Plan
plan = Plan.from_scenario("london-2025")
monte_carlo(plan, draws=4, seed=1, executor="serial")
draws = int(sys.argv[1])
clock = time.process_time()
mc = monte_carlo(plan, draws=draws, seed=1, executor="serial")
cpu = time.process_time() - clock
print(json.dumps({"rate": draws / cpu, "sweeps": float(mc.values["iterations"].values.mean()),
                  "failed": int(mc.n_failed), "world": plan.world.name, "hash": plan.world.hash,
                  "shape": [len(plan.world.countries), len(plan.sectors)]}))
"""


def run(source: Path, draws: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(source), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(draws)], env=env, check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    trees = {"this": HERE, **({"against": args.against} if args.against else {})}
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, source in trees.items():
            results[name].append(run(source, args.draws))
    for name, rows in results.items():
        rates = [r["rate"] for r in rows]
        first = rows[0]
        sweeps = statistics.mean(r["sweeps"] for r in rows)
        print(f"{name}: {statistics.median(rates):.1f} solves/s per core ({min(rates):.1f}-{max(rates):.1f}); "
              f"{sweeps:.1f} sweeps per draw; failed {sum(r['failed'] for r in rows)}; "
              f"{first['world']} {first['shape'][0]} x {first['shape'][1]}, hash {first['hash']}")
    if args.against:
        ratios = [a["rate"] / b["rate"] for a, b in zip(results["this"], results["against"], strict=True)]
        print(f"this / against per round: {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}); "
              f"{args.rounds} interleaved rounds, {args.draws} draws each; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
