"""Every output path is checked before any work: a path no file can be written to exits 2 at
once, naming the path and the fix (``docs/cli.md``)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO

from siting.base.errors import ExitCode
from siting.cli import main

DEFAULT = str(REPO / "configs" / "europe-2030.yaml")


def unwritable(tmp_path: Path) -> Path:
    """A folder no file can be created in, also for root (who ignores permission bits):
    sysfs refuses new files to everyone; elsewhere a folder without write permission."""
    try:
        fd, name = tempfile.mkstemp(dir="/sys")
    except OSError:
        return Path("/sys")
    os.close(fd)
    os.unlink(name)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):
        pytest.skip("no folder here refuses writes")
    return folder


def refused(argv: list[str], capsys, *words: str) -> None:
    t = time.perf_counter()
    assert main(argv) == ExitCode.INVALID_INPUT
    took = time.perf_counter() - t
    err = capsys.readouterr().err
    assert took < 2.0, f"refused after {took:.1f} s: the paths must be checked first"
    assert "Fix:" in err and "Traceback" not in err and "unexpected error" not in err
    for w in words:
        assert w in err, err


def test_run_refuses_an_out_folder_it_cannot_write(tmp_path, capsys) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    refused(["run", DEFAULT, "--out", str(a_file)], capsys, str(a_file), "is a file")
    missing = tmp_path / "no" / "such" / "runs"
    refused(["run", DEFAULT, "--out", str(missing)], capsys, "does not exist", "mkdir -p")
    locked = unwritable(tmp_path)
    refused(["run", DEFAULT, "--out", str(locked / "runs")], capsys, "cannot write in")
    refused(["run", DEFAULT, "--out", str(locked)], capsys, "cannot write in")
    assert not missing.exists()


def test_every_command_checks_its_output_first(tmp_path, capsys) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    run_folder = tmp_path / "not-looked-at"  # outputs are refused before any run is read
    refused(["compare", str(run_folder), str(run_folder), "--out", str(a_file)], capsys, "--out")
    refused(["alternatives", str(run_folder), "--out", str(a_file)], capsys, "--out")
    refused(["sweep", str(REPO / "configs" / "sweep-cfe.yaml"), "--out", str(a_file)], capsys,
            "is a file")  # fmt: skip
    refused(["check", str(run_folder), "--out", str(tmp_path / "missing" / "x.csv")], capsys,
            "does not exist")  # fmt: skip
    refused(["check", str(run_folder), "--out", str(tmp_path)], capsys, "is a folder")
    refused(["schema", "--out", str(unwritable(tmp_path) / "schema.json")], capsys, "cannot write")
    refused(["plot", str(unwritable(tmp_path))], capsys, "RUN")
