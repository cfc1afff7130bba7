"""tradewar's equilibrium solve against a plain port of the published CP2015 algorithm
(run by hand, not in the test suite).

    python benchmarks/bench_engine.py [--rounds 15] [--previous ../old-checkout/src]

BLAS is single-threaded (OMP/OPENBLAS/MKL_NUM_THREADS=1, set here before numpy loads).
Each round solves every experiment once with tradewar (``solve_equilibrium``) and once
with the peer (``benchmarks/peers/cp2015_plain.py``; with ``--previous``, also with the
``solve_equilibrium`` of another tradewar source tree), alternately, on the same baseline
arrays. Times are CPU seconds of this process (``time.process_time``), which a busy
shared machine inflates less than wall time; the figures to quote are the per-round
ratios peer / tradewar, median and interquartile range. Worlds are pinned by name and
content hash:

1. CP2015 NAFTA: the ``cp2015`` world (31 x 40, 1993, ../shared/data/cp2015), its
   zero-deficit baseline, and the 2005 NAFTA tariffs (the counterfactual of
   ``replicate_table2``);
2. the default world, ``wiod2011`` (41 x 35, embedded): U.S.-China +25 points on all goods
   each way, fixed deficits;
3. a synthetic 80 x 50 world (random flows with home bias, seed 0, built here and
   balanced): +25 points between its first two countries. It stands in for the size of
   OECD ICIO (80 x 50) until that world is built; tradewar only (and ``--previous``),
   since the peer needs minutes per solve there.

The peer's wage step is the fastest of 0.1, 0.2, ..., 1.0 that converges on each
experiment (scanned once by hand): 0.5 for NAFTA (1.0 diverges), 0.3 for the default
world (0.5 diverges). Both solve to 1e-10 (the peer: excess labour demand relative to
value added; tradewar: the largest change of its state in a sweep); the table shows how
far their wages end apart.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
import cp2015_plain  # noqa: E402

from tradewar import load_world  # noqa: E402
from tradewar.model.caliendo_parro import solve_equilibrium  # noqa: E402
from tradewar.world import World  # noqa: E402

PEER_STEP = {"nafta": 0.5, "default": 0.3}  # experiments without a step are not run on the peer


def us_china(world, points: float = 0.25) -> np.ndarray:
    tariff = world.tariff.copy()
    for importer, exporter in (("USA", "CHN"), ("CHN", "USA")):
        tariff.loc[dict(importer=importer, exporter=exporter, sector=world.goods)] += points
    return tariff.values


def synthetic_world(n_countries: int = 80, n_sectors: int = 50, seed: int = 0) -> World:
    """Random flows with home bias, tariffs and input-output shares, balanced to an equilibrium."""
    rng = np.random.default_rng(seed)
    n, j = n_countries, n_sectors
    trade = rng.lognormal(0.0, 1.0, size=(n, n, j))
    trade = (trade + trade.transpose(1, 0, 2)) / 2 * rng.lognormal(0.0, 0.2, size=(n, n, j))
    trade *= (1 + 8 * np.eye(n)[:, :, None]) * 100
    tariff = rng.uniform(0.0, 0.15, size=(n, n, j))
    tariff[np.arange(n), np.arange(n), :] = 0.0
    beta = rng.uniform(0.3, 0.7, size=(n, j))
    gamma = rng.dirichlet(np.ones(j), size=(n, j)).transpose(0, 2, 1) * (1 - beta)[:, None, :]
    return World.from_arrays(
        countries=[f"C{k:02d}" for k in range(n)], sectors=[f"S{k:02d}" for k in range(j)], trade=trade,
        tariff=tariff, value_added_share=beta, input_share=gamma,
        final_demand_share=rng.dirichlet(np.ones(j), size=n), trade_elasticity=rng.uniform(2.0, 10.0, size=j),
        require_equilibrium=False, name=f"synthetic-{n}x{j}-seed{seed}",
    ).balanced()


def experiments():
    """(key, label, world, new tariffs) of every experiment whose data are present."""
    found = []
    try:
        from tradewar.replication.cp2015_nafta import nafta_tariffs
        from tradewar.world.cp2015 import load_cp2015, read_cp2015_tariffs

        zero = load_cp2015().without_deficits()
        found.append(("nafta", "CP2015 NAFTA, cp2015 zero-deficit baseline (31 x 40)", zero,
                      nafta_tariffs(zero, read_cp2015_tariffs(year=2005))))
    except Exception as missing:  # the CP2015 data live in ../shared/data
        print(f"CP2015 NAFTA skipped: {missing}")
    world = load_world("wiod2011")
    found.append(("default", "wiod2011 (41 x 35), U.S.-China +25 points on goods", world, us_china(world)))
    synthetic = synthetic_world()
    tariff = synthetic.tariff.values.copy()
    tariff[0, 1, :] += 0.25
    tariff[1, 0, :] += 0.25
    found.append(("synthetic", "synthetic 80 x 50 (seed 0), +25 points between C00 and C01", synthetic, tariff))
    return found


def previous_solver(source: Path):
    """``solve_equilibrium`` of another tradewar source tree, imported as ``tradewar_previous``."""
    target = Path(tempfile.mkdtemp()) / "tradewar_previous"
    shutil.copytree(source / "tradewar", target)
    for path in target.rglob("*.py"):
        text = path.read_text()
        path.write_text(re.sub(r"\btradewar(?=[. ])", "tradewar_previous", text))
    sys.path.insert(0, str(target.parent))
    return importlib.import_module("tradewar_previous.model.caliendo_parro").solve_equilibrium


def cpu_seconds(function):
    start = time.process_time()
    value = function()
    return time.process_time() - start, value


def quartiles(values):
    q1, median, q3 = statistics.quantiles(values, n=4)
    return median, q1, q3


def solvers_for(key: str, baseline, tariff: np.ndarray, deficit: np.ndarray, previous) -> dict:
    """The solvers to time on one experiment: tradewar, the plain port (where it converges) and a previous version."""
    ones = np.ones_like(tariff)
    solvers = {"tradewar": lambda: solve_equilibrium(baseline, tariff, ones, deficit)}
    if key in PEER_STEP:
        solvers["peer"] = lambda: cp2015_plain.solve(
            baseline.trade_shares, baseline.tariff, tariff, baseline.value_added_share, baseline.input_share,
            baseline.final_demand_share, baseline.trade_elasticity, baseline.value_added, baseline.expenditure,
            deficit, step=PEER_STEP[key])
    if previous is not None:
        solvers["previous"] = lambda: previous(baseline, tariff, ones, deficit)
    return solvers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--previous", type=Path, help="src/ directory of another tradewar version to time too")
    args = parser.parse_args()
    previous = previous_solver(args.previous) if args.previous else None

    rows = []
    for key, label, world, tariff in experiments():
        baseline = world.baseline()
        solvers = solvers_for(key, baseline, tariff, world.deficit.values, previous)
        times = {name: [] for name in solvers}
        results = {}
        for _ in range(args.rounds):
            for name, solve in solvers.items():
                seconds, results[name] = cpu_seconds(solve)
                times[name].append(seconds)
        ours = results["tradewar"]
        median, q1, q3 = quartiles(times["tradewar"])
        rows.append((f"{label}: tradewar", f"{median * 1e3:.1f} ms ({q1 * 1e3:.1f}-{q3 * 1e3:.1f})",
                     f"{ours.iterations} sweeps, residual {ours.residual:.1e}; world hash {world.hash}"))
        for name in solvers:
            if name == "tradewar":
                continue
            ratios = [theirs / mine for theirs, mine in zip(times[name], times["tradewar"], strict=True)]
            median_ratio, r1, r3 = quartiles(ratios)
            if name == "peer":
                gap = float(np.max(np.abs(np.log(results["peer"]["wage_hat"] / ours.wage_hat))))
                note = f"peer: {results['peer']['outer_iterations']} wage updates, max |log wage gap| {gap:.1e}"
            else:
                note = f"{results[name].iterations} sweeps"
            rows.append((f"{label}: {name} / tradewar", f"{median_ratio:.2f}x ({r1:.2f}-{r3:.2f})",
                         f"{name} {statistics.median(times[name]) * 1e3:.1f} ms; {note}"))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}; {args.rounds} rounds, "
          f"interleaved; load average at the end {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print("| what | median (IQR) | note |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
