"""Interruptible load (``flexibility.interruptible_share``): hand-computed optima.

The grid's headroom below its peak: 3 MW in 8,700 hours of the year, none in the 60 peak
hours. At a curtailment share of 1 % (87.6 h of its energy), the most interruptible load is
the root of ``60 x + 8,700 (x - 3) = 0.01 x 8,760 x``: x = 26,100 / 8,672.4 = 3.0096 MW.

The siting instance: zones A and B, no link, 10 MW of new IT to place (PUE 1, utilisation
1) and A's 10 MW of existing load; firm clean supply at 100 EUR/MW/yr in A and 1,000 in B;
A's grid hosts 6 MW of new load. Without interruptible load: 6 MW in A and 4 MW in B,
16 x 100 + 4 x 1,000 = 5,600 EUR/yr. With it, at 1 EUR/MWh of lost compute: up to 3 MW each
MW is curtailed in the 60 peak hours (60 EUR/yr) and saves 900 EUR/yr of supply; above 3 MW
every hour curtails it (8,760 EUR/yr): 3 MW more go to A, 19 x 100 + 1 x 1,000 + 3 x 60 =
3,080 EUR/yr.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_instance
from hypothesis import given, settings
from hypothesis import strategies as st
from recheck import recheck_run
from test_flexibility import solved
from test_long_duration import palette_config

from siting.cli import main
from siting.config import SolverConfig
from siting.fullyear.dispatch import (
    Plan,
    block_headroom,
    coarse_dispatch,
    coarse_year,
    solve_dispatch,
    year_horizon,
)
from siting.instance.headroom import curtailed_share, grid_headroom, interruptible_capacity
from siting.model.interruptible import curtailment_pieces

EXACT = SolverConfig(name="highs", time_limit_s=60, mip_gap=0.0, threads=1, seed=0)
PEAK_HOURS = 60
HEADROOM = np.r_[np.zeros(PEAK_HOURS), np.full(8760 - PEAK_HOURS, 3.0)]
CAP = 26_100 / (8_760 - 87.6)


def test_the_most_interruptible_load_curtails_exactly_its_share() -> None:
    assert interruptible_capacity(HEADROOM, 0.01) == pytest.approx(CAP, rel=1e-12)
    assert curtailed_share(HEADROOM, CAP) == pytest.approx(0.01, rel=1e-12)
    # at 0.5 % the 60 peak hours alone (0.68 %) take more than the share: none
    assert interruptible_capacity(HEADROOM, 0.005) == 0.0
    assert interruptible_capacity(HEADROOM, 0.0) == 0.0


def test_headroom_is_the_peak_less_each_hour() -> None:
    load = np.array([[5.0, 8.0, 6.0], [np.nan, np.nan, np.nan]])
    head = grid_headroom(load)
    assert head[0] == pytest.approx([3.0, 0.0, 2.0])
    assert np.isnan(head[1]).all()


def two_zones(share: float, **kw):
    fields = dict(
        zone_ids=["A", "B"], baseline_it_mw=[10.0, 0.0], baseline_pue=[1.0, 1.0],
        utilisation=1.0, multiplier=2.0, site_ids=["sA", "sB"], site_zone=[0, 1],
        site_capex_eur_per_mw_yr=[0.0, 0.0], site_pue=[1.0, 1.0], max_it_mw=[100.0, 100.0],
        re_tech=["firm", "firm"], re_zone=[0, 1], re_capex_eur_per_mw_yr=[100.0, 1_000.0],
        re_cf=[[1.0, 1.0], [1.0, 1.0]], slice_ids=["d00h00", "d00h01"], period=[0, 0],
        weight_h=[4380.0, 4380.0], storage=(), grid_cost_eur_per_mwh=[1e6, 1e6],
        hosting_mw=np.array([6.0, np.inf]), interruptible_share=share,
        lost_compute_eur_per_mwh=1.0,
        grid_headroom_mw=np.vstack([HEADROOM, np.full(8760, np.nan)]),
        interruptible_mw=np.array([interruptible_capacity(HEADROOM, share), 0.0]),
    )  # fmt: skip
    fields.update(kw)
    return make_instance(**fields)


def test_a_full_grid_sends_the_rest_to_the_dear_zone() -> None:
    res, sol = solved(two_zones(0.0))
    assert res.objective == pytest.approx(5_600.0, rel=1e-9)
    assert "interrupted_mw" not in sol.dispatch.columns


def test_interruptible_load_unlocks_the_hosting_limit() -> None:
    res, sol = solved(two_zones(0.01))
    assert res.objective == pytest.approx(3_080.0, rel=1e-9)
    z = sol.zones.set_index("zone_id")
    assert z.loc["A", "new_it_mw"] == pytest.approx(9.0)
    assert z.loc["A", "interruptible_mw"] == pytest.approx(3.0)
    assert z.loc["A", "interrupted_mwh"] == pytest.approx(180.0)  # 3 MW x the 60 peak hours
    assert sol.summary["flexibility"]["interruptible_mw"] == pytest.approx(3.0)
    assert sol.summary["cost_breakdown_eur_per_yr"]["lost_compute"] == pytest.approx(180.0)
    assert "interrupted_mw" not in sol.dispatch.columns  # the plan prices the year's energy


def test_a_dear_neighbour_fills_the_interruptible_cap() -> None:
    # supply in B at 1e6 EUR/MW/yr and lost compute at 10 EUR/MWh: every MW above 3 MW costs
    # 87,600 EUR/yr of lost compute and saves 1e6: A takes its whole cap, curtailed exactly
    # the share (1 %) of its energy over the year, priced from every hour
    inst = two_zones(0.01, lost_compute_eur_per_mwh=10.0,
                     re_capex_eur_per_mw_yr=[100.0, 1e6])  # fmt: skip
    res, sol = solved(inst)
    z = sol.zones.set_index("zone_id")
    assert z.loc["A", "interruptible_mw"] == pytest.approx(CAP)
    assert z.loc["A", "interrupted_mwh"] == pytest.approx(0.01 * 8760 * CAP, rel=1e-9)
    lost = 0.01 * 8760 * CAP * 10.0
    assert sol.summary["cost_breakdown_eur_per_yr"]["lost_compute"] == pytest.approx(lost)
    # the plan supplies the curtailed load too (curtailing never stands in for supply)
    expected = 100.0 * (16.0 + CAP) + 1e6 * (4.0 - CAP) + lost
    assert res.objective == pytest.approx(expected, rel=1e-9)


def test_the_year_is_priced_piece_by_piece() -> None:
    # E(x) = 60 x up to 3 MW, then 60 x + 8,700 (x - 3): the plan's pieces reproduce it
    k, s = curtailment_pieces(HEADROOM, CAP)
    for x in (0.5, 3.0, 3.005, CAP):
        assert max(0.0, float((k * x - s).max())) == pytest.approx(
            np.maximum(x - HEADROOM, 0.0).sum(), rel=1e-12
        )


def test_the_check_curtails_exactly_in_the_peak_hours() -> None:
    inst = two_zones(0.01)
    sizes = {("it", ()): np.array([9.0, 1.0]), ("r", ()): np.array([19.0, 1.0]),
             ("ix", ()): np.array([3.0, 0.0])}  # fmt: skip
    plan = Plan(sizes, ["A", "B"], np.array([19.0, 1.0]), np.array([1.0, 1.0]), [])
    hz = year_horizon(plan, {}, 8760, inst.zones.grid_headroom_mw)
    d = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=1)
    assert d.interrupted_mw is not None
    assert d.interrupted_mw[0, :PEAK_HOURS] == pytest.approx(3.0)
    assert d.interrupted_mw[0, PEAK_HOURS:].sum() == pytest.approx(0.0, abs=1e-9)
    assert d.grid_mw.sum() == pytest.approx(0.0, abs=1e-6)
    share = d.interrupted_mw[0].sum() / (3.0 * 8760)
    assert share == pytest.approx(180 / (3 * 8760)) and share <= 0.01


def test_the_check_from_warm_windows_has_the_cold_optimum() -> None:
    # supply short of the load in some hours: curtailment must not stand in for the grid
    inst = two_zones(0.01)
    sizes = {("it", ()): np.array([9.0, 1.0]), ("r", ()): np.array([18.5, 1.0]),
             ("ix", ()): np.array([3.0, 0.0])}  # fmt: skip
    plan = Plan(sizes, ["A", "B"], np.array([19.0, 1.0]), np.array([1.0, 1.0]), [])
    rng = np.random.default_rng(5)
    cf = {0: rng.uniform(0.9, 1.0, 8760)}
    hz = year_horizon(plan, cf, 8760, inst.zones.grid_headroom_mw)
    cold = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=1)
    warm = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=6)
    expect = np.maximum(19.0 - np.r_[np.full(PEAK_HOURS, 3.0), np.zeros(8700)]
                        - 18.5 * cf[0], 0.0).sum()  # fmt: skip
    assert cold.grid_mw[0].sum() == pytest.approx(expect, rel=1e-9)
    assert warm.grid_mw.sum() == pytest.approx(cold.grid_mw.sum(), rel=1e-9)


def test_the_coarse_year_curtails_each_block_by_its_hours_mean() -> None:
    # headroom 0 and 10 MW in turn: 3 MW of interruptible load is curtailed every other
    # hour, 1.5 MW on average; a 6-hour block at its mean headroom (5 MW) would curtail
    # nothing and, with supply 2.35 MW short of the load, end at 2.35 MW of grid every hour
    # against the year's 1.175: no lower bound. The block's mean curtailment keeps it one.
    inst = two_zones(0.01)
    sizes = {("it", ()): np.array([9.0, 1.0]), ("r", ()): np.array([18.5, 1.0]),
             ("ix", ()): np.array([3.0, 0.0])}  # fmt: skip
    plan = Plan(sizes, ["A", "B"], np.array([19.0, 1.0]), np.array([0.9, 1.0]), [])
    head = np.vstack([np.tile([0.0, 10.0], 4380), np.full(8760, 10.0)])
    hz = year_horizon(plan, {}, 8760, head)
    year = solve_dispatch(inst, plan, hz, options={"solver": "simplex"}, warm_blocks=1)
    assert year.grid_mw.sum() == pytest.approx(8760 * 2.35 / 2, rel=1e-9)
    assert block_headroom(head, sizes[("ix", ())], 6)[0] == pytest.approx(1.5)  # 3 - 1.5
    assert block_headroom(head, None, 6)[0] == pytest.approx(5.0)
    solved = coarse_year(inst, plan, hz)
    assert solved is not None
    low = coarse_dispatch(inst, plan, solved, 8760, 0.0)
    assert low.interrupted_mw is not None
    assert low.interrupted_mw.sum() == pytest.approx(year.interrupted_mw.sum(), rel=1e-9)
    assert low.grid_mw.sum() <= year.grid_mw.sum() * (1 + 1e-9)
    assert low.grid_mw.sum() == pytest.approx(8760 * 0.85, rel=1e-9)


def test_a_long_store_with_interruptible_load_is_bounded_and_guided_by_one_coarse_year() -> None:
    # the bound and the guide share the coarse year once the zones carry headroom: the
    # bound stays below the year's residual, and the guided year keeps the cold optimum
    from siting.instance import StorageOption

    stores = (StorageOption("battery", "Battery", 1.0, 1.0, 0.81),
              StorageOption("longstore", "Long", 1.0, 1.0, 0.45, 1.0, 0.7))  # fmt: skip
    inst = two_zones(0.01, storage=stores)
    sizes = {("it", ()): np.array([9.0, 1.0]), ("r", ()): np.array([20.0, 1.0]),
             ("ix", ()): np.array([3.0, 0.0]),
             ("se", (0,)): np.array([4.0, 0.0]), ("sp", (0,)): np.array([2.0, 0.0]),
             ("se", (1,)): np.array([400.0, 0.0]), ("sp", (1,)): np.array([2.0, 0.0]),
             ("sq", (1,)): np.array([2.0, 0.0])}  # fmt: skip
    plan = Plan(sizes, ["A", "B"], np.array([19.0, 1.0]), np.array([0.9, 1.0]),
                ["battery", "longstore"])  # fmt: skip
    rng = np.random.default_rng(3)
    hours = np.arange(8760)
    cf = 0.9 + 0.25 * np.sin(2 * np.pi * hours / (24 * 9)) + rng.uniform(-0.1, 0.1, 8760)
    head = np.vstack([np.tile([0.0, 10.0], 4380), np.full(8760, 10.0)])
    hz = year_horizon(plan, {0: np.clip(cf, 0.0, 1.0)}, 8760, head)
    simplex = {"solver": "simplex"}
    cold = solve_dispatch(inst, plan, hz, options=simplex, warm_blocks=1)
    year = float(cold.grid_mw.sum())
    assert year > 100.0
    low = solve_dispatch(inst, plan, hz, options=simplex, warm_blocks=26, fail_above_mwh=0.0)
    assert low.bound and low.status == "Bound (coarse year)"
    assert 0.0 < float(low.grid_mw.sum()) <= year * (1 + 1e-9)
    warm = solve_dispatch(inst, plan, hz, options=simplex, warm_blocks=26,
                          fail_above_mwh=2.0 * year)  # fmt: skip
    assert not warm.bound and warm.warm
    assert float(warm.grid_mw.sum()) == pytest.approx(year, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 50.0), min_size=12, max_size=12),
       st.floats(0.0, 40.0), st.sampled_from([1, 2, 3, 4, 6, 12]))  # fmt: skip
def test_a_blocks_headroom_curtails_its_hours_mean(head: list[float], x: float, block: int) -> None:
    # the check curtails max(0, x - h) every hour; the block's headroom must curtail the
    # mean of that, never the max at the mean headroom (which is less: the max is convex)
    h = np.array([head, head[::-1]])
    cap = np.array([x, 0.0])
    got = block_headroom(h, cap, block)
    hourly = np.maximum(cap[:, None] - h, 0.0).reshape(2, -1, block).mean(axis=2)
    assert np.maximum(cap[:, None] - got, 0.0) == pytest.approx(hourly, abs=1e-9)
    assert (got >= -1e-9).all()


# --- through the command line, re-checked from the output tables -----------------------


def _tiny_grid(tmp_path: Path, flexibility: dict, grid_load: bool = True) -> Path:
    """The long-duration tests' tiny year (A, B), A's grid hosting 170 MW of new load, a
    grid-load layer whose winter evenings peak, and the full-year guarantee at 99 %."""
    cfg = palette_config(tmp_path, {})
    raw = yaml.safe_load(cfg.read_text())
    zp = tmp_path / raw["layers"]["zones"]
    zones = gpd.read_file(zp)
    zones["hosting_mw"] = [170.0 if z == "A" else np.nan for z in zones["zone_id"]]
    zones.to_file(zp, layer="zones", engine="pyogrio")
    if grid_load:
        hour = np.arange(8760)
        load = (1000 + 300 * np.sin(2 * np.pi * (hour % 24) / 24)
                + 400 * np.cos(2 * np.pi * hour / 8760))  # fmt: skip
        stamps = pd.date_range("2015-01-01", periods=8760, freq="h", tz="UTC")
        g = pd.DataFrame({"A_load_mw": load, "BB_load_mw": 0.5 * load},
                         index=stamps.strftime("%Y-%m-%dT%H:%M:%SZ"))  # fmt: skip
        g.index.name = "utc_timestamp"
        g.to_csv(tmp_path / "data" / "grid_load.csv")
        raw["layers"]["grid_load"] = "data/grid_load.csv"
    raw["flexibility"] = flexibility
    raw["carbon"].update({"guarantee": "full_year", "cfe_target": 0.99})
    cfg.write_text(yaml.safe_dump(raw, sort_keys=False))
    return cfg


def test_an_interruptible_run_is_rechecked_from_its_tables(tmp_path: Path) -> None:
    # two 100 MW modules (208 MW of load) fit zone A's grid only if 38 MW are interruptible
    # (at 1 % its grid takes 44 MW more); the recheck recomputes the cap by bisection and the
    # curtailed energy from the grid-load file's hours, in the plan and in the check
    cfg = _tiny_grid(tmp_path, {"interruptible_share": 0.01, "lost_compute_eur_per_mwh": 100.0})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    z = pd.read_csv(run / "tables" / "zones.csv").set_index("zone_id")
    assert z.loc["A", "hosted_load_mw"] > z.loc["A", "hosting_limit_mw"] + 1.0
    assert z.loc["A", "interruptible_mw"] == pytest.approx(
        z.loc["A", "hosted_load_mw"] - z.loc["A", "hosting_limit_mw"], rel=1e-6
    )
    summary = json.loads((run / "summary.json").read_text())
    assert summary["flexibility"]["interrupted_mwh"] > 0
    assert summary["cfe_score_full_year"] >= 0.99 - 0.001 - 1e-6


def test_interruptible_load_without_a_grid_load_layer_exits_2(tmp_path: Path, capsys) -> None:
    cfg = _tiny_grid(tmp_path, {"interruptible_share": 0.01}, grid_load=False)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "flexibility.interruptible_share" in err and "layers.grid_load" in err
    assert "Traceback" not in err


def test_a_negative_grid_load_exits_2_naming_column_and_row(tmp_path: Path, capsys) -> None:
    cfg = _tiny_grid(tmp_path, {"interruptible_share": 0.01})
    path = tmp_path / "data" / "grid_load.csv"
    g = pd.read_csv(path)
    g.loc[5, "A_load_mw"] = -3.0
    g.to_csv(path, index=False)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "grid_load.csv: column A_load_mw, row 7" in err and "Traceback" not in err


@pytest.mark.parametrize("share", [-0.01, 1.2])
def test_an_interruptible_share_outside_zero_and_one_exits_2(tmp_path: Path, share: float,
                                                              capsys) -> None:  # fmt: skip
    cfg = _tiny_grid(tmp_path, {"interruptible_share": share})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    assert "flexibility.interruptible_share" in capsys.readouterr().err
