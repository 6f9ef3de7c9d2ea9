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

from siting.config import Config, resolve_config
from siting.diagnosis import diagnosis_report, explain_infeasible, precheck
from siting.errors import ExitCode, NoSolutionError, SolverError
from siting.guarantee import Round
from siting.guarantee import summary as guarantee_summary
from siting.instance import Instance, build_instance, periods_for
from siting.layers import Layers, load_layers
from siting.model import SitingModel, build_model
from siting.outputs.cache import PeriodsCache
from siting.outputs.checkpoint import RunCheckpoint, Saved
from siting.outputs.cuts import write_cuts
from siting.outputs.results import write_results
from siting.outputs.runfolder import (
    new_manifest,
    require_writable_folder,
    sha256_file,
    staged_run,
    write_json,
    write_yaml,
)
from siting.periods import Periods
from siting.solution import Solution, extract_solution
from siting.solvers import SolveResult, SolverStatus, solve
from siting.strategy import (
    GuaranteeOutcome,
    SolvedRound,
    check_and_guarantee,
    restore_round,
    shortfall_words,
    values,
)
from siting.summary import RunSummary
from siting.watch import held_signals


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


def interrupt_text(outcome: RunOutcome) -> str | None:
    """What a run stopped by Ctrl-C or SIGTERM published (or ``None`` if it was not stopped)."""
    s = outcome.summary
    if s.get("stopped_by") != "interrupt":
        return None
    where = s.get("stopped_in", "the run")
    kept = f"{s.get('status')} plan, {s['objective_eur_per_yr'] / 1e9:,.2f} bn EUR/yr"
    if s.get("mip_gap") is not None and s.get("status") == "feasible":
        kept += f", gap {s['mip_gap']:.2%}"
    guarantee = s.get("guarantee") or {}
    if guarantee:
        kept = (f"round {guarantee['rounds']}'s plan ({kept}), full-year CFE "
                f"{s['cfe_score_full_year']:.3%} against the target "
                f"{guarantee['cfe_target'] - guarantee['tolerance']:.3%}")  # fmt: skip
    elif "cfe_score_full_year" not in s and s.get("matching") == "hourly":
        kept += "; not checked over the full year"
    text = f"interrupted during {where}: published the {kept}"
    if guarantee and not guarantee.get("met"):
        text += "; siting run CONFIG --resume continues the guarantee from the last round"
    return text


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
    resume: bool = False,
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
        On Ctrl-C or SIGTERM, publish nothing even when a plan exists (by default the plan
        in hand is published, labelled ``stopped_by: interrupt``, and the exit code is 130).
    resume
        Continue a guarantee run from its last completed round (its checkpoint beside the
        run folders under ``out``; :mod:`siting.outputs.checkpoint`).

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
    out_root = Path(out) if out else Path.cwd() / "runs"
    require_writable_folder(out_root, "--out")
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
                                  say, log, discard_on_interrupt, resume)  # fmt: skip
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
    resume: bool = False,
) -> RunOutcome:
    """Solve, check and publish; HiGHS's log of every solve goes to ``log``, then into
    the run folder as ``solver.log``."""
    checkpoint = _checkpoint(cfg, layers, periods, out_root, manifest, say, resume)
    saved = checkpoint.load() if checkpoint is not None and resume and checkpoint.exists() else None
    if saved is not None:
        first, done, sites = _restore(cfg, layers, periods, saved, manifest, say)
        result = first.result
    else:
        model, result = _build_and_solve(inst, cfg, timings, manifest, say, log)
        if result.status == SolverStatus.INFEASIBLE:
            say("infeasible: explaining why (IIS of the LP relaxation, elastic re-solve)")
            report = diagnosis_report(
                precheck(inst) + explain_infeasible(inst), result.termination,
                manifest["model_size"],
            )  # fmt: skip
            return _publish_infeasible(cfg, out_root, manifest, timings, report, say, log)
        _stop_if_interrupted(result, discard_on_interrupt, say)
        _require_solution(result, cfg)
        first = SolvedRound(1, periods, inst, model, result, extract_solution(model, result))
        done, sites = [], None
        if checkpoint is not None and not result.interrupted:
            checkpoint.save_solved(first, [], values(model.build), values(model.size))
    check, code, stop = None, ExitCode.OK, None
    solution = first.solution
    if result.interrupted:
        stop = {"stopped_by": "interrupt", "stopped_in": "round 1's solve"}
    elif inst.matching == "hourly" and layers.weather:
        outcome = check_and_guarantee(cfg, layers, periods, first, say, log, timings,
                                      checkpoint, done, sites)  # fmt: skip
        inst, solution, result, check = (outcome.last.inst, outcome.last.solution,
                                         outcome.last.result, outcome.check)  # fmt: skip
        solution, code, stop = _checked(solution, outcome, cfg, say)
        if stop is not None and discard_on_interrupt:
            raise KeyboardInterrupt("stopped; --discard-on-interrupt")
    if stop is not None:
        solution = _marked(solution, stop)
        code = ExitCode.INTERRUPTED
    path, stopped = _publish_plan(cfg, out_root, manifest, timings, solution, layers, inst,
                                  check, result, log, say, discard_on_interrupt,
                                  figures=stop is None)  # fmt: skip
    if stopped:
        code = ExitCode.INTERRUPTED
        stop = stop or {"stopped_by": "interrupt", "stopped_in": "writing the figures"}
    if checkpoint is not None and stop is None:
        checkpoint.remove()
    summary = {**solution.summary.to_dict(), **(stop or {})}
    return RunOutcome(path, result.status.value, code, summary)


def _checkpoint(cfg: Config, layers: Layers, periods: Periods | None, out_root: Path,
                manifest: dict[str, Any], say: Progress,
                resume: bool) -> RunCheckpoint | None:  # fmt: skip
    """The checkpoint of a run that loops (the full-year guarantee), or None."""
    loops = (cfg.carbon.guarantee == "full_year" and periods is not None
             and cfg.carbon.matching == "hourly" and bool(layers.weather))  # fmt: skip
    if not loops:
        if resume:
            say("--resume: this run has no rounds to resume (no full-year guarantee); "
                "solving from the start")  # fmt: skip
        return None
    checkpoint = RunCheckpoint(out_root, cfg.name, manifest["config_sha256"])
    if checkpoint.exists() and not resume:
        say(f"an earlier run of this config stopped at {checkpoint.describe()}: this run "
            "starts over (--resume continues it)")  # fmt: skip
    elif resume and not checkpoint.exists():
        say(f"--resume: no checkpoint of this config in {out_root}; solving from the start")
    return checkpoint


def _restore(cfg: Config, layers: Layers, periods: Periods | None, saved: Saved,
             manifest: dict[str, Any], say: Progress,
             ) -> tuple[SolvedRound, list[Round], tuple[list[float | None], list[float | None]]]:  # fmt: skip
    """The saved round rebuilt, the rounds checked before it and the sites it fixes."""
    say(f"resuming from round {saved.index} (saved {len(saved.days)} added days, "
        f"{len(saved.cuts)} cuts): rebuilding its model, no solve")  # fmt: skip
    first = restore_round(cfg, layers, periods, saved.index, saved.days, saved.cuts, saved.x,
                          saved.result, saved.build, saved.size)  # fmt: skip
    manifest["resumed_from_round"] = saved.index
    manifest["solver"].update({"status": saved.result.status.value,
                               "termination": saved.result.termination})  # fmt: skip
    return first, saved.rounds[: saved.index - 1], (saved.build, saved.size)


def _checked(solution: Solution, outcome: GuaranteeOutcome, cfg: Config,
             say: Progress) -> tuple[Solution, ExitCode, dict[str, Any] | None]:  # fmt: skip
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


def _marked(solution: Solution, stop: Mapping[str, Any]) -> Solution:
    """The solution with ``summary.json`` saying the run was stopped by the user, and where."""
    summary = RunSummary({**solution.summary, **stop})
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


def _publish_plan(
    cfg: Config,
    out_root: Path,
    manifest: dict[str, Any],
    timings: dict[str, float],
    solution: Solution,
    layers: Layers,
    inst: Instance,
    check: Any,
    result: SolveResult,
    log: Path | None,
    say: Progress,
    discard: bool = False,
    figures: bool = True,
) -> tuple[Path, bool]:
    """Publish a plan's run folder; True when a stop came while it was written.

    The tables, GeoPackage and summary are written with Ctrl-C and SIGTERM held back (about a
    second), so a stop never leaves a plan half-written; a stop while the figures are drawn
    skips the rest of them (``manifest.json``'s ``figures``; ``siting plot RUN`` redraws
    the map) and the plan is published all the same. A run that was stopped before
    (``figures`` False) publishes its tables at once and draws no figure.
    """
    t = time.perf_counter()
    with staged_run(out_root, cfg.name, manifest["config_sha256"]) as staged:
        with held_signals() as held:
            geo = write_run_data(staged.path, cfg, solution, layers, check, inst)
            _copy_log(log, staged.path)
        stopped = held.caught
        if not figures:
            manifest["figures"] = "skipped: the run was stopped (siting plot RUN draws them)"
        elif not stopped:
            try:
                write_run_figures(staged.path, cfg, solution, layers, inst, check, geo)
            except KeyboardInterrupt:
                stopped = True
        if stopped and discard:
            raise KeyboardInterrupt("stopped while writing; --discard-on-interrupt")
        if stopped:
            _drop_partial(staged.path)
            manifest["figures"] = ("incomplete: stopped while they were drawn "
                                   "(siting plot RUN draws the map again)")  # fmt: skip
        timings["write_s"] = time.perf_counter() - t
        with held_signals():
            manifest["timings"] = timings
            manifest["status"] = result.status.value
            staged.manifest = manifest
    assert staged.published is not None
    say(f"published {staged.published.name}")
    return staged.published, stopped


def _drop_partial(folder: Path) -> None:
    """Remove what a stopped figure left: figures are written beside their names and moved
    into place, so only those ``.part`` files can be cut off half-way."""
    for part in folder.rglob(".*.part"):
        part.unlink(missing_ok=True)


def _write_full_year(folder: Path, check: Any, name: str) -> None:
    """The figure of the worst year of a full-year check (``full_year.png``)."""
    from siting.plots import plot_full_year, save_figure

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


def write_run_data(folder: Path, cfg: Config, solution: Solution, layers: Layers,
                   check: Any = None, inst: Instance | None = None) -> dict[str, Any]:  # fmt: skip
    """Config, tables, GeoPackage and summary of a solved run (all but figures and manifest);
    returns the result layers the GeoPackage holds. ``inst``: the instance solved, whose
    residual cuts (if any) are kept so the run can be reopened as solved."""
    write_yaml(folder / "config.yaml", cfg.to_plain())
    geo = write_results(folder, solution, layers)
    if inst is not None:
        write_cuts(folder, inst)
    if check is not None:
        check.table.to_csv(folder / "tables" / "full_year.csv", index=False, float_format="%.9g")
    return geo


def write_run_figures(folder: Path, cfg: Config, solution: Solution, layers: Layers,
                      inst: Instance, check: Any = None,
                      geo: dict[str, Any] | None = None) -> None:  # fmt: skip
    """The maps (PNG, SVG, HTML), the dispatch figure of hourly runs and the full-year
    figure of checked ones (``geo``: the result layers, if already made)."""
    from siting.outputs.results import result_layers
    from siting.plots import plot_run_map, save_figure
    from siting.plots.interactive import save_map_html
    from siting.plots.run_map import map_options

    geo = geo if geo is not None else result_layers(solution, layers)
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
    if check is not None:
        _write_full_year(folder, check, cfg.name)


def write_run_contents(
    folder: Path, cfg: Config, solution: Solution, layers: Layers, inst: Instance
) -> None:
    """Config, tables, GeoPackage, summary and figures of a solved run (all but the manifest)."""
    geo = write_run_data(folder, cfg, solution, layers, inst=inst)
    write_run_figures(folder, cfg, solution, layers, inst, geo=geo)


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
