"""Tables and figure of the speed benchmark (``benchmarks/speed.py``) for benchmarks/README.md.

Medians over repeats, every single time alongside, so the scatter behind a median shows.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START, END = "<!-- speed:start -->", "<!-- speed:end -->"
Row = dict[str, Any]


def _rows(outs: Iterable[dict[str, Any]], series: str) -> list[Row]:
    return [r for out in outs for r in out["results"] if r.get("series") == series]


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def _times(xs: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in xs)


def _bn(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{x / 1e9:.4f}"


def _pct(x: float | None, digits: int = 3) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f} %"


def fitted_exponent(days: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(days) [-]."""
    n = len(days)
    if n < 2:
        return math.nan
    x, y = [math.log(d) for d in days], [math.log(s) for s in seconds]
    mx, my = sum(x) / n, sum(y) / n
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum(
        (a - mx) ** 2 for a in x
    )


def scaling_table(rows: list[Row]) -> str:
    """Per config: warnings, solve times and optimum with the scaling on and off."""
    out = [
        "| config | columns | integer | scaling warnings off / on | solve off [s] | solve on [s] "
        "| median on / off | objective off / on [bn EUR/yr] | difference | MIP gap on |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cfg in dict.fromkeys(r["config"] for r in rows if "config" in r):
        on = [r for r in rows if r.get("config") == cfg and r["scaling"]]
        off = [r for r in rows if r.get("config") == cfg and not r["scaling"]]
        if not on or not off:
            continue
        t_on, t_off = [r["solve_s"] for r in on], [r["solve_s"] for r in off]
        o_on, o_off = on[0]["objective"], off[0]["objective"]
        out.append(
            f"| {cfg} | {on[0]['columns']:,} | {on[0]['integers']} "
            f"| {max(r['scaling_warnings'] for r in off)} / {max(r['scaling_warnings'] for r in on)} "
            f"| {_times(t_off)} | {_times(t_on)} | {_med(t_on) / _med(t_off):.2f} x "
            f"| {_bn(o_off)} / {_bn(o_on)} | {_pct(abs(o_on - o_off) / abs(o_off), 4)} "
            f"| {_pct(max(r['mip_gap'] for r in on))} |"
        )
    return "\n".join(out)


def algorithm_table(rows: list[Row]) -> str:
    out = [
        "| lp_algorithm | HiGHS runs | status | solve [s] | objective [bn EUR/yr] | MIP gap |",
        "|---|---|---|---|---|---|",
    ]
    for choice in dict.fromkeys(r["choice"] for r in rows if "choice" in r):
        rs = [r for r in rows if r.get("choice") == choice]
        r = rs[0]
        out.append(
            f"| `{choice}` | {r['algorithm']} | {r['status']} ({r['termination']}) "
            f"| {_times([x['solve_s'] for x in rs])} | {_bn(r['objective'])} | {_pct(r['mip_gap'])} |"
        )
    return "\n".join(out)


def linked_table(rows: list[Row]) -> tuple[str, float]:
    """Solve time per number of linked days and the exponent fitted to the finished solves."""
    out = [
        "| linked days | columns | rows | status | solve [s] | objective [bn EUR/yr] | MIP gap |",
        "|---|---|---|---|---|---|---|",
    ]
    done: dict[int, list[float]] = {}
    for d in sorted({r["days"] for r in rows if "days" in r and "error" not in r}):
        rs = [r for r in rows if r.get("days") == d and "error" not in r]
        if not rs:
            continue
        r = rs[0]
        finished = [x["solve_s"] for x in rs if x["status"] == "optimal"]
        if finished:
            done[d] = finished
        out.append(
            f"| {d} | {r['columns']:,} | {r['rows']:,} | {r['status']} ({r['termination']}) "
            f"| {_times([x['solve_s'] for x in rs])} | {_bn(r['objective'])} | {_pct(r['mip_gap'])} |"
        )
    days = sorted(done)
    k = fitted_exponent([float(d) for d in days], [_med(done[d]) for d in days])
    return "\n".join(out), k


def guarantee_table(rows: list[Row]) -> str:
    out = [
        "| round | periods | solve [s] | full-year check [s] | cost [bn EUR/yr] | full-year CFE |",
        "|---|---|---|---|---|---|",
    ]
    for g in rows:
        for i, s in enumerate(g.get("rounds", []), start=1):
            out.append(
                f"| {i} | {s['periods']} | {s['solve_s']:.1f} | {s['check_s']:.1f} "
                f"| {_bn(s['objective_eur_per_yr'])} | {_pct(s['cfe_full_year'], 2)} |"
            )
        met = "met" if g.get("met") else "not met"
        out.append(
            f"| **end to end** | | | | exit {g['exit_code']}, guarantee {met} "
            f"| **{g['wall_s']:.0f} s ({g['wall_s'] / 60:.1f} min)** |"
        )
    return "\n".join(out)


def check_table(rows: list[Row]) -> str:
    out = [
        "| start | columns | rows | solve [s] | of which windows [s] | simplex iterations "
        "| residual grid [MWh] |",
        "|---|---|---|---|---|---|---|",
    ]
    for blocks in sorted({r["warm_blocks"] for r in rows if "warm_blocks" in r}):
        rs = [r for r in rows if r.get("warm_blocks") == blocks]
        r = rs[0]
        name = "from scratch" if blocks == 1 else f"warm, {blocks} windows"
        windows = _times([x["windows_s"] for x in rs]) if blocks > 1 else ""
        out.append(
            f"| {name} | {r['columns']:,} | {r['rows']:,} | {_times([x['solve_s'] for x in rs])} "
            f"(median {_med([x['solve_s'] for x in rs]):.1f}) | {windows} "
            f"| {r['iterations']:,} | {r['residual_mwh']:,.1f} |"
        )
    return "\n".join(out)


def figure(rows: list[Row], path: Path) -> float:
    """Median solve time against linked days, log-log, with the fitted exponent."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    days = sorted({r["days"] for r in rows if r.get("status") == "optimal"})
    med = [_med([r["solve_s"] for r in rows if r.get("days") == d and r["status"] == "optimal"])
           for d in days]  # fmt: skip
    k = fitted_exponent([float(d) for d in days], med)
    cut = [r for r in rows if "days" in r and r.get("status") not in ("optimal", None)]
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    ax.loglog(days, med, "o", color="#1f5f8b", label="median solve to the MIP gap")
    if cut:
        ax.loglog([r["days"] for r in cut], [r["solve_s"] for r in cut], "^", color="#b5483b",
                  label="stopped at the time limit (a lower bound)")  # fmt: skip
    if len(days) >= 2:
        import numpy as np

        grid = np.geomspace(min(days), max(days), 20)
        ax.loglog(grid, med[0] * (grid / days[0]) ** k, "-", color="#1f5f8b", alpha=0.5,
                  label=f"fit: time ~ days^{k:.2f}")  # fmt: skip
        ax.loglog(grid, med[0] * grid / days[0], ":", color="grey", label="linear (exponent 1)")
    ticks = sorted({r["days"] for r in rows if "days" in r})
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(ticks, [str(d) for d in ticks])
    ax.set_xlabel("representative days (europe-2030-247, storage linked across days)")
    ax.set_ylabel("solve time [s]")
    ax.set_title("Solve time against linked days (2-core reference machine)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return k


def section(outs: list[dict[str, Any]], files: list[Path]) -> str:
    """The README section: one table per series that the results hold."""
    m = outs[0]["machine"]
    parts = [
        f"Measured {', '.join(o['created_utc'] for o in outs)} on {m['platform']}, {m['cpus']} "
        f"CPUs, Python {m['python']}, highspy {m['highspy']}, PuLP {m['pulp']}. Raw results: "
        + ", ".join(f"`benchmarks/results/{f.name}`" for f in files)
        + "."
    ]
    if rows := _rows(outs, "scaling"):
        parts += ["**Scaling** (guarantee off; 24/7 at 12 days):", scaling_table(rows)]
    if rows := _rows(outs, "algorithm"):
        parts += ["**LP algorithm**, `europe-2030-247` at 12 linked days:", algorithm_table(rows)]
    if rows := _rows(outs, "linked"):
        groups: dict[tuple[str, ...], list[Row]] = {}
        for r in rows:
            groups.setdefault(tuple(r.get("set", [])), []).append(r)
        best = max(groups.values(), key=lambda g: sum(r.get("status") == "optimal" for r in g))
        for extra, group in groups.items():
            text, k = linked_table(group)
            fit = f"**{k:.2f}**" if math.isfinite(k) else "not fitted, fewer than two finished"
            label = ", ".join(f"`{x}`" for x in extra) or "the shipped settings"
            parts += [f"**Linked days**, {label} (fitted exponent: {fit}):", text]
        figure(best, HERE / "periods.png")
        shown = ", ".join(f"`{x}`" for x in best[0].get("set", [])) or "the shipped settings"
        parts.append(f"![Solve time against linked days](periods.png)\n\nThe figure: {shown}.")
    if rows := _rows(outs, "guarantee"):
        parts += ["**Guarantee end to end** (`siting run configs/europe-2030-247.yaml`):",
                  guarantee_table(rows)]  # fmt: skip
    if rows := _rows(outs, "check"):
        parts += ["**Full-year check** of the guarantee run's final plan:", check_table(rows)]
    if rows := _rows(outs, "large"):
        r = rows[0]
        parts.append(
            f"**Large synthetic** (300 x 2,000 x 168, {r.get('columns', 0):,} columns): "
            f"{r.get('status', r.get('error'))} after {r.get('solve_s', math.nan):.0f} s "
            f"(limit {r['time_limit_s']:.0f} s), objective {_bn(r.get('objective'))} bn EUR/yr."
        )
    return "\n\n".join(parts)


def update_readme(outs: list[dict[str, Any]], files: list[Path]) -> None:
    """Replace the text between the ``speed`` markers of benchmarks/README.md."""
    readme = HERE / "README.md"
    text = readme.read_text()
    body = f"{START}\n{section(outs, files)}\n{END}"
    if START in text:
        head, rest = text.split(START, 1)
        text = head + body + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Speed (issue 18)\n\n" + body + "\n"
    readme.write_text(text)
