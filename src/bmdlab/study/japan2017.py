"""The Japan 2017 study: the README's main command, ``bmdlab study japan-2017 --out DIR``.

It composes the pipeline stages into one self-contained report. Sections so far: threats (flight
times and apogees from the public launch areas to Japan's 30 largest cities, a map of the reach of
each missile), coverage (three architectures side by side and the article's coverage claims with
the model's verdicts, and which of them the physical engagement model changed), saturation raids
(Monte Carlo leakers against raid size) and the model check (trajectories against the observed 2017
flights, defended footprints against every published footprint figure), costs and trade-offs (life-cycle cost, Pareto frontier,
budget optimum, cost-exchange ratios), sensitivity (tornado and a grid sweep), every claim of the
article in one table, and the assumptions with their sources.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import logging
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from rich.console import Console

from bmdlab import __version__
from bmdlab.bounds import CANDIDATE_SPACING_KM
from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import of_2017
from bmdlab.coverage.published_footprints import (
    TOLERANCE_FACTOR,
    footprint_checks,
    independent_summary,
    published_cases,
    variant_models,
)
from bmdlab.defense.engage import LEGACY_MODEL
from bmdlab.geo.japan import largest_cities
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.io import JSON_SCHEMA_VERSION, atomic_directory, atomic_write_bytes, atomic_write_json
from bmdlab.montecarlo import proportion_ci95
from bmdlab.numbers import money, percent, share_ci
from bmdlab.plotting.costs import plot_tornado, plot_tradeoff
from bmdlab.plotting.maps import Markers, ReachField, plot_threat_map
from bmdlab.plotting.profile import plot_profile
from bmdlab.plotting.raids import plot_campaign, plot_leakers
from bmdlab.progress import progress_display
from bmdlab.sensitivity.model import CoverageMemo
from bmdlab.study.cost_section import cost_section
from bmdlab.study.coverage_section import Siting, claim_changes, claim_dependence, coverage_section
from bmdlab.study.figures import coverage_maps_side_by_side, outlines, region_case_map, rotation_figure
from bmdlab.study.raid_model_check import raid_model_check
from bmdlab.study.raid_section import raid_section
from bmdlab.study.realism_section import realism_section
from bmdlab.study.robustness_section import robustness_section
from bmdlab.study.summary_section import article, summary_rows
from bmdlab.study.then_and_now import VEHICLE_FACTORS, then_and_now_section
from bmdlab.study.threats import model_observed_flights, observed_flights, reach_field, threat_timeline
from bmdlab.trajectory import FlightShape, max_range, missile_trajectory

STUDY = "japan-2017"
N_CITIES = 30
#: Grid of Japan for the published-footprint checks in the model check (the Korean grid is 10 km). [km]
FOOTPRINT_CHECK_RESOLUTION_KM = 20.0


def _cities(n: int) -> list[dict[str, Any]]:
    return largest_cities(n).records()


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _nan_to_none(x: float, digits: int = 1) -> float | None:
    return None if not np.isfinite(x) else round(float(x), digits)


#: The then-and-now section's grid [km] (coarser if the study's is) and raid trials.
THEN_AND_NOW_RESOLUTION_KM = 20.0
THEN_AND_NOW_TRIALS = 2_000

#: The study's stages, in order: (key, what the progress display says). A caller's ``progress`` hears of each.
STAGES = (
    ("setup", "loading catalog and geography"),
    ("threats", "threat timeline (trajectories per missile)"),
    ("model-check", "model check against observed flights and the raid models' closed forms"),
    ("coverage", "coverage: three architectures, PAC-3 footprint, THAAD siting"),
    ("dependence", "coverage verdicts with each engagement limit off and the earlier model (20 km grid)"),
    ("footprints", "model check: defended footprints against published figures"),
    ("raids", "raids: 50, 100, 200 missiles x three architectures (Monte Carlo)"),
    ("realism", "raid realism: model steps, doctrines, pairs, campaigns, availability"),
    ("costs", "costs, trade-offs (7 options), budget optimum, sensitivity"),
    ("robustness", "robustness: Morris and Sobol' over the plausible ranges, each verdict's label"),
    ("then-and-now", "then and now: today's threat (quasi-ballistic, boost-glide) and the posture of 2028"),
    ("figures", "figures"),
    ("report", "report"),
)


@dataclass(frozen=True)
class StudyProgress:
    """One progress event of a study: stage ``stage`` (1-based) of ``stages``, ``done`` of ``total`` steps."""

    stage: int
    stages: int
    key: str
    label: str
    done: float
    total: float

    @property
    def fraction(self) -> float:
        """Of the whole study, counting each stage alike [-]."""
        return ((self.stage - 1) + (self.done / self.total if self.total else 1.0)) / self.stages

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "fraction": round(self.fraction, 4)}


class _Stages:
    """The progress of the study's stages: the console display and the caller's structured events."""

    def __init__(self, display: Any, on_event: Callable[[StudyProgress], None] | None):
        self.display, self.on_event = display, on_event
        self.index, self.task, self.done, self.total = 0, None, 0.0, 1.0

    def start(self, key: str, total: float) -> Callable[..., None]:
        """Begin the next stage (it must be ``key``); return its ``advance`` callable."""
        expected, label = STAGES[self.index]
        if key != expected:  # pragma: no cover - a programming error: STAGES out of step with run_study
            raise RuntimeError(f"study stage '{key}' out of order; expected '{expected}'")
        self.index += 1
        self.task, self.done, self.total = self.display.add_task(label, total=total), 0.0, float(total)
        self._emit()
        return self.advance

    def advance(self, *_: Any) -> None:
        self.display.advance(self.task)
        self.done += 1
        self._emit()

    def _emit(self) -> None:
        if self.on_event is not None:
            key, label = STAGES[self.index - 1]
            self.on_event(StudyProgress(self.index, len(STAGES), key, label, self.done, self.total))


def run_study(
    out: str | Path,
    *,
    catalog: Catalog,
    command: str,
    console: Console | None = None,
    resolution_km: float = 5.0,
    progress: Callable[[StudyProgress], None] | None = None,
) -> dict[str, str]:
    """Run the Japan 2017 study into ``out`` (replaced only when everything succeeded).

    ``resolution_km`` is the coverage grid; the THAAD siting uses a grid of at least 10 km and
    candidate sites at least 30 km apart (three grid cells). ``progress`` receives a
    :class:`StudyProgress` as each of the :data:`STAGES` starts and advances.

    Returns the paths of the report and the results file.
    """
    console = console or Console(stderr=True)
    started = time.perf_counter()
    out = Path(out)
    with atomic_directory(out) as work, progress_display(console, spinner=True) as display:
        run = _StudyRun(catalog, work, resolution_km, _Stages(display, progress))
        results, figures = run.compute()
        html = run.report(results, figures, command)
        atomic_write_bytes(work / "report.html", html.encode("utf-8"))
        run.stages.advance()
        if write_pdf(work / "report.html", work / "report.pdf") is None:
            console.print(
                "report.pdf skipped: install the PDF extra (pip install -e '.[pdf]', WeasyPrint) to get one",
                markup=False,
            )
    console.print(f"study {STUDY} written to {out} in {time.perf_counter() - started:.1f} s")
    return {"report": str(out / "report.html"), "results": str(out / "results.json")}


class _StudyRun:
    """The study's computations, stage by stage, into the working folder ``work``."""

    def __init__(self, catalog: Catalog, work: Path, resolution_km: float, stages: _Stages):
        self.catalog, self.work, self.resolution_km, self.stages = catalog, work, resolution_km, stages
        self.memo = CoverageMemo()  # coverages (20 km) and raid plans shared by the dependence, tornado and sweep

    def compute(self) -> tuple[dict[str, Any], dict[str, Path]]:
        """Every section and figure: the results (without the meta data) and the figures' files."""
        cat, stages = self.catalog, self.stages
        tick = stages.start("setup", 1)
        # the threat of 2017: the launch areas and MRBMs/IRBMs of the debate (the later ones are the "then and now")
        self.cities = _cities(N_CITIES)
        self.areas = [k for k, p in cat.places_of("launch-area").items() if of_2017(p)]
        tick()
        self.missiles = [k for k, m in cat.missiles.items() if m.missile_class in ("MRBM", "IRBM") and of_2017(m)]
        tick = stages.start("threats", len(self.missiles))
        self.timeline = threat_timeline(
            cat, self.cities, missiles=self.missiles, launch_areas=self.areas, progress=tick
        )
        tick = stages.start("model-check", 2)
        observed = model_observed_flights(cat)
        tick()
        raid_check = raid_model_check(cat)
        tick()
        coverage, covs, figures = self._coverage()
        footprints, figures["footprint_check_seongju"] = self._footprints()
        figures.update(self._coverage_maps(covs))
        raids, realism, raid_figures = self._raids(covs)
        costs, cost_figures = self._costs(covs, coverage, raids["seed"])
        tick = stages.start("robustness", 6)
        robustness = robustness_section(
            cat, raids=raids, coverage=coverage, seed=raids["seed"], progress=tick, memo=self.memo
        )
        then_now, then_now_maps = self._then_and_now(raids["seed"])
        figures.update(raid_figures | cost_figures | self._figures())
        figures["then_and_now_maps"] = coverage_maps_side_by_side(
            then_now_maps, cat, self.cities, self.work / "then_and_now_maps.png", ncols=len(then_now_maps)
        )
        results = {
            "observed_flights": observed,
            "raid_model_check": raid_check,
            "footprint_checks": {
                "resolution_km": FOOTPRINT_CHECK_RESOLUTION_KM,
                "tolerance_factor": TOLERANCE_FACTOR,
                "cases": [r.to_dict() for r in footprints],
                "independence": independent_summary(footprints),
            },
            "coverage": coverage,
            "raids": raids,
            "realism": realism,
            "costs": costs,
            "robustness": robustness,
            "then_and_now": then_now,
        }
        return results, figures

    def _then_and_now(self, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
        tick = self.stages.start("then-and-now", 1 + len(VEHICLE_FACTORS))
        return then_and_now_section(
            self.catalog,
            resolution_km=max(THEN_AND_NOW_RESOLUTION_KM, self.resolution_km),
            trials=THEN_AND_NOW_TRIALS,
            seed=seed,
            progress=tick,
        )

    def _coverage(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Path]]:
        r = self.resolution_km
        tick = self.stages.start("coverage", 5)
        coverage, covs = coverage_section(
            self.catalog,
            self.cities,
            resolution_km=r,
            siting=Siting(max(10.0, r), min(max(30.0, 3.0 * r), CANDIDATE_SPACING_KM.high)),
            progress=tick,
        )
        self.panels = covs.pop("panels")
        self.rotation_series = coverage["subsets"]["rotation"].pop("series")
        tick = self.stages.start("dependence", 1 + len(variant_models()))
        sections: dict[str, Any] = {}
        coverage["dependence"] = claim_dependence(
            self.catalog, self.cities, resolution_km=max(20.0, r), progress=tick, sections=sections, memo=self.memo
        )
        legacy_key = next(k for k, m in variant_models().items() if m == LEGACY_MODEL)
        coverage["changes"] = claim_changes(sections["default"], sections[legacy_key])
        coverage["changes"]["resolution_km"] = max(20.0, r)
        return coverage, covs, {}

    def _footprints(self) -> tuple[list[Any], Path]:
        tick = self.stages.start("footprints", len(published_cases()))
        footprints = footprint_checks(self.catalog, resolution_km=FOOTPRINT_CHECK_RESOLUTION_KM, progress=tick)
        seongju = region_case_map(
            "thaad-seongju-fraction",
            self.catalog,
            self.work / "footprint_check_seongju.png",
            "Footprint check: THAAD at Seongju, South Korea (ROK defence ministry: 1/2 to 2/3 of the country)",
        )
        return footprints, seongju

    def _coverage_maps(self, covs: dict[str, Any]) -> dict[str, Path]:
        cat, cities, work = self.catalog, self.cities, self.work
        return {
            "rotation": rotation_figure(
                self.rotation_series,
                work / "rotation.png",
                "A month of the ships' rotation: share of Japan defended hour by hour (worst case over the threats)",
            ),
            "coverage_maps": coverage_maps_side_by_side(covs, cat, cities, work / "coverage_maps.png"),
            "claims_maps": coverage_maps_side_by_side(self.panels, cat, cities, work / "claims_maps.png", ncols=2),
        }

    def _raids(self, covs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Path]]:
        tick = self.stages.start("raids", 3)
        main_trials: dict[str, Any] = {}
        raids = raid_section(self.catalog, progress=tick, per_trial=main_trials, memo=self.memo)
        raids_png = plot_leakers(
            raids["runs"],
            self.work / "raid_leakers.png",
            f"Saturation raids ({raids['trials']:,} trials each, seed {raids['seed']})",
        )
        tick = self.stages.start("realism", 3)
        realism = realism_section(
            self.catalog,
            covs,
            seed=raids["seed"],
            main_trials=main_trials,
            main_trial_count=raids["trials"],
            progress=tick,
        )
        camp = realism["campaign"]
        campaign_png = plot_campaign(
            camp["runs"],
            self.work / "campaign.png",
            f"Campaign: {camp['waves']} waves of {camp['missiles']} missiles every "
            f"{camp['every_h']:g} h ({camp['trials']:,} trials, seed {realism['seed']})",
        )
        return raids, realism, {"raid_leakers": raids_png, "campaign": campaign_png}

    def _costs(
        self, covs: dict[str, Any], coverage: dict[str, Any], seed: int
    ) -> tuple[dict[str, Any], dict[str, Path]]:
        tick = self.stages.start("costs", 10)
        covmap = {
            "baseline": covs["japan-2017-baseline"],
            "aegis-ashore": covs["japan-2017-aegis-ashore"],
            "thaad": covs["japan-2017-thaad"],
        }
        costs = cost_section(
            self.catalog,
            covmap,
            work=self.work,
            resolution_km=self.resolution_km,
            seed=seed,
            progress=tick,
            coverage=coverage,
            memo=self.memo,
        )
        torn = costs["tornado"]["japan-2017-aegis-ashore"]
        return costs, {
            "tradeoff": plot_tradeoff(costs["tradeoff"], self.work / "tradeoff.png", raid=200),
            "tornado_leakers": plot_tornado(torn, self.work / "tornado_leakers.png", "expected_leakers"),
            "tornado_cost": plot_tornado(
                torn,
                self.work / "tornado_cost.png",
                "jpy_per_surviving_value_point",
                label="life-cycle cost per point of surviving value",
            ),
        }

    def _figures(self) -> dict[str, Path]:
        cat = self.catalog
        tick = self.stages.start("figures", 2)
        glon, glat, dist = reach_field(cat, self.areas, (110.0, 160.0, 15.0, 55.0))
        areas = [
            {"name": cat.place(k).name, "lat": cat.place(k).lat.nominal, "lon": cat.place(k).lon.nominal}
            for k in self.areas
        ]
        ranges = [(cat.missile(k).name, max_range(cat.missile(k)) / 1e3) for k in self.missiles]
        threat_png = plot_threat_map(
            self.work / "threat_map.png",
            outlines=outlines(),
            reach=ReachField(glon, glat, dist, ranges),
            markers=Markers(launch_areas=areas, cities=self.cities),
            title="North Korean missiles' reach from the publicly reported launch areas",
        )
        tick()
        profile_png = _observed_profiles(cat, self.work / "observed_profiles.png")
        tick()
        return {"threat_map": threat_png, "observed_profiles": profile_png}

    def report(self, sections: dict[str, Any], figures: dict[str, Path], command: str) -> str:
        """results.json (written) and the report's HTML (returned)."""
        cat, coverage, raids, costs = self.catalog, sections["coverage"], sections["raids"], sections["costs"]
        self.stages.start("report", 1)
        _write_timeline_csv(self.work / "threat_timeline.csv", cat, self.timeline)
        meta = {
            "study": STUDY,
            "bmdlab_version": __version__,
            "catalog_hash": cat.hash,
            "catalog_origin": cat.origin,
            "command": command,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "resolution_km": self.resolution_km,
            "seeds": {"raids": raids["seed"], "tradeoff": costs["tradeoff"]["seed"], "sensitivity": raids["seed"]},
            "price_year": costs["tradeoff"]["price_year"],
            "jpy_per_usd": costs["tradeoff"]["jpy_per_usd"],
            "scenarios": {n: {"hash": coverage["architectures"][n]["scenario_hash"]} for n in coverage["architectures"]}
            | {n: {"hash": h} for n, h in sections["then_and_now"]["scenarios"].items()},
        }
        results = {
            "schema_version": JSON_SCHEMA_VERSION,
            "kind": "study",
            "provenance": {
                "bmdlab_version": __version__,
                "catalog_hash": cat.hash,
                "scenario": None,
                "scenario_hash": None,
                "seed": raids["seed"],
                "options": {
                    "study": STUDY,
                    "resolution_km": self.resolution_km,
                    "scenarios": {n: v["hash"] for n, v in meta["scenarios"].items()},
                },
            },
            "meta": meta,
            "threats": _threat_results(cat, self.timeline),
            "observed_flights": sections["observed_flights"],
            "raid_model_check": sections["raid_model_check"],
            "footprint_checks": sections["footprint_checks"],
            "coverage": coverage,
            "raids": raids,
            "realism": sections["realism"],
            "costs": costs,
            "claims": [
                c | {"robustness": sections["robustness"]["claims"].get(c["id"])}
                for c in coverage["claims"] + raids["claims"] + costs["claims"]
            ],
            "robustness": sections["robustness"],
            "then_and_now": sections["then_and_now"],
            "assumptions": _assumptions(cat),
            "figures": {k: figures[k].name for k in FIGURES},
        }
        results["article"] = article(cat)
        results["summary"] = summary_rows(results)
        atomic_write_json(self.work / "results.json", results)
        return _render_report(results, cat, {k: _png_data_uri(figures[k]) for k in FIGURES})


#: The report's figures, in results.json's order.
FIGURES = (
    "tradeoff",
    "tornado_leakers",
    "tornado_cost",
    "threat_map",
    "observed_profiles",
    "coverage_maps",
    "claims_maps",
    "rotation",
    "raid_leakers",
    "footprint_check_seongju",
    "campaign",
    "then_and_now_maps",
)


def _observed_profiles(catalog: Catalog, path: Path) -> Path:
    trajs = []
    labels = []
    for f in observed_flights():
        lat0, lon0 = np.radians(f["launch"]["lat"]), np.radians(f["launch"]["lon"])
        lat2, lon2 = destination(lat0, lon0, np.radians(f["azimuth_deg"]), f["range_km"] * 1e3 / EARTH_RADIUS)
        trajs.append(
            missile_trajectory(
                catalog.missile(f["missile"]),
                lat0,
                lon0,
                lat2,
                lon2,
                shape=FlightShape(f["shape"], apogee=f["apogee_km"] * 1e3),
            )
        )
        labels.append(f"{catalog.missile(f['missile']).name} {f['date']}")
    return plot_profile(trajs, path, labels=labels, title="Model trajectories of the observed 2016-2017 flights")


def _threat_results(catalog: Catalog, tl) -> dict[str, Any]:
    best_t, best_i = tl.fastest()
    missiles = []
    for m, key in enumerate(tl.missiles):
        mis = catalog.missile(key)
        t = best_t[m]
        missiles.append(
            {
                "key": key,
                "name": mis.name,
                "class": mis.missile_class,
                "range_km": max_range(mis) / 1e3,
                "burn_time_s": mis.burn_time.si(),
                "cities_in_range": int(np.isfinite(t).sum()),
                "fastest_min": _nan_to_none(np.nanmin(t) / 60, 2) if np.isfinite(t).any() else None,
                "slowest_min": _nan_to_none(np.nanmax(t) / 60, 2) if np.isfinite(t).any() else None,
            }
        )
    cities = []
    for c, city in enumerate(tl.cities):
        row = {**city, "by_missile": {}}
        for m, key in enumerate(tl.missiles):
            i = int(best_i[m, c])
            row["by_missile"][key] = (
                None
                if i < 0
                else {
                    "launch_area": tl.launch_areas[i],
                    "flight_time_min": round(float(best_t[m, c]) / 60, 2),
                    "apogee_km": round(float(tl.apogee[m, i, c]) / 1e3, 1),
                    "range_km": round(float(tl.ground_range[m, i, c]) / 1e3, 1),
                }
            )
        cities.append(row)
    return {
        "shape": tl.shape,
        "launch_areas": [
            {
                "key": k,
                "name": catalog.place(k).name,
                "lat": catalog.place(k).lat.nominal,
                "lon": catalog.place(k).lon.nominal,
            }
            for k in tl.launch_areas
        ],
        "missiles": missiles,
        "cities": cities,
        "timeline_csv": "threat_timeline.csv",
    }


def _write_timeline_csv(path: Path, catalog: Catalog, tl) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["missile", "launch_area", "city", "population", "range_km", "flight_time_s", "apogee_km", "reentry_speed_m_s"]
    )
    for m, key in enumerate(tl.missiles):
        for a, area in enumerate(tl.launch_areas):
            for c, city in enumerate(tl.cities):
                t = tl.flight_time[m, a, c]
                w.writerow(
                    [
                        key,
                        area,
                        city["name"],
                        city["population"],
                        f"{tl.ground_range[m, a, c] / 1e3:.1f}",
                        "" if not np.isfinite(t) else f"{t:.1f}",
                        "" if not np.isfinite(t) else f"{tl.apogee[m, a, c] / 1e3:.1f}",
                        "" if not np.isfinite(t) else f"{tl.reentry_speed[m, a, c]:.0f}",
                    ]
                )
    atomic_write_bytes(path, buf.getvalue().encode("utf-8"))


def write_pdf(html: Path, pdf: Path) -> Path | None:
    """The report as PDF with WeasyPrint (offline; embedded figures), or None if it is not installed."""
    try:
        import weasyprint  # lazy: an optional dependency (bmdlab[pdf]), loaded only to write the PDF
    except (ImportError, OSError):  # not installed, or its system libraries (Pango) are missing
        return None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(filename=str(html)).write_pdf(str(pdf))
    return pdf


def _assumptions(catalog: Catalog) -> list[dict[str, Any]]:
    """Every catalog value that is not stated by a source (assumed first, then derived)."""
    rows = []
    for kind, key, e in catalog.items():
        for name, v in e.__dict__.items():
            if hasattr(v, "confidence") and v.confidence != "stated":
                rows.append(_assumption_row(kind, key, name, v))
    econ = catalog.economics_data
    if econ is not None:
        for table in ("missile_costs", "claims"):
            for key, v in getattr(econ, table).items():
                if v.confidence != "stated":
                    rows.append(_assumption_row("economics", key, table, v))
    return sorted(rows, key=lambda r: (r["confidence"] != "assumed", r["kind"], r["key"]))


def _assumption_row(kind: str, key: str, field: str, v: Any) -> dict[str, Any]:
    """One row of the assumptions table: the value, its confidence and source, and its plausible range."""
    plausible = None
    if v.plausible is not None:
        plausible = v.model_copy(
            update={"value": list(v.plausible), "plausible": None, "plausible_basis": None}
        ).display()
    return {
        "kind": kind,
        "key": key,
        "field": field,
        "value": v.display(),
        "confidence": v.confidence,
        "source": v.source,
        "year": v.year,
        "note": v.note or "",
        "plausible": plausible,
        "plausible_basis": v.plausible_basis or "",
    }


def sampled_share(share: float, trials: int, digits: int = 1) -> str:
    """A share estimated from ``trials`` Monte Carlo trials, with its exact (Clopper-Pearson) 95 % interval.

    The count of successes is recovered from the share, which the results keep to at least four decimals
    (an error under half a trial for up to 5,000 trials; five decimals, 50,000).
    """
    k = min(max(round(share * trials), 0), trials)
    lo, hi = proportion_ci95(k, trials)
    return share_ci(share, lo, hi, digits)


def _render_report(results: dict[str, Any], catalog: Catalog, images: dict[str, str]) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bmdlab.study", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["percent"] = percent
    env.filters["money"] = money
    env.globals["share_ci"] = share_ci
    env.globals["sampled_share"] = sampled_share
    used = {v.source for _, _, e in catalog.items() for v in e.__dict__.values() if hasattr(v, "source")}
    if catalog.economics_data is not None:
        econ = catalog.economics_data
        used |= {
            v.source
            for t in (econ.exchange_rates, econ.deflator, econ.us_deflator, econ.missile_costs, econ.claims)
            for v in t.values()
        }
    used_sources = sorted(s for s in used if s in catalog.sources)
    return env.get_template("report.html.j2").render(
        r=results,
        images=images,
        catalog=catalog,
        sources=[(s, catalog.sources[s]) for s in used_sources],
    )
