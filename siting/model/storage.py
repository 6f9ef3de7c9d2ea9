"""Storage: every storage technology of the instance, energy and power sized separately.

One generic block per technology of kind ``storage`` in the technology table: per zone an
energy capacity [MWh of the stored medium] and a power capacity [MW] (the discharged output
at the zone's bus; also the charging draw unless the technology sizes its charging side
apart, as hydrogen does with its electrolyser), and per slice charge, discharge and state of
charge. Charging stores ``eta_charge`` per MWh drawn; discharging delivers ``eta_discharge``
per MWh taken. Each slice is one hour of its representative day.

Two ways to join the days (``storage.linking``, ``docs/model.md#storage``):

- ``per_period``: the state of charge is cyclic within every representative day.
- ``chronological`` (Kotzur et al. 2018, "Time series aggregation for energy system design:
  modeling seasonal storage"): within a period the state is counted from zero at the start of
  the day; a state per calendar day carries it from day to day along the sequence of periods
  that stand for the 365 days (cyclic at the year's end). The bounds ``0 <= start of day +
  state <= energy`` need only the period's highest and lowest relative state, so each day adds
  three rows, not 24.
"""

from __future__ import annotations

from collections.abc import Iterator

import pulp

from siting.instance import Instance, StorageOption
from siting.model.core import Builder, Pairs, StoreVars
from siting.physics import soc_row


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


def period_bounds(period: list[int]) -> tuple[list[int], list[int]]:
    """First and last slice of every period, in period order (periods are contiguous)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for t, p in enumerate(period):
        first.setdefault(p, t)
        last[p] = t
    order = sorted(first)
    return [first[p] for p in order], [last[p] for p in order]


def add_storage(b: Builder) -> list[StoreVars]:
    """Columns, costs and rows of every storage technology (hourly matching only).

    Rows per technology ``k``, zone ``z`` and slice ``t``: ``chp`` and ``dip`` (charge and
    discharge <= their capacity [MW]), ``dur`` (energy = duration x power, where fixed) and
    the state of charge: per period ``soc`` and ``soe``; linked ``soc``, ``soh``, ``sol``
    per slice and ``sod``, ``sde``, ``sdb`` per calendar day.
    """
    inst = b.inst
    if inst.matching != "hourly":
        return []
    return [_one_store(b, k) for k in range(len(inst.storage))]


def _sizes(b: Builder, k: int, tech: StorageOption) -> tuple[list, list, list | None]:
    """Energy, power and (if apart) charging capacity per zone, with their annual costs."""
    inst = b.inst
    allowed = set(range(inst.n_zones) if tech.zones is None else tech.zones)
    up = [None if z in allowed else 0.0 for z in range(inst.n_zones)]
    se = [b.var("se", (k, z), up=up[z]) for z in range(inst.n_zones)]
    sp = [b.var("sp", (k, z), up=up[z]) for z in range(inst.n_zones)]
    sq = None
    if tech.separate_charge:
        sq = [b.var("sq", (k, z), up=up[z]) for z in range(inst.n_zones)]
        for v in sq:
            b.cost(v, float(tech.charge_eur_per_mw_yr or 0.0))
    for z in range(inst.n_zones):
        b.cost(se[z], tech.energy_eur_per_mwh_yr)
        b.cost(sp[z], tech.power_eur_per_mw_yr)
        if tech.duration_h is not None:
            b.row("dur", (k, z), [(se[z], 1.0), (sp[z], -tech.duration_h)],
                  pulp.LpConstraintEQ, 0.0)  # fmt: skip
    return se, sp, sq


def _one_store(b: Builder, k: int) -> StoreVars:
    inst = b.inst
    tech = inst.storage[k]
    zones, slices = range(inst.n_zones), range(inst.n_slices)
    se, sp, sq = _sizes(b, k, tech)
    linked = inst.storage_linking == "chronological" and inst.day_period is not None
    ch = b.var_table("sc", (k,), inst.n_zones, inst.n_slices)
    dis = b.var_table("sd", (k,), inst.n_zones, inst.n_slices)
    soc = b.var_table("so", (k,), inst.n_zones, inst.n_slices, low=None if linked else 0.0)
    bounds = [("chp", ch, sq or sp), ("dip", dis, sp)]
    if not linked:
        bounds.append(("soe", soc, se))
    for family, flow, cap in bounds:
        b.rows(
            family,
            pulp.LpConstraintLE,
            (((k, z, t), [(flow[z][t], 1.0), (cap[z], -1.0)], 0.0) for z in zones for t in slices),
        )
    period = inst.period.tolist()
    prev = cyclic_previous(period)
    if linked:
        prev = [-1 if prev[t] >= t else prev[t] for t in slices]  # each day starts from zero
    b.rows("soc", pulp.LpConstraintEQ,
           _soc_rows(k, soc, ch, dis, prev, tech.eta_charge, tech.eta_discharge))  # fmt: skip
    day_start = _link_days(b, k, soc, se) if linked else None
    return StoreVars(se, sp, ch, dis, soc, sq, day_start)


def _soc_rows(
    k: int,
    soc: list[list[pulp.LpVariable]],
    ch: list[list[pulp.LpVariable]],
    dis: list[list[pulp.LpVariable]],
    prev: list[int],
    eta_in: float,
    eta_out: float,
) -> Iterator[tuple[tuple[int, int, int], Pairs, float]]:
    """The state of charge of every zone and slice (:func:`siting.physics.soc_row`), the slice
    before being ``prev(t)``.

    ``prev(t) = -1``: the slice starts from zero (linked storage, first hour of a day).
    """
    row = soc_row(eta_in, eta_out)
    for z, (s_z, c_z, d_z) in enumerate(zip(soc, ch, dis, strict=True)):
        for t in range(len(prev)):
            pairs: Pairs = [(s_z[t], row.soc), (c_z[t], row.charge), (d_z[t], row.discharge)]
            if prev[t] == t:  # a one-hour cyclic period: the state returns to itself
                pairs[0] = (s_z[t], row.soc + row.previous)
            elif prev[t] >= 0:
                pairs.append((s_z[prev[t]], row.previous))
            yield (k, z, t), pairs, 0.0


def _link_days(
    b: Builder, k: int, soc: list[list[pulp.LpVariable]], se: list[pulp.LpVariable]
) -> list[list[pulp.LpVariable]]:
    """Calendar-day states and the rows joining them to the periods' relative states."""
    inst: Instance = b.inst
    assert inst.day_period is not None
    period = inst.period.tolist()
    first, last = period_bounds(period)
    n_p, seq = len(first), inst.day_period.tolist()
    n_d = len(seq)
    hi = b.var_table("sx", (k,), inst.n_zones, n_p, low=None)
    lo = b.var_table("sn", (k,), inst.n_zones, n_p, low=None)
    start = b.var_table("sy", (k,), inst.n_zones, n_d)
    zones = range(inst.n_zones)
    b.rows("soh", pulp.LpConstraintLE, (
        ((k, z, t), [(soc[z][t], 1.0), (hi[z][period[t]], -1.0)], 0.0)
        for z in zones for t in range(inst.n_slices)
    ))  # fmt: skip
    b.rows("sol", pulp.LpConstraintLE, (
        ((k, z, t), [(lo[z][period[t]], 1.0), (soc[z][t], -1.0)], 0.0)
        for z in zones for t in range(inst.n_slices)
    ))  # fmt: skip
    b.rows("sod", pulp.LpConstraintEQ, (
        ((k, z, d), [(start[z][(d + 1) % n_d], 1.0), (start[z][d], -1.0),
                     (soc[z][last[seq[d]]], -1.0)], 0.0)
        for z in zones for d in range(n_d)
    ))  # fmt: skip
    b.rows("sde", pulp.LpConstraintLE, (
        ((k, z, d), [(start[z][d], 1.0), (hi[z][seq[d]], 1.0), (se[z], -1.0)], 0.0)
        for z in zones for d in range(n_d)
    ))  # fmt: skip
    b.rows("sdb", pulp.LpConstraintGE, (
        ((k, z, d), [(start[z][d], 1.0), (lo[z][seq[d]], 1.0)], 0.0)
        for z in zones for d in range(n_d)
    ))  # fmt: skip
    return start
