"""Incremental coverage (bmdlab.coverage.incremental): the cache must give exactly the coverage that
national_coverage computes from scratch (the independent reference), after every kind of edit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.incremental import CoverageCache
from bmdlab.coverage.national import national_coverage
from bmdlab.geo.grid import land_grid
from bmdlab.scenario import Scenario

CAT = builtin_catalog()
RES = 40.0
GRID = land_grid(RES)


def _scenario(units, sensors=(), threat=None, timeline=None):
    data = {
        "name": "test",
        "architecture": {"units": list(units), "sensors": list(sensors)},
        "threat": threat
        or {
            "groups": [
                {"missiles": ["nodong"], "launch_areas": ["wonsan", "sinpo"]},
                {
                    "missiles": ["scud-er"],
                    "launch_areas": ["wonsan"],
                    "shapes": [{"shape": "lofted", "apogee_km": 400}],
                },
            ]
        },
    }
    if timeline:
        data["timeline"] = timeline
    return assemble(Scenario.model_validate(data), CAT)


BASE = [
    {"unit": "kongo-class", "at": "station-sea-of-japan-central"},
    {"unit": "kongo-class", "at": "station-east-china-sea"},
    {"unit": "thaad-battery", "at": {"lat": 36.0, "lon": 137.0}},
    {"unit": "pac-3-fire-unit", "at": "pac3-ichigaya"},
    {"unit": "aegis-ashore", "at": "mutsumi"},
]
SENSORS = [{"sensor": "tpy-2-fbm", "at": "shariki"}, {"sensor": "fps-5", "at": "fps5-sado"}]


def _same(cov, ref):
    assert cov.threats == ref.threats
    assert np.array_equal(cov.reach, ref.reach)
    assert np.array_equal(cov.shots, ref.shots), f"{int((cov.shots != ref.shots).sum())} cells differ"
    assert cov.scenario_hash == ref.scenario_hash and cov.catalog_hash == ref.catalog_hash


def _ref(sc):
    return national_coverage(sc, GRID, workers=1)


@pytest.mark.slow
def test_every_edit_gives_the_from_scratch_coverage():
    # Reference: national_coverage on a fresh start for each architecture (tolerance: exact, bit for bit).
    cache = CoverageCache(CAT, workers=2)
    edits = [
        BASE,  # first load
        [
            BASE[0],
            BASE[1],
            {"unit": "thaad-battery", "at": {"lat": 34.0, "lon": 132.0}},
            BASE[3],
            BASE[4],
        ],  # a land unit moved
        [
            {"unit": "kongo-class", "at": {"lat": 39.0, "lon": 136.0}},
            *BASE[1:],
        ],  # a networked radar moved: cues everyone
        BASE[:4],  # a unit removed
        BASE + [{"unit": "pac-3-fire-unit", "at": "pac3-kasuga"}],  # a unit added
    ]
    for units in edits:
        sc = _scenario(units, SENSORS)
        _same(cache.coverage(sc, RES), _ref(sc))
    assert cache.stats.shots_reused > 0 and cache.stats.flights_reused > 0


@pytest.mark.slow
def test_timeline_and_model_changes_are_not_served_from_the_cache():
    cache = CoverageCache(CAT, workers=1)
    sc = _scenario(BASE, SENSORS)
    cache.coverage(sc, RES)
    for tl in (
        {"cueing": False},
        {"track_delay_s": 120.0},
        {"max_shots": 1},
        {"flyout": "straight-line"},
        {"engagement_limits": []},
    ):
        changed = _scenario(BASE, SENSORS, timeline=tl)
        _same(cache.coverage(changed, RES), _ref(changed))


@pytest.mark.slow
def test_a_new_threat_flies_only_its_own_trajectories():
    cache = CoverageCache(CAT, workers=1)
    sc = _scenario(BASE)
    cache.coverage(sc, RES)
    flown = cache.stats.flights_computed
    more = _scenario(
        BASE,
        threat={
            "groups": [
                {"missiles": ["nodong"], "launch_areas": ["wonsan", "sinpo", "tongchang-ri"]},
                {
                    "missiles": ["scud-er"],
                    "launch_areas": ["wonsan"],
                    "shapes": [{"shape": "lofted", "apogee_km": 400}],
                },
            ]
        },
    )
    assert cache.pending(more, RES) == 1
    _same(cache.coverage(more, RES), _ref(more))
    assert cache.stats.flights_computed == flown + 1


@pytest.mark.slow
def test_a_tiny_memory_budget_evicts_and_stays_exact():
    cache = CoverageCache(CAT, max_bytes=1, workers=1)
    a = _scenario(BASE)
    b = _scenario(BASE, threat={"missiles": ["scud-er"], "launch_areas": ["tongchang-ri"]})
    for sc in (a, b, a):
        _same(cache.coverage(sc, RES), _ref(sc))
    # only the last scenario's threat cases are kept (the budget is exceeded by them alone)
    assert {k[1] for k in cache._flights} == set(a.threats)


@settings(max_examples=6, deadline=None)
@given(lat=st.floats(31.5, 43.0), lon=st.floats(130.5, 144.0))
@pytest.mark.slow
def test_dragging_a_sea_unit_anywhere_matches_the_reference(lat, lon):
    # Property: wherever a networked destroyer is dragged, the incremental answer is the from-scratch one.
    cache = _shared_cache()
    units = [{"unit": "kongo-class", "at": {"lat": lat, "lon": lon}}, *BASE[1:]]
    sc = _scenario(units, threat={"missiles": ["nodong"], "launch_areas": ["sinpo"]})
    _same(cache.coverage(sc, RES), _ref(sc))


_CACHE = []


def _shared_cache():
    if not _CACHE:
        _CACHE.append(CoverageCache(CAT, workers=1))
    return _CACHE[0]


def test_bad_budget_is_refused():
    with pytest.raises(ValueError, match="max_bytes"):
        CoverageCache(CAT, max_bytes=0)
