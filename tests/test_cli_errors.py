"""Errors name a scenario's units by their names (issue #26): the CLI's one line says
`architecture.units[4] (PAC-3 Ichigaya).at: ...`; the library's message, which the web API returns and
programs match, keeps the plain path `architecture.units.4.at`."""

from __future__ import annotations

import pickle

import pytest
import yaml
from typer.testing import CliRunner

from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.errors import BmdlabError, labelled
from bmdlab.scenario import load_scenario

runner = CliRunner()

#: Four PAC-3 units at cities, and a fifth, named, at 34.0 N 137.0 E: the Pacific ~65 km south of the tip of
#: the Atsumi peninsula (34.58 N 137.0 E, Japan's southernmost land at that longitude).
UNITS = [
    {"unit": "pac-3-fire-unit", "at": "tokyo"},
    {"unit": "pac-3-fire-unit", "at": "osaka"},
    {"unit": "pac-3-fire-unit", "at": "nagoya"},
    {"unit": "pac-3-fire-unit", "at": "fukuoka"},
    {"name": "PAC-3 Ichigaya", "unit": "pac-3-fire-unit", "at": "34.0,137.0"},
]


def _scenario(tmp_path, units):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "architecture": {"units": units}, "threat": {"missiles": ["nodong"]}}))
    return path


def test_a_unit_in_the_sea_is_named_in_the_cli_error(tmp_path):
    path = _scenario(tmp_path, UNITS)
    res = runner.invoke(app, ["coverage", str(path), "--resolution-km", "80"])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == (
        f"error: {path}: architecture.units[4] (PAC-3 Ichigaya).at: 34.000,137.000 is in the sea; "
        "a pac-3-fire-unit is land-based, move it onto land\n"
    )


def test_an_unknown_unit_key_is_named_by_that_key_when_the_unit_has_no_name(tmp_path):
    path = _scenario(tmp_path, [*UNITS[:2], {"unit": "pac-9", "at": "nagoya"}])
    res = runner.invoke(app, ["raid", str(path), "--trials", "100"])
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith(f"error: {path}: architecture.units[2] (pac-9).unit: unknown unit 'pac-9': ")
    assert "did you mean 'pac-3-fire-unit'?" in res.stderr


def test_a_schema_error_names_the_unit_too(tmp_path):
    """A field the schema refuses (before any Scenario exists): the name is read from the file as given."""
    path = _scenario(tmp_path, [*UNITS[:1], {"name": "Kyoto PAC-3", "unit": "pac-3-fire-unit"}])
    res = runner.invoke(app, ["scenario", "validate", str(path)])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"error: {path}: architecture.units[1] (Kyoto PAC-3).at: field is required")


def test_the_library_message_keeps_the_plain_path_the_web_matches(tmp_path):
    with pytest.raises(BmdlabError) as info:
        load_scenario(_scenario(tmp_path, UNITS), builtin_catalog())
    assert "architecture.units.4.at: 34.000,137.000 is in the sea" in str(info.value)
    assert info.value.labels["architecture.units.4"] == "PAC-3 Ichigaya"
    again = pickle.loads(pickle.dumps(info.value))  # an error crosses process boundaries (sweep workers)
    assert again.readable() == info.value.readable() and "units[4] (PAC-3 Ichigaya).at" in again.readable()


@pytest.mark.parametrize(
    "message, shown",
    [
        ("f: architecture.units.1.at: x", "f: architecture.units[1] (A).at: x"),
        ("architecture.units.1: x", "architecture.units[1] (A): x"),
        ("architecture.units.10.at: x", "architecture.units.10.at: x"),  # units.1 is not units.10
        ("see architecture.units.1, then", "see architecture.units[1] (A), then"),
        ("xarchitecture.units.1.at", "xarchitecture.units.1.at"),
    ],
)
def test_labelled_replaces_whole_paths_only(message, shown):
    assert labelled(message, {"architecture.units.1": "A"}) == shown
