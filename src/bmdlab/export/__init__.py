"""Exports an analyst can open in other tools: GeoJSON, CF NetCDF, GeoParquet, KML and CZML layers,
GeoDataFrames, and Parquet and CSV tables.

Layers
------
A coverage (:mod:`bmdlab.export.coverage`), a unit's footprint (:mod:`bmdlab.export.footprint`) and
a trajectory (:mod:`bmdlab.export.trajectory`) are each written by :func:`write_layer`, the format
chosen by the file's suffix (:data:`LAYER_SUFFIXES`). Every file is written atomically (a temporary
file, then a rename) and never over a symbolic link, a device or a folder.
"""

from bmdlab.export.common import DECIMALS, WGS84_WKT
from bmdlab.export.coverage import CLASS_LABELS, coverage_classes, coverage_dataset, coverage_geojson, coverage_polygons
from bmdlab.export.footprint import FOOTPRINT_CLASS_LABELS, footprint_dataset, footprint_geojson
from bmdlab.export.gis import layer_geodataframe, write_geodataframe
from bmdlab.export.kml import layer_czml, layer_kml, write_czml, write_kml
from bmdlab.export.layer import LAYER_FORMATS, LAYER_SUFFIXES, layer_suffix, write_layer
from bmdlab.export.trajectory import (
    LAUNCH_EPOCH,
    TRAJECTORY_SAMPLES,
    trajectory_dataset,
    trajectory_geojson,
    trajectory_samples,
)
from bmdlab.export.writers import points_geojson, write_geojson, write_netcdf, write_table

__all__ = [
    "CLASS_LABELS",
    "DECIMALS",
    "FOOTPRINT_CLASS_LABELS",
    "LAUNCH_EPOCH",
    "LAYER_FORMATS",
    "LAYER_SUFFIXES",
    "TRAJECTORY_SAMPLES",
    "WGS84_WKT",
    "coverage_classes",
    "coverage_dataset",
    "coverage_geojson",
    "coverage_polygons",
    "footprint_dataset",
    "footprint_geojson",
    "layer_czml",
    "layer_geodataframe",
    "layer_kml",
    "layer_suffix",
    "points_geojson",
    "trajectory_dataset",
    "trajectory_geojson",
    "trajectory_samples",
    "write_czml",
    "write_geodataframe",
    "write_geojson",
    "write_kml",
    "write_layer",
    "write_netcdf",
    "write_table",
]
