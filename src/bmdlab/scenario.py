"""Scenarios: an architecture (units at places) and a threat (launch areas, missiles, shapes).

Scenarios are YAML files validated once at load time into frozen pydantic objects (STYLE.md,
convention 6); a validation error names the file, the field path and what is allowed. Built-in
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

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bmdlab.catalog import Catalog
from bmdlab.catalog.load import parse_yaml_text, read_yaml, validation_message
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.trajectory import SHAPES


class _Frozen(BaseModel):
    # every number finite: inf and nan would give NaN answers or JSON that is not JSON
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class LatLon(_Frozen):
    lat: float = Field(ge=-90.0, le=90.0, description="latitude [deg]")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude [deg]")


class UnitSpec(_Frozen):
    """One unit of the architecture: a catalog unit type at a place."""

    unit: str = Field(description="catalog unit key, e.g. kongo-class, pac-3-fire-unit")
    at: str | LatLon = Field(description="catalog place key, city of Japan (e.g. tokyo) or {lat, lon} in degrees")
    name: str | None = None
    inventory: int | None = Field(default=None, ge=0, description="interceptors loaded (default: catalog magazine)")
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
    apogee_km: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _check(self) -> ShapeSpec:
        if self.shape not in SHAPES:
            raise ValueError(f"unknown trajectory shape '{self.shape}'; use one of {', '.join(SHAPES)}")
        if self.shape != "minimum-energy" and self.apogee_km is None:
            raise ValueError(f"shape '{self.shape}' needs apogee_km")
        return self


class Architecture(_Frozen):
    units: list[UnitSpec] = Field(min_length=1)
    sensors: list[SensorSpec] = []


class ThreatGroup(_Frozen):
    """Missiles fired from launch areas with trajectory shapes (every combination is one threat case)."""

    missiles: list[str] = Field(min_length=1)
    launch_areas: list[str] | None = Field(default=None, description="catalog place keys; default: all launch areas")
    shapes: list[ShapeSpec] = [ShapeSpec()]
    note: str | None = Field(default=None, description="why these launch areas and shapes (sources)")


class Threat(_Frozen):
    """The threat: one group (``missiles`` x ``launch_areas`` x ``shapes``) or a list of ``groups``,
    e.g. each missile from the areas it was launched from, with the shapes it was flown on."""

    launch_areas: list[str] | None = Field(default=None, description="catalog place keys; default: all launch areas")
    missiles: list[str] | None = Field(default=None, min_length=1)
    shapes: list[ShapeSpec] | None = None
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

    track_delay_s: float | None = Field(
        default=None,
        ge=0,
        description="detection to interceptor launch decision [s]; default: each unit's catalog reaction time",
    )
    kill_assessment_s: float = Field(default=10.0, ge=0, description="intercept to next launch decision [s]")
    cue_latency_s: float = Field(default=10.0, ge=0, description="remote detection to local commit information [s]")
    min_elevation_deg: float = Field(default=0.5, ge=0, le=30)
    cueing: bool = Field(default=True, description="units may fire on any sensor's track (networked)")
    max_shots: int = Field(default=2, ge=1, le=4)
    flyout: Literal["physical", "straight-line"] = Field(
        default="physical", description="interceptor fly-out model (bmdlab.defense.flyout)"
    )
    engagement_limits: list[
        Literal["launcher-elevation", "min-flight-time", "crossing", "track-rcs", "field-of-view"]
    ] = Field(
        default=["launcher-elevation", "min-flight-time", "crossing", "track-rcs", "field-of-view"],
        description="engagement limits in force (bmdlab.defense.engage.ENGAGEMENT_LIMITS); [] for none",
    )
    rcs_scale: float = Field(
        default=1.0,
        gt=0.0,
        le=1000.0,
        allow_inf_nan=False,
        description="factor on every threat's radar cross-section (with the track-rcs limit)",
    )


class AssetSpec(_Frozen):
    """A defended asset: a city or a base, with a value (default: its population if a city)."""

    name: str = Field(min_length=1)
    lat: float = Field(ge=-90.0, le=90.0)
    lon: float = Field(ge=-180.0, le=180.0)
    value: float = Field(ge=0.0, le=1e15, description="relative weight (e.g. population), at most 1e15")


class SalvoSpec(_Frozen):
    """Missiles the analyst fires from one launch area (never chosen by bmdlab)."""

    count: int = Field(ge=0, le=5000)
    missile: str
    launch_area: str
    aim: list[str] | None = Field(
        default=None, description="asset names; default: every asset in range, most valuable first"
    )
    launch_spread_s: float = Field(default=0.0, ge=0.0)


#: Largest raid a scenario may write (missiles over all salvos), the CLI's --missiles maximum too.
MAX_RAID_MISSILES = 5000


class RaidSpec(_Frozen):
    salvos: list[SalvoSpec] = Field(min_length=1)
    assets: list[AssetSpec] | None = Field(
        default=None, description="default (key absent): Japan's 30 largest cities, value = population"
    )
    decoys_per_missile: int = Field(default=0, ge=0, le=20)
    discrimination_probability: float = Field(default=1.0, ge=0.0, le=1.0)
    missile_reliability: float = Field(default=1.0, ge=0.0, le=1.0)

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

    doctrine: Literal["shoot-look-shoot", "salvo", "salvo-2", "preferential"] = Field(
        "shoot-look-shoot",
        description="shoot-look-shoot, salvo (two per opportunity; salvo-2 is its older name) or "
        "preferential (interceptors allocated to the most valuable assets first, then "
        "shoot-look-shoot within the allocation)",
    )
    sspk: dict[str, float] = Field(default_factory=dict, description="interceptor key -> single-shot kill probability")
    reliability: dict[str, float] = Field(default_factory=dict, description="interceptor key -> reliability")
    common_mode: dict[str, float] = Field(
        default_factory=dict,
        description="interceptor key -> correlation in [0, 1) of its shots' kill outcomes within a raid (a flaw shared by "
        "all rounds of the type; 0 or absent: independent shots). An analyst's assumption: no open source "
        "gives it.",
    )
    capacity: bool = Field(True, description="honour each unit's fire channels and C2 decision time in raids")
    fire_channels: dict[str, int] = Field(
        default_factory=dict, description="unit type -> engagements it can run at once (overrides the catalog)"
    )
    c2_time_s: dict[str, float] = Field(
        default_factory=dict, description="unit type -> C2 decision time per engagement [s] (overrides the catalog)"
    )
    availability: dict[str, float] = Field(
        default_factory=dict,
        description="unit type or unit name -> probability in [0, 1] that it is on station "
        "(overrides the catalog; a unit name wins over its type)",
    )

    @model_validator(mode="after")
    def _probabilities(self) -> EngagementSpec:
        for name, table in (("sspk", self.sspk), ("reliability", self.reliability)):
            for k, v in table.items():
                if not 0.0 <= v <= 1.0:
                    raise ValueError(f"{name}.{k} = {v} must lie in [0, 1]")
        for k, v in self.common_mode.items():
            if not 0.0 <= v < 1.0:
                raise ValueError(f"common_mode.{k} = {v} must lie in [0, 1)")
        for k, v in self.availability.items():
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"availability.{k} = {v} must lie in [0, 1]")
        for k, n in self.fire_channels.items():
            if not 1 <= n <= 1000:
                raise ValueError(f"fire_channels.{k} = {n} must be between 1 and 1000")
        for k, t in self.c2_time_s.items():
            if not 0.0 <= t <= 3600.0:
                raise ValueError(f"c2_time_s.{k} = {t} must lie in [0, 3600] s")
        return self


class MoneySpec(_Frozen):
    """A price the analyst gives: amount, currency and price year (all required)."""

    value: float = Field(ge=0.0, le=1e16, description="amount in the currency (at most 1e16)")
    currency: str = Field(description="JPY or USD")
    price_year: int = Field(ge=1990, le=2030)
    source: str = Field(
        default="scenario", description="where the figure comes from (free text or a catalog source key)"
    )

    @model_validator(mode="after")
    def _currency(self) -> MoneySpec:
        from bmdlab.catalog.schema import CURRENCIES

        if self.currency not in CURRENCIES:
            raise ValueError(f"currency '{self.currency}' is not supported; use one of {', '.join(CURRENCIES)}")
        return self


class CostSpec(_Frozen):
    """Horizon and price overrides of the cost model (``bmdlab cost``)."""

    years: int = Field(default=30, ge=0, le=100, description="operation and support horizon [years]")
    reloads: int = Field(default=1, ge=0, le=20, description="full magazine reloads bought per unit over the horizon")
    price_year: int = Field(default=2017, ge=1990, le=2030, description="yen of this year")
    unit_cost: dict[str, MoneySpec] = Field(default_factory=dict, description="unit key -> acquisition price override")
    interceptor_cost: dict[str, MoneySpec] = Field(
        default_factory=dict, description="interceptor key -> price override"
    )
    operating_cost_per_year: dict[str, MoneySpec] = Field(
        default_factory=dict, description="unit key -> yearly O&S override"
    )


class WaveSpec(_Frozen):
    at_h: float = Field(
        ge=0.0, le=24 * 365, description="launch time of the wave's first missile [h after the first wave]"
    )
    missiles: int = Field(
        ge=0, le=MAX_RAID_MISSILES, description="missiles in the wave (the raid's salvos scaled to it)"
    )


class CampaignSpec(_Frozen):
    """A sequence of raid waves with reloads between them (``bmdlab campaign``)."""

    waves: list[WaveSpec] = Field(min_length=1, max_length=200, description="the waves, in time order")
    reserve: dict[str, int] = Field(
        default_factory=dict,
        description="interceptor key -> rounds in depots beyond the loaded magazines, "
        "shared by all units of that interceptor (default 0: no reloads)",
    )
    leave_station_below: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="a ship leaves its station to reload in port when its magazine is at "
        "or below this many rounds (default 0: when empty)",
    )

    @model_validator(mode="after")
    def _check(self) -> CampaignSpec:
        times = [w.at_h for w in self.waves]
        if times != sorted(times) or len(set(times)) != len(times):
            raise ValueError("waves must be in strictly increasing at_h order")
        for k, n in self.reserve.items():
            if not 0 <= n <= 1_000_000:
                raise ValueError(f"reserve.{k} = {n} must be between 0 and 1,000,000")
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
    name: str
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


def load_scenario(name_or_path: str | Path, catalog: Catalog) -> Scenario:
    """Load a built-in scenario by name or a YAML file, and check it against the catalog.

    Raises
    ------
    BmdlabError
        One line naming the file, the field path and what to change.
    """
    text_path = str(name_or_path)
    builtin = text_path in builtin_scenarios()
    if builtin:
        path = Path(str(resources.files("bmdlab") / "scenarios" / f"{text_path}.yaml"))
    else:
        path = Path(text_path)
        if not path.is_file():
            raise BmdlabError(
                f"scenario '{text_path}' is neither a built-in scenario ({', '.join(builtin_scenarios())}) nor a readable YAML file"
            )
    return scenario_from_data(read_yaml(path), catalog, str(path), source="built-in" if builtin else "file")


def scenario_from_data(data: object, catalog: Catalog, where: str, source: str = "file") -> Scenario:
    """A scenario from parsed YAML or JSON data, validated and checked against the catalog (one-line
    errors naming ``where`` and the field)."""
    if not isinstance(data, dict):
        raise BmdlabError(f"{where}: a scenario must be a mapping with name, architecture and threat")
    try:
        scenario = Scenario.model_validate({**data, "source": source})
    except ValidationError as exc:
        raise BmdlabError(validation_message(where, exc)) from None
    check_against_catalog(scenario, catalog, where)
    return scenario


def scenario_from_text(text: str, catalog: Catalog, where: str = "scenario") -> Scenario:
    """A scenario from YAML text (e.g. an upload): parsed as strictly as a file (:func:`load_scenario`)."""
    return scenario_from_data(parse_yaml_text(text, where), catalog, where)


def check_against_catalog(scenario: Scenario, catalog: Catalog, where: str) -> None:
    """Every key must exist; land units must stand on land and sea units at sea."""
    from bmdlab.geo.japan import is_land

    def err(field: str, exc: BmdlabError) -> BmdlabError:
        return BmdlabError(f"{where}: {field}: {exc}")

    for i, u in enumerate(scenario.architecture.units):
        f = f"architecture.units.{i}"
        if u.unit not in catalog.units:
            raise err(f + ".unit", unknown_key("unit", u.unit, catalog.units))
        if u.interceptor is not None and u.interceptor not in catalog.interceptors:
            raise err(f + ".interceptor", unknown_key("interceptor", u.interceptor, catalog.interceptors))
        lat, lon = resolve_place(u.at, catalog, where, f + ".at")
        land = bool(is_land(lat, lon))
        basing = catalog.units[u.unit].basing
        if basing == "land" and not land:
            raise BmdlabError(
                f"{where}: {f}.at: {lat:.3f},{lon:.3f} is in the sea; a {u.unit} is land-based, move it onto land"
            )
        if basing == "sea" and land:
            raise BmdlabError(f"{where}: {f}.at: {lat:.3f},{lon:.3f} is on land; a {u.unit} is a ship, place it at sea")
    for i, s in enumerate(scenario.architecture.sensors):
        f = f"architecture.sensors.{i}"
        if s.sensor not in catalog.sensors:
            raise err(f + ".sensor", unknown_key("sensor", s.sensor, catalog.sensors))
        resolve_place(s.at, catalog, where, f + ".at")
    from bmdlab.trajectory.flight import check_shape

    grouped = scenario.threat.groups is not None
    for g_i, g in enumerate(scenario.threat.all_groups()):
        at = f"threat.groups.{g_i}." if grouped else "threat."
        for i, m in enumerate(g.missiles):
            if m not in catalog.missiles:
                raise err(f"{at}missiles.{i}", unknown_key("missile", m, catalog.missiles))
        for i, sh in enumerate(g.shapes):  # the same rule as `bmdlab trajectory`
            for m in g.missiles:
                try:
                    check_shape(
                        catalog.missiles[m],
                        sh.shape,
                        None if sh.apogee_km is None else sh.apogee_km * 1e3,
                        where=f"{at}shapes.{i}.apogee_km",
                    )
                except BmdlabError as exc:
                    raise BmdlabError(f"{where}: {exc}") from None
        for i, a in enumerate(g.launch_areas or []):
            if a not in catalog.places_of("launch-area"):
                raise err(f"{at}launch_areas.{i}", unknown_key("launch area", a, catalog.places_of("launch-area")))
    if scenario.raid is not None:
        for i, s in enumerate(scenario.raid.salvos):
            if s.missile not in catalog.missiles:
                raise err(f"raid.salvos.{i}.missile", unknown_key("missile", s.missile, catalog.missiles))
            if s.launch_area not in catalog.places_of("launch-area"):
                raise err(
                    f"raid.salvos.{i}.launch_area",
                    unknown_key("launch area", s.launch_area, catalog.places_of("launch-area")),
                )
    for name, table in (
        ("sspk", scenario.engagement.sspk),
        ("reliability", scenario.engagement.reliability),
        ("interceptor_cost", scenario.cost.interceptor_cost),
    ):
        for k in table:
            if k not in catalog.interceptors:
                section = "cost" if name.endswith("cost") else "engagement"
                raise err(f"{section}.{name}.{k}", unknown_key("interceptor", k, catalog.interceptors))
    for name, table in (
        ("fire_channels", scenario.engagement.fire_channels),
        ("c2_time_s", scenario.engagement.c2_time_s),
    ):
        for k in table:
            if k not in catalog.units:
                raise err(f"engagement.{name}.{k}", unknown_key("unit", k, catalog.units))
    if scenario.campaign is not None:
        for k in scenario.campaign.reserve:
            if k not in catalog.interceptors:
                raise err(f"campaign.reserve.{k}", unknown_key("interceptor", k, catalog.interceptors))
        if scenario.raid is None:
            raise BmdlabError(
                f"{where}: campaign: a campaign scales the scenario's raid; add a 'raid:' section with salvos"
            )
    names = {u.name for u in scenario.architecture.units if u.name}
    for k in scenario.engagement.availability:
        if k not in catalog.units and k not in names:
            raise err(
                f"engagement.availability.{k}", unknown_key("unit type or unit name", k, [*names, *catalog.units])
            )
    for name, table in (
        ("unit_cost", scenario.cost.unit_cost),
        ("operating_cost_per_year", scenario.cost.operating_cost_per_year),
    ):
        for k in table:
            if k not in catalog.units:
                raise err(f"cost.{name}.{k}", unknown_key("unit", k, catalog.units))


def resolve_place(
    at: str | LatLon, catalog: Catalog, where: str = "scenario", field: str = "at"
) -> tuple[float, float]:
    """(lat, lon) in degrees of a catalog place key, a city of Japan (``tokyo``) or an explicit point."""
    if isinstance(at, LatLon):
        return at.lat, at.lon
    if at not in catalog.places:
        from bmdlab.geo.places import city_place

        city = city_place(at)
        if city is not None:
            return city[0], city[1]
        raise BmdlabError(
            f"{where}: {field}: "
            + str(unknown_key("place", at, catalog.places))
            + " (or a city of Japan, e.g. tokyo, or {lat, lon})"
        )
    p = catalog.places[at]
    return p.lat.nominal, p.lon.nominal
