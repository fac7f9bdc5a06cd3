"""Layers as GeoPandas GeoDataFrames (EPSG:4326) and the files GIS tools read: GeoParquet and GeoPackage.

GeoPandas is optional (the ``gis`` extra: ``pip install 'bmdlab[gis]'``); without it these functions
refuse in one line that names the command to install it.

A trajectory's frame has one row per segment between consecutive samples (a 3-D LineString, altitude
above the sphere in metres) with its start and end times, ``time_start_s`` / ``time_end_s`` after
launch and ``time_start`` / ``time_end`` as UTC datetimes from the launch ``epoch``: the per-feature
time fields GIS tools animate (QGIS's temporal controller), which a single line cannot carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bmdlab.arguments import flag
from bmdlab.coverage.national import Coverage
from bmdlab.defense.footprint import Footprint
from bmdlab.errors import BmdlabError
from bmdlab.export.coverage import coverage_features
from bmdlab.export.footprint import footprint_geojson
from bmdlab.export.trajectory import check_epoch, check_trajectory, flight_figures, trajectory_samples
from bmdlab.io import atomic_file, write_error
from bmdlab.lazy import lazy_module
from bmdlab.trajectory.atmospheric import AtmosphericTrajectory
from bmdlab.trajectory.ballistic import Trajectory

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    import shapely
else:
    pd = lazy_module("pandas")
    shapely = lazy_module("shapely")

#: The CRS of every frame and file: WGS 84 longitude/latitude.
CRS = "EPSG:4326"
#: What to run when GeoPandas is missing.
INSTALL_GIS = "pip install 'bmdlab[gis]'"


def geopandas_module(what: str = "to_geodataframe") -> Any:
    """The ``geopandas`` module, or a one-line :class:`BmdlabError` naming ``what`` and :data:`INSTALL_GIS`."""
    try:
        import geopandas  # lazy: an optional dependency (the gis extra), and slow to import
    except ImportError:
        raise BmdlabError(f"{what}: needs GeoPandas, which is not installed; install it with {INSTALL_GIS}") from None
    return geopandas


def _frame(features: list[dict], provenance: Mapping | None) -> gpd.GeoDataFrame:
    gpd_ = geopandas_module()
    gdf = gpd_.GeoDataFrame.from_features(features, crs=CRS)
    gdf = gdf[[*(c for c in gdf.columns if c != "geometry"), "geometry"]]
    if provenance is not None:
        gdf.attrs["bmdlab"] = dict(provenance)
    return gdf


def trajectory_geodataframe(
    traj: Trajectory | AtmosphericTrajectory, *, epoch: datetime | None = None, provenance: Mapping | None = None
) -> gpd.GeoDataFrame:
    """Flights as a GeoDataFrame of timed segments (see the module docstring).

    Parameters
    ----------
    traj : Trajectory
        From :func:`bmdlab.trajectory.missile_trajectory`.
    epoch : datetime, optional
        Launch time (timezone-aware); default :data:`bmdlab.export.trajectory.LAUNCH_EPOCH`.
    provenance : dict, optional
        Kept in ``gdf.attrs["bmdlab"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``flight``, ``shape``, ``apogee_km``, ``flight_time_s``, ``range_km``,
        ``time_start_s``, ``time_end_s`` [s], ``time_start``, ``time_end`` (UTC) and ``geometry``
        (LineString Z: lon, lat [deg], altitude [m]); crs EPSG:4326.
    """
    traj = check_trajectory(traj)
    start = check_epoch(epoch)
    gpd_ = geopandas_module()
    parts = []
    for i in range(len(traj)):
        s = trajectory_samples(traj, i)
        xyz = np.column_stack([s["lon_deg"], s["lat_deg"], s["altitude_m"]])
        t = s["time_s"]
        segments = shapely.linestrings(np.stack([xyz[:-1], xyz[1:]], axis=1))
        parts.append(
            pd.DataFrame(
                {
                    **{k: [v] * (t.size - 1) for k, v in flight_figures(traj, i).items()},
                    "time_start_s": t[:-1],
                    "time_end_s": t[1:],
                    "time_start": pd.Timestamp(start) + pd.to_timedelta(t[:-1], unit="s"),
                    "time_end": pd.Timestamp(start) + pd.to_timedelta(t[1:], unit="s"),
                    "geometry": segments,
                }
            )
        )
    gdf = gpd_.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=CRS)
    if provenance is not None:
        gdf.attrs["bmdlab"] = dict(provenance)
    return gdf


def layer_geodataframe(
    obj: Any, *, provenance: Mapping | None = None, coast: bool = True, epoch: datetime | None = None
) -> gpd.GeoDataFrame:
    """A coverage, a footprint or a trajectory as a GeoDataFrame with crs EPSG:4326.

    Parameters
    ----------
    obj : Coverage, Footprint or Trajectory
        A coverage gives one row per shot-opportunity class (the features of
        :func:`~bmdlab.export.coverage_geojson`, cut to the coast unless ``coast`` is False); a
        footprint one row per class and one for the unit (:func:`~bmdlab.export.footprint_geojson`);
        a trajectory timed segments (:func:`trajectory_geodataframe`).
    provenance : dict, optional
        Kept in ``gdf.attrs["bmdlab"]`` (files do not keep ``attrs``).
    coast : bool, default True
        Coverage only: cut the polygons to the coastline.
    epoch : datetime, optional
        Trajectory only: the launch time.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    coast = flag("coast", coast)
    if isinstance(obj, Coverage):
        return _frame(coverage_features(obj, coast=coast), provenance)
    if isinstance(obj, Footprint):
        return _frame(footprint_geojson(obj)["features"], provenance)
    if isinstance(obj, (Trajectory, AtmosphericTrajectory)):
        return trajectory_geodataframe(obj, epoch=epoch, provenance=provenance)
    raise BmdlabError(
        f"obj: expected a Coverage, Footprint or Trajectory, got {type(obj).__name__}; "
        f"compute one with national_coverage, defended_footprint or missile_trajectory"
    )


def write_geodataframe(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a GeoDataFrame atomically as GeoParquet (``.parquet``, GeoParquet 1.x with its CRS as PROJJSON) or
    GeoPackage (``.gpkg``, through pyogrio), chosen by the suffix of ``path``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        E.g. from :func:`layer_geodataframe`.
    path : str or Path
        Output file; its folder must exist. A symbolic link, a device or a folder is refused.

    Returns
    -------
    Path
    """
    gpd_ = geopandas_module("write_geodataframe")
    if not isinstance(gdf, gpd_.GeoDataFrame):
        raise BmdlabError(f"gdf: expected a geopandas.GeoDataFrame, got {type(gdf).__name__}")
    suffix = Path(path).suffix.lower()
    if suffix not in (".parquet", ".gpkg"):
        raise BmdlabError(f"path: '{path}' has suffix '{suffix}'; a GeoDataFrame is written as .parquet or .gpkg")
    with atomic_file(path, suffix=suffix) as tmp:
        try:
            if suffix == ".parquet":
                gdf.to_parquet(tmp, index=False)
            else:
                tmp.unlink()  # GDAL creates the GeoPackage itself
                gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer=Path(path).stem)
        except OSError:
            raise
        except Exception as exc:  # pyarrow's and GDAL's own errors (a full disk among them)
            raise write_error("path", path, exc) from None
    return Path(path)
