"""bmdlab's defended footprints against every published footprint figure it could find.

The cases live in ``published_footprints.yaml`` (quote, sources, published value, geometry). For
each case :func:`check_case` computes the comparable quantity with the default engagement model,
the ratio to the published figure, whether it is within :data:`TOLERANCE_FACTOR`, and the same
quantity with each part of the engagement model switched off, from which :func:`explain` writes
why the two differ. Nothing is tuned per case: every unit, interceptor and radar value comes from
the catalog. :func:`independence` says whether a row is an independent check (or quotes a figure the
catalog took a value from, agrees only with an assumed engagement limit on, or is scored on a span), and
:func:`independent_summary` counts the independent rows the model reproduces.

The published figures are coarse (a radius "of about 20 km", "two ships", "one half to two thirds
of the country") and most sources give no geometry; each case's ``context`` records what the
source leaves open and what bmdlab assumed in its place.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from bmdlab.assembly.setup import Setup, ThreatCase, assemble
from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Interceptor, Value
from bmdlab.coverage.national import Coverage, Network, engage_cases
from bmdlab.defense.engage import (
    DEFAULT_MODEL,
    ENGAGEMENT_LIMITS,
    LEGACY_MODEL,
    EngagementModel,
    EngagementTimeline,
    interceptor_flyout,
    make_defender,
    make_sensor,
    sample,
)
from bmdlab.defense.envelope import ground_distance
from bmdlab.defense.footprint import FootprintThreat, defended_footprints
from bmdlab.geo.grid import LandGrid, land_grid
from bmdlab.geo.region import country_grid
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, initial_azimuth, unit_vector
from bmdlab.numbers import percent
from bmdlab.scenario import load_scenario
from bmdlab.trajectory import Trajectory, missile_trajectory

#: A model value within this factor of the published figure (either way) counts as reproduced.
TOLERANCE_FACTOR = 1.5
#: The scenario whose sensors, launch areas and timeline the national cases use (2017 cueing; the
#: Nodong/Scud-ER threat that the published footprints of the 2017 debate were drawn against).
REFERENCE_SCENARIO = "japan-2017-nodong-scud-er"


class FootprintCase(BaseModel):
    """One published figure and the geometry bmdlab computes it in (see the YAML's header)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    quantity: str
    unit: str
    published: tuple[float, float]
    quote: str
    sources: list[str]
    context: str
    kind: Literal[
        "footprint-radius",
        "footprint-diameter",
        "footprint-ratio",
        "ships-needed",
        "national-ratio",
        "national-fraction",
        "region-fraction",
        "region-reach",
        "flyout-time",
    ]
    scored: bool = True
    system: str | None = None
    at: str | tuple[float, float] | None = None
    interceptor: str | None = None
    reference_interceptor: str | None = None
    missile: str | None = None
    missiles: list[str] = []
    launch: str | None = None
    cue: str | None = None
    stations: list[str] = []
    station: str | None = None
    target: float | None = Field(default=None, gt=0, le=1)
    units: list[tuple[str, str]] = []
    country: str | None = None
    sector: Literal["forward", "rear"] | None = None
    sector_deg: float = Field(default=120.0, gt=0, le=360)
    toward: str | None = None
    altitude_km: float | None = None
    max_ground_km: float | None = None
    #: catalog values (``kind.key.field``) the quoted figure, or a value derived from it, was used for, each
    #: with how; the one part of a case's independence that cannot be computed (see :func:`independence`)
    inputs: dict[str, str] = {}
    #: catalog values the case computes on that cite one of its sources but were not set from its figure,
    #: each with why (:func:`shared_source_fields` lists them; a test checks each is declared here or in inputs)
    not_inputs: dict[str, str] = {}


@functools.cache
def published_cases() -> tuple[FootprintCase, ...]:
    """The shipped cases, validated."""
    text = (resources.files("bmdlab.coverage") / "published_footprints.yaml").read_text(encoding="utf-8")
    return tuple(FootprintCase(**c) for c in yaml.safe_load(text)["cases"])


def ratio_to_band(value: float, low: float, high: float) -> float:
    """Model value over the nearest end of the published band (1 inside the band)."""
    if not np.isfinite(value):
        return float("inf")
    if value < low:
        return value / low if low else float("inf")
    if value > high:
        return value / high if high else float("inf")
    return 1.0


def _point(catalog: Catalog, at) -> tuple[float, float]:
    if isinstance(at, str):
        p = catalog.place(at)
        return p.lat.nominal, p.lon.nominal
    return float(at[0]), float(at[1])


# ------------------------------------------------------------------------------------ evaluators
@dataclass
class _Context:
    """What several cases share: the grids, the reference scenario and the coverages (built once per check).

    ``models``: the engagement models whose coverages of one geometry are computed together (each threat
    flown once for all of them; :func:`check_case` asks for the default and every variant).
    """

    catalog: Catalog
    resolution_km: float
    grids: dict = field(default_factory=dict)
    models: tuple[EngagementModel, ...] = ()
    coverages: dict = field(default_factory=dict)

    def japan(self) -> LandGrid:
        if "japan" not in self.grids:
            self.grids["japan"] = land_grid(self.resolution_km)
        return self.grids["japan"]

    def country(self, name: str) -> LandGrid:
        if name not in self.grids:
            self.grids[name] = country_grid(name, min(self.resolution_km, 10.0))
        return self.grids[name]

    @functools.cached_property
    def reference(self) -> Setup:
        return assemble(load_scenario(REFERENCE_SCENARIO, self.catalog), self.catalog)

    def coverage(self, key: tuple, model: EngagementModel, compute: Callable[[list[EngagementModel]], list[Any]]):
        """The coverage (or footprint area) of geometry ``key`` under ``model``: ``compute(models)`` gives one per
        model and is called once for ``model`` and every model of :attr:`models` not yet computed."""
        if (key, model) not in self.coverages:
            todo = list(dict.fromkeys([model, *(m for m in self.models if (key, m) not in self.coverages)]))
            for m, cov in zip(todo, compute(todo)):
                self.coverages[key, m] = cov
        return self.coverages[key, model]


def _footprint_area(ctx: _Context, case: FootprintCase, model: EngagementModel, interceptor: str | None) -> float:
    cat = ctx.catalog
    lat, lon = _point(cat, case.at)
    llat, llon = _point(cat, case.launch)
    cues = [make_sensor(cat, case.cue, lat, lon)] if case.cue else []
    threat = FootprintThreat(cat.missile(case.missile), case.missile, llat, llon)

    def compute(models: list[EngagementModel]) -> list[float]:
        defenders = [make_defender(cat, case.system, lat, lon, interceptor=interceptor, model=m) for m in models]
        fps = defended_footprints(defenders, threat, cue_sensors=cues, points_per_side=121)
        return [fp.area_m2 for fp in fps]

    key = ("footprint", case.system, str(case.at), interceptor, case.missile, str(case.launch), case.cue)
    return ctx.coverage(key, model, compute)


def _japan_coverage(
    ctx: _Context, units: list[tuple[str, str, str | None]], missiles: list[str], model: EngagementModel
) -> Coverage:
    """Coverage of Japan's grid by units [(system, place, interceptor)] against the reference threats."""
    cat = ctx.catalog
    ref = ctx.reference
    cases = tuple(ThreatCase(a, m, "minimum-energy") for a in ref.scenario.threat.launch_areas or [] for m in missiles)

    def compute(models: list[EngagementModel]) -> list[Coverage]:
        nets = [
            Network(
                tuple(
                    make_defender(cat, system, *_point(cat, place), interceptor=ikey, model=m)
                    for system, place, ikey in units
                ),
                ref.sensors,
                share_tracks=False,
            )
            for m in models
        ]
        shots, reach = engage_cases(cat, ctx.japan(), nets, cases, ref.timeline)
        return [
            Coverage(grid=ctx.japan(), defenders=net.defenders, threats=cases, shots=sh, reach=reach)
            for net, sh in zip(nets, shots)
        ]

    return ctx.coverage(("japan", tuple(units), tuple(missiles)), model, compute)


def _members(cov: Coverage, members) -> np.ndarray:
    mask = np.zeros(len(cov.defenders), dtype=bool)
    mask[list(members)] = True
    return mask


@dataclass(frozen=True)
class _Region:
    """A region case's coverage, with the sector of each cell as seen from the battery."""

    cov: Coverage
    defended: np.ndarray  #: worst case over the threats
    lat: float  #: battery [deg]
    lon: float  #: battery [deg]
    distance_km: np.ndarray  #: cell distance from the battery [km]
    in_sector: np.ndarray | None  #: cells in the case's sector (region-reach cases)


def _region_coverage(ctx: _Context, case: FootprintCase, model: EngagementModel) -> Coverage:
    """One unit's coverage of a country against every launch area (shared by the cases of one geometry)."""
    cat = ctx.catalog
    grid = ctx.country(case.country)
    cases = tuple(ThreatCase(a, m, "minimum-energy") for a in cat.places_of("launch-area") for m in case.missiles)

    def compute(models: list[EngagementModel]) -> list[Coverage]:
        nets = [Network((make_defender(cat, case.system, *_point(cat, case.at), model=m),)) for m in models]
        shots, reach = engage_cases(cat, grid, nets, cases, EngagementTimeline.of(), share_defender_tracks=False)
        return [
            Coverage(grid=grid, defenders=net.defenders, threats=cases, shots=sh, reach=reach)
            for net, sh in zip(nets, shots)
        ]

    return ctx.coverage(("region", case.country, case.system, str(case.at), tuple(case.missiles)), model, compute)


def _region(ctx: _Context, case: FootprintCase, model: EngagementModel) -> _Region:
    cat = ctx.catalog
    cov = _region_coverage(ctx, case, model)
    grid = cov.grid
    lat, lon = _point(cat, case.at)
    la, lo = np.radians(lat), np.radians(lon)
    sector = None
    if case.sector is not None:
        tlat, tlon = _point(cat, case.toward)
        off = np.abs(
            (
                initial_azimuth(la, lo, grid.lat, grid.lon)
                - initial_azimuth(la, lo, np.radians(tlat), np.radians(tlon))
                + np.pi
            )
            % (2 * np.pi)
            - np.pi
        )
        half = np.radians(case.sector_deg / 2)
        sector = off <= half if case.sector == "forward" else off >= np.pi - half
    return _Region(
        cov=cov,
        defended=cov.defended(),
        lat=lat,
        lon=lon,
        distance_km=EARTH_RADIUS * central_angle(la, lo, grid.lat, grid.lon) / 1e3,
        in_sector=sector,
    )


def region_coverage(case_id: str, catalog: Catalog, model: EngagementModel = DEFAULT_MODEL) -> Coverage:
    """The coverage of a region case (e.g. THAAD at Seongju over South Korea), for maps."""
    case = next((c for c in published_cases() if c.id == case_id), None)
    if case is None or not case.kind.startswith("region"):
        raise ValueError(f"'{case_id}' is not a region case of the published footprints")
    return _region(_Context(catalog, 10.0), case, model).cov


def evaluate_case(
    case: FootprintCase,
    catalog: Catalog,
    model: EngagementModel = DEFAULT_MODEL,
    *,
    resolution_km: float = 20.0,
    _ctx: _Context | None = None,
) -> float:
    """The model's value of a case's quantity, in the case's unit.

    Parameters
    ----------
    case : FootprintCase
        A published figure (:func:`published_cases`).
    catalog : Catalog
    model : EngagementModel
        Fly-out model and engagement limits.
    resolution_km : float
        Grid of Japan for the national cases (South Korea uses at most 10 km). [km]
    """
    ctx = _ctx or _Context(catalog, resolution_km)
    k = case.kind
    if k in ("footprint-radius", "footprint-diameter"):
        r = np.sqrt(_footprint_area(ctx, case, model, case.interceptor) / np.pi) / 1e3
        return float(r if k == "footprint-radius" else 2.0 * r)
    if k == "footprint-ratio":
        ref = _footprint_area(ctx, case, model, case.reference_interceptor)
        return _footprint_area(ctx, case, model, case.interceptor) / ref if ref > 0 else float("inf")
    if k == "ships-needed":
        units = [(case.system, s, case.interceptor) for s in case.stations]
        cov = _japan_coverage(ctx, units, case.missiles, model)
        for n in range(1, len(units) + 1):
            best = max(
                cov.fractions(cov.defended(_members(cov, c)), of="threatened")[0]
                for c in itertools.combinations(range(len(units)), n)
            )
            if best >= case.target - 1e-9:
                return float(n)
        return float("inf")
    if k == "national-ratio":
        units = [(case.system, case.station, case.interceptor), (case.system, case.station, case.reference_interceptor)]
        cov = _japan_coverage(ctx, units, case.missiles, model)
        a = [cov.grid.area_m2[cov.defended(_members(cov, [i]))].sum() for i in (0, 1)]
        return float(a[0] / a[1]) if a[1] > 0 else float("inf")
    if k == "national-fraction":
        units = [(u, p, None) for u, p in case.units]
        cov = _japan_coverage(ctx, units, case.missiles, model)
        return cov.fractions(cov.defended(), of="threatened")[0]
    if k == "region-fraction":
        r = _region(ctx, case, model)
        return r.cov.fractions(r.defended, of="threatened")[0]
    if k == "flyout-time":  # the time in the model's span nearest the published one
        t0, t1 = _flyout_span(case, catalog, model)
        return float(np.clip(0.5 * (case.published[0] + case.published[1]), t0, t1))
    if k == "region-reach":
        r = _region(ctx, case, model)
        sel = r.defended & r.in_sector
        return float(r.distance_km[sel].max()) if sel.any() else 0.0
    raise ValueError(f"unknown case kind '{k}'")


def detail(case: FootprintCase, catalog: Catalog, *, _ctx: _Context | None = None) -> str:
    """A computed physical fact behind a case's model value ('' when the kind has none).

    ``region-reach``: the altitudes at which the threats aimed at the farthest defended point pass
    the battery (forward sector: how much of the undefended ground only low trajectories reach);
    ``footprint-diameter``: how long and over how much ground the threat's RV is inside the
    interceptor's altitude window.
    """
    ctx = _ctx or _Context(catalog, 20.0)
    if case.kind == "region-reach" and case.sector == "forward":
        return _forward_sector_detail(case, catalog, ctx)
    if case.kind == "region-reach":
        return _region_reach_detail(case, catalog, ctx)
    if case.kind == "footprint-diameter":
        return _footprint_diameter_detail(case, catalog)
    return ""


def _case_interceptor(case: FootprintCase, catalog: Catalog) -> Interceptor:
    return catalog.interceptors[catalog.units[case.system].interceptor]


def _flights_to(case: FootprintCase, catalog: Catalog, lat: np.ndarray, lon: np.ndarray) -> Iterator[Trajectory]:
    """Each of the case's missiles from each launch area to the points (lat, lon [rad]; NaN where none)."""
    for area in catalog.places_of("launch-area"):
        p = catalog.place(area)
        for m in case.missiles:
            yield missile_trajectory(
                catalog.missile(m), np.radians(p.lat.nominal), np.radians(p.lon.nominal), lat, lon, strict=False
            )


def _forward_sector_detail(case: FootprintCase, catalog: Catalog, ctx: _Context) -> str:
    """How much of the forward sector is defended, and how much of the rest only trajectories below the
    interceptor's floor reach."""
    r = _region(ctx, case, DEFAULT_MODEL)
    grid, sec = r.cov.grid, r.in_sector
    share = float(grid.area_m2[sec & r.defended].sum() / grid.area_m2[sec].sum())
    undef = np.flatnonzero(sec & ~r.defended)
    floor = _case_interceptor(case, catalog).min_intercept_altitude.si()
    low = np.zeros(undef.size, bool)
    for tr in _flights_to(case, catalog, grid.lat[undef], grid.lon[undef]):
        low |= np.isfinite(tr.flight_time) & (tr.apogee < floor)
    return (
        f"{case.country} extends {r.distance_km[sec].max():,.0f} km from the battery in this sector and the model "
        f"defends {percent(share, 0)} of the sector's area; {percent(low.mean() if undef.size else 0.0, 0)} of the "
        f"undefended cells there are reached by a missile whose minimum-energy apogee is below the interceptor's "
        f"{floor / 1e3:g} km floor."
    )


def _region_reach_detail(case: FootprintCase, catalog: Catalog, ctx: _Context) -> str:
    """Where the threats aimed at the farthest defended point pass the battery, against its altitude window."""
    r = _region(ctx, case, DEFAULT_MODEL)
    grid = r.cov.grid
    idx = int(np.argmax(np.where(r.defended & r.in_sector, r.distance_km, -1.0)))
    battery = EARTH_RADIUS * unit_vector(np.radians(r.lat), np.radians(r.lon))
    passes = []
    for tr in _flights_to(case, catalog, grid.lat[idx : idx + 1], grid.lon[idx : idx + 1]):
        if not np.isfinite(tr.flight_time[0]):
            continue
        smp = sample(tr)
        g = ground_distance(smp.positions[0], battery)  # closest ground approach to the battery
        k = int(np.argmin(g))
        passes.append((smp.altitudes[0, k] / 1e3, g[k] / 1e3))
    if not passes:
        return ""
    alts = np.array([a for a, _ in passes])
    nearest = min(d for _, d in passes)
    i_max = _case_interceptor(case, catalog)
    lo_w, hi_w = i_max.min_intercept_altitude.nominal, i_max.max_intercept_altitude.nominal
    inside = bool(((alts >= lo_w) & (alts <= hi_w)).any())
    return (
        f"The missiles that reach the farthest defended point ({r.distance_km[idx]:,.0f} km away) pass "
        f"{nearest:,.0f} km or more from the battery at {alts.min():,.0f}-{alts.max():,.0f} km altitude, "
        f"{'inside' if inside else 'outside'} the interceptor's {lo_w:g}-{hi_w:g} km window"
        + (": the geometry, not the interceptor's reach, sets how far behind it defends." if inside else ".")
    )


def _footprint_diameter_detail(case: FootprintCase, catalog: Catalog) -> str:
    """How long, and over how much ground, the RV descends through the interceptor's altitude window."""
    lat, lon = _point(catalog, case.at)
    p = catalog.place(case.launch)
    mis = catalog.missile(case.missile)
    la, lo = np.radians(p.lat.nominal), np.radians(p.lon.nominal)
    tr = missile_trajectory(mis, la, lo, np.radians([lat]), np.radians([lon]), strict=False)
    smp = sample(tr, k_flight=400)
    i_max = _case_interceptor(case, catalog)
    lo_w, hi_w = i_max.min_intercept_altitude.si(), i_max.max_intercept_altitude.si()
    desc = np.arange(smp.altitudes.shape[1]) >= np.argmax(smp.altitudes[0])
    inside = desc & (smp.altitudes[0] >= lo_w) & (smp.altitudes[0] <= hi_w)
    t_in = smp.times[0, inside]
    pts = smp.positions[0, inside]
    ground = ground_distance(pts[0], pts[-1])
    return (
        f"The {mis.name} RV descends through the {lo_w / 1e3:g}-{hi_w / 1e3:g} km window in {t_in[-1] - t_in[0]:.0f} s "
        f"over {ground / 1e3:,.0f} km of ground track; a cued battery may intercept anywhere along it within its "
        f"{i_max.max_range.nominal:g} km range, so the footprint stretches that far along the track. Kill-vehicle heating and seeker "
        "performance against a fast RV are not modelled."
    )


def _flyout_span(case: FootprintCase, catalog: Catalog, model: EngagementModel) -> tuple[float, float]:
    """Fastest and slowest fan times [s] to the case's altitude over ground ranges 0..max_ground_km."""
    fan = interceptor_flyout(catalog, case.interceptor, model)
    x = np.linspace(0.0, case.max_ground_km * 1e3, 61)
    t = fan.time_to(x, np.full(x.shape, case.altitude_km * 1e3))
    t = t[np.isfinite(t)]
    return (float(t.min()), float(t.max())) if t.size else (float("inf"), float("inf"))


# ------------------------------------------------------------------------------------ independence
#: How far a row is an independent check of the model: ``independent`` (no catalog value was set from the
#: figure and its agreement does not change with an assumed engagement limit switched off), ``input`` (the
#: quoted figure, or a value derived from it, set a catalog value the case computes on), ``assumed-limit``
#: (switching off an engagement limit whose catalog values are assumed changes its agreement) or ``span``
#: (scored on a span of model values rather than one figure).
Independence = Literal["independent", "input", "assumed-limit", "span"]

#: The catalog fields behind each engagement limit, as ``(kind, field)``: a limit is *assumed* for a case when
#: one of these values, on an entry the case computes on, has ``confidence: assumed``.
LIMIT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "launcher-elevation": (("interceptors", "min_launch_elevation"),),
    "min-flight-time": (("interceptors", "min_flight_time"),),
    "crossing": (("interceptors", "max_crossing_angle"), ("interceptors", "min_closing_speed")),
    "track-rcs": (("missiles", "rcs"), ("sensors", "reference_rcs")),
    "field-of-view": (("sensors", "field_of_view"),),
}
#: The catalog kinds a case computes on (:func:`case_entries`).
_CATALOG_KINDS = ("units", "interceptors", "sensors", "places", "missiles")
#: The kinds computed over Japan with the reference scenario's sensors and launch areas.
_NATIONAL_KINDS = ("ships-needed", "national-ratio", "national-fraction")


def case_entries(case: FootprintCase, catalog: Catalog) -> dict[str, set[str]]:
    """The catalog entries a case computes on, by kind (``units``, ``interceptors``, ``sensors``, ``places``,
    ``missiles``): the evaluators' inputs, plus the reference scenario's sensors and launch areas for the
    national kinds and every launch area for the region kinds."""
    units = {u for u in (case.system, *(u for u, _ in case.units)) if u}
    interceptors = {k for k in (case.interceptor, case.reference_interceptor) if k}
    if case.interceptor is None:
        interceptors |= {catalog.units[u].interceptor for u in units}
    places = {p for p in (case.at, case.launch, case.station, case.toward) if isinstance(p, str)}
    places |= set(case.stations) | {p for _, p in case.units}
    sensors = {catalog.units[u].sensor for u in units} | ({case.cue} if case.cue else set())
    if case.kind in _NATIONAL_KINDS:
        ref = load_scenario(REFERENCE_SCENARIO, catalog)
        sensors |= {s.sensor for s in ref.architecture.sensors}
        places |= {s.at for s in ref.architecture.sensors if isinstance(s.at, str)}
        places |= set(ref.threat.launch_areas or catalog.places_of("launch-area"))
    elif case.kind.startswith("region"):
        places |= set(catalog.places_of("launch-area"))
    missiles = {m for m in (case.missile, *case.missiles) if m}
    return {"units": units, "interceptors": interceptors, "sensors": sensors, "places": places, "missiles": missiles}


def _catalog_values(catalog: Catalog, entries: dict[str, set[str]]) -> Iterator[tuple[str, Value]]:
    """``(kind.key.field, value)`` for every sourced value of the entries."""
    for kind, keys in entries.items():
        for key in sorted(keys):
            entry = catalog.get(kind, key)
            for name in type(entry).model_fields:
                v = getattr(entry, name)
                if isinstance(v, Value):
                    yield f"{kind}.{key}.{name}", v


def catalog_value(catalog: Catalog, path: str) -> Value | None:
    """The catalog value at ``kind.key.field`` (None when there is none)."""
    kind, _, rest = path.partition(".")
    key, _, name = rest.rpartition(".")
    entries = getattr(catalog, kind) if kind in _CATALOG_KINDS else None
    v = getattr(entries[key], name, None) if entries is not None and key in entries else None
    return v if isinstance(v, Value) else None


def shared_source_fields(case: FootprintCase, catalog: Catalog) -> list[str]:
    """The catalog values a case computes on that cite one of the case's own sources: the candidates for an
    input set from the quoted figure (whether the figure, or other content of the source, set them is declared
    in the case's ``inputs`` or ``not_inputs``)."""
    return [p for p, v in _catalog_values(catalog, case_entries(case, catalog)) if v.source in case.sources]


def assumed_limit_fields(case: FootprintCase, catalog: Catalog) -> dict[str, list[str]]:
    """For each engagement limit assumed for this case, the assumed catalog values behind it (:data:`LIMIT_FIELDS`)."""
    ent = case_entries(case, catalog)
    out: dict[str, list[str]] = {}
    for lim in ENGAGEMENT_LIMITS:
        paths = [f"{kind}.{key}.{name}" for kind, name in LIMIT_FIELDS[lim] for key in sorted(ent[kind])]
        assumed = [p for p in paths if (v := catalog_value(catalog, p)) is not None and v.confidence == "assumed"]
        if assumed:
            out[lim] = assumed
    return out


def agreement(ratio: float) -> str:
    """How a model value agrees with the published figure: in its band, within the tolerance, or outside."""
    if ratio == 1.0:
        return "inside the published band"
    if np.isfinite(ratio) and 1.0 / TOLERANCE_FACTOR <= ratio <= TOLERANCE_FACTOR:
        return f"within a factor of {TOLERANCE_FACTOR:g}"
    return f"outside a factor of {TOLERANCE_FACTOR:g}"


@dataclass(frozen=True)
class IndependenceResult:
    """Whether a row is an independent check of the model (:func:`independence`)."""

    label: Independence
    why: str  #: one line
    assumed_limits: dict[str, list[str]]  #: the limits assumed for the case and their assumed catalog values
    without_assumed_limit: dict[str, float]  #: the model value without each assumed limit that changes the agreement

    def to_dict(self) -> dict:
        return {
            "independence": self.label,
            "independence_why": self.why,
            "assumed_limits": sorted(self.assumed_limits),
            "without_assumed_limit": {k: round_figure(v) for k, v in self.without_assumed_limit.items()},
        }


def independence(
    case: FootprintCase,
    catalog: Catalog,
    value: float,
    variants: dict[str, float],
    span: tuple[float, float] | None = None,
) -> IndependenceResult:
    """Classify a row from its computed value and variants (see :data:`Independence`).

    Computed: which limits are assumed (the catalog's confidence marks, :func:`assumed_limit_fields`), whether
    switching one off (or all of them, when every limit is assumed for the case) changes the row's
    :func:`agreement`, and whether it is scored on a span. Declared: the case's ``inputs`` (checked to name catalog
    values). Precedence: ``input``, then ``span``, then ``assumed-limit``.
    """
    bad = [p for p in case.inputs if catalog_value(catalog, p) is None]
    if bad:
        raise ValueError(f"footprint case '{case.id}': input '{bad[0]}' is not a catalog value (kind.key.field)")
    lo, hi = case.published
    grade = agreement(ratio_to_band(value, lo, hi))
    limits = assumed_limit_fields(case, catalog)
    runs = {lim: variants[f"without {lim}"] for lim in limits}
    if len(limits) == len(ENGAGEMENT_LIMITS):
        runs["every assumed limit"] = variants["physical fly-out, no limits"]
    flips = {k: v for k, v in runs.items() if agreement(ratio_to_band(v, lo, hi)) != grade}
    hinge = "; ".join(
        (f"without {k} ({', '.join(limits[k])}: assumed)" if k in limits else "with every limit off (all assumed here)")
        + f" the model gives {_fmt(v, case.unit)}, {agreement(ratio_to_band(v, lo, hi))}"
        for k, v in flips.items()
    )
    if case.inputs:
        label: Independence = "input"
        why = f"The quoted figure set {', '.join(case.inputs)}: {next(iter(case.inputs.values()))}."
    elif span is not None:
        label = "span"
        why = f"Scored on the model's span of {span[0]:.0f}-{span[1]:.0f} s: any time inside it counts as a match."
    elif flips:
        return IndependenceResult(
            "assumed-limit", f"Its agreement ({grade}) rests on assumed limits: {hinge}.", limits, flips
        )
    else:
        label = "independent"
        why = (
            f"No catalog value was set from this figure, and the model stays {grade} with each assumed limit "
            f"({', '.join(limits) or 'none'}) switched off."
        )
    return IndependenceResult(
        label, why + (f" It also rests on assumed limits: {hinge}." if flips else ""), limits, flips
    )


def independent_summary(results: list[CaseResult]) -> dict[str, Any]:
    """How many scored rows are independent checks and how many of those the model reproduces.

    Counts over the scored rows (``not_scored`` rows are counted apart): ``rows``, ``independent``,
    ``independent_passing`` (independent and within the tolerance), ``input``, ``assumed_limit``, ``span``; with
    the ids of the independent passing rows and every row's label.
    """
    scored = [r for r in results if r.case.scored]
    label = {r.case.id: (r.independence.label if r.independence else None) for r in results}
    count = {k: sum(label[r.case.id] == k for r in scored) for k in ("independent", "input", "assumed-limit", "span")}
    passing = [r.case.id for r in scored if label[r.case.id] == "independent" and r.within_tolerance]
    return {
        "rows": len(scored),
        "independent": count["independent"],
        "independent_passing": len(passing),
        "input": count["input"],
        "assumed_limit": count["assumed-limit"],
        "span": count["span"],
        "not_scored": len(results) - len(scored),
        "independent_passing_ids": passing,
        "labels": label,
    }


# ------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class CaseResult:
    """A published figure, the model's value and the explanation of the difference."""

    case: FootprintCase
    model_value: float
    ratio: float  #: model over the nearest end of the published band (1 inside it)
    variants: dict[str, float]  #: the same quantity with parts of the model switched off
    span: tuple[float, float] | None = None  #: flyout-time cases: the model's range of times [s]
    detail: str = ""  #: a computed physical fact behind the value (see :func:`detail`)
    independence: IndependenceResult | None = None  #: whether the row is an independent check (:func:`independence`)

    @property
    def within_tolerance(self) -> bool:
        """Within :data:`TOLERANCE_FACTOR` of the published figure (either way)."""
        return bool(np.isfinite(self.ratio) and 1.0 / TOLERANCE_FACTOR <= self.ratio <= TOLERANCE_FACTOR)

    @property
    def legacy_ratio(self) -> float:
        lo, hi = self.case.published
        return ratio_to_band(self.variants["straight-line, no limits"], lo, hi)

    def to_dict(self) -> dict:
        c = self.case
        return {
            "id": c.id,
            "title": c.title,
            "quantity": c.quantity,
            "unit": c.unit,
            "published_low": c.published[0],
            "published_high": c.published[1],
            "quote": c.quote,
            "sources": c.sources,
            "scored": c.scored,
            "model": round_figure(self.model_value),
            "ratio": round_figure(self.ratio, 3),
            "within_tolerance": self.within_tolerance,
            "tolerance_factor": TOLERANCE_FACTOR,
            "legacy_model": round_figure(self.variants["straight-line, no limits"]),
            "legacy_ratio": round_figure(self.legacy_ratio, 3),
            "variants": {k: round_figure(v) for k, v in self.variants.items()},
            "model_span": None if self.span is None else [round_figure(self.span[0]), round_figure(self.span[1])],
            "context": c.context,
            "detail": self.detail,
            "explanation": explain(self),
            **(self.independence.to_dict() if self.independence else {"independence": None}),
        }


def round_figure(x: float, digits: int = 2) -> float | None:
    """A model figure as reported: rounded to ``digits``, None where it is not finite."""
    return None if not np.isfinite(x) else round(float(x), digits)


def variant_models() -> dict[str, EngagementModel]:
    """The engagement models a case is also run with, to tell which part of the model moves it."""
    out = {"straight-line, no limits": LEGACY_MODEL, "physical fly-out, no limits": EngagementModel(limits=frozenset())}
    for lim in ENGAGEMENT_LIMITS:
        out[f"without {lim}"] = EngagementModel(limits=frozenset(ENGAGEMENT_LIMITS) - {lim})
    return out


def _fmt(x: float, unit: str) -> str:
    if not np.isfinite(x):
        return "none found" if unit == "ships" else "unbounded"
    if unit in ("fraction",):
        return percent(x, 0)
    if unit in ("ships",):
        return f"{x:.0f}"
    if unit == "ratio":
        return f"{x:.2f}"
    return f"{x:,.0f} {unit}"


def explain(r: CaseResult) -> str:
    """Why the model differs from the published figure, from the runs with parts switched off."""
    c = r.case
    lo, hi = c.published
    pub = _fmt(lo, c.unit) if lo == hi else f"{_fmt(lo, c.unit)} to {_fmt(hi, c.unit)}"
    out = []
    if r.span is not None:
        out.append(
            f"The model's fly-out takes {r.span[0]:.0f} to {r.span[1]:.0f} s to reach that altitude over those ground ranges"
            + (", which brackets the published time." if r.ratio == 1.0 else f"; the published {pub} lies outside.")
        )
    elif r.ratio == 1.0:
        out.append(f"The model's {_fmt(r.model_value, c.unit)} is within the published {pub}.")
    else:
        word = "above" if r.ratio > 1 else "below"
        out.append(
            f"The model's {_fmt(r.model_value, c.unit)} is {max(r.ratio, 1 / r.ratio):.2f} times {word} the published {pub}"
            + (f", within the factor {TOLERANCE_FACTOR:g} this check allows." if r.within_tolerance else ".")
        )
    legacy = r.variants["straight-line, no limits"]
    phys = r.variants["physical fly-out, no limits"]
    out.append(
        f"The earlier straight-line model without engagement limits gives {_fmt(legacy, c.unit)}"
        f" ({_ratio_words(r.legacy_ratio)}); the physical fly-out alone gives {_fmt(phys, c.unit)}."
    )
    moves = {k.removeprefix("without "): v for k, v in r.variants.items() if k.startswith("without ")}
    gaps = {k: abs(v - r.model_value) for k, v in moves.items() if np.isfinite(v) and np.isfinite(r.model_value)}
    big = max(gaps, key=gaps.get) if gaps else None
    if big is not None and gaps[big] > 1e-9 * max(1.0, abs(r.model_value)):
        out.append(
            f"Of the engagement limits, {big} moves it most: without it the model gives {_fmt(moves[big], c.unit)}."
        )
    else:
        out.append("No single engagement limit changes it.")
    if r.detail:
        out.append(r.detail)
    return " ".join(out)


def _ratio_words(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "no finite ratio"
    if ratio == 1.0:
        return "within the published figure"
    return f"{ratio:.2f} times the published figure"


def _check_models() -> tuple[EngagementModel, ...]:
    """The models :func:`check_case` runs every case with: the default and each variant."""
    return (DEFAULT_MODEL, *variant_models().values())


def check_case(
    case: FootprintCase, catalog: Catalog, *, resolution_km: float = 20.0, _ctx: _Context | None = None
) -> CaseResult:
    """Compute a case with the default model and with each part of the model switched off."""
    ctx = _ctx or _Context(catalog, resolution_km, models=_check_models())
    value = evaluate_case(case, catalog, DEFAULT_MODEL, _ctx=ctx)
    variants = {name: evaluate_case(case, catalog, m, _ctx=ctx) for name, m in variant_models().items()}
    span = _flyout_span(case, catalog, DEFAULT_MODEL) if case.kind == "flyout-time" else None
    lo, hi = case.published
    return CaseResult(
        case=case,
        model_value=value,
        ratio=ratio_to_band(value, lo, hi),
        variants=variants,
        span=span,
        detail=detail(case, catalog, _ctx=ctx),
        independence=independence(case, catalog, value, variants, span),
    )


def footprint_checks(
    catalog: Catalog,
    *,
    resolution_km: float = 20.0,
    ids: list[str] | None = None,
    progress: Callable[[FootprintCase], None] | None = None,
) -> list[CaseResult]:
    """Every published case (or those named in ``ids``), checked."""
    cases = published_cases()
    if ids is not None:
        known = {c.id for c in cases}
        bad = [i for i in ids if i not in known]
        if bad:
            raise ValueError(f"unknown footprint case '{bad[0]}'; use one of {', '.join(sorted(known))}")
        cases = tuple(c for c in cases if c.id in ids)
    ctx = _Context(catalog, resolution_km, models=_check_models())
    out = []
    for c in cases:
        out.append(check_case(c, catalog, _ctx=ctx))
        if progress is not None:
            progress(c)
    return out


def markdown_table(results: list[CaseResult], catalog_hash: str = "", version: str = "") -> str:
    """The validation table as Markdown (the file in ``docs/``)."""
    lines = [
        "# Defended footprints against published figures",
        "",
        f"Generated by `bmdlab check-footprints` (bmdlab {version}, catalog {catalog_hash}). A row is reproduced "
        f"when the model is within a factor of {TOLERANCE_FACTOR:g} of the published figure; rows marked "
        "'not scored' cite a figure whose text was not found. *independence*: `independent` rows are checks of the "
        "model; `input` rows quote a figure the catalog took a value from, `assumed-limit` rows agree only with an "
        "assumed engagement limit on, `span` rows are scored on a span of model values.",
        "",
        "| case | published | model | ratio | within 1.5x | independence | earlier model | sources |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r.case
        lo, hi = c.published
        pub = _fmt(lo, c.unit) if lo == hi else f"{_fmt(lo, c.unit)}-{_fmt(hi, c.unit)}"
        model = _fmt(r.model_value, c.unit) if r.span is None else f"{r.span[0]:.0f}-{r.span[1]:.0f} s"
        ok = ("yes" if r.within_tolerance else "no") if c.scored else "not scored"
        ind = r.independence.label if r.independence else "-"
        lines.append(
            f"| {c.title} | {pub} | {model} | {r.ratio:.2f} | {ok} | {ind} | "
            f"{_fmt(r.variants['straight-line, no limits'], c.unit)} | {', '.join(f'`{s}`' for s in c.sources) or '-'} |"
        )
    lines += ["", "## Why they differ", ""]
    for r in results:
        why = f" *Independence:* {r.independence.why}" if r.independence else ""
        lines += [f"**{r.case.title}.** {explain(r)} *Geometry:* {r.case.context}{why}", ""]
    return "\n".join(lines)
