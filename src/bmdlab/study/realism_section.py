"""The study's raid-realism section: what fire channels, availability, correlated failures, doctrine
and repeated waves do to the three architectures, every figure with its 95 % interval and every
comparison paired on common random numbers.

Each finding is a sentence computed from the results by a rule in this module (``*_finding``
functions), so a test can change an input and see the finding change.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import Setup, assemble
from bmdlab.catalog import Catalog
from bmdlab.coverage.availability import coverage_over_availability
from bmdlab.coverage.national import Coverage
from bmdlab.engagement.campaign import CampaignRun, run_campaign
from bmdlab.engagement.paired import compare_verdict, paired_difference
from bmdlab.engagement.raid import RaidPlan, plan_raid
from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
from bmdlab.montecarlo import mean_ci95
from bmdlab.numbers import percent
from bmdlab.scenario import CampaignSpec, WaveSpec, load_scenario
from bmdlab.study.coverage_section import ARCHITECTURES

RAID = 200  #: missiles of the realism, doctrine and pairing raids
TRIALS = 4000  #: trials of the realism and doctrine raids
COMMON_MODE = 0.3  #: correlation of the common-mode step (an analyst's assumption; no open figure)
CAMPAIGN_WAVES, CAMPAIGN_EVERY_H, CAMPAIGN_MISSILES = 6, 12.0, 30
CAMPAIGN_TRIALS = 2000
AVAILABILITY_SAMPLES = 2000
PAIRS = (
    ("japan-2017-baseline", "japan-2017-aegis-ashore"),
    ("japan-2017-baseline", "japan-2017-thaad"),
    ("japan-2017-aegis-ashore", "japan-2017-thaad"),
)

#: The model steps, each adding one effect to the one before (capacity, availability, correlation).
STEPS = (
    ("ideal", "every unit on station, no fire-channel or C2 limit", dict(capacity=False, availability=1.0)),
    ("channels", "+ fire channels and C2 decision queue", dict(capacity=True, availability=1.0)),
    ("availability", "+ units on station with their availability (the study's default)", dict(capacity=True)),
    (
        "common-mode",
        f"+ shots of one interceptor type failing together (rho {COMMON_MODE})",
        dict(capacity=True, common_mode=COMMON_MODE),
    ),
)
DOCTRINES = ("shoot-look-shoot", "salvo", "preferential")


def _raid(
    scen, catalog: Catalog, plan: RaidPlan, seed: int, trials: int, **overrides: Any
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    setup = assemble(scen, catalog, Overrides.of(overrides, missiles=RAID))
    out = run_scenario_raid(setup, RaidRun(trials=trials, seed=seed, keep_trials=True), plan=plan)
    leak = out.tally.leakers_per_trial.astype(float)
    value = out.tally.surviving_value_per_trial.astype(float)
    m, lo, hi = mean_ci95(value)
    ci = out.expected_leakers_ci95
    row = {
        "expected_leakers": round(out.expected_leakers, 4),
        "expected_leakers_ci95": [round(ci[0], 4), round(ci[1], 4)],
        "expected_surviving_value_fraction": round(m, 5),
        "surviving_value_ci95": [round(lo, 5), round(hi, 5)],
        "p_zero_leakers": round(out.p_zero_leakers, 5),
        "interceptors_expended": round(out.interceptors_expended_total, 3),
        "doctrine": out.doctrine,
    }
    return row, leak, value


def realism_section(
    catalog: Catalog,
    covs: dict[str, Coverage],
    *,
    seed: int,
    main_trials: dict[str, np.ndarray],
    main_trial_count: int,
    progress=None,
) -> dict[str, Any]:
    """Model steps, doctrines, paired comparisons, campaigns and coverage over availability (see the module docstring).

    ``covs`` are the coverage section's national coverages; ``main_trials`` the raid section's per-trial
    leakers at :data:`RAID` missiles (architecture -> array), for the paired comparisons.
    """
    steps: dict[str, list[dict[str, Any]]] = {}
    doctrines: dict[str, list[dict[str, Any]]] = {}
    campaigns: dict[str, Any] = {}
    availability: dict[str, Any] = {}
    for name in ARCHITECTURES:
        scen = load_scenario(name, catalog)
        setup = assemble(scen, catalog, Overrides(missiles=RAID))
        plan = plan_raid(setup)
        rows, prev = [], None
        for key, label, kw in STEPS:
            row, leak, _ = _raid(scen, catalog, plan, seed, TRIALS, **kw)
            row.update({"step": key, "label": label})
            if prev is not None:
                row["change_from_previous"] = paired_difference(prev, leak)
            rows.append(row)
            prev = leak
        steps[name] = rows
        drows, base_value = [], None
        for doc in DOCTRINES:
            row, _, value = _raid(scen, catalog, plan, seed, TRIALS, doctrine=doc)
            if base_value is None:
                base_value = value
            else:
                row["surviving_value_change_from_shoot_look_shoot"] = paired_difference(base_value, value)
            drows.append(row)
        doctrines[name] = drows
        reserve = _reserve(plan)
        spec = CampaignSpec(
            waves=[WaveSpec(at_h=i * CAMPAIGN_EVERY_H, missiles=CAMPAIGN_MISSILES) for i in range(CAMPAIGN_WAVES)],
            reserve=reserve,
        )
        campaigns[name] = run_campaign(setup, spec, CampaignRun(trials=CAMPAIGN_TRIALS, seed=seed)).to_dict()
        availability[name] = coverage_over_availability(
            covs[name], _availability(setup), samples=AVAILABILITY_SAMPLES, seed=seed, posture=setup.posture
        ).to_dict()
        if progress:
            progress(name)
    pairs = []
    for a, b in PAIRS:
        p = paired_difference(main_trials[a], main_trials[b])
        p.update(
            {
                "a": a,
                "b": b,
                "verdict": compare_verdict(a, b, p["difference"], tuple(p["ci95"]), RAID, main_trial_count),
            }
        )
        pairs.append(p)
    out = {
        "raid": RAID,
        "trials": TRIALS,
        "seed": seed,
        "common_mode": COMMON_MODE,
        "steps": steps,
        "doctrines": doctrines,
        "pairs": pairs,
        "pair_trials": main_trial_count,
        "campaign": {
            "waves": CAMPAIGN_WAVES,
            "every_h": CAMPAIGN_EVERY_H,
            "missiles": CAMPAIGN_MISSILES,
            "ship_away_h": _ship_away_h(campaigns),
            "trials": CAMPAIGN_TRIALS,
            "runs": campaigns,
            "reserve_rule": "one full reload of every unit's magazine per interceptor type (assumed: Japan's "
            "stocks are not published)",
        },
        "availability": {"samples": AVAILABILITY_SAMPLES, "seed": seed, "runs": availability},
    }
    out["findings"] = [
        availability_finding(availability),
        step_finding(steps),
        doctrine_finding(doctrines),
        campaign_finding(campaigns),
    ]
    out["headline"] = raid_headline(steps)
    return out


STEP_NAMES = {"channels": "Fire channels", "availability": "Units off station", "common-mode": "Correlated failures"}


def raid_headline(steps: dict[str, list[dict[str, Any]]]) -> str:
    """Rule: the model step whose paired change in expected leakers, summed over the architectures, is
    largest names the raid headline ("Fire channels add the most leakers.")."""
    total: dict[str, float] = {}
    for rows in steps.values():
        for r in rows[1:]:
            total[r["step"]] = total.get(r["step"], 0.0) + r["change_from_previous"]["difference"]
    step = max(total, key=total.get)
    return f"{STEP_NAMES.get(step, step)} add the most leakers."


def _ship_away_h(campaigns: dict[str, Any]) -> dict[str, float]:
    """Hours a ship of each class is away to reload: two transits and its time in port (from the catalog)."""
    out = {}
    for run in campaigns.values():
        for u in run["units"]:
            if u["basing"] == "sea" and u["reload_time_h"] is not None:
                out[u["unit"]] = 2 * u["port_transit_time_h"] + u["reload_time_h"]
    return out


def _availability(setup: Setup) -> np.ndarray:
    return setup.unit_array("availability").astype(float)


def _reserve(plan) -> dict[str, int]:
    """One full reload of every unit's magazine, per interceptor type."""
    out: dict[str, int] = {}
    for d in plan.defenders:
        out[d.interceptor] = out.get(d.interceptor, 0) + int(d.inventory)
    return out


def availability_finding(runs: dict[str, Any]) -> str:
    """Rule: name the architecture whose expected population share falls most below its all-on-station
    share, and the one that falls least, with their 5th percentiles."""
    drop = {
        k: v["population_fraction"]["all_on_station"] - v["population_fraction"]["expected"] for k, v in runs.items()
    }
    worst, best = max(drop, key=drop.get), min(drop, key=drop.get)
    w, b = runs[worst]["population_fraction"], runs[best]["population_fraction"]
    return (
        f"With units on station only with their availability, {worst} defends {percent(w['expected'])} of the people "
        f"on average (5th percentile {percent(w['p05'])}) against {percent(w['all_on_station'])} with every unit "
        f"on station; {best} loses least: {percent(b['expected'])} on average (5th percentile {percent(b['p05'])}) "
        f"against {percent(b['all_on_station'])}."
    )


def step_finding(steps: dict[str, list[dict[str, Any]]]) -> str:
    """Rule: for each architecture the model step that adds the most leakers (largest paired change)."""
    parts = []
    for name, rows in steps.items():
        changes = [(r["change_from_previous"]["difference"], r) for r in rows[1:]]
        d, r = max(changes, key=lambda x: x[0])
        lo, hi = r["change_from_previous"]["ci95"]
        parts.append(f"{name}: {r['step']} ({d:+.1f} leakers, 95 % CI {lo:+.1f} to {hi:+.1f})")
    return "The model step that adds the most leakers of " + str(RAID) + " missiles: " + "; ".join(parts) + "."


def doctrine_finding(doctrines: dict[str, list[dict[str, Any]]]) -> str:
    """Rule: the doctrine with the highest expected surviving value per architecture; and whether preferential
    defence resolvably raises it over shoot-look-shoot (paired interval above zero)."""
    parts = []
    for name, rows in doctrines.items():
        best = max(rows, key=lambda r: r["expected_surviving_value_fraction"])
        pref = next(r for r in rows if r["doctrine"] == "preferential")["surviving_value_change_from_shoot_look_shoot"]
        lo, hi = pref["ci95"]
        word = "raises" if lo > 0 else ("lowers" if hi < 0 else "does not resolvably change")
        parts.append(
            f"{name}: {best['doctrine']} keeps the most value ({percent(best['expected_surviving_value_fraction'])}); "
            f"preferential defence {word} it against shoot-look-shoot ({100 * pref['difference']:+.1f} points, "
            f"95 % CI {100 * lo:+.1f} to {100 * hi:+.1f})"
        )
    return "; ".join(parts) + "."


def campaign_finding(runs: dict[str, Any]) -> str:
    """Rule: per architecture, the first wave whose expected leakers exceed the first wave's by more than the
    two intervals (resolved), and which interceptor types run out on station in most trials."""
    parts = []
    for name, r in runs.items():
        waves = r["waves"]
        first = waves[0]
        worse = next((w for w in waves[1:] if w["expected_leakers_ci95"][0] > first["expected_leakers_ci95"][1]), None)
        out = [k for k, v in r["run_out_h"].items() if v["median_h"] is not None]
        parts.append(
            f"{name}: {first['expected_leakers']:.1f} leakers in wave 1, "
            + (
                f"resolvably more from wave {worse['wave']} ({worse['expected_leakers']:.1f} at {worse['at_h']:g} h)"
                if worse
                else "no later wave resolvably worse"
            )
            + (
                "; "
                + ", ".join(f"{k} none ready on station by {r['run_out_h'][k]['median_h']:g} h (median)" for k in out)
                if out
                else "; no interceptor type runs out on station in most trials"
            )
        )
    return "Campaign of repeated waves: " + "; ".join(parts) + "."
