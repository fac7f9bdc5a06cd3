"""A unit's defended footprint as GeoJSON polygons and as a CF NetCDF raster on its own grid."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.defense.footprint import Footprint
from bmdlab.errors import BmdlabError
from bmdlab.export.common import DECIMALS, _attrs_of, _collection, _geojson_geometry
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    import shapely
    import xarray as xr
else:
    shapely = lazy_module("shapely")
    xr = lazy_module("xarray")

#: Label of each footprint class (aim points with 0 shot opportunities are not exported as polygons).
FOOTPRINT_CLASS_LABELS = {
    0: "not defended",
    1: "1 shot opportunity",
    2: "2 shot opportunities",
    3: "3+ shot opportunities",
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
