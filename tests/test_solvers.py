"""Solver outcomes: optimal, time-limited, infeasible, unbounded; HiGHS and CBC agree."""

from __future__ import annotations

import math

import numpy as np
import pulp
import pytest
from conftest import make_instance

from siting.config import SolverConfig
from siting.model import SitingModel, build_model
from siting.solve.solvers import SolverStatus, solve


def hard_instance(n_sites: int = 60, seed: int = 3):
    """Many near-identical sites with fixed costs: a knapsack-like MILP with a real tree."""
    rng = np.random.default_rng(seed)
    return make_instance(
        zone_ids=["A", "B", "C"],
        baseline_it_mw=[1000.0, 700.0, 400.0],
        site_ids=[f"s{i}" for i in range(n_sites)],
        site_zone=rng.integers(0, 3, n_sites),
        max_it_mw=rng.uniform(50, 400, n_sites).round(0),
        module_it_mw=rng.choice([7.0, 11.0, 13.0], n_sites),
        site_capex_eur_per_mw_yr=rng.uniform(0.9e6, 1.1e6, n_sites),
        site_fixed_eur_per_yr=rng.uniform(1e7, 6e7, n_sites),
        re_tech=["solar"] * 3,
        re_zone=[0, 1, 2],
        re_cf=[[0.1], [0.2], [0.3]],
        multiplier=2.37,
    )


def test_optimal_reports_gap_and_timings() -> None:
    res = solve(build_model(hard_instance(20)), SolverConfig(mip_gap=0.0))
    assert res.status == SolverStatus.OPTIMAL
    assert res.mip_gap <= 1e-6
    assert res.pass_s >= 0 and res.solve_s > 0
    assert res.best_bound <= res.objective * (1 + 1e-9)


def test_time_limit_is_reported_honestly() -> None:
    res = solve(build_model(hard_instance(400)), SolverConfig(mip_gap=0.0, time_limit_s=0.05))
    assert res.status in (SolverStatus.FEASIBLE, SolverStatus.NO_SOLUTION)
    assert "time limit" in res.termination.lower()
    if res.status == SolverStatus.FEASIBLE:
        assert math.isfinite(res.objective) and res.mip_gap > 0


def test_infeasible() -> None:
    inst = make_instance(
        baseline_it_mw=[100.0], site_ids=["s"], max_it_mw=[10.0], re_tech=["solar"]
    )
    assert solve(build_model(inst), SolverConfig()).status == SolverStatus.INFEASIBLE


def test_unbounded() -> None:
    prob = pulp.LpProblem("u", pulp.LpMinimize)
    x = prob.add_variable("x", lowBound=None)
    prob.setObjective(pulp.LpAffineExpression([(x, 1.0)]))
    prob.extend(
        [pulp.LpConstraint(pulp.LpAffineExpression([(x, 1.0)]), pulp.LpConstraintLE, "c", 5.0)]
    )
    model = SitingModel(prob, make_instance(), [], [], [], [], [], None)
    assert solve(model, SolverConfig()).status in (SolverStatus.UNBOUNDED, SolverStatus.INFEASIBLE)


@pytest.mark.parametrize("seed", [1, 2])
def test_cbc_and_highs_agree(seed: int) -> None:
    inst = hard_instance(25, seed)
    a = solve(build_model(inst), SolverConfig(name="highs", mip_gap=0.0))
    b = solve(build_model(inst), SolverConfig(name="cbc", mip_gap=0.0))
    assert a.status == b.status == SolverStatus.OPTIMAL
    assert a.objective == pytest.approx(b.objective, rel=1e-6)


def test_same_seed_same_answer() -> None:
    inst = hard_instance(40)
    runs = []
    for _ in range(2):
        m = build_model(inst)
        solve(m, SolverConfig(mip_gap=0.01, seed=7))
        runs.append([v.varValue for v in m.problem.variables()])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("algorithm", ["auto", "simplex", "ipx", "hipo"])
def test_every_lp_algorithm_reaches_the_hand_computed_optimum(algorithm: str) -> None:
    from conftest import four_day_year

    from siting.instance import StorageOption

    # tests/test_storage_linking.py: 20 MW of wind, a 40 MWh / 10 MW store: 21,400 EUR/yr
    store = StorageOption("longstore", "Long store", 10.0, 100.0, 1.0)
    inst = four_day_year((0, 0, 1, 1), (store,), storage_linking="chronological")
    res = solve(build_model(inst), SolverConfig(mip_gap=0.0, lp_algorithm=algorithm))
    assert res.status == SolverStatus.OPTIMAL
    assert res.objective == pytest.approx(21_400.0, rel=1e-7)


def test_auto_takes_hipo_on_the_augmented_system_for_hourly_models_only(monkeypatch) -> None:
    from siting.solve import solvers
    from siting.solve.solvers import highs_algorithm_options, lp_algorithm

    assert lp_algorithm("auto", 1) == "auto-annual"
    assert highs_algorithm_options(lp_algorithm("auto", 1)) == {}
    assert lp_algorithm("auto", 24) == "hipo"
    # a pure hourly LP (the guarantee's fixed-site re-solves) gets IPX, with crossover
    assert lp_algorithm("auto", 24, mip=False) == "ipx"
    assert highs_algorithm_options("ipx", mip=False) == {"solver": "ipx", "run_crossover": "on"}
    assert lp_algorithm("hipo", 24, mip=False) == "hipo"  # a choice is kept
    assert highs_algorithm_options("hipo") == {
        "mip_lp_solver": "ipm",
        "mip_ipm_solver": "hipo",
        "hipo_system": "augmented",
    }
    assert highs_algorithm_options("hipo", mip=False) == {
        "solver": "hipo",
        "run_crossover": "on",
        "hipo_system": "augmented",
    }
    # crossover is an LP option: branch and bound needs a basis, so a MIP never gets it
    assert highs_algorithm_options("ipx", False, "off")["run_crossover"] == "off"
    assert "run_crossover" not in highs_algorithm_options("ipx", True, "off")
    assert highs_algorithm_options("ipx")["mip_ipm_solver"] == "ipx"
    # without HiPO's libraries auto falls back to IPX inside branch and bound
    monkeypatch.setattr(solvers, "hipo_available", lambda: False)
    assert lp_algorithm("auto", 24) == "auto-hourly"
    assert highs_algorithm_options("auto-hourly") == {"mip_lp_solver": "ipm"}


@pytest.mark.parametrize("algorithm", ["hipo", "ipx"])
def test_a_fixed_site_lp_without_crossover_has_the_vertex_optimum(algorithm: str) -> None:
    """The guarantee's re-solves: sites fixed, a pure LP; ``off`` keeps the interior solution."""
    from conftest import four_day_year

    from siting.instance import StorageOption
    from siting.model import fix_sites

    store = StorageOption("longstore", "Long store", 10.0, 100.0, 1.0)
    inst = four_day_year((0, 0, 1, 1), (store,), storage_linking="chronological")
    first = build_model(inst)
    solve(first, SolverConfig(mip_gap=0.0))
    build = [v.varValue if v is not None else None for v in first.build]
    size = [v.varValue if v is not None else None for v in first.size]
    results = {}
    for crossover in ("on", "off"):
        model = build_model(inst)
        fix_sites(model, build, size)
        assert not model.problem.isMIP()
        cfg = SolverConfig(lp_algorithm=algorithm, crossover=crossover)
        res = solve(model, cfg)
        assert res.status == SolverStatus.OPTIMAL
        basis = model.problem.solverModel.getBasis()
        results[crossover] = (res.objective, basis.valid)
    assert results["on"][0] == pytest.approx(21_400.0, rel=1e-7)
    assert results["off"][0] == pytest.approx(results["on"][0], rel=1e-6)
    assert results["on"][1] and not results["off"][1]


def test_no_algorithm_makes_highs_warn_about_its_solver_option(capfd) -> None:
    """HiGHS ignores ``solver`` for MIPs with a WARNING; siting sets it only for pure LPs."""
    for algorithm in ("simplex", "ipx", "hipo"):
        solve(build_model(hard_instance(5)), SolverConfig(lp_algorithm=algorithm, msg=True))
    out = capfd.readouterr()
    assert "is not available for MIP" not in out.out + out.err


def test_hipo_without_its_libraries_is_a_clear_input_error(monkeypatch) -> None:
    from siting.base.errors import ExitCode, InputError
    from siting.solve import solvers

    monkeypatch.setattr(solvers, "hipo_available", lambda: False)
    with pytest.raises(InputError) as err:
        solve(build_model(hard_instance(5)), SolverConfig(lp_algorithm="hipo"))
    assert err.value.exit_code == ExitCode.INVALID_INPUT
    assert "highspy[extras]" in str(err.value) and "solver.lp_algorithm" in str(err.value)


def test_hipo_is_installed_with_siting() -> None:
    """HiPO's libraries are a core dependency: ``auto`` must not silently fall back to IPX."""
    from siting.solve.solvers import hipo_available

    assert hipo_available()


def test_a_fixed_site_hourly_lp_goes_to_ipx_and_reaches_the_milp_optimum() -> None:
    """The guarantee's re-solves are pure LPs (sites fixed): ``auto`` hands them to IPX, and
    with the sites the MILP chose they reach the MILP's own optimum."""
    from conftest import four_day_year

    from siting.fullyear.strategy import values
    from siting.instance import StorageOption
    from siting.model import fix_sites

    store = StorageOption("longstore", "Long store", 10.0, 100.0, 1.0)
    inst = four_day_year((0, 0, 1, 1), (store,), storage_linking="chronological",
                         site_ids=["s0", "s1"], max_it_mw=[8.0, 8.0], module_it_mw=[4.0, 4.0],
                         site_fixed_eur_per_yr=[100.0, 50.0], multiplier=1.5)  # fmt: skip
    milp = build_model(inst)
    assert milp.problem.isMIP()
    first = solve(milp, SolverConfig(mip_gap=0.0))
    lp = build_model(inst)
    fix_sites(lp, values(milp.build), values(milp.size))
    assert not lp.problem.isMIP()
    again = solve(lp, SolverConfig(mip_gap=0.0))
    assert first.algorithm == "hipo" and again.algorithm == "ipx"
    assert again.status == SolverStatus.OPTIMAL
    assert again.objective == pytest.approx(first.objective, rel=1e-7)
