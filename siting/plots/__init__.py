"""Figures, one module per figure, all drawn in the style of :mod:`siting.plots.style`."""

from siting.plots.alternatives import plot_alternatives
from siting.plots.compare import plot_comparison, plot_difference
from siting.plots.dispatch import plot_dispatch
from siting.plots.full_year import plot_full_year
from siting.plots.run_map import map_title, plot_run_map
from siting.plots.style import MW_PER_PT2, save_figure
from siting.plots.sweep import plot_sweep

__all__ = [
    "MW_PER_PT2",
    "map_title",
    "plot_alternatives",
    "plot_comparison",
    "plot_difference",
    "plot_dispatch",
    "plot_full_year",
    "plot_run_map",
    "plot_sweep",
    "save_figure",
]
