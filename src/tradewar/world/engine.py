"""The equilibrium engine a world calls to make itself a model equilibrium.

Layers flow one way (world <- model): the world does not import the model. It states
here what it needs from an engine (:class:`EquilibriumEngine`) and the model layer
registers its engine when it is imported (``tradewar.model``, which ``import
tradewar`` always loads), so that :meth:`World.balanced`, :meth:`World.without_deficits`
and :meth:`World.baseline` keep working without a dependency running backwards.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tradewar.world.world import World

__all__ = ["EquilibriumEngine", "engine", "register_engine"]


class EquilibriumEngine(Protocol):
    """What a world needs from the equilibrium engine."""

    def baseline(self, world: World) -> Any:
        """The arrays the engine works on.

        Parameters
        ----------
        world : World
            The world.

        Returns
        -------
        Any
            The engine's baseline (:class:`tradewar.model.caliendo_parro.Baseline` for the
            Caliendo-Parro engine).
        """

    def balance(self, world: World, options: Any = None) -> World:
        """Raw data made a model equilibrium (no shock; deficits kept).

        Parameters
        ----------
        world : World
            The raw world.
        options : Any, optional
            The engine's solver settings.

        Returns
        -------
        World
            The balanced world.
        """

    def without_deficits(self, world: World, options: Any = None) -> World:
        """The equilibrium with every trade deficit set to zero.

        Parameters
        ----------
        world : World
            The world.
        options : Any, optional
            The engine's solver settings.

        Returns
        -------
        World
            The balanced-trade equilibrium.
        """


_ENGINE: EquilibriumEngine | None = None


def register_engine(engine: EquilibriumEngine) -> None:
    """Make ``engine`` the one worlds call (done by ``tradewar.model`` on import).

    Parameters
    ----------
    engine : EquilibriumEngine
        The engine.
    """
    global _ENGINE
    _ENGINE = engine


def engine() -> EquilibriumEngine:
    """The registered engine.

    Returns
    -------
    EquilibriumEngine
        The engine :func:`register_engine` was last given; when none was, the default one,
        which importing :mod:`tradewar.model` registers.

    Raises
    ------
    RuntimeError
        If no engine is registered even after loading the default one.
    """
    if _ENGINE is None:
        # tradewar.world used on its own (a builder, a script): load the default engine by name.
        # `import tradewar` is lazy and need not have loaded the model layer, and the world
        # layer has no import of it (layers flow one way); importing it registers it.
        importlib.import_module("tradewar.model")
    if _ENGINE is None:
        raise RuntimeError("No equilibrium engine is registered: import tradewar.model (or register one).")
    return _ENGINE
