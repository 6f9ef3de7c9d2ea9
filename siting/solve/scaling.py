"""Scaling: the model in solver-friendly units, converted back at the boundary.

The model is written in the units planners read (EUR/yr, MW, MWh), where one site module
costs 1.5e8 EUR/yr and a zone's solar potential is 1.6e6 MW. HiGHS warns about such
magnitudes ("excessively large costs / column bounds") because its tolerances are absolute
(1e-7): a cost of 1e8 against a dual tolerance of 1e-7 is a ratio of 1e15.

Two powers of two fix that without touching the model (powers of two, so that scaling and
unscaling are exact in floating point):

- every continuous column is measured in units of ``2**k`` of its own unit (``k`` chosen so that
  the largest finite bound or right-hand side is at most :data:`TARGET_QUANTITY`), and every row
  with a continuous column is divided by the same factor, so that its coefficients on
  continuous columns are unchanged and only integer coefficients and right-hand sides shrink;
- the objective is divided by ``2**m`` so that its largest coefficient is at most
  :data:`TARGET_COST`.

Integer columns keep their unit (a count of modules stays a count). Any row may be scaled
this way (it is only a multiplication of both sides), so the optimum is the same; only the
numbers HiGHS works with change. :func:`unscale_values` and :func:`unscale_objective` turn the
solver's answer back into model units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

TARGET_QUANTITY = 1.0e5
"""Largest finite |bound| or |right-hand side| of continuous columns after scaling [-]."""
TARGET_COST = 1.0e6
"""Largest |cost coefficient| after scaling [-].

Both targets sit just inside what HiGHS accepts without its warning, rather than at 1: on
europe-2030-247 (12 linked days) interior point took 232 s unscaled, 252 s at these targets
(another solve on the second core) and 265 s at 1e4 / 1e3, the same optimum every time."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Scaling:
    """How a model was scaled for the solver.

    Attributes
    ----------
    quantity_exp
        ``k``: continuous columns are in units of ``2**k`` model units [-].
    objective_exp
        ``m``: the solver's objective is the model's divided by ``2**m`` [-].
    """

    quantity_exp: int
    objective_exp: int

    @property
    def quantity(self) -> float:
        """Model units per solver unit of every continuous column [-]."""
        return math.ldexp(1.0, self.quantity_exp)

    @property
    def objective(self) -> float:
        """Model objective units per solver objective unit [-]."""
        return math.ldexp(1.0, self.objective_exp)

    @property
    def is_identity(self) -> bool:
        return self.quantity_exp == 0 and self.objective_exp == 0


NO_SCALING = Scaling(0, 0)


def _exponent(largest: float, target: float) -> int:
    """Smallest ``k >= 0`` with ``largest / 2**k <= target``."""
    if not math.isfinite(largest) or largest <= target:
        return 0
    return max(0, math.ceil(math.log2(largest / target)))


def _max_finite(*arrays: FloatArray) -> float:
    best = 0.0
    for a in arrays:
        finite = np.abs(a[np.isfinite(a)])
        if finite.size:
            best = max(best, float(finite.max()))
    return best


@dataclass
class MatrixLP:
    """A linear (mixed-integer) program as row-wise arrays, the form handed to HiGHS.

    ``start``/``index``/``value`` are CSR: row ``i`` has entries ``start[i]:start[i+1]``.
    ``integer`` marks integer (including binary) columns.
    """

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    start: NDArray[np.int32]
    index: NDArray[np.int32]
    value: FloatArray
    integer: NDArray[np.bool_]


def choose_scaling(lp: MatrixLP) -> Scaling:
    """Pick the two exponents for ``lp`` (pure; see the module docstring)."""
    cont = ~lp.integer
    rows_with_cont = _rows_with_continuous(lp)
    k = _exponent(
        _max_finite(lp.lower[cont], lp.upper[cont], lp.row_lower[rows_with_cont],
                    lp.row_upper[rows_with_cont]),
        TARGET_QUANTITY,
    )  # fmt: skip
    sigma = math.ldexp(1.0, k)
    scaled_cost = np.where(cont, lp.cost * sigma, lp.cost)
    m = _exponent(_max_finite(scaled_cost), TARGET_COST)
    return Scaling(k, m)


def _rows_with_continuous(lp: MatrixLP) -> NDArray[np.bool_]:
    n_rows = len(lp.row_lower)
    if not lp.index.size:
        return np.zeros(n_rows, bool)
    row_of = np.repeat(np.arange(n_rows), np.diff(lp.start))
    counts = np.bincount(row_of, weights=(~lp.integer[lp.index]).astype(float), minlength=n_rows)
    return counts > 0


def apply_scaling(lp: MatrixLP, s: Scaling) -> MatrixLP:
    """``lp`` in solver units (pure: a new MatrixLP; ``lp`` is not changed)."""
    if s.is_identity:
        return lp
    sigma, omega = s.quantity, s.objective
    cont = ~lp.integer
    col_factor = np.where(cont, 1.0 / sigma, 1.0)  # bounds: x' = x / sigma
    row_factor = np.where(_rows_with_continuous(lp), 1.0 / sigma, 1.0)
    row_of = np.repeat(np.arange(len(lp.row_lower)), np.diff(lp.start))
    # a[i, j] -> a[i, j] * sigma_j * row_i: 1 for continuous columns in scaled rows
    value = lp.value * row_factor[row_of] / col_factor[lp.index]
    return MatrixLP(
        cost=lp.cost / col_factor / omega,
        lower=lp.lower * col_factor,
        upper=lp.upper * col_factor,
        row_lower=lp.row_lower * row_factor,
        row_upper=lp.row_upper * row_factor,
        start=lp.start,
        index=lp.index,
        value=value,
        integer=lp.integer,
    )


def unscale_values(x: FloatArray, integer: NDArray[np.bool_], s: Scaling) -> FloatArray:
    """Column values in model units from the solver's [model units]."""
    return np.where(integer, x, x * s.quantity)


def unscale_objective(value: float, s: Scaling) -> float:
    """An objective value or bound in model units [EUR/yr] from the solver's."""
    return value * s.objective
