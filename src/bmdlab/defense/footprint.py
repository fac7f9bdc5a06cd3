"""Defended footprint of one unit against one threat: the aim points whose trajectory it can engage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog.schema import Missile
from bmdlab.defense.engage import Defender, EngagementTimeline, Sensor
from bmdlab.defense.shots import MissileLaunch, engage, fly, network
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, destination
from bmdlab.trajectory import max_range as missile_max_range


@dataclass(frozen=True)
class Footprint:
    """Aim points around a defender and its shot opportunities against each (0: undefended).

    Arrays have shape (m,); degrees for the coordinates, SI for the rest.
    """

    defender: Defender
    missile: str
    launch_lat_deg: float
    launch_lon_deg: float
    shape: str
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    shots: NDArray[np.int64]
    cell_area_m2: float
    spacing_m: float

    @property
    def area_m2(self) -> float:
        """Defended area. [m^2]"""
        return float(np.count_nonzero(self.shots > 0) * self.cell_area_m2)

    @property
    def max_radius_m(self) -> float:
        """Farthest defended aim point from the defender. [m]"""
        d = self.distance_m[self.shots > 0]
        return float(d.max()) if d.size else 0.0

    @property
    def max_shots(self) -> int:
        return int(self.shots.max()) if self.shots.size else 0

    @property
    def distance_m(self) -> NDArray[np.float64]:
        return EARTH_RADIUS * central_angle(
            self.defender.lat, self.defender.lon, np.radians(self.lat_deg), np.radians(self.lon_deg)
        )


def default_extent(defender: Defender) -> float:
    """Half-width of the aim-point grid around a defender [m]: twice its range plus 50 km.

    Upper-tier interceptors intercept in mid-course, so they defend aim points beyond their own
    range; the factor two is checked in the tests by the footprint not touching the grid's edge.
    """
    return 2.0 * defender.max_range + 50e3


@dataclass(frozen=True)
class FootprintThreat:
    """The threat of a footprint: a catalog missile from a launch point [deg] on a trajectory shape."""

    missile: Missile
    key: str  #: the missile's catalog key
    lat_deg: float  #: launch point [deg]
    lon_deg: float
    shape: str = "minimum-energy"
    apogee: float | None = None  #: [m], for lofted and depressed shapes

    @property
    def launch(self) -> MissileLaunch:
        return MissileLaunch(
            self.missile, (np.radians(self.lat_deg), np.radians(self.lon_deg)), self.shape, self.apogee
        )


def defended_footprint(
    defender: Defender,
    threat: FootprintThreat,
    *,
    cue_sensors: list[Sensor] | tuple[Sensor, ...] = (),
    timeline: EngagementTimeline | None = None,
    points_per_side: int = 81,
    half_width: float | None = None,
) -> Footprint:
    """Shot opportunities of ``defender`` against ``threat`` aimed at each point of a square grid.

    Parameters
    ----------
    defender : Defender
        The unit at its site or station.
    threat : FootprintThreat
        The missile, its launch point and trajectory shape.
    cue_sensors : list of Sensor
        Other sensors whose tracks the defender may use (cueing only with some).
    timeline : EngagementTimeline, optional
        Delays, radar elevation and shots (default: a scenario timeline's defaults).
    points_per_side : int
        Grid points per side (the grid is square in a local azimuthal-equidistant plane).
    half_width : float, optional
        Half-width of the grid [m]; default :func:`default_extent`.
    """
    return defended_footprints(
        [defender],
        threat,
        cue_sensors=cue_sensors,
        timeline=timeline,
        points_per_side=points_per_side,
        half_width=half_width,
    )[0]


def defended_footprints(
    defenders: list[Defender],
    threat: FootprintThreat,
    *,
    cue_sensors: list[Sensor] | tuple[Sensor, ...] = (),
    timeline: EngagementTimeline | None = None,
    points_per_side: int = 81,
    half_width: float | None = None,
) -> list[Footprint]:
    """:func:`defended_footprint` of each of several defenders (each alone with ``cue_sensors``); those with
    the same aim-point grid (the same place and range, e.g. one unit under several engagement models) share
    one flight of the threat's trajectories."""
    grids: dict[tuple[float, float, float], list[int]] = {}
    for i, d in enumerate(defenders):
        grids.setdefault((d.lat, d.lon, d.max_range), []).append(i)
    out: list[Footprint | None] = [None] * len(defenders)
    tl = EngagementTimeline.of() if timeline is None else timeline
    launch = threat.launch
    for members in grids.values():
        first = defenders[members[0]]
        lat, lon, spacing = _aim_points(first, threat, points_per_side, half_width)
        la, lo = launch.launch
        reach = EARTH_RADIUS * central_angle(la, lo, lat, lon)
        ok = (reach <= missile_max_range(threat.missile)) & (reach > 10e3)
        batch = fly(launch, lat[ok], lon[ok]) if ok.any() else None
        for i in members:
            shots = np.zeros(lat.shape, dtype=np.int64)
            if batch is not None:
                net = network(
                    [defenders[i]],
                    cue_sensors,
                    launch,
                    cueing=tl.cueing and bool(cue_sensors),
                    share_defender_tracks=bool(cue_sensors),
                )
                shots[np.flatnonzero(ok)] = engage(batch, net, tl).shots[0]
            out[i] = Footprint(
                defender=defenders[i],
                missile=threat.key,
                launch_lat_deg=threat.lat_deg,
                launch_lon_deg=threat.lon_deg,
                shape=threat.shape,
                lat_deg=np.degrees(lat),
                lon_deg=np.degrees(lon),
                shots=shots,
                cell_area_m2=spacing**2,
                spacing_m=spacing,
            )
    return [f for f in out if f is not None]


def _aim_points(
    defender: Defender, threat: FootprintThreat, points_per_side: int, half_width: float | None
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """The aim points [rad] of a footprint: a square grid around the defender in a local azimuthal-equidistant
    plane, ``half_width`` wide (default :func:`default_extent`, at most the threat's reach), and its spacing [m]."""
    if half_width is None:
        la, lo = threat.launch.launch
        to_launch = EARTH_RADIUS * central_angle(defender.lat, defender.lon, la, lo)
        hw = min(default_extent(defender), to_launch + missile_max_range(threat.missile))
    else:
        hw = half_width
    x = np.linspace(-hw, hw, points_per_side)
    gx, gy = np.meshgrid(x, x)
    dist = np.hypot(gx, gy).ravel()
    az = np.arctan2(gx, gy).ravel()
    lat, lon = destination(defender.lat, defender.lon, az, dist / EARTH_RADIUS)
    return lat, lon, float(x[1] - x[0])
