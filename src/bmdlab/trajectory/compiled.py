"""Trajectory positions in one compiled pass: :meth:`bmdlab.trajectory.ballistic.Trajectory.position_altitude`
for big work.

The NumPy method :meth:`~bmdlab.trajectory.ballistic.Trajectory._state` is the model's readable statement
(Kepler's equation from burnout, the true anomaly, the orbit-plane rotation, the turn of the Earth; Bate,
Mueller and White 1971, ch. 4-6). This module computes the same positions sample by sample in code compiled
by Numba, with three changes that save work and not accuracy:

* Kepler's equation is solved by Newton's method from the trajectory's previous sample, a first-order step
  ahead (two or three steps instead of four to seven from Danby's starting value, which is kept for the
  first sample and after a jump); each element stops at its own step below 1e-13 rad, as in
  :func:`bmdlab.trajectory.kepler.solve_kepler`. The trajectories advance together one sample column at a
  time, so that the processor overlaps their independent solutions.
* the point is placed from the eccentric anomaly in perifocal coordinates (:math:`a(\\cos E - e)`,
  :math:`b \\sin E`; Bate, Mueller and White, sec. 4.2), not through the true anomaly;
* the sine and cosine of small angles (a converging Newton step, the Earth's turn over a flight) come from
  their Taylor series within an ulp of the C library's.

The boost samples (some per cent of them) follow :func:`~bmdlab.trajectory.ballistic.boost_path`, its
twelve-node quadrature summed in order (NumPy sums it pairwise: the last bits). The positions agree with the
statement's to rounding (the tests measure at most 2e-6 m, on a 2,500 km lofted apogee).

Compiled once per machine: Numba caches the machine code beside this file, or in the user's cache folder.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from bmdlab.geo.sphere import EARTH_RADIUS, EARTH_ROTATION_RATE

_TWO_PI = 2.0 * np.pi


#: Largest angle [rad] whose sine and cosine come from the short series below (error < 1e-20 relative); larger
#: ones from the C library.
_SMALL = 1e-2
# the series' factors 1/(k (k - 1)) (multiplications: a division costs several times more)
_S3, _S5, _S7, _S9, _S11, _S13 = (1.0 / (k * (k - 1)) for k in (3, 5, 7, 9, 11, 13))
_C2, _C4, _C6, _C8, _C10, _C12, _C14 = (1.0 / (k * (k - 1)) for k in (2, 4, 6, 8, 10, 12, 14))


@njit(cache=True, nogil=True, inline="always")
def _sin_cos_series(x):  # pragma: no cover - compiled
    """Sine and cosine of an angle by their Taylor series to the 13th and 14th power (Horner's rule): within an
    ulp of the C library's for ``|x|`` up to 0.3 rad (the Earth's turn over a flight, a Newton step)."""
    q = x * x
    if abs(x) < 1e-4:  # the next terms are below 1e-18 of the first
        return x * (1 - q * _S3), 1 - q * _C2 * (1 - q * _C4)
    s = x * (1 - q * _S3 * (1 - q * _S5 * (1 - q * _S7 * (1 - q * _S9 * (1 - q * _S11 * (1 - q * _S13))))))
    c = 1 - q * _C2 * (1 - q * _C4 * (1 - q * _C6 * (1 - q * _C8 * (1 - q * _C10 * (1 - q * _C12 * (1 - q * _C14))))))
    return s, c


@njit(cache=True, nogil=True, inline="always")
def _kepler(big, sin_big, cos_big, m, e, iterations):  # pragma: no cover - compiled
    """Kepler's equation :math:`M = E - e\\sin E` by Newton's method from ``big`` (with its sine and cosine),
    until a step is below 1e-13 rad (as :func:`bmdlab.trajectory.kepler.solve_kepler`). Returns E, sin E and
    cos E; after a small step the sine and cosine are carried by the angle-sum formulas (no C library call)."""
    for _ in range(iterations):
        step = (big - e * sin_big - m) / (1.0 - e * cos_big)
        big = big - step
        if abs(step) > _SMALL:
            sin_big, cos_big = math.sin(big), math.cos(big)
        else:
            sd, cd = _sin_cos_series(-step)
            sin_big, cos_big = sin_big * cd + cos_big * sd, cos_big * cd - sin_big * sd
        if not abs(step) >= 1e-13:
            break
    return big, sin_big, cos_big


@njit(cache=True, nogil=True)
def free_flight_positions(t, orbit, boost, earth_rotation, iterations):  # pragma: no cover - compiled
    # (covered through the tests comparing it with the NumPy statement)
    """Earth-fixed positions (n, k, 3) [m] and altitudes (n, k) [m] of trajectories at the times ``t`` (n, k)
    [s], already clipped to each flight.

    ``orbit`` is ``(rows, w1, w2)``: ``rows`` (n, 5) holds each trajectory's constants: burn time [s], the mean anomaly at burnout [rad], the
    mean motion [rad/s], the eccentricity and the semi-major axis [m]; ``w1``, ``w2`` (n, 3) are the unit
    vectors towards perigee and 90 degrees ahead of it in the orbit plane. The boost samples (``t`` < burn
    time) are ``boost = (rows, cols, per_boost, u1, u2, quadrature)``: their row and column, each trajectory's
    (burn time, inertial burnout speed, flight direction at burnout) (n, 3), the plane of ``u1`` (the launch
    point) and ``u2``, and the boost path's quadrature (:func:`_boost_point`).
    """
    rows, w1, w2 = orbit
    n, k = t.shape
    pos = np.empty((n, k, 3))
    alt = np.empty((n, k))
    b = rows[:, 4] * np.sqrt(1.0 - rows[:, 3] * rows[:, 3])  # semi-minor axes [m]
    m_prev, e_prev, cos_prev = np.full(n, math.nan), np.full(n, math.nan), np.full(n, math.nan)
    for j in range(k):  # a column of all trajectories at a time: their solutions are independent work
        for i in range(n):
            tt = t[i, j]
            tb, e, a = rows[i, 0], rows[i, 3], rows[i, 4]
            if tt < tb:
                continue  # boost: filled below
            m = rows[i, 1] + rows[i, 2] * max(tt - tb, 0.0)
            if abs(m - m_prev[i]) < 0.1:  # the trajectory's last solution, a first-order step ahead
                guess = e_prev[i] + (m - m_prev[i]) / (1.0 - e * cos_prev[i])
            else:  # Danby's starting value
                sm = math.sin(m)
                guess = m + 0.85 * e * (1.0 if sm > 0.0 else (-1.0 if sm < 0.0 else 0.0))
            big, sin_big, cos_big = _kepler(guess, math.sin(guess), math.cos(guess), m, e, iterations)
            m_prev[i], e_prev[i], cos_prev[i] = m, big, cos_big
            x_p, y_p = a * (cos_big - e), b[i] * sin_big  # perifocal coordinates
            x = x_p * w1[i, 0] + y_p * w2[i, 0]
            y = x_p * w1[i, 1] + y_p * w2[i, 1]
            z = x_p * w1[i, 2] + y_p * w2[i, 2]
            _put(pos, alt, (i, j), (x, y, z), tt, earth_rotation)
    boost_rows, boost_cols, per_boost, u1, u2, quadrature = boost
    for q in range(boost_rows.shape[0]):
        i, j = boost_rows[q], boost_cols[q]
        phi, r = _boost_point(t[i, j], per_boost[i], quadrature)
        c, s = math.cos(phi), math.sin(phi)
        x, y, z = (
            r * (c * u1[i, 0] + s * u2[i, 0]),
            r * (c * u1[i, 1] + s * u2[i, 1]),
            r * (c * u1[i, 2] + s * u2[i, 2]),
        )
        _put(pos, alt, (i, j), (x, y, z), t[i, j], earth_rotation)
    return pos, alt


@njit(cache=True, nogil=True, inline="always")
def _boost_point(tt, row, quadrature):  # pragma: no cover - compiled
    """Central angle [rad] and radius [m] of a boost sample at time ``tt`` [s]: the kinematic boost path of
    :func:`bmdlab.trajectory.ballistic.boost_path` (Gauss-Legendre quadrature of the rocket-equation speed
    along the pitch programme). ``row`` is (burn time [s], inertial burnout speed [m/s], flight direction at
    burnout [rad]); ``quadrature`` (the nodes, the weights, f = 1 - 1/mass ratio, log1p(-f))."""
    tb, v, th = row[0], row[1], row[2]
    nodes, weights, f, log_end = quadrature
    tau = tt / tb
    x, h = 0.0, 0.0
    for k in range(nodes.shape[0]):
        u = tau * 0.5 * (nodes[k] + 1.0)
        ws = tau * 0.5 * weights[k] * (math.log1p(-f * u) / log_end)
        ang = th + (0.5 * math.pi - th) * (1.0 - u) ** 2
        x += ws * math.cos(ang)
        h += ws * math.sin(ang)
    scale = v * tb
    return scale * x / EARTH_RADIUS, EARTH_RADIUS + scale * h


@njit(cache=True, nogil=True, inline="always")
def _put(pos, alt, at, point, tt, earth_rotation):  # pragma: no cover - compiled
    """Store an inertial position ``point`` at index ``at``, turned into the Earth-fixed frame at time ``tt``,
    and its altitude."""
    i, j = at
    x, y, z = point
    if earth_rotation:
        sa, ca = _sin_cos_series(-EARTH_ROTATION_RATE * tt)
        x, y = ca * x - sa * y, sa * x + ca * y
    pos[i, j, 0], pos[i, j, 1], pos[i, j, 2] = x, y, z
    alt[i, j] = math.sqrt(x * x + y * y + z * z) - EARTH_RADIUS
