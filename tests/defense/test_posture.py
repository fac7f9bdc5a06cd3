"""The ships' rotation (bmdlab.defense.posture) against the rotation arithmetic's closed forms.

Independent expectations: n evenly staggered hulls, each on station a share s of its cycle, keep
floor(n s) or floor(n s) + 1 on station, the larger for a share frac(n s) of the time, n s on average
(Wagner, Mylander & Sanders, Naval Operations Analysis, 3rd ed., 1999, ch. 9); independent coin flips
at 0.5 leave no ship out of four for (1/2)^4 = 6.25 % of draws (the issue's figure).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.defense.posture import INDEPENDENT, Posture, hulls_on_station
from bmdlab.engagement.streams import on_station_draws, unit_keys
from bmdlab.errors import BmdlabError
from bmdlab.scenario import resolve_scenario

PHASES = (np.arange(100_000) + 0.5) / 100_000  # a fine, even grid over one cycle


@pytest.mark.parametrize(("hulls", "share"), [(4, 0.5), (4, 0.375), (4, 0.25), (3, 0.4), (6, 0.33), (1, 0.9)])
def test_hulls_on_station_follows_the_rotation_arithmetic(hulls, share):
    count = hulls_on_station(PHASES, hulls, share)
    low = math.floor(hulls * share)
    assert set(np.unique(count)) <= {low, low + 1}
    assert count.mean() == pytest.approx(hulls * share, abs=1e-4)  # n s on average
    assert np.mean(count == low + 1) == pytest.approx(hulls * share - low, abs=1e-4)  # frac(n s) of the time


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8), st.floats(0.05, 0.95), st.integers(1, 4))
def test_more_hulls_never_fewer_on_station(hulls, share, more):
    # property: adding hulls to a rotation never lowers the ships on station at any instant's average
    a = hulls_on_station(PHASES[::50], hulls, share).mean()
    b = hulls_on_station(PHASES[::50], hulls + more, share).mean()
    assert b >= a - 1e-9


def _fleet(share: float, hulls: int = 4) -> Posture:
    return Posture.rotation(
        np.full(hulls, share), ["kongo-class"] * hulls, [True] * hulls, {"kongo-class": 30 * 86400.0}
    )


def test_rotation_never_leaves_no_ship_where_coin_flips_do():
    keys = np.arange(4, dtype=np.uint64) + 11
    coin = on_station_draws(7, keys, np.full(4, 0.5), 40_000)
    rot = on_station_draws(7, keys, np.full(4, 0.5), 40_000, posture=_fleet(0.5))
    assert np.mean(~coin.any(axis=1)) == pytest.approx(0.0625, abs=0.005)  # (1/2)^4
    assert not np.any(~rot.any(axis=1))
    assert np.all(rot.sum(axis=1) == 2)  # 4 x 0.5: two stations, always
    # the stations are manned in the listed order: the first two, never the last two
    assert rot[:, :2].all() and not rot[:, 2:].any()


def test_rotation_draws_match_the_schedule_on_average():
    rot = on_station_draws(3, np.arange(4, dtype=np.uint64), np.full(4, 0.375), 40_000, posture=_fleet(0.375))
    count = rot.sum(axis=1)
    assert set(np.unique(count)) == {1, 2}
    assert np.mean(count == 2) == pytest.approx(0.5, abs=0.01)  # frac(4 x 0.375) = 0.5
    assert rot[:, 0].all()  # the first station is always manned


def test_schedule_over_a_month():
    p = _fleet(0.375)
    on = p.at_times(np.arange(0, 30 * 24) * 3600.0)
    assert np.mean(on.sum(axis=1) == 2) == pytest.approx(0.5, abs=1 / 720)
    assert p.stations_always_manned() == {"kongo-class": 1}


def test_land_units_stay_independent_in_a_mixed_posture():
    a = np.array([0.5, 0.5, 0.8])
    p = Posture.rotation(a, ["kongo-class", "kongo-class", "thaad-battery"], [True, True, False], {"kongo-class": 1e6})
    assert list(p.fleet) == [0, 0, INDEPENDENT]
    on = on_station_draws(5, np.arange(3, dtype=np.uint64), a, 40_000, posture=p)
    assert np.all(on[:, :2].sum(axis=1) == 1)
    assert on[:, 2].mean() == pytest.approx(0.8, abs=0.01)


def test_one_share_per_fleet():
    with pytest.raises(BmdlabError, match="share on station"):
        Posture.rotation(np.array([0.5, 0.4]), ["kongo-class"] * 2, [True, True], {"kongo-class": 1e6})


def test_setup_rotation_by_default_and_independent_on_request():
    cat = builtin_catalog()
    scen = resolve_scenario("japan-2017-baseline", cat)
    rot = assemble(scen, cat).posture
    assert rot.names == ("kongo-class",) and int(rot.hulls[0]) == 4
    assert rot.share[0] == cat.units["kongo-class"].availability.nominal  # the catalog's sourced share
    ind = assemble(scen, cat, Overrides(posture="independent")).posture
    assert not ind.rotating and np.all(ind.fleet == INDEPENDENT)
    with pytest.raises(BmdlabError, match="posture"):
        Overrides.of({"posture": "sometimes"})


def test_campaign_and_raid_keys_share_a_fleet_phase():
    # two architectures sharing the fleet share its phase draws (common random numbers)
    cat = builtin_catalog()
    a = assemble(resolve_scenario("japan-2017-baseline", cat), cat)
    b = assemble(resolve_scenario("japan-2017-aegis-ashore", cat), cat)
    ka, kb = unit_keys(a.defenders), unit_keys(b.defenders)
    on_a = on_station_draws(9, ka, a.unit_array("availability").astype(float), 500, posture=a.posture)
    on_b = on_station_draws(9, kb, b.unit_array("availability").astype(float), 500, posture=b.posture)
    ships_a = [i for i, d in enumerate(a.defenders) if d.unit == "kongo-class"]
    ships_b = [i for i, d in enumerate(b.defenders) if d.unit == "kongo-class"]
    assert np.array_equal(on_a[:, ships_a], on_b[:, ships_b])
