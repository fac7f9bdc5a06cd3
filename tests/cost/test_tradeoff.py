"""Pareto frontier and the trade-off over options."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.catalog import builtin_catalog
from bmdlab.cost.options import tradeoff_options
from bmdlab.cost.tradeoff import TradeoffRun, evaluate_options, pareto_front

pairs = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=25)


@given(pairs)
@settings(max_examples=200, deadline=None)
def test_frontier_holds_only_non_dominated_points(pts):
    c = np.array([p[0] for p in pts], float)
    e = np.array([p[1] for p in pts], float)
    front = pareto_front(c, e)

    def dominated(i):
        return any(c[j] <= c[i] and e[j] >= e[i] and (c[j] < c[i] or e[j] > e[i]) for j in range(len(c)))

    for i in range(len(c)):
        assert front[i] == (not dominated(i))
    assert front.any()  # the cheapest of the most effective is never dominated


def test_frontier_closed_case():
    # (cost, effect): B dominates D; A cheapest; C most effective
    assert pareto_front([1, 2, 5, 3], [1, 3, 4, 2]).tolist() == [True, True, True, False]


@pytest.mark.slow  # ~5 s: coverage and raids for two options
def test_options_evaluate_and_cost_more_buys_more():
    cat = builtin_catalog()
    opts = {o.key: o for o in tradeoff_options(cat)}
    res = evaluate_options(
        [opts["baseline"], opts["thaad"]], cat, TradeoffRun(raid_sizes=(50,), trials=300, seed=1, resolution_km=40.0)
    )
    d = res.to_dict()
    base, th = d["options"]
    assert th["cost"]["total"]["jpy"] > base["cost"]["total"]["jpy"]
    assert th["raids"]["50"]["expected_leakers"] <= base["raids"]["50"]["expected_leakers"]
    assert set(d["pareto_surviving_value"]["50"]) <= {"baseline", "thaad"}
    lo, mid, hi = th["raids"]["50"]["exchange_ratio_interceptors"]
    assert lo <= mid <= hi


def test_plans_from_a_planner_change_no_number():
    # a study hands its memo's plans to the trade-off (TradeoffRun.planner): every figure is the one planned
    # here, to the bit, and the planner is asked for every raid (a planner that answers nothing fails)
    from bmdlab.engagement.raid import plan_raid

    cat = builtin_catalog()
    opts = {o.key: o for o in tradeoff_options(cat)}
    chosen = [opts["baseline"], opts["aegis-ashore"]]
    run = TradeoffRun(raid_sizes=(20, 40), trials=200, seed=3, resolution_km=60.0)
    asked = []

    def planner(setup, raid_run):
        asked.append(setup.require_raid().missiles)
        return plan_raid(setup)

    with_planner = evaluate_options(chosen, cat, dataclasses.replace(run, planner=planner)).to_dict()
    assert sorted(asked) == [20, 20, 40, 40]
    assert with_planner == evaluate_options(chosen, cat, run).to_dict()
