"""Generic checks of a layer's table: required columns, numbers, identifiers, locations.

Every problem found is collected (:class:`Collector`) and raised together, one message per
problem naming the file, the row and the column, with the fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.base.errors import InputError, Problem


class Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str, fix: str = "") -> None:
        self.problems.append(Problem(where, what, fix))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def where(name: str, path: Path, detail: str = "") -> str:
    return f"{path.name} (layers.{name}){': ' + detail if detail else ''}"


def row_label(df: pd.DataFrame, idx: object, id_col: str | None) -> str:
    # The index is the file's 0-based feature number (kept when rows are dropped); +2 gives
    # the CSV line, the header being line 1.
    line = int(idx) + 2 if isinstance(idx, int | np.integer) else idx
    if id_col and id_col in df.columns and pd.notna(df.at[idx, id_col]):
        return f"row {line} ({id_col}={df.at[idx, id_col]})"
    return f"row {line}"


def require_columns(df: pd.DataFrame, cols: list[str], name: str, path: Path, c: Collector) -> bool:
    missing = [col for col in cols if col not in df.columns]
    for col in missing:
        c.add(
            where(name, path),
            f"missing required column '{col}'",
            f"add a '{col}' column (see docs/layers.md#{name})",
        )
    return not missing


def numeric(
    df: pd.DataFrame,
    col: str,
    name: str,
    path: Path,
    c: Collector,
    id_col: str | None,
    *,
    default: float | None = None,
    lo: float | None = 0.0,
    hi: float | None = None,
    allow_nan: bool = False,
) -> None:
    """Coerce a column to float in place and report bad values by row."""
    if col not in df.columns:
        if default is not None:
            df[col] = float(default)
        elif allow_nan:
            df[col] = np.nan
        return
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    not_number = values.isna() & raw.notna()
    for idx in df.index[not_number]:
        c.add(
            where(name, path, row_label(df, idx, id_col)),
            f"'{col}' is not a number ({raw[idx]!r})",
            "enter a number",
        )
    if default is not None:
        values = values.fillna(default)
    elif not allow_nan:
        for idx in df.index[values.isna() & ~not_number]:
            c.add(where(name, path, row_label(df, idx, id_col)), f"'{col}' is empty", "fill it in")
    inf = np.isinf(values)
    for idx in df.index[inf]:
        c.add(
            where(name, path, row_label(df, idx, id_col)),
            f"'{col}' is infinite",
            "enter a finite number",
        )
    if lo is not None:
        for idx in df.index[(values < lo) & ~inf]:
            c.add(
                where(name, path, row_label(df, idx, id_col)),
                f"'{col}' = {values[idx]:g} is below {lo:g}",
                f"use a value >= {lo:g}",
            )
    if hi is not None:
        for idx in df.index[(values > hi) & ~inf]:
            c.add(
                where(name, path, row_label(df, idx, id_col)),
                f"'{col}' = {values[idx]:g} is above {hi:g}",
                f"use a value <= {hi:g}",
            )
    df[col] = values


def unique_ids(df: pd.DataFrame, col: str, name: str, path: Path, c: Collector) -> None:
    ids = df[col]
    for idx in df.index[ids.isna() | (ids.astype(str).str.strip() == "")]:
        c.add(
            where(name, path, row_label(df, idx, None)),
            f"'{col}' is empty",
            "give every row an ID",
        )
    df[col] = ids.astype(str).str.strip()
    dup = df[col][df[col].duplicated(keep=False) & ids.notna()]
    for value in sorted(set(dup)):
        rows = ", ".join(str(int(df.index.get_loc(i)) + 2) for i in dup.index[dup == value])
        c.add(where(name, path), f"duplicate {col} '{value}' (rows {rows})", "make IDs unique")
