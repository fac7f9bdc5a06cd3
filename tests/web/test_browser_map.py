"""The web map anyone can read (issue #26): the palette's colours and marker shapes, a legend that matches,
place names that do not overlap, a metric scale bar and the Nansei inset; numbers by the project's rounding
rule and money with its price year; undo and reset, the busy state, the map as PNG and a shareable link.

Headless Chromium (Debian's package, via Playwright) against a server started here; the server, the browser
and the skip rules are those of tests/web/test_browser.py. Expected values come from the Python side: the
palette (``bmdlab.palette``), the rounding rule (``bmdlab.numbers.percent``), the public API's
coverage, or geometry computed here (the scale bar); never from the page under test.
Screenshots are written to ``$TMPDIR/r26/web-map-*.png``.
"""

from __future__ import annotations

import base64
import json
import math
import re
import tempfile
from pathlib import Path

import pytest
import test_browser
from test_browser import READY, _colour_share, _rgb, _type_position, expect

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.numbers import money, percent
from bmdlab.palette import LAUNCH_AREA, SEA, SHOT_CLASSES, UNIT_TYPES, unit_type
from bmdlab.scenario import load_scenario

pytestmark = pytest.mark.slow

# test_browser's fixtures: a server started here (or BMDLAB_WEB_URL), headless Chromium, a page of the app
server = test_browser.server
browser = test_browser.browser
app = test_browser.app

CAT = builtin_catalog()
SHOTS = Path(tempfile.gettempdir()) / "r26"
RES = 20  # km: the page's quickest grid
LAPTOP = (1366, 900)
PHONE = (390, 844)
VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
BASELINE = f"#scenario=japan-2017-baseline&res={RES}"
THAAD = f"#scenario=japan-2017-thaad&res={RES}"
# the page's colours before the palette (app.js CLASS_STYLE of bmdlab 0.x): none may be left on the map
OLD_COLOURS = [(0xE4, 0x57, 0x2E), (0xA8, 0xDC, 0x8C), (0x4F, 0xAE, 0x57), (0x17, 0x68, 0x3A), (0xBF, 0xE0, 0xF5)]


def _css_rgb(hex_colour: str) -> str:
    r, g, b = _rgb(hex_colour)
    return f"rgb({r}, {g}, {b})"


def _boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        "es => es.map(e => { const r = e.getBoundingClientRect();"
        " return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, text: e.textContent}; })",
    )


def _overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def _shot(page, name: str, viewport) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"web-map-{name}-{viewport[0]}x{viewport[1]}.png"
    page.wait_for_timeout(300)  # let the canvases settle
    page.screenshot(path=str(path))
    return path


def _map_image(page, path: Path, selector: str = "#map"):
    from PIL import Image

    box = page.locator(selector).bounding_box()
    img = Image.open(path).convert("RGB")
    return img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))


# ------------------------------------------------------------------------------------------------ the map


@VIEWPORTS
def test_markers_legend_and_coverage_take_the_palette(app, viewport):
    """Each unit's marker is its type's palette shape (from bmdlab.palette.unit_type, on the Python
    side) in the palette's colour, at least 12 px across on a phone too; the legend's swatches are the palette's
    class colours and its unit shapes the markers' very paths; the map shows the palette's colours and none of
    the old hard-coded ones."""
    pg = app(viewport=viewport)
    pg.open(BASELINE)
    page = pg.page
    sc = load_scenario("japan-2017-baseline", CAT)
    markers = page.locator("#map .unit-marker")
    assert markers.count() == len(sc.architecture.units)
    seen: dict[str, str] = {}
    for k in range(markers.count()):
        m = markers.nth(k)
        u = sc.architecture.units[int(m.get_attribute("data-index"))]
        want = unit_type(u.unit, CAT.units[u.unit].basing)
        svg = m.locator("svg.u-shape")
        assert svg.get_attribute("data-shape") == UNIT_TYPES[want][1], u.unit
        assert svg.locator("path").get_attribute("fill") == UNIT_TYPES[want][2]
        box = svg.bounding_box()
        assert box["width"] >= 12 and box["height"] >= 12, "a marker too small to tell its shape"
        seen[want] = svg.locator("path").get_attribute("d")
    assert set(seen) == {"aegis-ship", "pac-3"}  # the baseline's destroyers and PAC-3 units: two shapes
    assert len(set(seen.values())) == 2
    if viewport == PHONE:
        assert page.locator("#map .unit-marker.compact").count() == markers.count()  # shape only, no badge
    # launch areas: the palette's shape, which no unit type uses
    shapes = page.locator("#map .launch-marker svg").evaluate_all("es => es.map(e => e.dataset.shape)")
    assert len(shapes) >= 5 and set(shapes) == {LAUNCH_AREA[1]}
    assert LAUNCH_AREA[1] not in {t[1] for t in UNIT_TYPES.values()}
    # the legend: class swatches in the palette's colours, unit shapes with the markers' paths
    legend = page.locator("#map .legend")
    for k, (colour, label) in SHOT_CLASSES.items():
        row = legend.locator(f".lg-class[data-class='{k}']")
        assert row.text_content().strip() == label
        assert row.locator(".sw").evaluate("e => getComputedStyle(e).backgroundColor") == _css_rgb(colour)
    types = legend.locator(".lg-unit").evaluate_all("es => es.map(e => e.dataset.type)")
    assert set(types) == set(seen)
    for t, d in seen.items():
        assert legend.locator(f".lg-unit[data-type='{t}'] path").get_attribute("d") == d
        assert UNIT_TYPES[t][3] in legend.locator(f".lg-unit[data-type='{t}']").text_content()
    # the map's pixels: the palette's sea and classes, not the old colours
    m = _map_image(page, _shot(page, "baseline", viewport))
    assert _colour_share(m, _rgb(SEA)) > 0.2
    assert _colour_share(m, _rgb(SHOT_CLASSES[0][0])) > 0.001
    assert sum(_colour_share(m, _rgb(SHOT_CLASSES[k][0])) for k in (1, 2, 3)) > 0.01
    for old in OLD_COLOURS:
        assert _colour_share(m, old, tol=2) < 0.0005, f"an old hard-coded colour is still drawn: {old}"


def test_the_page_maps_every_catalog_unit_as_the_palette_does(app):
    """app.js's unitType() gives every catalog unit the marker type bmdlab.palette.unit_type gives it."""
    pg = app()
    pg.open(BASELINE)
    pairs = [[key, u.basing] for key, u in CAT.units.items()]
    got = pg.page.evaluate("pairs => pairs.map(([k, b]) => unitType(k, b))", pairs)
    assert got == [unit_type(k, b) for k, b in pairs]


@VIEWPORTS
def test_place_names_never_overlap(app, viewport):
    """The largest cities' names are on the map, inside it, overlapping no other name and no unit icon, at
    the whole-Japan view and zoomed in (where more names fit)."""
    pg = app(viewport=viewport)
    pg.open(BASELINE)
    page = pg.page
    names = {f["properties"]["name"]: f["properties"]["population"] for f in _cities_geojson()["features"]}
    largest = sorted(names, key=names.get, reverse=True)[:5]
    counts = []
    for zoom_clicks in (0, 2):
        for _ in range(zoom_clicks):
            page.click(".leaflet-control-zoom-in")
            page.wait_for_timeout(400)
        labels = _boxes(page, "#map .city-label")
        counts.append(len(labels))
        assert len(labels) >= (5 if viewport == LAPTOP else 3), [b["text"] for b in labels]
        assert {b["text"] for b in labels} <= set(names)
        mb = page.locator("#map").bounding_box()
        units = _boxes(page, "#map .unit-marker")
        for i, a in enumerate(labels):
            assert mb["x"] - 0.5 <= a["x0"] and a["x1"] <= mb["x"] + mb["width"] + 0.5, a
            for b in labels[i + 1 :]:
                assert not _overlap(a, b), f"names overlap: {a['text']} and {b['text']}"
            for u in units:
                assert not _overlap(a, u), f"{a['text']} covers a unit icon"
        if zoom_clicks == 0:
            assert {b["text"] for b in labels} & set(largest[:3]), "none of the three largest cities is named"
        _shot(page, f"names-zoom{zoom_clicks}", viewport)
    assert counts[1] >= counts[0]


def _cities_geojson() -> dict:
    cov = bmdlab.Analysis("japan-2017-baseline").coverage(resolution_km=RES)
    g = cov.cities_geojson
    return g() if callable(g) else g


@VIEWPORTS
def test_the_scale_bar_is_metric_and_true(app, viewport):
    """A metric scale bar: its label (km) matches its length (its CSS width, px) times the map's metres per
    pixel at the map's centre latitude (where a Mercator map's bar is true, as Leaflet draws it), computed here
    from two points the map gives (haversine, R = 6,371,008.8 m)."""
    pg = app(viewport=viewport)
    pg.open(BASELINE)
    page = pg.page
    bar = page.locator("#map .leaflet-control-scale-line")
    assert bar.count() == 1  # metric only: no second (imperial) line
    m = re.fullmatch(r"\s*([0-9]+)\s*(km|m)\s*", bar.inner_text())
    assert m, bar.inner_text()
    label_m = float(m.group(1)) * (1000 if m.group(2) == "km" else 1)
    width = float(bar.evaluate("e => parseFloat(e.style.width)"))
    y = page.locator("#map").bounding_box()["height"] / 2
    (lat1, lon1), (lat2, lon2) = page.evaluate(
        "([y]) => [map.containerPointToLatLng([0, y]), map.containerPointToLatLng([100, y])].map(p => [p.lat, p.lng])",
        [y],
    )
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    metres_per_px = 2 * 6_371_008.8 * math.asin(math.sqrt(a)) / 100
    assert width * metres_per_px == pytest.approx(label_m, rel=0.02)


@VIEWPORTS
def test_the_nansei_inset_shows_the_islands_with_the_same_coverage(app, viewport):
    """A second map of the Nansei islands, south-west of Kyushu: centred in 24-31 N, 122-132 E, at a larger
    scale than the main map, inside the map's box, drawing the same coverage classes, and a marker for each
    unit inside its view (counted here from the coverage result's unit positions)."""
    pg = app(viewport=viewport)
    pg.open(BASELINE)
    page = pg.page
    inset = page.locator("#inset")
    expect(inset).to_be_visible()
    expect(inset).to_contain_text("Nansei")
    ib, mb = inset.bounding_box(), page.locator("#map").bounding_box()
    assert mb["x"] <= ib["x"] and ib["x"] + ib["width"] <= mb["x"] + mb["width"]
    assert mb["y"] <= ib["y"] and ib["y"] + ib["height"] <= mb["y"] + mb["height"]
    view = page.evaluate(
        "() => { const b = getInset().getBounds(); return {s: b.getSouth(), n: b.getNorth(), w: b.getWest(),"
        " e: b.getEast(), z: getInset().getZoom(), main: map.getZoom()}; }".replace(
            "getInset()", "bmdlabPage.getInset()"
        )
    )
    assert 24 <= (view["s"] + view["n"]) / 2 <= 31 and 122 <= (view["w"] + view["e"]) / 2 <= 132, view
    assert view["z"] >= view["main"] + 1, "the inset is not closer than the main map"
    units = json.loads(page.evaluate("() => JSON.stringify(state.coverage.layers.units)"))["features"]
    inside = [
        f
        for f in units
        if view["s"] <= f["geometry"]["coordinates"][1] <= view["n"]
        and view["w"] <= f["geometry"]["coordinates"][0] <= view["e"]
    ]
    assert inside, "the baseline has units in the East China Sea and on Okinawa"
    assert page.locator("#inset .inset-unit").count() == len(units)  # all drawn; those outside are off view
    visible = [b for b in _boxes(page, "#inset .inset-unit") if _overlap(b, _as_box(ib))]
    assert len(visible) == len(inside)
    img = _map_image(page, _shot(page, "inset", viewport), "#inset")
    assert sum(_colour_share(img, _rgb(SHOT_CLASSES[k][0])) for k in (0, 1, 2, 3)) > 0.002
    assert _colour_share(img, _rgb(SEA)) > 0.5


def _as_box(b: dict) -> dict:
    return {"x0": b["x"], "y0": b["y"], "x1": b["x"] + b["width"], "y1": b["y"] + b["height"]}


# ------------------------------------------------------------------------------------------------ numbers


SHARES = [
    0.0,
    1.0,
    0.0625,
    0.1875,
    0.03125,
    0.9995,
    0.99949,
    0.99951,
    0.0004,
    0.0005,
    0.00051,
    0.5,
    0.12345,
    0.1225,
    0.88,
    1e-9,
    1 - 1e-9,
]


def test_percentages_follow_the_projects_rounding_rule(app):
    """fmtPct gives what bmdlab.numbers.percent gives, to 1 and 2 decimals; Aegis Ashore's land share
    (0.9995 at 20 km, from the public API) reads "> 99.9 %", never "100.0 %"."""
    pg = app()
    pg.open(f"#scenario=japan-2017-aegis-ashore&res={RES}")
    page = pg.page
    for digits in (1, 2):
        got = page.evaluate("([xs, d]) => xs.map(x => bmdlabPage.fmtPct(x, d))", [SHARES, digits])
        assert got == [percent(x, digits) for x in SHARES]
    assert page.evaluate("() => bmdlabPage.fmtPct(NaN)") == "n/a"
    ref = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=RES)
    assert page.inner_text("#land-defended") == percent(ref.land_fraction)
    assert page.inner_text("#people-defended") == percent(ref.population_fraction)
    assert ref.land_fraction < 1 and page.inner_text("#land-defended") != "100.0 %"


def test_money_reads_in_billions_with_its_price_year(app):
    """fmtYen / fmtUsd / fmtMoney give what bmdlab.numbers.money gives (¥ bn / ¥ M / whole yen, three significant
    digits, halves up, the price year, dollars in millions), on amounts chosen for the rule's edges; a raid's
    interceptor cost reads "¥N bn ($N M, YEAR prices)" with the raid JSON's yen, dollars and price year."""
    pg = app()
    pg.open(BASELINE)
    page = pg.page
    amounts = [51_322_701_990, 350_000_000, 1_234_000_000_000, 2_675_000_000, 999_600_000, 999_499_999, 12_345, 0]
    got = page.evaluate("xs => xs.map(x => [bmdlabPage.fmtYen(x, 2017), bmdlabPage.fmtYen(x)])", amounts)
    assert got == [[money(x, 2017), money(x, None)] for x in amounts]
    assert page.evaluate("() => bmdlabPage.fmtYen(2675000000)") == "¥2.68 bn"  # by hand: 2.675 rounded half up
    pair = {"jpy": 51_322_701_990, "usd": 466_570_018, "price_year": 2017}
    want = money(pair["jpy"], 2017, usd_per_jpy=pair["usd"] / pair["jpy"])
    assert page.evaluate("m => bmdlabPage.fmtMoney(m)", pair) == want == "¥51.3 bn ($467 M, 2017 prices)"
    assert page.evaluate("() => bmdlabPage.fmtYen(null)") == money(None, 2017) == "n/a"
    page.fill("#raid-missiles", "50")
    page.fill("#raid-trials", "200")
    page.click("#raid-run")
    expect(page.locator("#raid-result")).to_have_attribute("data-state", "done", timeout=READY)
    with page.expect_download() as dl:
        page.click("#download-raid-json")
    raid = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    cost = raid["interceptor_cost_expended"]
    text = page.locator("#raid-result").inner_text()
    m = re.search(r"¥([0-9.,]+) (bn|M) \(\$([0-9.,]+) M, (\d{4}) prices\)", text)
    assert m, text
    yen = float(m.group(1).replace(",", "")) * (1e9 if m.group(2) == "bn" else 1e6)
    usd = float(m.group(3).replace(",", "")) * 1e6
    assert yen == pytest.approx(cost["jpy"], rel=0.01) and usd == pytest.approx(cost["usd"], rel=0.01)
    assert int(m.group(4)) == cost["price_year"]
    assert not re.search(r"¥[0-9,]{9,}", text), "an 11-digit yen figure"


# ------------------------------------------------------------------------------------------------ undo, reset


@VIEWPORTS
def test_undo_and_reset(app, viewport):
    """Two edits (a unit moved, a missile unchecked), then Undo twice: each step gives back the previous
    numbers, checkbox and link, with no new coverage job; Reset after an edit returns to the scenario as loaded,
    Undo undoes the Reset, and Ctrl+Z undoes the edit before it."""
    pg = app(viewport=viewport)
    pg.open(THAAD)
    page = pg.page
    undo, reset = page.locator("#undo"), page.locator("#reset")
    expect(undo).to_be_disabled()
    expect(reset).to_be_disabled()
    h0, url0 = pg.headline(), page.url
    _type_position(page, 6, 43.3, 142.6)  # THAAD site 3 to central Hokkaido
    pg.wait_version(2)
    h1, url1 = pg.headline(), page.url
    assert h1 != h0 and "#s=" in url1
    box = page.locator("#threat-missiles input").first
    box.uncheck()
    pg.wait_version(3)
    url2 = page.url
    assert url2 != url1 and not page.locator("#threat-missiles input").first.is_checked()
    jobs = _coverage_posts(pg)
    undo.click()
    pg.wait_version(4)
    assert pg.headline() == h1 and page.url == url1
    expect(page.locator("#threat-missiles input").first).to_be_checked()
    undo.click()
    pg.wait_version(5)
    assert pg.headline() == h0 and page.url == url0
    assert page.input_value("#scenario-select") == "japan-2017-thaad"
    expect(undo).to_be_disabled()
    expect(reset).to_be_disabled()
    assert _coverage_posts(pg) == jobs, "Undo asked the server again"
    # an edit, then Reset: the scenario as loaded; Undo brings the edit back
    _type_position(page, 6, 43.3, 142.6)
    pg.wait_version(6)
    expect(reset).to_be_enabled()
    reset.click()
    pg.wait_version(7)
    assert pg.headline() == h0 and page.url == url0
    undo.click()
    pg.wait_version(8)
    assert pg.headline() == h1
    # Ctrl+Z is Undo too (outside the input fields): back to the scenario as loaded
    page.locator("#h-scenario").click()
    page.keyboard.press("Control+z")
    pg.wait_version(9)
    assert pg.headline() == h0 and page.url == url0
    expect(undo).to_be_disabled()


def _coverage_posts(pg) -> int:
    return sum(1 for m, u in pg.calls if m == "POST" and u == "/api/jobs/coverage")


# ------------------------------------------------------------------------------------------------ busy state

WATCH_BUSY = """() => {
  window.busyLog = [];
  const rec = () => window.busyLog.push({
    busy: document.querySelector('#map').getAttribute('aria-busy'),
    results: document.querySelector('#headline').getAttribute('aria-busy'),
    banner: !document.querySelector('#busy').hidden,
    raid: document.querySelector('#raid-run').disabled,
    compare: document.querySelector('#compare-run').disabled,
    undo: document.querySelector('#undo').disabled,
    png: document.querySelector('#export-png').disabled,
  });
  new MutationObserver(rec).observe(document.querySelector('#map'), {attributes: true, attributeFilter: ['aria-busy']});
}"""


def _busy_done(page) -> None:
    expect(page.locator("#map")).to_have_attribute("aria-busy", "false", timeout=READY)
    expect(page.locator("#headline")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#busy")).to_be_hidden()
    expect(page.locator("#raid-run")).to_be_enabled()
    expect(page.locator("#compare-run")).to_be_enabled()


@VIEWPORTS
def test_the_busy_state_while_coverage_is_recomputed(app, viewport):
    """While a coverage runs: aria-busy on the map and the results, the spinner banner, Run raid / Compare /
    Undo / Map (PNG) disabled; all cleared when it is done, when it fails (a land unit typed into the sea) and
    when it is cancelled (the banner's Cancel; the grid cell goes back to the committed one)."""
    pg = app(viewport=viewport)
    pg.open(THAAD)
    page = pg.page
    h0 = pg.headline()
    page.evaluate(WATCH_BUSY)
    _type_position(page, 6, 43.3, 142.6)
    pg.wait_version(2)
    _busy_done(page)
    log = page.evaluate("() => window.busyLog")
    on = [r for r in log if r["busy"] == "true"]
    assert on and all(r["results"] == "true" and r["banner"] and r["raid"] and r["compare"] for r in on), log
    assert all(r["undo"] and r["png"] for r in on), log
    assert log[-1]["busy"] == "false" and not log[-1]["banner"] and not log[-1]["raid"], log
    # failed: a THAAD typed into the Sea of Japan
    page.evaluate("() => { window.busyLog = []; }")
    _type_position(page, 7, 39.5, 135.0)
    expect(page.locator("#error")).to_be_visible(timeout=READY)
    _busy_done(page)
    assert [r["busy"] for r in page.evaluate("() => window.busyLog")] == ["true", "false"]
    # cancelled: a 5 km grid, cancelled from the banner
    h1 = pg.headline()
    page.select_option("#resolution", "5")
    expect(page.locator("#busy")).to_be_visible()
    page.click("#busy-cancel")
    expect(page.locator("#status")).to_contain_text("cancelled", timeout=READY)
    _busy_done(page)
    assert page.input_value("#resolution") == str(RES)
    assert pg.headline() == h1 != h0 and pg.version() == 2


# ------------------------------------------------------------------------------------------------ map export


@VIEWPORTS
def test_the_map_exports_as_a_png(app, viewport):
    """Map (PNG): a PNG named after the scenario and grid cell, the map's size plus a title band that names
    the scenario; its shares of undefended and defended colour match the screen's (within 1 % of the map)
    and it carries the legend's unit shapes' colour and the sea."""
    from PIL import Image

    pg = app(viewport=viewport)
    pg.open(BASELINE)
    page = pg.page
    screen = _map_image(page, _shot(page, "before-export", viewport))
    with page.expect_download() as dl:
        page.click("#export-png")
    assert dl.value.suggested_filename == f"japan-2017-baseline-map-{RES}km.png"
    path = SHOTS / f"web-map-export-{viewport[0]}x{viewport[1]}.png"
    dl.value.save_as(str(path))
    img = Image.open(path)
    assert img.format == "PNG"
    mb = page.locator("#map").bounding_box()
    assert img.size == (round(mb["width"]), round(mb["height"]) + 24)
    band = img.convert("RGB").crop((0, 0, img.size[0], 24))
    assert _colour_share(band, (0x17, 0x32, 0x4D)) > 0.5  # the title band
    body = img.convert("RGB").crop((0, 24, img.size[0], img.size[1]))
    assert _colour_share(body, _rgb(SEA)) > 0.2
    for classes in ((0,), (1, 2, 3)):
        png = sum(_colour_share(body, _rgb(SHOT_CLASSES[k][0])) for k in classes)
        shown = sum(_colour_share(screen, _rgb(SHOT_CLASSES[k][0])) for k in classes)
        assert png > 0 and abs(png - shown) < 0.01, (classes, png, shown)
    assert _colour_share(body, _rgb(UNIT_TYPES["pac-3"][2]), tol=10) > 0.0005  # the unit markers


# ------------------------------------------------------------------------------------------------ shareable link


@VIEWPORTS
def test_copy_link_restores_every_change(app, browser, viewport):
    """A unit moved, a missile unchecked and the grid cell changed, then Copy link: the link (read from the
    clipboard) opened in a fresh page gives the same headline, unit position, checkboxes and grid cell."""
    pg = app(viewport=viewport)
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pg.server)
    pg.open(THAAD)
    page = pg.page
    _type_position(page, 6, 43.3, 142.6)
    pg.wait_version(2)
    page.locator("#threat-missiles input").first.uncheck()
    pg.wait_version(3)
    page.select_option("#resolution", "10")
    pg.wait_version(4)
    page.click("#copy-link")
    expect(page.locator("#status")).to_contain_text("Link copied")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == page.input_value("#share-url") == page.url
    want = _view(page)
    fresh = app(viewport=viewport)
    fresh.page.goto(link)
    fresh.wait_version(1)
    assert _view(fresh.page) == want
    assert fresh.page.locator("#error").is_hidden()


def _view(page) -> dict:
    return {
        "land": page.inner_text("#land-defended"),
        "people": page.inner_text("#people-defended"),
        "res": page.input_value("#resolution"),
        "unit6": (
            page.locator("#units-list li").nth(6).locator(".unit-lat").input_value(),
            page.locator("#units-list li").nth(6).locator(".unit-lon").input_value(),
        ),
        "checks": page.locator("#threat-missiles input, #threat-shapes input").evaluate_all(
            "es => es.map(e => [e.parentElement.textContent.trim(), e.checked])"
        ),
        "units": page.locator("#units-list li").count(),
    }


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@VIEWPORTS
@pytest.mark.parametrize(
    "hash_, words",
    [
        ("#s=%%%not-base64!&res=20", "not readable"),
        ("#s=" + _b64url('{"name": "x", "architecture": {"units": []}}') + "&res=20", "refused"),
        ("#s=" + _b64url("[1, 2") + "&res=20", "not readable"),
        ("#scenario=no-such-scenario&res=20", "not a built-in scenario"),
    ],
    ids=["not-base64", "not-a-scenario", "not-json", "unknown-name"],
)
def test_a_corrupt_link_shows_one_line_and_loads_the_default(app, viewport, hash_, words):
    """A broken shared link: a one-line error saying what was wrong and that the default scenario was
    loaded, and the default's numbers (the public API's, rounded by bmdlab.numbers.percent)."""
    pg = app(viewport=viewport)
    page = pg.page
    page.goto(f"{pg.server}/{hash_}")
    pg.wait_version(1)
    bar = page.locator("#error")
    expect(bar).to_be_visible()
    text = bar.inner_text()
    assert words in text and "loaded the default scenario" in text and "\n" not in text, text
    assert bar.evaluate("e => e.scrollHeight <= e.clientHeight + 1")  # one line, nothing hidden below
    default = page.evaluate("() => state.builtins[0].name")
    ref = bmdlab.Analysis(default).coverage(resolution_km=RES)
    assert page.inner_text("#land-defended") == percent(ref.land_fraction)
    assert page.inner_text("#people-defended") == percent(ref.population_fraction)
