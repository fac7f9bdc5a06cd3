"""Monte Carlo raids (bmdlab.engagement.raid) against the closed forms and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bmdlab.assembly.setup import Asset, default_sspk, scale_counts
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.analytic import RaidConditions, raid_odds
from bmdlab.engagement.raid import RaidMissile, RaidOptions, RaidPlan, UnitArrays, simulate_raid

CAT = builtin_catalog()


def _plan(n=50, opportunities=2, inventory=10_000, n_def=1):
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0, inventory=inventory)
    threats = tuple(RaidMissile("nodong", "wonsan", i % 5, 0.0) for i in range(n))
    assets = tuple(Asset(f"a{i}", 35.0, 135.0 + i, 1.0 + i) for i in range(5))
    return RaidPlan(threats, assets, (d,) * n_def, np.full((n_def, n), opportunities), np.zeros((n_def, n)))


def _units(sspk, reliability=1.0):
    """One unit's kill parameters; always on station, no channel or C2 limit: these tests check the shot
    model against closed forms without availability."""
    return UnitArrays.uniform(1, sspk=sspk, reliability=reliability, availability=1.0)


def _within(mc_mean, mc_sd, trials, exact, k=4.0):
    return abs(mc_mean - exact) <= k * mc_sd / np.sqrt(trials) + 1e-12


@pytest.mark.parametrize("doctrine,opps", [("shoot-look-shoot", 2), ("salvo-2", 1), ("shoot-look-shoot", 1)])
def test_monte_carlo_matches_wilkening(doctrine, opps):
    # Each missile gets `opps` opportunities (2 shots either way for the first two cases).
    plan, trials, p = _plan(opportunities=opps), 20_000, 0.7
    res = simulate_raid(plan, _units(p), RaidOptions(trials=trials, seed=7, doctrine=doctrine))
    shots = 2 if (opps == 2 or doctrine == "salvo-2") else 1
    exact = raid_odds(50, p, shots, doctrine="salvo" if doctrine == "salvo-2" else "shoot-look-shoot")
    assert _within(res.expected_leakers, res.leakers_std, trials, exact.expected_leakers)
    p0 = res.p_zero_leakers
    assert (
        abs(p0 - exact.p_zero_leakers) <= 4 * np.sqrt(exact.p_zero_leakers * (1 - exact.p_zero_leakers) / trials) + 1e-3
    )
    assert _within(res.expended_total_mean, res.expended_total_std, trials, exact.expected_interceptors)


def test_missile_reliability_and_decoys():
    plan, trials = _plan(opportunities=2), 20_000
    conditions = RaidConditions(missile_reliability=0.8, decoys=2, discrimination=0.5)
    res = simulate_raid(plan, _units(0.6, reliability=0.9), RaidOptions(trials=trials, seed=1, conditions=conditions))
    exact = raid_odds(50, 0.6, 2, reliability=0.9, doctrine="shoot-look-shoot", conditions=conditions)
    assert _within(res.expected_leakers, res.leakers_std, trials, exact.expected_leakers)
    # interceptors: one convention with the closed form - a missile that fails draws no fire, nor do its
    # decoys; an arriving one brings on average one undiscriminated decoy (2 x 0.5); each object is engaged
    # shoot-look-shoot (1 + q shots, q = 1 - 0.9 x 0.6 = 0.46). By hand: 50 x 0.8 x 2 x 1.46 = 116.8.
    q = 1 - 0.54
    expected = 50 * 0.8 * (1 + 2 * 0.5) * (1 + q)
    assert expected == pytest.approx(116.8)
    assert exact.expected_interceptors == pytest.approx(expected)  # the closed form, same convention
    assert _within(res.expended_total_mean, res.expended_total_std, trials, expected)


def test_same_seed_same_result_and_seed_recorded():
    plan = _plan()
    a = simulate_raid(plan, _units(0.5), RaidOptions(trials=500, seed=42))
    b = simulate_raid(plan, _units(0.5), RaidOptions(trials=500, seed=42))
    c = simulate_raid(plan, _units(0.5), RaidOptions(trials=500, seed=43))
    assert np.array_equal(a.leaker_counts, b.leaker_counts)
    assert not np.array_equal(a.leaker_counts, c.leaker_counts)
    assert a.seed == 42 and c.seed == 43


@pytest.mark.parametrize("inv", [(10, 30), (30, 60), (0, 5)])
def test_more_interceptors_never_more_leakers(inv):
    trials = 20_000
    lo, hi = (simulate_raid(_plan(inventory=i), _units(0.6), RaidOptions(trials=trials, seed=3)) for i in inv)
    assert lo.expected_leakers >= hi.expected_leakers - 3 * lo.leakers_std / np.sqrt(trials)
    assert lo.expended_total_range[1] <= inv[0]  # magazines are never overdrawn


def test_higher_kill_probability_never_more_leakers():
    trials = 20_000
    r = [
        simulate_raid(_plan(), _units(p), RaidOptions(trials=trials, seed=5)).expected_leakers for p in (0.3, 0.5, 0.8)
    ]
    assert r[0] > r[1] > r[2]


def test_default_sspk_laplace_rule():
    # THAAD's 15 of 15 tests give (15 + 1) / (15 + 2) = 0.941, not certainty.
    assert default_sspk(CAT.interceptors["thaad"]) == pytest.approx(16 / 17)


@pytest.mark.parametrize(
    "counts,total,expected",
    [
        # Largest remainders (Hamilton), worked by hand; ties go to the salvo listed first.
        # 50/200 of (30 x5, 25 x2): shares 7.5 x5, 6.25 x2 -> floors 7 x5 + 6 x2 = 47; the three
        # largest remainders (0.5, the first three salvos) get one more each.
        ([30, 30, 30, 30, 30, 25, 25], 50, [8, 8, 8, 7, 7, 6, 6]),
        # 7 x (3, 1)/4 = (5.25, 1.75) -> floors (5, 1) = 6; the larger remainder (0.75, the second) gets the 7th.
        ([3, 1], 7, [5, 2]),
        # 10 x (1, 1, 1)/3 = 3.33 each -> floors 9; the remainders tie, the first salvo gets the 10th.
        ([1, 1, 1], 10, [4, 3, 3]),
        # 100 x (50, 100, 50)/200 = (25, 50, 25): exact, nothing to round.
        ([50, 100, 50], 100, [25, 50, 25]),
        # 5 x (0, 7, 3)/10 = (0, 3.5, 1.5) -> floors (0, 3, 1) = 4; tie 0.5/0.5, the first non-zero salvo gets it.
        ([0, 7, 3], 5, [0, 4, 1]),
        # 6 x (1, 2, 97)/100 = (0.06, 0.12, 5.82) -> floors (0, 0, 5); the largest remainder 0.82 gets the 6th.
        ([1, 2, 97], 6, [0, 0, 6]),
        # 2 x (1, 1, 1, 1, 1)/5 = 0.4 each -> floors 0; the first two salvos get one each.
        ([1, 1, 1, 1, 1], 2, [1, 1, 0, 0, 0]),
        ([30, 25], 0, [0, 0]),
    ],
)
def test_scale_counts_is_the_largest_remainder_apportionment(counts, total, expected):
    assert sum(expected) == total  # the hand computation itself sums to the total
    assert scale_counts(counts, total) == expected


def _hamilton_by_hand(counts, total):
    """Largest remainders in exact rational arithmetic (independent of bmdlab's floating-point code):
    each salvo's floor, then the salvos with the largest remainders get one more each (ties: listed first)."""
    from fractions import Fraction

    base = sum(counts)
    shares = [Fraction(c * total, base) for c in counts]
    out = [int(q) for q in shares]  # floor: shares are >= 0
    order = sorted(range(len(counts)), key=lambda i: (-(shares[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out, shares


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=1, max_size=12).filter(lambda c: sum(c) > 0), st.integers(0, 5000))
def test_scale_counts_properties(counts, total):
    # Properties of any largest-remainder apportionment (Balinski & Young, "Fair Representation", 2001):
    # it sums exactly to the total, each count is the floor or the ceiling of the exact share (so within 1
    # of it), a salvo of zero stays zero, and no salvo rounded down has a larger remainder than one rounded up.
    got = scale_counts(counts, total)
    want, shares = _hamilton_by_hand(counts, total)
    assert sum(got) == total and len(got) == len(counts)
    for g, q, c in zip(got, shares, counts):
        assert int(q) <= g <= int(q) + 1 and abs(g - q) < 1
        if c == 0:
            assert g == 0
    up = [q - int(q) for g, q in zip(got, shares) if g > int(q)]
    down = [q - int(q) for g, q in zip(got, shares) if g == int(q) and q != int(q)]
    assert not up or not down or min(up) >= max(down)
    # and the same counts as the exact computation wherever a remainder is not tied with another
    # (between equal remainders the float rounding of bmdlab's shares may pick either)
    rems = [q - int(q) for q in shares]
    for i, r in enumerate(rems):
        if rems.count(r) == 1:
            assert got[i] == want[i], (i, got, want)


def test_scale_counts_refuses_a_negative_total_and_an_empty_raid():
    from bmdlab.errors import BmdlabError

    with pytest.raises(BmdlabError, match="must be >= 0"):
        scale_counts([3, 1], -1)
    with pytest.raises(BmdlabError, match="no missiles to scale"):
        scale_counts([0, 0], 5)


def test_raid_cli_json_and_bad_input(tmp_path):
    res = CliRunner().invoke(
        app, ["raid", "japan-2017-aegis-ashore", "--missiles", "50", "--trials", "2000", "--seed", "1", "--json"]
    )
    assert res.exit_code == 0, res.output
    import json

    out = json.loads(res.stdout)
    for k in (
        "expected_leakers",
        "leakers_p05",
        "leakers_p95",
        "p_zero_leakers",
        "expected_surviving_value_fraction",
        "interceptors_expended",
        "interceptor_cost_expended",
        "trials",
        "seed",
    ):
        assert k in out
    assert out["missiles"] == 50 and out["trials"] == 2000 and out["seed"] == 1
    bad = tmp_path / "r.yaml"
    base = CAT and open(__import__("bmdlab").__path__[0] + "/scenarios/japan-2017-nodong-scud-er.yaml").read()
    for old, new, msg in [
        (
            "count: 30, missile: nodong, launch_area: sunan",
            "count: -3, missile: nodong, launch_area: sunan",
            "raid.salvos.0.count: -3 must be a whole number from 0",
        ),
        (
            "count: 30, missile: nodong, launch_area: sunan",
            "count: 30, missile: nodongx, launch_area: sunan",
            "did you mean 'nodong'",
        ),
        (
            "doctrine: shoot-look-shoot",
            "doctrine: shoot-look-shoot\n  sspk: {thaad: 1.4}",
            "engagement.sspk.thaad: 1.4 must be a number from 0 to 1",
        ),
    ]:
        bad.write_text(base.replace(old, new, 1))
        r = CliRunner().invoke(app, ["raid", str(bad), "--trials", "10"])
        assert r.exit_code == 2 and msg in r.stderr and "Traceback" not in r.output, (msg, r.output)
    assert "count: 30, missile: nodong, launch_area: sunan" in base  # the replacements above applied
    r = CliRunner().invoke(app, ["raid", "japan-2017-baseline", "--trials", "0"])
    assert r.exit_code == 2 and "--trials" in r.stderr


def test_fire_rate_limit_costs_shots_when_windows_are_short():
    # Every threat can only be engaged with launches between t = 0 and 1 s; a unit needing 10 s
    # between launches fires once in the whole raid (without the limit it fires at each threat).
    import dataclasses

    base = _plan(n=20, opportunities=1)
    slow = dataclasses.replace(base.defenders[0], launch_interval=10.0)
    plan = RaidPlan(
        base.threats, base.assets, (slow,), base.opportunities, base.first_time, np.zeros((1, 20)), np.ones((1, 20))
    )
    limited = simulate_raid(plan, _units(0.0), RaidOptions(trials=200, seed=0))
    free = simulate_raid(plan, _units(0.0), RaidOptions(trials=200, seed=0, fire_rate_limits=False))
    assert limited.expended_total_range == (1, 1)
    assert free.expended_total_range == (20, 20)


def test_tallies_match_per_trial_statistics():
    # The result keeps histograms, not per-trial arrays: their mean, standard deviation and
    # percentiles must equal numpy's on the data the histogram came from (an independent computation).
    from bmdlab.engagement.tally import histogram_moments, histogram_quantile

    rng = np.random.default_rng(11)
    x = rng.binomial(40, 0.3, size=12_345)
    counts = np.bincount(x)
    mean, sd = histogram_moments(counts)
    assert mean == pytest.approx(x.mean(), rel=1e-12) and sd == pytest.approx(x.std(ddof=1), rel=1e-12)
    for q in (0, 5, 37.5, 50, 95, 100):
        assert histogram_quantile(counts, q) == pytest.approx(np.percentile(x, q), abs=1e-9)


def test_result_depends_on_seed_and_trials_only_and_blocks_are_used():
    # More trials than one block: blocks draw from independent spawned streams; the progress callback
    # sees every block, and the leakers histogram sums to the trial count.
    from bmdlab.engagement.streams import TRIAL_BLOCK

    plan = _plan(n=10, opportunities=1)
    seen = []
    trials = 2 * TRIAL_BLOCK + 5
    kw = dict(trials=trials, seed=9)
    a = simulate_raid(plan, _units(0.5), RaidOptions(progress=lambda done, total: seen.append((done, total)), **kw))
    b = simulate_raid(plan, _units(0.5), RaidOptions(memory_budget=2**26, **kw))
    assert seen == [(TRIAL_BLOCK, trials), (2 * TRIAL_BLOCK, trials), (trials, trials)]
    assert np.array_equal(a.leaker_counts, b.leaker_counts) and a.leaker_counts.sum() == trials
    # binomial(10, 0.5) leakers: mean 5, within 4 standard errors
    assert abs(a.expected_leakers - 5.0) <= 4 * np.sqrt(2.5 / trials)


def test_raid_over_the_memory_budget_is_refused_with_the_figure():
    from bmdlab.engagement.raid import raid_memory_bytes
    from bmdlab.errors import BmdlabError

    plan = _plan(n=50)
    need = raid_memory_bytes(50, 5, 1, 1000)
    with pytest.raises(BmdlabError, match=r"needs about .* MiB, above the memory budget of .* MiB"):
        simulate_raid(plan, _units(0.5), RaidOptions(trials=1000, seed=0, memory_budget=need - 1))


def test_raid_cli_memory_budget_and_progress_lines():
    runner = CliRunner()
    r = runner.invoke(app, ["raid", "japan-2017-thaad", "--missiles", "5000", "--memory-budget-gib", "0.01"])
    assert r.exit_code == 2 and r.stderr.startswith("error: a raid of 5,000 missiles against 24 units needs about")
    assert "above the memory budget of 10.2 MiB" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = runner.invoke(app, ["raid", "japan-2017-thaad", "--memory-budget-gib", "-1"])
    assert r.exit_code == 2 and "--memory-budget-gib" in r.stderr
    # more trials than one block: progress as timestamped lines when stderr is not a terminal
    r = runner.invoke(app, ["raid", "japan-2017-thaad", "--missiles", "10", "--trials", "9000", "--json"])
    assert r.exit_code == 0, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].endswith("trials: started (0/9000)") and "done 9000/9000" in lines[1]
    import json
    import re

    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", lines[0]) and json.loads(r.stdout)["trials"] == 9000
