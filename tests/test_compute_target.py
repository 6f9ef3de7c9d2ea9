"""The target in compute (``target.efficiency_gain_pct_per_yr``): hand-computed optima.

One zone with 10 MW of today's IT (PUE 1, utilisation 1: 10 MW of load), one site at 1,000
EUR/MW/yr per MW of new IT, firm clean supply at 100 EUR/MW/yr. +300 % of compute with new IT
carrying twice today's compute per MW needs 30 / 2 = 15 MW of new IT: 15 x 1,000 + 25 x 100
= 17,500 EUR/yr, against 30 x 1,000 + 40 x 100 = 34,000 when a MW is a MW.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import make_instance
from recheck import recheck_run
from test_flexibility import solved

from siting.cli import main
from siting.config import TargetConfig


def one_zone(compute_per_new_mw: float):
    return make_instance(
        zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0,
        multiplier=4.0, compute_per_new_mw=compute_per_new_mw, site_ids=["s"], site_zone=[0],
        site_capex_eur_per_mw_yr=[1_000.0], site_pue=[1.0], re_tech=["nuclear"], re_zone=[0],
        re_capex_eur_per_mw_yr=[100.0], re_cf=[[1.0]], storage=(),
    )  # fmt: skip


@pytest.mark.parametrize(("per_mw", "new_mw", "cost"), [(1.0, 30.0, 34_000.0),
                                                        (2.0, 15.0, 17_500.0)])  # fmt: skip
def test_new_it_carries_the_added_compute(per_mw: float, new_mw: float, cost: float) -> None:
    inst = one_zone(per_mw)
    assert inst.required_new_mw == pytest.approx(new_mw)
    assert inst.target_total_mw == pytest.approx(10.0 + new_mw)
    res, sol = solved(inst)
    assert res.objective == pytest.approx(cost, rel=1e-9)
    target = sol.summary["target"]
    assert target["compute_multiplier"] == 4.0 and target["compute_per_new_it_mw"] == per_mw
    assert target["load_twh_per_yr"] == pytest.approx((10.0 + new_mw) * 8760 / 1e6)


def test_the_trajectory_compounds_to_the_hardware_year() -> None:
    # 50 %/yr from 2024: the deadline's hardware (2030) 1.5^6, the middle year's 1.5^3
    t = TargetConfig(efficiency_gain_pct_per_yr=50.0)
    assert t.compute_per_new_mw == pytest.approx(1.5**6)
    assert TargetConfig(efficiency_gain_pct_per_yr=50.0, hardware_year=2027).compute_per_new_mw == (
        pytest.approx(1.5**3)
    )
    assert TargetConfig().compute_per_new_mw == 1.0  # today's reading: a MW is a MW


def test_every_run_states_its_target_against_the_projections(tiny_config, tmp_path) -> None:
    # the summary's target block: compute, IT MW and the energy recomputed from zones.csv,
    # set against every row of the shipped projections (IEA and ICIS, 2024 and 2030)
    path = Path(tiny_config())
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    target = summary["target"]
    twh = pd.read_csv(run / "tables" / "zones.csv")["annual_load_mwh"].sum() / 1e6
    assert target["load_twh_per_yr"] == pytest.approx(twh, rel=1e-9)
    assert target["it_mw"] == pytest.approx(summary["target_it_mw"])
    shipped = pd.read_csv(Path(__file__).parents[1] / "siting" / "data" / "projections.csv")
    assert len(target["projections"]) == len(shipped)
    for row, p in zip(shipped.itertuples(), target["projections"], strict=True):
        assert (p["source_key"], p["year"], p["twh"]) == (row.source_key, row.year, row.twh)
        assert p["plan_over_projection"] == pytest.approx(twh / row.twh)


@pytest.mark.parametrize(("key", "value"), [("efficiency_gain_pct_per_yr", -10.0),
                                            ("hardware_year", 2031)])  # fmt: skip
def test_a_bad_trajectory_exits_2_naming_the_key(tiny_config, tmp_path, key, value,
                                                 capsys) -> None:  # fmt: skip
    path = Path(tiny_config())
    raw = yaml.safe_load(path.read_text())
    raw["target"][key] = value
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "target" in err and "Traceback" not in err
    assert key in err or "hardware_year" in err


def test_a_compute_target_run_is_rechecked_from_its_tables(tiny_config, tmp_path) -> None:
    # the recheck recomputes the target from the zones layer and the trajectory: the tiny
    # zones' 150 MW of today's IT x 300 % / 2 (100 %/yr over one year) of new IT
    path = Path(tiny_config(config={"target": {"baseline_year": 2024, "increase_pct": 300,
                                               "deadline_year": 2030,
                                               "efficiency_gain_pct_per_yr": 100.0,
                                               "hardware_year": 2025}}))  # fmt: skip
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["target"]["compute_per_new_it_mw"] == pytest.approx(2.0)
    assert summary["target_it_mw"] == pytest.approx(150.0 + 300 / 100 * 150.0 / 2.0)


def test_the_map_title_states_the_compute_not_the_it_multiple() -> None:
    from siting.plots.run_map import map_title

    summary = {"baseline_it_mw": 10_000.0, "target_it_mw": 19_000.0, "cfe_score": 1.0,
               "target": {"compute_multiplier": 4.0, "compute_per_new_it_mw": 3.375}}  # fmt: skip
    line = map_title(summary, "x").splitlines()[0]
    assert "4 x today's compute" in line and "3.4 x" in line and "2 x" not in line
    summary["target"]["compute_per_new_it_mw"] = 1.0  # a MW is a MW: the IT multiple
    assert "(2 x 10.0 GW today)" in map_title(summary, "x").splitlines()[0]
