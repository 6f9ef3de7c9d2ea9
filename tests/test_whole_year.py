"""The whole year as the model's time (``weather.representative_days: 365``): every calendar
day a period of its own, in order, so the hourly model is the exact 8,760-hour one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from recheck import recheck_run
from test_weather import hourly_config, weather_frame

from siting.cli import main
from siting.commands.pipeline import validate
from siting.config import SolverConfig
from siting.fullyear.years import check_solution
from siting.instance.periods import representative_days
from siting.model import build_model
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=300)


def test_365_days_are_the_calendar_itself() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.uniform(0, 1, (8760, 3)), columns=["a_solar", "a_onshore_wind", "b"])
    p = representative_days(frame, 365, 2015)
    assert p.days == tuple(range(365)) and (p.sequence == np.arange(365)).all()
    assert (p.weight_days == 1.0).all() and not any(p.extreme)
    assert p.dates[0] == "2015-01-01" and p.dates[-1] == "2015-12-31"


@pytest.fixture(scope="module")
def calm_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-zone year of one repeated day with three calm days (20-22 January)."""
    return hourly_config(tmp_path_factory.mktemp("whole"), weather_frame(calm_days=3))


def _solved(config: Path, days: int, segments: int):
    """The calm year's model on ``days`` periods at ``segments`` a day, solved, and its check."""
    _, layers, inst = validate(config, [f"weather.representative_days={days}",
                                        f"weather.segments_per_day={segments}",
                                        "carbon.guarantee=none"])  # fmt: skip
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return inst, res, check_solution(inst, extract_solution(model, res), layers.weather)


@pytest.fixture(scope="module")
def whole(calm_year: Path):
    """The whole-year model of the calm year at 8 segments a day (10 s; hourly takes 70 s)."""
    return _solved(calm_year, 365, 8)


def test_the_whole_year_model_runs_through_every_day(whole) -> None:
    inst, _, _ = whole
    assert inst.n_slices == 365 * 8 and inst.time.weight_h.sum() == pytest.approx(8760)
    assert (inst.time.weight_h == inst.time.duration_h).all()  # each day stands for itself
    assert (inst.time.day_period == np.arange(365)).all()


@pytest.fixture(scope="module")
def hourly_whole(calm_year: Path):
    """The hourly whole-year model of the calm year (70 s here)."""
    return _solved(calm_year, 365, 24)


@pytest.mark.slow
def test_representative_days_that_are_the_years_days_reach_the_same_optimum(
    hourly_whole, calm_year: Path
) -> None:
    # the calm year has two kinds of day; three representative days (two of them the same
    # ordinary day) with linked runs of days describe it exactly, so the few-day model and
    # the 365-day model must agree on the optimum (hourly: segments are cut from the days
    # in the model, so a day's segments depend on which other days are there)
    _, res, _ = hourly_whole
    inst, few, _ = _solved(calm_year, 3, 24)
    assert inst.n_slices <= 3 * 24
    assert few.objective == pytest.approx(res.objective, rel=1e-6)


@pytest.mark.slow
def test_the_hourly_whole_year_plan_meets_the_target_by_the_full_year_check(hourly_whole) -> None:
    # the model and the check share the physics: a plan at 100 % CFE on all 8,760 hours of
    # the model is at 100 % in the check, with nothing left for a guarantee to add
    inst, _, check = hourly_whole
    assert inst.n_slices == 8760
    assert check.years["2015"]["cfe"] >= 1.0 - 1e-6
    assert check.years["2015"]["residual_mwh"] <= 1e-3


def test_a_whole_year_run_is_rechecked_from_its_tables(calm_year: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    code = main(["run", str(calm_year), "--out", str(out), "--set",
                 "weather.representative_days=365", "--set", "weather.segments_per_day=8"])  # fmt: skip
    assert code == 0
    (folder,) = out.iterdir()
    recheck_run(folder)
    calendar = pd.read_csv(folder / "tables" / "calendar.csv")
    assert len(calendar) == 365
