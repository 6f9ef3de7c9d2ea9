"""Pipeline: config -> layers -> instance -> model -> solution -> run folder.

The only module that strings the steps together; each step stays a pure function or an
isolated I/O call. Progress goes to stderr so the run folder path stays the last stdout line.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from siting.check import check_solution, hourly_cf
from siting.config import Config, resolve_config
from siting.diagnosis import diagnosis_report, explain_infeasible, precheck
from siting.errors import ExitCode, NoSolutionError, SolverError
from siting.guarantee import Round, failing_days, residual_cut
from siting.guarantee import summary as guarantee_summary
from siting.instance import Instance, ResidualCut, build_instance, periods_for
from siting.layers import Layers, load_layers
from siting.model import SitingModel, build_model, fix_sites
from siting.outputs.cache import PeriodsCache
from siting.outputs.results import write_results
from siting.outputs.runfolder import (
    new_manifest,
    sha256_file,
    staged_run,
    write_json,
    write_yaml,
)
from siting.periods import Periods
from siting.solution import Solution, extract_solution
from siting.solvers import SolveResult, SolverStatus, solve
from siting.summary import RunSummary


class Progress:
    """Stage-by-stage progress on stderr with elapsed times."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._t0 = time.perf_counter()
        self._live = False  # a live line is on screen, not yet ended

    def __call__(self, text: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self._t0
            end = "\n" if self._live else ""
            self._live = False
            print(f"{end}[{elapsed:6.1f} s] {text}", file=self.stream, flush=True)

    def beat(self, text: str) -> None:
        """A heartbeat: rewrites one live line on a terminal, a plain line in a log."""
        if not self.enabled:
            return
        if not self.stream.isatty():
            self(text)
            return
        elapsed = time.perf_counter() - self._t0
        print(f"\r[{elapsed:6.1f} s] {text}\x1b[K", end="", file=self.stream, flush=True)
        self._live = True


@dataclass
class RunOutcome:
    """What ``siting run`` did."""

    path: Path | None
    status: str
    exit_code: ExitCode
    summary: Mapping[str, Any] = field(default_factory=dict)


def failure_text(outcome: RunOutcome) -> str | None:
    """What went wrong in a run that published a folder but exits non-zero (or ``None``):
    the full-year guarantee not met, or no feasible plan (with where the diagnosis is)."""
    if outcome.exit_code != ExitCode.INFEASIBLE:
        return None
    s = outcome.summary
    guarantee = s.get("guarantee") or {}
    if guarantee and not guarantee["met"]:
        return (
            f"guarantee not met: full-year CFE {s['cfe_score_full_year']:.3%} after "
            f"{guarantee['rounds']} rounds, {guarantee['shortfall']:.3%} short of "
            f"{guarantee['cfe_target'] - guarantee['tolerance']:.3%} "
            f"({s['full_year_residual_mwh'] / 1e6:,.2f} TWh residual grid); the last plan "
            "is in the run folder (see docs/model.md#guarantee)"
        )
    where = outcome.path / "diagnosis.json" if outcome.path else "-"
    return f"infeasible: {s.get('diagnosis', '')}\ndiagnosis: {where}"


def validate(
    config: str | Path | dict[str, Any] | Config, overrides: list[str] | None = None
) -> tuple[Config, Layers, Instance]:
    """Read and check a config and its layers; solve nothing.

    Parameters
    ----------
    config
        Scenario YAML, or its keys as a mapping, or a :class:`~siting.config.Config`.
    overrides
        ``KEY=VALUE`` config overrides.

    Raises
    ------
    InputError
        Listing every problem found.
    """
    cfg, _source = resolve_config(config, overrides)
    layers = load_layers(cfg)
    return cfg, layers, build_instance(layers, cfg)


def run(
    config: str | Path | dict[str, Any] | Config,
    out: str | Path | None = None,
    name: str | None = None,
    overrides: list[str] | None = None,
    progress: Progress | None = None,
    discard_on_interrupt: bool = False,
) -> RunOutcome:
    """Build and solve a scenario, and publish a new run folder.

    Parameters
    ----------
    config
        Scenario YAML, or its keys as a mapping (relative paths resolve against the working
        directory), or a :class:`~siting.config.Config`.
    out
        Folder holding run folders (default ``runs/`` in the working directory).
    name
        Overrides the config's ``name`` for the folder and records it.
    overrides
        ``KEY=VALUE`` config overrides.
    progress
        Where to report stages (and the solver's heartbeat).
    discard_on_interrupt
        On Ctrl-C or SIGTERM during the solve, publish nothing even when HiGHS has a plan
        (by default that plan is published as ``feasible``, without the full-year check).

    Returns
    -------
    RunOutcome
        Published path, status and the exit code for the CLI.
    """
    say = progress or Progress(enabled=False)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    overrides = [*(overrides or []), *([f"name={name}"] if name else [])]
    cfg, source = resolve_config(config, overrides)
    say(
        f"config {cfg.name}: +{cfg.target.increase_pct:g} % by {cfg.target.deadline_year}, "
        f"{cfg.carbon.matching} matching, CFE {cfg.carbon.cfe_target:g}"
    )
    layers = load_layers(cfg)
    cache = PeriodsCache.default()
    periods = periods_for(layers, cfg, cache)
    inst = build_instance(layers, cfg, periods)
    timings["read_s"] = time.perf_counter() - t
    say(
        f"layers read: {inst.n_zones} zones, {inst.n_sites} sites ({int(inst.eligible.sum())} eligible), "
        f"{len(inst.re_tech)} clean options, {len(inst.link_ids)} links, {inst.n_slices} slices"
    )
    out_root = Path(out) if out else Path.cwd() / "runs"
    manifest = _run_manifest(cfg, source, overrides)
    if periods is not None:  # representative days: cut now, or taken from the cache
        manifest["periods_cache"] = cache.state if cache is not None else "off"
    findings = precheck(inst)
    if findings:
        say("pre-solve checks found the plan impossible; writing the diagnosis")
        report = diagnosis_report(findings, "not solved: pre-solve checks")
        return _publish_infeasible(cfg, out_root, manifest, timings, report, say)
    log = Path(tempfile.mkdtemp(prefix="siting-log-")) / "solver.log"
    try:
        return _solve_and_publish(cfg, layers, periods, inst, out_root, manifest, timings,
                                  say, log, discard_on_interrupt)  # fmt: skip
    finally:
        shutil.rmtree(log.parent, ignore_errors=True)


def _solve_and_publish(
    cfg: Config,
    layers: Layers,
    periods: Periods | None,
    inst: Instance,
    out_root: Path,
    manifest: dict[str, Any],
    timings: dict[str, float],
    say: Progress,
    log: Path,
    discard_on_interrupt: bool,
) -> RunOutcome:
    """Solve, check and publish; HiGHS's log of every solve goes to ``log``, then into
    the run folder as ``solver.log``."""
    model, result = _build_and_solve(inst, cfg, timings, manifest, say, log)
    if result.status == SolverStatus.INFEASIBLE:
        say("infeasible: explaining why (IIS of the LP relaxation, elastic re-solve)")
        report = diagnosis_report(
            precheck(inst) + explain_infeasible(inst), result.termination, manifest["model_size"]
        )
        return _publish_infeasible(cfg, out_root, manifest, timings, report, say, log)
    _stop_if_interrupted(result, discard_on_interrupt, say)
    _require_solution(result, cfg)
    solution = extract_solution(model, result)
    check, code = None, ExitCode.OK
    if result.interrupted:
        solution = _marked_interrupted(solution)
    elif inst.matching == "hourly" and layers.weather:
        solution, result, inst, check, code = _full_year(
            cfg, layers, periods, inst, model, solution, result, timings, say, log
        )
    t = time.perf_counter()
    with staged_run(out_root, cfg.name, manifest["config_sha256"]) as staged:
        write_run_contents(staged.path, cfg, solution, layers, inst)
        _copy_log(log, staged.path)
        if check is not None:
            _write_full_year(staged.path, check, cfg.name)
        timings["write_s"] = time.perf_counter() - t
        manifest["timings"] = timings
        manifest["status"] = result.status.value
        staged.manifest = manifest
    assert staged.published is not None
    say(f"published {staged.published.name}")
    return RunOutcome(staged.published, result.status.value, code, solution.summary)


def _full_year(
    cfg: Config,
    layers: Layers,
    periods: Periods | None,
    inst: Instance,
    model: SitingModel,
    solution: Solution,
    result: SolveResult,
    timings: dict[str, float],
    say: Progress,
    log: Path | None = None,
) -> tuple[Solution, SolveResult, Instance, Any, ExitCode]:
    """The full-year check of the plan and, with ``carbon.guarantee: full_year``, the loop
    that adds failing days and re-solves until the check meets the target (``docs/model.md``)."""
    cuts = cfg.carbon.guarantee == "full_year" and cfg.carbon.guarantee_cuts
    check = check_solution(inst, solution, layers.weather, say, duals=cuts)
    timings["full_year_check_s"] = check.seconds
    extra: dict[str, Any] = {}
    code = ExitCode.OK
    if cfg.carbon.guarantee == "full_year" and periods is not None:
        state = _Guarantee(periods, inst, solution, result, check, [_round(result, check, inst)],
                           [_value(v) for v in model.build], [_value(v) for v in model.size])  # fmt: skip
        while not _met(state.check, cfg) and len(state.rounds) < cfg.carbon.max_guarantee_rounds:
            if not _next_round(state, cfg, layers, timings, say, log):
                break
        inst, solution, result, check = state.inst, state.solution, state.result, state.check
        met = _met(check, cfg)
        extra["guarantee"] = guarantee_summary(
            state.rounds, met, cfg.carbon.cfe_target, cfg.carbon.guarantee_tolerance
        )
        if not met:
            code = ExitCode.INFEASIBLE
            say(_shortfall_words(extra["guarantee"], check))
    summary = RunSummary({**solution.summary, **check.summary(), **extra})
    return dataclasses.replace(solution, summary=summary), result, inst, check, code


@dataclass
class _Guarantee:
    """The guarantee loop's state: the last plan that solved, and the rounds so far."""

    periods: Periods
    inst: Instance
    solution: Solution
    result: SolveResult
    check: Any
    rounds: list[Round]
    build: list[float | None]
    size: list[float | None]
    cuts: list[ResidualCut] = field(default_factory=list)


def _value(var: Any) -> float | None:
    return None if var is None or var.varValue is None else float(var.varValue)


def _next_round(
    g: _Guarantee,
    cfg: Config,
    layers: Layers,
    timings: dict[str, float],
    say: Progress,
    log: Path | None = None,
) -> bool:
    """Add the failing days and a cut, re-solve with the sites fixed and re-check; False: stop."""
    periods, days = g.periods, list[str]()
    if cfg.carbon.guarantee_days_per_round > 0:
        periods, days = _add_failing_days(g.periods, g.check, cfg)
    new_cuts = _residual_cuts(g, cfg, layers) if cfg.carbon.guarantee_cuts else []
    if not days and not new_cuts:
        return False
    g.cuts += new_cuts
    g.rounds[-1] = dataclasses.replace(g.rounds[-1], days_added=days)
    added = f"{len(days)} days ({days[0]} ... {days[-1]})" if days else "no days"
    if cfg.carbon.guarantee_cuts:
        added += f" and {len(new_cuts)} cut(s) ({len(g.cuts)} in all)"
    say(f"guarantee round {len(g.rounds) + 1}: adding {added}, {periods.n_periods} periods, "
        "sites fixed")  # fmt: skip
    inst = dataclasses.replace(build_instance(layers, cfg, periods), residual_cuts=tuple(g.cuts))
    t = time.perf_counter()
    model = build_model(inst)
    fix_sites(model, g.build, g.size)
    timings["build_s"] += time.perf_counter() - t
    result = solve(model, cfg.solver, say, log)
    timings["solve_s"] += result.solve_s
    say(f"solver: {result.termination} in {result.solve_s:.1f} s; objective "
        f"{result.objective:,.0f} EUR/yr")  # fmt: skip
    if result.interrupted:
        say("stopped: the guarantee keeps the last plan it checked")
        g.rounds[-1] = dataclasses.replace(g.rounds[-1], days_added=[])
        return False
    if not result.status.has_solution:
        say("this round found no plan: the guarantee keeps the last plan that solved")
        g.rounds[-1] = dataclasses.replace(g.rounds[-1], days_added=[])
        return False
    g.periods, g.inst, g.result = periods, inst, result
    g.solution = extract_solution(model, result)
    g.check = check_solution(inst, g.solution, layers.weather, say, cfg.carbon.guarantee_cuts)
    timings["full_year_check_s"] += g.check.seconds
    g.rounds.append(_round(result, g.check, inst))
    return True


def _round(result: SolveResult, check: Any, inst: Instance) -> Round:
    worst = check.years[check.worst_year]
    return Round(float(result.objective or 0.0), float(worst["cfe"]),
                 float(worst["residual_mwh"]), int(inst.period.max()) + 1,
                 float(result.solve_s), float(check.seconds),
                 cuts=len(inst.residual_cuts))  # fmt: skip


def _residual_cuts(g: _Guarantee, cfg: Config, layers: Layers) -> list[ResidualCut]:
    """A cut per checked year that falls short, aimed at half the tolerance inside the target
    (cuts approach from outside: the year's residual is at least their linear bound)."""
    cuts = []
    share = 1.0 - cfg.carbon.cfe_target + cfg.carbon.guarantee_tolerance / 2
    plan = g.check.plan
    for wy in layers.weather:
        year = str(wy.year)
        dispatch = g.check.dispatches.get(year)
        if (
            dispatch is None
            or dispatch.sensitivity is None
            or g.check.meets_year(year, cfg.carbon.cfe_target - cfg.carbon.guarantee_tolerance)
        ):
            continue
        hours = dispatch.grid_mw.shape[1]
        cuts.append(residual_cut(plan, dispatch.sensitivity, hourly_cf(g.inst, plan, wy),
                                 float(dispatch.grid_mw.sum()),
                                 share * float(plan.load_mw.sum()) * hours))  # fmt: skip
    return cuts


def _met(check: Any, cfg: Config) -> bool:
    """The full-year CFE of every year checked within tolerance of the target."""
    return check.meets(cfg.carbon.cfe_target - cfg.carbon.guarantee_tolerance)


def _add_failing_days(periods: Periods, check: Any, cfg: Config) -> tuple[Periods, list[str]]:
    """The periods with the failing days of the years they run through added, and their dates.

    A robust run shares the round's days among its years in proportion to their residual
    grid energy (each year that falls short gets at least one).
    """
    years = periods.calendar_years
    residual = {y: float(check.dispatches[str(y)].grid_mw.sum()) if str(y) in check.dispatches
                else 0.0 for y in years}  # fmt: skip
    short = [y for y in years if str(y) in check.dispatches
             and not check.meets_year(str(y), cfg.carbon.cfe_target)]  # fmt: skip
    if not short:  # the years run on hold; another year checked falls short: its days
        short = [years[0]]
    total = sum(residual[y] for y in short) or 1.0
    skip = set(periods.days)
    days: list[int] = []
    for y in short:
        i = years.index(y)
        dispatch = check.dispatches.get(str(y)) or check.dispatches[check.worst_year]
        share = max(1, round(cfg.carbon.guarantee_days_per_round * residual[y] / total))
        own = {d - 365 * i for d in skip if 365 * i <= d < 365 * (i + 1)}
        picked = failing_days(dispatch.grid_mw, check.plan.load_mw, cfg.carbon.cfe_target,
                              share, own)  # fmt: skip
        days += [365 * i + d for d in picked]
    dates = periods.calendar
    return periods.with_days(days), [dates[d] for d in days]


def _shortfall_words(record: Mapping[str, Any], check: Any) -> str:
    worst = check.years[check.worst_year]
    return (
        f"guarantee not met after {record['rounds']} rounds: full-year CFE {worst['cfe']:.3%} "
        f"against {record['cfe_target'] - record['tolerance']:.3%} "
        f"(short by {record['shortfall']:.3%}, {worst['residual_mwh'] / 1e6:,.2f} TWh of "
        f"residual grid in {check.worst_year}); raise carbon.max_guarantee_rounds, allow "
        "long-duration storage or firm supply (technologies:), or lower carbon.cfe_target"
    )


def _run_manifest(cfg: Config, source: str, overrides: list[str]) -> dict[str, Any]:
    """The manifest as far as it is known before the solve: inputs, hashes, solver options."""
    inputs = {k: {"path": str(p), "sha256": sha256_file(p)} for k, p in cfg.layer_paths().items()}
    return new_manifest(
        cfg.name,
        config_sha256=cfg.sha256({k: v["sha256"] for k, v in inputs.items()}),
        config_source=source,
        overrides=overrides,
        inputs=inputs,
        solver={
            "name": cfg.solver.name,
            "seed": cfg.solver.seed,
            "threads": cfg.solver.threads,
            "time_limit_s": cfg.solver.time_limit_s,
            "mip_gap_requested": cfg.solver.mip_gap,
        },
    )


def _build_and_solve(
    inst: Instance,
    cfg: Config,
    timings: dict[str, float],
    manifest: dict[str, Any],
    say: Progress,
    log: Path | None = None,
) -> tuple[SitingModel, SolveResult]:
    """Build and solve; timings [s], model size and solver report go into the manifest."""
    t = time.perf_counter()
    model = build_model(inst)
    timings["build_s"] = time.perf_counter() - t
    size = {"variables": model.n_variables, "constraints": model.n_constraints}
    say(
        f"model built: {size['variables']:,} variables, {size['constraints']:,} constraints in "
        f"{timings['build_s']:.2f} s; solving with {cfg.solver.name} "
        f"(gap {cfg.solver.mip_gap:g}, limit {cfg.solver.time_limit_s:g} s)"
    )
    result = solve(model, cfg.solver, say, log)
    timings["pass_s"], timings["solve_s"] = result.pass_s, result.solve_s
    manifest["solver"].update(
        {
            "version": result.solver_version,
            "status": result.status.value,
            "termination": result.termination,
            "mip_gap": result.mip_gap,
            "objective": result.objective,
            "best_bound": result.best_bound,
            "lp_algorithm": result.algorithm,
            "scaling_exponents": {"quantity": result.scaling[0], "objective": result.scaling[1]},
        }
    )
    manifest["model_size"] = size
    say(
        f"solver: {result.termination} ({result.status.value}) in {result.solve_s:.1f} s; "
        f"objective {result.objective:,.0f} EUR/yr, gap {result.mip_gap:.4%}"
    )
    return model, result


def _stop_if_interrupted(result: SolveResult, discard: bool, say: Progress) -> None:
    """Raise :class:`KeyboardInterrupt` (exit 130, nothing published) after a stopped solve
    that has no plan, or whose plan the user asked to discard."""
    if not result.interrupted:
        return
    if not result.status.has_solution:
        raise KeyboardInterrupt("stopped before HiGHS found a plan")
    if discard:
        raise KeyboardInterrupt("stopped; --discard-on-interrupt")
    say(f"stopped: publishing HiGHS's best plan as feasible (gap {result.mip_gap:.2%}), "
        "without the full-year check")  # fmt: skip


def _marked_interrupted(solution: Solution) -> Solution:
    """The solution with ``summary.json`` saying the solve was stopped by the user."""
    summary = RunSummary({**solution.summary, "stopped_by": "interrupt"})
    return dataclasses.replace(solution, summary=summary)


def _require_solution(result: SolveResult, cfg: Config) -> None:
    """Raise the documented error when the solver returned no plan (and did not prove none)."""
    if result.status == SolverStatus.NO_SOLUTION:
        raise NoSolutionError(
            f"no feasible plan found within the time limit ({cfg.solver.time_limit_s:g} s). "
            "Raise solver.time_limit_s or relax solver.mip_gap."
        )
    if not result.status.has_solution:
        raise SolverError(
            f"solver {cfg.solver.name} ended with '{result.termination}' {result.message}".strip()
        )


def _write_full_year(folder: Path, check: Any, name: str) -> None:
    """``tables/full_year.csv`` and the figure of the worst year (``full_year.png``)."""
    from siting.plots import plot_full_year, save_figure

    check.table.to_csv(folder / "tables" / "full_year.csv", index=False, float_format="%.9g")
    year = check.worst_year
    d, plan, head = check.dispatches[year], check.plan, check.years[year]
    energy = {st.tech: st.energy_mwh for st in plan.stores}
    title = (
        f"{name}: the plan re-dispatched over every hour of {year}: CFE {head['cfe']:.2%}, "
        f"residual grid {head['residual_mwh'] / 1e6:,.2f} TWh, worst day {head['worst_day']}"
    )
    fig = plot_full_year(plan.zone_ids, plan.load_mw, d.grid_mw, d.soc_mwh, energy,
                         check.stamps[year], title)  # fmt: skip
    save_figure(fig, folder / "full_year")


def write_run_contents(
    folder: Path, cfg: Config, solution: Solution, layers: Layers, inst: Instance
) -> None:
    """Config, tables, GeoPackage, summary and maps of a solved run (all but the manifest)."""
    from siting.plots import plot_run_map, save_figure
    from siting.plots.interactive import save_map_html
    from siting.plots.run_map import map_options

    write_yaml(folder / "config.yaml", cfg.to_plain())
    geo = write_results(folder, solution, layers)
    options = map_options(geo, cfg.to_plain())
    fig = plot_run_map(geo["zones"], geo["sites"], geo["links"], solution.summary, cfg.name,
                       **options)  # fmt: skip
    save_figure(fig, folder / "map")
    save_map_html(folder / "map.html", geo, solution.summary, cfg.name, options["water_limit"])
    if inst.n_slices > 1:
        save_figure(
            dispatch_figure(
                solution.dispatch, solution.zones, solution.summary, cfg.name, layers, inst=inst
            ),
            folder / "dispatch",
        )


def dispatch_figure(
    dispatch: Any,
    zones: Any,
    summary: Mapping[str, Any],
    name: str,
    layers: Layers | None = None,
    n_zones: int = 3,
    inst: Instance | None = None,
    days: dict[int, str] | None = None,
) -> Any:
    """The supply-stack figure for the zones with most new IT capacity.

    ``days`` names each period's date; without it, the dates come from ``inst`` or the
    profiles layer when they know them.
    """
    from siting.plots import plot_dispatch

    top = (
        zones.sort_values(["new_it_mw", "load_mw"], ascending=False)["zone_id"]
        .head(n_zones)
        .tolist()
    )
    if days is None and inst is not None and inst.period_dates:
        days = dict(enumerate(inst.period_dates))
    elif (
        days is None
        and layers is not None
        and layers.profiles is not None
        and "day" in layers.profiles.columns
    ):
        first = layers.profiles.drop_duplicates("period")
        days = {int(p): str(d) for p, d in zip(first["period"], first["day"], strict=True)}
    return plot_dispatch(dispatch, top, summary, name, days)


def _copy_log(log: Path | None, folder: Path) -> None:
    """HiGHS's log of the run's solves, if any, as ``solver.log`` of the run folder."""
    if log is not None and log.is_file():
        shutil.copyfile(log, folder / "solver.log")


def _publish_infeasible(
    cfg: Config,
    out_root: Path,
    manifest: dict[str, Any],
    timings: dict[str, float],
    report: dict[str, Any],
    say: Progress,
    log: Path | None = None,
) -> RunOutcome:
    summary = {"status": "infeasible", "objective_eur_per_yr": None, "diagnosis": report["summary"]}
    with staged_run(out_root, cfg.name, manifest["config_sha256"]) as staged:
        write_yaml(staged.path / "config.yaml", cfg.to_plain())
        write_json(staged.path / "summary.json", summary)
        write_json(staged.path / "diagnosis.json", report)
        _copy_log(log, staged.path)
        manifest["timings"] = timings
        manifest["status"] = "infeasible"
        staged.manifest = manifest
    assert staged.published is not None
    say(f"infeasible: {report['summary']}")
    return RunOutcome(staged.published, "infeasible", ExitCode.INFEASIBLE, summary)
