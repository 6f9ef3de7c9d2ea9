"""Solutions re-checked from their output tables alone (target, balances, bounds)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from recheck import recheck_run

from siting.commands.pipeline import run


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"carbon": {"cfe_target": 0.8}},
        {"carbon": {"scope": "new"}, "target": {"increase_pct": 150}},
        {"policy": {"max_country_share": 0.6, "min_sites": 2}},
        {"economics": {"utilisation": 0.6, "wheeling_eur_per_mwh": 3.0}},
    ],
)
def test_tiny_runs_recheck(tiny_config, tmp_path, config) -> None:
    outcome = run(tiny_config(config=config), out=tmp_path / "runs")
    assert outcome.exit_code == 0 and outcome.status == "optimal"
    recheck_run(outcome.path)


def test_recheck_catches_a_tampered_table(tiny_config, tmp_path) -> None:
    """The re-check is not vacuous: lowering a zone's clean supply breaks the balance."""
    import pandas as pd

    outcome = run(tiny_config(), out=tmp_path / "runs")
    path = outcome.path / "tables" / "dispatch.csv"
    d = pd.read_csv(path)
    d.loc[0, "clean_mw"] *= 0.5
    d.to_csv(path, index=False)
    with pytest.raises(AssertionError):
        recheck_run(outcome.path)


def hourly_profiles() -> list[dict]:
    """Two representative days of three slices: a sunny and a windy one."""
    rows = []
    shapes = {
        ("A", "solar"): [0.0, 0.9, 0.1, 0.0, 0.4, 0.0],
        ("A", "onshore_wind"): [0.2, 0.1, 0.3, 0.6, 0.5, 0.7],
        ("B", "solar"): [0.0, 0.8, 0.2, 0.0, 0.3, 0.1],
        ("B", "offshore_wind"): [0.5, 0.3, 0.4, 0.9, 0.8, 0.6],
    }
    weights = [8760 / 6] * 6
    for (z, k), cf in shapes.items():
        for t, (c, w) in enumerate(zip(cf, weights, strict=True)):
            rows.append(
                {
                    "zone_id": z,
                    "tech": k,
                    "period": t // 3,
                    "slice": f"d{t // 3}h{t % 3}",
                    "weight_h": w,
                    "cf": c,
                }
            )
    return rows


@pytest.mark.parametrize("cfe", [1.0, 0.9])
def test_tiny_hourly_runs_recheck(tiny_config, tmp_path, cfe) -> None:
    cfg = tiny_config(
        config={"carbon": {"matching": "hourly", "cfe_target": cfe}}, profiles=hourly_profiles()
    )
    outcome = run(cfg, out=tmp_path / "runs")
    assert outcome.status == "optimal"
    checked = recheck_run(outcome.path)
    assert checked["cfe_score"] >= cfe - 1e-9
    assert (outcome.path / "dispatch.png").is_file() and (outcome.path / "dispatch.svg").is_file()
    import pandas as pd

    d = pd.read_csv(outcome.path / "tables" / "dispatch.csv")
    assert d["slice"].nunique() == 6
    # per-technology clean supply adds up to the total
    tech_cols = [c for c in d.columns if c.startswith("clean_") and c != "clean_mw"]
    assert (d[tech_cols].sum(axis=1) - d["clean_mw"]).abs().max() < 1e-6
    # storage state of charge stays within its energy size: re-integrate net flows per day
    eta = 0.96**0.5
    z = pd.read_csv(outcome.path / "tables" / "zones.csv").set_index("zone_id")
    for (zone, _), g in d.groupby(["zone_id", "period"]):
        level = (eta * g["charge_mw"] - g["discharge_mw"] / eta).cumsum()
        assert abs(level.iloc[-1]) < 1e-6  # back to the start at the end of each day
        assert level.max() - level.min() <= z.loc[zone, "storage_mwh"] + 1e-6


@given(
    st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500)), min_size=1, max_size=40),
    st.floats(0.3, 1.0),
    st.floats(0.3, 1.0),
)
def test_unmix_keeps_every_state_of_charge_and_only_frees_surplus(
    pairs: list[tuple[float, float]], eta_in: float, eta_out: float
) -> None:
    import numpy as np

    from siting.solution import unmix

    charge, discharge = (np.array(x) for x in zip(*pairs, strict=True))
    c, d = unmix(charge, discharge, eta_in, eta_out)
    assert not np.any((c > 0) & (d > 0))
    assert np.all(c <= charge + 1e-9) and np.all(d <= discharge + 1e-9)
    assert np.all(c >= 0) and np.all(d >= 0)
    # the state of charge moves exactly as before in every slice
    np.testing.assert_allclose(eta_in * c - d / eta_out, eta_in * charge - discharge / eta_out,
                               atol=1e-9)  # fmt: skip
    # the zone's net supply from the store can only rise: the rest is curtailed surplus
    assert np.all((d - c) >= (discharge - charge) - 1e-9)


def test_an_hourly_run_never_charges_and_discharges_at_once(tiny_config, tmp_path) -> None:
    import pandas as pd

    cfg = tiny_config(config={"carbon": {"matching": "hourly", "cfe_target": 1.0},
                              "storage": {"enabled": True}},
                      profiles=hourly_profiles())  # fmt: skip
    outcome = run(cfg, out=tmp_path / "runs")
    d = pd.read_csv(outcome.path / "tables" / "dispatch.csv")
    assert (d[["charge_mw", "discharge_mw"]].min(axis=1) <= 1e-3).all()
    s = outcome.summary
    assert s["annual_curtailment_mwh"] == pytest.approx(
        float((d["curtailment_mw"] * d["weight_h"]).sum())
    )
    assert s["annual_clean_used_mwh"] + s["annual_curtailment_mwh"] == pytest.approx(
        float((d["clean_mw"] * d["weight_h"]).sum())
    )
    recheck_run(outcome.path)
