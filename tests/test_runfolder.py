"""Run folders are staged, published atomically, never overwritten, and verifiable."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.outputs.runfolder import STAGING_PREFIX, is_run_folder, staged_run, verify_checksums


def _write(out: Path, text: str = "x") -> Path:
    with staged_run(out, "demo", "0123456789abcdef") as run:
        (run.path / "a.txt").write_text(text)
        (run.path / "sub").mkdir()
        (run.path / "sub" / "b.txt").write_text(text * 2)
    assert run.published is not None
    return run.published


def test_publish_names_and_manifest(tmp_path: Path) -> None:
    path = _write(tmp_path)
    assert path.name.startswith("demo-") and path.name.endswith("-01234567")
    assert is_run_folder(path)
    assert verify_checksums(path) == []


def test_same_second_runs_never_collide(tmp_path: Path) -> None:
    paths = {_write(tmp_path, str(i)) for i in range(5)}
    assert len(paths) == 5
    assert sorted((p / "a.txt").read_text() for p in paths) == ["0", "1", "2", "3", "4"]


def test_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    earlier = _write(tmp_path)
    with pytest.raises(RuntimeError), staged_run(tmp_path, "demo", "ff" * 32) as run:
        (run.path / "a.txt").write_text("half")
        raise RuntimeError("solver died")
    assert sorted(p.name for p in tmp_path.iterdir()) == [earlier.name]
    assert not any(p.name.startswith(STAGING_PREFIX) for p in tmp_path.iterdir())
    assert verify_checksums(earlier) == []


def test_tampering_is_detected(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (path / "sub" / "b.txt").write_text("changed")
    assert verify_checksums(path) == ["sub/b.txt"]
