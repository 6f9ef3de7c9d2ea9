"""Infeasible plans give exit 3 and a diagnosis a planner understands, with the key numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_model import night_and_day
from test_solution import hourly_profiles

from siting.cli import main
from siting.solve.diagnosis import explain_infeasible, precheck


def run_cli(cfg: Path, out: Path, *overrides: str) -> tuple[int, Path]:
    args = ["run", str(cfg), "--out", str(out), "--quiet"]
    for o in overrides:
        args += ["--set", o]
    code = main(args)
    return code, out


def only_run(out: Path) -> Path:
    runs = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert len(runs) == 1
    return runs[0]


def test_impossible_target_is_explained_with_numbers(tiny_config, tmp_path) -> None:
    code, out = run_cli(tiny_config(), tmp_path / "runs", "target.increase_pct=1000")
    assert code == 3
    diag = json.loads((only_run(out) / "diagnosis.json").read_text())
    first = diag["findings"][0]
    # baseline 150 MW x 11 = 1,650 MW; new needed 1,500 MW; sites hold 3 x 300 MW
    assert first["numbers"] == {
        "required_new_it_mw": pytest.approx(1500.0),
        "eligible_site_capacity_mw": pytest.approx(900.0),
    }
    assert "1,500 MW" in diag["summary"] and "900 MW" in diag["summary"]


def test_impossible_247_requirement_names_zone_hour_and_shortfall(tiny_config, tmp_path) -> None:
    # only solar in both zones, no storage, no links: every night hour is short
    profiles = [r for r in hourly_profiles() if r["tech"] == "solar"]
    renewables = [
        {"zone_id": "A", "tech": "solar", "potential_mw": 5000.0, "capex_eur_per_mw_yr": 50_000.0},
        {"zone_id": "B", "tech": "solar", "potential_mw": 5000.0, "capex_eur_per_mw_yr": 45_000.0},
    ]
    cfg = tiny_config(
        config={
            "carbon": {"matching": "hourly", "cfe_target": 1.0},
            "storage": {"enabled": False},
            "target": {"increase_pct": 0},
        },
        profiles=profiles,
        renewables=renewables,
        links=[],
    )
    code, out = run_cli(cfg, tmp_path / "runs")
    assert code == 3
    run = only_run(out)
    diag = json.loads((run / "diagnosis.json").read_text())
    assert json.loads((run / "summary.json").read_text())["status"] == "infeasible"
    assert not (run / "tables").exists()
    balance = next(f for f in diag["findings"] if f["check"] == "shortfall_balance")
    # baseline loads: A 100 MW x 1.5 x 0.8 = 120 MW; B 50 x 1.2 x 0.8 = 48 MW. Dark slices
    # (solar CF 0): A has three (d0h0, d1h0, d1h2), B two (d0h0, d1h0), each 1,460 h
    assert balance["numbers"]["largest_shortfall_mw"] == pytest.approx(120.0)
    assert balance["numbers"]["zone_hours_short"] == 5
    assert balance["numbers"]["energy_short_mwh"] == pytest.approx((3 * 120 + 2 * 48) * 1460.0)
    assert "zone A, slice d0h0 short by 120.0 MW" in balance["message"]
    assert any(f["check"] == "iis" and "supply >= load" in f["message"] for f in diag["findings"])


def test_precheck_passes_on_feasible_instances() -> None:
    assert precheck(night_and_day()) == []


def test_elastic_explains_a_country_cap_that_cannot_hold() -> None:
    inst = night_and_day(
        max_country_share=0.5
    )  # one country cannot hold only half of all new capacity
    found = precheck(inst) + explain_infeasible(inst)
    assert found[0].check == "country_share"
    assert any(f.check == "shortfall_share" for f in found)
