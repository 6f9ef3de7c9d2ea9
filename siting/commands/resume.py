"""Where a guarantee run keeps its rounds, and how a stopped one resumes (``siting run
CONFIG --resume``): the run folder's side of :mod:`siting.fullyear.strategy`'s checkpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from siting.config import Config
from siting.fullyear.guarantee import Round
from siting.fullyear.strategy import SolvedRound, restore_round
from siting.inputs.layers import Layers
from siting.instance.periods import Periods
from siting.outputs.checkpoint import RunCheckpoint, Saved


def checkpoint_for(cfg: Config, layers: Layers, periods: Periods | None, out_root: Path,
                manifest: dict[str, Any], say: Callable[[str], None],
                resume: bool) -> RunCheckpoint | None:  # fmt: skip
    """The checkpoint of a run that loops (the full-year guarantee), or None."""
    loops = (cfg.carbon.guarantee == "full_year" and periods is not None
             and cfg.carbon.matching == "hourly" and bool(layers.weather))  # fmt: skip
    if not loops:
        if resume:
            say("--resume: this run has no rounds to resume (no full-year guarantee); "
                "solving from the start")  # fmt: skip
        return None
    checkpoint = RunCheckpoint(out_root, cfg.name, manifest["config_sha256"])
    if checkpoint.exists() and not resume:
        say(f"an earlier run of this config stopped at {checkpoint.describe()}: this run "
            "starts over (--resume continues it)")  # fmt: skip
    elif resume and not checkpoint.exists():
        say(f"--resume: no checkpoint of this config in {out_root}; solving from the start")
    return checkpoint


def resume_round(cfg: Config, layers: Layers, periods: Periods | None, saved: Saved,
             manifest: dict[str, Any], say: Callable[[str], None],
             ) -> tuple[SolvedRound, list[Round], tuple[list[float | None], list[float | None]]]:  # fmt: skip
    """The saved round rebuilt, the rounds checked before it and the sites it fixes."""
    say(f"resuming from round {saved.index} (saved {len(saved.days)} added days, "
        f"{len(saved.cuts)} cuts): rebuilding its model, no solve")  # fmt: skip
    first = restore_round(cfg, layers, periods, saved.index, saved.days, saved.cuts, saved.x,
                          saved.result, saved.build, saved.size)  # fmt: skip
    manifest["resumed_from_round"] = saved.index
    manifest["solver"].update({"status": saved.result.status.value,
                               "termination": saved.result.termination})  # fmt: skip
    return first, saved.rounds[: saved.index - 1], (saved.build, saved.size)
