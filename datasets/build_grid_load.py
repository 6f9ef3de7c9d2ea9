"""Derive the grid-load layer: hourly national load per country, 2016 (Dispa-SET / ENTSO-E).

Writes ``datasets/sources/grid_load_2016.csv.gz`` (``build_europe.py`` copies it into
``datasets/europe/``): ``utc_timestamp`` and one column
``<ISO2>_load_mw`` per country of the dataset, the 8,784 hours of 2016 (leap year; readers
drop 29 February) rounded to whole MW. It tells interruptible data-centre load when each
zone's grid is stressed (``layers.grid_load``, ``docs/layers.md#grid-load``); a zone takes
its country's column, scaled to the zone's ``national_load_mw``. Two gaps are filled, as the
weather build fills its own (ASSUMPTION, ``datasets/README.md``):

- CY is not in the source: Cyprus borrows Greece's load shape.
- MT is not in the source: Malta borrows Italy's.

The source (Dispa-SET EU database, ``TotalLoadValue/<CC>/1h/2016.csv``, EUPL-1.2, which
allows commercial reuse; attribute to Dispa-SET/JRC and ENTSO-E) is read from the steering
fact sheet's data folder, source key ``DISPASET_LOAD_2016``:

    python datasets/build_grid_load.py --source ../shared/data/profiles/hourly_load_2016.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from build_weather import write_gz

HERE = Path(__file__).resolve().parent
OUT = HERE / "sources" / "grid_load_2016.csv.gz"
FILLS = {"CY_load_mw": "GR_load_mw", "MT_load_mw": "IT_load_mw"}


def derive(source: Path) -> pd.DataFrame:
    """The 2016 hourly load per ``<ISO2>_load_mw`` [MW], gaps filled, whole MW."""
    df = pd.read_csv(source, index_col=0)
    for col, donor in FILLS.items():
        if col not in df.columns:
            df[col] = df[donor]
    return df[sorted(df.columns)].round(0)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--source",
        type=Path,
        default=HERE.parents[1] / "shared" / "data" / "profiles" / "hourly_load_2016.csv",
    )
    write_gz(derive(ap.parse_args().source), OUT, float_format="%.0f")


if __name__ == "__main__":
    main()
