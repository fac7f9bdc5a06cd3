"""Scenarios as the page edits them: a built-in one, an uploaded YAML file checked as strictly as the CLI,
and a download."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends
from fastapi.responses import Response

from bmdlab.catalog.load import MAX_YAML_DEPTH
from bmdlab.errors import BmdlabError
from bmdlab.scenario import Scenario, scenario_from_text
from bmdlab.web.guard import deeper_than
from bmdlab.web.models import ScenarioJSON, ScenarioOut, ScenarioUpload, error_responses, problem, quoted
from bmdlab.web.server import Server, server

router = APIRouter(prefix="/api", tags=["scenarios"])
State = Annotated[Server, Depends(server)]
#: Deepest nesting of YAML flow collections (``[`` and ``{``, every bracket counted) an upload may have before
#: it is parsed: LibYAML's parser recurses in C and overflows its stack some ten thousand levels down
#: (the scenario's own limit, MAX_YAML_DEPTH, is checked once the text is parsed).
YAML_FLOW_DEPTH = 1000


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
        return problem(  # type: ignore[return-value]
            404, f"name: {quoted(name)} is not a built-in scenario or trade-off option ({', '.join(srv.names)})"
        )
    return _out(srv.scenario(name))


@router.post("/scenario", responses=error_responses(413, 422))
def upload(req: ScenarioUpload, srv: State) -> ScenarioOut:
    """Validate an uploaded scenario (the YAML file's text as ``{"yaml": "..."}``, at most 256 KiB in all)
    with the CLI's strict checks."""
    if not req.yaml.strip():
        raise BmdlabError("yaml: empty; send the text of a scenario YAML file")
    if deeper_than(req.yaml.encode("utf-8", "surrogatepass"), YAML_FLOW_DEPTH, json_strings=False):
        raise BmdlabError(f"upload: nested deeper than {MAX_YAML_DEPTH} levels; flatten it")
    sc = scenario_from_text(req.yaml, srv.catalog, "upload")
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
