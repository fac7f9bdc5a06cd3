"""Budget optimisation: which units, sites and interceptor loads to buy for a budget (MILP, HiGHS).

Given the in-service architecture (free: its purchase is sunk) and a list of candidate purchases -
units at sites or stations, and extra interceptor loads for any unit - choose the purchases whose
life-cycle cost fits a budget ``B`` and that maximise the raid's expected surviving value.

The expected surviving value of a raid is not linear in what is bought, so the optimiser works on
a stated approximation, then checks its choice with the Monte Carlo:

1. *Shots are shared at an asset.* The raid (the scenario's default raid scaled to N missiles) is
   planned once against every unit and candidate; unit *u* can fire at most
   ``cap[u, a] = shots_per_opportunity x sum_j opportunities[u, j]`` interceptors at the threats
   ``j`` aimed at asset *a*, and at most its magazine (plus bought loads) over all assets.
2. *Interceptors are counted as kill exponents.* An interceptor of kill probability ``p`` adds
   ``-ln(1 - p)`` to the kill exponent of the threat it is fired at, so that the leak probability of
   a threat with exponent ``K`` is ``exp(-K)`` whatever mix of interceptors made it (exact for
   independent shots; Wilkening 2000, eq. 1). Each threat at an asset gets the same exponent, a
   multiple ``l`` of a step ``delta``, chosen by binaries ``z[a, l]``.
3. *Asset survival.* With ``n_a`` threats of reliability ``rho`` aimed at asset *a*, its
   survival probability is ``(1 - rho exp(-l delta))^{n_a}``; the objective is the value-weighted sum.

The approximation ignores timing (launch windows, fire-rate limits), the saving of shoot-look-shoot
(every planned shot is charged) and cueing by radars not bought (the plan includes every candidate's
radar). The chosen portfolio's surviving value is then computed by the raid Monte Carlo, which has
none of these simplifications, and both numbers are reported.

References
----------
.. [1] D. A. Wilkening, Science & Global Security 8 (2000) 183-215 (kill probability of n
       independent shots).
.. [2] Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method", Math. Prog.
       Comp. 10 (2018) 119-142 (HiGHS, the MILP solver used through SciPy).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import assemble
from bmdlab.catalog import Catalog
from bmdlab.catalog.money import exchange_rate, money_json
from bmdlab.cost.architecture import architecture_cost, interceptor_prices
from bmdlab.cost.options import option_by_key
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.engagement.raid import plan_raid
from bmdlab.engagement.scenario_raid import RaidOutcome, RaidRun, run_scenario_raid
from bmdlab.errors import BmdlabError
from bmdlab.io import quiet_native_stdout
from bmdlab.scenario import Scenario, UnitSpec


@dataclass(frozen=True)
class Candidate:
    """A purchase: a new unit at a place (``unit`` set) or an extra load for a unit (``load_of`` set)."""

    key: str
    label: str
    cost_jpy: float
    unit: UnitSpec | None = None


@dataclass(frozen=True)
class BudgetProblem:
    """The MILP's data (built by :func:`budget_problem`)."""

    scenario: Scenario  #: the union scenario: in-service units then candidate units
    fixed: int  #: number of in-service units at the front of scenario.architecture.units
    units: list[Candidate]  #: candidate units (one per union unit after ``fixed``)
    load_cost: np.ndarray  #: (all units,) cost of one extra magazine [JPY]
    max_loads: int
    cap: np.ndarray  #: (all units, assets) interceptors a unit can fire at an asset's threats
    magazine: np.ndarray  #: (all units,)
    kill_exponent: np.ndarray  #: (all units,) -ln(1 - p)
    threats_per_asset: np.ndarray  #: (assets,)
    values: np.ndarray  #: (assets,)
    missile_reliability: float
    missiles: int
    price_year: int
    meta: dict[str, Any] = field(default_factory=dict)


def budget_problem(
    base: Scenario,
    candidates: list[Candidate],
    catalog: Catalog,
    *,
    missiles: int = 200,
    max_loads: int = 1,
    years: int | None = None,
) -> BudgetProblem:
    """Plan the raid against the base architecture plus every candidate and collect the MILP data."""
    if max_loads < 0:
        raise BmdlabError(f"max_loads: {max_loads} must be >= 0")
    units = [u for u in base.architecture.units]
    fixed = len(units)
    units += [c.unit for c in candidates if c.unit is not None]
    union = base.model_copy(
        update={
            "architecture": base.architecture.model_copy(update={"units": units}),
            "name": base.name + "+candidates",
        }
    )
    setup = assemble(union, catalog, Overrides(missiles=missiles))
    plan = plan_raid(setup)
    per_opp = 1 if setup.doctrine == "shoot-look-shoot" else 2
    n_u, n_a = len(plan.defenders), len(plan.assets)
    asset_of = np.array([t.asset for t in plan.threats], dtype=np.int64)
    cap = np.zeros((n_u, n_a))
    for a in range(n_a):
        cap[:, a] = per_opp * plan.opportunities[:, asset_of == a].sum(axis=1)
    pk = setup.unit_array("sspk") * setup.unit_array("reliability")
    kexp = -np.log1p(-np.minimum(pk, 1 - 1e-9))
    price_year = setup.cost.price_year
    prices = interceptor_prices(catalog, price_year, base.cost.interceptor_cost)
    mag = np.array([d.inventory for d in plan.defenders], float)
    load_cost = np.array([m * prices[d.interceptor] for m, d in zip(mag, plan.defenders)])
    return BudgetProblem(
        scenario=union,
        fixed=fixed,
        units=[c for c in candidates if c.unit is not None],
        load_cost=load_cost,
        max_loads=max_loads,
        cap=cap,
        magazine=mag,
        kill_exponent=kexp,
        threats_per_asset=np.bincount(asset_of, minlength=n_a).astype(float),
        values=np.array([a.value for a in plan.assets], float),
        missile_reliability=setup.require_raid().missile_reliability,
        missiles=missiles,
        price_year=price_year,
        meta={"asset_names": [a.name for a in plan.assets], "unit_names": [d.name for d in plan.defenders]},
    )


@dataclass(frozen=True)
class BudgetSolution:
    budget_jpy: float
    buy: list[str]  #: candidate keys bought
    loads: dict[str, int]  #: unit name -> extra magazines bought
    cost_jpy: float
    model_surviving_value_fraction: float  #: the MILP's (approximate) objective / total value
    bound: float  #: HiGHS dual bound on the same objective (fraction)
    gap: float
    seconds: float
    x: np.ndarray  #: (candidates,) 0/1
    r: np.ndarray  #: (all units,) loads


@dataclass(frozen=True)
class _Layout:
    """The MILP's variables, in named blocks: ``x[c]`` (buy candidate c), ``r[u]`` (extra magazines of unit u),
    ``y[p]`` (interceptors of the p-th (unit, asset) pair that can fire) and ``z[a, l]`` (asset a's threats
    get kill exponent ``l delta``)."""

    n_c: int
    n_u: int
    n_a: int
    levels: int
    pairs: list[tuple[int, int]]

    def x(self, c: int) -> int:
        return c

    def r(self, u: int) -> int:
        return self.n_c + u

    def y(self, p: int) -> int:
        return self.n_c + self.n_u + p

    def z(self, a: int) -> slice:
        """The level binaries of asset ``a``."""
        start = self.n_c + self.n_u + len(self.pairs) + a * (self.levels + 1)
        return slice(start, start + self.levels + 1)

    @property
    def xs(self) -> slice:
        return slice(0, self.n_c)

    @property
    def rs(self) -> slice:
        return slice(self.n_c, self.n_c + self.n_u)

    @property
    def zs(self) -> slice:
        return slice(self.z(0).start, self.size)

    @property
    def size(self) -> int:
        return self.n_c + self.n_u + len(self.pairs) + self.n_a * (self.levels + 1)

    def of_unit(self, u: int, fixed: int) -> int | None:
        """The candidate variable ``x`` of unit ``u`` (None for an in-service unit: the first ``fixed``)."""
        return None if u < fixed else self.x(u - fixed)


class _Rows:
    """The constraints ``lo <= A v <= hi``, one row at a time, each written as ``(variable, coefficient)`` terms."""

    def __init__(self, n_rows: int, n_vars: int):
        self.A = lil_matrix((n_rows, n_vars))
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, terms: list[tuple[int | slice, Any]], lo: float, hi: float) -> None:
        row = len(self.lo)
        for var, coef in terms:
            self.A[row, var] = coef
        self.lo.append(lo)
        self.hi.append(hi)

    def constraint(self) -> LinearConstraint:
        return LinearConstraint(self.A[: len(self.lo)].tocsr(), self.lo, self.hi)


def solve_budget(
    problem: BudgetProblem,
    budget_jpy: float,
    *,
    levels: int = 16,
    fix: dict[int, int] | None = None,
    time_limit: float = 60.0,
) -> BudgetSolution:
    """Maximise the approximate expected surviving value within ``budget_jpy`` (MILP, HiGHS).

    Variables: ``x_c`` (buy candidate unit c), ``r_u`` (extra magazines of unit u, integer 0..max),
    ``y_ua >= 0`` (interceptors of u at asset a), ``z_al`` (asset a's threats get kill exponent
    ``l delta``). ``fix`` pins candidate binaries (``{index: 0 or 1}``; used to check the optimiser
    against enumeration).
    """
    if not np.isfinite(budget_jpy) or budget_jpy < 0:
        raise BmdlabError(f"budget_jpy: {budget_jpy:g} must be a number >= 0 (yen of the price year)")
    t0 = time.perf_counter()
    P = problem
    n_u, n_a = P.cap.shape
    pairs = [(u, a) for u in range(n_u) for a in range(n_a) if P.cap[u, a] > 0]
    v = _Layout(n_c=len(P.units), n_u=n_u, n_a=n_a, levels=levels, pairs=pairs)
    pos = np.flatnonzero(P.kill_exponent > 0)
    delta = float(np.median(P.kill_exponent[pos])) / 2 if pos.size else 1.0
    lv = np.arange(levels + 1)
    surv = (1.0 - P.missile_reliability * np.exp(-lv[None, :] * delta)) ** P.threats_per_asset[:, None]
    c = np.zeros(v.size)
    c[v.zs] = -(P.values[:, None] * surv).ravel() / max(P.values.sum(), 1e-300)  # maximise surviving value
    rows = _Rows(1 + n_u * 2 + len(pairs) + n_a * 2 + n_u, v.size)
    _budget_row(rows, P, v, budget_jpy)
    _magazine_rows(rows, P, v)
    _load_rows(rows, P, v)
    _shot_rows(rows, P, v)
    _level_rows(rows, P, v, lv * delta)
    lb, ub = np.zeros(v.size), np.full(v.size, np.inf)
    ub[v.xs], ub[v.rs], ub[v.zs] = 1, P.max_loads, 1
    for k, val in (fix or {}).items():
        lb[v.x(k)] = ub[v.x(k)] = val
    integrality = np.zeros(v.size)
    integrality[v.xs], integrality[v.rs], integrality[v.zs] = 1, 1, 1
    with quiet_native_stdout():
        res = milp(
            c,
            constraints=rows.constraint(),
            bounds=Bounds(lb, ub),
            integrality=integrality,
            options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
        )
    if res.x is None:
        raise BmdlabError(f"budget optimisation found no solution ({res.message})")
    return _solution(P, v, res, budget_jpy, time.perf_counter() - t0)


def _budget_row(rows: _Rows, P: BudgetProblem, v: _Layout, budget_jpy: float) -> None:
    """sum_c cost_c x_c + sum_u load_cost_u r_u <= B."""
    terms: list[tuple[int | slice, Any]] = [(v.x(k), cand.cost_jpy) for k, cand in enumerate(P.units)]
    terms += [(v.r(u), P.load_cost[u]) for u in range(v.n_u)]
    rows.add(terms, -np.inf, budget_jpy)


def _magazine_rows(rows: _Rows, P: BudgetProblem, v: _Layout) -> None:
    """sum_a y_ua - mag_u r_u - mag_u x_u <= 0 for a candidate; sum_a y_ua - mag_u r_u <= mag_u in service."""
    for u in range(v.n_u):
        terms: list[tuple[int | slice, Any]] = [(v.y(p), 1.0) for p, (uu, _) in enumerate(v.pairs) if uu == u]
        terms.append((v.r(u), -P.magazine[u]))
        x = v.of_unit(u, P.fixed)
        if x is not None:
            terms.append((x, -P.magazine[u]))
        rows.add(terms, -np.inf, 0.0 if x is not None else P.magazine[u])


def _load_rows(rows: _Rows, P: BudgetProblem, v: _Layout) -> None:
    """Loads only for units that exist: r_u <= max_loads x_u."""
    for u in range(v.n_u):
        x = v.of_unit(u, P.fixed)
        terms: list[tuple[int | slice, Any]] = [(v.r(u), 1.0)] + ([(x, -P.max_loads)] if x is not None else [])
        rows.add(terms, -np.inf, 0.0 if x is not None else P.max_loads)


def _shot_rows(rows: _Rows, P: BudgetProblem, v: _Layout) -> None:
    """Shots only from units that exist: y_ua <= cap_ua x_u."""
    for p, (u, a) in enumerate(v.pairs):
        x = v.of_unit(u, P.fixed)
        terms: list[tuple[int | slice, Any]] = [(v.y(p), 1.0)] + ([(x, -P.cap[u, a])] if x is not None else [])
        rows.add(terms, -np.inf, 0.0 if x is not None else P.cap[u, a])


def _level_rows(rows: _Rows, P: BudgetProblem, v: _Layout, exponents: np.ndarray) -> None:
    """One level per asset (sum_l z_al = 1), and the level needs the kill exponent fired at its threats:
    sum_l l delta n_a z_al - sum_u k_u y_ua <= 0."""
    for a in range(v.n_a):
        rows.add([(v.z(a), 1.0)], 1.0, 1.0)
        terms: list[tuple[int | slice, Any]] = [(v.z(a), exponents * P.threats_per_asset[a])]
        terms += [(v.y(p), -P.kill_exponent[u]) for p, (u, aa) in enumerate(v.pairs) if aa == a]
        rows.add(terms, -np.inf, 0.0)


def _solution(P: BudgetProblem, v: _Layout, res: Any, budget_jpy: float, seconds: float) -> BudgetSolution:
    """The purchases of a HiGHS solution, its cost and its optimality gap."""
    x = np.round(res.x[v.xs]).astype(int)
    r = np.round(res.x[v.rs]).astype(int)
    obj = -float(res.fun)
    bound = -float(getattr(res, "mip_dual_bound", res.fun) or res.fun)
    cost = float(sum(P.units[k].cost_jpy for k in range(v.n_c) if x[k]) + (r * P.load_cost).sum())
    names = P.meta["unit_names"]
    return BudgetSolution(
        budget_jpy=budget_jpy,
        buy=[P.units[k].key for k in range(v.n_c) if x[k]],
        loads={names[u]: int(r[u]) for u in range(v.n_u) if r[u]},
        cost_jpy=cost,
        model_surviving_value_fraction=obj,
        bound=max(bound, obj),
        gap=(max(bound, obj) - obj) / max(abs(obj), 1e-12),
        seconds=seconds,
        x=x,
        r=r,
    )


def chosen_scenario(problem: BudgetProblem, sol: BudgetSolution) -> Scenario:
    """The in-service architecture plus the bought units, with bought loads added to inventories."""
    units = list(problem.scenario.architecture.units)
    keep = [True] * problem.fixed + [bool(v) for v in sol.x]
    out = []
    for i, (u, k) in enumerate(zip(units, keep)):
        if not k:
            continue
        mag = int(problem.magazine[i])
        out.append(u.model_copy(update={"inventory": mag * (1 + int(sol.r[i]))}) if sol.r[i] else u)
    arch = problem.scenario.architecture.model_copy(update={"units": out})
    return problem.scenario.model_copy(update={"architecture": arch, "name": f"budget-{sol.budget_jpy / 1e9:.0f}bn"})


def default_candidates(catalog: Catalog, years: int | None = None) -> tuple[Scenario, list[Candidate]]:
    """The in-service 2017 baseline and the purchases the debate weighed: Aegis Ashore at Araya and
    Mutsumi, THAAD at the six optimiser sites, the two Atago-class BMD upgrades on station."""
    base = option_by_key(catalog, "baseline").scenario
    cands: list[Candidate] = []
    aa = option_by_key(catalog, "aegis-ashore").scenario
    th = option_by_key(catalog, "thaad").scenario
    ships = option_by_key(catalog, "baseline-6-ships").scenario
    pool = (
        [u for u in aa.architecture.units if u.unit == "aegis-ashore"]
        + [u for u in th.architecture.units if u.unit == "thaad-battery"]
        + [u for u in ships.architecture.units if u.unit == "atago-class"]
    )
    for u in pool:
        single = ships.model_copy(update={"architecture": ships.architecture.model_copy(update={"units": [u]})})
        cost = architecture_cost(assemble(single, catalog, Overrides(years=years))).total()
        key = u.at if isinstance(u.at, str) else f"{u.unit}@{u.at.lat:.2f},{u.at.lon:.2f}"
        cands.append(Candidate(key=f"{u.unit}:{key}", label=u.name or key, cost_jpy=cost, unit=u))
    return base, cands


@dataclass(frozen=True)
class BudgetOutcome:
    """The budget MILP's purchases and their Monte Carlo check against the baseline (JSON via :meth:`to_dict`)."""

    budget_jpy: float
    missiles: int
    problem: BudgetProblem = field(repr=False)
    solution: BudgetSolution = field(repr=False)
    candidates: tuple[Candidate, ...]
    chosen: RaidOutcome = field(repr=False)  #: the chosen architecture's raid
    baseline: RaidOutcome = field(repr=False)  #: the baseline's raid
    jpy_per_usd: float

    @property
    def buy(self) -> list[str]:
        return self.solution.buy

    @property
    def cost_jpy(self) -> float:
        return self.solution.cost_jpy

    def money(self, jpy: float) -> dict[str, int | None]:
        return money_json(jpy, self.jpy_per_usd, self.problem.price_year)

    def to_dict(self) -> dict[str, Any]:
        sol, chosen, base = self.solution, self.chosen, self.baseline
        return {
            "budget": self.money(self.budget_jpy),
            "price_year": self.problem.price_year,
            "missiles": self.missiles,
            "buy": sol.buy,
            "buy_labels": [c.label for c in self.candidates if c.key in sol.buy],
            "loads": sol.loads,
            "cost": self.money(sol.cost_jpy),
            "candidates": [{"key": c.key, "label": c.label, "cost": self.money(c.cost_jpy)} for c in self.candidates],
            "model_surviving_value_fraction": round(sol.model_surviving_value_fraction, 5),
            "gap": sol.gap,
            "monte_carlo_surviving_value_fraction": round(chosen.expected_surviving_value_fraction, 5),
            "monte_carlo_expected_leakers": round(chosen.expected_leakers, 4),
            "monte_carlo_p_zero_leakers": round(chosen.p_zero_leakers, 5),
            "baseline_surviving_value_fraction": round(base.expected_surviving_value_fraction, 5),
            "baseline_expected_leakers": round(base.expected_leakers, 4),
            "seconds": round(sol.seconds, 3),
            "trials": chosen.trials,
            "seed": chosen.seed,
            "approximation": "shots shared per asset, interceptors as kill exponents, no timing or shoot-look-shoot "
            "saving; the Monte Carlo figures check the choice without these simplifications",
        }


def optimise_budget(
    catalog: Catalog,
    budget_jpy: float,
    *,
    missiles: int = 200,
    trials: int = 4000,
    seed: int = DEFAULT_SEED,
    max_loads: int = 1,
    years: int | None = None,
) -> BudgetOutcome:
    """Solve the budget MILP on the default candidates and check the choice by Monte Carlo."""
    if not np.isfinite(budget_jpy) or budget_jpy < 0:
        raise BmdlabError(f"budget_jpy: {budget_jpy:g} must be a number >= 0 (yen of the price year)")
    base, cands = default_candidates(catalog, years)
    prob = budget_problem(base, cands, catalog, missiles=missiles, max_loads=max_loads, years=years)
    sol = solve_budget(prob, budget_jpy)
    run = RaidRun(trials=trials, seed=seed)
    chosen = run_scenario_raid(assemble(chosen_scenario(prob, sol), catalog, Overrides(missiles=missiles)), run)
    base_out = run_scenario_raid(assemble(base, catalog, Overrides(missiles=missiles)), run)
    return BudgetOutcome(
        budget_jpy=budget_jpy,
        missiles=missiles,
        problem=prob,
        solution=sol,
        candidates=tuple(cands),
        chosen=chosen,
        baseline=base_out,
        jpy_per_usd=exchange_rate(catalog.economics, prob.price_year),
    )


__all__ = [
    "BudgetOutcome",
    "BudgetProblem",
    "BudgetSolution",
    "Candidate",
    "budget_problem",
    "chosen_scenario",
    "default_candidates",
    "optimise_budget",
    "solve_budget",
]
