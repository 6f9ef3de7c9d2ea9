"""The solution of a build-out over milestones (``target.milestones``).

The deadline's tables are the run's usual tables (its sites, supply, stores and operation);
this adds what was in place by each milestone: ``buildout`` (per milestone, every site's new
IT, every zone's new clean capacity by technology and storage), ``connect_year`` in the
sites table (the first milestone a site has new capacity by) and the summary's
``milestones`` block. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from siting.base.summary import RunSummary
from siting.model.buildout import Buildout
from siting.solution import Solution, extract_solution
from siting.solve.status import SolveResult

_TOL = 1e-6
"""Below this [MW, MWh] a milestone's capacity counts as none."""


def buildout_solution(buildout: Buildout, result: SolveResult) -> Solution:
    """The deadline's solution with the build-out by milestone.

    Parameters
    ----------
    buildout
        The solved joint model.
    result
        The joint solve's report; its objective is the weighted cost over the milestones
        [EUR], each milestone's own annual cost [EUR/yr] is read from its model.
    """
    years = [s.year for s in buildout.stages]
    solved = [
        extract_solution(m, dataclasses.replace(result, objective=buildout.stage_cost(k)))
        for k, m in enumerate(buildout.models)
    ]
    final = solved[-1]
    table = buildout_table(years, solved)
    sites = final.sites.copy()
    sites["connect_year"] = _connect_years(years, solved)
    summary = {**final.summary, "milestones": _milestones(buildout, result, solved)}
    return dataclasses.replace(final, sites=sites, buildout=table, summary=RunSummary(summary))


def buildout_table(years: list[int], solved: list[Solution]) -> pd.DataFrame:
    """Per milestone, the capacity in place by its year: ``kind`` ``site`` (``id`` a site,
    ``new_mw`` its new IT [MW IT]), ``supply`` (``id`` a zone, ``tech``, new clean capacity
    [MW]) and ``storage`` (``id`` a zone, ``tech``, ``new_mw`` power [MW], ``new_mwh`` energy
    [MWh]); items with capacity at some milestone, in every milestone's rows."""
    parts = []
    for year, sol in zip(years, solved, strict=True):
        s = sol.sites
        parts.append(pd.DataFrame({"year": year, "kind": "site", "id": s["site_id"],
                                   "zone_id": s["zone_id"], "tech": "it",
                                   "new_mw": s["new_it_mw"], "new_mwh": 0.0}))  # fmt: skip
        r = sol.renewables
        parts.append(pd.DataFrame({"year": year, "kind": "supply", "id": r["zone_id"],
                                   "zone_id": r["zone_id"], "tech": r["tech"],
                                   "new_mw": r["new_mw"], "new_mwh": 0.0}))  # fmt: skip
        parts.append(_storage_rows(year, sol))
    table = pd.concat(parts, ignore_index=True)
    key = ["kind", "id", "tech"]
    used = table.groupby(key)[["new_mw", "new_mwh"]].transform("max").max(axis=1) > _TOL
    return table[used].reset_index(drop=True)


def _storage_rows(year: int, sol: Solution) -> pd.DataFrame:
    """Storage per zone and technology (the zones table's ``<tech>_mw``, ``<tech>_mwh``)."""
    z = sol.zones
    rows = [pd.DataFrame({"year": year, "kind": "storage", "id": z["zone_id"],
                          "zone_id": z["zone_id"], "tech": tech, "new_mw": z[f"{tech}_mw"],
                          "new_mwh": z[f"{tech}_mwh"]})
            for tech in sol.summary.get("storage_by_tech") or {}]  # fmt: skip
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def _connect_years(years: list[int], solved: list[Solution]) -> np.ndarray:
    """Per site, the first milestone year it has new capacity by (NaN: never)."""
    out = np.full(len(solved[-1].sites), np.nan)
    for year, sol in zip(reversed(years), reversed(solved), strict=True):
        out = np.where(sol.sites["new_it_mw"].to_numpy(float) > _TOL, float(year), out)
    return out


def _milestones(buildout: Buildout, result: SolveResult, solved: list[Solution]) -> dict[str, Any]:
    """The summary's ``milestones`` block: the weighted cost and each milestone's numbers."""
    stages = []
    for stage, sol in zip(buildout.stages, solved, strict=True):
        s = sol.summary
        stages.append({
            "year": stage.year, "increase_pct": stage.increase_pct,
            "weight_yr": stage.weight_yr,
            "required_new_it_mw": stage.inst.required_new_mw,
            "compute_per_new_it_mw": stage.inst.settings.compute_per_new_mw,
            "new_it_mw": s["new_it_mw"], "sites_built": s["sites_built"],
            "cost_eur_per_yr": s["objective_eur_per_yr"],
            "annual_load_mwh": s["annual_load_mwh"], "cfe_score": s["cfe_score"],
            "new_re_mw": s["new_re_mw"], "storage_mw": s["storage_mw"],
            "storage_mwh": s["storage_mwh"],
        })  # fmt: skip
    bound = result.best_bound
    return {
        "years": [s.year for s in buildout.stages],
        "weighted_cost_eur": result.objective,
        "best_bound_eur": None if bound is None or math.isnan(bound) else bound,
        "stages": stages,
    }
