"""The sweep figure: cost and sites against the swept parameter, and the cost-CFE frontier."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from siting.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_sweep(table: Any, params: list[str], name: str) -> Figure:
    """Cost per MWh and sites built against the swept parameter; cost against CFE score.

    Parameters
    ----------
    table
        ``sweep.csv`` rows (solved ones are drawn).
    params
        Swept config keys; the CFE target (if swept) or the first key is the x axis and
        the next key, if any, separates the lines.
    """
    from matplotlib.ticker import MaxNLocator

    plt = pyplot()
    ok = table[table["status"].isin(["optimal", "feasible"])].copy()
    x = (
        "carbon.cfe_target"
        if "carbon.cfe_target" in params
        else (params[0] if params else "scenario")
    )
    hue = next((p for p in params if p != x), None)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    groups = ok.groupby(hue) if hue else [(None, ok)]
    for key, g in groups:
        g = g.sort_values(x) if x in g.columns else g
        label = f"{hue} = {key}" if hue else None
        xs = g[x] if x in g.columns else g["scenario"]
        axes[0].plot(xs, g["cost_per_mwh_load_eur"], marker="o", label=label)
        axes[1].plot(xs, g["sites_built"], marker="o", label=label)
        axes[2].plot(g["cfe_score"] * 100, g["cost_per_mwh_load_eur"], marker="o", label=label)
    axes[0].set(
        xlabel=x,
        ylabel="Cost per MWh of data-centre load [EUR/MWh]",
        title="Cost against the swept parameter",
    )
    axes[1].set(xlabel=x, ylabel="Sites with new capacity [-]", title="Sites built")
    axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[2].set(
        xlabel="Achieved CFE score under the run's own matching rule [%]",
        ylabel="Cost per MWh of data-centre load [EUR/MWh]",
        title="Cost against CFE: the frontier",
    )
    for ax in axes:
        ax.grid(color="#eeeeee")
        if hue:
            ax.legend(fontsize=8)
    failed = len(table) - len(ok)
    fig.suptitle(
        f"Sweep {name}: {len(ok)} scenarios solved" + (f", {failed} failed" if failed else ""),
        fontsize=11,
    )
    fig.tight_layout()
    return fig
