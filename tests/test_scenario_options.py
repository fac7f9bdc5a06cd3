"""The trade-off options are data (scenarios/options/): each label's counts are the scenario's, and each
option is its base scenario plus only the change its note names."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.scenario import resolve_scenario, scenario_options

CAT = builtin_catalog()
OPTIONS = {o.key: o for o in scenario_options()}
#: The units a label's words name (the catalog's unit keys).
WORDS = {
    "aegis ashore": "aegis-ashore",
    "thaad": "thaad-battery",
    "atago-class": "atago-class",
    "aegis ships": "kongo-class",
}


def _units(key: str) -> Counter:
    return Counter(u.unit for u in resolve_scenario(key, CAT).architecture.units)


def _placements(key: str) -> set[tuple[str, str]]:
    return {(u.unit, str(u.at)) for u in resolve_scenario(key, CAT).architecture.units}


def test_the_options_are_the_three_scenarios_then_the_mixes():
    assert list(OPTIONS)[:3] == ["baseline", "aegis-ashore", "thaad"]
    assert len(OPTIONS) == 7


@pytest.mark.parametrize("key", list(OPTIONS))
def test_each_count_in_a_label_is_the_count_of_those_units(key):
    label = OPTIONS[key].label.lower()
    units = _units(key)
    for count, words in re.findall(r"(\d+) ([a-z][a-z -]+?)(?=[,)+]|$| on| \(| sm-3)", label):
        unit = next((u for w, u in WORDS.items() if words.startswith(w)), None)
        if unit is None or (unit == "kongo-class" and "sm-3" in label):
            continue
        extra = units[unit] - _units("baseline")[unit] if "baseline +" in label and unit != "kongo-class" else None
        assert int(count) in (units[unit], extra), f"{key}: '{count} {words}' but {units[unit]} {unit}"


def test_the_mixes_change_only_what_their_notes_say():
    base = _placements("baseline")
    # one Aegis Ashore site (Araya) and the THAAD batteries west of 136 E
    mix = _placements("aegis-ashore-1-thaad")
    assert base <= mix
    added = mix - base
    assert ("aegis-ashore", "araya") in added and len([u for u, _ in added if u == "aegis-ashore"]) == 1
    thaad = [u for u in resolve_scenario("aegis-ashore-1-thaad", CAT).architecture.units if u.unit == "thaad-battery"]
    all_thaad = [u for u in resolve_scenario("thaad", CAT).architecture.units if u.unit == "thaad-battery"]
    west = [u for u in all_thaad if (CAT.place(u.at).lon.nominal if isinstance(u.at, str) else u.at.lon) < 136.0]
    assert sorted(str(u.at) for u in thaad) == sorted(str(u.at) for u in west)
    # more interceptors per unit: the same placements, only inventories changed
    for key, ref, unit, load in (
        ("baseline-16-sm3", "baseline", "kongo-class", 16),
        ("aegis-ashore-48", "aegis-ashore", "aegis-ashore", 48),
    ):
        assert _placements(key) == _placements(ref)
        got = resolve_scenario(key, CAT).architecture.units
        assert {u.inventory for u in got if u.unit == unit} == {load}
        others = [(u.unit, str(u.at), u.inventory) for u in got if u.unit != unit]
        assert others == [
            (u.unit, str(u.at), u.inventory) for u in resolve_scenario(ref, CAT).architecture.units if u.unit != unit
        ]
    # more destroyers on station: the baseline plus two Atago-class ships
    six = _units("baseline-6-ships")
    assert six - _units("baseline") == Counter({"atago-class": 2})
