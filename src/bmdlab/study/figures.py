"""Figures built from results (coverage, footprints): read results, call the plotting functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import of_2017
from bmdlab.coverage.national import Coverage
from bmdlab.coverage.published_footprints import published_cases, region_coverage
from bmdlab.coverage.siting_study import SitingResult
from bmdlab.defense.footprint import Footprint
from bmdlab.geo.japan import japan_outline, largest_cities
from bmdlab.geo.region import neighbour_outlines
from bmdlab.numbers import percent
from bmdlab.palette import unit_type
from bmdlab.plotting import Figure, finish_figure, new_figure
from bmdlab.plotting.maps import MapLayout, Markers, Outlines, ShotLayer, declutter_labels, plot_coverage_map


def outlines() -> Outlines:
    """Japan's and its neighbours' outlines, as every map draws them."""
    return Outlines(japan_outline(), neighbour_outlines())


def unit_marker(name: str, unit: str, lat_deg: float, lon_deg: float, catalog: Catalog) -> dict[str, Any]:
    """A unit's map marker: its name, position [deg], basing, system name and marker type (its shape)."""
    basing = catalog.units[unit].basing
    return {
        "name": name,
        "lat": lat_deg,
        "lon": lon_deg,
        "basing": basing,
        "system": catalog.units[unit].name,
        "unit": unit,
        "type": unit_type(unit, basing),
    }


def unit_markers(cov: Coverage, catalog: Catalog) -> list[dict[str, Any]]:
    """The markers of a coverage result's units (:func:`unit_marker`)."""
    return [
        unit_marker(d.name, d.unit, float(np.degrees(d.lat)), float(np.degrees(d.lon)), catalog) for d in cov.defenders
    ]


def launch_markers(cov: Coverage, catalog: Catalog) -> list[dict[str, Any]]:
    keys = sorted({t.launch_area for t in cov.threats})
    return [
        {"name": catalog.place(k).name, "lat": catalog.place(k).lat.nominal, "lon": catalog.place(k).lon.nominal}
        for k in keys
    ]


#: Extent of the enlarged Nansei islands panel: lon_min, lon_max, lat_min, lat_max [deg] (Yonaguni to Amami and Daito).
NANSEI_STRIP = (122.6, 131.6, 24.0, 28.9)


def coverage_map(
    cov: Coverage,
    catalog: Catalog,
    cities: list[dict[str, Any]],
    path: str | Path | None,
    title: str,
    ax=None,
    strip_ax=None,
) -> Path | Figure | None:
    """Map of a national coverage result: worst-case shot opportunities per land cell.

    Draws into ``ax`` (and ``strip_ax``) if given and returns None; otherwise writes a PNG to
    ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    threatened = cov.reach.any(axis=0)
    worst = np.where(threatened, np.where(cov.defended(), cov.worst_shots(), 0), -1)
    land, pop = cov.fractions(cov.defended())
    n_missiles = len({t.missile for t in cov.threats})
    return plot_coverage_map(
        path,
        outlines=outlines(),
        layer=ShotLayer(cov.grid.lat_deg, cov.grid.lon_deg, cov.grid.resolution_km, worst),
        markers=Markers(launch_markers(cov, catalog), cities, unit_markers(cov, catalog)),
        layout=MapLayout(
            title,
            subtitle=f"{percent(land)} of Japan's land, {percent(pop)} of its people defended; {n_missiles} missiles, "
            f"{len(cov.threats)} threat cases",
            extent=(119.0, 149.0, 24.0, 46.0),
            strip=NANSEI_STRIP,
            strip_title="Nansei islands, enlarged (Yonaguni to Amami and Daito)",
        ),
        axes=None if ax is None else (ax, strip_ax),
    )


def siting_map(
    result: SitingResult, catalog: Catalog, path: str | Path | None, cities: int = 10, title: str | None = None
) -> Path | Figure:
    """Map of a siting result (:func:`bmdlab.coverage.siting_study.optimise_sites`): the chosen sites
    and the land they defend, with the ``cities`` largest cities marked.

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    s = result.summary
    marked = largest_cities(cities).records()
    title = title or f"{s['count']} x {catalog.units[s['system']].name}, sited for {s['objective']}"
    return coverage_map(result.coverage, catalog, marked, path, title=title)


def footprint_map(fp: Footprint, catalog: Catalog, path: str | Path | None) -> Path | Figure:
    """Map of one unit's defended footprint (aim points shaded by shot opportunities).

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    d = fp.defender
    lat0, lon0 = float(np.degrees(d.lat)), float(np.degrees(d.lon))
    defended = fp.shots > 0
    if defended.any():
        pad = 1.5 * fp.spacing_m / 111e3
        lats, lons = fp.lat_deg[defended], fp.lon_deg[defended]
        lat_lo, lat_hi = min(lats.min(), lat0) - pad, max(lats.max(), lat0) + pad
        lon_lo, lon_hi = min(lons.min(), lon0) - pad, max(lons.max(), lon0) + pad
    else:
        r = 1.0
        lat_lo, lat_hi, lon_lo, lon_hi = lat0 - r, lat0 + r, lon0 - r, lon0 + r
    # keep a sensible aspect and at least ~60 km of context
    half = max(lat_hi - lat_lo, (lon_hi - lon_lo) * np.cos(np.radians(lat0)), 0.6) / 2
    clat, clon = (lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2
    extent = (clon - half / np.cos(np.radians(clat)), clon + half / np.cos(np.radians(clat)), clat - half, clat + half)
    unit = unit_marker(d.name, d.unit, lat0, lon0, catalog)
    return plot_coverage_map(
        path,
        outlines=outlines(),
        layer=ShotLayer(fp.lat_deg[defended], fp.lon_deg[defended], fp.spacing_m / 1e3, fp.shots[defended]),
        markers=Markers(units=[unit]),
        layout=MapLayout(
            f"{catalog.units[d.unit].name} ({d.interceptor}) footprint against {catalog.missile(fp.missile).name}",
            subtitle=f"from {fp.launch_lat_deg:.2f}N {fp.launch_lon_deg:.2f}E, {fp.shape}: {fp.area_m2 / 1e6:,.0f} km2, "
            f"farthest aim point {fp.max_radius_m / 1e3:,.0f} km",
            extent=extent,
        ),
    )


def coverage_maps_side_by_side(
    covs: dict[str, Coverage],
    catalog: Catalog,
    cities: list[dict[str, Any]],
    path: str | Path | None,
    ncols: int | None = None,
) -> Path | Figure:
    """One panel per coverage result (same colours and extent), for the study report.

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    ncols = ncols or len(covs)
    nrows = -(-len(covs) // ncols)
    fig = new_figure((6.4 * ncols, 9.6 * nrows))
    axes = fig.subplots(2 * nrows, ncols, gridspec_kw={"height_ratios": [3.3, 1.0] * nrows}, squeeze=False)
    for k, (name, cov) in enumerate(covs.items()):
        r, c = divmod(k, ncols)
        coverage_map(cov, catalog, cities, path, title=name, ax=axes[2 * r, c], strip_ax=axes[2 * r + 1, c])
    for k in range(len(covs), nrows * ncols):
        r, c = divmod(k, ncols)
        axes[2 * r, c].set_visible(False)
        axes[2 * r + 1, c].set_visible(False)
    declutter_labels(fig)
    return finish_figure(fig, path, dpi=100)


def region_case_map(case_id: str, catalog: Catalog, path: str | Path | None, title: str) -> Path | Figure:
    """Map of a published-footprint region case (e.g. THAAD at Seongju): the country's cells, defended or
    not (worst case over the case's threats), the battery and the launch areas.

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    case = next(c for c in published_cases() if c.id == case_id)
    cov = region_coverage(case_id, catalog)
    grid, defended, reach = cov.grid, cov.defended(), cov.reach
    lat, lon = np.degrees(cov.defenders[0].lat), np.degrees(cov.defenders[0].lon)
    shots = np.where(reach.any(axis=0), cov.worst_shots(), -1)
    areas = [
        {"name": catalog.place(k).name, "lat": catalog.place(k).lat.nominal, "lon": catalog.place(k).lon.nominal}
        for k, p in catalog.places_of("launch-area").items()
        if of_2017(p)
    ]
    unit = cov.defenders[0].unit
    units = [unit_marker(catalog.units[unit].name, unit, float(lat), float(lon), catalog)]
    return plot_coverage_map(
        path,
        outlines=outlines(),
        layer=ShotLayer(grid.lat_deg, grid.lon_deg, grid.resolution_km, shots),
        markers=Markers(launch_areas=areas, units=units),
        layout=MapLayout(
            title,
            subtitle=f"{percent(grid.area_m2[defended].sum() / grid.area_m2.sum(), 0)} of the area defended "
            f"against {', '.join(case.missiles)} (published: {case.published[0]:.0%}-{case.published[1]:.0%})",
            extent=(124.0, 131.5, 33.0, 40.5),
        ),
    )


def rotation_figure(series: dict[str, dict[str, list[float]]], path: str | Path | None, title: str) -> Path | Figure:
    """Share of Japan's people (solid) and land (dashed) defended hour by hour through the ships' rotation, one
    colour per architecture (the coverage section's ``rotation.series``)."""
    fig = new_figure((8.0, 3.6))
    ax = fig.add_subplot()
    colours = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # Okabe-Ito: distinguishable with colour-blindness
    for (name, s), colour in zip(series.items(), colours):
        days = np.asarray(s["hours"]) / 24.0
        ax.step(days, 100 * np.asarray(s["population_fraction"]), where="post", color=colour, label=f"{name}: people")
        ax.step(days, 100 * np.asarray(s["land_fraction"]), where="post", color=colour, ls="--", label=f"{name}: land")
    ax.set_xlabel("day of the rotation")
    ax.set_ylabel("share of Japan defended [%]")
    ax.set_ylim(0, 101)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=2, loc="lower left")
    return finish_figure(fig, path)
