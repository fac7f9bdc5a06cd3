"""Paired comparisons of two Monte Carlo runs on common random numbers, and their verdict.

Two runs on one seed share their draws where they share a purpose (a threat's fate, a shared unit's
shot; :func:`bmdlab.engagement.raid.simulate_raid`), so the per-trial difference B - A has a much
smaller variance than the difference of independent runs (common random numbers: A. M. Law,
*Simulation Modeling and Analysis*, 5th ed., McGraw-Hill 2015, sec. 11.2). Its 95 % interval is the
mean of the per-trial differences plus or minus 1.96 standard errors; it is valid however the two
runs' draws are related.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bmdlab.montecarlo import Z95


def paired_difference(a: ArrayLike, b: ArrayLike) -> dict[str, Any]:
    """B minus A per trial: the mean, its 95 % interval, and the half-width independent runs would give.

    ``variance_reduction`` is the ratio of the independent-runs variance of the difference to the
    paired one (how many times more trials independent runs would need for the same interval).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise ValueError("a and b must be per-trial values of the same length (at least 2 trials)")
    d = b - a
    m = float(d.mean())
    var_paired = float(d.var(ddof=1)) / a.size
    var_indep = (float(a.var(ddof=1)) + float(b.var(ddof=1))) / a.size
    half = Z95 * math.sqrt(var_paired)
    return {
        "difference": m,
        "ci95": [m - half, m + half],
        "independent_ci95_half_width": Z95 * math.sqrt(var_indep),
        "variance_reduction": var_indep / var_paired if var_paired > 0 else None,
    }


def compare_verdict(
    name_a: str, name_b: str, difference: float, ci95: tuple[float, float], missiles: int, trials: int
) -> str:
    """The comparison's one-sentence verdict, from the 95 % interval of B minus A in expected leakers:
    B leaks more when the whole interval is above zero, fewer when it is below; identical when every paired
    trial gave the same (a difference and interval of exactly zero, which more trials cannot change); else
    unresolved."""
    lo, hi = ci95
    span = f"{difference:+.2f} missiles of {missiles:,} (95 % CI {lo:+.2f} to {hi:+.2f}, {trials:,} paired trials)"
    if difference == 0.0 and lo == 0.0 and hi == 0.0:
        return (
            f"{name_a} and {name_b} are identical on this raid: every one of {trials:,} paired trials lets the same "
            f"number of its {missiles:,} missiles through."
        )
    if lo > 0:
        return f"{name_b} lets more missiles through than {name_a}: {span}."
    if hi < 0:
        return f"{name_b} lets fewer missiles through than {name_a}: {span}."
    return f"No difference between {name_a} and {name_b} is resolved at this trial count: {span}; the interval includes zero."


__all__ = ["compare_verdict", "paired_difference"]
