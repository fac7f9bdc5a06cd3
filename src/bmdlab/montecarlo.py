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


__all__ = ["Z95", "half_width95", "mean_ci95"]
