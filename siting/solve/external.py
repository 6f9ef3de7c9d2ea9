"""The other solvers PuLP drives: Gurobi, CPLEX, Xpress, COPT, SCIP, MOSEK and CBC.

HiGHS is the default and gets the model as one matrix (:mod:`siting.solve.solvers`). Any other
solver gets it through PuLP's own interface for that solver, with the config's limits (time,
gap, threads, seed) in the solver's own parameter names and ``solver.options`` passed through
unchanged. What came back is read from PuLP's *solution* status, which tells a proven optimum
from a time-limited incumbent (PuLP's summary status calls both "Optimal"), and the proven bound
from the solver's own model object where the solver exposes one.

Commercial solvers ship size-limited licences in their wheels (Gurobi, CPLEX, Xpress, COPT) or
none (MOSEK): :func:`check_available` solves a one-variable problem first, so a missing package
or licence is an input error (exit 2) naming the install, not a failed run.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pulp

from siting.base.errors import InputError, Problem
from siting.config import SolverConfig
from siting.model import SitingModel
from siting.solve.status import SolveResult, SolverStatus

Scalar = str | int | float | bool


Options = dict[str, Scalar]


@dataclass(frozen=True)
class ExternalSolver:
    """How to drive one solver through PuLP.

    Attributes
    ----------
    pulp_name
        PuLP's class for it (``pulp.getSolver`` name).
    package
        The pip package that brings it (its version is reported).
    install
        What the user should run or do to get it.
    kwargs
        PuLP's keyword arguments for the config's threads and seed and the user's
        ``solver.options`` (in the form PuLP hands that solver's parameters on).
    bound
        The proven bound [objective units] from PuLP's ``solverModel``; NaN if unknown.
    """

    pulp_name: str
    package: str
    install: str
    kwargs: Callable[[int, int, Options], dict[str, Any]]
    bound: Callable[[Any], float] = field(default=lambda model: math.nan)


def _params(threads: str, seed: str) -> Callable[[int, int, Options], dict[str, Any]]:
    """Parameters as keyword arguments of their own (Gurobi, CPLEX, COPT)."""
    return lambda n, s, user: {threads: n, **({seed: s} if s else {}), **user}


def _lines(sep: str, threads: str, seed: str) -> Callable[[int, int, Options], dict[str, Any]]:
    """Parameters as ``name<sep>value`` lines in ``options`` (CBC, Xpress, SCIP)."""

    def kwargs(n: int, s: int, user: Options) -> dict[str, Any]:
        given: Options = {threads: n} if threads else {}
        if s:  # seed 0: the solver's own default
            given[seed] = s
        merged = {**given, **user}
        return {"options": [f"{k}{sep}{v}" for k, v in merged.items()]}

    return kwargs


def _attr(name: str) -> Callable[[Any], float]:
    return lambda model: float(getattr(model, name))


SOLVERS: dict[str, ExternalSolver] = {
    "cbc": ExternalSolver(
        "PULP_CBC_CMD", "pulp", "it comes with PuLP", _lines(" ", "threads", "randomCbcSeed")
    ),
    "gurobi": ExternalSolver(
        "GUROBI",
        "gurobipy",
        "pip install gurobipy (its wheel has a size-limited licence; a full one from gurobi.com)",
        _params("Threads", "Seed"),
        _attr("ObjBound"),
    ),
    "cplex": ExternalSolver(
        "CPLEX_PY",
        "cplex",
        "pip install cplex (Community Edition: 1,000 rows and columns; a full licence from IBM)",
        _params("threads", "randomseed"),
        lambda m: float(m.solution.MIP.get_best_objective()),
    ),
    "xpress": ExternalSolver(
        "XPRESS_PY",
        "xpress",
        "pip install xpress (community licence: 5,000 rows and columns; a full one from FICO)",
        _lines("=", "THREADS", "RANDOMSEED"),
        lambda m: float(m.attributes.bestbound),
    ),
    "copt": ExternalSolver(
        "COPT",
        "coptpy",
        "pip install coptpy (size-limited without a licence; one from shanshu.ai/copt)",
        _params("Threads", "RandomSeed"),
        lambda m: float(m.getAttr("BestBnd")),
    ),
    # PuLP's SCIP runs on one thread; its seed is a shift of SCIP's own
    "scip": ExternalSolver(
        "SCIP_PY",
        "pyscipopt",
        "pip install pyscipopt",
        _lines("=", "", "randomization/randomseedshift"),
        lambda m: float(m.getDualbound()),
    ),
    "mosek": ExternalSolver(
        "MOSEK",
        "mosek",
        "pip install mosek and a licence file (mosek.com: free for "
        "academics, a 30-day trial otherwise)",
        lambda n, s, user: {"options": dict(user)},
    ),
}
"""The solvers ``solver.name`` accepts besides ``highs``."""

_STATUS = {
    pulp.LpSolutionOptimal: SolverStatus.OPTIMAL,
    pulp.LpSolutionIntegerFeasible: SolverStatus.FEASIBLE,
    pulp.LpSolutionInfeasible: SolverStatus.INFEASIBLE,
    pulp.LpSolutionUnbounded: SolverStatus.UNBOUNDED,
    pulp.LpSolutionNoSolutionFound: SolverStatus.NO_SOLUTION,
}
"""PuLP's solution status -> ours. PuLP's ``LpStatus`` says "Optimal" for a time-limited
incumbent too; its solution status does not."""


def package_version(name: str) -> str:
    """Installed version of a pip package, or ``unknown``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def pulp_solver(options: SolverConfig, msg: bool | None = None) -> Any:
    """PuLP's solver object for ``options.name``, limits and ``options.options`` set.

    Raises
    ------
    InputError
        The solver is not installed here (exit 2, naming the install).
    """
    spec = SOLVERS[options.name]
    kwargs: dict[str, Any] = {"msg": options.msg if msg is None else msg,
                              "timeLimit": options.time_limit_s}  # fmt: skip
    if spec.pulp_name != "MOSEK":  # PuLP's MOSEK takes its gap as one of its parameters
        kwargs["gapRel"] = options.mip_gap
    kwargs.update(spec.kwargs(options.threads, options.seed, dict(options.options)))
    # PuLP 3.3 deprecates its bundled CBC (a user who names it has chosen it); COPT prints
    # its licence search to stdout when PuLP first opens it
    with warnings.catch_warnings(), stdout_to_stderr():
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.getSolver(spec.pulp_name, **kwargs)
        if not solver.available():
            raise _missing(options.name, "is not installed here")
    return solver


def _missing(name: str, what: str, where: str = "") -> InputError:
    spec = SOLVERS[name]
    key = f"{where}: solver.name" if where else "solver.name"
    options = "" if what.startswith("is not") else "; check solver.options"
    return InputError([Problem(key, f"'{name}' (PuLP's {spec.pulp_name}) {what}",
                               f"{spec.install}{options}; or choose solver.name: highs")])  # fmt: skip


def check_available(options: SolverConfig, where: str = "") -> None:
    """Fail early, with exit 2, if ``options.name`` cannot solve here.

    A one-variable LP is solved, so a package that imports but has no licence (MOSEK without
    its file, a commercial solver whose licence expired) is found before any layer is read.

    ``where``: the config file, to name in the message (relative to the working folder
    where it lies below it).

    Raises
    ------
    InputError
        The package is missing, or it cannot solve the smallest problem (its message quoted).
    """
    where = _shown(where)
    if options.name == "highs":
        _check_highs_options(options.options, where)
        return
    try:
        solver = pulp_solver(options, msg=False)
    except InputError:
        raise _missing(options.name, "is not installed here", where) from None
    probe = pulp.LpProblem("probe", pulp.LpMinimize)
    x = pulp.LpVariable("x", lowBound=1.0)
    probe += x
    probe += x <= 2.0
    try:
        with warnings.catch_warnings(), stdout_to_stderr():
            warnings.simplefilter("ignore")
            probe.solve(solver)
    except Exception as exc:  # any solver's own error: quoted to the user
        raise _missing(options.name, f"could not solve a one-variable problem: "
                       f"{_first_line(exc).rstrip('.')}", where) from exc  # fmt: skip
    if probe.sol_status != pulp.LpSolutionOptimal or abs((x.varValue or 0.0) - 1.0) > 1e-6:
        raise _missing(options.name, "could not solve a one-variable problem "
                       f"(status {pulp.LpStatus[probe.status]})", where)  # fmt: skip


def _shown(where: str) -> str:
    try:
        return str(Path(where).relative_to(Path.cwd()))
    except ValueError:
        return where


def _check_highs_options(given: Options, where: str) -> None:
    """Every ``solver.options`` entry must be a HiGHS option of the right type."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    prefix = f"{where}: " if where else ""
    wrong = [
        Problem(f"{prefix}solver.options.{name}", f"HiGHS has no option '{name}' that takes "
                f"{value!r}", "spell it as HiGHS's option list does (highs.dev, 'Options'), or "
                "remove it")
        for name, value in given.items()
        if h.setOptionValue(name, value) != highspy.HighsStatus.kOk
    ]  # fmt: skip
    if wrong:
        raise InputError(wrong)


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send whatever a solver library prints to the process's stdout to stderr instead.

    Gurobi announces parameters and COPT its licence search on stdout even when asked for
    quiet; a command's stdout is its result (``--json``), so the file descriptor itself is
    redirected for the duration of a solve.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def solve_external(model: SitingModel, options: SolverConfig) -> SolveResult:
    """Solve ``model`` with ``options.name`` through PuLP; values are set on its variables.

    The objective is read back from the variables' values [EUR/yr]; the bound from the
    solver where it exposes one (for a pure LP, the optimum itself).
    """
    spec = SOLVERS[options.name]
    solver = pulp_solver(options)
    prob = model.problem
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), stdout_to_stderr():
            warnings.simplefilter("ignore", DeprecationWarning)
            prob.solve(solver)
    except Exception as exc:  # a solver's crash or licence limit is reported
        return SolveResult(SolverStatus.ERROR, "error", math.nan, math.nan, math.nan, 0.0,
                           time.perf_counter() - t0, options.name, package_version(spec.package),
                           _first_line(exc))  # fmt: skip
    elapsed = time.perf_counter() - t0
    status = _STATUS.get(prob.sol_status, SolverStatus.ERROR)
    objective = float(pulp.value(prob.objective) or 0.0) if status.has_solution else math.nan
    bound, gap = _bound_and_gap(model, spec, status, objective, options)
    return SolveResult(status, pulp.LpStatus[prob.status], objective, bound, gap, 0.0, elapsed,
                       options.name, package_version(spec.package))  # fmt: skip


def _bound_and_gap(model: SitingModel, spec: ExternalSolver, status: SolverStatus,
                   objective: float, options: SolverConfig) -> tuple[float, float]:  # fmt: skip
    """The proven bound [EUR/yr] and relative gap [-] of a solve, NaN where unknown."""
    if not status.has_solution:
        return math.nan, math.nan
    if not model.problem.isMIP():
        return objective, 0.0 if status == SolverStatus.OPTIMAL else math.nan
    try:
        bound = spec.bound(model.problem.solverModel)
    except Exception:  # no bound exposed: say so with NaN, never guess
        bound = math.nan
    if not math.isfinite(bound):
        # the solver stopped at its gap but exposes no bound: the gap it was asked for holds
        return math.nan, options.mip_gap if status == SolverStatus.OPTIMAL else math.nan
    return bound, abs(objective - bound) / max(1.0, abs(objective))
