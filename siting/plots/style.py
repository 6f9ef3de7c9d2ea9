"""The one style of every figure: colours, marker scale, map frame, credits, saving.

Matplotlib is imported lazily with the non-interactive backend (:func:`pyplot`), so
importing siting never needs a display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from siting.base.technologies import default_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NEW_COLOUR = "#c2185b"
EXISTING_COLOUR = "#37474f"
LINK_COLOUR = "#1565c0"
SEA_COLOUR = "#eaf1f7"
LAND_COLOUR = "#f4f4f2"
OUTLINE_COLOUR = "#8a8a8a"
IDLE_COLOUR = "#9e9e9e"
SERVICE_COLOUR = "#6a1b9a"
NOTE_COLOUR = "#616161"
MW_PER_PT2 = 2.0
"""Marker area scale: points^2 per MW of IT capacity at the site."""

FLOW_COLOURS = {
    "discharge": "#43a047",
    "import": "#90a4ae",
    "grid": "#6d4c41",
    "charge": "#a5d6a7",
    "export": "#cfd8dc",
    "sale": "#ffcc80",
    "curtailed": "#eeeeee",
}
"""Colours of the dispatch figure's non-generation layers."""

CREDIT = (
    "ETRS89-LAEA (EPSG:3035). Outlines: Made with Natural Earth. Data: ICIS, ENSPRESO, IRENA, "
    "Ember, ENTSO-E TYNDP, PyPSA technology-data, T&T DCCI (see datasets/README.md)."
)


def pyplot() -> Any:
    """``matplotlib.pyplot``: with the Agg backend (no display needed) unless the caller
    chose one (a notebook's inline backend, ``MPLBACKEND``), which is kept."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tech_colour(key: str) -> str:
    """Colour of a technology (from the technology table) or of a dispatch layer."""
    return FLOW_COLOURS.get(key) or default_table().colour(key)


def marker_area(mw: np.ndarray | float, mw_per_pt2: float = MW_PER_PT2) -> np.ndarray:
    """Marker area [pt^2] of a site of ``mw`` MW IT."""
    return np.asarray(mw, dtype=float) / mw_per_pt2


def fmt_eur(x: float) -> str:
    """An annual cost in words: ``€43.3 bn/yr`` or ``€120 m/yr``."""
    if not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e9:
        return f"€{x / 1e9:,.1f} bn/yr"
    return f"€{x / 1e6:,.0f} m/yr"


def halo() -> list[Any]:
    """A white outline that keeps labels readable over any fill."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def padded_extent(bounds: Any, pad: float = 0.03) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` [m] around ``(minx, miny, maxx, maxy)`` bounds, padded."""
    x0, y0, x1, y1 = bounds
    p = pad * max(x1 - x0, y1 - y0)
    return (x0 - p, x1 + p, y0 - p, y1 + p)


def union_extent(zone_layers: list[Any]) -> tuple[float, float, float, float]:
    """One padded extent [m] holding every layer."""
    b = np.array([z.total_bounds for z in zone_layers])
    return padded_extent((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))


def frame_map(ax: Any, extent: tuple[float, float, float, float]) -> None:
    """Equal-aspect map frame on ``extent`` [m], without ticks."""
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def credit(ax: Any, text: str = CREDIT) -> None:
    """Projection and data credits under a map."""
    ax.annotate(
        text, xy=(0.0, -0.012), xycoords="axes fraction", va="top", fontsize=6.5,
        color=NOTE_COLOUR,
    )  # fmt: skip


def dot(label: str, colour: str, size: float = 9, hollow: bool = False, marker: str = "o") -> Any:
    """A legend entry for a marker."""
    from matplotlib.lines import Line2D

    face = "none" if hollow else colour
    return Line2D(
        [], [], linestyle="none", marker=marker, markersize=size, markerfacecolor=face,
        markeredgecolor=colour, color=colour, label=label,
    )  # fmt: skip


def save_figure(fig: Figure, stem: Path) -> list[Path]:
    """Save a figure as PNG and SVG next to each other; returns the paths.

    The same figure gives the same bytes: no date in the SVG's metadata and element ids
    from a fixed salt instead of random ones, so a redrawn map still matches its manifest.
    Each file is written beside its target and renamed over it, never left half-written.
    """
    import matplotlib

    plt = pyplot()
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    with matplotlib.rc_context({"svg.hashsalt": "siting"}):
        for path, extra in ((paths[0], {"dpi": 150}), (paths[1], {"metadata": {"Date": None}})):
            part = path.with_name(f".{path.name}.part")
            fig.savefig(part, bbox_inches="tight", format=path.suffix[1:], **extra)
            os.replace(part, path)
    plt.close(fig)
    return paths
