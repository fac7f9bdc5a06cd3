"""Writers of GeoJSON, NetCDF and tables (atomic; never over a link, a device or an input), and point layers."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bmdlab.errors import BmdlabError
from bmdlab.export.common import DECIMALS, _collection
from bmdlab.io import atomic_file, atomic_write_bytes, check_output_file, strict_json, write_error
from bmdlab.lazy import lazy_module

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import xarray as xr
else:
    duckdb = lazy_module("duckdb")
    pd = lazy_module("pandas")
    xr = lazy_module("xarray")

_TABLE_SUFFIXES = (".parquet", ".csv")

# ------------------------------------------------------------------------------------------------ points


def _scalar(value: Any, where: str) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise BmdlabError(f"{where}: is a {type(value).__name__}; give numbers, text, booleans or None")


def points_geojson(rows: Sequence[Mapping], *, provenance: Mapping | None = None) -> dict:
    """Point features (cities, units) as a GeoJSON FeatureCollection (RFC 7946; lon/lat on WGS 84).

    Parameters
    ----------
    rows : sequence of dict
        Each with ``lat`` and ``lon`` [deg] and any other scalar properties (numbers, text,
        booleans, None); non-finite numbers become null.
    provenance : dict, optional
        Recorded as the top-level member ``"bmdlab"``.

    Returns
    -------
    dict
        One Point feature per row, in order, coordinates rounded to 5 decimals.
    """
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        raise BmdlabError(f"rows: expected a list of dicts with lat and lon, got {type(rows).__name__}")
    features = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise BmdlabError(f"rows[{i}]: expected a dict with lat and lon, got {type(row).__name__}")
        coords = []
        for name, limit in (("lon", 180.0), ("lat", 90.0)):
            v = row.get(name)
            v = v.item() if isinstance(v, np.generic) else v
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not -limit <= v <= limit:
                raise BmdlabError(
                    f"rows[{i}].{name}: expected a number of degrees in [-{limit:g}, {limit:g}], got {v!r}"
                )
            coords.append(round(float(v), DECIMALS))
        props = {str(k): _scalar(v, f"rows[{i}].{k}") for k, v in row.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props})
    return _collection(features, provenance)


# ------------------------------------------------------------------------------------------------ writers


def write_geojson(obj: Mapping, path: str | Path) -> Path:
    """Write a GeoJSON object atomically as compact UTF-8 JSON (non-finite numbers as null).

    Parameters
    ----------
    obj : dict
        A GeoJSON object (e.g. from :func:`coverage_geojson`).
    path : str or Path
        Output file; its folder must exist.

    Returns
    -------
    Path
    """
    if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
        raise BmdlabError(f"obj: expected a GeoJSON dict with a 'type', got {type(obj).__name__}")
    path = check_output_file(path, "path")
    text = json.dumps(strict_json(dict(obj))[0], ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return atomic_write_bytes(path, (text + "\n").encode("utf-8"))


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    """Write a dataset atomically as NetCDF-3 (64-bit offset, scipy engine).

    int8, int16, int32 and float variables keep their types; global and variable attributes must
    be text, numbers or numeric arrays (booleans and nested values are refused by NetCDF-3).

    Parameters
    ----------
    ds : xarray.Dataset
        E.g. from :func:`coverage_dataset`.
    path : str or Path
        Output file (``.nc``); its folder must exist.

    Returns
    -------
    Path
    """
    if not isinstance(ds, xr.Dataset):
        raise BmdlabError(f"ds: expected an xarray.Dataset, got {type(ds).__name__}")
    path = check_output_file(path, "path")
    ds = ds.copy()
    for name, var in ds.variables.items():
        if var.dtype.kind == "f" and "_FillValue" not in var.encoding:
            ds[name].encoding["_FillValue"] = None
    try:
        data = bytes(ds.to_netcdf(None, engine="scipy", format="NETCDF3_64BIT"))
    except (TypeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BmdlabError(
            f"ds: cannot be written as NetCDF-3 ({first}); give attributes as text or numbers "
            f"and variables as int8/int16/int32/float"
        ) from None
    return atomic_write_bytes(path, data)


def _check_frame(frame: Any) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise BmdlabError(f"frame: expected a pandas.DataFrame, got {type(frame).__name__}")
    names = list(frame.columns)
    if any(not isinstance(c, str) for c in names) or len(set(names)) != len(names):
        raise BmdlabError("frame: column names must be unique text; rename the columns")
    for c in names:
        col = frame[c]
        if col.dtype == object:
            kind = pd.api.types.infer_dtype(col, skipna=True)
            if kind not in ("string", "empty", "boolean"):
                raise BmdlabError(f"frame: column '{c}' holds {kind} values; give numbers, text or booleans")
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table atomically as Parquet (through DuckDB) or CSV, chosen by the suffix of ``path``.

    Column types are kept: integers stay integers (Parquet int64), floats doubles, text strings,
    booleans booleans. The index is not written.

    Parameters
    ----------
    frame : pandas.DataFrame
        Scalar columns with unique text names.
    path : str or Path
        Output file ending in ``.parquet`` or ``.csv``; its folder must exist.

    Returns
    -------
    Path
    """
    frame = _check_frame(frame)
    suffix = Path(path).suffix.lower()
    if suffix not in _TABLE_SUFFIXES:
        raise BmdlabError(f"path: '{path}' has suffix '{suffix}'; use one of {', '.join(_TABLE_SUFFIXES)}")
    path = check_output_file(path, "path")
    if suffix == ".csv":
        return atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8"))
    with atomic_file(path, suffix=".parquet") as tmp, duckdb.connect() as con:
        con.register("bmdlab_table", frame)
        target = str(tmp).replace("'", "''")
        try:
            con.execute(f"COPY bmdlab_table TO '{target}' (FORMAT PARQUET)")
        except duckdb.Error as exc:  # DuckDB's own IOException (a full disk: errno 28 in its message)
            raise write_error("path", path, exc) from None
    return path
