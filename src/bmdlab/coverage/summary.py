"""Numbers of a national coverage result: fractions per region, launch area, missile, threat, city and unit.

:func:`coverage_summary` returns a typed :class:`CoverageSummary` (figures rounded as reported);
:meth:`CoverageSummary.to_dict` is the coverage's JSON (``bmdlab coverage --json``, the study).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bmdlab.coverage.national import Coverage
from bmdlab.geo.region import REGION_NAMES, grid_regions
from bmdlab.lazy import lazy_module
from bmdlab.numbers import round_share

if TYPE_CHECKING:
    from scipy import spatial
else:
    spatial = lazy_module("scipy.spatial")

#: The categories of :meth:`bmdlab.coverage.national.Coverage.breakdown`, as JSON keys.
CATEGORIES = {
    "defended": "defended",
    "threatened, not defended": "threatened_not_defended",
    "not threatened": "not_threatened",
}


def nearest_cells(cov: Coverage, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Index of the grid cell nearest to each point (local equirectangular distance)."""
    g = cov.grid
    scale = np.cos(np.radians(np.mean(g.lat_deg)))
    tree = spatial.cKDTree(np.column_stack([g.lat_deg, g.lon_deg * scale]))
    _, idx = tree.query(np.column_stack([lat_deg, np.asarray(lon_deg) * scale]))
    return idx


@dataclass(frozen=True)
class Share:
    """Land [km^2] and people of one category, and their fractions of the whole (rounded as reported)."""

    land_km2: float
    population: int
    land_fraction: float
    population_fraction: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "land_km2": self.land_km2,
            "population": self.population,
            "land_fraction": self.land_fraction,
            "population_fraction": self.population_fraction,
        }


def _shares(parts: dict[str, dict[str, Any]]) -> dict[str, Share]:
    return {CATEGORIES[k]: Share(**v) for k, v in parts.items()}


@dataclass(frozen=True)
class RegionRow:
    """One of Japan's regions: its land and people, and the share of each category (fractions of the region)."""

    region: str
    land_km2: float
    population: int
    defended: Share
    threatened_not_defended: Share
    not_threatened: Share

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "land_km2": self.land_km2,
            "population": self.population,
            **{k: getattr(self, k).to_dict() for k in CATEGORIES.values()},
        }


@dataclass(frozen=True)
class ReachRow:
    """The threats from one launch area (or of one missile): worst-case fractions of the land and people they
    reach, and the share of Japan's land they reach."""

    by: str  #: ``launch_area`` or ``missile``
    key: str
    land_fraction_of_reach: float
    population_fraction_of_reach: float
    reach_land_fraction: float

    def to_dict(self) -> dict[str, Any]:
        return {
            self.by: self.key,
            "land_fraction_of_reach": self.land_fraction_of_reach,
            "population_fraction_of_reach": self.population_fraction_of_reach,
            "reach_land_fraction": self.reach_land_fraction,
        }


@dataclass(frozen=True)
class ThreatRow:
    """One threat case: the fractions of the land and people it reaches that are defended."""

    launch_area: str
    missile: str
    shape: str
    apogee_km: float | None
    land_fraction_of_reach: float
    population_fraction_of_reach: float
    threatened_land_km2: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CityRow:
    """A city at its nearest cell: defended or not, and the fewest shot opportunities over the threats."""

    name: str
    population: int
    lat: float
    lon: float
    defended: bool
    shot_opportunities: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class UnitRow:
    """One unit's contribution: the land and people it defends alone, and what it adds to the others."""

    name: str
    system: str
    interceptor: str
    lat: float
    lon: float
    land_fraction_alone: float
    population_fraction_alone: float
    population_fraction_added: float | None = None
    land_fraction_added: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        if self.population_fraction_added is None:
            del out["population_fraction_added"], out["land_fraction_added"]
        return out


@dataclass(frozen=True)
class CoverageSummary:
    """Worst-case fractions of a coverage and the breakdowns the CLI and the report show (rounded as reported)."""

    scenario: str
    scenario_hash: str
    catalog_hash: str
    resolution_km: float
    cells: int
    land_area_km2: float
    population_total: int
    land_fraction: float  #: of all of Japan's land [-]
    population_fraction: float  #: of all of Japan's people [-]
    categories: dict[str, Share]
    regions: tuple[RegionRow, ...]
    per_launch_area: tuple[ReachRow, ...]
    per_missile: tuple[ReachRow, ...]
    per_threat: tuple[ThreatRow, ...]
    cities: tuple[CityRow, ...] | None
    units: tuple[UnitRow, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "catalog_hash": self.catalog_hash,
            "resolution_km": self.resolution_km,
            "cells": self.cells,
            "land_area_km2": self.land_area_km2,
            "population_total": self.population_total,
            "land_fraction": self.land_fraction,
            "population_fraction": self.population_fraction,
            "fractions_of": "all of Japan's land and people",
            "definition": "worst case: a cell counts as defended only if some unit can engage every listed threat that "
            "reaches it",
            "categories": {k: v.to_dict() for k, v in self.categories.items()},
            "regions": [r.to_dict() for r in self.regions],
            "per_launch_area": [r.to_dict() for r in self.per_launch_area],
            "per_missile": [r.to_dict() for r in self.per_missile],
            "per_threat": [r.to_dict() for r in self.per_threat],
        }
        if self.cities is not None:
            out["cities"] = [c.to_dict() for c in self.cities]
        out["units"] = [u.to_dict() for u in self.units]
        return out


def coverage_summary(
    cov: Coverage, cities: list[dict[str, Any]] | None = None, unit_contributions: bool = True
) -> CoverageSummary:
    """Worst-case fractions and the breakdowns the CLI and the report show."""
    defended = cov.defended()
    land, pop = cov.fractions(defended)
    return CoverageSummary(
        scenario=cov.scenario,
        scenario_hash=cov.scenario_hash,
        catalog_hash=cov.catalog_hash,
        resolution_km=cov.grid.resolution_km,
        cells=len(cov.grid),
        land_area_km2=round(float(cov.grid.area_m2.sum()) / 1e6, 1),
        population_total=round(float(cov.grid.population.sum())),
        land_fraction=round_share(land),
        population_fraction=round_share(pop),
        categories=_shares(cov.breakdown(defended)),
        regions=region_table(cov, defended),
        per_launch_area=_reach_rows(cov, "launch_area"),
        per_missile=_reach_rows(cov, "missile"),
        per_threat=_threat_rows(cov),
        cities=_city_rows(cov, cities, defended) if cities else None,
        units=_unit_rows(cov, land, pop, unit_contributions),
    )


def _reach_rows(cov: Coverage, attr: str) -> tuple[ReachRow, ...]:
    """Worst-case fractions over the threats sharing each value of ``attr`` (launch_area, missile):
    of the land and people those threats reach, and the share of all Japan they reach."""
    rows = []
    for key in sorted({getattr(t, attr) for t in cov.threats}):
        sel = np.array([getattr(t, attr) == key for t in cov.threats])
        land, pop = cov.fractions(cov.defended(threats=sel), threats=sel, of="threatened")
        reach = cov.reach[sel].any(axis=0)
        rows.append(
            ReachRow(
                attr,
                key,
                round_share(land),
                round_share(pop),
                round_share(float(cov.grid.area_m2[reach].sum() / cov.grid.area_m2.sum())),
            )
        )
    return tuple(rows)


def region_table(cov: Coverage, defended: np.ndarray) -> tuple[RegionRow, ...]:
    """Defended, threatened-not-defended and not-threatened land and people in each of Japan's regions
    (:func:`bmdlab.geo.region.japan_regions`), fractions of the region's own land and people."""
    region = grid_regions(cov.grid)
    rows = []
    for r, name in enumerate(REGION_NAMES):
        cells = region == r
        rows.append(
            RegionRow(
                name,
                round(float(cov.grid.area_m2[cells].sum()) / 1e6, 1),
                round(float(cov.grid.population[cells].sum())),
                **_shares(cov.breakdown(defended, cells=cells)),
            )
        )
    return tuple(rows)


def _threat_rows(cov: Coverage) -> tuple[ThreatRow, ...]:
    rows = []
    for t_i, t in enumerate(cov.threats):
        sel = np.zeros(len(cov.threats), bool)
        sel[t_i] = True
        la, po = cov.fractions(cov.defended(threats=sel), threats=sel, of="threatened")
        rows.append(
            ThreatRow(
                t.launch_area,
                t.missile,
                t.shape,
                t.apogee_km,
                round_share(la),
                round_share(po),
                round(float(cov.grid.area_m2[cov.reach[t_i]].sum()) / 1e6, 1),
            )
        )
    return tuple(rows)


def _city_rows(cov: Coverage, cities: list[dict[str, Any]], defended: np.ndarray) -> tuple[CityRow, ...]:
    idx = nearest_cells(cov, np.array([c["lat"] for c in cities]), np.array([c["lon"] for c in cities]))
    worst = cov.worst_shots()
    return tuple(
        CityRow(c["name"], c["population"], c["lat"], c["lon"], bool(defended[i]), int(worst[i]))
        for c, i in zip(cities, idx)
    )


def _unit_rows(cov: Coverage, land: float, pop: float, contributions: bool) -> tuple[UnitRow, ...]:
    rows = []
    n_def = len(cov.defenders)
    total = cov.total_shots()  # every unit's; a unit's own and the others' follow by one subtraction
    for d_i, d in enumerate(cov.defenders):
        mine = cov.shots[:, d_i, :]
        la_alone, po_alone = cov.fractions(cov.defended(total=mine))
        added: dict[str, float] = {}
        if contributions:
            la_wo, po_wo = cov.fractions(cov.defended(total=total - mine)) if n_def > 1 else (0.0, 0.0)
            added = {"population_fraction_added": round(pop - po_wo, 4), "land_fraction_added": round(land - la_wo, 4)}
        rows.append(
            UnitRow(
                d.name,
                d.unit,
                d.interceptor,
                round(float(np.degrees(d.lat)), 4),
                round(float(np.degrees(d.lon)), 4),
                round_share(la_alone),
                round_share(po_alone),
                **added,
            )
        )
    return tuple(rows)


__all__ = [
    "CityRow",
    "CoverageSummary",
    "ReachRow",
    "RegionRow",
    "Share",
    "ThreatRow",
    "UnitRow",
    "coverage_summary",
    "nearest_cells",
    "region_table",
]
