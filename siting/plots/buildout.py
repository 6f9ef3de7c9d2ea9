"""The build-out figure of a run over milestones: what is in place by each milestone.

Three panels over the milestone years: new IT capacity by country against each milestone's
requirement, new clean capacity by technology, and storage energy by technology; the values
are the run's ``tables/buildout.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.base.technologies import default_table
from siting.plots.style import NOTE_COLOUR, pyplot, tech_colour

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TOP_COUNTRIES = 7
"""Countries drawn on their own in the IT panel; the rest are one bar segment."""
COUNTRY_COLOURS = ("#c2185b", "#4a148c", "#1565c0", "#00897b", "#7cb342", "#ef6c00",
                   "#6d4c41")  # fmt: skip


def plot_buildout(table: pd.DataFrame, countries: Mapping[str, str],
                  summary: Mapping[str, Any], name: str) -> Figure:  # fmt: skip
    """Stacked bars per milestone: IT [GW] by country, clean capacity [GW] and storage
    [GWh] by technology.

    Parameters
    ----------
    table
        The run's build-out table (``year``, ``kind``, ``zone_id``, ``tech``, ``new_mw``,
        ``new_mwh``).
    countries
        Zone ID -> country.
    summary
        The run's summary (its ``milestones`` block gives each milestone's requirement).
    name
        Scenario name for the title.
    """
    plt = pyplot()
    years = sorted(int(y) for y in table["year"].unique())
    stores = table[table["kind"] == "storage"]
    panels = 3 if not stores.empty and stores["new_mwh"].sum() > 0 else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 5.0), constrained_layout=True)
    sites = table[table["kind"] == "site"]
    sites = sites.assign(group=sites["zone_id"].map(countries).fillna(sites["zone_id"]))
    _stacked(axes[0], _top(sites, "group", "new_mw", years), years,
             dict(zip(_order(sites, "group"), COUNTRY_COLOURS, strict=False)))  # fmt: skip
    need = {s["year"]: s["required_new_it_mw"] / 1e3
            for s in (summary.get("milestones") or {}).get("stages", [])}  # fmt: skip
    axes[0].scatter(np.arange(len(years)), [need.get(y, np.nan) for y in years], marker="_",
                    s=1100, linewidths=2, color="black", zorder=5,
                    label="required by the milestone")  # fmt: skip
    axes[0].set_title("New IT capacity in place\n[GW IT], by country", loc="left", fontsize=10)
    _stacked(axes[1], _by(table[table["kind"] == "supply"], "tech", "new_mw", years), years)
    axes[1].set_title("New clean capacity in place\n[GW], by technology", loc="left",
                      fontsize=10)  # fmt: skip
    if panels == 3:
        _stacked(axes[2], _by(stores, "tech", "new_mwh", years), years)
        axes[2].set_title("Storage energy in place\n[GWh], by technology", loc="left",
                          fontsize=10)  # fmt: skip
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], fontsize=7.5, loc="upper right", frameon=False,
                  markerscale=0.3)
    cost = (summary.get("milestones") or {}).get("weighted_cost_eur")
    words = f"; cost over the milestones {cost / 1e9:,.1f} bn EUR" if cost else ""
    fig.suptitle(f"{name}: build-out by milestone, capacity built once stays{words}",
                 x=0.01, ha="left", fontsize=11)  # fmt: skip
    fig.get_layout_engine().set(h_pad=0.12)
    fig.text(0.01, 0.005, "Each bar: capacity in place by the milestone (tables/buildout.csv); "
             "the cost weighs each milestone's annual cost by the years its plan stands.",
             fontsize=7, color=NOTE_COLOUR)  # fmt: skip
    return fig


def _order(rows: pd.DataFrame, key: str) -> list[str]:
    """Groups by their capacity at the last milestone, largest first."""
    last = rows[rows["year"] == rows["year"].max()]
    return list(last.groupby(key)["new_mw"].sum().sort_values(ascending=False).index)


def _top(rows: pd.DataFrame, key: str, value: str, years: list[int]) -> pd.DataFrame:
    """Per year and group [MW], the largest groups on their own and the rest as 'other'."""
    order = _order(rows, key)
    top = set(order[:TOP_COUNTRIES])
    grouped = rows.assign(**{key: rows[key].where(rows[key].isin(top), "other")})
    wide = _by(grouped, key, value, years)
    columns = [c for c in order[:TOP_COUNTRIES] if c in wide] + (["other"] if "other" in wide else [])
    return wide[columns]


def _by(rows: pd.DataFrame, key: str, value: str, years: list[int]) -> pd.DataFrame:
    """Per year (rows) and group (columns) [MW or MWh], groups with any capacity."""
    if rows.empty:
        return pd.DataFrame(index=years)
    wide = rows.pivot_table(index="year", columns=key, values=value, aggfunc="sum").reindex(years)
    wide = wide.fillna(0.0)
    return wide.loc[:, wide.max() > 1e-6]


def _stacked(ax: Any, wide: pd.DataFrame, years: list[int],
             colours: Mapping[str, str] | None = None) -> None:  # fmt: skip
    """Stacked bars [thousands of the table's unit], one per milestone, one segment per
    column of ``wide``; ``colours`` by column (None: the technology colours)."""
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    for col in wide.columns:
        values = wide[col].to_numpy(float) / 1e3
        colour = tech_colour(col) if colours is None else colours.get(col, "#b0bec5")
        label = str(col) if colours is not None else default_table().label(str(col))
        ax.bar(x, values, bottom=bottom, width=0.55, color=colour, edgecolor="white",
               linewidth=0.5, label=label)  # fmt: skip
        bottom += values
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(f"{total:,.1f}", (xi, total), xytext=(0, 6), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8)  # fmt: skip
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlim(-0.5, len(years) - 0.5 + 1.1)  # room on the right for the legend
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.12)
