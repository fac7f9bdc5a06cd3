"""bmdlab: open, sourced, reproducible ballistic-missile-defence analysis.

>>> import bmdlab
>>> a = bmdlab.Analysis("japan-2017-aegis-ashore")   # doctest: +SKIP
>>> a.coverage(resolution_km=20).land_fraction       # doctest: +SKIP

The package is layered by pipeline stage; a later stage imports an earlier one, never the reverse
(checked by import-linter, ``.importlinter``): ``catalog``/``geo`` < ``trajectory`` < ``defense`` <
``coverage`` < ``engagement`` < ``cost`` < ``sensitivity`` < ``export`` < ``study`` < ``api`` < ``cli``.
The names below are loaded on first use, so that ``import bmdlab`` stays fast.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bmdlab")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

_API = (
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
    "SCHEMA_VERSION",
    "DEFAULT_SEED",
    "analytic",
    "compare",
    "wta",
    "windows",
    "resolve_scenario",
    "resolve_place",
    "scenario_names",
    "Overrides",
)


def __getattr__(name: str):
    if name in _API:
        from bmdlab import api  # lazy: the root package re-exports the API on first use (keeps `import bmdlab` fast)

        return getattr(api, name)
    raise AttributeError(f"module 'bmdlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = ["__version__", *_API]
