"""Typed results of every analysis, each with its provenance and ways out to the analyst's tools.

Every result is a frozen dataclass holding

* headline figures as typed attributes whose names carry their unit (``land_fraction``,
  ``expected_leakers``, ``area_km2``), as pvlib names its columns;
* ``provenance``: the bmdlab version, the catalog hash, the scenario and its hash, the seed and the
  options that produced it (:class:`Provenance`);
* ``data``: the full JSON payload, which :meth:`Result.to_dict` returns with ``schema_version``,
  ``kind`` and ``provenance`` (what the CLI's ``--json`` prints);

and offers :meth:`Result.to_frame` (a pandas DataFrame with typed columns) and, for gridded results
(coverage, footprints), ``to_xarray()`` and ``to_geojson()``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr

from bmdlab.io import JSON_SCHEMA_VERSION as SCHEMA_VERSION  # noqa: E402  (one version for every JSON output)


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
    from bmdlab import __version__

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
    """Base of every result: provenance, the JSON payload, and its exports."""

    KIND: ClassVar[str] = "result"

    provenance: Provenance
    data: dict[str, Any] = field(repr=False)

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
        from bmdlab.io import json_text

        text = json_text(self.to_dict())
        if path is not None:
            from bmdlab.io import atomic_write_bytes

            atomic_write_bytes(Path(path), text.encode("utf-8"))
        return text

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        """``result["expected_leakers"]``: a key of the JSON payload."""
        return self.data[key]


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame.from_records(rows, columns=columns)
    return df.convert_dtypes(dtype_backend="numpy_nullable") if len(df) else df


# ------------------------------------------------------------------------------------ trajectory
@dataclass(frozen=True)
class TrajectoryResult(Result):
    """One ballistic flight (:func:`bmdlab.trajectory.missile_trajectory`)."""

    KIND: ClassVar[str] = "trajectory"

    trajectory: Any = field(repr=False)  #: the :class:`bmdlab.trajectory.ballistic.Trajectory`
    range_km: float  #: ground range [km]
    apogee_km: float  #: highest altitude [km]
    flight_time_s: float  #: launch to impact [s]

    def to_frame(self, points: int = 200) -> pd.DataFrame:
        """The flight sampled at ``points`` times: ``time_s``, ``lat_deg``, ``lon_deg``, ``altitude_km``."""
        import pandas as pd

        t = np.linspace(0.0, float(self.trajectory.flight_time[0]), int(points))
        lat, lon, alt = (np.asarray(a).reshape(-1, len(t))[0] for a in self.trajectory.geodetic(t))
        return pd.DataFrame(
            {"time_s": t, "lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "altitude_km": alt / 1e3}
        )


# ------------------------------------------------------------------------------------- footprint
@dataclass(frozen=True)
class FootprintResult(Result):
    """The aim points one unit defends against one missile (:func:`bmdlab.defense.footprint.defended_footprint`)."""

    KIND: ClassVar[str] = "footprint"

    footprint: Any = field(repr=False)  #: the :class:`bmdlab.defense.footprint.Footprint`
    catalog: Any = field(repr=False)
    area_km2: float  #: defended area [km^2]
    max_radius_km: float  #: farthest defended aim point from the unit [km]
    max_shot_opportunities: int

    def to_frame(self) -> pd.DataFrame:
        """One row per aim point of the footprint grid: ``lat_deg``, ``lon_deg``, ``shot_opportunities``."""
        import pandas as pd

        fp = self.footprint
        return pd.DataFrame(
            {
                "lat_deg": np.ravel(fp.lat_deg),
                "lon_deg": np.ravel(fp.lon_deg),
                "shot_opportunities": np.ravel(fp.shots).astype(np.int64),
            }
        )

    def plot(self, path: str | Path | None = None):
        """Map of the footprint (PNG at ``path``, or the figure)."""
        from bmdlab.study.figures import footprint_map

        return footprint_map(self.footprint, self.catalog, path)

    def to_xarray(self) -> xr.Dataset:
        from bmdlab.export import footprint_dataset

        ds = footprint_dataset(self.footprint)
        ds.attrs.update(_attrs(self.provenance))
        return ds

    def to_geojson(self) -> dict[str, Any]:
        from bmdlab.export import footprint_geojson

        return footprint_geojson(self.footprint, provenance=self.provenance.to_dict())


def _attrs(p: Provenance) -> dict[str, str]:
    return {f"bmdlab_{k}": json.dumps(v) if not isinstance(v, str) else v for k, v in p.to_dict().items()}


# -------------------------------------------------------------------------------------- coverage
@dataclass(frozen=True)
class CoverageResult(Result):
    """National coverage of an architecture against its threat (:func:`bmdlab.coverage.national.national_coverage`).

    Fractions are of all of Japan (land area, people), worst case over the listed threats.
    """

    KIND: ClassVar[str] = "coverage"

    coverage: Any = field(repr=False)  #: the :class:`bmdlab.coverage.national.Coverage`
    catalog: Any = field(repr=False)  #: the catalog it was computed with (for labels on maps)
    land_fraction: float  #: share of Japan's land defended [-]
    population_fraction: float  #: share of Japan's people defended [-]
    resolution_km: float  #: grid cell size [km]

    def to_frame(self) -> pd.DataFrame:
        """One row per land cell: ``lat_deg``, ``lon_deg``, ``land_km2``, ``population``, ``region``,
        ``threatened``, ``defended``, ``worst_shots`` (shot opportunities, worst case over threats) and
        ``shot_class`` (-1 not threatened, 0 threatened and not defended, 1, 2, 3 = 3 or more)."""
        import pandas as pd

        from bmdlab.export import coverage_classes
        from bmdlab.geo.region import REGION_NAMES, japan_regions

        cov = self.coverage
        g = cov.grid
        return pd.DataFrame(
            {
                "lat_deg": np.asarray(g.lat_deg, float),
                "lon_deg": np.asarray(g.lon_deg, float),
                "land_km2": np.asarray(g.area_m2, float) / 1e6,
                "population": np.asarray(g.population, float),
                "region": pd.Categorical.from_codes(japan_regions(g.lat_deg, g.lon_deg), categories=list(REGION_NAMES)),
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
                "region": r["region"],
                "land_km2": r["land_km2"],
                "population": r["population"],
                **{
                    f"{cat}_{k}": r[cat][k]
                    for cat in ("defended", "threatened_not_defended", "not_threatened")
                    for k in ("land_fraction", "population_fraction")
                },
            }
            for r in self.data["regions"]
        ]
        return _frame(rows)

    def units(self) -> pd.DataFrame:
        """Each unit's contribution: population defended alone and added to the others."""
        return _frame([dict(r) for r in self.data.get("units", [])])

    def to_xarray(self) -> xr.Dataset:
        """A raster on a regular latitude-longitude grid (CF conventions, EPSG:4326)."""
        from bmdlab.export import coverage_dataset

        ds = coverage_dataset(self.coverage)
        ds.attrs.update(_attrs(self.provenance))
        return ds

    def to_geojson(self) -> dict[str, Any]:
        """Dissolved polygons by shot-opportunity class (RFC 7946)."""
        from bmdlab.export import coverage_geojson

        return coverage_geojson(self.coverage, provenance=self.provenance.to_dict())

    def cities_geojson(self) -> dict[str, Any]:
        """The largest cities as GeoJSON points with population, defended (bool) and shot opportunities."""
        from bmdlab.export import points_geojson

        return points_geojson([dict(c) for c in self.data.get("cities", [])], provenance=self.provenance.to_dict())

    def units_geojson(self) -> dict[str, Any]:
        """The architecture's units as GeoJSON points."""
        from bmdlab.export import points_geojson

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

    def plot(self, path: str | Path | None = None, *, cities: int = 30, title: str | None = None):
        """A coverage map of worst-case shot opportunities per land cell, with the ``cities`` largest
        cities; written to ``path`` (PNG) and returned as a path if given, else returned as a Matplotlib
        figure (shown inline in Jupyter)."""
        from bmdlab.study.figures import coverage_map

        return coverage_map(
            self.coverage,
            self.catalog,
            _largest_cities(cities),
            path,
            title=title
            or f"{self.provenance.scenario}: defended land (worst case over {len(self.coverage.threats)} threats)",
        )


def _largest_cities(n: int) -> list[dict[str, Any]]:
    from bmdlab.geo.japan import largest_cities

    return largest_cities(n).records()


# ---------------------------------------------------------------------------------------- siting
@dataclass(frozen=True)
class SitingResult(Result):
    """Best sites for K units of a land system (maximum coverage MILP, HiGHS)."""

    KIND: ClassVar[str] = "siting"

    siting: Any = field(repr=False)  #: the :class:`bmdlab.coverage.siting_study.SitingResult` (its coverage for maps)
    catalog: Any = field(repr=False)
    count: int
    population_fraction: float  #: of Japan's (or the threatened) people [-]
    land_fraction: float  #: of Japan's (or the threatened) land [-]

    def plot(self, path: str | Path | None = None, *, cities: int = 10):
        """Map of the chosen sites and the land they defend (PNG at ``path``, or the figure)."""
        from bmdlab.study.figures import siting_map

        return siting_map(self.siting, self.catalog, path, cities=cities)

    def to_frame(self) -> pd.DataFrame:
        """One row per chosen site: ``lat``, ``lon`` [deg]."""
        return _frame([dict(s) for s in self.data["sites"]])

    def to_geojson(self) -> dict[str, Any]:
        from bmdlab.export import points_geojson

        return points_geojson([dict(s) for s in self.data["sites"]], provenance=self.provenance.to_dict())


# ----------------------------------------------------------------------------------------- raids
@dataclass(frozen=True)
class RaidResult(Result):
    """Monte Carlo of a scenario's raid (:func:`bmdlab.engagement.scenario_raid.run_scenario_raid`)."""

    KIND: ClassVar[str] = "raid"

    tally: Any = field(repr=False)  #: the :class:`bmdlab.engagement.raid.RaidTally` (exact histograms)
    missiles: int
    trials: int
    expected_leakers: float  #: mean missiles not intercepted [-]
    expected_leakers_ci95: tuple[float, float]  #: 95 % confidence interval of the mean
    p_zero_leakers: float  #: probability that no missile leaks [-]
    interceptors_expended: float  #: mean interceptors fired [-]

    def to_frame(self) -> pd.DataFrame:
        """The distribution of leakers: ``leakers``, ``trials`` (count), ``probability``."""
        import pandas as pd

        counts = np.asarray(self.tally.leaker_counts, np.int64)
        k = np.flatnonzero(counts)
        return pd.DataFrame(
            {"leakers": k.astype(np.int64), "trials": counts[k], "probability": counts[k] / counts.sum()}
        )

    def assets(self) -> pd.DataFrame:
        """Expected leakers per defended asset."""
        return _frame([{"asset": a, "expected_leakers": v} for a, v in self.data["leakers_per_asset"].items()])


@dataclass(frozen=True)
class CampaignResult(Result):
    """Raid waves with magazines carried and reloads between them (:func:`bmdlab.engagement.campaign.run_campaign`)."""

    KIND: ClassVar[str] = "campaign"

    campaign: Any = field(repr=False)  #: the :class:`bmdlab.engagement.campaign.CampaignResult`
    total_expected_leakers: float  #: mean missiles not intercepted over all waves [-]
    total_expected_leakers_ci95: tuple[float, float]  #: its 95 % confidence interval

    def to_frame(self) -> pd.DataFrame:
        """One row per wave: time, missiles, expected leakers and their CI, interceptors, units on station."""
        return _frame(
            [
                {
                    "wave": w["wave"],
                    "at_h": w["at_h"],
                    "missiles": w["missiles"],
                    "expected_leakers": w["expected_leakers"],
                    "ci95_low": w["expected_leakers_ci95"][0],
                    "ci95_high": w["expected_leakers_ci95"][1],
                    "p_zero_leakers": w["p_zero_leakers"],
                    "interceptors_expended": w["interceptors_expended"],
                    "units_on_station_mean": w["units_on_station_mean"],
                    "rounds_ready_at_start_mean": w["rounds_ready_at_start_mean"],
                }
                for w in self.data["waves"]
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
    verdict: str  #: one sentence computed from the interval (:func:`bmdlab.api.analysis.compare_verdict`)

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

    p_zero_leakers: float
    expected_leakers: float

    def to_frame(self) -> pd.DataFrame:
        return _frame([{k: v for k, v in self.data.items() if not isinstance(v, (dict, list))}])


@dataclass(frozen=True)
class WTAResult(Result):
    """A static weapon-target assignment with its proven bound (Ahuja et al. 2007)."""

    KIND: ClassVar[str] = "wta"

    objective: float  #: expected surviving target value
    bound: float  #: proven lower bound
    gap: float  #: relative gap [-]

    def to_frame(self) -> pd.DataFrame:
        """One row per weapon: ``weapon``, ``target``."""
        a = self.data["assignment"]
        return _frame([{"weapon": i, "target": int(j)} for i, j in enumerate(a)])


# ----------------------------------------------------------------------------------------- costs
@dataclass(frozen=True)
class CostResult(Result):
    """Life-cycle cost of an architecture (:func:`bmdlab.cost.architecture.architecture_cost`)."""

    KIND: ClassVar[str] = "cost"

    breakdown: Any = field(repr=False)  #: the :class:`bmdlab.cost.architecture.CostBreakdown`
    total_jpy: int  #: yen of ``price_year``
    total_usd: int  #: US dollars of ``price_year``
    price_year: int

    def to_frame(self) -> pd.DataFrame:
        """One row per unit line, money in whole yen and dollars of the price year."""
        rows = []
        for ln in self.data["lines"]:
            row = {k: ln[k] for k in ("unit", "interceptor", "status", "count", "interceptors_bought")}
            for c in ("acquisition", "interceptors", "operation", "total"):
                row[f"{c}_jpy"], row[f"{c}_usd"] = ln[c]["jpy"], ln[c]["usd"]
            row["price_year"] = self.price_year
            rows.append(row)
        return _frame(rows)


@dataclass(frozen=True)
class TradeoffResult(Result):
    """Cost against effectiveness of the trade-off options, with the Pareto frontier."""

    KIND: ClassVar[str] = "tradeoff"

    frontier: tuple[str, ...]  #: option keys on the Pareto frontier
    raid: int  #: raid size of the frontier

    def plot(self, path: str | Path | None = None):
        """Cost against expected surviving value, the frontier marked (PNG at ``path``, or the figure)."""
        from bmdlab.plotting.costs import plot_tradeoff

        return plot_tradeoff(self.data, path, raid=self.raid)

    def to_frame(self) -> pd.DataFrame:
        """One row per (option, raid size)."""
        rows = []
        for r in self.data["options"]:
            for n, rr in r["raids"].items():
                rows.append(
                    {
                        "option": r["key"],
                        "label": r["label"],
                        "raid": int(n),
                        "cost_total_jpy": r["cost"]["total"]["jpy"],
                        "cost_total_usd": r["cost"]["total"]["usd"],
                        "price_year": r["cost"]["total"]["price_year"],
                        "population_fraction": r["population_fraction"],
                        "expected_leakers": rr["expected_leakers"],
                        "p_zero_leakers": rr["p_zero_leakers"],
                        "expected_surviving_value_fraction": rr["expected_surviving_value_fraction"],
                        "interceptors_expended": rr["interceptors_expended"],
                        "pareto": r["key"] in self.frontier and int(n) == self.raid,
                    }
                )
        return _frame(rows)


@dataclass(frozen=True)
class BudgetResult(Result):
    """The best purchases for a budget (MILP) checked by Monte Carlo."""

    KIND: ClassVar[str] = "budget"

    buy: tuple[str, ...]
    cost_jpy: int

    def to_frame(self) -> pd.DataFrame:
        return _frame(
            [
                {
                    "key": c["key"],
                    "label": c["label"],
                    "cost_jpy": c["cost"]["jpy"],
                    "cost_usd": c["cost"]["usd"],
                    "price_year": c["cost"]["price_year"],
                    "bought": c["key"] in self.buy,
                }
                for c in self.data["candidates"]
            ]
        )


# ----------------------------------------------------------------------------------- sensitivity
@dataclass(frozen=True)
class TornadoResult(Result):
    """One-at-a-time sensitivity of the raid and cost metrics."""

    KIND: ClassVar[str] = "tornado"

    def plot(self, path: str | Path | None = None, metric: str | None = None):
        """The tornado chart of ``metric`` (default: the one the run ranked by; PNG at ``path``, or the figure)."""
        from bmdlab.plotting.costs import plot_tornado

        return plot_tornado(self.data, path, metric or self.data.get("metric", "expected_leakers"))

    def swing(self, metric: str = "expected_leakers") -> list[tuple[str, float, float]]:
        from bmdlab.sensitivity.tornado import swing

        return swing(self.data, metric)

    def to_frame(self) -> pd.DataFrame:
        """One row per (input, end) with every metric as a column."""
        rows = []
        for r in self.data["rows"]:
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

    path: str

    def to_frame(self) -> pd.DataFrame:
        """The runs with typed columns (read back from the DuckDB file)."""
        from bmdlab.sensitivity.sweep import read_sweep

        return read_sweep(self.path)


@dataclass(frozen=True)
class FootprintCheckResult(Result):
    """Defended footprints against published figures."""

    KIND: ClassVar[str] = "footprint-checks"

    cases: tuple = field(repr=False)  #: the :class:`bmdlab.coverage.published_footprints.CaseResult` objects

    def markdown(self) -> str:
        """The table and explanations as Markdown (``docs/footprint-checks.md``)."""
        from bmdlab.coverage.published_footprints import markdown_table

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

    def load(self) -> dict[str, Any]:
        """The study's results.json."""
        return json.loads(Path(self.results).read_text(encoding="utf-8"))

    def to_frame(self) -> pd.DataFrame:
        """The claims table: each claim of the debate with bmdlab's computed verdict."""
        claims = self.load().get("claims", [])
        return _frame([{k: v for k, v in c.items() if not isinstance(v, (dict, list))} for c in claims])


__all__ = [
    "SCHEMA_VERSION",
    "AnalyticResult",
    "BudgetResult",
    "CostResult",
    "CoverageResult",
    "FootprintCheckResult",
    "FootprintResult",
    "Provenance",
    "RaidResult",
    "Result",
    "SitingResult",
    "StudyResult",
    "SweepResult",
    "TornadoResult",
    "TradeoffResult",
    "TrajectoryResult",
    "WTAResult",
    "make_provenance",
]
