"""The trajectory model against the observed 2017 North Korean flights.

The observed figures and their sources are in ``src/bmdlab/trajectory/observed_flights.yaml``
(Japan MOD / ROK JCS via Reuters, CSIS Missile Threat, KCNA via Reuters/Yonhap/TASS, Jiji). Each
flight is flown with the reported range and apogee and the catalog burn time; the model's flight
time must match the reported one within the tolerance below. Tolerance: 10 % of the reported
time or 1.5 minutes, whichever is larger — the reports round to the minute and the boost phase is
a kinematic approximation (see bmdlab.trajectory.ballistic).
"""

import numpy as np
import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.trajectory import FlightShape, missile_trajectory
from bmdlab.trajectory.observed import observed_flights

FLIGHTS = [f for f in observed_flights() if f["flight_time_min"] is not None]  # flights with a reported time


@pytest.mark.parametrize("flight", FLIGHTS, ids=[f["id"] for f in FLIGHTS])
@pytest.mark.parametrize("rotation", [False, True])
def test_flight_time_matches_observation(flight, rotation):
    mis = builtin_catalog().missile(flight["missile"])
    lat0, lon0 = np.radians(flight["launch"]["lat"]), np.radians(flight["launch"]["lon"])
    lat2, lon2 = destination(lat0, lon0, np.radians(flight["azimuth_deg"]), flight["range_km"] * 1e3 / EARTH_RADIUS)
    traj = missile_trajectory(
        mis,
        lat0,
        lon0,
        lat2,
        lon2,
        shape=FlightShape(flight["shape"], apogee=flight["apogee_km"] * 1e3),
        earth_rotation=rotation,
    )
    observed_s = flight["flight_time_min"] * 60.0
    tol = max(0.10 * observed_s, 90.0)
    assert traj.flight_time[0] == pytest.approx(observed_s, abs=tol)
    assert traj.apogee[0] == pytest.approx(flight["apogee_km"] * 1e3, rel=1e-6)
    assert traj.ground_range[0] == pytest.approx(flight["range_km"] * 1e3, rel=1e-9)


def test_hwasong_12_minimum_energy_apogee_above_the_observed_depressed_one():
    # Both 2017 overflights of Hokkaido were flatter than minimum energy (apogee 550 and 770 km
    # for 2,700 and 3,700 km): the minimum-energy apogee must be higher for the same ranges.
    mis = builtin_catalog().missile("hwasong-12")
    lat0, lon0 = np.radians(39.22), np.radians(125.67)
    lat2, lon2 = destination(lat0, lon0, np.radians(75.0), np.array([2700e3, 3700e3]) / EARTH_RADIUS)
    me = missile_trajectory(mis, lat0, lon0, lat2, lon2)
    assert np.all(me.apogee > np.array([550e3, 770e3]))


SOLID_ERA = [f for f in FLIGHTS if f["id"].startswith(("hwasong-17-", "hwasong-18-", "hwasong-19-"))]


@pytest.mark.parametrize("flight", SOLID_ERA, ids=[f["id"] for f in SOLID_ERA])
def test_the_icbm_flights_of_2022_2024_within_five_percent(flight):
    # Issue #25's bar for the lofted Hwasong-17/18/19 flights, reported to the second (Japan MOD / KCNA, A):
    # 4,135 s, 4,491 s and 5,156 s. Without Earth rotation (the engine's default), 5 % of the reported time.
    # The burn times are assumed from the APS / NRC boost figures before any comparison (catalog notes).
    assert len(SOLID_ERA) == 3
    mis = builtin_catalog().missile(flight["missile"])
    lat0, lon0 = np.radians(flight["launch"]["lat"]), np.radians(flight["launch"]["lon"])
    lat2, lon2 = destination(lat0, lon0, np.radians(flight["azimuth_deg"]), flight["range_km"] * 1e3 / EARTH_RADIUS)
    traj = missile_trajectory(
        mis, lat0, lon0, lat2, lon2, shape=FlightShape("lofted", apogee=flight["apogee_km"] * 1e3)
    )
    assert traj.flight_time[0] == pytest.approx(flight["flight_time_min"] * 60.0, rel=0.05)
