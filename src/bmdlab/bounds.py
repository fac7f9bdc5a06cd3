"""Every bound on a number a user may give bmdlab, defined once.

A :class:`Bound` is the allowed range of one parameter. The scenario schema (pydantic fields), the
Python API, the command line, sweep axes and the web server's request models all take their limits
from here, so a value one way in accepts is accepted by every other, and refused by all alike
(``tests/test_bounds.py`` checks each overridable parameter through each of them).

The module imports nothing of bmdlab but its errors and the Earth's radius, so the scenario schema,
below the models, can use it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field

from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.geo.grid import RESOLUTION_RANGE_KM
from bmdlab.geo.sphere import EARTH_RADIUS


def _number(value: Any) -> Any:
    """``value`` if it is a real number (not a boolean), text that reads as a finite one as a float, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            v = float(text)
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    return value if isinstance(value, numbers.Real) else None


def _whole(x: float) -> str:
    """A whole number as messages show it: 2030, 5000, 10,000,000 (groups from five digits), 400 digits shortened."""
    text = f"{int(x):,}" if abs(x) >= 10_000 else f"{int(x)}"
    return text if len(text) <= 40 else f"{text[:12]}... ({len(str(abs(int(x))))} digits)"


@dataclass(frozen=True)
class Bound:
    """The allowed values of one numeric parameter: ``low`` to ``high`` (each end closed unless marked
    open), whole numbers only with ``integer``; ``unit`` is shown in messages, ``why`` says where the
    limit comes from."""

    low: float
    high: float
    unit: str = ""
    integer: bool = False
    low_open: bool = False
    why: str = ""

    def describe(self) -> str:
        """The range in words: ``from 0 to 0.99``, ``a whole number from 1 to 10,000,000``."""
        u = f" {self.unit}" if self.unit else ""
        if self.integer:
            return f"a whole number from {_whole(self.low)} to {_whole(self.high)}{u}"
        if math.isinf(self.high):
            return f"a number {'above' if self.low_open else 'of at least'} {self.low:g}{u}"
        lo = f"above {self.low:g}{u} and at most" if self.low_open else f"from {self.low:g}{u} to"
        return f"a number {lo} {self.high:g}{u}"

    def contains(self, value: float) -> bool:
        above = self.low < value if self.low_open else self.low <= value
        finite = isinstance(value, numbers.Integral) or math.isfinite(value)
        return finite and above and value <= self.high

    def check(self, name: str, value: Any) -> Any:
        """``value`` as an int (``integer``) or a float, or a one-line :class:`BmdlabError` naming ``name``.

        Booleans are refused (``true`` is not 1); text is accepted only when it reads as a number
        (YAML 1.1 reads ``80.0e9``, without a sign in the exponent, as text); where a whole number is asked,
        a float is refused (``3.0`` and ``1e2`` are not counts).
        """
        number = _number(value)
        if number is None:
            raise BmdlabError(f"{name}: {value!r} is not a number; give {self.describe()}")
        if self.integer and not isinstance(number, numbers.Integral):
            raise BmdlabError(
                f"{name}: {value!r} must be {self.describe()}, written without a decimal point or exponent"
            )
        whole = isinstance(number, numbers.Integral)
        if not self.contains(number) or (not self.integer and whole and abs(number) > 2**1023):
            # Python compares a huge int with a float exactly (no overflow); it would overflow a float
            shown = _whole(number) if whole else f"{float(number):g}"
            raise BmdlabError(f"{name}: {shown} must be {self.describe()}")
        return int(number) if self.integer else float(number)

    def optional(self, name: str, value: Any) -> Any:
        """:meth:`check`, passing None through (a parameter left at its default)."""
        return None if value is None else self.check(name, value)

    def validator(self) -> BeforeValidator:
        """For pydantic models: :meth:`check` before pydantic's own coercion (its message, no lax strings
        or booleans); pydantic adds the field's path to the message."""

        def validate(value: Any) -> Any:
            try:
                return self.check("value", value)
            except BmdlabError as exc:
                raise ValueError(str(exc).removeprefix("value: ")) from None

        return BeforeValidator(validate)

    def schema(self) -> Any:
        """The range in a pydantic model's JSON Schema (an infinite end is left out: JSON has no infinity)."""
        ends = {"exclusiveMinimum" if self.low_open else "minimum": self.low, "maximum": self.high}
        return Field(json_schema_extra={k: v for k, v in ends.items() if math.isfinite(v)})


def check_choice(name: str, value: Any, choices: tuple[str, ...] | list[str], what: str | None = None) -> str:
    """One of ``choices``; the error names the parameter and suggests the closest choice."""
    if not isinstance(value, str) or value not in choices:
        raise BmdlabError(f"{name}: " + str(unknown_key(what or name.replace("_", " "), str(value), choices)))
    return value


def choice_validator(what: str, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> BeforeValidator:
    """For pydantic models: a name outside ``choices`` is refused with the closest valid one suggested (an
    alias is replaced by its name first); pydantic adds the field's path to the message."""

    def check(value: Any) -> Any:
        value = (aliases or {}).get(value, value) if isinstance(value, str) else value
        if value not in choices:
            raise ValueError(str(unknown_key(what, str(value), choices)))
        return value

    return BeforeValidator(check)


def _switch(value: Any) -> Any:
    """``on``/``off`` (a sweep axis, the command line) or a boolean; nothing else (not 0, 1 or ``yes``)."""
    if isinstance(value, str) and value in ("on", "off"):
        return value == "on"
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} must be on or off")
    return value


# -- probabilities and model parameters (the overridable ones: bmdlab.assembly.Overrides) --------------
PROBABILITY = Bound(0.0, 1.0)
COMMON_MODE = Bound(0.0, 0.99, why="shots of one type correlated; at 1 the beta distribution degenerates")
FIRE_CHANNELS = Bound(1, 1000, integer=True)
FIRE_CHANNELS_SCALE = Bound(0.01, 1000.0)
C2_TIME_S = Bound(0.0, 3600.0, unit="s")
TRACK_DELAY_S = Bound(0.0, 3600.0, unit="s")
RCS_SCALE = Bound(0.001, 1000.0, why="radar ranges scale as its fourth root: 0.18 to 5.6 times")
DECOYS = Bound(0, 20, integer=True)
MISSILES = Bound(0, 5000, integer=True, why="missiles over all salvos of one raid or wave")

# -- scenario files: places, units, timeline, raid ----------------------------------------------------------
LATITUDE = Bound(-90.0, 90.0, unit="deg")
LONGITUDE = Bound(-180.0, 180.0, unit="deg")
INVENTORY = Bound(0, 100_000, integer=True, why="rounds loaded in one unit (the largest magazines hold hundreds)")
KILL_ASSESSMENT_S = Bound(0.0, 3600.0, unit="s")
CUE_LATENCY_S = Bound(0.0, 3600.0, unit="s")
MIN_ELEVATION_DEG = Bound(0.0, 30.0, unit="deg")
MAX_SHOTS = Bound(1, 4, integer=True, why="sequential shot opportunities counted per unit and threat")
ASSET_VALUE = Bound(0.0, 1e15, why="a relative weight such as a population")
LAUNCH_SPREAD_S = Bound(0.0, 86_400.0, unit="s", why="one salvo's launches spread over at most a day")

# -- Monte Carlo runs ------------------------------------------------------------------------------------
TRIALS = Bound(1, 10_000_000, integer=True, why="one raid; memory stays flat (blocks of trials)")
PAIRED_TRIALS = Bound(2, 10_000_000, integer=True, why="a paired interval needs two trials")
RUN_TRIALS = Bound(1, 1_000_000, integer=True, why="each run of a trade-off, budget, tornado or sweep")
CAMPAIGN_TRIALS = Bound(2, 1_000_000, integer=True, why="per-trial state of every wave is kept")
SEED = Bound(0, 2**63 - 1, integer=True)
SHOTS_PER_MISSILE = Bound(1, 100, integer=True, why="interceptors fired at one missile")
INTERCEPTORS = Bound(0, 10_000_000, integer=True, why="interceptors available to a raid's defence")
AVAILABILITY_SAMPLES = Bound(0, 1_000_000, integer=True)
MEMORY_BUDGET_GIB = Bound(0.0, 1024.0, unit="GiB", low_open=True)

# -- campaigns -------------------------------------------------------------------------------------------
WAVES = Bound(1, 200, integer=True)
EVERY_H = Bound(0.0, 720.0, unit="h", low_open=True)
WAVE_AT_H = Bound(0.0, 24.0 * 365, unit="h")
RESERVE = Bound(0, 1_000_000, integer=True)
LEAVE_STATION_BELOW = Bound(0, 1000, integer=True)

# -- grids -------------------------------------------------------------------------------------------------
RESOLUTION_KM = Bound(*RESOLUTION_RANGE_KM, unit="km")
CITIES = Bound(0, 1000, integer=True)

# -- trajectories, footprints and siting --------------------------------------------------------------------
RANGE_KM = Bound(1.0, math.pi * EARTH_RADIUS / 1e3 - 1e-6, unit="km", why="half the Earth's circumference")
AZIMUTH_DEG = Bound(-360.0, 360.0, unit="deg")
APOGEE_KM = Bound(0.0, math.inf, unit="km", low_open=True)
#: A boost-glide flight's planned cross-range turn (at most half the Earth's circumference).
TURN_KM = Bound(0.0, 20_000.0, unit="km")
ANGLE_DEG = Bound(0.0, 90.0, unit="deg", low_open=True)
SITING_COUNT = Bound(1, 1000, integer=True)
TARGET_FRACTION = Bound(0.0, 1.0, low_open=True)
CANDIDATE_SPACING_KM = Bound(5.0, RESOLUTION_RANGE_KM[1], unit="km", why="candidate sites are the cells of a grid")

# -- weapon-target assignment and sweeps ---------------------------------------------------------------------
WTA_SIZE = Bound(1, 2000, integer=True)
TIME_LIMIT_S = Bound(0.0, 1e6, unit="s", low_open=True)
SWEEP_WORKERS = Bound(1, 256, integer=True)
CACHE_BYTES = Bound(1, 2**50, integer=True, unit="bytes")
CACHE_WORKERS = Bound(1, 256, integer=True)
SWEEP_RUNS = Bound(1, 100_000, integer=True, why="runs of one sweep grid; each is a raid, a cost and a coverage")
#: Runs a sweep starts without being told the size is intended (``allow_large``, the CLI's ``--yes``).
SWEEP_RUNS_UNASKED = 1000
#: Morris trajectories or Sobol' base samples of an uncertainty analysis (Morris's spread needs two).
UNCERTAINTY_SAMPLES = Bound(2, 8192, integer=True, why="Morris trajectories or Sobol' base samples")
ROTATION_DAYS = Bound(0.0, 3660.0, unit="days", low_open=True, why="span of a ships' rotation followed")
ROTATION_STEP_H = Bound(0.01, 24.0 * 3660.0, unit="h", why="time step of a rotation view")

# -- costs -------------------------------------------------------------------------------------------------
YEARS = Bound(0, 100, integer=True, unit="years")
RELOADS = Bound(0, 20, integer=True)
PRICE_YEAR = Bound(1990, 2030, integer=True, why="the catalog's money tables cover 2008-2025")
COST_SCALE = Bound(0.0, 100.0)
MONEY = Bound(0.0, 1e16, why="larger than any defence budget; keeps yen exact in float64")
BUDGET_JPY = Bound(0.0, 1e16, unit="yen", why="as MONEY, in yen")

# -- what the browser app takes (the CLI and the Python API take more) ------------------------------------
BROWSER_TRIALS = Bound(1, 200_000, integer=True, why="keeps a browser request interactive")
BROWSER_RESOLUTION_KM = Bound(5.0, 50.0, unit="km", why="keeps a browser request interactive")
BROWSER_MAX_UNITS = 200
BROWSER_MAX_THREAT_CASES = 60

# -- the bounds as pydantic field types (Annotated: the type checker sees the plain number type) ---------
Probability = Annotated[float, PROBABILITY.validator(), PROBABILITY.schema()]
CommonMode = Annotated[float, COMMON_MODE.validator(), COMMON_MODE.schema()]
FireChannels = Annotated[int, FIRE_CHANNELS.validator(), FIRE_CHANNELS.schema()]
FireChannelsScale = Annotated[float, FIRE_CHANNELS_SCALE.validator(), FIRE_CHANNELS_SCALE.schema()]
C2TimeS = Annotated[float, C2_TIME_S.validator(), C2_TIME_S.schema()]
TrackDelayS = Annotated[float, TRACK_DELAY_S.validator(), TRACK_DELAY_S.schema()]
RcsScale = Annotated[float, RCS_SCALE.validator(), RCS_SCALE.schema()]
Decoys = Annotated[int, DECOYS.validator(), DECOYS.schema()]
Missiles = Annotated[int, MISSILES.validator(), MISSILES.schema()]
Years = Annotated[int, YEARS.validator(), YEARS.schema()]
Reloads = Annotated[int, RELOADS.validator(), RELOADS.schema()]
PriceYear = Annotated[int, PRICE_YEAR.validator(), PRICE_YEAR.schema()]
CostScale = Annotated[float, COST_SCALE.validator(), COST_SCALE.schema()]
Money = Annotated[float, MONEY.validator(), MONEY.schema()]
WaveAtH = Annotated[float, WAVE_AT_H.validator(), WAVE_AT_H.schema()]
Reserve = Annotated[int, RESERVE.validator(), RESERVE.schema()]
LeaveStationBelow = Annotated[int, LEAVE_STATION_BELOW.validator(), LEAVE_STATION_BELOW.schema()]
Seed = Annotated[int, SEED.validator(), SEED.schema()]
Interceptors = Annotated[int, INTERCEPTORS.validator(), INTERCEPTORS.schema()]
Latitude = Annotated[float, LATITUDE.validator(), LATITUDE.schema()]
Longitude = Annotated[float, LONGITUDE.validator(), LONGITUDE.schema()]
Inventory = Annotated[int, INVENTORY.validator(), INVENTORY.schema()]
ApogeeKm = Annotated[float, APOGEE_KM.validator(), APOGEE_KM.schema()]
KillAssessmentS = Annotated[float, KILL_ASSESSMENT_S.validator(), KILL_ASSESSMENT_S.schema()]
CueLatencyS = Annotated[float, CUE_LATENCY_S.validator(), CUE_LATENCY_S.schema()]
MinElevationDeg = Annotated[float, MIN_ELEVATION_DEG.validator(), MIN_ELEVATION_DEG.schema()]
MaxShots = Annotated[int, MAX_SHOTS.validator(), MAX_SHOTS.schema()]
AssetValue = Annotated[float, ASSET_VALUE.validator(), ASSET_VALUE.schema()]
LaunchSpreadS = Annotated[float, LAUNCH_SPREAD_S.validator(), LAUNCH_SPREAD_S.schema()]

# -- choices: names every way in accepts (each Literal written once; the tuples derived from it) -----------
#: Interceptor fly-out models (:mod:`bmdlab.defense.flyout`).
FlyoutName = Literal["physical", "straight-line"]
#: Engagement limits that can be switched on and off (:data:`bmdlab.defense.engage.ENGAGEMENT_LIMITS` explains each).
EngagementLimit = Literal["launcher-elevation", "min-flight-time", "crossing", "track-rcs", "field-of-view"]
#: Firing doctrines of a scenario's raid; ``salvo-2``, an older name of ``salvo``, is accepted.
RaidDoctrine = Literal["shoot-look-shoot", "salvo", "preferential"]
#: How units keep station (:mod:`bmdlab.defense.posture`): ships by rotation, or every unit on its own.
PostureName = Literal["rotation", "independent"]
FLYOUTS: tuple[str, ...] = get_args(FlyoutName)
ENGAGEMENT_LIMITS: tuple[str, ...] = get_args(EngagementLimit)
RAID_DOCTRINES: tuple[str, ...] = get_args(RaidDoctrine)
DOCTRINE_ALIASES = {"salvo-2": "salvo"}
POSTURES: tuple[str, ...] = get_args(PostureName)

# -- the choices as pydantic field types: every way in refuses an unknown name with the same message --------
Flyout = Annotated[FlyoutName, choice_validator("flyout", FLYOUTS)]
Limit = Annotated[EngagementLimit, choice_validator("engagement limit", ENGAGEMENT_LIMITS)]
Doctrine = Annotated[RaidDoctrine, choice_validator("doctrine", RAID_DOCTRINES, DOCTRINE_ALIASES)]
Posture = Annotated[PostureName, choice_validator("posture", POSTURES)]
#: A switch: ``on``/``off`` or a boolean.
Switch = Annotated[bool, BeforeValidator(_switch)]


def non_empty(meaning_all: str) -> AfterValidator:
    """For a list whose absence means "all": an empty list is refused rather than read as all (or none)."""

    def check(value: Any) -> Any:
        if value is not None and len(value) == 0:
            raise ValueError(f"the list is empty; give at least one, or leave the key out for {meaning_all}")
        return value

    return AfterValidator(check)


def _name(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("is empty; give a name")
    return value


#: A name that is not blank.
Name = Annotated[str, AfterValidator(_name)]

__all__ = [
    "DOCTRINE_ALIASES",
    "ENGAGEMENT_LIMITS",
    "FLYOUTS",
    "POSTURES",
    "RAID_DOCTRINES",
    "Bound",
    "check_choice",
    "choice_validator",
]
