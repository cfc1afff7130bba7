"""Time ``tradewar negotiate`` the way a user runs it, and check each answer (run by hand).

    python benchmarks/bench_negotiate.py [--rounds 3] [--world icio2022 --world wiod2011] [--src PATH]

The four runs of issue 15's "done when" (``USA CHN`` and ``CHN USA``, ``--threat war`` and
``--threat status-quo``, the compact world, default cards), each a fresh process as a user
starts it, interleaved round by round so that a change in the machine's load hits all four
alike. Reported per run: CPU seconds (user + system of the child process, which is what
the < 30 s target is about on a shared machine; wall time is printed beside it) and checks
of the answer: the bargain exists, both parties prefer it to the threat point, no frontier
point gives both more (it is on the frontier), and its labels name the parties in the
order given. ``--world`` runs the four on another world (repeatable: every world's runs are interleaved in
each round; default: the scenario's). ``--src`` times another checkout's ``src`` (e.g. main's)
instead.

The JAX compilation cache is the user's (``~/.cache/tradewar/jax``): the first run of a fresh
machine compiles, the rest load; run once before timing to time the warm case.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = [("USA", "CHN", "war"), ("CHN", "USA", "war"), ("USA", "CHN", "status-quo"), ("CHN", "USA", "status-quo")]


def check(document: dict, a: str, b: str) -> list[str]:
    """Problems with one answer (empty: all checks pass)."""
    problems = []
    bargain, threat = document["bargain"], document["threat_welfare_pct"]
    if not bargain["feasible"]:
        problems.append("no bargain")
    if not all(bargain["welfare_pct"][p] > threat[p] for p in (a, b)):
        problems.append("a party prefers the threat point")
    for point in document["frontier"]:
        if all(point["welfare_pct"][p] > bargain["welfare_pct"][p] + 1e-6 for p in (a, b)):
            problems.append(f"frontier point (weight {point['weight']}) gives both more")
    if list(bargain["welfare_pct"]) != [a, b] or list(bargain["policy"])[:2] != [f"{a} on {b}", f"{b} on {a}"]:
        problems.append(f"labels not in the order given: {list(bargain['policy'])[:2]}")
    return problems


def one(a: str, b: str, threat: str, env: dict, world: str | None = None) -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from tradewar.cli import app; app()", "negotiate", a, b, "--threat",
                           threat, "--json", *(["--world", world] if world else [])],
                          capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--world", action="append", help="World (repeatable; default: the scenario's).")
    parser.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"))
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": args.src}
    runs = [(world, *run) for world in (args.world or [None]) for run in RUNS]
    cpu: dict[tuple, list[float]] = {run: [] for run in runs}
    walls: dict[tuple, list[float]] = {run: [] for run in runs}
    for round_ in range(args.rounds):
        for world, a, b, threat in runs:
            seconds, wall, document = one(a, b, threat, env, world)
            cpu[(world, a, b, threat)].append(seconds)
            walls[(world, a, b, threat)].append(wall)
            problems = check(document, a, b)
            print(f"round {round_ + 1}  {document['world']:9s} negotiate {a} {b} --threat {threat:10s}  CPU "
                  f"{seconds:6.1f} s  wall {wall:6.1f} s  load {os.getloadavg()[0]:5.1f}  bargain "
                  f"{document['bargain']['welfare_pct']}  {problems or 'OK'}", flush=True)
    print("median seconds (CPU; wall), runs in order:")
    for (world, a, b, threat), values in cpu.items():
        wall = walls[(world, a, b, threat)]
        print(f"  {world or 'default':9s} negotiate {a} {b} --threat {threat:10s} CPU {statistics.median(values):5.1f} "
              f"({min(values):.1f}-{max(values):.1f}); wall {statistics.median(wall):5.1f} ({min(wall):.1f}-"
              f"{max(wall):.1f})  runs: {', '.join(f'{v:.1f}' for v in values)}")


if __name__ == "__main__":
    main()
