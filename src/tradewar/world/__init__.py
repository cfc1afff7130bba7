"""Baseline economies: the labelled dataset, its checks and the loaders of each source."""

from tradewar.world.world import World

__all__ = ["World"]
