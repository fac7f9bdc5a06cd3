"""Numbers of a national coverage result: fractions per launch area, missile, city and unit."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from bmdlab.coverage.national import Coverage


def nearest_cells(cov: Coverage, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Index of the grid cell nearest to each point (local equirectangular distance)."""
    g = cov.grid
    scale = np.cos(np.radians(np.mean(g.lat_deg)))
    tree = cKDTree(np.column_stack([g.lat_deg, g.lon_deg * scale]))
    _, idx = tree.query(np.column_stack([lat_deg, np.asarray(lon_deg) * scale]))
    return idx


def _breakdown(cov: Coverage, attr: str) -> list[dict[str, Any]]:
    """Worst-case fractions over the threats sharing each value of ``attr`` (launch_area, missile):
    of the land and people those threats reach, and the share of all Japan they reach."""
    rows = []
    for key in sorted({getattr(t, attr) for t in cov.threats}):
        sel = np.array([getattr(t, attr) == key for t in cov.threats])
        land, pop = cov.fractions(cov.defended(threats=sel), threats=sel, of="threatened")
        reach = cov.reach[sel].any(axis=0)
        rows.append(
            {
                attr: key,
                "land_fraction_of_reach": round(land, 4),
                "population_fraction_of_reach": round(pop, 4),
                "reach_land_fraction": round(float(cov.grid.area_m2[reach].sum() / cov.grid.area_m2.sum()), 4),
            }
        )
    return rows


def region_table(cov: Coverage, defended: np.ndarray) -> list[dict[str, Any]]:
    """Defended, threatened-not-defended and not-threatened land and people in each of Japan's regions
    (:func:`bmdlab.geo.region.japan_regions`), fractions of the region's own land and people."""
    from bmdlab.geo.region import REGION_NAMES, japan_regions

    region = japan_regions(cov.grid.lat_deg, cov.grid.lon_deg)
    rows = []
    for r, name in enumerate(REGION_NAMES):
        cells = region == r
        rows.append(
            {
                "region": name,
                "land_km2": round(float(cov.grid.area_m2[cells].sum()) / 1e6, 1),
                "population": round(float(cov.grid.population[cells].sum())),
                **{k.replace(", ", "_").replace(" ", "_"): v for k, v in cov.breakdown(defended, cells=cells).items()},
            }
        )
    return rows


def coverage_summary(
    cov: Coverage, cities: list[dict[str, Any]] | None = None, unit_contributions: bool = True
) -> dict[str, Any]:
    """JSON-ready summary: worst-case fractions and the breakdowns the CLI and the report show."""
    defended = cov.defended()
    land, pop = cov.fractions(defended)
    out: dict[str, Any] = {
        "scenario": cov.scenario,
        "scenario_hash": cov.scenario_hash,
        "catalog_hash": cov.catalog_hash,
        "resolution_km": cov.grid.resolution_km,
        "cells": len(cov.grid),
        "land_area_km2": round(float(cov.grid.area_m2.sum()) / 1e6, 1),
        "population_total": round(float(cov.grid.population.sum())),
        "land_fraction": round(land, 4),
        "population_fraction": round(pop, 4),
        "fractions_of": "all of Japan's land and people",
        "definition": "worst case: a cell counts as defended only if some unit can engage every listed threat that reaches it",
        "categories": {k.replace(", ", "_").replace(" ", "_"): v for k, v in cov.breakdown(defended).items()},
        "regions": region_table(cov, defended),
    }
    out["per_launch_area"] = _breakdown(cov, "launch_area")
    out["per_missile"] = _breakdown(cov, "missile")
    out["per_threat"] = []
    for t_i, t in enumerate(cov.threats):
        sel = np.zeros(len(cov.threats), bool)
        sel[t_i] = True
        la, po = cov.fractions(cov.defended(threats=sel), threats=sel, of="threatened")
        out["per_threat"].append(
            {
                "launch_area": t.launch_area,
                "missile": t.missile,
                "shape": t.shape,
                "apogee_km": t.apogee_km,
                "land_fraction_of_reach": round(la, 4),
                "population_fraction_of_reach": round(po, 4),
                "threatened_land_km2": round(float(cov.grid.area_m2[cov.reach[t_i]].sum()) / 1e6, 1),
            }
        )
    if cities:
        idx = nearest_cells(cov, np.array([c["lat"] for c in cities]), np.array([c["lon"] for c in cities]))
        worst = cov.worst_shots()
        out["cities"] = [
            {
                "name": c["name"],
                "population": c["population"],
                "lat": c["lat"],
                "lon": c["lon"],
                "defended": bool(defended[i]),
                "shot_opportunities": int(worst[i]),
            }
            for c, i in zip(cities, idx)
        ]
    units = []
    n_def = len(cov.defenders)
    for d_i, d in enumerate(cov.defenders):
        only = np.zeros(n_def, bool)
        only[d_i] = True
        la_alone, po_alone = cov.fractions(cov.defended(defenders=only))
        row = {
            "name": d.name,
            "system": d.unit,
            "interceptor": d.interceptor,
            "lat": round(float(np.degrees(d.lat)), 4),
            "lon": round(float(np.degrees(d.lon)), 4),
            "land_fraction_alone": round(la_alone, 4),
            "population_fraction_alone": round(po_alone, 4),
        }
        if unit_contributions:
            others = ~only
            la_wo, po_wo = cov.fractions(cov.defended(defenders=others)) if others.any() else (0.0, 0.0)
            row["population_fraction_added"] = round(pop - po_wo, 4)
            row["land_fraction_added"] = round(land - la_wo, 4)
        units.append(row)
    out["units"] = units
    return out
