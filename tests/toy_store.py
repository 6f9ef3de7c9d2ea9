"""A toy store-like component kind, written the way a new kind is added: this one module and
one row of its table (:data:`TABLE_ROW`).

A heat store that keeps ``1 - loss_per_h`` of its content from one hour to the next, with no
power limit of its own: ``soc[t] = (1 - loss) soc[t - 1] + charge[t] - discharge[t]``, cyclic
within a period, ``soc <= energy``. Only its energy capacity costs [EUR/MWh/yr].
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.ops import Ops, Table, Term
from siting.model.registry import ColumnFamily, RowFamily
from siting.model.storage import cyclic_previous

TABLE_ROW = {"tech": "heat_store", "energy_eur_per_mwh_yr": 1_000.0, "loss_per_h": 0.2}
"""The kind's one row: its technology and parameters."""

COLUMNS = [
    ColumnFamily("te", ("zone",), "toy heat store energy capacity", "MWh"),
    ColumnFamily("tc", ("zone", "slice"), "toy heat store charging", "MW"),
    ColumnFamily("td", ("zone", "slice"), "toy heat store discharging", "MW"),
    ColumnFamily("ts", ("zone", "slice"), "toy heat store content", "MWh"),
]
ROWS = [
    RowFamily("tse", ("zone", "slice"), "toy heat store within its energy", "MWh",
              lambda inst, i: f"heat store in {inst.zones.ids[i[0]]}: content <= energy"),
    RowFamily("tsb", ("zone", "slice"), "toy heat store content from hour to hour", "MWh",
              lambda inst, i: f"heat store in {inst.zones.ids[i[0]]}: content carried"),
]  # fmt: skip


def add_heat_store(op: Ops, inst: Instance, got: dict[str, Any], row: dict = TABLE_ROW) -> Table:
    """The heat store of every zone: its energy size, its operation and its balance terms."""
    n_z = inst.n_zones
    energy = op.sizes("te", (), n_z, cost=[row["energy_eur_per_mwh_yr"]] * n_z)
    zones = op.operable(np.arange(n_z), energy)
    h = op.horizon
    charge = op.table("tc", (), zones)
    discharge = op.table("td", (), zones)
    content = op.table("ts", (), zones, bound=(energy, "tse"))
    prev = np.asarray(cyclic_previous(h.period.tolist()))
    t = np.arange(h.n_t)
    base = (np.arange(len(zones)) * h.n_t)[:, None]
    cell = (base + t).ravel()
    before = (base + prev).ravel()
    keep = 1.0 - row["loss_per_h"]
    terms: list[Term] = [(content, cell, 1.0), (content, before, -keep),
                         (charge, cell, -1.0), (discharge, cell, 1.0)]  # fmt: skip
    op.block("tsb", [np.repeat(zones, h.n_t), np.tile(t, len(zones))], pulp.LpConstraintEQ,
             terms)  # fmt: skip
    op.feed(discharge, zones, 1.0)
    op.feed(charge, zones, -1.0)
    return content
