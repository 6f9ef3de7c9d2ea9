"""Representative days cut from a whole weather year, and the sequence they stand for.

A year of 365 calendar days is reduced to a few representative days with tsam (hierarchical
clustering of the days, each cluster represented by its medoid: a real day of the year). The
representatives are the year's own hours, not rescaled: every option's hourly series is
scaled once, over the whole year, before the reduction (``docs/model.md#time``). tsam's
cluster order says which representative each calendar day stands for; linked storage
(:mod:`siting.model.storage`) carries the state of charge along that sequence, and the
full-year guarantee (:mod:`siting.fullyear.guarantee`) adds calendar days as periods of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

HOURS_PER_DAY = 24
DAYS = 365


@dataclass(frozen=True)
class Periods:
    """Representative days of one weather year and the calendar sequence they stand for.

    Attributes
    ----------
    year
        The (first) weather year [-].
    days
        Day of the calendar (0 = 1 January of the first year) whose hours each
        representative period is.
    sequence
        For every calendar day (365 per year), the position of the period that stands for it.
    extreme
        Per period: kept as its own period because it is extreme (the calmest day for wind,
        or a day added by the guarantee), not because it is a cluster's medoid.
    years
        The weather years the calendar runs through, in order (robust siting cuts the days
        from several); empty: ``(year,)``.
    base
        Periods before the days the guarantee added (:meth:`with_days`); 0: none was added.
    refined
        Days of periods the guarantee cut finer, once per step (:meth:`with_days`,
        :meth:`segments`).
    """

    year: int
    days: tuple[int, ...]
    sequence: NDArray[np.int64]
    extreme: tuple[bool, ...]
    years: tuple[int, ...] = ()
    base: int = 0
    refined: tuple[int, ...] = ()

    @property
    def added(self) -> NDArray[np.bool_]:
        """Per period: a day the guarantee added (:meth:`with_days`), not a representative."""
        flags = np.zeros(self.n_periods, bool)
        if self.base:
            flags[self.base :] = True
        return flags

    def segments(self, per_day: int, added: int | None = None) -> NDArray[np.int64]:
        """Segments each period's day is cut into [-].

        Representative days start at ``per_day``, the guarantee's added days at ``added``
        (None: ``per_day``); each time a day is refined it moves one step up its ladder
        (added: ``added``, ``per_day``, 24; representative: ``per_day``, 24), so a day that
        still fails once added can be given its hours back.
        """
        out = np.empty(self.n_periods, np.int64)
        start = per_day if added is None else added
        for p, (day, new) in enumerate(zip(self.days, self.added.tolist(), strict=True)):
            ladder = sorted({start if new else per_day, per_day, HOURS_PER_DAY})
            ladder = [n for n in ladder if n >= (start if new else per_day)]
            out[p] = ladder[min(self.refined.count(day), len(ladder) - 1)]
        return out

    @property
    def calendar_years(self) -> tuple[int, ...]:
        """The weather years of the calendar, in order."""
        return self.years or (self.year,)

    @property
    def n_periods(self) -> int:
        return len(self.days)

    @property
    def weight_days(self) -> NDArray[np.float64]:
        """Days of an average year each period stands for [day]; they sum to 365."""
        counts = np.bincount(self.sequence, minlength=self.n_periods).astype(float)
        return counts / len(self.calendar_years)

    @property
    def calendar(self) -> list[str]:
        """ISO date of every day of the calendar (365 per year, in order)."""
        return [d for y in self.calendar_years for d in calendar_dates(y)]

    @property
    def dates(self) -> list[str]:
        """ISO date of each period's own day."""
        days = self.calendar
        return [days[d] for d in self.days]

    def with_days(self, extra: Iterable[int]) -> Periods:
        """The same periods plus each given calendar day as a period standing for itself.

        The day leaves the period that stood for it, so the weights still sum to 365 and the
        sequence (hence linked storage) sees the day's own weather. A day that already is a
        period's own day is ``refined`` instead: cut one step finer (:meth:`segments`).
        """
        days, seq, ext = list(self.days), self.sequence.copy(), list(self.extreme)
        refined = list(self.refined)
        for d in extra:
            d = int(d)
            if d in days:
                refined.append(d)
                continue
            days.append(d)
            ext.append(True)
            seq[d] = len(days) - 1
        return Periods(self.year, tuple(days), seq, tuple(ext), self.years,
                       self.base or self.n_periods, tuple(refined))  # fmt: skip

    def to_plain(self) -> dict[str, Any]:
        """The periods as plain JSON values (for the cache)."""
        return {"year": self.year, "days": list(self.days), "sequence": self.sequence.tolist(),
                "extreme": list(self.extreme), "years": list(self.years), "base": self.base,
                "refined": list(self.refined)}  # fmt: skip

    @classmethod
    def from_plain(cls, d: dict[str, Any]) -> Periods:
        """Periods back from :meth:`to_plain`."""
        return cls(int(d["year"]), tuple(int(x) for x in d["days"]),
                   np.asarray(d["sequence"], dtype=np.int64),
                   tuple(bool(x) for x in d["extreme"]),
                   tuple(int(y) for y in d.get("years", ())), int(d.get("base", 0)),
                   tuple(int(x) for x in d.get("refined", ())))  # fmt: skip


class PeriodsStore(Protocol):
    """Somewhere representative days are kept by key (the run-time cache)."""

    def get(self, key: str) -> Periods | None: ...

    def put(self, key: str, periods: Periods) -> None: ...


REDUCTION_VERSION = "3"
"""Changes whenever :func:`representative_days` would cut other days from the same input."""


def periods_key(cf: pd.DataFrame, n_days: int, years: int | tuple[int, ...]) -> str:
    """A key for the representative days of ``cf`` (the scaled hours of every option):
    the same hours, columns, day count, years and tsam version give the same key."""
    from importlib.metadata import version

    h = hashlib.sha256()
    h.update(f"{REDUCTION_VERSION}|tsam {version('tsam')}|{n_days}|{years}|".encode())
    h.update(repr(list(cf.columns)).encode())
    h.update(np.ascontiguousarray(cf.to_numpy(np.float64)).tobytes())
    return h.hexdigest()


def calendar_dates(year: int) -> list[str]:
    """The 365 ISO dates of a weather year; 29 February is not one (weather drops it)."""
    dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    return [d.date().isoformat() for d in dates if not (d.month == 2 and d.day == 29)]


def representative_days(cf: pd.DataFrame, n_days: int, year: int | tuple[int, ...]) -> Periods:
    """Reduce whole years of hourly capacity factors to ``n_days`` representative days.

    Parameters
    ----------
    cf
        8,760 hourly rows per year (years one after the other) by one column per supply
        option [-], already scaled.
    n_days
        Representative days wanted (>= 2 when the year has wind: one is the calmest day).
    year
        The weather year, or the years in the order of ``cf``'s rows (robust siting: the
        days are cut from all of them together, each calendar day of each year standing
        for a day of an average year).

    Notes
    -----
    Clustering is hierarchical (deterministic) on all columns at once, each cluster
    represented by its medoid. The day with the lowest continental mean onshore wind is
    appended as a period of its own, since a calm day is what storage must bridge and the
    medoids of larger clusters never are one. ``n_days`` of 365 (one year) is every day of
    the year as its own period, in calendar order (:func:`whole_year`): nothing is clustered.
    """
    import tsam
    from tsam import ClusterConfig, ExtremeConfig

    years = (year,) if isinstance(year, int) else tuple(year)
    if len(cf) != DAYS * HOURS_PER_DAY * len(years):
        raise ValueError(f"{len(years)} weather years have {DAYS * HOURS_PER_DAY * len(years)} hours, "
                         f"got {len(cf)}")  # fmt: skip
    if n_days >= DAYS * len(years):
        return whole_year(years)
    data = pd.DataFrame(
        cf.to_numpy(float),
        # positions only: tsam needs hours; the calendar is Periods.calendar
        index=pd.date_range(f"{years[0]}-01-01", periods=len(cf), freq="h"),
        columns=[f"c{i}" for i in range(cf.shape[1])],
    )
    wind = [
        i
        for i, c in enumerate(cf.columns)
        if str(c[1] if isinstance(c, tuple) else c).endswith("wind")
    ]
    extremes = None
    n_clusters = n_days
    if wind and n_days >= 2:
        data["wind_mean"] = data.iloc[:, wind].mean(axis=1)
        extremes = ExtremeConfig(method="append", min_period=["wind_mean"])
        n_clusters = n_days - 1
    result = tsam.aggregate(
        data,
        n_clusters=n_clusters,
        period_duration=HOURS_PER_DAY,
        cluster=ClusterConfig(method="hierarchical", representation="medoid"),
        extremes=extremes,
    )
    clustering = result.clustering
    centers = [int(c) for c in clustering.cluster_centers or ()]
    sequence = np.asarray(clustering.cluster_assignments, dtype=np.int64)
    extreme_ids = set(clustering.extreme_cluster_indices or ())
    # two clusters may share a medoid (the calmest day can be a medoid too): the same hours
    # twice are one period, standing for the days of both
    first: dict[int, int] = {}
    keep: list[int] = []
    remap = np.empty(len(centers), dtype=np.int64)
    for k, day in enumerate(centers):
        if day not in first:
            first[day] = len(keep)
            keep.append(k)
        remap[k] = first[day]
    days = tuple(centers[k] for k in keep)
    extreme = tuple(
        any(j in extreme_ids for j, d in enumerate(centers) if d == day) for day in days
    )
    return Periods(years[0], days, remap[sequence], extreme, years if len(years) > 1 else ())


def whole_year(years: tuple[int, ...]) -> Periods:
    """Every calendar day of ``years`` as a period of its own, in order: the exact whole-year
    time structure (linked storage then runs through the real sequence of days,
    ``docs/model.md#whole-year``)."""
    n = DAYS * len(years)
    return Periods(years[0], tuple(range(n)), np.arange(n, dtype=np.int64), (False,) * n,
                   years if len(years) > 1 else ())  # fmt: skip


def period_hours(series: NDArray[np.float64], periods: Periods) -> NDArray[np.float64]:
    """One option's hourly values on the representative periods, period after period."""
    by_day = np.asarray(series, float).reshape(-1, HOURS_PER_DAY)
    return by_day[list(periods.days)].ravel()
