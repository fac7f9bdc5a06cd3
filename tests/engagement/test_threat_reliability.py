"""Each threat missile works with its own reliability (issue 24, item 7).

By default a raid's missiles work with their type's catalog reliability (the flight record by Laplace's
rule); a scenario's ``raid.missile_reliability`` or the ``missile_reliability`` override sets one value
for every missile instead. The Monte Carlo is checked against closed forms: with no interceptor fired,
the expected leakers are the expected arrivals, sum of n_i r_i; with two shoot-look-shoot shots of kill
probability p at each arriving missile, sum of n_i r_i (1 - p)^2 (Wilkening 2000).
"""

import numpy as np
import pytest

from bmdlab.assembly import Overrides, assemble
from bmdlab.assembly.setup import Asset
from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.analytic import RaidConditions
from bmdlab.engagement.raid import (
    RaidMissile,
    RaidOptions,
    RaidPlan,
    UnitArrays,
    simulate_raid,
    threat_reliabilities,
)
from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
from bmdlab.errors import BmdlabError
from bmdlab.scenario import Scenario

CAT = builtin_catalog()
# the catalog's records, written here: Nodong 5 of 7 (2016), Musudan 1 of 8 (2016), Scud-ER 4 of 4 (2017)
R_NODONG, R_MUSUDAN, R_SCUD_ER = 6 / 9, 2 / 10, 5 / 6


def _plan(counts: dict[str, int], opportunities: int) -> RaidPlan:
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0, inventory=100_000)
    threats = tuple(RaidMissile(m, "wonsan", 0, 0.0) for m, n in counts.items() for _ in range(n))
    return RaidPlan(
        threats,
        (Asset("a", 35.0, 135.0, 1.0),),
        (d,),
        np.full((1, len(threats)), opportunities),
        np.zeros((1, len(threats))),
    )


def _within(res, trials: int, exact: float, k: float = 4.0) -> bool:
    return abs(res.expected_leakers - exact) <= k * res.leakers_std / np.sqrt(trials) + 1e-12


@pytest.mark.parametrize("opportunities,p", [(0, 0.0), (2, 0.6)])
def test_expected_leakers_are_each_types_arrivals(opportunities, p):
    counts, trials = {"nodong": 40, "musudan": 60}, 20_000
    plan = _plan(counts, opportunities)
    rel = threat_reliabilities(plan, {"nodong": R_NODONG, "musudan": R_MUSUDAN})
    units = UnitArrays.uniform(1, sspk=p, availability=1.0)
    res = simulate_raid(plan, units, RaidOptions(trials=trials, seed=5, threat_reliability=rel))
    exact = (40 * R_NODONG + 60 * R_MUSUDAN) * (1.0 - p) ** opportunities
    assert _within(res, trials, exact)
    # one value for every missile (the conditions) would give a different answer
    assert not _within(res, trials, 100 * R_NODONG * (1 - p) ** opportunities)


def test_threat_reliability_wins_over_the_conditions_value_and_is_checked():
    plan = _plan({"nodong": 10}, 0)
    units = UnitArrays.uniform(1, sspk=0.5, availability=1.0)
    opts = RaidOptions(
        trials=2000, seed=1, conditions=RaidConditions(missile_reliability=1.0), threat_reliability=(0.0,) * 10
    )
    assert simulate_raid(plan, units, opts).expected_leakers == 0.0
    with pytest.raises(BmdlabError, match=r"^missile_reliability: one probability in \[0, 1\] per threat \(10\)$"):
        simulate_raid(plan, units, RaidOptions(trials=10, seed=1, threat_reliability=(0.5,) * 9))


def _scenario(**raid) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "reliability",
            "architecture": {"units": [{"unit": "pac-3-fire-unit", "at": "pac3-ichigaya", "inventory": 0}]},
            "threat": {"missiles": ["nodong"], "launch_areas": ["wonsan"]},
            "raid": {
                "salvos": [
                    {"missile": "nodong", "launch_area": "wonsan", "count": 30},
                    {"missile": "scud-er", "launch_area": "wonsan", "count": 10},
                    {"missile": "scud-c", "launch_area": "tongchon", "count": 0},
                ],
                **raid,
            },
        }
    )


def test_the_catalog_reliability_is_the_default_and_the_scenario_and_override_win():
    by_type = assemble(_scenario(), CAT).require_raid().reliability_by_missile
    assert by_type == pytest.approx({"nodong": R_NODONG, "scud-er": R_SCUD_ER, "scud-c": 1.0}, abs=5e-4)  # no record: 1
    raid = assemble(_scenario(), CAT).require_raid()
    assert raid.missile_reliability == pytest.approx((30 * R_NODONG + 10 * R_SCUD_ER) / 40, abs=5e-4)
    scen = assemble(_scenario(missile_reliability=0.9), CAT).require_raid()
    assert set(scen.reliability_by_missile.values()) == {0.9} and scen.missile_reliability == 0.9
    over = assemble(_scenario(missile_reliability=0.9), CAT, Overrides(missile_reliability=1.0)).require_raid()
    assert set(over.reliability_by_missile.values()) == {1.0}


def test_a_scenario_raid_uses_each_types_reliability():
    # no interceptor in the magazine: the leakers are the arrivals, 30 x 6/9 + 10 x 5/6
    trials = 20_000
    out = run_scenario_raid(assemble(_scenario(), CAT), RaidRun(trials=trials, seed=3))
    assert out.missile_reliability_by_type == pytest.approx(
        {"nodong": R_NODONG, "scud-er": R_SCUD_ER, "scud-c": 1.0}, abs=5e-4
    )
    assert _within(out.tally, trials, 30 * R_NODONG + 10 * R_SCUD_ER)
    assert out.to_dict()["missile_reliability_by_type"]["nodong"] == pytest.approx(R_NODONG, abs=5e-4)
