"""Maps of Japan and its region (equirectangular, offline: outlines ship with bmdlab).

Every colour and marker shape comes from :mod:`bmdlab.palette` (the web page reads the same palette).
Place names are placed greedily so that no two overlap (:func:`declutter_labels`), and each map has a scale
bar whose length is true at the latitude it is drawn at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

from bmdlab.palette import (
    BORDER,
    CITY,
    COAST,
    JAPAN,
    LAND,
    LAUNCH_AREA,
    REACH_COLORMAP,
    SEA,
    SHOT_CLASSES,
    UNIT_EDGE,
    UNIT_TYPES,
    unit_type,
)
from bmdlab.plotting import finish_figure, new_figure

#: Default map extent: lon_min, lon_max, lat_min, lat_max [deg] (Korean peninsula to the Kurils).
REGION_EXTENT = (119.0, 150.0, 23.0, 47.0)

#: Kilometres per degree of longitude at the equator (WGS 84 equatorial radius x pi / 180).
KM_PER_DEG_EQUATOR = 111.32

#: ``gid`` of the place-name annotations that :func:`declutter_labels` places, and of the scale bar's line.
LABEL_GID = "place-label"
SCALE_BAR_GID = "scale-bar"

#: Candidate label positions around a point: offset [pt] and alignment, in the order they are tried.
_LABEL_SLOTS = (
    ((4, 3), "left", "bottom"),
    ((4, -3), "left", "top"),
    ((-4, 3), "right", "bottom"),
    ((-4, -3), "right", "top"),
    ((5, 0), "left", "center"),
    ((-5, 0), "right", "center"),
    ((0, 5), "center", "bottom"),
    ((0, -5), "center", "top"),
)

_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


@dataclass(frozen=True)
class Outlines:
    """The map's land: Japan and its neighbours (shapely geometries in lon/lat degrees)."""

    japan: BaseGeometry
    neighbours: Mapping[str, BaseGeometry]


@dataclass(frozen=True)
class Markers:
    """Points drawn over a map: dicts with ``name``, ``lat``, ``lon`` [deg]; cities also ``population``, units
    also ``basing`` ('sea'/'land'), ``system`` and ``type`` (a :data:`~bmdlab.palette.UNIT_TYPES` key;
    without it the type follows from ``unit``, the catalog key, and the basing)."""

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


def draw_outline(ax: Axes, geom: BaseGeometry, face: str, edge: str = BORDER, lw: float = 0.5, zorder: int = 1) -> None:
    """Fill every polygon's exterior of a shapely geometry given in lon/lat degrees (one collection: Japan's
    outline has hundreds of islands, and a patch each costs seconds per figure). ``face="none"`` strokes only."""
    rings = [np.asarray(poly.exterior.coords)[:, :2] for poly in _polygons(geom)]
    if rings:
        ax.add_collection(PolyCollection(rings, facecolors=face, edgecolors=edge, linewidths=lw, zorder=zorder))
        ax.autoscale_view()


def add_scale_bar(ax: Axes, length_km: float = 500.0, loc: tuple[float, float] = (0.04, 0.05)) -> Line2D:
    """A scale bar of ``length_km`` [km] at the axes fraction ``loc``, true along the parallel it is drawn on.

    The map is equirectangular, so the bar spans ``length_km / (111.32 km cos(lat))`` degrees of longitude at
    its latitude, which its label names. Returns the bar's line (``gid`` :data:`SCALE_BAR_GID`).
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lon = x0 + loc[0] * (x1 - x0)
    lat = y0 + loc[1] * (y1 - y0)
    dlon = length_km / (KM_PER_DEG_EQUATOR * np.cos(np.radians(lat)))
    halo = [patheffects.withStroke(linewidth=5, foreground="white")]
    (bar,) = ax.plot(
        [lon, lon + dlon], [lat, lat], color="k", lw=3, solid_capstyle="butt", zorder=12, path_effects=halo
    )
    bar.set_gid(SCALE_BAR_GID)
    hemisphere = "N" if lat >= 0 else "S"
    ax.text(
        lon + dlon / 2,
        lat + 0.012 * (y1 - y0),
        f"{length_km:,.0f} km (at {abs(lat):.0f}° {hemisphere})",
        ha="center",
        va="bottom",
        fontsize=7.5,
        zorder=12,
        path_effects=_HALO,
    )
    return bar


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
    scale_loc: tuple[float, float] = (0.04, 0.05),
) -> None:
    """Sea, neighbouring countries, Japan, graticule, aspect and scale bar."""
    ax.set_facecolor(SEA)
    for geom in neighbours.values():
        draw_outline(ax, geom, LAND, lw=0.4)
    draw_outline(ax, japan, JAPAN, edge=COAST, lw=0.6, zorder=2)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / np.cos(np.radians(0.5 * (extent[2] + extent[3]))))
    ax.grid(color="white", lw=0.5, alpha=0.8)
    ax.set_xlabel("longitude [deg E]")
    ax.set_ylabel("latitude [deg N]")
    add_scale_bar(ax, scale_km, scale_loc)


def add_place_labels(ax: Axes, places: Sequence[Mapping[str, Any]], fontsize: float = 6.5) -> list[Annotation]:
    """A dot and a name for each place (dicts with ``name``, ``lat``, ``lon`` [deg]), in order of priority.

    The names are placed by :func:`declutter_labels` once the figure is complete (a name that fits nowhere
    is hidden); they take no part in the figure's layout.
    """
    marker, _shape, colour = CITY
    if places:
        ax.scatter(
            [p["lon"] for p in places],
            [p["lat"] for p in places],
            marker=marker,
            s=9,
            c=colour,
            edgecolor="white",
            linewidth=0.4,
            zorder=10,
        )
    labels = []
    for p in places:
        ann = ax.annotate(
            p["name"],
            (p["lon"], p["lat"]),
            xytext=_LABEL_SLOTS[0][0],
            textcoords="offset points",
            fontsize=fontsize,
            zorder=11,
            path_effects=_HALO,
            gid=LABEL_GID,
        )
        ann.set_in_layout(False)
        labels.append(ann)
    return labels


def declutter_labels(fig: Figure, pad_px: float = 1.5) -> int:
    """Place every axes' place names (``gid`` :data:`LABEL_GID`) so that no two overlap; returns how many
    were hidden.

    Greedy, in the order the names were added: each takes the first of eight positions around its point
    whose text box (grown by ``pad_px`` [px]) lies inside the axes, clear of the names already placed and of
    the legend, and preferably also clear of the places' dots and the unit and launch-area markers; a name with
    no such position is hidden. Call it once the figure is complete: it lays the figure out first, so the
    boxes are the final ones (the names take no part in the layout).
    """
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    renderer = fig._get_renderer()  # the renderer savefig would use (Matplotlib >= 3.6), whatever the backend
    hidden = 0
    for ax in fig.axes:
        labels = [t for t in ax.texts if t.get_gid() == LABEL_GID and isinstance(t, Annotation)]
        if not labels:
            continue
        for t in labels:
            t.set_visible(True)  # placing again starts afresh
        ax.apply_aspect()
        frame = ax.get_window_extent(renderer)
        soft = [_dot_box(ax, t.xy, 3.0 + pad_px) for t in labels] + _marker_boxes(ax, pad_px)
        legend = ax.get_legend()
        hard = [] if legend is None else [legend.get_window_extent(renderer)]
        for t in labels:
            box = _place(t, renderer, frame, hard + soft, pad_px) or _place(t, renderer, frame, hard, pad_px)
            if box is None:
                t.set_visible(False)
                hidden += 1
            else:
                hard.append(box)
    return hidden


def _dot_box(ax: Axes, xy: Any, r_px: float) -> Bbox:
    """The display box of ``r_px`` [px] each side of a point given in data coordinates."""
    x, y = ax.transData.transform(xy)
    return Bbox.from_extents(x - r_px, y - r_px, x + r_px, y + r_px)


def _marker_boxes(ax: Axes, pad_px: float) -> list[Bbox]:
    """The display boxes of the unit and launch-area markers (the scatter collections the maps tag)."""
    boxes = []
    px_per_pt = ax.figure.dpi / 72.0 if ax.figure is not None else 1.0
    for coll in ax.collections:
        gid = coll.get_gid() or ""
        if not (gid.startswith("unit:") or gid == "launch-areas"):
            continue
        r_px = 0.5 * float(np.sqrt(np.max(coll.get_sizes()))) * px_per_pt + pad_px
        boxes += [_dot_box(ax, xy, r_px) for xy in coll.get_offsets()]
    return boxes


def _place(label: Annotation, renderer: Any, frame: Bbox, taken: list[Bbox], pad_px: float) -> Bbox | None:
    """Move ``label`` to its first slot clear of ``taken`` inside ``frame`` and return its box, or None."""
    x, y = label.axes.transData.transform(label.xy) if label.axes is not None else (np.nan, np.nan)
    if not (frame.x0 <= x <= frame.x1 and frame.y0 <= y <= frame.y1):
        return None
    for offset, ha, va in _LABEL_SLOTS:
        label.xyann = offset
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        box = label.get_window_extent(renderer).padded(pad_px)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        if inside and not any(box.overlaps(other) for other in taken):
            return box
    return None


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
    marker, _shape, colour = CITY
    ax.scatter(
        [c["lon"] for c in cities],
        [c["lat"] for c in cities],
        s=sizes,
        marker=marker,
        c=colour,
        alpha=0.75,
        edgecolor="white",
        linewidth=0.5,
        zorder=6,
    )
    handles.append(Line2D([], [], marker=marker, color=colour, alpha=0.75, lw=0, label="city (size ~ population)"))
    add_place_labels(ax, list(cities)[:label_cities], fontsize=7)
    handles += _draw_launch_areas(ax, launch_areas, s=60, label=f"reported launch areas ({len(launch_areas)})")
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=8,
        framealpha=0.9,
        title="reach from any launch area",
        title_fontsize=8,
    )
    ax.set_title(title, fontsize=11)
    declutter_labels(fig)
    return finish_figure(fig, path)


def _reach_rings(ax: Axes, reach: ReachField) -> list[Any]:
    """Each missile's range ring (a dotted legend entry when its range covers the whole map)."""
    name, lo, hi = REACH_COLORMAP
    cmap = matplotlib.colormaps[name]
    handles: list[Any] = []
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    in_view = (reach.lon >= x0) & (reach.lon <= x1) & (reach.lat >= y0) & (reach.lat <= y1)
    far = float(reach.distance_km[in_view].max())
    ranges = reach.ranges_km
    for i, (label, rng) in enumerate(sorted(ranges, key=lambda r: r[1])):
        color = cmap(lo + (hi - lo) * i / max(1, len(ranges) - 1))
        if rng >= far:
            handles.append(Line2D([], [], color=color, lw=1.6, ls=":", label=f"{label} ({rng:,.0f} km): whole map"))
            continue
        ax.contour(reach.lon, reach.lat, reach.distance_km, levels=[rng], colors=[color], linewidths=1.6, zorder=4)
        handles.append(Line2D([], [], color=color, lw=1.6, label=f"{label} ({rng:,.0f} km)"))
    return handles


def _draw_launch_areas(ax: Axes, areas: Sequence[Mapping[str, Any]], s: float, label: str) -> list[Any]:
    """The launch areas' markers and their legend handle (none without areas)."""
    if not areas:
        return []
    marker, _shape, colour = LAUNCH_AREA
    ax.scatter(
        [a["lon"] for a in areas],
        [a["lat"] for a in areas],
        marker=marker,
        s=s,
        c=colour,
        edgecolor="white",
        linewidth=0.6,
        zorder=9,
        gid="launch-areas",
    )
    return [
        Line2D([], [], marker=marker, markersize=np.sqrt(s), color=colour, markeredgecolor="white", lw=0, label=label)
    ]


def _cell_polygons(lat_deg: np.ndarray, lon_deg: np.ndarray, resolution_km: float) -> np.ndarray:
    """Rectangles (cells, 4, 2) in lon/lat of grid cells of about ``resolution_km`` a side."""
    dlat = resolution_km / 111.195 / 2.0
    dlon = dlat / np.cos(np.radians(lat_deg))
    x0, x1 = lon_deg - dlon, lon_deg + dlon
    y0, y1 = lat_deg - dlat, lat_deg + dlat
    return np.stack(
        [np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1), np.stack([x0, y1], -1)], axis=1
    )


def shot_classes(shots: np.ndarray) -> np.ndarray:
    """The :data:`~bmdlab.palette.SHOT_CLASSES` key of each cell: -1 not threatened, 0 undefended,
    1, 2, and 3 for three or more shot opportunities."""
    shots = np.asarray(shots)
    return np.where(shots < 0, -1, np.minimum(shots, 3)).astype(int)


def draw_coverage(ax: Axes, layer: ShotLayer) -> list[Any]:
    """Shade cells by shot-opportunity class (opaque, in the palette's colours). Returns legend handles: the
    threatened classes always, "not threatened" when some cell is."""
    classes = shot_classes(layer.shots)
    polys = _cell_polygons(layer.lat_deg, layer.lon_deg, layer.resolution_km)
    face = [SHOT_CLASSES[int(k)][0] for k in classes]
    # each cell's edge in its own colour closes the anti-aliasing seams between neighbouring cells
    cells = PolyCollection(polys, facecolors=face, edgecolors=face, linewidths=0.3, zorder=3, gid="shot-cells")
    ax.add_collection(cells)
    shown = [k for k in SHOT_CLASSES if k >= 0 or (classes == k).any()]
    return [Patch(facecolor=SHOT_CLASSES[k][0], label=SHOT_CLASSES[k][1]) for k in shown]


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
    (in the second of ``axes``), and its extent is outlined on the map. Drawing into given ``axes`` returns
    None (the caller runs :func:`declutter_labels` once its figure is complete); otherwise writes a PNG to
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
    width_km = (extent[1] - extent[0]) * KM_PER_DEG_EQUATOR * np.cos(np.radians(0.5 * (extent[2] + extent[3])))
    base_map(ax, outlines.japan, outlines.neighbours, extent=extent, scale_km=nice_length(width_km / 5))
    handles = draw_coverage(ax, layer)
    draw_outline(ax, outlines.japan, "none", edge=COAST, lw=0.35, zorder=4)
    handles += _draw_units(ax, markers.units, s=42)
    handles += _draw_launch_areas(ax, markers.launch_areas, s=50, label="launch area")
    add_place_labels(ax, list(markers.cities)[:10])
    if layout.strip is not None:
        _outline_strip(ax, layout.strip)
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.92)
    ax.set_title(layout.title + (f"\n{layout.subtitle}" if layout.subtitle else ""), fontsize=10)
    if layout.strip is not None and strip_ax is not None:
        _draw_strip(strip_ax, outlines, layer, markers, layout)
    if fig is None:
        return None
    declutter_labels(fig)
    return finish_figure(fig, path)


def _outline_strip(ax: Axes, strip: Sequence[float]) -> None:
    """The enlarged panel's extent as a dashed box on the main map."""
    box = Rectangle(
        (strip[0], strip[2]),
        strip[1] - strip[0],
        strip[3] - strip[2],
        fill=False,
        ls="--",
        lw=0.8,
        edgecolor=COAST,
        zorder=8,
        gid="strip-extent",
    )
    ax.add_patch(box)
    ax.text(strip[0] + 0.2, strip[3] + 0.15, "enlarged below", fontsize=6.5, color=COAST, zorder=8, path_effects=_HALO)


def _draw_units(ax: Axes, units: Sequence[Mapping[str, Any]], s: float) -> list[Any]:
    """The units' markers, one shape per unit type (``gid`` ``unit:<type>``); legend handles, one per type
    present (the same marker, size and colours, and the count of units)."""
    by_type: dict[str, list[Mapping[str, Any]]] = {}
    for u in units:
        kind = u.get("type") or unit_type(str(u.get("unit", "")), u.get("basing"))
        by_type.setdefault(kind if kind in UNIT_TYPES else "other", []).append(u)
    handles = []
    for kind, (marker, _shape, colour, label) in UNIT_TYPES.items():
        group = by_type.get(kind, [])
        if not group:
            continue
        ax.scatter(
            [u["lon"] for u in group],
            [u["lat"] for u in group],
            marker=marker,
            s=s,
            c=colour,
            edgecolor=UNIT_EDGE,
            linewidth=0.7,
            zorder=9,
            gid=f"unit:{kind}",
        )
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                markersize=np.sqrt(s),
                markerfacecolor=colour,
                markeredgecolor=UNIT_EDGE,
                markeredgewidth=0.7,
                lw=0,
                label=f"{label} ({len(group)})",
            )
        )
    return handles


def _draw_strip(ax: Axes, outlines: Outlines, layer: ShotLayer, markers: Markers, layout: MapLayout) -> None:
    """The enlarged panel: the same colours, the units inside its extent, a scale bar in its open sea."""
    strip = layout.strip
    assert strip is not None
    base_map(ax, outlines.japan, outlines.neighbours, extent=strip, scale_km=200.0, scale_loc=(0.04, 0.86))
    draw_coverage(ax, layer)
    draw_outline(ax, outlines.japan, "none", edge=COAST, lw=0.35, zorder=4)
    inside = [u for u in markers.units if strip[0] <= u["lon"] <= strip[1] and strip[2] <= u["lat"] <= strip[3]]
    _draw_units(ax, inside, s=36)
    ax.set_title(layout.strip_title, fontsize=9)
