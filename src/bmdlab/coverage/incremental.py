"""National coverage recomputed incrementally: what an interactive session needs to feel live.

:func:`bmdlab.coverage.national.national_coverage` flies and samples every threat's trajectories to
every land cell, then asks each unit for its shot opportunities. In a session that moves one unit at
a time, almost all of that is the same as the last time. :class:`CoverageCache` keeps, per grid
resolution and threat case,

* the sampled trajectories (the expensive part: about four fifths of a coverage's CPU time);
* each network sensor's first-detection time of every trajectory, keyed by the sensor's type,
  position and range against that threat;
* each unit's shot opportunities, keyed by the unit's type, interceptor, position and engagement
  model, together with the network track times they were computed with.

A unit's cached shots are reused only when the network's track times on the trajectories it can
reach are exactly those it was computed with, so a moved radar that becomes (or stops being) the
first to see a threat recomputes every unit it cues and no other. The result is the same
:class:`~bmdlab.coverage.national.Coverage`, bit for bit, as ``national_coverage`` (a test compares
them after moves, additions and removals).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.coverage.national import (
    LOCAL_SENSOR_RANGE,
    Coverage,
    ThreatCase,
    _Window,
    _window,
    candidates,
    defender_shots,
    defenders_of,
    flown_batches,
    threat_cases,
)
from bmdlab.defense.engage import Defender, EngagementModel, Samples, Sensor, detection_time, sensors_against
from bmdlab.geo.grid import LandGrid, land_grid
from bmdlab.geo.sphere import EARTH_RADIUS, unit_vector
from bmdlab.scenario import Scenario

#: Default memory budget of the cached trajectories [bytes] (a 5 km grid's 2017 threat of 20 cases takes 1.45 GB).
DEFAULT_MAX_BYTES = 3 * 2**30


@dataclass
class _Batch:
    """Up to :data:`~bmdlab.coverage.national.BATCH` trajectories of one threat, sampled."""

    idx: NDArray[np.intp]  #: grid cells aimed at
    samples: Samples
    aim: NDArray[np.float64]  #: (n, 3) aim points [m]
    ok: NDArray[np.bool_]  #: the trajectory exists
    windows: dict[tuple[float, float], _Window] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        s = self.samples
        return s.times.nbytes + s.positions.nbytes + s.altitudes.nbytes + self.aim.nbytes


@dataclass
class _Flight:
    """Every trajectory of one threat case to one grid: its batches and the cells it reaches."""

    batches: list[_Batch]
    reach: NDArray[np.bool_]
    launch: NDArray[np.float64]  #: launch point [m]

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.batches) + self.reach.nbytes


def _sensor_key(s: Sensor) -> tuple:
    """What a sensor's detections depend on (not its label)."""
    return (s.key, s.lat, s.lon, s.detection_range, s.field_of_view, s.boresight)


def _defender_key(d: Defender) -> tuple:
    """What a unit's shot opportunities depend on, besides the threat and the network's tracks."""
    return (d.unit, d.interceptor, d.lat, d.lon, d.model, _sensor_key(d.sensor))


@dataclass
class CacheStats:
    """How much a :class:`CoverageCache` reused (counts since it was made)."""

    flights_computed: int = 0
    flights_reused: int = 0
    shots_computed: int = 0  #: (unit, threat, batch) computations
    shots_reused: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class CoverageCache:
    """National coverage of many architectures on one catalog, reusing whatever they share.

    Parameters
    ----------
    catalog
        The catalog every scenario is resolved against (one cache per catalog).
    max_bytes
        Memory budget for the cached trajectories; the least recently used threat cases are dropped
        beyond it (with their tracks and shots).
    workers
        Threads that fly missing trajectories (NumPy releases the GIL in its array loops).

    Thread-safe: calls are serialised by a lock (a second caller waits).
    """

    def __init__(self, catalog: Catalog, *, max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 2):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be > 0")
        self.catalog = catalog
        self.max_bytes = int(max_bytes)
        self.workers = max(1, int(workers))
        self.stats = CacheStats()
        self._grids: dict[float, LandGrid] = {}
        self._flights: OrderedDict[tuple, _Flight] = OrderedDict()
        self._tracks: dict[tuple, NDArray[np.float64]] = {}
        self._shots: dict[tuple, tuple[NDArray[np.float64], NDArray[np.int8]]] = {}
        self._lock = threading.RLock()

    @property
    def nbytes(self) -> int:
        """Memory held by the cached trajectories [bytes]."""
        return sum(f.nbytes for f in self._flights.values())

    def grid(self, resolution_km: float) -> LandGrid:
        """Japan's land grid at ``resolution_km`` (built once)."""
        key = float(resolution_km)
        with self._lock:
            if key not in self._grids:
                self._grids[key] = land_grid(key)
            return self._grids[key]

    def cases(self, scenario: Scenario) -> list[ThreatCase]:
        """The scenario's threat cases (launch area, missile, shape)."""
        return threat_cases(scenario, self.catalog)

    def pending(self, scenario: Scenario, resolution_km: float) -> int:
        """How many of the scenario's threat cases have no cached trajectories on this grid yet."""
        with self._lock:
            return sum((float(resolution_km), c) not in self._flights for c in dict.fromkeys(self.cases(scenario)))

    def clear(self) -> None:
        with self._lock:
            self._flights.clear()
            self._tracks.clear()
            self._shots.clear()

    # -- the cached pieces -------------------------------------------------------------------------

    def _fly(self, grid: LandGrid, case: ThreatCase) -> _Flight:
        """Fly and sample one threat case to every cell it can reach (as ``engage_grid_groups`` does)."""
        mis = self.catalog.missile(case.missile)
        place = self.catalog.place(case.launch_area)
        la, lo = np.radians(place.lat.nominal), np.radians(place.lon.nominal)
        reach = np.zeros(len(grid), dtype=bool)
        batches = [
            _Batch(idx=idx, samples=s, aim=aim, ok=ok)
            for idx, s, aim, ok in flown_batches(mis, la, lo, grid, case, reach)
        ]
        return _Flight(batches=batches, reach=reach, launch=EARTH_RADIUS * unit_vector(la, lo))

    def _ensure_flights(
        self,
        resolution_km: float,
        grid: LandGrid,
        cases: list[ThreatCase],
        progress: Callable[[ThreatCase], None] | None,
    ) -> None:
        """Fly the cases not cached yet (in ``workers`` threads), then trim the cache to its budget."""
        missing = [c for c in dict.fromkeys(cases) if (resolution_km, c) not in self._flights]
        self.stats.flights_reused += len(set(cases)) - len(missing)
        if missing:

            def fly(case: ThreatCase) -> tuple[ThreatCase, _Flight]:
                return case, self._fly(grid, case)

            if self.workers > 1 and len(missing) > 1:
                with ThreadPoolExecutor(max_workers=min(self.workers, len(missing))) as pool:
                    futures = [pool.submit(fly, c) for c in missing]
                    try:
                        for fut in futures:
                            case, flight = fut.result()
                            self._flights[(resolution_km, case)] = flight
                            if progress is not None:
                                progress(case)  # may raise to cancel
                    finally:
                        for fut in futures:
                            fut.cancel()
            else:
                for c in missing:
                    self._flights[(resolution_km, c)] = self._fly(grid, c)
                    if progress is not None:
                        progress(c)
            self.stats.flights_computed += len(missing)
        for c in cases:
            self._flights.move_to_end((resolution_km, c))
        keep = {(resolution_km, c) for c in cases}
        total = self.nbytes
        for key in list(self._flights):
            if total <= self.max_bytes:
                break
            if key in keep:
                continue
            total -= self._flights.pop(key).nbytes
            self._tracks = {k: v for k, v in self._tracks.items() if k[0] != key}
            self._shots = {k: v for k, v in self._shots.items() if k[0] != key}

    def _track(self, fkey: tuple, b: int, batch: _Batch, sensor: Sensor, min_elevation: float) -> NDArray[np.float64]:
        """First detection time of every trajectory of a batch by ``sensor`` [s] (inf if never)."""
        key = (fkey, b, _sensor_key(sensor), min_elevation)
        got = self._tracks.get(key)
        if got is None:
            got = detection_time(batch.samples, sensor, min_elevation)
            self._tracks[key] = got
        return got

    # -- coverage --------------------------------------------------------------------------------

    def coverage(
        self,
        scenario: Scenario,
        resolution_km: float = 10.0,
        *,
        model: EngagementModel | None = None,
        progress: Callable[[ThreatCase], None] | None = None,
    ) -> Coverage:
        """The scenario's :class:`~bmdlab.coverage.national.Coverage` on a ``resolution_km`` grid,
        equal to ``national_coverage(scenario, catalog, resolution_km, model=model)``.

        ``progress`` is called once per threat case flown and once per threat case engaged; an
        exception it raises (e.g. a cancellation) propagates and leaves the cache consistent.
        """
        with self._lock:
            return self._coverage(scenario, float(resolution_km), model, progress)

    def _coverage(
        self,
        scenario: Scenario,
        res: float,
        model: EngagementModel | None,
        progress: Callable[[ThreatCase], None] | None,
    ) -> Coverage:
        cat = self.catalog
        grid = self.grid(res)
        defenders, sensors = defenders_of(scenario, cat, model)
        cases = threat_cases(scenario, cat)
        self._ensure_flights(res, grid, cases, progress)
        tl = scenario.timeline
        track_delay, kill_assessment, cue_latency = tl.track_delay_s, tl.kill_assessment_s, tl.cue_latency_s
        min_elev, max_shots, cueing = float(np.radians(tl.min_elevation_deg)), tl.max_shots, tl.cueing
        kw_key = (track_delay, kill_assessment, cue_latency, min_elev, max_shots, cueing)
        shots = np.zeros((len(cases), len(defenders), len(grid)), dtype=np.int8)
        reach = np.zeros((len(cases), len(grid)), dtype=bool)

        def engage(case: ThreatCase) -> tuple[NDArray[np.int8], list[int]]:
            """Shots (defenders, cells) against one threat case, and (computed, reused) counts."""
            fkey = (res, case)
            flight = self._flights[fkey]
            out = np.zeros((len(defenders), len(grid)), dtype=np.int8)
            counts = [0, 0]
            mis = cat.missile(case.missile)
            place = cat.place(case.launch_area)
            launch_ll = (np.radians(place.lat.nominal), np.radians(place.lon.nominal))
            defs = [d.against(mis, launch_ll) for d in defenders]
            sens = sensors_against(sensors, mis, defenders[0].model, launch_ll)
            network_sensors = list(sens) + [d.sensor for d in defs if d.sensor.detection_range >= LOCAL_SENSOR_RANGE]
            network_sensors = list({_sensor_key(s): s for s in network_sensors}.values())
            in_network = {_sensor_key(s) for s in network_sensors} if cueing else set()
            for b, batch in enumerate(flight.batches):
                s, aim, ok, idx = batch.samples, batch.aim, batch.ok, batch.idx
                network = np.full(idx.size, np.inf)
                if cueing:
                    for sen in network_sensors:
                        network = np.minimum(network, self._track(fkey, b, batch, sen, min_elev) + cue_latency)
                for d_i, d in enumerate(defs):
                    wkey = (d.min_altitude, d.max_altitude)
                    if wkey not in batch.windows:
                        batch.windows[wkey] = _window(s, aim, flight.launch, d.min_altitude, d.max_altitude)
                    w = batch.windows[wkey]
                    sub, from_launch = candidates(d, w, aim, flight.launch, ok)
                    if not sub.size:
                        continue
                    net_sub = network[sub]
                    skey = (fkey, b, _defender_key(d), kw_key)
                    hit = self._shots.get(skey)
                    if hit is None:
                        rows, n = np.arange(sub.size), np.zeros(sub.size, dtype=np.int8)
                    else:
                        # a trajectory's shot opportunities depend on its own track time only: recompute the
                        # trajectories whose network track time changed, keep the rest
                        rows, n = np.flatnonzero(hit[0] != net_sub), hit[1].copy()
                    if rows.size:
                        own = (
                            self._track(fkey, b, batch, d.sensor, min_elev)[sub[rows]]
                            if _sensor_key(d.sensor) in in_network
                            else None
                        )
                        # the columns are chosen from all of the unit's candidates (from_launch), as a
                        # from-scratch computation chooses them
                        n[rows] = defender_shots(
                            d,
                            s,
                            sub[rows],
                            w,
                            from_launch,
                            net_sub[rows],
                            own,
                            track_delay=track_delay,
                            kill_assessment=kill_assessment,
                            min_elevation=min_elev,
                            max_shots=max_shots,
                        )
                        self._shots[skey] = (net_sub.copy(), n)
                        counts[0] += 1
                    else:
                        counts[1] += 1
                    out[d_i, idx[sub]] = n
            return out, counts

        # threat cases are independent (each touches only its own cache entries): one thread each
        with ThreadPoolExecutor(max_workers=min(self.workers, max(len(cases), 1))) as pool:
            futures = [pool.submit(engage, case) for case in cases]
            try:
                for t_i, (case, fut) in enumerate(zip(cases, futures)):
                    shots[t_i], counts = fut.result()
                    reach[t_i] = self._flights[(res, case)].reach
                    self.stats.shots_computed += counts[0]
                    self.stats.shots_reused += counts[1]
                    if progress is not None:
                        progress(case)  # may raise to cancel
            finally:
                for fut in futures:
                    fut.cancel()
        return Coverage(
            grid=grid,
            defenders=tuple(defenders),
            threats=tuple(cases),
            shots=shots,
            reach=reach,
            scenario=scenario.name,
            scenario_hash=scenario.hash,
            catalog_hash=cat.hash,
        )
