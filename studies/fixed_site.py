"""One 100 MW data centre, fixed in place: what annual and 24/7 matching cost per MWh.

The setting of PyPSA's 24/7 CFE study (RIEPIN_BROWN_2022): a buyer with a flat 100 MW load
in one country, its own wind and solar (and, for 24/7, batteries), the rest of its hours
settled with the grid: purchases at the zone's price plus carbon, surplus sold at half the
wholesale price and at most 20 % of the load. Built from the shipped European dataset and
2015 weather; the site, its size and its load are fixed, so only the energy differs.

Usage (from the repository root)::

    python studies/fixed_site.py                 # IE DE DK PL -> studies/results/fixed_site.csv
    python studies/fixed_site.py --zones DE      # one country
    python studies/fixed_site.py --palette p3    # 24/7 with the study's palette p3 ->
                                                 # studies/results/fixed_site_p3.csv

Palettes (RIEPIN_BROWN_CFG): ``p1`` wind, solar and batteries (the default); ``p3`` adds
long-duration storage (hydrogen in salt caverns where the technology table allows, 100-hour
iron-air) and clean firm supply (advanced geothermal and nuclear, Allam-cycle gas with CCS).

The cost per MWh counts energy only (clean capacity, storage, purchases less sales), as the
study does; the data centre's own cost is the same in both rules and left out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import yaml

import siting

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets" / "europe"
LOAD_MW = 100.0
PALETTES = {
    "p1": {"supply": ("onshore_wind", "solar"), "switch": {}},
    "p3": {
        "supply": ("onshore_wind", "solar", "advanced_geothermal", "allam_ccs", "advanced_nuclear"),
        "switch": {"hydrogen_cavern": True, "hydrogen_tank": False, "iron_air": True,
                   "advanced_geothermal": True, "allam_ccs": True, "advanced_nuclear": True},
    },
}  # fmt: skip
"""The study's palettes: clean supply options of the zone, and the technology switches
(batteries are on by default; annual runs build no storage)."""


def write_layers(zone: str, folder: Path, palette: str = "p1") -> dict[str, str]:
    """One zone, one 100 MW site (PUE 1, always on), the zone's supply of the palette [files]."""
    zones = gpd.read_file(DATA / "zones.gpkg")
    z = zones[zones["zone_id"] == zone].copy()
    z["baseline_it_mw"] = 0.0
    z.to_file(folder / "zones.gpkg", layer="zones", driver="GPKG")
    sites = pd.read_csv(DATA / "sites.csv")
    site = sites[sites["zone_id"] == zone].head(1).copy()
    site = site.assign(site_id="DC", existing_it_mw=0.0, max_it_mw=LOAD_MW, module_it_mw=LOAD_MW,
                       pue=1.0, capex_eur_per_mw_yr=0.0, fixed_eur_per_yr=0.0)  # fmt: skip
    site[["site_id", "name", "zone_id", "lat", "lon", "existing_it_mw", "max_it_mw",
          "module_it_mw", "pue", "capex_eur_per_mw_yr", "fixed_eur_per_yr"]].to_csv(
        folder / "sites.csv", index=False)  # fmt: skip
    re = pd.read_csv(DATA / "renewables.csv")
    re[(re["zone_id"] == zone) & re["tech"].isin(PALETTES[palette]["supply"])].to_csv(
        folder / "renewables.csv", index=False
    )
    shutil.copy(DATA / "weather_2015.csv.gz", folder / "weather_2015.csv.gz")
    return {"zones": "zones.gpkg", "sites": "sites.csv", "renewables": "renewables.csv",
            "weather": "weather_2015.csv.gz"}  # fmt: skip


def config(zone: str, layers: dict[str, str], matching: str, palette: str = "p1") -> dict[str, Any]:
    """A forced 100 MW site matched ``annual``ly or ``hourly`` at 100 % CFE (24/7 with the
    full-year guarantee: within 0.5 point of 100 % on every hour of 2015; one zone alone has
    no neighbour to lean on, and its last tenths of a point take many rounds)."""
    return {
        "name": f"fixed-{zone}-{matching}-{palette}",
        "layers": layers,
        "target": {"increase_pct": 0},
        "carbon": {
            "matching": matching,
            "cfe_target": 1.0,
            "scope": "new",
            **(
                {"guarantee": "full_year", "guarantee_tolerance": 0.005, "max_guarantee_rounds": 8}
                if matching == "hourly"
                else {}
            ),
        },
        "policy": {"max_country_share": None, "forced_sites": ["DC"]},
        "economics": {"utilisation": 1.0},
        "grid_connection": {"reinforcement_eur_per_mw_yr": 0.0},
        "storage": {"enabled": matching == "hourly", "linking": "chronological"},
        "solver": {"name": "highs", "mip_gap": 0.0, "threads": 1},
        "technologies": dict(PALETTES[palette]["switch"]),
    }


def case(zone: str, matching: str, out: Path, palette: str = "p1") -> dict[str, Any]:
    """Run one case; its energy cost per MWh of load and how the grid served it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        layers = write_layers(zone, folder, palette)
        cfg = config(zone, layers, matching, palette)
        (folder / "config.yaml").write_text(yaml.safe_dump(cfg))
        run = siting.run(folder / "config.yaml", out=out)
    s = run.summary
    load = float(s["annual_load_mwh"])
    costs = s["cost_breakdown_eur_per_yr"]
    return {
        "zone_id": zone,
        "matching": matching,
        "energy_eur_per_mwh": float(s["energy_cost_per_mwh_load_eur"]),
        "clean_eur_per_mwh": costs["clean_capacity"] / load,
        "storage_eur_per_mwh": costs["storage"] / load,
        "purchases_eur_per_mwh": costs["residual_grid"] / load,
        "sales_eur_per_mwh": costs["grid_sales"] / load,
        "bought_share": float(s["grid_purchase_mwh"]) / load,
        "sold_share": float(s["grid_sale_mwh"]) / load,
        "hourly_cfe": s.get("hourly_cfe_score"),
        "cfe_full_year": s.get("cfe_score_full_year"),
        "new_wind_mw": float(s["new_re_mw"].get("onshore_wind", 0.0)),
        "new_solar_mw": float(s["new_re_mw"].get("solar", 0.0)),
        **{f"new_{k}_mw": float(s["new_re_mw"].get(k, 0.0)) for k in PALETTES[palette]["supply"][2:]},
        "running_eur_per_mwh": costs.get("clean_running", 0.0) / load,
        "storage_mwh": float(s["storage_mwh"]),
        **{f"{k}_mwh": float(v["mwh"]) for k, v in s.get("storage_by_tech", {}).items()},
        "run": run.path.name,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--zones", nargs="+", default=["IE", "DE", "DK", "PL"])
    ap.add_argument("--palette", choices=sorted(PALETTES), default="p1")
    ap.add_argument("--out", type=Path, default=REPO / "studies" / "results")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    runs = Path(tempfile.mkdtemp(prefix="fixed-site-runs-"))
    rows = [case(z, m, runs, args.palette) for z in args.zones for m in ("annual", "hourly")]
    table = pd.DataFrame(rows)
    name = "fixed_site.csv" if args.palette == "p1" else f"fixed_site_{args.palette}.csv"
    table.round(4).to_csv(args.out / name, index=False)
    print(json.dumps(rows, indent=1, default=float))


if __name__ == "__main__":
    main()
