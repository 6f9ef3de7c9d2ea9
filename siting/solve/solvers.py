"""Solvers: hand a built model to HiGHS (default) or any solver PuLP drives
(:mod:`siting.solve.external`) and report honestly what came back.

HiGHS receives the whole matrix in one ``passModel`` call instead of PuLP's row-by-row
``addRow`` (about 3x faster to hand over at 1.5 M nonzeros). Statuses come from the solver
itself, not from PuLP's summary, which calls a time-limited incumbent "Optimal".
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pulp

from siting.config import SolverConfig
from siting.model import SitingModel
from siting.solve.external import package_version, solve_external
from siting.solve.scaling import (
    NO_SCALING,
    MatrixLP,
    apply_scaling,
    choose_scaling,
    unscale_objective,
    unscale_values,
)
from siting.solve.status import SolveResult, SolverStatus


class BulkHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS interface with the model passed as one row-wise matrix, scaled.

    The matrix is scaled by :mod:`siting.solve.scaling` on the way in (``scale=True``) and the
    solution unscaled on the way out, so PuLP's variables hold model units.

    ``columns``: the model's columns in the order to hand them to HiGHS (a built
    :class:`~siting.model.SitingModel` knows them, block by block); without them, PuLP's own
    ``LpProblem.variables()`` (which walks every row and sorts by name: 0.4 s a call at 74 k
    columns).
    """

    def __init__(
        self, *args: object, scale: bool = True, say: Callable[[str], None] | None = None,
        log: Path | None = None, columns: list[pulp.LpVariable] | None = None,
        **kwargs: object,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.columns = columns
        self.log = log
        self.scale = scale
        self.scaling = NO_SCALING
        self._integer = np.zeros(0, bool)
        self.say = say
        self.interrupted = False
        self.watch: Any = None  # the SolveWatch of the last solve

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's API name)
        import highspy

        matrix = _matrix_of(lp, self._columns(lp))
        self._integer = matrix.integer
        self.scaling = choose_scaling(matrix) if self.scale else NO_SCALING
        lp.solverModel.passModel(highs_lp(apply_scaling(matrix, self.scaling), self.mip, highspy))

    def callSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802
        from siting.solve.watch import SolveWatch

        scaling = self.scaling
        say = getattr(self.say, "beat", self.say)  # a live line where the progress has one
        self.watch = SolveWatch(say, lambda v: unscale_objective(v, scaling))
        self.watch.run(lp.solverModel)
        self.interrupted = self.watch.interrupted

    def _columns(self, lp: pulp.LpProblem) -> list[pulp.LpVariable]:
        return self.columns if self.columns else lp.variables()

    @property
    def abandoned(self) -> bool:
        """Whether the last solve was left running after a stop, its incumbent kept."""
        return self.watch is not None and bool(self.watch.abandoned)

    def _route_log(self, h: Any) -> Path | None:
        """Route HiGHS's log: never to the console (HiGHS's console is stdout), to stderr
        when ``msg``, and to a file of its own beside :attr:`log`; returns that file."""
        h.setOptionValue("log_to_console", False)
        if self.msg:
            h.cbLogging.subscribe(_log_to_stderr)
        if self.log is None:
            return None
        part = self.log.with_name(f".{self.log.name}.{os.getpid()}.part")
        h.setOptionValue("output_flag", True)
        h.setOptionValue("log_file", str(part))
        return part

    def _append_log(self, h: Any, part: Path | None) -> None:
        """Append this solve's log to :attr:`log` (a retry or a guarantee round adds to it)."""
        if part is None or self.log is None:
            return
        h.setOptionValue("log_file", "")  # HiGHS closes the file
        h.setOptionValue("output_flag", bool(self.msg))
        if part.is_file():
            with self.log.open("a", encoding="utf-8") as out:
                out.write(part.read_text(encoding="utf-8", errors="replace"))
            part.unlink()

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:  # noqa: N802
        # PuLP's own version also copies row activities and duals one object at a time;
        # the model reads column values only
        if self.abandoned:  # HiGHS still runs: its own solution is not to be read now
            x = unscale_values(self.watch.incumbent.x, self._integer, self.scaling)
            for var, value in zip(self._columns(lp), x.tolist(), strict=True):
                var.varValue = value
            return _PULP_STATUS["kInterrupt"]
        h = lp.solverModel
        ms = h.getModelStatus()
        x = unscale_values(np.asarray(h.getSolution().col_value, float), self._integer,
                           self.scaling)  # fmt: skip
        if len(x) == len(self._integer):
            for var, value in zip(self._columns(lp), x.tolist(), strict=True):
                var.varValue = value
        return _PULP_STATUS.get(str(ms).rsplit(".", 1)[-1], (pulp.LpStatusNotSolved,
                                                              pulp.LpSolutionNoSolutionFound))  # fmt: skip

    def actualSolve(self, lp: pulp.LpProblem) -> int:  # noqa: N802
        t0 = time.perf_counter()
        self.createAndConfigureSolver(lp)
        part = self._route_log(lp.solverModel)
        self.buildSolverModel(lp)
        t1 = time.perf_counter()
        self.callSolver(lp)  # abandoned without a plan, it raises: its HiGHS still runs
        if not self.abandoned:  # HiGHS still writes to its log; leave it be
            self._append_log(lp.solverModel, part)
        t2 = time.perf_counter()
        self.pass_s, self.solve_s = t1 - t0, t2 - t1
        status, sol_status = self.findSolutionValues(lp)
        lp.assignStatus(status, sol_status)
        return int(status)


def _log_to_stderr(event: Any) -> None:
    """HiGHS logging callback: one log message to stderr."""
    sys.stderr.write(str(event.message))


_PULP_STATUS = {
    "kOptimal": (pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
    "kInfeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    "kUnboundedOrInfeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    "kUnbounded": (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded),
    "kTimeLimit": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    "kIterationLimit": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    "kInterrupt": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    "kObjectiveBound": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    "kObjectiveTarget": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
}
"""HiGHS model status -> PuLP's (status, solution status); anything else: not solved.
``solve`` below reads HiGHS's own status, not these."""


def _matrix_of(lp: pulp.LpProblem, variables: list[pulp.LpVariable]) -> MatrixLP:
    """A PuLP problem as row-wise arrays, columns in the order of ``variables``."""
    inf = math.inf
    for i, v in enumerate(variables):
        v.index = i
    n = len(variables)
    obj = lp.objective
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    cost = np.fromiter((sign * obj.get(v, 0.0) for v in variables), float, n)
    lower = np.fromiter((-inf if v.lowBound is None else v.lowBound for v in variables), float, n)
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
    integer = np.fromiter((v.cat == pulp.LpInteger for v in variables), bool, n)
    return MatrixLP(cost, lower, upper, np.asarray(row_lo, float), np.asarray(row_up, float),
                    np.asarray(starts, np.int32), np.asarray(index, np.int32),
                    np.asarray(value, float), integer)  # fmt: skip


def highs_lp(m: MatrixLP, mip: bool, highspy: Any) -> Any:
    """A ``highspy.HighsLp`` of row-wise arrays (integrality only when ``mip``)."""
    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    n, n_rows = len(m.cost), len(m.row_lower)
    model.num_col_, model.num_row_ = n, n_rows
    model.col_cost_ = m.cost
    model.col_lower_ = np.where(np.isinf(m.lower), -inf, m.lower)
    model.col_upper_ = np.where(np.isinf(m.upper), inf, m.upper)
    model.row_lower_ = np.where(np.isinf(m.row_lower), -inf, m.row_lower)
    model.row_upper_ = np.where(np.isinf(m.row_upper), inf, m.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_ = n
    model.a_matrix_.num_row_ = n_rows
    model.a_matrix_.start_ = m.start
    model.a_matrix_.index_ = m.index
    model.a_matrix_.value_ = m.value
    if mip and m.integer.any():
        integer = highspy.HighsVarType.kInteger
        continuous = highspy.HighsVarType.kContinuous
        model.integrality_ = [integer if i else continuous for i in m.integer.tolist()]
    return model


def solve(
    model: SitingModel,
    options: SolverConfig,
    say: Callable[[str], None] | None = None,
    log: Path | None = None,
) -> SolveResult:
    """Solve a built model in place (variable values are set on the PuLP variables).

    Parameters
    ----------
    model
        Output of :func:`siting.model.build_model`.
    options
        Solver name, time limit [s], relative MIP gap [-], threads, seed.
    say
        Where HiGHS's heartbeat goes, at most every 5 s (:mod:`siting.solve.watch`); Ctrl-C or
        SIGTERM stops HiGHS, which returns its best plan (``interrupted`` in the result).
    log
        File that HiGHS's log is appended to (a run folder's ``solver.log``); HiGHS writes
        nothing to the console unless ``solver.msg``, and then to stderr, never stdout.
    """
    if options.name != "highs":
        return solve_external(model, options)
    return _solve_highs(model, options, say, log)


def _solve_highs(
    model: SitingModel,
    options: SolverConfig,
    say: Callable[[str], None] | None,
    log: Path | None = None,
) -> SolveResult:
    algorithm = lp_algorithm(options.lp_algorithm, model.instance.n_slices,
                             bool(model.problem.isMIP()))  # fmt: skip
    result = _solve_highs_once(model, options, algorithm, say, log)
    if result.interrupted:
        return result
    if result.status == SolverStatus.INFEASIBLE and algorithm not in ("simplex", "auto-annual"):
        # HiGHS 1.15 with the interior-point LP solver inside branch and bound has declared
        # feasible hourly models infeasible (a two-zone linked-storage case, optimal with the
        # default LP solver or without presolve): "infeasible" is only believed from simplex
        again = _solve_highs_once(model, options, "simplex", say, log)
        return dataclasses.replace(again, pass_s=result.pass_s + again.pass_s,
                                   solve_s=result.solve_s + again.solve_s)  # fmt: skip
    return result


def lp_algorithm(choice: str, n_slices: int, mip: bool = True) -> str:
    """The LP algorithm a solve uses: ``choice``, or for ``auto`` one by model kind.

    ``auto`` gives ``hipo`` for hourly MILPs (their solve is their root LP, where storage
    couples every hour of a period: the 12-day 24/7 MILP takes 118 s with HiPO on the
    augmented system against 232 s with IPX), ``ipx`` for hourly pure LPs (the guarantee's
    fixed-site re-solves, on which HiPO stalled short of its tolerance and HiGHS's clean-up
    took minutes of dual simplex; IPX solved them in 35-63 s), ``auto-hourly`` (IPX inside
    branch and bound) where HiPO's libraries are missing, and ``auto-annual`` (HiGHS's
    defaults: dual simplex) for annual models. The measurements behind it:
    ``docs/solvers.md#algorithm``.
    """
    if choice != "auto":
        return choice
    if n_slices <= 1:
        return "auto-annual"
    if not mip:
        return "ipx"
    return "hipo" if hipo_available() else "auto-hourly"


def highs_algorithm_options(
    algorithm: str, mip: bool = True, crossover: str = "on"
) -> dict[str, str]:
    """HiGHS options that select ``algorithm`` for LPs and for the LPs inside branch and bound.

    ``mip``: the model has integer columns, for which HiGHS ignores (and warns about) its
    ``solver`` option, so only the branch-and-bound options are set. ``crossover``
    (``solver.crossover``, ``on`` or ``off``) applies to a pure LP solved by interior point.

    Raises
    ------
    SolverError
        ``hipo`` without the ``highspy[extras]`` libraries it needs.
    """
    if algorithm == "auto-annual":
        return {}
    if algorithm == "auto-hourly":
        return {"mip_lp_solver": "ipm"}
    if algorithm == "simplex":
        return {"mip_lp_solver": "simplex"} if mip else {"solver": "simplex"}
    if algorithm == "hipo" and not hipo_available():
        from siting.base.errors import InputError, Problem

        raise InputError([Problem("solver.lp_algorithm", "hipo needs HiGHS's HiPO libraries, "
                                  "which this installation lacks",
                                  "pip install 'highspy[extras]', or choose lp_algorithm: ipx")])  # fmt: skip
    options = (
        {"mip_lp_solver": "ipm", "mip_ipm_solver": algorithm} if mip else {"solver": algorithm}
    )
    if not mip:
        options["run_crossover"] = "on" if crossover == "on" else "off"
    if algorithm == "hipo":
        # HiPO's own choice, the normal equations, fills in 3.3e7 factor entries on the
        # 12-day 24/7 LP (capacity columns meet every hour of their zone) against 5.2e6 for
        # the augmented system: 2.2 s against 0.7 s an iteration
        options["hipo_system"] = "augmented"
    return options


def hipo_available() -> bool:
    """Whether HiGHS can run its HiPO interior-point solver here (``highspy-extras``)."""
    try:
        version("highspy-extras")
    except PackageNotFoundError:
        return False
    return True


def _solve_highs_once(
    model: SitingModel,
    options: SolverConfig,
    algorithm: str,
    say: Callable[[str], None] | None,
    log: Path | None = None,
) -> SolveResult:
    import highspy

    extra = highs_algorithm_options(algorithm, bool(model.problem.isMIP()), options.crossover)
    solver = BulkHiGHS(
        msg=options.msg,
        gapRel=options.mip_gap,
        threads=options.threads,
        timeLimit=options.time_limit_s,
        random_seed=options.seed,
        scale=options.scaling,
        say=say,
        log=log,
        columns=model.columns,
        **{**extra, **options.options},  # the user's own HiGHS options win
    )
    prob = model.problem
    try:
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
            package_version("highspy"),
            str(exc),
        )
    if solver.abandoned:
        return _abandoned_result(solver, algorithm)
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
    is_mip = any(v.cat == pulp.LpInteger for v in model.columns)
    scaling = solver.scaling
    obj = (
        unscale_objective(float(info.objective_function_value), scaling)
        if status.has_solution
        else math.nan
    )
    if is_mip:
        bound = unscale_objective(float(info.mip_dual_bound), scaling)
        gap = float(info.mip_gap) if status.has_solution else math.nan
    else:
        bound = obj
        gap = 0.0 if status == SolverStatus.OPTIMAL else math.nan
    if math.isinf(gap):
        gap = math.nan
    return _highs_result(solver, algorithm, status, text, (obj, bound, gap), solver.interrupted)


def _highs_result(solver: BulkHiGHS, algorithm: str, status: SolverStatus, text: str,
                  numbers: tuple[float, float, float], interrupted: bool) -> SolveResult:  # fmt: skip
    """A HiGHS solve's result; ``numbers``: objective, bound [EUR/yr] and gap [-]."""
    scaling = solver.scaling
    return SolveResult(status, text, *numbers, solver.pass_s, solver.solve_s, "highs",
                       package_version("highspy"), algorithm=algorithm,
                       scaling=(scaling.quantity_exp, scaling.objective_exp),
                       interrupted=interrupted)  # fmt: skip


def _abandoned_result(solver: BulkHiGHS, algorithm: str) -> SolveResult:
    """The result of a solve stopped where HiGHS could not return: the last incumbent that
    branch and bound reported, with the last bound it reported (HiGHS runs on, unread)."""
    watch = solver.watch
    objective = unscale_objective(watch.incumbent.objective, solver.scaling)
    bound = watch.bound
    gap = abs(objective - bound) / max(1.0, abs(objective)) if math.isfinite(bound) else math.nan
    text = "Interrupted by user (HiGHS was in an LP it cannot stop; its last plan kept)"
    return _highs_result(solver, algorithm, SolverStatus.FEASIBLE, text, (objective, bound, gap),
                         True)  # fmt: skip
