"""One name per concept across commands (scenarios, places, doctrines, seeds), one money format and
provenance in every JSON, the scenario commands and shell completion (issue #12)."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from bmdlab import __version__
from bmdlab.api import DEFAULT_SEED
from bmdlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def js(*args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


JSON_COMMANDS = [
    ("catalog", "list", "--kind", "missiles", "--json"),
    ("catalog", "show", "sm-3-iia", "--json"),
    ("scenario", "list", "--json"),
    ("scenario", "show", "japan-2017-thaad", "--json"),
    ("trajectory", "--from", "sunan", "--to", "osaka", "--json"),
    ("footprint", "pac-3-fire-unit", "--at", "35.69,139.75", "--missile", "nodong", "--launch", "sunan", "--json"),
    ("raid", "aegis-ashore-48", "--trials", "200", "--json"),
    ("analytic", "--missiles", "5", "--sspk", "0.5", "--shots-per-missile", "2", "--json"),
    ("wta", "--random", "4x4", "--json"),
    ("cost", "japan-2017-baseline", "--json"),
]


def _money(obj, where=""):
    """Every money object below ``obj``: a dict with 'jpy'."""
    if isinstance(obj, dict):
        if "jpy" in obj:
            yield where, obj
        for k, v in obj.items():
            yield from _money(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _money(v, f"{where}[{i}]")


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_json_output_has_schema_version_provenance_and_one_money_format(args):
    out = js(*args)
    assert out["schema_version"] == 1 and isinstance(out["kind"], str)
    assert out["provenance"]["bmdlab_version"] == __version__ and out["provenance"]["catalog_hash"]
    for where, m in _money(out):
        assert set(m) == {"jpy", "usd", "price_year"}, where
        assert all(isinstance(m[k], int) for k in m), where


def test_trade_off_option_keys_work_in_every_scenario_command():
    raid = js("raid", "aegis-ashore-48", "--trials", "200", "--json")
    cost = js("cost", "aegis-ashore-48", "--json")
    show = js("scenario", "show", "aegis-ashore-48", "--json")
    assert raid["provenance"]["scenario_hash"] == cost["provenance"]["scenario_hash"] == show["hash"]


def test_places_include_the_built_in_cities():
    by_name = js("trajectory", "--from", "sunan", "--to", "tokyo", "--json")
    by_coords = js("trajectory", "--from", "sunan", "--to", f"{by_name['to']['lat']},{by_name['to']['lon']}", "--json")
    assert by_name["range_km"] == by_coords["range_km"] and by_name["to"]["label"] == "Tokyo"
    res = run("trajectory", "--from", "sunan", "--to", "tokio")
    assert res.exit_code == 2 and res.output.startswith("error: --to:") and "tokyo" in res.output


def test_a_scenario_unit_may_stand_at_a_city(tmp_path):
    text = run("scenario", "show", "japan-2017-baseline").stdout
    data = yaml.safe_load(text)
    pac3 = next(u for u in data["architecture"]["units"] if u["unit"] == "pac-3-fire-unit")
    data["architecture"]["units"] = [{**pac3, "at": "osaka", "name": None}]
    data["architecture"]["units"][0].pop("name")
    f = tmp_path / "osaka.yaml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = js("coverage", str(f), "--resolution-km", "40", "--json")
    assert out["units"][0]["name"] == "osaka"
    by_name = js("footprint", "pac-3-fire-unit", "--at", "osaka", "--missile", "nodong", "--launch", "sunan", "--json")
    assert by_name["at"]["label"] == "Osaka" and by_name["area_km2"] > 0
    data["architecture"]["units"][0]["at"] = "osakaa"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    res = run("scenario", "validate", str(f))
    assert res.exit_code == 2 and "a city of Japan" in res.output


def test_the_engagement_model_options_reach_the_raid():
    import bmdlab

    default = js("raid", "japan-2017-thaad", "--trials", "300", "--json")
    straight = js("raid", "japan-2017-thaad", "--trials", "300", "--flyout", "straight-line", "--json")
    api = bmdlab.Analysis("japan-2017-thaad", flyout="straight-line").raid(trials=300)
    assert straight["expected_leakers"] == api.expected_leakers
    # the scenario is unchanged (its hash names the file); the override is recorded beside it
    assert (
        straight["provenance"]["scenario_hash"]
        == api.provenance.scenario_hash
        == default["provenance"]["scenario_hash"]
    )
    assert straight["provenance"]["options"]["flyout"] == api.provenance.options["flyout"] == "straight-line"
    assert "flyout" not in default["provenance"]["options"]
    # the result records the engagement model that ran (#22: `--limits ,` once changed it silently)
    assert straight["engagement_model"] == api.to_dict()["engagement_model"]
    assert straight["engagement_model"]["flyout"] == "straight-line" and len(default["engagement_model"]["limits"]) == 5


def test_one_doctrine_vocabulary():
    a = js("analytic", "--missiles", "20", "--sspk", "0.7", "--shots-per-missile", "2", "--doctrine", "salvo", "--json")
    b = js(
        "analytic", "--missiles", "20", "--sspk", "0.7", "--shots-per-missile", "2", "--doctrine", "salvo-2", "--json"
    )
    assert a["expected_leakers"] == b["expected_leakers"] and a["doctrine"] == b["doctrine"] == "salvo"
    r1 = js("raid", "japan-2017-thaad", "--trials", "300", "--doctrine", "salvo", "--json")
    r2 = js("raid", "japan-2017-thaad", "--trials", "300", "--doctrine", "salvo-2", "--json")
    assert r1["expected_leakers"] == r2["expected_leakers"] and r1["doctrine"] == "salvo"


def test_every_monte_carlo_defaults_to_the_study_seed():
    from bmdlab.study import raid_section

    assert DEFAULT_SEED == 2017
    assert js("raid", "japan-2017-baseline", "--trials", "200", "--json")["provenance"]["seed"] == DEFAULT_SEED
    assert js("wta", "--random", "3x3", "--json")["provenance"]["seed"] == DEFAULT_SEED
    assert raid_section.SEED == DEFAULT_SEED


def test_scenario_show_validate_round_trip(tmp_path):
    res = run("scenario", "show", "aegis-ashore-48")
    assert res.exit_code == 0
    f = tmp_path / "mine.yaml"
    f.write_text(res.stdout, encoding="utf-8")
    assert yaml.safe_load(res.stdout)["name"] == "aegis-ashore-48"
    ok = js("scenario", "validate", str(f), "--json")
    assert ok["files"][0]["valid"] is True
    # the written file is the same scenario: same raid numbers as the option key
    a = js("raid", str(f), "--trials", "200", "--json")
    b = js("raid", "aegis-ashore-48", "--trials", "200", "--json")
    assert a["expected_leakers"] == b["expected_leakers"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(res.stdout.replace("unit: aegis-ashore", "unit: aegis-ashor"), encoding="utf-8")
    res = run("scenario", "validate", str(f), str(bad))
    assert res.exit_code == 2 and "aegis-ashor'" in res.output and "did you mean 'aegis-ashore'" in res.output


def test_scenario_schema_describes_the_file():
    res = run("scenario", "schema")
    schema = json.loads(res.stdout)
    assert res.exit_code == 0 and {"name", "architecture", "threat"} <= set(schema["properties"])
    assert "raid" in schema["properties"] and schema["$schema"].startswith("https://json-schema.org/")


def test_scenario_list_names_every_accepted_name():
    out = js("scenario", "list", "--json")
    names = {r["name"] for r in out["scenarios"]}
    assert {"japan-2017-baseline", "japan-2017-thaad", "aegis-ashore-48", "baseline-6-ships"} <= names


def test_shell_completion_script_and_scenario_completion(monkeypatch):
    # the script for a named shell (Typer detects the user's shell itself outside tests)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    res = runner.invoke(app, ["--show-completion", "bash"])
    assert res.exit_code == 0 and "_BMDLAB_COMPLETE" in res.stdout and "complete " in res.stdout
    # what bash asks the installed command for: a scenario name after `bmdlab raid`, in a real process
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("bmdlab")
    env = {
        **os.environ,
        "_BMDLAB_COMPLETE": "complete_bash",
        "COMP_WORDS": "bmdlab raid japan-2017-t",
        "COMP_CWORD": "2",
    }
    out = subprocess.run([str(exe)], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["japan-2017-thaad"], out.stdout + out.stderr
    from bmdlab.cli._app import complete_key

    assert complete_key("missiles")("hwasong-1")


def test_library_errors_are_shown_with_the_commands_option_names():
    res = run("raid", "japan-2017-thaad", "--memory-budget-gib", "-1")
    assert res.exit_code == 2 and res.output.startswith("error: --memory-budget-gib:")
    res = run("trajectory", "--from", "sunan", "--to", "tokyo", "--range-km", "100")
    assert res.exit_code == 2 and "--to" in res.output and "--range-km" in res.output and "range_km" not in res.output
    res = run("site", "thaad-battery", "--count", "2", "--area", "nowhere")
    assert res.exit_code == 2 and res.output.startswith("error: --area:") and len(res.output.strip().splitlines()) == 1
