"""Long-duration storage and firm clean supply: hand-computed optima on tiny instances.

The same tiny year as ``test_storage_linking``: one zone, a flat 10 MW load, four two-hour
days (windy, windy, calm, calm in calendar order), wind at 1,000 EUR/MW/yr (cf 1 when windy,
0 when calm) and, where a test says so, a firm source (cf 1). CFE 100 %. Two calm days need
2 x 2 h x 10 MW = 40 MWh delivered from storage.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import four_day_year, tiny_layers, write_config
from recheck import recheck_run
from test_weather import DAY_SOLAR, DAY_WIND

from siting.cli import main
from siting.config import SolverConfig
from siting.instance import StorageOption
from siting.model import build_model
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(name="highs", time_limit_s=60, mip_gap=0.0, threads=1, seed=0)


def four_days(storage: tuple, firm_cost: float = 100_000.0, firm_cf: float = 1.0):
    return four_day_year(storage=storage, second=("nuclear", firm_cost, firm_cf))


def solved(inst):
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return res, extract_solution(model, res)


def test_hydrogen_sizes_electrolyser_store_and_fuel_cell_apart() -> None:
    # eta_in 0.5, eta_out 0.5 (round trip 0.25): 40 MWh out takes 80 MWh of hydrogen, made
    # from 160 MWh drawn over the 4 windy hours: electrolyser 40 MW, wind 10 + 40 = 50 MW.
    # The store peaks at 80 MWh of hydrogen after the windy days; the fuel cell gives 10 MW.
    # Cost: 50 x 1,000 + 80 x 10 + 10 x 100 (fuel cell) + 40 x 200 (electrolyser) = 59,800.
    h2 = StorageOption("hydrogen_cavern", "Hydrogen", 10.0, 100.0, 0.25,
                       charge_eur_per_mw_yr=200.0, charge_efficiency=0.5)  # fmt: skip
    res, sol = solved(four_days((h2,)))
    assert res.objective == pytest.approx(50 * 1_000 + 80 * 10 + 10 * 100 + 40 * 200, rel=1e-9)
    z = sol.zones.set_index("zone_id").loc["A"]
    assert z["hydrogen_cavern_mwh"] == pytest.approx(80.0)
    assert z["hydrogen_cavern_mw"] == pytest.approx(10.0)
    assert z["hydrogen_cavern_charge_mw"] == pytest.approx(40.0)


def test_a_store_with_a_fixed_duration_is_sized_by_its_energy() -> None:
    # iron-air-like: energy only (10 EUR/MWh/yr), power fixed at energy / 100 h. Charge
    # 0.8, discharge 0.5: 40 MWh out takes 80 MWh stored, i.e. 100 MWh drawn on the windy
    # days: wind 10 + 100 / 4 = 35 MW. Power must reach 25 MW of charging, so energy is at
    # least 2,500 MWh (100 h x 25 MW), far above the 80 MWh the year needs:
    # 35 x 1,000 + 2,500 x 10 = 60,000, cheaper than firm supply (10 x 100,000).
    iron = StorageOption("iron_air", "Iron-air", 10.0, 0.0, 0.4, charge_efficiency=0.8,
                         duration_h=100.0)  # fmt: skip
    res, sol = solved(four_days((iron,)))
    assert res.objective == pytest.approx(35 * 1_000 + 2_500 * 10, rel=1e-9)
    z = sol.zones.set_index("zone_id").loc["A"]
    assert z["iron_air_mwh"] == pytest.approx(2_500.0) and z["iron_air_mw"] == pytest.approx(25.0)


def test_a_store_allowed_only_in_some_zones_is_not_built_elsewhere() -> None:
    h2 = StorageOption("hydrogen_cavern", "Hydrogen", 10.0, 100.0, 0.25,
                       charge_eur_per_mw_yr=200.0, charge_efficiency=0.5, zones=())  # fmt: skip
    res, sol = solved(four_days((h2,)))
    assert res.objective == pytest.approx(10 * 100_000, rel=1e-9)  # firm supply instead
    assert sol.zones.set_index("zone_id").loc["A", "hydrogen_cavern_mwh"] == pytest.approx(0.0)


def test_firm_clean_supply_at_its_availability() -> None:
    # no storage: firm supply with availability 0.9 must cover 10 MW on calm days (11.11 MW);
    # wind covers nothing on calm days, and firm output on windy days makes wind useless.
    res, sol = solved(four_days((), firm_cost=50_000.0, firm_cf=0.9))
    assert res.objective == pytest.approx(10 / 0.9 * 50_000, rel=1e-9)
    assert sol.renewables.set_index("tech")["new_mw"]["onshore_wind"] == pytest.approx(0, abs=1e-9)


def reservoir_days(annual_cf: float):
    """The four-day year with contracted reservoir hydro (5,000 EUR/MW/yr) instead of firm."""
    return four_day_year(
        second=("hydro_reservoir", 5_000.0, annual_cf), re_annual_cf=np.array([0.5, annual_cf]),
        re_dispatchable=np.array([False, True]),
    )  # fmt: skip


def test_reservoir_hydro_is_dispatched_into_the_calm_hours() -> None:
    # The 8-hour year: 1 MW of reservoir brings 0.5 x 8 = 4 MWh. Calm hours need 10 MW for
    # 4 h (40 MWh): 10 MW of reservoir (power binds; exactly 40 MWh) and 10 MW of wind:
    # 10 x 5,000 + 10 x 1,000 = 60,000. As flat firm supply at 0.5 it would need 20 MW.
    res, sol = solved(reservoir_days(0.5))
    assert res.objective == pytest.approx(60_000.0, rel=1e-9)
    d = sol.dispatch.set_index("slice")["clean_hydro_reservoir_mw"]
    assert d["d01h00"] == pytest.approx(10.0) and d["d01h01"] == pytest.approx(10.0)
    assert d["d00h00"] == pytest.approx(0.0, abs=1e-9)
    re = sol.renewables.set_index("tech")
    assert re.loc["hydro_reservoir", "annual_mwh"] == pytest.approx(40.0)


def test_reservoir_hydro_energy_binds_when_inflow_is_short() -> None:
    # At 0.25, 1 MW brings 2 MWh a year: 40 MWh of calm hours need 20 MW, of which half the
    # power is idle in any hour: 20 x 5,000 + 10 x 1,000 = 110,000.
    res, sol = solved(reservoir_days(0.25))
    assert res.objective == pytest.approx(110_000.0, rel=1e-9)
    assert sol.renewables.set_index("tech").loc["hydro_reservoir", "new_mw"] == pytest.approx(20.0)
    d = sol.dispatch.set_index("slice")["clean_hydro_reservoir_mw"]
    assert d.to_numpy() == pytest.approx([0.0, 0.0, 10.0, 10.0], abs=1e-9)


# --- through the command line, re-checked from the output tables -----------------------


def palette_config(folder: Path, technologies: dict[str, bool], calm_days: int = 4) -> Path:
    """Two zones (A, B), a whole year of weather with a calm spell, long-duration stores on."""
    layers = {k: f"data/{v}" for k, v in tiny_layers(folder / "data").items()}
    stamps = pd.date_range("2015-01-01", periods=8760, freq="h", tz="UTC")
    columns = {"A_solar": DAY_SOLAR, "A_onshore_wind": DAY_WIND, "B_solar": DAY_SOLAR,
               "B_offshore_wind": DAY_WIND}  # fmt: skip
    w = pd.DataFrame({c: np.tile(v, 365) for c, v in columns.items()}, index=stamps)
    w.iloc[24 * 40 : 24 * (40 + calm_days)] *= 0.1
    w.index = w.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    w.index.name = "utc_timestamp"
    w.to_csv(folder / "data" / "weather.csv")
    layers["weather"] = "data/weather.csv"
    # contracted reservoir hydro in zone A: 5 MW, 0.3 x 8,760 h per MW; no weather column
    re = pd.read_csv(folder / layers["renewables"])
    row = {"zone_id": "A", "tech": "hydro_reservoir", "potential_mw": 5.0, "existing_mw": 0.0,
           "cf": 0.3, "capex_eur_per_mw_yr": 20_000.0}  # fmt: skip
    pd.concat([re, pd.DataFrame([row])]).to_csv(folder / layers["renewables"], index=False)
    layers.pop("profiles", None)
    return write_config(
        folder, layers,
        carbon={"matching": "hourly", "cfe_target": 1.0, "scope": "all"},
        target={"baseline_year": 2024, "increase_pct": 100, "deadline_year": 2030},
        weather={"representative_days": 4},
        technologies=technologies,
    )  # fmt: skip


def test_long_duration_runs_are_rechecked_from_their_tables(tmp_path: Path) -> None:
    # every store at once: the tiny zones (A, B) have no salt caverns, so hydrogen_cavern
    # may not be built; the recheck rebuilds each store's year from its own columns
    palette = {"hydrogen_cavern": True, "hydrogen_tank": True, "iron_air": True,
               "hydro_reservoir": True}  # fmt: skip
    cfg = palette_config(tmp_path, palette)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["cfe_score_full_year"] > 0.95
    calendar = pd.read_csv(run / "tables" / "calendar.csv")
    # every period is one calendar day's own hours (identical medoids are one period)
    assert len(calendar) == 365 and calendar["own_day"].sum() == calendar["period"].nunique() <= 4
    dispatch = pd.read_csv(run / "tables" / "dispatch.csv")
    for tech in ("hydrogen_cavern", "hydrogen_tank", "iron_air"):
        assert f"charge_{tech}_mw" in dispatch.columns
    # the cheap reservoir is used and dispatched unevenly (not flat at its cf)
    hydro = dispatch.loc[dispatch["zone_id"] == "A", "clean_hydro_reservoir_mw"]
    assert hydro.max() > 0 and hydro.std() > 0
    zones = pd.read_csv(run / "tables" / "zones.csv")
    assert (zones["hydrogen_cavern_mwh"] == 0).all()
