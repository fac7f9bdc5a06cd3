"""One way to write any layer: :func:`write_layer` picks the format from the file's suffix."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from bmdlab.arguments import flag
from bmdlab.coverage.national import Coverage
from bmdlab.defense.footprint import Footprint
from bmdlab.errors import BmdlabError
from bmdlab.export.coverage import coverage_dataset, coverage_geojson
from bmdlab.export.footprint import footprint_dataset, footprint_geojson
from bmdlab.export.gis import layer_geodataframe, write_geodataframe
from bmdlab.export.kml import check_colours, write_czml, write_kml
from bmdlab.export.trajectory import check_epoch, trajectory_dataset, trajectory_geojson
from bmdlab.export.writers import write_geojson, write_netcdf
from bmdlab.io import check_output_file
from bmdlab.trajectory.atmospheric import AtmosphericTrajectory
from bmdlab.trajectory.ballistic import Trajectory

#: What each suffix writes (the format's name, for help texts).
LAYER_FORMATS: dict[str, str] = {
    ".geojson": "GeoJSON (RFC 7946)",
    ".nc": "CF NetCDF",
    ".parquet": "GeoParquet (needs bmdlab[gis])",
    ".gpkg": "GeoPackage (needs bmdlab[gis])",
    ".kml": "KML (Google Earth)",
    ".czml": "CZML (Cesium)",
}
#: Suffixes :func:`write_layer` writes, by the kind of object (every kind takes every format).
LAYER_SUFFIXES: dict[str, tuple[str, ...]] = {
    kind: tuple(LAYER_FORMATS) for kind in ("Coverage", "Footprint", "Trajectory")
}


def _layer_kind(obj: Any) -> str:
    if isinstance(obj, Coverage):
        return "Coverage"
    if isinstance(obj, Footprint):
        return "Footprint"
    if isinstance(obj, (Trajectory, AtmosphericTrajectory)):
        return "Trajectory"
    raise BmdlabError(
        f"obj: expected a Coverage, Footprint or Trajectory, got {type(obj).__name__}; "
        f"compute one with national_coverage, defended_footprint or missile_trajectory"
    )


def layer_suffix(obj: Any, path: Any) -> str:
    """The suffix of ``path`` if :func:`write_layer` writes ``obj`` with it, else a one-line :class:`BmdlabError`
    naming the suffixes it accepts (called before any work)."""
    kind = _layer_kind(obj)
    if not isinstance(path, (str, Path)) or not str(path):
        raise BmdlabError(f"path: expected a file name, got {type(path).__name__}")
    suffix = Path(path).suffix.lower()
    accepted = LAYER_SUFFIXES[kind]
    if suffix not in accepted:
        shown = f"suffix '{suffix}'" if suffix else "no suffix"
        raise BmdlabError(f"path: '{path}' has {shown}; a {kind} layer is written as {', '.join(accepted)}")
    return suffix


def write_layer(
    obj: Any,
    path: str | Path,
    *,
    provenance: Mapping | None = None,
    colours: Mapping[int, str] | None = None,
    coast: bool = True,
    epoch: datetime | None = None,
) -> Path:
    """Write a coverage, a footprint or a trajectory as a map layer, the format chosen by the suffix.

    Parameters
    ----------
    obj : Coverage, Footprint or Trajectory
        From :func:`~bmdlab.coverage.national.national_coverage`,
        :func:`~bmdlab.defense.footprint.defended_footprint` or
        :func:`~bmdlab.trajectory.missile_trajectory`.
    path : str or Path
        Output file; its suffix picks the format (:data:`LAYER_FORMATS`): ``.geojson``
        (:func:`write_geojson`), ``.nc`` (CF NetCDF, :func:`write_netcdf`), ``.parquet`` (GeoParquet)
        and ``.gpkg`` (GeoPackage; both need GeoPandas), ``.kml`` (Google Earth) and ``.czml``
        (Cesium). Written atomically; a symbolic link, a device or a folder is refused.
    provenance : dict, optional
        Recorded in the file (GeoJSON member ``"bmdlab"``, NetCDF global attributes, the KML
        document's and the CZML document packet's ``description``).
    colours : dict of int to str, optional
        KML and CZML: ``#rrggbb`` per shot-opportunity class -1..3.
    coast : bool, default True
        Coverage polygons (GeoJSON, GeoParquet, GeoPackage, KML, CZML) cut to the coastline.
    epoch : datetime, optional
        Trajectories (NetCDF, KML, CZML, GeoParquet, GeoPackage): the launch time, timezone-aware.

    Returns
    -------
    Path
    """
    kind = _layer_kind(obj)
    suffix = layer_suffix(obj, path)
    coast, epoch, colours = flag("coast", coast), check_epoch(epoch), check_colours(colours)
    path = check_output_file(path, "path")
    if suffix == ".geojson":
        if kind == "Coverage":
            return write_geojson(coverage_geojson(obj, provenance=provenance, coast=coast), path)
        maker = footprint_geojson if kind == "Footprint" else trajectory_geojson
        return write_geojson(maker(obj, provenance=provenance), path)
    if suffix == ".nc":
        if kind == "Trajectory":
            return write_netcdf(trajectory_dataset(obj, provenance=provenance, epoch=epoch), path)
        dataset = coverage_dataset if kind == "Coverage" else footprint_dataset
        return write_netcdf(dataset(obj, provenance=provenance), path)
    if suffix in (".parquet", ".gpkg"):
        return write_geodataframe(layer_geodataframe(obj, provenance=provenance, coast=coast, epoch=epoch), path)
    writer = write_kml if suffix == ".kml" else write_czml
    return writer(obj, path, provenance=provenance, colours=colours, coast=coast, epoch=epoch)
