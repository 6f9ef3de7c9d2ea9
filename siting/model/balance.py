"""Balance and CFE: carbon-free supply meets the load per zone and slice.

Units: supply and load [MW] (average over a slice); energy [MWh/yr].
"""

from __future__ import annotations

from collections.abc import Iterator

import pulp

from siting.model.core import Builder, Pairs
from siting.model.sites import SiteVars


def add_balance(b: Builder) -> None:
    """``bal``: what every component fed into a zone and slice >= the fixed load [MW].

    The components register their terms (:meth:`siting.model.ops.Ops.feed`): clean supply
    ``capacity x cf`` or a reservoir's output, imports x efficiency - exports, discharge -
    charge, purchases - sales, and ``- pue x utilisation`` per MW of new IT capacity at the
    zone's sites. The fixed load is that of existing capacity. What is left over is curtailed.
    """
    inst = b.inst
    fixed_load = inst.fixed_load_mw.tolist()
    terms = b.balance_terms()

    def rows() -> Iterator[tuple[tuple[int, int], Pairs, float]]:
        for z in range(inst.n_zones):
            for t in range(inst.n_slices):
                yield (z, t), [(s[t], c[t]) for s, c in terms[z]], fixed_load[z]

    b.rows("bal", pulp.LpConstraintGE, rows())


def _zone_load(b: Builder, sites: SiteVars, z: int, scale: float) -> tuple[Pairs, float]:
    """``scale`` x zone ``z``'s data-centre load over the year [MWh/yr]: the sited terms
    (negated, to move them to the left-hand side) and the fixed part."""
    inst = b.inst
    hours = float(inst.time.weight_h.sum())
    load_per_mw = inst.new_load_per_mw.tolist()
    site_zone = inst.sites.zone.tolist()
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
    weights = inst.time.weight_h.tolist()
    for z in range(inst.n_zones):
        load, fixed = _zone_load(b, sites, z, inst.settings.max_surplus_share)
        pairs: Pairs = [(sale[z][t], weights[t]) for t in range(inst.n_slices)]
        if grid is not None:
            pairs += [(grid[z][t], -weights[t]) for t in range(inst.n_slices)]
        b.row("sur", (z,), pairs + load, pulp.LpConstraintLE, fixed)


def add_cfe(
    b: Builder,
    sites: SiteVars,
    grid: list[list[pulp.LpVariable]] | None,
    sale: list[list[pulp.LpVariable]] | None = None,
    not_carbon_free: dict[int, Pairs] | None = None,
) -> None:
    """``cfe``: grid energy bought <= (1 - cfe_target) x annual load, per zone [MWh/yr].

    Hourly matching counts every MWh bought; annual matching counts purchases net of the
    surplus sold over the year (``sale``), which is what matching over a year means.
    ``not_carbon_free``: per zone, the energy of supply that does not count as carbon-free
    (``carbon.not_carbon_free``) [MWh/yr], counted as purchases are.
    """
    fossil = not_carbon_free or {}
    if grid is None and not fossil:
        return
    inst = b.inst
    share = 1.0 - inst.settings.cfe_target
    weights = inst.time.weight_h.tolist()
    netted = sale if inst.settings.matching == "annual" else None
    for z in range(inst.n_zones):
        if grid is None and z not in fossil:
            continue
        pairs: Pairs = list(fossil.get(z, []))
        if grid is not None:
            pairs += [(grid[z][t], weights[t]) for t in range(inst.n_slices)]
        if netted is not None:
            pairs += [(netted[z][t], -weights[t]) for t in range(inst.n_slices)]
        load, fixed = _zone_load(b, sites, z, share)
        b.row("cfe", (z,), pairs + load, pulp.LpConstraintLE, fixed)
