"""Latency: each demand point's inference load is served by sites within its RTT budget.

Units: inference load [MW IT]; round-trip time [ms].
"""

from __future__ import annotations

import pulp

from siting.model.core import Builder, Pairs
from siting.model.sites import SiteVars


def add_latency(b: Builder, sites: SiteVars) -> dict[tuple[int, int], pulp.LpVariable]:
    """``serve[d, s]`` [MW IT]: demand ``d``'s inference load placed at site ``s``.

    Only pairs within the RTT budget get a variable. Rows: ``lat`` (a point's load is
    served) and ``srv`` (inference runs on new capacity: a site serves at most the new IT
    capacity it gets).
    """
    inst = b.inst
    serve: dict[tuple[int, int], pulp.LpVariable] = {}
    if inst.demand.it_mw is None or inst.n_demand == 0:
        return serve
    load = inst.demand.it_mw.tolist()
    by_site: dict[int, Pairs] = {}
    for d in range(inst.n_demand):
        if load[d] <= 0:
            continue
        pairs: Pairs = []
        for s in inst.servable(d):
            if sites.size[s] is None:
                continue
            v = b.var("v", (d, s))
            serve[d, s] = v
            pairs.append((v, 1.0))
            by_site.setdefault(s, []).append((v, 1.0))
        b.row("lat", (d,), pairs, pulp.LpConstraintGE, load[d])
    for s, pairs in sorted(by_site.items()):
        pairs = [*pairs, (sites.size[s], -sites.size_mw[s])]  # type: ignore[list-item]
        b.row("srv", (s,), pairs, pulp.LpConstraintLE, 0.0)
    return serve
