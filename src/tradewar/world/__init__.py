"""Baseline economies: the labelled dataset, its checks and the loaders of each source.

``World`` is loaded on first use (PEP 562), so that light modules of this package
(``tradewar.world.regions``) can be imported without xarray.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tradewar.world.world import World

__all__ = ["World"]


def __getattr__(name: str) -> Any:
    if name == "World":
        from tradewar.world.world import World

        return World
    raise AttributeError(f"module 'tradewar.world' has no attribute {name!r}")
