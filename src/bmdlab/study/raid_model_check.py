"""The study's model check of the raid models: each against a closed form, a count by hand or a proven optimum.

Every row runs the model on a small case whose answer is known independently, and reports both with
the tolerance; the test suite checks the same models more widely (the test named in each row).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from bmdlab.assembly.setup import Asset
from bmdlab.catalog import Catalog
from bmdlab.defense.engage import Defender, make_defender
from bmdlab.engagement.analytic import raid_odds_common_mode
from bmdlab.engagement.preferential import expected_surviving_value, preferential_allocation
from bmdlab.engagement.raid import RaidMissile, RaidOptions, RaidPlan, RaidStart, UnitArrays, simulate_raid
from bmdlab.engagement.tally import RaidTally
from bmdlab.engagement.wta import solve_wta, typed_instance

SEED = 11


def _plan(units, n, *, close=100.0, flight=50.0, kill_assessment=10.0, opportunities=1, aims=None, assets=None):
    k = len(units)
    aims = [0] * n if aims is None else aims
    threats = tuple(RaidMissile("nodong", "wonsan", a, 0.0) for a in aims)

    def full(v: float) -> np.ndarray:
        return np.full((k, n), float(v))

    return RaidPlan(
        threats,
        assets or (Asset("a", 35.0, 135.0, 1.0),),
        tuple(units),
        np.full((k, n), opportunities, dtype=np.int64),
        first_time=full(flight),
        launch_open=full(0.0),
        launch_close=full(close),
        kill_assessment=kill_assessment,
        flight_time=full(flight),
    )


def _run(plan: RaidPlan, units: UnitArrays, trials: int, start: RaidStart | None = None, **options: Any) -> RaidTally:
    return simulate_raid(plan, units, RaidOptions(trials=trials, seed=SEED, **options), start)


def _row(
    model: str, case: str, expected: float, got: float, tolerance: float, reference: str, test: str
) -> dict[str, Any]:
    return {
        "model": model,
        "case": case,
        "expected": round(float(expected), 6),
        "model_value": round(float(got), 6),
        "tolerance": round(float(tolerance), 6),
        "within": bool(abs(got - expected) <= tolerance),
        "reference": reference,
        "test": test,
    }


def raid_model_check(catalog: Catalog) -> list[dict[str, Any]]:
    """Rows of (model, case, expected, model value, tolerance, within, reference, test)."""
    base = replace(make_defender(catalog, "thaad-battery", 36.0, 137.0, inventory=10_000), launch_interval=0.0)
    return [
        *_capacity_rows(base),
        _availability_row(base),
        _common_mode_row(base),
        _preferential_row(base),
        _campaign_row(base),
        _wta_row(),
    ]


def _capacity_rows(base: Defender) -> list[dict[str, Any]]:
    # fire channels: cycle 60 s, launches on [0, 100]: each channel opens engagements at 0 and 60 -> 2C of 10
    r = _run(_plan([base], 10), UnitArrays.uniform(1, sspk=1.0, fire_channels=3), 16)
    channels = _row(
        "fire channels",
        "3 channels, 10 threats, 60 s cycles in a 100 s window: leakers",
        10 - 6,
        r.expected_leakers,
        0.0,
        "count by hand: 2 engagements per channel",
        "tests/engagement/test_capacity.py",
    )
    # C2 queue: 30 s per decision -> launches at 0, 30, 60, 90 -> 4 of 10
    r = _run(_plan([base], 10), UnitArrays.uniform(1, sspk=1.0, c2_time=30.0), 16)
    c2 = _row(
        "C2 decision queue",
        "30 s per decision, 10 threats, 100 s window: leakers",
        6,
        r.expected_leakers,
        0.0,
        "count by hand: decisions at 0, 30, 60, 90 s",
        "tests/engagement/test_capacity.py",
    )
    return [channels, c2]


def _availability_row(base: Defender) -> dict[str, Any]:
    # E[leakers] = n (1 - a p)
    a, p, n, trials = 0.6, 0.8, 20, 40_000
    r = _run(_plan([base], n), UnitArrays.uniform(1, sspk=p, availability=a), trials)
    sd = math.sqrt((a * n * p * (1 - p) + a * (1 - a) * (n * p) ** 2) / trials)
    return _row(
        "availability",
        f"a unit on station with p {a}, SSPK {p}, {n} threats: expected leakers",
        n * (1 - a * p),
        r.expected_leakers,
        4 * sd,
        "closed form n (1 - a p), law of total variance",
        "tests/engagement/test_capacity.py",
    )


def _common_mode_row(base: Defender) -> dict[str, Any]:
    # Wilkening's closed form averaged over the beta (Skellam 1948)
    threats = tuple(RaidMissile("nodong", "wonsan", 0, 0.0) for _ in range(50))
    plan = RaidPlan(threats, (Asset("a", 35.0, 135.0, 1.0),), (base,), np.full((1, 50), 2), np.zeros((1, 50)))
    r = _run(plan, UnitArrays.uniform(1, sspk=0.7, common_mode=0.2), 40_000)
    exact = raid_odds_common_mode(50, 0.7, 2, correlation=0.2, doctrine="shoot-look-shoot")
    return _row(
        "common-mode failures",
        "50 missiles, 2 shoot-look-shoot shots at 0.7, rho 0.2: expected leakers",
        exact.expected_leakers,
        r.expected_leakers,
        4 * r.leakers_std / math.sqrt(40_000),
        "Wilkening (2000) averaged over Beta (Skellam 1948)",
        "tests/engagement/test_common_mode.py",
    )


def _preferential_row(base: Defender) -> dict[str, Any]:
    # Monte Carlo against the allocation's closed form
    units = tuple(replace(base, inventory=4, name=f"u{i}") for i in range(2))
    aims = [2, 2, 1, 1, 0, 0, 0]
    assets = (Asset("big", 35.0, 135.0, 10.0), Asset("mid", 35.0, 136.0, 4.0), Asset("small", 35.0, 137.0, 1.0))
    plan = RaidPlan(
        tuple(RaidMissile("nodong", "wonsan", x, 0.0) for x in aims),
        assets,
        units,
        np.full((2, 7), 2, dtype=np.int64),
        np.zeros((2, 7)),
    )
    pk = np.array([0.7, 0.6])
    alloc = preferential_allocation(plan, pk, seed=0)
    r = _run(plan, UnitArrays.uniform(2, sspk=pk), 40_000, RaidStart(allocation=alloc.caps), keep_trials=True)
    sd = float(r.surviving_value_per_trial.std(ddof=1)) / math.sqrt(40_000)
    return _row(
        "preferential defence",
        "assets 10/4/1 with 3/2/2 missiles, 2 units of 4: surviving value",
        expected_surviving_value(plan, pk, alloc.caps),
        r.surviving_value_mean,
        4 * sd,
        "closed form of the allocation (Hosein and Athans 1990); optimum by brute force in the tests",
        "tests/engagement/test_preferential_raid.py",
    )


def _campaign_row(base: Defender) -> dict[str, Any]:
    # 48 rounds against waves of 20 with SSPK 1 -> 0, 0, 12, 20 leakers (no reserve)
    mag = np.full((8, 1), 48)
    leak = []
    for w in range(4):
        r = _run(
            _plan((replace(base, inventory=48),), 20, close=1e9),
            UnitArrays.uniform(1, sspk=1.0),
            8,
            RaidStart(inventory=mag),
            keep_magazines=True,
            wave=w + 1,
        )
        mag = r.magazines_end.astype(np.int64)
        leak.append(r.expected_leakers)
    return _row(
        "campaign magazines",
        "48 rounds, 4 waves of 20, SSPK 1: leakers of wave 3 + wave 4",
        32,
        leak[2] + leak[3],
        0.0,
        "count by hand: 0, 0, 12, 20",
        "tests/engagement/test_campaign.py",
    )


def _wta_row() -> dict[str, Any]:
    # the heuristic on identical weapons against the exact method's proven optimum
    v, kp = typed_instance(5, 4, 12, seed=3)
    exact = solve_wta(v, kp, method="exact", time_limit=30.0)
    heur = solve_wta(v, kp, method="heuristic", time_limit=5.0)
    return _row(
        "WTA heuristic",
        "5 types x 4 identical weapons, 12 targets: gap to the proven optimum",
        0.0,
        (heur.objective - exact.objective) / exact.objective,
        0.01,
        "exact outer-approximation MILP (Duran and Grossmann 1986), proven optimal",
        "tests/engagement/test_wta.py",
    )


__all__ = ["raid_model_check"]
