"""How robust the study's headlines and verdicts are over the plausible ranges of its assumed values.

Three things the analyst needs beside each answer:

* **Each headline figure's range over the plausible space** (5th-95th percentile of a global sample of the
  assumed values, :mod:`bmdlab.sensitivity.uncertainty`) beside its Monte Carlo 95 % interval, and which of
  the two is larger: printing +/- 0.3 missiles of sampling error next to a value that the assumptions move
  by 80 would be false precision.
* **Each verdict's robustness**: *robust* when the same verdict holds over at least :data:`ROBUST_SHARE` of
  the plausible space, otherwise *depends on X*, naming the assumption and the threshold where it flips.
* **Which assumptions matter**: Morris screening for every architecture, Sobol' indices for the headline
  leakers.

The raid headline ("Fire channels add the most leakers.") compares the realism section's model steps
(channels, units off station, correlated failures); :func:`step_changes` recomputes those steps over the
plausible range of the fire channels, so the headline's robustness is a computed threshold, not a
sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.coverage.published_footprints import LIMIT_FIELDS
from bmdlab.numbers import percent
from bmdlab.sensitivity.model import CoverageMemo, evaluate
from bmdlab.sensitivity.space import Factor, default_space
from bmdlab.sensitivity.uncertainty import UncertaintyResult, UncertaintyRun, run_uncertainty
from bmdlab.study.coverage_section import ARCHITECTURES
from bmdlab.study.raid_section import saturation_rule
from bmdlab.study.realism_section import COMMON_MODE, STEP_NAMES
from bmdlab.study.verdict_rules import imperfect_interceptor_verdict

ROBUST_SHARE = 0.9  #: a verdict is robust when it holds over this share of the plausible space
RAID = 200  #: the headline raid [missiles]
MORRIS_TRAJECTORIES = 10  #: Morris trajectories per architecture
SOBOL_SAMPLES = 32  #: Sobol' base samples (a power of two) for the headline leakers
TRIALS = 400  #: Monte Carlo trials per run of the uncertainty analysis (common random numbers)
SOBOL_ARCHITECTURE = "japan-2017-aegis-ashore"  #: the architecture whose leakers get Sobol' indices
#: Fire-channel scales at which the raid headline's model steps are recomputed (x the catalog's channels).
CHANNEL_SCALES = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
#: Headline metrics, with how the report names them.
HEADLINE_METRICS = {
    "expected_leakers": "expected leakers of 200",
    "defended_population_fraction": "share of people defended (20 km grid)",
    "jpy_per_surviving_value_point": "life-cycle yen per point of surviving value",
}


def robustness_section(
    catalog: Catalog,
    *,
    raids: dict[str, Any],
    coverage: dict[str, Any],
    seed: int,
    progress: Callable[..., None] | None = None,
    workers: int | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, Any]:
    """The uncertainty analyses of the study, the raid headline's step changes over the fire channels, and each
    claim's robustness label.

    ``raids`` and ``coverage`` are the raid and coverage sections (the Monte Carlo intervals go beside the ranges;
    the coverage claims' engagement-limit variants decide their labels). ``progress`` is called once per analysis.
    """
    tick = progress or (lambda *_: None)
    common = {
        "trials": TRIALS,
        "seed": seed,
        "workers": workers,
        "fixed": {"missiles": RAID},
        "catalog_dir": catalog_dir(catalog),
    }
    morris: dict[str, UncertaintyResult] = {}
    for name in ARCHITECTURES:
        run = UncertaintyRun.of(method="morris", samples=MORRIS_TRAJECTORIES, **common)
        morris[name] = run_uncertainty(name, run, factors=study_space(catalog, name), catalog=catalog)
        tick(name)
    run = UncertaintyRun.of(method="sobol", samples=SOBOL_SAMPLES, **common)
    sobol = run_uncertainty(SOBOL_ARCHITECTURE, run, factors=study_space(catalog, SOBOL_ARCHITECTURE), catalog=catalog)
    tick("sobol")
    steps = step_changes(catalog, seed=seed, memo=memo)
    tick("steps")
    claims = claim_robustness(catalog, raids, coverage, seed=seed, memo=memo)
    return {
        "claims": claims,
        "coverage_headline": coverage_headline_robustness(coverage["dependence"], catalog),
        "robust_share": ROBUST_SHARE,
        "raid": RAID,
        "trials": TRIALS,
        "seed": seed,
        "factors": {n: [f.to_dict() for f in morris[n].factors] for n in ARCHITECTURES},
        "morris": {n: _screening(r) for n, r in morris.items()},
        "sobol": {"architecture": SOBOL_ARCHITECTURE, "samples": SOBOL_SAMPLES, **_sobol(sobol)},
        "headlines": headline_ranges(morris, raids),
        "raid_headline": raid_headline_robustness(steps, catalog),
        "step_changes": steps,
        "points": {n: r.rows for n, r in morris.items()},
    }


def study_space(catalog: Catalog, scenario: str) -> list[Factor]:
    """The study's factors: the default space of :func:`bmdlab.sensitivity.space.default_space`."""
    return default_space(catalog, scenario)


def _screening(r: UncertaintyResult) -> dict[str, Any]:
    return {
        "runs": r.runs,
        "points": len(r.points),
        "percentiles": r.percentiles,
        "ranking": {m: [{"factor": f, "mu_star": v, "conf": c} for f, v, c in r.ranking(m)] for m in HEADLINE_METRICS},
    }


def _sobol(r: UncertaintyResult) -> dict[str, Any]:
    ind = r.indices.get("expected_leakers") or {}
    return {
        "runs": r.runs,
        "percentiles": r.percentiles.get("expected_leakers"),
        "indices": {f: {k: v for k, v in x.items()} for f, x in ind.items()},
        "ranking": [{"factor": f, "ST": v, "conf": c} for f, v, c in r.ranking("expected_leakers")],
    }


def headline_ranges(morris: dict[str, UncertaintyResult], raids: dict[str, Any]) -> list[dict[str, Any]]:
    """Each headline figure per architecture: its Monte Carlo 95 % interval (the raid section's, where it has
    one) and its 5th-95th percentile over the plausible space, and which is wider."""
    rows = []
    for name, r in morris.items():
        for metric, label in HEADLINE_METRICS.items():
            p = r.percentiles[metric]
            mc = None
            if metric == "expected_leakers":
                run = raids["runs"][name][str(RAID)]
                mc = {"value": run["expected_leakers"], "ci95": run["expected_leakers_ci95"], "trials": run["trials"]}
            space_width = p["p95"] - p["p5"]
            mc_width = None if mc is None else mc["ci95"][1] - mc["ci95"][0]
            rows.append(
                {
                    "architecture": name,
                    "metric": metric,
                    "label": label,
                    "monte_carlo": mc,
                    "space": p,
                    "space_width": space_width,
                    "monte_carlo_width": mc_width,
                    "larger": "assumptions" if mc_width is None or space_width > mc_width else "sampling",
                    "ratio": None if not mc_width else round(space_width / mc_width, 1),
                }
            )
    return rows


def step_changes(
    catalog: Catalog, *, seed: int, trials: int = 500, memo: CoverageMemo | None = None
) -> list[dict[str, Any]]:
    """The realism section's model steps recomputed at each fire-channel scale of :data:`CHANNEL_SCALES`: the
    leakers each step adds, summed over the architectures (common random numbers)."""
    memo = memo or CoverageMemo()
    out = []
    for scale in CHANNEL_SCALES:
        total = {"channels": 0.0, "availability": 0.0, "common-mode": 0.0}
        for name in ARCHITECTURES:
            base = {"scenario": name, "missiles": RAID, "sea_availability": 1.0, "land_availability": 1.0}
            run = _leakers_of(catalog, seed, trials, memo)
            free = run({**base, "capacity": False})
            channels = run({**base, "fire_channels_scale": scale})
            avail = run({"scenario": name, "missiles": RAID, "fire_channels_scale": scale})
            common = run({"scenario": name, "missiles": RAID, "fire_channels_scale": scale, "common_mode": COMMON_MODE})
            total["channels"] += channels - free
            total["availability"] += avail - channels
            total["common-mode"] += common - avail
        top = max(total, key=lambda k: total[k])
        out.append(
            {"fire_channels_scale": scale, "changes": {k: round(v, 2) for k, v in total.items()}, "largest": top}
        )
    return out


def _leakers_of(catalog: Catalog, seed: int, trials: int, memo: CoverageMemo) -> Callable[[dict[str, Any]], float]:
    cdir = catalog_dir(catalog)

    def run(point: dict[str, Any]) -> float:
        return float(evaluate(point, trials=trials, seed=seed, memo=memo, catalog_dir=cdir)["expected_leakers"])

    return run


def catalog_dir(catalog: Catalog) -> str | None:
    """The folder the runs load the catalog from (None: the built-in one)."""
    return None if catalog.origin == "built-in" else catalog.origin


def raid_headline_robustness(steps: list[dict[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """Whether the raid headline's largest step stays the largest over the plausible fire channels: *robust* when it
    does over at least :data:`ROBUST_SHARE` of the channel range (uniform between the scales' ends), otherwise
    *depends on fire channels*, with the scale (and the Aegis/THAAD channels) where it flips."""
    base = steps[0]["largest"]
    scales = np.array([s["fire_channels_scale"] for s in steps])
    same = np.array([s["largest"] == base for s in steps])
    flip = next((s for s in steps if s["largest"] != base), None)
    # share of the range [first, last scale] where the base step stays largest (piecewise at the midpoints)
    edges = np.concatenate([[scales[0]], (scales[1:] + scales[:-1]) / 2, [scales[-1]]])
    share = float(np.sum(np.diff(edges)[same]) / (scales[-1] - scales[0]))
    channels = int(catalog.units["thaad-battery"].fire_channels.nominal)  # type: ignore[union-attr]
    out = {
        "headline_step": base,
        "headline": f"{STEP_NAMES.get(base, base)} add the most leakers.",
        "share_of_range": round(share, 3),
        "label": "robust" if share >= ROBUST_SHARE else "depends on fire channels",
        "flips_at_scale": None if flip is None else flip["fire_channels_scale"],
        "flips_to": None if flip is None else flip["largest"],
    }
    if flip is not None:
        n = round(channels * flip["fire_channels_scale"])
        out["text"] = (
            f"{STEP_NAMES.get(base, base).lower()} add the most leakers only while Aegis and THAAD units have fewer "
            f"than ~{n} fire channels ({flip['fire_channels_scale']:g} x the catalog's {channels}); from there "
            f"{STEP_NAMES.get(flip['largest'], flip['largest']).lower()} add more"
        )
    else:
        out["text"] = (
            f"{STEP_NAMES.get(base, base).lower()} add the most leakers over the whole plausible channel range"
        )
    return out


#: The coverage claims whose robustness the engagement-limit variants decide (the coverage section's dependence).
COVERAGE_CLAIMS = ("pac3", "destroyers", "aegis_ashore", "thaad")


def assumed_limits(catalog: Catalog) -> list[str]:
    """The engagement limits whose catalog values are marked ``assumed`` in at least one entry."""
    out = []
    for limit, fields in LIMIT_FIELDS.items():
        for kind, name in fields:
            entries = getattr(catalog, kind).values()
            if any(getattr(e, name, None) is not None and getattr(e, name).confidence == "assumed" for e in entries):
                out.append(limit)
                break
    return out


def coverage_claim_robustness(dependence: dict[str, Any], catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Each coverage claim's label over the assumed engagement limits: the share of the cases {every limit on,
    each assumed limit off in turn} with the default's verdict (the coverage section's dependence grid)."""
    runs = dependence["runs"]
    cases = ["default"] + [f"without {x}" for x in assumed_limits(catalog) if f"without {x}" in runs]
    out = {}
    for claim in COVERAGE_CLAIMS:
        base = runs["default"][claim]["verdict"]
        flips = [c.removeprefix("without ") for c in cases[1:] if runs[c][claim]["verdict"] != base]
        share = 1.0 - len(flips) / len(cases)
        threshold = (
            None
            if not flips
            else f"'{base}' only with the {', '.join(flips)} limit{'s' if len(flips) > 1 else ''} on (assumed values); "
            + "; ".join(f"without {f}: '{runs['without ' + f][claim]['verdict']}'" for f in flips)
        )
        out[claim] = verdict_robustness(share, " and ".join(flips) or "nothing", threshold) | {
            "basis": f"{len(cases)} cases: every limit on, and each limit with assumed catalog values off in turn "
            f"({dependence['resolution_km']:g} km grid)"
        }
    return out


#: The defence-favourable end of each factor of the defence (P(zero leakers) rises that way: more channels, units
#: on station, surer kills, fewer engagement limits); a verdict that holds there holds everywhere. The threat's
#: reliability is not among them: the claim is about interceptors, so missiles keep their catalog reliability.
FAVOURABLE_END = {
    "fire_channels_scale": "high",
    "fire_channels_quantile": "high",
    "availability": "high",
    "sea_availability": "high",
    "land_availability": "high",
    "track_delay_s": "low",
    "sspk_quantile": "high",
    "limit_crossing": "off",
    "limit_min_flight_time": "off",
}


def favourable_corner(factors: list[Factor]) -> dict[str, Any]:
    """The run parameters of the plausible space's defence-favourable corner (:data:`FAVOURABLE_END`)."""
    out: dict[str, Any] = {}
    for f in factors:
        end = FAVOURABLE_END.get(f.name)
        if end is None:
            continue
        out[f.parameter] = end if f.kind == "switch" else (f.high if end == "high" else f.low)
    return out


def hit_probability_robustness(
    catalog: Catalog, raid: int, seed: int, trials: int = 2000, memo: CoverageMemo | None = None
) -> dict[str, Any]:
    """The "no interceptor hits every time" verdict at the defence-favourable corner of each architecture's
    plausible space against the smallest raid: P(zero leakers) only rises towards that corner, so a verdict
    that still holds there holds over the whole space (robust); otherwise it depends on the assumptions."""
    memo = memo or CoverageMemo()
    cdir, best = catalog_dir(catalog), 0.0
    corners = {}
    for name in ARCHITECTURES:
        corner = favourable_corner(study_space(catalog, name))
        m = evaluate(
            {"scenario": name, "missiles": raid, **corner}, trials=trials, seed=seed, catalog_dir=cdir, memo=memo
        )
        corners[name] = {"point": corner, "p_zero_leakers": m["p_zero_leakers"]}
        best = max(best, m["p_zero_leakers"])
    verdict = imperfect_interceptor_verdict(best)["verdict"]
    out = verdict_robustness(1.0 if verdict == "holds" else 0.0, "kill probabilities and availability")
    return out | {
        "basis": f"the best architecture's P(zero leakers) against {raid} missiles at the defence-favourable corner of "
        f"the plausible space: {percent(best)} ({trials:,} trials), verdict there '{verdict}'",
        "corners": corners,
    }


def launcher_robustness(capacity: dict[str, Any], claimed: int = 200) -> dict[str, Any]:
    """The saturation verdict at both ends of the published launcher counts (the raid section's capacity)."""
    low, high = capacity.get("total_low", capacity["total"]), capacity["total"]
    counts = np.linspace(low, high, 101)
    base = saturation_rule(high, claimed)
    share = float(np.mean([saturation_rule(int(round(n)), claimed) == base for n in counts]))
    threshold = f"'{base}' only with {claimed if base == 'holds' else claimed // 2} launchers or more"
    return verdict_robustness(share, "the launcher count", threshold) | {
        "basis": f"the saturation rule over the published launcher counts, {low} to {high} (uniform)"
    }


def claim_robustness(
    catalog: Catalog, raids: dict[str, Any], coverage: dict[str, Any], *, seed: int, memo: CoverageMemo | None = None
) -> dict[str, dict[str, Any]]:
    """Every claim's robustness label, by claim id: the coverage claims over the assumed engagement limits, the
    hit-probability claim at the plausible space's favourable corner, the saturation claim over the launcher
    counts, the money claims by their assumption-bearing part (their prices are stated figures)."""
    out = coverage_claim_robustness(coverage["dependence"], catalog)
    out["hit_probability"] = hit_probability_robustness(catalog, min(raids["sizes"]), seed, memo=memo)
    out["saturation"] = launcher_robustness(raids["launch_capacity"])
    out["aegis_ashore_cost"] = out["aegis_ashore"] | {"basis": "its coverage part: " + out["aegis_ashore"]["basis"]}
    out["thaad_cost"] = out["thaad"] | {"basis": "its count part: " + out["thaad"]["basis"]}
    out["public"] = {"share": None, "label": "not tested", "threshold": None, "basis": "not modelled"}
    return out


def coverage_headline_robustness(dependence: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """The coverage headline ("Coverage is (not) the problem.") over the same cases as the coverage claims."""
    runs = dependence["runs"]
    cases = ["default"] + [f"without {x}" for x in assumed_limits(catalog) if f"without {x}" in runs]
    base = runs["default"].get("_headline")
    flips = [c.removeprefix("without ") for c in cases[1:] if runs[c].get("_headline") != base]
    threshold = (
        None if not flips else "; ".join(f"without {f}: '{runs['without ' + f].get('_headline')}'" for f in flips)
    )
    return verdict_robustness(1.0 - len(flips) / len(cases), " and ".join(flips) or "nothing", threshold) | {
        "headline": base,
        "basis": f"{len(cases)} cases: every limit on, and each limit with assumed catalog values off in turn",
    }


def verdict_robustness(share: float, assumption: str, threshold: str | None = None) -> dict[str, Any]:
    """The label of a verdict that holds over ``share`` of the plausible space."""
    robust = share >= ROBUST_SHARE
    return {
        "share": round(share, 3),
        "label": "robust" if robust else f"depends on {assumption}",
        "threshold": None if robust else threshold,
    }


__all__ = [
    "ROBUST_SHARE",
    "headline_ranges",
    "raid_headline_robustness",
    "robustness_section",
    "step_changes",
    "verdict_robustness",
]
