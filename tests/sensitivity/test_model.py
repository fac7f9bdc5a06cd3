"""Sensitivity runs: the kill-probability posterior and parameter checks."""

import pytest

from bmdlab.errors import BmdlabError
from bmdlab.sensitivity.model import check_point, evaluate, sspk_at_quantile


def test_beta_quantile_closed_form():
    # 15 hits in 15 tests: posterior Beta(16, 1), CDF x^16, so the q quantile is q^(1/16) (exact)
    for q in (0.05, 0.5, 0.95):
        assert sspk_at_quantile(15, 15, q) == pytest.approx(q ** (1 / 16), rel=1e-10)
    # 0 hits in 0 tests: uniform prior, quantile = q
    assert sspk_at_quantile(0, 0, 0.3) == pytest.approx(0.3, rel=1e-10)


def test_bad_parameters_are_one_line():
    with pytest.raises(BmdlabError, match="did you mean 'missiles'"):
        check_point({"missile": 10})
    with pytest.raises(BmdlabError, match="sweep: sspk_quantile: 1.5 must be a number from 0 to 1"):
        check_point({"sspk_quantile": 1.5})
    with pytest.raises(BmdlabError, match="missiles: -3 must be a whole number from 0"):
        check_point({"missiles": -3})


@pytest.mark.slow
def test_higher_kill_probability_never_more_leakers():
    lo = evaluate({"scenario": "japan-2017-baseline", "missiles": 60, "sspk_quantile": 0.1}, trials=400, seed=3)
    hi = evaluate({"scenario": "japan-2017-baseline", "missiles": 60, "sspk_quantile": 0.9}, trials=400, seed=3)
    assert hi["expected_leakers"] <= lo["expected_leakers"]
    assert hi["cost_total_jpy"] == lo["cost_total_jpy"]


def test_engagement_model_parameters_are_checked():
    with pytest.raises(BmdlabError, match="flyout: unknown flyout 'rocket': valid keys are physical, straight-line"):
        check_point({"flyout": "rocket"})
    with pytest.raises(BmdlabError, match="limit_crossing: 'maybe' must be on or off"):
        check_point({"limit_crossing": "maybe"})
    with pytest.raises(BmdlabError, match="rcs_scale: 0 must be a number from 0.001 to 1000"):
        check_point({"rcs_scale": 0})
    assert check_point({"limit_crossing": False})["limit_crossing"] == "off"


@pytest.mark.slow
def test_engagement_model_axes_move_the_coverage_metric():
    """Coverage metrics follow the engagement model: one Kongo-class ship at the central station defends
    less land with the physical fly-out and its limits than with the earlier straight-line model (the
    footprint check's 'one ship' figures), and switching the crossing limit off gives some of it back."""

    from bmdlab.assembly import Overrides, assemble
    from bmdlab.catalog import builtin_catalog
    from bmdlab.scenario import load_scenario
    from bmdlab.sensitivity.model import CoverageMemo

    cat = builtin_catalog()
    base = load_scenario("japan-2017-baseline", cat)
    arch = base.architecture.model_copy(update={"units": base.architecture.units[1:2]})  # central station only
    one = base.model_copy(update={"architecture": arch})
    memo = CoverageMemo()

    def land(**overrides):
        return memo.get(assemble(one, cat, Overrides.of(overrides)))[0]

    phys = land(flyout="physical", limits="all")
    legacy = land(flyout="straight-line", limits="none")
    no_cross = land(flyout="physical", limits="all", limit_crossing=False)
    assert phys < no_cross <= legacy


def test_a_memo_plans_each_raid_once_and_changes_no_number(monkeypatch):
    """The memo's plans: a run that changes only the Monte Carlo (kill probabilities, reliability) reuses the
    plan, one that changes the raid (its missiles) or the engagement model does not; every metric is the
    one computed without the memo (to the bit)."""
    from bmdlab.engagement import raid
    from bmdlab.sensitivity import model

    base = {"scenario": "japan-2017-baseline", "missiles": 20}
    points = [
        base,
        {**base, "sspk_quantile": 0.1},
        {**base, "missile_reliability": 0.5},
        {**base, "missiles": 30},
        {**base, "limit_crossing": False},
    ]
    monkeypatch.setattr(model, "COVERAGE_RESOLUTION_KM", 60.0)  # the coverage metric on a coarse grid
    fresh = [evaluate(p, trials=50, seed=3) for p in points]
    planned = []
    monkeypatch.setattr(model, "plan_raid", lambda setup: planned.append(1) or raid.plan_raid(setup))
    memo = model.CoverageMemo()
    assert [evaluate(p, trials=50, seed=3, memo=memo) for p in points] == fresh
    assert len(planned) == 3  # the base raid, 30 missiles, the crossing limit off
