"""Solvers: hand a built model to HiGHS (default) or CBC and report honestly what came back.

HiGHS receives the whole matrix in one ``passModel`` call instead of PuLP's row-by-row
``addRow`` (about 3x faster to hand over at 1.5 M nonzeros). Statuses come from the solver
itself, not from PuLP's summary, which calls a time-limited incumbent "Optimal".
"""

from __future__ import annotations

import dataclasses
import enum
import math
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pulp

from siting.config import SolverConfig
from siting.model import SitingModel


class SolverStatus(enum.Enum):
    """Outcome of a solve, as reported in ``summary.json``."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # stopped (time limit) with a solution; see mip_gap
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"  # stopped without any feasible solution
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE)


@dataclass(frozen=True)
class SolveResult:
    """What the solver reported, and how long each step took.

    Attributes
    ----------
    status
        Normalised outcome.
    termination
        The solver's own status text.
    objective
        Objective value [EUR/yr], NaN without a solution.
    best_bound
        Proven lower bound on the objective [EUR/yr] (NaN if unknown).
    mip_gap
        Relative gap between objective and bound [-] (NaN if unknown).
    pass_s, solve_s
        Wall time to hand the model to the solver and to solve it [s].
    """

    status: SolverStatus
    termination: str
    objective: float
    best_bound: float
    mip_gap: float
    pass_s: float
    solve_s: float
    solver: str
    solver_version: str
    message: str = ""


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


@contextmanager
def column_order(prob: pulp.LpProblem, columns: list[pulp.LpVariable]) -> Iterator[None]:
    """Make ``prob.variables()`` return ``columns`` while a solve runs.

    PuLP 3.3's ``variables()`` walks every row and sorts all variables by name on each call
    (three calls per solve: 0.4 s each at 74 k columns). The model already knows its columns,
    in the block order that ``benchmarks/reference.py`` uses.
    """
    if not columns:
        yield
        return
    prob.variables = lambda: columns  # type: ignore[method-assign]
    try:
        yield
    finally:
        del prob.variables  # back to the class method


class BulkHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS interface with the model passed as one row-wise matrix."""

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's API name)
        import highspy

        inf = highspy.kHighsInf
        variables = lp.variables()
        for i, v in enumerate(variables):
            v.index = i
        n = len(variables)
        obj = lp.objective
        sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        cost = np.fromiter((sign * obj.get(v, 0.0) for v in variables), float, n)
        lower = np.fromiter(
            (-inf if v.lowBound is None else v.lowBound for v in variables), float, n
        )
        upper = np.fromiter((inf if v.upBound is None else v.upBound for v in variables), float, n)
        starts = [0]
        index: list[int] = []
        value: list[float] = []
        row_lo: list[float] = []
        row_up: list[float] = []
        for i, con in enumerate(lp.constraints()):
            con.index = i
            for var, coef in con.items():
                if coef != 0:
                    index.append(var.index)
                    value.append(coef)
            starts.append(len(index))
            lb, ub = con.getLb(), con.getUb()
            row_lo.append(-inf if lb is None else lb)
            row_up.append(inf if ub is None else ub)
        model = highspy.HighsLp()
        model.num_col_ = n
        model.num_row_ = len(row_lo)
        model.col_cost_ = cost
        model.col_lower_ = lower
        model.col_upper_ = upper
        model.row_lower_ = np.asarray(row_lo, float)
        model.row_upper_ = np.asarray(row_up, float)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = n
        model.a_matrix_.num_row_ = len(row_lo)
        model.a_matrix_.start_ = np.asarray(starts, np.int32)
        model.a_matrix_.index_ = np.asarray(index, np.int32)
        model.a_matrix_.value_ = np.asarray(value, float)
        if self.mip:
            integer = highspy.HighsVarType.kInteger
            continuous = highspy.HighsVarType.kContinuous
            model.integrality_ = [
                integer if v.cat == pulp.LpInteger else continuous for v in variables
            ]
        lp.solverModel.passModel(model)

    def actualSolve(self, lp: pulp.LpProblem) -> int:  # noqa: N802
        t0 = time.perf_counter()
        self.createAndConfigureSolver(lp)
        self.buildSolverModel(lp)
        t1 = time.perf_counter()
        self.callSolver(lp)
        t2 = time.perf_counter()
        self.pass_s, self.solve_s = t1 - t0, t2 - t1
        status, sol_status = self.findSolutionValues(lp)
        lp.assignStatus(status, sol_status)
        return int(status)


def solve(model: SitingModel, options: SolverConfig) -> SolveResult:
    """Solve a built model in place (variable values are set on the PuLP variables).

    Parameters
    ----------
    model
        Output of :func:`siting.model.build_model`.
    options
        Solver name, time limit [s], relative MIP gap [-], threads, seed.
    """
    if options.name == "cbc":
        return _solve_cbc(model, options)
    return _solve_highs(model, options)


def _solve_highs(model: SitingModel, options: SolverConfig) -> SolveResult:
    result = _solve_highs_once(model, options, ipm=model.instance.n_slices > 1)
    if result.status == SolverStatus.INFEASIBLE and model.instance.n_slices > 1:
        # HiGHS 1.15 with the interior-point LP solver inside branch and bound has declared
        # feasible hourly models infeasible (a two-zone linked-storage case, optimal with the
        # default LP solver or without presolve): "infeasible" is only believed from simplex
        again = _solve_highs_once(model, options, ipm=False)
        return dataclasses.replace(again, pass_s=result.pass_s + again.pass_s,
                                   solve_s=result.solve_s + again.solve_s)  # fmt: skip
    return result


def _solve_highs_once(model: SitingModel, options: SolverConfig, ipm: bool) -> SolveResult:
    import highspy

    extra: dict[str, str] = {}
    if ipm:
        # Storage couples every hour of a period; the root LP dominates. Measured on
        # europe-2030-cfe90 (68 k columns): dual simplex root 157 s, IPM 54 s; whole MIP
        # 358 s -> 80 s (24/7: 43 s -> 57 s).
        extra["mip_lp_solver"] = "ipm"
    solver = BulkHiGHS(
        msg=options.msg,
        gapRel=options.mip_gap,
        threads=options.threads,
        timeLimit=options.time_limit_s,
        random_seed=options.seed,
        **extra,
    )
    prob = model.problem
    try:
        with column_order(prob, model.columns):
            prob.solve(solver)
    except Exception as exc:  # a solver crash is reported, not hidden
        return SolveResult(
            SolverStatus.ERROR,
            "error",
            math.nan,
            math.nan,
            math.nan,
            0.0,
            0.0,
            "highs",
            _pkg_version("highspy"),
            str(exc),
        )
    h = prob.solverModel
    ms = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(ms)
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    st = highspy.HighsModelStatus
    if ms == st.kOptimal:
        status = SolverStatus.OPTIMAL
    elif ms in (
        st.kTimeLimit,
        st.kIterationLimit,
        st.kInterrupt,
        st.kSolutionLimit,
        st.kObjectiveBound,
        st.kObjectiveTarget,
    ):
        status = SolverStatus.FEASIBLE if has_primal else SolverStatus.NO_SOLUTION
    elif ms in (st.kInfeasible, st.kUnboundedOrInfeasible):
        status = SolverStatus.INFEASIBLE
    elif ms == st.kUnbounded:
        status = SolverStatus.UNBOUNDED
    else:
        status = SolverStatus.ERROR
    is_mip = any(v.cat == pulp.LpInteger for v in model.columns or prob.variables())
    obj = float(info.objective_function_value) if status.has_solution else math.nan
    if is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap) if status.has_solution else math.nan
    else:
        bound = obj
        gap = 0.0 if status == SolverStatus.OPTIMAL else math.nan
    if math.isinf(gap):
        gap = math.nan
    return SolveResult(
        status,
        text,
        obj,
        bound,
        gap,
        solver.pass_s,
        solver.solve_s,
        "highs",
        _pkg_version("highspy"),
    )


def _solve_cbc(model: SitingModel, options: SolverConfig) -> SolveResult:
    prob = model.problem
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates its bundled CBC; the user chose it explicitly (README says so)
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(
                msg=options.msg,
                timeLimit=options.time_limit_s,
                gapRel=options.mip_gap,
                threads=options.threads,
                options=[f"randomCbcSeed {options.seed}"] if options.seed else [],
            )
            prob.solve(solver)
    except Exception as exc:
        return SolveResult(
            SolverStatus.ERROR,
            "error",
            math.nan,
            math.nan,
            math.nan,
            0.0,
            0.0,
            "cbc",
            _pkg_version("pulp"),
            str(exc),
        )
    elapsed = time.perf_counter() - t0
    sol = prob.sol_status
    mapping = {
        pulp.LpSolutionOptimal: SolverStatus.OPTIMAL,
        pulp.LpSolutionIntegerFeasible: SolverStatus.FEASIBLE,
        pulp.LpSolutionInfeasible: SolverStatus.INFEASIBLE,
        pulp.LpSolutionUnbounded: SolverStatus.UNBOUNDED,
        pulp.LpSolutionNoSolutionFound: SolverStatus.NO_SOLUTION,
    }
    status = mapping.get(sol, SolverStatus.ERROR)
    obj = float(pulp.value(prob.objective) or 0.0) if status.has_solution else math.nan
    # CBC reports no bound through PuLP; "optimal" means within the requested gap
    gap = options.mip_gap if status == SolverStatus.OPTIMAL else math.nan
    return SolveResult(
        status,
        pulp.LpStatus[prob.status],
        obj,
        math.nan,
        gap,
        0.0,
        elapsed,
        "cbc",
        f"pulp {_pkg_version('pulp')}",
    )
