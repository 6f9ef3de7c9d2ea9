"""The full-year check of a plan on whole years of weather, for runs and for ``siting check``.

For each weather year: every option's hourly capacity factors are that year's hours, scaled
once over the year to the option's annual ``cf`` (the same scaling the representative days
come from), firm supply without a series runs flat at its ``cf``; the plan is re-dispatched
over the 8,760 hours (:mod:`siting.fullyear.dispatch`). The worst year is the headline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.base.errors import InputError, Problem
from siting.fullyear.dispatch import (
    COARSE_BOUND,
    Dispatch,
    Plan,
    plan_from_tables,
    report,
    solve_dispatch,
    year_horizon,
)
from siting.inputs.weather import WeatherYear
from siting.instance import Instance, scaled_weather

TOLERANCE = 1e-6
"""A year meets the CFE target when its CFE is at most this far below it [-]."""


@dataclass(frozen=True)
class FullYearCheck:
    """The check of one plan on every weather year given.

    Attributes
    ----------
    table
        ``tables/full_year.csv``: one row per zone and weather year.
    years
        Headline numbers per year (CFE, residual, worst day and hour, longest stretch,
        residual by month, solver status), keyed by the year as a string.
    seconds
        Wall time of all the years' checks [s].
    """

    table: pd.DataFrame
    years: dict[str, dict[str, Any]]
    seconds: float
    plan: Plan | None = None
    dispatches: dict[str, Any] | None = None
    """The solved dispatch of every year (for the figure), by year."""
    stamps: dict[str, pd.DatetimeIndex] | None = None

    @property
    def bound(self) -> bool:
        """Some year was judged on a relaxation's bound (the plan fails; not published)."""
        return any(head.get("bound") for head in self.years.values())

    @property
    def worst_year(self) -> str:
        return min(self.years, key=lambda y: self.years[y]["cfe"])

    def summary(self) -> dict[str, Any]:
        """The fields ``summary.json`` gains (``docs/outputs.md``)."""
        worst = self.years[self.worst_year]
        bound = {"full_year_bound": True} if self.bound else {}  # a stop kept a failing round
        return {
            **bound,
            "cfe_score_full_year": worst["cfe"],
            "cfe_score_by_year": {y: v["cfe"] for y, v in self.years.items()},
            "full_year_residual_mwh": worst["residual_mwh"],
            "full_year": self.years,
        }

    def meets(self, cfe_target: float) -> bool:
        """The plan's CFE (all zones together) reaches the target in every year."""
        return all(self.meets_year(y, cfe_target) for y in self.years)

    def meets_year(self, year: str, cfe_target: float) -> bool:
        """The plan's CFE (all zones together) reaches the target in ``year``."""
        return bool(self.years[year]["cfe"] >= cfe_target - TOLERANCE)


def hourly_cf(inst: Instance, plan: Plan, year: WeatherYear) -> dict[int, np.ndarray]:
    """Each option's 8,760 hourly capacity factors in one year, at the run's
    ``weather.levels`` (the same the representative days are cut with)."""
    zones = [inst.zones.ids[z] for z in inst.supply.zone.tolist()]
    return scaled_weather(
        year, zones, inst.supply.tech, plan.annual_cf, inst.settings.weather_levels
    )


def _relaxation(dispatch: Dispatch) -> str:
    """Which relaxation a bound came from, in words."""
    return "the coarse year's" if dispatch.status == COARSE_BOUND else "the free windows'"


def check_plan(
    inst: Instance,
    plan: Plan,
    years: list[WeatherYear],
    say: Any = None,
    duals: bool = False,
    fail_below: float | None = None,
) -> FullYearCheck:
    """Re-dispatch a plan over every given year; the per-zone table and per-year headlines.

    ``fail_below``: a CFE [-] below which the plan fails; a year whose relaxation (the free
    windows, or the coarse year where long stores are held through the windows) already
    falls short of it is reported from the relaxation (``bound``: its CFE an upper bound,
    its residual a lower one) without solving the year's LP, which is all the guarantee
    needs of a failing round (``docs/solvers.md#full-year-check``). Once one year has
    failed, so has the plan: every later year stops at its relaxation, whatever it says.
    """
    t0 = time.perf_counter()
    tables, heads, dispatches, stamps = [], {}, {}, {}
    failed = False
    for wy in years:
        n_hours = len(wy.cf.index)
        horizon = year_horizon(plan, hourly_cf(inst, plan, wy), n_hours,
                               inst.zones.grid_headroom_mw)  # fmt: skip
        # CFE = 1 - residual / load; the load before curtailment is the largest it can be,
        # so residual above this share of it fails whatever the interruptible load does
        allowance = (None if fail_below is None
                     else (1.0 - fail_below) * float(plan.load_mw.sum()) * n_hours)  # fmt: skip
        # once the plan has failed in one year, any relaxation of a later year will do
        dispatch = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"}, duals=duals,
                                  fail_above_mwh=-np.inf if failed else allowance)  # fmt: skip
        short = allowance is not None and float(dispatch.residual_mw.sum()) > allowance
        why = "short of the target" if short else "the plan failed in an earlier year"
        failed = failed or short
        if dispatch.status != "Optimal" and not dispatch.bound:
            raise InputError([Problem(f"full-year check {wy.year}",
                                      f"the dispatch LP ended '{dispatch.status}'",
                                      "report this: the check has no reason to fail")])  # fmt: skip
        table, head = report(plan, dispatch, wy.year, pd.DatetimeIndex(wy.cf.index),
                             inst.settings.cfe_target, grid_cost_eur_per_mwh=inst.zones.grid_cost_eur_per_mwh,
                             intensity_g_per_kwh=inst.zones.carbon_intensity_g_per_kwh
                             if len(inst.zones.carbon_intensity_g_per_kwh) else None)  # fmt: skip
        head["bound"] = dispatch.bound
        tables.append(table)
        heads[str(wy.year)] = head
        dispatches[str(wy.year)] = dispatch
        stamps[str(wy.year)] = pd.DatetimeIndex(wy.cf.index)
        if say is not None:
            at_most = "at most " if dispatch.bound else ""
            say(f"full-year check {wy.year}: CFE {at_most}{head['cfe']:.3%}, residual grid "
                f"{'at least ' if dispatch.bound else ''}{head['residual_mwh'] / 1e6:,.2f} TWh, "
                f"worst day {head['worst_day']} ({head['worst_day_grid_share']:.0%} grid), "
                f"{dispatch.solve_s:.0f} s"
                + (f" ({_relaxation(dispatch)} bound: {why}, the year's LP skipped)"
                   if dispatch.bound else ""))  # fmt: skip
    return FullYearCheck(
        pd.concat(tables, ignore_index=True), heads, time.perf_counter() - t0, plan,
        dispatches, stamps,
    )  # fmt: skip


def check_solution(
    inst: Instance,
    solution: Any,
    years: list[WeatherYear],
    say: Any = None,
    duals: bool = False,
    fail_below: float | None = None,
) -> FullYearCheck:
    """The full-year check of a freshly solved plan (``duals``: with each year's sensitivity;
    ``fail_below``: as :func:`check_plan`)."""
    plan = plan_from_tables(inst, solution.sites, solution.renewables, solution.zones)
    return check_plan(inst, plan, years, say, duals, fail_below)


def check_run_folder(
    run: Any, inst: Instance, years: list[WeatherYear], say: Any = None
) -> FullYearCheck:
    """The full-year check of a published run, from its decision tables."""
    plan = plan_from_tables(inst, run.table("sites"), run.table("renewables"), run.table("zones"))
    return check_plan(inst, plan, years, say)


def weather_years(paths: list[Path], techs: list[str]) -> list[WeatherYear]:
    """Read weather files given on the command line (all problems at once)."""
    from siting.inputs.weather import read_weather

    years: list[WeatherYear] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            years += read_weather(p, techs)
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return years
