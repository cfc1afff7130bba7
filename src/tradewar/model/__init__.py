"""Equilibrium engines and their solver."""

from __future__ import annotations

from typing import Any

from tradewar.world.engine import register_engine


class _CaliendoParroOnFirstUse:
    """The engine worlds call to balance themselves (world <- model: the world layer does not
    import this one), loaded on its first call: ``tradewar.model.calibration`` brings xarray and
    the CP2015 engine, which the one-sector gravity model does not need. Importing the
    calibration module registers the engine itself, replacing this stand-in."""

    @staticmethod
    def _engine() -> Any:
        from tradewar.model import calibration

        return calibration.CaliendoParroEngine()

    def baseline(self, world: Any) -> Any:
        return self._engine().baseline(world)

    def balance(self, world: Any, options: Any = None) -> Any:
        return self._engine().balance(world, options)

    def without_deficits(self, world: Any, options: Any = None) -> Any:
        return self._engine().without_deficits(world, options)


register_engine(_CaliendoParroOnFirstUse())
