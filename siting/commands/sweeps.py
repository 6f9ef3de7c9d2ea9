"""Sweeps: many scenarios of one base config, solved in parallel on Dask (``docs/cli.md``, ``docs/outputs.md``).

A sweep file names a base config and either a parameter grid (the product of lists over
config keys) or a list of named scenarios. Every scenario is validated before anything runs.
Each Dask task receives plain data (paths and ``KEY=VALUE`` strings), builds and solves in
its worker, writes its own run folder and returns a small dict, so nothing unpicklable
crosses the wire. One scenario failing (infeasible, exception, worker killed) is recorded
with its reason and the others carry on.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from siting.base.errors import ExitCode, InputError, Problem, SitingError
from siting.base.summary import sweep_columns
from siting.config import _problems_from_validation, load_config, read_yaml

KPI_COLUMNS = sweep_columns()
"""KPI columns of ``sweep.csv`` (from :mod:`siting.base.summary`)."""


class ScenarioSpec(BaseModel):
    """One named scenario: config keys to override, and tags naming what it stands for."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    set: dict[str, Any] = Field(default_factory=dict)
    tags: dict[str, str | int | float] = Field(default_factory=dict)
    """Columns of ``sweep.csv`` that change nothing in the run (e.g. ``{palette: p2}``), for
    the figure to group scenarios by."""


class FigureSpec(BaseModel):
    """How ``sweep.png`` draws a sweep of named scenarios (a grid's keys need none)."""

    model_config = ConfigDict(extra="forbid")
    x: str
    """A swept config key or a tag: the x axis."""
    lines: str | None = None
    """A key or tag whose values are the lines."""
    cost: Literal["total", "energy"] = "total"
    """``total``: cost per MWh of load; ``energy``: its energy part (clean supply, storage,
    purchases less sales; the data centres' own cost left out)."""
    panel: Literal["auto", "full_year"] = "auto"
    """Third panel: ``auto`` (the cost-CFE frontier or where capacity goes), ``full_year``
    (CFE over every hour of the checked weather)."""


class SweepFile(BaseModel):
    """A sweep: base config plus a grid or explicit scenarios (exactly one of them)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    base: Path
    grid: dict[str, list[Any]] | None = None
    scenarios: list[ScenarioSpec] | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    figure: FigureSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SweepFile:
        if (self.grid is None) == (self.scenarios is None):
            raise ValueError(
                "give exactly one of 'grid' (lists per config key) or 'scenarios' (named overrides)"
            )
        if self.grid is not None and any(len(v) == 0 for v in self.grid.values()):
            raise ValueError("every grid key needs at least one value")
        if self.scenarios is not None:
            names = [s.name for s in self.scenarios]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"duplicate scenario names: {', '.join(dup)}")
        if self.figure is not None:
            for key in filter(None, (self.figure.x, self.figure.lines)):
                known = key in (self.grid or {}) or (all(
                    key in s.set or key in s.tags for s in self.scenarios or []
                ) and self.scenarios)
                if not known:
                    raise ValueError(f"figure: '{key}' is neither a grid key nor set or tagged "
                                     "in every scenario")  # fmt: skip
        return self


@dataclass(frozen=True)
class Scenario:
    """A scenario as plain data: what a Dask task receives."""

    name: str
    params: dict[str, Any]
    overrides: list[str]
    tags: dict[str, Any] = field(default_factory=dict)


def _value_text(v: Any) -> str:
    return yaml.safe_dump(v, default_flow_style=True).strip().removesuffix("...").strip()


def _label(v: Any) -> str:
    text = _value_text(v)
    return "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in text)


def expand(sweep: SweepFile) -> list[Scenario]:
    """The sweep's scenarios, each with its parameters and ``KEY=VALUE`` overrides."""
    common = [f"{k}={_value_text(v)}" for k, v in sweep.set.items()]
    out = []
    if sweep.grid is not None:
        keys = list(sweep.grid)
        for values in itertools.product(*(sweep.grid[k] for k in keys)):
            params = dict(zip(keys, values, strict=True))
            name = "-".join(_label(v) for v in values)
            out.append(
                Scenario(
                    name, params, common + [f"{k}={_value_text(v)}" for k, v in params.items()]
                )
            )
    else:
        for s in sweep.scenarios or []:
            out.append(
                Scenario(
                    s.name,
                    dict(s.set),
                    common + [f"{k}={_value_text(v)}" for k, v in s.set.items()],
                    dict(s.tags),
                )
            )
    return out


def load_sweep(path: Path) -> tuple[SweepFile, Path, list[Scenario]]:
    """Read and check a sweep file and validate every scenario (config and layers).

    Raises
    ------
    InputError
        Listing every problem, scenario by scenario.
    """
    from siting.commands.pipeline import validate

    raw = read_yaml(path)
    try:
        sweep = SweepFile.model_validate(raw)
    except ValidationError as err:
        raise InputError(_problems_from_validation(err, str(path))) from None
    base = (path.resolve().parent / sweep.base).resolve()
    scenarios = expand(sweep)
    problems: list[Problem] = []
    for sc in scenarios:
        try:
            validate(base, [*sc.overrides, f"name={sweep.name}__{sc.name}"])
        except InputError as err:
            problems.extend(
                Problem(f"scenario {sc.name}: {p.where}", p.what, p.fix) for p in err.problems
            )
    if problems:
        raise InputError(problems)
    return sweep, base, scenarios


def run_scenario(
    config: str, overrides: list[str], run_name: str, out: str, scenario: str
) -> dict[str, Any]:
    """Dask task: solve one scenario in this process and return a small summary.

    Everything in and out is plain data. Errors become a failure record, so one bad scenario
    never stops the sweep.
    """
    from siting.commands.pipeline import run

    t0 = time.perf_counter()
    record: dict[str, Any] = {"scenario": scenario}
    try:
        outcome = run(config, out=out, overrides=[*overrides, f"name={run_name}"])
        record.update(
            status=outcome.status, exit_code=int(outcome.exit_code), run=str(outcome.path)
        )
        if outcome.exit_code != ExitCode.OK:
            record["reason"] = str(outcome.summary.get("diagnosis", outcome.status))
        record.update(_kpis(outcome.summary))
    except SitingError as exc:
        record.update(status="failed", exit_code=int(exc.exit_code), reason=str(exc))
    except Exception as exc:  # reported per scenario, the sweep carries on
        record.update(
            status="failed",
            exit_code=int(ExitCode.UNEXPECTED),
            reason=f"{type(exc).__name__}: {exc}",
        )
    record["elapsed_s"] = time.perf_counter() - t0
    return record


def _already_solved(
    out: Path, run_name: str, config: Path, overrides: list[str]
) -> dict[str, Any] | None:
    """A published, solved run of exactly this scenario (same content hash), if any."""
    from siting.outputs.results import read_run
    from siting.outputs.runfolder import is_run_folder, sha256_file

    if not out.is_dir():
        return None
    cfg = load_config(config, [*overrides, f"name={run_name}"])
    digest = cfg.sha256({k: sha256_file(p) for k, p in cfg.layer_paths().items()})
    for p in sorted(out.glob(f"{run_name}-*")):
        if not is_run_folder(p):
            continue
        run = read_run(p)
        if run.manifest.get("config_sha256") == digest and run.summary.get("status") in (
            "optimal",
            "feasible",
        ):
            rec: dict[str, Any] = {
                "status": run.summary["status"],
                "exit_code": 0,
                "run": str(p),
                "resumed": True,
            }
            rec.update(_kpis(run.summary))
            return rec
    return None


def table_row(sc: Scenario, record: dict[str, Any]) -> dict[str, Any]:
    """One row of ``sweep.csv``: the scenario, its parameters and tags, its outcome and KPIs.

    A KPI named as a swept key (``flexibility.temporal_share``, which a flat run reports as
    nothing) is the key's value, as asked.
    """
    return {
        "scenario": sc.name,
        **{k: _value_text(v) if isinstance(v, list | dict) else v for k, v in sc.params.items()},
        **sc.tags,
        **{k: v for k, v in record.items() if k != "scenario" and k not in sc.params},
    }


def _kpis(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The sweep's KPI columns of one run: top-level fields as they are, nested ones
    (``flexibility.shifted_mwh``) read through the path (None where a run has none)."""
    out: dict[str, Any] = {}
    for k in KPI_COLUMNS:
        node: Any = summary
        for part in k.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        out[k] = node
    return out


def _bar(done: int, total: int, width: int = 24) -> str:
    fill = int(width * done / total) if total else width
    return f"[{'#' * fill}{'.' * (width - fill)}] {done}/{total}"


def run_sweep(
    path: Path,
    out: Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    quiet: bool = False,
) -> tuple[Path, pd.DataFrame]:
    """Run a sweep and write ``sweep.csv`` and the sweep figure.

    Parameters
    ----------
    path
        Sweep YAML.
    out
        Parent folder (default ``./runs``); the sweep writes into ``out/<sweep name>/``.
    scheduler
        Address of an existing Dask scheduler; a local cluster of processes otherwise.
    workers
        Local worker processes (one solver thread each; default: cores, at most the
        number of scenarios to solve).
    """
    sweep, base, scenarios = load_sweep(path)
    folder = (out or Path.cwd() / "runs") / sweep.name
    folder.mkdir(parents=True, exist_ok=True)
    say = (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr, flush=True))

    records: dict[str, dict[str, Any]] = {}
    todo = []
    for sc in scenarios:
        run_name = f"{sweep.name}__{sc.name}"
        done = _already_solved(folder, run_name, base, sc.overrides)
        if done is not None:
            records[sc.name] = {"scenario": sc.name, **done}
        else:
            todo.append((sc, run_name))
    say(
        f"sweep {sweep.name}: {len(scenarios)} scenarios, {len(records)} already solved, {len(todo)} to run"
    )

    if todo:
        records.update(
            _execute(todo, base, folder, scheduler, workers, len(scenarios), len(records), say)
        )

    table = pd.DataFrame([table_row(sc, records[sc.name]) for sc in scenarios])
    if "resumed" in table.columns:
        table["resumed"] = table["resumed"].fillna(False).astype(bool)
    else:
        table["resumed"] = False
    table.to_csv(folder / "sweep.csv", index=False, float_format="%.10g")
    (folder / "sweep.json").write_text(
        json.dumps(
            {"name": sweep.name, "base": str(base), "params": list((sweep.grid or {}).keys())},
            indent=2,
        )
    )
    if (table["status"].isin(["optimal", "feasible"])).sum() >= 2:
        from siting.plots import plot_sweep, save_figure

        fig = sweep.figure
        params = list((sweep.grid or {}).keys())
        if fig is not None:
            params = [fig.x] + ([fig.lines] if fig.lines else [])
        save_figure(plot_sweep(table, params, sweep.name, _countries(table),
                               cost=fig.cost if fig else "total",
                               panel=fig.panel if fig else "auto"), folder / "sweep")  # fmt: skip
    return folder, table


def _countries(table: pd.DataFrame) -> pd.DataFrame | None:
    """New IT capacity [MW] per country (rows) and solved scenario (columns), read from
    the scenarios' run folders; None where a folder cannot be read."""
    from siting.commands.comparison import country_table
    from siting.outputs.results import read_run

    ok = table[table["status"].isin(["optimal", "feasible"])]
    try:
        runs = [read_run(Path(p)) for p in ok["run"]]
    except (InputError, OSError):
        return None
    return country_table(runs, [str(s) for s in ok["scenario"]]).set_index("country")


def _outcome(fut: Any, name: str) -> dict[str, Any]:
    """A scenario's record from its future; a dead worker or other task failure is recorded
    as ``failed`` with the reason (``worker_died`` marks it for one more try)."""
    try:
        return dict(fut.result())
    except Exception as exc:  # KilledWorker and friends: the worker process died
        return {
            "scenario": name,
            "status": "failed",
            "exit_code": int(ExitCode.UNEXPECTED),
            "reason": f"worker died or failed ({type(exc).__name__}: {exc})",
            "worker_died": True,
        }


def _execute(
    todo: list[tuple[Scenario, str]],
    base: Path,
    folder: Path,
    scheduler: str | None,
    workers: int | None,
    total: int,
    done_before: int,
    say: Any,
) -> dict[str, dict[str, Any]]:
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    # a task whose worker dies is retried once elsewhere, then reported as failed
    with dask.config.set(
        {"distributed.scheduler.allowed-failures": 1, "distributed.worker.daemon": False}
    ):
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            n = workers or min(os.cpu_count() or 1, len(todo))
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        n_workers = len(client.scheduler_info().get("workers", {}))
        say(f"dask: {scheduler or 'local cluster'} with {n_workers} worker processes")
        try:
            futures = {}
            for sc, run_name in todo:
                fut = client.submit(
                    run_scenario,
                    str(base),
                    sc.overrides,
                    run_name,
                    str(folder),
                    sc.name,
                    key=f"siting-{run_name}",
                    pure=False,
                )
                futures[fut] = sc.name
            results: dict[str, dict[str, Any]] = {}
            count = done_before
            for fut in as_completed(list(futures)):
                name = futures[fut]
                rec = _outcome(fut, name)
                results[name] = rec
                count += 1
                say(
                    f"{_bar(count, total)} {name}: {rec['status']}"
                    + (f" ({rec.get('elapsed_s', 0):.1f} s)" if "elapsed_s" in rec else "")
                )
            # a scenario whose worker died may only have shared it with the one that killed it:
            # each runs once more, alone, so only a scenario that kills its worker by itself fails
            by_name = {sc.name: (sc, run_name) for sc, run_name in todo}
            for name in [n for n, r in results.items() if r.get("worker_died")]:
                sc, run_name = by_name[name]
                fut = client.submit(run_scenario, str(base), sc.overrides, run_name, str(folder),
                                    sc.name, key=f"siting-{run_name}-again", pure=False)  # fmt: skip
                results[name] = _outcome(fut, name)
                say(f"{name} again, alone: {results[name]['status']}")
            for rec in results.values():
                rec.pop("worker_died", None)
            return results
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
