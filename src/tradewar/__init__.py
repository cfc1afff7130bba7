"""tradewar: trade wars and trade talks in general equilibrium, on real data."""

from tradewar.errors import (
    ConvergenceError,
    NoEquilibriumError,
    ShockError,
    TradewarError,
    WorldValidationError,
)
from tradewar.model.counterfactual import simulate
from tradewar.model.result import CounterfactualResult
from tradewar.model.solver import SolverOptions
from tradewar.policy import Scenario, Timeline
from tradewar.policy.library import load_library, load_scenario
from tradewar.simulation import ScenarioRun, run_scenario
from tradewar.world import World
from tradewar.world.library import load_world

__version__ = "0.1.0"

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
