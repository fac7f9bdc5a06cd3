"""Exports (bmdlab.export), each read back with an independent reader and checked against sums
computed here from the coverage's own arrays (shots, reach, grid), never from the exporter."""

import csv
import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
import xarray as xr
from scipy.io import netcdf_file
from shapely.geometry import shape

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import Coverage, national_coverage
from bmdlab.defense.engage import EngagementTimeline, make_defender
from bmdlab.defense.footprint import FootprintThreat, defended_footprint
from bmdlab.errors import BmdlabError
from bmdlab.export import (
    coverage_classes,
    coverage_dataset,
    coverage_geojson,
    footprint_dataset,
    footprint_geojson,
    points_geojson,
    write_geojson,
    write_netcdf,
    write_table,
)
from bmdlab.geo.grid import LandGrid
from bmdlab.geo.sphere import EARTH_RADIUS
from bmdlab.scenario import load_scenario

CAT = builtin_catalog()
PROVENANCE = {"bmdlab_version": "0.1.0", "catalog_hash": "abc123", "seed": 7, "scenario": "japan-2017-nodong-scud-er"}


@pytest.fixture(scope="module")
def full_coverage() -> Coverage:
    # 40 km cells (434 of them), about 3 s: every class but "threatened, not defended"
    return national_coverage(assemble(load_scenario("japan-2017-nodong-scud-er", CAT), CAT), 40)


@pytest.fixture(scope="module", params=["full", "every-other-unit"])
def cov(request, full_coverage) -> Coverage:
    if request.param == "full":
        return full_coverage
    keep = np.zeros(len(full_coverage.defenders), dtype=bool)
    keep[::2] = True  # half the units: every class from -1 to 3 is present
    return full_coverage.subset(keep)


@pytest.fixture(scope="module")
def footprint():
    # THAAD against a Nodong from Wonsan on a coarse 31 x 31 grid (30 km spacing), about 2.5 s
    wonsan = CAT.place("wonsan")
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0)
    threat = FootprintThreat(CAT.missile("nodong"), "nodong", wonsan.lat.nominal, wonsan.lon.nominal)
    return defended_footprint(d, threat, points_per_side=31, timeline=replace(EngagementTimeline.of(), max_shots=3))


def expected_classes(cov: Coverage) -> np.ndarray:
    """Naive scan: per cell, the fewest shots summed over defenders among the threats that reach it."""
    n_threats, _, n_cells = cov.shots.shape
    out = np.empty(n_cells, dtype=int)
    for c in range(n_cells):
        totals = [int(cov.shots[t, :, c].astype(int).sum()) for t in range(n_threats) if cov.reach[t, c]]
        out[c] = -1 if not totals else min(min(totals), 3)
    return out


def equal_area_m2(geom) -> float:
    """Area on the sphere of a lon/lat polygon made of lon/lat rectangles: in Lambert's cylindrical
    equal-area projection (x = R lon, y = R sin lat) such a rectangle is a rectangle of the same area."""
    return shapely.transform(
        geom,
        lambda c: np.column_stack([EARTH_RADIUS * np.radians(c[:, 0]), EARTH_RADIUS * np.sin(np.radians(c[:, 1]))]),
    ).area


def read_geojson(obj, path: Path) -> dict:
    write_geojson(obj, path)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


# ------------------------------------------------------------------------------------------------ classes


def test_classes_match_naive_scan_and_defended(cov):
    cls = coverage_classes(cov)
    np.testing.assert_array_equal(cls, expected_classes(cov))
    np.testing.assert_array_equal(cls >= 1, cov.defended())
    np.testing.assert_array_equal(cls == -1, ~cov.reach.any(axis=0))


def test_both_fixtures_together_hold_every_class(full_coverage):
    keep = np.zeros(len(full_coverage.defenders), dtype=bool)
    keep[::2] = True
    assert set(np.unique(coverage_classes(full_coverage.subset(keep)))) == {-1, 0, 1, 2, 3}


# ------------------------------------------------------------------------------------------------ GeoJSON


def test_coverage_geojson_sums_and_geometry(cov, tmp_path):
    # the whole grid squares (coast=False); the polygons cut to the coast: tests/test_export_coast.py
    gj = read_geojson(coverage_geojson(cov, provenance=PROVENANCE, coast=False), tmp_path / "coverage.geojson")
    assert gj["type"] == "FeatureCollection"
    assert gj["bmdlab"] == PROVENANCE
    cls = expected_classes(cov)
    g = cov.grid
    present = sorted(set(cls.tolist()))
    assert [f["properties"]["class"] for f in gj["features"]] == present
    labels = {
        -1: "not threatened",
        0: "threatened, not defended",
        1: "1 shot opportunity",
        2: "2 shot opportunities",
        3: "3+ shot opportunities",
    }
    geoms = {}
    for f in gj["features"]:
        p = f["properties"]
        k = p["class"]
        m = cls == k
        assert p["label"] == labels[k]
        assert p["cells"] == int(m.sum())
        assert p["land_km2"] == pytest.approx(g.area_m2[m].sum() / 1e6, abs=1e-3)
        assert isinstance(p["population"], int)
        assert abs(p["population"] - g.population[m].sum()) <= 0.5
        geom = shape(f["geometry"])
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert geom.is_valid
        # RFC 7946: exterior rings counter-clockwise
        assert all(poly.exterior.is_ccw for poly in getattr(geom, "geoms", [geom]))
        # coordinates rounded to 5 decimals
        xy = shapely.get_coordinates(geom)
        np.testing.assert_allclose(xy, np.round(xy, 5), rtol=0, atol=1e-9)
        # every cell centre of the class inside its polygon, none inside another class's
        assert shapely.contains_xy(geom, g.lon_deg[m], g.lat_deg[m]).all()
        assert not shapely.intersects_xy(geom, g.lon_deg[~m], g.lat_deg[~m]).any()
        # the polygons are the cells: their area on the sphere is the cells' whole area (rounding ~1 m)
        assert equal_area_m2(geom) == pytest.approx(g.cell_area_m2[m].sum(), rel=1e-3)
        geoms[k] = geom
    for a in geoms:  # interiors disjoint between classes (they may share edges)
        for b in geoms:
            if a < b:
                assert not geoms[a].relate_pattern(geoms[b], "T********"), (a, b)
                assert geoms[a].intersection(geoms[b]).area == pytest.approx(0.0, abs=1e-9)


def test_points_geojson_round_trip(tmp_path):
    rows = [
        {"lat": 35.6895, "lon": 139.6917, "name": "Tokyo", "population": np.int64(9_733_276), "capital": True},
        {
            "lat": np.float64(34.693737),
            "lon": 135.502168,
            "name": "Ōsaka",
            "population": 2_691_185,
            "density": float("nan"),
        },
    ]
    gj = read_geojson(points_geojson(rows, provenance={"seed": 1}), tmp_path / "cities.geojson")
    assert gj["bmdlab"] == {"seed": 1}
    f0, f1 = gj["features"]
    assert f0["geometry"] == {"type": "Point", "coordinates": [139.6917, 35.6895]}
    assert f0["properties"] == {"name": "Tokyo", "population": 9_733_276, "capital": True}
    assert f1["geometry"]["coordinates"] == [135.50217, 34.69374]  # 5 decimals
    assert f1["properties"]["name"] == "Ōsaka" and f1["properties"]["density"] is None


@pytest.mark.parametrize(
    "rows, names",
    [
        ([{"lon": 139.0, "name": "no lat"}], "rows[0].lat"),
        ([{"lat": 95.0, "lon": 139.0}], "rows[0].lat"),
        ([{"lat": 35.0, "lon": 139.0}, {"lat": 35.0, "lon": 139.0, "tags": ["a"]}], "rows[1].tags"),
        ({"lat": 35.0, "lon": 139.0}, "rows"),
    ],
)
def test_points_geojson_refuses_bad_rows(rows, names):
    with pytest.raises(BmdlabError, match="^" + re.escape(names)):
        points_geojson(rows)


# ------------------------------------------------------------------------------------------------- NetCDF


def test_coverage_netcdf_round_trip(cov, tmp_path):
    path = write_netcdf(coverage_dataset(cov, provenance=PROVENANCE), tmp_path / "coverage.nc")
    assert [p.name for p in tmp_path.iterdir()] == ["coverage.nc"]  # no temporary file left
    with xr.open_dataset(path) as ds:
        ds.load()
    assert ds.attrs["Conventions"] == "CF-1.8"
    assert ds.attrs["seed"] == "7" and ds.attrs["catalog_hash"] == "abc123"
    # decoded: the sea is missing (NaN), so the classes are floats; on disk int8 / int16 (see the raw test)
    assert ds["shot_class"].dtype == np.float32 and ds["worst_shots"].dtype == np.float32
    assert ds["shot_class"].encoding["dtype"] == np.int8 and ds["worst_shots"].encoding["dtype"] == np.int16
    assert ds["shot_class"].attrs["flag_values"].tolist() == [-1, 0, 1, 2, 3]
    assert ds["shot_class"].attrs["flag_meanings"].split() == [
        "not_threatened",
        "threatened_not_defended",
        "1_shot_opportunity",
        "2_shot_opportunities",
        "3_or_more_shot_opportunities",
    ]
    for name in ("shot_class", "worst_shots", "land_km2", "population"):
        assert ds[name].dims == ("lat", "lon")
        assert ds[name].attrs["grid_mapping"] == "crs"
    crs = ds["crs"].attrs
    assert crs["grid_mapping_name"] == "latitude_longitude"
    assert 'AUTHORITY["EPSG","4326"]' in crs["crs_wkt"] and crs["spatial_ref"] == crs["crs_wkt"]
    lat, lon = ds["lat"].values, ds["lon"].values
    assert ds["lat"].attrs["units"] == "degrees_north" and ds["lon"].attrs["units"] == "degrees_east"
    assert np.all(np.diff(lat) > 0) and np.all(np.diff(lon) > 0)
    np.testing.assert_allclose(np.diff(lat), np.diff(lat)[0], rtol=1e-9)  # a regular lattice
    np.testing.assert_allclose(np.diff(lon), np.diff(lon)[0], rtol=1e-9)

    g = cov.grid
    cls = expected_classes(cov)
    shot_class, land, pop = ds["shot_class"].values, ds["land_km2"].values, ds["population"].values
    sea = np.isnan(shot_class)
    assert sea.any() and np.array_equal(sea, np.isnan(ds["worst_shots"].values))
    assert set(np.unique(shot_class[~sea]).tolist()) == set(cls.tolist())
    assert land.sum() == pytest.approx(g.area_m2.sum() / 1e6, rel=1e-9)
    assert pop.sum() == pytest.approx(g.population.sum(), rel=1e-9)
    for k in set(cls.tolist()):
        assert land[shot_class == k].sum() == pytest.approx(g.area_m2[cls == k].sum() / 1e6, rel=1e-9)
        assert pop[shot_class == k].sum() == pytest.approx(g.population[cls == k].sum(), rel=1e-9, abs=1e-6)
    assert land[sea].sum() == 0 and pop[sea].sum() == 0
    # each land cell sits in the raster cell nearest its centre, with its own class and land
    i = np.abs(lat[None, :] - g.lat_deg[:, None]).argmin(axis=1)
    j = np.abs(lon[None, :] - g.lon_deg[:, None]).argmin(axis=1)
    assert np.all(np.abs(lat[i] - g.lat_deg) <= (lat[1] - lat[0]) / 2 * (1 + 1e-9))  # centre inside the raster cell
    assert np.all(np.abs(lon[j] - g.lon_deg) <= (lon[1] - lon[0]) / 2 * (1 + 1e-9))
    np.testing.assert_allclose(lat[i], g.lat_deg, atol=1e-9)  # the raster's rows are the grid's rows
    assert len(set(zip(i.tolist(), j.tolist()))) == len(g)  # one land cell per raster cell
    np.testing.assert_array_equal(shot_class[i, j], cls)
    np.testing.assert_allclose(land[i, j], g.area_m2 / 1e6, rtol=1e-12)
    np.testing.assert_array_equal(ds["worst_shots"].values[i, j], np.where(cls == -1, 0, cov.worst_shots()))


def test_coverage_netcdf_raw_values_mark_the_sea_with_the_fill_value(cov, tmp_path):
    """Read with SciPy's NetCDF-3 reader, masking off: the values and attributes as stored (CF-1.8 section 2.5.1:
    the sea is the variable's _FillValue, of the variable's type and outside its flag_values)."""
    path = write_netcdf(coverage_dataset(cov), tmp_path / "coverage.nc")
    with netcdf_file(path, mmap=False, maskandscale=False) as f:
        sc, ws, land = f.variables["shot_class"], f.variables["worst_shots"], f.variables["land_km2"]
        raw, raw_worst, raw_land = sc.data.copy(), ws.data.copy(), land.data.copy()
        fill, fill_worst, flags = sc._FillValue, ws._FillValue, sc.flag_values
        assert raw.dtype == np.int8 and raw_worst.dtype.kind == "i" and raw_worst.dtype.itemsize == 2
        assert np.asarray(fill).dtype == np.int8 and np.asarray(flags).dtype == np.int8
        assert not hasattr(land, "_FillValue")  # land and people are sums: 0 over the sea, not missing
    assert int(fill) == -127 and int(fill_worst) == -32767  # NetCDF's default fill values of byte and short
    assert int(fill) not in flags.tolist()
    sea = raw == fill
    assert np.array_equal(sea, raw_worst == fill_worst)
    # the sea: exactly the raster cells that hold no land cell's centre and whose centre no land cell covers
    g = cov.grid
    assert raw_land[sea].sum() == 0
    assert (~sea).sum() >= len(g) and sea.sum() > 0
    assert set(np.unique(raw[~sea]).tolist()) == set(expected_classes(cov).tolist())
    with xr.open_dataset(path) as ds:  # decoded: NaN exactly where the raw value is the fill value
        np.testing.assert_array_equal(np.isnan(ds["shot_class"].values), sea)


def test_write_netcdf_failure_keeps_the_old_file(cov, tmp_path):
    path = tmp_path / "coverage.nc"
    path.write_bytes(b"old")
    ds = coverage_dataset(cov)
    ds.attrs["nested"] = {"not": "allowed in NetCDF-3"}
    with pytest.raises(BmdlabError, match="^ds: "):
        write_netcdf(ds, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["coverage.nc"]


# ---------------------------------------------------------------------------------------------- footprint


def test_footprint_geojson(footprint, tmp_path):
    fp = footprint
    gj = read_geojson(footprint_geojson(fp, provenance=PROVENANCE), tmp_path / "footprint.geojson")
    polys = [f for f in gj["features"] if f["geometry"]["type"] != "Point"]
    (unit,) = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    assert unit["properties"]["role"] == "unit"
    assert unit["geometry"]["coordinates"] == pytest.approx(
        [math.degrees(fp.defender.lon), math.degrees(fp.defender.lat)], abs=1e-5
    )
    cls = np.minimum(fp.shots, 3)
    assert [f["properties"]["class"] for f in polys] == sorted(set(cls[cls > 0].tolist()))
    assert sum(f["properties"]["area_km2"] for f in polys) == pytest.approx(fp.area_m2 / 1e6, rel=1e-9)
    geoms = {}
    for f in polys:
        k = f["properties"]["class"]
        m = cls == k
        assert f["properties"]["cells"] == int(m.sum())
        assert f["properties"]["area_km2"] == pytest.approx(m.sum() * fp.spacing_m**2 / 1e6, rel=1e-9)
        geom = shape(f["geometry"])
        assert geom.is_valid
        assert shapely.contains_xy(geom, fp.lon_deg[m], fp.lat_deg[m]).all()
        assert not shapely.intersects_xy(geom, fp.lon_deg[~m], fp.lat_deg[~m]).any()
        geoms[k] = geom
    for a in geoms:
        for b in geoms:
            if a < b:
                assert not geoms[a].relate_pattern(geoms[b], "T********")


def test_footprint_netcdf(footprint, tmp_path):
    fp = footprint
    n = int(round(math.sqrt(fp.shots.size)))
    path = write_netcdf(footprint_dataset(fp, provenance={"seed": 3}), tmp_path / "footprint.nc")
    with xr.open_dataset(path) as ds:
        ds.load()
    assert ds["shot_class"].dtype == np.int8 and ds["shots"].dtype == np.int16
    np.testing.assert_array_equal(ds["shots"].values.ravel(), fp.shots)
    np.testing.assert_array_equal(ds["shot_class"].values.ravel(), np.minimum(fp.shots, 3))
    np.testing.assert_allclose(ds["lat"].values.ravel(), fp.lat_deg)
    np.testing.assert_allclose(ds["lon"].values.ravel(), fp.lon_deg)
    assert np.all(np.diff(ds["x"].values) > 0) and ds.sizes == {"y": n, "x": n}
    np.testing.assert_allclose(np.diff(ds["x"].values), fp.spacing_m)
    assert ds["crs"].attrs["grid_mapping_name"] == "azimuthal_equidistant"
    assert ds["crs"].attrs["latitude_of_projection_origin"] == pytest.approx(math.degrees(fp.defender.lat))
    assert (ds["shot_class"].values > 0).sum() * ds.attrs["cell_area_km2"] == pytest.approx(fp.area_m2 / 1e6)
    assert ds.attrs["seed"] == "3"


# ------------------------------------------------------------------------------------------------- tables


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["PAC-3 Ichigaya", "Kongo north", "THAAD ☆"],
            "shots": np.array([1, 2, 3], dtype=np.int64),
            "land_km2": [12.5, 3.0e5, float("nan")],
            "defended": [True, False, True],
        }
    )


def test_write_parquet_keeps_types(frame, tmp_path):
    path = write_table(frame, tmp_path / "units.parquet")
    assert [p.name for p in tmp_path.iterdir()] == ["units.parquet"]
    t = pq.read_table(path)
    assert t.schema.field("unit").type in (pa.string(), pa.large_string(), pa.string_view())
    assert t.schema.field("shots").type == pa.int64()
    assert t.schema.field("land_km2").type == pa.float64()
    assert t.schema.field("defended").type == pa.bool_()
    d = t.to_pydict()
    assert d["unit"] == ["PAC-3 Ichigaya", "Kongo north", "THAAD ☆"]
    assert d["shots"] == [1, 2, 3]
    assert d["land_km2"][:2] == [12.5, 3.0e5] and (d["land_km2"][2] is None or math.isnan(d["land_km2"][2]))
    assert d["defended"] == [True, False, True]


def test_write_csv(frame, tmp_path):
    path = write_table(frame, tmp_path / "units.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["unit"] for r in rows] == ["PAC-3 Ichigaya", "Kongo north", "THAAD ☆"]
    assert [int(r["shots"]) for r in rows] == [1, 2, 3]
    assert float(rows[1]["land_km2"]) == 3.0e5 and rows[2]["land_km2"] == ""
    assert [r["defended"] for r in rows] == ["True", "False", "True"]


def test_write_table_replaces_an_existing_file(frame, tmp_path):
    path = tmp_path / "units.parquet"
    path.write_bytes(b"old")
    write_table(frame, path)
    assert pq.read_table(path).num_rows == 3


def test_write_table_refuses_bad_input(frame, tmp_path):
    with pytest.raises(BmdlabError, match=r"^path: .*\.parquet, \.csv"):
        write_table(frame, tmp_path / "x.xlsx")
    with pytest.raises(BmdlabError, match="^path: .*does not exist"):
        write_table(frame, tmp_path / "missing" / "x.csv")
    with pytest.raises(BmdlabError, match="^frame: "):
        write_table(frame.to_dict(), tmp_path / "x.csv")
    with pytest.raises(BmdlabError, match="^frame: column 'extra'"):
        write_table(frame.assign(extra=[{"a": 1}, {}, None]), tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------------ bad input


def test_bad_objects_are_one_line_errors(cov, footprint, tmp_path):
    for fn in (coverage_classes, coverage_geojson, coverage_dataset):
        with pytest.raises(BmdlabError, match="^cov: expected a bmdlab.coverage.national.Coverage"):
            fn(footprint)
    for fn in (footprint_geojson, footprint_dataset):
        with pytest.raises(BmdlabError, match="^fp: "):
            fn(cov)
    with pytest.raises(BmdlabError, match="^ds: "):
        write_netcdf({"a": 1}, tmp_path / "x.nc")
    with pytest.raises(BmdlabError, match="^obj: "):
        write_geojson([1, 2], tmp_path / "x.geojson")
    with pytest.raises(BmdlabError, match="^path: .*does not exist"):
        write_geojson(points_geojson([]), tmp_path / "missing" / "x.geojson")
    with pytest.raises(BmdlabError, match="^provenance: "):
        coverage_geojson(cov, provenance="v0.1")


def test_grid_off_the_land_grid_layout_is_refused():
    rng = np.random.default_rng(1)
    n = 5
    grid = LandGrid(
        lat_deg=rng.uniform(30, 40, n),
        lon_deg=rng.uniform(130, 140, n),
        area_m2=np.full(n, 1e8),
        cell_area_m2=np.full(n, 1e8),
        population=np.zeros(n),
        resolution_km=10.0,
    )
    cov = Coverage(grid=grid, defenders=(), threats=(), shots=np.zeros((1, 0, n), np.int8), reach=np.ones((1, n), bool))
    with pytest.raises(BmdlabError, match="^cov: .*land_grid"):
        coverage_geojson(cov)
