"""Coverage when units are not always on station: its expectation and percentiles over availability.

A unit is on station with its probability (:attr:`bmdlab.defense.engage.Defender.availability`:
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

from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.coverage.national import Coverage
from bmdlab.errors import BmdlabError
from bmdlab.montecarlo import mean_ci95

DEFAULT_SAMPLES = 2000  #: availability samples of a coverage (the 95 % interval of the mean is about ±1 %)


def defended_samples(cov: Coverage, on_station: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Defended cells for each sample of units on station: (samples, defenders) -> (samples, cells)."""
    on = np.asarray(on_station, bool)
    t, d, c = cov.shots.shape
    if on.ndim != 2 or on.shape[1] != d:
        raise BmdlabError(f"on_station: shape must be (samples, {d} units)")
    can = (cov.shots > 0).transpose(0, 2, 1).reshape(t * c, d).astype(np.float32)
    reach = cov.reach
    threatened = reach.any(axis=0)
    out = np.empty((on.shape[0], c), dtype=bool)
    step = max(1, int(2e7 // max(t * c, 1)))
    for lo in range(0, on.shape[0], step):
        m = on[lo : lo + step].astype(np.float32)
        shots = (can @ m.T).reshape(t, c, -1)  # units on station with a shot, per threat, cell and sample
        ok = np.all((shots > 0) | ~reach[:, :, None], axis=0) & threatened[:, None]
        out[lo : lo + step] = ok.T
    return out


def coverage_over_availability(
    cov: Coverage, availability: NDArray[np.float64] | None = None, *, samples: int = DEFAULT_SAMPLES, seed: int = 0
) -> dict[str, Any]:
    """Shares of land and people defended over random availability of the units (JSON-ready).

    Parameters
    ----------
    cov : Coverage
        A national coverage (its shot opportunities per threat, unit and cell).
    availability : ndarray, shape (defenders,), optional
        Each unit's probability of being on station (default: each defender's ``availability``).
    samples, seed : int
        Monte Carlo samples of which units are on station, and their seed.
    """
    n = len(cov.defenders)
    a = np.array([d.availability for d in cov.defenders] if availability is None else availability, float)
    if a.shape != (n,) or not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise BmdlabError("availability: one probability per unit, each in [0, 1]")
    if not 1 <= samples <= 1_000_000:
        raise BmdlabError(f"samples: {samples} must be between 1 and 1,000,000")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    on = rng.random((samples, n)) < a[None, :]
    defended = defended_samples(cov, on)
    area, pop = cov.grid.area_m2, cov.grid.population
    land = defended @ area / area.sum()
    people = defended @ pop / pop.sum() if pop.sum() > 0 else np.zeros(samples)
    all_on = cov.defended()
    land_all, people_all = cov.fractions(all_on)

    def stats(x: NDArray[np.float64], full: float) -> dict[str, float]:
        m, lo, hi = mean_ci95(x)
        return {
            "all_on_station": round(full, 4),
            "expected": round(m, 4),
            "expected_ci95": [round(lo, 4), round(hi, 4)],
            "p05": round(float(np.percentile(x, 5)), 4),
            "median": round(float(np.median(x)), 4),
            "p95": round(float(np.percentile(x, 95)), 4),
        }

    return {
        "samples": samples,
        "seed": seed,
        "land_fraction": stats(land, land_all),
        "population_fraction": stats(people, people_all),
        "availability": {d.name: float(x) for d, x in zip(cov.defenders, a)},
        "expected_units_on_station": round(float(a.sum()), 3),
        "definition": "units on station drawn independently with their availability; a cell is defended when every "
        "threat reaching it meets a unit on station with a shot",
    }


__all__ = ["DEFAULT_SAMPLES", "coverage_over_availability", "defended_samples"]
