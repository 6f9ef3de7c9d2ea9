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


@dataclass(frozen=True)
class Finding:
    """One reason the plan is impossible, in words and numbers."""

    check: str
    message: str
    numbers: dict[str, float] = field(default_factory=dict)


def _eligible_headroom(inst: Instance) -> np.ndarray:
    modular = ~np.isnan(inst.module_it_mw)
    usable = np.where(
        modular, inst.max_modules * np.nan_to_num(inst.module_it_mw), inst.headroom_mw
    )
    return np.where(inst.eligible, usable, 0.0)


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
    if inst.max_country_share is not None and inst.max_country_share < 1.0 and need > 0:
        cap = inst.max_country_share
        by_country: dict[str, float] = {}
        for s in range(inst.n_sites):
            c = inst.zone_country[inst.site_zone[s]]
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
        inst.site_ids[s] for s in range(inst.n_sites) if inst.forced[s] and not inst.eligible[s]
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
    out.extend(_zone_supply(inst))
    return out


def _zone_supply(inst: Instance) -> list[Finding]:
    """Existing load a zone must match against all the clean energy it could ever get."""
    out = []
    cfe = inst.cfe_target
    hours = float(inst.weight_h.sum())
    head = np.maximum(inst.re_potential_mw - inst.re_existing_mw, 0.0)
    energy = head * (inst.re_cf @ inst.weight_h)
    clean = np.zeros(inst.n_zones)
    np.add.at(clean, inst.re_zone, energy)
    imports = np.zeros(inst.n_zones)
    np.add.at(imports, inst.link_to, inst.link_usable_mw * inst.link_efficiency * hours)
    need = inst.fixed_load_mw * hours * cfe
    for z in range(inst.n_zones):
        if need[z] > clean[z] + imports[z] + 1e-6:
            out.append(
                Finding(
                    "zone_clean_supply",
                    f"Zone {inst.zone_ids[z]}: its existing data centres need {need[z] / 1e6:,.2f} TWh/yr of carbon-free "
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
