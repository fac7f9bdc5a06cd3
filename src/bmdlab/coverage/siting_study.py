"""Siting a land system over Japan: candidate sites, their coverage against a threat, the MILP."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.assembly.setup import Setup, ThreatCase
from bmdlab.coverage.national import Coverage, Network, coverage_of, engage_cases, national_coverages
from bmdlab.coverage.siting import greedy_coverage, max_coverage, min_count
from bmdlab.defense.engage import EngagementModel, EngagementTimeline, make_defender
from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import LandGrid, land_grid
from bmdlab.geo.japan import is_land

#: Largest count tried when searching for the smallest count that meets a population target.
MAX_COUNT = 40


def candidate_sites(spacing_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate sites [deg]: centres of a ``spacing_km`` land grid that lie on land."""
    g = land_grid(spacing_km)
    on_land = np.asarray(is_land(g.lat_deg, g.lon_deg), bool)
    return g.lat_deg[on_land], g.lon_deg[on_land]


def candidate_network(setup: Setup, system: str, candidate_spacing_km: float) -> Network:
    """A unit of ``system`` at every candidate site (:func:`candidate_sites`), under the setup's engagement model.

    Each candidate uses only its own sensor and the scenario's stand-alone cueing sensors (the
    scenario's units are not assumed to share tracks with a hypothetical site).
    """
    lat, lon = candidate_sites(candidate_spacing_km)
    if lat.size == 0:
        raise BmdlabError(f"candidate_spacing_km: no candidate site on land at {candidate_spacing_km:g} km spacing")
    cands = tuple(
        make_defender(setup.catalog, system, la, lo, name=f"candidate {i}", model=setup.model)
        for i, (la, lo) in enumerate(zip(lat, lon))
    )
    return Network(cands, setup.sensors, share_tracks=False)


def candidates_coverage(setup: Setup, grid: LandGrid, net: Network, shots: np.ndarray, reach: np.ndarray) -> Coverage:
    """The :class:`Coverage` of a candidate network from its shots (threats, candidates, cells) and reach."""
    sc = setup.scenario
    return Coverage(
        grid=grid,
        defenders=net.defenders,
        threats=setup.threats,
        shots=shots,
        reach=reach,
        scenario=sc.name,
        scenario_hash=sc.hash,
        catalog_hash=setup.catalog.hash,
    )


def presence_timeline(timeline: EngagementTimeline) -> EngagementTimeline:
    """The timeline with one shot counted at most: a coverage then says only whether a unit has a shot at each
    cell (the engagement scan stops at the first), which is what :func:`cover_matrix` reads."""
    return dataclasses.replace(timeline, max_shots=1)


def candidate_coverage(
    setup: Setup,
    system: str,
    resolution_km: float,
    candidate_spacing_km: float,
    progress: Callable[[ThreatCase], None] | None = None,
    *,
    counts: bool = True,
) -> Coverage:
    """Shot opportunities of a unit of ``system`` at every candidate site against the setup's threats
    (:func:`candidate_network`); without ``counts``, only whether there is one (shots 0 or 1: all a siting's
    choice and fractions need, and the scan stops at the first, see :func:`presence_timeline`)."""
    grid = land_grid(resolution_km)
    net = candidate_network(setup, system, candidate_spacing_km)
    tl = setup.timeline if counts else presence_timeline(setup.timeline)
    shots, reach = engage_cases(setup.catalog, grid, [net], setup.threats, tl, progress=progress)
    return candidates_coverage(setup, grid, net, shots[0], reach)


def shared_coverages(
    setups: list[Setup],
    sitings: list[tuple[Setup, SitingQuery]],
    resolution_km: float,
    *,
    progress: Callable[[ThreatCase], None] | None = None,
    workers: int | None = None,
    counts: bool = True,
) -> tuple[list[Coverage], list[Coverage]]:
    """The coverages of several architectures and the candidates' coverages of several siting queries, on one
    ``resolution_km`` grid, with each threat flown once for all of them when they share their threat cases
    and catalog (each with its own timeline; else one pass each). Pass the candidates' coverage to :func:`optimise_sites`;
    without ``counts`` the candidates' shots are only 0 or 1 (:func:`candidate_coverage`)."""
    for _, q in sitings:
        if q.resolution_km != resolution_km:
            raise ValueError(
                f"resolution_km: a siting query's grid ({q.resolution_km:g} km) is not {resolution_km:g} km"
            )
    every = setups + [s for s, _ in sitings]
    first = every[0]
    if not all(s.threats == first.threats and s.catalog.hash == first.catalog.hash for s in every):
        covs = national_coverages(setups, resolution_km, workers=workers, progress=progress) if setups else []
        return covs, [
            candidate_coverage(s, q.system, resolution_km, q.candidate_spacing_km, counts=counts) for s, q in sitings
        ]
    grid = land_grid(resolution_km)
    nets = [Network(s.defenders, s.sensors) for s in setups]
    nets += [candidate_network(s, q.system, q.candidate_spacing_km) for s, q in sitings]
    timelines = [s.timeline for s in setups]
    timelines += [s.timeline if counts else presence_timeline(s.timeline) for s, _ in sitings]
    shots, reach = engage_cases(first.catalog, grid, nets, first.threats, timelines, workers=workers, progress=progress)
    n = len(setups)
    covs = [coverage_of(s, grid, sh, reach) for s, sh in zip(setups, shots[:n])]
    cands = [candidates_coverage(s, grid, net, sh, reach) for (s, _), net, sh in zip(sitings, nets[n:], shots[n:])]
    return covs, cands


def _check_candidates(cov: Coverage, setup: Setup, query: SitingQuery) -> None:
    """A candidates' coverage given to :func:`optimise_sites` must be the one its query would compute."""
    units = {d.unit for d in cov.defenders}
    if (
        cov.grid.resolution_km != query.resolution_km
        or cov.scenario_hash != setup.scenario.hash
        or units != {query.system}
        or len(cov.defenders) != len(candidate_sites(query.candidate_spacing_km)[0])
    ):
        raise ValueError("candidates: not the candidate coverage of this setup and query; omit it to compute it")


def cover_matrix(cov: Coverage) -> np.ndarray:
    """(cells, candidates): the candidate alone defends the cell against every threat reaching it."""
    ok = (cov.shots > 0) | ~cov.reach[:, None, :]
    return np.all(ok, axis=0).T & cov.reach.any(axis=0)[:, None]


def smallest_count(cover: np.ndarray, weight: np.ndarray, needed: float, max_count: int):
    """The MILP solution for the smallest count whose optimum covers ``needed`` weight.

    The covering MILP (:func:`bmdlab.coverage.siting.min_count`) proves the smallest count k; the maximum-coverage
    MILP at k then chooses the sites (the most weight k units defend), stepping up a count should that MILP's
    tolerance leave it short of the target. Without a proven count (a time limit, or no count up to
    ``max_count`` reaches the target), the greedy heuristic gives an upper bound K (its K sites meet the
    target, else K is ``max_count``) and the maximum-coverage MILP is solved for K - 1, K - 2, ... down to the
    first count that cannot meet it, and for K only if K - 1 cannot.
    """
    k = min_count(cover, weight, needed, max_count)
    while k is not None and k <= max_count:
        res = max_coverage(cover, weight, k, time_limit=30.0)
        if res.covered_weight >= needed or k == max_count:
            return res
        k += 1
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
    setup: Setup,
    query: SitingQuery,
    progress: Callable[[ThreatCase], None] | None = None,
    *,
    candidates: Coverage | None = None,
    counts: bool = True,
) -> SitingResult:
    """Best sites for ``query.count`` units against the setup's threat, or the smallest count reaching a
    target (:class:`SitingQuery`). ``progress`` is called once per threat case as the candidates' coverage of
    it is computed; ``candidates``, that coverage when the caller computed it (:func:`shared_coverages`).
    Without ``counts`` the candidates' coverage only says whether a unit has a shot (faster; the sites and
    fractions are the same, the result's ``coverage`` then has shots of 0 or 1)."""
    t0 = time.perf_counter()
    if candidates is None:
        cov = candidate_coverage(
            setup, query.system, query.resolution_km, query.candidate_spacing_km, progress=progress, counts=counts
        )
    else:
        _check_candidates(candidates, setup, query)
        cov = candidates
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
