"""The page's extra views (issue #26): units off station, a multi-wave campaign, and where the raid is aimed.

Costs and the A/B maps use the routes the page already has (POST /api/cost, the coverage job). Each analysis here
runs as a job of the server's queue (a flood gets 429, like the other analyses) and the request waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from bmdlab import bounds
from bmdlab.api import Analysis
from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError
from bmdlab.scenario import Scenario, raid_assets, salvo_aims
from bmdlab.web.jobs import Job
from bmdlab.web.models import error_responses
from bmdlab.web.server import Server, browser_limit, server
from bmdlab.web.views_models import (
    BROWSER_SAMPLES,
    AvailabilityOut,
    AvailabilityRequest,
    CampaignOut,
    CampaignRequest,
    RaidTargetsOut,
    RaidTargetsRequest,
)

router = APIRouter(prefix="/api", tags=["views"], responses=error_responses(413, 422))
QUEUED = error_responses(429)
State = Annotated[Server, Depends(server)]


def _wait(srv: Server, kind: str, run: Callable[[Job], Any]) -> Any:
    """Run ``run`` as a job of the server's queue and wait for its result (a failure: its one-line error)."""
    job = srv.jobs.wait(srv.jobs.submit(kind, run))
    if job.state == "failed":
        raise BmdlabError(job.error or f"{kind}: failed")
    if job.state == "cancelled":
        raise BmdlabError(f"{kind}: cancelled")
    return job.result


@router.post("/availability", response_model=AvailabilityOut, responses=QUEUED)
def availability(req: AvailabilityRequest, srv: State) -> dict:
    """Coverage over random availability of the units (the Python API's ``coverage(availability_samples=N)``):
    each unit's probability of being on station and the expected and 5th-percentile shares of land and people
    defended when some are off station (ships by their rotation, other units independently)."""
    sc, overrides = srv.scenario(req.scenario), req.overrides()
    res = browser_limit(bounds.BROWSER_RESOLUTION_KM, "resolution_km", req.resolution_km)
    samples = browser_limit(BROWSER_SAMPLES, "samples", req.samples)

    def run(job: Job) -> dict[str, Any]:
        job.tick(0.0, "coverage, then the units on station drawn at random")
        a = Analysis(sc, catalog=srv.catalog, overrides=overrides)
        return a.coverage(res, cache=srv.cache, availability_samples=samples).to_dict()

    return _wait(srv, "availability", run)


@router.post("/campaign", response_model=CampaignOut, responses=QUEUED)
def campaign(req: CampaignRequest, srv: State) -> dict:
    """Raid waves with magazines carried between them (the CLI's ``campaign --json``): the scenario's
    ``campaign:`` section, or ``waves`` waves of ``missiles`` each, ``every_h`` hours apart."""
    trials = browser_limit(bounds.Bound(2, bounds.BROWSER_TRIALS.high, integer=True), "trials", req.trials)
    a = Analysis(srv.scenario(req.scenario), catalog=srv.catalog, seed=req.seed, overrides=req.overrides())

    def run(job: Job) -> dict[str, Any]:
        job.tick(0.0, "flying the waves")
        return a.campaign(
            req.waves,
            req.every_h,
            req.missiles,
            trials=trials,
            progress=lambda done, total: job.tick(done / max(total, 1), f"{done:,} of {total:,}"),
        ).to_dict()

    return _wait(srv, "campaign", run)


@router.post("/raid-targets", response_model=RaidTargetsOut)
def raid_targets(req: RaidTargetsRequest, srv: State) -> dict:
    """Where the scenario's raid is aimed: each salvo's launch area and the assets its missiles go to
    (round-robin over the assets in range, most valuable first, as the raid fires them), and the totals per asset."""
    sc = srv.scenario(req.scenario)
    return aim_points(sc, srv.catalog)


def aim_points(sc: Scenario, catalog: Catalog) -> dict[str, Any]:
    """The salvos of ``sc``'s raid with the missiles each aims at each asset, and the totals per asset.

    Parameters
    ----------
    sc : Scenario
        A scenario with a ``raid:`` section.
    catalog : Catalog
        The catalog its missiles and launch areas are in.

    Returns
    -------
    dict
        ``{scenario, missiles, salvos: [...], targets: [...]}`` (:class:`bmdlab.web.views_models.RaidTargetsOut`).
    """
    if sc.raid is None:
        raise BmdlabError(f"scenario: '{sc.name}' has no raid; choose a scenario with a 'raid:' section")
    assets = raid_assets(sc)
    totals: dict[int, int] = {}
    salvos = []
    for k, s in enumerate(sc.raid.salvos):
        idx = [int(i) for i in salvo_aims(k, s.model_dump(), assets, catalog)]
        counts = [s.count // len(idx) + (j < s.count % len(idx)) for j in range(len(idx))] if idx else []
        aims = []
        for i, n in zip(idx, counts, strict=True):
            if n:
                totals[i] = totals.get(i, 0) + n
                aims.append(_aim(assets[i], n))
        place, mis = catalog.place(s.launch_area), catalog.missile(s.missile)
        salvos.append(
            {
                "index": k,
                "missile": s.missile,
                "missile_name": mis.name,
                "launch_area": s.launch_area,
                "launch_name": place.name,
                "launch_lat": place.lat.nominal,
                "launch_lon": place.lon.nominal,
                "count": s.count,
                "aims": aims,
            }
        )
    targets = [_aim(assets[i], n) for i, n in sorted(totals.items(), key=lambda t: (-t[1], -assets[t[0]].value))]
    return {"scenario": sc.name, "missiles": sum(s.count for s in sc.raid.salvos), "salvos": salvos, "targets": targets}


def _aim(asset: Any, missiles: int) -> dict[str, Any]:
    return {"name": asset.name, "lat": asset.lat, "lon": asset.lon, "value": asset.value, "missiles": missiles}
