"""Link lines that keep clear of site markers.

A link drawn straight from one zone's point to another's can run across a data-centre marker
on its way, and then reads as if it fed that site. :func:`clear_route` bends such a line into
a gentle arc (a quadratic Bezier curve whose control point moves sideways from the middle of
the segment) until no marker it passes is touched; markers at either end of the link are its
own and are not avoided. Pure: display coordinates in, points out.
"""

from __future__ import annotations

import numpy as np

BENDS = (0.0, 0.08, -0.08, 0.16, -0.16, 0.24, -0.24, 0.32, -0.32)
"""Sideways offsets of the control point tried in turn, as shares of the link's length."""

SAMPLES = 48
"""Points along a curve."""


def bezier(p0: np.ndarray, p1: np.ndarray, bend: float, n: int = SAMPLES) -> np.ndarray:
    """``n`` points ``(n, 2)`` along the arc from ``p0`` to ``p1`` whose control point lies
    ``bend`` x the segment's length to the left of its middle (0: the straight segment)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = p1 - p0
    normal = np.array([-d[1], d[0]])
    control = (p0 + p1) / 2.0 + bend * normal
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p1


def _touched(points: np.ndarray, discs: np.ndarray, clearance: float) -> float:
    """How deep the polyline ``points`` runs into ``discs`` ``(k, 3)`` (0: clear) [px]."""
    if not len(discs):
        return 0.0
    a, b = points[:-1], points[1:]
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    c = discs[:, None, :2]
    t = np.clip(((c - a) * ab).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a + t[..., None] * ab
    dist = np.hypot(*(nearest - c).transpose(2, 0, 1)).min(axis=1)
    return float(np.clip(discs[:, 2] + clearance - dist, 0.0, None).sum())


def clear_route(
    p0: np.ndarray, p1: np.ndarray, discs: np.ndarray, clearance: float = 1.5
) -> np.ndarray:
    """The straight segment or the least bent arc from ``p0`` to ``p1`` that touches no disc.

    Parameters
    ----------
    p0, p1
        The link's ends [px].
    discs
        Site markers ``(k, 3)``: centre x, y and radius [px].
    clearance
        Room kept between a line and a marker's edge [px].

    Returns
    -------
    np.ndarray
        Points ``(n, 2)`` [px]: two for a straight line, more for an arc. Where every bend
        tried touches some marker, the one that runs least deep into them.
    """
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    discs = np.asarray(discs, float).reshape(-1, 3)
    own = (np.hypot(*(discs[:, :2] - p0).T) <= discs[:, 2] + clearance) | (
        np.hypot(*(discs[:, :2] - p1).T) <= discs[:, 2] + clearance
    )
    others = discs[~own]
    best, best_depth = None, np.inf
    for bend in BENDS:
        points = bezier(p0, p1, bend)
        depth = _touched(points, others, clearance)
        if depth == 0.0:
            return np.vstack([p0, p1]) if bend == 0.0 else points
        if depth < best_depth:
            best, best_depth = points, depth
    assert best is not None
    return best
