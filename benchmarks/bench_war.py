"""Time ``tradewar war`` as a user runs it, against another checkout, warm compilation cache (run by hand).

    python benchmarks/bench_war.py --previous SRC [--rounds 5] [--runs sectors,uniform]

Each run is a fresh process (``python -m tradewar war USA CHN [--sectors] --json``), this
checkout's ``src`` and ``--previous``'s ``src`` (e.g. ``git archive 83561e2 | tar -x -C
/tmp/main``, then ``--previous /tmp/main/src``) interleaved round by round so that the
shared machine's load hits both alike. Each checkout has its own JAX cache directory
(``$TRADEWAR_JAX_CACHE``, under ``--cache``), warmed by one untimed run of each command
before the rounds: the figures are for a warm cache, the issue's condition. BLAS and
OpenMP are single-threaded. Reported: CPU seconds (user + system of the child: what the
process costs on a shared machine) and wall seconds, median and interquartile range, and
the largest difference between the two checkouts' Nash tariffs (percentage points) and
welfare changes (percent), with the world's content hash.
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

HERE = Path(__file__).resolve().parents[1] / "src"
RUNS = {"sectors": ["war", "USA", "CHN", "--sectors", "--json"], "uniform": ["war", "USA", "CHN", "--json"]}


def one(command: list[str], src: str, cache: Path) -> tuple[float, float, dict]:
    """CPU seconds, wall seconds and the JSON of one fresh process."""
    env = {**os.environ, "PYTHONPATH": src, "TRADEWAR_JAX_CACHE": str(cache), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tradewar", *command], capture_output=True, text=True, env=env,
                          check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, json.loads(done.stdout)


def _flat(tree: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}/"))
        else:
            out[prefix + key] = float(value)
    return out


def gaps(a: dict, b: dict) -> tuple[float, float]:
    """Largest difference of the Nash tariffs (points) and of the welfare changes (percent)."""
    ta, tb = _flat(a["tariffs"]), _flat(b["tariffs"])
    wa, wb = a["welfare_pct"], b["welfare_pct"]
    return max(abs(ta[k] - tb[k]) for k in ta), max(abs(wa[k] - wb[k]) for k in wa)


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return f"{statistics.median(values):.2f} ({q[0]:.2f}-{q[2]:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", required=True, help="the other checkout's src")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", default="sectors,uniform")
    parser.add_argument("--cache", default="/tmp/tradewar-bench-war", help="where the two JAX caches go")
    args = parser.parse_args()
    sources = {"this": str(HERE), "previous": args.previous}
    caches = {name: Path(args.cache) / name for name in sources}
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]

    sys.path.insert(0, str(HERE))
    from tradewar.world.library import load_world

    print(f"world wiod2011, content hash {load_world('wiod2011').hash} (aggregated to 'compact' by the command); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for run in runs:  # warm each cache (untimed)
        for name, src in sources.items():
            one(RUNS[run], src, caches[name])
    cpu = {(run, name): [] for run in runs for name in sources}
    wall = {(run, name): [] for run in runs for name in sources}
    for round_ in range(args.rounds):
        for run in runs:
            documents = {}
            for name, src in sources.items():
                seconds, elapsed, documents[name] = one(RUNS[run], src, caches[name])
                cpu[(run, name)].append(seconds)
                wall[(run, name)].append(elapsed)
                print(f"round {round_ + 1} {run:8s} {name:8s} CPU {seconds:5.2f} s wall {elapsed:5.2f} s "
                      f"rounds {len(documents[name]['rounds'])} solves {documents[name]['solves']}", flush=True)
            tariff_gap, welfare_gap = gaps(documents["this"], documents["previous"])
            print(f"  largest gap: Nash tariffs {tariff_gap:.2e} points, welfare {welfare_gap:.2e} percent", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    for run in runs:
        for name in sources:
            print(f"{run:8s} {name:8s} CPU {spread(cpu[(run, name)])} s, wall {spread(wall[(run, name)])} s")
        ratio = [p / t for p, t in zip(cpu[(run, 'previous')], cpu[(run, 'this')], strict=True)]
        print(f"{run:8s} previous / this, CPU per round: {spread(ratio)}")


if __name__ == "__main__":
    main()
