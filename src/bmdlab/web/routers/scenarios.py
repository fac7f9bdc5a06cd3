"""Scenarios as the page edits them: a built-in one, an uploaded YAML file checked as strictly as the CLI,
and a download."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bmdlab.errors import BmdlabError
from bmdlab.scenario import Scenario, scenario_from_text
from bmdlab.web.models import ScenarioJSON, ScenarioOut, error_responses
from bmdlab.web.server import Server, server

router = APIRouter(prefix="/api", tags=["scenarios"])
State = Annotated[Server, Depends(server)]


def scenario_json(sc: Scenario) -> dict[str, Any]:
    """A scenario as the JSON the page edits (the YAML schema; no defaults left out that matter)."""
    return sc.model_dump(mode="json", exclude_none=True, exclude={"source"})


def scenario_yaml(sc: Scenario) -> str:
    """A scenario as YAML text (round-trips through :func:`bmdlab.scenario.scenario_from_text`)."""
    return yaml.safe_dump(scenario_json(sc), sort_keys=False, allow_unicode=True, width=100)


def _out(sc: Scenario) -> ScenarioOut:
    return ScenarioOut(name=sc.name, scenario=scenario_json(sc), yaml=scenario_yaml(sc))


@router.get("/scenarios/{name}", responses=error_responses(404))
def scenario(name: str, srv: State) -> ScenarioOut:
    """A built-in scenario (or trade-off option) as JSON and as YAML."""
    if name not in srv.names:
        return JSONResponse(
            {
                "detail": f"name: '{name}' is not a built-in scenario or trade-off option "  # type: ignore[return-value]
                f"({', '.join(srv.names)})"
            },
            status_code=404,
        )
    return _out(srv.scenario(name))


@router.post(
    "/scenario",
    responses=error_responses(413, 422),
    openapi_extra={
        "requestBody": {"content": {"application/x-yaml": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def upload(request: Request, srv: State) -> ScenarioOut:
    """Validate an uploaded scenario (YAML text, at most 256 KiB) with the CLI's strict checks."""
    raw = await request.body()
    if not raw.strip():
        raise BmdlabError("body: empty; send a scenario YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BmdlabError("body: not UTF-8 text; send a scenario YAML file") from None
    sc = scenario_from_text(text, srv.catalog, "upload")
    return _out(srv.scenario(scenario_json(sc), "upload"))


@router.post(
    "/scenario/yaml",
    response_class=Response,
    responses={200: {"content": {"application/x-yaml": {}}}, **error_responses(413, 422)},
)
def download_yaml(req: ScenarioJSON, srv: State) -> Response:
    """The scenario as a YAML file (a download)."""
    sc = srv.scenario(req.scenario)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in sc.name)[:80] or "scenario"
    return Response(
        scenario_yaml(sc),
        media_type="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'},
    )
