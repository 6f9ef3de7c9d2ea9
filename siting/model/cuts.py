"""The full-year guarantee's cuts: the plan's full-year residual grid within its allowance.

Each :class:`~siting.instance.ResidualCut` comes from the duals of one full-year check
(:meth:`siting.model.arrays.MatrixBlocks.gradient`) and bounds the residual the year would
leave from below by a linear function of the sizes; the row requires that bound to be within
the allowance. The rows only exist in the guarantee's re-solves (``docs/model.md#guarantee``).
"""

from __future__ import annotations

import pulp

from siting.model.core import Builder, Pairs
from siting.model.ops import Sizes
from siting.model.storage import Store


def add_residual_cuts(b: Builder, re: Sizes, stores: list[Store]) -> None:
    """``rcut``: ``sum g x <= rhs`` over new clean capacity and every store's sizes [MWh]."""
    for i, cut in enumerate(b.inst.residual_cuts):
        pairs: Pairs = [(v, float(g)) for v, g in zip(re.cells, cut.re.tolist(), strict=True)
                        if v is not None and g != 0.0]  # fmt: skip
        for k, st in enumerate(stores):
            sizes = [(st.energy, cut.energy[k]), (st.power, cut.power[k])]
            if st.charge_power is not None:
                sizes.append((st.charge_power, cut.charge[k]))
            for columns, g in sizes:
                pairs += [(v, float(c)) for v, c in zip(columns.cells, g.tolist(), strict=True)
                          if c != 0.0]  # fmt: skip
        b.row("rcut", (i,), pairs, pulp.LpConstraintLE, float(cut.rhs))
