"""Every verdict of the study is computed by a rule from its figures: change a figure, see it change."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.engagement.launch_capacity import raid_launch_check, simultaneous_capacity
from bmdlab.study import coverage_section as cs
from bmdlab.study.cost_section import aegis_ashore_cost_verdict, combine, thaad_cost_verdict
from bmdlab.study.raid_section import saturation_verdict

CAT = builtin_catalog()


def test_combine_rule():
    assert combine([True, True]) == "holds" and combine([True, False]) == "partly" and combine([False, False]) == "does not hold"


@pytest.mark.parametrize("price,covers,verdict", [(80e9, True, "holds"), (134e9, True, "partly"), (80e9, False, "partly"),
                                                  (134e9, False, "does not hold"), (95e9, True, "holds")])
def test_aegis_ashore_cost_verdict_follows_price_and_coverage(price, covers, verdict):
    # rule: price within 20 % of the claimed ¥80 bn, and the coverage verdict 'holds'
    assert aegis_ashore_cost_verdict(price, 80e9, covers)[0] == verdict


@pytest.mark.parametrize("count,price,verdict", [(6, 125e9, "holds"), (9, 125e9, "holds"), (5, 125e9, "partly"),
                                                 (6, 90e9, "partly"), (4, 90e9, "does not hold")])
def test_thaad_cost_verdict_follows_count_and_price(count, price, verdict):
    assert thaad_cost_verdict(count, 6, price, 100e9)[0] == verdict


def _raid(leakers=150.0, p0=0.0):
    return {"missiles": 200, "expected_leakers": leakers, "p_zero_leakers": p0,
            "launch_check": {"reason": "every missile has a launcher within the window"}}


def test_saturation_verdict_follows_the_launcher_counts():
    threat = ["nodong", "scud-er", "musudan", "pukguksong-2", "hwasong-12"]
    cap = simultaneous_capacity(CAT, threat)
    # the catalog's published ranges (JoongAng Daily / Korea Herald, 17 May 2013): 2012 DoD upper estimates
    # 50 Nodong + 100 Scud-family + 50 IRBM = 200; the earlier ROK estimate 40 + 40 + 14 = 94
    assert cap["total"] == 200 and cap["total_low"] == 94 and cap["no_launcher_count"] == ["pukguksong-2", "hwasong-12"]
    r = _raid()
    assert saturation_verdict(cap, 200, r, ("a", r), ("b", r))["verdict"] == "holds"
    fewer = dict(cap, total=cap["total_low"])  # the earlier ROK estimate
    assert saturation_verdict(fewer, 200, r, ("a", r), ("b", r))["verdict"] == "does not hold"
    assert "(94 launchers, the earlier ROK estimate) would give the verdict 'does not hold'" in \
        saturation_verdict(cap, 200, r, ("a", r), ("b", r))["why"]
    assert saturation_verdict(dict(cap, total=150), 200, r, ("a", r), ("b", r))["verdict"] == "partly"


def test_the_2017_debates_raid_has_more_nodong_than_launchers():
    salvos = [{"count": 30, "missile": "nodong", "launch_spread_s": 300}] * 5 + [{"count": 25, "missile": "scud-er", "launch_spread_s": 300}] * 2
    check = raid_launch_check(CAT, salvos)
    assert check["feasible"] is False and "150 from the nodong pool of 50 launchers" in check["reason"]
    salvos[0] = {"count": 30, "missile": "nodong", "launch_spread_s": 7200}
    assert raid_launch_check(CAT, salvos)["feasible"] is None  # two hours: reloads would matter


def _coverage_inputs(aa_land=0.995, thaad_count=6, pac3_radius=40.0, ships_land=1.0):
    frac = {"land_fraction": 0.5, "population_fraction": 0.5}
    s = {"pac3_footprint": {"max_radius_km": pac3_radius, "area_km2": 3000.0}, "baseline_pac3_units": 16,
         "baseline_pac3_only": frac, "baseline_ships_only": {"land_fraction": ships_land, "population_fraction": ships_land},
         "baseline_single_ship": [dict(frac, name="north")], "aegis_ashore_two_sites_only": {"land_fraction": aa_land, "population_fraction": aa_land},
         "thaad_smallest_count_for_99pct_land": {"count": thaad_count, "gap": 0.0}, "thaad_six_batteries_only": frac,
         "nansei": {"aegis_ashore_two_sites_only": {"land_fraction": 0.5, "population_fraction": 0.6}}}
    return {}, s


@pytest.mark.parametrize("aa_land,verdict", [(0.995, "holds"), (0.95, "partly"), (0.5, "does not hold")])
def test_aegis_ashore_coverage_verdict(aa_land, verdict):
    claims = {c["id"]: c for c in cs._verdicts(*_coverage_inputs(aa_land=aa_land), CAT)}
    assert claims["aegis_ashore"]["verdict"] == verdict


@pytest.mark.parametrize("count,verdict", [(6, "holds"), (8, "holds"), (5, "partly"), (3, "does not hold")])
def test_thaad_coverage_verdict(count, verdict):
    claims = {c["id"]: c for c in cs._verdicts(*_coverage_inputs(thaad_count=count), CAT)}
    assert claims["thaad"]["verdict"] == verdict


@pytest.mark.parametrize("radius,verdict", [(40.0, "holds"), (150.0, "partly"), (400.0, "does not hold")])
def test_pac3_verdict(radius, verdict):
    claims = {c["id"]: c for c in cs._verdicts(*_coverage_inputs(pac3_radius=radius), CAT)}
    assert claims["pac3"]["verdict"] == verdict


@pytest.mark.parametrize("ships,verdict", [(1.0, "partly"), (0.9, "holds")])
def test_destroyer_gap_verdict(ships, verdict):
    claims = {c["id"]: c for c in cs._verdicts(*_coverage_inputs(ships_land=ships), CAT)}
    assert claims["destroyers"]["verdict"] == verdict
