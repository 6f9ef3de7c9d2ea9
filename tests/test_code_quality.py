"""The package type-checks and lints clean (mypy, ruff), so CI catches broken call sites."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


def test_mypy_clean() -> None:
    api = pytest.importorskip("mypy.api")
    out, err, code = api.run(["--config-file", str(REPO / "pyproject.toml"), str(REPO / "siting")])
    assert code == 0, out + err


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(REPO / ".venv" / "bin"))
    cmd = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    proc = subprocess.run([*cmd, "check", str(REPO)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
