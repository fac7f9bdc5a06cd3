"""Closed forms of Wilkening (2000) (bmdlab.engagement.analytic)."""

import pytest

from bmdlab.engagement.analytic import RaidConditions, expected_shots_fired, raid_odds
from bmdlab.errors import BmdlabError


def test_single_layer_closed_form():
    # Wilkening (2000), single layer: P_K = 1 - (1 - p)^k, P(0 leak) = P_K^N, E[leak] = N (1 - P_K).
    r = raid_odds(10, 0.8, 2)
    assert r.kill_probability == pytest.approx(0.96)
    assert r.p_zero_leakers == pytest.approx(0.96**10)
    assert r.expected_leakers == pytest.approx(10 * 0.04)


def test_layers_reliability_and_missile_reliability():
    r = raid_odds(20, [0.8, 0.6], [1, 2], reliability=0.9, conditions=RaidConditions(missile_reliability=0.7))
    pk = 1 - (1 - 0.72) * (1 - 0.54) ** 2
    assert r.kill_probability == pytest.approx(pk)
    assert r.expected_leakers == pytest.approx(20 * 0.7 * (1 - pk))
    assert r.p_zero_leakers == pytest.approx((1 - 0.7 * (1 - pk)) ** 20)


def test_shoot_look_shoot_saves_interceptors_not_kills():
    s = raid_odds(100, 0.7, 3, doctrine="salvo")
    sls = raid_odds(100, 0.7, 3, doctrine="shoot-look-shoot")
    # by hand: three shots at p = 0.7 kill with 1 - 0.3^3 = 0.973 under either doctrine
    assert s.kill_probability == pytest.approx(0.973) and sls.kill_probability == pytest.approx(0.973)
    assert s.expected_interceptors == pytest.approx(300)
    assert sls.expected_interceptors == pytest.approx(100 * (1 + 0.3 + 0.09))
    assert expected_shots_fired(0.7, 3, doctrine="shoot-look-shoot") == pytest.approx(1.39)


def test_decoys_dilute_a_fixed_inventory():
    # 100 missiles, 2 decoys each, half recognised: 200 objects share 200 interceptors -> 1 shot each.
    r = raid_odds(100, 0.8, 0, conditions=RaidConditions(decoys=2, discrimination=0.5), interceptors=200)
    assert r.shots_per_object == pytest.approx(1.0)
    assert r.expected_leakers == pytest.approx(100 * 0.2)
    # without decoys the same 200 interceptors give each missile 2 shots: 100 x 0.2^2 = 4 leakers (by hand)
    clean = raid_odds(100, 0.8, 0, interceptors=200)
    assert clean.expected_leakers == pytest.approx(4.0)


@pytest.mark.parametrize(
    "kw,msg",
    [
        (dict(sspk=1.2), r"sspk: .*\[0, 1\]"),
        (dict(reliability=-0.1), r"reliability: -0.1 must lie in \[0, 1\]"),
        (dict(doctrine="volley"), "doctrine.*'volley'; use one of salvo, shoot-look-shoot"),
    ],
)
def test_bad_input(kw, msg):
    args = dict(missiles=10, sspk=0.5, shots_per_missile=1) | kw
    with pytest.raises(BmdlabError, match=msg):
        raid_odds(args.pop("missiles"), args.pop("sspk"), args.pop("shots_per_missile"), **args)
