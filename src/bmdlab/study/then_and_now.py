"""Then and now: the 2017 claims re-tested against today's threat and Japan's posture of 2028.

Since 2017 North Korea's threat gained two flight classes that leave the ballistic arc - the KN-23's
quasi-ballistic pull-up and the boost-glide Hwasong-8 and Hwasong-16B (:mod:`bmdlab.trajectory.atmospheric`) -
and Japan cancelled Aegis Ashore (June 2020) for two Aegis System Equipped Vessels (ASEVs). This section
computes, with the same engine and rules as the 2017 sections:

* **coverage by flight class** (:mod:`bmdlab.coverage.flight_classes`) of the two Aegis Ashore sites against the
  2017 threat (then) and against today's (now, ``japan-2028-aegis-ashore``), of the two ASEVs and of the whole
  2028 posture (``japan-2028``);
* the verdicts: does "two Aegis Ashore sites cover Japan in its entirety" hold against each class; do the ASEVs
  replace Aegis Ashore (:func:`~bmdlab.study.verdict_rules.replacement_verdict`); what each buys per yen;
* **today's raid** (the scenarios' 23 missiles, the most fired in one day, 2 Nov 2022) against the 2028 posture,
  its Aegis Ashore counterfactual and the posture of 2017, with the missiles no unit can engage by class;
* **robustness**: each verdict recomputed with the new vehicles' assumed values at the ends of their plausible
  ranges, one at a time (lift-to-drag ratio, boost angle, pull-up altitude, drag coefficient, dive speed), labelled
  *robust* or *depends on* the values that flip it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import Catalog
from bmdlab.catalog.variants import with_values
from bmdlab.cost.architecture import architecture_cost
from bmdlab.coverage.flight_classes import FLIGHT_CLASSES, class_coverage, class_masks, class_shares
from bmdlab.coverage.national import Coverage, national_coverages
from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
from bmdlab.numbers import round_share
from bmdlab.scenario import Scenario, load_scenario
from bmdlab.study.threats import model_atmospheric_flights
from bmdlab.study.verdict_rules import coverage_verdict, replacement_verdict
from bmdlab.trajectory.observed import raid_records

THEN = "japan-2017-aegis-ashore"  #: the 2017 debate's Aegis Ashore architecture and threat
NOW = "japan-2028"  #: Japan's posture of 2028 (two ASEVs) against today's threat
NOW_AA = "japan-2028-aegis-ashore"  #: the same with the two cancelled Aegis Ashore sites instead of the ASEVs
POSTURE_2017 = "japan-2017-baseline"  #: what Japan had in 2017 (four Kongo-class ships, PAC-3), for today's raid

CLAIMS = {
    "aegis_ashore_covers": "Two Aegis Ashore sites would cover Japan in its entirety (Japan's Ministry of Defense, "
    "December 2017).",
    "asev_replaces": "Two Aegis System Equipped Vessels replace the two Aegis Ashore sites (Japan's Ministry of "
    "Defense, December 2020, after the cancellation of 15 June 2020).",
}

#: The new flight classes' assumed values that the robustness varies, each over its catalog plausible range.
VEHICLE_FACTORS = tuple(
    (missile, name)
    for missile in ("kn-23", "hwasong-8", "hwasong-16b")
    for name in ("lift_to_drag", "boost_angle", "pull_up_altitude", "drag_coefficient", "dive_speed")
)

Progress = Callable[[str], None] | None


def _units(scenario: Scenario, keep: Callable[[str], bool], name: str) -> Scenario:
    """The scenario with only the units whose catalog key passes ``keep``."""
    units = [u for u in scenario.architecture.units if keep(u.unit)]
    arch = scenario.architecture.model_copy(update={"units": units})
    return scenario.model_copy(update={"architecture": arch, "name": name})


def _coverages(catalog: Catalog, resolution_km: float) -> dict[str, Coverage]:
    names = (THEN, NOW, NOW_AA)
    setups = [assemble(load_scenario(n, catalog), catalog) for n in names]
    return dict(zip(names, national_coverages(setups, resolution_km)))


def _mask(cov: Coverage, unit: str) -> np.ndarray:
    return np.array([d.unit == unit for d in cov.defenders])


def parts(covs: dict[str, Coverage], catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Coverage by flight class of each architecture part the claims are about."""
    return {
        "aegis_ashore_then": class_shares(covs[THEN], catalog, _mask(covs[THEN], "aegis-ashore")),
        "aegis_ashore_now": class_shares(covs[NOW_AA], catalog, _mask(covs[NOW_AA], "aegis-ashore")),
        "asev_now": class_shares(covs[NOW], catalog, _mask(covs[NOW], "asev")),
        "posture_2028": class_shares(covs[NOW], catalog),
        "posture_2028_aegis_ashore": class_shares(covs[NOW_AA], catalog),
    }


def verdicts(shares: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The two claims' verdicts: then (the 2017 threat) and now, per flight class."""

    def cover(part: dict[str, Any]) -> dict[str, Any]:
        return {
            c: coverage_verdict(s["land_fraction"], s["population_fraction"], s["regions"]) for c, s in part.items()
        }

    aa_now, asev = shares["aegis_ashore_now"], shares["asev_now"]
    return {
        "aegis_ashore_covers": {"then": cover(shares["aegis_ashore_then"]), "now": cover(aa_now)},
        "asev_replaces": {
            c: replacement_verdict(asev[c]["population_fraction"], aa_now[c]["population_fraction"]) for c in asev
        },
    }


def costs(catalog: Catalog, shares: dict[str, dict[str, Any]], people: float) -> dict[str, Any]:
    """What the two ASEVs and the two Aegis Ashore sites cost over the cost model's horizon, and per person
    covered against each flight class (of Japan's ``people``)."""
    out: dict[str, Any] = {}
    for part, scenario, unit in (("asev_now", NOW, "asev"), ("aegis_ashore_now", NOW_AA, "aegis-ashore")):
        scn = _units(load_scenario(scenario, catalog), lambda u, unit=unit: u == unit, f"{scenario}-{unit}-only")
        cost = architecture_cost(assemble(scn, catalog))
        total = cost.total()
        per_class = {
            c: (total / (s["population_fraction"] * people) if s["population_fraction"] > 0 else None)
            for c, s in shares[part].items()
        }
        out[part] = {
            "total": cost.money(total),
            "years": cost.years,
            "price_year": cost.price_year,
            "yen_per_person_covered": {c: None if v is None else round(v) for c, v in per_class.items()},
        }
    return out


def _raids(catalog: Catalog, trials: int, seed: int) -> dict[str, Any]:
    """Today's raid against the 2028 posture, its Aegis Ashore counterfactual and the posture of 2017."""
    today = load_scenario(NOW, catalog)
    old = load_scenario(POSTURE_2017, catalog)
    hybrid = today.model_copy(update={"architecture": old.architecture, "name": "japan-2017-posture-today"})
    out = {}
    for scn in (today, load_scenario(NOW_AA, catalog), hybrid):
        res = run_scenario_raid(assemble(scn, catalog), RaidRun(trials, seed))
        never = res.plan.opportunities.sum(axis=0) == 0
        classes = [catalog.missiles[t.missile].flight_class for t in res.plan.threats]
        out[scn.name] = {
            "missiles": res.missiles,
            "expected_leakers": round(res.expected_leakers, 3),
            "expected_leakers_ci95": [round(x, 3) for x in res.expected_leakers_ci95],
            "p_zero_leakers": round_share(res.p_zero_leakers),
            "never_engaged": {
                c: int(sum(n for n, k in zip(never, classes) if k == c)) for c in FLIGHT_CLASSES if c in classes
            },
            "by_class": {c: classes.count(c) for c in FLIGHT_CLASSES if c in classes},
        }
    return {"trials": trials, "seed": seed, "runs": out}


def _threat_of(scenario: Scenario, missile: str) -> Scenario:
    """The scenario with only ``missile``'s threat groups (its launch areas and shapes)."""
    groups = [
        g.model_copy(update={"missiles": [missile]}) for g in scenario.threat.all_groups() if missile in g.missiles
    ]
    threat = scenario.threat.model_copy(
        update={"groups": groups, "missiles": None, "launch_areas": None, "shapes": None}
    )
    return scenario.model_copy(update={"threat": threat, "raid": None})


def _swap(base: Coverage, variant: Coverage, missile: str) -> Coverage:
    """``base`` with ``missile``'s threat cases replaced by ``variant``'s (the same units, in the same order)."""
    keep = np.array([t.missile != missile for t in base.threats])
    return Coverage(
        grid=base.grid,
        defenders=base.defenders,
        threats=tuple(t for t, k in zip(base.threats, keep) if k) + variant.threats,
        shots=np.concatenate([base.shots[keep], variant.shots]),
        reach=np.concatenate([base.reach[keep], variant.reach]),
        scenario=base.scenario,
    )


def _variant(catalog: Catalog, covs: dict[str, Coverage], missile: str) -> tuple[dict, dict]:
    """The shares and verdicts with ``catalog``'s values for ``missile`` (its cases recomputed, the others' kept)."""
    setups = [assemble(_threat_of(load_scenario(n, catalog), missile), catalog) for n in (NOW, NOW_AA)]
    now, now_aa = national_coverages(setups, covs[NOW].grid)
    swapped = {THEN: covs[THEN], NOW: _swap(covs[NOW], now, missile), NOW_AA: _swap(covs[NOW_AA], now_aa, missile)}
    shares = parts(swapped, catalog)
    return shares, verdicts(shares)


def _spans(runs: list[tuple[str, dict[str, dict[str, Any]]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The lowest and highest share of people covered, per part and flight class, over the labelled ``runs`` of
    :func:`parts` (``(label, shares)``), with the runs that give them."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for part in runs[0][1]:
        if part == "aegis_ashore_then":
            continue
        out[part] = {}
        for cls in runs[0][1][part]:
            values = [(r[part][cls]["population_fraction"], i, label) for i, (label, r) in enumerate(runs)]
            low, _, low_by = min(values)  # a tie goes to the earliest run: the catalog values first
            high, _, high_by = max(values, key=lambda x: (x[0], -x[1]))
            out[part][cls] = {"low": low, "high": high, "low_by": low_by, "high_by": high_by}
    return out


def _labels(base: dict[str, Any], flips: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """Each verdict's robustness label from the one-at-a-time flips ``(verdict key, end, factor, new verdict)``."""
    out: dict[str, Any] = {}
    for key in _verdict_keys(base):
        mine = [f for f in flips if f[0] == key]
        out[key] = {
            "label": "robust" if not mine else "depends on " + ", ".join(sorted({f[2] for f in mine})),
            "flips": [{"end": e, "factor": fac, "verdict": v} for _, e, fac, v in mine],
        }
    return out


def _verdict_keys(v: dict[str, Any]) -> list[str]:
    keys = [f"aegis_ashore_covers.now.{c}" for c in v["aegis_ashore_covers"]["now"]]
    return keys + [f"asev_replaces.{c}" for c in v["asev_replaces"]]


def _lookup(v: dict[str, Any], key: str) -> str:
    node: Any = v
    for part in key.split("."):
        node = node[part]
    return str(node["verdict"])


def robustness(
    catalog: Catalog, covs: dict[str, Coverage], base: dict[str, Any], progress: Progress = None
) -> dict[str, Any]:
    """Every now-verdict with one new-vehicle value at a time at each end of its plausible range, and the range
    of each share of people covered over those runs (the nominal run included)."""
    flips, factors, runs = [], [], [("the catalog values", parts(covs, catalog))]
    for missile, name in VEHICLE_FACTORS:
        value = getattr(catalog.missiles[missile], name)
        if value is None or value.plausible is None:
            continue
        factors.append({"missile": missile, "field": name, "nominal": value.nominal, "range": list(value.plausible)})
        for end, x in zip(("low", "high"), value.plausible):
            shares, variant = _variant(with_values(catalog, {("missiles", missile, name): x}), covs, missile)
            runs.append((f"{missile} {name.replace('_', ' ')} at {x:g} {value.unit}", shares))
            for key in _verdict_keys(base):
                if _lookup(variant, key) != _lookup(base, key):
                    flips.append(
                        (
                            key,
                            f"{end} ({x:g} {value.unit})",
                            f"{missile} {name.replace('_', ' ')}",
                            _lookup(variant, key),
                        )
                    )
        if progress:
            progress(f"{missile} {name}")
    return {"factors": factors, "labels": _labels(base, flips), "method": _METHOD, "spans": _spans(runs)}


_METHOD = (
    "one value at a time at each end of its catalog plausible range, the other values at their nominal; only the "
    "varied missile's threat cases are recomputed (the coverage of the others is unchanged by it)"
)


def then_and_now_section(
    catalog: Catalog, *, resolution_km: float, trials: int, seed: int, progress: Progress = None
) -> tuple[dict[str, Any], dict[str, Coverage]]:
    """The section's results, and the coverages by flight class of the 2028 posture (for its map)."""
    covs = _coverages(catalog, resolution_km)
    if progress:
        progress("coverage")
    shares = parts(covs, catalog)
    base = verdicts(shares)
    people = float(covs[NOW].grid.population.sum())
    results = {
        "claims": CLAIMS,
        "scenarios": {n: c.scenario_hash for n, c in covs.items()},
        "resolution_km": resolution_km,
        "shares": shares,
        "verdicts": base,
        "costs": costs(catalog, shares, people),
        "raids": _raids(catalog, trials, seed),
        "raid_records": [{k: str(v) if k == "date" else v for k, v in r.items()} for r in raid_records()],
        "observed_flights": model_atmospheric_flights(catalog),
        "robustness": robustness(catalog, covs, base, progress),
    }
    masks = class_masks(covs[NOW], catalog)
    maps = {f"2028 posture vs {c}": class_coverage(covs[NOW], m, f"2028 posture vs {c}") for c, m in masks.items()}
    return results, maps
