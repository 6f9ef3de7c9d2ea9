"""Published parameter sets, kept as named data with their source keys.

Source keys refer to ``datasets/sources/SOURCES.md``. Values are 2030 projections in EUR2025
unless stated. Technology costs and efficiencies live in the technology table
(:mod:`siting.base.technologies`).
"""

from __future__ import annotations

from typing import Final

DISCOUNT_RATE: Final[float] = 0.07
"""Real discount rate for all non-decentral assets [1/yr] (PYPSA_EUR_CFG)."""

EU_FLEET_PUE: Final[float] = 1.36
"""Weighted average PUE of the EU data-centre fleet, first EED reporting (EED_DASH_2025)."""

DEFAULT_UTILISATION: Final[float] = 0.8
"""Average IT draw over installed IT capacity used to derive the baseline capacity from its energy [-]
(``docs/model.md``)."""

# Latency (docs/model.md, latency rows): RTT = 2 x great-circle km x route factor / fibre speed.
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

# Grid (docs/model.md, Grid exchange and Reinforcement)
REINFORCEMENT_EUR_PER_KW: Final[float] = 188.6
"""Local grid and substation reinforcement for a new large consumer, overnight, per kW of
connected load [EUR/kW] (PYPSA_TD_2030: DEA catalogue's cost of grid expansion, 2030, EUR2025)."""

REINFORCEMENT_LIFETIME_Y: Final[float] = 40.0
"""Economic lifetime of that reinforcement [yr] (PYPSA_TD_2030)."""

REINFORCEMENT_FOM_PCT: Final[float] = 2.0
"""Its fixed operation and maintenance [%/yr of the investment] (PYPSA_TD_2030)."""

SURPLUS_PRICE_SHARE: Final[float] = 0.5
"""Price of surplus clean energy sold to the grid over the zone's mean wholesale price [-].
ASSUMPTION: surplus comes in the hours when wind and solar run high across the market and
prices are low, so it fetches less than the year's mean price; half is a round guess."""

MAX_SURPLUS_SHARE: Final[float] = 0.2
"""Most surplus sold over a year beyond the zone's own grid purchases, as a share of its
data-centre load [-]: the limit PyPSA's 24/7 CFE study puts on a buyer's excess so that it
does not become a merchant generator (RIEPIN_BROWN_2022, ``excess_share: 0.2``)."""
