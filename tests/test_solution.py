"""Solutions re-checked from their output tables alone (target, balances, bounds)."""

from __future__ import annotations

import pytest
from recheck import recheck_run

from siting.pipeline import run


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
