"""Writing a solved run's contents into its (staged) run folder: config, tables,
GeoPackage and summary first (:func:`write_run_data`), then the figures
(:func:`write_run_figures`), so that a stop while the figures are drawn still leaves the
plan whole (``siting.commands.pipeline``)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from siting.config import Config
from siting.inputs.layers import Layers
from siting.instance import Instance
from siting.outputs.cuts import write_cuts
from siting.outputs.results import result_layers, write_results
from siting.outputs.runfolder import staged_run, write_json, write_yaml
from siting.plots import plot_dispatch, plot_full_year, plot_run_map, save_figure
from siting.plots.buildout import plot_buildout
from siting.plots.interactive import save_map_html
from siting.plots.run_map import map_options
from siting.solution import Solution
from siting.solve.watch import held_signals


def drop_partial(folder: Path) -> None:
    """Remove what a stopped figure left: figures are written beside their names and moved
    into place, so only those ``.part`` files can be cut off half-way."""
    for part in folder.rglob(".*.part"):
        part.unlink(missing_ok=True)


def _write_full_year(folder: Path, check: Any, name: str) -> None:
    """The figure of the worst year of a full-year check (``full_year.png``)."""
    year = check.worst_year
    d, plan, head = check.dispatches[year], check.plan, check.years[year]
    energy = plan.energy_by_tech()
    title = (
        f"{name}: the plan re-dispatched over every hour of {year}: CFE {head['cfe']:.2%}, "
        f"residual grid {head['residual_mwh'] / 1e6:,.2f} TWh, worst day {head['worst_day']}"
    )
    fig = plot_full_year(plan.zone_ids, plan.load_mw, d.residual_mw, d.soc_mwh, energy,
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
    if len(solution.buildout):
        countries = dict(zip(solution.zones["zone_id"], solution.zones["country"], strict=True))
        fig = plot_buildout(solution.buildout, countries, solution.summary, cfg.name)
        save_figure(fig, folder / "buildout")


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
    top = (
        zones.sort_values(["new_it_mw", "load_mw"], ascending=False)["zone_id"]
        .head(n_zones)
        .tolist()
    )
    if days is None and inst is not None and inst.notes.period_dates:
        days = dict(enumerate(inst.notes.period_dates))
    elif (
        days is None
        and layers is not None
        and layers.profiles is not None
        and "day" in layers.profiles.columns
    ):
        first = layers.profiles.drop_duplicates("period")
        days = {int(p): str(d) for p, d in zip(first["period"], first["day"], strict=True)}
    return plot_dispatch(dispatch, top, summary, name, days)


def copy_log(log: Path | None, folder: Path) -> None:
    """HiGHS's log of the run's solves, if any, as ``solver.log`` of the run folder."""
    if log is not None and log.is_file():
        shutil.copyfile(log, folder / "solver.log")


def publish_plan(
    cfg: Config,
    out_root: Path,
    manifest: dict[str, Any],
    timings: dict[str, float],
    solution: Solution,
    layers: Layers,
    inst: Instance,
    check: Any,
    log: Path | None,
    discard: bool = False,
    figures: bool = True,
) -> tuple[Path, bool]:
    """Publish a plan's run folder (``manifest`` with its ``status``); returns its path and
    True when a stop came while it was written.

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
            copy_log(log, staged.path)
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
            drop_partial(staged.path)
            manifest["figures"] = ("incomplete: stopped while they were drawn "
                                   "(siting plot RUN draws the map again)")  # fmt: skip
        timings["write_s"] = time.perf_counter() - t
        with held_signals():
            manifest["timings"] = timings
            staged.manifest = manifest
    assert staged.published is not None
    return staged.published, stopped


def publish_infeasible(
    cfg: Config,
    out_root: Path,
    manifest: dict[str, Any],
    timings: dict[str, float],
    report: dict[str, Any],
    log: Path | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Publish an infeasible run: config, summary, ``diagnosis.json`` and the solver's log."""
    summary = {"status": "infeasible", "objective_eur_per_yr": None, "diagnosis": report["summary"]}
    with staged_run(out_root, cfg.name, manifest["config_sha256"]) as staged:
        write_yaml(staged.path / "config.yaml", cfg.to_plain())
        write_json(staged.path / "summary.json", summary)
        write_json(staged.path / "diagnosis.json", report)
        copy_log(log, staged.path)
        manifest["timings"] = timings
        manifest["status"] = "infeasible"
        staged.manifest = manifest
    assert staged.published is not None
    return staged.published, summary
