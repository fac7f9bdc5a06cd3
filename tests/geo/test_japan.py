"""Tests for bmdlab.geo.japan: shipped outline, cities, prefectures and the land mask."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point

from bmdlab.errors import BmdlabError
from bmdlab.geo import (
    JAPAN_LAT_RANGE_DEG,
    JAPAN_LON_RANGE_DEG,
    in_japan,
    is_land,
    japan_cities,
    japan_outline,
    largest_cities,
    prefectures,
)

#: Japan's population, 2020 Population Census, final counts (Statistics Bureau of Japan).
CENSUS_2020 = 126_146_099
#: Population by prefecture, JIS order 01 Hokkaido ... 47 Okinawa, same census; sums to
#: CENSUS_2020.
CENSUS_2020_PREFECTURES = (
    5_224_614, 1_237_984, 1_210_534, 2_301_996, 959_502, 1_068_027, 1_833_152, 2_867_009,
    1_933_146, 1_939_110, 7_344_765, 6_284_480, 14_047_594, 9_237_337, 2_201_272, 1_034_814,
    1_132_526, 766_863, 809_974, 2_048_011, 1_978_742, 3_633_202, 7_542_415, 1_770_254,
    1_413_610, 2_578_087, 8_837_685, 5_465_002, 1_324_473, 922_584, 553_407, 671_126,
    1_888_432, 2_799_702, 1_342_059, 719_559, 950_244, 1_334_841, 691_527, 5_135_214,
    811_442, 1_312_317, 1_738_301, 1_123_852, 1_069_576, 1_588_256, 1_467_480,
)  # fmt: skip
EARTH_RADIUS = 6_371_008.8  # [m], GRS80 mean radius R1

# Literal coordinates (city halls / centres, rounded), independent of the shipped CSV [deg].
KNOWN_CITIES = {
    "Tokyo": (35.6895, 139.6917),
    "Osaka": (34.6937, 135.5023),
    "Sapporo": (43.0621, 141.3544),
    "Naha": (26.2124, 127.6809),
    "Fukuoka": (33.5902, 130.4017),
}
SEA = {
    "Sea of Japan": (38.0, 135.0),
    "Pacific off Boso": (34.0, 142.0),
    "East China Sea": (30.0, 126.0),
    "Tsushima Strait": (34.0, 129.5),
}
FOREIGN_LAND = {
    "Seoul": (37.57, 126.98),
    "Busan": (35.18, 129.08),
    "Vladivostok": (43.12, 131.89),
    "Kunashir (Yuzhno-Kurilsk)": (44.03, 145.86),
}


def spherical_area_m2(geom) -> float:
    """Area of a lon/lat (Multi)Polygon on the sphere (line-integral form of the excess)."""

    def ring(coords):
        xy = np.radians(np.asarray(coords))
        lon, lat = xy[:, 0], xy[:, 1]
        return abs(np.sum(np.diff(lon) * (np.sin(lat[:-1]) + np.sin(lat[1:])) / 2))

    return EARTH_RADIUS**2 * sum(ring(p.exterior.coords) - sum(ring(h.coords) for h in p.interiors) for p in geom.geoms)


# --- outline -----------------------------------------------------------------------------------
def test_outline_is_natural_earth_japan():
    o = japan_outline()
    assert isinstance(o, MultiPolygon) and o.is_valid
    assert len(o.geoms) == 106
    minx, miny, maxx, maxy = o.bounds
    assert (minx, miny, maxx, maxy) == pytest.approx((122.94, 24.21, 153.99, 45.52), abs=0.01)
    # NE 10m Japan measured geodesically (WGS84) at 373,516 km^2 (deps digest); on the sphere
    # the same polygons give 373,339 km^2. Tolerance 0.2 %.
    assert spherical_area_m2(o) / 1e6 == pytest.approx(373_339, rel=2e-3)
    assert japan_outline() is o  # cached


# --- cities ------------------------------------------------------------------------------------
def test_population_total_close_to_2020_census():
    # Deduplicated GeoNames total: 127,344,856, +0.95 % on the census, because GeoNames still
    # carries 2010/2015 figures for many shrinking municipalities. Tolerance: 2 %.
    total = japan_cities().total_population
    assert total == 127_344_856
    assert total == pytest.approx(CENSUS_2020, rel=0.02)


def test_population_by_prefecture_close_to_census():
    # Same census by prefecture; the dedup must not lose or double a city anywhere.
    # Tolerance 6 % per prefecture (largest seen: Aomori +4.9 %, Yamagata +4.7 %).
    assert sum(CENSUS_2020_PREFECTURES) == CENSUS_2020
    c = japan_cities()
    pref = np.array([int(m[:2]) for m in c.muni_code])
    got = np.bincount(pref, weights=c.population, minlength=48)[1:]
    np.testing.assert_allclose(got, CENSUS_2020_PREFECTURES, rtol=0.06)


def test_tokyo_once_and_no_ward_rows():
    c = japan_cities()
    assert list(c.name).count("Tokyo") == 1
    tokyo = c[int(np.flatnonzero(c.name == "Tokyo")[0])]
    assert tokyo.population[0] == 9_733_276  # 23 special wards, 2020 census
    assert tokyo.muni_code[0] == "13100"
    # The special wards are inside Tokyo's row, so none may appear on its own -- including
    # Suginami, Shinagawa, Koto and Bunkyo, which GeoNames places in Ibaraki, Ehime, Kumamoto
    # and Kanagawa. (Ota and Nakano are also cities in Gunma and Nagano; those rows stay.)
    wards = {"Setagaya", "Shinjuku", "Shibuya", "Toshima", "Nerima", "Suginami", "Itabashi",
             "Katsushika", "Edogawa", "Edogawe", "Adachi", "Meguro", "Sumida", "Arakawa",
             "Taito", "Shinagawa", "Kotō", "Bunkyo"}  # fmt: skip
    assert wards.isdisjoint(set(c.name))
    assert not any(n in {"Ōta", "Nakano"} and m[:2] == "13" for n, m in zip(c.name, c.muni_code, strict=True))
    # Designated cities appear once, their wards merged into them: the only ward-range JIS
    # codes (xx1yy) are the 20 designated cities' own and Tokyo's 13100.
    designated = {"01100", "04100", "11100", "12100", "14100", "14130", "14150", "15100",
                  "22100", "22130", "23100", "26100", "27100", "27140", "28100", "33100",
                  "34100", "40100", "40130", "43100"}  # fmt: skip
    ward_range = {m for m in c.muni_code if m[2] == "1"}
    assert ward_range == designated | {"13100"}
    assert c.name[c.muni_code == "14100"].tolist() == ["Yokohama"]
    # One row per municipality.
    assert len(set(c.muni_code)) == len(c)


def test_cities_sorted_immutable_and_sliceable():
    c = japan_cities()
    assert len(c) == 1685
    assert np.all(np.diff(c.population) <= 0)
    for arr in (c.name, c.lat_deg, c.lon_deg, c.population):
        assert not arr.flags.writeable
    with pytest.raises(ValueError):
        c.population[0] = 1
    top = largest_cities(5)
    assert list(top.name) == ["Tokyo", "Yokohama", "Osaka", "Nagoya", "Sapporo"]
    assert len(largest_cities(0)) == 0
    assert len(largest_cities(10_000)) == len(c)
    assert japan_cities() is c


@pytest.mark.parametrize("n", [-1, 2.5, "3", True])
def test_largest_cities_rejects_bad_n(n):
    with pytest.raises(BmdlabError, match="n must be"):
        largest_cities(n)


def test_remote_islands_have_cities():
    names = set(japan_cities().name)
    assert {"Naha", "Ishigaki", "Miyakojima", "Wakkanai", "Nemuro", "Ogasawara"} <= names


def test_every_city_is_near_japanese_land():
    c = japan_cities()
    # A few GeoNames points sit in harbours or on islets missing from the 1 km mask; none may be
    # abroad, and nearly all are on Japanese land.
    on = in_japan(c.lat_deg, c.lon_deg)
    assert on.mean() > 0.97
    assert np.all((c.lat_deg > 24.0) & (c.lat_deg < 45.6))
    assert np.all((c.lon_deg > 122.9) & (c.lon_deg < 154.0))


# --- prefectures -------------------------------------------------------------------------------
def test_prefectures():
    p = prefectures()
    assert [x.jis_code for x in p] == [f"{i:02d}" for i in range(1, 48)]
    by_name = {x.name: x for x in p}
    assert by_name["Tokyo"].name_ja == "東京都" and by_name["Tokyo"].jis_code == "13"
    for pref, city in [("Tokyo", "Tokyo"), ("Osaka", "Osaka"), ("Hokkaido", "Sapporo"),
                       ("Okinawa", "Naha"), ("Fukuoka", "Fukuoka")]:  # fmt: skip
        lat, lon = KNOWN_CITIES[city]
        assert by_name[pref].geometry.contains(Point(lon, lat)), pref
    assert all(x.geometry.is_valid for x in p)


# --- land mask ---------------------------------------------------------------------------------
@pytest.mark.parametrize("city", sorted(KNOWN_CITIES))
def test_known_cities_on_japanese_land(city):
    lat, lon = KNOWN_CITIES[city]
    assert is_land(lat, lon)
    assert in_japan(lat, lon)


@pytest.mark.parametrize("where", sorted(SEA))
def test_sea_is_not_land(where):
    lat, lon = SEA[where]
    assert not is_land(lat, lon)
    assert not in_japan(lat, lon)


@pytest.mark.parametrize("where", sorted(FOREIGN_LAND))
def test_foreign_land_is_land_but_not_japan(where):
    lat, lon = FOREIGN_LAND[where]
    assert is_land(lat, lon)
    assert not in_japan(lat, lon)


def test_small_islands_kept_by_buffer():
    # Chichi-jima (Ogasawara), Minami-Torishima, Aogashima, Kita-Daito: all Japanese land.
    lat = [27.0942, 24.2867, 32.46, 25.95]
    lon = [142.1917, 153.9807, 139.76, 131.30]
    assert in_japan(lat, lon).all()


@pytest.mark.slow
def test_is_land_matches_global_land_mask_package():
    # Our windowed reader against the package's own (slow, 0.9 GB) global look-up.
    from global_land_mask import globe

    rng = np.random.default_rng(20170829)
    lat = rng.uniform(*JAPAN_LAT_RANGE_DEG, 50_000)
    lon = rng.uniform(*JAPAN_LON_RANGE_DEG, 50_000)
    np.testing.assert_array_equal(is_land(lat, lon), globe.is_land(lat, lon))
    # Outside the Japan window the package is used directly.
    assert is_land(51.5, -0.12) and not is_land(0.0, -30.0)


def test_broadcasting_and_shapes():
    assert is_land(35.68, 139.69).shape == ()
    lat = np.array([[35.68], [38.0]])
    lon = np.array([139.69, 135.0, 139.0])
    assert is_land(lat, lon).shape == (2, 3)
    assert in_japan(lat, lon).shape == (2, 3)
    assert in_japan(35.68, 139.69 - 360.0)  # longitudes wrap


@pytest.mark.parametrize("lat", [91.0, -90.5, np.nan])
def test_bad_latitude_raises(lat):
    with pytest.raises(BmdlabError, match="lat_deg"):
        is_land(lat, 139.0)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(*JAPAN_LAT_RANGE_DEG),
    st.floats(*JAPAN_LON_RANGE_DEG),
)
def test_in_japan_implies_land(lat, lon):
    if in_japan(lat, lon):
        assert is_land(lat, lon)


def test_city_records_are_the_rows():
    from bmdlab.geo.japan import largest_cities

    c = largest_cities(3)
    rows = c.records()
    assert [r["name"] for r in rows] == [str(x) for x in c.name] and rows[0]["name"] == "Tokyo"
    assert sum(r["population"] for r in rows) == c.total_population


def test_the_shipped_land_window_is_the_packages_own_pixel_for_pixel():
    # Reference: the window streamed from global-land-mask's compressed raster (independent read).
    from bmdlab.geo.japan import _japan_land_window, stream_land_window

    _japan_land_window.cache_clear()
    shipped, upstream = _japan_land_window(), stream_land_window()
    assert np.array_equal(shipped.data, upstream.data)
    for f in ("row0", "col0", "lat0", "dlat", "lon0", "dlon", "lat_min", "lat_max", "lon_min", "lon_max"):
        assert getattr(shipped, f) == getattr(upstream, f), f
