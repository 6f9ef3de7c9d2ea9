"""Policy: country caps on new capacity, site counts per plan, country and forced area, and
what each zone's grid can host.

Units: capacity [MW IT]; load [MW]; counts [sites].
"""

from __future__ import annotations

import pulp

from siting.model.core import Builder, Pairs
from siting.model.ops import Sizes
from siting.model.sites import SiteVars


def add_policy(b: Builder, sites: SiteVars) -> None:
    """``share``, ``min_sites``, ``max_sites``, ``cmin`` and ``area`` rows.

    ``share``: a country's new capacity <= ``max_country_share`` x all new capacity.
    ``min_sites``/``max_sites``: bounds on the number of built sites. ``cmin``: at least
    ``n`` built sites in a country. ``area``: at least ``n`` built sites in a forced area.
    """
    inst = b.inst
    sited = sites.sited
    build, size, size_mw = sites.build, sites.size, sites.size_mw
    country = [inst.zones.country[z] for z in inst.sites.zone.tolist()]
    if (
        inst.settings.max_country_share is not None
        and inst.settings.max_country_share < 1.0
        and sited
    ):
        cap = inst.settings.max_country_share
        for c in sorted({country[s] for s in sited}):
            pairs: Pairs = [
                (size[s], ((1.0 if country[s] == c else 0.0) - cap) * size_mw[s])  # type: ignore[misc]
                for s in sited
            ]
            b.row("share", (c,), pairs, pulp.LpConstraintLE, 0.0)
    built: Pairs = [(build[s], 1.0) for s in sited]  # type: ignore[misc]
    if inst.settings.min_sites > 0:
        b.row("min_sites", (), built, pulp.LpConstraintGE, inst.settings.min_sites)
    if inst.settings.max_sites is not None:
        b.row("max_sites", (), list(built), pulp.LpConstraintLE, inst.settings.max_sites)
    for c, n in sorted(inst.settings.min_sites_by_country.items()):
        if n > 0:
            pairs = [(build[s], 1.0) for s in sited if country[s] == c]  # type: ignore[misc]
            b.row("cmin", (c,), pairs, pulp.LpConstraintGE, n)
    for a, (members, n) in enumerate(zip(inst.areas.sites, inst.areas.min_sites, strict=True)):
        if n > 0:
            pairs = [(build[s], 1.0) for s in members if build[s] is not None]  # type: ignore[misc]
            b.row("area", (a,), pairs, pulp.LpConstraintGE, n)


def add_hosting(b: Builder, sites: SiteVars, interruptible: Sizes | None = None) -> None:
    """``host`` rows: a zone's new data-centre load [MW] (new IT x PUE x utilisation) at most
    what its grid can host (``ZoneTable.hosting_mw``; zones without a limit get no row), plus
    its interruptible load (``interruptible``: the ``ix`` sizes, curtailed when the grid is
    stressed, :mod:`siting.model.interruptible`)."""
    inst = b.inst
    per_mw = inst.new_load_per_mw.tolist()
    zone = inst.sites.zone.tolist()
    for z, limit in enumerate(inst.zones.hosting_mw.tolist()):
        if limit == float("inf"):
            continue
        pairs: Pairs = [(sites.size[s], sites.size_mw[s] * per_mw[s])  # type: ignore[misc]
                        for s in sites.sited if zone[s] == z]  # fmt: skip
        extra = None if interruptible is None else interruptible.cells[z]
        if pairs and extra is not None:
            pairs.append((extra, -1.0))
        if pairs:
            b.row("host", (inst.zones.ids[z],), pairs, pulp.LpConstraintLE, limit)
