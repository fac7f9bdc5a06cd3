"""The analyses the page runs and waits for (each a job underneath, so a flood of requests gets 429)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from bmdlab.api import Analysis
from bmdlab.web.models import (
    CompareOut,
    CompareRequest,
    CostOut,
    CostRequest,
    CoverageOut,
    CoverageRequest,
    FootprintOut,
    FootprintRequest,
    RaidOut,
    RaidRequest,
    TradeoffOut,
    TradeoffRequest,
    error_responses,
)
from bmdlab.web.server import Server, server

router = APIRouter(prefix="/api", tags=["analyses"], responses=error_responses(413, 422))
QUEUED = error_responses(429)  # the analyses that run as jobs
State = Annotated[Server, Depends(server)]


@router.post("/coverage", response_model=CoverageOut, responses=QUEUED)
def coverage(req: CoverageRequest, srv: State) -> dict:
    """National coverage (the CLI's `coverage --json`) plus GeoJSON layers for a map."""
    return srv.run_sync("coverage", req)


@router.post("/raid", response_model=RaidOut, responses=QUEUED)
def raid(req: RaidRequest, srv: State) -> dict:
    """Monte Carlo of the scenario's raid (the CLI's `raid --json`)."""
    return srv.run_sync("raid", req)


@router.post("/compare", response_model=CompareOut, responses=QUEUED)
def compare(req: CompareRequest, srv: State) -> dict:
    """B against A: the same raid and seed, and the paired difference in leakers with its 95 % CI."""
    return srv.run_sync("compare", req)


@router.post("/tradeoff", response_model=TradeoffOut, responses=QUEUED)
def tradeoff(req: TradeoffRequest, srv: State) -> dict:
    """Cost against effectiveness of the built-in trade-off options (the CLI's `tradeoff --json`)."""
    return srv.run_sync("tradeoff", req)


@router.post("/footprint", response_model=FootprintOut, responses=QUEUED)
def footprint(req: FootprintRequest, srv: State) -> dict:
    """The defended footprint of one unit against one threat (the CLI's `footprint --json`) and its GeoJSON."""
    return srv.run_sync("footprint", req)


@router.post("/cost", response_model=CostOut)
def cost(req: CostRequest, srv: State) -> dict:
    """Life-cycle cost of the architecture (the CLI's `cost --json`)."""
    return Analysis(srv.scenario(req.scenario), catalog=srv.catalog, overrides=req.overrides()).cost().to_dict()
