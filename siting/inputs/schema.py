"""Layer schemas as data: one table per layer (``siting/data/layers/<layer>.csv``).

Each row is a column of the layer: its type, unit, whether it is required, its default,
its allowed range and what it means. The schemas drive the required-column checks, the
numeric checks and defaults (:func:`check_numbers`), the list of known column names (which
undoes Shapefile's 10-character truncation) and ``docs/layers.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from siting.inputs.checks import Collector, numeric

LAYERS: tuple[str, ...] = ("zones", "sites", "renewables", "links", "demand", "profiles", "rtt")
AREA_LAYERS: tuple[str, ...] = ("moratoria", "forbidden_areas", "forced_areas")
"""Policy polygon layers; they share the ``areas`` schema."""


@dataclass(frozen=True)
class Column:
    """One column of a layer.

    Attributes
    ----------
    name, type, unit, description
        Column name, ``string``/``float``/``integer``, unit (``-`` for none), meaning.
    required
        ``yes``, ``no``, or the config setting that makes it required (e.g. ``allocation``).
    default
        Value used where the column or a cell is empty: a number, or a word saying where the
        value comes from (``zone_id``, ``table``, ``geometry``); empty: none.
    minimum, maximum
        Allowed range (NaN: unbounded).
    """

    name: str
    type: str
    unit: str
    required: str
    default: str
    minimum: float
    maximum: float
    description: str

    @property
    def numeric_default(self) -> float | None:
        """The default as a number, or None when there is none or it is not a number."""
        try:
            return float(self.default) if self.default else None
        except ValueError:
            return None


@dataclass(frozen=True)
class LayerSchema:
    """The columns of one layer, in table order."""

    layer: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> list[str]:
        """Columns every file of this layer must have."""
        return [c.name for c in self.columns if c.required == "yes"]

    def __getitem__(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


@cache
def schema(layer: str) -> LayerSchema:
    """The schema of ``layer`` (the policy polygon layers share ``areas``)."""
    key = "areas" if layer in AREA_LAYERS else layer
    with resources.as_file(resources.files("siting") / "data" / "layers" / f"{key}.csv") as p:
        df = pd.read_csv(Path(p), dtype=str, keep_default_na=False)
    cols = tuple(
        Column(
            r["column"], r["type"], r["unit"], r["required"], r["default"],
            _float(r["min"]), _float(r["max"]), r["description"],
        )
        for _, r in df.iterrows()
    )  # fmt: skip
    return LayerSchema(key, cols)


def known_columns() -> tuple[str, ...]:
    """Every column name of every layer, for restoring truncated Shapefile names."""
    names: list[str] = []
    for layer in (*LAYERS, "areas"):
        names += [c.name for c in schema(layer).columns if c.name not in names]
    return tuple(names)


def check_numbers(
    df: pd.DataFrame,
    layer: str,
    path: Path,
    c: Collector,
    id_col: str | None,
    skip: tuple[str, ...] = (),
) -> None:
    """Coerce and check every number column of ``layer`` in place, filling its defaults.

    Required columns must hold a number in every row; optional ones with a numeric default
    get it where empty; other optional ones stay NaN where empty. Values outside the
    schema's range are reported by row. Columns in ``skip`` are checked by the caller.
    """
    for col in schema(layer).columns:
        if col.type not in ("float", "integer") or col.name in skip:
            continue
        default = col.numeric_default
        numeric(
            df, col.name, layer, path, c, id_col,
            default=default,
            lo=None if math.isnan(col.minimum) else col.minimum,
            hi=None if math.isnan(col.maximum) else col.maximum,
            allow_nan=col.required != "yes" and default is None,
        )  # fmt: skip
