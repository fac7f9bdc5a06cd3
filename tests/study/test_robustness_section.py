"""Robustness labels of the study's verdicts and headlines (bmdlab.study.robustness_section).

Expected labels are worked by hand from the stated rule (robust at 90 % of the plausible space) on inputs the
test writes; each rule is shown to change its label when an input changes.
"""

from __future__ import annotations

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.sensitivity.space import Factor
from bmdlab.study.robustness_section import (
    ROBUST_SHARE,
    coverage_claim_robustness,
    favourable_corner,
    headline_ranges,
    launcher_robustness,
    raid_headline_robustness,
    verdict_robustness,
)

CAT = builtin_catalog()


def test_verdict_label_rule():
    assert ROBUST_SHARE == 0.9
    assert verdict_robustness(0.95, "x")["label"] == "robust"
    assert verdict_robustness(0.9, "x")["label"] == "robust"
    out = verdict_robustness(0.85, "fire channels", "holds below 5")
    assert out["label"] == "depends on fire channels" and out["threshold"] == "holds below 5"


def _steps(largest: list[str]) -> list[dict]:
    scales = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0)
    return [{"fire_channels_scale": s, "changes": {}, "largest": k} for s, k in zip(scales, largest)]


def test_raid_headline_flips_where_another_step_overtakes():
    # channels largest up to 2.0, availability from 2.5: the channels' share of [1, 6] is up to the midpoint
    # between 2.0 and 2.5, (2.25 - 1) / 5 = 0.25 -> depends on fire channels, flipping at 2.5 x 2 = 5 channels
    out = raid_headline_robustness(_steps(["channels"] * 3 + ["availability"] * 5), CAT)
    assert out["share_of_range"] == pytest.approx(0.25)
    assert out["label"] == "depends on fire channels" and out["flips_at_scale"] == 2.5
    assert "fewer than ~5 fire channels" in out["text"]
    # the same headline everywhere: robust
    out = raid_headline_robustness(_steps(["channels"] * 8), CAT)
    assert out["label"] == "robust" and out["share_of_range"] == 1.0 and out["flips_at_scale"] is None


def _dependence(without_crossing: str) -> dict:
    def run(v):
        return {c: {"verdict": v, "figure": ""} for c in ("pac3", "destroyers", "aegis_ashore", "thaad")}

    runs = {"default": run("holds")} | {
        f"without {x}": run("holds") for x in ("launcher-elevation", "min-flight-time", "track-rcs", "field-of-view")
    }
    runs["without crossing"] = run(without_crossing)
    return {"resolution_km": 20.0, "runs": runs}


def test_coverage_claims_depend_on_the_assumed_limit_that_flips_them():
    same = coverage_claim_robustness(_dependence("holds"), CAT)
    assert all(x["label"] == "robust" and x["share"] == 1.0 for x in same.values())
    flipped = coverage_claim_robustness(_dependence("partly"), CAT)
    # one of six cases differs: 5/6 < 0.9
    assert flipped["aegis_ashore"]["share"] == pytest.approx(5 / 6, abs=1e-3)
    assert flipped["aegis_ashore"]["label"] == "depends on crossing"
    assert "without crossing: 'partly'" in flipped["aegis_ashore"]["threshold"]


def test_launcher_robustness_over_the_published_counts():
    # 58 to 200 launchers: 'holds' needs 200, so only the top of the range -> depends on the launcher count
    out = launcher_robustness({"total": 200, "total_low": 58})
    assert out["label"] == "depends on the launcher count" and out["share"] < 0.1
    # a range that stays at or above 200 keeps the verdict: robust
    assert launcher_robustness({"total": 260, "total_low": 200})["label"] == "robust"


def test_favourable_corner_takes_each_factor_to_the_defences_end():
    factors = [
        Factor("fire_channels_quantile", "fire_channels_quantile", 0.0, 1.0),
        Factor("missile_reliability", "missile_reliability", 0.4, 0.8),
        Factor("limit_crossing", "limit_crossing", 0.0, 1.0, kind="switch"),
        Factor("cost_scale", "cost_scale", 0.7, 1.5),
    ]
    # the threat's reliability stays at its catalog value: the claim is about the interceptors
    assert favourable_corner(factors) == {"fire_channels_quantile": 1.0, "limit_crossing": "off"}


class _Fake:
    def __init__(self, p5, p95):
        pct = {"p5": p5, "p50": (p5 + p95) / 2, "p95": p95}
        self.percentiles = {
            m: pct for m in ("expected_leakers", "defended_population_fraction", "jpy_per_surviving_value_point")
        }


def test_headline_ranges_say_which_uncertainty_is_larger():
    raids = {
        "runs": {"a": {"200": {"expected_leakers": 100.0, "expected_leakers_ci95": [99.5, 100.5], "trials": 10_000}}}
    }
    rows = {r["metric"]: r for r in headline_ranges({"a": _Fake(40.0, 150.0)}, raids)}
    leak = rows["expected_leakers"]
    assert leak["larger"] == "assumptions" and leak["ratio"] == pytest.approx(110.0)
    # a space narrower than the Monte Carlo interval: sampling is the larger
    narrow = {r["metric"]: r for r in headline_ranges({"a": _Fake(99.9, 100.1)}, raids)}["expected_leakers"]
    assert narrow["larger"] == "sampling"


def test_coverage_headline_depends_on_a_limit_that_changes_it():
    from bmdlab.study.robustness_section import coverage_headline_robustness

    dep = _dependence("holds")
    for run in dep["runs"].values():
        run["_headline"] = "Coverage is part of the problem."
    assert coverage_headline_robustness(dep, CAT)["label"] == "robust"
    dep["runs"]["without crossing"]["_headline"] = "Coverage is not the problem."
    out = coverage_headline_robustness(dep, CAT)
    assert out["label"] == "depends on crossing" and out["share"] == pytest.approx(5 / 6, abs=1e-3)
