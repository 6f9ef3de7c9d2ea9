"""Benchmark: siting's PuLP model against a direct HiGHS matrix and linopy, side by side.

For each instance (synthetic ones of growing size, plus shipped scenarios) and each method,
one fresh Python process measures, separately:

- ``read``: config, layers and instance (siting only; the references start from the instance),
- ``build``: the model (PuLP, numpy CSR, or linopy),
- ``pass``: handing it to HiGHS,
- ``solve``: HiGHS itself, with the same options for all methods,
- ``write``: tables, GeoPackage and maps (siting only),
- peak resident memory of the process.

Results go to ``benchmarks/results/bench-<UTC>.json`` and into the table and the scaling
figure of ``benchmarks/README.md``.

    python benchmarks/run.py --quick            # small instances, under 5 minutes
    python benchmarks/run.py                    # adds medium, large and the 24/7 scenario
    python benchmarks/run.py --only medium      # one instance
    python benchmarks/run.py --only medium --methods siting matrix --repeat 3   # medians
    python benchmarks/run.py --periods --days 12 24 48 --guarantee   # benchmarks/periods.py
    python benchmarks/run.py --speed --repeat 2   # benchmarks/speed.py: scaling, algorithm,
                                                  # linked days, guarantee, full-year check, large
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import LARGE, LARGE_TIME_LIMIT_S, Size, write_instance  # noqa: E402

T = TypeVar("T")


@dataclass(frozen=True)
class Case:
    """One benchmark instance."""

    name: str
    size: Size | None = None  # synthetic
    config: str | None = None  # shipped config, relative to the repository
    solve_references: bool = True  # the references also solve (else build and pass only)
    quick: bool = False
    time_limit_s: float = 1800.0
    repeat: bool = True  # honour --repeat (the large instance runs once: 10 minutes a solve)


CASES = [
    Case("tiny", Size(10, 50, 24), quick=True),
    Case("small", Size(30, 150, 48), quick=True),
    Case("small-annual", Size(30, 150, 1), quick=True),
    Case("europe-2030", config="configs/europe-2030.yaml", quick=True),
    Case("medium", Size(100, 500, 96)),
    Case("medium-nostorage", Size(100, 500, 96, storage=False)),
    Case("europe-2030-247", config="configs/europe-2030-247.yaml"),
    Case(
        "large",
        LARGE,
        solve_references=False,
        time_limit_s=LARGE_TIME_LIMIT_S,
        repeat=False,
    ),
]
METHODS = ("siting", "matrix", "linopy")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _build_cold_and_warm(build: Callable[[], T], out: dict[str, Any]) -> T:
    """Build the model twice; keep the first and record both times.

    ``build_s`` is the first build in a fresh process, which is what a run pays (a library's
    lazy imports and first-call set-up included); ``build_warm_s`` is a second, identical build
    in the same process, which compares the modelling code alone.
    """
    import gc

    t = time.perf_counter()
    model = build()
    out["build_s"] = time.perf_counter() - t
    t = time.perf_counter()
    again = build()
    out["build_warm_s"] = time.perf_counter() - t
    del again
    gc.collect()
    return model


def _faults(since: dict[str, int] | None = None) -> dict[str, int]:
    """Page faults and context switches of this process (differences to ``since``).

    They tell machine effects apart from solver work when two solves of one matrix differ.
    """
    ru = resource.getrusage(resource.RUSAGE_SELF)
    now = {
        "minor_faults": ru.ru_minflt,
        "major_faults": ru.ru_majflt,
        "involuntary_switches": ru.ru_nivcsw,
    }
    return {k: v - (since or {}).get(k, 0) for k, v in now.items()}


def _highs_options(cfg: Any, n_slices: int, time_limit_s: float) -> dict[str, Any]:
    """The options siting passes to HiGHS (siting.solve.solvers), for the references too."""
    opts: dict[str, Any] = {
        "output_flag": False,
        "mip_rel_gap": cfg.solver.mip_gap,
        "threads": cfg.solver.threads,
        "time_limit": min(cfg.solver.time_limit_s, time_limit_s),
        "random_seed": cfg.solver.seed,
    }
    from siting.solve.solvers import highs_algorithm_options, lp_algorithm

    # the same algorithm choice as siting.solve.solvers, from the one place that makes it
    opts.update(highs_algorithm_options(lp_algorithm(cfg.solver.lp_algorithm, n_slices)))
    return opts


def _run_highs(h: Any, opts: dict[str, Any], out: dict[str, Any], solve: bool) -> None:
    """Set the shared options and, if asked, solve and record time, status and objective."""
    for k, v in opts.items():
        h.setOptionValue(k, v)
    if not solve:
        return
    t, ru = time.perf_counter(), _faults()
    h.run()
    out["solve_s"] = time.perf_counter() - t
    out.update(_faults(ru))
    info = h.getInfo()
    out["status"] = h.modelStatusToString(h.getModelStatus())
    out["objective"] = info.objective_function_value
    out["mip_gap"] = info.mip_gap
    out["nodes"] = int(info.mip_node_count)
    out["simplex_iterations"] = int(info.simplex_iteration_count)


def child(config: Path, method: str, solve: bool, time_limit_s: float) -> dict[str, Any]:
    """Measure one method on one instance (run in a fresh process)."""
    import gc

    from siting.commands.pipeline import validate

    out: dict[str, Any] = {"method": method}
    t = time.perf_counter()
    cfg, layers, inst = validate(config)
    cfg = cfg.model_copy(
        update={
            "solver": cfg.solver.model_copy(
                update={"time_limit_s": min(cfg.solver.time_limit_s, time_limit_s)}
            )
        }
    )
    out["read_s"] = time.perf_counter() - t
    out["peak_mb_after_read"] = _peak_mb()
    opts = _highs_options(cfg, inst.n_slices, time_limit_s)
    gc.collect()
    if method == "siting":
        from siting.model import build_model
        from siting.solution import extract_solution
        from siting.solve.solvers import solve as siting_solve

        model = _build_cold_and_warm(lambda: build_model(inst), out)
        out["columns"], out["rows"] = model.n_variables, model.n_constraints
        out["nonzeros"] = sum(
            1 for c in model.problem.constraints.values() for v in c.values() if v != 0
        )
        if not solve:
            from siting.solve.solvers import BulkHiGHS

            solver = BulkHiGHS(msg=False, columns=model.columns)
            t = time.perf_counter()
            solver.createAndConfigureSolver(model.problem)
            solver.buildSolverModel(model.problem)
            out["pass_s"] = time.perf_counter() - t
        else:
            ru = _faults()
            res = siting_solve(model, cfg.solver)
            out.update(_faults(ru))
            out.update(
                pass_s=res.pass_s,
                solve_s=res.solve_s,
                status=res.status.value,
                objective=res.objective,
                mip_gap=res.mip_gap,
            )
            info = model.problem.solverModel.getInfo()
            out["nodes"] = int(info.mip_node_count)
            out["simplex_iterations"] = int(info.simplex_iteration_count)
            if res.status.has_solution:
                from siting.outputs.runwriter import write_run_contents

                t = time.perf_counter()
                sol = extract_solution(model, res)
                with tempfile.TemporaryDirectory() as tmp:
                    write_run_contents(Path(tmp), cfg, sol, layers, inst)
                out["write_s"] = time.perf_counter() - t
    elif method == "matrix":
        import highspy
        from reference import build_matrix, pass_matrix

        mm = _build_cold_and_warm(lambda: build_matrix(inst), out)
        out["columns"], out["rows"], out["nonzeros"] = mm.n_cols, mm.n_rows, mm.nnz
        h = highspy.Highs()
        t = time.perf_counter()
        scaling = pass_matrix(mm, h)
        out["pass_s"] = time.perf_counter() - t
        _run_highs(h, opts, out, solve)
        if "objective" in out:
            out["objective"] *= scaling.objective
    elif method == "linopy":
        import linopy  # noqa: F401 (imported before timing, as PuLP is for siting)
        from reference import build_linopy

        lm = _build_cold_and_warm(lambda: build_linopy(inst), out)
        out["columns"], out["rows"] = lm.nvars, lm.ncons
        t = time.perf_counter()
        h = lm.to_highspy()
        out["pass_s"] = time.perf_counter() - t
        out["nonzeros"] = h.getNumNz()
        _run_highs(h, opts, out, solve)
    out["peak_mb"] = _peak_mb()
    return out


def _machine() -> dict[str, Any]:
    from importlib.metadata import version

    pkgs = {}
    for p in ("pulp", "highspy", "linopy", "numpy", "pandas", "geopandas", "xarray"):
        try:
            pkgs[p] = version(p)
        except Exception:
            pkgs[p] = "not installed"
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "packages": pkgs,
    }


def _config_for(case: Case, work: Path) -> Path:
    if case.config:
        return REPO / case.config
    assert case.size is not None
    folder = work / case.size.label
    cfg = folder / "config.yaml"
    if not cfg.exists():
        write_instance(case.size, folder)
    return cfg


def main() -> int:
    if sys.argv[1:2] == ["--periods"]:
        # the linked-days, full-year-check and guarantee series live in periods.py
        sys.path.insert(0, str(HERE))
        import periods

        return periods.main(sys.argv[2:])
    if sys.argv[1:2] == ["--speed"]:
        # the speed issue's set: scaling, algorithm, linked days, guarantee, check, large
        import speed

        return speed.main(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="small instances only")
    p.add_argument("--only", nargs="+", help="instance names")
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "siting-bench")
    p.add_argument("--no-readme", action="store_true", help="do not update benchmarks/README.md")
    p.add_argument("--results", type=Path, default=HERE / "results", help="folder for the JSON")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="measure each instance N times, rotating the method order; reports use medians",
    )
    p.add_argument(
        "--child", nargs=4, metavar=("CONFIG", "METHOD", "SOLVE", "LIMIT"), help=argparse.SUPPRESS
    )
    a = p.parse_args()
    if a.child:
        print(json.dumps(child(Path(a.child[0]), a.child[1], a.child[2] == "1", float(a.child[3]))))
        return 0

    if a.repeat < 1:
        p.error("--repeat must be at least 1")
    cases = [c for c in CASES if (c.quick or not a.quick) and (not a.only or c.name in a.only)]
    a.work.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    t_all = time.perf_counter()
    for case in cases:
        cfg = _config_for(case, a.work)
        # Rotating the order keeps slow drift of the machine from favouring one method.
        order = [
            (rep, a.methods[(i + rep) % len(a.methods)])
            for rep in range(a.repeat if case.repeat else 1)
            for i in range(len(a.methods))
        ]
        for rep, method in order:
            solve = method == "siting" or case.solve_references
            t = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(cfg),
                    method,
                    "1" if solve else "0",
                    str(case.time_limit_s),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - t
            if proc.returncode != 0:
                row = {"method": method, "error": proc.stderr.strip().splitlines()[-1:]}
            else:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
            row.update(instance=case.name, repeat=rep, process_wall_s=wall)
            results.append(row)
            print(_line(row), flush=True)
    total = time.perf_counter() - t_all
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = {
        "created_utc": stamp,
        "total_s": total,
        "repeat": a.repeat,
        "machine": _machine(),
        "results": results,
    }
    a.results.mkdir(parents=True, exist_ok=True)
    path = a.results / f"bench-{stamp}{'-quick' if a.quick else ''}.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"{len(results)} measurements in {total:.0f} s -> {path}")
    if not a.no_readme:
        from report import update_readme

        update_readme(out, path)
    return 0


def _line(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{r['instance']:>18} {r['method']:>7}  ERROR {r['error']}"
    parts = [f"{r['instance']:>18} {r['method']:>7}"]
    for k in ("read_s", "build_s", "pass_s", "solve_s", "write_s"):
        if k in r:
            parts.append(f"{k[:-2]} {r[k]:8.2f} s")
    parts.append(f"nnz {r.get('nonzeros', 0):>9,}  peak {r['peak_mb']:7.0f} MB")
    if "objective" in r:
        parts.append(f"obj {r['objective']:.6e}")
    return "  ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
