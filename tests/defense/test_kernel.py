"""The fused engagement kernel (issue #23) against the NumPy statement of the model.

:func:`bmdlab.defense.envelope.numpy_opportunities` is an independent, whole-array implementation of the
same equations (the model as it was before the kernel, with its own closed-form tests in test_envelope.py);
the compiled kernel must give the same shot counts and, to the last bits, the same times: on the real
engagements of the 2017 architectures, with every fly-out model and limit, and on random geometry.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bmdlab.assembly import Overrides, assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import threat_of
from bmdlab.defense import envelope
from bmdlab.defense.engage import sample
from bmdlab.defense.envelope import (
    InterceptEnvelope,
    Selection,
    ShotRules,
    intercept_opportunities,
    numpy_opportunities,
    selected_opportunities,
)
from bmdlab.defense.shots import fly
from bmdlab.geo.grid import land_grid
from bmdlab.geo.sphere import EARTH_RADIUS, unit_vector
from bmdlab.scenario import load_scenario
from bmdlab.trajectory import ballistic_trajectory

CAT = builtin_catalog()


@pytest.fixture(autouse=True)
def _always_compiled(monkeypatch):
    """Every selection through the kernel, however small (the engine sends only big ones to it)."""
    monkeypatch.setattr(envelope, "KERNEL_MIN_SAMPLES", 0)


#: Times agree within a microsecond [s]: only the order of a few sums differs (a dot product of three terms), and
#: the ground angle's arccos near 1 magnifies a last-bit difference to ~1e-9 s (measured: at most 1.4e-9 s).
ATOL = 1e-6


def _assert_same(a, b) -> None:
    np.testing.assert_array_equal(a.shots, b.shots)
    for name in ("first_intercept", "last_intercept", "last_launch"):
        x, y = getattr(a, name), getattr(b, name)
        np.testing.assert_array_equal(np.isnan(x), np.isnan(y), err_msg=name)
        np.testing.assert_allclose(x, y, rtol=0, atol=ATOL, err_msg=name)


def _both(samples, d, commit, timeline_kill=30.0, max_shots=2):
    args = (samples.times, samples.positions, samples.altitudes, d.position, d.envelope)
    kw = {"commit_time": commit, "kill_assessment": timeline_kill, "max_shots": max_shots}
    return intercept_opportunities(*args, **kw), numpy_opportunities(*args, **kw)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(None, id="physical-all-limits"),
        pytest.param(Overrides(limits="none"), id="physical-no-limits"),
        pytest.param(Overrides(flyout="straight-line"), id="straight-line-all-limits"),
        pytest.param(Overrides(flyout="straight-line", limits="none"), id="legacy"),
    ],
)
@pytest.mark.parametrize("scenario", ["japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad"])
def test_the_kernel_gives_the_numpy_answer_on_the_2017_engagements(scenario, overrides):
    setup = assemble(load_scenario(scenario, CAT), CAT, overrides)
    grid = land_grid(60.0)
    lat, lon = np.radians(grid.lat_deg), np.radians(grid.lon_deg)
    engaged = twice = 0
    for case in setup.threats[::3]:
        batch = fly(threat_of(CAT, case), lat, lon)
        s = batch.samples
        commit = np.linspace(0.0, 400.0, len(batch))  # early and late commits: every shot count occurs
        track, every = (s.times, s.positions, s.altitudes), Selection(np.arange(len(batch)), 0, s.times.shape[1])
        for d in setup.defenders:
            unit = d.against(None)
            fast, ref = _both(s, unit, commit)
            _assert_same(fast, ref)
            alone = selected_opportunities(track, every, unit.position, unit.envelope, commit, ShotRules(30.0, 2, True))
            np.testing.assert_array_equal(alone.shots, ref.shots)  # the coverage's shots-only scan
            engaged += int((ref.shots > 0).sum())
            twice += int((ref.shots > 1).sum())
    assert engaged > 100 and twice > 20  # the comparison saw real engagements and second shots


@st.composite
def _geometry(draw):
    """Random threat trajectories near a random launcher, and a random envelope of either fly-out kind."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n = 25
    la0, lo0 = np.radians(39.0), np.radians(125.7)
    tla = np.radians(rng.uniform(30.0, 44.0, n))
    tlo = np.radians(rng.uniform(128.0, 145.0, n))
    traj = ballistic_trajectory(la0, lo0, tla, tlo, burn_time=rng.uniform(30.0, 120.0))
    s = sample(traj)
    site = unit_vector(np.radians(rng.uniform(30.0, 44.0)), np.radians(rng.uniform(128.0, 145.0))) * EARTH_RADIUS
    straight = draw(st.booleans())
    if straight:
        flyout = envelope.StraightLineFlyout(
            rng.uniform(1000.0, 4500.0), rng.uniform(5.0, 60.0), draw(st.sampled_from([0.0, 0.2]))
        )
    else:
        from bmdlab.defense.engage import interceptor_flyout

        flyout = interceptor_flyout(CAT, draw(st.sampled_from(["pac-3-cri", "sm-3-ia", "thaad"])))
    env = InterceptEnvelope(
        flyout=flyout,
        min_altitude=rng.uniform(0.0, 80e3),
        max_altitude=rng.uniform(100e3, 600e3),
        max_range=rng.uniform(50e3, 1500e3),
        min_flight_time=draw(st.sampled_from([0.0, 5.0, 30.0])),
        max_crossing_angle=draw(st.sampled_from([None, np.radians(60.0), np.radians(120.0)])),
        min_closing_speed=draw(st.sampled_from([0.0, 1500.0, 4000.0])),
        sector=draw(st.sampled_from([None, (site * 1.000003, rng.uniform(0, 2 * np.pi), np.radians(60.0))])),
    )
    commit = np.where(rng.uniform(size=n) < 0.1, np.inf, rng.uniform(0.0, 600.0, n))
    kill = draw(st.sampled_from([0.0, 5.0, 45.0]))  # 0: the shots-only scan falls back to the full one
    return s, site, env, commit, draw(st.sampled_from([1, 2, 4])), kill


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_geometry())
def test_the_kernel_gives_the_numpy_answer_on_random_geometry(geometry):
    s, site, env, commit, max_shots, kill = geometry
    args = (s.times, s.positions, s.altitudes, site, env)
    kw = {"commit_time": commit, "kill_assessment": kill, "max_shots": max_shots}
    ref = numpy_opportunities(*args, **kw)
    _assert_same(intercept_opportunities(*args, **kw), ref)
    # the coverage's mode: shots alone, by a scan that stops at the last shot counted
    track, every = (s.times, s.positions, s.altitudes), Selection(np.arange(len(commit)), 0, s.times.shape[1])
    alone = selected_opportunities(track, every, site, env, commit, ShotRules(kill, max_shots, shots_only=True))
    np.testing.assert_array_equal(alone.shots, ref.shots)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(_geometry(), st.integers(0, 60), st.integers(1, 140), st.data())
def test_a_selection_of_rows_and_columns_is_the_answer_on_those_rows_and_columns(geometry, first, width, data):
    # the engine passes the whole batch and the unit's rows and columns; NumPy gets the slices themselves
    s, site, env, commit, max_shots, kill = geometry
    n, k = s.times.shape
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))), dtype=np.intp)
    end = min(first + width, k)
    track = (s.times, s.positions, s.altitudes)
    got = selected_opportunities(
        track, Selection(rows, first, end), site, env, commit[rows], ShotRules(kill, max_shots)
    )
    sliced = (a[rows, first:end] for a in track)
    ref = numpy_opportunities(*sliced, site, env, commit_time=commit[rows], kill_assessment=kill, max_shots=max_shots)
    _assert_same(got, ref)


def test_column_slices_give_the_answer_of_contiguous_copies():
    # the engine passes views (a trajectory's columns from its apogee on); the kernel reads them in place
    setup = assemble(load_scenario("japan-2017-thaad", CAT), CAT)
    grid = land_grid(60.0)
    batch = fly(threat_of(CAT, setup.threats[0]), np.radians(grid.lat_deg), np.radians(grid.lon_deg))
    s = batch.samples
    d = setup.defenders[0]
    commit = np.zeros(len(batch))
    kw = {"commit_time": commit, "kill_assessment": 30.0}
    view = intercept_opportunities(
        s.times[:, 40:], s.positions[:, 40:], s.altitudes[:, 40:], d.position, d.envelope, **kw
    )
    copy = intercept_opportunities(
        *(np.ascontiguousarray(a[:, 40:]) for a in (s.times, s.positions, s.altitudes)), d.position, d.envelope, **kw
    )
    _assert_same(view, copy)


def test_an_unknown_flyout_model_runs_through_numpy():
    class Cone:  # a fly-out model the kernel does not know: 1 km/s in a straight line, everywhere
        def time_to(self, ground, alt):
            return np.hypot(ground, alt) / 1000.0

        def velocity_at(self, ground, alt):
            return np.full_like(ground, 1000.0), np.arctan2(alt, ground)

    env = InterceptEnvelope(flyout=Cone(), min_altitude=0.0, max_altitude=1e6, max_range=1e6)
    traj = ballistic_trajectory(
        np.radians(39.0), np.radians(125.7), np.radians(35.7), np.radians(139.7), burn_time=60.0
    )
    s = sample(traj)
    site = EARTH_RADIUS * unit_vector(np.radians(35.7), np.radians(139.7))
    got = intercept_opportunities(s.times, s.positions, s.altitudes, site, env, commit_time=[0.0], kill_assessment=10.0)
    assert got.shots[0] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    st.integers(0, 2**31 - 1),
    st.sampled_from([0.0, np.radians(2.0), np.radians(-1.0)]),
    st.sampled_from([None, np.radians(60.0), np.radians(150.0)]),
)
def test_compiled_detection_is_the_numpy_scan(seed, min_elevation, half_width):
    # the kernel's first detection against engage.detection_time (radar_visible, chunked scan) on slices
    from bmdlab.defense.engage import Samples, Sensor, detection_time, detection_time_of_rows

    rng = np.random.default_rng(seed)
    n = 30
    traj = ballistic_trajectory(
        np.radians(39.0), np.radians(125.7), np.radians(rng.uniform(30, 44, n)), np.radians(rng.uniform(128, 145, n)),
        burn_time=rng.uniform(30.0, 120.0),
    )  # fmt: skip
    s = sample(traj)
    sensor = Sensor(
        "radar", "r", np.radians(rng.uniform(30, 44)), np.radians(rng.uniform(128, 145)), rng.uniform(2e5, 2e6)
    )
    if half_width is not None:
        sensor = dataclasses.replace(sensor, field_of_view=2 * half_width).facing(np.radians(39.0), np.radians(125.7))
    rows = np.array(sorted(rng.choice(n, size=20, replace=False)), dtype=np.intp)
    end = int(rng.integers(10, s.times.shape[1] + 1))
    before = np.where(rng.uniform(size=rows.size) < 0.3, np.inf, rng.uniform(0.0, 900.0, rows.size))
    sub = Samples(s.times[rows, :end], s.positions[rows, :end], s.altitudes[rows, :end])
    ref = detection_time(sub, sensor, min_elevation, before=before)
    got = detection_time_of_rows(s, rows, end, sensor, min_elevation, before)
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("low,high", [(70e3, 250e3), (40e3, 150e3), (0.0, 24e3), (300e3, 2000e3)])
def test_the_compiled_window_is_the_numpy_window(monkeypatch, low, high):
    """The bounds a unit's altitude window puts on a batch (bmdlab.defense.shots._window): the same columns
    and apogee, and reaches within 1e-3 m (the cosines' dot products round differently; measured 1e-4 m, well
    inside the 1 m slack both carry). The batch holds lofted, ordinary and infeasible (NaN) trajectories."""
    from bmdlab.defense import shots

    rng = np.random.default_rng(4)
    launch = shots.MissileLaunch(CAT.missile("musudan"), (np.radians(40.0), np.radians(128.0)), "lofted", 1500e3)
    lat = np.concatenate([rng.uniform(24.0, 46.0, 500), rng.uniform(-40.0, -30.0, 100)])  # the last out of range
    lon = np.concatenate([rng.uniform(122.0, 146.0, 500), rng.uniform(170.0, 179.0, 100)])
    batch = fly(launch, np.radians(lat), np.radians(lon))
    assert batch.samples.altitudes.size >= shots.KERNEL_MIN_SAMPLES and np.isnan(batch.samples.altitudes).any()
    args = (batch.samples, batch.aim, batch.launch, low, high)
    compiled = shots._window(*args)
    monkeypatch.setattr(shots, "KERNEL_MIN_SAMPLES", 10**12)
    numpy = shots._window(*args)
    for name in ("first_descent", "end", "row_first", "row_end"):
        np.testing.assert_array_equal(getattr(compiled, name), getattr(numpy, name), err_msg=name)
    for name in ("reach_descent", "reach_ascent"):
        np.testing.assert_allclose(getattr(compiled, name), getattr(numpy, name), rtol=0, atol=1e-3, err_msg=name)
    assert np.isfinite(numpy.reach_descent).any() or np.isfinite(numpy.reach_ascent).any()
