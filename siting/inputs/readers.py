"""Read layer files of any supported format into (Geo)DataFrames.

Only this module touches layer files on disk. Geometry-free CSVs stay plain DataFrames; a
CSV with ``lon`` and ``lat`` columns becomes a point layer in EPSG:4326 (``docs/layers.md``).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from siting.base.errors import InputError, Problem

GEO_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED = GEO_SUFFIXES | PARQUET_SUFFIXES | CSV_SUFFIXES


def read_layer(path: Path, layer_name: str, known_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read one layer file.

    Parameters
    ----------
    path
        File path (GeoPackage, GeoJSON, Shapefile, FlatGeobuf, GeoParquet/Parquet or CSV).
    layer_name
        Name of the layer in the config, used in messages.
    known_columns
        Contract column names; Shapefile's 10-character truncations of them are renamed back.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Columns as in the file; point CSVs get a ``geometry`` in EPSG:4326.

    Raises
    ------
    InputError
        The file is missing, unreadable, of an unsupported type, or empty.
    """
    where = f"layers.{layer_name} ({path})"
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            [
                Problem(
                    where,
                    f"unsupported file type '{suffix}'",
                    f"use one of {', '.join(sorted(SUPPORTED))}",
                )
            ]
        )
    if not path.exists():
        raise InputError(
            [Problem(where, "file not found", "check the path (relative to the config file)")]
        )
    if path.is_dir():
        raise InputError([Problem(where, "is a folder, not a file", "name the layer file itself")])
    try:
        if suffix in CSV_SUFFIXES:
            df = pd.read_csv(path, encoding="utf-8")
            df = _points_from_lonlat(df)
        elif suffix in PARQUET_SUFFIXES:
            df = _read_parquet(path)
        else:
            df = gpd.read_file(path, engine="pyogrio")
            if isinstance(df, gpd.GeoDataFrame) and df.geometry.isna().all():
                df = pd.DataFrame(df.drop(columns=df.geometry.name))
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError([Problem(where, f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                                  "save it as UTF-8 (CSV UTF-8 in a spreadsheet)")]) from None  # fmt: skip
    except Exception as exc:  # any reader failure is a bad file, not a bug of ours
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            [Problem(where, f"cannot read the file ({msg})", "check that it is a valid file")]
        ) from None
    if len(df) == 0:
        raise InputError([Problem(where, "the layer has no rows", "supply at least one feature")])
    if suffix == ".shp" and known_columns:
        df = _restore_truncated(df, known_columns)
    return df


def _restore_truncated(df: pd.DataFrame, known: tuple[str, ...]) -> pd.DataFrame:
    """Undo the DBF format's 10-character field names (``existing_i`` -> ``existing_it_mw``)."""
    short = {name[:10]: name for name in known if len(name) > 10}
    rename = {c: short[c] for c in df.columns if c in short and short[c] not in df.columns}
    return df.rename(columns=rename)


def _points_from_lonlat(df: pd.DataFrame) -> pd.DataFrame:
    if {"lon", "lat"}.issubset(df.columns):
        lon = pd.to_numeric(df["lon"], errors="coerce")
        lat = pd.to_numeric(df["lat"], errors="coerce")
        return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        return gpd.read_parquet(path)
    return _points_from_lonlat(pd.read_parquet(path))
