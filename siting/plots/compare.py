"""Figures of a comparison: runs side by side on one scale, and the difference map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.plots.labels import label_points
from siting.plots.run_map import link_width, plot_run_map, site_handles
from siting.plots.style import (
    LINK_COLOUR,
    MW_PER_PT2,
    OUTLINE_COLOUR,
    SEA_COLOUR,
    dot,
    fmt_eur,
    frame_map,
    marker_area,
    pyplot,
    union_extent,
)  # fmt: skip

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

MORE, LESS = "#e65100", "#4a148c"
GROWN, SHRUNK = "#2e7d32", "#c62828"
CHANGE_STYLE = {
    # kind of change: (marker, colour, filled)
    "added": ("o", GROWN, True),
    "removed": ("o", SHRUNK, False),
    "grown": ("^", GROWN, True),
    "shrunk": ("v", SHRUNK, True),
}
LINK_CHANGE_MW = 50.0
"""Smaller changes in a link's mean flow are not drawn: they would only clutter the map [MW]."""


def panel_title(label: str, summary: Mapping[str, Any]) -> str:
    """Title of one run's panel: target, cost and CFE score."""
    return (
        f"{label}\n{(summary.get('target_it_mw') or 0) / 1e3:,.1f} GW target · "
        f"{fmt_eur(summary.get('objective_eur_per_yr') or float('nan'))} · "
        f"{summary.get('matching', 'annual')} CFE {_score(summary)}"
    )


def _score(summary: Mapping[str, Any]) -> str:
    """The full-year CFE where the run has one, else its own periods' score."""
    full = summary.get("cfe_score_full_year")
    if full is not None:
        return f"{full:.2%} full year"
    return f"{summary.get('cfe_score', float('nan')):.1%}"


PANEL_WIDTH_IN = 4.6
"""Width of one run's panel [in]: three panels fill a 1,400 px report column at 100 dpi."""
PANEL_SCALE = (PANEL_WIDTH_IN / 11.0) ** 2
"""Marker and pie areas in a panel, relative to the full-size run map (same look, smaller)."""


def plot_comparison(comp: Any) -> Figure:
    """The runs side by side on one extent, one site marker scale and one pie scale, with
    each run's latency and policy layers; every built site labelled."""
    from matplotlib.lines import Line2D

    from siting.plots.run_map import map_options, rule_handles, rules_drawn, service_handles
    from siting.plots.zone_mix import PIE_PT2_PER_GW, mix_handles, size_handles, zone_mix_mw

    plt = pyplot()
    layers = [r.layers() for r in comp.runs]
    extent = union_extent([lay["zones"] for lay in layers])
    scales: dict[str, Any] = {"mw_per_pt2": MW_PER_PT2 / PANEL_SCALE,
                              "pie_pt2_per_gw": PIE_PT2_PER_GW * PANEL_SCALE}  # fmt: skip
    n = len(layers)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    height = PANEL_WIDTH_IN * (extent[3] - extent[2]) / (extent[1] - extent[0])
    fig, axes = plt.subplots(rows, cols, figsize=(PANEL_WIDTH_IN * cols + 0.2, (height + 0.55) * rows + 1.1),
                             squeeze=False)  # fmt: skip
    fig.subplots_adjust(left=0.01, right=0.99, wspace=0.03, hspace=0.16, top=1 - 0.55 / fig.get_figheight(),
                        bottom=1.0 / fig.get_figheight())  # fmt: skip
    options = [map_options(lay, run.config) for lay, run in zip(layers, comp.runs, strict=True)]
    for ax, lay, opt, label, run in zip(axes.ravel(), layers, options, comp.labels, comp.runs,
                                        strict=False):  # fmt: skip
        plot_run_map(
            lay["zones"], lay["sites"], lay.get("links"), run.summary, label, ax=ax, extent=extent,
            legend=False, **scales, **opt,
        )  # fmt: skip
        ax.set_title(panel_title(label, run.summary), fontsize=8.5, loc="left")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    mixes = [zone_mix_mw(lay["zones"]) for lay in layers]
    techs = list(dict.fromkeys(t for m in mixes for t in m.columns))
    every = mixes[0].reindex(columns=techs, fill_value=0.0)
    biggest = max(mixes, key=lambda m: float(m.sum(axis=1).max()) if len(m) else 0.0)
    handles = site_handles(scales["mw_per_pt2"])
    handles.append(
        Line2D([], [], color=LINK_COLOUR, alpha=0.55, linewidth=link_width(1000),
               label="link use 1,000 MW (mean)")
    )  # fmt: skip
    pies = size_handles(biggest, scales["pie_pt2_per_gw"])
    for h in pies:
        h.set_label(f"{h.get_label()} new clean in zone")
    rules = [rules_drawn(lay["zones"], lay["sites"], opt["policy_areas"], opt["water_limit"])
             for lay, opt in zip(layers, options, strict=True)]  # fmt: skip
    handles += rule_handles(
        list(dict.fromkeys(k for r in rules for k in r[0])),
        list(dict.fromkeys(k for r in rules for k in r[1])),
        next((r[2] for r in rules if r[2] is not None), None),
        any(r[3] for r in rules),
    )
    latency = next(
        (opt for opt in options if opt["demand"] is not None and len(opt["demand"])), None
    )
    if latency is not None:
        handles += service_handles(latency["areas"])
    handles += mix_handles(every) + pies
    visible = [ax for ax in axes.ravel()[:n]]
    for ax in visible:
        ax.apply_aspect()
    bottom = min(ax.get_position().y0 for ax in visible)
    # right under the maps: the saved figure is cropped to its content
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 6), fontsize=7.5,
               frameon=False, bbox_to_anchor=(0.5, bottom - 0.005), columnspacing=1.2)  # fmt: skip
    fig.suptitle("Runs side by side: same extent, site scale and pie scale (new clean GW per "
                 "zone); ETRS89-LAEA (EPSG:3035)", fontsize=9.5)  # fmt: skip
    fig.siting_scales = {"extent": extent, **scales}  # type: ignore[attr-defined]
    return fig


def plot_difference(comp: Any) -> Figure:
    """Change from the first run to each other run: zones, sites and links."""
    from matplotlib.colors import Normalize, to_hex

    plt = pyplot()
    base = comp.runs[0]
    z0, s0, l0 = base.layer("zones"), base.layer("sites"), base.layer("links")
    others = list(zip(comp.runs[1:], comp.labels[1:], strict=True))
    extent = union_extent([z0] + [r.layer("zones") for r, _ in others])
    deltas = [_clean_delta(z0, run.layer("zones")) for run, _ in others]
    m = max(max(float(np.abs(d).max()) for d in deltas), 0.1)
    norm = Normalize(-m, m)
    cmap = plt.get_cmap("PuOr_r")
    fig, axes = plt.subplots(1, len(others), figsize=(10.5 * len(others), 10), squeeze=False)
    legends: list[Any] = []
    changes: list[tuple[Any, pd.Series, Any]] = []
    for ax, (run, label), dz in zip(axes[0], others, deltas, strict=True):
        ax.set_facecolor(SEA_COLOUR)
        colours = [to_hex(cmap(norm(v))) for v in dz]
        z0.plot(ax=ax, color=colours, edgecolor=OUTLINE_COLOUR, linewidth=0.5)
        _draw_link_changes(ax, l0, run.layer("links"))
        kind, change, geo = _site_changes(comp, s0, run.layer("sites"), label)
        _draw_site_changes(ax, kind, change, geo)
        frame_map(ax, extent)
        counts = kind.value_counts()
        ax.set_title(
            f"Change from {comp.labels[0]} to {label}: {counts.get('added', 0)} sites added, "
            f"{counts.get('removed', 0)} removed, {counts.get('grown', 0)} grown, "
            f"{counts.get('shrunk', 0)} shrunk",
            fontsize=10,
            loc="left",
        )
        legends.append(ax.legend(handles=_difference_handles(), loc="upper left", fontsize=8,
                                 framealpha=0.92))  # fmt: skip
        changes.append((ax, change, geo))
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), fraction=0.03, pad=0.01, shrink=0.7)
    cb.set_label("Change in new clean capacity in zone [GW]")
    # labels last: placement is measured on the axes' final size, after the colour bar
    for (ax, change, geo), legend in zip(changes, legends, strict=True):
        _label_site_changes(ax, change, geo, [legend])
    return fig


def _clean_delta(z0: pd.DataFrame, z1: pd.DataFrame) -> np.ndarray:
    """Change in new clean capacity per zone of the first run [GW]."""
    other = z1.set_index("zone_id")["new_clean_mw"].reindex(z0["zone_id"]).fillna(0.0)
    return (other.to_numpy() - z0["new_clean_mw"].to_numpy()) / 1e3


def _draw_link_changes(ax: Any, l0: pd.DataFrame, l1: pd.DataFrame) -> None:
    """Links used more (orange) or less (purple), wider for larger changes in mean flow."""
    after = l1.set_index("link_id")["mean_flow_mw"].reindex(l0["link_id"]).fillna(0.0)
    for geom, d in zip(l0.geometry, after.to_numpy() - l0["mean_flow_mw"].to_numpy(), strict=True):
        if abs(d) > LINK_CHANGE_MW:
            xs, ys = geom.xy
            ax.plot(xs, ys, color=MORE if d > 0 else LESS, linewidth=link_width(abs(d)), alpha=0.7)


def _site_changes(
    comp: Any, s0: pd.DataFrame, s1: pd.DataFrame, label: str
) -> tuple[pd.Series, pd.Series, Any]:
    """Per site: kind of change (added, removed, grown, shrunk, same), MW change, geometry."""
    diff = comp.sites_diff.set_index("site_id")
    geo = s0.set_index("site_id").geometry.combine_first(s1.set_index("site_id").geometry)
    t0 = diff[f"total_it_mw_{comp.labels[0]}"].fillna(0.0)
    t1 = diff[f"total_it_mw_{label}"].fillna(0.0)
    change = diff[f"change_{label}"] if f"change_{label}" in diff.columns else diff["change"]
    kind = change.where(change != "resized", np.where(t1 > t0, "grown", "shrunk"))
    return kind, t1 - t0, geo


def _draw_site_changes(ax: Any, kind: pd.Series, change: pd.Series, geo: Any) -> None:
    for k, (marker, colour, filled) in CHANGE_STYLE.items():
        ids = kind.index[kind == k]
        if not len(ids):
            continue
        g = geo.reindex(ids)
        ax.scatter(
            g.x, g.y, s=marker_area(np.abs(change.reindex(ids).to_numpy())), marker=marker,
            facecolor=colour if filled else "none", edgecolor=colour, linewidth=1.3, alpha=0.8,
            zorder=4,
        )  # fmt: skip


def _label_site_changes(ax: Any, change: pd.Series, geo: Any, keep_clear: list[Any]) -> None:
    """Every changed site labelled with its change [MW], no two labels overlapping."""
    changed = change[(change.abs() > 0) & change.index.isin(geo.index)]
    if not len(changed):
        return
    pts = geo.reindex(changed.index)
    xy = np.column_stack([pts.x, pts.y])
    texts = [f"{sid}\n{mw:+,.0f} MW" for sid, mw in changed.items()]
    r_pt = np.sqrt(marker_area(changed.abs().to_numpy())) / 2.0
    label_points(ax, xy, texts, r_pt, reserved_artists=keep_clear)


def _difference_handles() -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        dot("site added (size: MW)", GROWN),
        dot("site removed", SHRUNK, hollow=True),
        dot("site grown (size: change)", GROWN, marker="^"),
        dot("site shrunk", SHRUNK, marker="v"),
        Line2D([], [], color=MORE, linewidth=2, label="link used more"),
        Line2D([], [], color=LESS, linewidth=2, label="link used less"),
    ]
