"""Coverage through the ships' rotation and the hulls a rotation needs (bmdlab.coverage.over_time).

Independent checks: the share with every station manned equals the coverage's own defended share
(Coverage.defended, a different code path); the time view's shares take only the values of the
stations it mans, for the share of time the rotation arithmetic gives; hulls needed = ceil(k / s).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import national_coverages
from bmdlab.coverage.over_time import coverage_over_time, ships_to_match
from bmdlab.errors import BmdlabError
from bmdlab.scenario import resolve_scenario


@pytest.fixture(scope="module")
def baseline():
    cat = builtin_catalog()
    setups = [
        assemble(resolve_scenario("japan-2017-baseline", cat), cat, Overrides(availability=a)) for a in (0.375, 0.5)
    ]
    cov = national_coverages(setups[:1], 40.0)[0]
    return cov, setups


def test_every_station_manned_is_the_coverage_itself(baseline):
    cov, (s375, _) = baseline
    m = ships_to_match(cov, s375.posture, "kongo-class", 0.0)
    rows = m["by_stations"]
    assert [r["stations"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[-1]["people_fraction"] == pytest.approx(cov.fractions(cov.defended())[1], abs=1e-4)
    people = [r["people_fraction"] for r in rows]
    assert all(b >= a - 1e-12 for a, b in zip(people, people[1:]))  # a station more never defends fewer
    assert m["stations"] == 0  # a target of nothing needs no station


@pytest.mark.parametrize("share", [0.375, 0.5])
def test_time_view_follows_the_schedule(baseline, share):
    cov, setups = baseline
    setup = setups[0 if share == 0.375 else 1]
    rows = ships_to_match(cov, setup.posture, "kongo-class", 0.0)["by_stations"]
    view = coverage_over_time(cov, setup.posture, days=30, step_h=1)
    low = math.floor(4 * share)
    expected = {rows[low]["people_fraction"], rows[min(low + 1, 4)]["people_fraction"]}
    assert set(np.round(view.people, 4)) <= expected
    high_share = 4 * share - low  # frac(n s) of the time at the larger count
    assert np.mean(view.on_station - (len(cov.defenders) - 4) == low + 1) == pytest.approx(high_share, abs=2 / 720)


def test_hulls_needed_is_the_rotation_arithmetic(baseline):
    cov, (s375, s50) = baseline
    target = (
        ships_to_match(cov, s375.posture, "kongo-class", 0.0)["by_stations"][3]["people_fraction"] - 1e-4
    )  # (shown rounded to 4 digits)
    for setup, share in ((s375, 0.375), (s50, 0.5)):
        m = ships_to_match(cov, setup.posture, "kongo-class", target)
        assert m["stations"] <= 3
        assert m["hulls_needed"] == math.ceil(m["stations"] / share)  # 3 / 0.375 = 8; 3 / 0.5 = 6
        assert m["extra_hulls"] == max(0, m["hulls_needed"] - 4)
    unreachable = ships_to_match(cov, s50.posture, "kongo-class", 1.0)
    if unreachable["by_stations"][-1]["people_fraction"] < 1.0:
        assert unreachable["stations"] is None and unreachable["hulls_needed"] is None


def test_bad_inputs(baseline):
    cov, (s375, _) = baseline
    with pytest.raises(BmdlabError, match="fleet: 'thaad-battery'"):
        ships_to_match(cov, s375.posture, "thaad-battery", 0.9)
    with pytest.raises(BmdlabError, match="target_people"):
        ships_to_match(cov, s375.posture, "kongo-class", 1.5)
    with pytest.raises(BmdlabError, match="days: -1"):
        coverage_over_time(cov, s375.posture, days=-1)
    with pytest.raises(BmdlabError, match="step_h"):
        coverage_over_time(cov, s375.posture, days=1, step_h=48)


def test_rotation_from_the_api_and_the_cli(tmp_path):
    import json

    from typer.testing import CliRunner

    from bmdlab.api import Analysis
    from bmdlab.cli import app

    res = Analysis("japan-2017-baseline").rotation(40.0, days=2, compare_with="japan-2017-aegis-ashore")
    d = res.to_dict()
    assert d["kind"] == "rotation" and d["samples"] == 48
    assert d["ships_to_match"]["fleet"] == "kongo-class"
    assert len(res.to_frame()) == 48
    table = tmp_path / "month.csv"
    out = CliRunner().invoke(
        app,
        ["rotation", "japan-2017-baseline", "--resolution-km", "40", "--days", "2", "--json", "--table", str(table)],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["population_fraction"]["min"] == d["population_fraction"]["min"]
    assert table.read_text().count("\n") == 49  # a header and 48 hours
    # bad input: one line naming the option, non-zero exit, nothing written
    bad = tmp_path / "bad.csv"
    out = CliRunner().invoke(app, ["rotation", "japan-2017-baseline", "--step-h", "0", "--table", str(bad)])
    assert out.exit_code != 0 and "--step-h" in out.output and "Traceback" not in out.output
    assert not bad.exists()
    out = CliRunner().invoke(app, ["rotation", "japan-2017-baseline", "--compare-with", "nope"])
    assert out.exit_code == 2 and out.output.startswith("error: --compare-with: 'nope'"), out.output
    assert "started" not in out.output  # refused before any coverage is computed
    out = CliRunner().invoke(app, ["rotation", "japan-2017-baseline", "--set", "posture=independent"])
    assert out.exit_code != 0 and "posture" in out.output
