"""Solution: read a solved model back into tables and KPIs (DESIGN §7).

Pure: takes the solved :class:`~siting.model.SitingModel` and returns DataFrames that let
anyone re-check the plan without the model (target, balances, bounds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pulp

from siting.instance import StorageOption
from siting.model import SitingModel, StoreVars
from siting.solvers import SolveResult
from siting.summary import RunSummary

_ROUND_TOL = 1e-6


@dataclass(frozen=True)
class Solution:
    """Result tables of a solved run.

    ``sites``: one row per candidate; ``renewables``: per zone and tech; ``flows``: per link
    and slice; ``dispatch``: per zone and slice; ``zones`` and ``links``: KPIs; ``summary``:
    the run's headline numbers (``summary.json``).
    """

    sites: pd.DataFrame
    renewables: pd.DataFrame
    flows: pd.DataFrame
    dispatch: pd.DataFrame
    zones: pd.DataFrame
    links: pd.DataFrame
    summary: RunSummary
    service: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Inference served per (demand point, site) pair with its RTT."""
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per demand point: load, budget, served MW and worst RTT used."""


def _val(v: pulp.LpVariable | None) -> float:
    if v is None or v.varValue is None:
        return 0.0
    x = float(v.varValue)
    return 0.0 if abs(x) < _ROUND_TOL else x


def _matrix(vs: list[list[pulp.LpVariable]] | None, shape: tuple[int, int]) -> np.ndarray:
    if vs is None:
        return np.zeros(shape)
    return np.array([[_val(v) for v in row] for row in vs], dtype=float).reshape(shape)


def extract_solution(model: SitingModel, result: SolveResult) -> Solution:
    """Tables and KPIs from a solved model.

    Parameters
    ----------
    model
        A model whose variables carry values (``result.status.has_solution``).
    result
        The solver's report.
    """
    inst = model.instance
    n_z, n_t, n_l = inst.n_zones, inst.n_slices, len(inst.link_ids)
    w = inst.weight_h
    hours = float(w.sum())

    # --- sites -----------------------------------------------------------------------------
    size = np.array([_val(x) for x in model.size])
    if any(x is not None and x.cat == pulp.LpInteger for x in model.size):
        size = np.where(
            [x is not None and x.cat == pulp.LpInteger for x in model.size], np.round(size), size
        )
    new_it = size * np.array(model.size_mw)
    built = np.array([_val(b) > 0.5 for b in model.build])
    existing_load = inst.baseline_pue[inst.site_zone] * inst.utilisation * inst.existing_it_mw
    site_load = existing_load + inst.new_load_per_mw * new_it
    n_s = inst.n_sites
    water = (
        inst.site_water_eur_per_mw_yr
        if inst.site_water_eur_per_mw_yr is not None
        else np.zeros(n_s)
    )
    accel = (
        inst.site_accel_eur_per_mw_yr
        if inst.site_accel_eur_per_mw_yr is not None
        else np.zeros(n_s)
    )
    online = inst.site_online_year if inst.site_online_year is not None else np.full(n_s, np.nan)
    stress = inst.site_water_stress if inst.site_water_stress is not None else np.full(n_s, np.nan)
    served_at = np.zeros(n_s)
    for (_, site), v in model.serve.items():
        served_at[site] += _val(v)
    sites = pd.DataFrame(
        {
            "site_id": inst.site_ids,
            "zone_id": [inst.zone_ids[z] for z in inst.site_zone],
            "built": built,
            "existing_it_mw": inst.existing_it_mw,
            "new_it_mw": new_it,
            "total_it_mw": inst.existing_it_mw + new_it,
            "max_it_mw": inst.max_it_mw,
            "load_mw": site_load,
            "pue": inst.site_pue,
            "eligible": inst.eligible,
            "excluded_reason": inst.excluded_reason or [""] * inst.n_sites,
            "exclusion": inst.exclusion_kind or [""] * inst.n_sites,
            "online_year": online,
            "years_late": np.where(
                np.isnan(online), 0.0, np.maximum(online - inst.deadline_year, 0.0)
            ),
            "water_stress": stress,
            "inference_it_mw": served_at,
            "water_eur_per_yr": new_it * water,
            "acceleration_eur_per_yr": new_it * accel,
            "cost_eur_per_yr": built * inst.site_fixed_eur_per_yr
            + new_it * (inst.site_capex_eur_per_mw_yr + water + accel),
        }
    )
    service, demand = _service_tables(model, sites)

    # --- clean capacity ---------------------------------------------------------------------
    re_new = np.array([_val(v) for v in model.re])
    re_mean_cf = (inst.re_cf * w).sum(axis=1) / hours if n_t else np.zeros(len(re_new))
    renewables = pd.DataFrame(
        {
            "zone_id": [inst.zone_ids[z] for z in inst.re_zone],
            "tech": inst.re_tech,
            "new_mw": re_new,
            "potential_mw": inst.re_potential_mw,
            "existing_mw": inst.re_existing_mw,
            "cf": re_mean_cf,
            "annual_mwh": re_new * re_mean_cf * hours,
            "cost_eur_per_yr": re_new * inst.re_capex_eur_per_mw_yr,
        }
    )

    # --- flows ------------------------------------------------------------------------------
    flow = _matrix(model.flow, (n_l, n_t))
    flows = pd.DataFrame(
        {
            "link_id": np.repeat(inst.link_ids, n_t),
            "from_zone": np.repeat([inst.zone_ids[a] for a in inst.link_from], n_t),
            "to_zone": np.repeat([inst.zone_ids[b] for b in inst.link_to], n_t),
            "slice": np.tile(inst.slice_ids, n_l),
            "weight_h": np.tile(w, n_l),
            "flow_mw": flow.ravel(),
            "delivered_mw": (flow * inst.link_efficiency[:, None]).ravel(),
        }
    )

    # --- dispatch per zone and slice --------------------------------------------------------
    clean = np.zeros((n_z, n_t))
    np.add.at(clean, inst.re_zone, re_new[:, None] * inst.re_cf)
    imports = np.zeros((n_z, n_t))
    exports = np.zeros((n_z, n_t))
    np.add.at(imports, inst.link_to, flow * inst.link_efficiency[:, None])
    np.add.at(exports, inst.link_from, flow)
    grid = _matrix(model.grid, (n_z, n_t))
    store_charge = [_matrix(st.charge, (n_z, n_t)) for st in model.stores]
    store_discharge = [_matrix(st.discharge, (n_z, n_t)) for st in model.stores]
    charge = sum(store_charge, np.zeros((n_z, n_t)))
    discharge = sum(store_discharge, np.zeros((n_z, n_t)))
    new_load = np.zeros(n_z)
    np.add.at(new_load, inst.site_zone, inst.new_load_per_mw * new_it)
    zone_load = inst.fixed_load_mw + new_load
    load = np.repeat(zone_load[:, None], n_t, axis=1)
    dispatch = pd.DataFrame(
        {
            "zone_id": np.repeat(inst.zone_ids, n_t),
            "slice": np.tile(inst.slice_ids, n_z),
            "weight_h": np.tile(w, n_z),
            "load_mw": load.ravel(),
            "clean_mw": clean.ravel(),
            "import_mw": imports.ravel(),
            "export_mw": exports.ravel(),
            "storage_mw": (discharge - charge).ravel(),
            "grid_mw": grid.ravel(),
            "period": np.tile(inst.period, n_z),
            "charge_mw": charge.ravel(),
            "discharge_mw": discharge.ravel(),
        }
    )
    for tech in sorted(set(inst.re_tech)):
        mask = np.array([k == tech for k in inst.re_tech])
        by_tech = np.zeros((n_z, n_t))
        np.add.at(by_tech, inst.re_zone[mask], re_new[mask][:, None] * inst.re_cf[mask])
        dispatch[f"clean_{tech}_mw"] = by_tech.ravel()

    # --- zone and link KPIs -----------------------------------------------------------------
    per_zone_new = np.zeros(n_z)
    np.add.at(per_zone_new, inst.site_zone, new_it)
    per_zone_built = np.zeros(n_z)
    np.add.at(per_zone_built, inst.site_zone, built.astype(float))
    grid_mwh = grid @ w
    energy = {o.tech: np.array([_val(v) for v in st.energy]) for o, st in _stores(model)}
    power = {o.tech: np.array([_val(v) for v in st.power]) for o, st in _stores(model)}
    se = energy.get("battery", np.zeros(n_z))
    sp = power.get("battery", np.zeros(n_z))
    zones = pd.DataFrame(
        {
            "zone_id": inst.zone_ids,
            "country": inst.zone_country,
            "baseline_it_mw": inst.baseline_it_mw,
            "baseline_pue": inst.baseline_pue,
            "new_it_mw": per_zone_new,
            "total_it_mw": inst.baseline_it_mw + per_zone_new,
            "sites_built": per_zone_built.astype(int),
            "load_mw": zone_load,
            "annual_load_mwh": zone_load * hours,
            "clean_mwh": clean @ w,
            "import_mwh": imports @ w,
            "export_mwh": exports @ w,
            "grid_mwh": grid_mwh,
            "emissions_t_per_yr": grid_mwh * inst.carbon_intensity_g_per_kwh / 1000.0,
            "storage_mwh": se,
            "storage_mw": sp,
        }
    )
    for tech in energy:
        if tech != "battery":  # zones.csv keeps storage_* as the battery's (DESIGN §9)
            zones[f"{tech}_mwh"] = energy[tech]
            zones[f"{tech}_mw"] = power[tech]
    for tech in sorted(set(inst.re_tech)):
        col = np.zeros(n_z)
        mask = np.array([k == tech for k in inst.re_tech])
        np.add.at(col, inst.re_zone[mask], re_new[mask])
        zones[f"new_{tech}_mw"] = col
    zones["new_clean_mw"] = zones[
        [
            c
            for c in zones.columns
            if c.startswith("new_") and c.endswith("_mw") and c not in ("new_it_mw", "new_clean_mw")
        ]
    ].sum(axis=1)
    mean_flow = flow @ w / hours if n_t else np.zeros(n_l)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(inst.link_capacity_mw > 0, mean_flow / inst.link_capacity_mw, 0.0)
        dc_util = np.where(inst.link_usable_mw > 0, mean_flow / inst.link_usable_mw, 0.0)
    links = pd.DataFrame(
        {
            "link_id": inst.link_ids,
            "from_zone": [inst.zone_ids[a] for a in inst.link_from],
            "to_zone": [inst.zone_ids[b] for b in inst.link_to],
            "capacity_mw": inst.link_capacity_mw,
            "usable_mw": inst.link_usable_mw,
            "mean_flow_mw": mean_flow,
            "utilisation": util,
            "usable_utilisation": dc_util,
            "efficiency": inst.link_efficiency,
        }
    )

    # --- summary ----------------------------------------------------------------------------
    annual_load = float(zones["annual_load_mwh"].sum())
    total_grid = float(grid_mwh.sum())
    cost_water = float(sites["water_eur_per_yr"].sum())
    cost_accel = float(sites["acceleration_eur_per_yr"].sum())
    cost_sites = float(sites["cost_eur_per_yr"].sum()) - cost_water - cost_accel
    cost_clean = float(renewables["cost_eur_per_yr"].sum())
    cost_storage = float(
        sum(
            energy[o.tech].sum() * o.energy_eur_per_mwh_yr
            + power[o.tech].sum() * o.power_eur_per_mw_yr
            for o, _ in _stores(model)
        )
    )
    cost_links = float(inst.wheeling_eur_per_mwh * (flow @ w).sum())
    cost_grid = float((grid_mwh * inst.grid_cost_eur_per_mwh).sum())
    new_total = float(new_it.sum())
    new_re = {
        tech: float(renewables.loc[renewables["tech"] == tech, "new_mw"].sum())
        for tech in sorted(set(inst.re_tech))
    }
    summary: dict[str, Any] = {
        "status": result.status.value,
        "objective_eur_per_yr": result.objective,
        "mip_gap": None if math.isnan(result.mip_gap) else result.mip_gap,
        "baseline_it_mw": inst.baseline_total_mw,
        "target_it_mw": inst.target_total_mw,
        "total_it_mw": inst.baseline_total_mw + new_total,
        "new_it_mw": new_total,
        "sites_built": int(built.sum()),
        "annual_load_mwh": annual_load,
        "annual_clean_mwh": float((clean @ w).sum()),
        "cfe_score": 1.0 - total_grid / annual_load if annual_load > 0 else 1.0,
        "emissions_t_per_yr": float(zones["emissions_t_per_yr"].sum()),
        "new_re_mw": new_re,
        "storage_mwh": float(sum(e.sum() for e in energy.values())),
        "storage_mw": float(sum(p.sum() for p in power.values())),
        "storage_by_tech": {
            tech: {"mw": float(power[tech].sum()), "mwh": float(energy[tech].sum())}
            for tech in energy
        },
        "cost_breakdown_eur_per_yr": {
            "sites": cost_sites,
            "water": cost_water,
            "connection_acceleration": cost_accel,
            "clean_capacity": cost_clean,
            "storage": cost_storage,
            "links": cost_links,
            "residual_grid": cost_grid,
        },
        "cost_per_mwh_load_eur": (
            cost_sites
            + cost_water
            + cost_accel
            + cost_clean
            + cost_storage
            + cost_links
            + cost_grid
        )
        / annual_load
        if annual_load > 0
        else None,
        "energy_cost_per_mwh_load_eur": (cost_clean + cost_storage + cost_links + cost_grid)
        / annual_load
        if annual_load > 0
        else None,
        "matching": inst.matching,
        "cfe_target": inst.cfe_target,
        "scope": inst.scope,
        "multiplier": inst.multiplier,
        "utilisation": inst.utilisation,
    }
    summary.update(_policy_kpis(inst, sites, demand))
    return Solution(
        sites, renewables, flows, dispatch, zones, links, RunSummary(summary), service, demand
    )


def _stores(model: SitingModel) -> list[tuple[StorageOption, StoreVars]]:
    """Each storage technology of the instance with its columns."""
    return list(zip(model.instance.storage, model.stores, strict=True))


def _service_tables(model: SitingModel, sites: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who serves whom (one row per pair with load) and the per-demand-point view."""
    inst = model.instance
    cols = ["demand_id", "site_id", "served_it_mw", "rtt_ms", "max_rtt_ms", "distance_km"]
    if inst.demand_it_mw is None or inst.rtt_ms is None or inst.demand_budget_ms is None:
        return pd.DataFrame(columns=cols), pd.DataFrame()
    dist = inst.distance_km if inst.distance_km is not None else np.full_like(inst.rtt_ms, np.nan)
    rows = [
        (
            inst.demand_ids[d],
            inst.site_ids[s],
            _val(v),
            float(inst.rtt_ms[d, s]),
            float(inst.demand_budget_ms[d]),
            float(dist[d, s]),
        )
        for (d, s), v in sorted(model.serve.items())
        if _val(v) > 0
    ]
    service = pd.DataFrame(rows, columns=cols)
    served = service.groupby("demand_id")["served_it_mw"].sum()
    worst = service.groupby("demand_id")["rtt_ms"].max()
    built = sites["built"].to_numpy()
    nearest = []
    for d in range(inst.n_demand):
        r = np.where(built, inst.rtt_ms[d], np.inf)
        nearest.append(float(r.min()) if np.isfinite(r).any() else np.nan)
    demand = pd.DataFrame(
        {
            "demand_id": inst.demand_ids,
            "inference_it_mw": inst.demand_it_mw,
            "max_rtt_ms": inst.demand_budget_ms,
            "served_it_mw": [float(served.get(d, 0.0)) for d in inst.demand_ids],
            "worst_rtt_ms": [float(worst.get(d, np.nan)) for d in inst.demand_ids],
            "nearest_built_rtt_ms": nearest,
            "candidate_sites": [len(inst.servable(d)) for d in range(inst.n_demand)],
            "reach_km": inst.demand_radius_km
            if inst.demand_radius_km is not None
            else np.full(inst.n_demand, np.nan),
        }
    )
    return service, demand


def _policy_kpis(inst: Any, sites: pd.DataFrame, demand: pd.DataFrame) -> dict[str, Any]:
    """What the policy layers cost in capacity: exclusions by rule, connection delays, latency."""
    head = np.maximum(sites["max_it_mw"] - sites["existing_it_mw"], 0.0)
    kinds = sites["exclusion"]
    excluded = {
        kind: {"sites": int((kinds == kind).sum()), "capacity_mw": float(head[kinds == kind].sum())}
        for kind in ("forbidden", "forbidden_area", "moratorium", "water", "connection")
        if (kinds == kind).any()
    }
    late_built = sites["built"] & (sites["years_late"] > 0)
    out: dict[str, Any] = {
        "excluded": excluded,
        "connection_lost_mw": excluded.get("connection", {}).get("capacity_mw", 0.0),
        "connection_late_sites": int((sites["years_late"] > 0).sum()),
        "accelerated_sites": int(late_built.sum()),
        "accelerated_mw": float(sites.loc[late_built, "new_it_mw"].sum()),
        "new_it_mw_by_country": {
            c: float(v)
            for c, v in sites.assign(country=[inst.zone_country[z] for z in inst.site_zone])
            .groupby("country")["new_it_mw"]
            .sum()
            .items()
            if v > 0
        },
    }
    if len(demand):
        out["inference_it_mw"] = float(demand["inference_it_mw"].sum())
        out["inference_served_it_mw"] = float(demand["served_it_mw"].sum())
        out["max_worst_rtt_ms"] = (
            float(demand["worst_rtt_ms"].max()) if demand["worst_rtt_ms"].notna().any() else None
        )
    return out
