"""Weather files: read and refused like any layer; the full-year check in runs and 'siting check'."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_layers, write_config

from siting.cli import main

DAY_SOLAR = np.array([0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9,
                      0.9, 0.8, 0.7, 0.5, 0.3, 0.1, 0, 0, 0, 0, 0, 0])  # fmt: skip
DAY_WIND = 0.35 + 0.15 * np.cos(np.arange(24) / 24 * 2 * np.pi)
COLUMNS = {"A_solar": DAY_SOLAR, "A_onshore_wind": DAY_WIND, "B_solar": DAY_SOLAR,
           "B_offshore_wind": DAY_WIND}  # fmt: skip


def weather_frame(calm_days: int = 0) -> pd.DataFrame:
    stamps = pd.date_range("2015-01-01", periods=8760, freq="h", tz="UTC")
    df = pd.DataFrame({c: np.tile(v, 365) for c, v in COLUMNS.items()}, index=stamps)
    if calm_days:
        df.iloc[24 * 20 : 24 * (20 + calm_days)] *= 0.05
    df.index = df.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.index.name = "utc_timestamp"
    return df


def hourly_config(folder: Path, weather: pd.DataFrame | None = None) -> Path:
    profiles = [
        {"zone_id": c.split("_", 1)[0], "tech": c.split("_", 1)[1], "slice": f"d0h{h}",
         "period": 0, "weight_h": 365.0, "cf": float(v[h])}
        for c, v in COLUMNS.items()
        for h in range(24)
    ]  # fmt: skip
    layers = {k: f"data/{v}" for k, v in tiny_layers(folder / "data", profiles=profiles).items()}
    (weather if weather is not None else weather_frame()).to_csv(folder / "data" / "weather.csv")
    layers["weather"] = "data/weather.csv"
    return write_config(
        folder,
        layers,
        carbon={"matching": "hourly", "cfe_target": 1.0, "scope": "all"},
        target={"baseline_year": 2024, "increase_pct": 100, "deadline_year": 2030},
    )


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], weather: pd.DataFrame) -> str:
    cfg = hourly_config(tmp_path, weather)
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "weather.csv" in err and "Traceback" not in err
    return err


def test_missing_hours_are_refused(tmp_path, capsys) -> None:
    w = weather_frame().drop(index=weather_frame().index[100:105])
    err = refused(tmp_path, capsys, w)
    assert "year 2015: 5 of 8760 hours are missing (first: 2015-01-05T04:00Z" in err
    assert "give every hour" in err


def test_a_year_that_is_not_whole_is_refused_once(tmp_path, capsys) -> None:
    w = weather_frame().iloc[: 8760 // 2]  # January to June
    err = refused(tmp_path, capsys, w)
    assert err.count("hours are missing") == 1 and "year 2015: 4380 of 8760 hours" in err


def test_a_leap_year_is_read_without_its_29_february(tmp_path) -> None:
    from siting.inputs.weather import read_weather

    stamps = pd.date_range("2016-01-01", periods=8784, freq="h", tz="UTC")
    df = pd.DataFrame({c: np.tile(v, 366) for c, v in COLUMNS.items()}, index=stamps)
    df.index = df.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    df.index.name = "utc_timestamp"
    df.to_csv(tmp_path / "leap.csv")
    (year,) = read_weather(tmp_path / "leap.csv", ["solar", "onshore_wind", "offshore_wind"])
    assert year.year == 2016 and len(year.cf) == 8760
    assert not ((year.cf.index.month == 2) & (year.cf.index.day == 29)).any()


def test_a_duplicate_timestamp_is_refused(tmp_path, capsys) -> None:
    w = weather_frame()
    w = pd.concat([w.iloc[:50], w.iloc[[49]], w.iloc[50:]])
    err = refused(tmp_path, capsys, w)
    assert "1 duplicate timestamps" in err and "row 52" in err and "keep one row per hour" in err


def test_a_zone_not_covered_is_refused(tmp_path, capsys) -> None:
    err = refused(tmp_path, capsys, weather_frame().drop(columns="B_offshore_wind"))
    assert "no column for 1 supply options" in err and "B_offshore_wind" in err


def test_values_outside_0_1_and_bad_columns_are_refused(tmp_path, capsys) -> None:
    w = weather_frame()
    w.iloc[10, 0] = 1.5
    w["A-solar"] = 0.2
    err = refused(tmp_path, capsys, w)
    assert "column A_solar, row 12" in err and "outside [0, 1]" in err
    assert "column 'A-solar': is not <zone_id>_<tech>" in err


def test_an_hourly_run_checks_its_plan_on_the_full_year(tmp_path) -> None:
    cfg = hourly_config(tmp_path)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    # representative days cut from the weather year, hours in order within each day
    slices = pd.read_csv(run / "tables" / "dispatch.csv").query("zone_id == 'A'")["slice"]
    assert slices.tolist()[:24] == [f"d00h{h:02d}" for h in range(24)]
    # the year is the representative day repeated: the plan holds on every hour
    assert summary["cfe_score"] == pytest.approx(1.0)
    assert summary["cfe_score_full_year"] == pytest.approx(1.0, abs=1e-6)
    assert summary["cfe_score_by_year"] == {"2015": pytest.approx(1.0, abs=1e-6)}
    table = pd.read_csv(run / "tables" / "full_year.csv")
    assert list(table.columns) == ["zone_id", "weather_year", "load_mwh", "grid_mwh", "cfe",
                                   "worst_day", "worst_day_grid_share", "grid_cost_eur",
                                   "emissions_t"]  # fmt: skip
    assert set(table["zone_id"]) == {"A", "B"} and (table["weather_year"] == 2015).all()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["timings"]["full_year_check_s"] > 0
    assert main(["verify", str(run)]) == 0
    assert main(["check", str(run)]) == 0


def test_siting_check_reports_a_calm_spell_as_short(tmp_path, capsys) -> None:
    cfg = hourly_config(tmp_path)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    calm = tmp_path / "calm.csv"
    weather_frame(calm_days=6).to_csv(calm)
    capsys.readouterr()
    out_csv = tmp_path / "calm_full_year.csv"
    assert main(["check", str(run), "--weather", str(calm), "--out", str(out_csv)]) == 6
    printed = capsys.readouterr().out
    assert "2015: CFE" in printed and "short:" in printed
    import re

    # a zone at 99.998 % must not read "100.00%": short zones print three decimals
    shorts = [line for line in printed.splitlines() if "short:" in line]
    assert shorts and all(re.search(r"CFE \d+\.\d{3}%", line) for line in shorts)
    table = pd.read_csv(out_csv)
    assert (table["cfe"] < 1.0).any()
    assert table["worst_day"].between("2015-01-21", "2015-01-26").all()


def test_siting_check_reports_an_annual_plans_hours_and_emissions(tmp_path, tiny_config,
                                                                   capsys) -> None:  # fmt: skip
    # an annual plan re-dispatched over a real year: its hourly CFE and its purchases'
    # emissions, recomputed here from the check's table and the zones' intensities (A 300,
    # B 50 g/kWh); exit 0 (it promises the year's energy, not every hour); run untouched
    cfg = tiny_config()
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    before = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    weather = tmp_path / "year.csv"
    weather_frame(calm_days=6).to_csv(weather)
    capsys.readouterr()
    out_csv = tmp_path / "annual_check.csv"
    assert main(["check", str(run), "--weather", str(weather), "--out", str(out_csv)]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out_csv)
    intensity = table["zone_id"].map({"A": 300.0, "B": 50.0})
    assert np.allclose(table["emissions_t"], table["grid_mwh"] * intensity / 1e3, rtol=1e-7)
    cfe = 1 - table["grid_mwh"].sum() / table["load_mwh"].sum()
    assert f"2015: CFE {cfe:.3%} (hour by hour; the plan matches annually)" in printed
    assert f"emissions {table['emissions_t'].sum() / 1e6:,.2f} Mt CO2" in printed
    assert 0.0 < cfe < 1.0 and (table["grid_mwh"] > 0).any()
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == before  # run untouched


def test_weather_levels_layer_scales_each_year_and_file_keeps_it() -> None:
    from siting.inputs.weather import WeatherYear
    from siting.instance import scaled_weather

    stamps = pd.date_range("2016-01-01", periods=8760, freq="h", tz="UTC")
    weak = 0.5 * np.tile(DAY_WIND, 365)  # a windless year: half the usual output
    cf = pd.DataFrame({("A", "onshore_wind"): weak}, index=stamps)
    year = WeatherYear(2016, Path("w.csv"), cf)
    annual = np.array([0.35])
    layer = scaled_weather(year, ["A"], ["onshore_wind"], annual, "layer")[0]
    own = scaled_weather(year, ["A"], ["onshore_wind"], annual, "file")[0]
    assert layer.mean() == pytest.approx(0.35, rel=1e-4)  # the layer's level, the year's shape
    assert np.corrcoef(layer, weak)[0, 1] == pytest.approx(1.0)
    assert np.array_equal(own, weak) and own.mean() == pytest.approx(0.175)


def test_a_windless_year_at_file_levels_fails_the_check_that_layer_levels_pass(
    tmp_path, capsys
) -> None:
    cfg = hourly_config(tmp_path)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    weak = weather_frame()
    weak.index = weak.index.str.replace("2015-", "2017-", regex=False)
    weak[["A_onshore_wind", "B_offshore_wind"]] *= 0.5
    weak.to_csv(tmp_path / "weak.csv")
    assert main(["check", str(run), "--weather", str(tmp_path / "weak.csv")]) == 0  # same level
    text = (run / "config.yaml").read_text().replace("levels: layer", "levels: file")
    (run / "config.yaml").write_text(text)
    capsys.readouterr()
    assert main(["check", str(run), "--weather", str(tmp_path / "weak.csv")]) == 6
    assert "2017" in capsys.readouterr().out


def test_check_on_two_years_writes_cost_per_zone_and_the_cfe_figure(tmp_path, capsys) -> None:
    cfg = hourly_config(tmp_path)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    calm = weather_frame(calm_days=4)
    calm.index = calm.index.str.replace("2015-", "2017-", regex=False)
    calm.to_csv(tmp_path / "calm.csv")
    out = tmp_path / "check" / "full_year.csv"
    out.parent.mkdir()
    code = main(["check", str(run), "--weather", str(cfg.parent / "data" / "weather.csv"),
                 str(tmp_path / "calm.csv"), "--out", str(out)])  # fmt: skip
    assert code == 6  # four calm days in 2017: the plan falls short that year
    table = pd.read_csv(out)
    assert set(table["weather_year"]) == {2015, 2017}
    # the residual's cost: the zone's grid energy at its price plus the carbon price, from
    # the input layer and the config
    import geopandas as gpd
    import yaml

    layer = gpd.read_file(cfg.parent / "data" / "zones.gpkg").set_index("zone_id")
    carbon = yaml.safe_load((run / "config.yaml").read_text())["economics"][
        "carbon_price_eur_per_t"
    ]
    per_mwh = layer["grid_price_eur_per_mwh"] + carbon * layer["carbon_intensity_g_per_kwh"] / 1000
    want = table["grid_mwh"] * table["zone_id"].map(per_mwh)
    assert np.allclose(table["grid_cost_eur"], want, rtol=1e-9, atol=1e-6)
    assert table.loc[table["weather_year"] == 2017, "grid_cost_eur"].sum() > 0
    assert (out.parent / "full_year.png").stat().st_size > 5_000
    assert (out.parent / "full_year.svg").is_file()


def test_clipping_zeroes_only_the_small_hourly_capacity_factors(tmp_path) -> None:
    """``solver.clip_capacity_factor``: factors below it become 0, the others stay as they are."""
    from siting.commands.pipeline import validate

    dawn = weather_frame()
    dawn.iloc[:, :] = np.where(dawn.to_numpy() == 0.0, 0.004, dawn.to_numpy())  # faint dawn
    cfg_path = hourly_config(tmp_path, dawn)
    _, _, plain = validate(cfg_path, ["weather.representative_days=2"])
    _, _, clipped = validate(cfg_path, ["weather.representative_days=2",
                                        "solver.clip_capacity_factor=0.01"])  # fmt: skip
    small = (plain.supply.cf > 0) & (plain.supply.cf < 0.01)
    assert small.any()  # the faint hours reach the slices
    assert (clipped.supply.cf[small] == 0.0).all()
    assert np.array_equal(clipped.supply.cf[~small], plain.supply.cf[~small])
    # the full-year check dispatches the weather layer's own factors, faint hours included
    from types import SimpleNamespace

    from siting.fullyear.years import hourly_cf

    _, layers, _ = validate(cfg_path, ["solver.clip_capacity_factor=0.01"])
    year = layers.weather[0]
    plan = SimpleNamespace(annual_cf=clipped.supply.cf.mean(axis=1))
    hours = hourly_cf(clipped, plan, year)  # type: ignore[arg-type]
    assert any(((h > 0) & (h < 0.01)).any() for h in hours.values())
