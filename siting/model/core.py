"""The model's building blocks: the row/column accumulator and the built model.

Pure: no I/O. Built with PuLP's fast idioms (one ``LpAffineExpression`` per row from
(variable, coefficient) pairs, numeric right-hand sides, one ``extend`` call, Python floats,
garbage collector paused). Variables are named by index; every row and column is recorded
with its family and index (see :mod:`siting.model.registry`), so diagnosis and extraction
never parse names.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pulp
from numpy.typing import NDArray

from siting.instance import Instance
from siting.model.ops import (
    FloatArray,
    Horizon,
    IntArray,
    Sizes,
    Table,
    Term,
    per_item_slice,
)
from siting.model.registry import COLUMNS, ROWS, ColumnFamily, RowFamily

Pairs = list[tuple[pulp.LpVariable, float]]
Index = tuple[int | str, ...]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model is built.

    Building creates millions of small objects; cyclic GC passes over them dominate otherwise.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def row_name(family: RowFamily, index: Index) -> str:
    """The LP row name of ``family`` at ``index``, e.g. ``bal_3_17``."""
    return _name(family.prefix + "_", index) if index else family.prefix


def _name(head: str, index: Index) -> str:
    # f-strings by length: names are made for every row and column, so this is hot
    n = len(index)
    if n == 1:
        return f"{head}{index[0]}"
    if n == 2:
        return f"{head}{index[0]}_{index[1]}"
    if n == 3:
        return f"{head}{index[0]}_{index[1]}_{index[2]}"
    return head + "_".join(map(str, index))


class Builder:
    """Collects columns, rows and objective terms family by family.

    Rows go into one block per family; :meth:`finish` hands them to PuLP in the registry's
    order, so the matrix is the same whichever order the ``add_*`` functions run in. Each
    row's index is kept beside it, and each column's family and index beside the column.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.horizon = planning_horizon(inst)
        self.part = ""
        """The component being added (:func:`siting.model.components.operate` sets it)."""
        self.feeds: list[Feed] = []
        self.problem = pulp.LpProblem("siting", pulp.LpMinimize)
        self.objective: Pairs = []
        self.columns: list[pulp.LpVariable] = []
        self.segments: list[_Segment] = []
        self.blocks: dict[str, list[pulp.LpConstraint]] = {f: [] for f in ROWS}
        self.indices: dict[str, list[Index]] = {f: [] for f in ROWS}

    def var(
        self,
        family: str,
        index: Index,
        low: float | None = 0.0,
        up: float | None = None,
        cat: str = pulp.LpContinuous,
    ) -> pulp.LpVariable:
        """A new column of ``family`` at ``index`` [unit of the family]."""
        fam = COLUMNS[family]
        v = self.problem.add_variable(_name(fam.prefix, index), lowBound=low, upBound=up, cat=cat)
        self.segments.append(_Segment(fam, len(self.columns), index))
        self.columns.append(v)
        return v

    def var_table(
        self,
        family: str,
        head: Index,
        n_rows: int,
        n_cols: int,
        up: list[float] | None = None,
        low: float | None = 0.0,
    ) -> list[list[pulp.LpVariable]]:
        """Continuous columns ``[i][j]`` at index ``(*head, i, j)``, ``low <= x <= up[i]``."""
        per_cell = None if up is None else [[u] * n_cols for u in up]
        return self._grid(family, head, list(range(n_rows)), n_cols, low, per_cell)

    def cost(self, var: pulp.LpVariable, coefficient: float) -> None:
        """Add ``coefficient x var`` to the objective [EUR/yr]."""
        self.objective.append((var, coefficient))

    def row(self, family: str, index: Index, pairs: Pairs, sense: int, rhs: float) -> None:
        """A new row ``sum(pairs) <sense> rhs`` of ``family`` at ``index``."""
        name = _name(family + "_", index) if index else family
        self.blocks[family].append(
            pulp.LpConstraint(pulp.LpAffineExpression(pairs), sense, name, float(rhs))
        )
        self.indices[family].append(index)

    def rows(self, family: str, sense: int, items: Iterable[tuple[Index, Pairs, float]]) -> None:
        """Many rows of one family: ``(index, pairs, rhs)`` each, all with ``sense``.

        The same as calling :meth:`row` for each, with the per-row overhead paid once.
        """
        block = self.blocks[family]
        indices = self.indices[family]
        head = family + "_"
        constraint, expression = pulp.LpConstraint, pulp.LpAffineExpression
        for index, pairs, rhs in items:
            block.append(constraint(expression(pairs), sense, _name(head, index), float(rhs)))
            indices.append(index)

    # -- the component vocabulary (siting.model.ops): sizes are columns, bounds are rows --

    def sizes(
        self,
        family: str,
        head: Index,
        n: int,
        up: list[float | None] | None = None,
        cost: list[float] | None = None,
        skip: list[bool] | None = None,
    ) -> Sizes:
        """A column per item (None where ``skip``), with its annual cost [EUR/yr per unit]."""
        cells: list[pulp.LpVariable | None] = []
        for i in range(n):
            if skip is not None and skip[i]:
                cells.append(None)
                continue
            cells.append(self.var(family, (*head, i), up=None if up is None else up[i]))
        if cost is not None:
            for v, c in zip(cells, cost, strict=True):
                if v is not None:
                    self.cost(v, c)
        return Sizes(family, head, cells)

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
        """Columns ``x[item][t]`` named ``<family><head>_<item>_<t>``; a bound by sizes adds
        the rows ``x - size <= 0`` of the bound's family (``residual`` plays no part here)."""
        del residual
        n_t = 1 if once else self.horizon.n_t
        keys = items.tolist()
        cells = self._grid(family, head, keys, n_t, low, None if up is None else
                           per_item_slice(up, len(up), n_t).tolist())  # fmt: skip
        if cost is not None:
            w = self.horizon.weights.tolist()
            price = per_item_slice(cost, len(keys), n_t).tolist()
            for row, p in zip(cells, price, strict=True):
                for t, v in enumerate(row):
                    self.cost(v, p[t] * w[t])
        if bound is not None:
            size, rows = bound
            self.rows(rows, pulp.LpConstraintLE, (
                ((*head, i, t), [(v, 1.0), (size.cells[i], -1.0)], 0.0)
                for i, row in zip(keys, cells, strict=True) for t, v in enumerate(row)
            ))  # fmt: skip
        return Table(family, head, items, cells, n_t)

    def _grid(
        self, family: str, head: Index, keys: list[int], n_t: int, low: float | None,
        up: list[list[float]] | None,
    ) -> list[list[pulp.LpVariable]]:  # fmt: skip
        fam = COLUMNS[family]
        add = self.problem.add_variable
        pre = fam.prefix + "".join(f"{h}_" for h in head)
        # ``up`` is indexed by item then slice, like every per-item array of the Ops vocabulary
        out = [[add(f"{pre}{i}_{t}", lowBound=low, upBound=None if up is None else up[i][t])
                for t in range(n_t)] for i in keys]  # fmt: skip
        self.segments.append(
            _Segment(fam, len(self.columns), head, len(keys), n_t, table=True, items=tuple(keys))
        )
        for row in out:
            self.columns.extend(row)
        return out

    def block(
        self,
        family: str,
        index: list[IntArray | int],
        sense: int,
        terms: list[Term],
        rhs: FloatArray | float = 0.0,
        daily: bool = False,
    ) -> None:
        """Rows of ``family`` from array terms; size terms are columns like any other."""
        del daily
        n = max((len(i) for i in index if not isinstance(i, int)), default=1)
        keys = [[i] * n if isinstance(i, int) else i.tolist() for i in index]
        flattened: dict[int, list[pulp.LpVariable]] = {}  # a table in two terms, flattened once
        for cells, _, _ in terms:
            if id(cells) not in flattened:
                flattened[id(cells)] = _flat_cells(cells)
        flat = [flattened[id(cells)] for cells, _, _ in terms]
        pos = [p.tolist() for _, p, _ in terms]
        coef = [np.broadcast_to(np.asarray(c, float), (n,)).tolist() for _, _, c in terms]
        right = np.broadcast_to(np.asarray(rhs, float), (n,)).tolist()

        def items() -> Iterator[tuple[Index, Pairs, float]]:
            for r in range(n):
                pairs: Pairs = [(f[p[r]], c[r]) for f, p, c in zip(flat, pos, coef, strict=True)
                                if p[r] >= 0]  # fmt: skip
                yield tuple(k[r] for k in keys), pairs, right[r]

        self.rows(family, sense, items())

    def feed(
        self,
        cells: Table | Sizes,
        zone: IntArray,
        coef: FloatArray | float,
        items: IntArray | None = None,
    ) -> None:
        """Terms of the zone x slice balance (:func:`siting.model.balance.add_balance`)."""
        n_t = self.horizon.n_t
        zones = np.asarray(zone).tolist()
        c = per_item_slice(coef, len(zones), n_t)
        series: list[list[pulp.LpVariable] | None] = (
            cells.cells if isinstance(cells, Table) else _every_slice(cells.cells, n_t)
        )
        chosen = range(len(series)) if items is None else items.tolist()
        keep = [(i, s) for i in chosen if (s := series[i]) is not None]
        self.feeds.append(Feed(self.part, [zones[i] for i, _ in keep], [s for _, s in keep],
                               [c[i].tolist() for i, _ in keep]))  # fmt: skip

    def balance_terms(self) -> list[list[tuple[list[pulp.LpVariable], list[float]]]]:
        """Per zone, every registered (columns per slice, coefficient per slice)."""
        out: list[list[tuple[list[pulp.LpVariable], list[float]]]] = [
            [] for _ in range(self.inst.n_zones)
        ]
        for _, zones, series, coefs in self.feeds:
            for z, s, c in zip(zones, series, coefs, strict=True):
                out[z].append((s, c))
        return out

    def operable(self, items: IntArray, *limits: Sizes | FloatArray) -> IntArray:
        """Items with a column in every size limit (constant limits do not drop any)."""
        keep = [i for i in items.tolist()
                if all(not isinstance(lim, Sizes) or lim.cells[i] is not None for lim in limits)]  # fmt: skip
        return np.asarray(keep, np.int64)

    def finish(self, handles: dict[str, object]) -> SitingModel:
        """Hand objective, rows and columns to PuLP and return the model."""
        cost = pulp.LpAffineExpression(self.objective)
        self.problem.setObjective(cost)
        for family in ROWS:
            self.problem.extend(self.blocks[family])
        # the columns, in creation order block by block (as benchmarks/reference.py builds
        # them), travel with the model: the solver interface takes them from there
        return SitingModel(
            problem=self.problem,
            instance=self.inst,
            cost=pulp.LpAffineExpression(self.objective),
            columns=self.columns,
            feeds=self.feeds,
            _segments=self.segments,
            _blocks=self.blocks,
            _indices=self.indices,
            **handles,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class _Segment:
    """Columns ``start ...`` of one family: one at ``head``, or a table ``(*head, i, j)``."""

    family: ColumnFamily
    start: int
    head: Index
    n_rows: int = 0
    n_cols: int = 0
    table: bool = False
    """A table of ``n_rows x n_cols`` columns (possibly none), else one column."""
    items: tuple[int, ...] | None = None
    """The item of each table row (None: ``0 ... n_rows - 1``)."""

    def refs(self) -> Iterator[tuple[ColumnFamily, Index]]:
        if not self.table:
            yield self.family, self.head
            return
        for i in self.items if self.items is not None else range(self.n_rows):
            for j in range(self.n_cols):
                yield self.family, (*self.head, i, j)


def _every_slice(
    sizes: list[pulp.LpVariable | None], n_t: int
) -> list[list[pulp.LpVariable] | None]:
    """A size is the same column in every slice's row (None: the item has no column)."""
    return [[v] * n_t if v is not None else None for v in sizes]


def _flat_cells(cells: Table | Sizes) -> list[pulp.LpVariable]:
    """A table's columns item-major (``slot x n_t + t``), or the sizes as they are."""
    if isinstance(cells, Table):
        return [v for row in cells.cells for v in row]
    return list(cells.cells)


def planning_horizon(inst: Instance) -> Horizon:
    """The representative slices of an instance as a :class:`~siting.model.ops.Horizon`."""
    linked = inst.settings.storage_linking == "chronological" and inst.time.day_period is not None
    hourly = inst.settings.matching == "hourly" or inst.settings.exchange == "hourly"
    return Horizon(inst.time.weight_h, inst.time.period, inst.supply.cf,
                   inst.time.day_period if linked else None,
                   duration=inst.time.duration_h,
                   day=inst.time.period if hourly else None)  # fmt: skip


class Feed(NamedTuple):
    """One component's terms in the balance: per item, its zone, its columns per slice and
    their coefficients per slice."""

    part: str
    zones: list[int]
    series: list[list[pulp.LpVariable]]
    coefs: list[list[float]]


@dataclass
class StoreVars:
    """The columns of one storage technology: sizes per zone, flows per zone and slice.

    Attributes
    ----------
    energy, power
        Energy [MWh] and power [MW] capacity per zone.
    charge, discharge, soc
        Charging draw [MW], discharged output [MW] and state of charge [MWh], [zone][slice].
        With linked storage ``soc`` is relative to the start of its period's day.
    charge_power
        A separately sized charging side per zone [MW], or None.
    day_start
        With linked storage: the state of charge at the start of every calendar day, per
        zone [MWh] ([zone][day]); None when cyclic within periods.
    """

    energy: list[pulp.LpVariable]
    power: list[pulp.LpVariable]
    charge: list[list[pulp.LpVariable]]
    discharge: list[list[pulp.LpVariable]]
    soc: list[list[pulp.LpVariable]]
    charge_power: list[pulp.LpVariable] | None = None
    day_start: list[list[pulp.LpVariable]] | None = None


@dataclass
class SitingModel:
    """A built model and the variables behind each instance element.

    ``None`` marks an element without a variable (e.g. an excluded site, or the residual
    grid when the CFE target is 1.0): its value is zero by construction.
    """

    problem: pulp.LpProblem
    instance: Instance
    build: list[pulp.LpVariable | None]
    size: list[pulp.LpVariable | None]  # module count (integer) or MW (continuous)
    size_mw: list[float]  # MW of new capacity per unit of ``size``
    re: list[pulp.LpVariable | None]
    flow: list[list[pulp.LpVariable]]  # [link][slice]
    grid: list[list[pulp.LpVariable]] | None  # [zone][slice]
    sale: list[list[pulp.LpVariable]] | None = None
    """Surplus sold to the grid [MW] per zone and slice; None: nothing is sold."""
    stores: list[StoreVars] = field(default_factory=list)
    """One entry per ``instance.stores`` technology, in that order."""
    dispatch: dict[int, list[pulp.LpVariable]] = field(default_factory=dict)
    """Output per slice [MW] of each dispatchable option, by option position."""
    serve: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    interruptible: list[pulp.LpVariable | None] = field(default_factory=list)
    """Interruptible load above each zone's hosting limit [MW] (empty: none)."""
    interrupted: list[pulp.LpVariable | None] = field(default_factory=list)
    """Interruptible load's energy curtailed over the year per zone [MWh/yr]."""
    cost: pulp.LpAffineExpression | None = None
    columns: list[pulp.LpVariable] = field(default_factory=list)
    """Every variable in the order HiGHS receives them."""
    _segments: list[_Segment] = field(default_factory=list, repr=False)
    _blocks: dict[str, list[pulp.LpConstraint]] = field(default_factory=dict, repr=False)
    _indices: dict[str, list[Index]] = field(default_factory=dict, repr=False)
    _extra_rows: dict[str, tuple[RowFamily, Index]] = field(default_factory=dict, repr=False)
    feeds: list[Feed] = field(default_factory=list, repr=False)
    """Every component's terms in the balance, by component (:meth:`fed`)."""

    def fed(self, part: str) -> np.ndarray:
        """What component ``part`` put into the balance per zone and slice [MW], from the
        solved values: how a component's values are read back without code of its own."""
        out = np.zeros((self.instance.n_zones, self.instance.n_slices))
        for feed in self.feeds:
            if feed.part != part:
                continue
            for z, series, coefs in zip(feed.zones, feed.series, feed.coefs, strict=True):
                out[z] += np.array([(v.varValue or 0.0) * c
                                    for v, c in zip(series, coefs, strict=True)])  # fmt: skip
        return out

    @property
    def parts(self) -> list[str]:
        """The components that fed the balance, in build order."""
        return list(dict.fromkeys(feed.part for feed in self.feeds))

    @cached_property
    def column_refs(self) -> list[tuple[ColumnFamily, Index]]:
        """Family and index of each entry of ``columns`` (made on first use)."""
        return [ref for seg in self._segments for ref in seg.refs()]

    @property
    def row_refs(self) -> dict[str, tuple[RowFamily, Index]]:
        """Family and index of each row, by row name (made on first use)."""
        return {**self._built_row_refs, **self._extra_rows}

    @cached_property
    def _built_row_refs(self) -> dict[str, tuple[RowFamily, Index]]:
        return {
            con.name: (ROWS[family], index)
            for family, block in self._blocks.items()
            for con, index in zip(block, self._indices[family], strict=True)
        }

    @property
    def n_variables(self) -> int:
        return len(self.columns)

    @property
    def n_constraints(self) -> int:
        return self.problem.numConstraints()

    def meaning(self, row: str) -> str:
        """A row in the planner's words, e.g. ``zone DE, slice d03h17: supply >= load``."""
        ref = self._built_row_refs.get(row) or self._extra_rows.get(row)
        if ref is None:
            return row
        family, index = ref
        return family.meaning(self.instance, index)

    def family_of(self, row: str) -> RowFamily | None:
        """The registered family of a row (None for rows added outside the registry)."""
        ref = self._built_row_refs.get(row) or self._extra_rows.get(row)
        return ref[0] if ref else None

    def add_row(
        self, family: str, index: Index, expr: pulp.LpAffineExpression, sense: int, rhs: float
    ) -> pulp.LpConstraint:
        """Add one registered row to a built model (used by the near-optimal search)."""
        fam = ROWS[family]
        name = row_name(fam, index)
        con = pulp.LpConstraint(expr, sense, name, float(rhs))
        self.problem += con
        self._extra_rows[name] = (fam, index)
        return con
