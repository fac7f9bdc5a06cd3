"""National coverage (bmdlab.coverage.national): invariants and consistency, on coarse grids."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage import national
from bmdlab.coverage.national import national_coverage
from bmdlab.coverage.summary import coverage_summary
from bmdlab.geo.grid import land_grid
from bmdlab.scenario import Scenario, load_scenario

CAT = builtin_catalog()
GRID = land_grid(40.0)


def _scenario(units, missiles=("nodong",), areas=("wonsan",)):
    return Scenario.model_validate(
        {
            "name": "test",
            "architecture": {"units": units},
            "threat": {"launch_areas": list(areas), "missiles": list(missiles)},
        }
    )


SITES = [
    ("pac-3-fire-unit", "pac3-ichigaya"),
    ("pac-3-fire-unit", "pac3-kasuga"),
    ("thaad-battery", {"lat": 36.0, "lon": 137.0}),
    ("thaad-battery", {"lat": 34.0, "lon": 132.0}),
    ("kongo-class", "station-sea-of-japan-central"),
    ("kongo-class", "station-east-china-sea"),
    ("aegis-ashore", "mutsumi"),
]


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.sampled_from(range(len(SITES))), min_size=1, max_size=3, unique=True),
    st.sampled_from(range(len(SITES))),
)
def test_adding_a_unit_never_lowers_coverage(chosen, extra):
    # Property: coverage with one more unit (full engagement recomputed) is a superset.
    units = [{"unit": SITES[i][0], "at": SITES[i][1]} for i in chosen]
    a = national_coverage(assemble(_scenario(units), CAT), GRID, workers=1)
    b = national_coverage(
        assemble(_scenario(units + [{"unit": SITES[extra][0], "at": SITES[extra][1]}]), CAT), GRID, workers=1
    )
    assert np.all(b.defended()[a.defended()])
    assert b.fractions(b.defended())[1] >= a.fractions(a.defended())[1]


def test_finer_grid_keeps_fractions():
    # Tolerance: 3 percentage points between a 40 km and a 20 km grid for a THAAD pair.
    units = [
        {"unit": "thaad-battery", "at": {"lat": 36.0, "lon": 137.0}},
        {"unit": "thaad-battery", "at": {"lat": 34.0, "lon": 132.0}},
    ]
    coarse = national_coverage(assemble(_scenario(units), CAT), GRID, workers=1)
    fine = national_coverage(assemble(_scenario(units), CAT), land_grid(20.0), workers=1)
    for x, y in zip(coarse.fractions(coarse.defended()), fine.fractions(fine.defended())):
        assert x == pytest.approx(y, abs=0.03)


def test_reach_matches_missile_range_and_summary_fields():
    units = [{"unit": "kongo-class", "at": "station-sea-of-japan-central"}]
    cov = national_coverage(assemble(_scenario(units, missiles=("scud-er", "nodong")), CAT), GRID, workers=1)
    # the Scud-ER (1,000 km) reaches less of Japan than the Nodong (1,300 km) from the same area
    assert cov.reach[0].sum() < cov.reach[1].sum()
    s = coverage_summary(cov, [{"name": "Tokyo", "lat": 35.69, "lon": 139.69, "population": 9_733_276}]).to_dict()
    for key in ("land_fraction", "population_fraction", "per_launch_area", "cities", "units"):
        assert key in s
    assert s["cities"][0]["name"] == "Tokyo" and isinstance(s["cities"][0]["defended"], bool)
    assert s["units"][0]["population_fraction_alone"] == pytest.approx(s["population_fraction"])


def test_process_pool_equals_serial():
    scen = load_scenario("japan-2017-baseline", CAT)
    a = national_coverage(assemble(scen, CAT), GRID, workers=1)
    b = national_coverage(assemble(scen, CAT), GRID, workers=2)
    assert np.array_equal(a.shots, b.shots) and np.array_equal(a.reach, b.reach)
    assert national._FORKED_JOBS == {}  # the jobs the forked workers inherited are let go


def test_a_failing_job_in_the_pool_lets_its_jobs_go(monkeypatch):
    monkeypatch.setattr(national, "engage_case", _raise)
    with pytest.raises(RuntimeError, match="job failed"):
        national_coverage(assemble(load_scenario("japan-2017-baseline", CAT), CAT), GRID, workers=2)
    assert national._FORKED_JOBS == {}


def _raise(*_args):
    raise RuntimeError("job failed")


def test_no_defender_in_reach_defends_nothing():
    units = [{"unit": "pac-3-fire-unit", "at": "pac3-naha"}]  # Okinawa: the Nodong from Wonsan cannot reach it
    cov = national_coverage(assemble(_scenario(units), CAT), GRID, workers=1)
    assert cov.fractions(cov.defended()) == (0.0, 0.0)


@pytest.mark.parametrize(
    "scenario,missile,area",
    [("japan-2017-aegis-ashore", "nodong", "wonsan"), ("japan-2017-thaad", "scud-er", "tongchang-ri")],
)
def test_pruned_engagement_equals_a_naive_full_scan(scenario, missile, area):
    """The engine (bmdlab.defense.shots.engage) skips work it can prove useless (scans stop once the network has a track, far
    trajectories and pre-apogee samples are skipped per defender); the shots must equal a naive
    computation over every sample, every sensor and every defender."""
    from dataclasses import replace

    from bmdlab.assembly.setup import ThreatCase
    from bmdlab.coverage.national import Network, engage_case, threat_of
    from bmdlab.defense.engage import detection_time, sample, sensors_against
    from bmdlab.defense.envelope import intercept_opportunities
    from bmdlab.defense.shots import LOCAL_SENSOR_RANGE
    from bmdlab.trajectory import missile_trajectory

    setup = assemble(load_scenario(scenario, CAT), CAT)
    timeline = replace(setup.timeline, cueing=True, max_shots=8)  # many shots: counts see every sample
    grid = land_grid(20.0)
    place, mis = CAT.place(area), CAT.missile(missile)
    threat = threat_of(CAT, ThreatCase(area, missile, "minimum-energy", None))
    (shots,), reach = engage_case(threat, grid, [Network(setup.defenders, setup.sensors)], timeline)
    idx = np.flatnonzero(reach)
    traj = missile_trajectory(
        mis,
        np.radians(place.lat.nominal),
        np.radians(place.lon.nominal),
        np.radians(grid.lat_deg[idx]),
        np.radians(grid.lon_deg[idx]),
        shape="minimum-energy",
        strict=False,
    )
    s = sample(traj)
    launch = (np.radians(place.lat.nominal), np.radians(place.lon.nominal))
    defenders = [d.against(mis, launch) for d in setup.defenders]  # radars face the launch point, ranges for its RCS
    sensors = sensors_against(setup.sensors, mis, defenders[0].model, launch)
    shared = list(sensors) + [d.sensor for d in defenders if d.sensor.detection_range >= LOCAL_SENSOR_RANGE]
    elevation = timeline.min_elevation
    network = np.min([detection_time(s, x, elevation, chunk=10_000) for x in shared], axis=0) + timeline.cue_latency
    naive = np.zeros_like(shots)
    for i, d in enumerate(defenders):
        own = detection_time(s, d.sensor, elevation, chunk=10_000)
        got = intercept_opportunities(
            s.times,
            s.positions,
            s.altitudes,
            d.position,
            d.envelope,
            commit_time=np.minimum(own, network) + d.delay(timeline.track_delay),
            kill_assessment=timeline.kill_assessment,
            max_shots=timeline.max_shots,
        )
        naive[i, idx] = got.shots
    assert idx.size > 100 and naive.sum() > 0
    np.testing.assert_array_equal(shots, naive)


def test_fractions_are_of_all_japan_and_unreached_land_is_its_own_category():
    # A Nodong from Wonsan (1,300 km) does not reach eastern Hokkaido nor the Nansei islands: that land
    # is 'not threatened', counted in the denominator, never dropped. A Hwasong-12 (4,500 km) reaches it all.
    units = [{"unit": "aegis-ashore", "at": "araya"}, {"unit": "aegis-ashore", "at": "mutsumi"}]
    near = national_coverage(assemble(_scenario(units), CAT), GRID, workers=1)
    far = national_coverage(assemble(_scenario(units, missiles=("nodong", "hwasong-12")), CAT), GRID, workers=1)
    for cov in (near, far):
        parts = cov.breakdown(cov.defended())
        assert sum(p["land_fraction"] for p in parts.values()) == pytest.approx(1.0, abs=2e-4)
        assert sum(p["population"] for p in parts.values()) == pytest.approx(GRID.population.sum(), rel=1e-9)
    unreached = near.breakdown(near.defended())["not threatened"]
    assert unreached["land_fraction"] > 0.02  # eastern Hokkaido and the Nansei islands, independently of coverage
    assert far.breakdown(far.defended())["not threatened"]["land_fraction"] == 0.0
    land_all, _ = near.fractions(near.defended())
    land_threatened, _ = near.fractions(near.defended(), of="threatened")
    assert land_all == pytest.approx(land_threatened * (1 - unreached["land_fraction"]), rel=1e-3)
    summary = coverage_summary(near).to_dict()
    assert summary["fractions_of"] == "all of Japan's land and people"
    nansei = next(r for r in summary["regions"] if r["region"] == "Nansei islands")
    # Okinawa, Miyako and Yaeyama lie over 1,300 km from Wonsan (Naha 1,440 km); the Amami islands do not
    assert 0.3 < nansei["not_threatened"]["land_fraction"] < 1.0


def test_threat_groups_give_each_missile_its_own_launch_areas_and_shapes():
    from bmdlab.assembly.setup import threat_cases

    sc = Scenario.model_validate(
        {
            "name": "groups",
            "architecture": {"units": [{"unit": "aegis-ashore", "at": "araya"}]},
            "threat": {
                "groups": [
                    {"missiles": ["nodong"], "launch_areas": ["wonsan", "sunan"]},
                    {
                        "missiles": ["hwasong-12"],
                        "launch_areas": ["sunan"],
                        "shapes": [{"shape": "minimum-energy"}, {"shape": "lofted", "apogee_km": 2111.5}],
                    },
                    {"missiles": ["nodong"], "launch_areas": ["wonsan"]},  # repeated: counted once
                ]
            },
        }
    )
    labels = [c.label for c in threat_cases(sc, CAT)]
    assert labels == [
        "nodong from wonsan (minimum-energy)",
        "nodong from sunan (minimum-energy)",
        "hwasong-12 from sunan (minimum-energy)",
        "hwasong-12 from sunan (lofted 2,112 km)",
    ]
    assert sc.threat.all_missiles == ["nodong", "hwasong-12"]
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="either missiles/launch_areas/shapes or groups"):
        Scenario.model_validate(
            {
                "name": "x",
                "architecture": {"units": [{"unit": "aegis-ashore", "at": "araya"}]},
                "threat": {"missiles": ["nodong"], "groups": [{"missiles": ["nodong"]}]},
            }
        )


@pytest.mark.slow
def test_coverages_of_several_architectures_at_once_equal_one_call_each():
    # national_coverages flies each threat once for every architecture: the answers must be the same,
    # cell for cell, as separate national_coverage calls (an independent computation of the same thing).
    from bmdlab.coverage.national import national_coverages

    scs = [load_scenario(n, CAT) for n in ("japan-2017-baseline", "japan-2017-aegis-ashore")]
    together = national_coverages([assemble(sc, CAT) for sc in scs], GRID, workers=1)
    for sc, cov in zip(scs, together):
        alone = national_coverage(assemble(sc, CAT), GRID, workers=1)
        assert cov.scenario == sc.name and cov.threats == alone.threats
        assert np.array_equal(cov.shots, alone.shots) and np.array_equal(cov.reach, alone.reach)


def test_setups_with_other_timelines_or_threats_share_only_what_they_can():
    # One pass per set of threat cases, each setup with its own timeline: a slower track delay (another
    # timeline) and another threat (another pass) must give what each setup's own call gives.
    from bmdlab.assembly.overrides import Overrides
    from bmdlab.coverage.national import national_coverages

    sc = load_scenario("japan-2017-aegis-ashore", CAT)
    other = load_scenario("japan-2017-nodong-scud-er", CAT)
    setups = [
        assemble(sc, CAT),
        assemble(sc, CAT, Overrides(track_delay_s=240.0)),
        assemble(other, CAT),
        assemble(sc, CAT, Overrides(limits=frozenset())),
    ]
    assert setups[1].timeline != setups[0].timeline and setups[2].threats != setups[0].threats
    together = national_coverages(setups, GRID, workers=1)
    alone = [national_coverage(s, GRID, workers=1) for s in setups]
    for cov, ref in zip(together, alone):
        assert cov.threats == ref.threats
        assert np.array_equal(cov.shots, ref.shots) and np.array_equal(cov.reach, ref.reach)
    assert not np.array_equal(together[0].shots, together[1].shots)  # the timeline matters here
