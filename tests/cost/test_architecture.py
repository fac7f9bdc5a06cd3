"""Life-cycle cost of an architecture against hand-computed sums."""

import pytest

from bmdlab.assembly import Overrides, assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.money import value_to_jpy
from bmdlab.cost.architecture import architecture_cost
from bmdlab.errors import BmdlabError
from bmdlab.scenario import load_scenario

SCEN = """
name: two-units
architecture:
  units:
    - {unit: aegis-ashore, at: araya}
    - {unit: kongo-class, at: station-sea-of-japan-central, status: in-service}
threat: {launch_areas: [sunan], missiles: [nodong]}
cost: {years: 10, reloads: 2, price_year: 2017}
"""


def test_cost_sums_by_hand(tmp_path):
    cat = builtin_catalog()
    econ = cat.economics
    f = tmp_path / "s.yaml"
    f.write_text(SCEN)
    b = architecture_cost(assemble(load_scenario(f, cat), cat))
    aa, kg = cat.units["aegis-ashore"], cat.units["kongo-class"]
    p_aa = value_to_jpy(cat.interceptors["sm-3-iia"].unit_cost, econ, 2017)
    p_kg = value_to_jpy(cat.interceptors["sm-3-ia"].unit_cost, econ, 2017)
    acq = value_to_jpy(aa.unit_cost, econ, 2017)  # the in-service ship's purchase is sunk
    shots = 24 * (1 + 2) * p_aa + 8 * 2 * p_kg  # new: load-out + 2 reloads; in service: 2 reloads
    ops = 10 * (
        value_to_jpy(aa.operating_cost_per_year, econ, 2017) + value_to_jpy(kg.operating_cost_per_year, econ, 2017)
    )
    assert b.total("acquisition") == pytest.approx(acq, rel=1e-12)
    assert b.total("interceptors") == pytest.approx(shots, rel=1e-12)
    assert b.total("operation") == pytest.approx(ops, rel=1e-12)
    assert b.total() == pytest.approx(acq + shots + ops, rel=1e-12)
    assert b.sunk == pytest.approx(value_to_jpy(kg.unit_cost, econ, 2017), rel=1e-12)
    d = b.to_dict()
    assert d["total"]["usd"] == pytest.approx(d["total"]["jpy"] / d["jpy_per_usd"], rel=1e-6)
    assert d["total_range"]["low"]["jpy"] <= d["total"]["jpy"] <= d["total_range"]["high"]["jpy"]


def test_override_tests_the_quoted_price(tmp_path):
    cat = builtin_catalog()
    f = tmp_path / "s.yaml"
    f.write_text(
        SCEN.replace(
            "price_year: 2017}",
            "price_year: 2017, unit_cost: {aegis-ashore: {value: 80.0e9, currency: JPY, price_year: 2017}}}",
        )
    )
    b = architecture_cost(assemble(load_scenario(f, cat), cat))
    assert b.total("acquisition") == pytest.approx(80e9)


def test_zero_years_means_no_operation():
    cat = builtin_catalog()
    b = architecture_cost(assemble(load_scenario("japan-2017-aegis-ashore", cat), cat, Overrides(years=0)))
    assert b.total("operation") == 0.0
    assert b.total("acquisition") > 0


@pytest.mark.parametrize(
    "extra, match",
    [
        ("{value: 80.0e9, currency: EUR, price_year: 2017}", "currency 'EUR' is not supported"),
        ("{value: 80.0e9, currency: JPY}", "price_year: field is required"),
        ("{value: -1, currency: JPY, price_year: 2017}", "value: -1 must be a number from 0 to"),
    ],
)
def test_bad_price_override_is_one_line(tmp_path, extra, match):
    f = tmp_path / "s.yaml"
    f.write_text(SCEN.replace("price_year: 2017}", "price_year: 2017, unit_cost: {aegis-ashore: " + extra + "}}"))
    with pytest.raises(BmdlabError, match=match) as exc:
        load_scenario(f, builtin_catalog())
    assert "\n" not in str(exc.value)


def test_override_of_unknown_unit(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        SCEN.replace(
            "price_year: 2017}",
            "price_year: 2017, unit_cost: {aegis-ashor: {value: 1, currency: JPY, price_year: 2017}}}",
        )
    )
    with pytest.raises(BmdlabError, match="cost.unit_cost.aegis-ashor.*did you mean 'aegis-ashore'"):
        load_scenario(f, builtin_catalog())
