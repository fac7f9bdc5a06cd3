"""Preferential defence (bmdlab.engagement.preferential) against brute force, hand results and invariants.

The objective is the asset-based WTA (Hosein & Athans, MIT LIDS-P-2002, 1990): an asset survives
when none of the missiles aimed at it leaks. Every expected value here is computed independently of
the module: by hand, by enumerating every allocation of tiny raids, or by a seeded simulation of
independent shots.
"""

import dataclasses
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.setup import Asset
from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.preferential import expected_surviving_value, preferential_allocation
from bmdlab.engagement.raid import RaidMissile, RaidPlan
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()
UNIT = make_defender(CAT, "thaad-battery", 36.0, 137.0, inventory=4)


def _plan(aims, values, opportunities, inventory):
    """A raid of missiles at ``aims`` (asset index per missile) against units with ``inventory`` rounds."""
    defenders = tuple(dataclasses.replace(UNIT, name=f"u{d}", inventory=int(n)) for d, n in enumerate(inventory))
    threats = tuple(RaidMissile("nodong", "wonsan", int(a), 0.0) for a in aims)
    assets = tuple(Asset(f"a{i}", 35.0, 135.0 + i, float(v)) for i, v in enumerate(values))
    opp = np.asarray(opportunities, dtype=np.int64).reshape(len(inventory), len(aims))
    return RaidPlan(threats, assets, defenders, opp, np.zeros(opp.shape))


def _value(aims, values, pk, x):
    """Expected surviving value fraction, written out loop by loop (independent of the module)."""
    total = 0.0
    for a, v in enumerate(values):
        alive = 1.0
        for j, aim in enumerate(aims):
            if aim == a:
                leak = 1.0
                for d in range(len(pk)):
                    leak *= (1.0 - pk[d]) ** x[d][j]
                alive *= 1.0 - leak
        total += v * alive
    return total / sum(values)


def _brute_force(aims, values, pk, limit, inventory, engagements=None):
    """Best value over every allocation within caps, magazines and channel limits."""
    n_def, n_threat = len(pk), len(aims)
    best = 0.0
    for flat in itertools.product(*(range(int(u) + 1) for u in np.ravel(limit))):
        x = np.reshape(flat, (n_def, n_threat))
        if np.any(x.sum(axis=1) > inventory):
            continue
        if engagements is not None and np.any((x > 0).sum(axis=1) > engagements):
            continue
        best = max(best, _value(aims, values, pk, x))
    return best


def _check_feasible(res, plan, inventory, per_opportunity=1, engagements=None):
    caps = res.caps
    assert caps.shape == plan.opportunities.shape and caps.dtype.kind == "i"
    assert np.all(caps >= 0)
    assert np.all(caps <= plan.opportunities * per_opportunity)
    assert np.all(caps.sum(axis=1) <= inventory)
    assert np.array_equal(res.rounds_allocated, caps.sum(axis=1))
    if engagements is not None:
        assert np.all((caps > 0).sum(axis=1) <= engagements)


def test_expected_surviving_value_by_hand():
    # asset 0 (value 3): missiles 0 and 1; asset 1 (value 1): missile 2. Unit 0 (pk 0.5) fires 2 rounds
    # at missile 0, unit 1 (pk 0.8) one at missile 1 and one at missile 0; missile 2 gets nothing.
    # Leak: m0 = 0.5^2 x 0.2 = 0.05, m1 = 0.2, m2 = 1 -> asset 0 survives 0.95 x 0.8 = 0.76, asset 1 never.
    caps = [[2, 0, 0], [1, 1, 0]]
    expected = 3 * 0.76 / 4
    assert expected_surviving_value(([0, 0, 1], [3.0, 1.0]), [0.5, 0.8], caps) == pytest.approx(expected, abs=1e-15)
    plan = _plan([0, 0, 1], [3, 1], [[2, 0, 0], [1, 1, 0]], [2, 2])
    assert expected_surviving_value(plan, [0.5, 0.8], caps) == pytest.approx(expected, abs=1e-15)
    # an asset no missile is aimed at always survives
    assert expected_surviving_value(([0], [1.0, 4.0]), [0.5], [[0]]) == pytest.approx(0.8)


def test_expected_surviving_value_matches_simulated_shots():
    # independent shots simulated directly: 400,000 raids, 4 standard errors
    rng = np.random.default_rng(5)
    aims, values, pk = [0, 0, 1, 2, 2, 2], [5.0, 2.0, 3.0], np.array([0.6, 0.85])
    caps = np.array([[1, 2, 0, 1, 0, 1], [1, 0, 1, 1, 2, 0]])
    n = 400_000
    leaks = np.ones((n, len(aims)), dtype=bool)
    for d in range(2):
        for j in range(len(aims)):
            for _ in range(caps[d, j]):
                leaks[:, j] &= rng.random(n) >= pk[d]  # this round missed
    survived = np.stack([~leaks[:, [j for j, a in enumerate(aims) if a == k]].any(axis=1) for k in range(3)], axis=1)
    sample = survived @ np.array(values) / sum(values)
    exact = expected_surviving_value((aims, values), pk, caps)
    assert abs(sample.mean() - exact) <= 4 * sample.std() / np.sqrt(n)


def test_preferential_defence_abandons_the_low_value_asset():
    # Assets of value 10 and 1, each attacked by two missiles; one unit, pk 0.8, two opportunities
    # on each missile. By hand, with n rounds:
    #   2 rounds: one at each missile of the value-10 asset -> 0.8^2 x 10 = 6.4 (splitting over both
    #             assets leaves one unengaged missile at each: 0);
    #   4 rounds: two at each missile of the value-10 asset -> 0.96^2 x 10 = 9.216, better than one
    #             per missile everywhere, 0.8^2 x 10 + 0.8^2 x 1 = 7.04.
    # Either way the value-1 asset is left undefended.
    for rounds, expected in ((2, 6.4), (3, 0.8 * 0.96 * 10), (4, 0.96**2 * 10)):
        plan = _plan([0, 0, 1, 1], [10, 1], [[2, 2, 2, 2]], [rounds])
        res = preferential_allocation(plan, [0.8])
        assert res.expected_surviving_value == pytest.approx(expected / 11, abs=1e-12)
        assert res.defended_assets == ("a0",)
        assert res.caps[0, 2:].sum() == 0
        assert res.caps.sum() == rounds


def test_preferential_defence_gives_up_an_asset_it_cannot_save():
    # The value-10 asset faces three missiles, the value-6 asset one; two rounds of pk 0.8. Engaging
    # only two of three missiles saves nothing, so both rounds go to the single missile at the
    # value-6 asset: 6 x (1 - 0.2^2) = 5.76 of 16 (one round there: 4.8).
    plan = _plan([0, 0, 0, 1], [10, 6], [[2, 2, 2, 2]], [2])
    res = preferential_allocation(plan, [0.8])
    assert res.expected_surviving_value == pytest.approx(5.76 / 16, abs=1e-12)
    assert res.defended_assets == ("a1",)
    assert res.caps.tolist() == [[0, 0, 0, 2]]


def test_greedy_construction_alone_is_feasible_and_no_better():
    plan = _plan([0, 0, 1, 1, 2], [10, 1, 4], [[1, 1, 0, 1, 1], [1, 0, 1, 1, 1]], [3, 2])
    pk = [0.7, 0.9]
    heuristic = preferential_allocation(plan, pk)
    greedy = preferential_allocation(plan, pk, method="greedy")
    _check_feasible(greedy, plan, [3, 2])
    assert greedy.expected_surviving_value <= heuristic.expected_surviving_value + 1e-12
    assert heuristic.expected_surviving_value == pytest.approx(
        _brute_force([0, 0, 1, 1, 2], [10, 1, 4], pk, plan.opportunities, [3, 2]), abs=1e-12
    )


def _raid_draws(draw, units, threats, assets, value, opportunities, pk, inventory, engagements):
    """Draw (aims, values, opportunities, pk, inventory, engagements) of a random raid within the given ranges."""
    n_def, n_threat, n_asset = draw(st.integers(1, units)), draw(st.integers(1, threats)), draw(st.integers(1, assets))
    per_unit = lambda s: st.lists(s, min_size=n_def, max_size=n_def)  # noqa: E731
    aims = draw(st.lists(st.integers(0, n_asset - 1), min_size=n_threat, max_size=n_threat))
    values = draw(st.lists(st.integers(1, value), min_size=n_asset, max_size=n_asset))
    opp = draw(st.lists(st.integers(0, opportunities), min_size=n_def * n_threat, max_size=n_def * n_threat))
    return (
        aims,
        values,
        opp,
        draw(per_unit(pk)),
        draw(per_unit(st.integers(0, inventory))),
        draw(st.none() | per_unit(st.integers(0, engagements))),
        per_unit,
    )


@st.composite
def tiny_raids(draw):
    *raid, _ = _raid_draws(draw, 2, 4, 3, 20, 2, st.sampled_from([0.3, 0.5, 0.7, 0.8, 0.95]), 4, 3)
    return tuple(raid)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tiny_raids())
def test_heuristic_finds_the_brute_force_optimum(raid):
    # Tolerance: the heuristic's value within 1e-6 of the optimum over every allocation (its local
    # search takes steps of at least 1e-6 of the total value; the method guarantees feasibility, not
    # optimality, but found the optimum on 6,000 drawn raids while it was written).
    aims, values, opp, pk, inventory, engagements = raid
    plan = _plan(aims, values, opp, inventory)
    res = preferential_allocation(plan, pk, max_engagements=engagements, seed=1)
    _check_feasible(res, plan, inventory, engagements=engagements)
    best = _brute_force(aims, values, pk, plan.opportunities, np.array(inventory), engagements)
    assert res.expected_surviving_value <= best + 1e-12
    assert res.expected_surviving_value >= best - 1e-6
    assert res.expected_surviving_value == pytest.approx(_value(aims, values, pk, res.caps), abs=1e-12)


@st.composite
def small_raids(draw):
    aims, values, opp, pk, inventory, engagements, per_unit = _raid_draws(
        draw, 4, 12, 5, 100, 3, st.floats(0.0, 1.0), 10, 6
    )
    extra = draw(per_unit(st.integers(0, 5)))
    return aims, values, opp, pk, inventory, extra, engagements, draw(st.sampled_from([1, 2]))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(small_raids())
def test_caps_feasible_and_more_inventory_never_lowers_the_value(raid):
    aims, values, opp, pk, inventory, extra, engagements, k = raid
    plan = _plan(aims, values, opp, inventory)
    base = preferential_allocation(plan, pk, max_engagements=engagements, per_opportunity=k)
    more_inventory = np.array(inventory) + np.array(extra)
    more = preferential_allocation(plan, pk, more_inventory, max_engagements=engagements, per_opportunity=k)
    _check_feasible(base, plan, inventory, k, engagements)
    _check_feasible(more, plan, more_inventory, k, engagements)
    assert base.expected_surviving_value == pytest.approx(_value(aims, values, pk, base.caps), abs=1e-12)
    assert more.expected_surviving_value >= base.expected_surviving_value - 1e-9
    # a defended asset has every missile aimed at it engaged
    for name in more.defended_assets:
        a = int(name[1:])
        assert all(more.caps[:, j].sum() > 0 for j, aim in enumerate(aims) if aim == a)


def test_reproducible_and_serialisable():
    rng = np.random.default_rng(3)
    aims = rng.integers(0, 6, size=40)
    plan = _plan(aims, rng.integers(1, 50, size=6), rng.integers(0, 3, size=(5, 40)), [8] * 5)
    pk = rng.uniform(0.5, 0.9, size=5)
    a = preferential_allocation(plan, pk, seed=7)
    b = preferential_allocation(plan, pk, seed=7)
    assert np.array_equal(a.caps, b.caps)
    d = json.loads(json.dumps(a.to_dict()))
    assert d["caps"] == a.caps.tolist() and d["seed"] == 7
    assert d["expected_surviving_value"] == pytest.approx(expected_surviving_value(plan, pk, a.caps))


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"pk_shot": [0.5, 1.2]}, "pk_shot"),
        ({"pk_shot": [0.5]}, "pk_shot"),
        ({"inventory": [2, -1]}, "inventory"),
        ({"inventory": [2, 2, 2]}, "inventory"),
        ({"max_engagements": [1]}, "max_engagements"),
        ({"per_opportunity": 3}, "per_opportunity"),
        ({"method": "exactly"}, "method"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    plan = _plan([0, 1], [1, 2], [[1, 1], [1, 1]], [2, 2])
    args = {"pk_shot": [0.5, 0.5]} | kwargs
    with pytest.raises(BmdlabError, match=f"^{field}") as err:
        preferential_allocation(plan, **args)
    assert "\n" not in str(err.value)
    with pytest.raises(BmdlabError, match="^caps"):
        expected_surviving_value(plan, [0.5, 0.5], [[1, 0]])
