"""Trajectories of catalog missiles: the catalog's burn time and range applied to the physics.

This is the thin layer between the catalog and :func:`~bmdlab.trajectory.ballistic.ballistic_trajectory`:
it reads a missile's burn time, checks the requested range against the missile's published
maximum range, and turns infeasible requests into one-line :class:`~bmdlab.errors.BmdlabError`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.catalog.schema import Missile
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle
from bmdlab.trajectory.ballistic import SHAPES, Trajectory, ballistic_trajectory


def max_range(missile: Missile) -> float:
    """The missile's maximum range from the catalog (upper end of a published range). [m]"""
    return missile.range.high * 1e3 if missile.range.unit == "km" else missile.range.si()


def in_range(missile: Missile, launch_lat: ArrayLike, launch_lon: ArrayLike, target_lat: ArrayLike,
             target_lon: ArrayLike) -> NDArray[np.bool_]:
    """Whether each target is within the missile's catalog range of its launch point. [rad inputs]"""
    return EARTH_RADIUS * central_angle(launch_lat, launch_lon, target_lat, target_lon) <= max_range(missile) * (1 + 1e-9)


def missile_trajectory(
    missile: Missile | None,
    launch_lat: ArrayLike,
    launch_lon: ArrayLike,
    target_lat: ArrayLike,
    target_lon: ArrayLike,
    *,
    shape: str = "minimum-energy",
    apogee: ArrayLike | None = None,
    angle: ArrayLike | None = None,
    earth_rotation: bool = False,
    strict: bool = True,
) -> Trajectory:
    """Trajectories of a catalog missile (or of a pure Keplerian flight when ``missile`` is None).

    Parameters
    ----------
    missile : Missile or None
        Catalog entry; supplies the burn time and the maximum range.
    launch_lat, launch_lon, target_lat, target_lon : array_like
        Launch and impact points. [rad]
    shape, apogee, angle, earth_rotation
        As in :func:`~bmdlab.trajectory.ballistic.ballistic_trajectory` (apogee [m], angle [rad]).
    strict : bool
        Raise a :class:`BmdlabError` for a target beyond the missile's range or an infeasible
        apogee/angle; otherwise leave those trajectories as NaN.
    """
    if shape not in SHAPES:
        raise BmdlabError(f"--shape: unknown trajectory shape '{shape}'; use one of {', '.join(SHAPES)}")
    if shape != "minimum-energy" and apogee is None and angle is None:
        raise BmdlabError(f"--shape {shape} needs --apogee-km (or a burnout angle)")
    burn = missile.burn_time.si() if missile is not None else 0.0
    if strict and missile is not None:
        rng = EARTH_RADIUS * np.atleast_1d(central_angle(launch_lat, launch_lon, target_lat, target_lon))
        worst = float(np.max(rng))
        if worst > max_range(missile) * (1 + 1e-9):
            raise BmdlabError(
                f"range {worst / 1e3:,.0f} km is beyond the {missile.name}'s catalog range of "
                f"{max_range(missile) / 1e3:,.0f} km; choose a nearer target or a longer-range missile"
            )
    traj = ballistic_trajectory(
        launch_lat, launch_lon, target_lat, target_lon,
        burn_time=burn, shape=shape, apogee=apogee, angle=angle, earth_rotation=earth_rotation,
    )
    if strict and not np.all(np.isfinite(traj.flight_time)):
        me = ballistic_trajectory(launch_lat, launch_lon, target_lat, target_lon, burn_time=burn,
                                  earth_rotation=earth_rotation)
        me_apogee = float(np.min(me.apogee)) / 1e3
        if shape == "lofted":
            raise BmdlabError(
                f"--apogee-km: a lofted trajectory over this range needs an apogee above the "
                f"minimum-energy apogee of {me_apogee:,.0f} km"
            )
        if shape == "depressed":
            raise BmdlabError(
                f"--apogee-km: a depressed trajectory over this range needs an apogee between the "
                f"burnout altitude ({float(np.max(me.burnout_altitude)) / 1e3:,.0f} km) and the "
                f"minimum-energy apogee of {me_apogee:,.0f} km"
            )
        raise BmdlabError("no ballistic trajectory reaches that target; check the points and the range")
    return traj


__all__ = ["in_range", "max_range", "missile_trajectory"]
