"""Campaigns of raid waves (bmdlab.engagement.campaign): magazines carried, reloads, ships leaving
station, run-out times. With a kill probability of 1 and one shot per missile the expected leakers
of every wave follow from counting rounds, which is what these tests do by hand."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.assembly import Overrides, assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.engagement.raid import plan_raid
from bmdlab.errors import BmdlabError
from bmdlab.scenario import scenario_from_text

CAT = builtin_catalog()
HOUR = 3600.0


def _scenario(unit: str, at: str, aim: tuple[float, float], campaign: str, extra: str = "") -> str:
    """One unit, a Nodong raid from Wonsan at one asset, SSPK 1, every missile working, every unit on station, no
    channel limit."""
    interceptor = CAT.units[unit].interceptor
    return f"""
name: campaign-test
architecture:
  units:
    - {{unit: {unit}, at: {at}, name: the unit}}
threat:
  missiles: [nodong]
  launch_areas: [wonsan]
raid:
  salvos:
    - {{count: 10, missile: nodong, launch_area: wonsan, launch_spread_s: 600}}
  assets:
    - {{name: target, lat: {aim[0]}, lon: {aim[1]}, value: 1}}
  missile_reliability: 1.0
engagement:
  sspk: {{{interceptor}: 1.0}}
  capacity: false
  availability: {{{unit}: 1.0}}
{extra}
campaign:
{campaign}
"""


def _thaad(campaign: str):
    return scenario_from_text(_scenario("thaad-battery", "{lat: 35.45, lon: 133.07}", (35.47, 133.05), campaign), CAT)


def _engages_every_missile(sc, n):
    plan = plan_raid(assemble(sc, CAT, Overrides(missiles=n)))
    assert np.all(plan.opportunities.sum(axis=0) > 0), "test set-up: the unit must engage every missile"


def test_a_land_unit_without_reserve_runs_dry_by_counting_rounds():
    # 48 rounds, 20 missiles a wave, one round each: 0, 0, then 8 fired and 12 leak, then 20 leak
    sc = _thaad(
        "  waves: [{at_h: 0, missiles: 20}, {at_h: 12, missiles: 20}, {at_h: 24, missiles: 20}, {at_h: 36, missiles: 20}]"
    )
    _engages_every_missile(sc, 20)
    res = bmdlab.Analysis(sc, catalog=CAT).campaign(trials=50)
    assert [w["expected_leakers"] for w in res.data["waves"]] == [0.0, 0.0, 12.0, 20.0]
    assert res.total_expected_leakers == 32.0
    out = res.data["run_out_h"]["thaad"]
    assert out["share_of_trials_within_campaign"] == 1.0 and out["median_h"] == 36.0


def test_a_land_unit_reloads_in_place_from_the_reserve():
    # reload time 30 min (catalog) < 12 h between waves: full again at each wave while the reserve lasts
    sc = _thaad(
        "  reserve: {thaad: 60}\n  waves: [{at_h: 0, missiles: 20}, {at_h: 12, missiles: 20}, {at_h: 24, missiles: 20},"
        " {at_h: 36, missiles: 20}, {at_h: 48, missiles: 20}]"
    )
    res = bmdlab.Analysis(sc, catalog=CAT).campaign(trials=50)
    # wave 1: 48 -> 28; refill 20 (reserve 40); wave 2: 48 -> 28; refill 20 (reserve 20); wave 3: -> 28;
    # refill 20 (reserve 0); wave 4: 48 -> 28; no reserve; wave 5: 28 -> 8. No leaker in any wave.
    assert [w["expected_leakers"] for w in res.data["waves"]] == [0.0] * 5
    assert res.data["waves"][-1]["reserve_left_mean"] == {"thaad": 0.0}
    assert res.data["waves"][-1]["rounds_left_mean"] == 8.0


def test_a_ship_leaves_station_to_reload_and_misses_the_waves_meanwhile():
    # 8 SM-3s; waves of 8 every 12 h; the empty ship leaves after wave 1 with the reserve's 8 rounds and is
    # away 2 x 24 h transit + 24 h in port = 72 h: waves at 12-60 h leak all 8, the wave at 72 h none;
    # then the reserve is empty, so it stays on station empty: 8 leak at 84 h.
    waves = ", ".join(f"{{at_h: {12 * i}, missiles: 8}}" for i in range(8))
    text = _scenario(
        "kongo-class", "station-sea-of-japan-west", (35.47, 133.05), f"  reserve: {{sm-3-ia: 8}}\n  waves: [{waves}]"
    )
    sc = scenario_from_text(text, CAT)
    _engages_every_missile(sc, 8)
    ship = CAT.units["kongo-class"]
    assert ship.port_transit_time.si() == 24 * HOUR and ship.reload_time.si() == 24 * HOUR  # the catalog's figures
    res = bmdlab.Analysis(sc, catalog=CAT).campaign(trials=40)
    leak = [w["expected_leakers"] for w in res.data["waves"]]
    assert leak == [0.0, 8.0, 8.0, 8.0, 8.0, 8.0, 0.0, 8.0]
    assert [w["units_on_station_mean"] for w in res.data["waves"]] == [1, 0, 0, 0, 0, 0, 1, 1]


def test_availability_is_drawn_once_per_campaign():
    sc = _thaad("  waves: [{at_h: 0, missiles: 5}, {at_h: 1, missiles: 5}, {at_h: 2, missiles: 5}]")
    res = bmdlab.Analysis(sc, catalog=CAT).campaign(trials=4000, availability=0.5)
    per_wave = [w["units_on_station_mean"] for w in res.data["waves"]]
    assert per_wave[0] == per_wave[1] == per_wave[2]  # the same units are away in every wave of a trial
    assert per_wave[0] == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / 4000))
    # a trial with the unit away loses all 15 missiles: the total is 15 x P(away), one draw per trial
    assert res.total_expected_leakers == pytest.approx(15 * (1 - per_wave[0]), abs=1e-9)


def test_same_seed_same_campaign_and_cli_json_equals_the_api(tmp_path):
    sc = _thaad("  waves: [{at_h: 0, missiles: 5}, {at_h: 6, missiles: 30}]")
    path = tmp_path / "c.yaml"
    path.write_text(
        _scenario(
            "thaad-battery",
            "{lat: 35.45, lon: 133.07}",
            (35.47, 133.05),
            "  waves: [{at_h: 0, missiles: 5}, {at_h: 6, missiles: 30}]",
        )
    )
    api = bmdlab.Analysis(sc, catalog=CAT, seed=3).campaign(trials=200, availability=0.8)
    again = bmdlab.Analysis(sc, catalog=CAT, seed=3).campaign(trials=200, availability=0.8)
    assert api.data["waves"] == again.data["waves"]
    out = CliRunner().invoke(
        app, ["campaign", str(path), "--trials", "200", "--seed", "3", "--availability", "0.8", "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["waves"] == api.data["waves"]


def test_waves_from_the_command_line(tmp_path):
    sc = _thaad("  waves: [{at_h: 0, missiles: 5}]")
    res = bmdlab.Analysis(sc, catalog=CAT).campaign(3, 4.0, 20, trials=20)
    assert [w["at_h"] for w in res.data["waves"]] == [0.0, 4.0, 8.0]
    assert [w["missiles"] for w in res.data["waves"]] == [20, 20, 20]


@pytest.mark.parametrize(
    "kw, field",
    [
        (dict(waves=3, every_h=4.0), "waves"),
        (dict(waves=3, every_h=-1.0, missiles=3), "every_h"),
        (dict(reserve={"sm-9": 3}), "reserve"),
        (dict(trials=1), "trials"),
    ],
)
def test_bad_input_is_one_line(kw, field):
    sc = _thaad("  waves: [{at_h: 0, missiles: 5}]")
    with pytest.raises(BmdlabError, match=field) as exc:
        bmdlab.Analysis(sc, catalog=CAT).campaign(**kw)
    assert "\n" not in str(exc.value)


def test_bad_campaign_sections_are_refused_by_the_scenario():
    with pytest.raises(BmdlabError, match="increasing"):
        _thaad("  waves: [{at_h: 5, missiles: 5}, {at_h: 1, missiles: 5}]")
    with pytest.raises(BmdlabError, match="campaign.reserve.sm-9"):
        _thaad("  reserve: {sm-9: 3}\n  waves: [{at_h: 0, missiles: 5}]")
    out = CliRunner().invoke(app, ["campaign", "japan-2017-baseline", "--trials", "10"])
    assert out.exit_code != 0 and "no campaign" in out.output and "Traceback" not in out.output
