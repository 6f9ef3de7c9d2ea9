"""Green AI Grid siting optimiser.

Places new data centres in Europe so that compute capacity reaches a target by a
deadline at least annualised cost, powered by carbon-free electricity the grid can
deliver. Data flows one way: config -> layers -> instance -> model -> solution -> outputs.

The Python API (``docs/api.md``)::

    import siting
    run = siting.run("configs/europe-2030.yaml")
    run.table("sites")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from siting._version import __version__

# name -> module; imported on first use, so `import siting` (and the command line's start)
# stays fast and loads neither geopandas nor the solver
_API = {
    "run": "siting.api", "load_run": "siting.api", "load_config": "siting.api",
    "runs": "siting.api", "compare": "siting.api", "sweep": "siting.api",
    "Run": "siting.api", "Comparison": "siting.api", "Sweep": "siting.api",
    "Config": "siting.config",
    "SitingError": "siting.base.errors", "InputError": "siting.base.errors", "Problem": "siting.base.errors",
    "InfeasibleError": "siting.base.errors", "NoSolutionError": "siting.base.errors",
    "SolverError": "siting.base.errors", "ExitCode": "siting.base.errors",
}  # fmt: skip

__all__ = [
    "Comparison",
    "Config",
    "ExitCode",
    "InfeasibleError",
    "InputError",
    "NoSolutionError",
    "Problem",
    "Run",
    "SitingError",
    "SolverError",
    "Sweep",
    "__version__",
    "compare",
    "load_config",
    "load_run",
    "run",
    "runs",
    "sweep",
]

if TYPE_CHECKING:
    from siting.api import Comparison, Run, Sweep, compare, load_config, load_run, run, runs, sweep
    from siting.base.errors import (
        ExitCode,
        InfeasibleError,
        InputError,
        NoSolutionError,
        Problem,
        SitingError,
        SolverError,
    )
    from siting.config import Config


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'siting' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
