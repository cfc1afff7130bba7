"""Whole-process start-up times, this checkout beside another (run by hand, not in the test suite).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_startup.py [--against /work/main/src] [--repeat 7]
    python benchmarks/bench_startup.py --this-venv /tmp/core_new --against-venv /tmp/core_old --only simulate

Each command runs as a fresh process with PYTHONPATH set to one source tree; the two trees
alternate run by run (interleaved), so that a busy machine slows both alike. Prints the
median and the spread (min-max) of each, and their ratio of medians, for the wall time and
for the CPU time (user + system) of the process, which a shared machine disturbs less.
With ``--this-venv`` / ``--against-venv`` a side runs the ``python`` and ``tradewar`` of that
virtual environment (an installed tradewar, e.g. a core install without extras) instead; give
it a source tree too and PYTHONPATH puts that tree first. BLAS threads are set to one here.

Bytecode is written and used as an installed package's is (``PYTHONDONTWRITEBYTECODE`` is
dropped: with it set, every module of a source tree is compiled again in every process,
about 0.1 s). The results cache (:mod:`tradewar.disk_cache`) is a fresh folder filled by
the warm-up run (``--no-cache`` switches it off: the first run after a new world, library or
release).
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
    # The floor of `simulate --json`: the interpreter and the third-party modules it cannot run
    # without (the CLI, the measures' models, the World), loaded the way the command loads them
    # (collector passes off, objects frozen before exit: tradewar.cli._Command).
    "floor: typer rich pydantic numpy pandas xarray": [
        "python", "-c", "import gc; gc.disable(); import typer, rich.console, rich.table, rich.progress, pydantic, "
        "numpy, pandas, xarray; from pydantic import TypeAdapter, BaseModel; gc.freeze()"],
    "import tradewar": ["python", "-c", "import tradewar"],
    "tradewar --help": ["tradewar", "--help"],
    "tradewar scenarios": ["tradewar", "scenarios"],
    "tradewar simulate --json": ["tradewar", "simulate", "--json"],
    # the same scenario on the world whose tariffs are compiled from tariff lines (policy/lines.py)
    "tradewar simulate london-2025 --world wiod2011 --json": ["tradewar", "simulate", "london-2025", "--world",
                                                              "wiod2011", "--json"],
}
BLAS_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _executables(venv: Path | None) -> dict[str, str]:
    """``python`` and ``tradewar`` of a virtual environment, or of this process."""
    if venv is None:
        return {"python": sys.executable, "tradewar": TRADEWAR}
    return {"python": str(venv / "bin" / "python"), "tradewar": str(venv / "bin" / "tradewar")}


def run_once(command: list[str], source: Path | None, workdir: str, venv: Path | None = None,
             cache: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process (``cache``: ``TRADEWAR_CACHE`` for it, default a
    folder in ``workdir``)."""
    command = [_executables(venv).get(command[0], command[0]), *command[1:]]
    env = {**os.environ, **BLAS_ONE_THREAD, "TRADEWAR_CACHE": cache or str(Path(workdir) / "cache")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if source is not None:
        env["PYTHONPATH"] = str(source)
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
    parser.add_argument("--this", type=Path, default=None,
                        help="This side's source tree (default: this checkout's src/, or with --this-venv its "
                             "installed tradewar).")
    parser.add_argument("--this-venv", type=Path, default=None,
                        help="Run this side with that virtual environment's installed tradewar.")
    parser.add_argument("--against-venv", type=Path, default=None,
                        help="Run the other side with that virtual environment's installed tradewar.")
    parser.add_argument("--no-cache", action="store_true", help="Switch tradewar's results cache off.")
    args = parser.parse_args()
    cache = "off" if args.no_cache else None
    # side -> (source tree for PYTHONPATH or None, virtual environment or None)
    trees: dict[str, tuple[Path | None, Path | None]] = {
        "this": (args.this or (None if args.this_venv else HERE), args.this_venv)}
    if args.against or args.against_venv:
        trees["against"] = (args.against, args.against_venv)
    print(f"load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as workdir:  # simulate writes its report here
        for name, command in COMMANDS.items():
            if args.only and args.only not in name:
                continue
            wall = {tree: [] for tree in trees}
            cpu = {tree: [] for tree in trees}
            for source, venv in trees.values():  # warm the file cache and the bytecode once
                run_once(command, source, workdir, venv, cache)
            for _ in range(args.repeat):
                for tree, (source, venv) in trees.items():
                    seconds, cpu_seconds = run_once(command, source, workdir, venv, cache)
                    wall[tree].append(seconds)
                    cpu[tree].append(cpu_seconds)
            for label, table in (("wall", wall), ("cpu", cpu)):
                cells = [f"{tree}: {_cell(values)}" for tree, values in table.items()]
                if "against" in table:
                    ratio = statistics.median(table["against"]) / statistics.median(table["this"])
                    cells.append(f"ratio {ratio:.1f}x")
                print(f"{name:26s} {label:4s} " + "; ".join(cells), flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
