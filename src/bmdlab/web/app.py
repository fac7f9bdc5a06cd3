"""``bmdlab serve``: a local web server over the public Python API, and the page it serves.

The JSON API (documented at ``/api/docs``, schema at ``/api/openapi.json``) returns the same result
schemas as the CLI's ``--json`` (:meth:`bmdlab.api.results.Result.to_dict`). Long work (coverages,
raids, comparisons, trade-offs, the study) runs as jobs on a bounded pool of worker threads
(:mod:`bmdlab.web.jobs`) with progress and cancellation; the synchronous endpoints submit a job and
wait for it. Coverages go through one :class:`~bmdlab.coverage.incremental.CoverageCache`, so that
moving one unit recomputes only what that unit changes. The routes live in :mod:`bmdlab.web.routers`
(one router per area), the state in :class:`bmdlab.web.server.Server`.

Safe by default: the server binds to localhost and then answers only requests addressed to
localhost (no DNS rebinding); requests that change its state must come from its own page or a program,
typed as JSON and carrying the server's token (:mod:`bmdlab.web.guard`: another web site's page
cannot use it); it never takes a file-system path from a request (scenarios are built-in names or
uploaded text); request bodies are size- and depth-limited; a full job queue answers 429; no
telemetry, and the page loads nothing from outside the package.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from bmdlab import __version__
from bmdlab.api import catalog_of
from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError
from bmdlab.web.guard import RequestGuard
from bmdlab.web.jobs import QueueFull
from bmdlab.web.models import ERRORS, CoverageRequest, problem
from bmdlab.web.options import LOOPBACK_HOSTS, MAX_BODY_BYTES, STATE_CHANGING, STATIC, TOKEN_HEADER, check_token
from bmdlab.web.routers import analyses, exports, jobs, page, reference, scenarios, views
from bmdlab.web.server import Server

log = logging.getLogger("bmdlab.web")

#: Security headers of every response (the page's own files only; no inline scripts).
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def create_app(
    catalog: Catalog | str | Path | None = None,
    *,
    workers: int | None = None,
    max_jobs: int = 8,
    cache_gib: float = 3.0,
    warm: bool = False,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
    study_command: list[str] | None = None,
    token: str | None = None,
) -> FastAPI:
    """The FastAPI application of ``bmdlab serve``: the catalog (default: the built-in one, or a directory),
    ``workers`` job threads (default: one per core), at most ``max_jobs`` queued or running (more get 429),
    ``cache_gib`` of cached trajectories, the baseline's coverage computed at start-up with ``warm``, the
    Host headers answered (default: loopback names only; None answers any host), the study's command line
    before ``--out DIR --resolution-km R`` (tests pass a quick stand-in), and the token that requests
    changing state carry (default: a new random one; it is ``app.state.server.token``). Bodies are read up
    to :data:`~bmdlab.web.options.MAX_BODY_BYTES` (larger get 413)."""
    if cache_gib <= 0:
        raise BmdlabError("cache_gib: must be > 0")
    server = Server(
        catalog_of(catalog),
        workers or os.cpu_count() or 1,
        max_jobs,
        int(cache_gib * 2**30),
        study_command,
        token=None if token is None else check_token(token),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            server.jobs.submit("warm-up", server.coverage_job(CoverageRequest(scenario="japan-2017-baseline")))
        yield
        server.close()

    app = FastAPI(
        title="bmdlab",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        description="Japan's missile defence, computed: coverage, raids, comparisons and costs from bmdlab's "
        "public Python API. Results have the schemas of the CLI's --json. Errors are "
        '{"detail": "one line"} with a 4xx status.',
    )
    app.state.server = server
    # the last added runs first: the security headers on every answer, then the Host check, then the guard
    # (whose Origin check trusts the Host header only once it is a name this server answers)
    app.add_middleware(RequestGuard, token=server.token, limit=MAX_BODY_BYTES)
    if allowed_hosts is not None:
        app.add_middleware(HostCheck, allowed_hosts=list(allowed_hosts))
    app.middleware("http")(_headers)
    _errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for r in (
        page.router,
        page.documented,
        reference.router,
        scenarios.router,
        analyses.router,
        jobs.router,
        views.router,
        exports.router,
    ):
        app.include_router(r)
    _document_the_token(app)
    return app


async def _headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def _errors(app: FastAPI) -> None:
    """Every error as ``{"detail": "one line"}``: bad input 422, a full queue 429, HTTP errors as they are."""

    @app.exception_handler(BmdlabError)
    async def _bmdlab_error(request: Request, exc: BmdlabError):
        return problem(422, str(exc).splitlines()[0] if str(exc) else "bad input")

    @app.exception_handler(QueueFull)
    async def _queue_full(request: Request, exc: QueueFull):
        return problem(429, f"jobs: {exc}", {"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return problem(422, one_line(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # FastAPI's, e.g. for bytes not UTF-8
            return problem(422, "body: not valid JSON; send a JSON object as UTF-8 text")
        return problem(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # a bug, not a bad input (every input has a 4xx): logged with its traceback, answered in one line
        log.error("%s %s: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
        return problem(500, f"internal error: {type(exc).__name__}; the server's log has the details")


def _document_the_token(app: FastAPI) -> None:
    """Declare in the OpenAPI document what every request that changes state needs: the token (a security
    scheme, so that /api/docs shows it) and the answers to a request without it (403) or not JSON (415);
    and the models of the job bodies."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in jobs.REQUESTS.values():  # the job bodies the route reads by hand (jobs.BODY refers to them)
            if model.__name__ not in schemas:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
        schemes = spec.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["token"] = {
            "type": "apiKey",
            "in": "header",
            "name": TOKEN_HEADER,
            "description": "this server's token (a new one at each start): in the page's HTML, or GET /api/token",
        }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in spec.get("paths", {}).values():
            for method, op in operations.items():
                if method.upper() in STATE_CHANGING:
                    op["security"] = [{"token": []}]
                    for status in (403, 415):
                        op["responses"].setdefault(str(status), {"description": ERRORS[status], "content": error})
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def one_line(exc: RequestValidationError) -> str:
    """The first validation error as 'field: problem' (the same style as the CLI's errors)."""
    errs = exc.errors()
    if not errs:
        return "body: not valid"
    e = errs[0]
    loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
    msg = str(e.get("msg", "not valid")).removeprefix("Value error, ")
    if e.get("type") == "json_invalid":
        return "body: not valid JSON; send a JSON object"
    if e.get("type") == "extra_forbidden":
        return f"{loc}: unknown field; remove it (see /api/docs)"
    return f"{loc}: {msg[0].lower() + msg[1:]}"


class HostCheck(TrustedHostMiddleware):
    """Starlette's Host header check (no DNS rebinding), its refusal as ``{"detail": "one line"}`` with 400."""

    def __init__(self, app, allowed_hosts: list[str]):
        async def passed(scope, receive, send):
            scope["bmdlab.host_ok"] = True
            await app(scope, receive, send)

        super().__init__(passed, allowed_hosts=allowed_hosts, www_redirect=False)
        self.hosts = ", ".join(allowed_hosts)

    async def __call__(self, scope, receive, send):
        async def refuse(message):
            if scope.get("bmdlab.host_ok"):  # an answer of the app: as it is
                return await send(message)
            if message["type"] == "http.response.start":
                body = self._refusal()
                return await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
            if message["type"] == "http.response.body":
                return await send({"type": "http.response.body", "body": self._refusal()})
            return await send(message)

        await super().__call__(scope, receive, refuse)

    def _refusal(self) -> bytes:
        return bytes(
            JSONResponse(
                {"detail": f"host: this server answers only requests addressed to {self.hosts}"}, status_code=400
            ).body
        )


__all__ = ["HostCheck", "create_app", "one_line"]
