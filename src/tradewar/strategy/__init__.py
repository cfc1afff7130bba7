"""Strategy: governments' welfare as a function of their instruments, best responses,
the Nash tariff war, and the deals both sides would accept.

Welfare gradients come from the solver by implicit differentiation (JAX vector-Jacobian
products and one adjoint solve), never from finite differences.
"""

from tradewar.extras import require_extra

require_extra("strategy", "jax")  # before anything imports jax: say which extra to install

from tradewar.strategy.game import Instruments, TariffGame, tariff_instruments  # noqa: E402
from tradewar.strategy.war import BestResponse, WarResult, best_response, nash_war  # noqa: E402

__all__ = ["BestResponse", "Instruments", "TariffGame", "WarResult", "best_response", "nash_war",
           "tariff_instruments"]
