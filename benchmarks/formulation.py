"""Formulation effects: the LP-relaxation gap and solve time with and without symmetry rows.

    python benchmarks/formulation.py configs/europe-2030.yaml configs/europe-2030-247.yaml

For each config: the model's size, the LP relaxation's objective, then the MIP solved with
and without the ordering rows among identical candidate sites (siting.model.identical_sites):
objective, gap reached, branch-and-bound nodes and solve time. Results are printed as a
Markdown table and saved to ``benchmarks/results/formulation-<UTC>.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def measure(config: Path) -> list[dict[str, Any]]:
    """LP bound and MIP results with and without symmetry breaking for one config."""
    from siting.commands.pipeline import validate
    from siting.model import build_model, identical_sites
    from siting.solve.solvers import BulkHiGHS, solve

    cfg, _, inst = validate(config)
    groups = identical_sites(inst)
    rows = []
    for sym in (False, True):
        model = build_model(inst, symmetry_breaking=sym)
        lp = BulkHiGHS(
            mip=False, msg=False, timeLimit=cfg.solver.time_limit_s, columns=model.columns
        )
        if inst.n_slices > 1:
            lp.optionsDict = {"solver": "ipm"}
        t = time.perf_counter()
        model.problem.solve(lp)
        lp_s = time.perf_counter() - t
        lp_obj = model.problem.solverModel.getInfo().objective_function_value
        model = build_model(inst, symmetry_breaking=sym)
        res = solve(model, cfg.solver)
        info = model.problem.solverModel.getInfo()
        rows.append(
            {
                "config": config.name,
                "symmetry_rows": sym,
                "identical_groups": len(groups),
                "sites_in_groups": sum(len(g) for g in groups),
                "columns": model.n_variables,
                "rows": model.n_constraints,
                "lp_objective": lp_obj,
                "lp_s": lp_s,
                "mip_objective": res.objective,
                "mip_bound": res.best_bound,
                "mip_gap": res.mip_gap,
                "root_gap": (res.objective - lp_obj) / res.objective,
                "nodes": int(info.mip_node_count),
                "solve_s": res.solve_s,
                "status": res.status.value,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv: list[str]) -> int:
    out = [r for arg in argv for r in measure(Path(arg))]
    print(
        "\n| config | symmetry rows | columns | rows | LP relaxation [EUR/yr] | MIP [EUR/yr] | "
        "root gap | gap reached | nodes | solve [s] |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for r in out:
        print(
            f"| {r['config']} | {'yes' if r['symmetry_rows'] else 'no'} | {r['columns']:,} | "
            f"{r['rows']:,} | {r['lp_objective']:.4e} | {r['mip_objective']:.4e} | "
            f"{r['root_gap']:.2%} | {r['mip_gap']:.3%} | {r['nodes']:,} | {r['solve_s']:.1f} |"
        )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"formulation-{stamp}.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
