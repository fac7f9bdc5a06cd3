"""The report's first screen (bmdlab.study.summary_section) and its sampled shares, on hand-made results.

Each expected figure is computed by hand from the results given; the Clopper-Pearson ends from their closed
forms at zero and at all successes.
"""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.study.japan2017 import sampled_share
from bmdlab.study.summary_section import ARTICLE_SOURCE, article, summary_rows


def _results() -> dict:
    """The parts of a study's results that the summary reads, with round numbers."""
    limits = {
        "share": 0.833,
        "label": "depends on crossing",
        "threshold": "'partly' only with crossing",
        "basis": "6 cases",
    }
    heads = [
        {
            "architecture": "japan-2017-baseline",
            "metric": "expected_leakers",
            "monte_carlo": {"value": 107.4, "ci95": [107.3, 107.6], "trials": 10000},
            "space": {"p5": 58.1, "p50": 92.9, "p95": 141.4},
        },
        {
            "architecture": "japan-2017-thaad",
            "metric": "expected_leakers",
            "monte_carlo": {"value": 70.9, "ci95": [70.7, 71.0], "trials": 10000},
            "space": {"p5": 11.1, "p50": 34.7, "p95": 95.0},
        },
        {
            "architecture": "japan-2017-aegis-ashore",
            "metric": "defended_population_fraction",
            "monte_carlo": None,
            "space": {"p5": 0.9995, "p50": 0.9999, "p95": 1.0},
        },
    ]
    money = {"price_year": 2017, "years": 30, "total": {"jpy": 1_926_072_604_955}}
    money["total_range"] = {"low": money["total"], "high": money["total"]}
    return {
        "claims": [
            {"id": "aegis_ashore", "quote": "Two sites cover Japan.", "verdict": "partly", "robustness": limits},
            {"id": "hit_probability", "quote": "No 100 %.", "verdict": "holds", "robustness": None},
            {"id": "saturation", "quote": "200 at once.", "verdict": "holds", "robustness": None},
            {
                "id": "aegis_ashore_cost",
                "quote": "¥80 billion each.",
                "verdict": "does not hold",
                "price_jpy": 134_100_000_000,
                "claimed_price_jpy": 80_000_000_000,
                "robustness": limits,
            },
            {"id": "public", "quote": "Under 20 %.", "verdict": "not tested", "figure": "not modelled; see costs"},
        ],
        "coverage": {
            "subsets": {
                "aegis_ashore_two_sites_only": {"land_fraction": 0.9923, "population_fraction": 0.9881},
                "aegis_ashore_two_sites_regions": {
                    "Kanto": {"land_fraction": 0.9971, "population_fraction": 0.9999},
                    "Nansei islands": {"land_fraction": 0.4414, "population_fraction": 0.0673},
                },
            }
        },
        "raids": {
            "runs": {
                "japan-2017-baseline": {
                    "50": {"p_zero_leakers": 0.0, "p_zero_leakers_ci95": [0.0, 3.7e-4], "trials": 10000}
                },
                "japan-2017-thaad": {
                    "50": {"p_zero_leakers": 0.0029, "p_zero_leakers_ci95": [0.0019, 0.0042], "trials": 10000}
                },
            }
        },
        "robustness": {"headlines": heads, "raid": 200},
        "costs": {"costs": {"aegis-ashore": money}, "incremental_cost_jpy": {"aegis-ashore": 767_544_468_132}},
    }


def test_one_row_per_claim_in_order_with_its_verdict():
    rows = summary_rows(_results())
    assert [(r["id"], r["verdict"]) for r in rows] == [
        ("aegis_ashore", "partly"),
        ("hit_probability", "holds"),
        ("saturation", "holds"),
        ("aegis_ashore_cost", "does not hold"),
        ("public", "not tested"),
    ]
    assert rows[0]["robustness"] == "depends on crossing"
    assert rows[0]["robustness_basis"] == "'partly' only with crossing; 6 cases"


def test_figures_intervals_and_ranges_by_hand():
    rows = {r["id"]: r for r in summary_rows(_results())}
    # the weakest region is the one with the smallest share of its people: Nansei, 6.73 % -> 6.7 %
    assert rows["aegis_ashore"]["figure"] == (
        "two sites alone: 98.8 % of the people, 99.2 % of the land; Nansei islands 6.7 % of its people"
    )
    assert rows["aegis_ashore"]["monte_carlo"] == "no sampling"
    # 99.95 % and 100 % of the people: the lower end is not rounded up to 100 %
    assert rows["aegis_ashore"]["assumptions"].startswith("people defended > 99.9 % to 100.0 % ")
    # the best architecture against 50 missiles is THAAD (0.29 % > 0 %), its stored exact interval
    assert rows["hit_probability"]["figure"] == "P(all 50 missiles stopped), best architecture (thaad): 0.3 %"
    assert rows["hit_probability"]["monte_carlo"] == "0.3 % (95 % CI 0.2 % to 0.4 %), 10,000 trials"
    # the lowest and highest expected leakers with their Monte Carlo intervals; 5th-95th over both architectures
    assert rows["saturation"]["figure"] == "expected leakers of a 200-missile raid: 71 to 107"
    assert rows["saturation"]["monte_carlo"] == "70.7 to 71.0 (thaad); 107.3 to 107.6 (baseline); 10,000 trials"
    assert rows["saturation"]["assumptions"] == "leakers 11 to 141 (5th-95th percentile over the three architectures)"
    # ¥134.1 bn -> ¥134 bn; ¥80 bn -> ¥80.0 bn; ¥767.5 bn -> ¥768 bn
    assert rows["aegis_ashore_cost"]["figure"] == (
        "¥134 bn each (the claim: ¥80.0 bn); two sites over 30 years add ¥768 bn (2017 prices)"
    )
    assert rows["aegis_ashore_cost"]["assumptions"] == "no published price range"
    assert rows["public"]["figure"] == "not modelled"


def test_the_article_is_named_from_the_catalog():
    a = article(builtin_catalog())
    assert a["source"] == ARTICLE_SOURCE == "asahi-2017-06-23-bmd"
    assert a["outlet"] == "The Asahi Shimbun"
    assert a["date_text"] == "23 June 2017"
    assert "Aegis Ashore" in a["about"] and "THAAD" in a["about"]


@pytest.mark.parametrize(
    ("share", "trials", "shown"),
    [
        # 0 of 2,000: upper end 1 - 0.025 ** (1 / 2000) = 0.1843 % (Clopper-Pearson at zero successes)
        (0.0, 2000, "0.00 % (95 % CI 0.00 % to 0.18 %)"),
        # all of 2,000: lower end 0.025 ** (1 / 2000) = 99.8157 %, upper end exactly 100 %
        (1.0, 2000, "100.00 % (95 % CI 99.82 % to 100.00 %)"),
        # 1,999 of 2,000 = 99.95 %; lower end p solves P(X >= 1999) = p^2000 + 2000 p^1999 (1 - p) = 0.025,
        # p = 99.7217 % (bisection); upper end 0.975 ** (1 / 2000) = 99.99873 %, not rounded up to 100 %
        (0.9995, 2000, "99.95 % (95 % CI 99.72 % to > 99.99 %)"),
    ],
)
def test_sampled_share_has_its_exact_interval(share, trials, shown):
    assert sampled_share(share, trials, 2) == shown


def test_a_sampled_share_just_below_one_is_never_shown_as_100():
    assert sampled_share(0.9995, 2000, 1) == "> 99.9 % (95 % CI 99.7 % to > 99.9 %)"


def test_the_template_formats_no_share_or_money_by_hand():
    """Shares go through ``percent`` / ``share_ci`` / ``sampled_share`` and yen through ``money``: no share
    multiplied by 100 and formatted (signed differences in points, "%+.1f", are not shares), no P(zero leakers)
    as a bare decimal, no yen divided into billions."""
    from importlib.resources import files  # lazy: only this test reads the template's source

    source = (files("bmdlab.study") / "templates" / "report.html.j2").read_text(encoding="utf-8")
    unsigned = ('"%.0f"|format(100 *', '"%.1f"|format(100 *', '"%.2f"|format(100 *')
    for pattern in (*unsigned, "* 100)", '"%.3f"|format', "jpy / 1e9", "/ 1e9)", "usd / 1e6", "{:.1%}", "{:.0%}"):
        assert pattern not in source, pattern
