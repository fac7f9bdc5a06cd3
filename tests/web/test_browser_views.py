"""The page's extra views (issue #26, panels.js) in headless Chromium: units on station, the campaign, the costs,
A and B side by side, and the raid's targets, on a laptop (1366x900) and a phone (390x844).

The server, the browser and the skip rules are those of tests/web/test_browser.py. Expected figures come from the
public Python API (``bmdlab.Analysis``) and, for the raid's aim points, from the raid's own expansion of its salvos
(``bmdlab.engagement.raid.expand_salvos``), never from the page or its routes. Screenshots of each view are
written to ``$TMPDIR/r26/views/``.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import test_browser
from test_browser import READY, _colour_share, expect

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.engagement.raid import expand_salvos
from bmdlab.numbers import percent
from bmdlab.scenario import load_scenario, raid_assets

pytestmark = pytest.mark.slow

server = test_browser.server
_num = test_browser._number  # the first number of a text (thousands separators allowed)
browser = test_browser.browser
app = test_browser.app

CAT = builtin_catalog()
SHOTS = Path(tempfile.gettempdir()) / "r26" / "views"
RES = 20  # km: the page's quickest grid
BASE = "japan-2017-baseline"
B_NAME = "japan-2017-aegis-ashore"
VIEWPORTS = {"laptop": (1366, 900), "phone": (390, 844)}
CAMPAIGN = {"waves": 3, "missiles": 50, "every_h": 6.0, "trials": 1000}  # the form's defaults (panels.js)


@pytest.fixture(scope="module")
def expected():
    """The figures each view shows, from the Python API."""
    a = bmdlab.Analysis(BASE, catalog=CAT)
    cov = a.coverage(RES, availability_samples=500)
    sc_b = load_scenario(B_NAME, CAT)
    b_in_a = a.scenario.model_copy(update={"architecture": sc_b.architecture, "name": B_NAME})
    cov_b = bmdlab.Analysis(b_in_a, catalog=CAT).coverage(RES)
    raid = a.setup.require_raid()
    threats = expand_salvos(raid.salvos, raid.assets, CAT)
    assets = raid_assets(a.scenario)
    return {
        "availability": cov.availability.to_dict(),
        "coverage": cov,
        "campaign": a.campaign(
            CAMPAIGN["waves"], CAMPAIGN["every_h"], CAMPAIGN["missiles"], trials=CAMPAIGN["trials"]
        ).to_dict(),
        "cost": a.cost(),
        "b_people": cov_b.population_fraction,
        "targets": Counter(assets[t.asset].name for t in threats),
    }


def _pct(text: str) -> float:
    m = re.search(r"([0-9.]+)\s*%", text)
    assert m, f"no percentage in {text!r}"
    return float(m.group(1))


def _yen(text: str) -> float:
    """The first yen amount of ``text`` ("¥1,159 bn", "¥ 11.8 bn", "¥350 M") in yen."""
    m = re.search(r"¥\s?(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(bn|M)\b", text)
    assert m, f"no yen amount in {text!r}"
    return float(m.group(1).replace(",", "")) * (1e9 if m.group(2) == "bn" else 1e6)


def _record_busy(page) -> None:
    """Record every aria-busy change inside #more-views (window.__busy: [[id, value], ...])."""
    page.evaluate(
        """() => {
        window.__busy = [];
        new MutationObserver((ms) => ms.forEach((m) => window.__busy.push([m.target.id, m.target.getAttribute('aria-busy')])))
          .observe(document.getElementById('more-views'), {subtree: true, attributes: true, attributeFilter: ['aria-busy']});
    }"""
    )


def _busy_seen(page, view_id: str) -> bool:
    return [view_id, "true"] in page.evaluate("window.__busy")


def _open(page, name: str):
    """Open the view ``#view-NAME`` (click its summary) and return its locator."""
    box = page.locator(f"#view-{name}")
    box.locator("summary").scroll_into_view_if_needed()
    box.locator("summary").click()
    expect(box).to_have_attribute("open", "")
    return box


def _done(box) -> None:
    expect(box).to_have_attribute("aria-busy", "false", timeout=READY)
    expect(box.locator(".view-error")).to_be_hidden()


def _shot(page, box, viewport: str, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{viewport}-{name}.png"
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_each_view_opens_and_shows_the_python_apis_figures(app, expected, viewport):
    pg = app(VIEWPORTS[viewport])
    pg.open(f"#scenario={BASE}&res={RES}")
    page = pg.page
    assert page.locator("#more-views > details.view").count() == 5
    _record_busy(page)

    # 1. units on station
    box = _open(page, "availability")
    _done(box)
    av = expected["availability"]
    people = av["population_fraction"]
    assert _pct(page.inner_text("#availability-people-all")) == pytest.approx(100 * people["all_on_station"], abs=0.051)
    assert _pct(page.inner_text("#availability-people-expected")) == pytest.approx(100 * people["expected"], abs=0.051)
    lo, hi = (_pct(x) for x in page.inner_text("#availability-people-ci").split("–"))
    assert (lo, hi) == pytest.approx([100 * x for x in people["expected_ci95"]], abs=0.051)
    assert _pct(page.inner_text("#availability-people-p05")) == pytest.approx(100 * people["p05"], abs=0.051)
    rows = page.locator("#availability-table tbody tr")
    assert rows.count() == len(av["availability"]) == 18
    first_unit, p = next(iter(av["availability"].items()))
    assert rows.nth(0).locator("th").inner_text() == first_unit
    assert _pct(rows.nth(0).locator("td").nth(0).inner_text()) == pytest.approx(100 * p, abs=0.51)
    assert _busy_seen(page, "view-availability")
    _shot(page, box, viewport, "availability")

    # 2. campaign: the form's defaults
    box = _open(page, "campaign")
    page.click("#campaign-run")
    _done(box)
    cells = page.locator("#campaign-table tbody tr")
    waves = expected["campaign"]["waves"]
    assert cells.count() == len(waves) == CAMPAIGN["waves"]
    for i, w in enumerate(waves):
        tds = cells.nth(i).locator("td")
        assert _num(tds.nth(1).inner_text()) == w["missiles"]
        assert _num(tds.nth(2).inner_text()) == pytest.approx(w["expected_leakers"], abs=0.051)
        left = w["rounds_left_mean"] + sum(w["reserve_left_mean"].values())
        assert _num(tds.nth(4).inner_text()) == pytest.approx(left, abs=0.051)
    assert page.locator("#campaign-chart-leakers rect.bar").count() == CAMPAIGN["waves"]
    assert page.locator("#campaign-chart-left rect.bar").count() == CAMPAIGN["waves"]
    assert _busy_seen(page, "view-campaign")
    _shot(page, box, viewport, "campaign")

    # 3. costs
    box = _open(page, "costs")
    _done(box)
    cost = expected["cost"]
    total = page.inner_text("#costs-total")
    # money is shown to three significant figures at least (app.js's rule when it has one, else 0.1 bn)
    assert _yen(total) == pytest.approx(cost.total_jpy, rel=0.005)
    assert "$" in total and f"{cost.price_year}" in page.inner_text("#costs-price-year")
    per_point = cost.total_jpy / (100 * expected["coverage"].population_fraction)
    assert _yen(page.inner_text("#costs-per-point")) == pytest.approx(per_point, rel=0.005)
    assert page.locator("#costs-table tbody tr").count() == len(cost["lines"]) + 1
    assert _busy_seen(page, "view-costs")
    _shot(page, box, viewport, "costs")

    # 4. A and B side by side: B chosen in the Compare section
    page.select_option("#compare-select", B_NAME)
    box = _open(page, "ab-maps")
    page.click("#ab-run")
    _done(box)
    a_share = _pct(page.inner_text("#ab-share-a"))
    assert a_share == pytest.approx(100 * expected["coverage"].population_fraction, abs=0.051)
    # B (Aegis Ashore) defends all but a few thousandths of a percent of the people: the page's rounding rule
    # (bmdlab.numbers.percent) shows it as "> 99.9 %", never 100.0 %
    assert page.inner_text("#ab-share-b").startswith(percent(expected["b_people"]) + " of people")
    assert page.locator("#ab-map-a .leaflet-overlay-pane path").count() > 0
    assert page.locator("#ab-map-b .leaflet-overlay-pane path").count() > 0
    _maps_move_together(page)
    assert _busy_seen(page, "view-ab-maps")
    _shot(page, box, viewport, "ab-maps")

    # 5. raid targets: a layer on the main map and a list
    box = _open(page, "raid-targets")
    _done(box)
    targets = expected["targets"]
    rows = page.locator("#raid-targets-table tbody tr")
    # the view may still be idle (aria-busy false) before its request starts: wait for the rows themselves
    expect(rows).to_have_count(len(targets), timeout=READY)
    shown = {
        rows.nth(i).locator("th").inner_text(): _num(rows.nth(i).locator("td").nth(0).inner_text())
        for i in range(rows.count())
    }
    assert shown == dict(targets)
    assert page.locator("#map path.raid-target").count() == len(targets)
    assert _busy_seen(page, "view-raid-targets")
    _shot(page, box, viewport, "raid-targets")
    page.locator("#map").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{viewport}-raid-targets-map.png"))


def _maps_move_together(page) -> None:
    """Zooming map A (a double click) moves map B to the same centre and zoom."""
    view = """(k) => { const m = window.bmdlabPanels.views['ab-maps'].maps[k];
        return [m.getZoom(), +m.getCenter().lat.toFixed(4), +m.getCenter().lng.toFixed(4)]; }"""
    before = page.evaluate(f"({view})('b')")
    page.locator("#ab-map-a").scroll_into_view_if_needed()
    page.locator("#ab-map-a").dblclick()
    page.wait_for_timeout(800)
    a, b = page.evaluate(f"({view})('a')"), page.evaluate(f"({view})('b')")
    assert b != before and a == b, (before, a, b)
    assert a[0] > before[0]  # zoomed in


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_bad_salvo_count_is_one_line_in_its_view(app, viewport):
    pg = app(VIEWPORTS[viewport])
    pg.open(f"#scenario={BASE}&res={RES}")
    page = pg.page
    box = _open(page, "campaign")
    page.fill("#campaign-waves", "-1")
    page.click("#campaign-run")
    error = page.locator("#view-campaign-error")
    expect(error).to_be_visible(timeout=READY)
    text = error.inner_text()
    assert text.startswith("waves: -1") and text.endswith("1 to 200") and "\n" not in text, text  # one line, whole
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#view-campaign-error')).lineHeight)")
    wide = viewport == "laptop"
    assert error.bounding_box()["height"] < (2 if wide else 3) * line + 12  # a laptop: one row; a phone: wrapped
    expect(box).to_have_attribute("aria-busy", "false")
    assert page.inner_text("#view-campaign-result") == ""  # no "Running…" left behind
    _shot(page, box, viewport, "campaign-error")
    # fixed, it runs
    page.fill("#campaign-waves", "2")
    page.click("#campaign-run")
    expect(page.locator("#campaign-table tbody tr")).to_have_count(2, timeout=READY)
    expect(error).to_be_hidden()


def test_the_raid_targets_layer_shows_on_the_map_and_goes_with_its_view(app):
    from PIL import Image

    pg = app(VIEWPORTS["laptop"])
    pg.open(f"#scenario={BASE}&res={RES}")
    page = pg.page
    _open(page, "raid-targets")
    expect(page.locator("#map path.raid-target").first).to_be_attached(timeout=READY)
    page.wait_for_timeout(300)
    path = SHOTS / "laptop-map-with-targets.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#map").screenshot(path=str(path))
    # panels.js draws each target as a magenta circle with a dark plum ring (not Leaflet's default blue)
    ring = page.locator("#map path.raid-target").first
    assert (ring.get_attribute("stroke"), ring.get_attribute("fill")) == ("#5a0f44", "#c2378f")
    share = _colour_share(Image.open(path), (0xC2, 0x37, 0x8F), tol=60)  # its fill, blended over the map at 30 %
    assert share > 0.0005, share
    page.uncheck("#raid-targets-show")
    expect(page.locator("#map path.raid-target")).to_have_count(0)
    page.check("#raid-targets-show")
    expect(page.locator("#map path.raid-target").first).to_be_attached()
    page.locator("#view-raid-targets summary").click()  # closing the view takes its layer off the map
    expect(page.locator("#map path.raid-target")).to_have_count(0)


def test_a_pinned_architecture_is_b_on_the_side_by_side_maps(app, expected):
    """ "Use current as B" pins the drawn architecture: B's map is then A's, with A's shares."""
    pg = app(VIEWPORTS["laptop"])
    pg.open(f"#scenario={BASE}&res={RES}")
    page = pg.page
    page.click("#compare-pin")
    box = _open(page, "ab-maps")
    page.click("#ab-run")
    _done(box)
    want = 100 * expected["coverage"].population_fraction
    assert _pct(page.inner_text("#ab-share-a")) == pytest.approx(want, abs=0.051)
    assert _pct(page.inner_text("#ab-share-b")) == pytest.approx(want, abs=0.051)
    assert page.inner_text("#ab-title-b").startswith("B: ")
