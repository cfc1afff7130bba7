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
- ``POST /api/runs``: submit a run (202, with its id); ``GET /api/runs/{id}``: its progress
- ``GET /api/runs/{id}/result``: the ``tradewar simulate --json`` document
- ``GET /api/runs/{id}/charts``: the report's plotly figures
- ``GET /api/runs/{id}/csv/{country|sector|bilateral}``: result tables as CSV
- ``GET /api/timeline``: the average tariff each way between two countries, and its steps
"""

from __future__ import annotations

import gzip
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
from tradewar.web.runs import RunManager
from tradewar.web.service import WebError

__all__ = ["MAX_BODY_BYTES", "create_app"]

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
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
ERRORS = {400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
          413: {"model": ErrorBody}, 422: {"model": ErrorBody}}


class CsvLevel(StrEnum):
    country = "country"
    sector = "sector"
    bilateral = "bilateral"


# ---------------------------------------------------------------------- assets
@cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, bytes]:
    """plotly.js from the plotly package (plain and gzipped), read once."""
    text = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    return text, gzip.compress(text, compresslevel=6)


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413, before it is read whole
    when it says its length."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (f"the request body is over {self.limit // 1024} KB (a scenario may have at most "
                   f"{MAX_TOML_BYTES // 1024} KB)")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await JSONResponse({"detail": message, "errors": []}, status_code=413)(scope, receive, send)
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

        await self.app(scope, limited, send)


# ---------------------------------------------------------------------- the app
def create_app(*, workers: int = 2, keep_runs: int = 32) -> FastAPI:
    """The web application. ``workers``: runs solved at once (threads); ``keep_runs``:
    finished runs kept for download."""
    runs = RunManager(workers=workers, keep=keep_runs)

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
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    # ------------------------------------------------------------------ errors
    @app.exception_handler(WebError)
    async def web_error(request: Request, error: WebError):
        return JSONResponse({"detail": error.detail, "errors": error.errors}, status_code=error.status)

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
                              "export_controls": [{"imposer": "CHN", "targets": ["USA"], "sectors": ["Metals"],
                                                   "ban": True}]}},
        "date": {"summary": "The measures in force on a day", "value": {"date": "2019-12-15"}},
        "toml": {"summary": "Your own scenario text",
                 "value": {"toml": 'name = "mine"\ndate = 2025-06-10\n\n[[measure]]\nid = "X1"\n'
                                   'kind = "tariff"\nimposer = "USA"\ntargets = ["GBR"]\nrate = 0.2\n'}},
    })]) -> dict:
        """Check the request (names, labels, rates, TOML) and queue it; answer at once with the
        run's id and links. Poll `GET /api/runs/{id}` until `status` is `done` or `failed`."""
        prepared = service.prepare_run(body)
        return runs.submit(prepared).status_document()

    def _run(run_id: str):
        if not RUN_ID.match(run_id):
            raise WebError(404, f"no run {run_id!r}: run ids are 32 hexadecimal digits")
        return runs.get(run_id)

    @app.get("/api/runs/{run_id}", tags=["runs"], response_model=RunStatus, responses=ERRORS,
             summary="A run's progress")
    def status(run_id: str) -> dict:
        """`status` (queued, running, done, failed), the solver's sweeps and residual, the
        seconds elapsed, an estimate of the fraction done, and the error of a failed run."""
        return _run(run_id).status_document()

    @app.get("/api/runs/{run_id}/result", tags=["runs"], responses=ERRORS, summary="A run's results (JSON)")
    def result(run_id: str) -> dict:
        """The document `tradewar simulate --json` prints: `scenario`, `world`, `date`,
        `against`, `deficits`, `solver`, `countries` (welfare_pct, real_wage_pct,
        price_index_pct, exports_pct, imports_pct, tariff_revenue_usd_mn by country),
        `bilateral` (U.S.-China trade changes by sector), `sector_output_pct`,
        `purchase_commitments`; plus `label`, `description`, `request` and
        `country_order`. 409 while the run is not done."""
        return _run(run_id).result_document()

    @app.get("/api/runs/{run_id}/charts", tags=["runs"], summary="A run's charts (plotly)", response_class=Response,
             responses={200: {"content": {"application/json": {}}, "description": "Figures by name"}, **ERRORS})
    def charts(run_id: str) -> Response:
        """The report's charts as plotly figures (`{"data": [...], "layout": {...}}`) by name:
        `map`, `welfare`, `sectors`, `bilateral`, `third_countries`, `timeline`."""
        return Response(_run(run_id).charts(), media_type="application/json")

    @app.get("/api/runs/{run_id}/csv/{level}", tags=["runs"], summary="A run's results (CSV)",
             response_class=Response, responses={200: {"content": {"text/csv": {}}, "description": "CSV"}, **ERRORS})
    def csv(run_id: str, level: CsvLevel) -> Response:
        """`country`: one row per country (changes in %, tariff revenue in USD millions);
        `sector`: prices, costs and output by country and sector (hats: new / baseline);
        `bilateral`: trade and tariffs by importer, exporter and sector."""
        run = _run(run_id)
        text = run.csv(level.value)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", run.document.get("scenario") or "run")[:60]
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="tradewar-{name}-{level.value}.csv"'})

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
