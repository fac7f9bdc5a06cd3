"""Jobs: start one, follow its progress (polling or server-sent events), fetch a study's files, cancel."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from bmdlab.errors import BmdlabError
from bmdlab.web.models import (
    CancelOut,
    CompareRequest,
    CoverageRequest,
    JobOut,
    RaidRequest,
    StudyRequest,
    TradeoffRequest,
    error_responses,
    problem,
    quoted,
)
from bmdlab.web.server import Server, server

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
State = Annotated[Server, Depends(server)]
REQUESTS: dict[str, type[BaseModel]] = {
    "coverage": CoverageRequest,
    "raid": RaidRequest,
    "compare": CompareRequest,
    "tradeoff": TradeoffRequest,
    "study": StudyRequest,
}
UNKNOWN = error_responses(404)
#: The body of POST /api/jobs/{kind}, for the OpenAPI document (the route reads it by hand: its model is the kind's).
BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"anyOf": [{"$ref": f"#/components/schemas/{m.__name__}"} for m in REQUESTS.values()]}
        }
    },
}


@router.post(
    "/{kind}",
    status_code=202,
    response_model_exclude_unset=True,
    responses=error_responses(413, 422, 429),
    openapi_extra={"requestBody": BODY},
)
async def submit(
    kind: Literal["coverage", "raid", "compare", "tradeoff", "study"], request: Request, srv: State
) -> JobOut:
    """Start a job; the body is that of POST /api/{kind} (for ``study``: ``{resolution_km}``, the Japan 2017
    study). Follow it with GET /api/jobs/{id} or the event stream /api/jobs/{id}/events."""
    try:
        body = await request.json()
    except ValueError:
        raise BmdlabError("body: not valid JSON; send a JSON object") from None
    try:
        req = REQUESTS[kind].model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    job = await run_in_threadpool(srv.submit, kind, req)  # checks inputs (may load a scenario) off the loop
    return JobOut(**job.status(with_result=False))


@router.get("/{job_id}", response_model_exclude_unset=True, responses=UNKNOWN)
def job_status(job_id: str, srv: State) -> JobOut:
    """State, progress (0-1) and, once done, the result or a one-line error."""
    job = srv.jobs.get(job_id)
    if job is None:
        return problem(404, f"job: {quoted(job_id)} is unknown (finished jobs are kept for a while)")  # type: ignore[return-value]
    return JobOut(**jsonable_encoder(job.status()))


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **UNKNOWN},
)
async def job_events(job_id: str, request: Request, srv: State):
    """Server-sent events: the job's status each time it changes, the last one with its result."""
    job = srv.jobs.get(job_id)
    if job is None:
        return problem(404, f"job: {quoted(job_id)} is unknown")
    return StreamingResponse(
        _stream(job, request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(job: Any, request: Request):
    last, quiet = None, 0.0
    while True:
        if await request.is_disconnected():
            return
        status = job.status()  # one snapshot: the result is in it exactly when its state is done
        final = status["state"] in ("done", "failed", "cancelled")
        key = (status["state"], status["progress"], status["message"])
        if key != last:
            last, quiet = key, 0.0
            data = JobOut(**jsonable_encoder(status)).model_dump_json(exclude_unset=True)  # as GET /api/jobs/{id}
            yield f"event: status\ndata: {data}\n\n"  # (pydantic writes a NaN or an infinity as null)
        elif quiet >= 15.0:  # a comment line keeps idle connections (and proxies) open
            quiet = 0.0
            yield ": ping\n\n"
        if final:
            return
        await asyncio.sleep(0.1)
        quiet += 0.1


@router.get("/{job_id}/files/{name}", response_class=FileResponse, responses=UNKNOWN)
def job_file(job_id: str, name: str, srv: State):
    """A file written by a finished study job (``report.html``, ``results.json``, figures)."""
    path = srv.study_file(job_id, name)
    if path is None:
        return problem(404, f"file: {quoted(name)} is not a file of study job {quoted(job_id)}")
    return FileResponse(path)


@router.delete("/{job_id}", responses=UNKNOWN)
def job_cancel(job_id: str, srv: State) -> CancelOut:
    """Cancel a job: a queued one never starts, a running one stops at its next progress step."""
    job = srv.jobs.cancel(job_id)
    if job is None:
        return problem(404, f"job: {quoted(job_id)} is unknown")  # type: ignore[return-value]
    return CancelOut(id=job.id, state="cancelled" if not job.done or job.state == "cancelled" else job.state)
