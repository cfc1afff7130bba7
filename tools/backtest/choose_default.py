"""Choose the default elasticity set, horizon and closure with the ``trade-war-2019`` backtest.

Runs the backtest (``tradewar.backtest.run_backtest``) for every set x horizon x closure and
writes ``src/tradewar/data/backtest/default_choice.csv``; the rule that picks the default
from it is :func:`tradewar.backtest.choose_default` (documented in ``default_choice.md``).
Needs no ``../shared`` (the observed series ship with the package). About 2 minutes.

Usage (from the repository root)::

    PYTHONPATH=src python tools/backtest/choose_default.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from tradewar.backtest import grid_row, run_backtest  # noqa: E402
from tradewar.policy.library import load_library  # noqa: E402
from tradewar.world.elasticities import ELASTICITY_SETS, HORIZONS  # noqa: E402
from tradewar.world.library import load_world  # noqa: E402

OUT = ROOT / "src" / "tradewar" / "data" / "backtest" / "default_choice.csv"


def main() -> None:
    world, timeline = load_world("wiod2011"), load_library()
    rows = []
    for name, horizon, revenue, deficits in itertools.product(
            ELASTICITY_SETS, HORIZONS, ("rebate", "deficit-reduction"), ("fixed", "zero")):
        result = run_backtest("trade-war-2019", name, horizon, world=world, timeline=timeline, revenue=revenue,
                              deficits=deficits)
        rows.append(grid_row(result))
        print(name, horizon, revenue, deficits, f"{rows[-1]['aggregate_predicted']:+.4f}", flush=True)
    pd.DataFrame(rows).to_csv(OUT, index=False, float_format="%.6f")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
