"""Runs in the background: a pool of worker processes solves them, requests poll their progress.

A run is ``queued``, then ``running`` (loading the world and the measures, solving:
the solver reports each sweep and its residual, then writing the outputs), then
``done``, ``failed`` or ``cancelled``. Everything about a run lives in the
:class:`~tradewar.web.store.RunStore` (one SQLite file): the server writes the
request, the worker writes progress and, once done, the result document, the
charts and the CSV tables, each computed once. A request for a status or a result
only reads that file, so it never waits for a solve (worker processes, not threads:
a solve holds no lock the server needs), and memory a run needed goes back to the
system with its worker (the pool is replaced, once idle, after ``TASKS_PER_POOL`` runs;
``max_tasks_per_child`` would do it per worker, but on Python 3.11 it can leave the pool
hung with no workers, as a load test here showed).

At most ``max_pending`` runs may be queued or running; one more gets 429 with a
``Retry-After`` estimate. Cancelling a queued run drops it; a running one stops at
the solver's next sweep (its progress callback raises).
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import threading
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from tradewar.errors import TradewarError
from tradewar.uncertainty.executors import stop_pool
from tradewar.web.store import MAX_BLOB_BYTES, RunRecord, RunStore, pack

__all__ = ["RUN_DATES", "QueueFull", "RunCancelled", "RunManager", "default_workers", "status_document"]

log = logging.getLogger("tradewar.web")

TOLERANCE = 1e-10  # the solver's default tolerance: where the progress bar ends
PROGRESS_EVERY_S = 0.2  # how often a worker writes progress (and looks for a cancellation)
TASKS_PER_POOL = 50  # runs the pool solves before it is replaced, once idle (its workers' memory released)
RUN_DATES = (date(1950, 1, 1), date(2100, 12, 31))
"""Days a run may be read on or measured against. Not a judgement of which days make sense (the
request's validation does that) but a bound on the work: the run's charts draw every day from 2018
to its date, so a run on 9999-12-31 would take seconds and hundreds of MB for nothing."""


def default_workers() -> int:
    """Worker processes: the machine's cores minus one (for the server), at least one.

    Returns
    -------
    int
        The number.
    """
    return max(1, (os.cpu_count() or 2) - 1)


class RunCancelled(Exception):
    """Raised from the solver's progress callback when the run has been cancelled."""


class QueueFull(Exception):
    """As many runs are queued or running as the server takes; ``retry_after``: seconds to wait.

    Parameters
    ----------
    message : str
        What happened.
    retry_after : int
        Seconds to wait.
    """

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


# ---------------------------------------------------------------------- the worker's side
class _Progress:
    """The solver's ``on_iteration`` callback in a worker: writes the sweep, the residual and a
    completion fraction to the store now and then, and stops the solve when the run is cancelled.

    The fraction is the share of the way, on a log scale, from the first residual to the
    tolerance; the residual of an accelerated solver can rise for a while, so the fraction shown
    is the largest so far: a progress bar never goes back.
    """

    def __init__(self, store: RunStore, run_id: str):
        self.store, self.run_id = store, run_id
        self.first: float | None = None
        self.fraction = 0.1
        self.written = -math.inf

    def __call__(self, iteration: int, residual: float) -> None:
        residual = float(residual)
        finite = math.isfinite(residual)
        if self.first is None and finite and residual > 0:
            self.first = residual
        if self.first is not None and finite:
            start = math.log10(max(self.first, TOLERANCE * 10))
            done = (start - math.log10(max(residual, TOLERANCE))) / (start - math.log10(TOLERANCE))
            self.fraction = max(self.fraction, round(0.1 + 0.85 * min(max(done, 0.0), 1.0), 3))
        now = time.monotonic()
        if now - self.written >= PROGRESS_EVERY_S:
            self.written = now
            if self.store.progress(self.run_id, iteration, residual if finite else None, self.fraction):
                raise RunCancelled(self.run_id)


def _outputs(result, prepared) -> dict[str, bytes]:
    """The run's result document, charts and tables, gzipped; each at most ``MAX_BLOB_BYTES``."""
    from tradewar.web.service import csv_text, figures_json, run_document

    texts = {"result": json.dumps(run_document(result, prepared), allow_nan=False),
             "charts": figures_json(result)}
    for level in ("country", "sector", "bilateral"):
        texts[f"csv_{level}"] = csv_text(result, level)
    outputs = {}
    for name, text in texts.items():
        outputs[name] = pack(text)
        if len(outputs[name]) > MAX_BLOB_BYTES:
            raise TradewarError(f"the run's {name.replace('_', ' ')} would take {len(outputs[name]) / 2**20:.0f} MB "
                                f"compressed, over the server's limit of {MAX_BLOB_BYTES // 2**20} MB")
    return outputs


def _work(store_path: str, run_id: str, request: dict, keep: int) -> None:
    """Solve one run in a worker process and record what happened (never raises); as it finishes,
    only the ``keep`` most recent finished runs keep their outputs (one transaction)."""
    store = RunStore(store_path)
    if not store.start(run_id):
        return  # cancelled while queued
    progress = _Progress(store, run_id)
    try:
        from tradewar.web.models import RunRequest
        from tradewar.web.service import WebError, execute, prepare_run

        try:
            prepared = prepare_run(RunRequest.model_validate_json(json.dumps(request)))
        except WebError as error:  # checked when submitted; only a changed server could get here
            raise TradewarError(error.detail) from None
        result = execute(prepared, on_iteration=progress)
        solver = getattr(result.result, "solver", None)
        store.stage(run_id, "writing", 0.95)
        outputs = _outputs(result, prepared)
        record = store.get(run_id)
        if record is not None and record.cancel:
            raise RunCancelled(run_id)
        store.finish(run_id, "done", outputs=outputs, iterations=getattr(solver, "iterations", None),
                     residual=_finite(getattr(solver, "residual", None)), keep=keep)
    except RunCancelled:
        store.finish(run_id, "cancelled", error="cancelled while it was running", keep=keep)
    except TradewarError as error:
        store.finish(run_id, "failed", error=str(error), residual=_finite(getattr(error, "residual", None)), keep=keep)
    except Exception as error:  # noqa: BLE001 - a run must never take its worker down silently
        log.exception("run %s failed", run_id)
        store.finish(run_id, "failed", error=f"internal error ({type(error).__name__}: {error})", keep=keep)


def _finite(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _warm_up() -> None:
    """Each worker imports the model once, before its first run."""
    import tradewar.simulation  # noqa: F401
    import tradewar.web.service  # noqa: F401


# ---------------------------------------------------------------------- the server's side
def status_document(record: RunRecord) -> dict:
    """What ``GET /api/runs/{id}`` answers.

    Parameters
    ----------
    record : RunRecord
        The run's record.

    Returns
    -------
    dict
        ``id``, ``status``, ``label``, ``elapsed_s``, ``progress``, ``error`` and ``links``.
    """
    base = f"/api/runs/{record.id}"
    links = {"self": base}
    if record.status == "done" and not record.expired:
        links.update({"result": f"{base}/result", "charts": f"{base}/charts",
                      **{f"csv_{level}": f"{base}/csv/{level}" for level in ("country", "sector", "bilateral")}})
    residual = record.residual if record.residual is None or math.isfinite(record.residual) else None
    return {
        "id": record.id,
        "status": record.status,
        "label": record.label,
        "elapsed_s": round(max(0.0, (record.finished or time.time()) - record.created), 3),
        "progress": {"stage": record.stage, "iterations": record.iterations, "residual": residual,
                     "fraction": 1.0 if record.status == "done" else round(record.fraction, 3)},
        "error": record.error,
        "links": links,
    }


class RunManager:
    """Queues runs for a pool of worker processes and answers for them from the store.

    Parameters
    ----------
    store : RunStore
        The runs' file (unfinished runs of a stopped server are marked interrupted).
    workers : int, optional
        Worker processes (default: :func:`default_workers`).
    keep : int, default 32
        Finished runs whose outputs are kept.
    max_pending : int, default 100
        Runs queued or running at most.
    """

    def __init__(self, store: RunStore, workers: int | None = None, keep: int = 32, max_pending: int = 100):
        self.store = store
        self.workers = workers or default_workers()
        self.keep = keep
        self.max_pending = max_pending
        self.interrupted = store.interrupt_unfinished()  # left by a server that stopped
        store.expire_old(keep)
        self._lock = threading.Lock()
        self._futures: dict[str, Future] = {}
        self._seconds = 5.0  # a running mean of how long a run takes, for Retry-After
        self._pool: ProcessPoolExecutor | None = None
        self._tasks = 0  # runs given to the current pool
        self._closing = False

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn: the server has threads (and jax), which a fork would copy mid-flight.
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_warm_up)
            self._tasks = 0
        return self._pool

    @staticmethod
    def check_dates(*days) -> None:
        """The runs layer's own bound on the work a run may ask for (see ``RUN_DATES``).

        Parameters
        ----------
        *days : datetime.date or None
            Days a run names (None ignored).

        Raises
        ------
        tradewar.web.service.WebError
            (422) If a day is outside the span.
        """
        from tradewar.web.service import WebError

        first, last = RUN_DATES
        for day in days:
            if isinstance(day, date) and not first <= day <= last:
                raise WebError(422, f"the day {day.isoformat()} is outside the days this server solves "
                                    f"({first.isoformat()} to {last.isoformat()})")

    def retry_after(self) -> int:
        """Seconds until a queue slot is likely to be free.

        Returns
        -------
        int
            At least 1.
        """
        return max(1, math.ceil(self._seconds * max(1, self.max_pending // 10) / self.workers))

    def submit(self, prepared, request: dict) -> RunRecord:
        """Queue a checked request (``prepared``: :func:`tradewar.web.service.prepare_run`'s answer,
        ``request``: the request's JSON, solved again from scratch by the worker); raises
        :class:`QueueFull` when ``max_pending`` runs are queued or running.

        Parameters
        ----------
        prepared : PreparedRun
            The checked request.
        request : dict
            The request's JSON.

        Returns
        -------
        RunRecord
            The queued run.

        Raises
        ------
        QueueFull
            When the queue is full.
        """
        self.check_dates(prepared.scenario.date, prepared.against)
        run_id = uuid.uuid4().hex
        with self._lock:
            pending = self.store.count_active()
            if pending >= self.max_pending:
                wait = self.retry_after()
                raise QueueFull(f"the server is busy ({pending} runs queued or running, the most it takes); "
                                f"try again in about {wait} s", wait)
            self.store.add(run_id, prepared.label, request)
            self._dispatch(run_id, request)
        return self.store.get(run_id)

    def _dispatch(self, run_id: str, request: dict) -> None:
        try:
            future = self._executor().submit(_work, str(self.store.path), run_id, request, self.keep)
        except (BrokenProcessPool, RuntimeError):  # a worker died hard (killed, out of memory): start afresh
            self._pool = None
            future = self._executor().submit(_work, str(self.store.path), run_id, request, self.keep)
        self._futures[run_id] = future
        self._tasks += 1
        future.add_done_callback(lambda done, key=run_id: self._finished(key, done))

    def _finished(self, run_id: str, future: Future) -> None:
        with self._lock:
            self._futures.pop(run_id, None)
        if future.cancelled():
            return
        error = future.exception()
        if error is not None and not self._closing:  # the worker process itself died (killed, out of memory)
            log.error("run %s: worker failed: %r", run_id, error)
            if isinstance(error, BrokenProcessPool):
                with self._lock:  # the next run starts a fresh pool
                    self._pool = None
            self.store.finish(run_id, "failed", error=f"the worker process solving this run stopped "
                                                      f"unexpectedly ({type(error).__name__}); submit it again")
        record = self.store.get(run_id)
        if record is not None and record.started and record.finished:
            self._seconds = 0.8 * self._seconds + 0.2 * (record.finished - record.started)
        self.store.expire_old(self.keep)
        with self._lock:
            if self._pool is not None and not self._futures and self._tasks >= TASKS_PER_POOL:
                pool, self._pool = self._pool, None  # idle and well used: let its workers go
                pool.shutdown(wait=False)

    def get(self, run_id: str) -> RunRecord | None:
        """A run's record from the store, or None.

        Parameters
        ----------
        run_id : str
            The run's id.

        Returns
        -------
        RunRecord or None
            None for an unknown id.
        """
        return self.store.get(run_id)

    def cancel(self, run_id: str) -> str | None:
        """Cancel a queued or running run; the status after the call (None: unknown id).

        Parameters
        ----------
        run_id : str
            The run's id.

        Returns
        -------
        str or None
            The status after the call.
        """
        status = self.store.cancel(run_id)
        if status == "cancelled":
            with self._lock:
                future = self._futures.get(run_id)
            if future is not None:
                future.cancel()  # frees its place in the pool's queue (its worker would skip it anyway)
        return status

    def active(self) -> list[str]:
        """Ids of runs queued or running in this server's workers.

        Returns
        -------
        list of str
            The ids.
        """
        with self._lock:
            return [key for key, future in self._futures.items() if not future.done()]

    def shutdown(self) -> None:
        """Stop taking runs; queued ones are dropped, running ones end with their worker."""
        self._closing = True
        self.store.interrupt_unfinished()
        pool, self._pool = self._pool, None
        if pool is not None:
            stop_pool(pool)  # a long solve is not waited for
        self.store.interrupt_unfinished()


