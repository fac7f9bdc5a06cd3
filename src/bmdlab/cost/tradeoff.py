"""Cost against effectiveness for a set of architectures, the Pareto frontier, cost-exchange ratios.

For every option (:mod:`bmdlab.cost.options`) bmdlab computes

* its life-cycle cost over the horizon (:func:`bmdlab.cost.architecture.architecture_cost`),
* the share of the threatened population it covers, and the share that at least two units can
  defend against every threat that reaches it (depth), from the national coverage grid,
* for raids of N missiles (the scenario's default raid scaled to N): expected surviving value,
  P(zero leakers), expected leakers and the interceptors expended, by Monte Carlo,
* the cost-exchange ratio: what the defence spends against what the attacker spends. Two forms are
  reported: interceptors expended in the raid per yen of the attacker's missiles, and the
  architecture's whole life-cycle cost per yen of the raid's missiles (low-high from the range of
  published missile cost estimates).

A point is on the Pareto frontier when no other option costs no more and is at least as effective,
and strictly better in one of the two. For the raid metrics the options are compared in pairs on
common random numbers (every option's raid draws the same threats' fates and the same draws for the
units it shares with another, :func:`bmdlab.engagement.raid.simulate_raid`): option *j* is at least
as effective as *i* unless *i* is better by more than the 95 % interval of their per-trial
difference (:func:`pareto_front_paired`), so a frontier does not rest on Monte Carlo noise, and every
raid figure carries its 95 % interval.

References
----------
.. [1] D. A. Wilkening, "A simple model for calculating ballistic missile defense effectiveness",
       Science & Global Security 8 (2000) 183-215 (cost-exchange ratio, sec. on costs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab import bounds
from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import Setup, assemble, with_missiles
from bmdlab.catalog import Catalog
from bmdlab.catalog.money import money_json
from bmdlab.cost.architecture import CostBreakdown, architecture_cost, interceptor_prices, missile_price
from bmdlab.cost.options import Option
from bmdlab.coverage.national import Coverage, national_coverages
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.defense.engage import EngagementModel
from bmdlab.engagement.raid import RaidPlan
from bmdlab.engagement.scenario_raid import RaidOutcome, RaidRun, run_scenario_raid
from bmdlab.errors import BmdlabError
from bmdlab.montecarlo import Z95, mean_ci95

RAID_SIZES = (50, 100, 200)
PAIRED_METRICS = ("expected_surviving_value_fraction", "expected_leakers")  #: raid metrics kept per trial


def pareto_front(cost: ArrayLike, effect: ArrayLike) -> NDArray[np.bool_]:
    """Mask of the non-dominated points (minimise cost, maximise effect).

    Point *i* is dominated when some *j* has ``cost[j] <= cost[i]`` and ``effect[j] >= effect[i]``
    with at least one strict inequality. Ties (equal cost and effect) are all kept.
    """
    c = np.asarray(cost, float)
    e = np.asarray(effect, float)
    if c.shape != e.shape or c.ndim != 1:
        raise ValueError("cost and effect must be 1-D arrays of the same length")
    le = c[None, :] <= c[:, None]
    ge = e[None, :] >= e[:, None]
    strict = (c[None, :] < c[:, None]) | (e[None, :] > e[:, None])
    return ~np.any(le & ge & strict, axis=1)


def pareto_front_paired(cost: ArrayLike, samples: ArrayLike, z: float = Z95) -> NDArray[np.bool_]:
    """Mask of the non-dominated options when the effect (to maximise) is a Monte Carlo mean.

    ``samples`` (options, trials) holds each option's per-trial effect on common random numbers
    (trial *t* of every option shares its draws). Option *j* dominates *i* when ``cost[j] <= cost[i]``
    and *j*'s effect is not resolvably worse (the mean of ``samples[j] - samples[i]`` is at least
    ``-z`` of its standard errors), with *j* strictly cheaper or resolvably better (above ``+z``
    standard errors). Differences within the interval count as ties, so the frontier changes only
    when a difference is resolved.
    """
    c = np.asarray(cost, float)
    x = np.asarray(samples, float)
    if x.ndim != 2 or x.shape[0] != c.size or x.shape[1] < 2:
        raise ValueError("samples must be (options, trials >= 2) with one row per cost")
    d = x[None, :, :] - x[:, None, :]  # d[i, j] = j minus i, per trial
    mean = d.mean(axis=2)
    half = z * d.std(axis=2, ddof=1) / np.sqrt(x.shape[1])
    not_worse, better = mean >= -half, mean > half
    cheaper_or_equal, cheaper = c[None, :] <= c[:, None], c[None, :] < c[:, None]  # [i, j]: j's cost against i's
    dominates = cheaper_or_equal & not_worse & (cheaper | better)
    np.fill_diagonal(dominates, False)
    dominated = dominates.any(axis=1)
    return ~dominated


def raid_costs(outcome: RaidOutcome, catalog: Catalog, price_year: int, overrides=None) -> dict[str, Any]:
    """Interceptor yen expended in a raid and the attacker's yen, with the exchange ratio."""
    prices = interceptor_prices(catalog, price_year, overrides)
    plan, tally = outcome.plan, outcome.tally
    spent = float(sum(tally.expended_mean[i] * prices[d.interceptor] for i, d in enumerate(plan.defenders)))
    attack = np.zeros(3)
    for t in plan.threats:
        attack += np.array(missile_price(catalog, t.missile, price_year))
    return {
        "interceptor_cost_jpy": spent,
        "attacker_cost_jpy": attack.tolist(),
        "exchange_ratio": [
            spent / attack[2] if attack[2] else float("nan"),
            spent / attack[1] if attack[1] else float("nan"),
            spent / attack[0] if attack[0] else float("nan"),
        ],
    }


@dataclass(frozen=True)
class RaidFigures:
    """One option against a raid of one size: effectiveness with 95 % intervals, costs and exchange ratios
    (rounded as reported)."""

    expected_surviving_value_fraction: float
    expected_surviving_value_fraction_ci95: tuple[float, float]
    p_zero_leakers: float
    expected_leakers: float
    expected_leakers_ci95: tuple[float, float]
    leakers_p05: int
    leakers_median: int
    leakers_p95: int
    interceptors_expended: float
    interceptor_cost: dict[str, int | None]  #: money of the rounds expended
    attacker_cost: dict[str, dict[str, int | None]]  #: low, nominal, high money of the raid's missiles
    exchange_ratio_interceptors: tuple[float, float, float]
    exchange_ratio_total: tuple[float | None, float | None, float | None]
    jpy_per_leaker_avoided: int | None = None  #: against the baseline
    jpy_per_point_surviving_value: int | None = None  #: against the baseline

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for k in (
            "expected_surviving_value_fraction_ci95",
            "expected_leakers_ci95",
            "exchange_ratio_interceptors",
            "exchange_ratio_total",
        ):
            out[k] = list(out[k])
        return out


@dataclass(frozen=True)
class OptionEvaluation:
    """One option of the trade-off: its cost, the people it covers and its raids of each size."""

    key: str
    label: str
    note: str
    scenario_hash: str
    units: int
    cost: CostBreakdown
    population_fraction: float  #: people some unit can defend against every threat [-]
    population_fraction_2units: float  #: people two units can defend against every threat [-]
    raids: dict[int, RaidFigures]
    engagement_model: EngagementModel  #: the fly-out and engagement limits of its coverage and raids

    @property
    def cost_total_jpy(self) -> int:
        return int(self.cost.money(self.cost.total())["jpy"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "note": self.note,
            "scenario_hash": self.scenario_hash,
            "units": self.units,
            "cost": self.cost.to_dict(),
            "population_fraction": self.population_fraction,
            "population_fraction_2units": self.population_fraction_2units,
            "raids": {str(n): r.to_dict() for n, r in self.raids.items()},
            "engagement_model": self.engagement_model.to_dict(),
        }


@dataclass(frozen=True)
class TradeoffResult:
    """Every option's cost and effectiveness, and the Pareto frontiers (JSON via :meth:`to_dict`)."""

    rows: tuple[OptionEvaluation, ...]
    raid_sizes: tuple[int, ...]
    years: int
    price_year: int
    jpy_per_usd: float
    seed: int
    trials: int
    samples: dict = field(default_factory=dict, repr=False)  #: (option key, raid size, metric) -> per-trial values

    def frontier(self, metric: str = "expected_surviving_value_fraction", raid: int | None = None) -> list[str]:
        """Keys of the options on the Pareto frontier of total cost against ``metric`` (paired, with
        :func:`pareto_front_paired`, for raid metrics whose per-trial values were kept)."""
        cost = [r.cost_total_jpy for r in self.rows]
        n = str(max(self.raid_sizes) if raid is None else raid)
        keys = [(r.key, n, metric) for r in self.rows]
        if metric in PAIRED_METRICS and all(k in self.samples for k in keys):
            sign = -1.0 if metric == "expected_leakers" else 1.0
            mask = pareto_front_paired(cost, np.stack([sign * self.samples[k] for k in keys]))
        else:
            mask = pareto_front(cost, [self.effect(r, metric, raid) for r in self.rows])
        return [r.key for r, m in zip(self.rows, mask) if m]

    def effect(self, row: OptionEvaluation, metric: str, raid: int | None) -> float:
        if metric in ("population_fraction", "population_fraction_2units"):
            return float(getattr(row, metric))
        n = max(self.raid_sizes) if raid is None else int(raid)
        if n not in row.raids:
            raise BmdlabError(f"raid: {n} is not among the raid sizes run ({', '.join(map(str, self.raid_sizes))})")
        v = getattr(row.raids[n], metric)
        return -float(v) if metric == "expected_leakers" else float(v)

    def to_dict(self) -> dict[str, Any]:
        fr = {str(n): self.frontier(raid=n) for n in self.raid_sizes}
        return {
            "options": [r.to_dict() for r in self.rows],
            "raid_sizes": list(self.raid_sizes),
            "years": self.years,
            "price_year": self.price_year,
            "jpy_per_usd": self.jpy_per_usd,
            "seed": self.seed,
            "trials": self.trials,
            "pareto_surviving_value": fr,
            "pareto_population": self.frontier("population_fraction"),
        }


@dataclass(frozen=True)
class TradeoffRun:
    """What a trade-off runs for every option: raids of these sizes, each of ``trials`` on ``seed``, and
    the coverage on a ``resolution_km`` grid."""

    raid_sizes: tuple[int, ...] = RAID_SIZES
    trials: int = 4000
    seed: int = DEFAULT_SEED
    resolution_km: float = 10.0
    #: the raids' plans, ``planner(setup, raid_run)``, where a caller keeps them (a study's memo); else planned here
    planner: Callable[[Setup, RaidRun], RaidPlan] | None = None


def evaluate_options(
    options: Sequence[Option],
    catalog: Catalog,
    run: TradeoffRun,
    *,
    overrides: Overrides | None = None,
    coverages: dict[str, Coverage] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TradeoffResult:
    """Cost and effectiveness of each option (coverage, raids of each size), ready for a frontier.

    Every option is assembled with ``overrides`` (e.g. the cost horizon); ``coverages`` (option key ->
    :class:`Coverage`) reuses coverage already computed.
    """
    run_trials = bounds.RUN_TRIALS.check("trials", run.trials)
    for n in run.raid_sizes:
        bounds.MISSILES.check("raid", n)
    setups = {o.key: assemble(o.scenario, catalog, overrides) for o in options}
    covs = dict(coverages or {})
    missing = [o for o in options if o.key not in covs]
    if missing:  # one pass over the threats for every option that shares them (bmdlab.coverage.national_coverages)
        covs.update(
            zip((o.key for o in missing), national_coverages([setups[o.key] for o in missing], run.resolution_km))
        )
    rows: list[OptionEvaluation] = []
    samples: dict[tuple[str, str, str], np.ndarray] = {}
    cost = None
    for opt in options:
        cost = architecture_cost(setups[opt.key])
        raids = {int(n): _raid_figures(setups[opt.key], opt.key, int(n), cost, run, samples) for n in run.raid_sizes}
        rows.append(
            OptionEvaluation(
                opt.key,
                opt.label,
                opt.note,
                opt.scenario.hash,
                len(opt.scenario.architecture.units),
                cost,
                *_coverage_shares(covs[opt.key]),
                raids,
                setups[opt.key].model,
            )
        )
        if progress:
            progress(opt.key)
    return TradeoffResult(
        rows=_against_baseline(rows),
        raid_sizes=tuple(int(n) for n in run.raid_sizes),
        years=int(cost.years) if cost else 0,
        price_year=int(cost.price_year) if cost else 0,
        jpy_per_usd=float(cost.jpy_per_usd) if cost else 0.0,
        seed=run.seed,
        trials=run_trials,
        samples=samples,
    )


def _coverage_shares(cov: Coverage) -> tuple[float, float]:
    """Shares of all of Japan's people that some unit, and that two units, can defend against every threat."""
    shots = cov.worst_shots()
    units = (cov.shots > 0).sum(axis=1)  # (threats, cells): units that can engage
    big = np.iinfo(np.int64).max
    worst_units = np.min(np.where(cov.reach, units, big), axis=0)
    threatened = cov.reach.any(axis=0)
    pop = cov.grid.population
    tot = pop.sum()
    frac = float(pop[threatened & (shots >= 1)].sum() / tot) if tot else 0.0
    frac2 = float(pop[threatened & (worst_units >= 2) & (worst_units < big)].sum() / tot) if tot else 0.0
    return round(frac, 5), round(frac2, 5)


def _raid_figures(
    setup: Setup,
    key: str,
    n: int,
    cost: CostBreakdown,
    run: TradeoffRun,
    samples: dict[tuple[str, str, str], np.ndarray],
) -> RaidFigures:
    """One option's raid of ``n`` missiles: its figures with intervals, costs and exchange ratios; its
    per-trial values go to ``samples`` (for the paired frontier)."""
    raid_setup, raid_run = with_missiles(setup, n), RaidRun(trials=run.trials, seed=run.seed, keep_trials=True)
    plan = None if run.planner is None else run.planner(raid_setup, raid_run)
    out = run_scenario_raid(raid_setup, raid_run, plan=plan)
    value = out.tally.surviving_value_per_trial.astype(np.float64)
    samples[(key, str(n), "expected_surviving_value_fraction")] = value
    samples[(key, str(n), "expected_leakers")] = out.tally.leakers_per_trial.astype(np.float64)
    rc = raid_costs(out, setup.catalog, cost.price_year, setup.scenario.cost.interceptor_cost)
    total = cost.total()
    attack = rc["attacker_cost_jpy"]
    lo, hi = out.expected_leakers_ci95
    ratios = rc["exchange_ratio"]
    totals = [round(total / a, 2) if a else None for a in attack[::-1]]
    return RaidFigures(
        expected_surviving_value_fraction=round(out.expected_surviving_value_fraction, 5),
        expected_surviving_value_fraction_ci95=_ci95(value),
        p_zero_leakers=round(out.p_zero_leakers, 5),
        expected_leakers=round(out.expected_leakers, 4),
        expected_leakers_ci95=(round(lo, 4), round(hi, 4)),
        leakers_p05=out.leakers_percentile(5),
        leakers_median=out.leakers_percentile(50),
        leakers_p95=out.leakers_percentile(95),
        interceptors_expended=round(out.interceptors_expended_total, 3),
        interceptor_cost=money_json(rc["interceptor_cost_jpy"], cost.jpy_per_usd, cost.price_year),
        attacker_cost={
            end: money_json(x, cost.jpy_per_usd, cost.price_year) for end, x in zip(("low", "nominal", "high"), attack)
        },
        exchange_ratio_interceptors=(round(ratios[0], 3), round(ratios[1], 3), round(ratios[2], 3)),
        exchange_ratio_total=(totals[0], totals[1], totals[2]),
    )


def _against_baseline(rows: list[OptionEvaluation]) -> tuple[OptionEvaluation, ...]:
    """Yen per expected leaker avoided and per point of surviving value, against the baseline."""
    base = next((r for r in rows if r.key == "baseline"), None)
    if base is None:
        return tuple(rows)
    out = []
    for r in rows:
        raids = {}
        for n, rr in r.raids.items():
            dc = r.cost_total_jpy - base.cost_total_jpy
            dl = base.raids[n].expected_leakers - rr.expected_leakers
            dv = 100 * (rr.expected_surviving_value_fraction - base.raids[n].expected_surviving_value_fraction)
            raids[n] = replace(
                rr,
                jpy_per_leaker_avoided=round(dc / dl) if dl > 1e-9 and r is not base else None,
                jpy_per_point_surviving_value=round(dc / dv) if dv > 1e-9 and r is not base else None,
            )
        out.append(replace(r, raids=raids))
    return tuple(out)


def _ci95(x: np.ndarray) -> tuple[float, float]:
    """95 % interval of a Monte Carlo mean (normal approximation), rounded as the summaries are."""
    _, lo, hi = mean_ci95(x)
    return round(lo, 5), round(hi, 5)


__all__ = [
    "PAIRED_METRICS",
    "RAID_SIZES",
    "OptionEvaluation",
    "RaidFigures",
    "TradeoffResult",
    "TradeoffRun",
    "evaluate_options",
    "pareto_front",
    "pareto_front_paired",
    "raid_costs",
]
