"""Coverage through a rotation: the share of Japan defended hour by hour, and the ships a rotation needs.

The argument for Aegis Ashore (Japan's Ministry of Defense, 2017-2018) was about time, not about any
one instant: keeping Aegis destroyers on BMD stations "24 hours a day, 365 days a year" ties up
hulls and crews, where two sites ashore defend Japan all the time. :func:`coverage_over_time` follows
an architecture through its ships' rotation (:mod:`bmdlab.defense.posture`): at each hour of a month,
which stations are manned and what share of land and people is then defended.
:func:`ships_to_match` asks the converse: how many stations a fleet must keep manned, at every
instant, to defend at least a target share of people (e.g. what Aegis Ashore defends), and so how
many hulls it needs at its share on station - ``ceil(stations / share)``, the rotation arithmetic
of forward presence (Wagner, Mylander & Sanders, *Naval Operations Analysis*, 3rd ed., 1999, ch. 9).

Both reuse a coverage's shot opportunities (:func:`bmdlab.coverage.availability.shares`): no
trajectory is flown again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.coverage.availability import shares
from bmdlab.coverage.national import Coverage
from bmdlab.defense.posture import Posture
from bmdlab.errors import BmdlabError
from bmdlab.numbers import round_share

HOUR = 3600.0
DEFAULT_DAYS = 30  #: the view's span: a month of rotation
DEFAULT_STEP_H = 1.0  #: one sample an hour


@dataclass(frozen=True)
class CoverageOverTime:
    """Shares of land and people defended at each time of a rotation's schedule."""

    hours: NDArray[np.float64]
    land: NDArray[np.float64]
    people: NDArray[np.float64]
    on_station: NDArray[np.int64]  #: units on station at each time
    posture: dict[str, Any]

    def summary(self, threshold: float | None = None) -> dict[str, Any]:
        """Minimum, mean and maximum of each share, and the hours with people below ``threshold`` (if given)."""
        out: dict[str, Any] = {
            "hours": float(
                self.hours[-1] - self.hours[0] + (self.hours[1] - self.hours[0] if len(self.hours) > 1 else 0)
            ),
            "samples": len(self.hours),
            "posture": self.posture,
        }
        for name, x in (("land_fraction", self.land), ("population_fraction", self.people)):
            out[name] = {
                "min": round_share(float(x.min())),
                "mean": round_share(float(x.mean())),
                "max": round_share(float(x.max())),
            }
        if threshold is not None:
            out["people_below"] = {
                "threshold": threshold,
                "share_of_time": round(float(np.mean(self.people < threshold)), 4),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "series": {
                "hours": [round(float(h), 3) for h in self.hours],
                "land_fraction": [round_share(float(x)) for x in self.land],
                "population_fraction": [round_share(float(x)) for x in self.people],
                "units_on_station": [int(n) for n in self.on_station],
            },
        }


def coverage_over_time(
    cov: Coverage, posture: Posture, *, days: float = DEFAULT_DAYS, step_h: float = DEFAULT_STEP_H
) -> CoverageOverTime:
    """Shares of land and people defended every ``step_h`` hours for ``days`` days of the rotation's schedule
    (units outside a rotation on station throughout)."""
    if len(posture.fleet) != len(cov.defenders):
        raise BmdlabError(f"posture: it describes {len(posture.fleet)} units, the coverage has {len(cov.defenders)}")
    check_span(days, step_h)
    hours = np.arange(0.0, 24.0 * days, step_h)
    on = posture.at_times(hours * HOUR)
    land, people = _shares_by_pattern(cov, on)
    return CoverageOverTime(hours, land, people, on.sum(axis=1), posture.to_dict())


def check_span(days: float, step_h: float) -> None:
    """One-line errors for a span of days or a time step a rotation view cannot use."""
    if not (math.isfinite(days) and 0 < days <= 3660):
        raise BmdlabError(f"days: {days:g} must be a positive span of at most 3,660 days, e.g. 30")
    if not (math.isfinite(step_h) and 0 < step_h <= 24 * days and days * 24 / step_h <= 1e6):
        raise BmdlabError(f"step_h: {step_h:g} must be a positive step no longer than the span, e.g. 1 (hour)")


def _shares_by_pattern(cov: Coverage, on: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`shares` once per distinct pattern of units on station (a rotation repeats a few patterns)."""
    patterns, inverse = np.unique(on, axis=0, return_inverse=True)
    land, people = shares(cov, patterns)
    return land[inverse.reshape(-1)], people[inverse.reshape(-1)]


def ships_to_match(cov: Coverage, posture: Posture, fleet: str, target_people: float) -> dict[str, Any]:
    """The stations ``fleet`` must man at every instant (its first stations, the rest of the architecture on
    station) to defend at least ``target_people`` of Japan's people, and the hulls that takes at its share.

    Returns ``stations`` (None if even every station falls short), ``people_fraction`` at that many stations,
    ``hulls_needed`` = ceil(stations / share), ``hulls`` the fleet has, and ``extra_hulls``.
    """
    if fleet not in posture.names:
        raise BmdlabError(f"fleet: '{fleet}' does not rotate in this architecture; fleets: {', '.join(posture.names)}")
    if not 0.0 <= target_people <= 1.0:
        raise BmdlabError(f"target_people: {target_people} must be a share in [0, 1]")
    f = posture.names.index(fleet)
    members = np.flatnonzero(posture.fleet == f)
    rows = np.ones((len(members) + 1, len(posture.fleet)), bool)
    for k in range(len(members) + 1):
        rows[k, members] = posture.rank[members] < k
    _, people = shares(cov, rows)
    ok = np.flatnonzero(people >= target_people)
    share, hulls = float(posture.share[f]), int(posture.hulls[f])
    stations = int(ok[0]) if len(ok) else None
    needed = None if stations is None else math.ceil(stations / share - 1e-9)
    return {
        "fleet": fleet,
        "target_people_fraction": round_share(float(target_people)),
        "by_stations": [
            {"stations": k, "people_fraction": round_share(float(x)), "hulls_needed": math.ceil(k / share - 1e-9)}
            for k, x in enumerate(people)
        ],
        "stations": stations,
        "people_fraction": None if stations is None else round_share(float(people[stations])),
        "share_on_station": round(share, 4),
        "hulls": hulls,
        "hulls_needed": needed,
        "extra_hulls": None if needed is None else max(0, needed - hulls),
    }


__all__ = ["CoverageOverTime", "check_span", "coverage_over_time", "ships_to_match"]
