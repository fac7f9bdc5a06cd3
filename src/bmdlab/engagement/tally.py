"""Exact tallies of a raid's Monte Carlo: histograms and sums that do not grow with the trial count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bmdlab.montecarlo import proportion_ci95


def histogram_quantile(counts: NDArray[np.int64], q: float) -> float:
    """``numpy.percentile(x, q)`` (linear interpolation) of the data whose histogram is ``counts``."""
    n = int(counts.sum())
    cum = np.cumsum(counts)
    h = (n - 1) * q / 100.0
    lo, hi = np.searchsorted(cum, [np.floor(h), np.ceil(h)], side="right")
    return float(lo + (h - np.floor(h)) * (hi - lo))


def histogram_moments(counts: NDArray[np.int64]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1) of the data whose histogram is ``counts``."""
    k = np.arange(counts.size, dtype=float)
    n = float(counts.sum())
    mean = float((counts * k).sum() / n)
    var = float((counts * (k - mean) ** 2).sum() / (n - 1)) if n > 1 else float("nan")
    return mean, float(np.sqrt(var))


@dataclass(frozen=True)
class RaidTally:
    """Distribution of a raid's outcome over the Monte Carlo trials.

    The trials are kept as exact tallies, not per-trial arrays, so a result takes the same memory
    for 10 trials as for 10 million: histograms of leakers and of interceptors expended per trial
    (every mean, standard deviation and percentile follows exactly), and sums per asset and per unit.
    Per-trial arrays are kept only when asked for (paired comparisons, campaigns).
    """

    trials: int
    seed: int
    doctrine: str
    leaker_counts: NDArray[np.int64]  #: (threats + 1,) trials in which k missiles leaked
    leakers_per_asset: NDArray[np.float64]  #: (assets,) expected leakers at each asset
    surviving_value_mean: float  #: expected fraction of asset value that no leaker reaches
    expended_mean: NDArray[np.float64]  #: (defenders,) expected interceptors fired by each unit
    expended_counts: NDArray[np.int64]  #: (most fired + 1,) trials in which k interceptors were fired
    exhausted_fraction: NDArray[np.float64]  #: (defenders,) fraction of trials that end with the magazine empty
    on_station_fraction: NDArray[np.float64]  #: (defenders,) fraction of trials each unit was on station
    leakers_per_trial: NDArray[np.int32] | None = None  #: (trials,) with ``keep_trials``
    surviving_value_per_trial: NDArray[np.float32] | None = None  #: (trials,) with ``keep_trials``
    magazines_end: NDArray[np.int32] | None = None  #: (trials, defenders) with ``keep_magazines``

    @property
    def expected_leakers(self) -> float:
        return histogram_moments(self.leaker_counts)[0]

    @property
    def leakers_std(self) -> float:
        """Standard deviation of leakers over trials (ddof 1)."""
        return histogram_moments(self.leaker_counts)[1]

    @property
    def expected_leakers_ci95(self) -> tuple[float, float]:
        """Normal-approximation 95 % interval of the mean (NaN for a single trial)."""
        mean, sd = histogram_moments(self.leaker_counts)
        half = 1.96 * sd / np.sqrt(self.trials) if self.trials > 1 else float("nan")
        return mean - half, mean + half

    @property
    def p_zero_leakers(self) -> float:
        return float(self.leaker_counts[0] / self.trials)

    @property
    def p_zero_leakers_ci95(self) -> tuple[float, float]:
        """Exact (Clopper-Pearson) 95 % interval of P(zero leakers) (:func:`bmdlab.montecarlo.proportion_ci95`):
        0 of 2,000 trials is 0 to 0.18 %, not a point."""
        return proportion_ci95(int(self.leaker_counts[0]), self.trials)

    def leakers_percentile(self, q: float) -> float:
        """The ``q``-th percentile of leakers over trials (as :func:`numpy.percentile`, linear)."""
        return histogram_quantile(self.leaker_counts, q)

    @property
    def expended_total_mean(self) -> float:
        return histogram_moments(self.expended_counts)[0]

    @property
    def expended_total_std(self) -> float:
        return histogram_moments(self.expended_counts)[1]

    @property
    def expended_total_range(self) -> tuple[int, int]:
        """Fewest and most interceptors fired in any trial."""
        used = np.flatnonzero(self.expended_counts)
        return int(used[0]), int(used[-1])


__all__ = ["RaidTally", "histogram_moments", "histogram_quantile"]
