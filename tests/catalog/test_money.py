"""Money conversion: currencies, exchange rates and the price index, against hand computation."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.money import currency_of, exchange_rate, jpy_to_usd, price_index, to_jpy
from bmdlab.errors import BmdlabError


def test_usd_in_one_year_to_yen_of_another_by_hand():
    econ = builtin_catalog().economics
    # closed form: USD x rate(2010) x D(2017) / D(2010)
    want = 1e6 * exchange_rate(econ, 2010) * price_index(econ, 2017) / price_index(econ, 2010)
    assert to_jpy(1e6, "USD", 2010, econ, 2017) == pytest.approx(want, rel=1e-12)
    assert to_jpy(5e9, "JPY/year", 2017, econ, 2017) == 5e9  # same year, same currency: unchanged
    assert jpy_to_usd(to_jpy(1e6, "USD", 2017, econ, 2017), econ, 2017) == pytest.approx(1e6, rel=1e-12)


def test_published_2017_exchange_rate():
    # Federal Reserve G.5A: 2017 annual average 112.1 yen per dollar (tolerance 1 yen for the source's rounding)
    assert exchange_rate(builtin_catalog().economics, 2017) == pytest.approx(112.1, abs=1.0)


def test_unknown_currency_and_missing_year_are_one_line_errors():
    econ = builtin_catalog().economics
    with pytest.raises(BmdlabError, match="currency 'EUR' is not supported"):
        currency_of("EUR")
    with pytest.raises(BmdlabError, match="price year 1950: no exchange rate"):
        to_jpy(1.0, "USD", 1950, econ, 2017)
