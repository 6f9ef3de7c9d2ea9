"""Flexible data-centre load (``flexibility.temporal_share``): hand-computed optima.

The day/night instance: one zone, a flat 10 MW load (20 MW of IT at utilisation 0.5, PUE 1),
one representative day of two one-hour slices, sun (solar cf 1) then night (cf 0), each
standing for 365 hours. Solar costs 1,000 EUR/MW/yr; a lossless battery 300 EUR/MW/yr of
power and 200 EUR/MWh/yr of energy; CFE 100 %. Without flexibility the night's 10 MW come
from a 10 MW / 10 MWh battery charged by 10 MW more solar: 20 x 1,000 + 10 x (300 + 200) =
25,000 EUR/yr. With 20 % of the load flexible, 2 MW move into the sun: the night needs 8 MW
(battery 8 MW / 8 MWh) and the day 12 MW plus 8 MW of charging, the same 20 MW of solar:
20,000 + 8 x 500 = 24,000, i.e. the 2 MW / 2 MWh of battery saved (1,000 EUR/yr).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_instance
from recheck import recheck_run
from test_long_duration import palette_config

from siting.cli import main
from siting.config import SolverConfig
from siting.fullyear.dispatch import Plan, solve_dispatch, year_horizon
from siting.instance import StorageOption
from siting.model import build_model
from siting.model.flexibility import flexible_sizes, movable_sizes, ranges
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(name="highs", time_limit_s=60, mip_gap=0.0, threads=1, seed=0)
BATTERY = StorageOption("battery", "Battery", 200.0, 300.0, 1.0)


def day_night(share: float, utilisation: float = 0.5, **kw):
    fields = dict(
        zone_ids=["A"], baseline_it_mw=[10.0 / utilisation], baseline_pue=[1.0],
        utilisation=utilisation, multiplier=1.0, re_tech=["solar"], re_zone=[0],
        re_capex_eur_per_mw_yr=[1_000.0], re_cf=[[1.0, 0.0]], slice_ids=["d00h00", "d00h01"],
        period=[0, 0], weight_h=[365.0, 365.0], storage=(BATTERY,),
        grid_cost_eur_per_mwh=[1e6], temporal_share=share,
    )  # fmt: skip
    fields.update(kw)
    return make_instance(**fields)


def solved(inst):
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return res, extract_solution(model, res)


def test_a_flat_load_needs_the_whole_night_from_the_battery() -> None:
    res, _ = solved(day_night(0.0))
    assert res.objective == pytest.approx(25_000.0, rel=1e-9)


def test_shifting_a_fifth_of_the_load_into_the_sun_saves_the_computed_battery() -> None:
    res, sol = solved(day_night(0.2))
    assert res.objective == pytest.approx(24_000.0, rel=1e-9)
    z = sol.zones.set_index("zone_id").loc["A"]
    assert z["battery_mw"] == pytest.approx(8.0) and z["battery_mwh"] == pytest.approx(8.0)
    d = sol.dispatch.set_index("slice")
    assert d["shift_mw"].to_numpy() == pytest.approx([2.0, -2.0])
    assert d["served_load_mw"].to_numpy() == pytest.approx([12.0, 8.0])


def test_load_cannot_rise_above_full_use_of_its_it() -> None:
    # at utilisation 0.9 the IT can draw at most 1 / 0.9 of its average load: 1.11 MW more,
    # so 1.11 MW move (not 2): battery 8.89 MW / 8.89 MWh
    up, down = ranges(day_night(0.2, utilisation=0.9))
    assert up == pytest.approx(1 / 0.9 - 1) and down == pytest.approx(0.2)
    res, _ = solved(day_night(0.2, utilisation=0.9))
    moved = 10.0 * (1 / 0.9 - 1)
    assert res.objective == pytest.approx(20_000 + (10 - moved) * 500, rel=1e-9)


def test_a_day_of_segments_conserves_energy_by_their_hours() -> None:
    # the same day as two segments of 12 h each (weights of one day each): shares and
    # savings per MW are the same, and the battery's energy is per 12 h
    inst = day_night(0.2, weight_h=[1.0, 1.0])
    inst = _with_durations(inst, [12.0, 12.0])
    res, sol = solved(inst)
    # 12 MW by day (12 h) + 8 MW x 12 h charging; night 8 MW x 12 h from the battery
    # cost per year at a weight of one day: solar 20 x 1,000, battery 8 x 300 + 96 x 200
    assert res.objective == pytest.approx(20_000 + 8 * 300 + 96 * 200, rel=1e-9)
    d = sol.dispatch.set_index("slice")
    assert (d["shift_mw"] * d["duration_h"]).sum() == pytest.approx(0.0, abs=1e-6)


def _with_durations(inst, hours):
    import dataclasses

    return dataclasses.replace(
        inst, time=dataclasses.replace(inst.time, duration_h=np.asarray(hours, float))
    )


# --- the full-year check re-optimises the shifting over every hour --------------------


def _plan(inst, solar_mw: float, battery_mw: float, battery_mwh: float) -> Plan:
    load = np.array([10.0])
    sizes = {("it", ()): np.zeros(0), ("r", ()): np.array([solar_mw]),
             ("se", (0,)): np.array([battery_mwh]), ("sp", (0,)): np.array([battery_mw]),
             **flexible_sizes(inst, load)}  # fmt: skip
    return Plan(sizes, ["A"], load, np.array([0.5]), ["battery"])


def _sunny_days(n_days: int) -> dict[int, np.ndarray]:
    return {0: np.tile(np.r_[np.ones(12), np.zeros(12)], n_days)}


@pytest.mark.parametrize(("share", "residual"), [(0.0, 24.0), (0.2, 0.0)])
def test_the_check_shifts_load_within_each_real_day(share: float, residual: float) -> None:
    # 20 MW of solar for 12 sunny hours, a battery of 8 MW / 96 MWh: with 20 % flexible load
    # the nights need 8 MW x 12 h and nothing is left; flat, 2 MW x 12 h a day are short
    inst = day_night(share)
    plan = _plan(inst, 20.0, 8.0, 96.0)
    hz = year_horizon(plan, _sunny_days(3), 72)
    d = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=1)
    assert d.grid_mw.sum() == pytest.approx(3 * residual, abs=1e-6)


def test_the_checks_windows_start_on_whole_days() -> None:
    # with flexible load the warm-start windows cut between days, and the whole year
    # solved from their stitched basis has the cold optimum
    inst = day_night(0.2)
    plan = _plan(inst, 19.0, 8.0, 90.0)
    rng = np.random.default_rng(3)
    cf = {0: np.tile(np.r_[np.ones(12), np.zeros(12)], 20) * rng.uniform(0.7, 1.0, 480)}
    hz = year_horizon(plan, cf, 480)
    cold = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=1)
    warm = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=7)
    assert warm.warm
    assert warm.grid_mw.sum() == pytest.approx(cold.grid_mw.sum(), rel=1e-9)
    assert cold.grid_mw.sum() > 1.0  # the test has something to shift


# --- through the command line, re-checked from the output tables -----------------------


def test_a_flexible_run_is_rechecked_from_its_tables(tmp_path: Path) -> None:
    # the long-duration tests' tiny year (two zones, a calm spell), batteries only, 20 % of
    # the load flexible in time and 10 % between the zones, with the full-year guarantee: the
    # recheck rebuilds the balance with the load served, each day's and each hour's energy
    # and the ranges from the tables and the inputs alone
    cfg = palette_config(tmp_path, {})
    raw = yaml.safe_load(cfg.read_text())
    raw["flexibility"] = {"temporal_share": 0.2, "spatial_share": 0.1}
    raw["carbon"].update({"guarantee": "full_year", "cfe_target": 0.99})
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    d = pd.read_csv(run / "tables" / "dispatch.csv")
    assert d["shift_mw"].abs().max() > 0.1 and d["moved_mw"].abs().max() > 0.1  # load moved
    summary = json.loads((run / "summary.json").read_text())
    assert summary["cfe_score_full_year"] >= 0.99 - 0.001 - 1e-6


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_zero_and_one_exits_2(tmp_path: Path, share: float, capsys) -> None:
    cfg = palette_config(tmp_path, {})
    raw = yaml.safe_load(cfg.read_text())
    raw["flexibility"] = {"temporal_share": share}
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "flexibility.temporal_share" in err and "Traceback" not in err


def test_flexibility_in_a_run_of_one_annual_slice_exits_2(tmp_path: Path, capsys) -> None:
    cfg = palette_config(tmp_path, {})
    raw = yaml.safe_load(cfg.read_text())
    raw["flexibility"] = {"temporal_share": 0.2}
    raw["carbon"] = {"matching": "annual", "cfe_target": 1.0, "annual_accounting": "netted"}
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "flexibility.temporal_share" in err and "carbon.matching: hourly" in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


# --- spatial: load moves between zones within the hour -------------------------------------


def two_windy_zones(share: float, utilisation: float = 0.5, temporal: float = 0.0):
    """Zones A and B, 10 MW each, no link between them; two one-slice days (4,380 h each): A
    windy and B calm, then the other way round. Wind 1,000 EUR/MW/yr, firm supply 100,000.
    A one-slice day gives temporal flexibility nothing to shift."""
    return make_instance(
        zone_ids=["A", "B"], baseline_it_mw=[10.0 / utilisation] * 2, baseline_pue=[1.0, 1.0],
        utilisation=utilisation, multiplier=1.0,
        re_tech=["onshore_wind", "onshore_wind", "nuclear", "nuclear"], re_zone=[0, 1, 0, 1],
        re_capex_eur_per_mw_yr=[1_000.0, 1_000.0, 100_000.0, 100_000.0],
        re_cf=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], slice_ids=["d00h00", "d01h00"],
        period=[0, 1], weight_h=[4380.0, 4380.0], storage=(), grid_cost_eur_per_mwh=[1e6, 1e6],
        spatial_share=share, temporal_share=temporal,
    )  # fmt: skip


def test_without_moves_each_calm_zone_needs_firm_supply() -> None:
    res, _ = solved(two_windy_zones(0.0))
    assert res.objective == pytest.approx(2 * 10 * 100_000, rel=1e-9)
    res, _ = solved(two_windy_zones(0.0, temporal=0.2))  # one slice a day: nothing to shift
    assert res.objective == pytest.approx(2 * 10 * 100_000, rel=1e-9)


def test_moving_a_fifth_of_the_load_to_the_windy_zone_saves_the_computed_firm_supply() -> None:
    # each hour 2 MW move from the calm zone to the windy one: the calm zone's 8 MW come from
    # 8 MW of firm supply, the windy zone's 12 from its 8 MW of firm and 4 MW of wind:
    # 2 x (8 x 100,000 + 4 x 1,000) = 1,608,000 against 2,000,000
    res, sol = solved(two_windy_zones(0.2))
    assert res.objective == pytest.approx(2 * (8 * 100_000 + 4 * 1_000), rel=1e-9)
    d = sol.dispatch.set_index(["zone_id", "slice"])
    assert d.loc[("A", "d00h00"), "moved_mw"] == pytest.approx(2.0)
    assert d.loc[("B", "d00h00"), "moved_mw"] == pytest.approx(-2.0)
    assert d["moved_mw"].groupby(level=1).sum().to_numpy() == pytest.approx([0.0, 0.0])
    assert sol.summary["flexibility"]["moved_mwh"] == pytest.approx(2 * 2 * 4380.0)


def test_load_moved_in_stays_within_the_its_headroom() -> None:
    # at utilisation 0.9 a zone takes in at most 1.11 MW (its IT at full use): 8.89 MW firm
    moved = 10.0 * (1 / 0.9 - 1)
    res, _ = solved(two_windy_zones(0.2, utilisation=0.9))
    assert res.objective == pytest.approx(
        2 * ((10 - moved) * 100_000 + 2 * moved * 1_000), rel=1e-9
    )


def test_moves_and_shifts_share_the_headroom() -> None:
    # the day/night zone with a neighbour: with both levers, what a zone takes in (shifted
    # into the sun plus moved in) never exceeds 1 / u - 1 of its load
    inst = two_windy_zones(0.2, utilisation=0.9, temporal=0.2)
    _, sol = solved(inst)
    d = sol.dispatch
    head = (1 / 0.9 - 1) * d["load_mw"] + 1e-6
    assert (d["shift_mw"].clip(lower=0) + d["moved_mw"].clip(lower=0) <= head).all()


def test_the_check_moves_load_between_zones_hour_by_hour() -> None:
    # the plan of the saving test over four real days alternating: nothing is short
    inst = two_windy_zones(0.2)
    load = np.array([10.0, 10.0])
    sizes = {("it", ()): np.zeros(0), ("r", ()): np.array([4.0, 4.0, 8.0, 8.0]),
             **movable_sizes(inst, load)}  # fmt: skip
    plan = Plan(sizes, ["A", "B"], load, np.array([0.5, 0.5, 1.0, 1.0]), [])
    a = np.tile(np.r_[np.ones(24), np.zeros(24)], 2)
    hz = year_horizon(plan, {0: a, 1: 1 - a}, 96)
    d = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=4)
    assert d.grid_mw.sum() == pytest.approx(0.0, abs=1e-6)
    flat = Plan({k: v for k, v in sizes.items() if k[0] not in ("gi", "go")}, ["A", "B"], load,
                plan.annual_cf, [])  # fmt: skip
    inst0 = two_windy_zones(0.0)
    d0 = solve_dispatch(inst0, flat, hz, options={"solver": "simplex"}, warm_blocks=1)
    assert d0.grid_mw.sum() == pytest.approx(2 * 48 * 2.0, rel=1e-9)  # 2 MW short per calm hour


def test_the_zones_table_and_map_tips_say_how_much_load_moved() -> None:
    from siting.plots.interactive import _zone_tip

    _, sol = solved(two_windy_zones(0.2, temporal=0.0))
    z = sol.zones.set_index("zone_id")
    # 2 MW in for 4,380 h and 2 MW out for 4,380 h, each zone
    assert z["moved_in_mwh"].to_numpy() == pytest.approx([8760.0, 8760.0])
    assert z["moved_out_mwh"].to_numpy() == pytest.approx([8760.0, 8760.0])
    tip = _zone_tip({**sol.zones.iloc[0].to_dict(), "name": "A"}, {})
    assert "load moved in from other zones" in tip and "out" in tip


def test_inference_within_a_latency_budget_stays_put() -> None:
    # zones A (10 MW IT existing) and B (40 MW IT), utilisation 0.5, PUE 1: 5 and 20 MW of load.
    # 10 MW of new IT must go to site a in A, the only one within demand D's budget, and all of
    # it serves D's inference: 5 MW of A's 10 MW of load stays in A. With 20 % movable, A moves
    # 1 MW (not 2) each hour: firm supply 9 MW in A and 19 in B, wind 2 MW in each:
    # 28 x 100,000 + 4 x 1,000 = 2,804,000 EUR/yr (2,608,000 if inference could move too)
    inst = make_instance(
        zone_ids=["A", "B"], baseline_it_mw=[10.0, 40.0], baseline_pue=[1.0, 1.0],
        utilisation=0.5, multiplier=1.2, site_ids=["a", "b"], site_zone=[0, 1],
        site_pue=[1.0, 1.0], site_capex_eur_per_mw_yr=[0.0, 0.0],
        re_tech=["onshore_wind", "onshore_wind", "nuclear", "nuclear"], re_zone=[0, 1, 0, 1],
        re_capex_eur_per_mw_yr=[1_000.0, 1_000.0, 100_000.0, 100_000.0],
        re_cf=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], slice_ids=["d00h00", "d01h00"],
        period=[0, 1], weight_h=[4380.0, 4380.0], storage=(), grid_cost_eur_per_mwh=[1e6, 1e6],
        spatial_share=0.2, demand_ids=["D"], demand_it_mw=np.array([10.0]),
        demand_budget_ms=np.array([5.0]), rtt_ms=np.array([[1.0, 50.0]]),
    )  # fmt: skip
    res, sol = solved(inst)
    assert res.objective == pytest.approx(28 * 100_000 + 4 * 1_000, rel=1e-9)
    d = sol.dispatch.set_index(["zone_id", "slice"])
    assert d.loc[("A", "d01h00"), "moved_mw"] == pytest.approx(-1.0)
    assert d.loc[("A", "d00h00"), "moved_mw"] == pytest.approx(1.0)
