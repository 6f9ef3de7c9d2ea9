"""Run the CLI with a pause after the run folder's contents are written (kill tests only).

``python tests/paused_run.py DELAY_S MARKER siting-args...``: wraps
``siting.outputs.runwriter.write_run_figures`` so that, once everything but the manifest is staged,
the process creates ``MARKER`` and sleeps ``DELAY_S``. A test then signals the run exactly
inside that pause, never while a library is still writing a file. Production code carries
no test hook.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import siting.outputs.runwriter
from siting.cli import main


def _paused(delay: float, marker: Path) -> Any:
    write = siting.outputs.runwriter.write_run_figures

    def write_then_pause(*args: Any, **kwargs: Any) -> None:
        write(*args, **kwargs)
        marker.touch()
        time.sleep(delay)

    return write_then_pause


if __name__ == "__main__":
    siting.outputs.runwriter.write_run_figures = _paused(float(sys.argv[1]), Path(sys.argv[2]))
    sys.exit(main(sys.argv[3:]))
