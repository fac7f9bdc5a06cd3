"""Preferential defence: interceptor rounds assigned to threats to maximise the surviving asset value.

Model
-----
Threat ``j`` is aimed at asset ``a(j)``; asset ``a`` has value ``v_a`` and survives the raid when no
missile aimed at it leaks. Unit ``d`` fires ``x_dj`` rounds at threat ``j``, each killing it with
probability ``p_d`` (reliability x SSPK), independently. The threat leaks with probability

.. math:: s_j = \\prod_d (1 - p_d)^{x_{dj}},

the same whether the ``x_dj`` rounds are fired together (salvo) or one at a time while the threat
lives (shoot-look-shoot with perfect kill assessment, which only saves rounds). The defence maximises
the expected surviving asset value (the asset-based weapon-target assignment [1]_ [2]_, with a leaker
destroying its asset)

.. math:: F(x) = \\sum_a v_a \\prod_{j: a(j) = a} (1 - s_j)

subject to ``x_dj <= k * opportunities[d, j]`` (``k`` = 1 for shoot-look-shoot, 2 for a salvo of two
per opportunity), ``sum_j x_dj <= inventory_d`` (magazine) and ``#{j: x_dj > 0} <= max_engagements_d``
(fire channels: distinct threats a unit may engage in the raid). ``F`` rewards a round only once every
missile aimed at its asset is engaged, so the optimum may leave low-value assets undefended to defend
high-value ones fully: the preferential defence of the Prim-Read tradition [3]_ and of Hosein and
Athans [1]_, as opposed to the target-based WTA (:mod:`bmdlab.engagement.wta`), which values each
missile on its own and spreads rounds over all of them.

Method (``heuristic``)
----------------------
1. Construction: maximum marginal return on ``F``, with a look-ahead for assets not yet engaged. A
   single round at ``(d, j)`` gains ``v_a s_j p_d prod_{k != j, a(k) = a} (1 - s_k)``, which is zero
   while another missile at the same asset is unengaged; so an asset with two or more unengaged
   missiles is offered as a *bundle*: one round at each of them (best available unit, hardest-to-reach
   missile first), extended round by round while that raises the bundle's gain per round. At each
   step the candidate (single round or bundle) with the largest gain per round is taken, until no
   round gains; bundle ratios are re-evaluated lazily (they only fall as rounds are spent).
2. Local search, each step taken only if it raises ``F`` (by at least 1e-6 of the total value):
   (a) move one round of a unit from one threat to another, or exchange rounds between two units
   (unit d's round from j to k, unit e's from k to j), best improvement with the exact change of
   ``F`` (a unit at its channel limit may open a threat only by closing one); (b) *drop an asset*:
   free every round at a defended asset and refill greedily without it; (c) *reset a unit*: free its
   rounds and refill (re-choosing its engagements); (d) seeded perturbations (iterated local search):
   free one or two random defended assets or units, defend a random undefended asset first, refill
   with randomised near-greedy choices, move; stop after 10 failures in a row. The result depends
   only on the inputs and the seed unless the time limit cuts the search.

``greedy`` is step 1 alone. The target-based WTA of :mod:`bmdlab.engagement.wta` is not used as a
start: it has no per-threat cap or channel limit and its objective spreads rounds over every missile,
the opposite of what preferential defence does.

References
----------
.. [1] P. A. Hosein, M. Athans, "Preferential defense strategies. Part I: The static case", MIT
       Laboratory for Information and Decision Systems, report LIDS-P-2002 (1990) (as cited by
       B. Xin, J. Chen, "An estimation of distribution algorithm with efficient constructive
       repair/improvement operator for the dynamic weapon-target assignment", whose asset-based
       objective with lethality 1 is ``F`` above).
.. [2] R. K. Ahuja, A. Kumar, K. C. Jha, J. B. Orlin, "Exact and heuristic algorithms for the
       weapon-target assignment problem", Operations Research 55(6) (2007) 1136-1146 (maximum
       marginal return and neighbourhood search for the target-based problem).
.. [3] "Prim-Read theory" (Wikipedia): the Prim-Read defence of the late-1950s and 1960s ABM debate,
       which places defensive missiles to maximise the damage they avert (background).
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.engagement.raid import RaidPlan
from bmdlab.errors import BmdlabError

METHODS = ("heuristic", "greedy")
_Q_MIN = 1e-12  # miss probabilities are clipped here inside the search (a kill probability of 1 is allowed)
_UNLIMITED = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class PreferentialAllocation:
    """Rounds of each unit at each threat under preferential defence, with the closed-form outcome."""

    caps: NDArray[np.int64]  #: (defenders, threats) most rounds unit d fires at threat j
    expected_surviving_value: float  #: expected surviving asset value as a fraction of the total [1]
    asset_survival: NDArray[np.float64]  #: (assets,) probability that no missile aimed at each asset leaks
    defended_assets: tuple[str, ...]  #: attacked assets whose every missile has at least one round
    rounds_allocated: NDArray[np.int64]  #: (defenders,) rounds allocated per unit
    per_opportunity: int  #: rounds per shot opportunity (1 shoot-look-shoot, 2 salvo)
    method: str
    seed: int
    seconds: float
    stopped_by_time_limit: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "caps": self.caps.tolist(),
            "expected_surviving_value": float(self.expected_surviving_value),
            "asset_survival": [float(p) for p in self.asset_survival],
            "defended_assets": list(self.defended_assets),
            "rounds_allocated": [int(r) for r in self.rounds_allocated],
            "per_opportunity": self.per_opportunity,
            "method": self.method,
            "seed": self.seed,
            "seconds": float(self.seconds),
            "stopped_by_time_limit": bool(self.stopped_by_time_limit),
        }


# ------------------------------------------------------------------------------------ validation
def _plan_arrays(plan_or_arrays: Any) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Asset index of each threat and asset values, from a RaidPlan or ``(asset_of, values)``."""
    if isinstance(plan_or_arrays, RaidPlan):
        asset_of = np.array([t.asset for t in plan_or_arrays.threats], dtype=np.int64)
        values = np.array([a.value for a in plan_or_arrays.assets], dtype=float)
    else:
        try:
            asset_of, values = plan_or_arrays
            asset_of = np.asarray(asset_of)
            values = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise BmdlabError("plan: give a RaidPlan or (asset index per threat, value per asset)") from None
        if asset_of.ndim != 1 or values.ndim != 1 or (asset_of.size and not np.issubdtype(asset_of.dtype, np.integer)):
            raise BmdlabError("plan: asset index per threat must be a flat integer array and values a flat array")
        asset_of = asset_of.astype(np.int64)
    if np.any(~np.isfinite(values) | (values < 0)):
        raise BmdlabError("assets: every asset value must be a finite number >= 0")
    if asset_of.size and (asset_of.min() < 0 or asset_of.max() >= values.size):
        raise BmdlabError(f"threats: asset index must be from 0 to {values.size - 1} (one of the plan's assets)")
    return asset_of, values


def _per_unit(x: Any, n: int, name: str, *, integer: bool) -> NDArray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise BmdlabError(f"{name}: must be numbers, one per defender ({n})") from None
    if a.shape != (n,):
        raise BmdlabError(
            f"{name}: shape {a.shape} does not match the plan's {n} defenders; give one value per defender"
        )
    if not np.all(np.isfinite(a)):
        raise BmdlabError(f"{name}: values must be finite")
    if integer:
        if np.any(a < 0) or np.any(a != np.round(a)):
            raise BmdlabError(f"{name}: values must be whole numbers >= 0 (one per defender)")
        return a.astype(np.int64)
    return a


def _check_pk(pk_shot: Any, n: int) -> NDArray[np.float64]:
    pk = _per_unit(pk_shot, n, "pk_shot", integer=False)
    if np.any((pk < 0) | (pk > 1)):
        raise BmdlabError("pk_shot: per-shot kill probabilities must lie in [0, 1]; use reliability x SSPK")
    return pk


def _check_caps(caps: Any, shape: tuple[int, int]) -> NDArray[np.int64]:
    try:
        c = np.asarray(caps, dtype=float)
    except (TypeError, ValueError):
        raise BmdlabError("caps: must be a (defenders, threats) array of whole numbers") from None
    if c.shape != shape:
        raise BmdlabError(f"caps: shape {c.shape} must be (defenders, threats) = {shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
        raise BmdlabError("caps: rounds must be whole numbers >= 0")
    return c.astype(np.int64)


# ------------------------------------------------------------------------------------ objective
def expected_surviving_value(plan_or_arrays: RaidPlan | tuple[Any, Any], pk_shot: Any, caps: Any) -> float:
    """Expected surviving asset value of an allocation, as a fraction of the total asset value.

    .. math:: F = \\frac{1}{\\sum_a v_a} \\sum_a v_a \\prod_{j: a(j) = a}
              \\Big(1 - \\prod_d (1 - p_d)^{c_{dj}}\\Big)

    Parameters
    ----------
    plan_or_arrays : RaidPlan or (asset_of, values)
        The plan, or the asset index of each threat (threats,) and the value of each asset (assets,).
    pk_shot : array_like, shape (defenders,)
        Per-shot kill probability of each unit's interceptor (reliability x SSPK). [1]
    caps : array_like, shape (defenders, threats)
        Rounds of unit ``d`` at threat ``j`` (all fired, or fired shoot-look-shoot while it lives).

    Returns
    -------
    float
        Fraction of the total asset value expected to survive [1]; 1 when every value is 0. An asset
        no missile is aimed at always survives.
    """
    asset_of, values = _plan_arrays(plan_or_arrays)
    n_def = len(plan_or_arrays.defenders) if isinstance(plan_or_arrays, RaidPlan) else np.shape(caps)[0]
    pk = _check_pk(pk_shot, n_def)
    c = _check_caps(caps, (n_def, asset_of.size))
    return float(_fraction(_asset_survival(asset_of, values.size, pk, c), values))


def _asset_survival(
    asset_of: NDArray[np.int64], n_assets: int, pk: NDArray[np.float64], caps: NDArray[np.int64]
) -> NDArray[np.float64]:
    leak = np.prod((1.0 - pk)[:, None] ** caps, axis=0) if caps.shape[0] else np.ones(asset_of.size)
    p = np.ones(n_assets)
    np.multiply.at(p, asset_of, 1.0 - leak)
    return p


def _fraction(survival: NDArray[np.float64], values: NDArray[np.float64]) -> float:
    total = float(values.sum())
    return 1.0 if total <= 0.0 else float(values @ survival) / total


# ------------------------------------------------------------------------------------ search
def _others(f: NDArray[np.float64]) -> NDArray[np.float64]:
    """Product of all entries but the i-th, for each i (exact zeros allowed)."""
    zero = f <= 0.0
    logf = np.log(np.where(zero, 1.0, f))
    return np.where(zero.sum() - zero == 0, np.exp(logf.sum() - logf), 0.0)


class _Search:
    """Allocation state (rounds ``x``, magazines, engagements, leak probabilities) and its moves."""

    def __init__(
        self, pk: NDArray, limit: NDArray, inventory: NDArray, engagements: NDArray, asset_of: NDArray, values: NDArray
    ):
        self.pk = pk
        self.q = np.clip(1.0 - pk, _Q_MIN, 1.0)
        self.kexp = -np.log(self.q)  # kill exponent per round
        self.limit = np.where(pk[:, None] > 0.0, limit, 0)
        self.eng = engagements
        self.asset_of = asset_of
        self.n_assets = values.size
        vmax = float(values.max()) if values.size else 0.0
        self.v = values / vmax if vmax > 0 else values.copy()  # weights, no overflow
        self.vj = self.v[asset_of]
        self.members = [np.flatnonzero(asset_of == a) for a in range(values.size)]
        # threats grouped by asset (attacked assets only): sorted order, segment bounds, padded table
        self.order = np.argsort(asset_of, kind="stable")
        seg_assets, self.starts, sizes = np.unique(asset_of[self.order], return_index=True, return_counts=True)
        self.ends = self.starts + sizes
        self.v_seg = self.v[seg_assets]
        width = int(sizes.max()) if sizes.size else 0
        self.pad = np.full((seg_assets.size, width), asset_of.size, dtype=np.int64)  # asset_of.size: the pad column
        for i, (a, b) in enumerate(zip(self.starts, self.ends)):
            self.pad[i, : b - a] = self.order[a:b]
        self.tol = 1e-12 * max(float(self.v.sum()), 1e-300)
        self.step = 1e-6 * max(float(self.v.sum()), 1e-300)  # least gain of a local-search step
        d, t = self.limit.shape
        self.x = np.zeros((d, t), dtype=np.int64)
        self.rem = inventory.copy()
        self.neng = np.zeros(d, dtype=np.int64)
        self.s = np.ones(t)

    # -- state
    def snapshot(self) -> tuple:
        return self.x.copy(), self.rem.copy(), self.neng.copy(), self.s.copy()

    def restore(self, snap: tuple) -> None:
        x, rem, neng, s = snap
        self.x, self.rem, self.neng, self.s = x.copy(), rem.copy(), neng.copy(), s.copy()

    def _leak(self, j: int) -> None:
        self.s[j] = math.exp(-float(self.kexp @ self.x[:, j]))

    def add(self, d: int, j: int) -> None:
        self.x[d, j] += 1
        self.rem[d] -= 1
        if self.x[d, j] == 1:
            self.neng[d] += 1
        self._leak(j)

    def remove(self, d: int, j: int) -> None:
        self.x[d, j] -= 1
        self.rem[d] += 1
        if self.x[d, j] == 0:
            self.neng[d] -= 1
        self._leak(j)

    def clear_asset(self, a: int) -> None:
        cols = self.members[a]
        sub = self.x[:, cols]
        self.rem += sub.sum(axis=1)
        self.neng -= (sub > 0).sum(axis=1)
        self.x[:, cols] = 0
        self.s[cols] = 1.0

    # -- objective
    def terms(self) -> tuple[NDArray, NDArray]:
        """Survival probability of each asset and, per threat, that of its asset's other threats."""
        f = 1.0 - self.s
        zero = f <= 0.0
        logf = np.log(np.where(zero, 1.0, f))
        zeros = np.bincount(self.asset_of, weights=zero, minlength=self.n_assets)
        logs = np.bincount(self.asset_of, weights=logf, minlength=self.n_assets)
        p = np.where(zeros == 0, np.exp(logs), 0.0)
        pex = np.where(zeros[self.asset_of] - zero == 0, np.exp(logs[self.asset_of] - logf), 0.0)
        return p, pex

    def value(self) -> float:
        return float(self.v @ self.terms()[0])

    def uncovered(self) -> NDArray:
        """Unengaged missiles per asset."""
        return np.bincount(self.asset_of, weights=self.x.sum(axis=0) == 0, minlength=self.n_assets).astype(int)

    def available(self) -> NDArray:
        """(defenders, threats): unit d may fire one more round at threat j."""
        return (self.x < self.limit) & (self.rem > 0)[:, None] & ((self.x > 0) | (self.neng < self.eng)[:, None])

    # -- construction
    def bundle(
        self, a: int, avail: NDArray, rng: np.random.Generator | None = None
    ) -> tuple[float, list[tuple[int, int]]] | None:
        """Best gain per round of engaging every unengaged missile at asset ``a`` (None: impossible)."""
        cols = self.members[a]
        xs, lim = self.x[:, cols].copy(), self.limit[:, cols]
        rem, neng, s = self.rem.copy(), self.neng.copy(), self.s[cols].copy()
        ok = avail[:, cols].copy()
        rounds: list[tuple[int, int]] = []

        def fire(d: int, c: int) -> None:
            xs[d, c] += 1
            rem[d] -= 1
            if xs[d, c] == 1:
                neng[d] += 1
            s[c] *= self.q[d]
            rounds.append((d, int(cols[c])))
            ok[:] = (xs < lim) & (rem > 0)[:, None] & ((xs > 0) | (neng < self.eng)[:, None])

        open_ = np.flatnonzero(xs.sum(axis=0) == 0)
        reach = ok[:, open_].sum(axis=0) + (0.0 if rng is None else 2.0 * rng.random(open_.size))
        for c in open_[np.argsort(reach, kind="stable")]:  # hardest to reach first
            if not ok[:, c].any():
                return None
            score = np.where(ok[:, c], self.pk + 1e-9 * rem / (1.0 + rem.max()), -1.0)  # ties: fuller magazine
            if rng is not None:
                score = score * (1.0 + 0.5 * rng.random(score.size))
            fire(int(np.argmax(score)), c)
        best_ratio, best_n = self.v[a] * float(np.prod(1.0 - s)) / len(rounds), len(rounds)
        for _ in range(2 * cols.size):  # extend while the gain per round rises
            gain = np.where(ok, (self.v[a] * _others(1.0 - s) * s)[None, :] * self.pk[:, None], 0.0)
            d, c = np.unravel_index(int(np.argmax(gain)), gain.shape)
            if gain[d, c] <= self.tol:
                break
            fire(int(d), int(c))
            ratio = self.v[a] * float(np.prod(1.0 - s)) / len(rounds)
            if ratio > best_ratio:
                best_ratio, best_n = ratio, len(rounds)
        return best_ratio, rounds[:best_n]

    def fill(
        self, exclude: frozenset[int] = frozenset(), force: int | None = None, rng: np.random.Generator | None = None
    ) -> None:
        """Greedy maximum marginal return with asset bundles, until no round gains (``rng``: randomised
        choices among near-best candidates, for the perturbations of the local search)."""
        if force is not None:
            b = self.bundle(force, self.available(), rng)
            if b is not None:
                for d, j in b[1]:
                    self.add(d, j)
        blocked = np.zeros(self.s.size, dtype=bool)
        for a in exclude:
            blocked[self.members[a]] = True
        heap: list[tuple[float, int]] | None = None
        while True:
            _, pex = self.terms()
            avail = self.available() & ~blocked[None, :]
            gain = np.where(avail, (self.vj * pex * self.s)[None, :] * self.pk[:, None], 0.0)
            pick = gain if rng is None else gain * (1.0 + 0.2 * rng.random(gain.shape))
            k = int(np.argmax(pick)) if gain.size else 0
            g1 = float(gain.flat[k]) if gain.size else 0.0
            if heap is None:  # bundle candidates, scored once, then re-evaluated lazily
                unc = self.uncovered()
                heap = []
                for a in np.flatnonzero(unc >= 2):
                    if int(a) not in exclude:
                        b = self.bundle(int(a), avail, rng)
                        if b is not None and b[0] > self.tol:
                            heap.append((-b[0], int(a)))
                heapq.heapify(heap)
            taken = False
            while heap and -heap[0][0] >= g1 - self.tol:
                _, a = heapq.heappop(heap)
                if self.uncovered()[a] < 2:
                    continue
                b = self.bundle(a, avail, rng)
                if b is None or b[0] <= self.tol:
                    continue
                if b[0] >= max(g1, -heap[0][0] if heap else 0.0):
                    for d, j in b[1]:
                        self.add(d, j)
                    taken = True
                    break
                heapq.heappush(heap, (-b[0], a))
            if taken:
                continue
            if g1 <= self.tol:
                return
            d, j = np.unravel_index(k, gain.shape)
            self.add(int(d), int(j))

    # -- local search
    def _move_masks(self) -> list[tuple[NDArray, NDArray]]:
        """(where a unit may add a round, where it may take one from), for each kind of move.

        A unit below its channel limit may move a round anywhere it has room; one at its limit may add
        where it is engaged, or open a new threat by closing one (taking its single round there).
        """
        engaged, room = self.x > 0, self.x < self.limit
        free = (self.neng < self.eng)[:, None]
        return [(room & (engaged | free), engaged), (room & ~engaged & ~free, (self.x == 1) & ~free)]

    def _best_move(self) -> tuple[float, tuple[int, int, int] | None]:
        """Best single-round move (unit d from threat j to threat k) and its exact change of F."""
        _, pex = self.terms()
        w = self.vj * pex * self.s
        gain = w[None, :] * self.pk[:, None]  # F gained by one more round of d at k (another asset)
        loss = w[None, :] * (1.0 / self.q - 1.0)[:, None]  # F lost by one round fewer of d at j
        best: tuple[float, tuple[int, int, int] | None] = (self.step, None)
        pad, n_seg = self.pad, self.pad.shape[0]
        s_pad = np.append(self.s, 0.0)[pad]  # (S, M); the pad column: a threat that never leaks, never moved
        f = 1.0 - s_pad
        zero = f <= 0.0
        logf = np.log(np.where(zero, 1.0, f))
        n_zero, log_sum = zero.sum(axis=1), logf.sum(axis=1)
        seg = np.arange(n_seg)[None, :]
        masks = self._move_masks()
        if not masks[1][1].any():  # no unit at its channel limit holds a single round
            masks = masks[:1]
        for add, take in masks:
            # between assets: the two changes are independent, so the sum is exact
            g = np.maximum.reduceat(np.where(add, gain, -np.inf)[:, self.order], self.starts, axis=1)
            lo = np.minimum.reduceat(np.where(take, loss, np.inf)[:, self.order], self.starts, axis=1)
            delta = g[:, None, :] - lo[:, :, None]  # (D, from, to)
            delta[:, np.arange(n_seg), np.arange(n_seg)] = -np.inf
            i = int(np.argmax(delta))
            if delta.flat[i] > best[0]:
                d, a, b = np.unravel_index(i, delta.shape)
                ja, jb = self.order[self.starts[a] : self.ends[a]], self.order[self.starts[b] : self.ends[b]]
                j = int(ja[np.argmin(np.where(take[d, ja], loss[d, ja], np.inf))])
                k = int(jb[np.argmax(np.where(add[d, jb], gain[d, jb], -np.inf))])
                best = (float(delta.flat[i]), (int(d), j, k))
            # within one asset, per unit: the best receiving threat with the best giving one (and the
            # reverse), exact change of the asset's product
            add_p = np.append(add, np.zeros((add.shape[0], 1), bool), axis=1)[:, pad]  # (D, S, M)
            take_p = np.append(take, np.zeros((take.shape[0], 1), bool), axis=1)[:, pad]
            g_p = np.where(add_p, np.append(gain, np.zeros((gain.shape[0], 1)), axis=1)[:, pad], -np.inf)
            l_p = np.where(take_p, np.append(loss, np.zeros((loss.shape[0], 1)), axis=1)[:, pad], np.inf)
            k1 = np.argmax(g_p, axis=2)
            j1 = np.argmin(np.where(np.arange(pad.shape[1]) == k1[..., None], np.inf, l_p), axis=2)
            j2 = np.argmin(l_p, axis=2)
            k2 = np.argmax(np.where(np.arange(pad.shape[1]) == j2[..., None], -np.inf, g_p), axis=2)
            for j, k in ((j1, k1), (j2, k2)):  # (D, S) positions in the asset's row of pad
                valid = (
                    np.take_along_axis(take_p, j[..., None], 2)[..., 0]
                    & np.take_along_axis(add_p, k[..., None], 2)[..., 0]
                    & (j != k)
                )
                fj, fk = f[seg, j], f[seg, k]
                rest_ok = (n_zero[None, :] - zero[seg, j] - zero[seg, k]) == 0
                rest = np.where(rest_ok, np.exp(log_sum[None, :] - logf[seg, j] - logf[seg, k]), 0.0)
                qd = self.q[:, None]
                f_from = np.clip(1.0 - s_pad[seg, j] / qd, 0.0, 1.0)
                f_to = 1.0 - s_pad[seg, k] * qd
                dw = np.where(valid, self.v_seg[None, :] * rest * (f_from * f_to - fj * fk), -np.inf)
                i = int(np.argmax(dw)) if dw.size else 0
                if dw.size and dw.flat[i] > best[0]:
                    d, a = np.unravel_index(i, dw.shape)
                    best = (float(dw.flat[i]), (int(d), int(pad[a, j[d, a]]), int(pad[a, k[d, a]])))
        return best

    def _assets_value(self, assets: set[int]) -> float:
        return sum(self.v[a] * float(np.prod(1.0 - self.s[self.members[a]])) for a in assets)

    def _best_swap(self, candidates: int = 8) -> tuple[float, tuple[int, int, int, int] | None]:
        """Best exchange: unit d moves a round from threat j to k while unit e moves one from k to j.

        With ``w = v pex s`` and ``r = q_e / q_d < 1`` (e kills better), the change of F is
        ``(1 - r) (w_j - w_k / r)`` when j and k threaten different assets; the best few (d, e) pairs by
        that formula are then evaluated exactly.
        """
        _, pex = self.terms()
        w = self.vj * pex * self.s
        engaged, room = self.x > 0, self.x < self.limit
        # a unit at its channel limit may open a threat only by closing one where it has a single round
        opens = (self.neng < self.eng) | (self.x == 1).any(axis=1)
        add_ok = room & (engaged | opens[:, None])
        # [d, e, j]: d gives a round at j to e; [d, e, k]: e gives a round at k to d
        give = engaged[:, None, :] & add_ok[None, :, :]
        back = engaged[None, :, :] & add_ok[:, None, :]
        wj = np.where(give, w, -np.inf)
        wk = np.where(back, w, np.inf)
        j = np.argmax(wj, axis=2)
        k = np.argmin(wk, axis=2)
        r = self.q[None, :] / self.q[:, None]  # [d, e]
        best_j = np.take_along_axis(wj, j[..., None], 2)[..., 0]
        best_k = np.take_along_axis(wk, k[..., None], 2)[..., 0]
        with np.errstate(invalid="ignore", over="ignore"):
            approx = np.where(
                (r < 1.0) & (j != k) & np.isfinite(best_j) & np.isfinite(best_k),
                (1.0 - r) * (best_j - best_k / r),
                -np.inf,
            )
        best: tuple[float, tuple[int, int, int, int] | None] = (self.step, None)
        for i in np.argsort(approx, axis=None)[::-1][:candidates]:
            if not approx.flat[i] > self.step:
                break
            d, e = np.unravel_index(int(i), approx.shape)
            jj, kk = int(j[d, e]), int(k[d, e])
            if not (self._may_open(int(d), kk, jj) and self._may_open(int(e), jj, kk)):
                continue
            delta = self._swap_delta(int(d), int(e), jj, kk)
            if delta > best[0]:
                best = (delta, (int(d), int(e), jj, kk))
        return best

    def _may_open(self, d: int, k: int, j: int) -> bool:
        """Unit d may add a round at k while it takes one from j (within its channel limit)."""
        return bool(self.x[d, k] > 0 or self.neng[d] < self.eng[d] or self.x[d, j] == 1)

    def _swap_delta(self, d: int, e: int, j: int, k: int) -> float:
        touched = {int(self.asset_of[j]), int(self.asset_of[k])}
        before = self._assets_value(touched)
        sj, sk = self.s[j], self.s[k]
        self.s[j], self.s[k] = sj / self.q[d] * self.q[e], sk / self.q[e] * self.q[d]
        after = self._assets_value(touched)
        self.s[j], self.s[k] = sj, sk
        return after - before

    def moves(self, deadline: float, swaps: bool = True) -> bool:
        """Best-improvement moves of single rounds (one unit, or two units exchanging when ``swaps``);
        True if F rose."""
        rose = False
        for _ in range(10 * max(1, int(self.x.sum()))):
            if time.perf_counter() > deadline:
                break
            move = self._best_move()[1]
            if move is not None:
                d, j, k = move
                self.remove(d, j)
                self.add(d, k)
                rose = True
                continue
            swap = self._best_swap()[1] if swaps else None
            if swap is None:
                break
            d, e, j, k = swap
            self.remove(d, j)
            self.remove(e, k)
            self.add(d, k)
            self.add(e, j)
            rose = True
        return rose

    def defended(self) -> NDArray:
        unc = self.uncovered()
        attacked = np.bincount(self.asset_of, minlength=self.n_assets) > 0
        return np.flatnonzero(attacked & (unc == 0))

    def drops(self, deadline: float, passes: int = 2) -> bool:
        """Drop each defended asset in turn and refill without it; keep each drop that raises F."""
        rose = False
        for _ in range(passes):
            improved = False
            for a in sorted(self.defended(), key=lambda a: (self.v[a], a)):
                if time.perf_counter() > deadline:
                    return rose
                if self.uncovered()[a] > 0:  # undefended by an earlier drop's refill
                    continue
                snap, before = self.snapshot(), self.value()
                self.clear_asset(int(a))
                self.fill(exclude=frozenset({int(a)}))
                self.moves(deadline, swaps=False)
                if self.value() > before + self.step:
                    improved = rose = True
                else:
                    self.restore(snap)
            if not improved:
                break
        return rose

    def clear_unit(self, d: int) -> None:
        cols = np.flatnonzero(self.x[d])
        self.rem[d] += self.x[d].sum()
        self.neng[d] = 0
        self.x[d] = 0
        for j in cols:
            self._leak(int(j))

    def resets(self, deadline: float) -> bool:
        """Free every round of one unit in turn and refill; keep each reset that raises F (this
        re-chooses a unit's engagements, which single-round moves cannot do at a channel limit)."""
        rose = False
        for d in np.flatnonzero(self.x.sum(axis=1)):
            if time.perf_counter() > deadline:
                break
            snap, before = self.snapshot(), self.value()
            self.clear_unit(int(d))
            self.fill()
            self.moves(deadline, swaps=False)
            if self.value() > before + self.step:
                rose = True
            else:
                self.restore(snap)
        return rose

    def perturb(self, rng: np.random.Generator, deadline: float, rounds: int, patience: int) -> bool:
        """Iterated local search: free the rounds of one or two random defended assets or units (and
        defend a random undefended asset first, half the time), refill with randomised choices, move;
        keep the result if F rose. Stops after ``patience`` failures in a row."""
        rose, failures = False, 0
        attacked = np.bincount(self.asset_of, minlength=self.n_assets) > 0
        for _ in range(rounds):
            if time.perf_counter() > deadline or failures >= patience:
                break
            defended = self.defended()
            open_ = np.flatnonzero(attacked & (self.uncovered() > 0))
            firing = np.flatnonzero(self.x.sum(axis=1))
            if firing.size == 0:
                break
            snap, before = self.snapshot(), self.value()
            force = None
            if defended.size and (open_.size == 0 or rng.random() < 0.5):
                for a in rng.choice(defended, size=min(defended.size, int(rng.integers(1, 3))), replace=False):
                    self.clear_asset(int(a))
            if open_.size and rng.random() < 0.5:
                force = int(rng.choice(open_))
            if force is None or rng.random() < 0.5:
                for d in rng.choice(firing, size=min(firing.size, int(rng.integers(1, 3))), replace=False):
                    self.clear_unit(int(d))
            self.fill(force=force, rng=rng)
            self.moves(deadline, swaps=False)
            if self.value() > before + self.step:
                rose, failures = True, 0
            else:
                self.restore(snap)
                failures += 1
        return rose


def preferential_allocation(
    plan: RaidPlan,
    pk_shot: Any,
    inventory: Any = None,
    *,
    per_opportunity: int = 1,
    max_engagements: Any = None,
    method: str = "heuristic",
    time_limit: float = 10.0,
    seed: int = 0,
) -> PreferentialAllocation:
    """Allocate each unit's rounds to the raid's missiles to maximise the expected surviving asset value.

    Parameters
    ----------
    plan : RaidPlan
        Threats (each aimed at an asset), assets (with values) and each unit's sequential shot
        opportunities on each threat.
    pk_shot : array_like, shape (defenders,)
        Per-shot kill probability of each unit's interceptor (reliability x SSPK). [1]
    inventory : array_like of int, shape (defenders,), optional
        Rounds per unit (default: each defender's magazine, ``Defender.inventory``).
    per_opportunity : {1, 2}
        Rounds per shot opportunity: 1 for shoot-look-shoot, 2 for a salvo of two. Unit ``d`` fires at
        most ``opportunities[d, j] * per_opportunity`` rounds at threat ``j``.
    max_engagements : array_like of int, shape (defenders,), optional
        Most distinct threats each unit may engage in the raid (its fire channels); None: no limit.
    method : {"heuristic", "greedy"}
        ``heuristic``: greedy construction then local search (see the module docstring);
        ``greedy``: the construction alone.
    time_limit : float
        Seconds for the local search [s]; the construction always completes.
    seed : int
        Seed of the perturbations of the local search (the result is reproducible).

    Returns
    -------
    PreferentialAllocation
        ``caps`` (defenders, threats) for :func:`bmdlab.engagement.raid.simulate_raid`, and the
        closed-form expected surviving value (:func:`expected_surviving_value`).
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise BmdlabError(f"method '{method}': must be one of {', '.join(METHODS)}")
    if not (isinstance(time_limit, (int, float)) and math.isfinite(time_limit) and time_limit > 0):
        raise BmdlabError(f"time_limit: {time_limit} must be > 0 seconds")
    if per_opportunity not in (1, 2):
        raise BmdlabError(f"per_opportunity: {per_opportunity} must be 1 (shoot-look-shoot) or 2 (salvo)")
    asset_of, values = _plan_arrays(plan)
    n_def, n_threat = len(plan.defenders), len(plan.threats)
    opp = np.asarray(plan.opportunities)
    if opp.shape != (n_def, n_threat):
        raise BmdlabError(f"plan.opportunities: shape {opp.shape} must be (defenders, threats) = {(n_def, n_threat)}")
    if np.any(opp < 0):
        raise BmdlabError("plan.opportunities: shot opportunities must be >= 0")
    pk = _check_pk(pk_shot, n_def)
    inv = _per_unit(
        [d.inventory for d in plan.defenders] if inventory is None else inventory, n_def, "inventory", integer=True
    )
    eng = (
        np.full(n_def, _UNLIMITED, dtype=np.int64)
        if max_engagements is None
        else _per_unit(max_engagements, n_def, "max_engagements", integer=True)
    )

    search = _Search(pk, opp.astype(np.int64) * per_opportunity, inv, eng, asset_of, values)
    deadline = started + float(time_limit)
    search.fill()
    if method == "heuristic" and search.x.any():
        search.moves(deadline)
        search.drops(deadline)
        search.resets(deadline)
        n_attacked = int(np.count_nonzero(np.bincount(asset_of, minlength=values.size)))
        search.perturb(np.random.default_rng(seed), deadline, rounds=max(30, 2 * n_attacked), patience=10)
        search.moves(deadline)
    stopped = time.perf_counter() > deadline
    caps = search.x.copy()
    survival = _asset_survival(asset_of, values.size, pk, caps)
    attacked = np.bincount(asset_of, minlength=values.size) > 0
    engaged = np.bincount(asset_of, weights=caps.sum(axis=0) == 0, minlength=values.size) == 0
    names = tuple(a.name for i, a in enumerate(plan.assets) if attacked[i] and engaged[i])
    return PreferentialAllocation(
        caps=caps,
        expected_surviving_value=_fraction(survival, values),
        asset_survival=survival,
        defended_assets=names,
        rounds_allocated=caps.sum(axis=1),
        per_opportunity=per_opportunity,
        method=method,
        seed=seed,
        seconds=time.perf_counter() - started,
        stopped_by_time_limit=stopped,
    )
