"""Who may change the server's state, and what a request body may be (issue #22): one test per cause.

Cross-site requests (another web site's ``Origin``, ``Sec-Fetch-Site: cross-site``, ``text/plain`` or form
bodies) and requests without the server's token are refused with 403/415; deeply nested JSON, duplicate
keys and booleans given as numbers with 422; a streamed body over the limit with 413. Every refusal is
``{"detail": "one line"}``, and none of them starts a job.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bmdlab.web.app import create_app
from bmdlab.web.options import MAX_BODY_BYTES, MAX_JSON_DEPTH, TOKEN_HEADER

FAKE_STUDY = str(Path(__file__).with_name("fake_study.py"))
BASE = "http://127.0.0.1"
JSON = {"content-type": "application/json"}
#: Every request body the API reads (a cheap, valid one each: the POST endpoints and the job kinds).
POSTS = {
    "/api/scenario": {"yaml": "name: x"},
    "/api/scenario/yaml": {"scenario": "japan-2017-thaad"},
    "/api/coverage": {"scenario": "japan-2017-thaad"},
    "/api/raid": {"scenario": "japan-2017-thaad"},
    "/api/compare": {"a": "japan-2017-thaad", "b": "japan-2017-baseline"},
    "/api/tradeoff": {},
    "/api/footprint": {"unit": "thaad-battery", "at": "35,135", "missile": "nodong", "launch": "40,125"},
    "/api/cost": {"scenario": "japan-2017-thaad"},
    **{f"/api/jobs/{k}": {"scenario": "japan-2017-thaad"} for k in ("coverage", "raid")},
    "/api/jobs/compare": {"a": "japan-2017-thaad", "b": "japan-2017-baseline"},
    "/api/jobs/tradeoff": {},
    "/api/jobs/study": {},
}


@pytest.fixture(scope="module")
def app():
    application = create_app(workers=1, max_jobs=8, study_command=[sys.executable, FAKE_STUDY])
    with TestClient(application, base_url=BASE):  # runs the app's start-up and shut-down
        yield application


@pytest.fixture(scope="module")
def client(app):
    """A client sending what the page sends: JSON bodies and the server's token."""
    with TestClient(app, base_url=BASE, headers={TOKEN_HEADER: app.state.server.token}) as c:
        yield c


@pytest.fixture
def no_job_starts(app):
    """Checks that the test's requests started no job."""
    before = len(app.state.server.jobs._jobs)
    yield
    assert len(app.state.server.jobs._jobs) == before


def _detail(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail and "Traceback" not in detail
    assert set(r.json()) == {"detail"}
    return detail


# ------------------------------------------------------------------------------ cross-site requests
@pytest.mark.parametrize("path", ["/api/jobs/study", "/api/jobs/raid", "/api/scenario"])
def test_another_web_sites_origin_is_refused(client, no_job_starts, path):
    """The issue's request: Origin https://evil.example (here with a JSON body and even the token)."""
    r = client.post(path, json=POSTS[path], headers={"Origin": "https://evil.example"})
    assert "other web sites" in _detail(r, 403)
    # a look-alike of the server's own origin (other port, scheme or host) is another origin too
    for origin in ("http://127.0.0.1:9999", "https://127.0.0.1", "http://localhost", "null", "http://127.0.0.1/x"):
        assert "origin" in _detail(client.post(path, json=POSTS[path], headers={"Origin": origin}), 403)


def test_sec_fetch_site_cross_site_is_refused(client, no_job_starts):
    for site in ("cross-site", "same-site"):
        r = client.post("/api/jobs/study", json={}, headers={"Sec-Fetch-Site": site})
        assert site in _detail(r, 403)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data", None],
)
def test_bodies_not_typed_as_json_are_refused(client, no_job_starts, content_type):
    """What a page of another site can send without a preflight (text/plain, form, multipart), or no type."""
    headers = {"content-type": content_type} if content_type else {}
    for path in ("/api/jobs/study", "/api/scenario"):
        r = client.post(path, content=b"{}", headers=headers)
        assert "application/json" in _detail(r, 415)


def test_the_issues_cross_site_request_is_refused(app, no_job_starts):
    """POST /api/jobs/study with Origin https://evil.example and text/plain, no token: 403, not 202."""
    with TestClient(app, base_url=BASE) as c:
        r = c.post(
            "/api/jobs/study",
            content=b'{"resolution_km": 20}',
            headers={"Origin": "https://evil.example", "content-type": "text/plain", "Sec-Fetch-Site": "cross-site"},
        )
        _detail(r, 403)


def test_a_missing_or_wrong_token_is_refused(app, no_job_starts):
    token = app.state.server.token
    with TestClient(app, base_url=BASE) as c:
        assert "needs its token" in _detail(c.post("/api/jobs/study", json={}), 403)
        for wrong in ("wrong", token[:-1], token + "x", token.upper() if token != token.upper() else "x"):
            r = c.post("/api/jobs/study", json={}, headers={TOKEN_HEADER: wrong})
            assert "not this server's token" in _detail(r, 403)
        assert "token" in _detail(c.delete("/api/jobs/1-00000000"), 403)  # a DELETE needs it too


def test_the_token_is_in_the_page_and_at_api_token_for_programs_only_same_origin(app, client):
    token = app.state.server.token
    page = client.get("/")
    assert f'<meta name="bmdlab-token" content="{token}">' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert f'content="{token}"' in client.get("/api/docs").text
    assert client.get("/api/token").json() == {"token": token, "header": TOKEN_HEADER}
    assert client.get("/api/token", headers={"Origin": BASE}).status_code == 200  # the page itself
    _detail(client.get("/api/token", headers={"Origin": "https://evil.example"}), 403)
    _detail(client.get("/api/token", headers={"Sec-Fetch-Site": "cross-site"}), 403)
    assert "access-control-allow-origin" not in client.get("/api/token").headers  # no CORS, ever


def test_the_pages_own_requests_and_programs_are_accepted(client):
    """The page (Origin its own, Sec-Fetch-Site same-origin) and a program (neither header) with the token."""
    body = POSTS["/api/scenario/yaml"]
    for headers in ({"Origin": BASE, "Sec-Fetch-Site": "same-origin"}, {}, {"Sec-Fetch-Site": "none"}):
        r = client.post("/api/scenario/yaml", json=body, headers=headers)
        assert r.status_code == 200, r.text
    r = client.post("/api/scenario/yaml", json=body, headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


def test_reading_needs_no_token(app):
    with TestClient(app, base_url=BASE) as c:
        for path in ("/api/health", "/api/scenarios", "/api/catalog", "/"):
            assert c.get(path).status_code == 200, path


# ------------------------------------------------------------------------------ what a body may be
@pytest.mark.parametrize("path", sorted(POSTS))
def test_deeply_nested_json_is_refused_on_every_post(client, no_job_starts, path):
    """50,000 levels of arrays (the issue's RecursionError, HTTP 500) and of objects: 422 in one line."""
    for deep in (
        b'{"scenario": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"scenario": ' + b'{"":' * 50_000 + b"1" + b"}" * 50_000 + b"}",  # 250 KB: under the size limit
        b"[" * 50_000,  # not even closed
    ):
        r = client.post(path, content=deep, headers=JSON)
        assert "nested deeper than" in _detail(r, 422)


def test_nesting_up_to_the_limit_is_read(client):
    ok = b'{"scenario": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"
    assert "nested deeper" not in _detail(client.post("/api/scenario/yaml", content=ok, headers=JSON), 422)
    strings = b'{"scenario": "' + b"[" * 50_000 + b'"}'  # brackets in a string are text, not nesting
    assert "nested deeper" not in _detail(client.post("/api/scenario/yaml", content=strings, headers=JSON), 422)


def test_a_streamed_body_over_the_limit_gets_413(client, no_job_starts):
    """20 MB sent in chunks (no Content-Length): 413, not 400; declared too large: 413 before it is read."""

    def chunks():
        for _ in range(20 * 16):
            yield b" " * 65536

    for path in ("/api/jobs/study", "/api/scenario"):
        r = client.post(path, content=chunks(), headers=JSON)
        assert "larger than 256 KiB" in _detail(r, 413)
    r = client.post("/api/jobs/raid", content=b" " * (MAX_BODY_BYTES + 1), headers=JSON)
    assert "larger than" in _detail(r, 413)


@pytest.mark.parametrize(
    "body, key",
    [
        (b'{"scenario": "japan-2017-thaad", "scenario": "japan-2017-baseline"}', "scenario"),
        (b'{"scenario": {"name": "a", "name": "b"}}', "name"),
        (b'{"scenario": "japan-2017-thaad", "trials": 10, "trials": 20}', "trials"),
    ],
)
def test_a_key_given_twice_is_refused_naming_it(client, no_job_starts, body, key):
    for path in ("/api/jobs/raid", "/api/raid"):
        assert f"'{key}' is given twice" in _detail(client.post(path, content=body, headers=JSON), 422)


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad", "trials": True}, "trials"),  # the issue's case
        ("/api/raid", {"scenario": "japan-2017-thaad", "trials": True}, "trials"),
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad", "seed": False}, "seed"),
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad", "missiles": True}, "missiles"),  # an override
        ("/api/jobs/compare", {"a": "japan-2017-thaad", "b": "japan-2017-baseline", "trials": True}, "trials"),
        ("/api/jobs/coverage", {"scenario": "japan-2017-thaad", "resolution_km": True}, "resolution_km"),
        ("/api/jobs/coverage", {"scenario": "japan-2017-thaad", "sspk": True}, "sspk"),
        ("/api/jobs/tradeoff", {"raid": True}, "raid"),
        ("/api/jobs/study", {"resolution_km": True}, "resolution_km"),
        ("/api/footprint", {**POSTS["/api/footprint"], "apogee_km": True}, "apogee_km"),
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad", "trials": 2000.0}, "trials"),  # a count is whole
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad", "trials": 1e2}, "trials"),
    ],
)
def test_booleans_are_not_numbers(client, no_job_starts, path, body, field):
    detail = _detail(client.post(path, json=body), 422)
    assert detail.startswith(field), detail


def test_other_bad_bodies_get_one_line_422(client, no_job_starts):
    for body in (
        b"",
        b"not json",
        b'{"scenario": "\xff"}',  # not UTF-8
        b'{"scenario": "\\ud800"}',  # a lone surrogate
        b'{"scenario": "japan-2017-thaad", "trials": 1' + b"0" * 5000 + b"}",  # 5001 digits
        b'{"scenario": "japan-2017-thaad", "trials": 1e999}',
        b'{"scenario": "japan-2017-thaad", "trials": NaN}',
        b"[]",
        b"null",
    ):
        _detail(client.post("/api/jobs/raid", content=body, headers=JSON), 422)
