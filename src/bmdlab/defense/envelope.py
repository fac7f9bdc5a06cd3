"""Engagement kernels: interceptor fly-out, radar line of sight, intercept feasibility.

Pure, vectorised functions in SI units (m, s, m/s, rad). The high-level footprint and coverage code
composes them.

Model (open-literature kinematics, no aerodynamics or guidance):

* **Fly-out.** The interceptor accelerates uniformly for its burn time :math:`T_b` to its burnout
  speed :math:`v_b`, then coasts at :math:`v_b` along a straight line to the intercept point. The
  time to cover a distance :math:`d` is

  .. math::
      t(d) = \\sqrt{2 d T_b / v_b} \\quad (d \\le v_b T_b / 2), \\qquad
      t(d) = T_b/2 + d / v_b \\quad (d > v_b T_b / 2).

  Gravity and drag are neglected: the fly-out is slightly optimistic for endo-atmospheric
  interceptors. This is the "average fly-out velocity" approach of kinematic footprint studies,
  e.g. the APS Study Group on Boost-Phase Intercept (Rev. Mod. Phys. 76, S1, 2004), ch. 5.
* **Radar line of sight.** A target is visible when it is above the radar's horizon on a
  spherical Earth (elevation above a minimum angle) and within the radar's detection range.
* **Intercept window.** A trajectory point can be engaged when its altitude is inside the
  interceptor's [min, max] intercept altitude, its ground distance from the launcher is at most
  the interceptor's maximum range, and an interceptor launched after the commit time reaches it
  before the threat does.

References
----------
.. [1] APS Study Group, "Report of the American Physical Society Study Group on Boost-Phase
       Intercept Systems for National Missile Defense", Rev. Mod. Phys. 76 (2004) S1-S424.
.. [2] M. I. Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), sec. 8.2 (radar horizon).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.geo.sphere import EARTH_RADIUS

FloatArray = NDArray[np.float64]


def flyout_time(distance: ArrayLike, burnout_speed: ArrayLike, burn_time: ArrayLike) -> FloatArray:
    """Time for an interceptor to fly a straight-line distance. [s]

    Parameters
    ----------
    distance : array_like
        Straight-line distance from the launcher to the intercept point. [m]
    burnout_speed : array_like
        Interceptor burnout speed. [m/s]
    burn_time : array_like
        Interceptor burn time (all stages). [s]
    """
    d, v, tb = (np.asarray(x, float) for x in (distance, burnout_speed, burn_time))
    d_burn = 0.5 * v * tb
    if v.ndim == 0 and tb.ndim == 0 and d.ndim > 0:  # one interceptor, many points: fix up the boost-phase ones
        out = 0.5 * tb + d / v
        in_boost = d <= d_burn
        if in_boost.any():
            out[in_boost] = np.sqrt(2.0 * d[in_boost] * max(float(tb), 0.0) / v)
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        boost = np.sqrt(2.0 * d * np.where(tb > 0, tb, 0.0) / v)
    return np.where(d <= d_burn, boost, 0.5 * tb + d / v)


def flyout_distance(time: ArrayLike, burnout_speed: ArrayLike, burn_time: ArrayLike) -> FloatArray:
    """Distance an interceptor covers in a time after launch (inverse of :func:`flyout_time`). [m]"""
    t, v, tb = (np.asarray(x, float) for x in (time, burnout_speed, burn_time))
    t, v, tb = np.broadcast_arrays(np.maximum(t, 0.0), v, tb)
    with np.errstate(over="ignore"):  # t / tb overflows only where t > tb, a branch not taken below
        frac = np.divide(t, tb, out=np.ones_like(t), where=tb > 0)
    return np.where(t <= tb, 0.5 * v * t * frac, 0.5 * v * tb + v * (t - tb))


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


def radar_visible(radar: ArrayLike, target: ArrayLike, detection_range: ArrayLike,
                  min_elevation: float = 0.0, target_radius: ArrayLike | None = None) -> NDArray[np.bool_]:
    """Whether a radar sees a target: within range and above its horizon.

    Parameters
    ----------
    radar, target : array_like, shape (..., 3)
        Earth-centred positions (the radar's includes its antenna height). [m]
    detection_range : array_like
        Detection range against this target. [m]
    min_elevation : float
        Lowest elevation the radar uses. [rad]
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
    return (d2 <= rng * rng) & (up >= 0.0 if sin_min == 0.0 else (up >= 0.0) & (up * up >= d2 * sin_min * sin_min)) \
        if min_elevation >= 0 else (d2 <= rng * rng) & (up >= np.sqrt(d2) * sin_min)


def horizon_range(radar_height: ArrayLike, target_altitude: ArrayLike, earth_radius: float = EARTH_RADIUS) -> FloatArray:
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


def intercept_opportunities(
    times: ArrayLike,
    positions: ArrayLike,
    altitudes: ArrayLike,
    launcher: ArrayLike,
    *,
    commit_time: ArrayLike,
    burnout_speed: float,
    burn_time: float,
    min_altitude: float,
    max_altitude: float,
    max_range: float,
    kill_assessment: float,
    max_shots: int = 2,
    return_last_launch: bool = False,
):
    """Sequential shot opportunities of one launcher against sampled threat trajectories.

    A shot can be taken at trajectory sample ``k`` when the point is inside the altitude window and
    the launcher's ground range, and an interceptor launched no earlier than the time the launcher
    is ready reaches it by ``times[k]``. The first shot is ready at ``commit_time``; each further
    shot is ready ``kill_assessment`` seconds after the previous intercept (shoot-look-shoot).

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
    commit_time : array_like, shape (n,)
        Earliest interceptor launch time (detection + track and decision delay); NaN or inf if the
        threat is never detected. [s]
    burnout_speed, burn_time, min_altitude, max_altitude, max_range : float
        Interceptor kinematics [m/s, s] and envelope [m].
    kill_assessment : float
        Time from an intercept to the next launch decision. [s]
    max_shots : int
        Stop counting after this many sequential opportunities.

    Returns
    -------
    shots : ndarray of int, shape (n,)
        Number of sequential shot opportunities (0 = cannot engage).
    first_intercept, last_intercept : ndarray, shape (n,)
        Times of the earliest and latest possible intercept [s] (NaN where none).
    last_launch : ndarray, shape (n,)
        Only with ``return_last_launch``: the latest launch time that still gives an intercept
        [s] (NaN where none); launches are possible from ``commit_time`` to this time.
    """
    t = np.asarray(times, float)
    pos = np.asarray(positions, float)
    alt = np.asarray(altitudes, float)
    launcher = np.asarray(launcher, float)
    n = t.shape[0]
    shots = np.zeros(n, dtype=np.int64)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    late_out = np.full(n, np.nan)
    ready0 = np.broadcast_to(np.asarray(commit_time, float), (n,))
    # only samples inside the altitude window can be intercepted, and only detected threats engaged:
    # work on those rows and on the span of sample columns that holds the window (a view, no copy)
    in_window = (alt >= min_altitude) & (alt <= max_altitude)
    rows = np.flatnonzero(np.isfinite(ready0) & in_window.any(axis=1))
    if rows.size == 0:
        return (shots, first, last, late_out) if return_last_launch else (shots, first, last)
    cols = np.flatnonzero(in_window[rows].any(axis=0))
    span = slice(int(cols[0]), int(cols[-1]) + 1)
    all_rows = rows.size == n
    pick = (lambda a: a[:, span]) if all_rows else (lambda a: a[rows, span])
    t, pos, alt, inside = pick(t), pick(pos), pick(alt), pick(in_window)
    ready = ready0 if all_rows else ready0[rows]
    r_l = float(np.linalg.norm(launcher))
    r = EARTH_RADIUS + alt
    # one matrix-vector product gives both the ground angle and the slant distance
    proj = pos @ (launcher / r_l)
    inside &= proj >= r * np.cos(min(max_range / EARTH_RADIUS, np.pi))
    dist = np.sqrt(np.maximum(r * r + r_l * r_l - 2.0 * r_l * proj, 0.0))
    latest_launch = t - flyout_time(dist, burnout_speed, burn_time)  # launch by then to hit at t
    feasible_any = inside & (latest_launch >= ready[:, None])
    has = feasible_any.any(axis=1)
    sub_first = np.where(has, np.min(np.where(feasible_any, t, np.inf), axis=1), np.nan)
    sub_last = np.where(has, np.max(np.where(feasible_any, t, -np.inf), axis=1), np.nan)
    sub_shots = np.zeros(t.shape[0], dtype=np.int64)
    for k in range(max_shots):
        ok = feasible_any if k == 0 else inside & (latest_launch >= ready[:, None])
        hit = np.min(np.where(ok, t, np.inf), axis=1)
        got = np.isfinite(hit)
        if not got.any():
            break
        sub_shots += got
        ready = np.where(got, hit + kill_assessment, np.inf)
    shots[rows], first[rows], last[rows] = sub_shots, sub_first, sub_last
    if return_last_launch:
        late = np.where(feasible_any, latest_launch, -np.inf).max(axis=1)
        late_out[rows] = np.where(np.isfinite(late), late, np.nan)
        return shots, first, last, late_out
    return shots, first, last
