"""Balance and CFE: carbon-free supply meets the load per zone and slice.

Units: supply and load [MW] (average over a slice); energy [MWh/yr].
"""

from __future__ import annotations

from collections.abc import Iterator

import pulp

from siting.model.core import Builder, Pairs, StoreVars
from siting.model.sites import SiteVars


def _by_zone(
    b: Builder, sites: SiteVars, re: list[pulp.LpVariable | None]
) -> tuple[list[list[int]], list[list[int]], list[list[int]], list[list[int]]]:
    """Sited candidates, clean options, incoming and outgoing links of every zone."""
    inst = b.inst
    n_z = inst.n_zones
    site_zone = inst.site_zone.tolist()
    sites_in: list[list[int]] = [[] for _ in range(n_z)]
    for s in sites.sited:
        sites_in[site_zone[s]].append(s)
    re_in: list[list[int]] = [[] for _ in range(n_z)]
    for j, z in enumerate(inst.re_zone.tolist()):
        if re[j] is not None:
            re_in[z].append(j)
    links_in: list[list[int]] = [[] for _ in range(n_z)]
    links_out: list[list[int]] = [[] for _ in range(n_z)]
    for k, (a, c) in enumerate(zip(inst.link_from.tolist(), inst.link_to.tolist(), strict=True)):
        links_out[a].append(k)
        links_in[c].append(k)
    return sites_in, re_in, links_in, links_out


def add_balance(
    b: Builder,
    sites: SiteVars,
    re: list[pulp.LpVariable | None],
    flow: list[list[pulp.LpVariable]],
    grid: list[list[pulp.LpVariable]] | None,
    stores: list[StoreVars],
    dispatch: dict[int, list[pulp.LpVariable]] | None = None,
    sale: list[list[pulp.LpVariable]] | None = None,
) -> None:
    """``bal``: clean + imports x efficiency - exports + discharge - charge + purchases
    - sales >= load.

    The load is the fixed load of existing capacity (a number) plus ``pue x utilisation``
    per MW of new IT capacity at the zone's sites. Dispatchable options (``dispatch``) supply
    their output variable instead of ``capacity x cf``. What is left over is curtailed.
    """
    inst = b.inst
    sites_in, re_in, links_in, links_out = _by_zone(b, sites, re)
    fixed_load = inst.fixed_load_mw.tolist()
    cf = inst.re_cf.tolist()
    eff = inst.link_efficiency.tolist()
    load_per_mw = inst.new_load_per_mw.tolist()
    size, size_mw = sites.size, sites.size_mw
    dispatch = dispatch or {}

    def rows() -> Iterator[tuple[tuple[int, int], Pairs, float]]:
        for z in range(inst.n_zones):
            for t in range(inst.n_slices):
                pairs: Pairs = [
                    (dispatch[j][t], 1.0) if j in dispatch else (re[j], cf[j][t])  # type: ignore[misc]
                    for j in re_in[z]
                ]
                pairs += [(flow[k][t], eff[k]) for k in links_in[z]]
                pairs += [(flow[k][t], -1.0) for k in links_out[z]]
                pairs += [(size[s], -load_per_mw[s] * size_mw[s]) for s in sites_in[z]]  # type: ignore[misc]
                if grid is not None:
                    pairs.append((grid[z][t], 1.0))
                if sale is not None:
                    pairs.append((sale[z][t], -1.0))
                for st in stores:
                    pairs += [(st.discharge[z][t], 1.0), (st.charge[z][t], -1.0)]
                yield (z, t), pairs, fixed_load[z]

    b.rows("bal", pulp.LpConstraintGE, rows())


def _zone_load(b: Builder, sites: SiteVars, z: int, scale: float) -> tuple[Pairs, float]:
    """``scale`` x zone ``z``'s data-centre load over the year [MWh/yr]: the sited terms
    (negated, to move them to the left-hand side) and the fixed part."""
    inst = b.inst
    hours = float(inst.weight_h.sum())
    load_per_mw = inst.new_load_per_mw.tolist()
    site_zone = inst.site_zone.tolist()
    pairs: Pairs = [
        (sites.size[s], -scale * hours * load_per_mw[s] * sites.size_mw[s])  # type: ignore[misc]
        for s in sites.sited
        if site_zone[s] == z
    ]
    return pairs, scale * hours * float(inst.fixed_load_mw[z])


def add_surplus_cap(
    b: Builder,
    sites: SiteVars,
    sale: list[list[pulp.LpVariable]] | None,
    grid: list[list[pulp.LpVariable]] | None,
) -> None:
    """``sur``: surplus sold over the year <= grid purchases + ``max_surplus_share`` x the
    zone's data-centre load [MWh/yr].

    What offsets the zone's own purchases may always be sold (annual matching stays an
    annual energy balance); beyond that, selling is capped so that the buyer does not turn
    into a merchant generator.
    """
    if sale is None:
        return
    inst = b.inst
    weights = inst.weight_h.tolist()
    for z in range(inst.n_zones):
        load, fixed = _zone_load(b, sites, z, inst.max_surplus_share)
        pairs: Pairs = [(sale[z][t], weights[t]) for t in range(inst.n_slices)]
        if grid is not None:
            pairs += [(grid[z][t], -weights[t]) for t in range(inst.n_slices)]
        b.row("sur", (z,), pairs + load, pulp.LpConstraintLE, fixed)


def add_cfe(
    b: Builder,
    sites: SiteVars,
    grid: list[list[pulp.LpVariable]] | None,
    sale: list[list[pulp.LpVariable]] | None = None,
) -> None:
    """``cfe``: grid energy bought <= (1 - cfe_target) x annual load, per zone [MWh/yr].

    Hourly matching counts every MWh bought; annual matching counts purchases net of the
    surplus sold over the year (``sale``), which is what matching over a year means.
    """
    if grid is None:
        return
    inst = b.inst
    share = 1.0 - inst.cfe_target
    weights = inst.weight_h.tolist()
    netted = sale if inst.matching == "annual" else None
    for z in range(inst.n_zones):
        pairs: Pairs = [(grid[z][t], weights[t]) for t in range(inst.n_slices)]
        if netted is not None:
            pairs += [(netted[z][t], -weights[t]) for t in range(inst.n_slices)]
        load, fixed = _zone_load(b, sites, z, share)
        b.row("cfe", (z,), pairs + load, pulp.LpConstraintLE, fixed)
