"""The results' map layers (issue #26, item 4): ``to_geodataframe()``, ``to_kml()``, ``to_czml()`` and
``write_layer()`` on coverage, footprint and trajectory results, with the maps' palette and the provenance."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

import bmdlab
from bmdlab.errors import BmdlabError
from bmdlab.palette import SHOT_CLASSES

gpd = pytest.importorskip("geopandas")
pyogrio = pytest.importorskip("pyogrio")

KML = "{http://www.opengis.net/kml/2.2}"
A = bmdlab.Analysis("japan-2017-thaad")


@pytest.fixture(scope="module")
def coverage():
    return A.coverage(resolution_km=100)


@pytest.fixture(scope="module")
def flight():
    return A.trajectory("sunan", "tokyo", missile="hwasong-12")


def palette_colours() -> dict[int, str]:
    """The maps' colours, read from the palette module (the static maps and the web page use them)."""
    return {int(k): (v if isinstance(v, str) else v[0]).lower() for k, v in SHOT_CLASSES.items()}


def test_coverage_kml_uses_the_maps_palette_and_records_provenance(coverage, tmp_path):
    path = coverage.to_kml(tmp_path / "c.kml")
    root = ET.parse(path).getroot()
    doc = root.find(f"{KML}Document")
    assert json.loads(doc.find(f"{KML}description").text) == coverage.provenance.to_dict()
    fills = {s.get("id"): s.find(f"{KML}PolyStyle/{KML}color").text for s in root.iter(f"{KML}Style")}
    for c, rgb in palette_colours().items():
        assert fills[f"class{c}"][2:] == rgb[5:7] + rgb[3:5] + rgb[1:3]  # KML's aabbggrr
    assert coverage.to_kml() == path.read_text(encoding="utf-8")  # the text without a path


def test_trajectory_czml_and_geodataframe(flight, tmp_path):
    packets = json.loads(flight.to_czml())
    assert packets[0]["version"] == "1.0" and json.loads(packets[0]["description"]) == flight.provenance.to_dict()
    t_lon_lat_h = packets[1]["position"]["cartographicDegrees"]
    assert max(t_lon_lat_h[3::4]) / 1e3 == pytest.approx(flight.apogee_km, abs=1e-3)
    assert t_lon_lat_h[-4] == pytest.approx(flight.flight_time_s, abs=0.01)
    epoch = datetime(2017, 8, 28, 20, 57, tzinfo=UTC)
    written = flight.write_layer(tmp_path / "f.czml", epoch=epoch)
    assert json.loads(written.read_text())[1]["position"]["epoch"] == "2017-08-28T20:57:00.000Z"
    gdf = flight.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326 and gdf.attrs["bmdlab"] == flight.provenance.to_dict()


def test_coverage_geodataframe_round_trips_its_crs(coverage, tmp_path):
    gdf = coverage.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    frame = coverage.to_frame()
    assert sorted(gdf["class"]) == sorted(set(frame.shot_class))
    for suffix in (".gpkg", ".parquet"):
        path = coverage.write_layer(tmp_path / f"c{suffix}")
        back = gpd.read_file(path) if suffix == ".gpkg" else gpd.read_parquet(path)
        assert back.crs.to_epsg() == 4326 and sorted(back["class"]) == sorted(gdf["class"])


def test_result_layers_refuse_bad_paths(coverage, flight, tmp_path):
    with pytest.raises(BmdlabError, match=r"^path: .* must end in \.kml"):
        coverage.to_kml(tmp_path / "c.czml")
    with pytest.raises(BmdlabError, match=r"^path: .*'\.txt'; a Trajectory layer is written as"):
        flight.write_layer(tmp_path / "f.txt")
    with pytest.raises(BmdlabError, match="^epoch: "):
        flight.to_czml(epoch="2017-08-29")
    assert list(tmp_path.iterdir()) == []
