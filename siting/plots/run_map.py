"""The run map: chosen sites sized by MW over zones shaded by new clean capacity, links by use.

Drawn in EPSG:3035 from the run's own result layers, so ``siting plot RUN`` redraws exactly
what ``siting run`` drew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.plots.style import (
    EXISTING_COLOUR,
    IDLE_COLOUR,
    LAND_COLOUR,
    LINK_COLOUR,
    MW_PER_PT2,
    NEW_COLOUR,
    OUTLINE_COLOUR,
    SEA_COLOUR,
    SERVICE_COLOUR,
    credit,
    fmt_eur,
    frame_map,
    halo,
    marker_area,
    padded_extent,
    pyplot,
)  # fmt: skip

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure


def map_title(summary: Mapping[str, Any], name: str) -> str:
    """Two-line title: scenario, target and cost, matching rule."""
    base = summary.get("baseline_it_mw") or 0.0
    target = summary.get("target_it_mw") or 0.0
    mult = target / base if base else float("nan")
    cfe = summary.get("cfe_target", 1.0)
    matching = summary.get("matching", "annual")
    line1 = f"{name}: {target / 1e3:,.1f} GW IT by the deadline ({mult:.0f} x {base / 1e3:,.1f} GW today)"
    score = f"score {summary.get('cfe_score', float('nan')):.1%}"
    full = summary.get("cfe_score_full_year")
    if full is not None:  # the headline is the full-year figure; the days' score is labelled
        years = ", ".join(summary.get("cfe_score_by_year", {})) or "the weather year"
        score = f"{full:.2%} over every hour of {years} ({summary.get('cfe_score', 1.0):.0%} on its days)"
    line2 = (
        f"{matching} carbon-free matching, CFE target {cfe:.0%}, {score}"
        f"  ·  cost {fmt_eur(summary.get('objective_eur_per_yr') or float('nan'))}"
        f"  ·  {summary.get('sites_built', 0)} sites get new capacity"
    )
    return f"{line1}\n{line2}"


def site_handles(mw_per_pt2: float) -> list[Any]:
    """Legend entries for site markers: 100 MW, 500 MW, 1 GW discs and the existing-capacity ring."""
    from matplotlib.lines import Line2D

    sizes = [
        Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(marker_area(mw, mw_per_pt2)),
               markerfacecolor=NEW_COLOUR, alpha=0.72, markeredgecolor="white",
               label=f"{mw:,} MW IT" if mw < 1000 else f"{mw / 1000:g} GW IT")
        for mw in (100, 500, 1000)
    ]  # fmt: skip
    ring = Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="none",
                  markeredgecolor=EXISTING_COLOUR, label="existing capacity (ring)")  # fmt: skip
    return [*sizes, ring]


def link_width(mw: float) -> float:
    """Line width [pt] of a link carrying ``mw`` MW on average."""
    return 0.6 + 3.0 * mw / 2000.0


def plot_run_map(
    zones: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame | None,
    summary: Mapping[str, Any],
    name: str,
    *,
    ax: Any = None,
    extent: tuple[float, float, float, float] | None = None,
    clean_max_gw: float | None = None,
    mw_per_pt2: float = MW_PER_PT2,
    legend: bool = True,
    n_labels: int = 16,
    demand: gpd.GeoDataFrame | None = None,
    service: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Draw the planner's map of one run.

    Parameters
    ----------
    zones
        Zones with ``new_clean_mw`` [MW] (EPSG:3035).
    sites
        Candidates with ``existing_it_mw``, ``new_it_mw`` [MW], optional ``name``.
    links
        Links with ``mean_flow_mw`` [MW] and line geometry, or None.
    summary
        The run's ``summary.json``.
    name
        Scenario name for the title.
    ax, extent, clean_max_gw, mw_per_pt2
        Shared axes, extent [m], colour ceiling [GW] and marker scale, so that several
        runs can be drawn on identical scales.
    demand, service, areas
        Inference demand points, service lines (``served_it_mw`` [MW]) and the reach of
        their RTT budgets (polygons), when the run has a latency constraint.
    """
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 10.5))
    else:
        fig = ax.figure
    ax.set_facecolor(SEA_COLOUR)
    norm, cmap = _shade_zones(ax, zones, clean_max_gw)
    _draw_links(ax, links)
    _draw_service(ax, demand, service, areas)
    total = _draw_sites(ax, sites, mw_per_pt2)
    _draw_labels(ax, sites, total, n_labels)
    frame_map(ax, extent or padded_extent(zones.total_bounds))
    for spine in ax.spines.values():
        spine.set_edgecolor("#b0bec5")
    if legend:
        cb = fig.colorbar(
            plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.035, pad=0.01,
            shrink=0.6,
        )  # fmt: skip
        cb.set_label("New clean generation capacity in zone [GW]")
        _legend(ax, mw_per_pt2, demand, areas)
        ax.set_title(map_title(summary, name), fontsize=10.5, loc="left")
        credit(ax)
    return fig


def _shade_zones(ax: Any, zones: gpd.GeoDataFrame, clean_max_gw: float | None) -> tuple[Any, Any]:
    """Zones filled by new clean capacity [GW]; returns the colour norm and map."""
    from matplotlib.colors import Normalize, to_hex

    plt = pyplot()
    clean_gw = zones["new_clean_mw"].fillna(0.0) / 1e3
    vmax = clean_max_gw if clean_max_gw is not None else max(float(clean_gw.max()), 1.0)
    norm = Normalize(vmin=0.0, vmax=vmax)
    cmap = plt.get_cmap("YlGn")
    fills = [to_hex(cmap(norm(v))) if v > 0 else LAND_COLOUR for v in clean_gw]
    zones.plot(ax=ax, color=fills, edgecolor=OUTLINE_COLOUR, linewidth=0.5, zorder=1)
    return norm, cmap


def _draw_links(ax: Any, links: gpd.GeoDataFrame | None) -> None:
    """Links with a mean flow above 1 MW, wider for more use."""
    if links is None or not len(links):
        return
    use = links[links["mean_flow_mw"] > 1.0]
    for geom, mw in zip(use.geometry, use["mean_flow_mw"], strict=True):
        xs, ys = geom.xy
        ax.plot(
            xs, ys, color=LINK_COLOUR, linewidth=link_width(mw), alpha=0.55,
            solid_capstyle="round", zorder=2,
        )  # fmt: skip


def _draw_sites(ax: Any, pts: gpd.GeoDataFrame, mw_per_pt2: float) -> np.ndarray:
    """Idle candidates as dots, built sites as discs by total MW, existing MW as rings."""
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    idle = ((pts["new_it_mw"] <= 0) & (pts["existing_it_mw"] <= 0)).to_numpy()
    ax.scatter(x[idle], y[idle], s=4, color=IDLE_COLOUR, zorder=3, linewidths=0)
    has_new = pts["new_it_mw"].to_numpy() > 0
    total = (pts["existing_it_mw"] + pts["new_it_mw"]).to_numpy()
    ax.scatter(
        x[has_new], y[has_new], s=marker_area(total[has_new], mw_per_pt2), color=NEW_COLOUR,
        alpha=0.72, edgecolor="white", linewidth=0.6, zorder=4,
    )  # fmt: skip
    existing = pts["existing_it_mw"].to_numpy()
    has_old = existing > 0
    ax.scatter(
        x[has_old], y[has_old], s=marker_area(existing[has_old], mw_per_pt2), facecolor="none",
        edgecolor=EXISTING_COLOUR, linewidth=1.2, zorder=5,
    )  # fmt: skip
    return total


def _draw_labels(ax: Any, pts: gpd.GeoDataFrame, total: np.ndarray, n_labels: int) -> None:
    """Name and capacity of the largest sites, spaced so that no two labels collide."""
    label_col = "name" if "name" in pts.columns else "site_id"
    outline = halo()
    for geom, label, mw in label_choice(pts, total, label_col, n_labels):
        text = f"{label}\n{mw / 1e3:.1f} GW" if mw >= 1000 else f"{label}\n{mw:.0f} MW"
        ax.annotate(
            text, (geom.x, geom.y), xytext=(6, 5), textcoords="offset points", fontsize=7,
            color="#212121", path_effects=outline, zorder=6,
        )  # fmt: skip


def _legend(
    ax: Any, mw_per_pt2: float, demand: gpd.GeoDataFrame | None, areas: gpd.GeoDataFrame | None
) -> None:
    from matplotlib.lines import Line2D

    handles = site_handles(mw_per_pt2)
    handles.append(
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=IDLE_COLOUR,
               label="candidate, not built")
    )  # fmt: skip
    handles += [
        Line2D([], [], color=LINK_COLOUR, alpha=0.55, linewidth=link_width(mw),
               label=f"link use {mw:,} MW (mean)")
        for mw in (250, 1000)
    ]  # fmt: skip
    if demand is not None and len(demand):
        handles += _service_handles(areas)
    ax.legend(
        handles=handles, loc="upper left", fontsize=8,
        title="Data-centre sites (total IT capacity)", title_fontsize=8, frameon=True,
        framealpha=0.92, borderpad=0.9, labelspacing=1.2,
    )  # fmt: skip


def _draw_service(
    ax: Any,
    demand: gpd.GeoDataFrame | None,
    service: gpd.GeoDataFrame | None,
    areas: gpd.GeoDataFrame | None,
) -> None:
    """Reach of each RTT budget (dashed), service lines and the demand points."""
    if demand is None or not len(demand):
        return
    if areas is not None and len(areas):
        areas.boundary.plot(
            ax=ax, color=SERVICE_COLOUR, linewidth=0.5, linestyle=(0, (4, 3)), alpha=0.35, zorder=2
        )
    if service is not None and len(service):
        for geom, mw in zip(service.geometry, service["served_it_mw"], strict=True):
            xs, ys = geom.xy
            ax.plot(
                xs, ys, color=SERVICE_COLOUR, linewidth=0.4 + 1.6 * min(mw, 1000.0) / 1000.0,
                alpha=0.6, zorder=3,
            )  # fmt: skip
    ax.scatter(
        demand.geometry.x, demand.geometry.y, marker="*", s=36, color=SERVICE_COLOUR,
        edgecolor="white", linewidth=0.4, zorder=6,
    )  # fmt: skip


def _service_handles(areas: gpd.GeoDataFrame | None) -> list[Any]:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [], [], linestyle="none", marker="*", markersize=8, color=SERVICE_COLOUR,
            label="inference demand (metro)",
        ),
        Line2D([], [], color=SERVICE_COLOUR, linewidth=1.2, alpha=0.6, label="served from (IT MW)"),
    ]  # fmt: skip
    if areas is not None and len(areas):
        ms = sorted(set(float(x) for x in areas["max_rtt_ms"]))
        budget = f"{ms[0]:g} ms" if len(ms) == 1 else f"{ms[0]:g}-{ms[-1]:g} ms"
        handles.append(
            Line2D(
                [], [], color=SERVICE_COLOUR, linewidth=0.8, linestyle=(0, (4, 3)), alpha=0.5,
                label=f"reach of the {budget} RTT budget",
            )
        )  # fmt: skip
    return handles


def label_choice(
    pts: Any, total: np.ndarray, label_col: str, n: int, spacing_m: float = 180_000.0
) -> list[tuple[Any, str, float]]:
    """Sites to label: the largest in each zone first (largest zones first), then by size.

    A site within ``spacing_m`` of a label already placed is skipped, so labels stay readable.
    """
    order = list(np.argsort(-total, kind="stable"))
    zone = pts["zone_id"].to_numpy() if "zone_id" in pts.columns else np.arange(len(pts))
    firsts, seen = [], set()
    for i in order:
        if total[i] > 0 and zone[i] not in seen:
            seen.add(zone[i])
            firsts.append(i)
    zone_total = {z: total[zone == z].sum() for z in seen}
    firsts.sort(key=lambda i: -zone_total[zone[i]])
    chosen: list[tuple[Any, str, float]] = []
    for i in firsts + [i for i in order if i not in set(firsts)]:
        if total[i] <= 0 or len(chosen) >= n:
            continue
        geom = pts.geometry.iloc[i]
        if all(geom.distance(g) >= spacing_m for g, _, _ in chosen):
            chosen.append((geom, str(pts[label_col].iloc[i]), float(total[i])))
    return chosen
