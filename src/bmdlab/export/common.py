"""What every export shares: coordinate rounding, the WGS 84 CRS, GeoJSON collections and provenance."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.errors import BmdlabError
from bmdlab.io import strict_json
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    import shapely
else:
    shapely = lazy_module("shapely")

#: Decimals of GeoJSON coordinates [deg] (1e-5 deg is about 1 m).
DECIMALS = 5

#: WKT (OGC 01-009, as GDAL writes it) of EPSG:4326, WGS 84 latitude/longitude.
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
    'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


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
