"""Cost arithmetic: annuities and annualised capacity costs.

Pure functions, grouped like pvlib's physical-domain modules. Every cost the model sees is
an annualised cost in EUR per year, so investment figures are converted here once.
"""

from __future__ import annotations

HOURS_PER_YEAR = 8760.0
"""Hours in a (non-leap) model year [h]."""


def annuity_factor(discount_rate: float, lifetime_years: float) -> float:
    """Capital recovery factor.

    Parameters
    ----------
    discount_rate
        Real discount rate [1/yr], e.g. 0.07.
    lifetime_years
        Economic lifetime [yr].

    Returns
    -------
    float
        Share of the investment paid each year [1/yr]:
        ``r / (1 - (1 + r) ** -n)``, or ``1 / n`` when ``r == 0``.
    """
    if lifetime_years <= 0:
        raise ValueError(f"lifetime_years must be positive, got {lifetime_years}")
    if discount_rate == 0:
        return 1.0 / lifetime_years
    return discount_rate / (1.0 - (1.0 + discount_rate) ** -lifetime_years)


def annualised_cost(
    investment: float,
    lifetime_years: float,
    discount_rate: float,
    fom_pct_per_year: float = 0.0,
) -> float:
    """Annualised cost of one unit of capacity.

    Parameters
    ----------
    investment
        Overnight investment per unit [EUR/unit], e.g. [EUR/MW].
    lifetime_years
        Economic lifetime [yr].
    discount_rate
        Real discount rate [1/yr].
    fom_pct_per_year
        Fixed operation and maintenance as a percentage of investment [%/yr].

    Returns
    -------
    float
        Annuity plus fixed O&M [EUR/unit/yr].
    """
    return investment * (annuity_factor(discount_rate, lifetime_years) + fom_pct_per_year / 100.0)


def baseline_it_mw(electricity_twh: float, pue: float, utilisation: float) -> float:
    """IT capacity whose modelled load reproduces a reported annual electricity use.

    Parameters
    ----------
    electricity_twh
        Annual data-centre electricity use [TWh/yr].
    pue
        Power usage effectiveness of the fleet [-].
    utilisation
        Average IT draw over installed IT capacity [-].

    Returns
    -------
    float
        Installed IT capacity [MW]: ``TWh * 1e6 / (8760 * pue * utilisation)``.
    """
    return electricity_twh * 1e6 / (HOURS_PER_YEAR * pue * utilisation)


def electrical_load_mw(it_mw: float, pue: float, utilisation: float) -> float:
    """Average electrical load of data-centre IT capacity.

    Parameters
    ----------
    it_mw
        Installed IT capacity [MW].
    pue
        Power usage effectiveness [-].
    utilisation
        Average IT draw over installed IT capacity [-].

    Returns
    -------
    float
        Average electrical load at the grid connection [MW].
    """
    return pue * utilisation * it_mw
