"""Exceptions that map to the documented exit codes of the command-line interface."""

from __future__ import annotations

from dataclasses import dataclass, field


class ExitCode:
    """Process exit codes (DESIGN §5)."""

    OK = 0
    UNEXPECTED = 1
    INVALID_INPUT = 2
    INFEASIBLE = 3
    NO_SOLUTION = 4
    SWEEP_FAILURES = 5


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located precisely enough to fix it.

    Parameters
    ----------
    where
        File path and/or config key, e.g. ``"configs/x.yaml: carbon.cfe_target"``.
    what
        What is wrong, in plain words.
    fix
        What the user should do about it.
    """

    where: str
    what: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class SitingError(Exception):
    """Base class: an error with a user-facing message and an exit code."""

    exit_code: int = ExitCode.UNEXPECTED


@dataclass
class InputError(SitingError):
    """Invalid config or layer; carries every problem found, not only the first."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = ExitCode.INVALID_INPUT

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class InfeasibleError(SitingError):
    """The model has no feasible plan."""

    exit_code = ExitCode.INFEASIBLE


class NoSolutionError(SitingError):
    """The solver stopped (e.g. at its time limit) without any feasible plan."""

    exit_code = ExitCode.NO_SOLUTION


class SolverError(SitingError):
    """Unbounded model or a solver error."""

    exit_code = ExitCode.UNEXPECTED
