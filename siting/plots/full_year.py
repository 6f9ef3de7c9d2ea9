"""The full-year figure: where and when a plan falls short over every day of the year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_full_year(
    zone_ids: list[str],
    load_mw: np.ndarray,
    grid_mw: np.ndarray,
    soc_mwh: dict[str, np.ndarray],
    energy_mwh: dict[str, np.ndarray],
    stamps: pd.DatetimeIndex,
    title: str,
    n_stores: int = 4,
) -> Figure:
    """Residual grid share per zone and day (heat map) and the year-long state of the largest stores.

    Parameters
    ----------
    zone_ids, load_mw
        Zones and their average load [MW].
    grid_mw
        Residual grid per zone and hour [MW], zones x hours.
    soc_mwh, energy_mwh
        State of charge per store tech (zones x hours) [MWh] and each store's energy per zone.
    stamps
        The hours (UTC).
    title
        First line of the title (scenario, year, CFE).
    """
    plt = pyplot()
    days = stamps.normalize()
    daily_grid = pd.DataFrame(grid_mw.T, index=days).groupby(level=0).sum()
    share = (daily_grid / (load_mw * 24.0)).T  # zones x days
    share.index = zone_ids
    order, cfe = shortfall_order(grid_mw, load_mw)
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(13, 9.5), height_ratios=(3, 1.2))
    data = share.iloc[order].to_numpy() * 100.0
    vmax = max(5.0, float(np.nanpercentile(data, 99.5)))
    im = ax.imshow(data, aspect="auto", cmap="Reds", vmin=0.0, vmax=vmax, interpolation="nearest")
    ax.set_yticks(range(len(order)), [f"{zone_ids[i]} {cfe[i]:.1%}" for i in order], fontsize=7)
    months = pd.date_range(days[0], periods=12, freq="MS")
    starts = [int((m - days[0]).days) for m in months]
    for a in (ax, bx):
        a.set_xticks(starts, [f"{m:%b}" for m in months], fontsize=8)
    ax.set_xlim(-0.5, data.shape[1] - 0.5)
    ax.set_ylabel("zone and its CFE over the year (lowest at the top)")
    cb = fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
    cb.set_label("residual grid share of the day's load [%]")
    ax.set_title(title, fontsize=10.5, loc="left")
    _stores(bx, zone_ids, soc_mwh, energy_mwh, stamps, n_stores)
    fig.tight_layout()
    return fig


def shortfall_order(grid_mw: np.ndarray, load_mw: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Zones with load, the one with the largest own shortfall first, and every zone's CFE.

    A zone's shortfall is its residual grid over its own load, ``1 - CFE`` [-]; ties keep the
    zones' order.

    Parameters
    ----------
    grid_mw
        Residual grid per zone and hour [MW], zones x hours.
    load_mw
        Each zone's average load [MW].
    """
    hours = grid_mw.shape[1]
    energy = np.asarray(load_mw, float) * hours
    short = np.divide(grid_mw.sum(axis=1), energy, out=np.zeros(len(energy)), where=energy > 0)
    ranked = np.argsort(-short, kind="stable")
    return [int(i) for i in ranked if energy[i] > 0], 1.0 - short


def _stores(
    bx: Any,
    zone_ids: list[str],
    soc_mwh: dict[str, np.ndarray],
    energy_mwh: dict[str, np.ndarray],
    stamps: pd.DatetimeIndex,
    n: int,
) -> None:
    """Daily mean state of charge [% of energy] of the ``n`` largest stores over the year."""
    sizes = [(float(energy_mwh[t][z]), t, z) for t in soc_mwh for z in range(len(zone_ids))]
    top = [x for x in sorted(sizes, reverse=True)[:n] if x[0] > 0]
    for energy, tech, z in top:
        level = soc_mwh[tech][z] / energy * 100.0
        daily = pd.Series(level).groupby(np.arange(len(level)) // 24).mean()
        bx.plot(daily.index, daily.to_numpy(), linewidth=1.0,
                label=f"{zone_ids[z]} {tech} ({energy / 1e3:,.1f} GWh)")  # fmt: skip
    bx.set_ylim(0, 100)
    bx.set_xlim(0, len(stamps) / 24.0)
    bx.set_ylabel("state of charge\n[% of energy, daily mean]")
    bx.grid(color="#eeeeee")
    if top:
        bx.legend(fontsize=7.5, loc="upper right", ncol=min(4, len(top)), frameon=False)
    bx.set_xlabel("day of the year (UTC); storage carried chronologically over the whole year")


def plot_cfe_by_year(table: pd.DataFrame, cfe_target: float | None, title: str) -> Figure:
    """CFE per zone (rows) and weather year (columns) as an annotated heat map.

    Parameters
    ----------
    table
        ``tables/full_year.csv`` rows: ``zone_id``, ``weather_year``, ``load_mwh``,
        ``grid_mwh``, ``cfe`` [-].
    cfe_target
        The plan's hourly target [-]: cells below it are bold; None: an annual plan, which
        promises no hour (nothing is bold).
    title
        The figure's title.
    """
    from matplotlib.colors import Normalize

    plt = pyplot()
    used = table[table["load_mwh"] > 0]
    grid = used.pivot_table(index="zone_id", columns="weather_year", values="cfe")
    total = used.groupby("weather_year")[["load_mwh", "grid_mwh"]].sum()
    grid.loc["all zones"] = 1.0 - total["grid_mwh"] / total["load_mwh"]
    grid = (
        grid.sort_values(grid.columns[0])
        .drop("all zones")
        .pipe(lambda g: pd.concat([grid.loc[["all zones"]], g]))
    )
    hourly = cfe_target is not None
    target = cfe_target if cfe_target is not None else -np.inf
    low = min(float(np.nanmin(grid.to_numpy())), (target if hourly else 1.0) - 0.02)
    norm = Normalize(vmin=low * 100, vmax=100)
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * grid.shape[1], 1.2 + 0.26 * grid.shape[0]))
    image = ax.imshow(grid.to_numpy() * 100, cmap="RdYlGn", norm=norm, aspect="auto")
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        short = v < target - 1e-6
        text = f"{v:.2%}"
        if short and text == f"{target:.2%}":  # short by less than the rounding
            text = f"{v:.3%}"
        r, g, b, _ = image.cmap(image.norm(v * 100))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, text, ha="center", va="center", fontsize=7, family="DejaVu Sans",
                fontweight="bold" if short else "normal", color="white" if dark else "#212121")  # fmt: skip
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), list(grid.index), fontsize=7.5)
    ax.xaxis.tick_top()
    ax.set_xlabel("weather year")
    ax.xaxis.set_label_position("top")
    cb = fig.colorbar(image, ax=ax, fraction=0.08, pad=0.04)
    cb.set_label("CFE over every hour [%]")
    note = (f"bold: below the {target:.1%} target" if hourly
            else "an annual plan: its energy matched over the year, not each hour")  # fmt: skip
    ax.set_title(f"{title}\n({note})", fontsize=9, pad=28)
    fig.tight_layout()
    return fig
