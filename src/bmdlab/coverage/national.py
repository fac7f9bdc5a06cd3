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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Missile
from bmdlab.defense.engage import (
    DEFAULT_MODEL,
    Defender,
    EngagementModel,
    Samples,
    Sensor,
    detection_time,
    limit_kwargs,
    make_defender,
    make_sensor,
    sample,
    sensors_against,
)
from bmdlab.defense.envelope import ground_distance, intercept_opportunities
from bmdlab.geo.grid import LandGrid, land_grid
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, unit_vector
from bmdlab.scenario import Scenario, Timeline, resolve_place
from bmdlab.trajectory import max_range, missile_trajectory

#: Sensors shorter-ranged than this only serve their own fire unit (no network cue). [m]
LOCAL_SENSOR_RANGE = 500e3
#: Cells per trajectory batch (bounds memory: positions are batch x ~200 samples x 3 floats).
BATCH = 3000


@dataclass(frozen=True)
class ThreatCase:
    launch_area: str
    missile: str
    shape: str
    apogee_km: float | None = None

    @property
    def label(self) -> str:
        extra = f" {self.apogee_km:,.0f} km" if self.apogee_km else ""
        return f"{self.missile} from {self.launch_area} ({self.shape}{extra})"


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
        self, defenders: NDArray[np.bool_] | None = None, threats: NDArray[np.bool_] | None = None
    ) -> NDArray[np.bool_]:
        """Worst case over (a subset of) threats: defended against every threat reaching the cell."""
        tot = self.total_shots(defenders)
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


def engagement_model(scenario: Scenario, model: EngagementModel | None = None) -> EngagementModel:
    """The engagement model of a scenario's timeline, unless ``model`` overrides it."""
    if model is not None:
        return model
    tl = scenario.timeline
    return EngagementModel(flyout=tl.flyout, limits=frozenset(tl.engagement_limits), rcs_scale=tl.rcs_scale)


def with_engagement_model(scenario: Scenario, model: EngagementModel | None) -> Scenario:
    """The scenario with its timeline's fly-out, engagement limits and RCS scale set from ``model``."""
    if model is None:
        return scenario
    tl = scenario.timeline.model_copy(
        update={"flyout": model.flyout, "engagement_limits": sorted(model.limits), "rcs_scale": model.rcs_scale}
    )
    return scenario.model_copy(update={"timeline": tl})


def defenders_of(
    scenario: Scenario,
    catalog: Catalog,
    model: EngagementModel | None = None,
) -> tuple[list[Defender], list[Sensor]]:
    """The scenario's units and stand-alone sensors, resolved against the catalog.

    The engagement model is the scenario timeline's (``flyout``, ``engagement_limits``) unless
    ``model`` is given.
    """
    model = engagement_model(scenario, model)
    defenders = []
    for i, u in enumerate(scenario.architecture.units):
        lat, lon = resolve_place(u.at, catalog)
        label = u.name or (u.at if isinstance(u.at, str) else f"{catalog.units[u.unit].name} {i + 1}")
        d = make_defender(
            catalog, u.unit, lat, lon, name=label, interceptor=u.interceptor, inventory=u.inventory, model=model
        )
        eng = scenario.engagement
        avail = eng.availability.get(u.name or "", eng.availability.get(u.unit, d.availability))
        defenders.append(
            replace(
                d,
                fire_channels=eng.fire_channels.get(u.unit, d.fire_channels),
                c2_time=eng.c2_time_s.get(u.unit, d.c2_time),
                availability=avail,
            )
        )
    sensors = []
    for s in scenario.architecture.sensors:
        lat, lon = resolve_place(s.at, catalog)
        sensors.append(
            make_sensor(catalog, s.sensor, lat, lon, name=s.name or (s.at if isinstance(s.at, str) else None))
        )
    return defenders, sensors


def threat_cases(scenario: Scenario, catalog: Catalog) -> list[ThreatCase]:
    """Every (launch area, missile, shape) of the scenario's threat, once each, in the order given."""
    cases: list[ThreatCase] = []
    for g in scenario.threat.all_groups():
        areas = g.launch_areas or list(catalog.places_of("launch-area"))
        cases += [ThreatCase(a, m, s.shape, s.apogee_km) for a in areas for m in g.missiles for s in g.shapes]
    return list(dict.fromkeys(cases))


@dataclass(frozen=True)
class _Window:
    """Where a batch of sampled trajectories is inside one altitude window (see :func:`_window`)."""

    reach_descent: np.ndarray  #: (n,) farthest ground distance from the aim point of a descent sample in the window [m]
    reach_ascent: (
        np.ndarray
    )  #: (n,) farthest ground distance from the launch point of an ascent sample in the window [m]
    first_descent: int  #: first column at or after every trajectory's apogee
    end: int  #: one past the last column with a sample in the window


def _window(s: Samples, aim: np.ndarray, launch: np.ndarray, min_altitude: float, max_altitude: float) -> _Window:
    """Bounds that let a defender skip trajectories and sample columns it provably cannot engage.

    Ground distances use the angle between Earth-centred vectors; -inf where a trajectory has no
    sample of that kind in the window.
    """
    inside = (s.altitudes >= min_altitude) & (s.altitudes <= max_altitude)
    apogee_col = np.argmax(s.altitudes, axis=1)
    descent = np.arange(s.altitudes.shape[1])[None, :] >= apogee_col[:, None]
    radius = EARTH_RADIUS + s.altitudes

    def farthest(mask: np.ndarray, cos_ang: np.ndarray) -> np.ndarray:
        worst = np.min(np.where(mask, cos_ang, np.inf), axis=1)
        return np.where(np.isfinite(worst), EARTH_RADIUS * np.arccos(np.clip(worst, -1.0, 1.0)), -np.inf)

    cos_aim = np.einsum("nki,ni->nk", s.positions, aim / EARTH_RADIUS) / radius
    cos_launch = (s.positions @ (launch / EARTH_RADIUS)) / radius
    cols = np.flatnonzero(inside.any(axis=0))
    return _Window(
        reach_descent=farthest(inside & descent, cos_aim),
        reach_ascent=farthest(inside & ~descent, cos_launch),
        first_descent=int(apogee_col.min()),
        end=int(cols[-1]) + 1 if cols.size else 0,
    )


def engage_grid(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    grid: LandGrid,
    defenders: list[Defender],
    sensors: list[Sensor],
    threat: ThreatCase,
    **kwargs,
) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
    """Shot opportunities (defenders, cells) of one architecture against one threat at every cell:
    :func:`engage_grid_groups` with a single group (keyword arguments as there)."""
    shots, reach = engage_grid_groups(
        missile, launch_lat_deg, launch_lon_deg, grid, [(defenders, sensors)], threat, **kwargs
    )
    return shots[0], reach


def engage_grid_groups(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    grid: LandGrid,
    groups: list[tuple[list[Defender], list[Sensor]]],
    threat: ThreatCase,
    *,
    track_delay: float | None,
    kill_assessment: float,
    cue_latency: float,
    min_elevation: float,
    cueing: bool,
    max_shots: int,
    share_defender_tracks: bool = True,
) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Shot opportunities (defenders, cells) of every defender of each architecture (``groups`` of
    defenders and sensors) against one threat at every cell, and the cells the threat reaches.

    The trajectories are flown and sampled once for all architectures. Within each architecture,
    with ``cueing`` a defender may commit on the earliest track of its network: the stand-alone
    sensors and (``share_defender_tracks``) the long-range radars of the other defenders; a radar
    shorter-ranged than :data:`LOCAL_SENSOR_RANGE` serves only its own unit.
    """
    mis = missile
    la, lo = np.radians(launch_lat_deg), np.radians(launch_lon_deg)
    prepared = []
    for defenders, sensors in groups:
        model = defenders[0].model if defenders else DEFAULT_MODEL
        defs = [d.against(mis, (la, lo)) for d in defenders]
        sens = sensors_against(sensors, mis, model, (la, lo))
        network_sensors = list(sens)
        if share_defender_tracks:
            network_sensors += [d.sensor for d in defs if d.sensor.detection_range >= LOCAL_SENSOR_RANGE]
        prepared.append((defs, network_sensors))
    shots = [np.zeros((len(defs), len(grid)), dtype=np.int8) for defs, _ in prepared]
    reach = np.zeros(len(grid), dtype=bool)
    launch = EARTH_RADIUS * unit_vector(la, lo)
    for idx, s, aim, ok in flown_batches(mis, la, lo, grid, threat, reach):
        window_cache: dict[tuple[float, float], _Window] = {}
        for g_i, (defenders, network_sensors) in enumerate(prepared):
            # first detection per sensor (by identity) in this batch. A defender commits on the earlier of
            # its own detection and the network's (earliest detection + cue latency), so once the network
            # has a track, later detections change nothing: each scan stops at the network's time so far
            # (longest-ranged sensors first, which see the threat earliest), and the result is exact.
            detected: dict[int, np.ndarray] = {}
            network = np.full(idx.size, np.inf)
            if cueing:
                for sen in sorted(network_sensors, key=lambda x: -x.detection_range):
                    if id(sen) not in detected:
                        detected[id(sen)] = detection_time(s, sen, min_elevation, before=network)
                        network = np.minimum(network, detected[id(sen)] + cue_latency)
            for d_i, d in enumerate(defenders):
                key = (d.min_altitude, d.max_altitude)
                if key not in window_cache:
                    window_cache[key] = _window(s, aim, launch, d.min_altitude, d.max_altitude)
                w = window_cache[key]
                sub, from_launch = candidates(d, w, aim, launch, ok)
                if not sub.size:
                    continue
                own = detected[id(d.sensor)][sub] if id(d.sensor) in detected else None
                shots[g_i][d_i, idx[sub]] = defender_shots(
                    d,
                    s,
                    sub,
                    w,
                    from_launch,
                    network[sub],
                    own,
                    track_delay=track_delay,
                    kill_assessment=kill_assessment,
                    min_elevation=min_elevation,
                    max_shots=max_shots,
                )
    return shots, reach


def flown_batches(mis: Missile, la: float, lo: float, grid: LandGrid, threat: ThreatCase, reach: NDArray[np.bool_]):
    """Fly and sample the threat to every cell it can reach, :data:`BATCH` cells at a time.

    Yields ``(cells, samples, aim points [m], ok)`` per batch and fills ``reach`` (cells) in place:
    True where the missile's range reaches the cell and its trajectory exists.
    """
    clat, clon = np.radians(grid.lat_deg), np.radians(grid.lon_deg)
    reach[:] = EARTH_RADIUS * central_angle(la, lo, clat, clon) <= max_range(mis)
    idx_all = np.flatnonzero(reach)
    apogee = None if threat.apogee_km is None else threat.apogee_km * 1e3
    for start in range(0, idx_all.size, BATCH):
        idx = idx_all[start : start + BATCH]
        traj = missile_trajectory(mis, la, lo, clat[idx], clon[idx], shape=threat.shape, apogee=apogee, strict=False)
        ok = np.isfinite(traj.flight_time)
        reach[idx[~ok]] = False
        yield idx, sample(traj), EARTH_RADIUS * unit_vector(clat[idx], clon[idx]), ok


def candidates(
    d: Defender, w: _Window, aim: np.ndarray, launch: np.ndarray, ok: np.ndarray
) -> tuple[NDArray[np.intp], bool]:
    """The trajectories of a batch that ``d`` may engage, and whether any of them may be engaged in ascent.

    A sample inside the defender's altitude window and within its range is a descent sample within
    ``reach_descent`` of the aim point or an ascent sample within ``reach_ascent`` of the launch point.
    """
    near_aim = ground_distance(aim, d.position) <= d.max_range + w.reach_descent
    near_launch = ground_distance(launch, d.position) <= d.max_range + w.reach_ascent
    sub = np.flatnonzero(ok & (near_aim | near_launch))
    return sub, bool(near_launch[sub].any())


def defender_shots(
    d: Defender,
    s: Samples,
    rows: NDArray[np.intp],
    w: _Window,
    from_launch: bool,
    network: NDArray[np.float64],
    own: NDArray[np.float64] | None,
    *,
    track_delay: float | None,
    kill_assessment: float,
    min_elevation: float,
    max_shots: int,
) -> NDArray[np.int64]:
    """Shot opportunities of ``d`` on the trajectories ``rows`` of a batch, given the network's track
    times on them and, if known, the defender's own radar's (else computed here).

    Each trajectory's result depends on its own samples and track times only, so any subset of rows
    gives the same values as the whole batch (what :mod:`bmdlab.coverage.incremental` relies on).
    """
    # only samples up to the window's end matter: a detection after it cannot lead to an intercept
    # (one more column is kept as a neighbour for the threat's velocity by differences)
    end = min(w.end + 1, s.times.shape[1])
    ss = Samples(s.times[rows, :end], s.positions[rows, :end], s.altitudes[rows, :end])
    if own is None:
        own = detection_time(ss, d.sensor, min_elevation, before=network)
    commit = np.minimum(own, network) + d.delay(track_delay)
    # when no ascent sample is in range, the columns before every trajectory's apogee hold none
    # (minus one: a neighbour for the velocity by differences; that column is ascent, out of range)
    first = 0 if from_launch else max(w.first_descent - 1, 0)
    n, _, _ = intercept_opportunities(
        ss.times[:, first:],
        ss.positions[:, first:],
        ss.altitudes[:, first:],
        d.position,
        commit_time=commit,
        kill_assessment=kill_assessment,
        max_shots=max_shots,
        **limit_kwargs(d),
    )
    return n


def _engage_case(args: tuple) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """Process-pool entry point: one threat case (all arguments picklable)."""
    missile, lat, lon, grid, groups, case, kwargs = args
    return engage_grid_groups(missile, lat, lon, grid, groups, case, **kwargs)


def engage_cases(
    catalog: Catalog,
    grid: LandGrid,
    defenders: list[Defender],
    sensors: list[Sensor],
    cases: list[ThreatCase],
    timeline: Timeline,
    *,
    share_defender_tracks: bool = True,
    workers: int | None = None,
    progress: Callable[[ThreatCase], None] | None = None,
) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
    """Shots (threats, defenders, cells) and reach (threats, cells) for every threat case.

    Threat cases are independent; with ``workers > 1`` they run in a local process pool (default:
    one worker per CPU, at most the number of cases).
    """
    shots, reach = engage_cases_groups(
        catalog,
        grid,
        [(defenders, sensors)],
        cases,
        timeline,
        share_defender_tracks=share_defender_tracks,
        workers=workers,
        progress=progress,
    )
    return shots[0], reach


def engage_cases_groups(
    catalog: Catalog,
    grid: LandGrid,
    groups: list[tuple[list[Defender], list[Sensor]]],
    cases: list[ThreatCase],
    timeline: Timeline,
    *,
    share_defender_tracks: bool = True,
    workers: int | None = None,
    progress: Callable[[ThreatCase], None] | None = None,
) -> tuple[list[NDArray[np.int8]], NDArray[np.bool_]]:
    """:func:`engage_cases` for several architectures at once (each group its own network), flying and
    sampling each threat's trajectories once for all of them."""
    kwargs = dict(
        track_delay=timeline.track_delay_s,
        kill_assessment=timeline.kill_assessment_s,
        cue_latency=timeline.cue_latency_s,
        min_elevation=np.radians(timeline.min_elevation_deg),
        cueing=timeline.cueing and (any(bool(s) for _, s in groups) or share_defender_tracks),
        max_shots=timeline.max_shots,
        share_defender_tracks=share_defender_tracks,
    )
    jobs = []
    for case in cases:
        place = catalog.place(case.launch_area)
        jobs.append((catalog.missile(case.missile), place.lat.nominal, place.lon.nominal, grid, groups, case, kwargs))
    shots = [np.zeros((len(cases), len(d), len(grid)), dtype=np.int8) for d, _ in groups]
    reach = np.zeros((len(cases), len(grid)), dtype=bool)
    workers = min(os.cpu_count() or 1, len(cases)) if workers is None else max(1, min(workers, len(cases)))

    def store(t_i: int, result) -> None:
        sh, re = result
        for g_i in range(len(groups)):
            shots[g_i][t_i] = sh[g_i]
        reach[t_i] = re
        if progress is not None:
            progress(cases[t_i])

    if workers <= 1:
        for t_i, job in enumerate(jobs):
            store(t_i, _engage_case(job))
    else:
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(_engage_case, job): t_i for t_i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                store(futures[fut], fut.result())
    return shots, reach


def national_coverages(
    scenarios: list[Scenario],
    catalog: Catalog,
    resolution_km: float = 5.0,
    progress: Callable[[ThreatCase], None] | None = None,
    grid: LandGrid | None = None,
    workers: int | None = None,
    model: EngagementModel | None = None,
) -> list[Coverage]:
    """:func:`national_coverage` of several architectures against one threat: when the scenarios share
    their threat cases and timeline, each threat's trajectories are flown and sampled once for all of
    them (the same answers as one call each, in a fraction of the time); otherwise one call each."""
    grid = land_grid(resolution_km) if grid is None else grid
    cases = [threat_cases(sc, catalog) for sc in scenarios]
    # the engagement model (fly-out, limits, RCS scale) travels with each architecture's defenders;
    # the rest of the timeline (delays, shots, cueing) must be the same for one pass
    engagement = {"flyout", "engagement_limits", "rcs_scale"}
    same = all(c == cases[0] for c in cases) and all(
        sc.timeline.model_dump(exclude=engagement) == scenarios[0].timeline.model_dump(exclude=engagement)
        for sc in scenarios
    )
    if not same:
        return [
            national_coverage(sc, catalog, grid=grid, workers=workers, model=model, progress=progress)
            for sc in scenarios
        ]
    groups = [defenders_of(sc, catalog, model) for sc in scenarios]
    shots, reach = engage_cases_groups(
        catalog, grid, groups, cases[0], scenarios[0].timeline, workers=workers, progress=progress
    )
    return [
        Coverage(
            grid=grid,
            defenders=tuple(g[0]),
            threats=tuple(cases[0]),
            shots=sh,
            reach=reach,
            scenario=sc.name,
            scenario_hash=sc.hash,
            catalog_hash=catalog.hash,
        )
        for sc, g, sh in zip(scenarios, groups, shots)
    ]


def national_coverage(
    scenario: Scenario,
    catalog: Catalog,
    resolution_km: float = 5.0,
    progress: Callable[[ThreatCase], None] | None = None,
    grid: LandGrid | None = None,
    workers: int | None = None,
    model: EngagementModel | None = None,
) -> Coverage:
    """Coverage of Japan's land grid by the scenario's architecture against each of its threats.

    ``model`` overrides the scenario timeline's engagement model (fly-out and limits).
    """
    grid = land_grid(resolution_km) if grid is None else grid
    defenders, sensors = defenders_of(scenario, catalog, model)
    cases = threat_cases(scenario, catalog)
    shots, reach = engage_cases(
        catalog, grid, defenders, sensors, cases, scenario.timeline, workers=workers, progress=progress
    )
    return Coverage(
        grid=grid,
        defenders=tuple(defenders),
        threats=tuple(cases),
        shots=shots,
        reach=reach,
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        catalog_hash=catalog.hash,
    )
