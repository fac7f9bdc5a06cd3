"""Correlated (common-mode) interceptor failures: the Monte Carlo against the beta-mixture closed form,
which is itself checked against the beta function (Skellam 1948)."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.special import beta as beta_fn

from bmdlab.assembly.setup import Asset
from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.engagement.analytic import common_mode_beta, raid_odds, raid_odds_common_mode
from bmdlab.engagement.raid import RaidMissile, RaidOptions, RaidPlan, UnitArrays, simulate_raid
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()


def _plan(n=50, opportunities=2):
    """n Nodongs, each with `opportunities` shot opportunities for one THAAD with a deep magazine."""
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0, inventory=10_000)
    threats = tuple(RaidMissile("nodong", "wonsan", i % 5, 0.0) for i in range(n))
    assets = tuple(Asset(f"a{i}", 35.0, 135.0 + i, 1.0 + i) for i in range(5))
    return RaidPlan(threats, assets, (d,), np.full((1, n), opportunities), np.zeros((1, n)))


def _units(sspk, common_mode=0.0):
    """The THAAD's kill probability (reliability 1) and correlation; always on station: these tests check
    the shot model against closed forms without availability."""
    return UnitArrays.uniform(1, sspk=sspk, reliability=1.0, availability=1.0, common_mode=common_mode)


def _within(mc_mean, mc_sd, trials, exact, k=4.0):
    return abs(mc_mean - exact) <= k * mc_sd / np.sqrt(trials) + 1e-12


@pytest.mark.parametrize("p, k, rho", [(0.8, 2, 0.2), (0.6, 3, 0.05), (0.7, 1, 0.5)])
def test_closed_form_mean_is_the_beta_function_ratio(p, k, rho):
    # Independent closed form: E[(1 - P)^k] = B(a, b + k) / B(a, b) for P ~ Beta(a, b) (tolerance 1e-9).
    a, b = common_mode_beta(p, rho)
    assert a / (a + b) == pytest.approx(p) and 1.0 / (a + b + 1.0) == pytest.approx(rho)  # mean, correlation
    got = raid_odds_common_mode(40, p, k, correlation=rho)
    assert got.expected_leakers == pytest.approx(40 * beta_fn(a, b + k) / beta_fn(a, b), rel=1e-9)
    # one shot per missile: the mean cannot change; more shots: correlation wastes the second shots
    plain = raid_odds(40, p, k)
    if k == 1:
        assert got.expected_leakers == pytest.approx(plain.expected_leakers, rel=1e-9)
    else:
        assert got.expected_leakers > plain.expected_leakers
    assert got.leakers_sd > plain.leakers_sd  # the raid's rounds work or fail together


def test_zero_correlation_is_the_independent_closed_form_and_the_same_random_stream():
    assert raid_odds_common_mode(50, 0.7, 2, correlation=0.0) == raid_odds(50, 0.7, 2)
    plan = _plan(opportunities=2)
    a = simulate_raid(plan, UnitArrays.uniform(1, sspk=0.7), RaidOptions(trials=2000, seed=3))
    b = simulate_raid(plan, _units(0.7, common_mode=np.array([0.0])), RaidOptions(trials=2000, seed=3))
    assert np.array_equal(a.leaker_counts, b.leaker_counts)


@pytest.mark.parametrize("doctrine, rho", [("salvo", 0.2), ("shoot-look-shoot", 0.1)])
def test_monte_carlo_matches_the_closed_form(doctrine, rho):
    # 50 missiles, 2 shots each from one THAAD (opportunities x shots per opportunity); P ~ Beta per trial.
    opps = 1 if doctrine == "salvo" else 2
    plan, trials, p = _plan(opportunities=opps), 40_000, 0.7
    res = simulate_raid(
        plan, _units(p, common_mode=np.array([rho])), RaidOptions(trials=trials, seed=11, doctrine=doctrine)
    )
    exact = raid_odds_common_mode(50, p, 2, correlation=rho, doctrine=doctrine)
    assert _within(res.expected_leakers, res.leakers_std, trials, exact.expected_leakers)
    assert res.leakers_std == pytest.approx(exact.leakers_sd, rel=0.03)  # the spread grows with rho: checked too
    p0 = exact.p_zero_leakers
    assert abs(res.p_zero_leakers - p0) <= 4 * np.sqrt(p0 * (1 - p0) / trials) + 1e-3
    # interceptors: exactly 100 in every salvo trial; the quadrature's error is ~1e-12 relative
    assert (
        abs(res.expended_total_mean - exact.expected_interceptors)
        <= 4 * res.expended_total_std / np.sqrt(trials) + 1e-9 * exact.expected_interceptors
    )


def test_bad_correlations_are_refused():
    plan = _plan()
    for bad in (np.array([1.0]), np.array([-0.1]), np.array([0.1, 0.2])):
        with pytest.raises(BmdlabError, match="^common_mode:"):
            # the units built field by field: a correlation array of the wrong length is not broadcast
            simulate_raid(plan, replace(_units(0.7), common_mode=bad), RaidOptions(trials=10, seed=1))
    with pytest.raises(BmdlabError, match="^common_mode:"):
        common_mode_beta(0.5, 0.0)


def test_scenario_api_and_cli_reach_it():
    import json

    from typer.testing import CliRunner

    import bmdlab
    from bmdlab.cli import app
    from bmdlab.scenario import scenario_from_text

    runner = CliRunner()
    base = bmdlab.Analysis("japan-2017-thaad")
    plain = base.raid(trials=3000)
    zero = base.raid(trials=3000, common_mode=0.0)  # independent shots: the same random stream, the same raid
    assert np.array_equal(zero.tally.leaker_counts, plain.tally.leaker_counts)
    sc = base.scenario
    eng = sc.engagement.model_copy(update={"common_mode": {"thaad": 0.3, "sm-3-ia": 0.3}})
    corr = bmdlab.Analysis(sc.model_copy(update={"engagement": eng})).raid(trials=3000)
    assert corr.data["common_mode"]["thaad"] == 0.3 and plain.data["common_mode"]["thaad"] == 0.0
    # shots that fail together spread the leakers: the 5th-95th percentile range widens
    assert corr.data["leakers_p95"] - corr.data["leakers_p05"] > plain.data["leakers_p95"] - plain.data["leakers_p05"]
    over = base.raid(trials=3000, common_mode=0.3)  # the option overrides every type
    assert set(over.data["common_mode"].values()) == {0.3}
    # the scenario field is validated like every other
    bad = sc.model_dump(mode="json", exclude={"source"})
    bad["engagement"]["common_mode"] = {"thaad": 1.5}
    with pytest.raises(
        BmdlabError, match=r"^bad\.yaml: engagement\.common_mode\.thaad: 1\.5 must be a number from 0 to 0\.99$"
    ):
        scenario_from_text(json.dumps(bad), CAT, "bad.yaml")
    # the CLI's closed form is the function's
    res = runner.invoke(
        app,
        [
            "analytic",
            "--missiles",
            "100",
            "--sspk",
            "0.8",
            "--shots-per-missile",
            "2",
            "--common-mode",
            "0.2",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["expected_leakers"] == pytest.approx(
        raid_odds_common_mode(100, 0.8, 2, correlation=0.2).expected_leakers
    )
    res = runner.invoke(app, ["raid", "japan-2017-thaad", "--trials", "100", "--common-mode", "1"])
    assert res.exit_code == 2 and "--common-mode: 1 must be" in res.output
