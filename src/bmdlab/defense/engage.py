"""Which defenders can engage which threat trajectories, and how many times.

Composes the kernels of :mod:`bmdlab.defense.envelope` over sampled trajectories: detection by
each sensor (own or cueing), commit after the track-and-decision delay, then the sequential shot
opportunities of each defender.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.defense.envelope import intercept_opportunities, radar_visible
from bmdlab.geo.sphere import EARTH_RADIUS, unit_vector
from bmdlab.trajectory.ballistic import Trajectory

FloatArray = NDArray[np.float64]

#: Detection-to-launch delay when neither the scenario nor the catalog gives one [s] (assumed).
DEFAULT_REACTION_TIME = 60.0
#: Antenna height of ship and land radars above the surface [m]; assumed (order of a mast or a
#: raised array face); it only moves the radar horizon by a few km.
ANTENNA_HEIGHT = 20.0


@dataclass(frozen=True)
class Sensor:
    """A radar at a place (SI units)."""

    name: str
    key: str
    lat: float  #: [rad]
    lon: float  #: [rad]
    detection_range: float  #: against a ballistic-missile target [m]

    @property
    def position(self) -> FloatArray:
        return (EARTH_RADIUS + ANTENNA_HEIGHT) * unit_vector(self.lat, self.lon)


@dataclass(frozen=True)
class Defender:
    """A unit at a place with its interceptor's kinematics and its own sensor (SI units)."""

    name: str
    unit: str  #: catalog unit key
    interceptor: str  #: catalog interceptor key
    tier: str
    lat: float  #: [rad]
    lon: float  #: [rad]
    burnout_speed: float  #: [m/s]
    burn_time: float  #: [s]
    min_altitude: float  #: [m]
    max_altitude: float  #: [m]
    max_range: float  #: [m]
    inventory: int
    sensor: Sensor
    reaction_time: float | None = None  #: detection to launch decision from the catalog [s]
    launch_interval: float = 0.0  #: shortest time between two launches [s] (0: no limit)

    def delay(self, default: float | None) -> float:
        """Track-and-decision delay: the scenario's override, else the catalog's, else 60 s. [s]"""
        if default is not None:
            return default
        return DEFAULT_REACTION_TIME if self.reaction_time is None else self.reaction_time

    @property
    def position(self) -> FloatArray:
        return EARTH_RADIUS * unit_vector(self.lat, self.lon)


def make_sensor(catalog: Catalog, key: str, lat_deg: float, lon_deg: float, name: str | None = None) -> Sensor:
    """A catalog sensor at a place given in degrees."""
    s = catalog.sensors[key]
    return Sensor(name=name or s.name, key=key, lat=np.radians(lat_deg), lon=np.radians(lon_deg),
                  detection_range=s.range_ballistic.si())


def make_defender(catalog: Catalog, unit: str, lat_deg: float, lon_deg: float, *, name: str | None = None,
                  interceptor: str | None = None, inventory: int | None = None) -> Defender:
    """A catalog unit at a place given in degrees (the edge where degrees become radians)."""
    u = catalog.units[unit]
    ikey = interceptor or u.interceptor
    i = catalog.interceptors[ikey]
    return Defender(
        name=name or u.name,
        unit=unit,
        interceptor=ikey,
        tier=i.tier,
        lat=float(np.radians(lat_deg)),
        lon=float(np.radians(lon_deg)),
        burnout_speed=i.burnout_speed.si(),
        burn_time=i.burn_time.si(),
        min_altitude=i.min_intercept_altitude.si(),
        max_altitude=i.max_intercept_altitude.si(),
        max_range=i.max_range.si(),
        inventory=int(u.magazine.nominal) if inventory is None else int(inventory),
        sensor=make_sensor(catalog, u.sensor, lat_deg, lon_deg),
        reaction_time=None if u.reaction_time is None else u.reaction_time.si(),
        launch_interval=0.0 if u.launch_interval is None else u.launch_interval.si(),
    )


@dataclass(frozen=True)
class Samples:
    """Trajectories sampled in time: ``times`` (n, k) [s], ``positions`` (n, k, 3) [m], ``altitudes`` (n, k) [m]."""

    times: FloatArray
    positions: FloatArray
    altitudes: FloatArray


def sample(traj: Trajectory, k_flight: int = 80, k_terminal: int = 60, terminal_s: float = 60.0) -> Samples:
    """Sample trajectories uniformly over the flight, plus densely over the last ``terminal_s``.

    The dense terminal samples resolve the few seconds a re-entry vehicle spends inside a lower-tier
    interceptor's altitude window.
    """
    ft = traj.flight_time[:, None]
    uni = np.linspace(0.0, 1.0, k_flight)[None, :] * ft
    term = ft - np.linspace(min(terminal_s, 1e9), 0.0, k_terminal)[None, :]
    t = np.sort(np.concatenate([uni, np.clip(term, 0.0, ft)], axis=1), axis=1)
    pos = traj.position(t)
    alt = np.linalg.norm(pos, axis=-1) - EARTH_RADIUS
    return Samples(times=t, positions=pos, altitudes=alt)


def detection_time(samples: Samples, sensor: Sensor, min_elevation: float, chunk: int = 24,
                   before: FloatArray | None = None) -> FloatArray:
    """First sample time at which the sensor sees each trajectory (inf if never). [s]

    Sample times increase along each row (as :func:`sample` makes them), so the samples are scanned
    ``chunk`` columns at a time and a trajectory drops out of the scan once it has been seen. With
    ``before`` (shape (n,)) only detections earlier than ``before`` are looked for: later ones are
    reported as inf (a caller that already has a track by then does not need them).
    """
    times, pos, alt = samples.times, samples.positions, samples.altitudes
    n, k = times.shape
    out = np.full(n, np.inf)
    limit = None if before is None else np.asarray(before, float)
    rows = None if limit is None or np.all(np.isinf(limit)) else np.flatnonzero(times[:, 0] < limit)
    if rows is not None and rows.size == n:
        rows = None  # None: every row still unseen (slices are views, no copy)
    for c0 in range(0, k, chunk):
        if rows is not None and rows.size == 0:
            break
        cols = slice(c0, min(k, c0 + chunk))
        if rows is None:
            t, p, a = times[:, cols], pos[:, cols], alt[:, cols]
        else:
            t, p, a = times[rows, cols], pos[rows, cols], alt[rows, cols]
        vis = radar_visible(sensor.position, p, sensor.detection_range, min_elevation, target_radius=EARTH_RADIUS + a)
        seen = vis.any(axis=1)
        first = np.min(np.where(vis[seen], t[seen], np.inf), axis=1) if seen.any() else np.empty(0)
        idx = np.flatnonzero(seen) if rows is None else rows[seen]
        out[idx] = first
        keep = ~seen
        if limit is not None:  # drop rows whose next sample is already too late to matter
            nxt = min(k, c0 + chunk)
            if nxt < k:
                keep &= t[:, -1] < (limit if rows is None else limit[rows])
        if rows is None:
            rows = None if keep.all() else np.flatnonzero(keep)
        else:
            rows = rows[keep]
    if limit is not None:
        out[out >= limit] = np.inf
    return out


def shot_opportunities(samples: Samples, defenders: list[Defender], *, cue_sensors: list[Sensor] = (),
                       track_delay: float | None, kill_assessment: float, cue_latency: float, min_elevation: float,
                       cueing: bool = True, max_shots: int = 2, return_first: bool = False):
    """Sequential shot opportunities of each defender against each trajectory, shape (defenders, n).

    With ``cueing`` the defenders share tracks: each may commit on the earliest detection by any
    sensor of the architecture (its own at once, the others after ``cue_latency``); otherwise only
    on its own sensor's detection. With ``return_first`` also, each of shape (defenders, n) [s]
    (NaN where none): the earliest intercept time, the earliest launch (commit) time and the
    latest launch time that still intercepts.
    """
    own = [detection_time(samples, d.sensor, min_elevation) for d in defenders]
    remote = [detection_time(samples, s, min_elevation) for s in cue_sensors]
    network = np.min(np.stack(own + remote), axis=0) + cue_latency if (cueing and (own or remote)) else None
    out = np.zeros((len(defenders), samples.times.shape[0]), dtype=np.int64)
    first_t = np.full(out.shape, np.nan)
    open_t = np.full(out.shape, np.nan)
    close_t = np.full(out.shape, np.nan)
    for i, d in enumerate(defenders):
        detect = own[i] if network is None else np.minimum(own[i], network)
        commit = detect + d.delay(track_delay)
        shots, first, _, late = intercept_opportunities(
            samples.times, samples.positions, samples.altitudes, d.position,
            commit_time=commit, burnout_speed=d.burnout_speed, burn_time=d.burn_time,
            min_altitude=d.min_altitude, max_altitude=d.max_altitude, max_range=d.max_range,
            kill_assessment=kill_assessment, max_shots=max_shots, return_last_launch=True,
        )
        out[i] = shots
        first_t[i] = first
        open_t[i] = np.where(shots > 0, commit, np.nan)
        close_t[i] = late
    return (out, first_t, open_t, close_t) if return_first else out
