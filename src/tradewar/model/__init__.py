"""Equilibrium engines and their solver."""

# Registers the engine that worlds call to balance themselves (world <- model: the world
# layer does not import this one).
from tradewar.model import calibration as _calibration  # noqa: F401
