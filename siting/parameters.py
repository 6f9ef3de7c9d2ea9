"""Published parameter sets, kept as named data with their source keys.

Source keys refer to ``datasets/README.md`` (which mirrors the project's fact sheet).
Values are 2030 projections in EUR2025 unless stated.
"""

from __future__ import annotations

from typing import Final

from siting.economics import annualised_cost

TECHS: Final[tuple[str, ...]] = ("solar", "onshore_wind", "offshore_wind", "hydro", "nuclear")
"""Clean technologies the model knows. Firm ones are limited to their ``potential_mw``."""

VARIABLE_TECHS: Final[frozenset[str]] = frozenset({"solar", "onshore_wind", "offshore_wind"})

DISCOUNT_RATE: Final[float] = 0.07
"""Real discount rate for all non-decentral assets [1/yr] (PYPSA_EUR_CFG)."""

EU_FLEET_PUE: Final[float] = 1.36
"""Weighted average PUE of the EU data-centre fleet, first EED reporting (EED_DASH_2025)."""

DEFAULT_UTILISATION: Final[float] = 0.8
"""Average IT draw over installed IT capacity used by DESIGN §1 for the baseline [-]."""

# Battery storage (PYPSA_TD_2030, DEA Li-ion): the inverter sets the power cost, the
# battery block the energy cost; PyPSA-Eur charges and discharges at sqrt(0.96) each way.
BATTERY_INVERTER_EUR_PER_KW: Final[float] = 213.9279
BATTERY_INVERTER_FOM_PCT: Final[float] = 0.3375
BATTERY_INVERTER_LIFETIME_Y: Final[float] = 10.0
BATTERY_ENERGY_EUR_PER_KWH: Final[float] = 189.861
BATTERY_ENERGY_LIFETIME_Y: Final[float] = 25.0
BATTERY_ROUNDTRIP_EFFICIENCY: Final[float] = 0.96

STORAGE_POWER_EUR_PER_MW_YR: Final[float] = annualised_cost(
    BATTERY_INVERTER_EUR_PER_KW * 1e3,
    BATTERY_INVERTER_LIFETIME_Y,
    DISCOUNT_RATE,
    BATTERY_INVERTER_FOM_PCT,
)
"""Annualised battery power (inverter) cost [EUR/MW/yr]."""

STORAGE_ENERGY_EUR_PER_MWH_YR: Final[float] = annualised_cost(
    BATTERY_ENERGY_EUR_PER_KWH * 1e3, BATTERY_ENERGY_LIFETIME_Y, DISCOUNT_RATE
)
"""Annualised battery energy cost [EUR/MWh/yr]."""

# Latency (DESIGN §4.7): RTT = 2 x great-circle km x route factor / fibre speed.
FIBRE_KM_PER_MS: Final[float] = 200.0
"""Light in single-mode fibre, rounded from 204,190 km/s [km/ms] (FIBRE_SOL)."""

LATENCY_ROUTE_FACTOR: Final[float] = 2.1
"""Measured Internet latency over line-of-sight at fibre speed [-] (BOZKURT_2018; 1.3 is
the latency-optimal conduit path)."""

INFERENCE_SHARE: Final[float] = 0.35
"""Inference share of data-centre demand by 2030, midpoint of 30-40 % [-] (MCKINSEY_2025)."""

WUE_L_PER_KWH: Final[float] = 1.8
"""Industry-average water usage effectiveness, site water per IT energy [L/kWh]
(WUE_SECONDARY: 1.8-1.9; Microsoft's fleet 0.27-0.30, closed loop ~0)."""
