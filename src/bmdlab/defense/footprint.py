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
    launch = threat.launch
    la, lo = launch.launch
    if half_width is None:
        to_launch = EARTH_RADIUS * central_angle(defender.lat, defender.lon, la, lo)
        hw = min(default_extent(defender), to_launch + missile_max_range(threat.missile))
    else:
        hw = half_width
    x = np.linspace(-hw, hw, points_per_side)
    gx, gy = np.meshgrid(x, x)
    dist = np.hypot(gx, gy).ravel()
    az = np.arctan2(gx, gy).ravel()
    lat, lon = destination(defender.lat, defender.lon, az, dist / EARTH_RADIUS)
    spacing = float(x[1] - x[0])
    reach = EARTH_RADIUS * central_angle(la, lo, lat, lon)
    ok = (reach <= missile_max_range(threat.missile)) & (reach > 10e3)
    shots = np.zeros(lat.shape, dtype=np.int64)
    if ok.any():
        tl = EngagementTimeline.of() if timeline is None else timeline
        net = network(
            [defender],
            cue_sensors,
            launch,
            cueing=tl.cueing and bool(cue_sensors),
            share_defender_tracks=bool(cue_sensors),
        )
        shots[np.flatnonzero(ok)] = engage(fly(launch, lat[ok], lon[ok]), net, tl).shots[0]
    return Footprint(
        defender=defender,
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
