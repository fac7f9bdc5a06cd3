"""Budget optimiser: never over budget, and equal to enumeration over a small candidate set."""

import itertools

import numpy as np
import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.cost.budget import budget_problem, default_candidates, solve_budget
from bmdlab.errors import BmdlabError

pytestmark = pytest.mark.slow  # the budget problem takes ~3 s to build and each enumeration ~3 s (about 15 s in all)


@pytest.fixture(scope="module")
def small():
    cat = builtin_catalog()
    base, cands = default_candidates(cat)
    # four candidates: two Aegis Ashore sites, two THAAD sites; a 40-missile raid keeps it small
    pick = [c for c in cands if c.key.startswith("aegis-ashore")] + [c for c in cands if c.key.startswith("thaad")][:2]
    return budget_problem(base, pick, cat, missiles=40, max_loads=0)


@pytest.mark.parametrize("budget", [0.0, 3.0e11, 7.0e11, 2.0e12])
def test_matches_enumeration_and_never_exceeds_budget(small, budget):
    sol = solve_budget(small, budget)
    assert sol.cost_jpy <= budget + 1e-6
    best = -np.inf
    n = len(small.units)
    for x in itertools.product((0, 1), repeat=n):
        cost = sum(c.cost_jpy for c, b in zip(small.units, x) if b)
        if cost > budget:
            continue
        best = max(best, solve_budget(small, budget, fix=dict(enumerate(x))).model_surviving_value_fraction)
    assert sol.model_surviving_value_fraction == pytest.approx(best, abs=1e-7)


def test_more_budget_never_less_value(small):
    vals = [solve_budget(small, b).model_surviving_value_fraction for b in (0.0, 4e11, 8e11, 1.6e12)]
    assert all(b >= a - 1e-9 for a, b in zip(vals, vals[1:]))


def test_negative_budget_is_one_line(small):
    with pytest.raises(BmdlabError, match="budget_jpy: -1 must be a number >= 0"):
        solve_budget(small, -1.0)
