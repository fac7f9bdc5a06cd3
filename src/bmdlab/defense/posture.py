"""Which units are on station: ships that keep their stations by rotation, other units on their own.

A navy keeps a ship on a ballistic-missile-defence station by rotating hulls through it: each hull
spends part of its cycle on station and the rest in transit, in port, in training and in
maintenance (the fleet's *share on station*, the unit's catalog ``availability``). Japan's account
of its 2017 posture is such a rotation - one to two of the four BMD destroyers always in the Sea of
Japan - and keeping it tied up crews and hulls, which was the Ministry of Defense's argument for
Aegis Ashore. Independent coin flips per ship give the same mean but the wrong spread: with four
ships at 0.5 no ship is on station in 6.25 % of draws, which a rotation never allows.

The rotation model (one fleet per ship class in an architecture):

* the fleet's ``n`` hulls run the same cycle of length ``L`` (catalog ``rotation_cycle``), evenly
  staggered: hull ``i`` is on station while ``frac(t / L + i / n) < s``, with ``s`` the share on
  station; so ``floor(n s)`` or ``floor(n s) + 1`` hulls are on station at any time, the larger for
  a share ``frac(n s)`` of the time (Wagner, Mylander & Sanders, *Naval Operations Analysis*, 3rd
  ed., 1999, ch. 9: the rotation arithmetic of forward presence);
* the hulls on station man the fleet's stations in the order the scenario lists them (the analyst
  puts the most important station first).

A raid happens at a random time: each Monte Carlo trial draws one phase per fleet (a keyed stream,
so architectures sharing a fleet share its phases). Units that are not in a rotating fleet (land
units, and every unit under the ``independent`` posture) are on station independently with their
availability, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bmdlab.errors import BmdlabError

INDEPENDENT = -1  #: the fleet index of a unit that is not in a rotation


def hulls_on_station(phase: NDArray[np.float64], hulls: int, share: float) -> NDArray[np.int64]:
    """How many of ``hulls`` evenly staggered hulls are on station at each fleet ``phase`` (t / L, any real).

    Hull ``i`` is on station while ``frac(phase + i / hulls) < share``.
    """
    if hulls <= 0:
        return np.zeros(np.shape(phase), dtype=np.int64)
    ph = np.asarray(phase, float)[..., None] + np.arange(hulls) / hulls
    return np.count_nonzero(ph - np.floor(ph) < share, axis=-1).astype(np.int64)


@dataclass(frozen=True)
class Posture:
    """Each unit's place in a rotation (or none), in the order of the architecture's units.

    ``fleet[u]`` is the unit's fleet (:data:`INDEPENDENT`: none), ``rank[u]`` its station's place in the
    fleet's order (0 first), ``availability[u]`` its probability on station (independent units) or its
    fleet's share on station; ``hulls[f]``, ``share[f]``, ``cycle_s[f]`` and ``names[f]`` describe fleet ``f``.
    """

    availability: NDArray[np.float64]
    fleet: NDArray[np.int64]
    rank: NDArray[np.int64]
    hulls: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    share: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    cycle_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    names: tuple[str, ...] = ()

    @classmethod
    def independent(cls, availability: NDArray[np.float64]) -> Posture:
        """Every unit on station on its own with its probability (no rotation)."""
        a = np.asarray(availability, float)
        return cls(a, np.full(a.shape, INDEPENDENT, np.int64), np.zeros(a.shape, np.int64))

    @classmethod
    def rotation(
        cls, availability: NDArray[np.float64], unit_types: list[str], sea: list[bool], cycle_s: dict[str, float]
    ) -> Posture:
        """Ships (``sea``) of one unit type form a fleet whose hulls are the type's units, manning their stations
        in the listed order; its share on station is the first of its units' availabilities (one per fleet).
        ``cycle_s`` gives each rotating type's cycle [s]."""
        a = np.asarray(availability, float)
        names = list(dict.fromkeys(t for t, s in zip(unit_types, sea) if s))
        fleet = np.array([names.index(t) if s else INDEPENDENT for t, s in zip(unit_types, sea)], np.int64)
        rank = np.zeros(len(a), np.int64)
        hulls, share = np.zeros(len(names), np.int64), np.zeros(len(names))
        for f in range(len(names)):
            members = np.flatnonzero(fleet == f)
            rank[members] = np.arange(len(members))
            hulls[f], share[f] = len(members), a[members[0]]
            if np.any(a[members] != share[f]):
                raise BmdlabError(
                    f"availability: the ships of '{names[f]}' rotate through their stations, so they share one "
                    "share on station; give it per unit type, or set posture: independent"
                )
        cycles = np.array([cycle_s[n] for n in names], float)
        return cls(a, fleet, rank, hulls, share, cycles, tuple(names))

    @property
    def rotating(self) -> bool:
        return bool(len(self.names))

    def at_phases(self, phases: NDArray[np.float64], independent: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
        """Units on station for each row of fleet ``phases`` (rows, fleets): a rotating unit when its rank is below
        its fleet's hulls on station; the others as ``independent`` (rows, units) says (default: on station)."""
        ph = np.asarray(phases, float).reshape(-1, len(self.names))
        on = np.ones((ph.shape[0], len(self.fleet)), bool) if independent is None else np.array(independent, bool)
        for f in range(len(self.names)):
            count = hulls_on_station(ph[:, f], int(self.hulls[f]), float(self.share[f]))
            members = np.flatnonzero(self.fleet == f)
            on[:, members] = self.rank[members][None, :] < count[:, None]
        return on

    def at_times(self, t_s: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Units on station at times ``t_s`` [s] of the rotation's schedule (every fleet at phase 0 at t = 0); units
        outside a rotation count as on station (the schedule has nothing to say about them)."""
        t = np.asarray(t_s, float)
        return self.at_phases(t[:, None] / self.cycle_s[None, :] if self.rotating else np.zeros((len(t), 0)))

    def stations_always_manned(self) -> dict[str, int]:
        """Per fleet, the stations manned at every instant: ``floor(hulls x share)``."""
        return {n: int(np.floor(h * s + 1e-12)) for n, h, s in zip(self.names, self.hulls, self.share)}

    def to_dict(self) -> dict[str, object]:
        return {
            "model": "rotation" if self.rotating else "independent",
            "fleets": [
                {
                    "unit": n,
                    "hulls": int(h),
                    "share_on_station": round(float(s), 4),
                    "cycle_days": round(float(c) / 86400.0, 2),
                    "stations_always_manned": self.stations_always_manned()[n],
                    "expected_on_station": round(float(h * s), 3),
                }
                for n, h, s, c in zip(self.names, self.hulls, self.share, self.cycle_s)
            ],
        }


__all__ = ["INDEPENDENT", "Posture", "hulls_on_station"]
