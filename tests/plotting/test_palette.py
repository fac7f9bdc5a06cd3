"""The maps' palette under a colour-vision simulation: every shot-opportunity class is told apart from every other
and from the sea and land backgrounds, for normal vision and for the three dichromacies; the defended classes
darken in order; and the rule can fail (the old palette, a class on the sea colour, a red/green pair).

How far apart is far enough. Distances are CAM02-UCS ΔE' (Luo, Cui & Li 2006), whose unit is close to CIELAB's
ΔE*ab. For large patches side by side a standard observer sees "two different colours" above about 5
(Mokrzycki & Tatol 2011, the scale quoted by colour-science's ``JND_CIE1976`` notes). A 20 km grid cell is a
small mark (a few pixels), and the difference needed to tell colours apart grows as marks shrink (Stone, Szafir
& Setlur 2014, "An Engineering Model for Color Difference as a Function of Size", IS&T Color and Imaging
Conference): we ask for 12, more than twice the large-patch figure, inside the ~10-15 range map-palette
checkers use. The simulation is Machado, Oliveira & Fernandes (2009) at severity 100 (dichromacy), as
colorspacious implements it; simulated colours are clipped to the sRGB gamut, as a screen would show them.
"""

from __future__ import annotations

import itertools
import json

import matplotlib
import numpy as np
import pytest
from colorspacious import cspace_convert  # the test extra: the colour-vision simulation and CAM02-UCS
from matplotlib.colors import to_hex, to_rgb

from bmdlab import palette

#: The smallest CAM02-UCS ΔE' allowed between two classes, or a class and a background (module docstring).
MIN_DELTA_E = 12.0
#: The smallest lightness step (CAM02-UCS J') between consecutive defended classes: a visible step of grey.
MIN_LIGHTNESS_STEP = 10.0

#: colorspacious's CVD types for each simulated vision (None: normal vision).
VISIONS = {"normal": None, "deuteranopia": "deuteranomaly", "protanopia": "protanomaly", "tritanopia": "tritanomaly"}

CLASSES = {f"class {k}": colour for k, (colour, _label) in palette.SHOT_CLASSES.items()}
BACKGROUNDS = {"sea": palette.SEA, "land": palette.LAND, "japan": palette.JAPAN}


def seen(colours: list[str], vision: str) -> np.ndarray:
    """CAM02-UCS coordinates (J', a', b') of ``colours`` as seen with ``vision`` (severity 100)."""
    rgb = np.array([to_rgb(c) for c in colours])
    if VISIONS[vision] is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": VISIONS[vision], "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0.0, 1.0)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def too_close(classes: dict[str, str], backgrounds: dict[str, str], threshold: float = MIN_DELTA_E) -> list[str]:
    """Every pair (class-class, class-background) closer than ``threshold`` for some vision, as text."""
    named = {**classes, **backgrounds}
    names = list(named)
    problems = []
    for vision in VISIONS:
        ucs = dict(zip(names, seen(list(named.values()), vision)))
        pairs = list(itertools.combinations(classes, 2)) + list(itertools.product(classes, backgrounds))
        for a, b in pairs:
            d = float(np.linalg.norm(ucs[a] - ucs[b]))
            if d < threshold:
                problems.append(f"{vision}: {a} vs {b}: dE' {d:.1f}")
    return problems


def test_every_class_stands_apart_from_every_other_and_from_the_backgrounds_for_every_vision():
    assert too_close(CLASSES, BACKGROUNDS) == []


def test_a_class_on_the_sea_colour_fails_the_check_for_every_vision():
    bad = {**CLASSES, "class 2": palette.SEA}
    problems = too_close(bad, BACKGROUNDS)
    assert {p.split(":")[0] for p in problems if "class 2 vs sea" in p} == set(VISIONS)


def test_a_red_green_pair_fails_under_deuteranopia_only():
    # Matplotlib's tab:red and tab:green: far apart for normal vision, nearly one colour for a deuteranope
    problems = too_close({"red": "#d62728", "green": "#2ca02c"}, {})
    assert [p.split(":")[0] for p in problems] == ["deuteranopia"]


def test_the_palette_before_issue_26_fails_the_check():
    # the maps' colours before: "2 shot opportunities" pale blue on a pale-blue sea (issue #26)
    old_classes = {"undefended": "#d9534f", "1": "#fdd49e", "2": "#c6dbef", "3-5": "#6baed6", "out": "#bdbdbd"}
    old_backgrounds = {"sea": "#dbe8f2", "land": "#efe9dc", "japan": "#dcd3bd"}
    problems = too_close(old_classes, old_backgrounds)
    assert "normal: 2 vs sea: dE' 6.2" in problems


@pytest.mark.parametrize("vision", list(VISIONS))
def test_the_defended_classes_darken_in_order_for_every_vision(vision):
    colours = [palette.SHOT_CLASSES[k][0] for k in (1, 2, 3)]
    lightness = seen(colours, vision)[:, 0]
    assert np.all(-np.diff(lightness) >= MIN_LIGHTNESS_STEP), lightness


def test_the_defended_classes_darken_in_order_in_greyscale():
    # greyscale print: the relative luminance Y (sRGB, IEC 61966-2-1) of 1, 2 and 3+ decreases
    colours = [palette.SHOT_CLASSES[k][0] for k in (1, 2, 3)]
    rgb = np.array([to_rgb(c) for c in colours])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    assert luminance[0] > luminance[1] > luminance[2]


def test_undefended_stands_apart_from_every_defended_class_in_lightness_alone():
    # greyscale print: the undefended cells must not read as one of the defended classes
    lightness = seen([palette.SHOT_CLASSES[k][0] for k in (0, 1, 2, 3)], "normal")[:, 0]
    assert np.all(np.abs(lightness[1:] - lightness[0]) >= MIN_LIGHTNESS_STEP), lightness


def test_every_marker_shape_is_its_own():
    # unit types, cities and launch areas: no two share a Matplotlib marker or a web shape
    markers = [m for m, _s, _c, _l in palette.UNIT_TYPES.values()] + [palette.CITY[0], palette.LAUNCH_AREA[0]]
    shapes = [s for _m, s, _c, _l in palette.UNIT_TYPES.values()] + [palette.CITY[1], palette.LAUNCH_AREA[1]]
    assert len(set(markers)) == len(markers)
    assert len(set(shapes)) == len(shapes)


@pytest.mark.parametrize(
    ("unit", "basing", "expected"),
    [
        # the catalog's unit keys (bmdlab catalog units) and what each is
        ("kongo-class", "sea", "aegis-ship"),
        ("atago-class", "sea", "aegis-ship"),
        ("maya-class", "sea", "aegis-ship"),
        ("asev", "sea", "asev"),
        ("aegis-ashore", "land", "aegis-ashore"),
        ("thaad-battery", "land", "thaad"),
        ("pac-3-fire-unit", "land", "pac-3"),
        ("some-radar-site", "land", "other"),
    ],
)
def test_each_catalog_unit_gets_its_marker_type(unit, basing, expected):
    assert palette.unit_type(unit, basing) == expected


def test_the_web_palette_is_the_same_palette():
    served = json.loads(json.dumps(palette.palette_dict()))
    assert (served["sea"], served["land"], served["japan"]) == (palette.SEA, palette.LAND, palette.JAPAN)
    assert {int(k): (v["color"], v["label"]) for k, v in served["shot_classes"].items()} == palette.SHOT_CLASSES
    assert {k: (v["shape"], v["color"], v["label"]) for k, v in served["unit_types"].items()} == {
        k: (shape, colour, label) for k, (_m, shape, colour, label) in palette.UNIT_TYPES.items()
    }


def test_shot_class_caps_at_three_and_keeps_not_threatened():
    assert [palette.shot_class(n) for n in (-1, 0, 1, 2, 3, 4, 17)] == [-1, 0, 1, 2, 3, 3, 3]


def test_the_reach_maps_range_rings_stand_apart_from_the_sea_and_land_for_every_vision():
    name, lo, hi = palette.REACH_COLORMAP
    cmap = matplotlib.colormaps[name]
    rings = {f"ring {x:.2f}": to_hex(cmap(x)) for x in np.linspace(lo, hi, 6)}  # the study draws up to 6 missiles
    # rings are lines, so only ring-background pairs matter (neighbouring rings are told apart by their labels)
    problems = [p for p in too_close(rings, BACKGROUNDS) if " vs ring" not in p]
    assert problems == []
