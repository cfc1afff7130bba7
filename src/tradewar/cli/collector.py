"""The cyclic garbage collector in the ``tradewar`` process: one place for its policy.

Importing numpy, pandas, xarray and pydantic (every command) or jax and scipy.optimize (``war``,
``negotiate``) makes hundreds of thousands of long-lived objects, and the collector's automatic
passes walk them again and again while they load, then once more at exit. Three rules, applied
only in the ``tradewar`` process itself (:func:`started_as_command`; ``CliRunner``, notebooks and
library users keep their own setting):

- while the CLI's modules load, the collector is off (:func:`pause_while_loading`);
- a short command (:data:`SHORT_COMMANDS`, about a second) runs with it off, a long one with it
  on (:func:`collect_for`); everything alive is frozen just before exit (:func:`freeze_for_exit`),
  so Python's last full collection skips it (0.2-0.3 s);
- a long command's heavy stack is imported inside :func:`frozen_imports`.

``tradewar war`` and ``tradewar negotiate`` import jax, scipy.optimize, xarray and pandas:
about 380,000 objects the collector tracks, nearly all living as long as the process
(modules, functions, classes). While they load, the collector's automatic passes walk them
again and again (four full passes of about 70 ms in a ``war --sectors`` run, 0.4 s in all with
the younger ones, measured with ``gc.callbacks``), every later full pass walks them once more,
and so does the interpreter's last collection at exit. :func:`frozen_imports` pauses the
collector while the stack loads and then moves everything alive into the permanent generation
(:func:`gc.freeze`), which later passes skip; the collector stays on for the command's own
objects. The price: the cyclic garbage those imports leave is never reclaimed (about 1,200
objects for the war's stack, counted with ``gc.collect``), once per first import.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SHORT_COMMANDS", "collect_for", "freeze_for_exit", "frozen_imports", "is_short", "pause_while_loading",
           "started_as_command"]

# Commands that finish in about a second (``simulate`` without ``--draws``; any ``--help``): they
# leave little cyclic garbage (the same peak memory with the collector off).
SHORT_COMMANDS = ("simulate", "compare", "timeline", "scenarios")


def started_as_command() -> bool:
    """Whether this process is the ``tradewar`` command (its script, or ``python -m tradewar``)."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return started.name == "tradewar" or (started.name == "__main__.py" and started.parent.name == "tradewar")


def pause_while_loading() -> None:
    """Turn the collector off while the CLI's modules load, in the ``tradewar`` process only."""
    if started_as_command():
        gc.disable()


def is_short(argv: Sequence[str]) -> bool:
    """Whether the command line ``argv`` (without the program name) is a short command."""
    if not argv or "--help" in argv:
        return True
    if argv[0] not in SHORT_COMMANDS:
        return False
    return not any(arg == "--draws" or arg.startswith("--draws=") for arg in argv)  # Monte Carlo: long


def collect_for(argv: Sequence[str]) -> None:
    """Set the collector for the command ``argv``: off for a short one; back on for a long one
    in the ``tradewar`` process (an in-process caller's setting is left alone)."""
    if is_short(argv):
        gc.disable()
    elif started_as_command():
        gc.enable()


def freeze_for_exit() -> None:
    """Freeze everything alive, so that the interpreter's last full collection skips it."""
    gc.freeze()


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
