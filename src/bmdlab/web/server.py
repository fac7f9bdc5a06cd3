"""What ``bmdlab serve`` holds and does: the catalog, the coverage cache, the job queue, and the jobs.

:class:`Server` is the app's only state (no globals); routers reach it through the :func:`server`
dependency. Each analysis runs as a job (:mod:`bmdlab.web.jobs`): a ``*_job`` method checks the
request at once (a bad input is a 4xx before anything is queued) and returns the function the job
runs, which reports progress with ``job.tick``.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import Request

from bmdlab import bounds
from bmdlab.api import Analysis, CoverageCache, compare
from bmdlab.api.results import CoverageResult
from bmdlab.assembly.setup import threat_cases
from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError
from bmdlab.export import points_geojson
from bmdlab.scenario import Scenario, resolve_scenario, scenario_from_data, scenario_names, scenario_options
from bmdlab.web.child import keeper_command
from bmdlab.web.jobs import Cancelled, Job, JobQueue
from bmdlab.web.models import (
    CompareRequest,
    CoverageRequest,
    FootprintRequest,
    RaidRequest,
    ScenarioIn,
    StudyRequest,
    TradeoffRequest,
)
from bmdlab.web.options import new_token
from bmdlab.web.workdir import WorkDir, remove_abandoned


def browser_limit(bound: bounds.Bound, name: str, value: Any) -> Any:
    """``bound.check`` with the browser app's limits, saying the CLI takes more."""
    try:
        return bound.check(name, value)
    except BmdlabError as exc:
        raise BmdlabError(f"{exc} in the browser app (the CLI takes more)") from None


class Server:
    """The catalog, the coverage cache, the job queue, the study folders and the token of one ``bmdlab serve``.

    Starting a server removes the study folders that servers no longer running left behind
    (:func:`bmdlab.web.workdir.remove_abandoned`).
    """

    def __init__(
        self,
        catalog: Catalog,
        workers: int,
        max_jobs: int,
        cache_bytes: int,
        study_command: list[str] | None = None,
        token: str | None = None,
    ):
        self.catalog = catalog
        #: the secret a request that changes state carries (web/guard.py); the page gets it in its HTML
        self.token = token or new_token()
        #: the study's command line, before ``--out DIR --resolution-km R`` (tests substitute a quick stand-in)
        self.study_command = study_command or [sys.executable, "-m", "bmdlab", "study", "japan-2017"]
        self.cache = CoverageCache(catalog, max_bytes=cache_bytes, workers=workers)
        self.jobs = JobQueue(workers=workers, max_jobs=max_jobs)
        self.names = scenario_names()
        self.study_dirs: dict[str, Path] = {}  #: job id -> the folder its study was written to
        remove_abandoned()
        self.work = WorkDir()  #: where the study folders are (made at the first study)

    def close(self) -> None:
        """Stop the jobs and delete the study folders."""
        self.jobs.shutdown()
        self.work.close()

    # -- inputs ----------------------------------------------------------------------------------------------
    def scenario(self, given: ScenarioIn, field: str = "scenario") -> Scenario:
        """A built-in scenario or trade-off option by name, or a scenario given as JSON; never a path."""
        if isinstance(given, str):
            if given not in self.names:
                raise BmdlabError(
                    f"{field}: '{given}' is not a built-in scenario or trade-off option "
                    f"({', '.join(self.names)}); upload a YAML file to use your own"
                )
            sc = resolve_scenario(given, self.catalog, field)
        else:
            sc = scenario_from_data(given, self.catalog, field)
        if len(sc.architecture.units) > bounds.BROWSER_MAX_UNITS:
            raise BmdlabError(
                f"{field}.architecture.units: {len(sc.architecture.units)} units; the browser app takes "
                f"at most {bounds.BROWSER_MAX_UNITS} (use the CLI for more)"
            )
        n = len(threat_cases(sc, self.catalog))  # counted, not assembled: no fly-out tables built for a check
        if n > bounds.BROWSER_MAX_THREAT_CASES:
            raise BmdlabError(
                f"{field}.threat: {n} threat cases (launch area x missile x shape); the browser app "
                f"takes at most {bounds.BROWSER_MAX_THREAT_CASES} (use the CLI for more)"
            )
        return sc

    # -- jobs ------------------------------------------------------------------------------------------------
    def submit(self, kind: str, req: Any) -> Job:
        make: dict[str, Callable[[Any], Callable[[Job], Any]]] = {
            "coverage": self.coverage_job,
            "raid": self.raid_job,
            "compare": self.compare_job,
            "tradeoff": self.tradeoff_job,
            "study": self.study_job,
            "footprint": self.footprint_job,
        }
        return self.jobs.submit(kind, make[kind](req))  # inputs are checked before the job is queued

    def run_sync(self, kind: str, req: Any) -> dict[str, Any]:
        job = self.jobs.wait(self.submit(kind, req))
        if job.state == "failed":
            raise BmdlabError(job.error or "failed")
        if job.state == "cancelled":
            raise BmdlabError("job: cancelled")
        return job.result

    def coverage_job(self, req: CoverageRequest):
        sc, overrides = self.scenario(req.scenario), req.overrides()
        res = browser_limit(bounds.BROWSER_RESOLUTION_KM, "resolution_km", req.resolution_km)

        def run(job: Job) -> dict[str, Any]:
            t0 = time.perf_counter()
            job.tick(0.0, "preparing the grid and the units")
            # assembling builds the fly-out fans of interceptors not seen before (seconds): in the job, not the request
            a = Analysis(sc, catalog=self.catalog, overrides=overrides)
            total = max(1, self.cache.pending(a.setup, res) + len(a.setup.threats))
            done = [0]

            def tick(case: Any) -> None:
                done[0] += 1
                job.tick(min(done[0] / total, 0.99), f"{case.label}")

            r = a.coverage(res, cache=self.cache, progress=tick)
            return {
                **r.to_dict(),
                "layers": self.coverage_layers(r, a.scenario),
                "timing_s": round(time.perf_counter() - t0, 3),
            }

        return run

    def coverage_layers(self, r: CoverageResult, sc: Scenario) -> dict[str, Any]:
        """GeoJSON layers of the map: coverage classes, units, launch areas and cities."""
        cov = r.to_geojson()
        for f in cov["features"]:
            f["properties"]["shot_class"] = f["properties"]["class"]
        cat = self.catalog
        units = [
            {
                "lat": round(float(np.degrees(d.lat)), 5),
                "lon": round(float(np.degrees(d.lon)), 5),
                "index": i,
                "name": d.name,
                "unit": spec.unit,
                "system": cat.units[spec.unit].name,
                "basing": cat.units[spec.unit].basing,
                "interceptor": d.interceptor,
                "tier": d.tier,
            }
            for i, (spec, d) in enumerate(zip(sc.architecture.units, r.coverage.defenders))
        ]
        areas = [
            {"lat": cat.place(k).lat.nominal, "lon": cat.place(k).lon.nominal, "key": k, "name": cat.place(k).name}
            for k in dict.fromkeys(c.launch_area for c in r.coverage.threats)
        ]
        return {
            "coverage": cov,
            "units": points_geojson(units),
            "launch_areas": points_geojson(areas),
            "cities": r.cities_geojson(),
        }

    def raid_job(self, req: RaidRequest):
        trials = browser_limit(bounds.BROWSER_TRIALS, "trials", req.trials)
        a = Analysis(self.scenario(req.scenario), catalog=self.catalog, seed=req.seed, overrides=req.overrides())
        a.check_raid(trials=trials)

        def run(job: Job) -> dict[str, Any]:
            job.tick(0.0, "planning the raid (flying every missile, building fly-out fans)")
            return a.raid(
                trials=trials, progress=lambda done, total: job.tick(done / total, f"{done:,} of {total:,} trials")
            ).to_dict()

        return run

    def compare_job(self, req: CompareRequest):
        sa, sb = self.scenario(req.a, "a"), self.scenario(req.b, "b")
        trials = browser_limit(bounds.Bound(2, bounds.BROWSER_TRIALS.high, integer=True), "trials", req.trials)
        overrides = req.overrides().changed()
        Analysis(sa, catalog=self.catalog, seed=req.seed).check_raid(trials=trials, **overrides)

        def run(job: Job) -> dict[str, Any]:
            job.tick(0.0, "planning both raids")
            return compare(
                sa,
                sb,
                catalog=self.catalog,
                trials=trials,
                seed=req.seed,
                progress=lambda done, total: job.tick(done / total, f"{done:,} of {total:,} trials"),
                **overrides,
            ).to_dict()

        return run

    def tradeoff_job(self, req: TradeoffRequest):
        trials = browser_limit(bounds.BROWSER_TRIALS, "trials", req.trials)
        res = browser_limit(bounds.BROWSER_RESOLUTION_KM, "resolution_km", req.resolution_km)
        a = Analysis("japan-2017-baseline", catalog=self.catalog)
        options = len(scenario_options())  # the trade-off ticks once per option

        def run(job: Job) -> dict[str, Any]:
            n = [0]

            def tick(label: str) -> None:
                n[0] += 1
                job.tick(min(n[0] / options, 0.99), str(label))

            return a.tradeoff(raid=req.raid, trials=trials, resolution_km=res, progress=tick).to_dict()

        return run

    def footprint_job(self, req: FootprintRequest):
        sc = self.scenario(req.scenario)

        def run(job: Job) -> dict[str, Any]:
            a = Analysis(sc, catalog=self.catalog)  # assembling may build fly-out fans: in the job
            r = a.footprint(req.unit, req.at, req.missile, req.launch, shape=req.shape, apogee_km=req.apogee_km)
            return {**r.to_dict(), "layers": {"footprint": r.to_geojson()}}

        return run

    def study_job(self, req: StudyRequest):
        """The Japan 2017 study in a child process (``bmdlab study --progress-events``), into a folder the
        server owns.

        A child process can be stopped at any moment (cancel = terminate its process group; the study's
        output folder is written atomically, so nothing half-written is left); it reports each stage's
        progress as one JSON object per line on its standard output
        (:class:`bmdlab.study.japan2017.StudyProgress`: the fraction of the whole study and the stage's
        label), which becomes the job's progress and message.
        """
        res = browser_limit(bounds.BROWSER_RESOLUTION_KM, "resolution_km", req.resolution_km)

        def run(job: Job) -> dict[str, Any]:
            folder = self.work.folder(prefix=f"bmdlab-study-{job.id}-")
            self.study_dirs[job.id] = folder
            out = folder / "japan-2017"
            code, errors = _run_study(
                job, [*self.study_command, "--out", str(out), "--resolution-km", f"{res:g}", "--progress-events"]
            )
            if code != 0:
                last = next((e for e in reversed(errors) if e), f"exit code {code}")
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
        out = None if folder is None else folder / "japan-2017"
        if out is None or not out.is_dir():
            return None
        files = {p.name: p for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
        return files.get(name)


def _run_study(job: Job, cmd: list[str]) -> tuple[int, list[str]]:
    """Run the study's command, turning its JSON progress events (standard output) into job ticks; (exit code,
    its standard error lines).

    The child runs in a process group of its own, led on POSIX by a keeper (:mod:`bmdlab.web.child`) that
    stops the group when this server ends, even by SIGKILL. A watcher stops the whole group (the study's
    coverage workers too) as soon as the job is cancelled, however long the study is between two events,
    and stops what is left of the group when the study ends (a leftover child would hold its output
    open). Progress only goes up and stays below 1 until the job's result is ready.
    """
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    posix = os.name == "posix"
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as err:
        proc = subprocess.Popen(
            keeper_command(cmd) if posix else cmd,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            start_new_session=posix,
        )
        threading.Thread(target=_watch, args=(job, proc), name=f"bmdlab-study-{job.id}", daemon=True).start()
        try:
            job.tick(0.0, "starting the study")
            for line in proc.stdout or []:
                event = _event(line)
                if event is not None:
                    fraction, label = event
                    job.tick(max(job.progress, min(fraction, 0.99)), label)
            code = proc.wait()
            if job.cancel_requested():
                raise Cancelled()
        except BaseException:
            _stop(proc)
            raise
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
        err.seek(0)
        return code, [x.strip() for x in err.read().splitlines()]


def _watch(job: Job, proc: subprocess.Popen) -> None:
    """Wait until the study ends or ``job`` is cancelled, then stop whatever is left of its process group."""
    while proc.poll() is None and not job.cancel_requested(timeout=0.1):
        pass
    _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the child's process group (POSIX; else the child, if it runs); kill it after 30 s."""
    if os.name != "posix" and proc.poll() is not None:
        return
    try:
        _signal(proc)
        proc.wait(30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a child that ignores SIGTERM
        _signal(proc, kill=True)
        proc.wait()


def _signal(proc: subprocess.Popen, kill: bool = False) -> None:
    """Terminate (or kill) the child's process group (POSIX), else the child."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
        elif kill:
            proc.kill()
        else:
            proc.terminate()
    except (ProcessLookupError, PermissionError):  # the group (or the child) has ended
        pass


def _event(line: str) -> tuple[float, str] | None:
    """A study progress event (a JSON object with a finite ``fraction`` and a ``label``, as
    :meth:`bmdlab.study.japan2017.StudyProgress.to_dict` writes it) as (fraction, label); None for any other line."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    fraction, label = event.get("fraction"), event.get("label")
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not math.isfinite(fraction):
        return None
    return (float(fraction), label) if isinstance(label, str) else None


def server(request: Request) -> Server:
    """The dependency every router takes: the app's :class:`Server`."""
    return request.app.state.server


__all__ = ["Server", "browser_limit", "server"]
