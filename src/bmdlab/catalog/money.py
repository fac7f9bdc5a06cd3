"""Money: currencies, price years and the conversion of catalog prices to yen of one price year.

A price in the catalog carries its currency (``JPY`` or ``USD``, optionally ``/year``) and its
price year. To compare prices from different years and currencies bmdlab follows one convention:

1. move the price to the chosen price year *in its own currency*, with that currency's price index
   (the U.S. GDP deflator for dollars, Japan's GDP deflator for yen):
   :math:`C_{Y_0} = C_Y \\, D(Y_0) / D(Y)`; then
2. convert at the chosen year's annual-average exchange rate (Federal Reserve G.5A).

Deflating first keeps each price on its own country's inflation: a dollar price is not carried
through a yen exchange rate of another year and then Japan's deflator (which mixes the two
countries' price levels with the exchange-rate swing of the years between). Dollar figures of the
result are the yen divided by the exchange rate of the chosen price year. The tables live in the
catalog's ``economics.yaml``, every entry with its source (BEA NIPA Table 1.1.9 for the U.S.
deflator, World Bank NY.GDP.DEFL.ZS for Japan's, Federal Reserve G.5A for the rates).

References
----------
.. [1] OECD, "Glossary of statistical terms: deflator" - the standard constant-price conversion.
.. [2] U.S. GAO, Cost Estimating and Assessment Guide, GAO-20-195G (2020): normalise costs to
       constant dollars of one base year with an inflation index before comparing them.
"""

from __future__ import annotations

import math

from bmdlab.catalog.schema import CURRENCIES, Economics, Value
from bmdlab.errors import BmdlabError


def _lookup(table: dict, year: int, what: str) -> float:
    if year in table:
        return float(table[year].nominal)
    years = sorted(table)
    raise BmdlabError(
        f"price year {year}: no {what} for that year in economics.yaml (it covers {years[0]}-{years[-1]}); "
        f"use a year in that range or add the {what}"
    )


def exchange_rate(economics: Economics, year: int) -> float:
    """Yen per US dollar, annual average of ``year``. [JPY/USD]"""
    return _lookup(economics.exchange_rates, year, "exchange rate")


def price_index(economics: Economics, year: int, currency: str = "JPY") -> float:
    """Price index (GDP deflator) of ``year`` for ``currency``'s country (Japan or the U.S.). [1]"""
    if currency_of(currency) == "USD":
        if not economics.us_deflator:
            raise BmdlabError(
                "economics.yaml has no us_deflator table; add the U.S. GDP deflator to convert dollar prices"
            )
        return _lookup(economics.us_deflator, year, "U.S. price index")
    return _lookup(economics.deflator, year, "price index")


def currency_of(unit: str) -> str:
    """``JPY`` from ``JPY`` or ``JPY/year``; an unknown currency is a one-line error."""
    cur = unit.removesuffix("/year")
    if cur not in CURRENCIES:
        raise BmdlabError(
            f"currency '{unit}' is not supported; use one of {', '.join(CURRENCIES)} (optionally per year)"
        )
    return cur


def to_jpy(amount: float, currency: str, price_year: int, economics: Economics, base_year: int) -> float:
    """An amount of ``currency`` in ``price_year`` money, as yen of ``base_year``.

    Parameters
    ----------
    amount : float
        Money in its own currency and price year.
    currency : {'JPY', 'USD'} (a ``/year`` suffix is ignored)
    price_year, base_year : int
        The amount's price year and the year whose yen the result is in.
    """
    cur = currency_of(currency)
    constant = amount * price_index(economics, base_year, cur) / price_index(economics, price_year, cur)
    return constant * exchange_rate(economics, base_year) if cur == "USD" else constant


def value_to_jpy(value: Value, economics: Economics, base_year: int, *, which: str = "nominal") -> float:
    """A catalog money :class:`~bmdlab.catalog.schema.Value` as yen of ``base_year``.

    ``which`` picks the nominal value (the midpoint of a published range), ``low`` or ``high``.
    """
    if which == "nominal":
        x = value.nominal
    elif which in ("low", "high"):
        x = (
            float(min(value.value) if which == "low" else max(value.value))
            if isinstance(value.value, list)
            else value.nominal
        )
    else:
        raise ValueError(f"which: unknown '{which}'; use nominal, low or high")
    return to_jpy(x, value.unit, value.year, economics, base_year)


def jpy_to_usd(jpy: float, economics: Economics, base_year: int) -> float:
    """Yen of ``base_year`` as US dollars at that year's exchange rate."""
    return jpy / exchange_rate(economics, base_year)


def money_json(
    jpy: float, jpy_per_usd: float | None, price_year: int | None, usd: float | None = None
) -> dict[str, int | None]:
    """bmdlab's one money format in JSON: whole yen and whole US dollars of one price year.

    ``{"jpy": int, "usd": int, "price_year": int}``; with no exchange rate (a user catalog without
    economics) only the amount given is filled and the other is ``None``.
    """
    jpy = None if jpy is None or not math.isfinite(jpy) else jpy
    usd = None if usd is None or not math.isfinite(usd) else usd
    if usd is None and jpy is not None and jpy_per_usd:
        usd = jpy / jpy_per_usd
    if jpy is None and usd is not None and jpy_per_usd:
        jpy = usd * jpy_per_usd
    return {
        "jpy": None if jpy is None else int(round(jpy)),
        "usd": None if usd is None else int(round(usd)),
        "price_year": None if price_year is None else int(price_year),
    }
