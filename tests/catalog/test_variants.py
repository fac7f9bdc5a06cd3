"""Catalog variants (bmdlab.catalog.variants.with_values): the changed value, nothing else, a new hash."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.variants import with_values
from bmdlab.errors import BmdlabError
from bmdlab.trajectory.atmospheric import Vehicle


def test_a_variant_changes_one_value_and_its_hash():
    cat = builtin_catalog()
    var = with_values(cat, {("missiles", "hwasong-8", "lift_to_drag"): 2.6})
    assert var.missiles["hwasong-8"].lift_to_drag.value == 2.6
    assert cat.missiles["hwasong-8"].lift_to_drag.value == 2.0  # the original is untouched
    assert var.hash != cat.hash and with_values(cat, {("missiles", "hwasong-8", "lift_to_drag"): 2.6}).hash == var.hash
    assert var.missiles["kn-23"] is cat.missiles["kn-23"] and var.units is cat.units
    assert Vehicle.of(var.missiles["hwasong-8"]).lift_to_drag == 2.6


def test_a_value_in_its_catalog_unit():
    var = with_values(builtin_catalog(), {("missiles", "hwasong-8", "boost_angle"): 20})
    assert Vehicle.of(var.missiles["hwasong-8"]).boost_angle == pytest.approx(0.349066, rel=1e-5)  # 20 deg in rad


@pytest.mark.parametrize(
    ("address", "match"),
    [
        (("missiles", "no-such", "range"), "missiles.no-such: not in the catalog"),
        (("missiles", "kn-23", "name"), "not a catalog value"),
    ],
)
def test_bad_addresses_are_refused(address, match):
    with pytest.raises(BmdlabError, match=match):
        with_values(builtin_catalog(), {address: 1.0})
