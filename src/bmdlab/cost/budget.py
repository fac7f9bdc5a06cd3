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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from bmdlab.catalog import Catalog
from bmdlab.cost.architecture import architecture_cost, interceptor_prices
from bmdlab.engagement.raid import DEFAULT_SEED
from bmdlab.engagement.scenario_raid import default_sspk, plan_scenario_raid, run_scenario_raid
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
    plan = plan_scenario_raid(union, catalog, missiles)
    eng = base.engagement
    per_opp = 1 if eng.doctrine == "shoot-look-shoot" else 2
    n_u, n_a = len(plan.defenders), len(plan.assets)
    asset_of = np.array([t.asset for t in plan.threats], dtype=np.int64)
    cap = np.zeros((n_u, n_a))
    for a in range(n_a):
        cap[:, a] = per_opp * plan.opportunities[:, asset_of == a].sum(axis=1)
    pk = np.array(
        [
            eng.sspk.get(d.interceptor, default_sspk(catalog.interceptors[d.interceptor]))
            * eng.reliability.get(d.interceptor, 1.0)
            for d in plan.defenders
        ]
    )
    kexp = -np.log1p(-np.minimum(pk, 1 - 1e-9))
    price_year = base.cost.price_year
    prices = interceptor_prices(catalog, price_year, base.cost.interceptor_cost)
    mag = np.array([d.inventory for d in plan.defenders], float)
    load_cost = np.array([m * prices[d.interceptor] for m, d in zip(mag, plan.defenders)])
    raid = base.raid
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
        missile_reliability=raid.missile_reliability if raid else 1.0,
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
    import time

    if not np.isfinite(budget_jpy) or budget_jpy < 0:
        raise BmdlabError(f"budget_jpy: {budget_jpy:g} must be a number >= 0 (yen of the price year)")
    t0 = time.perf_counter()
    P = problem
    n_u, n_a = P.cap.shape
    n_c = len(P.units)
    fixed = P.fixed
    pos = np.flatnonzero(P.kill_exponent > 0)
    delta = float(np.median(P.kill_exponent[pos])) / 2 if pos.size else 1.0
    L = levels
    pairs = [(u, a) for u in range(n_u) for a in range(n_a) if P.cap[u, a] > 0]
    # variable layout: x (n_c) | r (n_u) | y (pairs) | z (n_a * (L+1))
    ix = 0
    iR = n_c
    iY = iR + n_u
    iZ = iY + len(pairs)
    nv = iZ + n_a * (L + 1)
    c = np.zeros(nv)
    lv = np.arange(L + 1)
    surv = (1.0 - P.missile_reliability * np.exp(-lv[None, :] * delta)) ** P.threats_per_asset[:, None]
    total_value = P.values.sum()
    c[iZ:] = -(P.values[:, None] * surv).ravel() / max(total_value, 1e-300)

    A = lil_matrix((1 + n_u * 2 + len(pairs) + n_a * 2 + n_u, nv))
    lo, hi = [], []
    row = 0
    # budget
    for k, cand in enumerate(P.units):
        A[row, ix + k] = cand.cost_jpy
    for u in range(n_u):
        A[row, iR + u] = P.load_cost[u]
    lo.append(-np.inf)
    hi.append(budget_jpy)
    row += 1
    # magazines: sum_a y_ua - mag_u r_u - mag_u x_u(cand) <= mag_u (fixed units)
    for p, (u, _) in enumerate(pairs):
        A[row + u, iY + p] = 1.0
    for u in range(n_u):
        A[row + u, iR + u] = -P.magazine[u]
        if u >= fixed:
            A[row + u, ix + (u - fixed)] = -P.magazine[u]
            lo.append(-np.inf)
            hi.append(0.0)
        else:
            lo.append(-np.inf)
            hi.append(P.magazine[u])
    row += n_u
    # loads only for units that exist: r_u <= max_loads * x_u
    for u in range(n_u):
        A[row, iR + u] = 1.0
        if u >= fixed:
            A[row, ix + (u - fixed)] = -P.max_loads
            lo.append(-np.inf)
            hi.append(0.0)
        else:
            lo.append(-np.inf)
            hi.append(P.max_loads)
        row += 1
    # shots only from units that exist: y_ua <= cap_ua x_u
    for p, (u, a) in enumerate(pairs):
        A[row, iY + p] = 1.0
        if u >= fixed:
            A[row, ix + (u - fixed)] = -P.cap[u, a]
            lo.append(-np.inf)
            hi.append(0.0)
        else:
            lo.append(-np.inf)
            hi.append(P.cap[u, a])
        row += 1
    # one level per asset; level needs the kill exponent: sum_l l delta n_a z_al - sum_u k_u y_ua <= 0
    for a in range(n_a):
        A[row, iZ + a * (L + 1) : iZ + (a + 1) * (L + 1)] = 1.0
        lo.append(1.0)
        hi.append(1.0)
        row += 1
        A[row, iZ + a * (L + 1) : iZ + (a + 1) * (L + 1)] = lv * delta * P.threats_per_asset[a]
        for p, (u, aa) in enumerate(pairs):
            if aa == a:
                A[row, iY + p] = -P.kill_exponent[u]
        lo.append(-np.inf)
        hi.append(0.0)
        row += 1
    A = A[:row].tocsr()
    lb = np.zeros(nv)
    ub = np.full(nv, np.inf)
    ub[ix : ix + n_c] = 1
    ub[iR : iR + n_u] = P.max_loads
    ub[iZ:] = 1
    for k, v in (fix or {}).items():
        lb[ix + k] = ub[ix + k] = v
    integrality = np.zeros(nv)
    integrality[ix:iY] = 1
    integrality[iZ:] = 1
    with quiet_native_stdout():
        res = milp(
            c,
            constraints=LinearConstraint(A, lo, hi),
            bounds=Bounds(lb, ub),
            integrality=integrality,
            options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
        )
    if res.x is None:
        raise BmdlabError(f"budget optimisation found no solution ({res.message})")
    x = np.round(res.x[ix : ix + n_c]).astype(int)
    r = np.round(res.x[iR : iR + n_u]).astype(int)
    obj = -float(res.fun)
    bound = -float(getattr(res, "mip_dual_bound", res.fun) or res.fun)
    cost = float(sum(P.units[k].cost_jpy for k in range(n_c) if x[k]) + (r * P.load_cost).sum())
    names = P.meta["unit_names"]
    return BudgetSolution(
        budget_jpy=budget_jpy,
        buy=[P.units[k].key for k in range(n_c) if x[k]],
        loads={names[u]: int(r[u]) for u in range(n_u) if r[u]},
        cost_jpy=cost,
        model_surviving_value_fraction=obj,
        bound=max(bound, obj),
        gap=(max(bound, obj) - obj) / max(abs(obj), 1e-12),
        seconds=time.perf_counter() - t0,
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
    from bmdlab.cost.options import option_by_key

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
        cost = architecture_cost(single, catalog, years=years).total()
        key = u.at if isinstance(u.at, str) else f"{u.unit}@{u.at.lat:.2f},{u.at.lon:.2f}"
        cands.append(Candidate(key=f"{u.unit}:{key}", label=u.name or key, cost_jpy=cost, unit=u))
    return base, cands


def optimise_budget(
    catalog: Catalog,
    budget_jpy: float,
    *,
    missiles: int = 200,
    trials: int = 4000,
    seed: int = DEFAULT_SEED,
    max_loads: int = 1,
    years: int | None = None,
) -> dict[str, Any]:
    """Solve the budget MILP on the default candidates and check the choice by Monte Carlo."""
    if not np.isfinite(budget_jpy) or budget_jpy < 0:
        raise BmdlabError(f"budget_jpy: {budget_jpy:g} must be a number >= 0 (yen of the price year)")
    base, cands = default_candidates(catalog, years)
    prob = budget_problem(base, cands, catalog, missiles=missiles, max_loads=max_loads, years=years)
    sol = solve_budget(prob, budget_jpy)
    chosen = chosen_scenario(prob, sol)
    out, _, _ = run_scenario_raid(chosen, catalog, missiles=missiles, trials=trials, seed=seed)
    base_out, _, _ = run_scenario_raid(base, catalog, missiles=missiles, trials=trials, seed=seed)
    from bmdlab.catalog.money import exchange_rate, money_json

    rate = exchange_rate(catalog.economics, prob.price_year)

    def money(jpy: float) -> dict[str, int | None]:
        return money_json(jpy, rate, prob.price_year)

    return {
        "budget": money(budget_jpy),
        "price_year": prob.price_year,
        "missiles": missiles,
        "buy": sol.buy,
        "buy_labels": [c.label for c in cands if c.key in sol.buy],
        "loads": sol.loads,
        "cost": money(sol.cost_jpy),
        "candidates": [{"key": c.key, "label": c.label, "cost": money(c.cost_jpy)} for c in cands],
        "model_surviving_value_fraction": round(sol.model_surviving_value_fraction, 5),
        "gap": sol.gap,
        "monte_carlo_surviving_value_fraction": out["expected_surviving_value_fraction"],
        "monte_carlo_expected_leakers": out["expected_leakers"],
        "monte_carlo_p_zero_leakers": out["p_zero_leakers"],
        "baseline_surviving_value_fraction": base_out["expected_surviving_value_fraction"],
        "baseline_expected_leakers": base_out["expected_leakers"],
        "seconds": round(sol.seconds, 3),
        "trials": trials,
        "seed": seed,
        "approximation": "shots shared per asset, interceptors as kill exponents, no timing or shoot-look-shoot saving; "
        "the Monte Carlo figures check the choice without these simplifications",
    }


__all__ = [
    "BudgetProblem",
    "BudgetSolution",
    "Candidate",
    "budget_problem",
    "chosen_scenario",
    "default_candidates",
    "optimise_budget",
    "solve_budget",
]
