"""Build the siting MILP from an :class:`~siting.instance.Instance`.

Read like PyPSA's ``create_model``: the sites (a planning decision), then every operating
component of :mod:`siting.model.components` (the same ones the full-year check is built
from), then the balance they fed and the rows on the plan as a whole (CFE, surplus, the
guarantee's cuts, policy, hosting, latency). Every family of columns and rows is registered
in :mod:`siting.model.registry` (``docs/model.md``). Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from siting.instance import Instance
from siting.model.balance import add_balance, add_cfe, add_surplus_cap
from siting.model.components import Component, operate
from siting.model.core import Builder, SitingModel, StoreVars, gc_paused
from siting.model.cuts import add_residual_cuts
from siting.model.flexibility import tie_moves
from siting.model.interruptible import tie_interruptible
from siting.model.latency import add_latency
from siting.model.ops import Sizes
from siting.model.policy import add_hosting, add_policy
from siting.model.sites import add_load, add_sites, add_target
from siting.model.storage import Store
from siting.model.symmetry import add_symmetry


def build_model(
    inst: Instance,
    symmetry_breaking: bool = False,
    components: list[tuple[str, Component]] | None = None,
) -> SitingModel:
    """Build the siting MILP: minimise annualised cost [EUR/yr].

    Parameters
    ----------
    inst
        The problem instance.
    symmetry_breaking
        Order identical candidate sites (see :func:`~siting.model.symmetry.identical_sites`).
        Leaves the optimum unchanged. Off by default: measured with
        ``benchmarks/formulation.py``, the rows do not tighten the LP relaxation (0.07 % root
        gap either way on europe-2030) and slow HiGHS down, which detects symmetry itself
        (europe-2030 0.1 -> 0.4 s; europe-2030-247 64 s -> over 4 min).
    components
        The operating components (default :data:`~siting.model.components.OPERATION`); a
        new kind is one more entry.

    Returns
    -------
    SitingModel
        Problem and variable handles.
    """
    with gc_paused():
        b = Builder(inst)
        b.part = "sites"
        sites = add_sites(b)
        add_target(b, sites)
        site_load = (Sizes("it", (), sites.size), np.asarray(sites.size_mw))
        add_load(b, inst, *site_load)
        got = operate(b, inst, {"sites": site_load}, components)
        add_balance(b)
        grid, sale = _cells(got["grid"]), _cells(got["sale"])
        add_cfe(b, sites, grid, sale, _not_carbon_free(inst, got["dispatch"]))
        add_surplus_cap(b, sites, sale, grid)
        add_residual_cuts(b, got["re"], got["stores"])
        add_policy(b, sites)
        interrupt = got["interrupt"]
        add_hosting(b, sites, None if interrupt is None else interrupt.size)
        tie_interruptible(b, inst, interrupt, site_load)
        serve = add_latency(b, sites)
        tie_moves(b, inst, got["move"], site_load, serve)
        if symmetry_breaking:
            add_symmetry(b, sites)
        return b.finish(_handles(sites, got, serve))


def _not_carbon_free(inst: Instance, dispatch: Any) -> dict[int, list[tuple[Any, float]]]:
    """Per zone, the energy terms of dispatched supply that is not carbon-free (weight x
    output per slice) [MWh/yr]; empty when all counts."""
    flags = inst.supply.not_carbon_free
    if flags is None or dispatch is None:
        return {}
    out: dict[int, list[tuple[Any, float]]] = {}
    weights = inst.time.weight_h.tolist()
    for j, series in zip(dispatch.items.tolist(), dispatch.cells, strict=True):
        if flags[j]:
            zone = int(inst.supply.zone[j])
            out.setdefault(zone, []).extend(zip(series, weights, strict=True))
    return out


def _cells(table: Any) -> Any:
    return None if table is None else table.cells


def _handles(sites: Any, got: dict[str, Any], serve: Any) -> dict[str, object]:
    """The model's variables by element, as :class:`~siting.model.core.SitingModel` keeps them."""
    hd = got["dispatch"]
    dispatch = {} if hd is None else dict(zip(hd.items.tolist(), hd.cells, strict=True))
    return {
        "build": sites.build,
        "size": sites.size,
        "size_mw": sites.size_mw,
        "re": list(got["re"].cells),
        "dispatch": dispatch,
        "flow": got["flow"].cells,
        "grid": _cells(got["grid"]),
        "sale": _cells(got["sale"]),
        "stores": [_store_vars(st) for st in got["stores"]],
        "serve": serve,
        **_interrupt_vars(got["interrupt"]),
    }


def _interrupt_vars(interrupt: Any) -> dict[str, Any]:
    """Interruptible load per zone and its curtailment per zone and slice (empty: none)."""
    if interrupt is None:
        return {}
    return {"interruptible": list(interrupt.size.cells),
            "interrupted": list(interrupt.energy.cells)}  # fmt: skip


def _store_vars(st: Store) -> StoreVars:
    return StoreVars(
        st.energy.cells, st.power.cells, st.charge.cells, st.discharge.cells, st.soc.cells,
        None if st.charge_power is None else st.charge_power.cells, st.day_start,
    )  # fmt: skip
