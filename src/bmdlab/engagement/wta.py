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
    On counts by type throughout, compiled with Numba. Maximum marginal return (MMR) construction
    [1]_, then a descent: moves of one weapon and swaps of two (best first, re-examining only the
    targets a change touched; with no improving move left each type's weapons are also distributed
    best given the others [5]_), alternated with rounds of two very large neighbourhoods, each solved
    exactly as a sparse assignment problem by cancelling negative cycles [11]_ [12]_: Ahuja et al.'s
    assignment neighbourhood [1]_ (take one weapon from each of a random share of the engaged
    targets and give them all back at once, at most one per target: every chain of weapons passed
    from target to target) and bundle exchanges (move whole engagements, all the weapons on a
    target, to other targets, at most one per target). An iterated local search [9]_ follows:
    perturb (ruin and recreate [8]_: empty 5-11 % of the targets, related ones [6]_, and give their
    weapons back by a randomised MMR; or an assignment round on noisy costs), descend again, and
    keep the result by record-to-record travel [10]_. The number of perturbations depends only on
    the instance's size, so a seed gives one answer (the time limit only cuts it short): about 2 s
    for 900 weapons of 300 types against 600 targets, within 0.4 % of the best known value on every
    published instance of Andersen, Pavlikov and Toffolo [13]_ measured
    (``benchmarks/wta_published.py``). Its lower bound is the larger of two: the Frank-Wolfe
    (linearisation) bound of the convex continuous relaxation (:func:`relaxation_bound`; 3-9 %
    below the optimum on Ahuja's square instances, better when weapons outnumber targets, but 0 on
    instances with many more weapons than targets and tiny surviving values) and, when targets are
    at least as many as weapons (square ones up to 100 x 100), the Lagrangian bound over integer
    counts (:func:`lagrangian_bound`; it proves the heuristic optimal on the target-rich instances
    measured, where the relaxation is about 20 % low). Both get time in proportion to the search.
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
.. [8] G. Schrimpf, J. Schneider, H. Stamm-Wilbrandt, G. Dueck, "Record breaking optimization results
       using the ruin and recreate principle", Journal of Computational Physics 159 (2000) 139-171.
.. [9] H. R. Lourenço, O. C. Martin, T. Stützle, "Iterated local search", in F. Glover,
       G. A. Kochenberger (eds.), *Handbook of Metaheuristics*, Kluwer (2003) 321-353.
.. [10] G. Dueck, "New optimization heuristics: the great deluge algorithm and the record-to-record
        travel", Journal of Computational Physics 104 (1993) 86-92.
.. [11] M. Klein, "A primal method for minimal cost flows with applications to the assignment and
        transportation problems", Management Science 14(3) (1967) 205-220.
.. [12] B. V. Cherkassky, A. V. Goldberg, "Negative-cycle detection algorithms", Mathematical
        Programming 85 (1999) 277-311.
.. [13] A. C. Andersen, K. Pavlikov, T. A. M. Toffolo, "Weapon-target assignment problem: exact and
        approximate solution algorithms", Annals of Operations Research (2022),
        doi:10.1007/s10479-022-04525-6. Instances and results: https://github.com/tuliotoffolo/wta.
.. [14] S. Vigna, "An experimental exploration of Marsaglia's xorshift generators, scrambled", ACM
        Transactions on Mathematical Software 42(4) (2016) 30 (xorshift64*).
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
from numba import njit
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

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
    cells = np.argwhere(~np.isfinite(pk) | (pk < 0) | (pk > 1))
    if cells.size:
        i, j = cells[0]
        raise BmdlabError(f"{where}kill_probability[{i}][{j}] = {pk[i, j]:g} must be a probability in [0, 1]")
    return v, pk


def load_instance(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read an instance file: bmdlab's JSON, or the text format of Andersen, Pavlikov and Toffolo [13]_.

    JSON: ``{"values": [...], "kill_probability": [[...], ...]}`` (one row per weapon). A file whose
    first line is numbers instead (``W T m``) is read as the published format
    (:func:`read_published_instance`). Returns ``(values, kill_probability)``; a bad file raises a
    one-line :class:`BmdlabError` naming it and what is wrong.
    """
    path = Path(path)
    text = read_input_text(path, what="WTA instance file (JSON, or the Andersen-Pavlikov-Toffolo text format)")
    if _looks_published(text):
        return read_published_instance(text, where=str(path))
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


#: Largest weapons x targets a published-format header may announce (the kill-probability matrix it expands to).
_MAX_CELLS = 20_000_000


def _looks_published(text: str) -> bool:
    """True when the first line holds two or more tokens and starts with an ASCII digit (a JSON instance
    starts with ``{``; a lone number is left to the JSON reader, which says what it should be)."""
    first = text.lstrip().split("\n", 1)[0].split()
    return len(first) >= 2 and first[0][:1] in "0123456789"


def read_published_instance(text: str, *, where: str = "instance") -> tuple[np.ndarray, np.ndarray]:
    """Parse the text format of the instances of Andersen, Pavlikov and Toffolo [13]_.

    The format, as their files are laid out::

        W T m            weapon types, targets, weapons of each type
        v_0              T lines: the value of each target
        ...
        i j p_ij         W x T lines: weapon type i (0..W-1), target j (0..T-1), kill probability

    Numbers may be spread over lines in any way (they are read in order), but every (type, target) pair
    must be given exactly once. Returns ``(values, kill_probability)`` with ``m`` identical rows per type
    (weapon ``i * m + c`` is of type ``i``), as :func:`solve_wta` takes them; a malformed text raises a
    one-line :class:`BmdlabError` that starts with ``where`` and names the line.
    """
    lines = text.splitlines()
    head_line, types, targets, per_type = _published_header(lines, where)
    body = lines[head_line + 1 :]
    tokens = "\n".join(body).split()
    expected = targets + 3 * types * targets
    if len(tokens) != expected:
        raise BmdlabError(
            f"{where}: {len(tokens)} numbers after the header '{types} {targets} {per_type}', which announces "
            f"{targets} target values and {types * targets} lines 'type target probability' ({expected} numbers)"
        )

    def line_of(token: int) -> int:
        """The file line holding token number ``token`` (counted after the header)."""
        seen = 0
        for n, line in enumerate(body):
            seen += len(line.split())
            if seen > token:
                return head_line + 2 + n
        return head_line + 1 + len(body)

    try:
        numbers = np.asarray(tokens, dtype=float)
    except ValueError:
        bad = next((n for n, tok in enumerate(tokens) if not _is_number(tok)), 0)
        raise BmdlabError(f"{where}: line {line_of(bad)}: '{tokens[bad][:30]}' is not a number") from None
    values = numbers[:targets]
    wrong = np.flatnonzero(~np.isfinite(values) | (values < 0) | (values > MAX_VALUE))
    if wrong.size:
        raise BmdlabError(
            f"{where}: line {line_of(int(wrong[0]))}: target value {values[wrong[0]]:g} must be a finite number "
            f"from 0 to {MAX_VALUE:g}"
        )
    rows = numbers[targets:].reshape(-1, 3)
    for column, name, top in ((0, "weapon type", types), (1, "target", targets)):
        x = rows[:, column]
        wrong = np.flatnonzero(~np.isfinite(x) | (x != np.round(x)) | (x < 0) | (x >= top))
        if wrong.size:
            k = int(wrong[0])
            raise BmdlabError(
                f"{where}: line {line_of(targets + 3 * k)}: {name} '{tokens[targets + 3 * k + column]}' must be a "
                f"whole number from 0 to {top - 1}"
            )
    p = rows[:, 2]
    wrong = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if wrong.size:
        k = int(wrong[0])
        raise BmdlabError(
            f"{where}: line {line_of(targets + 3 * k)}: kill probability {p[k]:g} (type {int(rows[k, 0])}, target "
            f"{int(rows[k, 1])}) must be in [0, 1]"
        )
    cell = rows[:, 0].astype(np.int64) * targets + rows[:, 1].astype(np.int64)
    _, first, count = np.unique(cell, return_index=True, return_counts=True)
    if count.size < cell.size:  # as many lines as pairs: a pair given twice leaves another missing
        k = int(np.sort(first[count > 1])[0])
        again = int(np.flatnonzero(cell == cell[k])[1])
        raise BmdlabError(
            f"{where}: line {line_of(targets + 3 * again)}: type {int(rows[k, 0])}, target {int(rows[k, 1])} is "
            f"given twice (first on line {line_of(targets + 3 * k)}); give each pair once"
        )
    pk = np.empty((types, targets))
    pk.flat[cell] = p
    return check_instance(values, np.repeat(pk, per_type, axis=0), where=where)


def _published_header(lines: list[str], where: str) -> tuple[int, int, int, int]:
    """The header line of the published format: ``(its line index, weapon types, targets, weapons per type)``."""
    head_line = next((n for n, line in enumerate(lines) if line.strip()), None)
    if head_line is None:
        raise BmdlabError(f"{where}: empty; give an instance")
    head = lines[head_line].split()
    if len(head) != 3 or not all(h.isascii() and h.isdigit() for h in head):
        raise BmdlabError(
            f"{where}: line {head_line + 1} must be three whole numbers 'weapon-types targets weapons-per-type' "
            f"(Andersen-Pavlikov-Toffolo format), not '{lines[head_line].strip()[:60]}'"
        )
    types, targets, per_type = (int(h) for h in head)
    if min(types, targets, per_type) < 1:
        raise BmdlabError(
            f"{where}: line {head_line + 1}: weapon types ({types}), targets ({targets}) and weapons per type "
            f"({per_type}) must each be at least 1"
        )
    if types * per_type * targets > _MAX_CELLS:
        raise BmdlabError(
            f"{where}: line {head_line + 1}: {types} types x {per_type} weapons x {targets} targets is more than "
            f"the {_MAX_CELLS:,} weapon-target pairs an instance may have"
        )
    return head_line, types, targets, per_type


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


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


# ------------------------------------------------------------------------------------ heuristic
# The heuristic works on weapons grouped by type (``wtype[u]``: the type of unit ``u``, units of a type
# consecutive) and keeps, per target ``j``, the kill exponent ``E_j`` and the surviving value
# ``r_j = v_j exp(-E_j)``. With ``q = e^{-a}``, a weapon of type ``k`` leaving target ``j`` raises F by
# ``r_j (1/q_kj - 1)`` and one arriving lowers it by ``r_j (1 - q_kj)``: every move below is priced exactly
# from ``r``. The compiled parts (Numba, cached on disk) take arrays in four tuples and change them in
# place: ``model = (v, a, q, kill, grow)`` (values, kill exponents ``a_kj``, ``q = e^{-a}``, ``1 - q`` and
# ``1/q - 1``), ``plan = (wtype, tgt, exps, r)`` (each unit's type and target, each target's ``E_j`` and
# ``r_j``), ``lists = (type_targets, target_types)`` (candidates: the targets each type kills best, the
# types that kill each target best) and ``work = (active, stack, mark, stamp, state)`` (the targets to
# re-examine, scratch, and the random generator's state). The module constants they read (``_MAX_CANCEL``,
# ``_RHO_LOW``) are fixed when they are compiled.


@njit(cache=True)
def _uniform(state: np.ndarray) -> float:
    """Next number in [0, 1) of a xorshift64* generator [14]_ whose state is ``state[0]``."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return float((x * np.uint64(0x2545F4914F6CDD1D)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _below(state: np.ndarray, n: int) -> int:
    """A uniform integer in [0, n)."""
    return min(int(_uniform(state) * n), n - 1)


@njit(cache=True)
def _push(j: int, stack: np.ndarray, nstack: int, active: np.ndarray) -> int:
    """Put target ``j`` on the stack of targets to re-examine (once); return the new stack size."""
    if not active[j]:
        active[j] = True
        stack[nstack] = j
        nstack += 1
    return nstack


@njit(cache=True)
def _mmr_counts(v: np.ndarray, kill: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Maximum marginal return over types: repeatedly give a weapon of the type and target that remove the
    most value (``r_j (1 - q_kj)``), ``count[k]`` weapons of type ``k``; returns the counts ``x_kj``.
    Only the types whose best target was the one just served need a new scan."""
    k_types, t = kill.shape
    r = v.copy()
    x = np.zeros((k_types, t), np.int64)
    left = count.copy()
    best_j = np.zeros(k_types, np.int64)
    best_g = np.full(k_types, -1.0)
    for k in range(k_types):
        for j in range(t):
            if r[j] * kill[k, j] > best_g[k]:
                best_g[k] = r[j] * kill[k, j]
                best_j[k] = j
    for _ in range(count.sum()):
        kk = -1
        g = -2.0
        for k in range(k_types):
            if left[k] > 0 and best_g[k] > g:
                g = best_g[k]
                kk = k
        j = best_j[kk]
        x[kk, j] += 1
        left[kk] -= 1
        r[j] -= r[j] * kill[kk, j]
        for k in range(k_types):
            if left[k] > 0 and best_j[k] == j:
                best_g[k] = -1.0
                for jj in range(t):
                    if r[jj] * kill[k, jj] > best_g[k]:
                        best_g[k] = r[jj] * kill[k, jj]
                        best_j[k] = jj
    return x


@njit(cache=True)
def _local_search(model, plan, work, nstack):
    """Best-improvement moves (one weapon to another target) and swaps (two weapons of different types trade
    targets) involving a target on the stack, until the stack is empty. A target leaves the stack when no
    move or swap involving it improves; the two targets a change touches go back on it, so at the end no
    move or swap improves at all (a move or swap changes F only through its two targets). With no
    improving move, each type's weapons are distributed optimally given the other types' (F is then
    separable and convex in the type's counts, where single moves suffice [5]_)."""
    v, a, q, kill, grow = model
    wtype, tgt, exps, r = plan
    active, stack, mark, stamp, _ = work
    w = wtype.size
    t = r.size
    tol = 1e-12 * r.sum()
    while nstack > 0:
        j = stack[nstack - 1]
        best = -tol
        kind = 0
        bu = -1
        bw = -1
        bj = -1
        stamp[0] += 1
        rj = r[j]
        for u in range(w):
            j2 = tgt[u]
            k = wtype[u]
            if j2 == j:
                if mark[k] == stamp[0]:  # a second weapon of the same type here: the same moves
                    continue
                mark[k] = stamp[0]
                release = rj * grow[k, j]
                for jj in range(t):
                    if jj != j and release - r[jj] * kill[k, jj] < best:
                        best = release - r[jj] * kill[k, jj]
                        kind, bu, bj = 1, u, jj
                for x in range(w):
                    j3 = tgt[x]
                    m = wtype[x]
                    if j3 == j or m == k:
                        continue
                    d = rj * (q[m, j] / q[k, j] - 1.0) + r[j3] * (q[k, j3] / q[m, j3] - 1.0)
                    if d < best:
                        best = d
                        kind, bu, bw = 2, u, x
            elif r[j2] * grow[k, j2] - rj * kill[k, j] < best:
                best = r[j2] * grow[k, j2] - rj * kill[k, j]
                kind, bu, bj = 1, u, j
        if kind == 0:
            nstack -= 1
            active[j] = False
            continue
        if kind == 1:
            j0 = tgt[bu]
            k = wtype[bu]
            exps[j0] -= a[k, j0]
            exps[bj] += a[k, bj]
            tgt[bu] = bj
        else:
            j0 = tgt[bu]
            bj = tgt[bw]
            k = wtype[bu]
            m = wtype[bw]
            exps[j0] += a[m, j0] - a[k, j0]
            exps[bj] += a[k, bj] - a[m, bj]
            tgt[bu] = bj
            tgt[bw] = j0
        r[j0] = v[j0] * math.exp(-exps[j0])
        r[bj] = v[bj] * math.exp(-exps[bj])
        nstack = _push(j0, stack, nstack, active)
        nstack = _push(bj, stack, nstack, active)
    return nstack


@njit(cache=True)
def _cancel_negative_cycles(n, t, ptr, cols, costs, own):
    """Minimum-cost assignment of ``n`` rows to distinct columns among ``t``, over the arcs of row ``i``
    (``cols[ptr[i]:ptr[i+1]]``, costs alike), starting from the assignment ``own`` (distinct columns,
    each among its row's arcs). Klein's (1967) primal method [11]_: while the residual graph has a
    negative cycle, send flow round it. Nodes are the columns and a sink ``Z``: arc ``c -> c'`` moves the
    row now on ``c`` to ``c'`` (cost difference), ``Z -> c`` lets column ``c`` give its row up, ``c -> Z``
    lets a free column take one. Cycles are found by Bellman-Ford with a first-in first-out queue from
    all nodes at distance 0, the predecessor graph searched for a cycle after every ``t + 1``
    relaxations (every such cycle is negative; Cherkassky and Goldberg 1999 [12]_), and all the cycles
    found, disjoint, are cancelled at once. No cycle left: the assignment is optimal over the arcs given."""
    col = own.copy()
    cur = np.zeros(n)
    for i in range(n):
        for e in range(ptr[i], ptr[i + 1]):
            if cols[e] == col[i]:
                cur[i] = costs[e]
    row_at = np.full(t, -1, np.int64)
    for i in range(n):
        row_at[col[i]] = i
    nodes = t + 1
    dist = np.zeros(nodes)
    pred = np.full(nodes, -1, np.int64)
    prow = np.full(nodes, -1, np.int64)  # the row whose move the arc into the node is (-1: an arc of the sink)
    mark = np.zeros(nodes, np.int64)
    cycle = np.empty(nodes, np.int64)
    queue = np.empty(nodes, np.int64)
    queued = np.zeros(nodes, np.bool_)
    tol = 0.0
    for e in range(costs.size):
        tol = max(tol, abs(costs[e]))
    tol *= 1e-11  # changes below this are rounding, not improvement
    arcs = (ptr, cols, costs)
    tree = (dist, pred, prow, mark, cycle, queue, queued)
    stamp = 0
    for _ in range(_MAX_CANCEL):  # each search cancels every cycle it finds; a round needs few
        found, stamp = _find_cycles(arcs, cur, row_at, tree, tol, stamp)
        if found < 0:
            break
        _cancel_cycles(arcs, cur, row_at, col, tree, found)
    return col


@njit(cache=True)
def _find_cycles(arcs, cur, row_at, tree, tol, stamp):
    """One Bellman-Ford search of :func:`_cancel_negative_cycles`; returns (index of the last cycle found, stamp)."""
    ptr, cols, costs = arcs
    dist, pred, prow, mark, cycle, queue, queued = tree
    nodes = dist.size
    t = nodes - 1
    sink = t
    dist[:] = 0.0
    pred[:] = -1
    for x in range(nodes):
        queue[x] = x
    queued[:] = True
    head = 0
    size = nodes
    found = -1
    relaxed = 0
    while size > 0:
        x = queue[head]
        head = (head + 1) % nodes
        size -= 1
        queued[x] = False
        i = row_at[x] if x < t else -1
        if x == sink:
            lo, hi, base = 0, 0, 0.0
        elif i >= 0:
            lo, hi, base = ptr[i], ptr[i + 1], dist[x] - cur[i]
        else:  # a free column: only its arc to the sink
            lo, hi, base = 0, 0, 0.0
            if dist[x] < dist[sink] - tol:
                dist[sink] = dist[x]
                pred[sink] = x
                prow[sink] = -1
                relaxed += 1
                if not queued[sink]:
                    queued[sink] = True
                    queue[(head + size) % nodes] = sink
                    size += 1
        for e in range(lo, hi):
            c = cols[e]
            if c != x and base + costs[e] < dist[c] - tol:
                dist[c] = base + costs[e]
                pred[c] = x
                prow[c] = i
                relaxed += 1
                if not queued[c]:
                    queued[c] = True
                    queue[(head + size) % nodes] = c
                    size += 1
        if x == sink:
            for c in range(t):
                if row_at[c] >= 0 and dist[sink] < dist[c] - tol:
                    dist[c] = dist[sink]
                    pred[c] = sink
                    prow[c] = -1
                    relaxed += 1
                    if not queued[c]:
                        queued[c] = True
                        queue[(head + size) % nodes] = c
                        size += 1
        if relaxed >= nodes:
            relaxed = 0
            found, stamp = _predecessor_cycles(pred, mark, cycle, stamp)
            if found >= 0:
                break
    return found, stamp


@njit(cache=True)
def _predecessor_cycles(pred, mark, cycle, stamp):
    """The cycles of the predecessor graph, one node of each in ``cycle``; returns (index of the last, stamp)."""
    nodes = pred.size
    found = -1
    stamp += 1  # marks below stamp: not seen in this search; stamp: seen, walked
    for s in range(nodes):
        y = s
        while y >= 0 and mark[y] < stamp:
            mark[y] = stamp + 1 + s
            y = pred[y]
        if y >= 0 and mark[y] == stamp + 1 + s:  # a cycle; the cycles of the graph are disjoint
            cycle[found + 1] = y
            found += 1
        y = s
        while y >= 0 and mark[y] == stamp + 1 + s:
            mark[y] = stamp
            y = pred[y]
    stamp += nodes + 2
    return found, stamp


@njit(cache=True)
def _cancel_cycles(arcs, cur, row_at, col, tree, found):
    """Send flow round cycles ``cycle[0..found]`` (disjoint): move their rows to new columns, in place."""
    ptr, cols, costs = arcs
    _, pred, prow, _, cycle, _, _ = tree
    for f in range(found + 1):  # cancel every cycle found (disjoint: they do not interfere)
        first = cycle[f]
        x = first
        while True:
            i = prow[x]
            if i >= 0 and row_at[col[i]] == i:
                row_at[col[i]] = -1
            x = pred[x]
            if x == first:
                break
        while True:
            i = prow[x]
            if i >= 0:
                col[i] = x
                row_at[x] = i
                for e in range(ptr[i], ptr[i + 1]):
                    if cols[e] == x:
                        cur[i] = costs[e]
            x = pred[x]
            if x == first:
                break


@njit(cache=True)
def _append_wanted(cols, fill, wanted):  # pragma: no cover - compiled
    """Append target j to the arc list of every row ``wanted[j]`` names (-1 ends a target's list)."""
    t, width = wanted.shape
    for j in range(t):
        for c in range(width):
            r = wanted[j, c]
            if r < 0:
                break
            cols[fill[r]] = j
            fill[r] += 1


@njit(cache=True)
def _assignment_round(model, plan, lists, work, rho, noise, width):
    """Ahuja et al.'s assignment neighbourhood [1]_: take one weapon (a random one) from each engaged target,
    each with probability ``rho``, and give them back optimally, at most one per target: every chain of
    weapons moving target to target at once, solved exactly as an assignment problem over sparse arcs
    (:func:`_cancel_negative_cycles`). A removed weapon may go to the ``type_targets`` its type kills
    best and to its own target, and each target may take the removed weapons of the ``target_types``
    that kill it best (``width`` of them). Returns the number of targets put on the stack."""
    v, a, q, _, _ = model
    wtype, tgt, exps, r = plan
    type_targets, target_types = lists
    state = work[4]
    t = v.size
    rows, n = _pick_weapons(tgt, t, rho, state)
    if n < 2:
        return 0
    res = r.copy()  # surviving value once the weapon is taken away
    own = np.empty(n, np.int64)
    first = np.full(a.shape[0], -1, np.int64)  # removed weapons by type, as linked lists
    after = np.full(n, -1, np.int64)
    for i in range(n):
        u = rows[i]
        j = tgt[u]
        own[i] = j
        res[j] = v[j] * math.exp(-(exps[j] - a[wtype[u], j]))
        after[i] = first[wtype[u]]
        first[wtype[u]] = i
    wanted, extra = _wanted(first, after, np.arange(n), target_types, n, width)
    m = type_targets.shape[1]
    ptr = np.zeros(n + 1, np.int64)
    for i in range(n):
        ptr[i + 1] = ptr[i] + m + 1 + extra[i]
    cols = np.empty(ptr[n], np.int64)
    fill = ptr[:n].copy()
    for i in range(n):
        k = wtype[rows[i]]
        for s in range(m):
            cols[fill[i]] = type_targets[k, s]
            fill[i] += 1
        cols[fill[i]] = own[i]
        fill[i] += 1
    _append_wanted(cols, fill, wanted)
    costs = np.empty(ptr[n])
    for i in range(n):
        k = wtype[rows[i]]
        for e in range(ptr[i], ptr[i + 1]):
            costs[e] = res[cols[e]] * (q[k, cols[e]] - 1.0)
            if noise > 0.0 and cols[e] != own[i]:
                costs[e] *= 1.0 + noise * (2.0 * _uniform(state) - 1.0)
    col = _cancel_negative_cycles(n, t, ptr, cols, costs, own)
    return _move_weapons(model, plan, work, rows, own, col)


@njit(cache=True)
def _pick_weapons(tgt, t, rho, state):
    """A random weapon of each engaged target, each kept with probability ``rho``; returns (weapons, how many)."""
    pick = np.full(t, -1, np.int64)
    seen = np.zeros(t, np.int64)
    for u in range(tgt.size):
        j = tgt[u]
        seen[j] += 1
        if _uniform(state) * seen[j] < 1.0:  # reservoir sampling: each weapon of j equally likely
            pick[j] = u
    rows = np.empty(t, np.int64)
    n = 0
    for j in range(t):
        if pick[j] >= 0 and _uniform(state) < rho:
            rows[n] = pick[j]
            n += 1
    return rows, n


@njit(cache=True)
def _move_weapons(model, plan, work, rows, own, col):
    """Move weapon ``rows[i]`` from target ``own[i]`` to ``col[i]``, updating the plan; returns the stack size."""
    v, a, _, _, _ = model
    wtype, tgt, exps, r = plan
    active, stack, _, _, _ = work
    nstack = 0
    for i in range(own.size):
        if col[i] != own[i]:
            u = rows[i]
            exps[own[i]] -= a[wtype[u], own[i]]
            exps[col[i]] += a[wtype[u], col[i]]
            tgt[u] = col[i]
            nstack = _push(own[i], stack, nstack, active)
            nstack = _push(col[i], stack, nstack, active)
    for s in range(nstack):
        r[stack[s]] = v[stack[s]] * math.exp(-exps[stack[s]])
    return nstack


@njit(cache=True)
def _bundle_round(model, plan, lists, work, width):
    """Move whole bundles (all the weapons on an engaged target) to other targets, at most one bundle per
    target, optimally (an assignment problem over bundles, :func:`_cancel_negative_cycles`): the
    exchanges of whole engagements that weapon-by-weapon moves reach only through worse plans. A bundle
    may go to the targets its types kill best (10 per weapon) and to its own; a target may take the
    bundles holding the types that kill it best. Returns the number of targets put on the stack."""
    v, a, _, _, _ = model
    wtype, tgt, _, _ = plan
    type_targets, target_types = lists
    t = v.size
    w = wtype.size
    bundle_of = np.full(t, -1, np.int64)
    own = np.empty(t, np.int64)
    n = 0
    for u in range(w):
        if bundle_of[tgt[u]] < 0:
            bundle_of[tgt[u]] = n
            own[n] = tgt[u]
            n += 1
    if n < 2:
        return 0
    start, members = _bundle_members(tgt, bundle_of, n)
    wanted, extra = _wanted_bundles(wtype, tgt, bundle_of, target_types, a.shape[0], n, width)
    m = min(type_targets.shape[1], 10)
    ptr = np.zeros(n + 1, np.int64)
    for b in range(n):
        ptr[b + 1] = ptr[b] + (start[b + 1] - start[b]) * m + 1 + extra[b]
    cols = np.empty(ptr[n], np.int64)
    fill = ptr[:n].copy()
    for b in range(n):
        for e in range(start[b], start[b + 1]):
            for s in range(m):
                cols[fill[b]] = type_targets[wtype[members[e]], s]
                fill[b] += 1
        cols[fill[b]] = own[b]
        fill[b] += 1
    _append_wanted(cols, fill, wanted)
    costs = np.empty(ptr[n])
    for b in range(n):
        for e in range(ptr[b], ptr[b + 1]):
            x = 0.0
            for s in range(start[b], start[b + 1]):
                x += a[wtype[members[s]], cols[e]]
            costs[e] = v[cols[e]] * (math.exp(-x) - 1.0)
    col = _cancel_negative_cycles(n, t, ptr, cols, costs, own)
    return _move_bundles(model, plan, work, own[:n], col)


@njit(cache=True)
def _bundle_members(tgt, bundle_of, n):
    """The weapons of each of the ``n`` bundles: ``members[start[b]:start[b+1]]`` for bundle ``b``."""
    w = tgt.size
    start = np.zeros(n + 1, np.int64)  # the weapons of each bundle
    for u in range(w):
        start[bundle_of[tgt[u]] + 1] += 1
    for b in range(n):
        start[b + 1] += start[b]
    members = np.empty(w, np.int64)
    fill = start[:n].copy()
    for u in range(w):
        b = bundle_of[tgt[u]]
        members[fill[b]] = u
        fill[b] += 1
    return start, members


@njit(cache=True)
def _wanted_bundles(wtype, tgt, bundle_of, target_types, k_types, n, width):
    """The bundles each target may take (up to ``width``, holding the types that kill it best), and their counts."""
    w = wtype.size
    first = np.full(k_types, -1, np.int64)  # weapons by type, as linked lists
    after = np.full(w, -1, np.int64)
    for u in range(w):
        after[u] = first[wtype[u]]
        first[wtype[u]] = u
    return _wanted(first, after, bundle_of[tgt], target_types, n, width)


@njit(cache=True)
def _wanted(first, after, ids, target_types, n, width):  # pragma: no cover - compiled
    """For each target, up to ``width`` distinct ids (of ``n``) of the items of the types that kill it best, in
    that order, and how many targets want each id. Items are linked by type (``first[type]``, ``after[item]``);
    ``ids[item]`` is the item's id (a weapon's own index, or its bundle)."""
    t = target_types.shape[0]
    wanted = np.full((t, width), -1, np.int64)
    extra = np.zeros(n, np.int64)
    for j in range(t):
        c = 0
        for s in range(target_types.shape[1]):
            u = first[target_types[j, s]]
            while u >= 0 and c < width:
                b = ids[u]
                seen = False
                for cc in range(c):
                    seen = seen or wanted[j, cc] == b
                if not seen:
                    wanted[j, c] = b
                    extra[b] += 1
                    c += 1
                u = after[u]
            if c >= width:
                break
    return wanted, extra


@njit(cache=True)
def _move_bundles(model, plan, work, own, col):
    """Move the weapons on target ``own[b]`` to ``col[b]``, updating the plan; returns the stack size."""
    v, a, _, _, _ = model
    wtype, tgt, exps, r = plan
    active, stack, _, _, _ = work
    t = v.size
    w = wtype.size
    to = np.arange(t)
    nstack = 0
    for b in range(own.size):
        if col[b] != own[b]:
            to[own[b]] = col[b]
            nstack = _push(own[b], stack, nstack, active)
            nstack = _push(col[b], stack, nstack, active)
    if nstack == 0:
        return 0
    for u in range(w):
        tgt[u] = to[tgt[u]]
    for s in range(nstack):
        exps[stack[s]] = 0.0
    for u in range(w):
        if active[tgt[u]]:
            exps[tgt[u]] += a[wtype[u], tgt[u]]
    for s in range(nstack):
        r[stack[s]] = v[stack[s]] * math.exp(-exps[stack[s]])
    return nstack


@njit(cache=True)
def _ruin_and_recreate(model, plan, lists, work, size, noise):
    """Empty ``size`` related targets and give their weapons back by a randomised maximum marginal return.

    Related (Shaw 1998 [6]_): a random target, then targets that the types of the weapons already taken
    kill best, breadth first (random targets fill up if that runs dry), so that the weapons freed compete
    for the same targets. Recreated (Schrimpf et al. 2000 [8]_) one weapon at a time to the largest
    ``r_j (1 - q_kj)``, each target's ``r_j`` scaled once by a random factor in ``[1 - noise, 1 + noise]``.
    Returns the number of targets put on the stack."""
    v, a, _, kill, _ = model
    wtype, tgt, exps, r = plan
    type_targets, _ = lists
    active, stack, _, _, state = work
    w = wtype.size
    t = v.size
    k_types = a.shape[0]
    size = max(1, min(size, t))
    chosen, ruined = _related_targets(wtype, tgt, type_targets, state, size, t)
    left = np.zeros(k_types, np.int64)
    for u in range(w):
        if ruined[tgt[u]]:
            left[wtype[u]] += 1
            tgt[u] = -1
    nstack = 0
    for s in range(size):
        exps[chosen[s]] = 0.0
        r[chosen[s]] = v[chosen[s]]
        nstack = _push(chosen[s], stack, nstack, active)
    scale = np.empty(t)
    for j in range(t):
        scale[j] = 1.0 + noise * (2.0 * _uniform(state) - 1.0)
    best_j = np.zeros(k_types, np.int64)
    best_g = np.full(k_types, -1.0)
    for k in range(k_types):
        if left[k] > 0:
            for j in range(t):
                if r[j] * scale[j] * kill[k, j] > best_g[k]:
                    best_g[k] = r[j] * scale[j] * kill[k, j]
                    best_j[k] = j
    free = 0
    for u in range(w):
        if tgt[u] < 0:
            free += 1
    for _ in range(free):
        kk = -1
        g = -2.0
        for k in range(k_types):
            if left[k] > 0 and best_g[k] > g:
                g = best_g[k]
                kk = k
        j = best_j[kk]
        for u in range(w):
            if tgt[u] < 0 and wtype[u] == kk:
                tgt[u] = j
                break
        left[kk] -= 1
        exps[j] += a[kk, j]
        r[j] = v[j] * math.exp(-exps[j])
        nstack = _push(j, stack, nstack, active)
        for k in range(k_types):
            if left[k] > 0 and best_j[k] == j:
                best_g[k] = -1.0
                for jj in range(t):
                    if r[jj] * scale[jj] * kill[k, jj] > best_g[k]:
                        best_g[k] = r[jj] * scale[jj] * kill[k, jj]
                        best_j[k] = jj
    return nstack


@njit(cache=True)
def _related_targets(wtype, tgt, type_targets, state, size, t):
    """``size`` related targets (Shaw's choice, see :func:`_ruin_and_recreate`); returns (them in order, a mask)."""
    w = wtype.size
    m = type_targets.shape[1]
    ruined = np.zeros(t, np.bool_)
    chosen = np.empty(size, np.int64)
    chosen[0] = _below(state, t)
    ruined[chosen[0]] = True
    n = 1
    head = 0
    while n < size:
        if head < n:
            j = chosen[head]
            head += 1
            for u in range(w):
                if tgt[u] == j:
                    for _ in range(3):
                        jj = type_targets[wtype[u], _below(state, m)]
                        if n < size and not ruined[jj]:
                            ruined[jj] = True
                            chosen[n] = jj
                            n += 1
        else:
            jj = _below(state, t)
            if not ruined[jj]:
                ruined[jj] = True
                chosen[n] = jj
                n += 1
    return chosen, ruined


@njit(cache=True)
def _descent(model, plan, lists, work, nstack, patience, bundles, width):
    """Local search from the targets on the stack, then rounds of the assignment neighbourhood (a bundle
    round with probability ``bundles``), each followed by local search, until ``patience`` rounds in a row
    do not improve. Returns the objective."""
    r = plan[3]
    state = work[4]
    _local_search(model, plan, work, nstack)
    best = r.sum()
    stall = 0
    while stall < patience:
        if _uniform(state) < bundles:
            nstack = _bundle_round(model, plan, lists, work, width)
        else:
            nstack = _assignment_round(
                model, plan, lists, work, _RHO_LOW + (1.0 - _RHO_LOW) * _uniform(state), 0.0, width
            )
        _local_search(model, plan, work, nstack)
        value = r.sum()
        if value < best * (1.0 - 1e-12):
            best = value
            stall = 0
        else:
            stall += 1
    return best


#: Settings of the heuristic's search (:func:`_heuristic`).
_MAX_CANCEL = 4  # searches for negative cycles per assignment problem (then the round stops, improved)
_RHO_LOW = 0.5  # an assignment round takes a weapon from each engaged target with a probability in [_RHO_LOW, 1]
_PATIENCE = 2  # assignment rounds in a row without improvement that end a descent
_BUNDLES = 0.2  # share of the rounds that move bundles rather than single weapons
_WIDTH = 10  # removed weapons (or bundles) a target may take: those of the types that kill it best
_TYPE_TARGETS = 30  # targets a removed weapon may go to: the ones its type kills best (and its own)
_TARGET_TYPES = 40  # types searched, best first, for a target's candidates
_RUIN = (0.05, 0.11)  # share of the targets a perturbation empties: uniform between these
_NOISE = 0.3  # the recreation's random scaling of surviving values
_SHAKE = 0.3  # share of the perturbations that are an assignment round on noisy costs instead
_SHAKE_RHO = 0.1  # ... over this share of the targets
_SHAKE_NOISE = 0.1  # ... each cost scaled by a random factor in [1 - noise, 1 + noise]
_ACCEPT = 1e-3  # record-to-record travel: a perturbed plan replaces the current one within 0.1 % of the best
_WORK = 2.0e8  # perturbations: _WORK / ((W + T) T), clipped to _ITERATIONS (the time grows about like that)
_ITERATIONS = (50, 3000)
_STALL = 500  # ... and stop after this many in a row without a new best


def _heuristic(
    v: np.ndarray, pk: np.ndarray, *, seed: int = 0, deadline: float = math.inf, types: _Types | None = None
) -> np.ndarray:
    """The heuristic's assignment (a target per weapon); see the module docstring and :func:`solve_wta`.

    Maximum marginal return over types (:func:`_mmr_counts`), a descent (:func:`_descent`: moves and swaps,
    then rounds of the assignment neighbourhood of Ahuja et al. [1]_ and of bundle exchanges, each solved
    exactly as an assignment problem), then an iterated local search (Lourenço, Martin and Stützle 2003
    [9]_): ruin and recreate (:func:`_ruin_and_recreate`) and descend again, the result replacing the
    current plan by record-to-record travel (Dueck 1993 [10]_: when within ``_ACCEPT`` of the best found).
    The number of perturbations is fixed by the instance's size (``_WORK``, ``_ITERATIONS``, ``_STALL``), so a
    seed gives one answer; ``deadline`` (a :func:`time.perf_counter` time) only cuts the search short.
    """
    types = _Types.of(pk) if types is None else types
    a = types.exponent
    k_types, t = a.shape
    q = np.exp(-a)
    kill = -np.expm1(-a)
    grow = np.expm1(a)  # 1/q - 1: the relative rise of a target's surviving value when a weapon leaves it
    wtype = np.repeat(np.arange(k_types, dtype=np.int64), types.count)
    tgt = np.repeat(np.tile(np.arange(t, dtype=np.int64), k_types), _mmr_counts(v, kill, types.count).ravel())
    exps = np.zeros(t)
    np.add.at(exps, tgt, a[wtype, tgt])
    r = v * np.exp(-exps)
    type_targets = np.argsort(-kill, axis=1, kind="stable")[:, : min(_TYPE_TARGETS, t)].astype(np.int64)
    target_types = np.argsort(-kill.T, axis=1, kind="stable")[:, : min(_TARGET_TYPES, k_types)].astype(np.int64)
    state = np.array([(seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % 2**64 or 1], dtype=np.uint64)
    active = np.ones(t, dtype=np.bool_)
    stack = np.arange(t, dtype=np.int64)
    mark = np.zeros(k_types, dtype=np.int64)
    stamp = np.zeros(1, dtype=np.int64)

    model = (v, a, q, kill, grow)
    plan = (wtype, tgt, exps, r)
    lists = (type_targets, target_types)
    work = (active, stack, mark, stamp, state)
    value = float(_descent(model, plan, lists, work, t, _PATIENCE, _BUNDLES, _WIDTH))
    best, best_value = tgt.copy(), value
    current = (tgt.copy(), exps.copy(), r.copy(), value)
    w = wtype.size
    iterations = int(np.clip(_WORK / ((w + t) * t), *_ITERATIONS))
    size_lo = max(2, math.ceil(_RUIN[0] * t))
    size_hi = max(size_lo, math.ceil(_RUIN[1] * t))
    stall = 0
    for _ in range(iterations):
        if stall >= _STALL or time.perf_counter() > deadline:
            break
        if _uniform(state) < _SHAKE:
            nstack = _assignment_round(model, plan, lists, work, _SHAKE_RHO, _SHAKE_NOISE, _WIDTH)
        else:
            size = size_lo + int(_uniform(state) * (size_hi - size_lo + 1))
            nstack = _ruin_and_recreate(model, plan, lists, work, size, _NOISE)
        value = float(_descent(model, plan, lists, work, nstack, _PATIENCE, _BUNDLES, _WIDTH))
        stall += 1
        if value < best_value * (1.0 - 1e-12):
            best, best_value, stall = tgt.copy(), value, 0
        if value < best_value * (1.0 + _ACCEPT) and value != current[3]:
            current = (tgt.copy(), exps.copy(), r.copy(), value)
        else:
            tgt[:], exps[:], r[:] = current[0], current[1], current[2]
    x = np.zeros((k_types, t), dtype=np.int64)
    np.add.at(x, (wtype, best), 1)
    return types.assignment(x)


def relaxation_bound(
    values: np.ndarray, kill_probability: np.ndarray, *, iterations: int = 300, deadline: float = math.inf
) -> float:
    """Lower bound from the convex continuous relaxation (Frank-Wolfe duality gap, [4]_).

    For the convex ``F(x) = sum_j v_j exp(-sum_i a_ij x_ij)`` over the product of simplices
    ``{x >= 0, sum_j x_ij = 1}``, every ``x̄`` gives
    ``min F >= F(x̄) + sum_i min_j g_ij - sum_ij g_ij x̄_ij`` with ``g = ∇F(x̄)``. ``x̄`` is improved by
    exponentiated-gradient (mirror descent) steps; the best bound seen is returned. Identical weapons
    (a type) have identical rows of ``x̄`` and ``g`` throughout, so each type is computed once, weighted
    by its number of weapons (the same bound, in a fraction of the time).
    """
    v = np.asarray(values, dtype=float)
    return _relaxation(v, _Types.of(np.asarray(kill_probability, dtype=float)), iterations, deadline)


def _relaxation(v: np.ndarray, types: _Types, iterations: int = 300, deadline: float = math.inf) -> float:
    """:func:`relaxation_bound` over types: ``y`` is each type's share per target, ``x = n y``."""
    a_exp = types.exponent
    n = types.count.astype(float)[:, None]
    k_types, t = a_exp.shape
    y = np.full((k_types, t), 1.0 / t)
    best = 0.0
    eta = None
    for it in range(iterations):
        if it > 0 and time.perf_counter() > deadline:  # every iteration's bound is valid: stop early if told
            break
        x = n * y
        f = v * np.exp(-(x * a_exp).sum(axis=0))
        g = -a_exp * f[None, :]
        gmin = g.min(axis=1, keepdims=True)
        best = max(best, float(f.sum() + (n * gmin).sum() - (g * x).sum()))
        if eta is None:
            eta = 1.0 / max(float(np.abs(g).max()), 1e-300)
        y = y * np.exp(-eta * (g - gmin))
        y /= y.sum(axis=1, keepdims=True)
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
    incumbent: list[Any] = [v, np.zeros(m, dtype=np.int64)]
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
    # one weapon of a type on a target: every pair on small instances, else each type's 20 best targets
    # (the bound holds for any prices; pricing adds the columns the LP needs)
    best_targets = np.argsort(-(v[None, :] * -np.expm1(-a)), axis=1, kind="stable")
    for k in range(k_types):
        for j in best_targets[k] if k_types * t <= 20_000 else best_targets[k, :20]:
            add(int(j), eye[k])
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
                options={"time_limit": max(0.05, deadline - time.perf_counter())} if math.isfinite(deadline) else {},
            )
        if lp.status != 0:  # not solved (e.g. out of time): the best bound so far stands
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
    types = _Types.of(pk)
    # the heuristic gets 80 % of the time (all of it when it is the method; it starts the MILP otherwise)
    deadline = started + (0.8 if method == "heuristic" else 0.5) * time_limit
    a = _heuristic(v, pk, seed=seed, deadline=deadline, types=types)
    stopped = time.perf_counter() > deadline
    if method == "heuristic":
        # the bounds get time in proportion to the search, within the limit: the Lagrangian bound (tight
        # when targets outnumber weapons; slow to price on large square instances) half of the search's
        # time, at least 0.3 s; the relaxation bound (better when weapons outnumber targets) 10 %, at
        # least 0.1 s, or the rest of the limit when the limit cut the search short
        search = time.perf_counter() - started
        lagrangian = 0.0
        w, t = pk.shape
        if w < t or (w == t and w * t <= 10_000):
            now = time.perf_counter()
            lagrangian = _lagrangian(v, types, a, deadline=min(started + time_limit, now + max(0.3, 0.5 * search)))
        now = time.perf_counter()
        until = started + time_limit if stopped else min(started + time_limit, now + max(0.1, 0.1 * search))
        relaxed = _relaxation(v, types, deadline=until)
        bound = min(max(lagrangian, relaxed), expected_survival(v, pk, a))
        stopped = stopped or time.perf_counter() > started + time_limit
    else:
        a, bound = _exact(v, types, a, time_limit, started)
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
