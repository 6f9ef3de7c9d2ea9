"""Grid reinforcement for new load: the sourced default, per-zone rates and multipliers,
in the cost breakdown and re-checked from the input layers."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from recheck import recheck_run
from test_hosting import ZONES

from siting.cli import main
from siting.commands.pipeline import run
from siting.config import GridConnectionConfig


def test_the_default_is_the_danish_figure_annualised_by_hand() -> None:
    # 188.6 EUR/kW (PYPSA_TD_2030, DEA), 40 years at 7 %, 2 %/yr O&M
    annuity = 0.07 / (1.0 - 1.07**-40)
    assert GridConnectionConfig().reinforcement_eur_per_mw_yr == pytest.approx(
        188.6e3 * (annuity + 0.02), abs=0.1
    )


def test_reinforcement_per_zone_in_the_cost_breakdown(tiny_config, tmp_path) -> None:
    zones = [dict(ZONES[0], reinforcement_multiplier=3.0),
             dict(ZONES[1], reinforcement_eur_per_mw_yr=50_000.0)]  # fmt: skip
    cfg = tiny_config(
        zones=zones, config={"grid_connection": {"reinforcement_eur_per_mw_yr": 20_000.0}}
    )
    path = run(cfg, out=tmp_path / "runs").path
    sites = pd.read_csv(path / "tables" / "sites.csv").set_index("site_id")
    pue = pd.read_csv(tmp_path / "data" / "sites.csv").set_index("site_id")["pue"]
    rate = {"A": 3.0 * 20_000.0, "B": 50_000.0}  # per MW of connected load
    expected = sum(
        sites.at[s, "new_it_mw"] * pue[s] * rate[sites.at[s, "zone_id"]] for s in sites.index
    )
    assert expected > 0
    summary = json.loads((path / "summary.json").read_text())
    assert summary["cost_breakdown_eur_per_yr"]["reinforcement"] == pytest.approx(expected)
    assert sites["reinforcement_eur_per_yr"].sum() == pytest.approx(expected)
    recheck_run(path)


def test_the_recheck_catches_a_wrong_reinforcement_cost(tiny_config, tmp_path) -> None:
    path = run(tiny_config(zones=ZONES), out=tmp_path / "runs").path
    recheck_run(path)
    summary = json.loads((path / "summary.json").read_text())
    summary["cost_breakdown_eur_per_yr"]["reinforcement"] *= 0.5
    (path / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(AssertionError, match="reinforcement"):
        recheck_run(path)


def test_bad_reinforcement_input_is_refused(tiny_config, capsys) -> None:
    bad = [dict(ZONES[0], reinforcement_multiplier=-1.0), ZONES[1]]
    assert main(["validate", str(tiny_config(zones=bad))]) == 2
    err = capsys.readouterr().err
    assert "reinforcement_multiplier" in err and "Traceback" not in err
