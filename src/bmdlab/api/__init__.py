"""The public Python API: the :class:`Analysis` facade, its typed results, and the resolvers every
command shares (scenarios, places, doctrines).

Everything here composes the stage packages (catalog, geo, trajectory, defense, coverage,
engagement, cost, sensitivity, study); the CLI (:mod:`bmdlab.cli`) only parses, calls this and renders.
"""

from bmdlab.api.analysis import STUDIES, Analysis, analytic, catalog_of, compare, wta
from bmdlab.api.checks import DEFAULT_SEED
from bmdlab.api.places import Place, place_keys, resolve_place
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
from bmdlab.cost.options import resolve_scenario, scenario_names
from bmdlab.coverage.incremental import CoverageCache

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
    "resolve_scenario",
    "scenario_names",
    "wta",
]
