"""Loading a command's heavy stack without the cyclic garbage collector walking it.

``tradewar war`` and ``tradewar negotiate`` import jax, scipy.optimize, xarray and pandas:
about 380,000 objects the collector tracks, nearly all living as long as the process
(modules, functions, classes). While they load, the collector's automatic passes walk them
again and again (four full passes of about 70 ms in a ``war --sectors`` run, 0.4 s in all with
the younger ones, measured with ``gc.callbacks``), every later full pass walks them once more,
and so does the interpreter's last collection at exit. :func:`frozen_imports` pauses the
collector while the stack loads and then moves everything alive into the permanent generation
(:func:`gc.freeze`), which later passes skip; the collector stays on for the command's own
objects. The price: the cyclic garbage those imports leave is never reclaimed (about 1,200
objects for the war's stack, counted with ``gc.collect``), once per first import. (The
freeze just before the process exits, for every command, is the command entry's:
``tradewar.cli._Command``.)
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["frozen_imports"]


@contextmanager
def frozen_imports() -> Iterator[None]:
    """Run the block (a command's imports) with the collector paused, then freeze what is alive.

    Nothing is frozen when the block imported no new module (a process that has the stack
    already, e.g. the tests' CLI runner after the first command), so garbage is frozen only
    with a first import, not at every command. The collector's previous state is restored
    afterwards, so an in-process caller keeps its own setting.

    Yields
    ------
    None
    """
    was_enabled = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > modules:
            gc.freeze()
        if was_enabled:
            gc.enable()
