"""Siting MILP (bmdlab.coverage.siting) against brute force and the greedy bound."""

import itertools

import numpy as np
import pytest

from bmdlab.coverage.siting import greedy_coverage, max_coverage
from bmdlab.errors import BmdlabError


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_milp_equals_brute_force(seed, k):
    rng = np.random.default_rng(seed)
    cover = rng.random((200, 10)) < 0.2
    w = rng.random(200) * 1000
    res = max_coverage(cover, w, k)
    best = max(w[cover[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(10), k))
    assert res.covered_weight == pytest.approx(best, rel=1e-9)
    assert res.gap <= 1e-4 and len(res.chosen) == k
    # the greedy heuristic never beats the optimum and reaches at least 1 - 1/e of it
    g = greedy_coverage(cover, w, k)
    gw = w[cover[:, g].any(axis=1)].sum()
    assert (1 - 1 / np.e) * best - 1e-9 <= gw <= best + 1e-9


def test_bad_counts():
    cover = np.ones((5, 3), bool)
    with pytest.raises(BmdlabError, match="at least 1"):
        max_coverage(cover, np.ones(5), 0)
    with pytest.raises(BmdlabError, match="more than the 3 candidate"):
        max_coverage(cover, np.ones(5), 4)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_smallest_count_equals_brute_force(seed):
    """The greedy-bounded downward search finds the smallest count that brute force finds."""
    from bmdlab.coverage.siting_study import smallest_count

    rng = np.random.default_rng(seed)
    cover = rng.random((150, 9)) < 0.25
    w = rng.random(150) * 100
    needed = 0.9 * w[cover.any(axis=1)].sum()
    k_best = next(
        k
        for k in range(1, 10)
        if max(w[cover[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(9), k)) >= needed
    )
    res = smallest_count(cover, w, needed, 9)
    assert len(res.chosen) == k_best and res.covered_weight >= needed


def test_identical_cells_merge_without_changing_the_optimum():
    rng = np.random.default_rng(5)
    cover = rng.random((60, 8)) < 0.3
    w = rng.random(60)
    doubled = max_coverage(np.vstack([cover, cover]), np.concatenate([w, w]), 3)
    single = max_coverage(cover, w, 3)
    assert doubled.covered_weight == pytest.approx(2 * single.covered_weight, rel=1e-9)


def test_site_area_all_or_threatened():
    # The debate's Nodong/Scud-ER threat leaves eastern Hokkaido and most of the Nansei islands out of
    # reach: the same two sites defend the same people, a larger share of the threatened part than of Japan.
    import json

    from typer.testing import CliRunner

    from bmdlab.cli import app

    args = [
        "site",
        "thaad-battery",
        "--count",
        "2",
        "--resolution-km",
        "40",
        "--candidate-spacing-km",
        "120",
        "--threat",
        "japan-2017-nodong-scud-er",
        "--json",
    ]
    res = {a: json.loads(CliRunner().invoke(app, args + ["--area", a]).stdout) for a in ("all", "threatened")}
    assert res["all"]["fractions_of"] == "all of Japan" and res["all"]["threatened_population_fraction"] < 1.0
    assert res["all"]["sites"] == res["threatened"]["sites"]
    assert res["all"]["population_fraction"] == pytest.approx(
        res["threatened"]["population_fraction"] * res["all"]["threatened_population_fraction"], abs=2e-4
    )
    bad = CliRunner().invoke(app, ["site", "thaad-battery", "--count", "2", "--area", "some"])
    assert bad.exit_code == 2 and bad.output.startswith("error: --area: unknown area 'some'")
