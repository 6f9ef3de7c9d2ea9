"""Alternatives: near-optimal siting plans, as different as possible (MGA; ``docs/cli.md``, ``docs/outputs.md``).

Modelling to generate alternatives on the site decisions. Starting from a solved run, each
new plan minimises its overlap with every plan found so far, subject to

- a cost budget: total annualised cost <= (1 + slack) x the run's cost, and
- one no-good cut per earlier plan, so no set of built sites repeats.

Overlap is counted in built sites, each earlier plan weighted by one over its number of
sites, so a small plan counts as much as a large one; a tiny cost term breaks ties toward
cheaper plans. Sites built in every plan are the must-haves; those in none are never needed.

Model building is pure (:func:`overlap_weights`, :func:`add_budget`, :func:`add_no_good_cut`);
:func:`run_alternatives` does the I/O.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pulp

from siting.base.errors import InfeasibleError, InputError, NoSolutionError, Problem, SolverError
from siting.commands.reopen import open_run
from siting.config import Config, SolverConfig
from siting.instance import Instance
from siting.model import SitingModel, build_model
from siting.outputs.results import read_run
from siting.solution import Solution, extract_solution
from siting.solve.solvers import SolverStatus, solve

TIE_BREAK = 1e-3
"""Weight of cost (relative to the budget) next to overlap: orders plans of equal overlap."""

CLASSES = ("must-have", "frequent", "rare", "never")

DEFAULT_TIME_LIMIT_S = 300.0
"""Default limit per plan [s] (the run's own limit when lower)."""

MGA_GAP = 0.01
"""Relative gap for the overlap objective [-]."""


@dataclass(frozen=True)
class Plan:
    """One siting plan: its built sites (instance positions) and its true cost [EUR/yr]."""

    index: int
    built: frozenset[int]
    objective_eur_per_yr: float
    solution: Solution | None = None
    status: str = "optimal"
    new_it_by_country: dict[str, float] | None = None


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two sets of built sites [-] (1 for two empty plans)."""
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def overlap_weights(n_sites: int, plans: list[frozenset[int]]) -> np.ndarray:
    """Per-site weight of the overlap objective: sum over plans of 1/|plan| if built there."""
    w = np.zeros(n_sites)
    for p in plans:
        for s in p:
            w[s] += 1.0 / len(p)
    return w


def add_budget(model: SitingModel, cost_cap: float) -> None:
    """Total annualised cost <= ``cost_cap`` [EUR/yr]."""
    assert model.cost is not None
    model.add_row("mga_budget", (round(cost_cap),), model.cost, pulp.LpConstraintLE, cost_cap)


def add_no_good_cut(model: SitingModel, plan: frozenset[int], k: int) -> None:
    """Exclude exactly this set of built sites: at least one site must switch."""
    pairs = []
    for s, b in enumerate(model.build):
        if b is None:
            continue
        pairs.append((b, -1.0 if s in plan else 1.0))
    missing = [s for s in plan if model.build[s] is None]
    if missing:  # a site of the plan cannot be built any more: the plan is excluded anyway
        return
    expr = pulp.LpAffineExpression(pairs)
    model.add_row("mga_differ", (k,), expr, pulp.LpConstraintGE, float(1 - len(plan)))


def set_overlap_objective(
    model: SitingModel, plans: list[frozenset[int]], cost_scale: float
) -> None:
    """Minimise weighted overlap with ``plans`` plus a tie-breaking share of cost."""
    assert model.cost is not None
    w = overlap_weights(model.instance.n_sites, plans)
    pairs = [(b, float(w[s])) for s, b in enumerate(model.build) if b is not None and w[s] > 0]
    expr = pulp.LpAffineExpression(pairs)
    expr += (TIE_BREAK / cost_scale) * model.cost
    model.problem.setObjective(expr)


def built_set(model: SitingModel) -> frozenset[int]:
    """Sites whose build variable is 1 in the current solution."""
    return frozenset(
        s for s, b in enumerate(model.build) if b is not None and (b.varValue or 0.0) > 0.5
    )


def generate(
    inst: Instance,
    base: frozenset[int],
    base_cost: float,
    slack: float,
    count: int,
    solver: SolverConfig,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[list[Plan], str]:
    """Find up to ``count`` plans within ``slack`` of ``base_cost``, each unlike all before.

    Parameters
    ----------
    inst
        The run's instance.
    base
        Sites built in the run's plan (plan 0).
    base_cost
        The run's annualised cost [EUR/yr].
    slack
        Allowed cost increase over ``base_cost`` [-], e.g. 0.05.
    count
        Most alternative plans to look for.
    solver
        Solver settings for each search.

    Returns
    -------
    plans, stop
        The alternative plans (without plan 0) and why the search stopped.
    """
    model = build_model(inst)
    add_budget(model, (1.0 + slack) * base_cost)
    found: list[frozenset[int]] = [base]
    add_no_good_cut(model, base, 0)
    plans: list[Plan] = []
    stop = f"found the {count} plans asked for"
    start = time.perf_counter()
    for k in range(1, count + 1):
        set_overlap_objective(model, found, base_cost)
        t = time.perf_counter()
        result = solve(model, solver)
        if result.status == SolverStatus.INFEASIBLE:
            stop = f"no further distinct plan within {slack:.1%} of the cost ({k - 1} found)"
            break
        if result.status == SolverStatus.NO_SOLUTION:
            stop = (f"time limit reached after {time.perf_counter() - start:.0f} s: searched "
                    f"{k} plan{'s' if k > 1 else ''}, found {k - 1} (the search for plan {k} "
                    f"stopped at its {solver.time_limit_s:g} s limit without a plan; that is "
                    "no proof that none exists)")  # fmt: skip
            break
        if not result.status.has_solution:
            stop = f"the search for plan {k} ended without a plan ({result.termination})"
            break
        built = built_set(model)
        assert model.cost is not None
        cost = float(model.cost.value() or 0.0)
        sol = extract_solution(model, dataclasses.replace(result, objective=cost))
        by_country = sol.summary["new_it_mw_by_country"]
        plans.append(Plan(k, built, cost, sol, result.status.value, by_country))
        say(
            f"plan {k}: {len(built)} sites, cost +{cost / base_cost - 1:.2%}, "
            f"Jaccard to optimum {jaccard(built, base):.2f} ({time.perf_counter() - t:.1f} s)"
        )
        found.append(built)
        add_no_good_cut(model, built, k)
    return plans, stop


def site_frequency(site_ids: list[str], plans: list[frozenset[int]]) -> pd.DataFrame:
    """How often each site is built across ``plans`` and its class.

    Classes: ``must-have`` (every plan), ``frequent`` (at least half), ``rare`` (some),
    ``never`` (none).
    """
    n = len(plans)
    count = np.zeros(len(site_ids), dtype=int)
    for p in plans:
        for s in p:
            count[s] += 1
    share = count / n if n else np.zeros(len(site_ids))
    cls = np.select(
        [count == n, share >= 0.5, count > 0], ["must-have", "frequent", "rare"], "never"
    )
    return pd.DataFrame(
        {"site_id": site_ids, "plans_built": count, "share": share, "class": cls}
    ).sort_values(["plans_built", "site_id"], ascending=[False, True], kind="stable")


def summary_table(base: Plan, plans: list[Plan], site_ids: list[str]) -> pd.DataFrame:
    """``alternatives.csv``: one row per plan, the optimum first."""
    rows = []
    for p in [base, *plans]:
        rows.append(
            {
                "plan": p.index,
                "objective_eur_per_yr": p.objective_eur_per_yr,
                "cost_increase": p.objective_eur_per_yr / base.objective_eur_per_yr - 1.0,
                "sites_built": len(p.built),
                "jaccard_to_optimal": jaccard(p.built, base.built),
                "max_jaccard_to_others": max(
                    (jaccard(p.built, q.built) for q in [base, *plans] if q.index != p.index),
                    default=float("nan"),
                ),
                "new_it_mw": sum((p.new_it_by_country or {}).values()),
                "status": p.status,
                "sites": " ".join(sorted(site_ids[s] for s in p.built)),
            }
        )
    return pd.DataFrame(rows)


def country_ranges(plans: list[Plan]) -> pd.DataFrame:
    """New IT capacity per country [MW] in each plan (columns ``plan_<k>``) with min and max."""
    table = pd.DataFrame(
        {f"plan_{p.index}": pd.Series(p.new_it_by_country or {}, dtype=float) for p in plans}
    ).fillna(0.0)
    table.index.name = "country"
    table["min_mw"] = table.min(axis=1)
    table["max_mw"] = table.max(axis=1)
    return table.sort_values(["max_mw", "min_mw"], ascending=False)


# ------------------------------------------------------------------------------------------
# I/O: from a run folder to an alternatives folder


def _load_run(run_path: Path) -> tuple[Any, Config, Any, Instance]:
    """The run and the problem it solved (:func:`siting.commands.reopen.open_run`: with the days and
    cuts a guarantee added), refused when it has no plan to look around."""
    if read_run(run_path).summary.get("status") == "infeasible":
        raise InfeasibleError(
            f"{run_path}: the run is infeasible, so there is no optimum to look around "
            "(see its diagnosis.json)"
        )
    opened = open_run(run_path)
    return opened.run, opened.cfg, opened.layers, opened.inst


def run_alternatives(
    run_path: str | Path,
    slack: float = 0.05,
    count: int = 5,
    out: str | Path | None = None,
    time_limit_s: float | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Path:
    """Write ``alternatives.csv``, ``site_frequency.csv``, the map and one run folder per plan.

    Parameters
    ----------
    run_path
        A solved run folder.
    slack
        Allowed cost increase over the run's cost [-].
    count
        Most alternative plans.
    out
        Folder for the result (default ``alternatives/`` in the working directory).
    time_limit_s
        Limit per plan [s]; default the run's ``solver.time_limit_s``.

    Returns
    -------
    Path
        The published folder.
    """
    if not 0.0 <= slack <= 10.0:
        raise InputError(
            [Problem("--slack", f"{slack:g} is out of range", "use 0 to 10, e.g. 0.05")]
        )
    if not 1 <= count <= 100:
        raise InputError([Problem("--count", f"{count} is out of range", "use 1 to 100")])
    run_path = Path(run_path)
    run, cfg, layers, inst = _load_run(run_path)
    base = _base_plan(run, inst)
    # Any distinct plan within the budget is a valid answer, so a plan found when the limit
    # strikes is kept; proving minimal overlap can take far longer than finding the plan.
    solver = cfg.solver.model_copy(
        update={
            "time_limit_s": time_limit_s or min(cfg.solver.time_limit_s, DEFAULT_TIME_LIMIT_S),
            "mip_gap": max(cfg.solver.mip_gap, MGA_GAP),
        }
    )
    cost = base.objective_eur_per_yr
    say(
        f"run {run.name}: {len(base.built)} sites at {cost / 1e9:,.2f} bn EUR/yr; "
        f"looking for {count} plans within +{slack:.1%}"
    )
    plans, stop = generate(inst, base.built, cost, slack, count, solver, say)
    say(stop)
    if not plans and stop.startswith("time limit reached"):
        raise NoSolutionError(
            f"{stop}. Raise --time-limit (now {solver.time_limit_s:g} s per plan)."
        )
    if not plans and stop.startswith("no further distinct plan"):
        raise InfeasibleError(
            f"no other siting plan exists within {slack:.1%} of the run's cost: HiGHS proved "
            "every other set of sites dearer. Raise --slack."
        )
    if not plans:
        raise SolverError(f"{stop}. Re-run with --debug, or report it.")
    search = {"slack": slack, "count_requested": count, "stop_reason": stop}
    return _publish(Path(out) if out else Path.cwd() / "alternatives", run, cfg, layers, inst,
                    base, plans, search)  # fmt: skip


def _base_plan(run: Any, inst: Instance) -> Plan:
    """Plan 0: the run's own optimum, read from its tables."""
    sites = run.table("sites")
    ids = {sid: i for i, sid in enumerate(inst.sites.ids)}
    built = frozenset(ids[s] for s in sites.loc[sites["built"].astype(bool), "site_id"])
    country = dict(zip(inst.zones.ids, inst.zones.country, strict=True))
    by_country = (
        sites.assign(country=sites["zone_id"].map(country)).groupby("country")["new_it_mw"].sum()
    )
    return Plan(
        0,
        built,
        float(run.summary["objective_eur_per_yr"]),
        None,
        str(run.summary.get("status")),
        {str(c): float(v) for c, v in by_country.items() if v > 0},
    )


def _publish(
    out_root: Path,
    run: Any,
    cfg: Config,
    layers: Any,
    inst: Instance,
    base: Plan,
    plans: list[Plan],
    search: dict[str, Any],
) -> Path:
    """Publish the alternatives folder: tables, map, summary and one run folder per plan."""
    from siting.outputs.runfolder import new_manifest, staged_run, write_json, write_yaml
    from siting.plots import plot_alternatives, save_figure

    table = summary_table(base, plans, inst.sites.ids)
    freq = site_frequency(inst.sites.ids, [base.built] + [p.built for p in plans])
    must = freq.loc[freq["class"] == "must-have", "site_id"].tolist()
    name = f"{run.name}-alternatives"
    with staged_run(out_root, name, run.manifest["config_sha256"]) as staged:
        for p in plans:
            _write_plan(
                staged.path / f"plan-{p.index:02d}", run, cfg, layers, inst, p, base, search
            )
        write_yaml(staged.path / "config.yaml", cfg.to_plain())  # the scenario explored
        table.to_csv(staged.path / "alternatives.csv", index=False, float_format="%.9g")
        freq.to_csv(staged.path / "site_frequency.csv", index=False, float_format="%.6g")
        countries = country_ranges([base, *plans])
        countries.to_csv(staged.path / "countries.csv", float_format="%.6g")
        fig = plot_alternatives(
            layers.zones, layers.sites, freq, table, run.name, search["slack"], must, countries
        )
        save_figure(fig, staged.path / "alternatives")
        write_json(
            staged.path / "summary.json",
            {
                "base_run": str(run.path.resolve()),
                "slack": search["slack"],
                "count_requested": search["count_requested"],
                "plans_found": len(plans),
                "stop_reason": search["stop_reason"],
                "must_have": must,
                # the classes rest on this many plans: the optimum and the alternatives found
                "plans_classified": len(plans) + 1,
                "classes": freq["class"].value_counts().to_dict(),
            },
        )
        staged.manifest = new_manifest(name, base_run=str(run.path.resolve()))
    assert staged.published is not None
    return staged.published


def _write_plan(
    folder: Path,
    run: Any,
    cfg: Config,
    layers: Any,
    inst: Instance,
    plan: Plan,
    base: Plan,
    search: dict[str, Any],
) -> None:
    """One plan as a run folder of its own (with a manifest holding the file checksums)."""
    from siting.outputs.runfolder import new_manifest, sha256_file, write_json
    from siting.outputs.runwriter import write_run_contents

    folder.mkdir()
    assert plan.solution is not None
    plan_cfg = cfg.model_copy(update={"name": f"{cfg.name}-plan-{plan.index:02d}"})
    write_run_contents(folder, plan_cfg, plan.solution, layers, inst)
    cap = (1 + search["slack"]) * base.objective_eur_per_yr
    manifest = new_manifest(
        plan_cfg.name,
        plan=plan.index,
        inputs=run.manifest.get("inputs", {}),
        base_run=str(run.path.resolve()),
        config_sha256=run.manifest["config_sha256"],
        status=plan.status,
        mga={"slack": search["slack"], "cost_cap_eur_per_yr": cap},
        files={
            f.relative_to(folder).as_posix(): sha256_file(f)
            for f in sorted(folder.rglob("*"))
            if f.is_file()
        },
    )
    write_json(folder / "manifest.json", manifest)
