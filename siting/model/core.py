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

import pulp

from siting.instance import Instance
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
        fam = COLUMNS[family]
        add = self.problem.add_variable
        pre = fam.prefix + "".join(f"{h}_" for h in head)
        out = [
            [
                add(f"{pre}{i}_{j}", lowBound=low, upBound=None if up is None else up[i])
                for j in range(n_cols)
            ]
            for i in range(n_rows)
        ]
        self.segments.append(_Segment(fam, len(self.columns), head, n_rows, n_cols, table=True))
        for row in out:
            self.columns.extend(row)
        return out

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

    def refs(self) -> Iterator[tuple[ColumnFamily, Index]]:
        if not self.table:
            yield self.family, self.head
            return
        for i in range(self.n_rows):
            for j in range(self.n_cols):
                yield self.family, (*self.head, i, j)


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
    """One entry per ``instance.storage`` technology, in that order."""
    dispatch: dict[int, list[pulp.LpVariable]] = field(default_factory=dict)
    """Output per slice [MW] of each dispatchable option, by option position."""
    serve: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    cost: pulp.LpAffineExpression | None = None
    columns: list[pulp.LpVariable] = field(default_factory=list)
    """Every variable in the order HiGHS receives them."""
    _segments: list[_Segment] = field(default_factory=list, repr=False)
    _blocks: dict[str, list[pulp.LpConstraint]] = field(default_factory=dict, repr=False)
    _indices: dict[str, list[Index]] = field(default_factory=dict, repr=False)
    _extra_rows: dict[str, tuple[RowFamily, Index]] = field(default_factory=dict, repr=False)

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
