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

from siting.base.errors import ExitCode
from siting.cli import main
from siting.outputs.runfolder import STAGING_PREFIX, sha256_file, verify_checksums
from siting.solve.solvers import SolveResult, SolverStatus


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def start_run(cfg: Path, out: Path, delay: float, *extra: str) -> subprocess.Popen[str]:
    marker = out.parent / f"delaying-{os.getpid()}-{time.time_ns()}"
    helper = Path(__file__).with_name("paused_run.py")
    args = ["run", str(cfg), "--out", str(out), "--quiet", *extra]
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


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_run_stopped_mid_write_keeps_earlier_runs_and_publishes_whole_or_nothing(
    tiny_config, tmp_path, sig
) -> None:
    cfg = tiny_config()
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
    earlier = next(out.iterdir())
    before = snapshot(earlier)

    proc = start_run(cfg, out, 60)
    wait_for_staging(out)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    published = sorted(p for p in out.iterdir() if not p.name.startswith("."))
    assert earlier in published and snapshot(earlier) == before
    assert verify_checksums(earlier) == []
    if sig == signal.SIGKILL:
        assert published == [earlier], "no new run folder may appear"
        # the hidden staging folder is left; the next run removes it
        assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
        assert not list(out.glob(f"{STAGING_PREFIX}*"))
        return
    # a stop while the figures are drawn publishes the plan whole, says so, exits 130
    assert proc.returncode == 130, stderr
    assert "interrupted during writing the figures" in stderr
    (new,) = [p for p in published if p != earlier]
    assert stdout.strip() == str(new)
    assert verify_checksums(new) == []
    assert snapshot(new)["tables/sites.csv"] == before["tables/sites.csv"]
    assert not list(out.glob(f"{STAGING_PREFIX}*"))
    assert not list(new.rglob("*.part"))


def test_discard_on_interrupt_publishes_nothing_mid_write(tiny_config, tmp_path) -> None:
    cfg = tiny_config()
    out = tmp_path / "runs"
    proc = start_run(cfg, out, 60, "--discard-on-interrupt")
    wait_for_staging(out)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "nothing was published" in stderr
    assert not [p for p in out.iterdir() if not p.name.startswith(".")]


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
    # hourly days: at 8 segments a day HiGHS's first heuristics find a plan within 0.5 s
    code = main(["run", str(cfg), "--out", str(tmp_path), "--quiet", "--set",
                 "solver.time_limit_s=0.5", "--set", "weather.segments_per_day=24"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.NO_SOLUTION
    assert "no feasible plan found within the time limit (0.5 s)" in err
    assert not any(tmp_path.iterdir())


def test_solver_error_exits_1_with_the_solvers_message(
    tiny_config, tmp_path, capsys, monkeypatch
) -> None:
    import siting.commands.pipeline

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

    monkeypatch.setattr(siting.commands.pipeline, "solve", broken)
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


@pytest.mark.slow
@pytest.mark.parametrize("after_plan_s", [1.0, 12.0])
def test_ctrl_c_in_branch_and_bound_publishes_the_plan_it_has(tmp_path, after_plan_s) -> None:
    """The policy scenario finds a plan within seconds and then works on its bound for a
    minute, partly in its root's cut rounds, which HiGHS cannot stop: a Ctrl-C at either
    moment publishes the plan it had as ``feasible``, exit 130, re-checked from its tables."""
    import json
    import threading

    from recheck import recheck_run

    out = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "siting", "run", str(REPO / "configs" / "europe-2030-policy.yaml"),
         "--out", str(out)],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "best plan" in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert seen.wait(240), "".join(lines)
    time.sleep(after_plan_s)
    proc.send_signal(signal.SIGINT)
    t = time.monotonic()
    stdout = proc.stdout.read() if proc.stdout else ""
    proc.wait(timeout=60)
    reader.join(timeout=10)
    err = "".join(lines)
    assert proc.returncode == 130, err
    assert time.monotonic() - t < 2.0 + 10.0  # the stop, then the tables (figures skipped)
    assert "interrupted during round 1's solve: published the feasible plan" in err
    run = Path(stdout.strip().splitlines()[-1])
    summary = json.loads((run / "summary.json").read_text())
    assert summary["status"] == "feasible" and summary["stopped_by"] == "interrupt"
    assert 0 < summary["mip_gap"] < 0.05
    assert verify_checksums(run) == []
    recheck_run(run)
