"""Every solver PuLP drives that installs here reaches HiGHS's optimum; statuses are honest;
a missing solver or licence is an input error naming the install (siting.solve.external)."""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import four_day_year, make_instance
from test_solvers import hard_instance

from siting.base.errors import InputError
from siting.config import SolverConfig
from siting.instance import StorageOption
from siting.model import build_model
from siting.solve.external import SOLVERS, check_available, stdout_to_stderr
from siting.solve.solvers import SolverStatus, solve

NAMES = sorted(SOLVERS)


def usable(name: str) -> SolverConfig:
    """The solver's config, or a skip saying why it cannot run here."""
    options = SolverConfig(name=name, mip_gap=0.0)
    if importlib.util.find_spec(SOLVERS[name].package) is None:
        pytest.skip(f"{SOLVERS[name].package} is not installed ({SOLVERS[name].install})")
    try:
        check_available(options)
    except InputError as exc:
        pytest.skip(f"{name} cannot solve here: {exc.problems[0].what}")
    return options


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [1, 2])
def test_each_solver_reaches_highs_optimum_on_a_site_milp(name: str, seed: int) -> None:
    options = usable(name)
    inst = hard_instance(25, seed)  # 25 sites: within every size-limited licence
    ref = solve(build_model(inst), SolverConfig(mip_gap=0.0))
    res = solve(build_model(inst), options)
    assert ref.status == res.status == SolverStatus.OPTIMAL
    assert res.objective == pytest.approx(ref.objective, rel=1e-6)
    assert res.solver == name and res.solver_version != "unknown"
    if math.isfinite(res.best_bound):  # a proven bound is never above the plan's cost
        assert res.best_bound <= res.objective * (1 + 1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_each_solver_reaches_the_hand_computed_storage_optimum(name: str) -> None:
    options = usable(name)
    # tests/test_storage_linking.py: 20 MW of wind, a 40 MWh / 10 MW store: 21,400 EUR/yr
    store = StorageOption("longstore", "Long store", 10.0, 100.0, 1.0)
    inst = four_day_year((0, 0, 1, 1), (store,), storage_linking="chronological")
    res = solve(build_model(inst), options)
    assert res.status == SolverStatus.OPTIMAL
    assert res.objective == pytest.approx(21_400.0, rel=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_each_solver_reports_infeasible(name: str) -> None:
    options = usable(name)
    inst = make_instance(
        baseline_it_mw=[100.0], site_ids=["s"], max_it_mw=[10.0], re_tech=["solar"]
    )
    assert solve(build_model(inst), options).status == SolverStatus.INFEASIBLE


@pytest.mark.parametrize("name", ["scip", "cbc"])
def test_a_node_limit_passed_through_is_not_called_optimal(name: str) -> None:
    """``solver.options`` reach the solver: a one-node limit leaves a gap, reported as such."""
    usable(name)
    limit = {"scip": {"limits/nodes": 1}, "cbc": {"maxNodes": 0}}[name]
    options = SolverConfig(name=name, mip_gap=0.0, options=limit)
    res = solve(build_model(hard_instance(60, 3)), options)
    ref = solve(build_model(hard_instance(60, 3)), SolverConfig(mip_gap=0.0))
    assert res.status in (SolverStatus.FEASIBLE, SolverStatus.NO_SOLUTION)
    if res.status == SolverStatus.FEASIBLE:
        assert res.objective >= ref.objective * (1 - 1e-9)


def test_highs_options_pass_through_and_unknown_ones_are_input_errors() -> None:
    res = solve(build_model(hard_instance(60, 3)),
                SolverConfig(mip_gap=0.0, options={"mip_max_nodes": 1}))  # fmt: skip
    assert res.status != SolverStatus.OPTIMAL or res.mip_gap <= 1e-9
    with pytest.raises(InputError) as err:
        check_available(SolverConfig(options={"mip_max_nodez": 1, "threads": "many"}))
    assert [p.where for p in err.value.problems] == [
        "solver.options.mip_max_nodez", "solver.options.threads"]  # fmt: skip


def test_missing_solver_exits_2_naming_the_install(tmp_path: Path, tiny_config: Any) -> None:
    """MOSEK without its licence (or not installed at all): exit 2 before any layer is read."""
    out = tmp_path / "runs"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "siting", "run", str(tiny_config()), "--out", str(out),
         "--set", "solver.name=mosek"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "solver.name" in done.stderr and "pip install mosek" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(out.iterdir())


def test_solver_chatter_on_stdout_goes_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with stdout_to_stderr():  # what a solver's C library does: write to file descriptor 1
        os.write(1, b"licence search ...\n")
    out, err = capfd.readouterr()
    assert out == "" and "licence search" in err


@pytest.mark.parametrize("name", NAMES)
def test_a_run_with_each_solver_prints_only_its_run_path(
    name: str, tmp_path: Path, tiny_config: Any
) -> None:
    """stdout of ``siting run`` is the run path only (DESIGN.md), whatever the solver's library
    prints (COPT's licence search, Gurobi's parameters): that goes to stderr."""
    usable(name)
    out = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "siting", "run", str(tiny_config()), "--out", str(out),
         "--set", f"solver.name={name}"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and Path(lines[0]).parent.resolve() == out.resolve(), done.stdout
