"""Pydantic schemas of the catalog: every number carries its unit, source, year and confidence.

The catalog is data, not code (CONTRIBUTING.md, "Data"). Each YAML file in ``catalog/data`` holds one
kind of entry (missiles, interceptors, sensors, units, places) plus ``sources.yaml``, the
bibliography every ``source`` field must point into. Values are stored in the units a source gives
(km, km/s, s, USD, JPY ...) and converted to SI once, through :meth:`Value.si`.
"""

from __future__ import annotations

import math
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bmdlab.catalog import units as q

Confidence = Literal["stated", "derived", "assumed"]

#: Allowed units and their factor to SI (None: not a physical quantity, no conversion). The test
#: suite checks every factor against pint (:func:`bmdlab.catalog.units.si_factor`).
UNITS: dict[str, float | None] = {
    "m": 1.0,
    "km": 1e3,
    "km2": 1e6,
    "day": 86400.0,
    "m2": 1.0,
    "s": 1.0,
    "min": 60.0,
    "m/s": 1.0,
    "km/s": 1e3,
    "kg": 1.0,
    "t": 1e3,
    "deg": math.pi / 180.0,
    "count": 1.0,
    "fraction": 1.0,
    "ratio": 1.0,
    "USD": 1.0,
    "JPY": 1.0,
    "USD/year": 1.0,
    "JPY/year": 1.0,
    "JPY/USD": 1.0,
    "index": 1.0,
    "hits/attempts": None,
    "text": None,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Checked(_Frozen):
    """A model whose numeric fields have a :class:`~bmdlab.catalog.units.Quantity` spec each:
    values are checked for sign, range and whole numbers here; units for dimension when a user's
    catalog is loaded (:func:`bmdlab.catalog.load.load_catalog`)."""

    QUANTITIES: ClassVar[dict[str, q.Quantity]] = {}

    @model_validator(mode="after")
    def _values_in_range(self) -> _Checked:
        for name, spec in self.QUANTITIES.items():
            v = getattr(self, name, None)
            if not isinstance(v, Value) or v.unit in ("text", "hits/attempts"):
                continue
            why = q.check_value(v.value if isinstance(v.value, list) else [v.value], UNITS[v.unit], spec)
            if why:
                raise ValueError(f"{name}: {why}")
            why = None if v.plausible is None else q.check_value(v.plausible, UNITS[v.unit], spec)
            if why:
                raise ValueError(f"{name}: plausible range: {why}")
        return self


class Value(_Frozen):
    """One sourced value.

    ``value`` is a number, a ``[low, high]`` pair (a published range), a ``[hits, attempts]``
    test record, or text (``unit: text``). ``year`` is the year of the source (for money, the price
    year).
    """

    value: float | list[float] | str
    unit: str
    source: str = Field(min_length=1)
    year: int = Field(ge=1945, le=2030)
    confidence: Confidence
    note: str | None = None
    #: The range the value could plausibly take, ``[low, high]`` in the value's unit: what an analyst would
    #: still defend from open sources (required for every ``assumed`` number; the uncertainty analysis samples
    #: it). It contains the value (both ends of a published ``[low, high]`` value).
    plausible: list[float] | None = None
    #: Why that range: its sources or reasoning (required with ``plausible``).
    plausible_basis: str | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"unit '{unit}' is not allowed; use one of {', '.join(UNITS)}")
        return unit

    @model_validator(mode="after")
    def _value_matches_unit(self) -> Value:
        if self.unit == "text":
            if not isinstance(self.value, str):
                raise ValueError("a value with unit 'text' must be a string")
        elif isinstance(self.value, str):
            raise ValueError(f"value '{self.value}' must be a number for unit '{self.unit}'")
        elif isinstance(self.value, list) and len(self.value) != 2:
            raise ValueError("a list value must be a [low, high] or [hits, attempts] pair")
        if not isinstance(self.value, str) and not all(
            math.isfinite(x) for x in (self.value if isinstance(self.value, list) else [self.value])
        ):
            raise ValueError(f"value {self.value!r} must be a finite number")
        if self.unit == "hits/attempts":
            if not (
                isinstance(self.value, list)
                and 0 <= self.value[0] <= self.value[1]
                and all(x == int(x) for x in self.value)
            ):
                raise ValueError("a test record must be [hits, attempts], whole numbers with 0 <= hits <= attempts")
        elif isinstance(self.value, list) and self.value[0] > self.value[1]:
            raise ValueError(f"a range [low, high] must have low <= high, not {self.value}")
        self._check_plausible()
        return self

    def _check_plausible(self) -> None:
        p = self.plausible
        if p is None:
            if self.plausible_basis is not None:
                raise ValueError("plausible_basis needs a plausible: [low, high] range")
            return
        if self.unit in ("text", "hits/attempts"):
            raise ValueError(f"a value with unit '{self.unit}' has no plausible range; drop plausible")
        if len(p) != 2 or not all(math.isfinite(x) for x in p) or p[0] > p[1]:
            raise ValueError(f"plausible must be a [low, high] pair of finite numbers with low <= high, not {p}")
        ends = self.value if isinstance(self.value, list) else [self.value]
        if not all(p[0] <= float(x) <= p[1] for x in ends):
            raise ValueError(f"plausible range {p} must contain the value {self.value}")
        if not self.plausible_basis:
            raise ValueError("plausible needs plausible_basis: the sources or reasoning behind the range")

    @property
    def nominal(self) -> float:
        """The number in the source's unit; the midpoint of a ``[low, high]`` range."""
        if isinstance(self.value, str):
            raise TypeError("a text value has no number")
        if isinstance(self.value, list):
            if self.unit == "hits/attempts":
                return self.value[0] / self.value[1] if self.value[1] else math.nan
            return 0.5 * (self.value[0] + self.value[1])
        return float(self.value)

    @property
    def high(self) -> float:
        """The upper end of a ``[low, high]`` range (the number itself otherwise), source units."""
        if isinstance(self.value, list) and self.unit != "hits/attempts":
            return float(max(self.value))
        return self.nominal

    def si(self) -> float:
        """The nominal value in SI units (m, s, m/s, kg, rad; money unchanged)."""
        factor = UNITS[self.unit]
        if factor is None:
            raise TypeError(f"unit '{self.unit}' has no SI form")
        return self.nominal * factor

    def display(self) -> str:
        """Human-readable value with unit, e.g. ``1,300 km`` or ``1,000-1,300 km``."""
        if isinstance(self.value, str):
            return self.value
        if self.unit == "hits/attempts":
            return f"{self.value[0]:g} of {self.value[1]:g}"

        def fmt(x: float) -> str:
            return f"{x:,.0f}" if abs(x) >= 100 else f"{x:g}"

        text = f"{fmt(self.value[0])}-{fmt(self.value[1])}" if isinstance(self.value, list) else fmt(float(self.value))
        return text if self.unit in ("count", "fraction") else f"{text} {self.unit}"


class Source(_Frozen):
    """A public source that catalog values cite."""

    title: str
    publisher: str
    year: int = Field(ge=1945, le=2030)
    url: str | None = None
    note: str | None = None


class Entry(_Checked):
    """Fields common to every catalog entry."""

    name: str
    aliases: list[str] = []
    notes: str | None = None


class Missile(Entry):
    """A threat ballistic missile."""

    missile_class: Literal["SRBM", "MRBM", "IRBM", "ICBM"]
    range: Value
    payload: Value
    stages: Value
    burn_time: Value
    propellant: Value
    launchers: Value | None = None
    missiles: Value | None = None
    rcs: Value | None = None  #: radar cross-section of what the defence tracks in midcourse and re-entry [m^2]
    #: probability that a launched missile flies to its target (from its flight record; none: 1)
    reliability: Value | None = None
    launchers_shared_with: str | None = (
        None  #: missile key whose ``launchers`` count serves this missile too (one TEL pool)
    )
    #: the year of the first flight (none: flown by 2017, the threat of the 2017 debate)
    first_flight: int | None = Field(default=None, ge=1945, le=2100)
    #: how the payload flies after the boost (:mod:`bmdlab.trajectory.atmospheric`): a Keplerian arc, or
    #: an atmospheric flight with lift - a quasi-ballistic pull-up (KN-23 class) or a boost-glide
    flight_class: Literal["ballistic", "quasi-ballistic", "boost-glide"] = "ballistic"
    #: the lifting vehicle (quasi-ballistic and boost-glide classes): hypersonic lift-to-drag ratio [1] ...
    lift_to_drag: Value | None = None
    vehicle_mass: Value | None = None  #: ... its mass after separation from the booster [kg] ...
    vehicle_area: Value | None = None  #: ... its aerodynamic reference area [m^2] ...
    drag_coefficient: Value | None = None  #: ... its drag coefficient at hypersonic speed [1] ...
    pull_up_altitude: Value | None = None  #: ... the altitude where it starts to use lift on the way down [m] ...
    boost_angle: Value | None = None  #: ... the booster's flight-path angle at burnout [rad] ...
    dive_speed: Value | None = None  #: ... and the speed at which it stops gliding and dives [m/s]

    QUANTITIES = {
        "range": q.RANGE,
        "payload": q.MASS,
        "stages": q.STAGES,
        "burn_time": q.BURN_TIME,
        "propellant": q.TEXT,
        "launchers": q.COUNT,
        "missiles": q.COUNT,
        "rcs": q.AREA,
        "reliability": q.FRACTION,
        "lift_to_drag": q.POSITIVE,
        "vehicle_mass": q.MASS,
        "vehicle_area": q.AREA,
        "drag_coefficient": q.POSITIVE,
        "pull_up_altitude": q.ALTITUDE,
        "boost_angle": q.ELEVATION,
        "dive_speed": q.SPEED,
    }
    #: the fields an atmospheric (non-ballistic) flight class needs
    VEHICLE_FIELDS: ClassVar[tuple[str, ...]] = (
        "lift_to_drag",
        "vehicle_mass",
        "vehicle_area",
        "drag_coefficient",
        "pull_up_altitude",
        "boost_angle",
        "dive_speed",
    )

    @model_validator(mode="after")
    def _vehicle_complete(self) -> Missile:
        if self.flight_class != "ballistic":
            missing = [f for f in self.VEHICLE_FIELDS if getattr(self, f) is None]
            if missing:
                raise ValueError(
                    f"flight_class {self.flight_class} needs the lifting vehicle's {', '.join(missing)}; "
                    "add them or use flight_class: ballistic"
                )
        return self


class Stage(_Checked):
    """One rocket stage of an interceptor, in firing order."""

    burn_time: Value  #: [s]
    delta_v_share: Value  #: fraction of the interceptor's ideal velocity gain given by this stage

    QUANTITIES = {"burn_time": q.BURN_TIME, "delta_v_share": q.SHARE}


class Interceptor(Entry):
    """A defensive interceptor missile.

    The fly-out fields (``launch_mass`` ... ``stages``) feed the point-mass fly-out of
    :mod:`bmdlab.defense.flyout`; the engagement limits (``min_launch_elevation``,
    ``min_flight_time``, ``max_crossing_angle``, ``min_closing_speed``) feed the intercept kernel of
    :mod:`bmdlab.defense.envelope`. They are optional so that an older catalog still loads; the
    physical fly-out then asks for them by name.
    """

    tier: Literal["upper", "lower"]
    burnout_speed: Value
    burn_time: Value
    min_intercept_altitude: Value
    max_intercept_altitude: Value
    max_range: Value
    unit_cost: Value
    test_record: Value
    launch_mass: Value | None = None  #: [kg]
    diameter: Value | None = None  #: body diameter [m]
    drag_coefficient: Value | None = None  #: [1]
    mass_ratio: Value | None = None  #: initial over burnout mass of each stage [1]
    stages: list[Stage] | None = None  #: default: one equivalent stage of ``burn_time``
    min_launch_elevation: Value | None = None  #: lowest thrust elevation after launch [deg]
    min_flight_time: Value | None = None  #: launch to the earliest possible intercept [s]
    max_crossing_angle: Value | None = (
        None  #: largest angle between interceptor velocity and the threat's reversed velocity [deg]
    )
    min_closing_speed: Value | None = None  #: smallest relative speed for a hit-to-kill intercept [km/s]

    QUANTITIES = {
        "burnout_speed": q.BURNOUT_SPEED,
        "burn_time": q.BURN_TIME,
        "min_intercept_altitude": q.ALTITUDE,
        "max_intercept_altitude": q.RANGE,
        "max_range": q.RANGE,
        "unit_cost": q.MONEY,
        "test_record": q.RECORD,
        "launch_mass": q.MASS,
        "diameter": q.LENGTH,
        "drag_coefficient": q.POSITIVE,
        "mass_ratio": q.MASS_RATIO,
        "min_launch_elevation": q.ELEVATION,
        "min_flight_time": q.DELAY,
        "max_crossing_angle": q.HALF_ANGLE,
        "min_closing_speed": q.MIN_SPEED,
    }

    @model_validator(mode="after")
    def _consistent(self) -> Interceptor:
        if self.min_intercept_altitude.si() >= self.max_intercept_altitude.si():
            raise ValueError("min_intercept_altitude must be below max_intercept_altitude")
        if self.stages:
            total = sum(st.delta_v_share.nominal for st in self.stages)
            if abs(total - 1.0) > 0.01:
                raise ValueError(f"stages: delta_v_share values must add up to 1, not {total:g}")
        return self


class Sensor(Entry):
    """A radar used for ballistic-missile defence.

    ``range_ballistic`` is quoted against a target of radar cross-section ``reference_rcs``; the
    range against another target scales as the fourth root of the RCS ratio (radar equation).
    """

    range_ballistic: Value
    field_of_view: Value
    band: str | None = None
    reference_rcs: Value | None = None  #: [m^2]

    QUANTITIES = {"range_ballistic": q.RANGE, "field_of_view": q.FIELD_OF_VIEW, "reference_rcs": q.AREA}


class Unit(Entry):
    """A unit (ship class, site, battery, fire unit) that carries interceptors and a sensor."""

    basing: Literal["sea", "land"]
    interceptor: str
    sensor: str
    launchers: Value
    interceptors_per_launcher: Value
    magazine: Value
    unit_cost: Value
    operating_cost_per_year: Value
    in_service: Value | None = None
    reaction_time: Value | None = None  #: detection (or cue) to interceptor launch decision
    launch_interval: Value | None = None  #: shortest time between two launches from the unit
    fire_channels: Value | None = None  #: engagements the unit can run at once (none: no limit)
    c2_time: Value | None = None  #: command-and-control decision time per engagement (a queue at the unit)
    availability: Value | None = None  #: probability of being on station and ready at a random time (none: 1)
    reload_time: Value | None = None  #: land: time to reload its launchers in place; sea: time in port to reload
    port_transit_time: Value | None = None  #: sea: one-way time from station to the reloading port
    #: sea: one hull's rotation cycle (on station, transits, in port and maintenance), its share on station being
    #: ``availability`` (:mod:`bmdlab.defense.posture`)
    rotation_cycle: Value | None = None

    QUANTITIES = {
        "launchers": q.COUNT,
        "interceptors_per_launcher": q.COUNT,
        "magazine": q.COUNT,
        "unit_cost": q.MONEY,
        "operating_cost_per_year": q.MONEY_PER_YEAR,
        "in_service": q.COUNT,
        "reaction_time": q.DELAY,
        "launch_interval": q.DELAY,
        "fire_channels": q.COUNT,
        "c2_time": q.DELAY,
        "availability": q.SHARE,
        "rotation_cycle": q.TIME,
        "reload_time": q.DELAY,
        "port_transit_time": q.DELAY,
    }


#: The last year of the 2017 debate's threat: missiles first flown and launch areas first used by then.
THREAT_OF_2017 = 2017


def of_2017(entry: Missile | Place) -> bool:
    """Whether a missile or launch area belongs to the threat of the 2017 debate (first flown or used by 2017)."""
    year = entry.first_flight if isinstance(entry, Missile) else entry.first_used
    return year is None or year <= THREAT_OF_2017


class Place(Entry):
    """A named location: launch area, defence site, radar site or sea station."""

    kind: Literal[
        "launch-area",
        "aegis-ashore-site",
        "radar-site",
        "pac-3-site",
        "sea-station",
        "thaad-site",
    ]
    country: Literal["JP", "KP", "KR", "sea"]
    lat: Value
    lon: Value
    #: a launch area: the year of its first catalogued launch (none: in the threat of 2017 already)
    first_used: int | None = Field(default=None, ge=1945, le=2100)

    QUANTITIES = {"lat": q.LATITUDE, "lon": q.LONGITUDE}


#: Currencies that money values may carry (plain and per year).
CURRENCIES = ("JPY", "USD")


class Economics(_Frozen):
    """Exchange rates, a price index and the attacker's missile costs (``economics.yaml``).

    Money in the catalog is in the currency and price year of its source; the cost model converts
    it to yen of one price year with these tables (:mod:`bmdlab.catalog.money`).
    """

    QUANTITIES: ClassVar[dict[str, q.Quantity]] = {
        "exchange_rates": q.EXCHANGE_RATE,
        "deflator": q.INDEX,
        "us_deflator": q.INDEX,
        "missile_costs": q.MONEY,
        "claims": q.MONEY,
    }

    exchange_rates: dict[int, Value]  #: calendar year -> yen per US dollar (annual average)
    deflator: dict[int, Value]  #: calendar year -> Japan's GDP deflator (base year in the note)
    us_deflator: dict[int, Value] = {}  #: calendar year -> U.S. GDP deflator (base year in the note)
    missile_costs: dict[str, Value] = {}  #: missile key -> attacker's cost per missile
    claims: dict[str, Value] = {}  #: cost figures quoted in the debate

    @model_validator(mode="after")
    def _units(self) -> Economics:
        for name, table, unit in (
            ("exchange_rates", self.exchange_rates, ("JPY/USD",)),
            ("deflator", self.deflator, ("index",)),
            ("us_deflator", self.us_deflator, ("index",)),
            ("missile_costs", self.missile_costs, CURRENCIES),
            ("claims", self.claims, CURRENCIES),
        ):
            for key, val in table.items():
                if val.unit not in unit:
                    raise ValueError(f"{name}.{key}: unit '{val.unit}' must be {' or '.join(unit)}")
                why = q.check_value(
                    val.value if isinstance(val.value, list) else [val.value], UNITS[val.unit], self.QUANTITIES[name]
                )
                if why:
                    raise ValueError(f"{name}.{key}: {why}")
        if not self.exchange_rates or not self.deflator:
            raise ValueError("exchange_rates and deflator need at least one year each")
        return self


#: Catalog kinds, in the order they are listed, with their entry model and YAML file.
KINDS: dict[str, tuple[type[Entry], str]] = {
    "missiles": (Missile, "missiles.yaml"),
    "interceptors": (Interceptor, "interceptors.yaml"),
    "sensors": (Sensor, "sensors.yaml"),
    "units": (Unit, "units.yaml"),
    "places": (Place, "places.yaml"),
}
