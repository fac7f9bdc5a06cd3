"""Interceptor fly-out: a point-mass integration with thrust, gravity and drag, and its fan.

The *fly-out fan* of an interceptor is the earliest time at which it can reach each point of a
(ground range, altitude) grid around its launcher. Engagement code looks fly-out times up in the
fan (:meth:`FlyoutFan.time`) instead of integrating per engagement; a fan is built once per set of
interceptor parameters and cached (:func:`flyout_fan`).

Model
-----
A point mass flies in the vertical plane through the launcher and the aim point, over a spherical,
non-rotating Earth (radius :data:`~bmdlab.geo.sphere.EARTH_RADIUS`), in Earth-centred coordinates:

.. math::
    \\ddot{\\mathbf r} = -\\frac{\\mu}{r^3}\\,\\mathbf r + a_T(t)\\,\\hat{\\mathbf u}_\\theta
        - \\frac{\\rho(h)\\,C_D A}{2\\,m(t)}\\,|\\dot{\\mathbf r}|\\,\\dot{\\mathbf r}

* **Thrust.** Each stage burns at constant mass flow for its burn time :math:`T_i`; its thrust
  acceleration follows from the rocket equation, :math:`a_T = v_{e,i} f_i / (T_i (1 - f_i \\tau))`
  with :math:`f_i = 1 - 1/\\Lambda_i`, :math:`v_{e,i} = \\Delta v_i / \\ln\\Lambda_i`, and the stage's
  ideal velocity gain :math:`\\Delta v_i` (Sutton & Biblarz 2017, ch. 4). Stages follow one another
  without a coast. The thrust points at a fixed elevation
  :math:`\\theta` above the launcher's horizontal (constant-attitude steering); one trajectory is
  integrated per elevation, from the launcher's minimum elevation to the vertical.
* **Calibration to the catalog.** Open sources quote a *burnout speed*, the speed an interceptor
  actually reaches, not its ideal velocity gain. The total ideal gain :math:`\\sum\\Delta v_i` is
  therefore solved for so that a reference fly-out at 45 deg elevation reaches the catalog's burnout
  speed at burnout, gravity and drag included; stages share it in the catalog's proportions.
* **Gravity**: inverse square, :math:`\\mu` = GM of the IERS Conventions (2010).
* **Drag**: :math:`C_D` constant (a sourced or assumed catalog value), reference area
  :math:`A = \\pi d^2/4` from the body diameter, mass :math:`m(t) = m_0\\,e^{-\\Delta v(t)/\\bar v_e}`
  with :math:`\\bar v_e` the mean exhaust speed of the whole stack (so stage jettison is smoothed
  over). Air density :math:`\\rho(h)` from the U.S. Standard Atmosphere 1976 (identical to the ICAO
  1993 standard atmosphere up to 80 km, as implemented by the ``ambiance`` library), extended above
  81 km by an exponential with the scale height of its top layer; it is negligible there.
* **Fan.** Each trajectory is sampled in time and the earliest arrival in each cell of a
  (ground range, altitude) grid is kept, together with the interceptor's speed and flight-path angle
  there. Trajectories between the integrated elevations are interpolated linearly at equal times
  so that neighbouring samples are closer than half a cell. The reachable set is whatever the fan
  reaches: a dome, not a cylinder. The catalog's maximum range and altitude band stay separate
  limits (applied by the engagement kernel).

:class:`StraightLineFlyout` keeps the earlier kinematic model (uniform acceleration to burnout,
then constant speed along a straight line, no gravity or drag) under the same interface, for
comparison (``flyout="straight-line"``).

References
----------
.. [1] G. P. Sutton, O. Biblarz, *Rocket Propulsion Elements*, 9th ed. (2017), ch. 4 (rocket
       equation, constant-thrust flight) and ch. 4.3 (gravity and drag losses).
.. [2] U.S. Standard Atmosphere, 1976, NOAA-S/T 76-1562 (NOAA, NASA, USAF, 1976).
.. [3] APS Study Group, "Report of the American Physical Society Study Group on Boost-Phase
       Intercept Systems for National Missile Defense", Rev. Mod. Phys. 76 (2004) S1-S424, ch. 5
       (interceptor fly-out fans from point-mass integrations with gravity and drag).
.. [4] D. Wilkening, "A simple model for calculating ballistic missile defense effectiveness",
       Science & Global Security 8 (2000) 183-215 (interceptor fly-out and defended footprints).
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab import bounds
from bmdlab.defense import fan_cache
from bmdlab.geo.sphere import EARTH_RADIUS, GM_EARTH

FloatArray = NDArray[np.float64]

#: Fly-out models, by name.
FLYOUT_MODELS = bounds.FLYOUTS
#: Launch elevation of the reference fly-out on which the catalog burnout speed is matched. [rad]
REFERENCE_ELEVATION = np.radians(45.0)
#: Cells of the fan along ground range and, at most, along altitude (fewer when the altitude extent is
#: small against the range: cells are kept no more than 3.5 times finer in altitude than in range).
FAN_CELLS = (400, 300)
#: Fewest cells along altitude.
MIN_ALTITUDE_CELLS = 100
#: Longest fly-out followed. [s]
MAX_FLYOUT_TIME = 900.0
#: Top of the tabulated standard atmosphere (ambiance's upper limit is 81,020 m). [m]
_ATMOSPHERE_TOP = 81_000.0


def check_flyout_model(name: str) -> str:
    """Return ``name`` if it is a fly-out model, else raise ``ValueError`` listing the valid ones."""
    if name not in FLYOUT_MODELS:
        raise ValueError(f"unknown fly-out model '{name}'; use one of {', '.join(FLYOUT_MODELS)}")
    return name


@functools.cache
def _density_table() -> tuple[FloatArray, FloatArray, float]:
    """Altitudes [m], ln density [ln(kg/m^3)] of the standard atmosphere, and the top scale height [m]."""
    from ambiance import Atmosphere  # lazy: ambiance takes ~0.4 s to import; only the physical fly-out needs it

    h = np.linspace(0.0, _ATMOSPHERE_TOP, 325)
    ln_rho = np.log(Atmosphere(h).density)
    scale_height = (h[-1] - h[-5]) / (ln_rho[-5] - ln_rho[-1])
    return h, ln_rho, float(scale_height)


def air_density(altitude: ArrayLike) -> FloatArray:
    """Air density of the U.S. Standard Atmosphere 1976. [kg/m^3]

    Tabulated from the ``ambiance`` implementation (0-81 km, log-linear interpolation between 250 m
    steps) and extended above by an exponential with the scale height of the top 1 km of the table (6.3 km).

    Parameters
    ----------
    altitude : array_like
        Geometric altitude above the sphere. [m]
    """
    h_tab, ln_rho, scale = _density_table()
    h = np.asarray(altitude, float)
    low = np.interp(np.clip(h, 0.0, _ATMOSPHERE_TOP), h_tab, ln_rho)
    high = ln_rho[-1] - (h - _ATMOSPHERE_TOP) / scale
    return np.exp(np.where(h > _ATMOSPHERE_TOP, high, low))


@dataclass(frozen=True)
class FlyoutParameters:
    """What the point-mass fly-out needs of an interceptor (SI units).

    ``stage_burn_times`` [s] and ``stage_shares`` (fractions of the ideal velocity gain, summing to
    1) describe the stages in firing order; a single entry is an equivalent single stage.
    """

    burnout_speed: float  #: speed reached at burnout on the 45 deg reference fly-out [m/s]
    stage_burn_times: tuple[float, ...]  #: [s]
    stage_shares: tuple[float, ...]  #: [1]
    mass_ratio: float  #: initial over burnout mass of each stage [1]
    launch_mass: float  #: [kg]
    diameter: float  #: body diameter [m]
    drag_coefficient: float  #: [1]
    min_elevation: float  #: lowest launch (thrust) elevation [rad]

    def __post_init__(self):
        checks = [
            ("burnout_speed", self.burnout_speed > 0, "must be > 0"),
            (
                "stage burn times",
                len(self.stage_burn_times) > 0 and all(t > 0 for t in self.stage_burn_times),
                "must all be > 0",
            ),
            (
                "stage shares",
                len(self.stage_shares) == len(self.stage_burn_times)
                and all(s > 0 for s in self.stage_shares)
                and abs(sum(self.stage_shares) - 1.0) < 1e-6,
                "must be > 0, one per stage, and sum to 1",
            ),
            ("mass_ratio", self.mass_ratio > 1.0, "must be > 1"),
            ("launch_mass", self.launch_mass > 0, "must be > 0"),
            ("diameter", self.diameter > 0, "must be > 0"),
            ("drag_coefficient", self.drag_coefficient >= 0, "must be >= 0"),
            ("min_elevation", 0.0 <= self.min_elevation < 0.5 * np.pi, "must be in [0, 90) deg"),
        ]
        for name, ok, what in checks:
            if not ok or any(not np.isfinite(v) for v in np.atleast_1d(getattr(self, name.replace(" ", "_"), 0.0))):
                raise ValueError(f"fly-out parameter {name} {what}")

    @property
    def burn_time(self) -> float:
        """Total powered-flight time. [s]"""
        return float(sum(self.stage_burn_times))

    def values(self) -> list:
        """The parameters as a JSON-ready list, in a fixed order."""
        return [
            self.burnout_speed,
            list(self.stage_burn_times),
            list(self.stage_shares),
            self.mass_ratio,
            self.launch_mass,
            self.diameter,
            self.drag_coefficient,
            self.min_elevation,
        ]

    def key(self) -> str:
        """A hash of the parameters: the fan cache key."""
        return hashlib.sha256(json.dumps(self.values()).encode()).hexdigest()[:16]


def _thrust_acceleration(
    t: float,
    p: FlyoutParameters,
    delta_v: FloatArray,
    t_step: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Thrust acceleration [m/s^2] and ideal velocity gained so far [m/s] at time ``t`` after launch.

    ``t_step`` (the middle of the integration step) decides which stage burns, so that the
    Runge-Kutta stages at a step's ends see the thrust of the stage the step lies in (step edges
    fall on stage burnouts).
    """
    acc = np.zeros_like(delta_v)
    gained = np.zeros_like(delta_v)
    f = 1.0 - 1.0 / p.mass_ratio
    ref = t if t_step is None else t_step
    start = 0.0
    for tb, share in zip(p.stage_burn_times, p.stage_shares):
        ve = share * delta_v / np.log(p.mass_ratio)
        tau = min(max((t - start) / tb, 0.0), 1.0)
        if start <= ref < start + tb:
            acc = ve * f / (tb * (1.0 - f * tau))
        gained = gained - ve * np.log1p(-f * tau)
        start += tb
    return acc, gained


def _flyout_states(p: FlyoutParameters, elevation: FloatArray, delta_v: FloatArray, times: FloatArray):
    """Yield the state (x, y, vx, vy), each of shape (j,), at each of ``times`` (RK4 between them).

    Earth-centred coordinates in the plane of flight, the launcher at (0, R); ``elevation`` and
    ``delta_v`` broadcast against each other.
    """
    th, dv = np.broadcast_arrays(np.asarray(elevation, float), np.asarray(delta_v, float))
    area = 0.25 * np.pi * p.diameter**2
    ve_mean = dv / (len(p.stage_burn_times) * np.log(p.mass_ratio))  # exhaust speed of the whole stack
    ux, uy = np.cos(th), np.sin(th)  # thrust direction in the launcher's frame (x downrange, y up)
    drag_k = 0.5 * p.drag_coefficient * area / p.launch_mass

    def deriv(tt: float, s: FloatArray, mid: float) -> FloatArray:
        x, y, vx, vy = s
        r = np.hypot(x, y)
        acc_t, gained = _thrust_acceleration(tt, p, dv, mid)
        g = -GM_EARTH / r**3
        # drag per unit mass: rho Cd A v / (2 m), with m = m0 exp(-gained / ve_mean)
        k = drag_k * air_density(r - EARTH_RADIUS) * np.hypot(vx, vy) * np.exp(gained / ve_mean)
        return np.stack([vx, vy, g * x + acc_t * ux - k * vx, g * y + acc_t * uy - k * vy])

    state = np.stack([np.zeros_like(th), np.full_like(th, EARTH_RADIUS), np.zeros_like(th), np.zeros_like(th)])
    yield state
    for i in range(1, len(times)):
        t0, h = times[i - 1], times[i] - times[i - 1]
        mid = t0 + 0.5 * h
        k1 = deriv(t0, state, mid)
        k2 = deriv(mid, state + 0.5 * h * k1, mid)
        k3 = deriv(mid, state + 0.5 * h * k2, mid)
        k4 = deriv(t0 + h, state + h * k3, mid)
        state = state + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        yield state


def _plane_to_flight(x: FloatArray, y: FloatArray, vx: FloatArray, vy: FloatArray):
    """Ground range [m], altitude [m], speed [m/s] and flight-path angle [rad] from plane coordinates."""
    r = np.hypot(x, y)
    speed = np.hypot(vx, vy)
    radial = (x * vx + y * vy) / r
    gamma = np.arcsin(np.clip(radial / np.where(speed > 0, speed, 1.0), -1.0, 1.0))
    return EARTH_RADIUS * np.arctan2(x, y), r - EARTH_RADIUS, speed, gamma


def integrate_flyout(
    p: FlyoutParameters,
    elevation: ArrayLike,
    times: ArrayLike,
    *,
    delta_v: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Point-mass fly-outs at given launch elevations, sampled at given times (RK4 between them).

    Parameters
    ----------
    p : FlyoutParameters
        The interceptor.
    elevation : array_like, shape (j,)
        Thrust elevations above the launcher's horizontal. [rad]
    times : array_like, shape (k,)
        Increasing sample times from launch, starting at 0; the stage burnouts should be among them
        (the integrator steps between consecutive samples). [s]
    delta_v : array_like, optional
        Total ideal velocity gain [m/s], broadcast against ``elevation``; default: calibrated by
        :func:`calibrated_delta_v`.

    Returns
    -------
    ground_range, altitude, speed, path_angle : ndarray, shape (j, k)
        Ground distance from the launcher [m], altitude [m], speed [m/s] and flight-path angle above
        the local horizontal [rad]. Samples after the interceptor has come back to the ground are NaN.
    """
    dv = calibrated_delta_v(p) if delta_v is None else delta_v
    t = np.asarray(times, float)
    out = np.stack(
        list(_flyout_states(p, np.atleast_1d(np.asarray(elevation, float)), np.asarray(dv, float), t)), axis=-1
    )
    ground, alt, speed, gamma = _plane_to_flight(*out)
    # once back on the ground (after the first second of flight), the rest of the samples are gone
    landed = np.maximum.accumulate((alt < 0.0) & (t > 1.0), axis=-1)
    return tuple(np.where(landed, np.nan, a) for a in (ground, alt, speed, gamma))


def _sample_times(p: FlyoutParameters, t_end: float, step: float, coast_step: float | None = None) -> FloatArray:
    """Times from 0 to ``t_end`` with every stage burnout among them, steps of at most ``step`` while
    burning and ``coast_step`` (default ``step``) after the last burnout."""
    coast_step = step if coast_step is None else coast_step
    edges = np.concatenate([[0.0], np.cumsum(p.stage_burn_times)])
    edges = np.unique(np.concatenate([edges[edges < t_end], [t_end]]))
    parts = []
    for a, b in zip(edges[:-1], edges[1:]):
        st = step if a < p.burn_time - 1e-9 else coast_step
        parts.append(np.linspace(a, b, max(2, int(np.ceil((b - a) / st)) + 1))[:-1])
    return np.concatenate(parts + [[t_end]])


@functools.lru_cache(maxsize=64)
def _calibrated_delta_v(p: FlyoutParameters) -> float:
    times = _sample_times(p, p.burn_time, min(0.25, p.burn_time / 40.0))

    def burnout(dv: FloatArray) -> FloatArray:
        return integrate_flyout(p, [REFERENCE_ELEVATION], times, delta_v=dv)[2][:, -1]

    # burnout speed increases with the ideal gain: bracket on a grid, then refine on a finer one
    lo, hi = p.burnout_speed, 3.0 * p.burnout_speed
    for _ in range(3):
        grid = np.linspace(lo, hi, 33)
        v = burnout(grid)
        if not v[-1] >= p.burnout_speed:
            raise ValueError("fly-out cannot reach its burnout speed: drag or burn time too large")
        k = int(np.searchsorted(v, p.burnout_speed))
        lo, hi = grid[max(k - 1, 0)], grid[min(k, grid.size - 1)]
    v_lo, v_hi = burnout(np.array([lo, hi]))
    return float(lo + (hi - lo) * (p.burnout_speed - v_lo) / (v_hi - v_lo)) if v_hi > v_lo else float(lo)


def calibrated_delta_v(p: FlyoutParameters) -> float:
    """Total ideal velocity gain for which the 45 deg reference fly-out reaches the burnout speed. [m/s]"""
    return _calibrated_delta_v(p)


@dataclass(frozen=True, eq=False)
class FlyoutFan:
    """Earliest arrival of an interceptor at each (ground range, altitude) cell around its launcher.

    ``time`` (nx, nh) is the earliest arrival [s] (inf where the fan does not reach), ``speed``
    [m/s] and ``path_angle`` [rad] the interceptor's speed and flight-path angle there. Cell
    ``(i, j)`` is centred on ``(i * dx, j * dh)``.
    """

    dx: float  #: ground-range step [m]
    dh: float  #: altitude step [m]
    time: FloatArray
    speed: FloatArray
    path_angle: FloatArray
    burn_time: float  #: [s]
    key: str = ""
    build_seconds: float = field(default=0.0, compare=False)

    name = "physical"

    @property
    def max_ground_range(self) -> float:
        """Farthest ground range the fan reaches. [m]"""
        i = np.flatnonzero(np.isfinite(self.time).any(axis=1))
        return float(i[-1] * self.dx) if i.size else 0.0

    @property
    def max_altitude(self) -> float:
        """Highest altitude the fan reaches. [m]"""
        j = np.flatnonzero(np.isfinite(self.time).any(axis=0))
        return float(j[-1] * self.dh) if j.size else 0.0

    def max_altitude_at(self, ground_range: float) -> float:
        """Highest altitude the fan reaches at a ground range (0 if none). [m]"""
        i = int(round(float(ground_range) / self.dx))
        if not 0 <= i < self.time.shape[0]:
            return 0.0
        j = np.flatnonzero(np.isfinite(self.time[i]))
        return float(j[-1] * self.dh) if j.size else 0.0

    def _index(self, ground_range: FloatArray, altitude: FloatArray):
        fx = np.asarray(ground_range, float) / self.dx
        fh = np.asarray(altitude, float) / self.dh
        nx, nh = self.time.shape
        inside = (fx >= 0) & (fh >= 0) & (fx <= nx - 1) & (fh <= nh - 1)
        fx = np.where(inside, fx, 0.0)
        fh = np.where(inside, fh, 0.0)
        return fx, fh, inside

    def time_to(self, ground_range: ArrayLike, altitude: ArrayLike) -> FloatArray:
        """Earliest fly-out time to points at a ground range and altitude (bilinear). [s]

        inf where the fan does not reach, and at the fan's edge wherever one of the four
        neighbouring cells is unreached (the edge is thus conservative by at most a cell).
        """
        fx, fh, inside = self._index(ground_range, altitude)
        nx, nh = self.time.shape
        i0 = np.minimum(fx.astype(np.intp), nx - 2)
        j0 = np.minimum(fh.astype(np.intp), nh - 2)
        wx, wh = fx - i0, fh - j0
        tt = self.time
        t00, t10, t01, t11 = tt[i0, j0], tt[i0 + 1, j0], tt[i0, j0 + 1], tt[i0 + 1, j0 + 1]
        with np.errstate(invalid="ignore"):
            val = (t00 * (1 - wx) + t10 * wx) * (1 - wh) + (t01 * (1 - wx) + t11 * wx) * wh
        return np.where(inside & np.isfinite(val), val, np.inf)

    def velocity_at(self, ground_range: ArrayLike, altitude: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Speed [m/s] and flight-path angle [rad] on arrival (nearest cell; NaN where unreached)."""
        fx, fh, inside = self._index(ground_range, altitude)
        i, j = np.rint(fx).astype(np.intp), np.rint(fh).astype(np.intp)
        ok = inside & np.isfinite(self.time[i, j])
        return np.where(ok, self.speed[i, j], np.nan), np.where(ok, self.path_angle[i, j], np.nan)


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
    with np.errstate(over="ignore"):  # t * frac overflows only where t > tb, the branch not taken
        return np.where(t <= tb, 0.5 * v * t * frac, 0.5 * v * tb + v * (t - tb))


@dataclass(frozen=True)
class StraightLineFlyout:
    """The kinematic fly-out of earlier bmdlab versions, with the fan's interface.

    Uniform acceleration for the burn time :math:`T_b` to the burnout speed :math:`v_b`, then
    constant speed along a straight line; no gravity, no drag:
    :math:`t(d) = \\sqrt{2 d T_b/v_b}` for :math:`d \\le v_b T_b/2`, else :math:`T_b/2 + d/v_b`
    (the "average fly-out velocity" approach, APS 2004, ch. 5).
    """

    burnout_speed: float  #: [m/s]
    burn_time: float  #: [s]
    min_elevation: float = 0.0  #: lowest elevation of the line of flight [rad]

    name = "straight-line"

    def _chord(self, ground_range: ArrayLike, altitude: ArrayLike) -> tuple[FloatArray, FloatArray]:
        phi = np.asarray(ground_range, float) / EARTH_RADIUS
        r = EARTH_RADIUS + np.asarray(altitude, float)
        dx, dy = r * np.sin(phi), r * np.cos(phi) - EARTH_RADIUS  # in the launcher's frame
        return np.hypot(dx, dy), np.arctan2(dy, dx)

    def time_to(self, ground_range: ArrayLike, altitude: ArrayLike) -> FloatArray:
        """Straight-line fly-out time to points at a ground range and altitude. [s]"""
        d, elev = self._chord(ground_range, altitude)
        t = flyout_time(d, self.burnout_speed, self.burn_time)
        return np.where(elev >= self.min_elevation, t, np.inf) if self.min_elevation > 0 else t

    def velocity_at(self, ground_range: ArrayLike, altitude: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Speed [m/s] and flight-path angle above the local horizontal at the point [rad]."""
        d, elev = self._chord(ground_range, altitude)
        t = flyout_time(d, self.burnout_speed, self.burn_time)
        speed = (
            self.burnout_speed * np.minimum(t / self.burn_time, 1.0)
            if self.burn_time > 0
            else np.full_like(d, self.burnout_speed)
        )
        return speed, elev - np.asarray(ground_range, float) / EARTH_RADIUS


def _refine(a: FloatArray, n: int, axis: int) -> FloatArray:
    """Insert ``n - 1`` linearly interpolated samples between neighbours along ``axis``."""
    if n <= 1:
        return a
    if axis == 1:
        return _refine(a.T, n, 0).T

    w = (np.arange(n) / n).reshape((1, n) + (1,) * (a.ndim - 1))
    mid = a[:-1, None] * (1.0 - w) + a[1:, None] * w
    return np.concatenate([mid.reshape((-1,) + a.shape[1:]), a[-1:]], axis=0)


@dataclass(frozen=True)
class _FanGrid:
    """The (ground range, altitude) cells of a fan being built."""

    nx: int
    nh: int
    dx: float  #: [m]
    dh: float  #: [m]
    max_ground_range: float  #: [m]
    max_altitude: float  #: [m]


#: Refined samples handled at once while a fan is built (bounds the build's memory to some 100 MB).
_FAN_BATCH_SAMPLES = 2_000_000


def _earliest_arrivals(grid: _FanGrid, x, h, fine_t, velocity, nt: int, ne: int):
    """Earliest arrival time, speed and path angle in each cell, from trajectories refined ``nt`` times in time.

    The trajectories are refined ``ne`` times in elevation a batch of rows at a time, never all at once; the
    samples are visited in the order of the whole refined array (elevation, then time) and, among the samples
    that tie for a cell's earliest arrival, the last one gives the cell its speed and angle, so that the result
    does not depend on the batch size.
    """
    n_rows = x.shape[0]
    per_row = max(1, x.shape[1] * ne)
    step = max(1, _FAN_BATCH_SAMPLES // per_row)  # integrated rows per batch
    size = grid.nx * grid.nh
    arrival = np.full(size, np.inf)
    speed = np.full(size, np.nan)
    angle = np.full(size, np.nan)
    for r0 in range(0, max(n_rows - 1, 1), step):
        r1 = min(r0 + step, n_rows - 1)  # the batch spans integrated rows r0..r1; row r1 opens the next one
        bx, bh = _refine(x[r0 : r1 + 1], ne, 0), _refine(h[r0 : r1 + 1], ne, 0)
        if r1 < n_rows - 1:
            bx, bh = bx[:-1], bh[:-1]
        batch, first = _batch_arrivals(grid, bx, bh, fine_t, r0 * ne)
        rows, cols, flat = first
        bspeed, bangle = np.full(size, np.nan), np.full(size, np.nan)
        bspeed[flat], bangle[flat] = _interpolate_velocity(velocity, rows / ne, cols / nt)  # ties: the last wins
        better = np.flatnonzero((batch <= arrival) & np.isfinite(batch))  # a later batch wins a tie, as in one pass
        arrival[better], speed[better], angle[better] = batch[better], bspeed[better], bangle[better]
    return arrival, speed, angle


def _batch_arrivals(grid: _FanGrid, x, h, fine_t, row0: int):
    """A batch's earliest arrival in each cell (inf where none) and the samples that achieve it: their rows
    (counted from the fan's first refined row, ``row0`` being the batch's), columns and cells."""
    g = grid
    with np.errstate(invalid="ignore"):
        ok = (x >= -0.5 * g.dx) & (h >= -0.5 * g.dh) & (x <= g.max_ground_range + 0.5 * g.dx)
        ok &= h <= g.max_altitude + 0.5 * g.dh
    rows, cols = np.nonzero(ok)
    flat = np.rint(x[ok] / g.dx).astype(np.intp) * g.nh + np.rint(h[ok] / g.dh).astype(np.intp)
    t_ok = fine_t[cols]
    arrival = np.full(g.nx * g.nh, np.inf)
    np.minimum.at(arrival, flat, t_ok)
    first = t_ok == arrival[flat]  # the samples that are their cell's earliest arrival in this batch
    return arrival, (rows[first] + row0, cols[first], flat[first])


def _interpolate_velocity(velocity, fe, ft):
    """Speed and path angle at fractional (elevation, time) indices of the integrated samples (bilinear)."""
    v, gam = velocity
    e0 = np.minimum(fe.astype(np.intp), v.shape[0] - 2) if v.shape[0] > 1 else np.zeros(fe.shape, np.intp)
    k0 = np.minimum(ft.astype(np.intp), v.shape[1] - 2)
    we, wt = fe - e0, ft - k0
    e1 = np.minimum(e0 + 1, v.shape[0] - 1)

    def at(a: FloatArray) -> FloatArray:
        return (a[e0, k0] * (1 - wt) + a[e0, k0 + 1] * wt) * (1 - we) + (a[e1, k0] * (1 - wt) + a[e1, k0 + 1] * wt) * we

    return at(v), at(gam)


def build_fan(
    p: FlyoutParameters,
    *,
    max_ground_range: float,
    max_altitude: float,
    cells: tuple[int, int] = FAN_CELLS,
    elevations: int = 121,
) -> FlyoutFan:
    """Integrate the fly-outs of an interceptor and keep the earliest arrival in each cell.

    Parameters
    ----------
    p : FlyoutParameters
        The interceptor.
    max_ground_range, max_altitude : float
        Extent of the fan's grid (the catalog limits; beyond them nothing is engaged). [m]
    cells : (int, int)
        Cells along ground range and altitude.
    elevations : int
        Trajectories integrated between the minimum elevation and the vertical; more are
        interpolated between them (and between time steps) so that samples are under half a cell
        apart.
    """
    t_start = time.perf_counter()
    nx, nh = cells
    nh = int(np.clip(np.ceil(3.5 * nx * max_altitude / max_ground_range), min(MIN_ALTITUDE_CELLS, nh), nh))
    dx, dh = max_ground_range / (nx - 1), max_altitude / (nh - 1)
    cell = min(dx, dh)
    th = np.linspace(p.min_elevation, 0.5 * np.pi, elevations)
    dv = calibrated_delta_v(p)
    # RK4 steps: fine while burning, 1 s (or a fiftieth of the burn) in the coast
    times = _sample_times(p, MAX_FLYOUT_TIME, min(0.25, p.burn_time / 40.0), min(1.0, max(p.burn_time / 50.0, 0.05)))
    states = []
    for k, s in enumerate(_flyout_states(p, th, dv, times)):
        states.append(s)
        if k % 20 == 0 and times[k] > p.burn_time:  # stop once every trajectory has left the grid or landed
            g, alt, _, _ = _plane_to_flight(*s)
            if np.all((g > 1.02 * max_ground_range) | (alt > 1.02 * max_altitude) | (alt < 0.0)):
                break
    times = times[: len(states)]
    x, h, v, gam = _plane_to_flight(*np.stack(states, axis=-1))  # (j, k)
    landed = np.maximum.accumulate((h < 0.0) & (times > 1.0), axis=-1)
    x, h = np.where(landed, np.nan, x).astype(np.float32), np.where(landed, np.nan, h).astype(np.float32)
    # refine positions in time, then in elevation, by linear interpolation (the paths are smooth)
    step = float(np.nanmax(np.hypot(np.diff(x, axis=1), np.diff(h, axis=1)), initial=0.0))
    nt = int(np.clip(np.ceil(2.0 * step / cell), 1, 64))
    x, h = _refine(x, nt, 1), _refine(h, nt, 1)
    gap = float(np.nanmax(np.hypot(np.diff(x, axis=0), np.diff(h, axis=0)), initial=0.0))
    ne = int(np.clip(np.ceil(2.0 * gap / cell), 1, 64))
    grid = _FanGrid(nx, nh, dx, dh, max_ground_range, max_altitude)
    arrival, speed, angle = _earliest_arrivals(grid, x, h, _refine(times, nt, 0), (v, gam), nt, ne)
    fan = FlyoutFan(
        dx=dx,
        dh=dh,
        time=arrival.reshape(nx, nh),
        speed=speed.reshape(nx, nh),
        path_angle=angle.reshape(nx, nh),
        burn_time=p.burn_time,
        key=p.key(),
        build_seconds=time.perf_counter() - t_start,
    )
    for a in (fan.time, fan.speed, fan.path_angle):
        a.setflags(write=False)
    return fan


#: Everything of the build that is not a parameter or the extent (part of the disk cache's identity).
_BUILD_SETTINGS = {
    "cells": list(FAN_CELLS),
    "min_altitude_cells": MIN_ALTITUDE_CELLS,
    "elevations": 121,
    "max_flyout_time_s": MAX_FLYOUT_TIME,
    "reference_elevation_rad": float(REFERENCE_ELEVATION),
}


@functools.lru_cache(maxsize=32)
def _cached_fan(p: FlyoutParameters, max_ground_range: float, max_altitude: float) -> FlyoutFan:
    identity = fan_cache.fan_identity(p.key(), p.values(), (max_ground_range, max_altitude), _BUILD_SETTINGS)
    stored = fan_cache.load_fan(identity)
    if stored is not None:
        return FlyoutFan(**stored)
    fan = build_fan(
        p, max_ground_range=max_ground_range, max_altitude=max_altitude, elevations=_BUILD_SETTINGS["elevations"]
    )
    fan_cache.store_fan(identity, fan)
    return fan


def flyout_fan(p: FlyoutParameters, *, max_ground_range: float, max_altitude: float) -> FlyoutFan:
    """The fan of an interceptor, built once per parameter set and extent on a machine: kept in memory and in
    the user's cache folder (:mod:`bmdlab.defense.fan_cache`), rebuilt if the file there is not exactly it."""
    return _cached_fan(p, float(max_ground_range), float(max_altitude))
