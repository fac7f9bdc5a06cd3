"""Catalog ranges against the physics: what range does each missile's observed energy reach?

A catalog range is a published figure; the trajectory model gives it a burnout speed
(:func:`bmdlab.trajectory.flight.max_burnout_speed`). An observed test flight gives another: flown
with its reported range, apogee and shape and the catalog burn time, the model reconstructs the
burnout speed the missile had. On a minimum-energy path that speed reaches the *equivalent range*
(:func:`equivalent_range`). A lofted test to a high apogee is usually flown at full energy (a
powered flight to burnout), so its equivalent range should match the catalog range; a flight at a
shorter range or a flatter path is a lower bound only.

The kinematic boost of :mod:`bmdlab.trajectory.ballistic` fixes the burnout speed and does not
charge the boost for gravity. A real rocket loses :math:`\\int_0^{t_b} g \\sin\\theta \\, dt` of its
ideal velocity to gravity [2]; a near-vertical (lofted) boost loses more than the flatter boost of a
minimum-energy flight, so the same rocket reaches a higher burnout speed on the flatter path.
:func:`reconstruct` adds the difference of the two gravity losses along the model's pitch programme
(:math:`g_0 t_b \\overline{\\sin\\theta}` for each path, solved for the minimum-energy path of the
speed it gives) and reports both equivalent ranges; the check uses the corrected one.

:func:`catalog_check` compares the two for every missile with an observed flight and flags a
difference above a tolerance (35 %: the spread of published ranges of one missile, e.g. 1,000 to
1,500 km for the Nodong, and the boost model's kinematic approximation). A catalog range carried as a
span ``[low, high]`` is compared at its nearer end: a test whose equivalent range lies inside the span
agrees with it. A flag does not change the catalog: the catalog note of the missile's range explains it
from sources (e.g. a lighter payload on the test than the published range assumes), or the range is
carried as a span from the test's figure to the published one. A flight whose energy reaches beyond
the inversion's table (19,000 km: global range) is compared at the table's end, a lower bound.

References
----------
.. [1] D. Wright, "North Korea's Longest Missile Test Yet", Union of Concerned Scientists (28 Nov
       2017) - the same reconstruction of the Hwasong-15 test (a lofted flight to 4,475 km, more
       than 13,000 km on a standard trajectory with the test's payload).
.. [2] G. P. Sutton and O. Biblarz, Rocket Propulsion Elements, 8th ed. (Wiley, 2010), ch. 4
       (flight velocity with gravity loss, :math:`\\Delta v = \\Delta v_{ideal} - \\int g \\sin\\theta \\, dt`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Missile
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS
from bmdlab.trajectory.ballistic import FlightShape, _pitch, ballistic_trajectory
from bmdlab.trajectory.flight import max_range
from bmdlab.trajectory.observed import observed_flights

#: Flag a catalog range that differs from the observed energy's equivalent range by more than this.
TOLERANCE = 0.35
_RANGES = np.linspace(50e3, 19_000e3, 4000)  # [m] minimum-energy ranges tabulated for the inversion


def equivalent_range(missile: Missile, burnout_speed: float) -> float:
    """Ground range [m] of the minimum-energy trajectory whose burnout speed is ``burnout_speed``
    (the missile's catalog burn time; non-rotating Earth); ``inf`` beyond 19,000 km."""
    t = ballistic_trajectory(
        np.zeros_like(_RANGES), 0.0, np.zeros_like(_RANGES), _RANGES / EARTH_RADIUS, burn_time=missile.burn_time.si()
    )
    v = t.burnout_speed
    if burnout_speed > v[-1]:
        return float("inf")
    return float(np.interp(burnout_speed, v, _RANGES))


G0 = 9.80665  #: standard gravity [m/s^2]


def gravity_loss(burn_time: float, theta_end: float) -> float:
    """Velocity lost to gravity [m/s] over a boost of ``burn_time`` [s] along the model's pitch
    programme ending at ``theta_end`` [rad]: :math:`g_0 t_b \\overline{\\sin\\theta}` (uniform in time)."""
    tau = np.linspace(0.0, 1.0, 401)
    return float(G0 * burn_time * np.trapezoid(np.sin(_pitch(tau, theta_end)), tau))


def reconstruct(flight: dict[str, Any], missile: Missile) -> dict[str, float]:
    """Burnout speed [m/s] of an observed flight (reported range, apogee, shape), its equivalent
    range [m], and both again with the gravity-loss difference between its boost and a
    minimum-energy boost (solved by fixed-point iteration)."""
    psi = flight["range_km"] * 1e3 / EARTH_RADIUS
    tb = missile.burn_time.si()
    t = ballistic_trajectory(
        0.0,
        0.0,
        0.0,
        psi,
        burn_time=tb,
        shape=FlightShape(
            flight["shape"], apogee=None if flight["shape"] == "minimum-energy" else flight["apogee_km"] * 1e3
        ),
    )
    v = float(t.burnout_speed[0])
    lost = gravity_loss(tb, float(t._theta_end[0]))
    v_flat, r_flat = v, equivalent_range(missile, v)
    for _ in range(20):
        if not np.isfinite(r_flat):
            break
        me = ballistic_trajectory(0.0, 0.0, 0.0, r_flat / EARTH_RADIUS, burn_time=tb)
        v_new = v + lost - gravity_loss(tb, float(me._theta_end[0]))
        done = abs(v_new - v_flat) < 0.1
        v_flat, r_flat = v_new, equivalent_range(missile, v_new)
        if done:
            break
    return {
        "burnout_speed_m_s": v,
        "equivalent_range_m": equivalent_range(missile, v),
        "flat_burnout_speed_m_s": v_flat,
        "equivalent_range_gravity_m": r_flat,
    }


@dataclass(frozen=True)
class RangeCheck:
    """One missile's catalog range against the energy of its observed flight (rounded as reported)."""

    missile: str  #: catalog key
    name: str
    catalog_range_km: float
    flight: str  #: the observed flight's id (the fastest of the missile's flights)
    flight_shape: str
    model_burnout_speed_m_s: float
    equivalent_range_kinematic_km: float  #: minimum-energy range at that burnout speed, kinematic boost
    flat_burnout_speed_m_s: float
    equivalent_range_km: float  #: the same with the gravity-loss difference of the boosts
    difference: float  #: catalog range (upper end) / equivalent range - 1
    catalog_range_low_km: float  #: lower end of the catalog range (= ``catalog_range_km`` for one figure)
    span_difference: float  #: nearer end of the catalog range / equivalent range - 1 (0 inside the span)
    bound: str  #: ``full energy (lofted test)`` or ``lower bound (not lofted)``
    flagged: bool
    catalog_note: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def catalog_check(catalog: Catalog, tolerance: float = TOLERANCE) -> list[RangeCheck]:
    """Each catalog missile with an observed flight: catalog range against the observed energy.

    A missile is flagged when its catalog range (the nearer end of a ``[low, high]`` span) differs from
    the largest equivalent range of its lofted flights by more than ``tolerance``, or (flights of other
    shapes give lower bounds) when it is shorter than an observed flight's equivalent range by more
    than ``tolerance``.
    """
    if not (math.isfinite(tolerance) and 0.0 < tolerance < 10.0):
        raise BmdlabError(f"tolerance: {tolerance:g} must be a fraction above 0 and below 10 (e.g. 0.35)")
    rows = []
    flights = observed_flights()
    for key, missile in catalog.missiles.items():
        mine = [f for f in flights if f["missile"] == key]
        if not mine:
            continue
        recon = [(f, reconstruct(f, missile)) for f in mine]
        f_best, r_best = max(recon, key=lambda fr: fr[1]["burnout_speed_m_s"])
        lofted = f_best["shape"] == "lofted"
        cat_range = max_range(missile)
        # beyond the table (19,000 km) the flight reaches anywhere: its end is a lower bound to compare with
        eq = min(r_best["equivalent_range_gravity_m"], float(_RANGES[-1]))
        diff = cat_range / eq - 1.0
        rng = missile.range
        low = (min(rng.value) if isinstance(rng.value, list) else rng.high) * cat_range / rng.high  # [m]
        span_diff = float(np.clip(eq, low, cat_range)) / eq - 1.0
        flagged = abs(span_diff) > tolerance if lofted else span_diff < -tolerance
        rows.append(
            RangeCheck(
                missile=key,
                name=missile.name,
                catalog_range_km=round(cat_range / 1e3, 0),
                flight=f_best["id"],
                flight_shape=f_best["shape"],
                model_burnout_speed_m_s=round(r_best["burnout_speed_m_s"], 0),
                equivalent_range_kinematic_km=round(r_best["equivalent_range_m"] / 1e3, 0),
                flat_burnout_speed_m_s=round(r_best["flat_burnout_speed_m_s"], 0),
                equivalent_range_km=round(eq / 1e3, 0),
                difference=round(diff, 3),
                catalog_range_low_km=round(low / 1e3, 0),
                span_difference=round(span_diff, 3),
                bound="full energy (lofted test)" if lofted else "lower bound (not lofted)",
                flagged=bool(flagged),
                catalog_note=missile.range.note or "",
            )
        )
    return rows


__all__ = ["TOLERANCE", "catalog_check", "equivalent_range", "gravity_loss", "reconstruct"]
