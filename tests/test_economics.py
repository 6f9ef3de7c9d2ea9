"""Annuities and unit conversions against hand-computed values."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from siting.base.economics import (
    annualised_cost,
    annuity_factor,
    baseline_it_mw,
    electrical_load_mw,
)
from siting.base.technologies import default_table
from siting.config import StorageConfig
from siting.instance import storage_options


def test_annuity_factor_known_values() -> None:
    assert annuity_factor(0.07, 15) == pytest.approx(0.109795, rel=1e-5)
    assert annuity_factor(0.0, 20) == pytest.approx(0.05)
    with pytest.raises(ValueError):
        annuity_factor(0.07, 0)


def test_annualised_cost_adds_fixed_om() -> None:
    # 1000 EUR/kW, 25 y at 7 %, 2 %/yr FOM -> 85.81 + 20 EUR/kW/yr
    assert annualised_cost(1000.0, 25, 0.07, 2.0) == pytest.approx(105.81, rel=1e-4)


def test_baseline_reproduces_reported_energy() -> None:
    # DESIGN §1: 96 TWh at PUE 1.36 and utilisation 0.8 -> about 10 GW
    mw = baseline_it_mw(96.0, 1.36, 0.8)
    assert mw == pytest.approx(96e6 / (8760 * 1.36 * 0.8))
    assert electrical_load_mw(mw, 1.36, 0.8) * 8760 == pytest.approx(96e6)
    assert 9_500 < mw < 10_500


def test_storage_defaults_from_costs_table() -> None:
    # PYPSA_TD_2030 battery inverter 213.9279 EUR/kW, 0.3375 %/yr, 10 y; Li-ion block
    # 189.861 EUR/kWh, 25 y; annualised at 7 %
    battery = default_table()["battery"]
    assert pytest.approx(213_927.9 * (annuity_factor(0.07, 10) + 0.003375)) == (
        battery.capex_eur_per_mw_yr
    )
    assert pytest.approx(189_861.0 * annuity_factor(0.07, 25)) == battery.energy_eur_per_mwh_yr
    # the config's storage section leaves the table's values in force unless it gives its own
    cfg = StorageConfig()
    assert cfg.power_eur_per_mw_yr is None and cfg.energy_eur_per_mwh_yr is None
    run = SimpleNamespace(carbon=SimpleNamespace(matching="hourly"), storage=cfg, technologies={})
    first = storage_options(run, default_table(), ["A"])[0]  # type: ignore[arg-type]
    assert first.tech == "battery"
    assert first.power_eur_per_mw_yr == battery.capex_eur_per_mw_yr
    assert first.energy_eur_per_mwh_yr == battery.energy_eur_per_mwh_yr
    assert first.roundtrip_efficiency == 0.96
    cheap = StorageConfig(energy_eur_per_mwh_yr=8000.0)
    run.storage = cheap
    first = storage_options(run, default_table(), ["A"])[0]  # type: ignore[arg-type]
    assert first.energy_eur_per_mwh_yr == 8000.0
    assert first.power_eur_per_mw_yr == battery.capex_eur_per_mw_yr
