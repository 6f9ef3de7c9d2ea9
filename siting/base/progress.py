"""Stage-by-stage progress on stderr with elapsed times, and the solver's heartbeat."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Stage-by-stage progress on stderr with elapsed times."""

    def __init__(self, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._t0 = time.perf_counter()
        self._live = False  # a live line is on screen, not yet ended

    def __call__(self, text: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self._t0
            end = "\n" if self._live else ""
            self._live = False
            print(f"{end}[{elapsed:6.1f} s] {text}", file=self.stream, flush=True)

    def beat(self, text: str) -> None:
        """A heartbeat: rewrites one live line on a terminal, a plain line in a log."""
        if not self.enabled:
            return
        if not self.stream.isatty():
            self(text)
            return
        elapsed = time.perf_counter() - self._t0
        print(f"\r[{elapsed:6.1f} s] {text}\x1b[K", end="", file=self.stream, flush=True)
        self._live = True
