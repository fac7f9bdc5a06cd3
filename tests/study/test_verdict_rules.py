"""The study's verdict rules measure the size of a disagreement, and each can fail (an input changed flips it).

Expected verdicts are worked by hand from the rules' stated thresholds (bmdlab.study.verdict_rules) and the
issue's figures: 27 THAAD batteries against "at least six" (ratio 4.5); Aegis Ashore's sites covering
98.8 % of people nationally but leaving the Nansei islands' people 93 % uncovered.
"""

from __future__ import annotations

import pytest

from bmdlab.numbers import percent
from bmdlab.study.verdict_rules import count_verdict, coverage_verdict, gaps_verdict, imperfect_interceptor_verdict


@pytest.mark.parametrize(
    ("model", "claimed", "verdict"),
    [
        (27, 6, "does not hold"),
        (6, 6, "holds"),
        (8, 6, "holds"),
        (11, 6, "partly"),
        (3, 6, "partly"),
        (2, 6, "does not hold"),
    ],
)
def test_count_verdict_is_a_ratio(model, claimed, verdict):
    out = count_verdict(model, claimed)
    assert out["verdict"] == verdict
    assert out["ratio"] == pytest.approx(model / claimed, abs=1e-3)


def _regions(nansei_people: float) -> dict[str, dict[str, float]]:
    return {
        "Kanto": {"land_fraction": 1.0, "population_fraction": 1.0},
        "Nansei islands": {"land_fraction": 0.2, "population_fraction": nansei_people},
    }


def test_coverage_verdict_looks_at_people_and_regions():
    # the issue's case: 99 % of land, 98.8 % of people, the Nansei islands' people 7 % covered -> not "holds"
    out = coverage_verdict(0.993, 0.988, _regions(0.07))
    assert out["verdict"] == "partly"
    assert out["weakest_region"]["name"] == "Nansei islands"
    # the same national figures with every region covered and 99 % of people: holds
    assert (
        coverage_verdict(
            0.995, 0.992, _regions(1.0) | {"Nansei islands": {"land_fraction": 1.0, "population_fraction": 1.0}}
        )["verdict"]
        == "holds"
    )
    # land alone is not enough: 99.5 % of land but 85 % of people does not hold
    assert coverage_verdict(0.995, 0.85, {})["verdict"] == "does not hold"


def test_gaps_verdict_can_fail():
    assert gaps_verdict(0.75, 0.94)["verdict"] == "holds"
    assert gaps_verdict(0.995, 0.999)["verdict"] == "does not hold"


@pytest.mark.parametrize(
    ("p0", "verdict"), [(0.0, "holds"), (0.5, "holds"), (0.97, "partly"), (0.995, "does not hold")]
)
def test_imperfect_interceptor_rule_can_fail(p0, verdict):
    # the old rule (holds if no kill probability reaches 1) could not fail under Laplace's rule; this one can
    assert imperfect_interceptor_verdict(p0)["verdict"] == verdict


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (0.986, "98.6 %"),
        (0.9995, "> 99.9 %"),
        (0.99949, "99.9 %"),
        (1.0, "100.0 %"),
        (0.0, "0.0 %"),
        (0.0004, "< 0.1 %"),
        (0.0005, "0.1 %"),
    ],
)
def test_percent_never_rounds_to_100_or_0(x, text):
    assert percent(x) == text


@pytest.mark.parametrize(
    ("new", "old", "verdict"),
    [
        (0.50, 0.50, "holds"),
        (0.90, 0.30, "holds"),  # covering more still replaces
        (0.34, 0.50, "holds"),  # 0.68 >= 1/1.5
        (0.30, 0.50, "partly"),  # 0.6: between 1/2 and 1/1.5
        (0.20, 0.50, "does not hold"),  # 0.4 < 1/2
        (0.00, 0.50, "does not hold"),
        (0.00, 0.00, "holds"),  # nothing to replace
    ],
)
def test_replacement_verdict_is_a_one_sided_ratio(new, old, verdict):
    from bmdlab.study.verdict_rules import replacement_verdict

    out = replacement_verdict(new, old)
    assert out["verdict"] == verdict
    if old > 0:
        assert out["ratio"] == pytest.approx(new / old, abs=1e-3)
