"""KML (OGC KML 2.2, as Google Earth reads it) and CZML (Cesium) layers of coverages, footprints and flights.

KML
---
Polygons are styled by class (``PolyStyle`` and ``LineStyle`` colours ``aabbggrr``) and clamped to
the ground; each placemark carries its properties as ``ExtendedData``. A flight is a ``gx:Track``
(the Google extension of KML 2.2) with ``altitudeMode`` ``absolute``: one ``<when>`` (ISO 8601 UTC,
from the launch ``epoch``) and one ``<gx:coord>`` (lon lat altitude [m]) per sample, so Google
Earth's time slider flies it.

CZML
----
A JSON array of packets, the document packet first with ``"version": "1.0"`` (and, for flights, a
``clock`` over the flights' interval), as the CZML guide requires. A flight's ``position`` is
sampled: an ``epoch`` and ``cartographicDegrees`` ``[t, lon, lat, h, ...]`` (t in seconds from the
epoch, h in metres), drawn with a ``path``; a polygon packet per polygon part with its ``holes``.

Altitudes are above bmdlab's sphere (radius :data:`bmdlab.geo.sphere.EARTH_RADIUS`) and latitudes
are the model's, written as WGS 84 coordinates: the difference (tens of metres to a few kilometres
of altitude) is far below what these maps show.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.arguments import flag
from bmdlab.coverage.national import Coverage
from bmdlab.defense.footprint import Footprint
from bmdlab.errors import BmdlabError
from bmdlab.export.common import DECIMALS
from bmdlab.export.coverage import CLASS_LABELS, coverage_features
from bmdlab.export.footprint import FOOTPRINT_CLASS_LABELS, footprint_geojson
from bmdlab.export.trajectory import check_epoch, check_trajectory, flight_figures, iso_time, trajectory_samples
from bmdlab.io import atomic_write_bytes, check_output_file, strict_json
from bmdlab.lazy import lazy_module
from bmdlab.palette import SHOT_CLASSES
from bmdlab.trajectory.atmospheric import AtmosphericTrajectory
from bmdlab.trajectory.ballistic import Trajectory

if TYPE_CHECKING:
    import shapely
else:
    shapely = lazy_module("shapely")

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"

#: Colour of each shot-opportunity class when the caller gives none (``#rrggbb``): the maps' palette.
DEFAULT_COLOURS: dict[int, str] = {k: colour.lower() for k, (colour, _label) in SHOT_CLASSES.items()}
#: Colour of a flight's line.
FLIGHT_COLOUR = "#b2182b"
#: Opacity of filled polygons (0-255).
FILL_ALPHA = 180


def check_colours(colours: Any) -> dict[int, str]:
    """Class -> ``#rrggbb`` (None: :data:`DEFAULT_COLOURS`); every class -1..3 needs one."""
    if colours is None:
        return dict(DEFAULT_COLOURS)
    if not isinstance(colours, Mapping):
        raise BmdlabError(f"colours: expected a dict of class -> '#rrggbb', got {type(colours).__name__}")
    out = {}
    for k in DEFAULT_COLOURS:
        c = colours.get(k)
        if not (
            isinstance(c, str) and len(c) == 7 and c[0] == "#" and all(ch in "0123456789abcdefABCDEF" for ch in c[1:])
        ):
            raise BmdlabError(f"colours[{k}]: expected a colour '#rrggbb', got {c!r}")
        out[k] = c.lower()
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _kml_colour(colour: str, alpha: int = 255) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    r, g, b = _rgb(colour)
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"


def _finite(xy: NDArray, where: str) -> NDArray:
    if not np.all(np.isfinite(xy)):
        raise BmdlabError(f"{where}: a coordinate is not finite (NaN or infinite); check the object written")
    return xy


def _parts(geom: shapely.Geometry) -> list[shapely.Polygon]:
    return [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and not g.is_empty]


# -------------------------------------------------------------------------------------------------- layers


def _layer_name(obj: Any) -> str:
    if isinstance(obj, Coverage):
        return f"bmdlab coverage: {obj.scenario or 'unnamed architecture'}"
    if isinstance(obj, Footprint):
        return f"bmdlab footprint: {obj.defender.name} against {obj.missile}"
    return f"bmdlab trajectory ({obj.shape})"


def _polygon_layers(obj: Any, coast: bool) -> list[dict]:
    """The polygon features (class, label, properties, shapely geometry) of a coverage or footprint, and for a
    footprint its unit as a point feature (class None)."""
    if isinstance(obj, Coverage):
        feats = coverage_features(obj, coast=coast)
        labels = CLASS_LABELS
    else:
        feats = footprint_geojson(obj)["features"]
        labels = FOOTPRINT_CLASS_LABELS
    out = []
    for f in feats:
        props = dict(f["properties"])
        geom = shapely.geometry.shape(f["geometry"])
        c = props.get("class")
        label = labels[c] if c is not None else str(props.get("name"))
        out.append({"class": c, "label": label, "props": props, "geom": geom})
    return out


def _layer_object(obj: Any) -> str:
    if isinstance(obj, (Coverage, Footprint)):
        return "polygons"
    if isinstance(obj, (Trajectory, AtmosphericTrajectory)):
        check_trajectory(obj)
        return "flights"
    raise BmdlabError(
        f"obj: expected a Coverage, Footprint or Trajectory, got {type(obj).__name__}; "
        f"compute one with national_coverage, defended_footprint or missile_trajectory"
    )


# ----------------------------------------------------------------------------------------------------- KML


def _sub(parent: ET.Element, tag: str, text: Any = None, ns: str = KML_NS, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    if text is not None:
        el.text = str(text)
    return el


def _extended(pm: ET.Element, props: Mapping[str, Any]) -> None:
    ext = _sub(pm, "ExtendedData")
    for k, v in props.items():
        if isinstance(v, (list, dict)):
            continue
        _sub(_sub(ext, "Data", name=str(k)), "value", "" if v is None else v)


def _ring(parent: ET.Element, tag: str, coords: NDArray, where: str) -> None:
    xy = _finite(np.asarray(coords)[:, :2], where)
    text = " ".join(f"{x:.{DECIMALS}f},{y:.{DECIMALS}f}" for x, y in xy)
    _sub(_sub(_sub(parent, tag), "LinearRing"), "coordinates", text)


def _kml_polygons(doc: ET.Element, obj: Any, colours: dict[int, str], coast: bool) -> None:
    feats = _polygon_layers(obj, coast)
    for c, colour in colours.items():
        style = _sub(doc, "Style", id=f"class{c}")
        _sub(_sub(style, "LineStyle"), "color", _kml_colour(colour))
        _sub(_sub(style, "PolyStyle"), "color", _kml_colour(colour, FILL_ALPHA))
    for f in feats:
        pm = _sub(doc, "Placemark")
        _sub(pm, "name", f["label"])
        if f["class"] is not None:
            _sub(pm, "styleUrl", f"#class{f['class']}")
        _extended(pm, f["props"])
        geom = f["geom"]
        if geom.geom_type == "Point":
            x, y = _finite(np.array([geom.x, geom.y]), "obj")
            _sub(_sub(pm, "Point"), "coordinates", f"{x:.{DECIMALS}f},{y:.{DECIMALS}f}")
            continue
        multi = _sub(pm, "MultiGeometry")
        for poly in _parts(geom):
            p = _sub(multi, "Polygon")
            _sub(p, "tessellate", 1)
            _ring(p, "outerBoundaryIs", poly.exterior.coords, "obj")
            for hole in poly.interiors:
                _ring(p, "innerBoundaryIs", hole.coords, "obj")


def _kml_flights(doc: ET.Element, traj: Trajectory | AtmosphericTrajectory, epoch: datetime) -> None:
    style = _sub(doc, "Style", id="flight")
    _sub(_sub(style, "LineStyle"), "color", _kml_colour(FLIGHT_COLOUR))
    _sub(_sub(style, "LineStyle"), "width", 3)
    for i in range(len(traj)):
        s = trajectory_samples(traj, i)
        pm = _sub(doc, "Placemark")
        _sub(pm, "name", f"flight {i}")
        _sub(pm, "styleUrl", "#flight")
        _extended(pm, flight_figures(traj, i))
        track = _sub(pm, "Track", ns=GX_NS)
        _sub(track, "altitudeMode", "absolute")
        for t in s["time_s"]:
            _sub(track, "when", iso_time(epoch, t))
        xyz = np.column_stack([s["lon_deg"], s["lat_deg"], s["altitude_m"]])
        for x, y, z in _finite(xyz, "traj"):
            _sub(track, "coord", f"{x:.{DECIMALS}f} {y:.{DECIMALS}f} {z:.1f}", ns=GX_NS)


def layer_kml(
    obj: Any,
    *,
    provenance: Mapping | None = None,
    colours: Mapping[int, str] | None = None,
    coast: bool = True,
    epoch: datetime | None = None,
) -> bytes:
    """A coverage, a footprint or flights as a KML 2.2 document (UTF-8 bytes; see the module docstring).

    Parameters
    ----------
    obj : Coverage, Footprint or Trajectory
        What to draw: class polygons (a footprint adds its unit as a point) or one ``gx:Track`` per flight.
    provenance : dict, optional
        Written as the document's ``description`` (JSON).
    colours : dict of int to str, optional
        ``#rrggbb`` per class -1..3 (default :data:`DEFAULT_COLOURS`).
    coast : bool, default True
        Coverage only: cut the polygons to the coastline.
    epoch : datetime, optional
        Flights only: the launch time (default :data:`bmdlab.export.trajectory.LAUNCH_EPOCH`).

    Returns
    -------
    bytes
    """
    kind = _layer_object(obj)
    colours_ = check_colours(colours)
    coast = flag("coast", coast)
    start = check_epoch(epoch)
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", _layer_name(obj))
    if provenance is not None:
        _sub(doc, "description", json.dumps(_provenance(provenance), ensure_ascii=False))
    if kind == "polygons":
        _kml_polygons(doc, obj, colours_, coast)
    else:
        _kml_flights(doc, obj, start)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _provenance(provenance: Any) -> dict:
    if not isinstance(provenance, Mapping):
        raise BmdlabError(f"provenance: expected a dict, got {type(provenance).__name__}")
    return strict_json(dict(provenance))[0]


# ---------------------------------------------------------------------------------------------------- CZML


def _rgba(colour: str, alpha: int = 255) -> dict:
    return {"rgba": [*_rgb(colour), alpha]}


def _czml_polygons(obj: Any, colours: dict[int, str], coast: bool) -> list[dict]:
    feats = _polygon_layers(obj, coast)
    packets = []
    for f in feats:
        c, props, geom = f["class"], f["props"], f["geom"]
        if geom.geom_type == "Point":
            x, y = _finite(np.array([geom.x, geom.y]), "obj")
            packets.append(
                {
                    "id": "unit",
                    "name": f["label"],
                    "properties": props,
                    "position": {"cartographicDegrees": [round(float(x), DECIMALS), round(float(y), DECIMALS), 0.0]},
                    "point": {"pixelSize": 9, "color": _rgba("#1b1b1b")},
                }
            )
            continue
        for j, poly in enumerate(_parts(geom)):
            packets.append(
                {
                    "id": f"class{c}-{j}",
                    "name": f["label"],
                    "properties": props,
                    "polygon": {
                        "positions": {"cartographicDegrees": _flat(poly.exterior.coords)},
                        "holes": {"cartographicDegrees": [_flat(h.coords) for h in poly.interiors]},
                        "material": {"solidColor": {"color": _rgba(colours[c], FILL_ALPHA)}},
                        "outline": True,
                        "outlineColor": _rgba(colours[c]),
                        "height": 0.0,
                    },
                }
            )
            if not poly.interiors:
                del packets[-1]["polygon"]["holes"]
    return packets


def _flat(coords: Any) -> list[float]:
    """A ring as CZML ``cartographicDegrees`` [lon, lat, 0, ...], the closing point left out."""
    xy = _finite(np.asarray(coords)[:-1, :2], "obj")
    return np.column_stack([np.round(xy, DECIMALS), np.zeros(len(xy))]).ravel().tolist()


def _czml_flights(traj: Trajectory | AtmosphericTrajectory, epoch: datetime) -> tuple[list[dict], str]:
    packets, end = [], 0.0
    for i in range(len(traj)):
        s = trajectory_samples(traj, i)
        t = s["time_s"]
        txyz = _finite(
            np.column_stack(
                [
                    np.round(t, 3),
                    np.round(s["lon_deg"], DECIMALS),
                    np.round(s["lat_deg"], DECIMALS),
                    np.round(s["altitude_m"], 1),
                ]
            ),
            "traj",
        )
        end = max(end, float(t[-1]))
        packets.append(
            {
                "id": f"flight{i}",
                "name": f"flight {i}",
                "properties": flight_figures(traj, i),
                "availability": f"{iso_time(epoch, 0.0)}/{iso_time(epoch, t[-1])}",
                "position": {
                    "epoch": iso_time(epoch, 0.0),
                    "cartographicDegrees": txyz.ravel().tolist(),
                    "interpolationAlgorithm": "LAGRANGE",
                    "interpolationDegree": 1,
                },
                "path": {
                    "material": {"solidColor": {"color": _rgba(FLIGHT_COLOUR)}},
                    "width": 3,
                    "leadTime": 0,
                    "trailTime": math.ceil(float(t[-1])) + 1,
                    "resolution": 1,
                },
                "point": {"pixelSize": 8, "color": _rgba(FLIGHT_COLOUR)},
            }
        )
    return packets, f"{iso_time(epoch, 0.0)}/{iso_time(epoch, end)}"


def layer_czml(
    obj: Any,
    *,
    provenance: Mapping | None = None,
    colours: Mapping[int, str] | None = None,
    coast: bool = True,
    epoch: datetime | None = None,
) -> list[dict]:
    """A coverage, a footprint or flights as CZML packets (see the module docstring).

    Parameters are those of :func:`layer_kml`; ``provenance`` goes to the document packet's
    ``description`` (JSON).

    Returns
    -------
    list of dict
        The document packet (``id`` ``"document"``, ``version`` ``"1.0"``), then one packet per
        polygon part (``properties`` hold the class's), per footprint unit or per flight.
    """
    kind = _layer_object(obj)
    colours_ = check_colours(colours)
    coast = flag("coast", coast)
    start = check_epoch(epoch)
    document: dict[str, Any] = {"id": "document", "name": _layer_name(obj), "version": "1.0"}
    if kind == "polygons":
        packets = _czml_polygons(obj, colours_, coast)
    else:
        packets, interval = _czml_flights(obj, start)
        document["clock"] = {
            "interval": interval,
            "currentTime": interval.split("/")[0],
            "multiplier": 10,
            "range": "LOOP_STOP",
            "step": "SYSTEM_CLOCK_MULTIPLIER",
        }
    if provenance is not None:
        document["description"] = json.dumps(_provenance(provenance), ensure_ascii=False)
    return [document, *packets]


def write_kml(obj: Any, path: str | Path, **options: Any) -> Path:
    """Write :func:`layer_kml` of ``obj`` atomically to ``path`` (``.kml``); ``options`` are its keywords."""
    data = layer_kml(obj, **options)
    return atomic_write_bytes(check_output_file(path, "path"), data)


def write_czml(obj: Any, path: str | Path, **options: Any) -> Path:
    """Write :func:`layer_czml` of ``obj`` atomically to ``path`` (``.czml``, compact JSON); ``options`` are its
    keywords."""
    packets = layer_czml(obj, **options)
    text = json.dumps(packets, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return atomic_write_bytes(check_output_file(path, "path"), (text + "\n").encode("utf-8"))
