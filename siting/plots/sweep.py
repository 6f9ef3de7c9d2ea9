"""The sweep figure: cost and sites against the swept parameter, and a third panel chosen by
what the sweep varies: the cost-CFE frontier where the CFE score moves, else where the new
capacity goes (new IT per country and scenario)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.plots.style import pyplot

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

AXIS_WORDS: dict[str, tuple[str, str]] = {
    # config key: (words, unit); unit "share" is drawn as a percentage
    "carbon.cfe_target": ("Carbon-free energy target", "share"),
    "carbon.matching": ("Matching rule", ""),
    "latency.max_rtt_ms": ("Round-trip-time budget for inference", "ms"),
    "latency.inference_share": ("Inference share of new capacity", "share"),
    "policy.max_country_share": ("Largest share of new capacity in one country", "share"),
    "policy.max_water_stress": ("Highest water stress allowed", "Aqueduct 0-5"),
    "target.increase_pct": ("Compute increase on the baseline", "%"),
    "target.deadline_year": ("Deadline", "year"),
    "economics.carbon_price_eur_per_t": ("Carbon price", "EUR/t CO2"),
    "economics.utilisation": ("Data-centre utilisation", "share"),
    "economics.wheeling_eur_per_mwh": ("Wheeling charge", "EUR/MWh"),
    "weather.representative_days": ("Representative days", "days"),
    "grid_connection.request_year": ("Year the grid connection is requested", "year"),
    "flexibility.temporal_share": ("Share of the load that may move within its day", "share"),
    "flexibility.spatial_share": ("Share of the load that may move between zones", "share"),
    "palette": ("Palette", ""),
}
"""Axis words for the keys sweeps usually vary; other keys take the config schema's words."""
TOP_COUNTRIES = 7
"""Countries drawn by name in the capacity panel; the rest are summed as "other"."""


def axis_words(key: str) -> tuple[str, str]:
    """Words and unit for a swept config key, e.g. ``("Round-trip-time budget for
    inference", "ms")``; from the config schema's description where not listed."""
    if key in AXIS_WORDS:
        return AXIS_WORDS[key]
    from siting.config import Config

    schema = Config.model_json_schema()
    section, _, leaf = key.partition(".")
    props = schema.get("properties", {})
    node = props.get(section, {})
    if leaf and "$ref" in node:
        node = schema["$defs"][node["$ref"].split("/")[-1]].get("properties", {}).get(leaf, {})
    text = (node.get("description") or key).replace("``", "")
    unit = re.search(r"\[([^\]]+)\]", text)
    words = re.split(r"[;.(\[]", text)[0].strip() or key
    return words, unit.group(1) if unit else ""


def axis_label(key: str) -> str:
    """``"Words [unit]"`` for a swept key (shares as %)."""
    words, unit = axis_words(key)
    unit = "%" if unit == "share" else unit
    return f"{words} [{unit}]" if unit and unit != "-" else words


COSTS = {
    "total": ("cost_per_mwh_load_eur", "Cost per MWh of data-centre load [EUR/MWh]", "Cost"),
    "energy": ("energy_cost_per_mwh_load_eur",
               "Energy cost per MWh of data-centre load [EUR/MWh]",
               "Energy cost (clean supply, storage, grid; sites left out)"),
}  # fmt: skip
"""The cost a sweep figure draws: column of ``sweep.csv``, axis label, panel title."""


def plot_sweep(
    table: pd.DataFrame,
    params: list[str],
    name: str,
    countries: pd.DataFrame | None = None,
    cost: str = "total",
    panel: str = "auto",
) -> Figure:
    """Cost per MWh and sites built against the swept parameter, and a third panel.

    Parameters
    ----------
    table
        ``sweep.csv`` rows (solved ones are drawn).
    params
        Swept config keys; the CFE target (if swept) or the first key is the x axis and
        the next key, if any, separates the lines.
    name
        The sweep's name, for the title.
    countries
        New IT capacity [MW] per country (rows) and scenario (columns), for the capacity
        panel when the CFE score does not vary.
    cost
        ``total`` or ``energy`` (:data:`COSTS`).
    panel
        ``auto``: the cost-CFE frontier where the CFE score moves, else where the capacity
        goes; ``full_year``: the CFE over every hour of the checked weather.
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
    share = axis_words(x)[1] == "share" if x != "scenario" else False
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    groups = ok.groupby(hue) if hue else [(None, ok)]
    for key, g in groups:
        g = g.sort_values(x) if x in g.columns else g
        label = f"{axis_words(hue)[0]}: {key}" if hue else None
        xs = g[x] if x in g.columns else g["scenario"]
        xs = xs * 100.0 if share else xs
        axes[0].plot(xs, g[COSTS[cost][0]], marker="o", label=label)
        axes[1].plot(xs, g["sites_built"], marker="o", label=label)
        if panel == "full_year":
            axes[2].plot(xs, g["cfe_score_full_year"] * 100.0, marker="o", label=label)
    xlabel = axis_label(x) if x != "scenario" else "Scenario"
    axes[0].set(xlabel=xlabel, ylabel=COSTS[cost][1], title=COSTS[cost][2])
    axes[1].set(xlabel=xlabel, ylabel="Sites with new capacity [-]", title="Sites built")
    axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))
    cfe_moves = float(np.ptp(ok["cfe_score"].astype(float))) > 1e-3 if len(ok) else False
    if panel == "full_year":
        axes[2].set(xlabel=xlabel, ylabel="CFE over every hour of the weather year [%]",
                    title="Carbon-free share over the full year (guarantee: 99.9 %)")  # fmt: skip
        axes[2].axhline(99.9, color="#9e9e9e", linewidth=0.8, linestyle="--")
        axes[2].grid(color="#eeeeee")
        if hue:
            axes[2].legend(fontsize=8)
    elif cfe_moves or countries is None or not len(countries):
        _frontier(axes[2], groups, hue)
    else:
        _capacity_by_country(axes[2], countries, ok, x, share)
    for ax in axes[:2]:
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


def _frontier(ax: Any, groups: Any, hue: str | None) -> None:
    """Cost against the achieved CFE score, one line per ``hue`` value."""
    for key, g in groups:
        g = g.sort_values("cfe_score")
        label = f"{axis_words(hue)[0]}: {key}" if hue else None
        ax.plot(g["cfe_score"] * 100, g["cost_per_mwh_load_eur"], marker="o", label=label)
    ax.set(xlabel="Achieved CFE score under the run's own matching rule [%]",
           ylabel="Cost per MWh of data-centre load [EUR/MWh]",
           title="Cost against CFE: the frontier")  # fmt: skip
    ax.grid(color="#eeeeee")
    if hue:
        ax.legend(fontsize=8)


def _capacity_by_country(ax: Any, countries: pd.DataFrame, ok: pd.DataFrame, x: str,
                         share: bool) -> None:  # fmt: skip
    """New IT capacity per country, stacked, one bar per scenario in the order of ``x``."""
    order = (
        ok.sort_values(x)["scenario"].astype(str) if x in ok.columns else ok["scenario"].astype(str)
    )
    data = countries.reindex(columns=[s for s in order if s in countries.columns]).fillna(0.0) / 1e3
    top = data.sum(axis=1).sort_values(ascending=False).index[:TOP_COUNTRIES]
    rest = data.drop(index=top).sum(axis=0)
    plt = pyplot()
    colours = plt.get_cmap("tab10").colors
    bottom = np.zeros(data.shape[1])
    values = (
        ok.set_index(ok["scenario"].astype(str)).loc[data.columns, x]
        if x in ok.columns
        else data.columns
    )
    ticks = [_tick(v, share) for v in values]
    for i, country in enumerate([*top, "other"]):
        gw = rest.to_numpy() if country == "other" else data.loc[country].to_numpy()
        if not gw.any():
            continue
        ax.bar(ticks, gw, bottom=bottom, color="#bdbdbd" if country == "other" else colours[i % 10],
               label=country, edgecolor="white", linewidth=0.5)  # fmt: skip
        bottom += gw
    ax.set(xlabel=axis_label(x) if x != "scenario" else "Scenario",
           ylabel="New IT capacity [GW]", title="Where the new capacity goes")  # fmt: skip
    ax.legend(fontsize=7.5, title="country", title_fontsize=8, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False)  # fmt: skip
    ax.set_axisbelow(True)
    ax.grid(color="#eeeeee", axis="y")


def _tick(value: Any, share: bool) -> str:
    """A bar's label: the swept value (a share as %), or the scenario's name."""
    if isinstance(value, int | float | np.integer | np.floating):
        return f"{float(value) * 100 if share else float(value):g}"
    return str(value)
