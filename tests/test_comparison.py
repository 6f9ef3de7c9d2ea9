"""siting compare: tables, shared scales, refusal of non-runs, runs left untouched."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Wedge

from siting.cli import main
from siting.commands.comparison import build_comparison
from siting.commands.pipeline import run
from siting.outputs.runfolder import sha256_file
from siting.plots import plot_comparison

COMPARE_FILES = [
    "report.html", "kpis.csv", "sites_diff.csv", "config_diff.csv", "countries.csv",
    "maps_side_by_side.png", "maps_side_by_side.svg", "map_difference.png", "map_difference.svg",
]  # fmt: skip


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from conftest import tiny_layers, write_config

    base = tmp_path_factory.mktemp("cmp")
    layers = {k: f"data/{v}" for k, v in tiny_layers(base / "data").items()}
    a = run(write_config(base, layers, name="plain"), out=base / "runs").path
    b = run(
        write_config(
            base,
            layers,
            name="cheap-grid",
            carbon={"cfe_target": 0.5},
            target={"increase_pct": 200},
        ),
        out=base / "runs",
    ).path
    return [a, b]


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_compare_writes_every_file_and_leaves_runs_untouched(two_runs, tmp_path, capsys) -> None:
    before = [snapshot(p) for p in two_runs]
    assert main(["compare", *map(str, two_runs), "--out", str(tmp_path)]) == 0
    out = Path(capsys.readouterr().out.strip().splitlines()[-1])
    for name in COMPARE_FILES:
        assert (out / name).is_file(), name
    assert [snapshot(p) for p in two_runs] == before


def test_kpi_deltas_and_site_changes_follow_the_tables(two_runs) -> None:
    comp = build_comparison(two_runs)
    assert comp.labels == ["plain", "cheap-grid"]
    k = comp.kpis.set_index("kpi")
    for key in ("objective_eur_per_yr", "new_it_mw", "sites_built", "cfe_score"):
        a, b = (json.loads((p / "summary.json").read_text())[key] for p in two_runs)
        assert k.at[key, "plain"] == pytest.approx(a) and k.at[key, "cheap-grid"] == pytest.approx(
            b
        )
        assert k.at[key, "delta_cheap-grid"] == pytest.approx(b - a)
    sa, sb = (pd.read_csv(p / "tables" / "sites.csv").set_index("site_id") for p in two_runs)
    diff = comp.sites_diff.set_index("site_id")
    for sid in sa.index:
        na, nb = sa.at[sid, "new_it_mw"], sb.at[sid, "new_it_mw"]
        expected = (
            "same" if na == nb else "added" if na == 0 else "removed" if nb == 0 else "resized"
        )
        assert diff.at[sid, "change"] == expected
        assert diff.at[sid, "total_it_mw_plain"] == sa.at[sid, "total_it_mw"]
    assert set(comp.config_diff["key"]) == {"name", "carbon.cfe_target", "target.increase_pct"}
    assert comp.summary[0].startswith("cheap-grid ") and comp.summary[0].endswith("than plain.")


def test_side_by_side_panels_share_extent_and_scales(two_runs) -> None:
    comp = build_comparison(two_runs)
    fig = plot_comparison(comp)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert len(panels) == 2
    assert (
        panels[0].get_xlim() == panels[1].get_xlim()
        and panels[0].get_ylim() == panels[1].get_ylim()
    )
    mw_per_pt2 = fig.siting_scales["mw_per_pt2"]
    pie_scale = fig.siting_scales["pie_pt2_per_gw"]
    pt_per_m = [
        72.0 * ax.get_window_extent().width / fig.dpi / np.ptp(ax.get_xlim()) for ax in panels
    ]
    for ax, r, k in zip(panels, comp.runs, pt_per_m, strict=True):
        # pies: area [pt^2] = new clean GW x the shared pie scale in every panel
        renewables = r.table("renewables")
        gw = renewables.groupby("zone_id")["new_mw"].sum() / 1e3
        wedges = [p for p in ax.patches if isinstance(p, Wedge)]
        radii = {w.r for w in wedges}
        want = sorted(np.sqrt(g * pie_scale / np.pi) for g in gw[gw >= 0.05])
        got = sorted({rad * k for rad in radii})
        assert np.allclose(got, want, rtol=1e-4)
        # markers: area = total MW / the shared scale in every panel
        sites = r.layer("sites")
        total = (sites["existing_it_mw"] + sites["new_it_mw"])[sites["new_it_mw"] > 0].to_numpy()
        sizes = [c.get_sizes() for c in ax.collections[1:] if len(c.get_sizes()) == len(total)]
        assert any(np.allclose(s, total / mw_per_pt2) for s in sizes)


def test_compare_refuses_a_folder_that_is_not_a_run(two_runs, tmp_path, capsys) -> None:
    assert main(["compare", str(two_runs[0]), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is not a run folder" in err and "Traceback" not in err


def test_runs_index_lists_them(two_runs, capsys) -> None:
    assert main(["runs", str(two_runs[0].parent)]) == 0
    out = capsys.readouterr().out
    assert "plain" in out and "cheap-grid" in out and "optimal" in out


def test_runs_on_different_datasets_compare(two_runs, tmp_path, capsys) -> None:
    """Another dataset (one site renamed, zone B renamed C): union of IDs, no failure."""
    from conftest import tiny_layers, write_config

    sites = [
        {
            "site_id": "A-1",
            "x": 20_000,
            "y": 50_000,
            "max_it_mw": 400.0,
            "module_it_mw": 100.0,
            "existing_it_mw": 50.0,
            "capex_eur_per_mw_yr": 1.0e6,
        },
        {
            "site_id": "A-9",
            "x": 70_000,
            "y": 50_000,
            "max_it_mw": 300.0,
            "module_it_mw": 100.0,
            "capex_eur_per_mw_yr": 0.8e6,
        },
    ]
    zones = [
        {"zone_id": "A", "country": "AA", "baseline_it_mw": 100.0},
        {"zone_id": "C", "country": "CC", "baseline_it_mw": 50.0},
    ]
    renewables = [
        {
            "zone_id": z,
            "tech": "solar",
            "potential_mw": 5000.0,
            "capex_eur_per_mw_yr": 5e4,
            "cf": 0.15,
        }
        for z in ("A", "C")
    ]
    layers = {
        k: f"data/{v}"
        for k, v in tiny_layers(
            tmp_path / "data", sites=sites, zones=zones, renewables=renewables, links=[]
        ).items()
    }
    other = run(write_config(tmp_path, layers, name="other-data"), out=tmp_path / "runs").path
    assert main(["compare", str(two_runs[0]), str(other), "--out", str(tmp_path / "cmp")]) == 0
    out = Path(capsys.readouterr().out.strip().splitlines()[-1])
    diff = pd.read_csv(out / "sites_diff.csv").set_index("site_id")
    assert {"A-1", "A-2", "B-1", "A-9"} <= set(diff.index)
    assert diff.at["A-9", "change"] == "added" and pd.isna(diff.at["A-9", "total_it_mw_plain"])
    assert (out / "map_difference.png").stat().st_size > 10_000


def test_three_runs_have_a_change_column_each(two_runs) -> None:
    a, b = two_runs
    comp = build_comparison([a, b, a])
    diff = comp.sites_diff
    assert {"change_cheap-grid", "change_plain#2"} <= set(diff.columns)
    assert (diff["change_plain#2"] == "same").all()
    moved = diff["change_cheap-grid"] != "same"
    assert moved.any()
    # the common word where every run agrees, "mixed" where they differ
    assert (diff.loc[moved, "change"] == "mixed").all()
    assert (diff.loc[~moved, "change"] == "same").all()


def test_the_robust_core_is_what_every_plan_builds(two_runs) -> None:
    import pandas as pd

    a, b = two_runs
    comp = build_comparison([a, b, a])
    built = [
        set(pd.read_csv(p / "tables" / "sites.csv").query("new_it_mw > 0")["site_id"])
        for p in (a, b, a)
    ]
    core = set.intersection(*built)
    diff = comp.sites_diff.set_index("site_id")
    assert set(diff.index[diff["built_in_runs"] == 3]) == core
    for sid, n in diff["built_in_runs"].items():
        assert n == sum(sid in s for s in built)
    sentence = comp.summary[-1]
    assert sentence.startswith(f"{len(core)} site") and "all 3 plans" in sentence


def test_kpis_carry_every_cost_component_and_they_add_up(two_runs) -> None:
    comp = build_comparison(two_runs)
    k = comp.kpis.set_index("kpi")
    for path, label in zip(two_runs, comp.labels, strict=True):
        summary = json.loads((path / "summary.json").read_text())
        parts = summary["cost_breakdown_eur_per_yr"]
        for part, value in parts.items():
            key = f"cost_breakdown_eur_per_yr.{part}"
            assert key in k.index, f"{part} missing from kpis.csv"
            assert k.at[key, label] == pytest.approx(value)
        rows = [f"cost_breakdown_eur_per_yr.{p}" for p in parts]
        assert k.loc[rows, label].sum() == pytest.approx(summary["objective_eur_per_yr"], rel=1e-6)
