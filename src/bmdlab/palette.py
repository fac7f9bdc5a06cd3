"""One home for the colours and marker shapes of every map (static figures and the web page alike).

The shot-opportunity classes use a colour-blind-safe sequential scheme: 1, 2 and 3+ shot opportunities are
three steps of viridis (light yellow-green, blue, dark purple), so they read as an order by lightness
alone, in greyscale and under every colour-vision deficiency; "threatened, undefended" is Okabe-Ito's
vermilion and "not threatened" a neutral grey. No class shares its colour with the sea or the land background:
``tests/plotting/test_palette.py`` checks every pair (and each class against each background) for normal vision
and simulated deuteranopia, protanopia and tritanopia (Machado, Oliveira & Fernandes 2009, through colorspacious),
and the order of the classes' lightness.

Each unit type has its own marker shape, so the legend reads without colour; cities and launch areas have
shapes no unit type uses.

The web page fetches this palette from the server (``palette_dict``), so the two never drift apart. This module
imports nothing but the standard library.

References
----------
Machado, G. M., Oliveira, M. M. & Fernandes, L. A. F. (2009). A physiologically-based model for simulation of
color vision deficiency. IEEE TVCG 15(6), 1291-1298.
Okabe, M. & Ito, K. (2008). Color universal design (CUD): how to make figures and presentations that are friendly
to colorblind people. https://jfly.uni-koeln.de/color/
van der Walt, S. & Smith, N. (2015). mpl colormaps (viridis). https://bids.github.io/colormap/
"""

from __future__ import annotations

from typing import Any

#: Background colours: the sea, the neighbouring countries' land, and Japan's own land (seen between cells).
SEA = "#d6e6f2"
LAND = "#f2efe8"
JAPAN = "#e6e0d2"
#: Coastlines and borders (outline strokes, not fills).
COAST = "#4d4d4d"
BORDER = "#8a8a8a"

#: Shot-opportunity classes (``shot_class`` values): colour and legend label.
SHOT_CLASSES: dict[int, tuple[str, str]] = {
    -1: ("#b0b0b0", "Not threatened"),
    0: ("#d55e00", "Threatened, undefended"),
    1: ("#86d549", "Defended: 1 shot opportunity"),
    2: ("#355f8d", "Defended: 2 shot opportunities"),
    3: ("#440154", "Defended: 3+ shot opportunities"),
}

#: Unit types: (matplotlib marker, web shape name, fill colour, legend label). The web shape names are drawn as
#: SVG; every marker has a white edge (``UNIT_EDGE``) so that it reads on the dark classes as on the light ones.
UNIT_TYPES: dict[str, tuple[str, str, str, str]] = {
    "aegis-ship": ("^", "triangle", "#1b1b1b", "Aegis BMD destroyer (SM-3)"),
    "asev": ("v", "triangle-down", "#1b1b1b", "Aegis system-equipped vessel (ASEV)"),
    "aegis-ashore": ("s", "square", "#1b1b1b", "Aegis Ashore site"),
    "thaad": ("D", "diamond", "#1b1b1b", "THAAD battery"),
    "pac-3": ("p", "pentagon", "#1b1b1b", "PAC-3 unit"),
    "other": ("P", "plus", "#1b1b1b", "other unit"),
}
UNIT_EDGE = "#ffffff"

#: Cities (a small dot, labelled) and launch areas: (matplotlib marker, web shape name, colour).
CITY = ("o", "circle", "#1b1b1b")
LAUNCH_AREA = ("X", "cross", "#a50f15")

#: The missiles' range rings on the reach map: a Matplotlib colormap and the part of it used (shortest range at
#: the first end), dark purple to orange, clear of the sea and land fills.
REACH_COLORMAP = ("plasma", 0.1, 0.85)


def shot_class(shots: int) -> int:
    """The ``SHOT_CLASSES`` key of a cell with ``shots`` shot opportunities (-1: not threatened)."""
    return -1 if shots < 0 else min(int(shots), 3)


def unit_type(unit_key: str, basing: str | None = None) -> str:
    """The marker type of a catalog unit key (``UNIT_TYPES`` key)."""
    if "thaad" in unit_key:
        return "thaad"
    if "pac-3" in unit_key or "patriot" in unit_key:
        return "pac-3"
    if "aegis-ashore" in unit_key:
        return "aegis-ashore"
    if unit_key == "asev" or unit_key.startswith("asev"):
        return "asev"
    if basing == "sea" or "aegis" in unit_key or "ddg" in unit_key:
        return "aegis-ship"
    return "other"


def palette_dict() -> dict[str, Any]:
    """The palette as JSON-ready data (served to the web page)."""
    return {
        "sea": SEA,
        "land": LAND,
        "japan": JAPAN,
        "coast": COAST,
        "shot_classes": {str(k): {"color": c, "label": label} for k, (c, label) in SHOT_CLASSES.items()},
        "unit_types": {
            k: {"shape": shape, "color": c, "edge": UNIT_EDGE, "label": label}
            for k, (_m, shape, c, label) in UNIT_TYPES.items()
        },
        "city": {"shape": CITY[1], "color": CITY[2]},
        "launch_area": {"shape": LAUNCH_AREA[1], "color": LAUNCH_AREA[2]},
    }


__all__ = [
    "BORDER",
    "CITY",
    "COAST",
    "JAPAN",
    "LAND",
    "LAUNCH_AREA",
    "REACH_COLORMAP",
    "SEA",
    "SHOT_CLASSES",
    "UNIT_EDGE",
    "UNIT_TYPES",
    "palette_dict",
    "shot_class",
    "unit_type",
]
