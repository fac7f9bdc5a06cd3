"""Engagement kernels (bmdlab.defense.envelope) against closed forms."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bmdlab.defense.envelope import (
    InterceptEnvelope,
    elevation_angle,
    horizon_range,
    intercept_opportunities,
    radar_visible,
)
from bmdlab.defense.flyout import flyout_distance, flyout_time
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


def _opportunities(t, pos, alt, launcher, *, burnout_speed, burn_time, commit_time, kill_assessment, **limits):
    """(shots, first, last intercept) of the straight-line fly-out of ``burnout_speed`` and ``burn_time``."""
    env = InterceptEnvelope.straight_line(burnout_speed, burn_time, **limits)
    o = intercept_opportunities(t, pos, alt, launcher, env, commit_time=commit_time, kill_assessment=kill_assessment)
    return o.shots, o.first_intercept, o.last_intercept


def test_intercept_opportunities_vertical_fall_closed_form():
    # Threat at 3 km/s straight down from 150 km (impact at t = 50 s); interceptor 1.5 km/s,
    # burn 0 (instant speed), altitude window [10, 40] km, ready at t = 0.
    # Meeting: 1.5 t = 150e3 - 3e3 t -> t = 33.33 s at 50 km: above the window, so the first
    # feasible intercept is at 40 km altitude: threat there at t = 36.67 s; the interceptor needs
    # 26.67 s, launched by 10 s. Last intercept at 10 km: t = 46.67 s.
    t, pos, alt, launcher = _vertical_fall()
    kw = dict(burnout_speed=1500.0, burn_time=0.0, min_altitude=10e3, max_altitude=40e3, max_range=50e3)
    shots, first, last = _opportunities(t, pos, alt, launcher, commit_time=np.array([0.0]), kill_assessment=5.0, **kw)
    assert first[0] == pytest.approx(110 / 3, abs=0.05)
    assert last[0] == pytest.approx(140 / 3, abs=0.05)
    # second shot ready at 36.67 + 5 = 41.67 s: meets the threat where 1.5 (t - 41.67) = 150 - 3 t (km)
    # -> t = 47.22 s at 8.3 km: below the window, so only one shot.
    assert shots[0] == 1
    shots, _, _ = _opportunities(t, pos, alt, launcher, commit_time=np.array([0.0]), kill_assessment=1.0, **kw)
    assert shots[0] == 2  # ready at 37.67 s: meets at t = 45.0 s, 15 km altitude, inside the window
    # commit too late: no shot
    shots, first, _ = _opportunities(t, pos, alt, launcher, commit_time=np.array([49.0]), kill_assessment=1.0, **kw)
    assert shots[0] == 0 and np.isnan(first[0])
    # never detected
    shots, _, _ = _opportunities(t, pos, alt, launcher, commit_time=np.array([np.nan]), kill_assessment=1.0, **kw)
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
    lat[n // 2 :] = -lat[n // 2 :]  # the southern hemisphere: never seen from Japan
    pos = (EARTH_RADIUS + alt)[..., None] * unit_vector(lat, lon)
    sen = make_sensor(builtin_catalog(), "tpy-2-fbm", 40.9, 140.3)
    vis = radar_visible(sen.position, pos, sen.detection_range, 0.0, target_radius=EARTH_RADIUS + alt)
    full = np.where(vis.any(axis=1), np.min(np.where(vis, times, np.inf), axis=1), np.inf)
    got = detection_time(Samples(times, pos, alt), sen, 0.0, chunk=7)
    np.testing.assert_array_equal(got, full)
    assert np.isinf(full).any() and np.isfinite(full).any()


def test_crossing_geometry_closed_forms():
    """Head-on, right-angle and tail-chase meetings (relative velocity by vector addition)."""
    from bmdlab.defense.envelope import crossing_geometry

    lat, lon = np.radians(35.0), np.radians(139.0)
    launcher = EARTH_RADIUS * unit_vector(lat, lon)
    up = unit_vector(lat, lon)
    # a point 100 km above the launcher; interceptor straight up at 2 km/s, threat straight down at 3 km/s
    point = (EARTH_RADIUS + 100e3) * up
    ang, close = crossing_geometry(
        point[None], (-3000.0 * up)[None], launcher, np.array([2000.0]), np.array([np.pi / 2])
    )
    assert ang[0] == pytest.approx(0.0, abs=1e-9) and close[0] == pytest.approx(5000.0)
    # the threat flying horizontally: a right angle, closing speed sqrt(2^2 + 3^2) km/s
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    ang, close = crossing_geometry(
        point[None], (3000.0 * east)[None], launcher, np.array([2000.0]), np.array([np.pi / 2])
    )
    assert ang[0] == pytest.approx(np.pi / 2) and close[0] == pytest.approx(np.hypot(2000.0, 3000.0))
    # a point 200 km east at 50 km altitude; interceptor flying level away from the launcher at 2 km/s and the
    # threat flying the same way at 3 km/s: a tail chase at 180 deg, closing at 1 km/s
    la2, lo2 = destination(lat, lon, np.pi / 2, 200e3 / EARTH_RADIUS)
    p2 = (EARTH_RADIUS + 50e3) * unit_vector(la2, lo2)
    up2 = unit_vector(la2, lo2)
    away = up2 * float(up2 @ up) - up
    away /= np.linalg.norm(away)
    ang, close = crossing_geometry(p2[None], (3000.0 * away)[None], launcher, np.array([2000.0]), np.array([0.0]))
    assert ang[0] == pytest.approx(np.pi, abs=1e-6) and close[0] == pytest.approx(1000.0, rel=1e-6)


def test_azimuth_offset_compass_points():
    from bmdlab.defense.envelope import azimuth_offset

    lat, lon = np.radians(35.0), np.radians(139.0)
    obs = EARTH_RADIUS * unit_vector(lat, lon)
    for az_deg in (0.0, 45.0, 90.0, 200.0):
        la, lo = destination(lat, lon, np.radians(az_deg), 100e3 / EARTH_RADIUS)
        tgt = (EARTH_RADIUS + 20e3) * unit_vector(la, lo)
        # destination() follows a great circle: its initial azimuth is az_deg (within 1e-6 rad of it here)
        assert azimuth_offset(obs, tgt[None], np.radians(az_deg))[0] == pytest.approx(0.0, abs=1e-3)
        assert azimuth_offset(obs, tgt[None], np.radians(az_deg + 90.0))[0] == pytest.approx(np.pi / 2, abs=1e-3)


def test_engagement_limits_remove_shots():
    """The vertical fall of the closed-form test above is head-on: the crossing limit keeps its shot. A
    minimum flight time longer than every feasible fly-out removes it, and a radar sector facing away
    (boresight 180 deg from the threat, 60 deg half-width) removes it too; a sector facing it keeps it."""
    t, pos, alt, launcher = _vertical_fall()
    kw = dict(
        burnout_speed=1500.0,
        burn_time=0.0,
        min_altitude=10e3,
        max_altitude=40e3,
        max_range=50e3,
        commit_time=np.array([0.0]),
        kill_assessment=5.0,
    )
    assert (
        _opportunities(t, pos, alt, launcher, max_crossing_angle=np.radians(30), min_closing_speed=1000.0, **kw)[0][0]
        == 1
    )
    assert (
        _opportunities(t, pos, alt, launcher, min_flight_time=30.0, **kw)[0][0] == 0
    )  # feasible fly-outs take <= 26.7 s
    # a threat directly overhead has no azimuth; move it 30 km east so the sector test has one
    lat, lon = np.radians(35.0), np.radians(139.0)
    la, lo = destination(lat, lon, np.pi / 2, 30e3 / EARTH_RADIUS)
    pos_e = (EARTH_RADIUS + alt[0])[:, None] * unit_vector(la, lo)
    facing = (launcher, np.pi / 2, np.radians(60))
    away = (launcher, -np.pi / 2, np.radians(60))
    assert _opportunities(t, pos_e[None], alt, launcher, sector=facing, **kw)[0][0] == 1
    assert _opportunities(t, pos_e[None], alt, launcher, sector=away, **kw)[0][0] == 0


def test_radar_range_scales_as_the_fourth_root_of_rcs():
    """Radar equation (Skolnik 2001, eq. 1.1): R_max ~ sigma^(1/4). A target 16 times smaller is seen at half
    the range; an unknown RCS on either side leaves the quoted range unchanged."""
    from bmdlab.defense.engage import Sensor

    s = Sensor(name="r", key="r", lat=0.6, lon=2.4, detection_range=600e3, reference_rcs=0.1)
    assert s.against(0.1 / 16).detection_range == pytest.approx(300e3)
    assert s.against(1.0).detection_range == pytest.approx(600e3 * 10**0.25)
    assert s.against(None).detection_range == 600e3
    assert Sensor(name="r", key="r", lat=0.6, lon=2.4, detection_range=600e3).against(0.01).detection_range == 600e3


def test_bad_engagement_limit_values_are_named():
    from bmdlab.catalog import builtin_catalog
    from bmdlab.defense.engage import check_limit_values
    from bmdlab.errors import BmdlabError

    i = builtin_catalog().interceptors["thaad"]
    bad = i.model_copy(update={"max_crossing_angle": i.max_crossing_angle.model_copy(update={"value": -5})})
    with pytest.raises(BmdlabError, match="interceptor thaad: max_crossing_angle -5 deg must be in"):
        check_limit_values(bad, "thaad")
    bad = i.model_copy(update={"min_flight_time": i.min_flight_time.model_copy(update={"value": -1})})
    with pytest.raises(BmdlabError, match="min_flight_time"):
        check_limit_values(bad, "thaad")
