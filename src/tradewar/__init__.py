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
from tradewar.world import World
from tradewar.world.library import load_world

__version__ = "0.1.0"

__all__ = [
    "ConvergenceError",
    "CounterfactualResult",
    "NoEquilibriumError",
    "load_world",
    "simulate",
    "ShockError",
    "SolverOptions",
    "TradewarError",
    "World",
    "WorldValidationError",
    "__version__",
]
