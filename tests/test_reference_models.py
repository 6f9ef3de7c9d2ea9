"""The benchmark's reference formulations (direct matrix, linopy) solve the same model.

``benchmarks/run.py`` compares siting's PuLP build with these; the comparison is honest only
if all three are the same MILP. Each instance is solved to a zero gap by all three.
"""

from __future__ import annotations

import itertools
import sys

import highspy
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

from reference import build_linopy, build_matrix, pass_matrix
from synthetic import Size, write_instance

from siting.commands.pipeline import validate
from siting.config import SolverConfig
from siting.model import build_model
from siting.solve.solvers import solve

HOURLY_PROFILES = [
    {"zone_id": z, "tech": k, "slice": f"d{d}h{h}", "period": d, "weight_h": 8760 / 8,
     "cf": cf}
    for z in ("A", "B")
    for k, base in (("solar", 0.3), ("onshore_wind", 0.4), ("offshore_wind", 0.5))
    for d in (0, 1)
    for h, cf in enumerate([0.0, base, base * 1.5, 0.1] if k == "solar" else [base, 0.1, base, 0.6])
]  # fmt: skip


def three_optima(cfg_path) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    _, _, inst = validate(cfg_path)
    model = build_model(inst)
    res = solve(model, SolverConfig(mip_gap=0.0, time_limit_s=120))
    matrix = build_matrix(inst)
    assert matrix.n_cols == model.n_variables and matrix.n_rows == model.n_constraints
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    scaling = pass_matrix(matrix, h)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    lm = build_linopy(inst)
    status, _ = lm.solve(solver_name="highs", mip_rel_gap=0.0, output_flag=False)
    assert status == "ok"
    matrix_obj = h.getInfo().objective_function_value * scaling.objective
    return res.objective, matrix_obj, float(lm.objective.value)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"policy": {"max_country_share": 0.6, "min_sites": 2, "forced_sites": ["B-1"]}},
        {"policy": {"max_sites": 2}, "economics": {"wheeling_eur_per_mwh": 3.0}},
    ],
    ids=["annual", "policy", "max-sites-wheeling"],
)
def test_annual_models_agree(tiny_config, config) -> None:
    a, b, c = three_optima(tiny_config(config=config))
    assert b == pytest.approx(a, rel=1e-7) and c == pytest.approx(a, rel=1e-7)


@pytest.mark.parametrize("cfe", [1.0, 0.8])
def test_hourly_models_with_storage_agree(tiny_config, cfe) -> None:
    cfg = tiny_config(
        profiles=HOURLY_PROFILES,
        config={
            "carbon": {"matching": "hourly", "cfe_target": cfe},
            "target": {"increase_pct": 100},
        },
    )
    a, b, c = three_optima(cfg)
    assert b == pytest.approx(a, rel=1e-7) and c == pytest.approx(a, rel=1e-7)


@pytest.mark.parametrize("storage", [True, False])
def test_synthetic_instance_agrees(tmp_path, storage) -> None:
    cfg = write_instance(Size(10, 40, 24, storage=storage, seed=3), tmp_path / "syn")
    a, b, c = three_optima(cfg)
    assert b == pytest.approx(a, rel=1e-7) and c == pytest.approx(a, rel=1e-7)


def test_continuous_sites_agree(tiny_config) -> None:
    from conftest import tiny_layers  # noqa: F401  (sites without modules: continuous MW)

    sites = [
        {"site_id": "A-1", "x": 20_000, "y": 50_000, "max_it_mw": 400.0, "existing_it_mw": 50.0,
         "capex_eur_per_mw_yr": 1.0e6, "fixed_eur_per_yr": 5.0e6, "pue": 1.2},
        {"site_id": "B-1", "x": 150_000, "y": 50_000, "max_it_mw": 300.0,
         "capex_eur_per_mw_yr": 1.1e6, "fixed_eur_per_yr": 2.0e6, "pue": 1.1},
    ]  # fmt: skip
    a, b, c = three_optima(tiny_config(sites=sites))
    assert b == pytest.approx(a, rel=1e-7) and c == pytest.approx(a, rel=1e-7)


def test_symmetry_rows_keep_the_optimum() -> None:
    """Ordering identical candidates (most European candidates) changes no optimum."""
    from siting.model import identical_sites

    # the one-slice screening: its exact optimum takes seconds (the hourly settlement minutes)
    _, _, inst = validate(REPO / "configs" / "europe-2030-triple.yaml",
                          ["carbon.annual_accounting=netted"])  # fmt: skip
    groups = identical_sites(inst)
    assert sum(len(g) for g in groups) > 150 and len(groups) > 20
    gap0 = SolverConfig(mip_gap=0.0, time_limit_s=120)
    plain = solve(build_model(inst), gap0)
    ordered_model = build_model(inst, symmetry_breaking=True)
    ordered = solve(ordered_model, gap0)
    assert ordered.objective == pytest.approx(plain.objective, rel=1e-9)
    matrix = build_matrix(inst, symmetry_breaking=True)
    assert matrix.n_rows == ordered_model.n_constraints
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    scaling = pass_matrix(matrix, h)
    h.run()
    assert h.getInfo().objective_function_value * scaling.objective == pytest.approx(
        plain.objective, rel=1e-9
    )
    # built capacity is non-increasing along each group, in ID order
    sizes = [v.varValue if v is not None else 0.0 for v in ordered_model.size]
    for g in groups:
        assert all(sizes[a] >= sizes[b] - 1e-9 for a, b in itertools.pairwise(g))
