"""The public Python API: the :class:`Analysis` facade, its typed results, and the resolvers every
command shares (scenarios, places, overrides).

Everything here composes the stage packages (catalog, geo, trajectory, defense, assembly, coverage,
engagement, cost, sensitivity, study); the CLI (:mod:`bmdlab.cli`) and the web server
(:mod:`bmdlab.web`) only parse, call this and render.
"""

from bmdlab.api.analysis import STUDIES, Analysis, catalog_of
from bmdlab.api.results import (
    SCHEMA_VERSION,
    AnalyticResult,
    BudgetResult,
    CampaignResult,
    CompareResult,
    CostResult,
    CoverageResult,
    FootprintCheckResult,
    FootprintResult,
    Provenance,
    RaidResult,
    Result,
    SitingResult,
    StudyResult,
    SweepResult,
    TornadoResult,
    TradeoffResult,
    TrajectoryResult,
    WTAResult,
)
from bmdlab.api.standalone import analytic, compare, windows, wta
from bmdlab.assembly.overrides import Overrides
from bmdlab.coverage.incremental import CoverageCache
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.places import Place, place_keys, resolve_place
from bmdlab.scenario import check_scenario_files, resolve_scenario, scenario_names, scenario_rows

__all__ = [
    "DEFAULT_SEED",
    "SCHEMA_VERSION",
    "STUDIES",
    "Analysis",
    "AnalyticResult",
    "BudgetResult",
    "CampaignResult",
    "CompareResult",
    "CostResult",
    "CoverageCache",
    "CoverageResult",
    "FootprintCheckResult",
    "FootprintResult",
    "Overrides",
    "Place",
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
    "analytic",
    "catalog_of",
    "compare",
    "place_keys",
    "resolve_place",
    "check_scenario_files",
    "resolve_scenario",
    "scenario_names",
    "scenario_rows",
    "windows",
    "wta",
]
