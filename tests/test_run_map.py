"""The run map on the shipped annual scenarios, checked from what is drawn against the run's
tables and the input layers: every built site labelled, no two labels overlapping, each
zone's pie the mix of its new clean capacity, excluded candidates and policy areas drawn."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from matplotlib.colors import to_hex
from matplotlib.patches import Wedge

import siting
from siting.base.technologies import default_table
from siting.plots.run_map import EXCLUDED_STYLE

SCENARIOS = ("europe-2030", "europe-2030-policy", "europe-2030-latency")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, siting.Run]:
    out = tmp_path_factory.mktemp("maps")
    # the policy and latency maps draw rules, not the grid exchange: their one-slice
    # screening solves in seconds (the hourly settlement in a minute or two each)
    fast = {n: ["carbon.annual_accounting=netted"] for n in SCENARIOS if n != "europe-2030"}
    return {name: siting.run(REPO / "configs" / f"{name}.yaml", out=out, overrides=fast.get(name))
            for name in SCENARIOS}  # fmt: skip


@pytest.fixture(scope="module")
def drawn(runs: dict[str, siting.Run]) -> dict[str, tuple]:
    figures = {}
    for name, run in runs.items():
        fig = run.plot()
        fig.canvas.draw()
        figures[name] = (fig, fig.canvas.get_renderer())
    return figures


def _site_labels(ax) -> dict[str, list]:
    """Texts on the map by their first line (site name)."""
    found: dict[str, list] = {}
    for t in ax.texts:
        lines = t.get_text().split("\n")
        if len(lines) == 2 and (lines[1].endswith(" GW") or lines[1].endswith(" MW")):
            found.setdefault(lines[0], []).append(t)
    return found


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_built_site_is_labelled_and_no_labels_overlap(runs, drawn, name) -> None:
    fig, renderer = drawn[name]
    ax = fig.axes[0]
    sites = runs[name].table("sites")
    built = sites[sites["new_it_mw"] > 0]
    labels = _site_labels(ax)
    for _, site in built.iterrows():
        total = site["existing_it_mw"] + site["new_it_mw"]
        want = f"{total / 1e3:.1f} GW" if total >= 1000 else f"{total:.0f} MW"
        texts = [t.get_text().split("\n")[1] for t in labels.get(site["name"], [])]
        assert want in texts, f"{site['site_id']} ({site['name']}) has no label {want}"
    boxes = [t.get_window_extent(renderer) for ts in labels.values() for t in ts]
    assert len(boxes) >= len(built)
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), "two labels overlap"
    frame = ax.get_window_extent(renderer)
    legends = [a.get_window_extent(renderer) for a in ax.artists if hasattr(a, "get_texts")]
    assert len(legends) == 3  # sites and rules; clean technologies; pie sizes
    for box in boxes:
        assert (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        )
        assert not any(box.overlaps(leg) for leg in legends)


def _pies(ax) -> dict[tuple[float, float], list[Wedge]]:
    groups: dict[tuple[float, float], list[Wedge]] = {}
    for p in ax.patches:
        if isinstance(p, Wedge):
            groups.setdefault((round(p.center[0], 3), round(p.center[1], 3)), []).append(p)
    return groups


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_zones_pie_is_its_new_clean_mix(runs, drawn, name) -> None:
    fig, _ = drawn[name]
    new = runs[name].table("renewables").pivot_table(index="zone_id", columns="tech",
                                                     values="new_mw", aggfunc="sum")  # fmt: skip
    new = new.where(new >= 1e-6, 0.0)  # round-off is no capacity
    new = new[new.sum(axis=1) > 50.0]  # zones under 0.05 GW get no pie
    zones = gpd.read_file(REPO / "datasets" / "europe" / "zones.gpkg").to_crs(3035)
    zones = zones.set_index("zone_id").geometry
    pies = _pies(fig.axes[0])
    assert len(pies) == len(new)
    colours = {to_hex(default_table().colour(t)): t for t in new.columns}
    per_gw = []
    for centre, wedges in pies.items():
        zone = [
            z
            for z in new.index
            if zones[z].contains(gpd.points_from_xy([centre[0]], [centre[1]])[0])
        ]
        assert len(zone) == 1, f"pie at {centre} is not inside exactly one zone"
        mix = new.loc[zone[0]]
        drawn_share = (
            pd.Series({colours[to_hex(w.get_facecolor())]: _sweep(w) for w in wedges}) / 360.0
        )
        want = (mix[mix > 1e-6] / mix.sum()).sort_index()
        pd.testing.assert_series_equal(drawn_share.sort_index(), want, check_names=False, atol=1e-6)
        per_gw.append(wedges[0].r ** 2 / (mix.sum() / 1e3))
    # pie area proportional to GW: one scale for every zone
    assert np.ptp(per_gw) / np.mean(per_gw) < 1e-6


def _sweep(wedge) -> float:
    """A wedge's angle [degrees]; a whole pie is 360, not its float remainder near 0."""
    d = (wedge.theta2 - wedge.theta1) % 360
    return 360.0 if min(d, 360 - d) < 1e-6 else d


def _colour(collection) -> str:
    """A marker collection's colour (an unfilled marker such as x has only an edge)."""
    face = collection.get_facecolor()
    return to_hex(face[0] if len(face) else collection.get_edgecolor()[0])


def test_excluded_candidates_and_policy_areas_are_drawn(runs, drawn) -> None:
    fig, _ = drawn["europe-2030-policy"]
    ax = fig.axes[0]
    sites = runs["europe-2030-policy"].table("sites")
    idle = sites[(sites["new_it_mw"] <= 0) & (sites["existing_it_mw"] <= 0)]
    for reason in ("water", "connection", "moratorium"):
        want = int((idle["exclusion"] == reason).sum())
        colour = EXCLUDED_STYLE[reason][1]
        got = [len(c.get_offsets()) for c in ax.collections
               if len(c.get_offsets()) and _colour(c) == colour]  # fmt: skip
        assert want > 0 and want in got, reason
    moratoria = gpd.read_file(REPO / "datasets" / "europe" / "moratoria.gpkg")
    assert len(runs["europe-2030-policy"].layer("moratoria")) == len(moratoria)
    legend = [t.get_text() for t in ax.artists[0].get_texts()]
    assert "moratorium on new connections" in legend
    assert any(t.startswith("water stress above 3") for t in legend)


def test_the_map_without_rules_has_no_rule_entries(drawn) -> None:
    fig, _ = drawn["europe-2030"]
    legend = [t.get_text() for t in fig.axes[0].artists[0].get_texts()]
    assert not any("excluded" in t or "moratorium" in t or "water" in t for t in legend)


def test_redrawn_map_is_byte_identical(runs, tmp_path: Path) -> None:
    run = runs["europe-2030-policy"]
    before = {p: (run.path / p).read_bytes() for p in ("map.png", "map.svg")}
    run.save_map()
    assert {p: (run.path / p).read_bytes() for p in before} == before
    assert run.verify() == []
