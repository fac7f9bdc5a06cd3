"""Coverage layers: shot-opportunity classes as GeoJSON polygons and as a CF NetCDF raster.

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

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.arguments import flag
from bmdlab.coverage.national import Coverage
from bmdlab.errors import BmdlabError
from bmdlab.export.common import DECIMALS, _attrs_of, _collection, _geojson_geometry, _lat_lon_coords, _wgs84_mapping
from bmdlab.geo.grid import LandGrid
from bmdlab.geo.japan import japan_outline
from bmdlab.geo.sphere import EARTH_RADIUS
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    import shapely
    import xarray as xr
else:
    shapely = lazy_module("shapely")
    xr = lazy_module("xarray")

#: Label of each coverage shot-opportunity class.
CLASS_LABELS = {
    -1: "not threatened",
    0: "threatened, not defended",
    1: "1 shot opportunity",
    2: "2 shot opportunities",
    3: "3+ shot opportunities",
}
#: ``_FillValue`` on disk of ``shot_class`` (int8) and ``worst_shots`` (int16) where a raster cell holds no
#: Japanese land (the sea): the NetCDF default fill values of those types, so readers mask them (NaN in xarray).
SEA_FILL = {"shot_class": -127, "worst_shots": -32767}
_CLASS_MEANINGS = (
    "not_threatened threatened_not_defended 1_shot_opportunity 2_shot_opportunities 3_or_more_shot_opportunities"
)

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


# ---------------------------------------------------------------------------------------------- coverage


def coverage_polygons(cov: Coverage, *, coast: bool = True) -> dict[int, shapely.Geometry]:
    """The dissolved (Multi)Polygon of each shot-opportunity class present, lon/lat [deg] on WGS 84.

    Parameters
    ----------
    cov : Coverage
        National coverage.
    coast : bool, default True
        Cut the cells to Japan's coastline (:func:`bmdlab.geo.japan.japan_outline`, Natural Earth
        1:10m): the polygons then cover land only. False keeps the whole grid squares (the model's
        cells, which reach into the sea).

    Returns
    -------
    dict of int to shapely geometry
        Class (see :func:`coverage_classes`) to its geometry, in class order, coordinates on a
        1e-5 deg grid; classes never overlap (they may share edges). A class whose cells hold only
        land the 1:10m outline leaves out (islets) is left out when ``coast`` is True.
    """
    cov = _check_coverage(cov)
    coast = flag("coast", coast)
    geoms = _dissolve_rows(_rows_and_columns(cov.grid), coverage_classes(cov))
    out = {}
    for c, geom in sorted(geoms.items()):
        if coast:
            # the islands are disjoint, so are the class's pieces on them: gathered, not unioned (a union is
            # the slow step of a drag on the web page)
            parts, tree = _outline_parts()
            geom = shapely.multipolygons(_polygons(shapely.intersection(parts[tree.query(geom)], geom)))
        # set_precision returns a valid geometry (pieces that snap together are merged)
        polys = _polygons([shapely.set_precision(geom, 10.0**-DECIMALS)])
        if polys:
            out[c] = polys[0] if len(polys) == 1 else shapely.multipolygons(polys)
    return out


def _polygons(geoms: Any) -> list[shapely.Polygon]:
    """The non-empty Polygons of ``geoms`` (their parts: a GeometryCollection's lines and points are left out)."""
    return [g for g in shapely.get_parts(np.asarray(geoms)) if g.geom_type == "Polygon" and not g.is_empty]


@functools.cache
def _outline_parts() -> tuple[NDArray, shapely.STRtree]:
    """Japan's outline as its polygons and their search tree (a class is cut by the islands it touches only:
    twice as fast as cutting it by the whole outline)."""
    parts = np.asarray(japan_outline().geoms)
    return parts, shapely.STRtree(parts)


def coverage_geojson(cov: Coverage, *, provenance: Mapping | None = None, coast: bool = True) -> dict:
    """Coverage classes as a GeoJSON FeatureCollection (RFC 7946; lon/lat on WGS 84).

    One feature per class present (see :func:`coverage_classes`), its geometry the dissolved
    (Multi)Polygon of the class's cells cut to the coastline (:func:`coverage_polygons`),
    coordinates rounded to 5 decimals.

    Parameters
    ----------
    cov : Coverage
        National coverage.
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"`` (version, catalog hash, scenario, seed...).
    coast : bool, default True
        Cut the cells to the coastline; False keeps whole grid squares.

    Returns
    -------
    dict
        Features ordered by class, with properties ``class`` (int), ``label``, ``cells`` (count),
        ``land_km2`` (Japanese land area of the cells, ``sum(grid.area_m2) / 1e6``, not the polygon
        area) [km^2] and ``population`` (``sum(grid.population)`` rounded) [people].
    """
    return _collection(coverage_features(cov, coast=coast), provenance)


def coverage_features(cov: Coverage, *, coast: bool = True) -> list[dict]:
    """The features of :func:`coverage_geojson` (one per class present, in class order)."""
    cov = _check_coverage(cov)
    cls = coverage_classes(cov)
    features = []
    for c, geom in coverage_polygons(cov, coast=coast).items():
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
    return features


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
        ``shot_class`` (the classes of :func:`coverage_classes`) and ``worst_shots`` (worst-case shot
        opportunities), float32 in memory with NaN where no Japanese land lies (the sea), written as
        int8 and int16 with that NaN as ``_FillValue`` (:data:`SEA_FILL`), so xarray decodes and plots
        the sea as missing; ``land_km2``
        (float; Japanese land area whose cell centre lies in the raster cell) [km^2],
        ``population`` (float; likewise) [people], and the grid mapping ``crs`` (EPSG:4326).
        Sums of ``land_km2`` and ``population`` equal the grid's, in total and per class.
    """
    cov = _check_coverage(cov)
    grid = cov.grid
    r = _raster(grid)
    n_lat, n_lon = r.shape
    land, pop = r.land_km2, r.population
    lat_c, lon_c = r.lat_c, r.lon_c
    dims = ("lat", "lon")
    gm = {"grid_mapping": "crs"}
    ds = xr.Dataset(
        {
            **_class_variables(cov, r),
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


def _class_variables(cov: Coverage, r: _Raster) -> dict[str, tuple]:
    """``shot_class`` and ``worst_shots`` on the raster: NaN over the sea, written as integers with a ``_FillValue``."""
    cls = coverage_classes(cov)
    worst = np.minimum(cov.worst_shots(), np.iinfo(np.int16).max)
    cell = r.cell_of_centre
    hit = cell >= 0
    shot_class = np.where(hit, cls[cell], np.nan).astype(np.float32)
    worst_r = np.where(hit, worst[cell], np.nan).astype(np.float32)
    _check_raster(cov.grid, r, cls, shot_class)
    gm = {"grid_mapping": "crs"}
    out = {
        "shot_class": xr.Variable(
            ("lat", "lon"),
            shot_class,
            {
                "long_name": "shot-opportunity class (worst case over the threats reaching the cell)",
                "flag_values": np.array(sorted(CLASS_LABELS), dtype=np.int8),
                "flag_meanings": _CLASS_MEANINGS,
                "comment": "class of the land cell covering the raster cell's centre; missing (_FillValue) where no "
                "Japanese land lies",
                **gm,
            },
        ),
        "worst_shots": xr.Variable(
            ("lat", "lon"),
            worst_r,
            {
                "long_name": "fewest shot opportunities over the threats that reach the cell",
                "units": "1",
                "comment": "0 where no threat reaches the cell; missing (_FillValue) where no Japanese land lies",
                **gm,
            },
        ),
    }
    for name, dtype in (("shot_class", np.int8), ("worst_shots", np.int16)):
        out[name].encoding = {"dtype": dtype, "_FillValue": dtype(SEA_FILL[name])}
    return out


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
    if not np.array_equal(shot_class.ravel()[r.flat], cls):
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
