"""Cost-effectiveness: prices in one currency and year, architecture cost, trade-offs, budgets."""

from bmdlab.catalog.money import exchange_rate, jpy_to_usd, price_index, to_jpy, value_to_jpy
from bmdlab.cost.architecture import CostBreakdown, architecture_cost, interceptor_prices, missile_price

__all__ = [
    "CostBreakdown",
    "architecture_cost",
    "exchange_rate",
    "interceptor_prices",
    "jpy_to_usd",
    "missile_price",
    "price_index",
    "to_jpy",
    "value_to_jpy",
]
