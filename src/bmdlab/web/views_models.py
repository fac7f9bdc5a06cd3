"""Request models of the page's extra views (:mod:`bmdlab.web.routers.views`): availability, campaign, raid targets.

Each takes the scenario as every analysis request does (a built-in name or a scenario as JSON) and checks its own
numbers through :mod:`bmdlab.bounds` (the same bounds and messages as the CLI and the Python API); the browser
app's narrower limits (:data:`BROWSER_SAMPLES`, :data:`~bmdlab.bounds.BROWSER_TRIALS`) are checked by the route.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from bmdlab import bounds
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.web.models import (
    RESOLUTION_HELP,
    SCENARIO_HELP,
    ResolutionKm,
    ResultOut,
    ScenarioIn,
    _Body,
    _OverridesBody,
)

#: Availability samples the browser app draws at most (each sample is one pass over the grid's cells).
BROWSER_SAMPLES = bounds.Bound(1, 20_000, integer=True, why="keeps a browser request interactive")

Samples = Annotated[int, bounds.AVAILABILITY_SAMPLES.validator(), bounds.AVAILABILITY_SAMPLES.schema()]
Waves = Annotated[int, bounds.WAVES.validator(), bounds.WAVES.schema()]
EveryH = Annotated[float, bounds.EVERY_H.validator(), bounds.EVERY_H.schema()]
CampaignTrials = Annotated[int, bounds.CAMPAIGN_TRIALS.validator(), bounds.CAMPAIGN_TRIALS.schema()]


class AvailabilityRequest(_OverridesBody):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)
    resolution_km: ResolutionKm = Field(20.0, description=RESOLUTION_HELP)
    samples: Samples = Field(
        500, description=f"random draws of the units on station, 1 to {BROWSER_SAMPLES.high:,.0f} in the browser app"
    )


class CampaignRequest(_OverridesBody):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)
    waves: Waves | None = Field(None, description="salvos (waves) fired; with every_h and missiles, or none of them")
    every_h: EveryH | None = Field(None, description="hours between two waves [h]")
    missiles: bounds.Missiles | None = Field(None, description="missiles per wave (the scenario's raid, scaled)")
    trials: CampaignTrials = Field(
        1000, description=f"Monte Carlo trials, 2 to {bounds.BROWSER_TRIALS.high:,.0f} in the browser app"
    )
    seed: bounds.Seed = DEFAULT_SEED


class RaidTargetsRequest(_Body):
    scenario: ScenarioIn = Field(description=SCENARIO_HELP)


# -- responses -------------------------------------------------------------------------------------------------
class AvailabilityOut(ResultOut):
    """The coverage's ``--json`` with its ``availability`` block (the shares over units off station)."""

    land_fraction: float = Field(description="share of Japan's land defended with every unit on station")
    population_fraction: float = Field(description="share of Japan's people defended with every unit on station")
    availability: dict[str, Any] = Field(description="the shares over random availability, and each unit's")
    units: list[dict[str, Any]] = []


class CampaignOut(ResultOut):
    """The CLI's ``campaign --json``: per wave, leakers and the rounds left; when each interceptor type runs out."""

    waves: list[dict[str, Any]]
    run_out_h: dict[str, Any]
    total_expected_leakers: float
    total_missiles: int


class AimOut(BaseModel):
    name: str
    lat: float
    lon: float
    value: float = Field(description="the asset's value (a city's: its population)")
    missiles: int = Field(description="missiles aimed at it")


class SalvoOut(BaseModel):
    index: int
    missile: str
    missile_name: str
    launch_area: str
    launch_name: str
    launch_lat: float
    launch_lon: float
    count: int
    aims: list[AimOut] = Field(description="the assets it aims at (round-robin, most valuable first)")


class RaidTargetsOut(BaseModel):
    scenario: str
    missiles: int = Field(description="missiles over all salvos")
    salvos: list[SalvoOut]
    targets: list[AimOut] = Field(description="every asset aimed at, with the missiles of all salvos, most first")


__all__ = [
    "BROWSER_SAMPLES",
    "AimOut",
    "AvailabilityOut",
    "AvailabilityRequest",
    "CampaignOut",
    "CampaignRequest",
    "RaidTargetsOut",
    "RaidTargetsRequest",
    "SalvoOut",
]
