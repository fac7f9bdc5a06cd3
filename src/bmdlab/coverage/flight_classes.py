"""Coverage against each flight class of the threat: ballistic, quasi-ballistic and boost-glide.

A :class:`~bmdlab.coverage.national.Coverage` holds every threat case of a scenario; a flight class is the set
of its cases whose missile flies that way (the catalog's ``flight_class``, :mod:`bmdlab.trajectory.atmospheric`).
Against one class a cell is **covered** when it is defended against every case of the class that reaches it,
or when none reaches it (a KN-23 reaches only the nearer half of Japan: the rest is not its to threaten).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.coverage.national import Coverage
from bmdlab.geo.region import REGION_NAMES, grid_regions
from bmdlab.numbers import round_share

#: The flight classes, in the order reports list them.
FLIGHT_CLASSES = ("ballistic", "quasi-ballistic", "boost-glide")


def class_masks(cov: Coverage, catalog: Catalog) -> dict[str, NDArray[np.bool_]]:
    """The threat cases of each flight class present in the coverage, as masks over ``cov.threats``."""
    classes = np.array([catalog.missiles[t.missile].flight_class for t in cov.threats])
    return {c: classes == c for c in FLIGHT_CLASSES if np.any(classes == c)}


def covered(cov: Coverage, threats: NDArray[np.bool_], defenders: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
    """Cells defended against every case of ``threats`` that reaches them, or reached by none of them."""
    reach = cov.reach[threats].any(axis=0)
    return cov.defended(defenders=defenders, threats=threats) | ~reach


def class_shares(
    cov: Coverage, catalog: Catalog, defenders: NDArray[np.bool_] | None = None
) -> dict[str, dict[str, Any]]:
    """For each flight class: the shares of Japan's land and people covered (:func:`covered`) and reached by the
    class, and each region's covered shares (the input of :func:`bmdlab.study.verdict_rules.coverage_verdict`)."""
    region = grid_regions(cov.grid)
    area, pop = cov.grid.area_m2, cov.grid.population
    out: dict[str, dict[str, Any]] = {}
    for name, mask in class_masks(cov, catalog).items():
        ok = covered(cov, mask, defenders)
        reach = cov.reach[mask].any(axis=0)
        regions = {}
        for r, rname in enumerate(REGION_NAMES):
            cells = region == r
            if cells.any():
                regions[rname] = {
                    "land_fraction": round_share(float(area[ok & cells].sum() / area[cells].sum())),
                    "population_fraction": round_share(float(pop[ok & cells].sum() / max(pop[cells].sum(), 1.0))),
                }
        out[name] = {
            "cases": int(mask.sum()),
            "land_fraction": round_share(float(area[ok].sum() / area.sum())),
            "population_fraction": round_share(float(pop[ok].sum() / pop.sum())),
            "reached_land_fraction": round_share(float(area[reach].sum() / area.sum())),
            "reached_population_fraction": round_share(float(pop[reach].sum() / pop.sum())),
            "regions": regions,
        }
    return out


def class_coverage(cov: Coverage, threats: NDArray[np.bool_], name: str | None = None) -> Coverage:
    """The coverage against only some of its threat cases (a class's, for its map)."""
    return Coverage(
        grid=cov.grid,
        defenders=cov.defenders,
        threats=tuple(t for t, m in zip(cov.threats, threats) if m),
        shots=cov.shots[threats],
        reach=cov.reach[threats],
        scenario=name or cov.scenario,
        scenario_hash=cov.scenario_hash,
        catalog_hash=cov.catalog_hash,
    )


__all__ = ["FLIGHT_CLASSES", "class_coverage", "class_masks", "class_shares", "covered"]
