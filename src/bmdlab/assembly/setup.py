"""Assembly: a scenario, the catalog and a caller's overrides, resolved into what the models compute on.

:func:`assemble` is the only place where bmdlab decides which value a run uses. For every number,
the first of these sources that gives one wins:

1. the caller's :class:`~bmdlab.assembly.overrides.Overrides` (a command-line option, a Python API
   argument, a sweep axis, a web request): one value for every unit, interceptor or threat;
2. the scenario, by the unit's name (``engagement.availability`` keyed by a unit name);
3. the scenario, by the unit's type (``engagement.fire_channels``, ``c2_time_s``, ``availability``),
   by the interceptor (``engagement.sspk``, ``reliability``, ``common_mode``), or its ``timeline``
   and ``raid`` sections;
4. the catalog: the unit type's or interceptor's value (kill probability from the test record by
   Laplace's rule), or the threat missile's (reliability from its flight record, by the same rule),
   else the model's neutral default (no channel limit, no C2 queue, always on station, independent
   shots, every missile works).

Two overrides scale or replace what that chain gives rather than a value: ``fire_channels_scale``
multiplies each unit's channel count (rounded, 1 to 1000; a unit with no channel limit keeps none),
and ``sspk_quantile`` replaces each interceptor's kill probability by its test-record posterior at
that quantile, below an ``sspk`` override and above the scenario's and the catalog's.
:func:`unit_values` is that chain for one unit, written out once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bmdlab.assembly.overrides import LIMIT_SWITCHES, Overrides
from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Interceptor
from bmdlab.defense.engage import (
    Defender,
    EngagementModel,
    EngagementTimeline,
    Sensor,
    check_limit_values,
    make_defender,
    make_sensor,
)
from bmdlab.defense.posture import Posture
from bmdlab.errors import BmdlabError
from bmdlab.places import resolve_place
from bmdlab.scenario import Asset, Scenario, UnitSpec, raid_assets


@dataclass(frozen=True)
class ThreatCase:
    """One threat of a coverage: a missile from a launch area on a trajectory shape."""

    launch_area: str
    missile: str
    shape: str
    apogee_km: float | None = None

    @property
    def label(self) -> str:
        extra = f" {self.apogee_km:,.0f} km" if self.apogee_km else ""
        return f"{self.missile} from {self.launch_area} ({self.shape}{extra})"


@dataclass(frozen=True)
class UnitValues:
    """One unit's numbers for raids, after the precedence chain (:func:`unit_values`)."""

    availability: float  #: probability that the unit is on station in a trial [-]
    fire_channels: int  #: engagements it can run at once (0: no limit)
    c2_time: float  #: its C2 node's decision time per engagement [s] (0: none)
    sspk: float  #: single-shot kill probability of its interceptor [-]
    reliability: float  #: probability that its interceptor works [-]
    common_mode: float  #: correlation of the kill outcomes of its interceptor type's shots [-]


@dataclass(frozen=True)
class RaidSetup:
    """A scenario's raid as it will be fired: salvos (scaled to the missiles asked for) and assets."""

    salvos: tuple[dict[str, Any], ...]  #: ``{count, missile, launch_area, aim, launch_spread_s}``
    assets: tuple[Asset, ...]
    decoys: int  #: per missile
    discrimination: float  #: probability that a decoy is recognised [-]
    missile_reliability: float  #: probability that a missile works, averaged over the raid's missiles [-]
    #: missile key -> probability that a missile of that type works [-] (what the raid draws from)
    reliability_by_missile: dict[str, float] = field(default_factory=dict)

    @property
    def missiles(self) -> int:
        return int(sum(s["count"] for s in self.salvos))


@dataclass(frozen=True)
class CostSetup:
    """The cost model's horizon and prices for a run (the scenario's ``cost`` section with the overrides')."""

    years: int  #: operation and support horizon [years]
    reloads: int  #: full magazine reloads bought per unit over the horizon
    price_year: int  #: every amount in yen (and dollars) of this year
    scale: float = 1.0  #: factor on every price (a sensitivity input)


@dataclass(frozen=True)
class Setup:
    """What a run computes on: the scenario and catalog, and everything resolved from them.

    Built by :func:`assemble`; nothing after it looks a value up in the scenario or the catalog again.
    """

    scenario: Scenario
    catalog: Catalog
    overrides: Overrides
    model: EngagementModel  #: fly-out, engagement limits, RCS scale
    timeline: EngagementTimeline  #: delays, cueing, shots (SI)
    sensors: tuple[Sensor, ...]  #: its stand-alone sensors
    threats: tuple[ThreatCase, ...]  #: coverage threat cases (launch area x missile x shape), each once
    units: tuple[UnitValues, ...] = field(repr=False)  #: per unit, in the order of ``defenders``
    cost: CostSetup  #: horizon and prices
    doctrine: str = "shoot-look-shoot"
    capacity: bool = True  #: honour fire channels and C2 decision times in raids
    raid: RaidSetup | None = None  #: None when the scenario has no raid

    @functools.cached_property
    def defenders(self) -> tuple[Defender, ...]:
        """The architecture's units, in scenario order, under the engagement model.

        Built on first use: a unit's physical fly-out fan takes about a second per interceptor type to
        integrate (then cached), which a cost or a raid check does not need.
        """
        units = self.scenario.architecture.units
        return tuple(_defender(i, spec, self.catalog, self.model) for i, spec in enumerate(units))

    @functools.cached_property
    def posture(self) -> Posture:
        """Which units are on station (:mod:`bmdlab.defense.posture`): under the ``rotation`` posture (the
        default; the overrides', else the scenario's) each ship class with a catalog ``rotation_cycle`` is a
        fleet rotating through its stations; every other unit is on station on its own with its availability."""
        availability = self.unit_array("availability").astype(float)
        name = self.overrides.posture or self.scenario.engagement.posture
        if name == "independent":
            return Posture.independent(availability)
        specs = self.scenario.architecture.units
        cycle = {
            s.unit: self.catalog.units[s.unit].rotation_cycle.si()  # type: ignore[union-attr]
            for s in specs
            if self.catalog.units[s.unit].rotation_cycle is not None
        }
        sea = [self.catalog.units[s.unit].basing == "sea" and s.unit in cycle for s in specs]
        return Posture.rotation(availability, [s.unit for s in specs], sea, cycle)

    def unit_array(self, name: str) -> np.ndarray:
        """One :class:`UnitValues` field of every unit, as an array (``setup.unit_array("availability")``)."""
        return np.array([getattr(u, name) for u in self.units])

    def require_raid(self) -> RaidSetup:
        if self.raid is None:
            raise BmdlabError(f"scenario '{self.scenario.name}' has no raid; add a 'raid:' section with salvos")
        return self.raid


def assemble(scenario: Scenario, catalog: Catalog, overrides: Overrides | None = None) -> Setup:
    """Resolve a scenario on a catalog with a caller's overrides (see the module docstring for which wins)."""
    ov = overrides or Overrides()
    model = engagement_model(scenario, ov)
    units = []
    for spec in scenario.architecture.units:
        key = spec.interceptor or catalog.units[spec.unit].interceptor
        check_limit_values(catalog.interceptors[key], key)
        units.append(unit_values(spec, catalog, scenario, ov))
    sensors = tuple(
        make_sensor(
            catalog,
            s.sensor,
            *resolve_place(s.at, catalog).latlon,
            name=s.name or (s.at if isinstance(s.at, str) else None),
        )
        for s in scenario.architecture.sensors
    )
    return Setup(
        scenario=scenario,
        catalog=catalog,
        overrides=ov,
        model=model,
        timeline=engagement_timeline(scenario, ov),
        sensors=sensors,
        threats=tuple(threat_cases(scenario, catalog)),
        units=tuple(units),
        doctrine=ov.doctrine or scenario.engagement.doctrine,
        capacity=scenario.engagement.capacity if ov.capacity is None else ov.capacity,
        raid=raid_setup(scenario, ov, catalog),
        cost=cost_setup(scenario, ov),
    )


def with_missiles(setup: Setup, missiles: int) -> Setup:
    """The same setup with its raid's salvos scaled to ``missiles`` (a campaign's waves)."""
    ov = setup.overrides.merged(Overrides(missiles=missiles))
    return replace(setup, overrides=ov, raid=raid_setup(setup.scenario, ov, setup.catalog))


def engagement_model(scenario: Scenario, overrides: Overrides | None = None) -> EngagementModel:
    """Fly-out, engagement limits and RCS scale: the overrides' (``limits``, then each ``limit_*`` switch),
    else the scenario timeline's."""
    ov, tl = overrides or Overrides(), scenario.timeline
    limits: set[str] = set(tl.engagement_limits if ov.limits is None else ov.limits)
    for switch, name in LIMIT_SWITCHES.items():
        on = getattr(ov, switch)
        if on is not None:
            (limits.add if on else limits.discard)(name)
    return EngagementModel(
        flyout=ov.flyout or tl.flyout,
        limits=frozenset(limits),
        rcs_scale=tl.rcs_scale if ov.rcs_scale is None else ov.rcs_scale,
    )


def engagement_timeline(scenario: Scenario, overrides: Overrides | None = None) -> EngagementTimeline:
    """The scenario's timeline in SI units, with the overrides' track delay."""
    ov, timeline = overrides or Overrides(), EngagementTimeline.of(scenario.timeline)
    return timeline if ov.track_delay_s is None else replace(timeline, track_delay=ov.track_delay_s)


def unit_values(spec: UnitSpec, catalog: Catalog, scenario: Scenario, overrides: Overrides) -> UnitValues:
    """One unit's availability, fire channels, C2 time and kill parameters, each from the first source that
    gives it: the caller's overrides, the scenario by unit name, the scenario by unit type or
    interceptor, the catalog (the module docstring gives the whole rule)."""
    ov, eng = overrides, scenario.engagement
    cat_unit = catalog.units[spec.unit]
    ikey = spec.interceptor or cat_unit.interceptor
    interceptor = catalog.interceptors[ikey]

    availability = first(
        ov.sea_availability if cat_unit.basing == "sea" else ov.land_availability,
        ov.availability,
        eng.availability.get(spec.name or ""),
        eng.availability.get(spec.unit),
        None if cat_unit.availability is None else float(cat_unit.availability.nominal),
        1.0,
    )
    channels = first(
        eng.fire_channels.get(spec.unit),
        None if cat_unit.fire_channels is None else int(cat_unit.fire_channels.nominal),
        0,
    )
    fc = cat_unit.fire_channels
    if ov.fire_channels_quantile is not None and fc is not None and fc.plausible is not None and channels > 0:
        lo, hi = fc.plausible
        channels = max(1, int(round(lo + ov.fire_channels_quantile * (hi - lo))))
    if ov.fire_channels_scale is not None and channels > 0:
        channels = max(1, min(1000, int(round(channels * ov.fire_channels_scale))))
    c2_time = first(eng.c2_time_s.get(spec.unit), None if cat_unit.c2_time is None else cat_unit.c2_time.si(), 0.0)
    quantile = None if ov.sspk_quantile is None else sspk_at_quantile(*intercept_record(interceptor), ov.sspk_quantile)
    sspk = first(ov.sspk, quantile, eng.sspk.get(ikey), default_sspk(interceptor))
    return UnitValues(
        availability=float(availability),
        fire_channels=int(channels),
        c2_time=float(c2_time),
        sspk=float(sspk),
        reliability=float(first(eng.reliability.get(ikey), 1.0)),
        common_mode=float(first(ov.common_mode, eng.common_mode.get(ikey), 0.0)),
    )


def first(*values: Any) -> Any:
    """The first value that is not None (the precedence chain's step)."""
    return next(v for v in values if v is not None)


def default_sspk(interceptor: Interceptor) -> float:
    """Single-shot kill probability from the catalog test record, by Laplace's rule of succession.

    :math:`(h + 1) / (n + 2)` for :math:`h` hits in :math:`n` intercept tests: a test record of 15 of
    15 gives 0.94, not a certainty ("a hit probability of 100 percent cannot be expected"). The
    record folds interceptor reliability in, so the default reliability is 1.
    """
    hits, attempts = intercept_record(interceptor)
    return (hits + 1.0) / (attempts + 2.0)


def intercept_record(interceptor: Interceptor) -> tuple[float, float]:
    """An interceptor's ``(hits, attempts)`` in intercept tests (the catalog's ``[hits, attempts]``)."""
    hits, attempts = interceptor.test_record.value  # type: ignore[misc, str-unpack]  # a [hits, attempts] pair
    return float(hits), float(attempts)


def sspk_at_quantile(hits: float, attempts: float, q: float) -> float:
    """The ``q`` quantile of the Beta(h + 1, n - h + 1) posterior of a kill probability (uniform prior;
    Gelman et al., Bayesian Data Analysis, 3rd ed., 2013, sec. 2.4)."""
    from scipy.special import betaincinv  # lazy: SciPy's special functions load in ~0.17 s

    return float(betaincinv(hits + 1.0, attempts - hits + 1.0, q))


def _defender(i: int, spec: UnitSpec, catalog: Catalog, model: EngagementModel) -> Defender:
    place = resolve_place(spec.at, catalog)
    label = spec.name or (spec.at if isinstance(spec.at, str) else f"{catalog.units[spec.unit].name} {i + 1}")
    return make_defender(
        catalog,
        spec.unit,
        place.lat_deg,
        place.lon_deg,
        name=label,
        interceptor=spec.interceptor,
        inventory=spec.inventory,
        model=model,
    )


def threat_cases(scenario: Scenario, catalog: Catalog) -> list[ThreatCase]:
    """Every (launch area, missile, shape) of the scenario's threat, once each, in the order given."""
    cases: list[ThreatCase] = []
    for g in scenario.threat.all_groups():
        areas = g.launch_areas or list(catalog.places_of("launch-area"))
        cases += [ThreatCase(a, m, s.shape, s.apogee_km) for a in areas for m in g.missiles for s in g.shapes]
    return list(dict.fromkeys(cases))


def raid_setup(
    scenario: Scenario, overrides: Overrides | None = None, catalog: Catalog | None = None
) -> RaidSetup | None:
    """The scenario's raid with the overrides' missiles (salvos scaled), decoys, discrimination and missile
    reliability (per missile type: :func:`missile_reliability`); None when the scenario has no raid."""
    ov, raid = overrides or Overrides(), scenario.raid
    if raid is None:
        return None
    salvos = [s.model_dump() for s in raid.salvos]
    if ov.missiles is not None:
        for s, n in zip(salvos, scale_counts([s["count"] for s in salvos], ov.missiles), strict=True):
            s["count"] = n
    by_type = {s["missile"]: missile_reliability(s["missile"], scenario, catalog, ov) for s in salvos}
    counts = [s["count"] for s in salvos]
    weights = counts if sum(counts) > 0 else None
    return RaidSetup(
        salvos=tuple(salvos),
        assets=tuple(raid_assets(scenario)),
        decoys=first(ov.decoys, raid.decoys_per_missile),
        discrimination=first(ov.discrimination, raid.discrimination_probability),
        missile_reliability=float(np.average([by_type[s["missile"]] for s in salvos], weights=weights)),
        reliability_by_missile=by_type,
    )


def missile_reliability(
    key: str, scenario: Scenario, catalog: Catalog | None, overrides: Overrides | None = None
) -> float:
    """Probability that a missile of type ``key`` works: the override, else the scenario raid's
    ``missile_reliability``, else the catalog's (its flight record by Laplace's rule), else 1."""
    ov, raid = overrides or Overrides(), scenario.raid
    m = None if catalog is None else catalog.missiles.get(key)
    from_catalog = None if m is None or m.reliability is None else m.reliability.nominal
    return float(first(ov.missile_reliability, None if raid is None else raid.missile_reliability, from_catalog, 1.0))


def cost_setup(scenario: Scenario, overrides: Overrides | None = None) -> CostSetup:
    """The scenario's cost horizon, reloads and price year, each unless the overrides give one; the price scale."""
    ov, spec = overrides or Overrides(), scenario.cost
    return CostSetup(
        years=first(ov.years, spec.years),
        reloads=first(ov.reloads, spec.reloads),
        price_year=first(ov.price_year, spec.price_year),
        scale=first(ov.cost_scale, 1.0),
    )


def scale_counts(counts: list[int], total: int) -> list[int]:
    """Scale salvo sizes to a new total in proportion (largest remainders, so they sum exactly)."""
    if total < 0:
        raise BmdlabError(f"missiles: {total} must be >= 0")
    base = sum(counts)
    if base == 0:
        raise BmdlabError("the scenario's raid has no missiles to scale; give salvo counts in the scenario")
    exact = np.array(counts, float) * total / base
    out = np.floor(exact).astype(int)
    rest = total - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out.tolist()


__all__ = [
    "Asset",
    "CostSetup",
    "RaidSetup",
    "Setup",
    "ThreatCase",
    "UnitValues",
    "assemble",
    "cost_setup",
    "default_sspk",
    "engagement_model",
    "engagement_timeline",
    "missile_reliability",
    "raid_assets",
    "scale_counts",
    "sspk_at_quantile",
    "threat_cases",
    "unit_values",
    "with_missiles",
]
