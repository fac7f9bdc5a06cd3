"""Static weapon-target assignment (WTA): exact MILP with a proven bound, and a fast heuristic.

Weapons (interceptors) ``i = 0..W-1`` are each assigned to one target (incoming threat)
``j = 0..T-1``; target ``j`` has value ``v_j`` (of the asset it threatens) and weapon ``i`` kills
it with probability ``p_ij``, independently of the others. The static WTA of Ahuja et al. (2007) [1]_
minimises the expected surviving target value

.. math::  F(x) = \\sum_j v_j \\prod_i (1 - p_{ij})^{x_{ij}}, \\qquad \\sum_j x_{ij} = 1,\\; x_{ij} \\in \\{0, 1\\}.

Writing ``a_ij = -ln(1 - p_ij)`` (the kill exponent), ``F = sum_j v_j exp(-E_j)`` with
``E_j = sum_i a_ij x_ij``: a convex function of a linear map of ``x``. Both methods use that.

Weapons with identical kill-probability rows form a *type* ``k`` of ``n_k`` weapons; a plan is then
the integer counts ``x_kj`` per (type, target) with ``sum_j x_kj = n_k`` (every weapon its own type
when all rows differ). Both methods detect types and work on counts (:func:`typed_instance` makes
such instances).

``exact``
    Outer approximation [2]_: a MILP (HiGHS [3]_ through :func:`scipy.optimize.milp`) in the counts
    ``x`` and ``s_j >= v_j exp(-E_j)``, where the exponential is replaced by tangent cuts
    ``s_j >= v_j e^{-E0} (1 - (E_j - E0))``, which under-estimate it (convexity). The MILP value
    is therefore a lower bound on the optimum; the true objective of its solution is an upper bound.
    Cuts are added at each solution's exponents until the two meet (or the time limit is reached,
    then the best solution is returned with its gap). Counting identical weapons once removes their
    permutations (a 4-type x 25-weapon x 50-target instance: 54 s with one variable per weapon, 1.3 s).
``heuristic``
    Maximum marginal return (MMR) construction [1]_, then local search over two neighbourhoods until
    neither improves: (a) moving one weapon to another target or swapping two weapons' targets, and
    (b) an assignment neighbourhood in the spirit of Ahuja et al.'s very large-scale neighbourhood
    search: remove one weapon from every engaged target and reassign all of them at once, at most
    one per target, by a linear assignment problem (exact for that neighbourhood,
    :func:`scipy.optimize.linear_sum_assignment`). With several weapons of a type, a large-neighbourhood
    search over counts follows (:func:`_typed_search`: the exact best redistribution of one type at a
    time, and destroy-and-repair rounds with a randomised MMR). Its lower bound is the larger of
    two: the Frank-Wolfe (linearisation) bound of the convex continuous relaxation
    (:func:`relaxation_bound`; 3-9 % below the optimum on Ahuja's square instances, better when
    weapons outnumber targets) and, when targets are at least as many as weapons (square ones up to
    100 x 100), the Lagrangian bound over integer counts (:func:`lagrangian_bound`; it proves the
    heuristic optimal on the target-rich instances measured, where the relaxation is about 20 % low).
    The exact method gives the proven bound in general.

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
.. [5] T. Ibaraki, N. Katoh, *Resource Allocation Problems: Algorithmic Approaches*, MIT Press (1988)
       (greedy is optimal for separable convex allocation of integer units).
.. [6] P. Shaw, "Using constraint programming and local search methods to solve vehicle routing
       problems", CP 1998, LNCS 1520, 417-431 (large-neighbourhood search: destroy and repair).
.. [7] A. M. Geoffrion, "Lagrangean relaxation for integer programming", Mathematical Programming
       Study 2 (1974) 82-114 (the Lagrangian dual equals the LP over the convex hull of the
       subproblems' solutions: here the set-partitioning LP solved by column generation).
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
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp

from bmdlab.errors import BmdlabError
from bmdlab.io import DuplicateKey, json_loads_unique, quiet_native_stdout, read_input_text

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
        return {
            "assignment": [int(j) for j in self.assignment],
            "objective": float(self.objective),
            "bound": float(self.bound),
            "gap": float(self.gap),
            "optimal": bool(self.optimal),
            "method": self.method,
            "seconds": float(self.seconds),
            "weapons": self.weapons,
            "targets": self.targets,
            "stopped_by_time_limit": bool(self.stopped_by_time_limit),
        }


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


def typed_instance(weapon_types: int, per_type: int, targets: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random instance with several identical weapons of each type.

    Ahuja et al.'s [1]_ distributions (target values integers uniform on [25, 100], kill
    probabilities uniform on [0.60, 0.90]), but drawn once per weapon *type*: the ``per_type``
    weapons of a type share one kill-probability row (a battery of identical interceptors).
    Weapon ``i`` is of type ``i // per_type``. Identical weapons make the problem one of integer
    counts per (type, target); both methods of :func:`solve_wta` detect such rows and use that.

    Parameters
    ----------
    weapon_types : int
        Number of weapon types (>= 1).
    per_type : int
        Weapons of each type (>= 1).
    targets : int
        Number of targets (>= 1).
    seed : int
        Seed of the random generator.

    Returns
    -------
    values : ndarray, shape (targets,)
    kill_probability : ndarray, shape (weapon_types * per_type, targets)
    """
    for name, n in (("weapon_types", weapon_types), ("per_type", per_type), ("targets", targets)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise BmdlabError(f"typed instance: {name} = {n!r} must be an integer >= 1")
    rng = np.random.default_rng(seed)
    values = rng.integers(25, 101, size=targets).astype(float)
    rows = rng.uniform(0.60, 0.90, size=(weapon_types, targets))
    return values, np.repeat(rows, per_type, axis=0)


#: Largest target value an instance may hold (sums of products must not overflow a float).
MAX_VALUE = 1e12


def _no_booleans(items: Any, what: str) -> None:
    """JSON's true and false are not numbers (NumPy would read them as 1 and 0)."""
    if isinstance(items, (list, tuple)):
        for k, x in enumerate(items):
            if isinstance(x, (bool, np.bool_)):
                raise BmdlabError(f"{what}[{k}] = {str(x).lower()} is not a number; give a number")


def check_instance(values: Any, kill_probability: Any, where: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Validate an instance; return float arrays or raise a one-line :class:`BmdlabError` naming the field
    (``values``, ``kill_probability``), after ``where`` (the file) if given."""
    where = f"{where}: " if where else ""
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) == 0:
        raise BmdlabError(f"{where}values must be a non-empty list of target values (one per target)")
    _no_booleans(values, f"{where}values")
    if isinstance(kill_probability, (list, tuple)):
        for i, row in enumerate(kill_probability):
            _no_booleans(row, f"{where}kill_probability[{i}]")
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise BmdlabError(f"{where}values must be finite numbers, one per target") from None
    if v.ndim != 1:
        raise BmdlabError(f"{where}values must be a flat list, one number per target")
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0) | (v > MAX_VALUE))
    if bad.size:
        raise BmdlabError(f"{where}values[{bad[0]}] = {v[bad[0]]:g} must be a finite number from 0 to {MAX_VALUE:g}")
    rows = kill_probability
    if not isinstance(rows, (list, tuple, np.ndarray)) or len(rows) == 0:
        raise BmdlabError(
            f"{where}kill_probability must be a non-empty list of rows, one per weapon, each with one "
            f"probability per target ({v.size})"
        )
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple, np.ndarray)):
            raise BmdlabError(
                f"{where}kill_probability row {i} must be a list of {v.size} probabilities (one per target)"
            )
        if len(row) != v.size:
            raise BmdlabError(
                f"{where}kill_probability row {i} has {len(row)} entries, expected {v.size} (one per target)"
            )
    try:
        pk = np.asarray(rows, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise BmdlabError(f"{where}kill_probability must hold numbers in [0, 1]") from None
    if pk.ndim != 2:
        raise BmdlabError(f"{where}kill_probability must be a 2-D list of rows (weapons) of numbers (targets)")
    bad = np.argwhere(~np.isfinite(pk) | (pk < 0) | (pk > 1))
    if bad.size:
        i, j = bad[0]
        raise BmdlabError(f"{where}kill_probability[{i}][{j}] = {pk[i, j]:g} must be a probability in [0, 1]")
    return v, pk


def load_instance(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``{"values": [...], "kill_probability": [[...], ...]}`` from a JSON file."""
    path = Path(path)
    text = read_input_text(path, what="JSON instance file")
    try:
        data = json_loads_unique(text)
    except DuplicateKey as exc:
        raise BmdlabError(f"{path}: '{exc.key}' is given twice; give each key once") from None
    except json.JSONDecodeError as exc:
        raise BmdlabError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise BmdlabError(
            f"{path}: nested too deeply to be an instance; give a flat values list and a 2-D matrix"
        ) from None
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
    return float(
        v @ _survival(1.0 - np.asarray(kill_probability, dtype=float), np.asarray(assignment, dtype=int), v.size)
    )


def _survival(q: np.ndarray, a: np.ndarray, targets: int) -> np.ndarray:
    """Survival probability of each target under assignment ``a`` (``q = 1 - p``)."""
    s = np.ones(targets)
    np.multiply.at(s, a, q[np.arange(a.size), a])
    return s


# ------------------------------------------------------------------------------------ weapon types
@dataclass(frozen=True)
class _Types:
    """Weapons grouped by identical kill-probability rows: the problem in integer counts ``x_kj``."""

    kind: np.ndarray  #: type of each weapon, shape (W,)
    count: np.ndarray  #: weapons of each type ``n_k``, shape (K,)
    exponent: np.ndarray  #: kill exponent ``a_kj = -ln(1 - p_kj)`` (q clipped), shape (K, T)

    @classmethod
    def of(cls, pk: np.ndarray) -> _Types:
        rows, first, kind, count = np.unique(pk, axis=0, return_index=True, return_inverse=True, return_counts=True)
        order = np.argsort(first)  # types in order of their first weapon (all weapons distinct: weapon order)
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return cls(
            kind=rank[np.asarray(kind).ravel()],
            count=count[order].astype(np.int64),
            exponent=-np.log(np.clip(1.0 - rows[order], _Q_MIN, 1.0)),
        )

    def counts(self, assignment: np.ndarray) -> np.ndarray:
        """``x_kj``, the weapons of type ``k`` on target ``j``."""
        x = np.zeros(self.exponent.shape, dtype=np.int64)
        np.add.at(x, (self.kind, assignment), 1)
        return x

    def assignment(self, x: np.ndarray) -> np.ndarray:
        """A weapon assignment with counts ``x`` (weapons of a type in index order)."""
        a = np.empty(self.kind.size, dtype=int)
        targets = np.arange(x.shape[1])
        for k in range(x.shape[0]):
            a[np.flatnonzero(self.kind == k)] = np.repeat(targets, x[k])
        return a

    def objective(self, v: np.ndarray, x: np.ndarray) -> float:
        return float(v @ np.exp(-(self.exponent * x).sum(axis=0)))


def _best_type_distribution(v: np.ndarray, types: _Types, x: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Optimal counts of type ``k`` over the targets, the other types fixed, and the objective.

    With the others fixed, target ``j`` keeps ``r_j = v_j exp(-sum_{l != k} a_lj x_lj)`` and the
    objective ``sum_j r_j exp(-a_kj x_kj)`` is separable and convex in each integer ``x_kj``, so
    giving the ``n_k`` weapons one at a time to the largest marginal return is optimal (greedy is
    exact for separable convex resource allocation; Ibaraki & Katoh 1988 [5]_).
    """
    a = types.exponent
    r = v * np.exp(-((a * x).sum(axis=0) - a[k] * x[k]))
    kill = -np.expm1(-a[k])
    c = np.zeros(x.shape[1], dtype=np.int64)
    for _ in range(int(types.count[k])):
        j = int(np.argmax(r * kill))
        c[j] += 1
        r[j] -= r[j] * kill[j]
    return c, float(r.sum())


def _type_descent(v: np.ndarray, types: _Types, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Redistribute one type at a time optimally until no type's redistribution improves."""
    x = x.copy()
    best = types.objective(v, x)
    improved = True
    while improved:
        improved = False
        for k in rng.permutation(x.shape[0]):
            c, val = _best_type_distribution(v, types, x, int(k))
            if val < best - 1e-12 * max(1.0, best):
                x[k], best, improved = c, val, True
    return x, best


def _noisy_repair(
    v: np.ndarray, types: _Types, x: np.ndarray, free: np.ndarray, rng: np.random.Generator, noise: float
) -> np.ndarray:
    """Give the ``free`` weapons (per type) back one at a time to the largest marginal return, each
    return scaled by a random factor in ``[1 - noise, 1 + noise]`` (a randomised MMR)."""
    x, free = x.copy(), free.copy()
    kill = -np.expm1(-types.exponent)
    left = v * np.exp(-(types.exponent * x).sum(axis=0))
    for _ in range(int(free.sum())):
        gain = kill * left[None, :] * rng.uniform(1.0 - noise, 1.0 + noise, size=kill.shape)
        gain[free == 0] = -1.0
        k, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
        x[k, j] += 1
        free[k] -= 1
        left[j] -= left[j] * kill[k, j]
    return x


@dataclass(frozen=True)
class _SearchSettings:
    """The large-neighbourhood search's settings: stop after ``patience`` rounds without improvement or
    ``max_rounds`` in all; each round empties a share of the engaged targets drawn from ``destroy`` and
    repairs with gains perturbed by up to ``noise``."""

    patience: int = 60
    max_rounds: int = 300
    destroy: tuple[float, float] = (0.1, 0.4)
    noise: float = 0.3


def _typed_search(
    v: np.ndarray,
    q: np.ndarray,
    types: _Types,
    a: np.ndarray,
    rng: np.random.Generator,
    *,
    settings: _SearchSettings = _SearchSettings(),
    deadline: float = math.inf,
) -> np.ndarray:
    """Large-neighbourhood search over counts for instances with several identical weapons per type.

    Each round empties a random 10-40 % of the engaged targets, gives their weapons back by a randomised
    MMR, then descends with :func:`_type_descent` and the move/swap search; a better result is kept.
    Destroy-and-repair after Shaw (1998) [6]_; the randomisation lets repeated rounds leave the
    local optima that chains of single moves cannot (the counts of several types must change at once).
    """
    x, best = _type_descent(v, types, types.counts(a), rng)

    def round_(x: np.ndarray) -> tuple[np.ndarray, float]:
        y = x.copy()
        engaged = np.flatnonzero(y.sum(axis=0) > 0)
        cut = rng.choice(
            engaged, size=min(engaged.size, max(2, int(rng.uniform(*settings.destroy) * engaged.size))), replace=False
        )
        free = y[:, cut].sum(axis=1)
        y[:, cut] = 0
        y, _ = _type_descent(v, types, _noisy_repair(v, types, y, free, rng, settings.noise), rng)
        return _type_descent(v, types, types.counts(_move_swap(v, q, types.assignment(y), deadline)), rng)

    return types.assignment(
        _keep_improving(round_, x, best, patience=settings.patience, max_rounds=settings.max_rounds, deadline=deadline)
    )


def _keep_improving(step, x, best: float, *, patience: int, max_rounds: int, deadline: float):
    """Repeat ``step(x) -> (candidate, value)``, keeping a candidate that lowers the value, until
    ``patience`` rounds in a row fail, ``max_rounds`` are done or the deadline passes."""
    stall = 0
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            break
        cand, val = step(x)
        if val < best - 1e-12 * max(1.0, best):
            x, best, stall = cand, val, 0
        else:
            stall += 1
            if stall >= patience:
                break
    return x


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


def _heuristic(
    v: np.ndarray,
    pk: np.ndarray,
    *,
    seed: int = 0,
    patience: int = 15,
    max_rounds: int = 200,
    deadline: float = math.inf,
) -> np.ndarray:
    q = np.clip(1.0 - pk, _Q_MIN, 1.0)
    a = _move_swap(v, q, _mmr(v, pk, deadline), deadline)
    best = expected_survival(v, pk, a)
    rng = np.random.default_rng(seed)

    def round_(a: np.ndarray) -> tuple[np.ndarray, float]:
        cand = _move_swap(v, q, _assignment_neighbourhood(v, q, a, rng))
        return cand, expected_survival(v, pk, cand)

    a = _keep_improving(round_, a, best, patience=patience, max_rounds=max_rounds, deadline=deadline)
    types = _Types.of(pk)
    if types.count.max() > 1:  # several identical weapons of a type: search over counts too
        a = _typed_search(v, q, types, a, rng, deadline=deadline)
    return a


def relaxation_bound(
    values: np.ndarray, kill_probability: np.ndarray, *, iterations: int = 300, deadline: float = math.inf
) -> float:
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


def _target_price(
    v: float, a: np.ndarray, mu: np.ndarray, n: np.ndarray, node_limit: int, guess: np.ndarray | None = None
) -> tuple[float, float, np.ndarray]:
    """``h(mu) = min_c v exp(-a·c) + mu·c`` over integer counts ``0 <= c <= n``, by branch and bound.

    Returns ``(lower bound on h, best value found, its counts)``; the two agree unless ``node_limit``
    stopped the search (the bound then takes the continuous relaxation of the unexplored nodes).
    A type with ``v (1 - e^{-a_k}) <= mu_k`` is never worth a unit (removing a unit from any ``c``
    changes the value by ``mu_k - v e^{-A'} (1 - e^{-a_k}) >= 0``), so only the others are searched,
    in increasing order of price per unit of exponent ``mu_k / a_k``. The continuous relaxation of
    the types not yet fixed (fill them in that order while ``v e^{-A}`` exceeds their price per
    exponent, the last one fractionally) bounds each node; ``guess`` (counts) is a first incumbent.
    """
    cand = np.flatnonzero(v * -np.expm1(-a) > mu)
    best_c = np.zeros(a.size, dtype=np.int64)
    if cand.size == 0:
        return v, v, best_c
    ratio = mu[cand] / a[cand]
    order = cand[np.argsort(ratio, kind="stable")]
    ak, mk, nk, rk = a[order], mu[order], n[order], mu[order] / a[order]
    m = order.size
    incumbent = [v, np.zeros(m, dtype=np.int64)]
    if guess is not None and not np.any(guess[np.setdiff1d(np.arange(a.size), cand)]):  # a known column
        value = v * math.exp(-float(a @ guess)) + float(mu @ guess)
        if value < v:
            incumbent = [value, guess[order].astype(np.int64)]
    nodes = [0]
    c = np.zeros(m, dtype=np.int64)

    def relaxation(pos: int, e: float, cost: float) -> float:
        left = v * math.exp(-e)
        for k in range(pos, m):
            if left <= rk[k]:
                break
            full = left * math.exp(-ak[k] * nk[k])
            if full >= rk[k]:
                cost += mk[k] * nk[k]
                left = full
            else:  # the fractional type: stop where v e^{-A} equals its price per exponent
                cost += rk[k] * math.log(left / rk[k])
                left = rk[k]
                break
        return cost + left

    def search(pos: int, e: float, cost: float) -> float:
        here = v * math.exp(-e) + cost
        if here < incumbent[0]:
            incumbent[0], incumbent[1] = here, c.copy()
        if pos == m:
            return here
        bound = relaxation(pos, e, cost)
        if bound >= incumbent[0] - 1e-12 * max(1.0, abs(incumbent[0])):
            return bound
        nodes[0] += 1
        if nodes[0] > node_limit:
            return bound
        # units of type pos worth buying: v e^{-e - a (u-1)} (1 - e^{-a}) > mu  =>  u <= top
        gain = v * math.exp(-e) * -math.expm1(-ak[pos])
        if mk[pos] <= 0.0:
            top = int(nk[pos])
        elif gain <= mk[pos]:
            top = 0
        else:
            top = min(int(nk[pos]), math.floor(math.log(gain / mk[pos]) / ak[pos]) + 1)
        low = math.inf
        for u in range(top, -1, -1):
            c[pos] = u
            low = min(low, search(pos + 1, e + ak[pos] * u, cost + mk[pos] * u))
        c[pos] = 0
        return low

    low = min(search(0, 0.0, 0.0), incumbent[0])
    best_c[order] = incumbent[1]
    return low, incumbent[0], best_c


def _lagrangian(
    v: np.ndarray,
    types: _Types,
    start: np.ndarray | None,
    *,
    deadline: float = math.inf,
    max_rounds: int = 60,
    node_limit: int = 2000,
) -> float:
    """The Lagrangian bound of :func:`lagrangian_bound`, its prices from column generation."""
    a, n = types.exponent, types.count
    k_types, t = a.shape
    mu = np.zeros(k_types)
    best = 0.0
    cols_j: list[int] = []
    cols_c: list[np.ndarray] = []
    seen: set[tuple[int, bytes]] = set()

    def add(j: int, c: np.ndarray) -> bool:
        key = (j, c.tobytes())
        if key in seen:
            return False
        seen.add(key)
        cols_j.append(j)
        cols_c.append(c.astype(np.int64))
        return True

    zero = np.zeros(k_types, dtype=np.int64)
    for j in range(t):
        add(j, zero)
    eye = np.eye(k_types, dtype=np.int64)
    for k in range(k_types):
        for j in range(t):
            add(j, eye[k])
    x = None if start is None else types.counts(start)
    if x is not None:
        for j in range(t):
            add(j, x[:, j])

    def evaluate(mu: np.ndarray, z: np.ndarray | None) -> float:
        """``L(mu)``; columns pricing out below ``z`` are added (returns the bound, sets ``added``)."""
        total = -float(mu @ n)
        added[0] = 0
        for j in range(t):
            limit = node_limit if time.perf_counter() <= deadline else 0  # late: the root relaxation only
            low, val, c = _target_price(float(v[j]), a[:, j], mu, n, limit, None if x is None else x[:, j])
            total += low
            if z is not None and val < z[j] - 1e-9 * max(1.0, abs(z[j])):
                added[0] += add(j, c)
        return total

    added = [0]
    if time.perf_counter() > deadline:
        return 0.0
    if x is not None:  # prices read off the plan: the largest marginal return of one more weapon of each type
        left = v * np.exp(-(a * x).sum(axis=0))
        best = max(best, evaluate((-np.expm1(-a) * left[None, :]).max(axis=1), None))
    for _ in range(max_rounds):
        if time.perf_counter() > deadline:
            break
        cj = np.asarray(cols_j)
        cc = np.asarray(cols_c).T  # (K, columns)
        cost = v[cj] * np.exp(-(a[:, cj] * cc).sum(axis=0))
        one_each = sp.csr_matrix((np.ones(cj.size), (cj, np.arange(cj.size))), shape=(t, cj.size))
        with quiet_native_stdout():
            lp = linprog(
                cost,
                A_ub=sp.csr_matrix(cc),
                b_ub=n.astype(float),
                A_eq=one_each,
                b_eq=np.ones(t),
                bounds=(0, None),
                method="highs",
            )
        if lp.status != 0:
            break
        mu = np.maximum(0.0, -np.asarray(lp.ineqlin.marginals))  # price of a weapon of each type
        best = max(best, evaluate(mu, np.asarray(lp.eqlin.marginals)))
        if added[0] == 0:
            break
    return best


def lagrangian_bound(
    values: Any, kill_probability: Any, *, assignment: Any = None, deadline: float = math.inf
) -> float:
    """Lower bound from the Lagrangian relaxation of the one-target-per-weapon constraints [1]_ [7]_.

    Group identical weapons into types ``k`` (``n_k`` weapons, kill exponent ``a_kj``); a plan is the
    integer counts ``x_kj`` with ``sum_j x_kj = n_k``. For any prices ``mu_k >= 0`` per weapon of type
    ``k`` and any plan,

    .. math::  F(x) = \\sum_j \\big[v_j e^{-a_{\\cdot j} \\cdot x_{\\cdot j}} + \\mu \\cdot x_{\\cdot j}\\big]
               - \\mu \\cdot n \\;\\ge\\; \\sum_j h_j(\\mu) - \\mu \\cdot n,
       \\qquad h_j(\\mu) = \\min_{c \\in \\mathbb{Z}^K,\\, 0 \\le c \\le n} v_j e^{-a_{\\cdot j} \\cdot c} + \\mu \\cdot c,

    an identity followed by one minimisation per target: each target buys the weapons it wants at
    the prices, with integer counts (which is what the continuous relaxation of
    :func:`relaxation_bound` gives away: it may give a target 0.4 of a weapon, and is loose when
    targets outnumber weapons). Each ``h_j`` is solved exactly by branch and bound over counts
    (lower-bounded by continuous relaxations if a node limit is hit), so the bound holds for any
    ``mu``. The prices come from column generation on the set-partitioning LP (one count vector per
    target, ``sum_j c_j <= n``), whose dual prices maximise this Lagrangian bound when no column prices
    out (Geoffrion 1974 [7]_); any earlier stop still gives a valid bound.

    Parameters
    ----------
    values, kill_probability : array_like
        The instance, as for :func:`solve_wta`.
    assignment : array_like, optional
        A target per weapon (e.g. a heuristic's) whose per-target weapons seed the columns.
    deadline : float
        :func:`time.perf_counter` time after which column generation stops (the bound stays valid).
    """
    v, pk = check_instance(values, kill_probability, where="lagrangian_bound")
    start = None
    if assignment is not None:
        start = np.asarray(assignment)
        if (
            start.shape != (pk.shape[0],)
            or not np.issubdtype(start.dtype, np.integer)
            or start.min() < 0
            or start.max() >= pk.shape[1]
        ):
            raise BmdlabError(
                f"lagrangian_bound: assignment must hold one target index in [0, {pk.shape[1] - 1}] "
                f"per weapon ({pk.shape[0]})"
            )
    return _lagrangian(v, _Types.of(pk), start, deadline=deadline)


# ------------------------------------------------------------------------------------ exact
def _exact(
    v: np.ndarray, types: _Types, start: np.ndarray, time_limit: float, started: float
) -> tuple[np.ndarray, float]:
    """Outer-approximation MILP over counts per (type, target); returns (best assignment, proven lower bound).

    Variables: ``x_kj`` integer in ``[0, n_k]`` (weapons of type ``k`` on target ``j``; binary when
    every weapon is its own type) and ``s_j >= 0``. Rows: ``sum_j x_kj = n_k`` and, per target and
    linearisation point ``E0``, the tangent cut ``s_j + c_j sum_k a_kj x_kj >= c_j (1 + E0_j)`` with
    ``c_j = v_j e^{-E0_j}``. Counting identical weapons once removes their permutations from the search.
    """
    a_exp, n_k = types.exponent, types.count
    k_types, t = a_exp.shape
    nx = k_types * t  # x block: column k * t + j
    col_x = np.arange(nx).reshape(k_types, t)
    col_s = nx + np.arange(t)  # s block

    def counts_of(sol: np.ndarray) -> np.ndarray:
        return np.rint(sol[col_x]).astype(np.int64)

    best_x = types.counts(start)
    best = types.objective(v, best_x)
    bound = 0.0
    each_type_used = sp.csr_matrix(
        (np.ones(nx), (np.repeat(np.arange(k_types), t), col_x.ravel())), shape=(k_types, nx + t)
    )
    s_of_target = sp.csr_matrix((np.ones(t), (np.arange(t), col_s)), shape=(t, nx + t))
    cut_target = np.tile(np.arange(t), k_types)  # the target of each x column, in column order
    cuts: list[sp.csr_matrix] = []
    rhs: list[np.ndarray] = []

    def add_cuts(e0: np.ndarray) -> None:
        c = v * np.exp(-e0)  # s_j + c_j E_j >= c_j (1 + E0_j)
        cuts.append(
            sp.csr_matrix(((a_exp * c[None, :]).ravel(), (cut_target, col_x.ravel())), shape=(t, nx + t)) + s_of_target
        )
        rhs.append(c * (1.0 + e0))

    emax = float(a_exp.max()) * min(int(n_k.sum()), 4)
    for e0 in np.linspace(0.0, emax, 9):
        add_cuts(np.full(t, e0))
    add_cuts((a_exp * best_x).sum(axis=0))
    c_obj = np.r_[np.zeros(nx), np.ones(t)]
    integrality = np.r_[np.ones(nx), np.zeros(t)]
    box = Bounds(np.zeros(nx + t), np.r_[np.repeat(n_k.astype(float), t), np.full(t, np.inf)])
    for _ in range(200):
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0.0 or best - bound <= 1e-7 * max(best, 1e-300):
            break
        matrix = sp.vstack([each_type_used, *cuts], format="csr")
        lo = np.r_[n_k.astype(float), np.concatenate(rhs)]
        hi = np.r_[n_k.astype(float), np.full(lo.size - k_types, np.inf)]
        with quiet_native_stdout():
            res = milp(
                c_obj,
                constraints=LinearConstraint(matrix, lo, hi),
                integrality=integrality,
                bounds=box,
                options={"time_limit": max(remaining, 0.05), "mip_rel_gap": 1e-8},
            )
        dual = getattr(res, "mip_dual_bound", None)
        if dual is not None and math.isfinite(dual):
            bound = max(bound, float(dual))
        elif res.status == 0 and res.fun is not None:
            bound = max(bound, float(res.fun))
        if res.x is None:
            break
        x = counts_of(res.x)
        val = types.objective(v, x)
        if val < best:
            best, best_x = val, x
        if res.status != 0:  # time limit inside the MILP: its bound holds, stop
            break
        add_cuts((a_exp * x).sum(axis=0))
    return types.assignment(best_x), min(bound, best)


def solve_wta(
    values: Any, kill_probability: Any, *, method: str = "exact", time_limit: float = 60.0, seed: int = 0
) -> WTAResult:
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
        # the Lagrangian bound (tight when targets outnumber weapons; slow to price on large square
        # instances) gets twice the search's time, at least 0.3 s, within the limit; the relaxation
        # bound (better when weapons outnumber targets) the rest
        now = time.perf_counter()
        lagrangian = 0.0
        w, t = pk.shape
        if w < t or (w == t and w * t <= 10_000):
            lagrangian = _lagrangian(
                v, _Types.of(pk), a, deadline=min(started + time_limit, now + max(0.3, 2.0 * (now - started)))
            )
        relaxed = relaxation_bound(v, pk, deadline=started + time_limit)
        bound = min(max(lagrangian, relaxed), expected_survival(v, pk, a))
        stopped = stopped or time.perf_counter() > started + time_limit
    else:
        a, bound = _exact(v, _Types.of(pk), a, time_limit, started)
        stopped = stopped or time.perf_counter() > started + time_limit
    return WTAResult(
        assignment=a,
        objective=expected_survival(v, pk, a),
        bound=bound,
        method=method,
        seconds=time.perf_counter() - started,
        weapons=pk.shape[0],
        targets=pk.shape[1],
        stopped_by_time_limit=stopped,
    )
