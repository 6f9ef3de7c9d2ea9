"""Shared fixtures: tiny but real layer files and configs written to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import LineString, box

REPO = Path(__file__).resolve().parents[1]
EUROPE_CONFIG = REPO / "configs" / "europe-2030.yaml"


@pytest.fixture(scope="session", autouse=True)
def _own_periods_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Runs in tests keep representative days in a cache of their own, never the user's."""
    import os

    before = os.environ.get("SITING_CACHE_DIR")
    os.environ["SITING_CACHE_DIR"] = str(tmp_path_factory.mktemp("siting-cache"))
    yield
    if before is None:
        os.environ.pop("SITING_CACHE_DIR", None)
    else:
        os.environ["SITING_CACHE_DIR"] = before


# Two 100 km x 100 km zones side by side in EPSG:3035 (around 10 E, 50 N).
X0, Y0, SIDE = 4_300_000.0, 3_000_000.0, 100_000.0


def tiny_layers(
    folder: Path,
    *,
    sites: list[dict[str, Any]] | None = None,
    renewables: list[dict[str, Any]] | None = None,
    links: list[dict[str, Any]] | None = None,
    zones: list[dict[str, Any]] | None = None,
    profiles: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """Write a two-zone world (A west, B east) and return the layer paths."""
    folder.mkdir(parents=True, exist_ok=True)
    zones = zones or [
        {
            "zone_id": "A",
            "country": "AA",
            "baseline_it_mw": 100.0,
            "baseline_pue": 1.5,
            "carbon_intensity_g_per_kwh": 300.0,
            "grid_price_eur_per_mwh": 100.0,
        },
        {
            "zone_id": "B",
            "country": "BB",
            "baseline_it_mw": 50.0,
            "baseline_pue": 1.2,
            "carbon_intensity_g_per_kwh": 50.0,
            "grid_price_eur_per_mwh": 80.0,
        },
    ]
    geoms = [box(X0 + i * SIDE, Y0, X0 + (i + 1) * SIDE, Y0 + SIDE) for i in range(len(zones))]
    gpd.GeoDataFrame(zones, geometry=geoms, crs="EPSG:3035").to_file(
        folder / "zones.gpkg", layer="zones", engine="pyogrio"
    )
    sites = sites or [
        {
            "site_id": "A-1",
            "x": 20_000,
            "y": 50_000,
            "max_it_mw": 400.0,
            "module_it_mw": 100.0,
            "existing_it_mw": 50.0,
            "capex_eur_per_mw_yr": 1.0e6,
            "fixed_eur_per_yr": 5.0e6,
            "pue": 1.2,
        },
        {
            "site_id": "A-2",
            "x": 70_000,
            "y": 50_000,
            "max_it_mw": 300.0,
            "module_it_mw": 100.0,
            "capex_eur_per_mw_yr": 0.9e6,
            "fixed_eur_per_yr": 8.0e6,
            "pue": 1.3,
        },
        {
            "site_id": "B-1",
            "x": 150_000,
            "y": 50_000,
            "max_it_mw": 300.0,
            "module_it_mw": 100.0,
            "capex_eur_per_mw_yr": 1.1e6,
            "fixed_eur_per_yr": 2.0e6,
            "pue": 1.1,
        },
    ]
    pts = gpd.GeoDataFrame(
        [{k: v for k, v in s.items() if k not in ("x", "y")} for s in sites],
        geometry=gpd.points_from_xy([X0 + s["x"] for s in sites], [Y0 + s["y"] for s in sites]),
        crs="EPSG:3035",
    ).to_crs("EPSG:4326")
    df = pd.DataFrame(pts.drop(columns="geometry"))
    df["lon"], df["lat"] = pts.geometry.x, pts.geometry.y
    df.to_csv(folder / "sites.csv", index=False)
    renewables = renewables or [
        {
            "zone_id": "A",
            "tech": "solar",
            "potential_mw": 5000.0,
            "existing_mw": 1000.0,
            "capex_eur_per_mw_yr": 50_000.0,
            "cf": 0.12,
        },
        {
            "zone_id": "A",
            "tech": "onshore_wind",
            "potential_mw": 300.0,
            "capex_eur_per_mw_yr": 120_000.0,
            "cf": 0.3,
        },
        {
            "zone_id": "B",
            "tech": "solar",
            "potential_mw": 200.0,
            "capex_eur_per_mw_yr": 45_000.0,
            "cf": 0.15,
        },
        {
            "zone_id": "B",
            "tech": "offshore_wind",
            "potential_mw": 2000.0,
            "capex_eur_per_mw_yr": 300_000.0,
            "cf": 0.45,
        },
    ]
    pd.DataFrame(renewables).to_csv(folder / "renewables.csv", index=False)
    paths = {"zones": "zones.gpkg", "sites": "sites.csv", "renewables": "renewables.csv"}
    links = (
        links
        if links is not None
        else [
            {
                "link_id": "A-B",
                "from_zone": "A",
                "to_zone": "B",
                "capacity_mw": 200.0,
                "length_km": 100.0,
                "loss_per_1000km": 0.05,
                "dc_share": 0.5,
            },
            {
                "link_id": "B-A",
                "from_zone": "B",
                "to_zone": "A",
                "capacity_mw": 200.0,
                "length_km": 100.0,
                "loss_per_1000km": 0.05,
                "dc_share": 0.5,
            },
        ]
    )
    if links:
        cx = {z["zone_id"]: X0 + (i + 0.5) * SIDE for i, z in enumerate(zones)}
        lines = [
            LineString(
                [
                    (cx.get(r["from_zone"], X0), Y0 + SIDE / 2),
                    (cx.get(r["to_zone"], X0), Y0 + SIDE / 2),
                ]
            )
            for r in links
        ]
        gpd.GeoDataFrame(links, geometry=lines, crs="EPSG:3035").to_file(
            folder / "links.gpkg", layer="links", engine="pyogrio"
        )
        paths["links"] = "links.gpkg"
    if profiles:
        pd.DataFrame(profiles).to_csv(folder / "profiles.csv", index=False)
        paths["profiles"] = "profiles.csv"
    return paths


def write_config(folder: Path, layers: dict[str, str], **sections: Any) -> Path:
    """Write a config next to the layers; ``sections`` override top-level keys."""
    cfg: dict[str, Any] = {
        "name": "tiny",
        "layers": layers,
        "target": {"baseline_year": 2024, "increase_pct": 300, "deadline_year": 2030},
        "carbon": {"matching": "annual", "cfe_target": 1.0, "scope": "all"},
        "policy": {"max_country_share": None},
        "solver": {"name": "highs", "time_limit_s": 60, "mip_gap": 0.0, "threads": 1, "seed": 0},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


@pytest.fixture
def tiny_config(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``tiny_config(**layer_kwargs, config=dict(...))`` -> config path."""

    def make(config: dict[str, Any] | None = None, **layer_kwargs: Any) -> Path:
        layers = tiny_layers(tmp_path / "data", **layer_kwargs)
        layers = {k: f"data/{v}" for k, v in layers.items()}
        return write_config(tmp_path, layers, **(config or {}))

    return make


def _battery(kw: dict[str, Any]) -> tuple[Any, ...]:
    """The battery of a tiny instance, from the shorthand keys ``storage_enabled`` etc."""
    from siting.instance import StorageOption

    if not kw.get("storage_enabled", False):
        return ()
    return (
        StorageOption(
            "battery",
            "Battery",
            kw.get("storage_energy_eur_per_mwh_yr", 10_000.0),
            kw.get("storage_power_eur_per_mw_yr", 30_000.0),
            kw.get("storage_roundtrip_efficiency", 0.81),
        ),
    )


def make_instance(**kw: Any) -> Any:
    """An :class:`~siting.instance.Instance` from short keyword arrays (tests only)."""
    import numpy as np

    n_z = len(kw.get("zone_ids", ["A"]))
    n_s = len(kw.get("site_ids", []))
    n_j = len(kw.get("re_tech", []))
    n_l = len(kw.get("link_ids", []))
    slices = kw.get("slice_ids", ["annual"])
    n_t = len(slices)
    f = lambda key, default, n: np.asarray(kw.get(key, [default] * n), dtype=float)  # noqa: E731
    i = lambda key, n: np.asarray(kw.get(key, [0] * n), dtype=np.int64)  # noqa: E731
    fields = {
        "zone_ids": kw.get("zone_ids", ["A"]),
        "zone_country": kw.get("zone_country", kw.get("zone_ids", ["A"])),
        "baseline_it_mw": f("baseline_it_mw", 0.0, n_z),
        "baseline_pue": f("baseline_pue", 1.36, n_z),
        "grid_cost_eur_per_mwh": f("grid_cost_eur_per_mwh", 100.0, n_z),
        "carbon_intensity_g_per_kwh": f("carbon_intensity_g_per_kwh", 300.0, n_z),
        "site_ids": kw.get("site_ids", []),
        "site_zone": i("site_zone", n_s),
        "existing_it_mw": f("existing_it_mw", 0.0, n_s),
        "max_it_mw": f("max_it_mw", 100.0, n_s),
        "module_it_mw": f("module_it_mw", float("nan"), n_s),
        "site_capex_eur_per_mw_yr": f("site_capex_eur_per_mw_yr", 1e6, n_s),
        "site_fixed_eur_per_yr": f("site_fixed_eur_per_yr", 0.0, n_s),
        "site_pue": f("site_pue", 1.2, n_s),
        "eligible": np.asarray(kw.get("eligible", [True] * n_s), dtype=bool),
        "forced": np.asarray(kw.get("forced", [False] * n_s), dtype=bool),
        "re_zone": i("re_zone", n_j),
        "re_tech": kw.get("re_tech", []),
        "re_potential_mw": f("re_potential_mw", 1e6, n_j),
        "re_existing_mw": f("re_existing_mw", 0.0, n_j),
        "re_capex_eur_per_mw_yr": f("re_capex_eur_per_mw_yr", 50_000.0, n_j),
        "re_cf": np.asarray(kw.get("re_cf", [[0.2] * n_t] * n_j), dtype=float).reshape(n_j, n_t),
        "link_ids": kw.get("link_ids", []),
        "link_from": i("link_from", n_l),
        "link_to": i("link_to", n_l),
        "link_capacity_mw": f("link_capacity_mw", 100.0, n_l),
        "link_usable_mw": f(
            "link_usable_mw", kw.get("link_capacity_mw", [100.0] * n_l)[0] if n_l else 0.0, n_l
        ),
        "link_efficiency": f("link_efficiency", 1.0, n_l),
        "slice_ids": slices,
        "weight_h": f("weight_h", 8760.0 / n_t, n_t),
        "period": i("period", n_t),
        "matching": kw.get("matching", "annual" if n_t == 1 else "hourly"),
        "multiplier": kw.get("multiplier", 2.0),
        "utilisation": kw.get("utilisation", 0.8),
        "cfe_target": kw.get("cfe_target", 1.0),
        "scope": kw.get("scope", "all"),
        "wheeling_eur_per_mwh": kw.get("wheeling_eur_per_mwh", 0.0),
        "max_country_share": kw.get("max_country_share"),
        "min_sites": kw.get("min_sites", 0),
        "max_sites": kw.get("max_sites"),
        "storage": kw.get("storage", _battery(kw)),
        "excluded_reason": kw.get(
            "excluded_reason", ["" if e else "excluded" for e in kw.get("eligible", [True] * n_s)]
        ),
    }
    fields.update({k: v for k, v in kw.items() if k in FLAT and k not in fields})
    return nested_instance(fields)


FLAT = {
    "zone_ids": "zones.ids",
    "zone_country": "zones.country",
    "baseline_it_mw": "zones.baseline_it_mw",
    "baseline_pue": "zones.baseline_pue",
    "grid_cost_eur_per_mwh": "zones.grid_cost_eur_per_mwh",
    "hosting_mw": "zones.hosting_mw",
    "sale_price_eur_per_mwh": "zones.sale_price_eur_per_mwh",
    "carbon_intensity_g_per_kwh": "notes.carbon_intensity_g_per_kwh",
    "site_ids": "sites.ids",
    "site_zone": "sites.zone",
    "existing_it_mw": "sites.existing_it_mw",
    "max_it_mw": "sites.max_it_mw",
    "module_it_mw": "sites.module_it_mw",
    "site_capex_eur_per_mw_yr": "sites.capex_eur_per_mw_yr",
    "site_fixed_eur_per_yr": "sites.fixed_eur_per_yr",
    "site_pue": "sites.pue",
    "eligible": "sites.eligible",
    "forced": "sites.forced",
    "site_reinforcement_eur_per_mw_yr": "sites.reinforcement_eur_per_mw_yr",
    "site_water_eur_per_mw_yr": "sites.water_eur_per_mw_yr",
    "site_accel_eur_per_mw_yr": "sites.accel_eur_per_mw_yr",
    "site_online_year": "notes.online_year",
    "site_water_stress": "notes.water_stress",
    "excluded_reason": "notes.excluded_reason",
    "exclusion_kind": "notes.exclusion_kind",
    "deadline_year": "notes.deadline_year",
    "re_zone": "supply.zone",
    "re_tech": "supply.tech",
    "re_potential_mw": "supply.potential_mw",
    "re_existing_mw": "supply.existing_mw",
    "re_capex_eur_per_mw_yr": "supply.capex_eur_per_mw_yr",
    "re_cf": "supply.cf",
    "re_annual_cf": "supply.annual_cf",
    "re_dispatchable": "supply.dispatchable",
    "re_running_eur_per_mwh": "supply.running_eur_per_mwh",
    "re_not_carbon_free": "supply.not_carbon_free",
    "link_ids": "links.ids",
    "link_from": "links.src",
    "link_to": "links.dst",
    "link_usable_mw": "links.usable_mw",
    "link_efficiency": "links.efficiency",
    "link_capacity_mw": "notes.link_capacity_mw",
    "slice_ids": "time.ids",
    "weight_h": "time.weight_h",
    "period": "time.period",
    "day_period": "time.day_period",
    "period_dates": "notes.period_dates",
    "calendar": "notes.calendar",
    "matching": "settings.matching",
    "multiplier": "settings.multiplier",
    "compute_per_new_mw": "settings.compute_per_new_mw",
    "utilisation": "settings.utilisation",
    "cfe_target": "settings.cfe_target",
    "scope": "settings.scope",
    "wheeling_eur_per_mwh": "settings.wheeling_eur_per_mwh",
    "max_country_share": "settings.max_country_share",
    "min_sites": "settings.min_sites",
    "max_sites": "settings.max_sites",
    "min_sites_by_country": "settings.min_sites_by_country",
    "max_surplus_share": "settings.max_surplus_share",
    "exchange": "settings.exchange",
    "weather_levels": "settings.weather_levels",
    "storage_linking": "settings.storage_linking",
    "temporal_share": "settings.temporal_share",
    "spatial_share": "settings.spatial_share",
    "interruptible_share": "settings.interruptible_share",
    "lost_compute_eur_per_mwh": "settings.lost_compute_eur_per_mwh",
    "grid_headroom_mw": "zones.grid_headroom_mw",
    "interruptible_mw": "zones.interruptible_mw",
    "storage": "stores",
    "demand_ids": "demand.ids",
    "demand_it_mw": "demand.it_mw",
    "demand_budget_ms": "demand.budget_ms",
    "rtt_ms": "demand.rtt_ms",
    "distance_km": "notes.distance_km",
    "demand_radius_km": "notes.radius_km",
    "area_names": "areas.names",
    "area_sites": "areas.sites",
    "area_min_sites": "areas.min_sites",
}
"""The tests' flat shorthand: each key's table and attribute in :class:`~siting.instance.Instance`."""


def nested_instance(flat: dict[str, Any]) -> Any:
    """An :class:`~siting.instance.Instance` from flat keys (:data:`FLAT`) and ``residual_cuts``."""
    from siting import instance as m

    parts: dict[str, dict[str, Any]] = {}
    for key, value in flat.items():
        if key in FLAT:
            table, _, attr = FLAT[key].partition(".")
            parts.setdefault(table, {})[attr or table] = value
    tables = {"zones": m.ZoneTable, "sites": m.SiteTable, "supply": m.SupplyTable,
              "links": m.LinkTable, "time": m.TimeTable, "settings": m.Settings,
              "demand": m.DemandTable, "areas": m.AreaTable, "notes": m.Notes}  # fmt: skip
    built = {name: cls(**parts.get(name, {})) for name, cls in tables.items()}
    return m.Instance(**built, stores=parts.get("stores", {}).get("stores", ()),
                      residual_cuts=flat.get("residual_cuts", ()))  # fmt: skip


def four_day_year(
    sequence: tuple[int, ...] = (0, 0, 1, 1),
    storage: tuple[Any, ...] = (),
    second: tuple[str, float, float] = ("nuclear", 100_000.0, 1.0),
    **kw: Any,
) -> Any:
    """The tiny year of the storage tests: one zone, a flat 10 MW load, CFE 100 %.

    Two kinds of two-hour day: windy (period 0, wind cf 1) and calm (period 1, cf 0), in
    the calendar order ``sequence``; each slice weighs the days standing for its period.
    Wind costs 1,000 EUR/MW/yr; ``second`` is another option (tech, EUR/MW/yr, cf), by
    default firm supply at 100,000. ``kw`` overrides instance fields.
    """
    import numpy as np

    tech, cost, cf = second
    fields: dict[str, Any] = dict(
        zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0,
        multiplier=1.0, re_tech=["onshore_wind", tech], re_zone=[0, 0],
        re_capex_eur_per_mw_yr=[1_000.0, cost], re_cf=[[1.0, 1.0, 0.0, 0.0], [cf] * 4],
        slice_ids=["d00h00", "d00h01", "d01h00", "d01h01"], period=[0, 0, 1, 1],
        weight_h=[float(sequence.count(0))] * 2 + [float(sequence.count(1))] * 2,
        day_period=np.asarray(sequence, dtype=np.int64), storage_linking="chronological",
        storage=storage, grid_cost_eur_per_mwh=[1e6],
    )  # fmt: skip
    fields.update(kw)
    return make_instance(**fields)
