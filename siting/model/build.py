"""Build the siting MILP from an :class:`~siting.instance.Instance`, one family at a time.

Read like PyPSA's ``create_model``: each ``add_*`` call defines one family of columns or
rows (see :mod:`siting.model.registry` and ``docs/model.md``). Pure: no I/O.
"""

from __future__ import annotations

from siting.instance import Instance
from siting.model.balance import add_balance, add_cfe, add_surplus_cap
from siting.model.core import Builder, SitingModel, gc_paused
from siting.model.cuts import add_residual_cuts
from siting.model.latency import add_latency
from siting.model.links import add_links
from siting.model.policy import add_hosting, add_policy
from siting.model.sites import add_sites, add_target
from siting.model.storage import add_storage
from siting.model.supply import add_dispatch, add_grid, add_sales, add_supply
from siting.model.symmetry import add_symmetry


def build_model(inst: Instance, symmetry_breaking: bool = False) -> SitingModel:
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

    Returns
    -------
    SitingModel
        Problem and variable handles.
    """
    with gc_paused():
        b = Builder(inst)
        sites = add_sites(b)
        add_target(b, sites)
        re = add_supply(b)
        dispatch = add_dispatch(b, re)
        flow = add_links(b)
        grid = add_grid(b)
        sale = add_sales(b)
        stores = add_storage(b)
        add_balance(b, sites, re, flow, grid, stores, dispatch, sale)
        add_cfe(b, sites, grid, sale)
        add_surplus_cap(b, sites, sale, grid)
        add_residual_cuts(b, re, stores)
        add_policy(b, sites)
        add_hosting(b, sites)
        serve = add_latency(b, sites)
        if symmetry_breaking:
            add_symmetry(b, sites)
        return b.finish(
            {
                "build": sites.build,
                "size": sites.size,
                "size_mw": sites.size_mw,
                "re": re,
                "dispatch": dispatch,
                "flow": flow,
                "grid": grid,
                "sale": sale,
                "stores": stores,
                "serve": serve,
            }
        )
