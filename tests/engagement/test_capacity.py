"""Engagement capacity (fire channels, C2 decision queue), availability and common random numbers
in the raid Monte Carlo (issue #14 items 1, 2 and 5).

Expected values come from arithmetic on the timeline (how many engagements fit in a launch window),
from the binomial mixture of an on-station draw and a shot, or from a coupling argument; never from
the simulation itself.
"""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.setup import Asset
from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.analytic import RaidConditions
from bmdlab.engagement.raid import RaidMissile, RaidOptions, RaidPlan, RaidStart, UnitArrays, simulate_raid
from bmdlab.engagement.streams import unit_keys
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()


def _unit(name="u", inventory=10_000, unit="thaad-battery", interval=0.0):
    d = make_defender(CAT, unit, 36.0, 137.0, inventory=inventory, name=name)
    return replace(d, launch_interval=interval)


def _timed_plan(units, n=10, open_=0.0, close=100.0, flight=50.0, kill_assessment=10.0, opportunities=1):
    """n threats that every unit can launch at from ``open_`` to ``close``; each shot flies ``flight``
    seconds and its look takes ``kill_assessment`` seconds (an engagement cycle of their sum)."""
    k = len(units)
    threats = tuple(RaidMissile("nodong", "wonsan", 0, 0.0) for _ in range(n))
    full = lambda v: np.full((k, n), float(v))  # noqa: E731
    return RaidPlan(
        threats,
        (Asset("a", 35.0, 135.0, 1.0),),
        tuple(units),
        np.full((k, n), opportunities, dtype=np.int64),
        first_time=full(open_ + flight),
        launch_open=full(open_),
        launch_close=full(close),
        kill_assessment=kill_assessment,
        flight_time=full(flight),
    )


def _run(plan, *, sspk=1.0, channels=0, c2=0.0, availability=1.0, start=None, **options):
    """The raid with every unit's kill probability, fire channels, C2 time and availability (reliability 1)."""
    units = UnitArrays.uniform(
        len(plan.defenders), sspk=sspk, availability=availability, fire_channels=channels, c2_time=c2
    )
    return simulate_raid(plan, units, RaidOptions(**{"trials": 64, "seed": 1, **options}), start)


@pytest.mark.parametrize("channels, expected_engaged", [(1, 2), (2, 4), (3, 6), (5, 10)])
def test_fire_channels_bound_the_engagements_in_a_window(channels, expected_engaged):
    # cycle 50 + 10 = 60 s; launches possible on [0, 100]: a channel opens engagements at 0 and 60
    # (120 > 100), so C channels engage 2C threats (of 10); with SSPK 1 every engaged threat dies.
    plan = _timed_plan([_unit()])
    res = _run(plan, channels=channels)
    assert res.expected_leakers == pytest.approx(10 - min(10, expected_engaged), abs=1e-12)
    assert _run(plan, channels=channels, capacity=False).expected_leakers == 0.0  # no limit without capacity


def test_c2_queue_serves_one_decision_at_a_time():
    # decisions of 30 s each, the first ready at 0: launches at 0, 30, 60, 90 (120 > 100): 4 of 10
    plan = _timed_plan([_unit()])
    assert _run(plan, c2=30.0).expected_leakers == pytest.approx(6.0, abs=1e-12)
    # one threat alone is not delayed (the catalog's reaction time covers a single decision)
    assert _run(_timed_plan([_unit()], n=1), c2=500.0).expected_leakers == 0.0


def test_shoot_look_shoot_holds_the_channel_through_the_look():
    # SSPK 0: every threat survives and gets all its shots. One channel, 2 opportunities, cycle 60 s,
    # window [0, 130]: shots at 0 and 60 for the first threat, then the next engagement at 120 (one
    # shot; its second at 180 > 130) - 3 interceptors in all.
    plan = _timed_plan([_unit()], n=3, close=130.0, opportunities=2)
    res = _run(plan, channels=1, sspk=0.0)
    assert res.expended_total_mean == 3.0


def test_availability_mixture_matches_the_closed_form():
    # one unit on station with probability a, one shot of kill probability p at each of n threats:
    # E[leakers] = n (1 - a p); the variance by the law of total variance over on station or not
    a, p, n, trials = 0.6, 0.8, 20, 40_000
    plan = _timed_plan([_unit()], n=n)
    units = UnitArrays.uniform(1, sspk=p, reliability=1.0, availability=a)
    res = simulate_raid(plan, units, RaidOptions(trials=trials, seed=4))
    mean = n * (1 - a * p)
    var = a * n * (1 - p) * p + a * (1 - a) * (n * p) ** 2  # total variance: on station or not
    assert abs(res.expected_leakers - mean) <= 4 * np.sqrt(var / trials)
    assert res.on_station_fraction[0] == pytest.approx(a, abs=4 * np.sqrt(a * (1 - a) / trials))


def test_on_station_mask_overrides_availability():
    plan = _timed_plan([_unit()], n=5)
    on = np.zeros((8, 1), dtype=bool)
    on[::2] = True  # on station in half the trials, exactly
    res = _run(plan, availability=0.5, trials=8, start=RaidStart(on_station=on))
    assert res.expected_leakers == pytest.approx(2.5)  # 5 leak in 4 trials, 0 in the other 4


def test_common_random_numbers_couple_a_raid_with_an_added_unit():
    # A: one unit. B: the same unit (same name, so the same draws) plus a second one that fires after
    # it. In every trial B's leakers are at most A's: a coupling that holds only with common random
    # numbers (Law 2015, sec. 11.2); independent streams would break it in many trials.
    first = _unit("upper")
    second = _unit("second")
    n, trials = 30, 4000
    a = _timed_plan([first], n=n)
    b = _timed_plan([first, second], n=n)
    options = RaidOptions(trials=trials, seed=9, keep_trials=True, conditions=RaidConditions(missile_reliability=0.9))
    ra = simulate_raid(a, UnitArrays.uniform(1, sspk=0.6, reliability=1.0, availability=0.7), options)
    rb = simulate_raid(b, UnitArrays.uniform(2, sspk=0.6, reliability=1.0, availability=0.7), options)
    la, lb = ra.leakers_per_trial, rb.leakers_per_trial
    assert np.all(lb <= la)
    diff = la.astype(float) - lb
    independent_sd = np.sqrt(la.var(ddof=1) + lb.var(ddof=1))
    assert diff.std(ddof=1) < 0.8 * independent_sd  # the pairing narrows the interval


def test_unit_keys_are_unique_and_follow_the_name():
    u = _unit("x")
    keys = unit_keys([u, u, _unit("y")])
    assert len(set(keys.tolist())) == 3
    assert unit_keys([_unit("y")])[0] == keys[2]  # the same unit has the same key in another architecture


@settings(max_examples=15, deadline=None)
@given(channels=st.integers(1, 4), extra=st.integers(1, 3))
def test_more_channels_never_mean_more_leakers(channels, extra):
    plan = _timed_plan([_unit()], n=12, close=200.0)
    lo = _run(plan, channels=channels, sspk=0.7, trials=200).expected_leakers
    hi = _run(plan, channels=channels + extra, sspk=0.7, trials=200).expected_leakers
    assert hi <= lo + 1e-12


@pytest.mark.parametrize(
    "kw, field",
    [
        (dict(availability=np.array([1.5])), "availability"),
        (dict(start=RaidStart(on_station=np.ones((3, 1), dtype=bool))), "on_station"),
        (dict(start=RaidStart(inventory=np.array([-1]))), "inventory"),
        (dict(start=RaidStart(allocation=np.ones((2, 10), dtype=int))), "allocation"),
    ],
)
def test_bad_input_is_one_line(kw, field):
    with pytest.raises(BmdlabError, match=field) as exc:
        _run(_timed_plan([_unit()]), **kw)
    assert "\n" not in str(exc.value)
