"""The static maps read from their artists: one marker shape per unit type and a legend that shows exactly the
drawn markers, cells in the palette's colours, place names that never overlap, a scale bar whose length is
true (checked with an independent geodesic), the Nansei panel, and refused output paths."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyproj  # the test extra: an independent geodesic (Karney 2013) for the scale bar
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.markers import MarkerStyle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

import bmdlab
from bmdlab import palette
from bmdlab.errors import BmdlabError
from bmdlab.geo.japan import largest_cities
from bmdlab.plotting.maps import (
    LABEL_GID,
    SCALE_BAR_GID,
    MapLayout,
    Markers,
    ReachField,
    ShotLayer,
    declutter_labels,
    plot_coverage_map,
    plot_threat_map,
)
from bmdlab.study.figures import NANSEI_STRIP, coverage_maps_side_by_side, outlines

#: The japan-2028 posture (ASEVs, Kongo/Atago/Maya destroyers, PAC-3) plus an Aegis Ashore site and a THAAD
#: battery: every unit type of the catalog on one map.
EXTRA_UNITS = (
    "  units:\n"
    "    - {unit: aegis-ashore, at: araya, name: Aegis Ashore Araya (Akita)}\n"
    "    - {unit: thaad-battery, at: {lat: 35.1965, lon: 136.5206}, name: THAAD Mie}\n"
)
#: What each catalog unit is (the catalog's unit names: Kongo/Atago/Maya-class Aegis destroyers, ...).
EXPECTED_TYPE = {
    "kongo-class": "aegis-ship",
    "atago-class": "aegis-ship",
    "maya-class": "aegis-ship",
    "asev": "asev",
    "aegis-ashore": "aegis-ashore",
    "thaad-battery": "thaad",
    "pac-3-fire-unit": "pac-3",
}


@pytest.fixture(scope="module")
def all_types(tmp_path_factory):
    """A coverage result (80 km grid) of a scenario with every catalog unit type, and its map (a Figure)."""
    text = (Path(bmdlab.__file__).parent / "scenarios" / "japan-2028.yaml").read_text()
    assert text.count("  units:\n") == 1
    text = text.replace("  units:\n", EXTRA_UNITS, 1).replace("name: japan-2028\n", "name: all-unit-types\n", 1)
    path = tmp_path_factory.mktemp("scenario") / "all-unit-types.yaml"
    path.write_text(text)
    cov = bmdlab.Analysis(str(path)).coverage(resolution_km=80)
    return cov, cov.plot(None)


def _marker_vertices(marker: str) -> np.ndarray:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


def _unit_collections(ax) -> dict[str, object]:
    return {c.get_gid().removeprefix("unit:"): c for c in ax.collections if (c.get_gid() or "").startswith("unit:")}


def _check_units_and_legend(ax, expected_counts: dict[str, int]) -> None:
    """Each expected type drawn once, with its own shape, and a legend entry with the same marker and colours."""
    drawn = _unit_collections(ax)
    assert {k: len(c.get_offsets()) for k, c in drawn.items()} == expected_counts
    shapes = [tuple(np.round(c.get_paths()[0].vertices, 6).ravel()) for c in drawn.values()]
    assert len(set(shapes)) == len(shapes), "two unit types share a marker shape"
    legend = ax.get_legend()
    labels = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles))
    unit_entries = [k for k in labels if any(k.startswith(v[3] + " (") for v in palette.UNIT_TYPES.values())]
    assert len(unit_entries) == len(drawn), unit_entries
    for kind, coll in drawn.items():
        label = f"{palette.UNIT_TYPES[kind][3]} ({expected_counts[kind]})"
        assert label in labels, f"no legend entry {label!r}"
        handle = labels[label]
        assert np.allclose(_marker_vertices(handle.get_marker()), coll.get_paths()[0].vertices)
        assert np.allclose(to_rgba(handle.get_markerfacecolor()), coll.get_facecolor()[0])
        assert np.allclose(to_rgba(handle.get_markeredgecolor()), coll.get_edgecolor()[0])


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
def test_each_unit_type_has_its_own_marker_and_the_legend_shows_the_drawn_ones(all_types):
    cov, fig = all_types
    counts: dict[str, int] = {}
    for d in cov.coverage.defenders:
        counts[EXPECTED_TYPE[d.unit]] = counts.get(EXPECTED_TYPE[d.unit], 0) + 1
    assert set(counts) == set(palette.UNIT_TYPES) - {"other"}
    _check_units_and_legend(fig.axes[0], counts)


def test_all_six_unit_types_including_other_are_told_apart():
    units = [{"name": k, "lat": 35.0 + i, "lon": 135.0 + i, "type": k} for i, k in enumerate(palette.UNIT_TYPES)]
    layer = ShotLayer(np.array([35.0]), np.array([135.0]), 20.0, np.array([1]))
    fig = plot_coverage_map(
        None, outlines=outlines(), layer=layer, markers=Markers(units=units), layout=MapLayout("all types")
    )
    _check_units_and_legend(fig.axes[0], dict.fromkeys(palette.UNIT_TYPES, 1))


def test_cells_and_backgrounds_take_the_palettes_colours():
    shots = np.array([-1, 0, 1, 2, 3, 7])
    layer = ShotLayer(np.full(6, 36.0), 130.0 + 2.0 * np.arange(6), 20.0, shots)
    fig = plot_coverage_map(None, outlines=outlines(), layer=layer, markers=Markers(), layout=MapLayout("classes"))
    ax = fig.axes[0]
    (cells,) = [c for c in ax.collections if c.get_gid() == "shot-cells"]
    expected = [palette.SHOT_CLASSES[k][0] for k in (-1, 0, 1, 2, 3, 3)]  # 7 shots is "3+"
    assert np.allclose(cells.get_facecolor(), [to_rgba(c) for c in expected])
    assert np.allclose(ax.get_facecolor(), to_rgba(palette.SEA))
    fills = {tuple(np.round(c.get_facecolor()[0], 4)) for c in ax.collections if len(c.get_facecolor())}
    assert tuple(np.round(to_rgba(palette.LAND), 4)) in fills
    assert tuple(np.round(to_rgba(palette.JAPAN), 4)) in fills
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [palette.SHOT_CLASSES[k][1] for k in (-1, 0, 1, 2, 3)]


def _visible_label_boxes(fig, dpi: float) -> dict[object, list[tuple[str, Bbox]]]:
    """Each axes' visible place names and their text boxes [px], from the Agg renderer at ``dpi``."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    out: dict[object, list[tuple[str, Bbox]]] = {}
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_gid() == LABEL_GID and t.get_visible()]
        out[ax] = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
    return out


def _overlap_px2(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
@pytest.mark.parametrize("dpi", [100, 110])
def test_place_names_never_overlap_and_the_capital_is_named(all_types, dpi):
    _cov, fig = all_types
    boxes = _visible_label_boxes(fig, dpi)
    main = boxes[fig.axes[0]]
    names = [n for n, _ in main]
    assert "Tokyo" in names and len(names) >= 6, names
    frame = fig.axes[0].get_window_extent()
    for i, (a, box_a) in enumerate(main):
        assert frame.x0 <= box_a.x0 and box_a.x1 <= frame.x1 and frame.y0 <= box_a.y0 and box_a.y1 <= frame.y1, a
        for b, box_b in main[i + 1 :]:
            assert _overlap_px2(box_a, box_b) == 0.0, f"{a} overlaps {b}"


def test_a_crowd_of_names_is_thinned_until_none_overlap():
    # thirty names within 40 km of Tokyo: most cannot fit, and the ones shown must not touch
    rng = np.random.default_rng(2017)
    cities = [
        {"name": f"Place number {i}", "lat": 35.68 + rng.uniform(-0.2, 0.2), "lon": 139.7 + rng.uniform(-0.2, 0.2)}
        for i in range(30)
    ]
    layer = ShotLayer(np.array([35.68]), np.array([139.7]), 20.0, np.array([2]))
    fig = plot_coverage_map(
        None, outlines=outlines(), layer=layer, markers=Markers(cities=cities), layout=MapLayout("crowd")
    )
    main = _visible_label_boxes(fig, 110)[fig.axes[0]]
    assert 1 <= len(main) < 10  # only the first ten cities are named, and not all of those fit
    for i, (a, box_a) in enumerate(main):
        for b, box_b in main[i + 1 :]:
            assert _overlap_px2(box_a, box_b) == 0.0, f"{a} overlaps {b}"
    fig.set_dpi(100)  # the figure's own resolution, at which it was placed
    hidden = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == LABEL_GID and not t.get_visible()]
    assert len(hidden) == 10 - len(main)
    assert declutter_labels(fig) == len(hidden)  # placing again from scratch hides as many


def test_the_reach_maps_names_never_overlap_and_its_launch_areas_have_their_own_shape():
    lon, lat = np.meshgrid(np.linspace(110.0, 160.0, 101), np.linspace(15.0, 55.0, 81))
    distance_km = 111.0 * np.hypot((lon - 127.0) * np.cos(np.radians(lat)), lat - 40.0)  # a stand-in field
    fig = plot_threat_map(
        None,
        outlines=outlines(),
        reach=ReachField(lon, lat, distance_km, [("short", 1000.0), ("long", 10000.0)]),
        markers=Markers(launch_areas=[{"name": "A", "lat": 40.0, "lon": 127.0}], cities=largest_cities(12).records()),
        title="reach",
    )
    main = _visible_label_boxes(fig, 110)[fig.axes[0]]
    assert "Tokyo" in [n for n, _ in main]
    for i, (a, box_a) in enumerate(main):
        for b, box_b in main[i + 1 :]:
            assert _overlap_px2(box_a, box_b) == 0.0, f"{a} overlaps {b}"
    (areas,) = [c for c in fig.axes[0].collections if c.get_gid() == "launch-areas"]
    assert np.allclose(areas.get_paths()[0].vertices, _marker_vertices(palette.LAUNCH_AREA[0]))


def _scale_bars(ax) -> list[tuple[float, float]]:
    """Each scale bar of ``ax``: its length from its endpoints on the WGS 84 ellipsoid [km], and its label [km]."""
    geod = pyproj.Geod(ellps="WGS84")
    out = []
    for line in [ln for ln in ax.lines if ln.get_gid() == SCALE_BAR_GID]:
        (lon0, lon1), (lat0, lat1) = line.get_xdata(), line.get_ydata()
        _az, _back, metres = geod.inv(lon0, lat0, lon1, lat1)
        label = next(t.get_text() for t in ax.texts if " km (at " in t.get_text())
        out.append((metres / 1e3, float(re.match(r"([\d,]+) km", label).group(1).replace(",", ""))))
    return out


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
def test_the_coverage_map_has_a_true_scale_bar_and_the_nansei_panel(all_types):
    _cov, fig = all_types
    main, strip = fig.axes[:2]
    assert strip.get_title().startswith("Nansei islands")
    assert tuple(strip.get_xlim()) + tuple(strip.get_ylim()) == pytest.approx(NANSEI_STRIP)
    (box,) = [p for p in main.patches if p.get_gid() == "strip-extent"]
    assert (box.get_x(), box.get_x() + box.get_width()) == pytest.approx(NANSEI_STRIP[:2])
    for ax in (main, strip):
        ((geodesic_km, label_km),) = _scale_bars(ax)
        # the bar runs along a parallel; the geodesic between its ends is shorter by well under 0.1 % at 500 km
        assert geodesic_km == pytest.approx(label_km, rel=3e-3)


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
def test_the_study_maps_have_a_scale_bar_and_nansei_panel_per_architecture(all_types):
    cov, _fig = all_types
    fig = coverage_maps_side_by_side({"a": cov.coverage, "b": cov.coverage}, cov.catalog, [], None)
    titles = [ax.get_title() for ax in fig.axes]
    assert sum(t.startswith("Nansei islands") for t in titles) == 2
    for ax in fig.axes:
        ((geodesic_km, label_km),) = _scale_bars(ax)
        assert geodesic_km == pytest.approx(label_km, rel=3e-3)


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
def test_a_map_is_never_written_over_a_folder_or_through_a_symlink(all_types, tmp_path):
    cov, _fig = all_types
    with pytest.raises(BmdlabError) as err:
        cov.plot(tmp_path)
    assert "\n" not in str(err.value) and str(err.value).startswith("path:") and "folder" in str(err.value)
    target = tmp_path / "kept.txt"
    target.write_text("kept")
    link = tmp_path / "map.png"
    link.symlink_to(target)
    with pytest.raises(BmdlabError, match="symbolic link"):
        cov.plot(link)
    assert target.read_text() == "kept" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt", "map.png"]  # no temporary file left


@pytest.mark.slow  # the module's scenario coverage (80 km grid)
def test_labels_take_no_part_in_the_layout(all_types):
    _cov, fig = all_types
    labels = [t for t in fig.axes[0].texts if isinstance(t, Annotation) and t.get_gid() == LABEL_GID]
    assert labels and not any(t.get_in_layout() for t in labels)


@pytest.mark.slow  # a coverage of Japan (80 km grid)
def test_the_map_never_says_all_of_japan_while_a_cell_is_undefended():
    # Aegis Ashore defends all of Japan but the Yonaguni cell (issue #26: shown as 100.0 % before)
    cov = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=80)
    land, people = cov.coverage.fractions(cov.coverage.defended())
    assert 0.999 < land < 1.0 and 0.999 < people < 1.0
    subtitle = cov.plot(None).axes[0].get_title().splitlines()[1]
    assert "100" not in subtitle
    assert subtitle.startswith("> 99.9 % of Japan's land, > 99.9 % of its people defended")
