"""What a solve came back with: statuses as an enum, results as a dataclass (linopy's
``constants.py``), shared by every solver interface."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
    algorithm: str = ""
    """The LP algorithm HiGHS used (:func:`siting.solve.solvers.lp_algorithm`), empty for
    other solvers."""
    scaling: tuple[int, int] = (0, 0)
    """The exponents ``(k, m)`` of :class:`siting.solve.scaling.Scaling` HiGHS got the model with."""
    interrupted: bool = False
    """Stopped by Ctrl-C or SIGTERM (``status`` says whether a plan came back)."""
