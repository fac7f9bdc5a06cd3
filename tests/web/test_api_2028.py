"""The JSON API of ``bmdlab serve`` on the threat of today (issue #25): the two japan-2028 scenarios and the
catalog's flight classes. Expected values come from the scenario files and the catalog, never from the API."""

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx versions
    from fastapi.testclient import TestClient

from bmdlab.catalog import builtin_catalog
from bmdlab.scenario import load_scenario
from bmdlab.web.app import create_app

CAT = builtin_catalog()
SCENARIOS_2028 = ("japan-2028", "japan-2028-aegis-ashore")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=1, max_jobs=2), base_url="http://127.0.0.1") as c:
        yield c


def test_scenarios_list_both_2028_scenarios_with_their_descriptions(client):
    rows = {s["name"]: s["description"] for s in client.get("/api/scenarios").json()["scenarios"]}
    for name in SCENARIOS_2028:
        assert name in rows, name
        described = " ".join((load_scenario(name, CAT).description or "").split())
        assert described and rows[name] == described, name
    assert rows["japan-2028"].startswith("Japan's ballistic-missile defence as it stands in 2028")
    assert "Aegis Ashore" in rows["japan-2028-aegis-ashore"]
    for name in SCENARIOS_2028:
        got = client.get(f"/api/scenarios/{name}").json()
        assert got["name"] == name and got["scenario"]["description"] == load_scenario(name, CAT).description


def test_catalog_gives_each_missile_its_flight_class_and_range_span(client):
    rows = {m["key"]: m for m in client.get("/api/catalog").json()["missiles"]}
    assert set(rows) == set(CAT.missiles)
    assert {k: m["flight_class"] for k, m in rows.items()} == {k: m.flight_class for k, m in CAT.missiles.items()}
    assert rows["kn-23"]["flight_class"] == "quasi-ballistic"
    assert rows["hwasong-8"]["flight_class"] == rows["hwasong-16b"]["flight_class"] == "boost-glide"
    for key in ("hwasong-17", "hwasong-18", "hwasong-19"):  # the solid ICBMs: "more than 15,000 km" (a span)
        low, high = CAT.missiles[key].range.value
        assert rows[key]["flight_class"] == "ballistic"
        assert (rows[key]["range_low_km"], rows[key]["range_km"]) == (low, high) and low < high
    assert rows["nodong"]["range_low_km"] == rows["nodong"]["range_km"] == CAT.missiles["nodong"].range.value
