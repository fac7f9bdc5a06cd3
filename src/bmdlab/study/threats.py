"""The threat section of a study: flight times and apogees from launch areas to Japan's cities.

Computations only (no plotting, no HTML): the report and the figures read these results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, destination
from bmdlab.trajectory import FlightShape, max_range, missile_trajectory
from bmdlab.trajectory.observed import atmospheric_flights, observed_flights

#: Missile classes that the threat timeline covers (the MRBMs and IRBMs that reach Japan).
TIMELINE_CLASSES = ("MRBM", "IRBM")


@dataclass(frozen=True)
class ThreatTimeline:
    """Flight time and apogee for every (missile, launch area, city); NaN where out of range.

    Arrays have shape (missiles, launch areas, cities); times in s, apogees in m.
    """

    missiles: tuple[str, ...]
    launch_areas: tuple[str, ...]
    cities: tuple[dict[str, Any], ...]
    shape: str
    flight_time: np.ndarray
    apogee: np.ndarray
    ground_range: np.ndarray
    reentry_speed: np.ndarray

    def fastest(self) -> tuple[np.ndarray, np.ndarray]:
        """Per (missile, city): the shortest flight time [s] over launch areas and that area's index (-1: none)."""
        t = np.where(np.isfinite(self.flight_time), self.flight_time, np.inf)
        idx = np.argmin(t, axis=1)
        best = np.take_along_axis(t, idx[:, None, :], axis=1)[:, 0, :]
        return np.where(np.isfinite(best), best, np.nan), np.where(np.isfinite(best), idx, -1)


def threat_timeline(
    catalog: Catalog,
    cities: list[dict[str, Any]],
    missiles: list[str] | None = None,
    launch_areas: list[str] | None = None,
    shape: str = "minimum-energy",
    progress=None,
) -> ThreatTimeline:
    """Solve minimum-energy (or another shape's) trajectories from each launch area to each city.

    Parameters
    ----------
    catalog : Catalog
        Supplies missiles (burn time, range) and launch areas.
    cities : list of dict
        ``name``, ``lat``, ``lon`` [deg], ``population``.
    missiles, launch_areas : list of str, optional
        Catalog keys; default: every MRBM/IRBM and every launch area in the catalog.
    progress : callable, optional
        Called with each missile key when its trajectories are done.
    """
    if missiles is None:
        missiles = [k for k, m in catalog.missiles.items() if m.missile_class in TIMELINE_CLASSES]
    if launch_areas is None:
        launch_areas = list(catalog.places_of("launch-area"))
    areas = [catalog.place(k) for k in launch_areas]
    la = np.radians([a.lat.nominal for a in areas])[:, None]
    lo = np.radians([a.lon.nominal for a in areas])[:, None]
    ca = np.radians([c["lat"] for c in cities])[None, :]
    co = np.radians([c["lon"] for c in cities])[None, :]
    la_b, lo_b, ca_b, co_b = (np.broadcast_to(x, (len(areas), len(cities))).ravel() for x in (la, lo, ca, co))
    rng = EARTH_RADIUS * central_angle(la_b, lo_b, ca_b, co_b)
    out = {k: np.full((len(missiles), len(areas) * len(cities)), np.nan) for k in ("t", "apo", "v")}
    for i, key in enumerate(missiles):
        mis = catalog.missile(key)
        traj = missile_trajectory(mis, la_b, lo_b, ca_b, co_b, shape=shape, strict=False)
        ok = rng <= max_range(mis)
        out["t"][i] = np.where(ok, traj.flight_time, np.nan)
        out["apo"][i] = np.where(ok, traj.apogee, np.nan)
        out["v"][i] = np.where(ok, traj.reentry_speed, np.nan)
        if progress is not None:
            progress(key)
    shape3 = (len(missiles), len(areas), len(cities))
    return ThreatTimeline(
        missiles=tuple(missiles),
        launch_areas=tuple(launch_areas),
        cities=tuple(cities),
        shape=shape,
        flight_time=out["t"].reshape(shape3),
        apogee=out["apo"].reshape(shape3),
        ground_range=np.broadcast_to(rng.reshape(shape3[1:]), shape3).copy(),
        reentry_speed=out["v"].reshape(shape3),
    )


def reach_field(
    catalog: Catalog, launch_areas: list[str], extent: tuple[float, float, float, float], step_deg: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance [km] from the nearest launch area on a lon/lat grid (for range-ring contours)."""
    lon = np.arange(extent[0], extent[1] + step_deg, step_deg)
    lat = np.arange(extent[2], extent[3] + step_deg, step_deg)
    glon, glat = np.meshgrid(lon, lat)
    areas = [catalog.place(k) for k in launch_areas]
    d = np.full(glon.shape, np.inf)
    for a in areas:
        d = np.minimum(
            d,
            EARTH_RADIUS
            / 1e3
            * central_angle(np.radians(a.lat.nominal), np.radians(a.lon.nominal), np.radians(glat), np.radians(glon)),
        )
    return glon, glat, d


def model_observed_flights(catalog: Catalog) -> list[dict[str, Any]]:
    """Fly each observed test with the model (same range, shape and apogee) and compare times."""
    rows = []
    for f in observed_flights():
        mis = catalog.missile(f["missile"])
        lat0, lon0 = np.radians(f["launch"]["lat"]), np.radians(f["launch"]["lon"])
        lat2, lon2 = destination(lat0, lon0, np.radians(f["azimuth_deg"]), f["range_km"] * 1e3 / EARTH_RADIUS)
        traj = missile_trajectory(
            mis, lat0, lon0, lat2, lon2, shape=FlightShape(f["shape"], apogee=f["apogee_km"] * 1e3)
        )
        model_min = float(traj.flight_time[0]) / 60.0
        rows.append(
            {
                "id": f["id"],
                "missile": f["missile"],
                "date": str(f["date"]),
                "shape": f["shape"],
                "range_km": f["range_km"],
                "apogee_km": f["apogee_km"],
                "observed_flight_time_min": f["flight_time_min"],
                "model_flight_time_min": round(model_min, 2),
                "difference_min": None if f["flight_time_min"] is None else round(model_min - f["flight_time_min"], 2),
                "model_burnout_speed_m_s": round(float(traj.burnout_speed[0]), 0),
                "model_reentry_speed_m_s": round(float(traj.reentry_speed[0]), 0),
                "source": f["source"],
            }
        )
    return rows


def model_atmospheric_flights(catalog: Catalog) -> list[dict[str, Any]]:
    """Fly each observed quasi-ballistic or boost-glide flight with the model at its reported range (and at North
    Korea's claimed range, where it differs) and report its apogee and top speed beside the observed figures."""
    rows = []
    for f in atmospheric_flights():
        mis = catalog.missile(f["missile"])
        lat0, lon0 = np.radians(f["launch"]["lat"]), np.radians(f["launch"]["lon"])
        for which, rng in (("reported", f["range_km"]), ("claimed", f.get("claimed_range_km"))):
            if rng is None or (which == "claimed" and rng == f["range_km"]):
                continue
            lat2, lon2 = destination(lat0, lon0, np.radians(f["azimuth_deg"]), rng * 1e3 / EARTH_RADIUS)
            traj = missile_trajectory(mis, lat0, lon0, lat2, lon2, strict=False)
            t = np.linspace(0.0, float(traj.flight_time[0]), 400) if np.isfinite(traj.flight_time[0]) else None
            top = None if t is None else float(np.linalg.norm(traj.state(t[None, :])[1][0], axis=-1).max())
            rows.append(
                {
                    "id": f["id"],
                    "missile": f["missile"],
                    "flight_class": mis.flight_class,
                    "range": which,
                    "range_km": rng,
                    "observed_apogee_km": f.get("apogee_km"),
                    "observed_mach": f.get("speed_mach"),
                    "confidence": f.get("confidence"),
                    "model_apogee_km": _round(float(traj.apogee[0]) / 1e3, 1),
                    "model_flight_time_s": _round(float(traj.flight_time[0]), 0),
                    "model_top_speed_m_s": None if top is None else round(top, 0),
                }
            )
    return rows


def _round(x: float, digits: int) -> float | None:
    return round(x, digits) if np.isfinite(x) else None
