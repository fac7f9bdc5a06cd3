"""The CLI's exports, opened with independent readers (shapely, xarray, pyarrow, csv), agree with its JSON."""

from __future__ import annotations

import csv
import json
import math

import pyarrow.parquet as pq
import shapely.geometry
import xarray as xr
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()


def test_coverage_geojson_netcdf_and_cells_agree_with_the_json(tmp_path):
    gj, nc, cells = tmp_path / "c.geojson", tmp_path / "c.nc", tmp_path / "cells.parquet"
    res = runner.invoke(
        app,
        [
            "coverage",
            "japan-2017-baseline",
            "--resolution-km",
            "40",
            "--json",
            "--layer",
            str(gj),
            "--layer",
            str(nc),
            "--table",
            str(cells),
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["geojson"] == str(gj) and out["netcdf"] == str(nc) and out["cells_file"] == str(cells)
    # Parquet: one row per land cell; the defended share of land is the JSON's land fraction
    t = pq.read_table(cells).to_pydict()
    land = sum(t["land_km2"])
    defended = sum(a for a, d in zip(t["land_km2"], t["defended"]) if d)
    assert math.isclose(defended / land, out["land_fraction"], abs_tol=1e-3)
    people = sum(t["population"])
    assert math.isclose(
        sum(p for p, d in zip(t["population"], t["defended"]) if d) / people, out["population_fraction"], abs_tol=1e-3
    )
    # GeoJSON: the defended classes hold the same share of land, and every polygon is valid
    fc = json.loads(gj.read_text())
    by_class = {f["properties"]["class"]: f for f in fc["features"]}
    assert all(shapely.geometry.shape(f["geometry"]).is_valid for f in fc["features"])
    gj_defended = sum(f["properties"]["land_km2"] for k, f in by_class.items() if k >= 1)
    assert math.isclose(gj_defended / land, out["land_fraction"], abs_tol=1e-3)
    nt = by_class.get(-1, {"properties": {"land_km2": 0.0}})["properties"]["land_km2"]
    assert math.isclose(nt / land, out["categories"]["not_threatened"]["land_fraction"], abs_tol=1e-3)
    # NetCDF: the raster keeps Japan's land and people, and the region table sums to them
    ds = xr.open_dataset(nc)
    assert math.isclose(float(ds["land_km2"].sum()), land, rel_tol=1e-6)
    assert math.isclose(float(ds["population"].sum()), sum(r["population"] for r in out["regions"]), rel_tol=1e-3)
    assert "crs" in ds and "EPSG" in json.dumps(dict(ds["crs"].attrs))
    ds.close()


def test_points_geojson_holds_units_and_cities(tmp_path):
    f = tmp_path / "p.geojson"
    res = runner.invoke(
        app, ["coverage", "japan-2017-aegis-ashore", "--resolution-km", "40", "--json", "--points", str(f)]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    fc = json.loads(f.read_text())
    roles = [x["properties"]["role"] for x in fc["features"]]
    assert roles.count("unit") == len(out["units"]) and roles.count("city") == len(out["cities"])
    tokyo = next(x for x in fc["features"] if x["properties"].get("name") == "Tokyo")
    assert shapely.geometry.shape(tokyo["geometry"]).distance(shapely.geometry.Point(139.69, 35.69)) < 0.01
    assert tokyo["properties"]["defended"] == next(c for c in out["cities"] if c["name"] == "Tokyo")["defended"]


def test_raid_leakers_csv_agrees_with_the_json(tmp_path):
    f = tmp_path / "leakers.csv"
    res = runner.invoke(app, ["raid", "japan-2017-thaad", "--trials", "600", "--json", "--table", str(f)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    with f.open() as fh:
        rows = list(csv.DictReader(fh))
    assert sum(int(r["trials"]) for r in rows) == 600
    mean = sum(int(r["leakers"]) * int(r["trials"]) for r in rows) / 600
    assert math.isclose(mean, out["expected_leakers"], abs_tol=1e-4)


def test_cost_lines_parquet_keeps_integer_money(tmp_path):
    f = tmp_path / "cost.parquet"
    res = runner.invoke(app, ["cost", "japan-2017-thaad", "--json", "--table", str(f)])
    out = json.loads(res.stdout)
    t = pq.read_table(f)
    assert str(t.schema.field("total_jpy").type) == "int64" and str(t.schema.field("unit").type) in (
        "string",
        "large_string",
    )
    assert abs(sum(t.column("total_jpy").to_pylist()) - out["total"]["jpy"]) <= len(t)


def test_bad_export_suffix_is_one_line(tmp_path):
    res = runner.invoke(app, ["raid", "japan-2017-thaad", "--trials", "100", "--table", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and res.output.startswith("error:") and len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()
