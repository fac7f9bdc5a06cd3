"""The paired Pareto frontier (bmdlab.cost.tradeoff.pareto_front_paired): differences inside their
95 % interval are ties, so the frontier changes only when a difference is resolved.

Expected frontiers are worked out by hand from the dominance rule, on samples built so that the
per-trial differences are known exactly."""

import numpy as np
import pytest

from bmdlab.cost.tradeoff import pareto_front, pareto_front_paired


def test_an_unresolved_edge_does_not_keep_a_dearer_option():
    rng = np.random.default_rng(0)
    base = rng.random(4000)
    cheap = base
    dear = base + rng.normal(0.0, 0.01, base.size) + 0.0001  # better on average by far less than its interval
    # point estimates: the dearer option is better, so both are on the point frontier
    assert pareto_front([1.0, 2.0], [cheap.mean(), dear.mean()]).tolist() == [True, True]
    # paired: the difference is not resolved, so the cheaper option dominates
    assert pareto_front_paired([1.0, 2.0], np.stack([cheap, dear])).tolist() == [True, False]


def test_a_resolved_improvement_stays_on_the_frontier():
    rng = np.random.default_rng(1)
    base = rng.random(4000)
    dear = base + 0.01 + rng.normal(0.0, 0.01, base.size)  # mean +0.01, standard error 0.00016
    assert pareto_front_paired([1.0, 2.0], np.stack([base, dear])).tolist() == [True, True]


def test_equal_cost_needs_a_resolved_difference_and_ties_are_kept():
    x = np.random.default_rng(2).random(500)
    assert pareto_front_paired([1.0, 1.0], np.stack([x, x])).tolist() == [True, True]
    assert pareto_front_paired([1.0, 1.0], np.stack([x, x + 0.5])).tolist() == [False, True]


def test_common_random_numbers_resolve_what_independent_runs_cannot():
    # the same 0.002 improvement: resolved with paired samples, not with independent ones
    rng = np.random.default_rng(3)
    a = rng.random(4000)
    paired_b = a + 0.002
    indep_b = rng.random(4000) + 0.002
    assert pareto_front_paired([1.0, 2.0], np.stack([a, paired_b])).tolist() == [True, True]
    assert pareto_front_paired([1.0, 2.0], np.stack([a, indep_b])).tolist() == [True, False]


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="samples"):
        pareto_front_paired([1.0, 2.0], np.zeros((3, 10)))
