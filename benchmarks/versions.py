"""Benchmark: two versions of siting side by side on the shipped configs, in one run.

    python benchmarks/versions.py --base 1e2fd4b --head HEAD --repeat 2
    python benchmarks/versions.py --base 1e2fd4b --configs europe-2030 --check europe-2030-247

Each version is checked out into a temporary git worktree; every measurement runs in a fresh
process whose ``PYTHONPATH`` puts that worktree's ``siting`` first. Per config and version:
``read`` (config, layers, instance), ``build`` (the planning model, first build in the
process), ``pass`` (to HiGHS) and ``solve`` of the first solve (the guarantee's later rounds
are not part of it), with the objective, gap and model size, so a difference in time can be
told apart from a difference in the model. ``--check CONFIG``: also the full-year check of a
fixed synthetic plan of that config (``build`` of the 8,760-hour LP and its ``solve``, warm
start included). The two versions alternate which goes first in every repeat, so a machine
getting slower or faster favours neither; the table shows medians over repeats and the ratio
head / base. Results go to ``benchmarks/results/versions-<UTC>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CONFIGS = (
    "europe-2030", "europe-2030-bz", "europe-2030-policy", "europe-2030-triple",
    "europe-2030-latency", "europe-2030-cfe90", "europe-2030-247", "europe-2030-247-2016",
    "europe-2030-247-bz", "europe-2030-247-ld", "europe-2030-247-firm", "europe-2030-247-robust",
)  # fmt: skip


def _siting() -> dict[str, Any]:
    """The functions measured, from either package layout (stage packages since issue 31)."""
    import importlib

    def first(*names: str) -> Any:
        for name in names:
            try:
                return importlib.import_module(name)
            except ImportError:
                continue
        raise ImportError(names)

    return {
        "pipeline": first("siting.commands.pipeline", "siting.pipeline"),
        "solvers": first("siting.solve.solvers", "siting.solvers"),
        "fullyear": first("siting.fullyear.dispatch", "siting.fullyear"),
        "years": first("siting.fullyear.years", "siting.check"),
    }


def solve_child(config: Path) -> dict[str, Any]:
    """Read, build and solve one config's first round with the ``siting`` on the path."""
    from siting.model import build_model

    s = _siting()
    validate, solve = s["pipeline"].validate, s["solvers"].solve

    t = time.perf_counter()
    cfg, _, inst = validate(config, ["carbon.guarantee=none"])
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    model = build_model(inst)
    build_s = time.perf_counter() - t
    res = solve(model, cfg.solver)
    return {
        "config": config.stem, "read_s": read_s, "build_s": build_s, "pass_s": res.pass_s,
        "solve_s": res.solve_s, "objective": res.objective, "mip_gap": res.mip_gap,
        "status": res.status.value, "columns": model.n_variables, "rows": model.n_constraints,
    }  # fmt: skip


def _plan_tables(inst: Any, seed: int = 7) -> dict[str, Any]:
    """A fixed synthetic plan of an instance as decision tables (either version's fields)."""
    import numpy as np
    import pandas as pd

    new = hasattr(inst, "supply")
    site_ids = inst.sites.ids if new else inst.site_ids
    zone_ids = inst.zones.ids if new else inst.zone_ids
    re_zone, re_tech = (inst.supply.zone, inst.supply.tech) if new else (inst.re_zone, inst.re_tech)
    potential = inst.supply.potential_mw if new else inst.re_potential_mw
    existing = inst.supply.existing_mw if new else inst.re_existing_mw
    stores = inst.stores if new else inst.storage
    rng = np.random.default_rng(seed)
    n_s, n_z = len(site_ids), len(zone_ids)
    sites = pd.DataFrame({"site_id": site_ids, "new_it_mw": np.where(
        rng.random(n_s) < 0.3, rng.random(n_s) * 300, 0.0)})  # fmt: skip
    head = np.maximum(potential - existing, 0)
    ren = pd.DataFrame({"zone_id": [zone_ids[z] for z in re_zone], "tech": re_tech,
                        "new_mw": np.minimum(head, rng.random(len(re_tech)) * 3000)})  # fmt: skip
    z: dict[str, Any] = {"zone_id": zone_ids}
    for o in stores:
        z[f"{o.tech}_mwh"] = np.where(rng.random(n_z) < 0.5, rng.random(n_z) * 5000, 0.0)
        z[f"{o.tech}_mw"] = np.where(z[f"{o.tech}_mwh"] > 0, rng.random(n_z) * 1000, 0.0)
        if o.separate_charge:
            z[f"{o.tech}_charge_mw"] = rng.random(n_z) * 800
    return {"sites": sites, "renewables": ren, "zones": pd.DataFrame(z)}


def check_child(config: Path) -> dict[str, Any]:
    """Build and solve the full-year check of a fixed synthetic plan of one config."""
    s = _siting()
    validate, hourly_cf, fullyear = s["pipeline"].validate, s["years"].hourly_cf, s["fullyear"]

    _, layers, inst = validate(config)
    t = _plan_tables(inst)
    plan = fullyear.plan_from_tables(inst, t["sites"], t["renewables"], t["zones"])
    cf = hourly_cf(inst, plan, layers.weather[0])
    opts = {"options": {"solver": "simplex"}}
    start = time.perf_counter()
    if hasattr(fullyear, "year_horizon"):
        horizon = fullyear.year_horizon(plan, cf)
        lp = fullyear.build_dispatch(inst, plan, horizon)
        build_s = time.perf_counter() - start
        d = fullyear.solve_dispatch(inst, plan, horizon, **opts)
    else:
        clean = fullyear.clean_supply(plan, cf)
        lp = fullyear.build_dispatch(plan, clean)
        build_s = time.perf_counter() - start
        d = fullyear.solve_dispatch(plan, clean, **opts)
    return {
        "config": config.stem, "check_build_s": build_s, "check_solve_s": d.solve_s,
        "residual_mwh": float(d.grid_mw.sum()), "columns": lp.n_cols, "status": d.status,
    }  # fmt: skip


def _run(tree: Path, kind: str, config: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", kind, str(config)], env=env,
                          capture_output=True, text=True, check=False, cwd=tree)  # fmt: skip
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:], "wall_s": wall}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1])) | {"wall_s": wall}


def measure(revs: dict[str, str], configs: list[str], checks: list[str], repeat: int,
            trees: dict[str, Path]) -> list[dict[str, Any]]:  # fmt: skip
    """Every config (and check) for both versions, alternating which goes first."""
    rows = []
    jobs = [("solve", c) for c in configs] + [("check", c) for c in checks]
    for rep in range(repeat):
        for kind, name in jobs:
            order = list(revs) if rep % 2 == 0 else list(reversed(revs))
            for version in order:
                config = trees[version] / "configs" / f"{name}.yaml"
                row = {"version": version, "rev": revs[version], "kind": kind, "repeat": rep}
                rows.append(row | _run(trees[version], kind, config))
                print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Medians per config and version, side by side, with head / base ratios."""
    keys = {"solve": ("read_s", "build_s", "pass_s", "solve_s"),
            "check": ("check_build_s", "check_solve_s")}  # fmt: skip
    out = []
    for kind, fields in keys.items():
        names = sorted({r["config"] for r in rows if r["kind"] == kind and "config" in r})
        if not names:
            continue
        head = " | ".join(f"{f[:-2]} base / head [s]" for f in fields)
        out += [f"| {kind} | {head} | objective or residual (base / head) |",
                "|---" * (len(fields) + 2) + "|"]  # fmt: skip
        for name in names:
            cells = []
            for f in fields:
                med = {v: statistics.median(r[f] for r in rows if r.get("config") == name
                                            and r["kind"] == kind and r["version"] == v)
                       for v in ("base", "head")}  # fmt: skip
                ratio = med["head"] / med["base"] if med["base"] > 0 else float("nan")
                cells.append(f"{med['base']:.2f} / {med['head']:.2f} ({ratio:.2f}x)")
            value = "objective" if kind == "solve" else "residual_mwh"
            vals = [next(r[value] for r in rows if r.get("config") == name and r["kind"] == kind
                         and r["version"] == v) for v in ("base", "head")]  # fmt: skip
            out.append(f"| {name} | {' | '.join(cells)} | {vals[0]:.6e} / {vals[1]:.6e} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child = solve_child if argv[1] == "solve" else check_child
        print(json.dumps(child(Path(argv[2]))))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="git revision measured as the base")
    p.add_argument("--head", default="HEAD", help="git revision compared with it")
    p.add_argument("--configs", nargs="*", default=list(CONFIGS))
    p.add_argument("--check", nargs="*", default=[], help="configs whose full-year check to time")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    revs = {"base": args.base, "head": args.head}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {}
        for version, rev in revs.items():
            trees[version] = Path(tmp) / version
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach",
                            str(trees[version]), rev], check=True, capture_output=True)  # fmt: skip
        try:
            rows = measure(revs, args.configs, args.check, args.repeat, trees)
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                                str(tree)], check=False, capture_output=True)  # fmt: skip
    print(table(rows))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = HERE / "results" / f"versions-{stamp}.json"
    out.write_text(json.dumps({"revisions": revs, "rows": rows}, indent=1))
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
