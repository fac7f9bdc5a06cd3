"""The page of `bmdlab serve` in a real browser: headless Chromium (Debian's package, driven by
Playwright) against a real server started here. Nothing is downloaded: the page, Leaflet and the
map layers all come from the local server.

Skipped without Chromium or Playwright, except under CI (env CI set), where that is a failure.
`BMDLAB_UPDATE_SCREENSHOT=1` rewrites the README's screenshot docs/img/serve.png (1280x800, 10 km).
`BMDLAB_WEB_URL=http://127.0.0.1:PORT` runs the tests against a server already running there (the
study tests, which need the quick stand-in study tests/web/fake_study.py, are then skipped).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bmdlab.palette import SEA as PALETTE_SEA
from bmdlab.palette import SHOT_CLASSES

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "img" / "serve.png"
UPDATE_SCREENSHOT = os.environ.get("BMDLAB_UPDATE_SCREENSHOT") == "1"
READY = 60_000  # ms: the longest a coverage, raid or compare may take here
EXTERNAL = os.environ.get("BMDLAB_WEB_URL", "").rstrip("/")
FAKE_STUDY = REPO / "tests" / "web" / "fake_study.py"
PINNED = "__pinned__"  # app.js: the compare select's value for the pinned architecture


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


# Colours of the page: the maps' one palette (bmdlab.palette, served as /api/palette), RGB
SEA = _rgb(PALETTE_SEA)
UNDEFENDED = _rgb(SHOT_CLASSES[0][0])
GREENS = [_rgb(SHOT_CLASSES[k][0]) for k in (1, 2, 3)]  # the defended classes (1, 2, 3+ shot opportunities)


def _need(what: str, ok: bool, how: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {what} ({how})")
        pytest.skip(f"{what} not installed ({how})", allow_module_level=True)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_need("headless Chromium", CHROMIUM is not None, "apt-get install chromium; see .ci/run")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    _need("Playwright for Python", False, "pip install -e '.[test]'")


# ------------------------------------------------------------------------------------------------ fixtures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/health", timeout=2) as r:
            return json.load(r).get("status") == "ok"
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _serving(stage_seconds: float):
    """Base URL of ``create_app(...)`` served by uvicorn on a free port, in a thread of this process,
    with the quick stand-in for the Japan 2017 study (``stage_seconds`` per half stage)."""
    import uvicorn

    from bmdlab.web.app import create_app

    app = create_app(study_command=[sys.executable, str(FAKE_STUDY), "--stage-seconds", str(stage_seconds)])
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5)
    )
    thread = threading.Thread(target=srv.run, name=f"bmdlab-serve-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if not thread.is_alive():
                pytest.fail("the server's thread ended before it answered /api/health")
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /api/health within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        srv.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="module")
def server():
    """Base URL of a running bmdlab server: BMDLAB_WEB_URL, or one started here (its study: the stand-in)."""
    if EXTERNAL:
        assert _healthy(EXTERNAL), f"no bmdlab server answers at {EXTERNAL}"
        yield EXTERNAL
        return
    with _serving(stage_seconds=0.05) as url:
        yield url


@pytest.fixture(scope="module")
def slow_study_server():
    """A second server whose stand-in study takes 2 s per half stage (40 s in all): time to cancel it."""
    if EXTERNAL:
        pytest.skip("needs a server started here with the stand-in study")
    with _serving(stage_seconds=2) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


class Page:
    """A page of the app in a fresh browser context, recording every request it makes."""

    def __init__(self, browser, server, viewport=(1280, 800)):
        self.server = server
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.calls: list[tuple[str, str]] = []  # (method, path) of each request to the server
        self.errors: list[str] = []
        self.page.on("request", self._record)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _record(self, r) -> None:
        self.requests.append(r.url)
        if r.url.startswith(self.server):
            self.calls.append((r.method, r.url[len(self.server) :]))

    def polled(self) -> list[str]:
        """Paths of GET /api/jobs/{id} requests (polling a job instead of following its events)."""
        return [u for m, u in self.calls if m == "GET" and re.fullmatch(r"/api/jobs/[^/]+", u)]

    def streamed(self) -> list[str]:
        """Paths of the event streams the page opened (GET /api/jobs/{id}/events)."""
        return [u for m, u in self.calls if m == "GET" and re.fullmatch(r"/api/jobs/[^/]+/events", u)]

    def open(self, hash_: str = "#scenario=japan-2017-baseline&res=20") -> None:
        """Open the page at ``hash_`` and wait for the first coverage drawn."""
        self.page.goto(f"{self.server}/{hash_}")
        self.wait_version(1)

    def version(self) -> int:
        return int(self.page.inner_text("#coverage-version"))

    def wait_version(self, n: int) -> None:
        """Wait until the n-th coverage result is drawn (the page counts them in #coverage-version)."""
        expect(self.page.locator("#coverage-version")).to_have_text(str(n), timeout=READY)
        expect(self.page.locator("#map")).to_have_attribute("data-ready", "1")

    def headline(self) -> tuple[float, float]:
        return (_percent(self.page.inner_text("#land-defended")), _percent(self.page.inner_text("#people-defended")))

    def close(self) -> None:
        assert not self.errors, self.errors  # no uncaught exception in the page
        outside = [u for u in self.requests if not u.startswith((self.server, "data:", "blob:"))]
        assert not outside, f"the page fetched from outside the local server: {outside}"
        self.context.close()


@pytest.fixture
def app(browser, server):
    pages: list[Page] = []

    def make(viewport=(1280, 800), base: str | None = None) -> Page:
        pages.append(Page(browser, base or server, viewport))
        return pages[-1]

    yield make
    for p in pages:
        p.close()


def _percent(text: str) -> float:
    """The number of a percentage as the page shows it: "88.0 %", or "> 99.9 %" / "< 0.1 %" (the bound)."""
    m = re.fullmatch(r"\s*[<>]?\s*([0-9.]+)\s*%\s*", text)
    assert m, f"not a percentage: {text!r}"
    return float(m.group(1))


def _number(text: str) -> float:
    m = re.search(r"-?[0-9][0-9,]*(?:\.[0-9]+)?", text)
    assert m, f"no number in {text!r}"
    return float(m.group(0).replace(",", ""))


def _colour_share(img, rgb, tol=6) -> float:
    import numpy as np

    a = np.asarray(img.convert("RGB"), dtype=int)
    return float((np.abs(a - np.array(rgb)).max(axis=2) <= tol).mean())


# ------------------------------------------------------------------------------------------------ tests


def test_map_renders_with_sea_land_and_coverage_colours(app, tmp_path):
    """The map draws: the sea's light blue, defended green and (baseline, worst case) undefended
    red-orange land are all on screen; the legend is there; nothing is fetched from outside."""
    from PIL import Image

    pg = app()
    res = 10 if UPDATE_SCREENSHOT else 20
    pg.open(f"#scenario=japan-2017-baseline&res={res}")
    page = pg.page
    assert page.locator("#map.leaflet-container").count() == 1
    assert page.locator(".leaflet-container").count() == 2  # the map and its Nansei inset
    assert page.locator(".unit-marker").count() == 18  # the baseline's 4 destroyers and 14 PAC-3 units
    assert page.locator(".launch-marker").count() >= 5
    _no_unit_icons_overlap(page)
    expect(page.locator(".legend")).to_contain_text("Threatened, undefended")
    page.wait_for_timeout(300)  # let the canvas settle
    path = SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "serve.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    img = Image.open(path)
    assert img.size == (1280, 800)
    box = page.locator("#map").bounding_box()
    m = img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    assert len(m.convert("RGB").getcolors(1 << 20)) > 50  # not blank
    assert _colour_share(m, SEA) > 0.3, "the sea's light blue is missing"
    assert sum(_colour_share(m, g) for g in GREENS) > 0.02, "no defended (green) land"
    assert _colour_share(m, UNDEFENDED) > 0.002, "no threatened, undefended land (the baseline has some)"
    # the headline and the per-region table are filled in
    land, people = pg.headline()
    assert 0 < land <= 100 and 0 < people <= 100
    assert page.locator("#region-table tbody tr").count() == 9  # Japan's nine regions


def _no_unit_icons_overlap(page) -> None:
    """Crowded unit icons (Tokyo, northern Kyushu, Okinawa) are fanned out: none covers another."""
    boxes = [page.locator(".unit-marker").nth(i).bounding_box() for i in range(page.locator(".unit-marker").count())]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, f"unit icons overlap: {a} and {b}"


def test_crowded_units_fan_out_but_keep_their_exact_positions(app):
    """At the whole-Japan zoom the Tokyo PAC-3 units are fanned out (each joined to its exact spot by a
    line); the markers' positions stay the units' own; zoomed in, the crowd thins and so does the fan."""
    pg = app()
    pg.open()
    page = pg.page
    fanned = page.locator(".unit-marker.fanned")
    assert fanned.count() >= 4  # at least the Tokyo crowd
    # the positions are exact: the markers sit where the coverage result put the units
    exact = page.evaluate("""() => layers.units.getLayers().map((m) => [m.getLatLng().lat, m.getLatLng().lng])""")
    cov = page.evaluate(
        """() => state.coverage.layers.units.features.map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]])"""
    )
    assert exact == cov
    before = fanned.count()
    for _ in range(3):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(350)
    assert fanned.count() < before
    _no_unit_icons_overlap(page)


def _drag(page, marker, lat: float, lon: float) -> None:
    """Drag a Leaflet marker to (lat, lon) with the mouse."""
    box = marker.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mb = page.locator("#map").bounding_box()
    pt = page.evaluate(
        "([lat, lon]) => { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }", [lat, lon]
    )
    x1, y1 = mb["x"] + pt[0], mb["y"] + pt[1]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10)
    page.mouse.up()


def test_dragging_a_unit_changes_coverage_and_the_link_restores_it(app):
    """Drag THAAD site 3 from central Honshu to Hokkaido: the headline changes, the URL carries the
    edited scenario (#s=...), and opening that URL gives the same numbers back. A land unit dragged
    into the sea is refused with a one-line error and the numbers stay as they were."""
    pg = app()
    pg.open("#scenario=japan-2017-thaad&res=20")
    page = pg.page
    before = pg.headline()
    thaad = page.locator(".unit-marker[data-index='6']")  # the 4 destroyers, then THAAD sites 1-6
    expect(page.locator("#units-list li").nth(6)).to_contain_text("THAAD site 3")
    _drag(page, thaad, 43.3, 142.6)  # central Hokkaido
    pg.wait_version(2)
    after = pg.headline()
    assert after != before
    url = page.url
    assert "#s=" in url and "res=20" in url
    scenario = json.loads(_b64url_decode(re.search(r"#s=([^&]+)", url).group(1)))
    at = scenario["architecture"]["units"][6]["at"]
    assert abs(at["lat"] - 43.3) < 0.2 and abs(at["lon"] - 142.6) < 0.2
    assert at == {"lat": round(at["lat"], 4), "lon": round(at["lon"], 4)}
    _expect_position(page, 6, at["lat"], at["lon"])
    assert page.locator("#error").is_hidden()

    # into the Sea of Japan: refused, numbers kept, marker back
    _drag(page, page.locator(".unit-marker[data-index='7']"), 39.5, 135.0)
    expect(page.locator("#error")).to_be_visible(timeout=READY)
    assert "sea" in page.inner_text("#error")
    assert pg.headline() == after and pg.version() == 2
    assert page.url == url

    # the link restores the same scenario and numbers
    pg2 = app()
    pg2.page.goto(url)
    pg2.wait_version(1)
    assert pg2.headline() == after
    _expect_position(pg2.page, 6, at["lat"], at["lon"])


def _expect_position(page, i: int, lat: float, lon: float) -> None:
    """Unit i's latitude and longitude inputs show (lat, lon) to 4 decimals."""
    row = page.locator("#units-list li").nth(i)
    expect(row.locator(".unit-lat")).to_have_value(f"{lat:.4f}")
    expect(row.locator(".unit-lon")).to_have_value(f"{lon:.4f}")


def _type_position(page, i: int, lat: float, lon: float) -> None:
    """Type (lat, lon) into unit i's inputs with the keyboard and press Enter."""
    row = page.locator("#units-list li").nth(i)
    row.locator(".unit-lat").fill(str(lat))
    row.locator(".unit-lon").fill(str(lon))
    row.locator(".unit-lon").press("Enter")


def test_typing_a_position_moves_a_unit(app):
    """THAAD site 3 typed to central Hokkaido: the headline changes and the link carries it (#s=...);
    a THAAD typed into the Sea of Japan is refused with a one-line error and its old position returns."""
    pg = app()
    pg.open("#scenario=japan-2017-thaad&res=20")
    page = pg.page
    before = pg.headline()
    row = page.locator("#units-list li").nth(6)
    expect(row).to_contain_text("THAAD site 3")
    expect(row.locator(".unit-lat")).to_have_attribute("step", "0.0001")
    assert "Latitude of THAAD site 3" in row.locator(".unit-lat").get_attribute("aria-label")
    assert "Longitude of THAAD site 3" in row.locator(".unit-lon").get_attribute("aria-label")
    _type_position(page, 6, 43.3, 142.6)
    pg.wait_version(2)
    after = pg.headline()
    assert after != before
    assert re.search(r"#s=[^&]+&res=20$", page.url)
    scenario = json.loads(_b64url_decode(re.search(r"#s=([^&]+)", page.url).group(1)))
    assert scenario["architecture"]["units"][6]["at"] == {"lat": 43.3, "lon": 142.6}
    _expect_position(page, 6, 43.3, 142.6)
    expect(page.locator("#units-list li").nth(6).locator(".unit-lon")).to_be_focused()  # the keyboard stays put
    url = page.url

    # into the Sea of Japan: refused, numbers kept, the inputs show the old position again
    was = page.locator("#units-list li").nth(7)
    old = (float(was.locator(".unit-lat").input_value()), float(was.locator(".unit-lon").input_value()))
    _type_position(page, 7, 39.5, 135.0)
    expect(page.locator("#error")).to_be_visible(timeout=READY)
    assert "sea" in page.inner_text("#error")
    _expect_position(page, 7, *old)
    assert pg.headline() == after and pg.version() == 2
    assert page.url == url


def _b64url_decode(s: str) -> str:
    import base64

    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode("utf-8")


def test_raid_runs_to_completion(app):
    """A small raid runs as a job: progress, then expected leakers (with a CI), P(zero leakers),
    interceptors expended and their cost in yen."""
    pg = app()
    pg.open()
    page = pg.page
    expect(page.locator("#download-raid-json")).to_be_disabled()
    page.fill("#raid-missiles", "100")
    page.fill("#raid-trials", "500")
    page.click("#raid-run")
    result = page.locator("#raid-result")
    expect(result).to_have_attribute("data-state", "done", timeout=READY)
    text = result.inner_text()
    leakers = _number(page.inner_text("#raid-expected-leakers"))
    assert 0 <= leakers <= 100
    for label in ("Expected leakers", "95 % CI", "P(zero leakers)", "Interceptors expended", "¥"):
        assert label in text, label
    assert page.locator("#raid-progress").evaluate("p => p.value") == 1
    # the server's raid JSON, as a file
    name, raid = _download_json(page, "#download-raid-json")
    assert name == "japan-2017-baseline-raid.json"
    assert raid["kind"] == "raid" and raid["missiles"] == 100 and raid["trials"] == 500
    assert float(result.get_attribute("data-expected-leakers")) == raid["expected_leakers"]


def test_a_raid_with_shots_that_fail_together(app):
    """The correlation field goes to the server with the raid, and the raid's JSON records it."""
    page, sent, raid = _raid_with(app, {"#raid-trials": "300", "#raid-common-mode": "0.3"})
    assert sent["common_mode"] == 0.3
    assert raid["common_mode"] and set(raid["common_mode"].values()) == {0.3}
    expect(page.locator("#raid-model")).to_contain_text("shots correlated (0.30")


def test_a_raid_with_every_unit_on_station_no_channel_limit_and_preferential_doctrine(app):
    """The availability, channel and doctrine fields go to the server; the summary says which model ran."""
    page, sent, raid = _raid_with(
        app,
        {"#raid-trials": "300", "#raid-missiles": "40", "#raid-availability": "1"},
        prepare=lambda p: (p.uncheck("#raid-capacity"), p.select_option("#raid-doctrine", "preferential")),
    )
    assert sent["availability"] == 1 and sent["capacity"] is False and sent["doctrine"] == "preferential"
    model = page.locator("#raid-model")
    expect(model).to_contain_text("no fire-channel or C2 limit")
    n = len(raid["units"])
    expect(model).to_contain_text(f"{n}.0 of {n} units on station")
    assert raid["doctrine"] == "preferential" and raid["capacity"] is False
    # a bad value gets the server's one-line error
    page.fill("#raid-availability", "1.5")
    page.click("#raid-run")
    expect(page.locator("#raid-result")).to_contain_text("availability", timeout=READY)


def _raid_with(app, fields: dict, prepare=None):
    """Open the page, fill the raid fields, run the raid: (page, the request body sent, the raid JSON)."""
    pg = app()
    pg.open()
    page = pg.page
    for selector, value in fields.items():
        page.fill(selector, value)
    if prepare is not None:
        prepare(page)
    with page.expect_request(lambda r: r.url.endswith("/api/jobs/raid") and r.method == "POST") as req:
        page.click("#raid-run")
    expect(page.locator("#raid-result")).to_have_attribute("data-state", "done", timeout=READY)
    _, raid = _download_json(page, "#download-raid-json")
    return page, json.loads(req.value.post_data), raid


def _download_json(page, button: str) -> tuple[str, dict]:
    """Click a download button; the file's name and its parsed JSON."""
    expect(page.locator(button)).to_be_enabled()
    with page.expect_download() as dl:
        page.click(button)
    return dl.value.suggested_filename, json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))


def test_jobs_follow_the_event_stream_and_fall_back_to_polling(app):
    """Jobs report progress through GET /api/jobs/{id}/events, with no polling; when the event stream
    breaks, the page polls GET /api/jobs/{id} instead and still gets the coverage and a raid."""
    pg = app()
    pg.open()
    assert pg.streamed(), "the coverage job was not followed by its event stream"
    assert not pg.polled(), f"polled although the event stream worked: {pg.polled()}"

    broken = app()
    broken.page.route(re.compile(r"/api/jobs/[^/]+/events$"), lambda route: route.abort())
    broken.open()
    assert broken.polled(), "no polling after the event stream failed"
    page = broken.page
    page.fill("#raid-missiles", "20")
    page.fill("#raid-trials", "100")
    page.click("#raid-run")
    expect(page.locator("#raid-result")).to_have_attribute("data-state", "done", timeout=READY)
    assert broken.headline() == pg.headline()


def test_compare_shows_the_difference_with_a_ci(app):
    """Baseline (A) against the Aegis Ashore scenario (B): both expected leakers with CIs, the
    difference B - A with its CI and the server's verdict sentence."""
    pg = app()
    pg.open()
    page = pg.page
    page.fill("#raid-missiles", "100")
    page.fill("#raid-trials", "300")
    page.select_option("#compare-select", "japan-2017-aegis-ashore")
    page.click("#compare-run")
    result = page.locator("#compare-result")
    expect(result).to_have_attribute("data-state", "done", timeout=READY)
    text = result.inner_text()
    assert "A: japan-2017-baseline" in text and "B: japan-2017-aegis-ashore" in text
    assert "Difference B − A" in text
    assert text.count("95 % CI") >= 3  # A, B and the difference (the verdict may quote it too)
    assert page.inner_text("#compare-verdict").strip()


def test_compare_a_pinned_architecture_against_an_edit(app):
    """Pin an edited architecture as B ("Use current as B"), edit A further (remove a destroyer),
    compare: B is sent as the pinned scenario itself, and the result shows both, the difference with
    its CI and the verdict; the comparison's JSON downloads."""
    pg = app()
    pg.open()
    page = pg.page
    expect(page.locator("#download-compare-json")).to_be_disabled()
    page.locator("#units-list li").nth(17).locator(".remove-unit").click()  # PAC-3 Chinen: now an edit
    pg.wait_version(2)
    page.click("#compare-pin")
    expect(page.locator("#compare-select")).to_have_value(PINNED)
    label = "pinned: japan-2017-baseline (edited)"
    expect(page.locator("#compare-select option:checked")).to_have_text(label)
    page.locator("#units-list li").nth(0).locator(".remove-unit").click()  # a destroyer, in A only
    pg.wait_version(3)
    page.fill("#raid-missiles", "100")
    page.fill("#raid-trials", "300")
    with page.expect_request(lambda r: r.url.endswith("/api/jobs/compare")) as sent:
        page.click("#compare-run")
    body = sent.value.post_data_json
    assert isinstance(body["b"], dict) and len(body["b"]["architecture"]["units"]) == 17
    assert body["b"]["name"] == "japan-2017-baseline-pinned"
    assert len(body["a"]["architecture"]["units"]) == 16
    result = page.locator("#compare-result")
    expect(result).to_have_attribute("data-state", "done", timeout=READY)
    text = result.inner_text()
    assert "A: japan-2017-baseline-edited" in text and f"B: {label}" in text
    assert "Difference B − A" in text and text.count("95 % CI") >= 3
    verdict = page.inner_text("#compare-verdict")
    assert "japan-2017-baseline-pinned" in verdict and "japan-2017-baseline-edited" in verdict  # B and A told apart
    name, cmp = _download_json(page, "#download-compare-json")
    assert name == "japan-2017-baseline-edited-compare.json"
    assert cmp["kind"] == "compare" and cmp["trials"] == 300
    d = cmp["difference"]
    assert d["ci95"][0] <= d["expected_leakers"] <= d["ci95"][1]
    assert d["expected_leakers"] == pytest.approx(cmp["b"]["expected_leakers"] - cmp["a"]["expected_leakers"], abs=1e-3)
    assert f"{abs(d['expected_leakers']):.1f} leakers" in text  # the page shows the server's difference


def test_downloads_are_valid_files(app):
    """YAML (parses, has architecture.units), GeoJSON (features with shot_class), CSV (header and one
    row per region) and the coverage JSON, each named after the scenario."""
    pg = app()
    pg.open()
    page = pg.page
    files = {}
    for button in ("yaml", "geojson", "csv", "json"):
        with page.expect_download() as dl:
            page.click(f"#download-{button}")
        d = dl.value
        files[button] = (d.suggested_filename, Path(d.path()).read_text(encoding="utf-8"))
    name, text = files["yaml"]
    assert name == "japan-2017-baseline.yaml"
    scen = yaml.safe_load(text)
    assert scen["name"] == "japan-2017-baseline" and len(scen["architecture"]["units"]) == 18
    name, text = files["geojson"]
    assert name == "japan-2017-baseline-coverage.geojson"
    gj = json.loads(text)
    assert gj["type"] == "FeatureCollection" and gj["features"]
    assert {f["properties"]["shot_class"] for f in gj["features"]} <= {-1, 0, 1, 2, 3}
    name, text = files["csv"]
    assert name == "japan-2017-baseline-regions.csv"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["region", "land_km2", "population"]
    cov = json.loads(files["json"][1])
    assert files["json"][0] == "japan-2017-baseline-coverage.json"
    assert len(rows) == 1 + len(cov["regions"]) == 10
    assert [r[0] for r in rows[1:]] == [r["region"] for r in cov["regions"]]
    assert float(rows[1][3]) == cov["regions"][0]["defended"]["land_fraction"]


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "name: bad\narchitecture:\n  units:\n    - {unit: not-a-unit, at: tokyo}\nthreat:\n  missiles: [nodong]\n",
            ["architecture.units.0.unit", "not-a-unit"],
        ),
        ("\x00\x01 this is: [not yaml\n  : {", ["YAML"]),
        ("just some words, not a scenario\n", ["mapping"]),
    ],
    ids=["unknown-unit", "not-yaml", "not-a-mapping"],
)
def test_a_bad_upload_shows_a_one_line_error(app, text, words):
    """An uploaded file the server refuses: its one-line reason (naming the field) shows in the
    error bar, no traceback; the previous scenario stays; the next success clears the bar."""
    pg = app()
    pg.open()
    page = pg.page
    page.set_input_files("#upload", files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": text.encode()}])
    err = page.locator("#error")
    expect(err).to_be_visible(timeout=READY)
    msg = err.inner_text()
    assert msg.strip() and "\n" not in msg.strip()
    assert "Traceback" not in msg and 'File "' not in msg
    assert err.bounding_box()["height"] < 40  # one line on screen
    for w in words:
        assert w in msg, (w, msg)
    assert pg.version() == 1  # the previous scenario stays
    # the next success clears it
    page.select_option("#scenario-select", "japan-2017-thaad")
    pg.wait_version(2)
    expect(err).to_be_hidden()


def _threat_box(page, kind: str, title: str):
    """A threat checkbox by its label's title (missiles: 'catalog key: KEY'; shapes: their label)."""
    return page.locator(f"#threat-{kind} label[title='{title}'] input")


def test_a_link_keeps_the_unchecked_threats_as_options(app):
    """Uncheck a missile and a shape, open the page's link elsewhere: the unchecked ones are still
    there (unchecked), and checking them again gives the built-in scenario's numbers back."""
    pg = app()
    pg.open()
    page = pg.page
    baseline = pg.headline()
    n_missiles = page.locator("#threat-missiles input").count()
    n_shapes = page.locator("#threat-shapes input").count()
    missile = _threat_box(page, "missiles", "catalog key: hwasong-12")
    shape = _threat_box(page, "shapes", "lofted (apogee 550 km)")
    missile.uncheck()
    pg.wait_version(2)
    shape.uncheck()
    pg.wait_version(3)
    url = page.url
    assert "#s=" in url

    pg2 = app()
    pg2.page.goto(url)
    pg2.wait_version(1)
    p2 = pg2.page
    expect(p2.locator("#threat-missiles input")).to_have_count(n_missiles)
    expect(p2.locator("#threat-shapes input")).to_have_count(n_shapes)
    expect(_threat_box(p2, "missiles", "catalog key: hwasong-12")).not_to_be_checked()
    expect(_threat_box(p2, "shapes", "lofted (apogee 550 km)")).not_to_be_checked()
    assert pg2.headline() == pg.headline()
    _threat_box(p2, "missiles", "catalog key: hwasong-12").check()
    pg2.wait_version(2)
    _threat_box(p2, "shapes", "lofted (apogee 550 km)").check()
    pg2.wait_version(3)
    assert pg2.headline() == baseline
    scenario = json.loads(_b64url_decode(re.search(r"#s=([^&]+)", p2.url).group(1)))
    assert len(scenario["threat"]["groups"]) == 4  # the built-in's four threat groups


def _progress(page, sel: str) -> float:
    return page.locator(sel).evaluate("p => p.value")


def test_the_study_runs_and_links_its_report(app):
    """The Japan 2017 study (the quick stand-in) runs as a job followed by its event stream: the
    claims table shows the claim with its verdict and figure, and the report opens in a new tab."""
    if EXTERNAL:
        pytest.skip("needs a server started here with the stand-in study")
    pg = app()
    pg.open()
    page = pg.page
    sel = page.locator("#study-resolution")
    assert sel.input_value() == "20"
    assert [o.get_attribute("value") for o in sel.locator("option").all()] == ["50", "20", "10", "5"]
    expect(page.locator("#study-resolution-note")).to_contain_text("five minutes")
    page.click("#study-run")
    out = page.locator("#study-result")
    expect(out).to_have_attribute("data-state", "done", timeout=READY)
    assert _progress(page, "#study-progress") == 1
    expect(page.locator("#study-message")).to_contain_text("Done")
    rows = page.locator("#study-claims tbody tr")
    expect(rows).to_have_count(1)
    cells = rows.first.locator("td")
    expect(cells.nth(0)).to_have_text("PAC-3 batteries cover only tens of kilometres.")
    expect(cells.nth(1)).to_have_text("holds")
    expect(cells.nth(2)).to_have_text("16 km")
    assert any(u.endswith("/events") for u in pg.streamed()[1:]), "the study was not followed by its event stream"
    # the links: a new tab each, and what they open
    report = page.get_by_role("link", name="Open the report")
    results = page.get_by_role("link", name="results.json")
    for link in (report, results):
        assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    with page.context.expect_page() as tab:
        report.click()
    expect(tab.value.locator("h1")).to_have_text("Japan 2017 (stand-in)")
    tab.value.close()
    with urllib.request.urlopen(pg.server + results.get_attribute("href"), timeout=10) as r:
        data = json.load(r)
    assert data["kind"] == "study" and data["provenance"]["resolution_km"] == 20


def test_the_study_can_be_cancelled(app, slow_study_server):
    """A slow stand-in study (2 s a step): once the progress bar moves, Cancel stops it."""
    pg = app(base=slow_study_server)
    page = pg.page
    page.goto(f"{slow_study_server}/#scenario=japan-2017-baseline&res=20")
    expect(page.locator("#compare-select option").first).to_be_attached(timeout=READY)  # the controls are wired
    page.click("#study-run")
    expect(page.locator("#study-cancel")).to_be_enabled()
    deadline = time.monotonic() + 30
    while _progress(page, "#study-progress") <= 0:
        assert time.monotonic() < deadline, "the study's progress bar did not move"
        page.wait_for_timeout(100)
    expect(page.locator("#study-message")).to_contain_text("loading catalog and geography")
    page.click("#study-cancel")
    expect(page.locator("#study-result")).to_have_attribute("data-state", "cancelled", timeout=20_000)
    expect(page.locator("#study-message")).to_have_text("Study cancelled.")
    expect(page.locator("#study-run")).to_be_enabled()
    expect(page.locator("#study-cancel")).to_be_disabled()
    assert page.locator("#error").is_hidden()


def test_phone_viewport_shows_map_and_headline(app, tmp_path):
    pg = app(viewport=(375, 740))
    pg.open()
    page = pg.page
    for sel in ("#map", "#land-defended", "#people-defended"):
        box = page.locator(sel).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, sel
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 0.5, sel
    assert page.locator("#map").bounding_box()["height"] > 250
    assert (
        page.locator("#map").bounding_box()["y"] < page.locator("#land-defended").bounding_box()["y"]
    )  # panel below the map
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=False)


def test_the_api_docs_render_offline(app, tmp_path):
    """The OpenAPI page (/api/docs, Swagger UI shipped in the package) draws every endpoint with
    nothing fetched from outside (the fixture's close() checks the requests)."""
    pg = app()
    pg.page.goto(f"{pg.server}/api/docs")
    ops = pg.page.locator(".swagger-ui .opblock")
    expect(ops.first).to_be_visible(timeout=READY)
    paths = set(pg.page.locator(".opblock-summary-path").all_inner_texts())
    for p in ("/api/coverage", "/api/raid", "/api/compare", "/api/jobs/{kind}", "/api/scenario"):
        assert any(p in x for x in paths), (p, paths)
    pg.page.screenshot(path=str(tmp_path / "docs.png"))
    assert ops.count() >= 15
    # "Try it out" sends the server's token (from the page's <meta>) and JSON with what changes state
    token = pg.page.locator('meta[name="bmdlab-token"]').get_attribute("content")
    intercept = "m => window.ui.getConfigs().requestInterceptor({method: m, headers: {}}).headers"
    assert pg.page.evaluate(intercept, "POST") == {"X-Bmdlab-Token": token, "Content-Type": "application/json"}
    assert pg.page.evaluate(intercept, "GET") == {}


def test_the_page_sends_its_token_and_another_sites_page_is_refused(app, browser, server):
    """The page's POSTs carry the token of its <meta> tag (and JSON); a page of another origin (here
    another port of this machine: same site, other origin) cannot start a job, whether by fetch
    (no-cors, text/plain; or JSON with a guessed token, which needs a preflight the server never grants)
    or by a form, and cannot read the token."""
    if EXTERNAL:
        pytest.skip("starts no job on a server it does not own")
    pg = app()
    sent: list[dict] = []
    pg.page.on("request", lambda r: sent.append(r.headers) if r.method in ("POST", "DELETE") else None)
    pg.open()
    token = pg.page.locator('meta[name="bmdlab-token"]').get_attribute("content")
    assert token and len(token) >= 16
    assert sent and all(h.get("x-bmdlab-token") == token for h in sent), sent
    assert all(h.get("content-type", "").startswith("application/json") for h in sent), sent

    with _evil_site() as evil:
        _attack_from(browser, evil, server)


@contextlib.contextmanager
def _evil_site():
    """Base URL of another web site on this machine (another port of 127.0.0.1: a loopback page, which
    Chromium lets reach loopback addresses), serving EVIL_PAGE."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = EVIL_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _attack_from(browser, evil: str, server: str) -> None:
    context = browser.new_context()
    try:
        answers: list[tuple[str, int]] = []
        context.on(
            "response", lambda r: answers.append((r.request.method, r.status)) if r.url.startswith(server) else None
        )
        page = context.new_page()
        page.goto(f"{evil}/evil.html")
        outcome = page.evaluate("([url]) => attack(url)", [server])
        assert outcome["token"] == "unreadable" and outcome["json"] == "blocked", outcome
        page.wait_for_timeout(200)  # the answers of no-cors requests arrive after the fetch resolves
        posts = [status for method, status in answers if method == "POST"]
        assert posts and all(s in (403, 415) for s in posts), answers
        # a form posted (a navigation): the server's one-line refusal, nothing started
        page.goto(f"{evil}/evil.html")
        with page.expect_navigation():
            page.evaluate("([url]) => postForm(url)", [server])
        assert '{"detail":"origin: ' in page.content()  # same-site (another port), another origin: refused
        assert [s for m, s in answers if m == "POST"][-1] == 403
    finally:
        context.close()


EVIL_PAGE = """<!DOCTYPE html><html><head><title>another site</title><script>
async function attack(url) {
  const out = {};
  await fetch(url + "/api/jobs/study", {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body: '{"resolution_km": 50}'}).catch(() => {});
  try {
    await fetch(url + "/api/jobs/study", {method: "POST", headers: {"Content-Type": "application/json",
      "X-Bmdlab-Token": "guess"}, body: "{}"});
    out.json = "sent";
  } catch (e) { out.json = "blocked"; }
  try { out.token = (await (await fetch(url + "/api/token")).json()).token; } catch (e) { out.token = "unreadable"; }
  return out;
}
function postForm(url) {
  const f = document.createElement("form");
  f.method = "POST"; f.action = url + "/api/jobs/study"; f.enctype = "text/plain";
  const i = document.createElement("input"); i.name = '{"resolution_km": 50, "x": "'; i.value = '"}';
  f.appendChild(i); document.body.appendChild(f); f.submit();
}
</script></head><body>another site</body></html>"""
