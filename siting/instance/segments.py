"""Segments: a representative day's 24 hours joined into fewer slices of varying length.

Adjacent hours are merged where the weather changes least, by Ward's criterion on every
option's standardised profile (the criterion of tsam's segmentation, restricted to adjacent
hours, applied per day). Each segment stands at the mean of its hours, so every constraint of
the hourly model, averaged over a segment, is a constraint of the segmented one: the segmented
model is a relaxation of the hourly model on the same days, and its optimum (or bound) is a
lower bound of the hourly optimum (``docs/model.md#segments``). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def segment_lengths(day: FloatArray, n_segments: int) -> IntArray:
    """Lengths [h] of ``n_segments`` contiguous segments covering a day's hours.

    Parameters
    ----------
    day
        Features x hours (standardised profiles of one day) [-].
    n_segments
        Segments wanted, 1 to the number of hours [-].

    Returns
    -------
    Lengths in hour order, summing to the day's hours [h].

    Two neighbouring segments ``a`` and ``b`` merge at the cost
    ``n_a n_b / (n_a + n_b) x |mean_a - mean_b|^2`` (the rise in the within-segment sum of
    squares); the cheapest pair merges first, the earlier pair on a tie.
    """
    n_h = day.shape[1]
    if not 1 <= n_segments <= n_h:
        raise ValueError(f"n_segments must be within 1..{n_h}, got {n_segments}")
    sums = [day[:, h].astype(float) for h in range(n_h)]
    counts = [1] * n_h
    while len(counts) > n_segments:
        costs = [
            counts[i] * counts[i + 1] / (counts[i] + counts[i + 1])
            * float(np.sum((sums[i] / counts[i] - sums[i + 1] / counts[i + 1]) ** 2))
            for i in range(len(counts) - 1)
        ]  # fmt: skip
        i = int(np.argmin(costs))
        sums[i : i + 2] = [sums[i] + sums[i + 1]]
        counts[i : i + 2] = [counts[i] + counts[i + 1]]
    return np.asarray(counts, np.int64)


@dataclass(frozen=True)
class Segmented:
    """Slices of representative days after segmentation.

    ``cf``: options x slices, each the mean of its hours [-]; ``period``: each slice's period;
    ``start_h``: its first hour of the day [h]; ``duration_h``: hours of its day it covers [h].
    """

    cf: FloatArray
    period: IntArray
    start_h: IntArray
    duration_h: FloatArray


def segment_days(cf: FloatArray, hourly: NDArray[np.bool_], n_segments: int | IntArray,
                 hours_per_day: int = 24) -> Segmented:  # fmt: skip
    """Join each period's hours into ``n_segments`` segments chosen on its own weather.

    Parameters
    ----------
    cf
        Options x (periods x hours) capacity factors, period after period [-].
    hourly
        Per option, whether it has an hourly profile (flat options do not steer the cut).
    n_segments
        Segments per period [-], one count for all or one per period; ``hours_per_day``
        keeps every hour.
    """
    n_p = cf.shape[1] // hours_per_day
    counts = np.broadcast_to(np.asarray(n_segments, np.int64), (n_p,))
    days = cf.reshape(len(cf), n_p, hours_per_day)
    shaped = days[hourly]
    scale = shaped.reshape(len(shaped), -1).std(axis=1)
    feats = shaped / np.where(scale > 0, scale, 1.0)[:, None, None]
    columns, period, start, duration = [], [], [], []
    for p in range(n_p):
        lengths = segment_lengths(feats[:, p, :], int(counts[p]))
        first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        for s, n in zip(first.tolist(), lengths.tolist(), strict=True):
            columns.append(days[:, p, s : s + n].mean(axis=1))
            period.append(p)
            start.append(s)
            duration.append(float(n))
    return Segmented(np.stack(columns, axis=1), np.asarray(period, np.int64),
                     np.asarray(start, np.int64), np.asarray(duration, float))  # fmt: skip
