"""Build ``datasets/southwest/``: three zones of the European dataset on their own (Spain,
Portugal, France), small enough to plan over every hour of the year here.

Usage (from the repository root, after ``build_europe.py``)::

    python datasets/build_subset.py

The subset is the reduced instance on which the exact whole-year optimum is solved and the
full-year guarantee's plans are compared with it (``docs/model.md#whole-year``,
``benchmarks/whole_year.py``). Every row is the European dataset's own, unchanged: the three
zones, their candidate sites, their clean options, the links between them (the Pyrenees and
the Spanish-Portuguese border; links to the rest of Europe are dropped, so the three trade
only among themselves) and their columns of the 2015 weather. Nothing is added by hand; the
output is byte for byte the committed variant (``tests/test_dataset.py``).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
from build_europe import GPKG_DATE

ZONES = ("ES", "FR", "PT")
"""The subset: Iberia and France, linked by the Pyrenees interconnectors (TYNDP2020_SCEN)."""


def subset(base: Path, out: Path, zones: tuple[str, ...] = ZONES) -> None:
    """Write every layer of ``base`` restricted to ``zones`` into ``out``."""
    out.mkdir(exist_ok=True)
    keep = set(zones)
    z = gpd.read_file(base / "zones.gpkg", layer="zones", engine="pyogrio")
    links = gpd.read_file(base / "links.gpkg", layer="links", engine="pyogrio")
    links = links[links["from_zone"].isin(keep) & links["to_zone"].isin(keep)]
    for name in ("zones.gpkg", "links.gpkg"):
        (out / name).unlink(missing_ok=True)
    z[z["zone_id"].isin(keep)].to_file(out / "zones.gpkg", layer="zones", driver="GPKG",
                                       engine="pyogrio")  # fmt: skip
    links.to_file(out / "links.gpkg", layer="links", driver="GPKG", engine="pyogrio")
    for name in ("sites.csv", "renewables.csv"):
        table = pd.read_csv(base / name, dtype=str, keep_default_na=False)
        table[table["zone_id"].isin(keep)].to_csv(out / name, index=False)
    with gzip.open(base / "weather_2015.csv.gz", "rt") as f:
        lines = f.read().splitlines()
    head = lines[0].split(",")
    cols = [0] + [i for i, c in enumerate(head) if c.split("_", 1)[0] in keep]
    text = "\n".join(",".join(row[i] for i in cols) for row in (ln.split(",") for ln in lines))
    with gzip.GzipFile(out / "weather_2015.csv.gz", "wb", mtime=0) as f:
        f.write((text + "\n").encode())  # mtime 0: the same input gives the same bytes


def main() -> None:
    here = Path(__file__).resolve().parent
    os.environ.setdefault("OGR_CURRENT_DATE", GPKG_DATE)
    subset(here / "europe", here / "southwest")
    print(f"zones: {', '.join(ZONES)}; wrote {here / 'southwest'}")


if __name__ == "__main__":
    main()
