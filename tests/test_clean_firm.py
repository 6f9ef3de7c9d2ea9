"""Clean firm supply (Riepin & Brown's palette): each technology-table row alone, solved to
its hand-computed optimum on the four-day year of the storage tests (one zone, a flat 10 MW
load, two windy then two calm two-hour days, CFE 100 %, no storage).

The costs are the shipped technology table's (``siting/data/technologies.csv``, source key
``RIEPIN_BROWN_CFG``), so a changed row changes the expected optimum with it.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import four_day_year
from recheck import recheck_run
from test_long_duration import palette_config

from siting.base.technologies import default_table
from siting.cli import main
from siting.config import SolverConfig
from siting.fullyear.dispatch import Plan, solve_dispatch, year_horizon
from siting.model import build_model
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(name="highs", time_limit_s=60, mip_gap=0.0, threads=1, seed=0)
TABLE = default_table()
CF = {"advanced_geothermal": 1.0, "advanced_nuclear": 0.9}


def solved(inst):
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return res, extract_solution(model, res)


@pytest.mark.parametrize("tech", ["advanced_geothermal", "advanced_nuclear"])
def test_a_firm_row_alone_covers_the_calm_days_at_its_availability(tech: str) -> None:
    # flat at its availability: 10 MW / cf of it, at the table's annual cost at that cf
    # (annuity, fixed O&M and, for nuclear, its fuel and VOM at the cf); wind adds nothing
    row = TABLE[tech]
    cost = row.annual_cost_eur_per_mw_yr(CF[tech])
    res, sol = solved(four_day_year(second=(tech, cost, CF[tech])))
    assert res.objective == pytest.approx(10 / CF[tech] * cost, rel=1e-9)
    assert sol.renewables.set_index("tech").loc[tech, "new_mw"] == pytest.approx(10 / CF[tech])


def test_the_firm_rows_cost_what_the_study_says() -> None:
    # 10,000 USD2022/kW over 30 years at 7 % (0.8460 EUR/USD): 681,761 EUR/MW/yr, 77.8 EUR/MWh
    # flat; advanced nuclear 7,138 USD2021/kW over 40 years, FOM 1.27 %, fuel and VOM at 0.9
    geo = TABLE["advanced_geothermal"].annual_cost_eur_per_mw_yr(1.0)
    assert geo == pytest.approx(10_000 * 0.846 * 1e3 * 0.07 / (1 - 1.07**-30), rel=1e-6)
    nuc = TABLE["advanced_nuclear"].annual_cost_eur_per_mw_yr(0.9) / (0.9 * 8760)
    assert nuc == pytest.approx(92.34, abs=0.01)
    assert TABLE["allam_ccs"].vom_eur_per_mwh == pytest.approx(
        35 / 0.54 + 3.2 + 0.198 / 0.54 * 40 * 0.846, rel=1e-5
    )


def allam_year(wind_cost: float = 100.0):
    row = TABLE["allam_ccs"]
    return four_day_year(
        second=("allam_ccs", row.capex_eur_per_mw_yr, 1.0), re_capex_eur_per_mw_yr=[wind_cost, row.capex_eur_per_mw_yr],
        re_annual_cf=np.array([0.5, 1.0]), re_dispatchable=np.array([False, True]),
        re_running_eur_per_mwh=np.array([0.0, row.vom_eur_per_mwh]),
    )  # fmt: skip


def test_allam_gas_runs_only_when_the_wind_does_not() -> None:
    # 10 MW of Allam-cycle gas for the calm hours (its capacity cost), running 2 slices x
    # 10 MW x 2 days = 40 MWh at 80.42 EUR/MWh; 10 MW of wind at 100 EUR/MW/yr covers the
    # windy hours more cheaply than running the gas plant (80 MWh would cost 3,217 more)
    row = TABLE["allam_ccs"]
    res, sol = solved(allam_year())
    assert res.objective == pytest.approx(10 * row.capex_eur_per_mw_yr + 10 * 100 + 40 * row.vom_eur_per_mwh,
                                          rel=1e-9)  # fmt: skip
    d = sol.dispatch.set_index("slice")["clean_allam_ccs_mw"]
    assert d.to_numpy() == pytest.approx([0.0, 0.0, 10.0, 10.0], abs=1e-9)
    costs = sol.summary["cost_breakdown_eur_per_yr"]
    assert costs["clean_running"] == pytest.approx(40 * row.vom_eur_per_mwh, rel=1e-9)
    assert sum(costs.values()) == pytest.approx(res.objective, rel=1e-9)


def test_allam_gas_runs_all_year_when_wind_costs_more_than_its_fuel() -> None:
    row = TABLE["allam_ccs"]
    res, _ = solved(allam_year(wind_cost=1_000.0))  # 10,000 for the windy 40 MWh, fuel 3,217
    assert res.objective == pytest.approx(10 * row.capex_eur_per_mw_yr + 80 * row.vom_eur_per_mwh,
                                          rel=1e-9)  # fmt: skip


def test_the_check_of_a_gas_plan_keeps_its_warm_start() -> None:
    # no energy limit ties the year's hours together (cf 1): the windows still warm-start it
    inst = allam_year()
    sizes = {("it", ()): np.zeros(0), ("r", ()): np.array([5.0, 6.0])}
    plan = Plan(sizes, ["A"], np.array([10.0]), np.array([0.5, 1.0]), [])
    wind = np.tile(np.r_[np.ones(12), np.zeros(12)], 10)
    hz = year_horizon(plan, {0: wind}, 240)
    d = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=4)
    assert d.warm
    # windy hours: 5 MW of wind + 5 of gas; calm: 6 MW of gas, 4 MW short for 12 h a day
    assert d.grid_mw.sum() == pytest.approx(4 * 12 * 10, rel=1e-9)


# --- carbon.not_carbon_free: Allam-cycle gas counted as not carbon-free ------------------


def test_gas_not_counted_as_carbon_free_fills_only_the_allowance() -> None:
    # counted apart, the gas plant's 40 MWh of the calm days are half the 80 MWh load: at a
    # 50 % CFE target the plan is the same, with a CFE of exactly 50 %
    row = TABLE["allam_ccs"]
    inst = dataclasses.replace(allam_year(), settings=dataclasses.replace(
        allam_year().settings, cfe_target=0.5))  # fmt: skip
    inst = dataclasses.replace(inst, supply=dataclasses.replace(
        inst.supply, not_carbon_free=np.array([False, True])))  # fmt: skip
    res, sol = solved(inst)
    assert res.objective == pytest.approx(10 * row.capex_eur_per_mw_yr + 10 * 100 + 40 * row.vom_eur_per_mwh,
                                          rel=1e-9)  # fmt: skip
    assert sol.summary["cfe_score"] == pytest.approx(0.5)
    assert sol.zones["not_carbon_free_mwh"].sum() == pytest.approx(40.0)


def test_at_a_higher_target_gas_not_counted_cannot_serve_the_calm_days() -> None:
    inst = allam_year()
    inst = dataclasses.replace(
        inst, settings=dataclasses.replace(inst.settings, cfe_target=0.6),
        supply=dataclasses.replace(inst.supply, not_carbon_free=np.array([False, True])),
    )  # fmt: skip
    assert solve(build_model(inst), EXACT).status == SolverStatus.INFEASIBLE


def test_the_check_counts_gas_not_counted_as_residual() -> None:
    # the plan of the warm-start test: every MWh of gas now counts as residual energy, so
    # the year's residual is the load less the wind (2,400 - 5 x 120 = 1,800 MWh), of which
    # 480 bought from the grid
    inst = allam_year()
    inst = dataclasses.replace(inst, supply=dataclasses.replace(
        inst.supply, not_carbon_free=np.array([False, True])))  # fmt: skip
    sizes = {("it", ()): np.zeros(0), ("r", ()): np.array([5.0, 6.0])}
    plan = Plan(sizes, ["A"], np.array([10.0]), np.array([0.5, 1.0]), [])
    wind = np.tile(np.r_[np.ones(12), np.zeros(12)], 10)
    d = solve_dispatch(inst, plan, year_horizon(plan, {0: wind}, 240),
                       options={"solver": "simplex"}, warm_blocks=4)  # fmt: skip
    assert d.residual_mw.sum() == pytest.approx(1_800.0, rel=1e-9)
    assert d.not_carbon_free_mw is not None
    assert d.grid_mw.sum() + d.not_carbon_free_mw.sum() == pytest.approx(1_800.0, rel=1e-9)


@pytest.mark.parametrize(("tech", "words"), [("solar", "only dispatchable supply"),
                                             ("coal", "unknown technology")])  # fmt: skip
def test_counting_apart_anything_but_dispatchable_supply_exits_2(tmp_path, tech, words,
                                                                 capsys) -> None:  # fmt: skip
    cfg = palette_config(tmp_path, {})
    raw = yaml.safe_load(cfg.read_text())
    raw["carbon"]["not_carbon_free"] = [tech]
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "carbon.not_carbon_free" in err and words in err and "Traceback" not in err


def test_a_run_counting_gas_apart_is_rechecked_from_its_tables(tmp_path) -> None:
    # the tiny year with Allam-cycle gas in zone A, counted as not carbon-free at a 90 %
    # target: the recheck adds its dispatched energy to the purchases against the target
    cfg = palette_config(tmp_path, {"allam_ccs": True})
    raw = yaml.safe_load(cfg.read_text())
    re_path = tmp_path / raw["layers"]["renewables"]
    re = pd.read_csv(re_path)
    row = {"zone_id": "A", "tech": "allam_ccs", "potential_mw": 500.0, "existing_mw": 0.0,
           "cf": 1.0, "capex_eur_per_mw_yr": TABLE["allam_ccs"].capex_eur_per_mw_yr}  # fmt: skip
    pd.concat([re, pd.DataFrame([row])]).to_csv(re_path, index=False)
    zones_path = tmp_path / raw["layers"]["zones"]
    zones = gpd.read_file(zones_path)
    zones["grid_price_eur_per_mwh"] = 2_000.0  # dear purchases: the allowance goes to the gas
    zones.to_file(zones_path, layer="zones", engine="pyogrio")
    raw["carbon"].update({"cfe_target": 0.9, "not_carbon_free": ["allam_ccs"]})
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    zones = pd.read_csv(run / "tables" / "zones.csv")
    assert zones["not_carbon_free_mwh"].sum() > 0  # the gas ran, within the allowance
    full = pd.read_csv(run / "tables" / "full_year.csv")
    assert (full["not_carbon_free_mwh"] <= full["grid_mwh"] + 1e-6).all()
