"""Clean supply: new capacity per zone and technology, ``capacity x cf`` in the balance.

Units: capacity [MW]; supply per slice [MW] (average over the slice); costs [EUR/yr].
Written once against :class:`~siting.model.ops.Ops`: the planning model and the full-year
check are both built from these functions.
"""

from __future__ import annotations

import numpy as np

from siting.instance import Instance
from siting.model.ops import FloatArray, Ops, Sizes


def annual_cf(inst: Instance) -> FloatArray:
    """Each option's annual mean capacity factor [-]: the layer's, else its slices' weighted
    mean (what hourly weather is scaled to, and a reservoir's inflow per MW)."""
    if inst.supply.annual_cf is not None:
        return np.asarray(inst.supply.annual_cf, float)
    return inst.supply.cf @ inst.time.weight_h / float(inst.time.weight_h.sum())


def add_supply(op: Ops, inst: Instance) -> Sizes:
    """New clean capacity per option (zone x technology), up to potential minus existing.

    Variable and firm technologies alike deliver ``capacity x cf[t]`` in slice ``t`` (the
    balance term); its annualised cost [EUR/MW/yr] is on the capacity. No column where there
    is no headroom. Reservoirs (:func:`add_dispatch`) supply their dispatched output instead.
    """
    head = np.maximum(inst.supply.potential_mw - inst.supply.existing_mw, 0.0).tolist()
    r = op.sizes("r", (), len(head), up=head, cost=inst.supply.capex_eur_per_mw_yr.tolist(),
                 skip=[h <= 0 for h in head])  # fmt: skip
    weather = np.flatnonzero(~reservoirs(inst))
    op.feed(r, inst.supply.zone, op.horizon.cf, weather)
    return r


def reservoirs(inst: Instance) -> np.ndarray:
    """Per option: an energy-limited dispatchable option (:mod:`siting.model.reservoirs`)."""
    n = len(inst.supply.tech)
    return (
        np.zeros(n, bool)
        if inst.supply.dispatchable is None
        else np.asarray(inst.supply.dispatchable)
    )
