"""Engagement windows of each interceptor against each flight class, and radar detection of low flyers.

Two questions of issue #25 (item 2) that the engagement engine (:mod:`bmdlab.defense.shots`) answers only
implicitly:

* **Altitude windows.** How long a threat spends inside an interceptor's altitude window
  ``[min_intercept_altitude, max_intercept_altitude]`` (catalog values, sourced or assumed, each with its
  plausible range) on its way up and on its way down (after its apogee), and how fast it is there. An
  exo-atmospheric interceptor (the SM-3 family, 70 km floor) has no window against a payload that never
  climbs above its floor after the apogee (the KN-23's pull-up, a glide vehicle's glide); the terminal
  interceptors (PAC-3, SM-6) see every flight class on its way down.
* **Detection of low flyers.** When each radar first sees the threat: above the radar's horizon at the
  minimum elevation on a spherical Earth, within its detection range against the threat's radar
  cross-section (:meth:`bmdlab.defense.engage.Sensor.against`), inside its azimuth sector facing the launch
  point (the scenarios' ``field-of-view`` limit). A payload that stays below ~50 km is seen later, and by
  fewer radars, than a ballistic one on the same path (the Kyodo report of 23 Sep 2019,
  ``trajectory/observed_flights.yaml``).

The flight: each missile from the launch point to the target (default Tokyo); when the target is beyond
a missile's catalog range and no target was given, to the farthest point it reaches on the same bearing
(the row says so). Spherical, non-rotating Earth; ballistic flights in vacuum (their speeds low in the
atmosphere are upper bounds: no drag), atmospheric flights as :mod:`bmdlab.trajectory.atmospheric` flies
them. SI units throughout.

Closed forms
------------
* Horizon-limited ground range (:func:`horizon_ground_range`): a radar at radius :math:`R_r = R_e + h_r`
  sees a target at altitude :math:`h` above elevation :math:`e` out to the central angle :math:`\\psi`
  with :math:`\\cos(e + \\psi) = R_r \\cos e / (R_e + h)` (the sine rule in the triangle Earth centre -
  radar - target, whose angle at the radar is :math:`90^\\circ + e`), ground range :math:`R_e \\psi` [2]_.
* Speed of sound (:func:`speed_of_sound`): :math:`a = \\sqrt{\\gamma R T}` with the temperature of the
  U.S. Standard Atmosphere 1976 [1]_ (340.3 m/s at sea level, 295.1 m/s at 11-20 km, 329.8 m/s at 47-51 km,
  274.1 m/s at 86 km and held above, where Mach number is nominal).

References
----------
.. [1] NOAA, NASA, USAF, *U.S. Standard Atmosphere, 1976* (NOAA-S/T 76-1562), Table 4 (temperature
       layers in geopotential altitude) and eq. 50 (speed of sound).
.. [2] M. I. Skolnik, *Introduction to Radar Systems*, 3rd ed. (2001), sec. 8.2 (radar horizon, spherical
       Earth); the elevation-limited form is plane trigonometry of the same triangle.
.. [3] Kyodo, "Japan failed to detect some North Korean missiles", The Japan Times, 23 Sep 2019
       (japantimes-2019-09-23-radar).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bmdlab import bounds
from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import UNITS, Interceptor, Missile, Value
from bmdlab.defense.engage import ANTENNA_HEIGHT, make_sensor
from bmdlab.defense.envelope import elevation_angle, ground_distance, radar_visible
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, destination, initial_azimuth
from bmdlab.places import Place, resolve_place
from bmdlab.trajectory.flight import max_range, missile_trajectory

FloatArray = NDArray[np.float64]

#: The default target: Tokyo (35.68 N, 139.69 E) [deg].
TOKYO = (35.68, 139.69)
#: The default missiles: one per flight class (ballistic, quasi-ballistic, boost-glide).
DEFAULT_MISSILES = ("nodong", "kn-23", "hwasong-8")
#: The default sensors, (catalog sensor, place): the radar sites of the 2017 scenarios (J/FPS-5 at its four
#: sites, the forward-based AN/TPY-2 at Shariki and Kyogamisaki) and an Aegis SPY-1D at each Sea of Japan
#: station.
DEFAULT_SENSORS = (
    ("fps-5", "fps5-sado"),
    ("fps-5", "fps5-ominato"),
    ("fps-5", "fps5-shimokoshiki"),
    ("fps-5", "fps5-yozadake"),
    ("tpy-2-fbm", "shariki"),
    ("tpy-2-fbm", "kyogamisaki"),
    ("spy-1d", "station-sea-of-japan-central"),
    ("spy-1d", "station-sea-of-japan-west"),
    ("spy-1d", "station-sea-of-japan-north"),
)
#: Lowest radar elevation [deg], as the scenarios' timeline uses.
MIN_ELEVATION_DEG = 0.5
#: Time samples per flight (a 600 s flight in 0.15 s steps; the atmospheric tables have 500 nodes).
SAMPLES = 4001

#: U.S. Standard Atmosphere 1976, layers below 84.852 km geopotential: base altitude [m] and base
#: temperature [K], and the lapse rate [K/m] of each layer; the Earth radius of its geopotential [m], and
#: the gas constant of air [J/(kg K)] and its ratio of specific heats.
_LAYER_BASE = np.array([0.0, 11e3, 20e3, 32e3, 47e3, 51e3, 71e3, 84.852e3])
_LAYER_TEMP = np.array([288.15, 216.65, 216.65, 228.65, 270.65, 270.65, 214.65, 186.946])
_LAYER_LAPSE = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3, 0.0])
_GEOPOTENTIAL_RADIUS = 6_356_766.0
_AIR_GAS_CONSTANT = 287.05287
_AIR_GAMMA = 1.4


def speed_of_sound(altitude: ArrayLike) -> FloatArray:
    """Speed of sound [m/s] at geometric ``altitude`` [m] in the U.S. Standard Atmosphere 1976.

    :math:`a = \\sqrt{\\gamma R T(H)}`, :math:`T` linear in the geopotential altitude
    :math:`H = r_0 z / (r_0 + z)` within each layer (NOAA/NASA/USAF 1976, Table 4); sea level below ground,
    the temperature of 86 km (186.9 K) above it.
    """
    z = np.clip(np.asarray(altitude, float), 0.0, None)
    h = np.minimum(_GEOPOTENTIAL_RADIUS * z / (_GEOPOTENTIAL_RADIUS + z), _LAYER_BASE[-1])
    i = np.clip(np.searchsorted(_LAYER_BASE, h, side="right") - 1, 0, _LAYER_BASE.size - 1)
    temp = _LAYER_TEMP[i] + _LAYER_LAPSE[i] * (h - _LAYER_BASE[i])
    return np.sqrt(_AIR_GAMMA * _AIR_GAS_CONSTANT * temp)


def horizon_ground_range(
    altitude: ArrayLike,
    min_elevation: ArrayLike = 0.0,
    radar_height: ArrayLike = 0.0,
    earth_radius: float = EARTH_RADIUS,
) -> FloatArray:
    """Largest ground distance [m] at which a target at ``altitude`` [m] is at or above ``min_elevation``
    [rad] seen from a radar ``radar_height`` [m] above a spherical Earth.

    :math:`\\cos(e + \\psi) = (R_e + h_r)\\cos e / (R_e + h)`, distance :math:`R_e \\psi` (Skolnik 2001,
    sec. 8.2, and the sine rule of the triangle Earth centre - radar - target); zero where the target is not
    above the radar's elevation limit even overhead.
    """
    h = np.asarray(altitude, float)
    e = np.asarray(min_elevation, float)
    c = (earth_radius + np.asarray(radar_height, float)) * np.cos(e) / (earth_radius + h)
    psi = np.arccos(np.clip(c, -1.0, 1.0)) - e
    return earth_radius * np.maximum(psi, 0.0)


def band_time(times: ArrayLike, altitude: ArrayLike, low: float, high: float, segments: ArrayLike) -> FloatArray:
    """Time [s] an altitude history spends in ``[low, high]`` [m], over the segments selected.

    ``times`` (k,) [s] and ``altitude`` (..., k) [m] are read as piecewise linear in time; ``segments``
    (..., k - 1) selects the segments counted (e.g. those after the apogee). Exact for a piecewise linear
    history: a segment contributes its duration times the share of its altitude span inside the band.
    """
    t, a = np.asarray(times, float), np.asarray(altitude, float)
    a0, a1 = a[..., :-1], a[..., 1:]
    lo_a, hi_a = np.minimum(a0, a1), np.maximum(a0, a1)
    span = hi_a - lo_a
    overlap = np.clip(np.minimum(hi_a, high) - np.maximum(lo_a, low), 0.0, None)
    inside = (a0 >= low) & (a0 <= high)
    share = np.where(span > 0, overlap / np.where(span > 0, span, 1.0), inside.astype(float))
    return np.sum(share * np.diff(t) * np.asarray(segments, bool), axis=-1)


@dataclass(frozen=True)
class Flight:
    """One missile flown from the launch point toward the target (SI units; angles [rad])."""

    missile: str
    name: str
    flight_class: str
    trajectory: Any  #: a Trajectory or an AtmosphericTrajectory (one flight)
    launch: Place
    aim: tuple[float, float]  #: aim point (lat, lon) [rad]
    ground_range: float  #: [m]
    reach_limited: bool  #: True when flown to its catalog range on the bearing to a farther target
    times: FloatArray  #: sample times [s], the apogee among them
    apogee_time: float  #: [s]


def _check_keys(name: str, keys: Any, entries: Mapping[str, Any], kind: str) -> list[str]:
    """Catalog keys of one kind as a list, or one line naming ``name`` (unknown, repeated or none)."""
    if isinstance(keys, str) or not isinstance(keys, (list, tuple)):
        raise BmdlabError(
            f"{name}: {keys!r} is not a list of {kind} keys; give a list such as ['{next(iter(entries))}']"
        )
    if not keys:
        raise BmdlabError(f"{name}: the list is empty; give at least one {kind} key, or leave it out for the defaults")
    for k in keys:
        if not isinstance(k, str) or k not in entries:
            raise BmdlabError(f"{name}: {unknown_key(kind, str(k), entries)}")
    twice = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if twice is not None:
        raise BmdlabError(f"{name}: '{twice}' is given twice; give each once")
    return list(keys)


def _missiles_interceptors(catalog: Catalog, missiles: Any, interceptors: Any) -> tuple[list[str], list[str]]:
    """The missile and interceptor keys asked for (None: the defaults), checked."""
    keys = _check_keys(
        "missiles", list(DEFAULT_MISSILES) if missiles is None else missiles, catalog.missiles, "missile"
    )
    every = list(catalog.interceptors)
    return keys, _check_keys(
        "interceptors", every if interceptors is None else interceptors, catalog.interceptors, "interceptor"
    )


def _elevation(min_elevation_deg: Any) -> float:
    """The lowest radar elevation [deg] (its bound, :data:`bmdlab.bounds.MIN_ELEVATION_DEG`) as radians."""
    return float(np.radians(bounds.MIN_ELEVATION_DEG.check("min_elevation_deg", min_elevation_deg)))


def fly(catalog: Catalog, missile: str, launch: Place, target: Any = None) -> Flight:
    """Fly ``missile`` from ``launch`` to ``target`` (anything :func:`bmdlab.places.resolve_place` takes;
    None: Tokyo, or the farthest point the missile reaches on the bearing to Tokyo)."""
    m: Missile = catalog.missile(missile)
    la, lo = np.radians(launch.lat_deg), np.radians(launch.lon_deg)
    aim = resolve_place(target, catalog, "target") if target is not None else Place(*TOKYO, "Tokyo", "coordinates")
    ta, to = np.radians(aim.lat_deg), np.radians(aim.lon_deg)
    rng = float(EARTH_RADIUS * central_angle(la, lo, ta, to))
    limited = rng > max_range(m) * (1 + 1e-9)
    if limited and target is not None:
        raise BmdlabError(
            f"target: {aim.label} is {rng / 1e3:,.0f} km from {launch.label}, beyond the {m.name}'s catalog range "
            f"of {max_range(m) / 1e3:,.0f} km; choose a nearer target, or leave `target` out to fly each missile "
            "toward Tokyo as far as it reaches"
        )
    if limited:
        rng = max_range(m)
        ta, to = destination(la, lo, initial_azimuth(la, lo, ta, to), rng / EARTH_RADIUS)
    traj = missile_trajectory(m, la, lo, ta, to)
    ft, t_apo = float(traj.flight_time[0]), float(traj.time_to_apogee[0])
    times = np.unique(np.append(np.linspace(0.0, ft, SAMPLES), t_apo))
    return Flight(missile, m.name, m.flight_class, traj, launch, (float(ta), float(to)), rng, limited, times, t_apo)


@dataclass(frozen=True)
class Window:
    """An interceptor's altitude window [m]: nominal, narrowest and widest plausible, and their confidence."""

    low: float
    high: float
    narrow: tuple[float, float]
    wide: tuple[float, float]
    confidence: str  #: of the floor and the ceiling, e.g. "assumed/stated"

    @classmethod
    def of(cls, interceptor: Interceptor, key: str) -> Window:
        lo, hi = interceptor.min_intercept_altitude, interceptor.max_intercept_altitude
        if lo is None or hi is None:
            raise BmdlabError(f"interceptors: {key} has no intercept altitude window in the catalog")

        def span(v: Value) -> tuple[float, float]:
            p = v.plausible or (v.value if isinstance(v.value, list) else [v.nominal, v.nominal])
            f = UNITS[v.unit] or 1.0
            return f * float(p[0]), f * float(p[1])

        (f0, f1), (c0, c1) = span(lo), span(hi)
        return cls(lo.si(), hi.si(), (f1, max(c0, f1)), (f0, c1), f"{lo.confidence}/{hi.confidence}")


@dataclass(frozen=True)
class WindowRow:
    """One missile against one interceptor's altitude window (SI units; speeds [m/s])."""

    missile: str
    missile_name: str
    flight_class: str
    interceptor: str
    interceptor_name: str
    apogee: float  #: [m]
    flight_time: float  #: [s]
    ground_range: float  #: [m]
    reach_limited: bool
    window: Window
    descent_s: float  #: time in the nominal window after the apogee [s]
    ascent_s: float  #: time in the nominal window before the apogee [s]
    descent_s_plausible: tuple[float, float]  #: descent time in the narrowest and the widest plausible window [s]
    descent_speed: tuple[float, float] | None  #: speed range in the window after the apogee [m/s]
    descent_mach: tuple[float, float] | None
    ascent_speed: tuple[float, float] | None
    ascent_mach: tuple[float, float] | None

    @property
    def engageable_on_descent(self) -> bool:
        """Whether any time after the apogee is inside the nominal window."""
        return self.descent_s > 0.0

    def to_dict(self) -> dict[str, Any]:
        w = self.window
        return {
            "missile": self.missile,
            "missile_name": self.missile_name,
            "flight_class": self.flight_class,
            "interceptor": self.interceptor,
            "interceptor_name": self.interceptor_name,
            "apogee_km": self.apogee / 1e3,
            "flight_time_s": self.flight_time,
            "ground_range_km": self.ground_range / 1e3,
            "reach_limited": self.reach_limited,
            "window_km": [w.low / 1e3, w.high / 1e3],
            "window_narrowest_km": [x / 1e3 for x in w.narrow],
            "window_widest_km": [x / 1e3 for x in w.wide],
            "window_confidence": w.confidence,
            "descent_s": self.descent_s,
            "ascent_s": self.ascent_s,
            "descent_s_plausible": list(self.descent_s_plausible),
            "engageable_on_descent": self.engageable_on_descent,
            "descent_speed_m_s": None if self.descent_speed is None else list(self.descent_speed),
            "descent_mach": None if self.descent_mach is None else list(self.descent_mach),
            "ascent_speed_m_s": None if self.ascent_speed is None else list(self.ascent_speed),
            "ascent_mach": None if self.ascent_mach is None else list(self.ascent_mach),
        }


def _speed_range(speed: FloatArray, mach: FloatArray, mask: NDArray[np.bool_]) -> tuple[Any, Any]:
    """(min, max) of the speeds and Mach numbers of the samples selected, or (None, None)."""
    if not mask.any():
        return None, None
    s, m = speed[mask], mach[mask]
    return (float(s.min()), float(s.max())), (float(m.min()), float(m.max()))


def window_row(flight: Flight, key: str, interceptor: Interceptor) -> WindowRow:
    """One flight against one interceptor's window (:class:`WindowRow`)."""
    w = Window.of(interceptor, key)
    t = flight.times
    pos, vel = flight.trajectory.state(t)
    alt = np.linalg.norm(pos[0], axis=-1) - EARTH_RADIUS
    speed = np.linalg.norm(vel[0], axis=-1)
    mach = speed / speed_of_sound(alt)
    down_seg = 0.5 * (t[:-1] + t[1:]) >= flight.apogee_time
    down, inside = t >= flight.apogee_time, (alt >= w.low) & (alt <= w.high)
    d_speed, d_mach = _speed_range(speed, mach, inside & down)
    a_speed, a_mach = _speed_range(speed, mach, inside & ~down)
    traj = flight.trajectory
    return WindowRow(
        missile=flight.missile,
        missile_name=flight.name,
        flight_class=flight.flight_class,
        interceptor=key,
        interceptor_name=interceptor.name,
        apogee=float(traj.apogee[0]),
        flight_time=float(traj.flight_time[0]),
        ground_range=flight.ground_range,
        reach_limited=flight.reach_limited,
        window=w,
        descent_s=float(band_time(t, alt, w.low, w.high, down_seg)),
        ascent_s=float(band_time(t, alt, w.low, w.high, ~down_seg)),
        descent_s_plausible=(
            float(band_time(t, alt, *w.narrow, down_seg)),
            float(band_time(t, alt, *w.wide, down_seg)),
        ),
        descent_speed=d_speed,
        descent_mach=d_mach,
        ascent_speed=a_speed,
        ascent_mach=a_mach,
    )


def engagement_windows(
    catalog: Catalog,
    missiles: Any = None,
    interceptors: Any = None,
    launch_area: Any = "hodo",
    target: Any = None,
) -> list[WindowRow]:
    """Each missile's time and speed in each interceptor's altitude window, flown from ``launch_area`` to
    ``target`` (places as :func:`bmdlab.places.resolve_place` takes them; ``target`` None: Tokyo, or the
    farthest point on its bearing a missile reaches, ``reach_limited`` in its rows).

    Parameters
    ----------
    catalog : Catalog
    missiles, interceptors : list of str, optional
        Catalog keys; default :data:`DEFAULT_MISSILES` and every interceptor.
    launch_area, target
        Launch point and aim point.

    Returns
    -------
    list of WindowRow
        Missile by missile, interceptors in the order given.
    """
    keys, ints = _missiles_interceptors(catalog, missiles, interceptors)
    launch = resolve_place(launch_area, catalog, "launch_area")
    flights = [fly(catalog, k, launch, target) for k in keys]
    return [window_row(f, i, catalog.interceptors[i]) for f in flights for i in ints]


@dataclass(frozen=True)
class DetectionRow:
    """One radar against one flight (SI units; times after launch [s], ``None`` when never seen)."""

    missile: str
    missile_name: str
    flight_class: str
    sensor: str  #: catalog sensor key
    sensor_name: str
    place: str  #: place key
    detection_range: float  #: against the missile's RCS [m]
    first_detection: float | None
    last_detection: float | None
    track_s: float  #: time the radar sees the threat [s]
    altitude_at_detection: float | None  #: [m]
    distance_at_detection: float | None  #: ground distance radar - threat at first detection [m]
    horizon_at_detection: float | None  #: horizon-limited ground range at that altitude [m]
    horizon_at_apogee: float  #: horizon-limited ground range at the threat's apogee [m]
    nearest_distance: float  #: least ground distance from the radar to the threat's ground track [m]
    peak_elevation: float  #: highest elevation of the threat seen from the radar [rad]
    flight_time: float  #: [s]

    @property
    def peak_elevation_deg(self) -> float:
        """:attr:`peak_elevation` in degrees."""
        return float(np.degrees(self.peak_elevation))

    def to_dict(self) -> dict[str, Any]:
        def km(x: float | None) -> float | None:
            return None if x is None else x / 1e3

        return {
            "missile": self.missile,
            "missile_name": self.missile_name,
            "flight_class": self.flight_class,
            "sensor": self.sensor,
            "sensor_name": self.sensor_name,
            "place": self.place,
            "detection_range_km": km(self.detection_range),
            "first_detection_s": self.first_detection,
            "last_detection_s": self.last_detection,
            "track_s": self.track_s,
            "altitude_at_detection_km": km(self.altitude_at_detection),
            "distance_at_detection_km": km(self.distance_at_detection),
            "horizon_at_detection_km": km(self.horizon_at_detection),
            "horizon_at_apogee_km": km(self.horizon_at_apogee),
            "nearest_distance_km": km(self.nearest_distance),
            "peak_elevation_deg": self.peak_elevation_deg,
            "flight_time_s": self.flight_time,
        }


def detection_row(catalog: Catalog, flight: Flight, sensor_key: str, place: str, min_elevation: float) -> DetectionRow:
    """One catalog radar at a place against one flight: seen when above ``min_elevation`` [rad], within its
    range against the missile's RCS and inside its sector facing the launch point."""
    at = resolve_place(place, catalog, "sensors")
    m = catalog.missile(flight.missile)
    la, lo = np.radians(flight.launch.lat_deg), np.radians(flight.launch.lon_deg)
    s = make_sensor(catalog, sensor_key, at.lat_deg, at.lon_deg)
    s = s.against(None if m.rcs is None else m.rcs.si()).facing(la, lo)
    t = flight.times
    pos, alt = flight.trajectory.position_altitude(t)
    pos, alt = pos[0], alt[0]
    vis = radar_visible(
        s.position,
        pos,
        s.detection_range,
        min_elevation,
        EARTH_RADIUS + alt,
        boresight=s.boresight,
        half_width=s.half_width,
    )
    seen = np.flatnonzero(vis)
    first = int(seen[0]) if seen.size else None
    dist = ground_distance(s.position, pos)
    horizon = horizon_ground_range(
        np.array([alt[first] if first is not None else 0.0, alt.max()]), min_elevation, ANTENNA_HEIGHT
    )
    return DetectionRow(
        missile=flight.missile,
        missile_name=flight.name,
        flight_class=flight.flight_class,
        sensor=sensor_key,
        sensor_name=catalog.sensors[sensor_key].name,
        place=place,
        detection_range=float(s.detection_range),
        first_detection=None if first is None else float(t[first]),
        last_detection=float(t[seen[-1]]) if seen.size else None,
        track_s=float(np.sum(np.diff(t) * (vis[:-1] & vis[1:]))),
        altitude_at_detection=None if first is None else float(alt[first]),
        distance_at_detection=None if first is None else float(dist[first]),
        horizon_at_detection=None if first is None else float(horizon[0]),
        horizon_at_apogee=float(horizon[1]),
        nearest_distance=float(dist.min()),
        peak_elevation=float(np.max(elevation_angle(s.position, pos))),
        flight_time=float(flight.trajectory.flight_time[0]),
    )


def sensor_detection(
    catalog: Catalog,
    missile: str,
    launch_area: Any = "hodo",
    target: Any = None,
    sensors: Any = None,
    min_elevation_deg: float = MIN_ELEVATION_DEG,
) -> list[DetectionRow]:
    """When each radar first sees ``missile`` flown from ``launch_area`` to ``target`` (as in
    :func:`engagement_windows`), for how long, and at what altitude.

    Parameters
    ----------
    catalog : Catalog
    missile : str
        Catalog missile key.
    launch_area, target
        Places (:func:`bmdlab.places.resolve_place`); ``target`` None: toward Tokyo as far as it reaches.
    sensors : list of (str, str), optional
        (catalog sensor key, place) pairs; default :data:`DEFAULT_SENSORS`.
    min_elevation_deg : float
        Lowest radar elevation. [deg]
    """
    (key,) = _check_keys("missile", [missile] if isinstance(missile, str) else missile, catalog.missiles, "missile")
    pairs = list(DEFAULT_SENSORS) if sensors is None else sensors
    if not (
        isinstance(pairs, (list, tuple)) and pairs and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs)
    ):
        raise BmdlabError("sensors: give a non-empty list of (sensor key, place) pairs, e.g. [('fps-5', 'fps5-sado')]")
    _check_keys("sensors", list(dict.fromkeys(p[0] for p in pairs)), catalog.sensors, "sensor")
    el = _elevation(min_elevation_deg)
    flight = fly(catalog, key, resolve_place(launch_area, catalog, "launch_area"), target)
    return [detection_row(catalog, flight, s, p, el) for s, p in pairs]


@dataclass(frozen=True)
class WindowsReport:
    """Engagement windows and detections of a set of missiles from one launch point (:func:`windows_report`).

    ``schema_version`` and ``provenance`` are filled in by the API (:func:`bmdlab.api.windows`)."""

    launch: Place
    target: str  #: label of the aim point asked for
    windows: list[WindowRow]
    detections: list[DetectionRow]
    min_elevation_deg: float
    notes: list[str] = field(default_factory=list)
    schema_version: int | None = None
    provenance: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "kind": "windows",
            "provenance": self.provenance,
            "launch": self.launch.to_dict(),
            "target": self.target,
            "min_elevation_deg": self.min_elevation_deg,
            "notes": list(self.notes),
            "windows": [r.to_dict() for r in self.windows],
            "detections": [r.to_dict() for r in self.detections],
        }


def _reach_note(flight: Flight, target: str) -> str:
    """The line that says a missile was flown short of the target, to its catalog range."""
    return (
        f"{flight.name}: {target} is beyond its catalog range; flown {flight.ground_range / 1e3:,.0f} km on the "
        f"bearing to {target} (to {np.degrees(flight.aim[0]):.2f} N, {np.degrees(flight.aim[1]):.2f} E)"
    )


def windows_report(
    catalog: Catalog,
    missiles: Any = None,
    interceptors: Any = None,
    launch_area: Any = "hodo",
    target: Any = None,
    min_elevation_deg: float = MIN_ELEVATION_DEG,
) -> WindowsReport:
    """:func:`engagement_windows` and :func:`sensor_detection` (the :data:`DEFAULT_SENSORS`) of each missile,
    each flown once."""
    keys, ints = _missiles_interceptors(catalog, missiles, interceptors)
    el = _elevation(min_elevation_deg)
    launch = resolve_place(launch_area, catalog, "launch_area")
    flights = [fly(catalog, k, launch, target) for k in keys]
    label = "Tokyo" if target is None else resolve_place(target, catalog, "target").label
    return WindowsReport(
        launch=launch,
        target=label,
        windows=[window_row(f, i, catalog.interceptors[i]) for f in flights for i in ints],
        detections=[detection_row(catalog, f, s, p, el) for f in flights for s, p in DEFAULT_SENSORS],
        min_elevation_deg=float(np.degrees(el)),
        notes=[_reach_note(f, label) for f in flights if f.reach_limited],
    )


__all__ = [
    "DEFAULT_MISSILES",
    "DEFAULT_SENSORS",
    "MIN_ELEVATION_DEG",
    "TOKYO",
    "DetectionRow",
    "Flight",
    "Window",
    "WindowRow",
    "WindowsReport",
    "band_time",
    "detection_row",
    "engagement_windows",
    "fly",
    "horizon_ground_range",
    "sensor_detection",
    "speed_of_sound",
    "window_row",
    "windows_report",
]
