"""The supply-stack figure of an hourly run: supply against load over the representative days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.base.summary import cfe_words
from siting.base.technologies import default_table
from siting.plots.style import pyplot, tech_colour

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

FLOW_NAMES = {"discharge": "storage out", "charge": "storage in", "grid": "bought from the grid",
              "sale": "sold to the grid"}  # fmt: skip


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
    plt = pyplot()
    per_day = _segments_per_day(dispatch)
    if per_day is not None:
        dispatch = _hourly(dispatch)
    techs = [
        c[len("clean_") : -len("_mw")]
        for c in dispatch.columns
        if c.startswith("clean_") and c.endswith("_mw") and c != "clean_mw"
    ]
    stores = _stores(dispatch)
    fig, axes = plt.subplots(
        len(zones), 1, figsize=(13, 2.6 * len(zones) + 1.0), sharex=True, squeeze=False
    )
    drawn: set[str] = set()
    for ax, zone in zip(axes[:, 0], zones, strict=True):
        d = dispatch[dispatch["zone_id"] == zone].reset_index(drop=True)
        drawn |= _zone_panel(ax, d, techs, stores)
        ax.set_ylabel(f"{zone} [GW]")
    _day_ticks(axes[-1, 0], dispatch[dispatch["zone_id"] == zones[0]].reset_index(drop=True), days)
    handles = _legend_handles(techs, stores, drawn)
    # in inches from the top: a two-line title, then the legend's rows, then the panels
    height = fig.get_figheight()
    rows = 1 if len(handles) <= 9 else 2
    title_in, legend_in = 0.45, 0.12 * rows
    fig.suptitle(
        f"{name}: {'hourly supply' if per_day is None else f'supply ({per_day} segments a day)'}"
        " and data-centre load in the zones with most new capacity\n"
        f"CFE: {cfe_words(summary)}",
        fontsize=10.5,
        y=1.0 - 0.04 / height,
        va="top",
    )
    fig.legend(
        handles=handles, loc="upper center", ncol=min(len(handles), 9), fontsize=7.5,
        frameon=False, bbox_to_anchor=(0.5, 1.0 - title_in / height),
    )  # fmt: skip
    fig.tight_layout(rect=(0, 0, 1, 1.0 - (title_in + legend_in) / height))
    return fig


def _segments_per_day(dispatch: Any) -> str | None:
    """Slices per representative day where the days are segmented, in words ("8", or
    "4-8" where the guarantee's added days have fewer), else None (hourly)."""
    if "duration_h" not in dispatch.columns or (dispatch["duration_h"] == 1).all():
        return None
    counts = dispatch.drop_duplicates("slice").groupby("period").size()
    low, high = int(counts.min()), int(counts.max())
    return str(low) if low == high else f"{low}-{high}"


def _hourly(dispatch: Any) -> Any:
    """Segments of several hours drawn as their hours: a segment's flows are flat over it, so
    each row is repeated ``duration_h`` times and every day spans 24 hours on the axis."""
    hours = dispatch["duration_h"].round().astype(int)
    out = dispatch.loc[dispatch.index.repeat(hours)].reset_index(drop=True)
    out["weight_h"] = out["weight_h"] / out["duration_h"]
    return out


def _period_starts(d: pd.DataFrame) -> np.ndarray:
    p = d["period"].to_numpy()
    return np.flatnonzero(np.r_[True, p[1:] != p[:-1]])


def _stores(dispatch: Any) -> list[str]:
    """Store technologies with their own charge and discharge columns in the table."""
    return [
        c[len("discharge_") : -len("_mw")]
        for c in dispatch.columns
        if c.startswith("discharge_") and c.endswith("_mw") and c != "discharge_mw"
        and f"charge_{c[len('discharge_') : -len('_mw')]}_mw" in dispatch.columns
        and (dispatch[c].abs().sum() > 0)
    ]  # fmt: skip


def _zone_panel(ax: Any, d: pd.DataFrame, techs: list[str], stores: list[str]) -> set[str]:
    """One zone's stacked supply above zero; charging, exports and curtailment below; load
    as a line [GW]. Each store is drawn apart (its colour: out solid above zero, in paler
    below); no store charges and discharges in the same slice (``siting.solution.unmix``).
    Returns the bands that are not zero throughout (``"<store> in"`` for a store's charging).
    """
    drawn: set[str] = set()
    x = np.arange(len(d))
    pos = [(t, d[f"clean_{t}_mw"], 1.0) for t in techs if d[f"clean_{t}_mw"].abs().sum() > 0]
    neg = []
    if stores:
        for k in stores:
            net = d[f"discharge_{k}_mw"] - d[f"charge_{k}_mw"]
            pos.append((k, net.clip(lower=0), 1.0))
            neg.append((k, net.clip(upper=0), 0.45))
    else:
        net = d["discharge_mw"] - d["charge_mw"]
        pos.append(("discharge", net.clip(lower=0), 1.0))
        neg.append(("charge", net.clip(upper=0), 1.0))
    pos += [("import", d["import_mw"], 1.0), ("grid", d["grid_mw"], 1.0)]
    neg.append(("export", -d["export_mw"], 1.0))
    if "sale_mw" in d.columns:
        neg.append(("sale", -d["sale_mw"], 1.0))
    if "curtailment_mw" in d.columns:  # below zero, the bands add up to supply above the load
        neg.append(("curtailed", -d["curtailment_mw"], 1.0))
    for side, layers in (("out", pos), ("in", neg)):
        base = np.zeros(len(d))
        for key, values, alpha in layers:
            v = values.to_numpy(float) / 1e3
            if np.abs(v).sum() > 0:
                drawn.add(f"{key} {side}" if key in stores else key)
            ax.fill_between(x, base, base + v, step="mid", color=tech_colour(key), alpha=alpha,
                            linewidth=0)  # fmt: skip
            base = base + v
    if "served_load_mw" in d.columns:  # flexible load: what was served, and the nominal
        ax.step(x, d["load_mw"] / 1e3, where="mid", color="#616161", linewidth=1.0,
                linestyle=(0, (3, 2)))  # fmt: skip
        ax.step(x, d["served_load_mw"] / 1e3, where="mid", color="black", linewidth=1.4)
        if (d["served_load_mw"] - d["load_mw"]).abs().sum() > 0:
            drawn.add("nominal load")
    else:
        ax.step(x, d["load_mw"] / 1e3, where="mid", color="black", linewidth=1.4)
    ax.axhline(0, color="#616161", linewidth=0.5)
    for i in _period_starts(d)[1:]:
        ax.axvline(i - 0.5, color="#9e9e9e", linewidth=0.6, linestyle=":")
    ax.set_xlim(-0.5, len(d) - 0.5)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
    ax.set_axisbelow(True)
    return drawn


def _day_ticks(ax: Any, d0: pd.DataFrame, days: dict[int, str] | None) -> None:
    """One tick per representative day, with the days of the year it stands for."""
    starts = _period_starts(d0)
    periods = d0["period"].to_numpy()[starts]
    weights = d0["weight_h"].to_numpy()[starts]
    labels = [
        f"{_short_date((days or {}).get(int(p), f'day {int(p)}'))}\n{w:.0f} d"
        for p, w in zip(periods, weights, strict=True)
    ]
    ax.set_xticks(starts + 11.5)
    # a guarantee run has 40+ periods: a smaller font keeps "29 Jun / 91 d" apart
    ax.set_xticklabels(labels, fontsize=7 if len(labels) <= 24 else 5.5)
    ax.set_xlabel(
        "Representative days (UTC hours; below each: days of the year it stands for). "
        "Supply above the load line is charged, exported, sold or curtailed (below zero)."
    )


def _short_date(text: str) -> str:
    """``2015-06-29`` as ``29 Jun`` (every period is from one weather year); other text as is."""
    try:
        return f"{date.fromisoformat(text):%d %b}"
    except ValueError:
        return text


def _legend_handles(techs: list[str], stores: list[str], drawn: set[str]) -> list[Any]:
    """Legend entries for the bands drawn in some panel only (a plan without batteries or
    without purchases shows none in its legend)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    table = default_table()
    handles: list[Any] = [Patch(color=tech_colour(t), label=table.label(t))
                          for t in techs if t in drawn]  # fmt: skip
    for k in stores:
        if f"{k} out" in drawn:
            handles.append(Patch(color=tech_colour(k), label=f"{table.label(k)} out"))
        if f"{k} in" in drawn:
            handles.append(Patch(color=tech_colour(k), alpha=0.45, label=f"{table.label(k)} in"))
    flows = (
        ("import", "grid", "export", "sale", "curtailed")
        if stores
        else ("discharge", "import", "grid", "charge", "export", "sale", "curtailed")
    )
    handles += [Patch(color=tech_colour(k), label=FLOW_NAMES.get(k, k))
                for k in flows if k in drawn]  # fmt: skip
    if "nominal load" in drawn:
        handles.append(Line2D([], [], color="black", linewidth=1.4,
                              label="data-centre load served (flexible)"))  # fmt: skip
        handles.append(Line2D([], [], color="#616161", linewidth=1.0, linestyle=(0, (3, 2)),
                              label="nominal load (flat)"))  # fmt: skip
    else:
        handles.append(Line2D([], [], color="black", linewidth=1.4, label="data-centre load"))
    return handles
