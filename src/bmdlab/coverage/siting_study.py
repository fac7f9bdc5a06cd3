"""Siting a land system over Japan: candidate sites, their coverage against a threat, the MILP."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.assembly.setup import Setup, ThreatCase
from bmdlab.coverage.national import Coverage, Network, engage_cases
from bmdlab.coverage.siting import greedy_coverage, max_coverage
from bmdlab.defense.engage import EngagementModel, make_defender
from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import land_grid
from bmdlab.geo.japan import is_land

#: Largest count tried when searching for the smallest count that meets a population target.
MAX_COUNT = 40


def candidate_sites(spacing_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate sites [deg]: centres of a ``spacing_km`` land grid that lie on land."""
    g = land_grid(spacing_km)
    on_land = np.asarray(is_land(g.lat_deg, g.lon_deg), bool)
    return g.lat_deg[on_land], g.lon_deg[on_land]


def candidate_coverage(
    setup: Setup,
    system: str,
    resolution_km: float,
    candidate_spacing_km: float,
    progress: Callable[[ThreatCase], None] | None = None,
) -> Coverage:
    """Shot opportunities of a unit of ``system`` at every candidate site against the setup's threats.

    Each candidate uses only its own sensor and the scenario's stand-alone cueing sensors (the
    scenario's units are not assumed to share tracks with a hypothetical site).
    """
    grid = land_grid(resolution_km)
    lat, lon = candidate_sites(candidate_spacing_km)
    if lat.size == 0:
        raise BmdlabError(f"candidate_spacing_km: no candidate site on land at {candidate_spacing_km:g} km spacing")
    cands = tuple(
        make_defender(setup.catalog, system, la, lo, name=f"candidate {i}", model=setup.model)
        for i, (la, lo) in enumerate(zip(lat, lon))
    )
    shots, reach = engage_cases(
        setup.catalog,
        grid,
        [Network(cands, setup.sensors)],
        setup.threats,
        setup.timeline,
        share_defender_tracks=False,
        progress=progress,
    )
    sc = setup.scenario
    return Coverage(
        grid=grid,
        defenders=cands,
        threats=setup.threats,
        shots=shots[0],
        reach=reach,
        scenario=sc.name,
        scenario_hash=sc.hash,
        catalog_hash=setup.catalog.hash,
    )


def cover_matrix(cov: Coverage) -> np.ndarray:
    """(cells, candidates): the candidate alone defends the cell against every threat reaching it."""
    ok = (cov.shots > 0) | ~cov.reach[:, None, :]
    return np.all(ok, axis=0).T & cov.reach.any(axis=0)[:, None]


def smallest_count(cover: np.ndarray, weight: np.ndarray, needed: float, max_count: int):
    """The MILP solution for the smallest count whose optimum covers ``needed`` weight.

    The greedy heuristic gives an upper bound K on that count (its K sites meet the target). The
    MILP is solved for K - 1, K - 2, ... down to the first count that cannot meet it, and for K
    only if K - 1 cannot: two or three MILPs when greedy is close to optimal. Without an upper
    bound (greedy misses the target even at ``max_count``) K is ``max_count``.
    """
    chosen = greedy_coverage(cover, weight, max_count)
    covered_by_first = weight @ np.logical_or.accumulate(cover[:, chosen], axis=1)  # weight of greedy's first k
    meets = np.flatnonzero(covered_by_first >= needed)
    k_upper = int(meets[0]) + 1 if meets.size else max_count
    best = None
    for k in range(k_upper - 1, 0, -1):
        res = max_coverage(cover, weight, k, time_limit=30.0)
        if res.covered_weight < needed:
            break
        best = res
    return best if best is not None else max_coverage(cover, weight, k_upper, time_limit=30.0)


@dataclass(frozen=True)
class SitingQuery:
    """What to site: ``count`` units of a land ``system``, or the smallest count reaching a population or
    land target (exactly one of the three); the objective, the grid and the candidates' spacing [km], and
    what targets and fractions are of (``all`` of Japan or the ``threatened`` land and people)."""

    system: str
    count: int | None = None
    population_target: float | None = None
    land_target: float | None = None
    objective: str = "population"
    resolution_km: float = 10.0
    candidate_spacing_km: float = 30.0
    area: str = "all"

    def __post_init__(self) -> None:
        if self.area not in ("all", "threatened"):
            raise BmdlabError(f"area: unknown area '{self.area}'; use all or threatened")
        if self.objective not in ("population", "land"):
            raise BmdlabError(f"objective: unknown objective '{self.objective}'; use population or land")
        if self.land_target is not None:  # a land target implies the land objective
            object.__setattr__(self, "objective", "land")

    @property
    def target(self) -> float | None:
        return self.population_target if self.population_target is not None else self.land_target


@dataclass(frozen=True)
class SitingResult:
    """What :func:`optimise_sites` found: the chosen sites and their fractions (JSON via :meth:`to_dict`);
    ``coverage`` holds the shot opportunities of the chosen sites only (in the order of ``sites``)."""

    query: SitingQuery
    sites: tuple[tuple[float, float], ...]  #: (lat, lon) [deg]
    population_fraction: float  #: of Japan's (or the threatened) people [-]
    land_fraction: float  #: of Japan's (or the threatened) land [-]
    threatened_land_fraction: float
    threatened_population_fraction: float
    objective_bound_fraction: float
    gap: float
    status: str
    candidates: int
    threat_scenario: str
    threats: int
    target_met: bool | None
    seconds: float
    catalog_hash: str
    coverage: Coverage
    engagement_model: EngagementModel  #: the fly-out and engagement limits of the candidates' coverage

    @property
    def count(self) -> int:
        return len(self.sites)

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "system": q.system,
            "count": self.count,
            "sites": [{"lat": round(la, 4), "lon": round(lo, 4)} for la, lo in self.sites],
            "objective": q.objective,
            "population_fraction": round(self.population_fraction, 4),
            "land_fraction": round(self.land_fraction, 4),
            "fractions_of": "all of Japan" if q.area == "all" else "the land and people the threats reach",
            "threatened_land_fraction": round(self.threatened_land_fraction, 4),
            "threatened_population_fraction": round(self.threatened_population_fraction, 4),
            "objective_bound_fraction": round(self.objective_bound_fraction, 4),
            "gap": round(self.gap, 6),
            "solver": "scipy.optimize.milp (HiGHS)",
            "status": self.status,
            "candidates": self.candidates,
            "candidate_spacing_km": q.candidate_spacing_km,
            "resolution_km": q.resolution_km,
            "threat_scenario": self.threat_scenario,
            "threats": self.threats,
            "engagement_model": self.engagement_model.to_dict(),
            "population_target": q.population_target,
            "land_target": q.land_target,
            "target_met": self.target_met,
            "seconds": round(self.seconds, 2),
            "catalog_hash": self.catalog_hash,
        }


def optimise_sites(
    setup: Setup, query: SitingQuery, progress: Callable[[ThreatCase], None] | None = None
) -> SitingResult:
    """Best sites for ``query.count`` units against the setup's threat, or the smallest count reaching a
    target (:class:`SitingQuery`). ``progress`` is called once per threat case as the candidates' coverage of
    it is computed."""
    t0 = time.perf_counter()
    cov = candidate_coverage(setup, query.system, query.resolution_km, query.candidate_spacing_km, progress=progress)
    a = cover_matrix(cov)
    threatened = cov.reach.any(axis=0)
    every = cov.grid.population if query.objective == "population" else cov.grid.area_m2
    weight = np.where(threatened, every, 0.0)  # land no threat reaches needs no defence, and gets none
    base = np.ones(len(cov.grid), dtype=bool) if query.area == "all" else threatened
    total = float(every[base].sum())  # targets and fractions are of all of Japan, or of the threatened part
    if query.count is not None:
        res, target_met = max_coverage(a, weight, query.count), None
    else:
        need = query.target * total * (1 - 1e-12)
        res = smallest_count(a, weight, need, min(MAX_COUNT, a.shape[1]))
        target_met = bool(res.covered_weight >= need)
    chosen = res.chosen
    defended = a[:, chosen].any(axis=1)
    g = cov.grid
    sub = Coverage(
        grid=g,
        defenders=tuple(cov.defenders[j] for j in chosen),
        threats=cov.threats,
        shots=cov.shots[:, chosen, :],
        reach=cov.reach,
        scenario=cov.scenario,
        scenario_hash=cov.scenario_hash,
        catalog_hash=cov.catalog_hash,
    )
    return SitingResult(
        query=query,
        sites=tuple((float(np.degrees(cov.defenders[j].lat)), float(np.degrees(cov.defenders[j].lon))) for j in chosen),
        population_fraction=float(g.population[defended & threatened].sum() / g.population[base].sum()),
        land_fraction=float(g.area_m2[defended & threatened].sum() / g.area_m2[base].sum()),
        threatened_land_fraction=float(g.area_m2[threatened].sum() / g.area_m2.sum()),
        threatened_population_fraction=float(g.population[threatened].sum() / g.population.sum()),
        objective_bound_fraction=res.bound / total if total else 0.0,
        gap=res.gap,
        status=res.status,
        candidates=int(a.shape[1]),
        threat_scenario=setup.scenario.name,
        threats=len(setup.threats),
        target_met=target_met,
        seconds=time.perf_counter() - t0,
        catalog_hash=setup.catalog.hash,
        coverage=sub,
        engagement_model=setup.model,
    )
