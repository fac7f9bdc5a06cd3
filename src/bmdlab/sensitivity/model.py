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
(every other field of     ``common_mode``, ``capacity``, ``doctrine``, ``sspk``, ``limits``, ``reloads``,
:class:`Overrides`)       ``price_year``: each as :class:`bmdlab.assembly.overrides.Overrides` defines it
========================  ==========================================================================

A run's parameters other than ``scenario`` are :class:`~bmdlab.assembly.overrides.Overrides`: they are
checked by that one model (the same bounds as the scenario file, the command line, the Python API and
the web server) and applied by :func:`bmdlab.assembly.setup.assemble`, which decides what wins.

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

import dataclasses
import hashlib
import json
import types
import typing
from typing import Any

from bmdlab.assembly.overrides import LIMIT_SWITCHES, Overrides
from bmdlab.assembly.setup import Setup, assemble, sspk_at_quantile
from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.cost.architecture import architecture_cost
from bmdlab.coverage.national import Coverage, national_coverages
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.engagement.raid import RaidPlan, plan_raid
from bmdlab.engagement.scenario_raid import RaidRun, check_raid_memory, run_scenario_raid
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.montecarlo import half_width95
from bmdlab.scenario import resolve_scenario

#: Parameters every run reports, with their defaults (None: keep the scenario's or catalog's value). A run
#: also takes any other field of :class:`~bmdlab.assembly.overrides.Overrides` (:data:`ACCEPTED`).
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
    **dict.fromkeys(LIMIT_SWITCHES),
    "rcs_scale": None,
    "availability": None,
    "fire_channels_scale": None,
}
#: Every parameter a run accepts: the scenario and the fields of Overrides.
ACCEPTED = ("scenario", *Overrides.model_fields)
#: The engagement-limit parameters and the limits they switch.
LIMIT_PARAMETERS = LIMIT_SWITCHES
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


def parameter_kind(name: str) -> str:
    """What a run parameter is: ``int``, ``float``, ``bool`` or ``str`` (a name, a choice or a set of names)."""
    if name in LIMIT_SWITCHES:
        return "bool"
    field = Overrides.model_fields.get(name)
    if field is None:
        return "str"
    kinds = {t for t in _leaf_types(field.annotation)} - {type(None)}
    for t, kind in ((bool, "bool"), (int, "int"), (float, "float")):
        if kinds == {t}:
            return kind
    return "str"


def _leaf_types(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _leaf_types(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [x for a in typing.get_args(tp) for x in _leaf_types(a)]
    return [tp]


def check_point(point: dict[str, Any], where: str = "sweep") -> dict[str, Any]:
    """A run's parameters, checked by :class:`~bmdlab.assembly.overrides.Overrides` (unknown names and values
    out of bounds are one-line errors naming ``where`` and the parameter); defaults filled in."""
    for k in point:
        if k not in ACCEPTED:
            raise BmdlabError(f"{where}: " + str(unknown_key("sensitivity parameter", k, ACCEPTED)))
    out = {**PARAMETERS, **point}
    for k in LIMIT_SWITCHES:
        if isinstance(out.get(k), bool):
            out[k] = "on" if out[k] else "off"
    if not isinstance(out["scenario"], str):
        raise BmdlabError(f"{where}: scenario = {out['scenario']!r} must be a scenario name")
    try:
        point_overrides(out)
    except BmdlabError as exc:
        raise BmdlabError(f"{where}: {exc}") from None
    return out


def point_overrides(p: dict[str, Any]) -> Overrides:
    """The :class:`~bmdlab.assembly.overrides.Overrides` of a run's parameters (all but ``scenario``)."""
    return Overrides.of({k: v for k, v in p.items() if k != "scenario" and v is not None})


def run_seed(seed: int, point: dict[str, Any]) -> int:
    """The Monte Carlo seed of one run: the sweep's own seed, for every run.

    Common random numbers: every run draws the same random streams, so a difference between two
    runs comes from their parameters, not from sampling noise (Law, Simulation Modeling and
    Analysis, 5th ed., 2015, sec. 11.2). It also makes each run independent of the order in which
    a sweep's runs finish.
    """
    return int(seed)


def point_setup(p: dict[str, Any], catalog: Catalog) -> Setup:
    """The assembled scenario of a checked point (:func:`check_point`): the named scenario with the point's
    overrides."""
    scen = resolve_scenario(str(p["scenario"]), catalog, parameter="scenario")
    setup = assemble(scen, catalog, point_overrides(p))
    setup.require_raid()
    return setup


class CoverageMemo:
    """Coverage fractions and raid plans already computed, keyed by what they depend on: the architecture,
    threat and timeline of the scenario, the engagement model and timeline in force, and the catalog (raid-only
    parameters do not change a coverage); a plan also by the raid's salvos and assets (the Monte Carlo's
    parameters, such as kill probabilities, reliability, decoys and availability, do not change it). A memo of
    pure functions, owned by its caller (a tornado, a sweep worker); it keeps the last :attr:`MAX_PLANS`
    plans."""

    MAX_PLANS = 32

    def __init__(self) -> None:
        self.fractions: dict[tuple[str, ...], tuple[float, float]] = {}
        self.plans: dict[tuple[str, ...], RaidPlan] = {}

    def plan(self, setup: Setup, run: RaidRun) -> RaidPlan:
        """The setup's raid plan (:func:`~bmdlab.engagement.raid.plan_raid`), once the run's memory is checked."""
        check_raid_memory(setup, run.trials, run.memory_budget)
        raid = setup.require_raid()
        shots = json.dumps([raid.salvos, [dataclasses.asdict(a) for a in raid.assets]], sort_keys=True)
        key = (*self.key(setup), hashlib.sha256(shots.encode()).hexdigest())
        if key not in self.plans:
            while len(self.plans) >= self.MAX_PLANS:
                self.plans.pop(next(iter(self.plans)))
            self.plans[key] = plan_raid(setup)
        return self.plans[key]

    @staticmethod
    def key(setup: Setup) -> tuple[str, ...]:
        sc = setup.scenario
        text = json.dumps(sc.model_dump(mode="json", include={"architecture", "threat", "timeline"}), sort_keys=True)
        m = setup.model
        model = json.dumps([m.flyout, sorted(m.limits), m.rcs_scale])
        return (hashlib.sha256(text.encode()).hexdigest(), model, repr(setup.timeline), setup.catalog.hash)

    def add(self, setup: Setup, coverage: Coverage) -> None:
        """Keep the fractions of a coverage computed elsewhere (on the coverage-metric grid; others are ignored)."""
        if coverage.grid.resolution_km == COVERAGE_RESOLUTION_KM:
            self.fractions[self.key(setup)] = coverage.fractions(coverage.defended())

    def get(self, setup: Setup) -> tuple[float, float]:
        """(land, population) the setup defends, worst case, on the coverage-metric grid."""
        key = self.key(setup)
        if key not in self.fractions:
            self.fill([setup], workers=1)
        return self.fractions[key]

    def fill(self, setups: list[Setup], workers: int | None = None) -> None:
        """Compute the missing coverages in one pass over their threats (:func:`bmdlab.coverage.national.national_coverages`)."""
        todo = {self.key(s): s for s in setups if self.key(s) not in self.fractions}
        if todo:
            covs = national_coverages(list(todo.values()), COVERAGE_RESOLUTION_KM, workers=workers)
            for key, cov in zip(todo, covs):
                self.fractions[key] = cov.fractions(cov.defended())


def evaluate(
    point: dict[str, Any],
    *,
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    catalog_dir: str | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, float]:
    """Run one point: the raid's metrics, the architecture's cost and the coverage it defends. Pure given its
    arguments (``memo`` only saves recomputing a coverage).

    Returns every name of :data:`METRICS`, the 95 % half-widths of the two Monte Carlo means
    (``expected_leakers_ci95_half_width``, ``expected_surviving_value_fraction_ci95_half_width``) and
    ``price_year``, the year whose yen the cost metrics are in (the scenario's).
    """
    p = check_point(point)
    catalog = builtin_catalog() if catalog_dir is None else load_catalog(catalog_dir)
    setup = point_setup(p, catalog)
    memo = memo or CoverageMemo()
    run = RaidRun(trials=trials, seed=run_seed(seed, p), keep_trials=trials > 1)
    out = run_scenario_raid(setup, run, plan=memo.plan(setup, run))
    breakdown = architecture_cost(setup)
    cost = breakdown.total() * setup.cost.scale
    sv = round(out.expected_surviving_value_fraction, 5)
    land, people = memo.get(setup)
    return {
        "defended_land_fraction": land,
        "defended_population_fraction": people,
        "expected_leakers": round(out.expected_leakers, 4),
        "p_zero_leakers": round(out.p_zero_leakers, 5),
        "expected_surviving_value_fraction": float(sv),
        "interceptors_expended": round(out.interceptors_expended_total, 3),
        "cost_total_jpy": int(round(cost)),  # whole yen of price_year, as every money figure
        "jpy_per_surviving_value_point": float(cost / (100 * sv)) if sv > 0 else float("inf"),
        "price_year": int(breakdown.price_year),
        # Monte Carlo 95 % half-widths (for the tornado's error bars; not sweep columns)
        "expected_leakers_ci95_half_width": half_width95(out.tally.leakers_per_trial),
        "expected_surviving_value_fraction_ci95_half_width": half_width95(out.tally.surviving_value_per_trial),
    }


__all__ = [
    "ACCEPTED",
    "METRICS",
    "PARAMETERS",
    "CoverageMemo",
    "check_point",
    "evaluate",
    "parameter_kind",
    "point_overrides",
    "point_setup",
    "run_seed",
    "sspk_at_quantile",
]
