"""Symmetry: interchangeable candidate sites, and optional rows that order them."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.core import Builder
from siting.model.sites import SiteVars


def identical_sites(inst: Instance) -> list[list[int]]:
    """Groups (two or more) of candidate sites that are interchangeable in the model.

    Same zone, costs per MW (capex, water, acceleration), fixed cost, PUE, module size and
    count, all eligible and none forced, the same forced areas and, with latency rules, the
    same demand points within reach. Any plan stays feasible and costs the same when such
    sites swap their new capacity.
    """
    areas = [
        frozenset(a for a, members in enumerate(inst.areas.sites) if s in members)
        for s in range(inst.n_sites)
    ]
    per_mw = inst.sites.capex_eur_per_mw_yr + inst.sites.extra_eur_per_mw_yr
    reach: list[tuple[int, ...]] = [()] * inst.n_sites
    if inst.n_demand and inst.demand.rtt_ms is not None and inst.demand.budget_ms is not None:
        ok = inst.demand.rtt_ms <= inst.demand.budget_ms[:, None] + 1e-9
        reach = [tuple(np.flatnonzero(ok[:, s]).tolist()) for s in range(inst.n_sites)]
    groups: dict[tuple[object, ...], list[int]] = {}
    for s in range(inst.n_sites):
        if not inst.sites.eligible[s] or inst.sites.forced[s] or inst.sites.headroom_mw[s] <= 0:
            continue
        key = (
            int(inst.sites.zone[s]),
            float(per_mw[s]),
            float(inst.sites.fixed_eur_per_yr[s]),
            float(inst.sites.pue[s]),
            float(inst.sites.module_it_mw[s])
            if not math.isnan(inst.sites.module_it_mw[s])
            else None,
            float(inst.sites.headroom_mw[s]),
            areas[s],
            reach[s],
        )
        groups.setdefault(key, []).append(s)
    return [g for g in groups.values() if len(g) > 1]


def add_symmetry(b: Builder, sites: SiteVars) -> None:
    """``sym``: among identical candidates, the first in ID order gets at least as much.

    Both the build decision and the size are ordered. Leaves the optimum unchanged.
    """
    for group in identical_sites(b.inst):
        for a, c in itertools.pairwise(group):
            for kind, var in (("b", sites.build), ("x", sites.size)):
                pairs = [(var[a], 1.0), (var[c], -1.0)]
                b.row("sym", (kind, a, c), pairs, pulp.LpConstraintGE, 0.0)  # type: ignore[arg-type]
