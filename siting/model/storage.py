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
  the day; states at the start of the calendar's days carry it from day to day along the
  sequence of periods that stand for the 365 days (cyclic at the year's end). The bounds
  ``0 <= start of day + state <= energy`` need only the period's highest and lowest relative
  state, and consecutive days of one period share one state column (:func:`day_runs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from siting.instance import Instance, StorageOption
from siting.model.core import Builder
from siting.model.ops import Ops, Sizes, Table, Term
from siting.model.physics import soc_row


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


@dataclass(frozen=True)
class Store:
    """One storage technology's sizes and operating tables (handles of the builder used).

    ``energy``, ``power`` [MWh, MW] and ``charge_power`` [MW] (a charging side sized apart, or
    None) per zone; ``charge``, ``discharge`` [MW] and ``soc`` [MWh] per zone and slice;
    ``day_start`` (chronological linking) per zone and calendar day; ``start`` (a window)
    per zone.
    """

    energy: Sizes
    power: Sizes
    charge_power: Sizes | None
    charge: Table
    discharge: Table
    soc: Table
    day_start: list[list[pulp.LpVariable]] | None = None
    start: Table | None = None


def add_storage(op: Ops, inst: Instance) -> list[Store]:
    """Sizes, operation and rows of every storage technology (hourly matching, or annual
    matching settled hour by hour: the instance has stores only where the run allows them).

    Rows per technology ``k``, zone ``z`` and slice ``t``: ``chp`` and ``dip`` (charge and
    discharge <= their capacity [MW]), ``dur`` (energy = duration x power, where fixed) and
    the state of charge: per period ``soc`` and ``soe``; linked ``soc``, ``soh``, ``sol``
    per slice and ``sod``, ``sde``, ``sdb`` per calendar day. Balance: ``+ discharge -
    charge`` in the store's zone.
    """
    if inst.settings.matching != "hourly" and inst.settings.exchange != "hourly":
        return []
    return [_one_store(op, inst, k) for k in range(len(inst.stores))]


def _sizes(
    op: Ops, inst: Instance, k: int, tech: StorageOption
) -> tuple[Sizes, Sizes, Sizes | None]:
    """Energy, power and (if apart) charging capacity per zone, with their annual costs."""
    n_z = inst.n_zones
    allowed = set(range(n_z) if tech.zones is None else tech.zones)
    up: list[float | None] = [None if z in allowed else 0.0 for z in range(n_z)]
    se = op.sizes("se", (k,), n_z, up=up, cost=[tech.energy_eur_per_mwh_yr] * n_z)
    sp = op.sizes("sp", (k,), n_z, up=up, cost=[tech.power_eur_per_mw_yr] * n_z)
    sq = None
    if tech.separate_charge:
        sq = op.sizes("sq", (k,), n_z, up=up, cost=[float(tech.charge_eur_per_mw_yr or 0.0)] * n_z)
    if tech.duration_h is not None:
        zones = np.arange(n_z)
        op.block("dur", [k, zones], pulp.LpConstraintEQ,
                 [(se, zones, 1.0), (sp, zones, -tech.duration_h)])  # fmt: skip
    return se, sp, sq


def _one_store(op: Ops, inst: Instance, k: int) -> Store:
    tech = inst.stores[k]
    h = op.horizon
    se, sp, sq = _sizes(op, inst, k, tech)
    zones = op.operable(np.arange(inst.n_zones), se, sp)
    linked = h.day_period is not None
    ch = op.table("sc", (k,), zones, bound=(sq or sp, "chp"))
    dis = op.table("sd", (k,), zones, bound=(sp, "dip"))
    soc = op.table("so", (k,), zones, low=None if linked else 0.0,
                   bound=None if linked else (se, "soe"))  # fmt: skip
    start = op.table("sw", (k,), zones, bound=(se, "soe"), once=True) if h.window else None
    prev = np.asarray(cyclic_previous(h.period.tolist()))
    t = np.arange(h.n_t)
    if linked or h.window:  # each day (or the window) starts from zero (or from ``start``)
        prev = np.where(prev >= t, -1, prev)
    op.feed(dis, zones, 1.0)
    op.feed(ch, zones, -1.0)
    terms = _soc_terms(len(zones), prev, tech.eta_charge, tech.eta_discharge, soc, ch, dis, start,
                       h.duration)  # fmt: skip
    op.block("soc", [k, np.repeat(zones, h.n_t), np.tile(t, len(zones))], pulp.LpConstraintEQ,
             terms)  # fmt: skip
    day_start = None
    if linked:
        assert isinstance(op, Builder), "chronological linking is for representative days"
        day_start = _link_days(op, k, soc.cells, se.cells)
    return Store(se, sp, sq, ch, dis, soc, day_start, start)


def _soc_terms(
    n_items: int, prev: np.ndarray, eta_in: float, eta_out: float, soc: Table, ch: Table,
    dis: Table, start: Table | None, duration: np.ndarray | None = None,
) -> list[Term]:  # fmt: skip
    """The state of charge of every zone and slice (:func:`siting.model.physics.soc_row`), the slice
    before being ``prev(t)``.

    ``prev(t) = -1``: the slice starts from zero (linked storage, first hour of a day), or
    from the window's ``start`` column; ``prev(t) = t``: a one-hour cyclic period, whose state
    returns to itself. ``duration``: hours each slice lasts [h] (a segment's charge and
    discharge act that long; None: one hour).
    """
    row = soc_row(eta_in, eta_out)
    n_t = len(prev)
    t = np.arange(n_t)
    base = (np.arange(n_items)[:, None] * n_t).ravel()[:, None]
    cell = (base + t).ravel()
    own = np.tile(np.where(prev == t, row.soc + row.previous, row.soc), n_items)
    before = np.where((prev >= 0) & (prev != t), prev, -1)
    before_cell = np.where(before >= 0, base + before, -1).ravel()
    charge: float | np.ndarray = row.charge
    discharge: float | np.ndarray = row.discharge
    if duration is not None:
        charge = np.tile(row.charge * duration, n_items)
        discharge = np.tile(row.discharge * duration, n_items)
    terms: list[Term] = [(soc, cell, own), (ch, cell, charge), (dis, cell, discharge),
                         (soc, before_cell, row.previous)]  # fmt: skip
    if start is not None:  # one column per item, in the item's first row
        first = np.where(t[None, :] == 0, np.arange(n_items)[:, None], -1).ravel()
        terms.append((start, first, row.previous))
    return terms


def day_runs(sequence: list[int]) -> list[tuple[int, int, int]]:
    """Runs of consecutive calendar days standing for the same period: ``(first day,
    days, period)`` each, in calendar order (a run does not wrap over the year's end)."""
    runs: list[tuple[int, int, int]] = []
    for d, p in enumerate(sequence):
        if runs and runs[-1][2] == p:
            first, n, _ = runs[-1]
            runs[-1] = (first, n + 1, p)
        else:
            runs.append((d, 1, p))
    return runs


def _link_days(
    b: Builder, k: int, soc: list[list[pulp.LpVariable]], se: list[pulp.LpVariable]
) -> list[list[pulp.LpVariable]]:
    """Calendar states and the rows joining them to the periods' relative states.

    Days in a run of ``n`` standing for the same period repeat one relative path: the state
    at the start of the run's ``j``-th day is ``start + j x net`` (``net``: the period's
    change over a day), linear in ``j``, so the run's highest and lowest states are on its
    first or last day. One state column per run and the bounds on its first and last day
    are exact and replace a column and three rows per calendar day (2015's 365 days are 184
    runs of the 12 representative days).
    """
    inst: Instance = b.inst
    assert inst.time.day_period is not None
    period = inst.time.period.tolist()
    first, last = period_bounds(period)
    n_p, runs = len(first), day_runs(inst.time.day_period.tolist())
    n_r = len(runs)
    # free: bounding them by zero (the day's start is one of its states) cuts off no plan,
    # but with the runs below it made HiPO stall on the guarantee's second 24/7 LP ("no
    # progress", then minutes of simplex clean-up) where either change alone solves in 40 s
    hi = b.var_table("sx", (k,), inst.n_zones, n_p, low=None)
    lo = b.var_table("sn", (k,), inst.n_zones, n_p, low=None)
    start = b.var_table("sy", (k,), inst.n_zones, n_r)
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
        ((k, z, d), [(start[z][(r + 1) % n_r], 1.0), (start[z][r], -1.0),
                     (soc[z][last[p]], -float(n))], 0.0)
        for z in zones for r, (d, n, p) in enumerate(runs)
    ))  # fmt: skip
    ends = [(r, d + j, j, p) for r, (d, n, p) in enumerate(runs) for j in sorted({0, n - 1})]
    b.rows("sde", pulp.LpConstraintLE, (
        ((k, z, day), [(start[z][r], 1.0), *_carried(soc[z][last[p]], j), (hi[z][p], 1.0),
                       (se[z], -1.0)], 0.0)
        for z in zones for r, day, j, p in ends
    ))  # fmt: skip
    b.rows("sdb", pulp.LpConstraintGE, (
        ((k, z, day), [(start[z][r], 1.0), *_carried(soc[z][last[p]], j), (lo[z][p], 1.0)],
         0.0)
        for z in zones for r, day, j, p in ends
    ))  # fmt: skip
    return start


def _carried(net: pulp.LpVariable, days: int) -> list[tuple[pulp.LpVariable, float]]:
    """``days x net``: the change a run's earlier days carry into a later one [MWh]."""
    return [(net, float(days))] if days else []
