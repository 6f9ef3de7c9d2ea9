"""The components whose hourly operation both the planning model and the full-year check
are built from, in the order their columns are made.

Each entry adds one component kind to an :class:`~siting.model.ops.Ops` (its sizes, its
operating columns and rows, its terms in the balance) and returns its handles; the handles of
the components before it are at hand (a reservoir needs the supply's capacity; flexible load,
the sites' new capacity as ``got["sites"]``). Adding a kind is one module and one entry here.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from siting.instance import Instance
from siting.model.exchange import add_grid, add_sales
from siting.model.flexibility import add_move, add_shift, keep_headroom
from siting.model.interruptible import add_interrupt
from siting.model.links import add_links
from siting.model.ops import Ops
from siting.model.reservoirs import add_dispatch
from siting.model.storage import add_storage
from siting.model.supply import add_supply

Component = Callable[[Ops, Instance, dict[str, Any]], Any]

OPERATION: list[tuple[str, Component]] = [
    ("re", lambda op, inst, got: add_supply(op, inst)),
    ("dispatch", lambda op, inst, got: add_dispatch(op, inst, got["re"])),
    ("flow", lambda op, inst, got: add_links(op, inst)),
    ("grid", lambda op, inst, got: add_grid(op, inst)),
    ("sale", lambda op, inst, got: add_sales(op, inst)),
    ("stores", lambda op, inst, got: add_storage(op, inst)),
    ("shift", lambda op, inst, got: add_shift(op, inst, got.get("sites"))),
    ("interrupt", lambda op, inst, got: add_interrupt(op, inst)),
    ("move", lambda op, inst, got: add_move(op, inst)),
    ("headroom", lambda op, inst, got: keep_headroom(op, inst, got["shift"], got["move"])),
]
"""(handle name, component) of every operating component, in the planning model's order.
The outputs read these by name; a kind not listed here is read back generically (its terms in
the balance, :meth:`siting.model.core.SitingModel.fed`)."""

KNOWN = frozenset(name for name, _ in OPERATION) | {"sites"}
"""Components whose values the outputs read through their own columns."""

CHECK_ORDER = ("re", "grid", "flow", "stores", "dispatch", "sale", "shift", "interrupt", "move",
               "headroom")  # fmt: skip
"""The same components in the order the full-year check makes their columns: residual grid
first, as the check's own builder did before the components were shared. A dispatch LP has
many optima of equal residual (which zone takes an unavoidable shortfall); the order decides
which one the simplex lands on, and keeping it keeps every per-zone number the check ever
published."""


def in_order(names: tuple[str, ...]) -> list[tuple[str, Component]]:
    """The operating components in the order of ``names`` (each must be listed once)."""
    by_name = dict(OPERATION)
    assert sorted(names) == sorted(by_name), "every component, once"
    return [(n, by_name[n]) for n in names]


def operate(
    op: Ops,
    inst: Instance,
    got: dict[str, Any],
    components: list[tuple[str, Component]] | None = None,
) -> dict[str, Any]:
    """Add every component's operation to ``op``; ``got`` gains each one's handles."""
    for name, add in OPERATION if components is None else components:
        op.part = name
        got[name] = add(op, inst, got)
    return got
