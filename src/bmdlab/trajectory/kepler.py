"""Keplerian free flight between two radii over a spherical Earth (closed forms).

A ballistic missile after burnout follows a conic section with the Earth's centre at a focus. Given
the burnout radius :math:`r_1`, the impact radius :math:`r_2` and the central angle
:math:`\\psi` between them, the trajectory equation fixes the non-dimensional burnout speed
:math:`\\nu = r_1 v^2/\\mu` for each burnout flight-path angle :math:`\\gamma` (measured from the
local horizontal):

.. math::
    \\nu = \\frac{2(1-\\cos\\psi)}{A(1+\\cos 2\\gamma) + B\\sin 2\\gamma},\\qquad
    A = \\frac{r_1}{r_2} - \\cos\\psi,\\quad B = \\sin\\psi .

The minimum-energy trajectory maximises the denominator:
:math:`2\\gamma^* = \\operatorname{atan2}(B, A)`, :math:`\\nu^* = 2(1-\\cos\\psi)/(A+\\sqrt{A^2+B^2})`;
for :math:`r_1 = r_2` this is the textbook :math:`\\gamma^* = \\pi/4 - \\psi/4`,
:math:`\\nu^* = 2\\sin(\\psi/2)/(1+\\sin(\\psi/2))`.

All functions are pure and broadcast over their arguments. SI units: m, s, rad.

References
----------
.. [1] R. R. Bate, D. D. Mueller, J. E. White, *Fundamentals of Astrodynamics*, Dover (1971),
       ch. 6 "Ballistic missile trajectories" (free-flight range equation, eqs. 6.2-x).
.. [2] F. J. Regan, S. M. Anandakrishnan, *Dynamics of Atmospheric Re-entry*, AIAA (1993), ch. 2.
.. [3] D. Wright, "An analysis of North Korea's Nodong missile", Science & Global Security (1994)
       and D. Wright, T. Kadyshev, Science & Global Security 4 (1994) 129-160: Keplerian
       trajectories over a spherical Earth as the open-literature standard.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.geo.sphere import GM_EARTH

FloatArray = NDArray[np.float64]

#: Most Newton steps for Kepler's equation (each element stops at its own step below 1e-13 rad).
KEPLER_ITERATIONS = 30


def _range_coefficients(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    r1, r2, psi = (np.asarray(x, float) for x in (r1, r2, psi))
    return r1 / r2 - np.cos(psi), np.sin(psi), 2.0 * (1.0 - np.cos(psi))


def speed_parameter(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike, gamma: ArrayLike) -> FloatArray:
    """Non-dimensional burnout speed :math:`\\nu = r_1 v^2/\\mu` that reaches ``r2`` after ``psi``.

    Parameters
    ----------
    r1, r2 : array_like
        Burnout and impact radius from the Earth's centre. [m]
    psi : array_like
        Free-flight central angle (range angle). [rad]
    gamma : array_like
        Burnout flight-path angle above the local horizontal. [rad]

    Returns
    -------
    ndarray
        :math:`\\nu` [1]; NaN where no conic through both points has that angle.
    """
    a, b, c = _range_coefficients(r1, r2, psi)
    g = np.asarray(gamma, float)
    den = a * (1.0 + np.cos(2.0 * g)) + b * np.sin(2.0 * g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0.0, c / den, np.nan)


def minimum_energy(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Flight-path angle and speed parameter of the minimum-energy trajectory.

    Returns
    -------
    gamma : ndarray
        Burnout flight-path angle. [rad]
    nu : ndarray
        :math:`r_1 v^2/\\mu`. [1]

    Notes
    -----
    For :math:`r_1 = r_2`, :math:`\\gamma^* = \\pi/4 - \\psi/4` (Bate, Mueller & White 1971, eq. 6.2-16).
    """
    a, b, c = _range_coefficients(r1, r2, psi)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN where no trajectory exists (psi -> 0)
        return 0.5 * np.arctan2(b, a), c / (a + np.hypot(a, b))


def angle_for_speed(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike, nu: ArrayLike, branch: str) -> FloatArray:
    """Flight-path angle of the ``'high'`` (lofted) or ``'low'`` (depressed) solution for a speed.

    NaN where the speed is below the minimum-energy speed (the range cannot be reached).
    """
    a, b, c = _range_coefficients(r1, r2, psi)
    h = np.hypot(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_arg = (c / np.asarray(nu, float) - a) / h
    delta = np.arccos(np.where(np.abs(cos_arg) <= 1.0 + 1e-12, np.clip(cos_arg, -1.0, 1.0), np.nan))
    sign = {"high": 1.0, "low": -1.0}[branch]
    return 0.5 * (np.arctan2(b, a) + sign * delta)


def conic_elements(r1: ArrayLike, nu: ArrayLike, gamma: ArrayLike) -> dict[str, FloatArray]:
    """Elements of the conic through a burnout state.

    Parameters
    ----------
    r1 : array_like
        Burnout radius. [m]
    nu : array_like
        :math:`r_1 v^2/\\mu`. [1] (an ellipse needs ``nu < 2``)
    gamma : array_like
        Flight-path angle. [rad]

    Returns
    -------
    dict
        ``a`` semi-major axis [m], ``e`` eccentricity [1], ``p`` semi-latus rectum [m],
        ``r_apogee`` [m], ``theta1`` true anomaly at burnout [rad] in (-pi, pi].

    Notes
    -----
    :math:`e^2 = (\\nu-1)^2\\cos^2\\gamma + \\sin^2\\gamma`, :math:`p = r_1\\nu\\cos^2\\gamma`,
    :math:`\\tan\\theta_1 = \\nu\\sin\\gamma\\cos\\gamma/(\\nu\\cos^2\\gamma - 1)`
    (Bate, Mueller & White 1971, sec. 6.2).
    """
    r1, nu, g = (np.asarray(x, float) for x in (r1, nu, gamma))
    cg, sg = np.cos(g), np.sin(g)
    e = np.sqrt((nu - 1.0) ** 2 * cg**2 + sg**2)
    a = r1 / (2.0 - nu)
    p = r1 * nu * cg**2
    theta1 = np.arctan2(nu * sg * cg, nu * cg**2 - 1.0)
    return {"a": a, "e": e, "p": p, "r_apogee": a * (1.0 + e), "theta1": theta1}


def apogee_radius_function(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike):
    """The apogee radius [m] of the conic from ``r1`` to ``r2`` over ``psi`` as a function of the burnout angle.

    ``f(gamma)`` is ``conic_elements(r1, speed_parameter(r1, r2, psi, gamma), gamma)["r_apogee"]`` with the
    same arithmetic (the same numbers to the last bit), the terms that do not depend on ``gamma`` computed
    once: a root search calls it some 50 times.
    """
    a, b, c = _range_coefficients(r1, r2, psi)
    r1 = np.asarray(r1, float)

    def apogee(gamma: FloatArray) -> FloatArray:
        g = np.asarray(gamma, float)
        den = a * (1.0 + np.cos(2.0 * g)) + b * np.sin(2.0 * g)
        with np.errstate(divide="ignore", invalid="ignore"):
            nu = np.where(den > 0.0, c / den, np.nan)
        cg, sg = np.cos(g), np.sin(g)
        e = np.sqrt((nu - 1.0) ** 2 * cg**2 + sg**2)
        return r1 / (2.0 - nu) * (1.0 + e)

    return apogee


def apogee_radius_and_slope(r1: ArrayLike, r2: ArrayLike, psi: ArrayLike):
    """:func:`apogee_radius_function` with its derivative: ``f(gamma, idx)`` gives the apogee radius [m] and
    its derivative with respect to the burnout angle [m/rad] of the elements ``idx`` (``gamma`` of their
    shape), for a root search by Newton's method.

    With :math:`D = a(1 + \\cos 2\\gamma) + b \\sin 2\\gamma`, :math:`\\nu = c/D`,
    :math:`e^2 = (\\nu - 1)^2\\cos^2\\gamma + \\sin^2\\gamma` and :math:`r_a = r_1(1 + e)/(2 - \\nu)`:
    :math:`\\nu' = -cD'/D^2`, :math:`e' = [(\\nu - 1)\\nu'\\cos^2\\gamma + (1 - (\\nu - 1)^2)\\sin\\gamma
    \\cos\\gamma]/e` and :math:`r_a' = r_1[\\nu'(1 + e)/(2 - \\nu)^2 + e'/(2 - \\nu)]`.
    """
    a, b, c = _range_coefficients(r1, r2, psi)
    a, b, c, r1 = np.broadcast_arrays(a, b, c, np.asarray(r1, float))

    def apogee_and_slope(gamma: FloatArray, idx: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        g = np.asarray(gamma, float)
        aa, bb, cc, rr = a[idx], b[idx], c[idx], r1[idx]
        c2, s2 = np.cos(2.0 * g), np.sin(2.0 * g)
        den = aa * (1.0 + c2) + bb * s2
        with np.errstate(divide="ignore", invalid="ignore"):
            nu = np.where(den > 0.0, cc / den, np.nan)
            nu_d = -cc * (2.0 * bb * c2 - 2.0 * aa * s2) / den**2
            cg, sg = np.cos(g), np.sin(g)
            e = np.sqrt((nu - 1.0) ** 2 * cg**2 + sg**2)
            e_d = ((nu - 1.0) * nu_d * cg**2 + (1.0 - (nu - 1.0) ** 2) * sg * cg) / e
            q = 2.0 - nu
            return rr / q * (1.0 + e), rr * (nu_d * (1.0 + e) / q**2 + e_d / q)

    return apogee_and_slope


def eccentric_anomaly(theta: ArrayLike, e: ArrayLike) -> FloatArray:
    """Eccentric anomaly of a true anomaly, continuous on [0, 2pi) for theta in [0, 2pi). [rad]"""
    theta, e = np.asarray(theta, float), np.asarray(e, float)
    big = 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(0.5 * theta), np.sqrt(1.0 + e) * np.cos(0.5 * theta))
    return big


def time_between(theta1: ArrayLike, theta2: ArrayLike, a: ArrayLike, e: ArrayLike, mu: float = GM_EARTH) -> FloatArray:
    """Time of flight on an ellipse from true anomaly ``theta1`` to ``theta2 > theta1``. [s]

    Kepler's equation :math:`M = E - e\\sin E`, :math:`t = (M_2 - M_1)\\sqrt{a^3/\\mu}`.
    """
    a, e = np.asarray(a, float), np.asarray(e, float)
    e1 = eccentric_anomaly(theta1, e)
    e2 = eccentric_anomaly(theta2, e)
    m1 = e1 - e * np.sin(e1)
    m2 = e2 - e * np.sin(e2)
    dm = np.mod(m2 - m1, 2.0 * np.pi)
    return dm * np.sqrt(a**3 / mu)


def solve_kepler(mean_anomaly: ArrayLike, e: ArrayLike, iterations: int = KEPLER_ITERATIONS) -> FloatArray:
    """Eccentric anomaly from the mean anomaly (Newton's method, vectorised). [rad]

    Each element is iterated until its own Newton step is below 1e-13 rad; the elements still moving are
    gathered after each step, so that the slowest does not set the work of all (Danby's starting value
    converges in ~4 steps for most; a few near e -> 1 take more).
    """
    m, e = np.broadcast_arrays(np.asarray(mean_anomaly, float), np.asarray(e, float))
    shape = m.shape
    m, e = m.ravel(), e.ravel()
    big = m + 0.85 * e * np.sign(np.sin(m))  # Danby's starting value, robust for e < 1
    active = None  # None: every element (no gather); else the indices still moving
    b, ee, mm = big, e, m
    for _ in range(iterations):
        step = (b - ee * np.sin(b) - mm) / (1.0 - ee * np.cos(b))
        b = b - step
        moving = np.abs(step) >= 1e-13
        if active is None:
            big = b
            if not moving.any():
                break
            if moving.all():
                continue
            active = np.flatnonzero(moving)
        else:
            big[active] = b
            if not moving.any():
                break
            active = active[moving]
        b, ee, mm = big[active], e[active], m[active]
    return big.reshape(shape)


def true_anomaly(big_e: ArrayLike, e: ArrayLike) -> FloatArray:
    """True anomaly of an eccentric anomaly (same branch, continuous). [rad]"""
    big_e, e = np.asarray(big_e, float), np.asarray(e, float)
    return 2.0 * np.arctan2(np.sqrt(1.0 + e) * np.sin(0.5 * big_e), np.sqrt(1.0 - e) * np.cos(0.5 * big_e))
