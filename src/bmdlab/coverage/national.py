"""National coverage: which of Japan's land and people an architecture can defend, per threat.

A land cell is *defended against a threat* (launch area, missile, trajectory shape) when some unit
of the architecture has at least one shot opportunity at a missile aimed at the cell's centre. A
cell the missile cannot reach from that launch area is *not threatened* by it. The *worst case*
over a set of threats asks that the cell be defended against every threat that reaches it.
Fractions are of all of Japan's land and people; land that no threat reaches is reported as its own
category, *not threatened* (:meth:`Coverage.breakdown`), never dropped from the denominator.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.assembly.setup import Setup, ThreatCase
from bmdlab.catalog import Catalog
from bmdlab.defense.engage import Defender, EngagementTimeline, Sensor
from bmdlab.defense.shots import MissileLaunch, engage, grid_batches, network
from bmdlab.geo.grid import LandGrid, land_grid
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle
from bmdlab.trajectory import max_range

#: Cells per trajectory batch (bounds memory: positions are batch x ~200 samples x 3 floats).
BATCH = 3000


@dataclass(frozen=True)
class Coverage:
    """Shot opportunities of every defender against a missile aimed at every land cell, per threat.

    ``shots`` has shape (threats, defenders, cells), ``reach`` (threats, cells) is True where the
    threat can reach the cell.
    """

    grid: LandGrid
    defenders: tuple[Defender, ...]
    threats: tuple[ThreatCase, ...]
    shots: NDArray[np.int8]
    reach: NDArray[np.bool_]
    scenario: str = ""
    scenario_hash: str = ""
    catalog_hash: str = ""
    extra: dict = field(default_factory=dict)

    def subset(self, defenders: NDArray[np.bool_], name: str | None = None) -> Coverage:
        """The same threats and grid with only some defenders."""
        return Coverage(
            grid=self.grid,
            defenders=tuple(d for d, m in zip(self.defenders, defenders) if m),
            threats=self.threats,
            shots=self.shots[:, defenders, :],
            reach=self.reach,
            scenario=name or self.scenario,
            scenario_hash=self.scenario_hash,
            catalog_hash=self.catalog_hash,
        )

    def total_shots(self, defenders: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        """Shot opportunities summed over (a subset of) defenders, shape (threats, cells)."""
        s = self.shots if defenders is None else self.shots[:, defenders, :]
        return s.sum(axis=1, dtype=np.int64)

    def defended(
        self,
        defenders: NDArray[np.bool_] | None = None,
        threats: NDArray[np.bool_] | None = None,
        *,
        total: NDArray[np.integer] | None = None,
    ) -> NDArray[np.bool_]:
        """Worst case over (a subset of) threats: defended against every threat reaching the cell. ``total``:
        the shots (threats, cells) of the units in question when the caller summed them already."""
        tot = self.total_shots(defenders) if total is None else total
        reach = self.reach
        if threats is not None:
            tot, reach = tot[threats], reach[threats]
        return np.all((tot > 0) | ~reach, axis=0) & reach.any(axis=0)

    def worst_shots(self, threats: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
        """Fewest total shot opportunities over the threats that reach each cell (0 if none reach)."""
        tot = self.total_shots()
        reach = self.reach
        if threats is not None:
            tot, reach = tot[threats], reach[threats]
        big = np.iinfo(np.int64).max
        w = np.min(np.where(reach, tot, big), axis=0)
        return np.where(w == big, 0, w)

    def fractions(
        self, defended: NDArray[np.bool_], threats: NDArray[np.bool_] | None = None, of: str = "all"
    ) -> tuple[float, float]:
        """(land, population) fractions that are defended: of all the grid's land and people
        (``of='all'``, the default), or of the cells the threats reach (``of='threatened'``)."""
        if of not in ("all", "threatened"):
            raise ValueError(f"of: unknown '{of}'; use all or threatened")
        reach = self.reach if threats is None else self.reach[threats]
        base = reach.any(axis=0) if of == "threatened" else np.ones(len(self.grid), dtype=bool)
        area = self.grid.area_m2[base].sum()
        pop = self.grid.population[base].sum()
        land = float(self.grid.area_m2[defended & base].sum() / area) if area > 0 else 0.0
        people = float(self.grid.population[defended & base].sum() / pop) if pop > 0 else 0.0
        return land, people

    def breakdown(
        self,
        defended: NDArray[np.bool_],
        threats: NDArray[np.bool_] | None = None,
        cells: NDArray[np.bool_] | None = None,
    ) -> dict[str, dict[str, float]]:
        """Land [km^2], people and their fractions of (a subset of) the grid in three categories:
        ``defended``, ``threatened, not defended`` and ``not threatened`` (no threat reaches it)."""
        reach = (self.reach if threats is None else self.reach[threats]).any(axis=0)
        cells = np.ones(len(self.grid), dtype=bool) if cells is None else cells
        area, pop = self.grid.area_m2[cells].sum(), self.grid.population[cells].sum()
        out = {}
        for name, mask in (
            ("defended", defended & reach),
            ("threatened, not defended", reach & ~defended),
            ("not threatened", ~reach),
        ):
            m = mask & cells
            a, p = float(self.grid.area_m2[m].sum()), float(self.grid.population[m].sum())
            out[name] = {
                "land_km2": round(a / 1e6, 1),
                "population": round(p),
                "land_fraction": round(a / area, 4) if area > 0 else 0.0,
                "population_fraction": round(p / pop, 4) if pop > 0 else 0.0,
            }
        return out


@dataclass(frozen=True)
class Network:
    """One architecture's units and stand-alone sensors (a group of :func:`engage_cases`).

    ``share_tracks``: the units' own radars cue each other (an architecture); False for units that are
    alternatives to one another, such as the candidate sites of a siting, each with only its own radar
    and the stand-alone ``sensors``.
    """

    defenders: tuple[Defender, ...]
    sensors: tuple[Sensor, ...] = ()
    share_tracks: bool = True


def threat_of(catalog: Catalog, case: ThreatCase) -> MissileLaunch:
    """The engine's :class:`~bmdlab.defense.shots.MissileLaunch` of a threat case (SI units)."""
    place = catalog.place(case.launch_area)
    return MissileLaunch(
        missile=catalog.missile(case.missile),
        launch=(float(np.radians(place.lat.nominal)), float(np.radians(place.lon.nominal))),
        shape=case.shape,
        apogee=None if case.apogee_km is None else case.apogee_km * 1e3,
    )


def reach_of(threat: MissileLaunch, grid: LandGrid) -> NDArray[np.bool_]:
    """Cells within the missile's range of its launch point (before any trajectory is flown)."""
    la, lo = threat.launch
    return EARTH_RADIUS * central_angle(la, lo, np.radians(grid.lat_deg), np.radians(grid.lon_deg)) <= max_range(
        threat.missile
    )


def engage_case(
    threat: MissileLaunch,
    grid: LandGrid,
    groups: list[Network],
    timeline: EngagementTimeline | Sequence[EngagementTimeline],
    share_defender_tracks: bool = True,
) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Shot opportunities (units, cells) of each architecture of ``groups`` against one threat at every cell
    it reaches, and the cells it reaches (range, and a trajectory that exists).

    The trajectories are flown and sampled once for all architectures, :data:`BATCH` cells at a time;
    each architecture is its own network (:func:`bmdlab.defense.shots.engage`) with its own timeline when
    ``timeline`` gives one per group.
    """
    timelines = [timeline] * len(groups) if isinstance(timeline, EngagementTimeline) else list(timeline)
    if len(timelines) != len(groups):
        raise ValueError(f"timeline: {len(timelines)} timelines for {len(groups)} groups; give one per group")
    nets = [
        network(
            g.defenders,
            g.sensors,
            threat,
            cueing=tl.cueing,
            share_defender_tracks=share_defender_tracks and g.share_tracks,
        )
        for g, tl in zip(groups, timelines)
    ]
    shots = [np.zeros((len(g.defenders), len(grid)), dtype=np.int8) for g in groups]
    reach = reach_of(threat, grid)
    lat, lon = np.radians(grid.lat_deg), np.radians(grid.lon_deg)
    for idx, batch in grid_batches(threat, lat, lon, reach, BATCH):
        for out, net, tl in zip(shots, nets, timelines):
            out[:, idx] = engage(batch, net, tl).shots
    return shots, reach


def _engage_case(args: tuple) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Process-pool entry point: one threat case (all arguments picklable)."""
    return engage_case(*args)


#: Jobs of the forked pools now running, by a key unique to the call: a forked worker inherits them with the
#: parent's memory, so that a job's ~9 MB of arrays (grid, fly-out fans) are neither pickled nor copied, and
#: its objects keep their identity from one job to the next (the memos keyed on them stay warm).
_FORKED_JOBS: dict[int, list[tuple]] = {}


def _engage_forked(key: int, index: int) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Forked-pool entry point: job ``index`` of the call ``key``, from the memory the worker inherited."""
    return engage_case(*_FORKED_JOBS[key][index])


def engage_cases(
    catalog: Catalog,
    grid: LandGrid,
    groups: list[Network],
    cases: list[ThreatCase] | tuple[ThreatCase, ...],
    timeline: EngagementTimeline | Sequence[EngagementTimeline],
    *,
    share_defender_tracks: bool = True,
    workers: int | None = None,
    progress: Callable[[ThreatCase], None] | None = None,
) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Shots (threats, units, cells) of each architecture and reach (threats, cells) for every threat case.

    Threat cases are independent; with ``workers > 1`` they run in a local process pool (default: one
    worker per CPU, at most the number of cases). ``timeline``: one for every group, or one per group.
    """
    jobs = [(threat_of(catalog, c), grid, groups, timeline, share_defender_tracks) for c in cases]
    shots = [np.zeros((len(cases), len(g.defenders), len(grid)), dtype=np.int8) for g in groups]
    reach = np.zeros((len(cases), len(grid)), dtype=bool)
    workers = min(os.cpu_count() or 1, len(cases)) if workers is None else max(1, min(workers, len(cases)))

    def store(t_i: int, result: tuple[list[NDArray[np.int8]], NDArray[np.bool_]]) -> None:
        for out, got in zip(shots, result[0]):
            out[t_i] = got
        reach[t_i] = result[1]
        if progress is not None:
            progress(cases[t_i])

    if workers <= 1:
        for t_i, job in enumerate(jobs):
            store(t_i, _engage_case(job))
    else:
        _run_pool(jobs, workers, store)
    return shots, reach


def _run_pool(jobs: list[tuple], workers: int, store: Callable[[int, Any], None]) -> None:
    """Run the jobs in a process pool, storing each result as it comes (forked workers inherit the jobs)."""
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    key = id(jobs)
    if fork:
        _FORKED_JOBS[key] = jobs
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            if fork:
                futures = {pool.submit(_engage_forked, key, t_i): t_i for t_i in range(len(jobs))}
            else:
                futures = {pool.submit(_engage_case, job): t_i for t_i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                store(futures[fut], fut.result())
    finally:
        _FORKED_JOBS.pop(key, None)


def coverage_of(setup: Setup, grid: LandGrid, shots: NDArray[np.int8], reach: NDArray[np.bool_]) -> Coverage:
    """The :class:`Coverage` of an assembled architecture from its shots (threats, units, cells) and reach."""
    sc = setup.scenario
    return Coverage(
        grid=grid,
        defenders=setup.defenders,
        threats=setup.threats,
        shots=shots,
        reach=reach,
        scenario=sc.name,
        scenario_hash=sc.hash,
        catalog_hash=setup.catalog.hash,
    )


def national_coverages(
    setups: list[Setup],
    grid: LandGrid | float = 5.0,
    *,
    progress: Callable[[ThreatCase], None] | None = None,
    workers: int | None = None,
) -> list[Coverage]:
    """:func:`national_coverage` of several architectures: those that share their threat cases (and catalog)
    have each threat's trajectories flown and sampled once for all of them, each with its own timeline (the
    same answers as one call each, in a fraction of the time)."""
    grid = land_grid(grid) if not isinstance(grid, LandGrid) else grid
    passes: list[list[int]] = []  # setups with the same threat cases and catalog: one pass over the threats
    for i, s in enumerate(setups):
        same = next((p for p in passes if _same_threats(setups[p[0]], s)), None)
        if same is None:
            passes.append([i])
        else:
            same.append(i)
    out: list[Coverage | None] = [None] * len(setups)
    for p in passes:
        first = setups[p[0]]
        shots, reach = engage_cases(
            first.catalog,
            grid,
            [Network(setups[i].defenders, setups[i].sensors) for i in p],
            first.threats,
            [setups[i].timeline for i in p],
            workers=workers,
            progress=progress,
        )
        for i, sh in zip(p, shots):
            out[i] = coverage_of(setups[i], grid, sh, reach)
    return [c for c in out if c is not None]


def _same_threats(a: Setup, b: Setup) -> bool:
    """Whether two setups' threats fly the same trajectories (so one pass serves both)."""
    return a.threats == b.threats and a.catalog.hash == b.catalog.hash


def national_coverage(
    setup: Setup,
    grid: LandGrid | float = 5.0,
    *,
    progress: Callable[[ThreatCase], None] | None = None,
    workers: int | None = None,
) -> Coverage:
    """Coverage of Japan's land grid (a :class:`~bmdlab.geo.grid.LandGrid` or its resolution [km]) by an
    assembled architecture (:func:`bmdlab.assembly.setup.assemble`) against each of its threat cases."""
    return national_coverages([setup], grid, progress=progress, workers=workers)[0]
