"""Scenario files: built-ins load; bad files give one-line errors naming the field."""

import pytest
from typer.testing import CliRunner

from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.errors import BmdlabError
from bmdlab.scenario import builtin_scenarios, load_scenario

CAT = builtin_catalog()

GOOD = """name: t
architecture:
  units:
    - {unit: pac-3-fire-unit, at: pac3-ichigaya}
threat:
  launch_areas: [wonsan]
  missiles: [nodong]
"""


def test_builtins_load():
    assert set(builtin_scenarios()) >= {"japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad"}
    for name in builtin_scenarios():
        s = load_scenario(name, CAT)
        assert s.architecture.units and s.hash


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("unit: pac-3-fire-unit", "unit: pac-3", "architecture.units.0.unit: unknown unit 'pac-3'"),
        ("at: pac3-ichigaya", "at: {lat: 36.0, lon: 135.0}", "is in the sea; a pac-3-fire-unit is land-based"),
        (
            "at: pac3-ichigaya}",
            "at: pac3-ichigaya, inventory: -4}",
            "inventory: -4 must be a whole number from 0 to 100,000",
        ),
        ("  missiles: [nodong]\n", "", "threat: missiles is required (or groups"),
        ("missiles: [nodong]", "missiles: [nodongg]", "did you mean 'nodong'"),
        ("launch_areas: [wonsan]", "launch_areas: [pyongyang]", "threat.launch_areas.0"),
        ("at: pac3-ichigaya}", "at: pac3-ichigaya, colour: red}", "colour: unknown field"),
        ("name: t", "name: t\n  bad: [", "not valid YAML"),
    ],
)
def test_bad_scenario_one_line(tmp_path, old, new, message):
    p = tmp_path / "s.yaml"
    assert old in GOOD
    p.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(BmdlabError) as exc:
        load_scenario(p, CAT)
    assert message in str(exc.value) and "\n" not in str(exc.value)
    res = CliRunner().invoke(app, ["coverage", str(p), "--resolution-km", "50"])
    # the CLI names the unit as well (its name or, unnamed, its key, as written in the file): units[0] (pac-3)
    shown = message.replace("architecture.units.0.unit", "architecture.units[0] (pac-3).unit")
    assert res.exit_code == 2 and shown in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_ship_on_land_and_missing_file(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("unit: pac-3-fire-unit, at: pac3-ichigaya", "unit: kongo-class, at: pac3-ichigaya"))
    with pytest.raises(BmdlabError, match="is on land; a kongo-class is a ship"):
        load_scenario(p, CAT)
    with pytest.raises(BmdlabError, match="neither a built-in scenario"):
        load_scenario(tmp_path / "nope.yaml", CAT)
