"""Life-cycle cost of an architecture: acquisition, interceptors, operation and support.

For each unit of a scenario's architecture, over a horizon of ``years``:

* **acquisition** - the unit's purchase price (``unit_cost``), for *new* units only; the purchase of
  an *in-service* unit is sunk and reported apart;
* **interceptors** - the initial load-out of new units (inventory x interceptor unit cost) plus
  ``reloads`` full reloads for every unit;
* **operation** - yearly operation and support (``operating_cost_per_year``) x ``years`` for every
  unit.

Every price is converted to yen of one price year (:mod:`bmdlab.catalog.money`); the totals are also
given at the low and high ends of the published price ranges. A scenario's ``cost:`` section can
override any price (with its currency and price year) to test a quoted figure.

This is the building-block method of a life-cycle cost estimate (GAO-20-195G, 2020) at open-source
fidelity: no learning curves, no site works or personnel cost beyond the cited O&S figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bmdlab.assembly.setup import Setup
from bmdlab.catalog import Catalog
from bmdlab.catalog.money import currency_of, exchange_rate, jpy_to_usd, money_json, to_jpy, value_to_jpy
from bmdlab.catalog.schema import Value
from bmdlab.errors import BmdlabError
from bmdlab.scenario import MoneySpec

CATEGORIES = ("acquisition", "interceptors", "operation")
ENDS = ("low", "nominal", "high")


@dataclass(frozen=True)
class CostLine:
    """The cost of the units of one type and status, in yen of the price year (low, nominal, high)."""

    unit: str
    interceptor: str
    status: str
    count: int
    interceptors_bought: int
    acquisition: tuple[float, float, float]
    interceptors: tuple[float, float, float]
    operation: tuple[float, float, float]
    sunk: tuple[float, float, float]
    sources: tuple[str, ...]

    @property
    def total(self) -> tuple[float, float, float]:
        return tuple(a + b + c for a, b, c in zip(self.acquisition, self.interceptors, self.operation))  # type: ignore[return-value]


@dataclass(frozen=True)
class CostBreakdown:
    """An architecture's cost over a horizon, in yen of ``price_year`` (and dollars)."""

    scenario: str
    price_year: int
    years: int
    reloads: int
    jpy_per_usd: float
    lines: tuple[CostLine, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def total(self, category: str | None = None, end: str = "nominal") -> float:
        """Total yen over the lines (one category or all); ``end`` is low, nominal or high."""
        k = ENDS.index(end)
        cats = CATEGORIES if category is None else (category,)
        return float(sum(getattr(line, c)[k] for line in self.lines for c in cats))

    @property
    def sunk(self) -> float:
        return float(sum(line.sunk[1] for line in self.lines))

    def money(self, jpy: float) -> dict[str, int | None]:
        """An amount of yen of the price year in bmdlab's money format (whole yen and dollars)."""
        return money_json(jpy, self.jpy_per_usd, self.price_year)

    def to_dict(self) -> dict[str, Any]:
        money = self.money
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "price_year": self.price_year,
            "years": self.years,
            "reloads": self.reloads,
            "jpy_per_usd": self.jpy_per_usd,
        }
        for c in CATEGORIES:
            out[c] = money(self.total(c))
        out["total"] = money(self.total())
        out["total_range"] = {"low": money(self.total(end="low")), "high": money(self.total(end="high"))}
        out["sunk_acquisition"] = money(self.sunk)
        out["lines"] = [
            {
                "unit": ln.unit,
                "interceptor": ln.interceptor,
                "status": ln.status,
                "count": ln.count,
                "interceptors_bought": ln.interceptors_bought,
                **{c: money(getattr(ln, c)[1]) for c in CATEGORIES},
                "total": money(ln.total[1]),
                "sunk_acquisition": money(ln.sunk[1]),
                "sources": list(ln.sources),
            }
            for ln in self.lines
        ]
        out.update(self.meta)
        return out


def _price(
    value: Value, override: MoneySpec | None, catalog: Catalog, price_year: int
) -> tuple[tuple[float, float, float], str]:
    econ = catalog.economics
    if override is not None:
        x = to_jpy(override.value, override.currency, override.price_year, econ, price_year)
        return (x, x, x), override.source
    currency_of(value.unit)
    return tuple(value_to_jpy(value, econ, price_year, which=w) for w in ENDS), value.source  # type: ignore[return-value]


def architecture_cost(setup: Setup) -> CostBreakdown:
    """Cost of an assembled architecture over its horizon, in yen and dollars of its price year
    (:attr:`bmdlab.assembly.setup.Setup.cost`: the scenario's ``cost`` section with the caller's overrides),
    with the scenario's price overrides, else the catalog's prices.
    """
    scenario, catalog, spec = setup.scenario, setup.catalog, setup.scenario.cost
    years, reloads, price_year = setup.cost.years, setup.cost.reloads, setup.cost.price_year
    econ = catalog.economics
    rate = exchange_rate(econ, price_year)

    groups: dict[tuple[str, str, str], list[int]] = {}
    for u in scenario.architecture.units:
        unit = catalog.units[u.unit]
        ic = u.interceptor or unit.interceptor
        inv = int(unit.magazine.nominal) if u.inventory is None else u.inventory
        groups.setdefault((u.unit, ic, u.status), []).append(inv)

    lines = []
    for (ukey, ic, status), invs in groups.items():
        unit = catalog.units[ukey]
        n = len(invs)
        buy, src_u = _price(unit.unit_cost, spec.unit_cost.get(ukey), catalog, price_year)
        shot, src_i = _price(catalog.interceptors[ic].unit_cost, spec.interceptor_cost.get(ic), catalog, price_year)
        ops, src_o = _price(unit.operating_cost_per_year, spec.operating_cost_per_year.get(ukey), catalog, price_year)
        new = status == "new"
        bought = (sum(invs) if new else 0) + reloads * sum(invs)
        zero = (0.0, 0.0, 0.0)
        lines.append(
            CostLine(
                unit=ukey,
                interceptor=ic,
                status=status,
                count=n,
                interceptors_bought=bought,
                acquisition=tuple(n * b for b in buy) if new else zero,  # type: ignore[arg-type]
                interceptors=tuple(bought * s for s in shot),  # type: ignore[arg-type]
                operation=tuple(n * years * o for o in ops),  # type: ignore[arg-type]
                sunk=zero if new else tuple(n * b for b in buy),  # type: ignore[arg-type]
                sources=tuple(dict.fromkeys((src_u, src_i, src_o))),
            )
        )
    return CostBreakdown(
        scenario=scenario.name,
        price_year=price_year,
        years=years,
        reloads=reloads,
        jpy_per_usd=rate,
        lines=tuple(lines),
        meta={"scenario_hash": scenario.hash, "catalog_hash": catalog.hash},
    )


def interceptor_prices(
    catalog: Catalog, price_year: int, overrides: dict[str, MoneySpec] | None = None
) -> dict[str, float]:
    """Each interceptor's unit price in yen of ``price_year`` (nominal)."""
    overrides = overrides or {}
    return {
        k: _price(i.unit_cost, overrides.get(k), catalog, price_year)[0][1] for k, i in catalog.interceptors.items()
    }


def missile_price(catalog: Catalog, missile: str, price_year: int) -> tuple[float, float, float]:
    """The attacker's cost of one missile in yen of ``price_year`` (low, nominal, high)."""
    econ = catalog.economics
    if missile not in econ.missile_costs:
        raise BmdlabError(f"missile '{missile}' has no cost in economics.yaml missile_costs; add one with its source")
    v = econ.missile_costs[missile]
    return tuple(value_to_jpy(v, econ, price_year, which=w) for w in ENDS)  # type: ignore[return-value]


__all__ = [
    "CATEGORIES",
    "CostBreakdown",
    "CostLine",
    "architecture_cost",
    "interceptor_prices",
    "jpy_to_usd",
    "missile_price",
]
