"""The benchmark harness: medians over repeats, and one real measurement round trip.

The benchmarks themselves are not tests (speed goals live in ``benchmarks/``); these check that
the harness reports what it measured.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

from report import ratios, summarise, table


def _row(method: str, solve_s: float, **extra: float) -> dict[str, object]:
    row: dict[str, object] = {
        "instance": "medium",
        "method": method,
        "build_s": 1.0,
        "pass_s": 0.5,
        "solve_s": solve_s,
        "peak_mb": 100.0,
        "nonzeros": 10,
        "objective": 1.0,
        "status": "optimal",
    }
    row.update(extra)
    return row


def test_summarise_takes_medians_and_keeps_every_solve() -> None:
    out = {
        "results": [
            _row("siting", 10.0, read_s=0.3),
            _row("matrix", 9.0),
            _row("matrix", 30.0),
            _row("siting", 12.0, read_s=0.1),
            _row("siting", 50.0, read_s=0.2),
            _row("matrix", 11.0),
            {"instance": "medium", "method": "linopy", "error": ["MemoryError"]},
        ]
    }
    rows = {r["method"]: r for r in summarise(out)}
    assert rows["siting"]["solve_s"] == 12.0
    assert rows["siting"]["read_s"] == pytest.approx(0.2)
    assert rows["siting"]["runs"] == 3
    assert rows["siting"]["solve_all"] == [10.0, 12.0, 50.0]
    assert rows["matrix"]["solve_s"] == 11.0
    assert "error" in rows["linopy"]
    text = ratios(out)
    assert "| 1.09 x |" in text  # 12 / 11
    assert "10.0, 12.0, 50.0; 9.0, 30.0, 11.0" in text
    assert table(out).count("| medium |") == 3


@pytest.mark.slow
def test_run_measures_every_repeat_in_fresh_processes(tmp_path) -> None:
    cmd = [
        sys.executable,
        str(REPO / "benchmarks" / "run.py"),
        "--only",
        "tiny",
        "--methods",
        "siting",
        "matrix",
        "--repeat",
        "2",
        "--no-readme",
        "--work",
        str(tmp_path / "work"),
        "--results",
        str(tmp_path / "results"),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600)
    (path,) = (tmp_path / "results").glob("bench-*.json")
    out = json.loads(path.read_text())
    rows = out["results"]
    assert out["repeat"] == 2
    # the order rotates between repeats so drift does not favour one method
    assert [(r["repeat"], r["method"]) for r in rows] == [
        (0, "siting"),
        (0, "matrix"),
        (1, "matrix"),
        (1, "siting"),
    ]
    objectives = {round(r["objective"], 2) for r in rows}
    assert len(objectives) == 1
    for r in rows:
        assert r["solve_s"] > 0 and r["peak_mb"] > 0 and r["minor_faults"] >= 0
        assert r["build_warm_s"] > 0 and r["nodes"] >= 1
    siting = [r for r in rows if r["method"] == "siting"]
    matrix = [r for r in rows if r["method"] == "matrix"]
    # siting hands HiGHS the same matrix as the direct build
    assert {(r["columns"], r["rows"], r["nonzeros"]) for r in siting} == {
        (r["columns"], r["rows"], r["nonzeros"]) for r in matrix
    }


def test_periods_fits_the_exponent_and_draws_the_series(tmp_path) -> None:
    import periods

    # time = 3 * days^1.5 exactly: the fit gives 1.5 back
    days = [12, 24, 48]
    assert periods.fitted_exponent(days, [3 * d**1.5 for d in days]) == pytest.approx(1.5)
    rows = [
        {"series": "linked", "days": d, "status": "optimal", "solve_s": 3 * d**1.5 * f}
        for d in days
        for f in (0.9, 1.0, 1.2)  # the median of each is the middle one
    ] + [{"series": "linked", "days": 96, "status": "feasible", "solve_s": 1.0}]
    path = tmp_path / "periods.png"
    periods.figure(rows, path)
    assert path.stat().st_size > 10_000  # a real PNG, drawn from the optimal solves only


def test_periods_times_a_guarantee_run_and_reads_its_rounds(tmp_path) -> None:
    """The ``guarantee`` series on the tiny calm-spell year of tests/test_guarantee.py."""
    import periods
    from test_guarantee import spell_config

    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.001)
    record = periods.guarantee_run(cfg)
    assert record["exit_code"] == 0 and record["met"] is True
    assert len(record["rounds"]) >= 2  # the spell is added in a second round
    assert record["cfe_full_year"] >= 0.999
    assert record["wall_s"] > sum(r["solve_s"] + r["check_s"] for r in record["rounds"])
