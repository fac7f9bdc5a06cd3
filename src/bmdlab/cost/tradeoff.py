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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab.catalog import Catalog
from bmdlab.catalog.money import money_json
from bmdlab.cost.architecture import architecture_cost, interceptor_prices, missile_price
from bmdlab.cost.options import Option
from bmdlab.coverage.national import Coverage, national_coverages
from bmdlab.engagement.raid import DEFAULT_SEED
from bmdlab.engagement.scenario_raid import run_scenario_raid
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


def raid_costs(out: dict[str, Any], plan, result, catalog: Catalog, price_year: int, overrides=None) -> dict[str, Any]:
    """Interceptor yen expended in a raid and the attacker's yen, with the exchange ratio."""
    prices = interceptor_prices(catalog, price_year, overrides)
    spent = float(sum(result.expended_mean[i] * prices[d.interceptor] for i, d in enumerate(plan.defenders)))
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
class TradeoffResult:
    rows: list[dict[str, Any]]
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
        cost = [r["cost"]["total"]["jpy"] for r in self.rows]
        n = str(max(self.raid_sizes) if raid is None else raid)
        keys = [(r["key"], n, metric) for r in self.rows]
        if metric in PAIRED_METRICS and all(k in self.samples for k in keys):
            sign = -1.0 if metric == "expected_leakers" else 1.0
            mask = pareto_front_paired(cost, np.stack([sign * self.samples[k] for k in keys]))
        else:
            mask = pareto_front(cost, [self.effect(r, metric, raid) for r in self.rows])
        return [r["key"] for r, m in zip(self.rows, mask) if m]

    def effect(self, row: dict[str, Any], metric: str, raid: int | None) -> float:
        if metric in ("population_fraction", "population_fraction_2units"):
            return float(row[metric])
        n = str(max(self.raid_sizes) if raid is None else raid)
        if n not in row["raids"]:
            raise BmdlabError(f"--raid: {n} is not among the raid sizes run ({', '.join(map(str, self.raid_sizes))})")
        v = row["raids"][n][metric]
        return -float(v) if metric == "expected_leakers" else float(v)

    def to_dict(self) -> dict[str, Any]:
        fr = {str(n): self.frontier(raid=n) for n in self.raid_sizes}
        return {
            "options": self.rows,
            "raid_sizes": list(self.raid_sizes),
            "years": self.years,
            "price_year": self.price_year,
            "jpy_per_usd": self.jpy_per_usd,
            "seed": self.seed,
            "trials": self.trials,
            "pareto_surviving_value": fr,
            "pareto_population": self.frontier("population_fraction"),
        }


def evaluate_options(
    catalog: Catalog,
    options: Sequence[Option],
    *,
    raid_sizes: Sequence[int] = RAID_SIZES,
    trials: int = 4000,
    seed: int = DEFAULT_SEED,
    resolution_km: float = 10.0,
    years: int | None = None,
    coverages: dict[str, Coverage] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TradeoffResult:
    """Cost and effectiveness of each option (coverage, raids of each size), ready for a frontier.

    ``coverages`` (option key -> :class:`Coverage`) reuses coverage already computed.
    """
    if trials < 1:
        raise BmdlabError(f"--trials: {trials} must be at least 1")
    if any(n < 0 for n in raid_sizes):
        raise BmdlabError("--raid: raid sizes must be >= 0")
    rows = []
    samples: dict[tuple[str, str, str], np.ndarray] = {}
    price_year = years_ = rate = None
    covs = dict(coverages or {})
    missing = [o for o in options if o.key not in covs]
    if missing:  # one pass over the threats for every option that shares them (bmdlab.coverage.national_coverages)
        covs.update(
            zip((o.key for o in missing), national_coverages([o.scenario for o in missing], catalog, resolution_km))
        )
    for opt in options:
        cost = architecture_cost(opt.scenario, catalog, years=years)
        price_year, years_, rate = cost.price_year, cost.years, cost.jpy_per_usd
        cov = covs[opt.key]
        shots = cov.worst_shots()
        units = (cov.shots > 0).sum(axis=1)  # (threats, cells): units that can engage
        big = np.iinfo(np.int64).max
        worst_units = np.min(np.where(cov.reach, units, big), axis=0)
        threatened = cov.reach.any(axis=0)
        pop = cov.grid.population
        tot = pop.sum()  # fractions of all of Japan's people
        frac = float(pop[threatened & (shots >= 1)].sum() / tot) if tot else 0.0
        frac2 = float(pop[threatened & (worst_units >= 2) & (worst_units < big)].sum() / tot) if tot else 0.0
        raids = {}
        for n in raid_sizes:
            out, res, plan = run_scenario_raid(
                opt.scenario, catalog, missiles=int(n), trials=trials, seed=seed, keep_trials=True
            )
            value = res.extra["surviving_value_per_trial"].astype(np.float64)
            samples[(opt.key, str(n), "expected_surviving_value_fraction")] = value
            samples[(opt.key, str(n), "expected_leakers")] = res.extra["leakers_per_trial"].astype(np.float64)
            rc = raid_costs(out, plan, res, catalog, cost.price_year, opt.scenario.cost.interceptor_cost)
            total = cost.total()
            attack = rc["attacker_cost_jpy"]
            raids[str(n)] = {
                "expected_surviving_value_fraction": out["expected_surviving_value_fraction"],
                "expected_surviving_value_fraction_ci95": _ci95(value),
                "p_zero_leakers": out["p_zero_leakers"],
                "expected_leakers": out["expected_leakers"],
                "expected_leakers_ci95": out["expected_leakers_ci95"],
                "leakers_p05": out["leakers_p05"],
                "leakers_median": out["leakers_median"],
                "leakers_p95": out["leakers_p95"],
                "interceptors_expended": out["interceptors_expended_total"],
                "interceptor_cost": money_json(rc["interceptor_cost_jpy"], cost.jpy_per_usd, cost.price_year),
                "attacker_cost": {
                    end: money_json(x, cost.jpy_per_usd, cost.price_year)
                    for end, x in zip(("low", "nominal", "high"), attack)
                },
                "exchange_ratio_interceptors": [round(x, 3) for x in rc["exchange_ratio"]],
                "exchange_ratio_total": [round(total / a, 2) if a else None for a in attack[::-1]],
            }
        rows.append(
            {
                "key": opt.key,
                "label": opt.label,
                "note": opt.note,
                "scenario_hash": opt.scenario.hash,
                "units": len(opt.scenario.architecture.units),
                "cost": cost.to_dict(),
                "population_fraction": round(frac, 5),
                "population_fraction_2units": round(frac2, 5),
                "raids": raids,
            }
        )
        if progress:
            progress(opt.key)
    base = next((r for r in rows if r["key"] == "baseline"), None)
    if base is not None:  # yen per expected leaker avoided and per point of surviving value, against the baseline
        for r in rows:
            for n, rr in r["raids"].items():
                dc = r["cost"]["total"]["jpy"] - base["cost"]["total"]["jpy"]
                dl = base["raids"][n]["expected_leakers"] - rr["expected_leakers"]
                dv = 100 * (
                    rr["expected_surviving_value_fraction"] - base["raids"][n]["expected_surviving_value_fraction"]
                )
                rr["jpy_per_leaker_avoided"] = round(dc / dl) if dl > 1e-9 and r is not base else None
                rr["jpy_per_point_surviving_value"] = round(dc / dv) if dv > 1e-9 and r is not base else None
    return TradeoffResult(
        rows=rows,
        raid_sizes=tuple(int(n) for n in raid_sizes),
        years=int(years_ or 0),
        price_year=int(price_year or 0),
        jpy_per_usd=float(rate or 0.0),
        seed=seed,
        trials=trials,
        samples=samples,
    )


def _ci95(x: np.ndarray) -> list[float]:
    """95 % interval of a Monte Carlo mean (normal approximation), rounded as the summaries are."""
    _, lo, hi = mean_ci95(x)
    return [round(lo, 5), round(hi, 5)]


__all__ = [
    "PAIRED_METRICS",
    "RAID_SIZES",
    "TradeoffResult",
    "evaluate_options",
    "pareto_front",
    "pareto_front_paired",
    "raid_costs",
]
