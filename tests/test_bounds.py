"""One bound per parameter (issue #21): every overridable parameter is refused with the same message by
every way in - a scenario file (where the scenario has the field), the command line's ``--set``, the
Python API, a sweep axis and the web API - and a value at the bound is accepted by each of them.

The refused values and the messages below are written by hand from the ranges documented in
``bmdlab.bounds`` (not computed by the code under test); ``common_mode: 0.995`` is the case of the
issue (a YAML file accepted it, the command line refused it).
"""

from __future__ import annotations

import copy
import warnings
from importlib import resources

import pytest
import yaml
from typer.testing import CliRunner

import bmdlab
from bmdlab.assembly import Overrides
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.errors import BmdlabError
from bmdlab.scenario import load_scenario
from bmdlab.sensitivity.sweep import grid

with warnings.catch_warnings():  # starlette's notice about httpx, not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from bmdlab.web.app import create_app

CAT = builtin_catalog()
runner = CliRunner()

#: parameter -> (a refused value, the message's tail, a value at the bound that is accepted,
#:               where a scenario file sets it (keys into the YAML tree) or None)
CASES = {
    "flyout": ("rocket", "unknown flyout 'rocket'", "straight-line", ("timeline", "flyout")),
    "limits": (["warp"], "unknown engagement limit 'warp'", ["crossing"], ("timeline", "engagement_limits")),
    "limit_launcher_elevation": ("maybe", "'maybe' must be on or off", "off", None),
    "limit_min_flight_time": ("maybe", "'maybe' must be on or off", "on", None),
    "limit_crossing": ("maybe", "'maybe' must be on or off", "off", None),
    "limit_track_rcs": ("maybe", "'maybe' must be on or off", "off", None),
    "limit_field_of_view": ("maybe", "'maybe' must be on or off", "off", None),
    "rcs_scale": (0.0, "0 must be a number from 0.001 to 1000", 1000.0, ("timeline", "rcs_scale")),
    "track_delay_s": (3601.0, "3601 must be a number from 0 s to 3600 s", 3600.0, ("timeline", "track_delay_s")),
    "availability": (1.5, "1.5 must be a number from 0 to 1", 1.0, ("engagement", "availability", "kongo-class")),
    "fire_channels_scale": (0.001, "0.001 must be a number from 0.01 to 1000", 0.01, None),
    "fire_channels_quantile": (-0.1, "-0.1 must be a number from 0 to 1", 1.0, None),
    "sea_availability": (1.5, "1.5 must be a number from 0 to 1", 0.0, None),
    "land_availability": (-0.5, "-0.5 must be a number from 0 to 1", 1.0, None),
    "posture": ("sometimes", "unknown posture 'sometimes'", "independent", ("engagement", "posture")),
    "capacity": ("maybe", "'maybe' must be on or off", "off", ("engagement", "capacity")),
    "sspk": (1.01, "1.01 must be a number from 0 to 1", 1.0, ("engagement", "sspk", "sm-3-ia")),
    "sspk_quantile": (-0.1, "-0.1 must be a number from 0 to 1", 0.0, None),
    "common_mode": (0.995, "0.995 must be a number from 0 to 0.99", 0.99, ("engagement", "common_mode", "sm-3-ia")),
    "doctrine": ("volley", "unknown doctrine 'volley'", "preferential", ("engagement", "doctrine")),
    "missiles": (5001, "5001 must be a whole number from 0 to 5000", 5000, ("raid", "salvos", 0, "count")),
    "decoys": (21, "21 must be a whole number from 0 to 20", 20, ("raid", "decoys_per_missile")),
    "discrimination": (-0.5, "-0.5 must be a number from 0 to 1", 0.0, ("raid", "discrimination_probability")),
    "missile_reliability": (1.5, "1.5 must be a number from 0 to 1", 1.0, ("raid", "missile_reliability")),
    "years": (101, "101 must be a whole number from 0 to 100 years", 100, ("cost", "years")),
    "reloads": (2.5, "2.5 must be a whole number from 0 to 20", 20, ("cost", "reloads")),
    "price_year": (1989, "1989 must be a whole number from 1990 to 2030", 2030, ("cost", "price_year")),
    "cost_scale": (101.0, "101 must be a number from 0 to 100", 100.0, None),
}


def test_every_overridable_parameter_has_a_case():
    assert set(CASES) == set(Overrides.model_fields)


def _tree() -> dict:
    path = resources.files("bmdlab.scenarios") / "japan-2017-baseline.yaml"
    tree = yaml.safe_load(path.read_text())
    tree.setdefault("cost", {})
    tree.setdefault("engagement", {})
    return tree


def _set(tree: dict, keys: tuple, value) -> dict:
    out = copy.deepcopy(tree)
    node = out
    for k in keys[:-1]:
        node = node.setdefault(k, {}) if isinstance(k, str) else node[k]
    node[keys[-1]] = value
    return out


def _text(value) -> str:
    """A value as the command line and a sweep axis write it."""
    return ",".join(value) if isinstance(value, list) else str(value)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=1, max_jobs=4), base_url="http://127.0.0.1") as c:
        c.headers["X-Bmdlab-Token"] = c.get("/api/token").json()["token"]  # the page's token (same origin)
        yield c


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_value_out_of_bounds_is_refused_alike_by_every_way_in(name, tmp_path, client):
    bad, message, _, where = CASES[name]
    got: dict[str, str] = {}
    if where is not None:  # a scenario file
        f = tmp_path / "s.yaml"
        f.write_text(yaml.safe_dump(_set(_tree(), where, bad)))
        with pytest.raises(BmdlabError) as exc:
            load_scenario(f, CAT)
        got["scenario file"] = str(exc.value)
    # the command line (its --set, as every command with --set reads it)
    res = runner.invoke(app, ["raid", "japan-2017-baseline", "--trials", "10", "--set", f"{name}={_text(bad)}"])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1, res.output
    got["command line"] = res.output
    # the Python API
    with pytest.raises(BmdlabError) as exc:
        bmdlab.Analysis("japan-2017-baseline").raid(trials=10, **{name: bad})
    got["Python API"] = str(exc.value)
    # a sweep axis
    with pytest.raises(BmdlabError) as exc:
        grid({name: [bad]})
    got["sweep axis"] = str(exc.value)
    # the web API
    r = client.post("/api/raid", json={"scenario": "japan-2017-baseline", "trials": 10, name: bad})
    assert r.status_code == 422, r.text
    got["web API"] = r.json()["detail"]
    for way, text in got.items():
        assert message in text, f"{way}: {text!r} lacks {message!r}"
        assert "\n" not in text.rstrip("\n"), f"{way}: more than one line"


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_value_at_the_bound_is_accepted_by_every_way_in(name, tmp_path):
    _, _, good, where = CASES[name]
    if where is not None:
        tree = _tree()
        if name == "missiles":  # one salvo of 5,000 (the raid's total has the same bound)
            tree["raid"]["salvos"] = tree["raid"]["salvos"][:1]
        f = tmp_path / "s.yaml"
        f.write_text(yaml.safe_dump(_set(tree, where, good)))
        load_scenario(f, CAT)
    assert Overrides.of({name: good}).changed() != {}
    assert Overrides.from_text([f"{name}={_text(good)}"]) == Overrides.of({name: good})
    assert grid({name: [good]})


def test_common_mode_at_its_bound_runs_from_the_command_line_and_the_web(client):
    # the case end to end: 0.99 runs everywhere (0.995 is refused everywhere, above)
    res = runner.invoke(app, ["raid", "japan-2017-baseline", "--trials", "20", "--set", "common_mode=0.99", "--json"])
    assert res.exit_code == 0, res.output
    r = client.post("/api/raid", json={"scenario": "japan-2017-baseline", "trials": 20, "common_mode": 0.99})
    assert r.status_code == 200, r.text
    api = bmdlab.Analysis("japan-2017-baseline").raid(trials=20, common_mode=0.99)
    assert r.json()["expected_leakers"] == api.expected_leakers


def test_a_parameter_given_twice_is_refused():
    res = runner.invoke(
        app, ["raid", "japan-2017-baseline", "--common-mode", "0.5", "--set", "common_mode=0.6", "--trials", "10"]
    )
    assert res.exit_code == 2 and "common_mode: given twice" in res.output.replace("--common-mode", "common_mode")
