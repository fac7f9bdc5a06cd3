"""The server never answers 5xx (issue #22): property-based tests of every endpoint.

Schemathesis generates requests for every operation of the app's OpenAPI document (``/api/openapi.json``),
bodies and parameters both valid and invalid; Hypothesis generates the headers and bodies a hostile page or
program could send (other origins, content types, tokens, deep or odd JSON). Every answer is below 500, and
every 4xx is ``{"detail": "one line"}``. The examples are bounded so that the module runs in seconds.

Jobs are checked but not run (the work behind a valid request is the other tests' business): the stand-in
queued in their place fails at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from bmdlab.errors import BmdlabError
from bmdlab.web.app import create_app
from bmdlab.web.options import TOKEN_HEADER

FAKE_STUDY = str(Path(__file__).with_name("fake_study.py"))
BASE = "http://127.0.0.1"
#: Examples per operation (schemathesis) and per property (hypothesis): enough to find what the issue found.
EXAMPLES = 15


def _app():
    app = create_app(workers=1, max_jobs=4, study_command=[sys.executable, FAKE_STUDY])
    jobs = app.state.server.jobs
    submit = jobs.submit

    def not_run(job):
        raise BmdlabError("fuzz: not run")

    jobs.submit = lambda kind, fn: submit(kind, not_run)  # the inputs are checked before this
    return app


def check_answer(status: int, body: bytes, content_type: str) -> None:
    """Below 500; a 4xx is ``{"detail": "one line"}`` and nothing else."""
    assert status < 500, (status, body[:300])
    if status >= 400:
        assert content_type.startswith("application/json"), (status, content_type)
        data = json.loads(body)
        assert isinstance(data, dict) and set(data) == {"detail"}, data
        detail = data["detail"]
        assert isinstance(detail, str) and detail and "\n" not in detail and "Traceback" not in detail, detail


@pytest.fixture(scope="module")
def started_app():
    """An app of its own for this module, started (its start-up run) and stopped here."""
    application = _app()
    with TestClient(application, base_url=BASE):
        yield application


def _operations(app) -> list:
    """Every operation of the document /api/openapi.json serves, called in process on ``app``."""
    loaded = schemathesis.openapi.from_dict(app.openapi())
    loaded.app = app  # as schemathesis.openapi.from_asgi does (its client's Host is not loopback)
    return [result.ok() for result in loaded.get_all_operations()]


def test_every_operation_answers_below_500_with_one_line_4xx():
    """Generated from the OpenAPI document, valid and invalid, with the page's headers (the token, JSON bodies).

    The operations' strategies are driven by Hypothesis directly, not through schemathesis's pytest plugin
    (which follows pytest's internals and broke on pytest 9.2).
    """
    app = _app()  # its own: schemathesis runs the app's start-up and shut-down around each call
    headers = {TOKEN_HEADER: app.state.server.token}
    operations = _operations(app)
    assert len(operations) >= 15, [op.label for op in operations]  # every route, not an empty document
    invalid_sent: set[str] = set()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def answers(case):
                response = case.call(headers=headers, base_url=BASE)
                content_type = response.headers.get("content-type") or [""]  # schemathesis: each header's values
                check_answer(response.status_code, response.content, content_type[0])

            try:
                answers()
            except Unsatisfiable:  # no invalid request exists (no inputs, or only free-text path segments)
                assert mode is GenerationMode.NEGATIVE, operation.label
            else:
                if mode is GenerationMode.NEGATIVE:
                    invalid_sent.add(operation.label)
    with_body = {op.label for op in operations if op.body}
    assert with_body and with_body <= invalid_sent, with_body - invalid_sent  # every body was also sent invalid


#: The paths that take a body (every POST, the job kinds included).
POST_PATHS = [
    "/api/scenario",
    "/api/scenario/yaml",
    "/api/coverage",
    "/api/raid",
    "/api/compare",
    "/api/tradeoff",
    "/api/footprint",
    "/api/cost",
    "/api/availability",
    "/api/campaign",
    "/api/raid-targets",
    *(f"/api/jobs/{k}" for k in ("coverage", "raid", "compare", "tradeoff", "study", "nope")),
]
_printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
_names = st.sampled_from(["scenario", "trials", "seed", "resolution_km", "a", "b", "yaml", "raid", "missiles"])
_fields = st.dictionaries(_names, _json | st.sampled_from(["japan-2017-thaad", True, 10, 1e2]), max_size=4)


@st.composite
def _bodies(draw) -> bytes:
    """JSON a hostile client might send: objects with real field names, anything, deep, a key twice, not JSON."""
    kind = draw(st.sampled_from(["fields", "json", "deep", "twice", "bytes"]))
    if kind == "fields":
        return json.dumps(draw(_fields)).encode()
    if kind == "json":
        return json.dumps(draw(_json)).encode()
    if kind == "deep":
        n = draw(st.integers(1, 100_000))
        return b'{"scenario": ' + b"[" * n + b"]" * draw(st.integers(0, n)) + b"}"
    if kind == "twice":
        key = draw(_names)
        return b'{"%s": 1, "%s": 2}' % (key.encode(), key.encode())
    return draw(st.binary(max_size=200))


_mixed_headers = st.fixed_dictionaries(
    {},
    optional={
        "origin": st.sampled_from([BASE, "https://evil.example", "http://127.0.0.1:1", "null"]) | _printable,
        "sec-fetch-site": st.sampled_from(["same-origin", "none", "same-site", "cross-site"]) | _printable,
        "content-type": st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
        )
        | _printable,
        TOKEN_HEADER.lower(): st.sampled_from(["right", "wrong", ""]),
    },
)


#: The page's headers (then the body decides), or any mix of them with another site's.
_headers = st.just({"content-type": "application/json", TOKEN_HEADER.lower(): "right"}) | _mixed_headers


def _cross_site(headers: dict[str, str]) -> bool:
    site = headers.get("sec-fetch-site")
    return (site is not None and site.lower() not in ("same-origin", "none")) or headers.get("origin", BASE) != BASE


@given(path=st.sampled_from(POST_PATHS), headers=_headers, body=_bodies())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_hostile_headers_and_bodies_get_below_500_and_nothing_cross_site_is_accepted(started_app, path, headers, body):
    app = started_app
    headers = dict(headers)
    if headers.get(TOKEN_HEADER.lower()) == "right":
        headers[TOKEN_HEADER.lower()] = app.state.server.token
    r = TestClient(app, base_url=BASE).post(path, content=body, headers=headers)  # (the module's app is started)
    check_answer(r.status_code, r.content, r.headers.get("content-type", ""))
    typed = headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"
    if _cross_site(headers) or not typed or headers.get(TOKEN_HEADER.lower()) != app.state.server.token:
        assert r.status_code in (403, 415), (r.status_code, r.text)
