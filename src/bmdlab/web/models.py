"""The web API's request and response models (the OpenAPI document at ``/api/openapi.json`` shows them).

Every analysis request takes the fields of :class:`bmdlab.assembly.overrides.Overrides` (its bounds, its
messages: the same as a scenario file, the command line, the Python API and a sweep axis), plus what
the browser app limits (:data:`bmdlab.bounds.BROWSER_TRIALS`, :data:`~bmdlab.bounds.BROWSER_RESOLUTION_KM`).
Responses are the CLI's ``--json`` (:meth:`bmdlab.api.results.Result.to_dict`): their common envelope
and headline figures are declared here, the rest is allowed through as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bmdlab import bounds
from bmdlab.assembly.overrides import Overrides
from bmdlab.bounds import BROWSER_RESOLUTION_KM, BROWSER_TRIALS
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.errors import printable

#: A scenario in a request: a built-in name or trade-off option, or a scenario as JSON (the YAML schema).
ScenarioIn = dict[str, Any] | str
SCENARIO_HELP = "a built-in scenario name (GET /api/scenarios) or a scenario as JSON (the YAML schema)"
TRIALS_HELP = f"Monte Carlo trials, 1 to {BROWSER_TRIALS.high:,.0f} in the browser app"
RESOLUTION_HELP = f"grid cell size [km], {BROWSER_RESOLUTION_KM.low:g} to {BROWSER_RESOLUTION_KM.high:g}"

# The request's own numbers, checked as every other way in checks them (bmdlab.bounds: booleans are not numbers,
# counts are written without a decimal point); the browser app's narrower limits are checked when a job is made.
Trials = Annotated[int, bounds.TRIALS.validator(), bounds.TRIALS.schema()]
PairedTrials = Annotated[int, bounds.PAIRED_TRIALS.validator(), bounds.PAIRED_TRIALS.schema()]
RunTrials = Annotated[int, bounds.RUN_TRIALS.validator(), bounds.RUN_TRIALS.schema()]
ResolutionKm = Annotated[float, bounds.RESOLUTION_KM.validator(), bounds.RESOLUTION_KM.schema()]
ApogeeKm = Annotated[float, bounds.APOGEE_KM.validator(), bounds.APOGEE_KM.schema()]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _OverridesBody(Overrides):
    """A request that takes every overridable parameter (:class:`~bmdlab.assembly.overrides.Overrides`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def overrides(self) -> Overrides:
        """This request's overrides (its other fields left out)."""
        return Overrides.of({k: getattr(self, k) for k in Overrides.model_fields})


class CoverageRequest(_OverridesBody):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)
    resolution_km: ResolutionKm = Field(10.0, description=RESOLUTION_HELP)


class RaidRequest(_OverridesBody):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)
    trials: Trials = Field(2000, description=TRIALS_HELP)
    seed: bounds.Seed = DEFAULT_SEED


class CompareRequest(_OverridesBody):
    a: ScenarioIn = Field(description="architecture A: " + SCENARIO_HELP)
    b: ScenarioIn = Field(description="architecture B (its units in A's scenario): " + SCENARIO_HELP)
    trials: PairedTrials = Field(2000, description="paired " + TRIALS_HELP + " (at least 2)")
    seed: bounds.Seed = DEFAULT_SEED


class FootprintRequest(_Body):
    unit: str = Field(description="catalog unit key, e.g. thaad-battery")
    at: str = Field(description="where the unit stands: LAT,LON, a catalog place or a city key")
    missile: str = Field(description="catalog missile key, e.g. nodong")
    launch: str = Field(description="launch area: a catalog place or LAT,LON")
    shape: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    apogee_km: ApogeeKm | None = None
    scenario: ScenarioIn = Field("japan-2017-baseline", description="whose engagement model to use")


class CostRequest(_OverridesBody):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)


class TradeoffRequest(_Body):
    raid: bounds.Missiles = Field(200, description="missiles in the raid")
    trials: RunTrials = Field(1000, description="per option: " + TRIALS_HELP)
    resolution_km: ResolutionKm = Field(20.0, description="coverage " + RESOLUTION_HELP)


class StudyRequest(_Body):
    resolution_km: ResolutionKm = Field(
        10.0, description="coverage grid of the study [km], 5 to 50 (the published study uses 5)"
    )


class ScenarioJSON(_Body):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)


class ScenarioUpload(_Body):
    yaml: str = Field(description="the text of a scenario YAML file (as `bmdlab scenario validate` reads it)")


# -- responses -------------------------------------------------------------------------------------------------
class ErrorOut(BaseModel):
    """Every error the API answers (4xx): one line naming the field and what to change."""

    detail: str = Field(description="one line: 'field: what is wrong; what to do'")


#: What each error status means, for the OpenAPI document.
ERRORS = {
    400: "the Host header is not one this server answers (it answers loopback names only)",
    403: "a request from another web site, or without this server's token (X-Bmdlab-Token)",
    404: "no such name, job or file",
    413: "the request body is larger than the server reads",
    415: "the body is not declared as JSON (Content-Type: application/json)",
    422: "a bad input: the message names the field",
    429: "too many jobs queued or running; retry after the Retry-After seconds",
}


#: Longest text of a request quoted in an error. [characters]
QUOTED_CHARS = 80


def quoted(text: str) -> str:
    """Text of a request (a name in the path) as an error shows it: quoted, on one line, shortened."""
    short = text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 3] + "..."
    return f"'{printable(short)}'"


def problem(status: int, detail: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error answer, ``{"detail": "one line"}``: control characters and lone surrogates shown escaped."""
    return JSONResponse({"detail": printable(detail) or "bad input"}, status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route or router: the given error statuses, each with :class:`ErrorOut`."""
    return {s: {"model": ErrorOut, "description": ERRORS[s]} for s in statuses}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProvenanceOut(_Open):
    bmdlab_version: str
    catalog_hash: str
    scenario: str | None = None
    scenario_hash: str | None = None
    seed: int | None = None
    options: dict[str, Any] = {}


class ResultOut(_Open):
    """Every result's envelope (the CLI's ``--json``); the analysis's own fields follow."""

    schema_version: int
    kind: str
    provenance: ProvenanceOut


class CoverageOut(ResultOut):
    land_fraction: float = Field(description="share of Japan's land defended, worst case over the threats")
    population_fraction: float = Field(description="share of Japan's people defended, worst case")
    regions: list[dict[str, Any]] = []
    layers: dict[str, Any] | None = Field(
        None, description="GeoJSON layers of the map (coverage, units, launch areas, cities)"
    )


class RaidOut(ResultOut):
    missiles: int
    trials: int
    expected_leakers: float
    expected_leakers_ci95: list[float]
    p_zero_leakers: float
    interceptors_expended_total: float


class CompareOut(ResultOut):
    a: dict[str, Any]
    b: dict[str, Any]
    difference: dict[str, Any]
    verdict: str


class CostOut(ResultOut):
    total: dict[str, Any]
    lines: list[dict[str, Any]]


class TradeoffOut(ResultOut):
    options: list[dict[str, Any]]
    frontier: list[str]


class FootprintOut(ResultOut):
    area_km2: float
    max_radius_km: float
    layers: dict[str, Any]


class ScenarioOut(BaseModel):
    name: str
    scenario: dict[str, Any] = Field(description="the scenario as JSON (the YAML schema)")
    yaml: str


class JobOut(_Open):
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(description="fraction done, 0 to 1")
    message: str = ""
    error: str | None = None
    result: dict[str, Any] | None = None


class CancelOut(BaseModel):
    id: str
    state: str


class TokenOut(BaseModel):
    token: str = Field(description="send it as the X-Bmdlab-Token header of every POST and DELETE")
    header: str = Field(description="the header's name")


class HealthOut(BaseModel):
    status: str
    version: str
    catalog_hash: str
    cache_bytes: int
    cache: dict[str, int]


class ScenarioListOut(BaseModel):
    scenarios: list[dict[str, str]]
    options: list[str]


class MissileOut(BaseModel):
    key: str
    name: str
    range_km: int = Field(description="longest range [km]: the catalog's figure, or the upper end of its span")
    range_low_km: int = Field(description="the lower end of the catalog's range span [km] (one figure: range_km)")
    flight_class: Literal["ballistic", "quasi-ballistic", "boost-glide"] = Field(
        description="how its payload flies after the boost (the catalog's flight_class): a Keplerian arc, "
        "or an atmospheric flight with lift"
    )


class CatalogOut(BaseModel):
    hash: str
    units: list[dict[str, Any]]
    missiles: list[MissileOut]
    launch_areas: list[dict[str, Any]]
    shapes: list[str]
    doctrines: list[str]
    resolutions_km: list[float]
    overrides: list[dict[str, str]] = Field(description="every overridable parameter and the values it takes")
