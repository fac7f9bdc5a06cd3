"""Scenarios: an architecture (units at places) and a threat (launch areas, missiles, shapes).

Scenarios are YAML files validated once at load time into frozen pydantic objects;
a validation error names the file, the field path and what is allowed. Built-in
scenarios ship in ``bmdlab/scenarios/`` and load by name.

Example::

    name: my-scenario
    description: Two Aegis Ashore sites alone
    architecture:
      units:
        - {unit: aegis-ashore, at: araya}
        - {unit: aegis-ashore, at: mutsumi, inventory: 24}
        - {unit: pac-3-fire-unit, at: {lat: 35.69, lon: 139.73}, name: Ichigaya}
      sensors:
        - {sensor: tpy-2-fbm, at: kyogamisaki}
    threat:
      launch_areas: [sunan, wonsan]
      missiles: [nodong, scud-er]
      shapes: [{shape: minimum-energy}]
    timeline: {track_delay_s: 60, kill_assessment_s: 10, cueing: true}
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bmdlab import arguments
from bmdlab import bounds as b
from bmdlab.catalog import Catalog
from bmdlab.catalog.load import parse_yaml_text, read_yaml, validation_message
from bmdlab.catalog.schema import CURRENCIES
from bmdlab.errors import BmdlabError, printable, unknown_key
from bmdlab.geo.japan import is_land, largest_cities, nearest_coast_m
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle
from bmdlab.places import resolve_place
from bmdlab.trajectory import SHAPES
from bmdlab.trajectory.flight import check_shape, max_range, minimum_energy_apogee


class _Frozen(BaseModel):
    # every number finite: inf and nan would give NaN answers or JSON that is not JSON
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class LatLon(_Frozen):
    lat: b.Latitude = Field(description="latitude [deg]")
    lon: b.Longitude = Field(description="longitude [deg]")


class UnitSpec(_Frozen):
    """One unit of the architecture: a catalog unit type at a place."""

    unit: str = Field(description="catalog unit key, e.g. kongo-class, pac-3-fire-unit")
    at: str | LatLon = Field(description="catalog place key, city of Japan (e.g. tokyo) or {lat, lon} in degrees")
    name: str | None = None
    inventory: b.Inventory | None = Field(default=None, description="interceptors loaded (default: catalog magazine)")
    interceptor: str | None = Field(default=None, description="override the catalog interceptor key")
    status: Literal["new", "in-service"] = Field(
        default="new", description="in-service units cost operation and reloads only (their purchase is sunk)"
    )


class SensorSpec(_Frozen):
    """A stand-alone sensor that cues the architecture (e.g. a forward-based AN/TPY-2)."""

    sensor: str
    at: str | LatLon
    name: str | None = None


class ShapeSpec(_Frozen):
    shape: str = "minimum-energy"
    apogee_km: b.ApogeeKm | None = None

    @model_validator(mode="after")
    def _check(self) -> ShapeSpec:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown trajectory shape '{self.shape}'; use one of {', '.join(SHAPES)}")
        if self.shape != "minimum-energy" and self.apogee_km is None:
            raise ValueError(f"shape '{self.shape}' needs apogee_km")
        if self.shape == "minimum-energy" and self.apogee_km is not None:
            raise ValueError("apogee_km is for lofted and depressed shapes; leave it out for minimum-energy")
        return self


class Architecture(_Frozen):
    units: list[UnitSpec] = Field(min_length=1)
    sensors: list[SensorSpec] = []


class ThreatGroup(_Frozen):
    """Missiles fired from launch areas with trajectory shapes (every combination is one threat case)."""

    missiles: list[str] = Field(min_length=1)
    launch_areas: Annotated[list[str] | None, b.non_empty("every launch area")] = Field(
        default=None, description="catalog place keys; default: all launch areas"
    )
    shapes: Annotated[list[ShapeSpec], b.non_empty("minimum-energy")] = [ShapeSpec()]
    note: str | None = Field(default=None, description="why these launch areas and shapes (sources)")


class Threat(_Frozen):
    """The threat: one group (``missiles`` x ``launch_areas`` x ``shapes``) or a list of ``groups``,
    e.g. each missile from the areas it was launched from, with the shapes it was flown on."""

    launch_areas: Annotated[list[str] | None, b.non_empty("every launch area")] = Field(
        default=None, description="catalog place keys; default: all launch areas"
    )
    missiles: list[str] | None = Field(default=None, min_length=1)
    shapes: Annotated[list[ShapeSpec] | None, b.non_empty("minimum-energy")] = None
    groups: list[ThreatGroup] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> Threat:
        flat = self.missiles is not None or self.launch_areas is not None or self.shapes is not None
        if self.groups is not None and flat:
            raise ValueError("give either missiles/launch_areas/shapes or groups, not both")
        if self.groups is None and self.missiles is None:
            raise ValueError("missiles is required (or groups: a list of {missiles, launch_areas, shapes})")
        return self

    def all_groups(self) -> list[ThreatGroup]:
        """The threat as a list of groups (the flat form is one group)."""
        if self.groups is not None:
            return list(self.groups)
        return [
            ThreatGroup(missiles=self.missiles, launch_areas=self.launch_areas, shapes=self.shapes or [ShapeSpec()])
        ]

    @property
    def all_missiles(self) -> list[str]:
        """Every missile of the threat, once, in order."""
        return list(dict.fromkeys(m for g in self.all_groups() for m in g.missiles))


class Timeline(_Frozen):
    """The defence's timeline (all values assumed unless a scenario cites better)."""

    track_delay_s: b.TrackDelayS | None = Field(
        default=None,
        description="detection to interceptor launch decision [s]; default: each unit's catalog reaction time",
    )
    kill_assessment_s: b.KillAssessmentS = Field(default=10.0, description="intercept to next launch decision [s]")
    cue_latency_s: b.CueLatencyS = Field(default=10.0, description="remote detection to local commit information [s]")
    min_elevation_deg: b.MinElevationDeg = 0.5
    cueing: b.Switch = Field(default=True, description="units may fire on any sensor's track (networked)")
    max_shots: b.MaxShots = 2
    flyout: b.Flyout = Field(default="physical", description="interceptor fly-out model (bmdlab.defense.flyout)")
    engagement_limits: list[b.Limit] = Field(
        default=list(b.ENGAGEMENT_LIMITS),
        description="engagement limits in force (bmdlab.defense.engage.ENGAGEMENT_LIMITS); [] for none",
    )
    rcs_scale: b.RcsScale = Field(
        default=1.0, description="factor on every threat's radar cross-section (with the track-rcs limit)"
    )


class AssetSpec(_Frozen):
    """A defended asset: a city or a base, with a value (default: its population if a city)."""

    name: b.Name
    lat: b.Latitude
    lon: b.Longitude
    value: b.AssetValue = Field(description="relative weight (e.g. population), at most 1e15")


class SalvoSpec(_Frozen):
    """Missiles the analyst fires from one launch area (never chosen by bmdlab)."""

    count: b.Missiles
    missile: str
    launch_area: str
    aim: Annotated[list[str] | None, b.non_empty("every asset in range")] = Field(
        default=None, description="asset names; default: every asset in range, most valuable first"
    )
    launch_spread_s: b.LaunchSpreadS = 0.0


#: Largest raid a scenario may write (missiles over all salvos), the CLI's --missiles maximum too.
MAX_RAID_MISSILES = int(b.MISSILES.high)


class RaidSpec(_Frozen):
    salvos: list[SalvoSpec] = Field(min_length=1)
    assets: list[AssetSpec] | None = Field(
        default=None, description="default (key absent): Japan's 30 largest cities, value = population"
    )
    decoys_per_missile: b.Decoys = 0
    discrimination_probability: b.Probability = 1.0
    missile_reliability: b.Probability | None = Field(
        default=None,
        description="probability that every missile works; default: each missile's catalog reliability (its flight record)",
    )

    @model_validator(mode="after")
    def _check(self) -> RaidSpec:
        total = sum(s.count for s in self.salvos)
        if total > MAX_RAID_MISSILES:
            raise ValueError(f"the salvos hold {total:,} missiles; a raid may have at most {MAX_RAID_MISSILES:,}")
        if self.assets is not None:
            if not self.assets:
                raise ValueError(
                    "assets is empty; list at least one asset, or leave the key out for Japan's 30 largest cities"
                )
            names = [a.name for a in self.assets]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"asset name '{dup[0]}' is used twice; give every asset its own name")
        return self


class EngagementSpec(_Frozen):
    """Firing doctrine and kill probabilities (defaults from the catalog test records)."""

    doctrine: b.Doctrine = Field(
        "shoot-look-shoot",
        description="shoot-look-shoot, salvo (two per opportunity; salvo-2 is its older name) or "
        "preferential (interceptors allocated to the most valuable assets first, then "
        "shoot-look-shoot within the allocation)",
    )
    sspk: dict[str, b.Probability] = Field(
        default_factory=dict, description="interceptor key -> single-shot kill probability"
    )
    reliability: dict[str, b.Probability] = Field(default_factory=dict, description="interceptor key -> reliability")
    common_mode: dict[str, b.CommonMode] = Field(
        default_factory=dict,
        description="interceptor key -> correlation (0 to 0.99) of its shots' kill outcomes within a raid (a flaw shared by "
        "all rounds of the type; 0 or absent: independent shots). An analyst's assumption: no open source "
        "gives it.",
    )
    capacity: b.Switch = Field(True, description="honour each unit's fire channels and C2 decision time in raids")
    fire_channels: dict[str, b.FireChannels] = Field(
        default_factory=dict, description="unit type -> engagements it can run at once (overrides the catalog)"
    )
    c2_time_s: dict[str, b.C2TimeS] = Field(
        default_factory=dict, description="unit type -> C2 decision time per engagement [s] (overrides the catalog)"
    )
    availability: dict[str, b.Probability] = Field(
        default_factory=dict,
        description="unit type or unit name -> probability in [0, 1] that it is on station "
        "(overrides the catalog; a unit name wins over its type); for ships in rotation, the fleet's share on station",
    )
    posture: b.Posture = Field(
        "rotation",
        description="rotation: the ships of each class keep their stations by rotation (a fleet of n hulls, "
        "each on station a share of its cycle, mans the first stations in the order listed); independent: "
        "every unit on station on its own, with its availability (the earlier model)",
    )


class MoneySpec(_Frozen):
    """A price the analyst gives: amount, currency and price year (all required)."""

    value: b.Money = Field(description="amount in the currency (at most 1e16)")
    currency: str = Field(description="JPY or USD")
    price_year: b.PriceYear
    source: str = Field(
        default="scenario", description="where the figure comes from (free text or a catalog source key)"
    )

    @model_validator(mode="after")
    def _currency(self) -> MoneySpec:
        if self.currency not in CURRENCIES:
            raise ValueError(f"currency '{self.currency}' is not supported; use one of {', '.join(CURRENCIES)}")
        return self


class CostSpec(_Frozen):
    """Horizon and price overrides of the cost model (``bmdlab cost``)."""

    years: b.Years = Field(default=30, description="operation and support horizon [years]")
    reloads: b.Reloads = Field(default=1, description="full magazine reloads bought per unit over the horizon")
    price_year: b.PriceYear = Field(default=2017, description="yen of this year")
    unit_cost: dict[str, MoneySpec] = Field(default_factory=dict, description="unit key -> acquisition price override")
    interceptor_cost: dict[str, MoneySpec] = Field(
        default_factory=dict, description="interceptor key -> price override"
    )
    operating_cost_per_year: dict[str, MoneySpec] = Field(
        default_factory=dict, description="unit key -> yearly O&S override"
    )


class WaveSpec(_Frozen):
    at_h: b.WaveAtH = Field(description="launch time of the wave's first missile [h after the first wave]")
    missiles: b.Missiles = Field(description="missiles in the wave (the raid's salvos scaled to it)")


class CampaignSpec(_Frozen):
    """A sequence of raid waves with reloads between them (``bmdlab campaign``)."""

    waves: list[WaveSpec] = Field(min_length=1, max_length=int(b.WAVES.high), description="the waves, in time order")
    reserve: dict[str, b.Reserve] = Field(
        default_factory=dict,
        description="interceptor key -> rounds in depots beyond the loaded magazines, "
        "shared by all units of that interceptor (default 0: no reloads)",
    )
    leave_station_below: b.LeaveStationBelow = Field(
        default=0,
        description="a ship leaves its station to reload in port when its magazine is at "
        "or below this many rounds (default 0: when empty)",
    )

    @model_validator(mode="after")
    def _check(self) -> CampaignSpec:
        times = [w.at_h for w in self.waves]
        if times != sorted(times) or len(set(times)) != len(times):
            raise ValueError("waves must be in strictly increasing at_h order")
        return self


#: (section, its model, field) added after scenario hashes were first recorded; left out of the hash at
#: their default, so the hash of a scenario that does not use them does not change. A section of None
#: is a top-level field.
_ADDED_LATER = (
    *(
        ("engagement", EngagementSpec, k)
        for k in ("common_mode", "capacity", "fire_channels", "c2_time_s", "availability")
    ),
    (None, None, "campaign"),
)


class Scenario(_Frozen):
    name: b.Name
    description: str = ""
    architecture: Architecture
    threat: Threat
    timeline: Timeline = Timeline()
    raid: RaidSpec | None = None
    engagement: EngagementSpec = EngagementSpec()
    campaign: CampaignSpec | None = None
    cost: CostSpec = CostSpec()
    source: Literal["built-in", "file"] = "file"

    @property
    def hash(self) -> str:
        """Content hash of the validated scenario (recorded with every result)."""
        data = self.model_dump(mode="json", exclude={"source"})
        for section, model, key in _ADDED_LATER:  # at their default, fields added later leave the hash as it was
            if section is None:
                if data.get(key) is None:
                    data.pop(key, None)
            elif data[section].get(key) == model.model_fields[key].get_default(call_default_factory=True):
                del data[section][key]
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def builtin_scenarios() -> list[str]:
    """Names of the scenarios shipped with bmdlab."""
    folder = resources.files("bmdlab") / "scenarios"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


@dataclass(frozen=True)
class ScenarioOption:
    """One architecture of the trade-off (``scenarios/options.yaml``): a built-in scenario or a file in
    ``scenarios/options/``."""

    key: str
    label: str
    scenario: str  #: a built-in scenario name, or ``options/KEY.yaml``
    note: str = ""


@functools.cache
def scenario_options() -> tuple[ScenarioOption, ...]:
    """The trade-off's architectures, in their order (keys are stable; labels are for tables and plots)."""
    data = read_yaml(Path(str(resources.files("bmdlab") / "scenarios" / "options" / "options.yaml")))
    return tuple(ScenarioOption(**o) for o in data["options"])


def scenario_names() -> dict[str, str]:
    """Every scenario name a command accepts besides a YAML path: {name: "built-in" | "trade-off option"}."""
    names = dict.fromkeys(builtin_scenarios(), "built-in")
    for o in scenario_options():
        names.setdefault(o.key, "trade-off option")
    return names


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario a command accepts by name, summarised (``bmdlab scenario list``)."""

    name: str
    origin: str  #: ``built-in`` or ``trade-off option``
    units: int
    raid_missiles: int  #: missiles of its default raid (0: no raid)
    description: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def scenario_rows(catalog: Catalog) -> list[ScenarioRow]:
    """Every scenario name a command accepts, resolved on ``catalog`` and summarised."""
    rows = []
    for name, origin in scenario_names().items():
        sc = resolve_scenario(name, catalog)
        missiles = sum(s.count for s in sc.raid.salvos) if sc.raid else 0
        rows.append(
            ScenarioRow(name, origin, len(sc.architecture.units), missiles, " ".join(sc.description.split()), sc.hash)
        )
    return rows


@dataclass(frozen=True)
class ScenarioCheck:
    """Whether a scenario file (or name) is valid on a catalog (``bmdlab scenario validate``)."""

    file: str
    valid: bool
    name: str | None = None
    hash: str | None = None
    error: str | None = None  #: the one-line error of an invalid file

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_scenario_files(files: list[str], catalog: Catalog) -> list[ScenarioCheck]:
    """Each file (or name) checked against the schema and the catalog; an invalid one keeps its error."""
    out = []
    for f in files:
        try:
            sc = resolve_scenario(f, catalog)
        except BmdlabError as exc:
            out.append(ScenarioCheck(f, False, error=printable(exc.readable())))
            continue
        out.append(ScenarioCheck(f, True, sc.name, sc.hash))
    return out


@dataclass(frozen=True)
class Asset:
    """A defended asset of a raid: a city or a base, with a value (e.g. its population)."""

    name: str
    lat: float  #: [deg]
    lon: float  #: [deg]
    value: float


#: Assets of a raid whose scenario names none: Japan's most populous cities (value = population).
DEFAULT_ASSET_CITIES = 30


def raid_assets(scenario: Scenario) -> list[Asset]:
    """The raid's assets, or Japan's :data:`DEFAULT_ASSET_CITIES` largest cities (value = population)."""
    if scenario.raid is not None and scenario.raid.assets is not None:
        return [Asset(a.name, a.lat, a.lon, a.value) for a in scenario.raid.assets]
    return [
        Asset(c["name"], c["lat"], c["lon"], float(c["population"]))
        for c in largest_cities(DEFAULT_ASSET_CITIES).records()
    ]


def salvo_aims(k: int, salvo: dict[str, Any], assets: list[Asset], catalog: Catalog) -> NDArray[np.intp]:
    """The assets salvo ``k`` (``{count, missile, launch_area, aim}``) aims at: its ``aim`` names (else every
    asset, most valuable first) within the missile's range of its launch area. The one rule of scenario
    validation and of the raid: an unknown name, or a salvo with missiles but no asset in range, is refused."""
    mis, place = catalog.missile(salvo["missile"]), catalog.place(salvo["launch_area"])
    by_name = {a.name: i for i, a in enumerate(assets)}
    names = salvo.get("aim") or [a.name for a in sorted(assets, key=lambda a: -a.value)]
    for n in names:
        if n not in by_name:
            raise BmdlabError(
                f"raid.salvos.{k}.aim: unknown asset '{n}'; use names from raid.assets (without it, the names "
                f"of Japan's {DEFAULT_ASSET_CITIES} largest cities)"
            )
    idx = np.array([by_name[n] for n in names], dtype=np.intp)
    dist = EARTH_RADIUS * central_angle(
        np.radians(place.lat.nominal),
        np.radians(place.lon.nominal),
        np.radians([assets[i].lat for i in idx]),
        np.radians([assets[i].lon for i in idx]),
    )
    idx = idx[dist <= max_range(mis)]
    if salvo["count"] > 0 and idx.size == 0:
        raise BmdlabError(
            f"raid.salvos.{k}: no aim point within the {mis.name}'s range from {place.name}; "
            "choose nearer assets or another missile"
        )
    return idx


def load_scenario(name_or_path: str | Path, catalog: Catalog) -> Scenario:
    """Load a built-in scenario by name or a YAML file, and check it against the catalog (:func:`resolve_scenario`
    takes trade-off option keys and scenario objects too).

    Raises
    ------
    BmdlabError
        One line naming the file, the field path and what to change.
    """
    text = str(name_or_path)
    if text in builtin_scenarios():
        path = _builtin_path(f"{text}.yaml")
        return scenario_from_data(read_yaml(path), catalog, str(path), source="built-in")
    path = Path(text)
    if not path.is_file():
        raise BmdlabError(
            f"scenario '{text}' is neither a built-in scenario ({', '.join(builtin_scenarios())}) "
            "nor a readable YAML file"
        )
    return scenario_from_data(read_yaml(path), catalog, str(path))


def _builtin_path(name: str) -> Path:
    return Path(str(resources.files("bmdlab") / "scenarios" / name))


def resolve_scenario(name: str | Path | Scenario, catalog: Catalog, parameter: str = "scenario") -> Scenario:
    """A scenario from a built-in name, a trade-off option key, a YAML path, or a :class:`Scenario` as is
    (checked against the catalog): the one resolver of every command, the Python API and the web server.

    Raises
    ------
    BmdlabError
        One line naming ``parameter`` and the accepted names when ``name`` is none of them.
    """
    parameter = arguments.text("parameter", parameter)
    arguments.instance("catalog", catalog, Catalog, "a Catalog (bmdlab.catalog.builtin_catalog())")
    if isinstance(name, Scenario):
        check_against_catalog(name, catalog, name.name)
        return name
    if not isinstance(name, (str, Path)):
        raise BmdlabError(
            f"{parameter}: {name!r} is not a scenario; give a built-in name, a trade-off option, a YAML path or "
            "a Scenario"
        )
    text = str(name)
    if text in builtin_scenarios():
        return load_scenario(text, catalog)
    options = {o.key: o for o in scenario_options()}
    if not text.endswith((".yaml", ".yml")) and not Path(text).is_file():
        if text in options:
            return _option_scenario(options[text], catalog)
        raise BmdlabError(
            f"{parameter}: '{text}' is neither a built-in scenario ({', '.join(builtin_scenarios())}), "
            f"a trade-off option ({', '.join(options)}) nor a readable YAML file"
        )
    return load_scenario(text, catalog)


def _option_scenario(option: ScenarioOption, catalog: Catalog) -> Scenario:
    if option.scenario in builtin_scenarios():
        return load_scenario(option.scenario, catalog)
    path = _builtin_path(option.scenario)
    return scenario_from_data(read_yaml(path), catalog, str(path), source="built-in")


def scenario_from_data(data: object, catalog: Catalog, where: str, source: str = "file") -> Scenario:
    """A scenario from parsed YAML or JSON data, validated and checked against the catalog (one-line
    errors naming ``where`` and the field)."""
    if not isinstance(data, dict):
        raise BmdlabError(f"{where}: a scenario must be a mapping with name, architecture and threat")
    try:
        scenario = Scenario.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise BmdlabError(validation_message(where, exc)).with_labels(unit_labels(data)) from None
    check_against_catalog(scenario, catalog, where)
    return scenario


def unit_labels(data: Mapping[str, Any]) -> dict[str, str]:
    """What an error's paths into a scenario's units and sensors point at, for a person
    (:meth:`BmdlabError.readable`): ``{"architecture.units.4": "PAC-3 Ichigaya"}``, the unit's name or, when it has
    none, its catalog key (read from the data as given: a file the schema refuses has no :class:`Scenario`)."""
    arch = data.get("architecture")
    labels: dict[str, str] = {}
    for group, key in (("units", "unit"), ("sensors", "sensor")):
        items = arch.get(group) if isinstance(arch, Mapping) else None
        for i, item in enumerate(items if isinstance(items, list) else []):
            label = (item.get("name") or item.get(key)) if isinstance(item, Mapping) else None
            if isinstance(label, str) and label.strip():
                labels[f"architecture.{group}.{i}"] = printable(label.strip())[:80]
    return labels


def scenario_from_text(text: str, catalog: Catalog, where: str = "scenario") -> Scenario:
    """A scenario from YAML text (e.g. an upload): parsed as strictly as a file (:func:`load_scenario`)."""
    return scenario_from_data(parse_yaml_text(text, where), catalog, where)


def check_against_catalog(scenario: Scenario, catalog: Catalog, where: str) -> None:
    """Every key must exist in the catalog; land units must stand on land and sea units at sea; a campaign
    needs a raid. Raises a one-line :class:`BmdlabError` naming ``where`` and the field."""
    try:
        _check_architecture(scenario, catalog)
        _check_threat(scenario, catalog)
        _check_raid_and_campaign(scenario, catalog)
        _check_tables(scenario, catalog)
    except BmdlabError as exc:
        labels = unit_labels(scenario.model_dump(include={"architecture"}))
        raise BmdlabError(f"{where}: {exc}").with_labels(labels) from None


def _field(field: str, exc: BmdlabError) -> BmdlabError:
    return BmdlabError(f"{field}: {exc}")


def _check_architecture(scenario: Scenario, catalog: Catalog) -> None:
    for i, u in enumerate(scenario.architecture.units):
        f = f"architecture.units.{i}"
        if u.unit not in catalog.units:
            raise _field(f + ".unit", unknown_key("unit", u.unit, catalog.units))
        if u.interceptor is not None and u.interceptor not in catalog.interceptors:
            raise _field(f + ".interceptor", unknown_key("interceptor", u.interceptor, catalog.interceptors))
        place = resolve_place(u.at, catalog, f + ".at")
        land, basing = bool(is_land(place.lat_deg, place.lon_deg)), catalog.units[u.unit].basing
        if basing == "land" and not land:
            raise BmdlabError(
                f"{f}.at: {place.lat_deg:.3f},{place.lon_deg:.3f} is in the sea; a {u.unit} is "
                "land-based, move it onto land"
            )
        if basing == "sea" and land:
            raise BmdlabError(
                f"{f}.at: {place.lat_deg:.3f},{place.lon_deg:.3f} is on land; a {u.unit} is a ship, place it at sea"
            )
    for i, s in enumerate(scenario.architecture.sensors):
        f = f"architecture.sensors.{i}"
        if s.sensor not in catalog.sensors:
            raise _field(f + ".sensor", unknown_key("sensor", s.sensor, catalog.sensors))
        resolve_place(s.at, catalog, f + ".at")


def _check_threat(scenario: Scenario, catalog: Catalog) -> None:
    grouped = scenario.threat.groups is not None
    areas = catalog.places_of("launch-area")
    for g_i, g in enumerate(scenario.threat.all_groups()):
        at = f"threat.groups.{g_i}." if grouped else "threat."
        for i, m in enumerate(g.missiles):
            if m not in catalog.missiles:
                raise _field(f"{at}missiles.{i}", unknown_key("missile", m, catalog.missiles))
        for i, sh in enumerate(g.shapes):  # the same rule as `bmdlab trajectory`
            for m in g.missiles:
                apogee = None if sh.apogee_km is None else sh.apogee_km * 1e3
                check_shape(catalog.missiles[m], sh.shape, apogee, where=f"{at}shapes.{i}.apogee_km")
                if sh.shape == "lofted" and apogee is not None:
                    _check_lofted_reaches_japan(catalog, m, g.launch_areas or list(areas), apogee, f"{at}shapes.{i}")
        for i, a in enumerate(g.launch_areas or []):
            if a not in areas:
                raise _field(f"{at}launch_areas.{i}", unknown_key("launch area", a, areas))


def _check_lofted_reaches_japan(catalog: Catalog, missile: str, areas: list[str], apogee: float, field: str) -> None:
    """A lofted apogee below the missile's minimum-energy apogee over the shortest range to Japan, from every
    launch area that can reach it, flies to no point of Japan: refused (coverage would count that shape as
    reaching nothing, silently)."""
    mis = catalog.missiles[missile]
    best = None
    for a in areas:
        p = catalog.place(a)
        d = nearest_coast_m(p.lat.nominal, p.lon.nominal)
        if d <= max_range(mis):
            need = minimum_energy_apogee(mis, d)
            if apogee >= need:
                return
            best = min(best or (need, a, d), (need, a, d))
    if best is not None:
        need, a, d = best
        raise BmdlabError(
            f"{field}.apogee_km: a lofted {mis.name} with an apogee of {apogee / 1e3:,.0f} km reaches none of "
            f"Japan's land: from {catalog.place(a).name}, {d / 1e3:,.0f} km from the nearest coast, a lofted "
            f"flight climbs above its minimum-energy apogee of {need / 1e3:,.0f} km; raise apogee_km"
        )


def _check_raid_and_campaign(scenario: Scenario, catalog: Catalog) -> None:
    areas = catalog.places_of("launch-area")
    assets = raid_assets(scenario) if scenario.raid is not None else []
    for i, s in enumerate(scenario.raid.salvos if scenario.raid is not None else []):
        if s.missile not in catalog.missiles:
            raise _field(f"raid.salvos.{i}.missile", unknown_key("missile", s.missile, catalog.missiles))
        if s.launch_area not in areas:
            raise _field(f"raid.salvos.{i}.launch_area", unknown_key("launch area", s.launch_area, areas))
        salvo_aims(i, s.model_dump(), assets, catalog)  # the raid's own rule: known assets, one in range
    if scenario.campaign is not None:
        for k in scenario.campaign.reserve:
            if k not in catalog.interceptors:
                raise _field(f"campaign.reserve.{k}", unknown_key("interceptor", k, catalog.interceptors))
        if scenario.raid is None:
            raise BmdlabError("campaign: a campaign scales the scenario's raid; add a 'raid:' section with salvos")


def _check_tables(scenario: Scenario, catalog: Catalog) -> None:
    """Keys of the engagement and cost tables: interceptors, unit types, or (availability) unit names."""
    eng, cost = scenario.engagement, scenario.cost
    interceptor_tables = (
        ("engagement.sspk", eng.sspk),
        ("engagement.reliability", eng.reliability),
        ("cost.interceptor_cost", cost.interceptor_cost),
    )
    unit_tables = (
        ("engagement.fire_channels", eng.fire_channels),
        ("engagement.c2_time_s", eng.c2_time_s),
        ("cost.unit_cost", cost.unit_cost),
        ("cost.operating_cost_per_year", cost.operating_cost_per_year),
    )
    for name, table in interceptor_tables:
        for k in table:
            if k not in catalog.interceptors:
                raise _field(f"{name}.{k}", unknown_key("interceptor", k, catalog.interceptors))
    for name, table in unit_tables:
        for k in table:
            if k not in catalog.units:
                raise _field(f"{name}.{k}", unknown_key("unit", k, catalog.units))
    names = {u.name for u in scenario.architecture.units if u.name}
    for k in eng.availability:
        if k not in catalog.units and k not in names:
            raise _field(
                f"engagement.availability.{k}", unknown_key("unit type or unit name", k, [*names, *catalog.units])
            )
