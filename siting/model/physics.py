"""Physics shared by the planning model, the full-year check and the solution tables,
written once (pure; units in brackets).

A store's state of charge [MWh of the stored medium] moves hour by hour as

    soc[t] = soc[t-1] + eta_in x charge[t] - discharge[t] / eta_out

with ``charge`` drawn from the bus and ``discharge`` delivered to it [MW over one hour].
:func:`soc_row` gives that equation's coefficients as a row ``... = 0``; both the model's
linear program (:mod:`siting.model.storage`) and the full-year dispatch
(:mod:`siting.fullyear.dispatch`) place them, and :func:`soc_gain` is the same balance on numbers
(:func:`siting.solution.unmix`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class SocRow(NamedTuple):
    """Coefficients of one state-of-charge row ``= 0`` [-]."""

    soc: float
    """On the hour's own state [MWh]."""
    previous: float
    """On the state one hour before [MWh]."""
    charge: float
    """On the hour's charging draw [MW]."""
    discharge: float
    """On the hour's discharge [MW]."""


def soc_row(eta_in: float, eta_out: float) -> SocRow:
    """``soc[t] - soc[t-1] - eta_in x charge[t] + discharge[t] / eta_out = 0``.

    Parameters
    ----------
    eta_in
        Stored energy per MWh drawn from the bus [-].
    eta_out
        MWh delivered to the bus per MWh taken from the store [-].
    """
    return SocRow(1.0, -1.0, -eta_in, 1.0 / eta_out)


def soc_gain(charge: np.ndarray, discharge: np.ndarray, eta_in: float,
             eta_out: float) -> np.ndarray:  # fmt: skip
    """The state of charge gained in each hour [MWh]: ``soc[t] - soc[t-1]`` of
    :func:`soc_row`, from charge and discharge [MW]."""
    row = soc_row(eta_in, eta_out)
    return -(row.charge * charge + row.discharge * discharge)
