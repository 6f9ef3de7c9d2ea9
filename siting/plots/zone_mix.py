"""Which clean power: the mix of new clean capacity and storage per zone, drawn as pies.

A pie's area is the zone's new clean generation plus storage power [GW]; its wedges are the
technologies, coloured as in the technology table. Pies sit inside their zone, where they
hide the fewest built sites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.base.technologies import Kind, TechnologyTable, default_table, store_size

if TYPE_CHECKING:
    import geopandas as gpd

PIE_PT2_PER_GW = 10.0
"""Pie area scale: points^2 per GW of new capacity in the zone."""
MIN_PIE_GW = 0.05
NOISE_MW = 1e-6
"""Smaller new capacity [MW] is the solver's round-off and drawn as none."""
"""Zones with less new capacity get no pie [GW]."""
NOT_TECH = {"it", "clean"}
"""``new_<x>_mw`` columns of the zones layer that are not technologies."""


def zone_mix_mw(zones: pd.DataFrame, table: TechnologyTable | None = None) -> pd.DataFrame:
    """New capacity per zone and technology [MW]: generation, then storage power.

    Parameters
    ----------
    zones
        The run's zones layer: ``new_<tech>_mw`` (generation) and ``<tech>_mw`` for every
        store (:func:`siting.base.technologies.store_size`).
    table
        Technology table for the order of the columns; default siting's own.

    Returns
    -------
    DataFrame
        Index ``zone_id``; one column per technology with any new capacity, in the table's
        order (technologies it does not know last) [MW].
    """
    table = table or default_table()
    cols: dict[str, pd.Series] = {}
    for col in zones.columns:
        if col.startswith("new_") and col.endswith("_mw") and col[4:-3] not in NOT_TECH:
            cols[col[4:-3]] = zones[col]
    for tech in table.of_kind(Kind.STORAGE):
        power = store_size(zones, tech.tech, "mw")
        if power is not None:
            cols[tech.tech] = power
    mix = pd.DataFrame(cols).fillna(0.0)
    mix = mix.where(mix >= NOISE_MW, 0.0)  # the LP's round-off, not capacity
    mix.index = zones["zone_id"].to_numpy()
    mix = mix.loc[:, mix.sum() > 0.0]
    known = [t.tech for t in table.of_kind(*Kind)]
    order = [t for t in known if t in mix.columns] + [t for t in mix.columns if t not in known]
    return mix[order]


def pie_radius_pt(gw: np.ndarray | float, pt2_per_gw: float = PIE_PT2_PER_GW) -> np.ndarray:
    """Pie radius [pt] of ``gw`` GW of new capacity (area proportional to GW)."""
    return np.sqrt(np.asarray(gw, dtype=float) * pt2_per_gw / np.pi)


def pie_centre(
    zone: Any, r_m: float, obstacles_xy: np.ndarray, obstacles_r_m: np.ndarray, avoid: Any = None
) -> Any:
    """Where a zone's pie of radius ``r_m`` [m] goes.

    The centre lies in the zone's largest part, on a 24 x 24 grid or at its representative
    point; the pie keeps clear of the obstacles (built sites' discs and pies already placed:
    centres ``(n, 2)`` [m], radii ``(n,)`` [m]) where it can, else hides as little of them as
    it can, and keeps away from the zone's edge. A pie never overlaps ``avoid`` (a shapely
    geometry in map metres: the legends) unless no candidate can keep clear of it.
    """
    from shapely.geometry import Point

    part = max(getattr(zone, "geoms", [zone]), key=lambda g: g.area)
    x0, y0, x1, y1 = part.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, 26)[1:-1], np.linspace(y0, y1, 26)[1:-1])
    points = [Point(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)]
    points = [p for p in points if part.contains(p)] + [part.representative_point()]
    edge = part.boundary
    best, best_score = points[-1], -np.inf
    for p in points:
        inside = edge.distance(p)
        clear = 4.0 * r_m
        if len(obstacles_xy):
            gaps = np.hypot(obstacles_xy[:, 0] - p.x, obstacles_xy[:, 1] - p.y)
            clear = min(float((gaps - obstacles_r_m - r_m).min()), clear)
        hidden = avoid is not None and avoid.distance(p) < r_m
        # hiding a site costs most; then depth inside the zone, then room around the pie
        score = 10.0 * min(clear, 0.0) + min(inside, r_m) + 0.2 * clear - 1e12 * hidden
        if score > best_score:
            best, best_score = p, score
    return best


def draw_zone_pies(
    ax: Any,
    zones: gpd.GeoDataFrame,
    mix: pd.DataFrame,
    sites_xy: np.ndarray,
    sites_r_pt: np.ndarray,
    *,
    pt2_per_gw: float = PIE_PT2_PER_GW,
    table: TechnologyTable | None = None,
    avoid: Any = None,
) -> dict[str, tuple[float, float, float]]:
    """Draw one pie per zone with new capacity; returns ``{zone_id: (x, y, r)}`` [m].

    Call when the axes have their final extent and size: radii are in points. ``avoid`` is
    a shapely geometry [m] no pie may cover (the legends).
    """
    from matplotlib.patches import Wedge

    table = table or default_table()
    m_per_pt = metres_per_point(ax)
    obstacles = np.asarray(sites_xy, dtype=float).reshape(-1, 2)
    radii = np.asarray(sites_r_pt, dtype=float) * m_per_pt
    geoms = zones.set_index("zone_id").geometry
    out = {}
    totals = mix.sum(axis=1) / 1e3
    for zone_id in totals.sort_values(ascending=False).index:
        gw = float(totals[zone_id])
        if gw < MIN_PIE_GW or zone_id not in geoms.index:
            continue
        r = float(pie_radius_pt(gw, pt2_per_gw)) * m_per_pt
        c = pie_centre(geoms[zone_id], r, obstacles, radii, avoid)
        obstacles, radii = np.vstack([obstacles, [c.x, c.y]]), np.append(radii, r)
        start = 90.0  # wedges clockwise from twelve o'clock, in the table's order
        for tech, mw in mix.loc[zone_id].items():
            if mw <= 0:
                continue
            sweep = 360.0 * mw / (gw * 1e3)
            ax.add_patch(Wedge((c.x, c.y), r, start - sweep, start, facecolor=table.colour(tech),
                               edgecolor="white", linewidth=0.4, zorder=3.5, alpha=0.95))  # fmt: skip
            start -= sweep
        out[str(zone_id)] = (c.x, c.y, r)
    return out


def metres_per_point(ax: Any) -> float:
    """Map metres per typographic point on ``ax`` (equal aspect, final size)."""
    ax.apply_aspect()
    x0, x1 = ax.get_xlim()
    width_pt = ax.get_window_extent().width * 72.0 / ax.figure.dpi
    return float((x1 - x0) / width_pt)


def mix_handles(mix: pd.DataFrame, table: TechnologyTable | None = None) -> list[Any]:
    """Legend entries: one colour per technology present (stores by their power)."""
    from matplotlib.patches import Patch

    table = table or default_table()
    return [
        Patch(facecolor=table.colour(t), edgecolor="white",
              label=table.label(t) + (" (power)" if _is_store(t, table) else ""))
        for t in mix.columns
    ]  # fmt: skip


def size_handles(mix: pd.DataFrame, pt2_per_gw: float = PIE_PT2_PER_GW) -> list[Any]:
    """Legend entries for pie sizes: the two round sizes nearest the largest pie [GW]."""
    from matplotlib.lines import Line2D

    biggest = float(mix.sum(axis=1).max() / 1e3) if len(mix) else 0.0
    keys = [g for g in (5, 10, 20, 40, 80, 160) if g <= max(biggest, 10)][-2:]
    return [
        Line2D([], [], linestyle="none", marker="o", markersize=2.0 * float(pie_radius_pt(g, pt2_per_gw)),
               markerfacecolor="#e0e0e0", markeredgecolor="#9e9e9e", label=f"{g} GW")
        for g in keys
    ]  # fmt: skip


def _is_store(tech: str, table: TechnologyTable) -> bool:
    return tech in table and table[tech].kind == Kind.STORAGE
