"""Coverage over availability (bmdlab.coverage.availability) against closed forms.

With one threat a cell is defended when at least one unit with a shot there is on station, so its
probability is 1 - prod_d (1 - a_d) over the units with a shot: the expected shares follow exactly.
With two threats a cell needs a unit on station for each; enumerating the 2^n on-station patterns
gives the exact expectation. Both are independent of the sampling code under test.
"""

from dataclasses import replace
from itertools import product

import numpy as np
import pytest

import bmdlab
from bmdlab.coverage.availability import coverage_over_availability, defended_samples
from bmdlab.coverage.national import Coverage
from bmdlab.errors import BmdlabError
from bmdlab.geo.grid import land_grid


def _coverage(shots: np.ndarray, reach: np.ndarray) -> Coverage:
    """A coverage of the 100 km land grid with hand-made shot opportunities (threats, units, cells)."""
    d0 = bmdlab.Analysis("japan-2017-baseline").setup.defenders[0]
    units = tuple(replace(d0, name=f"u{i}") for i in range(shots.shape[1]))
    return Coverage(
        grid=land_grid(100.0),
        defenders=units,
        threats=tuple(range(shots.shape[0])),
        shots=shots.astype(np.int8),
        reach=reach,
    )


def test_single_threat_expectation_matches_the_closed_form():
    rng = np.random.default_rng(1)
    grid_cells = len(land_grid(100.0))
    a = np.array([0.5, 0.9, 0.3, 0.7])
    shots = (rng.random((1, 4, grid_cells)) < 0.4).astype(np.int8)
    reach = np.ones((1, grid_cells), dtype=bool)
    cov = _coverage(shots, reach)
    p = 1 - np.prod(np.where(shots[0] > 0, 1 - a[:, None], 1.0), axis=0)  # per cell
    w = cov.grid.population / cov.grid.population.sum()
    exact_people = float(p @ w)
    exact_land = float(p @ (cov.grid.area_m2 / cov.grid.area_m2.sum()))
    res = coverage_over_availability(cov, a, samples=20_000, seed=3)
    for share, exact in ((res.population_fraction, exact_people), (res.land_fraction, exact_land)):
        lo, hi = share.expected_ci95
        half = (hi - lo) / 2
        assert abs(share.expected - exact) <= 2 * half  # 4 standard errors
        assert share.all_on_station >= share.p95 - 1e-9


def test_two_threats_need_a_unit_on_station_for_each():
    # cell 0: threat 0 only by unit 0, threat 1 only by unit 1 -> defended iff both on station
    grid_cells = len(land_grid(100.0))
    shots = np.zeros((2, 2, grid_cells), dtype=np.int8)
    shots[0, 0, :] = 1
    shots[1, 1, :] = 1
    reach = np.ones((2, grid_cells), dtype=bool)
    cov = _coverage(shots, reach)
    patterns = np.array(list(product([False, True], repeat=2)))
    got = defended_samples(cov, patterns)
    assert np.array_equal(got[:, 0], patterns[:, 0] & patterns[:, 1])  # exact, by enumeration
    res = coverage_over_availability(cov, np.array([0.6, 0.5]), samples=40_000, seed=0)
    lo, hi = res.land_fraction.expected_ci95
    assert lo <= 0.6 * 0.5 <= hi


def test_every_unit_on_station_reproduces_the_coverage():
    cov = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=40).coverage
    res = coverage_over_availability(cov, np.ones(len(cov.defenders)), samples=10)
    assert res.population_fraction.expected == pytest.approx(res.population_fraction.all_on_station, abs=1e-12)
    assert res.land_fraction.p05 == pytest.approx(res.land_fraction.all_on_station, abs=1e-12)


def test_api_and_bad_input():
    r = bmdlab.Analysis("japan-2017-baseline").coverage(resolution_km=40, availability_samples=500)
    av = r.data["availability"]
    assert av["population_fraction"]["expected"] < av["population_fraction"]["all_on_station"]  # ships at 0.5
    with pytest.raises(BmdlabError, match="availability_samples"):
        bmdlab.Analysis("japan-2017-baseline").coverage(resolution_km=40, availability_samples=-1)
    with pytest.raises(BmdlabError, match="availability"):
        coverage_over_availability(r.coverage, np.full(len(r.coverage.defenders), 1.5))
    with pytest.raises(BmdlabError, match="samples"):
        coverage_over_availability(r.coverage, np.ones(len(r.coverage.defenders)), samples=0)


def test_each_cell_is_the_definition_also_where_cells_repeat():
    # defended iff some threat reaches the cell and every threat reaching it meets a unit on station with a
    # shot: checked cell by cell for every on-station pattern of 4 units; half the cells copy another's
    # columns (computed once for both), and some copies differ only in which threats reach them
    rng = np.random.default_rng(7)
    n = len(land_grid(100.0))
    shots = (rng.random((3, 4, n)) < 0.35).astype(np.int8)
    reach = rng.random((3, n)) < 0.8
    half = n // 2
    shots[:, :, half:] = shots[:, :, : n - half]
    reach[:, half:] = reach[:, : n - half]
    reach[0, half::3] = ~reach[0, half::3]
    patterns = np.array(list(product([False, True], repeat=4)))
    got = defended_samples(_coverage(shots, reach), patterns)
    for s, on in enumerate(patterns):
        for c in range(n):
            met = [(shots[t, :, c] > 0)[on].any() for t in range(3) if reach[t, c]]
            assert got[s, c] == (bool(met) and all(met))
