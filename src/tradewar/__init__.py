"""tradewar: trade wars and trade talks in general equilibrium, on real data.

The public names are loaded on first use (PEP 562), so that ``import tradewar`` and
the command line's ``--help`` stay fast: the model stack (xarray, pandas, scipy) is
imported only when a name that needs it is touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tradewar.errors import (
    ConvergenceError,
    NoEquilibriumError,
    ShockError,
    TradewarError,
    WorldValidationError,
)
from tradewar.lazy import lazy_names

__version__ = "0.1.0"

# Public name -> the module that defines it.
_LAZY = {
    "simulate": "tradewar.model.counterfactual",
    "CounterfactualResult": "tradewar.model.result",
    "SolverOptions": "tradewar.model.solver",
    "Scenario": "tradewar.policy",
    "Timeline": "tradewar.policy",
    "load_library": "tradewar.policy.library",
    "load_scenario": "tradewar.policy.library",
    "ScenarioRun": "tradewar.simulation",
    "run_scenario": "tradewar.simulation",
    "World": "tradewar.world",
    "load_world": "tradewar.world.library",
}

if TYPE_CHECKING:  # static checkers and IDEs see the eager imports
    from tradewar.model.counterfactual import simulate
    from tradewar.model.result import CounterfactualResult
    from tradewar.model.solver import SolverOptions
    from tradewar.policy import Scenario, Timeline
    from tradewar.policy.library import load_library, load_scenario
    from tradewar.simulation import ScenarioRun, run_scenario
    from tradewar.world import World
    from tradewar.world.library import load_world


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())


__all__ = [
    "ConvergenceError",
    "CounterfactualResult",
    "NoEquilibriumError",
    "Scenario",
    "ScenarioRun",
    "Timeline",
    "load_library",
    "load_scenario",
    "load_world",
    "run_scenario",
    "simulate",
    "ShockError",
    "SolverOptions",
    "TradewarError",
    "World",
    "WorldValidationError",
    "__version__",
]
