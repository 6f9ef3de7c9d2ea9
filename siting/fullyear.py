"""The full-year check: a plan's investments re-dispatched over every hour of a weather year.

The plan's decisions are fixed (new IT capacity, hence the load of every zone; new clean
capacity per option; every store's energy and power; the usable share of every link). One
linear program then dispatches the year hour by hour with perfect foresight, storage carried
chronologically over the whole year (cyclic at the year's end), with the model's physics:
clean supply ``capacity x cf[h]``, link losses at the receiving end, ``sqrt(round trip)``
lost each way. It minimises residual grid energy [MWh]; whatever grid remains is what the plan
cannot cover with carbon-free supply in that weather.

Built as one column-wise matrix handed to HiGHS (``highspy``): 30 zones x 8,760 h with
storage and 115 links are about 2 M columns, too many for PuLP's per-object cost.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.instance import Instance
from siting.physics import soc_row
from siting.technologies import split_efficiency, store_size

HOURS = 8760


@dataclass(frozen=True)
class Store:
    """One storage technology's fixed sizes: ``energy`` [MWh] and ``power`` [MW] per zone.

    ``charge_power_mw``: a charging side sized apart [MW] (None: ``power_mw`` both ways);
    ``charge_efficiency``: stored per MWh drawn [-] (None: the round trip's square root).
    """

    tech: str
    roundtrip_efficiency: float
    energy_mwh: np.ndarray
    power_mw: np.ndarray
    charge_power_mw: np.ndarray | None = None
    charge_efficiency: float | None = None

    @property
    def eta_charge(self) -> float:
        """Stored energy per MWh drawn [-]."""
        return split_efficiency(self.roundtrip_efficiency, self.charge_efficiency)[0]

    @property
    def charge_mw(self) -> np.ndarray:
        """The charging limit per zone [MW]."""
        return self.power_mw if self.charge_power_mw is None else self.charge_power_mw


@dataclass(frozen=True)
class Plan:
    """A plan's investments, as the full-year check needs them.

    Attributes
    ----------
    zone_ids
        Zones, in instance order.
    load_mw
        Average electrical load per zone, existing and new [MW] (flat over the year).
    option_zone, option_tech, capacity_mw, annual_cf
        Every clean supply option: its zone (position), technology, new capacity [MW] and
        annual mean capacity factor [-] (what hourly weather is scaled to).
    link_from, link_to, link_usable_mw, link_efficiency
        Directed links: ends (positions), usable capacity [MW], delivered share [-].
    stores
        Storage technologies with their sizes.
    dispatchable
        Per option, whether it is an energy-limited reservoir: up to its capacity in any hour
        and ``annual_cf x 8,760 h`` of energy per MW over the year (None: none is).
    """

    zone_ids: list[str]
    load_mw: np.ndarray
    option_zone: np.ndarray
    option_tech: list[str]
    capacity_mw: np.ndarray
    annual_cf: np.ndarray
    link_from: np.ndarray
    link_to: np.ndarray
    link_usable_mw: np.ndarray
    link_efficiency: np.ndarray
    stores: list[Store] = field(default_factory=list)
    dispatchable: np.ndarray | None = None

    def is_dispatchable(self, j: int) -> bool:
        """Whether option ``j`` is dispatched by the LP rather than fixed by the weather."""
        return self.dispatchable is not None and bool(self.dispatchable[j])


def clean_supply(plan: Plan, hourly_cf: dict[int, np.ndarray]) -> np.ndarray:
    """Clean supply per zone and hour [MW]: new capacity x the option's hourly cf.

    ``hourly_cf`` maps option positions to their 8,760 hourly capacity factors; options
    missing from it (firm supply) deliver ``capacity x annual_cf`` every hour; dispatchable
    options are left to the LP (:func:`build_dispatch`).
    """
    out = np.zeros((len(plan.zone_ids), HOURS))
    for j, cap in enumerate(plan.capacity_mw):
        if cap <= 0 or plan.is_dispatchable(j):
            continue
        series = hourly_cf.get(j)
        out[plan.option_zone[j]] += cap * (series if series is not None else plan.annual_cf[j])
    return out


@dataclass(frozen=True)
class DispatchLP:
    """The dispatch LP as a column-wise matrix, with the positions of every block.

    Column groups, in order: ``grid`` (zones x hours), ``flows`` (used links x hours), per
    store its charge, discharge and state-of-charge blocks (its zones x hours), then (only
    when not cyclic) its start-of-window state of charge (one per zone), then reservoir
    outputs. Rows: the balance (zones x hours), per store its state-of-charge rows (its zones
    x hours), then one energy row per reservoir.
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    grid: slice
    stores: list[tuple[int, np.ndarray, slice, slice, slice]]
    """Per store: its plan position, the zones it has, and its charge, discharge, soc blocks."""
    flows: slice = field(default_factory=lambda: slice(0, 0))
    soc_rows: list[slice] = field(default_factory=list)
    """Per entry of ``stores``: its state-of-charge rows."""
    initial: list[slice] = field(default_factory=list)
    """Per entry of ``stores``, when not cyclic: its start-of-window state of charge columns."""
    n_hours: int = HOURS

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    def hourly_groups(self) -> list[tuple[slice, int]]:
        """Column blocks indexed by (item, hour): (slice, number of items)."""
        n_h = self.n_hours
        groups = [(self.grid, (self.grid.stop - self.grid.start) // n_h)]
        if self.flows.stop > self.flows.start:
            groups.append((self.flows, (self.flows.stop - self.flows.start) // n_h))
        for _, zones, ch, dis, soc in self.stores:
            groups += [(ch, len(zones)), (dis, len(zones)), (soc, len(zones))]
        return groups

    def row_groups(self) -> list[tuple[slice, int]]:
        """Row blocks indexed by (item, hour): the balance, then each store's soc rows."""
        n_z = (self.grid.stop - self.grid.start) // self.n_hours
        groups = [(slice(0, n_z * self.n_hours), n_z)]
        return groups + [(r, len(st[1])) for r, st in zip(self.soc_rows, self.stores, strict=True)]


_Block = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Columns of one kind: cost, lower, upper, row indices (k x n), values (k x n)."""


def _store_blocks(
    st: Store, zones: np.ndarray, n_h: int, first_row: int, cyclic: bool
) -> list[_Block]:
    """Charge, discharge and state-of-charge columns of one store (and the window start)."""
    h = np.arange(n_h)
    row = soc_row(st.eta_charge, st.roundtrip_efficiency / st.eta_charge)
    n = len(zones) * n_h
    bal = (zones[:, None] * n_h + h).ravel()
    own = first_row + np.arange(n)  # each hour's state-of-charge row
    next_row = first_row + (np.arange(len(zones))[:, None] * n_h + (h + 1) % n_h).ravel()
    z0 = np.zeros(n)
    # soc[h] appears in its own row and in the next hour's row; a window that is not cyclic
    # drops the wrap and starts from its own start-of-window column
    carry = np.full((len(zones), n_h), row.previous)
    if not cyclic:
        carry[:, -1] = 0.0
    blocks = [
        (z0, z0, np.repeat(st.charge_mw[zones], n_h), np.vstack([bal, own]),
         np.vstack([-np.ones(n), np.full(n, row.charge)])),
        (z0, z0, np.repeat(st.power_mw[zones], n_h), np.vstack([bal, own]),
         np.vstack([np.ones(n), np.full(n, row.discharge)])),
        (z0, z0, np.repeat(st.energy_mwh[zones], n_h), np.vstack([own, next_row]),
         np.vstack([np.full(n, row.soc), carry.ravel()])),
    ]  # fmt: skip
    if not cyclic:
        k = len(zones)
        first = (first_row + np.arange(k) * n_h)[None, :]
        blocks.append((np.zeros(k), np.zeros(k), st.energy_mwh[zones].astype(float), first,
                       np.full((1, k), row.previous)))  # fmt: skip
    return blocks


def build_dispatch(plan: Plan, clean: np.ndarray, cyclic: bool = True) -> DispatchLP:
    """The dispatch LP of a plan over ``clean``'s hours (pure: arrays in, arrays out).

    Columns: grid ``g[z,h]`` >= 0 (cost 1 per MWh), flows ``f[l,h]`` in [0, usable], and per
    store and zone with both energy and power: charge and discharge in [0, power] and state of
    charge in [0, energy]. Rows: the balance of every zone and hour
    (``sum eta_l f_in - sum f_out + dis - ch + g >= load - clean``) and the state of charge of
    every store, zone and hour (``soc[h] - soc[h-1] - eta ch[h] + dis[h] / eta = 0``, cyclic;
    otherwise ``soc[-1]`` is a start-of-window column in [0, energy] and the end is free);
    per reservoir, output ``d[h]`` in [0, capacity] with ``sum_h d[h] <= cf x hours x capacity``
    (``cf x 8,760 x capacity`` over a year).
    """
    n_z, n_h = clean.shape
    links = np.flatnonzero(plan.link_usable_mw > 0)
    bal_rows = (plan.load_mw[:, None] - clean).ravel()
    hz = np.arange(n_z * n_h)
    blocks: list[_Block] = [(np.ones(n_z * n_h), np.zeros(n_z * n_h), np.full(n_z * n_h, np.inf),
                             hz[None, :], np.ones((1, n_z * n_h)))]  # fmt: skip
    h = np.arange(n_h)
    if len(links):
        rows_to = (plan.link_to[links][:, None] * n_h + h).ravel()
        rows_from = (plan.link_from[links][:, None] * n_h + h).ravel()
        n = len(rows_to)
        blocks.append((np.zeros(n), np.zeros(n), np.repeat(plan.link_usable_mw[links], n_h),
                       np.vstack([rows_to, rows_from]),
                       np.vstack([np.repeat(plan.link_efficiency[links], n_h), -np.ones(n)])))  # fmt: skip
    flows = slice(n_z * n_h, n_z * n_h + len(links) * n_h)
    n_rows, offset = n_z * n_h, flows.stop
    store_info, soc_rows, initial = [], [], []
    for s, st in enumerate(plan.stores):
        zones = np.flatnonzero((st.energy_mwh > 1e-9) & (st.power_mw > 1e-9))
        if not len(zones):
            continue
        n = len(zones) * n_h
        blocks += _store_blocks(st, zones, n_h, n_rows, cyclic)
        store_info.append((s, zones, slice(offset, offset + n), slice(offset + n, offset + 2 * n),
                           slice(offset + 2 * n, offset + 3 * n)))  # fmt: skip
        soc_rows.append(slice(n_rows, n_rows + n))
        offset += 3 * n
        if not cyclic:
            initial.append(slice(offset, offset + len(zones)))
            offset += len(zones)
        n_rows += n
    n_store_rows = n_rows - n_z * n_h
    reservoirs = [j for j in range(len(plan.capacity_mw))
                  if plan.is_dispatchable(j) and plan.capacity_mw[j] > 0]  # fmt: skip
    budget = np.array([plan.annual_cf[j] * n_h * plan.capacity_mw[j] for j in reservoirs])
    for r, j in enumerate(reservoirs):
        # output[h] in [0, capacity]: +1 in its zone's balance and in its energy row
        rows = np.vstack([plan.option_zone[j] * n_h + h, np.full(n_h, n_rows + r)])
        blocks.append((np.zeros(n_h), np.zeros(n_h), np.full(n_h, plan.capacity_mw[j]), rows,
                       np.ones((2, n_h))))  # fmt: skip
    row_lower = np.concatenate([bal_rows, np.zeros(n_store_rows), np.full(len(budget), -np.inf)])
    row_upper = np.concatenate([np.full(n_z * n_h, np.inf), np.zeros(n_store_rows), budget])
    start, index, value = _column_wise(blocks)
    return DispatchLP(
        np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks]),
        np.concatenate([b[2] for b in blocks]), row_lower, row_upper, start, index, value,
        slice(0, n_z * n_h), store_info, flows, soc_rows, initial, n_h,
    )  # fmt: skip


def _column_wise(blocks: list[_Block]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSC arrays of the blocks' columns, zero entries dropped."""
    # each block's columns have the same number of entries: stack them column-major
    index = np.concatenate([b[3].T.ravel() for b in blocks]).astype(np.int32)
    value = np.concatenate([b[4].T.ravel() for b in blocks])
    per_col = np.concatenate([np.full(b[0].size, b[3].shape[0]) for b in blocks])
    keep = value != 0
    col = np.repeat(np.arange(per_col.size), per_col)[keep]
    counts = np.bincount(col, minlength=per_col.size)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return start, index[keep], value[keep]


@dataclass(frozen=True)
class Dispatch:
    """The solved full-year dispatch.

    Attributes
    ----------
    grid_mw
        Residual grid per zone and hour [MW] (zones x 8,760).
    soc_mwh
        State of charge per store tech: zones x 8,760 [MWh] (zero where the zone has none).
    status, solve_s
        HiGHS model status text and wall time [s] (windows included).
    iterations
        Simplex iterations of the whole-year solve (windows not included) [-].
    windows_s
        Wall time of the warm-start windows [s] (0 without them).
    warm
        Whether the whole-year solve started from the windows' stitched basis.
    """

    grid_mw: np.ndarray
    soc_mwh: dict[str, np.ndarray]
    status: str
    solve_s: float
    iterations: int = 0
    windows_s: float = 0.0
    warm: bool = False
    sensitivity: Sensitivity | None = None
    """How the year's residual grid moves with each investment (the LP's duals)."""


@dataclass(frozen=True)
class Sensitivity:
    """Derivatives of the optimal residual grid [MWh/yr] with respect to the plan's sizes.

    From the dispatch LP's duals: a balance row's dual is the residual saved per MW more clean
    supply in that zone and hour, a column's reduced cost at its upper bound the residual
    saved per MW (or MWh) more of that bound. The residual is convex in the sizes, so
    ``R(x) >= R(x0) + g . (x - x0)`` for every plan ``x``: the cut of the full-year guarantee
    (``docs/model.md#guarantee``). Zero where the plan has no such store (the LP has no column
    to price it).

    Attributes
    ----------
    balance
        Dual of every zone and hour's balance row (zones x hours) [MWh/MWh], >= 0.
    energy, power, charge
        Per store of the plan: d residual / d energy [MWh/MWh], / d discharge power and, for a
        charging side sized apart, / d charging power [MWh/MW], per zone; <= 0.
    reservoir
        Per option position: d residual / d capacity of a reservoir [MWh/MW] (0 otherwise).
    """

    balance: np.ndarray
    energy: list[np.ndarray]
    power: list[np.ndarray]
    charge: list[np.ndarray]
    reservoir: np.ndarray


def sensitivity(
    plan: Plan, lp: DispatchLP, col_dual: np.ndarray, row_dual: np.ndarray
) -> Sensitivity:
    """The :class:`Sensitivity` of a solved dispatch LP (pure: arrays in, arrays out)."""
    n_z, n_h = len(plan.zone_ids), lp.n_hours
    # a column at its upper bound has a reduced cost <= 0, the price of that bound; one at its
    # lower bound (zero) a cost >= 0 that no size changes
    at_upper = np.minimum(col_dual, 0.0)
    energy = [np.zeros(n_z) for _ in plan.stores]
    power = [np.zeros(n_z) for _ in plan.stores]
    charge = [np.zeros(n_z) for _ in plan.stores]
    for s, zones, ch, dis, soc in lp.stores:
        per_zone = [at_upper[b].reshape(len(zones), n_h).sum(axis=1) for b in (ch, dis, soc)]
        energy[s][zones] = per_zone[2]
        power[s][zones] = per_zone[1]
        if plan.stores[s].charge_power_mw is None:
            power[s][zones] += per_zone[0]  # one power rating both ways
        else:
            charge[s][zones] = per_zone[0]
    reservoir = np.zeros(len(plan.capacity_mw))
    # reservoir output columns follow every store column; energy rows follow the store rows
    res = [j for j in range(len(plan.capacity_mw))
           if plan.is_dispatchable(j) and plan.capacity_mw[j] > 0]  # fmt: skip
    first_col = lp.n_cols - len(res) * n_h
    first_row = len(lp.row_lower) - len(res)
    for r, j in enumerate(res):
        out = at_upper[first_col + r * n_h : first_col + (r + 1) * n_h].sum()
        reservoir[j] = out + row_dual[first_row + r] * plan.annual_cf[j] * n_h
    balance = row_dual[: n_z * n_h].reshape(n_z, n_h)
    return Sensitivity(balance, energy, power, charge, reservoir)


WARM_BLOCKS = 104
"""Windows the full-year check first solves on their own (3.5 days each) to warm-start the
whole year: 43 s instead of 127 s on the European 24/7 plan (``docs/solvers.md#full-year-check``)."""


def reservoir_options() -> dict[str, str]:
    """HiGHS options for the full-year check of a plan with reservoirs.

    A reservoir's annual energy budget ties all 8,760 hours together, so the year cannot be
    cut into warm-start windows, and dual simplex from scratch took 85 minutes on the
    ``europe-2030-247-firm`` plan. An interior point does not need a starting basis: HiPO
    (IPX where HiPO's libraries are missing) without crossover, whose duals are all the
    cuts need (``docs/solvers.md#full-year-check``).
    """
    from siting.solvers import hipo_available

    return {"solver": "hipo" if hipo_available() else "ipx", "run_crossover": "off"}


def _highs_lp(lp: DispatchLP) -> Any:
    import highspy

    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.n_cols, len(lp.row_lower)
    model.col_cost_ = lp.cost
    model.col_lower_ = lp.lower
    model.col_upper_ = np.where(np.isinf(lp.upper), inf, lp.upper)
    model.row_lower_ = np.where(np.isinf(lp.row_lower), -inf, lp.row_lower)
    model.row_upper_ = np.where(np.isinf(lp.row_upper), inf, lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.start
    model.a_matrix_.index_ = lp.index
    model.a_matrix_.value_ = lp.value
    return model


def _highs(threads: int, options: dict[str, Any] | None) -> Any:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    return h


def window_basis(
    plan: Plan, clean: np.ndarray, options: dict[str, Any] | None = None
) -> tuple[DispatchLP, np.ndarray, np.ndarray]:
    """The optimal simplex basis of one window of hours with free start and end (pure, no I/O).

    Returns the window's LP (:func:`build_dispatch` with ``cyclic=False`` over ``clean``'s
    hours) and its column and row statuses (HiGHS's ``HighsBasisStatus`` codes).
    """
    lp = build_dispatch(plan, clean, cyclic=False)
    h = _highs(1, {"solver": "simplex", **(options or {})})
    h.passModel(_highs_lp(lp))
    h.run()
    basis = h.getBasis()
    code = {status: int(status) for status in type(basis.col_status[0]).__members__.values()}
    return (lp, np.fromiter((code[v] for v in basis.col_status), np.int8, lp.n_cols),
            np.fromiter((code[v] for v in basis.row_status), np.int8, len(lp.row_lower)))  # fmt: skip


def stitched_basis(
    full: DispatchLP, windows: list[tuple[DispatchLP, int, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray] | None:
    """A basis of the whole year from its windows' bases (pure).

    ``windows``: each window's LP, its first hour and its column and row statuses, covering
    the year in order. Every hourly column and row takes its window's status; where a window's
    start-of-window column was basic, the first state-of-charge row of that window becomes
    basic instead, which keeps one basic variable per row. None if the count still does not
    match (the caller then solves without it).
    """
    basic = 1  # HighsBasisStatus.kBasic
    col = np.zeros(full.n_cols, np.int8)  # kLower
    row = np.full(len(full.row_lower), basic, np.int8)
    n_h = full.n_hours
    for lp, first, cs, rs in windows:
        hours = slice(first, first + lp.n_hours)
        for (fs, k), (ws, _) in zip(full.hourly_groups(), lp.hourly_groups(), strict=True):
            col[fs].reshape(k, n_h)[:, hours] = cs[ws].reshape(k, lp.n_hours)
        for (fs, k), (ws, _) in zip(full.row_groups(), lp.row_groups(), strict=True):
            row[fs].reshape(k, n_h)[:, hours] = rs[ws].reshape(k, lp.n_hours)
        for soc_rows, init in zip(full.soc_rows, lp.initial, strict=True):
            k = init.stop - init.start
            starts = soc_rows.start + np.arange(k) * n_h + first
            row[starts[cs[init] == basic]] = basic
    if int((col == basic).sum() + (row == basic).sum()) != len(full.row_lower):
        return None
    return col, row


def solve_dispatch(
    plan: Plan,
    clean: np.ndarray,
    threads: int = 1,
    options: dict[str, Any] | None = None,
    warm_blocks: int = WARM_BLOCKS,
    workers: int = 2,
    duals: bool = False,
) -> Dispatch:
    """Build and solve the dispatch LP with HiGHS.

    With ``warm_blocks`` > 1 (and simplex, no reservoirs), the year is first cut into that many
    windows solved on their own, and their bases stitched into a starting basis for the whole
    year. The LP solved is the same; only the simplex method's starting point differs, so the
    optimum is the year's own (``docs/solvers.md#full-year-check``). ``workers`` threads solve the
    windows. A plan with reservoirs asking for simplex gets :func:`reservoir_options` instead.
    ``duals``: also return the :class:`Sensitivity` of the residual to the sizes.
    """
    import highspy

    reservoirs = plan.dispatchable is not None and bool(np.any(plan.dispatchable))
    if reservoirs and (options or {}).get("solver") == "simplex":
        options = {**(options or {}), **reservoir_options()}
    lp = build_dispatch(plan, clean)
    h = _highs(threads, options)
    h.passModel(_highs_lp(lp))
    t = time.perf_counter()
    warm, windows_s = False, 0.0
    if warm_blocks > 1 and not reservoirs and (options or {}).get("solver") == "simplex":
        cuts = np.linspace(0, clean.shape[1], warm_blocks + 1).astype(int)
        spans = list(itertools.pairwise(cuts.tolist()))
        # HiGHS releases the GIL while it solves: threads run the windows side by side, and
        # each window's answer is the same whichever thread solves it
        with ThreadPoolExecutor(max(1, workers)) as pool:
            bases = list(pool.map(lambda ab: window_basis(plan, clean[:, ab[0] : ab[1]]), spans))
        windows = [(w, a, cs, rs) for (a, _), (w, cs, rs) in zip(spans, bases, strict=True)]
        stitched = stitched_basis(lp, windows)
        if stitched is not None:
            members = list(highspy.HighsBasisStatus.__members__.values())
            lut = {int(m): m for m in members}
            basis = highspy.HighsBasis()
            basis.col_status = [lut[v] for v in stitched[0].tolist()]
            basis.row_status = [lut[v] for v in stitched[1].tolist()]
            basis.valid = True
            warm = h.setBasis(basis) == highspy.HighsStatus.kOk
        windows_s = time.perf_counter() - t
    from siting.watch import SolveWatch

    watch = SolveWatch()
    watch.run(h)
    if watch.interrupted:
        raise KeyboardInterrupt("full-year check stopped")
    elapsed = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    solution = h.getSolution()
    x = np.asarray(solution.col_value)
    n_z, n_h = clean.shape
    grid = np.clip(x[lp.grid].reshape(n_z, n_h), 0.0, None)
    soc = {}
    for s, zones, _, _, so in lp.stores:
        full = np.zeros((n_z, n_h))
        full[zones] = x[so].reshape(len(zones), n_h)
        soc[plan.stores[s].tech] = full
    iterations = int(h.getInfo().simplex_iteration_count)
    sens = None
    if duals and solution.dual_valid:
        sens = sensitivity(plan, lp, np.asarray(solution.col_dual), np.asarray(solution.row_dual))
    return Dispatch(grid, soc, status, elapsed, iterations, windows_s, warm, sens)


def longest_stretch(flags: np.ndarray) -> tuple[int, int]:
    """Longest run of True: (start position, length); (-1, 0) when there is none."""
    best, start, run_start = (-1, 0), -1, 0
    for i, f in enumerate(np.append(flags, False)):
        if f and start < 0:
            start = i
        elif not f and start >= 0:
            if i - start > best[1]:
                best = (start, i - start)
            start = -1
    del run_start
    return best


def report(
    plan: Plan,
    dispatch: Dispatch,
    year: int,
    stamps: pd.DatetimeIndex,
    cfe_target: float = 1.0,
    margin: float = 0.01,
    grid_cost_eur_per_mwh: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-zone table (``tables/full_year.csv`` rows) and headline numbers of one year.

    ``grid_cost_eur_per_mwh``: each zone's price of residual grid energy (price plus carbon
    price x intensity) [EUR/MWh], for the ``grid_cost_eur`` column; None: no cost column.

    The worst day is the day with the largest residual grid share of the day's load; the
    longest shortfall stretch counts consecutive days whose system-wide residual grid share
    exceeds the plan's allowance ``1 - cfe_target`` by more than ``margin`` (1 point).
    """
    stretch_share = 1.0 - cfe_target + margin
    load = np.repeat(plan.load_mw[:, None], HOURS, axis=1)
    days = stamps.normalize()
    day_keys = pd.DatetimeIndex(days.unique())
    grid_day = pd.DataFrame(dispatch.grid_mw.T, index=days).groupby(level=0).sum()
    load_day = pd.DataFrame(load.T, index=days).groupby(level=0).sum()
    rows = []
    for z, zone in enumerate(plan.zone_ids):
        lz = float(load[z].sum())
        gz = float(dispatch.grid_mw[z].sum())
        share = (grid_day[z] / load_day[z].where(load_day[z] > 0)).fillna(0.0)
        worst = share.idxmax() if lz > 0 else day_keys[0]
        rows.append({
            "zone_id": zone, "weather_year": year, "load_mwh": lz, "grid_mwh": gz,
            "cfe": 1.0 - gz / lz if lz > 0 else 1.0,
            "worst_day": f"{worst:%Y-%m-%d}", "worst_day_grid_share": float(share.max()),
        })  # fmt: skip
        if grid_cost_eur_per_mwh is not None:
            rows[-1]["grid_cost_eur"] = gz * float(grid_cost_eur_per_mwh[z])
    table = pd.DataFrame(rows)
    total_load, total_grid = float(load.sum()), float(dispatch.grid_mw.sum())
    system = grid_day.sum(axis=1) / load_day.sum(axis=1)
    first, length = longest_stretch((system > stretch_share).to_numpy())
    hourly = dispatch.grid_mw.sum(axis=0) / load.sum(axis=0)
    month = pd.Series(dispatch.grid_mw.sum(axis=0), index=stamps).groupby(stamps.month).sum()
    head = {
        "cfe": 1.0 - total_grid / total_load if total_load > 0 else 1.0,
        "residual_mwh": total_grid,
        "residual_cost_eur": float(table["grid_cost_eur"].sum())
        if "grid_cost_eur" in table
        else None,
        "worst_day": f"{system.idxmax():%Y-%m-%d}",
        "worst_day_grid_share": float(system.max()),
        "worst_hour": f"{stamps[int(np.argmax(hourly))]:%Y-%m-%dT%H:%MZ}",
        "worst_hour_grid_share": float(hourly.max()),
        "longest_stretch_days": int(length),
        "stretch_threshold": stretch_share,
        "longest_stretch_start": f"{system.index[first]:%Y-%m-%d}" if length else None,
        "residual_mwh_by_month": {int(m): float(v) for m, v in month.items()},
        "solver_status": dispatch.status,
    }
    return table, head


def plan_from_tables(
    inst: Instance, sites: pd.DataFrame, renewables: pd.DataFrame, zones: pd.DataFrame
) -> Plan:
    """A plan from a run's decision tables (``sites``, ``renewables``, ``zones``) and its instance.

    Only decisions are read: new IT capacity per site, new clean MW per option, store sizes
    per zone (``<tech>_mwh``/``<tech>_mw``, :func:`siting.technologies.store_size`). Loads,
    cfs, links and efficiencies come from the instance.
    """
    new_it = sites.set_index("site_id")["new_it_mw"].reindex(inst.site_ids).fillna(0.0).to_numpy()
    load = inst.fixed_load_mw.copy()
    np.add.at(load, inst.site_zone, inst.new_load_per_mw * new_it)
    keys = pd.MultiIndex.from_arrays([[inst.zone_ids[z] for z in inst.re_zone], inst.re_tech])
    cap = renewables.set_index(["zone_id", "tech"])["new_mw"].reindex(keys).fillna(0.0).to_numpy()
    # weather is scaled once over the year to the option's annual cf, as the model's days are
    annual = (
        inst.re_annual_cf
        if inst.re_annual_cf is not None
        else inst.re_cf @ inst.weight_h / float(inst.weight_h.sum())
    )
    z = zones.set_index("zone_id").reindex(inst.zone_ids)
    stores = []
    none = pd.Series(0.0, index=z.index)
    for o in inst.storage:
        energy, power = (store_size(z, o.tech, unit) for unit in ("mwh", "mw"))
        charge = (
            z[f"{o.tech}_charge_mw"].fillna(0.0).to_numpy()
            if o.separate_charge and f"{o.tech}_charge_mw" in z.columns
            else None
        )
        stores.append(Store(o.tech, o.roundtrip_efficiency,
                            (none if energy is None else energy).fillna(0.0).to_numpy(),
                            (none if power is None else power).fillna(0.0).to_numpy(), charge,
                            o.charge_efficiency))  # fmt: skip
    return Plan(
        list(inst.zone_ids), load, inst.re_zone.copy(), list(inst.re_tech), cap, np.asarray(annual),
        inst.link_from.copy(), inst.link_to.copy(), inst.link_usable_mw.copy(),
        inst.link_efficiency.copy(), stores,
        None if inst.re_dispatchable is None else inst.re_dispatchable.copy(),
    )  # fmt: skip
