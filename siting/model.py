"""Model: the siting MILP of DESIGN §4, built in PuLP from an :class:`Instance` only.

Pure: no I/O. Built with PuLP's fast idioms (one ``LpAffineExpression`` per row from
(variable, coefficient) pairs, numeric right-hand sides, one ``extend`` call, Python floats,
garbage collector paused). Variables are named by index; :class:`SitingModel` keeps the
arrays that map them back to IDs.

Units: capacities and flows [MW] (average over a slice), energy [MWh], costs [EUR/yr].
"""

from __future__ import annotations

import gc
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pulp

from siting.instance import Instance

Pairs = list[tuple[pulp.LpVariable, float]]


@dataclass
class SitingModel:
    """A built model and the variables behind each instance element.

    ``None`` marks an element without a variable (e.g. an excluded site, or the residual
    grid when the CFE target is 1.0): its value is zero by construction.
    """

    problem: pulp.LpProblem
    instance: Instance
    build: list[pulp.LpVariable | None]
    size: list[pulp.LpVariable | None]  # module count (integer) or MW (continuous)
    size_mw: list[float]  # MW of new capacity per unit of ``size``
    re: list[pulp.LpVariable | None]
    flow: list[list[pulp.LpVariable]]  # [link][slice]
    grid: list[list[pulp.LpVariable]] | None  # [zone][slice]
    storage_energy: list[pulp.LpVariable] | None = None
    storage_power: list[pulp.LpVariable] | None = None
    charge: list[list[pulp.LpVariable]] | None = None
    discharge: list[list[pulp.LpVariable]] | None = None
    soc: list[list[pulp.LpVariable]] | None = None
    serve: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    cost: pulp.LpAffineExpression | None = None
    row_meaning: dict[str, str] = field(default_factory=dict)
    columns: list[pulp.LpVariable] = field(default_factory=list)
    """Every variable in the order HiGHS receives them."""

    @property
    def n_variables(self) -> int:
        return self.problem.numVariables()

    @property
    def n_constraints(self) -> int:
        return self.problem.numConstraints()


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Building creates millions of small objects; cyclic GC passes over them dominate otherwise.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _row(pairs: Pairs, sense: int, rhs: float, name: str) -> pulp.LpConstraint:
    return pulp.LpConstraint(pulp.LpAffineExpression(pairs), sense, name, float(rhs))


def build_model(inst: Instance, symmetry_breaking: bool = False) -> SitingModel:
    """Build the siting MILP.

    Parameters
    ----------
    inst
        The problem instance.
    symmetry_breaking
        Order identical candidate sites (see :func:`identical_sites`): the first in ID order
        gets at least as much new capacity as the next. Leaves the optimum unchanged. Off by
        default: measured with ``benchmarks/formulation.py``, the rows do not tighten the LP
        relaxation (0.07 % root gap either way on europe-2030) and slow HiGHS down, which
        detects symmetry itself (europe-2030 0.1 -> 0.4 s; europe-2030-247 64 s -> over 4 min).

    Returns
    -------
    SitingModel
        Problem (minimise annualised cost [EUR/yr]) and variable handles.
    """
    with _gc_paused():
        return _build(inst, symmetry_breaking)


def identical_sites(inst: Instance) -> list[list[int]]:
    """Groups (two or more) of candidate sites that are interchangeable in the model.

    Same zone, costs per MW (capex, water, acceleration), fixed cost, PUE, module size and
    count, all eligible and none forced, the same forced areas and, with latency rules, the
    same demand points within reach. Any plan stays feasible and costs the same when such
    sites swap their new capacity.
    """
    areas = [
        frozenset(a for a, members in enumerate(inst.area_sites) if s in members)
        for s in range(inst.n_sites)
    ]
    per_mw = inst.site_capex_eur_per_mw_yr + inst.site_extra_eur_per_mw_yr
    reach: list[tuple[int, ...]] = [()] * inst.n_sites
    if inst.n_demand and inst.rtt_ms is not None and inst.demand_budget_ms is not None:
        ok = inst.rtt_ms <= inst.demand_budget_ms[:, None] + 1e-9
        reach = [tuple(np.flatnonzero(ok[:, s]).tolist()) for s in range(inst.n_sites)]
    groups: dict[tuple[object, ...], list[int]] = {}
    for s in range(inst.n_sites):
        if not inst.eligible[s] or inst.forced[s] or inst.headroom_mw[s] <= 0:
            continue
        key = (
            int(inst.site_zone[s]),
            float(per_mw[s]),
            float(inst.site_fixed_eur_per_yr[s]),
            float(inst.site_pue[s]),
            float(inst.module_it_mw[s]) if not math.isnan(inst.module_it_mw[s]) else None,
            float(inst.headroom_mw[s]),
            areas[s],
            reach[s],
        )
        groups.setdefault(key, []).append(s)
    return [g for g in groups.values() if len(g) > 1]


def _build(inst: Instance, symmetry_breaking: bool = False) -> SitingModel:
    prob = pulp.LpProblem("siting", pulp.LpMinimize)
    rows: list[pulp.LpConstraint] = []
    meaning: dict[str, str] = {}
    obj: Pairs = []
    n_t = inst.n_slices
    weights = inst.weight_h.tolist()

    # --- sites: build decision and size -----------------------------------------------------
    build: list[pulp.LpVariable | None] = [None] * inst.n_sites
    size: list[pulp.LpVariable | None] = [None] * inst.n_sites
    size_mw = [0.0] * inst.n_sites
    headroom = inst.headroom_mw.tolist()
    max_modules = inst.max_modules.tolist()
    module = inst.module_it_mw.tolist()
    capex = (inst.site_capex_eur_per_mw_yr + inst.site_extra_eur_per_mw_yr).tolist()
    fixed = inst.site_fixed_eur_per_yr.tolist()
    load_per_mw = inst.new_load_per_mw.tolist()
    site_zone = inst.site_zone.tolist()
    # Columns and rows are created block by block (all build decisions, then all sizes, ...),
    # so HiGHS receives the same matrix as benchmarks/reference.py's direct build.
    cap_units: dict[int, float] = {}
    for s in range(inst.n_sites):
        forced = bool(inst.forced[s])
        if not (inst.eligible[s] or forced):
            continue
        modular = not math.isnan(module[s])
        units = float(max_modules[s]) if modular else headroom[s]
        if not inst.eligible[s]:
            units = 0.0  # forced but excluded: infeasible on purpose, the solver reports it
        elif units <= 0 and not forced:
            continue
        cap_units[s] = units
    sited = sorted(cap_units)
    for s in sited:
        b = prob.add_variable(f"b{s}", cat=pulp.LpBinary)
        if inst.forced[s]:
            b.lowBound = 1  # set after creation: PuLP resets the bounds of binaries
        build[s] = b
        obj.append((b, fixed[s]))
    for s in sited:
        if not math.isnan(module[s]):
            x = prob.add_variable(f"m{s}", lowBound=0, upBound=cap_units[s], cat=pulp.LpInteger)
            size_mw[s] = float(module[s])
        else:
            x = prob.add_variable(f"n{s}", lowBound=0, upBound=cap_units[s])
            size_mw[s] = 1.0
        size[s] = x
        obj.append((x, capex[s] * size_mw[s]))
    for s in sited:
        if not math.isnan(module[s]):
            # a built site gets at least one module, so 'built' always means new capacity
            name = f"minmod_{s}"
            rows.append(_row([(size[s], 1.0), (build[s], -1.0)], pulp.LpConstraintGE, 0.0, name))  # type: ignore[list-item]
            meaning[name] = f"site {inst.site_ids[s]}: built means at least one module"
    for s in sited:
        name = f"site_{s}"
        rows.append(
            _row([(size[s], 1.0), (build[s], -cap_units[s])], pulp.LpConstraintLE, 0.0, name)  # type: ignore[list-item]
        )
        meaning[name] = (
            f"site {inst.site_ids[s]}: new capacity only where built, up to {headroom[s]:g} MW"
        )

    # 1. target
    rows.append(
        _row(
            [(size[s], size_mw[s]) for s in sited],
            pulp.LpConstraintGE,
            inst.required_new_mw,
            "target",
        )  # type: ignore[misc]
    )
    meaning["target"] = f"new IT capacity >= {inst.required_new_mw:g} MW"

    # --- clean capacity ---------------------------------------------------------------------
    re: list[pulp.LpVariable | None] = []
    re_head = np.maximum(inst.re_potential_mw - inst.re_existing_mw, 0.0).tolist()
    re_capex = inst.re_capex_eur_per_mw_yr.tolist()
    for j in range(len(inst.re_tech)):
        if re_head[j] <= 0:
            re.append(None)
            continue
        v = prob.add_variable(f"r{j}", lowBound=0, upBound=re_head[j])
        re.append(v)
        obj.append((v, re_capex[j]))

    # --- link flows ---------------------------------------------------------------------------
    usable = inst.link_usable_mw.tolist()
    flow = [
        [prob.add_variable(f"f{k}_{t}", lowBound=0, upBound=usable[k]) for t in range(n_t)]
        for k in range(len(inst.link_ids))
    ]
    if inst.wheeling_eur_per_mwh > 0:
        for k in range(len(inst.link_ids)):
            for t in range(n_t):
                obj.append((flow[k][t], inst.wheeling_eur_per_mwh * weights[t]))

    # --- residual grid --------------------------------------------------------------------------
    grid: list[list[pulp.LpVariable]] | None = None
    if inst.cfe_target < 1.0:
        gcost = inst.grid_cost_eur_per_mwh.tolist()
        grid = [
            [prob.add_variable(f"g{z}_{t}", lowBound=0) for t in range(n_t)]
            for z in range(inst.n_zones)
        ]
        for z in range(inst.n_zones):
            for t in range(n_t):
                obj.append((grid[z][t], gcost[z] * weights[t]))

    # --- storage (hourly matching) --------------------------------------------------------------
    model_storage = inst.storage_enabled and inst.matching == "hourly"
    se = sp = ch = dis = soc = None
    storage_rows: list[pulp.LpConstraint] = []
    if model_storage:
        se, sp, ch, dis, soc = _storage(prob, inst, storage_rows, meaning, obj)

    # 4. balance per zone and slice: clean + imports - exports + storage + grid >= load
    fixed_load = inst.fixed_load_mw.tolist()
    cf = inst.re_cf.tolist()
    eff = inst.link_efficiency.tolist()
    sites_in: list[list[int]] = [[] for _ in range(inst.n_zones)]
    for s in sited:
        sites_in[site_zone[s]].append(s)
    re_in: list[list[int]] = [[] for _ in range(inst.n_zones)]
    for j, z in enumerate(inst.re_zone.tolist()):
        if re[j] is not None:
            re_in[z].append(j)
    links_in: list[list[int]] = [[] for _ in range(inst.n_zones)]
    links_out: list[list[int]] = [[] for _ in range(inst.n_zones)]
    for k, (a, b_) in enumerate(zip(inst.link_from.tolist(), inst.link_to.tolist(), strict=True)):
        links_out[a].append(k)
        links_in[b_].append(k)
    for z in range(inst.n_zones):
        for t in range(n_t):
            pairs: Pairs = [(re[j], cf[j][t]) for j in re_in[z]]  # type: ignore[misc]
            pairs += [(flow[k][t], eff[k]) for k in links_in[z]]
            pairs += [(flow[k][t], -1.0) for k in links_out[z]]
            pairs += [(size[s], -load_per_mw[s] * size_mw[s]) for s in sites_in[z]]  # type: ignore[misc]
            if grid is not None:
                pairs.append((grid[z][t], 1.0))
            if dis is not None and ch is not None:
                pairs += [(dis[z][t], 1.0), (ch[z][t], -1.0)]
            name = f"bal_{z}_{t}"
            rows.append(_row(pairs, pulp.LpConstraintGE, fixed_load[z], name))
            meaning[name] = f"zone {inst.zone_ids[z]}, slice {inst.slice_ids[t]}: supply >= load"

    # 5. CFE target per zone: residual grid energy <= (1 - cfe) x annual load
    if grid is not None:
        share = 1.0 - inst.cfe_target
        hours = float(inst.weight_h.sum())
        for z in range(inst.n_zones):
            pairs = [(grid[z][t], weights[t]) for t in range(n_t)]
            pairs += [(size[s], -share * hours * load_per_mw[s] * size_mw[s]) for s in sites_in[z]]  # type: ignore[misc]
            name = f"cfe_{z}"
            rows.append(_row(pairs, pulp.LpConstraintLE, share * hours * fixed_load[z], name))
            meaning[name] = f"zone {inst.zone_ids[z]}: residual grid <= {share:.1%} of load"
    rows.extend(storage_rows)

    # 8. policy: country share, site counts
    if inst.max_country_share is not None and inst.max_country_share < 1.0 and sited:
        cap = inst.max_country_share
        countries = sorted({inst.zone_country[site_zone[s]] for s in sited})
        for c in countries:
            pairs = [
                (
                    size[s],
                    ((1.0 if inst.zone_country[site_zone[s]] == c else 0.0) - cap) * size_mw[s],
                )  # type: ignore[misc]
                for s in sited
            ]
            name = f"share_{c}"
            rows.append(_row(pairs, pulp.LpConstraintLE, 0.0, name))
            meaning[name] = f"country {c}: at most {cap:.0%} of new capacity"
    if inst.min_sites > 0:
        rows.append(
            _row([(build[s], 1.0) for s in sited], pulp.LpConstraintGE, inst.min_sites, "min_sites")
        )  # type: ignore[misc]
        meaning["min_sites"] = f"at least {inst.min_sites} sites get new capacity"
    if inst.max_sites is not None:
        rows.append(
            _row([(build[s], 1.0) for s in sited], pulp.LpConstraintLE, inst.max_sites, "max_sites")
        )  # type: ignore[misc]
        meaning["max_sites"] = f"at most {inst.max_sites} sites get new capacity"
    for c, n in sorted(inst.min_sites_by_country.items()):
        if n <= 0:
            continue
        pairs = [(build[s], 1.0) for s in sited if inst.zone_country[site_zone[s]] == c]  # type: ignore[misc]
        name = f"cmin_{c}"
        rows.append(_row(pairs, pulp.LpConstraintGE, n, name))
        meaning[name] = f"country {c}: at least {n} site{'s' if n != 1 else ''} with new capacity"
    for a, (area, members, n) in enumerate(
        zip(inst.area_names, inst.area_sites, inst.area_min_sites, strict=True)
    ):
        if n <= 0:
            continue
        pairs = [(build[s], 1.0) for s in members if build[s] is not None]  # type: ignore[misc]
        name = f"area_{a}"
        rows.append(_row(pairs, pulp.LpConstraintGE, n, name))
        meaning[name] = (
            f"forced area {area}: at least {n} site{'s' if n != 1 else ''} with new capacity"
        )

    # 7. latency: each demand point's inference load served by new capacity within its budget
    serve = _latency(prob, inst, size, size_mw, rows, meaning)

    if symmetry_breaking:
        for group in identical_sites(inst):
            for a, b_ in itertools.pairwise(group):
                for kind, var in (("symb", build), ("symx", size)):
                    name = f"{kind}_{b_}"
                    rows.append(
                        _row([(var[a], 1.0), (var[b_], -1.0)], pulp.LpConstraintGE, 0.0, name)
                    )  # type: ignore[list-item]
                    meaning[name] = (
                        f"identical candidates: {inst.site_ids[a]} is built and sized at least "
                        f"like {inst.site_ids[b_]}"
                    )

    prob.setObjective(pulp.LpAffineExpression(obj))
    prob.extend(rows)
    columns = _columns(build, size, re, flow, grid, se, sp, ch, dis, soc, list(serve.values()))
    # Registering every column once, in block order, lets numVariables() count them and the
    # solver interface use this order instead of PuLP's walk over all rows and name sort.
    prob._add_variables(columns)
    return SitingModel(
        prob,
        inst,
        build,
        size,
        size_mw,
        re,
        flow,
        grid,
        se,
        sp,
        ch,
        dis,
        soc,
        serve,
        pulp.LpAffineExpression(obj),
        meaning,
        columns,
    )


def _latency(
    prob: pulp.LpProblem,
    inst: Instance,
    size: list[pulp.LpVariable | None],
    size_mw: list[float],
    rows: list[pulp.LpConstraint],
    meaning: dict[str, str],
) -> dict[tuple[int, int], pulp.LpVariable]:
    """``serve[d, s]`` [MW IT]: demand ``d``'s inference load placed at site ``s``.

    Only pairs within the RTT budget get a variable. Inference runs on new capacity: a site
    serves at most the new IT capacity it gets.
    """
    serve: dict[tuple[int, int], pulp.LpVariable] = {}
    if inst.demand_it_mw is None or inst.n_demand == 0:
        return serve
    load = inst.demand_it_mw.tolist()
    budget = inst.demand_budget_ms.tolist() if inst.demand_budget_ms is not None else []
    by_site: dict[int, Pairs] = {}
    for d in range(inst.n_demand):
        if load[d] <= 0:
            continue
        pairs: Pairs = []
        for s in inst.servable(d):
            if size[s] is None:
                continue
            v = prob.add_variable(f"v{d}_{s}", lowBound=0)
            serve[d, s] = v
            pairs.append((v, 1.0))
            by_site.setdefault(s, []).append((v, 1.0))
        name = f"lat_{d}"
        rows.append(_row(pairs, pulp.LpConstraintGE, load[d], name))
        meaning[name] = (
            f"demand {inst.demand_ids[d]}: {load[d]:,.0f} MW of inference served within "
            f"{budget[d]:g} ms RTT"
        )
    for s, pairs in sorted(by_site.items()):
        name = f"srv_{s}"
        rows.append(_row([*pairs, (size[s], -size_mw[s])], pulp.LpConstraintLE, 0.0, name))  # type: ignore[list-item]
        meaning[name] = f"site {inst.site_ids[s]}: serves at most its new IT capacity"
    return serve


def _columns(*groups: object) -> list[pulp.LpVariable]:
    """Every variable of the model, group by group, in creation order."""
    out: list[pulp.LpVariable] = []

    def walk(x: object) -> None:
        if isinstance(x, pulp.LpVariable):
            out.append(x)
        elif isinstance(x, list):
            for y in x:
                walk(y)

    for g in groups:
        walk(g)
    return out


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


def _storage(
    prob: pulp.LpProblem,
    inst: Instance,
    rows: list[pulp.LpConstraint],
    meaning: dict[str, str],
    obj: Pairs,
) -> tuple[
    list[pulp.LpVariable],
    list[pulp.LpVariable],
    list[list[pulp.LpVariable]],
    list[list[pulp.LpVariable]],
    list[list[pulp.LpVariable]],
]:
    """Battery per zone: energy and power sized separately, cyclic state of charge per period.

    Each slice is one hour of its representative period; charging and discharging each lose
    ``sqrt(roundtrip_efficiency)``.
    """
    n_t = inst.n_slices
    eta = math.sqrt(inst.storage_roundtrip_efficiency)
    se = [prob.add_variable(f"se{z}", lowBound=0) for z in range(inst.n_zones)]
    sp = [prob.add_variable(f"sp{z}", lowBound=0) for z in range(inst.n_zones)]
    ch = [
        [prob.add_variable(f"sc{z}_{t}", lowBound=0) for t in range(n_t)]
        for z in range(inst.n_zones)
    ]
    dis = [
        [prob.add_variable(f"sd{z}_{t}", lowBound=0) for t in range(n_t)]
        for z in range(inst.n_zones)
    ]
    soc = [
        [prob.add_variable(f"so{z}_{t}", lowBound=0) for t in range(n_t)]
        for z in range(inst.n_zones)
    ]
    period = inst.period.tolist()
    prev = cyclic_previous(period)
    for z in range(inst.n_zones):
        obj.append((se[z], inst.storage_energy_eur_per_mwh_yr))
        obj.append((sp[z], inst.storage_power_eur_per_mw_yr))
    # power bounds charging and discharging; energy bounds the state of charge
    for kind, flow, cap in (("chp", ch, sp), ("dip", dis, sp), ("soe", soc, se)):
        for z in range(inst.n_zones):
            for t in range(n_t):
                rows.append(
                    _row(
                        [(flow[z][t], 1.0), (cap[z], -1.0)],
                        pulp.LpConstraintLE,
                        0.0,
                        f"{kind}_{z}_{t}",
                    )
                )
    for z in range(inst.n_zones):
        for t in range(n_t):
            pairs: Pairs = [(soc[z][t], 1.0), (ch[z][t], -eta), (dis[z][t], 1.0 / eta)]
            if prev[t] != t:
                pairs.append((soc[z][prev[t]], -1.0))
            else:  # a one-hour period: the state returns to itself, so charge must equal loss
                pairs[0] = (soc[z][t], 0.0)
            name = f"soc_{z}_{t}"
            rows.append(_row(pairs, pulp.LpConstraintEQ, 0.0, name))
            meaning[name] = (
                f"zone {inst.zone_ids[z]}, slice {inst.slice_ids[t]}: storage state of charge"
            )
    return se, sp, ch, dis, soc
