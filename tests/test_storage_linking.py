"""Storage linked across representative days (Kotzur et al. 2018) against per-day cyclic.

A tiny year of four two-hour "days": two windy periods' worth of days then two calm ones.
One zone with a flat 10 MW load, wind (cf 1 on windy days, 0 on calm ones) at 1,000 EUR/MW/yr,
a lossless store at 10 EUR/MWh/yr and 100 EUR/MW/yr, and a firm clean source (cf 1) at
100,000 EUR/MW/yr. CFE 100 %: no grid.

Linked, days in the order windy, windy, calm, calm: the two calm days (2 x 2 h x 10 MW =
40 MWh) must be stored on the windy days, so wind is 20 MW (4 windy hours x 20 = 80 MWh = the
year's load), the store 40 MWh and 10 MW: 20,000 + 400 + 1,000 = 21,400 EUR/yr. Alternating
days (windy, calm, windy, calm) halve the store: 21,200. Per-day cyclic: a calm day cannot
borrow from the day before, so 10 MW of firm supply is needed: 1,000,000 EUR/yr.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import four_day_year

from siting.config import SolverConfig
from siting.instance import StorageOption
from siting.instance.periods import Periods
from siting.model import build_model
from siting.model.storage import period_bounds
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(name="highs", time_limit_s=60, mip_gap=0.0, threads=1, seed=0)
STORE = StorageOption("longstore", "Long store", 10.0, 100.0, 1.0)


def four_days(sequence: list[int], linking: str, storage: tuple = (STORE,)):
    return four_day_year(tuple(sequence), storage, storage_linking=linking)


def solved(inst):
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return res, extract_solution(model, res)


def test_linked_storage_carries_energy_across_calm_days() -> None:
    res, sol = solved(four_days([0, 0, 1, 1], "chronological"))
    assert res.objective == pytest.approx(20 * 1_000 + 40 * 10 + 10 * 100, rel=1e-9)
    re = sol.renewables.set_index("tech")["new_mw"]
    assert re["onshore_wind"] == pytest.approx(20.0) and re["nuclear"] == pytest.approx(0, abs=1e-9)
    assert sol.summary["storage_mwh"] == pytest.approx(40.0)


def test_linked_storage_follows_the_calendar_order() -> None:
    res, _ = solved(four_days([0, 1, 0, 1], "chronological"))
    assert res.objective == pytest.approx(20 * 1_000 + 20 * 10 + 10 * 100, rel=1e-9)


def test_per_day_storage_cannot_carry_energy_and_needs_firm_supply() -> None:
    res, sol = solved(four_days([0, 0, 1, 1], "per_period"))
    assert res.objective == pytest.approx(10 * 100_000, rel=1e-9)
    assert sol.renewables.set_index("tech")["new_mw"]["nuclear"] == pytest.approx(10.0)


def test_linked_and_per_day_agree_when_each_day_balances_itself() -> None:
    # sun by day, a one-day cycle: carrying energy across days buys nothing
    inst = four_days([0, 0, 1, 1], "chronological")
    import dataclasses

    sun = dataclasses.replace(inst.supply, cf=np.array([[1.0, 0.0, 1.0, 0.0], [1.0] * 4]))
    per_day = dataclasses.replace(inst.settings, storage_linking="per_period")
    linked = solved(dataclasses.replace(inst, supply=sun))[0].objective
    cyclic = solved(dataclasses.replace(inst, supply=sun, settings=per_day))[0].objective
    assert linked == pytest.approx(cyclic, rel=1e-9)


def test_period_bounds_and_added_days() -> None:
    assert period_bounds([0, 0, 1, 1, 1, 2]) == ([0, 2, 5], [1, 4, 5])
    p = Periods(2015, (3, 200), np.array([0] * 100 + [1] * 265), (False, False))
    q = p.with_days([10, 3])  # day 3 is a representative's own day already
    assert q.days == (3, 200, 10) and q.extreme == (False, False, True)
    assert q.sequence[10] == 2 and q.weight_days.tolist() == [99.0, 265.0, 1.0]
    assert q.dates[2] == "2015-01-11"


def _year_of_kinds(kinds: list[int], own_periods: bool, wind: tuple[float, float]):
    """A year of two-hour days, each windy (kind 0: wind cf ``wind``) or calm (kind 1: cf 0):
    two periods standing for the kinds, or (``own_periods``) every day a period of its own."""
    profiles = {0: list(wind), 1: [0.0, 0.0]}
    days = list(range(len(kinds))) if own_periods else [0, 1]
    kind_of = kinds if own_periods else [0, 1]
    seq = list(range(len(kinds))) if own_periods else kinds
    cf = [h for p in range(len(days)) for h in profiles[kind_of[p]]]
    return four_day_year(
        tuple(seq), (STORE,), re_cf=[cf, [1.0] * len(cf)],
        slice_ids=[f"d{p:02d}h{h:02d}" for p in range(len(days)) for h in range(2)],
        period=[p for p in range(len(days)) for _ in range(2)],
        weight_h=[float(seq.count(p)) for p in range(len(days)) for _ in range(2)],
        day_period=np.asarray(seq, dtype=np.int64),
    )  # fmt: skip


@pytest.mark.parametrize("kinds", [
    [0, 0, 0, 1, 1, 1], [0, 1, 1, 0, 0, 1, 1, 1], [0, 0, 1, 0, 1, 1, 0, 0, 0, 1], [1, 1, 0, 0],
])  # fmt: skip
def test_runs_of_days_are_exact_against_a_state_per_day(kinds: list[int]) -> None:
    """Days standing for one period in a row share one state column and two bound rows
    (``siting.model.storage.day_runs``): the optimum equals the same year with every day a
    period of its own (one state per day), with the bounds binding in the run's interior."""
    for wind in ((1.0, 1.0), (1.0, 0.4), (0.3, 1.0)):
        runs = solved(_year_of_kinds(kinds, False, wind))[0].objective
        daily = solved(_year_of_kinds(kinds, True, wind))[0].objective
        assert runs == pytest.approx(daily, rel=1e-9)


def test_day_runs() -> None:
    from siting.model.storage import day_runs

    assert day_runs([0, 0, 1, 1, 1, 0, 2]) == [(0, 2, 0), (2, 3, 1), (5, 1, 0), (6, 1, 2)]
    assert day_runs([3]) == [(0, 1, 3)]
