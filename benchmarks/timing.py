"""Shared timing helper for the benchmark scripts."""

from __future__ import annotations

import statistics
import time


def timed(function, repeat: int):
    """Median and best wall time of ``repeat`` calls, and the last value returned."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), value
