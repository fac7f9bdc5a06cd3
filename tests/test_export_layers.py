"""Map layers for GIS tools, Google Earth and Cesium (issue #26, item 4), each opened with an independent reader:
KML with GDAL's LIBKML driver (through pyogrio), fastkml and ElementTree; CZML with czml3's packet models and the
CZML guide's structure; GeoParquet with pyarrow's metadata; GeoPackage with GDAL. Flights' apogee and flight time
read back are compared with the Trajectory object's own figures."""

import json
import math
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
import xarray as xr
from pyproj import Geod
from scipy.io import netcdf_file

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import Coverage, national_coverage
from bmdlab.defense.engage import make_defender
from bmdlab.defense.footprint import FootprintThreat, defended_footprint
from bmdlab.errors import BmdlabError
from bmdlab.export import (
    LAUNCH_EPOCH,
    LAYER_SUFFIXES,
    coverage_classes,
    coverage_polygons,
    layer_czml,
    layer_geodataframe,
    write_geodataframe,
    write_layer,
)
from bmdlab.scenario import load_scenario
from bmdlab.trajectory import missile_trajectory

gpd = pytest.importorskip("geopandas")
pyogrio = pytest.importorskip("pyogrio")
fastkml = pytest.importorskip("fastkml")
czml3 = pytest.importorskip("czml3")

CAT = builtin_catalog()
GEOD = Geod(ellps="WGS84")
KML = "{http://www.opengis.net/kml/2.2}"
PROVENANCE = {"bmdlab_version": "0.1.0", "catalog_hash": "abc123", "seed": 7}
#: Colours given to the KML and CZML writers (as the API passes the maps' palette).
COLOURS = {-1: "#d9d4c7", 0: "#d55e00", 1: "#c7e9b4", 2: "#41b6c4", 3: "#253494"}


def geodesic_km2(geom) -> float:
    geom = shapely.orient_polygons(geom)
    return sum(GEOD.geometry_area_perimeter(p)[0] for p in getattr(geom, "geoms", [geom])) / 1e6


@pytest.fixture(scope="module")
def cov() -> Coverage:
    # 40 km cells, about 3 s; half the units, so every class from -1 to 3 is present
    full = national_coverage(assemble(load_scenario("japan-2017-nodong-scud-er", CAT), CAT), 40)
    keep = np.zeros(len(full.defenders), dtype=bool)
    keep[::2] = True
    return full.subset(keep)


@pytest.fixture(scope="module")
def traj():
    """Two flights: a Hwasong-12 from Sunan to Tokyo (minimum energy) and a Nodong from Wonsan to Osaka, with the
    Earth's rotation."""
    sunan, wonsan = CAT.place("sunan"), CAT.place("wonsan")
    lat0 = np.radians([sunan.lat.nominal, wonsan.lat.nominal])
    lon0 = np.radians([sunan.lon.nominal, wonsan.lon.nominal])
    lat1, lon1 = np.radians([35.68, 34.69]), np.radians([139.69, 135.50])
    return missile_trajectory(CAT.missile("hwasong-12"), lat0, lon0, lat1, lon1, earth_rotation=True)


@pytest.fixture(scope="module")
def footprint():
    wonsan = CAT.place("wonsan")
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0)
    threat = FootprintThreat(CAT.missile("nodong"), "nodong", wonsan.lat.nominal, wonsan.lon.nominal)
    return defended_footprint(d, threat, points_per_side=21)


def when_seconds(text: str, epoch: datetime = LAUNCH_EPOCH) -> float:
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - epoch).total_seconds()


# ----------------------------------------------------------------------------------------------------- KML


def test_trajectory_kml_read_by_gdal_and_fastkml_keeps_apogee_and_flight_time(traj, tmp_path):
    path = write_layer(traj, tmp_path / "flight.kml", provenance=PROVENANCE)
    assert [p.name for p in tmp_path.iterdir()] == ["flight.kml"]
    # GDAL (LIBKML driver): one layer, a 3-D line per flight, its begin and end the launch and the impact
    layers = pyogrio.list_layers(path)
    assert len(layers) == 1
    df = pyogrio.read_dataframe(path)
    assert len(df) == len(traj) == 2
    for i, row in df.iterrows():
        z = np.asarray(row.geometry.coords)[:, 2]
        assert row.geometry.has_z and z.max() == pytest.approx(traj.apogee[i], abs=1.0)  # [m]
        assert (row["end"] - row["begin"]).total_seconds() == pytest.approx(traj.flight_time[i], abs=1e-3)
        assert row["begin"].to_pydatetime() == LAUNCH_EPOCH
        assert float(row["apogee_km"]) == pytest.approx(traj.apogee[i] / 1e3, abs=1e-3)
    # fastkml: a gx:Track with absolute altitudes and one <when> per <gx:coord>
    doc = next(iter(fastkml.kml.KML.from_string(path.read_bytes()).features))
    assert json.loads(doc.description) == PROVENANCE
    for i, pm in enumerate(doc.features):
        track = pm.kml_geometry
        assert type(track).__name__ == "Track"
        assert str(track.altitude_mode.value) == "absolute"
        whens = [w.dt for w in track.whens]
        coords = np.asarray(track.geometry.coords)
        assert len(whens) == len(coords) > 300
        t = np.array([(w - whens[0]).total_seconds() for w in whens])
        assert np.all(np.diff(t) > 0) and t[-1] == pytest.approx(traj.flight_time[i], abs=1e-3)
        assert coords[:, 2].max() == pytest.approx(traj.apogee[i], abs=1.0)
        assert t[np.argmax(coords[:, 2])] == pytest.approx(traj.time_to_apogee[i], abs=1e-3)


def test_coverage_kml_polygons_are_styled_by_class(cov, tmp_path):
    path = write_layer(cov, tmp_path / "coverage.kml", colours=COLOURS)
    df = pyogrio.read_dataframe(path)
    cut = coverage_polygons(cov)
    present = sorted(set(coverage_classes(cov).tolist()))
    assert sorted(int(c) for c in df["class"]) == sorted(cut) == present
    for _, row in df.iterrows():  # the coordinates read back are the cut polygons
        assert geodesic_km2(row.geometry) == pytest.approx(geodesic_km2(cut[int(row["class"])]), rel=1e-4)
    # ElementTree: each placemark's style fills with its class's colour, KML's aabbggrr
    root = ET.parse(path).getroot()
    styles = {s.get("id"): s.find(f"{KML}PolyStyle/{KML}color").text for s in root.iter(f"{KML}Style")}
    for pm in root.iter(f"{KML}Placemark"):
        c = int(next(d for d in pm.iter(f"{KML}Data") if d.get("name") == "class").find(f"{KML}value").text)
        rgb = COLOURS[c]
        assert styles[pm.find(f"{KML}styleUrl").text[1:]][2:] == rgb[5:7] + rgb[3:5] + rgb[1:3]


def test_footprint_kml_has_its_classes_and_the_unit(footprint, tmp_path):
    df = pyogrio.read_dataframe(write_layer(footprint, tmp_path / "fp.kml"))
    kinds = df.geometry.geom_type.tolist()
    assert kinds.count("Point") == 1
    shots = np.minimum(footprint.shots, 3)
    assert len(kinds) - 1 == len(set(shots[shots > 0].tolist()))
    unit = df[df.geometry.geom_type == "Point"].geometry.iloc[0]
    assert (unit.x, unit.y) == pytest.approx((137.0, 36.0), abs=1e-5)


# ---------------------------------------------------------------------------------------------------- CZML


def test_trajectory_czml_packets_validate_and_keep_apogee_and_flight_time(traj, tmp_path):
    path = write_layer(traj, tmp_path / "flight.czml", provenance=PROVENANCE)
    packets = json.loads(path.read_text())
    for p in packets:  # czml3's models of the packet (unknown or malformed properties are refused)
        czml3.core.Packet.model_validate(p)
    # the CZML guide: an array whose first packet is the document, with "version": "1.0"
    doc = packets[0]
    assert doc["id"] == "document" and doc["version"] == "1.0"
    assert json.loads(doc["description"]) == PROVENANCE
    start, end = doc["clock"]["interval"].split("/")
    assert when_seconds(start) == 0 and when_seconds(end) == pytest.approx(traj.flight_time.max(), abs=1e-3)
    flights = packets[1:]
    assert len(flights) == len(traj)
    for i, p in enumerate(flights):
        pos = p["position"]
        assert datetime.fromisoformat(pos["epoch"].replace("Z", "+00:00")) == LAUNCH_EPOCH
        samples = np.asarray(pos["cartographicDegrees"], float)
        assert samples.size % 4 == 0
        t, lon, lat, h = samples.reshape(-1, 4).T
        assert t[0] == 0 and np.all(np.diff(t) > 0) and t[-1] == pytest.approx(traj.flight_time[i], abs=1e-3)
        assert h.max() == pytest.approx(traj.apogee[i], abs=1.0)
        assert np.all((-180 <= lon) & (lon <= 180) & (-90 <= lat) & (lat <= 90))
        assert (lat[-1], lon[-1]) == pytest.approx(
            (math.degrees(traj.target_lat[i]), math.degrees(traj.target_lon[i])), abs=0.05
        )
        a, b = p["availability"].split("/")
        assert when_seconds(b) - when_seconds(a) == pytest.approx(traj.flight_time[i], abs=1e-3)


def test_coverage_czml_polygons_cover_the_cut_classes(cov):
    packets = layer_czml(cov, colours=COLOURS)
    for p in packets:
        czml3.core.Packet.model_validate(p)
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    cut = coverage_polygons(cov)
    area: dict[int, float] = {}
    for p in packets[1:]:
        c = p["properties"]["class"]
        ring = np.asarray(p["polygon"]["positions"]["cartographicDegrees"]).reshape(-1, 3)[:, :2]
        holes = [
            np.asarray(h).reshape(-1, 3)[:, :2] for h in p["polygon"].get("holes", {}).get("cartographicDegrees", [])
        ]
        area[c] = area.get(c, 0.0) + geodesic_km2(shapely.Polygon(ring, holes))
        assert p["polygon"]["material"]["solidColor"]["color"]["rgba"][:3] == [
            int(COLOURS[c][k : k + 2], 16) for k in (1, 3, 5)
        ]
    assert area == pytest.approx({c: geodesic_km2(g) for c, g in cut.items()}, rel=1e-4)


def test_trajectory_netcdf_is_a_cf_trajectory_with_dates(traj, tmp_path):
    epoch = datetime(2017, 8, 28, 20, 57, 30, tzinfo=UTC)
    path = write_layer(traj, tmp_path / "flight.nc", epoch=epoch)
    with netcdf_file(path, mmap=False, maskandscale=False) as f:  # SciPy's reader: the values as stored
        assert f.featureType == b"trajectory" and f.variables["trajectory"].cf_role == b"trajectory_id"
        assert f.variables["time"].units == b"seconds since 2017-08-28 20:57:30"
        t, h = f.variables["time"].data.copy(), f.variables["altitude"].data.copy()
    for i in range(len(traj)):
        assert np.nanmax(t[i]) == pytest.approx(traj.flight_time[i], abs=1e-6)
        assert np.nanmax(h[i]) == pytest.approx(traj.apogee[i], abs=1.0)
    with xr.open_dataset(path) as ds:  # decoded: dates from the launch epoch
        assert ds["time"].values[0, 0] == np.datetime64("2017-08-28T20:57:30")


# --------------------------------------------------------------------------------- GeoDataFrame, GeoParquet


def test_geoparquet_metadata_holds_the_crs(cov, tmp_path):
    path = write_layer(cov, tmp_path / "coverage.parquet")
    geo = json.loads(pq.read_schema(path).metadata[b"geo"])
    col = geo["columns"][geo["primary_column"]]
    assert geo["version"].startswith("1.") and col["encoding"] == "WKB"
    assert col["crs"]["id"] == {"authority": "EPSG", "code": 4326}
    back = gpd.read_parquet(path)
    assert back.crs.to_epsg() == 4326 and sorted(back["class"]) == sorted(coverage_polygons(cov))


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg"])
def test_geodataframe_keeps_its_crs_through_a_file(cov, traj, suffix, tmp_path):
    for name, obj in (("coverage", cov), ("flight", traj)):
        gdf = layer_geodataframe(obj, provenance=PROVENANCE)
        assert gdf.crs.to_epsg() == 4326 and gdf.attrs["bmdlab"] == PROVENANCE
        path = write_geodataframe(gdf, tmp_path / f"{name}{suffix}")
        back = gpd.read_file(path) if suffix == ".gpkg" else gpd.read_parquet(path)
        assert back.crs.to_epsg() == 4326 and len(back) == len(gdf)
        if suffix == ".gpkg":
            assert pyogrio.read_info(path)["crs"] == "EPSG:4326"  # GDAL's own reading
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"coverage{suffix}", f"flight{suffix}"]


def test_trajectory_geodataframe_is_timed_segments(traj):
    epoch = datetime(2017, 8, 28, 20, 57, 30, tzinfo=UTC)  # Hwasong-12 over Hokkaido, 29 Aug 2017 05:57:30 JST
    gdf = layer_geodataframe(traj, epoch=epoch)
    for i in range(len(traj)):
        f = gdf[gdf.flight == i]
        assert f.time_start_s.iloc[0] == 0 and f.time_end_s.iloc[-1] == pytest.approx(traj.flight_time[i], abs=1e-9)
        np.testing.assert_array_equal(f.time_start_s.values[1:], f.time_end_s.values[:-1])  # end to end
        assert f.time_start.iloc[0] == epoch
        span = (f.time_end.iloc[-1] - f.time_start.iloc[0]).total_seconds()
        assert span == pytest.approx(traj.flight_time[i], abs=1e-6)
        z = np.concatenate([np.asarray(g.coords)[:, 2] for g in f.geometry])
        assert z.max() == pytest.approx(traj.apogee[i], abs=1.0)


def test_without_geopandas_the_error_names_the_extra(cov, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "geopandas", None)  # import geopandas now raises ImportError
    with pytest.raises(BmdlabError, match=r"^to_geodataframe: needs GeoPandas.*pip install 'bmdlab\[gis\]'$"):
        layer_geodataframe(cov)
    with pytest.raises(BmdlabError, match=r"pip install 'bmdlab\[gis\]'"):
        write_layer(cov, tmp_path / "never-written.parquet")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------- bad input


def test_every_kind_writes_every_suffix(cov, traj, footprint, tmp_path):
    for name, obj in (("coverage", cov), ("flight", traj), ("footprint", footprint)):
        for suffix in LAYER_SUFFIXES[type(obj).__name__ if name != "flight" else "Trajectory"]:
            assert write_layer(obj, tmp_path / f"{name}{suffix}").stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_write_layer_refuses_bad_input_before_writing(cov, traj, tmp_path):
    with pytest.raises(BmdlabError, match=r"^path: .*'\.shp'; a Coverage layer is written as \.geojson, \.nc, "):
        write_layer(cov, tmp_path / "c.shp")
    with pytest.raises(BmdlabError, match="^obj: expected a Coverage, Footprint or Trajectory"):
        write_layer({"type": "FeatureCollection"}, tmp_path / "c.kml")
    target = tmp_path / "target.kml"
    target.write_text("keep")
    (tmp_path / "link.kml").symlink_to(target)
    with pytest.raises(BmdlabError, match="symbolic link"):
        write_layer(cov, tmp_path / "link.kml")
    (tmp_path / "folder.czml").mkdir()
    with pytest.raises(BmdlabError, match="is a folder"):
        write_layer(traj, tmp_path / "folder.czml")
    with pytest.raises(BmdlabError, match="^epoch: expected a timezone-aware datetime"):
        write_layer(traj, tmp_path / "t.kml", epoch=datetime(2017, 8, 29))
    with pytest.raises(BmdlabError, match=r"^colours\[1\]: expected a colour"):
        write_layer(cov, tmp_path / "c.kml", colours={**COLOURS, 1: "green"})
    assert target.read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.czml", "link.kml", "target.kml"]


@pytest.mark.parametrize("suffix", [".kml", ".czml", ".geojson", ".parquet"])
def test_a_non_finite_coordinate_is_refused_and_nothing_is_written(traj, suffix, tmp_path):
    broken = replace(traj, _u1=np.full_like(traj._u1, np.nan))  # every position NaN, the figures finite
    with pytest.raises(BmdlabError, match="^traj: flight 0 has a non-finite position"):
        write_layer(broken, tmp_path / f"t{suffix}")
    lost = replace(traj, flight_time=np.array([np.nan, 600.0]))
    with pytest.raises(BmdlabError, match="^traj: flight 0 has no finite flight time"):
        write_layer(lost, tmp_path / f"t{suffix}")
    assert list(tmp_path.iterdir()) == []
