"""Segments: a representative day's hours joined into fewer slices (siting.instance.segments)
and the segmented model as a relaxation of the hourly one."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from recheck import recheck_run
from test_weather import hourly_config, weather_frame

from siting.cli import main
from siting.commands.pipeline import validate
from siting.config import SolverConfig
from siting.instance.segments import segment_days, segment_lengths
from siting.model import build_model
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=120)


def test_segments_join_the_hours_that_differ_least() -> None:
    day = np.array([[0.0, 0.0, 0.0, 5.0, 5.0, 5.0, 5.0, 1.0]])
    assert segment_lengths(day, 3).tolist() == [3, 4, 1]
    assert segment_lengths(day, 2).tolist() == [3, 5]  # 1 joins the fives: (4x1)/5 x 16 < 45
    assert segment_lengths(day, 1).tolist() == [8]
    assert segment_lengths(day, 8).tolist() == [1] * 8
    with pytest.raises(ValueError):
        segment_lengths(day, 9)


def test_segment_days_average_each_segment_and_keep_the_day_whole() -> None:
    rng = np.random.default_rng(0)
    cf = rng.uniform(0, 1, (3, 2 * 24))
    flat = np.array([True, True, False])
    cf[2] = 0.5
    seg = segment_days(cf, flat, 5)
    assert seg.cf.shape == (3, 10)
    for p in range(2):
        mine = seg.period == p
        assert seg.duration_h[mine].sum() == 24 and seg.start_h[mine][0] == 0
        ends = seg.start_h[mine] + seg.duration_h[mine]
        assert (seg.start_h[mine][1:] == ends[:-1]).all()
    for t in range(10):
        p, s, n = seg.period[t], seg.start_h[t], int(seg.duration_h[t])
        assert np.allclose(seg.cf[:, t], cf[:, p * 24 + s : p * 24 + s + n].mean(axis=1))


def test_segment_days_take_a_count_per_period() -> None:
    # the guarantee's added days may be cut coarser than the representative ones
    rng = np.random.default_rng(1)
    cf = rng.uniform(0, 1, (2, 3 * 24))
    seg = segment_days(cf, np.array([True, True]), np.array([6, 6, 3]))
    assert np.bincount(seg.period).tolist() == [6, 6, 3]
    assert np.allclose(np.bincount(seg.period, seg.duration_h), 24.0)


def _calm_config(folder: Path) -> Path:
    weather = weather_frame(calm_days=3)
    return hourly_config(folder, weather)


@pytest.fixture(scope="module")
def optima(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[float, float, object]]:
    """Optimum, proven bound and instance of the tiny 24/7 year at 24, 8, 4 and 2 slices a day."""
    cfg = _calm_config(tmp_path_factory.mktemp("seg"))
    out: dict[int, tuple[float, float, object]] = {}
    for n in (24, 8, 4, 2):
        _, _, inst = validate(cfg, ["weather.representative_days=3", f"weather.segments_per_day={n}",
                                    "carbon.guarantee=none"])  # fmt: skip
        res = solve(build_model(inst), EXACT)
        assert res.status == SolverStatus.OPTIMAL
        out[n] = (res.objective, res.best_bound, inst)
    return out


def test_fewer_segments_relax_the_hourly_model(optima) -> None:
    """Ward's merges are nested (2 segments join 4's, 4 join 8's), so each coarser model is a
    relaxation of the finer one: optima never rise as the segments get fewer."""
    values = [optima[n][0] for n in (24, 8, 4, 2)]
    assert all(a >= b * (1 - 1e-9) for a, b in itertools.pairwise(values))
    assert values[-1] < values[0]  # two slices a day cannot see the evening without sun


def test_segmented_slices_weigh_the_year_and_carry_their_hours(optima) -> None:
    for n in (24, 8, 2):
        inst = optima[n][2]
        assert inst.n_slices == (int(inst.time.period.max()) + 1) * n
        assert inst.time.weight_h.sum() == pytest.approx(8760.0)
        assert np.allclose(np.bincount(inst.time.period, inst.time.durations), 24.0)
    assert optima[24][2].time.duration_h is None  # hourly: the model as before


def test_a_segmented_run_is_rechecked_from_its_tables(tmp_path: Path) -> None:
    """A run at 6 segments a day: its tables tile every day, its states of charge walk the
    calendar with each segment's hours, its cf are the means of the weather's hours."""
    cfg = _calm_config(tmp_path)
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--set",
                 "weather.segments_per_day=6", "--set", "weather.representative_days=3"]) == 0  # fmt: skip
    run = next(out.iterdir())
    disp = pd.read_csv(run / "tables" / "dispatch.csv")
    assert (
        set(disp["duration_h"]) - {1.0}
        and disp.groupby("zone_id").size().eq(6 * (disp["period"].max() + 1)).all()
    )
    recheck_run(run)
    assert (run / "dispatch.png").is_file()


def test_segments_need_a_weather_layer(tiny_config, capsys) -> None:
    cfg = tiny_config(config={"carbon": {"matching": "hourly", "cfe_target": 0.5, "scope": "all"},
                              "weather": {"segments_per_day": 6}})  # fmt: skip
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "weather.segments_per_day" in err and "layers.weather" in err
