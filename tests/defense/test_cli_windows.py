"""`bmdlab windows`: the tables, --json (equal to the API's to_dict) and one-line errors with exit code 2.

(Named test_cli_windows.py, like tests/coverage/test_cli_coverage.py: the test folders have no __init__.py, so a
second test_windows.py beside tests/defense/test_windows.py would not import.)"""

import json

import pytest
from typer.testing import CliRunner

from bmdlab.api import windows
from bmdlab.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_windows_default_run_prints_both_tables():
    res = run("windows")
    assert res.exit_code == 0, res.output
    out = res.stdout
    for text in ("Hwasong-7", "KN-23", "Hwasong-8", "sm-3-iia", "pac-3-mse", "radar detection", "fps5-sado", "never"):
        assert text in out
    assert "flown 690 km on the bearing to Tokyo" in out  # the KN-23 does not reach Tokyo from Hodo


def test_windows_json_equals_the_api_result():
    res = run("windows", "--missile", "kn-23", "--interceptor", "sm-3-ia", "--interceptor", "pac-3-mse", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["kind"] == "windows" and out["schema_version"] >= 1 and out["provenance"]["catalog_hash"]
    assert [(r["missile"], r["interceptor"]) for r in out["windows"]] == [("kn-23", "sm-3-ia"), ("kn-23", "pac-3-mse")]
    sm3, pac3 = out["windows"]
    assert not sm3["engageable_on_descent"] and pac3["engageable_on_descent"] and pac3["descent_s"] > 0
    assert len(out["detections"]) == 9 and out["notes"]
    expected = windows(["kn-23"], ["sm-3-ia", "pac-3-mse"])
    assert out == json.loads(json.dumps(expected.to_dict()))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--missile", "kn24"), "--missile: unknown missile 'kn24'"),
        (("--interceptor", "sm-7"), "--interceptor: unknown interceptor 'sm-7'"),
        (("--from", "atlantis"), "--from: 'atlantis' is not LAT,LON"),
        (("--missile", "kn-23", "--to", "tokyo"), "--to: Tokyo is 1,14"),
        (("--to", "95,139"), "--to: latitude 95 is out of range"),
        (("--missile", "kn-23", "--missile", "kn-23"), "--missile: 'kn-23' is given twice"),
    ],
)
def test_windows_bad_input_is_one_line_exit_2(args, message):
    res = run("windows", *args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1
