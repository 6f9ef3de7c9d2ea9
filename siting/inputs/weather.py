"""Full-year hourly weather: capacity factors per zone and technology for whole years.

A weather file is a CSV (optionally gzipped): a first column of hour-start UTC timestamps
(``utc_timestamp``) and one column per zone and technology, named ``<zone_id>_<tech>``
(``DE_onshore_wind``), with capacity factors in [0, 1]. It may hold several whole years.
Leap days are dropped so that every year has the model's 8,760 hours (documented in
``docs/layers.md#weather``). Every problem is reported with the file, the row and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from siting.base.errors import InputError, Problem

HOURS = 8760
MAX_LISTED = 5


@dataclass(frozen=True)
class WeatherYear:
    """One whole year of hourly capacity factors.

    Attributes
    ----------
    year
        Calendar year of the hours (UTC).
    source
        The file it came from.
    cf
        8,760 rows (hour-start UTC timestamps, leap day dropped) by columns
        ``(zone_id, tech)`` [-].
    """

    year: int
    source: Path
    cf: pd.DataFrame

    def series(self, zone: str, tech: str) -> np.ndarray | None:
        """The year's hourly capacity factors of one option, or None when not given."""
        key = (zone, tech)
        return self.cf[key].to_numpy(float) if key in self.cf.columns else None


def _columns(
    names: list[str], techs: list[str], path: Path
) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
    """``<zone>_<tech>`` column names split on the longest known technology suffix."""
    out: dict[str, tuple[str, str]] = {}
    problems = []
    for name in names:
        match = [t for t in techs if name.endswith("_" + t) and len(name) > len(t) + 1]
        if not match:
            problems.append(
                Problem(
                    f"{path.name}: column '{name}'",
                    "is not <zone_id>_<tech> for a known technology",
                    f"name it like DE_onshore_wind (technologies: {', '.join(techs)})",
                )
            )
            continue
        tech = max(match, key=len)
        out[name] = (name[: -len(tech) - 1], tech)
    return out, problems


def _timestamps(raw: pd.Series, path: Path) -> tuple[pd.DatetimeIndex | None, list[Problem]]:
    stamps = pd.to_datetime(raw, utc=True, errors="coerce")
    bad = np.flatnonzero(stamps.isna().to_numpy())
    if len(bad):
        rows = ", ".join(str(i + 2) for i in bad[:MAX_LISTED])
        return None, [
            Problem(
                f"{path.name}: row{'s' if len(bad) > 1 else ''} {rows}"
                + (" ..." if len(bad) > MAX_LISTED else ""),
                f"{len(bad)} timestamps cannot be read",
                "give ISO 8601 UTC hour starts, e.g. 2015-01-01T00:00:00Z",
            )
        ]
    return pd.DatetimeIndex(stamps), []


def _hour_problems(stamps: pd.DatetimeIndex, path: Path) -> list[Problem]:
    """Duplicate hours, hours off the hour, and years that are not whole."""
    out = []
    dup = np.flatnonzero(stamps.duplicated())
    if len(dup):
        rows = ", ".join(f"{i + 2} ({stamps[i]:%Y-%m-%dT%H:%MZ})" for i in dup[:MAX_LISTED])
        word = "row" if len(dup) == 1 else "rows"
        out.append(Problem(f"{path.name}: {word} {rows}", f"{len(dup)} duplicate timestamps",
                           "keep one row per hour"))  # fmt: skip
    off = np.flatnonzero((stamps.minute != 0) | (stamps.second != 0))
    if len(off):
        out.append(Problem(f"{path.name}: row {off[0] + 2}", "timestamp not on the hour",
                           "give hour-start timestamps"))  # fmt: skip
    for year in sorted(set(stamps.year)):
        want = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h", tz="UTC")
        have = stamps[stamps.year == year].unique()
        missing = want.difference(have)
        if len(missing):
            shown = ", ".join(f"{m:%Y-%m-%dT%H:%MZ}" for m in missing[:MAX_LISTED])
            out.append(
                Problem(
                    f"{path.name}: year {year}",
                    f"{len(missing)} of {len(want)} hours are missing (first: {shown})",
                    "give every hour of each year (whole years only)",
                )
            )
    return out


def _value_problems(values: pd.DataFrame, path: Path) -> list[Problem]:
    out = []
    for col in values.columns:
        v = pd.to_numeric(values[col], errors="coerce")
        bad = np.flatnonzero((v.isna() | (v < 0) | (v > 1)).to_numpy())
        if len(bad):
            i = bad[0]
            out.append(
                Problem(
                    f"{path.name}: column {col}, row {i + 2}",
                    f"{len(bad)} values are empty, not numbers or outside [0, 1] "
                    f"(first: {values[col].iloc[i]!r})",
                    "give capacity factors between 0 and 1",
                )
            )
    return out


def scale_to_mean(shape: np.ndarray, target: float) -> np.ndarray:
    """Hourly capacity factors scaled once, over the whole year, to an annual mean.

    Finds the factor ``k`` with ``mean(clip(k x shape, 0, 1)) = target`` (bisection: the mean
    grows with ``k``), so clipping at 1 in the best hours is made up by the others. A series
    of zeros stays zero; a target above what the series can reach gives 1 in every hour it
    is not zero.
    """
    cf = np.clip(np.asarray(shape, float), 0.0, 1.0)
    mean = cf.mean()
    if not np.isfinite(target) or mean <= 0 or abs(mean - target) < 1e-15:
        return cf
    lo, hi = 0.0, target / mean
    while np.clip(cf * hi, 0.0, 1.0).mean() < target and hi < 1e9:
        hi *= 2.0
    for _ in range(100):
        k = 0.5 * (lo + hi)
        if np.clip(cf * k, 0.0, 1.0).mean() < target:
            lo = k
        else:
            hi = k
    return np.clip(cf * hi, 0.0, 1.0)


def read_weather(path: Path, techs: list[str]) -> list[WeatherYear]:
    """Read and check one weather file; one :class:`WeatherYear` per calendar year in it.

    Parameters
    ----------
    path
        CSV or CSV.GZ file.
    techs
        Technology ids the columns may end in.

    Raises
    ------
    InputError
        With one problem per bad column, row range or year.
    """
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise InputError([Problem(str(path), "is empty", "give a header and every hour of "
                                  "whole years (see docs/layers.md#weather)")]) from None  # fmt: skip
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                                  "save it as UTF-8 CSV, or gzip a UTF-8 CSV")]) from None  # fmt: skip
    except (OSError, pd.errors.ParserError, EOFError) as exc:
        raise InputError([Problem(str(path), f"cannot read ({exc})", "give a CSV file")]) from None
    if df.empty:
        raise InputError([Problem(str(path), "has a header but no hours",
                                  "give every hour of whole years (8,760 rows a year)")])  # fmt: skip
    if df.shape[1] < 2:
        raise InputError([Problem(str(path), "needs a timestamp column and capacity-factor columns",
                                  "see docs/layers.md#weather")])  # fmt: skip
    stamps, problems = _timestamps(df.iloc[:, 0], path)
    names, more = _columns(list(df.columns[1:]), techs, path)
    problems += more + _value_problems(df[list(names)], path)
    if stamps is not None:
        problems += _hour_problems(stamps, path)
    if problems:
        raise InputError(problems)
    assert stamps is not None
    values = df[list(names)].astype(float)
    values.columns = pd.MultiIndex.from_tuples([names[c] for c in names], names=["zone_id", "tech"])
    values.index = stamps
    values = values[~((stamps.month == 2) & (stamps.day == 29))].sort_index()
    return [WeatherYear(int(y), path, g) for y, g in values.groupby(values.index.year)]


def check_coverage(
    years: list[WeatherYear], options: list[tuple[str, str]], variable: set[str]
) -> list[Problem]:
    """Every variable supply option needs a column in every year (firm ones may run flat)."""
    out = []
    for wy in years:
        missing = [f"{z}_{k}" for z, k in options if k in variable and (z, k) not in wy.cf.columns]
        if missing:
            shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
            out.append(
                Problem(
                    f"{wy.source.name}: year {wy.year}",
                    f"no column for {len(missing)} supply options of the renewables layer ({shown})",
                    "add their columns, or remove those options",
                )
            )
    return out
