"""Link lines keep clear of site markers (siting/plots/routes.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.plots.routes import _touched, bezier, clear_route


def test_a_clear_link_stays_straight() -> None:
    route = clear_route(np.array([0.0, 0.0]), np.array([100.0, 0.0]),
                        np.array([[50.0, 30.0, 5.0]]))  # fmt: skip
    assert route.tolist() == [[0.0, 0.0], [100.0, 0.0]]


def test_a_link_across_a_marker_bends_around_it() -> None:
    disc = np.array([[50.0, 0.0, 8.0]])
    route = clear_route(np.array([0.0, 0.0]), np.array([100.0, 0.0]), disc)
    assert len(route) > 2
    assert route[0].tolist() == [0.0, 0.0] and route[-1].tolist() == [100.0, 0.0]
    gaps = np.hypot(route[:, 0] - 50.0, route[:, 1]) - 8.0
    assert gaps.min() >= 1.5 - 1e-9  # the clearance, at every point of the arc
    assert _touched(route, disc, 1.5) == 0.0


def test_markers_at_the_links_ends_are_its_own() -> None:
    ends = np.array([[0.0, 0.0, 10.0], [100.0, 0.0, 10.0]])
    route = clear_route(np.array([0.0, 0.0]), np.array([100.0, 0.0]), ends)
    assert len(route) == 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(10, 190), st.floats(-40, 40), st.floats(1, 6)),
                min_size=1, max_size=5))  # fmt: skip
def test_a_route_never_runs_deeper_into_markers_than_the_straight_line(discs) -> None:
    d = np.array(discs)
    p0, p1 = np.array([0.0, 0.0]), np.array([200.0, 0.0])
    route = clear_route(p0, p1, d)
    own = (np.hypot(*(d[:, :2] - p0).T) <= d[:, 2] + 1.5) | (
        np.hypot(*(d[:, :2] - p1).T) <= d[:, 2] + 1.5
    )
    others = d[~own]
    assert _touched(route, others, 1.5) <= _touched(bezier(p0, p1, 0.0), others, 1.5) + 1e-9
