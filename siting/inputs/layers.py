"""Layers: read every configured layer, check it, and check the layers against each other.

Per-layer checks (columns, values, defaults, geometry) are in :mod:`siting.inputs`; this
module strings them together and adds the checks that need several layers or the config.
All geometry work happens once, in EPSG:3035 (ETRS89-LAEA, metres, equal area); downstream
steps see plain tables. Every problem found is collected and raised together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.base.errors import InputError
from siting.base.technologies import Kind, TechnologyTable, default_table, read_table
from siting.config import Config
from siting.inputs.checks import Collector, where
from siting.inputs.geometry import CRS, great_circle_km
from siting.inputs.grid_load import read_grid_load
from siting.inputs.layer_checks import (
    check_areas,
    check_demand,
    check_links,
    check_profiles,
    check_renewables,
    check_rtt,
    check_sites,
    check_zones,
)  # fmt: skip
from siting.inputs.readers import read_layer
from siting.inputs.schema import AREA_LAYERS, known_columns
from siting.inputs.weather import WeatherYear, check_coverage, read_weather

__all__ = ["CRS", "Layers", "load_layers"]


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
    weather: list[WeatherYear] = field(default_factory=list)
    """Whole years of hourly capacity factors (``layers.weather``), for the full-year check."""
    grid_load: pd.DataFrame | None = None
    """A year of hourly national load [MW], 8,760 rows by zone id or country
    (``layers.grid_load``)."""


def _read(cfg: Config, name: str, c: Collector) -> pd.DataFrame | None:
    path = cfg.layer_paths().get(name)
    if path is None:
        return None
    try:
        return read_layer(path, name, known_columns())
    except InputError as err:
        c.problems.extend(err.problems)
        return None


def _technologies(cfg: Config, c: Collector) -> TechnologyTable:
    """The technology table in force, and the config's switches checked against it."""
    table = default_table()
    if cfg.layers.technologies is not None:
        try:
            table = read_table(cfg.layers.technologies)
        except InputError as err:
            c.problems.extend(err.problems)
    named = [("technologies", t) for t in cfg.technologies]
    named += [("max_new_mw", t) for t in cfg.max_new_mw]
    named += [("carbon.not_carbon_free", t) for t in cfg.carbon.not_carbon_free]
    for section, tech in named:
        if tech not in table:
            c.add(
                f"config: {section}.{tech}",
                "unknown technology",
                f"use one of {', '.join(table.rows)} (see docs/technologies.md)",
            )
        elif section == "carbon.not_carbon_free" and table[tech].kind != Kind.DISPATCHABLE:
            dispatchable = ", ".join(t.tech for t in table.of_kind(Kind.DISPATCHABLE))
            c.add(f"config: carbon.not_carbon_free: {tech}",
                  f"{tech} is {table[tech].kind.value} supply; only dispatchable supply, whose "
                  "output the model chooses hour by hour, can be counted apart",
                  f"name dispatchable technologies ({dispatchable}), or switch {tech} off "
                  f"(technologies: {{{tech}: false}})")  # fmt: skip
        elif section == "max_new_mw" and table[tech].kind == Kind.STORAGE:
            supply = ", ".join(table.supply_ids)
            c.add(f"config: max_new_mw.{tech}",
                  f"{tech} is a storage technology; max_new_mw caps new generating capacity "
                  "per zone and would not apply to it",
                  f"remove it (a cap applies to {supply})")  # fmt: skip
    store = cfg.storage.technology
    if store is not None and (store not in table or table[store].kind != Kind.STORAGE):
        stores = ", ".join(t.tech for t in table.of_kind(Kind.STORAGE)) or "none in the table"
        c.add("config: storage.technology", f"{store!r} is not a storage technology of the table",
              f"name one of {stores} (see docs/technologies.md)")  # fmt: skip
    return table


def _switch_off(renewables: pd.DataFrame, cfg: Config, table: TechnologyTable) -> pd.DataFrame:
    """Drop the supply options of technologies not in use (switched off, or off by default)."""
    off = [t for t in set(renewables["tech"]) if not table.enabled(t, cfg.technologies)]
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
    c = Collector()
    paths = cfg.layer_paths()
    table = _technologies(cfg, c)
    raw = {
        name: _read(cfg, name, c)
        for name in paths
        if name not in ("technologies", "grid_load") and not name.startswith("weather")
    }
    zones = check_zones(raw.get("zones"), paths.get("zones"), c)
    zone_ids = set(zones["zone_id"]) if zones is not None else set()
    sites = check_sites(raw.get("sites"), paths.get("sites"), zones, c)
    renewables = check_renewables(raw.get("renewables"), paths.get("renewables"), zones, table, c)
    if renewables is not None:
        renewables = _switch_off(renewables, cfg, table)
    links = check_links(raw.get("links"), paths.get("links"), zone_ids, c)
    demand = check_demand(raw.get("demand"), paths.get("demand"), cfg, c)
    profiles = check_profiles(raw.get("profiles"), paths.get("profiles"), zone_ids, c)
    rtt = check_rtt(raw.get("rtt"), paths.get("rtt"), demand, sites, c)
    areas = {
        key: check_areas(raw.get(key), paths[key], key, sites, c)
        for key in AREA_LAYERS
        if key in paths
    }
    weather = _weather(cfg, table, renewables, c)
    grid_load = _grid_load(cfg, zones, c)
    _config_references(cfg, c, zones, sites, demand)
    if renewables is not None:
        _capacity_factor_sources(renewables, profiles, paths["renewables"], c)
    c.raise_if_any()
    assert zones is not None and sites is not None and renewables is not None
    distance = great_circle_km(demand, sites) if demand is not None else None
    return Layers(
        zones, sites, renewables, links if links is not None else _no_links(), demand, profiles,
        paths, technologies=table, distance_km=distance, rtt=rtt, areas=areas or None,
        weather=weather, grid_load=grid_load,
    )  # fmt: skip


def _grid_load(cfg: Config, zones: gpd.GeoDataFrame | None, c: Collector) -> pd.DataFrame | None:
    """The grid-load layer where given, checked against the keys interruptible load needs."""
    flex = cfg.flexibility
    path = cfg.layers.grid_load
    if path is None:
        if flex.interruptible_share > 0:
            c.add("config: flexibility.interruptible_share",
                  "interruptible load is curtailed where the grid is stressed, and no "
                  "layers.grid_load says when that is",
                  "add layers.grid_load (hourly national load per zone or country, "
                  "docs/layers.md#grid_load), or set flexibility.interruptible_share: 0")  # fmt: skip
        return None
    try:
        load = read_grid_load(path)
    except InputError as err:
        c.problems.extend(err.problems)
        return None
    if zones is not None:
        keys = set(load.columns)
        covered = zones["zone_id"].isin(keys) | zones["country"].isin(keys)
        if not covered.any():
            c.add(f"{path.name}", "no column names a zone_id or country of the zones layer",
                  "name the columns <zone_id or country>_load_mw")  # fmt: skip
    return load


def _weather(
    cfg: Config, table: TechnologyTable, renewables: pd.DataFrame | None, c: Collector
) -> list[WeatherYear]:
    """Every whole year of the weather files, checked to cover every variable supply option."""
    years: list[WeatherYear] = []
    for path in cfg.layers.weather:
        try:
            years += read_weather(path, table.supply_ids)
        except InputError as err:
            c.problems.extend(err.problems)
    if renewables is not None and years:
        options = list(zip(renewables["zone_id"], renewables["tech"], strict=True))
        variable = {t.tech for t in table.of_kind(Kind.VARIABLE)}
        c.problems.extend(check_coverage(years, options, variable))
    seen: dict[int, Path] = {}
    for wy in years:
        if wy.year in seen:
            c.add(
                f"{wy.source.name}: year {wy.year}",
                f"the year is also in {seen[wy.year].name}",
                "give each weather year once",
            )
        seen[wy.year] = wy.source
    _weather_years_apply(cfg, sorted(seen), c)
    missing = [y for y in cfg.weather.years if y not in seen]
    if missing and years:
        c.add("weather.years", f"no weather for {', '.join(map(str, missing))} in layers.weather "
              f"(it has {', '.join(map(str, sorted(seen)))})",
              "name years the weather files hold, or add a file for them")  # fmt: skip
    return years


def _weather_years_apply(cfg: Config, have: list[int], c: Collector) -> None:
    """``weather.years`` and ``weather.mode`` must agree: one year for ``single``, two or
    more for ``robust`` (a mode that cannot use the years given would change the plan)."""
    w = cfg.weather
    if w.mode == "single" and len(w.years) > 1:
        c.add("config: weather.years", f"names {len(w.years)} years ({', '.join(map(str, w.years))}) "
              "but weather.mode single optimises on one",
              "name one year, or set weather.mode: robust to optimise on all of them at once")  # fmt: skip
    chosen = w.years or have
    if w.mode == "robust" and have and len(chosen) < 2:
        c.add("config: weather.mode", f"robust needs two or more weather years; it would run on "
              f"{', '.join(map(str, chosen))} alone",
              "add a weather file for another year to layers.weather, or use weather.mode: single")  # fmt: skip


def _scope_references(cfg: Config, zones: gpd.GeoDataFrame, c: Collector) -> None:
    """Every country and zone ``scope`` names must be in the zones layer."""
    for key, known in (("countries", set(zones["country"])), ("zones", set(zones["zone_id"]))):
        for name in getattr(cfg.scope, key):
            if name not in known:
                shown = ", ".join(sorted(known)[:12]) + (" ..." if len(known) > 12 else "")
                c.add(f"config: scope.{key}", f"unknown {key[:-1].replace('countrie', 'country')} '{name}'",
                      f"use one of the zones layer's ({shown})")  # fmt: skip


def _no_links() -> pd.DataFrame:
    cols = ["link_id", "from_zone", "to_zone", "capacity_mw", "length_km", "loss_per_1000km"]
    return pd.DataFrame({k: [] for k in [*cols, "dc_share"]})


def _config_references(
    cfg: Config,
    c: Collector,
    zones: gpd.GeoDataFrame | None,
    sites: gpd.GeoDataFrame | None,
    demand: gpd.GeoDataFrame | None,
) -> None:
    """Countries, sites and latency settings the config names must exist in the layers."""
    if zones is not None and cfg.policy.max_hosting_share is not None:
        load = (
            zones["national_load_mw"]
            if "national_load_mw" in zones
            else pd.Series(np.nan, zones.index)
        )
        missing = sorted(zones.loc[~(load > 0), "zone_id"].astype(str))
        if missing:
            shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
            c.add(where("zones", cfg.layer_paths()["zones"]),
                  f"policy.max_hosting_share needs national_load_mw > 0 in every zone; "
                  f"{len(missing)} have none ({shown})",
                  "give each zone its mean national demand [MW], or remove policy.max_hosting_share")  # fmt: skip
    if zones is not None:
        _scope_references(cfg, zones, c)
        countries = set(zones["country"])
        for country in cfg.policy.min_sites_per_country:
            if country not in countries:
                c.add(
                    f"config: policy.min_sites_per_country.{country}",
                    f"unknown country '{country}'",
                    f"use a 'country' of the zones layer ({', '.join(sorted(countries)[:8])}, ...)",
                )
    if cfg.carbon.guarantee == "full_year" and (
        cfg.carbon.matching != "hourly" or not cfg.layers.weather
    ):
        c.add(
            "config: carbon.guarantee",
            "full_year needs hourly matching and a weather layer to check the plan on",
            "set carbon.matching: hourly and layers.weather, or carbon.guarantee: none",
        )
    if cfg.target.milestones and cfg.carbon.guarantee != "none":
        c.add(
            "config: target.milestones",
            f"milestones cannot be planned with carbon.guarantee {cfg.carbon.guarantee} (the "
            "guarantee's rounds re-solve one year's plan, not a build-out)",
            "set carbon.guarantee: none, or plan the deadline alone (remove target.milestones)",
        )
    if cfg.layers.rtt is not None and demand is None:
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


def _capacity_factor_sources(
    renewables: pd.DataFrame, profiles: pd.DataFrame | None, path: Path, c: Collector
) -> None:
    """Every supply option needs a ``cf`` or a profile to say what it delivers."""
    have = (
        set(zip(profiles["zone_id"], profiles["tech"], strict=True))
        if profiles is not None
        else set()
    )
    for z, k, cf in renewables[["zone_id", "tech", "cf"]].itertuples(index=False):
        if (z, k) in have or not np.isnan(cf):
            continue
        if profiles is not None:
            c.add(
                where("renewables", path, f"{z}/{k}"),
                "no 'cf' and no profile",
                "add a cf or a profile",
            )
        else:
            c.add(
                where("renewables", path, f"{z}/{k}"),
                "'cf' is empty and no profiles layer is given",
                "fill in 'cf' or add a profiles layer",
            )
