"""The factor space of the global uncertainty analysis: which assumed values vary, and over what range.

A :class:`Factor` is one run parameter (a field of :class:`~bmdlab.assembly.overrides.Overrides`) with the range
it is sampled over and the basis of that range. :func:`default_space` builds the decisive unknowns of a scenario
in this one place. Wherever a factor stands for catalog values, its range is **derived from the catalog's
plausible ranges** (``plausible: [low, high]`` on a :class:`~bmdlab.catalog.schema.Value`, the range an analyst
would still defend from open sources) of the entries the scenario uses:

========================  ==================================================================================
``fire_channels_quantile`` the units' ``fire_channels``: 0 to 1, every unit's channels at that position of its
                          own plausible range (one unknown, the radars' and fire controls' engagement budget,
                          moves them together; each unit stays inside its range)
``sea_availability``      the ships' ``availability`` (their share on station) plausible ranges, their envelope
``land_availability``     the land units' ``availability`` plausible ranges, their envelope
``track_delay_s``         the units' ``reaction_time`` plausible ranges [s], their envelope (4 levels)
``missile_reliability``   the raid's missiles' ``reliability`` plausible ranges: their means weighted by
                          each kind's missiles in the raid
``sspk_quantile``         0.05-0.95: the 90 % credible interval of each interceptor's test-record posterior
``limit_crossing``,       on/off (the limits' values are mostly assumed in the catalog)
``limit_min_flight_time``
``cost_scale``            0.7-1.5 (a factor on every price; a model range, see :data:`MODEL_RANGES`)
========================  ==================================================================================

One override moves every unit of a kind at once (one share on station for the ships, one availability for the
land units, one delay), so such a factor's range is the **envelope** of its entries' ranges: every unit's own plausible range is reachable,
at the price of taking some units beyond theirs at the ends (units are not interchangeable: a ship's channels
and a PAC-3's defend different things, so no mean stands for them). One reliability for every missile is
different: what it changes is how many missiles work, so its ends are the raid's **weighted means**, each kind
of missile at the low (high) end of its range weighted by its number in the raid, which give the same expected
number of working missiles as every missile at its own end. Where no entry has a plausible range (yet), the
factor falls back to the model range of :data:`MODEL_RANGES`, whose reasoning is its basis; a factor records
which entries had none (:attr:`Factor.missing`), and :func:`fallbacks` lists the factors that fell back.

The raid size is not a factor: it is the analyst's input, never varied or optimised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import UNITS, Value
from bmdlab.errors import BmdlabError
from bmdlab.scenario import Scenario, resolve_scenario

#: The kinds of factor: a real number, a whole number, or an on/off switch.
KINDS = ("continuous", "integer", "switch")

#: Ranges used where the catalog has no plausible range for a factor's entries, with their reasoning. The
#: delay, reliability and price ranges are those of the one-at-a-time tornado (:mod:`bmdlab.sensitivity.tornado`).
MODEL_RANGES: dict[str, tuple[float, float, str]] = {
    "fire_channels_scale": (
        1.0,
        6.0,
        "model range: the catalog's channel counts are the most simultaneous engagements shown in public tests, "
        "lower bounds (their notes); the real limit is not published. From that bound to six times it "
        "(2 to 12 channels for an Aegis or THAAD unit).",
    ),
    "sea_availability": (
        0.25,
        0.5,
        "model range: one to two of four BMD ships on station (NHK 2019), the Kongo class's note.",
    ),
    "land_availability": (
        0.7,
        0.97,
        "model range: a land unit is up except in maintenance outages (Deveselu offline four months in 2019).",
    ),
    "track_delay_s": (
        30.0,
        120.0,
        "model range: detection (or cue) to launch decision of 30 s to 120 s for every unit, the tornado's; "
        "the catalog's reaction times are assumed (15-60 s).",
    ),
    "missile_reliability": (
        0.8,
        1.0,
        "model range: North Korean test failures (0.8) to every missile working (1), the tornado's.",
    ),
    "cost_scale": (
        0.7,
        1.5,
        "model range: a factor on every price; the spread of the published Aegis Ashore estimates (¥80 bn in "
        "2017 to ¥134 bn in 2018) is about this wide (the tornado's).",
    ),
}
#: Levels a factor that changes the raid plan or the coverage takes (each distinct value costs a plan and a
#: coverage per worker, 1-2 s); four is also the Morris grid's number of levels.
PLAN_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    """One uncertain input: the run ``parameter`` it sets, sampled over ``[low, high]``.

    ``kind`` is ``continuous``, ``integer`` (every whole number of the range equally likely) or ``switch``
    (``off`` or ``on``, equally likely; ``low``/``high`` are 0 and 1). ``levels`` makes a continuous factor
    take that many evenly spaced values (each equally likely): for a parameter whose every distinct value
    costs a raid plan or a coverage. ``basis`` says where the range comes from; ``missing`` names the entries
    that had no plausible range in the catalog, and ``source`` is ``catalog`` (the range derived from catalog
    plausible ranges), ``model`` (a documented model range, :data:`MODEL_RANGES`), ``definition`` (a range
    that is part of what the parameter means, e.g. a posterior's quantiles) or ``analyst`` (:func:`with_range`).
    """

    name: str
    parameter: str
    low: float
    high: float
    kind: str = "continuous"
    basis: str = ""
    levels: int | None = None
    source: str = "catalog"
    missing: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise BmdlabError(f"factors: {self.name}: kind '{self.kind}' must be one of {', '.join(KINDS)}")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise BmdlabError(f"factors: {self.name}: [{self.low}, {self.high}] must be finite with low <= high")
        if self.levels is not None and (self.kind != "continuous" or self.levels < 2):
            raise BmdlabError(f"factors: {self.name}: levels must be at least 2, on a continuous factor")

    def value(self, x: float) -> Any:
        """The run value at ``x`` in [0, 1] (a point of the unit hypercube the samplers draw): ``low + x (high -
        low)``; a whole number or a level: the ``floor(x n)``-th of its ``n`` values, so each is equally likely
        (Morris's grid {0, 1/3, 2/3, 1} lands on four levels one to one); a switch: ``on`` from 0.5."""
        x = min(max(float(x), 0.0), 1.0)
        if self.kind == "switch":
            return "on" if x >= 0.5 else "off"
        if self.kind == "integer":
            n = int(self.high) - int(self.low) + 1
            return int(self.low) + min(int(x * n), n - 1)
        if self.levels:
            k = min(int(x * self.levels), self.levels - 1)
            x = k / (self.levels - 1)
        return float(f"{self.low + (self.high - self.low) * x:.9g}")  # a readable run key; far below MC noise

    def values(self) -> list[Any] | None:
        """Every value the factor takes, or None for a continuous one without levels."""
        if self.kind == "switch":
            return ["off", "on"]
        if self.kind == "integer":
            return list(range(int(self.low), int(self.high) + 1))
        if self.levels:
            return [self.value(k / (self.levels - 1)) for k in range(self.levels)]
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "parameter": self.parameter,
            "low": self.low,
            "high": self.high,
            "kind": self.kind,
            "levels": self.levels,
            "values": self.values(),
            "source": self.source,
            "missing": list(self.missing),
            "basis": self.basis,
        }


@dataclass(frozen=True)
class _Entry:
    """One catalog value a factor stands for: its key, the run's starting value, its plausible range and its
    weight in a weighted mean (e.g. the missiles of that kind in the raid)."""

    key: str
    base: float
    plausible: tuple[float, float] | None
    weight: float = 1.0


def _plausible_si(v: Value) -> tuple[float, float] | None:
    if v.plausible is None:
        return None
    factor = UNITS[v.unit] or 1.0
    return float(v.plausible[0]) * factor, float(v.plausible[1]) * factor


def _derived(
    name: str, entries: Sequence[_Entry], *, relative: bool = False, weighted: bool = False, what: str = "", **kw: Any
) -> Factor | None:
    """The factor over the envelope of the entries' plausible ranges (divided by each entry's base value when
    ``relative``), or over their means weighted by :attr:`_Entry.weight` (``weighted``), or over
    :data:`MODEL_RANGES` when no entry has a plausible range; None without entries."""
    if not entries:
        return None
    have = [e for e in entries if e.plausible is not None]
    missing = tuple(e.key for e in entries if e.plausible is None)
    lo_m, hi_m, why = MODEL_RANGES[name]
    if not have:
        return Factor(name, name, lo_m, hi_m, basis=why, source="model", missing=missing, **kw)
    ends = [(p[0] / e.base, p[1] / e.base) if relative else p for e in have for p in [e.plausible] if p is not None]
    if weighted:
        total = sum(e.weight for e in have)
        lo = sum(e.weight * a for e, (a, _) in zip(have, ends)) / total
        hi = sum(e.weight * b for e, (_, b) in zip(have, ends)) / total
    else:
        lo, hi = min(a for a, _ in ends), max(b for _, b in ends)
    parts = ", ".join(
        f"{e.key} {_num(e.plausible[0])}-{_num(e.plausible[1])}"
        + (f" / {_num(e.base)}" if relative else "")
        + (f" x {_num(e.weight)}" if weighted else "")
        for e in have
        if e.plausible is not None
    )
    how = "means, weighted as shown, of" if weighted else "envelope of"
    basis = f"{how} the catalog's plausible {what}: {parts}"
    if missing:
        basis += f" (no plausible range yet: {', '.join(missing)})"
    return Factor(name, name, float(f"{lo:.6g}"), float(f"{hi:.6g}"), basis=basis, missing=missing, **kw)


def _num(x: float) -> str:
    return f"{x:g}"


def _unit_keys(scenario: Scenario) -> list[str]:
    return list(dict.fromkeys(spec.unit for spec in scenario.architecture.units))


def _unit_entries(
    catalog: Catalog,
    scenario: Scenario,
    field_name: str,
    base: Callable[[str, Value], float] | None = None,
    sea: bool | None = None,
) -> list[_Entry]:
    out = []
    for key in _unit_keys(scenario):
        if sea is not None and (catalog.units[key].basing == "sea") != sea:
            continue
        v = getattr(catalog.units[key], field_name)
        if v is None:
            continue
        b = base(key, v) if base else v.si()
        out.append(_Entry(key, float(b), _plausible_si(v)))
    return out


def _missile_entries(catalog: Catalog, scenario: Scenario) -> list[_Entry]:
    """The raid's missiles' reliabilities, each weighted by the missiles of that kind in the raid."""
    counts: dict[str, float] = {}
    for s in [] if scenario.raid is None else scenario.raid.salvos:
        counts[s.missile] = counts.get(s.missile, 0.0) + s.count
    out = []
    for key, n in counts.items():
        v = getattr(catalog.missiles[key], "reliability", None)
        out.append(_Entry(key, 1.0 if v is None else v.si(), None if v is None else _plausible_si(v), weight=n))
    return out


def _channel_quantile(catalog: Catalog, channels: list[_Entry]) -> Factor | None:
    """Every unit's fire channels at one position of its own plausible range; the scale of :data:`MODEL_RANGES`
    where no unit has a range."""
    have = [e for e in channels if e.plausible is not None]
    if not have:
        return _derived("fire_channels_scale", channels, relative=True, what="fire channels")
    parts = ", ".join(f"{e.key} {_num(e.plausible[0])}-{_num(e.plausible[1])}" for e in have if e.plausible)
    missing = tuple(e.key for e in channels if e.plausible is None)
    return Factor(
        "fire_channels_quantile",
        "fire_channels_quantile",
        0.0,
        1.0,
        basis=f"each unit's fire channels at this position of its own plausible range (the catalog's): {parts}"
        + (f" (no plausible range yet: {', '.join(missing)})" if missing else ""),
        missing=missing,
    )


def _channels(scenario: Scenario) -> Callable[[str, Value], float]:
    """A unit's fire channels before the scale: the scenario's by unit type, else the catalog's."""
    return lambda key, v: float(scenario.engagement.fire_channels.get(key, v.nominal))


def default_space(catalog: Catalog, scenario_name: str | Scenario) -> list[Factor]:
    """The decisive unknowns of a scenario, each over the range derived from the catalog (module docstring).

    Parameters
    ----------
    catalog : Catalog
        Whose plausible ranges are read.
    scenario_name : str or Scenario
        A built-in scenario, a trade-off option key (or a resolved scenario): whose units and raid the ranges
        are taken over.
    """
    scenario = resolve_scenario(scenario_name, catalog)
    channels = [
        e for e in _unit_entries(catalog, scenario, "fire_channels", _channels(scenario)) if e.base > 0
    ]  # 0 channels: no limit, which a scale does not change
    derived = [
        _channel_quantile(catalog, channels),
        _derived(
            "sea_availability", _unit_entries(catalog, scenario, "availability", sea=True), what="share on station"
        ),
        _derived("land_availability", _unit_entries(catalog, scenario, "availability", sea=False), what="availability"),
        _derived(
            "track_delay_s",
            _unit_entries(catalog, scenario, "reaction_time"),
            what="reaction times [s]",
            levels=PLAN_LEVELS,
        ),
        _derived(
            "missile_reliability",
            _missile_entries(catalog, scenario),
            weighted=True,
            what="reliability of the raid's missiles (x their number in the raid)",
        ),
    ]
    fixed = [
        Factor(
            "sspk_quantile",
            "sspk_quantile",
            0.05,
            0.95,
            basis="each interceptor's kill probability over the 90 % credible interval of its test record's "
            "Beta(h + 1, n - h + 1) posterior (the catalog's test records; Gelman et al. 2013, sec. 2.4)",
            source="definition",
        ),
        _switch(
            "limit_crossing",
            "the hit-to-kill crossing-angle limit off or on: its catalog values are mostly assumed",
        ),
        _switch(
            "limit_min_flight_time",
            "the interceptors' minimum flight time off or on: its catalog values are mostly assumed",
        ),
        Factor(
            "cost_scale",
            "cost_scale",
            *MODEL_RANGES["cost_scale"][:2],
            basis=MODEL_RANGES["cost_scale"][2],
            source="model",
        ),
    ]
    return [f for f in derived if f is not None] + fixed


def _switch(name: str, basis: str) -> Factor:
    return Factor(name, name, 0.0, 1.0, kind="switch", basis=basis, source="definition")


def fallbacks(factors: Iterable[Factor]) -> list[str]:
    """The factors whose range is a model range because the catalog had no plausible range for their entries."""
    return [f.name for f in factors if f.source == "model"]


def with_range(factors: Sequence[Factor], name: str, low: float, high: float, basis: str) -> list[Factor]:
    """The factors with one factor's range replaced (an analyst's own range, with its basis)."""
    if name not in {f.name for f in factors}:
        raise BmdlabError(f"factors: no factor '{name}'; the factors are {', '.join(f.name for f in factors)}")
    return [replace(f, low=low, high=high, basis=basis, source="analyst") if f.name == name else f for f in factors]


__all__ = ["KINDS", "MODEL_RANGES", "PLAN_LEVELS", "Factor", "default_space", "fallbacks", "with_range"]
