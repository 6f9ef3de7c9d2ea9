"""Exceptions that map to the documented exit codes of the command-line interface."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class ExitCode(enum.IntEnum):
    """Process exit codes of the ``siting`` commands (``docs/cli.md``)."""

    OK = 0
    """Done (a run: optimal, or feasible within its limits)."""
    UNEXPECTED = 1
    """A bug or a solver crash: re-run with ``--debug`` for the traceback."""
    INVALID_INPUT = 2
    """A config, layer, table or argument is wrong; the message names it and the fix."""
    INFEASIBLE = 3
    """No plan meets every requirement (``diagnosis.json`` says why), or the full-year
    guarantee was not met within its rounds (the run folder keeps the last plan and
    ``summary.json`` the shortfall)."""
    NO_SOLUTION = 4
    """The time limit struck before any plan was found (``run``), or before the first
    alternative plan (``alternatives``): no proof that none exists; raise the limit."""
    SWEEP_FAILURES = 5
    """Some scenarios of a sweep failed (listed in ``sweep.csv``)."""
    PLAN_SHORT = 6
    """``siting check``: the plan misses its CFE target in at least one weather year."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT) or SIGTERM. Whatever plan existed was published, labelled
    ``stopped_by: interrupt`` (its path is the last stdout line); with no plan yet, or with
    ``--discard-on-interrupt``, nothing was."""


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

    exit_code: ExitCode = ExitCode.UNEXPECTED


@dataclass
class InputError(SitingError):
    """Invalid config or layer; carries every problem found, not only the first."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.INVALID_INPUT

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class InfeasibleError(SitingError):
    """The model has no feasible plan, or the full-year guarantee was not met.

    Parameters
    ----------
    message
        What the command line prints.
    path
        The run folder published with the diagnosis (``diagnosis.json``) or the last plan,
        when there is one.
    """

    exit_code = ExitCode.INFEASIBLE

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class NoSolutionError(SitingError):
    """The solver stopped (e.g. at its time limit) without any feasible plan."""

    exit_code = ExitCode.NO_SOLUTION


class SolverError(SitingError):
    """Unbounded model or a solver error."""

    exit_code = ExitCode.UNEXPECTED
