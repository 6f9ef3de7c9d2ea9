"""Clean supply and the residual grid: new capacity per zone and technology.

Units: capacity [MW]; supply per slice [MW] (average over the slice); costs [EUR/yr].
"""

from __future__ import annotations

import numpy as np
import pulp

from siting.model.core import Builder


def add_supply(b: Builder) -> list[pulp.LpVariable | None]:
    """New clean capacity per option (zone x technology), up to potential minus existing.

    Variable and firm technologies alike: an option delivers ``capacity x cf[t]`` in slice
    ``t``; its annualised cost [EUR/MW/yr] is on the capacity. ``None``: no headroom.
    """
    inst = b.inst
    head = np.maximum(inst.re_potential_mw - inst.re_existing_mw, 0.0).tolist()
    capex = inst.re_capex_eur_per_mw_yr.tolist()
    out: list[pulp.LpVariable | None] = []
    for j in range(len(inst.re_tech)):
        if head[j] <= 0:
            out.append(None)
            continue
        v = b.var("r", (j,), up=head[j])
        out.append(v)
        b.cost(v, capex[j])
    return out


def add_grid(b: Builder) -> list[list[pulp.LpVariable]] | None:
    """Residual (not carbon-free) grid supply per zone and slice [MW], when allowed.

    Priced at the zone's grid cost [EUR/MWh] (energy price plus carbon price x intensity)
    times the slice's hours. ``None`` when the CFE target is 1.0: no residual grid at all.
    """
    inst = b.inst
    if inst.cfe_target >= 1.0:
        return None
    cost = inst.grid_cost_eur_per_mwh.tolist()
    weights = inst.weight_h.tolist()
    grid = b.var_table("g", (), inst.n_zones, inst.n_slices)
    for z in range(inst.n_zones):
        for t in range(inst.n_slices):
            b.cost(grid[z][t], cost[z] * weights[t])
    return grid
