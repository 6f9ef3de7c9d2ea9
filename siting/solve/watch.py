"""Watching a running HiGHS solve: a heartbeat, and a clean stop on Ctrl-C or SIGTERM.

HiGHS runs in a thread of its own while the main thread waits in short steps, so Python's
signal handling (which only ever runs in the main thread) stays responsive. A stop request
sets a flag that HiGHS's interrupt callbacks (simplex, interior point, branch and bound) read
at every call; HiGHS then returns ``kInterrupt`` with whatever plan it has. The same callbacks
carry elapsed time, bound and incumbent for the heartbeat (``docs/cli.md``, "Long solves").
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

HEARTBEAT_S = 5.0
"""At most one progress line this often [s]."""

WAIT_STEP_S = 0.1
"""How long the main thread waits on the solver between looks at its signals [s]."""

STOP_WITHIN_S = 1.0
"""How long a stop request waits for HiGHS to return before the solve is abandoned [s]."""


_ABANDONED = threading.Event()


def solve_abandoned() -> bool:
    """Whether this process left a HiGHS solve running after a stop it could not honour
    (HiPO, and the root LP of a MIP, call no interrupt callback in HiGHS 1.15)."""
    return _ABANDONED.is_set()


@dataclass
class Held:
    """What :func:`held_signals` kept back: whether a stop was asked for meanwhile."""

    caught: bool = False


@contextlib.contextmanager
def held_signals() -> Iterator[Held]:
    """Hold Ctrl-C and SIGTERM back for a short block that must finish whole (writing a
    plan's tables); the caller reads ``caught`` afterwards and stops then.

    Outside the main thread, or where a signal is ignored, nothing changes.
    """
    held = Held()
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def record(signum: int, frame: Any) -> None:
        held.caught = True

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(sig, record)
    try:
        yield held
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _sigterm_as_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM stops the process as Ctrl-C does (a
    :class:`KeyboardInterrupt`), so that every phase of a command, not only a solve, ends
    cleanly and keeps what it has. The previous handler is back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Incumbent:
    """The best plan branch and bound has reported so far, in HiGHS's (scaled) units.

    Kept from HiGHS's improving-solution callback, so that a stop which HiGHS cannot honour
    at once (its root LP calls no interrupt callback) still keeps the plan it had.

    Attributes
    ----------
    x
        Column values, in the order the model was passed [scaled units].
    objective
        Its objective value [scaled units].
    """

    x: np.ndarray
    objective: float


@dataclass(frozen=True)
class Beat:
    """One heartbeat of a running solve (model units: EUR/yr, not HiGHS's scaled ones).

    Attributes
    ----------
    elapsed_s
        Solver time so far [s].
    phase
        ``"mip"`` (branch and bound), ``"ipm"`` (interior point) or ``"simplex"``.
    objective, bound
        Best plan's cost and the proven lower bound [EUR/yr] (NaN when not known yet).
    gap
        Relative gap between them [-] (NaN when not known).
    iterations
        Interior-point or simplex iterations so far [-] (0 in branch and bound).
    """

    elapsed_s: float
    phase: str
    objective: float
    bound: float
    gap: float
    iterations: int


def beat_words(beat: Beat) -> str:
    """A heartbeat as a progress line."""
    head = f"solving: {beat.elapsed_s:.0f} s"
    if beat.phase != "mip":
        if beat.iterations < 0:  # a callback from outside the iterations (presolve)
            return f"{head}, LP"
        name = "interior point" if beat.phase == "ipm" else "simplex"
        return f"{head}, LP, {name} iteration {beat.iterations:,}"
    parts = [head]
    parts.append("no plan yet" if math.isnan(beat.objective)
                 else f"best plan {beat.objective / 1e9:,.3f} bn EUR/yr")  # fmt: skip
    if not math.isnan(beat.bound):
        parts.append(f"bound {beat.bound / 1e9:,.3f} bn")
    if not math.isnan(beat.gap):
        parts.append(f"gap {beat.gap:.2%}")
    return ", ".join(parts)


def _finite(value: float, unscale: Callable[[float], float]) -> float:
    return unscale(value) if math.isfinite(value) and abs(value) < 1e300 else math.nan


class SolveWatch:
    """Heartbeat and stop handling for one HiGHS solve.

    HiGHS's callbacks (in its thread) only record the latest :class:`Beat` and pass on a
    stop request; the main thread prints the heartbeat, so output never comes from two
    threads at once, and also while HiGHS is in a phase that calls no callback (the root
    LP of a MIP).

    Parameters
    ----------
    say
        Where heartbeat lines go (None: no heartbeat).
    unscale
        Turns HiGHS's objective values into EUR/yr (the solver sees a scaled model).
    interval_s
        Least time between two heartbeats [s].
    """

    def __init__(
        self,
        say: Callable[[str], None] | None = None,
        unscale: Callable[[float], float] = float,
        interval_s: float = HEARTBEAT_S,
    ) -> None:
        self.say = say
        self.unscale = unscale
        self.interval_s = interval_s
        self.stop = threading.Event()
        self.abandoned = False
        self._stopped_at = math.inf
        self._kinds = (-1, -1)  # HiGHS's codes of the MIP and IPM callbacks (attach)
        self._beat: Beat | None = None
        self._start = time.monotonic()
        self.incumbent: Incumbent | None = None

    @property
    def interrupted(self) -> bool:
        """Whether a stop was asked for during the solve."""
        return self.stop.is_set()

    def _on_event(self, event: Any) -> None:
        # called in HiGHS's thread, often: only record, never print
        if self.stop.is_set():
            event.interrupt()
        if self.say is not None:
            beat = self._read(event)
            # once branch and bound has begun, its node LPs' beats would hide the gap
            if beat.phase == "mip" or self._beat is None or self._beat.phase != "mip":
                self._beat = beat

    def _on_improving(self, event: Any) -> None:
        # HiGHS's thread; the array is HiGHS's buffer, so it is copied
        out = event.data_out
        self.incumbent = Incumbent(np.array(out.mip_solution, dtype=float, copy=True),
                                   float(out.objective_function_value))  # fmt: skip

    @property
    def bound(self) -> float:
        """The last proven lower bound branch and bound reported [EUR/yr] (NaN if none)."""
        beat = self._beat
        return beat.bound if beat is not None and beat.phase == "mip" else math.nan

    def _read(self, event: Any) -> Beat:
        out = event.data_out
        kind = int(event.callback_type)
        if kind == self._kinds[0]:
            return Beat(float(out.running_time), "mip",
                        _finite(float(out.mip_primal_bound), self.unscale),
                        _finite(float(out.mip_dual_bound), self.unscale),
                        _finite(float(out.mip_gap), float), 0)  # fmt: skip
        if kind == self._kinds[1]:
            return Beat(float(out.running_time), "ipm", math.nan, math.nan, math.nan,
                        int(out.ipm_iteration_count))  # fmt: skip
        return Beat(float(out.running_time), "simplex", math.nan, math.nan, math.nan,
                    int(out.simplex_iteration_count))  # fmt: skip

    def heartbeat(self) -> str:
        """The progress line for now: the latest beat, or the time alone if none came yet."""
        elapsed = time.monotonic() - self._start
        beat = self._beat
        if beat is None:
            return f"solving: {elapsed:.0f} s (HiGHS reports no progress in this phase)"
        return beat_words(dataclasses.replace(beat, elapsed_s=elapsed))

    def attach(self, highs: Any) -> None:
        """Subscribe to the interrupt callbacks of a ``highspy.Highs``."""
        from highspy import cb

        kinds = cb.HighsCallbackType
        self._kinds = (int(kinds.kCallbackMipInterrupt), int(kinds.kCallbackIpmInterrupt))
        for callback in (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt):
            callback.subscribe(self._on_event)
        highs.cbMipImprovingSolution.subscribe(self._on_improving)

    def run(self, highs: Any) -> None:
        """Solve in HiGHS's own thread; Ctrl-C (SIGINT) or SIGTERM asks it to stop.

        HiGHS returns with its best plan within a fraction of a second of a stop request
        wherever it calls its callbacks (simplex, IPX, branch and bound).
        HiPO and the root LP of a MIP call none (HiGHS 1.15, also in the root's cut rounds
        after a plan was found); if HiGHS has not returned :data:`STOP_WITHIN_S` after the
        request, the solve is abandoned (``abandoned``, :func:`solve_abandoned`; its thread is
        left to the end of the process). The last plan branch and bound reported
        (:attr:`incumbent`) is then the result; without one, :class:`KeyboardInterrupt` is
        raised: there is no plan to keep.
        Outside the main thread (Dask workers) signals cannot be caught; the solve just runs.
        """
        self.attach(highs)
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, self._on_sigterm) if main else None
        self._start = next_beat = time.monotonic()
        next_beat += self.interval_s
        try:
            highs.startSolve()
            while not self._wait(highs):
                if self.stop.is_set() and time.monotonic() - self._stopped_at > STOP_WITHIN_S:
                    self.abandoned = True
                    _ABANDONED.set()
                    if self.incumbent is not None:
                        return
                    raise KeyboardInterrupt("HiGHS was in an LP it cannot stop (interior "
                                            "point, or the root LP) and had no plan yet")  # fmt: skip
                # after a stop request the last line says so; no more beats
                if (
                    self.say is not None
                    and not self.stop.is_set()
                    and time.monotonic() >= next_beat
                ):
                    next_beat = time.monotonic() + self.interval_s
                    self.say(self.heartbeat())
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)

    def _wait(self, highs: Any) -> bool:
        try:
            done, _ = highs.wait(WAIT_STEP_S)
        except KeyboardInterrupt:
            self._request_stop()
            done = False
        return bool(done)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        self._request_stop()

    def _request_stop(self) -> None:
        if not self.stop.is_set():
            self._stopped_at = time.monotonic()
            if self.say is not None:
                self.say("stop requested: asking HiGHS to stop and keep its best plan")
        self.stop.set()
