"""Coverage polygons cut to the coastline (issue #26, item 4): their geodesic area is Japan's land, not the
grid squares'; classes never overlap. Areas are measured with pyproj's geodesic polygon area on the WGS 84
ellipsoid (Karney's algorithm), independent of bmdlab's sphere and of the exporter."""

import json

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import Coverage, national_coverage
from bmdlab.errors import BmdlabError
from bmdlab.export import coverage_geojson, coverage_polygons, write_geojson
from bmdlab.geo.grid import land_grid
from bmdlab.geo.japan import japan_outline
from bmdlab.scenario import load_scenario

CAT = builtin_catalog()
GEOD = Geod(ellps="WGS84")

#: Japan's area, Northern Territories included: GSI, "Zenkoku todofuken shikuchoson-betsu menseki shirabe"
#: (national area survey), as quoted by the Statistics Bureau of Japan (Japan Statistical Yearbook, ch. 1).
GSI_JAPAN_KM2 = 377_975
#: The Northern Territories (Etorofu, Kunashiri, Shikotan, Habomai), GSI: 5,003 km^2. Natural Earth's outline,
#: which bmdlab ships, draws them in Russia's polygon (src/bmdlab/geo/data/README.md).
NORTHERN_TERRITORIES_KM2 = 5_003


def geodesic_km2(geom) -> float:
    """Area on the WGS 84 ellipsoid [km^2]; exteriors counter-clockwise and holes clockwise, as pyproj sums
    rings with their signs."""
    geom = shapely.orient_polygons(geom)
    return sum(GEOD.geometry_area_perimeter(p)[0] for p in getattr(geom, "geoms", [geom])) / 1e6


@pytest.fixture(scope="module")
def cov40() -> Coverage:
    # 40 km cells, about 3 s: every class but "threatened, not defended"
    return national_coverage(assemble(load_scenario("japan-2017-nodong-scud-er", CAT), CAT), 40)


def random_classes(resolution_km: float, seed: int) -> Coverage:
    """A coverage of the real land grid whose cells get random classes -1..3 (neighbours differ often, the
    hardest case for a cut that must neither overlap nor leave gaps)."""
    grid = land_grid(resolution_km)
    n = len(grid)
    rng = np.random.default_rng(seed)
    shots = rng.integers(0, 2, size=(1, 3, n)).astype(np.int8)
    reach = rng.random((1, n)) < 0.8
    return Coverage(grid=grid, defenders=(), threats=(), shots=shots, reach=reach)


def test_the_outline_is_gsi_japan_without_the_northern_territories():
    outline = geodesic_km2(japan_outline())
    assert outline == pytest.approx(GSI_JAPAN_KM2 - NORTHERN_TERRITORIES_KM2, rel=0.005)  # 373,516 vs 372,972


@pytest.mark.parametrize("which", ["scenario-40km", pytest.param("random-20km", marks=pytest.mark.slow)])
def test_coast_cut_polygons_cover_japans_land_once(which, cov40):
    cov = cov40 if which == "scenario-40km" else random_classes(20, seed=3)
    cut = coverage_polygons(cov)
    squares = coverage_polygons(cov, coast=False)
    total = sum(geodesic_km2(g) for g in cut.values())
    outline = japan_outline()
    # the land of Japan once: within 0.5 % of the outline's own geodesic area, and within a few % of GSI's
    assert total == pytest.approx(geodesic_km2(outline), rel=0.005)
    assert total == pytest.approx(GSI_JAPAN_KM2 - NORTHERN_TERRITORIES_KM2, rel=0.02)
    # the grid squares reach into the sea: 694,000 km^2 at 40 km, 548,000 at 20 km
    assert sum(geodesic_km2(g) for g in squares.values()) > 1.4 * total
    for c, g in cut.items():
        assert g.is_valid and g.geom_type in ("Polygon", "MultiPolygon")
        assert geodesic_km2(shapely.difference(g, outline.buffer(1e-4))) < 1.0  # nothing off the coast
        assert geodesic_km2(shapely.difference(g, squares[c].buffer(1e-4))) < 1.0  # and only its own cells
    classes = sorted(cut)
    assert len(classes) >= 4
    for i, a in enumerate(classes):
        for b in classes[i + 1 :]:
            assert geodesic_km2(shapely.intersection(cut[a], cut[b])) < 0.01, (a, b)  # km^2: shared edges only


def test_coast_cut_geojson_is_valid_and_reads_back(cov40, tmp_path):
    path = write_geojson(coverage_geojson(cov40), tmp_path / "c.geojson")
    fc = json.loads(path.read_text())
    geoms = [shape(f["geometry"]) for f in fc["features"]]
    assert all(g.is_valid for g in geoms)
    assert sum(geodesic_km2(g) for g in geoms) == pytest.approx(geodesic_km2(japan_outline()), rel=0.005)
    whole = json.loads(write_geojson(coverage_geojson(cov40, coast=False), tmp_path / "w.geojson").read_text())
    assert [f["properties"] for f in whole["features"]] == [f["properties"] for f in fc["features"]]


def test_coast_must_be_a_boolean(cov40):
    with pytest.raises(BmdlabError, match="^coast: .*True or False"):
        coverage_polygons(cov40, coast="yes")
