"""The JSON API of ``bmdlab serve`` (bmdlab.web.app), through FastAPI's test client.

Expected values come from the public Python API called directly (the CLI's --json is the same
``to_dict``), from the shipped files, or from the grid's own sums; never from the endpoint under test.
"""

import json
import re
import runpy
import sys
import time
import warnings
from pathlib import Path

import pytest

from conftest import time_limit

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx versions
    from fastapi.testclient import TestClient

import bmdlab
from bmdlab import bounds
from bmdlab.assembly.overrides import Overrides
from bmdlab.catalog import builtin_catalog
from bmdlab.geo.grid import land_grid
from bmdlab.scenario import load_scenario, scenario_from_text
from bmdlab.web.app import create_app
from bmdlab.web.jobs import Job
from bmdlab.web.models import StudyRequest
from bmdlab.web.options import TOKEN_HEADER
from bmdlab.web.server import Server

CAT = builtin_catalog()
RES = 20.0


def _client(app, base_url="http://127.0.0.1"):
    """A test client sending what the page sends: the server's token (``json=`` bodies are typed as JSON)."""
    return TestClient(app, base_url=base_url, headers={TOKEN_HEADER: app.state.server.token})


@pytest.fixture(scope="module")
def client():
    with _client(create_app(workers=2, max_jobs=8)) as c:
        yield c


def _wait(client, job_id, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = client.get(f"/api/jobs/{job_id}").json()
        if s["state"] in ("done", "failed", "cancelled"):
            return s
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def _one_line_4xx(r, status=None):
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    if status is not None:
        assert r.status_code == status, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail and "Traceback" not in detail
    return detail


# ------------------------------------------------------------------------------- reference data
def test_health_and_scenarios(client):
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["catalog_hash"] == CAT.hash and h["version"] == bmdlab.__version__
    names = [s["name"] for s in client.get("/api/scenarios").json()["scenarios"]]
    assert names[0] == "japan-2017-baseline"
    assert set(names) == {
        "japan-2017-baseline",
        "japan-2017-aegis-ashore",
        "japan-2017-thaad",
        "japan-2017-nodong-scud-er",
        "japan-2028",
        "japan-2028-aegis-ashore",
    }


def test_a_scenario_round_trips_through_json_and_yaml(client):
    for name in ("japan-2017-thaad", "aegis-ashore-48"):
        got = client.get(f"/api/scenarios/{name}").json()
        ref = bmdlab.resolve_scenario(name, CAT)
        assert scenario_from_text(got["yaml"], CAT).hash == ref.hash
        from bmdlab.scenario import scenario_from_data

        assert scenario_from_data(got["scenario"], CAT, "x").hash == ref.hash
        r = client.post("/api/scenario/yaml", json={"scenario": got["scenario"]})
        assert r.status_code == 200 and r.headers["content-disposition"] == f'attachment; filename="{ref.name}.yaml"'
        assert scenario_from_text(r.text, CAT).hash == ref.hash


def test_upload_validates_with_the_cli_rules(client):
    text = load_scenario("japan-2017-aegis-ashore", CAT).model_dump_json()  # JSON is YAML
    r = client.post("/api/scenario", json={"yaml": text})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "japan-2017-aegis-ashore"


def test_catalog_lists_every_unit_and_launch_area(client):
    c = client.get("/api/catalog").json()
    assert {u["key"] for u in c["units"]} == set(CAT.units)
    assert {a["key"] for a in c["launch_areas"]} == set(CAT.places_of("launch-area"))
    assert c["shapes"] == ["minimum-energy", "lofted", "depressed"]


def test_catalog_lists_the_overridable_parameters(client):
    rows = client.get("/api/catalog").json()["overrides"]
    assert [r["name"] for r in rows] == list(Overrides.model_fields)
    assert all(r["values"] and r["description"] for r in rows)
    by_name = {r["name"]: r for r in rows}
    cm = bounds.COMMON_MODE  # the values shown are the bounds every way in checks
    assert by_name["common_mode"]["values"] == f"number in [{cm.low:g}, {cm.high:g}]"
    assert by_name["doctrine"]["values"] == " | ".join(bounds.RAID_DOCTRINES)
    assert by_name["capacity"]["values"] == "on | off"


@pytest.mark.parametrize(
    "layer, name",
    [("outline", "japan_outline"), ("prefectures", "japan_prefectures"), ("region-context", "region_context")],
)
def test_geo_layers_are_the_shipped_files(client, layer, name):
    from importlib import resources

    r = client.get(f"/api/geo/{layer}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert r.content == (resources.files("bmdlab") / "geo" / "data" / f"{name}.geojson").read_bytes()


# ------------------------------------------------------------------------------------ analyses
@pytest.mark.slow
def test_coverage_is_the_cli_json_plus_map_layers(client):
    r = client.post("/api/coverage", json={"scenario": "japan-2017-baseline", "resolution_km": RES})
    assert r.status_code == 200, r.text
    got = r.json()
    ref = bmdlab.Analysis("japan-2017-baseline").coverage(RES).to_dict()
    for key in (
        "kind",
        "schema_version",
        "land_fraction",
        "population_fraction",
        "regions",
        "categories",
        "cities",
        "units",
        "per_threat",
    ):
        assert got[key] == ref[key], key
    assert got["provenance"]["scenario_hash"] == ref["provenance"]["scenario_hash"]
    # the classes partition Japan's land: their areas add up to the grid's (independent sum)
    feats = got["layers"]["coverage"]["features"]
    assert sum(f["properties"]["land_km2"] for f in feats) == pytest.approx(
        land_grid(RES).area_m2.sum() / 1e6, rel=1e-6
    )
    assert {f["properties"]["shot_class"] for f in feats} <= {-1, 0, 1, 2, 3}
    units = got["layers"]["units"]["features"]
    assert [u["properties"]["unit"] for u in units] == [
        u.unit for u in load_scenario("japan-2017-baseline", CAT).architecture.units
    ]


@pytest.mark.slow
def test_moving_a_unit_is_computed_like_the_api_would(client):
    sc = client.get("/api/scenarios/japan-2017-aegis-ashore").json()["scenario"]
    site = next(i for i, u in enumerate(sc["architecture"]["units"]) if u["unit"] == "aegis-ashore")
    sc["architecture"]["units"][site]["at"] = {"lat": 31.6, "lon": 130.55}  # the first site to Kagoshima
    got = client.post("/api/coverage", json={"scenario": sc, "resolution_km": RES}).json()
    from bmdlab.scenario import scenario_from_data

    ref = bmdlab.Analysis(scenario_from_data(sc, CAT, "x")).coverage(RES)
    assert got["land_fraction"] == ref.to_dict()["land_fraction"]
    assert got["population_fraction"] == ref.to_dict()["population_fraction"]
    before = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(RES).to_dict()
    assert got["land_fraction"] != before["land_fraction"]  # the move changed the map


def test_raid_job_reports_progress_and_matches_the_api(client):
    r = client.post("/api/jobs/raid", json={"scenario": "japan-2017-thaad", "trials": 20_000, "seed": 7})
    assert r.status_code == 202 and r.json()["state"] in ("queued", "running")
    seen = []
    end = time.monotonic() + 120
    while time.monotonic() < end:
        s = client.get(f"/api/jobs/{r.json()['id']}").json()
        seen.append(s["progress"])
        if s["state"] == "done":
            break
        time.sleep(0.02)
    assert s["state"] == "done" and s["progress"] == 1.0
    assert seen == sorted(seen)  # progress only goes up
    ref = bmdlab.Analysis("japan-2017-thaad", seed=7).raid(trials=20_000).to_dict()
    for key in (
        "expected_leakers",
        "expected_leakers_ci95",
        "p_zero_leakers",
        "interceptors_expended_total",
        "interceptor_cost_expended",
    ):
        assert s["result"][key] == ref[key], key


def test_correlated_failures_reach_the_raid_and_the_comparison(client):
    got = client.post("/api/raid", json={"scenario": "japan-2017-thaad", "trials": 500, "common_mode": 0.3}).json()
    ref = bmdlab.Analysis("japan-2017-thaad").raid(trials=500, common_mode=0.3).to_dict()
    assert got["expected_leakers"] == ref["expected_leakers"] and set(got["common_mode"].values()) == {0.3}
    cmp = client.post(
        "/api/compare", json={"a": "japan-2017-baseline", "b": "thaad", "trials": 200, "common_mode": 0.3}
    ).json()
    assert set(cmp["a"]["common_mode"].values()) == {0.3} and set(cmp["b"]["common_mode"].values()) == {0.3}


def test_compare_is_paired_and_its_verdict_follows_the_interval(client):
    got = client.post(
        "/api/compare", json={"a": "japan-2017-baseline", "b": "japan-2017-aegis-ashore", "trials": 400}
    ).json()
    a = bmdlab.Analysis("japan-2017-baseline").raid(trials=400).to_dict()
    assert got["a"]["expected_leakers"] == a["expected_leakers"]
    d = got["difference"]
    assert d["expected_leakers"] == pytest.approx(got["b"]["expected_leakers"] - got["a"]["expected_leakers"], abs=1e-3)
    lo, hi = d["ci95"]
    assert lo < d["expected_leakers"] < hi
    word = "fewer" if hi < 0 else "more" if lo > 0 else "No difference"
    assert word in got["verdict"]
    same = client.post("/api/compare", json={"a": "japan-2017-baseline", "b": "baseline", "trials": 50}).json()
    assert same["difference"] == {**same["difference"], "expected_leakers": 0.0, "ci95": [0.0, 0.0]}
    assert "identical" in same["verdict"] and "resolved" not in same["verdict"]


def test_cost_and_footprint_are_the_cli_json(client):
    got = client.post("/api/cost", json={"scenario": "japan-2017-thaad", "years": 10}).json()
    assert got["total"] == bmdlab.Analysis("japan-2017-thaad").cost(years=10).to_dict()["total"]
    body = {"unit": "thaad-battery", "at": "36.0,137.0", "missile": "nodong", "launch": "wonsan"}
    got = client.post("/api/footprint", json=body).json()
    ref = bmdlab.Analysis().footprint("thaad-battery", "36.0,137.0", "nodong", "wonsan").to_dict()
    assert got["area_km2"] == ref["area_km2"]
    assert got["layers"]["footprint"]["type"] == "FeatureCollection"


# ------------------------------------------------------------------------- overrides (issue #21)
ANALYSIS_REQUESTS = ("CoverageRequest", "RaidRequest", "CompareRequest", "CostRequest")


def test_every_analysis_request_takes_every_override(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name in ANALYSIS_REQUESTS:
        missing = set(Overrides.model_fields) - set(schemas[name]["properties"])
        assert not missing, (name, missing)


@pytest.mark.parametrize("override", [{"availability": 0.8}, {"fire_channels_scale": 2}, {"sspk": 0.5, "decoys": 1}])
def test_raid_overrides_reach_the_run_as_in_the_api(client, override):
    r = client.post("/api/raid", json={"scenario": "japan-2017-thaad", "trials": 300, **override})
    assert r.status_code == 200, r.text
    got = r.json()
    ref = bmdlab.Analysis("japan-2017-thaad").raid(trials=300, **override).to_dict()
    base = bmdlab.Analysis("japan-2017-thaad").raid(trials=300).to_dict()
    assert got["expected_leakers"] == ref["expected_leakers"] != base["expected_leakers"]
    for name, value in override.items():
        assert got["provenance"]["options"][name] == value, name


def test_overrides_reach_the_comparison_and_the_cost(client):
    got = client.post(
        "/api/compare", json={"a": "japan-2017-baseline", "b": "thaad", "trials": 200, "availability": 0.7}
    ).json()
    ref = bmdlab.compare("japan-2017-baseline", "thaad", trials=200, availability=0.7).to_dict()
    assert got["difference"] == ref["difference"] and got["a"]["expected_leakers"] == ref["a"]["expected_leakers"]
    got = client.post("/api/cost", json={"scenario": "japan-2017-thaad", "cost_scale": 2, "price_year": 2015}).json()
    ref = bmdlab.Analysis("japan-2017-thaad").cost(cost_scale=2, price_year=2015).to_dict()
    assert got["total"] == ref["total"] and got["price_year"] == 2015


@pytest.mark.slow
def test_an_engagement_override_reaches_the_coverage(client):
    body = {"scenario": "japan-2017-thaad", "resolution_km": 50, "rcs_scale": 0.01, "limits": "none"}
    got = client.post("/api/coverage", json=body).json()
    ref = bmdlab.Analysis("japan-2017-thaad").coverage(50, rcs_scale=0.01, limits="none").to_dict()
    assert got["land_fraction"] == ref["land_fraction"] and got["per_threat"] == ref["per_threat"]
    assert got["provenance"]["options"]["limits"] == [] and got["provenance"]["options"]["rcs_scale"] == 0.01


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/raid", {"scenario": "japan-2017-thaad"}),
        ("/api/jobs/raid", {"scenario": "japan-2017-thaad"}),
        ("/api/compare", {"a": "japan-2017-baseline", "b": "thaad"}),
        ("/api/coverage", {"scenario": "japan-2017-thaad"}),
        ("/api/cost", {"scenario": "japan-2017-thaad"}),
    ],
)
@pytest.mark.parametrize(
    "override, word",
    [
        ({"common_mode": 0.995}, "common_mode: 0.995 must be a number from 0 to 0.99"),
        ({"common_mode": True}, "common_mode: true is not a number"),
        ({"availability": 1.5}, "availability: 1.5 must be a number from 0 to 1"),
        ({"fire_channels_scale": 0}, "fire_channels_scale: 0 must be"),
        ({"doctrine": "spray"}, "doctrine"),
        ({"limits": "crossing,warp"}, "limits"),
        ({"availability_samples": 3}, "availability_samples: unknown field"),
    ],
)
def test_a_bad_override_is_a_one_line_422_naming_it(client, path, body, override, word):
    detail = _one_line_4xx(client.post(path, json={**body, **override}), 422)
    assert detail.startswith(word), detail


# ------------------------------------------------------------------------------------ openapi
def _response_schema(spec, path, method, status):
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    assert set(schema) == {"$ref"}, (path, status, schema)  # a named component, not an inline or empty schema
    return spec["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]


@pytest.mark.parametrize(
    "path, method, ok, fields, errors",
    [
        ("/api/raid", "post", "200", {"expected_leakers", "expected_leakers_ci95", "p_zero_leakers"}, ("422", "429")),
        ("/api/coverage", "post", "200", {"land_fraction", "population_fraction", "layers"}, ("422", "429")),
        ("/api/jobs/{job_id}", "get", "200", {"id", "state", "progress", "message", "result"}, ("404",)),
        ("/api/jobs/{kind}", "post", "202", {"id", "state", "progress"}, ("422", "429")),
    ],
)
def test_openapi_declares_the_response_schemas(client, path, method, ok, fields, errors):
    spec = client.get("/api/openapi.json").json()
    schema = _response_schema(spec, path, method, ok)
    assert schema["type"] == "object" and fields <= set(schema["properties"]), schema
    for status in errors:  # errors are documented as they are answered: {"detail": "one line"}
        err = _response_schema(spec, path, method, status)
        assert set(err["properties"]) == {"detail"} and err["properties"]["detail"]["type"] == "string"


# ----------------------------------------------------------------------------------- bad input
BAD = [
    ("get", "/api/scenarios/nope", None, 404, "nope"),
    ("get", "/api/geo/world", None, 404, "layer"),
    ("get", "/api/jobs/123-abc", None, 404, "job"),
    ("delete", "/api/jobs/123-abc", None, 404, "job"),
    ("post", "/api/coverage", {"scenario": "/etc/passwd"}, 422, "scenario"),
    ("post", "/api/coverage", {"scenario": "japan-2017-baseline", "resolution_km": 2}, 422, "resolution_km"),
    ("post", "/api/coverage", {"scenario": "japan-2017-baseline", "resolution_km": "ten"}, 422, "resolution_km"),
    ("post", "/api/coverage", {"scenario": {"name": "x"}}, 422, "architecture"),
    (
        "post",
        "/api/coverage",
        {
            "scenario": {
                "name": "x",
                "architecture": {"units": [{"unit": "thaad-battery", "at": {"lat": 38.0, "lon": 134.0}}]},
                "threat": {"missiles": ["nodong"]},
            }
        },
        422,
        "sea",
    ),
    (
        "post",
        "/api/coverage",
        {"scenario": {"name": "x", "architecture": {"units": []}, "threat": {"missiles": ["nodong"]}}},
        422,
        "units",
    ),
    (
        "post",
        "/api/coverage",
        {
            "scenario": {
                "name": "x",
                "architecture": {"units": [{"unit": "patriot", "at": "tokyo"}]},
                "threat": {"missiles": ["nodong"]},
            }
        },
        422,
        "unit",
    ),
    ("post", "/api/coverage", {"scenario": "japan-2017-baseline", "extra": 1}, 422, "extra"),
    ("post", "/api/coverage", [], 422, "body"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "trials": 0}, 422, "trials"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "trials": bounds.BROWSER_TRIALS.high + 1}, 422, "trials"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "missiles": -5}, 422, "missiles"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "doctrine": "spray"}, 422, "doctrine"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "seed": -1}, 422, "seed"),
    ("post", "/api/raid", {"scenario": "japan-2017-baseline", "common_mode": 1.5}, 422, "common_mode"),
    ("post", "/api/compare", {"a": "japan-2017-baseline", "b": "thaad", "common_mode": -0.1}, 422, "common_mode"),
    ("post", "/api/compare", {"a": "japan-2017-baseline", "b": "nope"}, 422, "b"),
    ("post", "/api/compare", {"a": "japan-2017-baseline", "b": "thaad", "trials": 1}, 422, "trials"),
    ("post", "/api/cost", {"scenario": "japan-2017-baseline", "years": -1}, 422, "years"),
    (
        "post",
        "/api/footprint",
        {"unit": "thaad-battery", "at": "nowhere", "missile": "nodong", "launch": "wonsan"},
        422,
        "at",
    ),
    (
        "post",
        "/api/footprint",
        {"unit": "thaad-battery", "at": "tokyo", "missile": "v2", "launch": "wonsan"},
        422,
        "missile",
    ),
    ("post", "/api/tradeoff", {"raid": 200, "trials": 10, "resolution_km": 1}, 422, "resolution_km"),
    ("post", "/api/tradeoff", {"raid": -3}, 422, "raid"),
    ("post", "/api/jobs/coverage", {"scenario": "nope"}, 422, "scenario"),
    ("post", "/api/jobs/launch", {"scenario": "japan-2017-baseline"}, 422, "kind"),
    ("post", "/api/scenario/yaml", {"scenario": "nope"}, 422, "scenario"),
]


@pytest.mark.parametrize(
    "method, path, body, status, word", BAD, ids=[f"{m} {p} {i}" for i, (m, p, *_) in enumerate(BAD)]
)
def test_bad_input_gets_a_one_line_4xx(client, method, path, body, status, word):
    kw = {} if body is None else {"json": body}
    r = getattr(client, method)(path, **kw)
    detail = _one_line_4xx(r, status)
    assert word in detail, detail


@pytest.mark.parametrize(
    "body, words",
    [
        (
            b"name: bad\narchitecture:\n  units:\n    - {unit: not-a-unit, at: tokyo}\nthreat: {missiles: [nodong]}\n",
            ["upload: architecture.units.0.unit", "not-a-unit"],
        ),
        (b"name: [unclosed\n", ["not valid YAML at line"]),
        (b"\x00\x01 binary", ["control characters"]),
        (b"", ["empty"]),
        (b"   \n", ["empty"]),
        (b"a: " + b"[" * 50_000 + b"]" * 50_000, ["nested deeper than"]),  # LibYAML's parser would crash
        (b"- just\n- a list\n", ["mapping"]),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
            ["aliases"],
        ),
    ],
)
def test_bad_uploads_get_one_line(client, body, words):
    detail = _one_line_4xx(client.post("/api/scenario", json={"yaml": body.decode()}), 422)
    for w in words:
        assert w in detail, detail


@pytest.mark.parametrize(
    "body, word",
    [
        (b'{"yaml": "\xff\xfe"}', "not valid JSON"),  # not UTF-8
        (b'{"yaml": 5}', "yaml"),
        (b'{"text": "name: x"}', "yaml: field required"),
        (b'"name: x"', "body"),
    ],
)
def test_an_upload_is_a_json_object_with_the_yaml_text(client, body, word):
    r = client.post("/api/scenario", content=body, headers={"content-type": "application/json"})
    assert word in _one_line_4xx(r, 422)


def test_large_bodies_are_refused_before_they_are_read(client):
    r = client.post("/api/scenario", content=b"x" * (300 * 1024), headers={"content-type": "application/json"})
    assert "256 KiB" in _one_line_4xx(r, 413)
    r = client.post(
        "/api/coverage",
        content=b'{"scenario": "' + b"a" * (300 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    _one_line_4xx(r, 413)


def test_only_localhost_names_are_answered():
    with TestClient(create_app(workers=1), base_url="http://attacker.example") as c:
        assert "host" in _one_line_4xx(c.get("/api/health"), 400)
        assert "host" in _one_line_4xx(c.post("/api/raid", json={"scenario": "japan-2017-thaad"}), 400)
    with TestClient(create_app(workers=1), base_url="http://localhost") as c:
        assert c.get("/api/health").status_code == 200


def test_a_flood_of_jobs_gets_429_and_jobs_cancel():
    with _client(create_app(workers=1, max_jobs=2)) as c:
        body = {"scenario": "japan-2017-thaad", "trials": bounds.BROWSER_TRIALS.high}
        first, second = (c.post("/api/jobs/raid", json=body) for _ in range(2))
        assert first.status_code == 202 and second.status_code == 202
        third = c.post("/api/jobs/raid", json=body)
        assert "already queued or running" in _one_line_4xx(third, 429)
        assert third.headers["retry-after"] == "2"
        for r in (second, first):
            assert c.delete(f"/api/jobs/{r.json()['id']}").json()["state"] == "cancelled"
        assert _wait(c, second.json()["id"])["state"] == "cancelled"  # a queued job never starts
        assert _wait(c, first.json()["id"])["state"] == "cancelled"  # a running one stops at its next block
        again = c.post("/api/jobs/raid", json={"scenario": "japan-2017-thaad", "trials": 100})
        assert again.status_code == 202 and _wait(c, again.json()["id"])["state"] == "done"


# ---------------------------------------------------------------------------------- offline page
def test_the_page_and_the_api_docs_load_nothing_from_outside(client):
    from importlib import resources

    static = resources.files("bmdlab") / "web" / "static"
    for name in ("index.html", "app.js", "docs.js", "style.css", "panels.js", "panels.css"):
        text = (static / name).read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), name
        assert not re.search(r"""(fetch|import)\s*\(\s*["'`]https?://""", text), name
    r = client.get("/")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for u in urls:
        assert client.get(u).status_code == 200, u


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    for p in (
        "/api/health",
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/scenario",
        "/api/scenario/yaml",
        "/api/catalog",
        "/api/geo/{layer}",
        "/api/coverage",
        "/api/raid",
        "/api/compare",
        "/api/cost",
        "/api/footprint",
        "/api/tradeoff",
        "/api/jobs/{kind}",
        "/api/jobs/{job_id}",
        "/api/palette",
        "/api/availability",
        "/api/campaign",
        "/api/raid-targets",
    ):
        assert p in paths, p


@pytest.mark.slow
def test_tradeoff_is_the_cli_json(client):
    got = client.post("/api/tradeoff", json={"raid": 50, "trials": 200, "resolution_km": 50}).json()
    ref = bmdlab.Analysis().tradeoff(raid=50, trials=200, resolution_km=50).to_dict()
    assert [o["key"] for o in got["options"]] == [o["key"] for o in ref["options"]]
    assert got["frontier"] == ref["frontier"] and got["pareto_population"] == ref["pareto_population"]


# ------------------------------------------------------------------------------- events and study
FAKE_STUDY = str(Path(__file__).with_name("fake_study.py"))
STAGES = runpy.run_path(FAKE_STUDY)["STAGES"]  # the stand-in's stage labels


def _events(client, job_id):
    out = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as s:
        assert s.headers["content-type"].startswith("text/event-stream")
        for line in s.iter_lines():
            if line.startswith("data:"):
                out.append(json.loads(line[5:]))
    return out


def test_job_events_stream_progress_and_end_with_the_result(client):
    job = client.post("/api/jobs/raid", json={"scenario": "japan-2017-thaad", "trials": 40_000}).json()
    events = _events(client, job["id"])
    assert events[-1]["state"] == "done" and events[-1]["progress"] == 1.0
    assert events[-1]["result"]["kind"] == "raid" and all("result" not in e for e in events[:-1])
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress) and len(events) >= 2
    assert client.get("/api/jobs/nope/events").status_code == 404


def test_a_result_with_an_undefined_interval_streams_as_null(client):
    """One trial has no interval (NaN): the event stream still ends with the result, NaN written as null as
    GET /api/jobs/{id} writes it (a NaN in JSON would break the stream)."""
    job = client.post("/api/jobs/raid", json={"scenario": "japan-2017-thaad", "trials": 1}).json()
    last = _events(client, job["id"])[-1]
    assert last["state"] == "done" and last["result"]["expected_leakers_ci95"] == [None, None]
    assert client.get(f"/api/jobs/{job['id']}").json()["result"] == last["result"]


def test_the_study_job_reports_its_stages_and_serves_its_files():
    import sys

    app = create_app(workers=1, study_command=[sys.executable, FAKE_STUDY, "--stage-seconds", "0.15"])
    with _client(app) as c:
        job = c.post("/api/jobs/study", json={"resolution_km": 20}).json()
        events = _events(c, job["id"])
        last = events[-1]
        assert last["state"] == "done", last
        # ten stages, each started / half-way / done: the progress climbs through them, one stage at a time
        progress = [e["progress"] for e in events]
        assert progress == sorted(progress) and progress[-1] == 1.0
        assert any(
            e["message"].startswith("coverage: three architectures") and 0.3 <= e["progress"] <= 0.4 for e in events
        )
        labels = list(dict.fromkeys(e["message"] for e in events if e["message"] in STAGES))
        assert labels == sorted(labels, key=STAGES.index) and len(labels) >= 5, labels  # the stages, in order
        res = last["result"]
        assert res["files"] == ["report.html", "results.json"]  # the hidden marker file is not listed
        assert res["claims"] == [
            {
                "id": "pac3",
                "quote": "PAC-3 batteries cover only tens of kilometres.",
                "figure": "16 km",
                "verdict": "holds",
                "why": "stand-in",
            }
        ]
        r = c.get(res["report_url"])
        assert r.status_code == 200 and "stand-in report" in r.text
        assert c.get(res["results_url"]).json()["provenance"]["resolution_km"] == 20.0
        for name in (".bmdlab-output", "%2e%2e", "%2e%2e%2fapp.py", "report.html%00", "sweep.duckdb"):
            assert c.get(f"/api/jobs/{job['id']}/files/{name}").status_code == 404, name
        _one_line_4xx(c.post("/api/jobs/study", json={"resolution_km": 1}), 422)


class _RecordingJob(Job):
    """A job that records each progress tick (progress and message after the tick)."""

    def tick(self, fraction, message=""):
        super().tick(fraction, message)
        self.ticks.append((self.progress, self.message))


def test_the_study_job_progress_is_the_studys_events():
    """Every progress event the study prints becomes one tick: its fraction (below 1 until the result is
    ready, whatever the number of stages) and its label; the log lines on stderr and the other lines on
    stdout are not progress. A child the study leaves behind does not keep the job waiting."""
    # four stages: the server reads the count from the events, it does not assume the real study's
    cmd = [sys.executable, FAKE_STUDY, "--stage-seconds", "0", "--stages", "4", "--helper"]
    srv = Server(CAT, 1, 1, 2**20, cmd)
    try:
        job = _RecordingJob(id="t-1", kind="study")
        job.ticks = []
        with time_limit(60):
            result = srv.study_job(StudyRequest(resolution_km=20))(job)
    finally:
        srv.close()
    expected = [(min((k + d / 2) / 4, 0.99), STAGES[k]) for k in range(4) for d in range(3)]
    assert job.ticks == [(0.0, "starting the study"), *expected]
    assert result["files"] == ["report.html", "results.json"] and result["resolution_km"] == 20
    if Path("/proc/self/cmdline").exists():
        assert _study_processes("t-1") == []  # the study's leftover child was stopped with it


def _study_processes(job_id):
    """Live processes of a study job: the study and its children (each has the job's folder in its command)."""
    marker = f"bmdlab-study-{job_id}-".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            alive = (proc / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
            if alive and marker in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except (OSError, IndexError):
            continue
    return found


@pytest.mark.slow
def test_a_failed_study_says_why_and_a_cancelled_one_stops():
    with _client(create_app(workers=2, study_command=[sys.executable, FAKE_STUDY, "--fail"])) as c:
        job = c.post("/api/jobs/study", json={}).json()
        last = _events(c, job["id"])[-1]
        assert last["state"] == "failed" and last["error"] == "study: failed (coverage: the stand-in failed on purpose)"
    # a study 30 s between two events, with a child of its own (as the real study's coverage workers)
    with (
        time_limit(120),
        _client(
            create_app(workers=1, study_command=[sys.executable, FAKE_STUDY, "--stage-seconds", "30", "--helper"])
        ) as c,
    ):
        job = c.post("/api/jobs/study", json={"resolution_km": 50}).json()
        procs = Path("/proc/self/cmdline").exists()
        end = time.monotonic() + 30
        while procs and len(_study_processes(job["id"])) < 2:
            assert time.monotonic() < end, "the stand-in study and its child did not start"
            time.sleep(0.1)
        time.sleep(0.5)
        t0 = time.monotonic()
        assert c.delete(f"/api/jobs/{job['id']}").json()["state"] == "cancelled"
        assert _wait(c, job["id"], timeout=30)["state"] == "cancelled"
        assert time.monotonic() - t0 < 10  # the child is stopped at once, not at its next event (30 s away)
        if procs:
            assert _study_processes(job["id"]) == []  # the study and its own child are gone
