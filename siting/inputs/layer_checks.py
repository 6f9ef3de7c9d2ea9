"""Checks of each input layer against its schema (``siting/data/layers/*.csv``).

One function per layer: columns, values, identifiers and geometry, with the schema's
defaults filled in. Checks that need another layer or the config live in
:mod:`siting.inputs.layers`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.base.technologies import TechnologyTable
from siting.config import Config
from siting.inputs.checks import (
    Collector,
    numeric,
    require_columns,
    row_label,
    unique_ids,
    where,
)  # fmt: skip
from siting.inputs.geometry import (
    CRS,
    aggregate_to_zones,
    geometry_checks,
    join_points_to_zones,
    lonlat_points,
    points_outside_given_zones,
    to_crs,
)  # fmt: skip
from siting.inputs.schema import check_numbers, schema


def _geo_table(
    df: pd.DataFrame | None,
    path: Path | None,
    name: str,
    id_col: str,
    c: Collector,
    no_geometry: tuple[str, str],
) -> gpd.GeoDataFrame | None:
    """A copy of a layer that must have geometry, its required columns and unique IDs."""
    if df is None or path is None:
        return None
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(where(name, path), *no_geometry)
        return None
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df = df.copy()
    unique_ids(df, id_col, name, path, c)
    return df


def check_zones(
    df: pd.DataFrame | None, path: Path | None, c: Collector
) -> gpd.GeoDataFrame | None:
    name = "zones"
    df = _geo_table(
        df, path, name, "zone_id", c,
        ("zones need polygon geometry", "use a GeoPackage, GeoJSON, GeoParquet or Shapefile"),
    )  # fmt: skip
    if df is None or path is None:
        return None
    if "baseline_it_mw" in df.columns:
        # a blank would silently be 0 and move the target (a multiple of the baseline)
        for idx in df.index[df["baseline_it_mw"].isna()]:
            c.add(where(name, path, row_label(df, idx, "zone_id")), "'baseline_it_mw' is empty",
                  "enter the zone's data-centre IT capacity today in MW (0 if it has none)")  # fmt: skip
    check_numbers(df, name, path, c, "zone_id")
    if "name" not in df.columns:
        df["name"] = df["zone_id"]
    if "country" not in df.columns:
        df["country"] = df["zone_id"]
    df["country"] = df["country"].fillna(df["zone_id"]).astype(str)
    geometry_checks(df, {"Polygon", "MultiPolygon"}, name, path, c, "zone_id")
    return to_crs(df, name, path, c)


SITE_COSTS = ("capex_eur_per_mw_yr", "fixed_eur_per_yr", "pue")
"""Site columns whose default (0, the zone's fleet PUE) would silently change a plan if a
row left its cell empty while the column is given: refused (a column left out of the whole
file takes its documented default)."""


def _no_blank_costs(df: pd.DataFrame, path: Path, c: Collector) -> None:
    """Refuse empty cells in given cost and PUE columns, naming the zone's other values."""
    for col in SITE_COSTS:
        if col not in df.columns:
            continue
        raw = df[col]
        blank = raw.isna() | (raw.astype(str).str.strip() == "")
        if not blank.any():
            continue
        values = pd.to_numeric(raw, errors="coerce")
        zone = df["zone_id"].astype(str) if "zone_id" in df.columns else None
        for idx in df.index[blank]:
            peers = values[~blank] if zone is None else values[~blank & (zone == zone[idx])]
            seen = sorted({float(v) for v in peers.dropna()})[:3]
            hint = (f" (the other sites of zone {zone[idx]} give {', '.join(f'{v:g}' for v in seen)})"
                    if seen and zone is not None else "")  # fmt: skip
            if col == "pue":
                what = "the site would take its zone's fleet-average baseline_pue"
                fix = (f"enter the site's PUE{hint}, or leave the column out of the whole file "
                       "to give every site its zone's baseline_pue")  # fmt: skip
            else:
                what = "the site would be built at no cost"
                fix = f"enter the site's cost{hint}, or 0 for a cost that is really nil"
            c.add(where("sites", path, row_label(df, idx, "site_id")),
                  f"'{col}' is empty while the column is given: {what}", fix)  # fmt: skip


def check_sites(
    df: pd.DataFrame | None, path: Path | None, zones: gpd.GeoDataFrame | None, c: Collector
) -> gpd.GeoDataFrame | None:
    name = "sites"
    df = _geo_table(
        df, path, name, "site_id", c,
        ("sites need point geometry", "add 'lon'/'lat' columns (EPSG:4326) or use a GIS format"),
    )  # fmt: skip
    if df is None or path is None:
        return None
    if "module_it_mw" in df.columns:
        module = pd.to_numeric(df["module_it_mw"], errors="coerce")
        for idx in df.index[module == 0]:
            c.add(where(name, path, row_label(df, idx, "site_id")),
                  "'module_it_mw' is 0: no module could ever be built",
                  "give the size of one build module in MW, or leave it empty for "
                  "continuous capacity")  # fmt: skip
    _no_blank_costs(df, path, c)
    check_numbers(df, name, path, c, "site_id", skip=("lon", "lat"))
    over = df["existing_it_mw"] > df["max_it_mw"] + 1e-9
    for idx in df.index[over]:
        c.add(
            where(name, path, row_label(df, idx, "site_id")),
            f"existing_it_mw ({df.at[idx, 'existing_it_mw']:g}) exceeds max_it_mw ({df.at[idx, 'max_it_mw']:g})",
            "raise max_it_mw or lower existing_it_mw",
        )
    df = lonlat_points(df, name, path, c, "site_id")
    geometry_checks(df, {"Point"}, name, path, c, "site_id")
    out = to_crs(df, name, path, c)
    if out is None or zones is None:
        return out
    zid = out["zone_id"] if "zone_id" in out.columns else pd.Series(np.nan, index=out.index)
    given = zid.notna() & (zid.astype(str).str.strip() != "")
    zid = zid.astype(object).where(given, None)
    zid[given] = zid[given].astype(str).str.strip()
    unknown = given & ~zid.isin(set(zones["zone_id"]))
    for idx in out.index[unknown]:
        c.add(
            where(name, path, row_label(out, idx, "site_id")),
            f"unknown zone_id '{zid[idx]}'",
            "use a zone_id from the zones layer, or leave it empty to join by location",
        )
    points_outside_given_zones(out, zid.where(given & ~unknown, None), zones, name, path,
                               "site_id", c)  # fmt: skip
    todo = ~given & out.geometry.notna() & ~out.geometry.is_empty
    if todo.any():
        zid[todo] = join_points_to_zones(out.loc[todo], zones, name, path, "site_id", c)
    out["zone_id"] = zid
    # Existing capacity at sites is part of the zone's baseline, so it cannot exceed it.
    if not unknown.any() and "zone_id" in out.columns:
        base = zones.drop_duplicates("zone_id").set_index("zone_id")["baseline_it_mw"]
        sited = out.groupby("zone_id")["existing_it_mw"].sum()
        for z, mw in sited.items():
            if z in base.index and mw > base[z] + 1e-6:
                c.add(
                    where(name, path, f"zone {z}"),
                    f"existing_it_mw at sites sums to {mw:g} MW, above the zone's baseline_it_mw ({base[z]:g} MW)",
                    "lower the sites' existing_it_mw or raise the zone's baseline_it_mw",
                )
    return out


def check_renewables(
    df: pd.DataFrame | None,
    path: Path | None,
    zones: gpd.GeoDataFrame | None,
    table: TechnologyTable,
    c: Collector,
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "renewables"
    df = df.copy()
    has_geom = isinstance(df, gpd.GeoDataFrame)
    if "zone_id" not in df.columns and not has_geom:
        c.add(
            where(name, path),
            "needs a 'zone_id' column or geometry",
            "add zone_id, or use a GIS format",
        )
        return None
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df["tech"] = df["tech"].astype(str).str.strip()
    supply = table.supply_ids
    for idx in df.index[~df["tech"].isin(supply)]:
        c.add(
            where(name, path, row_label(df, idx, "zone_id")),
            f"unknown tech '{df.at[idx, 'tech']}'",
            f"use one of {', '.join(supply)}",
        )
    check_numbers(df, name, path, c, "zone_id", skip=("capex_eur_per_mw_yr",))
    _default_capex(df, table)
    numeric(df, "capex_eur_per_mw_yr", name, path, c, "zone_id", lo=0.0)
    if zones is None:
        return None
    if has_geom and ("zone_id" not in df.columns or df["zone_id"].isna().any()):
        gdf = to_crs(df, name, path, c)
        if gdf is None:
            return None
        df = aggregate_to_zones(gdf, zones, name, path, c)
    else:
        if has_geom:
            df = pd.DataFrame(df.drop(columns=df.geometry.name))
        df["zone_id"] = df["zone_id"].astype(str)
        for idx in df.index[~df["zone_id"].isin(set(zones["zone_id"]))]:
            c.add(
                where(name, path, row_label(df, idx, "zone_id")),
                f"unknown zone_id '{df.at[idx, 'zone_id']}'",
                "use a zone_id from the zones layer",
            )
    if df.empty:
        return df
    return _merge_rows(df)


def _default_capex(df: pd.DataFrame, table: TechnologyTable) -> None:
    """Fill a missing ``capex_eur_per_mw_yr`` from the technology table [EUR/MW/yr].

    The table's annualised cost plus its variable cost at the row's ``cf`` (none where
    ``cf`` is unknown).
    """
    if "capex_eur_per_mw_yr" not in df.columns:
        df["capex_eur_per_mw_yr"] = np.nan
    given = pd.to_numeric(df["capex_eur_per_mw_yr"], errors="coerce")
    cf = pd.to_numeric(df.get("cf", pd.Series(np.nan, index=df.index)), errors="coerce")
    fill = [
        table[k].annual_cost_eur_per_mw_yr(float(f)) if k in table else np.nan
        for k, f in zip(df["tech"], cf, strict=True)
    ]
    empty = df["capex_eur_per_mw_yr"].isna() | (df["capex_eur_per_mw_yr"].astype(str) == "")
    df["capex_eur_per_mw_yr"] = np.where(empty & given.isna(), fill, df["capex_eur_per_mw_yr"])


def _merge_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (zone, tech); cost and CF weighted by potential."""
    w = df["potential_mw"].where(df["potential_mw"] > 0, 1e-9)
    df = df.assign(_w=w, _wc=w * df["capex_eur_per_mw_yr"], _wf=w * df["cf"])
    agg = df.groupby(["zone_id", "tech"], sort=True).agg(
        potential_mw=("potential_mw", "sum"),
        existing_mw=("existing_mw", "sum"),
        _w=("_w", "sum"),
        _wc=("_wc", "sum"),
        _wf=("_wf", lambda s: s.sum(min_count=len(s))),
    )
    agg["capex_eur_per_mw_yr"] = agg["_wc"] / agg["_w"]
    agg["cf"] = agg["_wf"] / agg["_w"]
    return agg.drop(columns=["_w", "_wc", "_wf"]).reset_index()


def check_links(
    df: pd.DataFrame | None, path: Path | None, zone_ids: set[str], c: Collector
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "links"
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df = df.copy()
    for col in ("from_zone", "to_zone"):
        df[col] = df[col].astype(str).str.strip()
    if "link_id" not in df.columns:
        df["link_id"] = df["from_zone"] + "->" + df["to_zone"]
    unique_ids(df, "link_id", name, path, c)
    check_numbers(df, name, path, c, "link_id", skip=("length_km",))
    if "length_km" not in df.columns and isinstance(df, gpd.GeoDataFrame) and df.crs is not None:
        df["length_km"] = df.to_crs(CRS).length / 1000.0
    numeric(df, "length_km", name, path, c, "link_id", default=0.0, lo=0.0)
    for idx in df.index:
        for col in ("from_zone", "to_zone"):
            if df.at[idx, col] not in zone_ids and zone_ids:
                c.add(
                    where(name, path, row_label(df, idx, "link_id")),
                    f"{col} '{df.at[idx, col]}' is not a zone",
                    "use a zone_id from the zones layer",
                )
        if df.at[idx, "from_zone"] == df.at[idx, "to_zone"]:
            c.add(
                where(name, path, row_label(df, idx, "link_id")),
                "link connects a zone to itself",
                "remove the row",
            )
    loss = df["loss_per_1000km"] * df["length_km"] / 1000.0
    for idx in df.index[loss >= 1.0]:
        c.add(
            where(name, path, row_label(df, idx, "link_id")),
            f"losses over the link reach {loss[idx]:.0%}",
            "check length_km and loss_per_1000km",
        )
    if isinstance(df, gpd.GeoDataFrame):
        df = df.to_crs(CRS) if df.crs is not None else df
    return df


def check_demand(
    df: pd.DataFrame | None, path: Path | None, cfg: Config, c: Collector
) -> gpd.GeoDataFrame | None:
    if df is None or path is None:
        return None
    name = "demand"
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            where(name, path),
            "demand needs point geometry",
            "add 'lon'/'lat' columns or use a GIS format",
        )
        return None
    # the load column the allocation rule needs: inference_it_mw as given, or the population
    # that latency.allocation: population splits the inference share by
    given = cfg.latency.allocation == "given"
    load_col = "inference_it_mw" if given else "population"
    if load_col not in df.columns:
        c.add(
            where(name, path),
            f"missing column '{load_col}' (latency.allocation is '{cfg.latency.allocation}')",
            "add the column, or set latency.allocation: "
            + ("population" if given else "given (to use inference_it_mw)"),
        )
        return None
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df = df.copy()
    unique_ids(df, "demand_id", name, path, c)
    numeric(df, load_col, name, path, c, "demand_id", lo=0.0)
    if not given:
        numeric(df, "inference_it_mw", name, path, c, "demand_id", allow_nan=True, lo=0.0)
        if df["population"].sum() <= 0:
            c.add(
                where(name, path),
                "population sums to 0, so no load can be allocated",
                "give populations, or latency.allocation: given",
            )
    skip = ("population", "inference_it_mw", "lon", "lat")
    check_numbers(df, name, path, c, "demand_id", skip=skip)
    df = lonlat_points(df, name, path, c, "demand_id")
    geometry_checks(df, {"Point"}, name, path, c, "demand_id")
    return to_crs(df, name, path, c)


def check_profiles(
    df: pd.DataFrame | None, path: Path | None, zone_ids: set[str], c: Collector
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "profiles"
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df = df.copy()
    df["zone_id"] = df["zone_id"].astype(str)
    df["tech"] = df["tech"].astype(str)
    check_numbers(df, name, path, c, "zone_id", skip=("period",))
    if "period" not in df.columns:
        df["period"] = 0
    bad_zone = ~df["zone_id"].isin(zone_ids) if zone_ids else pd.Series(False, index=df.index)
    for z in sorted(set(df.loc[bad_zone, "zone_id"])):
        c.add(where(name, path), f"unknown zone_id '{z}'", "use a zone_id from the zones layer")
    slices = df.drop_duplicates("slice")[["slice", "weight_h"]]
    total = float(slices["weight_h"].sum())
    if abs(total - 8760.0) > 1e-6 * 8760:
        c.add(
            where(name, path),
            f"slice weights sum to {total:g} h, not 8760 h",
            "scale weight_h so one year is represented",
        )
    per_slice = df.groupby("slice")["weight_h"].nunique()
    for s in per_slice.index[per_slice > 1]:
        c.add(
            where(name, path, f"slice {s}"),
            "weight_h differs between rows of the same slice",
            "use one weight per slice",
        )
    dup = df.duplicated(["zone_id", "tech", "slice"], keep=False)
    if dup.any():
        c.add(
            where(name, path),
            f"{int(dup.sum())} rows repeat a (zone_id, tech, slice)",
            "keep one row per zone, tech and slice",
        )
    return df


def check_rtt(
    df: pd.DataFrame | None,
    path: Path | None,
    demand: pd.DataFrame | None,
    sites: pd.DataFrame | None,
    c: Collector,
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "rtt"
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    if not require_columns(df, schema(name).required, name, path, c):
        return None
    df = df[["demand_id", "site_id", "rtt_ms"]].copy()
    df["demand_id"] = df["demand_id"].astype(str).str.strip()
    df["site_id"] = df["site_id"].astype(str).str.strip()
    check_numbers(df, name, path, c, "demand_id")
    for col, layer, ids in (
        ("demand_id", "demand", None if demand is None else set(demand["demand_id"])),
        ("site_id", "sites", None if sites is None else set(sites["site_id"])),
    ):
        if ids is None:
            continue
        for value in sorted(set(df[col]) - ids)[:10]:
            c.add(
                where(name, path, f"{col} '{value}'"),
                f"not in the {layer} layer",
                f"use a {col} of the {layer} layer",
            )
    dup = df.duplicated(["demand_id", "site_id"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        c.add(
            where(name, path),
            f"{int(dup.sum())} rows repeat a (demand_id, site_id) pair, e.g. "
            f"({first['demand_id']}, {first['site_id']})",
            "keep one round-trip time per pair",
        )
    return df


def check_areas(
    df: pd.DataFrame | None,
    path: Path,
    name: str,
    sites: gpd.GeoDataFrame | None,
    c: Collector,
) -> gpd.GeoDataFrame | None:
    """A policy polygon layer, with the candidate sites each polygon holds."""
    if df is None:
        return None
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            where(name, path),
            f"{name} need polygon geometry",
            "use a GeoPackage, GeoJSON, GeoParquet or Shapefile",
        )
        return None
    df = df.copy()
    before = len(c.problems)
    if "name" not in df.columns:
        df["name"] = [f"{name} {i + 1}" for i in range(len(df))]
    df["name"] = [
        str(v) if pd.notna(v) and str(v).strip() else f"{name} {i + 1}"
        for i, v in enumerate(df["name"])
    ]
    dup = df["name"][df["name"].duplicated()]
    for value in sorted(set(dup)):
        c.add(where(name, path), f"duplicate name '{value}'", "give every polygon its own name")
    check_numbers(df, name, path, c, "name")
    geometry_checks(df, {"Polygon", "MultiPolygon"}, name, path, c, "name")
    out = to_crs(df, name, path, c)
    if out is None or sites is None or len(c.problems) > before:
        return out
    inside = gpd.sjoin(
        sites[["site_id", sites.geometry.name]],
        out[[out.geometry.name]].assign(area=out["name"]),
        how="inner",
        predicate="within",
    )
    members = inside.groupby("area")["site_id"].agg(lambda x: sorted(x))
    out["area"] = out["name"]
    out["site_ids"] = [members.get(a, []) for a in out["name"]]
    return out.reset_index(drop=True)
