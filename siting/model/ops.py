"""The vocabulary components write their physics in, once for every time scale.

A component (supply, links, storage, ...) describes its hourly operation to an :class:`Ops`:
the sizes it depends on, tables of operating columns over (item, slice), rows among them, and
its terms in the shared zone x slice balance. Two builders implement :class:`Ops`:

- the planning model (:class:`siting.model.core.Builder`): sizes are PuLP columns with costs,
  a column bounded by a size gets a row ``x - size <= 0``, slices are representative hours;
- the full-year check (:class:`siting.model.arrays.ArrayBuilder`): sizes are the plan's fixed
  numbers, so a size term moves to the right-hand side and a bound by a size becomes the
  column's upper bound; slices are the year's 8,760 hours (or a window of them).

This is PyPSA's "the same model re-solved on other snapshots with capacities fixed", with the
large LP handed to HiGHS as arrays. Row families and column families are the registry's
(:mod:`siting.model.registry`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Index = tuple[int | str, ...]


@dataclass(frozen=True)
class Horizon:
    """The time structure a model is built on.

    Attributes
    ----------
    weights
        Hours each slice stands for [h] (representative hours: days per period; the full
        year: 1).
    period
        The period of every slice [-]; storage is cyclic within a period unless ``linked``.
    cf
        Capacity factor of every clean option in every slice [-], options x slices.
    day_period
        With chronologically linked storage: the period standing for each calendar day; None:
        each period is cyclic on its own.
    window
        A window of hours cut out of a longer horizon: storage starts from a free state of
        charge (a column) and ends free (the full-year check's warm start).
    residual
        The objective: residual grid energy [MWh] (the full-year check) rather than
        annualised cost [EUR/yr].
    duration
        Hours of its period each slice covers [h] (segmented representative days); None: an
        hour each. Flows are in MW over the slice; a store's state changes by flow x duration.
    day
        The day of every slice [-]: flexible load conserves its energy over each day
        (representative days: the period; a year or a window of it: ``hour // 24``); None:
        no days (annual slices), and no load moves in time.
    headroom
        The grid's headroom below its peak per zone and slice [MW], zones x slices: where
        interruptible load is curtailed (:mod:`siting.model.interruptible`); None: none.
    """

    weights: FloatArray
    period: IntArray
    cf: FloatArray
    day_period: IntArray | None = None
    window: bool = False
    residual: bool = False
    duration: FloatArray | None = None
    day: IntArray | None = None
    headroom: FloatArray | None = None

    @property
    def n_t(self) -> int:
        """Number of slices [-]."""
        return len(self.weights)

    @property
    def hours(self) -> float:
        """Hours the horizon stands for [h]."""
        return float(self.weights.sum())


@dataclass(frozen=True)
class Sizes:
    """A size decision per item (a zone's store energy, an option's new capacity, ...).

    ``family``/``head``: its column family and index head; ``cells``: the backend's handle
    (PuLP columns, None where an item has none; or the plan's fixed values [unit]).
    """

    family: str
    head: Index
    cells: Any

    def __len__(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class Table:
    """Operating columns of one family over (item, slice), e.g. a store's charging [MW].

    ``items``: the item positions the table has (a backend may leave out items that cannot
    operate, such as a store of zero size in a fixed plan); ``cells``: the backend's handle.
    """

    family: str
    head: Index
    items: IntArray
    cells: Any
    n_t: int
    """Columns per item: the horizon's slices, or 1 (``once``)."""


def per_item_slice(coef: FloatArray | float, n_items: int, n_t: int) -> FloatArray:
    """A coefficient given for all, per item or per item and slice, as items x slices."""
    c = np.asarray(coef, float)
    if c.ndim == 0:
        return np.full((n_items, n_t), float(c))
    if c.ndim == 1:
        return np.broadcast_to(c[:, None], (n_items, n_t))
    return c


Term = tuple[Table | Sizes, IntArray, FloatArray | float]
"""One entry per row: (columns, position of the column in each row (``slot x n_t + t`` for a
table, ``slot`` being the item's place in ``items``; the item for sizes; -1: no entry in that
row), coefficient)."""


def per_zone_terms(members: list[IntArray], cells: Sizes, coef: FloatArray) -> list[Term]:
    """Terms of rows indexed by zone: ``coef[i] x cells[i]`` for every member ``i`` of each
    zone's row (sites in a zone, say; shared by the rows that tie a zone's sizes to its
    sites)."""
    terms: list[Term] = []
    for j in range(max((len(m) for m in members), default=0)):
        pos = np.array([m[j] if j < len(m) else -1 for m in members], np.int64)
        terms.append((cells, pos, np.where(pos >= 0, coef[np.maximum(pos, 0)], 0.0)))
    return terms


class Ops(Protocol):
    """What a component may ask of a model builder (see the module docstring)."""

    horizon: Horizon
    part: str
    """The component being added (names its terms in the balance, for reading them back)."""

    def sizes(
        self,
        family: str,
        head: Index,
        n: int,
        up: list[float | None] | None = None,
        cost: list[float] | None = None,
        skip: list[bool] | None = None,
    ) -> Sizes:
        """A size per item [unit], ``0 <= size <= up`` costing ``cost`` per unit [EUR/yr];
        ``skip``: items without a column (a size of zero)."""
        ...

    def table(
        self,
        family: str,
        head: Index,
        items: IntArray,
        low: float | None = 0.0,
        up: FloatArray | None = None,
        bound: tuple[Sizes, str] | None = None,
        cost: FloatArray | None = None,
        residual: bool | NDArray[np.bool_] = False,
        once: bool = False,
    ) -> Table:
        """Operating columns per item and slice: ``low <= x[i, t] <= up[i]`` (or
        ``up[i, t]``) and, with
        ``bound = (sizes, row family)``, ``x[i, t] <= sizes[i]``. ``cost``: per item (or per
        item and slice) [EUR/MWh], times the slice's weight; ``residual``: the column is
        residual energy (the full-year check's objective), for all items or per item (an
        array over all items); ``once``: one column per item,
        not per slice (a window's starting state)."""
        ...

    def block(
        self,
        family: str,
        index: list[IntArray | int],
        sense: int,
        terms: list[Term],
        rhs: FloatArray | float = 0.0,
        daily: bool = False,
    ) -> None:
        """Rows ``sum(terms) <sense> rhs``, one per entry of the ``index`` arrays (scalars
        broadcast); ``sense``: PuLP's -1 (<=), 0 (=), 1 (>=). ``daily``: one row per item and
        day of the horizon, item-major (the full-year check's warm start cuts them by day)."""
        ...

    def feed(
        self,
        cells: Table | Sizes,
        zone: IntArray,
        coef: FloatArray | float,
        items: IntArray | None = None,
    ) -> None:
        """Terms in the balance of each item's ``zone`` and every slice: ``coef`` per item (or
        per item and slice) x the table's column, or x the size [MW]. ``zone`` and ``coef`` run
        over a table's items or over all sizes; ``items``: only these sizes feed."""
        ...

    def operable(self, items: IntArray, *limits: Sizes | FloatArray) -> IntArray:
        """The ``items`` that may operate: in the planning model those with a column in every
        size of ``limits``; in a fixed plan, those where every limit is positive."""
        ...
