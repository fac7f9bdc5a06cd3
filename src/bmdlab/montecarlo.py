"""Confidence intervals of Monte Carlo means, shared by every stage that reports one."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

Z95 = 1.96  #: two-sided 95 % quantile of the normal distribution


def mean_ci95(x: ArrayLike) -> tuple[float, float, float]:
    """Mean of per-trial values and its 95 % interval (normal approximation; NaN ends for one trial)."""
    a = np.asarray(x, float)
    m = float(a.mean())
    half = Z95 * float(a.std(ddof=1)) / math.sqrt(a.size) if a.size > 1 else float("nan")
    return m, m - half, m + half


def half_width95(x: ArrayLike | None) -> float:
    """1.96 standard errors of the mean of per-trial values (NaN without at least two)."""
    if x is None or len(x) < 2:
        return float("nan")
    m, lo, _ = mean_ci95(x)
    return m - lo


def proportion_ci95(successes: int, trials: int) -> tuple[float, float]:
    """Exact (Clopper-Pearson) 95 % interval of a proportion of ``successes`` in ``trials``: the Beta quantiles
    :math:`B(0.025; k, n-k+1)` and :math:`B(0.975; k+1, n-k)`, 0 and 1 at the ends (C. J. Clopper, E. S. Pearson,
    Biometrika 26 (1934) 404-413). Unlike the normal approximation it never collapses at 0 or ``trials``
    successes: 0 of 2,000 gives an upper end of :math:`1 - 0.025^{1/2000}` = 0.18 %."""
    from scipy.stats import beta  # lazy: scipy.stats loads in ~0.3 s, only for a raid's report

    k, n = int(successes), int(trials)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"successes {k} of trials {n}: need 0 <= successes <= trials and trials >= 1")
    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return lo, hi


__all__ = ["Z95", "half_width95", "mean_ci95", "proportion_ci95"]
