"""How fast the web service answers cheap GETs while runs are being solved (issue 17: p95 under 200 ms).

A real server (uvicorn) on loopback, in this process; ``RUNS`` london-2025 runs are submitted
(more than the worker processes, so some queue) and, while any is queued or running, a client
asks for a run's status and for ``/api/health`` as fast as it can. Prints the latencies'
median, 95th percentile and maximum, and how many answers came while runs were in flight.

Command: ``python benchmarks/bench_web_latency.py [RUNS]``. Nothing is asserted (timings depend
on the machine); see benchmarks/RESULTS.md for a measurement.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(runs: int = 8) -> None:
    import uvicorn

    from tradewar.web import create_app
    from tradewar.web.runs import default_workers

    folder = Path(tempfile.mkdtemp(prefix="tradewar-bench-"))
    app = create_app(store=folder / "runs.sqlite3")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(method, path, body=None):
        started = time.perf_counter()
        connection.request(method, path, body=json.dumps(body) if body else None,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = json.loads(response.read())
        return time.perf_counter() - started, response.status, payload

    try:
        ids = [call("POST", "/api/runs", {"scenario": "london-2025"})[2]["id"] for _ in range(runs)]
        status_times, health_times, in_flight = [], [], 0
        started = time.perf_counter()
        while True:
            seconds, code, document = call("GET", f"/api/runs/{ids[-1]}")
            status_times.append(seconds)
            health_times.append(call("GET", "/api/health")[0])
            if document["status"] not in ("queued", "running"):
                break
            in_flight += 1
        total = time.perf_counter() - started
    finally:
        server.should_exit = True
        thread.join(30)
        app.state.runs.shutdown()

    def summary(times):
        times = sorted(times)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        return (f"median {1000 * statistics.median(times):.1f} ms, p95 {1000 * p95:.1f} ms, "
                f"max {1000 * times[-1]:.1f} ms")

    print(f"{runs} london-2025 runs on {default_workers()} worker process(es), solved in {total:.1f} s; "
          f"{in_flight} status answers while runs were in flight")
    print(f"GET /api/runs/{{id}}: {summary(status_times)}")
    print(f"GET /api/health:    {summary(health_times)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
