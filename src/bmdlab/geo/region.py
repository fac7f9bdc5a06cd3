"""Neighbouring countries' outlines, used only to give maps their context.

Natural Earth 1:50m countries (public domain) from the npm package world-atlas 2.0.2 (ISC),
clipped to 118-158 E, 20-50 N and simplified to 0.01 deg by ``tools/extract_context.py``.
"""

from __future__ import annotations

import functools
import json
import weakref
from importlib import resources

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import LandGrid
from bmdlab.geo.japan import prefectures
from bmdlab.geo.sphere import EARTH_RADIUS


@functools.cache
def neighbour_outlines() -> dict[str, BaseGeometry]:
    """Country name -> shapely geometry (lon/lat degrees) for the countries around Japan."""
    text = (resources.files("bmdlab.geo") / "data" / "region_context.geojson").read_text(encoding="utf-8")
    return {f["properties"]["name"]: shape(f["geometry"]) for f in json.loads(text)["features"]}


def country_grid(country: str, resolution_km: float = 10.0) -> LandGrid:
    """Cells of a neighbouring country's land (from its map outline), without population.

    Cells are about ``resolution_km`` square (rows of constant latitude step, longitude step widened
    with latitude); a cell belongs to the grid when its centre lies inside the country's outline,
    and counts its whole spherical area. At the 1:50m outline's resolution this is a coarse land
    area (South Korea: within a few per cent of the 100,210 km^2 of the national statistics), good
    enough for comparing defended fractions with published ones; coverage of Japan uses the finer
    :func:`bmdlab.geo.grid.land_grid`.

    Parameters
    ----------
    country : str
        A name in :func:`neighbour_outlines` (e.g. ``"South Korea"``).
    resolution_km : float
        Cell size. [km]
    """
    outlines = neighbour_outlines()
    if country not in outlines:
        raise BmdlabError(f"country '{country}' has no shipped outline; use one of {', '.join(sorted(outlines))}")
    if not (np.isfinite(resolution_km) and 1.0 <= resolution_km <= 100.0):
        raise BmdlabError("resolution_km: must be between 1 and 100 km")
    geom = outlines[country]
    lon0, lat0, lon1, lat1 = geom.bounds
    dlat = np.degrees(resolution_km * 1e3 / EARTH_RADIUS)
    lats = np.arange(lat0 + dlat / 2, lat1, dlat)
    lat_c, lon_c, area = [], [], []
    for la in lats:
        dlon = dlat / np.cos(np.radians(la))
        lo = np.arange(lon0 + dlon / 2, lon1, dlon)
        inside = shapely.contains_xy(geom, lo, np.full(lo.shape, la))
        cell = (
            EARTH_RADIUS**2 * np.radians(dlon) * (np.sin(np.radians(la + dlat / 2)) - np.sin(np.radians(la - dlat / 2)))
        )
        lat_c.append(np.full(int(inside.sum()), la))
        lon_c.append(lo[inside])
        area.append(np.full(int(inside.sum()), cell))
    lat_a, lon_a, area_a = (np.concatenate(x) for x in (lat_c, lon_c, area))
    return LandGrid(
        lat_deg=lat_a,
        lon_deg=lon_a,
        area_m2=area_a,
        cell_area_m2=area_a.copy(),
        population=np.zeros_like(area_a),
        resolution_km=float(resolution_km),
    )


#: Japan's eight traditional regions by JIS prefecture code (Ministry of Internal Affairs usage;
#: Mie in Kinki, Okinawa with Kyushu), and the Nansei (south-western) islands as a ninth.
JAPAN_REGIONS: dict[str, tuple[int, int]] = {
    "Hokkaido": (1, 1),
    "Tohoku": (2, 7),
    "Kanto": (8, 14),
    "Chubu": (15, 23),
    "Kinki": (24, 30),
    "Chugoku": (31, 35),
    "Shikoku": (36, 39),
    "Kyushu": (40, 47),
}
#: Land south of Kyushu's southernmost point (Cape Sata, 30.99 deg N) and west of 132 deg E: the
#: Nansei-shoto - Satsunan islands of Kagoshima (Osumi, Tokara, Amami) and the Ryukyu islands of
#: Okinawa (Okinawa, Miyako, Yaeyama, Daito).
NANSEI_MAX_LAT, NANSEI_MAX_LON = 30.95, 132.0
REGION_NAMES = (*JAPAN_REGIONS, "Nansei islands")


#: Each grid's regions (a memo of :func:`japan_regions` on the grid's cells; a grid is compared by identity).
_GRID_REGIONS: weakref.WeakKeyDictionary[LandGrid, np.ndarray] = weakref.WeakKeyDictionary()


def grid_regions(grid: LandGrid) -> np.ndarray:
    """:func:`japan_regions` of a grid's cells, computed once per grid (read-only)."""
    got = _GRID_REGIONS.get(grid)
    if got is None:
        got = japan_regions(grid.lat_deg, grid.lon_deg)
        got.setflags(write=False)
        _GRID_REGIONS[grid] = got
    return got


def japan_regions(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Index into :data:`REGION_NAMES` of each point of Japan: the Nansei islands by latitude and
    longitude, every other point by the prefecture whose outline is nearest (the shipped outlines
    hold each prefecture's main part only, so islands go to the nearest prefecture)."""
    prefs = prefectures()
    codes = np.array([int(p.jis_code) for p in prefs])
    tree = shapely.STRtree([p.geometry for p in prefs])
    pts = shapely.points(np.asarray(lon_deg, float), np.asarray(lat_deg, float))
    nearest = tree.nearest(pts)
    code = codes[nearest]
    region = np.zeros(code.shape, dtype=np.int64)
    for r, (lo, hi) in enumerate(JAPAN_REGIONS.values()):
        region[(code >= lo) & (code <= hi)] = r
    nansei = (np.asarray(lat_deg) < NANSEI_MAX_LAT) & (np.asarray(lon_deg) < NANSEI_MAX_LON)
    region[nansei] = len(JAPAN_REGIONS)
    return region
