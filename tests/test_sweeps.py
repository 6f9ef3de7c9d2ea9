"""Sweeps on real Dask clusters: failures isolated, resume, remote scheduler, validation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import tiny_layers, write_config

from siting.cli import main
from siting.outputs.runfolder import verify_checksums

pytest.importorskip("distributed")


def make_sweep(folder: Path, body: dict) -> Path:
    layers = {k: f"data/{v}" for k, v in tiny_layers(folder / "data").items()}
    write_config(folder, layers)
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({"name": "tiny-sweep", "base": "config.yaml", **body}))
    return path


SCENARIOS = {
    "scenarios": [
        {"name": "plain", "set": {}},
        {"name": "cfe80", "set": {"carbon.cfe_target": 0.8}},
        {"name": "impossible", "set": {"target.increase_pct": 5000}},
        {"name": "killer", "set": {"economics.carbon_price_eur_per_t": 50}},
    ]
}


def _dies_on_killer(*args: Any) -> dict[str, Any]:
    """The sweep task, except that the worker process dies on the scenario 'killer'."""
    import os

    from siting.commands.sweeps import run_scenario

    if args[-1] == "killer":
        os._exit(17)
    return run_scenario(*args)


def test_local_cluster_isolates_a_killed_worker_and_an_infeasible_scenario(
    tmp_path, monkeypatch, capsys
) -> None:
    import cloudpickle

    import siting.commands.sweeps

    # workers import siting, not this test module: send the wrapper itself
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(siting.commands.sweeps, "run_scenario", _dies_on_killer)
    sweep = make_sweep(tmp_path, SCENARIOS)
    code = main(["sweep", str(sweep), "--workers", "2", "--out", str(tmp_path / "runs")])
    captured = capsys.readouterr()
    assert code == 5
    table = pd.read_csv(tmp_path / "runs" / "tiny-sweep" / "sweep.csv").set_index("scenario")
    assert table.loc["plain", "status"] == "optimal" and table.loc["cfe80", "status"] == "optimal"
    assert table.loc["impossible", "status"] == "infeasible"
    assert "eligible candidate sites can take only 900 MW" in table.loc["impossible", "reason"]
    assert (
        table.loc["killer", "status"] == "failed" and "worker died" in table.loc["killer", "reason"]
    )
    assert "failed: killer" in captured.err and "failed: impossible" in captured.err
    for run in table.loc[["plain", "cfe80"], "run"]:
        assert verify_checksums(Path(run)) == []
    assert (tmp_path / "runs" / "tiny-sweep" / "sweep.png").is_file()


def test_grid_expands_and_resume_skips_solved(tmp_path, capsys) -> None:
    sweep = make_sweep(
        tmp_path, {"grid": {"carbon.cfe_target": [0.8, 1.0], "target.increase_pct": [100, 200]}}
    )
    assert (
        main(["sweep", str(sweep), "--workers", "2", "--out", str(tmp_path / "runs"), "--quiet"])
        == 0
    )
    folder = tmp_path / "runs" / "tiny-sweep"
    table = pd.read_csv(folder / "sweep.csv")
    assert len(table) == 4 and set(table["status"]) == {"optimal"}
    assert set(table.columns) >= {
        "carbon.cfe_target",
        "target.increase_pct",
        "cost_per_mwh_load_eur",
        "sites_built",
        "run",
    }
    runs_before = sorted(p.name for p in folder.iterdir() if p.is_dir())
    capsys.readouterr()
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "runs")]) == 0
    captured = capsys.readouterr()
    assert "4 already solved, 0 to run" in captured.err
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == runs_before
    assert pd.read_csv(folder / "sweep.csv")["resumed"].all()


def test_every_scenario_is_validated_before_anything_runs(tmp_path, capsys) -> None:
    sweep = make_sweep(
        tmp_path, {"grid": {"carbon.cfe_target": [0.9, 1.7], "carbon.matchingg": ["annual"]}}
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert "carbon.matchingg" in err and "1.7" in err
    assert not (tmp_path / "runs").exists()


def test_bad_sweep_file(tmp_path, capsys) -> None:
    sweep = make_sweep(
        tmp_path, {"grid": {"carbon.cfe_target": [0.9]}, "scenarios": [{"name": "x"}]}
    )
    assert main(["sweep", str(sweep)]) == 2
    assert "exactly one of 'grid'" in capsys.readouterr().err


def test_remote_scheduler_by_address(tmp_path, capsys) -> None:
    """A separately started scheduler and worker on loopback, reached through --scheduler."""
    sched_file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        end = time.time() + 60
        while not sched_file.exists() and time.time() < end:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dask",
                    "worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--name",
                    "remote-worker",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        sweep = make_sweep(
            tmp_path,
            {
                "scenarios": [
                    {"name": "a", "set": {}},
                    {"name": "b", "set": {"carbon.cfe_target": 0.9}},
                ]
            },
        )
        from distributed import Client

        with Client(address, timeout="30s") as c:
            c.wait_for_workers(1, timeout=60)
        code = main(["sweep", str(sweep), "--scheduler", address, "--out", str(tmp_path / "runs")])
        err = capsys.readouterr().err
        assert code == 0, err
        assert f"dask: {address} with 1 worker processes" in err
        table = pd.read_csv(tmp_path / "runs" / "tiny-sweep" / "sweep.csv")
        assert set(table["status"]) == {"optimal"}
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)


def test_nested_kpis_reach_the_sweep_table() -> None:
    # flexible load's fields sit under "flexibility" in summary.json; a flat run has none
    from siting.base.summary import RunSummary
    from siting.commands.sweeps import KPI_COLUMNS, _kpis

    assert {"flexibility.temporal_share", "flexibility.shifted_mwh"} <= set(KPI_COLUMNS)
    flexible = _kpis(RunSummary({"objective_eur_per_yr": 5.0,
                                 "flexibility": {"temporal_share": 0.2, "shifted_mwh": 7.0}}))  # fmt: skip
    assert flexible["objective_eur_per_yr"] == 5.0 and flexible["flexibility.shifted_mwh"] == 7.0
    flat = _kpis(RunSummary({"objective_eur_per_yr": 5.0, "flexibility": None}))
    assert flat["flexibility.shifted_mwh"] is None


def test_a_swept_key_that_is_also_a_kpi_keeps_its_value() -> None:
    # a flat run reports no flexibility, yet its row shows the share it was asked for
    from siting.commands.sweeps import Scenario, table_row

    sc = Scenario("p1-flex0", {"flexibility.temporal_share": 0}, [], {"palette": "p1"})
    row = table_row(sc, {"status": "optimal", "flexibility.temporal_share": None,
                         "flexibility.shifted_mwh": None})  # fmt: skip
    assert row["flexibility.temporal_share"] == 0 and row["palette"] == "p1"
    assert row["status"] == "optimal" and row["flexibility.shifted_mwh"] is None
