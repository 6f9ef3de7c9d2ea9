"""Links: flows on directed interconnectors within the share usable by data centres.

Units: flow [MW] at the sending end; the receiving end gets ``efficiency x flow``.
"""

from __future__ import annotations

import pulp

from siting.model.core import Builder


def add_links(b: Builder) -> list[list[pulp.LpVariable]]:
    """Flow per link and slice, ``0 <= flow <= capacity x dc_share`` [MW].

    With ``economics.wheeling_eur_per_mwh`` > 0 each MWh sent costs that much [EUR/MWh].
    """
    inst = b.inst
    usable = inst.link_usable_mw.tolist()
    weights = inst.weight_h.tolist()
    flow = b.var_table("f", (), len(inst.link_ids), inst.n_slices, up=usable)
    if inst.wheeling_eur_per_mwh > 0:
        for row in flow:
            for t, v in enumerate(row):
                b.cost(v, inst.wheeling_eur_per_mwh * weights[t])
    return flow
