"""The full-year guarantee: failing days are added until the plan holds on every hour.

A tiny two-zone year of identical days but for one five-day calm spell (all output x 0.05,
days 100-104). With two representative days tsam keeps one ordinary day and the calmest day
(one day of the spell): linked storage then bridges one calm day, and the full year is short.
The guarantee adds the rest of the spell as periods of their own and re-solves.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_layers, write_config
from recheck import recheck_run
from test_weather import COLUMNS

from siting.base.errors import ExitCode
from siting.cli import main
from siting.fullyear.guarantee import daily_shares, failing_days

SPELL = range(100, 105)


def spell_config(folder: Path, **carbon) -> Path:
    layers = {k: f"data/{v}" for k, v in tiny_layers(folder / "data").items()}
    stamps = pd.date_range("2015-01-01", periods=8760, freq="h", tz="UTC")
    w = pd.DataFrame({c: np.tile(v, 365) for c, v in COLUMNS.items()}, index=stamps)
    w.iloc[24 * SPELL.start : 24 * SPELL.stop] *= 0.05
    w.index = w.index.strftime("%Y-%m-%dT%H:%M:%SZ")
    w.index.name = "utc_timestamp"
    w.to_csv(folder / "data" / "weather.csv")
    layers["weather"] = "data/weather.csv"
    return write_config(
        folder, layers,
        carbon={"matching": "hourly", "cfe_target": 1.0, "scope": "all", **carbon},
        target={"baseline_year": 2024, "increase_pct": 100, "deadline_year": 2030},
        weather={"representative_days": 2},
    )  # fmt: skip


def only_run(folder: Path) -> Path:
    """The one run folder in ``folder`` (hidden checkpoints and staging are not runs)."""
    (run,) = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return run


def test_failing_days_are_whole_stretches_worst_first() -> None:
    load = np.array([10.0])
    grid = np.zeros((1, 8760))
    grid[0, 24 * 10 : 24 * 13] = 1.0  # days 10-12: 10 % grid
    grid[0, 24 * 50 : 24 * 51] = 5.0  # day 50: 50 % grid (worst stretch)
    assert daily_shares(grid, load)[[9, 10, 50]].tolist() == pytest.approx([0.0, 0.1, 0.5])
    assert failing_days(grid, load, 1.0, 10, set()) == [10, 11, 12, 50]
    assert failing_days(grid, load, 1.0, 3, set()) == [10, 11, 50]  # the worst run that fits
    assert failing_days(grid, load, 1.0, 10, {11, 50}) == [10, 12]
    assert failing_days(grid, load, 0.85, 10, set()) == [50]  # 10 % is within a 15 % allowance


def test_the_guarantee_adds_the_spell_and_holds(tmp_path: Path) -> None:
    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.0001)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = only_run(tmp_path / "runs")
    summary = json.loads((run / "summary.json").read_text())
    g = summary["guarantee"]
    assert g["met"] and g["rounds"] >= 2
    added = {pd.Timestamp(d).dayofyear - 1 for d in g["days_added"]}
    calendar = pd.read_csv(run / "tables" / "calendar.csv")
    own = set(calendar.loc[calendar["own_day"], "day"] - 1)
    # every spell day is now a period of its own; the day after may fail too (an empty store
    # meets the night), nothing else does
    assert set(SPELL) <= own and added <= set(range(SPELL.start, SPELL.stop + 2))
    assert summary["cfe_score_full_year"] >= 1.0 - 0.0001
    steps = g["steps"]
    assert steps[-1]["cfe_full_year"] > steps[0]["cfe_full_year"]
    assert steps[-1]["objective_eur_per_yr"] >= steps[0]["objective_eur_per_yr"] * (1 - 1e-9)
    assert calendar.loc[calendar["day"].isin([d + 1 for d in added]), "own_day"].all()
    # its battery lasts a day (a long store: held through the windows), so a failing round is
    # judged on the coarse year's bound; the published round is the year's own LP
    assert [s["bound"] for s in steps] == [True] * (len(steps) - 1) + [False]
    assert summary["full_year"]["2015"]["solver_status"] == "Optimal"
    assert "full_year_bound" not in summary
    recheck_run(run)


def test_failing_rounds_are_judged_on_the_free_windows_bound(tmp_path: Path, monkeypatch) -> None:
    # with no store held through the windows, a failing round's check stops at the windows'
    # bound (the year's LP skipped); the published round is solved on the year's own LP and
    # holds, and the same spell days are added
    import siting.fullyear.dispatch as dispatch

    monkeypatch.setattr(dispatch, "LONG_STORE_H", 1e9)
    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.0001)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = only_run(tmp_path / "runs")
    summary = json.loads((run / "summary.json").read_text())
    steps = summary["guarantee"]["steps"]
    assert len(steps) >= 2 and [s["bound"] for s in steps] == [True] * (len(steps) - 1) + [False]
    assert summary["guarantee"]["met"] and summary["cfe_score_full_year"] >= 1.0 - 0.0001
    assert summary["full_year"]["2015"]["solver_status"] == "Optimal"
    assert "full_year_bound" not in summary
    added = {pd.Timestamp(d).dayofyear - 1 for d in summary["guarantee"]["days_added"]}
    assert added & set(SPELL) and added <= set(range(SPELL.start - 3, SPELL.stop + 2))
    recheck_run(run)


def test_added_days_can_be_cut_coarser_than_the_representative_ones(tmp_path: Path) -> None:
    # carbon.guarantee_segments_per_day: the representative days keep 8 segments, each added
    # day gets 3; the plan still holds on the year, and its tables re-check
    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.001,
                       guarantee_segments_per_day=3)  # fmt: skip
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet",
                 "--set", "weather.segments_per_day=8"]) == 0  # fmt: skip
    run = only_run(out)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["guarantee"]["met"] and summary["guarantee"]["rounds"] >= 2
    disp = pd.read_csv(run / "tables" / "dispatch.csv")
    per_period = disp[disp["zone_id"] == disp["zone_id"].iloc[0]].groupby("period").size()
    n_added = len(summary["guarantee"]["days_added"])
    assert n_added >= 1 and (per_period.iloc[-n_added:] == 3).all()
    assert (per_period.iloc[: len(per_period) - n_added] == 8).all()
    recheck_run(run)


def test_a_day_that_fails_again_once_added_is_cut_finer_not_skipped(tmp_path: Path) -> None:
    # at 8 segments a day the spell's days fail again once added in 3 segments: instead of
    # ending with nothing left to add, the next rounds cut them finer (8, then 24 segments);
    # the tiny year's ordinary days stay at 8 segments, so 99.99 % is out of reach and the
    # run ends after its rounds (exit 3), its last plan published and reopened as solved
    from siting.commands.reopen import open_run

    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.0001,
                       guarantee_segments_per_day=3, max_guarantee_rounds=4)  # fmt: skip
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet",
                 "--set", "weather.segments_per_day=8"]) == ExitCode.INFEASIBLE  # fmt: skip
    run = only_run(out)
    g = json.loads((run / "summary.json").read_text())["guarantee"]
    assert g["rounds"] == 4 and not g["met"]
    again = {d for d in g["days_added"] if g["days_added"].count(d) > 1}
    assert again  # days listed again: refined, not skipped
    disp = pd.read_csv(run / "tables" / "dispatch.csv")
    one = disp[disp["zone_id"] == disp["zone_id"].iloc[0]]
    calendar = pd.read_csv(run / "tables" / "calendar.csv").set_index("date")
    finer = one[one["period"].isin(calendar.loc[sorted(again), "period"])]
    assert finer.groupby("period").size().min() > 3  # cut finer than the added days' 3
    assert open_run(run).inst.n_slices == one["slice"].nunique()  # reopened as solved


def test_periods_remember_which_days_were_added_and_cut_them_finer_when_they_fail() -> None:
    from siting.instance.periods import Periods

    base = Periods(2015, (3, 9), np.array([0] * 200 + [1] * 165), (False, True))
    assert base.base == 0 and not base.added.any()
    assert base.segments(8, 3).tolist() == [8, 8]
    more = base.with_days([20, 30]).with_days([40])
    assert more.base == 2 and more.added.tolist() == [False, False, True, True, True]
    assert more.segments(8, 3).tolist() == [8, 8, 3, 3, 3]
    assert more.segments(24).tolist() == [24] * 5  # hourly: nothing to refine
    # a failing day that is already a period's own day climbs its ladder: 3 -> 8 -> 24 for
    # an added day, 8 -> 24 for a representative one
    finer = more.with_days([30, 9]).with_days([30])
    assert finer.n_periods == 5 and finer.segments(8, 3).tolist() == [8, 24, 3, 24, 3]
    assert finer.segments(8).tolist() == [8, 24, 8, 24, 8]  # added days start at 8 as well
    back = Periods.from_plain(finer.to_plain())
    assert back.base == 2 and back.refined == finer.refined and back.days == finer.days
    assert (back.sequence == finer.sequence).all()


def test_cuts_alone_make_the_plan_hold_without_adding_a_day(tmp_path: Path) -> None:
    """``guarantee_days_per_round: 0``: the re-solves keep the two representative days and
    only gain cuts from the checks' duals, yet the plan holds on the year; each cut is valid:
    the residual of every later plan is at least what the cut's linear bound says."""
    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.001,
                       guarantee_days_per_round=0, guarantee_cuts=True)  # fmt: skip
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = only_run(tmp_path / "runs")
    summary = json.loads((run / "summary.json").read_text())
    g = summary["guarantee"]
    assert g["met"] and g["rounds"] >= 2 and g["days_added"] == []
    assert [s["periods"] for s in g["steps"]] == [2] * g["rounds"]
    assert [s["cuts"] for s in g["steps"]] == list(range(g["rounds"]))
    assert summary["cfe_score_full_year"] >= 1.0 - 0.001 - 1e-9
    # the first plan's full-year CFE was short: the cuts, not luck, closed the gap
    assert g["steps"][0]["cfe_full_year"] < 0.995
    recheck_run(run)
    # and `siting check`, a re-dispatch of the published tables alone, agrees: the plan
    # holds within the tolerance (PLAN_SHORT: the check's own target is 100 %, not 99.9 %)
    out = tmp_path / "full_year.csv"
    assert main(["check", str(run), "--out", str(out)]) in (ExitCode.OK, ExitCode.PLAN_SHORT)
    table = pd.read_csv(out)
    cfe = 1.0 - table["grid_mwh"].sum() / table["load_mwh"].sum()
    assert cfe == pytest.approx(summary["cfe_score_full_year"], abs=1e-6)
    assert cfe >= 1.0 - 0.001 - 1e-9


def test_a_plan_short_on_the_year_exits_3_when_the_guarantee_has_no_rounds_left(
    tmp_path: Path, capsys
) -> None:
    # one round: the plan of the representative days alone, which the calm spell breaks
    cfg = spell_config(tmp_path, guarantee="full_year", max_guarantee_rounds=1)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "guarantee not met: full-year CFE" in err and "short of" in err and "TWh" in err
    summary = json.loads((only_run(tmp_path / "runs") / "summary.json").read_text())
    assert summary["guarantee"]["met"] is False and summary["guarantee"]["shortfall"] > 0
    assert summary["cfe_score"] == pytest.approx(1.0)  # on its own days
    assert summary["cfe_score_full_year"] < 0.995
    assert summary["guarantee"]["steps"][0]["bound"] is False  # the last round: exact
    assert summary["full_year"]["2015"]["worst_day"][5:] in {f"04-{d:02d}" for d in range(11, 16)}


def test_the_guarantee_needs_hourly_matching_and_weather(
    tmp_path: Path, tiny_config, capsys
) -> None:
    cfg = tiny_config(config={"carbon": {"guarantee": "full_year"}})
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "carbon.guarantee" in err and "layers.weather" in err and "Traceback" not in err


def stop_at_check(monkeypatch, n: int) -> None:
    """Ctrl-C during the ``n``-th full-year check of the process (1: round 1's)."""
    import siting.fullyear.strategy

    real = siting.fullyear.strategy.check_solution
    calls = {"n": 0}

    def check(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(siting.fullyear.strategy, "check_solution", check)


def tables(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run / "tables").glob("*.csv"))}


def test_a_stopped_guarantee_publishes_its_last_checked_round_and_resumes_to_the_same_plan(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.0001)
    whole = tmp_path / "whole"
    assert main(["run", str(cfg), "--out", str(whole), "--quiet"]) == 0
    reference = only_run(whole)
    rounds = json.loads((reference / "summary.json").read_text())["guarantee"]["rounds"]
    assert rounds >= 2

    out = tmp_path / "runs"
    with monkeypatch.context() as m:
        stop_at_check(m, 2)  # round 2 solved, stopped in its check
        assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == ExitCode.INTERRUPTED
    err = capsys.readouterr().err
    assert "interrupted during round 2's full-year check" in err and "--resume" in err
    assert "guarantee not met" not in err
    stopped = only_run(out)
    s = json.loads((stopped / "summary.json").read_text())
    assert s["stopped_by"] == "interrupt" and s["guarantee"]["stopped_by"] == "interrupt"
    assert s["guarantee"]["rounds"] == 1 and s["guarantee"]["days_added"] == []
    assert s["cfe_score_full_year"] < 0.995  # round 1's plan, with its own check
    assert (stopped / "tables" / "full_year.csv").is_file()
    recheck_run(stopped)
    assert list(out.glob(".resume-*/state.json"))

    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--resume"]) == 0
    resumed = next(p for p in out.iterdir() if p != stopped and not p.name.startswith("."))
    manifest = json.loads((resumed / "manifest.json").read_text())
    assert manifest["resumed_from_round"] == 2
    assert tables(resumed) == tables(reference)
    g = json.loads((resumed / "summary.json").read_text())["guarantee"]
    assert g["met"] and g["rounds"] == rounds
    assert not list(out.glob(".resume-*"))  # a finished loop leaves no checkpoint


def test_a_stop_in_the_first_check_publishes_the_plan_unchecked(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    cfg = spell_config(tmp_path, guarantee="full_year")
    stop_at_check(monkeypatch, 1)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 130
    assert "interrupted during round 1's full-year check" in capsys.readouterr().err
    run = only_run(tmp_path / "runs")
    s = json.loads((run / "summary.json").read_text())
    assert s["stopped_by"] == "interrupt" and s["full_year_checked"] is False
    assert "cfe_score_full_year" not in s and "guarantee" not in s
    assert not (run / "tables" / "full_year.csv").exists()
    recheck_run(run)


def test_resume_without_a_checkpoint_solves_from_the_start(tmp_path: Path, capsys) -> None:
    cfg = spell_config(tmp_path, guarantee="full_year", max_guarantee_rounds=1)
    code = main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--resume"])
    assert code == 3  # one round: short, as without --resume
    assert "no checkpoint of this config" in capsys.readouterr().err


def test_a_guarantee_run_reopens_as_it_was_solved(tmp_path: Path) -> None:
    """``siting check``, ``alternatives`` and the API open a run with the days and cuts its
    guarantee added: re-solving that instance with the run's sites fixed gives its cost."""
    from siting.commands.reopen import open_run
    from siting.model import build_model, fix_sites
    from siting.solve.solvers import solve

    cfg = spell_config(tmp_path, guarantee="full_year", guarantee_tolerance=0.001,
                       guarantee_cuts=True)  # fmt: skip
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = only_run(tmp_path / "runs")
    summary = json.loads((run / "summary.json").read_text())
    last = summary["guarantee"]["steps"][-1]
    opened = open_run(run)
    inst = opened.inst
    assert int(inst.time.period.max()) + 1 == last["periods"] > 2
    assert len(inst.residual_cuts) == last["cuts"] >= 1
    sites = pd.read_csv(run / "tables" / "sites.csv").set_index("site_id")
    model = build_model(inst)
    new = sites.loc[inst.sites.ids, "new_it_mw"].to_numpy()
    modules = np.array([m if m == m else 0.0 for m in inst.sites.module_it_mw])  # NaN: continuous
    size = [n / m if m > 0 else n for n, m in zip(new, modules, strict=True)]
    fix_sites(model, [1.0 if n > 0 else 0.0 for n in new], size)
    result = solve(model, opened.cfg.solver)
    assert result.objective == pytest.approx(summary["objective_eur_per_yr"], rel=1e-6)


def test_a_stop_in_the_exact_check_keeps_the_bounds_record(monkeypatch) -> None:
    # the bound's round record is replaced only once the exact check exists
    from types import SimpleNamespace

    from siting.config import CarbonConfig
    from siting.fullyear import strategy
    from siting.fullyear.guarantee import Round

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt("stop")

    monkeypatch.setattr(strategy, "check_solution", stopped)
    record = Round(1.0, 0.99, 10.0, 12, 1.0, 1.0, bound=True)
    loop = strategy._Loop(SimpleNamespace(carbon=CarbonConfig(guarantee="full_year")),
                          SimpleNamespace(weather=[]), None,
                          lambda _: None, None, {}, None, [], [], [record])  # fmt: skip
    check = SimpleNamespace(bound=True)
    solved = SimpleNamespace(index=2, inst=None, solution=None)
    with pytest.raises(KeyboardInterrupt):
        strategy._exact(loop, solved, check)
    assert loop.rounds == [record]
