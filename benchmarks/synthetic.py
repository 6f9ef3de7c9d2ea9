"""Synthetic siting instances in the layer contract (DESIGN §3), at any size.

A rectangular grid of 100 km square zones in EPSG:3035 (ten zones to a country, at least five countries), candidate
sites scattered inside them, solar and onshore wind in every zone, links between neighbours
in both directions, and hourly profiles in 24-hour periods (sun by the hour, wind as a random
walk per zone). Everything is drawn from one seeded generator, so a size and seed always give
the same files.

    python benchmarks/synthetic.py --zones 100 --sites 500 --slices 96 --out /tmp/medium
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import yaml
from shapely.geometry import LineString, box

SIDE_M = 100_000.0
ORIGIN = (3_000_000.0, 2_000_000.0)  # EPSG:3035, south-west Europe


@dataclass(frozen=True)
class Size:
    """Instance dimensions and options."""

    zones: int
    sites: int
    slices: int
    storage: bool = True
    seed: int = 0

    @property
    def label(self) -> str:
        tail = "" if self.storage else "-nostorage"
        return f"{self.zones}x{self.sites}x{self.slices}{tail}"


def _grid_shape(n: int) -> tuple[int, int]:
    nx = math.ceil(math.sqrt(n * 1.2))
    return nx, math.ceil(n / nx)


LARGE = Size(300, 2000, 168)
"""The large instance: 300 zones x 2,000 sites x 168 hourly slices (``run.py``, ``speed.py``)."""
LARGE_TIME_LIMIT_S = 600.0
"""Its solve limit [s]: its root LP has not finished inside ten minutes."""


def write_instance(size: Size, folder: Path, mip_gap: float = 0.005) -> Path:
    """Write the layers and a config for ``size`` into ``folder``; return the config path.

    Parameters
    ----------
    size
        Zones, candidate sites, time slices (1: annual matching), storage, seed.
    folder
        Created if missing.
    mip_gap
        Relative MIP gap in the config [-].
    """
    rng = np.random.default_rng(size.seed)
    folder.mkdir(parents=True, exist_ok=True)
    nx, _ = _grid_shape(size.zones)
    ij = [(k % nx, k // nx) for k in range(size.zones)]
    zone_ids = [f"Z{k:03d}" for k in range(size.zones)]
    polys = [
        box(
            ORIGIN[0] + i * SIDE_M,
            ORIGIN[1] + j * SIDE_M,
            ORIGIN[0] + (i + 1) * SIDE_M,
            ORIGIN[1] + (j + 1) * SIDE_M,
        )
        for i, j in ij
    ]
    baseline = rng.uniform(0.0, 150.0, size.zones).round(1)
    n_countries = max(5, size.zones // 10)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": zone_ids,
            "country": [f"C{k * n_countries // size.zones:02d}" for k in range(size.zones)],
            "baseline_it_mw": baseline,
            "baseline_pue": 1.36,
            "carbon_intensity_g_per_kwh": rng.uniform(20, 700, size.zones).round(0),
            "grid_price_eur_per_mwh": rng.uniform(60, 140, size.zones).round(1),
        },
        geometry=polys,
        crs="EPSG:3035",
    )
    zones.to_file(folder / "zones.gpkg", layer="zones", engine="pyogrio")

    zone_of_site = np.sort(rng.integers(0, size.zones, size.sites))
    x = np.array([ij[z][0] for z in zone_of_site]) * SIDE_M + rng.uniform(5e3, 95e3, size.sites)
    y = np.array([ij[z][1] for z in zone_of_site]) * SIDE_M + rng.uniform(5e3, 95e3, size.sites)
    pts = gpd.GeoSeries(gpd.points_from_xy(ORIGIN[0] + x, ORIGIN[1] + y), crs="EPSG:3035").to_crs(
        "EPSG:4326"
    )
    sites = pd.DataFrame(
        {
            "site_id": [f"S{k:05d}" for k in range(size.sites)],
            "zone_id": [zone_ids[z] for z in zone_of_site],
            "lon": pts.x.round(6),
            "lat": pts.y.round(6),
            "max_it_mw": rng.choice([300.0, 500.0, 1000.0], size.sites),
            "module_it_mw": 100.0,
            "capex_eur_per_mw_yr": rng.uniform(0.9e6, 1.3e6, size.sites).round(-3),
            "fixed_eur_per_yr": 1.79e6,
            "pue": rng.uniform(1.1, 1.3, size.sites).round(3),
        }
    )
    sites.to_csv(folder / "sites.csv", index=False)

    lat = np.array([j for _, j in ij], dtype=float)
    solar_cf = (0.16 - 0.006 * lat).clip(0.08, 0.2)
    wind_cf = rng.uniform(0.2, 0.4, size.zones)
    renewables = pd.DataFrame(
        {
            "zone_id": np.repeat(zone_ids, 2),
            "tech": ["solar", "onshore_wind"] * size.zones,
            "potential_mw": rng.uniform(3e3, 2e4, 2 * size.zones).round(0),
            "existing_mw": 0.0,
            "capex_eur_per_mw_yr": np.tile([42_000.0, 120_000.0], size.zones),
            "cf": np.column_stack([solar_cf, wind_cf]).ravel().round(4),
        }
    )
    renewables.to_csv(folder / "renewables.csv", index=False)

    pos = {p: k for k, p in enumerate(ij)}
    rows, lines = [], []
    for k, (i, j) in enumerate(ij):
        for di, dj in ((1, 0), (0, 1)):
            n = pos.get((i + di, j + dj))
            if n is None:
                continue
            cap = float(rng.uniform(1000, 3000))
            for a, b in ((k, n), (n, k)):
                rows.append(
                    {
                        "link_id": f"{zone_ids[a]}-{zone_ids[b]}",
                        "from_zone": zone_ids[a],
                        "to_zone": zone_ids[b],
                        "capacity_mw": round(cap),
                        "length_km": 125.0,
                        "loss_per_1000km": 0.05,
                        "dc_share": 0.5,
                    }
                )
                ca = polys[a].centroid
                cb = polys[b].centroid
                lines.append(LineString([(ca.x, ca.y), (cb.x, cb.y)]))
    gpd.GeoDataFrame(rows, geometry=lines, crs="EPSG:3035").to_file(
        folder / "links.gpkg", layer="links", engine="pyogrio"
    )

    layers = {
        "zones": "zones.gpkg",
        "sites": "sites.csv",
        "renewables": "renewables.csv",
        "links": "links.gpkg",
    }
    hourly = size.slices > 1
    if hourly:
        _profiles(size, zone_ids, solar_cf, wind_cf, rng).to_csv(
            folder / "profiles.csv", index=False
        )
        layers["profiles"] = "profiles.csv"
    cfg = {
        "name": f"synthetic-{size.label}",
        "layers": layers,
        "target": {"baseline_year": 2024, "increase_pct": 200, "deadline_year": 2030},
        "carbon": {
            "matching": "hourly" if hourly else "annual",
            "cfe_target": 0.9 if hourly else 1.0,
            "scope": "all",
        },
        "policy": {"max_country_share": 0.5},
        "storage": {"enabled": size.storage},
        "solver": {"name": "highs", "time_limit_s": 3600, "mip_gap": mip_gap, "threads": 1},
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def _profiles(
    size: Size,
    zone_ids: list[str],
    solar_cf: np.ndarray,
    wind_cf: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Hourly CF per zone: a daylight bell for solar, a mean-reverting walk for wind."""
    t = np.arange(size.slices)
    hour = t % 24
    bell = np.clip(np.sin((hour - 6) / 12 * np.pi), 0.0, None)
    day_scale = rng.uniform(0.5, 1.3, size=(size.zones, (size.slices + 23) // 24))
    solar = bell[None, :] * day_scale[:, t // 24]
    solar = solar / solar.mean(axis=1, keepdims=True) * solar_cf[:, None]
    walk = np.zeros((size.zones, size.slices))
    shocks = rng.normal(0.0, 0.25, size=walk.shape)
    for k in range(1, size.slices):
        walk[:, k] = 0.85 * walk[:, k - 1] + shocks[:, k]
    wind = np.exp(walk)
    wind = wind / wind.mean(axis=1, keepdims=True) * wind_cf[:, None]
    solar, wind = np.clip(solar, 0.0, 1.0), np.clip(wind, 0.0, 1.0)
    n = size.zones * size.slices
    return pd.DataFrame(
        {
            "zone_id": np.repeat(np.repeat(zone_ids, size.slices), 1).tolist() * 2,
            "tech": ["solar"] * n + ["onshore_wind"] * n,
            "slice": [f"h{k:04d}" for k in t] * size.zones * 2,
            "period": list(t // 24) * size.zones * 2,
            "weight_h": 8760.0 / size.slices,
            "cf": np.concatenate([solar.ravel(), wind.ravel()]).round(5),
        }
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--zones", type=int, required=True)
    p.add_argument("--sites", type=int, required=True)
    p.add_argument("--slices", type=int, default=1)
    p.add_argument("--no-storage", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    size = Size(a.zones, a.sites, a.slices, not a.no_storage, a.seed)
    print(write_instance(size, a.out))


if __name__ == "__main__":
    main()
