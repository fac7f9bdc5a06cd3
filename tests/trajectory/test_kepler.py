"""Closed-form checks of the Keplerian free-flight kernels (bmdlab.trajectory.kepler)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.geo.sphere import EARTH_RADIUS, GM_EARTH
from bmdlab.trajectory import kepler

R = EARTH_RADIUS


@pytest.mark.parametrize("range_km", [300.0, 1300.0, 3700.0, 10000.0])
def test_minimum_energy_equal_radii_closed_form(range_km):
    # Bate, Mueller & White (1971) eqs. 6.2-16/17: gamma* = pi/4 - psi/4,
    # nu* = 2 sin(psi/2) / (1 + sin(psi/2)). Tolerance: round-off (1e-12).
    psi = range_km * 1e3 / R
    gamma, nu = kepler.minimum_energy(R, R, psi)
    assert gamma == pytest.approx(np.pi / 4 - psi / 4, abs=1e-12)
    assert nu == pytest.approx(2 * np.sin(psi / 2) / (1 + np.sin(psi / 2)), rel=1e-12)


def test_flat_earth_limit():
    # Over 10 km the Earth is flat: the minimum-energy shot is at 45 deg with v^2 = g * range
    # (elementary projectile motion, g = GM/R^2). Tolerance 0.2 %.
    rng = 10e3
    gamma, nu = kepler.minimum_energy(R, R, rng / R)
    v = np.sqrt(nu * GM_EARTH / R)
    assert np.degrees(gamma) == pytest.approx(45.0, abs=0.05)
    assert v == pytest.approx(np.sqrt(GM_EARTH / R**2 * rng), rel=2e-3)


@settings(max_examples=200, deadline=None)
@given(
    psi=st.floats(0.01, 2.5),
    h1=st.floats(0.0, 600e3),
    frac=st.floats(0.02, 0.98),
)
def test_minimum_energy_is_the_least_speed(psi, h1, frac):
    # Property: every other flight-path angle that reaches the target needs more speed.
    r1 = R + h1
    g_me, nu_me = kepler.minimum_energy(r1, R, psi)
    g_any = frac * (np.pi / 2)
    nu_any = kepler.speed_parameter(r1, R, psi, g_any)
    if np.isfinite(nu_any):
        assert nu_any >= nu_me * (1 - 1e-12)
    assert kepler.speed_parameter(r1, R, psi, g_me) == pytest.approx(nu_me, rel=1e-10)


@settings(max_examples=200, deadline=None)
@given(psi=st.floats(0.01, 2.5), h1=st.floats(0.0, 600e3), extra=st.floats(1.001, 1.5))
def test_angle_for_speed_inverts_speed_parameter(psi, h1, extra):
    r1 = R + h1
    _, nu_me = kepler.minimum_energy(r1, R, psi)
    nu = min(nu_me * extra, 1.99)
    for branch in ("high", "low"):
        g = kepler.angle_for_speed(r1, R, psi, nu, branch)
        assert kepler.speed_parameter(r1, R, psi, g) == pytest.approx(nu, rel=1e-8)


def test_conic_passes_through_impact_radius():
    # The trajectory equation r = p / (1 + e cos theta) must give r2 at theta1 + psi.
    r1, psi = R + 150e3, 3000e3 / R
    for g in (0.3, 0.6, 1.2):
        nu = kepler.speed_parameter(r1, R, psi, g)
        el = kepler.conic_elements(r1, nu, g)
        r_at_burnout = el["p"] / (1 + el["e"] * np.cos(el["theta1"]))
        r_at_impact = el["p"] / (1 + el["e"] * np.cos(el["theta1"] + psi))
        assert r_at_burnout == pytest.approx(r1, rel=1e-12)
        assert r_at_impact == pytest.approx(R, rel=1e-12)


def test_kepler_equation_round_trip():
    e = np.array([0.1, 0.5, 0.9, 0.99])
    m = np.linspace(0.0, 2 * np.pi, 50)[:, None]
    big = kepler.solve_kepler(m, e)
    assert np.max(np.abs(big - e * np.sin(big) - m)) < 1e-12


def test_time_of_half_orbit():
    # From perigee to apogee takes half the period, 2 pi sqrt(a^3/mu) / 2 (Kepler's third law).
    a, e = 7000e3, 0.3
    t = kepler.time_between(0.0, np.pi, a, e)
    assert t == pytest.approx(np.pi * np.sqrt(a**3 / GM_EARTH), rel=1e-12)


def test_the_apogee_slope_is_the_central_difference():
    # d(apogee)/d(gamma) of kepler.apogee_radius_and_slope against a central difference (h = 1e-6 rad; the
    # difference's own error, ~h^2 f''', is below 1e-7 relative here), and the apogee the same to the bit as
    # apogee_radius_function's
    rng = np.random.default_rng(0)
    n = 2000
    r1 = 6.371e6 + rng.uniform(0.0, 2e5, n)
    r2 = np.full(n, 6.371e6)
    psi = rng.uniform(0.05, 0.6, n)
    g = kepler.minimum_energy(r1, r2, psi)[0] + rng.uniform(-0.3, 0.3, n)
    f = kepler.apogee_radius_and_slope(r1, r2, psi)
    idx = np.arange(n)
    value, slope = f(g, idx)
    h = 1e-6
    central = (f(g + h, idx)[0] - f(g - h, idx)[0]) / (2 * h)
    ok = np.isfinite(central) & (np.abs(slope) > 1e3)
    assert ok.sum() > 1500
    np.testing.assert_allclose(slope[ok], central[ok], rtol=1e-6)
    assert np.array_equal(value, kepler.apogee_radius_function(r1, r2, psi)(g), equal_nan=True)
