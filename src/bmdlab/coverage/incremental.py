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
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bmdlab import arguments, bounds
from bmdlab.assembly.setup import Setup, ThreatCase
from bmdlab.catalog import Catalog
from bmdlab.coverage.national import BATCH, Coverage, coverage_of, reach_of, threat_of
from bmdlab.defense.engage import Defender, EngagementTimeline, Sensor
from bmdlab.defense.shots import Batch, Memo, engage, grid_batches, network
from bmdlab.geo.grid import LandGrid, land_grid

#: Default memory budget of the cached trajectories [bytes] (a 5 km grid's 2017 threat of 20 cases takes 1.45 GB).
DEFAULT_MAX_BYTES = 3 * 2**30


@dataclass
class _Flight:
    """Every trajectory of one threat case to one grid: its batches (with the cells each aims at) and the
    cells it reaches."""

    batches: list[tuple[NDArray[np.intp], Batch]]
    reach: NDArray[np.bool_]

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for _, b in self.batches) + self.reach.nbytes


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
        self.catalog = arguments.instance("catalog", catalog, Catalog, "a Catalog (bmdlab.catalog.builtin_catalog())")
        self.max_bytes = bounds.CACHE_BYTES.check("max_bytes", max_bytes)
        self.workers = bounds.CACHE_WORKERS.check("workers", workers)
        self.stats = CacheStats()
        self._grids: dict[float, LandGrid] = {}
        self._flights: OrderedDict[tuple, _Flight] = OrderedDict()
        self._tracks: dict[tuple, NDArray[np.float64]] = {}
        self._shots: dict[tuple, tuple[NDArray[np.float64], NDArray[np.int8]]] = {}
        self._candidates: dict[tuple, tuple[NDArray[np.intp], bool]] = {}
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

    def pending(self, setup: Setup, resolution_km: float) -> int:
        """How many of the architecture's threat cases have no cached trajectories on this grid yet."""
        with self._lock:
            return sum((float(resolution_km), c) not in self._flights for c in setup.threats)

    def clear(self) -> None:
        with self._lock:
            self._flights.clear()
            self._tracks.clear()
            self._shots.clear()
            self._candidates.clear()

    # -- the cached pieces -------------------------------------------------------------------------

    def _fly(self, grid: LandGrid, case: ThreatCase) -> _Flight:
        """Fly and sample one threat case to every cell it can reach (as the full coverage does)."""
        threat = threat_of(self.catalog, case)
        reach = reach_of(threat, grid)
        lat, lon = np.radians(grid.lat_deg), np.radians(grid.lon_deg)
        return _Flight(batches=list(grid_batches(threat, lat, lon, reach, BATCH)), reach=reach)

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
            self._tracks = {k: v for k, v in self._tracks.items() if k[0][0] != key}
            self._shots = {k: v for k, v in self._shots.items() if k[0][0] != key}
            self._candidates = {k: v for k, v in self._candidates.items() if k[0][0] != key}

    # -- coverage --------------------------------------------------------------------------------

    def coverage(
        self, setup: Setup, resolution_km: float = 10.0, *, progress: Callable[[ThreatCase], None] | None = None
    ) -> Coverage:
        """The architecture's :class:`~bmdlab.coverage.national.Coverage` on a ``resolution_km`` grid,
        equal to ``national_coverage(setup, resolution_km)``.

        ``progress`` is called once per threat case flown and once per threat case engaged; an
        exception it raises (e.g. a cancellation) propagates and leaves the cache consistent.
        """
        if setup.catalog.hash != self.catalog.hash:
            raise ValueError("setup: assembled on another catalog than the cache's; make one CoverageCache per catalog")
        with self._lock:
            return self._coverage(setup, float(resolution_km), progress)

    def _coverage(self, setup: Setup, res: float, progress: Callable[[ThreatCase], None] | None) -> Coverage:
        grid = self.grid(res)
        cases = list(setup.threats)
        self._ensure_flights(res, grid, cases, progress)
        shots = np.zeros((len(cases), len(setup.defenders), len(grid)), dtype=np.int8)
        reach = np.zeros((len(cases), len(grid)), dtype=bool)

        def engage_case(case: ThreatCase) -> tuple[NDArray[np.int8], list[int]]:
            """Shots (units, cells) against one threat case, and (computed, reused) counts."""
            flight = self._flights[(res, case)]
            net = network(setup.defenders, setup.sensors, threat_of(self.catalog, case), cueing=setup.timeline.cueing)
            out = np.zeros((len(setup.defenders), len(grid)), dtype=np.int8)
            counts = [0, 0]
            for b, (idx, batch) in enumerate(flight.batches):
                memo = _BatchMemo(self, ((res, case), b), setup.timeline, counts)
                out[:, idx] = engage(batch, net, setup.timeline, memo=memo).shots
            return out, counts

        # threat cases are independent (each touches only its own cache entries): one thread each
        with ThreadPoolExecutor(max_workers=min(self.workers, max(len(cases), 1))) as pool:
            futures = [pool.submit(engage_case, case) for case in cases]
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
        return coverage_of(setup, grid, shots, reach)


class _BatchMemo(Memo):
    """The cache's memo for one batch of one threat case: each network sensor's tracks, each unit's candidate
    trajectories, and each unit's shots with the network track times they were computed with (recomputed where
    those changed)."""

    def __init__(self, cache: CoverageCache, batch_key: tuple, timeline: EngagementTimeline, counts: list[int]):
        self.cache, self.key, self.timeline, self.counts = cache, batch_key, timeline, counts

    def track(self, sensor: Sensor, compute: Callable[[], NDArray[np.float64]]) -> NDArray[np.float64]:
        key = (self.key, _sensor_key(sensor), self.timeline.min_elevation)
        got = self.cache._tracks.get(key)
        if got is None:
            got = self.cache._tracks[key] = compute()
        return got

    def candidates(
        self, defender: Defender, compute: Callable[[], tuple[NDArray[np.intp], bool]]
    ) -> tuple[NDArray[np.intp], bool]:
        key = (self.key, _defender_key(defender))
        got = self.cache._candidates.get(key)
        if got is None:
            got = self.cache._candidates[key] = compute()
        return got

    def shots(
        self, defender: Defender, network: NDArray[np.float64], compute: Callable[[NDArray[np.intp]], NDArray[np.int64]]
    ) -> NDArray[np.int64]:
        key = (self.key, _defender_key(defender), self.timeline)
        hit = self.cache._shots.get(key)
        if hit is None:
            rows, n = np.arange(network.size), np.zeros(network.size, dtype=np.int8)
        else:
            # a trajectory's shot opportunities depend on its own track time only: recompute the
            # trajectories whose network track time changed, keep the rest
            rows, n = np.flatnonzero(hit[0] != network), hit[1].copy()
        if rows.size:
            n[rows] = compute(rows)
            self.cache._shots[key] = (network.copy(), n)
            self.counts[0] += 1
        else:
            self.counts[1] += 1
        return n
