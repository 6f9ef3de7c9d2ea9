"""The sweep figure: axes in words with units, the third panel chosen by what was swept."""

from __future__ import annotations

import pandas as pd

from siting.plots import plot_sweep
from siting.plots.sweep import axis_label


def _table(cfe: list[float], **params: list) -> pd.DataFrame:
    n = len(cfe)
    return pd.DataFrame({
        "scenario": [f"s{i}" for i in range(n)], **params, "status": ["optimal"] * n,
        "cost_per_mwh_load_eur": [120.0 + i for i in range(n)], "sites_built": [30 + i for i in range(n)],
        "cfe_score": cfe,
    })  # fmt: skip


def test_axes_are_words_with_units() -> None:
    assert axis_label("latency.max_rtt_ms") == "Round-trip-time budget for inference [ms]"
    assert axis_label("carbon.cfe_target") == "Carbon-free energy target [%]"
    # keys without words of their own take the config schema's, with its unit
    label = axis_label("water.price_eur_per_m3")
    assert label.endswith("]") and "water.price" not in label


def test_a_latency_sweep_shows_where_capacity_goes_not_a_flat_frontier() -> None:
    table = _table([1.0] * 3, **{"latency.max_rtt_ms": [20, 10, 5]})
    countries = pd.DataFrame({"s0": [10_000, 0], "s1": [8_000, 2_000], "s2": [6_000, 4_000]},
                             index=pd.Index(["ES", "FR"], name="country"))  # fmt: skip
    fig = plot_sweep(table, ["latency.max_rtt_ms"], "lat", countries)
    titles = [ax.get_title() for ax in fig.axes]
    assert (
        "Where the new capacity goes" in titles and "Cost against CFE: the frontier" not in titles
    )
    bars = fig.axes[2]
    # bars ordered by the swept value (5, 10, 20 ms), stacked to each scenario's total [GW]
    assert [t.get_text() for t in bars.get_xticklabels()] == ["5", "10", "20"]
    tops = sorted({round(p.get_y() + p.get_height(), 6) for p in bars.patches})
    assert tops[-1] == 10.0
    assert fig.axes[0].get_xlabel() == "Round-trip-time budget for inference [ms]"


def test_a_cfe_sweep_draws_the_frontier_in_percent() -> None:
    table = _table([0.8, 0.9, 1.0], **{"carbon.cfe_target": [0.8, 0.9, 1.0]})
    fig = plot_sweep(table, ["carbon.cfe_target"], "cfe")
    assert fig.axes[2].get_title() == "Cost against CFE: the frontier"
    xs = fig.axes[0].lines[0].get_xdata()
    assert list(xs) == [80.0, 90.0, 100.0]


def test_palettes_by_flexible_share_draw_energy_cost_and_full_year_cfe() -> None:
    # named scenarios tagged by palette: one line per palette over the flexible share [%]
    shares = [0.0, 0.2, 0.0, 0.2]
    table = _table([1.0] * 4, **{"flexibility.temporal_share": shares})
    table["palette"] = ["p1", "p1", "p3", "p3"]
    table["energy_cost_per_mwh_load_eur"] = [106.0, 100.0, 73.0, 69.0]
    table["cfe_score_full_year"] = [0.9991, 0.9994, 0.9994, 0.9998]
    fig = plot_sweep(table, ["flexibility.temporal_share", "palette"], "flex",
                     cost="energy", panel="full_year")  # fmt: skip
    cost, _, cfe = fig.axes
    assert cost.get_ylabel().startswith("Energy cost per MWh")
    assert cost.get_xlabel() == "Share of the load that may move within its day [%]"
    assert [list(line.get_xdata()) for line in cost.lines] == [[0.0, 20.0], [0.0, 20.0]]
    assert [list(line.get_ydata()) for line in cost.lines] == [[106.0, 100.0], [73.0, 69.0]]
    assert [t.get_text() for t in cost.get_legend().get_texts()] == ["Palette: p1", "Palette: p3"]
    assert cfe.get_title().startswith("Carbon-free share over the full year")
    assert max(cfe.lines[0].get_ydata()) == 99.94


def test_a_figure_key_missing_from_a_scenario_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    from siting.commands.sweeps import SweepFile

    raw = {"name": "s", "base": "b.yaml", "figure": {"x": "flexibility.temporal_share",
                                                      "lines": "palette"},
           "scenarios": [{"name": "a", "set": {"flexibility.temporal_share": 0}, "tags": {"palette": "p1"}},
                         {"name": "b", "set": {}, "tags": {"palette": "p1"}}]}  # fmt: skip
    with pytest.raises(ValidationError, match="neither a grid key nor set or tagged"):
        SweepFile.model_validate(raw)
