"""How numbers are shown: one rounding rule for shares, and money in yen with its price year.

A share is rounded to ``digits`` decimals of a percent, except that rounding never reaches 100 % for a
share below one nor 0 % for a share above zero: 0.9995 is shown as "> 99.9 %", not "100.0 %", and
0.0004 as "< 0.1 %". A share that is exactly 1 or 0 is shown as such.

Money is shown in yen at a scale a reader takes in at a glance ("¥1,614 bn", "¥650 M", "¥12,345") with
at least three significant digits, and the price year its value is expressed in ("2017 prices"); with an
exchange rate, in US dollars too ("$14,520 M"). A cost is never negative: a negative amount is refused.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

from bmdlab.errors import BmdlabError

#: Yen in a billion and in a million; US dollars in a million.
_BN, _M = 1e9, 1e6


def percent(x: float, digits: int = 1) -> str:
    """``x`` (a share, 0 to 1) as a percent with ``digits`` decimals, never rounded to 100 % or 0 % unless exact."""
    if not math.isfinite(x):
        return "n/a"
    p = 100.0 * x
    step = 10.0**-digits
    shown = round(p, digits)
    if shown >= 100.0 and x < 1.0:
        return f"> {100.0 - step:.{digits}f} %"
    if shown <= 0.0 and x > 0.0:
        return f"< {step:.{digits}f} %"
    return f"{shown:.{digits}f} %"


def round_share(x: float, digits: int = 4) -> float:
    """``x`` (a share, 0 to 1) rounded to ``digits`` decimals for storage, but never to 1 below one nor to 0 above zero.

    A share stored as exactly 1 reads as "everything" everywhere it is shown (0.99996 is not all of Japan's
    people): below one it is kept at most 1 - 10**-digits, above zero at least 10**-digits.
    """
    step = 10.0**-digits
    shown = round(float(x), digits)
    if shown >= 1.0 and x < 1.0:
        return round(1.0 - step, digits)
    if shown <= 0.0 and x > 0.0:
        return step
    return shown


def share_ci(x: float, low: float, high: float, digits: int = 1) -> str:
    """A share and its 95 % interval, each by :func:`percent`: "12.3 % (95 % CI 11.8 % to 12.9 %)"."""
    return f"{percent(x, digits)} (95 % CI {percent(low, digits)} to {percent(high, digits)})"


def _amount(x: float, unit: str, symbol: str) -> str:
    """``x`` in ``unit`` (bn, M or none) with at least three significant digits, halves rounded up: 1,235 / 80.0 / 2.50."""
    decimals = 0 if x >= 99.95 or not unit else 1 if x >= 9.995 else 2
    shown = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{symbol}{shown:,} {unit}".rstrip()


def _scaled(x: float, symbol: str, units: tuple[tuple[float, str], ...]) -> str:
    """``x`` in the largest of ``units`` ((size, name), largest first) that it reaches, else in whole units."""
    for size, name in units:
        if x >= 0.9995 * size:
            return _amount(x / size, name, symbol)
    return _amount(x, "", symbol)


def _number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise BmdlabError(f"{name}: expected a number, got {type(x).__name__} {x!r}")
    return float(x)


def money(jpy: float | None, price_year: int | None, *, usd_per_jpy: float | None = None) -> str:
    """An amount of yen as a reader takes it in: "¥1,614 bn (2017 prices)", "¥1,614 bn ($14,520 M, 2017 prices)".

    Parameters
    ----------
    jpy : float or None
        The amount [JPY], in ``price_year`` yen. ``None`` or NaN (no value) is shown as "n/a".
    price_year : int or None
        The year whose prices the amount is in; ``None`` when a table's header already says it.
    usd_per_jpy : float, optional
        US dollars per yen (e.g. 1 / 112.2): the amount is also shown in millions of dollars.

    Returns
    -------
    str
        Billions of yen from ¥1 bn up, millions below, whole yen under a million; at least three significant
        digits (¥1,235 bn, ¥80.0 bn, ¥2.50 bn).

    Raises
    ------
    BmdlabError
        A negative or infinite amount (a cost is never negative), a price year that is not a whole year, or
        an exchange rate that is not a positive number.
    """
    if jpy is None:
        return "n/a"
    x = _number(jpy, "jpy")
    if math.isnan(x):
        return "n/a"
    if x < 0 or math.isinf(x):
        raise BmdlabError(f"jpy: a cost is a finite amount of yen of at least 0, got {jpy!r}")
    if price_year is not None and (isinstance(price_year, bool) or not isinstance(price_year, int)):
        raise BmdlabError(f"price_year: expected a whole year such as 2017, got {price_year!r}")
    notes = []
    if usd_per_jpy is not None:
        rate = _number(usd_per_jpy, "usd_per_jpy")
        if not (math.isfinite(rate) and rate > 0):
            raise BmdlabError(f"usd_per_jpy: expected a positive exchange rate (US$ per yen), got {usd_per_jpy!r}")
        notes.append(_scaled(x * rate, "$", ((_M, "M"),)))
    if price_year is not None:
        notes.append(f"{price_year} prices")
    return _scaled(x, "¥", ((_BN, "bn"), (_M, "M"))) + (f" ({', '.join(notes)})" if notes else "")


__all__ = ["money", "percent", "round_share", "share_ci"]
