"""tradewar: trade wars and trade talks in general equilibrium, on real data."""

from tradewar.errors import ConvergenceError, ShockError, TradewarError, WorldValidationError
from tradewar.model.solver import SolverOptions
from tradewar.world import World

__version__ = "0.1.0"

__all__ = [
    "ConvergenceError",
    "ShockError",
    "SolverOptions",
    "TradewarError",
    "World",
    "WorldValidationError",
    "__version__",
]
