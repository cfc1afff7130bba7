"""The web service's runs, kept in one SQLite file so that a restart loses nothing.

One row per run: what was asked (the request's JSON), where it stands (status,
stage, sweeps, residual, progress fraction, error) and, once done, what it produced
(the result document, the charts and the three CSV tables, each gzipped and
computed once by the worker that solved the run). The server process and the
worker processes all open the same file (WAL journal: readers never wait for the
one writer); each call opens its own short-lived connection, so nothing here is
shared between threads or processes.

Statuses: ``queued``, ``running``, ``done``, ``failed``, ``cancelled`` and
``interrupted`` (the server stopped while the run was queued or running). Only the
``keep`` most recent finished runs keep their results; older ones keep their row
(``expired``) so that their id still answers with what happened to them.

The file lives in the user's data directory (``$XDG_DATA_HOME/tradewar`` or
``~/.local/share/tradewar``) unless ``TRADEWAR_RUNS_DB`` or ``tradewar serve
--runs-db`` names another.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ACTIVE", "FINISHED", "MAX_BLOB_BYTES", "RunRecord", "RunStore", "default_store_path"]

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
MAX_BLOB_BYTES = 16 * 1024 * 1024
"""The largest gzipped output (result, charts or a table) a run may store: a bound on disk and memory."""
BLOBS = ("result", "charts", "csv_country", "csv_sector", "csv_bilateral")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,          -- seconds since the epoch
    started REAL,
    finished REAL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    label TEXT NOT NULL,
    request TEXT NOT NULL,          -- the request's JSON, as submitted
    iterations INTEGER NOT NULL DEFAULT 0,
    residual REAL,
    fraction REAL NOT NULL DEFAULT 0,
    error TEXT,
    cancel INTEGER NOT NULL DEFAULT 0,
    expired INTEGER NOT NULL DEFAULT 0,
    result BLOB, charts BLOB, csv_country BLOB, csv_sector BLOB, csv_bilateral BLOB
);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, created);
"""
_COLUMNS = ("id", "created", "started", "finished", "status", "stage", "label", "request", "iterations",
            "residual", "fraction", "error", "cancel", "expired")


def default_store_path() -> Path:
    """Where the runs are kept: ``$TRADEWAR_RUNS_DB``, else the user's data directory."""
    named = os.environ.get("TRADEWAR_RUNS_DB")
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tradewar" / "runs.sqlite3"


@dataclass(frozen=True)
class RunRecord:
    """One run's row (without its outputs)."""

    id: str
    created: float
    started: float | None
    finished: float | None
    status: str
    stage: str
    label: str
    request: str
    iterations: int
    residual: float | None
    fraction: float
    error: str | None
    cancel: bool
    expired: bool


class StoreError(Exception):
    """The runs' file cannot be opened or written (named in the message)."""


class RunStore:
    """The runs' SQLite file. Every method opens, uses and closes its own connection."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot use {self.path} to keep the runs ({error}); name another file with "
                             "--runs-db or TRADEWAR_RUNS_DB") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30.0)
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across a crash of the process
        return db

    def _write(self, sql: str, args: tuple = ()) -> int:
        with closing(self._connect()) as db, db:
            return db.execute(sql, args).rowcount

    # ------------------------------------------------------------------ the server's side
    def add(self, run_id: str, label: str, request: dict) -> None:
        """Record a new, queued run."""
        self._write("INSERT INTO runs (id, created, status, stage, label, request) VALUES (?, ?, 'queued', "
                    "'queued', ?, ?)", (run_id, time.time(), label, json.dumps(request)))

    def get(self, run_id: str) -> RunRecord | None:
        """A run's record, or None."""
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else RunRecord(*row[:12], bool(row[12]), bool(row[13]))

    def count_active(self) -> int:
        """How many runs are queued or running."""
        with closing(self._connect()) as db:
            return db.execute("SELECT count(*) FROM runs WHERE status IN ('queued', 'running')").fetchone()[0]

    def output(self, run_id: str, name: str) -> bytes | None:
        """A done run's gzipped output (``result``, ``charts``, ``csv_country``, ...)."""
        if name not in BLOBS:
            raise ValueError(f"no output {name!r}")
        with closing(self._connect()) as db:
            row = db.execute(f"SELECT {name} FROM runs WHERE id = ?", (run_id,)).fetchone()  # noqa: S608 - checked
        return None if row is None else row[0]

    def cancel(self, run_id: str) -> str | None:
        """Cancel a run: a queued one at once, a running one when its worker next looks
        (``cancel`` set). Returns the status after the call (None: no such run)."""
        with closing(self._connect()) as db, db:
            db.execute("UPDATE runs SET status = 'cancelled', stage = 'cancelled', finished = ?, "
                       "error = 'cancelled before it started' WHERE id = ? AND status = 'queued'",
                       (time.time(), run_id))
            db.execute("UPDATE runs SET cancel = 1, stage = 'cancelling' WHERE id = ? AND status = 'running'",
                       (run_id,))
            row = db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else row[0]

    def interrupt_unfinished(self) -> int:
        """At start-up: runs that were queued or running when the server stopped are marked ``interrupted``."""
        return self._write("UPDATE runs SET status = 'interrupted', stage = 'interrupted', finished = ?, "
                           "error = 'the server stopped before this run finished; submit it again' "
                           "WHERE status IN ('queued', 'running')", (time.time(),))

    def expire_old(self, keep: int) -> int:
        """Drop the outputs of all but the ``keep`` most recently finished runs (their rows stay)."""
        with closing(self._connect()) as db, db:
            return self._expire(db, keep)

    @staticmethod
    def _expire(db, keep: int) -> int:
        old = [row[0] for row in db.execute(
            "SELECT id FROM runs WHERE status IN ('done', 'failed', 'cancelled', 'interrupted') AND expired = 0 "
            "ORDER BY finished DESC LIMIT -1 OFFSET ?", (keep,))]
        db.executemany("UPDATE runs SET expired = 1, result = NULL, charts = NULL, csv_country = NULL, "
                       "csv_sector = NULL, csv_bilateral = NULL WHERE id = ?", [(key,) for key in old])
        return len(old)

    def delete(self, run_id: str) -> bool:
        """Delete a finished run; False where it is unknown or still queued or running."""
        return self._write("DELETE FROM runs WHERE id = ? AND status NOT IN ('queued', 'running')", (run_id,)) > 0

    # ------------------------------------------------------------------ the worker's side
    def start(self, run_id: str) -> bool:
        """A worker takes the run; False when it was cancelled (or is gone) meanwhile."""
        return self._write("UPDATE runs SET status = 'running', stage = 'loading', started = ?, fraction = 0.05 "
                           "WHERE id = ? AND status = 'queued'", (time.time(), run_id)) > 0

    def progress(self, run_id: str, iterations: int, residual: float | None, fraction: float) -> bool:
        """Record the solver's progress; True when the run has been asked to stop."""
        with closing(self._connect()) as db, db:
            db.execute("UPDATE runs SET stage = CASE stage WHEN 'cancelling' THEN stage ELSE 'solving' END, "
                       "iterations = ?, residual = ?, fraction = max(fraction, ?) WHERE id = ?",
                       (iterations, residual, fraction, run_id))
            row = db.execute("SELECT cancel FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row is None or bool(row[0])

    def stage(self, run_id: str, stage: str, fraction: float = 0.0) -> None:
        """Record a run's stage and progress (progress never goes back; a cancellation is kept)."""
        self._write("UPDATE runs SET stage = CASE stage WHEN 'cancelling' THEN stage ELSE ? END, "
                    "fraction = max(fraction, ?) WHERE id = ?", (stage, fraction, run_id))

    def finish(self, run_id: str, status: str, *, error: str | None = None, outputs: dict[str, bytes] | None = None,
               iterations: int | None = None, residual: float | None = None, keep: int | None = None) -> None:
        """A run ends: ``done`` with its gzipped outputs, or ``failed`` / ``cancelled`` with a message.
        A run already finished (``interrupted`` by a stopping server, say) stays as it is. With ``keep``,
        the outputs of all but the ``keep`` most recent finished runs are dropped in the same
        transaction, so no reader sees a finished run while an older one still holds its outputs."""
        outputs = outputs or {}
        names = [name for name in BLOBS if name in outputs]
        sets = "".join(f", {name} = ?" for name in names)
        counters = ", iterations = coalesce(?, iterations), residual = coalesce(?, residual)"
        with closing(self._connect()) as db, db:
            db.execute(f"UPDATE runs SET status = ?, stage = ?, finished = ?, error = ?, "  # noqa: S608 - fixed names
                       f"fraction = CASE ? WHEN 'done' THEN 1.0 ELSE fraction END{counters}{sets} WHERE id = ? "
                       "AND status IN ('queued', 'running')",
                       (status, status, time.time(), error, status, iterations, residual,
                        *[outputs[name] for name in names], run_id))
            if keep is not None:
                self._expire(db, keep)


def pack(text: str) -> bytes:
    """Text gzipped for the store (and sent as is to clients that accept gzip)."""
    return gzip.compress(text.encode("utf-8"), compresslevel=6)


def unpack(blob: bytes) -> str:
    """Text stored by :func:`pack`."""
    return gzip.decompress(blob).decode("utf-8")
