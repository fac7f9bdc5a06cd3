"""Fire channels, C2 times and availability from the catalog and the scenario, through the API and CLI."""

import json

import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.assembly import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.errors import BmdlabError
from bmdlab.scenario import load_scenario, scenario_from_text

CAT = builtin_catalog()
BASE = """
name: cap-test
architecture:
  units:
    - {unit: kongo-class, at: station-sea-of-japan-west, name: west}
    - {unit: thaad-battery, at: {lat: 35.45, lon: 133.07}, name: sanin}
threat:
  missiles: [nodong]
  launch_areas: [wonsan]
"""


def _units_by_type(scenario):
    """Each unit's assembled numbers (UnitValues), by unit type (one unit of each type in these scenarios)."""
    setup = assemble(scenario, CAT)
    assert len(setup.units) == len(setup.defenders) == 2
    return {x.unit: u for x, u in zip(setup.defenders, setup.units, strict=True)}


def test_catalog_values_reach_the_units():
    d = _units_by_type(scenario_from_text(BASE, CAT))
    ship, thaad = CAT.units["kongo-class"], CAT.units["thaad-battery"]
    assert d["kongo-class"].fire_channels == int(ship.fire_channels.nominal) == 2  # FTM-13 (Nov 2007): two at once
    assert (
        d["kongo-class"].availability == ship.availability.nominal == 0.375
    )  # NHK 2019: one to two of four on station
    assert d["thaad-battery"].c2_time == thaad.c2_time.si()


def test_scenario_overrides_by_type_and_by_name():
    text = (
        BASE
        + """engagement:
  fire_channels: {thaad-battery: 6}
  c2_time_s: {kongo-class: 4}
  availability: {kongo-class: 0.8, west: 1.0, thaad-battery: 0.7}
"""
    )
    d = _units_by_type(scenario_from_text(text, CAT))
    assert d["thaad-battery"].fire_channels == 6 and d["kongo-class"].c2_time == 4.0
    assert d["kongo-class"].availability == 1.0  # the unit's name wins over its type
    assert d["thaad-battery"].availability == 0.7


@pytest.mark.parametrize(
    "extra, field",
    [
        ("engagement:\n  availability: {kongo: 0.5}\n", "engagement.availability.kongo"),
        ("engagement:\n  availability: {kongo-class: 1.5}\n", "availability"),
        ("engagement:\n  fire_channels: {thaad-battery: 0}\n", "fire_channels"),
        ("engagement:\n  c2_time_s: {thaad: 5}\n", "engagement.c2_time_s.thaad"),
    ],
)
def test_bad_values_name_the_field(extra, field):
    with pytest.raises(BmdlabError, match=field) as exc:
        scenario_from_text(BASE + extra, CAT)
    assert "\n" not in str(exc.value)


def test_default_fields_leave_the_scenario_hash_unchanged():
    plain = scenario_from_text(BASE, CAT)
    explicit = scenario_from_text(BASE + "engagement:\n  capacity: true\n  availability: {}\n", CAT)
    assert plain.hash == explicit.hash
    assert scenario_from_text(BASE + "engagement:\n  capacity: false\n", CAT).hash != plain.hash
    load_scenario("japan-2017-baseline", CAT)  # built-ins still load


def test_raid_options_through_the_cli_and_the_api():
    args = ["raid", "japan-2017-aegis-ashore", "--missiles", "40", "--trials", "300", "--seed", "4"]
    out = CliRunner().invoke(app, args + ["--no-capacity", "--availability", "1", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["capacity"] is False and all(
        u["availability"] == 1.0 and u["on_station_fraction"] == 1.0 for u in data["units"]
    )
    api = bmdlab.Analysis("japan-2017-aegis-ashore", seed=4).raid(40, trials=300, capacity=False, availability=1.0)
    assert api.expected_leakers == data["expected_leakers"]
    bad = CliRunner().invoke(app, args + ["--availability", "2"])
    assert bad.exit_code == 2 and "availability" in bad.output and "Traceback" not in bad.output
