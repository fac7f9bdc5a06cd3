"""One sensitivity run: a scenario with some inputs changed, its raid and its cost.

The inputs that the debate's answers hang on, each a named parameter:

========================  ==========================================================================
``scenario``              architecture (a built-in scenario name or a trade-off option key)
``missiles``              raid size (the scenario's default raid scaled)
``sspk_quantile``         every interceptor's single-shot kill probability taken at this quantile of
                          its test record's Beta(h + 1, n - h + 1) posterior (0.5 ~ the median; the
                          default SSPK is the posterior mean, Laplace's rule)
``decoys``                decoys per missile ...
``discrimination``        ... and the probability that each is recognised
``track_delay_s``         detection (or cue) to launch decision, for every unit [s] (default: each
                          unit's catalog reaction time)
``missile_reliability``   probability that a missile works
``cost_scale``            factor on every price (acquisition, interceptors, operation)
``years``                 operation and support horizon [years]
``flyout``                interceptor fly-out model: ``physical`` or ``straight-line``
``limit_<name>``          ``on`` or ``off``: one engagement limit (``launcher_elevation``,
                          ``min_flight_time``, ``crossing``, ``track_rcs``, ``field_of_view``)
``rcs_scale``             factor on every threat's radar cross-section (radar ranges scale as its
                          fourth root)
``availability``          probability that every unit is on station (default: each unit's catalog
                          availability)
``fire_channels_scale``   factor on every unit's catalog fire channels (rounded, at least 1): the
                          channel counts are lower bounds from public tests, so 2 or 4 asks how much
                          that bound matters
========================  ==========================================================================

Besides the raid and cost metrics, every run reports the land and population its architecture
defends (worst case over the scenario's threats) on a :data:`COVERAGE_RESOLUTION_KM` grid, so a
sweep or tornado shows how much the coverage answers depend on the engagement model.

:func:`evaluate` returns the metrics of one run; it is a pure function of its arguments (the seed
included), so a sweep can run its points in any order, on any worker, and resume.

References
----------
.. [1] A. Gelman et al., Bayesian Data Analysis, 3rd ed. (2013), sec. 2.4 (the Beta posterior of
       a success probability under a uniform prior).
"""

from __future__ import annotations

from typing import Any

from scipy.special import betaincinv

from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.engagement.raid import DEFAULT_SEED
from bmdlab.errors import BmdlabError
from bmdlab.montecarlo import half_width95

#: Parameters a run accepts, with their defaults (None: keep the scenario's or catalog's value).
PARAMETERS: dict[str, Any] = {
    "scenario": "japan-2017-aegis-ashore",
    "missiles": 200,
    "sspk_quantile": None,
    "decoys": 0,
    "discrimination": 1.0,
    "track_delay_s": None,
    "missile_reliability": None,
    "cost_scale": 1.0,
    "years": None,
    "flyout": None,
    "limit_launcher_elevation": None,
    "limit_min_flight_time": None,
    "limit_crossing": None,
    "limit_track_rcs": None,
    "limit_field_of_view": None,
    "rcs_scale": None,
    "availability": None,
    "fire_channels_scale": None,
}
#: The engagement-limit parameters and the limits they switch.
LIMIT_PARAMETERS = {
    f"limit_{name.replace('-', '_')}": name
    for name in ("launcher-elevation", "min-flight-time", "crossing", "track-rcs", "field-of-view")
}
#: Grid of the coverage metrics. [km]
COVERAGE_RESOLUTION_KM = 20.0
#: Metrics every run reports.
METRICS = (
    "expected_leakers",
    "p_zero_leakers",
    "expected_surviving_value_fraction",
    "interceptors_expended",
    "cost_total_jpy",
    "jpy_per_surviving_value_point",
    "defended_land_fraction",
    "defended_population_fraction",
)
#: Allowed range of each numeric parameter (inclusive).
RANGES = {
    "missiles": (0, 5000),
    "sspk_quantile": (0.0, 1.0),
    "decoys": (0, 20),
    "discrimination": (0.0, 1.0),
    "track_delay_s": (0.0, 3600.0),
    "missile_reliability": (0.0, 1.0),
    "cost_scale": (0.0, 100.0),
    "years": (0, 100),
    "rcs_scale": (0.001, 1000.0),
    "availability": (0.0, 1.0),
    "fire_channels_scale": (0.01, 1000.0),
}
#: Parameters that count things (whole numbers only: 10.7 missiles is refused, not run as 10).
INTEGERS = ("missiles", "decoys", "years")
#: Allowed values of each choice parameter.
CHOICES = {"flyout": ("physical", "straight-line"), **{k: ("on", "off") for k in LIMIT_PARAMETERS}}


def check_point(point: dict[str, Any], where: str = "sweep") -> dict[str, Any]:
    """Validate a run's parameters; unknown names and out-of-range values are one-line errors."""
    out = dict(PARAMETERS)
    for k, v in point.items():
        if k not in PARAMETERS:
            from bmdlab.errors import unknown_key

            raise BmdlabError(f"{where}: " + str(unknown_key("sensitivity parameter", k, PARAMETERS)))
        if k in CHOICES and v is not None:
            if isinstance(v, bool) and k in LIMIT_PARAMETERS:
                v = "on" if v else "off"
            if v not in CHOICES[k]:
                raise BmdlabError(f"{where}: {k} = {v!r} must be one of {', '.join(CHOICES[k])}")
        if k in RANGES and v is not None:
            lo, hi = RANGES[k]
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi or v != v:
                raise BmdlabError(f"{where}: {k} = {v!r} must be a number in [{lo:g}, {hi:g}]")
            if k in INTEGERS and v != int(v):
                raise BmdlabError(f"{where}: {k} = {v!r} must be a whole number")
            if k in INTEGERS:
                v = int(v)
        out[k] = v
    return out


def run_seed(seed: int, point: dict[str, Any]) -> int:
    """The Monte Carlo seed of one run: the sweep's own seed, for every run.

    Common random numbers: every run draws the same random streams, so a difference between two
    runs comes from their parameters, not from sampling noise (Law, Simulation Modeling and
    Analysis, 5th ed., 2015, sec. 11.2). It also makes each run independent of the order in which
    a sweep's runs finish.
    """
    return int(seed)


def sspk_at_quantile(hits: float, attempts: float, q: float) -> float:
    """The ``q`` quantile of the Beta(h + 1, n - h + 1) posterior of a kill probability."""
    return float(betaincinv(hits + 1.0, attempts - hits + 1.0, q))


_COVERAGE_CACHE: dict[tuple[str, str], tuple[float, float]] = {}


def _coverage_key(scen, catalog: Catalog) -> tuple[str, str]:
    """Cache key of the coverage metrics: the scenario's architecture, threat and timeline, and the catalog."""
    import hashlib
    import json

    text = json.dumps(scen.model_dump(mode="json", include={"architecture", "threat", "timeline"}), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest(), catalog.hash


def _coverage_fractions(scen, catalog: Catalog) -> tuple[float, float]:
    """(land, population) the scenario defends, worst case, on the coverage-metric grid (memoised per
    scenario content and catalog: raid-only parameters do not change it)."""
    from bmdlab.coverage.national import national_coverage

    key = _coverage_key(scen, catalog)
    if key not in _COVERAGE_CACHE:
        cov = national_coverage(scen, catalog, resolution_km=COVERAGE_RESOLUTION_KM, workers=1)
        _COVERAGE_CACHE[key] = cov.fractions(cov.defended())
    return _COVERAGE_CACHE[key]


def point_scenario(p: dict[str, Any], catalog: Catalog):
    """The scenario of a checked point (:func:`check_point`): the named scenario with the point's
    timeline, raid and kill-probability changes."""
    from bmdlab.cost.options import resolve_scenario

    scen = resolve_scenario(str(p["scenario"]), catalog, parameter="scenario")
    update: dict[str, Any] = {}
    tl_upd: dict[str, Any] = {}
    if p["track_delay_s"] is not None:
        tl_upd["track_delay_s"] = float(p["track_delay_s"])
    if p["flyout"] is not None:
        tl_upd["flyout"] = p["flyout"]
    limits = set(scen.timeline.engagement_limits)
    for k, name in LIMIT_PARAMETERS.items():
        if p[k] is not None:
            (limits.add if p[k] == "on" else limits.discard)(name)
    if limits != set(scen.timeline.engagement_limits):
        tl_upd["engagement_limits"] = sorted(limits)
    if p["rcs_scale"] is not None:
        tl_upd["rcs_scale"] = float(p["rcs_scale"])
    if tl_upd:
        update["timeline"] = scen.timeline.model_copy(update=tl_upd)
    raid_upd: dict[str, Any] = {
        "decoys_per_missile": int(p["decoys"]),
        "discrimination_probability": float(p["discrimination"]),
    }
    if p["missile_reliability"] is not None:
        raid_upd["missile_reliability"] = float(p["missile_reliability"])
    if scen.raid is None:
        raise BmdlabError(f"scenario '{scen.name}' has no raid; add a 'raid:' section with salvos")
    update["raid"] = scen.raid.model_copy(update=raid_upd)
    eng_upd: dict[str, Any] = {}
    if p["sspk_quantile"] is not None:
        sspk = {}
        for k, i in catalog.interceptors.items():
            h, n = i.test_record.value
            sspk[k] = sspk_at_quantile(h, n, float(p["sspk_quantile"]))
        sspk.update(scen.engagement.sspk)
        eng_upd["sspk"] = sspk
    types = sorted({u.unit for u in scen.architecture.units})
    if p["availability"] is not None:
        eng_upd["availability"] = {t: float(p["availability"]) for t in types}
    if p["fire_channels_scale"] is not None:
        chans = {}
        for t in types:
            base = scen.engagement.fire_channels.get(t)
            if base is None and catalog.units[t].fire_channels is not None:
                base = int(catalog.units[t].fire_channels.nominal)
            if base is not None:
                chans[t] = max(1, min(1000, int(round(base * float(p["fire_channels_scale"])))))
        eng_upd["fire_channels"] = chans
    if eng_upd:
        update["engagement"] = scen.engagement.model_copy(update=eng_upd)
    return scen.model_copy(update=update)


def prefetch_coverages(scenarios: list, catalog: Catalog) -> None:
    """Fill the coverage-metric cache for many scenarios in one pass over their threats
    (:func:`bmdlab.coverage.national.national_coverages`), e.g. before a tornado's runs."""
    from bmdlab.coverage.national import national_coverages

    todo = {}
    for sc in scenarios:
        key = _coverage_key(sc, catalog)
        if key not in _COVERAGE_CACHE:
            todo[key] = sc
    if todo:
        for key, cov in zip(
            todo, national_coverages(list(todo.values()), catalog, resolution_km=COVERAGE_RESOLUTION_KM)
        ):
            _COVERAGE_CACHE[key] = cov.fractions(cov.defended())


def evaluate(
    point: dict[str, Any], *, trials: int = 2000, seed: int = DEFAULT_SEED, catalog_dir: str | None = None
) -> dict[str, float]:
    """Run one point: the raid's metrics and the architecture's cost. Pure given its arguments.

    Returns every name of :data:`METRICS`, the 95 % half-widths of the two Monte Carlo means
    (``expected_leakers_ci95_half_width``, ``expected_surviving_value_fraction_ci95_half_width``) and
    ``price_year``, the year whose yen the cost metrics
    are in (the scenario's).
    """
    from bmdlab.cost.architecture import architecture_cost
    from bmdlab.engagement.scenario_raid import run_scenario_raid

    p = check_point(point)
    catalog = builtin_catalog() if catalog_dir is None else load_catalog(catalog_dir)
    scen = point_scenario(p, catalog)
    out, tally, _ = run_scenario_raid(
        scen, catalog, missiles=int(p["missiles"]), trials=trials, seed=run_seed(seed, p), keep_trials=trials > 1
    )
    breakdown = architecture_cost(scen, catalog, years=None if p["years"] is None else int(p["years"]))
    cost = breakdown.total() * float(p["cost_scale"])
    sv = out["expected_surviving_value_fraction"]
    land, people = _coverage_fractions(scen, catalog)
    return {
        "defended_land_fraction": land,
        "defended_population_fraction": people,
        "expected_leakers": float(out["expected_leakers"]),
        "p_zero_leakers": float(out["p_zero_leakers"]),
        "expected_surviving_value_fraction": float(sv),
        "interceptors_expended": float(out["interceptors_expended_total"]),
        "cost_total_jpy": int(round(cost)),  # whole yen of price_year, as every money figure
        "jpy_per_surviving_value_point": float(cost / (100 * sv)) if sv > 0 else float("inf"),
        "price_year": int(breakdown.price_year),
        # Monte Carlo 95 % half-widths (for the tornado's error bars; not sweep columns)
        "expected_leakers_ci95_half_width": half_width95(tally.extra.get("leakers_per_trial")),
        "expected_surviving_value_fraction_ci95_half_width": half_width95(tally.extra.get("surviving_value_per_trial")),
    }


__all__ = ["METRICS", "PARAMETERS", "check_point", "evaluate", "run_seed", "sspk_at_quantile"]
