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

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from siting.instance import Instance
from siting.technologies import split_efficiency

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
    """The dispatch LP as a column-wise matrix, with the positions of every block."""

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

    @property
    def n_cols(self) -> int:
        return len(self.cost)


def build_dispatch(plan: Plan, clean: np.ndarray) -> DispatchLP:
    """The full-year dispatch LP of a plan (pure: arrays in, arrays out).

    Columns: grid ``g[z,h]`` >= 0 (cost 1 per MWh), flows ``f[l,h]`` in [0, usable], and per
    store and zone with both energy and power: charge and discharge in [0, power] and state of
    charge in [0, energy]. Rows: the balance of every zone and hour
    (``sum eta_l f_in - sum f_out + dis - ch + g >= load - clean``) and the state of charge of
    every store, zone and hour (``soc[h] - soc[h-1] - eta ch[h] + dis[h] / eta = 0``, cyclic);
    per reservoir, output ``d[h]`` in [0, capacity] with ``sum_h d[h] <= cf x 8,760 x capacity``.
    """
    n_z, n_h = clean.shape
    links = np.flatnonzero(plan.link_usable_mw > 0)
    bal_rows = (plan.load_mw[:, None] - clean).ravel()
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    # (cost, lower, upper, per-column row indices (k x ncols), per-column values)
    hz = np.arange(n_z * n_h)
    blocks.append((np.ones(n_z * n_h), np.zeros(n_z * n_h), np.full(n_z * n_h, np.inf),
                   hz[None, :], np.ones((1, n_z * n_h))))  # fmt: skip
    h = np.arange(n_h)
    if len(links):
        rows_to = (plan.link_to[links][:, None] * n_h + h).ravel()
        rows_from = (plan.link_from[links][:, None] * n_h + h).ravel()
        eff = np.repeat(plan.link_efficiency[links], n_h)
        up = np.repeat(plan.link_usable_mw[links], n_h)
        n = len(up)
        blocks.append((np.zeros(n), np.zeros(n), up, np.vstack([rows_to, rows_from]),
                       np.vstack([eff, -np.ones(n)])))  # fmt: skip
    n_rows = n_z * n_h
    store_info = []
    offset = sum(b[0].size for b in blocks)
    for s, st in enumerate(plan.stores):
        zones = np.flatnonzero((st.energy_mwh > 1e-9) & (st.power_mw > 1e-9))
        if not len(zones):
            continue
        eta_in = st.eta_charge
        eta_out = st.roundtrip_efficiency / eta_in
        n = len(zones) * n_h
        bal = (zones[:, None] * n_h + h).ravel()
        soc_row = n_rows + np.arange(n)
        prev_row = n_rows + (np.arange(len(zones))[:, None] * n_h + (h + 1) % n_h).ravel()
        power = np.repeat(st.power_mw[zones], n_h)
        charge = np.repeat(st.charge_mw[zones], n_h)
        energy = np.repeat(st.energy_mwh[zones], n_h)
        z0 = np.zeros(n)
        blocks.append((z0, z0, charge, np.vstack([bal, soc_row]),
                       np.vstack([-np.ones(n), np.full(n, -eta_in)])))  # fmt: skip
        blocks.append((z0, z0, power, np.vstack([bal, soc_row]),
                       np.vstack([np.ones(n), np.full(n, 1 / eta_out)])))  # fmt: skip
        # soc[h] appears in its own row (+1) and in the next hour's row (-1)
        blocks.append(
            (z0, z0, energy, np.vstack([soc_row, prev_row]), np.vstack([np.ones(n), -np.ones(n)]))
        )
        store_info.append((s, zones, slice(offset, offset + n), slice(offset + n, offset + 2 * n),
                           slice(offset + 2 * n, offset + 3 * n)))  # fmt: skip
        offset += 3 * n
        n_rows += n
    n_store_rows = n_rows - n_z * n_h
    reservoirs = [j for j in range(len(plan.capacity_mw))
                  if plan.is_dispatchable(j) and plan.capacity_mw[j] > 0]  # fmt: skip
    budget = np.array([plan.annual_cf[j] * n_h * plan.capacity_mw[j] for j in reservoirs])
    for r, j in enumerate(reservoirs):
        # output[h] in [0, capacity]: +1 in its zone's balance and in its energy row
        n = n_h
        z0 = np.zeros(n)
        rows = np.vstack([plan.option_zone[j] * n_h + h, np.full(n, n_rows + r)])
        blocks.append((z0, z0, np.full(n, plan.capacity_mw[j]), rows, np.ones((2, n))))
    n_rows += len(reservoirs)
    cost = np.concatenate([b[0] for b in blocks])
    lower = np.concatenate([b[1] for b in blocks])
    upper = np.concatenate([b[2] for b in blocks])
    # each block's columns have the same number of nonzeros: stack them column-major
    per_col = np.concatenate([np.full(b[0].size, b[3].shape[0]) for b in blocks])
    start = np.concatenate([[0], np.cumsum(per_col)]).astype(np.int32)
    index = np.concatenate([b[3].T.ravel() for b in blocks]).astype(np.int32)
    value = np.concatenate([b[4].T.ravel() for b in blocks])
    row_lower = np.concatenate([bal_rows, np.zeros(n_store_rows), np.full(len(budget), -np.inf)])
    row_upper = np.concatenate([np.full(n_z * n_h, np.inf), np.zeros(n_store_rows), budget])
    return DispatchLP(cost, lower, upper, row_lower, row_upper, start, index, value,
                      slice(0, n_z * n_h), store_info)  # fmt: skip


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
        HiGHS model status text and wall time [s].
    """

    grid_mw: np.ndarray
    soc_mwh: dict[str, np.ndarray]
    status: str
    solve_s: float


def solve_dispatch(
    plan: Plan, clean: np.ndarray, threads: int = 1, options: dict[str, Any] | None = None
) -> Dispatch:
    """Build and solve the dispatch LP with HiGHS."""
    import highspy

    lp = build_dispatch(plan, clean)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.n_cols, len(lp.row_lower)
    inf = highspy.kHighsInf
    model.col_cost_ = lp.cost
    model.col_lower_ = lp.lower
    model.col_upper_ = np.where(np.isinf(lp.upper), inf, lp.upper)
    model.row_lower_ = np.where(np.isinf(lp.row_lower), -inf, lp.row_lower)
    model.row_upper_ = np.where(np.isinf(lp.row_upper), inf, lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.start
    model.a_matrix_.index_ = lp.index
    model.a_matrix_.value_ = lp.value
    h.passModel(model)
    t = time.perf_counter()
    h.run()
    elapsed = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    x = np.asarray(h.getSolution().col_value)
    n_z, n_h = clean.shape
    grid = np.clip(x[lp.grid].reshape(n_z, n_h), 0.0, None)
    soc = {}
    for s, zones, _, _, so in lp.stores:
        full = np.zeros((n_z, n_h))
        full[zones] = x[so].reshape(len(zones), n_h)
        soc[plan.stores[s].tech] = full
    return Dispatch(grid, soc, status, elapsed)


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
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-zone table (``tables/full_year.csv`` rows) and headline numbers of one year.

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
    table = pd.DataFrame(rows)
    total_load, total_grid = float(load.sum()), float(dispatch.grid_mw.sum())
    system = grid_day.sum(axis=1) / load_day.sum(axis=1)
    first, length = longest_stretch((system > stretch_share).to_numpy())
    hourly = dispatch.grid_mw.sum(axis=0) / load.sum(axis=0)
    month = pd.Series(dispatch.grid_mw.sum(axis=0), index=stamps).groupby(stamps.month).sum()
    head = {
        "cfe": 1.0 - total_grid / total_load if total_load > 0 else 1.0,
        "residual_mwh": total_grid,
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
    per zone (``storage_mwh``/``storage_mw`` for the battery, ``<tech>_mwh``/``<tech>_mw``
    for other stores). Loads, cfs, links and efficiencies come from the instance.
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
    for o in inst.storage:
        e_col, p_col = (
            ("storage_mwh", "storage_mw")
            if o.tech == "battery"
            else (f"{o.tech}_mwh", f"{o.tech}_mw")
        )
        charge = (
            z[f"{o.tech}_charge_mw"].fillna(0.0).to_numpy()
            if o.separate_charge and f"{o.tech}_charge_mw" in z.columns
            else None
        )
        stores.append(Store(o.tech, o.roundtrip_efficiency, z[e_col].fillna(0.0).to_numpy(),
                            z[p_col].fillna(0.0).to_numpy(), charge, o.charge_efficiency))  # fmt: skip
    return Plan(
        list(inst.zone_ids), load, inst.re_zone.copy(), list(inst.re_tech), cap, np.asarray(annual),
        inst.link_from.copy(), inst.link_to.copy(), inst.link_usable_mw.copy(),
        inst.link_efficiency.copy(), stores,
        None if inst.re_dispatchable is None else inst.re_dispatchable.copy(),
    )  # fmt: skip
