"""Clean firm supply (Riepin & Brown's palette): each technology-table row alone, solved to
its hand-computed optimum on the four-day year of the storage tests (one zone, a flat 10 MW
load, two windy then two calm two-hour days, CFE 100 %, no storage).

The costs are the shipped technology table's (``siting/data/technologies.csv``, source key
``RIEPIN_BROWN_CFG``), so a changed row changes the expected optimum with it.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import four_day_year

from siting.base.technologies import default_table
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
