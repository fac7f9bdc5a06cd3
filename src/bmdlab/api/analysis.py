"""``bmdlab.Analysis``: one scenario, one catalog, one seed, a caller's overrides, and every analysis of them.

In the spirit of pvlib's ``ModelChain``: the facade composes the stage functions (trajectory,
defense, coverage, engagement, cost, sensitivity, study) and adds nothing but parameter checks and
provenance. The scenario, the catalog and the overrides are assembled in one place
(:func:`bmdlab.assembly.setup.assemble`); every method returns a typed result
(:mod:`bmdlab.api.results`).

Example
-------
>>> import bmdlab
>>> a = bmdlab.Analysis("japan-2017-aegis-ashore")          # doctest: +SKIP
>>> cov = a.coverage(resolution_km=20)                       # doctest: +SKIP
>>> cov.land_fraction, cov.population_fraction               # doctest: +SKIP
>>> raid = a.raid(missiles=200, trials=2000, availability=0.8)   # doctest: +SKIP
>>> raid.expected_leakers, raid.to_frame()                   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bmdlab import arguments, bounds
from bmdlab.api.results import (
    BudgetResult,
    CampaignResult,
    CostResult,
    CoverageResult,
    FootprintCheckResult,
    FootprintResult,
    RaidResult,
    RotationResult,
    SitingResult,
    StudyResult,
    SweepResult,
    TornadoResult,
    TradeoffResult,
    TrajectoryResult,
    make_provenance,
)
from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import Setup, ThreatCase, assemble
from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.cost.architecture import architecture_cost
from bmdlab.cost.options import tradeoff_options
from bmdlab.cost.tradeoff import TradeoffRun, evaluate_options
from bmdlab.coverage.availability import coverage_over_availability
from bmdlab.coverage.incremental import CoverageCache
from bmdlab.coverage.national import national_coverage
from bmdlab.coverage.over_time import check_span, coverage_over_time, ships_to_match
from bmdlab.coverage.published_footprints import footprint_checks, published_cases
from bmdlab.coverage.siting_study import SitingQuery, optimise_sites
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.defense.engage import make_defender
from bmdlab.defense.footprint import FootprintThreat, defended_footprint
from bmdlab.engagement.campaign import CampaignRun, repeated_waves, run_campaign
from bmdlab.engagement.scenario_raid import RaidRun, check_raid_memory, run_scenario_raid
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.geo.japan import is_land
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, destination
from bmdlab.io import check_output_directory
from bmdlab.places import Place, resolve_place
from bmdlab.scenario import CampaignSpec, Scenario, resolve_scenario, scenario_names
from bmdlab.sensitivity.model import METRICS
from bmdlab.sensitivity.sweep import (
    SweepEstimate,
    SweepRun,
    check_sweep_file,
    grid,
    parse_axis,
    run_sweep,
    sweep_estimate,
)
from bmdlab.sensitivity.tornado import tornado
from bmdlab.sensitivity.uncertainty import (
    UncertaintyResult,
    UncertaintyRun,
    check_scenario_name,
    design,
    run_uncertainty,
)
from bmdlab.trajectory import SHAPES, FlightShape, missile_trajectory

if TYPE_CHECKING:  # the study loads plotting: imported only when a study runs
    from bmdlab.study.japan2017 import StudyProgress

#: Studies bmdlab can run.
STUDIES = ("japan-2017",)


def catalog_of(catalog: Catalog | str | Path | None) -> Catalog:
    """The built-in catalog (None), a loaded one, or one loaded from a directory."""
    if catalog is None:
        return builtin_catalog()
    if isinstance(catalog, Catalog):
        return catalog
    if not isinstance(catalog, (str, Path)):
        raise BmdlabError(
            f"catalog: {catalog!r} is not a catalog; give None (the built-in one), a Catalog or a folder path"
        )
    return load_catalog(catalog)


class Analysis:
    """A scenario on a catalog, with a seed and a caller's overrides, and the analyses bmdlab runs on them.

    Parameters
    ----------
    scenario : str, Path or Scenario
        A built-in scenario (``japan-2017-baseline``), a trade-off option key (``aegis-ashore-48``), a
        YAML file, or a :class:`bmdlab.scenario.Scenario`.
    catalog : Catalog, str or Path, optional
        The catalog (default: the built-in one) or a catalog directory.
    seed : int
        Seed of every Monte Carlo run (default 2017, as the study).
    flyout, limits : str, optional
        Override the scenario's engagement model (``physical`` or ``straight-line``; ``all``,
        ``none`` or a comma list of limits); shorthands for the same fields of ``overrides``.
    overrides : Overrides or dict, optional
        Any other change to the scenario (:class:`bmdlab.assembly.overrides.Overrides`) for every
        analysis; a method's own keyword overrides go on top.
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "japan-2017-baseline",
        *,
        catalog: Catalog | str | Path | None = None,
        seed: int = DEFAULT_SEED,
        flyout: str | None = None,
        limits: str | list[str] | None = None,
        overrides: Overrides | dict[str, Any] | None = None,
    ):
        self.catalog = catalog_of(catalog)
        self.scenario_name = scenario.name if isinstance(scenario, Scenario) else str(scenario)  #: as given
        self.scenario = resolve_scenario(scenario, self.catalog)
        self.seed = bounds.SEED.check("seed", seed)
        self.overrides = Overrides.of(overrides, flyout=flyout, limits=limits)
        self.setup = assemble(self.scenario, self.catalog, self.overrides)

    def __repr__(self) -> str:
        return f"Analysis({self.scenario.name!r}, catalog={self.catalog.hash[:12]}, seed={self.seed})"

    @property
    def model(self):
        """The engagement model in force (fly-out, limits, RCS scale)."""
        return self.setup.model

    def assembled(self, **overrides: Any) -> Setup:
        """The scenario assembled with this analysis's overrides and ``overrides`` on top."""
        if not any(v is not None for v in overrides.values()):
            return self.setup
        return assemble(self.scenario, self.catalog, self.overrides.merged(Overrides.of(overrides)))

    def _prov(self, seed: int | None = None, setup: Setup | None = None, **options: Any):
        ov = (setup or self.setup).overrides.to_json()
        return make_provenance(
            self.catalog, self.scenario, seed, **{**ov, **{k: v for k, v in options.items() if v is not None}}
        )

    def threat_cases(self) -> list[ThreatCase]:
        """The scenario's threat cases (launch area, missile, shape), each once."""
        return list(self.setup.threats)

    # -------------------------------------------------------------------------------- trajectory
    def trajectory(
        self,
        launch: str,
        aim: str | None = None,
        *,
        missile: str | None = None,
        range_km: float | None = None,
        azimuth_deg: float | None = None,
        **shape: Any,
    ) -> TrajectoryResult:
        """One ballistic flight from ``launch`` to ``aim`` (places: ``LAT,LON``, a catalog place or a city),
        or ``range_km`` along ``azimuth_deg``; ``missile`` (a catalog key) sets burn time and range limit.
        ``shape`` takes ``shape`` (minimum-energy, lofted, depressed), ``apogee_km`` or ``angle_deg``,
        ``earth_rotation``, and ``turn_km``: a boost-glide missile's planned cross-range turn (out and back)."""
        cat = self.catalog
        missile = arguments.optional_text("missile", missile, "nodong")
        mis = cat.missile(missile) if missile is not None else None
        flight = _flight_shape(**shape)
        a = resolve_place(launch, cat, "launch")
        b = self._aim(a, aim, range_km, azimuth_deg)
        lat1, lon1, lat2, lon2 = (np.radians(x) for x in (a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg))
        if EARTH_RADIUS * float(central_angle(lat1, lon1, lat2, lon2)) < 1e3:
            raise BmdlabError("aim: the aim point is within 1 km of the launch point; choose a farther target")
        traj = missile_trajectory(
            mis,
            lat1,
            lon1,
            lat2,
            lon2,
            shape=FlightShape(
                flight["shape"],
                apogee=None if flight["apogee_km"] is None else flight["apogee_km"] * 1e3,
                angle=None if flight["angle_deg"] is None else np.radians(flight["angle_deg"]),
                cross_range=flight["turn_km"] * 1e3,
            ),
            earth_rotation=flight["earth_rotation"],
        )
        prov = make_provenance(
            cat,
            self.scenario,
            None,
            missile=missile,
            launch=launch,
            aim=aim,
            range_km=range_km,
            azimuth_deg=azimuth_deg,
            **flight,
        )
        return TrajectoryResult(provenance=prov, trajectory=traj, missile=missile, launch=a, aim=b)

    def _aim(self, a: Place, aim: str | None, range_km: float | None, azimuth_deg: float | None) -> Place:
        if (aim is None) == (range_km is None):
            raise BmdlabError("aim: give either `aim` or `range_km` with `azimuth_deg`")
        if aim is not None:
            if azimuth_deg is not None:
                raise BmdlabError("azimuth_deg: goes with range_km, not with an aim point")
            return resolve_place(aim, self.catalog, "aim")
        if azimuth_deg is None:
            raise BmdlabError("azimuth_deg: range_km needs an azimuth (clockwise from north, degrees)")
        range_km = bounds.RANGE_KM.check("range_km", range_km)
        azimuth_deg = bounds.AZIMUTH_DEG.check("azimuth_deg", azimuth_deg)
        la, lo = destination(
            np.radians(a.lat_deg), np.radians(a.lon_deg), np.radians(azimuth_deg), range_km * 1e3 / EARTH_RADIUS
        )
        lat, lon = float(np.degrees(la)), float(np.degrees(lo))
        return Place(lat, lon, f"{lat:.3f},{lon:.3f}", "coordinates")

    # --------------------------------------------------------------------------------- footprint
    def footprint(
        self,
        unit: str,
        at: str,
        missile: str,
        launch: str,
        *,
        shape: str = "minimum-energy",
        apogee_km: float | None = None,
        track_delay_s: float | None = None,
    ) -> FootprintResult:
        """The aim points ``unit`` (a catalog unit key) placed ``at`` can defend against ``missile`` from ``launch``."""
        cat = self.catalog
        unit = arguments.text("unit", unit, "thaad-battery")
        if unit not in cat.units:
            raise BmdlabError("unit: " + str(unknown_key("unit", unit, cat.units)))
        mis = cat.missile(arguments.text("missile", missile, "nodong"))
        flight = _flight_shape(shape=shape, apogee_km=apogee_km)
        p, q = resolve_place(at, cat, "at"), resolve_place(launch, cat, "launch")
        _check_basing(cat, unit, p, "at")
        setup = self.assembled(track_delay_s=track_delay_s)
        if shape != "minimum-energy" and apogee_km is None:
            raise BmdlabError(f"apogee_km: shape {shape} needs an apogee")
        d = make_defender(cat, unit, p.lat_deg, p.lon_deg, name=p.label, model=setup.model)
        threat = FootprintThreat(
            mis,
            missile,
            q.lat_deg,
            q.lon_deg,
            shape=flight["shape"],
            apogee=None if apogee_km is None else apogee_km * 1e3,
        )
        fp = defended_footprint(d, threat, timeline=setup.timeline)
        prov = self._prov(
            setup=setup,
            unit=unit,
            at=at,
            missile=missile,
            launch=launch,
            shape=shape,
            apogee_km=apogee_km,
            **_model_json(setup),
        )
        return FootprintResult(
            provenance=prov,
            footprint=fp,
            catalog=cat,
            at=p,
            launch=q,
            track_delay_s=d.delay(setup.timeline.track_delay),
            model=setup.model,
        )

    # ---------------------------------------------------------------------------------- coverage
    def coverage(
        self,
        resolution_km: float = 5.0,
        *,
        cities: int = 30,
        progress: Callable[[Any], None] | None = None,
        cache: CoverageCache | None = None,
        availability_samples: int = 0,
        **overrides: Any,
    ) -> CoverageResult:
        """How much of Japan's land and people the architecture defends (worst case over its threats).

        ``availability_samples`` > 0 also gives the shares over random availability of the units (each
        on station with its probability; :func:`bmdlab.coverage.availability.coverage_over_availability`),
        drawn on the analysis's seed. ``cache``, a :class:`bmdlab.coverage.incremental.CoverageCache` of the
        same catalog, reuses the trajectories, tracks and unit results of earlier calls (the same answer,
        faster when only a few units changed). ``overrides``: any field of
        :class:`~bmdlab.assembly.overrides.Overrides` (the engagement model's change the coverage).
        """
        arguments.callback("progress", progress)
        resolution_km = bounds.RESOLUTION_KM.check("resolution_km", resolution_km)
        cities = bounds.CITIES.check("cities", cities)
        availability_samples = bounds.AVAILABILITY_SAMPLES.check("availability_samples", availability_samples)
        setup = self.assembled(**overrides)
        if cache is not None:
            arguments.instance("cache", cache, CoverageCache, "a CoverageCache or None")
            if cache.catalog.hash != self.catalog.hash:
                raise BmdlabError("cache: it was made for another catalog; make one CoverageCache per catalog")
            cov = cache.coverage(setup, resolution_km, progress=progress)
        else:
            cov = national_coverage(setup, resolution_km, progress=progress)
        availability = (
            coverage_over_availability(
                cov,
                setup.unit_array("availability").astype(float),
                samples=availability_samples,
                seed=self.seed,
                posture=setup.posture,
            )
            if availability_samples
            else None
        )
        prov = self._prov(
            setup=setup,
            resolution_km=resolution_km,
            **_model_json(setup),
            availability_samples=availability_samples or None,
            seed=self.seed if availability_samples else None,
        )
        return CoverageResult(
            provenance=prov,
            coverage=cov,
            catalog=self.catalog,
            resolution_km=resolution_km,
            model=setup.model,
            cities=cities,
            availability=availability,
        )

    def rotation(
        self,
        resolution_km: float = 20.0,
        *,
        days: float = 30.0,
        step_h: float = 1.0,
        compare_with: str | Path | Scenario | None = None,
        progress: Callable[[Any], None] | None = None,
        **overrides: Any,
    ) -> RotationResult:
        """Shares of Japan's land and people defended hour by hour through ``days`` of the ships' rotation
        (:mod:`bmdlab.defense.posture`); with ``compare_with`` (another scenario, e.g. ``japan-2017-aegis-ashore``),
        the stations and hulls this architecture's rotating fleet needs to defend, at every instant, the people the
        other defends at its worst hour (:func:`bmdlab.coverage.over_time.ships_to_match`)."""
        arguments.callback("progress", progress)
        resolution_km = bounds.RESOLUTION_KM.check("resolution_km", resolution_km)
        days = bounds.ROTATION_DAYS.check("days", days)
        step_h = bounds.ROTATION_STEP_H.check("step_h", step_h)
        check_span(days, step_h)
        if compare_with is not None and not isinstance(compare_with, (str, Path, Scenario)):
            raise BmdlabError(f"compare_with: {arguments.shown(compare_with)} must be a scenario name or file")
        other_scenario = (
            None if compare_with is None else resolve_scenario(compare_with, self.catalog, parameter="compare_with")
        )
        setup = self.assembled(**overrides)
        posture = setup.posture
        if not posture.rotating:
            raise BmdlabError(
                f"posture: no ship class rotates in scenario '{self.scenario.name}' (posture independent, or no ship "
                "with a catalog rotation_cycle); use a scenario with ships and posture: rotation"
            )
        cov = national_coverage(setup, resolution_km, progress=progress)
        view = coverage_over_time(cov, posture, days=days, step_h=step_h)
        match = other = None
        if other_scenario is not None:
            b = Analysis(other_scenario, catalog=self.catalog, seed=self.seed, overrides=self.overrides).assembled(
                **overrides
            )
            other_view = coverage_over_time(national_coverage(b, resolution_km), b.posture, days=days, step_h=step_h)
            other = {"scenario": b.scenario.name, **other_view.summary()}
            match = ships_to_match(cov, posture, posture.names[0], float(other_view.people.min()))
        prov = self._prov(setup=setup, resolution_km=resolution_km, days=days, step_h=step_h)
        return RotationResult(provenance=prov, view=view, resolution_km=resolution_km, match=match, compare_with=other)

    def site(self, system: str, *, progress: Callable[[Any], None] | None = None, **query: Any) -> SitingResult:
        """Best sites for ``count`` units of a land ``system`` against this scenario's threat, or the
        smallest count reaching a ``population_target`` or ``land_target`` (MILP, HiGHS); ``query`` takes
        :class:`bmdlab.coverage.siting_study.SitingQuery`'s fields."""
        arguments.callback("progress", progress)
        q = self.check_site(system, **query)
        res = optimise_sites(self.setup, q, progress=progress)
        prov = self._prov(
            system=system,
            count=q.count,
            population_target=q.population_target,
            land_target=q.land_target,
            objective=q.objective,
            resolution_km=q.resolution_km,
            candidate_spacing_km=q.candidate_spacing_km,
            area=q.area,
        )
        return SitingResult(provenance=prov, siting=res, catalog=self.catalog)

    def check_site(
        self,
        system: str,
        *,
        count: int | None = None,
        population_target: float | None = None,
        land_target: float | None = None,
        **rest: Any,
    ) -> SitingQuery:
        """The checked query of :meth:`site` (raises the one-line error :meth:`site` would)."""
        cat = self.catalog
        system = arguments.text("system", system, "thaad-battery")
        count = bounds.SITING_COUNT.optional("count", count)
        population_target = bounds.TARGET_FRACTION.optional("population_target", population_target)
        land_target = bounds.TARGET_FRACTION.optional("land_target", land_target)
        if sum(x is not None for x in (count, population_target, land_target)) != 1:
            raise BmdlabError("count: give exactly one of count, population_target or land_target")
        _known(rest, ("objective", "resolution_km", "candidate_spacing_km", "area"))
        rest = dict(rest)
        rest["resolution_km"] = bounds.RESOLUTION_KM.check("resolution_km", rest.get("resolution_km", 10.0))
        rest["candidate_spacing_km"] = bounds.CANDIDATE_SPACING_KM.check(
            "candidate_spacing_km", rest.get("candidate_spacing_km", 30.0)
        )
        bounds.check_choice("area", rest.get("area", "all"), ("all", "threatened"))
        bounds.check_choice("objective", rest.get("objective", "population"), ("population", "land"))
        if system not in cat.units:
            raise BmdlabError("system: " + str(unknown_key("unit", system, cat.units)))
        if cat.units[system].basing != "land":
            land = ", ".join(k for k, u in cat.units.items() if u.basing == "land")
            raise BmdlabError(f"system: '{system}' is sea-based; siting places land systems ({land})")
        return SitingQuery(
            system,
            count=count,
            population_target=population_target,
            land_target=land_target,
            **rest,
        )

    # ------------------------------------------------------------------------------------- raids
    def raid(
        self,
        missiles: int | None = None,
        *,
        trials: int = 10_000,
        memory_budget_gib: float = 4.0,
        progress: Callable[[int, int], None] | None = None,
        keep_trials: bool = False,
        **overrides: Any,
    ) -> RaidResult:
        """Monte Carlo of the scenario's raid (scaled to ``missiles`` if given): leakers, P(zero leakers),
        interceptors expended and their cost. Same seed, same result. ``keep_trials`` keeps every
        trial's leakers (``result.tally.leakers_per_trial``). ``overrides``: any field of
        :class:`~bmdlab.assembly.overrides.Overrides`, e.g. ``doctrine``, ``sspk``, ``common_mode`` (0 to
        0.99, every interceptor type), ``capacity`` (fire channels and C2 decision times, default on),
        ``availability`` (0 to 1, every unit)."""
        arguments.callback("progress", progress)
        keep_trials = arguments.flag("keep_trials", keep_trials)
        setup, run = self.check_raid(missiles, trials=trials, memory_budget_gib=memory_budget_gib, **overrides)
        run = RaidRun(
            trials=run.trials,
            seed=run.seed,
            memory_budget=run.memory_budget,
            keep_trials=keep_trials,
            progress=progress,
        )
        out = run_scenario_raid(setup, run)
        prov = self._prov(
            self.seed, setup=setup, missiles=missiles, trials=run.trials, doctrine=out.doctrine, capacity=out.capacity
        )
        return RaidResult(provenance=prov, outcome=out)

    def check_raid(
        self, missiles: int | None = None, *, trials: int = 10_000, memory_budget_gib: float = 4.0, **overrides: Any
    ) -> tuple[Setup, RaidRun]:
        """The assembled setup and run of :meth:`raid` (raises the one-line error :meth:`raid` would, the
        memory check included), before any trajectory is flown."""
        trials = bounds.TRIALS.check("trials", trials)
        budget = int(bounds.MEMORY_BUDGET_GIB.check("memory_budget_gib", memory_budget_gib) * 2**30)
        setup = self.assembled(missiles=missiles, **overrides)
        setup.require_raid()
        check_raid_memory(setup, trials, budget)
        return setup, RaidRun(trials=trials, seed=self.seed, memory_budget=budget)

    def campaign(
        self,
        waves: int | None = None,
        every_h: float | None = None,
        missiles: int | None = None,
        *,
        trials: int = 4000,
        reserve: dict[str, int] | None = None,
        progress: Callable[[int, int], None] | None = None,
        **overrides: Any,
    ) -> CampaignResult:
        """Raid waves with magazines carried between them, reloads and ships leaving station to reload
        (:mod:`bmdlab.engagement.campaign`): leakers per wave and when each interceptor type runs out.

        The waves are the scenario's ``campaign:`` section, or ``waves`` waves of ``missiles`` each,
        ``every_h`` hours apart (all three needed). ``reserve`` (interceptor key -> rounds beyond the
        loaded magazines) overrides the scenario's; ``overrides`` are any fields of
        :class:`~bmdlab.assembly.overrides.Overrides` (doctrine, capacity, availability, ...). Same seed,
        same result."""
        arguments.callback("progress", progress)
        trials = bounds.CAMPAIGN_TRIALS.check("trials", trials)
        spec = self._campaign_spec(waves, every_h, missiles, reserve)
        setup = self.assembled(**overrides)
        res = run_campaign(setup, spec, CampaignRun(trials=trials, seed=self.seed, progress=progress))
        prov = self._prov(
            self.seed,
            setup=setup,
            trials=trials,
            doctrine=res.doctrine,
            waves=len(spec.waves),
            reserve=dict(spec.reserve),
        )
        return CampaignResult(provenance=prov, campaign=res)

    def _campaign_spec(
        self, waves: int | None, every_h: float | None, missiles: int | None, reserve: dict[str, int] | None
    ) -> CampaignSpec:
        given = [x is not None for x in (waves, every_h, missiles)]
        if any(given) and not all(given):
            raise BmdlabError("waves: give waves, every_h and missiles together, or none (the scenario's campaign)")
        if all(given):
            spec = repeated_waves(waves, every_h, missiles)  # type: ignore[arg-type]
            if self.scenario.campaign is not None:
                spec = spec.model_copy(
                    update={
                        "reserve": self.scenario.campaign.reserve,
                        "leave_station_below": self.scenario.campaign.leave_station_below,
                    }
                )
        elif self.scenario.campaign is None:
            raise BmdlabError(
                f"scenario '{self.scenario.name}' has no campaign: add a 'campaign:' section, or give "
                "`waves`, `every_h` and `missiles`"
            )
        else:
            spec = self.scenario.campaign
        if reserve is not None:
            arguments.mapping("reserve", reserve, "interceptor key: rounds")
        for k, n in (reserve or {}).items():
            bounds.RESERVE.check(f"reserve.{k}", n)
        return spec.model_copy(update={"reserve": {**spec.reserve, **(reserve or {})}}) if reserve else spec

    # ------------------------------------------------------------------------------------- costs
    def cost(self, **overrides: Any) -> CostResult:
        """Life-cycle cost: acquisition, interceptors, operation and total, in yen and dollars of one price year
        (``years``, ``reloads``, ``price_year``: the scenario's unless overridden)."""
        setup = self.assembled(**overrides)
        return CostResult(provenance=self._prov(setup=setup), breakdown=architecture_cost(setup))

    def tradeoff(
        self,
        *,
        raid: int = 200,
        trials: int = 4000,
        resolution_km: float = 10.0,
        budget_jpy: float | None = None,
        progress: Callable[[str], None] | None = None,
        **overrides: Any,
    ) -> TradeoffResult:
        """Cost against effectiveness of the built-in trade-off options (the scenario is not used), the
        Pareto frontier at ``raid`` missiles, and optionally the best purchases for ``budget_jpy``
        (``overrides``, e.g. ``years``, apply to every option)."""
        arguments.callback("progress", progress)
        resolution_km = bounds.RESOLUTION_KM.check("resolution_km", resolution_km)
        raid = bounds.MISSILES.check("raid", raid)
        trials = bounds.RUN_TRIALS.check("trials", trials)
        budget_jpy = bounds.BUDGET_JPY.optional("budget_jpy", budget_jpy)
        ov = Overrides.of(overrides)
        run = TradeoffRun(
            raid_sizes=tuple(sorted({50, 100, 200, raid})), trials=trials, seed=self.seed, resolution_km=resolution_km
        )
        res = evaluate_options(tradeoff_options(self.catalog), self.catalog, run, overrides=ov, progress=progress)
        budget = (
            self.budget(budget_jpy, missiles=raid, trials=trials, years=ov.years) if budget_jpy is not None else None
        )
        prov = make_provenance(
            self.catalog,
            None,
            self.seed,
            raid=raid,
            trials=trials,
            resolution_km=resolution_km,
            budget_jpy=budget_jpy,
            **ov.to_json(),
        )
        return TradeoffResult(provenance=prov, tradeoff=res, raid=raid, budget=budget)

    def budget(
        self, budget_jpy: float, *, missiles: int = 200, trials: int = 4000, years: int | None = None
    ) -> BudgetResult:
        """The purchases (units, interceptor loads) that best spend ``budget_jpy`` yen, checked by Monte Carlo."""
        budget_jpy = bounds.BUDGET_JPY.check("budget_jpy", budget_jpy)
        missiles = bounds.MISSILES.check("missiles", missiles)
        trials = bounds.RUN_TRIALS.check("trials", trials)
        years = bounds.YEARS.optional("years", years)
        from bmdlab.cost.budget import optimise_budget  # lazy: SciPy's MILP loads in ~0.15 s, only for a budget

        out = optimise_budget(self.catalog, budget_jpy, missiles=missiles, trials=trials, seed=self.seed, years=years)
        prov = make_provenance(
            self.catalog, None, self.seed, budget_jpy=budget_jpy, missiles=missiles, trials=trials, years=years
        )
        return BudgetResult(provenance=prov, budget=out)

    # ------------------------------------------------------------------------------- sensitivity
    def tornado(
        self,
        *,
        missiles: int = 200,
        trials: int = 2000,
        metric: str = "expected_leakers",
        catalog_dir: str | Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> TornadoResult:
        """One-at-a-time sensitivity of this scenario's raid and cost metrics (common random numbers);
        ``metric`` ranks the inputs in :meth:`TornadoResult.swing` and its chart."""
        arguments.callback("progress", progress)
        bounds.check_choice("metric", metric, METRICS)
        missiles = bounds.MISSILES.check("missiles", missiles)
        trials = bounds.RUN_TRIALS.check("trials", trials)
        name = self.scenario_name
        if name not in scenario_names():
            raise BmdlabError("scenario: a tornado runs on a built-in scenario or a trade-off option key, not a file")
        res = tornado(
            {"scenario": name, "missiles": missiles},
            trials=trials,
            seed=self.seed,
            catalog_dir=_catalog_dir(catalog_dir),
            progress=progress,
        )
        prov = self._prov(self.seed, missiles=missiles, trials=trials, metric=metric)
        return TornadoResult(provenance=prov, tornado=res, metric=metric)

    def sweep(
        self,
        axes: dict[str, list[Any]] | list[str],
        out: str | Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        **run: Any,
    ) -> SweepResult:
        """A grid of independent runs (``axes``: ``{"missiles": [50, 100]}`` or ``["missiles=50,100"]``; every
        parameter is a field of :class:`~bmdlab.assembly.overrides.Overrides` or ``scenario``) appended to the
        DuckDB file ``out`` as each finishes (local processes or a Dask scheduler). ``run`` takes
        ``trials``, ``resume``, ``workers``, ``scheduler``, ``catalog_dir`` and ``allow_large`` (a sweep of
        more than :data:`bmdlab.bounds.SWEEP_RUNS_UNASKED` runs starts only with it; :meth:`sweep_estimate`
        gives the size first)."""
        arguments.callback("progress", progress)
        out = arguments.path("out", out)
        parsed, points, sweep_run = self._sweep_points(axes, run)
        if sweep_run.resume and out.exists():
            check_sweep_file(out)
        rows = run_sweep(points, out, sweep_run, progress=progress)
        prov = make_provenance(self.catalog, None, self.seed, axes=parsed, trials=sweep_run.trials)
        return SweepResult(
            provenance=prov, path=str(out), axes=tuple(parsed), runs=tuple(rows), trials=sweep_run.trials
        )

    def sweep_estimate(self, axes: dict[str, list[Any]] | list[str], **run: Any) -> SweepEstimate:
        """The runs, coverages, processes and rough time of :meth:`sweep` with these arguments, before it starts
        (the axes checked as the sweep checks them)."""
        _, points, sweep_run = self._sweep_points(axes, run)
        return sweep_estimate(points, sweep_run)

    def _sweep_points(
        self, axes: dict[str, list[Any]] | list[str], run: dict[str, Any]
    ) -> tuple[dict[str, list[Any]], list[dict[str, Any]], SweepRun]:
        _known(run, ("trials", "resume", "workers", "scheduler", "catalog_dir", "allow_large"))
        sweep_run = self._sweep_run(**run)
        parsed = _parse_axes(axes)
        points = grid(parsed)
        for sc in {str(p.get("scenario")) for p in points if "scenario" in p}:
            resolve_scenario(sc, self.catalog)  # fail before any run on an unknown scenario
        return parsed, points, sweep_run

    def _sweep_run(
        self,
        *,
        trials: int = 2000,
        resume: bool = False,
        workers: int | None = None,
        scheduler: str | None = None,
        catalog_dir: str | Path | None = None,
        allow_large: bool = False,
    ) -> SweepRun:
        return SweepRun(
            allow_large=arguments.flag("allow_large", allow_large),
            trials=bounds.RUN_TRIALS.check("trials", trials),
            seed=self.seed,
            workers=bounds.SWEEP_WORKERS.optional("workers", workers),
            scheduler=scheduler,
            resume=arguments.flag("resume", resume),
            catalog_dir=_catalog_dir(catalog_dir),
            catalog_hash=self.catalog.hash,
        )

    def uncertainty(
        self,
        method: str = "morris",
        *,
        samples: int = 10,
        progress: Callable[[int, int], None] | None = None,
        **run: Any,
    ) -> UncertaintyResult:
        """Global uncertainty analysis of this scenario's metrics over the plausible ranges of its assumed values
        (:mod:`bmdlab.sensitivity.uncertainty`): Morris screening (``samples`` trajectories) or Sobol' indices
        (``samples`` base samples, a power of two), with each metric's 5-50-95 % range, ``share()`` and
        ``threshold()``. ``run`` takes ``trials`` (default 500), ``missiles`` (the raid, fixed: default 200),
        ``workers``, ``scheduler`` (a Dask address), ``store`` (a DuckDB file of the runs), ``resume``,
        ``allow_large``, ``catalog_dir`` and ``factors`` (default: :func:`bmdlab.sensitivity.space.default_space`).
        This analysis's overrides hold for every run; ``progress(done, total)`` counts runs."""
        arguments.callback("progress", progress)
        unc_run, factors = self._uncertainty_run(method, samples, run)
        return run_uncertainty(self.scenario_name, unc_run, factors=factors, progress=progress, catalog=self.catalog)

    def uncertainty_estimate(self, method: str = "morris", *, samples: int = 10, **run: Any) -> SweepEstimate:
        """The runs, coverages, processes and rough time of :meth:`uncertainty` with these arguments, before it
        starts (every argument checked as it checks them)."""
        unc_run, factors = self._uncertainty_run(method, samples, run)
        return design(self.scenario_name, unc_run, factors, self.catalog).estimate()

    def _uncertainty_run(self, method: str, samples: int, run: dict[str, Any]) -> tuple[UncertaintyRun, Any]:
        allowed = ("trials", "missiles", "workers", "scheduler", "store", "resume", "allow_large", "catalog_dir")
        _known(run, (*allowed, "factors"))
        check_scenario_name(self.scenario_name, self.catalog)
        given = {k: v for k, v in run.items() if k in allowed and k != "missiles"}
        fixed = self.overrides.to_json()
        missiles = run.get("missiles", fixed.get("missiles", 200))
        fixed["missiles"] = bounds.MISSILES.check("missiles", missiles)
        unc_run = UncertaintyRun.of(method=method, samples=samples, seed=self.seed, fixed=fixed, **given)
        return unc_run, run.get("factors")

    # ------------------------------------------------------------------------------------ checks
    def footprint_checks(
        self,
        *,
        resolution_km: float = 20.0,
        cases: list[str] | None = None,
        progress: Callable[[Any], None] | None = None,
    ) -> FootprintCheckResult:
        """bmdlab's defended footprints against every published footprint figure (the scenario is not used)."""
        arguments.callback("progress", progress)
        resolution_km = bounds.RESOLUTION_KM.check("resolution_km", resolution_km)
        known = {c.id for c in published_cases()}
        for c in arguments.texts("cases", cases, "pac-3-radius") if cases is not None else []:
            if c not in known:
                raise BmdlabError(f"cases: unknown case '{c}'; use one of {', '.join(sorted(known))}")
        results = footprint_checks(self.catalog, resolution_km=resolution_km, ids=cases or None, progress=progress)
        prov = make_provenance(self.catalog, None, None, resolution_km=resolution_km, cases=cases)
        return FootprintCheckResult(provenance=prov, cases=tuple(results), resolution_km=resolution_km)

    # ------------------------------------------------------------------------------------- study
    def study(
        self,
        out: str | Path,
        *,
        name: str = "japan-2017",
        resolution_km: float = 5.0,
        console: Any = None,
        command: str = "bmdlab.Analysis.study",
        progress: Callable[[StudyProgress], None] | None = None,
    ) -> StudyResult:
        """Run a study (``japan-2017``) into the folder ``out``: report.html, results.json and figures.

        The folder is replaced only when the study succeeds. The scenario is not used: the study
        compares the built-in architectures. ``progress`` receives a
        :class:`~bmdlab.study.japan2017.StudyProgress` (stage, label, steps done, fraction of the whole
        study) at each step (structured progress; the console shows the same).
        """
        arguments.callback("progress", progress)
        # lazy: the study imports plotting (Matplotlib); only when a study runs
        from bmdlab.study.japan2017 import run_study

        resolution_km = bounds.RESOLUTION_KM.check("resolution_km", resolution_km)
        bounds.check_choice("name", name, STUDIES, what="study")
        command = arguments.text("command", command)
        out = check_output_directory(arguments.path("out", out))
        res = run_study(
            out, catalog=self.catalog, command=command, console=console, resolution_km=resolution_km, progress=progress
        )
        prov = make_provenance(self.catalog, None, DEFAULT_SEED, study=name, resolution_km=resolution_km)
        return StudyResult(
            provenance=prov,
            out=str(out),
            report=res["report"],
            results=res["results"],
            summary={k: v for k, v in res.items() if k not in ("report", "results")},
        )


def _known(given: dict[str, Any], allowed: tuple[str, ...], what: str = "parameter") -> None:
    """Refuse keyword arguments a method does not take, with a one-line error naming the closest one."""
    for k in given:
        if k not in allowed:
            raise unknown_key(what, k, allowed)


def _flight_shape(**kw: Any) -> dict[str, Any]:
    """A trajectory's shape parameters, checked: ``shape``, its ``apogee_km`` or burnout ``angle_deg``,
    ``earth_rotation``, and a boost-glide flight's cross-range ``turn_km``."""
    _known(kw, ("shape", "apogee_km", "angle_deg", "earth_rotation", "turn_km"))
    shape, apogee_km = kw.get("shape", "minimum-energy"), kw.get("apogee_km")
    angle_deg, earth_rotation = kw.get("angle_deg"), kw.get("earth_rotation", False)
    bounds.check_choice("shape", shape, SHAPES)
    apogee_km = bounds.APOGEE_KM.optional("apogee_km", apogee_km)
    if angle_deg is not None:
        angle_deg = bounds.ANGLE_DEG.check("angle_deg", angle_deg)
        if angle_deg >= 90.0:
            raise BmdlabError(f"angle_deg: {angle_deg:g} must be between 0 and 90 degrees")
    if shape == "minimum-energy" and (apogee_km is not None or angle_deg is not None):
        raise BmdlabError("apogee_km: apogee_km/angle_deg apply to shape lofted or depressed, not minimum-energy")
    turn_km = bounds.TURN_KM.check("turn_km", kw.get("turn_km") or 0.0)
    return {
        "shape": shape,
        "apogee_km": apogee_km,
        "angle_deg": angle_deg,
        "earth_rotation": bool(earth_rotation),
        "turn_km": turn_km,
    }


def _check_basing(cat: Catalog, unit: str, p: Place, field: str) -> None:
    land = bool(is_land(p.lat_deg, p.lon_deg))
    if cat.units[unit].basing == "land" and not land:
        raise BmdlabError(
            f"{field}: {p.lat_deg:.3f},{p.lon_deg:.3f} is in the sea; a {unit} is land-based, move it onto land"
        )
    if cat.units[unit].basing == "sea" and land:
        raise BmdlabError(f"{field}: {p.lat_deg:.3f},{p.lon_deg:.3f} is on land; a {unit} is a ship, place it at sea")


def _model_json(setup: Setup) -> dict[str, Any]:
    return setup.model.to_dict()


def _catalog_dir(catalog_dir: Any) -> str | None:
    """The catalog folder a sweep's or tornado's worker processes load (None: the built-in catalog)."""
    return None if catalog_dir is None else str(arguments.path("catalog_dir", catalog_dir))


def _parse_axes(axes: dict[str, list[Any]] | list[str]) -> dict[str, list[Any]]:
    """Sweep axes from a mapping or ``NAME=V1,V2`` strings, parsed the same way (True/False as on/off)."""
    if isinstance(axes, dict):
        arguments.mapping("axes", axes, "parameter: [values]")
        for k, vals in axes.items():
            if not isinstance(vals, (list, tuple)):
                raise BmdlabError(f"axes: {k}: {arguments.shown(vals)} is not a list; give a list of values")
    else:
        arguments.texts("axes", axes, "missiles=50,100")
    parsed: dict[str, list[Any]] = {}
    items = axes.items() if isinstance(axes, dict) else (parse_axis(a) for a in axes)
    for k, vals in items:
        if isinstance(axes, dict):
            text = ",".join(("on" if v else "off") if isinstance(v, bool) else str(v) for v in vals)
            k, vals = parse_axis(f"{k}={text}")
        if k in parsed:
            raise BmdlabError(f"axis: '{k}' is given twice; give each parameter once")
        parsed[k] = vals
    return parsed


__all__ = ["STUDIES", "Analysis", "catalog_of"]
