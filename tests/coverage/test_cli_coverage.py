"""`bmdlab coverage`, `bmdlab site` and `bmdlab footprint`: outputs and one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_coverage_json_and_map(tmp_path):
    png = tmp_path / "cov.png"
    res = run("coverage", "japan-2017-aegis-ashore", "--resolution-km", "40", "--json", "--map", str(png))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("land_fraction", "population_fraction", "per_launch_area", "cities", "units"):
        assert key in out
    assert {"name", "population", "defended", "shot_opportunities"} <= set(out["cities"][0])
    assert {"name", "system", "population_fraction_alone"} <= set(out["units"][0])
    assert 0.0 <= out["population_fraction"] <= 1.0
    assert png.stat().st_size > 20_000


def test_site_json(tmp_path):
    res = run(
        "site", "thaad-battery", "--count", "2", "--resolution-km", "50", "--candidate-spacing-km", "150", "--json"
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["system"] == "thaad-battery" and out["count"] == 2 and len(out["sites"]) == 2
    assert {"lat", "lon"} <= set(out["sites"][0])
    assert 0.0 <= out["population_fraction"] <= 1.0 and out["gap"] <= 1e-3
    res = run(
        "site",
        "thaad-battery",
        "--population-target",
        "0.5",
        "--resolution-km",
        "50",
        "--candidate-spacing-km",
        "150",
        "--json",
    )
    out = json.loads(res.stdout)
    assert out["population_fraction"] >= 0.5 and out["target_met"]


def test_footprint_json():
    res = run(
        "footprint", "pac-3-fire-unit", "--at", "35.694,139.729", "--missile", "nodong", "--launch", "wonsan", "--json"
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert 10 <= out["max_radius_km"] < 100 and out["area_km2"] > 0 and out["max_shot_opportunities"] >= 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["coverage", "japan-2017-basline"], "neither a built-in scenario"),
        (["coverage", "japan-2017-baseline", "--resolution-km", "0"], "--resolution-km"),
        (["site", "thaad", "--count", "2"], "did you mean 'thaad-battery'"),
        (["site", "kongo-class", "--count", "2"], "is sea-based"),
        (["site", "thaad-battery"], "give exactly one of"),
        (["site", "thaad-battery", "--count", "-1"], "--count"),
        (["site", "thaad-battery", "--population-target", "1.5"], "--population-target"),
        (
            ["footprint", "pac-3-fire-unit", "--at", "36.0,135.0", "--missile", "nodong", "--launch", "wonsan"],
            "is in the sea",
        ),
        (
            ["footprint", "kongo-class", "--at", "35.69,139.73", "--missile", "nodong", "--launch", "wonsan"],
            "is on land",
        ),
        (
            ["footprint", "pac-3-fire-unit", "--at", "35.69,139.73", "--missile", "nodon", "--launch", "wonsan"],
            "did you mean 'nodong'",
        ),
    ],
)
def test_bad_input_one_line(args, message):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1
