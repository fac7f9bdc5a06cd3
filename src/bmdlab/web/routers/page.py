"""The page, the API documentation and the token (all served from the package: nothing is fetched from outside).

The page and the documentation page carry the server's token in a ``<meta name="bmdlab-token">`` tag,
which their scripts send as the ``X-Bmdlab-Token`` header of every request that changes state
(web/guard.py). Another web site cannot read them (no CORS headers are ever sent), so it cannot learn it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bmdlab.web.guard import Refused, check_same_origin
from bmdlab.web.models import TokenOut, error_responses, problem
from bmdlab.web.options import STATIC, TOKEN_HEADER
from bmdlab.web.server import Server, server

router = APIRouter(include_in_schema=False)
documented = APIRouter(prefix="/api", tags=["reference"])
State = Annotated[Server, Depends(server)]
#: The token's tag in index.html, as shipped (empty) and as served.
TOKEN_META = '<meta name="bmdlab-token" content="{}">'
#: Pages that hold the token are not kept by the browser (a new server has a new token).
NO_STORE = {"Cache-Control": "no-store"}

DOCS = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bmdlab API</title>
{token}
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


@router.get("/")
def index(srv: State) -> HTMLResponse:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html.replace(TOKEN_META.format(""), TOKEN_META.format(srv.token)), headers=NO_STORE)


@router.get("/api/docs")
def docs(srv: State) -> HTMLResponse:
    """Swagger UI (shipped in the package) over /api/openapi.json; its "Try it out" sends the token."""
    return HTMLResponse(DOCS.format(token=TOKEN_META.format(srv.token)), headers=NO_STORE)


@documented.get("/token", responses=error_responses(403))
def token(request: Request, response: Response, srv: State) -> TokenOut:
    """This server's token, for programs (``curl``, scripts): send it as the X-Bmdlab-Token header of every
    POST and DELETE. Refused to other web sites' pages (403), like every request that changes state."""
    try:
        check_same_origin(request.scope, request.headers)
    except Refused as exc:
        return problem(exc.status, exc.detail, NO_STORE)  # type: ignore[return-value]
    response.headers.update(NO_STORE)
    return TokenOut(token=srv.token, header=TOKEN_HEADER)
