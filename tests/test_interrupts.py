"""Ctrl-C that lands in awkward places (issue 17's hardening, found flaky in session 5's loops of
tests/test_ctrl_c.py): inside a sweep's Parquet/DuckDB writes, and inside a destructor, where
Python swallows the KeyboardInterrupt. Each test sends a real SIGINT to this process; no data
needed, well under a second in all.
"""

from __future__ import annotations

import os
import signal

import pytest
import typer

from tradewar.cli.common import ProgressCount, stop_on_ctrl_c
from tradewar.uncertainty.sweep import _ctrl_c_after


def test_a_ctrl_c_during_a_run_s_write_waits_for_the_write_to_end():
    """The block runs to its end (the run is written whole), then the Ctrl-C is raised."""
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with _ctrl_c_after():
            os.kill(os.getpid(), signal.SIGINT)
            finished.append("after the signal")
    assert finished == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is restored


def test_no_ctrl_c_no_interrupt():
    with _ctrl_c_after():
        pass


class _SwallowsInDestructor:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)  # the KeyboardInterrupt raised here is "ignored" by Python


# Python reports the swallowed KeyboardInterrupt as an unraisable exception: that is the case tested.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_swallowed_by_a_destructor_still_stops_the_command():
    """Before: the command ran on to its end. Now the next progress update stops it, with the
    usual message and exit status 130."""
    count = ProgressCount()
    with pytest.raises(typer.Exit) as stopped:
        with stop_on_ctrl_c("sweep test", lambda: f"{count.done} of 3 runs are recorded"):
            count(1, 3)
            _SwallowsInDestructor()  # deleted at once: the signal arrives inside __del__
            count(2, 3)
            count(3, 3)
    assert stopped.value.exit_code == 130
    assert count.done == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
