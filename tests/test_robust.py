"""Robust siting (weather.mode: robust): one plan optimised on several weather years at once,
checked on each; and weather.years picks the year a single-year run is optimised on."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_weather import hourly_config, weather_frame

from siting.cli import main


def two_years(folder: Path) -> Path:
    """A tiny hourly config whose weather file holds a plain 2015 and a 2017 with a calm week."""
    cfg = hourly_config(folder)
    plain, calm = weather_frame(), weather_frame(calm_days=5)
    calm.index = calm.index.str.replace("2015-", "2017-", regex=False)
    pd.concat([plain, calm]).to_csv(folder / "data" / "weather.csv")
    return cfg


def set_weather(cfg: Path, **weather: object) -> None:
    raw = yaml.safe_load(cfg.read_text())
    raw["weather"] = {"representative_days": 4, **weather}
    raw["storage"] = {"linking": "chronological"}
    cfg.write_text(yaml.safe_dump(raw))


def solve(cfg: Path, out: Path, *extra: str) -> Path:
    assert main(["run", str(cfg), "--out", str(out), "--quiet", *extra]) == 0
    return max(out.iterdir(), key=lambda p: p.stat().st_mtime)


def summary(run: Path) -> dict:
    return json.loads((run / "summary.json").read_text())


def test_a_robust_plan_holds_in_every_year_a_single_year_plan_does_not(tmp_path) -> None:
    cfg = two_years(tmp_path)
    set_weather(cfg, mode="single")
    single = summary(solve(cfg, tmp_path / "runs", "--name", "single"))
    set_weather(cfg, mode="robust")
    robust_run = solve(cfg, tmp_path / "runs", "--name", "robust")
    robust = summary(robust_run)
    guaranteed = summary(solve(cfg, tmp_path / "runs", "--name", "guaranteed",
                               "--set", "carbon.guarantee=full_year"))  # fmt: skip
    # optimised on 2015 alone, the plan does not see 2017's calm week
    assert single["cfe_score_by_year"]["2015"] == pytest.approx(1.0, abs=1e-6)
    assert single["cfe_score_by_year"]["2017"] < 0.999
    # optimised on both, it sees the week (four days stand for 730: close, not exact) ...
    assert robust["cfe_score_by_year"]["2017"] > single["cfe_score_by_year"]["2017"] + 0.0009
    # ... and with the guarantee it holds in both years, at a price
    assert min(guaranteed["cfe_score_by_year"].values()) >= 1.0 - 0.001 - 1e-9
    assert guaranteed["objective_eur_per_yr"] > single["objective_eur_per_yr"]
    # the calendar runs through both years; each period weighs days of an average year
    calendar = pd.read_csv(robust_run / "tables" / "calendar.csv")
    assert len(calendar) == 730 and calendar["date"].iloc[365] == "2017-01-01"
    dispatch = pd.read_csv(robust_run / "tables" / "dispatch.csv")
    assert dispatch.groupby("zone_id")["weight_h"].sum().round(6).eq(8760.0).all()


def test_weather_years_picks_the_year_to_optimise_on(tmp_path, capsys) -> None:
    cfg = two_years(tmp_path)
    set_weather(cfg, years=[2017])
    run = solve(cfg, tmp_path / "runs")
    calendar = pd.read_csv(run / "tables" / "calendar.csv")
    assert calendar["date"].iloc[0] == "2017-01-01" and len(calendar) == 365
    set_weather(cfg, years=[2019])
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "weather.years" in err and "2019" in err and "2015, 2017" in err


def test_once_a_year_fails_every_later_year_stops_at_its_relaxation(tmp_path) -> None:
    # a failing guarantee round needs no year's LP after the first year that fails: the plan
    # optimised on 2015 alone fails 2017's calm week, so 2015, checked after it, is bounded
    from siting.commands.reopen import open_run
    from siting.fullyear.dispatch import plan_from_tables
    from siting.fullyear.years import check_plan
    from siting.outputs.results import read_run

    cfg = two_years(tmp_path)
    set_weather(cfg, mode="single")
    run = solve(cfg, tmp_path / "runs")
    folder, opened = read_run(run), open_run(run)
    inst = opened.inst
    plan = plan_from_tables(inst, folder.table("sites"), folder.table("renewables"),
                            folder.table("zones"))  # fmt: skip
    by_year = {wy.year: wy for wy in opened.layers.weather}
    exact = check_plan(inst, plan, [by_year[2017], by_year[2015]])
    assert not exact.bound and exact.years["2015"]["cfe"] == pytest.approx(1.0, abs=1e-6)
    quick = check_plan(inst, plan, [by_year[2017], by_year[2015]], fail_below=0.999)
    assert quick.years["2017"]["cfe"] < 0.999  # the first year fails (bound or LP) ...
    assert quick.years["2015"]["bound"]  # ... and the year after it is not solved
    assert quick.years["2015"]["cfe"] >= exact.years["2015"]["cfe"] - 1e-9  # an upper bound
    alone = check_plan(inst, plan, [by_year[2015], by_year[2017]], fail_below=0.999)
    assert not alone.years["2015"]["bound"]  # checked first, the passing year is solved
