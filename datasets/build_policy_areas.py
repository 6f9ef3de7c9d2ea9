"""Build ``datasets/europe/moratoria.gpkg``: areas where new data centres may not connect.

Two documented cases (``datasets/sources/SOURCES.md``):

- Greater Dublin: EirGrid offers no new data-centre connection agreements in greater Dublin
  until 2028 at the earliest (EIRGRID_2021; Ember: de facto moratorium to 2028).
- Amsterdam and Haarlemmermeer: growth capped at about 670 and 750 MVA until 2030, new data
  centres held to PUE 1.2 (blueprint.md, section 4, quoting cloud7.news). The policy scenario
  treats the cap as fully taken, i.e. as a moratorium until 2030.

The outlines are **ASSUMPTIONS**: discs around the city centres (greater Dublin, i.e. Dublin
with Kildare, Meath and Wicklow: 40 km; Amsterdam with Haarlemmermeer: 25 km), drawn in
EPSG:3035 and stored in EPSG:4326. Run from the repository root:

    python datasets/build_policy_areas.py
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "europe" / "moratoria.gpkg"

AREAS = [
    # site whose coordinates centre the area, name, radius [km], until_year, basis, sources
    (
        "IE-DUBLIN",
        "Greater Dublin",
        40.0,
        2028,
        "no new data-centre grid connection agreements until 2028 at the earliest",
        "EIRGRID_2021;EMBER_GRIDS_DC_2025",
    ),
    (
        "NL-AMSTERDAM",
        "Amsterdam and Haarlemmermeer",
        25.0,
        2030,
        "data-centre growth capped (~670 and ~750 MVA) until 2030; treated as a moratorium",
        "blueprint.md (cloud7.news)",
    ),
]


def build() -> gpd.GeoDataFrame:
    """The moratorium polygons with their ``name``, ``until_year``, ``radius_km`` and sources."""
    sites = pd.read_csv(HERE / "europe" / "sites.csv").set_index("site_id")
    rows, geoms = [], []
    pts = gpd.GeoSeries(
        gpd.points_from_xy(sites["lon"], sites["lat"]), index=sites.index, crs="EPSG:4326"
    ).to_crs("EPSG:3035")
    for site, name, radius_km, until, basis, sources in AREAS:
        geoms.append(pts[site].buffer(radius_km * 1000.0, quad_segs=32))
        rows.append(
            {
                "name": name,
                "until_year": until,
                "radius_km": radius_km,
                "centre_site": site,
                "basis": basis,
                "outline": "ASSUMPTION: disc around the city centre",
                "sources": sources,
            }
        )
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:3035").to_crs("EPSG:4326")


if __name__ == "__main__":
    gdf = build()
    os.environ.setdefault("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z")  # byte-stable file
    OUT.unlink(missing_ok=True)
    gdf.to_file(OUT, layer="moratoria", driver="GPKG", engine="pyogrio")
    print(f"wrote {OUT.relative_to(HERE.parent)}: {len(gdf)} areas")
