"""A scenario's raid, end to end: assembled setup -> plan -> Monte Carlo -> typed outcome (the CLI's ``raid``).

:func:`run_scenario_raid` takes an assembled scenario (:func:`bmdlab.assembly.setup.assemble`: every
per-unit number and raid parameter already resolved) and returns a :class:`RaidOutcome`, whose
attributes the command line renders and whose :meth:`RaidOutcome.to_dict` is the JSON of ``bmdlab raid
--json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bmdlab.assembly.setup import Setup
from bmdlab.catalog import Catalog
from bmdlab.catalog.money import exchange_rate, money_json, to_jpy, value_to_jpy
from bmdlab.defense.engage import EngagementModel
from bmdlab.engagement.analytic import RaidConditions
from bmdlab.engagement.launch_capacity import raid_launch_check
from bmdlab.engagement.preferential import preferential_allocation
from bmdlab.engagement.raid import (
    DEFAULT_MEMORY_BUDGET,
    RaidOptions,
    RaidPlan,
    RaidStart,
    UnitArrays,
    check_memory,
    plan_raid,
    raid_doctrine,
    raid_memory_bytes,
    simulate_raid,
    threat_reliabilities,
)
from bmdlab.engagement.tally import RaidTally


def engagement_limits(plan: RaidPlan, fire_channels: np.ndarray) -> np.ndarray | None:
    """Most threats each unit can engage in the raid with its fire channels (for a preferential allocation).

    A channel is held for an engagement's cycle (the interceptor's flight plus the kill assessment),
    so over the span of the unit's launch windows it serves about ``span / cycle + 1`` engagements
    (median cycle); ``fire_channels`` channels serve that many times more. Units without a channel
    limit get a bound no allocation reaches. An estimate for planning: the Monte Carlo applies the
    channels exactly, in time order.
    """
    if plan.launch_open is None or plan.launch_close is None or plan.flight_time is None:
        return None
    n = len(plan.threats)
    out = np.full(len(plan.defenders), n, dtype=np.int64)
    for d in range(len(plan.defenders)):
        ok = plan.opportunities[d] > 0
        if fire_channels[d] <= 0 or not ok.any():
            continue
        cycle = float(np.median(np.nan_to_num(plan.flight_time[d, ok], nan=0.0))) + plan.kill_assessment
        span = float(plan.launch_close[d, ok].max() - plan.launch_open[d, ok].min())
        per_channel = int(span // cycle) + 1 if cycle > 0 else n
        out[d] = min(n, int(fire_channels[d]) * per_channel)
    return out


def check_raid_memory(setup: Setup, trials: int, memory_budget: int) -> None:
    """Refuse a scenario's raid whose Monte Carlo would need more than ``memory_budget`` bytes."""
    if setup.raid is None:
        return
    n, units = setup.raid.missiles, len(setup.defenders)
    check_memory(
        raid_memory_bytes(n, len(setup.raid.assets), units, trials),
        memory_budget,
        f"a raid of {n:,} missiles against {units:,} units",
    )


@dataclass(frozen=True)
class Money:
    """An amount in whole yen and US dollars of one price year (bmdlab's one money format)."""

    jpy: int | None
    usd: int | None
    price_year: int | None

    def to_dict(self) -> dict[str, int | None]:
        return {"jpy": self.jpy, "usd": self.usd, "price_year": self.price_year}


@dataclass(frozen=True)
class UnitOutcome:
    """One unit of a raid: its numbers as assembled and how often it was on station."""

    name: str
    unit: str
    interceptor: str
    fire_channels: int | None  #: None: no limit
    c2_time_s: float
    availability: float
    on_station_fraction: float


@dataclass(frozen=True)
class RaidOutcome:
    """A scenario's raid: the plan, the Monte Carlo tallies and what they mean (figures as attributes)."""

    scenario: str
    scenario_hash: str
    catalog_hash: str
    doctrine: str  #: shoot-look-shoot, salvo or preferential
    capacity: bool
    engagement_model: EngagementModel  #: the fly-out and engagement limits its shot opportunities used
    tally: RaidTally = field(repr=False)
    plan: RaidPlan = field(repr=False)
    units: tuple[UnitOutcome, ...]
    sspk: dict[str, float]  #: interceptor -> single-shot kill probability used
    common_mode: dict[str, float]  #: interceptor -> correlation used
    missile_reliability: float  #: averaged over the raid's missiles
    decoys_per_missile: int
    discrimination_probability: float
    interceptor_cost_expended: Money
    launch_check: dict[str, Any]  #: :func:`bmdlab.engagement.launch_capacity.raid_launch_check`
    missile_reliability_by_type: dict[str, float] = field(default_factory=dict)  #: missile key -> reliability used

    @property
    def missiles(self) -> int:
        return len(self.plan.threats)

    @property
    def trials(self) -> int:
        return self.tally.trials

    @property
    def seed(self) -> int:
        return self.tally.seed

    @property
    def expected_leakers(self) -> float:
        return self.tally.expected_leakers

    @property
    def expected_leakers_ci95(self) -> tuple[float, float]:
        return self.tally.expected_leakers_ci95

    @property
    def p_zero_leakers(self) -> float:
        return self.tally.p_zero_leakers

    def leakers_percentile(self, q: float) -> int:
        return int(self.tally.leakers_percentile(q))

    @property
    def expected_surviving_value_fraction(self) -> float:
        return self.tally.surviving_value_mean

    @property
    def interceptors_expended(self) -> dict[str, float]:
        """Mean rounds fired per trial, by interceptor type."""
        by_type: dict[str, float] = {}
        for d_i, d in enumerate(self.plan.defenders):
            by_type[d.interceptor] = by_type.get(d.interceptor, 0.0) + float(self.tally.expended_mean[d_i])
        return by_type

    @property
    def interceptors_expended_total(self) -> float:
        return self.tally.expended_total_mean

    @property
    def units_exhausted(self) -> list[str]:
        """Units whose magazine is empty at the end of more than half the trials."""
        return [self.plan.defenders[i].name for i in np.flatnonzero(self.tally.exhausted_fraction > 0.5)]

    @property
    def units_on_station(self) -> float:
        """Mean number of units on station in a trial."""
        return float(sum(u.on_station_fraction for u in self.units))

    @property
    def threats_never_engaged(self) -> int:
        return int(np.sum(self.plan.opportunities.sum(axis=0) == 0))

    @property
    def leakers_per_asset(self) -> dict[str, float]:
        """Expected leakers at each asset that some reach."""
        return {a.name: float(x) for a, x in zip(self.plan.assets, self.tally.leakers_per_asset) if x > 0}

    @property
    def interceptors_available(self) -> dict[str, int]:
        defs = self.plan.defenders
        return {
            k: int(sum(d.inventory for d in defs if d.interceptor == k)) for k in sorted({d.interceptor for d in defs})
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``bmdlab raid --json`` (without the envelope: schema version, kind, provenance)."""
        lo, hi = self.expected_leakers_ci95
        p_lo, p_hi = self.tally.p_zero_leakers_ci95
        return {
            "missiles": self.missiles,
            "trials": self.trials,
            "seed": self.seed,
            "doctrine": self.doctrine,
            "expected_leakers": round(self.expected_leakers, 4),
            "expected_leakers_ci95": [round(lo, 4), round(hi, 4)],
            "leakers_p05": self.leakers_percentile(5),
            "leakers_median": self.leakers_percentile(50),
            "leakers_p95": self.leakers_percentile(95),
            "p_zero_leakers": round(self.p_zero_leakers, 5),
            "p_zero_leakers_ci95": [round(p_lo, 5), round(p_hi, 5)],
            "expected_surviving_value_fraction": round(self.expected_surviving_value_fraction, 5),
            "interceptors_expended": {k: round(v, 3) for k, v in self.interceptors_expended.items()},
            "interceptors_expended_total": round(self.interceptors_expended_total, 3),
            "units_exhausted": self.units_exhausted,
            "threats_never_engaged": self.threats_never_engaged,
            "leakers_per_asset": {k: round(v, 4) for k, v in self.leakers_per_asset.items()},
            "capacity": self.capacity,
            "engagement_model": self.engagement_model.to_dict(),
            "units": [
                {
                    "name": u.name,
                    "unit": u.unit,
                    "interceptor": u.interceptor,
                    "fire_channels": u.fire_channels,
                    "c2_time_s": u.c2_time_s,
                    "availability": u.availability,
                    "on_station_fraction": round(u.on_station_fraction, 5),
                }
                for u in self.units
            ],
            "common_mode": dict(self.common_mode),
            "interceptor_cost_expended": self.interceptor_cost_expended.to_dict(),
            "launch_check": self.launch_check,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "catalog_hash": self.catalog_hash,
            "sspk": dict(self.sspk),
            "missile_reliability": self.missile_reliability,
            "missile_reliability_by_type": dict(self.missile_reliability_by_type),
            "decoys_per_missile": self.decoys_per_missile,
            "discrimination_probability": self.discrimination_probability,
            "interceptors_available": self.interceptors_available,
        }


@dataclass(frozen=True)
class RaidRun:
    """How to run a scenario's raid (what the Monte Carlo needs beyond the assembled setup)."""

    trials: int = 10_000
    seed: int = 0
    memory_budget: int = DEFAULT_MEMORY_BUDGET  #: [bytes]
    keep_trials: bool = False  #: keep every trial's leakers (paired comparisons)
    progress: Callable[[int, int], None] | None = None  #: ``progress(trials_done, trials)``
    wave: int = 0  #: a campaign's wave (different streams)
    keep_magazines: bool = False  #: keep every trial's magazines at the end (campaigns)


def run_scenario_raid(
    setup: Setup, run: RaidRun, *, plan: RaidPlan | None = None, start: RaidStart | None = None
) -> RaidOutcome:
    """The assembled scenario's raid: :func:`~bmdlab.engagement.raid.plan_raid` (unless ``plan`` is given),
    then the Monte Carlo with each unit's assembled numbers.

    With the ``preferential`` doctrine each unit fires at a threat at most the rounds a preferential-defence
    allocation gives it (:func:`bmdlab.engagement.preferential.preferential_allocation`), shoot-look-shoot.
    ``start`` (a campaign's later waves) gives per-trial magazines and units on station.
    """
    raid = setup.require_raid()
    if plan is None:  # refuse before the (slower) planning
        check_raid_memory(setup, run.trials, run.memory_budget)
        plan = plan_raid(setup)
    units = UnitArrays.of(setup.units, setup.posture)
    doctrine = raid_doctrine(setup.doctrine)
    start = start or RaidStart()
    if doctrine == "preferential":
        start = replace(start, allocation=_allocation(plan, units, start, setup.capacity, run.seed))
    options = RaidOptions(
        trials=run.trials,
        seed=run.seed,
        doctrine="shoot-look-shoot" if doctrine == "preferential" else doctrine,
        conditions=RaidConditions(raid.missile_reliability, raid.decoys, raid.discrimination),
        threat_reliability=threat_reliabilities(plan, raid.reliability_by_missile),
        capacity=setup.capacity,
        memory_budget=run.memory_budget,
        keep_trials=run.keep_trials,
        keep_magazines=run.keep_magazines,
        wave=run.wave,
        progress=run.progress,
    )
    tally = simulate_raid(plan, units, options, start)
    return _outcome(setup, plan, units, tally, doctrine if doctrine == "preferential" else tally.doctrine)


def _allocation(plan: RaidPlan, units: UnitArrays, start: RaidStart, capacity: bool, seed: int) -> np.ndarray:
    """The preferential allocation's caps; with per-trial magazines (a campaign's later waves), of the mean
    magazine, rounded down."""
    n_def = len(plan.defenders)
    inventory = (
        np.array([d.inventory for d in plan.defenders])
        if start.inventory is None
        else np.floor(np.asarray(start.inventory, float).reshape(-1, n_def).mean(axis=0)).astype(np.int64)
    )
    limit = engagement_limits(plan, units.fire_channels) if capacity else None
    return preferential_allocation(
        plan, units.sspk * units.reliability, inventory, per_opportunity=1, max_engagements=limit, seed=seed
    ).caps


def _outcome(setup: Setup, plan: RaidPlan, units: UnitArrays, tally: RaidTally, doctrine: str) -> RaidOutcome:
    raid, sc = setup.require_raid(), setup.scenario
    unit_rows = tuple(
        UnitOutcome(
            name=d.name,
            unit=d.unit,
            interceptor=d.interceptor,
            fire_channels=int(units.fire_channels[i]) or None,
            c2_time_s=float(units.c2_time[i]),
            availability=float(units.availability[i]),
            on_station_fraction=float(tally.on_station_fraction[i]),
        )
        for i, d in enumerate(plan.defenders)
    )
    prices = _interceptor_prices(setup)
    spent = sum(v * prices.get(k, float("nan")) for k, v in _by_type(plan, tally).items())
    return RaidOutcome(
        scenario=sc.name,
        scenario_hash=sc.hash,
        catalog_hash=setup.catalog.hash,
        doctrine=doctrine,
        capacity=setup.capacity,
        engagement_model=setup.model,
        tally=tally,
        plan=plan,
        units=unit_rows,
        sspk={d.interceptor: float(x) for d, x in zip(plan.defenders, units.sspk)},
        common_mode={
            k: float(v)
            for k, v in sorted({d.interceptor: x for d, x in zip(plan.defenders, units.common_mode)}.items())
        },
        missile_reliability=raid.missile_reliability,
        decoys_per_missile=raid.decoys,
        discrimination_probability=raid.discrimination,
        interceptor_cost_expended=_money(setup, round(spent, 0)),
        launch_check=raid_launch_check(setup.catalog, list(raid.salvos)),
        missile_reliability_by_type=dict(raid.reliability_by_missile),
    )


def _by_type(plan: RaidPlan, tally: RaidTally) -> dict[str, float]:
    by_type: dict[str, float] = {}
    for d_i, d in enumerate(plan.defenders):
        by_type[d.interceptor] = by_type.get(d.interceptor, 0.0) + float(tally.expended_mean[d_i])
    return by_type


def _interceptor_prices(setup: Setup) -> dict[str, float]:
    """Every interceptor's price in US dollars of the scenario's price year (the scenario's price overrides,
    else the catalog's); a user catalog without economics: the dollar prices as given."""
    catalog, cost = setup.catalog, setup.scenario.cost
    if catalog.economics_data is None:
        return {k: i.unit_cost.si() for k, i in catalog.interceptors.items() if i.unit_cost.unit == "USD"}
    year, econ = _price_year(setup), catalog.economics
    rate = exchange_rate(econ, year)
    over = cost.interceptor_cost
    return {
        k: (
            to_jpy(over[k].value, over[k].currency, over[k].price_year, econ, year)
            if k in over
            else value_to_jpy(i.unit_cost, econ, year)
        )
        / rate
        for k, i in catalog.interceptors.items()
    }


def _price_year(setup: Setup) -> int:
    return setup.cost.price_year


def _money(setup: Setup, usd: float) -> Money:
    catalog: Catalog = setup.catalog
    if catalog.economics_data is None:
        m = money_json(None, None, None, usd=usd)
    else:
        year = _price_year(setup)
        m = money_json(None, exchange_rate(catalog.economics, year), year, usd=usd)
    return Money(jpy=m["jpy"], usd=m["usd"], price_year=m["price_year"])


__all__ = [
    "Money",
    "RaidOutcome",
    "RaidRun",
    "UnitOutcome",
    "check_raid_memory",
    "engagement_limits",
    "run_scenario_raid",
]
