"""Neighbouring countries' outlines, used only to give maps their context.

Natural Earth 1:50m countries (public domain) from the npm package world-atlas 2.0.2 (ISC),
clipped to 118-158 E, 20-50 N and simplified to 0.01 deg by ``tools/extract_context.py``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry


@functools.cache
def neighbour_outlines() -> dict[str, BaseGeometry]:
    """Country name -> shapely geometry (lon/lat degrees) for the countries around Japan."""
    text = (resources.files("bmdlab.geo") / "data" / "region_context.geojson").read_text(encoding="utf-8")
    return {f["properties"]["name"]: shape(f["geometry"]) for f in json.loads(text)["features"]}
