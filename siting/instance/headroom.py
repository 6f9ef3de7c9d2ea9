"""Grid headroom and interruptible load: how much more load a stressed grid takes if that
load may be curtailed a small share of the year (``docs/model.md#interruptible-load``).

A zone's grid carries its national load ``L_t``; it was built for the year's peak, so in hour
``t`` it has ``h_t = max(L) - L_t`` to spare [MW]. Interruptible load ``x`` [MW] is served
up to ``h_t`` and curtailed by ``max(0, x - h_t)``; the most the grid takes at a curtailment
share ``r`` of that load's energy is the largest ``x`` with
``sum_t max(0, x - h_t) <= r x 8,760`` (the "curtailment-enabled headroom" of Norris et al.,
*Rethinking Load Growth*, Duke University 2025, on one annual peak rather than seasonal
ones). Pure: no I/O.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def grid_headroom(load_mw: FloatArray) -> FloatArray:
    """Per hour, what the grid carries below its annual peak [MW]: ``max(L) - L_t``
    (rows of NaN stay NaN)."""
    load = np.atleast_2d(np.asarray(load_mw, float))
    with np.errstate(invalid="ignore"):
        peak = np.max(load, axis=-1, keepdims=True)
    return peak - load


def curtailed_share(headroom_mw: FloatArray, load_mw: float) -> float:
    """The share of ``load_mw`` of interruptible load's energy curtailed over the hours of
    ``headroom_mw`` [-] (0 for no load)."""
    if load_mw <= 0:
        return 0.0
    h = np.asarray(headroom_mw, float)
    return float(np.maximum(load_mw - h, 0.0).sum() / (load_mw * len(h)))


def interruptible_capacity(headroom_mw: FloatArray, share: float) -> float:
    """The most interruptible load [MW] whose curtailment, ``max(0, x - h_t)`` summed over
    the hours, stays within ``share`` of its energy (0 when the peak hours alone take more).

    ``f(x) = sum_t max(0, x - h_t) - share x n`` is convex with ``f(0) = 0``: the answer is
    its positive root, found exactly on the sorted headroom (with ``k`` hours below ``x``,
    ``f = k x - S_k - share n x``).
    """
    h = np.sort(np.asarray(headroom_mw, float))
    if share <= 0 or not len(h) or not np.isfinite(h).all():
        return 0.0
    n = len(h)
    k = np.arange(1, n + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.cumsum(h) / (k - share * n)
    upper = np.r_[h[1:], np.inf]
    ok = (k > share * n) & (root >= h - 1e-9) & (root <= upper + 1e-9)
    return float(root[np.flatnonzero(ok)[0]]) if ok.any() else 0.0
