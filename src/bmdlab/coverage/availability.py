"""Coverage when units are not always on station: its expectation and percentiles over availability.

A unit is on station with its probability (:attr:`bmdlab.assembly.setup.UnitValues.availability`:
maintenance cycles, crews, transits), independently of the others. For each sample of which units
are on station, a cell is defended when every threat that reaches it meets at least one unit on
station with a shot opportunity (the worst case over threats, as
:meth:`bmdlab.coverage.national.Coverage.defended`); the shares of Japan's land and people
defended are then summarised over the samples (mean and percentiles), next to the share with every
unit on station.

The samples reuse the coverage's shot opportunities (no trajectory is flown again), as one matrix
product per chunk of samples. For a single threat the expected share has a closed form,
``sum_c w_c (1 - prod_{d covers c} (1 - a_d))``, which the tests compare with the samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.bounds import AVAILABILITY_SAMPLES
from bmdlab.coverage.national import Coverage
from bmdlab.defense.posture import Posture
from bmdlab.errors import BmdlabError
from bmdlab.montecarlo import mean_ci95
from bmdlab.numbers import round_share

DEFAULT_SAMPLES = 2000  #: availability samples of a coverage (the 95 % interval of the mean is about ±1 %)


def defended_samples(cov: Coverage, on_station: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Defended cells for each sample of units on station: (samples, defenders) -> (samples, cells).

    Cells with the same threats and the same units with a shot on each have the same answer: it is computed
    once per distinct cell (at 5 km, some 1,000-2,000 of the 16,744 cells) and copied to the others.
    """
    on = np.asarray(on_station, bool)
    t, d, c = cov.shots.shape
    if on.ndim != 2 or on.shape[1] != d:
        raise BmdlabError(f"on_station: shape must be (samples, {d} units)")
    has_shot, reach, cell_of = _distinct_cells(cov)
    u = reach.shape[1]
    can = has_shot.transpose(0, 2, 1).reshape(t * u, d).astype(np.float32)
    threatened = reach.any(axis=0)
    out = np.empty((on.shape[0], u), dtype=bool)
    step = max(1, int(4e6 // max(t * u, 1)))  # a block of samples: ~16 MB of products and 12 MB of flags
    for lo in range(0, on.shape[0], step):
        m = on[lo : lo + step].astype(np.float32)
        shots = (can @ m.T).reshape(t, u, -1)  # units on station with a shot, per threat, cell and sample
        ok = np.all((shots > 0) | ~reach[:, :, None], axis=0) & threatened[:, None]
        out[lo : lo + step] = ok.T
    return out[:, cell_of]


def _distinct_cells(cov: Coverage) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.intp]]:
    """The distinct cells by the threats reaching them and the units with a shot on each: their shots > 0
    (threats, defenders, distinct), reach (threats, distinct), and each cell's distinct cell (cells,)."""
    t, d, c = cov.shots.shape
    has_shot = cov.shots > 0
    key = np.concatenate([cov.reach.T, has_shot.transpose(2, 0, 1).reshape(c, t * d)], axis=1)
    _, first, cell_of = np.unique(np.packbits(key, axis=1), axis=0, return_index=True, return_inverse=True)
    return has_shot[:, :, first], cov.reach[:, first], cell_of.reshape(c)


def _weighted(defended: NDArray[np.bool_], weight: NDArray[np.float64], rows: int = 256) -> NDArray[np.float64]:
    """``defended @ weight`` a block of samples at a time (the product makes a float64 copy of its block: all
    2,000 samples of a 5 km grid would be 270 MB)."""
    return np.concatenate([defended[lo : lo + rows] @ weight for lo in range(0, defended.shape[0], rows)])


@dataclass(frozen=True)
class ShareOverAvailability:
    """A share of Japan (land or people) defended, over random availability of the units [-]."""

    all_on_station: float
    expected: float
    expected_ci95: tuple[float, float]
    p05: float
    median: float
    p95: float

    @classmethod
    def of(cls, x: NDArray[np.float64], full: float) -> ShareOverAvailability:
        m, lo, hi = mean_ci95(x)
        return cls(full, m, (lo, hi), float(np.percentile(x, 5)), float(np.median(x)), float(np.percentile(x, 95)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_on_station": round_share(self.all_on_station),
            "expected": round_share(self.expected),
            "expected_ci95": [round_share(self.expected_ci95[0]), round_share(self.expected_ci95[1])],
            "p05": round_share(self.p05),
            "median": round_share(self.median),
            "p95": round_share(self.p95),
        }


@dataclass(frozen=True)
class AvailabilityCoverage:
    """Shares of land and people defended over random availability of the units (:func:`coverage_over_availability`)."""

    samples: int
    seed: int
    land_fraction: ShareOverAvailability
    population_fraction: ShareOverAvailability
    availability: dict[str, float]  #: unit name -> its probability of being on station
    posture: dict[str, Any] | None = None  #: the ships' rotation (:meth:`bmdlab.defense.posture.Posture.to_dict`)

    def to_dict(self) -> dict[str, Any]:
        rotating = bool(self.posture and self.posture["fleets"])
        return {
            "samples": self.samples,
            "seed": self.seed,
            "land_fraction": self.land_fraction.to_dict(),
            "population_fraction": self.population_fraction.to_dict(),
            "availability": dict(self.availability),
            "expected_units_on_station": round(float(sum(self.availability.values())), 3),
            "posture": self.posture or {"model": "independent", "fleets": []},
            "definition": (
                "ships of each class keep their stations by rotation (a random instant of the fleet's cycle per "
                "sample); other units on station independently with their availability"
                if rotating
                else "units on station drawn independently with their availability"
            )
            + "; a cell is defended when every threat reaching it meets a unit on station with a shot",
        }


def coverage_over_availability(
    cov: Coverage,
    availability: NDArray[np.float64],
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    posture: Posture | None = None,
) -> AvailabilityCoverage:
    """Shares of land and people defended over random availability of the units (at a random instant of the
    ships' rotation when ``posture`` has one).

    Parameters
    ----------
    cov : Coverage
        A national coverage (its shot opportunities per threat, unit and cell).
    availability : ndarray, shape (defenders,)
        Each unit's probability of being on station (:attr:`bmdlab.assembly.setup.UnitValues.availability`).
    samples, seed : int
        Monte Carlo samples of which units are on station, and their seed.
    posture : Posture, optional
        The ships' rotation (:attr:`bmdlab.assembly.setup.Setup.posture`); None: every unit on its own.
    """
    n = len(cov.defenders)
    a = np.asarray(availability, float)
    if a.shape != (n,) or not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise BmdlabError("availability: one probability per unit, each in [0, 1]")
    samples = AVAILABILITY_SAMPLES.check("samples", samples)
    if samples == 0:
        raise BmdlabError("samples: 0 gives nothing to summarise; draw at least one sample of units on station")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    on = rng.random((samples, n)) < a[None, :]
    if posture is not None and posture.rotating:
        if len(posture.fleet) != n:
            raise BmdlabError(f"posture: it describes {len(posture.fleet)} units, the coverage has {n}")
        on = posture.at_phases(rng.random((samples, len(posture.names))), on)
    land, people = shares(cov, on)
    land_all, people_all = cov.fractions(cov.defended())
    return AvailabilityCoverage(
        samples=samples,
        seed=seed,
        land_fraction=ShareOverAvailability.of(land, land_all),
        population_fraction=ShareOverAvailability.of(people, people_all),
        availability={d.name: float(x) for d, x in zip(cov.defenders, a)},
        posture=None if posture is None else posture.to_dict(),
    )


def shares(cov: Coverage, on_station: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shares of Japan's land and people defended for each row of units on station (rows, defenders)."""
    defended = defended_samples(cov, on_station)
    area, pop = cov.grid.area_m2, cov.grid.population
    land = _weighted(defended, area) / area.sum()
    people = _weighted(defended, pop) / pop.sum() if pop.sum() > 0 else np.zeros(len(defended))
    return land, people


__all__ = [
    "DEFAULT_SAMPLES",
    "AvailabilityCoverage",
    "ShareOverAvailability",
    "coverage_over_availability",
    "defended_samples",
    "shares",
]
