"""Sites: build decisions, new IT capacity per candidate, and the compute target.

Units: new IT capacity [MW IT]; costs [EUR/yr].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.core import Builder, SitingModel
from siting.model.ops import FloatArray, Ops, Sizes


@dataclass
class SiteVars:
    """Site columns, indexed by site position (``None``: the site cannot get capacity).

    Attributes
    ----------
    build
        Binary: the site gets new capacity.
    size
        Module count (integer) or new IT capacity [MW IT] (continuous).
    size_mw
        New IT capacity per unit of ``size`` [MW IT].
    sited
        Positions of the sites that have columns, in ID order.
    """

    build: list[pulp.LpVariable | None]
    size: list[pulp.LpVariable | None]
    size_mw: list[float]
    sited: list[int]

    def new_it(self) -> list[tuple[pulp.LpVariable, float]]:
        """``(size, MW per unit)`` of every sited candidate: their sum is new IT [MW IT]."""
        return [(self.size[s], self.size_mw[s]) for s in self.sited]  # type: ignore[misc]


def _capacity_units(b: Builder) -> dict[int, float]:
    """Upper bound of ``size`` per site that may get capacity (modules or MW)."""
    inst = b.inst
    headroom = inst.sites.headroom_mw.tolist()
    max_modules = inst.sites.max_modules.tolist()
    module = inst.sites.module_it_mw.tolist()
    out: dict[int, float] = {}
    for s in range(inst.n_sites):
        forced = bool(inst.sites.forced[s])
        if not (inst.sites.eligible[s] or forced):
            continue
        units = float(max_modules[s]) if not math.isnan(module[s]) else headroom[s]
        if not inst.sites.eligible[s]:
            units = 0.0  # forced but excluded: infeasible on purpose, the solver reports it
        elif units <= 0 and not forced:
            continue
        out[s] = units
    return out


def add_sites(b: Builder) -> SiteVars:
    """Build decision and size of every candidate that may get new capacity.

    Rows: ``site`` (``size <= units x build``) and, for modular sites, ``minmod``
    (``size >= build``, so that 'built' always means new capacity). Costs: the fixed cost
    [EUR/yr] on ``build`` and the per-MW cost [EUR/MW/yr] (capex, water, acceleration) on
    new capacity.
    """
    inst = b.inst
    n = inst.n_sites
    module = inst.sites.module_it_mw.tolist()
    capex = (inst.sites.capex_eur_per_mw_yr + inst.sites.extra_eur_per_mw_yr).tolist()
    fixed = inst.sites.fixed_eur_per_yr.tolist()
    cap_units = _capacity_units(b)
    sited = sorted(cap_units)
    build: list[pulp.LpVariable | None] = [None] * n
    size: list[pulp.LpVariable | None] = [None] * n
    size_mw = [0.0] * n
    # Columns are created block by block (all build decisions, then all sizes), so HiGHS
    # receives the same matrix as benchmarks/reference.py's direct build.
    for s in sited:
        v = b.var("b", (s,), cat=pulp.LpBinary)
        if inst.sites.forced[s]:
            v.lowBound = 1  # set after creation: PuLP resets the bounds of binaries
        build[s] = v
        b.cost(v, fixed[s])
    for s in sited:
        if not math.isnan(module[s]):
            x = b.var("m", (s,), up=cap_units[s], cat=pulp.LpInteger)
            size_mw[s] = float(module[s])
        else:
            x = b.var("n", (s,), up=cap_units[s])
            size_mw[s] = 1.0
        size[s] = x
        b.cost(x, capex[s] * size_mw[s])
    for s in sited:
        if not math.isnan(module[s]):
            b.row("minmod", (s,), [(size[s], 1.0), (build[s], -1.0)], pulp.LpConstraintGE, 0.0)  # type: ignore[list-item]
    for s in sited:
        pairs = [(size[s], 1.0), (build[s], -cap_units[s])]
        b.row("site", (s,), pairs, pulp.LpConstraintLE, 0.0)  # type: ignore[arg-type]
    return SiteVars(build, size, size_mw, sited)


def add_load(op: Ops, inst: Instance, size: Sizes, per_unit: FloatArray) -> None:
    """The load of new IT capacity in the balance: ``pue x utilisation`` per MW IT [MW/MW].

    ``size``: per site, the units of new capacity (modules or MW IT; in a fixed plan MW IT)
    and ``per_unit`` [MW IT per unit].
    """
    op.feed(size, inst.sites.zone, -inst.new_load_per_mw * np.asarray(per_unit, float))


def add_target(b: Builder, sites: SiteVars) -> None:
    """``target``: new IT capacity >= target - baseline [MW IT]."""
    b.row("target", (), sites.new_it(), pulp.LpConstraintGE, b.inst.required_new_mw)


def fix_sites(model: SitingModel, build: list[float | None], size: list[float | None]) -> None:
    """Fix every site's build decision and size to given values (bounds of its columns).

    Used by the full-year guarantee after its first round: the sites stay as chosen and only
    clean supply, storage and dispatch are re-optimised for the added days, which turns the
    re-solves into linear programs (``docs/model.md#guarantee``). A fixed integer column
    becomes continuous (its bounds hold it at the integer), so HiGHS solves a pure LP and
    skips branch and bound's root work (about 40 s of the 12-day 24/7 MILP's 118 s).
    """
    for var, value in zip(model.build, build, strict=True):
        if var is not None and value is not None:
            var.lowBound = var.upBound = round(value)
            var.cat = pulp.LpContinuous
    for var, value in zip(model.size, size, strict=True):
        if var is not None and value is not None:
            x = round(value) if var.cat == pulp.LpInteger else max(value, 0.0)
            var.lowBound = var.upBound = x
            var.cat = pulp.LpContinuous
