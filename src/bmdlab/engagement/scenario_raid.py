"""A scenario's raid, end to end: salvos -> plan -> Monte Carlo -> summary (the CLI's `raid`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Interceptor
from bmdlab.coverage.national import defenders_of
from bmdlab.engagement.raid import (
    DEFAULT_MEMORY_BUDGET,
    Asset,
    RaidPlan,
    RaidTally,
    check_memory,
    expand_salvos,
    plan_raid,
    raid_memory_bytes,
    simulate_raid,
)
from bmdlab.errors import BmdlabError
from bmdlab.geo.japan import largest_cities
from bmdlab.scenario import Scenario


def default_sspk(interceptor: Interceptor) -> float:
    """Single-shot kill probability from the catalog test record, by Laplace's rule of succession.

    :math:`(h + 1) / (n + 2)` for :math:`h` hits in :math:`n` intercept tests: a test record of 15 of
    15 gives 0.94, not a certainty ("a hit probability of 100 percent cannot be expected"). The
    record folds interceptor reliability in, so the default reliability is 1.
    """
    hits, attempts = interceptor.test_record.value
    return (hits + 1.0) / (attempts + 2.0)


def scale_counts(counts: list[int], total: int) -> list[int]:
    """Scale salvo sizes to a new total in proportion (largest remainders, so they sum exactly)."""
    if total < 0:
        raise BmdlabError(f"missiles: {total} must be >= 0")
    base = sum(counts)
    if base == 0:
        raise BmdlabError("the scenario's raid has no missiles to scale; give salvo counts in the scenario")
    exact = np.array(counts, float) * total / base
    out = np.floor(exact).astype(int)
    rest = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out.tolist()


def engagement_limits(plan: RaidPlan) -> np.ndarray | None:
    """Most threats each unit can engage in the raid with its fire channels (for a preferential allocation).

    A channel is held for an engagement's cycle (the interceptor's flight plus the kill assessment),
    so over the span of the unit's launch windows it serves about ``span / cycle + 1`` engagements
    (median cycle); ``fire_channels`` channels serve that many times more. Units without a channel
    limit get a bound no allocation reaches. An estimate for planning: the Monte Carlo applies the
    channels exactly, in time order.
    """
    if plan.launch_open is None or plan.flight_time is None:
        return None
    n = len(plan.threats)
    out = np.full(len(plan.defenders), n, dtype=np.int64)
    for d, dfn in enumerate(plan.defenders):
        ok = plan.opportunities[d] > 0
        if dfn.fire_channels <= 0 or not ok.any():
            continue
        cycle = float(np.median(np.nan_to_num(plan.flight_time[d, ok], nan=0.0))) + plan.kill_assessment
        span = float(plan.launch_close[d, ok].max() - plan.launch_open[d, ok].min())
        per_channel = int(span // cycle) + 1 if cycle > 0 else n
        out[d] = min(n, dfn.fire_channels * per_channel)
    return out


def raid_assets(scenario: Scenario) -> list[Asset]:
    if scenario.raid is not None and scenario.raid.assets is not None:
        return [Asset(a.name, a.lat, a.lon, a.value) for a in scenario.raid.assets]
    c = largest_cities(30)
    return [
        Asset(str(c.name[i]), float(c.lat_deg[i]), float(c.lon_deg[i]), float(c.population[i]))
        for i in range(len(c.name))
    ]


def plan_scenario_raid(scenario: Scenario, catalog: Catalog, missiles: int | None = None) -> RaidPlan:
    """The deterministic part of a scenario's raid (threats, aim points, opportunities)."""
    if scenario.raid is None:
        raise BmdlabError(f"scenario '{scenario.name}' has no raid; add a 'raid:' section with salvos")
    salvos = [s.model_dump() for s in scenario.raid.salvos]
    if missiles is not None:
        for s, n in zip(salvos, scale_counts([s["count"] for s in salvos], missiles)):
            s["count"] = n
    assets = raid_assets(scenario)
    threats = expand_salvos(salvos, assets, catalog)
    defenders, sensors = defenders_of(scenario, catalog)
    tl = scenario.timeline
    return plan_raid(
        catalog,
        threats,
        assets,
        defenders,
        sensors,
        track_delay=tl.track_delay_s,
        kill_assessment=tl.kill_assessment_s,
        cue_latency=tl.cue_latency_s,
        min_elevation=np.radians(tl.min_elevation_deg),
        cueing=tl.cueing,
        max_shots=tl.max_shots,
    )


def check_raid_memory(scenario: Scenario, missiles: int | None, trials: int, memory_budget: int) -> None:
    """Refuse a scenario's raid whose Monte Carlo would need more than ``memory_budget`` bytes."""
    if scenario.raid is None:
        return
    n = missiles if missiles is not None else sum(s.count for s in scenario.raid.salvos)
    units = len(scenario.architecture.units)
    check_memory(
        raid_memory_bytes(n, len(raid_assets(scenario)), units, trials),
        memory_budget,
        f"a raid of {n:,} missiles against {units:,} units",
    )


class ScenarioRaid(NamedTuple):
    """What :func:`run_scenario_raid` returns (a named tuple, so ``out, tally, plan = ...`` works)."""

    summary: dict[str, Any]  #: JSON-ready figures (leakers, P(zero leakers), interceptors, cost, launch check)
    tally: RaidTally  #: exact Monte Carlo tallies (histograms of leakers and interceptors fired)
    plan: RaidPlan  #: the raid as planned: threats, assets, units and their shot opportunities


def run_scenario_raid(
    scenario: Scenario,
    catalog: Catalog,
    *,
    missiles: int | None = None,
    trials: int = 10_000,
    seed: int = 0,
    doctrine: str | None = None,
    sspk: float | None = None,
    plan: RaidPlan | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: Callable[[int, int], None] | None = None,
    keep_trials: bool = False,
    common_mode: float | None = None,
    capacity: bool | None = None,
    availability: float | None = None,
    inventory: np.ndarray | None = None,
    on_station: np.ndarray | None = None,
    wave: int = 0,
    keep_magazines: bool = False,
) -> ScenarioRaid:
    """Run a scenario's raid; returns :class:`ScenarioRaid` (the JSON-ready summary, the tallies, the plan).

    ``memory_budget`` [bytes] bounds the Monte Carlo (a raid that needs more is refused before it
    starts); ``progress(trials_done, trials)`` is called after each block of trials; ``keep_trials``
    keeps every trial's leakers in the tally (for paired comparisons). ``common_mode`` sets the
    correlation of every interceptor type's shots (overriding the scenario's ``engagement.common_mode``).
    ``capacity`` (default: the scenario's ``engagement.capacity``) honours fire channels and C2 decision
    times; ``availability`` sets every unit's probability of being on station (default: the scenario's,
    else the catalog's). ``inventory``, ``on_station``, ``wave`` and ``keep_magazines`` are
    :func:`simulate_raid`'s, for campaigns. With the ``preferential`` doctrine, each unit fires at a
    threat at most the rounds a preferential-defence allocation gives it
    (:func:`bmdlab.engagement.preferential.preferential_allocation`), shoot-look-shoot.
    """
    if common_mode is not None and not 0.0 <= common_mode < 1.0:
        raise BmdlabError(f"common_mode: {common_mode:g} must lie in [0, 1)")
    if availability is not None and not 0.0 <= availability <= 1.0:
        raise BmdlabError(f"availability: {availability:g} must lie in [0, 1]")
    if sspk is not None and not 0.0 <= sspk <= 1.0:
        raise BmdlabError(f"sspk: {sspk:g} must lie in [0, 1]")
    if plan is None:  # refuse before the (slower) planning
        check_raid_memory(scenario, missiles, trials, memory_budget)
    plan = plan_scenario_raid(scenario, catalog, missiles) if plan is None else plan
    eng = scenario.engagement
    p = np.array(
        [
            sspk if sspk is not None else eng.sspk.get(d.interceptor, default_sspk(catalog.interceptors[d.interceptor]))
            for d in plan.defenders
        ],
        float,
    )
    r = np.array([eng.reliability.get(d.interceptor, 1.0) for d in plan.defenders], float)
    rho = np.array(
        [common_mode if common_mode is not None else eng.common_mode.get(d.interceptor, 0.0) for d in plan.defenders],
        float,
    )
    raid = scenario.raid
    capacity = eng.capacity if capacity is None else bool(capacity)
    avail = np.array([d.availability if availability is None else availability for d in plan.defenders], float)
    from bmdlab.engagement.raid import raid_doctrine

    doctrine = raid_doctrine(doctrine or eng.doctrine)
    allocation = None
    if doctrine == "preferential":
        from bmdlab.engagement.preferential import preferential_allocation

        # per-trial magazines (a campaign's later waves): allocate the mean magazine, rounded down
        start = (
            np.array([d.inventory for d in plan.defenders])
            if inventory is None
            else np.floor(np.asarray(inventory, float).reshape(-1, len(plan.defenders)).mean(axis=0)).astype(np.int64)
        )
        limit = engagement_limits(plan) if capacity else None
        allocation = preferential_allocation(
            plan, p * r, start, per_opportunity=1, max_engagements=limit, seed=seed
        ).caps
    res = simulate_raid(
        plan,
        sspk=p,
        reliability=r,
        trials=trials,
        seed=seed,
        doctrine="shoot-look-shoot" if doctrine == "preferential" else doctrine,
        missile_reliability=raid.missile_reliability,
        decoys=raid.decoys_per_missile,
        discrimination=raid.discrimination_probability,
        memory_budget=memory_budget,
        progress=progress,
        keep_trials=keep_trials,
        common_mode=rho if np.any(rho > 0) else None,
        capacity=capacity,
        availability=avail,
        inventory=inventory,
        on_station=on_station,
        allocation=allocation,
        wave=wave,
        keep_magazines=keep_magazines,
    )
    if catalog.economics_data is not None:  # every price in US$ of the scenario's price year
        from bmdlab.catalog.money import exchange_rate, to_jpy, value_to_jpy

        year = scenario.cost.price_year
        econ = catalog.economics
        rate = exchange_rate(econ, year)
        over = scenario.cost.interceptor_cost
        cost = {
            k: (
                to_jpy(over[k].value, over[k].currency, over[k].price_year, econ, year)
                if k in over
                else value_to_jpy(i.unit_cost, econ, year)
            )
            / rate
            for k, i in catalog.interceptors.items()
        }
    else:  # a user catalog without economics.yaml: only the dollar prices, as given
        year = None
        cost = {k: i.unit_cost.si() for k, i in catalog.interceptors.items() if i.unit_cost.unit == "USD"}
    out = res.summary(plan, cost)
    out["doctrine"] = doctrine if doctrine == "preferential" else out["doctrine"]
    out["capacity"] = capacity
    out["units"] = [
        {
            "name": d.name,
            "unit": d.unit,
            "interceptor": d.interceptor,
            "fire_channels": int(d.fire_channels) or None,
            "c2_time_s": float(d.c2_time),
            "availability": float(a),
            "on_station_fraction": round(float(f), 5),
        }
        for d, a, f in zip(plan.defenders, avail, res.extra["on_station_fraction"])
    ]
    out["common_mode"] = {
        k: float(v) for k, v in sorted({d.interceptor: x for d, x in zip(plan.defenders, rho)}.items())
    }
    from bmdlab.catalog.money import money_json

    usd = out.pop("interceptor_cost_expended")
    out.pop("interceptor_cost_currency")
    out["interceptor_cost_expended"] = money_json(None, rate if year is not None else None, year, usd=usd)
    from bmdlab.engagement.launch_capacity import raid_launch_check

    salvos = [x.model_dump() for x in raid.salvos]
    if missiles is not None:
        for x, n in zip(salvos, scale_counts([x["count"] for x in salvos], missiles)):
            x["count"] = n
    out["launch_check"] = raid_launch_check(catalog, salvos)
    out.update(
        {
            "scenario": scenario.name,
            "scenario_hash": scenario.hash,
            "catalog_hash": catalog.hash,
            "sspk": {d.interceptor: float(x) for d, x in zip(plan.defenders, p)},
            "missile_reliability": raid.missile_reliability,
            "decoys_per_missile": raid.decoys_per_missile,
            "discrimination_probability": raid.discrimination_probability,
            "interceptors_available": {
                k: int(sum(d.inventory for d in plan.defenders if d.interceptor == k))
                for k in sorted({d.interceptor for d in plan.defenders})
            },
        }
    )
    return ScenarioRaid(out, res, plan)
