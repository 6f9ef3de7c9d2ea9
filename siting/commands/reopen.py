"""Open a published run as it was solved: its config, its layers and its instance.

The one way ``siting check``, ``siting alternatives`` and the Python API rebuild a run's
problem. The instance is the one the run's last solve had: the representative days from the
same weather years (through the periods cache, or cut again the same way), the calendar days
its full-year guarantee added (``summary.json``'s ``guarantee.days_added``, in the order they
were added) and the residual cuts it was solved with (``tables/residual_cuts.csv``). Input
files that changed or went since the run are refused: the plan would be read against other
data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from siting.base.errors import InputError, Problem
from siting.config import Config, load_config
from siting.inputs.layers import Layers, load_layers
from siting.instance import Instance, build_instance, periods_for
from siting.outputs.cache import PeriodsCache
from siting.outputs.cuts import cuts_from_table
from siting.outputs.results import RunFolder, read_run
from siting.outputs.runfolder import sha256_file


@dataclass(frozen=True)
class OpenedRun:
    """A run folder with the problem it solved.

    Attributes
    ----------
    run
        The folder's files.
    cfg, layers, inst
        Its resolved config, its checked input layers and the instance of its last solve.
    """

    run: RunFolder
    cfg: Config
    layers: Layers
    inst: Instance


def open_run(path: str | Path, cache: Any = None) -> OpenedRun:
    """Rebuild a run's problem exactly as it was last solved.

    Parameters
    ----------
    path
        A published run folder.
    cache
        Where representative days are kept (default: the run-time periods cache).

    Raises
    ------
    InputError
        ``path`` is not a run folder, or an input file changed or went since the run.
    """
    run = read_run(path)
    _same_inputs(run)
    cfg = load_config(run.path / "config.yaml")
    layers = load_layers(cfg)
    periods = periods_for(layers, cfg, cache if cache is not None else PeriodsCache.default())
    guarantee = run.summary.get("guarantee") or {}
    added = list(guarantee.get("days_added") or [])
    if periods is not None and added:
        calendar = periods.calendar
        periods = periods.with_days(calendar.index(d) for d in added)
    inst = build_instance(layers, cfg, periods)
    cuts = run.path / "tables" / "residual_cuts.csv"
    if cuts.is_file():
        import pandas as pd

        inst = dataclasses.replace(
            inst, residual_cuts=tuple(cuts_from_table(pd.read_csv(cuts), inst))
        )
    return OpenedRun(run, cfg, layers, inst)


def _same_inputs(run: RunFolder) -> None:
    """Refuse a run whose input files changed or went since it was solved."""
    changed = []
    for key, info in run.manifest.get("inputs", {}).items():
        p = Path(info["path"])
        if not p.is_file():
            changed.append(Problem(f"{run.path}: input {key}", f"{p} no longer exists",
                                   "restore it"))  # fmt: skip
        elif sha256_file(p) != info["sha256"]:
            changed.append(Problem(f"{run.path}: input {key}",
                                   f"{p} changed since the run (SHA-256 differs)",
                                   "re-run the scenario on the current data, then ask again"))  # fmt: skip
    if changed:
        raise InputError(changed)
