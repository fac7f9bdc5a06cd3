"""Bad input files (#10): each case is refused with one line and exit 2, never a traceback or a silent answer."""

import os
import shutil
from importlib import resources

import pytest
import yaml
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()
BASELINE = resources.files("bmdlab") / "scenarios" / "japan-2017-baseline.yaml"


def refused(res, *fragments):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.output.strip().startswith("error:")
    assert len(res.output.strip().splitlines()) == 1 or all(f in res.output for f in fragments)
    for f in fragments:
        assert f in res.output, res.output


def test_duplicate_keys_in_a_scenario(tmp_path):
    text = BASELINE.read_text(encoding="utf-8")
    arch = text[text.index("architecture:"):text.index("threat:")]
    p = tmp_path / "dup.yaml"
    p.write_text(text + "\n" + arch)  # a second architecture: would silently replace the first
    refused(runner.invoke(app, ["coverage", str(p)]), "duplicate key 'architecture'")


def test_duplicate_entry_in_the_catalog(tmp_path):
    cdir = tmp_path / "cat"
    shutil.copytree(str(resources.files("bmdlab") / "catalog" / "data"), cdir)
    text = (cdir / "missiles.yaml").read_text(encoding="utf-8")
    nodong = text[text.index("  nodong:"):text.index("  musudan:")]
    (cdir / "missiles.yaml").write_text(text + "\n" + nodong, encoding="utf-8")
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "nodong"]), "duplicate key 'nodong'")


def test_non_finite_catalog_value(tmp_path):
    cdir = tmp_path / "cat"
    shutil.copytree(str(resources.files("bmdlab") / "catalog" / "data"), cdir)
    data = yaml.safe_load((cdir / "interceptors.yaml").read_text())
    data["interceptors"]["thaad"]["burnout_speed"]["value"] = float("nan")
    (cdir / "interceptors.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "thaad"]), "must be a finite number")


@pytest.mark.parametrize("field,value", [("launch_spread_s", float("inf")), ("launch_spread_s", float("nan"))])
def test_non_finite_scenario_numbers(tmp_path, field, value):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["raid"]["salvos"][0][field] = value
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    refused(runner.invoke(app, ["raid", str(p), "--trials", "10"]), f"raid.salvos.0.{field}", "finite")


def test_latitude_out_of_range_names_the_field(tmp_path):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["architecture"]["units"][0]["at"] = {"lat": 91, "lon": 135}
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    refused(runner.invoke(app, ["coverage", str(p)]), "architecture.units.0.at.lat: Input should be less than or equal to 90")


def test_non_utf8_and_deep_yaml(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("name: Tōkyō\n".encode("latin-1", errors="replace") + b"\xff\n")
    refused(runner.invoke(app, ["coverage", str(p)]), "not UTF-8")
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    refused(runner.invoke(app, ["coverage", str(p)]), "nested deeper than")


def test_wta_inputs_that_are_not_instances(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(runner.invoke(app, ["wta", str(fifo)]), "not a regular file")  # would block forever if opened
    refused(runner.invoke(app, ["wta", "/dev/zero"]), "not a regular file")  # would eat memory if read
    refused(runner.invoke(app, ["wta", str(tmp_path)]), "is a folder")
    p = tmp_path / "deep.json"
    p.write_text("[" * 5000 + "]" * 5000)
    refused(runner.invoke(app, ["wta", str(p)]), "nested too deeply")
    p = tmp_path / "big.json"
    p.write_text('{"values": [1' + "0" * 400 + '], "kill_probability": [[0.5]]}')
    refused(runner.invoke(app, ["wta", str(p)]), "values must be finite numbers")
    p = tmp_path / "k3.json"
    p.write_text('{"values": [1, 2], "kill_probability": [[[0.5], [0.2]]]}')
    refused(runner.invoke(app, ["wta", str(p)]), "kill_probability must be a 2-D list")


def _raid_scenario(tmp_path, **raid):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["raid"].update(raid)
    p = tmp_path / "r.yaml"
    p.write_text(yaml.safe_dump(d))
    return str(p)


def test_raid_assets_and_sizes(tmp_path):
    a = {"name": "Base", "lat": 35.0, "lon": 139.0, "value": 1.0}
    refused(runner.invoke(app, ["raid", _raid_scenario(tmp_path, assets=[a, dict(a, lat=34.0)]), "--trials", "10"]),
            "asset name 'Base' is used twice")
    refused(runner.invoke(app, ["raid", _raid_scenario(tmp_path, assets=[]), "--trials", "10"]), "assets is empty")
    big = [{"count": 3000, "missile": "nodong", "launch_area": "sunan"}, {"count": 3000, "missile": "nodong", "launch_area": "wonsan"}]
    refused(runner.invoke(app, ["raid", _raid_scenario(tmp_path, salvos=big), "--trials", "10"]), "at most 5,000")


def test_sweep_counts_must_be_whole_numbers(tmp_path):
    refused(runner.invoke(app, ["sweep", "--axis", "missiles=10.7", "--out", str(tmp_path / "s.duckdb")]),
            "missiles = 10.7 must be a whole number")
    assert not (tmp_path / "s.duckdb").exists()


def test_json_output_is_strict():
    """NaN and infinity are not JSON (RFC 8259): they become null, listed under non_finite_as_null."""
    import json

    from bmdlab.io import json_text

    text = json_text({"x": float("nan"), "y": [1.0, float("-inf")]})
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"x": None, "y": [1.0, None], "non_finite_as_null": ["x", "y[1]"]}
