"""``bmdlab serve``: a local web server over the public Python API, and the page it serves.

The JSON API (documented at ``/api/docs``, schema at ``/api/openapi.json``) returns the same result
schemas as the CLI's ``--json`` (:meth:`bmdlab.api.results.Result.to_dict`). Long work (coverages,
raids, comparisons, trade-offs, the study) runs as jobs on a bounded pool of worker threads
(:mod:`bmdlab.web.jobs`) with progress and cancellation; the synchronous endpoints submit a job and
wait for it. Coverages go through one :class:`~bmdlab.coverage.incremental.CoverageCache`, so that
moving one unit recomputes only what that unit changes. The routes live in :mod:`bmdlab.web.routers`
(one router per area), the state in :class:`bmdlab.web.server.Server`.

Safe by default: the server binds to localhost and then answers only requests addressed to
localhost (no DNS rebinding); it never takes a file-system path from a request (scenarios are
built-in names or uploaded text); request bodies are size-limited; a full job queue answers 429;
no telemetry, and the page loads nothing from outside the package.
"""

from __future__ import annotations

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
from bmdlab.web.jobs import QueueFull
from bmdlab.web.models import CoverageRequest
from bmdlab.web.options import LOOPBACK_HOSTS, MAX_BODY_BYTES, STATIC
from bmdlab.web.routers import analyses, jobs, page, reference, scenarios
from bmdlab.web.server import Server

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
    max_body_bytes: int = MAX_BODY_BYTES,
    cache_gib: float = 3.0,
    warm: bool = False,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
    study_command: list[str] | None = None,
) -> FastAPI:
    """The FastAPI application of ``bmdlab serve``: the catalog (default: the built-in one, or a directory),
    ``workers`` job threads (default: one per core), at most ``max_jobs`` queued or running (more get 429),
    bodies up to ``max_body_bytes`` (larger get 413), ``cache_gib`` of cached trajectories, the baseline's
    coverage computed at start-up with ``warm``, the Host headers answered (default: loopback names only;
    None answers any host), and the study's command line before ``--out DIR --resolution-km R`` (tests pass a
    quick stand-in)."""
    if cache_gib <= 0:
        raise BmdlabError("cache_gib: must be > 0")
    server = Server(
        catalog_of(catalog), workers or os.cpu_count() or 1, max_jobs, int(cache_gib * 2**30), study_command
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
    if allowed_hosts is not None:
        app.add_middleware(HostCheck, allowed_hosts=list(allowed_hosts))
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.middleware("http")(_headers)
    _errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for r in (page.router, reference.router, scenarios.router, analyses.router, jobs.router):
        app.include_router(r)
    return app


async def _headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.url.path.startswith("/api/docs"):
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def _errors(app: FastAPI) -> None:
    """Every error as ``{"detail": "one line"}``: bad input 422, a full queue 429, HTTP errors as they are."""

    @app.exception_handler(BmdlabError)
    async def _bmdlab_error(request: Request, exc: BmdlabError):
        return JSONResponse({"detail": str(exc).splitlines()[0] if str(exc) else "bad input"}, status_code=422)

    @app.exception_handler(QueueFull)
    async def _queue_full(request: Request, exc: QueueFull):
        return JSONResponse({"detail": f"jobs: {exc}"}, status_code=429, headers={"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": one_line(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return JSONResponse(
            {"detail": str(exc.detail)}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )


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


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413 (declared or streamed)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await self._refuse(send)
        seen = 0

        async def limited():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send):
        body = JSONResponse(
            {"detail": f"body: larger than {self.limit // 1024} KiB; send a smaller scenario"}, status_code=413
        ).body
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


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
        return JSONResponse(
            {"detail": f"host: this server answers only requests addressed to {self.hosts}"}, status_code=400
        ).body


__all__ = ["BodyLimit", "HostCheck", "create_app", "one_line"]
