"""``bmdlab.Analysis``: one scenario, one catalog, one seed, and every analysis of them.

In the spirit of pvlib's ``ModelChain``: the facade composes the stage functions (trajectory,
defense, coverage, engagement, cost, sensitivity, study) and adds nothing but parameter checks and
provenance. Every method returns a typed result (:mod:`bmdlab.api.results`).

Example
-------
>>> import bmdlab
>>> a = bmdlab.Analysis("japan-2017-aegis-ashore")          # doctest: +SKIP
>>> cov = a.coverage(resolution_km=20)                       # doctest: +SKIP
>>> cov.land_fraction, cov.population_fraction               # doctest: +SKIP
>>> raid = a.raid(missiles=200, trials=2000)                 # doctest: +SKIP
>>> raid.expected_leakers, raid.to_frame()                   # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bmdlab.api.checks import (
    DEFAULT_SEED,
    MAX_RUN_TRIALS,
    check_choice,
    check_float,
    check_int,
    check_resolution,
    check_seed,
)
from bmdlab.api.places import resolve_place
from bmdlab.api.results import (
    AnalyticResult,
    BudgetResult,
    CampaignResult,
    CompareResult,
    CostResult,
    CoverageResult,
    FootprintCheckResult,
    FootprintResult,
    RaidResult,
    SitingResult,
    StudyResult,
    SweepResult,
    TornadoResult,
    TradeoffResult,
    TrajectoryResult,
    WTAResult,
    make_provenance,
)
from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.engagement.paired import compare_verdict  # noqa: E402  (re-exported: the verdict of bmdlab compare)
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.scenario import Scenario

#: Trajectory shapes and fly-out models by name.
SHAPES = ("minimum-energy", "lofted", "depressed")
FLYOUTS = ("physical", "straight-line")
#: Studies bmdlab can run.
STUDIES = ("japan-2017",)


def catalog_of(catalog: Catalog | str | Path | None) -> Catalog:
    """The built-in catalog (None), a loaded one, or one loaded from a directory."""
    if catalog is None:
        return builtin_catalog()
    if isinstance(catalog, Catalog):
        return catalog
    return load_catalog(catalog)


def engagement_model_of(flyout: str | None, limits: str | list[str] | None, base=None):
    """The engagement model from a fly-out name and limits (``all``, ``none``, a list or comma list), or None."""
    from bmdlab.defense.engage import ENGAGEMENT_LIMITS, EngagementModel, check_limits

    if flyout is None and limits is None:
        return None
    if flyout is not None:
        check_choice("flyout", flyout, FLYOUTS)
    if limits is None:
        chosen = base.limits if base is not None else frozenset(ENGAGEMENT_LIMITS)
    else:
        items = [x.strip() for x in limits.split(",")] if isinstance(limits, str) else [str(x).strip() for x in limits]
        items = [x for x in items if x]
        if items == ["all"]:
            chosen = frozenset(ENGAGEMENT_LIMITS)
        elif items == ["none"]:
            chosen = frozenset()
        else:
            try:
                chosen = check_limits(items)
            except ValueError as exc:
                raise BmdlabError(f"limits: {exc} (or all, none)") from None
    return EngagementModel(flyout=flyout or (base.flyout if base is not None else "physical"), limits=chosen)


def model_json(model) -> dict[str, Any]:
    return {"flyout": model.flyout, "limits": sorted(model.limits)}


def analytic(
    missiles: int,
    sspk: float,
    shots_per_missile: int,
    *,
    doctrine: str = "salvo",
    reliability: float = 1.0,
    missile_reliability: float = 1.0,
    decoys: int = 0,
    discrimination: float = 1.0,
    interceptors: int | None = None,
    common_mode: float = 0.0,
) -> AnalyticResult:
    """Closed-form P(zero leakers) and expected leakers (Wilkening 2000); no scenario needed.

    ``common_mode`` (0 to 0.99) makes the shots fail together: their kill probability is drawn once
    per raid from a beta distribution with that shot-to-shot correlation
    (:func:`bmdlab.engagement.analytic.raid_odds_common_mode`; one layer, no decoys or inventory).
    """
    from bmdlab import __version__
    from bmdlab.api.results import Provenance
    from bmdlab.engagement.analytic import doctrine_name, raid_odds, raid_odds_common_mode

    doctrine = doctrine_name(doctrine)
    common_mode = check_float("common_mode", common_mode, 0.0, 0.99)
    if common_mode > 0.0:
        if decoys or interceptors is not None:
            raise BmdlabError(
                "common_mode: the correlated closed form takes no `decoys` or `interceptors`; use the raid "
                "Monte Carlo for those"
            )
        res = raid_odds_common_mode(
            missiles,
            sspk,
            shots_per_missile,
            correlation=common_mode,
            reliability=reliability,
            missile_reliability=missile_reliability,
            doctrine=doctrine,
        )
    else:
        res = raid_odds(
            missiles,
            sspk,
            shots_per_missile,
            reliability=reliability,
            missile_reliability=missile_reliability,
            doctrine=doctrine,
            decoys=decoys,
            discrimination=discrimination,
            interceptors=interceptors,
        )
    data = {
        "p_zero_leakers": res.p_zero_leakers,
        "expected_leakers": res.expected_leakers,
        "leakers_sd": res.leakers_sd,
        "kill_probability_per_missile": res.kill_probability,
        "expected_interceptors": res.expected_interceptors,
        "shots_per_object": res.shots_per_object,
        "doctrine": doctrine,
        "model": "Wilkening (2000), Science & Global Security 8:183-215"
        + ("; shots correlated through a beta-distributed kill probability (Skellam 1948)" if common_mode else ""),
        "common_mode": common_mode,
    }
    opts = {
        "missiles": missiles,
        "sspk": sspk,
        "shots_per_missile": shots_per_missile,
        "reliability": reliability,
        "missile_reliability": missile_reliability,
        "decoys": decoys,
        "discrimination": discrimination,
        "interceptors": interceptors,
        "doctrine": doctrine,
        "common_mode": common_mode or None,
    }
    return AnalyticResult(
        provenance=Provenance(
            __version__, builtin_catalog().hash, options={k: v for k, v in opts.items() if v is not None}
        ),
        data=data,
        p_zero_leakers=float(res.p_zero_leakers),
        expected_leakers=float(res.expected_leakers),
    )


def wta(
    values=None,
    kill_probability=None,
    *,
    instance: str | Path | None = None,
    random: str | tuple[int, int] | None = None,
    seed: int = DEFAULT_SEED,
    method: str = "exact",
    time_limit_s: float = 60.0,
) -> WTAResult:
    """Static weapon-target assignment (Ahuja et al. 2007): on given arrays, an ``instance`` JSON file
    (``{"values": [...], "kill_probability": [[...]]}``) or a random instance ``random="WxT"``."""
    import re

    from bmdlab import __version__
    from bmdlab.api.results import Provenance
    from bmdlab.engagement.wta import check_instance, random_instance, solve_wta

    check_choice("method", method, ("exact", "heuristic"))
    time_limit_s = check_float("time_limit_s", time_limit_s, 0.0, 1e6, unit="s", low_open=True)
    if sum(x is not None for x in (values, instance, random)) != 1:
        raise BmdlabError(
            "instance: give either `instance` (a JSON file), values and kill_probability, or `random` "
            "WEAPONSxTARGETS (e.g. 20x20)"
        )
    if instance is not None:
        from bmdlab.engagement.wta import load_instance

        values, kill_probability = load_instance(instance)
    instance: dict[str, Any] = {}
    if random is not None:
        if isinstance(random, str):
            parts = random.lower().split("x")
            if len(parts) != 2 or not all(re.fullmatch(r"[0-9]{1,4}", p) for p in parts):
                raise BmdlabError(f"random: '{random}' must be WEAPONSxTARGETS with 1-2000 each, e.g. 20x20")
            w, t = int(parts[0]), int(parts[1])
        else:
            w, t = random
        w, t = check_int("random", w, 1, 2000), check_int("random", t, 1, 2000)
        seed = check_seed(seed)
        values, kill_probability = random_instance(w, t, seed=seed)
        instance = {"random": f"{w}x{t}", "seed": seed}
    else:
        values, kill_probability = check_instance(values, kill_probability)
    res = solve_wta(values, kill_probability, method=method, time_limit=time_limit_s)
    data = res.to_dict()
    if instance:
        data["instance"] = instance
    return WTAResult(
        provenance=Provenance(
            __version__,
            builtin_catalog().hash,
            seed=instance.get("seed"),
            options={"method": method, "time_limit_s": time_limit_s, **instance},
        ),
        data=data,
        objective=float(res.objective),
        bound=float(res.bound),
        gap=float(res.gap),
    )


def compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    *,
    catalog: Catalog | str | Path | None = None,
    missiles: int | None = None,
    trials: int = 10_000,
    doctrine: str | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    common_mode: float | None = None,
    capacity: bool | None = None,
    availability: float | None = None,
) -> CompareResult:
    """Architecture B against architecture A: the same raid, the same seed, and the paired difference.

    B's units and sensors are put into A's scenario (its threat, raid, timeline and engagement
    parameters), so the two sides differ only in their architecture. Every trial's leakers are
    kept, and the difference's 95 % interval is the mean of the per-trial differences plus or minus
    1.96 of their standard errors. The two runs use common random numbers: every draw is keyed by
    what it decides (a threat's arrival, a unit's shot at a threat, a unit's availability), so the
    sides share the threats' fates and the draws of every unit they share (by name and type), and the
    interval is narrower than that of independent runs (reported as ``independent_ci95_half_width``).
    ``progress(trials_done, trials)`` counts both runs (2 x trials); ``common_mode``, ``capacity``
    and ``availability`` are :meth:`Analysis.raid`'s, for both sides.
    """
    from bmdlab.cost.options import resolve_scenario

    cat = catalog_of(catalog)
    sa = resolve_scenario(a if isinstance(a, Scenario) else str(a), cat, "a")
    sb_own = resolve_scenario(b if isinstance(b, Scenario) else str(b), cat, "b")
    side_a = Analysis(sa, catalog=cat, seed=seed)
    sb = side_a.scenario.model_copy(update={"name": sb_own.name, "architecture": sb_own.architecture})
    side_b = Analysis(sb, catalog=cat, seed=seed)
    check_int("trials", trials, 2, 10_000_000)  # a paired interval needs two trials
    kw = side_a.check_raid(missiles=missiles, trials=trials, doctrine=doctrine)
    side_b.check_raid(missiles=missiles, trials=trials, doctrine=doctrine)
    trials = kw["trials"]

    def tick(offset: int):
        return None if progress is None else (lambda done, total: progress(offset + done, 2 * trials))

    more = dict(common_mode=common_mode, capacity=capacity, availability=availability)
    ra = side_a.raid(missiles, trials=trials, doctrine=doctrine, progress=tick(0), keep_trials=True, **more)
    rb = side_b.raid(missiles, trials=trials, doctrine=doctrine, progress=tick(trials), keep_trials=True, **more)
    from bmdlab.engagement.paired import paired_difference

    pd_ = paired_difference(ra.tally.extra["leakers_per_trial"], rb.tally.extra["leakers_per_trial"])
    mean, ci, unpaired = pd_["difference"], tuple(pd_["ci95"]), pd_["independent_ci95_half_width"]
    verdict = compare_verdict(side_a.scenario.name, side_b.scenario.name, mean, ci, ra.missiles, trials)
    data = {
        "seed": side_a.seed,
        "trials": trials,
        "missiles": ra.missiles,
        "doctrine": ra.data.get("doctrine"),
        "a": ra.to_dict(),
        "b": rb.to_dict(),
        "difference": {
            "expected_leakers": round(mean, 4),
            "ci95": [round(ci[0], 4), round(ci[1], 4)],
            "paired": True,
            "definition": "B minus A, per trial on the same seed",
            "independent_ci95_half_width": round(unpaired, 4),
            "common_random_numbers": "threats' fates and shared units' draws",
        },
        "verdict": verdict,
        "note": "B's architecture in A's scenario (threat, raid, timeline, engagement)",
    }
    prov = make_provenance(
        cat,
        side_a.scenario,
        side_a.seed,
        b=side_b.scenario.name,
        b_hash=side_b.scenario.hash,
        missiles=missiles,
        trials=trials,
        doctrine=ra.data.get("doctrine"),
        common_mode=common_mode,
        capacity=capacity,
        availability=availability,
    )
    return CompareResult(provenance=prov, data=data, a=ra, b=rb, difference=mean, difference_ci95=ci, verdict=verdict)


class Analysis:
    """A scenario on a catalog, with a seed, and the analyses bmdlab runs on them.

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
        ``none`` or a comma list of limits).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = "japan-2017-baseline",
        *,
        catalog: Catalog | str | Path | None = None,
        seed: int = DEFAULT_SEED,
        flyout: str | None = None,
        limits: str | list[str] | None = None,
    ):
        from bmdlab.cost.options import resolve_scenario
        from bmdlab.coverage.national import engagement_model, with_engagement_model

        self.catalog = catalog_of(catalog)
        self.scenario_name = scenario.name if isinstance(scenario, Scenario) else str(scenario)  #: as given
        self.scenario = resolve_scenario(scenario if isinstance(scenario, Scenario) else str(scenario), self.catalog)
        self.seed = check_seed(seed)
        override = engagement_model_of(flyout, limits, engagement_model(self.scenario))
        if override is not None:  # into the scenario, so that coverage, raids and provenance all see it
            self.scenario = with_engagement_model(self.scenario, override)
        self.model = engagement_model(self.scenario)

    def __repr__(self) -> str:
        return f"Analysis({self.scenario.name!r}, catalog={self.catalog.hash[:12]}, seed={self.seed})"

    def _prov(self, seed: int | None = None, **options: Any):
        return make_provenance(self.catalog, self.scenario, seed, **options)

    # -------------------------------------------------------------------------------- trajectory
    def trajectory(
        self,
        launch: str,
        aim: str | None = None,
        *,
        missile: str | None = None,
        range_km: float | None = None,
        azimuth_deg: float | None = None,
        shape: str = "minimum-energy",
        apogee_km: float | None = None,
        angle_deg: float | None = None,
        earth_rotation: bool = False,
    ) -> TrajectoryResult:
        """One ballistic flight from ``launch`` to ``aim`` (places: ``LAT,LON``, a catalog place or a city),
        or ``range_km`` along ``azimuth_deg``; ``missile`` (a catalog key) sets burn time and range limit."""
        from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, destination
        from bmdlab.trajectory import missile_trajectory

        cat = self.catalog
        mis = cat.missile(missile) if missile is not None else None
        check_choice("shape", shape, SHAPES)
        a = resolve_place(launch, cat, "launch")
        if (aim is None) == (range_km is None):
            raise BmdlabError("aim: give either `aim` or `range_km` with `azimuth_deg`")
        if aim is not None:
            if azimuth_deg is not None:
                raise BmdlabError("azimuth_deg: goes with range_km, not with an aim point")
            b = resolve_place(aim, cat, "aim")
        else:
            if azimuth_deg is None:
                raise BmdlabError("azimuth_deg: range_km needs an azimuth (clockwise from north, degrees)")
            range_km = check_float("range_km", range_km, 1.0, math.pi * EARTH_RADIUS / 1e3 - 1e-6, unit="km")
            azimuth_deg = check_float("azimuth_deg", azimuth_deg, -360.0, 360.0, unit="deg")
            la, lo = destination(
                np.radians(a.lat_deg), np.radians(a.lon_deg), np.radians(azimuth_deg), range_km * 1e3 / EARTH_RADIUS
            )
            from bmdlab.api.places import Place

            b = Place(
                float(np.degrees(la)),
                float(np.degrees(lo)),
                f"{float(np.degrees(la)):.3f},{float(np.degrees(lo)):.3f}",
                "coordinates",
            )
        if apogee_km is not None:
            apogee_km = check_float("apogee_km", apogee_km, 0.0, math.inf, unit="km", low_open=True)
        if angle_deg is not None:
            angle_deg = check_float("angle_deg", angle_deg, 0.0, 90.0, unit="deg", low_open=True)
            if angle_deg >= 90.0:
                raise BmdlabError(f"angle_deg: {angle_deg:g} must be between 0 and 90 degrees")
        if shape == "minimum-energy" and (apogee_km is not None or angle_deg is not None):
            raise BmdlabError("apogee_km: apogee_km/angle_deg apply to shape lofted or depressed, not minimum-energy")
        lat1, lon1, lat2, lon2 = (np.radians(x) for x in (a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg))
        if EARTH_RADIUS * float(central_angle(lat1, lon1, lat2, lon2)) < 1e3:
            raise BmdlabError("aim: the aim point is within 1 km of the launch point; choose a farther target")
        traj = missile_trajectory(
            mis,
            lat1,
            lon1,
            lat2,
            lon2,
            shape=shape,
            apogee=None if apogee_km is None else apogee_km * 1e3,
            angle=None if angle_deg is None else np.radians(angle_deg),
            earth_rotation=earth_rotation,
        )
        data = {**trajectory_summary(traj, 0), "missile": missile, "from": a.to_dict(), "to": b.to_dict()}
        return TrajectoryResult(
            provenance=self._prov(
                missile=missile,
                launch=launch,
                aim=aim,
                range_km=range_km,
                azimuth_deg=azimuth_deg,
                shape=shape,
                apogee_km=apogee_km,
                angle_deg=angle_deg,
                earth_rotation=earth_rotation,
            ),
            data=data,
            trajectory=traj,
            range_km=data["range_km"],
            apogee_km=data["apogee_km"],
            flight_time_s=data["flight_time_s"],
        )

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
        from bmdlab.defense.engage import make_defender
        from bmdlab.defense.footprint import defended_footprint
        from bmdlab.geo.japan import is_land

        cat = self.catalog
        if unit not in cat.units:
            raise BmdlabError("unit: " + str(unknown_key("unit", unit, cat.units)))
        mis = cat.missile(missile)
        check_choice("shape", shape, SHAPES)
        p = resolve_place(at, cat, "at")
        q = resolve_place(launch, cat, "launch")
        land = bool(is_land(p.lat_deg, p.lon_deg))
        if cat.units[unit].basing == "land" and not land:
            raise BmdlabError(
                f"at: {p.lat_deg:.3f},{p.lon_deg:.3f} is in the sea; a {unit} is land-based, move it onto land"
            )
        if cat.units[unit].basing == "sea" and land:
            raise BmdlabError(f"at: {p.lat_deg:.3f},{p.lon_deg:.3f} is on land; a {unit} is a ship, place it at sea")
        if track_delay_s is not None:
            track_delay_s = check_float("track_delay_s", track_delay_s, 0.0, 3600.0, unit="s")
        if shape != "minimum-energy" and apogee_km is None:
            raise BmdlabError(f"apogee_km: shape {shape} needs an apogee")
        d = make_defender(cat, unit, p.lat_deg, p.lon_deg, name=p.label, model=self.model)
        fp = defended_footprint(
            d,
            mis,
            missile,
            q.lat_deg,
            q.lon_deg,
            shape=shape,
            apogee=None if apogee_km is None else apogee_km * 1e3,
            track_delay=track_delay_s,
        )
        data = {
            "unit": unit,
            "interceptor": d.interceptor,
            "at": p.to_dict(),
            "missile": missile,
            "launch": q.to_dict(),
            "shape": shape,
            "area_km2": round(fp.area_m2 / 1e6, 1),
            "max_radius_km": round(fp.max_radius_m / 1e3, 1),
            "max_shot_opportunities": fp.max_shots,
            "grid_spacing_km": round(fp.spacing_m / 1e3, 2),
            "track_delay_s": d.delay(track_delay_s),
            "engagement_model": model_json(self.model),
        }
        return FootprintResult(
            provenance=self._prov(
                unit=unit,
                at=at,
                missile=missile,
                launch=launch,
                shape=shape,
                apogee_km=apogee_km,
                track_delay_s=track_delay_s,
                **model_json(self.model),
            ),
            data=data,
            footprint=fp,
            catalog=cat,
            area_km2=data["area_km2"],
            max_radius_km=data["max_radius_km"],
            max_shot_opportunities=int(fp.max_shots),
        )

    # ---------------------------------------------------------------------------------- coverage
    def threat_cases(self) -> list:
        from bmdlab.coverage.national import threat_cases

        return threat_cases(self.scenario, self.catalog)

    def coverage(
        self,
        resolution_km: float = 5.0,
        *,
        cities: int = 30,
        progress: Callable[[Any], None] | None = None,
        cache: Any = None,
        availability_samples: int = 0,
    ) -> CoverageResult:
        """How much of Japan's land and people the architecture defends (worst case over its threats).

        ``availability_samples`` > 0 also gives the shares over random availability of the units (each
        on station with its probability; :func:`bmdlab.coverage.availability.coverage_over_availability`):
        expected and percentiles, in ``result.data['availability']``, drawn on the analysis's seed.

        ``cache``, a :class:`bmdlab.coverage.incremental.CoverageCache` of the same catalog, reuses the
        trajectories, tracks and unit results of earlier calls (the same answer, faster when only a few
        units changed).
        """
        from bmdlab.coverage.national import national_coverage
        from bmdlab.coverage.summary import coverage_summary
        from bmdlab.geo.grid import land_grid

        resolution_km = check_resolution(resolution_km)
        cities = check_int("cities", cities, 0, 1000)
        availability_samples = check_int("availability_samples", availability_samples, 0, 1_000_000)
        if cache is not None:
            if cache.catalog.hash != self.catalog.hash:
                raise BmdlabError("cache: it was made for another catalog; make one CoverageCache per catalog")
            cov = cache.coverage(self.scenario, resolution_km, model=self.model, progress=progress)
        else:
            cov = national_coverage(
                self.scenario, self.catalog, grid=land_grid(resolution_km), progress=progress, model=self.model
            )
        from bmdlab.api.results import _largest_cities

        summary = coverage_summary(cov, _largest_cities(cities))
        summary["engagement_model"] = model_json(self.model)
        summary["resolution_km"] = resolution_km
        if availability_samples:
            from bmdlab.coverage.availability import coverage_over_availability

            summary["availability"] = coverage_over_availability(cov, samples=availability_samples, seed=self.seed)
        return CoverageResult(
            provenance=self._prov(
                resolution_km=resolution_km,
                **model_json(self.model),
                availability_samples=availability_samples or None,
                seed=self.seed if availability_samples else None,
            ),
            data=summary,
            coverage=cov,
            catalog=self.catalog,
            land_fraction=float(summary["land_fraction"]),
            population_fraction=float(summary["population_fraction"]),
            resolution_km=resolution_km,
        )

    def site(
        self,
        system: str,
        *,
        count: int | None = None,
        population_target: float | None = None,
        land_target: float | None = None,
        objective: str = "population",
        resolution_km: float = 10.0,
        candidate_spacing_km: float = 30.0,
        area: str = "all",
        progress: Callable[[Any], None] | None = None,
    ) -> SitingResult:
        """Best sites for ``count`` units of a land ``system`` against this scenario's threat, or the
        smallest count reaching a population or land target (MILP, HiGHS)."""
        from bmdlab.coverage.siting_study import optimise_sites

        cat = self.catalog
        kw = self.check_site(
            system,
            count=count,
            population_target=population_target,
            land_target=land_target,
            objective=objective,
            resolution_km=resolution_km,
            candidate_spacing_km=candidate_spacing_km,
            area=area,
        )
        res = optimise_sites(cat, system, self.scenario, progress=progress, **kw)
        s = res.summary
        return SitingResult(
            provenance=self._prov(system=system, **kw),
            data=s,
            siting=res,
            catalog=cat,
            count=int(s["count"]),
            population_fraction=float(s["population_fraction"]),
            land_fraction=float(s["land_fraction"]),
        )

    def check_site(
        self,
        system: str,
        *,
        count: int | None = None,
        population_target: float | None = None,
        land_target: float | None = None,
        objective: str = "population",
        resolution_km: float = 10.0,
        candidate_spacing_km: float = 30.0,
        area: str = "all",
    ) -> dict[str, Any]:
        """The checked parameters of :meth:`site` (raises the one-line error :meth:`site` would)."""
        cat = self.catalog
        resolution_km = check_resolution(resolution_km)
        if sum(x is not None for x in (count, population_target, land_target)) != 1:
            raise BmdlabError("count: give exactly one of count, population_target or land_target")
        if count is not None:
            count = check_int("count", count, 1, 1000)
        if population_target is not None:
            population_target = check_float("population_target", population_target, 0.0, 1.0, low_open=True)
        if land_target is not None:
            land_target = check_float("land_target", land_target, 0.0, 1.0, low_open=True)
        candidate_spacing_km = check_float("candidate_spacing_km", candidate_spacing_km, 5.0, 500.0, unit="km")
        check_choice("area", area, ("all", "threatened"))
        check_choice("objective", objective, ("population", "land"))
        if system not in cat.units:
            raise BmdlabError("system: " + str(unknown_key("unit", system, cat.units)))
        if cat.units[system].basing != "land":
            land = ", ".join(k for k, u in cat.units.items() if u.basing == "land")
            raise BmdlabError(f"system: '{system}' is sea-based; siting places land systems ({land})")
        return dict(
            count=count,
            population_target=population_target,
            land_target=land_target,
            objective=objective,
            resolution_km=resolution_km,
            candidate_spacing_km=candidate_spacing_km,
            area=area,
        )

    # ------------------------------------------------------------------------------------- raids
    def raid(
        self,
        missiles: int | None = None,
        *,
        trials: int = 10_000,
        doctrine: str | None = None,
        sspk: float | None = None,
        memory_budget_gib: float = 4.0,
        progress: Callable[[int, int], None] | None = None,
        keep_trials: bool = False,
        common_mode: float | None = None,
        capacity: bool | None = None,
        availability: float | None = None,
    ) -> RaidResult:
        """Monte Carlo of the scenario's raid (scaled to ``missiles`` if given): leakers, P(zero leakers),
        interceptors expended and their cost. Same seed, same result. ``keep_trials`` keeps every
        trial's leakers (``result.tally.extra['leakers_per_trial']``). ``common_mode`` (0 to <1) is the
        correlation of the kill outcomes of one interceptor type's shots in a raid, for every type
        (default: the scenario's ``engagement.common_mode``, else independent shots). ``capacity``
        (default: the scenario's ``engagement.capacity``, on) honours each unit's fire channels and
        C2 decision time; ``availability`` (0 to 1) sets every unit's probability of being on station
        (default: the scenario's ``engagement.availability``, else the catalog's)."""
        from bmdlab.engagement.scenario_raid import run_scenario_raid

        kw = self.check_raid(
            missiles=missiles, trials=trials, doctrine=doctrine, sspk=sspk, memory_budget_gib=memory_budget_gib
        )
        missiles, trials, doctrine, sspk, budget = (
            kw["missiles"],
            kw["trials"],
            kw["doctrine"],
            kw["sspk"],
            kw["memory_budget"],
        )
        if common_mode is not None:
            common_mode = check_float("common_mode", common_mode, 0.0, 0.99)
        if availability is not None:
            availability = check_float("availability", availability, 0.0, 1.0)
        out, tally, _ = run_scenario_raid(
            self.scenario,
            self.catalog,
            missiles=missiles,
            trials=trials,
            seed=self.seed,
            doctrine=doctrine,
            sspk=sspk,
            memory_budget=budget,
            progress=progress,
            keep_trials=keep_trials,
            common_mode=common_mode,
            capacity=capacity,
            availability=availability,
        )
        ci = out["expected_leakers_ci95"]
        return RaidResult(
            provenance=self._prov(
                self.seed,
                missiles=missiles,
                trials=trials,
                doctrine=out["doctrine"],
                sspk=sspk,
                common_mode=common_mode,
                capacity=out["capacity"],
                availability=availability,
            ),
            data=out,
            tally=tally,
            missiles=int(out["missiles"]),
            trials=trials,
            expected_leakers=float(out["expected_leakers"]),
            expected_leakers_ci95=(float(ci[0]), float(ci[1])),
            p_zero_leakers=float(out["p_zero_leakers"]),
            interceptors_expended=float(out["interceptors_expended_total"]),
        )

    def campaign(
        self,
        waves: int | None = None,
        every_h: float | None = None,
        missiles: int | None = None,
        *,
        trials: int = 4000,
        doctrine: str | None = None,
        capacity: bool | None = None,
        availability: float | None = None,
        reserve: dict[str, int] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> CampaignResult:
        """Raid waves with magazines carried between them, reloads and ships leaving station to reload
        (:mod:`bmdlab.engagement.campaign`): leakers per wave and when each interceptor type runs out.

        The waves are the scenario's ``campaign:`` section, or ``waves`` waves of ``missiles`` each,
        ``every_h`` hours apart (all three needed). ``reserve`` (interceptor key -> rounds beyond the
        loaded magazines) overrides the scenario's. Same seed, same result."""
        from bmdlab.engagement.campaign import repeated_waves, run_campaign
        from bmdlab.engagement.raid import raid_doctrine
        from bmdlab.scenario import MAX_RAID_MISSILES

        trials = check_int("trials", trials, 2, 1_000_000)
        if doctrine is not None:
            doctrine = raid_doctrine(doctrine)
        if availability is not None:
            availability = check_float("availability", availability, 0.0, 1.0)
        given = [x is not None for x in (waves, every_h, missiles)]
        if any(given) and not all(given):
            raise BmdlabError(
                "waves: give --waves, --every-h and --missiles together, or none (the scenario's campaign)"
            )
        if all(given):
            spec = repeated_waves(
                check_int("waves", waves, 1, 200),
                check_float("every_h", every_h, 0.0, 720.0, low_open=True),
                check_int("missiles", missiles, 0, MAX_RAID_MISSILES),
            )
            if self.scenario.campaign is not None:
                spec = spec.model_copy(
                    update={
                        "reserve": self.scenario.campaign.reserve,
                        "leave_station_below": self.scenario.campaign.leave_station_below,
                    }
                )
        else:
            spec = self.scenario.campaign
            if spec is None:
                raise BmdlabError(
                    f"scenario '{self.scenario.name}' has no campaign: add a 'campaign:' section, or give "
                    "--waves, --every-h and --missiles"
                )
        if reserve is not None:
            for k, n in reserve.items():
                check_int(f"reserve.{k}", n, 0, 1_000_000)
            spec = spec.model_copy(update={"reserve": {**spec.reserve, **reserve}})
        res = run_campaign(
            self.scenario,
            self.catalog,
            campaign=spec,
            trials=trials,
            seed=self.seed,
            doctrine=doctrine,
            capacity=capacity,
            availability=availability,
            progress=progress,
        )
        data = res.to_dict()
        ci = data["total_expected_leakers_ci95"]
        return CampaignResult(
            provenance=self._prov(
                self.seed,
                trials=trials,
                doctrine=data["doctrine"],
                capacity=capacity,
                availability=availability,
                waves=len(spec.waves),
                reserve=dict(spec.reserve),
            ),
            data=data,
            campaign=res,
            total_expected_leakers=float(data["total_expected_leakers"]),
            total_expected_leakers_ci95=(float(ci[0]), float(ci[1])),
        )

    def check_raid(
        self,
        missiles: int | None = None,
        *,
        trials: int = 10_000,
        doctrine: str | None = None,
        sspk: float | None = None,
        memory_budget_gib: float = 4.0,
    ) -> dict[str, Any]:
        """The checked parameters of :meth:`raid` (raises the one-line error :meth:`raid` would, memory included)."""
        from bmdlab.engagement.raid import MAX_TRIALS, raid_doctrine
        from bmdlab.engagement.scenario_raid import check_raid_memory
        from bmdlab.scenario import MAX_RAID_MISSILES

        trials = check_int("trials", trials, 1, MAX_TRIALS)
        if missiles is not None:
            missiles = check_int("missiles", missiles, 0, MAX_RAID_MISSILES)
        if doctrine is not None:
            doctrine = raid_doctrine(doctrine)
        if sspk is not None:
            sspk = check_float("sspk", sspk, 0.0, 1.0)
        memory_budget_gib = check_float("memory_budget_gib", memory_budget_gib, 0.0, 1024.0, unit="GiB", low_open=True)
        budget = int(memory_budget_gib * 2**30)
        check_raid_memory(self.scenario, missiles, trials, budget)
        return {"missiles": missiles, "trials": trials, "doctrine": doctrine, "sspk": sspk, "memory_budget": budget}

    # ------------------------------------------------------------------------------------- costs
    def cost(
        self, *, years: int | None = None, reloads: int | None = None, price_year: int | None = None
    ) -> CostResult:
        """Life-cycle cost: acquisition, interceptors, operation and total, in yen and dollars of one price year."""
        from bmdlab.cost.architecture import architecture_cost

        if years is not None:
            years = check_int("years", years, 0, 100)
        if reloads is not None:
            reloads = check_int("reloads", reloads, 0, 20)
        if price_year is not None:
            price_year = check_int("price_year", price_year, 1900, 2100)
        b = architecture_cost(self.scenario, self.catalog, years=years, reloads=reloads, price_year=price_year)
        data = b.to_dict()
        return CostResult(
            provenance=self._prov(years=years, reloads=reloads, price_year=price_year),
            data=data,
            breakdown=b,
            total_jpy=int(data["total"]["jpy"]),
            total_usd=int(data["total"]["usd"]),
            price_year=int(data["price_year"]),
        )

    def tradeoff(
        self,
        *,
        raid: int = 200,
        trials: int = 4000,
        years: int | None = None,
        resolution_km: float = 10.0,
        budget_jpy: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> TradeoffResult:
        """Cost against effectiveness of the built-in trade-off options (the scenario is not used), the
        Pareto frontier at ``raid`` missiles, and optionally the best purchases for ``budget_jpy``."""
        from bmdlab.cost.options import tradeoff_options
        from bmdlab.cost.tradeoff import evaluate_options

        resolution_km = check_resolution(resolution_km)
        raid = check_int("raid", raid, 1, 5000)
        trials = check_int("trials", trials, 1, MAX_RUN_TRIALS)
        if years is not None:
            years = check_int("years", years, 0, 100)
        if budget_jpy is not None:
            budget_jpy = check_float("budget_jpy", budget_jpy, 0.0, 1e16, unit="yen")
        opts = tradeoff_options(self.catalog)
        sizes = tuple(sorted({50, 100, 200, raid}))
        res = evaluate_options(
            self.catalog,
            opts,
            raid_sizes=sizes,
            trials=trials,
            seed=self.seed,
            resolution_km=resolution_km,
            years=years,
            progress=progress,
        )
        data = res.to_dict()
        frontier = res.frontier(raid=raid)
        data.update({"frontier": frontier, "raid": raid})
        if budget_jpy is not None:
            data["budget"] = self.budget(budget_jpy, missiles=raid, trials=trials, years=years).data
        return TradeoffResult(
            provenance=make_provenance(
                self.catalog,
                None,
                self.seed,
                raid=raid,
                trials=trials,
                years=years,
                resolution_km=resolution_km,
                budget_jpy=budget_jpy,
            ),
            data=data,
            frontier=tuple(frontier),
            raid=raid,
        )

    def budget(
        self, budget_jpy: float, *, missiles: int = 200, trials: int = 4000, years: int | None = None
    ) -> BudgetResult:
        """The purchases (units, interceptor loads) that best spend ``budget_jpy`` yen, checked by Monte Carlo."""
        from bmdlab.cost.budget import optimise_budget

        budget_jpy = check_float("budget_jpy", budget_jpy, 0.0, 1e16, unit="yen")
        missiles = check_int("missiles", missiles, 1, 5000)
        trials = check_int("trials", trials, 1, MAX_RUN_TRIALS)
        out = optimise_budget(self.catalog, budget_jpy, missiles=missiles, trials=trials, seed=self.seed, years=years)
        return BudgetResult(
            provenance=make_provenance(
                self.catalog, None, self.seed, budget_jpy=budget_jpy, missiles=missiles, trials=trials, years=years
            ),
            data=out,
            buy=tuple(out["buy"]),
            cost_jpy=int(out["cost"]["jpy"]),
        )

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
        from bmdlab.sensitivity.model import METRICS
        from bmdlab.sensitivity.tornado import tornado

        check_choice("metric", metric, METRICS)
        missiles = check_int("missiles", missiles, 0, 5000)
        trials = check_int("trials", trials, 1, MAX_RUN_TRIALS)
        from bmdlab.cost.options import scenario_names

        name = self.scenario_name
        if name not in scenario_names(self.catalog):
            raise BmdlabError("scenario: a tornado runs on a built-in scenario or a trade-off option key, not a file")
        res = tornado(
            {"scenario": name, "missiles": missiles},
            trials=trials,
            seed=self.seed,
            catalog_dir=None if catalog_dir is None else str(catalog_dir),
            progress=progress,
        )
        res["metric"] = metric
        return TornadoResult(
            provenance=self._prov(self.seed, missiles=missiles, trials=trials, metric=metric), data=res
        )

    def sweep(
        self,
        axes: dict[str, list[Any]] | list[str],
        out: str | Path,
        *,
        trials: int = 2000,
        resume: bool = False,
        workers: int | None = None,
        scheduler: str | None = None,
        catalog_dir: str | Path | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SweepResult:
        """A grid of independent runs (``axes``: ``{"missiles": [50, 100]}`` or ``["missiles=50,100"]``) appended to
        the DuckDB file ``out`` as each finishes (local processes or a Dask scheduler)."""
        from bmdlab.sensitivity.sweep import (
            check_sweep_file,
            grid,
            parse_axis,
            run_sweep,
        )

        trials = check_int("trials", trials, 1, MAX_RUN_TRIALS)
        if workers is not None:
            workers = check_int("workers", workers, 1, 256)
        parsed: dict[str, list[Any]] = {}
        items = axes.items() if isinstance(axes, dict) else (parse_axis(a) for a in axes)
        for k, vals in items:
            if isinstance(axes, dict):  # the same parsing as the command line (True/False as on/off)
                text = ",".join(("on" if v else "off") if isinstance(v, bool) else str(v) for v in vals)
                k, vals = parse_axis(f"{k}={text}")
            if k in parsed:
                raise BmdlabError(f"axis: '{k}' is given twice; give each parameter once")
            parsed[k] = vals
        points = grid(parsed)
        from bmdlab.cost.options import resolve_scenario

        for sc in {str(p.get("scenario")) for p in points if "scenario" in p}:
            resolve_scenario(sc, self.catalog)  # fail before any run on an unknown scenario
        out = Path(out)
        if resume and out.exists():
            check_sweep_file(out)
        rows = run_sweep(
            points,
            out,
            trials=trials,
            seed=self.seed,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            catalog_dir=None if catalog_dir is None else str(catalog_dir),
            catalog_hash=self.catalog.hash,
            progress=progress,
        )
        return SweepResult(
            provenance=make_provenance(self.catalog, None, self.seed, axes=parsed, trials=trials),
            data={"out": str(out), "axes": list(parsed), "runs": rows, "trials": trials},
            path=str(out),
        )

    # ------------------------------------------------------------------------------------ checks
    def footprint_checks(
        self,
        *,
        resolution_km: float = 20.0,
        cases: list[str] | None = None,
        progress: Callable[[Any], None] | None = None,
    ) -> FootprintCheckResult:
        """bmdlab's defended footprints against every published footprint figure (the scenario is not used)."""
        from bmdlab.coverage.published_footprints import (
            TOLERANCE_FACTOR,
            footprint_checks,
            published_cases,
        )

        resolution_km = check_resolution(resolution_km)
        known = {c.id for c in published_cases()}
        for c in cases or []:
            if c not in known:
                raise BmdlabError(f"case: unknown case '{c}'; use one of {', '.join(sorted(known))}")
        results = footprint_checks(self.catalog, resolution_km=resolution_km, ids=cases or None, progress=progress)
        data = {
            "cases": [r.to_dict() for r in results],
            "tolerance_factor": TOLERANCE_FACTOR,
            "resolution_km": resolution_km,
        }
        return FootprintCheckResult(
            provenance=make_provenance(self.catalog, None, None, resolution_km=resolution_km, cases=cases),
            data=data,
            cases=tuple(results),
        )

    # ------------------------------------------------------------------------------------- study
    def study(
        self,
        out: str | Path,
        *,
        name: str = "japan-2017",
        resolution_km: float = 5.0,
        console=None,
        command: str = "bmdlab.Analysis.study",
    ) -> StudyResult:
        """Run a study (``japan-2017``) into the folder ``out``: report.html, results.json and figures.

        The folder is replaced only when the study succeeds. The scenario is not used: the study
        compares the built-in architectures.
        """
        from bmdlab.io import check_output_directory
        from bmdlab.study.japan2017 import run_study

        resolution_km = check_resolution(resolution_km)
        check_choice("name", name, STUDIES, what="study")
        out = Path(out)
        check_output_directory(out)
        res = run_study(out, catalog=self.catalog, command=command, console=console, resolution_km=resolution_km)
        return StudyResult(
            provenance=make_provenance(self.catalog, None, DEFAULT_SEED, study=name, resolution_km=resolution_km),
            data={"out": str(out), **res},
            out=str(out),
            report=res["report"],
            results=res["results"],
        )


def trajectory_summary(traj: Any, i: int) -> dict[str, Any]:
    """The headline figures of trajectory ``i`` in edge units (km, s, m/s, deg)."""
    return {
        "shape": traj.shape,
        "earth_rotation": traj.earth_rotation,
        "range_km": round(float(traj.ground_range[i]) / 1e3, 3),
        "apogee_km": round(float(traj.apogee[i]) / 1e3, 3),
        "flight_time_s": round(float(traj.flight_time[i]), 2),
        "time_to_apogee_s": round(float(traj.time_to_apogee[i]), 2),
        "burn_time_s": round(float(traj.burn_time[i]), 2),
        "burnout_speed_m_s": round(float(traj.burnout_speed[i]), 1),
        "burnout_altitude_km": round(float(traj.burnout_altitude[i]) / 1e3, 3),
        "burnout_angle_deg": round(float(np.degrees(traj.burnout_angle[i])), 3),
        "reentry_speed_m_s": round(float(traj.reentry_speed[i]), 1),
        "impact_speed_m_s": round(float(traj.impact_speed[i]), 1),
    }


__all__ = [
    "Analysis",
    "FLYOUTS",
    "SHAPES",
    "STUDIES",
    "analytic",
    "catalog_of",
    "engagement_model_of",
    "trajectory_summary",
    "wta",
]
