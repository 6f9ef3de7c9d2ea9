"""The full-year guarantee: which days to add when a plan falls short on the full year.

``carbon.guarantee: full_year`` solves on the representative days, re-dispatches the plan over
every hour of its weather year (:mod:`siting.fullyear.dispatch`), and, while the year's carbon-free
share stays below ``cfe_target - guarantee_tolerance``, adds failing calendar days as periods of
their own (:meth:`siting.instance.periods.Periods.with_days`) and solves again. This module picks the
days and keeps the record of the rounds; :mod:`siting.commands.pipeline` runs the loop.

Which days: a *failing day* has a system-wide residual grid share above the plan's allowance
``1 - cfe_target``. Consecutive failing days form a stretch. Each round adds at most
``guarantee_days_per_round`` days, whole stretches first in order of their residual energy
(a stretch longer than the days left gives its worst run of consecutive days): linked storage
must see a lull as the run of days it is, or it refills between them.

After the first round the sites are fixed (:func:`siting.model.fix_sites`): the re-solves
re-optimise clean supply and storage only, as linear programs.

Cuts (``carbon.guarantee_cuts``): each check also prices every size by the dispatch LP's duals
(:func:`siting.fullyear.dispatch.sensitivity`). The year's residual grid is convex in the sizes, so
``R(x) >= R(x0) + g . (x - x0)`` holds for every plan; the re-solve requires that bound to be
within the allowance (:func:`residual_cut`, Kelley's cutting planes, or Benders' cuts with the
full year as the subproblem). A cut tells the model what the whole year needs without adding
its hours, so the re-solves keep the size of the representative days'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.instance import ResidualCut

if TYPE_CHECKING:
    from siting.fullyear.dispatch import Plan, Sensitivity

HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Round:
    """One solve of the guarantee loop and its full-year check.

    Attributes
    ----------
    objective_eur_per_yr
        The plan's cost [EUR/yr].
    cfe_full_year
        Carbon-free share over every hour of the weather year [-].
    residual_mwh
        Residual grid energy over the year [MWh].
    periods
        Representative periods the plan was optimised on.
    days_added
        ISO dates added after this round's check (empty for the last round).
    solve_s, check_s
        Solver and full-year check wall time [s].
    """

    objective_eur_per_yr: float
    cfe_full_year: float
    residual_mwh: float
    periods: int
    solve_s: float
    check_s: float
    days_added: list[str] = field(default_factory=list)
    cuts: int = 0
    """Residual cuts the round's solve had."""
    bound: bool = False
    """Some year of the check was a relaxation's bound (free windows or the coarse year; the
    plan failed): ``cfe_full_year`` is then an upper bound and ``residual_mwh`` a lower
    bound of that year's."""


def residual_cut(
    plan: Plan, sens: Sensitivity, residual_mwh: float, allowance_mwh: float, n_stores: int
) -> ResidualCut:
    """The cut ``g . x <= allowance - R(x0) + g . x0`` of one checked plan ``x0`` (pure).

    ``g``: the check's derivatives of the residual by every size it priced (new clean
    capacity, each store's energy, power and charging power); ``residual_mwh``: the year's
    residual ``R(x0)``; ``allowance_mwh``: the residual the target allows [MWh].
    """
    n_j = len(plan.annual_cf)
    n_z = len(plan.zone_ids)
    g_re = sens.of("r", (), n_j)
    parts = {f: tuple(sens.of(f, (k,), n_z) for k in range(n_stores)) for f in ("se", "sp", "sq")}
    at_x0 = float(g_re @ plan.sizes[("r", ())])
    for family, per_store in parts.items():
        for k, g in enumerate(per_store):
            size = plan.sizes.get((family, (k,)))
            if size is not None:
                at_x0 += float(g @ size)
    return ResidualCut(g_re, parts["se"], parts["sp"], parts["sq"],
                       allowance_mwh - residual_mwh + at_x0)  # fmt: skip


def daily_shares(grid_mw: np.ndarray, load_mw: np.ndarray) -> np.ndarray:
    """System-wide residual grid share of each calendar day's load [-] (365 values).

    ``grid_mw``: zones x 8,760 hourly residual grid [MW]; ``load_mw``: flat load per zone [MW].
    """
    grid_day = grid_mw.sum(axis=0).reshape(-1, HOURS_PER_DAY).sum(axis=1)
    load_day = float(load_mw.sum()) * HOURS_PER_DAY
    return grid_day / load_day if load_day > 0 else np.zeros_like(grid_day)


def failing_days(
    grid_mw: np.ndarray, load_mw: np.ndarray, cfe_target: float, n: int, skip: set[int]
) -> list[int]:
    """Up to ``n`` failing days (0-based), whole stretches first.

    Stretches are taken in order of their residual energy. A stretch that fits the days left
    is taken whole; a longer one gives the run of consecutive days with the most residual
    energy that fits. Consecutive days matter: storage enters a lull with what the days
    before it left, so a single calm day among represented windy ones is no test at all.
    Days in ``skip`` (periods of their own already) are not picked again.
    """
    share = daily_shares(grid_mw, load_mw)
    failing = share > (1.0 - cfe_target) + 1e-6
    stretches: list[tuple[float, list[int]]] = []
    d = 0
    while d < len(share):
        if not failing[d]:
            d += 1
            continue
        end = d
        while end + 1 < len(share) and failing[end + 1]:
            end += 1
        days = [k for k in range(d, end + 1) if k not in skip]
        if days:
            stretches.append((float(share[days].sum()), days))
        d = end + 1
    stretches.sort(key=lambda s: -s[0])
    picked: list[int] = []
    for _, days in stretches:
        room = n - len(picked)
        if room <= 0:
            break
        if len(days) > room:
            sums = [float(share[days[i : i + room]].sum()) for i in range(len(days) - room + 1)]
            start = int(np.argmax(sums))
            days = days[start : start + room]
        picked += days
    return sorted(picked)


def summary(rounds: list[Round], met: bool, cfe_target: float, tolerance: float) -> dict[str, Any]:
    """``summary.json``'s ``guarantee`` record (``docs/outputs.md``)."""
    last = rounds[-1]
    return {
        "met": met,
        "cfe_target": cfe_target,
        "tolerance": tolerance,
        "rounds": len(rounds),
        "shortfall": max(0.0, cfe_target - tolerance - last.cfe_full_year),
        "days_added": [d for r in rounds for d in r.days_added],
        "steps": [asdict(r) for r in rounds],
    }
