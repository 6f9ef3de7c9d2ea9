"""The independent re-check catches each kind of wrong result a model bug could publish.

One small hourly run (two zones, four-hour days, a battery, lossy links, residual grid
allowed) is solved once; each test copies its folder, plants one bug in its tables, and the
re-check must fail. The untouched copy must pass.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import tiny_layers, write_config
from recheck import recheck_run

from siting.cli import main

SOLAR = (0.0, 0.9, 0.6, 0.0)
WIND = (0.5, 0.2, 0.3, 0.6)


@pytest.fixture(scope="module")
def hourly_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recheck")
    profiles = [
        {"zone_id": z, "tech": k, "slice": f"d{p}h{h}", "period": p, "weight_h": 8760 / 8,
         "cf": round(cf * (1.0 if p == 0 else 0.7), 4)}
        for z, techs in (("A", ("solar", "onshore_wind")), ("B", ("solar", "offshore_wind")))
        for k in techs
        for p in (0, 1)
        for h, cf in enumerate(SOLAR if k == "solar" else WIND)
    ]  # fmt: skip
    zones = [
        {"zone_id": z, "country": c, "baseline_it_mw": it, "baseline_pue": pue,
         "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": price}
        for z, c, it, pue, price in (("A", "AA", 100.0, 1.5, 5.0), ("B", "BB", 50.0, 1.2, 4.0))
    ]  # fmt: skip
    made = tiny_layers(folder / "data", profiles=profiles, zones=zones)
    layers = {k: f"data/{v}" for k, v in made.items()}
    cfg = write_config(
        folder,
        layers,
        carbon={"matching": "hourly", "cfe_target": 0.9, "scope": "all"},
        target={"baseline_year": 2024, "increase_pct": 200, "deadline_year": 2030},
        storage={"enabled": True, "roundtrip_efficiency": 0.81},
        economics={"carbon_price_eur_per_t": 0.0},
        solver={"mip_gap": 0.0},
    )
    assert main(["run", str(cfg), "--out", str(folder / "runs"), "--quiet"]) == 0
    run = next((folder / "runs").iterdir())
    d = pd.read_csv(run / "tables" / "dispatch.csv")
    f = pd.read_csv(run / "tables" / "flows.csv")
    assert d["charge_battery_mw"].max() > 1 and d["grid_mw"].max() > 1 and f["flow_mw"].max() > 1
    return run


def _copy(run: Path, tmp_path: Path) -> Path:
    out = tmp_path / run.name
    shutil.copytree(run, out)
    return out


def _edit(run: Path, table: str, change: Callable[[pd.DataFrame], None]) -> None:
    path = run / "tables" / f"{table}.csv"
    df = pd.read_csv(path)
    change(df)
    df.to_csv(path, index=False)


def test_the_untouched_run_passes(hourly_run: Path, tmp_path: Path) -> None:
    recheck_run(_copy(hourly_run, tmp_path))


def _less_capacity(run: Path) -> None:
    # the model claims the supply of more capacity than it reports building
    _edit(run, "renewables", lambda r: r.__setitem__("new_mw", r["new_mw"] * 0.9))


def _wrong_profile_hour(run: Path) -> None:
    # clean supply taken from the wrong hour of the profile in one zone-slice
    def change(d: pd.DataFrame) -> None:
        i = d["clean_mw"].idxmax()
        d.loc[i, "clean_mw"] += 10.0

    _edit(run, "dispatch", change)


def _discharge_from_nowhere(run: Path) -> None:
    # one hour discharges more than the store ever took in: not cyclic
    def change(d: pd.DataFrame) -> None:
        i = d["discharge_battery_mw"].idxmax()
        extra = 0.05 * d.loc[i, "discharge_battery_mw"]
        for col in ("discharge_battery_mw", "discharge_mw", "storage_mw"):
            d.loc[i, col] += extra

    _edit(run, "dispatch", change)


def _lossless_storage(run: Path) -> None:
    # charging as if the battery lost nothing on the way in
    def change(d: pd.DataFrame) -> None:
        less = 0.1 * d["charge_battery_mw"]
        d["charge_battery_mw"] -= less
        d["charge_mw"] -= less
        d["storage_mw"] += less

    _edit(run, "dispatch", change)


def _shrink(column: str, factor: float) -> Any:
    """Shrink the battery's size in zones.csv (and the storage total with it)."""

    def change(z: pd.DataFrame) -> None:
        less = z[f"battery_{column}"] * (1.0 - factor)
        z[f"battery_{column}"] -= less
        z[f"storage_{column}"] -= less

    return change


def _power_too_small(run: Path) -> None:
    _edit(run, "zones", _shrink("mw", 0.8))


def _energy_too_small(run: Path) -> None:
    _edit(run, "zones", _shrink("mwh", 0.5))


def _deliveries_without_losses(run: Path) -> None:
    # a link delivers a little more than its length and loss rate allow (still below its flow)
    def change(f: pd.DataFrame) -> None:
        f["delivered_mw"] = f["delivered_mw"] * 1.004

    _edit(run, "flows", change)

    def imports(d: pd.DataFrame) -> None:
        d["import_mw"] = d["import_mw"] * 1.004

    _edit(run, "dispatch", imports)


def _wrong_pue(run: Path) -> None:
    # a built site's load computed with a PUE that is not its input PUE (consistently)
    sites = pd.read_csv(run / "tables" / "sites.csv")
    i = sites["new_it_mw"].idxmax()
    drop = 0.1 * 0.8 * sites.loc[i, "new_it_mw"]  # 0.1 PUE x utilisation x MW
    zone = sites.loc[i, "zone_id"]
    _edit(run, "sites", lambda s: s.__setitem__("pue", s["pue"] - 0.1 * (s.index == i)))

    def load(d: pd.DataFrame) -> None:
        rows = d["zone_id"] == zone
        scale = 1.0 - drop / d.loc[rows, "load_mw"]
        d.loc[rows, "load_mw"] -= drop
        d.loc[rows, "grid_mw"] *= scale  # residual grid kept at the same share of the load

    _edit(run, "dispatch", load)
    path = run / "summary.json"
    s = json.loads(path.read_text())
    s["annual_load_mwh"] -= drop * 8760.0
    path.write_text(json.dumps(s))


def _wrong_eligibility(run: Path) -> None:
    def change(s: pd.DataFrame) -> None:
        i = s.index[~s["built"]][0]
        s.loc[i, "eligible"] = False

    _edit(run, "sites", change)


def _misbooked_cost(run: Path) -> None:
    # the parts still add up to the objective, but one is priced wrong
    path = run / "summary.json"
    s = json.loads(path.read_text())
    s["cost_breakdown_eur_per_yr"]["clean_capacity"] -= 1e6
    s["cost_breakdown_eur_per_yr"]["sites"] += 1e6
    path.write_text(json.dumps(s))


BUGS = {
    "clean supply from less capacity": _less_capacity,
    "clean supply from the wrong profile hour": _wrong_profile_hour,
    "discharge without charge (not cyclic)": _discharge_from_nowhere,
    "storage without losses": _lossless_storage,
    "storage above its power": _power_too_small,
    "storage above its energy": _energy_too_small,
    "link deliveries without losses": _deliveries_without_losses,
    "load at the wrong PUE": _wrong_pue,
    "eligibility not from the rules": _wrong_eligibility,
    "a cost term not from input prices": _misbooked_cost,
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_a_planted_bug_fails_the_recheck(hourly_run: Path, tmp_path: Path, bug: str) -> None:
    run = _copy(hourly_run, tmp_path)
    BUGS[bug](run)
    with pytest.raises(AssertionError):
        recheck_run(run)
