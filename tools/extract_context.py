"""Dev-time: extract neighbour-country outlines (Korea, China, Russia...) for map context.

Run once, offline, after ``npm install world-atlas@2.0.2`` in a scratch folder::

    python tools/extract_context.py /path/to/node_modules/world-atlas/countries-50m.json

Writes ``src/bmdlab/geo/data/region_context.geojson``: the Natural Earth 1:50m country polygons
(public domain; world-atlas is ISC-licensed) clipped to 118-158 E, 20-50 N, without Japan (Japan's
own 1:10m outline ships separately). Not used at run time except to draw maps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import box, mapping, shape

BBOX = (118.0, 20.0, 158.0, 50.0)
OUT = Path(__file__).resolve().parents[1] / "src/bmdlab/geo/data/region_context.geojson"


def decode_topojson(topo: dict, name: str) -> list[tuple[dict, dict]]:
    """Decode a quantized TopoJSON object into (properties, GeoJSON geometry) pairs."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices):
        out = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    feats = []
    for geom in topo["objects"][name]["geometries"]:
        if geom["type"] == "Polygon":
            g = {"type": "Polygon", "coordinates": [ring(r) for r in geom["arcs"]]}
        elif geom["type"] == "MultiPolygon":
            g = {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geom["arcs"]]}
        else:
            continue
        feats.append((geom.get("properties", {}), g))
    return feats


def main(path: str) -> None:
    topo = json.loads(Path(path).read_text())
    clip = box(*BBOX)
    features = []
    for props, geom in decode_topojson(topo, "countries"):
        if props.get("name") == "Japan":
            continue
        g = shape(geom).buffer(0).intersection(clip)
        if g.is_empty:
            continue
        g = g.simplify(0.01)
        features.append({"type": "Feature", "properties": {"name": props.get("name")}, "geometry": mapping(g)})
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, separators=(",", ":"))
    import re

    text = re.sub(r"(\d+\.\d{3})\d+", r"\1", text)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(features)} countries, {OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
