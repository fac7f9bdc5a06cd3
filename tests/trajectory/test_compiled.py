"""Compiled trajectory positions (bmdlab.trajectory.compiled) against the NumPy statement (Trajectory._state).

The compiled pass solves Kepler's equation from the trajectory's previous sample and places the point from the
eccentric anomaly (perifocal coordinates, Bate, Mueller & White 1971, sec. 4.2) where the statement goes
through the true anomaly: the same positions to rounding. Tolerance 1e-5 m on positions of ~6.4e6 m: the
measured differences (at most 3e-7 m on the 2017 threat, 2e-6 m on a 2,500 km lofted apogee from the ground)
grow as 1/(1 - e) with the eccentricity (0.9993 there), the rounding of the statement's half-angle formula
for the true anomaly; a Newton step short of convergence moves a point by metres, a wrong sign or frame by
kilometres.
"""

import math

import numpy as np
import pytest

from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.trajectory import compiled, kepler
from bmdlab.trajectory.ballistic import COMPILED_MIN_SAMPLES, FlightShape, ballistic_trajectory

D = np.radians
SUNAN = (D(39.2), D(125.67))
TOLERANCE = 1e-5  # [m]


def _trajectories(n, shape, apogee, burn, rotation, seed=0):
    rng = np.random.default_rng(seed)
    ranges = rng.uniform(300e3, 4000e3, n)
    lat, lon = destination(*SUNAN, D(rng.uniform(40.0, 160.0, n)), ranges / EARTH_RADIUS)
    return ballistic_trajectory(
        *SUNAN, lat, lon, burn_time=burn, shape=FlightShape(shape, apogee=apogee), earth_rotation=rotation
    )


def _sample_times(traj, k_flight=80, k_terminal=60):
    ft = traj.flight_time[:, None]
    uni = np.linspace(0.0, 1.0, k_flight)[None, :] * ft
    term = ft - np.linspace(60.0, 0.0, k_terminal)[None, :]
    return np.sort(np.concatenate([uni, np.clip(term, 0.0, ft)], axis=1), axis=1)


def _statement(traj, t):
    pos = traj._state(t, velocity=False)[0]
    return pos, np.linalg.norm(pos, axis=-1) - EARTH_RADIUS


def _assert_close(got, want):
    (pos, alt), (pos0, alt0) = got, want
    assert np.array_equal(np.isnan(pos), np.isnan(pos0))
    ok = ~np.isnan(pos0)
    assert np.max(np.abs(pos[ok] - pos0[ok])) < TOLERANCE
    ok = ~np.isnan(alt0)
    assert np.max(np.abs(alt[ok] - alt0[ok])) < TOLERANCE


@pytest.mark.parametrize(
    "shape,apogee", [("minimum-energy", None), ("lofted", 2500e3), ("depressed", 150e3), ("lofted", 800e3)]
)
@pytest.mark.parametrize("burn,rotation", [(0.0, False), (120.0, True), (60.0, False)])
def test_compiled_positions_are_the_statement_s(shape, apogee, burn, rotation):
    traj = _trajectories(500, shape, apogee, burn, rotation)
    t = _sample_times(traj)
    assert t.size >= COMPILED_MIN_SAMPLES  # the compiled pass runs
    _assert_close(traj.position_altitude(t), _statement(traj, t))


def test_times_in_any_order_and_with_large_jumps():
    # the previous sample's solution is only a starting value: shuffled times and jumps of a whole flight
    traj = _trajectories(500, "lofted", 1500e3, 90.0, True, seed=1)
    rng = np.random.default_rng(2)
    t = rng.permuted(_sample_times(traj), axis=1)
    t[:, ::7] = rng.uniform(-50.0, 1e4, t[:, ::7].shape)  # before launch and after impact: clipped
    _assert_close(traj.position_altitude(t), _statement(traj, t))


def test_infeasible_trajectories_are_nan_where_the_statement_is():
    traj = _trajectories(500, "lofted", 200e3, 60.0, False, seed=3)  # an apogee too low for the long ones
    assert np.isnan(traj.flight_time).any() and np.isfinite(traj.flight_time).any()
    t = np.linspace(0.0, 1500.0, 140)
    _assert_close(traj.position_altitude(t), _statement(traj, t))


def test_small_work_is_the_statement_to_the_bit():
    traj = _trajectories(20, "minimum-energy", None, 100.0, True)
    t = _sample_times(traj)
    assert t.size < COMPILED_MIN_SAMPLES
    pos, alt = traj.position_altitude(t)
    pos0, alt0 = _statement(traj, t)
    assert np.array_equal(pos, pos0, equal_nan=True) and np.array_equal(alt, alt0, equal_nan=True)


def test_a_wrong_newton_solution_is_caught(monkeypatch):
    # the tolerance catches an unconverged Kepler solve: the compiled pass cut to one Newton step moves the
    # points by far more than 1e-6 m
    traj = _trajectories(500, "minimum-energy", None, 100.0, False)
    t = _sample_times(traj)
    want = _statement(traj, t)
    monkeypatch.setattr(kepler, "KEPLER_ITERATIONS", 1)
    pos, _ = traj.position_altitude(t)
    assert np.nanmax(np.abs(pos - want[0])) > 1e3 * TOLERANCE


@pytest.mark.parametrize("x", [0.0, 1e-9, -3e-5, 9.9e-5, 1e-4, -2e-3, 0.05, -0.1, 0.2, 0.3])
def test_the_sine_and_cosine_series_are_the_c_library_s_within_two_ulp(x):
    s, c = compiled._sin_cos_series(x)
    assert abs(s - math.sin(x)) <= 2 * math.ulp(math.sin(x)) + 1e-300
    assert abs(c - math.cos(x)) <= 2 * math.ulp(math.cos(x))
