"""The run map: built sites sized by MW and labelled, the new clean mix per zone as pies,
excluded candidates and policy areas by reason, links by use.

Drawn in EPSG:3035 from the run's own result layers, so ``siting plot RUN`` redraws exactly
what ``siting run`` drew.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.plots.labels import label_points
from siting.plots.routes import clear_route
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
    dot,
    fmt_eur,
    frame_map,
    marker_area,
    padded_extent,
    pyplot,
)  # fmt: skip
from siting.plots.zone_mix import (
    PIE_PT2_PER_GW,
    draw_zone_pies,
    mix_handles,
    size_handles,
    zone_mix_mw,
)
from siting.solution import HOSTING_FULL

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure


TITLE_CHARS = 110
"""Longest title line [characters] that fits the map's width at the title's size."""


def map_title(summary: Mapping[str, Any], name: str) -> str:
    """Two-line title: scenario, target and cost, matching rule."""
    base = summary.get("baseline_it_mw") or 0.0
    target = summary.get("target_it_mw") or 0.0
    mult = target / base if base else float("nan")
    cfe = summary.get("cfe_target", 1.0)
    matching = summary.get("matching", "annual")
    line1 = f"{name}: {target / 1e3:,.1f} GW IT by the deadline ({mult:.0f} x {base / 1e3:,.1f} GW today)"
    compute = summary.get("target") or {}
    per_mw = compute.get("compute_per_new_it_mw") or 1.0
    if abs(per_mw - 1.0) > 1e-9:  # a compute target: the IT multiple is not the compute's
        line1 = (f"{name}: {target / 1e3:,.1f} GW IT by the deadline "
                 f"({compute.get('compute_multiplier', mult):g} x today's compute; "
                 f"a new MW computes {per_mw:.1f} x)")  # fmt: skip
    score = f"score {summary.get('cfe_score', float('nan')):.1%}"
    hourly = summary.get("hourly_cfe_score")
    if matching == "annual" and isinstance(hourly, int | float):
        score += f" (hour by hour {hourly:.1%} on its days)"
    full = summary.get("cfe_score_full_year")
    if full is not None:  # the headline is the full-year figure; the days' score is labelled
        years = ", ".join(summary.get("cfe_score_by_year", {})) or "the weather year"
        by_year = summary.get("cfe_score_by_year", {})
        where = (
            f"every hour of {years}" if len(by_year) < 2 else f"every hour of the worst of {years}"
        )
        score = f"{full:.2%} over {where} ({summary.get('cfe_score', 1.0):.0%} on its days)"
    rule = f"{matching} carbon-free matching, CFE target {cfe:.0%}"
    first = [f"{rule}, {score}"] if len(rule) + len(score) + 2 <= TITLE_CHARS else [rule, score]
    parts = [
        *first,
        f"cost {fmt_eur(summary.get('objective_eur_per_yr') or float('nan'))}",
        f"{summary.get('sites_built', 0)} sites get new capacity",
    ]
    stages = (summary.get("milestones") or {}).get("stages") or []
    if stages:  # a build-out: its milestones, the cost above being the deadline's
        parts.append("milestones " + ", ".join(
            f"{s['year']} +{s['increase_pct']:g} %" for s in stages))  # fmt: skip
    if summary.get("stopped_by"):  # a stopped run's plan is what it had, not its answer
        parts.append(f"stopped by the user ({summary.get('status')})")
    lines = [line1, parts[0]]
    for part in parts[1:]:  # no wider than the map: a long line breaks at its dots
        if len(lines[-1]) + len(part) + 5 <= TITLE_CHARS:
            lines[-1] += f"  ·  {part}"
        else:
            lines.append(part)
    return "\n".join(lines)


CONNECTION_COLOURS = ("#4a148c", NEW_COLOUR, "#ef6c00", "#2e7d32", "#0277bd")
"""New capacity by connection year (a build-out's milestones), earliest first."""


def connection_years(sites: Any) -> list[int]:
    """The milestone years built sites are connected by (empty: not a build-out)."""
    if "connect_year" not in sites.columns:
        return []
    years = sites["connect_year"].dropna().unique()
    return sorted(int(y) for y in years)


def site_colours(sites: Any) -> list[str]:
    """Per site, the colour of its new capacity: by connection year in a build-out."""
    years = connection_years(sites)
    if not years:
        return [NEW_COLOUR] * len(sites)
    colour = {y: CONNECTION_COLOURS[i % len(CONNECTION_COLOURS)] for i, y in enumerate(years)}
    return [colour.get(int(y), NEW_COLOUR) if y == y else NEW_COLOUR
            for y in sites["connect_year"]]  # fmt: skip


def connection_handles(sites: Any) -> list[Any]:
    """Legend entries of a build-out's connection years (empty: not a build-out)."""
    years = connection_years(sites)
    colours = dict(zip(sites["connect_year"], site_colours(sites), strict=True)) if years else {}
    return [dot(f"new capacity connected by {y}", colours[float(y)]) for y in years]


def site_handles(mw_per_pt2: float, colour: str = NEW_COLOUR) -> list[Any]:
    """Legend entries for site markers: 100 MW, 500 MW, 1 GW discs (in ``colour``) and the
    existing-capacity ring."""
    from matplotlib.lines import Line2D

    sizes = [
        Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(marker_area(mw, mw_per_pt2)),
               markerfacecolor=colour, alpha=0.72, markeredgecolor="white",
               label=f"{mw:,} MW IT" if mw < 1000 else f"{mw / 1000:g} GW IT")
        for mw in (100, 500, 1000)
    ]  # fmt: skip
    ring = Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="none",
                  markeredgecolor=EXISTING_COLOUR, label="existing capacity (ring)")  # fmt: skip
    return [*sizes, ring]


def link_width(mw: float) -> float:
    """Line width [pt] of a link carrying ``mw`` MW on average."""
    return 0.6 + 3.0 * mw / 2000.0


EXCLUDED_STYLE = {
    # exclusion code: (marker, colour, legend words)
    "water": ("x", "#0277bd", "excluded: water stress above the limit"),
    "connection": ("+", "#ef6c00", "excluded: no grid connection by the deadline"),
    "moratorium": ("x", "#c62828", "excluded: inside a moratorium"),
    "forbidden": ("x", "#424242", "excluded: forbidden by the config"),
    "forbidden_area": ("x", "#424242", "excluded: inside a forbidden area"),
    "scope": (".", "#bdbdbd", "outside the plan's scope (a trading partner)"),
}
"""How the map draws a candidate that a rule excluded, by its ``exclusion`` code."""
AREA_STYLE = {
    # policy layer: (edge colour, hatch, legend words)
    "moratoria": ("#c62828", "////", "moratorium on new connections"),
    "forbidden_areas": ("#424242", "xxxx", "forbidden area"),
    "forced_areas": ("#2e7d32", "", "forced area (must host a site)"),
}
"""How the map draws the policy polygon layers."""
WATER_COLOUR = "#4fc3f7"
WATER_HATCH = "\\\\\\\\"
HOSTING_COLOUR = "#d84315"  # deep orange: a grid that is full


def plot_run_map(
    zones: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame | None,
    summary: Mapping[str, Any],
    name: str,
    *,
    ax: Any = None,
    extent: tuple[float, float, float, float] | None = None,
    mw_per_pt2: float = MW_PER_PT2,
    pie_pt2_per_gw: float = PIE_PT2_PER_GW,
    legend: bool = True,
    labels: bool = True,
    demand: gpd.GeoDataFrame | None = None,
    service: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    policy_areas: Mapping[str, gpd.GeoDataFrame] | None = None,
    water_limit: float | None = None,
) -> Figure:
    """Draw the planner's map of one run: where, how big, and which clean power.

    Parameters
    ----------
    zones
        Zones with ``new_<tech>_mw``, ``storage_mw`` and ``<store>_mw`` [MW] (EPSG:3035),
        drawn as one pie per zone; ``water_stress`` [Aqueduct 0-5] where known.
    sites
        Candidates with ``existing_it_mw``, ``new_it_mw`` [MW], ``exclusion``, optional ``name``.
    links
        Links with ``mean_flow_mw`` [MW] and line geometry, or None.
    summary
        The run's ``summary.json``.
    name
        Scenario name for the title.
    ax, extent, mw_per_pt2, pie_pt2_per_gw
        Shared axes, extent [m], site marker scale [pt^2/MW] and pie scale [pt^2/GW], so
        that several runs can be drawn on identical scales.
    legend, labels
        Draw the legends and title; label every site with IT capacity (built sites always,
        sites with only existing capacity where a label fits).
    demand, service, areas
        Inference demand points, service lines (``served_it_mw`` [MW]) and the reach of
        their RTT budgets (polygons), when the run has a latency constraint.
    policy_areas
        Moratoria, forbidden and forced areas by layer name, when the run has them.
    water_limit
        ``policy.max_water_stress``: zones above it are hatched.
    """
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 10.5))
    else:
        fig = ax.figure
    ax.set_facecolor(SEA_COLOUR)
    zones.plot(ax=ax, color=LAND_COLOUR, edgecolor=OUTLINE_COLOUR, linewidth=0.5, zorder=1)
    water = _draw_water_stress(ax, zones, water_limit)
    hosting = _draw_hosting(ax, zones)
    drawn_areas = _draw_policy_areas(ax, policy_areas)
    _draw_service(ax, demand, service, areas)
    excluded = _draw_excluded(ax, sites)
    total = _draw_sites(ax, sites, mw_per_pt2)
    frame_map(ax, extent or padded_extent(scope_bounds(zones)))
    _draw_links(ax, links, sites, total, mw_per_pt2)
    for spine in ax.spines.values():
        spine.set_edgecolor("#b0bec5")
    mix = zone_mix_mw(zones)
    keep_clear: list[Any] = []
    if legend:
        keep_clear = [
            _legend(
                ax,
                mw_per_pt2,
                demand,
                areas,
                excluded,
                drawn_areas,
                water_limit if water else None,
                hosting,
                sites,
            ),
            *_mix_legends(ax, mix, pie_pt2_per_gw),
        ]
        ax.set_title(map_title(summary, name), fontsize=10.5, loc="left")
        credit(ax)
    shown = total > 0
    xy = np.column_stack([sites.geometry.x, sites.geometry.y])[shown]
    r_pt = np.sqrt(marker_area(total[shown], mw_per_pt2)) / 2.0
    pies = draw_zone_pies(ax, zones, mix, xy, r_pt, pt2_per_gw=pie_pt2_per_gw,
                          avoid=_data_boxes(ax, keep_clear))  # fmt: skip
    if labels:
        _draw_labels(ax, sites[shown], total[shown], r_pt, keep_clear, list(pies.values()))
    return fig


def _data_boxes(ax: Any, artists: list[Any]) -> Any:
    """The display boxes of ``artists`` (legends) as one shapely geometry in map metres."""
    from shapely.geometry import box
    from shapely.ops import unary_union

    if not artists:
        return None
    renderer = ax.figure.canvas.get_renderer()
    inverse = ax.transData.inverted()
    boxes = []
    for artist in artists:
        (x0, y0), (x1, y1) = inverse.transform(artist.get_window_extent(renderer).get_points())
        boxes.append(box(x0, y0, x1, y1))
    return unary_union(boxes)


def map_options(layers: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, Any]:
    """The optional inputs of :func:`plot_run_map` for a run with result ``layers`` (by
    name, as in ``results.gpkg``) and resolved ``config``: latency layers, policy areas
    and the water-stress limit, each where the run has it."""
    return {
        "demand": layers.get("demand"),
        "service": layers.get("service"),
        "areas": layers.get("service_areas"),
        "policy_areas": {k: layers[k] for k in AREA_STYLE if k in layers} or None,
        "water_limit": (config.get("policy") or {}).get("max_water_stress"),
    }


def _draw_water_stress(ax: Any, zones: gpd.GeoDataFrame, limit: float | None) -> bool:
    """Hatch the zones whose water stress is above ``limit``; True when any is."""
    if limit is None or "water_stress" not in zones.columns:
        return False
    over = zones[zones["water_stress"].astype(float) > limit]
    if not len(over):
        return False
    over.plot(ax=ax, facecolor="none", edgecolor=WATER_COLOUR, hatch=WATER_HATCH, linewidth=0.0,
              zorder=1.2)  # fmt: skip
    return True


def scope_bounds(zones: gpd.GeoDataFrame) -> np.ndarray:
    """The bounds of the zones the plan is for (``in_scope``; all zones without a scope)."""
    if "in_scope" in zones.columns and zones["in_scope"].fillna(False).astype(bool).any():
        return zones[zones["in_scope"].fillna(False).astype(bool)].total_bounds
    return zones.total_bounds


def hosting_full(zones: gpd.GeoDataFrame) -> np.ndarray:
    """Per zone, whether its new data-centre load is at its hosting limit (within 0.5 %)."""
    if "hosting_used" not in zones.columns:
        return np.zeros(len(zones), dtype=bool)
    return (zones["hosting_used"].astype(float).fillna(0.0) >= HOSTING_FULL).to_numpy()


def _draw_hosting(ax: Any, zones: gpd.GeoDataFrame) -> bool:
    """Outline the zones whose grid hosts all the new load it can; True when any does."""
    full = hosting_full(zones)
    if not full.any():
        return False
    zones[full].boundary.plot(ax=ax, color=HOSTING_COLOUR, linewidth=1.6, zorder=1.3)
    return True


def _draw_policy_areas(ax: Any, policy_areas: Mapping[str, gpd.GeoDataFrame] | None) -> list[str]:
    """Moratoria, forbidden and forced areas, hatched or outlined; returns the layers drawn."""
    drawn = []
    for key, gdf in (policy_areas or {}).items():
        if gdf is None or not len(gdf) or key not in AREA_STYLE:
            continue
        colour, hatch, _ = AREA_STYLE[key]
        gdf.plot(ax=ax, facecolor="none", edgecolor=colour, hatch=hatch or None, linewidth=1.0,
                 linestyle="-" if hatch else "--", alpha=0.85, zorder=1.5)  # fmt: skip
        drawn.append(key)
    return drawn


def _draw_excluded(ax: Any, sites: gpd.GeoDataFrame) -> list[str]:
    """Candidates a rule excluded, one marker per reason; returns the reasons drawn."""
    code = _exclusion(sites)
    idle = ((sites["new_it_mw"] <= 0) & (sites["existing_it_mw"] <= 0)).to_numpy()
    drawn = []
    for key, (marker, colour, _) in EXCLUDED_STYLE.items():
        pick = idle & (code == key)
        if pick.any():
            ax.scatter(sites.geometry.x[pick], sites.geometry.y[pick], marker=marker, s=16,
                       color=colour, linewidths=1.0, zorder=3.2)  # fmt: skip
            drawn.append(key)
    return drawn


def _exclusion(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Each candidate's exclusion code, "" where none applies."""
    if "exclusion" not in sites.columns:
        return np.full(len(sites), "", dtype=object)
    return sites["exclusion"].fillna("").astype(str).to_numpy()


def _draw_links(
    ax: Any, links: gpd.GeoDataFrame | None, sites: gpd.GeoDataFrame, total: np.ndarray,
    mw_per_pt2: float,
) -> None:  # fmt: skip
    """Links with a mean flow above 1 MW, wider for more use; a straight link that would
    cross a site's marker is bent around it (:func:`siting.plots.routes.clear_route`), so no
    line reads as feeding a site it passes. Call once the map's extent is set."""
    if links is None or not len(links):
        return
    ax.apply_aspect()
    shown = total > 0
    centres = ax.transData.transform(np.column_stack([sites.geometry.x, sites.geometry.y])[shown])
    radii = np.sqrt(marker_area(total[shown], mw_per_pt2)) / 2.0 * ax.figure.dpi / 72.0
    discs = np.column_stack([centres, radii]) if len(centres) else np.zeros((0, 3))
    inverse = ax.transData.inverted()
    use = links[links["mean_flow_mw"] > 1.0]
    for geom, mw in zip(use.geometry, use["mean_flow_mw"], strict=True):
        xy = np.column_stack(geom.xy)
        if len(xy) == 2:
            ends = ax.transData.transform(xy)
            xy = inverse.transform(clear_route(ends[0], ends[1], discs))
        ax.plot(
            xy[:, 0], xy[:, 1], color=LINK_COLOUR, linewidth=link_width(mw), alpha=0.55,
            solid_capstyle="round", zorder=2,
        )  # fmt: skip


def _draw_sites(ax: Any, pts: gpd.GeoDataFrame, mw_per_pt2: float) -> np.ndarray:
    """Idle candidates as dots, built sites as discs by total MW, existing MW as rings."""
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    # excluded candidates have markers of their own
    idle = ((pts["new_it_mw"] <= 0) & (pts["existing_it_mw"] <= 0)).to_numpy() & (
        _exclusion(pts) == ""
    )
    ax.scatter(x[idle], y[idle], s=4, color=IDLE_COLOUR, zorder=3, linewidths=0)
    has_new = pts["new_it_mw"].to_numpy() > 0
    total = (pts["existing_it_mw"] + pts["new_it_mw"]).to_numpy()
    colours = np.asarray(site_colours(pts), dtype=object)
    ax.scatter(
        x[has_new], y[has_new], s=marker_area(total[has_new], mw_per_pt2),
        color=list(colours[has_new]),
        alpha=0.72, edgecolor="white", linewidth=0.6, zorder=4,
    )  # fmt: skip
    existing = pts["existing_it_mw"].to_numpy()
    has_old = existing > 0
    ax.scatter(
        x[has_old], y[has_old], s=marker_area(existing[has_old], mw_per_pt2), facecolor="none",
        edgecolor=EXISTING_COLOUR, linewidth=1.2, zorder=5,
    )  # fmt: skip
    return total


def _draw_labels(
    ax: Any,
    pts: gpd.GeoDataFrame,
    total: np.ndarray,
    r_pt: np.ndarray,
    keep_clear: list[Any],
    pies: list[tuple[float, float, float]],
) -> list[Any]:
    """Name and capacity of every site with IT capacity; built sites' labels are required."""
    label_col = "name" if "name" in pts.columns else "site_id"
    texts = [
        f"{label}\n{mw / 1e3:.1f} GW" if mw >= 1000 else f"{label}\n{mw:.0f} MW"
        for label, mw in zip(pts[label_col].astype(str), total, strict=True)
    ]
    required = pts["new_it_mw"].to_numpy() > 0
    xy = np.column_stack([pts.geometry.x, pts.geometry.y])
    return label_points(ax, xy, texts, r_pt, required=required, reserved_artists=keep_clear,
                        discs=pies)  # fmt: skip


def _legend(
    ax: Any,
    mw_per_pt2: float,
    demand: gpd.GeoDataFrame | None,
    areas: gpd.GeoDataFrame | None,
    excluded: list[str],
    policy: list[str],
    water_limit: float | None,
    hosting: bool,
    sites: gpd.GeoDataFrame,
) -> Any:
    """The legend of sites (by connection year in a build-out), rules and network (upper
    left)."""
    from matplotlib.lines import Line2D

    by_year = connection_handles(sites)  # a build-out: sizes in grey, colours by year
    handles = site_handles(mw_per_pt2, IDLE_COLOUR if by_year else NEW_COLOUR) + by_year
    handles.append(
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=IDLE_COLOUR,
               label="candidate, not built")
    )  # fmt: skip
    handles += rule_handles(excluded, policy, water_limit, hosting)
    handles += [
        Line2D([], [], color=LINK_COLOUR, alpha=0.55, linewidth=link_width(mw),
               label=f"link use {mw:,} MW (mean)")
        for mw in (250, 1000)
    ]  # fmt: skip
    if demand is not None and len(demand):
        handles += service_handles(areas)
    leg = ax.legend(
        handles=handles, loc="upper left", fontsize=7.5,
        title="Data-centre sites (total IT capacity)", title_fontsize=8, frameon=True,
        framealpha=0.92, borderpad=0.8, labelspacing=1.0,
    )  # fmt: skip
    ax.add_artist(leg)
    return leg


def rule_handles(
    excluded: list[str], policy: list[str], water_limit: float | None, hosting: bool = False
) -> list[Any]:
    """Legend entries for the rules drawn: excluded candidates by reason, policy areas, the
    water-stress hatch (when ``water_limit`` is given) and the outline of zones at their
    hosting limit (when ``hosting``)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D([], [], linestyle="none", marker=EXCLUDED_STYLE[k][0], markersize=5,
               color=EXCLUDED_STYLE[k][1], label=EXCLUDED_STYLE[k][2])
        for k in excluded
    ]  # fmt: skip
    handles += [
        Patch(facecolor="none", edgecolor=AREA_STYLE[k][0], hatch=AREA_STYLE[k][1] or None,
              linestyle="-" if AREA_STYLE[k][1] else "--", label=AREA_STYLE[k][2])
        for k in policy
    ]  # fmt: skip
    if water_limit is not None:
        handles.append(Patch(facecolor="none", edgecolor=WATER_COLOUR, hatch=WATER_HATCH,
                             label=f"water stress above {water_limit:g} (Aqueduct 0-5)"))  # fmt: skip
    if hosting:
        handles.append(Patch(facecolor="none", edgecolor=HOSTING_COLOUR, linewidth=1.6,
                             label="grid at its hosting limit (new data-centre load)"))  # fmt: skip
    return handles


def rules_drawn(
    zones: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    policy_areas: Mapping[str, gpd.GeoDataFrame] | None,
    water_limit: float | None,
) -> tuple[list[str], list[str], float | None, bool]:
    """What :func:`plot_run_map` draws of the rules: exclusion reasons, policy layers, the
    water limit where a zone is above it (else None), and whether a zone is at its hosting
    limit."""
    code = _exclusion(sites)
    idle = ((sites["new_it_mw"] <= 0) & (sites["existing_it_mw"] <= 0)).to_numpy()
    excluded = [k for k in EXCLUDED_STYLE if (idle & (code == k)).any()]
    policy = [k for k in AREA_STYLE if policy_areas and k in policy_areas and len(policy_areas[k])]
    stressed = (
        water_limit is not None and "water_stress" in zones.columns
        and bool((zones["water_stress"].astype(float) > water_limit).any())
    )  # fmt: skip
    return excluded, policy, water_limit if stressed else None, bool(hosting_full(zones).any())


def _mix_legends(ax: Any, mix: Any, pie_pt2_per_gw: float) -> list[Any]:
    """The pies' legends (upper right): technology colours, and pie sizes below them."""
    if not len(mix.columns):
        return []
    style = {"fontsize": 7.5, "title_fontsize": 8, "frameon": True, "framealpha": 0.92,
             "borderpad": 0.8}  # fmt: skip
    techs = ax.legend(handles=mix_handles(mix), loc="upper right", labelspacing=0.6,
                      title="New clean capacity in zone", **style)  # fmt: skip
    ax.add_artist(techs)
    renderer = ax.figure.canvas.get_renderer()
    below = ax.transAxes.inverted().transform(techs.get_window_extent(renderer).get_points())
    handles = size_handles(mix, pie_pt2_per_gw)
    tallest = max(h.get_markersize() for h in handles)
    sizes = ax.legend(handles=handles, loc="upper right", bbox_to_anchor=(1.0, below[0, 1] - 0.005),
                      title="Pie area: new GW", labelspacing=0.8, handlelength=tallest / 7.5 + 0.3,
                      handleheight=tallest / 7.5, **style)  # fmt: skip
    ax.add_artist(sizes)
    return [techs, sizes]


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


def service_handles(areas: gpd.GeoDataFrame | None) -> list[Any]:
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
