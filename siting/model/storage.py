"""Storage: every storage technology of the instance, energy and power sized separately.

One generic block per technology of kind ``storage`` in the technology table: per zone an
energy capacity [MWh] and a power capacity [MW] (which bounds both the charging draw and the
discharged output at the zone's bus), and per slice charge, discharge and state of charge.
Charging and discharging each lose ``sqrt(roundtrip_efficiency)``. Each slice is one hour
of its representative period and the state of charge is cyclic within every period.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pulp

from siting.model.core import Builder, Pairs, StoreVars


def cyclic_previous(period: list[int]) -> list[int]:
    """Index of the slice before each slice, cyclic within its representative period.

    The first hour of a period follows the last hour of the same period, so the state of
    charge returns to its start at the end of every representative day.
    """
    n_t = len(period)
    prev = list(range(-1, n_t - 1))
    for t in range(n_t):
        if t == 0 or period[t] != period[t - 1]:
            end = t
            while end + 1 < n_t and period[end + 1] == period[t]:
                end += 1
            prev[t] = end
    return prev


def add_storage(b: Builder) -> list[StoreVars]:
    """Columns, costs and rows of every storage technology (hourly matching only).

    Rows per technology ``k``, zone ``z`` and slice ``t``: ``chp`` and ``dip`` (charge and
    discharge <= power [MW]), ``soe`` (state of charge <= energy [MWh]) and ``soc``
    (``soc[t] = soc[prev(t)] + eta x charge[t] - discharge[t] / eta`` [MWh], one-hour slices).
    """
    inst = b.inst
    if inst.matching != "hourly":
        return []
    prev = cyclic_previous(inst.period.tolist())
    return [_one_store(b, k, prev) for k in range(len(inst.storage))]


def _one_store(b: Builder, k: int, prev: list[int]) -> StoreVars:
    inst = b.inst
    tech = inst.storage[k]
    zones, slices = range(inst.n_zones), range(inst.n_slices)
    se = [b.var("se", (k, z)) for z in zones]
    sp = [b.var("sp", (k, z)) for z in zones]
    ch = b.var_table("sc", (k,), inst.n_zones, inst.n_slices)
    dis = b.var_table("sd", (k,), inst.n_zones, inst.n_slices)
    soc = b.var_table("so", (k,), inst.n_zones, inst.n_slices)
    for z in zones:
        b.cost(se[z], tech.energy_eur_per_mwh_yr)
        b.cost(sp[z], tech.power_eur_per_mw_yr)
    for family, flow, cap in (("chp", ch, sp), ("dip", dis, sp), ("soe", soc, se)):
        b.rows(
            family,
            pulp.LpConstraintLE,
            (((k, z, t), [(flow[z][t], 1.0), (cap[z], -1.0)], 0.0) for z in zones for t in slices),
        )
    eta = math.sqrt(tech.roundtrip_efficiency)
    b.rows("soc", pulp.LpConstraintEQ, _soc_rows(k, soc, ch, dis, prev, eta))
    return StoreVars(se, sp, ch, dis, soc)


def _soc_rows(
    k: int,
    soc: list[list[pulp.LpVariable]],
    ch: list[list[pulp.LpVariable]],
    dis: list[list[pulp.LpVariable]],
    prev: list[int],
    eta: float,
) -> Iterator[tuple[tuple[int, int, int], Pairs, float]]:
    """``soc[t] - soc[prev(t)] - eta x charge[t] + discharge[t] / eta = 0`` per zone, slice."""
    for z, (s_z, c_z, d_z) in enumerate(zip(soc, ch, dis, strict=True)):
        for t in range(len(prev)):
            pairs: Pairs = [(s_z[t], 1.0), (c_z[t], -eta), (d_z[t], 1.0 / eta)]
            if prev[t] != t:
                pairs.append((s_z[prev[t]], -1.0))
            else:  # a one-hour period: the state returns to itself, so charge must equal loss
                pairs[0] = (s_z[t], 0.0)
            yield (k, z, t), pairs, 0.0
