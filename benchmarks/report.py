"""Turn a benchmark result into the Markdown table and scaling figure of benchmarks/README.md."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


TIMES = ("read_s", "build_s", "build_warm_s", "pass_s", "solve_s", "write_s", "peak_mb")


def summarise(out: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per instance and method: the median of each time over repeats.

    A row also carries ``runs`` (how many measurements) and ``solve_all`` (every solve time
    [s], in the order measured), so a table can show the scatter behind a median.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in out["results"]:
        groups.setdefault((r["instance"], r["method"]), []).append(r)
    rows = []
    for rs in groups.values():
        ok = [r for r in rs if "error" not in r]
        if not ok:
            rows.append(rs[0])
            continue
        row = dict(ok[0])
        for k in TIMES:
            vals = [r[k] for r in ok if k in r]
            if vals:
                row[k] = statistics.median(vals)
        row["runs"] = len(ok)
        row["solve_all"] = [r["solve_s"] for r in ok if "solve_s" in r]
        rows.append(row)
    return rows


def table(out: dict[str, Any]) -> str:
    """Markdown: one row per instance and method (medians over repeats)."""
    head = (
        "| instance | method | columns | rows | nonzeros | read [s] | build [s] | build warm [s] | "
        "pass [s] | solve [s] | write [s] | total [s] | peak [MB] | objective | status |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in summarise(out):
        if "error" in r:
            lines.append(f"| {r['instance']} | {r['method']} | error: {r['error']} |" + " |" * 12)
            continue
        total = sum(r.get(k, 0.0) for k in ("read_s", "build_s", "pass_s", "solve_s", "write_s"))
        if r["method"] != "siting":
            total -= r.get("read_s", 0.0)  # the references start from the instance
        lines.append(
            f"| {r['instance']} | {r['method']} | {r.get('columns', 0):,} | {r.get('rows', 0):,} | "
            f"{r.get('nonzeros', 0):,} | {_f(r.get('read_s')) if r['method'] == 'siting' else '-'} | "
            f"{_f(r.get('build_s'))} | {_f(r.get('build_warm_s'))} | {_f(r.get('pass_s'))} | {_f(r.get('solve_s'))} | "
            f"{_f(r.get('write_s'))} | {_f(total)} | {r.get('peak_mb', 0):,.0f} | "
            f"{r.get('objective', float('nan')):.6e} | {r.get('status', 'not solved')} |"
        )
    return head + "\n".join(lines) + "\n"


def ratios(out: dict[str, Any]) -> str:
    """The acceptance ratios per instance: build+pass vs linopy, share of end to end, solve."""
    by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in summarise(out):
        if "error" not in r:
            by.setdefault(r["instance"], {})[r["method"]] = r
    lines = [
        "| instance | siting build+pass | linopy build+pass | matrix build+pass | siting / linopy | "
        "siting / linopy, warm builds | build+pass share of siting end to end | "
        "solve siting / matrix | solves siting; matrix [s] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in by.items():
        s = m.get("siting")
        if not s:
            continue
        bp = s.get("build_s", 0.0) + s.get("pass_s", 0.0)
        lin = m.get("linopy", {})
        mat = m.get("matrix", {})
        lbp = lin.get("build_s", math.nan) + lin.get("pass_s", math.nan)
        mbp = mat.get("build_s", math.nan) + mat.get("pass_s", math.nan)
        warm = (s.get("build_warm_s", math.nan) + s.get("pass_s", math.nan)) / (
            lin.get("build_warm_s", math.nan) + lin.get("pass_s", math.nan)
        )
        e2e = sum(s.get(k, 0.0) for k in ("read_s", "build_s", "pass_s", "solve_s", "write_s"))
        solve_ratio = (
            s["solve_s"] / mat["solve_s"] if "solve_s" in s and mat.get("solve_s") else math.nan
        )
        lines.append(
            f"| {name} | {_f(bp)} s | {_f(lbp)} s | {_f(mbp)} s | {_f(bp / lbp)} x | {_f(warm)} x | "
            f"{_f(100 * bp / e2e, 1)} % | {_f(solve_ratio)} x | {_spread(s)}; {_spread(mat)} |"
        )
    return "\n".join(lines) + "\n"


def _spread(r: dict[str, Any]) -> str:
    return ", ".join(_f(x, 1) for x in r.get("solve_all", [])) or "-"


def figure(out: dict[str, Any], path: Path) -> None:
    """Log-log: build+pass and solve time against nonzeros, per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.4), dpi=130)
    colours = {"siting": "#c2185b", "matrix": "#37474f", "linopy": "#1565c0"}
    for method, colour in colours.items():
        rows = [
            r
            for r in summarise(out)
            if r.get("method") == method and "error" not in r and r.get("nonzeros")
        ]
        rows.sort(key=lambda r: r["nonzeros"])
        x = [r["nonzeros"] for r in rows]
        ax1.loglog(
            x,
            [r.get("build_s", 0) + r.get("pass_s", 0) for r in rows],
            "o-",
            color=colour,
            label=method,
        )
        solved = [r for r in rows if "solve_s" in r]
        ax2.loglog(
            [r["nonzeros"] for r in solved],
            [r["solve_s"] for r in solved],
            "o-",
            color=colour,
            label=method,
        )
        limited = [r for r in solved if str(r.get("status", "")).lower() != "optimal"]
        if limited:  # stopped by the time limit: a lower bound on the solve time
            ax2.scatter(
                [r["nonzeros"] for r in limited],
                [r["solve_s"] for r in limited],
                s=90,
                facecolor="none",
                edgecolor="black",
                zorder=5,
                label="time limit reached" if method == "siting" else None,
            )
    ax1.set_title("Model build + pass to HiGHS", fontsize=10, loc="left")
    ax2.set_title(
        "HiGHS solve (same options; lines join instances by size)", fontsize=10, loc="left"
    )
    for ax in (ax1, ax2):
        ax.set_xlabel("Nonzeros in the constraint matrix")
        ax.set_ylabel("Wall time [s]")
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(HERE.parent))
    except ValueError:  # results kept outside the repository
        return str(path)


def update_readme(out: dict[str, Any], result_path: Path) -> None:
    """Replace the generated part of benchmarks/README.md and redraw the figure."""
    suffix = "-quick" if result_path.stem.endswith("-quick") else ""
    fig_name = f"scaling{suffix}.png"
    figure(out, HERE / fig_name)
    m = out["machine"]
    pk = m["packages"]
    body = (
        f"{START}\n"
        f"Measured {out['created_utc']} ({'quick set' if suffix else 'full set'}, "
        f"{out['total_s']:.0f} s in all"
        f"{'' if out.get('repeat', 1) == 1 else ', medians of ' + str(out['repeat']) + ' runs'})"
        f" on {m['platform']}, {m['cpus']} CPUs, "
        f"{m['memory_gb']} GB, Python {m['python']}, PuLP {pk['pulp']}, highspy {pk['highspy']}, "
        f"linopy {pk['linopy']}. Raw results: `{_shown(result_path)}`.\n\n"
        + ratios(out)
        + "\n"
        + table(out)
        + f"\n![Scaling]({fig_name})\n{END}"
    )
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    marker_start = START if not suffix else START.replace("start", "quick-start")
    marker_end = END if not suffix else END.replace("end", "quick-end")
    body = body.replace(START, marker_start).replace(END, marker_end)
    if marker_start in text and marker_end in text:
        i, j = text.index(marker_start), text.index(marker_end) + len(marker_end)
        text = text[:i] + body + text[j:]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    readme.write_text(text, encoding="utf-8")
