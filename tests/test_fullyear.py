"""The full-year check: a plan re-dispatched hour by hour over a whole year of weather."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_instance

from siting.config import SolverConfig
from siting.fullyear.dispatch import (
    HOURS,
    Plan,
    build_dispatch,
    coarse_guide,
    long_stores,
    longest_stretch,
    plan_from_tables,
    report,
    solve_dispatch,
    window,
    year_horizon,
)
from siting.inputs.weather import scale_to_mean
from siting.model import build_model
from siting.model.ops import Horizon
from siting.solution import extract_solution
from siting.solve.solvers import solve

EXACT = SolverConfig(mip_gap=0.0)
STAMPS = pd.date_range("2015-01-01", periods=HOURS, freq="h", tz="UTC")
SOLAR = np.array([0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9,
                  0.9, 0.8, 0.7, 0.5, 0.3, 0.1, 0, 0, 0, 0, 0, 0])  # fmt: skip
WIND = np.array([0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2,
                 0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6])  # fmt: skip


def two_zones(days: list[tuple[np.ndarray, np.ndarray]], weights: list[float], **kw: object):
    """Zones A (solar) and B (wind) joined by a lossy link; one representative period per day.

    A holds all the load (50 MW existing and the new site's 50 MW IT at PUE 1, utilisation
    1); B is a wind zone without load, so only A's CFE allowance binds (the check minimises
    the total residual grid, the model caps it zone by zone).
    Batteries cost 10 kEUR/MWh/yr and 30 kEUR/MW/yr at 81 % round trip; residual grid is
    allowed up to 10 % of each zone's load at 5 EUR/MWh (cheap: the allowance is used).
    """
    n = 24 * len(days)
    cf_a = np.concatenate([d[0] for d in days])
    cf_b = np.concatenate([d[1] for d in days])
    base = dict(
        zone_ids=["A", "B"], baseline_it_mw=[50.0, 0.0], baseline_pue=[1.0, 1.0],
        utilisation=1.0, multiplier=2.0, site_ids=["S"], site_zone=[0], max_it_mw=[100.0],
        site_pue=[1.0], site_capex_eur_per_mw_yr=[1e5],
        re_tech=["solar", "onshore_wind"], re_zone=[0, 1],
        re_capex_eur_per_mw_yr=[40_000.0, 90_000.0], re_cf=[cf_a, cf_b],
        link_ids=["A-B", "B-A"], link_from=[0, 1], link_to=[1, 0],
        link_capacity_mw=[50.0, 50.0], link_usable_mw=[50.0, 50.0],
        link_efficiency=[0.98, 0.98],
        slice_ids=[f"d{p}h{h}" for p in range(len(days)) for h in range(24)],
        weight_h=np.repeat(weights, 24), period=np.repeat(np.arange(len(days)), 24),
        matching="hourly", cfe_target=0.9, storage_enabled=True,
        storage_energy_eur_per_mwh_yr=10_000.0, storage_power_eur_per_mw_yr=30_000.0,
        storage_roundtrip_efficiency=0.81, grid_cost_eur_per_mwh=[5.0, 5.0],
    )  # fmt: skip
    assert len(cf_a) == n
    base.update(kw)
    return make_instance(**base)


def solved(inst):
    model = build_model(inst)
    res = solve(model, EXACT)
    assert res.status.has_solution
    return extract_solution(model, res)


def check(inst, sol, year_a: np.ndarray, year_b: np.ndarray):
    plan = plan_from_tables(inst, sol.sites, sol.renewables, sol.zones)
    dispatch = solve_dispatch(inst, plan, year_horizon(plan, {0: year_a, 1: year_b}))
    assert dispatch.status == "Optimal"
    return plan, dispatch


def test_one_repeated_day_gives_back_the_models_residual_grid() -> None:
    # A year of 365 copies of the one representative day: a day-periodic dispatch is optimal
    # for it, so the chronological year needs exactly the model's residual grid.
    inst = two_zones([(SOLAR, WIND)], [365.0])
    sol = solved(inst)
    model_grid = float((sol.dispatch["grid_mw"] * sol.dispatch["weight_h"]).sum())
    assert model_grid > 1_000.0  # the CFE allowance is used: there is something to compare
    plan, dispatch = check(inst, sol, np.tile(SOLAR, 365), np.tile(WIND, 365))
    assert dispatch.grid_mw.sum() == pytest.approx(model_grid, rel=1e-5)
    table, head = report(plan, dispatch, 2015, STAMPS)
    assert head["cfe"] == pytest.approx(sol.summary["cfe_score"], abs=1e-6)
    assert table.loc[0, "cfe"] == pytest.approx(
        1 - sol.zones.loc[0, "grid_mwh"] / sol.zones.loc[0, "annual_load_mwh"], abs=1e-6
    )


def test_a_calm_week_breaks_a_plan_made_on_sunny_windy_days() -> None:
    # Optimised on the ordinary day only; the real year has a dark, calm week in January.
    inst = two_zones([(SOLAR, WIND)], [365.0])
    sol = solved(inst)
    year_a, year_b = np.tile(SOLAR, 365), np.tile(WIND, 365)
    calm = slice(24 * 10, 24 * 17)  # 11-17 January
    year_a[calm] *= 0.1
    year_b[calm] *= 0.05
    plan, dispatch = check(inst, sol, year_a, year_b)
    table, head = report(plan, dispatch, 2015, STAMPS, cfe_target=0.9)
    assert head["cfe"] < sol.summary["cfe_score"] - 0.005, "the calm week must show"
    assert head["cfe"] < 0.9  # below the plan's own target: reported as short
    assert "2015-01-11" <= head["worst_day"] <= "2015-01-17"
    assert 7 <= head["longest_stretch_days"] <= 9  # the calm week (and the battery's tail)
    assert "2015-01-10" <= head["longest_stretch_start"] <= "2015-01-11"
    assert (table["cfe"] < 0.9).any()
    # the calm week's residual grid is counted in January
    assert head["residual_mwh_by_month"][1] == max(head["residual_mwh_by_month"].values())


def test_the_battery_state_of_charge_respects_its_size() -> None:
    inst = two_zones([(SOLAR, WIND)], [365.0])
    sol = solved(inst)
    plan, dispatch = check(inst, sol, np.tile(SOLAR, 365), np.tile(WIND, 365))
    soc = dispatch.soc_mwh["battery"]
    energy = plan.energy_by_tech()["battery"]
    assert (soc >= -1e-6).all()
    assert (soc <= energy[:, None] + 1e-6).all()


def test_scaling_once_over_the_year_keeps_the_shape() -> None:
    shape = np.tile(SOLAR, 365)
    scaled = scale_to_mean(shape, 0.2)
    assert scaled.mean() == pytest.approx(0.2, rel=1e-9)
    assert scaled.max() <= 1.0
    # clipping at 1 is compensated by the other hours
    tall = scale_to_mean(shape, 0.4)
    assert tall.mean() == pytest.approx(0.4, rel=1e-6) and tall.max() == 1.0
    assert np.array_equal(scale_to_mean(np.zeros(HOURS), 0.3), np.zeros(HOURS))


def test_longest_stretch() -> None:
    assert longest_stretch(np.array([0, 1, 1, 0, 1, 1, 1, 0], bool)) == (4, 3)
    assert longest_stretch(np.zeros(5, bool)) == (-1, 0)
    assert longest_stretch(np.ones(3, bool)) == (0, 3)


def test_a_reservoir_is_dispatched_within_its_power_and_its_inflow() -> None:
    # One zone, 10 MW of load, wind 20 MW at cf 1 on the first half of every day and 0 on
    # the second (12 h x 10 MW short a day), 5 MW of reservoir: power caps it at 5 MW in
    # the short hours; at 0.1 x 8,760 h per MW it brings 4,380 MWh a year, less than the
    # 365 x 12 x 5 = 21,900 MWh its power could give: the residual is 43,800 - 4,380.
    def case(cf: float):
        inst = make_instance(zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0],
                             utilisation=1.0, re_tech=["onshore_wind", "hydro_reservoir"],
                             re_zone=[0, 0], re_annual_cf=np.array([0.5, cf]),
                             re_dispatchable=np.array([False, True]))  # fmt: skip
        return inst, _fixed(inst, r=np.array([20.0, 5.0]))

    wind = np.tile(np.repeat([1.0, 0.0], 12), 365)
    short = 365 * 12 * 10.0
    for cf, residual in ((0.1, short - 0.1 * HOURS * 5), (1.0, short - 365 * 12 * 5)):
        inst, p = case(cf)
        dispatch = solve_dispatch(inst, p, year_horizon(p, {0: wind}))
        assert dispatch.status == "Optimal"
        assert dispatch.grid_mw.sum() == pytest.approx(residual, rel=1e-9)
        # the check's own route: simplex asked for, the interior point taken without crossover
        interior = solve_dispatch(inst, p, year_horizon(p, {0: wind}),
                                  options={"solver": "simplex"}, duals=True)  # fmt: skip
        assert interior.status == "Optimal" and interior.sensitivity is not None
        assert interior.iterations == 0  # no simplex ran
        assert interior.grid_mw.sum() == pytest.approx(residual, rel=1e-6)


QUARTER = 24 * 91  # the check takes any number of hours; a quarter keeps these tests fast


def _fixed(inst, **sizes: np.ndarray) -> Plan:
    """A plan of ``inst`` with the given sizes (``r``; ``se0``, ``sp0``, ``sq0`` for store 0 ...)."""
    keyed = {("r", ()): np.zeros(len(inst.supply.tech)), ("it", ()): np.zeros(inst.n_sites)}
    for name, values in sizes.items():
        keyed[(name, ()) if name == "r" else (name[:2], (int(name[2:]),))] = np.asarray(
            values, float
        )
    load = inst.fixed_load_mw.copy()
    return Plan(keyed, list(inst.zones.ids), load, np.asarray(inst.supply.annual_cf, float),
                [o.tech for o in inst.stores])  # fmt: skip


def _random_plan(seed: int, n_z: int, two_stores: bool, reservoirs: bool = False):
    """A plan of ``n_z`` zones in a ring of lossy links with batteries, its instance and year.

    Each zone's clean supply is one flat-priced option whose hourly cf is a solar-like day
    times a slow weather swing (shortfalls come in multi-day stretches); with ``reservoirs``
    each zone also has a reservoir at cf 0.3.
    """
    from siting.instance import StorageOption

    rng = np.random.default_rng(seed)
    hours = np.arange(QUARTER)
    swing = 0.6 + 0.4 * np.sin(2 * np.pi * hours / (24 * rng.uniform(5, 15)))
    clean = np.vstack([
        rng.uniform(50, 150) * np.tile(SOLAR, QUARTER // 24) * swing * rng.uniform(0.5, 1.5, QUARTER)
        + rng.uniform(0, 20) for _ in range(n_z)
    ])  # fmt: skip
    stores = [StorageOption("battery", "Battery", 1.0, 1.0, 0.81)]
    sizes = {"se0": rng.uniform(20, 200, n_z), "sp0": rng.uniform(5, 40, n_z)}
    if two_stores:
        stores.append(StorageOption("longstore", "Long", 1.0, 1.0, 0.45, 1.0, 0.7))
        sizes |= {"se1": rng.uniform(500, 2000, n_z) * (rng.random(n_z) < 0.6),
                  "sp1": rng.uniform(2, 10, n_z), "sq1": rng.uniform(5, 20, n_z)}  # fmt: skip
    ring = np.arange(n_z)
    peak = clean.max(axis=1)
    techs, zones, cf = ["solar"] * n_z, list(ring), list(clean / peak[:, None])
    r = list(peak)
    if reservoirs:
        techs += ["hydro_reservoir"] * n_z
        zones += list(ring)
        cf += [np.full(QUARTER, 0.3)] * n_z
        r += list(rng.uniform(2, 10, n_z))
    n_j = len(techs)
    inst = make_instance(
        zone_ids=[f"Z{z}" for z in range(n_z)], baseline_it_mw=rng.uniform(20, 40, n_z),
        baseline_pue=[1.0] * n_z, utilisation=1.0, re_tech=techs, re_zone=zones,
        re_annual_cf=np.array([float(c.mean()) for c in cf]),
        re_dispatchable=np.array([j >= n_z for j in range(n_j)]),
        link_ids=[f"L{k}" for k in range(2 * n_z)],
        link_from=np.concatenate([ring, (ring + 1) % n_z]),
        link_to=np.concatenate([(ring + 1) % n_z, ring]),
        link_usable_mw=rng.uniform(0, 15, 2 * n_z), link_efficiency=[0.97] * (2 * n_z),
        slice_ids=[f"h{h}" for h in range(QUARTER)], matching="hourly", storage=tuple(stores),
    )  # fmt: skip
    plan = _fixed(inst, r=np.array(r), **sizes)
    horizon = year_horizon(plan, dict(enumerate(cf)), QUARTER)
    return inst, plan, horizon


@pytest.mark.parametrize("seed,n_z", [(4, 2), (5, 3)])
def test_a_plan_with_reservoirs_reaches_the_simplex_optimum_on_the_interior_route(
    seed: int, n_z: int
) -> None:
    # reservoirs tie the year together; the check takes the interior point without
    # crossover for them, which must land on the optimum simplex proves
    inst, plan, horizon = _random_plan(seed, n_z, two_stores=True, reservoirs=True)
    simplex = solve_dispatch(inst, plan, horizon)  # HiGHS's own choice for an LP: simplex
    interior = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"})
    assert simplex.status == interior.status == "Optimal"
    assert simplex.iterations > 0 and interior.iterations == 0
    assert simplex.grid_mw.sum() > 100.0
    assert interior.grid_mw.sum() == pytest.approx(simplex.grid_mw.sum(), rel=1e-6)


@pytest.mark.parametrize("seed,n_z,two_stores", [(1, 2, False), (2, 3, True), (3, 4, False)])
def test_warm_started_year_reaches_the_cold_optimum(seed: int, n_z: int, two_stores: bool) -> None:
    inst, plan, horizon = _random_plan(seed, n_z, two_stores)
    cold = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"}, warm_blocks=1)
    warm = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"}, warm_blocks=26)
    assert cold.status == warm.status == "Optimal"
    assert not cold.warm and warm.warm  # the stitched basis was taken
    assert cold.grid_mw.sum() > 100.0  # a year with real shortfalls, not a trivial zero
    assert warm.grid_mw.sum() == pytest.approx(cold.grid_mw.sum(), rel=1e-6)
    assert warm.iterations < cold.iterations
    # the warm dispatch is a dispatch: every store within its size
    for tech, energy in plan.energy_by_tech().items():
        soc = warm.soc_mwh[tech]
        assert soc.min() >= -1e-6 and (soc <= energy[:, None] + 1e-6).all()


def test_long_stores_are_held_where_the_windows_meet_at_a_coarse_years_states() -> None:
    inst, plan, horizon = _random_plan(2, 3, two_stores=True)
    assert long_stores(plan) == [1]  # the 100-hour-class store, not the battery
    guide = coarse_guide(inst, plan, horizon, [1])
    assert guide is not None
    items, states = guide.states[1]
    assert states.shape == (len(items), horizon.n_t + 1)
    energy = plan.sizes[("se", (1,))][items]
    assert (states >= -1e-6).all() and (states <= energy[:, None] + 1e-6).all()
    assert states[:, 0] == pytest.approx(states[:, -1])  # the coarse year is cyclic too
    assert np.ptp(states, axis=1).max() > 1.0  # the store does move over the year
    lp = build_dispatch(inst, plan, window(horizon, 600, 684))
    guide.cut(600, 684).hold(lp)
    start, soc = lp.table("sw", (1,)), lp.table("so", (1,))
    assert start is not None and soc is not None
    assert lp.lower[start.slice] == pytest.approx(states[:, 600])
    assert lp.upper[start.slice] == pytest.approx(states[:, 600])
    last = soc.start + np.arange(soc.n_items) * soc.n_t + soc.n_t - 1
    assert lp.lower[last] == pytest.approx(states[:, 684])
    free = lp.table("sw", (0,))  # the battery still starts free
    assert free is not None and (lp.lower[free.slice] == 0).all()
    # the guide only moves simplex's start: guided or not, the year's own optimum
    simplex = {"solver": "simplex"}
    held = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26)
    loose = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26, guided=False)
    assert held.warm and loose.warm
    assert held.grid_mw.sum() == pytest.approx(loose.grid_mw.sum(), rel=1e-6)


def test_a_store_the_plan_left_out_everywhere_gets_no_guide() -> None:
    import dataclasses

    inst, plan, horizon = _random_plan(2, 3, two_stores=True)
    none = np.zeros(inst.n_zones)
    bare = dataclasses.replace(plan, sizes={**plan.sizes, ("se", (1,)): none,
                                            ("sp", (1,)): none, ("sq", (1,)): none})  # fmt: skip
    assert long_stores(bare) == []
    guide = coarse_guide(inst, bare, horizon, [0, 1])  # asked for both: only the battery has zones
    assert guide is not None and set(guide.states) == {0}


def test_an_open_window_starts_and_ends_free() -> None:
    inst, plan, horizon = _random_plan(4, 2, False)
    cyclic = build_dispatch(inst, plan, Horizon(horizon.weights[:48], horizon.period[:48],
                                                horizon.cf[:, :48], residual=True))  # fmt: skip
    free = build_dispatch(inst, plan, window(horizon, 0, 48))
    n_store_zones = 2
    assert free.n_cols == cyclic.n_cols + n_store_zones  # one start column per store zone
    assert len(free.value) == len(cyclic.value)  # the wrap entries became the start columns
    start = free.table("sw", (0,))
    assert start is not None and (free.upper[start.slice] == plan.sizes[("se", (0,))]).all()


def _residual(inst, plan, horizon) -> float:
    return float(solve_dispatch(inst, plan, horizon, options={"solver": "simplex"},
                                warm_blocks=1).grid_mw.sum())  # fmt: skip


def _resized(plan: Plan, key, z: int, delta: float) -> Plan:
    import dataclasses

    sizes = dict(plan.sizes)
    sizes[key] = sizes[key].copy()
    sizes[key][z] = max(sizes[key][z] + delta, 0.0)
    return dataclasses.replace(plan, sizes=sizes)


@pytest.mark.parametrize("seed", [5, 6])
def test_the_duals_give_a_valid_cut_on_the_residual(seed: int) -> None:
    """``R(x) >= R(x0) + g . (x - x0)`` for resized plans (the residual is convex in the sizes),
    and the derivatives are those of the LP: re-solved with each size moved a little, the
    residual moves as the duals say wherever the dual is unique."""
    inst, plan, horizon = _random_plan(seed, 3, True)
    two_weeks = slice(0, 24 * 14)
    horizon = Horizon(horizon.weights[two_weeks], horizon.period[two_weeks],
                      horizon.cf[:, two_weeks], residual=True)  # fmt: skip
    base = solve_dispatch(inst, plan, horizon, options={"solver": "simplex"}, warm_blocks=1,
                          duals=True)  # fmt: skip
    sens = base.sensitivity
    assert sens is not None
    r0 = float(base.grid_mw.sum())
    assert r0 > 10.0
    assert (sens.balance >= -1e-9).all() and (sens.balance <= 1.0 + 1e-9).all()
    rng = np.random.default_rng(seed)
    moved = 0
    for k in range(len(inst.stores)):
        energy, power = plan.sizes[("se", (k,))], plan.sizes[("sp", (k,))]
        for z in np.flatnonzero((energy > 0) & (power > 0)):
            for family in ("se", "sp", "sq"):
                key = (family, (k,))
                if key not in plan.sizes:
                    continue
                g = sens.of(family, (k,), inst.n_zones)
                for delta in rng.uniform(0.2, 0.6, 2) * np.array([1, -1]) * plan.sizes[key][z]:
                    r = _residual(inst, _resized(plan, key, int(z), delta), horizon)
                    assert r >= r0 + g[z] * delta - 1e-6 * max(1.0, r0)  # the cut holds
                    moved += abs(g[z]) > 1e-6
    assert moved > 0  # some size matters: the cut is not empty
    # one more MW of clean supply in a zone saves at most the sum of its balance duals x cf
    g_re = sens.of("r", (), len(inst.supply.tech))
    for j in range(3):
        r = _residual(inst, _resized(plan, ("r", ()), j, 1.0), horizon)
        assert r >= r0 + g_re[j] - 1e-6 * r0
        assert -g_re[j] == pytest.approx(float(sens.balance[j] @ horizon.cf[j]), rel=1e-9)


def test_the_full_year_figure_ranks_zones_by_their_own_shortfall() -> None:
    """Largest own shortfall (residual over the zone's own load) first: a big zone 30 % short
    above a small one 1 % short, whatever their sizes (the ranking once divided by load
    twice and put small zones first)."""
    from siting.plots.full_year import shortfall_order

    hours = 48
    load = np.array([1000.0, 10.0, 0.0, 200.0])
    grid = np.zeros((4, hours))
    grid[0] = 300.0  # 30 % short
    grid[1] = 0.1  # 1 % short
    grid[3, :24] = 40.0  # 10 % short over the two days
    order, cfe = shortfall_order(grid, load)
    assert order == [0, 3, 1]  # the zone without load is not drawn
    assert cfe[[0, 1, 3]] == pytest.approx([0.7, 0.99, 0.9])


def test_a_plan_without_any_store_is_checked_from_windows_too() -> None:
    """A time-limited first plan may build no storage at all: the windows' bases have empty
    store tables, and stitching them must neither fail nor change the optimum."""
    import dataclasses

    inst, plan, horizon = _random_plan(6, 3, two_stores=False)
    sizes = {k: (np.zeros_like(v) if k[0] in ("se", "sp") else v) for k, v in plan.sizes.items()}
    bare = dataclasses.replace(plan, sizes=sizes)
    cold = solve_dispatch(inst, bare, horizon, options={"solver": "simplex"}, warm_blocks=1)
    warm = solve_dispatch(inst, bare, horizon, options={"solver": "simplex"}, warm_blocks=26)
    assert cold.status == warm.status == "Optimal" and warm.warm
    assert cold.grid_mw.sum() > 100.0
    assert warm.grid_mw.sum() == pytest.approx(cold.grid_mw.sum(), rel=1e-6)


@pytest.mark.parametrize("seed,n_z", [(1, 2), (3, 4)])
def test_free_windows_bound_the_years_residual_from_below(seed: int, n_z: int) -> None:
    # each window free at its ends is a relaxation of the year: its residual is at most the
    # year's, so a plan whose windows already exceed an allowance fails on the year too
    inst, plan, horizon = _random_plan(seed, n_z, two_stores=False)
    simplex = {"solver": "simplex"}
    exact = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26)
    year = float(exact.grid_mw.sum())
    low = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26,
                         fail_above_mwh=0.0)  # fmt: skip
    assert low.bound and not exact.bound and low.status == "Bound (windows)"
    assert 0.0 < float(low.grid_mw.sum()) <= year * (1 + 1e-9)
    assert low.grid_mw.shape == exact.grid_mw.shape
    for tech, energy in plan.energy_by_tech().items():  # still a dispatch within its sizes
        assert (low.soc_mwh[tech] <= energy[:, None] + 1e-6).all()
    # an allowance the windows meet: the year's LP is solved, the optimum the same
    again = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26,
                           fail_above_mwh=2.0 * year)  # fmt: skip
    assert not again.bound and float(again.grid_mw.sum()) == pytest.approx(year, rel=1e-6)


@pytest.mark.parametrize("seed,n_z", [(2, 3), (6, 2), (7, 4)])
def test_held_long_stores_are_bounded_by_the_relaxed_coarse_year(seed: int, n_z: int) -> None:
    # a long store held at a coarse year's states makes the windows a restriction, not a
    # relaxation; the coarse year itself (block means of every hour) is one: its residual is
    # at most the year's, and spread over the hours it is still a dispatch within the sizes
    inst, plan, horizon = _random_plan(seed, n_z, two_stores=True)
    if not long_stores(plan):
        pytest.skip("this draw left the long store out")
    simplex = {"solver": "simplex"}
    exact = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26)
    year = float(exact.grid_mw.sum())
    low = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26,
                         fail_above_mwh=0.0)  # fmt: skip
    assert low.bound and low.status == "Bound (coarse year)"
    assert 0.0 < float(low.grid_mw.sum()) <= year * (1 + 1e-9)
    assert float(low.grid_mw.sum()) > 0.5 * year  # a bound that says something
    assert low.grid_mw.shape == exact.grid_mw.shape
    for tech, energy in plan.energy_by_tech().items():
        assert (low.soc_mwh[tech] >= -1e-6).all()
        assert (low.soc_mwh[tech] <= energy[:, None] + 1e-6).all()
    again = solve_dispatch(inst, plan, horizon, options=simplex, warm_blocks=26,
                           fail_above_mwh=2.0 * year)  # fmt: skip
    assert not again.bound and float(again.grid_mw.sum()) == pytest.approx(year, rel=1e-6)
