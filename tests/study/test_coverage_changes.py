"""The study's coverage headline and 'what changed' are computed from the numbers (bmdlab.study.coverage_section)."""

from bmdlab.study.coverage_section import COVERAGE_ENOUGH, claim_changes, headline


def _summaries(pops):
    return {name: {"population_fraction": p, "land_fraction": p} for name, p in pops.items()}


def test_headline_follows_the_weakest_architecture():
    s = {"baseline_ships_only": {"population_fraction": 1.0}}
    h = headline(_summaries({"a": 1.0, "b": 0.999}), s)
    assert h["coverage_is_enough"] and h["title"] == "Coverage is not the problem."
    h = headline(_summaries({"a": 1.0, "b": COVERAGE_ENOUGH - 0.01}), s)
    assert (
        not h["coverage_is_enough"]
        and h["title"] == "Coverage is part of the problem."
        and h["weakest_architecture"] == "b"
    )
    # the ship sentence: at 99 % of the people or more the ships reach every threatened city, below it the
    # PAC-3 point defences matter (rule: COVERAGE_ENOUGH)
    short = headline(_summaries({"a": 1.0}), {"baseline_ships_only": {"population_fraction": 0.8}})["ship_text"]
    assert "reaches 80.0 % of Japan's people" in short and "the PAC-3 point defences matter" in short
    assert "every city within reach of a threat" not in short
    full = headline(_summaries({"a": 1.0}), {"baseline_ships_only": {"population_fraction": COVERAGE_ENOUGH}})[
        "ship_text"
    ]
    assert "every city within reach of a threat" in full and "PAC-3" not in full


def _section(verdict, pop, label):
    return {
        "claims": [{"id": "thaad", "quote": "q", "verdict": verdict, "figure": f"figure {verdict}"}],
        "architectures": {"x": {"population_fraction": pop, "land_fraction": pop}},
        "headline": headline(_summaries({"x": pop}), {"baseline_ships_only": {"population_fraction": pop}}),
        "engagement_model": {"label": label},
    }


def test_claim_changes_lists_changed_verdicts_and_headline():
    same = claim_changes(_section("holds", 1.0, "new"), _section("holds", 1.0, "old"))
    assert same["changed_claims"] == [] and not same["headline_changed"]
    diff = claim_changes(_section("holds", 0.9, "new"), _section("partly", 1.0, "old"))
    assert diff["changed_claims"] == ["thaad"] and diff["headline_changed"]
    assert diff["claims"][0]["verdict_before"] == "partly" and diff["model_before"] == "old"
