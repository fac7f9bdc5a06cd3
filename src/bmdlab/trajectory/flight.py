"""Trajectories of catalog missiles: the catalog's burn time and range applied to the physics.

This is the thin layer between the catalog and :func:`~bmdlab.trajectory.ballistic.ballistic_trajectory`:
it reads a missile's burn time, checks the requested range against the missile's published
maximum range, and turns infeasible requests into one-line :class:`~bmdlab.errors.BmdlabError`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.catalog.schema import UNITS, Missile
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, GM_EARTH, central_angle
from bmdlab.trajectory import atmospheric
from bmdlab.trajectory.atmospheric import ATMOSPHERIC_CLASSES, AtmosphericTrajectory, Vehicle
from bmdlab.trajectory.ballistic import (
    DEFAULT_MASS_RATIO,
    MINIMUM_ENERGY,
    SHAPES,
    FlightShape,
    Trajectory,
    ballistic_trajectory,
    boost_path,
)


def max_range(missile: Missile) -> float:
    """The missile's maximum range from the catalog (upper end of a published range). [m]"""
    return missile.range.high * UNITS[missile.range.unit]


def max_burnout_speed(missile: Missile) -> float:
    """The most speed the missile can give at burnout [m/s]: that of the minimum-energy trajectory to
    its catalog maximum range (kinematic boost, non-rotating Earth). A lofted or depressed trajectory
    that needs more is beyond the missile's energy, whatever its range. For a quasi-ballistic or
    boost-glide missile: the burnout speed whose atmospheric flight reaches the catalog range
    (:mod:`bmdlab.trajectory.atmospheric`).
    """
    if missile.flight_class in ATMOSPHERIC_CLASSES:
        return atmospheric.max_burnout_speed(missile, max_range(missile))
    t = ballistic_trajectory(0.0, 0.0, 0.0, max_range(missile) / EARTH_RADIUS, burn_time=missile.burn_time.si())
    return float(t.burnout_speed[0])


def apogee_limits(missile: Missile) -> dict[str, tuple[float, float]]:
    """Apogees [m] that lofted and depressed trajectories of this missile can have, as ``(low, high)``.

    * lofted: up to the apogee of a vertical shot at :func:`max_burnout_speed` (energy: a radius
      :math:`r_a = 1 / (1/r_b - v^2 / 2\\mu)` from the vertical boost's burnout radius :math:`r_b`);
      the lowest depends on the range (:func:`minimum_energy_apogee`);
    * depressed: from the burnout altitude of the minimum-energy trajectory to its apogee at the
      missile's maximum range (a depressed trajectory is flatter than the minimum-energy one).
    """
    v = max_burnout_speed(missile)
    _, h_b, _, _ = boost_path(1.0, v, missile.burn_time.si(), np.pi / 2, DEFAULT_MASS_RATIO)
    r_b = EARTH_RADIUS + float(h_b)
    inv = 1.0 / r_b - v**2 / (2.0 * GM_EARTH)
    top = (1.0 / inv - EARTH_RADIUS) if inv > 0 else np.inf
    me = ballistic_trajectory(0.0, 0.0, 0.0, max_range(missile) / EARTH_RADIUS, burn_time=missile.burn_time.si())
    return {"lofted": (0.0, float(top)), "depressed": (float(me.burnout_altitude[0]), float(me.apogee[0]))}


def minimum_energy_apogee(missile: Missile, ground_range: float) -> float:
    """Apogee of the missile's minimum-energy trajectory over ``ground_range`` [m]: the lowest a lofted
    trajectory over that range can reach (a lofted one is steeper, so its apogee is higher)."""
    me = ballistic_trajectory(0.0, 0.0, 0.0, ground_range / EARTH_RADIUS, burn_time=missile.burn_time.si())
    return float(me.apogee[0])


def check_shape(missile: Missile, shape: str, apogee: float | None, where: str = "apogee_km") -> None:
    """Refuse a trajectory shape the missile cannot fly at any range (one line naming ``where``)."""
    if missile.flight_class in ATMOSPHERIC_CLASSES and shape != "minimum-energy":
        raise BmdlabError(
            f"{where.replace('apogee-km', 'shape').replace('apogee_km', 'shape')}: the {missile.name} flies a "
            f"{missile.flight_class} trajectory (its boost angle and lift set its shape); use shape minimum-energy, "
            "its own flight at the least burnout speed for the range"
        )
    if shape not in SHAPES:
        raise BmdlabError(
            f"{where.replace('apogee-km', 'shape').replace('apogee_km', 'shape')}: unknown trajectory shape "
            f"'{shape}'; use one of {', '.join(SHAPES)}"
        )
    if shape == "minimum-energy" or apogee is None:
        return
    low, high = apogee_limits(missile)[shape]
    if not (np.isfinite(apogee) and low < apogee <= high):
        why = (
            "straight up at the burnout speed of its catalog range"
            if shape == "lofted"
            else "between its burnout altitude and its minimum-energy apogee at its catalog range"
        )
        raise BmdlabError(
            f"{where}: a {shape} {missile.name} trajectory needs an apogee of {low / 1e3:,.0f} to "
            f"{high / 1e3:,.0f} km ({why}), not {apogee / 1e3:,.6g} km"
        )


def in_range(
    missile: Missile, launch_lat: ArrayLike, launch_lon: ArrayLike, target_lat: ArrayLike, target_lon: ArrayLike
) -> NDArray[np.bool_]:
    """Whether each target is within the missile's catalog range of its launch point. [rad inputs]"""
    return EARTH_RADIUS * central_angle(launch_lat, launch_lon, target_lat, target_lon) <= max_range(missile) * (
        1 + 1e-9
    )


def missile_trajectory(
    missile: Missile | None,
    launch_lat: ArrayLike,
    launch_lon: ArrayLike,
    target_lat: ArrayLike,
    target_lon: ArrayLike,
    *,
    shape: str | FlightShape = MINIMUM_ENERGY,
    earth_rotation: bool = False,
    strict: bool = True,
) -> Trajectory | AtmosphericTrajectory:
    """Trajectories of a catalog missile (or of a pure Keplerian flight when ``missile`` is None).

    A quasi-ballistic or boost-glide missile (its catalog ``flight_class``) flies its atmospheric
    flight (:func:`bmdlab.trajectory.atmospheric.atmospheric_trajectory`), only on the
    ``minimum-energy`` shape (its own) and without Earth rotation; a boost-glide missile's glide may turn out to
    the shape's ``cross_range`` [m] to one side and back.

    Parameters
    ----------
    missile : Missile or None
        Catalog entry; supplies the burn time and the maximum range.
    launch_lat, launch_lon, target_lat, target_lon : array_like
        Launch and impact points. [rad]
    shape, earth_rotation
        As in :func:`~bmdlab.trajectory.ballistic.ballistic_trajectory` (a
        :class:`~bmdlab.trajectory.ballistic.FlightShape`: apogee [m], angle [rad]).
    strict : bool
        Raise a :class:`BmdlabError` for a target beyond the missile's range or an infeasible
        apogee/angle; otherwise leave those trajectories as NaN.
    """
    flight = FlightShape.of(shape)
    cross_range = float(flight.cross_range)
    points = (launch_lat, launch_lon, target_lat, target_lon)
    if cross_range > 0 and (missile is None or missile.flight_class != "boost-glide"):
        what = "a Keplerian flight" if missile is None else f"the {missile.name} ({missile.flight_class})"
        raise BmdlabError(f"turn_km: only a boost-glide missile turns in its glide, not {what}; leave turn_km out")
    if missile is not None and missile.flight_class in ATMOSPHERIC_CLASSES:
        return _atmospheric(missile, points, (flight, cross_range), earth_rotation, strict)
    if strict and missile is not None:
        if flight.apogee is not None and np.ndim(flight.apogee) == 0:
            check_shape(missile, flight.name, float(flight.apogee))  # type: ignore[arg-type]
        _check_range(missile, *points)
    burn = missile.burn_time.si() if missile is not None else 0.0
    traj = ballistic_trajectory(*points, burn_time=burn, shape=flight, earth_rotation=earth_rotation)
    if missile is not None and flight.name != "minimum-energy":
        traj = _beyond_energy(missile, traj, flight.name, strict)
    if strict and not np.all(np.isfinite(traj.flight_time)):
        me = ballistic_trajectory(*points, burn_time=burn, earth_rotation=earth_rotation)
        raise _infeasible(flight.name, me)
    return traj


def _atmospheric(
    missile: Missile,
    points: tuple[ArrayLike, ...],
    plan: tuple[FlightShape, float],
    earth_rotation: bool,
    strict: bool,
) -> AtmosphericTrajectory:
    """The atmospheric flight of a quasi-ballistic or boost-glide missile (see :func:`missile_trajectory`);
    ``plan`` is its shape and cross-range turn [m]."""
    flight, cross_range = plan
    if flight.name != "minimum-energy":
        check_shape(missile, flight.name, None, where="shape")
    if earth_rotation:
        raise BmdlabError(
            f"earth_rotation: the {missile.name}'s {missile.flight_class} flight is modelled over a non-rotating "
            "Earth; leave Earth rotation off"
        )
    if strict:
        _check_range(missile, *points)
    traj = atmospheric.atmospheric_trajectory(Vehicle.of(missile), max_range(missile), *points, cross_range)
    if strict and not np.all(np.isfinite(traj.flight_time)):
        bad = float(np.min(traj.ground_range[~np.isfinite(traj.flight_time)])) / 1e3
        if cross_range > 0:
            raise BmdlabError(
                f"turn_km: with a {cross_range / 1e3:,.0f} km turn the {missile.name} does not reach {bad:,.0f} km "
                "(the turn costs range); choose a smaller turn or a nearer target"
            )
        raise BmdlabError(
            f"range: {bad:,.0f} km is shorter than the {missile.name}'s shortest modelled "
            f"{missile.flight_class} flight; choose a farther target"
        )
    return traj


def _check_range(
    missile: Missile, launch_lat: ArrayLike, launch_lon: ArrayLike, target_lat: ArrayLike, target_lon: ArrayLike
) -> None:
    """Refuse a target beyond the missile's catalog range (one line)."""
    rng = EARTH_RADIUS * np.atleast_1d(central_angle(launch_lat, launch_lon, target_lat, target_lon))
    worst = float(np.max(rng))
    if worst > max_range(missile) * (1 + 1e-9):
        raise BmdlabError(
            f"range {worst / 1e3:,.0f} km is beyond the {missile.name}'s catalog range of "
            f"{max_range(missile) / 1e3:,.0f} km; choose a nearer target or a longer-range missile"
        )


def _beyond_energy(missile: Missile, traj: Trajectory, shape: str, strict: bool) -> Trajectory:
    """A lofted or depressed trajectory that needs a burnout speed above what the missile's catalog range
    implies: refused (``strict``) or left NaN."""
    v_max = max_burnout_speed(missile)
    too_fast = np.isfinite(traj.flight_time) & (traj.burnout_speed > v_max * (1 + 1e-6))
    if strict and np.any(too_fast):
        need = float(np.max(traj.burnout_speed[too_fast]))
        raise BmdlabError(
            f"apogee_km: this {shape} trajectory needs a burnout speed of {need / 1e3:.2f} km/s; the {missile.name}'s "
            f"catalog range of {max_range(missile) / 1e3:,.0f} km implies at most {v_max / 1e3:.2f} km/s; "
            f"choose a lower apogee or a nearer target"
        )
    if np.any(too_fast):
        traj = dataclasses.replace(traj, flight_time=np.where(too_fast, np.nan, traj.flight_time))
    return traj


def _infeasible(shape: str, me: Trajectory) -> BmdlabError:
    """The error for a shape no trajectory over these ranges has, with the minimum-energy trajectory ``me``."""
    me_apogee = float(np.min(me.apogee)) / 1e3
    if shape == "lofted":
        return BmdlabError(
            f"apogee_km: a lofted trajectory over this range needs an apogee above the "
            f"minimum-energy apogee of {me_apogee:,.0f} km"
        )
    if shape == "depressed":
        return BmdlabError(
            f"apogee_km: a depressed trajectory over this range needs an apogee between the "
            f"burnout altitude ({float(np.max(me.burnout_altitude)) / 1e3:,.0f} km) and the "
            f"minimum-energy apogee of {me_apogee:,.0f} km"
        )
    return BmdlabError("no ballistic trajectory reaches that target; check the points and the range")


__all__ = [
    "apogee_limits",
    "check_shape",
    "in_range",
    "max_burnout_speed",
    "max_range",
    "minimum_energy_apogee",
    "missile_trajectory",
]
