"""Verdict rules that measure the size of a disagreement, one home for each.

A verdict is *holds*, *partly* or *does not hold*. Each rule compares the model's figure with the
claim's and can fail: a test changes an input and sees the verdict change.

* **Counts** ("THAAD would need at least six batteries"): the ratio of the model's count to the
  claimed one. Within a factor of :data:`COUNT_HOLDS` either way the claim holds, within
  :data:`COUNT_PARTLY` it partly holds; beyond, it does not - 27 batteries against "at least six" is
  4.5 times the claim, so the claim understates the need and does not hold, though 27 is "at least six".
* **Coverage** ("cover Japan in its entirety"): the share of land *and* of people, nationally and in
  every region. It holds when both national shares and every region's shares reach
  :data:`COVERAGE_HOLDS`; partly when both national shares reach :data:`COVERAGE_PARTLY`; otherwise it
  does not hold. The weakest region is named either way.
* **Imperfect interceptors** ("no interceptor hits every time"): whether misses show in outcomes.
  It holds when the best architecture lets at least one missile of the smallest raid through in more
  than 5 % of trials (P(zero leakers) below :data:`ZERO_LEAK_HOLDS`), partly up to 1 %, and does not
  hold when the defence stops every missile in 99 % of trials or more.
"""

from __future__ import annotations

from typing import Any

from bmdlab.numbers import percent

COUNT_HOLDS = 1.5  #: a count within this factor of the claim holds
COUNT_PARTLY = 2.0  #: ... within this factor partly holds
COVERAGE_HOLDS = 0.99  #: share of land and people (nationally and in each region) for "covers"
COVERAGE_PARTLY = 0.90  #: national share of land and people for "partly covers"
ZERO_LEAK_HOLDS = 0.95  #: P(zero leakers) below which misses show in outcomes
ZERO_LEAK_PARTLY = 0.99


def count_verdict(model: float, claimed: float) -> dict[str, Any]:
    """The verdict on a claimed count, by the ratio of the model's count to it."""
    if not (claimed > 0 and model > 0):
        return {"verdict": "does not hold", "ratio": None, "rule": _count_rule()}
    ratio = model / claimed
    factor = max(ratio, 1.0 / ratio)
    verdict = "holds" if factor <= COUNT_HOLDS else ("partly" if factor <= COUNT_PARTLY else "does not hold")
    return {"verdict": verdict, "ratio": round(ratio, 3), "rule": _count_rule()}


def _count_rule() -> str:
    return (
        f"rule: the model's count over the claimed one; holds within a factor of {COUNT_HOLDS:g} either way, "
        f"partly within {COUNT_PARTLY:g}, otherwise does not hold"
    )


def coverage_verdict(land: float, people: float, regions: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The verdict on a claim of covering Japan: national land and people, and the weakest region.

    ``regions`` maps a region's name to its ``land_fraction`` and ``population_fraction`` defended.
    """
    weakest = min(
        regions.items(), key=lambda kv: min(kv[1]["land_fraction"], kv[1]["population_fraction"]), default=None
    )
    regional_ok = all(min(r["land_fraction"], r["population_fraction"]) >= COVERAGE_HOLDS for r in regions.values())
    national = min(land, people)
    if national >= COVERAGE_HOLDS and regional_ok:
        verdict = "holds"
    elif national >= COVERAGE_PARTLY:
        verdict = "partly"
    else:
        verdict = "does not hold"
    out: dict[str, Any] = {
        "verdict": verdict,
        "rule": f"rule: holds when the land and the people defended both reach {percent(COVERAGE_HOLDS, 0)}, "
        f"nationally and in every region; partly when both reach {percent(COVERAGE_PARTLY, 0)} nationally",
        "weakest_region": None,
    }
    if weakest is not None:
        name, r = weakest
        out["weakest_region"] = {
            "name": name,
            "land_fraction": r["land_fraction"],
            "population_fraction": r["population_fraction"],
        }
    return out


def replacement_verdict(new: float, old: float) -> dict[str, Any]:
    """The verdict on a claim that a new system replaces an old one: the ratio of what the new covers (a share of
    people) to what the old one did. It holds when the new covers at least :math:`1/`:data:`COUNT_HOLDS` of what
    the old did (more is better: a replacement that covers more still replaces), partly down to
    :math:`1/`:data:`COUNT_PARTLY`; where the old covered nothing, any new share replaces it."""
    if old <= 0:
        return {"verdict": "holds", "ratio": None, "rule": _replacement_rule()}
    ratio = new / old
    verdict = "holds" if ratio >= 1 / COUNT_HOLDS else ("partly" if ratio >= 1 / COUNT_PARTLY else "does not hold")
    return {"verdict": verdict, "ratio": round(ratio, 3), "rule": _replacement_rule()}


def _replacement_rule() -> str:
    return (
        f"rule: the share of people the new system covers over the share the old one did; holds from "
        f"1/{COUNT_HOLDS:g} up (more is better), partly from 1/{COUNT_PARTLY:g}, otherwise does not hold"
    )


def gaps_verdict(land: float, people: float) -> dict[str, Any]:
    """The verdict on a claim that an architecture leaves gaps: it holds when less than
    :data:`COVERAGE_HOLDS` of the land or of the people is defended (at the hour the claim is about)."""
    gaps = min(land, people) < COVERAGE_HOLDS
    return {
        "verdict": "holds" if gaps else "does not hold",
        "rule": f"rule: holds when less than {percent(COVERAGE_HOLDS, 0)} of Japan's land or people is defended",
    }


def imperfect_interceptor_verdict(p_zero_leakers: float) -> dict[str, Any]:
    """The verdict on "no interceptor hits every time": do misses show in the best architecture's outcomes?"""
    if p_zero_leakers < ZERO_LEAK_HOLDS:
        verdict = "holds"
    elif p_zero_leakers < ZERO_LEAK_PARTLY:
        verdict = "partly"
    else:
        verdict = "does not hold"
    return {
        "verdict": verdict,
        "rule": f"rule: holds when the best architecture stops every missile of the smallest raid in fewer than "
        f"{percent(ZERO_LEAK_HOLDS, 0)} of trials (misses show in outcomes), partly below {percent(ZERO_LEAK_PARTLY, 0)}",
    }


__all__ = [
    "COUNT_HOLDS",
    "COUNT_PARTLY",
    "COVERAGE_HOLDS",
    "COVERAGE_PARTLY",
    "count_verdict",
    "coverage_verdict",
    "gaps_verdict",
    "imperfect_interceptor_verdict",
    "replacement_verdict",
]
