"""Grid exchange: purchases and surplus sales, settled hour by hour in both matching rules.

Hand-computed optima on a two-hour instance: one zone with a 10 MW flat load, solar that
runs at full output in the first hour and not at all in the second, grid energy at
``p`` EUR/MWh and surplus sold at ``q`` EUR/MWh.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_instance

from siting.config import SolverConfig
from siting.model import build_model
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve


def two_hours(matching: str, cfe_target: float, solar_cost: float, share: float):
    """The two-hour instance; costs per MW of solar over the (two-hour) year [EUR/MW]."""
    return make_instance(
        baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0, multiplier=1.0,
        re_tech=["solar"], re_cf=[[1.0, 0.0]], re_capex_eur_per_mw_yr=[solar_cost],
        slice_ids=["h1", "h2"], weight_h=[1.0, 1.0], period=[0, 0],
        matching=matching, cfe_target=cfe_target, grid_cost_eur_per_mwh=[100.0],
        exchange="hourly", sale_price_eur_per_mwh=np.array([40.0]), max_surplus_share=share,
    )  # fmt: skip


def solved(inst):
    model = build_model(inst)
    result = solve(model, SolverConfig(name="highs", mip_gap=0.0, threads=1))
    assert result.status == SolverStatus.OPTIMAL
    return result, extract_solution(model, result)


def test_annual_matching_buys_the_night_and_sells_the_day_by_hand() -> None:
    # 10 MWh bought in hour 2 must be offset by 10 MWh sold in hour 1: solar 20 MW.
    # Cost 50 x 20 + 100 x 10 - 40 x 10 = 1,600 EUR; more solar costs 50 and earns 40.
    result, sol = solved(two_hours("annual", 1.0, solar_cost=50.0, share=1.0))
    assert result.objective == pytest.approx(1600.0, abs=1e-6)
    d = sol.dispatch.set_index("slice")
    assert d["grid_mw"].tolist() == pytest.approx([0.0, 10.0], abs=1e-7)
    assert d["sale_mw"].tolist() == pytest.approx([10.0, 0.0], abs=1e-7)
    costs = sol.summary["cost_breakdown_eur_per_yr"]
    assert costs["clean_capacity"] == pytest.approx(1000.0)
    assert costs["residual_grid"] == pytest.approx(1000.0)
    assert costs["grid_sales"] == pytest.approx(-400.0)
    assert sum(costs.values()) == pytest.approx(result.objective)
    assert sol.summary["cfe_score"] == pytest.approx(1.0)
    assert sol.summary["hourly_cfe_score"] == pytest.approx(0.5)  # hour 2 was bought
    assert sol.summary["energy_cost_per_mwh_load_eur"] == pytest.approx(1600.0 / 20.0)


def test_hourly_matching_sells_up_to_the_cap_when_selling_pays_by_hand() -> None:
    # 24/7 at 50 %: hour 2 (10 MWh) may be bought, hour 1 needs 10 MW of solar. Solar at 30
    # earns 40 when sold, so it grows until the sales reach the purchases (10 MWh) plus 25 %
    # of the 20 MWh load: 15 MWh sold, 25 MW of solar.
    # Cost 30 x 25 + 100 x 10 - 40 x 15 = 1,150 EUR.
    result, sol = solved(two_hours("hourly", 0.5, solar_cost=30.0, share=0.25))
    assert result.objective == pytest.approx(1150.0, abs=1e-6)
    d = sol.dispatch.set_index("slice")
    assert d["sale_mw"].tolist() == pytest.approx([15.0, 0.0], abs=1e-7)
    assert d["grid_mw"].tolist() == pytest.approx([0.0, 10.0], abs=1e-7)
    assert sol.summary["grid_sale_mwh"] == pytest.approx(15.0)
    assert sol.summary["cfe_score"] == pytest.approx(0.5)  # sales do not count hour by hour


def test_every_column_keeps_its_family_when_a_table_is_empty() -> None:
    # no links: the flow table has no rows; the sale columns after it must still map to "x"
    model = build_model(two_hours("annual", 1.0, solar_cost=50.0, share=1.0))
    refs = model.column_refs
    assert len(refs) == len(model.columns)
    for (family, _), column in zip(refs, model.columns, strict=True):
        assert column.name.startswith(family.prefix), (family.prefix, column.name)


def test_hourly_matching_does_not_net_sales_against_purchases() -> None:
    # The same instance at 100 %: hour 2 has no clean supply and nothing may be bought.
    model = build_model(two_hours("hourly", 1.0, solar_cost=30.0, share=1.0))
    result = solve(model, SolverConfig(name="highs", mip_gap=0.0, threads=1))
    assert result.status == SolverStatus.INFEASIBLE


def test_with_no_extra_share_a_buyer_sells_no_more_than_it_buys_by_hand() -> None:
    # Annual at 50 %, share 0: selling pays (30 < 40), but sales stop at the 10 MWh bought:
    # solar 20 MW, cost 30 x 20 + 100 x 10 - 40 x 10 = 1,200 EUR; the rest is not built.
    result, sol = solved(two_hours("annual", 0.5, solar_cost=30.0, share=0.0))
    assert result.objective == pytest.approx(1200.0, abs=1e-6)
    assert sol.summary["grid_sale_mwh"] == pytest.approx(10.0)
    assert sol.summary["grid_purchase_mwh"] == pytest.approx(10.0)


def _two_day_profiles() -> list[dict]:
    """Solar by day, wind by night, in both zones of the tiny world, over 24 slices."""
    rows = []
    for h in range(24):
        for z, tech in (
            ("A", "solar"),
            ("A", "onshore_wind"),
            ("B", "solar"),
            ("B", "offshore_wind"),
        ):
            cf = (0.6 if 8 <= h < 16 else 0.0) if tech == "solar" else (0.1 if 8 <= h < 16 else 0.7)
            rows.append({"zone_id": z, "tech": tech, "slice": f"h{h:02d}", "weight_h": 365.0,
                         "cf": cf, "period": 0})  # fmt: skip
    return rows


@pytest.mark.parametrize("matching", ["annual", "hourly"])
def test_runs_settle_and_price_the_exchange_rechecked(tiny_config, tmp_path, matching) -> None:
    import json

    from recheck import recheck_run

    from siting.commands.pipeline import run

    zones = [
        {"zone_id": "A", "country": "AA", "baseline_it_mw": 100.0, "baseline_pue": 1.5,
         "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0,
         "wholesale_price_eur_per_mwh": 60.0},
        {"zone_id": "B", "country": "BB", "baseline_it_mw": 50.0, "baseline_pue": 1.2,
         "carbon_intensity_g_per_kwh": 50.0, "grid_price_eur_per_mwh": 80.0,
         "wholesale_price_eur_per_mwh": 50.0},
    ]  # fmt: skip
    carbon = {"matching": matching, "cfe_target": 1.0 if matching == "annual" else 0.8}
    cfg = tiny_config(zones=zones, profiles=_two_day_profiles(),
                      config={"carbon": carbon, "storage": {"enabled": False}})  # fmt: skip
    path = run(cfg, out=tmp_path / "runs").path
    summary = json.loads((path / "summary.json").read_text())
    assert summary["grid_exchange"] == "hourly"
    assert summary["grid_purchase_mwh"] > 0 and summary["grid_sale_mwh"] > 0
    costs = summary["cost_breakdown_eur_per_yr"]
    assert costs["residual_grid"] > 0 and costs["grid_sales"] < 0
    recheck_run(path)  # balance, CFE rule, sale cap and every cost term from the inputs


def test_annual_runs_without_hours_fall_back_to_netted(tiny_config, tmp_path) -> None:
    import json

    from siting.commands.pipeline import run

    path = run(tiny_config(), out=tmp_path / "runs").path
    summary = json.loads((path / "summary.json").read_text())
    assert summary["grid_exchange"] == "netted" and summary["hourly_cfe_score"] is None
