"""Money conversion: currencies, exchange rates and the price index, against hand computation."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.money import currency_of, exchange_rate, jpy_to_usd, price_index, to_jpy
from bmdlab.errors import BmdlabError


def test_dollars_are_deflated_in_dollars_then_converted_by_hand():
    # By hand from the published tables, not from bmdlab's functions:
    # BEA NIPA Table 1.1.9 (FRED A191RD3A086NBEA, 2017 = 100): 2011 91.481, 2025 128.986;
    # Federal Reserve G.5A 2017 annual average 112.0986 yen per dollar.
    econ = builtin_catalog().economics
    # THAAD interceptor, US$12 M in 2025 dollars -> 2017 yen: 12e6 x 100 / 128.986 x 112.0986
    assert to_jpy(12e6, "USD", 2025, econ, 2017) == pytest.approx(12e6 * 100 / 128.986 * 112.0986, rel=1e-9)
    assert to_jpy(12e6, "USD", 2025, econ, 2017) / 112.0986 == pytest.approx(9.3033e6, rel=1e-4)  # US$9.30 M of 2017
    # SM-3 Block IB, US$13 M in 2011 dollars -> 2017 dollars: 13e6 x 100 / 91.481 = US$14.21 M
    assert jpy_to_usd(to_jpy(13e6, "USD", 2011, econ, 2017), econ, 2017) == pytest.approx(13e6 * 100 / 91.481, rel=1e-9)
    # yen move with Japan's deflator only (World Bank NY.GDP.DEFL.ZS, 2020 = 100: 2010 97.1, 2017 98.5)
    assert to_jpy(1e9, "JPY", 2010, econ, 2017) == pytest.approx(1e9 * 98.5 / 97.1, rel=1e-9)
    assert to_jpy(5e9, "JPY/year", 2017, econ, 2017) == 5e9  # same year, same currency: unchanged
    assert jpy_to_usd(to_jpy(1e6, "USD", 2017, econ, 2017), econ, 2017) == pytest.approx(1e6, rel=1e-12)


@pytest.mark.parametrize("usd,jpy,source", [
    (1.1e9, 125e9, "Japan Times, 2017-04-29: THAAD 'about ¥125 billion ($1.1 billion) for each unit'"),
    (706e6, 80e9, "Asahi Shimbun, 2017-05-13: Aegis Ashore '70 billion-80 billion yen ($618 million-$706 million)'"),
    (618e6, 70e9, "Asahi Shimbun, 2017-05-13 (the low end)"),
    (133e6, 15e9, "Mainichi, 2018-01-10: four SM-3 IIA 'US$133 million or about 15 billion yen' (a late-2017 figure)"),
])
def test_published_yen_dollar_pairs_of_2017_within_2_percent(usd, jpy, source):
    # The exchange-rate step against figures that newspapers printed in both currencies (issue #11: 2 %).
    econ = builtin_catalog().economics
    assert to_jpy(usd, "USD", 2017, econ, 2017) == pytest.approx(jpy, rel=0.02), source


def test_published_2017_exchange_rate():
    # Federal Reserve G.5A: 2017 annual average 112.1 yen per dollar (tolerance 1 yen for the source's rounding)
    assert exchange_rate(builtin_catalog().economics, 2017) == pytest.approx(112.1, abs=1.0)


def test_unknown_currency_and_missing_year_are_one_line_errors():
    econ = builtin_catalog().economics
    with pytest.raises(BmdlabError, match="currency 'EUR' is not supported"):
        currency_of("EUR")
    with pytest.raises(BmdlabError, match="price year 1950: no U.S. price index"):
        to_jpy(1.0, "USD", 1950, econ, 2017)
    with pytest.raises(BmdlabError, match="price year 1950: no exchange rate"):
        exchange_rate(econ, 1950)
