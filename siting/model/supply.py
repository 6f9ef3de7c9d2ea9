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


def add_dispatch(b: Builder, re: list[pulp.LpVariable | None]) -> dict[int, list[pulp.LpVariable]]:
    """Output of energy-limited dispatchable options (reservoirs) per slice [MW].

    ``hdp``: output <= the option's new capacity in every slice; ``hde``: the year's energy,
    ``sum_t weight_t x output_t``, <= ``cf x hours x capacity`` [MWh/yr], the reservoir's
    inflow per MW. Its cost stays on the capacity (a take-or-pay contract). Returns the
    output variables by option position; the balance uses them instead of ``capacity x cf``.
    """
    inst = b.inst
    mask = inst.re_dispatchable
    if mask is None or not mask.any():
        return {}
    hours = float(inst.weight_h.sum())
    weights = inst.weight_h.tolist()
    annual = inst.re_annual_cf if inst.re_annual_cf is not None else inst.re_cf.mean(axis=1)
    out: dict[int, list[pulp.LpVariable]] = {}
    for j in np.flatnonzero(mask).tolist():
        cap = re[j]
        if cap is None:
            continue
        output = [b.var("hd", (j, t)) for t in range(inst.n_slices)]
        b.rows("hdp", pulp.LpConstraintLE,
               (((j, t), [(v, 1.0), (cap, -1.0)], 0.0) for t, v in enumerate(output)))  # fmt: skip
        energy = [(v, w) for v, w in zip(output, weights, strict=True)]
        b.row("hde", (j,), [*energy, (cap, -float(annual[j]) * hours)], pulp.LpConstraintLE, 0.0)
        out[j] = output
    return out


def add_grid(b: Builder) -> list[list[pulp.LpVariable]] | None:
    """Grid purchases (not carbon-free) per zone and slice [MW], when allowed.

    Priced at the zone's grid cost [EUR/MWh] (energy price plus carbon price x intensity)
    times the slice's hours. ``None`` when the CFE target is 1.0 in hourly matching (no
    purchase at all) or in annual matching netted over one slice (nothing to settle).
    Annual matching settled hourly buys what its own supply misses in each hour, whatever
    the target: the annual row (``cfe``) nets the purchases against the surplus sold.
    """
    inst = b.inst
    settles = inst.matching == "annual" and inst.exchange == "hourly"
    if inst.cfe_target >= 1.0 and not settles:
        return None
    cost = inst.grid_cost_eur_per_mwh.tolist()
    weights = inst.weight_h.tolist()
    grid = b.var_table("g", (), inst.n_zones, inst.n_slices)
    for z in range(inst.n_zones):
        for t in range(inst.n_slices):
            b.cost(grid[z][t], cost[z] * weights[t])
    return grid


def add_sales(b: Builder) -> list[list[pulp.LpVariable]] | None:
    """Surplus clean energy sold to the grid per zone and slice [MW], when settled hourly.

    Each MWh earns the zone's sale price (``surplus_price_share`` x its wholesale price)
    [EUR/MWh], a negative cost (``sur`` caps how much). ``None`` when the exchange is
    netted.
    """
    inst = b.inst
    if inst.exchange != "hourly" or inst.n_slices == 0:
        return None
    price = inst.zone_sale_price.tolist()
    weights = inst.weight_h.tolist()
    sale = b.var_table("x", (), inst.n_zones, inst.n_slices)
    for z in range(inst.n_zones):
        for t in range(inst.n_slices):
            b.cost(sale[z][t], -price[z] * weights[t])
    return sale
