"""Hosting limits (issue 17): a zone's new data-centre load stays within what its grid can
host, re-checked from the run's tables against the input layers; bad hosting input refused."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

from siting.cli import main
from siting.commands.pipeline import run

ZONES = [
    {"zone_id": "A", "country": "AA", "baseline_it_mw": 100.0, "baseline_pue": 1.5,
     "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0},
    {"zone_id": "B", "country": "BB", "baseline_it_mw": 50.0, "baseline_pue": 1.2,
     "carbon_intensity_g_per_kwh": 50.0, "grid_price_eur_per_mwh": 80.0},
]  # fmt: skip


def new_load_by_zone(path: Path, cfg: Path) -> pd.Series:
    """New data-centre load per zone [MW] from sites.csv and the input layers alone."""
    sites = pd.read_csv(path / "tables" / "sites.csv")
    zones = gpd.read_file(cfg.parent / "data" / "zones.gpkg").set_index("zone_id")
    util = yaml.safe_load((path / "config.yaml").read_text())["economics"]["utilisation"]
    layer = pd.read_csv(cfg.parent / "data" / "sites.csv").set_index("site_id") \
        if (cfg.parent / "data" / "sites.csv").exists() else None  # fmt: skip
    pue = sites["zone_id"].map(zones["baseline_pue"])
    if layer is not None and "pue" in layer:
        pue = sites["site_id"].map(layer["pue"]).fillna(pue)
    return (sites["new_it_mw"] * pue * util).groupby(sites["zone_id"]).sum()


def test_a_hosting_limit_moves_load_to_the_other_zone(tiny_config, tmp_path) -> None:
    free = run(tiny_config(zones=ZONES), out=tmp_path / "free").path
    load = new_load_by_zone(free, tmp_path / "config.yaml")
    top = str(load.idxmax())
    limit = 0.5 * float(load[top])
    zones = [dict(z, hosting_mw=limit) if z["zone_id"] == top else z for z in ZONES]
    held = run(tiny_config(zones=zones), out=tmp_path / "held").path
    after = new_load_by_zone(held, tmp_path / "config.yaml")
    assert after[top] <= limit + 1e-6
    it = [pd.read_csv(p / "tables" / "sites.csv")["new_it_mw"].sum() for p in (free, held)]
    assert it[1] == pytest.approx(it[0], rel=1e-6)  # the same new IT, partly elsewhere
    table = pd.read_csv(held / "tables" / "zones.csv").set_index("zone_id")
    assert table.at[top, "hosting_limit_mw"] == pytest.approx(limit)
    assert table.at[top, "hosting_used"] == pytest.approx(after[top] / limit, rel=1e-6)
    assert np.isnan(table.drop(index=top)["hosting_limit_mw"]).all()


def test_a_hosting_share_of_national_demand(tiny_config, tmp_path) -> None:
    zones = [dict(z, national_load_mw=n) for z, n in zip(ZONES, (600.0, 5_000.0), strict=True)]
    cfg = tiny_config(zones=zones, config={"policy": {"max_hosting_share": 0.5}})
    path = run(cfg, out=tmp_path / "runs").path
    load = new_load_by_zone(path, cfg)
    assert load.get("A", 0.0) <= 0.5 * 600.0 + 1e-6
    assert load.get("B", 0.0) <= 0.5 * 5_000.0 + 1e-6


def _refused(cfg: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_bad_hosting_input_is_refused(tiny_config, tmp_path, capsys) -> None:
    negative = [dict(z, hosting_mw=-5.0) if z["zone_id"] == "A" else z for z in ZONES]
    err = _refused(tiny_config(zones=negative), capsys)
    assert "hosting_mw" in err and "zones" in err
    err = _refused(tiny_config(config={"policy": {"max_hosting_share": 1.5}}), capsys)
    assert "policy.max_hosting_share" in err
    err = _refused(tiny_config(config={"policy": {"max_hosting_share": 0.3}}), capsys)
    assert "national_load_mw" in err and "A, B" in err and "remove policy.max_hosting_share" in err


def test_the_recheck_catches_a_plan_above_its_hosting_limit(tiny_config, tmp_path) -> None:
    from recheck import recheck_run

    free = run(tiny_config(zones=ZONES), out=tmp_path / "free").path
    load = new_load_by_zone(free, tmp_path / "config.yaml")
    top = str(load.idxmax())
    zones = [dict(z, hosting_mw=0.8 * float(load[top])) if z["zone_id"] == top else z
             for z in ZONES]  # fmt: skip
    path = run(tiny_config(zones=zones), out=tmp_path / "runs").path
    recheck_run(path)  # the plan holds its limit, from inputs and decisions alone
    layer = gpd.read_file(tmp_path / "data" / "zones.gpkg")
    layer.loc[layer["zone_id"] == top, "hosting_mw"] = 1.0  # now the input says less than used
    layer.to_file(tmp_path / "data" / "zones.gpkg", layer="zones", engine="pyogrio")
    with pytest.raises(AssertionError, match="hosting"):
        recheck_run(path)


def test_a_target_the_grids_cannot_host_is_diagnosed_as_such(tiny_config, tmp_path, capsys) -> None:
    import json

    zones = [dict(z, hosting_mw=50.0) for z in ZONES]  # far below the 450 MW IT the target needs
    cfg = tiny_config(zones=zones)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 3
    diagnosis = json.loads(next((tmp_path / "runs").glob("*/diagnosis.json")).read_text())
    finding = next(f for f in diagnosis["findings"] if f["check"] == "hosting")
    assert "hosting limits" in finding["message"] and "A, B" in finding["message"]
