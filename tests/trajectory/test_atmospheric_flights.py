"""The catalog's quasi-ballistic and boost-glide missiles against their observed flights (issue #25).

The observed figures, their sources and confidence (A: official figure reported by two or more outlets; B: one
reputable outlet; C: a disputed claim) are in ``src/bmdlab/trajectory/observed_flights.yaml``
(``atmospheric_flights``). Each test says whether its figure is independent of the catalog's assumed values or
was used to choose one (an input cannot validate the output), and where the model does not reproduce a figure,
why, from the physics.
"""

import numpy as np
import pytest
import yaml

from bmdlab.catalog import builtin_catalog
from bmdlab.geo.sphere import EARTH_RADIUS, destination
from bmdlab.trajectory import atmospheric as atm
from bmdlab.trajectory import ballistic_trajectory, missile_trajectory
from bmdlab.trajectory.atmospheric import Vehicle

with open(atm.__file__.replace("atmospheric.py", "observed_flights.yaml"), encoding="utf-8") as fh:
    FLIGHTS = {f["id"]: f for f in yaml.safe_load(fh)["atmospheric_flights"]}

#: Speed of sound between 30 and 60 km in the U.S. Standard Atmosphere 1976: 301-329 m/s; Mach 10 is taken as
#: 3,000-3,300 m/s.
MACH_10 = (3000.0, 3300.0)


def fly(flight_id: str, ground_range_km: float | None = None):
    """The catalog missile of an observed flight, flown from its launch point on its azimuth."""
    f = FLIGHTS[flight_id]
    lat0, lon0 = np.radians(f["launch"]["lat"]), np.radians(f["launch"]["lon"])
    rng = (ground_range_km or f["range_km"]) * 1e3
    lat, lon = destination(lat0, lon0, np.radians(f["azimuth_deg"]), rng / EARTH_RADIUS)
    traj = missile_trajectory(builtin_catalog().missile(f["missile"]), lat0, lon0, lat, lon)
    t = np.linspace(0.0, traj.flight_time[0], 600)
    pos, vel = traj.state(t[None, :])
    return traj, t, np.linalg.norm(vel[0], axis=-1), np.linalg.norm(pos[0], axis=-1) - EARTH_RADIUS


def test_the_new_missiles_fly_their_classes():
    cat = builtin_catalog()
    assert cat.missile("kn-23").flight_class == "quasi-ballistic"
    assert {cat.missile(k).flight_class for k in ("hwasong-8", "hwasong-16b")} == {"boost-glide"}
    traj, *_ = fly("kn-23-2019-07-25-a")
    assert traj.shape == "quasi-ballistic" and np.isfinite(traj.glide_speed[0])


def test_kn23_apogee_near_50_km_at_430_km():
    # KN-23, 9 May and 25 Jul 2019 (NHK; ROK JCS via CSIS; A): about 50 km apogee at 420-430 km. An INPUT: the
    # catalog's boost angle was estimated from this apogee (catalog note), so this checks the arithmetic only.
    for fid in ("kn-23-2019-05-09-a", "kn-23-2019-07-25-a"):
        traj, *_ = fly(fid)
        assert traj.apogee[0] == pytest.approx(FLIGHTS[fid]["apogee_km"] * 1e3, rel=0.10)


def test_kn23_one_boost_angle_cannot_fly_270_and_690_km_both_at_50_km():
    # NOT reproduced (A): the 270 km and 690 km flights were also reported at about 50 km. The model flies
    # every range on one burnout angle with the least burnout speed, so its apogee grows with range (about
    # 35, 48 and 70 km at 270, 430 and 690 km); North Korea flew the short shot more lofted and the long one
    # flatter (or faster) than that. The miss stays within the catalog's 12-30 deg boost-angle range.
    apogees = [
        fly(fid)[0].apogee[0] / 1e3 for fid in ("kn-23-2019-05-09-b", "kn-23-2019-07-25-a", "kn-23-2019-07-25-b")
    ]
    assert apogees == sorted(apogees)
    assert apogees[0] < 45 and apogees[2] > 55
    assert all(30 < a < 80 for a in apogees)


def test_kn23_pulls_up_below_its_apogee_and_flies_flatter():
    # The pull-up (Kyodo, CSIS: "depressed trajectory with a pull-up manoeuvre"): after the pull-up the
    # flight-path angle is shallower than a ballistic fall from the same apogee would have at that altitude.
    traj, t, speed, alt = fly("kn-23-2019-07-25-a")
    veh = Vehicle.of(builtin_catalog().missile("kn-23"))
    after = t > traj.time_to_apogee[0]
    assert np.isfinite(traj.glide_speed[0])
    assert alt[after].min() < veh.pull_up_altitude
    # below the pull-up altitude the descent flattens: at least 5 deg shallower than where it began to pull up
    # (430 km: from about -17 deg at 30 km to about -8 deg near 12 km, before the dive at 1.5 km/s)
    pos, vel = traj.state(t[None, 1:])
    gamma = np.degrees(np.arcsin(np.sum(pos[0] * vel[0], axis=-1) / (np.linalg.norm(pos[0], axis=-1) * speed[1:])))
    below = after[1:] & (alt[1:] < veh.pull_up_altitude)
    first = int(np.argmax(below))
    assert gamma[below].max() > gamma[first] + 5.0


def test_hwasong8_speed_near_mach_10_over_the_claimed_1000_km():
    # 11 Jan 2022 (ROK JCS, A): about Mach 10, more than 700 km; North Korea claimed 1,000 km (C). INDEPENDENT:
    # no catalog value was chosen from the speed. The model flies a range with the least burnout speed, so it
    # reaches 2.8 km/s (about Mach 9) at 1,000 km and 2.4 km/s (Mach 7-8) at 700 km: 7-15 % and 20-27 % under
    # Mach 10. A flight that was tracked for more than 700 km but had energy for 1,000 km or more is faster
    # than the least-energy 700 km flight; 20 % tolerance at 1,000 km.
    _, _, speed, _ = fly("hwasong-8-2022-01-11", 1000.0)
    assert speed.max() == pytest.approx(np.mean(MACH_10), rel=0.20)
    _, _, speed700, _ = fly("hwasong-8-2022-01-11", 700.0)
    assert speed700.max() < speed.max() < MACH_10[1]


def test_hwasong8_apogee_near_60_km():
    # 11 Jan 2022 (ROK JCS, A): apogee about 60 km. An INPUT (the catalog's boost angle came from the flat
    # 2021-2022 apogees): at the claimed 1,000 km the model peaks within 10 % of it.
    traj, *_ = fly("hwasong-8-2022-01-11", 1000.0)
    assert traj.apogee[0] == pytest.approx(60e3, rel=0.10)


def test_hwasong16b_claimed_skip_is_not_reproduced():
    # 2 Apr 2024: North Korea claimed peaks of 101.1 km and then 72.3 km over 1,000 km (C); ROK measured about
    # 600 km (A). NOT reproduced: the model steers its glide toward the equilibrium altitude (about 30 km at the
    # 2.7 km/s of a 1,000 km flight) and never climbs back above it, so its second peak is its pull-up's recovery
    # (about 26 km), not a skip to 72 km. A skip needs lift beyond what holds the glide level at the bottom of
    # the dive, which the bounded glide (Tracy and Wright's equilibrium glide) excludes by design.
    traj, t, _, alt = fly("hwasong-16b-2024-04-02", 1000.0)
    peaks = [alt[i] for i in range(1, alt.size - 1) if alt[i] > alt[i - 1] and alt[i] >= alt[i + 1]]
    assert peaks[0] == pytest.approx(traj.apogee[0], rel=0.01)
    assert all(p < 40e3 for p in peaks[1:])  # no skip to 72.3 km
    assert 50e3 < traj.apogee[0] < 101.1e3


def _glides(v0: np.ndarray, veh: Vehicle) -> tuple[np.ndarray, np.ndarray]:
    """Ranges [m] and times [s] to the ground of glides from the equilibrium altitude at speeds ``v0``."""
    run = atm.glide(veh, v0, atm.equilibrium_altitude(v0, veh), dive_speed=0.0)
    alt = run["altitude"]
    land = np.argmax(alt <= 0.0, axis=1)
    rows = np.arange(v0.size)
    return EARTH_RADIUS * run["angle"][rows, land], run["time"][land]


def test_glider_against_ballistic_at_8000_km():
    # Tracy and Wright (2020)'s comparison, glide only (burnout = glide start), as re-run with Wright's program
    # (see test_atmospheric.py): at 8,000 km an HTV-2-like glider (L/D 2.6, beta 13,003 kg/m^2) needs 6.16 km/s
    # and takes 38.6 min to the ground; a minimum-energy ballistic flight needs 6.81 km/s and takes 28.0 min.
    # The glider needs less speed but arrives about 10 minutes later. 3 % on speeds and times.
    veh = Vehicle("boost-glide", 2.6, 1000.0, 0.769, 0.1, 60e3, np.radians(10.0), 0.0)
    v0 = np.linspace(5.9e3, 6.4e3, 26)
    ranges, times = _glides(v0, veh)
    v_glide, t_glide = np.interp(8000e3, ranges, v0), np.interp(8000e3, ranges, times)
    ball = ballistic_trajectory(0.0, 0.0, 0.0, 8000e3 / EARTH_RADIUS)
    assert v_glide == pytest.approx(6.16e3, rel=0.03)
    assert t_glide / 60 == pytest.approx(38.6, rel=0.03)
    assert ball.burnout_speed[0] == pytest.approx(6.81e3, rel=0.03)
    assert ball.flight_time[0] / 60 == pytest.approx(28.0, rel=0.03)
    assert t_glide - ball.flight_time[0] > 8 * 60  # the headline: later, not earlier
