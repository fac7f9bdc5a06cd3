"""Siting a land system over Japan: candidate sites, their coverage against a threat, the MILP."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.coverage.national import Coverage, ThreatCase, defenders_of, engage_cases, engagement_model, threat_cases
from bmdlab.coverage.siting import greedy_coverage, max_coverage
from bmdlab.defense.engage import make_defender
from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import land_grid
from bmdlab.geo.japan import is_land
from bmdlab.scenario import Scenario

#: Largest count tried when searching for the smallest count that meets a population target.
MAX_COUNT = 40


def candidate_sites(spacing_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate sites [deg]: centres of a ``spacing_km`` land grid that lie on land."""
    g = land_grid(spacing_km)
    on_land = np.asarray(is_land(g.lat_deg, g.lon_deg), bool)
    return g.lat_deg[on_land], g.lon_deg[on_land]


def candidate_coverage(
    catalog: Catalog, system: str, scenario: Scenario, resolution_km: float, candidate_spacing_km: float, progress=None
) -> Coverage:
    """Shot opportunities of a unit of ``system`` at every candidate site against the scenario's threats.

    Each candidate uses only its own sensor and the scenario's stand-alone cueing sensors (the
    scenario's units are not assumed to share tracks with a hypothetical site).
    """
    grid = land_grid(resolution_km)
    lat, lon = candidate_sites(candidate_spacing_km)
    if lat.size == 0:
        raise BmdlabError(f"--candidate-spacing-km: no candidate site on land at {candidate_spacing_km:g} km spacing")
    model = engagement_model(scenario)
    cands = [
        make_defender(catalog, system, la, lo, name=f"candidate {i}", model=model)
        for i, (la, lo) in enumerate(zip(lat, lon))
    ]
    _, sensors = defenders_of(scenario, catalog)
    cases = threat_cases(scenario, catalog)
    shots, reach = engage_cases(
        catalog, grid, cands, sensors, cases, scenario.timeline, share_defender_tracks=False, progress=progress
    )
    return Coverage(
        grid=grid,
        defenders=tuple(cands),
        threats=tuple(cases),
        shots=shots,
        reach=reach,
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        catalog_hash=catalog.hash,
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
class SitingResult:
    """What :func:`optimise_sites` found.

    ``summary`` is JSON-able (sites, fractions, solver status, provenance); ``coverage`` holds the
    shot opportunities of the chosen sites only (defenders in the order of ``summary["sites"]``),
    for maps and further analysis.
    """

    summary: dict[str, Any]
    coverage: Coverage


def optimise_sites(
    catalog: Catalog,
    system: str,
    scenario: Scenario,
    *,
    count: int | None = None,
    population_target: float | None = None,
    land_target: float | None = None,
    objective: str = "population",
    resolution_km: float = 10.0,
    candidate_spacing_km: float = 30.0,
    area: str = "all",
    progress: Callable[[ThreatCase], None] | None = None,
) -> SitingResult:
    """Best sites for ``count`` units, or the smallest count reaching a population or land target.

    ``objective`` is what the MILP maximises: the ``population`` or the ``land`` area defended (a
    land target implies the land objective). ``area`` is what targets and fractions are of: ``all``
    of Japan (default) or the land and people the scenario's threats can reach (``threatened``).
    ``progress`` is called once per threat case as the candidates' coverage of it is computed
    (``len(threat_cases(scenario, catalog))`` calls).
    """
    if area not in ("all", "threatened"):
        raise BmdlabError(f"--area: unknown area '{area}'; use all or threatened")
    if objective not in ("population", "land"):
        raise BmdlabError(f"--objective: unknown objective '{objective}'; use population or land")
    if land_target is not None:
        objective = "land"
    target = population_target if population_target is not None else land_target
    t0 = time.perf_counter()
    cases = threat_cases(scenario, catalog)
    cov = candidate_coverage(catalog, system, scenario, resolution_km, candidate_spacing_km, progress=progress)
    a = cover_matrix(cov)
    threatened = cov.reach.any(axis=0)
    every = cov.grid.population if objective == "population" else cov.grid.area_m2
    weight = np.where(threatened, every, 0.0)  # land no threat reaches needs no defence, and gets none
    base = np.ones(len(cov.grid), dtype=bool) if area == "all" else threatened
    total = float(every[base].sum())  # targets and fractions are of all of Japan, or of the threatened part
    if count is not None:
        res = max_coverage(a, weight, count)
        target_met = None
    else:
        res = smallest_count(a, weight, target * total * (1 - 1e-12), min(MAX_COUNT, a.shape[1]))
        target_met = bool(res.covered_weight >= target * total * (1 - 1e-12))
    chosen = res.chosen
    defended = a[:, chosen].any(axis=1)
    pop_frac = float(cov.grid.population[defended & threatened].sum() / cov.grid.population[base].sum())
    land_frac = float(cov.grid.area_m2[defended & threatened].sum() / cov.grid.area_m2[base].sum())
    out = {
        "system": system,
        "count": int(len(chosen)),
        "sites": [
            {
                "lat": round(float(np.degrees(cov.defenders[j].lat)), 4),
                "lon": round(float(np.degrees(cov.defenders[j].lon)), 4),
            }
            for j in chosen
        ],
        "objective": objective,
        "population_fraction": round(pop_frac, 4),
        "land_fraction": round(land_frac, 4),
        "fractions_of": "all of Japan" if area == "all" else "the land and people the threats reach",
        "threatened_land_fraction": round(float(cov.grid.area_m2[threatened].sum() / cov.grid.area_m2.sum()), 4),
        "threatened_population_fraction": round(
            float(cov.grid.population[threatened].sum() / cov.grid.population.sum()), 4
        ),
        "objective_bound_fraction": round(res.bound / total, 4) if total else 0.0,
        "gap": round(res.gap, 6),
        "solver": "scipy.optimize.milp (HiGHS)",
        "status": res.status,
        "candidates": int(a.shape[1]),
        "candidate_spacing_km": candidate_spacing_km,
        "resolution_km": resolution_km,
        "threat_scenario": scenario.name,
        "threats": len(cases),
        "population_target": population_target,
        "land_target": land_target,
        "target_met": target_met,
        "seconds": round(time.perf_counter() - t0, 2),
        "catalog_hash": catalog.hash,
    }
    sub = Coverage(
        grid=cov.grid,
        defenders=tuple(cov.defenders[j] for j in chosen),
        threats=cov.threats,
        shots=cov.shots[:, chosen, :],
        reach=cov.reach,
        scenario=cov.scenario,
        scenario_hash=cov.scenario_hash,
        catalog_hash=cov.catalog_hash,
    )
    return SitingResult(summary=out, coverage=sub)
