"""The MILP against brute force on tiny instances, and hand-computed optima."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pytest
from conftest import make_instance

from siting.config import SolverConfig
from siting.model import build_model
from siting.solution import extract_solution
from siting.solve.solvers import SolverStatus, solve

EXACT = SolverConfig(mip_gap=0.0, time_limit_s=60)


def zone_energy_cost(inst, z: int, load_mw: float) -> float:
    """Cheapest way to cover an annual average load in one isolated zone [EUR/yr].

    Greedy by cost per MWh is optimal for a single balance row with bounded options; the
    residual grid may cover up to (1 - cfe) of the load.
    """
    hours = float(inst.time.weight_h.sum())
    options = []
    for j in np.flatnonzero(inst.supply.zone == z):
        cf = float(inst.supply.cf[j].mean())
        head = max(inst.supply.potential_mw[j] - inst.supply.existing_mw[j], 0.0)
        if cf > 0 and head > 0:
            options.append((inst.supply.capex_eur_per_mw_yr[j] / (cf * hours), head * cf))
    if inst.settings.cfe_target < 1:
        options.append(
            (inst.zones.grid_cost_eur_per_mwh[z], (1 - inst.settings.cfe_target) * load_mw)
        )
    cost, left = 0.0, load_mw
    for price_per_mwh, mw in sorted(options):
        take = min(left, mw)
        cost += take * hours * price_per_mwh
        left -= take
        if left <= 1e-9:
            return cost
    return math.inf


def brute_force(inst) -> float:
    """Optimal cost by enumerating every module count at every site (no links)."""
    assert not inst.links.ids
    best = math.inf
    ranges = [
        range(int(m) + 1) if inst.sites.eligible[s] else range(1)
        for s, m in enumerate(inst.sites.max_modules)
    ]
    for modules in itertools.product(*ranges):
        m = np.array(modules, dtype=float)
        new = m * inst.sites.module_it_mw
        built = m > 0
        if new.sum() < inst.required_new_mw - 1e-9 or (inst.sites.forced & ~built).any():
            continue
        if not (
            inst.settings.min_sites
            <= built.sum()
            <= (inst.settings.max_sites if inst.settings.max_sites is not None else 10**9)
        ):
            continue
        if inst.settings.max_country_share is not None:
            countries = np.array([inst.zones.country[z] for z in inst.sites.zone])
            if any(
                new[countries == c].sum() > inst.settings.max_country_share * new.sum() + 1e-9
                for c in set(countries)
            ):
                continue
        cost = float(
            (inst.sites.fixed_eur_per_yr * built).sum()
            + (inst.sites.capex_eur_per_mw_yr * new).sum()
        )
        for z in range(inst.n_zones):
            load = inst.fixed_load_mw[z] + float(
                (inst.new_load_per_mw * new)[inst.sites.zone == z].sum()
            )
            cost += zone_energy_cost(inst, z, load)
        best = min(best, cost)
    return best


def random_instance(seed: int):
    rng = np.random.default_rng(seed)
    n_z = int(rng.integers(1, 4))
    n_s = int(rng.integers(3, 9))
    techs = []
    re_zone = []
    for z in range(n_z):
        for k in ("solar", "onshore_wind"):
            techs.append(k)
            re_zone.append(z)
    return make_instance(
        zone_ids=[f"Z{z}" for z in range(n_z)],
        zone_country=[f"C{z % 2}" for z in range(n_z)],
        baseline_it_mw=rng.uniform(10, 80, n_z).round(1),
        baseline_pue=rng.uniform(1.2, 1.6, n_z).round(2),
        grid_cost_eur_per_mwh=rng.uniform(60, 200, n_z).round(0),
        site_ids=[f"S{s}" for s in range(n_s)],
        site_zone=rng.integers(0, n_z, n_s),
        existing_it_mw=np.where(rng.random(n_s) < 0.3, 10.0, 0.0),
        max_it_mw=rng.choice([60.0, 110.0, 160.0], n_s),
        module_it_mw=rng.choice([25.0, 50.0], n_s),
        site_capex_eur_per_mw_yr=rng.uniform(0.8e6, 1.3e6, n_s).round(-3),
        site_fixed_eur_per_yr=rng.uniform(0, 3e7, n_s).round(-4),
        site_pue=rng.uniform(1.1, 1.4, n_s).round(2),
        eligible=rng.random(n_s) < 0.9,
        re_tech=techs,
        re_zone=re_zone,
        re_potential_mw=rng.uniform(100, 3000, len(techs)).round(0),
        re_capex_eur_per_mw_yr=rng.uniform(4e4, 1.5e5, len(techs)).round(-2),
        re_cf=rng.uniform(0.1, 0.4, (len(techs), 1)).round(3),
        multiplier=float(rng.choice([1.5, 2.0, 3.0])),
        cfe_target=float(rng.choice([1.0, 0.9, 0.7])),
        max_country_share=float(rng.choice([0.6, 0.8])) if n_z > 1 else None,
        min_sites=int(rng.integers(0, 3)),
    )


@functools.cache
def brute_force_seed(seed: int) -> float:
    return brute_force(random_instance(seed))


@pytest.mark.parametrize("seed", range(10))
def test_solver_matches_brute_force(seed: int) -> None:
    inst = random_instance(seed)
    expected = brute_force_seed(seed)
    model = build_model(inst)
    result = solve(model, EXACT)
    if math.isinf(expected):
        assert result.status == SolverStatus.INFEASIBLE
    else:
        assert result.status == SolverStatus.OPTIMAL
        assert result.objective == pytest.approx(expected, rel=1e-7)


def test_brute_force_instances_are_not_trivial() -> None:
    """Most seeds are feasible and need more than one site, so the comparison bites."""
    outcomes = [brute_force_seed(seed) for seed in range(10)]
    assert sum(math.isfinite(x) for x in outcomes) >= 7


def test_hand_computed_single_site() -> None:
    # 100 MW baseline, x2 -> 100 MW new at one site in modules of 50 MW
    inst = make_instance(
        baseline_it_mw=[100.0],
        baseline_pue=[1.5],
        site_ids=["S"],
        max_it_mw=[200.0],
        module_it_mw=[50.0],
        site_capex_eur_per_mw_yr=[1e6],
        site_fixed_eur_per_yr=[1e7],
        site_pue=[1.25],
        re_tech=["solar"],
        re_capex_eur_per_mw_yr=[87_600.0],
        re_cf=[[0.25]],
    )
    # load = 0.8 * (1.5 * 100 + 1.25 * 100) = 220 MW avg -> 880 MW solar at 87.6 kEUR/MW/yr
    expected = 1e7 + 100 * 1e6 + 880 * 87_600.0
    model = build_model(inst)
    res = solve(model, EXACT)
    sol = extract_solution(model, res)
    assert res.objective == pytest.approx(expected)
    assert sol.sites["new_it_mw"].tolist() == [100.0]
    assert sol.renewables["new_mw"].iloc[0] == pytest.approx(880.0)


def two_zones_one_link(capacity_mw: float, efficiency: float = 1.0):
    """Zone B has 100 MW of baseline but no clean options; A can export over one link."""
    return make_instance(
        zone_ids=["A", "B"],
        baseline_it_mw=[0.0, 100.0],
        multiplier=1.0,
        re_tech=["solar"],
        re_zone=[0],
        re_cf=[[0.5]],
        re_capex_eur_per_mw_yr=[10_000.0],
        link_ids=["A-B"],
        link_from=[0],
        link_to=[1],
        link_capacity_mw=[capacity_mw],
        link_usable_mw=[capacity_mw],
        link_efficiency=[efficiency],
    )


def test_link_carries_cheaper_energy_with_losses() -> None:
    model = build_model(two_zones_one_link(500.0, efficiency=0.9))
    sol = extract_solution(model, solve(model, EXACT))
    load_b = 0.8 * 1.36 * 100
    assert sol.flows["flow_mw"].iloc[0] == pytest.approx(load_b / 0.9)
    assert sol.renewables["new_mw"].iloc[0] == pytest.approx(load_b / 0.9 / 0.5)


def test_link_capacity_binds_and_makes_it_infeasible() -> None:
    res = solve(build_model(two_zones_one_link(50.0)), EXACT)
    assert res.status == SolverStatus.INFEASIBLE


def test_forced_and_forbidden_sites() -> None:
    kw = dict(
        baseline_it_mw=[100.0],
        site_ids=["cheap", "dear"],
        max_it_mw=[200.0, 200.0],
        module_it_mw=[100.0, 100.0],
        site_capex_eur_per_mw_yr=[1e6, 2e6],
        re_tech=["solar"],
    )
    base = extract_solution(m := build_model(make_instance(**kw)), solve(m, EXACT))
    assert base.sites.set_index("site_id")["new_it_mw"].to_dict() == {"cheap": 100.0, "dear": 0.0}
    forced = extract_solution(
        m := build_model(make_instance(**kw, forced=[False, True])), solve(m, EXACT)
    )
    assert forced.sites.set_index("site_id")["built"].to_dict() == {"cheap": False, "dear": True}
    barred = extract_solution(
        m := build_model(make_instance(**kw, eligible=[False, True])), solve(m, EXACT)
    )
    assert barred.sites.set_index("site_id")["new_it_mw"].to_dict() == {"cheap": 0.0, "dear": 100.0}


def test_country_share_spreads_capacity() -> None:
    inst = make_instance(
        zone_ids=["A", "B"],
        zone_country=["AA", "BB"],
        baseline_it_mw=[100.0, 0.0],
        site_ids=["a", "b"],
        site_zone=[0, 1],
        max_it_mw=[100.0, 100.0],
        module_it_mw=[10.0, 10.0],
        site_capex_eur_per_mw_yr=[1e6, 3e6],
        re_tech=["solar", "solar"],
        re_zone=[0, 1],
        max_country_share=0.6,
    )
    sol = extract_solution(m := build_model(inst), solve(m, EXACT))
    new = sol.sites.set_index("site_id")["new_it_mw"]
    assert new["a"] == pytest.approx(60.0) and new["b"] == pytest.approx(40.0)


def test_variables_named_by_index_so_colliding_ids_are_safe() -> None:
    inst = make_instance(
        baseline_it_mw=[10.0],
        site_ids=["DE-1", "DE_1"],
        max_it_mw=[10.0, 10.0],
        module_it_mw=[10.0, 10.0],
        site_capex_eur_per_mw_yr=[1.0, 2.0],
        re_tech=["solar"],
    )
    model = build_model(inst)
    names = [v.name for v in model.problem.variables()]
    assert len(names) == len(set(names))
    sol = extract_solution(model, solve(model, EXACT))
    assert sol.sites.set_index("site_id")["new_it_mw"].to_dict() == {"DE-1": 10.0, "DE_1": 0.0}


def night_and_day(**kw):
    """One zone, one site, two one-hour slices of one period: full sun, then night.

    Load is flat at 100 MW (50 MW baseline + 50 MW new, PUE 1, utilisation 1). Solar costs
    50 kEUR/MW/yr; wind (CF 0.5 flat) 100 kEUR/MW/yr; storage 10 kEUR/MWh/yr and
    30 kEUR/MW/yr at 81 % round trip (90 % each way).
    """
    base = dict(
        baseline_it_mw=[50.0],
        baseline_pue=[1.0],
        utilisation=1.0,
        site_ids=["S"],
        max_it_mw=[50.0],
        module_it_mw=[50.0],
        site_capex_eur_per_mw_yr=[1e6],
        site_fixed_eur_per_yr=[2e6],
        site_pue=[1.0],
        re_tech=["solar", "onshore_wind"],
        re_zone=[0, 0],
        re_capex_eur_per_mw_yr=[50_000.0, 100_000.0],
        re_cf=[[1.0, 0.0], [0.5, 0.5]],
        slice_ids=["day", "night"],
        weight_h=[4380.0, 4380.0],
        period=[0, 0],
        matching="hourly",
        storage_enabled=True,
        storage_energy_eur_per_mwh_yr=10_000.0,
        storage_power_eur_per_mw_yr=30_000.0,
        storage_roundtrip_efficiency=0.81,
        grid_cost_eur_per_mwh=[10.0],
    )
    base.update(kw)
    return make_instance(**base)


def test_hourly_hand_computed_optimum_with_storage() -> None:
    # Night: discharge 100 MW, drawing 100/0.9 = 111.1 MWh from the store (its energy size).
    # Day: charge 111.1/0.9 = 123.46 MW (the power size) on top of the 100 MW load, so
    # solar is 223.46 MW. Wind is dearer: 2 MW per MW of night load (200 kEUR), saving
    # only 1 MW of solar (50 kEUR), against 109.8 kEUR via storage.
    model = build_model(night_and_day())
    res = solve(model, EXACT)
    sol = extract_solution(model, res)
    energy = 100 / 0.9
    power = energy / 0.9
    solar = 100 + power
    expected = 2e6 + 50 * 1e6 + solar * 50_000 + energy * 10_000 + power * 30_000
    assert res.status == SolverStatus.OPTIMAL
    assert res.objective == pytest.approx(expected, rel=1e-9)
    re = sol.renewables.set_index("tech")["new_mw"]
    assert re["solar"] == pytest.approx(solar) and re["onshore_wind"] == pytest.approx(
        0.0, abs=1e-6
    )
    assert sol.summary["storage_mwh"] == pytest.approx(energy)
    assert sol.summary["storage_mw"] == pytest.approx(power)
    d = sol.dispatch.set_index("slice")
    assert d.loc["day", "storage_mw"] == pytest.approx(-power)
    assert d.loc["night", "storage_mw"] == pytest.approx(100.0)
    assert sol.summary["cfe_score"] == pytest.approx(1.0)


def test_hourly_cheap_grid_takes_the_night_when_cfe_allows() -> None:
    # CFE 50 %: the grid may supply half the annual energy, exactly the night's 438 GWh, at
    # 10 EUR/MWh (4.38 M EUR) instead of storage (10.98 M EUR).
    model = build_model(night_and_day(cfe_target=0.5))
    res = solve(model, EXACT)
    sol = extract_solution(model, res)
    expected = 2e6 + 50 * 1e6 + 100 * 50_000 + 100 * 4380 * 10.0
    assert res.objective == pytest.approx(expected, rel=1e-9)
    assert sol.summary["storage_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert sol.summary["cfe_score"] == pytest.approx(0.5)
    assert sol.summary["emissions_t_per_yr"] == pytest.approx(100 * 4380 * 300 / 1000)


def test_state_of_charge_is_cyclic_per_period() -> None:
    # Two one-day periods: sun only in period 0, so period 1 cannot borrow its energy and
    # the plan is infeasible without wind: storage does not carry energy between days.
    inst = night_and_day(
        re_tech=["solar"],
        re_zone=[0],
        re_capex_eur_per_mw_yr=[50_000.0],
        re_cf=[[1.0, 0.0, 0.0, 0.0]],
        slice_ids=["d0h0", "d0h1", "d1h0", "d1h1"],
        weight_h=[2190.0] * 4,
        period=[0, 0, 1, 1],
    )
    assert solve(build_model(inst), EXACT).status == SolverStatus.INFEASIBLE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fixed_sites_make_a_pure_lp_with_the_same_optimum(seed: int) -> None:
    """``fix_sites`` (the guarantee's re-solves) leaves no integer column and the optimum."""
    from siting.model import fix_sites

    inst = random_instance(seed)
    model = build_model(inst)
    first = solve(model, EXACT)
    if not first.status.has_solution:
        pytest.skip("this seed is infeasible")
    build = [None if v is None else v.varValue for v in model.build]
    size = [None if v is None else v.varValue for v in model.size]
    again = build_model(inst)
    fix_sites(again, build, size)
    assert not again.problem.isMIP()
    second = solve(again, EXACT)
    assert second.status == SolverStatus.OPTIMAL
    assert second.objective == pytest.approx(brute_force_seed(seed), rel=1e-7)
