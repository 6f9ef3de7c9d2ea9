"""Solve strategies beside the model: the full-year check of an hourly plan and the guarantee
loop that re-solves until the check meets the target (``docs/model.md#guarantee``).

:func:`check_and_guarantee` takes a solved first plan, checks it over every hour of its
weather years and, with ``carbon.guarantee: full_year``, adds the failing days (and cuts) and
re-solves with the sites fixed, round after round. Each completed solve is handed to a
checkpoint (:class:`Checkpoint`) so that a stopped run resumes from its last completed round
(``siting run CONFIG --resume``) and ends with the same plan as an uninterrupted one: every
step after a restored round is the deterministic function of that round's plan. No I/O
here: the run folder's checkpoint and resumption are :mod:`siting.commands.resume`'s.

A stop (Ctrl-C, SIGTERM) in a round's solve or check ends the loop: the last plan that was
checked is kept, or, where no round was checked since the plan in hand was solved, that plan
unchecked; :class:`GuaranteeOutcome` says which (``stopped_by``, ``checked``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from siting.base.errors import ExitCode
from siting.base.summary import RunSummary
from siting.config import Config
from siting.fullyear.guarantee import Round, failing_days, residual_cut
from siting.fullyear.guarantee import summary as guarantee_summary
from siting.fullyear.years import FullYearCheck, check_solution
from siting.inputs.layers import Layers
from siting.instance import Instance, ResidualCut, build_instance
from siting.instance.periods import Periods
from siting.model import SitingModel, build_model, fix_sites
from siting.solution import Solution, extract_solution
from siting.solve.solvers import SolveResult, solve


@dataclass
class SolvedRound:
    """One solved round: its instance, model, plan and the additions that made it.

    Attributes
    ----------
    index
        Round number, 1 for the first (the MILP on the representative days) [-].
    days
        Calendar days added to the representative ones before this round (all rounds so far).
    cuts
        Residual cuts this round's model had.
    """

    index: int
    periods: Periods | None
    inst: Instance
    model: SitingModel
    result: SolveResult
    solution: Solution
    days: list[int] = field(default_factory=list)
    cuts: list[ResidualCut] = field(default_factory=list)


class Checkpoint(Protocol):
    """Where a guarantee run keeps what it needs to resume (:mod:`siting.outputs.checkpoint`)."""

    def save_solved(self, solved: SolvedRound, rounds: list[Round],
                    build: list[float | None], size: list[float | None]) -> None: ...  # fmt: skip

    def save_checked(self, rounds: list[Round]) -> None: ...


@dataclass(frozen=True)
class GuaranteeOutcome:
    """What the check (and the guarantee loop) ended with.

    Attributes
    ----------
    last
        The round whose plan is published.
    check
        Its full-year check (None when a stop came before the plan was checked).
    rounds
        Every checked round, in order.
    met
        The target was reached within tolerance in every weather year [-].
    stopped_by
        ``"interrupt"`` when Ctrl-C or SIGTERM ended the loop, else None.
    stopped_in
        What was under way when the stop came (e.g. ``"round 2's solve"``).
    """

    last: SolvedRound
    check: FullYearCheck | None
    rounds: list[Round]
    met: bool
    stopped_by: str | None = None
    stopped_in: str = ""


@dataclass
class _Loop:
    cfg: Config
    layers: Layers
    base: Periods | None
    say: Callable[[str], None]
    log: Any
    timings: dict[str, float]
    checkpoint: Checkpoint | None
    build: list[float | None]
    size: list[float | None]
    rounds: list[Round] = field(default_factory=list)


def restore_round(cfg: Config, layers: Layers, base: Periods | None, index: int,
                  days: list[int], cuts: list[ResidualCut], x: np.ndarray,
                  result: SolveResult, build: list[float | None],
                  size: list[float | None]) -> SolvedRound:  # fmt: skip
    """A round rebuilt from its checkpoint: the same instance and model, the solved column
    values put back (no solve), the plan read from them as after the solve."""
    periods = base.with_days(days) if base is not None and days else base
    inst = build_instance(layers, cfg, periods)
    if cuts:
        inst = dataclasses.replace(inst, residual_cuts=tuple(cuts))
    model = build_model(inst)
    if index > 1:
        fix_sites(model, build, size)
    for var, value in zip(model.columns, x.tolist(), strict=True):
        var.varValue = value
    return SolvedRound(index, periods, inst, model, result, extract_solution(model, result),
                       list(days), list(cuts))  # fmt: skip


def values(variables: list[Any]) -> list[float | None]:
    """Solved values of a model's per-site variables (None where a site has none)."""
    return [None if v is None or v.varValue is None else float(v.varValue) for v in variables]


def check_and_guarantee(
    cfg: Config,
    layers: Layers,
    base: Periods | None,
    first: SolvedRound,
    say: Callable[[str], None],
    log: Any = None,
    timings: dict[str, float] | None = None,
    checkpoint: Checkpoint | None = None,
    done: list[Round] | None = None,
    sites: tuple[list[float | None], list[float | None]] | None = None,
) -> GuaranteeOutcome:
    """Check ``first`` over the full year and, with the guarantee, re-solve until it holds.

    Parameters
    ----------
    first
        The plan to start from: round 1 as solved, or a round restored from a checkpoint.
    done
        Checked rounds before ``first`` (a resumed run's record).
    sites
        The first round's build and size values, which later rounds fix (default: read
        from ``first``'s model).
    """
    build, size = sites or (values(first.model.build), values(first.model.size))
    loop = _Loop(cfg, layers, base, say, log, timings if timings is not None else {},
                 checkpoint, build, size, list(done or []))  # fmt: skip
    loop.timings.setdefault("full_year_check_s", 0.0)
    guarantee = cfg.carbon.guarantee == "full_year" and base is not None
    current = first
    try:
        check = _check(loop, current)
    except KeyboardInterrupt:
        say(f"stopped during round {current.index}'s full-year check: its plan is published "
            "unchecked")  # fmt: skip
        return GuaranteeOutcome(current, None, loop.rounds, False, "interrupt",
                                f"round {current.index}'s full-year check")  # fmt: skip
    while guarantee and not _met(check, cfg) and len(loop.rounds) < cfg.carbon.max_guarantee_rounds:
        try:
            step = _next_round(loop, current, check)
        except KeyboardInterrupt as stop:
            say(f"stopped during {stop}: the guarantee keeps round {current.index}'s checked plan")
            _forget_additions(loop)
            return GuaranteeOutcome(current, check, loop.rounds, _met(check, cfg), "interrupt",
                                    str(stop) or f"round {current.index + 1}")  # fmt: skip
        if step is None:
            break
        current, check = step
    try:
        check = _exact(loop, current, check)
    except KeyboardInterrupt:
        say(f"stopped during round {current.index}'s exact full-year check: its plan is "
            "published with its relaxation's bound")  # fmt: skip
        return GuaranteeOutcome(current, check, loop.rounds, False, "interrupt",
                                f"round {current.index}'s full-year check")  # fmt: skip
    return GuaranteeOutcome(current, check, loop.rounds, _met(check, cfg) if guarantee else True)


def _exact(loop: _Loop, current: SolvedRound, check: FullYearCheck) -> FullYearCheck:
    """The published plan's check solved exactly: a failing round judged on a relaxation's
    bound is checked again on the year's LP when the loop ends with it."""
    if not check.bound:
        return check
    loop.say(f"round {current.index} is the last: its full-year check solved exactly")
    exact = _check(loop, current, exact=True)
    # the exact record replaces the bound's only once it exists: a stop during the exact
    # check keeps the bound's record beside the bound's check
    del loop.rounds[-2]
    if loop.checkpoint is not None:
        loop.checkpoint.save_checked(loop.rounds)
    return exact


def _check(loop: _Loop, solved: SolvedRound, exact: bool = False) -> FullYearCheck:
    """The full-year check of a solved round; the round joins the record.

    A guarantee round that is not the last allowed (and uses no cuts, which need the year's
    duals) may be judged on a relaxation's bound (the free windows, or the coarse year for
    plans with long stores) when even that falls short: the year's LP is skipped
    (:func:`siting.fullyear.years.check_plan`), and solved only for the plan that is
    published (:func:`_exact`)."""
    cfg = loop.cfg
    cuts = cfg.carbon.guarantee == "full_year" and cfg.carbon.guarantee_cuts
    may_bound = (not exact and not cuts and cfg.carbon.guarantee == "full_year"
                 and loop.base is not None
                 and len(loop.rounds) + 1 < cfg.carbon.max_guarantee_rounds)  # fmt: skip
    fail_below = cfg.carbon.cfe_target - cfg.carbon.guarantee_tolerance if may_bound else None
    check = check_solution(solved.inst, solved.solution, loop.layers.weather, loop.say,
                           duals=cuts, fail_below=fail_below)  # fmt: skip
    loop.timings["full_year_check_s"] += check.seconds
    loop.rounds.append(_round(solved.result, check, solved.inst))
    if loop.checkpoint is not None:
        loop.checkpoint.save_checked(loop.rounds)
    return check


def _forget_additions(loop: _Loop) -> None:
    """The last checked round added nothing after all (the round it fed was stopped)."""
    if loop.rounds:
        loop.rounds[-1] = dataclasses.replace(loop.rounds[-1], days_added=[])


class _Stopped(KeyboardInterrupt):
    """A stop, naming the step it came in."""


def _next_round(
    loop: _Loop, current: SolvedRound, check: FullYearCheck
) -> tuple[SolvedRound, FullYearCheck] | None:
    """Add the failing days and a cut, re-solve with the sites fixed and re-check; None: the
    loop ends (nothing to add, or the round found no plan)."""
    cfg = loop.cfg
    index = current.index + 1
    periods, days = current.periods, list[int]()
    if cfg.carbon.guarantee_days_per_round > 0 and loop.base is not None:
        assert current.periods is not None
        periods, days = _add_failing_days(current.periods, check, cfg)
    new_cuts = _residual_cuts(current, check, cfg, loop.layers) if cfg.carbon.guarantee_cuts else []
    if not days and not new_cuts:
        return None
    cuts = current.cuts + new_cuts
    assert periods is not None
    dates = [periods.calendar[d] for d in days]
    loop.rounds[-1] = dataclasses.replace(loop.rounds[-1], days_added=dates)
    added = f"{len(days)} days ({dates[0]} ... {dates[-1]})" if days else "no days"
    again = len(periods.refined) - len(current.periods.refined if current.periods else ())
    if again:
        added += f", {again} of them already periods, now cut finer"
    if cfg.carbon.guarantee_cuts:
        added += f" and {len(new_cuts)} cut(s) ({len(cuts)} in all)"
    loop.say(f"guarantee round {index}: adding {added}, {periods.n_periods} periods, sites fixed")
    try:
        inst = dataclasses.replace(build_instance(loop.layers, cfg, periods),
                                   residual_cuts=tuple(cuts))  # fmt: skip
        t = time.perf_counter()
        model = build_model(inst)
        fix_sites(model, loop.build, loop.size)
        loop.timings["build_s"] = loop.timings.get("build_s", 0.0) + time.perf_counter() - t
        result = solve(model, cfg.solver, loop.say, loop.log)
    except KeyboardInterrupt as exc:
        raise _Stopped(f"round {index}'s solve") from exc
    loop.timings["solve_s"] = loop.timings.get("solve_s", 0.0) + result.solve_s
    loop.say(f"solver: {result.termination} in {result.solve_s:.1f} s; objective "
             f"{result.objective:,.0f} EUR/yr")  # fmt: skip
    if result.interrupted:
        raise _Stopped(f"round {index}'s solve")
    if not result.status.has_solution:
        loop.say("this round found no plan: the guarantee keeps the last plan that solved")
        _forget_additions(loop)
        return None
    solved = SolvedRound(index, periods, inst, model, result, extract_solution(model, result),
                         list(current.days) + days, cuts)  # fmt: skip
    if loop.checkpoint is not None:
        loop.checkpoint.save_solved(solved, loop.rounds, loop.build, loop.size)
    try:
        return solved, _check(loop, solved)
    except KeyboardInterrupt as exc:
        raise _Stopped(f"round {index}'s full-year check") from exc


def _round(result: SolveResult, check: FullYearCheck, inst: Instance) -> Round:
    worst = check.years[check.worst_year]
    return Round(float(result.objective or 0.0), float(worst["cfe"]),
                 float(worst["residual_mwh"]), int(inst.time.period.max()) + 1,
                 float(result.solve_s), float(check.seconds),
                 cuts=len(inst.residual_cuts), bound=check.bound)  # fmt: skip


def _residual_cuts(current: SolvedRound, check: FullYearCheck, cfg: Config,
                   layers: Layers) -> list[ResidualCut]:  # fmt: skip
    """A cut per checked year that falls short, aimed at half the tolerance inside the target
    (cuts approach from outside: the year's residual is at least their linear bound)."""
    cuts = []
    share = 1.0 - cfg.carbon.cfe_target + cfg.carbon.guarantee_tolerance / 2
    plan = check.plan
    assert plan is not None and check.dispatches is not None
    for wy in layers.weather:
        year = str(wy.year)
        dispatch = check.dispatches.get(year)
        if (
            dispatch is None
            or dispatch.sensitivity is None
            or check.meets_year(year, cfg.carbon.cfe_target - cfg.carbon.guarantee_tolerance)
        ):
            continue
        hours = dispatch.residual_mw.shape[1]
        cuts.append(residual_cut(plan, dispatch.sensitivity, float(dispatch.residual_mw.sum()),
                                 share * float(plan.load_mw.sum()) * hours,
                                 len(current.inst.stores)))  # fmt: skip
    return cuts


def _met(check: FullYearCheck, cfg: Config) -> bool:
    """The full-year CFE of every year checked within tolerance of the target."""
    return check.meets(cfg.carbon.cfe_target - cfg.carbon.guarantee_tolerance)


def _add_failing_days(periods: Periods, check: FullYearCheck,
                      cfg: Config) -> tuple[Periods, list[int]]:  # fmt: skip
    """The periods with the failing days of the years they run through added, and the days.

    A robust run shares the round's days among its years in proportion to their residual
    grid energy (each year that falls short gets at least one).
    """
    assert check.dispatches is not None and check.plan is not None
    years = periods.calendar_years
    residual = {y: float(check.dispatches[str(y)].residual_mw.sum()) if str(y) in check.dispatches
                else 0.0 for y in years}  # fmt: skip
    short = [y for y in years if str(y) in check.dispatches
             and not check.meets_year(str(y), cfg.carbon.cfe_target)]  # fmt: skip
    if not short:  # the years run on hold; another year checked falls short: its days
        short = [years[0]]
    total = sum(residual[y] for y in short) or 1.0
    # a period's day that still fails is cut finer if it can be (segments of its day)
    counts = periods.segments(cfg.weather.segments_per_day, cfg.carbon.guarantee_segments_per_day)
    skip = {d for d, n in zip(periods.days, counts.tolist(), strict=True) if n >= 24}
    days: list[int] = []
    for y in short:
        i = years.index(y)
        dispatch = check.dispatches.get(str(y)) or check.dispatches[check.worst_year]
        share = max(1, round(cfg.carbon.guarantee_days_per_round * residual[y] / total))
        own = {d - 365 * i for d in skip if 365 * i <= d < 365 * (i + 1)}
        picked = failing_days(dispatch.residual_mw, check.plan.load_mw, cfg.carbon.cfe_target,
                              share, own)  # fmt: skip
        days += [365 * i + d for d in picked]
    return periods.with_days(days), days


def shortfall_words(record: Mapping[str, Any], check: FullYearCheck) -> str:
    """The message of a guarantee that was not met within its rounds."""
    worst = check.years[check.worst_year]
    return (
        f"guarantee not met after {record['rounds']} rounds: full-year CFE {worst['cfe']:.3%} "
        f"against {record['cfe_target'] - record['tolerance']:.3%} "
        f"(short by {record['shortfall']:.3%}, {worst['residual_mwh'] / 1e6:,.2f} TWh of "
        f"residual grid in {check.worst_year}); raise carbon.max_guarantee_rounds, allow "
        "long-duration storage or firm supply (technologies:), or lower carbon.cfe_target"
    )


def checked_solution(solution: Solution, outcome: GuaranteeOutcome, cfg: Config,
             say: Callable[[str], None]) -> tuple[Solution, ExitCode, dict[str, Any] | None]:  # fmt: skip
    """The published plan with its check (and guarantee record) in the summary."""
    extra: dict[str, Any] = {}
    code = ExitCode.OK
    stop = None
    if outcome.stopped_by is not None:
        stop = {"stopped_by": outcome.stopped_by, "stopped_in": outcome.stopped_in,
                "full_year_checked": outcome.check is not None}  # fmt: skip
    if cfg.carbon.guarantee == "full_year" and outcome.rounds:
        extra["guarantee"] = guarantee_summary(
            outcome.rounds, outcome.met, cfg.carbon.cfe_target, cfg.carbon.guarantee_tolerance
        )
        if stop is not None:
            extra["guarantee"]["stopped_by"] = outcome.stopped_by
        elif not outcome.met and outcome.check is not None:
            code = ExitCode.INFEASIBLE
            say(shortfall_words(extra["guarantee"], outcome.check))
    checked = outcome.check.summary() if outcome.check is not None else {}
    summary = RunSummary({**solution.summary, **checked, **extra})
    return dataclasses.replace(solution, summary=summary), code, stop
