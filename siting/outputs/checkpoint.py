"""Checkpoints of long runs: what a guarantee run needs to resume after a stop (``docs/cli.md``).

A guarantee (or robust) run keeps, beside its run folders, a hidden folder
``.resume-<name>-<config hash8>/`` holding its last solved round: the calendar days and
residual cuts that made the round's model, the solved column values, the solver's report,
the first round's site decisions (which later rounds fix) and the record of the rounds checked
so far. ``siting run CONFIG --resume`` rebuilds that round's model, puts the values back and
carries on; the steps after it are deterministic, so the plan ends as an uninterrupted run's.

Every file is written beside its final name and moved into place (``os.replace``), the state
last, so a killed run leaves the previous checkpoint whole. The folder goes when a run
finishes its loop; a stopped run keeps it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from siting.fullyear.guarantee import Round
from siting.instance import ResidualCut
from siting.solve.solvers import SolveResult, SolverStatus

PREFIX = ".resume-"
VERSION = 1
"""Changes whenever what a checkpoint holds changes; an older one is not resumed."""


@dataclass(frozen=True)
class Saved:
    """A checkpoint as read back.

    Attributes
    ----------
    index
        The saved round (1: the first, MILP, solve) [-].
    days
        Calendar days added to the representative ones up to that round.
    x
        The round's solved column values, in the model's column order [model units].
    checked
        Whether the round's full-year check had finished.
    rounds
        Checked rounds so far (the saved round included when ``checked``).
    """

    index: int
    days: list[int]
    cuts: list[ResidualCut]
    x: np.ndarray
    result: SolveResult
    rounds: list[Round]
    build: list[float | None]
    size: list[float | None]
    checked: bool


class RunCheckpoint:
    """The checkpoint folder of one config (its content hash names it).

    Parameters
    ----------
    out_root
        The folder that holds the run folders.
    name, config_sha256
        The run's name and its config hash (:meth:`siting.config.Config.sha256`).
    """

    def __init__(self, out_root: Path, name: str, config_sha256: str) -> None:
        self.folder = Path(out_root) / f"{PREFIX}{name}-{config_sha256[:8]}"
        self.config_sha256 = config_sha256

    def exists(self) -> bool:
        """Whether a resumable checkpoint is there."""
        state = self._read_state()
        return state is not None and state.get("version") == VERSION

    def save_solved(self, solved: Any, rounds: list[Round], build: list[float | None],
                    size: list[float | None]) -> None:  # fmt: skip
        """Keep a freshly solved round (a :class:`siting.fullyear.strategy.SolvedRound`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        x = np.array([float(v.varValue or 0.0) for v in solved.model.columns], dtype=float)
        self._replace("x.npy", lambda f: np.save(f, x))
        arrays = _cut_arrays(solved.cuts)
        self._replace("cuts.npz", lambda f: np.savez(f, **arrays))  # type: ignore[arg-type]
        state = {
            "version": VERSION,
            "config_sha256": self.config_sha256,
            "round": solved.index,
            "days": [int(d) for d in solved.days],
            "cuts": [_cut_shape(c) for c in solved.cuts],
            "result": _result_record(solved.result),
            "build": build,
            "size": size,
            "rounds": [dataclasses.asdict(r) for r in rounds],
            "checked": False,
        }
        self._write_state(state)

    def save_checked(self, rounds: list[Round]) -> None:
        """Record that the saved round's full-year check finished (with the rounds so far)."""
        state = self._read_state()
        if state is None:
            return
        state.update(rounds=[dataclasses.asdict(r) for r in rounds], checked=True)
        self._write_state(state)

    def load(self) -> Saved:
        """The saved round."""
        state = self._read_state()
        assert state is not None
        with np.load(self.folder / "cuts.npz") as npz:
            cuts = [_cut_from(npz, i, shape) for i, shape in enumerate(state["cuts"])]
        return Saved(
            int(state["round"]), [int(d) for d in state["days"]], cuts,
            np.load(self.folder / "x.npy"), _result_from(state["result"]),
            [Round(**r) for r in state["rounds"]], state["build"], state["size"],
            bool(state["checked"]),
        )  # fmt: skip

    def describe(self) -> str:
        """The checkpoint in words, for progress lines."""
        state = self._read_state() or {}
        done = "checked" if state.get("checked") else "solved, not yet checked"
        return f"round {state.get('round', '?')} ({done}) in {self.folder}"

    def remove(self) -> None:
        """Forget the checkpoint (the run finished its loop)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _read_state(self) -> dict[str, Any] | None:
        path = self.folder / "state.json"
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if state.get("config_sha256") == self.config_sha256 else None

    def _write_state(self, state: dict[str, Any]) -> None:
        text = json.dumps(state, indent=1)  # NaN stays NaN: only this module reads it back
        self._replace("state.json", lambda f: f.write(text.encode("utf-8")))

    def _replace(self, name: str, write: Any) -> None:
        part = self.folder / f".{name}.part"
        with part.open("wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, self.folder / name)


def _result_record(result: SolveResult) -> dict[str, Any]:
    record = dataclasses.asdict(result)
    record["status"] = result.status.value
    record["scaling"] = list(result.scaling)
    return record


def _result_from(record: dict[str, Any]) -> SolveResult:
    return SolveResult(**{**record, "status": SolverStatus(record["status"]),
                          "scaling": tuple(record["scaling"])})  # fmt: skip


def _cut_shape(cut: ResidualCut) -> dict[str, Any]:
    return {"rhs": cut.rhs, "stores": len(cut.energy)}


def _cut_arrays(cuts: list[ResidualCut]) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for i, cut in enumerate(cuts):
        arrays[f"c{i}_re"] = np.asarray(cut.re, float)
        for part in ("energy", "power", "charge"):
            for s, a in enumerate(getattr(cut, part)):
                arrays[f"c{i}_{part}{s}"] = np.asarray(a, float)
    return arrays


def _cut_from(npz: Any, i: int, shape: dict[str, Any]) -> ResidualCut:
    def part(name: str) -> tuple[np.ndarray, ...]:
        return tuple(np.asarray(npz[f"c{i}_{name}{s}"]) for s in range(shape["stores"]))

    return ResidualCut(np.asarray(npz[f"c{i}_re"]), part("energy"), part("power"),
                       part("charge"), float(shape["rhs"]))  # fmt: skip
