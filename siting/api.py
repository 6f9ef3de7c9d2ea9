"""The Python API: run scenarios, read their results, compare and sweep them from code.

Everything here does what the command of the same name does (``docs/cli.md``) and writes
the same folders, but returns objects instead of printing: a :class:`Run` for a run folder,
a :class:`Comparison` for a comparison, a :class:`Sweep` for a sweep. Nothing is printed to
stdout; with ``progress=True`` the stages and the solver's heartbeat go to stderr. Errors
raise the typed exceptions of :mod:`siting.base.errors`, carrying the problems the command line
prints (``InputError.problems``). ``docs/api.md`` walks through it with examples.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from siting.base.errors import InfeasibleError, InputError, Problem
from siting.base.summary import RunSummary
from siting.config import Config, resolve_config
from siting.outputs.results import TABLES, RunFolder, list_runs, read_run

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from matplotlib.figure import Figure

    from siting.commands.comparison import Comparison as _Tables

ConfigLike = str | Path | dict[str, Any] | Config
"""A scenario: a YAML file, its keys as a dict, or a :class:`~siting.config.Config`."""

_HEADLINE = (
    ("status", "status", "{}"),
    ("objective_eur_per_yr", "cost [bn EUR/yr]", "{:,.2f}", 1e-9),
    ("new_it_mw", "new IT [GW]", "{:,.1f}", 1e-3),
    ("sites_built", "sites built", "{:d}"),
    ("cfe_score", "CFE (optimised periods)", "{:.2%}"),
    ("cfe_score_full_year", "CFE (full year)", "{:.2%}"),
)


@dataclass(frozen=True)
class Run:
    """A published run folder: its summary, tables, layers and figures.

    Obtain one from :func:`run` or :func:`load_run`. The folder is read lazily and never
    written, except by :meth:`save_map`.
    """

    path: Path
    """The run folder [absolute path]."""

    @cached_property
    def _folder(self) -> RunFolder:
        return read_run(self.path)

    @property
    def name(self) -> str:
        """The scenario's name (``config.yaml``'s ``name``)."""
        return self._folder.name

    @property
    def summary(self) -> RunSummary:
        """``summary.json``: status, cost, KPIs (``docs/outputs.md#summary``)."""
        return self._folder.summary

    @property
    def status(self) -> str:
        """``optimal``, ``feasible`` or ``infeasible``."""
        return str(self.summary.get("status"))

    @property
    def config(self) -> dict[str, Any]:
        """The resolved config the run solved, as a plain dict."""
        return self._folder.config

    @property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json``: inputs and their hashes, solver report, timings, checksums."""
        return self._folder.manifest

    @property
    def tables(self) -> list[str]:
        """Names of the CSV tables this run has (``tables/<name>.csv``)."""
        return sorted(p.stem for p in (self.path / "tables").glob("*.csv"))

    @property
    def layers(self) -> list[str]:
        """Names of the layers of ``results.gpkg`` (empty for a run without a plan)."""
        import pyogrio

        gpkg = self.path / "results.gpkg"
        return [str(n) for n, _ in pyogrio.list_layers(gpkg)] if gpkg.is_file() else []

    def table(self, name: str) -> pd.DataFrame:
        """One table of the run, e.g. ``"sites"`` or ``"dispatch"`` (``docs/outputs.md``).

        Raises
        ------
        InputError
            If the run has no such table; the message lists those it has.
        """
        if name not in self.tables:
            raise InputError([_absent(self.path, "table", name, self.tables or list(TABLES))])
        return self._folder.table(name)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """One layer of ``results.gpkg`` (in the zones layer's CRS), e.g. ``"sites"`` or ``"zones"``.

        Raises
        ------
        InputError
            If the run has no such layer; the message lists those it has.
        """
        if name not in self.layers:
            raise InputError([_absent(self.path, "layer", name, self.layers)])
        return self._folder.layer(name)

    def plot(self, kind: Literal["map", "dispatch"] = "map", **options: Any) -> Figure:
        """Draw the run's map or, for an hourly run, its supply stack.

        Parameters
        ----------
        kind
            ``"map"``: sites, zones, links (as ``map.png``); ``"dispatch"``: hourly supply
            and demand in the zones with most new IT (as ``dispatch.png``).
        **options
            ``kind="map"``: passed on to :func:`siting.plots.plot_run_map`, e.g. ``extent``
            or ``labels=False``; ``kind="dispatch"``: ``n_zones`` (how many zones, default 3).

        Raises
        ------
        InputError
            The run has no plan, or (``dispatch``) is not hourly.
        """
        self._require_plan()
        if kind == "map":
            return self._map(**options)
        if kind == "dispatch":
            return self._dispatch(**options)
        raise InputError(
            [Problem(f"Run.plot(kind={kind!r})", "unknown kind", "use 'map' or 'dispatch'")]
        )

    def save_map(self) -> list[Path]:
        """Redraw ``map.png``, ``map.svg`` and ``map.html`` in the run folder (and, for a run
        on hours, ``dispatch.png`` and ``.svg``; for a build-out, ``buildout.png`` and
        ``.svg``) and update the manifest's checksums, so
        :meth:`verify` still passes (what ``siting plot`` does)."""
        from siting.outputs.runfolder import refresh_checksums
        from siting.plots import save_figure
        from siting.plots.interactive import save_map_html
        from siting.plots.run_map import map_options

        self._require_plan()
        layers = self._folder.layers()  # read once for both drawings
        paths = save_figure(self._map(layers), self.path / "map")
        water = map_options(layers, self.config)["water_limit"]
        paths.append(save_map_html(self.path / "map.html", layers, self.summary, self.name, water))
        if "dispatch" in self.tables and not (self.table("dispatch")["slice"] == "annual").all():
            paths += save_figure(self._dispatch(), self.path / "dispatch")
        if "buildout" in self.tables:  # a build-out over milestones
            from siting.plots.buildout import plot_buildout

            zones = self.table("zones")
            countries = dict(zip(zones["zone_id"], zones["country"], strict=True))
            fig = plot_buildout(self.table("buildout"), countries, self.summary, self.name)
            paths += save_figure(fig, self.path / "buildout")
        refresh_checksums(self.path, paths)
        return paths

    def reopen(self) -> Any:
        """The run's config, layers and instance exactly as last solved (with the days and
        cuts a full-year guarantee added): a :class:`siting.commands.reopen.OpenedRun`, whose ``inst``
        a model can be built from again (:func:`siting.model.build_model`).

        Raises
        ------
        InputError
            An input file changed or went since the run.
        """
        from siting.commands.reopen import open_run

        return open_run(self.path)

    def verify(self) -> list[str]:
        """Files of the folder whose bytes differ from ``manifest.json`` (empty: intact)."""
        from siting.outputs.runfolder import verify_checksums

        return verify_checksums(self.path)

    def _require_plan(self) -> None:
        if not self.summary.has_plan:
            raise InputError([Problem(str(self.path), f"the run has no plan to draw (status {self.status})",
                                      "draw a solved run")])  # fmt: skip

    def _map(self, layers: dict[str, Any] | None = None, **options: Any) -> Figure:
        from siting.plots.run_map import map_options, plot_run_map

        layers = layers if layers is not None else self._folder.layers()
        return plot_run_map(
            layers["zones"],
            layers["sites"],
            layers.get("links"),
            self.summary,
            self.name,
            **{**map_options(layers, self.config), **options},
        )

    def _dispatch(self, n_zones: int = 3) -> Figure:
        from siting.outputs.runwriter import dispatch_figure

        dispatch = self.table("dispatch")
        if (dispatch["slice"] == "annual").all():
            raise InputError([Problem(str(self.path), "the run is annual: one slice, no hours to draw",
                                      "draw the dispatch of a run with carbon.matching: hourly")])  # fmt: skip
        days = None
        if "calendar" in self.tables:  # the date each period's own hours come from
            own = self.table("calendar").query("own_day")
            days = {int(p): str(d) for p, d in zip(own["period"], own["date"], strict=True)}
        return dispatch_figure(dispatch, self.table("zones"), self.summary, self.name,
                               n_zones=n_zones, days=days)  # fmt: skip

    def __repr__(self) -> str:
        return f"Run({self.name!r}, status={self.status!r}, path={str(self.path)!r})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th><td>{html.escape(text)}</td></tr>"
            for label, text in _headline(self.summary)
        )
        return (
            f"<table><caption style='text-align:left'><b>{html.escape(self.name)}</b> "
            f"<code>{html.escape(self.path.name)}</code></caption>{rows}</table>"
        )


def _headline(summary: RunSummary) -> list[tuple[str, str]]:
    """(label, formatted value) of the headline KPIs the run has."""
    out = []
    for key, label, fmt, *scale in _HEADLINE:
        value = summary.get(key)
        if value is None:
            continue
        if scale and isinstance(value, int | float):
            value = value * scale[0]
        out.append((label, fmt.format(value)))
    return out


def _absent(path: Path, what: str, name: str, have: Sequence[str]) -> Problem:
    return Problem(f"{path}: {what} {name!r}", f"the run has no such {what}",
                   f"use one of {', '.join(have) or '(none)'}")  # fmt: skip


def load_config(config: ConfigLike, overrides: Sequence[str] | None = None) -> Config:
    """Validate a scenario without solving it (paths resolved, every problem reported).

    Parameters
    ----------
    config
        YAML file, or its keys as a dict (relative paths resolve against the working
        directory), or a :class:`~siting.config.Config`.
    overrides
        ``"KEY=VALUE"`` strings, as ``siting run --set``.

    Raises
    ------
    InputError
        One :class:`~siting.base.errors.Problem` per thing wrong.
    """
    return resolve_config(config, list(overrides or []))[0]


def run(
    config: ConfigLike,
    *,
    overrides: Sequence[str] | None = None,
    out: str | Path | None = None,
    name: str | None = None,
    progress: bool = False,
    discard_on_interrupt: bool = False,
) -> Run:
    """Solve a scenario and publish a new run folder (``siting run``).

    Parameters
    ----------
    config
        YAML file, or its keys as a dict, or a :class:`~siting.config.Config`.
    overrides
        ``"KEY=VALUE"`` strings, as ``siting run --set``.
    out
        Folder that receives the run folder (default ``./runs``).
    name
        Scenario name for the folder, instead of the config's.
    progress
        Report stages and the solver's heartbeat on stderr.
    discard_on_interrupt
        On Ctrl-C, publish nothing even when the solver has a plan.

    Returns
    -------
    Run
        The published run (``status`` ``optimal`` or ``feasible``).

    Raises
    ------
    InputError
        The config or a layer is wrong; ``problems`` lists each problem.
    InfeasibleError
        No plan meets every requirement, or the full-year guarantee was not met; its
        ``path`` is the published folder with ``diagnosis.json`` or the last plan.
    NoSolutionError
        The time limit struck before any plan.
    KeyboardInterrupt
        Stopped before a plan could be published.
    """
    from siting.base.progress import Progress
    from siting.commands.pipeline import failure_text
    from siting.commands.pipeline import run as run_pipeline

    outcome = run_pipeline(
        config,
        out=out,
        name=name,
        overrides=list(overrides or []),
        progress=Progress(enabled=progress),
        discard_on_interrupt=discard_on_interrupt,
    )
    failure = failure_text(outcome)
    if failure is not None:
        raise InfeasibleError(failure, outcome.path)
    assert outcome.path is not None
    return Run(outcome.path.resolve())


def load_run(path: str | Path) -> Run:
    """Open a published run folder.

    Raises
    ------
    InputError
        ``path`` is not a run folder, or it is damaged.
    """
    found = Run(Path(path).resolve())
    _ = found._folder  # read now, so a wrong path fails here and not later
    return found


def runs(folder: str | Path = "runs") -> pd.DataFrame:
    """Index of the run folders under ``folder`` (at any depth), newest first
    (``siting runs``): run, name, utc, status, matching, cost, new IT, sites, the CFE under
    the run's rule, hour by hour and over the full year, and whether it was stopped."""
    return list_runs(folder)


@dataclass(frozen=True)
class Comparison:
    """A published comparison of two or more runs (``siting compare``)."""

    path: Path
    """The comparison folder, with ``report.html``, tables and maps."""
    runs: list[Run]
    """The runs compared, in order."""
    labels: list[str]
    """Each run's label in the tables (its name, numbered where names repeat)."""
    kpis: pd.DataFrame
    """One row per KPI, a column per run, and the change of every run from the first."""
    sites: pd.DataFrame
    """Per site: capacity in each run and how it changed (``sites_diff.csv``)."""
    countries: pd.DataFrame
    """New IT capacity per country and run (``countries.csv``)."""
    config: pd.DataFrame
    """The config keys that differ between the runs (``config_diff.csv``)."""
    sentences: list[str]
    """The plain-words summary at the top of the report."""

    @classmethod
    def _of(cls, path: Path, tables: _Tables) -> Comparison:
        return cls(path, [Run(r.path.resolve()) for r in tables.runs], tables.labels,
                   tables.kpis, tables.sites_diff, tables.countries, tables.config_diff,
                   tables.summary)  # fmt: skip


def compare(runs: Sequence[Run | str | Path], out: str | Path | None = None) -> Comparison:
    """Compare runs: tables, side-by-side maps and ``report.html`` in a new folder.

    Parameters
    ----------
    runs
        Two or more :class:`Run` objects or run folders; the first is the reference.
    out
        Folder that receives the comparison folder (default ``./comparisons``).

    Raises
    ------
    InputError
        Fewer than two runs, or a run that is not a solved run folder.
    """
    from siting.commands.comparison import build_comparison, write_comparison

    paths = [r.path if isinstance(r, Run) else Path(r) for r in runs]
    tables = build_comparison(paths)
    return Comparison._of(write_comparison(tables, out), tables)


@dataclass(frozen=True)
class Sweep:
    """A finished sweep (``siting sweep``)."""

    path: Path
    """The sweep's folder: ``sweep.csv``, the sweep figure and a run folder per scenario."""
    table: pd.DataFrame
    """``sweep.csv``: one row per scenario, its swept values, status and KPIs."""

    @property
    def runs(self) -> dict[str, Run]:
        """The solved scenarios' runs, by scenario name."""
        solved = self.table[self.table["status"].isin(["optimal", "feasible"])]
        return {str(r.scenario): Run(Path(str(r.run)).resolve()) for r in solved.itertuples()}

    @property
    def failed(self) -> pd.DataFrame:
        """The scenarios that did not solve, with their reason."""
        return self.table[~self.table["status"].isin(["optimal", "feasible"])]


def sweep(
    sweep_file: str | Path,
    *,
    out: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> Sweep:
    """Solve every scenario of a sweep file on a Dask cluster (``siting sweep``).

    Scenarios solved before (same config and inputs) are reused. A failed scenario does
    not stop the sweep: it is a row of :attr:`Sweep.failed`.

    Parameters
    ----------
    sweep_file
        Sweep YAML (``docs/cli.md#sweep``).
    out
        Parent folder (default ``./runs``); the sweep writes into ``out/<sweep name>/``.
    scheduler
        Address of a running Dask scheduler; a local cluster otherwise.
    workers
        Worker processes of the local cluster (default: cores, at most the scenarios).
    progress
        Report progress on stderr.
    """
    from siting.commands.sweeps import run_sweep

    folder, table = run_sweep(Path(sweep_file), Path(out) if out else None, scheduler,
                              workers, quiet=not progress)  # fmt: skip
    return Sweep(folder.resolve(), table)
