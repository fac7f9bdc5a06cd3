"""Typed results of every analysis, each with its provenance and ways out to the analyst's tools.

Every result is a frozen dataclass holding

* headline figures as typed attributes whose names carry their unit (``land_fraction``,
  ``expected_leakers``, ``area_km2``), as pvlib names its columns;
* ``provenance``: the bmdlab version, the catalog hash, the scenario and its hash, the seed and the
  options that produced it (:class:`Provenance`);
* ``data``: the full JSON payload, which :meth:`Result.to_dict` returns with ``schema_version``,
  ``kind`` and ``provenance`` (what the CLI's ``--json`` prints);

and offers :meth:`Result.to_frame` (a pandas DataFrame with typed columns) and, for gridded results
(coverage, footprints), ``to_xarray()`` and ``to_geojson()``. Map layers (coverage, footprints,
trajectories) also give ``to_geodataframe()`` (GeoPandas, EPSG:4326; the ``gis`` extra),
``to_kml(path)`` (Google Earth), ``to_czml(path)`` (Cesium) and ``write_layer(path)`` (any format
of :data:`bmdlab.export.LAYER_FORMATS`, chosen by the suffix), all with the maps' colours.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    import geopandas as gpd
    import pandas as pd
    import xarray as xr

from bmdlab import __version__
from bmdlab.coverage.availability import AvailabilityCoverage
from bmdlab.coverage.published_footprints import TOLERANCE_FACTOR, markdown_table
from bmdlab.coverage.summary import CoverageSummary, coverage_summary
from bmdlab.engagement.analytic import RaidOdds
from bmdlab.engagement.scenario_raid import RaidOutcome
from bmdlab.engagement.tally import RaidTally
from bmdlab.errors import BmdlabError
from bmdlab.export import (
    coverage_classes,
    coverage_dataset,
    coverage_geojson,
    footprint_dataset,
    footprint_geojson,
    layer_czml,
    layer_geodataframe,
    layer_kml,
    points_geojson,
    write_layer,
)
from bmdlab.geo.japan import largest_cities
from bmdlab.geo.region import REGION_NAMES, grid_regions
from bmdlab.io import JSON_SCHEMA_VERSION as SCHEMA_VERSION  # one version for every JSON output
from bmdlab.io import atomic_write_bytes, json_text
from bmdlab.palette import SHOT_CLASSES
from bmdlab.places import Place
from bmdlab.sensitivity.sweep import SweepRow, read_sweep
from bmdlab.sensitivity.tornado import swing


@dataclass(frozen=True)
class Provenance:
    """What produced a result: enough to rerun it and get the same numbers."""

    bmdlab_version: str
    catalog_hash: str
    scenario: str | None = None
    scenario_hash: str | None = None
    seed: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bmdlab_version": self.bmdlab_version,
            "catalog_hash": self.catalog_hash,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "options": _plain(self.options),
        }


def make_provenance(catalog, scenario=None, seed: int | None = None, **options: Any) -> Provenance:
    """Provenance of a run on ``catalog`` (and ``scenario``, a :class:`bmdlab.scenario.Scenario`)."""
    return Provenance(
        bmdlab_version=__version__,
        catalog_hash=catalog.hash,
        scenario=None if scenario is None else scenario.name,
        scenario_hash=None if scenario is None else scenario.hash,
        seed=seed,
        options={k: v for k, v in options.items() if v is not None},
    )


def _plain(x: Any) -> Any:
    """JSON-ready copy: paths as strings, NumPy scalars as Python numbers."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (frozenset, set)):
        return sorted(_plain(v) for v in x)
    return x


@dataclass(frozen=True)
class Result:
    """Base of every result: provenance, the typed stage result it wraps, and its exports.

    :meth:`payload` writes the analysis's JSON from the typed fields (the one place it is written);
    :meth:`to_dict` adds ``schema_version``, ``kind``, ``provenance`` and the files written
    (:attr:`exports`, filled by the command line).
    """

    KIND: ClassVar[str] = "result"

    provenance: Provenance
    exports: dict[str, str] = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    def payload(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @functools.cached_property
    def _payload(self) -> dict[str, Any]:
        return self.payload()

    @property
    def data(self) -> dict[str, Any]:
        """The JSON payload (written from the typed fields, once) with the files written."""
        return {**self._payload, **self.exports}

    def to_dict(self) -> dict[str, Any]:
        """The JSON the CLI prints: ``schema_version``, ``kind``, ``provenance`` and the payload."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.KIND,
            "provenance": self.provenance.to_dict(),
            **_plain(self.data),
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The JSON text of :meth:`to_dict`; also written (atomically) to ``path`` if given."""
        text = json_text(self.to_dict())
        if path is not None:
            atomic_write_bytes(Path(path), text.encode("utf-8"))
        return text

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        """``result["expected_leakers"]``: a key of the JSON payload."""
        return self.data[key]


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd  # lazy: pandas takes ~1 s to import; only when a table is asked for

    df = pd.DataFrame.from_records(rows, columns=columns)
    return df.convert_dtypes(dtype_backend="numpy_nullable") if len(df) else df


# ---------------------------------------------------------------------------------------- map layers
def _palette_colours() -> dict[int, str]:
    """The maps' colour of each shot-opportunity class (the static maps and the web page use the same)."""
    return {int(k): v if isinstance(v, str) else v[0] for k, v in SHOT_CLASSES.items()}


class MapLayer:
    """The map-layer exports of :class:`CoverageResult`, :class:`FootprintResult` and :class:`TrajectoryResult`:
    a GeoDataFrame, KML, CZML and any format of :data:`bmdlab.export.LAYER_FORMATS`, with the provenance and the
    maps' colours."""

    provenance: Provenance

    def _layer(self) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def to_geodataframe(self, **options: Any) -> gpd.GeoDataFrame:
        """A GeoPandas GeoDataFrame with crs EPSG:4326 (:func:`bmdlab.export.layer_geodataframe`; needs
        ``pip install 'bmdlab[gis]'``); the provenance is in ``gdf.attrs["bmdlab"]``."""
        return layer_geodataframe(self._layer(), provenance=self.provenance.to_dict(), **options)

    def write_layer(self, path: str | Path, *, epoch: datetime | None = None) -> Path:
        """Write the layer to ``path``, the format by its suffix (:data:`bmdlab.export.LAYER_FORMATS`: .geojson,
        .nc, .parquet, .gpkg, .kml, .czml) with the provenance and the maps' colours; returns the path.
        ``epoch``: a trajectory's launch time (timezone-aware datetime)."""
        return write_layer(
            self._layer(), path, provenance=self.provenance.to_dict(), colours=_palette_colours(), epoch=epoch
        )

    def to_kml(self, path: str | Path | None = None, *, epoch: datetime | None = None) -> str | Path:
        """The layer as KML 2.2 for Google Earth (flights as ``gx:Track`` with time): written to ``path``
        (``.kml``) and the path returned, or the text returned without a path."""
        return self._text_or_file(path, ".kml", epoch, layer_kml)

    def to_czml(self, path: str | Path | None = None, *, epoch: datetime | None = None) -> str | Path:
        """The layer as CZML for Cesium (flights as time-sampled positions): written to ``path`` (``.czml``) and
        the path returned, or the JSON text returned without a path."""
        return self._text_or_file(path, ".czml", epoch, layer_czml)

    def _text_or_file(self, path: str | Path | None, suffix: str, epoch: datetime | None, make: Any) -> str | Path:
        if path is not None:
            if not isinstance(path, (str, Path)) or Path(path).suffix.lower() != suffix:
                raise BmdlabError(f"path: '{path}' must end in {suffix}")
            return self.write_layer(path, epoch=epoch)
        out = make(self._layer(), provenance=self.provenance.to_dict(), colours=_palette_colours(), epoch=epoch)
        return out.decode("utf-8") if isinstance(out, bytes) else json.dumps(out, ensure_ascii=False)


# ------------------------------------------------------------------------------------ trajectory
@dataclass(frozen=True)
class FlightFigures:
    """The headline figures of one flight in edge units (km, s, m/s, deg), rounded as reported."""

    shape: str
    earth_rotation: bool
    range_km: float
    apogee_km: float
    flight_time_s: float
    time_to_apogee_s: float
    burn_time_s: float
    burnout_speed_m_s: float
    burnout_altitude_km: float
    burnout_angle_deg: float
    reentry_speed_m_s: float
    impact_speed_m_s: float
    #: quasi-ballistic and boost-glide flights: the speed at the pull-up and the ground range glided to the dive
    pull_up_speed_m_s: float | None = None
    glide_range_km: float | None = None

    @classmethod
    def of(cls, traj: Any, i: int = 0) -> FlightFigures:
        """Flight ``i`` of a :class:`bmdlab.trajectory.ballistic.Trajectory`."""
        return cls(
            shape=traj.shape,
            earth_rotation=traj.earth_rotation,
            range_km=round(float(traj.ground_range[i]) / 1e3, 3),
            apogee_km=round(float(traj.apogee[i]) / 1e3, 3),
            flight_time_s=round(float(traj.flight_time[i]), 2),
            time_to_apogee_s=round(float(traj.time_to_apogee[i]), 2),
            burn_time_s=round(float(traj.burn_time[i]), 2),
            burnout_speed_m_s=round(float(traj.burnout_speed[i]), 1),
            burnout_altitude_km=round(float(traj.burnout_altitude[i]) / 1e3, 3),
            burnout_angle_deg=round(float(np.degrees(traj.burnout_angle[i])), 3),
            reentry_speed_m_s=round(float(traj.reentry_speed[i]), 1),
            impact_speed_m_s=round(float(traj.impact_speed[i]), 1),
            **_glide_figures(traj, i),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _glide_figures(traj: Any, i: int) -> dict[str, float | None]:
    """The pull-up speed and glide range of an atmospheric flight (none for a ballistic one or without a pull-up)."""
    speed = getattr(traj, "glide_speed", None)
    if speed is None or not np.isfinite(speed[i]):
        return {}
    return {
        "pull_up_speed_m_s": round(float(speed[i]), 1),
        "glide_range_km": round(float(traj.glide_range[i]) / 1e3, 3),
    }


def trajectory_summary(traj: Any, i: int) -> dict[str, Any]:
    """The headline figures of trajectory ``i`` in edge units (km, s, m/s, deg), as JSON."""
    return FlightFigures.of(traj, i).to_dict()


@dataclass(frozen=True)
class TrajectoryResult(MapLayer, Result):
    """One ballistic flight (:func:`bmdlab.trajectory.missile_trajectory`)."""

    KIND: ClassVar[str] = "trajectory"

    trajectory: Any = field(repr=False)  #: the :class:`bmdlab.trajectory.ballistic.Trajectory`
    missile: str | None  #: the catalog missile flown, if any
    launch: Place  #: where it was launched
    aim: Place  #: where it was aimed

    @functools.cached_property
    def figures(self) -> FlightFigures:
        """Range, apogee, flight time, burnout and re-entry figures."""
        return FlightFigures.of(self.trajectory)

    @property
    def range_km(self) -> float:
        """Ground range [km]."""
        return self.figures.range_km

    @property
    def apogee_km(self) -> float:
        """Highest altitude [km]."""
        return self.figures.apogee_km

    @property
    def flight_time_s(self) -> float:
        """Launch to impact [s]."""
        return self.figures.flight_time_s

    def payload(self) -> dict[str, Any]:
        return {
            **self.figures.to_dict(),
            "missile": self.missile,
            "from": self.launch.to_dict(),
            "to": self.aim.to_dict(),
        }

    def _layer(self) -> Any:
        return self.trajectory

    def to_frame(self, points: int = 200) -> pd.DataFrame:
        """The flight sampled at ``points`` times: ``time_s``, ``lat_deg``, ``lon_deg``, ``altitude_km``."""
        t = np.linspace(0.0, float(self.trajectory.flight_time[0]), int(points))
        lat, lon, alt = (np.asarray(a).reshape(-1, len(t))[0] for a in self.trajectory.geodetic(t))
        return _pandas().DataFrame(
            {"time_s": t, "lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "altitude_km": alt / 1e3}
        )


# ------------------------------------------------------------------------------------- footprint
@dataclass(frozen=True)
class FootprintResult(MapLayer, Result):
    """The aim points one unit defends against one missile (:func:`bmdlab.defense.footprint.defended_footprint`)."""

    KIND: ClassVar[str] = "footprint"

    footprint: Any = field(repr=False)  #: the :class:`bmdlab.defense.footprint.Footprint`
    catalog: Any = field(repr=False)
    at: Place  #: where the unit stands
    launch: Place  #: the launch point
    track_delay_s: float  #: detection to launch decision used [s]
    model: Any = field(repr=False)  #: the :class:`bmdlab.defense.engage.EngagementModel`

    @property
    def area_km2(self) -> float:
        """Defended area [km^2]."""
        return round(self.footprint.area_m2 / 1e6, 1)

    @property
    def max_radius_km(self) -> float:
        """Farthest defended aim point from the unit [km]."""
        return round(self.footprint.max_radius_m / 1e3, 1)

    @property
    def max_shot_opportunities(self) -> int:
        return int(self.footprint.max_shots)

    def payload(self) -> dict[str, Any]:
        fp = self.footprint
        return {
            "unit": fp.defender.unit,
            "interceptor": fp.defender.interceptor,
            "at": self.at.to_dict(),
            "missile": fp.missile,
            "launch": self.launch.to_dict(),
            "shape": fp.shape,
            "area_km2": self.area_km2,
            "max_radius_km": self.max_radius_km,
            "max_shot_opportunities": fp.max_shots,
            "grid_spacing_km": round(fp.spacing_m / 1e3, 2),
            "track_delay_s": self.track_delay_s,
            "engagement_model": self.model.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per aim point of the footprint grid: ``lat_deg``, ``lon_deg``, ``shot_opportunities``."""
        fp = self.footprint
        return _pandas().DataFrame(
            {
                "lat_deg": np.ravel(fp.lat_deg),
                "lon_deg": np.ravel(fp.lon_deg),
                "shot_opportunities": np.ravel(fp.shots).astype(np.int64),
            }
        )

    def plot(self, path: str | Path | None = None):
        """Map of the footprint (PNG at ``path``, or the figure)."""
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.study.figures import footprint_map

        return footprint_map(self.footprint, self.catalog, path)

    def _layer(self) -> Any:
        return self.footprint

    def to_xarray(self) -> xr.Dataset:
        ds = footprint_dataset(self.footprint)
        ds.attrs.update(_attrs(self.provenance))
        return ds

    def to_geojson(self) -> dict[str, Any]:
        return footprint_geojson(self.footprint, provenance=self.provenance.to_dict())


def _attrs(p: Provenance) -> dict[str, str]:
    return {f"bmdlab_{k}": json.dumps(v) if not isinstance(v, str) else v for k, v in p.to_dict().items()}


# -------------------------------------------------------------------------------------- coverage
@dataclass(frozen=True)
class CoverageResult(MapLayer, Result):
    """National coverage of an architecture against its threat (:func:`bmdlab.coverage.national.national_coverage`).

    Fractions are of all of Japan (land area, people), worst case over the listed threats.
    """

    KIND: ClassVar[str] = "coverage"

    coverage: Any = field(repr=False)  #: the :class:`bmdlab.coverage.national.Coverage`
    catalog: Any = field(repr=False)  #: the catalog it was computed with (for labels on maps)
    resolution_km: float  #: grid cell size [km]
    model: Any = field(repr=False)  #: the engagement model in force
    cities: int = 30  #: the largest cities listed
    availability: AvailabilityCoverage | None = field(default=None, repr=False)  #: shares over availability

    @functools.cached_property
    def summary(self) -> CoverageSummary:
        """The fractions and their breakdowns (regions, launch areas, missiles, threats, cities, units)."""
        return coverage_summary(self.coverage, _largest_cities(self.cities))

    @property
    def land_fraction(self) -> float:
        """Share of Japan's land defended [-] (rounded to 4 decimals, as in the JSON)."""
        return self.summary.land_fraction

    @property
    def population_fraction(self) -> float:
        """Share of Japan's people defended [-] (rounded to 4 decimals, as in the JSON)."""
        return self.summary.population_fraction

    def payload(self) -> dict[str, Any]:
        out = self.summary.to_dict()
        out["engagement_model"] = self.model.to_dict()
        out["resolution_km"] = self.resolution_km
        if self.availability is not None:
            out["availability"] = self.availability.to_dict()
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per land cell: ``lat_deg``, ``lon_deg``, ``land_km2``, ``population``, ``region``,
        ``threatened``, ``defended``, ``worst_shots`` (shot opportunities, worst case over threats) and
        ``shot_class`` (-1 not threatened, 0 threatened and not defended, 1, 2, 3 = 3 or more)."""
        pd_ = _pandas()
        cov = self.coverage
        g = cov.grid
        return pd_.DataFrame(
            {
                "lat_deg": np.asarray(g.lat_deg, float),
                "lon_deg": np.asarray(g.lon_deg, float),
                "land_km2": np.asarray(g.area_m2, float) / 1e6,
                "population": np.asarray(g.population, float),
                "region": pd_.Categorical.from_codes(grid_regions(g), categories=list(REGION_NAMES)),
                "threatened": cov.reach.any(axis=0),
                "defended": cov.defended(),
                "worst_shots": cov.worst_shots().astype(np.int64),
                "shot_class": coverage_classes(cov).astype(np.int64),
            }
        )

    def regions(self) -> pd.DataFrame:
        """The per-region table (fractions of each region's land and people)."""
        rows = [
            {
                "region": r.region,
                "land_km2": r.land_km2,
                "population": r.population,
                **{
                    f"{cat}_{k}": getattr(getattr(r, cat), k)
                    for cat in ("defended", "threatened_not_defended", "not_threatened")
                    for k in ("land_fraction", "population_fraction")
                },
            }
            for r in self.summary.regions
        ]
        return _frame(rows)

    def units(self) -> pd.DataFrame:
        """Each unit's contribution: population defended alone and added to the others."""
        return _frame([u.to_dict() for u in self.summary.units])

    def _layer(self) -> Any:
        return self.coverage

    def to_xarray(self) -> xr.Dataset:
        """A raster on a regular latitude-longitude grid (CF conventions, EPSG:4326); the sea is missing (NaN)."""
        ds = coverage_dataset(self.coverage)
        ds.attrs.update(_attrs(self.provenance))
        return ds

    def to_geojson(self) -> dict[str, Any]:
        """Dissolved polygons by shot-opportunity class, cut to the coastline (RFC 7946)."""
        return coverage_geojson(self.coverage, provenance=self.provenance.to_dict())

    def cities_geojson(self) -> dict[str, Any]:
        """The largest cities as GeoJSON points with population, defended (bool) and shot opportunities."""
        return points_geojson([c.to_dict() for c in self.summary.cities or ()], provenance=self.provenance.to_dict())

    def units_geojson(self) -> dict[str, Any]:
        """The architecture's units as GeoJSON points."""
        rows = [
            {
                "lat": float(np.degrees(d.lat)),
                "lon": float(np.degrees(d.lon)),
                "name": d.name,
                "interceptor": d.interceptor,
            }
            for d in self.coverage.defenders
        ]
        return points_geojson(rows, provenance=self.provenance.to_dict())

    def points_geojson(self) -> dict[str, Any]:
        """The units and the largest cities in one GeoJSON collection, each feature's ``role`` ``unit`` or ``city``."""
        units, cities = self.units_geojson(), self.cities_geojson()
        for collection, role in ((units, "unit"), (cities, "city")):
            for f in collection["features"]:
                f["properties"]["role"] = role
        return {**units, "features": units["features"] + cities["features"]}

    def plot(self, path: str | Path | None = None, *, cities: int = 30, title: str | None = None):
        """A coverage map of worst-case shot opportunities per land cell, with the ``cities`` largest
        cities; written to ``path`` (PNG) and returned as a path if given, else returned as a Matplotlib
        figure (shown inline in Jupyter)."""
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.study.figures import coverage_map

        title = (
            title or f"{self.provenance.scenario}: defended land (worst case over {len(self.coverage.threats)} threats)"
        )
        return coverage_map(self.coverage, self.catalog, _largest_cities(cities), path, title=title)


def _largest_cities(n: int) -> list[dict[str, Any]]:
    return largest_cities(n).records()


# ---------------------------------------------------------------------------------------- siting
@dataclass(frozen=True)
class RotationResult(Result):
    """Shares of Japan defended through the ships' rotation (:func:`bmdlab.coverage.over_time.coverage_over_time`),
    and with a comparison the stations and hulls its fleet needs to match it (:func:`~bmdlab.coverage.over_time.ships_to_match`)."""

    KIND: ClassVar[str] = "rotation"

    view: Any = field(repr=False)  #: the :class:`bmdlab.coverage.over_time.CoverageOverTime`
    resolution_km: float  #: grid cell size [km]
    match: dict[str, Any] | None = None  #: the hulls to match ``compare_with`` (None: no comparison)
    compare_with: dict[str, Any] | None = None  #: the compared scenario's month (summary)

    def payload(self) -> dict[str, Any]:
        return {
            "resolution_km": self.resolution_km,
            **self.view.to_dict(),
            "compare_with": self.compare_with,
            "ships_to_match": self.match,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per time step: hours, land and people fractions defended, units on station."""
        v = self.view
        return _pandas().DataFrame(
            {
                "hours": v.hours,
                "land_fraction": v.land,
                "population_fraction": v.people,
                "units_on_station": v.on_station,
            }
        )


@dataclass(frozen=True)
class SitingResult(Result):
    """Best sites for K units of a land system (maximum coverage MILP, HiGHS)."""

    KIND: ClassVar[str] = "siting"

    siting: Any = field(repr=False)  #: the :class:`bmdlab.coverage.siting_study.SitingResult` (its coverage for maps)
    catalog: Any = field(repr=False)

    @property
    def count(self) -> int:
        return self.siting.count

    @property
    def population_fraction(self) -> float:
        """Of Japan's (or the threatened) people [-] (rounded to 4 decimals, as in the JSON)."""
        return round(self.siting.population_fraction, 4)

    @property
    def land_fraction(self) -> float:
        """Of Japan's (or the threatened) land [-] (rounded to 4 decimals, as in the JSON)."""
        return round(self.siting.land_fraction, 4)

    def payload(self) -> dict[str, Any]:
        return self.siting.to_dict()

    def plot(self, path: str | Path | None = None, *, cities: int = 10):
        """Map of the chosen sites and the land they defend (PNG at ``path``, or the figure)."""
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.study.figures import siting_map

        return siting_map(self.siting, self.catalog, path, cities=cities)

    def to_frame(self) -> pd.DataFrame:
        """One row per chosen site: ``lat``, ``lon`` [deg]."""
        return _frame([{"lat": round(la, 4), "lon": round(lo, 4)} for la, lo in self.siting.sites])

    def to_geojson(self) -> dict[str, Any]:
        rows = [{"lat": round(la, 4), "lon": round(lo, 4)} for la, lo in self.siting.sites]
        return points_geojson(rows, provenance=self.provenance.to_dict())


# ----------------------------------------------------------------------------------------- raids
@dataclass(frozen=True)
class RaidResult(Result):
    """Monte Carlo of a scenario's raid (:func:`bmdlab.engagement.scenario_raid.run_scenario_raid`)."""

    KIND: ClassVar[str] = "raid"

    outcome: RaidOutcome = field(repr=False)  #: the plan, the tallies and every figure

    @property
    def tally(self) -> RaidTally:
        """The exact Monte Carlo tallies (histograms; per-trial values with ``keep_trials``)."""
        return self.outcome.tally

    @property
    def missiles(self) -> int:
        return self.outcome.missiles

    @property
    def trials(self) -> int:
        return self.outcome.trials

    @property
    def expected_leakers(self) -> float:
        """Mean missiles not intercepted [-] (rounded to 4 decimals, as in the JSON)."""
        return round(self.outcome.expected_leakers, 4)

    @property
    def expected_leakers_ci95(self) -> tuple[float, float]:
        """95 % confidence interval of the mean (rounded as in the JSON)."""
        lo, hi = self.outcome.expected_leakers_ci95
        return round(lo, 4), round(hi, 4)

    @property
    def p_zero_leakers(self) -> float:
        """Probability that no missile leaks [-] (rounded to 5 decimals, as in the JSON)."""
        return round(self.outcome.p_zero_leakers, 5)

    @property
    def interceptors_expended(self) -> float:
        """Mean interceptors fired [-] (rounded to 3 decimals, as in the JSON)."""
        return round(self.outcome.interceptors_expended_total, 3)

    def payload(self) -> dict[str, Any]:
        return self.outcome.to_dict()

    def to_frame(self) -> pd.DataFrame:
        """The distribution of leakers: ``leakers``, ``trials`` (count), ``probability``."""
        counts = np.asarray(self.tally.leaker_counts, np.int64)
        k = np.flatnonzero(counts)
        return _pandas().DataFrame(
            {"leakers": k.astype(np.int64), "trials": counts[k], "probability": counts[k] / counts.sum()}
        )

    def assets(self) -> pd.DataFrame:
        """Expected leakers per defended asset."""
        return _frame(
            [{"asset": a, "expected_leakers": round(v, 4)} for a, v in self.outcome.leakers_per_asset.items()]
        )


@dataclass(frozen=True)
class CampaignResult(Result):
    """Raid waves with magazines carried and reloads between them (:func:`bmdlab.engagement.campaign.run_campaign`)."""

    KIND: ClassVar[str] = "campaign"

    campaign: Any = field(repr=False)  #: the :class:`bmdlab.engagement.campaign.CampaignResult`

    @property
    def total_expected_leakers(self) -> float:
        """Mean missiles not intercepted over all waves [-] (rounded to 4 decimals, as in the JSON)."""
        return round(self.campaign.total_expected_leakers, 4)

    @property
    def total_expected_leakers_ci95(self) -> tuple[float, float]:
        lo, hi = self.campaign.total_expected_leakers_ci95
        return round(lo, 4), round(hi, 4)

    def payload(self) -> dict[str, Any]:
        return self.campaign.to_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per wave: time, missiles, expected leakers and their CI, interceptors, units on station."""
        return _frame(
            [
                {
                    "wave": w.wave,
                    "at_h": w.at_h,
                    "missiles": w.missiles,
                    "expected_leakers": w.expected_leakers,
                    "ci95_low": w.expected_leakers_ci95[0],
                    "ci95_high": w.expected_leakers_ci95[1],
                    "p_zero_leakers": w.p_zero_leakers,
                    "interceptors_expended": w.interceptors_expended,
                    "units_on_station_mean": w.units_on_station_mean,
                    "rounds_ready_at_start_mean": w.rounds_ready_at_start_mean,
                }
                for w in self.campaign.waves
            ]
        )


@dataclass(frozen=True)
class CompareResult(Result):
    """Two architectures against the same raid on the same seed, and their paired difference.

    ``difference`` is B minus A in expected leakers; its 95 % confidence interval comes from the
    per-trial differences (trial *i* of A paired with trial *i* of B), so it is valid however the
    two runs' random draws are related.
    """

    KIND: ClassVar[str] = "compare"

    a: RaidResult = field(repr=False)
    b: RaidResult = field(repr=False)
    difference: float  #: expected leakers of B minus those of A [missiles]
    difference_ci95: tuple[float, float]  #: 95 % confidence interval of the difference [missiles]
    independent_ci95_half_width: float  #: what independent runs would give [missiles]
    verdict: str  #: one sentence computed from the interval (:func:`bmdlab.engagement.paired.compare_verdict`)

    @property
    def trials(self) -> int:
        return self.a.trials

    @property
    def missiles(self) -> int:
        return self.a.missiles

    @property
    def doctrine(self) -> str:
        return self.a.outcome.doctrine

    def payload(self) -> dict[str, Any]:
        ci = self.difference_ci95
        return {
            "seed": self.a.outcome.seed,
            "trials": self.trials,
            "missiles": self.missiles,
            "doctrine": self.doctrine,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "difference": {
                "expected_leakers": round(self.difference, 4),
                "ci95": [round(ci[0], 4), round(ci[1], 4)],
                "paired": True,
                "definition": "B minus A, per trial on the same seed",
                "independent_ci95_half_width": round(self.independent_ci95_half_width, 4),
                "common_random_numbers": "threats' fates and shared units' draws",
            },
            "verdict": self.verdict,
            "note": "B's architecture in A's scenario (threat, raid, timeline, engagement)",
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per side (``a``, ``b``) and one for the difference ``b - a``."""
        rows = [
            {
                "side": side,
                "scenario": r.provenance.scenario,
                "expected_leakers": r.expected_leakers,
                "ci95_low": r.expected_leakers_ci95[0],
                "ci95_high": r.expected_leakers_ci95[1],
                "p_zero_leakers": r.p_zero_leakers,
            }
            for side, r in (("a", self.a), ("b", self.b))
        ]
        rows.append(
            {
                "side": "b - a",
                "scenario": None,
                "expected_leakers": self.difference,
                "ci95_low": self.difference_ci95[0],
                "ci95_high": self.difference_ci95[1],
                "p_zero_leakers": None,
            }
        )
        return _frame(rows)


@dataclass(frozen=True)
class AnalyticResult(Result):
    """Closed-form raid odds (Wilkening 2000)."""

    KIND: ClassVar[str] = "analytic"

    odds: RaidOdds = field(repr=False)
    doctrine: str
    common_mode: float = 0.0

    @property
    def p_zero_leakers(self) -> float:
        return float(self.odds.p_zero_leakers)

    @property
    def expected_leakers(self) -> float:
        return float(self.odds.expected_leakers)

    def payload(self) -> dict[str, Any]:
        o = self.odds
        model = "Wilkening (2000), Science & Global Security 8:183-215"
        if self.common_mode:
            model += "; shots correlated through a beta-distributed kill probability (Skellam 1948)"
        return {
            "p_zero_leakers": o.p_zero_leakers,
            "expected_leakers": o.expected_leakers,
            "leakers_sd": o.leakers_sd,
            "kill_probability_per_missile": o.kill_probability,
            "expected_interceptors": o.expected_interceptors,
            "shots_per_object": o.shots_per_object,
            "doctrine": self.doctrine,
            "model": model,
            "common_mode": self.common_mode,
        }

    def to_frame(self) -> pd.DataFrame:
        return _frame([{k: v for k, v in self.data.items() if not isinstance(v, (dict, list))}])


@dataclass(frozen=True)
class WTAResult(Result):
    """A static weapon-target assignment with its proven bound (Ahuja et al. 2007)."""

    KIND: ClassVar[str] = "wta"

    solution: Any = field(repr=False)  #: the :class:`bmdlab.engagement.wta.WTAResult`
    generated: dict[str, Any] = field(default_factory=dict)  #: ``{"random": "WxT", "seed": s}`` of a random instance

    @property
    def objective(self) -> float:
        """Expected surviving target value."""
        return float(self.solution.objective)

    @property
    def bound(self) -> float:
        """Proven lower bound."""
        return float(self.solution.bound)

    @property
    def gap(self) -> float:
        """Relative gap [-]."""
        return float(self.solution.gap)

    def payload(self) -> dict[str, Any]:
        data = self.solution.to_dict()
        if self.generated:
            data["instance"] = dict(self.generated)
        return data

    def to_frame(self) -> pd.DataFrame:
        """One row per weapon: ``weapon``, ``target``."""
        return _frame([{"weapon": i, "target": int(j)} for i, j in enumerate(self.solution.assignment)])


# ----------------------------------------------------------------------------------------- costs
@dataclass(frozen=True)
class CostResult(Result):
    """Life-cycle cost of an architecture (:func:`bmdlab.cost.architecture.architecture_cost`)."""

    KIND: ClassVar[str] = "cost"

    breakdown: Any = field(repr=False)  #: the :class:`bmdlab.cost.architecture.CostBreakdown`

    @functools.cached_property
    def _money(self) -> dict[str, Any]:
        return self.breakdown.to_dict()

    @property
    def total_jpy(self) -> int:
        """Yen of :attr:`price_year`."""
        return int(self._money["total"]["jpy"])

    @property
    def total_usd(self) -> int:
        """US dollars of :attr:`price_year`."""
        return int(self._money["total"]["usd"])

    @property
    def price_year(self) -> int:
        return int(self.breakdown.price_year)

    def payload(self) -> dict[str, Any]:
        return self.breakdown.to_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per unit line, money in whole yen and dollars of the price year."""
        rows = []
        for ln in self._money["lines"]:
            row = {k: ln[k] for k in ("unit", "interceptor", "status", "count", "interceptors_bought")}
            for c in ("acquisition", "interceptors", "operation", "total"):
                row[f"{c}_jpy"], row[f"{c}_usd"] = ln[c]["jpy"], ln[c]["usd"]
            row["price_year"] = self.price_year
            rows.append(row)
        return _frame(rows)


@dataclass(frozen=True)
class BudgetResult(Result):
    """The best purchases for a budget (MILP) checked by Monte Carlo."""

    KIND: ClassVar[str] = "budget"

    budget: Any = field(repr=False)  #: the :class:`bmdlab.cost.budget.BudgetOutcome`

    @property
    def buy(self) -> tuple[str, ...]:
        return tuple(self.budget.buy)

    @property
    def cost_jpy(self) -> int:
        return int(self.budget.money(self.budget.cost_jpy)["jpy"])

    def payload(self) -> dict[str, Any]:
        return self.budget.to_dict()

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.budget.candidates:
            m = self.budget.money(c.cost_jpy)
            rows.append(
                {
                    "key": c.key,
                    "label": c.label,
                    "cost_jpy": m["jpy"],
                    "cost_usd": m["usd"],
                    "price_year": m["price_year"],
                    "bought": c.key in self.buy,
                }
            )
        return _frame(rows)


@dataclass(frozen=True)
class TradeoffResult(Result):
    """Cost against effectiveness of the trade-off options, with the Pareto frontier."""

    KIND: ClassVar[str] = "tradeoff"

    tradeoff: Any = field(repr=False)  #: the :class:`bmdlab.cost.tradeoff.TradeoffResult`
    raid: int  #: raid size of the frontier
    budget: BudgetResult | None = field(default=None, repr=False)  #: the best purchases, when a budget was given

    @functools.cached_property
    def frontier(self) -> tuple[str, ...]:
        """Option keys on the Pareto frontier at :attr:`raid` missiles."""
        return tuple(self.tradeoff.frontier(raid=self.raid))

    def payload(self) -> dict[str, Any]:
        data = self.tradeoff.to_dict()
        data.update({"frontier": list(self.frontier), "raid": self.raid})
        if self.budget is not None:
            data["budget"] = self.budget.payload()
        return data

    def plot(self, path: str | Path | None = None):
        """Cost against expected surviving value, the frontier marked (PNG at ``path``, or the figure)."""
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.plotting.costs import plot_tradeoff

        return plot_tradeoff(self.data, path, raid=self.raid)

    def to_frame(self) -> pd.DataFrame:
        """One row per (option, raid size)."""
        rows = []
        for r in self.tradeoff.rows:
            total = r.cost.money(r.cost.total())
            for n, rr in r.raids.items():
                rows.append(
                    {
                        "option": r.key,
                        "label": r.label,
                        "raid": int(n),
                        "cost_total_jpy": total["jpy"],
                        "cost_total_usd": total["usd"],
                        "price_year": total["price_year"],
                        "population_fraction": r.population_fraction,
                        "expected_leakers": rr.expected_leakers,
                        "p_zero_leakers": rr.p_zero_leakers,
                        "expected_surviving_value_fraction": rr.expected_surviving_value_fraction,
                        "interceptors_expended": rr.interceptors_expended,
                        "pareto": r.key in self.frontier and int(n) == self.raid,
                    }
                )
        return _frame(rows)


# ----------------------------------------------------------------------------------- sensitivity
@dataclass(frozen=True)
class TornadoResult(Result):
    """One-at-a-time sensitivity of the raid and cost metrics."""

    KIND: ClassVar[str] = "tornado"

    tornado: dict[str, Any] = field(repr=False)  #: :func:`bmdlab.sensitivity.tornado.tornado`'s result
    metric: str = "expected_leakers"  #: the metric the inputs are ranked by

    def payload(self) -> dict[str, Any]:
        return {**self.tornado, "metric": self.metric}

    def base_value(self, metric: str | None = None) -> float:
        """``metric`` (default: the ranked one) at the base point."""
        return float(self.tornado["base_metrics"][metric or self.metric])

    def plot(self, path: str | Path | None = None, metric: str | None = None):
        """The tornado chart of ``metric`` (default: the one the run ranked by; PNG at ``path``, or the figure)."""
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.plotting.costs import plot_tornado

        return plot_tornado(self.data, path, metric or self.metric)

    def swing(self, metric: str | None = None) -> list[tuple[str, float, float]]:
        """(input, low-end value, high-end value) of ``metric`` (default: the ranked one), largest swing first."""
        return swing(self.tornado, metric or self.metric)

    def to_frame(self) -> pd.DataFrame:
        """One row per (input, end) with every metric as a column."""
        rows = []
        for r in self.tornado["rows"]:
            for end in ("low", "high"):
                metrics = {k: v for k, v in r[f"{end}_metrics"].items() if not isinstance(v, (dict, list))}
                rows.append(
                    {"parameter": r["parameter"], "input": r["label"], "end": end, "value": str(r[end]), **metrics}
                )
        return _frame(rows)


@dataclass(frozen=True)
class SweepResult(Result):
    """A grid sweep stored in a DuckDB file."""

    KIND: ClassVar[str] = "sweep"

    path: str  #: the DuckDB file
    axes: tuple[str, ...]  #: the parameters varied
    runs: tuple[dict[str, Any], ...] = field(repr=False)  #: every run of the file, as plain values
    trials: int

    def payload(self) -> dict[str, Any]:
        return {"out": self.path, "axes": list(self.axes), "runs": list(self.runs), "trials": self.trials}

    @functools.cached_property
    def rows(self) -> tuple[SweepRow, ...]:
        """The runs as typed rows (metrics as attributes, the axes' values by parameter)."""
        return tuple(SweepRow.of(r) for r in self.runs)

    def to_frame(self) -> pd.DataFrame:
        """The runs with typed columns (read back from the DuckDB file)."""
        return read_sweep(self.path)


@dataclass(frozen=True)
class FootprintCheckResult(Result):
    """Defended footprints against published figures."""

    KIND: ClassVar[str] = "footprint-checks"

    cases: tuple = field(repr=False)  #: the :class:`bmdlab.coverage.published_footprints.CaseResult` objects
    resolution_km: float = 20.0

    def payload(self) -> dict[str, Any]:
        return {
            "cases": [r.to_dict() for r in self.cases],
            "tolerance_factor": TOLERANCE_FACTOR,
            "resolution_km": self.resolution_km,
        }

    def markdown(self) -> str:
        """The table and explanations as Markdown (``docs/footprint-checks.md``)."""
        return markdown_table(list(self.cases), self.provenance.catalog_hash, self.provenance.bmdlab_version)

    def to_frame(self) -> pd.DataFrame:
        keys = (
            "id",
            "title",
            "unit",
            "published_low",
            "published_high",
            "model",
            "ratio",
            "within_tolerance",
            "scored",
        )
        return _frame([{k: c.get(k) for k in keys} for c in self.data["cases"]])


@dataclass(frozen=True)
class StudyResult(Result):
    """A study written to a folder: report, results and figures."""

    KIND: ClassVar[str] = "study"

    out: str  #: the study folder
    report: str  #: path of report.html
    results: str  #: path of results.json
    summary: dict[str, Any] = field(default_factory=dict, repr=False)  #: what the study run returned besides

    def payload(self) -> dict[str, Any]:
        return {"out": self.out, "report": self.report, "results": self.results, **self.summary}

    def load(self) -> dict[str, Any]:
        """The study's results.json."""
        return json.loads(Path(self.results).read_text(encoding="utf-8"))

    def to_frame(self) -> pd.DataFrame:
        """The claims table: each claim of the debate with bmdlab's computed verdict."""
        claims = self.load().get("claims", [])
        return _frame([{k: v for k, v in c.items() if not isinstance(v, (dict, list))} for c in claims])


def _pandas():
    import pandas  # lazy: pandas takes ~1 s to import; only when a table is asked for

    return pandas


__all__ = [
    "SCHEMA_VERSION",
    "AnalyticResult",
    "BudgetResult",
    "CampaignResult",
    "CompareResult",
    "CostResult",
    "CoverageResult",
    "FootprintCheckResult",
    "FootprintResult",
    "Provenance",
    "RaidResult",
    "Result",
    "RotationResult",
    "SitingResult",
    "StudyResult",
    "SweepResult",
    "TornadoResult",
    "TradeoffResult",
    "TrajectoryResult",
    "WTAResult",
    "make_provenance",
    "trajectory_summary",
]
