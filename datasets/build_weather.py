"""Derive the dataset's hourly weather: EMHIRES 2015 (default) and the optional ninja 2016 set.

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

With ``--ninja-2016 PATH`` it also writes the optional second weather year,
``datasets/weather-ninja/weather_2016.csv.gz``, from the renewables.ninja-derived 2016 series
(CC BY-NC 4.0: that folder only, never the default scenario; its README says why and how):
every variable supply option of ``datasets/europe/renewables.csv`` gets a column, at the
source's own levels; offshore wind has its own series for the ten countries that have one
and borrows the country's onshore shape elsewhere (as in 2015); the 2016 leap day stays in
the file (readers drop it).

    python datasets/build_weather.py --ninja-2016 ../shared/data/profiles/hourly_cf_2016_ninja.csv
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "sources" / "weather_emhires_2015.csv.gz"
NINJA_OUT = HERE / "weather-ninja" / "weather_2016.csv.gz"
VARIABLE = ("solar", "onshore_wind", "offshore_wind")
FILLS = {"MT_solar": "IT_solar", "MT_onshore_wind": "IT_onshore_wind", "CY_solar": "GR_solar"}


def derive(source: Path) -> pd.DataFrame:
    """The 2015 hourly capacity factors per ``<zone>_<tech>`` with the gaps filled."""
    df = pd.read_csv(source, index_col=0)
    for col, donor in FILLS.items():
        df[col] = df[donor]
    return df[sorted(df.columns)]


def derive_ninja(source: Path, renewables: Path) -> tuple[pd.DataFrame, list[str]]:
    """The 2016 hourly capacity factors of every variable option of the renewables layer,
    and the columns that borrow another series (``"<to> <- <from>"``)."""
    df = pd.read_csv(source, index_col=0)
    options = pd.read_csv(renewables)
    options = options[options["tech"].isin(VARIABLE)]
    out, borrowed = {}, []
    for zone, tech in zip(options["zone_id"], options["tech"], strict=True):
        col = f"{zone}_{tech}"
        src = col
        if col not in df.columns or not (df[col] > 0).any():
            # ASSUMPTION: no series (or an all-zero one: no fleet) borrows a shape, as in 2015
            src = f"{zone}_onshore_wind" if tech == "offshore_wind" else FILLS.get(col, col)
            borrowed.append(f"{col} <- {src}")
        out[col] = df[src].clip(0.0, 1.0)
    return pd.DataFrame(out, index=df.index)[sorted(out)], borrowed


def write_gz(df: pd.DataFrame, path: Path, float_format: str = "%.5g") -> None:
    """Gzipped CSV; mtime 0: the same input gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(df.to_csv(float_format=float_format).encode())
    print(f"wrote {path}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--source",
        type=Path,
        default=HERE.parents[1] / "shared" / "data" / "profiles" / "hourly_cf_2015.csv",
    )
    ap.add_argument("--ninja-2016", type=Path, default=None,
                    help="also derive the optional 2016 set from this renewables.ninja file")  # fmt: skip
    args = ap.parse_args()
    if args.ninja_2016 is None:
        write_gz(derive(args.source), OUT)
        return
    df, borrowed = derive_ninja(args.ninja_2016, HERE / "europe" / "renewables.csv")
    write_gz(df, NINJA_OUT)
    print("borrowed shapes: " + ", ".join(borrowed))


if __name__ == "__main__":
    main()
