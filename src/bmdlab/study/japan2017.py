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
import platform
import time
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from rich.console import Console

from bmdlab import __version__
from bmdlab.catalog import Catalog
from bmdlab.coverage.published_footprints import TOLERANCE_FACTOR, footprint_checks, published_cases
from bmdlab.defense.engage import LEGACY_MODEL
from bmdlab.geo.japan import japan_outline, largest_cities
from bmdlab.geo.region import neighbour_outlines
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.io import atomic_directory, atomic_write_bytes, atomic_write_json
from bmdlab.plotting.costs import plot_tornado, plot_tradeoff
from bmdlab.plotting.maps import plot_threat_map
from bmdlab.plotting.profile import plot_profile
from bmdlab.plotting.raids import plot_campaign, plot_leakers
from bmdlab.progress import progress_display
from bmdlab.study.cost_section import cost_section
from bmdlab.study.coverage_section import claim_changes, claim_dependence, coverage_section
from bmdlab.study.figures import coverage_maps_side_by_side, region_case_map
from bmdlab.study.raid_model_check import raid_model_check
from bmdlab.study.raid_section import raid_section
from bmdlab.study.realism_section import realism_section
from bmdlab.study.threats import model_observed_flights, observed_flights, reach_field, threat_timeline
from bmdlab.trajectory import max_range, missile_trajectory

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


def run_study(
    out: str | Path, *, catalog: Catalog, command: str, console: Console | None = None, resolution_km: float = 5.0
) -> dict[str, str]:
    """Run the Japan 2017 study into ``out`` (replaced only when everything succeeded).

    ``resolution_km`` is the coverage grid; the THAAD siting uses a grid of at least 10 km and
    candidate sites at least 30 km apart (three grid cells).

    Returns the paths of the report and the results file.
    """
    console = console or Console(stderr=True)
    started = time.perf_counter()
    out = Path(out)
    with atomic_directory(out) as work, progress_display(console, spinner=True) as progress:
        step = progress.add_task("loading catalog and geography", total=1)
        cities = _cities(N_CITIES)
        areas = list(catalog.places_of("launch-area"))
        progress.advance(step)

        missiles = [k for k, m in catalog.missiles.items() if m.missile_class in ("MRBM", "IRBM")]
        step = progress.add_task("threat timeline (trajectories per missile)", total=len(missiles))
        tl = threat_timeline(
            catalog, cities, missiles=missiles, launch_areas=areas, progress=lambda _k: progress.advance(step)
        )

        step = progress.add_task("model check against observed flights and the raid models' closed forms", total=2)
        observed = model_observed_flights(catalog)
        progress.advance(step)
        raid_check = raid_model_check(catalog)
        progress.advance(step)

        step = progress.add_task("coverage: three architectures, PAC-3 footprint, THAAD siting", total=5)
        coverage, covs = coverage_section(
            catalog,
            cities,
            resolution_km=resolution_km,
            siting_resolution_km=max(10.0, resolution_km),
            candidate_spacing_km=max(30.0, 3.0 * resolution_km),
            progress=lambda _n: progress.advance(step),
        )
        panels = covs.pop("panels")
        from bmdlab.coverage.published_footprints import variant_models

        n_var = 1 + len(variant_models())
        step = progress.add_task(
            "coverage verdicts with each engagement limit off and the earlier model (20 km grid)", total=n_var
        )
        dep_sections: dict[str, Any] = {}
        coverage["dependence"] = claim_dependence(
            catalog,
            cities,
            resolution_km=max(20.0, resolution_km),
            progress=lambda _n: progress.advance(step),
            sections=dep_sections,
        )
        legacy_key = next(k for k, m in variant_models().items() if m == LEGACY_MODEL)
        coverage["changes"] = claim_changes(dep_sections["default"], dep_sections[legacy_key])
        coverage["changes"]["resolution_km"] = max(20.0, resolution_km)
        step = progress.add_task(
            "model check: defended footprints against published figures", total=len(published_cases())
        )
        footprints = footprint_checks(
            catalog, resolution_km=FOOTPRINT_CHECK_RESOLUTION_KM, progress=lambda _c: progress.advance(step)
        )
        seongju_png = region_case_map(
            "thaad-seongju-fraction",
            catalog,
            work / "footprint_check_seongju.png",
            "Footprint check: THAAD at Seongju, South Korea (ROK defence ministry: 1/2 to 2/3 of the country)",
        )
        coverage_png = coverage_maps_side_by_side(covs, catalog, cities, work / "coverage_maps.png")
        claims_png = coverage_maps_side_by_side(panels, catalog, cities, work / "claims_maps.png", ncols=2)

        step = progress.add_task("raids: 50, 100, 200 missiles x three architectures (Monte Carlo)", total=3)
        main_trials: dict[str, Any] = {}
        raids = raid_section(catalog, progress=lambda _n: progress.advance(step), per_trial=main_trials)
        raids_png = plot_leakers(
            raids["runs"],
            work / "raid_leakers.png",
            f"Saturation raids ({raids['trials']:,} trials each, seed {raids['seed']})",
        )
        step = progress.add_task("raid realism: model steps, doctrines, pairs, campaigns, availability", total=3)
        realism = realism_section(
            catalog,
            covs,
            seed=raids["seed"],
            main_trials=main_trials,
            main_trial_count=raids["trials"],
            progress=lambda _n: progress.advance(step),
        )
        camp = realism["campaign"]
        campaign_png = plot_campaign(
            camp["runs"],
            work / "campaign.png",
            f"Campaign: {camp['waves']} waves of {camp['missiles']} missiles every {camp['every_h']:g} h "
            f"({camp['trials']:,} trials, seed {realism['seed']})",
        )

        step = progress.add_task("costs, trade-offs (7 options), budget optimum, sensitivity", total=10)
        covmap = {
            "baseline": covs["japan-2017-baseline"],
            "aegis-ashore": covs["japan-2017-aegis-ashore"],
            "thaad": covs["japan-2017-thaad"],
        }
        costs = cost_section(
            catalog,
            covmap,
            work=work,
            resolution_km=resolution_km,
            seed=raids["seed"],
            progress=lambda _n: progress.advance(step),
            coverage_claims=coverage["claims"],
            thaad_count=coverage["subsets"]["thaad_smallest_count_for_99pct_land"]["count"],
        )
        tradeoff_png = plot_tradeoff(costs["tradeoff"], work / "tradeoff.png", raid=200)
        tornado_png = plot_tornado(
            costs["tornado"]["japan-2017-aegis-ashore"], work / "tornado_leakers.png", "expected_leakers"
        )
        tornado_cost_png = plot_tornado(
            costs["tornado"]["japan-2017-aegis-ashore"],
            work / "tornado_cost.png",
            "jpy_per_surviving_value_point",
            label="life-cycle cost per point of surviving value",
        )

        step = progress.add_task("figures", total=2)
        glon, glat, dist = reach_field(catalog, areas, (110.0, 160.0, 15.0, 55.0))
        threat_png = plot_threat_map(
            work / "threat_map.png",
            japan=japan_outline(),
            neighbours=neighbour_outlines(),
            launch_areas=[
                {
                    "name": catalog.place(k).name,
                    "lat": catalog.place(k).lat.nominal,
                    "lon": catalog.place(k).lon.nominal,
                }
                for k in areas
            ],
            reach_lon=glon,
            reach_lat=glat,
            reach_distance_km=dist,
            ranges_km=[(catalog.missile(k).name, max_range(catalog.missile(k)) / 1e3) for k in missiles],
            cities=cities,
            title="North Korean missiles' reach from the publicly reported launch areas",
        )
        progress.advance(step)
        profile_png = _observed_profiles(catalog, work / "observed_profiles.png")
        progress.advance(step)

        step = progress.add_task("report", total=1)
        threats = _threat_results(catalog, tl)
        _write_timeline_csv(work / "threat_timeline.csv", catalog, tl)
        meta = {
            "study": STUDY,
            "bmdlab_version": __version__,
            "catalog_hash": catalog.hash,
            "catalog_origin": catalog.origin,
            "command": command,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "resolution_km": resolution_km,
            "seeds": {"raids": raids["seed"], "tradeoff": costs["tradeoff"]["seed"], "sensitivity": raids["seed"]},
            "price_year": costs["tradeoff"]["price_year"],
            "jpy_per_usd": costs["tradeoff"]["jpy_per_usd"],
            "scenarios": {
                n: {"hash": coverage["architectures"][n]["scenario_hash"]} for n in coverage["architectures"]
            },
        }
        from bmdlab.io import JSON_SCHEMA_VERSION

        results = {
            "schema_version": JSON_SCHEMA_VERSION,
            "kind": "study",
            "provenance": {
                "bmdlab_version": __version__,
                "catalog_hash": catalog.hash,
                "scenario": None,
                "scenario_hash": None,
                "seed": raids["seed"],
                "options": {
                    "study": STUDY,
                    "resolution_km": resolution_km,
                    "scenarios": {n: v["hash"] for n, v in meta["scenarios"].items()},
                },
            },
            "meta": meta,
            "threats": threats,
            "observed_flights": observed,
            "raid_model_check": raid_check,
            "footprint_checks": {
                "resolution_km": FOOTPRINT_CHECK_RESOLUTION_KM,
                "tolerance_factor": TOLERANCE_FACTOR,
                "cases": [r.to_dict() for r in footprints],
            },
            "coverage": coverage,
            "raids": raids,
            "realism": realism,
            "costs": costs,
            "claims": coverage["claims"] + raids["claims"] + costs["claims"],
            "assumptions": _assumptions(catalog),
            "figures": {
                "tradeoff": tradeoff_png.name,
                "tornado_leakers": tornado_png.name,
                "tornado_cost": tornado_cost_png.name,
                "threat_map": threat_png.name,
                "observed_profiles": profile_png.name,
                "coverage_maps": coverage_png.name,
                "claims_maps": claims_png.name,
                "raid_leakers": raids_png.name,
                "footprint_check_seongju": seongju_png.name,
                "campaign": campaign_png.name,
            },
        }
        atomic_write_json(work / "results.json", results)
        html = _render_report(
            results,
            catalog,
            {
                "threat_map": _png_data_uri(threat_png),
                "observed_profiles": _png_data_uri(profile_png),
                "coverage_maps": _png_data_uri(coverage_png),
                "claims_maps": _png_data_uri(claims_png),
                "raid_leakers": _png_data_uri(raids_png),
                "campaign": _png_data_uri(campaign_png),
                "tradeoff": _png_data_uri(tradeoff_png),
                "tornado_leakers": _png_data_uri(tornado_png),
                "tornado_cost": _png_data_uri(tornado_cost_png),
                "footprint_check_seongju": _png_data_uri(seongju_png),
            },
        )
        atomic_write_bytes(work / "report.html", html.encode("utf-8"))
        progress.advance(step)
        pdf = write_pdf(work / "report.html", work / "report.pdf")
        if pdf is None:
            console.print(
                "report.pdf skipped: install the PDF extra (pip install -e '.[pdf]', WeasyPrint) to get one",
                markup=False,
            )
    console.print(f"study {STUDY} written to {out} in {time.perf_counter() - started:.1f} s")
    return {"report": str(out / "report.html"), "results": str(out / "results.json")}


def _observed_profiles(catalog: Catalog, path: Path) -> Path:
    trajs = []
    labels = []
    for f in observed_flights():
        lat0, lon0 = np.radians(f["launch"]["lat"]), np.radians(f["launch"]["lon"])
        lat2, lon2 = destination(lat0, lon0, np.radians(f["azimuth_deg"]), f["range_km"] * 1e3 / EARTH_RADIUS)
        trajs.append(
            missile_trajectory(
                catalog.missile(f["missile"]), lat0, lon0, lat2, lon2, shape=f["shape"], apogee=f["apogee_km"] * 1e3
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
        import weasyprint
    except (ImportError, OSError):  # not installed, or its system libraries (Pango) are missing
        return None
    import logging

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
                rows.append(
                    {
                        "kind": kind,
                        "key": key,
                        "field": name,
                        "value": v.display(),
                        "confidence": v.confidence,
                        "source": v.source,
                        "year": v.year,
                        "note": v.note or "",
                    }
                )
    econ = catalog.economics_data
    if econ is not None:
        for table in ("missile_costs", "claims"):
            for key, v in getattr(econ, table).items():
                if v.confidence != "stated":
                    rows.append(
                        {
                            "kind": "economics",
                            "key": key,
                            "field": table,
                            "value": v.display(),
                            "confidence": v.confidence,
                            "source": v.source,
                            "year": v.year,
                            "note": v.note or "",
                        }
                    )
    return sorted(rows, key=lambda r: (r["confidence"] != "assumed", r["kind"], r["key"]))


def _render_report(results: dict[str, Any], catalog: Catalog, images: dict[str, str]) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bmdlab.study", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
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
