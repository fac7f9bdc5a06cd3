"""The report's number rules (bmdlab.numbers): shares never rounded to 100 % or 0 % unless exact, money in ¥ bn.

Every expected string is worked out by hand from the rule in the module's docstring.
"""

import math

import pytest

from bmdlab.errors import BmdlabError
from bmdlab.numbers import money, percent, round_share, share_ci


@pytest.mark.parametrize(
    ("share", "digits", "shown"),
    [
        (0.9995, 1, "> 99.9 %"),  # 99.95 % rounds to 100.0 %: shown as above 99.9 % instead
        (0.99999, 2, "> 99.99 %"),
        (1.0, 1, "100.0 %"),  # exactly all
        (0.0, 1, "0.0 %"),  # exactly none
        (0.0004, 1, "< 0.1 %"),  # 0.04 % rounds to 0.0 %
        (0.00049, 0, "< 1 %"),
        (0.9994, 1, "99.9 %"),  # 99.94 % rounds down to 99.9 %: no rule needed
        (0.123456, 1, "12.3 %"),
        (0.5, 0, "50 %"),
        (float("nan"), 1, "n/a"),
    ],
)
def test_percent_never_reaches_100_or_0_unless_exact(share, digits, shown):
    assert percent(share, digits) == shown


def test_share_ci_uses_the_rule_at_both_ends():
    # 0 of 2,000 trials: the exact upper end is 1 - 0.025 ** (1 / 2000) = 0.18 %, shown as 0.2 %
    upper = 1 - 0.025 ** (1 / 2000)
    assert abs(upper - 0.001843) < 1e-6
    assert share_ci(0.0, 0.0, upper) == "0.0 % (95 % CI 0.0 % to 0.2 %)"
    assert share_ci(0.9995, 0.9981, 0.99999) == "> 99.9 % (95 % CI 99.8 % to > 99.9 %)"


@pytest.mark.parametrize(
    ("jpy", "shown"),
    [
        (1.2345e12, "¥1,235 bn"),  # 1,234.5 bn: the half rounds up
        (1.614e12, "¥1,614 bn"),
        (80e9, "¥80.0 bn"),  # three significant digits
        (2.5e9, "¥2.50 bn"),
        (999.4e6, "¥999 M"),  # under a billion: millions
        (999.5e6, "¥1.00 bn"),  # rounds to a billion: shown as one
        (650e6, "¥650 M"),
        (12_345.4, "¥12,345"),  # under a million: whole yen
        (0, "¥0"),
    ],
)
def test_money_scale_and_digits(jpy, shown):
    assert money(jpy, None) == shown


def test_money_names_the_price_year_and_dollars():
    assert money(1.614e12, 2017) == "¥1,614 bn (2017 prices)"
    # ¥1,614 bn at ¥112.1 per US$: 1.614e12 / 112.1 / 1e6 = 14,397.86 -> $14,398 M
    assert money(1.614e12, 2017, usd_per_jpy=1 / 112.1) == "¥1,614 bn ($14,398 M, 2017 prices)"
    # ¥80 bn at ¥112.1 per US$: 713.65 -> $714 M; ¥12,345 -> $110.13 -> $110
    assert money(80e9, None, usd_per_jpy=1 / 112.1) == "¥80.0 bn ($714 M)"
    assert money(12_345, None, usd_per_jpy=1 / 112.1) == "¥12,345 ($110)"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_money_without_a_value_is_not_available(missing):
    assert money(missing, 2017) == "n/a"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"jpy": -1.0, "price_year": 2017}, "jpy"),
        ({"jpy": math.inf, "price_year": 2017}, "jpy"),
        ({"jpy": "80e9", "price_year": 2017}, "jpy"),
        ({"jpy": True, "price_year": 2017}, "jpy"),
        ({"jpy": 1e9, "price_year": 2017.0}, "price_year"),
        ({"jpy": 1e9, "price_year": True}, "price_year"),
        ({"jpy": 1e9, "price_year": 2017, "usd_per_jpy": 0.0}, "usd_per_jpy"),
        ({"jpy": 1e9, "price_year": 2017, "usd_per_jpy": -0.009}, "usd_per_jpy"),
    ],
)
def test_money_refuses_bad_input_in_one_line_naming_the_field(kwargs, field):
    with pytest.raises(BmdlabError) as e:
        money(**kwargs)
    msg = str(e.value)
    assert msg.startswith(f"{field}: ")
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("share", "stored"),
    [
        (0.99996, 0.9999),  # would round to 1.0: kept below one
        (1.0, 1.0),
        (0.00004, 0.0001),  # would round to 0.0: kept above zero
        (0.0, 0.0),
        (0.123456, 0.1235),
    ],
)
def test_round_share_never_stores_all_or_nothing_unless_exact(share, stored):
    assert round_share(share) == stored
    assert percent(round_share(0.99996)) == "> 99.9 %"
