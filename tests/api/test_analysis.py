"""The public Python API: the facade, its typed results and their provenance, and the CLI's JSON is
exactly a result's ``to_dict()``."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

import bmdlab
from bmdlab.cli import app
from bmdlab.errors import BmdlabError

runner = CliRunner()


def cli_json(*args):
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _drop(d, keys=("seconds",)):
    if isinstance(d, dict):
        return {k: _drop(v, keys) for k, v in d.items() if k not in keys}
    if isinstance(d, list):
        return [_drop(v, keys) for v in d]
    return d


def test_top_level_exports_the_facade_and_result_types():
    for name in ("Analysis", "CoverageResult", "RaidResult", "CostResult", "StudyResult", "analytic", "wta"):
        assert hasattr(bmdlab, name), name
    assert "Analysis" in dir(bmdlab)


def test_raid_result_is_the_cli_json_and_records_its_provenance():
    a = bmdlab.Analysis("japan-2017-thaad", seed=5)
    res = a.raid(missiles=60, trials=500)
    out = cli_json("raid", "japan-2017-thaad", "--missiles", "60", "--trials", "500", "--seed", "5", "--json")
    assert _drop(res.to_dict()) == _drop(out)
    p = res.to_dict()["provenance"]
    assert p["seed"] == 5 and p["scenario"] == "japan-2017-thaad" and p["catalog_hash"] == a.catalog.hash
    assert p["scenario_hash"] == a.scenario.hash and p["options"]["trials"] == 500
    # the typed fields are the JSON's figures
    assert res.expected_leakers == out["expected_leakers"] and res.missiles == 60
    lo, hi = res.expected_leakers_ci95
    assert lo <= res.expected_leakers <= hi


def test_raid_frame_is_the_leaker_distribution():
    res = bmdlab.Analysis("japan-2017-baseline").raid(missiles=40, trials=800)
    df = res.to_frame()
    assert list(df.columns) == ["leakers", "trials", "probability"]
    assert df["trials"].sum() == 800 and math.isclose(df["probability"].sum(), 1.0)
    # the mean of the distribution is the expected leakers (an independent computation from the frame)
    assert math.isclose(float((df["leakers"] * df["probability"]).sum()), res.expected_leakers, rel_tol=1e-3)
    assert pd.api.types.is_integer_dtype(df["leakers"])


def test_same_seed_same_numbers_different_seed_different_numbers():
    a = bmdlab.Analysis("japan-2017-aegis-ashore", seed=1).raid(missiles=100, trials=400)
    b = bmdlab.Analysis("japan-2017-aegis-ashore", seed=1).raid(missiles=100, trials=400)
    c = bmdlab.Analysis("japan-2017-aegis-ashore", seed=2).raid(missiles=100, trials=400)
    assert a.to_frame().equals(b.to_frame())
    assert not a.to_frame().equals(c.to_frame())


@pytest.fixture(scope="module")
def coverage40():
    return bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=40)


def test_coverage_result_frames_agree_with_its_fractions(coverage40):
    cov = coverage40
    cells = cov.to_frame()
    # fractions recomputed from the per-cell frame (land area and people of defended cells over all of Japan)
    assert math.isclose(
        cells.loc[cells.defended, "land_km2"].sum() / cells.land_km2.sum(), cov.land_fraction, abs_tol=1e-3
    )
    assert math.isclose(
        cells.loc[cells.defended, "population"].sum() / cells.population.sum(), cov.population_fraction, abs_tol=1e-3
    )
    assert ((cells.shot_class >= 1) == cells.defended).all()
    regions = cov.regions()
    assert len(regions) == len(cov.data["regions"]) and "Nansei islands" in set(regions.region)
    assert math.isclose(regions.land_km2.sum(), cells.land_km2.sum(), rel_tol=1e-3)
    assert cov.to_dict()["provenance"]["options"]["resolution_km"] == 40


def test_coverage_exports_carry_the_same_numbers(coverage40):
    cov = coverage40
    ds = cov.to_xarray()
    assert math.isclose(float(ds["population"].sum()), float(cov.coverage.grid.population.sum()), rel_tol=1e-9)
    assert ds.attrs["bmdlab_catalog_hash"] == cov.provenance.catalog_hash
    gj = cov.to_geojson()
    land = sum(f["properties"]["land_km2"] for f in gj["features"] if f["properties"]["class"] >= 1)
    assert math.isclose(land / (cov.coverage.grid.area_m2.sum() / 1e6), cov.land_fraction, abs_tol=1e-3)
    units = cov.units_geojson()
    assert len(units["features"]) == len(cov.coverage.defenders)


def test_coverage_plot_returns_a_figure_without_a_path(coverage40):
    from matplotlib.figure import Figure

    assert isinstance(coverage40.plot(), Figure)


def test_cost_result_money_is_whole_yen_and_dollars_of_one_year():
    res = bmdlab.Analysis("aegis-ashore-48").cost()
    assert isinstance(res.total_jpy, int) and isinstance(res.total_usd, int) and res.price_year == 2017
    df = res.to_frame()
    assert df["total_jpy"].sum() == pytest.approx(res.total_jpy, abs=len(df))  # lines sum to the total (rounding)
    # dollars are yen at the price year's rate (the JSON's own rate, an independent division)
    assert res.total_usd == pytest.approx(res.total_jpy / res.data["jpy_per_usd"], abs=1)


def test_trajectory_to_a_city_matches_the_great_circle_range():
    res = bmdlab.Analysis().trajectory("sunan", "tokyo")
    a, b = res.data["from"], res.data["to"]
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    # haversine on bmdlab's sphere (R = 6,371 km), computed here independently
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    assert res.range_km == pytest.approx(2 * 6371.0 * math.asin(math.sqrt(h)), rel=1e-3)
    df = res.to_frame()
    assert df.altitude_km.max() == pytest.approx(res.apogee_km, rel=0.01) and df.time_s.iloc[-1] == pytest.approx(
        res.flight_time_s, rel=1e-4
    )


def test_analytic_and_wta_results():
    r = bmdlab.analytic(10, 0.8, 2)
    # salvo of two, Pk = 1 - 0.2^2 = 0.96 per missile; expected leakers 10 x 0.04 (closed form)
    assert r.expected_leakers == pytest.approx(0.4) and r.p_zero_leakers == pytest.approx(0.96**10)
    w = bmdlab.wta(random="6x5", seed=3)
    assert w.gap <= 1e-6 and len(w.to_frame()) == 6 and w.provenance.seed == 3


@pytest.mark.parametrize(
    "call,parameter",
    [
        (lambda: bmdlab.Analysis("japan-2017-baseline").raid(trials=0), "trials"),
        (lambda: bmdlab.Analysis("japan-2017-baseline").raid(doctrine="salvo-3"), "doctrine"),
        (lambda: bmdlab.Analysis("japan-2017-baseline").coverage(resolution_km=0.1), "resolution_km"),
        (lambda: bmdlab.Analysis("japan-2017-baseline").site("kongo-class", count=1), "system"),
        (lambda: bmdlab.Analysis("japan-2017-baseline").cost(years=-1), "years"),
        (lambda: bmdlab.Analysis("no-such-scenario"), "scenario"),
        (lambda: bmdlab.Analysis(seed=-1), "seed"),
        (lambda: bmdlab.Analysis().trajectory("sunan", "tokio"), "aim"),
        (lambda: bmdlab.Analysis().footprint("thaad-battery", "38.0,134.0", "nodong", "sunan"), "at"),
    ],
)
def test_library_errors_name_the_parameter_not_a_flag(call, parameter):
    with pytest.raises(BmdlabError) as exc:
        call()
    msg = str(exc.value)
    assert msg.startswith(parameter + ":") and "--" not in msg.split(":")[0] and "\n" not in msg


def test_coverage_with_a_cache_is_the_same_result_and_refuses_another_catalog(catalog_with):
    cache = bmdlab.CoverageCache(bmdlab.Analysis().catalog)
    a = bmdlab.Analysis("japan-2017-aegis-ashore")
    plain, cached = a.coverage(40), a.coverage(40, cache=cache)
    assert cached.to_dict() == plain.to_dict()
    other = bmdlab.Analysis(
        "japan-2017-aegis-ashore", catalog=catalog_with("units.yaml", "units", "thaad-battery", "magazine", value=40)
    )
    with pytest.raises(BmdlabError, match="^cache: it was made for another catalog"):
        other.coverage(40, cache=cache)
