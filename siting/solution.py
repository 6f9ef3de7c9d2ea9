"""Solution: read a solved model back into tables and KPIs (``docs/outputs.md``).

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

from siting.base.summary import RunSummary
from siting.instance import Instance, StorageOption
from siting.instance.periods import calendar_dates
from siting.model import SitingModel, StoreVars
from siting.model.components import KNOWN
from siting.model.physics import soc_gain
from siting.solve.solvers import SolveResult

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
    calendar: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per calendar day: the representative period standing for it (when known)."""
    buildout: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Per milestone of a build-out, the capacity in place by its year (:mod:`siting.buildout`)."""


def _val(v: pulp.LpVariable | None) -> float:
    if v is None or v.varValue is None:
        return 0.0
    x = float(v.varValue)
    return 0.0 if abs(x) < _ROUND_TOL else x


def _matrix(vs: list[list[pulp.LpVariable]] | None, shape: tuple[int, int]) -> np.ndarray:
    if vs is None:
        return np.zeros(shape)
    return np.array([[_val(v) for v in row] for row in vs], dtype=float).reshape(shape)


@dataclass(frozen=True)
class _Values:
    """The solved decision values as arrays, read once from the PuLP variables.

    ``new_it`` [MW IT] and ``built`` per site; ``re_new`` [MW] per clean option; ``flow``
    [MW] per link and slice; ``grid``, ``charge`` and ``discharge`` [MW] per zone and slice
    (summed over stores, and per store); ``energy`` [MWh] and ``power`` [MW] per store and
    zone.
    """

    new_it: np.ndarray
    built: np.ndarray
    re_new: np.ndarray
    re_output: np.ndarray
    """Output per clean option and slice [MW]: capacity x cf, or a reservoir's dispatch."""
    flow: np.ndarray
    grid: np.ndarray
    sale: np.ndarray
    """Surplus sold to the grid per zone and slice [MW]."""
    charge: np.ndarray
    discharge: np.ndarray
    energy: dict[str, np.ndarray]
    power: dict[str, np.ndarray]
    charge_power: dict[str, np.ndarray]
    store_charge: dict[str, np.ndarray]
    store_discharge: dict[str, np.ndarray]
    shift: np.ndarray | None = None
    """Load moved within its day per zone and slice [MW]: + brought in (None: none moves)."""
    moved: np.ndarray | None = None
    """Load moved between zones per zone and slice [MW]: + moved in (None: none moves)."""
    interruptible: np.ndarray | None = None
    """Interruptible load above each zone's hosting limit [MW] (None: none)."""
    interrupted: np.ndarray | None = None
    """Its energy curtailed over the year per zone [MWh/yr] (None: none)."""
    other: dict[str, np.ndarray] = field(default_factory=dict)
    """Per zone and slice, what each component the outputs have no columns of put into the
    balance [MW] (a kind added as one module, read back from its terms)."""


def _values(model: SitingModel) -> _Values:
    inst = model.instance
    n_z, n_t, n_l = inst.n_zones, inst.n_slices, len(inst.links.ids)
    size = np.array([_val(x) for x in model.size])
    integer = [x is not None and x.cat == pulp.LpInteger for x in model.size]
    size = np.where(integer, np.round(size), size)
    zero = np.zeros((n_z, n_t))
    re_new = np.array([_val(v) for v in model.re])
    re_output = re_new[:, None] * inst.supply.cf
    for j, output in model.dispatch.items():
        re_output[j] = [_val(v) for v in output]
    charge, discharge = {}, {}
    for o, st in _stores(model):
        charge[o.tech], discharge[o.tech] = unmix(
            _matrix(st.charge, (n_z, n_t)), _matrix(st.discharge, (n_z, n_t)),
            o.eta_charge, o.eta_discharge,
        )  # fmt: skip
    return _Values(
        new_it=size * np.array(model.size_mw),
        built=np.array([_val(b) > 0.5 for b in model.build], dtype=bool),
        re_new=re_new,
        re_output=re_output,
        flow=_matrix(model.flow, (n_l, n_t)),
        grid=_matrix(model.grid, (n_z, n_t)),
        sale=_matrix(model.sale, (n_z, n_t)),
        charge=sum(charge.values(), zero),
        discharge=sum(discharge.values(), zero),
        store_charge=charge,
        store_discharge=discharge,
        energy={o.tech: np.array([_val(v) for v in st.energy]) for o, st in _stores(model)},
        power={o.tech: np.array([_val(v) for v in st.power]) for o, st in _stores(model)},
        charge_power={
            o.tech: np.array([_val(v) for v in st.charge_power])
            for o, st in _stores(model)
            if st.charge_power is not None
        },
        shift=-model.fed("shift") if "shift" in model.parts else None,
        moved=-model.fed("move") if "move" in model.parts else None,
        interruptible=_array(model.interruptible),
        interrupted=_array(model.interrupted),
        other={part: model.fed(part) for part in model.parts if part not in KNOWN},
    )


def _array(cells: list[pulp.LpVariable | None]) -> np.ndarray | None:
    """Solved values of a list of columns (zero where None); None for an empty list."""
    return np.array([_val(x) for x in cells]) if cells else None


def unmix(
    charge: np.ndarray, discharge: np.ndarray, eta_in: float, eta_out: float
) -> tuple[np.ndarray, np.ndarray]:
    """One store's charge and discharge [MW] with no hour doing both (pure).

    A lossy store that charges and discharges in the same slice only burns surplus clean
    power, which the LP may do at no cost instead of curtailing it (the balance is ``>=``).
    Each such slice keeps its net change of the state of charge,
    ``eta_in x charge - discharge / eta_out``, as a charge alone or a discharge alone; both
    shrink, so power limits hold, and the energy no longer cycled is surplus, which is
    curtailed. Cost, grid and every state of charge are unchanged.
    """
    both = (charge > 0) & (discharge > 0)
    net = soc_gain(charge, discharge, eta_in, eta_out)  # state of charge gained [MWh]
    only_charge = np.where(net > 0, net / eta_in, 0.0)
    only_discharge = np.where(net < 0, -net * eta_out, 0.0)
    return np.where(both, only_charge, charge), np.where(both, only_discharge, discharge)


def _or(values: np.ndarray | None, fill: float, n: int) -> np.ndarray:
    return values if values is not None else np.full(n, fill)


def _sites_table(inst: Instance, v: _Values, served_at: np.ndarray) -> pd.DataFrame:
    """One row per candidate: capacity [MW IT], load [MW], rules and cost [EUR/yr]."""
    n_s = inst.n_sites
    water = _or(inst.sites.water_eur_per_mw_yr, 0.0, n_s)
    accel = _or(inst.sites.accel_eur_per_mw_yr, 0.0, n_s)
    reinforce = _or(inst.sites.reinforcement_eur_per_mw_yr, 0.0, n_s)
    online = _or(inst.notes.online_year, np.nan, n_s)
    existing_load = (
        inst.zones.baseline_pue[inst.sites.zone]
        * inst.settings.utilisation
        * inst.sites.existing_it_mw
    )
    return pd.DataFrame(
        {
            "site_id": inst.sites.ids,
            "zone_id": [inst.zones.ids[z] for z in inst.sites.zone],
            "built": v.built,
            "existing_it_mw": inst.sites.existing_it_mw,
            "new_it_mw": v.new_it,
            "total_it_mw": inst.sites.existing_it_mw + v.new_it,
            "max_it_mw": inst.sites.max_it_mw,
            "load_mw": existing_load + inst.new_load_per_mw * v.new_it,
            "pue": inst.sites.pue,
            "eligible": inst.sites.eligible,
            "excluded_reason": inst.notes.excluded_reason or [""] * n_s,
            "exclusion": inst.notes.exclusion_kind or [""] * n_s,
            "online_year": online,
            "years_late": np.where(
                np.isnan(online), 0.0, np.maximum(online - inst.notes.deadline_year, 0.0)
            ),
            "water_stress": _or(inst.notes.water_stress, np.nan, n_s),
            "inference_it_mw": served_at,
            "water_eur_per_yr": v.new_it * water,
            "acceleration_eur_per_yr": v.new_it * accel,
            "reinforcement_eur_per_yr": v.new_it * reinforce,
            "cost_eur_per_yr": v.built * inst.sites.fixed_eur_per_yr
            + v.new_it * (inst.sites.capex_eur_per_mw_yr + water + accel + reinforce),
        }
    )


def _renewables_table(inst: Instance, v: _Values) -> pd.DataFrame:
    """New clean capacity [MW], mean capacity factor, energy [MWh/yr], cost [EUR/yr]."""
    w = inst.time.weight_h
    hours = float(w.sum())
    mean_cf = (inst.supply.cf * w).sum(axis=1) / hours if inst.n_slices else np.zeros(len(v.re_new))
    annual = v.re_output @ w if inst.n_slices else np.zeros(len(v.re_new))
    running = _or(inst.supply.running_eur_per_mwh, 0.0, len(v.re_new))
    return pd.DataFrame(
        {
            "zone_id": [inst.zones.ids[z] for z in inst.supply.zone],
            "tech": inst.supply.tech,
            "new_mw": v.re_new,
            "potential_mw": inst.supply.potential_mw,
            "existing_mw": inst.supply.existing_mw,
            "cf": mean_cf,
            "annual_mwh": annual,
            "cost_eur_per_yr": v.re_new * inst.supply.capex_eur_per_mw_yr,
            "running_eur_per_yr": annual * running,
        }
    )


def _flows_table(inst: Instance, v: _Values) -> pd.DataFrame:
    """Flow per link and slice at the sending end and delivered at the receiving end [MW]."""
    n_l, n_t = len(inst.links.ids), inst.n_slices
    return pd.DataFrame(
        {
            "link_id": np.repeat(inst.links.ids, n_t),
            "from_zone": np.repeat([inst.zones.ids[a] for a in inst.links.src], n_t),
            "to_zone": np.repeat([inst.zones.ids[b] for b in inst.links.dst], n_t),
            "slice": np.tile(inst.time.ids, n_l),
            "weight_h": np.tile(inst.time.weight_h, n_l),
            "flow_mw": v.flow.ravel(),
            "delivered_mw": (v.flow * inst.links.efficiency[:, None]).ravel(),
        }
    )


def _by_zone(inst: Instance, v: _Values) -> dict[str, np.ndarray]:
    """Per zone and slice [MW]: clean supply, imports, exports; per zone: load [MW]."""
    n_z, n_t = inst.n_zones, inst.n_slices
    clean = np.zeros((n_z, n_t))
    np.add.at(clean, inst.supply.zone, v.re_output)
    imports = np.zeros((n_z, n_t))
    exports = np.zeros((n_z, n_t))
    np.add.at(imports, inst.links.dst, v.flow * inst.links.efficiency[:, None])
    np.add.at(exports, inst.links.src, v.flow)
    new_load = np.zeros(n_z)
    np.add.at(new_load, inst.sites.zone, inst.new_load_per_mw * v.new_it)
    return {
        "clean": clean,
        "imports": imports,
        "exports": exports,
        "load": inst.fixed_load_mw + new_load,
    }


def _curtailment(inst: Instance, dispatch: pd.DataFrame) -> dict[str, float | None]:
    """Clean generation curtailed and used over the year [MWh/yr] (runs on hours; None in
    netted annual runs, whose single slice has no hours to curtail in)."""
    if inst.settings.exchange != "hourly":
        return {"annual_curtailment_mwh": None, "annual_clean_used_mwh": None}
    weight = dispatch["weight_h"]
    curtailed = float((dispatch["curtailment_mw"] * weight).sum())
    produced = float((dispatch["clean_mw"] * weight).sum())
    return {"annual_curtailment_mwh": curtailed, "annual_clean_used_mwh": produced - curtailed}


def _surplus(v: _Values, z: dict[str, np.ndarray]) -> np.ndarray:
    """Clean supply left unused per zone and slice [MW]: the balance's slack (>= 0)."""
    supply = z["clean"] + z["imports"] - z["exports"] + v.discharge - v.charge + v.grid - v.sale
    supply = supply + sum(v.other.values(), np.zeros_like(supply))
    return np.clip(supply - _served(v, z), 0.0, None)


def _served(v: _Values, z: dict[str, np.ndarray]) -> np.ndarray:
    """Load the plan supplies per zone and slice [MW]: nominal, plus what moved in time and
    between zones."""
    served = z["load"][:, None] + sum((x for x in (v.shift, v.moved) if x is not None), 0.0)
    return np.broadcast_to(served, v.grid.shape)


def _tech_mask(inst: Instance, tech: str) -> np.ndarray:
    return np.array([k == tech for k in inst.supply.tech], dtype=bool)


def _dispatch_table(inst: Instance, v: _Values, z: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per zone and slice: load and every source of supply [MW]."""
    n_z, n_t = inst.n_zones, inst.n_slices
    dispatch = pd.DataFrame(
        {
            "zone_id": np.repeat(inst.zones.ids, n_t),
            "slice": np.tile(inst.time.ids, n_z),
            "weight_h": np.tile(inst.time.weight_h, n_z),
            "duration_h": np.tile(inst.time.durations, n_z),
            "load_mw": np.repeat(z["load"][:, None], n_t, axis=1).ravel(),
            "clean_mw": z["clean"].ravel(),
            "import_mw": z["imports"].ravel(),
            "export_mw": z["exports"].ravel(),
            "storage_mw": (v.discharge - v.charge).ravel(),
            "grid_mw": v.grid.ravel(),
            "sale_mw": v.sale.ravel(),
            "period": np.tile(inst.time.period, n_z),
            "charge_mw": v.charge.ravel(),
            "discharge_mw": v.discharge.ravel(),
            "curtailment_mw": _surplus(v, z).ravel(),
        }
    )
    for tech in sorted(set(inst.supply.tech)):
        mask = _tech_mask(inst, tech)
        by_tech = np.zeros((n_z, n_t))
        np.add.at(by_tech, inst.supply.zone[mask], v.re_output[mask])
        dispatch[f"clean_{tech}_mw"] = by_tech.ravel()
    for tech in v.store_charge:  # per store, so each state of charge can be re-checked
        dispatch[f"charge_{tech}_mw"] = v.store_charge[tech].ravel()
        dispatch[f"discharge_{tech}_mw"] = v.store_discharge[tech].ravel()
    for column, values in (("shift_mw", v.shift), ("moved_mw", v.moved)):
        if values is not None:  # flexible load: what moved
            dispatch[column] = values.ravel()
    if v.shift is not None or v.moved is not None:
        dispatch["served_load_mw"] = _served(v, z).ravel()
    for part, fed in v.other.items():
        dispatch[f"{part}_mw"] = fed.ravel()
    return dispatch


def _zones_table(inst: Instance, v: _Values, z: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per zone: capacity [MW IT], load [MW, MWh/yr], energy [MWh/yr], stores, new clean MW."""
    n_z = inst.n_zones
    w = inst.time.weight_h
    hours = float(w.sum())
    new_it = np.zeros(n_z)
    np.add.at(new_it, inst.sites.zone, v.new_it)
    built = np.zeros(n_z)
    np.add.at(built, inst.sites.zone, v.built.astype(float))
    grid_mwh = v.grid @ w
    zones = pd.DataFrame(
        {
            "zone_id": inst.zones.ids,
            "country": inst.zones.country,
            "baseline_it_mw": inst.zones.baseline_it_mw,
            "baseline_pue": inst.zones.baseline_pue,
            "new_it_mw": new_it,
            "total_it_mw": inst.zones.baseline_it_mw + new_it,
            "sites_built": built.astype(int),
            "load_mw": z["load"],
            "annual_load_mwh": z["load"] * hours,
            "clean_mwh": z["clean"] @ w,
            "import_mwh": z["imports"] @ w,
            "export_mwh": z["exports"] @ w,
            "grid_mwh": grid_mwh,
            "sale_mwh": v.sale @ w,
            "emissions_t_per_yr": grid_mwh * inst.notes.carbon_intensity_g_per_kwh / 1000.0,
            # every store has <tech>_mwh and <tech>_mw; storage_* are their totals
            "storage_mwh": sum(v.energy.values(), np.zeros(n_z)),
            "storage_mw": sum(v.power.values(), np.zeros(n_z)),
        }
    )
    if v.shift is not None:  # flexible load within days: brought in (= put off) [MWh/yr]
        zones["shifted_mwh"] = np.clip(v.shift, 0.0, None) @ w
    if v.moved is not None:  # between zones: what each zone took in and gave away [MWh/yr]
        zones["moved_in_mwh"] = np.clip(v.moved, 0.0, None) @ w
        zones["moved_out_mwh"] = np.clip(-v.moved, 0.0, None) @ w
    if inst.zones.in_scope is not None:  # a country's plan: the others are trading partners
        zones["in_scope"] = inst.zones.in_scope
    fossil = inst.supply.not_carbon_free
    if fossil is not None:  # counted against the CFE target as purchases are [MWh/yr]
        per_zone = np.zeros(n_z)
        np.add.at(per_zone, inst.supply.zone[fossil], v.re_output[fossil] @ w)
        zones["not_carbon_free_mwh"] = per_zone
    if v.interruptible is not None and v.interrupted is not None:  # above the hosting
        zones["interruptible_mw"] = v.interruptible  # limit, curtailed when the grid is
        zones["interrupted_mwh"] = v.interrupted  # stressed
    if len(inst.zones.hosting_mw) and np.isfinite(inst.zones.hosting_mw).any():
        new_load = np.zeros(n_z)
        np.add.at(new_load, inst.sites.zone, inst.new_load_per_mw * v.new_it)
        zones["hosted_load_mw"] = new_load
        zones["hosting_limit_mw"] = np.where(
            np.isfinite(inst.zones.hosting_mw), inst.zones.hosting_mw, np.nan
        )
        zones["hosting_used"] = new_load / zones["hosting_limit_mw"]
    for tech in v.energy:
        zones[f"{tech}_mwh"] = v.energy[tech]
        zones[f"{tech}_mw"] = v.power[tech]
        if tech in v.charge_power:  # a charging side sized apart (an electrolyser)
            zones[f"{tech}_charge_mw"] = v.charge_power[tech]
    techs = sorted(set(inst.supply.tech))
    for tech in techs:
        col = np.zeros(n_z)
        mask = _tech_mask(inst, tech)
        np.add.at(col, inst.supply.zone[mask], v.re_new[mask])
        zones[f"new_{tech}_mw"] = col
    zones["new_clean_mw"] = zones[[f"new_{t}_mw" for t in techs]].sum(axis=1)
    return zones


def _links_table(inst: Instance, v: _Values) -> pd.DataFrame:
    """Per link: capacity [MW], mean flow [MW] and utilisation of all and usable capacity."""
    hours = float(inst.time.weight_h.sum())
    mean_flow = (
        v.flow @ inst.time.weight_h / hours if inst.n_slices else np.zeros(len(inst.links.ids))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(
            inst.notes.link_capacity_mw > 0, mean_flow / inst.notes.link_capacity_mw, 0.0
        )
        dc_util = np.where(inst.links.usable_mw > 0, mean_flow / inst.links.usable_mw, 0.0)
    return pd.DataFrame(
        {
            "link_id": inst.links.ids,
            "from_zone": [inst.zones.ids[a] for a in inst.links.src],
            "to_zone": [inst.zones.ids[b] for b in inst.links.dst],
            "capacity_mw": inst.notes.link_capacity_mw,
            "usable_mw": inst.links.usable_mw,
            "mean_flow_mw": mean_flow,
            "utilisation": util,
            "usable_utilisation": dc_util,
            "efficiency": inst.links.efficiency,
        }
    )


def _cost_breakdown(
    inst: Instance, v: _Values, sites: pd.DataFrame, renewables: pd.DataFrame
) -> dict[str, float]:
    """Annualised cost by part [EUR/yr]; the parts add up to the objective."""
    water = float(sites["water_eur_per_yr"].sum())
    accel = float(sites["acceleration_eur_per_yr"].sum())
    reinforce = float(sites["reinforcement_eur_per_yr"].sum())
    storage = sum(_store_cost(o, v) for o in inst.stores if o.tech in v.energy)
    sale_price = inst.zone_sale_price
    return {
        "sites": float(sites["cost_eur_per_yr"].sum()) - water - accel - reinforce,
        "water": water,
        "connection_acceleration": accel,
        "reinforcement": reinforce,
        "clean_capacity": float(renewables["cost_eur_per_yr"].sum()),
        "clean_running": float(renewables["running_eur_per_yr"].sum()),
        "storage": float(storage),
        "links": float(inst.settings.wheeling_eur_per_mwh * (v.flow @ inst.time.weight_h).sum()),
        "residual_grid": float(
            ((v.grid @ inst.time.weight_h) * inst.zones.grid_cost_eur_per_mwh).sum()
        ),
        "grid_sales": -float(((v.sale @ inst.time.weight_h) * sale_price).sum()),
        "lost_compute": _lost_compute(inst, v),
    }


def _lost_compute(inst: Instance, v: _Values) -> float:
    """What curtailed interruptible load costs [EUR/yr] (0 when none)."""
    if v.interrupted is None:
        return 0.0
    return float(v.interrupted.sum() * inst.settings.lost_compute_eur_per_mwh)


def _summary(
    inst: Instance, v: _Values, result: SolveResult, t: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """The headline numbers of ``summary.json`` (fields in :mod:`siting.base.summary`)."""
    zones, renewables = t["zones"], t["renewables"]
    load = float(zones["annual_load_mwh"].sum())
    grid = float(zones["grid_mwh"].sum())
    sold = float(zones["sale_mwh"].sum())
    costs = _cost_breakdown(inst, v, t["sites"], renewables)
    energy = (costs["clean_capacity"] + costs["clean_running"] + costs["storage"] + costs["links"]
              + costs["residual_grid"] + costs["grid_sales"])  # fmt: skip
    # supply not counted as carbon-free counts as purchases do (carbon.not_carbon_free)
    fossil = float(zones["not_carbon_free_mwh"].sum()) if "not_carbon_free_mwh" in zones else 0.0
    # annual matching nets the surplus sold against purchases; hourly matching does not
    unmatched = (max(grid + fossil - sold, 0.0) if inst.settings.matching == "annual"
                 else grid + fossil)  # fmt: skip
    new_total = float(v.new_it.sum())
    return {
        "status": result.status.value,
        "objective_eur_per_yr": result.objective,
        "mip_gap": None if math.isnan(result.mip_gap) else result.mip_gap,
        "baseline_it_mw": inst.baseline_total_mw,
        "target_it_mw": inst.target_total_mw,
        "total_it_mw": inst.baseline_total_mw + new_total,
        "new_it_mw": new_total,
        "sites_built": int(v.built.sum()),
        "annual_load_mwh": load,
        "annual_clean_mwh": float(zones["clean_mwh"].sum()),
        **_curtailment(inst, t["dispatch"]),
        "cfe_score": 1.0 - unmatched / load if load > 0 else 1.0,
        "hourly_cfe_score": 1.0 - (grid + fossil) / load
        if load > 0 and inst.settings.exchange == "hourly"
        else None,
        "grid_exchange": inst.settings.exchange,
        "grid_purchase_mwh": grid,
        "grid_sale_mwh": sold,
        "emissions_t_per_yr": float(zones["emissions_t_per_yr"].sum()),
        "new_re_mw": {
            tech: float(renewables.loc[renewables["tech"] == tech, "new_mw"].sum())
            for tech in sorted(set(inst.supply.tech))
        },
        "storage_mwh": float(sum(e.sum() for e in v.energy.values())),
        "storage_mw": float(sum(p.sum() for p in v.power.values())),
        "storage_hours": _hours(v),
        "storage_by_tech": {
            o.tech: {
                "mw": float(v.power[o.tech].sum()),
                "mwh": float(v.energy[o.tech].sum()),
                "charge_mw": float(v.charge_power.get(o.tech, v.power[o.tech]).sum()),
                "hours": float(v.energy[o.tech].sum() / v.power[o.tech].sum())
                if v.power[o.tech].sum() > 1e-9
                else 0.0,
                "cost_eur_per_yr": _store_cost(o, v),
            }
            for o in inst.stores
            if o.tech in v.energy
        },
        "cost_breakdown_eur_per_yr": costs,
        "cost_per_mwh_load_eur": sum(costs.values()) / load if load > 0 else None,
        "energy_cost_per_mwh_load_eur": energy / load if load > 0 else None,
        "matching": inst.settings.matching,
        "cfe_target": inst.settings.cfe_target,
        "scope": inst.settings.scope,
        "multiplier": inst.settings.multiplier,
        "target": _target(inst, load),
        "utilisation": inst.settings.utilisation,
        "flexibility": _flexibility(inst, v, load),
    }


def _flexibility(inst: Instance, v: _Values, load_mwh: float) -> dict[str, float] | None:
    """The flexible shares and the energy moved over the year [MWh/yr] (None: flat load):
    within days (brought in, equal to what was put off) and between zones (moved in)."""
    if v.shift is None and v.moved is None and v.interruptible is None:
        return None
    w = inst.time.weight_h
    shifted = 0.0 if v.shift is None else float((np.clip(v.shift, 0.0, None) * w).sum())
    moved = 0.0 if v.moved is None else float((np.clip(v.moved, 0.0, None) * w).sum())
    share = lambda x: x / load_mwh if load_mwh > 0 else 0.0  # noqa: E731
    return {"temporal_share": inst.settings.temporal_share, "shifted_mwh": shifted,
            "shifted_share_of_load": share(shifted),
            "spatial_share": inst.settings.spatial_share, "moved_mwh": moved,
            "moved_share_of_load": share(moved), **_interrupted(inst, v)}  # fmt: skip


def _target(inst: Instance, load_mwh: float) -> dict[str, Any]:
    """The target as compute, IT capacity and energy, and the energy against the sourced
    projections of Europe's data-centre electricity (``siting/data/projections.csv``)."""
    twh = load_mwh / 1e6 if inst.settings.scope == "all" else None
    # the projections are Europe-wide: a country's plan (scope) is not set against them
    whole = twh if inst.zones.in_scope is None else None
    return {
        "compute_multiplier": inst.settings.multiplier,
        "compute_per_new_it_mw": inst.settings.compute_per_new_mw,
        "it_mw": inst.target_total_mw,
        "new_it_mw": inst.required_new_mw,
        "load_twh_per_yr": twh,
        "projections": [
            {**p, "plan_over_projection": None if whole is None else whole / p["twh"]}
            for p in projections()
        ],
    }


def projections() -> list[dict[str, Any]]:
    """Sourced projections of data-centre electricity [TWh/yr], shipped as data."""
    from importlib import resources

    with resources.as_file(resources.files("siting") / "data" / "projections.csv") as p:
        table = pd.read_csv(p)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in table.to_dict("records")]  # fmt: skip


def _interrupted(inst: Instance, v: _Values) -> dict[str, Any]:
    """Interruptible load [MW], what of it was curtailed over the year [MWh/yr] and that as
    a share of its energy [-] (zeros when none)."""
    size = 0.0 if v.interruptible is None else float(v.interruptible.sum())
    cut = 0.0 if v.interrupted is None else float(v.interrupted.sum())
    hours = float(inst.time.weight_h.sum())
    return {"interruptible_share": inst.settings.interruptible_share,
            "interruptible_mw": size, "interrupted_mwh": cut,
            "interrupted_share": cut / (size * hours) if size > 0 else 0.0}  # fmt: skip


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
    v = _values(model)
    served_at = np.zeros(inst.n_sites)
    for (_, site), var in model.serve.items():
        served_at[site] += _val(var)
    sites = _sites_table(inst, v, served_at)
    service, demand = _service_tables(model, sites)
    per_zone = _by_zone(inst, v)
    tables = {
        "sites": sites,
        "renewables": _renewables_table(inst, v),
        "flows": _flows_table(inst, v),
        "dispatch": _dispatch_table(inst, v, per_zone),
        "zones": _zones_table(inst, v, per_zone),
        "links": _links_table(inst, v),
    }
    summary = _summary(inst, v, result, tables)
    summary.update(_policy_kpis(inst, sites, demand))
    return Solution(**tables, summary=RunSummary(summary), service=service, demand=demand,
                    calendar=calendar_table(inst))  # fmt: skip


def calendar_table(inst: Instance) -> pd.DataFrame:
    """Per calendar day: ``day`` (1-365, on through the years of a robust run), ``date``, the
    ``period`` standing for it, and
    ``own_day`` (True where the period is that day's own hours). Empty when not known."""
    if inst.time.day_period is None or not inst.notes.period_dates:
        return pd.DataFrame()
    dates = inst.notes.calendar or calendar_dates(int(inst.notes.period_dates[0][:4]))
    own = set(inst.notes.period_dates)
    return pd.DataFrame({
        "day": np.arange(1, len(dates) + 1),
        "date": dates,
        "period": inst.time.day_period,
        "own_day": [d in own for d in dates],
    })  # fmt: skip


def _hours(v: _Values) -> float:
    """All stores' energy over their power [h]; 0 without storage."""
    power = float(sum(p.sum() for p in v.power.values()))
    return float(sum(e.sum() for e in v.energy.values())) / power if power > 1e-9 else 0.0


def _store_cost(o: StorageOption, v: _Values) -> float:
    """Annualised cost of one store over all zones [EUR/yr]: energy, power, charging side."""
    cost = float(v.energy[o.tech].sum()) * o.energy_eur_per_mwh_yr
    cost += float(v.power[o.tech].sum()) * o.power_eur_per_mw_yr
    if o.tech in v.charge_power:
        cost += float(v.charge_power[o.tech].sum()) * float(o.charge_eur_per_mw_yr or 0.0)
    return cost


def _stores(model: SitingModel) -> list[tuple[StorageOption, StoreVars]]:
    """Each storage technology of the instance with its columns."""
    return list(zip(model.instance.stores, model.stores, strict=True))


def _service_tables(model: SitingModel, sites: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who serves whom (one row per pair with load) and the per-demand-point view."""
    inst = model.instance
    cols = ["demand_id", "site_id", "served_it_mw", "rtt_ms", "max_rtt_ms", "distance_km"]
    if inst.demand.it_mw is None or inst.demand.rtt_ms is None or inst.demand.budget_ms is None:
        return pd.DataFrame(columns=cols), pd.DataFrame()
    dist = (
        inst.notes.distance_km
        if inst.notes.distance_km is not None
        else np.full_like(inst.demand.rtt_ms, np.nan)
    )
    rows = [
        (
            inst.demand.ids[d],
            inst.sites.ids[s],
            _val(v),
            float(inst.demand.rtt_ms[d, s]),
            float(inst.demand.budget_ms[d]),
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
        r = np.where(built, inst.demand.rtt_ms[d], np.inf)
        nearest.append(float(r.min()) if np.isfinite(r).any() else np.nan)
    demand = pd.DataFrame(
        {
            "demand_id": inst.demand.ids,
            "inference_it_mw": inst.demand.it_mw,
            "max_rtt_ms": inst.demand.budget_ms,
            "served_it_mw": [float(served.get(d, 0.0)) for d in inst.demand.ids],
            "worst_rtt_ms": [float(worst.get(d, np.nan)) for d in inst.demand.ids],
            "nearest_built_rtt_ms": nearest,
            "candidate_sites": [len(inst.servable(d)) for d in range(inst.n_demand)],
            "reach_km": inst.notes.radius_km
            if inst.notes.radius_km is not None
            else np.full(inst.n_demand, np.nan),
        }
    )
    return service, demand


HOSTING_FULL = 0.995
"""A zone whose new data-centre load is at least this share of its hosting limit counts as at
the limit [-] (summary, zones.csv, maps): within 0.5 %, the solver's tolerances aside."""


def _hosting_kpis(inst: Any, sites: pd.DataFrame) -> dict[str, Any]:
    """Which zones' grids the plan fills to their hosting limit (within 0.5 %), and the new
    data-centre load they take [MW]; nothing when no zone has a limit."""
    limits = inst.zones.hosting_mw
    if not len(limits) or not np.isfinite(limits).any():
        return {}
    load = np.zeros(inst.n_zones)
    np.add.at(load, inst.sites.zone, inst.new_load_per_mw * sites["new_it_mw"].to_numpy(float))
    full = np.isfinite(limits) & (load >= HOSTING_FULL * limits) & (limits > 0)
    return {
        "hosting_limited_zones": [inst.zones.ids[z] for z in np.flatnonzero(full)],
        "hosting_limited_load_mw": float(load[full].sum()),
    }


def _policy_kpis(inst: Any, sites: pd.DataFrame, demand: pd.DataFrame) -> dict[str, Any]:
    """What the policy layers cost in capacity: exclusions by rule, connection delays, latency."""
    head = np.maximum(sites["max_it_mw"] - sites["existing_it_mw"], 0.0)
    kinds = sites["exclusion"]
    excluded = {
        kind: {"sites": int((kinds == kind).sum()), "capacity_mw": float(head[kinds == kind].sum())}
        for kind in ("forbidden", "forbidden_area", "moratorium", "water", "connection", "scope")
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
            for c, v in sites.assign(country=[inst.zones.country[z] for z in inst.sites.zone])
            .groupby("country")["new_it_mw"]
            .sum()
            .items()
            if v > 0
        },
    }
    out.update(_hosting_kpis(inst, sites))
    if len(demand):
        out["inference_it_mw"] = float(demand["inference_it_mw"].sum())
        out["inference_served_it_mw"] = float(demand["served_it_mw"].sum())
        out["max_worst_rtt_ms"] = (
            float(demand["worst_rtt_ms"].max()) if demand["worst_rtt_ms"].notna().any() else None
        )
    return out
