"""Benchmark: solve time against the number of linked representative days, and the full-year check.

Series ``linked``: ``europe-2030-247`` with storage linked across days (its shipped form),
guarantee off, at 12 / 24 / 48 / 96 representative days; each solve in a fresh process,
recording columns, rows, nonzeros, build / pass / solve times, status, gap, nodes, simplex
iterations, the LP algorithm and the scaling. Series ``check``: the full-year check of a
published run's plan, from scratch and warm-started from its windows (``docs/solvers.md``).
Series ``guarantee``: ``siting run configs/europe-2030-247.yaml`` end to end in a fresh
process (wall time, exit code, and each round's periods, solve, check and full-year CFE).

    python benchmarks/periods.py --days 12 24 --repeat 1
    python benchmarks/periods.py --check-run runs/europe-2030-247-... --repeat 3
    python benchmarks/periods.py --days 12 --scaling both        # scaled against raw units
    python benchmarks/periods.py --days --guarantee               # the 24/7 run end to end

Results go to ``benchmarks/results/periods-<UTC>.json``; ``--figure`` draws solve time
against days on log-log axes with the fitted exponent (``benchmarks/periods.png``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parent
CONFIG = REPO / "configs" / "europe-2030-247.yaml"
WARM_WINDOWS = 104
"""Windows the warm-started check cuts the year into (``siting.fullyear.dispatch.WARM_BLOCKS``)."""


def linked_child(
    days: int, scaling: bool, algorithm: str, time_limit_s: float, threads: int = 1
) -> dict[str, Any]:
    """One solve of the 24/7 scenario at ``days`` linked days (run in a fresh process)."""
    from timing import timed_build

    from siting.solve.solvers import lp_algorithm, solve

    cfg, _, inst, model, read_s, build_s = timed_build(CONFIG, [
        f"weather.representative_days={days}", "carbon.guarantee=none",
        f"solver.scaling={'true' if scaling else 'false'}", f"solver.lp_algorithm={algorithm}",
        f"solver.time_limit_s={time_limit_s}", f"solver.threads={threads}",
    ])  # fmt: skip
    res = solve(model, cfg.solver)
    info = model.problem.solverModel.getInfo()
    return {
        "series": "linked", "days": days, "periods": int(inst.time.period.max()) + 1, "scaling": scaling,
        "algorithm": lp_algorithm(algorithm, inst.n_slices), "columns": model.n_variables,
        "rows": model.n_constraints, "read_s": read_s, "build_s": build_s,
        "pass_s": res.pass_s, "solve_s": res.solve_s, "status": res.status.value,
        "termination": res.termination, "objective": res.objective,
        "best_bound": res.best_bound, "mip_gap": res.mip_gap,
        "nodes": int(info.mip_node_count), "simplex_iterations": int(info.simplex_iteration_count),
        "time_limit_s": time_limit_s, "threads": threads,
    }  # fmt: skip


def check_child(run: Path, warm_blocks: int) -> dict[str, Any]:
    """The full-year check of a run's plan, cold (``warm_blocks=1``) or warm-started."""
    from siting.config import load_config
    from siting.fullyear.dispatch import (
        build_dispatch,
        plan_from_tables,
        solve_dispatch,
        year_horizon,
    )
    from siting.fullyear.years import hourly_cf
    from siting.inputs.layers import load_layers
    from siting.instance import build_instance
    from siting.outputs.results import read_run

    folder = read_run(run)
    cfg = load_config(folder.path / "config.yaml")
    layers = load_layers(cfg)
    inst = build_instance(layers, cfg)
    plan = plan_from_tables(
        inst, folder.table("sites"), folder.table("renewables"), folder.table("zones")
    )
    horizon = year_horizon(plan, hourly_cf(inst, plan, layers.weather[0]))
    lp = build_dispatch(inst, plan, horizon)
    t = time.perf_counter()
    d = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"}, warm_blocks=warm_blocks)
    return {
        "series": "check", "run": run.name, "warm_blocks": warm_blocks, "warm": d.warm,
        "columns": lp.n_cols, "rows": len(lp.row_lower), "solve_s": d.solve_s,
        "windows_s": d.windows_s, "wall_s": time.perf_counter() - t, "status": d.status,
        "iterations": d.iterations, "residual_mwh": float(d.grid_mw.sum()),
        "algorithm": "dual simplex",
    }  # fmt: skip


def guarantee_run(config: Path = CONFIG, out: Path | None = None) -> dict[str, Any]:
    """``siting run CONFIG`` end to end in a fresh process: wall time and the guarantee's rounds.

    ``out``: where the run folder is kept (for a check of its plan); a temporary folder if None.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = out or Path(tmp)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "siting", "run", str(config), "--out",
                               str(folder), "--quiet"], capture_output=True, text=True,
                              check=False)  # fmt: skip
        wall = time.perf_counter() - t
        runs = [p for p in folder.iterdir() if not p.name.startswith(".")]
        record: dict[str, Any] = {"series": "guarantee", "config": config.name, "wall_s": wall,
                                  "exit_code": proc.returncode}  # fmt: skip
        if runs:
            summary = json.loads((runs[0] / "summary.json").read_text())
            manifest = json.loads((runs[0] / "manifest.json").read_text())
            g = summary.get("guarantee", {})
            record |= {"met": g.get("met"), "rounds": g.get("steps", []), "run": runs[0].name,
                       "cfe_full_year": summary.get("cfe_score_full_year"),
                       "objective": summary.get("objective_eur_per_yr"),
                       "algorithm": manifest["solver"].get("lp_algorithm"),
                       "timings": manifest.get("timings")}  # fmt: skip
        return record


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:], "args": args}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


from speed_report import figure as _figure  # noqa: E402  (one drawing for both scripts)
from speed_report import fitted_exponent  # noqa: E402,F401  (re-exported for callers)


def figure(rows: list[dict[str, Any]], path: Path) -> None:
    """Median solve time against linked days, log-log, with the fitted exponent."""
    _figure([r for r in rows if r.get("series") == "linked" and r.get("scaling", True)], path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", nargs="*", type=int, default=[12, 24, 48, 96])
    p.add_argument("--scaling", choices=["on", "off", "both"], default="on")
    p.add_argument("--algorithm", default="auto", choices=["auto", "simplex", "ipx", "hipo"])
    p.add_argument("--time-limit", type=float, default=3600.0, help="per solve [s]")
    p.add_argument("--threads", type=int, default=1, help="HiGHS threads per solve")
    p.add_argument("--check-run", type=Path, help="run folder whose plan the check re-dispatches")
    p.add_argument("--guarantee", action="store_true", help="time the 24/7 run end to end")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--results", type=Path, default=HERE / "results")
    p.add_argument("--figure", type=Path, help="draw the series from a results JSON")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        kind, *rest = a.child
        if kind == "linked":
            out = linked_child(int(rest[0]), rest[1] == "1", rest[2], float(rest[3]), int(rest[4]))
        else:
            out = check_child(Path(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return 0
    if a.figure:
        figure(json.loads(a.figure.read_text())["results"], HERE / "periods.png")
        return 0
    rows: list[dict[str, Any]] = []
    scalings = {"on": [True], "off": [False], "both": [True, False]}[a.scaling]
    for rep in range(a.repeat):
        for days in a.days:
            for sc in scalings if rep % 2 == 0 else scalings[::-1]:
                rows.append(_child(["linked", str(days), "1" if sc else "0", a.algorithm,
                                    str(a.time_limit), str(a.threads)]) | {"repeat": rep})  # fmt: skip
                print(json.dumps(rows[-1]), flush=True)
        if a.check_run:
            for blocks in (1, WARM_WINDOWS) if rep % 2 == 0 else (WARM_WINDOWS, 1):
                rows.append(_child(["check", str(a.check_run), str(blocks)]) | {"repeat": rep})
                print(json.dumps(rows[-1]), flush=True)
        if a.guarantee:
            rows.append(guarantee_run() | {"repeat": rep})
            print(json.dumps(rows[-1]), flush=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    a.results.mkdir(parents=True, exist_ok=True)
    path = a.results / f"periods-{stamp}.json"
    path.write_text(json.dumps({"created_utc": stamp, "results": rows}, indent=2))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
