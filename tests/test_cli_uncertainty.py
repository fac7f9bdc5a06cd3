"""``bmdlab uncertainty``: its JSON is the result's to_dict(), it resumes, and bad input is one line (exit 2, no
traceback, nothing written)."""

import json

import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.cli import app
from bmdlab.sensitivity import sweep as sw
from bmdlab.sensitivity.model import METRICS

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def _stub(point, *, trials, seed, catalog_dir, memo):
    """The model replaced (the command is under test, not the model): metrics from the factors' values."""
    leakers = 100.0 - 10.0 * float(point["fire_channels_quantile"]) - 50.0 * float(point["sea_availability"])
    return {
        **{m: 0.5 for m in METRICS},
        "expected_leakers": leakers,
        "cost_total_jpy": 1e12 * float(point["cost_scale"]),
        "price_year": 2017,
    }


@pytest.fixture
def stub_model(monkeypatch):
    monkeypatch.setattr(sw, "evaluate", _stub)
    results = []
    real = bmdlab.Analysis.uncertainty

    def keep(self, *a, **k):
        results.append(real(self, *a, **k))
        return results[-1]

    monkeypatch.setattr(bmdlab.Analysis, "uncertainty", keep)
    return results


ARGS = ["uncertainty", "japan-2017-thaad", "--samples", "2", "--trials", "20", "--workers", "1"]


def test_json_is_the_results_to_dict(stub_model, tmp_path):
    store = tmp_path / "u.duckdb"
    res = run(*ARGS, "--store", str(store), "--json")
    assert res.exit_code == 0, res.output
    printed = json.loads(res.stdout)
    assert printed == json.loads(json.dumps(stub_model[-1].to_dict()))
    assert printed["kind"] == "uncertainty" and printed["provenance"]["options"]["missiles"] == 200
    assert printed["runs"] == len({json.dumps(p, sort_keys=True) for p in printed["points"]}) and store.exists()
    r = stub_model[-1]  # the stub is linear: mu* = |slope| x range (Morris 1991, as in test_uncertainty.py)
    for name, slope in (("fire_channels_quantile", 10.0), ("sea_availability", 50.0), ("sspk_quantile", 0.0)):
        f = r.factor(name)
        assert r.indices["expected_leakers"][name]["mu_star"] == pytest.approx(slope * (f.high - f.low), abs=1e-6)
    res = run(*ARGS, "--store", str(store), "--json")
    assert res.exit_code == 2 and "--resume" in res.output
    res = run(*ARGS, "--store", str(store), "--resume", "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["indices"] == printed["indices"]


def test_the_table(stub_model):
    res = run(*ARGS)
    assert res.exit_code == 0, res.output
    assert "fire_channels_quantile" in res.stdout and "leakers" in res.stdout and "95 %" in res.stdout


@pytest.mark.parametrize(
    "args, msg",
    [
        (["uncertainty", "japan-2017-thaaad"], "neither a built-in scenario"),
        (["uncertainty", "japan-2017-thaad", "--samples", "0"], "--samples: 0 must be a whole number"),
        (["uncertainty", "japan-2017-thaad", "--samples", "-3"], "--samples: -3 must be a whole number"),
        (
            ["uncertainty", "japan-2017-thaad", "--method", "sobol", "--samples", "10"],
            "--samples: 10 is not a power of two",
        ),
        (["uncertainty", "japan-2017-thaad", "--method", "fast"], "--method: unknown method 'fast'"),
        (["uncertainty", "japan-2017-thaad", "--trials", "0"], "--trials: 0 must be"),
        (["uncertainty", "japan-2017-thaad", "--workers", "0"], "--workers: 0 must be"),
    ],
)
def test_bad_input_one_line_exit_2(args, msg, tmp_path):
    store = tmp_path / "u.duckdb"
    res = run(*args, "--store", str(store))
    assert res.exit_code == 2, res.output
    assert msg in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert not store.exists()


def test_a_bad_scheduler_is_one_line_and_leaves_no_store(tmp_path, stub_model):
    pytest.importorskip("distributed")
    store = tmp_path / "u.duckdb"
    for address in ("tcp://127.0.0.1:9", "not an address"):
        res = run(*ARGS[:-2], "--scheduler", address, "--store", str(store))
        assert res.exit_code == 2, res.output
        assert "--scheduler: cannot reach a Dask scheduler" in res.output
        assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1, res.output
        assert not store.exists()


def test_a_scenario_file_is_refused(tmp_path):
    """Worker processes resolve the scenario by name, so a YAML file (valid here) is refused before any work."""
    from importlib import resources

    f = tmp_path / "mine.yaml"
    f.write_text((resources.files("bmdlab") / "scenarios" / "japan-2017-thaad.yaml").read_text(encoding="utf-8"))
    res = run("uncertainty", str(f))
    assert res.exit_code == 2, res.output
    assert (
        "SCENARIO: an uncertainty analysis runs on a built-in scenario or a trade-off option key, not a file"
        in res.output
    )
    assert len(res.output.strip().splitlines()) == 1
