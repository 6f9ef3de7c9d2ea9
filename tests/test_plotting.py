"""The run map: projected, on a fixed extent, with legend, colour bar and title."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from siting.commands.pipeline import run
from siting.outputs.results import read_run
from siting.plots import map_title, plot_run_map


@pytest.fixture
def solved(tiny_config, tmp_path):
    return read_run(run(tiny_config(), out=tmp_path / "runs").path)


def test_map_is_drawn_in_3035_with_legends(solved) -> None:
    zones, sites, links = (solved.layer(n) for n in ("zones", "sites", "links"))
    assert zones.crs.to_epsg() == 3035
    fig = plot_run_map(zones, sites, links, solved.summary, "tiny")
    ax = fig.axes[0]
    x0, _, x1, _ = zones.total_bounds
    assert ax.get_xlim()[0] < x0 and ax.get_xlim()[1] > x1
    legends = [a for a in ax.artists if hasattr(a, "get_texts")]
    texts = [t.get_text() for leg in legends for t in leg.get_texts()]
    titles = [leg.get_title().get_text() for leg in legends]
    assert any("MW IT" in t for t in texts)
    # the clean mix legend names the technologies built, the size legend has units
    assert "New clean capacity in zone" in titles and any(t.endswith(" GW") for t in texts)
    assert "Solar PV" in texts or "Onshore wind" in texts
    assert "tiny" in ax.get_title(loc="left")


def test_shared_extent_and_scale_are_honoured(solved) -> None:
    zones, sites = solved.layer("zones"), solved.layer("sites")
    extent = (0.0, 1.0e7, 0.0, 1.0e7)
    fig = plot_run_map(
        zones, sites, None, solved.summary, "t", extent=extent, pie_pt2_per_gw=123.0, legend=False
    )
    assert fig.axes[0].get_xlim() == (0.0, 1.0e7)


def test_title_states_target_and_cost() -> None:
    t = map_title(
        {
            "baseline_it_mw": 10_000,
            "target_it_mw": 40_000,
            "objective_eur_per_yr": 4.3e10,
            "cfe_score": 1.0,
            "sites_built": 3,
        },
        "x",
    )
    assert "40.0 GW" in t and "4 x" in t and "€43.0 bn/yr" in t


def test_map_files_written(solved) -> None:
    assert (solved.path / "map.png").stat().st_size > 10_000
    assert (solved.path / "map.svg").read_text().lstrip().startswith("<?xml")
    assert isinstance(solved.layer("sites"), gpd.GeoDataFrame)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("", "agg"),  # nobody chose: Agg, no display needed
        (
            "import matplotlib; matplotlib.use('svg'); import matplotlib.pyplot",
            "svg",
        ),  # a notebook's choice
    ],
)
def test_figures_keep_a_backend_the_caller_chose(setup: str, expected: str) -> None:
    import subprocess
    import sys

    code = (f"{setup}\nimport matplotlib\nfrom siting.plots.style import pyplot\n"
            "pyplot()\nprint(matplotlib.get_backend().lower())")  # fmt: skip
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)  # fmt: skip
    assert out.stdout.strip() == expected


def test_version_has_one_source() -> None:
    from importlib.metadata import version

    import siting
    from siting.cli import main

    assert version("siting") == siting.__version__
    with pytest.raises(SystemExit):
        main(["--version"])


def test_no_title_line_is_wider_than_the_map() -> None:
    from siting.plots.run_map import TITLE_CHARS

    summary = {"baseline_it_mw": 10_094, "target_it_mw": 40_374, "objective_eur_per_yr": 7.1e10,
               "cfe_score": 1.0, "sites_built": 31, "matching": "hourly",
               "cfe_score_full_year": 0.9994, "cfe_score_by_year": {"2015": 0.9994, "2016": 0.9998}}  # fmt: skip
    lines = map_title(summary, "europe-2030-247-robust").split("\n")
    assert all(len(line) <= TITLE_CHARS for line in lines[1:])
    assert "99.94% over every hour of the worst of 2015, 2016" in "\n".join(lines)


def test_dispatch_legend_lists_only_what_is_drawn_and_the_title_names_the_rule() -> None:
    import pandas as pd

    from siting.plots import plot_dispatch

    hours = 48
    solar = np.where(np.arange(hours) % 24 < 12, 150.0, 0.0)
    d = pd.DataFrame({
        "zone_id": "A", "period": np.repeat([0, 1], 24), "weight_h": 182.5, "load_mw": 100.0,
        "clean_mw": solar, "clean_solar_mw": solar, "clean_onshore_wind_mw": 0.0,
        "charge_mw": 0.0, "discharge_mw": 0.0, "import_mw": 0.0, "export_mw": 0.0,
        "grid_mw": np.where(solar > 0, 0.0, 100.0), "sale_mw": np.where(solar > 0, 50.0, 0.0),
        "curtailment_mw": 0.0,
    })  # fmt: skip
    summary = {"matching": "annual", "cfe_score": 1.0, "hourly_cfe_score": 0.5}
    fig = plot_dispatch(d, ["A"], summary, "test")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Solar PV" in labels and "data-centre load" in labels
    assert "Onshore wind" not in labels  # built nowhere in the drawn zones
    assert not any("charg" in x.lower() or "discharg" in x.lower() for x in labels)
    assert not any("import" in x.lower() or "export" in x.lower() for x in labels)
    title = fig._suptitle.get_text()
    assert "annual matching 100.0%" in title and "hour by hour 50.0%" in title


def test_the_dispatch_title_says_how_many_segments_each_day_has() -> None:
    # added days may be cut coarser (or finer) than the representative ones: a range, then
    import pandas as pd

    from siting.plots.dispatch import _segments_per_day

    def table(per_period: list[int]) -> pd.DataFrame:
        rows = [(f"d{p}s{s}", p, 24 / n) for p, n in enumerate(per_period) for s in range(n)]
        return pd.DataFrame(rows, columns=["slice", "period", "duration_h"])

    assert _segments_per_day(table([8, 8])) == "8"
    assert _segments_per_day(table([8, 8, 4, 24])) == "4-24"
    assert _segments_per_day(table([24, 24])) is None  # hourly
