"""The one precedence chain (bmdlab.assembly.setup.unit_values): a test per rule.

Expected values are written from the scenario built here and the catalog's published values (read
from the catalog, the input), or computed independently (scipy's Beta quantile, Laplace's rule by
hand); never from the function under test.
"""

from __future__ import annotations

import pytest
from scipy import stats

from bmdlab.assembly import Overrides, assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.scenario import Scenario
from bmdlab.sensitivity.model import point_setup

CAT = builtin_catalog()
UNITS = [
    {"unit": "kongo-class", "at": "station-sea-of-japan-central", "name": "Kongo north"},
    {"unit": "kongo-class", "at": "station-east-china-sea"},
    {"unit": "thaad-battery", "at": {"lat": 36.0, "lon": 137.0}},
    {"unit": "pac-3-fire-unit", "at": "pac3-ichigaya"},
]


def _scenario(engagement: dict | None = None) -> Scenario:
    return Scenario.model_validate(
        {
            "name": "precedence",
            "architecture": {"units": UNITS},
            "threat": {"missiles": ["nodong"], "launch_areas": ["wonsan"]},
            "raid": {"salvos": [{"missile": "nodong", "launch_area": "wonsan", "count": 10}]},
            "engagement": engagement or {},
        }
    )


def _values(name: str, engagement: dict | None = None, **overrides) -> list:
    return assemble(_scenario(engagement), CAT, Overrides.of(overrides)).unit_array(name).tolist()


def _catalog(unit: str, field: str) -> float:
    return CAT.units[unit].model_dump()[field]["value"]


AVAILABILITY = {"availability": {"Kongo north": 0.3, "kongo-class": 0.6}}


def test_an_override_beats_a_named_unit_a_type_and_the_catalog():
    assert _values("availability", AVAILABILITY, availability=0.95) == [0.95] * 4


def test_a_named_unit_beats_its_type():
    assert _values("availability", AVAILABILITY)[:2] == [0.3, 0.6]


def test_a_type_beats_the_catalog_and_the_catalog_fills_the_rest():
    got = _values("availability", {"availability": {"kongo-class": 0.6}})
    assert got == [0.6, 0.6, _catalog("thaad-battery", "availability"), _catalog("pac-3-fire-unit", "availability")]
    assert got[2:] == [0.9, 0.85]  # the catalog's published (assumed) values, units.yaml


def test_a_sweep_axis_beats_a_named_unit():
    # the case: a sweep wrote availability by type, a scenario's named unit silently beat it
    point = {"scenario": "japan-2017-baseline", "availability": 0.8, "missiles": 20}
    setup = point_setup(point, CAT)
    assert set(setup.unit_array("availability").tolist()) == {0.8}


def test_fire_channels_from_the_type_then_the_catalog_and_scaled_by_the_factor():
    eng = {"fire_channels": {"thaad-battery": 3}}
    assert _values("fire_channels", eng) == [2, 2, 3, 9]  # catalog 2 (Aegis), 9 (Patriot); scenario 3 (THAAD)
    # factor 1.4: round(2.8) = 3, round(4.2) = 4, round(12.6) = 13; at 0.01 every unit keeps at least one channel
    assert _values("fire_channels", eng, fire_channels_scale=1.4) == [3, 3, 4, 13]
    assert _values("fire_channels", eng, fire_channels_scale=0.01) == [1, 1, 1, 1]


def test_c2_time_from_the_type_else_the_catalog():
    assert _values("c2_time", {"c2_time_s": {"pac-3-fire-unit": 1.0}}) == [10.0, 10.0, 10.0, 1.0]


def test_kill_probability_override_then_quantile_then_scenario_then_catalog():
    hits, tests = CAT.interceptors["sm-3-ia"].test_record.value  # 22 of 27 (MDA, 2011)
    laplace = (hits + 1) / (tests + 2)  # Laplace's rule of succession
    q90 = stats.beta.ppf(0.9, hits + 1, tests - hits + 1)  # uniform prior's posterior
    eng = {"sspk": {"sm-3-ia": 0.5}}
    assert _values("sspk")[0] == pytest.approx(laplace, rel=1e-12)
    assert _values("sspk", eng)[0] == 0.5
    assert _values("sspk", eng, sspk_quantile=0.9)[0] == pytest.approx(q90, rel=1e-9)
    assert _values("sspk", eng, sspk_quantile=0.9, sspk=0.7) == [0.7] * 4


def test_common_mode_and_reliability_by_interceptor():
    eng = {"common_mode": {"thaad": 0.4}, "reliability": {"thaad": 0.9}}
    assert _values("common_mode", eng) == [0.0, 0.0, 0.4, 0.0]
    assert _values("common_mode", eng, common_mode=0.2) == [0.2] * 4
    assert _values("reliability", eng) == [1.0, 1.0, 0.9, 1.0]


def test_the_engagement_model_and_timeline_override_the_scenario():
    sc = _scenario().model_copy(
        update={"timeline": _scenario().timeline.model_copy(update={"flyout": "straight-line", "track_delay_s": 30.0})}
    )
    plain = assemble(sc, CAT)
    assert (plain.model.flyout, plain.timeline.track_delay) == ("straight-line", 30.0)
    changed = assemble(sc, CAT, Overrides(flyout="physical", track_delay_s=45.0, limit_crossing=False))
    assert (changed.model.flyout, changed.timeline.track_delay) == ("physical", 45.0)
    assert "crossing" not in changed.model.limits and "track-rcs" in changed.model.limits


def test_raid_and_cost_overrides():
    setup = assemble(_scenario(), CAT, Overrides(missiles=40, decoys=2, years=5, doctrine="salvo-2"))
    assert setup.raid.missiles == 40
    assert (setup.raid.decoys, setup.cost.years, setup.doctrine) == (2, 5, "salvo")
