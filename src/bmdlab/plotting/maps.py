"""Maps of Japan and its region (equirectangular, offline: outlines ship with bmdlab)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry.base import BaseGeometry

from bmdlab.plotting import finish_figure, new_figure

#: Default map extent: lon_min, lon_max, lat_min, lat_max [deg] (Korean peninsula to the Kurils).
REGION_EXTENT = (119.0, 150.0, 23.0, 47.0)

LAND = "#efe9dc"
JAPAN = "#dcd3bd"
SEA = "#dbe8f2"


@dataclass(frozen=True)
class Outlines:
    """The map's land: Japan and its neighbours (shapely geometries in lon/lat degrees)."""

    japan: BaseGeometry
    neighbours: Mapping[str, BaseGeometry]


@dataclass(frozen=True)
class Markers:
    """Points drawn over a map: dicts with ``name``, ``lat``, ``lon`` [deg]; cities also ``population``, units
    also ``basing`` ('sea'/'land') and ``system``."""

    launch_areas: Sequence[Mapping[str, Any]] = ()
    cities: Sequence[Mapping[str, Any]] = ()
    units: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class ReachField:
    """Distance [km] from the nearest launch area on a ``lon`` x ``lat`` grid [deg], and the ranges [km] of the
    missiles whose reach is drawn (``(label, range)``)."""

    lon: np.ndarray
    lat: np.ndarray
    distance_km: np.ndarray
    ranges_km: Sequence[tuple[str, float]]


@dataclass(frozen=True)
class ShotLayer:
    """Cells of about ``resolution_km`` a side at (``lat_deg``, ``lon_deg``) with their shot opportunities
    (0: undefended, -1: not threatened)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    resolution_km: float
    shots: np.ndarray


@dataclass(frozen=True)
class MapLayout:
    """A map's title, subtitle and extent (lon_min, lon_max, lat_min, lat_max [deg]), and an optional enlarged
    ``strip`` panel below it (e.g. the Nansei islands, too small to read at the map's scale)."""

    title: str
    subtitle: str = ""
    extent: Sequence[float] = (122.0, 149.0, 24.0, 46.0)
    strip: Sequence[float] | None = None
    strip_title: str = ""


def _polygons(geom: BaseGeometry) -> list[Any]:
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):
        out = []
        for g in geom.geoms:
            out.extend(_polygons(g))
        return out
    return []


def draw_outline(
    ax: Axes, geom: BaseGeometry, face: str, edge: str = "#6b6b6b", lw: float = 0.5, zorder: int = 1
) -> None:
    """Fill every polygon's exterior of a shapely geometry given in lon/lat degrees (one collection: Japan's
    outline has hundreds of islands, and a patch each costs seconds per figure)."""
    rings = [np.asarray(poly.exterior.coords)[:, :2] for poly in _polygons(geom)]
    if rings:
        ax.add_collection(PolyCollection(rings, facecolors=face, edgecolors=edge, linewidths=lw, zorder=zorder))
        ax.autoscale_view()


def add_scale_bar(ax: Axes, length_km: float = 500.0, loc: tuple[float, float] = (0.04, 0.05)) -> None:
    """A scale bar of ``length_km`` at the axes fraction ``loc`` (valid at that latitude)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lon = x0 + loc[0] * (x1 - x0)
    lat = y0 + loc[1] * (y1 - y0)
    dlon = length_km / (111.32 * np.cos(np.radians(lat)))
    ax.plot([lon, lon + dlon], [lat, lat], color="k", lw=3, solid_capstyle="butt", zorder=10)
    ax.text(
        lon + dlon / 2, lat + 0.012 * (y1 - y0), f"{length_km:,.0f} km", ha="center", va="bottom", fontsize=8, zorder=10
    )


def nice_length(x: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``x`` (for scale bars)."""
    p = 10.0 ** np.floor(np.log10(x))
    return float(max(m * p for m in (1, 2, 5) if m * p <= x))


def base_map(
    ax: Axes,
    japan: BaseGeometry,
    neighbours: Mapping[str, BaseGeometry],
    extent: Sequence[float] = REGION_EXTENT,
    scale_km: float = 500.0,
) -> None:
    """Sea, neighbouring countries, Japan, graticule, aspect and scale bar."""
    ax.set_facecolor(SEA)
    for geom in neighbours.values():
        draw_outline(ax, geom, LAND, lw=0.4)
    draw_outline(ax, japan, JAPAN, edge="#4d4d4d", lw=0.6, zorder=2)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (extent[2] + extent[3]))))
    ax.grid(color="white", lw=0.5, alpha=0.8)
    ax.set_xlabel("longitude [deg E]")
    ax.set_ylabel("latitude [deg N]")
    add_scale_bar(ax, scale_km)


def plot_threat_map(
    path: str | Path | None,
    *,
    outlines: Outlines,
    reach: ReachField,
    markers: Markers,
    title: str,
    label_cities: int = 12,
) -> Path | Figure:
    """Japan with the launch areas, each missile's reach and the main cities.

    ``reach.distance_km`` is the distance from the nearest launch area on the grid; each missile's range
    ring is its contour at the missile's range, i.e. the edge of the region some public launch area can
    reach. Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    fig = new_figure((9.5, 8.5))
    ax = fig.subplots()
    base_map(ax, outlines.japan, outlines.neighbours)
    handles = _reach_rings(ax, reach)
    cities, launch_areas = markers.cities, markers.launch_areas
    pops = np.array([c["population"] for c in cities], float)
    sizes = 8 + 120 * np.sqrt(pops / pops.max()) if len(pops) else []
    ax.scatter(
        [c["lon"] for c in cities],
        [c["lat"] for c in cities],
        s=sizes,
        c="#1f4e79",
        edgecolor="white",
        linewidth=0.5,
        zorder=6,
    )
    handles.append(Line2D([], [], marker="o", color="#1f4e79", lw=0, label="city (size ~ population)"))
    for c in list(cities)[:label_cities]:
        ax.annotate(c["name"], (c["lon"], c["lat"]), textcoords="offset points", xytext=(4, 3), fontsize=7, zorder=7)
    ax.scatter(
        [a["lon"] for a in launch_areas],
        [a["lat"] for a in launch_areas],
        marker="^",
        s=60,
        c="#c0392b",
        edgecolor="k",
        linewidth=0.5,
        zorder=8,
    )
    handles.append(
        Line2D([], [], marker="^", color="#c0392b", lw=0, label=f"reported launch areas ({len(launch_areas)})")
    )
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title="reach from any launch area",
        title_fontsize=8,
    )
    ax.set_title(title, fontsize=11)
    return finish_figure(fig, path)


def _reach_rings(ax: Axes, reach: ReachField) -> list[Any]:
    """Each missile's range ring (a dotted legend entry when its range covers the whole map)."""
    cmap = matplotlib.colormaps["plasma"]
    handles: list[Any] = []
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    in_view = (reach.lon >= x0) & (reach.lon <= x1) & (reach.lat >= y0) & (reach.lat <= y1)
    far = float(reach.distance_km[in_view].max())
    ranges = reach.ranges_km
    for i, (label, rng) in enumerate(sorted(ranges, key=lambda r: r[1])):
        color = cmap(0.1 + 0.75 * i / max(1, len(ranges) - 1))
        if rng >= far:
            handles.append(Line2D([], [], color=color, lw=1.6, ls=":", label=f"{label} ({rng:,.0f} km): whole map"))
            continue
        ax.contour(reach.lon, reach.lat, reach.distance_km, levels=[rng], colors=[color], linewidths=1.6, zorder=4)
        handles.append(Line2D([], [], color=color, lw=1.6, label=f"{label} ({rng:,.0f} km)"))
    return handles


def _cell_polygons(lat_deg: np.ndarray, lon_deg: np.ndarray, resolution_km: float) -> np.ndarray:
    """Rectangles (cells, 4, 2) in lon/lat of grid cells of about ``resolution_km`` a side."""
    dlat = resolution_km / 111.195 / 2.0
    dlon = dlat / np.cos(np.radians(lat_deg))
    x0, x1 = lon_deg - dlon, lon_deg + dlon
    y0, y1 = lat_deg - dlat, lat_deg + dlat
    return np.stack(
        [np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1), np.stack([x0, y1], -1)], axis=1
    )


def draw_coverage(ax: Axes, layer: ShotLayer) -> list[Any]:
    """Shade land cells by shot opportunities (0 = undefended, -1 = not threatened). Returns legend handles."""
    bins = [(0, 0), (1, 1), (2, 2), (3, 5), (6, 9), (10, None)]
    colors = ["#d9534f", "#fdd49e", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
    shots = np.asarray(layer.shots)
    threatened = shots >= 0
    levels = np.searchsorted([b[0] for b in bins], np.maximum(shots, 0), side="right") - 1
    polys = _cell_polygons(layer.lat_deg, layer.lon_deg, layer.resolution_km)
    face = np.where(threatened, np.array(colors, dtype=object)[levels], "#bdbdbd")
    ax.add_collection(PolyCollection(polys, facecolors=list(face), edgecolors="none", zorder=3, alpha=0.9))

    def label(lo: int, hi: int | None) -> str:
        if lo == 0:
            return "undefended"
        span = f"{lo}" if hi == lo else (f"{lo}+" if hi is None else f"{lo}-{hi}")
        return f"{span} shot opportunit{'y' if hi == lo == 1 else 'ies'}"

    handles = [Patch(facecolor=c, label=label(*b)) for c, b in zip(colors, bins)]
    if (~threatened).any():
        handles.append(Patch(facecolor="#bdbdbd", label="out of the threat's range"))
    return handles


def plot_coverage_map(
    path: str | Path | None,
    *,
    outlines: Outlines,
    layer: ShotLayer,
    markers: Markers,
    layout: MapLayout,
    axes: tuple[Axes, Axes | None] | None = None,
) -> Path | Figure | None:
    """Japan's land shaded by shot opportunities, with units, launch areas and cities.

    With ``layout.strip``, an enlarged panel of that extent is drawn below the map with the same colours
    (in the second of ``axes``). Drawing into given ``axes`` returns None; otherwise writes a PNG to
    ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    fig = None
    if axes is None:
        if layout.strip is not None:
            fig = new_figure((8.5, 11.6))
            ax, strip_ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3.3, 1.0]})
        else:
            fig = new_figure((8.5, 9.0))
            ax, strip_ax = fig.subplots(), None
    else:
        ax, strip_ax = axes
    extent = layout.extent
    width_km = (extent[1] - extent[0]) * 111.32 * np.cos(np.radians(0.5 * (extent[2] + extent[3])))
    base_map(ax, outlines.japan, outlines.neighbours, extent=extent, scale_km=nice_length(width_km / 5))
    handles = draw_coverage(ax, layer)
    handles += _draw_units(ax, markers.units, s=34)
    if markers.launch_areas:
        ax.scatter(
            [a["lon"] for a in markers.launch_areas],
            [a["lat"] for a in markers.launch_areas],
            marker="^",
            s=45,
            c="#c0392b",
            edgecolor="k",
            linewidth=0.5,
            zorder=9,
        )
        handles.append(Line2D([], [], marker="^", color="#c0392b", lw=0, label="launch area"))
    for c in list(markers.cities)[:10]:
        ax.plot(c["lon"], c["lat"], "o", ms=3, color="k", zorder=10)
        ax.annotate(c["name"], (c["lon"], c["lat"]), textcoords="offset points", xytext=(3, 2), fontsize=6.5, zorder=10)
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.92)
    ax.set_title(layout.title + (f"\n{layout.subtitle}" if layout.subtitle else ""), fontsize=10)
    if layout.strip is not None and strip_ax is not None:
        _draw_strip(strip_ax, outlines, layer, markers, layout)
    return None if fig is None else finish_figure(fig, path)


#: Unit markers by basing: (marker, colour).
UNIT_MARKERS = {"sea": ("D", "#1b7837"), "land": ("s", "#762a83")}


def _draw_units(ax: Axes, units: Sequence[Mapping[str, Any]], s: float) -> list[Any]:
    """Each unit's marker; legend handles, one per system."""
    systems: dict[str, tuple[str, str]] = {}
    for u in units:
        m, c = UNIT_MARKERS.get(u.get("basing", "land"), ("s", "k"))
        ax.scatter([u["lon"]], [u["lat"]], marker=m, s=s, c=c, edgecolor="white", linewidth=0.6, zorder=9)
        systems[u["system"]] = (m, c)
    return [Line2D([], [], marker=m, color=c, lw=0, label=name) for name, (m, c) in systems.items()]


def _draw_strip(ax: Axes, outlines: Outlines, layer: ShotLayer, markers: Markers, layout: MapLayout) -> None:
    """The enlarged panel: the same colours, the units inside its extent."""
    strip = layout.strip
    assert strip is not None
    base_map(ax, outlines.japan, outlines.neighbours, extent=strip, scale_km=200.0)
    draw_coverage(ax, layer)
    inside = [u for u in markers.units if strip[0] <= u["lon"] <= strip[1] and strip[2] <= u["lat"] <= strip[3]]
    _draw_units(ax, inside, s=30)
    ax.set_title(layout.strip_title, fontsize=9)
