"""The page of `bmdlab serve` on the threat of today (issue #25): the japan-2028 scenarios, the new flight
classes (quasi-ballistic KN-23, boost-glide Hwasong-8 and -16B) and the solid ICBMs, in headless Chromium.

The server, the browser and the skip rules are those of tests/web/test_browser.py (skipped without Chromium
or Playwright, except under CI). Expected figures come from the public Python API, never from the page.
The screenshot of japan-2028 is written to ``$TMPDIR/r25/web-2028.png``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import test_browser
from test_browser import GREENS, READY, SEA, UNDEFENDED, _colour_share, _download_json, _number, expect

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.scenario import load_scenario

pytestmark = pytest.mark.slow

# test_browser's fixtures: a server started here (or BMDLAB_WEB_URL), headless Chromium, a page of the app
server = test_browser.server
browser = test_browser.browser
app = test_browser.app

CAT = builtin_catalog()
SCREENSHOT = Path(tempfile.gettempdir()) / "r25" / "web-2028.png"
RES = 20  # km: the page's quickest grid


def _watch(pg) -> tuple[list[str], list[str]]:
    """Console errors and 5xx answers of the page, as they come."""
    console: list[str] = []
    failed: list[str] = []
    pg.page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    pg.page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return console, failed


def _select_2028(app):
    """The page opened on the baseline, then japan-2028 chosen from the scenario list and drawn."""
    pg = app()
    console, failed = _watch(pg)
    pg.open(f"#scenario=japan-2017-baseline&res={RES}")
    page = pg.page
    options = page.locator("#scenario-select option").all_text_contents()
    assert {"japan-2028", "japan-2028-aegis-ashore"} <= set(options)
    page.select_option("#scenario-select", "japan-2028")
    pg.wait_version(2)
    return pg, console, failed


def test_japan_2028_draws_its_coverage_and_flight_classes(app):
    from PIL import Image

    pg, console, failed = _select_2028(app)
    page = pg.page
    sc = load_scenario("japan-2028", CAT)
    assert page.inner_text("#status").startswith(f"Coverage of japan-2028 at {RES} km")
    assert page.locator("#error").is_hidden()
    assert "#scenario=japan-2028&" in page.url

    # the coverage figures: the public API's, as the page rounds them
    ref = bmdlab.Analysis("japan-2028").coverage(resolution_km=RES)
    land, people = pg.headline()
    assert land == pytest.approx(100 * ref.land_fraction, abs=0.051)
    assert people == pytest.approx(100 * ref.population_fraction, abs=0.051)
    assert page.locator("#region-table tbody tr").count() == 9
    assert page.inner_text("#scenario-description").startswith("Japan's ballistic-missile defence as it stands in 2028")

    # the units: two ASEVs (their own badge), eight destroyers, the PAC-3 units
    assert page.locator(".unit-marker").count() == len(sc.architecture.units)
    assert page.locator(".unit-marker", has_text="ASEV").count() == 2
    assert page.locator("#units-count").inner_text() == f"({len(sc.architecture.units)} units)"

    # each threat missile with its flight class
    threat = [m for g in sc.threat.groups for m in g.missiles]
    shown = {}
    for label in page.locator("#threat-missiles label").all():
        key = label.get_attribute("title").removeprefix("catalog key: ")
        shown[key] = label.locator(".flight-class").inner_text().strip()
    assert shown == {m: CAT.missiles[m].flight_class for m in threat}
    assert shown["kn-23"] == "quasi-ballistic"
    assert shown["hwasong-8"] == shown["hwasong-16b"] == "boost-glide"
    assert shown["nodong"] == "ballistic"

    # every catalog missile can be added, with its range and flight class; the solid ICBMs among them
    added = dict(
        zip(
            page.locator("#add-threat-missile option").evaluate_all("os => os.map(o => o.value)"),
            page.locator("#add-threat-missile option").all_text_contents(),
            strict=True,
        )
    )
    assert set(added) == set(CAT.missiles)
    for key in ("hwasong-17", "hwasong-18", "hwasong-19"):
        assert added[key] == f"{CAT.missiles[key].name} (15,000–20,000 km, ballistic)"
    assert added["kn-23"].endswith("(690 km, quasi-ballistic)")
    assert added["hwasong-8"].endswith("(700–1,000 km, boost-glide)")

    # the map: not blank; sea, defended and undefended land on screen
    page.wait_for_timeout(300)  # let the canvas settle
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    img = Image.open(SCREENSHOT)
    box = page.locator("#map").bounding_box()
    m = img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    assert len(m.convert("RGB").getcolors(1 << 20)) > 50
    assert _colour_share(m, SEA) > 0.3, "the sea's light blue is missing"
    assert sum(_colour_share(m, g) for g in GREENS) > 0.005, "no defended land (the palette's defended classes)"
    assert _colour_share(m, UNDEFENDED) > 0.01, "no threatened, undefended land"

    assert not console, console
    assert not failed, failed


def test_japan_2028_runs_its_raid(app):
    """The raid view runs the scenario's own 23-missile raid (the raid field left empty), as the API does."""
    pg, console, failed = _select_2028(app)
    page = pg.page
    page.fill("#raid-trials", "300")
    with page.expect_request(lambda r: r.url.endswith("/api/jobs/raid") and r.method == "POST") as req:
        page.click("#raid-run")
    expect(page.locator("#raid-result")).to_have_attribute("data-state", "done", timeout=READY)
    sent = json.loads(req.value.post_data)
    assert "missiles" not in sent and sent["trials"] == 300
    _, raid = _download_json(page, "#download-raid-json")
    ref = bmdlab.Analysis("japan-2028", seed=sent["seed"]).raid(trials=300).to_dict()
    assert raid["missiles"] == ref["missiles"] == 23
    assert raid["expected_leakers"] == pytest.approx(ref["expected_leakers"])
    assert _number(page.inner_text("#raid-expected-leakers")) == pytest.approx(ref["expected_leakers"], abs=0.051)
    assert "23 missiles, 300 trials" in page.inner_text("#raid-result")
    assert not console, console
    assert not failed, failed
