"""``tables/residual_cuts.csv``: the guarantee's residual cuts a plan was solved with.

One row per coefficient of a cut ``g . x <= rhs`` (``docs/model.md#guarantee``): ``term``
``re`` (per supply option, ``zone_id`` and ``tech``), ``energy``, ``power`` or ``charge`` (per
store technology ``tech`` and ``zone_id``), and one ``rhs`` row per cut. Written with 17
significant digits, so the cuts read back are the cuts solved (``siting.commands.reopen``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.instance import Instance, ResidualCut

PARTS = ("energy", "power", "charge")


def cuts_table(inst: Instance) -> pd.DataFrame:
    """The instance's residual cuts in long form (empty when it has none)."""
    rows: list[tuple[int, str, str, str, float]] = []
    zones = inst.zones.ids
    for c, cut in enumerate(inst.residual_cuts):
        for j, g in enumerate(np.asarray(cut.re, float).tolist()):
            rows.append((c, "re", inst.supply.tech[j], zones[int(inst.supply.zone[j])], g))
        for part in PARTS:
            for s, values in enumerate(getattr(cut, part)):
                tech = inst.stores[s].tech
                rows += [(c, part, tech, zones[z], g)
                         for z, g in enumerate(np.asarray(values, float).tolist())]  # fmt: skip
        rows.append((c, "rhs", "", "", float(cut.rhs)))
    return pd.DataFrame(rows, columns=["cut", "term", "tech", "zone_id", "coefficient"])


def write_cuts(folder: Path, inst: Instance) -> None:
    """``tables/residual_cuts.csv`` when the plan was solved with cuts."""
    if inst.residual_cuts:
        cuts_table(inst).to_csv(folder / "tables" / "residual_cuts.csv", index=False,
                                float_format="%.17g")  # fmt: skip


def cuts_from_table(table: pd.DataFrame, inst: Instance) -> list[ResidualCut]:
    """The cuts of :func:`cuts_table` for ``inst`` (the same instance, without its cuts)."""
    option = {(inst.zones.ids[int(z)], t): j
              for j, (z, t) in enumerate(zip(inst.supply.zone, inst.supply.tech, strict=True))}  # fmt: skip
    zone = {z: i for i, z in enumerate(inst.zones.ids)}
    store = {o.tech: s for s, o in enumerate(inst.stores)}
    out = []
    for _, rows in table.groupby("cut", sort=True):
        re = np.zeros(len(inst.supply.tech))
        parts = {p: [np.zeros(inst.n_zones) for _ in inst.stores] for p in PARTS}
        rhs = 0.0
        for term, tech, z, g in zip(rows["term"], rows["tech"], rows["zone_id"],
                                    rows["coefficient"], strict=True):  # fmt: skip
            if term == "re":
                re[option[(str(z), str(tech))]] = g
            elif term == "rhs":
                rhs = float(g)
            else:
                parts[term][store[str(tech)]][zone[str(z)]] = g
        out.append(ResidualCut(re, tuple(parts["energy"]), tuple(parts["power"]),
                               tuple(parts["charge"]), rhs))  # fmt: skip
    return out
