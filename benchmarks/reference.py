"""Reference formulations of the siting model for honest speed comparisons.

The same MILP as :func:`siting.model.build_model` (DESIGN §4: sites, target, clean capacity,
links, residual grid, storage, zone balances, CFE allowances, country caps and site counts),
written twice more from the same :class:`~siting.instance.Instance`:

- :func:`build_matrix`: the constraint matrix assembled directly with numpy, the floor for
  modelling overhead;
- :func:`build_linopy`: with linopy, the fastest mainstream Python modeller.

``tests/test_reference_models.py`` proves on small instances that all three give the same
optimum. Latency rows, forced areas and per-country minimum site counts are not written here;
the builders refuse instances that use them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from siting.instance import Instance, StorageOption
from siting.model import cyclic_previous
from siting.solve.scaling import NO_SCALING, MatrixLP, Scaling, apply_scaling, choose_scaling
from siting.solve.solvers import highs_lp

INF = math.inf


@dataclass
class MatrixModel:
    """A MILP in row-wise (CSR) form: ``min c x``, ``row_lo <= A x <= row_hi``, bounds."""

    cost: NDArray[np.float64]
    col_lo: NDArray[np.float64]
    col_hi: NDArray[np.float64]
    integer: NDArray[np.bool_]
    row_lo: NDArray[np.float64]
    row_hi: NDArray[np.float64]
    start: NDArray[np.int32]
    index: NDArray[np.int32]
    value: NDArray[np.float64]

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lo)

    @property
    def nnz(self) -> int:
        return len(self.value)


def _unsupported(inst: Instance) -> None:
    if (
        inst.n_demand
        or inst.areas.names
        or any(n > 0 for n in inst.settings.min_sites_by_country.values())
    ):
        raise NotImplementedError("reference builders do not write latency or area rows")


def _buys(inst: Instance) -> bool:
    """Whether the model has grid purchases: below 100 % CFE, or annual matching settled
    hour by hour."""
    return inst.settings.cfe_target < 1.0 or (
        inst.settings.matching == "annual" and inst.settings.exchange == "hourly"
    )


def _battery(inst: Instance) -> StorageOption | None:
    """The one store the reference builders write (they cover a single storage technology)."""
    if inst.settings.matching != "hourly" or not inst.stores:
        return None
    if len(inst.stores) > 1:
        raise NotImplementedError("reference builders write one storage technology")
    return inst.stores[0]


@dataclass
class _Cols:
    """Column blocks: where each variable group starts."""

    n: int = 0

    def take(self, k: int) -> int:
        first = self.n
        self.n += k
        return first


def _site_columns(inst: Instance) -> tuple[list[int], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Sites that get variables, their column bound, MW per unit and whether modular."""
    modular = ~np.isnan(inst.sites.module_it_mw)
    cap = np.where(modular, inst.sites.max_modules.astype(float), inst.sites.headroom_mw)
    cap = np.where(inst.sites.eligible, cap, 0.0)
    keep = (inst.sites.eligible | inst.sites.forced) & ((cap > 0) | inst.sites.forced)
    sited = [int(s) for s in np.flatnonzero(keep)]
    size_mw = np.where(modular, np.nan_to_num(inst.sites.module_it_mw), 1.0)
    return sited, cap, size_mw, modular


def build_matrix(inst: Instance, symmetry_breaking: bool = False) -> MatrixModel:
    """Assemble the siting MILP as a CSR matrix with numpy (no modelling layer).

    Parameters
    ----------
    inst
        The problem instance.
    """
    _unsupported(inst)
    n_z, n_t, n_l = inst.n_zones, inst.n_slices, len(inst.links.ids)
    w = inst.time.weight_h
    cols = _Cols()
    cost: list[NDArray[Any]] = []
    lo: list[NDArray[Any]] = []
    hi: list[NDArray[Any]] = []
    integer: list[NDArray[Any]] = []

    def add(k: int, c: Any, low: Any, high: Any, is_int: bool = False) -> int:
        first = cols.take(k)
        cost.append(np.broadcast_to(np.asarray(c, float), (k,)).copy())
        lo.append(np.broadcast_to(np.asarray(low, float), (k,)).copy())
        hi.append(np.broadcast_to(np.asarray(high, float), (k,)).copy())
        integer.append(np.full(k, is_int))
        return first

    sited, cap, size_mw, modular = _site_columns(inst)
    ns = len(sited)
    s_idx = np.asarray(sited, dtype=np.int64)
    b0 = add(
        ns, inst.sites.fixed_eur_per_yr[s_idx], inst.sites.forced[s_idx].astype(float), 1.0, True
    )
    per_mw = inst.sites.capex_eur_per_mw_yr + inst.sites.extra_eur_per_mw_yr
    x0 = cols.n
    for s in sited:  # integrality differs per site
        add(1, per_mw[s] * size_mw[s], 0.0, cap[s], bool(modular[s]))
    re_head = np.maximum(inst.supply.potential_mw - inst.supply.existing_mw, 0.0)
    re_keep = np.flatnonzero(re_head > 0)
    r0 = add(len(re_keep), inst.supply.capex_eur_per_mw_yr[re_keep], 0.0, re_head[re_keep])
    f0 = add(
        n_l * n_t,
        np.outer(np.ones(n_l), inst.settings.wheeling_eur_per_mwh * w).ravel(),
        0.0,
        np.repeat(inst.links.usable_mw, n_t),
    )
    g0 = -1
    if _buys(inst):
        g0 = add(n_z * n_t, np.outer(inst.zones.grid_cost_eur_per_mwh, w).ravel(), 0.0, INF)
    y0 = -1
    if inst.settings.exchange == "hourly" and n_t > 0:  # surplus sold, earning its sale price
        y0 = add(n_z * n_t, -np.outer(inst.zone_sale_price, w).ravel(), 0.0, INF)
    store = _battery(inst)
    storage = store is not None
    if store is not None:
        se0 = add(n_z, store.energy_eur_per_mwh_yr, 0.0, INF)
        sp0 = add(n_z, store.power_eur_per_mw_yr, 0.0, INF)
        ch0 = add(n_z * n_t, 0.0, 0.0, INF)
        dis0 = add(n_z * n_t, 0.0, 0.0, INF)
        soc0 = add(n_z * n_t, 0.0, 0.0, INF)

    rows_r: list[NDArray[Any]] = []
    rows_c: list[NDArray[Any]] = []
    rows_v: list[NDArray[Any]] = []
    rlo: list[NDArray[Any]] = []
    rhi: list[NDArray[Any]] = []
    n_rows = 0

    def block(r: Any, c: Any, v: Any, n_new: int, low: Any, high: Any) -> int:
        nonlocal n_rows
        first = n_rows
        r = np.asarray(r, np.int64) + first
        rows_r.append(r.ravel())
        rows_c.append(np.asarray(c, np.int64).ravel())
        rows_v.append(np.broadcast_to(np.asarray(v, float), np.shape(r)).ravel().copy())
        rlo.append(np.broadcast_to(np.asarray(low, float), (n_new,)).copy())
        rhi.append(np.broadcast_to(np.asarray(high, float), (n_new,)).copy())
        n_rows += n_new
        return first

    k = np.arange(ns)
    mod_k = k[modular[s_idx]] if ns else k
    # built means at least one module: x - b >= 0
    block(
        np.repeat(np.arange(len(mod_k)), 2),
        np.column_stack([x0 + mod_k, b0 + mod_k]).ravel(),
        np.tile([1.0, -1.0], len(mod_k)),
        len(mod_k),
        0.0,
        INF,
    )
    # new capacity only where built: x - cap b <= 0
    block(
        np.repeat(k, 2),
        np.column_stack([x0 + k, b0 + k]).ravel(),
        np.column_stack([np.ones(ns), -cap[s_idx]]).ravel(),
        ns,
        -INF,
        0.0,
    )
    block(np.zeros(ns), x0 + k, size_mw[s_idx], 1, inst.required_new_mw, INF)

    # balance per zone and slice: row z * n_t + t
    zt = np.arange(n_t)
    parts_r, parts_c, parts_v = [], [], []
    for pos, j in enumerate(re_keep):
        parts_r.append(inst.supply.zone[j] * n_t + zt)
        parts_c.append(np.full(n_t, r0 + pos))
        parts_v.append(inst.supply.cf[j])
    fcol = f0 + np.arange(n_l * n_t).reshape(n_l, n_t)
    parts_r.append((inst.links.dst[:, None] * n_t + zt[None, :]).ravel())
    parts_c.append(fcol.ravel())
    parts_v.append(np.repeat(inst.links.efficiency, n_t))
    parts_r.append((inst.links.src[:, None] * n_t + zt[None, :]).ravel())
    parts_c.append(fcol.ravel())
    parts_v.append(np.full(n_l * n_t, -1.0))
    load = inst.new_load_per_mw[s_idx] * size_mw[s_idx]
    parts_r.append((inst.sites.zone[s_idx][:, None] * n_t + zt[None, :]).ravel())
    parts_c.append(np.repeat(x0 + k, n_t))
    parts_v.append(np.repeat(-load, n_t))
    zrows = np.arange(n_z * n_t)
    if g0 >= 0:
        parts_r.append(zrows)
        parts_c.append(g0 + zrows)
        parts_v.append(np.ones(n_z * n_t))
    if y0 >= 0:
        parts_r.append(zrows)
        parts_c.append(y0 + zrows)
        parts_v.append(-np.ones(n_z * n_t))
    if storage:
        parts_r += [zrows, zrows]
        parts_c += [dis0 + zrows, ch0 + zrows]
        parts_v += [np.ones(n_z * n_t), -np.ones(n_z * n_t)]
    block(
        np.concatenate(parts_r),
        np.concatenate(parts_c),
        np.concatenate(parts_v),
        n_z * n_t,
        np.repeat(inst.fixed_load_mw, n_t),
        INF,
    )

    hours = float(w.sum())
    if g0 >= 0:
        share = 1.0 - inst.settings.cfe_target
        r = [np.repeat(np.arange(n_z), n_t)]
        c = [g0 + zrows]
        v = [np.tile(w, n_z)]
        if y0 >= 0 and inst.settings.matching == "annual":  # annual matching nets the sales
            r.append(np.repeat(np.arange(n_z), n_t))
            c.append(y0 + zrows)
            v.append(-np.tile(w, n_z))
        r.append(inst.sites.zone[s_idx])
        c.append(x0 + k)
        v.append(-share * hours * inst.new_load_per_mw[s_idx] * size_mw[s_idx])  # model order
        block(
            np.concatenate(r),
            np.concatenate(c),
            np.concatenate(v),
            n_z,
            -INF,
            share * hours * inst.fixed_load_mw,
        )
    if y0 >= 0:  # sales <= purchases + share x load, per zone
        sigma = inst.settings.max_surplus_share
        zr = np.repeat(np.arange(n_z), n_t)
        r, c, v = [zr], [y0 + zrows], [np.tile(w, n_z)]
        if g0 >= 0:
            r.append(zr)
            c.append(g0 + zrows)
            v.append(-np.tile(w, n_z))
        r.append(inst.sites.zone[s_idx])
        c.append(x0 + k)
        v.append(-sigma * hours * inst.new_load_per_mw[s_idx] * size_mw[s_idx])
        block(np.concatenate(r), np.concatenate(c), np.concatenate(v), n_z, -INF,
              sigma * hours * inst.fixed_load_mw)  # fmt: skip

    if store is not None:
        eta = math.sqrt(store.roundtrip_efficiency)
        zr = np.repeat(np.arange(n_z), n_t)
        for first in (ch0, dis0, soc0):
            cap_col = sp0 if first != soc0 else se0
            block(
                np.repeat(zrows, 2),
                np.column_stack([first + zrows, cap_col + zr]).ravel(),
                np.tile([1.0, -1.0], n_z * n_t),
                n_z * n_t,
                -INF,
                0.0,
            )
        prev = np.asarray(cyclic_previous(inst.time.period.tolist()))
        one_hour = prev == zt
        soc_coef = np.where(one_hour, 0.0, 1.0)
        r = np.concatenate([zrows, zrows, zrows, zrows[~np.tile(one_hour, n_z)]])
        prev_cols = (np.arange(n_z)[:, None] * n_t + prev[None, :]).ravel()
        c = np.concatenate(
            [soc0 + zrows, ch0 + zrows, dis0 + zrows, soc0 + prev_cols[~np.tile(one_hour, n_z)]]
        )
        v = np.concatenate(
            [
                np.tile(soc_coef, n_z),
                np.full(n_z * n_t, -eta),
                np.full(n_z * n_t, 1.0 / eta),
                -np.ones(int((~np.tile(one_hour, n_z)).sum())),
            ]
        )
        block(r, c, v, n_z * n_t, 0.0, 0.0)

    if inst.settings.max_country_share is not None and inst.settings.max_country_share < 1.0 and ns:
        capc = inst.settings.max_country_share
        countries = sorted({inst.zones.country[inst.sites.zone[s]] for s in sited})
        site_country = np.array([inst.zones.country[inst.sites.zone[s]] for s in sited])
        r, c, v = [], [], []
        for i, cc in enumerate(countries):
            r.append(np.full(ns, i))
            c.append(x0 + k)
            v.append(((site_country == cc).astype(float) - capc) * size_mw[s_idx])
        block(np.concatenate(r), np.concatenate(c), np.concatenate(v), len(countries), -INF, 0.0)
    if inst.settings.min_sites > 0:
        block(np.zeros(ns), b0 + k, 1.0, 1, inst.settings.min_sites, INF)
    if inst.settings.max_sites is not None:
        block(np.zeros(ns), b0 + k, 1.0, 1, -INF, inst.settings.max_sites)
    limited = [
        z
        for z in range(n_z)
        if len(inst.zones.hosting_mw) and np.isfinite(inst.zones.hosting_mw[z])
    ]
    for z in limited:  # hosting: new data-centre load within the zone's limit
        mine = k[inst.sites.zone[s_idx] == z]
        block(np.zeros(len(mine)), x0 + mine, load[mine], 1, -INF, inst.zones.hosting_mw[z])
    pairs = _symmetric_pairs(inst, sited) if symmetry_breaking else []
    if pairs:
        a, b = np.array(pairs).T
        n_p = len(pairs)
        rr = np.repeat(np.arange(2 * n_p), 2)
        cc = np.column_stack([b0 + a, b0 + b, x0 + a, x0 + b]).reshape(n_p, 2, 2)
        cc = cc.reshape(-1)  # per pair: symb (b_a, b_b), then symx (x_a, x_b)
        block(rr, cc, np.tile([1.0, -1.0], 2 * n_p), 2 * n_p, 0.0, INF)

    r_all = np.concatenate(rows_r)
    c_all = np.concatenate(rows_c)
    v_all = np.concatenate(rows_v)
    keep = v_all != 0.0
    r_all, c_all, v_all = r_all[keep], c_all[keep], v_all[keep]
    order = np.argsort(r_all, kind="stable")
    start = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(r_all, minlength=n_rows), out=start[1:])
    return MatrixModel(
        np.concatenate(cost),
        np.concatenate(lo),
        np.concatenate(hi),
        np.concatenate(integer),
        np.concatenate(rlo),
        np.concatenate(rhi),
        start,
        c_all[order].astype(np.int32),
        v_all[order],
    )


def _symmetric_pairs(inst: Instance, sited: list[int]) -> list[tuple[int, int]]:
    """Consecutive identical candidates (positions among the sited), as siting orders them."""
    from siting.model import identical_sites

    pos = {s: i for i, s in enumerate(sited)}
    return [(pos[a], pos[b]) for g in identical_sites(inst) for a, b in itertools.pairwise(g)]


def pass_matrix(m: MatrixModel, highs: Any, scale: bool = True) -> Scaling:
    """Hand a :class:`MatrixModel` to a ``highspy.Highs`` object in one call.

    Scaled as ``siting.solve.solvers`` scales its models (``siting.solve.scaling``), so that both hand
    HiGHS the same numbers; returns the scaling (the objective HiGHS reports is divided by
    ``scaling.objective``).
    """
    import highspy

    raw = MatrixLP(m.cost, m.col_lo, m.col_hi, m.row_lo, m.row_hi, m.start, m.index, m.value,
                   m.integer)  # fmt: skip
    scaling = choose_scaling(raw) if scale else NO_SCALING
    highs.passModel(highs_lp(apply_scaling(raw, scaling), True, highspy))
    return scaling


def build_linopy(inst: Instance, symmetry_breaking: bool = False) -> Any:
    """The siting MILP written with linopy (vectorised over zones, links and slices).

    Returns
    -------
    linopy.Model
    """
    import linopy
    import pandas as pd
    import xarray as xr

    _unsupported(inst)
    n_z, n_t, n_l = inst.n_zones, inst.n_slices, len(inst.links.ids)
    m = linopy.Model()
    sited, cap, size_mw, modular = _site_columns(inst)
    s_idx = np.asarray(sited, dtype=np.int64)
    s_ix = pd.RangeIndex(len(sited), name="s")
    z_ix = pd.RangeIndex(n_z, name="z")
    t_ix = pd.RangeIndex(n_t, name="t")
    l_ix = pd.RangeIndex(n_l, name="l")

    def da(values: Any, *dims: pd.Index) -> xr.DataArray:
        return xr.DataArray(np.asarray(values, float), coords=list(dims))

    forced = inst.sites.forced[s_idx].astype(float)
    b = m.add_variables(
        lower=da(forced, s_ix),
        upper=da(np.ones(len(sited)), s_ix),
        binary=False,
        integer=True,
        name="b",
    )
    mod = modular[s_idx]
    # integrality per site: modular sites are integer module counts, others continuous MW
    xi = m.add_variables(
        lower=0, upper=da(np.where(mod, cap[s_idx], 0.0), s_ix), integer=True, name="xi"
    )
    xc = m.add_variables(lower=0, upper=da(np.where(mod, 0.0, cap[s_idx]), s_ix), name="xc")
    x = xi + xc
    mw = da(size_mw[s_idx], s_ix)
    per_mw = (inst.sites.capex_eur_per_mw_yr + inst.sites.extra_eur_per_mw_yr)[s_idx]
    obj = (b * da(inst.sites.fixed_eur_per_yr[s_idx], s_ix)).sum() + (
        x * da(per_mw * size_mw[s_idx], s_ix)
    ).sum()
    m.add_constraints(x - b >= 0, name="minmod", mask=da(mod.astype(float), s_ix) > 0)
    m.add_constraints(x - b * da(cap[s_idx], s_ix) <= 0, name="site")
    m.add_constraints((x * mw).sum() >= inst.required_new_mw, name="target")

    re_head = np.maximum(inst.supply.potential_mw - inst.supply.existing_mw, 0.0)
    j_ix = pd.RangeIndex(len(re_head), name="j")
    re = m.add_variables(lower=0, upper=da(re_head, j_ix), name="re")
    obj = obj + (re * da(inst.supply.capex_eur_per_mw_yr, j_ix)).sum()
    flow = m.add_variables(
        lower=0, upper=da(np.repeat(inst.links.usable_mw[:, None], n_t, 1), l_ix, t_ix), name="flow"
    )
    w = da(inst.time.weight_h, t_ix)
    if inst.settings.wheeling_eur_per_mwh > 0:
        obj = obj + (flow * w * inst.settings.wheeling_eur_per_mwh).sum()

    cf = da(inst.supply.cf, j_ix, t_ix)
    supply = (re * cf).groupby(xr.DataArray(inst.supply.zone, coords=[j_ix], name="z")).sum()
    imports = (
        (flow * da(inst.links.efficiency, l_ix))
        .groupby(xr.DataArray(inst.links.dst, coords=[l_ix], name="z"))
        .sum()
    )
    exports = flow.groupby(xr.DataArray(inst.links.src, coords=[l_ix], name="z")).sum()
    load = (
        (x * da(inst.new_load_per_mw[s_idx] * size_mw[s_idx], s_ix))
        .groupby(xr.DataArray(inst.sites.zone[s_idx], coords=[s_ix], name="z"))
        .sum()
    )
    bal = (
        supply.reindex(z=z_ix)
        + imports.reindex(z=z_ix)
        - exports.reindex(z=z_ix)
        - load.reindex(z=z_ix)
    )
    if _buys(inst):
        grid = m.add_variables(lower=0, coords=[z_ix, t_ix], name="grid")
        obj = obj + (grid * da(inst.zones.grid_cost_eur_per_mwh, z_ix) * w).sum()
        bal = bal + grid
    sells = inst.settings.exchange == "hourly" and n_t > 0
    if sells:
        sale = m.add_variables(lower=0, coords=[z_ix, t_ix], name="sale")
        obj = obj - (sale * da(inst.zone_sale_price, z_ix) * w).sum()
        bal = bal - sale
    store = _battery(inst)
    if store is not None:
        se = m.add_variables(lower=0, coords=[z_ix], name="se")
        sp = m.add_variables(lower=0, coords=[z_ix], name="sp")
        ch = m.add_variables(lower=0, coords=[z_ix, t_ix], name="ch")
        dis = m.add_variables(lower=0, coords=[z_ix, t_ix], name="dis")
        soc = m.add_variables(lower=0, coords=[z_ix, t_ix], name="soc")
        obj = (
            obj + (se * store.energy_eur_per_mwh_yr).sum() + (sp * store.power_eur_per_mw_yr).sum()
        )
        bal = bal + dis - ch
        m.add_constraints(ch - sp <= 0, name="chp")
        m.add_constraints(dis - sp <= 0, name="dip")
        m.add_constraints(soc - se <= 0, name="soe")
        eta = math.sqrt(store.roundtrip_efficiency)
        prev = np.asarray(cyclic_previous(inst.time.period.tolist()))
        soc_prev = soc.isel(t=prev).assign_coords(t=t_ix)
        one_hour = da((prev == np.arange(n_t)).astype(float), t_ix) > 0
        m.add_constraints(
            (soc - soc_prev).where(~one_hour) - ch * eta + dis * (1.0 / eta) == 0, name="soc"
        )
    fixed = da(inst.fixed_load_mw, z_ix)
    m.add_constraints(bal >= fixed, name="bal")
    hours = float(inst.time.weight_h.sum())
    if _buys(inst):
        share = 1.0 - inst.settings.cfe_target
        counted = (grid - sale) if sells and inst.settings.matching == "annual" else grid
        m.add_constraints(
            (counted * w).sum("t") - share * hours * load.reindex(z=z_ix) <= share * hours * fixed,
            name="cfe",
        )
    if sells:
        sigma = inst.settings.max_surplus_share
        sold = (sale - grid) if _buys(inst) else sale
        m.add_constraints(
            (sold * w).sum("t") - sigma * hours * load.reindex(z=z_ix) <= sigma * hours * fixed,
            name="sur",
        )
    if (
        inst.settings.max_country_share is not None
        and inst.settings.max_country_share < 1.0
        and len(sited)
    ):
        countries = sorted({inst.zones.country[inst.sites.zone[s]] for s in sited})
        c_ix = pd.Index(countries, name="c")
        site_country = [inst.zones.country[inst.sites.zone[s]] for s in sited]
        member = xr.DataArray(
            np.array([[float(sc == c) for sc in site_country] for c in countries]),
            coords=[c_ix, s_ix],
        )
        m.add_constraints(
            (x * mw * (member - inst.settings.max_country_share)).sum("s") <= 0, name="share"
        )
    if inst.settings.min_sites > 0:
        m.add_constraints(b.sum() >= inst.settings.min_sites, name="min_sites")
    if inst.settings.max_sites is not None:
        m.add_constraints(b.sum() <= inst.settings.max_sites, name="max_sites")
    if len(inst.zones.hosting_mw) and np.isfinite(inst.zones.hosting_mw).any():
        limit = da(np.where(np.isfinite(inst.zones.hosting_mw), inst.zones.hosting_mw, 1e30), z_ix)
        m.add_constraints(load.reindex(z=z_ix).fillna(0) <= limit, name="host",
                          mask=da(np.isfinite(inst.zones.hosting_mw).astype(float), z_ix) > 0)  # fmt: skip
    pairs = _symmetric_pairs(inst, sited) if symmetry_breaking else []
    if pairs:
        p_ix = pd.RangeIndex(len(pairs), name="p")
        first = xr.DataArray([a for a, _ in pairs], coords=[p_ix])
        second = xr.DataArray([b_ for _, b_ in pairs], coords=[p_ix])
        m.add_constraints(b.isel(s=first) - b.isel(s=second) >= 0, name="symb")
        m.add_constraints(x.isel(s=first) - x.isel(s=second) >= 0, name="symx")
    m.add_objective(obj)
    return m
