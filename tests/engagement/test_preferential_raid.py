"""The preferential doctrine in the raid Monte Carlo: it fires at most the allocated rounds, and its
expected surviving value matches the allocation's closed form (independent shots, every unit on
station, no channel limit), which tests/engagement/test_preferential.py checks by brute force."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.assembly.setup import Asset
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.preferential import expected_surviving_value, preferential_allocation
from bmdlab.engagement.raid import RaidMissile, RaidOptions, RaidPlan, RaidStart, UnitArrays, simulate_raid
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()


def _plan():
    """Assets of value 10, 4 and 1 with 3, 2 and 2 missiles at them, the small asset's first in time;
    two units of 4 rounds, 2 opportunities each."""
    units = tuple(make_defender(CAT, "thaad-battery", 36.0, 137.0, inventory=4, name=f"u{i}") for i in range(2))
    aims = [2, 2, 1, 1, 0, 0, 0]
    threats = tuple(RaidMissile("nodong", "wonsan", a, 0.0) for a in aims)
    assets = (Asset("big", 35.0, 135.0, 10.0), Asset("mid", 35.0, 136.0, 4.0), Asset("small", 35.0, 137.0, 1.0))
    opp = np.full((2, len(aims)), 2, dtype=np.int64)
    return RaidPlan(threats, assets, units, opp, np.zeros(opp.shape))


def _units(pk):
    """Every unit on station, no channel or C2 limit, reliability 1 (the allocation's closed form assumes it)."""
    return UnitArrays.uniform(2, sspk=pk, reliability=1.0, availability=1.0)


def test_monte_carlo_matches_the_allocation_closed_form():
    plan = _plan()
    pk = np.array([0.7, 0.6])
    alloc = preferential_allocation(plan, pk, per_opportunity=1, seed=0)
    trials = 100_000
    res = simulate_raid(
        plan, _units(pk), RaidOptions(trials=trials, seed=5, keep_trials=True), RaidStart(allocation=alloc.caps)
    )
    exact = expected_surviving_value(plan, pk, alloc.caps)
    sd = float(res.surviving_value_per_trial.std(ddof=1))
    assert abs(res.surviving_value_mean - exact) <= 4 * sd / np.sqrt(trials)
    fired = res.expended_mean
    assert np.all(fired <= alloc.caps.sum(axis=1) + 1e-12)  # never more than allocated


def test_preferential_leaves_the_small_asset_alone_where_engaging_all_spreads_rounds():
    plan = _plan()
    pk = np.array([0.7, 0.6])
    alloc = preferential_allocation(plan, pk, per_opportunity=1, seed=0)
    assert alloc.caps[:, :2].sum() == 0  # the value-1 asset's missiles get nothing
    options = RaidOptions(trials=20_000, seed=2)
    pref = simulate_raid(plan, _units(pk), options, RaidStart(allocation=alloc.caps))
    every = simulate_raid(
        plan, _units(pk), options
    )  # shoot-look-shoot at whatever comes, in time order: small asset first
    assert pref.surviving_value_mean > every.surviving_value_mean


def test_the_doctrine_through_the_api_and_cli():
    a = bmdlab.Analysis("japan-2017-aegis-ashore")
    r = a.raid(30, trials=500, doctrine="preferential")
    assert r.data["doctrine"] == "preferential"
    out = CliRunner().invoke(
        app,
        [
            "raid",
            "japan-2017-aegis-ashore",
            "--missiles",
            "30",
            "--trials",
            "500",
            "--doctrine",
            "preferential",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["expected_leakers"] == r.expected_leakers
    with pytest.raises(BmdlabError, match="preferential") as exc:
        a.raid(30, trials=10, doctrine="random")
    assert "\n" not in str(exc.value)
