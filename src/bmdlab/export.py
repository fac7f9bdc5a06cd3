"""Exports an analyst can open in other tools: GeoJSON, CF NetCDF rasters, Parquet and CSV tables.

Coverage classes
----------------
Each land cell of a :class:`~bmdlab.coverage.national.Coverage` gets a *shot-opportunity class*
from its worst-case number of shot opportunities ``w`` over the threats that reach it
(:meth:`Coverage.worst_shots`):

==== ===========================================
-1   not threatened (no threat reaches the cell)
0    threatened, not defended (``w = 0``)
1    1 shot opportunity
2    2 shot opportunities
3    3 or more shot opportunities (``w >= 3``)
==== ===========================================

so a cell is defended (:meth:`Coverage.defended`) exactly when its class is >= 1.

Cell geometry
-------------
:func:`bmdlab.geo.land_grid` lays cells out in rows of constant latitude step
``dphi = s / R`` (``s`` the resolution, ``R`` :data:`bmdlab.geo.sphere.EARTH_RADIUS`); the cells of a
row are equal and ``dlambda_i`` wide, with sphere area

.. math:: A = R^2 \\, \\Delta\\lambda_i \\, (\\sin\\varphi_{top} - \\sin\\varphi_{bottom}),

so each row's longitude step is recovered from the cells' areas. A cell is the lon/lat rectangle
around its centre; the cells of a class are dissolved (runs of neighbours in a row first, then
:func:`shapely.unary_union`). Edges are computed from integer row and column indices, so two
neighbours share exactly the same edge coordinates and the class polygons tile without gaps or
overlaps. GeoJSON coordinates are rounded to 5 decimals (about 1 m).

Raster
------
:func:`coverage_dataset` puts the cells on a regular lat/lon lattice: its rows are the grid's rows
(step ``dphi``) and its columns are ``min(dphi, 0.999 min_i dlambda_i)`` wide, narrower than every
cell, so no two cell centres share a raster cell. A cell's land area and population go to the
raster cell holding its centre (totals and per-class sums are preserved exactly); ``shot_class``
and ``worst_shots`` of a raster cell are those of the land cell covering its centre, so the map has
no holes between cells that are wider than a raster column.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.coverage.national import Coverage
from bmdlab.defense.footprint import Footprint
from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import LandGrid
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.io import atomic_file, atomic_write_bytes, check_output_file, strict_json, write_error
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import shapely
    import xarray as xr
else:
    duckdb = lazy_module("duckdb")
    pd = lazy_module("pandas")
    shapely = lazy_module("shapely")
    xr = lazy_module("xarray")

__all__ = [
    "CLASS_LABELS",
    "FOOTPRINT_CLASS_LABELS",
    "coverage_classes",
    "coverage_dataset",
    "coverage_geojson",
    "footprint_dataset",
    "footprint_geojson",
    "points_geojson",
    "write_geojson",
    "write_netcdf",
    "write_table",
]

#: Label of each coverage shot-opportunity class.
CLASS_LABELS = {
    -1: "not threatened",
    0: "threatened, not defended",
    1: "1 shot opportunity",
    2: "2 shot opportunities",
    3: "3+ shot opportunities",
}
#: Label of each footprint class (aim points with 0 shot opportunities are not exported as polygons).
FOOTPRINT_CLASS_LABELS = {
    0: "not defended",
    1: "1 shot opportunity",
    2: "2 shot opportunities",
    3: "3+ shot opportunities",
}
#: ``shot_class`` of a raster cell that holds no Japanese land.
NOT_LAND = -2
#: Decimals of GeoJSON coordinates [deg] (1e-5 deg is about 1 m).
DECIMALS = 5

#: WKT (OGC 01-009, as GDAL writes it) of EPSG:4326, WGS 84 latitude/longitude.
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
    'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_CLASS_MEANINGS = (
    "not_land not_threatened threatened_not_defended 1_shot_opportunity 2_shot_opportunities "
    "3_or_more_shot_opportunities"
)
_TABLE_SUFFIXES = (".parquet", ".csv")


# --------------------------------------------------------------------------------------------- classes


def _check_coverage(cov: Any) -> Coverage:
    if not isinstance(cov, Coverage):
        raise BmdlabError(
            f"cov: expected a bmdlab.coverage.national.Coverage, got {type(cov).__name__}; "
            f"compute it with national_coverage"
        )
    return cov


def coverage_classes(cov: Coverage) -> NDArray[np.int64]:
    """Shot-opportunity class of every land cell of a coverage.

    Parameters
    ----------
    cov : Coverage
        National coverage (threats x defenders x cells).

    Returns
    -------
    ndarray of int64, shape (cells,)
        -1 not threatened (no threat reaches the cell), 0 threatened and not defended, 1 and 2 that
        many worst-case shot opportunities, 3 three or more. A cell is defended
        (:meth:`Coverage.defended`) exactly where the class is >= 1.
    """
    cov = _check_coverage(cov)
    reached = cov.reach.any(axis=0)
    return np.where(reached, np.minimum(cov.worst_shots(), 3), -1).astype(np.int64)


# ------------------------------------------------------------------------------------------ cell layout


def _rows_and_columns(grid) -> dict[str, NDArray]:
    """Integer row ``k`` and column ``j`` of each cell, and each row's origin and longitude step.

    Centres are ``lat = lat_ref + k dphi`` and ``lon = lon_ref[k] + j dlambda[k]`` [rad]; a
    :class:`BmdlabError` if the grid is not laid out so (see the module docstring).
    """
    n = len(grid)
    if n == 0:
        raise BmdlabError("cov: the coverage grid has no cells; use a grid that holds land")
    dlat = grid.resolution_km * 1e3 / EARTH_RADIUS
    lat, lon = np.radians(grid.lat_deg), np.radians(grid.lon_deg)
    lat_ref = lat.min()
    kf = (lat - lat_ref) / dlat
    k = np.rint(kf).astype(np.int64)
    bottom, top = lat_ref + (k - 0.5) * dlat, lat_ref + (k + 0.5) * dlat
    with np.errstate(divide="ignore", invalid="ignore"):
        dlon_cell = grid.cell_area_m2 / (EARTH_RADIUS**2 * (np.sin(top) - np.sin(bottom)))
    rows, inv = np.unique(k, return_inverse=True)
    count = np.bincount(inv)
    dlon = np.bincount(inv, dlon_cell) / count
    lon_ref = np.full(rows.size, np.inf)
    np.minimum.at(lon_ref, inv, lon)
    jf = (lon - lon_ref[inv]) / dlon[inv]
    j = np.rint(jf).astype(np.int64)
    ok = (np.abs(kf - k) < 1e-6) & (np.abs(jf - j) < 1e-6) & (np.abs(dlon_cell / dlon[inv] - 1) < 1e-6)
    if not np.all(ok) or not np.all(dlon > 0):
        raise BmdlabError(
            "cov: the grid's cells are not in rows of constant latitude step resolution_km, "
            "equal within a row; build the grid with bmdlab.geo.land_grid"
        )
    return {
        "k": k,
        "j": j,
        "dlat": dlat,
        "lat_ref": lat_ref,
        "rows": rows,
        "row": inv,
        "dlon": dlon,
        "lon_ref": lon_ref,
    }


def _dissolve_rows(layout: dict[str, NDArray], cls: NDArray) -> dict[int, shapely.Geometry]:
    """One dissolved geometry per class value: neighbour runs in a row, then a union."""
    k, j, row = layout["k"], layout["j"], layout["row"]
    order = np.lexsort((j, k))
    k, j, row, c = k[order], j[order], row[order], cls[order]
    start = np.ones(k.size, dtype=bool)
    start[1:] = (k[1:] != k[:-1]) | (j[1:] != j[:-1] + 1) | (c[1:] != c[:-1])
    first = np.flatnonzero(start)
    last = np.append(first[1:], k.size) - 1
    lon_ref, dlon = layout["lon_ref"][row[first]], layout["dlon"][row[first]]
    west = np.degrees(lon_ref + (j[first] - 0.5) * dlon)
    east = np.degrees(lon_ref + (j[last] + 0.5) * dlon)
    south = np.degrees(layout["lat_ref"] + (k[first] - 0.5) * layout["dlat"])
    north = np.degrees(layout["lat_ref"] + (k[first] + 0.5) * layout["dlat"])
    boxes = shapely.box(*(np.round(v, DECIMALS) for v in (west, south, east, north)))
    run_class = c[first]
    return {int(v): shapely.unary_union(boxes[run_class == v]) for v in np.unique(run_class)}


def _geojson_geometry(geom: shapely.Geometry) -> dict:
    geom = shapely.orient_polygons(shapely.transform(geom, lambda xy: np.round(xy, DECIMALS)))
    return json.loads(shapely.to_geojson(geom))


def _collection(features: list[dict], provenance: Mapping | None) -> dict:
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if provenance is not None:
        if not isinstance(provenance, Mapping):
            raise BmdlabError(f"provenance: expected a dict, got {type(provenance).__name__}")
        out["bmdlab"] = strict_json(dict(provenance))[0]
    return out


# ---------------------------------------------------------------------------------------------- coverage


def coverage_geojson(cov: Coverage, *, provenance: Mapping | None = None) -> dict:
    """Coverage classes as a GeoJSON FeatureCollection (RFC 7946; lon/lat on WGS 84).

    One feature per class present (see :func:`coverage_classes`), its geometry the dissolved
    (Multi)Polygon of the class's cells (see the module docstring), coordinates rounded to 5
    decimals.

    Parameters
    ----------
    cov : Coverage
        National coverage.
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"`` (version, catalog hash, scenario, seed...).

    Returns
    -------
    dict
        Features ordered by class, with properties ``class`` (int), ``label``, ``cells`` (count),
        ``land_km2`` (Japanese land area of the cells, ``sum(grid.area_m2) / 1e6``, not the polygon
        area) [km^2] and ``population`` (``sum(grid.population)`` rounded) [people].
    """
    cov = _check_coverage(cov)
    cls = coverage_classes(cov)
    geoms = _dissolve_rows(_rows_and_columns(cov.grid), cls)
    features = []
    for c, geom in sorted(geoms.items()):
        m = cls == c
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson_geometry(geom),
                "properties": {
                    "class": c,
                    "label": CLASS_LABELS[c],
                    "cells": int(m.sum()),
                    "land_km2": round(float(cov.grid.area_m2[m].sum()) / 1e6, 3),
                    "population": int(round(float(cov.grid.population[m].sum()))),
                },
            }
        )
    return _collection(features, provenance)


def _lat_lon_coords(lat_deg: NDArray, lon_deg: NDArray) -> dict:
    return {
        "lat": (
            "lat",
            lat_deg,
            {
                "standard_name": "latitude",
                "long_name": "latitude of the cell centre",
                "units": "degrees_north",
                "axis": "Y",
            },
        ),
        "lon": (
            "lon",
            lon_deg,
            {
                "standard_name": "longitude",
                "long_name": "longitude of the cell centre",
                "units": "degrees_east",
                "axis": "X",
            },
        ),
    }


def _attrs_of(provenance: Mapping | None) -> dict[str, str]:
    """Provenance as NetCDF-3 global attributes: valid names, text values (JSON for non-text)."""
    if provenance is None:
        return {}
    if not isinstance(provenance, Mapping):
        raise BmdlabError(f"provenance: expected a dict, got {type(provenance).__name__}")
    out = {}
    for key, value in strict_json(dict(provenance))[0].items():
        name = re.sub(r"[^A-Za-z0-9_]", "_", str(key))
        name = name if re.match(r"[A-Za-z]", name) else f"bmdlab_{name}"
        out[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return out


def coverage_dataset(cov: Coverage, *, provenance: Mapping | None = None) -> xr.Dataset:
    """Coverage as a CF-1.8 raster on a regular lat/lon lattice (see the module docstring).

    Parameters
    ----------
    cov : Coverage
        National coverage.
    provenance : dict, optional
        Added to the global attributes, values as text (JSON for non-text values).

    Returns
    -------
    xarray.Dataset
        Dimensions ``lat`` (ascending) and ``lon`` [deg], cell centres. Variables:
        ``shot_class`` (int8; the classes of :func:`coverage_classes`, -2 where no Japanese land),
        ``worst_shots`` (int16; worst-case shot opportunities, -1 where no land), ``land_km2``
        (float; Japanese land area whose cell centre lies in the raster cell) [km^2],
        ``population`` (float; likewise) [people], and the grid mapping ``crs`` (EPSG:4326).
        Sums of ``land_km2`` and ``population`` equal the grid's, in total and per class.
    """
    cov = _check_coverage(cov)
    grid = cov.grid
    r = _raster(grid)
    cls = coverage_classes(cov)
    worst = np.minimum(cov.worst_shots(), np.iinfo(np.int16).max)
    cell = r.cell_of_centre
    hit = cell >= 0
    shot_class = np.where(hit, cls[cell], NOT_LAND).astype(np.int8)
    worst_r = np.where(hit, worst[cell], -1).astype(np.int16)
    _check_raster(grid, r, cls, shot_class)
    n_lat, n_lon = r.shape
    land, pop = r.land_km2, r.population
    lat_c, lon_c = r.lat_c, r.lon_c
    dims = ("lat", "lon")
    gm = {"grid_mapping": "crs"}
    ds = xr.Dataset(
        {
            "shot_class": (
                dims,
                shot_class,
                {
                    "long_name": "shot-opportunity class (worst case over the threats reaching the cell)",
                    "flag_values": np.array([-2, -1, 0, 1, 2, 3], dtype=np.int8),
                    "flag_meanings": _CLASS_MEANINGS,
                    "comment": "class of the land cell covering the raster cell's centre; -2: no Japanese land",
                    **gm,
                },
            ),
            "worst_shots": (
                dims,
                worst_r,
                {
                    "long_name": "fewest shot opportunities over the threats that reach the cell",
                    "units": "1",
                    "comment": "0 where no threat reaches the cell; -1: no Japanese land",
                    **gm,
                },
            ),
            "land_km2": (
                dims,
                land.reshape(n_lat, n_lon),
                {
                    "long_name": "Japanese land area of the grid cells centred in this raster cell",
                    "units": "km2",
                    "cell_methods": "area: sum",
                    **gm,
                },
            ),
            "population": (
                dims,
                pop.reshape(n_lat, n_lon),
                {
                    "long_name": "population of the grid cells centred in this raster cell",
                    "units": "1",
                    "cell_methods": "area: sum",
                    **gm,
                },
            ),
            "crs": ((), np.int32(0), _wgs84_mapping()),
        },
        coords=_lat_lon_coords(np.degrees(lat_c), np.degrees(lon_c)),
        attrs={
            "Conventions": "CF-1.8",
            "title": f"bmdlab national coverage: {cov.scenario or 'unnamed architecture'}",
            "source": "bmdlab coverage_dataset",
            "resolution_km": float(grid.resolution_km),
            "comment": "grid cells placed on a regular lat/lon lattice: land and population in the raster cell "
            "holding the cell centre, classes from the cell covering the raster cell's centre",
            **_attrs_of(provenance),
        },
    )
    return ds


@dataclass(frozen=True)
class _Raster:
    """A land grid placed on a regular lat/lon lattice: each grid cell's land and people in the raster cell
    holding its centre, and the grid cell covering each raster cell's centre (-1: none)."""

    lat_c: NDArray  #: (n_lat,) raster cell centres [rad], ascending
    lon_c: NDArray  #: (n_lon,) [rad]
    flat: NDArray  #: (cells,) each grid cell's raster cell (row-major index)
    land_km2: NDArray  #: (n_lat * n_lon,)
    population: NDArray  #: (n_lat * n_lon,)
    cell_of_centre: NDArray  #: (n_lat, n_lon) grid cell covering the raster cell's centre, -1 where none

    @property
    def shape(self) -> tuple[int, int]:
        return self.lat_c.size, self.lon_c.size


def _raster(grid: LandGrid) -> _Raster:
    """The lattice of :func:`coverage_dataset`: a step narrower than any grid cell, so one cell centre per
    raster cell."""
    lay = _rows_and_columns(grid)
    dlat, lat_ref, rows, dlon, lon_ref = lay["dlat"], lay["lat_ref"], lay["rows"], lay["dlon"], lay["lon_ref"]
    step = min(dlat, 0.999 * float(dlon.min()))  # narrower than any cell: one cell centre per raster cell
    west = float(np.min(lon_ref - 0.5 * dlon))
    east = float(np.max(lon_ref + (_row_max(lay) + 0.5) * dlon))
    n_lon = int(math.ceil((east - west) / step))
    n_lat = int(rows.max() - rows.min() + 1)
    k0 = int(rows.min())
    lat_c = lat_ref + (k0 + np.arange(n_lat)) * dlat
    lon_c = west + (np.arange(n_lon) + 0.5) * step
    # mass: each cell into the raster cell holding its centre
    ri = lay["k"] - k0
    ci = np.floor((np.radians(grid.lon_deg) - west) / step).astype(np.int64)
    flat = ri * n_lon + ci
    if np.unique(flat).size != flat.size:  # cannot happen with step < every row's dlon
        raise RuntimeError("bug: two land cells fell into one raster cell")
    land = np.zeros(n_lat * n_lon)
    pop = np.zeros(n_lat * n_lon)
    land[flat] = grid.area_m2 / 1e6
    pop[flat] = grid.population
    # the land cell covering each raster cell's centre
    key = lay["k"] * (int(lay["j"].max()) + 2) + lay["j"]
    order = np.argsort(key)
    sorted_key = key[order]
    row_of = np.full(n_lat, -1)
    row_of[rows - k0] = np.arange(rows.size)
    has_row = row_of >= 0
    r = np.where(has_row, row_of, 0)
    jj = np.floor((lon_c[None, :] - lon_ref[r][:, None]) / dlon[r][:, None] + 0.5).astype(np.int64)
    want = (k0 + np.arange(n_lat))[:, None] * (int(lay["j"].max()) + 2) + jj
    pos = np.clip(np.searchsorted(sorted_key, want), 0, key.size - 1)
    hit = has_row[:, None] & (jj >= 0) & (sorted_key[pos] == want)
    return _Raster(lat_c, lon_c, flat, land, pop, np.where(hit, order[pos], -1))


def _check_raster(grid: LandGrid, r: _Raster, cls: NDArray, shot_class: NDArray) -> None:
    """Each land cell's centre is covered by its own cell, and the per-class sums survive the rasterisation."""
    if not np.array_equal(shot_class.ravel()[r.flat], cls.astype(np.int8)):
        raise RuntimeError("bug: a land cell's centre is not covered by its own cell")
    for c in np.unique(cls):
        sel = shot_class.ravel() == c
        if not (
            np.isclose(r.land_km2[sel].sum(), grid.area_m2[cls == c].sum() / 1e6, rtol=1e-9)
            and np.isclose(r.population[sel].sum(), grid.population[cls == c].sum(), rtol=1e-9, atol=1e-6)
        ):
            raise RuntimeError("bug: rasterisation changed a class's land or population")


def _row_max(lay: dict) -> NDArray:
    """Largest column index of each row."""
    out = np.full(lay["rows"].size, -1, dtype=np.int64)
    np.maximum.at(out, lay["row"], lay["j"])
    return out


def _wgs84_mapping() -> dict:
    return {
        "grid_mapping_name": "latitude_longitude",
        "longitude_of_prime_meridian": 0.0,
        "semi_major_axis": 6378137.0,
        "inverse_flattening": 298.257223563,
        "epsg_code": "EPSG:4326",
        "crs_wkt": WGS84_WKT,
        "spatial_ref": WGS84_WKT,
    }


# --------------------------------------------------------------------------------------------- footprint


def _check_footprint(fp: Any) -> tuple[Footprint, int, NDArray]:
    """The footprint, its points per side ``n`` and the aim-point offsets ``x`` [m] of one side."""
    if not isinstance(fp, Footprint):
        raise BmdlabError(
            f"fp: expected a bmdlab.defense.footprint.Footprint, got {type(fp).__name__}; "
            f"compute it with defended_footprint"
        )
    n = math.isqrt(fp.shots.size)
    if n < 2 or n * n != fp.shots.size:
        raise BmdlabError(
            f"fp: {fp.shots.size} aim points are not a square grid of at least 2 x 2; "
            f"compute it with defended_footprint"
        )
    hw = fp.spacing_m * (n - 1) / 2
    x = np.linspace(-hw, hw, n)
    lat, lon = _aeqd_to_latlon(fp, *np.meshgrid(x, x))
    if not (np.allclose(lat.ravel(), fp.lat_deg, atol=1e-7) and np.allclose(lon.ravel(), fp.lon_deg, atol=1e-7)):
        raise BmdlabError(
            "fp: aim points are not the square azimuthal-equidistant grid of defended_footprint; "
            "compute it with defended_footprint"
        )
    return fp, n, x


def _aeqd_to_latlon(fp: Footprint, gx: NDArray, gy: NDArray) -> tuple[NDArray, NDArray]:
    """Azimuthal-equidistant plane around the defender (x east, y north) [m] to lat, lon [deg]."""
    lat, lon = destination(fp.defender.lat, fp.defender.lon, np.arctan2(gx, gy), np.hypot(gx, gy) / EARTH_RADIUS)
    return np.degrees(lat), np.degrees(lon)


def _footprint_classes(fp: Footprint) -> NDArray[np.int64]:
    return np.minimum(np.asarray(fp.shots, dtype=np.int64), 3)


def footprint_geojson(fp: Footprint, *, provenance: Mapping | None = None) -> dict:
    """A unit's defended footprint as a GeoJSON FeatureCollection (RFC 7946; lon/lat on WGS 84).

    Each aim point stands for a ``spacing x spacing`` square of the azimuthal-equidistant plane
    around the unit; its corners are mapped to lon/lat (rounded to 5 decimals) and the squares of
    each class are dissolved.

    Parameters
    ----------
    fp : Footprint
        Footprint from :func:`bmdlab.defense.footprint.defended_footprint`.
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"``.

    Returns
    -------
    dict
        One (Multi)Polygon feature per class present among 1, 2 and 3 (3 or more) shot
        opportunities, properties ``class``, ``label``, ``cells`` and ``area_km2`` (aim points x
        cell area; the classes sum to ``fp.area_m2 / 1e6``) [km^2]; then a Point feature for the
        unit (``role: "unit"``, ``name``, ``unit``, ``interceptor``, ``missile``).
    """
    fp, n, x = _check_footprint(fp)
    s = fp.spacing_m
    edges = np.concatenate([x - s / 2, [x[-1] + s / 2]])
    clat, clon = _aeqd_to_latlon(fp, *np.meshgrid(edges, edges))  # (n+1, n+1) corners
    if np.ptp(clon) > 180:
        raise BmdlabError(
            "footprint: the defended area crosses the 180th meridian, which the GeoJSON export does not split; "
            "export it as NetCDF (.nc) or draw it as a map instead"
        )
    corners = np.round(np.stack([clon, clat], axis=-1), DECIMALS)
    cls = _footprint_classes(fp).reshape(n, n)
    features = []
    for c in (1, 2, 3):
        i, j = np.nonzero(cls == c)
        if i.size == 0:
            continue
        rings = np.stack(
            [corners[i, j], corners[i, j + 1], corners[i + 1, j + 1], corners[i + 1, j], corners[i, j]], axis=1
        )
        geom = shapely.unary_union(shapely.polygons(rings))
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson_geometry(geom),
                "properties": {
                    "class": c,
                    "label": FOOTPRINT_CLASS_LABELS[c],
                    "cells": int(i.size),
                    "area_km2": round(i.size * fp.cell_area_m2 / 1e6, 3),
                },
            }
        )
    d = fp.defender
    features.append(
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(math.degrees(d.lon), DECIMALS), round(math.degrees(d.lat), DECIMALS)],
            },
            "properties": {
                "role": "unit",
                "name": d.name,
                "unit": d.unit,
                "interceptor": d.interceptor,
                "missile": fp.missile,
            },
        }
    )
    return _collection(features, provenance)


def footprint_dataset(fp: Footprint, *, provenance: Mapping | None = None) -> xr.Dataset:
    """A footprint as a CF-1.8 raster on its own azimuthal-equidistant grid (no resampling).

    Parameters
    ----------
    fp : Footprint
        Footprint from :func:`bmdlab.defense.footprint.defended_footprint`.
    provenance : dict, optional
        Added to the global attributes, values as text.

    Returns
    -------
    xarray.Dataset
        Dimensions ``y`` (north) and ``x`` (east) [m] from the unit, on a sphere of radius
        :data:`EARTH_RADIUS`, with 2-D ``lat``/``lon`` coordinates [deg]. Variables ``shot_class``
        (int8: 0 not defended, 1, 2, 3 = 3 or more), ``shots`` (int16) and the grid mapping ``crs``
        (CF ``azimuthal_equidistant``). Global attribute ``cell_area_km2`` [km^2].
    """
    fp, n, x = _check_footprint(fp)
    lat0, lon0 = math.degrees(fp.defender.lat), math.degrees(fp.defender.lon)
    wkt = (
        f'PROJCS["bmdlab azimuthal equidistant",GEOGCS["bmdlab sphere",DATUM["unknown",'
        f'SPHEROID["sphere",{EARTH_RADIUS!r},0]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
        f'PROJECTION["Azimuthal_Equidistant"],PARAMETER["latitude_of_center",{lat0!r}],'
        f'PARAMETER["longitude_of_center",{lon0!r}],PARAMETER["false_easting",0],'
        f'PARAMETER["false_northing",0],UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
    )
    gm = {"grid_mapping": "crs"}
    shots = np.minimum(np.asarray(fp.shots), np.iinfo(np.int16).max).reshape(n, n)
    return xr.Dataset(
        {
            "shot_class": (
                ("y", "x"),
                _footprint_classes(fp).reshape(n, n).astype(np.int8),
                {
                    "long_name": "shot-opportunity class against a missile aimed at the point",
                    "flag_values": np.array([0, 1, 2, 3], dtype=np.int8),
                    "flag_meanings": "not_defended 1_shot_opportunity 2_shot_opportunities 3_or_more_shot_opportunities",
                    **gm,
                },
            ),
            "shots": (
                ("y", "x"),
                shots.astype(np.int16),
                {"long_name": "shot opportunities against a missile aimed at the point", "units": "1", **gm},
            ),
            "crs": (
                (),
                np.int32(0),
                {
                    "grid_mapping_name": "azimuthal_equidistant",
                    "latitude_of_projection_origin": lat0,
                    "longitude_of_projection_origin": lon0,
                    "false_easting": 0.0,
                    "false_northing": 0.0,
                    "earth_radius": EARTH_RADIUS,
                    "crs_wkt": wkt,
                    "spatial_ref": wkt,
                },
            ),
        },
        coords={
            "y": ("y", x, {"standard_name": "projection_y_coordinate", "units": "m", "axis": "Y"}),
            "x": ("x", x, {"standard_name": "projection_x_coordinate", "units": "m", "axis": "X"}),
            "lat": (("y", "x"), fp.lat_deg.reshape(n, n), {"standard_name": "latitude", "units": "degrees_north"}),
            "lon": (("y", "x"), fp.lon_deg.reshape(n, n), {"standard_name": "longitude", "units": "degrees_east"}),
        },
        attrs={
            "Conventions": "CF-1.8",
            "title": f"bmdlab defended footprint: {fp.defender.name} against {fp.missile}",
            "source": "bmdlab footprint_dataset",
            "unit": fp.defender.unit,
            "interceptor": fp.defender.interceptor,
            "missile": fp.missile,
            "trajectory_shape": fp.shape,
            "launch_lat_deg": float(fp.launch_lat_deg),
            "launch_lon_deg": float(fp.launch_lon_deg),
            "cell_area_km2": fp.cell_area_m2 / 1e6,
            **_attrs_of(provenance),
        },
    )


# ------------------------------------------------------------------------------------------------ points


def _scalar(value: Any, where: str) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise BmdlabError(f"{where}: is a {type(value).__name__}; give numbers, text, booleans or None")


def points_geojson(rows: Sequence[Mapping], *, provenance: Mapping | None = None) -> dict:
    """Point features (cities, units) as a GeoJSON FeatureCollection (RFC 7946; lon/lat on WGS 84).

    Parameters
    ----------
    rows : sequence of dict
        Each with ``lat`` and ``lon`` [deg] and any other scalar properties (numbers, text,
        booleans, None); non-finite numbers become null.
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"``.

    Returns
    -------
    dict
        One Point feature per row, in order, coordinates rounded to 5 decimals.
    """
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        raise BmdlabError(f"rows: expected a list of dicts with lat and lon, got {type(rows).__name__}")
    features = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise BmdlabError(f"rows[{i}]: expected a dict with lat and lon, got {type(row).__name__}")
        coords = []
        for name, limit in (("lon", 180.0), ("lat", 90.0)):
            v = row.get(name)
            v = v.item() if isinstance(v, np.generic) else v
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -limit <= v <= limit:
                raise BmdlabError(
                    f"rows[{i}].{name}: expected a number of degrees in [-{limit:g}, {limit:g}], got {v!r}"
                )
            coords.append(round(float(v), DECIMALS))
        props = {str(k): _scalar(v, f"rows[{i}].{k}") for k, v in row.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props})
    return _collection(features, provenance)


# ------------------------------------------------------------------------------------------------ writers


def write_geojson(obj: Mapping, path: str | Path) -> Path:
    """Write a GeoJSON object atomically as compact UTF-8 JSON (non-finite numbers as null).

    Parameters
    ----------
    obj : dict
        A GeoJSON object (e.g. from :func:`coverage_geojson`).
    path : str or Path
        Output file; its folder must exist.

    Returns
    -------
    Path
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
        raise BmdlabError(f"obj: expected a GeoJSON dict with a 'type', got {type(obj).__name__}")
    path = check_output_file(path, "path")
    text = json.dumps(strict_json(dict(obj))[0], ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return atomic_write_bytes(path, (text + "\n").encode("utf-8"))


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a dataset atomically as NetCDF-3 (64-bit offset, scipy engine).

    int8, int16, int32 and float variables keep their types; global and variable attributes must
    be text, numbers or numeric arrays (booleans and nested values are refused by NetCDF-3).

    Parameters
    ----------
    ds : xarray.Dataset
        E.g. from :func:`coverage_dataset`.
    path : str or Path
        Output file (``.nc``); its folder must exist.

    Returns
    -------
    Path
    """
    if not isinstance(ds, xr.Dataset):
        raise BmdlabError(f"ds: expected an xarray.Dataset, got {type(ds).__name__}")
    path = check_output_file(path, "path")
    ds = ds.copy()
    for name, var in ds.variables.items():
        if var.dtype.kind == "f":
            ds[name].encoding["_FillValue"] = None
    try:
        data = bytes(ds.to_netcdf(None, engine="scipy", format="NETCDF3_64BIT"))
    except (TypeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BmdlabError(
            f"ds: cannot be written as NetCDF-3 ({first}); give attributes as text or numbers "
            f"and variables as int8/int16/int32/float"
        ) from None
    return atomic_write_bytes(path, data)


def _check_frame(frame: Any) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise BmdlabError(f"frame: expected a pandas.DataFrame, got {type(frame).__name__}")
    names = list(frame.columns)
    if any(not isinstance(c, str) for c in names) or len(set(names)) != len(names):
        raise BmdlabError("frame: column names must be unique text; rename the columns")
    for c in names:
        col = frame[c]
        if col.dtype == object:
            kind = pd.api.types.infer_dtype(col, skipna=True)
            if kind not in ("string", "empty", "boolean"):
                raise BmdlabError(f"frame: column '{c}' holds {kind} values; give numbers, text or booleans")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table atomically as Parquet (through DuckDB) or CSV, chosen by the suffix of ``path``.

    Column types are kept: integers stay integers (Parquet int64), floats doubles, text strings,
    booleans booleans. The index is not written.

    Parameters
    ----------
    frame : pandas.DataFrame
        Scalar columns with unique text names.
    path : str or Path
        Output file ending in ``.parquet`` or ``.csv``; its folder must exist.

    Returns
    -------
    Path
    """
    frame = _check_frame(frame)
    suffix = Path(path).suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise BmdlabError(f"path: '{path}' has suffix '{suffix}'; use one of {', '.join(_TABLE_SUFFIXES)}")
    path = check_output_file(path, "path")
    if suffix == ".csv":
        return atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8"))
    with atomic_file(path, suffix=".parquet") as tmp, duckdb.connect() as con:
        con.register("bmdlab_table", frame)
        target = str(tmp).replace("'", "''")
        try:
            con.execute(f"COPY bmdlab_table TO '{target}' (FORMAT PARQUET)")
        except duckdb.Error as exc:  # DuckDB's own IOException (a full disk: errno 28 in its message)
            raise write_error("path", path, exc) from None
    return path
