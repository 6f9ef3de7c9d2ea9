"""Benchmark: the time structure of the 24/7 plan against speed and accuracy (issue 32).

For each time structure of ``europe-2030-247`` (the 12 representative days hourly, or joined
into 12 / 8 / 6 / 4 segments a day, with storage linked across the calendar or cyclic per
day), the first solve (guarantee off) in a fresh process, then the full-year check of its plan
over every hour of 2015: build, pass and solve times, objective, proven bound, gap, and the
plan's full-year CFE *before* any guarantee round. The segmented models are relaxations of
the hourly one on the same days, so their bounds are lower bounds of the hourly optimum: the
table states each plan's cost against the best such bound. Repeats alternate the order.

    python benchmarks/segments.py --repeat 2
    python benchmarks/segments.py --segments 24 8 --linking chronological --repeat 1

Results go to ``benchmarks/results/segments-<UTC>.json``; ``--table FILE`` prints a result
file as the Markdown table of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parent
CONFIG = REPO / "configs" / "europe-2030-247.yaml"


def child(segments: int, linking: str, config: str) -> dict[str, Any]:
    """One first solve and its full-year check (run in a fresh process)."""
    from timing import timed_build

    from siting.fullyear.years import check_solution
    from siting.solution import extract_solution
    from siting.solve.solvers import solve

    cfg, layers, inst, model, read_s, build_s = timed_build(Path(config), [
        "carbon.guarantee=none", f"weather.segments_per_day={segments}",
        f"storage.linking={linking}",
    ])  # fmt: skip
    res = solve(model, cfg.solver)
    solution = extract_solution(model, res)
    check = check_solution(inst, solution, layers.weather)
    year = check.years[check.worst_year]
    return {
        "segments": segments, "linking": linking, "slices": inst.n_slices,
        "columns": model.n_variables, "rows": model.n_constraints, "read_s": read_s,
        "build_s": build_s, "pass_s": res.pass_s, "solve_s": res.solve_s,
        "status": res.status.value, "objective": res.objective, "best_bound": res.best_bound,
        "mip_gap": res.mip_gap, "check_s": check.seconds, "cfe_full_year": year["cfe"],
        "residual_mwh": year["residual_mwh"],
    }  # fmt: skip


def run(cases: list[tuple[int, str]], repeat: int, config: str) -> list[dict[str, Any]]:
    """Every case ``repeat`` times, each in a fresh process, the order reversed every other
    repeat so that a machine drifting in speed favours none."""
    records = []
    for r in range(repeat):
        order = cases if r % 2 == 0 else cases[::-1]
        for segments, linking in order:
            done = subprocess.run(
                [sys.executable, __file__, "--child", str(segments), linking, config],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            rec = json.loads(done.stdout.strip().splitlines()[-1])
            rec["repeat"] = r
            print(json.dumps(rec), flush=True)
            records.append(rec)
    return records


def table(records: list[dict[str, Any]]) -> str:
    """Markdown: medians per case; cost against the best lower bound of the hourly model."""
    cases = sorted({(r["linking"], r["segments"]) for r in records}, key=lambda c: (c[0], -c[1]))
    bound = max(r["best_bound"] for r in records if r["linking"] == "chronological")
    lines = [
        "| storage | slices a day | columns | rows | solve [s] | check [s] | objective "
        "[bn EUR/yr] | gap (own) | vs best hourly bound | full-year CFE |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for linking, seg in cases:
        rs = [r for r in records if (r["linking"], r["segments"]) == (linking, seg)]
        med = {k: statistics.median(r[k] for r in rs)
               for k in ("solve_s", "check_s", "objective", "mip_gap", "cfe_full_year")}  # fmt: skip
        lines.append(
            f"| {linking} | {seg} | {rs[0]['columns']:,} | {rs[0]['rows']:,} | "
            f"{med['solve_s']:.1f} | {med['check_s']:.1f} | {med['objective'] / 1e9:.3f} | "
            f"{100 * med['mip_gap']:.2f} % | {100 * (med['objective'] / bound - 1):+.2f} % | "
            f"{100 * med['cfe_full_year']:.3f} % |"
        )
    lines += ["", exponent(records)]
    return "\n".join(lines)


def exponent(records: list[dict[str, Any]], least: int = 8) -> str:
    """The fitted exponent of solve time against slices a day (linked storage, ``least``
    slices a day or more): a least-squares line through log time against log slices."""
    import numpy as np

    rs = [r for r in records if r["linking"] == "chronological" and r["segments"] >= least]
    by = sorted({r["segments"] for r in rs})
    if len(by) < 2:
        return ""
    t = [statistics.median(r["solve_s"] for r in rs if r["segments"] == n) for n in by]
    slope = float(np.polyfit(np.log(by), np.log(t), 1)[0])
    pairs = ", ".join(f"{n}: {s:.1f} s" for n, s in zip(by, t, strict=True))
    return (
        f"Solve time against slices a day ({pairs}): fitted exponent {slope:.2f} "
        f"over {len(by)} sizes."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, nargs="+", default=[24, 12, 8, 6, 4])
    ap.add_argument("--linking", nargs="+", default=["chronological", "per_period"])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--config", default=str(CONFIG))
    ap.add_argument("--child", nargs=3, metavar=("SEGMENTS", "LINKING", "CONFIG"))
    ap.add_argument("--table", type=Path)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1], args.child[2])))
        return
    if args.table:
        print(table(json.loads(args.table.read_text())["records"]))
        return
    cases = [(s, k) for k in args.linking for s in args.segments]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    records = run(cases, args.repeat, args.config)
    out = HERE / "results" / f"segments-{stamp}.json"
    out.write_text(json.dumps({"config": args.config, "repeat": args.repeat,
                               "records": records}, indent=1))  # fmt: skip
    print(table(records))
    print(f"written {out}")


if __name__ == "__main__":
    main()
