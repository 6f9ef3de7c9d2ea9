"""Milestones: one model of the build-out over several target years.

Each milestone is the single-year model of its own instance (its target, the sites connected
by its year), built by :func:`~siting.model.build.build_model`; this module joins them into
one problem, as PyPSA's multi-period optimisation and GenX's multi-stage mode do with perfect
foresight:

- capacity in place by a milestone stays at the next (``keep`` rows on every site's build
  decision and size, every clean option's new capacity and every store's sizes);
- with an efficiency trajectory, each milestone's new IT carries its year's hardware, and the
  compute connected by a milestone counts every vintage at its own efficiency (``vintage``
  rows; without a trajectory they equal each milestone's own ``target`` row and are left out);
- the objective weighs each milestone's annual cost by the years its plan stands
  (:func:`~siting.instance.milestones.stage_weights`).

Pure: no I/O. Units: sizes as in the single-year model; costs [EUR/yr] before weighting,
[EUR] after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pulp

from siting.instance.milestones import Stage
from siting.model.build import build_model
from siting.model.core import SitingModel, gc_paused


@dataclass
class Buildout:
    """A built multi-milestone model.

    Attributes
    ----------
    model
        The joint problem, with the last milestone's variable handles (what the solver and
        the deadline's tables read).
    stages
        The milestones, in years' order.
    models
        Each milestone's own model; their variables are columns of ``model``'s problem.
    """

    model: SitingModel
    stages: list[Stage]
    models: list[SitingModel]

    def stage_cost(self, k: int) -> float:
        """Milestone ``k``'s annual cost at the solved values [EUR/yr]."""
        cost = self.models[k].cost
        return 0.0 if cost is None else float(pulp.value(cost) or 0.0)


def build_buildout(stages: list[Stage]) -> Buildout:
    """One model over the milestones: minimise the weighted sum of their annual costs [EUR].

    Parameters
    ----------
    stages
        The milestones in ascending years, each with its own instance; the instances share
        zones, sites, clean options and stores in the same order (one set of layers).

    Returns
    -------
    Buildout
        The joint model and each milestone's own.
    """
    with gc_paused():
        models = [build_model(s.inst) for s in stages]
        final = models[-1]
        problem = pulp.LpProblem("buildout", pulp.LpMinimize)
        columns: list[pulp.LpVariable] = []
        segments = []
        for stage, model in zip(stages, models, strict=True):
            rows = [c for block in model._blocks.values() for c in block]
            if model is not final:  # one name per column and row, as PuLP and MPS files need
                for v in model.columns:
                    v.name = f"y{stage.year}_{v.name}"
                for c in rows:
                    c.name = f"y{stage.year}_{c.name}"
            problem.extend(rows)
            columns.extend(model.columns)
            segments.extend(model._segments)
        objective = pulp.LpAffineExpression([
            (v, s.weight_yr * c) for s, m in zip(stages, models, strict=True)
            for v, c in (m.cost or pulp.LpAffineExpression()).items()
        ])  # fmt: skip
        problem.setObjective(objective)
        joint = dataclasses.replace(final, problem=problem, columns=columns, cost=objective,
                                    _segments=segments, _extra_rows={})  # fmt: skip
        for k in range(1, len(stages)):
            for what, item, before, after in _kept(models[k - 1], models[k]):
                pairs = [(before, 1.0)] + ([(after, -1.0)] if after is not None else [])
                index: tuple[int | str, ...] = (stages[k].year, what, item)
                joint.add_row("keep", index, pulp.LpAffineExpression(pairs), pulp.LpConstraintLE,
                              0.0)  # fmt: skip
        _add_vintages(joint, stages, models)
        return Buildout(joint, list(stages), models)


def _kept(
    before: SitingModel, after: SitingModel
) -> Iterator[tuple[str, int | str, pulp.LpVariable, pulp.LpVariable | None]]:
    """Every column of capacity in ``before`` with its column in ``after`` (None: the item
    may not have capacity there, so it must have none before either)."""
    for s, (b0, b1) in enumerate(zip(before.build, after.build, strict=True)):
        if b0 is not None:
            yield "b", s, b0, b1
    for s, (n0, n1) in enumerate(zip(before.size, after.size, strict=True)):
        if n0 is not None:
            yield ("m" if n0.cat == pulp.LpInteger else "n"), s, n0, n1
    for j, (r0, r1) in enumerate(zip(before.re, after.re, strict=True)):
        if r0 is not None:
            yield "r", j, r0, r1
    for t, (st0, st1) in enumerate(zip(before.stores, after.stores, strict=True)):
        pairs = [("se", st0.energy, st1.energy), ("sp", st0.power, st1.power)]
        if st0.charge_power is not None and st1.charge_power is not None:
            pairs.append(("sq", st0.charge_power, st1.charge_power))
        for what, c0, c1 in pairs:
            for z, (v0, v1) in enumerate(zip(c0, c1, strict=True)):
                if v0 is not None:
                    yield what, f"{t}.{z}", v0, v1  # store.zone: one name part


def _add_vintages(joint: SitingModel, stages: list[Stage], models: list[SitingModel]) -> None:
    """``vintage`` rows: the compute of the IT connected by each milestone, every vintage at
    its own hardware's compute per MW, covers the milestone's added compute [MW of today's
    IT]. Left out when every vintage carries the same compute (each milestone's own target
    row is then the same row)."""
    per_mw = [s.inst.settings.compute_per_new_mw for s in stages]
    if max(per_mw) - min(per_mw) <= 1e-12:
        return
    for m, stage in enumerate(stages):
        # compute by milestone m = sum_k e_k (N_k - N_{k-1}) = sum_k N_k (e_k - e_{k+1}), e_{m+1} = 0
        pairs: list[tuple[pulp.LpVariable, float]] = []
        for k in range(m + 1):
            weight = per_mw[k] - (per_mw[k + 1] if k < m else 0.0)
            model = models[k]
            pairs += [(model.size[s], weight * model.size_mw[s])
                      for s in range(len(model.size)) if model.size[s] is not None]  # fmt: skip
        inst = stage.inst
        added = (inst.settings.multiplier - 1.0) * inst.baseline_total_mw
        joint.add_row("vintage", (stage.year,), pulp.LpAffineExpression(pairs),
                      pulp.LpConstraintGE, added)  # fmt: skip
