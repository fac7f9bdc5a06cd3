"""Global uncertainty analysis: every assumed value varied at once over its plausible range.

Where the tornado (:mod:`bmdlab.sensitivity.tornado`) moves one input at a time from a base point, this samples
the whole factor space (:mod:`bmdlab.sensitivity.space`: the decisive unknowns, their ranges derived from the
catalog's plausible ranges) and asks two questions of the runs:

* **screening**, Morris's elementary effects [1]_ [2]_ (``method="morris"``): ``samples`` = r trajectories
  on a grid of :data:`MORRIS_LEVELS` levels, r (k + 1) runs for k factors. Per factor and metric, ``mu_star``
  (the mean absolute elementary effect: how much the factor moves the metric, interactions included),
  ``sigma`` (their spread: interactions and non-linearity) and ``mu_star_conf`` (a bootstrap 95 % half-width).
  An elementary effect is the change of the metric over a step of Delta = 2/3 of the factor's range, divided
  by Delta (SALib's definition, on the unit hypercube): a linear factor's ``mu_star`` is the change over its
  whole range; a switch flips over one step, so its ``mu_star`` is 1.5 times its on/off effect.
* **variance-based indices**, Sobol' [3]_ with Saltelli's sampling and estimators [4]_ [5]_
  (``method="sobol"``): ``samples`` = N base samples (a power of two), N (k + 2) runs. ``S1`` (the share of
  the metric's variance due to the factor alone) and ``ST`` (its total share, interactions included), each
  with a bootstrap 95 % half-width.

Both use SALib [6]_, the maintained implementation of these published samplers and estimators, seeded with
the analysis's seed. The unit-hypercube sample is mapped to run values by :meth:`Factor.value` (whole numbers
and levels each equally likely, switches on from 0.5). Every run is :func:`bmdlab.sensitivity.model.evaluate`
with the analysis's seed (common random numbers, so a difference between runs comes from the factors) through
the sweep's machinery (:func:`bmdlab.sensitivity.sweep.run_points`): a local process pool or a Dask scheduler,
each finished run stored in a DuckDB file (``store``) and an interrupted analysis resumed (``resume``). The
sample depends only on the factors, ``samples`` and the seed, so a resumed analysis asks for the same runs.

The result (:class:`UncertaintyResult`) also gives each metric's 5th, 50th and 95th percentiles over the
sampled points (the plausible space; for Morris, points of its 4-level grid) and what a verdict needs:
:meth:`UncertaintyResult.share` (the fraction of sampled points where a predicate holds) and
:meth:`UncertaintyResult.threshold` (the factor value where it flips).

References
----------
.. [1] M. D. Morris, "Factorial sampling plans for preliminary computational experiments",
       Technometrics 33(2):161-174 (1991).
.. [2] F. Campolongo, J. Cariboni, A. Saltelli, "An effective screening design for sensitivity analysis of
       large models", Environmental Modelling & Software 22:1509-1518 (2007) (``mu_star``).
.. [3] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models and their Monte Carlo
       estimates", Mathematics and Computers in Simulation 55:271-280 (2001).
.. [4] A. Saltelli, "Making best use of model evaluations to compute sensitivity indices", Computer Physics
       Communications 145:280-297 (2002).
.. [5] A. Saltelli et al., "Variance based sensitivity analysis of model output. Design and estimator for the
       total sensitivity index", Computer Physics Communications 181:259-270 (2010).
.. [6] J. Herman, W. Usher, "SALib: An open-source Python library for Sensitivity Analysis", Journal of Open
       Source Software 2(9):97 (2017); T. Iwanaga, W. Usher, J. Herman, Socio-Environmental Systems Modelling
       4:18155 (2022).
.. [7] D. W. Hosmer, S. Lemeshow, R. X. Sturdivant, Applied Logistic Regression, 3rd ed. (2013) (the threshold
       fit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from bmdlab import __version__, arguments, bounds
from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.io import JSON_SCHEMA_VERSION
from bmdlab.lazy import lazy_module
from bmdlab.scenario import resolve_scenario, scenario_names
from bmdlab.sensitivity.model import METRICS, CoverageMemo
from bmdlab.sensitivity.space import Factor, default_space, fallbacks
from bmdlab.sensitivity.sweep import SweepEstimate, SweepRun, run_key, run_points, sweep_estimate

if TYPE_CHECKING:
    import pandas as pd
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample
else:  # SALib (and SciPy's quasi-Monte Carlo under it) load in ~0.4 s: only when an analysis samples
    morris_analyze = lazy_module("SALib.analyze.morris")
    sobol_analyze = lazy_module("SALib.analyze.sobol")
    morris_sample = lazy_module("SALib.sample.morris")
    sobol_sample = lazy_module("SALib.sample.sobol")

#: The analyses: Morris screening and Sobol' variance-based indices.
METHODS = ("morris", "sobol")
#: Levels of the Morris grid (Campolongo et al. 2007 recommend 4 with its step of 2/3).
MORRIS_LEVELS = 4
#: Percentiles of each metric over the sampled points.
PERCENTILES = (5, 50, 95)
#: Bootstrap resamples of the confidence half-widths (SALib's defaults for each method).
RESAMPLES = {"morris": 1000, "sobol": 100}
#: Prior standard deviation of the threshold fit's standardised slope (keeps a factor that alone decides a
#: predicate, a completely separated sample, from an infinite slope).
SLOPE_PRIOR_SD = 10.0

#: A replacement of the model (tests, another model): the run points -> each point's metrics.
Evaluator = Callable[[list[dict[str, Any]]], list[dict[str, float]]]


@dataclass(frozen=True)
class UncertaintyRun:
    """How to run an uncertainty analysis: ``method`` with ``samples`` (Morris trajectories or Sobol' base
    samples), ``trials`` per run on ``seed`` (the sampler's seed too), on ``workers`` local processes or a Dask
    ``scheduler``; runs stored in the DuckDB file ``store`` (None: a temporary one) and continued with
    ``resume``; ``allow_large`` starts more than :data:`bmdlab.bounds.SWEEP_RUNS_UNASKED` runs; ``fixed``
    holds parameters every run shares (the raid size, ``missiles``: the analyst's input, never a factor)."""

    method: str = "morris"
    samples: int = 10
    trials: int = 500
    seed: int = DEFAULT_SEED
    workers: int | None = None
    scheduler: str | None = None
    store: str | Path | None = None
    resume: bool = False
    allow_large: bool = False
    catalog_dir: str | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)

    def checked(self) -> UncertaintyRun:
        """The same run with every setting checked (one-line errors naming the setting)."""
        method = bounds.check_choice("method", self.method, METHODS)
        samples = bounds.UNCERTAINTY_SAMPLES.check("samples", self.samples)
        if method == "sobol" and samples & (samples - 1):
            below = 1 << (samples.bit_length() - 1)
            raise BmdlabError(
                f"samples: {samples} is not a power of two; Sobol' sampling keeps its balance only for N = 2^m "
                f"(e.g. {below} or {2 * below})"
            )
        if self.scheduler is not None:
            arguments.text("scheduler", self.scheduler, "tcp://127.0.0.1:8786")
        return replace(
            self,
            samples=samples,
            trials=bounds.RUN_TRIALS.check("trials", self.trials),
            seed=bounds.SEED.check("seed", self.seed),
            workers=bounds.SWEEP_WORKERS.optional("workers", self.workers),
            store=arguments.optional_path("store", self.store),
            resume=arguments.flag("resume", self.resume),
            allow_large=arguments.flag("allow_large", self.allow_large),
            catalog_dir=None if self.catalog_dir is None else str(arguments.path("catalog_dir", self.catalog_dir)),
            fixed=dict(arguments.mapping("fixed", self.fixed, "parameter: value")),
        )

    def sweep_run(self, catalog_hash: str) -> SweepRun:
        return SweepRun(
            trials=self.trials,
            seed=self.seed,
            workers=self.workers,
            scheduler=self.scheduler,
            resume=self.resume,
            catalog_dir=self.catalog_dir,
            catalog_hash=catalog_hash,
            allow_large=self.allow_large,
            grouped=True,  # a sample has many runs per plan: each plan computed by one worker
        )

    @classmethod
    def of(cls, run: UncertaintyRun | None = None, **options: Any) -> UncertaintyRun:
        """``run`` (default: the defaults) with ``options`` (its field names) on top, checked."""
        names = [f.name for f in fields(cls)]
        for k in options:
            if k not in names:
                raise unknown_key("option", k, names)
        if run is not None:
            arguments.instance("run", run, UncertaintyRun, "an UncertaintyRun or keywords")
        return replace(run or cls(), **options).checked()


@dataclass(frozen=True)
class Design:
    """An analysis's sample: the factors, the unit-hypercube points SALib drew and the run points they map to."""

    scenario: str
    factors: tuple[Factor, ...]
    unit: np.ndarray  #: (points, factors) in [0, 1]
    points: tuple[dict[str, Any], ...]  #: the run of each row: the scenario, the fixed values, the factors'
    run: UncertaintyRun
    catalog: Catalog

    @property
    def runs(self) -> int:
        """Distinct runs (a point sampled twice runs once)."""
        return len({run_key(p) for p in self.points})

    def estimate(self) -> SweepEstimate:
        """The distinct runs, the coverages they need and a rough time (the sweep's model)."""
        unique = list({run_key(p): p for p in self.points}.values())
        return sweep_estimate(unique, self.run.sweep_run(self.catalog.hash))


def problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """SALib's problem: every factor on [0, 1] (the samplers' unit hypercube; :meth:`Factor.value` maps it)."""
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def unit_sample(method: str, factors: Sequence[Factor], samples: int, seed: int) -> np.ndarray:
    """The sampler's points in the unit hypercube: Morris trajectories (r (k + 1) rows) or Saltelli's
    extension of the scrambled Sobol' sequence without second-order terms (N (k + 2) rows)."""
    prob = problem(factors)
    if method == "morris":
        x = morris_sample.sample(prob, samples, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        x = sobol_sample.sample(prob, samples, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(x, dtype=float)


def _check_factors(factors: Sequence[Factor] | None, fixed: Mapping[str, Any]) -> tuple[Factor, ...] | None:
    if factors is None:
        return None
    if isinstance(factors, (str, bytes)) or not isinstance(factors, (list, tuple)):
        raise BmdlabError(f"factors: {arguments.shown(factors)} is not a list of Factor; give a list")
    if not factors:
        raise BmdlabError("factors: the list is empty; leave it out for the default factors")
    for f in factors:
        arguments.instance("factors", f, Factor, "a list of bmdlab.sensitivity.space.Factor")
    for attr in ("name", "parameter"):
        seen = [getattr(f, attr) for f in factors]
        twice = next((x for i, x in enumerate(seen) if x in seen[:i]), None)
        if twice is not None:
            raise BmdlabError(f"factors: {attr} '{twice}' is given twice; give each factor once")
    both = sorted({f.parameter for f in factors} & {*fixed, "scenario"})
    if both:
        raise BmdlabError(f"fixed: {', '.join(both)} is a factor too; give it either a value or a range")
    return tuple(factors)


def design(
    scenario: str, run: UncertaintyRun, factors: Sequence[Factor] | None = None, catalog: Catalog | None = None
) -> Design:
    """The sample of an analysis (no run yet): the factors (default: :func:`default_space`), SALib's unit
    points and the run points they map to."""
    scenario = arguments.text("scenario", scenario, "japan-2017-aegis-ashore")
    run = run.checked()
    if catalog is not None:
        arguments.instance("catalog", catalog, Catalog, "a Catalog or None")
    catalog = catalog or (builtin_catalog() if run.catalog_dir is None else load_catalog(run.catalog_dir))
    chosen = _check_factors(factors, run.fixed) or tuple(default_space(catalog, scenario))
    x = unit_sample(run.method, chosen, run.samples, run.seed)
    base = {"scenario": scenario, **run.fixed}
    points = tuple({**base, **{f.parameter: f.value(v) for f, v in zip(chosen, row)}} for row in x)
    return Design(scenario, chosen, x, points, run, catalog)


def run_uncertainty(
    scenario: str,
    run: UncertaintyRun | None = None,
    *,
    factors: Sequence[Factor] | None = None,
    progress: Callable[[int, int], None] | None = None,
    evaluator: Evaluator | None = None,
    memo: CoverageMemo | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> UncertaintyResult:
    """Sample the factor space of ``scenario``, run every point and analyse the runs (module docstring).

    Parameters
    ----------
    scenario : str
        A built-in scenario or trade-off option key (worker processes resolve it by name).
    run : UncertaintyRun, optional
        How to run it; ``options`` (``method``, ``samples``, ``trials``, ``seed``, ``workers``, ``scheduler``,
        ``store``, ``resume``, ``allow_large``, ``catalog_dir``, ``fixed``) go on top.
    factors : list of Factor, optional
        The factors and their ranges (default: :func:`bmdlab.sensitivity.space.default_space`).
    progress : callable, optional
        ``progress(done, total)`` over the distinct runs (as the sweep's).
    evaluator : callable, optional
        Replaces the model: given the run points, returns each one's metrics (no store, pool or Dask).
    memo : CoverageMemo, optional
        Coverages and plans already computed, for runs made in this process (``workers=1``).
    catalog : Catalog, optional
        Whose plausible ranges make the default factors (default: the one of ``catalog_dir``, else the built-in
        one); the runs load ``catalog_dir``.
    """
    arguments.callback("progress", progress)
    arguments.callback("evaluator", evaluator)
    d = design(scenario, UncertaintyRun.of(run, **options), factors, catalog)
    if evaluator is not None:
        metrics = [dict(m) for m in evaluator([dict(p) for p in d.points])]
        names = tuple(k for k in metrics[0] if isinstance(metrics[0][k], (int, float))) if metrics else ()
    else:
        store = d.run.store
        rows = run_points(list(d.points), store, d.run.sweep_run(d.catalog.hash), progress=progress, memo=memo)
        metrics = [{m: r[m] for m in (*METRICS, "price_year")} for r in rows]
        names = METRICS
    return analyse(d, metrics, names)


def analyse(d: Design, metrics: Sequence[Mapping[str, float]], names: Sequence[str]) -> UncertaintyResult:
    """The indices and percentiles of the runs of a design (``metrics``: one per sampled point, in order)."""
    if len(metrics) != len(d.points):
        raise BmdlabError(f"evaluator: returned {len(metrics)} results for {len(d.points)} points; return one each")
    indices, percentiles = {}, {}
    for name in names:
        y = np.array([float(m[name]) for m in metrics])
        percentiles[name] = dict(zip((f"p{p}" for p in PERCENTILES), _percentiles(y)))
        indices[name] = _indices(d, y)
    try:
        scenario_hash = resolve_scenario(d.scenario, d.catalog).hash
    except BmdlabError:  # an injected model's own names
        scenario_hash = None
    return UncertaintyResult(
        scenario=d.scenario,
        scenario_hash=scenario_hash,
        method=d.run.method,
        samples=d.run.samples,
        trials=d.run.trials,
        seed=d.run.seed,
        catalog_hash=d.catalog.hash,
        factors=d.factors,
        points=tuple({f.name: p[f.parameter] for f in d.factors} for p in d.points),
        metrics=tuple(dict(m) for m in metrics),
        metric_names=tuple(names),
        percentiles=percentiles,
        indices=indices,
        fixed=dict(d.run.fixed),
        runs=d.runs,
        store=None if d.run.store is None else str(d.run.store),
    )


def _percentiles(y: np.ndarray) -> list[float]:
    """The sample's percentiles as observed values (the empirical distribution's inverse, no interpolation:
    an infinite value, such as the cost per surviving value point when nothing survives, stays what it is)."""
    return [float(v) for v in np.percentile(y, PERCENTILES, method="inverted_cdf")]


def _indices(d: Design, y: np.ndarray) -> dict[str, dict[str, float]] | None:
    """Per factor, SALib's indices of one metric; None when the metric cannot be analysed (a non-finite value,
    or Sobol' indices of a metric that does not vary: no variance to share out)."""
    if not np.all(np.isfinite(y)) or (d.run.method == "sobol" and np.ptp(y) == 0.0):
        return None
    prob = problem(d.factors)
    seed = d.run.seed
    if d.run.method == "morris":
        si = morris_analyze.analyze(
            prob, d.unit, y, num_levels=MORRIS_LEVELS, num_resamples=RESAMPLES["morris"], seed=seed
        )
        keys = ("mu_star", "mu_star_conf", "sigma", "mu")
    else:
        si = sobol_analyze.analyze(prob, y, calc_second_order=False, num_resamples=RESAMPLES["sobol"], seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    return {f.name: {k: float(si[k][i]) for k in keys} for i, f in enumerate(d.factors)}


@dataclass(frozen=True)
class Threshold:
    """Where a predicate's share flips along one factor: the fitted share is 0.5 at ``value`` (None: it does
    not flip within the factor's range, or the predicate does not depend on it). ``holds_above``: the
    predicate holds more often above the value than below; ``share_below``/``share_above``: the sampled
    points' share on each side."""

    factor: str
    value: float | None
    holds_above: bool | None
    share_below: float | None
    share_above: float | None
    slope: float  #: of the fitted log-odds per unit of the factor

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def logistic_threshold(v: np.ndarray, y: np.ndarray) -> tuple[float | None, float]:
    """The value where the logistic regression of ``y`` (0/1) on ``v`` crosses 0.5, and its slope.

    Newton's method on the log-likelihood of P(y | v) = 1 / (1 + exp(-(a + b z))), z = (v - mean) / sd, with a
    Gaussian prior of sd :data:`SLOPE_PRIOR_SD` on b (Hosmer et al. 2013, ch. 1; the prior keeps b finite when
    ``v`` alone decides ``y``). None when ``v`` does not vary or ``y`` is constant.
    """
    sd = float(np.std(v))
    if sd == 0.0 or y.min() == y.max():
        return None, 0.0
    z = (v - v.mean()) / sd
    xm = np.column_stack([np.ones_like(z), z])
    beta = np.zeros(2)
    prior = np.diag([0.0, 1.0 / SLOPE_PRIOR_SD**2])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(xm @ beta)))
        grad = xm.T @ (y - p) - prior @ beta
        hess = xm.T @ (xm * (p * (1.0 - p))[:, None]) + prior
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    a, b = beta
    if abs(b) < 1e-12:
        return None, 0.0
    return float(v.mean() - sd * a / b), float(b / sd)


@dataclass(frozen=True)
class UncertaintyResult:
    """An uncertainty analysis: its factors, sampled points and their metrics, percentiles and indices.

    ``points`` and ``metrics`` are in sample order, one per sampled point (a point sampled twice appears twice:
    the shares and percentiles weigh it as sampled). ``indices[metric][factor]`` holds Morris's ``mu_star``,
    ``mu_star_conf``, ``sigma``, ``mu`` or Sobol's ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (None for a metric
    that cannot be analysed); ``percentiles[metric]`` its ``p5``, ``p50``, ``p95``.
    """

    KIND: ClassVar[str] = "uncertainty"

    scenario: str
    scenario_hash: str | None
    method: str
    samples: int
    trials: int
    seed: int
    catalog_hash: str
    factors: tuple[Factor, ...]
    points: tuple[dict[str, Any], ...] = field(repr=False)  #: each point's factor values, by factor name
    metrics: tuple[dict[str, float], ...] = field(repr=False)  #: each point's metrics
    metric_names: tuple[str, ...]
    percentiles: dict[str, dict[str, float]] = field(repr=False)
    indices: dict[str, dict[str, dict[str, float]] | None] = field(repr=False)
    fixed: dict[str, Any] = field(default_factory=dict)
    runs: int = 0  #: distinct runs
    store: str | None = None
    bmdlab_version: str = __version__
    exports: dict[str, str] = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Each sampled point's factor values and metrics in one mapping."""
        return [{**p, **m} for p, m in zip(self.points, self.metrics)]

    def factor(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise unknown_key("factor", name, [f.name for f in self.factors])

    def share(self, predicate: Callable[[dict[str, Any]], bool]) -> float:
        """The fraction of sampled points where ``predicate(row)`` holds (a row: :attr:`rows`)."""
        arguments.callback("predicate", predicate)
        return float(np.mean([bool(predicate(r)) for r in self.rows]))

    def threshold(self, factor: str, predicate: Callable[[dict[str, Any]], bool]) -> Threshold:
        """The value of ``factor`` where ``predicate`` flips: a logistic regression of the predicate on the
        factor over every sampled point (the other factors vary as sampled, so the fit is the predicate's share
        given the factor, averaged over the others) crosses 0.5 there [7]_ (:func:`logistic_threshold`).
        None when it does not cross inside the factor's range."""
        f = self.factor(arguments.text("factor", factor, "fire_channels_scale"))
        arguments.callback("predicate", predicate)
        if f.kind == "switch":
            raise BmdlabError(
                f"factor: {f.name} is a switch; compare share() with a predicate on row['{f.name}'] == 'on' and 'off'"
            )
        v = np.array([float(p[f.name]) for p in self.points])
        y = np.array([1.0 if predicate(r) else 0.0 for r in self.rows])
        value, slope = logistic_threshold(v, y)
        if value is None or not (f.low <= value <= f.high):
            return Threshold(f.name, None, None if slope == 0 else slope > 0, None, None, slope)
        below, above = y[v < value], y[v >= value]
        return Threshold(
            f.name,
            value,
            slope > 0,
            float(below.mean()) if below.size else None,
            float(above.mean()) if above.size else None,
            slope,
        )

    def ranking(self, metric: str = "expected_leakers") -> list[tuple[str, float, float]]:
        """(factor, index, its 95 % half-width) by ``mu_star`` (Morris) or ``ST`` (Sobol), largest first."""
        bounds.check_choice("metric", metric, list(self.metric_names))
        ind = self.indices[metric]
        if ind is None:
            return []
        key = "mu_star" if self.method == "morris" else "ST"
        return sorted(((n, v[key], v[key + "_conf"]) for n, v in ind.items()), key=lambda t: -t[1])

    @property
    def provenance(self) -> dict[str, Any]:
        """What produced it, in the layout of every bmdlab result's provenance."""
        options = {"method": self.method, "samples": self.samples, "trials": self.trials, **self.fixed}
        if self.store is not None:
            options["store"] = self.store
        return {
            "bmdlab_version": self.bmdlab_version,
            "catalog_hash": self.catalog_hash,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "options": options,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON of the analysis: ``schema_version``, ``kind``, ``provenance``, the factors (and which fell
        back to a model range), the percentiles, the indices and every sampled point with its metrics."""
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "kind": self.KIND,
            "provenance": self.provenance,
            "method": self.method,
            "samples": self.samples,
            "trials": self.trials,
            "runs": self.runs,
            "points_sampled": len(self.points),
            "factors": [f.to_dict() for f in self.factors],
            "fallbacks": fallbacks(self.factors),
            "metrics": list(self.metric_names),
            "percentiles": self.percentiles,
            "indices": self.indices,
            "points": self.rows,
            **self.exports,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per sampled point: the factors' values and the metrics."""
        # lazy: pandas loads in ~0.5 s; only when a frame is asked for
        import pandas as pd

        return pd.DataFrame(self.rows)


def check_scenario_name(scenario: str, catalog: Catalog) -> str:
    """A scenario the workers can resolve by name: a built-in one or a trade-off option key, not a file."""
    resolve_scenario(scenario, catalog)
    if scenario not in scenario_names():
        raise BmdlabError(
            "scenario: an uncertainty analysis runs on a built-in scenario or a trade-off option key, not a file"
        )
    return scenario


__all__ = [
    "METHODS",
    "MORRIS_LEVELS",
    "Design",
    "Threshold",
    "UncertaintyResult",
    "UncertaintyRun",
    "analyse",
    "check_scenario_name",
    "design",
    "logistic_threshold",
    "problem",
    "run_uncertainty",
    "unit_sample",
]
