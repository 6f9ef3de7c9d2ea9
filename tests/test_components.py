"""Components own their physics once: a new kind is one module plus one table row, and both
the planning model and the full-year check are built from it (``tests/toy_store.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_instance
from toy_store import COLUMNS, ROWS, TABLE_ROW, add_heat_store

from siting.config import SolverConfig
from siting.fullyear.dispatch import Plan, solve_dispatch, year_horizon
from siting.model import build_model
from siting.model.components import CHECK_ORDER, OPERATION, in_order
from siting.model.registry import COLUMNS as ALL_COLUMNS
from siting.model.registry import ROWS as ALL_ROWS
from siting.solution import extract_solution
from siting.solve.solvers import solve

SOLAR_EUR = 50_000.0  # [EUR/MW/yr]
LOAD = 10.0  # [MW], flat


@pytest.fixture
def heat_store(monkeypatch: pytest.MonkeyPatch):
    """The toy kind's families registered for one test, and its component entry."""
    for fam in COLUMNS:
        monkeypatch.setitem(ALL_COLUMNS, fam.prefix, fam)
    for fam in ROWS:
        monkeypatch.setitem(ALL_ROWS, fam.prefix, fam)
    return ("heat", add_heat_store)


def _day_and_night():
    """One zone, 10 MW flat, solar at cf 1 by day and 0 by night (two hours standing for the
    year's 8,760), no grid, no other store: the night must come out of the heat store."""
    return make_instance(
        zone_ids=["A"], baseline_it_mw=[LOAD], baseline_pue=[1.0], utilisation=1.0,
        multiplier=1.0, re_tech=["solar"], re_zone=[0], re_cf=[[1.0, 0.0]],
        re_capex_eur_per_mw_yr=[SOLAR_EUR], re_annual_cf=np.array([0.5]),
        slice_ids=["d0h0", "d0h1"], weight_h=[4380.0, 4380.0], period=[0, 0],
        matching="hourly", cfe_target=1.0,
    )  # fmt: skip


def test_a_new_store_like_kind_is_one_module_and_one_row(heat_store) -> None:
    # By hand: the night's 10 MW leave the store after an hour's loss of 20 %, so the day
    # stores 10 / 0.8 = 12.5 MWh (its energy size) and solar makes 10 + 12.5 = 22.5 MW.
    inst = _day_and_night()
    model = build_model(inst, components=[*OPERATION, heat_store])
    result = solve(model, SolverConfig(mip_gap=0.0))
    assert result.status.has_solution
    energy_eur = TABLE_ROW["energy_eur_per_mwh_yr"]
    assert result.objective == pytest.approx(22.5 * SOLAR_EUR + 12.5 * energy_eur, rel=1e-9)
    # re-check from the solved values, not from the model's rows: the balance of both hours
    # and the content carried with the kind's own loss
    value = {v.name: v.varValue for v in model.problem.variables()}
    solar, energy = value["r0"], value["te0"]
    charge = np.array([value["tc0_0"], value["tc0_1"]])
    out = np.array([value["td0_0"], value["td0_1"]])
    content = np.array([value["ts0_0"], value["ts0_1"]])
    supply = solar * np.array([1.0, 0.0]) + out - charge
    assert (supply >= LOAD - 1e-6).all()
    keep = 1 - TABLE_ROW["loss_per_h"]
    assert content[0] == pytest.approx(keep * content[1] + charge[0] - out[0], abs=1e-6)
    assert content[1] == pytest.approx(keep * content[0] + charge[1] - out[1], abs=1e-6)
    assert (content <= energy + 1e-6).all() and (content >= -1e-6).all()
    # the run's tables read the new kind back from its terms in the balance, no code of its own
    dispatch = extract_solution(model, result).dispatch
    assert dispatch["heat_mw"].tolist() == pytest.approx([-12.5, 10.0], abs=1e-6)
    assert dispatch["curtailment_mw"].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)

    # the full-year check: the same component on 8,760 hours with the sizes fixed
    check = [*in_order(CHECK_ORDER), heat_store]
    year = {0: np.tile([1.0, 0.0], 4380)}

    def residual(store_mwh: float) -> float:
        plan = Plan({("r", ()): np.array([solar]), ("te", ()): np.array([store_mwh]),
                     ("it", ()): np.zeros(0)}, ["A"], np.array([LOAD]), np.array([0.5]), [])  # fmt: skip
        d = solve_dispatch(inst, plan, year_horizon(plan, year), options={"solver": "simplex"},
                           warm_blocks=1, components=check)  # fmt: skip
        assert d.status == "Optimal"
        return float(d.grid_mw.sum())

    assert residual(energy) == pytest.approx(0.0, abs=1e-6)  # the plan holds every hour
    # a store of 10 MWh delivers 8 MW at night: 2 MW short in each of the 4,380 nights
    assert residual(10.0) == pytest.approx(2.0 * 4380, rel=1e-9)


def test_a_table_of_some_items_takes_each_items_own_bound() -> None:
    # per-item arrays of the Ops vocabulary are indexed by item, not by the table's rows:
    # the planning builder once read the bound of row 0 for item 1
    from siting.model.arrays import ArrayBuilder
    from siting.model.core import Builder

    inst = _day_and_night()
    up = np.array([5.0, 7.0])
    items = np.array([1])
    pulp_side = Builder(inst).table("f", (), items, up=up)
    assert [v.upBound for v in pulp_side.cells[0]] == [7.0, 7.0]
    arrays = ArrayBuilder(year_horizon(_plan(inst), {0: np.array([1.0, 0.0])}, 2), 1,
                          np.array([LOAD]), {})  # fmt: skip
    arrays.table("f", (), items, up=up)
    assert arrays.finish().upper.tolist() == [7.0, 7.0]


def _plan(inst) -> Plan:
    return Plan({("r", ()): np.array([1.0])}, ["A"], np.array([LOAD]), np.array([0.5]), [])
