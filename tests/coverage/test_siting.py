"""Siting MILP (bmdlab.coverage.siting) against brute force and the greedy bound."""

import itertools

import numpy as np
import pytest

from bmdlab.coverage.siting import greedy_coverage, max_coverage, min_count
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
def test_smallest_count_equals_brute_force(seed, monkeypatch):
    """The covering MILP, and the greedy-bounded downward search, find the smallest count that brute force
    finds."""
    from bmdlab.coverage import siting_study
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
    assert min_count(cover, w, needed, 9) == k_best  # the covering MILP alone
    # the greedy-bounded downward search (used when the covering MILP proves nothing) finds it too
    monkeypatch.setattr(siting_study, "min_count", lambda *a, **k: None)
    fallback = smallest_count(cover, w, needed, 9)
    assert len(fallback.chosen) == k_best and fallback.covered_weight >= needed


def test_min_count_says_none_when_no_count_reaches_the_target():
    rng = np.random.default_rng(7)
    cover = rng.random((40, 5)) < 0.2
    w = rng.random(40)
    every = w[cover.any(axis=1)].sum()
    assert min_count(cover, w, 1.01 * every, 5) is None  # more than all sites together defend
    one = max(w[cover[:, j]].sum() for j in range(5))
    k_all = min_count(cover, w, every, 5)
    assert k_all is not None and k_all >= 2 and min_count(cover, w, every, k_all - 1) is None  # above max_count
    assert min_count(cover, w, one, 5) == 1  # the best single site, exactly


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


def test_candidates_flown_with_architectures_equal_their_own_pass():
    # shared_coverages flies each threat once for the architectures and the siting candidates (under two
    # engagement models); each answer must be the one its own computation gives, cell for cell.
    from bmdlab.assembly.overrides import Overrides
    from bmdlab.assembly.setup import assemble
    from bmdlab.catalog import builtin_catalog
    from bmdlab.coverage.national import national_coverage
    from bmdlab.coverage.siting_study import SitingQuery, candidate_coverage, optimise_sites, shared_coverages
    from bmdlab.scenario import load_scenario

    cat = builtin_catalog()
    sc = load_scenario("japan-2017-nodong-scud-er", cat)
    setups = [assemble(sc, cat), assemble(sc, cat, Overrides(limits=frozenset()))]
    q = SitingQuery("thaad-battery", count=2, resolution_km=60.0, candidate_spacing_km=180.0)
    covs, cands = shared_coverages(setups, [(s, q) for s in setups], 60.0, workers=1)
    for s, cov, cand in zip(setups, covs, cands):
        alone = national_coverage(s, 60.0, workers=1)
        own = candidate_coverage(s, q.system, 60.0, q.candidate_spacing_km)
        assert np.array_equal(cov.shots, alone.shots) and np.array_equal(cov.reach, alone.reach)
        assert np.array_equal(cand.shots, own.shots) and np.array_equal(cand.reach, own.reach)
        assert optimise_sites(s, q, candidates=cand).sites == optimise_sites(s, q).sites
    assert not np.array_equal(cands[0].shots, cands[1].shots)  # the two models differ: a real test of sharing
    # presence only (the study's sitings): shots 0 or 1 where the counts are positive, the same sites and fractions
    _, seen = shared_coverages([], [(setups[0], q)], 60.0, workers=1, counts=False)
    assert np.array_equal(seen[0].shots, np.minimum(cands[0].shots, 1)) and cands[0].shots.max() > 1
    full, fast = optimise_sites(setups[0], q).to_dict(), optimise_sites(setups[0], q, counts=False).to_dict()
    assert {k: v for k, v in full.items() if k != "seconds"} == {k: v for k, v in fast.items() if k != "seconds"}
    # a coverage that is not this query's candidates is refused, not used
    with pytest.raises(ValueError, match="candidates: not the candidate coverage"):
        optimise_sites(setups[0], q, candidates=covs[0])
    with pytest.raises(ValueError, match="resolution_km"):
        shared_coverages(setups, [(setups[0], SitingQuery("thaad-battery", count=1, resolution_km=40.0))], 60.0)
