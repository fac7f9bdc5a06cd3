"""Which defenders can engage which threat trajectories, and how many times.

Composes the kernels of :mod:`bmdlab.defense.envelope` over sampled trajectories: detection by
each sensor (own or cueing), commit after the track-and-decision delay, then the sequential shot
opportunities of each defender.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab import bounds
from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Interceptor, Missile
from bmdlab.defense import envelope
from bmdlab.defense.envelope import InterceptEnvelope, radar_visible
from bmdlab.defense.flyout import (
    FlyoutFan,
    FlyoutParameters,
    StraightLineFlyout,
    check_flyout_model,
    flyout_fan,
)
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, initial_azimuth, unit_vector
from bmdlab.scenario import Timeline
from bmdlab.trajectory.ballistic import Trajectory

FloatArray = NDArray[np.float64]

#: Detection-to-launch delay when neither the scenario nor the catalog gives one [s] (assumed).
DEFAULT_REACTION_TIME = 60.0
#: Antenna height of ship and land radars above the surface [m]; assumed (order of a mast or a
#: raised array face); it only moves the radar horizon by a few km.
ANTENNA_HEIGHT = 20.0


#: Engagement limits that can be switched on and off (all on by default):
#: ``launcher-elevation`` (lowest launch elevation of the fly-out), ``min-flight-time`` (seeker
#: acquisition and divert before an intercept), ``crossing`` (hit-to-kill crossing angle and closing
#: speed), ``track-rcs`` (radar ranges scaled to the threat's radar cross-section) and
#: ``field-of-view`` (a radar with a sector, facing the threat's launch point, detects only inside
#: it, and a unit intercepts only inside its own fire-control radar's sector).
ENGAGEMENT_LIMITS = bounds.ENGAGEMENT_LIMITS


def check_limits(limits) -> frozenset[str]:
    """The set of engagement limits named, or ``ValueError`` naming an unknown one."""
    out = frozenset(limits)
    bad = sorted(out - set(ENGAGEMENT_LIMITS))
    if bad:
        raise ValueError(f"unknown engagement limit '{bad[0]}'; use any of {', '.join(ENGAGEMENT_LIMITS)}")
    return out


@dataclass(frozen=True)
class EngagementModel:
    """How engagements are computed: the fly-out model and the engagement limits in force."""

    flyout: str = "physical"  #: one of :data:`~bmdlab.defense.flyout.FLYOUT_MODELS`
    limits: frozenset[str] = frozenset(ENGAGEMENT_LIMITS)
    rcs_scale: float = 1.0  #: factor on every threat's radar cross-section (sensitivity; with ``track-rcs``)

    def __post_init__(self):
        check_flyout_model(self.flyout)
        object.__setattr__(self, "limits", check_limits(self.limits))
        if not (np.isfinite(self.rcs_scale) and self.rcs_scale > 0):
            raise ValueError("rcs_scale must be a positive number")

    def threat_rcs(self, missile: Missile | None) -> float | None:
        """The RCS radars see for ``missile`` under this model [m^2]; None when ``track-rcs`` is off or unknown."""
        if missile is None or missile.rcs is None or "track-rcs" not in self.limits:
            return None
        if not missile.rcs.si() > 0:
            raise BmdlabError(f"missile {missile.name}: rcs must be > 0 m2")
        return missile.rcs.si() * self.rcs_scale

    def to_dict(self) -> dict[str, Any]:
        """The model as every result records it: the fly-out and the engagement limits that ran."""
        return {"flyout": self.flyout, "limits": sorted(self.limits)}

    def label(self) -> str:
        off = [x for x in ENGAGEMENT_LIMITS if x not in self.limits]
        return f"{self.flyout} fly-out" + (f", without {', '.join(off)}" if off else ", all engagement limits")


#: The default engagement model: physical fly-out and every limit.
DEFAULT_MODEL = EngagementModel()


@dataclass(frozen=True)
class EngagementTimeline:
    """The defence's timeline of one run in SI units: a scenario's ``timeline`` section converted once
    (:meth:`of`); :func:`bmdlab.assembly.setup.engagement_timeline` applies a caller's track delay."""

    track_delay: float | None  #: detection (or cue) to launch decision [s]; None: each unit's catalog time
    kill_assessment: float  #: intercept to the next launch decision [s]
    cue_latency: float  #: remote detection to local commit information [s]
    min_elevation: float  #: lowest radar elevation [rad]
    cueing: bool  #: units may commit on any network sensor's track
    max_shots: int  #: sequential shot opportunities counted at most

    @classmethod
    def of(cls, timeline: Timeline | None = None) -> EngagementTimeline:
        """A scenario's timeline (default: the schema's defaults) in SI units."""
        tl = Timeline() if timeline is None else timeline
        return cls(
            track_delay=tl.track_delay_s,
            kill_assessment=tl.kill_assessment_s,
            cue_latency=tl.cue_latency_s,
            min_elevation=float(np.radians(tl.min_elevation_deg)),
            cueing=tl.cueing,
            max_shots=tl.max_shots,
        )


#: The model of bmdlab before the physical fly-out: straight line, no limits.
LEGACY_MODEL = EngagementModel(flyout="straight-line", limits=frozenset())


@dataclass(frozen=True)
class Sensor:
    """A radar at a place (SI units)."""

    name: str
    key: str
    lat: float  #: [rad]
    lon: float  #: [rad]
    detection_range: float  #: against a target of ``reference_rcs`` [m]
    reference_rcs: float | None = None  #: RCS the detection range is quoted for [m^2]; None: no scaling
    field_of_view: float = 2.0 * np.pi  #: azimuth coverage [rad]
    boresight: float | None = None  #: azimuth the sector faces [rad]; None: no sector in force

    @property
    def position(self) -> FloatArray:
        return (EARTH_RADIUS + ANTENNA_HEIGHT) * unit_vector(self.lat, self.lon)

    def against(self, rcs: float | None) -> Sensor:
        """This radar with its detection range against a target of RCS ``rcs`` [m^2].

        Radar equation: for a given radar, the detection range goes as the fourth root of the target's
        radar cross-section, :math:`R = R_{ref}(\\sigma/\\sigma_{ref})^{1/4}` (Skolnik 2001, eq. 1.1).
        Unchanged when either RCS is unknown.
        """
        if rcs is None or self.reference_rcs is None:
            return self
        return replace(
            self, detection_range=self.detection_range * (rcs / self.reference_rcs) ** 0.25, reference_rcs=rcs
        )

    def facing(self, lat: float, lon: float) -> Sensor:
        """This radar with its sector facing a point (lat, lon [rad]); unchanged for a 360 deg radar."""
        if self.field_of_view >= 2.0 * np.pi - 1e-9:
            return self
        return replace(self, boresight=float(initial_azimuth(self.lat, self.lon, lat, lon)))

    @property
    def half_width(self) -> float:
        """Half the azimuth sector [rad] (pi when none is in force)."""
        return 0.5 * self.field_of_view if self.boresight is not None else np.pi


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
    flyout: FlyoutFan | StraightLineFlyout | None = (
        None  #: fly-out model; None: straight line from burnout speed and time
    )
    min_flight_time: float = 0.0  #: launch to the earliest intercept [s]
    max_crossing_angle: float | None = None  #: hit-to-kill crossing-angle limit [rad]; None: no limit
    min_closing_speed: float = 0.0  #: hit-to-kill closing-speed limit [m/s]
    model: EngagementModel = DEFAULT_MODEL

    def __post_init__(self):
        if self.flyout is None:
            object.__setattr__(self, "flyout", StraightLineFlyout(self.burnout_speed, self.burn_time))

    def delay(self, default: float | None) -> float:
        """Track-and-decision delay: the scenario's override, else the catalog's, else 60 s. [s]"""
        if default is not None:
            return default
        return DEFAULT_REACTION_TIME if self.reaction_time is None else self.reaction_time

    @property
    def position(self) -> FloatArray:
        return EARTH_RADIUS * unit_vector(self.lat, self.lon)

    @property
    def envelope(self) -> InterceptEnvelope:
        """Its interceptor's fly-out, window, range and the limits in force, with its radar's sector if any."""
        s = self.sensor
        return InterceptEnvelope(
            flyout=self.flyout,
            min_altitude=self.min_altitude,
            max_altitude=self.max_altitude,
            max_range=self.max_range,
            min_flight_time=self.min_flight_time,
            max_crossing_angle=self.max_crossing_angle,
            min_closing_speed=self.min_closing_speed,
            sector=(s.position, s.boresight, s.half_width) if s.boresight is not None else None,
        )

    def against(self, missile: Missile | None, launch: tuple[float, float] | None = None) -> Defender:
        """This defender with its own radar's range against ``missile`` (when ``track-rcs`` is on) and
        its radar's sector facing the ``launch`` point (lat, lon [rad]; when ``field-of-view`` is on)."""
        sensor = self.sensor.against(self.model.threat_rcs(missile))
        if launch is not None and "field-of-view" in self.model.limits:
            sensor = sensor.facing(*launch)
        return self if sensor is self.sensor else replace(self, sensor=sensor)


def check_limit_values(i: Interceptor, key: str) -> None:
    """One-line errors for an interceptor's engagement-limit values that would silently switch a limit off or
    forbid every shot."""
    checks = [
        ("min_flight_time", lambda x: x >= 0, "must be >= 0 s"),
        ("max_crossing_angle", lambda x: 0 < x <= np.pi, "must be in (0, 180] deg"),
        ("min_closing_speed", lambda x: x >= 0, "must be >= 0"),
    ]
    for f, ok, what in checks:
        v = getattr(i, f)
        if v is not None and not ok(v.si()):
            raise BmdlabError(f"interceptor {key}: {f} {v.display()} {what}")


def make_sensor(catalog: Catalog, key: str, lat_deg: float, lon_deg: float, name: str | None = None) -> Sensor:
    """A catalog sensor at a place given in degrees."""
    s = catalog.sensors[key]
    if s.reference_rcs is not None and not s.reference_rcs.si() > 0:
        raise BmdlabError(f"sensor {key}: reference_rcs must be > 0 m2")
    if not 0 < s.field_of_view.si() <= 2.0 * np.pi + 1e-9:
        raise BmdlabError(f"sensor {key}: field_of_view must be in (0, 360] deg")
    return Sensor(
        name=name or s.name,
        key=key,
        lat=np.radians(lat_deg),
        lon=np.radians(lon_deg),
        detection_range=s.range_ballistic.si(),
        reference_rcs=None if s.reference_rcs is None else s.reference_rcs.si(),
        field_of_view=min(s.field_of_view.si(), 2.0 * np.pi),
    )


def sensors_against(
    sensors, missile: Missile | None, model: EngagementModel = DEFAULT_MODEL, launch: tuple[float, float] | None = None
) -> list[Sensor]:
    """Stand-alone sensors with their ranges against ``missile`` (when ``track-rcs`` is on) and their
    sectors facing the ``launch`` point (lat, lon [rad]; when ``field-of-view`` is on)."""
    out = [s.against(model.threat_rcs(missile)) for s in sensors]
    if launch is not None and "field-of-view" in model.limits:
        out = [s.facing(*launch) for s in out]
    return out


_FLYOUT_FIELDS = ("launch_mass", "diameter", "drag_coefficient", "mass_ratio", "min_launch_elevation")


def flyout_parameters(interceptor: Interceptor, key: str, *, min_elevation: bool = True) -> FlyoutParameters:
    """The point-mass fly-out parameters of a catalog interceptor (SI), or a one-line error naming a missing field."""
    i = interceptor
    for f in _FLYOUT_FIELDS:
        if getattr(i, f) is None:
            raise BmdlabError(
                f"interceptor {key}: {f} is missing; add it to the catalog (with its source) "
                f"or use the straight-line fly-out"
            )
    if i.stages:
        burn = tuple(st.burn_time.si() for st in i.stages)
        share = tuple(st.delta_v_share.nominal for st in i.stages)
    else:
        burn, share = (i.burn_time.si(),), (1.0,)
    total = sum(share)
    try:
        return FlyoutParameters(
            burnout_speed=i.burnout_speed.si(),
            stage_burn_times=burn,
            stage_shares=tuple(s / total for s in share),
            mass_ratio=i.mass_ratio.nominal,
            launch_mass=i.launch_mass.si(),
            diameter=i.diameter.si(),
            drag_coefficient=i.drag_coefficient.nominal,
            min_elevation=i.min_launch_elevation.si() if min_elevation else 0.0,
        )
    except ValueError as exc:
        raise BmdlabError(f"interceptor {key}: {exc}") from None


def interceptor_flyout(
    catalog: Catalog, key: str, model: EngagementModel = DEFAULT_MODEL
) -> FlyoutFan | StraightLineFlyout:
    """The fly-out of a catalog interceptor under an engagement model (fans are cached)."""
    i = catalog.interceptors[key]
    for f in ("max_range", "max_intercept_altitude"):
        if not getattr(i, f).si() > 0:
            raise BmdlabError(f"interceptor {key}: {f} must be > 0")
    with_elev = "launcher-elevation" in model.limits
    if model.flyout == "straight-line":
        elev = i.min_launch_elevation.si() if (with_elev and i.min_launch_elevation is not None) else 0.0
        return StraightLineFlyout(i.burnout_speed.si(), i.burn_time.si(), elev)
    p = flyout_parameters(i, key, min_elevation=with_elev)
    try:
        return flyout_fan(p, max_ground_range=i.max_range.si(), max_altitude=i.max_intercept_altitude.si())
    except ValueError as exc:  # e.g. drag too large for the burnout speed: the catalog values cannot fly
        raise BmdlabError(
            f"interceptor {key}: {exc}; check its burnout_speed, burn_time, launch_mass, diameter and "
            "drag_coefficient in the catalog"
        ) from None


def make_defender(
    catalog: Catalog,
    unit: str,
    lat_deg: float,
    lon_deg: float,
    *,
    name: str | None = None,
    interceptor: str | None = None,
    inventory: int | None = None,
    model: EngagementModel = DEFAULT_MODEL,
) -> Defender:
    """A catalog unit at a place given in degrees (the edge where degrees become radians)."""
    u = catalog.units[unit]
    ikey = interceptor or u.interceptor
    i = catalog.interceptors[ikey]
    lim = model.limits
    check_limit_values(i, ikey)
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
        flyout=interceptor_flyout(catalog, ikey, model),
        min_flight_time=i.min_flight_time.si() if ("min-flight-time" in lim and i.min_flight_time) else 0.0,
        max_crossing_angle=i.max_crossing_angle.si() if ("crossing" in lim and i.max_crossing_angle) else None,
        min_closing_speed=i.min_closing_speed.si() if ("crossing" in lim and i.min_closing_speed) else 0.0,
        model=model,
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
    pos, alt = traj.position_altitude(t)
    return Samples(times=t, positions=pos, altitudes=alt)


def detection_time(
    samples: Samples, sensor: Sensor, min_elevation: float, chunk: int = 24, before: FloatArray | None = None
) -> FloatArray:
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
        vis = radar_visible(
            sensor.position,
            p,
            sensor.detection_range,
            min_elevation,
            target_radius=EARTH_RADIUS + a,
            boresight=sensor.boresight,
            half_width=sensor.half_width,
        )
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


def detection_time_of_rows(
    samples: Samples,
    rows: NDArray[np.intp],
    end: int,
    sensor: Sensor,
    min_elevation: float,
    before: FloatArray,
    *,
    compiled: bool = False,
) -> FloatArray:
    """:func:`detection_time` of the trajectories ``rows`` among their first ``end`` samples, only detections
    earlier than ``before`` (per selected row): by the compiled kernel on the batch in place when asked
    (``compiled``: a coverage's many small calls) or when the work is large enough to pay for its start-up
    (:data:`bmdlab.defense.envelope.KERNEL_MIN_SAMPLES`), else on the slices (the same times)."""
    if not compiled and rows.size * end < envelope.KERNEL_MIN_SAMPLES:
        s = samples
        sub = Samples(s.times[rows, :end], s.positions[rows, :end], s.altitudes[rows, :end])
        return detection_time(sub, sensor, min_elevation, before=before)
    position = sensor.position
    r_s = float(np.linalg.norm(position))
    radar = (position / r_s, r_s, float(sensor.detection_range), float(np.sin(min_elevation)), float(min_elevation))
    sector = (position, sensor.boresight, sensor.half_width) if sensor.boresight is not None else None
    limit = np.ascontiguousarray(np.broadcast_to(np.asarray(before, float), (rows.size,)))
    track = (samples.times, samples.positions, samples.altitudes)
    rows = np.ascontiguousarray(rows, dtype=np.intp)
    return envelope.kernel.first_detection(track, rows, int(end), radar, limit, envelope.sector_frame(sector))
