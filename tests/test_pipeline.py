"""Nothing lost: killed and interrupted runs, solver outcomes at the CLI, determinism."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from siting.cli import main
from siting.errors import ExitCode
from siting.outputs.runfolder import STAGING_PREFIX, sha256_file, verify_checksums
from siting.solvers import SolveResult, SolverStatus


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def start_run(cfg: Path, out: Path, delay: float) -> subprocess.Popen[str]:
    marker = out.parent / f"delaying-{os.getpid()}-{time.time_ns()}"
    helper = Path(__file__).with_name("paused_run.py")
    args = ["run", str(cfg), "--out", str(out), "--quiet"]
    return subprocess.Popen(
        [sys.executable, str(helper), str(delay), str(marker), *args],
        # A shell's background job ignores SIGINT and children inherit that; give the run the
        # default disposition so Python installs its KeyboardInterrupt handler as in a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_staging(out: Path, timeout: float = 60.0) -> Path:
    """Wait until a run is inside its mid-write pause (its marker exists), not just writing."""
    end = time.time() + timeout
    while time.time() < end:
        staged = [p for p in out.glob(f"{STAGING_PREFIX}*") if (p / "map.png").exists()]
        if staged and list(out.parent.glob("delaying-*")):
            return staged[0]
        time.sleep(0.1)
    raise AssertionError("the run never reached its write step")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_run_killed_mid_write_leaves_earlier_runs_intact(tiny_config, tmp_path, sig) -> None:
    cfg = tiny_config()
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
    earlier = next(out.iterdir())
    before = snapshot(earlier)

    proc = start_run(cfg, out, delay=60)
    wait_for_staging(out)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "nothing was published" in proc.stderr.read()
    published = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert published == [earlier], "no new run folder may appear"
    assert snapshot(earlier) == before
    assert verify_checksums(earlier) == []
    if sig == signal.SIGINT:
        assert not list(out.glob(f"{STAGING_PREFIX}*"))
    # after a hard kill the hidden staging folder is left; the next run removes it
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
    assert not list(out.glob(f"{STAGING_PREFIX}*"))
    assert len([p for p in out.iterdir()]) == 2


def test_two_runs_at_once_never_collide(tiny_config, tmp_path) -> None:
    cfg = tiny_config()
    out = tmp_path / "runs"
    procs = [start_run(cfg, out, delay=0) for _ in range(2)]
    paths = [Path(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert paths[0] != paths[1]
    assert all(verify_checksums(p) == [] for p in paths)


def test_no_solution_within_time_limit_exits_4(tmp_path, capsys) -> None:
    cfg = REPO / "configs" / "europe-2030-247.yaml"
    code = main(
        ["run", str(cfg), "--out", str(tmp_path), "--quiet", "--set", "solver.time_limit_s=0.5"]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.NO_SOLUTION
    assert "no feasible plan found within the time limit (0.5 s)" in err
    assert not any(tmp_path.iterdir())


def test_solver_error_exits_1_with_the_solvers_message(
    tiny_config, tmp_path, capsys, monkeypatch
) -> None:
    import siting.pipeline

    def broken(model, options, say=None, log=None):
        return SolveResult(
            SolverStatus.ERROR,
            "Solve error",
            float("nan"),
            float("nan"),
            float("nan"),
            0.0,
            0.0,
            "highs",
            "x",
            "out of memory",
        )

    monkeypatch.setattr(siting.pipeline, "solve", broken)
    assert (
        main(["run", str(tiny_config()), "--out", str(tmp_path / "runs"), "--quiet"])
        == ExitCode.UNEXPECTED
    )
    err = capsys.readouterr().err
    assert "Solve error" in err and "out of memory" in err and "Traceback" not in err


def test_same_config_and_seed_give_identical_tables(tiny_config, tmp_path) -> None:
    cfg = tiny_config(config={"carbon": {"cfe_target": 0.8}})
    out = tmp_path / "runs"
    for _ in range(2):
        assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
    a, b = sorted(out.iterdir())

    def tables(p: Path) -> dict[str, str]:
        return {
            k: v for k, v in snapshot(p).items() if k.startswith("tables/") or k == "summary.json"
        }

    assert tables(a) == tables(b)
