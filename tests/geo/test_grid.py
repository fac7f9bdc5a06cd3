"""Tests for bmdlab.geo.grid: the population-weighted land grid of Japan."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.errors import BmdlabError
from bmdlab.geo import URBAN_DENSITY, LandGrid, japan_cities, land_grid
from bmdlab.geo.grid import spread_population

#: Japan's land area, GSI "Areas of prefectures and municipalities" (2020): 377,975 km^2
#: (includes the southern Kurils, about 5,000 km^2, which Natural Earth draws as Russia).
GSI_AREA_KM2 = 377_975
R = 6_371_008.8  # [m]


@pytest.fixture(scope="module")
def grid5() -> LandGrid:
    return land_grid(5.0)


def test_grid_area_close_to_japan(grid5):
    # Measured 376,038 km^2: -0.5 % on GSI (the NE outline plus 2 km buffer, clipped to the
    # 1 km land mask). Tolerance 1.5 %.
    assert grid5.total_area_m2 / 1e6 == pytest.approx(GSI_AREA_KM2, rel=0.015)


def test_population_conserved(grid5):
    assert grid5.total_population == pytest.approx(japan_cities().total_population, rel=1e-12)
    assert np.all(grid5.population >= 0)


def test_grid_cells(grid5):
    assert isinstance(grid5, LandGrid)
    assert len(grid5) == grid5.lat_deg.size == grid5.area_m2.size == grid5.population.size
    assert 15_000 < len(grid5) < 19_000  # 16,744 measured
    assert grid5.resolution_km == 5.0 and grid5.urban_density == URBAN_DENSITY
    frac = grid5.land_fraction
    assert np.all((frac > 0) & (frac <= 1))
    # Roughly square cells of 25 km^2 (rounding of cells per row: within 5 % at 24-46 N).
    np.testing.assert_allclose(grid5.cell_area_m2 / 25e6, 1.0, rtol=0.05)
    for arr in (grid5.lat_deg, grid5.lon_deg, grid5.area_m2, grid5.population):
        assert not arr.flags.writeable
    np.testing.assert_allclose(grid5.lat, np.radians(grid5.lat_deg))
    assert land_grid(5.0) is grid5  # cached


def test_population_sits_where_people_live(grid5):
    # Tokyo's 9.73 M spread over a 27.8 km disc: at least that many people lie within 30 km
    # of Tokyo's point, and the most populous cell is in the Kanto plain.
    lat0, lon0 = np.radians(35.6895), np.radians(139.6917)
    d = R * np.arccos(
        np.clip(
            np.sin(lat0) * np.sin(grid5.lat) + np.cos(lat0) * np.cos(grid5.lat) * np.cos(grid5.lon - lon0),
            -1,
            1,
        )
    )
    assert grid5.population[d < 30e3].sum() > 9.73e6
    top = np.argmax(grid5.population)
    assert 35.0 < grid5.lat_deg[top] < 36.2 and 139.0 < grid5.lon_deg[top] < 140.3


def test_finer_grid_keeps_totals(grid5):
    g2 = land_grid(2.0)
    assert len(g2) > 5 * len(grid5)
    assert g2.total_population == pytest.approx(grid5.total_population, rel=1e-12)
    assert g2.total_area_m2 == pytest.approx(grid5.total_area_m2, rel=2e-3)


@settings(max_examples=6, deadline=None)
@given(st.floats(min_value=3.0, max_value=120.0))
def test_totals_do_not_depend_on_resolution(res):
    g = land_grid(res)
    assert g.total_population == pytest.approx(japan_cities().total_population, rel=1e-12)
    # land area is sampled at <= 500 m spacing, so it changes by < 0.3 % with the cell size
    assert g.total_area_m2 / 1e6 == pytest.approx(376_038, rel=3e-3)
    assert np.all(g.land_fraction <= 1)


@pytest.mark.parametrize("bad", [0, -5.0, 0.4, 200.5, 1e9, math.nan, math.inf, "5", None, True])
def test_bad_resolution_raises_one_line_error(bad):
    with pytest.raises(BmdlabError) as exc:
        land_grid(bad)
    msg = str(exc.value)
    assert "resolution_km" in msg and "0.5" in msg and "200" in msg
    assert "\n" not in msg


@pytest.mark.parametrize("bad", [0.0, -1e-3, math.nan])
def test_bad_urban_density_raises(bad):
    with pytest.raises(BmdlabError, match="urban_density"):
        land_grid(5.0, urban_density=bad)


# --- spread_population on a toy grid -----------------------------------------------------------
def _toy_cells():
    # 11 x 11 cells, 1 km apart near the equator.
    step = 1e3 / R
    la, lo = np.meshgrid(np.arange(-5, 6) * step, np.arange(-5, 6) * step, indexing="ij")
    return la.ravel(), lo.ravel()


def test_spread_small_city_goes_to_nearest_cell():
    lat, lon = _toy_cells()
    w = np.ones(lat.size)
    # 400 people at 4,000/km^2: r = 178 m; city 0.3 km east of the centre cell, so no cell
    # centre is within r and the nearest cell (the centre one) gets everybody.
    pop = spread_population(lat, lon, w, [0.0], [300 / R], [400.0])
    assert pop[60] == 400.0 and pop.sum() == 400.0


def test_spread_large_city_uniform_over_land_in_disc():
    lat, lon = _toy_cells()
    w = np.ones(lat.size)
    w[:11] = 0.5  # first row half land
    # P = pi r^2 rho with r = 2.5 km: the 21 cell centres within 2.5 km of the centre get it,
    # in proportion to their land weight (all 1 here, none in the first row).
    P = math.pi * 2500.0**2 * URBAN_DENSITY
    pop = spread_population(lat, lon, w, [0.0], [0.0], [P])
    ij = np.stack(np.meshgrid(np.arange(-5, 6), np.arange(-5, 6), indexing="ij"), -1).reshape(-1, 2)
    inside = (ij**2).sum(1) <= 6.25
    assert inside.sum() == 21
    np.testing.assert_allclose(pop[inside], P / 21, rtol=1e-12)
    assert np.all(pop[~inside] == 0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-4e3, 4e3), st.floats(-4e3, 4e3), st.floats(0, 5e5, allow_subnormal=False)),
        min_size=1,
        max_size=20,
    )
)
def test_spread_conserves_population(cities):
    lat, lon = _toy_cells()
    w = np.linspace(0.1, 1.0, lat.size)
    y, x, p = (np.array(v) for v in zip(*cities, strict=True))
    pop = spread_population(lat, lon, w, y / R, x / R, p)
    assert pop.sum() == pytest.approx(p.sum(), rel=1e-12, abs=1e-6)
    assert np.all(pop >= 0)
