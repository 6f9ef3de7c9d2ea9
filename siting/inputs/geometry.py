"""Geometry work on the input layers, all in one metric, equal-area CRS (EPSG:3035).

Reprojection, geometry-type checks, points from ``lon``/``lat``, spatial joins to zones and
great-circle distances. Nothing downstream of the layers sees geometry.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.inputs.checks import Collector, numeric, row_label, where

CRS = "EPSG:3035"
"""Working CRS: equal-area and metric for Europe."""

NEAREST_ZONE_TOLERANCE_M = 10_000.0
"""Points this close outside every zone join the nearest one [m] (simplified coastlines)."""


def to_crs(gdf: gpd.GeoDataFrame, name: str, path: Path, c: Collector) -> gpd.GeoDataFrame | None:
    if gdf.crs is None:
        c.add(
            where(name, path),
            "the layer has no coordinate reference system",
            "set the CRS in the file (e.g. EPSG:4326)",
        )
        return None
    return gdf.to_crs(CRS)


def geometry_checks(
    gdf: gpd.GeoDataFrame, kinds: set[str], name: str, path: Path, c: Collector, id_col: str
) -> None:
    from shapely.validation import explain_validity

    for idx, geom in gdf.geometry.items():
        if (
            geom is not None
            and not geom.is_empty
            and not np.isfinite(shapely.get_coordinates(geom)).all()
        ):
            c.add(
                where(name, path, row_label(gdf, idx, id_col)),
                "coordinates are missing or not numbers",
                "give finite coordinates (lon/lat in degrees for CSV)",
            )
        elif geom is None or geom.is_empty:
            c.add(
                where(name, path, row_label(gdf, idx, id_col)),
                "empty geometry",
                "give the feature a geometry",
            )
        elif geom.geom_type not in kinds:
            c.add(
                where(name, path, row_label(gdf, idx, id_col)),
                f"geometry is {geom.geom_type}",
                f"use {' or '.join(sorted(kinds))}",
            )
        elif not geom.is_valid:
            c.add(
                where(name, path, row_label(gdf, idx, id_col)),
                f"invalid geometry ({explain_validity(geom)})",
                "repair it (e.g. shapely.make_valid or QGIS 'Fix geometries')",
            )


def lonlat_points(
    df: pd.DataFrame, name: str, path: Path, c: Collector, id_col: str
) -> pd.DataFrame:
    """Degree ranges for point layers given as lon/lat columns (CSV); bad rows are dropped.

    Their problems are reported here, so the geometry checks need not repeat them.
    """
    if not {"lon", "lat"}.issubset(df.columns):
        return df
    numeric(df, "lon", name, path, c, id_col, lo=-180.0, hi=180.0)
    numeric(df, "lat", name, path, c, id_col, lo=-90.0, hi=90.0)
    return df[df["lon"].between(-180, 180) & df["lat"].between(-90, 90)]


def great_circle_km(demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Distance on the WGS84 ellipsoid from every demand point to every site [km]."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    d = demand.geometry.to_crs("EPSG:4326")
    s = sites.geometry.to_crs("EPSG:4326")
    n_d, n_s = len(d), len(s)
    lon1 = np.repeat(d.x.to_numpy(), n_s)
    lat1 = np.repeat(d.y.to_numpy(), n_s)
    lon2 = np.tile(s.x.to_numpy(), n_d)
    lat2 = np.tile(s.y.to_numpy(), n_d)
    _, _, metres = geod.inv(lon1, lat1, lon2, lat2)
    return pd.DataFrame(
        np.asarray(metres).reshape(n_d, n_s) / 1000.0,
        index=pd.Index(demand["demand_id"], name="demand_id"),
        columns=pd.Index(sites["site_id"], name="site_id"),
    )


def join_points_to_zones(
    pts: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    name: str,
    path: Path,
    id_col: str,
    c: Collector,
) -> pd.Series:
    """Zone of each point: the zone containing it, else the nearest within tolerance."""
    joined = gpd.sjoin(
        pts[[pts.geometry.name]], zones[["zone_id", "geometry"]], how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    zone = joined["zone_id"].reindex(pts.index)
    outside = zone.isna()
    if outside.any():
        near = gpd.sjoin_nearest(
            pts.loc[outside, [pts.geometry.name]],
            zones[["zone_id", "geometry"]],
            how="left",
            max_distance=NEAREST_ZONE_TOLERANCE_M,
            distance_col="_dist",
        )
        near = near[~near.index.duplicated(keep="first")]
        zone.loc[outside] = near["zone_id"].reindex(zone.index[outside])
    for idx in zone.index[zone.isna()]:
        c.add(
            where(name, path, row_label(pts, idx, id_col)),
            f"lies outside every zone (more than {NEAREST_ZONE_TOLERANCE_M / 1000:g} km away)",
            "check its coordinates and CRS, or give its zone_id",
        )
    return zone


def aggregate_to_zones(
    df: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, name: str, path: Path, c: Collector
) -> pd.DataFrame:
    """Split area features by zone area share; attach points to their zone."""
    polys = df[df.geom_type.isin(["Polygon", "MultiPolygon"])]
    pts = df[df.geom_type == "Point"]
    parts = []
    if len(pts):
        pts = pts.copy()
        pts["zone_id"] = join_points_to_zones(pts, zones, name, path, "tech", c)
        parts.append(pd.DataFrame(pts.drop(columns=pts.geometry.name)))
    if len(polys):
        polys = polys.copy()
        polys["_area"] = polys.area
        polys["_fid"] = np.arange(len(polys))
        pieces = gpd.overlay(
            polys.drop(columns=["zone_id"], errors="ignore"),
            zones[["zone_id", "geometry"]],
            how="intersection",
        )
        share = pieces.area / pieces["_area"]
        for col in ("potential_mw", "existing_mw"):
            if col in pieces.columns:
                pieces[col] = pieces[col] * share
        parts.append(pd.DataFrame(pieces.drop(columns=[pieces.geometry.name, "_area", "_fid"])))
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*df.columns, "zone_id"])
    )


def points_outside_given_zones(
    pts: gpd.GeoDataFrame,
    zone_of: pd.Series,
    zones: gpd.GeoDataFrame,
    name: str,
    path: Path,
    id_col: str,
    c: Collector,
) -> None:
    """Report points that lie beyond :data:`NEAREST_ZONE_TOLERANCE_M` of the zone they name.

    ``zone_of``: the given zone per point (None where none is given). Where the point with
    its two coordinates exchanged lies in its zone, the message asks whether lat and lon
    were swapped (the commonest cause: all of Europe lands in Africa or the Indian Ocean).
    """
    shapes = zones.drop_duplicates("zone_id").set_index("zone_id").geometry
    named = zone_of.notna() & zone_of.isin(shapes.index) & pts.geometry.notna()
    if not named.any():
        return
    own = gpd.GeoSeries(shapes.reindex(zone_of[named]).to_numpy(), index=pts.index[named],
                        crs=zones.crs)  # fmt: skip
    dist = pts.geometry[named].distance(own)
    far = dist.index[dist > NEAREST_ZONE_TOLERANCE_M]
    if len(far) == 0:
        return
    lonlat = pts.geometry[far].to_crs("EPSG:4326")
    swapped = gpd.GeoSeries(gpd.points_from_xy(lonlat.y, lonlat.x), index=far,
                            crs="EPSG:4326").to_crs(zones.crs)  # fmt: skip
    fixed = swapped.distance(own[far]) <= NEAREST_ZONE_TOLERANCE_M
    for idx in far:
        hint = ("lat and lon swapped? exchanged, the point lies in its zone: swap the columns"
                if fixed[idx] else "check its coordinates, or its zone_id")  # fmt: skip
        c.add(
            where(name, path, row_label(pts, idx, id_col)),
            f"lies {dist[idx] / 1000:,.0f} km outside its zone_id '{zone_of[idx]}' "
            f"(lon {lonlat[idx].x:.4f}, lat {lonlat[idx].y:.4f})",
            hint,
        )
