"""Whole-process start-up times, this checkout beside another (run by hand, not in the test suite).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_startup.py [--against /work/main/src] [--repeat 7]

Each command runs as a fresh process with PYTHONPATH set to one source tree; the two trees
alternate run by run (interleaved), so that a busy machine slows both alike. Prints the
median and the spread (min-max) of each, and their ratio of medians, for the wall time and
for the CPU time (user + system) of the process, which a shared machine disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"
TRADEWAR = shutil.which("tradewar") or "tradewar"

COMMANDS = {
    "import tradewar": [sys.executable, "-c", "import tradewar"],
    "tradewar --help": [TRADEWAR, "--help"],
    "tradewar scenarios": [TRADEWAR, "scenarios"],
    "tradewar simulate --json": [TRADEWAR, "simulate", "--json"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], source: Path, workdir: str) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(command, env=env, cwd=workdir, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, default=None,
                        help="Another source tree (e.g. the last release's src/).")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", default=None, help="Run only the commands whose name contains this.")
    args = parser.parse_args()
    trees = {"this": HERE, **({"against": args.against} if args.against else {})}
    with tempfile.TemporaryDirectory() as workdir:  # simulate writes its report here
        for name, command in COMMANDS.items():
            if args.only and args.only not in name:
                continue
            wall = {tree: [] for tree in trees}
            cpu = {tree: [] for tree in trees}
            for source in trees.values():  # warm the file cache and the bytecode once
                run_once(command, source, workdir)
            for _ in range(args.repeat):
                for tree, source in trees.items():
                    seconds, cpu_seconds = run_once(command, source, workdir)
                    wall[tree].append(seconds)
                    cpu[tree].append(cpu_seconds)
            for label, table in (("wall", wall), ("cpu", cpu)):
                cells = [f"{tree}: {_cell(values)}" for tree, values in table.items()]
                if "against" in table:
                    ratio = statistics.median(table["against"]) / statistics.median(table["this"])
                    cells.append(f"ratio {ratio:.1f}x")
                print(f"{name:26s} {label:4s} " + "; ".join(cells), flush=True)


if __name__ == "__main__":
    main()
