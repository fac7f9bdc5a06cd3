"""Catalog values have the dimension, sign and integrality of their field (bmdlab.catalog.units)."""

import pytest

from bmdlab.catalog import load_catalog
from bmdlab.catalog import units as q
from bmdlab.catalog.schema import KINDS, UNITS, Stage
from bmdlab.errors import BmdlabError


def test_builtin_catalog_passes_the_dimension_checks():
    # Commands skip pint on the built-in catalog; this test is where it is checked.
    cat = load_catalog(check_dimensions=True)
    assert cat.interceptors["thaad"].burn_time.unit == "s"


def test_every_field_of_every_kind_has_a_spec():
    for model, _ in KINDS.values():
        numeric = {n for n, f in model.model_fields.items() if "Value" in str(f.annotation)}
        assert numeric <= set(model.QUANTITIES), (model.__name__, numeric - set(model.QUANTITIES))
    assert set(Stage.QUANTITIES) == {"burn_time", "delta_v_share"}


@pytest.mark.parametrize("unit", [u for u, f in UNITS.items() if f is not None])
def test_si_factors_agree_with_pint(unit):
    # The runtime table of SI factors against pint's own conversion (an independent library).
    assert UNITS[unit] == pytest.approx(q.si_factor(unit), rel=1e-12)


@pytest.mark.parametrize(
    "unit,spec,ok",
    [
        ("s", q.TIME, True),
        ("min", q.TIME, True),
        ("km", q.TIME, False),
        ("km/s", q.SPEED, True),
        ("m/s", q.SPEED, True),
        ("km", q.SPEED, False),
        ("s", q.SPEED, False),
        ("deg", q.ELEVATION, True),
        ("fraction", q.ELEVATION, False),
        ("deg", q.FRACTION, False),
        ("count", q.COUNT, True),
        ("kg", q.COUNT, False),
        ("t", q.MASS, True),
        ("m2", q.AREA, True),
        ("km", q.AREA, False),
        ("USD", q.MONEY, True),
        ("JPY", q.MONEY, True),
        ("USD/year", q.MONEY, False),
        ("JPY/year", q.MONEY_PER_YEAR, True),
        ("JPY/USD", q.EXCHANGE_RATE, True),
        ("USD", q.EXCHANGE_RATE, False),
        ("text", q.TEXT, True),
        ("km", q.TEXT, False),
    ],
)
def test_dimension_check(unit, spec, ok):
    assert (q.check_dimension(unit, spec) is None) is ok


@pytest.mark.parametrize(
    "values,factor,spec,why",
    [
        ([8.0], 1.0, q.COUNT, None),
        ([8.5], 1.0, q.COUNT, "whole number"),
        ([-1.0], 1.0, q.COUNT, ">= 0"),
        ([0.0], 1e3, q.LENGTH, "> 0"),
        ([float("inf")], 1.0, q.TIME, "finite"),
        ([1.2], 1.0, q.FRACTION, "<= 1"),
        ([91.0], UNITS["deg"], q.LATITUDE, "<= 90"),
        ([0.9], 1.0, q.MASS_RATIO, "> 1"),
        ([0.0], 1.0, q.STAGES, ">= 1"),
    ],
)
def test_value_check(values, factor, spec, why):
    got = q.check_value(values, factor, spec)
    assert (got is None) if why is None else (why in got), got


@pytest.mark.parametrize(
    "fname,kind,key,field,value,message",
    [
        (
            "interceptors.yaml",
            "interceptors",
            "thaad",
            "burn_time",
            {"unit": "km"},
            "thaad.burn_time: unit 'km' is of dimension [length], but this field is a time; use day or s or min",
        ),
        (
            "interceptors.yaml",
            "interceptors",
            "thaad",
            "burnout_speed",
            {"unit": "km"},
            "thaad.burnout_speed: unit 'km' is of dimension [length], but this field is a speed; use m/s or km/s",
        ),
        ("missiles.yaml", "missiles", "nodong", "payload", {"unit": "s"}, "nodong.payload: unit 's'"),
        (
            "sensors.yaml",
            "sensors",
            "tpy-2-tm",
            "field_of_view",
            {"unit": "fraction"},
            "field_of_view: unit 'fraction' is a plain number, but this field is an angle; use deg",
        ),
        (
            "units.yaml",
            "units",
            "thaad-battery",
            "magazine",
            {"value": -4},
            "magazine: value -4 must be a whole number >= 0",
        ),
        (
            "units.yaml",
            "units",
            "thaad-battery",
            "magazine",
            {"value": 47.5},
            "magazine: value 47.5 must be a whole number",
        ),
        ("units.yaml", "units", "thaad-battery", "unit_cost", {"unit": "JPY/year"}, "unit_cost: unit 'JPY/year'"),
        ("missiles.yaml", "missiles", "nodong", "range", {"value": [1300, 1000]}, "low <= high"),
        (
            "interceptors.yaml",
            "interceptors",
            "thaad",
            "min_intercept_altitude",
            {"value": 500, "plausible": None, "plausible_basis": None},
            "must be below max_intercept_altitude",
        ),
        ("interceptors.yaml", "interceptors", "thaad", "test_record", {"value": [15, 15.5]}, "whole numbers"),
    ],
)
def test_user_catalog_with_a_wrong_value_is_refused(catalog_with, fname, kind, key, field, value, message):
    cdir = catalog_with(fname, kind, key, field, **value)
    with pytest.raises(BmdlabError) as err:
        load_catalog(cdir)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_speed_in_m_per_s_is_the_same_speed(catalog_with):
    ref = load_catalog().interceptors["thaad"].burnout_speed
    cdir = catalog_with(
        "interceptors.yaml", "interceptors", "thaad", "burnout_speed", unit="m/s", value=ref.nominal * 1000.0
    )
    assert load_catalog(cdir).interceptors["thaad"].burnout_speed.si() == pytest.approx(ref.si())
