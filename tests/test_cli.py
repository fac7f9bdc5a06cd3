"""The command line: outputs a new user relies on, and one-line errors with exit code 2."""

import json

import pytest
from typer.testing import CliRunner

from bmdlab import __version__
from bmdlab.cli import app

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, list(args), env=env)


def test_version():
    res = run("--version")
    assert res.exit_code == 0 and __version__ in res.stdout


def test_catalog_list_and_show_json():
    res = run("catalog", "list", "--kind", "missiles", "--json")
    assert res.exit_code == 0, res.output
    keys = {e["key"] for e in json.loads(res.stdout)["entries"]}
    assert {"nodong", "hwasong-12", "kn-23"} <= keys
    res = run("catalog", "show", "sm-3-iia", "--json")
    data = json.loads(res.stdout)
    assert data["kind"] == "interceptors" and data["burnout_speed"]["source"] in data["sources"]
    res = run("catalog", "list")
    assert res.exit_code == 0 and "hwasong-15" in res.stdout
    res = run("catalog", "show", "araya")
    assert res.exit_code == 0 and "Araya" in res.stdout


def test_trajectory_json_fields(tmp_path):
    png = tmp_path / "p.png"
    res = run(
        "trajectory",
        "--missile",
        "hwasong-12",
        "--from",
        "39.22,125.67",
        "--range-km",
        "2700",
        "--azimuth-deg",
        "75",
        "--shape",
        "depressed",
        "--apogee-km",
        "550",
        "--json",
        "--plot",
        str(png),
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("range_km", "apogee_km", "flight_time_s", "burnout_speed_m_s", "reentry_speed_m_s", "shape"):
        assert key in out
    assert out["range_km"] == pytest.approx(2700, rel=1e-6)
    assert out["apogee_km"] == pytest.approx(550, rel=1e-6)
    assert png.stat().st_size > 10_000


def test_trajectory_to_place_key_and_table():
    res = run("trajectory", "--missile", "nodong", "--from", "wonsan", "--to", "35.69,139.75")
    assert res.exit_code == 0, res.output
    assert "flight time" in res.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--missile", "nodongg", "--from", "39,125", "--to", "35,139"], "did you mean 'nodong'"),
        (["--from", "95,125", "--to", "35,139"], "--from: latitude 95 is out of range"),
        (["--from", "39;125", "--to", "35,139"], "--from: '39;125' is not LAT,LON"),
        (["--from", "39,125", "--to", "abc"], "--to: 'abc' is not LAT,LON"),
        (["--missile", "scud-b", "--from", "39,125", "--to", "35.69,139.75"], "beyond the"),
        (["--from", "39,125"], "give either --to"),
        (["--from", "39,125", "--range-km", "1000"], "--azimuth-deg"),
        (["--from", "39,125", "--to", "35,139", "--shape", "loftd"], "unknown shape"),
        (["--from", "39,125", "--to", "35,139", "--shape", "lofted"], "needs --apogee-km"),
        (
            [
                "--missile",
                "nodong",
                "--from",
                "39,125",
                "--to",
                "35,135",
                "--shape",
                "depressed",
                "--apogee-km",
                "5000",
            ],
            "--apogee-km",
        ),
    ],
)
def test_trajectory_bad_input_is_one_line_exit_2(args, message):
    res = run("trajectory", *args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_bad_catalog_directory(tmp_path, catalog_copy):
    (catalog_copy / "missiles.yaml").write_text("missiles: [1, 2\n")
    res = run("--catalog", str(catalog_copy), "catalog", "list")
    assert res.exit_code == 2 and "missiles.yaml: not valid YAML" in res.stderr
    res = run("--catalog", str(tmp_path / "none"), "catalog", "list")
    assert res.exit_code == 2 and "does not exist" in res.stderr


def test_unknown_kind_and_key():
    res = run("catalog", "list", "--kind", "missile")
    assert res.exit_code == 2 and "--kind: unknown catalog kind" in res.stderr
    res = run("catalog", "show", "thad")
    assert res.exit_code == 2 and "did you mean 'thaad'" in res.stderr


def test_analytic_json_and_bad_input():
    res = run("analytic", "--missiles", "10", "--sspk", "0.8", "--shots-per-missile", "2", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["p_zero_leakers"] == pytest.approx(0.96**10) and out["expected_leakers"] == pytest.approx(0.4)
    res = run("analytic", "--missiles", "10", "--sspk", "1.3", "--shots-per-missile", "2")
    assert res.exit_code == 2 and "--sspk" in res.stderr and "Traceback" not in res.output
