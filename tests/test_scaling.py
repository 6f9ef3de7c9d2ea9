"""Scaling: chosen exponents, an unchanged optimum, model units back, and no HiGHS warning."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from conftest import make_instance
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.config import SolverConfig
from siting.model import build_model
from siting.solve.scaling import (
    NO_SCALING,
    MatrixLP,
    Scaling,
    apply_scaling,
    choose_scaling,
    unscale_objective,
    unscale_values,
)
from siting.solve.solvers import SolverStatus, solve


def _lp(cost, lower, upper, rows, row_lower, row_upper, integer) -> MatrixLP:
    start, index, value = [0], [], []
    for row in rows:
        for j, a in row.items():
            index.append(j)
            value.append(a)
        start.append(len(index))
    return MatrixLP(
        np.asarray(cost, float), np.asarray(lower, float), np.asarray(upper, float),
        np.asarray(row_lower, float), np.asarray(row_upper, float), np.asarray(start, np.int32),
        np.asarray(index, np.int32), np.asarray(value, float), np.asarray(integer, bool),
    )  # fmt: skip


def _solve(lp: MatrixLP) -> tuple[float, np.ndarray]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(lp.cost), len(lp.row_lower)
    model.col_cost_, model.col_lower_, model.col_upper_ = lp.cost, lp.lower, lp.upper
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_, model.a_matrix_.index_ = lp.start, lp.index
    model.a_matrix_.value_ = lp.value
    if lp.integer.any():
        kinds = highspy.HighsVarType
        model.integrality_ = [kinds.kInteger if i else kinds.kContinuous for i in lp.integer]
    h.passModel(model)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)


def _site_lp(potential_mw: float = 1.6e6, module_cost: float = 1.46e8) -> MatrixLP:
    """Modules of 100 MW (integer) for 2,350 MW of IT, clean MW (continuous) at least the IT
    and with a quarter of the storage at least 2,500 MW."""
    inf = np.inf
    return _lp(
        cost=[module_cost, 1.6e4 * 8.76, 2.0e5],  # modules, clean MW, storage MWh
        lower=[0, 0, 0],
        upper=[40, potential_mw, inf],
        rows=[{0: 100.0}, {0: -100.0, 1: 1.0}, {1: 1.0, 2: 0.25}],
        row_lower=[2350.0, 0.0, 2500.0],
        row_upper=[inf, inf, inf],
        integer=[True, False, False],
    )


def test_exponents_are_the_smallest_that_reach_the_targets() -> None:
    s = choose_scaling(_site_lp())
    # 1.6e6 / 2**4 = 1e5 <= TARGET_QUANTITY < 1.6e6 / 2**3; costs: modules 1.46e8 (integer,
    # unscaled) / 2**8 = 5.7e5 <= TARGET_COST < 1.46e8 / 2**7
    assert s == Scaling(4, 8)
    assert s.quantity == 16 and s.objective == 2**8
    small = _site_lp(potential_mw=5e4, module_cost=900.0)
    assert choose_scaling(small).quantity_exp == 0


def test_integer_columns_and_integer_only_rows_keep_their_units() -> None:
    inf = np.inf
    lp = _lp([1e8, 1e5], [0, 0], [10, 1e6], [{0: 1.0}, {0: 50.0, 1: -1.0}],
             [2, -inf], [inf, 0.0], [True, False])  # fmt: skip
    s = choose_scaling(lp)
    scaled = apply_scaling(lp, s)
    assert scaled.upper[0] == 10 and scaled.row_lower[0] == 2  # "build at least 2 modules"
    assert scaled.value[0] == 1.0
    assert scaled.value[1] == 50.0 / s.quantity and scaled.value[2] == -1.0
    assert scaled.upper[1] == 1e6 / s.quantity


def test_scaled_optimum_is_the_same_and_values_come_back_in_model_units() -> None:
    lp = _site_lp()
    s = choose_scaling(lp)
    raw_obj, raw_x = _solve(lp)
    obj, x = _solve(apply_scaling(lp, s))
    assert unscale_objective(obj, s) == pytest.approx(raw_obj, rel=1e-9)
    back = unscale_values(x, lp.integer, s)
    assert back == pytest.approx(raw_x, rel=1e-9, abs=1e-6)
    # hand-computed: 24 modules (2,400 MW); clean (140 kEUR/MW) beats storage (800 kEUR per
    # MW of the last row) for all 2,500 MW
    assert back[0] == 24 and back[1] == pytest.approx(2500.0) and back[2] == pytest.approx(0.0)
    assert unscale_objective(obj, s) == pytest.approx(24 * 1.46e8 + 2500 * 1.6e4 * 8.76)


@settings(max_examples=30, deadline=None)
@given(
    big=st.floats(1e5, 1e9),
    bound=st.floats(1e3, 1e8),
    load=st.floats(10.0, 5e4),
)
def test_any_magnitudes_give_the_same_optimum(big: float, bound: float, load: float) -> None:
    inf = np.inf
    lp = _lp([big, 7.0, 3.0], [0, 0, 0], [inf, bound, inf],
             [{0: 10.0, 1: 1.0, 2: 1.0}, {1: 1.0, 2: -2.0}], [load, -inf], [inf, 0.0],
             [True, False, False])  # fmt: skip
    s = choose_scaling(lp)
    raw_obj, _ = _solve(lp)
    obj, x = _solve(apply_scaling(lp, s))
    assert unscale_objective(obj, s) == pytest.approx(raw_obj, rel=1e-7)
    back = unscale_values(x, lp.integer, s)
    assert 10 * back[0] + back[1] + back[2] >= load * (1 - 1e-7)
    assert back[1] <= 2 * back[2] + 1e-6 * max(1.0, load)


def test_identity_leaves_the_model_alone() -> None:
    lp = _site_lp()
    assert apply_scaling(lp, NO_SCALING) is lp


def big_instance():
    """Costs and potentials of the European size: the magnitudes HiGHS warns about."""
    return make_instance(
        zone_ids=["A", "B"],
        baseline_it_mw=[4000.0, 2500.0],
        site_ids=["a1", "a2", "b1"],
        site_zone=[0, 0, 1],
        max_it_mw=[3000.0, 2000.0, 4000.0],
        module_it_mw=[100.0, 100.0, 100.0],
        site_capex_eur_per_mw_yr=[1.4e6, 1.5e6, 1.3e6],
        site_fixed_eur_per_yr=[2e7, 1e7, 3e7],
        re_tech=["solar", "solar"],
        re_zone=[0, 1],
        re_cf=[[0.15], [0.2]],
        re_potential_mw=[1.6e6, 9e5],
        multiplier=2.0,  # 6,500 MW of new IT on 9,000 MW of sites
    )


def test_pipeline_solve_same_plan_with_and_without_scaling(capfd: pytest.CaptureFixture) -> None:
    plain = build_model(big_instance())
    raw = solve(plain, SolverConfig(mip_gap=0.0, scaling=False, msg=True))
    raw_log = capfd.readouterr().err  # solver.msg shows HiGHS's log on stderr
    scaled_model = build_model(big_instance())
    res = solve(scaled_model, SolverConfig(mip_gap=0.0, msg=True))
    log = capfd.readouterr().err
    assert raw.status == res.status == SolverStatus.OPTIMAL
    assert "excessively large" in raw_log  # the instance does have the magnitudes
    assert "excessively large" not in log and "Consider scaling" not in log
    assert res.objective == pytest.approx(raw.objective, rel=1e-9)
    assert res.best_bound == pytest.approx(raw.best_bound, rel=1e-6)
    values = [v.varValue for v in scaled_model.columns]
    assert values == pytest.approx([v.varValue for v in plain.columns], rel=1e-7, abs=1e-6)
    # model units: the objective recomputed from the variables in EUR/yr is the reported one
    obj = sum(c * v.varValue for v, c in scaled_model.problem.objective.items())
    assert obj + scaled_model.problem.objective.constant == pytest.approx(res.objective, rel=1e-9)


@pytest.mark.slow
def test_no_shipped_config_draws_a_highs_scaling_warning(capfd: pytest.CaptureFixture) -> None:
    from conftest import REPO

    from siting.commands.pipeline import validate

    configs = sorted((REPO / "configs").glob("europe-*.yaml"))
    assert len(configs) >= 8
    for path in configs:
        # HiGHS assesses the coefficients before it solves: a short limit is enough to see it
        cfg, _, inst = validate(path, ["solver.msg=true", "solver.time_limit_s=1"])
        capfd.readouterr()
        solve(build_model(inst), cfg.solver)
        log = capfd.readouterr().err
        assert "Coefficient ranges" in log, path.name
        assert "WARNING" not in log, f"{path.name}: {log[:2000]}"
