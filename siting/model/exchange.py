"""The grid exchange: residual purchases (not carbon-free) and surplus sales per zone and slice.

Units: [MW] per slice; prices [EUR/MWh]. Written once against :class:`~siting.model.ops.Ops`.
"""

from __future__ import annotations

import numpy as np

from siting.instance import Instance
from siting.model.ops import Ops, Table


def add_grid(op: Ops, inst: Instance) -> Table | None:
    """Grid purchases (not carbon-free) per zone and slice [MW]: the residual grid.

    Priced at the zone's grid cost [EUR/MWh] (energy price plus carbon price x intensity)
    times the slice's hours; the full-year check's objective counts its energy. ``None`` in
    the planning model when the CFE target is 1.0 in hourly matching (no purchase at all) or
    in annual matching netted over one slice (nothing to settle). Annual matching settled
    hourly buys what its own supply misses in each hour, whatever the target: the annual row
    (``cfe``) nets the purchases against the surplus sold.
    """
    settles = inst.settings.matching == "annual" and inst.settings.exchange == "hourly"
    if inst.settings.cfe_target >= 1.0 and not settles and not op.horizon.residual:
        return None
    zones = np.arange(inst.n_zones)
    grid = op.table("g", (), zones, cost=inst.zones.grid_cost_eur_per_mwh, residual=True)
    op.feed(grid, zones, 1.0)
    return grid


def add_sales(op: Ops, inst: Instance) -> Table | None:
    """Surplus clean energy sold to the grid per zone and slice [MW], when settled hourly.

    Each MWh earns the zone's sale price (``surplus_price_share`` x its wholesale price)
    [EUR/MWh], a negative cost (``sur`` caps how much). ``None`` when the exchange is
    netted, and in the full-year check (which measures the residual; surplus is curtailed).
    """
    if inst.settings.exchange != "hourly" or op.horizon.n_t == 0 or op.horizon.residual:
        return None
    zones = np.arange(inst.n_zones)
    sale = op.table("x", (), zones, cost=-inst.zone_sale_price)
    op.feed(sale, zones, -1.0)
    return sale
