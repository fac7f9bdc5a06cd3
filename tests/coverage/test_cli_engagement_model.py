"""CLI: the engagement model options (--flyout, --limits), `bmdlab check-footprints`, and their one-line errors."""

import json
import shutil

import pytest
import yaml
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_footprint_physical_is_smaller_than_straight_line():
    """The physical fly-out with its limits defends less than the earlier straight-line model (THAAD vs Nodong)."""
    args = ["footprint", "thaad-battery", "--at", "36.0,137.0", "--missile", "nodong", "--launch", "sunan", "--json"]
    phys = json.loads(run(*args).stdout)
    legacy = json.loads(run(*args, "--flyout", "straight-line", "--limits", "none").stdout)
    assert phys["engagement_model"] == {
        "flyout": "physical",
        "limits": sorted(["crossing", "field-of-view", "launcher-elevation", "min-flight-time", "track-rcs"]),
    }
    assert legacy["engagement_model"] == {"flyout": "straight-line", "limits": []}
    assert 0 < phys["area_km2"] < legacy["area_km2"]


def test_coverage_records_the_engagement_model():
    res = run(
        "coverage", "japan-2017-baseline", "--resolution-km", "60", "--json", "--limits", "crossing,min-flight-time"
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["engagement_model"] == {
        "flyout": "physical",
        "limits": ["crossing", "min-flight-time"],
    }


def test_bad_engagement_options_are_one_line_errors():
    res = run(
        "footprint",
        "thaad-battery",
        "--at",
        "36.0,137.0",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
        "--flyout",
        "rocket",
    )
    assert (
        res.exit_code == 2 and "--flyout: unknown flyout 'rocket': valid keys are physical, straight-line" in res.output
    )
    assert "Traceback" not in res.output
    res = run("coverage", "japan-2017-baseline", "--limits", "crossing,divert")
    assert res.exit_code == 2 and "--limits: unknown engagement limit 'divert'" in res.output
    res = run("check-footprints", "--case", "nope")
    assert res.exit_code == 2 and "--case: unknown case 'nope'" in res.output


def test_interceptor_without_burn_time_is_a_one_line_error(tmp_path):
    """A user catalog whose THAAD has no burn time (or a zero one) is refused in one line, naming the field."""
    from importlib import resources

    src = resources.files("bmdlab") / "catalog" / "data"
    cdir = tmp_path / "cat"
    shutil.copytree(str(src), cdir)
    data = yaml.safe_load((cdir / "interceptors.yaml").read_text())
    del data["interceptors"]["thaad"]["burn_time"]
    (cdir / "interceptors.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    res = run(
        "--catalog",
        str(cdir),
        "footprint",
        "thaad-battery",
        "--at",
        "36.0,137.0",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
    )
    assert res.exit_code == 2 and "thaad" in res.output and "burn_time" in res.output and "Traceback" not in res.output
    data["interceptors"]["thaad"]["burn_time"] = {
        "value": 0,
        "unit": "s",
        "source": "bmdlab-assumptions",
        "year": 2026,
        "confidence": "assumed",
    }
    (cdir / "interceptors.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    res = run(
        "--catalog",
        str(cdir),
        "footprint",
        "thaad-battery",
        "--at",
        "36.0,137.0",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
    )
    # refused when the catalog loads (bmdlab.catalog.units: a burn time is a time > 0)
    assert res.exit_code == 2 and "interceptors.thaad.burn_time: value 0 must be a number > 0" in res.output
    # the straight-line model does not need the fly-out fields
    del data["interceptors"]["thaad"]["launch_mass"]
    data["interceptors"]["thaad"]["burn_time"]["value"] = 15
    (cdir / "interceptors.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    base = [
        "--catalog",
        str(cdir),
        "footprint",
        "thaad-battery",
        "--at",
        "36.0,137.0",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
    ]
    res = run(*base)
    assert res.exit_code == 2 and "interceptor thaad: launch_mass is missing" in res.output
    assert run(*base, "--flyout", "straight-line", "--json").exit_code == 0


@pytest.mark.slow
def test_check_footprints_json_and_markdown(tmp_path):
    md = tmp_path / "v.md"
    res = run("check-footprints", "--case", "pac-3-radius", "--case", "sm-3-ia-ftm-17", "--json", "--markdown", str(md))
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [c["id"] for c in out["cases"]] == ["pac-3-radius", "sm-3-ia-ftm-17"]
    for c in out["cases"]:
        assert {"published_low", "model", "ratio", "within_tolerance", "legacy_model", "explanation", "sources"} <= set(
            c
        )
    assert out["provenance"]["catalog_hash"] and out["provenance"]["bmdlab_version"] and out["schema_version"] == 1
    text = md.read_text()
    assert "| PAC-3 defended radius |" in text and "## Why they differ" in text
