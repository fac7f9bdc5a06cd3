"""Money: currencies, price years and the conversion of catalog prices to yen of one price year.

A price in the catalog carries its currency (``JPY`` or ``USD``, optionally ``/year``) and its
price year. To compare prices from different years and currencies bmdlab

1. converts dollars to yen at the annual-average exchange rate of the price year, then
2. moves the yen to the chosen price year with a price index (Japan's GDP deflator):
   :math:`C_{Y_0} = C_Y \\, D(Y_0) / D(Y)`.

Dollar figures of the result are the yen divided by the exchange rate of the chosen price year.
Both tables live in the catalog's ``economics.yaml``, every entry with its source.

References
----------
.. [1] OECD, "Glossary of statistical terms: deflator" - the standard constant-price conversion
       used here; exchange-rate conversion at the price year follows U.S. GAO cost-estimating
       practice (GAO-20-195G, Cost Estimating and Assessment Guide, 2020, ch. 10).
"""

from __future__ import annotations

from bmdlab.catalog.schema import CURRENCIES, Economics, Value
from bmdlab.errors import BmdlabError


def _lookup(table: dict, year: int, what: str) -> float:
    if year in table:
        return float(table[year].nominal)
    years = sorted(table)
    raise BmdlabError(f"price year {year}: no {what} for that year in economics.yaml (it covers {years[0]}-{years[-1]}); "
                      f"use a year in that range or add the {what}")


def exchange_rate(economics: Economics, year: int) -> float:
    """Yen per US dollar, annual average of ``year``. [JPY/USD]"""
    return _lookup(economics.exchange_rates, year, "exchange rate")


def price_index(economics: Economics, year: int) -> float:
    """Price index (GDP deflator) of ``year``. [1]"""
    return _lookup(economics.deflator, year, "price index")


def currency_of(unit: str) -> str:
    """``JPY`` from ``JPY`` or ``JPY/year``; an unknown currency is a one-line error."""
    cur = unit.removesuffix("/year")
    if cur not in CURRENCIES:
        raise BmdlabError(f"currency '{unit}' is not supported; use one of {', '.join(CURRENCIES)} (optionally per year)")
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
    jpy = amount * exchange_rate(economics, price_year) if cur == "USD" else amount
    return jpy * price_index(economics, base_year) / price_index(economics, price_year)


def value_to_jpy(value: Value, economics: Economics, base_year: int, *, which: str = "nominal") -> float:
    """A catalog money :class:`~bmdlab.catalog.schema.Value` as yen of ``base_year``.

    ``which`` picks the nominal value (the midpoint of a published range), ``low`` or ``high``.
    """
    if which == "nominal":
        x = value.nominal
    elif which in ("low", "high"):
        x = float(min(value.value) if which == "low" else max(value.value)) if isinstance(value.value, list) else value.nominal
    else:
        raise ValueError(f"which: unknown '{which}'; use nominal, low or high")
    return to_jpy(x, value.unit, value.year, economics, base_year)


def jpy_to_usd(jpy: float, economics: Economics, base_year: int) -> float:
    """Yen of ``base_year`` as US dollars at that year's exchange rate."""
    return jpy / exchange_rate(economics, base_year)
