"""Flights as time-tagged layers: GeoJSON LineStrings with altitude and CF trajectory NetCDF."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.errors import BmdlabError
from bmdlab.export.common import DECIMALS, _attrs_of, _collection
from bmdlab.lazy import lazy_module
from bmdlab.trajectory.atmospheric import AtmosphericTrajectory
from bmdlab.trajectory.ballistic import Trajectory

if TYPE_CHECKING:
    import xarray as xr
else:
    xr = lazy_module("xarray")

# ---------------------------------------------------------------------------------------------- trajectory

#: Samples of each flight in a trajectory layer (plus its burnout and apogee times).
TRAJECTORY_SAMPLES = 301
#: Launch time written in time-tagged layers (KML, CZML, GeoDataFrames) unless one is given: flights are
#: modelled in seconds after launch, so any date serves; this one is plainly a stand-in (J2000's day).
LAUNCH_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def check_epoch(epoch: Any) -> datetime:
    """The launch time of a time-tagged layer: a timezone-aware :class:`datetime.datetime` (None: :data:`LAUNCH_EPOCH`)."""
    if epoch is None:
        return LAUNCH_EPOCH
    if not isinstance(epoch, datetime) or epoch.tzinfo is None or epoch.utcoffset() is None:
        raise BmdlabError(
            f"epoch: expected a timezone-aware datetime (e.g. datetime(2017, 8, 28, 20, 57, tzinfo=UTC)), got {epoch!r}"
        )
    return epoch.astimezone(UTC)


def iso_time(epoch: datetime, seconds: float) -> str:
    """``epoch + seconds`` as ISO 8601 UTC with milliseconds (``2000-01-01T00:05:31.250Z``)."""
    return (epoch + timedelta(seconds=float(seconds))).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_trajectory(traj: Any) -> Trajectory | AtmosphericTrajectory:
    if not isinstance(traj, (Trajectory, AtmosphericTrajectory)):
        raise BmdlabError(
            f"traj: expected a bmdlab.trajectory.Trajectory, got {type(traj).__name__}; "
            f"compute it with missile_trajectory"
        )
    if len(traj) == 0:
        raise BmdlabError("traj: the trajectory holds no flights; compute it with missile_trajectory")
    return traj


def trajectory_samples(traj: Trajectory | AtmosphericTrajectory, i: int) -> dict[str, NDArray]:
    """Flight ``i`` sampled in time: ``time_s``, ``lat_deg``, ``lon_deg``, ``altitude_m`` (above the sphere).

    :data:`TRAJECTORY_SAMPLES` evenly spaced times from launch to impact, plus the burnout and apogee
    times, so the highest sample is the apogee and the last the impact. A :class:`BmdlabError` if the
    flight or a sample is not finite (an infeasible flight).
    """
    ft, tb, ta = (float(np.asarray(a)[i]) for a in (traj.flight_time, traj.burn_time, traj.time_to_apogee))
    if not all(math.isfinite(v) for v in (ft, tb, ta)) or ft <= 0:
        raise BmdlabError(
            f"traj: flight {i} has no finite flight time (an infeasible flight); check its launch and aim"
        )
    t = np.unique(np.concatenate([np.linspace(0.0, ft, TRAJECTORY_SAMPLES), np.clip([tb, ta], 0.0, ft)]))
    lat, lon, alt = (np.asarray(a)[i] for a in traj.geodetic(t[None, :].repeat(len(traj), axis=0)))
    out = {"time_s": t, "lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "altitude_m": alt}
    if not all(np.all(np.isfinite(v)) for v in out.values()):
        raise BmdlabError(f"traj: flight {i} has a non-finite position; check its launch and aim")
    out["lon_deg"] = (out["lon_deg"] + 180.0) % 360.0 - 180.0
    return out


def flight_figures(traj: Trajectory | AtmosphericTrajectory, i: int) -> dict[str, Any]:
    """Headline figures of flight ``i`` written with every trajectory layer: ``flight``, ``shape``,
    ``apogee_km``, ``flight_time_s`` and ``range_km``."""
    return {
        "flight": i,
        "shape": traj.shape,
        "apogee_km": round(float(traj.apogee[i]) / 1e3, 3),
        "flight_time_s": round(float(traj.flight_time[i]), 2),
        "range_km": round(float(traj.ground_range[i]) / 1e3, 3),
    }


def trajectory_geojson(traj: Trajectory | AtmosphericTrajectory, *, provenance: Mapping | None = None) -> dict:
    """Flights as GeoJSON LineStrings with altitude (RFC 7946: [lon, lat, altitude above the sphere, m]).

    Parameters
    ----------
    traj : Trajectory
        From :func:`bmdlab.trajectory.missile_trajectory` (ballistic or atmospheric).
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"``.

    Returns
    -------
    dict
        One feature per flight: a LineString of the samples of :func:`trajectory_samples`, properties
        ``flight``, ``shape``, ``times_s`` (the time of each vertex after launch) [s], ``apogee_km``,
        ``flight_time_s`` and ``range_km``.
    """
    traj = check_trajectory(traj)
    features = []
    for i in range(len(traj)):
        s = trajectory_samples(traj, i)
        coords = np.column_stack(
            [np.round(s["lon_deg"], DECIMALS), np.round(s["lat_deg"], DECIMALS), np.round(s["altitude_m"], 1)]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords.tolist()},
                "properties": {**flight_figures(traj, i), "times_s": np.round(s["time_s"], 3).tolist()},
            }
        )
    return _collection(features, provenance)


def trajectory_dataset(
    traj: Trajectory | AtmosphericTrajectory, *, provenance: Mapping | None = None, epoch: datetime | None = None
) -> xr.Dataset:
    """Flights as a CF-1.8 discrete-sampling-geometry file (``featureType: trajectory``).

    Parameters
    ----------
    traj : Trajectory
        From :func:`bmdlab.trajectory.missile_trajectory`.
    provenance : dict, optional
        Added to the global attributes, values as text.
    epoch : datetime, optional
        Launch time (timezone-aware; default :data:`LAUNCH_EPOCH`): ``time`` is in seconds since it,
        so xarray decodes it to dates.

    Returns
    -------
    xarray.Dataset
        Dimensions ``trajectory`` and ``obs`` (samples of :func:`trajectory_samples`); variables
        ``time`` (seconds since the launch ``epoch``), ``lat``, ``lon`` [deg], ``altitude`` (above the
        sphere) [m], NaN (the ``_FillValue``) after a flight's last sample; per flight ``apogee`` [m],
        ``flight_time`` [s] and ``ground_range`` [m].
    """
    traj = check_trajectory(traj)
    start = check_epoch(epoch)
    samples = [trajectory_samples(traj, i) for i in range(len(traj))]
    n_obs = max(s["time_s"].size for s in samples)

    def stack(key: str) -> NDArray:
        out = np.full((len(samples), n_obs), np.nan)
        for i, s in enumerate(samples):
            out[i, : s[key].size] = s[key]
        return out

    obs = ("trajectory", "obs")
    one = ("trajectory",)
    ds = xr.Dataset(
        {
            "altitude": (
                obs,
                stack("altitude_m"),
                {
                    "standard_name": "height",
                    "units": "m",
                    "positive": "up",
                    "long_name": "altitude above the sphere",
                },
            ),
            "apogee": (one, np.asarray(traj.apogee, float), {"long_name": "highest altitude", "units": "m"}),
            "flight_time": (one, np.asarray(traj.flight_time, float), {"long_name": "launch to impact", "units": "s"}),
            "ground_range": (
                one,
                np.asarray(traj.ground_range, float),
                {"long_name": "launch to target", "units": "m"},
            ),
        },
        coords={
            "trajectory": (one, np.arange(len(samples), dtype=np.int32), {"cf_role": "trajectory_id"}),
            "time": (
                obs,
                stack("time_s"),
                {
                    "standard_name": "time",
                    "units": f"seconds since {start:%Y-%m-%d %H:%M:%S}",
                    "calendar": "standard",
                    "long_name": "time (launch at the epoch of the units)",
                    "axis": "T",
                },
            ),
            "lat": (obs, stack("lat_deg"), {"standard_name": "latitude", "units": "degrees_north"}),
            "lon": (obs, stack("lon_deg"), {"standard_name": "longitude", "units": "degrees_east"}),
        },
        attrs={
            "Conventions": "CF-1.8",
            "featureType": "trajectory",
            "title": f"bmdlab trajectory ({traj.shape})",
            "source": "bmdlab trajectory_dataset",
            **_attrs_of(provenance),
        },
    )
    for name in ("time", "lat", "lon", "altitude"):
        ds[name].encoding["_FillValue"] = np.nan
    return ds
