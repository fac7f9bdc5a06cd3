"""Atmospheric flight of lifting payloads: quasi-ballistic pull-up (KN-23 class) and boost-glide.

A ballistic missile's payload coasts on a Kepler ellipse (:mod:`bmdlab.trajectory.ballistic`). Two
flight classes of North Korea's missiles since 2019 leave it:

``quasi-ballistic``
    a depressed boost to a low apogee (about 50 km), then a pull-up in the atmosphere that flattens
    and lengthens the descent (the KN-23 flights of 2019);
``boost-glide``
    a booster releases a glide vehicle that pulls up into a long equilibrium glide at 40-60 km
    before a dive to the target (the "hypersonic missiles" of 2021-2024).

Model (open-literature fidelity, after Tracy and Wright 2020 [1]_)
--------------------------------------------------------------------
* Spherical, non-rotating Earth; point mass in the plane of the great circle from the launch point
  to the target; exponential atmosphere :math:`\\rho = \\rho_0 e^{-h/H}` (:data:`SEA_LEVEL_DENSITY`,
  :data:`SCALE_HEIGHT`).
* Boost: the kinematic boost of the ballistic model (:func:`~bmdlab.trajectory.ballistic.boost_path`)
  to a burnout speed at the missile's ``boost_angle`` (its depressed burnout flight-path angle).
* After burnout the vehicle coasts without lift (zero-lift drag :math:`C_{D0}`) until it descends
  through its ``pull_up_altitude``. From there it flies a **bounded equilibrium glide**: it steers its
  lift toward the altitude where lift at the best lift-to-drag trim balances gravity less the
  centrifugal term, :math:`\\tfrac12\\rho v^2 S C_L^* = m (g - v^2/r)` [2]_, never using more lift
  than that trim gives (nor less than its negative: a banked-over vehicle pushes down). The drag
  polar is parabolic, :math:`C_D = C_{D0} + k C_L^2`, with the catalog's ``lift_to_drag`` as its
  best ratio and ``drag_coefficient`` as the drag at that trim (so :math:`C_{D0}` is half of it and
  :math:`C_L^* = C_D L/D`) [3]_.
* The glide ends when the vehicle has slowed to its catalog ``dive_speed``: it then dives without lift.
* The range is set by the burnout speed, as for a ballistic missile: a family of flights over a
  range of burnout speeds is integrated once per vehicle (fourth-order Runge-Kutta, step
  :data:`STEP`) and a flight to any range is interpolated between its two neighbours (their shapes in
  normalised time, scaled to land exactly at the target). The family's fastest member reaches the
  missile's catalog range: a glide vehicle's published range is its glide range.

SI units throughout: m, s, m/s, rad, kg.

References
----------
.. [1] C. L. Tracy, D. Wright, "Modeling the Performance of Hypersonic Boost-Glide Missiles",
       Science & Global Security 28 (2020) 135-170.
.. [2] A. J. Eggers, H. J. Allen, S. E. Neice, "A Comparative Analysis of the Performance of
       Long-Range Hypervelocity Vehicles", NACA Report 1382 (1958): equilibrium glide and its range
       :math:`R = \\tfrac{L}{D}\\,\\tfrac{r}{2}\\ln\\frac{1}{1 - v_0^2/(g r)}`.
.. [3] J. D. Anderson, *Introduction to Flight*, 8th ed. (2016), sec. 6.1 (parabolic drag polar,
       best lift-to-drag ratio :math:`1/(2\\sqrt{C_{D0} k})` at :math:`C_L^* = \\sqrt{C_{D0}/k}`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.catalog.schema import Missile
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, GM_EARTH, central_angle, latlon, unit_vector
from bmdlab.trajectory.ballistic import DEFAULT_MASS_RATIO, REENTRY_ALTITUDE, boost_path

FloatArray = NDArray[np.float64]

#: Flight classes this module flies.
ATMOSPHERIC_CLASSES = ("quasi-ballistic", "boost-glide")
#: Exponential atmosphere: sea-level density [kg/m^3] and scale height [m] (U.S. Standard Atmosphere
#: 1976 sea level; the 7.2 km scale height fits its density within about 20 % from 20 to 60 km, where
#: the vehicles glide).
SEA_LEVEL_DENSITY = 1.225
SCALE_HEIGHT = 7_200.0
#: Integration step [s]: the glide's slowest control time (:data:`ALTITUDE_TIME`) is 40 steps. While every
#: flight still in the air is above :data:`VACUUM_ALTITUDE` (drag below 1e-4 of gravity) the step is
#: :data:`VACUUM_STEP` (RK4's error on a Kepler arc at 4 s is below a metre).
STEP = 0.5
VACUUM_STEP = 4.0
VACUUM_ALTITUDE = 90e3
#: The dive speed [m/s] of a :class:`Vehicle` built by hand (tests, the HTV-2 checks); a catalog missile's
#: is its ``dive_speed`` value, with its source and range.
DIVE_SPEED = 1_500.0
#: Time constants of the glide's steering [s]: toward the equilibrium altitude, and of the flight-path
#: angle toward the commanded one. They only shape the pull-up transient; the equilibrium does not
#: depend on them.
ALTITUDE_TIME = 20.0
ANGLE_TIME = 5.0
#: Steepest bank of a turning glide [rad]: at most this share of the lift (its sine) turns the glide; the rest
#: holds it up, and the vehicle sinks to denser air to make up the difference (the turn's cost in drag).
MAX_BANK = np.radians(60.0)
#: Steepest commanded climb or sink of the glide [rad].
MAX_COMMAND_ANGLE = 0.2
#: Burnout speeds of a flight family: the slowest [m/s], and the fastest tried when finding the
#: speed of the catalog range [m/s] (7 km/s glides farther than any catalog range).
SLOWEST = 400.0
FASTEST = 7_000.0
#: Flights in a family, and nodes of normalised time kept per flight.
FAMILY_SIZE = 40
NODES = 500
#: Longest flight integrated [s].
MAX_TIME = 4_000.0


@dataclass(frozen=True)
class Vehicle:
    """A missile's booster and lifting payload, in SI units (see :meth:`of`)."""

    flight_class: str
    lift_to_drag: float  #: best lift-to-drag ratio [1]
    mass: float  #: [kg]
    area: float  #: reference area [m^2]
    drag_coefficient: float  #: drag coefficient at the best lift-to-drag trim [1]
    pull_up_altitude: float  #: [m]
    boost_angle: float  #: burnout flight-path angle [rad]
    burn_time: float  #: [s]
    mass_ratio: float = DEFAULT_MASS_RATIO
    dive_speed: float = DIVE_SPEED  #: the glide ends and the vehicle dives at this speed [m/s]

    @classmethod
    def of(cls, missile: Missile) -> Vehicle:
        """The vehicle of a catalog missile of an atmospheric flight class."""
        if missile.flight_class not in ATMOSPHERIC_CLASSES:
            raise BmdlabError(f"{missile.name} flies a {missile.flight_class} trajectory, not an atmospheric one")
        return cls(
            flight_class=missile.flight_class,
            lift_to_drag=missile.lift_to_drag.si(),  # type: ignore[union-attr]
            mass=missile.vehicle_mass.si(),  # type: ignore[union-attr]
            area=missile.vehicle_area.si(),  # type: ignore[union-attr]
            drag_coefficient=missile.drag_coefficient.si(),  # type: ignore[union-attr]
            pull_up_altitude=missile.pull_up_altitude.si(),  # type: ignore[union-attr]
            boost_angle=missile.boost_angle.si(),  # type: ignore[union-attr]
            burn_time=missile.burn_time.si(),
            dive_speed=missile.dive_speed.si(),  # type: ignore[union-attr]
        )

    @property
    def glide_lift_coefficient(self) -> float:
        """:math:`C_L^*`, the lift coefficient of the best lift-to-drag trim. [1]"""
        return self.drag_coefficient * self.lift_to_drag

    @property
    def zero_lift_drag(self) -> float:
        """:math:`C_{D0}`: half the drag at the best trim on a parabolic polar. [1]"""
        return 0.5 * self.drag_coefficient

    @property
    def ballistic_coefficient(self) -> float:
        """:math:`\\beta = m / (C_D S)` at the best trim. [kg/m^2]"""
        return self.mass / (self.drag_coefficient * self.area)


def density(altitude: ArrayLike) -> FloatArray:
    """Air density of the exponential atmosphere [kg/m^3] at ``altitude`` [m] (none below ground)."""
    return SEA_LEVEL_DENSITY * np.exp(-np.maximum(np.asarray(altitude, float), 0.0) / SCALE_HEIGHT)


def equilibrium_altitude(speed: ArrayLike, vehicle: Vehicle, radius: ArrayLike = EARTH_RADIUS) -> FloatArray:
    """Altitude [m] where lift at the best trim holds a level flight at ``speed`` [m/s]: density
    :math:`\\rho = 2 m (g - v^2/r) / (v^2 S C_L^*)` (Eggers et al. 1958); infinite at or above the
    circular speed."""
    v = np.asarray(speed, float)
    r = np.asarray(radius, float)
    need = 2.0 * vehicle.mass * (GM_EARTH / r**2 - v**2 / r) / (v**2 * vehicle.area * vehicle.glide_lift_coefficient)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -SCALE_HEIGHT * np.log(need / SEA_LEVEL_DENSITY)
    return np.where(need > 0, h, np.inf)


def equilibrium_glide_range(v0: ArrayLike, v1: ArrayLike, lift_to_drag: float, radius: float = EARTH_RADIUS):
    """Ground range [m] of an equilibrium glide at constant ``lift_to_drag`` slowing from ``v0`` to
    ``v1`` [m/s]: :math:`\\tfrac{L}{D}\\tfrac{r}{2}\\ln\\frac{1 - v_1^2/(g r)}{1 - v_0^2/(g r)}` (Eggers et
    al. 1958, the glide's Breguet range; the independent check of :func:`fly_family`)."""
    g = GM_EARTH / radius**2
    x0, x1 = np.asarray(v0, float) ** 2 / (g * radius), np.asarray(v1, float) ** 2 / (g * radius)
    return lift_to_drag * radius / 2.0 * np.log((1.0 - x1) / (1.0 - x0))


COAST, GLIDE, DIVE, LANDED = 0, 1, 2, 3


@dataclass(frozen=True)
class _Turn:
    """A glide's planned cross-range excursion: ``cross_range`` [m] at its widest, a half sine out and back
    between the central angles ``start`` and ``end`` [rad] per flight (the straight glide's pull-up and
    :data:`TURN_SHARE` of its way to the dive)."""

    cross_range: float
    start: FloatArray
    end: FloatArray

    def heading(self, phi: FloatArray, chi: FloatArray, r: FloatArray, v: FloatArray) -> FloatArray:
        """The heading [rad] that follows the planned path: its slope (feed-forward) plus a correction that
        closes a cross-range error in :data:`ALTITUDE_TIME`."""
        with np.errstate(invalid="ignore", divide="ignore"):
            span = self.end - self.start
            s = (phi - self.start) / span
            inside = (s >= 0.0) & (s <= 1.0)
            want = np.where(inside, self.cross_range * np.sin(np.pi * s) / r, 0.0)
            slope = np.where(inside, self.cross_range / r * np.pi / span * np.cos(np.pi * s), 0.0)
        correction = (np.nan_to_num(want) - chi) * r / (np.maximum(v, 1.0) * ALTITUDE_TIME)
        return np.clip(np.arctan(np.nan_to_num(slope)) + correction, -1.0, 1.0)


#: The share of the straight glide's distance (pull-up to dive) over which a turn is flown out and back.
TURN_SHARE = 0.7


def _lift_and_drag(
    y: FloatArray, phase: NDArray[np.int8], vehicle: Vehicle, turn: _Turn | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Vertical and horizontal lift and the drag, accelerations [m/s^2], of states ``y`` in their phases. The
    vertical lift steers toward the equilibrium altitude; what the best trim has left turns the glide toward its
    planned cross-range (:class:`_Turn`); the induced drag grows with the square of the whole lift."""
    r, _, v, gam, chi, psi = y
    h = r - EARTH_RADIUS
    g = GM_EARTH / r**2
    q_over_m = 0.5 * density(h) * v**2 * vehicle.area / vehicle.mass
    lift_max = q_over_m * vehicle.glide_lift_coefficient
    h_eq = np.minimum(equilibrium_altitude(v, vehicle, r), h + 50e3)
    cmd = np.clip((h_eq - h) / (np.maximum(v, 1.0) * ALTITUDE_TIME), -MAX_COMMAND_ANGLE, MAX_COMMAND_ANGLE)
    need = v * (cmd - gam) / ANGLE_TIME + (g - v**2 / r) * np.cos(gam)
    gliding = phase == GLIDE
    horizontal = np.zeros_like(need)
    if turn is not None:  # bank first (up to MAX_BANK), then hold the altitude with the lift that is left
        heading = turn.heading(y[1], chi, r, v)
        want = v * np.cos(gam) * (heading - psi) / ANGLE_TIME
        bank = lift_max * np.sin(MAX_BANK)
        steering = gliding | (phase == DIVE)  # the dive keeps steering back to the target's great circle
        horizontal = np.where(steering, np.clip(want, -bank, bank), 0.0)
    room = np.sqrt(np.maximum(lift_max**2 - horizontal**2, 0.0))
    vertical = np.where(gliding, np.clip(need, -room, room), 0.0)
    lift = np.hypot(vertical, horizontal)
    c_l = np.divide(lift, q_over_m, out=np.zeros_like(lift), where=q_over_m > 0)
    k = vehicle.zero_lift_drag / vehicle.glide_lift_coefficient**2
    drag = q_over_m * (vehicle.zero_lift_drag + k * c_l**2)
    return vertical, horizontal, drag


def _derivatives(y: FloatArray, phase: NDArray[np.int8], vehicle: Vehicle, turn: _Turn | None) -> FloatArray:
    """Time derivatives of (r, phi, v, gamma, chi, psi) over a spherical Earth: downrange and cross-range central
    angles from the launch point's great circle to the target, heading from downrange (Vinh, Busemann and Culp
    1980, with the great circle as the equator)."""
    r, _, v, gam, chi, psi = y
    vertical, horizontal, drag = _lift_and_drag(y, phase, vehicle, turn)
    g = GM_EARTH / r**2
    v_safe = np.maximum(v, 1.0)
    cos_gam = np.cos(gam)
    moving = phase != LANDED
    return np.where(
        moving,
        np.stack(
            [
                v * np.sin(gam),
                v * cos_gam * np.cos(psi) / (r * np.cos(chi)),
                -drag - g * np.sin(gam),
                vertical / v_safe - (g / v_safe - v / r) * cos_gam,
                v * cos_gam * np.sin(psi) / r,
                horizontal / (v_safe * np.maximum(cos_gam, 1e-3)) - v / r * cos_gam * np.cos(psi) * np.tan(chi),
            ]
        ),
        0.0,
    )


@dataclass(frozen=True)
class Family:
    """Flights of one vehicle over a range of burnout speeds, on nodes of normalised time (shape (m, NODES))."""

    speeds: FloatArray  #: burnout speeds [m/s], shape (m,)
    flight_time: FloatArray  #: [s]
    ground_range: FloatArray  #: [m]
    apogee: FloatArray  #: [m]
    burnout_altitude: FloatArray  #: [m]
    burnout_downrange: FloatArray  #: [m]
    burnout_angle: FloatArray  #: [rad], above the local horizontal
    glide_speed: FloatArray  #: speed when the glide (pull-up) starts, NaN if never [m/s]
    glide_range: FloatArray  #: ground range flown from pull-up to dive [m]
    altitude: FloatArray = field(repr=False)  #: (m, NODES) [m]
    angle: FloatArray = field(repr=False)  #: (m, NODES) central angle from the launch point [rad]
    speed: FloatArray = field(repr=False)  #: (m, NODES) [m/s]
    path_angle: FloatArray = field(repr=False)  #: (m, NODES) flight-path angle [rad]
    cross: FloatArray = field(repr=False)  #: (m, NODES) cross-range central angle [rad]
    heading: FloatArray = field(repr=False)  #: (m, NODES) heading from downrange [rad]


def _boost_history(vehicle: Vehicle, speeds: FloatArray, times: FloatArray) -> FloatArray:
    """States (r, phi, v, gamma, chi, psi), shape (6, m, len(times)), along the boost (flat frame wrapped onto the
    sphere, in the plane of the target)."""
    tau = np.clip(times / vehicle.burn_time, 0.0, 1.0)[None, :] if vehicle.burn_time > 0 else np.ones((1, times.size))
    x, h, spd, th = boost_path(tau, speeds[:, None], vehicle.burn_time, vehicle.boost_angle, vehicle.mass_ratio)
    phi = x / EARTH_RADIUS
    zero = np.zeros_like(phi)
    return np.stack([EARTH_RADIUS + h, phi, spd, th - phi, zero, zero])


def _integrate(
    vehicle: Vehicle,
    y: FloatArray,
    max_time: float,
    phase0: int = COAST,
    t0: float | None = None,
    dive_speed: float | None = None,
    stop_angle: float = np.inf,
    cross_range: float = 0.0,
) -> dict[str, FloatArray]:
    """RK4 from states ``y`` = (r, phi, v, gamma, chi, psi), shape (6, m), in phase ``phase0`` (at burnout:
    coasting) to the ground (or past the central angle ``stop_angle``, where it is left in the air), gliding out
    to ``cross_range`` [m] and back (:class:`_Turn`); the states at every step (and their times from ``t0``,
    default the burn time) and the events."""
    m = y.shape[1]
    phase = np.full(m, phase0, dtype=np.int8)
    glide_start = np.full((2, m), np.nan)  # speed and angle at pull-up
    dive_angle = np.full(m, np.nan)
    start = vehicle.burn_time if t0 is None else t0
    history, times = [y.copy()], [start]
    t = start
    if phase0 == GLIDE:
        glide_start = np.stack([y[2], y[1]])
    dive_speed = vehicle.dive_speed if dive_speed is None else dive_speed
    turn = _plan_turn(vehicle, y, max_time, (phase0, t0, dive_speed, stop_angle), cross_range)
    while t < start + max_time and not np.all(phase == LANDED):
        h, v = y[0] - EARTH_RADIUS, y[2]
        pull = (phase == COAST) & (y[3] < 0) & (h <= vehicle.pull_up_altitude)
        glide_start[:, pull] = np.stack([v[pull], y[1][pull]])
        phase[pull] = GLIDE
        dive = (phase == GLIDE) & (v <= dive_speed)
        dive_angle[dive] = y[1][dive]
        phase[dive] = DIVE
        dt = VACUUM_STEP if np.all((h > VACUUM_ALTITUDE) | (phase == LANDED)) else STEP
        k1 = _derivatives(y, phase, vehicle, turn)
        k2 = _derivatives(y + 0.5 * dt * k1, phase, vehicle, turn)
        k3 = _derivatives(y + 0.5 * dt * k2, phase, vehicle, turn)
        k4 = _derivatives(y + dt * k3, phase, vehicle, turn)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += dt
        phase[((y[0] <= EARTH_RADIUS) | (y[1] > stop_angle)) & (phase != LANDED)] = LANDED
        history.append(y.copy())
        times.append(t)
    hist = np.stack(history, axis=-1)  # (6, m, steps + 1)
    end = np.where(np.isnan(dive_angle), hist[1, :, -1], dive_angle)
    return {
        "history": hist,
        "times": np.array(times),
        "glide_speed": glide_start[0],
        "glide_range": EARTH_RADIUS * (end - glide_start[1]),
        "glide_angles": np.stack([glide_start[1], end]),
    }


def _plan_turn(vehicle: Vehicle, y: FloatArray, max_time: float, how: tuple, cross_range: float) -> _Turn | None:
    """The turn of flights from states ``y``: out and back over the first :data:`TURN_SHARE` of their straight
    glides (flown first, without the turn)."""
    if cross_range <= 0:
        return None
    phase0, t0, dive_speed, stop_angle = how
    pull, dive = _integrate(vehicle, y, max_time, phase0, t0, dive_speed, stop_angle)["glide_angles"]
    return _Turn(cross_range, pull, pull + TURN_SHARE * (dive - pull))


def _landing(hist: FloatArray, times: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Flight time [s] and landing index of each flight: the first step at or below the ground, the time
    interpolated linearly across it (inf where it never lands)."""
    alt = hist[0] - EARTH_RADIUS  # (m, steps)
    below = alt <= 0.0
    landed = below.any(axis=1)
    idx = np.where(landed, np.argmax(below, axis=1), alt.shape[1] - 1)
    prev = np.maximum(idx - 1, 0)
    rows = np.arange(alt.shape[0])
    a0, a1 = alt[rows, prev], alt[rows, idx]
    frac = np.where(a0 > a1, a0 / np.where(a0 > a1, a0 - a1, 1.0), 1.0)
    t = times[prev] + np.clip(frac, 0.0, 1.0) * (times[idx] - times[prev])
    return np.where(landed, t, np.inf), idx


def fly_family(
    vehicle: Vehicle,
    speeds: ArrayLike,
    max_time: float = MAX_TIME,
    stop_range: float = np.inf,
    cross_range: float = 0.0,
) -> Family:
    """Fly the vehicle from each burnout speed [m/s] to the ground (the model of the module docstring), its glide
    turning out to ``cross_range`` [m] and back; a flight still in the air past ``stop_range`` [m] is left there
    (its range and flight time infinite)."""
    speeds = np.asarray(speeds, float)
    burnout = _boost_history(vehicle, speeds, np.array([vehicle.burn_time]))[..., 0]
    run = _integrate(vehicle, burnout, max_time, stop_angle=stop_range / EARTH_RADIUS, cross_range=cross_range)
    hist = run["history"]
    flight_time, idx = _landing(hist, run["times"])
    tb = vehicle.burn_time
    s = np.linspace(0.0, 1.0, NODES)
    nodes = np.full((6, speeds.size, NODES), np.nan)
    for j in np.flatnonzero(np.isfinite(flight_time)):
        t = s * flight_time[j]
        coast = run["times"][: idx[j] + 1]
        boosting = t < tb
        boost = _boost_history(vehicle, speeds[j : j + 1], t[boosting])[:, 0, :]
        for c in range(6):
            nodes[c, j, ~boosting] = np.interp(t[~boosting], coast, hist[c, j, : idx[j] + 1])
            nodes[c, j, boosting] = boost[c]
        nodes[0, j, -1] = EARTH_RADIUS  # on the ground at the end
    # the ground range to the landing point, off the great circle by the turn's small remainder
    land_angle = np.where(
        np.isfinite(flight_time), np.arccos(np.cos(nodes[1, :, -1]) * np.cos(nodes[4, :, -1])), np.inf
    )
    burnout = hist[:, :, 0]
    return Family(
        speeds=speeds,
        flight_time=flight_time,
        ground_range=EARTH_RADIUS * land_angle,
        apogee=np.max(hist[0] - EARTH_RADIUS, axis=1),
        burnout_altitude=burnout[0] - EARTH_RADIUS,
        burnout_downrange=EARTH_RADIUS * burnout[1],
        burnout_angle=burnout[3],
        glide_speed=run["glide_speed"],
        glide_range=run["glide_range"],
        altitude=nodes[0] - EARTH_RADIUS,
        angle=nodes[1],
        speed=nodes[2],
        path_angle=nodes[3],
        cross=nodes[4],
        heading=nodes[5],
    )


def glide(
    vehicle: Vehicle,
    speed: ArrayLike,
    altitude: ArrayLike,
    path_angle: ArrayLike = 0.0,
    dive_speed: float | None = None,
    cross_range: float = 0.0,
) -> dict[str, FloatArray]:
    """A glide of ``vehicle`` from a state at its start (speed [m/s], altitude [m], flight-path angle [rad]) to
    the ground: ``time`` (steps,) [s], ``altitude``, ``speed``, ``angle`` (central angle flown [rad]), each
    and ``cross`` (cross-range angle [rad]) each shape (m, steps), and ``glide_range`` [m] from the start to the
    dive at ``dive_speed`` [m/s] (default the vehicle's; the model's glide alone, for checks against closed forms
    and other models; ``dive_speed=0`` glides to the ground), turning out to ``cross_range`` [m] and back."""
    v, h, g = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, float)) for a in (speed, altitude, path_angle)))
    y = np.stack([EARTH_RADIUS + h, np.zeros(v.shape), v, g, np.zeros(v.shape), np.zeros(v.shape)])
    run = _integrate(vehicle, y, MAX_TIME, phase0=GLIDE, t0=0.0, dive_speed=dive_speed, cross_range=cross_range)
    hist = run["history"]
    return {
        "time": run["times"],
        "altitude": hist[0] - EARTH_RADIUS,
        "speed": hist[2],
        "angle": hist[1],
        "cross": hist[4],
        "glide_range": run["glide_range"],
    }


def _ranges(vehicle: Vehicle, speeds: FloatArray, stop_range: float, cross_range: float) -> FloatArray:
    """Ground ranges [m] of flights from ``speeds`` (inf where one flies past ``stop_range`` [m] or does not
    land within :data:`MAX_TIME`)."""
    return fly_family(vehicle, speeds, stop_range=stop_range, cross_range=cross_range).ground_range


@functools.lru_cache(maxsize=64)
def family_to_range(vehicle: Vehicle, max_range: float, cross_range: float = 0.0) -> Family:
    """The vehicle's flight family from :data:`SLOWEST` up to the burnout speed that reaches ``max_range``
    [m] straight (cached per vehicle). With a ``cross_range`` [m] turn, the same speeds flown with the turn: the
    booster's energy is the same, the turn costs range. Raises :class:`BmdlabError` if even :data:`FASTEST` falls
    short."""
    if cross_range > 0:
        top = float(family_to_range(vehicle, max_range).speeds[-1])
        return fly_family(vehicle, np.geomspace(SLOWEST, top, FAMILY_SIZE), cross_range=cross_range)
    coarse = np.geomspace(SLOWEST, FASTEST, 16)
    rng = _ranges(vehicle, coarse, 1.05 * max_range, 0.0)
    if not np.any(rng >= max_range):
        raise BmdlabError(
            f"range: this vehicle glides at most {np.nanmax(np.where(np.isfinite(rng), rng, np.nan)) / 1e3:,.0f} km "
            f"from {FASTEST / 1e3:.0f} km/s, short of its catalog range of {max_range / 1e3:,.0f} km; "
            "check its lift_to_drag, vehicle_mass, vehicle_area, drag_coefficient, boost_angle and burn_time"
        )
    j = int(np.argmax(rng >= max_range))
    fine = np.linspace(coarse[max(j - 1, 0)], coarse[j], 17)
    r_fine = _ranges(vehicle, fine, 1.05 * max_range, 0.0)
    ok = np.isfinite(r_fine)
    top = float(np.interp(max_range, r_fine[ok], fine[ok])) if ok.sum() > 1 else float(fine[-1])
    return fly_family(vehicle, np.geomspace(SLOWEST, top, FAMILY_SIZE))


def max_burnout_speed(missile: Missile, max_range: float) -> float:
    """The burnout speed [m/s] that carries the missile's vehicle to ``max_range`` [m]."""
    return float(family_to_range(Vehicle.of(missile), float(max_range)).speeds[-1])


@dataclass(frozen=True)
class AtmosphericTrajectory:
    """Flights of a lifting payload to many targets (arrays of shape ``(n,)``; SI units), with the
    interface of :class:`~bmdlab.trajectory.ballistic.Trajectory` that the engagement and the reports use."""

    shape: str  #: the flight class
    earth_rotation: bool
    launch_lat: FloatArray
    launch_lon: FloatArray
    target_lat: FloatArray
    target_lon: FloatArray
    ground_range: FloatArray
    burn_time: FloatArray
    burnout_speed: FloatArray
    burnout_speed_inertial: FloatArray
    burnout_angle: FloatArray
    burnout_altitude: FloatArray
    burnout_downrange: FloatArray
    apogee: FloatArray
    flight_time: FloatArray
    reentry_speed: FloatArray  #: speed when the payload first descends to 100 km (or, below it, at pull-up) [m/s]
    impact_speed: FloatArray
    glide_speed: FloatArray  #: speed at pull-up [m/s], NaN without one
    glide_range: FloatArray  #: ground range from pull-up to dive [m]
    mass_ratio: float
    _altitude: FloatArray = field(repr=False)  #: (n, NODES) [m]
    _angle: FloatArray = field(repr=False)  #: (n, NODES) [rad]
    _speed: FloatArray = field(repr=False)
    _path_angle: FloatArray = field(repr=False)
    _cross: FloatArray = field(repr=False)  #: (n, NODES) cross-range central angle [rad], + to the left
    _heading: FloatArray = field(repr=False)  #: (n, NODES) heading from downrange [rad]
    _u1: FloatArray = field(repr=False)
    _u2: FloatArray = field(repr=False)

    def __len__(self) -> int:
        return int(self.ground_range.shape[0])

    @property
    def time_to_apogee(self) -> FloatArray:
        """Time from launch to the highest point. [s]"""
        col = np.argmax(np.nan_to_num(self._altitude, nan=-1.0), axis=1)
        return col / (NODES - 1) * self.flight_time

    def _interp(self, t: ArrayLike, *tables: FloatArray) -> list[FloatArray]:
        t = np.asarray(t, float)
        t = np.broadcast_to(t if t.ndim == 2 else t[None, :], (len(self), t.shape[-1]))
        ft = self.flight_time[:, None]
        s = np.clip(np.divide(t, ft, out=np.zeros(t.shape), where=ft > 0), 0.0, 1.0) * (NODES - 1)
        i = np.minimum(np.floor(s).astype(np.intp), NODES - 2)
        w = s - i
        rows = np.arange(len(self))[:, None]
        return [tab[rows, i] * (1.0 - w) + tab[rows, i + 1] * w for tab in tables]

    def _frame(self, ang: FloatArray, chi: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Unit vectors up, downrange and cross-range (left) at downrange and cross-range angles, (n, k, 3) each."""
        u1, u2 = self._u1[:, None, :], self._u2[:, None, :]
        u3 = np.cross(self._u1, self._u2)[:, None, :]
        c, s = np.cos(ang)[..., None], np.sin(ang)[..., None]
        cc, sc = np.cos(chi)[..., None], np.sin(chi)[..., None]
        plane = c * u1 + s * u2
        return cc * plane + sc * u3, -s * u1 + c * u2, -sc * plane + cc * u3

    def position_altitude(self, t: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Positions, shape (n, k, 3) [m], and altitudes, shape (n, k) [m], at times after launch."""
        alt, ang, chi = self._interp(t, self._altitude, self._angle, self._cross)
        up = self._frame(ang, chi)[0]
        return (EARTH_RADIUS + alt)[..., None] * up, alt

    def position(self, t: ArrayLike) -> FloatArray:
        """Earth-centred positions at times after launch, shape (n, k, 3) [m]."""
        return self.position_altitude(t)[0]

    def state(self, t: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Positions and velocities at times after launch, shape (n, k, 3) each [m], [m/s]."""
        tabs = (self._altitude, self._angle, self._speed, self._path_angle, self._cross, self._heading)
        alt, ang, spd, gam, chi, psi = self._interp(t, *tabs)
        up, east, north = self._frame(ang, chi)
        level = (spd * np.cos(gam))[..., None] * (np.cos(psi)[..., None] * east + np.sin(psi)[..., None] * north)
        return (EARTH_RADIUS + alt)[..., None] * up, (spd * np.sin(gam))[..., None] * up + level

    def geodetic(self, t: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude [rad], longitude [rad] and altitude [m] at times after launch, shape (n, k)."""
        pos, alt = self.position_altitude(t)
        lat, lon = latlon(pos)
        return lat, lon, alt


def _blend(fam: Family, ranges: FloatArray, max_range: float) -> tuple[NDArray[np.intp], FloatArray, NDArray[np.bool_]]:
    """Neighbours and weights of each range in the family (its ranges increase), and which exist."""
    rng = fam.ground_range
    ok = np.isfinite(rng)
    mono = ok & (rng >= np.maximum.accumulate(np.where(ok, rng, -np.inf)))
    keep = np.flatnonzero(mono)
    r_keep = rng[keep]
    pos = np.clip(np.searchsorted(r_keep, ranges) - 1, 0, keep.size - 2)
    lo, hi = r_keep[pos], r_keep[pos + 1]
    w = np.clip((ranges - lo) / (hi - lo), 0.0, 1.0)
    feasible = (ranges >= r_keep[0]) & (ranges <= max(r_keep[-1], max_range) * (1 + 1e-9))
    return keep[pos], w, feasible


def atmospheric_trajectory(
    vehicle: Vehicle,
    max_range: float,
    launch_lat: ArrayLike,
    launch_lon: ArrayLike,
    target_lat: ArrayLike,
    target_lon: ArrayLike,
    cross_range: float = 0.0,
) -> AtmosphericTrajectory:
    """Flights of ``vehicle`` (whose fastest straight flight reaches ``max_range`` [m]) from launch points to
    targets [rad, broadcast], each glide turning out to ``cross_range`` [m] to one side and back; NaN flight
    times where a target is nearer than the slowest flight or beyond the farthest."""
    la, lo, ta, to = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, float)) for a in (launch_lat, launch_lon, target_lat, target_lon))
    )
    fam = family_to_range(vehicle, float(max_range), float(cross_range))
    angle = central_angle(la, lo, ta, to)
    ranges = EARTH_RADIUS * angle
    j, w, ok = _blend(fam, ranges, float(max_range) if cross_range <= 0 else 0.0)
    nxt = np.minimum(j + 1, fam.speeds.size - 1)

    def mix(a: FloatArray) -> FloatArray:
        if a.ndim == 1:
            return a[j] * (1 - w) + a[nxt] * w
        return a[j] * (1 - w)[:, None] + a[nxt] * w[:, None]

    tables = [mix(a) for a in (fam.altitude, fam.angle, fam.speed, fam.path_angle, fam.cross, fam.heading)]
    end_phi = np.where(tables[1][:, -1] > 0, tables[1][:, -1], 1.0)
    tables[4] = tables[4] - tables[4][:, -1:] * tables[1] / end_phi[:, None]  # shear the turn's remainder away
    tables[1] = tables[1] * (angle / end_phi)[:, None]  # land on the target
    u1 = unit_vector(la, lo)
    aim = unit_vector(ta, to)
    u2 = aim - np.sum(aim * u1, axis=-1, keepdims=True) * u1
    norm = np.linalg.norm(u2, axis=-1, keepdims=True)
    u2 = np.where(norm > 1e-12, u2 / np.where(norm > 0, norm, 1.0), np.array([0.0, 0.0, 1.0]))
    nan = np.where(ok, 1.0, np.nan)
    alt, spd = tables[0], tables[2]
    reentry = _reentry_speed(alt, spd)
    return AtmosphericTrajectory(
        shape=vehicle.flight_class,
        earth_rotation=False,
        launch_lat=la,
        launch_lon=lo,
        target_lat=ta,
        target_lon=to,
        ground_range=ranges,
        burn_time=np.full(ranges.shape, vehicle.burn_time),
        burnout_speed=mix(fam.speeds) * nan,
        burnout_speed_inertial=mix(fam.speeds) * nan,
        burnout_angle=mix(fam.burnout_angle) * nan,
        burnout_altitude=mix(fam.burnout_altitude) * nan,
        burnout_downrange=mix(fam.burnout_downrange) * nan,
        apogee=mix(fam.apogee) * nan,
        flight_time=mix(fam.flight_time) * nan,
        reentry_speed=reentry * nan,
        impact_speed=spd[:, -1] * nan,
        glide_speed=mix(fam.glide_speed) * nan,
        glide_range=mix(fam.glide_range) * nan,
        mass_ratio=vehicle.mass_ratio,
        _altitude=alt,
        _angle=tables[1],
        _speed=spd,
        _path_angle=tables[3],
        _cross=tables[4],
        _heading=tables[5],
        _u1=u1,
        _u2=u2,
    )


def _reentry_speed(alt: FloatArray, spd: FloatArray) -> FloatArray:
    """Speed at the first node after the apogee at or below :data:`REENTRY_ALTITUDE` (the apogee's if lower)."""
    top = np.argmax(alt, axis=1)
    cols = np.arange(alt.shape[1])[None, :]
    below = (cols >= top[:, None]) & (alt <= REENTRY_ALTITUDE)
    first = np.where(below.any(axis=1), np.argmax(below, axis=1), top)
    return spd[np.arange(alt.shape[0]), first]


__all__ = [
    "ATMOSPHERIC_CLASSES",
    "AtmosphericTrajectory",
    "Family",
    "Vehicle",
    "atmospheric_trajectory",
    "density",
    "equilibrium_altitude",
    "equilibrium_glide_range",
    "family_to_range",
    "fly_family",
    "glide",
    "max_burnout_speed",
]
