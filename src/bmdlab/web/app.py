"""``bmdlab serve``: a local web server over the public Python API, and the page it serves.

The JSON API (documented at ``/api/docs``, schema at ``/api/openapi.json``) returns the same result
schemas as the CLI's ``--json`` (they are :meth:`bmdlab.api.results.Result.to_dict`). Long work
(coverages, raids, comparisons, trade-offs) runs as jobs on a bounded pool of worker threads
(:mod:`bmdlab.web.jobs`) with progress and cancellation; the synchronous endpoints submit a job and
wait for it. Coverages go through one :class:`~bmdlab.coverage.incremental.CoverageCache`, so that
moving one unit recomputes only what that unit changes.

Safe by default: the server binds to localhost and then answers only requests addressed to
localhost (no DNS rebinding); it never takes a file-system path from a request (scenarios are
built-in names or uploaded text); request bodies are size-limited; a full job queue answers 429;
no telemetry, and the page loads nothing from outside the package.
"""

from __future__ import annotations

import json
import os
import time
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from bmdlab.api import Analysis, CoverageCache, catalog_of, compare, scenario_names
from bmdlab.api.analysis import SHAPES
from bmdlab.api.checks import check_float, check_int
from bmdlab.catalog import Catalog
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.errors import BmdlabError
from bmdlab.export import points_geojson
from bmdlab.scenario import Scenario, scenario_from_data, scenario_from_text
from bmdlab.web.jobs import Job, JobQueue, QueueFull

#: Largest request body the server reads [bytes] (a scenario YAML is a few KiB).
MAX_BODY_BYTES = 256 * 1024
#: Limits that keep one request interactive; the CLI has none of them.
MAX_UNITS = 200
MAX_THREAT_CASES = 60
MAX_TRIALS = 200_000
RESOLUTIONS_KM = (20.0, 10.0, 5.0)
MIN_RESOLUTION_KM, MAX_RESOLUTION_KM = 5.0, 50.0
#: Hosts a loopback server answers to.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
GEO_LAYERS = {
    "outline": "japan_outline.geojson",
    "prefectures": "japan_prefectures.geojson",
    "region-context": "region_context.geojson",
}
STATIC = Path(str(resources.files("bmdlab") / "web" / "static"))

ScenarioIn = dict[str, Any] | str
_SCENARIO_HELP = "a built-in scenario name (GET /api/scenarios) or a scenario as JSON (the YAML schema)"
_COMMON_MODE_HELP = (
    "correlation (0 to 0.99) of the kill outcomes of one interceptor type's shots in a raid, for every "
    "type (default: the scenario's engagement.common_mode, else independent shots)"
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CoverageRequest(_Body):
    scenario: ScenarioIn = Field(description=_SCENARIO_HELP)
    resolution_km: float = Field(10.0, description="grid cell size [km], 5 to 50")


class RaidRequest(_Body):
    scenario: ScenarioIn = Field(description=_SCENARIO_HELP)
    missiles: int | None = Field(None, description="missiles in the raid (default: the scenario's raid)")
    trials: int = Field(2000, description=f"Monte Carlo trials, 1 to {MAX_TRIALS:,}")
    doctrine: Literal["shoot-look-shoot", "salvo", "salvo-2", "preferential"] | None = None
    seed: int = DEFAULT_SEED
    common_mode: float | None = Field(None, description=_COMMON_MODE_HELP)
    capacity: bool | None = Field(
        None, description="honour fire channels and C2 decision times (default: the scenario's, on)"
    )
    availability: float | None = Field(
        None,
        description="probability 0 to 1 that every unit is on station (default: the scenario's, else the catalog's)",
    )


class CompareRequest(_Body):
    a: ScenarioIn = Field(description="architecture A: " + _SCENARIO_HELP)
    b: ScenarioIn = Field(description="architecture B (its units in A's scenario): " + _SCENARIO_HELP)
    missiles: int | None = None
    trials: int = Field(2000, description=f"paired Monte Carlo trials, 2 to {MAX_TRIALS:,}")
    doctrine: Literal["shoot-look-shoot", "salvo", "salvo-2", "preferential"] | None = None
    seed: int = DEFAULT_SEED
    common_mode: float | None = Field(None, description=_COMMON_MODE_HELP)
    capacity: bool | None = Field(
        None, description="honour fire channels and C2 decision times (default: the scenario's, on)"
    )
    availability: float | None = Field(
        None,
        description="probability 0 to 1 that every unit is on station (default: the scenario's, else the catalog's)",
    )


class FootprintRequest(_Body):
    unit: str = Field(description="catalog unit key, e.g. thaad-battery")
    at: str = Field(description="where the unit stands: LAT,LON, a catalog place or a city key")
    missile: str = Field(description="catalog missile key, e.g. nodong")
    launch: str = Field(description="launch area: a catalog place or LAT,LON")
    shape: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    apogee_km: float | None = None
    scenario: ScenarioIn = Field("japan-2017-baseline", description="whose engagement model to use")


class CostRequest(_Body):
    scenario: ScenarioIn = Field(description=_SCENARIO_HELP)
    years: int | None = None
    reloads: int | None = None


class TradeoffRequest(_Body):
    raid: int = Field(200, description="missiles in the raid")
    trials: int = Field(1000, description=f"Monte Carlo trials per option, 1 to {MAX_TRIALS:,}")
    resolution_km: float = Field(20.0, description="coverage grid [km], 5 to 50")


class StudyRequest(_Body):
    resolution_km: float = Field(
        10.0, description="coverage grid of the study [km], 5 to 50 (the published study uses 5)"
    )


class ScenarioJSON(_Body):
    scenario: ScenarioIn = Field(description=_SCENARIO_HELP)


class _Limited:
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


def _one_line(exc: RequestValidationError) -> str:
    """The first validation error as 'field: problem' (the same style as the CLI's errors)."""
    errs = exc.errors()
    if not errs:
        return "body: not valid"
    e = errs[0]
    loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
    msg = str(e.get("msg", "not valid"))
    if e.get("type") == "json_invalid":
        return "body: not valid JSON; send a JSON object"
    if e.get("type") == "extra_forbidden":
        return f"{loc}: unknown field; remove it (see /api/docs)"
    return f"{loc}: {msg[0].lower() + msg[1:]}"


def _browser_limit(check, name: str, value, low, high, **kw):
    """``check`` (from :mod:`bmdlab.api.checks`) with the browser app's bounds, saying the CLI has none."""
    try:
        return check(name, value, low, high, **kw)
    except BmdlabError as exc:
        raise BmdlabError(f"{exc} in the browser app (the CLI takes more)") from None


class Server:
    """What the app holds: the catalog, the coverage cache and the job queue (no global state)."""

    def __init__(
        self, catalog: Catalog, workers: int, max_jobs: int, cache_bytes: int, study_command: list[str] | None = None
    ):
        import sys

        self.catalog = catalog
        #: the study's command line, before ``--out DIR --resolution-km R`` (tests substitute a quick stand-in)
        self.study_command = study_command or [sys.executable, "-m", "bmdlab", "study", "japan-2017"]
        self.cache = CoverageCache(catalog, max_bytes=cache_bytes, workers=workers)
        self.jobs = JobQueue(workers=workers, max_jobs=max_jobs)
        self.names = scenario_names(catalog)
        self.study_dirs: dict[str, Path] = {}  #: job id -> the folder its study was written to

    def close(self) -> None:
        """Stop the jobs and delete the study folders."""
        import shutil

        self.jobs.shutdown()
        for folder in self.study_dirs.values():
            shutil.rmtree(folder, ignore_errors=True)

    # -- inputs ------------------------------------------------------------------------------
    def scenario(self, given: ScenarioIn, field: str = "scenario") -> Scenario:
        """A built-in scenario or trade-off option by name, or a scenario given as JSON; never a path."""
        from bmdlab.cost.options import resolve_scenario

        if isinstance(given, str):
            if given not in self.names:
                raise BmdlabError(
                    f"{field}: '{given}' is not a built-in scenario or trade-off option "
                    f"({', '.join(self.names)}); upload a YAML file to use your own"
                )
            sc = resolve_scenario(given, self.catalog, field)
        else:
            sc = scenario_from_data(given, self.catalog, field)
        if len(sc.architecture.units) > MAX_UNITS:
            raise BmdlabError(
                f"{field}.architecture.units: {len(sc.architecture.units)} units; the browser app takes at "
                f"most {MAX_UNITS} (use the CLI for more)"
            )
        from bmdlab.coverage.national import threat_cases

        n = len(threat_cases(sc, self.catalog))
        if n > MAX_THREAT_CASES:
            raise BmdlabError(
                f"{field}.threat: {n} threat cases (launch area x missile x shape); the browser app takes "
                f"at most {MAX_THREAT_CASES} (use the CLI for more)"
            )
        return sc

    @staticmethod
    def resolution(value: float, field: str = "resolution_km") -> float:
        return _browser_limit(check_float, field, value, MIN_RESOLUTION_KM, MAX_RESOLUTION_KM, unit="km")

    @staticmethod
    def common_mode(value: float | None) -> float | None:
        return None if value is None else check_float("common_mode", value, 0.0, 0.99)

    @staticmethod
    def availability(value: float | None) -> float | None:
        return None if value is None else check_float("availability", value, 0.0, 1.0)

    @staticmethod
    def trials(value: int, low: int = 1) -> int:
        return _browser_limit(check_int, "trials", value, low, MAX_TRIALS)

    # -- jobs ----------------------------------------------------------------------------------
    def coverage_job(self, req: CoverageRequest):
        sc, res = self.scenario(req.scenario), self.resolution(req.resolution_km)

        def run(job: Job) -> dict[str, Any]:
            t0 = time.perf_counter()
            a = Analysis(sc, catalog=self.catalog)
            total = max(1, self.cache.pending(sc, res) + len(self.cache.cases(sc)))
            done = [0]

            def tick(case) -> None:
                done[0] += 1
                job.tick(min(done[0] / total, 0.99), f"{case.label}")

            job.tick(0.0, "preparing the grid and the units")
            r = a.coverage(res, cache=self.cache, progress=tick)
            out = r.to_dict()
            out["layers"] = self.coverage_layers(r, sc)
            out["timing_s"] = round(time.perf_counter() - t0, 3)
            return out

        return run

    def coverage_layers(self, r, sc: Scenario) -> dict[str, Any]:
        """GeoJSON layers of the map: coverage classes, units, launch areas and cities."""
        import numpy as np

        cov = r.to_geojson()
        for f in cov["features"]:
            f["properties"]["shot_class"] = f["properties"]["class"]
        units = [
            {
                "lat": round(float(np.degrees(d.lat)), 5),
                "lon": round(float(np.degrees(d.lon)), 5),
                "index": i,
                "name": d.name,
                "unit": spec.unit,
                "system": self.catalog.units[spec.unit].name,
                "basing": self.catalog.units[spec.unit].basing,
                "interceptor": d.interceptor,
                "tier": d.tier,
            }
            for i, (spec, d) in enumerate(zip(sc.architecture.units, r.coverage.defenders))
        ]
        areas = [
            {
                "lat": self.catalog.place(k).lat.nominal,
                "lon": self.catalog.place(k).lon.nominal,
                "key": k,
                "name": self.catalog.place(k).name,
            }
            for k in dict.fromkeys(c.launch_area for c in r.coverage.threats)
        ]
        return {
            "coverage": cov,
            "units": points_geojson(units),
            "launch_areas": points_geojson(areas),
            "cities": r.cities_geojson(),
        }

    def raid_job(self, req: RaidRequest):
        sc = self.scenario(req.scenario)
        trials = self.trials(req.trials)
        a = Analysis(sc, catalog=self.catalog, seed=req.seed)
        a.check_raid(req.missiles, trials=trials, doctrine=req.doctrine)
        common_mode = self.common_mode(req.common_mode)
        availability = self.availability(req.availability)

        def run(job: Job) -> dict[str, Any]:
            job.tick(0.0, "planning the raid (flying every missile, building fly-out fans)")
            r = a.raid(
                req.missiles,
                trials=trials,
                doctrine=req.doctrine,
                common_mode=common_mode,
                capacity=req.capacity,
                availability=availability,
                progress=lambda done, total: job.tick(done / total, f"{done:,} of {total:,} trials"),
            )
            return r.to_dict()

        return run

    def compare_job(self, req: CompareRequest):
        sa, sb = self.scenario(req.a, "a"), self.scenario(req.b, "b")
        trials = self.trials(req.trials, low=2)
        Analysis(sa, catalog=self.catalog, seed=req.seed).check_raid(req.missiles, trials=trials, doctrine=req.doctrine)
        common_mode = self.common_mode(req.common_mode)
        availability = self.availability(req.availability)

        def run(job: Job) -> dict[str, Any]:
            job.tick(0.0, "planning both raids")
            r = compare(
                sa,
                sb,
                catalog=self.catalog,
                missiles=req.missiles,
                trials=trials,
                doctrine=req.doctrine,
                seed=req.seed,
                common_mode=common_mode,
                capacity=req.capacity,
                availability=availability,
                progress=lambda done, total: job.tick(done / total, f"{done:,} of {total:,} trials"),
            )
            return r.to_dict()

        return run

    def tradeoff_job(self, req: TradeoffRequest):
        trials = self.trials(req.trials)
        res = self.resolution(req.resolution_km)
        a = Analysis("japan-2017-baseline", catalog=self.catalog)

        def run(job: Job) -> dict[str, Any]:
            n = [0]

            def tick(label: str) -> None:
                n[0] += 1
                job.tick(min(n[0] / 8.0, 0.99), str(label))

            return a.tradeoff(raid=req.raid, trials=trials, resolution_km=res, progress=tick).to_dict()

        return run

    def study_job(self, req: StudyRequest):
        """The Japan 2017 study in a child process (``bmdlab study``), into a folder the server owns.

        A child process can be stopped at any moment (cancel = terminate; the study's output folder
        is written atomically, so nothing half-written is left), and its progress lines (the study
        prints timestamped lines when its output is not a terminal) give the job's progress.
        """
        import re
        import subprocess
        import tempfile

        res = self.resolution(req.resolution_km)
        step = re.compile(r"^\S+ \S+ (.*?): (?:started \((\d+)/(\d+)\)|(\d+)/(\d+) after|done (\d+)/(\d+))")

        def run(job: Job) -> dict[str, Any]:
            folder = Path(tempfile.mkdtemp(prefix=f"bmdlab-study-{job.id}-"))
            self.study_dirs[job.id] = folder
            out = folder / "japan-2017"
            cmd = [*self.study_command, "--out", str(out), "--resolution-km", f"{res:g}"]
            env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
            steps, last = 10, ""  # the study's ten stages (bmdlab.study.japan2017.run_study)
            done_steps = 0
            try:
                job.tick(0.0, "starting the study")
                for line in proc.stderr:
                    last = line.strip() or last
                    m = step.match(line)
                    if m is None:
                        job.tick(job.progress)
                        continue
                    label = m.group(1)
                    if m.group(6):
                        done_steps += 1
                        frac = done_steps / steps
                    else:
                        k, n = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
                        frac = (done_steps + int(k) / max(int(n), 1)) / steps
                    job.tick(min(frac, 0.99), label)
                code = proc.wait()
            except BaseException:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:  # pragma: no cover
                    proc.kill()
                raise
            if code != 0:
                raise BmdlabError(f"study: failed ({last.removeprefix('error: ')})")
            results = json.loads((out / "results.json").read_text(encoding="utf-8"))
            files = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
            return {
                "kind": "study-run",
                "resolution_km": res,
                "files": files,
                "report_url": f"/api/jobs/{job.id}/files/report.html",
                "results_url": f"/api/jobs/{job.id}/files/results.json",
                "claims": [
                    {k: c.get(k) for k in ("id", "quote", "figure", "verdict", "why")}
                    for c in results.get("claims", [])
                ],
                "provenance": results.get("provenance"),
            }

        return run

    def study_file(self, job_id: str, name: str) -> Path | None:
        """A file a finished study job wrote, by its plain name (never a path from the request)."""
        folder = self.study_dirs.get(job_id)
        if folder is None:
            return None
        out = folder / "japan-2017"
        if not out.is_dir():
            return None
        files = {p.name: p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
        return files.get(name)

    def footprint_job(self, req: FootprintRequest):
        a = Analysis(self.scenario(req.scenario), catalog=self.catalog)

        def run(job: Job) -> dict[str, Any]:
            r = a.footprint(req.unit, req.at, req.missile, req.launch, shape=req.shape, apogee_km=req.apogee_km)
            return {**r.to_dict(), "layers": {"footprint": r.to_geojson()}}

        return run

    def submit(self, kind: str, req: BaseModel) -> Job:
        make = {
            "coverage": self.coverage_job,
            "raid": self.raid_job,
            "compare": self.compare_job,
            "tradeoff": self.tradeoff_job,
            "study": self.study_job,
            "footprint": self.footprint_job,
        }[kind]
        return self.jobs.submit(kind, make(req))  # inputs are checked before the job is queued

    def run_sync(self, kind: str, req: BaseModel) -> dict[str, Any]:
        job = self.jobs.wait(self.submit(kind, req))
        if job.state == "failed":
            raise BmdlabError(job.error or "failed")
        if job.state == "cancelled":
            raise BmdlabError("job: cancelled")
        return job.result


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
    """The FastAPI application of ``bmdlab serve``.

    Parameters
    ----------
    catalog
        The catalog (default: the built-in one) or a catalog directory.
    workers
        Job worker threads (default: one per core).
    max_jobs
        Jobs that may be queued or running at once; more get 429.
    max_body_bytes
        Largest request body; larger ones get 413.
    cache_gib
        Memory budget of the coverage cache's trajectories [GiB].
    warm
        Compute the default scenario's 10 km coverage at start-up, so the first page load is quick.
    allowed_hosts
        Host headers answered (default: loopback names only); None answers any host.
    study_command
        The study's command line before ``--out DIR --resolution-km R`` (default ``bmdlab study
        japan-2017`` in a child process); tests pass a quick stand-in.
    """
    from contextlib import asynccontextmanager

    from bmdlab import __version__

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
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(_Limited, limit=max_body_bytes)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not request.url.path.startswith("/api/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
            )
        return response

    @app.exception_handler(BmdlabError)
    async def _bmdlab_error(request: Request, exc: BmdlabError):
        return JSONResponse({"detail": str(exc).splitlines()[0] if str(exc) else "bad input"}, status_code=422)

    @app.exception_handler(QueueFull)
    async def _queue_full(request: Request, exc: QueueFull):
        return JSONResponse({"detail": f"jobs: {exc}"}, status_code=429, headers={"Retry-After": "2"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _one_line(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return JSONResponse(
            {"detail": str(exc.detail)}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    # -------------------------------------------------------------------------- the page
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="bmdlab API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    # -------------------------------------------------------------------------- reference data
    @app.get("/api/health", tags=["reference"])
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "catalog_hash": server.catalog.hash,
            "cache_bytes": server.cache.nbytes,
            "cache": server.cache.stats.to_dict(),
        }

    @app.get("/api/scenarios", tags=["reference"])
    def scenarios() -> dict[str, Any]:
        """The built-in scenarios (first the 2017 baseline) and the trade-off options."""
        from bmdlab.scenario import builtin_scenarios, load_scenario

        names = sorted(builtin_scenarios(), key=lambda n: (n != "japan-2017-baseline", n))
        return {
            "scenarios": [
                {"name": n, "description": " ".join((load_scenario(n, server.catalog).description or "").split())}
                for n in names
            ],
            "options": [n for n, kind in server.names.items() if kind == "trade-off option"],
        }

    @app.get("/api/scenarios/{name}", tags=["scenarios"])
    def scenario(name: str) -> dict[str, Any]:
        """A built-in scenario (or trade-off option) as JSON and as YAML."""
        if name not in server.names:
            return JSONResponse(
                {
                    "detail": f"name: '{name}' is not a built-in scenario or trade-off option "
                    f"({', '.join(server.names)})"
                },
                status_code=404,
            )
        sc = server.scenario(name)
        return {"name": sc.name, "scenario": scenario_json(sc), "yaml": scenario_yaml(sc)}

    @app.post(
        "/api/scenario",
        tags=["scenarios"],
        openapi_extra={
            "requestBody": {"content": {"application/x-yaml": {"schema": {"type": "string"}}}, "required": True}
        },
    )
    async def upload(request: Request) -> dict[str, Any]:
        """Validate an uploaded scenario (YAML text, at most 256 KiB) with the CLI's strict checks."""
        raw = await request.body()
        if not raw.strip():
            raise BmdlabError("body: empty; send a scenario YAML file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BmdlabError("body: not UTF-8 text; send a scenario YAML file") from None
        sc = scenario_from_text(text, server.catalog, "upload")
        sc = server.scenario(scenario_json(sc), "upload")
        return {"name": sc.name, "scenario": scenario_json(sc), "yaml": scenario_yaml(sc)}

    @app.post(
        "/api/scenario/yaml",
        tags=["scenarios"],
        response_class=Response,
        responses={200: {"content": {"application/x-yaml": {}}}},
    )
    def download_yaml(req: ScenarioJSON) -> Response:
        """The scenario as a YAML file (a download)."""
        sc = server.scenario(req.scenario)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in sc.name)[:80] or "scenario"
        return Response(
            scenario_yaml(sc),
            media_type="application/x-yaml",
            headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'},
        )

    @app.get("/api/catalog", tags=["reference"])
    def catalog() -> dict[str, Any]:
        """Units, missiles, launch areas, shapes and doctrines, for the page's choices."""
        from bmdlab.trajectory import max_range

        cat = server.catalog
        return {
            "hash": cat.hash,
            "units": [
                {
                    "key": k,
                    "name": u.name,
                    "basing": u.basing,
                    "interceptor": u.interceptor,
                    "tier": cat.interceptors[u.interceptor].tier,
                }
                for k, u in cat.units.items()
            ],
            "missiles": [
                {"key": k, "name": m.name, "range_km": round(max_range(m) / 1e3)} for k, m in cat.missiles.items()
            ],
            "launch_areas": [
                {"key": k, "name": cat.place(k).name, "lat": cat.place(k).lat.nominal, "lon": cat.place(k).lon.nominal}
                for k in cat.places_of("launch-area")
            ],
            "shapes": list(SHAPES),
            "doctrines": ["shoot-look-shoot", "salvo", "preferential"],
            "resolutions_km": list(RESOLUTIONS_KM),
        }

    @app.get("/api/geo/{layer}", tags=["reference"])
    def geo(layer: str):
        """Shipped geodata (Natural Earth 1:10m, public domain): Japan's outline, its prefectures, the region."""
        if layer not in GEO_LAYERS:
            return JSONResponse(
                {"detail": f"layer: '{layer}' is unknown; use {', '.join(GEO_LAYERS)}"}, status_code=404
            )
        path = Path(str(resources.files("bmdlab") / "geo" / "data" / GEO_LAYERS[layer]))
        return FileResponse(path, media_type="application/geo+json")

    # -------------------------------------------------------------------------- analyses
    @app.post("/api/coverage", tags=["analyses"])
    def coverage(req: CoverageRequest) -> dict[str, Any]:
        """National coverage (the CLI's `coverage --json`) plus GeoJSON layers for a map."""
        return server.run_sync("coverage", req)

    @app.post("/api/raid", tags=["analyses"])
    def raid(req: RaidRequest) -> dict[str, Any]:
        """Monte Carlo of the scenario's raid (the CLI's `raid --json`)."""
        return server.run_sync("raid", req)

    @app.post("/api/compare", tags=["analyses"])
    def compare_(req: CompareRequest) -> dict[str, Any]:
        """B against A: the same raid and seed, and the paired difference in leakers with its 95 % CI."""
        return server.run_sync("compare", req)

    @app.post("/api/tradeoff", tags=["analyses"])
    def tradeoff(req: TradeoffRequest) -> dict[str, Any]:
        """Cost against effectiveness of the built-in trade-off options (the CLI's `tradeoff --json`)."""
        return server.run_sync("tradeoff", req)

    @app.post("/api/footprint", tags=["analyses"])
    def footprint(req: FootprintRequest) -> dict[str, Any]:
        """The defended footprint of one unit against one threat (the CLI's `footprint --json`) and its GeoJSON."""
        return server.run_sync("footprint", req)  # a job like the others, so a flood of requests gets 429

    @app.post("/api/cost", tags=["analyses"])
    def cost(req: CostRequest) -> dict[str, Any]:
        """Life-cycle cost of the architecture (the CLI's `cost --json`)."""
        return (
            Analysis(server.scenario(req.scenario), catalog=server.catalog)
            .cost(years=req.years, reloads=req.reloads)
            .to_dict()
        )

    # -------------------------------------------------------------------------- jobs
    @app.post("/api/jobs/{kind}", status_code=202, tags=["jobs"])
    async def submit(
        kind: Literal["coverage", "raid", "compare", "tradeoff", "study"], request: Request
    ) -> dict[str, Any]:
        """Start a job; the body is that of POST /api/{kind} (for ``study``: ``{resolution_km}``, the
        Japan 2017 study). Follow it with GET /api/jobs/{id} or the event stream /api/jobs/{id}/events."""
        model = {
            "coverage": CoverageRequest,
            "raid": RaidRequest,
            "compare": CompareRequest,
            "tradeoff": TradeoffRequest,
            "study": StudyRequest,
        }[kind]
        try:
            body = await request.json()
        except ValueError:
            raise BmdlabError("body: not valid JSON; send a JSON object") from None
        from pydantic import ValidationError

        try:
            req = model.model_validate(body)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from None
        from starlette.concurrency import run_in_threadpool

        job = await run_in_threadpool(server.submit, kind, req)  # checks inputs (may load a scenario) off the loop
        return job.status(with_result=False)

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def job_status(job_id: str) -> dict[str, Any]:
        """State, progress (0-1) and, once done, the result or a one-line error."""
        job = server.jobs.get(job_id)
        if job is None:
            return JSONResponse(
                {"detail": f"job: '{job_id}' is unknown (finished jobs are kept for a while)"}, status_code=404
            )
        return jsonable_encoder(job.status())

    @app.get(
        "/api/jobs/{job_id}/events",
        tags=["jobs"],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def job_events(job_id: str, request: Request):
        """Server-sent events: the job's status each time it changes, the last one with its result."""
        import asyncio

        job = server.jobs.get(job_id)
        if job is None:
            return JSONResponse({"detail": f"job: '{job_id}' is unknown"}, status_code=404)

        async def stream():
            last, quiet = None, 0.0
            while True:
                if await request.is_disconnected():
                    return
                status = job.status()  # one snapshot: the result is in it exactly when its state is done
                final = status["state"] in ("done", "failed", "cancelled")
                key = (status["state"], status["progress"], status["message"])
                if key != last:
                    last, quiet = key, 0.0
                    yield f"event: status\ndata: {json.dumps(jsonable_encoder(status), allow_nan=False)}\n\n"
                elif quiet >= 15.0:  # a comment line keeps idle connections (and proxies) open
                    quiet = 0.0
                    yield ": ping\n\n"
                if final:
                    return
                await asyncio.sleep(0.1)
                quiet += 0.1

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )

    @app.get("/api/jobs/{job_id}/files/{name}", tags=["jobs"])
    def job_file(job_id: str, name: str):
        """A file written by a finished study job (``report.html``, ``results.json``, figures)."""
        path = server.study_file(job_id, name)
        if path is None:
            return JSONResponse({"detail": f"file: '{name}' is not a file of study job '{job_id}'"}, status_code=404)
        return FileResponse(path)

    @app.delete("/api/jobs/{job_id}", tags=["jobs"])
    def job_cancel(job_id: str) -> dict[str, Any]:
        """Cancel a job: a queued one never starts, a running one stops at its next progress step."""
        job = server.jobs.cancel(job_id)
        if job is None:
            return JSONResponse({"detail": f"job: '{job_id}' is unknown"}, status_code=404)
        return {"id": job.id, "state": "cancelled" if not job.done or job.state == "cancelled" else job.state}

    return app


def scenario_json(sc: Scenario) -> dict[str, Any]:
    """A scenario as the JSON the page edits (the YAML schema; no defaults left out that matter)."""
    return sc.model_dump(mode="json", exclude_none=True, exclude={"source"})


def scenario_yaml(sc: Scenario) -> str:
    """A scenario as YAML text (round-trips through :func:`bmdlab.scenario.scenario_from_text`)."""
    import yaml

    return yaml.safe_dump(scenario_json(sc), sort_keys=False, allow_unicode=True, width=100)
