"""Label placement (siting/plots/labels.py): boxes never overlap, stay in the frame, keep
clear of reserved areas and of their own marker."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.plots.labels import place_boxes

FRAME = (0.0, 0.0, 800.0, 700.0)


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def inside(box: tuple[float, ...], frame: tuple[float, ...]) -> bool:
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


markers = st.integers(min_value=1, max_value=45).flatmap(
    lambda n: st.tuples(
        st.lists(st.tuples(st.floats(40, 760), st.floats(40, 660)), min_size=n, max_size=n),
        st.lists(st.floats(1.0, 15.0), min_size=n, max_size=n),
        st.lists(st.tuples(st.floats(20, 70), st.floats(10, 24)), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(markers)
def test_boxes_never_overlap_and_stay_in_the_frame(data) -> None:
    xy, radii, sizes = (np.array(a, dtype=float) for a in data)
    legend = (0.0, 500.0, 200.0, 700.0)
    placed = place_boxes(xy, radii, sizes, FRAME, reserved=[legend])
    boxes = [p.box for p in placed if p is not None]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b)
    for (x, y), p, size in zip(xy, placed, sizes, strict=True):
        if p is None:
            continue
        assert inside(p.box, FRAME)
        assert not overlaps(p.box, legend)
        # the box is the size asked for and does not cover its own marker's centre
        assert np.allclose([p.box[2] - p.box[0], p.box[3] - p.box[1]], size)
        assert not (p.box[0] < x < p.box[2] and p.box[1] < y < p.box[3])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(100, 700), st.floats(100, 600)), min_size=1, max_size=25))
def test_every_required_label_is_placed_when_there_is_room(points) -> None:
    xy = np.array(points, dtype=float)
    n = len(xy)
    placed = place_boxes(xy, np.full(n, 6.0), np.tile([48.0, 18.0], (n, 1)), FRAME)
    assert all(p is not None for p in placed)


def test_a_lone_marker_is_labelled_next_to_it_without_a_leader() -> None:
    (p,) = place_boxes(
        np.array([[400.0, 300.0]]), np.array([10.0]), np.array([[50.0, 20.0]]), FRAME
    )
    assert p is not None and not p.leader
    # upper right first, two pixels off the marker's edge
    assert p.box[0] > 400.0 and p.box[1] > 300.0
    assert np.hypot(p.box[0] - 400.0, p.box[1] - 300.0) < 10.0 + 2.0 + 1e-6


def test_a_crowded_cluster_gets_leaders_and_optional_labels_give_way() -> None:
    xy = np.array([[400.0 + 6 * i, 300.0] for i in range(6)])
    need = np.array([True] * 5 + [False])
    placed = place_boxes(xy, np.full(6, 10.0), np.tile([60.0, 20.0], (6, 1)), FRAME, required=need)
    assert all(p is not None for p in placed[:5])
    assert any(p.leader for p in placed[:5] if p is not None)


def test_labels_keep_off_other_discs_where_they_can() -> None:
    xy = np.array([[400.0, 300.0]])
    pie = np.array([[440.0, 330.0, 30.0]])  # covers the upper-right spot
    (p,) = place_boxes(xy, np.array([5.0]), np.array([[40.0, 16.0]]), FRAME, discs=pie)
    assert p is not None
    x0, y0, x1, y1 = p.box
    nx, ny = min(max(440.0, x0), x1), min(max(330.0, y0), y1)
    assert np.hypot(nx - 440.0, ny - 330.0) >= 30.0


def test_a_label_reads_toward_its_marker() -> None:
    """Lines sit flush with the box side nearest the marker, so ink, not the empty end of a
    short second line, touches it (a centred "1.0 GW" under "Stockholm" left a gap)."""
    (p,) = place_boxes(np.array([[400.0, 300.0]]), np.array([10.0]), np.array([[60.0, 22.0]]),
                       FRAME)  # fmt: skip
    assert p is not None and p.box[0] > 400.0 and p.align == "left"
    right_edge = np.array([[790.0, 300.0]])  # no room to the right: the label goes left
    (q,) = place_boxes(right_edge, np.array([5.0]), np.array([[60.0, 22.0]]), FRAME)
    assert q is not None and q.box[2] <= 790.0 and q.align == "right"


def test_a_corner_label_near_another_marker_or_pie_gets_a_leader() -> None:
    """A label that meets its marker only at a corner, with another marker or a pie close
    by, is tied to its own by a leader (Montpellier beside Spain's pie)."""
    xy = np.array([[400.0, 300.0]])
    alone = place_boxes(xy, np.array([10.0]), np.array([[60.0, 22.0]]), FRAME)[0]
    assert alone is not None and not alone.leader
    pie = np.array([[490.0, 300.0, 12.0]])  # beside the upper-right corner spot
    near = place_boxes(xy, np.array([10.0]), np.array([[60.0, 22.0]]), FRAME, discs=pie)[0]
    assert near is not None
    x, y = 400.0, 300.0
    corner = not (near.box[0] <= x <= near.box[2] or near.box[1] <= y <= near.box[3])
    assert near.leader or not corner
