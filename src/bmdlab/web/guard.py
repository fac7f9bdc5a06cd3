"""What every request passes before a route sees it (ASGI middleware): who may change the server's state,
and what a request body may be.

A request that changes state (POST, PUT, PATCH, DELETE) is refused unless it comes from the server's own
page or from a program (not from another web site), in this order:

1. ``Sec-Fetch-Site``, when the browser sends it, is ``same-origin`` or ``none`` (else 403);
2. ``Origin``, when present, is the server's own origin, ``scheme://host:port`` of the Host header it was
   addressed to (the Host check, outside this middleware, has already limited that to loopback names)
   (else 403);
3. its ``Content-Type`` is ``application/json`` (else 415; a DELETE without a body needs none): a web
   page can send other sites only ``text/plain``, form or multipart bodies without asking them first (a
   CORS preflight, which this server never grants);
4. it carries the server's token in ``X-Bmdlab-Token`` (else 403): a random value (or the one given to
   ``create_app``) that the page gets in its HTML and programs from ``GET /api/token`` (same-origin
   checked), and that another web site's page cannot read (the server sends no CORS headers). No
   cookies are used.

Every request body is read here, up to the size limit (413 beyond it, whether the length is declared or
the body is streamed in chunks), and a JSON body nested deeper than :data:`~bmdlab.web.options.MAX_JSON_DEPTH`
is refused with 422 before anything parses it (Python's parser and pydantic recurse), as is one that gives a
key twice in one object (JSON parsers keep the last; bmdlab refuses it, as in YAML files). Refusals are
``{"detail": "one line"}``, like every error of the API.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bmdlab.io import DuplicateKey, json_loads_unique
from bmdlab.web.models import problem, quoted
from bmdlab.web.options import MAX_JSON_DEPTH, STATE_CHANGING, TOKEN_HEADER

#: ``Sec-Fetch-Site`` values of requests that may change state: the page itself, or the user (typed URL, a program).
SAME_SITE_FETCH = ("same-origin", "none")

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DIGITS = re.compile(r"[0-9]+")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_GONE: Any = object()  # the client went away before its body was read


class Refused(Exception):
    """A request refused before it reaches a route: its status and one-line detail."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def deeper_than(body: bytes, limit: int, *, json_strings: bool = True) -> bool:
    """Whether ``body`` nests ``[ ]`` and ``{ }`` deeper than ``limit`` (brackets inside JSON strings left
    out when ``json_strings``; for other text, every bracket counts). Linear and without recursion."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    if json_strings:
        body = _JSON_STRING.sub(b"", body)
    brackets = np.frombuffer(body.translate(None, _NOT_BRACKETS), dtype=np.uint8)
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return bool(steps.size) and int(np.cumsum(steps).max()) > limit


def check_content(body: bytes) -> None:
    """Refuse (422) a JSON body that gives a key twice in one object (the last would silently win) or has a
    lone surrogate in its text (``"\\ud800"``: no text has one, UTF-8 cannot carry it, and the parsers after
    this would fail on it). A body that is not JSON passes: the route says what is wrong with it. (Called
    once the depth is checked: the parser recurses.)"""
    try:
        data = json_loads_unique(body)
    except DuplicateKey as exc:
        raise Refused(
            422, f"body: the key {quoted(exc.key)} is given twice in one object; give each key once"
        ) from None
    except (ValueError, RecursionError):  # not JSON (or not UTF-8): the route says so
        return
    if not _SURROGATE_ESCAPE.search(body):
        return
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(422, "body: its text has a lone surrogate (\\ud800 to \\udfff); send valid Unicode") from None


def _origin_key(origin: str) -> tuple[str, str, int | None] | None:
    """``scheme://host[:port]`` as (scheme, host, port), the default port filled in; None if it is not one."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    scheme = parts.scheme.lower()
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def own_origin(scope: Scope, headers: Headers) -> str:
    """The origin this request was addressed to: its scheme and its Host header (the server's address without one)."""
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        name = f"[{server[0]}]" if ":" in str(server[0]) else str(server[0])
        host = name if server[1] is None else f"{name}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def check_same_origin(scope: Scope, headers: Headers) -> None:
    """Refuse (403) a request another web site made: ``Sec-Fetch-Site`` other than same-origin or none, or an
    ``Origin`` other than the server's own. Programs that send neither header pass."""
    site = headers.get("sec-fetch-site")
    if site is not None and site.lower() not in SAME_SITE_FETCH:
        raise Refused(403, f"origin: a {site[:40]} request may not use this server; use the page it serves")
    origin = headers.get("origin")
    if origin is not None:
        mine = own_origin(scope, headers)
        if _origin_key(origin) is None or _origin_key(origin) != _origin_key(mine):
            raise Refused(403, f"origin: requests from other web sites are refused; use the page at {mine[:100]}/")


def check_json(headers: Headers) -> None:
    """Refuse (415) a body that is not declared as JSON."""
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        shown = f"'{media[:60]}'" if media else "none"
        raise Refused(415, f"content-type: {shown}; send the body as application/json (with the {TOKEN_HEADER} header)")


def check_token(headers: Headers, token: str) -> None:
    """Refuse (403) a request without this server's token."""
    given = headers.get(TOKEN_HEADER.lower())
    if given is None:
        raise Refused(
            403,
            f"token: a request that changes the server needs its token in the {TOKEN_HEADER} header (GET /api/token)",
        )
    if not secrets.compare_digest(given.encode("latin-1"), token.encode("latin-1")):
        raise Refused(
            403,
            f"token: {TOKEN_HEADER} is not this server's token (each start makes a new one); reload the page or GET /api/token",
        )


class RequestGuard:
    """ASGI middleware: the cross-site checks and token of state-changing requests, the body size limit and
    the JSON depth limit (see the module's documentation)."""

    def __init__(self, app: ASGIApp, token: str, limit: int, max_depth: int = MAX_JSON_DEPTH):
        self.app, self.token, self.limit, self.max_depth = app, token, limit, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        try:
            body = await self._checked_body(scope, headers, receive)
        except Refused as exc:
            return await problem(exc.status, exc.detail)(scope, receive, send)
        if body is None:  # no body announced: the route reads an empty one
            return await self.app(scope, receive, send)
        if body is not _GONE:
            await self.app(scope, _replay(body, receive), send)
        return None

    async def _checked_body(self, scope: Scope, headers: Headers, receive: Receive) -> bytes | None:
        """The request's body once every check passed (None: no body; ``_GONE``: the client went away)."""
        method = scope["method"].upper()
        changes, has_body = method in STATE_CHANGING, _has_body(headers)
        if changes:
            check_same_origin(scope, headers)
            if has_body or method != "DELETE":  # a DELETE without a body has nothing to type
                check_json(headers)
            check_token(headers, self.token)
        if not has_body:
            return None
        body = await self._read(headers, receive)
        if changes and body is not _GONE:
            if deeper_than(body, self.max_depth):
                raise Refused(422, f"body: nested deeper than {self.max_depth} levels; flatten it")
            check_content(body)
        return body

    async def _read(self, headers: Headers, receive: Receive) -> bytes:
        """The whole body, at most ``limit`` bytes (declared or counted as it streams); ``_GONE`` on a disconnect."""
        declared = headers.get("content-length")
        if declared is not None and (not _DIGITS.fullmatch(declared.strip()) or int(declared) > self.limit):
            raise self._too_large()
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _GONE
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> Refused:
        return Refused(413, f"body: larger than {self.limit // 1024} KiB; send a smaller scenario")


def _has_body(headers: Headers) -> bool:
    """Whether the request announces a body (a length other than 0, or a transfer coding such as chunked)."""
    length = headers.get("content-length")
    return (length is not None and length.strip() != "0") or "transfer-encoding" in headers


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` giving the body already read, then what the server sends next (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


__all__ = ["RequestGuard", "Refused", "check_same_origin", "deeper_than", "own_origin"]
