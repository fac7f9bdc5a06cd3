"""Maps of Japan and its region (equirectangular, offline: outlines ship with bmdlab)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from shapely.geometry.base import BaseGeometry

from bmdlab.plotting import finish_figure, new_figure

#: Default map extent: lon_min, lon_max, lat_min, lat_max [deg] (Korean peninsula to the Kurils).
REGION_EXTENT = (119.0, 150.0, 23.0, 47.0)

LAND = "#efe9dc"
JAPAN = "#dcd3bd"
SEA = "#dbe8f2"


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
    """Fill every polygon's exterior of a shapely geometry given in lon/lat degrees."""
    for poly in _polygons(geom):
        x, y = poly.exterior.xy
        ax.fill(x, y, facecolor=face, edgecolor=edge, linewidth=lw, zorder=zorder)


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
    japan: BaseGeometry,
    neighbours: Mapping[str, BaseGeometry],
    launch_areas: Sequence[Mapping[str, Any]],
    reach_lon: np.ndarray,
    reach_lat: np.ndarray,
    reach_distance_km: np.ndarray,
    ranges_km: Sequence[tuple[str, float]],
    cities: Sequence[Mapping[str, Any]],
    title: str,
    label_cities: int = 12,
) -> Path | Figure:
    """Japan with the launch areas, each missile's reach and the main cities.

    ``reach_distance_km`` is the distance from the nearest launch area on the ``reach_lon`` x
    ``reach_lat`` grid; each missile's range ring is its contour at the missile's range, i.e. the
    edge of the region some public launch area can reach. Writes a PNG to ``path`` and returns it,
    or returns the Figure if ``path`` is None.
    """
    fig = new_figure((9.5, 8.5))
    ax = fig.subplots()
    base_map(ax, japan, neighbours)
    cmap = matplotlib.colormaps["plasma"]
    handles = []
    x0, x1, y0, y1 = ax.get_xlim() + ax.get_ylim()
    in_view = (reach_lon >= x0) & (reach_lon <= x1) & (reach_lat >= y0) & (reach_lat <= y1)
    far = float(reach_distance_km[in_view].max())
    for i, (label, rng) in enumerate(sorted(ranges_km, key=lambda r: r[1])):
        color = cmap(0.1 + 0.75 * i / max(1, len(ranges_km) - 1))
        if rng >= far:
            handles.append(Line2D([], [], color=color, lw=1.6, ls=":", label=f"{label} ({rng:,.0f} km): whole map"))
            continue
        ax.contour(reach_lon, reach_lat, reach_distance_km, levels=[rng], colors=[color], linewidths=1.6, zorder=4)
        handles.append(Line2D([], [], color=color, lw=1.6, label=f"{label} ({rng:,.0f} km)"))
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


def _cell_polygons(lat_deg: np.ndarray, lon_deg: np.ndarray, resolution_km: float) -> np.ndarray:
    """Rectangles (cells, 4, 2) in lon/lat of grid cells of about ``resolution_km`` a side."""
    dlat = resolution_km / 111.195 / 2.0
    dlon = dlat / np.cos(np.radians(lat_deg))
    x0, x1 = lon_deg - dlon, lon_deg + dlon
    y0, y1 = lat_deg - dlat, lat_deg + dlat
    return np.stack(
        [np.stack([x0, y0], -1), np.stack([x1, y0], -1), np.stack([x1, y1], -1), np.stack([x0, y1], -1)], axis=1
    )


def draw_coverage(
    ax: Axes, lat_deg: np.ndarray, lon_deg: np.ndarray, resolution_km: float, shots: np.ndarray
) -> list[Any]:
    """Shade land cells by shot opportunities (0 = undefended, -1 = not threatened). Returns legend handles."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    bins = [(0, 0), (1, 1), (2, 2), (3, 5), (6, 9), (10, None)]
    colors = ["#d9534f", "#fdd49e", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
    shots = np.asarray(shots)
    threatened = shots >= 0
    levels = np.searchsorted([b[0] for b in bins], np.maximum(shots, 0), side="right") - 1
    polys = _cell_polygons(lat_deg, lon_deg, resolution_km)
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
    japan: BaseGeometry,
    neighbours: Mapping[str, BaseGeometry],
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    resolution_km: float,
    shots: np.ndarray,
    units: Sequence[Mapping[str, Any]],
    launch_areas: Sequence[Mapping[str, Any]],
    cities: Sequence[Mapping[str, Any]],
    title: str,
    subtitle: str = "",
    extent: Sequence[float] = (122.0, 149.0, 24.0, 46.0),
    ax: Axes | None = None,
    strip: Sequence[float] | None = None,
    strip_title: str = "",
    strip_ax: Axes | None = None,
) -> Path | Figure | None:
    """Japan's land shaded by shot opportunities, with units, launch areas and cities.

    ``units``: dicts with ``name``, ``lat``, ``lon``, ``basing`` ('sea'/'land') and ``system``.
    ``strip``: the extent of an enlarged panel below the map (e.g. the Nansei islands, too small to
    read at the map's scale), drawn in ``strip_ax`` with the same colours. Drawing into a given
    ``ax`` returns None; otherwise writes a PNG to ``path`` and returns it, or returns the Figure if
    ``path`` is None.
    """
    own = ax is None
    if own:
        if strip is not None:
            fig = new_figure((8.5, 11.6))
            ax, strip_ax = fig.subplots(2, 1, gridspec_kw={"height_ratios": [3.3, 1.0]})
        else:
            fig = new_figure((8.5, 9.0))
            ax = fig.subplots()
    base_map(
        ax,
        japan,
        neighbours,
        extent=extent,
        scale_km=nice_length((extent[1] - extent[0]) * 111.32 * np.cos(np.radians(0.5 * (extent[2] + extent[3]))) / 5),
    )
    handles = draw_coverage(ax, lat_deg, lon_deg, resolution_km, shots)
    markers = {"sea": ("D", "#1b7837"), "land": ("s", "#762a83")}
    systems: dict[str, tuple[str, str]] = {}
    for u in units:
        m, c = markers.get(u.get("basing", "land"), ("s", "k"))
        ax.scatter([u["lon"]], [u["lat"]], marker=m, s=34, c=c, edgecolor="white", linewidth=0.6, zorder=9)
        systems[u["system"]] = (m, c)
    for name, (m, c) in systems.items():
        handles.append(Line2D([], [], marker=m, color=c, lw=0, label=name))
    if launch_areas:
        ax.scatter(
            [a["lon"] for a in launch_areas],
            [a["lat"] for a in launch_areas],
            marker="^",
            s=45,
            c="#c0392b",
            edgecolor="k",
            linewidth=0.5,
            zorder=9,
        )
        handles.append(Line2D([], [], marker="^", color="#c0392b", lw=0, label="launch area"))
    for c in list(cities)[:10]:
        ax.plot(c["lon"], c["lat"], "o", ms=3, color="k", zorder=10)
        ax.annotate(c["name"], (c["lon"], c["lat"]), textcoords="offset points", xytext=(3, 2), fontsize=6.5, zorder=10)
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.92)
    ax.set_title(title + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    if strip is not None and strip_ax is not None:
        base_map(strip_ax, japan, neighbours, extent=strip, scale_km=200.0)
        draw_coverage(strip_ax, lat_deg, lon_deg, resolution_km, shots)
        for u in units:
            if strip[0] <= u["lon"] <= strip[1] and strip[2] <= u["lat"] <= strip[3]:
                m, c = markers.get(u.get("basing", "land"), ("s", "k"))
                strip_ax.scatter(
                    [u["lon"]], [u["lat"]], marker=m, s=30, c=c, edgecolor="white", linewidth=0.6, zorder=9
                )
        strip_ax.set_title(strip_title, fontsize=9)
    if not own:
        return None
    return finish_figure(fig, path)
