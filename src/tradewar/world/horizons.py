"""The horizons a run can have, light enough for scenario checks (no pandas, no xarray).

The horizons themselves, and how each scales a trade-elasticity set, are described in
:mod:`tradewar.world.elasticities`; critical-product splits give their elasticities for each
(:mod:`tradewar.world.splits`).
"""

from __future__ import annotations

__all__ = ["HORIZONS", "HORIZON_YEARS"]

#: Years after a change each horizon stands for (None: converged, Boehm, Levchenko &
#: Pandalai-Nayar 2023's 7-10 years).
HORIZON_YEARS = {"short": 1, "medium": 5, "long": None}
HORIZONS = tuple(HORIZON_YEARS)
