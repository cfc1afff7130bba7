"""Runs in the background: a thread pool solves them, requests poll their progress.

A run is ``queued``, then ``running`` (loading the world and the measures, then
solving: the solver reports each sweep and its residual), then ``done`` or
``failed``. Finished runs are kept in memory, the most recent ``keep`` of them;
an older one is forgotten (its id answers 404).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tradewar.errors import TradewarError
from tradewar.web.service import PreparedRun, WebError, csv_text, execute, figures_json, run_document

__all__ = ["Run", "RunManager"]

log = logging.getLogger("tradewar.web")

TOLERANCE = 1e-10  # the solver's default tolerance: where the progress bar ends


@dataclass
class Run:
    """One submitted run and everything known about it so far."""

    id: str
    prepared: PreparedRun
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    status: str = "queued"
    stage: str = "queued"
    iterations: int = 0
    residual: float | None = None
    first_residual: float | None = None
    error: str | None = None
    result: Any = None  # the ScenarioRun
    document: dict | None = None
    _figures: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------------ progress
    def on_iteration(self, iteration: int, residual: float) -> None:
        """The solver's callback (called from the worker thread)."""
        self.stage = "solving"
        self.iterations = iteration
        self.residual = float(residual)
        if self.first_residual is None or iteration <= 1:
            self.first_residual = float(residual)

    def fraction(self) -> float:
        if self.status == "done":
            return 1.0
        if self.status == "queued":
            return 0.0
        if self.stage != "solving" or not self.residual or not self.first_residual:
            return 0.05
        start, now = math.log10(max(self.first_residual, TOLERANCE * 10)), math.log10(max(self.residual, TOLERANCE))
        done = (start - now) / (start - math.log10(TOLERANCE))
        return round(0.1 + 0.85 * min(max(done, 0.0), 1.0), 3)

    def elapsed(self) -> float:
        return round((self.finished or time.monotonic()) - self.created, 3)

    def status_document(self) -> dict:
        base = f"/api/runs/{self.id}"
        links = {"self": base}
        if self.status == "done":
            links.update({"result": f"{base}/result", "charts": f"{base}/charts",
                          **{f"csv_{level}": f"{base}/csv/{level}" for level in ("country", "sector", "bilateral")}})
        residual = self.residual if self.residual is None or math.isfinite(self.residual) else None
        return {
            "id": self.id,
            "status": self.status,
            "label": self.prepared.label,
            "elapsed_s": self.elapsed(),
            "progress": {"stage": self.stage, "iterations": self.iterations, "residual": residual,
                         "fraction": self.fraction()},
            "error": self.error,
            "links": links,
        }

    # ------------------------------------------------------------------ results
    def _finished(self) -> None:
        if self.status in ("queued", "running"):
            raise WebError(409, f"run {self.id} is {self.status}; poll /api/runs/{self.id} until it is done")
        if self.status == "failed":
            raise WebError(409, f"run {self.id} failed: {self.error}")

    def result_document(self) -> dict:
        self._finished()
        return self.document

    def charts(self) -> str:
        self._finished()
        with self._lock:  # built once, on first request
            if self._figures is None:
                self._figures = figures_json(self.result)
            return self._figures

    def csv(self, level: str) -> str:
        self._finished()
        return csv_text(self.result, level)


class RunManager:
    """Submits runs to a thread pool and keeps them for polling."""

    def __init__(self, workers: int = 2, keep: int = 32, max_pending: int = 100):
        self.keep = keep
        self.max_pending = max_pending
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tradewar-run")
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, prepared: PreparedRun) -> Run:
        run = Run(id=uuid.uuid4().hex, prepared=prepared)
        with self._lock:
            pending = sum(1 for r in self._runs.values() if r.status in ("queued", "running"))
            if pending >= self.max_pending:
                raise WebError(503, f"the server is busy ({pending} runs waiting); try again in a moment")
            self._runs[run.id] = run
            self._forget_old()
        self._pool.submit(self._work, run)
        return run

    def get(self, run_id: str) -> Run:
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise WebError(404, f"no run {run_id!r} (unknown, or finished long ago and forgotten); "
                                "submit it again with POST /api/runs")
        return run

    def _forget_old(self) -> None:
        finished = [key for key, r in self._runs.items() if r.status in ("done", "failed")]
        for key in finished[: max(0, len(finished) - self.keep)]:
            del self._runs[key]

    def _work(self, run: Run) -> None:
        run.started = time.monotonic()
        run.status, run.stage = "running", "loading"
        try:
            result = execute(run.prepared, on_iteration=run.on_iteration)
            run.document = run_document(result, run.prepared)
            run.result = result
            run.status = run.stage = "done"
        except TradewarError as error:
            run.error = str(error)
            run.status = run.stage = "failed"
        except Exception as error:  # noqa: BLE001 - a run must never take the server down
            log.exception("run %s failed", run.id)
            run.error = f"internal error ({type(error).__name__}: {error})"
            run.status = run.stage = "failed"
        finally:
            run.finished = time.monotonic()
            with self._lock:
                self._forget_old()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
