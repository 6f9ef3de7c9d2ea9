"""The run-time cache of representative days (siting/outputs/cache.py): a repeat run with
the same weather takes its days from the cache and gives the same files, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_weather import hourly_config, weather_frame

from siting.cli import main
from siting.instance.periods import Periods, periods_key
from siting.outputs.cache import PeriodsCache, cache_dir


def test_periods_survive_the_round_trip(tmp_path: Path) -> None:
    cache = PeriodsCache(tmp_path)
    periods = Periods(2015, (3, 40), np.array([0] * 200 + [1] * 165), (False, True))
    assert cache.get("k") is None and cache.state == "miss"
    cache.put("k", periods)
    back = cache.get("k")
    assert back is not None and cache.hits == 1
    assert back.days == periods.days and back.extreme == periods.extreme
    assert np.array_equal(back.sequence, periods.sequence) and back.year == 2015


def test_a_damaged_entry_is_a_miss_not_an_error(tmp_path: Path) -> None:
    cache = PeriodsCache(tmp_path)
    (tmp_path / "periods").mkdir()
    (tmp_path / "periods" / "k.json").write_text("{not json")
    assert cache.get("k") is None


def test_the_key_follows_the_hours_and_the_day_count() -> None:
    cf = pd.DataFrame({("A", "solar"): np.linspace(0, 1, 8760)})
    other = cf.copy()
    other.iloc[100, 0] += 1e-9
    assert periods_key(cf, 12, 2015) == periods_key(cf.copy(), 12, 2015)
    assert periods_key(cf, 12, 2015) != periods_key(other, 12, 2015)
    assert periods_key(cf, 12, 2015) != periods_key(cf, 8, 2015)


@pytest.mark.parametrize("value", ["off", "OFF", ""])
def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SITING_CACHE_DIR", value)
    assert cache_dir() is None and PeriodsCache.default() is None


def test_a_repeat_run_reuses_the_days_and_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITING_CACHE_DIR", str(tmp_path / "cache"))
    weather = weather_frame(calm_days=3)
    weather.iloc[24 * 100 : 24 * 110] *= 0.6  # a varied year: the days are a real choice
    cfg = hourly_config(tmp_path, weather)
    runs = []
    for name in ("first", "second"):
        assert (
            main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet", "--name", name]) == 0
        )
        runs.append(next((tmp_path / "runs").glob(f"{name}-*")))
    states = [json.loads((r / "manifest.json").read_text())["periods_cache"] for r in runs]
    assert states == ["miss", "hit"]
    assert len(list((tmp_path / "cache" / "periods").glob("*.json"))) == 1
    for rel in ("tables/dispatch.csv", "tables/calendar.csv", "tables/full_year.csv",
                "tables/sites.csv", "tables/renewables.csv"):  # fmt: skip
        assert (runs[0] / rel).read_bytes() == (runs[1] / rel).read_bytes(), rel
