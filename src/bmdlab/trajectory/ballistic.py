"""Ballistic-missile trajectories: a kinematic boost phase then Keplerian free flight.

:func:`ballistic_trajectory` solves many trajectories at once (vectorised over launch and target
points) for one of three published shapes:

``minimum-energy``
    the burnout angle that needs the least burnout speed for the range;
``lofted``
    steeper than minimum energy, fixed by a given apogee (or burnout angle);
``depressed``
    flatter than minimum energy, fixed by a given apogee or burnout angle.

Model
-----
* Spherical, non-rotating Earth (radius :data:`~bmdlab.geo.sphere.EARTH_RADIUS`); optionally the
  Earth turns under the free flight, so the missile aims where the target will be at impact.
  The effect of rotation during the short boost phase is neglected.
* Boost phase (kinematic, no aerodynamics): over the burn time :math:`T_b` the speed follows the
  rocket-equation profile of a constant-thrust stage with mass ratio :math:`\\Lambda`,
  :math:`v(\\tau) = v_{bo}\\,\\ln(1-f\\tau)/\\ln(1-f)`, :math:`f = 1-1/\\Lambda`,
  :math:`\\tau = t/T_b`, and the flight direction pitches from the vertical to the burnout angle
  as :math:`\\theta(\\tau) = \\theta_{bo} + (\\pi/2-\\theta_{bo})(1-\\tau)^2` (most of the turn early,
  as in a gravity turn). Burnout altitude and downrange follow by integration. This reproduces the
  observed flight times within about a minute (see tests); it is not a trajectory reconstruction.
* Free flight after burnout is a Kepler ellipse (:mod:`bmdlab.trajectory.kepler`); the state at any
  time comes from Kepler's equation. No drag on re-entry (vacuum speeds).

SI units throughout: m, s, m/s, rad.

References
----------
.. [1] R. R. Bate, D. D. Mueller, J. E. White, *Fundamentals of Astrodynamics* (1971), ch. 6.
.. [2] D. Wright, T. Kadyshev, "An analysis of the North Korean Nodong missile",
       Science & Global Security 4 (1994) 129-160 (boost + Keplerian model of open analyses).
.. [3] G. P. Sutton, O. Biblarz, *Rocket Propulsion Elements*, 9th ed. (2017), ch. 4
       (constant-thrust velocity profile from the rocket equation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, EARTH_ROTATION_RATE, GM_EARTH, central_angle, latlon, unit_vector
from bmdlab.lazy import lazy_module
from bmdlab.trajectory import kepler

if TYPE_CHECKING:
    from bmdlab.trajectory import compiled
else:
    compiled = lazy_module("bmdlab.trajectory.compiled")  # Numba loads in ~0.6 s: only for big work

#: Fewest samples (trajectories x times) for :meth:`Trajectory.position_altitude` to use compiled code: below,
#: Numba's start-up in a fresh process (~0.6 s) costs more than NumPy takes (a raid's plan: a few thousand).
COMPILED_MIN_SAMPLES = 50_000

FloatArray = NDArray[np.float64]

SHAPES = ("minimum-energy", "lofted", "depressed")
#: Altitude at which the re-entry speed is reported (conventional atmospheric interface). [m]
REENTRY_ALTITUDE = 100e3
#: Default boost-stage mass ratio (initial/burnout mass) [1]. Assumed: typical of the
#: single-stage liquid missiles analysed by Wright & Kadyshev (1994); it only shapes the boost path.
DEFAULT_MASS_RATIO = 3.0

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)  # exact to ~1e-6 for these smooth integrands
_MAX_NU = 1.98  # keep the free flight a bound ellipse


def _speed_profile(tau: FloatArray, mass_ratio: float) -> FloatArray:
    f = 1.0 - 1.0 / mass_ratio
    return np.log1p(-f * tau) / np.log1p(-f)


def _pitch(tau: FloatArray, theta_end: FloatArray) -> FloatArray:
    return theta_end + (0.5 * np.pi - theta_end) * (1.0 - tau) ** 2


def boost_path(
    tau: ArrayLike,
    burnout_speed: ArrayLike,
    burn_time: ArrayLike,
    theta_end: ArrayLike,
    mass_ratio: float = DEFAULT_MASS_RATIO,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Downrange, altitude, speed and direction along the kinematic boost path.

    Parameters
    ----------
    tau : array_like
        Fraction of the burn time elapsed, in [0, 1]. [1]
    burnout_speed : array_like
        Speed at burnout. [m/s]
    burn_time : array_like
        Powered-flight time. [s]
    theta_end : array_like
        Flight direction at burnout, above the launch point's horizontal. [rad]
    mass_ratio : float
        Initial over burnout mass of the (equivalent single) stage. [1]

    Returns
    -------
    x, h, speed, theta : ndarray
        Downrange distance [m] and altitude [m] in the launch point's flat frame, speed [m/s] and
        flight direction [rad] at ``tau``.
    """
    tau = np.asarray(tau, float)  # a single tau (the fixed point's burnout) keeps the node terms at shape (12,)
    v, tb, th = np.broadcast_arrays(*(np.asarray(a, float) for a in (burnout_speed, burn_time, theta_end)))
    u = tau[..., None] * 0.5 * (_NODES + 1.0)  # Gauss-Legendre nodes on [0, tau]
    w = tau[..., None] * 0.5 * _WEIGHTS
    s = _speed_profile(u, mass_ratio)
    ang = _pitch(u, th[..., None])
    scale = v * tb
    x = scale * np.sum(w * s * np.cos(ang), axis=-1)
    h = scale * np.sum(w * s * np.sin(ang), axis=-1)
    return x, h, v * _speed_profile(tau, mass_ratio), _pitch(tau, th)


def _bisect(fun, lo: FloatArray, hi: FloatArray, target: FloatArray, iterations: int = 80) -> FloatArray:
    """Vectorised bisection for ``fun(x) = target`` with ``fun`` increasing on [lo, hi].

    Stops early once a step changes no bracket (every interval is down to adjacent doubles, or NaN): the
    steps after that would repeat it exactly, so the answer is the same as after all ``iterations``.
    """
    lo, hi = lo.copy(), hi.copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = fun(mid) > target
        new_hi = np.where(above, mid, hi)
        new_lo = np.where(above, lo, mid)
        if np.array_equal(new_hi, hi, equal_nan=True) and np.array_equal(new_lo, lo, equal_nan=True):
            break
        lo, hi = new_lo, new_hi
    return 0.5 * (lo + hi)


def _newton_in_bracket(fun_slope, lo: FloatArray, hi: FloatArray, target: FloatArray, iterations: int = 30):
    """Root of ``f(x) = target`` for ``f`` increasing on [lo, hi]: Newton's method kept inside a bracket that
    every evaluation shrinks (a bisection step wherever Newton's would leave it or is not finite), until ``f``
    is the target to 4 ulp or a step is below 2 ulp. ``fun_slope(x, idx)`` gives ``f`` and its derivative at
    the elements ``idx``.

    Returns the roots and a mask of the elements that converged (the others are left to :func:`_bisect`).
    """
    lo, hi = lo.copy(), hi.copy()
    x = 0.5 * (lo + hi)
    todo = np.flatnonzero(np.isfinite(x))
    for _ in range(iterations):
        if todo.size == 0:
            break
        xa, la, ha = x[todo], lo[todo], hi[todo]
        f, slope = fun_slope(xa, todo)
        f = f - target[todo]
        above = f > 0
        la, ha = np.where(above, la, xa), np.where(above, xa, ha)
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = xa - f / slope
        inside = np.isfinite(nxt) & (nxt > la) & (nxt < ha)
        nxt = np.where(inside, nxt, 0.5 * (la + ha))
        hit = np.abs(f) <= 4.0 * np.spacing(target[todo])  # the target to rounding: as good as any angle
        done = hit | (np.abs(nxt - xa) <= 2.0 * np.spacing(xa))
        x[todo], lo[todo], hi[todo] = np.where(hit, xa, nxt), la, ha
        todo = todo[~done]
    converged = np.ones(x.shape, bool)
    converged[todo] = False
    return x, converged & np.isfinite(x)


def _free_flight_angle(
    r1: FloatArray,
    r2: FloatArray,
    psi: FloatArray,
    shape: str,
    apogee_radius: FloatArray | None,
    angle: FloatArray | None,
) -> FloatArray:
    """Burnout flight-path angle for a shape (NaN where the request is infeasible)."""
    g_me, _ = kepler.minimum_energy(r1, r2, psi)
    if shape == "minimum-energy":
        return g_me
    branch = "high" if shape == "lofted" else "low"
    if angle is not None:
        ok = angle >= g_me if shape == "lofted" else angle <= g_me
        return np.where(ok & (angle > 0.0) & (angle < 0.5 * np.pi), angle, np.nan)
    g_far = kepler.angle_for_speed(r1, r2, psi, _MAX_NU, branch)
    if shape == "lofted":
        lo, hi = g_me, np.where(np.isnan(g_far), 0.5 * np.pi - 1e-6, g_far)
    else:
        lo, hi = np.where(np.isnan(g_far), 1e-6, np.maximum(g_far, 1e-6)), g_me

    apogee_of = kepler.apogee_radius_function(r1, r2, psi)

    ra_lo, ra_hi = apogee_of(lo), apogee_of(hi)
    g, settled = _newton_in_bracket(kepler.apogee_radius_and_slope(r1, r2, psi), lo, hi, apogee_radius)
    if not settled.all():  # no root inside (such requests are dropped below) or slow: bisection, as the statement
        rest = ~settled
        r1_, r2_, psi_ = (np.broadcast_to(x, lo.shape)[rest] for x in (r1, r2, psi))
        g[rest] = _bisect(kepler.apogee_radius_function(r1_, r2_, psi_), lo[rest], hi[rest], apogee_radius[rest])
    feasible = (apogee_radius >= np.minimum(ra_lo, ra_hi) * (1 - 1e-9)) & (
        apogee_radius <= np.maximum(ra_lo, ra_hi) * (1 + 1e-9)
    )
    return np.where(feasible, g, np.nan)


@dataclass(frozen=True)
class Trajectory:
    """Solved ballistic trajectories (arrays of shape ``(n,)``; SI units).

    Attributes hold the summary figures; :meth:`state` gives position and velocity at any time.
    """

    shape: str
    earth_rotation: bool
    launch_lat: FloatArray
    launch_lon: FloatArray
    target_lat: FloatArray
    target_lon: FloatArray
    ground_range: FloatArray  #: great-circle launch-to-target distance on the Earth [m]
    burn_time: FloatArray  #: [s]
    burnout_speed: FloatArray  #: relative to the (rotating) Earth [m/s]
    burnout_speed_inertial: FloatArray  #: [m/s]
    burnout_angle: FloatArray  #: flight-path angle above the local horizontal [rad]
    burnout_altitude: FloatArray  #: [m]
    burnout_downrange: FloatArray  #: [m]
    apogee: FloatArray  #: highest altitude [m]
    flight_time: FloatArray  #: launch to impact [s]
    reentry_speed: FloatArray  #: vacuum speed at 100 km altitude on the way down [m/s]
    impact_speed: FloatArray  #: vacuum speed at the ground [m/s]
    mass_ratio: float
    # orbit-plane geometry for :meth:`state`
    _u1: FloatArray = field(repr=False)
    _u2: FloatArray = field(repr=False)
    _phi_bo: FloatArray = field(repr=False)
    _theta_end: FloatArray = field(repr=False)
    _a: FloatArray = field(repr=False)
    _e: FloatArray = field(repr=False)
    _p: FloatArray = field(repr=False)
    _anomaly_bo: FloatArray = field(repr=False)

    def __len__(self) -> int:
        return int(self.ground_range.shape[0])

    @property
    def time_to_apogee(self) -> FloatArray:
        """Time from launch to apogee. [s]"""
        t = kepler.time_between(self._anomaly_bo, np.pi, self._a, self._e)
        return self.burn_time + np.where(self._anomaly_bo < np.pi, t, 0.0)

    def state(self, t: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Position and velocity at times after launch.

        Parameters
        ----------
        t : array_like, shape (k,) or (n, k)
            Time since launch, clipped to [0, flight_time]. [s]

        Returns
        -------
        position, velocity : ndarray, shape (n, k, 3)
            Earth-centred, Earth-fixed vectors [m] and [m/s] (equal to inertial at launch).
        """
        return self._state(t, velocity=True)

    def position(self, t: ArrayLike) -> FloatArray:
        """Earth-centred, Earth-fixed position at times after launch, shape (n, k, 3) [m].

        The same as ``state(t)[0]`` without computing the velocity.
        """
        return self._state(t, velocity=False)[0]

    def position_altitude(self, t: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Positions, shape (n, k, 3) [m], and altitudes above the sphere, shape (n, k) [m], at times after launch.

        The same as :meth:`position` and its norm less the Earth's radius. Work of at least
        :data:`COMPILED_MIN_SAMPLES` samples is computed in one compiled pass (:mod:`bmdlab.trajectory.compiled`:
        Kepler's equation solved from the previous sample, the point placed from the eccentric anomaly; the
        same positions to rounding, within 1e-5 m).
        """
        t = self._times(t)
        if t.size < COMPILED_MIN_SAMPLES:
            pos = self._state(t, velocity=False)[0]
            return pos, np.linalg.norm(pos, axis=-1) - EARTH_RADIUS
        e, a = self._e, self._a
        e_bo = kepler.eccentric_anomaly(self._anomaly_bo, e)
        per_row = np.column_stack([self.burn_time, e_bo - e * np.sin(e_bo), np.sqrt(GM_EARTH / a**3), e, a])
        peri = (self._phi_bo - self._anomaly_bo)[:, None]  # central angle of perigee
        u1, u2 = self._u1, self._u2
        w1, w2 = np.cos(peri) * u1 + np.sin(peri) * u2, -np.sin(peri) * u1 + np.cos(peri) * u2
        rows, cols = np.nonzero(t < self.burn_time[:, None])
        per_boost = np.column_stack([self.burn_time, self.burnout_speed_inertial, self._theta_end])
        f = 1.0 - 1.0 / self.mass_ratio
        quadrature = (_NODES, _WEIGHTS, f, float(np.log1p(-f)))
        c = np.ascontiguousarray
        return compiled.free_flight_positions(
            t,
            (c(per_row), c(w1), c(w2)),
            (rows, cols, c(per_boost), c(u1), c(u2), quadrature),
            self.earth_rotation,
            kepler.KEPLER_ITERATIONS,
        )

    def _times(self, t: ArrayLike) -> FloatArray:
        """Times as an (n, k) array clipped to each flight. [s]"""
        t = np.asarray(t, float)
        t = np.broadcast_to(t if t.ndim == 2 else t[None, :], (len(self), t.shape[-1]))
        return np.clip(t, 0.0, self.flight_time[:, None])

    def _boost(
        self, t: FloatArray
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray, FloatArray, FloatArray]:
        """The boosting samples of clipped times ``t``: their rows and columns, central angle [rad], radius [m],
        speed [m/s] and flight direction [rad] (flat-frame kinematics wrapped onto the sphere)."""
        rows, cols = np.nonzero(t < self.burn_time[:, None])
        tb_b = self.burn_time[rows]
        x, h, spd, th = boost_path(
            t[rows, cols] / tb_b, self.burnout_speed_inertial[rows], tb_b, self._theta_end[rows], self.mass_ratio
        )
        return rows, cols, x / EARTH_RADIUS, EARTH_RADIUS + h, spd, th

    def _state(self, t: ArrayLike, velocity: bool) -> tuple[FloatArray, FloatArray | None]:
        t = self._times(t)

        def col(a):
            return a[:, None]

        tb = col(self.burn_time)
        boosting = t < tb

        # boost phase, only where boosting
        phi_b = np.zeros(t.shape)
        r_b = np.full(t.shape, EARTH_RADIUS)
        vr_b = np.zeros(t.shape)
        vt_b = np.zeros(t.shape)
        if boosting.any():
            rows, cols, phi, radius, spd, th = self._boost(t)
            phi_b[rows, cols] = phi
            r_b[rows, cols] = radius
            if velocity:
                vr_b[rows, cols] = spd * np.sin(th - phi)
                vt_b[rows, cols] = spd * np.cos(th - phi)

        # free flight (Kepler's equation from burnout)
        a, e, p = col(self._a), col(self._e), col(self._p)
        n_mean = np.sqrt(GM_EARTH / a**3)
        e_bo = kepler.eccentric_anomaly(col(self._anomaly_bo), e)
        m = e_bo - e * np.sin(e_bo) + n_mean * np.maximum(t - tb, 0.0)
        big_e = kepler.solve_kepler(m, e, kepler.KEPLER_ITERATIONS)
        anomaly = np.mod(kepler.true_anomaly(big_e, e), 2.0 * np.pi)
        anomaly = np.where(anomaly < col(self._anomaly_bo) - 1e-9, anomaly + 2.0 * np.pi, anomaly)
        r_f = p / (1.0 + e * np.cos(anomaly))
        phi_f = col(self._phi_bo) + anomaly - col(self._anomaly_bo)

        phi = np.where(boosting, phi_b, phi_f)
        r = np.where(boosting, r_b, r_f)
        u1, u2 = self._u1[:, None, :], self._u2[:, None, :]
        cos_phi, sin_phi = np.cos(phi)[..., None], np.sin(phi)[..., None]
        radial = cos_phi * u1 + sin_phi * u2
        pos = r[..., None] * radial
        if not velocity:
            return (_rotate_to_fixed(pos, t) if self.earth_rotation else pos), None
        h_mom = np.sqrt(GM_EARTH * p)
        vr = np.where(boosting, vr_b, h_mom / p * e * np.sin(anomaly))
        vt = np.where(boosting, vt_b, h_mom / r_f)
        along = -sin_phi * u1 + cos_phi * u2
        vel = vr[..., None] * radial + vt[..., None] * along
        if self.earth_rotation:
            pos, vel = _inertial_to_fixed(pos, vel, t)
        return pos, vel

    def geodetic(self, t: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude [rad], longitude [rad] and altitude [m] at times after launch, shape (n, k)."""
        pos = self.position(t)
        lat, lon = latlon(pos)
        return lat, lon, np.linalg.norm(pos, axis=-1) - EARTH_RADIUS


def _rotate_to_fixed(pos: FloatArray, t: FloatArray) -> FloatArray:
    """Rotate inertial positions (frames aligned at t = 0) into the Earth-fixed frame at time t."""
    ang = -EARTH_ROTATION_RATE * t
    c, s = np.cos(ang), np.sin(ang)
    return np.stack([c * pos[..., 0] - s * pos[..., 1], s * pos[..., 0] + c * pos[..., 1], pos[..., 2]], axis=-1)


def _inertial_to_fixed(pos: FloatArray, vel: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Rotate inertial vectors (frames aligned at t = 0) into the Earth-fixed frame at time t."""
    ang = -EARTH_ROTATION_RATE * t
    c, s = np.cos(ang), np.sin(ang)
    omega = np.array([0.0, 0.0, EARTH_ROTATION_RATE])
    rel = vel - np.cross(omega, pos)

    def rot(v: FloatArray) -> FloatArray:
        return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1], v[..., 2]], axis=-1)

    return rot(pos), rot(rel)


@dataclass(frozen=True, eq=False)
class FlightShape:
    """A trajectory shape (:data:`SHAPES`): ``minimum-energy``, or ``lofted``/``depressed`` fixed by an
    ``apogee`` altitude [m] or a burnout flight-path ``angle`` [rad] (arrays broadcast with the points).

    Raises
    ------
    BmdlabError (a ValueError)
        Unknown shape, or a lofted/depressed shape without an apogee or angle.
    """

    name: str = "minimum-energy"
    apogee: ArrayLike | None = None
    angle: ArrayLike | None = None
    cross_range: float = 0.0  #: a boost-glide flight's planned turn to one side and back [m] (not ballistic)

    def __post_init__(self) -> None:
        if self.name not in SHAPES:
            raise BmdlabError(f"shape: unknown trajectory shape '{self.name}'; use one of {', '.join(SHAPES)}")
        if self.name != "minimum-energy" and self.apogee is None and self.angle is None:
            raise BmdlabError(f"shape {self.name} needs apogee_km (or a burnout angle)")

    @classmethod
    def of(cls, shape: str | FlightShape) -> FlightShape:
        """A shape from its name (``minimum-energy`` needs nothing more) or as given."""
        return shape if isinstance(shape, FlightShape) else cls(shape)


#: The minimum-energy shape.
MINIMUM_ENERGY = FlightShape()
#: Fixed-point iterations between the boost path and the free flight (converged well before: see tests).
FIXED_POINT_ITERATIONS = 12


def ballistic_trajectory(
    launch_lat: ArrayLike,
    launch_lon: ArrayLike,
    target_lat: ArrayLike,
    target_lon: ArrayLike,
    *,
    burn_time: ArrayLike = 0.0,
    shape: str | FlightShape = MINIMUM_ENERGY,
    earth_rotation: bool = False,
    mass_ratio: float = DEFAULT_MASS_RATIO,
) -> Trajectory:
    """Solve ballistic trajectories from launch points to targets.

    Parameters
    ----------
    launch_lat, launch_lon, target_lat, target_lon : array_like
        Launch and impact points (broadcast together). [rad]
    burn_time : array_like
        Powered-flight time; 0 gives a pure Keplerian flight from the ground. [s]
    shape : FlightShape or str
        Trajectory shape (a name alone for ``minimum-energy``): :class:`FlightShape`.
    earth_rotation : bool
        Let the Earth turn under the free flight (aim where the target will be at impact).
    mass_ratio : float
        Boost-stage mass ratio for the kinematic boost path. [1]

    Returns
    -------
    Trajectory
        Figures are NaN where the request is infeasible (an apogee outside the shape's range, or a
        range beyond half the globe); callers at the edge turn that into a user error.

    Raises
    ------
    ValueError
        Unknown shape, a lofted/depressed shape without an apogee or angle, a mass ratio of 1 or less.
    """
    flight = FlightShape.of(shape)
    if mass_ratio <= 1.0:
        raise ValueError("mass_ratio must be greater than 1")
    lat1, lon1, lat2, lon2, tb = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, float)) for x in (launch_lat, launch_lon, target_lat, target_lon, burn_time))
    )
    n = lat1.shape[0] if lat1.ndim else 1
    lat1, lon1, lat2, lon2, tb = (np.reshape(x, (n,)).copy() for x in (lat1, lon1, lat2, lon2, tb))
    u1 = unit_vector(lat1, lon1)
    f = _free_flight(u1, unit_vector(lat2, lon2), tb, flight, earth_rotation, mass_ratio)
    normal, u2 = _flight_plane(u1, f.aim)
    el, r1 = f.elements, EARTH_RADIUS + f.h_bo
    apogee_alt = np.where(f.anomaly_bo < np.pi, el["r_apogee"], r1) - EARTH_RADIUS
    reentry, impact = _reentry_and_impact_speeds(el["a"], apogee_alt)
    if earth_rotation:  # burnout speed relative to the rotating Earth
        v_fixed = _speed_over_ground(r1, f.phi_bo, f.gamma, f.v_in, u1, u2, normal)
    else:
        v_fixed = f.v_in
    return Trajectory(
        shape=flight.name,
        earth_rotation=earth_rotation,
        launch_lat=lat1,
        launch_lon=lon1,
        target_lat=lat2,
        target_lon=lon2,
        ground_range=EARTH_RADIUS * central_angle(lat1, lon1, lat2, lon2),
        burn_time=tb,
        burnout_speed=v_fixed,
        burnout_speed_inertial=f.v_in,
        burnout_angle=f.gamma,
        burnout_altitude=f.h_bo,
        burnout_downrange=f.x_bo,
        apogee=apogee_alt,
        flight_time=f.flight_time,
        reentry_speed=reentry,
        impact_speed=impact,
        mass_ratio=mass_ratio,
        _u1=u1,
        _u2=u2,
        _phi_bo=f.phi_bo,
        _theta_end=f.theta_end,
        _a=el["a"],
        _e=el["e"],
        _p=el["p"],
        _anomaly_bo=f.anomaly_bo,
    )


@dataclass
class _FreeFlight:
    """The converged boost + free-flight solution of :func:`ballistic_trajectory` (arrays of shape (n,))."""

    aim: FloatArray  #: unit vector of the aim point (where the target is at impact)
    gamma: FloatArray  #: burnout flight-path angle [rad]
    v_in: FloatArray  #: inertial burnout speed [m/s]
    x_bo: FloatArray  #: burnout downrange [m]
    h_bo: FloatArray  #: burnout altitude [m]
    phi_bo: FloatArray  #: burnout downrange angle [rad]
    theta_end: FloatArray  #: flight direction at burnout above the launch horizontal [rad]
    elements: dict[str, FloatArray]  #: the free flight's conic (kepler.conic_elements)
    anomaly_bo: FloatArray  #: true anomaly at burnout [rad]
    flight_time: FloatArray  #: burn plus free flight [s]; NaN where infeasible


def _free_flight(
    u1: FloatArray, target: FloatArray, tb: FloatArray, flight: FlightShape, earth_rotation: bool, mass_ratio: float
) -> _FreeFlight:
    """Fixed-point iteration between the boost path (which moves the burnout point) and the Kepler free
    flight from it to the aim point (which moves with the Earth's rotation over the flight time)."""
    n = u1.shape[0]
    ra_target = (
        None if flight.apogee is None else EARTH_RADIUS + np.broadcast_to(np.asarray(flight.apogee, float), (n,))
    )
    gamma_req = None if flight.angle is None else np.broadcast_to(np.asarray(flight.angle, float), (n,))
    r2 = np.full(n, EARTH_RADIUS)
    flight_time, x_bo, h_bo = np.zeros(n), np.zeros(n), np.zeros(n)
    for _ in range(FIXED_POINT_ITERATIONS):
        aim = _aim_point(target, flight_time) if earth_rotation else target
        psi_total = np.arccos(np.clip(np.sum(u1 * aim, axis=-1), -1.0, 1.0))
        phi_bo = x_bo / EARTH_RADIUS
        r1 = EARTH_RADIUS + h_bo
        psi = psi_total - phi_bo
        gamma = _free_flight_angle(r1, r2, psi, flight.name, ra_target, gamma_req)
        nu = kepler.speed_parameter(r1, r2, psi, gamma)
        nu = np.where(nu < 2.0, nu, np.nan)
        v_in = np.sqrt(nu * GM_EARTH / r1)
        theta_end = gamma + phi_bo
        x_bo, h_bo, _, _ = boost_path(1.0, np.nan_to_num(v_in), tb, theta_end, mass_ratio)
        el = kepler.conic_elements(r1, nu, gamma)
        anomaly_bo = np.mod(el["theta1"], 2.0 * np.pi)
        t_ff = kepler.time_between(anomaly_bo, anomaly_bo + psi, el["a"], el["e"])
        flight_time = tb + np.nan_to_num(t_ff)
    return _FreeFlight(
        aim=aim,
        gamma=gamma,
        v_in=v_in,
        x_bo=x_bo,
        h_bo=h_bo,
        phi_bo=phi_bo,
        theta_end=theta_end,
        elements=el,
        anomaly_bo=anomaly_bo,
        flight_time=np.where(np.isfinite(nu), flight_time, np.nan),
    )


def _aim_point(target: FloatArray, flight_time: FloatArray) -> FloatArray:
    """Where the target (an Earth-fixed unit vector) is, in the launch's inertial frame, after ``flight_time``."""
    rot = EARTH_ROTATION_RATE * flight_time
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([c * target[:, 0] - s * target[:, 1], s * target[:, 0] + c * target[:, 1], target[:, 2]], axis=-1)


def _flight_plane(u1: FloatArray, aim: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The flight plane's unit normal and the in-plane unit vector 90 degrees downrange of the launch point."""
    normal = np.cross(u1, aim)
    norm = np.linalg.norm(normal, axis=-1, keepdims=True)
    # launch and aim point antipodal or equal: any plane; pick one through the pole
    fallback = np.cross(u1, np.array([0.0, 0.0, 1.0]) + 1e-3)
    normal = np.where(
        norm > 1e-12,
        normal / np.where(norm > 0, norm, 1.0),
        fallback / np.linalg.norm(fallback, axis=-1, keepdims=True),
    )
    return normal, np.cross(normal, u1)


def _reentry_and_impact_speeds(a: FloatArray, apogee_alt: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vis-viva speeds at :data:`REENTRY_ALTITUDE` (the impact speed for a flight that stays below it) and
    at the ground. [m/s]"""
    r_re = EARTH_RADIUS + REENTRY_ALTITUDE
    with np.errstate(invalid="ignore"):
        reentry = np.sqrt(GM_EARTH * (2.0 / r_re - 1.0 / a))
        impact = np.sqrt(GM_EARTH * (2.0 / EARTH_RADIUS - 1.0 / a))
    return np.where(apogee_alt > REENTRY_ALTITUDE, reentry, impact), impact


def _speed_over_ground(
    r1: FloatArray,
    phi_bo: FloatArray,
    gamma: FloatArray,
    v_in: FloatArray,
    u1: FloatArray,
    u2: FloatArray,
    normal: FloatArray,
) -> FloatArray:
    """Burnout speed relative to the rotating Earth. [m/s]"""
    r_bo_vec = (r1 * np.cos(phi_bo))[:, None] * u1 + (r1 * np.sin(phi_bo))[:, None] * u2
    radial = r_bo_vec / r1[:, None]
    along = np.cross(normal, radial)
    v_vec = (v_in * np.sin(gamma))[:, None] * radial + (v_in * np.cos(gamma))[:, None] * along
    v_rel = v_vec - np.cross(np.array([0.0, 0.0, EARTH_ROTATION_RATE]), r_bo_vec)
    return np.linalg.norm(v_rel, axis=-1)
