"""Layers: read, check, reproject and spatially join the input layers (DESIGN §3).

All geometry work happens here, once, in EPSG:3035 (ETRS89-LAEA, metres, equal area).
Downstream steps see plain tables. Every problem found is collected and raised together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import parameters
from siting.config import Config
from siting.errors import InputError, Problem
from siting.io.readers import read_layer
from siting.technologies import TechnologyTable, default_table, read_table

CRS = "EPSG:3035"
"""Working CRS: equal-area and metric for Europe."""

NEAREST_ZONE_TOLERANCE_M = 10_000.0
"""Points this close outside every zone join the nearest one [m] (simplified coastlines)."""

ZONE_DEFAULTS: dict[str, float] = {"baseline_it_mw": 0.0, "baseline_pue": parameters.EU_FLEET_PUE}
SITE_DEFAULTS: dict[str, float] = {
    "existing_it_mw": 0.0,
    "capex_eur_per_mw_yr": 0.0,
    "fixed_eur_per_yr": 0.0,
}
LINK_DEFAULTS: dict[str, float] = {"loss_per_1000km": 0.0, "dc_share": 1.0}
KNOWN_COLUMNS: tuple[str, ...] = (
    "baseline_it_mw", "baseline_pue", "carbon_intensity_g_per_kwh", "grid_price_eur_per_mwh",
    "water_stress", "grid_connection_years", "existing_it_mw", "module_it_mw",
    "capex_eur_per_mw_yr", "fixed_eur_per_yr", "online_year", "potential_mw", "existing_mw",
    "loss_per_1000km", "inference_it_mw", "max_latency_ms", "population", "until_year",
)  # fmt: skip
"""Contract column names (DESIGN §3), used to undo Shapefile's 10-character truncation."""


@dataclass(frozen=True)
class Layers:
    """Checked input layers, geometry in :data:`CRS`."""

    zones: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    renewables: pd.DataFrame
    links: pd.DataFrame
    demand: gpd.GeoDataFrame | None
    profiles: pd.DataFrame | None
    paths: dict[str, Path]
    technologies: TechnologyTable = field(default_factory=default_table)
    """The technology table in force (``layers.technologies``, else siting's own)."""
    distance_km: pd.DataFrame | None = None
    """Great-circle distance from each demand point (rows) to each site (columns) [km]."""
    rtt: pd.DataFrame | None = None
    """Measured round-trip times: ``demand_id``, ``site_id``, ``rtt_ms``."""
    areas: dict[str, gpd.GeoDataFrame] | None = None
    """Policy polygons by layer name (``moratoria``, ``forbidden_areas``, ``forced_areas``),
    each with ``area`` (name) and ``site_ids`` (the candidate sites inside)."""


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str, fix: str = "") -> None:
        self.problems.append(Problem(where, what, fix))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def _where(name: str, path: Path, detail: str = "") -> str:
    return f"{path.name} (layers.{name}){': ' + detail if detail else ''}"


def _row_label(df: pd.DataFrame, idx: object, id_col: str | None) -> str:
    # The index is the file's 0-based feature number (kept when rows are dropped); +2 gives
    # the CSV line, the header being line 1.
    line = int(idx) + 2 if isinstance(idx, int | np.integer) else idx
    if id_col and id_col in df.columns and pd.notna(df.at[idx, id_col]):
        return f"row {line} ({id_col}={df.at[idx, id_col]})"
    return f"row {line}"


def _require_columns(
    df: pd.DataFrame, cols: list[str], name: str, path: Path, c: _Collector
) -> bool:
    missing = [col for col in cols if col not in df.columns]
    for col in missing:
        c.add(
            _where(name, path),
            f"missing required column '{col}'",
            f"add a '{col}' column (see DESIGN §3)",
        )
    return not missing


def _numeric(
    df: pd.DataFrame,
    col: str,
    name: str,
    path: Path,
    c: _Collector,
    id_col: str | None,
    *,
    default: float | None = None,
    lo: float | None = 0.0,
    hi: float | None = None,
    allow_nan: bool = False,
) -> None:
    """Coerce a column to float in place and report bad values by row."""
    if col not in df.columns:
        if default is not None:
            df[col] = float(default)
        elif allow_nan:
            df[col] = np.nan
        return
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    not_number = values.isna() & raw.notna()
    for idx in df.index[not_number]:
        c.add(
            _where(name, path, _row_label(df, idx, id_col)),
            f"'{col}' is not a number ({raw[idx]!r})",
            "enter a number",
        )
    if default is not None:
        values = values.fillna(default)
    elif not allow_nan:
        for idx in df.index[values.isna() & ~not_number]:
            c.add(
                _where(name, path, _row_label(df, idx, id_col)), f"'{col}' is empty", "fill it in"
            )
    inf = np.isinf(values)
    for idx in df.index[inf]:
        c.add(
            _where(name, path, _row_label(df, idx, id_col)),
            f"'{col}' is infinite",
            "enter a finite number",
        )
    if lo is not None:
        for idx in df.index[(values < lo) & ~inf]:
            c.add(
                _where(name, path, _row_label(df, idx, id_col)),
                f"'{col}' = {values[idx]:g} is below {lo:g}",
                f"use a value >= {lo:g}",
            )
    if hi is not None:
        for idx in df.index[(values > hi) & ~inf]:
            c.add(
                _where(name, path, _row_label(df, idx, id_col)),
                f"'{col}' = {values[idx]:g} is above {hi:g}",
                f"use a value <= {hi:g}",
            )
    df[col] = values


def _ids(df: pd.DataFrame, col: str, name: str, path: Path, c: _Collector) -> None:
    ids = df[col]
    for idx in df.index[ids.isna() | (ids.astype(str).str.strip() == "")]:
        c.add(
            _where(name, path, _row_label(df, idx, None)),
            f"'{col}' is empty",
            "give every row an ID",
        )
    df[col] = ids.astype(str).str.strip()
    dup = df[col][df[col].duplicated(keep=False) & ids.notna()]
    for value in sorted(set(dup)):
        rows = ", ".join(str(int(df.index.get_loc(i)) + 2) for i in dup.index[dup == value])
        c.add(_where(name, path), f"duplicate {col} '{value}' (rows {rows})", "make IDs unique")


def _to_crs(gdf: gpd.GeoDataFrame, name: str, path: Path, c: _Collector) -> gpd.GeoDataFrame | None:
    if gdf.crs is None:
        c.add(
            _where(name, path),
            "the layer has no coordinate reference system",
            "set the CRS in the file (e.g. EPSG:4326)",
        )
        return None
    return gdf.to_crs(CRS)


def _geometry_checks(
    gdf: gpd.GeoDataFrame, kinds: set[str], name: str, path: Path, c: _Collector, id_col: str
) -> None:
    from shapely.validation import explain_validity

    for idx, geom in gdf.geometry.items():
        if (
            geom is not None
            and not geom.is_empty
            and not np.isfinite(shapely.get_coordinates(geom)).all()
        ):
            c.add(
                _where(name, path, _row_label(gdf, idx, id_col)),
                "coordinates are missing or not numbers",
                "give finite coordinates (lon/lat in degrees for CSV)",
            )
        elif geom is None or geom.is_empty:
            c.add(
                _where(name, path, _row_label(gdf, idx, id_col)),
                "empty geometry",
                "give the feature a geometry",
            )
        elif geom.geom_type not in kinds:
            c.add(
                _where(name, path, _row_label(gdf, idx, id_col)),
                f"geometry is {geom.geom_type}",
                f"use {' or '.join(sorted(kinds))}",
            )
        elif not geom.is_valid:
            c.add(
                _where(name, path, _row_label(gdf, idx, id_col)),
                f"invalid geometry ({explain_validity(geom)})",
                "repair it (e.g. shapely.make_valid or QGIS 'Fix geometries')",
            )


def _lonlat(df: pd.DataFrame, name: str, path: Path, c: _Collector, id_col: str) -> pd.DataFrame:
    """Degree ranges for point layers given as lon/lat columns (CSV); bad rows are dropped.

    Their problems are reported here, so the geometry checks need not repeat them.
    """
    if not {"lon", "lat"}.issubset(df.columns):
        return df
    _numeric(df, "lon", name, path, c, id_col, lo=-180.0, hi=180.0)
    _numeric(df, "lat", name, path, c, id_col, lo=-90.0, hi=90.0)
    return df[df["lon"].between(-180, 180) & df["lat"].between(-90, 90)]


def _read(cfg: Config, name: str, c: _Collector) -> pd.DataFrame | None:
    path = cfg.layer_paths().get(name)
    if path is None:
        return None
    try:
        return read_layer(path, name, KNOWN_COLUMNS)
    except InputError as err:
        c.problems.extend(err.problems)
        return None


def _technologies(cfg: Config, c: _Collector) -> TechnologyTable:
    """The technology table in force, and the config's switches checked against it."""
    table = default_table()
    if cfg.layers.technologies is not None:
        try:
            table = read_table(cfg.layers.technologies)
        except InputError as err:
            c.problems.extend(err.problems)
    for tech in cfg.technologies:
        if tech not in table:
            c.add(
                f"config: technologies.{tech}",
                "unknown technology",
                f"use one of {', '.join(table.rows)} (see docs/technologies.md)",
            )
    return table


def _switch_off(renewables: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Drop the supply options of technologies the config switches off."""
    off = [tech for tech, on in cfg.technologies.items() if not on]
    if not off:
        return renewables
    return renewables[~renewables["tech"].isin(off)].reset_index(drop=True)


def load_layers(cfg: Config) -> Layers:
    """Read and check every configured layer.

    Parameters
    ----------
    cfg
        Validated config with absolute layer paths.

    Returns
    -------
    Layers
        Checked layers with geometry in EPSG:3035 and defaults filled in.

    Raises
    ------
    InputError
        Listing every problem found across all layers.
    """
    c = _Collector()
    paths = cfg.layer_paths()
    table = _technologies(cfg, c)
    raw = {name: _read(cfg, name, c) for name in paths if name != "technologies"}
    zones = _check_zones(raw.get("zones"), paths.get("zones"), c)
    zone_ids = set(zones["zone_id"]) if zones is not None else set()
    sites = _check_sites(raw.get("sites"), paths.get("sites"), zones, c)
    renewables = _check_renewables(
        raw.get("renewables"), paths.get("renewables"), zones, table, c
    )
    if renewables is not None:
        renewables = _switch_off(renewables, cfg)
    links = _check_links(raw.get("links"), paths.get("links"), zone_ids, c)
    demand = _check_demand(raw.get("demand"), paths.get("demand"), cfg, c)
    profiles = _check_profiles(raw.get("profiles"), paths.get("profiles"), zone_ids, c)
    rtt = _check_rtt(raw.get("rtt"), paths.get("rtt"), demand, sites, c)
    areas = {
        key: _check_areas(raw.get(key), paths[key], key, sites, c)
        for key in AREA_LAYERS
        if key in paths
    }
    if zones is not None:
        countries = set(zones["country"])
        for country in cfg.policy.min_sites_per_country:
            if country not in countries:
                c.add(
                    f"config: policy.min_sites_per_country.{country}",
                    f"unknown country '{country}'",
                    f"use a 'country' of the zones layer ({', '.join(sorted(countries)[:8])}, ...)",
                )
    if paths.get("rtt") is not None and demand is None:
        c.add(
            "config: layers.rtt",
            "round-trip times are given but no demand layer",
            "add layers.demand or remove layers.rtt",
        )
    if demand is not None:
        budget = demand["max_latency_ms"].notna().any() or cfg.latency.max_rtt_ms is not None
        if not budget:
            c.add(
                "config: latency.max_rtt_ms",
                "a demand layer is given but no latency budget: no point has max_latency_ms "
                "and latency.max_rtt_ms is not set",
                "set latency.max_rtt_ms (e.g. 20) or fill max_latency_ms in the demand layer",
            )
    if sites is not None:
        known = set(sites["site_id"])
        for key in ("forced_sites", "forbidden_sites"):
            for sid in getattr(cfg.policy, key):
                if sid not in known:
                    c.add(
                        f"config: policy.{key}",
                        f"unknown site '{sid}'",
                        "use a site_id from the sites layer",
                    )
    if renewables is not None and profiles is not None:
        have = set(zip(profiles["zone_id"], profiles["tech"], strict=True))
        for z, k, cf in renewables[["zone_id", "tech", "cf"]].itertuples(index=False):
            if (z, k) not in have and np.isnan(cf):
                c.add(
                    _where("renewables", paths["renewables"], f"{z}/{k}"),
                    "no 'cf' and no profile",
                    "add a cf or a profile",
                )
    elif renewables is not None:
        for z, k, cf in renewables[["zone_id", "tech", "cf"]].itertuples(index=False):
            if np.isnan(cf):
                c.add(
                    _where("renewables", paths["renewables"], f"{z}/{k}"),
                    "'cf' is empty and no profiles layer is given",
                    "fill in 'cf' or add a profiles layer",
                )
    c.raise_if_any()
    assert zones is not None and sites is not None and renewables is not None
    if links is None:
        links = pd.DataFrame(
            {
                "link_id": [],
                "from_zone": [],
                "to_zone": [],
                "capacity_mw": [],
                "length_km": [],
                "loss_per_1000km": [],
                "dc_share": [],
            }
        )
    distance = _great_circle_km(demand, sites) if demand is not None else None
    return Layers(
        zones, sites, renewables, links, demand, profiles, paths,
        technologies=table, distance_km=distance, rtt=rtt, areas=areas or None,
    )  # fmt: skip


AREA_LAYERS: tuple[str, ...] = ("moratoria", "forbidden_areas", "forced_areas")


def _great_circle_km(demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
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


def _check_rtt(
    df: pd.DataFrame | None,
    path: Path | None,
    demand: pd.DataFrame | None,
    sites: pd.DataFrame | None,
    c: _Collector,
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "rtt"
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    if not _require_columns(df, ["demand_id", "site_id", "rtt_ms"], name, path, c):
        return None
    df = df[["demand_id", "site_id", "rtt_ms"]].copy()
    df["demand_id"] = df["demand_id"].astype(str).str.strip()
    df["site_id"] = df["site_id"].astype(str).str.strip()
    _numeric(df, "rtt_ms", name, path, c, "demand_id", lo=0.0)
    for col, layer, ids in (
        ("demand_id", "demand", None if demand is None else set(demand["demand_id"])),
        ("site_id", "sites", None if sites is None else set(sites["site_id"])),
    ):
        if ids is None:
            continue
        for value in sorted(set(df[col]) - ids)[:10]:
            c.add(
                _where(name, path, f"{col} '{value}'"),
                f"not in the {layer} layer",
                f"use a {col} of the {layer} layer",
            )
    dup = df.duplicated(["demand_id", "site_id"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        c.add(
            _where(name, path),
            f"{int(dup.sum())} rows repeat a (demand_id, site_id) pair, e.g. "
            f"({first['demand_id']}, {first['site_id']})",
            "keep one round-trip time per pair",
        )
    return df


def _check_areas(
    df: pd.DataFrame | None,
    path: Path,
    name: str,
    sites: gpd.GeoDataFrame | None,
    c: _Collector,
) -> gpd.GeoDataFrame | None:
    """A policy polygon layer, with the candidate sites each polygon holds."""
    if df is None:
        return None
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            _where(name, path),
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
        c.add(_where(name, path), f"duplicate name '{value}'", "give every polygon its own name")
    _numeric(df, "until_year", name, path, c, "name", allow_nan=True, lo=1900.0, hi=2200.0)
    _numeric(df, "min_sites", name, path, c, "name", default=1.0, lo=0.0)
    _geometry_checks(df, {"Polygon", "MultiPolygon"}, name, path, c, "name")
    out = _to_crs(df, name, path, c)
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


def _check_zones(
    df: pd.DataFrame | None, path: Path | None, c: _Collector
) -> gpd.GeoDataFrame | None:
    if df is None or path is None:
        return None
    name = "zones"
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            _where(name, path),
            "zones need polygon geometry",
            "use a GeoPackage, GeoJSON, GeoParquet or Shapefile",
        )
        return None
    if not _require_columns(df, ["zone_id"], name, path, c):
        return None
    df = df.copy()
    _ids(df, "zone_id", name, path, c)
    for col, default in ZONE_DEFAULTS.items():
        _numeric(df, col, name, path, c, "zone_id", default=default, lo=0.0)
    _numeric(df, "baseline_pue", name, path, c, "zone_id", default=parameters.EU_FLEET_PUE, lo=1.0)
    for col in (
        "carbon_intensity_g_per_kwh",
        "grid_price_eur_per_mwh",
        "water_stress",
        "grid_connection_years",
    ):
        _numeric(df, col, name, path, c, "zone_id", allow_nan=True, lo=0.0)
    if "name" not in df.columns:
        df["name"] = df["zone_id"]
    if "country" not in df.columns:
        df["country"] = df["zone_id"]
    df["country"] = df["country"].fillna(df["zone_id"]).astype(str)
    _geometry_checks(df, {"Polygon", "MultiPolygon"}, name, path, c, "zone_id")
    return _to_crs(df, name, path, c)


def _join_points_to_zones(
    pts: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    name: str,
    path: Path,
    id_col: str,
    c: _Collector,
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
            _where(name, path, _row_label(pts, idx, id_col)),
            f"lies outside every zone (more than {NEAREST_ZONE_TOLERANCE_M / 1000:g} km away)",
            "check its coordinates and CRS, or give its zone_id",
        )
    return zone


def _check_sites(
    df: pd.DataFrame | None, path: Path | None, zones: gpd.GeoDataFrame | None, c: _Collector
) -> gpd.GeoDataFrame | None:
    if df is None or path is None:
        return None
    name = "sites"
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            _where(name, path),
            "sites need point geometry",
            "add 'lon'/'lat' columns (EPSG:4326) or use a GIS format",
        )
        return None
    if not _require_columns(df, ["site_id", "max_it_mw"], name, path, c):
        return None
    df = df.copy()
    _ids(df, "site_id", name, path, c)
    _numeric(df, "max_it_mw", name, path, c, "site_id", lo=0.0)
    for col, default in SITE_DEFAULTS.items():
        _numeric(df, col, name, path, c, "site_id", default=default, lo=0.0)
    _numeric(df, "module_it_mw", name, path, c, "site_id", allow_nan=True, lo=0.0)
    df.loc[df["module_it_mw"] <= 0, "module_it_mw"] = np.nan
    _numeric(df, "pue", name, path, c, "site_id", allow_nan=True, lo=1.0)
    _numeric(df, "water_stress", name, path, c, "site_id", allow_nan=True, lo=0.0)
    _numeric(df, "online_year", name, path, c, "site_id", allow_nan=True, lo=1900.0, hi=2200.0)
    _numeric(df, "grid_connection_years", name, path, c, "site_id", allow_nan=True, lo=0.0)
    over = df["existing_it_mw"] > df["max_it_mw"] + 1e-9
    for idx in df.index[over]:
        c.add(
            _where(name, path, _row_label(df, idx, "site_id")),
            f"existing_it_mw ({df.at[idx, 'existing_it_mw']:g}) exceeds max_it_mw ({df.at[idx, 'max_it_mw']:g})",
            "raise max_it_mw or lower existing_it_mw",
        )
    df = _lonlat(df, name, path, c, "site_id")
    _geometry_checks(df, {"Point"}, name, path, c, "site_id")
    out = _to_crs(df, name, path, c)
    if out is None or zones is None:
        return out
    zid = out["zone_id"] if "zone_id" in out.columns else pd.Series(np.nan, index=out.index)
    given = zid.notna() & (zid.astype(str).str.strip() != "")
    zid = zid.astype(object).where(given, None)
    zid[given] = zid[given].astype(str).str.strip()
    unknown = given & ~zid.isin(set(zones["zone_id"]))
    for idx in out.index[unknown]:
        c.add(
            _where(name, path, _row_label(out, idx, "site_id")),
            f"unknown zone_id '{zid[idx]}'",
            "use a zone_id from the zones layer, or leave it empty to join by location",
        )
    todo = ~given & out.geometry.notna() & ~out.geometry.is_empty
    if todo.any():
        zid[todo] = _join_points_to_zones(out.loc[todo], zones, name, path, "site_id", c)
    out["zone_id"] = zid
    # Existing capacity at sites is part of the zone's baseline, so it cannot exceed it.
    if not unknown.any() and "zone_id" in out.columns:
        base = zones.drop_duplicates("zone_id").set_index("zone_id")["baseline_it_mw"]
        sited = out.groupby("zone_id")["existing_it_mw"].sum()
        for z, mw in sited.items():
            if z in base.index and mw > base[z] + 1e-6:
                c.add(
                    _where(name, path, f"zone {z}"),
                    f"existing_it_mw at sites sums to {mw:g} MW, above the zone's baseline_it_mw ({base[z]:g} MW)",
                    "lower the sites' existing_it_mw or raise the zone's baseline_it_mw",
                )
    return out


def _aggregate_to_zones(
    df: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, name: str, path: Path, c: _Collector
) -> pd.DataFrame:
    """Split area features by zone area share; attach points to their zone."""
    polys = df[df.geom_type.isin(["Polygon", "MultiPolygon"])]
    pts = df[df.geom_type == "Point"]
    parts = []
    if len(pts):
        pts = pts.copy()
        pts["zone_id"] = _join_points_to_zones(pts, zones, name, path, "tech", c)
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


def _check_renewables(
    df: pd.DataFrame | None,
    path: Path | None,
    zones: gpd.GeoDataFrame | None,
    table: TechnologyTable,
    c: _Collector,
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "renewables"
    df = df.copy()
    has_geom = isinstance(df, gpd.GeoDataFrame)
    if "zone_id" not in df.columns and not has_geom:
        c.add(
            _where(name, path),
            "needs a 'zone_id' column or geometry",
            "add zone_id, or use a GIS format",
        )
        return None
    if not _require_columns(df, ["tech", "potential_mw"], name, path, c):
        return None
    df["tech"] = df["tech"].astype(str).str.strip()
    supply = table.supply_ids
    for idx in df.index[~df["tech"].isin(supply)]:
        c.add(
            _where(name, path, _row_label(df, idx, "zone_id")),
            f"unknown tech '{df.at[idx, 'tech']}'",
            f"use one of {', '.join(supply)}",
        )
    _numeric(df, "potential_mw", name, path, c, "zone_id", lo=0.0)
    _numeric(df, "existing_mw", name, path, c, "zone_id", default=0.0, lo=0.0)
    _numeric(df, "cf", name, path, c, "zone_id", allow_nan=True, lo=0.0, hi=1.0)
    _default_capex(df, table)
    _numeric(df, "capex_eur_per_mw_yr", name, path, c, "zone_id", lo=0.0)
    if zones is None:
        return None
    if has_geom and ("zone_id" not in df.columns or df["zone_id"].isna().any()):
        gdf = _to_crs(df, name, path, c)
        if gdf is None:
            return None
        df = _aggregate_to_zones(gdf, zones, name, path, c)
    else:
        if has_geom:
            df = pd.DataFrame(df.drop(columns=df.geometry.name))
        df["zone_id"] = df["zone_id"].astype(str)
        for idx in df.index[~df["zone_id"].isin(set(zones["zone_id"]))]:
            c.add(
                _where(name, path, _row_label(df, idx, "zone_id")),
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


def _check_links(
    df: pd.DataFrame | None, path: Path | None, zone_ids: set[str], c: _Collector
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "links"
    if not _require_columns(df, ["from_zone", "to_zone", "capacity_mw"], name, path, c):
        return None
    df = df.copy()
    for col in ("from_zone", "to_zone"):
        df[col] = df[col].astype(str).str.strip()
    if "link_id" not in df.columns:
        df["link_id"] = df["from_zone"] + "->" + df["to_zone"]
    _ids(df, "link_id", name, path, c)
    _numeric(df, "capacity_mw", name, path, c, "link_id", lo=0.0)
    _numeric(df, "loss_per_1000km", name, path, c, "link_id", default=0.0, lo=0.0, hi=1.0)
    _numeric(df, "dc_share", name, path, c, "link_id", default=1.0, lo=0.0, hi=1.0)
    if "length_km" not in df.columns and isinstance(df, gpd.GeoDataFrame) and df.crs is not None:
        df["length_km"] = df.to_crs(CRS).length / 1000.0
    _numeric(df, "length_km", name, path, c, "link_id", default=0.0, lo=0.0)
    for idx in df.index:
        for col in ("from_zone", "to_zone"):
            if df.at[idx, col] not in zone_ids and zone_ids:
                c.add(
                    _where(name, path, _row_label(df, idx, "link_id")),
                    f"{col} '{df.at[idx, col]}' is not a zone",
                    "use a zone_id from the zones layer",
                )
        if df.at[idx, "from_zone"] == df.at[idx, "to_zone"]:
            c.add(
                _where(name, path, _row_label(df, idx, "link_id")),
                "link connects a zone to itself",
                "remove the row",
            )
    loss = df["loss_per_1000km"] * df["length_km"] / 1000.0
    for idx in df.index[loss >= 1.0]:
        c.add(
            _where(name, path, _row_label(df, idx, "link_id")),
            f"losses over the link reach {loss[idx]:.0%}",
            "check length_km and loss_per_1000km",
        )
    if isinstance(df, gpd.GeoDataFrame):
        df = df.to_crs(CRS) if df.crs is not None else df
    return df


def _check_demand(
    df: pd.DataFrame | None, path: Path | None, cfg: Config, c: _Collector
) -> gpd.GeoDataFrame | None:
    if df is None or path is None:
        return None
    name = "demand"
    if not isinstance(df, gpd.GeoDataFrame):
        c.add(
            _where(name, path),
            "demand needs point geometry",
            "add 'lon'/'lat' columns or use a GIS format",
        )
        return None
    # the load column the allocation rule needs (DESIGN §3 lists inference_it_mw; with
    # latency.allocation: population it is derived from the population instead)
    given = cfg.latency.allocation == "given"
    load_col = "inference_it_mw" if given else "population"
    if load_col not in df.columns:
        c.add(
            _where(name, path),
            f"missing column '{load_col}' (latency.allocation is '{cfg.latency.allocation}')",
            "add the column, or set latency.allocation: "
            + ("population" if given else "given (to use inference_it_mw)"),
        )
        return None
    if not _require_columns(df, ["demand_id"], name, path, c):
        return None
    df = df.copy()
    _ids(df, "demand_id", name, path, c)
    _numeric(df, load_col, name, path, c, "demand_id", lo=0.0)
    if not given:
        _numeric(df, "inference_it_mw", name, path, c, "demand_id", allow_nan=True, lo=0.0)
        if df["population"].sum() <= 0:
            c.add(
                _where(name, path),
                "population sums to 0, so no load can be allocated",
                "give populations, or latency.allocation: given",
            )
    _numeric(df, "max_latency_ms", name, path, c, "demand_id", allow_nan=True, lo=0.0)
    df = _lonlat(df, name, path, c, "demand_id")
    _geometry_checks(df, {"Point"}, name, path, c, "demand_id")
    return _to_crs(df, name, path, c)


def _check_profiles(
    df: pd.DataFrame | None, path: Path | None, zone_ids: set[str], c: _Collector
) -> pd.DataFrame | None:
    if df is None or path is None:
        return None
    name = "profiles"
    if isinstance(df, gpd.GeoDataFrame):
        df = pd.DataFrame(df.drop(columns=df.geometry.name))
    if not _require_columns(df, ["zone_id", "tech", "slice", "weight_h", "cf"], name, path, c):
        return None
    df = df.copy()
    df["zone_id"] = df["zone_id"].astype(str)
    df["tech"] = df["tech"].astype(str)
    _numeric(df, "weight_h", name, path, c, "zone_id", lo=0.0)
    _numeric(df, "cf", name, path, c, "zone_id", lo=0.0, hi=1.0)
    if "period" not in df.columns:
        df["period"] = 0
    bad_zone = ~df["zone_id"].isin(zone_ids) if zone_ids else pd.Series(False, index=df.index)
    for z in sorted(set(df.loc[bad_zone, "zone_id"])):
        c.add(_where(name, path), f"unknown zone_id '{z}'", "use a zone_id from the zones layer")
    slices = df.drop_duplicates("slice")[["slice", "weight_h"]]
    total = float(slices["weight_h"].sum())
    if abs(total - 8760.0) > 1e-6 * 8760:
        c.add(
            _where(name, path),
            f"slice weights sum to {total:g} h, not 8760 h",
            "scale weight_h so one year is represented",
        )
    per_slice = df.groupby("slice")["weight_h"].nunique()
    for s in per_slice.index[per_slice > 1]:
        c.add(
            _where(name, path, f"slice {s}"),
            "weight_h differs between rows of the same slice",
            "use one weight per slice",
        )
    dup = df.duplicated(["zone_id", "tech", "slice"], keep=False)
    if dup.any():
        c.add(
            _where(name, path),
            f"{int(dup.sum())} rows repeat a (zone_id, tech, slice)",
            "keep one row per zone, tech and slice",
        )
    return df
