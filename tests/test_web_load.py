"""A bounded load test of the web service: a real server (uvicorn) on loopback, 50 users at once,
each submitting a run and polling it to the end, in two rounds.

Checks: every run queues and completes, nothing answers 5xx, and the memory of the server and
its workers does not keep growing from one round to the next (the worker processes are replaced
after a number of runs, and the server keeps nothing of a run but its row in the SQLite file).

Bounded in count (``ROUNDS`` x ``USERS`` runs of the compact 13-region world) and in time: a
round that has not finished after ``TRADEWAR_LOAD_TIMEOUT`` seconds (default 300: a guard
against a hang, not a performance target) stops the test. Loopback only.
Cost: about 30 s on two idle cores (one worker process); longer on a busy machine.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time

import pytest

psutil = pytest.importorskip("psutil", reason="psutil is not installed (pip install -e '.[test]')")

from tradewar.web import create_app  # noqa: E402
from tradewar.web.runs import default_workers  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]

ROUNDS, USERS = 2, 50
TIMEOUT_S = float(os.environ.get("TRADEWAR_LOAD_TIMEOUT", "300"))
# The measures in force on the first day the library covers (before the 2018 war), on the compact
# world: a small, real solve.
SCENARIO = 'name = "load"\ndate = 2018-01-01\n\n[aggregate]\nregions = "compact"\n'
GROWTH_MB = 150
"""Largest growth allowed in the server's and workers' resident memory from the first round's end
to the last's: a bound on leaks (830 MB was once kept by one request), far above the noise of
allocator caches."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rss_mb() -> float:
    """Resident memory of this process (the server runs in a thread here) and its workers, in MB."""
    me = psutil.Process()
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null"), dict(response.getheaders())
    finally:
        connection.close()


def _user(port: int, deadline: float, outcome: dict) -> None:
    """Submit one run (waiting as told when the queue is full) and poll it to the end."""
    statuses = outcome.setdefault("statuses", [])
    while time.monotonic() < deadline:
        status, document, headers = _request(port, "POST", "/api/runs", {"toml": SCENARIO})
        statuses.append(status)
        if status == 429:
            time.sleep(min(float(headers.get("retry-after", "1")), 2.0))
            continue
        break
    if status != 202:
        outcome["error"] = f"submit: {status} {document}"
        return
    run_id = document["id"]
    while time.monotonic() < deadline:
        status, document, _ = _request(port, "GET", f"/api/runs/{run_id}")
        statuses.append(status)
        if status != 200:
            outcome["error"] = f"status: {status} {document}"
            return
        if document["status"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    outcome["final"] = document
    status, result, _ = _request(port, "GET", f"/api/runs/{run_id}/result")
    statuses.append(status)
    outcome["welfare"] = result.get("countries", {}).get("USA", {}).get("welfare_pct") if status == 200 else None


def test_fifty_concurrent_runs_in_rounds(tmp_path):
    import uvicorn

    # Two workers even on two cores: the server thread mostly waits, and the round ends sooner.
    app = create_app(store=tmp_path / "runs.sqlite3", workers=max(2, default_workers()), keep_runs=ROUNDS * USERS,
                     max_pending=USERS)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", backlog=256))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    memory = []
    try:
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped"
            time.sleep(0.05)
        for round_ in range(ROUNDS):
            deadline = time.monotonic() + TIMEOUT_S
            outcomes = [{} for _ in range(USERS)]
            users = [threading.Thread(target=_user, args=(port, deadline, outcomes[k])) for k in range(USERS)]
            for user in users:
                user.start()
            for user in users:
                user.join(max(0.0, deadline - time.monotonic()) + 5)
            assert not any(user.is_alive() for user in users), (
                f"round {round_}: users still waiting after {TIMEOUT_S} s"
            )
            errors = [outcome.get("error") for outcome in outcomes if outcome.get("error")]
            assert not errors, errors
            codes = [code for outcome in outcomes for code in outcome["statuses"]]
            assert all(code < 500 for code in codes), sorted(set(codes))
            finals = [outcome["final"]["status"] for outcome in outcomes]
            assert finals == ["done"] * USERS, finals
            assert len({outcome["welfare"] for outcome in outcomes}) == 1  # equal requests, equal results
            memory.append(_rss_mb())
    finally:
        server.should_exit = True
        thread.join(30)
        app.state.runs.shutdown()
    print(f"\nresident memory after each round (MB): {[round(m) for m in memory]}")
    assert memory[-1] - memory[0] < GROWTH_MB, memory
