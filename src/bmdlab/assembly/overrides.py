"""What a caller may change on top of a scenario and the catalog: one typed, frozen model.

:class:`Overrides` holds every parameter the command line, the Python API, a sweep axis or the web
server may set for a run; each field's bound comes from :mod:`bmdlab.bounds`, so every way in
accepts and refuses the same values. A field left at ``None`` changes nothing: the scenario's value
stands, else the catalog's. Which value wins is decided in one place,
:func:`bmdlab.assembly.setup.assemble`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema

from bmdlab import arguments
from bmdlab import bounds as b
from bmdlab.errors import BmdlabError, unknown_key


def _limits(value: Any) -> Any:
    """``all``, ``none``, a comma list or a list of limit names -> a set (checked by the field's type)."""
    if isinstance(value, str):
        items = [x.strip() for x in value.split(",")]
        if "" in items:  # an empty item never means "no limit" (`,` or `crossing,` would silently drop limits)
            raise ValueError(
                f"{value!r} has an empty item; give all, none or a comma list of limit names (e.g. crossing,field-of-view)"
            )
        if items == ["all"]:
            return frozenset(b.ENGAGEMENT_LIMITS)
        if items == ["none"]:
            return frozenset()
        value = items
    if isinstance(value, (list, tuple, set, frozenset)):
        for x in value:
            if x not in b.ENGAGEMENT_LIMITS:  # the message of bmdlab.bounds.Limit (a scenario's list)
                raise ValueError(str(unknown_key("engagement limit", str(x), b.ENGAGEMENT_LIMITS)) + "; or all, none")
        return frozenset(value)
    return value


#: What ``limits`` accepts, for the JSON Schema (the web API's document): a list of names, or text.
_LIMITS_SCHEMA = {
    "anyOf": [
        {"type": "array", "items": {"enum": list(b.ENGAGEMENT_LIMITS), "type": "string"}, "uniqueItems": True},
        {"type": "string", "description": "all, none, or a comma-separated list of engagement limits"},
    ]
}


class Overrides(BaseModel):
    """Changes to a scenario a caller asks for; ``None`` keeps the scenario's (else the catalog's) value.

    Engagement model: ``flyout``, ``limits`` (the set in force: ``all``, ``none`` or names) and the
    ``limit_*`` switches (one limit on or off, applied after ``limits``), ``rcs_scale``,
    ``track_delay_s``. Units: ``availability`` (every unit), ``sea_availability`` and ``land_availability`` (every ship, every land unit; before ``availability``), ``posture``, ``fire_channels_quantile`` (each unit's channels at this position of its plausible range), ``fire_channels_scale`` (a factor on
    each unit's channels, rounded, at least 1), ``capacity``. Shots: ``sspk`` (every interceptor),
    ``sspk_quantile`` (each interceptor's test-record posterior at this quantile), ``common_mode``,
    ``doctrine``. Raid: ``missiles`` (the salvos scaled), ``decoys``, ``discrimination``,
    ``missile_reliability``. Costs: ``years``, ``reloads``, ``price_year``, ``cost_scale``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    flyout: b.Flyout | None = Field(None, description="interceptor fly-out model")
    limits: Annotated[frozenset[b.EngagementLimit], BeforeValidator(_limits), WithJsonSchema(_LIMITS_SCHEMA)] | None = (
        Field(None, description="engagement limits in force: all, none, or names")
    )
    limit_launcher_elevation: b.Switch | None = None
    limit_min_flight_time: b.Switch | None = None
    limit_crossing: b.Switch | None = None
    limit_track_rcs: b.Switch | None = None
    limit_field_of_view: b.Switch | None = None
    rcs_scale: b.RcsScale | None = Field(None, description="factor on every threat's radar cross-section")
    track_delay_s: b.TrackDelayS | None = Field(None, description="detection to launch decision, every unit [s]")
    availability: b.Probability | None = Field(None, description="probability that every unit is on station")
    sea_availability: b.Probability | None = Field(
        None, description="every ship's share on station (its probability under the independent posture)"
    )
    land_availability: b.Probability | None = Field(None, description="probability that every land unit is on station")
    posture: b.Posture | None = Field(None, description="rotation (ships keep stations by rotation) or independent")
    fire_channels_scale: b.FireChannelsScale | None = Field(
        None, description="factor on every unit's fire channels (rounded, at least 1)"
    )
    fire_channels_quantile: b.Probability | None = Field(
        None,
        description="every unit's fire channels at this position of its catalog plausible range (0: its low end, "
        "1: its high end; rounded)",
    )
    capacity: b.Switch | None = Field(None, description="honour fire channels and C2 decision times")
    sspk: b.Probability | None = Field(None, description="single-shot kill probability of every interceptor")
    sspk_quantile: b.Probability | None = Field(
        None, description="every interceptor's kill probability at this quantile of its test-record posterior"
    )
    common_mode: b.CommonMode | None = Field(
        None, description="correlation of the kill outcomes of one interceptor type's shots, every type"
    )
    doctrine: b.Doctrine | None = Field(None, description="firing doctrine")
    missiles: b.Missiles | None = Field(None, description="missiles in the raid (its salvos scaled)")
    decoys: b.Decoys | None = Field(None, description="decoys per missile")
    discrimination: b.Probability | None = Field(None, description="probability that a decoy is recognised")
    missile_reliability: b.Probability | None = Field(None, description="probability that a missile works")
    years: b.Years | None = Field(None, description="operation and support horizon [years]")
    reloads: b.Reloads | None = Field(None, description="full magazine reloads bought per unit")
    price_year: b.PriceYear | None = Field(None, description="yen of this year")
    cost_scale: b.CostScale | None = Field(None, description="factor on every price")

    @classmethod
    def of(cls, values: dict[str, Any] | Overrides | None = None, **more: Any) -> Overrides:
        """Overrides from a mapping (and keywords), with a one-line :class:`BmdlabError` naming the field."""
        if values is not None and not isinstance(values, Overrides):
            arguments.mapping("overrides", values, "parameter: value (or an Overrides)")
        data = dict(values.changed() if isinstance(values, Overrides) else values or {})
        data.update({k: v for k, v in more.items() if v is not None})
        for k in data:
            if k not in cls.model_fields:
                raise unknown_key("parameter", k, cls.model_fields)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            e = exc.errors()[0]
            name = ".".join(str(x) for x in e["loc"]) or "overrides"
            raise BmdlabError(f"{name}: {str(e['msg']).removeprefix('Value error, ')}") from None

    @classmethod
    def from_text(cls, items: list[str] | tuple[str, ...]) -> Overrides:
        """Overrides from ``NAME=VALUE`` strings (the command line's ``--set``): numbers become numbers."""
        data: dict[str, Any] = {}
        for item in items:
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise BmdlabError(f"set: '{item}' must look like NAME=VALUE, e.g. availability=0.8")
            if name in data:
                raise BmdlabError(f"set: '{name}' is given twice; give each parameter once")
            data[name] = parse_value(text.strip())
        return cls.of(data)

    @classmethod
    def combine(cls, *parts: Overrides) -> Overrides:
        """Several callers' overrides together (a command's own options and its ``--set`` values); a field set
        by two of them is a one-line error, not a silent choice."""
        out: dict[str, Any] = {}
        for part in parts:
            for k, v in part.changed().items():
                if k in out:
                    raise BmdlabError(f"{k}: given twice (as an option and in `settings`); give it once")
                out[k] = v
        return cls.of(out)

    def changed(self) -> dict[str, Any]:
        """The fields that are set (for provenance and merging)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}

    def merged(self, other: Overrides | None) -> Overrides:
        """These overrides with ``other``'s set fields on top."""
        return self if other is None else Overrides.of({**self.changed(), **other.changed()})

    def to_json(self) -> dict[str, Any]:
        """JSON-ready set fields (limit sets as sorted lists)."""
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in self.changed().items()}


@dataclass(frozen=True)
class OverrideInfo:
    """One overridable parameter: its name, the values it takes and what it changes."""

    name: str
    values: str
    description: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def describe_overrides() -> list[OverrideInfo]:
    """Every field of :class:`Overrides` with its allowed values (from its JSON Schema: the one definition)."""
    props = Overrides.model_json_schema()["properties"]
    out = []
    for name, spec in props.items():
        out.append(OverrideInfo(name, _allowed(spec), spec.get("description") or _switch_text(name)))
    return out


def _allowed(spec: dict[str, Any]) -> str:
    options = [o for o in spec.get("anyOf", [spec]) if o.get("type") != "null"]
    o = options[0] if options else {}
    if "anyOf" in o:  # several forms (limits: a list or text): the first describes it
        o = o["anyOf"][0]
    if "enum" in o:
        return " | ".join(o["enum"])
    if o.get("type") == "array":
        return "all | none | comma list of " + ", ".join(o.get("items", {}).get("enum", []))
    if o.get("type") == "boolean":
        return "on | off"
    lo = o.get("minimum", o.get("exclusiveMinimum"))
    if lo is not None:
        left = "(" if "exclusiveMinimum" in o else "["
        kind = "integer" if o.get("type") == "integer" else "number"
        return f"{kind} in {left}{lo:g}, {o['maximum']:g}]"
    return str(o.get("type", ""))


def _switch_text(name: str) -> str:
    limit = LIMIT_SWITCHES.get(name)
    return f"switch the {limit} engagement limit on or off (after `limits`)" if limit else ""


#: The limit switches and the engagement limit each turns on or off.
LIMIT_SWITCHES = {f"limit_{name.replace('-', '_')}": name for name in b.ENGAGEMENT_LIMITS}


def parse_value(text: str) -> Any:
    """A value typed on the command line or in a sweep axis: an int, a float, else the text."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


__all__ = ["LIMIT_SWITCHES", "OverrideInfo", "Overrides", "describe_overrides", "parse_value"]
