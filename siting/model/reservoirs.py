"""Reservoirs: energy-limited dispatchable supply (hydro with a reservoir), dispatched within
its power and its annual inflow instead of following the weather.

Units: output [MW] per slice; inflow [MWh] over the horizon. Written once against
:class:`~siting.model.ops.Ops`.
"""

from __future__ import annotations

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.ops import Ops, Sizes, Table, Term
from siting.model.supply import annual_cf, reservoirs


def add_dispatch(op: Ops, inst: Instance, r: Sizes) -> Table | None:
    """Output of energy-limited dispatchable options (reservoirs) per slice [MW].

    ``hdp``: output <= the option's new capacity in every slice; ``hde``: the horizon's
    energy, ``sum_t weight_t x output_t``, <= ``cf x hours x capacity`` [MWh], the reservoir's
    inflow per MW. Its cost stays on the capacity (a take-or-pay contract). The balance gets
    the output instead of ``capacity x cf``. An option at ``cf`` 1 has no energy limit (a
    fuelled plant). Each MWh delivered costs the option's running cost, if any (fuel and
    CO2 storage of Allam-cycle gas; a reservoir's cost stays on its capacity, a take-or-pay
    contract). None: no dispatchable option with capacity.
    """
    items = op.operable(np.flatnonzero(reservoirs(inst)), r)
    if not len(items):
        return None
    h = op.horizon
    running = inst.supply.running_eur_per_mwh
    fossil = inst.supply.not_carbon_free  # counted as residual energy in the full-year check
    hd = op.table("hd", (), items, bound=(r, "hdp"),
                  cost=None if running is None else np.asarray(running, float)[items],
                  residual=False if fossil is None else fossil)  # fmt: skip
    op.feed(hd, inst.supply.zone[items], 1.0)
    cf = annual_cf(inst)[items]
    limited = np.flatnonzero(cf < 1.0 - 1e-12)  # at cf 1 the year's energy never binds
    if not len(limited):
        return hd
    terms: list[Term] = [(hd, limited * h.n_t + t, float(w)) for t, w in enumerate(h.weights)]
    terms.append((r, items[limited], -cf[limited] * h.hours))
    op.block("hde", [items[limited]], pulp.LpConstraintLE, terms)
    return hd
