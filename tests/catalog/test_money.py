"""Money conversion: currencies, exchange rates and the price index, against hand computation."""

import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.catalog.money import currency_of, exchange_rate, jpy_to_usd, price_index, to_jpy, value_to_jpy
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


# The published tables, typed in by hand (not read from economics.yaml):
# Japan's GDP deflator, 2020 = 100 (Cabinet Office national accounts via World Bank NY.GDP.DEFL.ZS;
# 2008 interpolated log-linearly between 2005 and 2010 in the catalog):
JP_DEFLATOR = {2008: 99.1, 2010: 97.1, 2017: 98.5, 2018: 98.4, 2023: 104.3}
# U.S. GDP implicit price deflator, 2017 = 100 (BEA NIPA Table 1.1.9 line 1, FRED A191RD3A086NBEA):
US_DEFLATOR = {2011: 91.481, 2017: 100.0, 2018: 102.291, 2023: 122.39, 2025: 128.986}
# Yen per dollar, annual averages (Federal Reserve G.5A: 2017 release of 2021, 2023 release of 2024):
YEN_PER_USD = {2017: 112.0986, 2023: 140.5001}


@pytest.mark.parametrize(
    "amount,currency,year,base,expected",
    [
        # yen move with Japan's deflator only: JPY(B) = JPY(A) x D_JP(B) / D_JP(A)
        (1e9, "JPY", 2010, 2023, 1e9 * 104.3 / 97.1),  # = ¥1.0742 bn
        (134e9, "JPY", 2018, 2017, 134e9 * 98.5 / 98.4),  # Aegis Ashore 2018 estimate in 2017 yen
        # dollars: deflate in dollars, then convert at the base year's rate
        (13e6, "USD", 2011, 2023, 13e6 * 122.39 / 91.481 * 140.5001),  # SM-3 IB: US$17.39 M of 2023 = ¥2.444 bn
        (22e6, "USD/year", 2018, 2017, 22e6 * 100.0 / 102.291 * 112.0986),  # '/year' changes nothing
    ],
)
def test_to_jpy_against_the_published_tables_by_hand(amount, currency, year, base, expected):
    # tolerance: 1e-9 relative (the same arithmetic, only the order of the float operations differs)
    assert to_jpy(amount, currency, year, builtin_catalog().economics, base) == pytest.approx(expected, rel=1e-9)


def test_the_catalog_tables_are_the_published_values():
    # The values typed above (with their sources) are the catalog's; a changed table fails here, by name.
    econ = builtin_catalog().economics
    for y, v in JP_DEFLATOR.items():
        assert price_index(econ, y, "JPY") == v, y
    for y, v in US_DEFLATOR.items():
        assert price_index(econ, y, "USD") == v, y
    for y, v in YEN_PER_USD.items():
        assert exchange_rate(econ, y) == v, y


def test_a_published_price_range_low_nominal_and_high_by_hand():
    # Kongo-class BMD modification: ¥23.3-34.0 bn of 2008 (units.yaml, contract values via the U.S. Navy);
    # in 2017 yen with Japan's deflator 98.5 / 99.1; the nominal value is the range's midpoint, ¥28.65 bn.
    cat = builtin_catalog()
    v = cat.units["kongo-class"].unit_cost
    k = 98.5 / 99.1
    assert value_to_jpy(v, cat.economics, 2017, which="low") == pytest.approx(23.3e9 * k, rel=1e-9)
    assert value_to_jpy(v, cat.economics, 2017, which="high") == pytest.approx(34.0e9 * k, rel=1e-9)
    assert value_to_jpy(v, cat.economics, 2017) == pytest.approx(28.65e9 * k, rel=1e-9)
    # SM-3 Block IIA: US$28.2 M of 2017 (interceptors.yaml; one number: low = nominal = high) -> dollars of
    # 2023 (U.S. GDP deflator 122.39 / 100.0) -> yen at 140.5001
    iia = cat.interceptors["sm-3-iia"].unit_cost
    for which in ("low", "high"):
        assert value_to_jpy(iia, cat.economics, 2023, which=which) == pytest.approx(
            28.2e6 * 122.39 / 100.0 * 140.5001, rel=1e-9
        )
    with pytest.raises(ValueError, match="which: unknown 'mid'"):
        value_to_jpy(iia, cat.economics, 2023, which="mid")


@pytest.mark.parametrize(
    "usd,jpy,source",
    [
        (1.1e9, 125e9, "Japan Times, 2017-04-29: THAAD 'about ¥125 billion ($1.1 billion) for each unit'"),
        (
            706e6,
            80e9,
            "Asahi Shimbun, 2017-05-13: Aegis Ashore '70 billion-80 billion yen ($618 million-$706 million)'",
        ),
        (618e6, 70e9, "Asahi Shimbun, 2017-05-13 (the low end)"),
        (
            133e6,
            15e9,
            "Mainichi, 2018-01-10: four SM-3 IIA 'US$133 million or about 15 billion yen' (a late-2017 figure)",
        ),
    ],
)
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
