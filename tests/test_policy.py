"""Policy rules: water, time to power, moratoria, areas and site counts (DESIGN §4.8).

Every solved run is re-checked from its tables and the input files by ``recheck_run``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from conftest import REPO, X0, Y0
from recheck import recheck_run
from shapely.geometry import box

from siting.base.errors import ExitCode
from siting.cli import main
from siting.commands.pipeline import run

ZONES = [
    {"zone_id": "A", "country": "AA", "baseline_it_mw": 100.0, "baseline_pue": 1.5,
     "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0,
     "water_stress": 1.0, "grid_connection_years": 2.0},
    {"zone_id": "B", "country": "BB", "baseline_it_mw": 50.0, "baseline_pue": 1.2,
     "carbon_intensity_g_per_kwh": 50.0, "grid_price_eur_per_mwh": 80.0,
     "water_stress": 4.0, "grid_connection_years": 8.0},
]  # fmt: skip


def solve(cfg: Path, tmp_path: Path, *sets: str) -> tuple[Path, pd.DataFrame, dict]:
    outcome = run(cfg, out=tmp_path / "runs", overrides=list(sets))
    assert outcome.exit_code == 0, outcome.summary
    assert outcome.path is not None
    recheck_run(outcome.path)
    sites = pd.read_csv(outcome.path / "tables" / "sites.csv").set_index("site_id")
    return outcome.path, sites, json.loads((outcome.path / "summary.json").read_text())


def add_layer(cfg: Path, key: str, rel: str) -> None:
    data = yaml.safe_load(cfg.read_text())
    data["layers"][key] = rel
    cfg.write_text(yaml.safe_dump(data, sort_keys=False))


def polygons(folder: Path, name: str, rows: list[dict]) -> str:
    """Squares (km from the tiny world's corner) as a GeoPackage layer."""
    geoms = [
        box(X0 + r["x0"] * 1e3, Y0 + r["y0"] * 1e3, X0 + r["x1"] * 1e3, Y0 + r["y1"] * 1e3)
        for r in rows
    ]
    attrs = [{k: v for k, v in r.items() if k not in ("x0", "y0", "x1", "y1")} for r in rows]
    gpd.GeoDataFrame(attrs, geometry=geoms, crs="EPSG:3035").to_file(
        folder / f"{name}.gpkg", layer=name, engine="pyogrio"
    )
    return f"data/{name}.gpkg"


def test_water_limit_excludes_stressed_zone(tiny_config, tmp_path) -> None:
    cfg = tiny_config(zones=ZONES, config={"policy": {"max_water_stress": 3.0}})
    _, sites, summary = solve(cfg, tmp_path)
    assert not sites.at["B-1", "built"]
    assert sites.at["B-1", "exclusion"] == "water"
    assert "water stress 4 above policy.max_water_stress 3" in sites.at["B-1", "excluded_reason"]
    assert summary["excluded"] == {"water": {"sites": 1, "capacity_mw": 300.0}}


def test_water_cost_is_wue_times_energy_times_scarcity_price(tiny_config, tmp_path) -> None:
    water = {"wue_l_per_kwh": 1.8, "price_eur_per_m3": 2.0, "stress_weight": 0.5}
    cfg = tiny_config(zones=ZONES, config={"water": water, "policy": {"forced_sites": ["B-1"]}})
    _, sites, summary = solve(cfg, tmp_path)
    stress = {"A": 1.0, "B": 4.0}
    for sid, row in sites.iterrows():
        per_mw = 0.8 * 8760 * 1.8 * 2.0 * (1 + 0.5 * stress[row["zone_id"]])
        assert row["water_eur_per_yr"] == pytest.approx(row["new_it_mw"] * per_mw), sid
    assert summary["cost_breakdown_eur_per_yr"]["water"] == pytest.approx(
        sites["water_eur_per_yr"].sum()
    )
    assert summary["cost_breakdown_eur_per_yr"]["water"] > 0


def test_water_price_moves_capacity_to_wet_zones(tiny_config, tmp_path) -> None:
    """With zone A water-stressed, a scarcity price moves capacity from A to B."""
    swapped = [{**ZONES[0], "water_stress": 4.5}, {**ZONES[1], "water_stress": 0.5}]
    _, dry, _ = solve(tiny_config(zones=swapped), tmp_path)
    water = {"price_eur_per_m3": 30.0, "stress_weight": 1.0}
    _, wet, _ = solve(tiny_config(zones=swapped, config={"water": water}), tmp_path)
    assert wet.at["B-1", "new_it_mw"] > dry.at["B-1", "new_it_mw"]


def test_late_connection_excludes_and_reports_capacity_lost(tiny_config, tmp_path) -> None:
    cfg = tiny_config(zones=ZONES, config={"grid_connection": {"request_year": 2026}})
    _, sites, summary = solve(cfg, tmp_path)
    assert sites.at["B-1", "online_year"] == 2034  # 2026 + 8 y
    assert sites.at["A-1", "online_year"] == 2028
    assert sites.at["B-1", "exclusion"] == "connection" and not sites.at["B-1", "built"]
    assert summary["connection_lost_mw"] == 300.0
    assert summary["connection_late_sites"] == 1


def test_acceleration_admits_late_sites_at_a_price(tiny_config, tmp_path) -> None:
    gc = {
        "request_year": 2026,
        "late_sites": "accelerate",
        "acceleration_eur_per_mw_yr": 1e5,
        "max_acceleration_years": 5,
    }
    cfg = tiny_config(
        zones=ZONES, config={"grid_connection": gc, "policy": {"forced_sites": ["B-1"]}}
    )
    _, sites, summary = solve(cfg, tmp_path)  # recheck recomputes the acceleration cost
    assert sites.at["B-1", "built"] and sites.at["B-1", "years_late"] == 4
    assert sites.at["B-1", "acceleration_eur_per_yr"] == pytest.approx(
        sites.at["B-1", "new_it_mw"] * 4 * 1e5
    )
    assert summary["accelerated_sites"] == 1
    assert summary["accelerated_mw"] == sites.at["B-1", "new_it_mw"]


def test_acceleration_limit_makes_a_forced_late_site_infeasible(tiny_config, tmp_path, capsys):
    gc = {
        "request_year": 2026,
        "late_sites": "accelerate",
        "acceleration_eur_per_mw_yr": 1e5,
        "max_acceleration_years": 3,
    }
    cfg = tiny_config(
        zones=ZONES, config={"grid_connection": gc, "policy": {"forced_sites": ["B-1"]}}
    )
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "Forced sites are excluded by another rule: B-1" in err


def test_accelerate_needs_a_cost(tiny_config, capsys) -> None:
    cfg = tiny_config(config={"grid_connection": {"late_sites": "accelerate"}})
    assert main(["validate", str(cfg)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert "grid_connection" in err and "acceleration_eur_per_mw_yr" in err


@pytest.mark.parametrize(
    ("until", "excluded"),
    [(None, True), (2027, False), (2029, True)],  # A-1's zone needs 2 years to connect
)
def test_moratorium_blocks_sites_inside_until_it_lifts(tiny_config, tmp_path, until, excluded):
    cfg = tiny_config(zones=ZONES)
    row = {"name": "West hub", "x0": 10, "y0": 40, "x1": 30, "y1": 60}
    if until is not None:
        row["until_year"] = until
    add_layer(cfg, "moratoria", polygons(tmp_path / "data", "moratoria", [row]))
    _, sites, summary = solve(cfg, tmp_path)
    assert bool(sites.at["A-1", "exclusion"] == "moratorium") is excluded
    assert sites.loc[["A-2", "B-1"], "exclusion"].isna().all()
    if excluded:
        assert not sites.at["A-1", "built"]
        assert "West hub" in sites.at["A-1", "excluded_reason"]
        assert summary["excluded"]["moratorium"]["sites"] == 1


def test_forbidden_and_forced_areas(tiny_config, tmp_path) -> None:
    _, plain, _ = solve(tiny_config(zones=ZONES), tmp_path)
    unbuilt = [s for s in ("A-1", "A-2", "B-1") if not plain.at[s, "built"]]
    built = [s for s in ("A-1", "A-2", "B-1") if plain.at[s, "built"]]
    assert unbuilt and built
    x = {"A-1": 20, "A-2": 70, "B-1": 150}

    cfg = tiny_config(zones=ZONES)
    add_layer(
        cfg,
        "forced_areas",
        polygons(
            tmp_path / "data",
            "forced",
            [
                {
                    "name": "must",
                    "x0": x[unbuilt[0]] - 5,
                    "y0": 45,
                    "x1": x[unbuilt[0]] + 5,
                    "y1": 55,
                }
            ],
        ),
    )
    add_layer(
        cfg,
        "forbidden_areas",
        polygons(
            tmp_path / "data",
            "forbidden",
            [{"name": "park", "x0": x[built[0]] - 5, "y0": 45, "x1": x[built[0]] + 5, "y1": 55}],
        ),
    )
    _, sites, _ = solve(cfg, tmp_path)  # recheck verifies both areas from the polygons
    assert sites.at[unbuilt[0], "built"]
    assert not sites.at[built[0], "built"]
    assert sites.at[built[0], "exclusion"] == "forbidden_area"


def test_min_sites_per_country(tiny_config, tmp_path) -> None:
    _, plain, _ = solve(tiny_config(zones=ZONES), tmp_path)
    country = {"A-1": "AA", "A-2": "AA", "B-1": "BB"}
    counts = pd.Series(plain["built"].to_numpy(), index=[country[s] for s in plain.index])
    lacking = "AA" if counts.groupby(level=0).sum()["AA"] < 2 else "BB"
    need = 2 if lacking == "AA" else 1
    cfg = tiny_config(zones=ZONES, config={"policy": {"min_sites_per_country": {lacking: need}}})
    _, sites, _ = solve(cfg, tmp_path)
    assert sum(sites.at[s, "built"] for s in sites.index if country[s] == lacking) >= need


def test_min_sites_per_country_checks(tiny_config, tmp_path, capsys) -> None:
    cfg = tiny_config(zones=ZONES, config={"policy": {"min_sites_per_country": {"ZZ": 1}}})
    assert main(["validate", str(cfg)]) == ExitCode.INVALID_INPUT
    assert "policy.min_sites_per_country.ZZ: unknown country 'ZZ'" in capsys.readouterr().err
    cfg = tiny_config(zones=ZONES, config={"policy": {"min_sites_per_country": {"BB": 2}}})
    assert main(["run", str(cfg), "--out", str(tmp_path / "r"), "--quiet"]) == 3
    assert "Country BB must get at least 2 sites" in capsys.readouterr().err


def test_bad_area_layers_are_named(tiny_config, tmp_path, capsys) -> None:
    cfg = tiny_config()
    data = tmp_path / "data"
    gpd.GeoDataFrame(
        [{"name": "dot", "until_year": "soon"}],
        geometry=gpd.points_from_xy([X0 + 1e4], [Y0 + 1e4]),
        crs="EPSG:3035",
    ).to_file(data / "m.gpkg", layer="m", engine="pyogrio")
    add_layer(cfg, "moratoria", "data/m.gpkg")
    assert main(["validate", str(cfg)]) == ExitCode.INVALID_INPUT
    err = capsys.readouterr().err
    assert "m.gpkg (layers.moratoria): row 2 (name=dot): 'until_year' is not a number" in err
    assert "geometry is Point" in err and "Traceback" not in err


def test_europe_policy_scenario(tmp_path) -> None:
    # the rules do not depend on how the grid is settled: the one-slice screening is faster
    screening = ["carbon.annual_accounting=netted", "solver.mip_gap=0.0001"]
    path, sites, summary = solve(REPO / "configs" / "europe-2030-policy.yaml", tmp_path, *screening)
    zones = pd.read_csv(path / "tables" / "zones.csv").set_index("zone_id")
    country = sites["zone_id"].map(zones["country"])
    new = sites["new_it_mw"].groupby(country).sum()
    assert (new / new.sum() <= 0.25 + 1e-9).all()
    # high water stress (ES, IT, PT, GR, CY, BE) and slow grids (DE 7 y, NL, DK 10 y) get nothing
    assert new.reindex(["ES", "IT", "PT", "GR", "CY", "BE", "DE", "NL", "DK"]).fillna(0).sum() == 0
    assert not sites.loc[["IE-DUBLIN", "NL-AMSTERDAM"], "built"].any()
    assert sites.at["IE-DUBLIN", "exclusion"] == "moratorium"
    ex = summary["excluded"]
    assert ex["moratorium"]["sites"] == 2
    assert ex["water"]["sites"] > 0 and ex["connection"]["sites"] > 0
    assert summary["connection_lost_mw"] == ex["connection"]["capacity_mw"]
    plain = run(REPO / "configs" / "europe-2030.yaml", out=tmp_path / "runs", overrides=screening)
    assert summary["objective_eur_per_yr"] > plain.summary["objective_eur_per_yr"]
