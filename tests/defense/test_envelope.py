"""Engagement kernels (bmdlab.defense.envelope) against closed forms."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bmdlab.defense.envelope import (
    elevation_angle,
    flyout_distance,
    flyout_time,
    horizon_range,
    intercept_opportunities,
    radar_visible,
)
from bmdlab.geo.sphere import EARTH_RADIUS, destination, unit_vector


@given(d=st.floats(0.0, 3e6), v=st.floats(500.0, 6000.0), tb=st.floats(0.0, 120.0))
def test_flyout_time_and_distance_are_inverse(d, v, tb):
    t = flyout_time(d, v, tb)
    assert flyout_distance(t, v, tb) == pytest.approx(d, rel=1e-9, abs=1e-6)


def test_flyout_closed_form_values():
    # Uniform acceleration to 3 km/s in 60 s covers 90 km; then coasting at 3 km/s.
    assert flyout_time(90e3, 3000.0, 60.0) == pytest.approx(60.0)
    assert flyout_time(390e3, 3000.0, 60.0) == pytest.approx(160.0)
    assert flyout_time(22.5e3, 3000.0, 60.0) == pytest.approx(30.0)  # d = v t^2 / (2 T)


def test_horizon_range_textbook():
    # Geometric horizon from the ground to a target at altitude h: sqrt(2 R h) to first order
    # (Skolnik 2001, eq. 8.x; ~3.57 sqrt(h[m]) km). 100 km altitude -> ~1,129 km. Tolerance 0.5 %.
    assert horizon_range(0.0, 100e3) / 1e3 == pytest.approx(3.57 * np.sqrt(100e3), rel=5e-3)


def test_elevation_is_zero_at_the_horizon():
    lat, lon = np.radians(35.0), np.radians(135.0)
    radar = EARTH_RADIUS * unit_vector(lat, lon)
    h = 300e3
    ang = np.arccos(EARTH_RADIUS / (EARTH_RADIUS + h))  # central angle of the horizon point
    la, lo = destination(lat, lon, 1.0, ang)
    target = (EARTH_RADIUS + h) * unit_vector(la, lo)
    assert elevation_angle(radar, target) == pytest.approx(0.0, abs=1e-9)
    assert radar_visible(radar, (EARTH_RADIUS + h + 1e3) * unit_vector(la, lo), 5e6)
    assert not radar_visible(radar, (EARTH_RADIUS + h - 1e3) * unit_vector(la, lo), 5e6)
    assert not radar_visible(radar, (EARTH_RADIUS + h + 1e3) * unit_vector(la, lo), 1e6)  # beyond range


def _vertical_fall(speed=3000.0, top=150e3, n=3001):
    """A threat falling vertically onto the launcher at constant speed, from `top` to 0."""
    t = np.linspace(0.0, top / speed, n)
    alt = top - speed * t
    up = unit_vector(np.radians(35.0), np.radians(139.0))
    pos = (EARTH_RADIUS + alt)[:, None] * up
    return t[None, :], pos[None], alt[None, :], EARTH_RADIUS * up


def test_intercept_opportunities_vertical_fall_closed_form():
    # Threat at 3 km/s straight down from 150 km (impact at t = 50 s); interceptor 1.5 km/s,
    # burn 0 (instant speed), altitude window [10, 40] km, ready at t = 0.
    # Meeting: 1.5 t = 150e3 - 3e3 t -> t = 33.33 s at 50 km: above the window, so the first
    # feasible intercept is at 40 km altitude: threat there at t = 36.67 s; the interceptor needs
    # 26.67 s, launched by 10 s. Last intercept at 10 km: t = 46.67 s.
    t, pos, alt, launcher = _vertical_fall()
    kw = dict(burnout_speed=1500.0, burn_time=0.0, min_altitude=10e3, max_altitude=40e3, max_range=50e3)
    shots, first, last = intercept_opportunities(t, pos, alt, launcher, commit_time=np.array([0.0]), kill_assessment=5.0, **kw)
    assert first[0] == pytest.approx(110 / 3, abs=0.05)
    assert last[0] == pytest.approx(140 / 3, abs=0.05)
    # second shot ready at 36.67 + 5 = 41.67 s: meets the threat where 1.5 (t - 41.67) = 150 - 3 t (km)
    # -> t = 47.22 s at 8.3 km: below the window, so only one shot.
    assert shots[0] == 1
    shots, _, _ = intercept_opportunities(t, pos, alt, launcher, commit_time=np.array([0.0]), kill_assessment=1.0, **kw)
    assert shots[0] == 2  # ready at 37.67 s: meets at t = 45.0 s, 15 km altitude, inside the window
    # commit too late: no shot
    shots, first, _ = intercept_opportunities(t, pos, alt, launcher, commit_time=np.array([49.0]), kill_assessment=1.0, **kw)
    assert shots[0] == 0 and np.isnan(first[0])
    # never detected
    shots, _, _ = intercept_opportunities(t, pos, alt, launcher, commit_time=np.array([np.nan]), kill_assessment=1.0, **kw)
    assert shots[0] == 0


def test_flyout_time_scalar_and_array_paths_agree():
    d = np.array([0.0, 1e3, 20e3, 21e3, 300e3])  # burn distance 0.5 * 2800 * 15 = 21 km
    fast = flyout_time(d, 2800.0, 15.0)
    general = flyout_time(d, np.full(d.shape, 2800.0), np.full(d.shape, 15.0))
    np.testing.assert_allclose(fast, general, rtol=1e-15)
    assert fast[3] == pytest.approx(15.0)  # reaches the burnout distance at burnout


def test_chunked_detection_time_equals_a_full_scan():
    """detection_time scans sample columns in chunks; the result equals the minimum over all samples."""
    from bmdlab.catalog import builtin_catalog
    from bmdlab.defense.engage import Samples, detection_time, make_sensor

    rng = np.random.default_rng(0)
    n, k = 500, 140
    times = np.sort(rng.uniform(0, 900, (n, k)), axis=1)
    lat, lon = np.radians(rng.uniform(30, 45, (n, k))), np.radians(rng.uniform(125, 145, (n, k)))
    alt = rng.uniform(0, 800e3, (n, k))
    lat[n // 2:] = -lat[n // 2:]  # the southern hemisphere: never seen from Japan
    pos = (EARTH_RADIUS + alt)[..., None] * unit_vector(lat, lon)
    sen = make_sensor(builtin_catalog(), "tpy-2-fbm", 40.9, 140.3)
    vis = radar_visible(sen.position, pos, sen.detection_range, 0.0, target_radius=EARTH_RADIUS + alt)
    full = np.where(vis.any(axis=1), np.min(np.where(vis, times, np.inf), axis=1), np.inf)
    got = detection_time(Samples(times, pos, alt), sen, 0.0, chunk=7)
    np.testing.assert_array_equal(got, full)
    assert np.isinf(full).any() and np.isfinite(full).any()
