"""Coverage by flight class (bmdlab.coverage.flight_classes): what "covered against a class" means, checked by
hand-counted cells and an engagement computed independently (the class's own coverage, one call per class)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.flight_classes import class_coverage, class_masks, class_shares, covered
from bmdlab.coverage.national import national_coverage
from bmdlab.geo.grid import land_grid
from bmdlab.scenario import Scenario

CAT = builtin_catalog()
GRID = land_grid(60.0)


def _scenario(units, groups):
    return Scenario.model_validate({"name": "test", "architecture": {"units": units}, "threat": {"groups": groups}})


GROUPS = [
    {"missiles": ["nodong"], "launch_areas": ["wonsan"]},
    {"missiles": ["kn-23"], "launch_areas": ["hodo"]},
    {"missiles": ["hwasong-8"], "launch_areas": ["ryongrim"]},
]
UNITS = [
    {"unit": "pac-3-fire-unit", "at": "pac3-kasuga", "interceptor": "pac-3-mse"},
    {"unit": "kongo-class", "at": "station-sea-of-japan-west"},
]


@pytest.fixture(scope="module")
def cov():
    return national_coverage(assemble(_scenario(UNITS, GROUPS), CAT), GRID, workers=1)


def test_each_class_gets_its_own_threat_cases(cov):
    masks = class_masks(cov, CAT)
    assert list(masks) == ["ballistic", "quasi-ballistic", "boost-glide"]
    assert [cov.threats[int(np.argmax(m))].missile for m in masks.values()] == ["nodong", "kn-23", "hwasong-8"]


def test_covered_is_defended_or_out_of_the_class_reach(cov):
    m = class_masks(cov, CAT)["quasi-ballistic"]
    reach = cov.reach[m].any(axis=0)
    assert reach.sum() < reach.size  # a 690 km KN-23 from Hodo reaches part of Japan only
    ok = covered(cov, m)
    assert np.all(ok[~reach])  # unreached cells count as covered
    assert np.array_equal(ok[reach], cov.defended(threats=m)[reach])


def test_shares_equal_an_independent_count(cov):
    # the land share of a class, counted cell by cell from the coverage computed for that class alone
    for name, m in class_masks(cov, CAT).items():
        alone = class_coverage(cov, m)
        tot = alone.total_shots()
        ok = np.all((tot > 0) | ~alone.reach, axis=0)
        area = GRID.area_m2
        assert class_shares(cov, CAT)[name]["land_fraction"] == pytest.approx(area[ok].sum() / area.sum(), abs=1e-4)


def test_class_shares_have_every_region(cov):
    shares = class_shares(cov, CAT)
    assert set(shares["boost-glide"]["regions"]) >= {"Kanto", "Kyushu", "Hokkaido"}


@settings(max_examples=4, deadline=None)
@given(st.sampled_from([0, 1]))
def test_a_unit_more_never_lowers_a_class_share(drop):
    # Property (coverage never shrinks when a unit is added), per flight class.
    fewer = [u for i, u in enumerate(UNITS) if i != drop]
    a = class_shares(national_coverage(assemble(_scenario(fewer, GROUPS), CAT), GRID, workers=1), CAT)
    b = class_shares(national_coverage(assemble(_scenario(UNITS, GROUPS), CAT), GRID, workers=1), CAT)
    for c in a:
        assert b[c]["population_fraction"] >= a[c]["population_fraction"] - 1e-12
