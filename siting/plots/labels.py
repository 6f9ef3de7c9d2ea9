"""Map labels that never overlap: a greedy placement over rings of candidate positions.

The rule, in display pixels: each label is a box that must lie inside the map frame, clear of
every box already placed and of reserved areas (the legend). Its candidates sit around its
marker in 16 directions on rings of growing distance; among the valid candidates the one with
least cost wins, where the cost grows with the distance from the marker and with the area of
other markers the box would hide. The most crowded markers are placed first, while the space
near them is still free; a label set away from its marker gets a leader line.

:func:`place_boxes` is pure (numbers in, boxes out) and tested on its own;
:func:`label_points` measures matplotlib texts, places them and draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LEADER_COLOUR = "#455a64"
DIRECTIONS = 16
"""Candidate directions around a marker (every 22.5 degrees)."""


@dataclass(frozen=True)
class Placed:
    """One placed label box in display pixels.

    Attributes
    ----------
    box
        ``(x0, y0, x1, y1)`` [px], y upwards as in matplotlib's display space.
    leader
        True when the box stands away from its marker and needs a line to it.
    """

    box: tuple[float, float, float, float]
    leader: bool
    align: str = "center"
    """How the label's lines align in the box: toward the marker (``left`` when the box is
    to the marker's right, ``right`` to its left), so that ink and not empty box touches the
    marker; ``center`` above and below it."""


def _overlap_area(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Overlap area [px^2] of one box ``(4,)`` with each of ``boxes`` ``(n, 4)``."""
    if not len(boxes):
        return np.zeros(0)
    w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(w, 0.0, None) * np.clip(h, 0.0, None)


def _candidates(
    x: float, y: float, r: float, w: float, h: float, gap: float, step: float, rings: int
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes ``(k, 4)`` around a marker at ``(x, y)`` of radius ``r`` and their ring numbers.

    In each direction the box's side facing the marker touches the ring, so the box never
    covers its own marker.
    """
    angles = np.arange(DIRECTIONS) * 2.0 * np.pi / DIRECTIONS
    # upper right reads first: rotate so the first direction is 45 degrees
    angles = (angles + np.pi / 4.0) % (2.0 * np.pi)
    c, s = np.cos(angles), np.sin(angles)
    boxes, ring_of = [], []
    for k in range(rings):
        d = r + gap + k * step
        px, py = x + d * c, y + d * s
        # side facing the marker: left edge when the label is to the right, and so on
        x0 = np.where(c > 0.38, px, np.where(c < -0.38, px - w, px - w / 2.0))
        y0 = np.where(s > 0.38, py, np.where(s < -0.38, py - h, py - h / 2.0))
        boxes.append(np.column_stack([x0, y0, x0 + w, y0 + h]))
        ring_of.append(np.full(DIRECTIONS, k))
    return np.vstack(boxes), np.concatenate(ring_of)


def _crowding(xy: np.ndarray, radius: float) -> np.ndarray:
    """Number of other markers within ``radius`` [px] of each marker."""
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return (d < radius).sum(axis=1) - 1


def place_boxes(
    xy: np.ndarray,
    radii: np.ndarray,
    sizes: np.ndarray,
    frame: tuple[float, float, float, float],
    *,
    reserved: Sequence[tuple[float, float, float, float]] = (),
    required: np.ndarray | None = None,
    discs: np.ndarray | None = None,
    gap: float = 2.0,
    step: float | None = None,
    rings: int = 40,
) -> list[Placed | None]:
    """Place one box per marker, no two overlapping, all inside ``frame``.

    Parameters
    ----------
    xy
        Marker centres ``(n, 2)`` [px].
    radii
        Marker radii ``(n,)`` [px]; markers are also obstacles that labels avoid if they can.
    sizes
        Label widths and heights ``(n, 2)`` [px].
    frame
        ``(x0, y0, x1, y1)`` [px] every box must lie in.
    reserved
        Boxes no label may touch (a legend) [px].
    required
        Markers that must be labelled ``(n,)``; the others are labelled only where a box
        fits within the first few rings. Default: all required.
    discs
        Other things labels avoid if they can (pies): ``(k, 3)`` centres and radii [px].
    gap
        Distance between a marker's edge and its label [px].
    step
        Distance between rings [px]; default half the tallest label.
    rings
        Rings tried for a required label before it is given up.

    Returns
    -------
    list
        Per marker, its :class:`Placed` box, or None where no box fits.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    radii = np.asarray(radii, dtype=float)
    sizes = np.asarray(sizes, dtype=float).reshape(-1, 2)
    need = np.ones(n, dtype=bool) if required is None else np.asarray(required, dtype=bool)
    step = float(step if step is not None else max(sizes[:, 1].max(initial=8.0) / 2.0, 4.0))
    marker_boxes = np.column_stack([xy - radii[:, None], xy + radii[:, None]])
    if discs is not None and len(discs):
        d = np.asarray(discs, dtype=float).reshape(-1, 3)
        extra = np.column_stack([d[:, :2] - d[:, 2:], d[:, :2] + d[:, 2:]])
    else:
        extra = np.zeros((0, 4))
    blocked = [np.asarray(b, dtype=float) for b in reserved]
    placed: list[Placed | None] = [None] * n
    crowd = _crowding(xy, 4.0 * step + 2.0 * float(radii.max(initial=0.0)))
    order = sorted(range(n), key=lambda i: (not need[i], -crowd[i], -radii[i], i))
    for i in order:
        boxes, ring = _candidates(float(xy[i, 0]), float(xy[i, 1]), float(radii[i]),
                                  float(sizes[i, 0]), float(sizes[i, 1]), gap, step,
                                  rings if need[i] else 3)  # fmt: skip
        ok = (
            (boxes[:, 0] >= frame[0]) & (boxes[:, 1] >= frame[1])
            & (boxes[:, 2] <= frame[2]) & (boxes[:, 3] <= frame[3])
        )  # fmt: skip
        taken = np.array(blocked) if blocked else np.zeros((0, 4))
        others = np.vstack([np.delete(marker_boxes, i, axis=0), extra])
        other_xy, other_r = np.delete(xy, i, axis=0), np.delete(radii, i)
        best, best_cost, best_ambiguous = -1, float(np.inf), False
        for j in np.flatnonzero(ok):
            if len(taken) and _overlap_area(boxes[j], taken).max() > 0.0:
                continue
            hidden = _overlap_area(boxes[j], others).sum()
            # a label nearer another marker than its own reads as that marker's
            ambiguous = _nearest_is_other(boxes[j], xy[i], radii[i], other_xy, other_r)
            cost = (ring[j] * step + 4.0 * hidden / max(sizes[i, 1], 1.0)
                    + 6.0 * step * ambiguous + 0.01 * (j % DIRECTIONS))  # fmt: skip
            if cost < best_cost:
                best, best_cost, best_ambiguous = int(j), float(cost), ambiguous
            if ring[j] * step > best_cost:  # later rings can only cost more
                break
        if best < 0:
            continue
        box = boxes[best]
        blocked.append(box)
        leader = bool(ring[best] > 0 or best_ambiguous
                      or _corner_in_crowd(box, xy[i], other_xy, other_r, extra, sizes[i, 1]))  # fmt: skip
        placed[i] = Placed(
            box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])), leader=leader,
            align=_align(float(box[0]), float(box[2]), float(xy[i, 0])),
        )  # fmt: skip
    return placed


def _corner_in_crowd(box: np.ndarray, own: np.ndarray, other_xy: np.ndarray,
                     other_r: np.ndarray, extra: np.ndarray, reach: float) -> bool:  # fmt: skip
    """Whether a box that meets its marker only at a corner has another marker or a pie
    within ``reach`` [px]: there a corner alone does not say whose label it is."""
    x, y = float(own[0]), float(own[1])
    if box[0] <= x <= box[2] or box[1] <= y <= box[3]:
        return False  # beside or above/below the marker: reads as its own
    near = bool(len(other_xy)) and bool(((_box_distance(box, other_xy) - other_r) < reach).any())
    if len(extra):
        centres = (extra[:, :2] + extra[:, 2:]) / 2.0
        radius = (extra[:, 2] - extra[:, 0]) / 2.0
        near = near or bool(((_box_distance(box, centres) - radius) < reach).any())
    return near


def _align(x0: float, x1: float, x: float) -> str:
    """Lines flush with the box side nearest the marker at ``x`` (centred when the box spans
    it)."""
    if x0 >= x:
        return "left"
    if x1 <= x:
        return "right"
    return "center"


def _box_distance(box: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Distance [px] from a box ``(4,)`` to each point of ``xy`` ``(n, 2)``."""
    dx = np.maximum(np.maximum(box[0] - xy[:, 0], xy[:, 0] - box[2]), 0.0)
    dy = np.maximum(np.maximum(box[1] - xy[:, 1], xy[:, 1] - box[3]), 0.0)
    return np.hypot(dx, dy)


def _nearest_is_other(
    box: np.ndarray, own: np.ndarray, own_r: float, other_xy: np.ndarray, other_r: np.ndarray
) -> bool:
    """Whether another marker's edge is nearer to ``box`` than its own marker's edge."""
    if not len(other_xy):
        return False
    mine = float(_box_distance(box, own[None, :])[0]) - own_r
    return bool((_box_distance(box, other_xy) - other_r).min() < mine)


def label_points(
    ax: Any,
    points: np.ndarray,
    texts: Sequence[str],
    radii_pt: np.ndarray,
    *,
    required: np.ndarray | None = None,
    reserved_artists: Sequence[Any] = (),
    discs: Sequence[tuple[float, float, float]] = (),
    fontsize: float = 7.0,
    colour: str = "#212121",
    zorder: float = 7.0,
) -> list[Any]:
    """Label markers on ``ax`` so that no two labels overlap.

    Call after the axes have their final extent and position (after legends and colour
    bars are added): placement is measured in display pixels.

    Parameters
    ----------
    ax
        Map axes.
    points
        Marker positions ``(n, 2)`` in data units [m].
    texts
        One label per marker.
    radii_pt
        Marker radii [pt].
    required
        Markers whose labels must be drawn; others are drawn where they fit.
    reserved_artists
        Artists (a legend) whose display box labels must keep clear of.
    discs
        Other round things labels avoid where they can (pies): ``(x, y, r)`` [m].

    Returns
    -------
    list
        The text artists drawn, one per label placed.
    """
    from siting.plots.style import halo

    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    xy = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
    sizes = np.array([_text_size(ax, t, fontsize, renderer) for t in texts]).reshape(-1, 2)
    frame = tuple(ax.get_window_extent(renderer).extents)
    reserved = [tuple(a.get_window_extent(renderer).extents) for a in reserved_artists]
    px_discs = np.array(
        [[*ax.transData.transform((x, y)), r * _px_per_m(ax)] for x, y, r in discs]
    ).reshape(-1, 3)
    placed = place_boxes(xy, np.asarray(radii_pt, dtype=float) * px_per_pt, sizes, frame,  # type: ignore[arg-type]
                         reserved=reserved, required=required, discs=px_discs)  # fmt: skip
    inverse = ax.transData.inverted()
    drawn = []
    for (x, y), text, p in zip(xy, texts, placed, strict=True):
        if p is None:
            continue
        x0, y0, x1, y1 = p.box
        tx = {"left": x0 + 1.0, "right": x1 - 1.0}.get(p.align, (x0 + x1) / 2.0)
        cx, cy = inverse.transform((tx, (y0 + y1) / 2.0))
        drawn.append(ax.text(cx, cy, text, ha=p.align, va="center", fontsize=fontsize,
                             color=colour, path_effects=halo(), zorder=zorder,
                             linespacing=1.05, multialignment=p.align))  # fmt: skip
        if p.leader:
            # from the marker's centre, marked by a dot: in a cluster of overlapping discs
            # the edge would not say which disc the label belongs to
            line = inverse.transform(_leader(p.box, x, y))
            ax.plot(line[:, 0], line[:, 1], color=LEADER_COLOUR, linewidth=0.7,
                    zorder=zorder - 0.5, marker="o", markevery=[0], markersize=2.2)  # fmt: skip
    return drawn


def _px_per_m(ax: Any) -> float:
    """Display pixels per map metre (equal aspect)."""
    (x0, _), (x1, _) = ax.transData.transform([(0.0, 0.0), (1000.0, 0.0)])
    return float((x1 - x0) / 1000.0)


def _text_size(ax: Any, text: str, fontsize: float, renderer: Any) -> tuple[float, float]:
    """Width and height [px] of ``text`` as drawn (with a pixel of margin each side)."""
    probe = ax.text(0, 0, text, fontsize=fontsize, linespacing=1.05)
    bb = probe.get_window_extent(renderer)
    probe.remove()
    return bb.width + 2.0, bb.height + 2.0


def _leader(box: tuple[float, float, float, float], x: float, y: float) -> np.ndarray:
    """A leader line ``(2, 2)`` [px] from the marker at ``(x, y)`` to the nearest point of its
    label's box."""
    return np.array([[x, y], [min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])]])
