"""The grid-load layer: a whole year of hourly national load, per zone or country [MW].

A CSV (optionally gzipped): a first column of hour-start UTC timestamps (``utc_timestamp``)
and one column per zone or country, ``<key>_load_mw`` (``DE_load_mw``), every hour of one
or more whole years. A zone takes the column of its ``zone_id``, else of its ``country``.
The first year is used (a load shape, for every weather year); leap days are dropped as in
the weather layer (``docs/layers.md#grid_load``). Every problem names the file, the column
or row and the fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.base.errors import InputError, Problem
from siting.inputs.weather import HOURS, _hour_problems, _timestamps

SUFFIX = "_load_mw"
DOC = "see docs/layers.md#grid_load"


def _frame(path: Path) -> pd.DataFrame:
    """The file as text columns, or one problem saying why it cannot be read."""
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, EOFError,
            UnicodeDecodeError) as exc:  # fmt: skip
        raise InputError([Problem(str(path), f"cannot read ({exc})",
                                  f"give a UTF-8 CSV (or CSV.GZ) file; {DOC}")]) from None  # fmt: skip
    if df.empty or df.shape[1] < 2:
        raise InputError([Problem(str(path), "needs a timestamp column and load columns with "
                                  "every hour of a whole year", DOC)])  # fmt: skip
    return df


def _load_columns(df: pd.DataFrame, path: Path) -> tuple[list[str], list[Problem]]:
    """The ``<key>_load_mw`` columns, and one problem per other column or bad value."""
    problems, keys = [], []
    for col in df.columns[1:]:
        if not col.endswith(SUFFIX) or len(col) == len(SUFFIX):
            problems.append(Problem(f"{path.name}: column '{col}'", "is not a load column",
                                    f"name it <zone_id or country>{SUFFIX}, or remove it"))  # fmt: skip
            continue
        v = pd.to_numeric(df[col], errors="coerce")
        bad = np.flatnonzero((v.isna() | (v < 0)).to_numpy())
        if len(bad):
            problems.append(Problem(
                f"{path.name}: column {col}, row {bad[0] + 2}",
                f"{len(bad)} values are empty, not numbers or negative "
                f"(first: {df[col].iloc[bad[0]]!r})", "give the load in MW, >= 0"))  # fmt: skip
        keys.append(col)
    return keys, problems


def read_grid_load(path: Path) -> pd.DataFrame:
    """Read and check a grid-load file.

    Returns
    -------
    pandas.DataFrame
        8,760 rows (the first whole year, leap day dropped) by one column per key (zone id
        or country, the ``_load_mw`` suffix removed) [MW].

    Raises
    ------
    InputError
        With one problem per bad column, value or year.
    """
    df = _frame(path)
    stamps, problems = _timestamps(df.iloc[:, 0], path)
    keys, more = _load_columns(df, path)
    problems += more
    if stamps is not None:
        problems += _hour_problems(stamps, path)
    if not keys and not more:
        problems.append(Problem(str(path), "has no load columns",
                                f"add <zone_id or country>{SUFFIX} columns; {DOC}"))  # fmt: skip
    if problems:
        raise InputError(problems)
    assert stamps is not None
    values = df[keys].astype(float)
    values.columns = [k[: -len(SUFFIX)] for k in keys]
    values.index = stamps
    values = values[~((stamps.month == 2) & (stamps.day == 29))].sort_index()
    first = values[values.index.year == values.index.year.min()]
    assert len(first) == HOURS
    return first.reset_index(drop=True)


def zone_load(load: pd.DataFrame, zone_ids: list[str], country: list[str],
              mean_mw: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Each zone's hourly national load [MW], zones x 8,760: its own column, else its
    country's, scaled to the zone's mean national demand where given (``mean_mw``, NaN: as
    the file has it); rows of NaN where the file has neither."""
    out = np.full((len(zone_ids), HOURS), np.nan)
    for z, (zone, c) in enumerate(zip(zone_ids, country, strict=True)):
        key = zone if zone in load.columns else c if c in load.columns else None
        if key is None:
            continue
        series = load[key].to_numpy(float)
        want = np.nan if mean_mw is None else float(mean_mw[z])
        if np.isfinite(want) and want > 0 and series.mean() > 0:
            series = series * (want / series.mean())
        out[z] = series
    return out
