"""Catalog missiles on the physics (bmdlab.trajectory.flight): range, energy and feasible shapes."""

from importlib import resources

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.schema import Value
from bmdlab.cli import app
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, GM_EARTH, destination
from bmdlab.trajectory import FlightShape, ballistic_trajectory
from bmdlab.trajectory.flight import apogee_limits, check_shape, max_burnout_speed, max_range, missile_trajectory

CAT = builtin_catalog()
FLIGHTS = yaml.safe_load(
    (resources.files("bmdlab") / "trajectory" / "observed_flights.yaml").read_text(encoding="utf-8")
)["flights"]


def _instant_burn(key):
    m = CAT.missiles[key]
    return m.model_copy(
        update={"burn_time": Value(value=1e-6, unit="s", source="test", year=2017, confidence="assumed")}
    )


@pytest.mark.parametrize("key", ["nodong", "hwasong-12"])
def test_max_burnout_speed_is_the_minimum_energy_speed_of_the_catalog_range(key):
    # Without a boost phase, the minimum-energy speed from the surface to a range of central angle psi
    # is v^2 = (GM/R) * 2 sin(psi/2) / (1 + sin(psi/2)) (Bate, Mueller & White, Fundamentals of
    # Astrodynamics, 1971, eqs. 6.2-16/17). A 1e-6 s burn leaves the rocket at the surface; tolerance 1e-6.
    m = _instant_burn(key)
    s = np.sin(max_range(m) / EARTH_RADIUS / 2)
    v = np.sqrt(GM_EARTH / EARTH_RADIUS * 2 * s / (1 + s))
    assert max_burnout_speed(m) == pytest.approx(v, rel=1e-6)


def test_lofted_limit_is_where_a_short_lofted_shot_runs_out_of_energy():
    # Independent of the closed form in apogee_limits: fly lofted shots over 20 km with the solver and
    # compare their burnout speed with the missile's; below the limit they fit, above they do not.
    m = CAT.missiles["hwasong-12"]
    high = apogee_limits(m)["lofted"][1]
    lat2, lon2 = destination(0.0, 0.0, np.pi / 2, 20e3 / EARTH_RADIUS)
    v = max_burnout_speed(m)
    for factor, fits in ((0.97, True), (1.03, False)):
        t = ballistic_trajectory(
            0.0, 0.0, lat2, lon2, burn_time=m.burn_time.si(), shape=FlightShape("lofted", apogee=factor * high)
        )
        assert (float(t.burnout_speed[0]) <= v) is fits, (factor, t.burnout_speed[0], v)


@pytest.mark.parametrize("flight", FLIGHTS, ids=[f["id"] for f in FLIGHTS])
def test_every_observed_2017_flight_is_within_its_missiles_energy(flight):
    # The observed lofted and depressed flights of 2017 (Japan MoD, CSIS) must be flyable by the
    # catalog missile: its catalog range implies the energy they used.
    m = CAT.missiles[flight["missile"]]
    check_shape(m, flight["shape"], flight["apogee_km"] * 1e3)
    lat0, lon0 = np.radians(flight["launch"]["lat"]), np.radians(flight["launch"]["lon"])
    lat2, lon2 = destination(lat0, lon0, np.radians(flight["azimuth_deg"]), flight["range_km"] * 1e3 / EARTH_RADIUS)
    t = missile_trajectory(
        m, lat0, lon0, lat2, lon2, shape=FlightShape(flight["shape"], apogee=flight["apogee_km"] * 1e3)
    )
    assert np.isfinite(t.flight_time).all()


def test_beyond_the_missiles_energy_is_refused_or_masked():
    m = CAT.missiles["nodong"]
    lat0, lon0 = np.radians(39.2), np.radians(125.7)
    lat2, lon2 = destination(lat0, lon0, np.radians(100.0), np.array([300e3, 1200e3]) / EARTH_RADIUS)
    apogee = 650e3  # within the lofted limit (706 km) at 300 km; more energy than a Nodong has at 1,200 km
    with pytest.raises(BmdlabError, match="needs a burnout speed of .* implies at most"):
        missile_trajectory(m, lat0, lon0, lat2, lon2, shape=FlightShape("lofted", apogee=apogee))
    t = missile_trajectory(m, lat0, lon0, lat2, lon2, shape=FlightShape("lofted", apogee=apogee), strict=False)
    assert np.isfinite(t.flight_time[0]) and np.isnan(t.flight_time[1])
    with pytest.raises(BmdlabError, match="needs an apogee of 0 to 706 km"):
        check_shape(m, "lofted", 1e12)


def test_scenario_with_an_impossible_apogee_is_refused_like_the_trajectory_command(tmp_path):
    d = yaml.safe_load(
        (resources.files("bmdlab") / "scenarios" / "japan-2017-nodong-scud-er.yaml").read_text(encoding="utf-8")
    )
    d["threat"]["shapes"] = [{"shape": "lofted", "apogee_km": 1e9}]
    p = tmp_path / "lofted.yaml"
    p.write_text(yaml.safe_dump(d))
    runner = CliRunner()
    for args in (["coverage", str(p), "--resolution-km", "100"], ["raid", str(p), "--trials", "10"]):
        res = runner.invoke(app, args)
        assert (
            res.exit_code == 2
            and "threat.shapes.0.apogee_km: a lofted" in res.output
            and len(res.output.strip().splitlines()) == 1
        ), res.output
    traj = runner.invoke(
        app,
        [
            "trajectory",
            "--from",
            "sunan",
            "--missile",
            "nodong",
            "--to",
            "35.7,139.7",
            "--shape",
            "lofted",
            "--apogee-km",
            "1e9",
        ],
    )
    assert traj.exit_code == 2 and "needs an apogee of 0 to 706 km" in traj.output
