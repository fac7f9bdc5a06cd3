"""Spherical-Earth geometry: great circles, unit vectors and the Earth's constants.

All angles are in radians and all lengths in metres. The trajectory and engagement models use a
spherical Earth of the IUGG mean radius, the fidelity of the open literature (e.g. Wilkening 2000;
Wright & Kadyshev 1994).

References
----------
.. [1] H. Moritz, "Geodetic Reference System 1980", J. Geodesy 74 (2000) 128-133 (mean radius R1).
.. [2] G. Petit and B. Luzum (eds.), IERS Conventions (2010), IERS Technical Note 36 (GM, omega).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Mean Earth radius R1 of GRS80 [m] (Moritz 2000).
EARTH_RADIUS = 6_371_008.8
#: Geocentric gravitational constant [m^3/s^2] (IERS Conventions 2010).
GM_EARTH = 3.986004418e14
#: Earth's rotation rate [rad/s] (IERS Conventions 2010).
EARTH_ROTATION_RATE = 7.292115e-5


def unit_vector(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.float64]:
    """Earth-centred unit vector(s) of geocentric latitude and longitude.

    Parameters
    ----------
    lat, lon : array_like
        Latitude and longitude. [rad]

    Returns
    -------
    ndarray, shape (..., 3)
        Unit vector in the Earth-centred, Earth-fixed frame (x to lon 0, z to the north pole).
    """
    lat, lon = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def latlon(vec: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Latitude and longitude [rad] of Earth-centred vector(s) of shape (..., 3)."""
    v = np.asarray(vec, float)
    lat = np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1]))
    lon = np.arctan2(v[..., 1], v[..., 0])
    return lat, lon


def central_angle(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle angle between two points (haversine form, stable at small angles).

    .. math:: \\psi = 2 \\arcsin\\sqrt{\\sin^2\\frac{\\Delta\\phi}{2}
              + \\cos\\phi_1\\cos\\phi_2\\sin^2\\frac{\\Delta\\lambda}{2}}

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Latitudes and longitudes. [rad]

    Returns
    -------
    ndarray
        Central angle. [rad] Multiply by :data:`EARTH_RADIUS` for the ground range in metres.
    """
    lat1, lon1, lat2, lon2 = (np.asarray(x, float) for x in (lat1, lon1, lat2, lon2))
    h = np.sin(0.5 * (lat2 - lat1)) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(0.5 * (lon2 - lon1)) ** 2
    return 2.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def initial_azimuth(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray[np.float64]:
    """Initial great-circle azimuth from point 1 to point 2, clockwise from north. [rad] in [0, 2pi)."""
    lat1, lon1, lat2, lon2 = (np.asarray(x, float) for x in (lat1, lon1, lat2, lon2))
    dlon = lon2 - lon1
    y = np.sin(dlon) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.mod(np.arctan2(y, x), 2.0 * np.pi)


def destination(
    lat: ArrayLike, lon: ArrayLike, azimuth: ArrayLike, angle: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Point reached from (lat, lon) along a great circle of initial azimuth, after a central angle.

    Parameters
    ----------
    lat, lon : array_like
        Start point. [rad]
    azimuth : array_like
        Initial azimuth, clockwise from north. [rad]
    angle : array_like
        Central angle travelled (ground range / :data:`EARTH_RADIUS`). [rad]

    Returns
    -------
    lat2, lon2 : ndarray
        End point [rad], longitude wrapped to [-pi, pi).
    """
    lat, lon, azimuth, angle = np.broadcast_arrays(*(np.asarray(x, float) for x in (lat, lon, azimuth, angle)))
    sin_lat2 = np.sin(lat) * np.cos(angle) + np.cos(lat) * np.sin(angle) * np.cos(azimuth)
    lat2 = np.arcsin(np.clip(sin_lat2, -1.0, 1.0))
    lon2 = lon + np.arctan2(
        np.sin(azimuth) * np.sin(angle) * np.cos(lat),
        np.cos(angle) - np.sin(lat) * sin_lat2,
    )
    return lat2, np.mod(lon2 + np.pi, 2.0 * np.pi) - np.pi
