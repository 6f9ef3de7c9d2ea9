"""Storage in annual plans (``storage.annual_matching``): hand-computed optima.

One zone, a flat 10 MW load, one representative day of a sunny hour (solar cf 1) and a dark
one, each standing for 365 hours; annual matching settled hour by hour, grid purchases at
100 EUR/MWh, sales at 2 (less than solar's 2.74 EUR/MWh, so no solar is built to sell).
Without storage the plan builds 20 MW of solar (20,000 EUR/yr), sells 3,650 MWh of surplus
by day (7,300) and buys as much at night (365,000): 377,700 EUR/yr, its annual energy
matched. A lossless battery at 300 EUR/MW/yr and 200 EUR/MWh/yr keeps the day's surplus for
the night instead: 10 MW / 10 MWh, 5,000 EUR/yr, no purchase, 25,000 EUR/yr.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import make_instance
from recheck import recheck_run
from test_flexibility import BATTERY, solved
from test_long_duration import palette_config

from siting.cli import main


def sunny_day(storage: tuple = ()):
    return make_instance(
        zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0,
        multiplier=1.0, re_tech=["solar"], re_zone=[0], re_capex_eur_per_mw_yr=[1_000.0],
        re_cf=[[1.0, 0.0]], slice_ids=["d00h00", "d00h01"], period=[0, 0],
        weight_h=[365.0, 365.0], storage=storage, matching="annual", exchange="hourly",
        grid_cost_eur_per_mwh=[100.0], sale_price_eur_per_mwh=[2.0], max_surplus_share=0.2,
    )  # fmt: skip


def test_an_annual_buyer_without_storage_sells_by_day_and_buys_at_night() -> None:
    res, sol = solved(sunny_day())
    assert res.objective == pytest.approx(377_700.0, rel=1e-9)
    assert sol.summary["cfe_score"] == pytest.approx(1.0)


def test_storage_keeps_the_surplus_for_the_night_when_it_pays() -> None:
    res, sol = solved(sunny_day((BATTERY,)))
    assert res.objective == pytest.approx(25_000.0, rel=1e-9)
    z = sol.zones.set_index("zone_id").loc["A"]
    assert z["battery_mw"] == pytest.approx(10.0) and z["battery_mwh"] == pytest.approx(10.0)
    assert z["grid_mwh"] == pytest.approx(0.0, abs=1e-6)


def test_an_annual_run_with_storage_is_rechecked_from_its_tables(tmp_path) -> None:
    # the long-duration tests' tiny year, matched annually and settled on its hours, may
    # build batteries: the recheck rebuilds every store's year from its own columns
    path = palette_config(tmp_path, {})
    raw = yaml.safe_load(path.read_text())
    raw["storage"] = {**(raw.get("storage") or {}), "annual_matching": True}
    raw["carbon"] = {"matching": "annual", "cfe_target": 1.0, "scope": "all",
                     "annual_accounting": "hourly"}  # fmt: skip
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    recheck_run(run)
    assert "battery_mwh" in pd.read_csv(run / "tables" / "zones.csv").columns


def test_storage_in_an_annual_run_netted_on_one_slice_exits_2(tiny_config, tmp_path,
                                                               capsys) -> None:  # fmt: skip
    path = Path(tiny_config())
    raw = yaml.safe_load(path.read_text())
    raw["storage"] = {**(raw.get("storage") or {}), "annual_matching": True}
    raw["carbon"]["annual_accounting"] = "netted"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "storage.annual_matching" in err and "Traceback" not in err
