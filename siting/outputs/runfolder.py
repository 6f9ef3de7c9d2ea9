"""Run folders: staged in a hidden sibling folder, published by one atomic rename (``docs/outputs.md``).

A run never overwrites anything. Files are written into ``.staging-*``; ``manifest.json``
(with a SHA-256 of every other file) is written last; then the folder is renamed to
``<name>-<UTC timestamp>-<hash8>``. An interrupted run leaves at most a staging folder,
which is removed on the way out (or, after a hard kill, ignored by every reader).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

STAGING_PREFIX = ".staging-"
MANIFEST = "manifest.json"


def utc_stamp(now: dt.datetime | None = None) -> str:
    """UTC timestamp for folder names, e.g. ``20261122T101500Z``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ")


def package_versions() -> dict[str, str]:
    """Versions of siting, Python and the libraries that shape a result (for manifests)."""
    out = {"siting": _siting_version(), "python": platform.python_version()}
    for pkg in (
        "pulp",
        "highspy",
        "geopandas",
        "shapely",
        "pyogrio",
        "pyproj",
        "pandas",
        "numpy",
        "matplotlib",
        "pydantic",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _siting_version() -> str:
    from siting._version import __version__

    return __version__


def utc_iso() -> str:
    """Now in UTC as ISO 8601 to the second, e.g. ``2026-11-22T10:15:00Z``."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_manifest(name: str, **fields: Any) -> dict[str, Any]:
    """The common head of every manifest: name, creation time, package versions, then ``fields``.

    The one place that stamps manifests, for runs, plans and comparisons alike.
    """
    return {"name": name, "created_utc": utc_iso(), "versions": package_versions(), **fields}


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes [hex]."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become null, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: Path, data: Any) -> None:
    """Write JSON (NaN as null), flushed to disk."""
    with path.open("w", encoding="utf-8") as f:
        json.dump(_clean(data), f, indent=2, sort_keys=False, allow_nan=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    """Write YAML with keys in their given order."""
    with path.open("w", encoding="utf-8") as f:
        yaml.safe_dump(_clean(data), f, sort_keys=False, allow_unicode=True)


def require_writable_folder(folder: Path, key: str) -> None:
    """Refuse, before any work, an output folder that cannot be written (exit 2).

    The folder itself may be missing (it is created, as ``mkdir`` would); its parent must
    exist. Writing is tried for real (a file created and removed), so a read-only file system
    is found also when running as root, where permission bits do not apply.

    Parameters
    ----------
    folder
        The folder outputs go to.
    key
        The option or argument that named it, for the message (e.g. ``"--out"``).
    """
    from siting.base.errors import InputError, Problem

    folder = Path(folder)
    problem = _folder_problem(folder, key)
    if problem is not None:
        raise InputError([Problem(f"{key} {folder}", *problem)])


def require_writable_file(path: Path, key: str) -> None:
    """Refuse, before any work, an output file that cannot be written (exit 2): its folder
    must exist and take files, and the path must not be a folder."""
    from siting.base.errors import InputError, Problem

    path = Path(path)
    if path.is_dir():
        raise InputError([Problem(f"{key} {path}", "is a folder, not a file",
                                  f"give a file name, e.g. {path / 'check.csv'}")])  # fmt: skip
    problem = _folder_problem(path.parent if str(path.parent) else Path("."), key, exists=True)
    if problem is not None:
        raise InputError([Problem(f"{key} {path}", *problem)])


def _folder_problem(folder: Path, key: str, exists: bool = False) -> tuple[str, str] | None:
    """(what, fix) when ``folder`` cannot receive files; ``exists``: it must exist already."""
    other = f"or give another {key}"
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder", f"move the file away {other}"
    probe = folder
    if not folder.exists():
        parent = folder.parent
        if exists or not parent.is_dir():
            missing = folder if exists else parent
            return (f"the folder {missing} does not exist",
                    f"create it first (mkdir -p {missing}) {other}")  # fmt: skip
        probe = parent
    try:
        fd, name = tempfile.mkstemp(prefix=".siting-write-test-", dir=probe)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return f"cannot write in {probe} ({why})", f"choose a folder you can write to {other}"
    os.close(fd)
    os.unlink(name)
    return None


@contextlib.contextmanager
def staged_run(out_root: Path, name: str, config_hash: str) -> Iterator[StagedRun]:
    """Stage a run folder and publish it atomically when the block exits cleanly.

    Parameters
    ----------
    out_root
        Folder that holds run folders (created if missing).
    name
        Scenario name (first part of the folder name).
    config_hash
        SHA-256 of the resolved config; its first 8 hex digits end the folder name.

    Yields
    ------
    StagedRun
        ``.path`` is the staging folder to write into; ``.published`` is set after exit.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_root)
    staging = out_root / f"{STAGING_PREFIX}{name}-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    run = StagedRun(staging, out_root, name, config_hash)
    try:
        yield run
        run.publish()
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_staging(out_root: Path) -> list[Path]:
    """Delete staging folders left by killed runs (their process no longer exists).

    A folder's owner is the process id in its name; folders of live processes are kept, so
    concurrent runs in the same folder never disturb each other.
    """
    removed = []
    for p in out_root.glob(f"{STAGING_PREFIX}*"):
        parts = p.name.rsplit("-", 2)
        if len(parts) == 3 and parts[1].isdigit() and not _pid_alive(int(parts[1])):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


class StagedRun:
    """A run folder being written; see :func:`staged_run`."""

    def __init__(self, path: Path, out_root: Path, name: str, config_hash: str) -> None:
        self.path = path
        self.out_root = out_root
        self.name = name
        self.config_hash = config_hash
        self.published: Path | None = None
        self.manifest: dict[str, Any] = {}

    def checksums(self) -> dict[str, str]:
        """SHA-256 of every staged file except the manifest, by relative path."""
        out = {}
        for p in sorted(self.path.rglob("*")):
            if p.is_file() and p.name != MANIFEST:
                out[p.relative_to(self.path).as_posix()] = sha256_file(p)
        return out

    def publish(self) -> Path:
        """Write the manifest (last) and rename the folder into place."""
        self.manifest["files"] = self.checksums()
        write_json(self.path / MANIFEST, self.manifest)
        _fsync_dir(self.path)
        base = f"{self.name}-{utc_stamp()}-{self.config_hash[:8]}"
        for attempt in range(1000):
            target = self.out_root / (base if attempt == 0 else f"{base}-{attempt + 1}")
            if target.exists():
                continue
            try:
                # renaming onto a non-empty folder fails, so two runs can never collide
                os.rename(self.path, target)
            except OSError:
                continue
            self.published = target
            _fsync_dir(self.out_root)
            return target
        raise RuntimeError(f"could not publish run folder under {self.out_root}")


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def is_run_folder(path: Path) -> bool:
    """True for a published run folder (has a manifest, is not staging)."""
    return (
        path.is_dir() and not path.name.startswith(STAGING_PREFIX) and (path / MANIFEST).is_file()
    )


def refresh_checksums(run: Path, files: list[Path]) -> None:
    """Record the new checksums of ``files`` (inside ``run``) after a command rewrote them.

    Only those files change in ``manifest.json`` (with the time in ``files_rewritten``), so
    ``siting verify`` still catches a change to any other file. The manifest is replaced by
    a rename, never half-written.
    """
    path = run / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for f in files:
        rel = f.resolve().relative_to(run.resolve()).as_posix()
        manifest["files"][rel] = sha256_file(f)
        manifest.setdefault("files_rewritten", {})[rel] = utc_iso()
    part = run / f".{MANIFEST}.part"
    write_json(part, manifest)
    os.replace(part, path)


def verify_checksums(run: Path) -> list[str]:
    """Files whose bytes differ from ``manifest.json`` (empty when the folder is intact)."""
    manifest = json.loads((run / MANIFEST).read_text(encoding="utf-8"))
    bad = []
    for rel, digest in manifest.get("files", {}).items():
        p = run / rel
        if not p.is_file() or sha256_file(p) != digest:
            bad.append(rel)
    return bad
