"""The cost, trade-off, sensitivity and WTA commands: outputs and one-line errors (exit 2)."""

import json

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_cost_json_fields():
    res = run("cost", "japan-2017-aegis-ashore", "--years", "10", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    for k in ("acquisition", "interceptors", "operation", "total"):
        assert d[k]["jpy"] > 0 and d[k]["usd"] > 0
    assert d["total"]["jpy"] == pytest.approx(
        sum(d[k]["jpy"] for k in ("acquisition", "interceptors", "operation")), abs=3
    )
    assert d["years"] == 10 and d["price_year"] == 2017


def test_sweep_cli_writes_and_resumes(tmp_path):
    out = tmp_path / "s.duckdb"
    args = ["sweep", "--axis", "missiles=10,20", "--out", str(out), "--trials", "100", "--workers", "1", "--json"]
    res = run(*args)
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["runs"]) == 2
    res = run(*args)
    assert res.exit_code == 2 and "--resume" in res.output
    res = run(*args, "--resume")
    assert res.exit_code == 0 and len(json.loads(res.stdout)["runs"]) == 2


@pytest.mark.parametrize(
    "args, msg",
    [
        (["tradeoff", "--budget-jpy", "-5"], "--budget-jpy: -5 must be a number from 0 yen to 1e+16 yen"),
        (
            ["cost", "japan-2017-aegis-ashore", "--years", "-1"],
            "--years: -1 must be a whole number from 0 to 100 years",
        ),
        (["cost", "japan-2017-aegis-ashor"], "neither a built-in scenario"),
        (
            ["cost", "japan-2017-baseline", "--price-year", "1900"],
            "--price-year: 1900 must be a whole number from 1990 to 2030",
        ),
        (["tornado", "--metric", "leakers"], "did you mean"),
        (["sweep", "--axis", "missiles=a,,b", "--out", "x.duckdb"], "has an empty value"),
        (["wta", "missing.json"], "missing.json"),
        (["wta", "missing.json", "--method", "magic"], "--method"),
    ],
)
def test_bad_input_one_line_exit_2(args, msg):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert msg in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_wta_cli(tmp_path):
    f = tmp_path / "i.json"
    f.write_text(json.dumps({"values": [10, 5], "kill_probability": [[0.9, 0.5], [0.8, 0.6]]}))
    res = run("wta", str(f), "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    # brute force over 4 assignments: best is weapon 0 -> 0 and weapon 1 -> 1: 10*0.1 + 5*0.4 = 3.0
    assert d["assignment"] == [0, 1] and d["objective"] == pytest.approx(3.0)
    assert d["bound"] <= d["objective"] + 1e-9 and d["method"] == "exact"
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"values": [10, 5], "kill_probability": [[0.9, 1.5], [0.8, 0.6]]}))
    res = run("wta", str(bad))
    assert res.exit_code == 2 and "kill_probability" in res.output
