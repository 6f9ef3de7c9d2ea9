"""The model's building blocks: the row/column accumulator and the built model.

Pure: no I/O. Built with PuLP's fast idioms (one ``LpAffineExpression`` per row from
(variable, coefficient) pairs, numeric right-hand sides, one ``extend`` call, Python floats,
garbage collector paused). Variables are named by index; every row and column is recorded
with its family and index (see :mod:`siting.model.registry`), so diagnosis and extraction
never parse names.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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
    return "_".join([family.prefix, *map(str, index)]) if index else family.prefix


class Builder:
    """Collects columns, rows and objective terms family by family.

    Rows go into one block per family; :meth:`finish` hands them to PuLP in the registry's
    order, so the matrix is the same whichever order the ``add_*`` functions run in.
    """

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.problem = pulp.LpProblem("siting", pulp.LpMinimize)
        self.objective: Pairs = []
        self.columns: list[pulp.LpVariable] = []
        self.column_refs: list[tuple[ColumnFamily, Index]] = []
        self.blocks: dict[str, list[pulp.LpConstraint]] = {f: [] for f in ROWS}
        self.row_refs: dict[str, tuple[RowFamily, Index]] = {}

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
        name = fam.prefix + "_".join(map(str, index))
        v = self.problem.add_variable(name, lowBound=low, upBound=up, cat=cat)
        self.columns.append(v)
        self.column_refs.append((fam, index))
        return v

    def cost(self, var: pulp.LpVariable, coefficient: float) -> None:
        """Add ``coefficient x var`` to the objective [EUR/yr]."""
        self.objective.append((var, coefficient))

    def row(self, family: str, index: Index, pairs: Pairs, sense: int, rhs: float) -> str:
        """A new row ``sum(pairs) <sense> rhs`` of ``family`` at ``index``; returns its name."""
        fam = ROWS[family]
        name = row_name(fam, index)
        self.blocks[family].append(
            pulp.LpConstraint(pulp.LpAffineExpression(pairs), sense, name, float(rhs))
        )
        self.row_refs[name] = (fam, index)
        return name

    def finish(self, handles: dict[str, object]) -> SitingModel:
        """Hand objective, rows and columns to PuLP and return the model."""
        cost = pulp.LpAffineExpression(self.objective)
        self.problem.setObjective(cost)
        for family in ROWS:
            self.problem.extend(self.blocks[family])
        # Registering every column once lets numVariables() count them and the solver
        # interface use this order instead of PuLP's walk over all rows. Columns stay in
        # creation order, block by block, as benchmarks/reference.py builds them.
        self.problem._add_variables(self.columns)
        return SitingModel(
            problem=self.problem,
            instance=self.inst,
            cost=pulp.LpAffineExpression(self.objective),
            columns=self.columns,
            column_refs=self.column_refs,
            row_refs=self.row_refs,
            **handles,  # type: ignore[arg-type]
        )


@dataclass
class StoreVars:
    """The columns of one storage technology: sizes per zone, flows per zone and slice.

    Attributes
    ----------
    energy, power
        Energy [MWh] and power [MW] capacity per zone.
    charge, discharge, soc
        Charging draw [MW], discharged output [MW] and state of charge [MWh], [zone][slice].
    """

    energy: list[pulp.LpVariable]
    power: list[pulp.LpVariable]
    charge: list[list[pulp.LpVariable]]
    discharge: list[list[pulp.LpVariable]]
    soc: list[list[pulp.LpVariable]]


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
    stores: list[StoreVars] = field(default_factory=list)
    """One entry per ``instance.storage`` technology, in that order."""
    serve: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    cost: pulp.LpAffineExpression | None = None
    columns: list[pulp.LpVariable] = field(default_factory=list)
    """Every variable in the order HiGHS receives them."""
    column_refs: list[tuple[ColumnFamily, Index]] = field(default_factory=list)
    """Family and index of each entry of ``columns``."""
    row_refs: dict[str, tuple[RowFamily, Index]] = field(default_factory=dict)
    """Family and index of each row, by row name."""

    @property
    def n_variables(self) -> int:
        return self.problem.numVariables()

    @property
    def n_constraints(self) -> int:
        return self.problem.numConstraints()

    def meaning(self, row: str) -> str:
        """A row in the planner's words, e.g. ``zone DE, slice d03h17: supply >= load``."""
        ref = self.row_refs.get(row)
        if ref is None:
            return row
        family, index = ref
        return family.meaning(self.instance, index)

    def family_of(self, row: str) -> RowFamily | None:
        """The registered family of a row (None for rows added outside the registry)."""
        ref = self.row_refs.get(row)
        return ref[0] if ref else None

    def add_row(
        self, family: str, index: Index, expr: pulp.LpAffineExpression, sense: int, rhs: float
    ) -> pulp.LpConstraint:
        """Add one registered row to a built model (used by the near-optimal search)."""
        fam = ROWS[family]
        name = row_name(fam, index)
        con = pulp.LpConstraint(expr, sense, name, float(rhs))
        self.problem += con
        self.row_refs[name] = (fam, index)
        return con
