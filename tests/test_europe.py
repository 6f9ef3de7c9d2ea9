"""The shipped European scenarios end to end, through the console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from recheck import recheck_run

CONTRACT_FILES = [
    "config.yaml",
    "manifest.json",
    "summary.json",
    "results.gpkg",
    "tables/sites.csv",
    "tables/renewables.csv",
    "tables/flows.csv",
    "tables/dispatch.csv",
    "map.png",
    "map.svg",
]


def siting(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "siting", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def europe_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("runs")
    runs = {}
    for name in ("europe-2030", "europe-2030-triple"):
        proc = siting("run", str(REPO / "configs" / f"{name}.yaml"), "--out", str(out), cwd=out)
        assert proc.returncode == 0, proc.stderr
        runs[name] = Path(proc.stdout.strip().splitlines()[-1])
        # stdout is the run path and nothing else (the summary line goes to stderr)
        assert proc.stdout == f"{runs[name]}\n" and "new IT at" in proc.stderr
    return runs


def test_run_folder_has_every_contract_file(europe_runs: dict[str, Path]) -> None:
    for path in europe_runs.values():
        for rel in CONTRACT_FILES:
            assert (path / rel).is_file(), rel
        import geopandas as gpd

        for layer, cols in {
            "sites": [
                "site_id",
                "zone_id",
                "built",
                "existing_it_mw",
                "new_it_mw",
                "total_it_mw",
                "load_mw",
            ],
            "zones": ["zone_id", "new_clean_mw"],
            "links": ["from_zone", "to_zone", "capacity_mw", "mean_flow_mw", "utilisation"],
        }.items():
            gdf = gpd.read_file(path / "results.gpkg", layer=layer)
            assert set(cols) <= set(gdf.columns)
            assert gdf.crs.to_epsg() == 3035
        manifest = json.loads((path / "manifest.json").read_text())
        for key in ("config_sha256", "versions", "solver", "timings"):
            assert key in manifest
        assert {"read_s", "build_s", "pass_s", "solve_s", "write_s"} <= set(manifest["timings"])


def test_plus_300_percent_is_four_times_baseline_and_carbon_free(
    europe_runs: dict[str, Path],
) -> None:
    s = json.loads((europe_runs["europe-2030"] / "summary.json").read_text())
    assert s["status"] == "optimal"
    assert s["mip_gap"] <= 0.005
    assert s["target_it_mw"] == pytest.approx(4 * s["baseline_it_mw"])
    assert s["total_it_mw"] >= s["target_it_mw"]
    assert s["cfe_score"] == pytest.approx(1.0)
    assert 9_000 < s["baseline_it_mw"] < 11_000  # ~10 GW per DESIGN §1
    recheck_run(europe_runs["europe-2030"])


def test_triple_and_quadruple_give_different_valid_plans(europe_runs: dict[str, Path]) -> None:
    quad, triple = (
        json.loads((europe_runs[n] / "summary.json").read_text())
        for n in ("europe-2030", "europe-2030-triple")
    )
    assert triple["target_it_mw"] == pytest.approx(3 * triple["baseline_it_mw"])
    assert triple["new_it_mw"] < quad["new_it_mw"]
    assert triple["objective_eur_per_yr"] < quad["objective_eur_per_yr"]
    recheck_run(europe_runs["europe-2030-triple"])
    a = pd.read_csv(europe_runs["europe-2030"] / "tables" / "sites.csv").set_index("site_id")[
        "new_it_mw"
    ]
    b = pd.read_csv(europe_runs["europe-2030-triple"] / "tables" / "sites.csv").set_index(
        "site_id"
    )["new_it_mw"]
    assert (a != b).any()


def test_max_country_share_holds(europe_runs: dict[str, Path]) -> None:
    sites = pd.read_csv(europe_runs["europe-2030"] / "tables" / "sites.csv")
    share = sites.groupby(sites["site_id"].str[:2])["new_it_mw"].sum() / sites["new_it_mw"].sum()
    assert share.max() <= 0.35 + 1e-9


@pytest.mark.parametrize("name", ["europe-2030", "europe-2030-triple"])
def test_validate_shipped_configs(name: str, tmp_path: Path) -> None:
    proc = siting("validate", str(REPO / "configs" / f"{name}.yaml"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout


def test_plot_redraws_the_map(europe_runs: dict[str, Path]) -> None:
    run = europe_runs["europe-2030-triple"]
    before = (run / "map.png").stat().st_mtime_ns
    proc = siting("plot", str(run), cwd=run)
    assert proc.returncode == 0, proc.stderr
    assert (run / "map.png").stat().st_mtime_ns >= before


def test_impossible_247_on_malta_is_explained(tmp_path: Path) -> None:
    """A campus forced onto Malta under 24/7 without batteries: the dark hours fall short."""
    proc = siting(
        "run", str(REPO / "configs" / "europe-2030-247.yaml"), "--out", str(tmp_path), "--quiet",
        "--set", "storage.enabled=false", "--set", "policy.forced_sites=[MT-SAN-PAWL-IL-BAAR]",
        "--set", "weather.segments_per_day=24",  # the dark hours one by one, as computed below
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    diag = json.loads((Path(proc.stdout.strip().splitlines()[-1]) / "diagnosis.json").read_text())
    short = next(f for f in diag["findings"] if f["check"] == "shortfall_balance")
    assert "in MT" in short["message"]
    # 100 MW x PUE 1.26 x 0.8 = 100.8 MW of load; at night only the IT->MT link delivers
    import geopandas as gpd

    link = (
        gpd.read_file(REPO / "datasets" / "europe" / "links.gpkg").set_index("link_id").loc["IT-MT"]
    )
    delivered = (
        link["capacity_mw"]
        * link["dc_share"]
        * (1 - link["loss_per_1000km"] * link["length_km"] / 1000)
    )
    assert short["numbers"]["largest_shortfall_mw"] == pytest.approx(
        100 * 1.26 * 0.8 - delivered, rel=1e-6
    )


def test_compare_plus_300_and_plus_200(europe_runs: dict[str, Path], tmp_path: Path) -> None:
    proc = siting(
        "compare",
        str(europe_runs["europe-2030"]),
        str(europe_runs["europe-2030-triple"]),
        "--out",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = Path(proc.stdout.strip().splitlines()[-1])
    for name in (
        "report.html",
        "kpis.csv",
        "sites_diff.csv",
        "config_diff.csv",
        "maps_side_by_side.png",
        "maps_side_by_side.svg",
        "map_difference.png",
        "map_difference.svg",
    ):
        assert (out / name).is_file(), name
    kpis = pd.read_csv(out / "kpis.csv").set_index("kpi")
    assert kpis.at["new_it_mw", "delta_europe-2030-triple"] == pytest.approx(-10_100.0, abs=100.0)
    assert set(pd.read_csv(out / "config_diff.csv")["key"]) == {"name", "target.increase_pct"}
    sites = [int(json.loads((europe_runs[n] / "summary.json").read_text())["sites_built"])
             for n in ("europe-2030", "europe-2030-triple")]  # fmt: skip
    assert f"europe-2030-triple builds {sites[0] - sites[1]} fewer sites" in proc.stdout


def test_sites_table_reads_on_its_own(europe_runs: dict[str, Path]) -> None:
    sites = pd.read_csv(europe_runs["europe-2030"] / "tables" / "sites.csv")
    assert list(sites.columns[:5]) == ["site_id", "name", "country", "lon", "lat"]
    frankfurt = sites.set_index("site_id").loc["DE-FRANKFURT"]
    assert frankfurt["name"] == "Frankfurt" and frankfurt["country"] == "DE"
    assert frankfurt["lon"] == pytest.approx(8.6842, abs=1e-4)
    assert frankfurt["lat"] == pytest.approx(50.1155, abs=1e-4)
