"""Benchmark: the speed issue's measurements in one run, each solve in a fresh process.

Series (``--series``, all by default, in this order):

- ``scaling``: shipped configs solved with ``solver.scaling`` on and off (guarantee off):
  time, objective, bound, gap, and how many HiGHS scaling warnings the log holds;
- ``algorithm``: ``europe-2030-247`` at 12 linked days with each LP algorithm (``auto`` is
  HiPO on the augmented system; ``ipx``; ``simplex`` under a time limit);
- ``linked``: ``europe-2030-247`` at 12 / 24 / 48 / 96 linked days (HiGHS's time limit per
  solve caps the long ones; an unfinished solve is recorded with its status);
- ``guarantee``: ``siting run configs/europe-2030-247.yaml`` end to end (rounds, checks, wall);
- ``check``: the full-year check of the guarantee run's final plan, cold and warm-started;
- ``large``: the large synthetic instance (300 zones x 2,000 sites x 168 slices) retried.

    python benchmarks/run.py --speed --repeat 2                      # everything
    python benchmarks/speed.py --series linked --days 12 24 48 96 --time-limit 1800
    python benchmarks/speed.py --report results/speed-*.json         # tables + figure

Every record carries the LP algorithm, HiGHS's iteration counts and the times; ``--report``
merges result files into ``benchmarks/README.md`` (between the ``speed`` markers) with medians
over repeats, and draws ``periods.png`` (solve time against linked days, fitted exponent).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

CONFIG_247 = REPO / "configs" / "europe-2030-247.yaml"
SCALING_CONFIGS = (
    "europe-2030", "europe-2030-bz", "europe-2030-policy", "europe-2030-triple",
    "europe-2030-latency", "europe-2030-cfe90", "europe-2030-247",
)  # fmt: skip
SERIES = ("scaling", "algorithm", "linked", "guarantee", "check", "large")
START, END = "<!-- speed:start -->", "<!-- speed:end -->"


def solve_child(config: Path, overrides: list[str]) -> dict[str, Any]:
    """Read, build and solve one scenario; HiGHS's log read back for scaling warnings."""
    from siting.commands.pipeline import validate
    from siting.model import build_model
    from siting.solve.solvers import solve

    t = time.perf_counter()
    cfg, _, inst = validate(config, overrides)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    model = build_model(inst)
    build_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "highs.log"
        res = solve(model, cfg.solver, log=log)
        text = log.read_text() if log.exists() else ""
    info = model.problem.solverModel.getInfo()
    return {
        "config": config.stem, "overrides": overrides, "slices": inst.n_slices,
        "periods": int(inst.time.period.max()) + 1, "columns": model.n_variables,
        "rows": model.n_constraints, "integers": sum(v.cat != "Continuous" for v in model.columns),
        "read_s": read_s, "build_s": build_s, "pass_s": res.pass_s, "solve_s": res.solve_s,
        "status": res.status.value, "termination": res.termination, "objective": res.objective,
        "best_bound": res.best_bound, "mip_gap": res.mip_gap, "algorithm": res.algorithm,
        "scaling": cfg.solver.scaling, "scaling_exponents": list(res.scaling),
        "nodes": int(info.mip_node_count), "simplex_iterations": int(info.simplex_iteration_count),
        "ipm_iterations": int(info.ipm_iteration_count),
        "crossover_iterations": int(info.crossover_iteration_count),
        "scaling_warnings": text.count("excessively large") + text.count("Consider scaling"),
        "time_limit_s": cfg.solver.time_limit_s,
    }  # fmt: skip


def _child(args: list[str]) -> dict[str, Any]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True,
                          text=True, check=False)  # fmt: skip
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:], "args": args, "wall_s": wall}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1])) | {"wall_s": wall}


def _solve(series: str, config: Path, overrides: list[str], **tags: Any) -> dict[str, Any]:
    return {"series": series, **tags} | _child(["solve", str(config), json.dumps(overrides)])


def scaling_series(configs: list[str], repeat: int, limit: float) -> list[dict[str, Any]]:
    rows = []
    for rep in range(repeat):
        for name in configs:
            order = ("true", "false") if rep % 2 == 0 else ("false", "true")
            for sc in order:
                over = [
                    "carbon.guarantee=none",
                    f"solver.scaling={sc}",
                    f"solver.time_limit_s={limit}",
                ]
                if name.endswith("247"):
                    over.append("weather.representative_days=12")
                rows.append(_solve("scaling", REPO / "configs" / f"{name}.yaml", over, repeat=rep))
                _say(rows[-1])
    return rows


def algorithm_series(repeat: int, limit: float) -> list[dict[str, Any]]:
    rows = []
    for rep in range(repeat):
        algos = ("auto", "ipx", "simplex") if rep % 2 == 0 else ("simplex", "ipx", "auto")
        for algo in algos:
            over = ["carbon.guarantee=none", "weather.representative_days=12",
                    f"solver.lp_algorithm={algo}", f"solver.time_limit_s={limit}"]  # fmt: skip
            rows.append(_solve("algorithm", CONFIG_247, over, repeat=rep, choice=algo))
            _say(rows[-1])
    return rows


def linked_series(
    days: list[int], repeat: int, limit: float, extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    rows = []
    for rep in range(repeat):
        for d in days:
            over = ["carbon.guarantee=none", f"weather.representative_days={d}",
                    f"solver.time_limit_s={limit}", *extra]  # fmt: skip
            rows.append(_solve("linked", CONFIG_247, over, repeat=rep, days=d, set=list(extra)))
            _say(rows[-1])
    return rows


def guarantee_series(work: Path) -> tuple[list[dict[str, Any]], Path | None]:
    from periods import guarantee_run

    out = work / f"guarantee-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    out.mkdir(parents=True)
    row = guarantee_run(CONFIG_247, out)
    _say(row)
    runs = [p for p in out.iterdir() if not p.name.startswith(".")]
    return [row], (runs[0] if runs else None)


def check_series(run: Path, repeat: int) -> list[dict[str, Any]]:
    from periods import WARM_WINDOWS

    rows = []
    for rep in range(repeat):
        for blocks in (1, WARM_WINDOWS) if rep % 2 == 0 else (WARM_WINDOWS, 1):
            rows.append({"series": "check", "repeat": rep}
                        | _child(["check", str(run), str(blocks)]))  # fmt: skip
            _say(rows[-1])
    return rows


def large_series(work: Path) -> list[dict[str, Any]]:
    """The large synthetic instance, solved by ``run.py``'s child (a subprocess, not an import:
    ``run.py --speed`` imports this module)."""
    from synthetic import LARGE, LARGE_TIME_LIMIT_S, write_instance

    cfg = work / LARGE.label / "config.yaml"
    if not cfg.exists():
        write_instance(LARGE, cfg.parent)
    proc = subprocess.run([sys.executable, str(HERE / "run.py"), "--child", str(cfg), "siting",
                           "1", str(LARGE_TIME_LIMIT_S)], capture_output=True, text=True,
                          check=False)  # fmt: skip
    if proc.returncode != 0:
        row = {"error": proc.stderr.strip().splitlines()[-1:]}
    else:
        row = json.loads(proc.stdout.strip().splitlines()[-1])
    row |= {"series": "large", "time_limit_s": LARGE_TIME_LIMIT_S}
    _say(row)
    return [row]


def _say(row: dict[str, Any]) -> None:
    keys = ("series", "config", "days", "choice", "scaling", "warm_blocks", "status", "solve_s",
            "objective", "mip_gap", "wall_s", "error")  # fmt: skip
    print(json.dumps({k: row[k] for k in keys if k in row}), flush=True)


def _machine() -> dict[str, Any]:
    import os
    from importlib.metadata import version

    return {"platform": platform.platform(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "highspy": version("highspy"),
            "pulp": version("pulp")}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--series", nargs="+", choices=SERIES, default=list(SERIES))
    p.add_argument("--days", nargs="+", type=int, default=[12, 24, 48, 96])
    p.add_argument("--configs", nargs="+", default=list(SCALING_CONFIGS), help="scaling series")
    p.add_argument("--set", nargs="*", default=[], help="config overrides of the linked series")
    p.add_argument("--repeat", type=int, default=2, help="repeats of the short series")
    p.add_argument("--time-limit", type=float, default=1800.0, help="per solve [s]")
    p.add_argument("--check-run", type=Path, help="run folder for the check (else the guarantee's)")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "siting-speed")
    p.add_argument("--results", type=Path, default=HERE / "results")
    p.add_argument("--report", nargs="+", type=Path, help="merge results into the README")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        return _run_child(a.child)
    if a.report:
        from speed_report import update_readme

        update_readme([json.loads(f.read_text()) for f in a.report], a.report)
        return 0
    a.work.mkdir(parents=True, exist_ok=True)
    t0, rows, run = time.perf_counter(), [], a.check_run
    if "scaling" in a.series:
        rows += scaling_series(a.configs, a.repeat, min(a.time_limit, 900.0))
    if "algorithm" in a.series:
        rows += algorithm_series(1, 900.0)
    if "linked" in a.series:
        rows += linked_series(a.days, 1, a.time_limit, tuple(a.set))
    if "guarantee" in a.series:
        g, made = guarantee_series(a.work)
        rows += g
        run = run or made
    if "check" in a.series and run is not None:
        rows += check_series(run, a.repeat)
    if "large" in a.series:
        rows += large_series(a.work)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = {"created_utc": stamp, "total_s": time.perf_counter() - t0, "series": a.series,
           "machine": _machine(), "results": rows}  # fmt: skip
    a.results.mkdir(parents=True, exist_ok=True)
    path = a.results / f"speed-{stamp}.json"
    path.write_text(json.dumps(out, indent=2))
    print(path)
    return 0


def _run_child(args: list[str]) -> int:
    kind, *rest = args
    if kind == "solve":
        out = solve_child(Path(rest[0]), json.loads(rest[1]))
    else:
        from periods import check_child

        out = check_child(Path(rest[0]), int(rest[1]))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
