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
objects for the war's stack, counted with ``gc.collect``), once per first import. The same
freeze runs again at exit (:mod:`atexit`), so the interpreter's last collections skip the
command's own objects too: their memory goes back with the process (about 0.06 s of a warm
``war --sectors``, 14 interleaved pairs).
"""

from __future__ import annotations

import atexit
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
    with a first import, not at every command; a first import also has everything frozen
    again at exit (registered once). The collector's previous state is restored afterwards, so
    an in-process caller keeps its own setting.

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
            atexit.unregister(gc.freeze)  # once, however many first imports
            atexit.register(gc.freeze)
        if was_enabled:
            gc.enable()
