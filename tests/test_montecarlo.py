"""Monte Carlo intervals (bmdlab.montecarlo): the exact interval of a proportion against closed forms and a
published table, and the paired verdict's exact-zero case (issue #26: numbers that never mislead)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.engagement.paired import compare_verdict, paired_difference
from bmdlab.engagement.tally import RaidTally
from bmdlab.montecarlo import proportion_ci95


def test_none_in_n_has_the_closed_form_upper_end():
    # k = 0: the upper end solves (1 - p)^n = 0.025, so p = 1 - 0.025^(1/n) (Clopper and Pearson 1934);
    # for n = 2,000 that is 0.001843 (0.18 %), the figure issue #26 quotes.
    for n in (10, 2000, 10_000):
        lo, hi = proportion_ci95(0, n)
        assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-9)
    assert proportion_ci95(0, 2000)[1] == pytest.approx(0.001843, abs=1e-6)
    lo, hi = proportion_ci95(2000, 2000)  # all in n: the mirror image
    assert hi == 1.0 and lo == pytest.approx(0.025 ** (1 / 2000), rel=1e-9)


def test_five_in_ten_as_tabulated():
    # The exact 95 % interval for 5 of 10, 0.187 to 0.813 (e.g. Agresti and Coull, Am. Stat. 52 (1998), the
    # Clopper-Pearson interval tabulated in most texts); 3 decimals.
    lo, hi = proportion_ci95(5, 10)
    assert (round(lo, 3), round(hi, 3)) == (0.187, 0.813)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5000), frac=st.floats(0, 1))
def test_the_interval_holds_the_estimate_and_stays_in_zero_one(n, frac):
    k = int(round(frac * n))
    lo, hi = proportion_ci95(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert hi - lo > 0  # never a point, even at 0 or n


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="successes"):
        proportion_ci95(3, 2)


def test_the_raid_tally_uses_the_exact_interval():
    counts = np.zeros(6, dtype=np.int64)
    counts[3] = 2000  # 0 of 2,000 trials with zero leakers
    tally = RaidTally(
        2000, 0, "salvo", counts, np.zeros(1), 0.5, np.zeros(1), np.ones(1, np.int64), np.zeros(1), np.ones(1)
    )
    assert tally.p_zero_leakers == 0.0
    assert tally.p_zero_leakers_ci95[1] == pytest.approx(0.001843, abs=1e-6)


def test_an_exact_zero_difference_is_identical_not_unresolved():
    same = np.array([3, 4, 5, 3], float)
    d = paired_difference(same, same)
    text = compare_verdict("A", "B", d["difference"], tuple(d["ci95"]), 200, 4)
    assert "identical" in text and "resolved" not in text
    # a zero mean with spread is still unresolved
    d = paired_difference(np.array([3, 4, 5, 3], float), np.array([4, 3, 5, 3], float))
    assert "is resolved" in compare_verdict("A", "B", d["difference"], tuple(d["ci95"]), 200, 4)
