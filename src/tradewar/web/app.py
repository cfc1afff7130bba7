"""The web app: a JSON API (documented by OpenAPI) and a page for people who do not use a terminal.

``create_app()`` builds a FastAPI application; ``tradewar serve`` runs it with uvicorn.
Everything the page loads comes from this server (plotly.js from the plotly
package), so it works offline; the API documentation at ``/docs`` is a small page
of its own that reads ``/openapi.json`` (FastAPI's default pages load Swagger UI
and ReDoc from a CDN, so they are off).

Endpoints (JSON unless said otherwise; errors are ``{"detail": "...", "errors": [...]}``
with a 4xx status):

- ``GET /api/worlds``, ``GET /api/worlds/{name}``: the worlds and their labels
- ``GET /api/scenarios``, ``GET /api/scenarios/{name}``: built-in scenarios (the latter with its TOML)
- ``POST /api/scenarios/check``: check a scenario's TOML text without running it
- ``POST /api/runs``: submit a run (202, with its id; 429 with ``Retry-After`` when the queue is full);
  ``GET /api/runs/{id}``: its progress; ``DELETE /api/runs/{id}``: cancel it (or delete a finished one)
- ``GET /api/runs/{id}/result``: the ``tradewar simulate --json`` document
- ``GET /api/runs/{id}/charts``: the report's plotly figures
- ``GET /api/runs/{id}/csv/{country|sector|bilateral}``: result tables as CSV
- ``GET /api/timeline``: the average tariff each way between two countries, and its steps
- ``GET /api/dates``: the days the library of measures covers

Runs are solved by worker processes and kept in a SQLite file (see :mod:`tradewar.web.runs` and
:mod:`tradewar.web.store`), so a restart keeps them. The server answers only to the host names it
is given (loopback by default), and every response, errors included, carries the security headers.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from contextlib import asynccontextmanager
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import Body, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import tradewar
from tradewar.web import service
from tradewar.web.models import (
    MAX_TOML_BYTES,
    ErrorBody,
    RunCreated,
    RunRequest,
    RunStatus,
    ScenarioCheck,
    ScenarioDetail,
    ScenarioInfo,
    ScenarioText,
    TimelineDocument,
    WorldInfo,
    WorldSummary,
)
from tradewar.web.runs import RUN_DATES, QueueFull, RunManager, status_document
from tradewar.web.service import WebError
from tradewar.web.store import RunStore, default_store_path, unpack

__all__ = ["LOOPBACK_HOSTS", "MAX_BODY_BYTES", "create_app"]

log = logging.getLogger("tradewar.web")

MAX_BODY_BYTES = MAX_TOML_BYTES + 32 * 1024
"""The largest request body accepted: a 64 KB scenario plus the form around it."""
STATIC = Path(__file__).parent / "static"
ASSETS = {  # name -> media type; nothing else is served
    "app.js": "text/javascript; charset=utf-8",
    "docs.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
ERRORS = {400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
          413: {"model": ErrorBody}, 422: {"model": ErrorBody}, 429: {"model": ErrorBody}}


class CsvLevel(StrEnum):
    """The result tables a run's CSV can give (``GET /api/runs/{id}/csv/{level}``)."""

    country = "country"
    sector = "sector"
    bilateral = "bilateral"


@cache
def _last_day() -> date:
    """The last day on which a measure of the library starts or ends."""
    days = [day for measure in service.library().measures
            for day in (measure.start, getattr(measure, "end", None)) if isinstance(day, date)]
    return max(days)


# ---------------------------------------------------------------------- assets
@cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, bytes]:
    """plotly.js from the plotly package (plain and gzipped), read once."""
    text = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return text, gzip.compress(text, compresslevel=6)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _host_name(value: str) -> str:
    """The host of a Host header, without its port: ``[::1]:8000`` -> ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware around everything the app answers, errors included:

    - a ``Host`` header outside ``allowed_hosts`` gets 400 (a DNS-rebinding page in a browser
      cannot then reach a server on this machine's loopback);
    - a request body over ``limit`` bytes gets 413, before it is read whole when it says its length;
    - every response carries the security headers;
    - an unexpected exception becomes a JSON 500 (logged) instead of a bare plain-text one, and the
      connection stays usable.

    Starlette's TrustedHostMiddleware answers in plain text and its error pages skip the
    app's middleware, hence this one place.
    """

    def __init__(self, app, limit: int, allowed_hosts: tuple[str, ...]):
        self.app, self.limit = app, limit
        self.allowed = {_host_name(host) for host in allowed_hosts}
        self.any_host = "*" in self.allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def secured(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(key.lower().encode(), value.encode()) for key, value in SECURITY_HEADERS.items()
                         if key.lower().encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        headers = dict(scope.get("headers") or [])
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if not self.any_host and host not in self.allowed:
            shown = host[:80] or "(none)"
            await _json(secured, 400, f"this server does not answer to the host name {shown!r}; it answers to "
                                      f"{', '.join(sorted(self.allowed))} (tradewar serve --allow-host NAME adds one)")
            return
        message = (f"the request body is over {self.limit // 1024} KB (a scenario may have at most "
                   f"{MAX_TOML_BYTES // 1024} KB)")
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _json(secured, 413, message)
            return
        received = 0

        async def limited():
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.limit:  # a body sent in chunks, without a length
                    raise StarletteHTTPException(413, detail=message)
            return event

        try:
            await self.app(scope, limited, secured)
        except Exception:  # noqa: BLE001 - the last line of defence: a JSON 500, logged, never a reset
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if not started:
                await _json(secured, 500, "internal error: the server could not answer this request (it has been "
                                          "logged); if it persists, report it with the request that caused it")


async def _json(send, status: int, detail: str, headers: dict | None = None) -> None:
    body = json.dumps({"detail": detail, "errors": []}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *[(key.lower().encode(), value.encode()) for key, value in (headers or {}).items()]]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------------- the app
def create_app(*, workers: int | None = None, keep_runs: int = 32, max_pending: int = 100,
               store: str | Path | None = None, allowed_hosts: tuple[str, ...] | list[str] = LOOPBACK_HOSTS) -> FastAPI:
    """The web application.

    Parameters
    ----------
    workers
        Worker processes solving runs (default: the machine's cores minus one, at least one).
    keep_runs
        Finished runs whose results are kept (older ones answer 410).
    max_pending
        Runs that may be queued or running at once; one more gets 429 with ``Retry-After``.
    store
        The SQLite file the runs are kept in (default: :func:`tradewar.web.store.default_store_path`).
    allowed_hosts
        Host names (``Host`` header, without port) the server answers to; ``"*"``: any.
    """
    runs = RunManager(RunStore(store or default_store_path()), workers=workers, keep=keep_runs,
                      max_pending=max_pending)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="tradewar",
        version=tradewar.__version__,
        description="Trade wars and trade talks in general equilibrium, on real data. Submit a run "
                    "(`POST /api/runs`), poll it (`GET /api/runs/{id}`), then fetch its results as JSON or CSV. "
                    "Rates are fractions (0.25 = 25%). The page at `/` does all this with a form.",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.runs = runs
    app.add_middleware(Guard, limit=MAX_BODY_BYTES, allowed_hosts=tuple(allowed_hosts))

    # ------------------------------------------------------------------ errors
    @app.exception_handler(WebError)
    async def web_error(request: Request, error: WebError):
        return JSONResponse({"detail": error.detail, "errors": error.errors}, status_code=error.status)

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, error: QueueFull):
        return JSONResponse({"detail": str(error), "errors": []}, status_code=429,
                            headers={"Retry-After": str(error.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        problems = [_problem(item) for item in error.errors()]
        detail = "; ".join(f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems)
        return JSONResponse({"detail": detail or "invalid request", "errors": jsonable_encoder(problems)},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        detail = error.detail if isinstance(error.detail, str) else "error"
        if error.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}; the page is at /, the API documentation at /docs"
        return JSONResponse({"detail": detail, "errors": []}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    # ------------------------------------------------------------------ page and assets
    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(_asset("index.html"), headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_asset("docs.html"), headers={"Cache-Control": "no-cache"})

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        plain, packed = _plotly_js()
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript; charset=utf-8", headers=headers)
        return Response(plain, media_type="text/javascript; charset=utf-8", headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise WebError(404, f"no asset {name!r}")
        return Response(_asset(name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})

    # ------------------------------------------------------------------ API: library
    @app.get("/api/health", tags=["server"], summary="Whether the server is up")
    def health() -> dict:
        return {"status": "ok", "version": tradewar.__version__}

    @app.get("/api/worlds", tags=["library"], response_model=list[WorldSummary], summary="The worlds")
    def worlds() -> list[dict]:
        """The baseline economies the server knows (`embedded` ones always load)."""
        return service.world_summaries()

    @app.get("/api/worlds/{name}", tags=["library"], response_model=WorldInfo, responses=ERRORS,
             summary="A world's labels")
    def world(name: str) -> dict:
        """Country, sector and goods labels of a world, and the groups (EU27) a measure may name."""
        return service.world_info(name)

    @app.get("/api/scenarios", tags=["library"], response_model=list[ScenarioInfo], summary="Built-in scenarios")
    def scenarios() -> list[dict]:
        """Every built-in scenario: name, date, description, world."""
        return service.scenario_summaries()

    @app.get("/api/scenarios/{name}", tags=["library"], response_model=ScenarioDetail, responses=ERRORS,
             summary="A built-in scenario")
    def scenario(name: str) -> dict:
        """A built-in scenario's summary, the labels of its world (`countries`, `sectors`,
        `goods`) and its file's text (`toml`), to copy and edit."""
        return service.scenario_detail(name)

    @app.post("/api/scenarios/check", tags=["library"], response_model=ScenarioCheck, responses=ERRORS,
              summary="Check a scenario's TOML")
    def check(body: ScenarioText) -> dict:
        """Parse and check a scenario's text (at most 64 KB) without running it: 422 names the
        line and the field of each problem."""
        return service.check_scenario_text(body.toml)

    # ------------------------------------------------------------------ API: runs
    @app.post("/api/runs", tags=["runs"], status_code=202, response_model=RunCreated, responses=ERRORS,
              summary="Submit a run")
    def submit(body: Annotated[RunRequest, Body(openapi_examples={
        "built-in": {"summary": "A built-in scenario", "value": {"scenario": "london-2025"}},
        "changes": {"summary": "With an extra tariff and an export control, against a date",
                    "value": {"scenario": "london-2025", "against": "2025-01-01",
                              "tariffs": [{"importer": "USA", "exporter": "CHN", "rate": 0.1}],
                              "export_controls": [{"imposer": "CHN", "targets": ["USA"],
                                                   "sectors": ["Non-ferrous metals"], "ban": True}]}},
        "date": {"summary": "The measures in force on a day", "value": {"date": "2019-12-15"}},
        "toml": {"summary": "Your own scenario text",
                 "value": {"toml": 'name = "mine"\ndate = 2025-06-10\n\n[[measure]]\nid = "X1"\n'
                                   'kind = "tariff"\nimposer = "USA"\ntargets = ["GBR"]\nrate = 0.2\n'}},
    })]) -> dict:
        """Check the request (names, labels, rates, TOML) and queue it; answer at once with the
        run's id and links. Poll `GET /api/runs/{id}` until `status` is `done` or `failed`."""
        prepared = service.prepare_run(body)
        request = body.model_dump(mode="json", exclude_none=True)
        return status_document(runs.submit(prepared, request))

    def _run(run_id: str):
        if not RUN_ID.match(run_id):
            raise WebError(404, f"no run {run_id!r}: run ids are 32 hexadecimal digits")
        record = runs.get(run_id)
        if record is None:
            raise WebError(404, f"no run {run_id!r} on this server (never submitted here, or deleted); "
                                "submit it with POST /api/runs")
        return record

    def _output(run_id: str, name: str, media_type: str, request: Request, headers: dict | None = None) -> Response:
        """A done run's stored output, sent gzipped to clients that accept it."""
        record = _run(run_id)
        if record.status in ("queued", "running"):
            raise WebError(409, f"run {run_id} is {record.status}; poll /api/runs/{run_id} until it is done")
        if record.status != "done":
            raise WebError(409, f"run {run_id} {record.status}: {record.error}")
        blob = None if record.expired else runs.store.output(run_id, name)
        if blob is None:
            raise WebError(410, f"run {run_id} is done but its results were dropped: the server keeps those of its "
                                f"{runs.keep} most recent runs; submit it again")
        headers = {"Vary": "Accept-Encoding", **(headers or {})}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(blob, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
        return Response(unpack(blob), media_type=media_type, headers=headers)

    @app.get("/api/runs/{run_id}", tags=["runs"], response_model=RunStatus, responses=ERRORS,
             summary="A run's progress")
    def status(run_id: str) -> dict:
        """`status` (queued, running, done, failed, cancelled, interrupted), the solver's sweeps and
        residual, the seconds elapsed, an estimate of the fraction done (it never decreases), and the
        error of a run that did not finish. Runs are kept across restarts of the server; one that was
        queued or running when it stopped is `interrupted`."""
        return status_document(_run(run_id))

    @app.delete("/api/runs/{run_id}", tags=["runs"], response_model=RunStatus, responses=ERRORS,
                summary="Cancel or delete a run")
    def cancel(run_id: str) -> Response:
        """A queued run is dropped and a running one stops at the solver's next sweep (its status
        becomes `cancelled`; 202 with the status). A finished run is deleted with its results (204)."""
        record = _run(run_id)
        if record.status in ("queued", "running"):
            runs.cancel(run_id)
            return JSONResponse(status_document(_run(run_id)), status_code=202)
        runs.store.delete(run_id)
        return Response(status_code=204)

    @app.get("/api/runs/{run_id}/result", tags=["runs"], responses={200: {"content": {"application/json": {}}},
                                                                       **ERRORS, 410: {"model": ErrorBody}},
             response_class=Response, summary="A run's results (JSON)")
    def result(run_id: str, request: Request) -> Response:
        """The document `tradewar simulate --json` prints: `scenario`, `world`, `date`,
        `against`, `deficits`, `closure` ({revenue, deficits}), `elasticities`, `horizon`, `solver`,
        `countries` (welfare_pct, welfare_first_order_pct, real_gdp_pct, nominal_gdp_pct, real_wage_pct,
        price_index_pct, exports_pct, imports_pct, tariff_revenue_usd_mn by country),
        `bilateral` (U.S.-China trade changes by sector), `sector_output_pct`,
        `purchase_commitments`, `critical_products` (export controls on critical products: the
        price gap outside / inside the holder, its published target, the target's users' output;
        only when the scenario has such a control); plus `label`, `description`, `request` and
        `country_order`. 409 while the run is not done; 410 when its results were dropped."""
        return _output(run_id, "result", "application/json", request)

    @app.get("/api/runs/{run_id}/charts", tags=["runs"], summary="A run's charts (plotly)", response_class=Response,
             responses={200: {"content": {"application/json": {}}, "description": "Figures by name"}, **ERRORS,
                        410: {"model": ErrorBody}})
    def charts(run_id: str, request: Request) -> Response:
        """The report's charts as plotly figures (`{"data": [...], "layout": {...}}`) by name:
        `map`, `welfare`, `sectors`, `bilateral`, `third_countries`, `timeline` (computed once,
        when the run finished)."""
        return _output(run_id, "charts", "application/json", request)

    @app.get("/api/runs/{run_id}/csv/{level}", tags=["runs"], summary="A run's results (CSV)",
             response_class=Response, responses={200: {"content": {"text/csv": {}}, "description": "CSV"}, **ERRORS,
                                                 410: {"model": ErrorBody}})
    def csv(run_id: str, level: CsvLevel, request: Request) -> Response:
        """`country`: one row per country (changes in %, tariff revenue in USD millions);
        `sector`: prices, costs and output by country and sector (hats: new / baseline);
        `bilateral`: trade and tariffs by importer, exporter and sector."""
        record = _run(run_id)
        try:
            scenario = json.loads(record.request).get("scenario") or "run"
        except ValueError:
            scenario = "run"
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(scenario))[:60]
        return _output(run_id, f"csv_{level.value}", "text/csv; charset=utf-8", request,
                       {"Content-Disposition": f'attachment; filename="tradewar-{name}-{level.value}.csv"'})

    @app.get("/api/dates", tags=["library"], summary="The days the measures cover")
    def dates() -> dict:
        """`first` and `last`: the days the library of measures covers (the page's date boxes
        offer these); `solvable`: the widest span of days a run may name."""
        return {"first": service.TIMELINE_START.isoformat(), "last": _last_day().isoformat(),
                "solvable": [day.isoformat() for day in RUN_DATES]}

    # ------------------------------------------------------------------ API: timeline
    @app.get("/api/timeline", tags=["library"], response_model=TimelineDocument, responses=ERRORS,
             summary="Average tariffs over time")
    def timeline(
        a: Annotated[str, Query(max_length=40, description="First country (or group).")] = "USA",
        b: Annotated[str, Query(max_length=40, description="Second country (or group).")] = "CHN",
        start: Annotated[date, Query(description="First day (YYYY-MM-DD).")] = date(2018, 1, 1),
        end: Annotated[date, Query(description="Last day (YYYY-MM-DD).")] = date(2026, 6, 30),
        world: Annotated[str, Query(max_length=60, description="The world whose trade weights the averages.")]
        = "wiod2011",
        daily: Annotated[bool, Query(description="Every day, or only where the average changes.")] = False,
    ) -> dict:
        """The trade-weighted average tariff on goods each way between `a` and `b` (`series`:
        date, importer, exporter, average_tariff_pct) and the measures that start or end between
        them (`steps`), as `tradewar timeline --json` prints them."""
        return service.timeline_document(a.strip(), b.strip(), start, end, world, daily)

    return app


def _problem(item: dict) -> dict:
    """A pydantic error as ``{"field": "tariffs[0].rate", "message": "..."}``."""
    loc = [part for part in item.get("loc", ()) if part not in ("body", "query", "path")]
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    message = str(item.get("msg", "invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if item.get("type") == "json_invalid":
        message = f"the request body is not valid JSON ({item.get('ctx', {}).get('error', message)})"
        field = ""
    elif item.get("type") == "missing" and not loc:
        message = "the request needs a JSON body"
    return {"field": field, "message": message}
