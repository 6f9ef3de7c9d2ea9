"""Diagnosis: explain in the planner's terms why no plan can meet the requirements.

Fast pre-solve checks on the instance (pure). They run before the solver, so an obviously
impossible target is reported without building a model, and after an infeasible solve to
explain it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from siting.instance import Instance
from siting.model.registry import ColumnFamily, RowFamily


@dataclass(frozen=True)
class Finding:
    """One reason the plan is impossible, in words and numbers."""

    check: str
    message: str
    numbers: dict[str, float] = field(default_factory=dict)


def _eligible_headroom(inst: Instance) -> np.ndarray:
    modular = ~np.isnan(inst.sites.module_it_mw)
    usable = np.where(
        modular,
        inst.sites.max_modules * np.nan_to_num(inst.sites.module_it_mw),
        inst.sites.headroom_mw,
    )
    return np.where(inst.sites.eligible, usable, 0.0)


def precheck(inst: Instance) -> list[Finding]:
    """Necessary conditions for feasibility; an empty list means none is violated.

    Parameters
    ----------
    inst
        The problem instance.
    """
    out: list[Finding] = []
    head = _eligible_headroom(inst)
    need = inst.required_new_mw
    if head.sum() + 1e-6 < need:
        out.append(
            Finding(
                "target_vs_site_capacity",
                f"The target needs {need:,.0f} MW of new IT capacity, but the eligible candidate sites can take only "
                f"{head.sum():,.0f} MW ({int((head > 0).sum())} of {inst.n_sites} sites eligible). "
                "Lower target.increase_pct, add candidate sites, raise max_it_mw, or relax exclusions.",
                {"required_new_it_mw": need, "eligible_site_capacity_mw": float(head.sum())},
            )
        )
    if (
        inst.settings.max_country_share is not None
        and inst.settings.max_country_share < 1.0
        and need > 0
    ):
        cap = inst.settings.max_country_share
        by_country: dict[str, float] = {}
        for s in range(inst.n_sites):
            c = inst.zones.country[inst.sites.zone[s]]
            by_country[c] = by_country.get(c, 0.0) + float(head[s])
        # each country adds at most min(its capacity, cap x total new)
        reachable = sum(min(v, cap * need) for v in by_country.values())
        if reachable + 1e-6 < need:
            out.append(
                Finding(
                    "country_share",
                    f"With at most {cap:.0%} of new capacity per country, the countries' eligible sites can add "
                    f"only {reachable:,.0f} MW of the {need:,.0f} MW needed. Raise policy.max_country_share or add sites "
                    "in more countries.",
                    {
                        "max_country_share": cap,
                        "reachable_new_it_mw": reachable,
                        "required_new_it_mw": need,
                    },
                )
            )
    forced_bad = [
        inst.sites.ids[s]
        for s in range(inst.n_sites)
        if inst.sites.forced[s] and not inst.sites.eligible[s]
    ]
    if forced_bad:
        out.append(
            Finding(
                "forced_but_excluded",
                f"Forced sites are excluded by another rule: {', '.join(forced_bad)}. Remove them from "
                "policy.forced_sites or relax the rule that excludes them.",
                {"sites": float(len(forced_bad))},
            )
        )
    out.extend(_hosting(inst, head))
    out.extend(_zone_supply(inst))
    out.extend(_latency_reach(inst, head))
    out.extend(_site_counts(inst, head))
    return out


def _hosting(inst: Instance, head: np.ndarray) -> list[Finding]:
    """The target against what the zones' grids can host: each zone adds at most its sites'
    room and its hosting limit over the least load per MW IT of its sites [MW IT]."""
    need = inst.required_new_mw
    if not len(inst.zones.hosting_mw) or not np.isfinite(inst.zones.hosting_mw).any() or need <= 0:
        return []
    per_mw = inst.new_load_per_mw
    reachable, limited = 0.0, []
    for z in range(inst.n_zones):
        members = np.flatnonzero((inst.sites.zone == z) & (head > 0))
        room = float(head[members].sum())
        limit = float(inst.zones.hosting_mw[z])
        if np.isfinite(limit) and len(members):
            cap = limit / float(per_mw[members].min())
            if cap < room:
                limited.append(inst.zones.ids[z])
            room = min(room, cap)
        reachable += room
    if reachable + 1e-6 >= need:
        return []
    shown = ", ".join(limited[:8]) + (" ..." if len(limited) > 8 else "")
    return [Finding(
        "hosting",
        f"Within the zones' hosting limits the eligible sites can add only {reachable:,.0f} MW of "
        f"the {need:,.0f} MW of new IT capacity needed (limited: {shown}). Raise hosting_mw or "
        "policy.max_hosting_share, or add sites in zones with room on their grid.",
        {"reachable_new_it_mw": reachable, "required_new_it_mw": need},
    )]  # fmt: skip


def _latency_reach(inst: Instance, head: np.ndarray) -> list[Finding]:
    """Demand points whose budget no eligible site (or too little capacity) can meet."""
    out: list[Finding] = []
    if inst.demand.it_mw is None or inst.demand.rtt_ms is None or inst.demand.budget_ms is None:
        return out
    for d in range(inst.n_demand):
        load = float(inst.demand.it_mw[d])
        if load <= 0:
            continue
        budget = float(inst.demand.budget_ms[d])
        reach = [s for s in inst.servable(d) if head[s] > 0]
        cap = float(sum(head[s] for s in reach))
        name = inst.demand.ids[d]
        if not reach:
            rtt = np.where(head > 0, inst.demand.rtt_ms[d], np.inf)
            near = int(np.argmin(rtt)) if np.isfinite(rtt).any() else -1
            nearest = (
                f"the nearest eligible site is {inst.sites.ids[near]} at {rtt[near]:.1f} ms"
                if near >= 0
                else "no site is eligible"
            )
            out.append(
                Finding(
                    "latency_unreachable",
                    f"Demand {name}: no eligible site lies within its {budget:g} ms RTT budget "
                    f"({nearest}); its {load:,.0f} MW of inference cannot be served. Raise "
                    "latency.max_rtt_ms or the point's max_latency_ms, add a candidate site near it, "
                    "or relax the exclusions there.",
                    {
                        "inference_it_mw": load,
                        "budget_ms": budget,
                        "nearest_eligible_rtt_ms": float(rtt[near]) if near >= 0 else float("nan"),
                    },
                )
            )
        elif cap + 1e-6 < load:
            out.append(
                Finding(
                    "latency_capacity",
                    f"Demand {name}: the {len(reach)} eligible sites within {budget:g} ms can add "
                    f"{cap:,.0f} MW, less than its {load:,.0f} MW of inference. Raise the budget, "
                    "add sites or raise their max_it_mw.",
                    {"inference_it_mw": load, "reachable_capacity_mw": cap, "budget_ms": budget},
                )
            )
    return out


def _site_counts(inst: Instance, head: np.ndarray) -> list[Finding]:
    """Minimum site counts per country or forced area that too few eligible sites can meet."""
    out: list[Finding] = []
    for c, n in sorted(inst.settings.min_sites_by_country.items()):
        have = sum(
            1
            for s in range(inst.n_sites)
            if head[s] > 0 and inst.zones.country[inst.sites.zone[s]] == c
        )
        if have < n:
            out.append(
                Finding(
                    "country_min_sites",
                    f"Country {c} must get at least {n} sites (policy.min_sites_per_country) but has "
                    f"only {have} eligible candidate site{'s' if have != 1 else ''}. Lower the minimum, "
                    "add candidates or relax the exclusions there.",
                    {"min_sites": float(n), "eligible_sites": float(have)},
                )
            )
    for area, members, n in zip(
        inst.areas.names, inst.areas.sites, inst.areas.min_sites, strict=True
    ):
        have = sum(1 for s in members if head[s] > 0)
        if have < n:
            out.append(
                Finding(
                    "area_min_sites",
                    f"Forced area {area} must host at least {n} sites but holds only {have} eligible "
                    "candidate site(s). Lower its min_sites, add candidates inside it or relax exclusions.",
                    {"min_sites": float(n), "eligible_sites": float(have)},
                )
            )
    return out


def _zone_supply(inst: Instance) -> list[Finding]:
    """Existing load a zone must match against all the clean energy it could ever get."""
    out = []
    cfe = inst.settings.cfe_target
    hours = float(inst.time.weight_h.sum())
    head = np.maximum(inst.supply.potential_mw - inst.supply.existing_mw, 0.0)
    energy = head * (inst.supply.cf @ inst.time.weight_h)
    clean = np.zeros(inst.n_zones)
    np.add.at(clean, inst.supply.zone, energy)
    imports = np.zeros(inst.n_zones)
    np.add.at(imports, inst.links.dst, inst.links.usable_mw * inst.links.efficiency * hours)
    need = inst.fixed_load_mw * hours * cfe
    for z in range(inst.n_zones):
        if need[z] > clean[z] + imports[z] + 1e-6:
            out.append(
                Finding(
                    "zone_clean_supply",
                    f"Zone {inst.zones.ids[z]}: its existing data centres need {need[z] / 1e6:,.2f} TWh/yr of carbon-free "
                    f"energy, but new clean capacity there can give at most {clean[z] / 1e6:,.2f} TWh/yr and imports at most "
                    f"{imports[z] / 1e6:,.2f} TWh/yr. Lower carbon.cfe_target, use carbon.scope: new, or raise potentials/links.",
                    {
                        "need_mwh": float(need[z]),
                        "clean_max_mwh": float(clean[z]),
                        "import_max_mwh": float(imports[z]),
                    },
                )
            )
    return out


def diagnosis_report(
    findings: list[Finding], termination: str, model_size: dict[str, int] | None = None
) -> dict[str, Any]:
    """The content of ``diagnosis.json``."""
    return {
        "status": "infeasible",
        "solver_termination": termination,
        "findings": [asdict(f) for f in findings],
        "summary": findings[0].message
        if findings
        else "The solver proved that no plan meets all constraints; "
        "no single pre-check explains it (combination of constraints).",
        "model_size": model_size or {},
    }


def explain_infeasible(inst: Instance, time_limit_s: float = 120.0) -> list[Finding]:
    """Explain a proven-infeasible instance in the planner's terms.

    Two complementary views: (1) when the LP relaxation is already infeasible, an
    irreducible infeasible subset (IIS) from HiGHS, mapped back to named requirements;
    (2) an elastic version of the model in which the target, every zone-hour balance, the
    CFE allowances, country caps and site counts may be violated at a price, solved to the
    least violation, which says by how much each requirement falls short.

    Parameters
    ----------
    inst
        The infeasible instance.
    time_limit_s
        Limit for each auxiliary solve [s].
    """
    return _elastic_findings(inst, time_limit_s) + _iis_findings(inst, time_limit_s)


def _iis_findings(inst: Instance, time_limit_s: float) -> list[Finding]:
    import highspy

    from siting.model import build_model
    from siting.solve.solvers import BulkHiGHS

    model = build_model(inst)
    prob = model.problem
    prob.solve(BulkHiGHS(mip=False, msg=False, timeLimit=time_limit_s))
    h = prob.solverModel
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return []
    status, iis = h.getIis()
    if status == highspy.HighsStatus.kError or not iis.valid_:
        return []
    rows = list(prob.constraints())
    words = [model.meaning(rows[i].name) for i in iis.row_index_]
    bounds = [_bound_words(inst, *model.column_refs[j]) for j in iis.col_index_]
    if not words and not any(bounds):
        return []  # HiGHS found no subset to show (its IIS facility is still partial)
    shown = [*words[:12], *[b for b in bounds if b][:6]]
    more = len(words) + len(bounds) - len(shown)
    return [
        Finding(
            "iis",
            "Even with fractional sites these requirements cannot all hold together (an irreducible "
            f"infeasible set of {len(words)} constraints and {len(bounds)} bounds): "
            + "; ".join(shown)
            + (f"; and {more} more" if more > 0 else "")
            + ".",
            {"iis_rows": float(len(words)), "iis_bounds": float(len(bounds))},
        )
    ]


def _bound_words(inst: Instance, family: ColumnFamily, index: tuple[object, ...]) -> str:
    """A column's bounds in words, from its registered family."""
    return family.bound_words(inst, index) if family.bound_words is not None else ""


def _elastic_findings(inst: Instance, time_limit_s: float) -> list[Finding]:
    import pulp

    from siting.model import build_model
    from siting.solve.solvers import BulkHiGHS

    model = build_model(inst)
    prob = model.problem
    # (slack, row name, family, index, weight turning the shortfall into annual quantities)
    slacks: list[tuple[pulp.LpVariable, str, RowFamily, tuple[object, ...], float]] = []
    obj = []
    refs = model.row_refs
    for k, con in enumerate(prob.constraints()):
        family, index = refs[con.name]
        if family.elastic_unit is None or family.elastic_weight is None:
            continue
        weight = family.elastic_weight(inst, index)
        s = prob.add_variable(f"elastic{k}", lowBound=0)
        con.expr[s] = 1.0 if con.sense == pulp.LpConstraintGE else -1.0
        slacks.append((s, con.name, family, index, weight))
        obj.append((s, weight))
    prob.setObjective(pulp.LpAffineExpression(obj))
    prob.solve(BulkHiGHS(msg=False, timeLimit=time_limit_s, gapRel=1e-4))
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return []
    short = [
        (float(s.varValue or 0.0), name, family, index, w)
        for s, name, family, index, w in slacks
        if (s.varValue or 0.0) > 1e-6
    ]
    short.sort(key=lambda x: -x[0] * x[4])
    out = [
        Finding(
            f"shortfall_{family.prefix}",
            f"{model.meaning(name)}: short by {amount:,.1f} {family.elastic_unit}.",
            {"shortfall": amount},
        )
        for amount, name, family, _, _ in short
        if family.prefix != "bal"
    ]
    balance = [(a, i, w) for a, _, f, i, w in short if f.prefix == "bal"]
    if balance:
        out.append(_balance_finding(inst, balance))
    return out


def _balance_finding(
    inst: Instance, balance: list[tuple[float, tuple[object, ...], float]]
) -> Finding:
    """One finding for every zone-hour short of carbon-free supply, worst first."""
    worst = balance[:8]
    total_mwh = sum(a * w for a, _, w in balance)
    zones = sorted({inst.zones.ids[int(i[0])] for _, i, _ in balance})  # type: ignore[call-overload]
    listed = "; ".join(
        f"zone {inst.zones.ids[int(i[0])]}, slice {inst.time.ids[int(i[1])]} short by {a:,.1f} MW"  # type: ignore[call-overload]
        for a, i, _ in worst
    )
    n = len(balance)
    return Finding(
        "shortfall_balance",
        f"Carbon-free supply cannot cover the load in {n} zone-hour{'s' if n != 1 else ''} in "
        f"{', '.join(zones)} ({total_mwh / 1e3:,.1f} GWh/yr in all), even with every clean "
        f"option, link and battery used: {listed}. Add clean potential or storage there, raise "
        "link capacity, or lower carbon.cfe_target.",
        {
            "zone_hours_short": float(n),
            "energy_short_mwh": total_mwh,
            "largest_shortfall_mw": worst[0][0],
        },
    )
