"""Static weapon-target assignment (WTA): exact MILP with a proven bound, and a fast heuristic.

Weapons (interceptors) ``i = 0..W-1`` are each assigned to one target (incoming threat)
``j = 0..T-1``; target ``j`` has value ``v_j`` (of the asset it threatens) and weapon ``i`` kills
it with probability ``p_ij``, independently of the others. The static WTA of Ahuja et al. (2007) [1]_
minimises the expected surviving target value

.. math::  F(x) = \\sum_j v_j \\prod_i (1 - p_{ij})^{x_{ij}}, \\qquad \\sum_j x_{ij} = 1,\\; x_{ij} \\in \\{0, 1\\}.

Writing ``a_ij = -ln(1 - p_ij)`` (the kill exponent), ``F = sum_j v_j exp(-E_j)`` with
``E_j = sum_i a_ij x_ij``: a convex function of a linear map of ``x``. Both methods use that.

``exact``
    Outer approximation [2]_: a MILP (HiGHS [3]_ through :func:`scipy.optimize.milp`) in ``x`` and
    ``s_j >= v_j exp(-E_j)``, where the exponential is replaced by tangent cuts
    ``s_j >= v_j e^{-E0} (1 - (E_j - E0))``, which under-estimate it (convexity). The MILP value
    is therefore a lower bound on the optimum; the true objective of its solution is an upper bound.
    Cuts are added at each solution's exponents until the two meet (or the time limit is reached,
    then the best solution is returned with its gap).
``heuristic``
    Maximum marginal return (MMR) construction [1]_, then local search over two neighbourhoods until
    neither improves: (a) moving one weapon to another target or swapping two weapons' targets, and
    (b) an assignment neighbourhood in the spirit of Ahuja et al.'s very large-scale neighbourhood
    search: remove one weapon from every engaged target and reassign all of them at once, at most
    one per target, by a linear assignment problem (exact for that neighbourhood,
    :func:`scipy.optimize.linear_sum_assignment`). Its lower bound is the Frank-Wolfe (linearisation)
    bound of the convex continuous relaxation, ``F(x̄) + min_x ∇F(x̄)·(x - x̄)`` at an approximate
    relaxed optimum ``x̄`` (valid for any ``x̄``). That bound is loose on Ahuja's random instances
    (3-9 % below the optimum from 10x10, about 6.5 % at 200x200, up to 16 % on 5x5: the
    relaxation may give a target 1.4 weapons); the exact method gives the proven bound.

References
----------
.. [1] R. K. Ahuja, A. Kumar, K. C. Jha, J. B. Orlin, "Exact and heuristic algorithms for the
       weapon-target assignment problem", Operations Research 55(6) (2007) 1136-1146. Random
       instances: target values uniform on [25, 100], kill probabilities uniform on [0.60, 0.90].
.. [2] M. A. Duran, I. E. Grossmann, "An outer-approximation algorithm for a class of mixed-integer
       nonlinear programs", Mathematical Programming 36 (1986) 307-339.
.. [3] Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method", Mathematical
       Programming Computation 10 (2018) 119-142 (HiGHS).
.. [4] M. Jaggi, "Revisiting Frank-Wolfe: projection-free sparse convex optimization", ICML 2013
       (the duality-gap lower bound of a convex problem over a polytope).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from bmdlab.errors import BmdlabError
from bmdlab.io import quiet_native_stdout

METHODS = ("exact", "heuristic")
_Q_MIN = 1e-12  # survival probabilities are clipped here before logs and divisions (p_ij = 1 allowed)


@dataclass(frozen=True)
class WTAResult:
    """A weapon-target assignment with its objective, proven lower bound and gap."""

    assignment: np.ndarray  #: target index per weapon, shape (W,)
    objective: float  #: expected surviving target value of ``assignment``
    bound: float  #: a proven lower bound on the optimal objective
    method: str
    seconds: float
    weapons: int
    targets: int
    stopped_by_time_limit: bool = False  #: the heuristic's search (or the MILP) was cut short by the time limit

    @property
    def gap(self) -> float:
        """Relative gap ``(objective - bound) / objective`` (0 when the objective is 0)."""
        if self.objective <= 0.0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)

    @property
    def optimal(self) -> bool:
        """True when the bound proves the assignment optimal (relative gap <= 1e-6)."""
        return self.gap <= 1e-6

    def to_dict(self) -> dict[str, Any]:
        return {"assignment": [int(j) for j in self.assignment], "objective": float(self.objective),
                "bound": float(self.bound), "gap": float(self.gap), "optimal": bool(self.optimal),
                "method": self.method, "seconds": float(self.seconds), "weapons": self.weapons, "targets": self.targets,
                "stopped_by_time_limit": bool(self.stopped_by_time_limit)}


# ------------------------------------------------------------------------------------ instances
def random_instance(weapons: int, targets: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random instance as generated by Ahuja et al. (2007) [1]_.

    Target values are integers uniform on [25, 100]; kill probabilities uniform on [0.60, 0.90].

    Returns
    -------
    values : ndarray, shape (targets,)
    kill_probability : ndarray, shape (weapons, targets)
    """
    if weapons < 1 or targets < 1:
        raise BmdlabError(f"random instance: {weapons} weapons x {targets} targets; both must be >= 1")
    rng = np.random.default_rng(seed)
    values = rng.integers(25, 101, size=targets).astype(float)
    pk = rng.uniform(0.60, 0.90, size=(weapons, targets))
    return values, pk


#: Largest target value an instance may hold (sums of products must not overflow a float).
MAX_VALUE = 1e12


def check_instance(values: Any, kill_probability: Any, where: str = "instance") -> tuple[np.ndarray, np.ndarray]:
    """Validate an instance; return float arrays or raise a one-line :class:`BmdlabError`."""
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) == 0:
        raise BmdlabError(f"{where}: values must be a non-empty list of target values (one per target)")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise BmdlabError(f"{where}: values must be finite numbers, one per target") from None
    if v.ndim != 1:
        raise BmdlabError(f"{where}: values must be a flat list, one number per target")
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0) | (v > MAX_VALUE))
    if bad.size:
        raise BmdlabError(f"{where}: values[{bad[0]}] = {v[bad[0]]:g} must be a finite number from 0 to {MAX_VALUE:g}")
    rows = kill_probability
    if not isinstance(rows, (list, tuple, np.ndarray)) or len(rows) == 0:
        raise BmdlabError(f"{where}: kill_probability must be a non-empty list of rows, one per weapon, each with one "
                          f"probability per target ({v.size})")
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple, np.ndarray)):
            raise BmdlabError(f"{where}: kill_probability row {i} must be a list of {v.size} probabilities (one per target)")
        if len(row) != v.size:
            raise BmdlabError(f"{where}: kill_probability row {i} has {len(row)} entries, expected {v.size} (one per target)")
    try:
        pk = np.asarray(rows, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise BmdlabError(f"{where}: kill_probability must hold numbers in [0, 1]") from None
    if pk.ndim != 2:
        raise BmdlabError(f"{where}: kill_probability must be a 2-D list of rows (weapons) of numbers (targets)")
    bad = np.argwhere(~np.isfinite(pk) | (pk < 0) | (pk > 1))
    if bad.size:
        i, j = bad[0]
        raise BmdlabError(f"{where}: kill_probability[{i}][{j}] = {pk[i, j]:g} must be a probability in [0, 1]")
    return v, pk


def load_instance(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``{"values": [...], "kill_probability": [[...], ...]}`` from a JSON file."""
    from bmdlab.io import read_input_text

    path = Path(path)
    text = read_input_text(path, what="JSON instance file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BmdlabError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise BmdlabError(f"{path}: nested too deeply to be an instance; give a flat values list and a 2-D matrix") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise BmdlabError(f"{path}: not a valid instance ({exc})") from None
    if not isinstance(data, dict):
        raise BmdlabError(f'{path}: must be a JSON object {{"values": [...], "kill_probability": [[...]]}}')
    for key in ("values", "kill_probability"):
        if key not in data:
            raise BmdlabError(f"{path}: missing field '{key}'")
    return check_instance(data["values"], data["kill_probability"], where=str(path))


# ------------------------------------------------------------------------------------ objective
def expected_survival(values: np.ndarray, kill_probability: np.ndarray, assignment: np.ndarray) -> float:
    """Expected surviving target value ``sum_j v_j prod_{i: a_i = j} (1 - p_ij)``."""
    v = np.asarray(values, dtype=float)
    return float(v @ _survival(1.0 - np.asarray(kill_probability, dtype=float), np.asarray(assignment, dtype=int), v.size))


def _survival(q: np.ndarray, a: np.ndarray, targets: int) -> np.ndarray:
    """Survival probability of each target under assignment ``a`` (``q = 1 - p``)."""
    s = np.ones(targets)
    np.multiply.at(s, a, q[np.arange(a.size), a])
    return s


# ------------------------------------------------------------------------------------ heuristic
def _mmr(v: np.ndarray, pk: np.ndarray, deadline: float = math.inf) -> np.ndarray:
    """Maximum marginal return: repeatedly make the (weapon, target) pair that removes most value.

    Past ``deadline`` (a :func:`time.perf_counter` time) every weapon still free goes at once to the
    target of its largest marginal return, so the assignment is always complete.
    """
    w, t = pk.shape
    q = 1.0 - pk
    s = np.ones(t)
    free = np.ones(w, dtype=bool)
    a = np.empty(w, dtype=int)
    gain = np.empty((w, t))
    for _ in range(w):
        if time.perf_counter() > deadline:
            rest = np.flatnonzero(free)
            a[rest] = np.argmax((v * s)[None, :] * pk[rest], axis=1)
            return a
        np.multiply((v * s)[None, :], pk, out=gain)
        gain[~free] = -1.0
        i, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        a[i] = j
        free[i] = False
        s[j] *= q[i, j]
    return a


def _move_swap(v: np.ndarray, q: np.ndarray, a: np.ndarray, deadline: float = math.inf) -> np.ndarray:
    """Best-improvement local search over single moves and pairwise swaps (q clipped > 0), until no
    move improves or ``deadline`` passes."""
    w, t = q.shape
    idx = np.arange(w)
    p = 1.0 - q
    a = a.copy()
    s = _survival(q, a, t)
    while time.perf_counter() <= deadline:
        vs = v * s
        scale = max(1.0, float(vs.sum()))
        qa = q[idx, a]
        release = vs[a] * (1.0 / qa - 1.0)  # value regained at a_i when weapon i leaves it
        move = release[:, None] - vs[None, :] * p  # change of F when weapon i moves to target b
        move[idx, a] = 0.0
        i, b = np.unravel_index(int(np.argmin(move)), move.shape)
        # swap weapons i and k: a_i receives k and a_k receives i
        half = vs[a][:, None] * (q[:, a].T / qa[:, None] - 1.0)  # [i, k]: change at a_i when k replaces i
        swap = half + half.T
        swap[a[:, None] == a[None, :]] = 0.0
        k1, k2 = np.unravel_index(int(np.argmin(swap)), swap.shape)
        best_move, best_swap = move[i, b], swap[k1, k2]
        if min(best_move, best_swap) >= -1e-12 * scale:
            return a
        if best_move <= best_swap:
            s[a[i]] /= q[i, a[i]]
            a[i] = b
            s[b] *= q[i, b]
        else:
            ai, ak = a[k1], a[k2]
            s[ai] *= q[k2, ai] / q[k1, ai]
            s[ak] *= q[k1, ak] / q[k2, ak]
            a[k1], a[k2] = ak, ai
    return a


def _assignment_neighbourhood(v: np.ndarray, q: np.ndarray, a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Remove one (random) weapon from each engaged target; reassign them optimally, one per target."""
    w, t = q.shape
    idx = np.arange(w)
    perm = rng.permutation(w)
    pick = np.full(t, -1)
    pick[a[perm]] = perm  # one weapon per engaged target (the last write in a random order)
    removed = pick[pick >= 0]
    keep = np.ones(w, dtype=bool)
    keep[removed] = False
    base = np.ones(t)
    np.multiply.at(base, a[keep], q[idx[keep], a[keep]])
    cost = (v * base)[None, :] * (q[removed] - 1.0)  # change of F when a removed weapon goes to j
    rows, cols = linear_sum_assignment(cost)
    out = a.copy()
    out[removed[rows]] = cols
    return out


def _heuristic(v: np.ndarray, pk: np.ndarray, *, seed: int = 0, patience: int = 15, max_rounds: int = 200,
               deadline: float = math.inf) -> np.ndarray:
    q = np.clip(1.0 - pk, _Q_MIN, 1.0)
    a = _move_swap(v, q, _mmr(v, pk, deadline), deadline)
    best = expected_survival(v, pk, a)
    rng = np.random.default_rng(seed)
    stall = 0
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            break
        cand = _move_swap(v, q, _assignment_neighbourhood(v, q, a, rng))
        val = expected_survival(v, pk, cand)
        if val < best - 1e-12 * max(1.0, best):
            a, best, stall = cand, val, 0
        else:
            stall += 1
            if stall >= patience:
                break
    return a


def relaxation_bound(values: np.ndarray, kill_probability: np.ndarray, *, iterations: int = 300,
                     deadline: float = math.inf) -> float:
    """Lower bound from the convex continuous relaxation (Frank-Wolfe duality gap, [4]_).

    For the convex ``F(x) = sum_j v_j exp(-sum_i a_ij x_ij)`` over the product of simplices
    ``{x >= 0, sum_j x_ij = 1}``, every ``x̄`` gives
    ``min F >= F(x̄) + sum_i min_j g_ij - sum_ij g_ij x̄_ij`` with ``g = ∇F(x̄)``. ``x̄`` is improved by
    exponentiated-gradient (mirror descent) steps; the best bound seen is returned.
    """
    v = np.asarray(values, dtype=float)
    a_exp = -np.log(np.clip(1.0 - np.asarray(kill_probability, dtype=float), _Q_MIN, 1.0))
    w, t = a_exp.shape
    x = np.full((w, t), 1.0 / t)
    best = 0.0
    eta = None
    for it in range(iterations):
        if it > 0 and time.perf_counter() > deadline:  # every iteration's bound is valid: stop early if told
            break
        f = v * np.exp(-(x * a_exp).sum(axis=0))
        g = -a_exp * f[None, :]
        gmin = g.min(axis=1, keepdims=True)
        best = max(best, float(f.sum() + gmin.sum() - (g * x).sum()))
        if eta is None:
            eta = 1.0 / max(float(np.abs(g).max()), 1e-300)
        x = x * np.exp(-eta * (g - gmin))
        x /= x.sum(axis=1, keepdims=True)
    return best


# ------------------------------------------------------------------------------------ exact
def _exact(v: np.ndarray, pk: np.ndarray, start: np.ndarray, time_limit: float, started: float) -> tuple[np.ndarray, float]:
    """Outer-approximation MILP; returns (best assignment, proven lower bound)."""
    w, t = pk.shape
    n = w * t
    a_exp = -np.log(np.clip(1.0 - pk, _Q_MIN, 1.0))
    best_a = start
    best = expected_survival(v, pk, start)
    bound = 0.0
    assign = sp.hstack([sp.kron(sp.identity(w, format="csr"), np.ones((1, t)), format="csr"), sp.csr_matrix((w, t))], format="csr")
    cut_rows = np.tile(np.arange(t), w)
    s_part = sp.csr_matrix((np.ones(t), (np.arange(t), n + np.arange(t))), shape=(t, n + t))
    cuts: list[sp.csr_matrix] = []
    rhs: list[np.ndarray] = []

    def add_cuts(e0: np.ndarray) -> None:
        c = v * np.exp(-e0)  # s_j + c_j E_j >= c_j (1 + E0_j)
        cuts.append(sp.csr_matrix(((a_exp * c[None, :]).ravel(), (cut_rows, np.arange(n))), shape=(t, n + t)) + s_part)
        rhs.append(c * (1.0 + e0))

    emax = float(a_exp.max()) * min(w, 4)
    for e0 in np.linspace(0.0, emax, 9):
        add_cuts(np.full(t, e0))
    e_start = np.zeros(t)
    np.add.at(e_start, start, a_exp[np.arange(w), start])
    add_cuts(e_start)
    c_obj = np.r_[np.zeros(n), np.ones(t)]
    integrality = np.r_[np.ones(n), np.zeros(t)]
    box = Bounds(np.zeros(n + t), np.r_[np.ones(n), np.full(t, np.inf)])
    for _ in range(200):
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0.0 or best - bound <= 1e-7 * max(best, 1e-300):
            break
        matrix = sp.vstack([assign, *cuts], format="csr")
        lo = np.r_[np.ones(w), np.concatenate(rhs)]
        hi = np.r_[np.ones(w), np.full(lo.size - w, np.inf)]
        with quiet_native_stdout():
            res = milp(c_obj, constraints=LinearConstraint(matrix, lo, hi), integrality=integrality, bounds=box,
                       options={"time_limit": max(remaining, 0.05), "mip_rel_gap": 1e-8})
        dual = getattr(res, "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual):
            bound = max(bound, float(dual))
        elif res.status == 0 and res.fun is not None:
            bound = max(bound, float(res.fun))
        if res.x is None:
            break
        a = res.x[:n].reshape(w, t).argmax(axis=1)
        val = expected_survival(v, pk, a)
        if val < best:
            best, best_a = val, a
        if res.status != 0:  # time limit inside the MILP: its bound holds, stop
            break
        e = np.zeros(t)
        np.add.at(e, a, a_exp[np.arange(w), a])
        add_cuts(e)
    return best_a, min(bound, best)


def solve_wta(values: Any, kill_probability: Any, *, method: str = "exact", time_limit: float = 60.0,
              seed: int = 0) -> WTAResult:
    """Solve a static WTA instance.

    Parameters
    ----------
    values : array_like, shape (T,)
        Value of each target (>= 0).
    kill_probability : array_like, shape (W, T)
        Kill probability of weapon ``i`` against target ``j``, in [0, 1].
    method : {"exact", "heuristic"}
        ``exact``: outer-approximation MILP, proven optimal unless ``time_limit`` stops it (the
        result then carries its gap). ``heuristic``: MMR plus local search, with the relaxation bound.
    time_limit : float
        Seconds for either method: the exact MILP stops with its gap, the heuristic with the best
        assignment found so far (``stopped_by_time_limit``), its bound still valid.
    seed : int
        Seed of the heuristic's random neighbourhood choices (results are reproducible).
    """
    if method not in METHODS:
        raise BmdlabError(f"method '{method}': must be one of {', '.join(METHODS)}")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise BmdlabError(f"time_limit: {time_limit} must be > 0 seconds")
    v, pk = check_instance(values, kill_probability)
    started = time.perf_counter()
    # the heuristic gets 80 % of the time (all of it when it is the method; it starts the MILP otherwise)
    deadline = started + (0.8 if method == "heuristic" else 0.5) * time_limit
    a = _heuristic(v, pk, seed=seed, deadline=deadline)
    stopped = time.perf_counter() > deadline
    if method == "heuristic":
        bound = min(relaxation_bound(v, pk, deadline=started + time_limit), expected_survival(v, pk, a))
        stopped = stopped or time.perf_counter() > started + time_limit
    else:
        a, bound = _exact(v, pk, a, time_limit, started)
        stopped = stopped or time.perf_counter() > started + time_limit
    return WTAResult(assignment=a, objective=expected_survival(v, pk, a), bound=bound, method=method,
                     seconds=time.perf_counter() - started, weapons=pk.shape[0], targets=pk.shape[1],
                     stopped_by_time_limit=stopped)
