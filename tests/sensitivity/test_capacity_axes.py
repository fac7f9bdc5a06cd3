"""The sensitivity axes of issue #14: every unit's availability and a factor on the catalog's fire channels."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.errors import BmdlabError
from bmdlab.sensitivity import evaluate
from bmdlab.sensitivity.model import check_point, point_setup

CAT = builtin_catalog()


def test_the_axes_reach_the_units():
    p = check_point({"scenario": "japan-2017-thaad", "fire_channels_scale": 4, "availability": 0.7})
    setup = point_setup(p, CAT)
    units = setup.units
    thaad = [u for d, u in zip(setup.defenders, units, strict=True) if d.unit == "thaad-battery"]
    assert thaad and all(u.fire_channels == 4 * int(CAT.units["thaad-battery"].fire_channels.nominal) for u in thaad)
    assert units and all(u.availability == 0.7 for u in units)


def test_more_channels_and_units_on_station_mean_fewer_leakers():
    # common random numbers (one seed): each change can only help the defence, trial by trial
    base = dict(scenario="japan-2017-thaad", missiles=60)
    m0 = evaluate(base, trials=300)
    more = evaluate({**base, "fire_channels_scale": 4}, trials=300)
    here = evaluate({**base, "availability": 1.0}, trials=300)
    assert more["expected_leakers"] < m0["expected_leakers"]
    assert here["expected_leakers"] <= m0["expected_leakers"]
    assert m0["expected_leakers_ci95_half_width"] > 0


@pytest.mark.parametrize(
    "point, field", [({"availability": 1.5}, "availability"), ({"fire_channels_scale": 0}, "fire_channels_scale")]
)
def test_bad_values_are_refused(point, field):
    with pytest.raises(BmdlabError, match=field):
        check_point(point)
