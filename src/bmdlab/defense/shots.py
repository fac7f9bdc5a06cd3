"""Shot opportunities of a networked architecture against a batch of threat trajectories: the one engine.

Every analysis that asks "how many times can each unit shoot at this missile" calls :func:`engage`:
the national coverage (a batch per grid chunk), the incremental coverage of ``bmdlab serve`` (the same
call with a :class:`Memo` that keeps tracks and shots between edits), the raid plan (a batch per
missile and launch area, with the launch windows) and a unit's defended footprint.

For one threat (a missile from a launch point) and a :class:`Batch` of its trajectories to many aim
points:

1. **Network track.** With cueing, a unit may commit on the earliest track of its network: the
   stand-alone sensors and the radars of the other units that reach at least
   :data:`LOCAL_SENSOR_RANGE`, after the cue latency (a short-range fire-control radar serves only its
   own unit). Sensors are scanned longest-ranged first, each only for detections earlier than the
   network's so far: later ones change nothing, so the result is exact.
2. **Commit.** A unit commits at the earlier of its own radar's detection and the network's track,
   plus its track-and-decision delay.
3. **Opportunities.** Its sequential shot opportunities on each trajectory
   (:func:`bmdlab.defense.envelope.intercept_opportunities`), computed only on the trajectories and
   sample columns it can possibly reach (:func:`candidates`, :class:`Window`): an exact shortcut, since
   each trajectory's result depends on its own samples and track times only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog.schema import Missile
from bmdlab.defense.engage import (
    DEFAULT_MODEL,
    Defender,
    EngagementModel,
    EngagementTimeline,
    Samples,
    Sensor,
    detection_time_of_rows,
    sample,
    sensors_against,
)
from bmdlab.defense.envelope import KERNEL_MIN_SAMPLES, Selection, ShotRules, ground_distance, selected_opportunities
from bmdlab.geo.sphere import EARTH_RADIUS, unit_vector
from bmdlab.lazy import lazy_module
from bmdlab.trajectory import FlightShape, missile_trajectory

if TYPE_CHECKING:
    from bmdlab.defense import kernel
else:
    kernel = lazy_module("bmdlab.defense.kernel")  # Numba loads in ~0.6 s: only for big work

FloatArray = NDArray[np.float64]

#: Sensors shorter-ranged than this only serve their own fire unit (no network cue). [m]
LOCAL_SENSOR_RANGE = 500e3


@dataclass(frozen=True)
class Window:
    """Where a batch of sampled trajectories is inside one altitude window (see :meth:`Batch.window`)."""

    reach_descent: FloatArray  #: (n,) farthest ground distance from the aim point of a descent sample in the window [m]
    reach_ascent: (
        FloatArray  #: (n,) farthest ground distance from the launch point of an ascent sample in the window [m]
    )
    first_descent: int  #: first column at or after every trajectory's apogee
    end: int  #: one past the last column with a sample in the window
    row_first: NDArray[np.intp]  #: (n,) each trajectory's first column in the window (0 if none)
    row_end: NDArray[np.intp]  #: (n,) one past its last column in the window (0 if none)


@dataclass
class Batch:
    """Trajectories of one threat to ``n`` aim points, sampled in time (:func:`fly`)."""

    samples: Samples
    aim: FloatArray  #: (n, 3) Earth-centred aim points [m]
    launch: FloatArray  #: (3,) Earth-centred launch point [m]
    ok: NDArray[np.bool_]  #: (n,) the trajectory exists
    windows: dict[tuple[float, float], Window] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.ok.size)

    @property
    def nbytes(self) -> int:
        s = self.samples
        return s.times.nbytes + s.positions.nbytes + s.altitudes.nbytes + self.aim.nbytes

    def window(self, min_altitude: float, max_altitude: float) -> Window:
        """Bounds that let a unit skip trajectories and sample columns it provably cannot engage (kept per
        altitude window). Ground distances use the angle between Earth-centred vectors; -inf where a
        trajectory has no sample of that kind in the window."""
        key = (min_altitude, max_altitude)
        if key not in self.windows:
            self.windows[key] = _window(self.samples, self.aim, self.launch, min_altitude, max_altitude)
        return self.windows[key]


def _window(s: Samples, aim: FloatArray, launch: FloatArray, min_altitude: float, max_altitude: float) -> Window:
    if s.altitudes.size >= KERNEL_MIN_SAMPLES:  # one compiled pass (the same bounds)
        apogee_col, cos_descent, cos_ascent, first, last, end = kernel.window_scan(
            s.positions, s.altitudes, aim / EARTH_RADIUS, launch / EARTH_RADIUS, min_altitude, max_altitude
        )
        return Window(
            reach_descent=_farthest(cos_descent),
            reach_ascent=_farthest(cos_ascent),
            first_descent=int(apogee_col.min()),
            end=int(end),
            row_first=first,
            row_end=last,
        )
    inside = (s.altitudes >= min_altitude) & (s.altitudes <= max_altitude)
    apogee_col = np.argmax(s.altitudes, axis=1)
    descent = np.arange(s.altitudes.shape[1])[None, :] >= apogee_col[:, None]
    radius = EARTH_RADIUS + s.altitudes

    def farthest(mask: np.ndarray, cos_ang: np.ndarray) -> np.ndarray:
        return _farthest(np.min(np.where(mask, cos_ang, np.inf), axis=1))

    cos_aim = np.einsum("nki,ni->nk", s.positions, aim / EARTH_RADIUS) / radius
    cos_launch = (s.positions @ (launch / EARTH_RADIUS)) / radius
    cols = np.flatnonzero(inside.any(axis=0))
    any_in, k = inside.any(axis=1), inside.shape[1]
    return Window(
        reach_descent=farthest(inside & descent, cos_aim),
        reach_ascent=farthest(inside & ~descent, cos_launch),
        first_descent=int(apogee_col.min()),
        end=int(cols[-1]) + 1 if cols.size else 0,
        row_first=np.where(any_in, np.argmax(inside, axis=1), 0).astype(np.intp),
        row_end=np.where(any_in, k - np.argmax(inside[:, ::-1], axis=1), 0).astype(np.intp),
    )


#: Slack added to a window's reach [m]: the cosines round differently in NumPy (fused multiply-adds in its
#: vector loops) and in the compiled scan (up to 1e-4 m apart, measured); with it the bound admits every
#: trajectory either would, and the engagement kernel decides each exactly.
WINDOW_SLACK = 1.0


def _farthest(worst_cos: FloatArray) -> FloatArray:
    """Ground distances [m] of the smallest cosines of ground angles per trajectory, plus :data:`WINDOW_SLACK`
    (-inf where none)."""
    far = EARTH_RADIUS * np.arccos(np.clip(worst_cos, -1.0, 1.0)) + WINDOW_SLACK
    return np.where(np.isfinite(worst_cos), far, -np.inf)


@dataclass(frozen=True)
class MissileLaunch:
    """A missile from a launch point on a trajectory shape (what one batch of trajectories flies)."""

    missile: Missile
    launch: tuple[float, float]  #: (lat, lon) [rad]
    shape: str = "minimum-energy"
    apogee: float | None = None  #: [m], for lofted and depressed shapes


def fly(threat: MissileLaunch, aim_lat: FloatArray, aim_lon: FloatArray) -> Batch:
    """Fly and sample ``threat`` to the aim points (lat, lon [rad]); ``ok`` is False where no trajectory exists."""
    la, lo = threat.launch
    shape = FlightShape(threat.shape, apogee=threat.apogee)
    traj = missile_trajectory(threat.missile, la, lo, aim_lat, aim_lon, shape=shape, strict=False)
    return Batch(
        samples=sample(traj),
        aim=EARTH_RADIUS * unit_vector(aim_lat, aim_lon),
        launch=EARTH_RADIUS * unit_vector(la, lo),
        ok=np.isfinite(traj.flight_time),
    )


@dataclass(frozen=True)
class Network:
    """An architecture's units and the sensors whose tracks they share, against one threat."""

    defenders: tuple[Defender, ...]  #: radars' ranges against the missile, sectors facing its launch point
    sensors: tuple[Sensor, ...]  #: the network's sensors, longest-ranged first (empty without cueing)


def network(
    defenders: list[Defender] | tuple[Defender, ...],
    sensors: list[Sensor] | tuple[Sensor, ...],
    threat: MissileLaunch,
    *,
    cueing: bool = True,
    share_defender_tracks: bool = True,
) -> Network:
    """The units and network sensors against ``threat``: stand-alone sensors and (``share_defender_tracks``)
    the units' radars of at least :data:`LOCAL_SENSOR_RANGE`; no network without ``cueing``."""
    model: EngagementModel = defenders[0].model if defenders else DEFAULT_MODEL
    defs = tuple(d.against(threat.missile, threat.launch) for d in defenders)
    shared = list(sensors_against(sensors, threat.missile, model, threat.launch))
    if share_defender_tracks:
        shared += [d.sensor for d in defs if d.sensor.detection_range >= LOCAL_SENSOR_RANGE]
    on = cueing and (bool(sensors) or share_defender_tracks)
    return Network(defs, tuple(sorted(shared, key=lambda x: -x.detection_range)) if on else ())


class Memo:
    """What :func:`engage` may reuse between calls; this base class reuses nothing.

    A subclass (the incremental coverage's cache) returns a sensor's stored track times and a unit's
    stored shots where they still hold, and calls ``compute`` for the rest.
    """

    def track(self, sensor: Sensor, compute: Callable[[], FloatArray]) -> FloatArray | None:
        """A sensor's full first-detection times on the batch, or None to let :func:`engage` scan only
        for detections earlier than the network's (the exact shortcut of a single computation)."""
        return None

    def shots(
        self, defender: Defender, network: FloatArray, compute: Callable[[NDArray[np.intp]], NDArray[np.int64]]
    ) -> NDArray[np.int64]:
        """A unit's shots on its candidate trajectories given their network track times: ``compute(rows)``
        gives the shots of the candidate rows ``rows``."""
        return compute(np.arange(network.size))

    def candidates(
        self, defender: Defender, compute: Callable[[], tuple[NDArray[np.intp], bool]]
    ) -> tuple[NDArray[np.intp], bool]:
        """A unit's candidate trajectories on the batch and whether one may be engaged in ascent
        (:func:`candidates`, which ``compute`` calls)."""
        return compute()


NO_MEMO = Memo()


@dataclass(frozen=True)
class ShotTable:
    """Shot opportunities of each unit on each trajectory of a batch, shape (units, n).

    With launch windows (``engage(..., windows=True)``), also per unit and trajectory [s], NaN where it
    cannot shoot: the earliest intercept, the earliest launch (commit), the latest launch that still
    intercepts and the interceptor's flight time to the latest intercept from that launch.
    """

    shots: NDArray[np.int64]
    first_intercept: FloatArray | None = None
    launch_open: FloatArray | None = None
    launch_close: FloatArray | None = None
    flight_time: FloatArray | None = None


def engage(
    batch: Batch, net: Network, timeline: EngagementTimeline, *, memo: Memo = NO_MEMO, windows: bool = False
) -> ShotTable:
    """Shot opportunities of every unit of ``net`` on every trajectory of ``batch`` (see the module
    docstring); with ``windows`` also the launch windows (:class:`ShotTable`), which a memo cannot keep."""
    if windows and memo is not NO_MEMO:
        raise ValueError("windows: launch windows are computed afresh, without a memo")
    n, k = len(batch), len(net.defenders)
    network, detected = network_track(batch, net, timeline, memo)
    shots = np.zeros((k, n), dtype=np.int64)
    times = [np.full((k, n), np.nan) for _ in range(4)] if windows else []
    for d_i, d in enumerate(net.defenders):
        unit = _UnitOnBatch.of(d, batch, detected.get(id(d.sensor)), memo)
        if unit is None:
            continue
        if windows:
            got = unit.compute(batch, network, timeline, np.arange(unit.rows.size))
            shots[d_i, unit.rows] = got[0]
            for arr, x in zip(times, got[1:]):
                arr[d_i, unit.rows] = x
        else:
            shots[d_i, unit.rows] = memo.shots(
                d, network[unit.rows], lambda rows, unit=unit: unit.compute(batch, network, timeline, rows, True)[0]
            )
    return ShotTable(shots, *times) if windows else ShotTable(shots)


@dataclass(frozen=True)
class _UnitOnBatch:
    """A unit's candidate trajectories in a batch (:func:`candidates`) and what computing its shots needs."""

    defender: Defender
    rows: NDArray[np.intp]  #: candidate trajectories
    window: Window
    from_launch: bool  #: some candidate may be engaged in ascent
    own: FloatArray | None  #: its radar's detections on the whole batch, when it is a network sensor

    @classmethod
    def of(cls, d: Defender, batch: Batch, own: FloatArray | None, memo: Memo = NO_MEMO) -> _UnitOnBatch | None:
        w = batch.window(d.min_altitude, d.max_altitude)
        rows, from_launch = memo.candidates(d, lambda: candidates(d, w, batch))
        return cls(d, rows, w, from_launch, own) if rows.size else None

    def compute(
        self,
        batch: Batch,
        network: FloatArray,
        timeline: EngagementTimeline,
        which: NDArray[np.intp],
        shots_only: bool = False,
    ):
        """:func:`defender_shots` on the candidates ``which`` (indices into :attr:`rows`)."""
        rows = self.rows[which]
        own = None if self.own is None else self.own[rows]
        scan = (self.window.row_first, self.window.row_end)
        columns = (*unit_columns(self.window, self.from_launch, batch.samples.times.shape[1]), scan)
        return defender_shots(self.defender, batch.samples, rows, columns, network[rows], own, timeline, shots_only)


def network_track(
    batch: Batch, net: Network, timeline: EngagementTimeline, memo: Memo = NO_MEMO
) -> tuple[FloatArray, dict[int, FloatArray]]:
    """The network's track time of each trajectory (earliest detection + cue latency; inf without one) and
    each network sensor's detections, by the sensor's identity.

    Without a memo each sensor is scanned only for detections earlier than the network's so far
    (reported inf otherwise); a unit whose own radar is in the network commits at the earlier of that
    and the network's track, which is the same either way.
    """
    network = np.full(len(batch), np.inf)
    detected: dict[int, FloatArray] = {}
    for sen in net.sensors:
        if id(sen) in detected:
            continue
        got = memo.track(sen, lambda sen=sen: _full_detection(batch, sen, timeline.min_elevation))
        if got is None:
            every, k = np.arange(len(batch)), batch.samples.times.shape[1]
            got = detection_time_of_rows(batch.samples, every, k, sen, timeline.min_elevation, network)
        detected[id(sen)] = got
        network = np.minimum(network, got + timeline.cue_latency)
    return network, detected


def _full_detection(batch: Batch, sensor: Sensor, min_elevation: float) -> FloatArray:
    """A sensor's first detection of every trajectory of the batch (a memo keeps it): :func:`detection_time`,
    compiled (:func:`detection_time_of_rows`)."""
    n, k = batch.samples.times.shape
    return detection_time_of_rows(
        batch.samples, np.arange(n), k, sensor, min_elevation, np.full(n, np.inf), compiled=True
    )


def candidates(d: Defender, w: Window, batch: Batch) -> tuple[NDArray[np.intp], bool]:
    """The trajectories of a batch that ``d`` may engage, and whether any of them may be engaged in ascent.

    A sample inside the unit's altitude window and within its range is a descent sample within
    ``reach_descent`` of the aim point or an ascent sample within ``reach_ascent`` of the launch point.
    """
    near_aim = ground_distance(batch.aim, d.position) <= d.max_range + w.reach_descent
    near_launch = ground_distance(batch.launch, d.position) <= d.max_range + w.reach_ascent
    sub = np.flatnonzero(batch.ok & (near_aim | near_launch))
    return sub, bool(near_launch[sub].any())


def unit_columns(w: Window, from_launch: bool, k: int) -> tuple[int, int]:
    """The sample columns [first, end) a unit can engage in: up to the altitude window's end (plus one
    neighbour for the threat's velocity by differences) and, when no ascent sample is in range, from every
    trajectory's apogee on (minus one: the neighbour; that column is ascent, out of range)."""
    end = min(w.end + 1, k)
    return (0 if from_launch else min(max(w.first_descent - 1, 0), end)), end


def defender_shots(
    d: Defender,
    s: Samples,
    rows: NDArray[np.intp],
    columns: tuple[int, int, tuple[NDArray[np.intp], NDArray[np.intp]] | None],
    network: FloatArray,
    own: FloatArray | None,
    timeline: EngagementTimeline,
    shots_only: bool = False,
) -> tuple[NDArray[np.int64], FloatArray, FloatArray, FloatArray, FloatArray]:
    """Shot opportunities of ``d`` on the trajectories ``rows`` of a batch, in the sample ``columns``
    (:func:`unit_columns`, and each trajectory's columns in the unit's window, :class:`Window`), given the network's track times on them and, if known, the unit's own radar's
    (else computed here); and the first intercept, launch window and flight time (:class:`ShotTable`; NaN with
    ``shots_only``).

    Each trajectory's result depends on its own samples and track times only, so any subset of rows
    gives the same values as the whole batch (what :class:`Memo` relies on).
    """
    first, end, scan = columns
    if own is None:  # a detection after the window's end cannot lead to an intercept
        own = detection_time_of_rows(s, rows, end, d.sensor, timeline.min_elevation, network, compiled=shots_only)
    commit = np.minimum(own, network) + d.delay(timeline.track_delay)
    got = selected_opportunities(
        (s.times, s.positions, s.altitudes),
        Selection(rows, first, end, scan),
        d.position,
        d.envelope,
        commit,
        ShotRules(timeline.kill_assessment, timeline.max_shots, shots_only),
    )
    engaged = got.shots > 0
    return (
        got.shots,
        got.first_intercept,
        np.where(engaged, commit, np.nan),
        got.last_launch,
        got.last_intercept - got.last_launch,
    )


def grid_batches(
    threat: MissileLaunch, lat: FloatArray, lon: FloatArray, reach: NDArray[np.bool_], size: int
) -> Iterator[tuple[NDArray[np.intp], Batch]]:
    """Fly ``threat`` to the points ``reach`` marks (lat, lon [rad]), ``size`` at a time; yields
    ``(point indices, batch)`` and clears ``reach`` where no trajectory exists."""
    idx_all = np.flatnonzero(reach)
    for start in range(0, idx_all.size, size):
        idx = idx_all[start : start + size]
        batch = fly(threat, lat[idx], lon[idx])
        reach[idx[~batch.ok]] = False
        yield idx, batch


__all__ = [
    "LOCAL_SENSOR_RANGE",
    "NO_MEMO",
    "Batch",
    "Memo",
    "Network",
    "ShotTable",
    "MissileLaunch",
    "Window",
    "candidates",
    "defender_shots",
    "unit_columns",
    "engage",
    "fly",
    "grid_batches",
    "network",
    "network_track",
]
