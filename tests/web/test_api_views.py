"""The routes of the page's extra views (bmdlab.web.routers.views): POST /api/availability, /api/campaign and
/api/raid-targets, through FastAPI's test client.

Expected values come from the public Python API (``bmdlab.Analysis``), from the raid's own expansion of its
salvos (``bmdlab.engagement.raid.expand_salvos``) or from a hand count; never from the route under test.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx versions
    from fastapi.testclient import TestClient

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.engagement.raid import expand_salvos
from bmdlab.scenario import load_scenario
from bmdlab.web.app import create_app
from bmdlab.web.options import TOKEN_HEADER

CAT = builtin_catalog()
BASE = "japan-2017-baseline"
RES = 40.0  # km: quick
ROUTES = ("/api/availability", "/api/campaign", "/api/raid-targets")
GOOD = {
    "/api/availability": {"scenario": BASE, "resolution_km": RES, "samples": 200},
    "/api/campaign": {"scenario": BASE, "waves": 2, "every_h": 6, "missiles": 30, "trials": 200},
    "/api/raid-targets": {"scenario": BASE},
}


@pytest.fixture(scope="module")
def client():
    app = create_app(workers=2, max_jobs=8)
    with TestClient(app, base_url="http://127.0.0.1", headers={TOKEN_HEADER: app.state.server.token}) as c:
        yield c


def _one_line_4xx(r, status: int | None = None) -> str:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    if status is not None:
        assert r.status_code == status, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail and "Traceback" not in detail, detail
    return detail


def _scenario_json(name: str = BASE) -> dict:
    return load_scenario(name, CAT).model_dump(mode="json", exclude_none=True)


# ------------------------------------------------------------------------------------------------ good requests
def test_availability_is_the_python_apis_coverage_over_availability(client):
    r = client.post("/api/availability", json=GOOD["/api/availability"])
    assert r.status_code == 200, r.text
    got = r.json()
    want = bmdlab.Analysis(BASE, catalog=CAT).coverage(RES, availability_samples=200)
    assert got["availability"] == want.availability.to_dict()
    assert got["population_fraction"] == want.population_fraction
    assert got["land_fraction"] == want.land_fraction
    av = got["availability"]
    # the baseline's 18 units: the 4 Kongo-class hulls rotate (3 of 8 days on station), PAC-3 units 85 %
    assert len(av["availability"]) == 18
    assert av["population_fraction"]["p05"] <= av["population_fraction"]["expected"]
    assert av["population_fraction"]["expected"] <= av["population_fraction"]["all_on_station"]


def test_campaign_is_the_python_apis_campaign(client):
    body = GOOD["/api/campaign"]
    r = client.post("/api/campaign", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    want = bmdlab.Analysis(BASE, catalog=CAT).campaign(2, 6.0, 30, trials=200).to_dict()
    for key in ("waves", "run_out_h", "total_expected_leakers", "total_expected_leakers_ci95", "total_missiles"):
        assert got[key] == want[key], key
    assert [w["missiles"] for w in got["waves"]] == [30, 30] and [w["at_h"] for w in got["waves"]] == [0.0, 6.0]


def test_raid_targets_are_where_the_raid_fires_its_missiles(client):
    r = client.post("/api/raid-targets", json=GOOD["/api/raid-targets"])
    assert r.status_code == 200, r.text
    got = r.json()
    setup = bmdlab.Analysis(BASE, catalog=CAT).setup
    raid = setup.require_raid()
    threats = expand_salvos(raid.salvos, raid.assets, CAT)
    by_asset = Counter(raid.assets[t.asset].name for t in threats)
    assert {t["name"]: t["missiles"] for t in got["targets"]} == dict(by_asset)
    assert got["missiles"] == len(threats) == 200
    counts = [t["missiles"] for t in got["targets"]]
    assert counts == sorted(counts, reverse=True)
    # each salvo: its launch area, and its missiles per asset as the raid fires them
    start = 0
    for s, spec in zip(got["salvos"], raid.salvos, strict=True):
        mine = threats[start : start + spec["count"]]
        start += spec["count"]
        assert {a["name"]: a["missiles"] for a in s["aims"]} == dict(Counter(raid.assets[t.asset].name for t in mine))
        place = CAT.place(spec["launch_area"])
        assert (s["launch_lat"], s["launch_lon"]) == (place.lat.nominal, place.lon.nominal)
        assert s["count"] == spec["count"] and s["missile"] == spec["missile"]


def test_raid_targets_follow_a_salvos_aim(client):
    """Five missiles aimed at Tokyo and Osaka go round-robin: 3 to Tokyo, 2 to Osaka (counted by hand)."""
    sc = _scenario_json()
    sc["name"] = "aimed"
    sc["raid"] = {"salvos": [{"count": 5, "missile": "nodong", "launch_area": "sinpo", "aim": ["Tokyo", "Osaka"]}]}
    r = client.post("/api/raid-targets", json={"scenario": sc})
    assert r.status_code == 200, r.text
    got = r.json()
    assert [(t["name"], t["missiles"]) for t in got["targets"]] == [("Tokyo", 3), ("Osaka", 2)]
    assert got["salvos"][0]["launch_name"] == CAT.place("sinpo").name


# ------------------------------------------------------------------------------------------------ bad requests
BAD = [
    ("/api/availability", {"scenario": BASE, "samples": 0}, "samples"),
    ("/api/availability", {"scenario": BASE, "samples": 50_000}, "samples"),
    ("/api/availability", {"scenario": BASE, "samples": 2.5}, "samples"),
    ("/api/availability", {"scenario": BASE, "resolution_km": 1}, "resolution_km"),
    ("/api/availability", {"scenario": "nope"}, "scenario"),
    ("/api/availability", {"scenario": BASE, "sspk": 2}, "sspk"),
    ("/api/campaign", {"scenario": BASE, "waves": -1, "every_h": 6, "missiles": 50}, "waves"),
    ("/api/campaign", {"scenario": BASE, "waves": 3}, "waves"),
    ("/api/campaign", {"scenario": BASE}, "campaign"),
    ("/api/campaign", {"scenario": BASE, "waves": 2, "every_h": 0, "missiles": 5}, "every_h"),
    ("/api/campaign", {"scenario": BASE, "waves": 2, "every_h": 6, "missiles": -5}, "missiles"),
    ("/api/campaign", {"scenario": BASE, "waves": 2, "every_h": 6, "missiles": 5, "trials": 1}, "trials"),
    ("/api/campaign", {"scenario": BASE, "waves": 2, "every_h": 6, "missiles": 5, "trials": 300_000}, "trials"),
    ("/api/campaign", {"scenario": BASE, "waves": True, "every_h": 6, "missiles": 5}, "waves"),
    ("/api/raid-targets", {"scenario": "nope"}, "scenario"),
    ("/api/raid-targets", {"scenario": BASE, "extra": 1}, "extra"),
    ("/api/raid-targets", {}, "scenario"),
]


@pytest.mark.parametrize("path, body, word", BAD, ids=[f"{p} {i}" for i, (p, *_) in enumerate(BAD)])
def test_bad_input_is_a_one_line_422_naming_the_field(client, path, body, word):
    detail = _one_line_4xx(client.post(path, json=body), 422)
    assert word in detail, detail


def test_a_scenario_without_a_raid_has_no_targets(client):
    sc = _scenario_json()
    sc.pop("raid", None)
    sc.pop("campaign", None)
    detail = _one_line_4xx(client.post("/api/raid-targets", json={"scenario": sc}), 422)
    assert "no raid" in detail, detail


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"scenario": {"name": 3}}', b'{"scenario": null}'])
def test_no_body_makes_a_5xx(client, path, body):
    r = client.post(path, content=body, headers={"Content-Type": "application/json"})
    _one_line_4xx(r)


# ------------------------------------------------------------------------------------------------ other sites
@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}, {TOKEN_HEADER: "not-the-token"}],
    ids=["sec-fetch-site", "origin", "token"],
)
def test_a_request_from_another_site_is_refused(client, path, headers):
    detail = _one_line_4xx(client.post(path, json=GOOD[path], headers=headers), 403)
    assert detail


@pytest.mark.parametrize("path", ROUTES)
def test_a_form_post_is_refused(client, path):
    """A page of another site can send a form or text/plain body without asking: refused (415)."""
    _one_line_4xx(
        client.post(path, content=b"scenario=japan-2017-baseline", headers={"Content-Type": "text/plain"}), 415
    )


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ROUTES:
        assert "post" in paths[p], p


def test_the_views_load_nothing_from_outside(client):
    """panels.js and panels.css are served by the server and fetch only from it (no CDN, no library)."""
    for name in ("panels.js", "panels.css"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200, name
        assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", r.text), name
        assert not re.search(r"""(fetch|import)\s*\(\s*["'`]https?://""", r.text), name
    assert "/static/panels.js" in client.get("/").text
