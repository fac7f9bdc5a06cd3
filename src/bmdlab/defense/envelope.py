"""Engagement kernels: interceptor fly-out, radar line of sight, intercept feasibility.

Pure, vectorised functions in SI units (m, s, m/s, rad). The high-level footprint and coverage code
composes them.

Model:

* **Fly-out.** The time an interceptor needs to reach a point comes from a fly-out model with a
  ``time_to(ground_range, altitude)`` method: the point-mass fan of :mod:`bmdlab.defense.flyout`
  (thrust, gravity, drag; the default) or the straight-line kinematic model of earlier bmdlab
  versions, uniform acceleration for the burn time :math:`T_b` to the burnout speed :math:`v_b`,
  then constant speed along a straight line,

  .. math::
      t(d) = \\sqrt{2 d T_b / v_b} \\quad (d \\le v_b T_b / 2), \\qquad
      t(d) = T_b/2 + d / v_b \\quad (d > v_b T_b / 2)

  (the "average fly-out velocity" approach of kinematic footprint studies, APS 2004, ch. 5).
* **Radar line of sight.** A target is visible when it is above the radar's horizon on a
  spherical Earth (elevation above a minimum angle), within the radar's detection range and, for a
  radar with an azimuth sector, inside the sector (Skolnik 2001, sec. 8.2).
* **Intercept window.** A trajectory point can be engaged when its altitude is inside the
  interceptor's [min, max] intercept altitude, its ground distance from the launcher is at most
  the interceptor's maximum range, and an interceptor launched after the commit time reaches it
  before the threat does.
* **Engagement limits** (each value in the catalog, with its source or marked assumed):

  - *minimum flight time*: no intercept sooner after launch than the kill vehicle's separation,
    seeker acquisition and divert allow (Patriot: "less than nine seconds", The Defense Post 2021;
    SM-3 and THAAD: burn time plus ~10 s, assumed);
  - *crossing angle and closing speed*: a hit-to-kill vehicle meets its target within a maximum
    angle between its velocity and the target's reversed velocity (90 deg: no tail chase, judged
    infeasible by MDA for the European GBI, via Heritage 2008; assumed for SM-3, THAAD and PAC-3)
    and above a minimum closing speed (assumed), see :func:`crossing_geometry`;
  - *fire-control sector*: a unit whose radar covers an azimuth sector (AN/TPY-2, AN/MPQ-65)
    intercepts only inside it (:func:`azimuth_offset`); the radar faces the threat's launch point;
  - *launcher elevation* and *radar range against the threat's RCS* enter through the fly-out fan
    (:mod:`bmdlab.defense.flyout`) and the sensors (:mod:`bmdlab.defense.engage`).

References
----------
.. [1] APS Study Group, "Report of the American Physical Society Study Group on Boost-Phase
       Intercept Systems for National Missile Defense", Rev. Mod. Phys. 76 (2004) S1-S424.
.. [2] M. I. Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), sec. 1.2 (radar equation,
       range as the fourth root of the target's cross-section) and sec. 8.2 (radar horizon).
.. [3] D. Wilkening, "A simple model for calculating ballistic missile defense effectiveness",
       Science & Global Security 8 (2000) 183-215 (engagement timelines and defended footprints).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.defense.flyout import FlyoutFan, StraightLineFlyout
from bmdlab.geo.sphere import EARTH_RADIUS
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    from bmdlab.defense import kernel
else:
    kernel = lazy_module("bmdlab.defense.kernel")  # Numba and its compiled code load in ~0.6 s: only for big work

#: Fewest samples (trajectories x columns) a selection must have for the compiled kernel: below, its start-up
#: in a fresh process (~0.6 s) costs more than the NumPy statement takes (a raid's plan: a few thousand).
KERNEL_MIN_SAMPLES = 50_000

FloatArray = NDArray[np.float64]


def elevation_angle(observer: ArrayLike, target: ArrayLike) -> FloatArray:
    """Elevation of a target above an observer's local horizontal on a spherical Earth. [rad]

    Parameters
    ----------
    observer, target : array_like, shape (..., 3)
        Earth-centred positions. [m]
    """
    obs, tgt = np.asarray(observer, float), np.asarray(target, float)
    up = obs / np.linalg.norm(obs, axis=-1, keepdims=True)
    rel = tgt - obs
    dist = np.linalg.norm(rel, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.sum(rel * up, axis=-1) / dist
    return np.arcsin(np.clip(np.where(dist > 0, s, 1.0), -1.0, 1.0))


def azimuth_offset(observer: ArrayLike, target: ArrayLike, boresight: float) -> FloatArray:
    """Absolute angle between a target's azimuth seen from an observer and a boresight azimuth. [rad]

    Azimuths are clockwise from north in the observer's local horizontal plane (spherical Earth).

    Parameters
    ----------
    observer : array_like, shape (3,)
        Earth-centred observer position. [m]
    target : array_like, shape (..., 3)
        Earth-centred target positions. [m]
    boresight : float
        Azimuth of the sector's centre. [rad]
    """
    obs = np.asarray(observer, float)
    east, north = _east_north(obs)
    tgt = np.asarray(target, float)
    az = np.arctan2(tgt @ east - obs @ east, tgt @ north - obs @ north)
    return np.abs((az - boresight + np.pi) % (2.0 * np.pi) - np.pi)


def _east_north(observer: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit vectors east and north in an observer's local horizontal plane (at a pole any east will do)."""
    up = observer / np.linalg.norm(observer)
    east = np.cross([0.0, 0.0, 1.0], up)
    n_e = np.linalg.norm(east)
    east = east / n_e if n_e > 1e-12 else np.array([0.0, 1.0, 0.0])
    return east, np.cross(up, east)


def radar_visible(
    radar: ArrayLike,
    target: ArrayLike,
    detection_range: ArrayLike,
    min_elevation: float = 0.0,
    target_radius: ArrayLike | None = None,
    *,
    boresight: float | None = None,
    half_width: float = np.pi,
) -> NDArray[np.bool_]:
    """Whether a radar sees a target: within range and above its horizon.

    Parameters
    ----------
    radar, target : array_like, shape (..., 3)
        Earth-centred positions (the radar's includes its antenna height). [m]
    detection_range : array_like
        Detection range against this target. [m]
    min_elevation : float
        Lowest elevation the radar uses. [rad]
    boresight, half_width : float, optional
        Azimuth sector the radar covers (one radar only): centre and half-width. [rad]
    """
    radar = np.asarray(radar, float)
    tgt = np.asarray(target, float)
    if radar.ndim == 1:  # one radar, many targets: a single matrix-vector product
        r_s = float(np.linalg.norm(radar))
        r = np.linalg.norm(tgt, axis=-1) if target_radius is None else np.asarray(target_radius, float)
        proj = tgt @ (radar / r_s)
        d2 = np.maximum(r * r + r_s * r_s - 2.0 * r_s * proj, 0.0)
        up = proj - r_s  # component of (target - radar) along the radar's vertical
    else:
        rel = tgt - radar
        d2 = np.sum(rel * rel, axis=-1)
        up = np.sum(rel * radar, axis=-1) / np.linalg.norm(radar, axis=-1)
    rng = np.asarray(detection_range, float)
    sin_min = np.sin(min_elevation)
    seen = (
        (d2 <= rng * rng) & (up >= 0.0 if sin_min == 0.0 else (up >= 0.0) & (up * up >= d2 * sin_min * sin_min))
        if min_elevation >= 0
        else (d2 <= rng * rng) & (up >= np.sqrt(d2) * sin_min)
    )
    if boresight is not None and half_width < np.pi and radar.ndim == 1:
        seen &= azimuth_offset(radar, tgt, boresight) <= half_width
    return seen


def horizon_range(
    radar_height: ArrayLike, target_altitude: ArrayLike, earth_radius: float = EARTH_RADIUS
) -> FloatArray:
    """Line-of-sight range to the horizon between a radar and a target above a sphere. [m]

    .. math:: R = \\sqrt{(R_e+h_r)^2 - R_e^2} + \\sqrt{(R_e+h_t)^2 - R_e^2}

    (Skolnik 2001, sec. 8.2, with the geometric Earth radius; no refraction).
    """
    hr, ht = np.asarray(radar_height, float), np.asarray(target_altitude, float)
    re = earth_radius
    return np.sqrt((re + hr) ** 2 - re**2) + np.sqrt(np.maximum((re + ht) ** 2 - re**2, 0.0))


def ground_distance(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Great-circle distance between the ground points below two Earth-centred positions. [m]"""
    a, b = np.asarray(a, float), np.asarray(b, float)
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    cosang = np.clip(np.sum(a * b, axis=-1) / (na * nb), -1.0, 1.0)
    return EARTH_RADIUS * np.arccos(cosang)


def crossing_geometry(
    positions: ArrayLike,
    threat_velocity: ArrayLike,
    launcher: ArrayLike,
    interceptor_speed: ArrayLike,
    path_angle: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """Crossing angle and closing speed of an interceptor meeting a threat at given points.

    The interceptor flies in the vertical plane through its launcher and the point, away from the
    launcher, at ``interceptor_speed`` and ``path_angle`` above the local horizontal. The crossing
    angle is the angle between its velocity and the threat's *reversed* velocity (0 = head-on,
    90 deg = a right-angle crossing, 180 deg = a tail chase); the closing speed is the magnitude of
    the relative velocity.

    Parameters
    ----------
    positions, threat_velocity : array_like, shape (..., 3)
        Earth-centred intercept points [m] and the threat's velocity there [m/s].
    launcher : array_like, shape (3,)
        Earth-centred launcher position. [m]
    interceptor_speed, path_angle : array_like, shape (...)
        [m/s], [rad].

    Returns
    -------
    crossing_angle : ndarray [rad]
    closing_speed : ndarray [m/s]
    """
    pos = np.asarray(positions, float)
    vt = np.asarray(threat_velocity, float)
    u_l = np.asarray(launcher, float) / np.sqrt(np.dot(launcher, launcher))
    up = pos / np.sqrt(np.einsum("...i,...i->...", pos, pos))[..., None]
    cos_phi = up @ u_l
    away = up * cos_phi[..., None] - u_l  # horizontal, pointing away from the launcher
    norm = np.sqrt(np.einsum("...i,...i->...", away, away))[..., None]
    away = np.divide(away, norm, out=np.zeros_like(away), where=norm > 1e-12)
    s, g = np.asarray(interceptor_speed, float), np.asarray(path_angle, float)
    # v_i . v_t and |v_i - v_t|^2 from the components along 'away' and 'up'
    vt_away = np.einsum("...i,...i->...", vt, away)
    vt_up = np.einsum("...i,...i->...", vt, up)
    vt2 = np.einsum("...i,...i->...", vt, vt)
    dot = s * (np.cos(g) * vt_away + np.sin(g) * vt_up)
    closing = np.sqrt(np.maximum(s * s + vt2 - 2.0 * dot, 0.0))
    denom = s * np.sqrt(vt2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_x = np.where(denom > 0, -dot / denom, 1.0)
    return np.arccos(np.clip(cos_x, -1.0, 1.0)), closing


@dataclass(frozen=True)
class InterceptEnvelope:
    """Where and how one launcher's interceptor can meet a threat: its fly-out and the engagement limits (SI).

    ``flyout`` has ``time_to(ground_range, altitude)`` and ``velocity_at(ground_range, altitude)``
    (:class:`~bmdlab.defense.flyout.FlyoutFan` or :class:`~bmdlab.defense.flyout.StraightLineFlyout`);
    ``sector`` is ``(radar position [m], boresight [rad], half width [rad])`` of the fire-control radar
    that must see the intercept point, or None.
    """

    flyout: Any
    min_altitude: float  #: [m]
    max_altitude: float  #: [m]
    max_range: float  #: ground range from the launcher [m]
    min_flight_time: float = 0.0  #: [s]
    max_crossing_angle: float | None = None  #: [rad]; None: no limit
    min_closing_speed: float = 0.0  #: [m/s]
    sector: tuple[Any, float, float] | None = None

    @classmethod
    def straight_line(cls, burnout_speed: float, burn_time: float, **limits: Any) -> InterceptEnvelope:
        """The envelope of the straight-line fly-out of ``burnout_speed`` [m/s] and ``burn_time`` [s]."""
        return cls(flyout=StraightLineFlyout(float(burnout_speed), float(burn_time)), **limits)

    @property
    def checks_crossing(self) -> bool:
        return self.max_crossing_angle is not None or self.min_closing_speed > 0


@dataclass(frozen=True)
class Opportunities:
    """What :func:`intercept_opportunities` finds for each of ``n`` trajectories (NaN where none)."""

    shots: NDArray[np.int64]  #: (n,) sequential shot opportunities (0: cannot engage)
    first_intercept: FloatArray  #: (n,) earliest possible intercept [s]
    last_intercept: FloatArray  #: (n,) latest possible intercept [s]
    last_launch: FloatArray  #: (n,) latest launch that still intercepts [s]; launches from the commit time to this


def intercept_opportunities(
    times: ArrayLike,
    positions: ArrayLike,
    altitudes: ArrayLike,
    launcher: ArrayLike,
    envelope: InterceptEnvelope,
    *,
    commit_time: ArrayLike,
    kill_assessment: float,
    max_shots: int = 2,
) -> Opportunities:
    """Sequential shot opportunities of one launcher against sampled threat trajectories.

    A shot can be taken at trajectory sample ``k`` when the point is inside the altitude window and
    the launcher's ground range, the interceptor's fly-out reaches it (``flyout.time_to``), an
    interceptor launched no earlier than the time the launcher is ready gets there by
    ``times[k]``, and the engagement limits hold: a fly-out time of at least ``min_flight_time``
    (seeker acquisition and divert) and, for hit-to-kill, a crossing angle of at most
    ``max_crossing_angle`` and a closing speed of at least ``min_closing_speed`` (see
    :func:`crossing_geometry`). The first shot is ready at ``commit_time``; each further shot is
    ready ``kill_assessment`` seconds after the previous intercept (shoot-look-shoot).

    Parameters
    ----------
    times : array_like, shape (n, k)
        Sample times since threat launch, increasing along the last axis. [s]
    positions : array_like, shape (n, k, 3)
        Earth-centred threat positions at those times. [m]
    altitudes : array_like, shape (n, k)
        Threat altitudes. [m]
    launcher : array_like, shape (3,)
        Earth-centred launcher position. [m]
    envelope : InterceptEnvelope
        The interceptor's fly-out, altitude window and range from the catalog, and the limits in force.
    commit_time : array_like, shape (n,)
        Earliest interceptor launch time (detection + track and decision delay); NaN or inf if the
        threat is never detected. [s]
    kill_assessment : float
        Time from an intercept to the next launch decision. [s]
    max_shots : int
        Stop counting after this many sequential opportunities.
    """
    track = (np.asarray(times, float), np.asarray(positions, float), np.asarray(altitudes, float))
    n, k = track[0].shape
    every = Selection(np.arange(n), 0, k)
    return selected_opportunities(track, every, launcher, envelope, commit_time, ShotRules(kill_assessment, max_shots))


@dataclass(frozen=True)
class Selection:
    """The trajectories (row indices) and sample columns [``first``, ``end``) of a batch a unit may engage, and
    optionally each trajectory's own columns in the unit's altitude window (``scan``: first and end, by batch
    row), outside which no sample can be engaged: a row is scanned only there."""

    rows: NDArray[np.intp]
    first: int
    end: int
    scan: tuple[NDArray[np.intp], NDArray[np.intp]] | None = None


@dataclass(frozen=True)
class ShotRules:
    """How shots are counted: the look after an intercept [s], the shots counted at most, and whether only the
    counts are wanted (``shots_only``: the intercept and launch times are then left NaN)."""

    kill_assessment: float
    max_shots: int = 2
    shots_only: bool = False


def selected_opportunities(
    track: tuple, selection: Selection, launcher: ArrayLike, envelope: InterceptEnvelope, commit_time, rules: ShotRules
) -> Opportunities:
    """:func:`intercept_opportunities` of the selected trajectories and columns of a batch ``track`` (times,
    positions, altitudes), one result per selected row, ``commit_time`` given per selected row.

    By the compiled kernel (:mod:`bmdlab.defense.kernel`) for the fly-out models it knows, reading the batch in
    place, for shots alone (a coverage: many small selections, where NumPy's cost per call would dominate) and
    for any selection of at least :data:`KERNEL_MIN_SAMPLES` samples; else by :func:`numpy_opportunities` on the
    selection (the same shots; times within a microsecond)."""
    sel = selection
    ready = np.ascontiguousarray(np.broadcast_to(np.asarray(commit_time, float), (sel.rows.size,)))
    compiled = isinstance(envelope.flyout, FlyoutFan | StraightLineFlyout)
    small = sel.rows.size * (sel.end - sel.first) < KERNEL_MIN_SAMPLES
    if not compiled or (small and not rules.shots_only):
        t, pos, alt = (a[sel.rows, sel.first : sel.end] for a in track)
        kw = {"commit_time": ready, "kill_assessment": rules.kill_assessment, "max_shots": rules.max_shots}
        return numpy_opportunities(t, pos, alt, launcher, envelope, **kw)
    e = envelope
    limits = (
        float(e.min_altitude),
        float(e.max_altitude),
        float(np.cos(min(e.max_range / EARTH_RADIUS, np.pi))),
        float(e.min_flight_time),
        np.nan if e.max_crossing_angle is None else float(e.max_crossing_angle),
        float(e.min_closing_speed),
    )
    kind, tables, fly = kernel.flyout_arrays(e.flyout)
    site = np.asarray(launcher, float)
    unit = (site, site / np.linalg.norm(site), limits, kind, tables, fly, sector_frame(e.sector))
    # shots alone by a forward scan; it relies on a look after each intercept (kill assessment > 0)
    doctrine = (float(rules.kill_assessment), int(rules.max_shots), rules.shots_only and rules.kill_assessment > 0)
    rows = np.ascontiguousarray(sel.rows, dtype=np.intp)
    n, k = track[0].shape
    scan = sel.scan or (np.zeros(n, dtype=np.intp), np.full(n, k, dtype=np.intp))
    got = kernel.opportunities(track, rows, (int(sel.first), int(sel.end)), scan, ready, unit, doctrine)
    return Opportunities(*got)


def sector_frame(sector) -> tuple:
    """A radar sector as the kernel takes it: on/off, the radar's position, its local east and north, the
    boresight and half-width (the frame of :func:`azimuth_offset`)."""
    if sector is None:
        return (False, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, np.pi)
    obs = np.asarray(sector[0], float)
    east, north = _east_north(obs)
    return (True, *map(float, obs), *map(float, east), *map(float, north), float(sector[1]), float(sector[2]))


def numpy_opportunities(
    times: ArrayLike,
    positions: ArrayLike,
    altitudes: ArrayLike,
    launcher: ArrayLike,
    envelope: InterceptEnvelope,
    *,
    commit_time: ArrayLike,
    kill_assessment: float,
    max_shots: int = 2,
) -> Opportunities:
    """:func:`intercept_opportunities` in whole-array NumPy: the model's reference statement, and the path of
    any fly-out model the compiled kernel does not know."""
    t = np.asarray(times, float)
    n = t.shape[0]
    out = Opportunities(np.zeros(n, dtype=np.int64), np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan))
    ready0 = np.broadcast_to(np.asarray(commit_time, float), (n,))
    alt = np.asarray(altitudes, float)
    # only samples inside the altitude window can be intercepted, and only detected threats engaged:
    # work on those rows and on the span of sample columns that holds the window (a view, no copy)
    in_window = (alt >= envelope.min_altitude) & (alt <= envelope.max_altitude)
    rows = np.flatnonzero(np.isfinite(ready0) & in_window.any(axis=1))
    if rows.size == 0:
        return out
    cols = np.flatnonzero(in_window[rows].any(axis=0))
    crossing = envelope.checks_crossing
    # one column either side of the span for the threat's velocity by differences
    span = slice(max(int(cols[0]) - crossing, 0), min(int(cols[-1]) + 1 + crossing, t.shape[1]))
    all_rows = rows.size == n

    def pick(a: np.ndarray) -> np.ndarray:
        return a[:, span] if all_rows else a[rows, span]

    pos = np.asarray(positions, float)
    t, pos, alt, inside = pick(t), pick(pos), pick(alt), pick(in_window)
    ready = ready0 if all_rows else ready0[rows]
    launcher = np.asarray(launcher, float)
    ground, latest_launch = _reachable(t, pos, alt, inside, launcher, envelope)
    if crossing:
        _check_crossing(t, pos, alt, ground, inside & (latest_launch >= ready[:, None]), inside, launcher, envelope)
    feasible_any = inside & (latest_launch >= ready[:, None])
    has = feasible_any.any(axis=1)
    out.first_intercept[rows] = np.where(has, np.min(np.where(feasible_any, t, np.inf), axis=1), np.nan)
    out.last_intercept[rows] = np.where(has, np.max(np.where(feasible_any, t, -np.inf), axis=1), np.nan)
    out.shots[rows] = _sequential_shots(t, inside, latest_launch, feasible_any, ready, kill_assessment, max_shots)
    late = np.where(feasible_any, latest_launch, -np.inf).max(axis=1)
    out.last_launch[rows] = np.where(np.isfinite(late), late, np.nan)
    return out


def _reachable(t, pos, alt, inside, launcher, envelope: InterceptEnvelope) -> tuple[FloatArray, FloatArray]:
    """Clear ``inside`` (in place) where the launcher cannot reach a sample in range, in its fly-out, after
    the minimum flight time and inside its sector; return the ground range [m] and the latest launch
    that hits each sample [s]."""
    r_l = float(np.linalg.norm(launcher))
    r = EARTH_RADIUS + alt
    # one matrix-vector product gives the ground angle from the launcher
    proj = pos @ (launcher / r_l)
    cos_phi = np.clip(proj / r, -1.0, 1.0)
    inside &= cos_phi >= np.cos(min(envelope.max_range / EARTH_RADIUS, np.pi))
    ground = EARTH_RADIUS * np.arccos(cos_phi)
    fly = np.full(t.shape, np.inf)
    fly[inside] = envelope.flyout.time_to(ground[inside], alt[inside])
    inside &= np.isfinite(fly)
    if envelope.min_flight_time > 0:
        inside &= fly >= envelope.min_flight_time
    sector = envelope.sector
    if sector is not None and inside.any():
        inside[inside] = azimuth_offset(sector[0], pos[inside], sector[1]) <= sector[2]
    return ground, t - fly  # launch by then to hit at t


def _check_crossing(t, pos, alt, ground, first_shot, inside, launcher, envelope: InterceptEnvelope) -> None:
    """Clear ``inside`` (in place) where the hit-to-kill crossing angle or closing speed fails.

    Only samples the first shot could take (``first_shot``) need the geometry (later shots are ready
    later); the threat's velocity by central differences of its neighbouring samples.
    """
    r_i, c_i = np.nonzero(first_shot)
    if not r_i.size:
        return
    lo, hi = np.maximum(c_i - 1, 0), np.minimum(c_i + 1, t.shape[1] - 1)
    dt = t[r_i, hi] - t[r_i, lo]
    vt = (pos[r_i, hi] - pos[r_i, lo]) / np.where(dt > 0, dt, np.inf)[:, None]
    speed, gamma = envelope.flyout.velocity_at(ground[r_i, c_i], alt[r_i, c_i])
    angle, closing = crossing_geometry(pos[r_i, c_i], vt, launcher, speed, gamma)
    ok = np.isfinite(speed)
    if envelope.max_crossing_angle is not None:
        ok &= angle <= envelope.max_crossing_angle
    if envelope.min_closing_speed > 0:
        ok &= closing >= envelope.min_closing_speed
    inside[r_i[~ok], c_i[~ok]] = False


def _sequential_shots(t, inside, latest_launch, feasible_any, ready, kill_assessment: float, max_shots: int):
    """Shoot-look-shoot count: each shot at the earliest feasible sample after the previous intercept and look."""
    shots = np.zeros(t.shape[0], dtype=np.int64)
    for k in range(max_shots):
        ok = feasible_any if k == 0 else inside & (latest_launch >= ready[:, None])
        hit = np.min(np.where(ok, t, np.inf), axis=1)
        got = np.isfinite(hit)
        if not got.any():
            break
        shots += got
        ready = np.where(got, hit + kill_assessment, np.inf)
    return shots
