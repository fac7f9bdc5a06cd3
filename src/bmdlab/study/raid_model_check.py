"""The study's model check of the raid models: each against a closed form, a count by hand or a proven optimum.

Every row runs the model on a small case whose answer is known independently, and reports both with
the tolerance; the test suite checks the same models more widely (the test named in each row).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.analytic import raid_odds_common_mode
from bmdlab.engagement.preferential import expected_surviving_value, preferential_allocation
from bmdlab.engagement.raid import Asset, RaidPlan, Threat, simulate_raid
from bmdlab.engagement.wta import solve_wta, typed_instance

SEED = 11


def _plan(units, n, *, close=100.0, flight=50.0, kill_assessment=10.0, opportunities=1, aims=None, assets=None):
    k = len(units)
    aims = [0] * n if aims is None else aims
    threats = tuple(Threat("nodong", "wonsan", a, 0.0) for a in aims)
    full = lambda v: np.full((k, n), float(v))  # noqa: E731
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
    base = replace(
        make_defender(catalog, "thaad-battery", 36.0, 137.0, inventory=10_000),
        availability=1.0,
        launch_interval=0.0,
        fire_channels=0,
        c2_time=0.0,
    )
    one = np.ones(1)
    rows = []
    # fire channels: cycle 60 s, launches on [0, 100]: each channel opens engagements at 0 and 60 -> 2C of 10
    r = simulate_raid(_plan([replace(base, fire_channels=3)], 10), sspk=one, reliability=one, trials=16, seed=SEED)
    rows.append(
        _row(
            "fire channels",
            "3 channels, 10 threats, 60 s cycles in a 100 s window: leakers",
            10 - 6,
            r.expected_leakers,
            0.0,
            "count by hand: 2 engagements per channel",
            "tests/engagement/test_capacity.py",
        )
    )
    # C2 queue: 30 s per decision -> launches at 0, 30, 60, 90 -> 4 of 10
    r = simulate_raid(_plan([replace(base, c2_time=30.0)], 10), sspk=one, reliability=one, trials=16, seed=SEED)
    rows.append(
        _row(
            "C2 decision queue",
            "30 s per decision, 10 threats, 100 s window: leakers",
            6,
            r.expected_leakers,
            0.0,
            "count by hand: decisions at 0, 30, 60, 90 s",
            "tests/engagement/test_capacity.py",
        )
    )
    # availability: E[leakers] = n (1 - a p)
    a, p, n, trials = 0.6, 0.8, 20, 40_000
    r = simulate_raid(
        _plan([replace(base, availability=a)], n), sspk=np.array([p]), reliability=one, trials=trials, seed=SEED
    )
    sd = math.sqrt((a * n * p * (1 - p) + a * (1 - a) * (n * p) ** 2) / trials)
    rows.append(
        _row(
            "availability",
            f"a unit on station with p {a}, SSPK {p}, {n} threats: expected leakers",
            n * (1 - a * p),
            r.expected_leakers,
            4 * sd,
            "closed form n (1 - a p), law of total variance",
            "tests/engagement/test_capacity.py",
        )
    )
    # common-mode failures: Wilkening's closed form averaged over the beta (Skellam 1948)
    units = (replace(base, availability=1.0),)
    threats = tuple(Threat("nodong", "wonsan", 0, 0.0) for _ in range(50))
    plan = RaidPlan(threats, (Asset("a", 35.0, 135.0, 1.0),), units, np.full((1, 50), 2), np.zeros((1, 50)))
    r = simulate_raid(
        plan, sspk=np.array([0.7]), reliability=one, trials=40_000, seed=SEED, common_mode=np.array([0.2])
    )
    exact = raid_odds_common_mode(50, 0.7, 2, correlation=0.2, doctrine="shoot-look-shoot")
    rows.append(
        _row(
            "common-mode failures",
            "50 missiles, 2 shoot-look-shoot shots at 0.7, rho 0.2: expected leakers",
            exact.expected_leakers,
            r.expected_leakers,
            4 * r.leakers_std / math.sqrt(40_000),
            "Wilkening (2000) averaged over Beta (Skellam 1948)",
            "tests/engagement/test_common_mode.py",
        )
    )
    # preferential defence: Monte Carlo against the allocation's closed form
    units = tuple(replace(base, inventory=4, name=f"u{i}") for i in range(2))
    aims = [2, 2, 1, 1, 0, 0, 0]
    assets = (Asset("big", 35.0, 135.0, 10.0), Asset("mid", 35.0, 136.0, 4.0), Asset("small", 35.0, 137.0, 1.0))
    plan = RaidPlan(
        tuple(Threat("nodong", "wonsan", x, 0.0) for x in aims),
        assets,
        units,
        np.full((2, 7), 2, dtype=np.int64),
        np.zeros((2, 7)),
    )
    pk = np.array([0.7, 0.6])
    alloc = preferential_allocation(plan, pk, seed=0)
    r = simulate_raid(
        plan, sspk=pk, reliability=np.ones(2), trials=40_000, seed=SEED, allocation=alloc.caps, keep_trials=True
    )
    sd = float(r.extra["surviving_value_per_trial"].std(ddof=1)) / math.sqrt(40_000)
    rows.append(
        _row(
            "preferential defence",
            "assets 10/4/1 with 3/2/2 missiles, 2 units of 4: surviving value",
            expected_surviving_value(plan, pk, alloc.caps),
            r.surviving_value_mean,
            4 * sd,
            "closed form of the allocation (Hosein and Athans 1990); optimum by brute force in the tests",
            "tests/engagement/test_preferential_raid.py",
        )
    )
    # campaign: 48 rounds against waves of 20 with SSPK 1 -> 0, 0, 12, 20 leakers (no reserve)
    mag = np.full((8, 1), 48)
    leak = []
    unit = (replace(base, inventory=48),)
    for w in range(4):
        r = simulate_raid(
            _plan(unit, 20, close=1e9),
            sspk=one,
            reliability=one,
            trials=8,
            seed=SEED,
            inventory=mag,
            keep_magazines=True,
            wave=w + 1,
        )
        mag = r.extra["magazines_end"].astype(np.int64)
        leak.append(r.expected_leakers)
    rows.append(
        _row(
            "campaign magazines",
            "48 rounds, 4 waves of 20, SSPK 1: leakers of wave 3 + wave 4",
            32,
            leak[2] + leak[3],
            0.0,
            "count by hand: 0, 0, 12, 20",
            "tests/engagement/test_campaign.py",
        )
    )
    # WTA: the heuristic on identical weapons against the exact method's proven optimum
    v, kp = typed_instance(5, 4, 12, seed=3)
    exact = solve_wta(v, kp, method="exact", time_limit=30.0)
    heur = solve_wta(v, kp, method="heuristic", time_limit=5.0)
    rows.append(
        _row(
            "WTA heuristic",
            "5 types x 4 identical weapons, 12 targets: gap to the proven optimum",
            0.0,
            (heur.objective - exact.objective) / exact.objective,
            0.01,
            "exact outer-approximation MILP (Duran and Grossmann 1986), proven optimal",
            "tests/engagement/test_wta.py",
        )
    )
    return rows


__all__ = ["raid_model_check"]
