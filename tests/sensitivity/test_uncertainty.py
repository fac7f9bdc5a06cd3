"""Global uncertainty analysis: SALib's Morris and Sobol' estimators through bmdlab's sampling and mapping
reproduce closed-form indices; runs resume and give the same result on a Dask cluster as on the local pool; the
verdict helpers (share, threshold) find known answers; a real screening finds the fire channels that matter."""

import json
import math

import numpy as np
import pytest

from bmdlab.errors import BmdlabError
from bmdlab.sensitivity.model import METRICS
from bmdlab.sensitivity.space import Factor
from bmdlab.sensitivity.sweep import SweepRun, run_points
from bmdlab.sensitivity.uncertainty import UncertaintyRun, logistic_threshold, run_uncertainty

# ----------------------------------------------------------------------------------- closed forms
ISHIGAMI = [Factor(f"x{i}", f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]


def ishigami(points):
    """Ishigami & Homma (1990), a = 7, b = 0.1, on [-pi, pi]^3."""
    return [
        {"y": math.sin(p["x1"]) + 7 * math.sin(p["x2"]) ** 2 + 0.1 * p["x3"] ** 4 * math.sin(p["x1"])} for p in points
    ]


def test_sobol_indices_of_the_ishigami_function():
    """Analytic indices (Saltelli et al., Global Sensitivity Analysis: The Primer, 2008, sec. 4.6; Ishigami &
    Homma 1990): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437. With N = 4096 base samples the scrambled
    Sobol' estimates fall within 0.02 of them (SALib's bootstrap 95 % half-widths are 0.014-0.048 here)."""
    r = run_uncertainty("ishigami", method="sobol", samples=4096, factors=ISHIGAMI, evaluator=ishigami, seed=7)
    ind = r.indices["y"]
    assert [ind[f"x{i}"]["S1"] for i in (1, 2, 3)] == pytest.approx([0.3139, 0.4424, 0.0], abs=0.02)
    assert [ind[f"x{i}"]["ST"] for i in (1, 2, 3)] == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.02)
    assert len(r.points) == 4096 * (3 + 2)  # Saltelli's design without second-order terms: N (k + 2)
    assert [n for n, _, _ in r.ranking("y")] == ["x1", "x2", "x3"]


LINEAR = [
    Factor("a", "a", 0.0, 2.0),
    Factor("b", "b", 1.0, 3.0),
    Factor("s", "s", 0.0, 1.0, kind="switch"),
    Factor("c", "c", 0.0, 1.0),
]


def linear(points):
    """y = 3 a - 2 b + 5 [s on] + 0 c."""
    return [{"y": 3 * p["a"] - 2 * p["b"] + (5.0 if p["s"] == "on" else 0.0)} for p in points]


def test_morris_elementary_effects_of_a_linear_function():
    """Morris (1991): an elementary effect is the change over a step Delta of the unit hypercube divided by Delta;
    with 4 levels Delta = 4 / (2 (4 - 1)) = 2/3. A linear factor's effect is then its slope times its range (3 x 2
    = 6 for a; -2 x 2 = -4 for b), the same on every trajectory (sigma = 0); the switch flips in one step, so its
    effect is 5 / (2/3) = 7.5; c does nothing. Tolerance 1e-7: run values are written with 9 significant digits."""
    r = run_uncertainty("linear", method="morris", samples=10, factors=LINEAR, evaluator=linear, seed=3)
    ind = r.indices["y"]
    assert [ind[n]["mu_star"] for n in "absc"] == pytest.approx([6.0, 4.0, 7.5, 0.0], abs=1e-7)
    assert [ind[n]["mu"] for n in "absc"] == pytest.approx([6.0, -4.0, 7.5, 0.0], abs=1e-7)
    assert [ind[n]["sigma"] for n in "absc"] == pytest.approx([0.0] * 4, abs=1e-7)
    assert len(r.points) == 10 * (4 + 1)
    assert [n for n, _, _ in r.ranking("y")] == ["s", "a", "b", "c"]


def test_the_sample_is_the_seeds():
    a = run_uncertainty("linear", method="morris", samples=4, factors=LINEAR, evaluator=linear, seed=3)
    b = run_uncertainty("linear", method="morris", samples=4, factors=LINEAR, evaluator=linear, seed=3)
    c = run_uncertainty("linear", method="morris", samples=4, factors=LINEAR, evaluator=linear, seed=4)
    assert a.points == b.points and a.indices == b.indices
    assert a.points != c.points


# ------------------------------------------------------------------------------- verdict helpers
UNIFORM = [Factor("v", "v", 0.0, 1.0), Factor("u", "u", 0.0, 1.0)]


def test_share_and_threshold_find_known_answers():
    """y = v: P(y > 0.3) = 0.7 over the uniform space and the predicate flips at v = 0.3. y = v + 0.1 u with u
    uniform on [0, 1] (symmetric about 0.5): P(y > 0.5 | v) = 0.5 at v = 0.5 - 0.1 x 0.5 = 0.45."""

    def model(points):
        return [{"y": p["v"], "z": p["v"] + 0.1 * p["u"]} for p in points]

    r = run_uncertainty("toy", method="sobol", samples=512, factors=UNIFORM, evaluator=model, seed=11)
    assert r.share(lambda row: row["y"] > 0.3) == pytest.approx(0.7, abs=0.01)
    t = r.threshold("v", lambda row: row["y"] > 0.3)
    assert t.value == pytest.approx(0.3, abs=0.005) and t.holds_above
    assert t.share_below == 0.0 and t.share_above == 1.0  # v alone decides it
    t = r.threshold("v", lambda row: row["z"] > 0.5)
    assert t.value == pytest.approx(0.45, abs=0.01) and t.holds_above
    # a predicate that holds everywhere never flips; one on the other factor does not flip along v
    assert r.threshold("v", lambda row: row["y"] >= 0.0).value is None
    assert r.threshold("u", lambda row: row["y"] > 0.3).value is None
    assert r.threshold("v", lambda row: row["y"] < 0.8).holds_above is False


def test_logistic_threshold_of_a_noisy_step():
    """P(y | v) = 1 / (1 + exp(-(v - 2) / 0.5)) sampled at 20,000 points: the fit finds v = 2 within 0.05."""
    rng = np.random.default_rng(1)
    v = rng.uniform(0, 4, 20_000)
    y = (rng.uniform(size=v.size) < 1 / (1 + np.exp(-(v - 2) / 0.5))).astype(float)
    value, slope = logistic_threshold(v, y)
    assert value == pytest.approx(2.0, abs=0.05) and slope == pytest.approx(2.0, rel=0.1)


def test_a_switch_has_no_threshold():
    r = run_uncertainty("linear", method="morris", samples=2, factors=LINEAR, evaluator=linear)
    with pytest.raises(BmdlabError, match="s is a switch"):
        r.threshold("s", lambda row: row["y"] > 0)
    assert r.share(lambda row: row["s"] == "on") == pytest.approx(0.5, abs=0.3)


# --------------------------------------------------------------------------------------- inputs
@pytest.mark.parametrize(
    "options, msg",
    [
        (dict(samples=0), "samples: 0 must be a whole number from 2 to 8192"),
        (dict(samples=1.5), "samples: 1.5 must be a whole number"),
        (dict(method="sobol", samples=100), "samples: 100 is not a power of two; .* 64 or 128"),
        (dict(method="fast"), "method: unknown method 'fast'"),
        (dict(trials=0), "trials: 0 must be"),
        (dict(seed=-1), "seed: -1 must be"),
        (dict(factors=[]), "factors: the list is empty"),
        (dict(factors=[LINEAR[0], LINEAR[0]]), "factors: name 'a' is given twice"),
        (dict(fixed={"a": 1}, factors=LINEAR), "fixed: a is a factor too"),
        (dict(sample=10), "unknown option 'sample': did you mean 'samples'"),
    ],
)
def test_bad_options_are_one_line_errors(options, msg):
    with pytest.raises(BmdlabError, match=msg) as err:
        run_uncertainty("linear", evaluator=linear, **{"factors": LINEAR, **options})
    assert "\n" not in str(err.value)


def test_to_dict_has_provenance_and_is_json():
    r = run_uncertainty("linear", method="morris", samples=2, factors=LINEAR, evaluator=linear, seed=5, trials=30)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["kind"] == "uncertainty" and d["schema_version"] >= 1
    p = d["provenance"]
    assert (p["scenario"], p["seed"], p["options"]["method"], p["options"]["samples"], p["options"]["trials"]) == (
        "linear",
        5,
        "morris",
        2,
        30,
    )
    assert p["catalog_hash"] and p["bmdlab_version"]
    assert [f["name"] for f in d["factors"]] == list("absc")
    assert len(d["points"]) == 2 * 5 and set(d["percentiles"]["y"]) == {"p5", "p50", "p95"}


# ------------------------------------------------------------------- the model, stored and resumed
#: Factors that change neither a coverage nor a raid plan (fast real runs).
CHEAP = [Factor("availability", "availability", 0.3, 0.95), Factor("sspk_quantile", "sspk_quantile", 0.05, 0.95)]
REAL = dict(method="morris", samples=2, trials=50, seed=9, fixed={"missiles": 20})


class Stop(Exception):
    pass


def _same(a, b):
    assert a.points == b.points and a.metrics == b.metrics and a.indices == b.indices
    assert a.percentiles == b.percentiles


def test_interrupted_then_resumed_runs_only_the_rest(tmp_path):
    full = run_uncertainty("japan-2017-thaad", factors=CHEAP, workers=1, **REAL)
    assert full.runs == 6 and set(full.metric_names) == set(METRICS)
    store = tmp_path / "u.duckdb"

    def stop_after_3(done, total):
        if done >= 3:
            raise Stop

    with pytest.raises(Stop):
        run_uncertainty("japan-2017-thaad", factors=CHEAP, workers=1, store=store, progress=stop_after_3, **REAL)
    ticks = []
    with pytest.raises(BmdlabError, match="file exists; pass `resume`"):
        run_uncertainty("japan-2017-thaad", factors=CHEAP, workers=1, store=store, **REAL)
    resumed = run_uncertainty(
        "japan-2017-thaad",
        factors=CHEAP,
        workers=1,
        store=store,
        resume=True,
        progress=lambda d, n: ticks.append(d),
        **REAL,
    )
    assert ticks == [3, 4, 5, 6]  # three were stored before the interruption; only the other three ran
    _same(resumed, full)
    with pytest.raises(BmdlabError, match="holds a different sweep"):
        run_uncertainty("japan-2017-thaad", factors=CHEAP, workers=1, store=store, resume=True, **{**REAL, "seed": 10})


def test_run_points_runs_each_point_once_and_answers_in_order(tmp_path):
    a = {"scenario": "japan-2017-thaad", "missiles": 20, "availability": 0.5}
    b = {"scenario": "japan-2017-thaad", "missiles": 20, "availability": 0.9}
    ticks = []
    rows = run_points(
        [b, a, b], tmp_path / "p.duckdb", SweepRun(trials=30, workers=1), progress=lambda d, n: ticks.append((d, n))
    )
    assert ticks[-1] == (2, 2)
    assert [r["availability"] for r in rows] == [0.9, 0.5, 0.9] and rows[0] == rows[2]


@pytest.mark.slow
def test_dask_cluster_started_here_gives_the_local_pools_result():
    """The same analysis on two local processes and on a Dask LocalCluster of two worker processes."""
    distributed = pytest.importorskip("distributed")
    local = run_uncertainty("japan-2017-thaad", factors=CHEAP, workers=2, **REAL)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = run_uncertainty("japan-2017-thaad", factors=CHEAP, scheduler=cluster.scheduler_address, **REAL)
    _same(remote, local)


def test_an_unreachable_scheduler_is_one_line_and_leaves_no_store(tmp_path):
    pytest.importorskip("distributed")
    store = tmp_path / "u.duckdb"
    with pytest.raises(BmdlabError, match="scheduler: cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'"):
        run_uncertainty("japan-2017-thaad", factors=CHEAP, scheduler="tcp://127.0.0.1:9", store=store, **REAL)
    assert not store.exists()


@pytest.mark.slow
def test_screening_thaad_finds_the_fire_channels():
    """Morris, 2 trajectories of 100 trials over the default factors of japan-2017-thaad. The issue's author
    measured THAAD's leakers at 123.6 with 2 fire channels, 79.3 with 6 and 49.1 with 12: a change of about 74
    leakers over the channels' plausible range, so fire_channels_quantile must be among the three largest effects."""
    r = run_uncertainty("japan-2017-thaad", method="morris", samples=2, trials=100, workers=1, fixed={"missiles": 200})
    ranked = [n for n, _, _ in r.ranking("expected_leakers")]
    assert "fire_channels_quantile" in ranked[:3], r.ranking("expected_leakers")
    assert r.indices["expected_leakers"]["fire_channels_quantile"]["mu_star"] > 10.0
    assert r.indices["cost_total_jpy"]["cost_scale"]["mu_star"] > 0  # prices move the cost, nothing else does
    assert {n for n, v in r.indices["cost_total_jpy"].items() if v["mu_star"] > 0} == {"cost_scale"}
    assert r.percentiles["expected_leakers"]["p5"] <= r.percentiles["expected_leakers"]["p50"]
    assert r.percentiles["expected_leakers"]["p50"] <= r.percentiles["expected_leakers"]["p95"]


def test_uncertainty_run_checks_its_settings():
    assert UncertaintyRun.of(samples=4).samples == 4
    with pytest.raises(BmdlabError, match="workers: 0 must be"):
        UncertaintyRun.of(workers=0)
    with pytest.raises(BmdlabError, match="resume: 'yes' must be True or False"):
        UncertaintyRun.of(resume="yes")
