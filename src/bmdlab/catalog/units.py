"""What each catalog field measures, and checks that its value does: dimension, sign, range, whole numbers.

Every numeric field of a catalog entry has a :class:`Quantity` spec: the kind of quantity it is
(a length, a time, a speed, money ...), the values it may take and whether it counts things. Two
layers use the specs:

* :func:`check_value` (sign, range, integrality) runs on every entry of every catalog, as part of
  the pydantic models in :mod:`bmdlab.catalog.schema`; it needs no units library.
* :func:`check_dimension` asks `pint <https://pint.readthedocs.io>`_ whether the value's unit has
  the dimension of its field (a burn time given in ``km`` is refused). It runs on every catalog a
  user passes with ``--catalog``; the built-in catalog is checked by the test suite
  (``tests/catalog/test_units.py``), so commands on the built-in catalog do not pay pint's import.

Money is not a physical dimension; the registry gives US dollars and yen a dimension each
(``[usd]``, ``[jpy]``), since their ratio changes by year (:mod:`bmdlab.catalog.money`). Plane
angles are dimensionless in SI, so an angle field also requires a unit that pint reduces to radians,
and a plain number field refuses one.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

#: Catalog unit names that pint spells differently (all others are pint's own symbols).
PINT_SPELLING = {
    "km2": "km**2",
    "m2": "m**2",
    "fraction": "dimensionless",
    "ratio": "dimensionless",
    "index": "dimensionless",
    "count": "dimensionless",
    "USD/year": "USD/year",
    "JPY/year": "JPY/year",
}

#: Kind of quantity -> pint dimensionalities it admits (one per accepted currency for money).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "length": ("[length]",),
    "area": ("[length] ** 2",),
    "time": ("[time]",),
    "speed": ("[length] / [time]",),
    "mass": ("[mass]",),
    "angle": ("",),
    "number": ("",),
    "money": ("[usd]", "[jpy]"),
    "money per year": ("[usd] / [time]", "[jpy] / [time]"),
    "exchange rate": ("[jpy] / [usd]",),
    "index": ("",),
}


@dataclass(frozen=True)
class Quantity:
    """What one catalog field measures and the values it may take (in SI units, after conversion)."""

    kind: str  #: a key of :data:`DIMENSIONS`
    minimum: float | None = None  #: smallest allowed value [SI]
    maximum: float | None = None  #: largest allowed value [SI]
    above_minimum: bool = False  #: the minimum itself is not allowed (e.g. a length must be > 0)
    integer: bool = False  #: counts things (launchers, stages, rounds)

    def rule(self, factor: float = 1.0) -> str:
        """The allowed values in words, with the limits in a unit of SI ``factor``."""
        lo = (
            ""
            if self.minimum is None
            else (f"> {self.minimum / factor:g}" if self.above_minimum else f">= {self.minimum / factor:g}")
        )
        hi = "" if self.maximum is None else f"<= {self.maximum / factor:g}"
        text = " and ".join(x for x in (lo, hi) if x)
        return (
            ("a whole number " if self.integer else "a number ") + text
            if text
            else ("a whole number" if self.integer else "a number")
        )


@functools.cache
def registry() -> Any:
    """pint's default unit registry with a dimension for each currency (built once per process)."""
    import pint  # lazy: pint takes ~0.3 s to import; only a user catalog's dimension check needs it

    ureg = pint.UnitRegistry()
    ureg.define("USD = [usd]")
    ureg.define("JPY = [jpy]")
    return ureg


@functools.cache
def _unit_info(unit: str) -> tuple[str, bool, float]:
    """pint's dimensionality of a catalog unit, whether it is an angle, and its factor to SI."""
    ureg = registry()
    q = ureg.Quantity(1.0, PINT_SPELLING.get(unit, unit))
    base = q.to_base_units()
    is_angle = str(base.units) == "radian"
    dim = "" if q.dimensionless else str(q.dimensionality)
    if "[usd]" in dim or "[jpy]" in dim:  # money is kept in its currency, per year where it is yearly
        return dim, False, 1.0
    if dim == "" and not is_angle:
        return dim, False, float(q.to("dimensionless").magnitude)
    return dim, is_angle, float(base.magnitude)


def si_factor(unit: str) -> float:
    """Factor from a catalog unit to SI (m, s, kg, rad), by pint; money stays in its currency (per year)."""
    return _unit_info(unit)[2]


def check_dimension(unit: str, spec: Quantity) -> str | None:
    """Why ``unit`` cannot carry a value of ``spec``'s kind, or None if it can."""
    if unit in ("text", "hits/attempts"):
        return None if spec.kind in ("text", "record") else f"unit '{unit}' is not {_a(spec.kind)}"
    if spec.kind in ("text", "record"):
        return f"unit '{unit}' must be {'text' if spec.kind == 'text' else 'hits/attempts'}"
    dim, is_angle, _ = _unit_info(unit)
    ok = dim in DIMENSIONS[spec.kind]
    if spec.kind == "angle":
        ok = ok and is_angle
    elif spec.kind in ("number", "index"):
        ok = ok and not is_angle
    if ok:
        return None
    got = "an angle" if is_angle else ("a plain number" if dim == "" else f"of dimension {dim}")
    return f"unit '{unit}' is {got}, but this field is {_a(spec.kind)}"


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def check_value(values: list[float], factor: float | None, spec: Quantity) -> str | None:
    """Why ``values`` (in the source's unit, converted by ``factor``) break ``spec``, or None."""
    factor = 1.0 if factor is None else factor
    for x in values:
        si = x * factor
        if not math.isfinite(si):
            return f"value {x!r} must be a finite number"
        if spec.integer and x != int(x):
            return f"value {x:g} must be a whole number"
        if spec.minimum is not None and (si <= spec.minimum if spec.above_minimum else si < spec.minimum):
            return f"value {x:g} must be {spec.rule(factor)}"
        if spec.maximum is not None and si > spec.maximum:
            return f"value {x:g} must be {spec.rule(factor)}"
    return None


# The kinds of field, with limits that follow from what they are (not from any one missile).
LENGTH = Quantity("length", 0.0, above_minimum=True)
RANGE = Quantity("length", 0.0, 2.0e7, above_minimum=True)  # at most half the Earth's circumference
BURN_TIME = Quantity("time", 0.0, 1000.0, above_minimum=True)  # ICBM boosts last about 300 s
BURNOUT_SPEED = Quantity("speed", 100.0, 11_000.0)  # below escape speed
ALTITUDE = Quantity("length", 0.0)
AREA = Quantity("area", 0.0, above_minimum=True)
TIME = Quantity("time", 0.0, above_minimum=True)
DELAY = Quantity("time", 0.0)
SPEED = Quantity("speed", 0.0, above_minimum=True)
MIN_SPEED = Quantity("speed", 0.0)
MASS = Quantity("mass", 0.0, above_minimum=True)
COUNT = Quantity("number", 0.0, 1e6, integer=True)
STAGES = Quantity("number", 1.0, 10.0, integer=True)
FRACTION = Quantity("number", 0.0, 1.0)
SHARE = Quantity("number", 0.0, 1.0, above_minimum=True)
POSITIVE = Quantity("number", 0.0, above_minimum=True)
MASS_RATIO = Quantity("number", 1.0, above_minimum=True)
MONEY = Quantity("money", 0.0)
MONEY_PER_YEAR = Quantity("money per year", 0.0)
EXCHANGE_RATE = Quantity("exchange rate", 0.0, above_minimum=True)
INDEX = Quantity("index", 0.0, above_minimum=True)
ELEVATION = Quantity("angle", -math.pi / 2, math.pi / 2)
HALF_ANGLE = Quantity("angle", 0.0, math.pi, above_minimum=True)
FIELD_OF_VIEW = Quantity("angle", 0.0, 2 * math.pi, above_minimum=True)
LATITUDE = Quantity("angle", -math.pi / 2, math.pi / 2)
LONGITUDE = Quantity("angle", -math.pi, math.pi)
TEXT = Quantity("text")
RECORD = Quantity("record")
