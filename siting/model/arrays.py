"""The components' operation as arrays, sizes fixed: the full-year check's LP for HiGHS.

:class:`ArrayBuilder` implements :class:`siting.model.ops.Ops` with a plan's sizes as numbers:
a size term moves to the right-hand side, a bound by a size becomes the column's upper bound,
and items that cannot operate (a store of zero size, a link with no usable capacity) get no
columns. The balance of every zone and slice comes first among the rows. The result,
:class:`MatrixBlocks`, is a column-wise matrix with the position of every table and row block,
which the warm start (:mod:`siting.fullyear.dispatch`) and the duals (:meth:`MatrixBlocks.gradient`)
read. Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from siting.model.ops import (
    FloatArray,
    Horizon,
    Index,
    IntArray,
    Sizes,
    Table,
    Term,
    per_item_slice,
)

SizeKey = tuple[str, Index]
"""A size by column family and index head, e.g. ``("se", (0,))``: store 0's energy."""

_TINY = 1e-9
"""Sizes at most this are none [unit]."""


@dataclass(frozen=True)
class Span:
    """Positions of one table's columns or one block's rows: ``n_items x n_t`` from ``start``."""

    family: str
    head: Index
    start: int
    n_items: int
    n_t: int
    items: IntArray | None = None
    """A table's item positions (None for a row block)."""
    daily: bool = False
    """A row block of one row per item and day (``n_t``: the days)."""

    @property
    def stop(self) -> int:
        return self.start + self.n_items * self.n_t

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)


@dataclass
class _Columns:
    cost: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    count: int = 0


class ArrayBuilder:
    """Collects the operation of every component with the sizes of a plan fixed.

    Parameters
    ----------
    horizon
        The hours to dispatch (see :class:`~siting.model.ops.Horizon`).
    n_zones
        Zones of the balance.
    base_load
        Load per zone that no size carries (existing data centres) [MW].
    sizes
        The plan: each size by :data:`SizeKey` [unit]; a key missing is zero everywhere.
    """

    def __init__(
        self,
        horizon: Horizon,
        n_zones: int,
        base_load: FloatArray,
        sizes: dict[SizeKey, FloatArray],
    ) -> None:
        self.horizon = horizon
        self.part = ""
        self.n_zones = n_zones
        self.plan = sizes
        n_bal = n_zones * horizon.n_t
        self._cols = _Columns()
        self._entries: list[tuple[IntArray, IntArray, FloatArray]] = []  # (col, row, value)
        # the balance's right-hand side as load - supply, each summed apart in feed order:
        # the number the check's own builder computed (load - clean), bit for bit
        self._load = np.repeat(np.asarray(base_load, float), horizon.n_t)
        self._supply = np.zeros(n_bal)
        self._row_lo: list[FloatArray] = [self._load]
        self._row_up: list[FloatArray] = [np.full(n_bal, np.inf)]
        self.n_rows = n_bal
        self.tables: list[Span] = []
        self.blocks: list[Span] = [Span("bal", (), 0, n_zones, horizon.n_t)]
        self._bounded: list[tuple[SizeKey, IntArray, Span]] = []  # (size, items, columns)
        self._moved: list[tuple[SizeKey, IntArray, IntArray, FloatArray]] = []  # rows moved
        self._size_len: dict[SizeKey, int] = {}

    # -- Ops --------------------------------------------------------------------------------

    def sizes(
        self,
        family: str,
        head: Index,
        n: int,
        up: list[float | None] | None = None,
        cost: list[float] | None = None,
        skip: list[bool] | None = None,
    ) -> Sizes:
        """The plan's values of this size (zero where ``skip`` or where the plan has none)."""
        del up, cost
        self._size_len[(family, head)] = n
        values = np.asarray(self.plan.get((family, head), np.zeros(n)), float).copy()
        if skip is not None:
            values[np.asarray(skip, bool)] = 0.0
        return Sizes(family, head, values)

    def operable(self, items: IntArray, *limits: Sizes | FloatArray) -> IntArray:
        """The items whose every limit is positive: a zero store gets no columns."""
        keep = np.ones(len(items), bool)
        for lim in limits:
            values = lim.cells if isinstance(lim, Sizes) else lim
            keep &= np.asarray(values, float)[items] > _TINY
        return items[keep]

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
        """Columns with their bounds (a size's value where bounded by one) and cost: the
        residual grid's energy when the horizon counts residual (``residual`` per item where
        an array over all items), else ``cost x weight``."""
        n_t = 1 if once else self.horizon.n_t
        k = len(items)
        span = Span(family, head, self._cols.count, k, n_t, np.asarray(items))
        hi = np.full((k, n_t), np.inf)
        if up is not None:
            given = np.asarray(up, float)[items]
            hi = np.broadcast_to(given if given.ndim == 2 else given[:, None], (k, n_t))
        if bound is not None:
            size = bound[0]
            hi = np.minimum(hi, np.asarray(size.cells, float)[items][:, None])
            self._size_len.setdefault((size.family, size.head), len(size.cells))
            self._bounded.append(((size.family, size.head), items, span))
        price = np.zeros((k, n_t))
        if self.horizon.residual:
            counted = np.asarray(residual, bool)
            rows = counted[items] if counted.ndim else np.full(k, bool(counted))
            price[rows] = self.horizon.weights[:n_t]
        elif cost is not None:
            price[:] = per_item_slice(cost, k, n_t) * self.horizon.weights[:n_t]
        self._cols.cost.append(price.ravel())
        self._cols.lower.append(np.full(k * n_t, -np.inf if low is None else low))
        self._cols.upper.append(np.ascontiguousarray(hi).ravel())
        self._cols.count += k * n_t
        self.tables.append(span)
        return Table(family, head, items, span, n_t)

    def block(
        self,
        family: str,
        index: list[IntArray | int],
        sense: int,
        terms: list[Term],
        rhs: FloatArray | float = 0.0,
        daily: bool = False,
    ) -> None:
        """Rows after the balance; size terms move to the right-hand side. A block of size
        terms only (``dur``: energy = duration x power) is a condition on the plan, not on
        its operation, and adds no row. ``daily``: item-major rows per day."""
        n = max((len(i) for i in index if not isinstance(i, int)), default=1)
        if not any(isinstance(cells, Table) for cells, _, _ in terms):
            return  # only sizes: a condition on the plan, not on its operation
        rows = self.n_rows + np.arange(n)
        right = np.broadcast_to(np.asarray(rhs, float), (n,)).copy()
        for cells, pos, coef in terms:
            c = np.broadcast_to(np.asarray(coef, float), (n,))
            has = pos >= 0
            if isinstance(cells, Table):
                self._entries.append((cells.cells.start + pos[has], rows[has], c[has]))
            else:
                self._move(cells, pos[has], rows[has], c[has], right, self.n_rows)
        self._row_lo.append(right if sense >= 0 else np.full(n, -np.inf))
        self._row_up.append(right.copy() if sense <= 0 else np.full(n, np.inf))
        n_t = self.horizon.n_t
        if daily:
            assert self.horizon.day is not None
            n_days = len(np.unique(self.horizon.day))
            self.blocks.append(Span(family, (), self.n_rows, n // n_days, n_days, daily=True))
        else:
            hourly = n >= n_t and n % n_t == 0  # item-major rows per slice, as tables are
            self.blocks.append(Span(family, (), self.n_rows, n // n_t if hourly else n,
                                    n_t if hourly else 1))  # fmt: skip
        self.n_rows += n

    def feed(
        self,
        cells: Table | Sizes,
        zone: IntArray,
        coef: FloatArray | float,
        items: IntArray | None = None,
    ) -> None:
        """Balance entries of a table's columns, or a size's terms moved to the balance's
        right-hand side (loads and supply summed apart)."""
        n_t = self.horizon.n_t
        t = np.arange(n_t)
        if isinstance(cells, Table):
            k = len(cells.items)
            c = per_item_slice(coef, k, n_t)
            rows = (np.asarray(zone)[:, None] * n_t + t).ravel()
            cols = cells.cells.start + np.arange(k * n_t)
            self._entries.append((cols, rows, c.ravel()))
            return
        k = len(cells.cells)
        c = per_item_slice(coef, k, n_t)
        chosen = np.arange(k) if items is None else np.asarray(items)
        rows = (np.asarray(zone)[chosen][:, None] * n_t + t).ravel()
        items = np.repeat(chosen, n_t)
        coef = c[chosen].ravel()
        loads = coef < 0
        self._move(cells, items[loads], rows[loads], coef[loads], self._load, 0)
        supply = np.zeros(n_t * self.n_zones)
        self._move(cells, items[~loads], rows[~loads], coef[~loads], supply, 0)
        self._supply -= supply  # ``_move`` subtracts; the supply is counted positive

    # -- helpers ------------------------------------------------------------------------------

    def _move(
        self, size: Sizes, items: IntArray, rows: IntArray, coef: FloatArray, rhs: FloatArray,
        first: int,
    ) -> None:  # fmt: skip
        """``coef x size`` from the left-hand side of ``rows`` to their right-hand side."""
        self._size_len.setdefault((size.family, size.head), len(size.cells))
        values = np.asarray(size.cells, float)[items]
        np.subtract.at(rhs, rows - first, coef * values)
        self._moved.append(((size.family, size.head), items, rows, coef))

    def finish(self) -> MatrixBlocks:
        """The column-wise matrix and its block positions."""
        none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))  # a matrix may be empty
        cols = np.concatenate([none[0], *(e[0] for e in self._entries)]).astype(np.int64)
        rows = np.concatenate([none[1], *(e[1] for e in self._entries)]).astype(np.int64)
        vals = np.concatenate([none[2], *(e[2] for e in self._entries)]).astype(float)
        keep = vals != 0
        cols, rows, vals = cols[keep], rows[keep], vals[keep]
        # column by column, each column's entries in the order the components made them
        order = np.argsort(cols, kind="stable")
        n_cols = self._cols.count
        start = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=n_cols))])
        row_lo = np.concatenate([self._load - self._supply, *self._row_lo[1:]])
        row_up = np.concatenate(self._row_up)
        return MatrixBlocks(
            np.concatenate(self._cols.cost), np.concatenate(self._cols.lower),
            np.concatenate(self._cols.upper), row_lo, row_up, start.astype(np.int32),
            rows[order].astype(np.int32), vals[order], self.horizon.n_t, self.tables,
            self.blocks, self._bounded, self._moved, self._size_len,
        )  # fmt: skip


@dataclass(frozen=True)
class MatrixBlocks:
    """An LP as column-wise arrays (HiGHS's ``HighsLp``), with where every block sits."""

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    start: IntArray
    index: IntArray
    value: FloatArray
    n_hours: int
    tables: list[Span]
    """Column blocks, in order."""
    blocks: list[Span]
    """Row blocks, in order: the balance (zones x slices) first."""
    bounded: list[tuple[SizeKey, IntArray, Span]]
    """Tables bounded by a size: the size, the items the table has, its columns."""
    moved: list[tuple[SizeKey, IntArray, IntArray, FloatArray]]
    """Size terms moved to the right-hand side: size, item, row, coefficient."""
    size_len: dict[SizeKey, int]
    """Items of every size the components asked for."""

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    def table(self, family: str, head: Index = ()) -> Span | None:
        """The columns of one table (None: the plan has none)."""
        return next((s for s in self.tables if (s.family, s.head) == (family, head)), None)

    def gradient(self, col_dual: FloatArray, row_dual: FloatArray) -> dict[SizeKey, FloatArray]:
        """d objective / d every size of the plan, from the solved LP's duals (pure).

        A size bounding columns is worth their reduced costs at that bound (<= 0 when the
        bound binds); a size term moved to the right-hand side ``coef x size`` is worth
        ``-coef x`` the row's dual. Sizes not in the LP (a zero store) get zero.
        """
        out = {key: np.zeros(n) for key, n in self.size_len.items()}
        # a column at its upper bound has a reduced cost <= 0, the price of that bound; one at
        # its lower bound (zero) a cost >= 0 that no size changes
        at_upper = np.minimum(col_dual, 0.0)
        for key, items, span in self.bounded:
            per_item = at_upper[span.slice].reshape(span.n_items, span.n_t).sum(axis=1)
            np.add.at(out[key], items, per_item)
        for key, items, rows, coef in self.moved:
            np.add.at(out[key], items, -coef * row_dual[rows])
        return out
