"""The alternatives figure: site classes across near-optimal plans, their cost and overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from siting.plots.style import (
    LAND_COLOUR,
    OUTLINE_COLOUR,
    SEA_COLOUR,
    credit,
    frame_map,
    halo,
    padded_extent,
    pyplot,
)  # fmt: skip

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

CLASS_STYLE: dict[str, tuple[str, str, float]] = {
    # class: (colour, label, marker size [pt^2])
    "must-have": ("#b71c1c", "must-have (in every plan)", 70.0),
    "frequent": ("#ef6c00", "frequent (at least half the plans)", 42.0),
    "rare": ("#fdd835", "rare (in some plans)", 24.0),
    "never": ("#9e9e9e", "never built", 5.0),
}


def plot_alternatives(
    zones: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    frequency: Any,
    plans: Any,
    name: str,
    slack: float,
    must_have: list[str],
    countries: Any = None,
) -> Figure:
    """Map of site classes across near-optimal plans, with each plan's cost and overlap.

    Parameters
    ----------
    zones, sites
        Input layers (EPSG:3035).
    frequency
        ``site_frequency.csv`` content (``site_id``, ``plans_built``, ``share``, ``class``).
    plans
        ``alternatives.csv`` content (``plan``, ``cost_increase``, ``jaccard_to_optimal``,
        ``sites_built``).
    slack
        Cost slack the plans were held to [-].
    countries
        New IT capacity per country and plan [MW] with ``min_mw`` and ``max_mw``.
    """
    plt = pyplot()
    fig = plt.figure(figsize=(14, 9.5))
    ax = fig.add_axes((0.01, 0.04, 0.64, 0.88))
    _class_map(ax, zones, sites, frequency, must_have)
    _class_legend(ax, frequency, len(plans), slack)
    ax.set_title(
        f"{name}: near-optimal siting plans - which sites are essential, which interchangeable",
        fontsize=10.5,
        loc="left",
    )
    credit(
        ax,
        "ETRS89-LAEA (EPSG:3035). Outlines: Made with Natural Earth. Must-have sites are labelled.",
    )
    _plan_bars(fig.add_axes((0.71, 0.56, 0.27, 0.32)), plans, slack)
    if countries is not None and len(countries):
        _country_ranges(fig.add_axes((0.71, 0.07, 0.27, 0.38)), countries)
    return fig


def _class_map(
    ax: Any, zones: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, frequency: Any, must_have: list[str]
) -> None:
    """Every candidate coloured by its class; must-have sites labelled."""
    ax.set_facecolor(SEA_COLOUR)
    zones.plot(ax=ax, color=LAND_COLOUR, edgecolor=OUTLINE_COLOUR, linewidth=0.5, zorder=1)
    pts = sites.merge(frequency, on="site_id", how="left")
    pts["class"] = pts["class"].fillna("never")
    for cls in ("never", "rare", "frequent", "must-have"):
        colour, _, size = CLASS_STYLE[cls]
        sel = pts[pts["class"] == cls]
        ax.scatter(
            sel.geometry.x, sel.geometry.y, s=size, color=colour,
            edgecolor="white" if cls != "never" else "none", linewidth=0.6,
            zorder=3 if cls == "never" else 4,
        )  # fmt: skip
    outline = halo()
    label_col = "name" if "name" in pts.columns else "site_id"
    for _, row in pts[pts["site_id"].isin(must_have)].iterrows():
        ax.annotate(
            str(row[label_col]), (row.geometry.x, row.geometry.y), xytext=(5, 4),
            textcoords="offset points", fontsize=7, path_effects=outline, zorder=6,
        )  # fmt: skip
    frame_map(ax, padded_extent(zones.total_bounds))


def _class_legend(ax: Any, frequency: Any, n_plans: int, slack: float) -> None:
    from matplotlib.lines import Line2D

    counts = frequency["class"].value_counts()
    handles = [
        Line2D(
            [], [], linestyle="none", marker="o", markersize=np.sqrt(size), color=colour,
            label=f"{label}: {int(counts.get(cls, 0))} sites",
        )
        for cls, (colour, label, size) in CLASS_STYLE.items()
    ]  # fmt: skip
    ax.legend(
        handles=handles, loc="upper left", fontsize=8,
        title=f"Sites across {n_plans} plans within +{slack:.0%} of the optimal cost",
        title_fontsize=8, framealpha=0.92, labelspacing=1.0,
    )  # fmt: skip


def _plan_bars(bx: Any, plans: Any, slack: float) -> None:
    """Each plan's cost above the optimum [%], with its site count and overlap."""
    labels = ["optimum" if p == 0 else f"plan {p}" for p in plans["plan"]]
    y = np.arange(len(plans))
    bx.barh(y, plans["cost_increase"] * 100.0, color="#78909c", height=0.6)
    bx.axvline(slack * 100.0, color="#b71c1c", linestyle="--", linewidth=1)
    bx.set_yticks(y, labels, fontsize=8)
    bx.invert_yaxis()
    bx.set_xlabel("Cost above the optimum [%]", fontsize=8)
    bx.tick_params(axis="x", labelsize=8)
    for yi, (inc, jac, n) in enumerate(
        zip(plans["cost_increase"], plans["jaccard_to_optimal"], plans["sites_built"], strict=True)
    ):
        bx.annotate(
            f"{n} sites, Jaccard {jac:.2f}", (max(inc * 100.0, 0.0), yi), xytext=(4, 0),
            textcoords="offset points", va="center", fontsize=7,
        )  # fmt: skip
    bx.set_xlim(0, max(slack * 100.0 * 1.6, 0.5))
    bx.set_title("Plans: cost and overlap with the optimum", fontsize=9, loc="left")
    for spine in ("top", "right"):
        bx.spines[spine].set_visible(False)


def _country_ranges(cx: Any, countries: Any) -> None:
    """New IT capacity per country [GW]: range across plans and the optimum."""
    top = countries.head(14)
    yc = np.arange(len(top))
    cx.hlines(yc, top["min_mw"] / 1e3, top["max_mw"] / 1e3, color="#90a4ae", linewidth=5, alpha=0.8)
    if "plan_0" in top.columns:
        cx.scatter(top["plan_0"] / 1e3, yc, color="#b71c1c", s=18, zorder=3, label="optimum")
    cx.set_yticks(yc, list(top.index), fontsize=8)
    cx.invert_yaxis()
    cx.set_xlabel("New IT capacity in the country [GW]", fontsize=8)
    cx.tick_params(axis="x", labelsize=8)
    cx.set_title("Range across plans (bar) and the optimum (dot)", fontsize=9, loc="left")
    for spine in ("top", "right"):
        cx.spines[spine].set_visible(False)
