"""Pipeline: config -> layers -> instance -> model -> solution -> run folder; the only module
that strings the steps together (each a pure function or an isolated I/O call)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from siting.base.errors import ExitCode, NoSolutionError, SolverError
from siting.base.progress import Progress
from siting.base.summary import RunSummary
from siting.buildout import buildout_solution
from siting.commands.resume import checkpoint_for, resume_round
from siting.config import Config, resolve_config
from siting.fullyear.strategy import SolvedRound, check_and_guarantee, checked_solution, values
from siting.inputs.layers import Layers, load_layers
from siting.instance import Instance, build_instance, periods_for
from siting.instance.milestones import Stage, milestone_stages
from siting.instance.periods import Periods
from siting.model import SitingModel, build_model
from siting.model.buildout import Buildout, build_buildout
from siting.outputs import runwriter
from siting.outputs.cache import PeriodsCache
from siting.outputs.runfolder import (
    new_manifest,
    require_writable_folder,
    sha256_file,
)
from siting.solution import Solution, extract_solution
from siting.solve.diagnosis import Finding, diagnosis_report, explain_infeasible, precheck
from siting.solve.external import check_available
from siting.solve.solvers import SolveResult, SolverStatus, solve


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
        at_most = "at most " if s.get("full_year_bound") else ""
        kept = (f"round {guarantee['rounds']}'s plan ({kept}), full-year CFE {at_most}"
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
    cfg, source = resolve_config(config, overrides)
    check_available(cfg.solver, source)
    layers = load_layers(cfg)
    inst = build_instance(layers, cfg)
    if cfg.target.milestones:
        milestone_stages(layers, cfg, inst)  # each milestone's instance: its problems too
    return cfg, layers, inst


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
    check_available(cfg.solver, source)
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
        f"layers read: {inst.n_zones} zones, {inst.n_sites} sites ({int(inst.sites.eligible.sum())} eligible), "
        f"{len(inst.supply.tech)} clean options, {len(inst.links.ids)} links, {inst.n_slices} slices"
    )
    manifest = _run_manifest(cfg, source, overrides)
    if periods is not None:  # representative days: cut now, or taken from the cache
        manifest["periods_cache"] = cache.state if cache is not None else "off"
    stages = milestone_stages(layers, cfg, inst, periods) if cfg.target.milestones else None
    findings = _prechecks(inst, stages)
    if findings:
        say("pre-solve checks found the plan impossible; writing the diagnosis")
        report = diagnosis_report(findings, "not solved: pre-solve checks")
        return _publish_infeasible(cfg, out_root, manifest, timings, report, say)
    log = Path(tempfile.mkdtemp(prefix="siting-log-")) / "solver.log"
    try:
        return _solve_and_publish(cfg, layers, periods, inst, out_root, manifest, timings,
                                  say, log, discard_on_interrupt, resume, stages)  # fmt: skip
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
    stages: list[Stage] | None = None,
) -> RunOutcome:
    """Solve, check and publish; HiGHS's log of every solve goes to ``log``, then into
    the run folder as ``solver.log``. ``stages``: the milestones of a build-out (one model
    over all of them; the deadline's plan is the run's)."""
    checkpoint = checkpoint_for(cfg, layers, periods, out_root, manifest, say, resume)
    saved = checkpoint.load() if checkpoint is not None and resume and checkpoint.exists() else None
    if saved is not None:
        first, done, sites = resume_round(cfg, layers, periods, saved, manifest, say)
        result = first.result
    else:
        model, result, buildout = _build_and_solve(inst, cfg, timings, manifest, say, log,
                                                   stages)  # fmt: skip
        if result.status == SolverStatus.INFEASIBLE:
            say("infeasible: explaining why (IIS of the LP relaxation, elastic re-solve)")
            report = diagnosis_report(
                precheck(inst) + explain_infeasible(inst), result.termination,
                manifest["model_size"],
            )  # fmt: skip
            return _publish_infeasible(cfg, out_root, manifest, timings, report, say, log)
        _stop_if_interrupted(result, discard_on_interrupt, say)
        _require_solution(result, cfg)
        plan = (extract_solution(model, result) if buildout is None
                else buildout_solution(buildout, result))  # fmt: skip
        first = SolvedRound(1, periods, inst, model, result, plan)
        done, sites = [], None
        if checkpoint is not None and not result.interrupted:
            checkpoint.save_solved(first, [], values(model.build), values(model.size))
    check, code, stop = None, ExitCode.OK, None
    solution = first.solution
    if result.interrupted:
        stop = {"stopped_by": "interrupt", "stopped_in": "round 1's solve"}
    elif inst.settings.matching == "hourly" and layers.weather:
        outcome = check_and_guarantee(cfg, layers, periods, first, say, log, timings,
                                      checkpoint, done, sites)  # fmt: skip
        inst, solution, result, check = (outcome.last.inst, outcome.last.solution,
                                         outcome.last.result, outcome.check)  # fmt: skip
        solution, code, stop = checked_solution(solution, outcome, cfg, say)
        if stop is not None and discard_on_interrupt:
            raise KeyboardInterrupt("stopped; --discard-on-interrupt")
    if stop is not None:
        solution = _marked(solution, stop)
        code = ExitCode.INTERRUPTED
    manifest["status"] = result.status.value
    path, stopped = runwriter.publish_plan(cfg, out_root, manifest, timings, solution, layers,
                                           inst, check, log, discard_on_interrupt,
                                           figures=stop is None)  # fmt: skip
    say(f"published {path.name}")
    if stopped:
        code = ExitCode.INTERRUPTED
        stop = stop or {"stopped_by": "interrupt", "stopped_in": "writing the figures"}
    if checkpoint is not None and stop is None:
        checkpoint.remove()
    summary = {**solution.summary.to_dict(), **(stop or {})}
    return RunOutcome(path, result.status.value, code, summary)


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
    stages: list[Stage] | None = None,
) -> tuple[SitingModel, SolveResult, Buildout | None]:
    """Build and solve (one model over ``stages`` when given); timings [s], model size and
    solver report go into the manifest."""
    t = time.perf_counter()
    buildout = build_buildout(stages) if stages else None
    model = build_model(inst) if buildout is None else buildout.model
    timings["build_s"] = time.perf_counter() - t
    if buildout is not None:
        say(f"build-out over the milestones {', '.join(str(s.year) for s in stages or [])}: "
            "one model, capacity kept from one milestone to the next")  # fmt: skip
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
        f"objective {result.objective:,.0f} {'EUR/yr' if buildout is None else 'EUR'}, "
        f"gap {result.mip_gap:.4%}"
    )
    return model, result, buildout


def _prechecks(inst: Instance, stages: list[Stage] | None) -> list[Finding]:
    """The pre-solve checks of the run, or of each milestone (its year in front)."""
    if not stages:
        return precheck(inst)
    out = []
    for stage in stages:
        for finding in precheck(stage.inst):
            out.append(finding if stage.inst is inst else dataclasses.replace(
                finding, message=f"Milestone {stage.year} (target.milestones): {finding.message}",
            ))  # fmt: skip
    return out


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


def _publish_infeasible(cfg: Config, out_root: Path, manifest: dict[str, Any],
                        timings: dict[str, float], report: dict[str, Any], say: Progress,
                        log: Path | None = None) -> RunOutcome:  # fmt: skip
    path, summary = runwriter.publish_infeasible(cfg, out_root, manifest, timings, report, log)
    say(f"infeasible: {report['summary']}")
    return RunOutcome(path, "infeasible", ExitCode.INFEASIBLE, summary)
