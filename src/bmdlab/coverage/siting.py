"""Siting optimisation: where to put K units of a system to defend the most people.

The maximal covering location problem (Church & ReVelle 1974), solved exactly as a MILP by HiGHS
through :func:`scipy.optimize.milp`:

.. math::
    \\max \\sum_i w_i y_i \\quad \\text{s.t.}\\quad y_i \\le \\sum_j a_{ij} x_j,\\;
    \\sum_j x_j = K,\\; x_j \\in \\{0, 1\\},\\; 0 \\le y_i \\le 1,

where :math:`a_{ij} = 1` when a unit at candidate site :math:`j` defends cell :math:`i` against every
threat that reaches it, :math:`w_i` is the cell's population not already defended by the existing
architecture, and :math:`y_i` marks a newly defended cell. The solver's optimality gap is reported.

The smallest count reaching a target weight :math:`W` is the covering form of the same problem
(:func:`min_count`): :math:`\\min \\sum_j x_j` s.t. :math:`\\sum_i w_i y_i \\ge W` and the same
:math:`y_i \\le \\sum_j a_{ij} x_j` (a partial set-covering problem; Daskin 1995, ch. 4).

References
----------
.. [1] R. Church, C. ReVelle, "The maximal covering location problem", Papers of the Regional
       Science Association 32 (1974) 101-118.
.. [2] M. S. Daskin, *Network and Discrete Location: Models, Algorithms, and Applications*, Wiley (1995),
       chapter 4 (covering problems: set covering and maximal covering).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from bmdlab.errors import BmdlabError
from bmdlab.io import quiet_native_stdout
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    from scipy import optimize, sparse
else:  # SciPy's MILP loads in ~0.3 s: only when a siting is solved
    optimize, sparse = lazy_module("scipy.optimize"), lazy_module("scipy.sparse")


@dataclass(frozen=True)
class SitingResult:
    chosen: NDArray[np.int64]  #: indices of the chosen candidate sites
    covered_weight: float  #: weight newly defended (objective)
    bound: float  #: best bound on the objective
    gap: float  #: relative optimality gap (0 = proven optimal)
    status: str


def max_coverage(
    cover: NDArray[np.bool_], weight: NDArray[np.float64], k: int, time_limit: float = 60.0, mip_gap: float = 1e-4
) -> SitingResult:
    """Choose ``k`` of the candidate sites (columns of ``cover``) to maximise the weight covered.

    Parameters
    ----------
    cover : ndarray of bool, shape (cells, candidates)
        ``cover[i, j]``: a unit at candidate ``j`` defends cell ``i``.
    weight : ndarray, shape (cells,)
        Weight of each cell (population not yet defended). [persons]
    k : int
        Number of units to place.
    time_limit : float
        HiGHS time limit. [s]
    """
    n_cells, n_sites = cover.shape
    if k < 1:
        raise BmdlabError(f"count: {k} must be at least 1")
    if k > n_sites:
        raise BmdlabError(f"count: {k} is more than the {n_sites} candidate sites")
    a, w = _demand_points(cover, weight)
    m = a.shape[0]
    if m == 0:
        return SitingResult(chosen=np.arange(k), covered_weight=0.0, bound=0.0, gap=0.0, status="nothing to cover")
    scale = w.max()
    # variables: x (n_sites, binary) then y (m, continuous in [0, 1])
    c = np.concatenate([np.zeros(n_sites), -w / scale])
    cons_cover = optimize.LinearConstraint(sparse.hstack([-a, sparse.identity(m, format="csr")]).tocsr(), -np.inf, 0.0)
    cons_k = optimize.LinearConstraint(sparse.csr_matrix(np.concatenate([np.ones(n_sites), np.zeros(m)])), k, k)
    integrality = np.concatenate([np.ones(n_sites), np.zeros(m)])
    with quiet_native_stdout():
        res = optimize.milp(
            c,
            constraints=[cons_cover, cons_k],
            integrality=integrality,
            bounds=optimize.Bounds(0.0, 1.0),
            options={"time_limit": time_limit, "mip_rel_gap": mip_gap, "disp": False},
        )
    if res.x is None:
        raise BmdlabError(f"the siting problem found no solution ({res.message})")
    x = res.x[:n_sites]
    chosen = np.flatnonzero(x > 0.5)
    covered = float(w[a[:, chosen].sum(axis=1).A1 > 0].sum())
    bound = float(-res.mip_dual_bound * scale) if getattr(res, "mip_dual_bound", None) is not None else covered
    bound = max(bound, covered)
    gap = 0.0 if bound <= 0 else max(0.0, (bound - covered) / bound)
    return SitingResult(chosen=chosen, covered_weight=covered, bound=bound, gap=gap, status=res.message)


def _demand_points(
    cover: NDArray[np.bool_], weight: NDArray[np.float64]
) -> tuple[sparse.csr_matrix, NDArray[np.float64]]:
    """The MILPs' demand points: cells covered by the same set of sites are one point with their summed weight
    (exact), cells no site covers or of no weight are left out. Returns (points x sites) and the weights."""
    useful = cover.any(axis=1) & (weight > 0)
    rows, inverse = np.unique(cover[useful], axis=0, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weight[useful].astype(np.float64), minlength=rows.shape[0])
    return sparse.csr_matrix(rows.astype(np.float64)), w


def min_count(
    cover: NDArray[np.bool_], weight: NDArray[np.float64], needed: float, max_count: int, time_limit: float = 30.0
) -> int | None:
    """The fewest sites whose cells weigh at least ``needed`` (the covering MILP of the module docstring),
    proven optimal by HiGHS; ``None`` when no count up to ``max_count`` reaches it or no proof is found within
    ``time_limit`` [s]."""
    a, w = _demand_points(cover, weight)
    m, n = a.shape
    if m == 0 or w.sum() < needed:
        return None
    scale = w.max()
    c = np.concatenate([np.ones(n), np.zeros(m)])
    cons_cover = optimize.LinearConstraint(sparse.hstack([-a, sparse.identity(m, format="csr")]).tocsr(), -np.inf, 0.0)
    cons_need = optimize.LinearConstraint(
        sparse.csr_matrix(np.concatenate([np.zeros(n), w / scale])), needed / scale, np.inf
    )
    with quiet_native_stdout():
        res = optimize.milp(
            c,
            constraints=[cons_cover, cons_need],
            integrality=np.concatenate([np.ones(n), np.zeros(m)]),
            bounds=optimize.Bounds(0.0, 1.0),
            options={"time_limit": time_limit, "disp": False},
        )
    if res.status != 0 or res.x is None:  # 0: proven optimal
        return None
    k = int(round(res.fun))
    return k if 1 <= k <= max_count else None


def greedy_coverage(cover: NDArray[np.bool_], weight: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Greedy maximum-coverage sites (a (1 - 1/e)-approximation; a cross-check for the MILP)."""
    covered = np.zeros(cover.shape[0], dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        gain = (cover & ~covered[:, None]).astype(float).T @ weight
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        covered |= cover[:, j]
    return np.array(chosen)
