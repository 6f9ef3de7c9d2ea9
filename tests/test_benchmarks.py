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


def _speed_rows() -> list[dict[str, object]]:
    solve = {"termination": "optimal", "algorithm": "hipo", "mip_gap": 1e-4}
    rows: list[dict[str, object]] = []
    for sc, warnings, times in ((True, 0, (10.0, 12.0)), (False, 5, (11.0, 30.0))):
        for t in times:
            rows.append(solve | {"series": "scaling", "config": "europe-2030", "scaling": sc,
                                 "solve_s": t, "objective": 5.0e10 * (1 + 1e-9 * sc),
                                 "columns": 50, "integers": 4, "scaling_warnings": warnings,
                                 "status": "optimal"})  # fmt: skip
    for d in (12, 24, 48):
        for f in (0.9, 1.0, 1.2):
            rows.append(solve | {"series": "linked", "days": d, "status": "optimal",
                                 "solve_s": 2 * d**1.3 * f, "columns": d, "rows": d,
                                 "objective": 6e10})  # fmt: skip
    rows.append(solve | {"series": "linked", "days": 96, "status": "time_limit", "solve_s": 1e4,
                         "columns": 96, "rows": 96, "objective": 7e10})  # fmt: skip
    return rows


def test_speed_report_takes_medians_and_fits_only_finished_solves(tmp_path) -> None:
    import speed_report

    rows = _speed_rows()
    text, k = speed_report.linked_table([r for r in rows if r["series"] == "linked"])
    assert k == pytest.approx(1.3)  # the stopped 96-day solve is shown, not fitted
    assert "| 96 |" in text and "time_limit" in text
    table = speed_report.scaling_table([r for r in rows if r["series"] == "scaling"])
    assert "| 5 / 0 |" in table  # warnings without / with scaling
    assert "| 11.0, 30.0 | 10.0, 12.0 | 0.54 x |" in table  # medians 11 / 20.5
    path = tmp_path / "periods.png"
    assert speed_report.figure([r for r in rows if r["series"] == "linked"], path) == k
    assert path.stat().st_size > 10_000


def test_speed_solves_a_shipped_config_and_reads_highs_log_for_warnings() -> None:
    """One child of the scaling series, on the annual default: timings, optimum, warnings."""
    import speed

    on = speed.solve_child(REPO / "configs" / "europe-2030.yaml",
                           ["solver.scaling=true", "weather.representative_days=2"])  # fmt: skip
    off = speed.solve_child(REPO / "configs" / "europe-2030.yaml",
                            ["solver.scaling=false", "weather.representative_days=2"])  # fmt: skip
    assert on["status"] == off["status"] == "optimal"
    assert on["scaling_warnings"] == 0 < off["scaling_warnings"]
    assert on["scaling_exponents"] != [0, 0] and off["scaling_exponents"] == [0, 0]
    assert on["objective"] == pytest.approx(off["objective"], rel=2 * max(on["mip_gap"], 1e-9))
    assert on["solve_s"] > 0 and on["build_s"] > 0 and on["periods"] == 2


def test_versions_reports_medians_side_by_side_and_reads_either_layout(tmp_path) -> None:
    """``benchmarks/versions.py``: medians per config and version with head / base ratios, and
    the measured functions found in this checkout's layout (the stage packages of issue 31)."""
    import versions

    rows = [
        {"kind": "solve", "version": v, "config": "c", "read_s": 1.0, "build_s": b,
         "pass_s": 0.1, "solve_s": s, "objective": 5.0}
        for v, b, s in (("base", 1.0, 10.0), ("base", 3.0, 30.0), ("head", 2.0, 22.0),
                        ("head", 2.0, 22.0))
    ]  # fmt: skip
    text = versions.table(rows)
    assert "| c | 1.00 / 1.00 (1.00x) | 2.00 / 2.00 (1.00x) | 0.10 / 0.10 (1.00x) | " \
           "20.00 / 22.00 (1.10x) |" in text  # fmt: skip
    assert {"pipeline", "solvers", "fullyear", "years"} <= set(versions._siting())


def test_segments_table_takes_medians_and_fits_the_exponent() -> None:
    import segments

    def rec(seg: int, linking: str, solve_s: float, objective: float, bound: float) -> dict:
        return {"segments": seg, "linking": linking, "columns": 10 * seg, "rows": 5 * seg,
                "solve_s": solve_s, "check_s": 2.0, "objective": objective, "best_bound": bound,
                "mip_gap": 0.001, "cfe_full_year": 0.99}  # fmt: skip

    records = [rec(24, "chronological", t, 100.0, 99.0) for t in (30.0, 40.0, 50.0)]
    records += [
        rec(12, "chronological", 20.0, 99.5, 98.0),
        rec(8, "chronological", 10.0, 99.0, 97.0),
    ]
    records.append(rec(8, "per_period", 1.0, 104.0, 103.0))
    text = segments.table(records)
    assert "| chronological | 24 | 240 | 120 | 40.0 |" in text  # the median of three solves
    assert "+1.01 %" in text  # 100 against the best bound of the linked runs (99)
    assert "| per_period | 8 |" in text and "+5.05 %" in text
    # 10, 20, 40 s at 8, 12, 24 slices: the least-squares slope of log time on log slices
    import numpy as np

    slope = np.polyfit(np.log([8, 12, 24]), np.log([10.0, 20.0, 40.0]), 1)[0]
    assert f"fitted exponent {slope:.2f} over 3 sizes" in text


def test_segments_child_solves_and_checks_a_plan(tmp_path) -> None:
    """One case of benchmarks/segments.py, in its own process, on the tiny 24/7 year."""
    from test_weather import hourly_config

    cfg = hourly_config(tmp_path)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "segments.py"), "--child", "6", "chronological",
         str(cfg)], capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout.strip().splitlines()[-1])
    assert rec["segments"] == 6 and rec["slices"] % 6 == 0 and rec["status"] == "optimal"
    # segments average each day's shape away: the plan misses some of the real hours
    assert rec["check_s"] > 0 and 0.9 <= rec["cfe_full_year"] < 1.0
    assert rec["best_bound"] <= rec["objective"] * (1 + 1e-9)
