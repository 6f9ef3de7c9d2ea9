"""Links: flows on directed interconnectors within the share usable by data centres.

Units: flow [MW] at the sending end; the receiving end gets ``efficiency x flow``. Written
once against :class:`~siting.model.ops.Ops`.
"""

from __future__ import annotations

import numpy as np

from siting.instance import Instance
from siting.model.ops import Ops, Table


def add_links(op: Ops, inst: Instance) -> Table:
    """Flow per link and slice, ``0 <= flow <= capacity x dc_share`` [MW] at the sending end;
    the receiving end gets ``efficiency x flow``.

    With ``economics.wheeling_eur_per_mwh`` > 0 each MWh sent costs that much [EUR/MWh].
    """
    items = op.operable(np.arange(len(inst.links.ids)), inst.links.usable_mw)
    wheel = inst.settings.wheeling_eur_per_mwh
    cost = np.full(len(items), wheel) if wheel > 0 else None
    flow = op.table("f", (), items, up=inst.links.usable_mw, cost=cost)
    op.feed(flow, inst.links.dst[items], inst.links.efficiency[items])
    op.feed(flow, inst.links.src[items], -1.0)
    return flow
