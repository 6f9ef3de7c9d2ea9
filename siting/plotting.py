"""Maps of a run: chosen sites sized by MW over zones shaded by new clean capacity, links by use.

Drawn in EPSG:3035 from the run's own result layers, so ``siting plot RUN`` redraws exactly
what ``siting run`` drew. Matplotlib is imported lazily with the non-interactive backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

NEW_COLOUR = "#c2185b"
EXISTING_COLOUR = "#37474f"
LINK_COLOUR = "#1565c0"
SEA_COLOUR = "#eaf1f7"
MW_PER_PT2 = 2.0
"""Marker area scale: points^2 per MW of IT capacity at the site."""


def _marker_area(mw: np.ndarray | float, mw_per_pt2: float = MW_PER_PT2) -> np.ndarray:
    return np.asarray(mw, dtype=float) / mw_per_pt2


def _fmt_eur(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e9:
        return f"€{x / 1e9:,.1f} bn/yr"
    return f"€{x / 1e6:,.0f} m/yr"


def map_title(summary: Mapping[str, Any], name: str) -> str:
    """Two-line title: scenario, target and cost, matching rule."""
    base = summary.get("baseline_it_mw") or 0.0
    target = summary.get("target_it_mw") or 0.0
    mult = target / base if base else float("nan")
    cfe = summary.get("cfe_target", 1.0)
    matching = summary.get("matching", "annual")
    line1 = f"{name}: {target / 1e3:,.1f} GW IT by the deadline ({mult:.0f} x {base / 1e3:,.1f} GW today)"
    line2 = (
        f"{matching} carbon-free matching, CFE target {cfe:.0%}, score {summary.get('cfe_score', float('nan')):.1%}"
        f"  ·  cost {_fmt_eur(summary.get('objective_eur_per_yr') or float('nan'))}"
        f"  ·  {summary.get('sites_built', 0)} sites get new capacity"
    )
    return f"{line1}\n{line2}"


def _site_handles(mw_per_pt2: float) -> list[Any]:
    """Legend entries for site markers: 100 MW, 500 MW, 1 GW discs and the existing-capacity ring."""
    from matplotlib.lines import Line2D

    sizes = [
        Line2D([], [], linestyle="none", marker="o", markersize=np.sqrt(_marker_area(mw, mw_per_pt2)),
               markerfacecolor=NEW_COLOUR, alpha=0.72, markeredgecolor="white",
               label=f"{mw:,} MW IT" if mw < 1000 else f"{mw / 1000:g} GW IT")
        for mw in (100, 500, 1000)
    ]  # fmt: skip
    ring = Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="none",
                  markeredgecolor=EXISTING_COLOUR, label="existing capacity (ring)")  # fmt: skip
    return [*sizes, ring]


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
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 10.5), dpi=150)
    else:
        fig = ax.figure
    ax.set_facecolor(SEA_COLOUR)
    clean_gw = zones["new_clean_mw"].fillna(0.0) / 1e3
    vmax = clean_max_gw if clean_max_gw is not None else max(float(clean_gw.max()), 1.0)
    norm = Normalize(vmin=0.0, vmax=vmax)
    cmap = plt.get_cmap("YlGn")
    from matplotlib.colors import to_hex

    fills = [to_hex(cmap(norm(v))) if v > 0 else "#f4f4f2" for v in clean_gw]
    zones.plot(ax=ax, color=fills, edgecolor="#8a8a8a", linewidth=0.5, zorder=1)

    if links is not None and len(links):
        use = links[links["mean_flow_mw"] > 1.0]
        for geom, mw in zip(use.geometry, use["mean_flow_mw"], strict=True):
            xs, ys = geom.xy
            ax.plot(
                xs,
                ys,
                color=LINK_COLOUR,
                linewidth=0.6 + 3.0 * mw / 2000.0,
                alpha=0.55,
                solid_capstyle="round",
                zorder=2,
            )

    _draw_service(ax, demand, service, areas)

    pts = sites
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    idle = (pts["new_it_mw"] <= 0) & (pts["existing_it_mw"] <= 0)
    ax.scatter(x[idle], y[idle], s=4, color="#9e9e9e", zorder=3, linewidths=0)
    has_new = pts["new_it_mw"].to_numpy() > 0
    total = (pts["existing_it_mw"] + pts["new_it_mw"]).to_numpy()
    ax.scatter(
        x[has_new],
        y[has_new],
        s=_marker_area(total[has_new], mw_per_pt2),
        color=NEW_COLOUR,
        alpha=0.72,
        edgecolor="white",
        linewidth=0.6,
        zorder=4,
    )
    has_old = pts["existing_it_mw"].to_numpy() > 0
    ax.scatter(
        x[has_old],
        y[has_old],
        s=_marker_area(pts["existing_it_mw"].to_numpy()[has_old], mw_per_pt2),
        facecolor="none",
        edgecolor=EXISTING_COLOUR,
        linewidth=1.2,
        zorder=5,
    )

    label_col = "name" if "name" in pts.columns else "site_id"
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for geom, label, mw in _label_choice(pts, total, label_col, n_labels):
        text = f"{label}\n{mw / 1e3:.1f} GW" if mw >= 1000 else f"{label}\n{mw:.0f} MW"
        ax.annotate(
            text,
            (geom.x, geom.y),
            xytext=(6, 5),
            textcoords="offset points",
            fontsize=7,
            color="#212121",
            path_effects=halo,
            zorder=6,
        )

    if extent is None:
        x0, y0, x1, y1 = zones.total_bounds
        pad = 0.03 * max(x1 - x0, y1 - y0)
        extent = (x0 - pad, x1 + pad, y0 - pad, y1 + pad)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#b0bec5")

    if legend:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        cb = fig.colorbar(sm, ax=ax, fraction=0.035, pad=0.01, shrink=0.6)
        cb.set_label("New clean generation capacity in zone [GW]")
        handles = _site_handles(mw_per_pt2)
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=3,
                color="#9e9e9e",
                label="candidate, not built",
            )
        )
        handles += [
            Line2D(
                [],
                [],
                color=LINK_COLOUR,
                alpha=0.55,
                linewidth=0.6 + 3.0 * mw / 2000.0,
                label=f"link use {mw:,} MW (mean)",
            )
            for mw in (250, 1000)
        ]
        if demand is not None and len(demand):
            handles += _service_handles(areas)
        ax.legend(
            handles=handles,
            loc="upper left",
            fontsize=8,
            title="Data-centre sites (total IT capacity)",
            title_fontsize=8,
            frameon=True,
            framealpha=0.92,
            borderpad=0.9,
            labelspacing=1.2,
        )
        ax.set_title(map_title(summary, name), fontsize=10.5, loc="left")
        ax.annotate(
            "ETRS89-LAEA (EPSG:3035). Outlines: Made with Natural Earth. Data: ICIS, ENSPRESO, IRENA, Ember, "
            "ENTSO-E TYNDP, PyPSA technology-data, T&T DCCI (see datasets/README.md).",
            xy=(0.0, -0.012),
            xycoords="axes fraction",
            va="top",
            fontsize=6.5,
            color="#616161",
        )
    return fig


SERVICE_COLOUR = "#6a1b9a"


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
                xs,
                ys,
                color=SERVICE_COLOUR,
                linewidth=0.4 + 1.6 * min(mw, 1000.0) / 1000.0,
                alpha=0.6,
                zorder=3,
            )
    ax.scatter(
        demand.geometry.x,
        demand.geometry.y,
        marker="*",
        s=36,
        color=SERVICE_COLOUR,
        edgecolor="white",
        linewidth=0.4,
        zorder=6,
    )


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


TECH_COLOURS = {
    "solar": "#f9a825",
    "onshore_wind": "#1e88e5",
    "offshore_wind": "#0d47a1",
    "hydro": "#00897b",
    "nuclear": "#8e24aa",
    "discharge": "#43a047",
    "import": "#90a4ae",
    "grid": "#6d4c41",
    "charge": "#a5d6a7",
    "export": "#cfd8dc",
}


def plot_dispatch(
    dispatch: Any,
    zones: list[str],
    summary: Mapping[str, Any],
    name: str,
    days: dict[int, str] | None = None,
) -> Figure:
    """Hourly supply stack against load over the representative days, one panel per zone.

    Parameters
    ----------
    dispatch
        ``tables/dispatch.csv`` of an hourly run (with ``clean_<tech>_mw``, ``period``,
        ``charge_mw``, ``discharge_mw``) [MW].
    zones
        Zones to draw, top to bottom.
    summary
        The run's ``summary.json`` (for the title).
    name
        Scenario name.
    days
        Optional label per period, e.g. its calendar date.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    techs = [
        c[len("clean_") : -len("_mw")]
        for c in dispatch.columns
        if c.startswith("clean_") and c.endswith("_mw") and c != "clean_mw"
    ]
    fig, axes = plt.subplots(
        len(zones), 1, figsize=(13, 2.6 * len(zones) + 1.0), dpi=150, sharex=True, squeeze=False
    )
    for ax, zone in zip(axes[:, 0], zones, strict=True):
        d = dispatch[dispatch["zone_id"] == zone].reset_index(drop=True)
        x = np.arange(len(d))
        pos = [(t, d[f"clean_{t}_mw"]) for t in techs if d[f"clean_{t}_mw"].abs().sum() > 0]
        # net storage: an LP may charge and discharge in the same hour when surplus is free
        net = d["discharge_mw"] - d["charge_mw"]
        pos += [
            ("discharge", net.clip(lower=0)),
            ("import", d["import_mw"]),
            ("grid", d["grid_mw"]),
        ]
        neg = [("charge", net.clip(upper=0)), ("export", -d["export_mw"])]
        bottom = np.zeros(len(d))
        for key, values in pos:
            v = values.to_numpy(float) / 1e3
            ax.fill_between(
                x,
                bottom,
                bottom + v,
                step="mid",
                color=TECH_COLOURS.get(key, "#bdbdbd"),
                linewidth=0,
            )
            bottom = bottom + v
        low = np.zeros(len(d))
        for key, values in neg:
            v = values.to_numpy(float) / 1e3
            ax.fill_between(x, low + v, low, step="mid", color=TECH_COLOURS[key], linewidth=0)
            low = low + v
        ax.step(x, d["load_mw"] / 1e3, where="mid", color="black", linewidth=1.4)
        ax.axhline(0, color="#616161", linewidth=0.5)
        starts = np.flatnonzero(
            np.r_[True, d["period"].to_numpy()[1:] != d["period"].to_numpy()[:-1]]
        )
        for i in starts[1:]:
            ax.axvline(i - 0.5, color="#9e9e9e", linewidth=0.6, linestyle=":")
        ax.set_ylabel(f"{zone} [GW]")
        ax.set_xlim(-0.5, len(d) - 0.5)
        ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
    last = axes[-1, 0]
    d0 = dispatch[dispatch["zone_id"] == zones[0]].reset_index(drop=True)
    starts = np.flatnonzero(
        np.r_[True, d0["period"].to_numpy()[1:] != d0["period"].to_numpy()[:-1]]
    )
    periods = d0["period"].to_numpy()[starts]
    weights = d0["weight_h"].to_numpy()[starts]
    labels = [
        f"{(days or {}).get(int(p), f'day {int(p)}')}\n{w:.0f} d"
        for p, w in zip(periods, weights, strict=True)
    ]
    last.set_xticks(starts + 11.5)
    last.set_xticklabels(labels, fontsize=7)
    last.set_xlabel(
        "Representative days (UTC hours; below each: days of the year it stands for). "
        "Supply above the load line is charged, exported or curtailed."
    )
    handles: list[Any] = [
        Patch(color=TECH_COLOURS.get(t, "#bdbdbd"), label=t.replace("_", " ")) for t in techs
    ]
    names = {"discharge": "storage out", "charge": "storage in", "grid": "residual grid"}
    handles += [
        Patch(color=TECH_COLOURS[k], label=names.get(k, k))
        for k in ("discharge", "import", "grid", "charge", "export")
    ]
    handles.append(plt.Line2D([], [], color="black", linewidth=1.4, label="data-centre load"))
    fig.legend(
        handles=handles,
        loc="upper center",
        ncol=len(handles),
        fontsize=7.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.985),
    )
    fig.suptitle(
        f"{name}: hourly supply and data-centre load in the zones with most new capacity "
        f"(CFE score {summary.get('cfe_score', float('nan')):.1%})",
        fontsize=10.5,
        y=1.0,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def _label_choice(
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


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Save a figure as PNG and SVG next to each other; returns the paths."""
    import matplotlib.pyplot as plt

    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    fig.savefig(paths[0], dpi=150, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    plt.close(fig)
    return paths


def _union_extent(zone_layers: list[Any]) -> tuple[float, float, float, float]:
    b = np.array([z.total_bounds for z in zone_layers])
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.03 * max(x1 - x0, y1 - y0)
    return (x0 - pad, x1 + pad, y0 - pad, y1 + pad)


def _panel_title(label: str, summary: Mapping[str, Any]) -> str:
    return (
        f"{label}\n{(summary.get('target_it_mw') or 0) / 1e3:,.1f} GW target · "
        f"{_fmt_eur(summary.get('objective_eur_per_yr') or float('nan'))} · "
        f"{summary.get('matching', 'annual')} CFE {summary.get('cfe_score', float('nan')):.1%}"
    )


def plot_comparison(comp: Any) -> Figure:
    """The runs side by side on one extent, one colour scale and one marker scale."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    layers = [(r.layer("zones"), r.layer("sites"), r.layer("links")) for r in comp.runs]
    extent = _union_extent([z for z, _, _ in layers])
    vmax = max(max(float(z["new_clean_mw"].max()) / 1e3 for z, _, _ in layers), 1.0)
    n = len(layers)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(
        rows, cols, figsize=(6.2 * cols, 6.6 * rows + 0.8), dpi=130, squeeze=False
    )
    for ax, (zones, sites, links), label, run in zip(
        axes.ravel(), layers, comp.labels, comp.runs, strict=False
    ):
        plot_run_map(
            zones,
            sites,
            links,
            run.summary,
            label,
            ax=ax,
            extent=extent,
            clean_max_gw=vmax,
            legend=False,
            n_labels=8,
        )
        ax.set_title(_panel_title(label, run.summary), fontsize=9.5, loc="left")
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    sm = plt.cm.ScalarMappable(norm=Normalize(0.0, vmax), cmap=plt.get_cmap("YlGn"))
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), fraction=0.02, pad=0.01, shrink=0.7)
    cb.set_label("New clean generation capacity in zone [GW]")
    handles = _site_handles(MW_PER_PT2)
    handles.append(
        Line2D(
            [], [], color=LINK_COLOUR, alpha=0.55, linewidth=2.1, label="link use 1,000 MW (mean)"
        )
    )
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=8.5,
        frameon=False,
        bbox_to_anchor=(0.45, 0.0),
    )
    fig.suptitle(
        "Runs side by side: same extent, colour scale and marker scale (EPSG:3035)",
        fontsize=11,
        x=0.45,
    )
    fig.siting_scales = {"extent": extent, "clean_max_gw": vmax, "mw_per_pt2": MW_PER_PT2}  # type: ignore[attr-defined]
    return fig


def plot_difference(comp: Any) -> Figure:
    """Change from the first run to each other run: zones, sites and links."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.colors import Normalize, to_hex
    from matplotlib.lines import Line2D

    base = comp.runs[0]
    z0, s0, l0 = base.layer("zones"), base.layer("sites"), base.layer("links")
    others = list(zip(comp.runs[1:], comp.labels[1:], strict=True))
    extent = _union_extent([z0] + [r.layer("zones") for r, _ in others])
    deltas = []
    for run, _ in others:
        z = run.layer("zones").set_index("zone_id")["new_clean_mw"]
        deltas.append(
            (z.reindex(z0["zone_id"]).fillna(0.0).to_numpy() - z0["new_clean_mw"].to_numpy()) / 1e3
        )
    m = max(max(float(np.abs(d).max()) for d in deltas), 0.1)
    norm = Normalize(-m, m)
    cmap = plt.get_cmap("PuOr_r")
    fig, axes = plt.subplots(
        1, len(others), figsize=(10.5 * len(others), 10), dpi=130, squeeze=False
    )
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for ax, (run, label), dz in zip(axes[0], others, deltas, strict=True):
        ax.set_facecolor(SEA_COLOUR)
        z0.plot(
            ax=ax, color=[to_hex(cmap(norm(v))) for v in dz], edgecolor="#8a8a8a", linewidth=0.5
        )
        l1 = run.layer("links").set_index("link_id")
        dl = (
            l1["mean_flow_mw"].reindex(l0["link_id"]).fillna(0.0).to_numpy()
            - l0["mean_flow_mw"].to_numpy()
        )
        for geom, d in zip(l0.geometry, dl, strict=True):
            if abs(d) > 50:  # smaller changes would only clutter the map
                xs, ys = geom.xy
                ax.plot(
                    xs,
                    ys,
                    color="#e65100" if d > 0 else "#4a148c",
                    linewidth=0.6 + 3 * abs(d) / 2000,
                    alpha=0.7,
                )
        diff = comp.sites_diff.set_index("site_id")
        s1 = run.layer("sites").set_index("site_id")
        geo = s0.set_index("site_id").geometry.combine_first(s1.geometry)
        t0 = diff[f"total_it_mw_{comp.labels[0]}"].fillna(0.0)
        t1 = diff[f"total_it_mw_{label}"].fillna(0.0)
        change = diff[f"change_{label}"] if f"change_{label}" in diff.columns else diff["change"]
        styles = {
            "added": ("o", "#2e7d32", "filled"),
            "removed": ("o", "#c62828", "none"),
            "grown": ("^", "#2e7d32", "filled"),
            "shrunk": ("v", "#c62828", "filled"),
        }
        kind = change.where(change != "resized", np.where(t1 > t0, "grown", "shrunk"))
        for k, (marker, colour, fill) in styles.items():
            ids = kind.index[kind == k]
            if not len(ids):
                continue
            g = geo.reindex(ids)
            size = _marker_area(np.abs((t1 - t0).reindex(ids).to_numpy()))
            ax.scatter(
                g.x,
                g.y,
                s=size,
                marker=marker,
                facecolor=colour if fill == "filled" else "none",
                edgecolor=colour,
                linewidth=1.3,
                alpha=0.8,
                zorder=4,
            )
        placed: list[Any] = []
        for sid, dmw in (t1 - t0).abs().sort_values(ascending=False).items():
            if dmw <= 0 or sid not in geo.index or len(placed) >= 12:
                continue
            p = geo[sid]
            if all(p.distance(q) >= 150_000.0 for q in placed):  # keep labels apart
                placed.append(p)
                ax.annotate(
                    f"{sid}\n{(t1 - t0)[sid]:+,.0f} MW",
                    (p.x, p.y),
                    xytext=(5, 4),
                    textcoords="offset points",
                    fontsize=7,
                    path_effects=halo,
                    zorder=6,
                )
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        counts = kind.value_counts()
        ax.set_title(
            f"Change from {comp.labels[0]} to {label}: {counts.get('added', 0)} sites added, {counts.get('removed', 0)} removed, "
            f"{counts.get('grown', 0)} grown, {counts.get('shrunk', 0)} shrunk",
            fontsize=10,
            loc="left",
        )
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=9,
                color="#2e7d32",
                label="site added (size: MW)",
            ),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=9,
                markerfacecolor="none",
                markeredgecolor="#c62828",
                label="site removed",
            ),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="^",
                markersize=9,
                color="#2e7d32",
                label="site grown (size: change)",
            ),
            Line2D(
                [],
                [],
                linestyle="none",
                marker="v",
                markersize=9,
                color="#c62828",
                label="site shrunk",
            ),
            Line2D([], [], color="#e65100", linewidth=2, label="link used more"),
            Line2D([], [], color="#4a148c", linewidth=2, label="link used less"),
        ]
        ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.92)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), fraction=0.03, pad=0.01, shrink=0.7)
    cb.set_label("Change in new clean capacity in zone [GW]")
    return fig


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
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    ok = table[table["status"].isin(["optimal", "feasible"])].copy()
    x = (
        "carbon.cfe_target"
        if "carbon.cfe_target" in params
        else (params[0] if params else "scenario")
    )
    hue = next((p for p in params if p != x), None)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), dpi=130)
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
    from matplotlib.ticker import MaxNLocator

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
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    fig = plt.figure(figsize=(14, 9.5), dpi=150)
    ax = fig.add_axes((0.01, 0.04, 0.64, 0.88))
    bx = fig.add_axes((0.71, 0.56, 0.27, 0.32))
    ax.set_facecolor(SEA_COLOUR)
    zones.plot(ax=ax, color="#f4f4f2", edgecolor="#8a8a8a", linewidth=0.5, zorder=1)
    pts = sites.merge(frequency, on="site_id", how="left")
    pts["class"] = pts["class"].fillna("never")
    for cls in ("never", "rare", "frequent", "must-have"):
        colour, _, size = CLASS_STYLE[cls]
        sel = pts[pts["class"] == cls]
        ax.scatter(
            sel.geometry.x,
            sel.geometry.y,
            s=size,
            color=colour,
            edgecolor="white" if cls != "never" else "none",
            linewidth=0.6,
            zorder=3 if cls == "never" else 4,
        )
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    label_col = "name" if "name" in pts.columns else "site_id"
    for _, row in pts[pts["site_id"].isin(must_have)].iterrows():
        ax.annotate(
            str(row[label_col]),
            (row.geometry.x, row.geometry.y),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=7,
            path_effects=halo,
            zorder=6,
        )
    x0, y0, x1, y1 = zones.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    n_plans = len(plans)
    counts = frequency["class"].value_counts()
    handles = [
        Line2D(
            [], [], linestyle="none", marker="o", markersize=np.sqrt(size), color=colour,
            label=f"{label}: {int(counts.get(cls, 0))} sites",
        )
        for cls, (colour, label, size) in CLASS_STYLE.items()
    ]  # fmt: skip
    ax.legend(
        handles=handles,
        loc="upper left",
        fontsize=8,
        title=f"Sites across {n_plans} plans within +{slack:.0%} of the optimal cost",
        title_fontsize=8,
        framealpha=0.92,
        labelspacing=1.0,
    )
    ax.set_title(
        f"{name}: near-optimal siting plans - which sites are essential, which interchangeable",
        fontsize=10.5,
        loc="left",
    )
    ax.annotate(
        "ETRS89-LAEA (EPSG:3035). Outlines: Made with Natural Earth. Must-have sites are labelled.",
        xy=(0.0, -0.012),
        xycoords="axes fraction",
        va="top",
        fontsize=6.5,
        color="#616161",
    )
    labels = ["optimum" if p == 0 else f"plan {p}" for p in plans["plan"]]
    y = np.arange(n_plans)
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
            f"{n} sites, Jaccard {jac:.2f}",
            (max(inc * 100.0, 0.0), yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    bx.set_xlim(0, max(slack * 100.0 * 1.6, 0.5))
    bx.set_title("Plans: cost and overlap with the optimum", fontsize=9, loc="left")
    for spine in ("top", "right"):
        bx.spines[spine].set_visible(False)
    if countries is not None and len(countries):
        cx = fig.add_axes((0.71, 0.07, 0.27, 0.38))
        top = countries.head(14)
        yc = np.arange(len(top))
        cx.hlines(
            yc, top["min_mw"] / 1e3, top["max_mw"] / 1e3, color="#90a4ae", linewidth=5, alpha=0.8
        )
        if "plan_0" in top.columns:
            cx.scatter(top["plan_0"] / 1e3, yc, color="#b71c1c", s=18, zorder=3, label="optimum")
        cx.set_yticks(yc, list(top.index), fontsize=8)
        cx.invert_yaxis()
        cx.set_xlabel("New IT capacity in the country [GW]", fontsize=8)
        cx.tick_params(axis="x", labelsize=8)
        cx.set_title("Range across plans (bar) and the optimum (dot)", fontsize=9, loc="left")
        for spine in ("top", "right"):
            cx.spines[spine].set_visible(False)
    return fig
