"""Paired comparison of two architectures (bmdlab.compare, `bmdlab compare`): the interval comes from
per-trial differences, the verdict is computed from the interval, and the CLI prints the API's JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app
from bmdlab.engagement.paired import compare_verdict
from bmdlab.errors import BmdlabError

runner = CliRunner()


def test_comparing_an_architecture_with_itself_gives_exactly_zero():
    # Closed form: the same scenario on the same seed draws the same numbers, so every paired difference is 0.
    r = bmdlab.compare("japan-2017-baseline", "baseline", trials=300)
    assert r.difference == 0.0 and r.difference_ci95 == (0.0, 0.0)
    assert "identical" in r.verdict and "resolved" not in r.verdict  # issue #26: more trials cannot change it


def test_the_interval_is_the_per_trial_differences_of_two_independent_runs():
    # Independent computation: each side run alone through Analysis.raid, differences taken with NumPy.
    r = bmdlab.compare("japan-2017-baseline", "japan-2017-aegis-ashore", trials=800, seed=11)
    a = bmdlab.Analysis("japan-2017-baseline", seed=11).raid(trials=800, keep_trials=True)
    sb = bmdlab.resolve_scenario("japan-2017-aegis-ashore", builtin_catalog())
    sa = bmdlab.resolve_scenario("japan-2017-baseline", builtin_catalog())
    b = bmdlab.Analysis(sa.model_copy(update={"architecture": sb.architecture, "name": sb.name}), seed=11).raid(
        trials=800, keep_trials=True
    )
    d = b.tally.leakers_per_trial.astype(float) - a.tally.leakers_per_trial.astype(float)
    half = 1.96 * d.std(ddof=1) / np.sqrt(d.size)
    assert r.difference == pytest.approx(d.mean(), abs=1e-12)
    assert r.difference_ci95 == pytest.approx((d.mean() - half, d.mean() + half), abs=1e-12)
    assert r.a.expected_leakers == a.expected_leakers and r.b.expected_leakers == b.expected_leakers
    # per-trial leakers reproduce the exact histogram the tally keeps
    assert np.array_equal(
        np.bincount(a.tally.leakers_per_trial, minlength=a.tally.leaker_counts.size), a.tally.leaker_counts
    )


def test_the_verdict_follows_the_interval_and_flips_with_the_sides():
    assert "fewer" in compare_verdict("A", "B", -3.0, (-4.0, -2.0), 200, 1000)
    assert "more" in compare_verdict("A", "B", 3.0, (2.0, 4.0), 200, 1000)
    assert compare_verdict("A", "B", 0.1, (-0.5, 0.7), 200, 1000).startswith("No difference")
    fwd = bmdlab.compare("japan-2017-baseline", "japan-2017-thaad", trials=200)
    back = bmdlab.compare("japan-2017-thaad", "japan-2017-baseline", trials=200)
    assert "lets fewer" in fwd.verdict and "lets more" in back.verdict
    frame = fwd.to_frame()
    assert list(frame["side"]) == ["a", "b", "b - a"]


def test_bad_input_names_the_parameter():
    with pytest.raises(BmdlabError, match="^b: 'nope'"):
        bmdlab.compare("japan-2017-baseline", "nope")
    with pytest.raises(BmdlabError, match="^trials: 1 must be"):
        bmdlab.compare("japan-2017-baseline", "thaad", trials=1)


def test_cli_prints_the_api_json_and_refuses_bad_input_in_one_line():
    res = runner.invoke(app, ["compare", "japan-2017-baseline", "japan-2017-aegis-ashore", "--trials", "300", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    ref = bmdlab.compare("japan-2017-baseline", "japan-2017-aegis-ashore", trials=300).to_dict()
    assert got["kind"] == "compare" and got["difference"] == ref["difference"] and got["verdict"] == ref["verdict"]
    res = runner.invoke(app, ["compare", "japan-2017-baseline", "japan-2017-thaad", "--trials", "300"])
    assert res.exit_code == 0 and "B - A" in res.stdout and "fewer missiles" in res.stdout
    bad = runner.invoke(app, ["compare", "japan-2017-baseline", "nope"])
    assert bad.exit_code == 2 and "B: 'nope'" in bad.output and "Traceback" not in bad.output
    assert len(bad.output.strip().splitlines()) == 1
