"""A country's own plan (``scope.countries``): hand-computed optimum with a trading neighbour.

Zones A (country AA) and B (BB), 10 MW of today's IT each (PUE 1, utilisation 1); one site
in each, free to build; firm clean supply at 1,000 EUR/MW/yr in A and 100 in B; 5 MW of the
link from B to A usable by data centres; annual matching, CFE 100 %, no reinforcement cost.
AA alone, +100 %: its target comes from its own baseline (10 MW new, in A: B's site is
outside the scope), B's data centres are not its load, and B is a trading partner: A's
20 MW come from 5 MW contracted in B and imported (500 EUR/yr) and 15 MW in A (15,000):
15,500 EUR/yr.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_layers, write_config
from recheck import recheck_run

from siting.cli import main

ZONES = [{"zone_id": "A", "country": "AA", "baseline_it_mw": 10.0, "baseline_pue": 1.0,
          "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0},
         {"zone_id": "B", "country": "BB", "baseline_it_mw": 10.0, "baseline_pue": 1.0,
          "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0}]  # fmt: skip
SITES = [{"site_id": "A-1", "x": 20_000, "y": 50_000, "max_it_mw": 100.0, "pue": 1.0,
          "capex_eur_per_mw_yr": 0.0, "fixed_eur_per_yr": 0.0},
         {"site_id": "B-1", "x": 150_000, "y": 50_000, "max_it_mw": 100.0, "pue": 1.0,
          "capex_eur_per_mw_yr": 0.0, "fixed_eur_per_yr": 0.0}]  # fmt: skip
SUPPLY = [{"zone_id": z, "tech": "nuclear", "potential_mw": 1000.0, "cf": 1.0,
           "capex_eur_per_mw_yr": cost} for z, cost in (("A", 1000.0), ("B", 100.0))]  # fmt: skip
LINKS = [{"link_id": f"{a}-{b}", "from_zone": a, "to_zone": b, "capacity_mw": 10.0,
          "length_km": 100.0, "loss_per_1000km": 0.0, "dc_share": 0.5}
         for a, b in (("A", "B"), ("B", "A"))]  # fmt: skip


def country_config(folder: Path, scope: dict) -> Path:
    layers = tiny_layers(folder / "data", zones=ZONES, sites=SITES, renewables=SUPPLY,
                         links=LINKS)  # fmt: skip
    return write_config(
        folder, {k: f"data/{v}" for k, v in layers.items()},
        target={"baseline_year": 2024, "increase_pct": 100, "deadline_year": 2030},
        economics={"utilisation": 1.0}, grid_connection={"reinforcement_eur_per_mw_yr": 0.0},
        technologies={"nuclear": True}, scope=scope,
    )  # fmt: skip


def test_a_country_plans_alone_with_its_neighbour_as_a_trading_partner(tmp_path) -> None:
    cfg = country_config(tmp_path, {"countries": ["AA"]})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    assert summary["objective_eur_per_yr"] == pytest.approx(15_500.0, rel=1e-9)
    assert summary["baseline_it_mw"] == pytest.approx(10.0)  # AA's own baseline
    sites = pd.read_csv(run / "tables" / "sites.csv").set_index("site_id")
    assert sites.loc["A-1", "new_it_mw"] == pytest.approx(10.0)
    assert sites.loc["B-1", "exclusion"] == "scope" and sites.loc["B-1", "new_it_mw"] == 0.0
    zones = pd.read_csv(run / "tables" / "zones.csv").set_index("zone_id")
    assert zones["in_scope"].to_dict() == {"A": True, "B": False}
    assert zones.loc["B", "load_mw"] == pytest.approx(0.0)  # not AA's load to match
    assert zones.loc["A", "import_mwh"] == pytest.approx(5.0 * 8760, rel=1e-9)
    recheck_run(run)


@pytest.mark.parametrize(("key", "name"), [("countries", "XX"), ("zones", "Z9")])
def test_an_unknown_country_or_zone_in_the_scope_exits_2(tmp_path, key, name, capsys) -> None:
    cfg = country_config(tmp_path, {key: [name]})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"scope.{key}" in err and name in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_the_map_crops_to_the_scope() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from siting.plots.run_map import scope_bounds

    zones = gpd.GeoDataFrame({"zone_id": ["A", "B"], "in_scope": [True, False]},
                             geometry=[box(0, 0, 1, 1), box(5, 5, 9, 9)])  # fmt: skip
    assert list(scope_bounds(zones)) == [0, 0, 1, 1]
    assert list(scope_bounds(zones.drop(columns="in_scope"))) == [0, 0, 9, 9]
