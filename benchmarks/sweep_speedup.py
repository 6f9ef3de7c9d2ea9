"""Speed-up of a 2-worker Dask sweep over solving the same scenarios one after another.

Usage::

    python benchmarks/sweep_speedup.py [--config configs/europe-2030.yaml] [--values 150 200 250 300]

Each value of ``target.increase_pct`` is one scenario. Sequential: ``siting.commands.pipeline.run`` in
this process, one scenario after another. Parallel: ``siting.commands.sweeps.run_sweep`` on a local
cluster of 2 worker processes (cluster start-up included). Writes
``benchmarks/results/sweep_speedup_<config>.json`` and prints a Markdown row.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import yaml

from siting.commands.pipeline import run
from siting.commands.sweeps import run_sweep

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--config", type=Path, default=HERE.parent / "configs" / "europe-2030.yaml")
    ap.add_argument("--key", default="target.increase_pct", help="config key swept")
    ap.add_argument("--values", type=float, nargs="+", default=[150, 200, 250, 300, 350, 400])
    args = ap.parse_args()
    cfg = args.config.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        t0 = time.perf_counter()
        for v in args.values:
            run(
                cfg,
                out=tmp_path / "seq",
                overrides=[f"{args.key}={v:g}", f"name=seq-{v:g}"],
            )
        sequential = time.perf_counter() - t0

        sweep = tmp_path / "bench-sweep.yaml"  # an absolute base path works from anywhere
        sweep.write_text(
            yaml.safe_dump(
                {
                    "name": "bench",
                    "base": str(cfg),
                    "grid": {args.key: list(args.values)},
                }
            )
        )
        t0 = time.perf_counter()
        _, table = run_sweep(sweep, tmp_path / "par", workers=2, quiet=True)
        parallel = time.perf_counter() - t0
        assert set(table["status"]) <= {"optimal", "feasible"}, table[["scenario", "status"]]
    result = {
        "config": str(args.config),
        "key": args.key,
        "scenarios": len(args.values),
        "sequential_s": round(sequential, 2),
        "two_workers_s": round(parallel, 2),
        "speedup": round(sequential / parallel, 2),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "versions": {p: version(p) for p in ("siting", "pulp", "highspy", "distributed")},
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"sweep_speedup_{args.config.stem}.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(json.dumps(result, indent=2))
    print(
        f"| {args.config.name} | {args.key} | {len(args.values)} | "
        f"{sequential:.1f} s | {parallel:.1f} s | {sequential / parallel:.2f} x |"
    )


if __name__ == "__main__":
    main()
