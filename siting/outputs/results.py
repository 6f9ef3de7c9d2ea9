"""Write a solution into a (staged) run folder, and read a run folder back (``docs/outputs.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString

from siting.base.errors import InputError, Problem
from siting.base.summary import RunSummary
from siting.inputs.layers import CRS, Layers
from siting.outputs.runfolder import MANIFEST, is_run_folder, write_json
from siting.solution import Solution

TABLES = ("sites", "renewables", "flows", "dispatch", "zones", "links")


def _link_geometry(
    links: pd.DataFrame, zones: gpd.GeoDataFrame, layer_links: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Links as lines: the layer's geometry where given, else between zone representative points."""
    geoms = {}
    if isinstance(layer_links, gpd.GeoDataFrame) and layer_links.geometry.notna().any():
        geoms = dict(zip(layer_links["link_id"].astype(str), layer_links.geometry, strict=True))
    rep = zones.set_index("zone_id").geometry.representative_point()
    lines = [
        geoms.get(lid) if geoms.get(lid) is not None else LineString([rep[a], rep[b]])
        for lid, a, b in zip(links["link_id"], links["from_zone"], links["to_zone"], strict=True)
    ]
    return gpd.GeoDataFrame(links, geometry=lines, crs=CRS)


def result_layers(solution: Solution, layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """The three GeoPackage layers: sites (points), zones (polygons), links (lines)."""
    site_geo = layers.sites.set_index("site_id")
    extra = [c for c in ("name",) if c in site_geo.columns]
    sites = solution.sites.join(site_geo[[*extra, "geometry"]], on="site_id")
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=CRS)
    zone_geo = layers.zones.set_index("zone_id")
    # water stress drawn on the map where a policy limits it; unknown stays NaN
    extra_z = [c for c in ("water_stress",) if c in zone_geo.columns and c not in solution.zones]
    zones = solution.zones.join(zone_geo[["name", *extra_z, "geometry"]], on="zone_id")
    zones = gpd.GeoDataFrame(zones, geometry="geometry", crs=CRS)
    links = _link_geometry(solution.links, layers.zones, layers.links)
    out = {"sites": sites, "zones": zones, "links": links}
    if layers.demand is not None and len(solution.demand):
        out.update(_service_layers(solution, layers, sites))
    out.update(policy_area_layers(layers))
    return out


def policy_area_layers(layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """The run's policy polygons (moratoria, forbidden and forced areas) as drawn on its map:
    ``name``, ``until_year`` and ``min_sites`` where the input has them, and ``n_sites`` (the
    candidate sites inside)."""
    out = {}
    for key, gdf in (layers.areas or {}).items():
        if gdf is None or not len(gdf):
            continue
        keep = [c for c in ("name", "until_year", "min_sites") if c in gdf.columns]
        layer = gpd.GeoDataFrame(gdf[keep].copy(), geometry=gdf.geometry.to_numpy(), crs=CRS)
        layer["n_sites"] = [len(s) for s in gdf["site_ids"]] if "site_ids" in gdf else 0
        out[key] = layer
    return out


def _service_layers(
    solution: Solution, layers: Layers, sites: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """Demand points, service lines (demand point to serving site) and service areas."""
    pts = layers.demand.set_index("demand_id").geometry  # type: ignore[union-attr]
    demand = gpd.GeoDataFrame(
        solution.demand, geometry=list(pts.reindex(solution.demand["demand_id"])), crs=CRS
    )
    at = sites.set_index("site_id").geometry
    svc = solution.service
    lines = [
        LineString([pts[d], at[s]]) for d, s in zip(svc["demand_id"], svc["site_id"], strict=True)
    ]
    service = gpd.GeoDataFrame(svc, geometry=lines, crs=CRS)
    # The budget's reach as a disc: EPSG:3035 keeps distances within ~1 % over Europe.
    finite = demand[np.isfinite(demand["reach_km"])]
    areas = gpd.GeoDataFrame(
        finite[["demand_id", "max_rtt_ms", "reach_km"]],
        geometry=finite.geometry.buffer(finite["reach_km"] * 1000.0, quad_segs=32),
        crs=CRS,
    )
    out = {"demand": demand}
    if len(service):
        out["service"] = service
    if len(areas):
        out["service_areas"] = areas
    return out


def write_results(folder: Path, solution: Solution, layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """Write ``tables/*.csv``, ``results.gpkg`` and ``summary.json`` into ``folder``."""
    tables = folder / "tables"
    tables.mkdir(exist_ok=True)
    for name in TABLES:
        table = getattr(solution, name)
        if name == "sites":
            table = with_site_identity(table, layers)
        table.to_csv(tables / f"{name}.csv", index=False, float_format="%.9g")
    if len(solution.calendar):
        solution.calendar.to_csv(tables / "calendar.csv", index=False)
    if len(solution.buildout):
        solution.buildout.to_csv(tables / "buildout.csv", index=False, float_format="%.9g")
    if len(solution.demand):
        for name in ("service", "demand"):
            getattr(solution, name).to_csv(tables / f"{name}.csv", index=False, float_format="%.9g")
    geo = result_layers(solution, layers)
    gpkg = folder / "results.gpkg"
    for name, gdf in geo.items():
        gdf.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
    write_json(folder / "summary.json", solution.summary.to_dict())
    return geo


def with_site_identity(sites: pd.DataFrame, layers: Layers) -> pd.DataFrame:
    """The sites table with each site's ``name``, ``country``, ``lon`` and ``lat``
    (EPSG:4326) after its ``site_id``, from the sites and zones layers, so the table reads on
    its own."""
    layer = layers.sites.drop_duplicates("site_id").set_index("site_id")
    points = layer.geometry.to_crs("EPSG:4326")
    ids = sites["site_id"]
    names = layer["name"] if "name" in layer.columns else pd.Series(layer.index, layer.index)
    country = layers.zones.drop_duplicates("zone_id").set_index("zone_id")["country"]
    identity = pd.DataFrame({
        "name": ids.map(names).fillna(ids).to_numpy(),
        "country": sites["zone_id"].map(country).to_numpy(),
        "lon": ids.map(points.x).round(5).to_numpy(),
        "lat": ids.map(points.y).round(5).to_numpy(),
    }, index=sites.index)  # fmt: skip
    front = sites[["site_id"]]
    return pd.concat([front, identity, sites.drop(columns="site_id")], axis=1)


@dataclass(frozen=True)
class RunFolder:
    """A published run folder, read back."""

    path: Path
    summary: RunSummary
    manifest: dict[str, Any]
    config: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.config.get("name", self.path.name))

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """One layer of ``results.gpkg``."""
        return gpd.read_file(self.path / "results.gpkg", layer=name, engine="pyogrio")

    def table(self, name: str) -> pd.DataFrame:
        """One CSV of ``tables/``."""
        return pd.read_csv(self.path / "tables" / f"{name}.csv")

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every layer of ``results.gpkg`` by name (none for a run without a plan)."""
        import pyogrio

        gpkg = self.path / "results.gpkg"
        if not gpkg.is_file():
            return {}
        return {str(n): self.layer(str(n)) for n, _ in pyogrio.list_layers(gpkg)}


def read_run(path: str | Path) -> RunFolder:
    """Open a published run folder.

    Raises
    ------
    InputError
        If ``path`` is not a run folder.
    """
    import yaml

    p = Path(path)
    if not is_run_folder(p):
        raise InputError(
            [
                Problem(
                    str(p),
                    "is not a run folder (no manifest.json)",
                    "give a folder written by 'siting run'",
                )
            ]
        )
    try:
        summary = json.loads((p / "summary.json").read_text(encoding="utf-8"))
        manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
        config = yaml.safe_load((p / "config.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise InputError(
            [Problem(str(p), f"run folder is damaged ({exc})", "re-run the scenario")]
        ) from None
    return RunFolder(p, RunSummary(summary), manifest, config)


def list_runs(folder: str | Path) -> pd.DataFrame:
    """Index of the run folders in ``folder``: name, time, status and key KPIs, newest first.

    Raises
    ------
    InputError
        If ``folder`` does not exist.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(
            [
                Problem(
                    str(root),
                    "folder not found",
                    "give the folder that holds run folders (e.g. runs)",
                )
            ]
        )
    rows = []
    # run folders at any depth (a sweep keeps its runs in a folder of its own); a run
    # folder's own sub-folders (tables/) hold no runs
    candidates = sorted(m.parent for m in root.rglob(MANIFEST))
    for p in candidates:
        if not is_run_folder(p) or any(part.startswith(".") for part in p.relative_to(root).parts):
            continue
        try:
            run = read_run(p)
        except InputError:
            continue
        s = run.summary
        cost = s.get("objective_eur_per_yr")
        new = s.get("new_it_mw")
        rows.append(
            {
                "run": p.relative_to(root).as_posix(),
                "name": run.name,
                "utc": run.manifest.get("created_utc") or p.name.split("-")[-2],
                "status": s.get("status"),
                "matching": run.config.get("carbon", {}).get("matching"),
                "cost_bn_eur_yr": None if cost is None else round(cost / 1e9, 2),
                "new_it_gw": None if new is None else round(new / 1e3, 1),
                "sites": s.get("sites_built"),
                # each score under the rule that gives it (the run's rule, hour by hour, the
                # full year of the weather): an annual 100 % is not an hourly one
                "cfe_rule": None if s.get("cfe_score") is None else round(s["cfe_score"], 3),
                "cfe_hourly": None
                if s.get("hourly_cfe_score") is None
                else round(s["hourly_cfe_score"], 3),
                "cfe_full_year": None
                if s.get("cfe_score_full_year") is None
                else round(s["cfe_score_full_year"], 4),
                "stopped": s.get("stopped_by") or "",
            }
        )
    df = pd.DataFrame(rows)
    return (
        df.sort_values("utc", ascending=False, kind="stable").reset_index(drop=True)
        if len(df)
        else df
    )
