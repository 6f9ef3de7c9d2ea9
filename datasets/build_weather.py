"""Derive the dataset's hourly weather source from the EMHIRES 2015 country series.

Writes ``datasets/sources/weather_emhires_2015.csv.gz``: one column ``<zone>_<tech>`` per
solar and onshore-wind series of the 30 zones, 8,760 hourly capacity factors of 2015
(UTC, hour-start timestamps), with the two documented gaps filled:

- MT is not in EMHIRES: Malta borrows Italy's solar and onshore-wind shapes.
- CY solar is an all-zero placeholder in the source: Cyprus borrows Greece's solar shape.

Values are otherwise the source's own (5 significant digits). Offshore wind has no series
here; the dataset build uses each country's onshore shape for it (an ASSUMPTION documented
in ``datasets/README.md``). The source file (JRC EMHIRES, EC reuse, commercial reuse
allowed with attribution) is read from the steering fact sheet's data folder:

    python datasets/build_weather.py --source ../shared/data/profiles/hourly_cf_2015.csv
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "sources" / "weather_emhires_2015.csv.gz"
FILLS = {"MT_solar": "IT_solar", "MT_onshore_wind": "IT_onshore_wind", "CY_solar": "GR_solar"}


def derive(source: Path) -> pd.DataFrame:
    """The 2015 hourly capacity factors per ``<zone>_<tech>`` with the gaps filled."""
    df = pd.read_csv(source, index_col=0)
    for col, donor in FILLS.items():
        df[col] = df[donor]
    return df[sorted(df.columns)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--source",
        type=Path,
        default=HERE.parents[1] / "shared" / "data" / "profiles" / "hourly_cf_2015.csv",
    )
    args = ap.parse_args()
    text = derive(args.source).to_csv(float_format="%.5g")
    # mtime 0: the same input gives the same bytes
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write(text.encode())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
