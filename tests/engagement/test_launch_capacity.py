"""Launchers that can fire at Japan at once (bmdlab.engagement.launch_capacity, issue 24 item 7)."""

import math

import pytest

from bmdlab.catalog import builtin_catalog, load_catalog
from bmdlab.engagement.launch_capacity import (
    japan_distance_m,
    raid_launch_check,
    reaches_japan,
    simultaneous_capacity,
)
from bmdlab.geo.japan import largest_cities

CAT = builtin_catalog()
THREAT = ["nodong", "scud-er", "pukguksong-2", "musudan", "hwasong-12"]  # the built-in 2017 threat


def _haversine_km(lat1, lon1, lat2, lon2, r_km=6371.0088):
    """Great-circle distance by the haversine formula (written out here, independent of bmdlab.geo)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r_km * math.asin(math.sqrt(a))


def test_nearest_japanese_city_from_the_launch_areas():
    # by hand over every catalog launch area and Japan's 30 largest cities (GeoNames): the nearest pair
    # is Tongchon - Kitakyushu, ~626 km. Tolerance 0.5 %: the Earth radius (mean 6,371.0 km here).
    cities = largest_cities(30)
    best = min(
        _haversine_km(p.lat.nominal, p.lon.nominal, la, lo)
        for p in CAT.places_of("launch-area").values()
        for la, lo in zip(cities.lat_deg, cities.lon_deg)
    )
    assert japan_distance_m(CAT) / 1e3 == pytest.approx(best, rel=0.005)
    assert 600 < best < 650


def test_what_reaches_japan():
    # Scud-B 300 km, Scud-C 500 km (catalog) fall short of ~626 km; Scud-ER 1,000 km and longer reach
    assert not reaches_japan(CAT, "scud-b") and not reaches_japan(CAT, "scud-c")
    assert all(reaches_japan(CAT, k) for k in THREAT)


def test_launchers_that_can_fire_at_japan_at_once():
    # 2012 U.S. DoD upper estimates / earlier ROK estimate (JoongAng Daily / Korea Herald, 17 May 2013):
    # Nodong 50 / 40, IRBM (Musudan) 50 / 14; the Scud-family pool (100 / 40) counts only the Scud-ER's
    # share, at least 4 (four TELs fired together on 6 March 2017, Yomiuri) and at most the pool.
    cap = simultaneous_capacity(CAT, [*THREAT, "scud-b", "scud-c"])
    assert cap["total"] == 50 + 100 + 50 == 200
    assert cap["total_low"] == 40 + 4 + 14 == 58
    scud = cap["pools"]["scud-b"]
    assert scud["missiles"] == ["scud-er"] and (scud["reaching_low"], scud["reaching"]) == (4, 100)
    assert (scud["launchers_low"], scud["launchers"]) == (40, 100)
    assert cap["not_reaching_japan"] == ["scud-b", "scud-c"]
    assert cap["no_launcher_count"] == ["pukguksong-2", "hwasong-12"]
    # weighed by the flight records by Laplace's rule (Nodong 5 of 7, Scud-ER 4 of 4, Musudan 1 of 8);
    # the catalog rounds to three decimals, the result to one: tolerance 0.1
    assert cap["expected_working"] == pytest.approx(50 * 6 / 9 + 100 * 5 / 6 + 50 * 2 / 10, abs=0.1)
    assert cap["expected_working_low"] == pytest.approx(40 * 6 / 9 + 4 * 5 / 6 + 14 * 2 / 10, abs=0.1)


def test_a_scud_pool_without_the_scud_er_counts_nothing_toward_japan():
    cap = simultaneous_capacity(CAT, ["scud-b", "scud-c"])
    assert cap["total"] == cap["total_low"] == 0 and cap["pools"] == {}


def test_a_share_caps_the_missiles_of_its_type(catalog_with):
    # a user catalog where the Scud-ER has 30 of the Scud-family launchers: 40 Scud-ER exceed the share
    # even though the pool (100) could hold them; the count toward Japan is the share
    cat = load_catalog(
        catalog_with("missiles.yaml", "missiles", "scud-er", "launchers", value=[4, 30], plausible=[4, 30])
    )
    salvos = [{"count": 40, "missile": "scud-er", "launch_spread_s": 300}]
    check = raid_launch_check(cat, salvos)
    assert check["feasible"] is False and "scud-er 40 > its share 30" in check["reason"]
    assert raid_launch_check(cat, [dict(salvos[0], count=30)])["feasible"] is True
    assert simultaneous_capacity(cat, ["scud-er"])["total"] == 30


def test_the_default_raid_fits_the_launchers():
    # 50 Nodong, 100 Scud-ER, 50 Musudan within five minutes: one per launcher at the upper estimates
    salvos = [
        {"count": 50, "missile": "nodong", "launch_spread_s": 300},
        {"count": 100, "missile": "scud-er", "launch_spread_s": 300},
        {"count": 50, "missile": "musudan", "launch_spread_s": 300},
    ]
    check = raid_launch_check(CAT, salvos)
    assert check["feasible"] is True, check["reason"]
    salvos[1] = dict(salvos[1], count=101)
    assert raid_launch_check(CAT, salvos)["feasible"] is False
