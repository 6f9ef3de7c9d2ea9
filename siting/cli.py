"""Command-line interface: ``siting run | validate | plot | compare | sweep | alternatives | runs | verify | schema``.

Commands and exit codes: ``docs/cli.md``.

Errors are one clear message per problem on stderr with the documented exit code; a
traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from siting._version import __version__
from siting.base.errors import ExitCode, SitingError


class _Help(argparse.HelpFormatter):
    """Shows each option's default where it has a meaningful one and its help does not
    already say it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default in (None, False, [], argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: {default})"


def _command(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand that also takes ``--debug`` after its own arguments."""
    c = sub.add_parser(name, help=help_text, formatter_class=_Help)
    c.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors"
    )
    return c


def _overrides(c: argparse.ArgumentParser) -> None:
    c.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. --set carbon.cfe_target=0.9 (repeatable)",
    )


def _solve_commands(sub: Any) -> None:
    r = _command(sub, "run", "build and solve a scenario; writes a new run folder")
    r.add_argument("config", type=Path, help="scenario YAML, e.g. configs/europe-2030.yaml")
    r.add_argument(
        "--out", type=Path, default=None, help="folder for run folders (default: ./runs)"
    )
    r.add_argument("--name", default=None, help="run name (default: the config's name)")
    _overrides(r)
    r.add_argument("--quiet", action="store_true", help="no progress on stderr")
    r.add_argument(
        "--discard-on-interrupt", action="store_true",
        help="on Ctrl-C or SIGTERM publish nothing, even when a plan exists "
        "(default: publish the plan in hand, labelled as stopped, and exit 130)",
    )  # fmt: skip
    r.add_argument(
        "--resume", action="store_true",
        help="continue a stopped guarantee run from its last completed round "
        "(its checkpoint in the --out folder)",
    )  # fmt: skip
    v = _command(sub, "validate", "check a config and its layers; solves nothing")
    v.add_argument("config", type=Path)
    _overrides(v)
    sw = _command(sub, "sweep", "run many scenarios in parallel on Dask")
    sw.add_argument("sweep", type=Path, help="sweep YAML, e.g. configs/sweep-cfe.yaml")
    sw.add_argument(
        "--scheduler", default=None, metavar="ADDR",
        help="address of a running Dask scheduler (default: a local cluster)",
    )  # fmt: skip
    sw.add_argument(
        "--workers", type=int, default=None, help="local worker processes (default: cores)"
    )
    sw.add_argument(
        "--out", type=Path, default=None,
        help="parent folder (default ./runs); writes <out>/<sweep name>/",
    )  # fmt: skip
    sw.add_argument("--quiet", action="store_true", help="no progress on stderr")
    al = _command(
        sub, "alternatives",
        "near-optimal siting plans, as different as possible from the run's and each other",
    )  # fmt: skip
    al.add_argument("run", type=Path, help="a solved run folder")
    al.add_argument("--slack", type=float, default=0.05, help="allowed cost increase (0.05 = 5 %%)")
    al.add_argument("--count", type=int, default=5, help="most alternative plans to look for")
    al.add_argument("--out", type=Path, default=None, help="folder for the result")
    al.add_argument("--time-limit", type=float, default=None, help="seconds per plan")
    al.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def _run_folder_commands(sub: Any) -> None:
    pl = _command(sub, "plot", "redraw a run's maps")
    pl.add_argument("run", type=Path, help="a run folder")
    cp = _command(
        sub, "compare", "compare runs: maps, KPI and config deltas, one offline HTML report"
    )
    cp.add_argument(
        "runs", type=Path, nargs="+", metavar="RUN",
        help="two or more run folders; the first is the reference",
    )  # fmt: skip
    cp.add_argument(
        "--out", type=Path, default=None,
        help="folder for comparison folders (default: ./comparisons)",
    )  # fmt: skip
    ls = _command(sub, "runs", "list the run folders in a folder (default ./runs)")
    ls.add_argument("folder", type=Path, nargs="?", default=Path("runs"))
    vf = _command(sub, "verify", "check a run folder's files against the checksums in its manifest")
    vf.add_argument("run", type=Path, help="a run folder")
    ck = _command(sub, "check", "re-dispatch a run's plan over every hour of whole weather years")
    ck.add_argument("run", type=Path, help="a solved run folder")
    ck.add_argument(
        "--weather", type=Path, nargs="+", default=None, metavar="FILE",
        help="full-year weather files (default: the run's layers.weather)",
    )  # fmt: skip
    ck.add_argument("--out", type=Path, default=None,
                    help="write the per-zone table to this CSV and its CFE figure (PNG, SVG) beside it")  # fmt: skip
    sc = _command(sub, "schema", "print the JSON Schema of scenario configs (docs/config.md)")
    sc.add_argument("--out", type=Path, default=None, help="write it to this file instead")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="siting",
        description="Green AI Grid siting optimiser: where new data centres go, how big, and what clean power they need.",
    )
    p.add_argument("--version", action="version", version=f"siting {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _solve_commands(sub)
    _run_folder_commands(sub)
    return p


def _cmd_check(args: argparse.Namespace) -> int:
    from siting.base.errors import InputError, Problem
    from siting.base.progress import Progress
    from siting.commands.reopen import open_run
    from siting.fullyear.years import check_run_folder, weather_years
    from siting.outputs.results import read_run

    run = read_run(args.run)
    if not run.summary.has_plan:
        raise InputError([Problem(str(args.run), f"the run has no plan (status {run.summary.status})",
                                  "check a solved run")])  # fmt: skip
    annual = run.config.get("carbon", {}).get("matching") != "hourly"
    opened = open_run(args.run)
    layers, inst = opened.layers, opened.inst
    years = (
        weather_years(args.weather, layers.technologies.supply_ids)
        if args.weather
        else layers.weather
    )
    if not years:
        raise InputError([Problem(str(args.run), "no weather to check against",
                                  "give --weather FILE, or layers.weather in the run's config")])  # fmt: skip
    check = check_run_folder(run, inst, years, Progress())
    short = check.table[check.table["cfe"] < inst.settings.cfe_target - 1e-6]
    rule = "hour by hour; the plan matches annually" if annual else f"target {inst.settings.cfe_target:.1%}"
    for year, head in check.years.items():
        emissions = "" if head.get("emissions_t") is None else f", emissions {head['emissions_t'] / 1e6:,.2f} Mt CO2"
        print(f"{year}: CFE {head['cfe']:.3%} ({rule}), residual grid "
              f"{head['residual_mwh'] / 1e6:,.3f} TWh{emissions}, worst day {head['worst_day']}, longest stretch "
              f"{head['longest_stretch_days']} days")  # fmt: skip
    if annual:  # an annual plan promises its year's energy, not every hour: nothing falls short
        if args.out is not None:
            _write_check(check, args.out, run.name, None)
        return ExitCode.OK
    for _, row in short.sort_values("cfe").iterrows():
        print(f"  short: {row['zone_id']} {row['weather_year']}: CFE {row['cfe']:.3%}, "
              f"worst day {row['worst_day']} ({row['worst_day_grid_share']:.0%} grid)")  # fmt: skip
    if args.out is not None:
        _write_check(check, args.out, run.name, inst.settings.cfe_target)
    return ExitCode.OK if check.meets(inst.settings.cfe_target) else ExitCode.PLAN_SHORT


def _write_check(check: Any, out: Path, name: str, cfe_target: float | None) -> None:
    """The check's table as CSV at ``out`` and its CFE-by-year-and-zone figure beside it."""
    from siting.plots import save_figure
    from siting.plots.full_year import plot_cfe_by_year

    check.table.to_csv(out, index=False, float_format="%.9g")
    years = ", ".join(check.years)
    fig = plot_cfe_by_year(check.table, cfe_target, f"{name}: the plan re-dispatched over {years}")
    for path in save_figure(fig, out.with_suffix("")):
        print(path)
    print(out)


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from siting.config import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(args.out)
    return ExitCode.OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from siting.outputs.results import read_run
    from siting.outputs.runfolder import verify_checksums

    run = read_run(args.run)
    bad = verify_checksums(run.path)
    n = len(run.manifest.get("files", {}))
    if bad:
        print(
            f"{run.path}: {len(bad)} of {n} files differ from manifest.json: {', '.join(bad)}",
            file=sys.stderr,
        )
        return ExitCode.INVALID_INPUT
    print(f"{run.path}: all {n} files match manifest.json")
    return ExitCode.OK


def _cmd_compare(args: argparse.Namespace) -> int:
    import json

    from siting.commands.comparison import compare_runs

    path = compare_runs(list(args.runs), args.out)
    for sentence in json.loads((path / "summary.json").read_text(encoding="utf-8"))["summary"]:
        print(sentence)
    print(path)
    return ExitCode.OK


def _cmd_sweep(args: argparse.Namespace) -> int:
    from siting.commands.sweeps import run_sweep

    folder, table = run_sweep(args.sweep, args.out, args.scheduler, args.workers, args.quiet)
    failed = table[~table["status"].isin(["optimal", "feasible"])]
    solved = len(table) - len(failed)
    print(
        f"{solved} of {len(table)} scenarios solved ({int(table['resumed'].sum())} from earlier runs)"
    )
    for row in failed.itertuples():
        print(
            f"failed: {row.scenario}: {row.status}: {getattr(row, 'reason', '')}", file=sys.stderr
        )
    print(folder)
    return ExitCode.OK if failed.empty else ExitCode.SWEEP_FAILURES


def _cmd_alternatives(args: argparse.Namespace) -> int:
    import json

    from siting.base.progress import Progress
    from siting.commands.alternatives import run_alternatives

    path = run_alternatives(
        args.run,
        slack=args.slack,
        count=args.count,
        out=args.out,
        time_limit_s=args.time_limit,
        say=Progress(enabled=not args.quiet),
    )
    s = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    must = s["must_have"]
    n = s["plans_classified"]
    few = "; with this few plans, ask for more (--count) before calling them must-haves"
    print(
        f"{s['plans_found']} alternative plans within +{s['slack']:.1%} ({s['stop_reason']}); "
        f"{len(must)} sites built in all {n} plans (the optimum and {n - 1} alternatives): "
        f"{', '.join(must) if must else 'none'}{few if n < 5 else ''}"
    )
    print(path)
    return ExitCode.OK


def _cmd_runs(args: argparse.Namespace) -> int:
    from siting.outputs.results import list_runs

    table = list_runs(args.folder)
    if table.empty:
        print(f"{args.folder}: no run folders")
        return ExitCode.OK
    print(table.to_string(index=False))
    return ExitCode.OK


def _cmd_run(args: argparse.Namespace) -> int:
    from siting.base.progress import Progress
    from siting.base.summary import cfe_words
    from siting.commands.pipeline import failure_text, interrupt_text, run

    outcome = run(
        args.config,
        out=args.out,
        name=args.name,
        overrides=args.overrides,
        progress=Progress(enabled=not args.quiet),
        discard_on_interrupt=args.discard_on_interrupt,
        resume=args.resume,
    )
    failure = failure_text(outcome) or interrupt_text(outcome)
    if failure is not None:
        print(failure, file=sys.stderr)
    elif not args.quiet:
        # stderr: stdout carries the run path alone, so RUN=$(siting run ...) holds it
        s = outcome.summary
        print(
            f"{s['status']}: {s['new_it_mw']:,.0f} MW new IT at {s['sites_built']} sites, total {s['total_it_mw']:,.0f} MW "
            f"(target {s['target_it_mw']:,.0f}), cost {s['objective_eur_per_yr'] / 1e9:,.2f} bn EUR/yr; CFE: {cfe_words(s)}"
            f"{target_words(s)}",
            file=sys.stderr,
        )
    print(outcome.path)
    return outcome.exit_code


def target_words(summary: Mapping[str, Any]) -> str:
    """The plan's data-centre energy against the sourced 2030 projections ('' when the run
    matches new load only or predates the target block)."""
    target = summary.get("target") or {}
    twh = target.get("load_twh_per_yr")
    if twh is None:
        return ""
    year = [p for p in target.get("projections", [])
            if p["year"] == 2030 and p.get("plan_over_projection") is not None]  # fmt: skip
    if not year:  # a country's plan: the Europe-wide projections do not compare
        return f"; data-centre load {twh:,.0f} TWh/yr"
    shown = ", ".join(f"{p['source_key'].split('_')[0]} {p['scope']} {p['twh']:g}" for p in year)
    return f"; data-centre load {twh:,.0f} TWh/yr (2030 projections, TWh: {shown})"


def _cmd_validate(args: argparse.Namespace) -> int:
    from siting.commands.pipeline import validate

    cfg, _layers, inst = validate(args.config, args.overrides)
    print(
        f"{args.config}: valid. {inst.n_zones} zones, {inst.n_sites} candidate sites "
        f"({int(inst.sites.eligible.sum())} eligible), "
        f"{len(inst.supply.tech)} clean options, {len(inst.links.ids)} links, {inst.n_slices} time slices; baseline "
        f"{inst.baseline_total_mw:,.0f} MW IT -> target {inst.target_total_mw:,.0f} MW by {cfg.target.deadline_year}"
        + (f" ({cfg.target.multiplier:g} x today's compute, a MW of new IT carrying "
           f"{cfg.target.compute_per_new_mw:.2f} x a MW of today's)."
           if cfg.target.compute_per_new_mw != 1.0 else ".")
    )  # fmt: skip
    if cfg.target.milestones:
        print("milestones (one model): " + ", ".join(
            f"+{pct:g} % by {year}" for year, pct in cfg.target.stages))  # fmt: skip
    return ExitCode.OK


def _cmd_plot(args: argparse.Namespace) -> int:
    from siting.api import load_run

    run = load_run(args.run)
    if not run.summary.has_plan:
        print(f"{args.run}: run has no solution to plot (status {run.status})", file=sys.stderr)
        return ExitCode.INVALID_INPUT
    for path in run.save_map():  # `siting verify` passes after a redraw
        print(path)
    return ExitCode.OK


COMMANDS = {
    "run": _cmd_run,
    "validate": _cmd_validate,
    "plot": _cmd_plot,
    "verify": _cmd_verify,
    "compare": _cmd_compare,
    "runs": _cmd_runs,
    "sweep": _cmd_sweep,
    "alternatives": _cmd_alternatives,
    "schema": _cmd_schema,
    "check": _cmd_check,
}


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse unwritable output paths before any work (exit 2)."""
    from siting.outputs.runfolder import require_writable_file, require_writable_folder

    out = getattr(args, "out", None)
    if args.command in ("check", "schema"):
        if out is not None:
            require_writable_file(out, "--out")
    elif args.command == "plot":
        require_writable_folder(args.run, "RUN")
    elif args.command in ("run", "compare", "sweep", "alternatives"):
        default = {"run": "runs", "compare": "comparisons", "sweep": "runs",
                   "alternatives": "alternatives"}[args.command]  # fmt: skip
        require_writable_folder(out if out is not None else Path.cwd() / default, "--out")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``siting`` console script; returns the exit code."""
    from siting.solve.watch import sigterm_as_interrupt

    args = _parser().parse_args(argv)
    try:
        with sigterm_as_interrupt():
            _check_outputs(args)
            return int(COMMANDS[args.command](args))
    except SitingError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt as exc:
        why = f" ({exc})" if str(exc) else ""
        print(f"interrupted{why}; nothing was published", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"unexpected error: {type(exc).__name__}: {exc}. Re-run with --debug for the traceback.",
            file=sys.stderr,
        )
        return ExitCode.UNEXPECTED


def console() -> None:
    """The ``siting`` console script: :func:`main`, then exit with its code."""
    from siting.solve.watch import solve_abandoned

    code = main()
    if solve_abandoned():
        # a HiGHS thread still runs: skip the interpreter's teardown, whose C++ destructors
        # would take HiGHS's thread pool from under it (a segmentation fault)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console()
