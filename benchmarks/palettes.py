"""Benchmark: every 24/7 palette guaranteed over the real year, end to end, side by side.

Each repeat runs ``siting run CONFIG`` for every palette in a fresh process (the palettes'
order reversed on every other repeat, so that a machine getting slower or faster does not
favour one), then times the full-year check of each final plan on its own (warm-started, as
the run does it; ``benchmarks/periods.py check_child``). Records: wall time, every round
(periods, solve, check, cost, full-year CFE, whether it was judged on a bound), the final
cost and CFE, the check's time.

    python benchmarks/palettes.py --repeat 2
    python benchmarks/palettes.py --configs europe-2030-247-ld --repeat 1 --set carbon.guarantee_segments_per_day=8
    python benchmarks/palettes.py --report results/palettes-*.json      # the Markdown table

Results: ``results/palettes-<UTC stamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

PALETTES = ("europe-2030-247", "europe-2030-247-ld", "europe-2030-247-firm")


def run_palette(config: str, work: Path, overrides: list[str]) -> dict[str, Any]:
    """One guaranteed run end to end in a fresh process, then its plan's check alone."""
    from periods import WARM_WINDOWS

    out = Path(tempfile.mkdtemp(prefix=f"{config}-", dir=work))
    sets = [a for o in overrides for a in ("--set", o)]
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "siting", "run", str(REPO / "configs" / f"{config}.yaml"),
                           "--out", str(out), "--quiet", *sets], capture_output=True, text=True,
                          check=False)  # fmt: skip
    wall = time.perf_counter() - t
    record: dict[str, Any] = {"config": config, "overrides": overrides, "wall_s": wall,
                              "exit_code": proc.returncode}  # fmt: skip
    runs = [p for p in out.iterdir() if not p.name.startswith(".")]
    if not runs:
        return record | {"error": proc.stderr.strip().splitlines()[-3:]}
    summary = json.loads((runs[0] / "summary.json").read_text())
    g = summary.get("guarantee", {})
    record |= {"run": str(runs[0]), "met": g.get("met"), "rounds": g.get("steps", []),
               "objective": summary.get("objective_eur_per_yr"),
               "cfe_full_year": summary.get("cfe_score_full_year"),
               "gap": summary.get("mip_gap")}  # fmt: skip
    # the check alone, in a fresh process, as the run's last round did it
    child = subprocess.run([sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[1]); "
                            "from periods import check_child; from pathlib import Path; "
                            "print(json.dumps(check_child(Path(sys.argv[2]), int(sys.argv[3]))))",
                            str(HERE), str(runs[0]), str(WARM_WINDOWS)],
                           capture_output=True, text=True, check=False)  # fmt: skip
    if child.returncode == 0:
        record["check"] = json.loads(child.stdout.strip().splitlines()[-1])
    return record


def table(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per palette, medians over its repeats."""
    lines = [
        "| palette | runs | end to end [s] | rounds | periods | solves [s] | checks [s] | "
        "check of the final plan alone [s] | cost [bn EUR/yr] | full-year CFE | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for config in dict.fromkeys(r["config"] for r in results):
        rows = [r for r in results if r["config"] == config and "rounds" in r]
        if not rows:
            continue
        walls = [r["wall_s"] for r in rows]
        last = rows[-1]
        steps = last["rounds"]
        checks = [r["check"]["solve_s"] for r in rows if "check" in r]

        def each(key: str, steps: list[dict[str, Any]] = steps) -> str:
            return ", ".join(f"{s[key]:.0f}" + (" (bound)" if key == "check_s" and s.get("bound") else "")
                             for s in steps)  # fmt: skip

        lines.append(
            f"| `{config}` | {len(rows)} | {', '.join(f'{w:.0f}' for w in walls)} "
            f"(median **{statistics.median(walls):.0f}**) | {len(steps)} | {each('periods')} | "
            f"{each('solve_s')} | {each('check_s')} | "
            f"{', '.join(f'{c:.0f}' for c in checks) or '-'} | {last['objective'] / 1e9:.2f} | "
            f"{last['cfe_full_year']:.3%} | {'yes' if last['met'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", nargs="+", default=list(PALETTES))
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--set", nargs="*", default=[], help="config overrides for every run")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "siting-palettes")
    p.add_argument("--results", type=Path, default=HERE / "results")
    p.add_argument("--report", nargs="+", type=Path, help="print the table of result files")
    a = p.parse_args(argv)
    if a.report:
        print(table([r for f in a.report for r in json.loads(f.read_text())["results"]]))
        return 0
    a.work.mkdir(parents=True, exist_ok=True)
    t0, rows = time.perf_counter(), []
    for rep in range(a.repeat):
        order = a.configs if rep % 2 == 0 else a.configs[::-1]
        for config in order:
            rows.append({"repeat": rep} | run_palette(config, a.work, a.set))
            r = rows[-1]
            print(f"{config} repeat {rep}: {r['wall_s']:.0f} s, exit {r['exit_code']}, "
                  f"CFE {r.get('cfe_full_year')}", flush=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    from speed import _machine

    out = {"created_utc": stamp, "total_s": time.perf_counter() - t0, "machine": _machine(),
           "overrides": a.set, "results": rows}  # fmt: skip
    a.results.mkdir(parents=True, exist_ok=True)
    path = a.results / f"palettes-{stamp}.json"
    path.write_text(json.dumps(out, indent=2))
    print(table(rows))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
