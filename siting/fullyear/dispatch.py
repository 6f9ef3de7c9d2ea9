"""The full-year check: a plan's investments re-dispatched over every hour of a weather year.

The plan's decisions are fixed (new IT capacity, hence the load of every zone; new clean
capacity per option; every store's sizes; the usable share of every link). The operating
components of the planning model (:mod:`siting.model.components`) are then built on the
year's 8,760 hours with those sizes fixed (:class:`siting.model.arrays.ArrayBuilder`): one
linear program dispatching the year with perfect foresight, storage carried chronologically
over the whole year (cyclic at the year's end), with the model's own physics. It minimises
residual grid energy [MWh]; whatever grid remains is what the plan cannot cover with
carbon-free supply in that weather.

Handed to HiGHS (``highspy``) as column-wise arrays: 30 zones x 8,760 h with storage and 115
links are about 2 M columns, too many for PuLP's per-object cost.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from siting.base.technologies import store_size
from siting.instance import Instance
from siting.model.arrays import ArrayBuilder, MatrixBlocks, SizeKey
from siting.model.components import CHECK_ORDER, Component, in_order, operate
from siting.model.flexibility import flexible_sizes, movable_sizes
from siting.model.ops import FloatArray, Horizon, Sizes
from siting.model.sites import add_load
from siting.model.supply import annual_cf

HOURS = 8760
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Plan:
    """A plan's decisions, as the full-year check needs them.

    Attributes
    ----------
    sizes
        Every size the components ask for, by column family and head
        (:data:`~siting.model.arrays.SizeKey`): ``("it", ())`` new IT per site [MW IT],
        ``("r", ())`` new clean capacity per option [MW], ``("se", (k,))``, ``("sp", (k,))``,
        ``("sq", (k,))`` store ``k``'s energy [MWh], power and charging power [MW] per zone.
    zone_ids
        Zones, in instance order.
    load_mw
        Average electrical load per zone, existing and new [MW] (flat over the year).
    annual_cf
        Every option's annual mean capacity factor [-] (what hourly weather is scaled to).
    store_techs
        The technology of every store ``k``.
    """

    sizes: dict[SizeKey, FloatArray]
    zone_ids: list[str]
    load_mw: FloatArray
    annual_cf: FloatArray
    store_techs: list[str]

    def energy_by_tech(self) -> dict[str, FloatArray]:
        """Energy capacity per zone of every store technology [MWh]."""
        n = len(self.zone_ids)
        return {tech: self.sizes.get(("se", (k,)), np.zeros(n))
                for k, tech in enumerate(self.store_techs)}  # fmt: skip


def year_horizon(plan: Plan, hourly_cf: dict[int, FloatArray], n_hours: int = HOURS,
                 headroom: FloatArray | None = None) -> Horizon:  # fmt: skip
    """The hours of a weather year: one period (storage cyclic over the year), weight 1 h.

    ``hourly_cf`` maps option positions to their hourly capacity factors; an option missing
    from it (firm supply) runs flat at its annual cf. ``headroom``: the grid's headroom per
    zone and hour of a year [MW] (``ZoneTable.grid_headroom_mw``, repeated for every year of
    the hours; None or empty: no interruptible load).
    """
    cf = np.repeat(np.asarray(plan.annual_cf, float)[:, None], n_hours, axis=1)
    for j, series in hourly_cf.items():
        cf[j] = series
    head = None
    if headroom is not None and np.size(headroom):
        h = np.nan_to_num(np.asarray(headroom, float), nan=0.0)
        head = np.tile(h, -(-n_hours // h.shape[1]))[:, :n_hours]
    return Horizon(np.ones(n_hours), np.zeros(n_hours, np.int64), cf, residual=True,
                   day=np.arange(n_hours) // HOURS_PER_DAY, headroom=head)  # fmt: skip


def window(horizon: Horizon, first: int, stop: int) -> Horizon:
    """Hours ``first ... stop - 1`` of a horizon, starting and ending free."""
    day = None if horizon.day is None else horizon.day[first:stop]
    head = None if horizon.headroom is None else horizon.headroom[:, first:stop]
    return Horizon(horizon.weights[first:stop], horizon.period[first:stop],
                   horizon.cf[:, first:stop], window=True, residual=horizon.residual,
                   day=day, headroom=head)  # fmt: skip


def build_dispatch(
    inst: Instance,
    plan: Plan,
    horizon: Horizon,
    components: list[tuple[str, Component]] | None = None,
) -> MatrixBlocks:
    """The dispatch LP of a plan over a horizon: the components with the plan's sizes fixed.

    Columns: residual grid ``g[z,h]`` >= 0 (cost 1 per MWh), flows within the usable share,
    stores within their sizes, reservoirs within their capacity and inflow; rows: the balance
    of every zone and hour, each store's state of charge (cyclic over the horizon, or from a
    start-of-window column when the horizon is a window). ``components``: the operating
    components in column order (default: :data:`~siting.model.components.CHECK_ORDER`).
    Pure: arrays in, arrays out.
    """
    op = ArrayBuilder(horizon, inst.n_zones, inst.fixed_load_mw, plan.sizes)
    new_it = plan.sizes.get(("it", ()), np.zeros(inst.n_sites))
    site_load = (Sizes("it", (), new_it), np.ones(inst.n_sites))
    add_load(op, inst, *site_load)
    operate(op, inst, {"sites": site_load}, components or in_order(CHECK_ORDER))
    return op.finish()


@dataclass(frozen=True)
class Dispatch:
    """The solved full-year dispatch.

    Attributes
    ----------
    grid_mw
        Residual grid per zone and hour [MW] (zones x 8,760).
    soc_mwh
        State of charge per store tech: zones x 8,760 [MWh] (zero where the zone has none).
    status, solve_s
        HiGHS model status text and wall time [s] (windows included).
    iterations
        Simplex iterations of the whole-year solve (windows not included) [-].
    windows_s
        Wall time of the warm-start windows, and of the coarse year guiding long stores
        through them, if any [s] (0 without windows).
    warm
        Whether the whole-year solve started from the windows' stitched basis.
    """

    grid_mw: np.ndarray
    soc_mwh: dict[str, np.ndarray]
    status: str
    solve_s: float
    iterations: int = 0
    windows_s: float = 0.0
    warm: bool = False
    sensitivity: Sensitivity | None = None
    """How the year's residual grid moves with each investment (the LP's duals)."""
    interrupted_mw: np.ndarray | None = None
    """Interruptible load curtailed per zone and hour [MW] (None: none is interruptible)."""
    not_carbon_free_mw: np.ndarray | None = None
    """Output of supply that does not count as carbon-free per zone and hour [MW]
    (``carbon.not_carbon_free``; None: all counts)."""
    bound: bool = False
    """A relaxation's dispatch, not the year's optimum (the free windows,
    :func:`windows_dispatch`, or the coarse year, :func:`coarse_dispatch`): its residual is a
    lower bound of the year's and its CFE an upper bound; only returned when the plan fails
    either way."""

    @property
    def residual_mw(self) -> np.ndarray:
        """Energy that is not carbon-free per zone and hour [MW]: grid purchases plus the
        output of supply counted apart; what the check minimises and the CFE counts."""
        if self.not_carbon_free_mw is None:
            return self.grid_mw
        return self.grid_mw + self.not_carbon_free_mw


@dataclass(frozen=True)
class Sensitivity:
    """Derivatives of the optimal residual grid [MWh/yr] with respect to the plan's sizes.

    From the dispatch LP's duals (:meth:`~siting.model.arrays.MatrixBlocks.gradient`): a
    balance row's dual is the residual saved per MW more clean supply in that zone and hour,
    a column's reduced cost at its upper bound the residual saved per MW (or MWh) more of that
    bound. The residual is convex in the sizes, so ``R(x) >= R(x0) + g . (x - x0)`` for every
    plan ``x``: the cut of the full-year guarantee (``docs/model.md#guarantee``). Zero where
    the plan has no such store (the LP has no column to price it).

    Attributes
    ----------
    balance
        Dual of every zone and hour's balance row (zones x hours) [MWh/MWh], >= 0.
    sizes
        d residual / d size for every size of the plan, keyed as :attr:`Plan.sizes`
        [MWh per unit]; <= 0.
    """

    balance: FloatArray
    sizes: dict[SizeKey, FloatArray]

    def of(self, family: str, head: tuple[int, ...] = (), n: int = 0) -> FloatArray:
        """The derivatives of one size (zeros of length ``n`` when the LP had none)."""
        return self.sizes.get((family, head), np.zeros(n))


WARM_BLOCKS = 104
"""Windows the full-year check first solves on their own (3.5 days each) to warm-start the
whole year: 43 s instead of 127 s on the European 24/7 plan (``docs/solvers.md#full-year-check``)."""


def reservoir_options() -> dict[str, str]:
    """HiGHS options for the full-year check of a plan with reservoirs.

    A reservoir's annual energy budget ties all 8,760 hours together, so the year cannot be
    cut into warm-start windows, and dual simplex from scratch took 85 minutes on the
    ``europe-2030-247-firm`` plan. An interior point does not need a starting basis: HiPO
    (IPX where HiPO's libraries are missing) without crossover, whose duals are all the
    cuts need (``docs/solvers.md#full-year-check``).
    """
    from siting.solve.solvers import hipo_available

    return {"solver": "hipo" if hipo_available() else "ipx", "run_crossover": "off"}


def _highs_lp(lp: MatrixBlocks) -> Any:
    import highspy

    inf = highspy.kHighsInf
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.n_cols, len(lp.row_lower)
    model.col_cost_ = lp.cost
    model.col_lower_ = np.where(np.isinf(lp.lower), -inf, lp.lower)
    model.col_upper_ = np.where(np.isinf(lp.upper), inf, lp.upper)
    model.row_lower_ = np.where(np.isinf(lp.row_lower), -inf, lp.row_lower)
    model.row_upper_ = np.where(np.isinf(lp.row_upper), inf, lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = lp.start
    model.a_matrix_.index_ = lp.index
    model.a_matrix_.value_ = lp.value
    return model


def _highs(threads: int, options: dict[str, Any] | None) -> Any:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    return h


def window_basis(
    inst: Instance,
    plan: Plan,
    horizon: Horizon,
    options: dict[str, Any] | None = None,
    components: list[tuple[str, Component]] | None = None,
    guide: Guide | None = None,
) -> tuple[MatrixBlocks, np.ndarray, np.ndarray, np.ndarray]:
    """The optimal simplex basis of one window of hours with free start and end (pure, no I/O).

    Returns the window's LP (:func:`build_dispatch` on a :func:`window` horizon), its
    column and row statuses (HiGHS's ``HighsBasisStatus`` codes) and its optimal column
    values. ``guide``: the states the guided stores start and end the window at
    (:class:`Guide`, already cut to the window).
    """
    lp = build_dispatch(inst, plan, horizon, components)
    if guide is not None:
        guide.hold(lp)
    h = _highs(1, {"solver": "simplex", **(options or {})})
    h.passModel(_highs_lp(lp))
    h.run()
    basis = h.getBasis()
    code = {status: int(status) for status in type(basis.col_status[0]).__members__.values()}
    return (lp, np.fromiter((code[v] for v in basis.col_status), np.int8, lp.n_cols),
            np.fromiter((code[v] for v in basis.row_status), np.int8, len(lp.row_lower)),
            np.asarray(h.getSolution().col_value))  # fmt: skip


GUIDE_BLOCK_H = 6
"""Hours per slice of the coarse year that guides long stores through the windows [h]."""

LONG_STORE_H = 24.0
"""A store technology whose fleet's energy lasts this long at full power is guided [h]."""


@dataclass(frozen=True)
class Guide:
    """States of charge a long store is held at where the windows meet.

    Attributes
    ----------
    states
        By store position ``k``: its zones with a store (the check LP's item order) and the
        state of charge at the start of every hour, plus the year's end (items x hours + 1)
        [MWh].
    first, stop
        The hours of the window the guide is cut to (``0, n`` for the whole year).
    """

    states: dict[int, tuple[np.ndarray, np.ndarray]]
    first: int = 0
    stop: int = 0

    def cut(self, first: int, stop: int) -> Guide:
        """The same guide for the window of hours ``first ... stop - 1``."""
        return Guide(self.states, first, stop)

    def hold(self, lp: MatrixBlocks) -> None:
        """Fix each guided store's start-of-window column and its last hour's state."""
        for k, (items, states) in self.states.items():
            start, soc = lp.table("sw", (k,)), lp.table("so", (k,))
            if (
                start is None
                or soc is None
                or start.items is None
                or not np.array_equal(start.items, items)
            ):
                continue
            top = lp.upper[start.slice]
            lp.lower[start.slice] = lp.upper[start.slice] = np.minimum(states[:, self.first], top)
            last = soc.start + np.arange(soc.n_items) * soc.n_t + soc.n_t - 1
            lp.lower[last] = lp.upper[last] = np.minimum(states[:, self.stop], lp.upper[last])


def long_stores(plan: Plan) -> list[int]:
    """Store technologies whose energy, all zones together, lasts :data:`LONG_STORE_H` or more
    at full power (iron-air, hydrogen; a battery fleet of 4-10 h is not, even where one zone's
    battery lasts longer: free windows already suit it)."""
    out = []
    for k in range(len(plan.store_techs)):
        energy = float(plan.sizes.get(("se", (k,)), np.zeros(0)).sum())
        power = float(plan.sizes.get(("sp", (k,)), np.zeros(0)).sum())
        if power > 0 and energy >= LONG_STORE_H * power:
            out.append(k)
    return out


def coarse_year(
    inst: Instance,
    plan: Plan,
    horizon: Horizon,
    block_h: int = GUIDE_BLOCK_H,
    components: list[tuple[str, Component]] | None = None,
) -> tuple[MatrixBlocks, np.ndarray] | None:
    """The year dispatched in blocks of ``block_h`` hours: its LP and optimal columns.

    Each block stands at its hours' mean capacity factors and moves a store by its hours'
    worth of flow (the segments' arithmetic, ``docs/model.md#segments``): an LP a
    ``block_h``-th the size, solved by dual simplex from scratch. Averaging any hourly
    dispatch over the blocks gives a dispatch of this LP with the same residual (every row
    is linear and stores lose nothing standing), so its residual is a lower bound of the
    year's. Interruptible load, whose curtailment the plan fixes hour by hour, is curtailed
    by its hours' mean in each block (:func:`block_headroom`), which keeps the averaging
    exact. None when the year does not cut into whole blocks.
    """
    n = horizon.n_t
    if n % block_h:
        return None
    nb = n // block_h
    hours = np.full(nb, float(block_h))
    cf = horizon.cf.reshape(horizon.cf.shape[0], nb, block_h).mean(axis=2)
    day = None if horizon.day is None else horizon.day[::block_h]
    head = None
    if horizon.headroom is not None:
        head = block_headroom(horizon.headroom, plan.sizes.get(("ix", ())), block_h)
    lp = build_dispatch(inst, plan, Horizon(hours, np.zeros(nb, np.int64), cf, residual=True,
                                            duration=hours, day=day, headroom=head),
                        components)  # fmt: skip
    h = _highs(1, {"solver": "simplex"})
    h.passModel(_highs_lp(lp))
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return None
    return lp, np.asarray(h.getSolution().col_value)


def block_headroom(headroom: FloatArray, interruptible: FloatArray | None,
                   block_h: int) -> FloatArray:  # fmt: skip
    """The grid's headroom per zone and block of ``block_h`` hours that curtails a fixed
    interruptible load by its hours' mean (pure) [MW].

    The check curtails ``max(0, x - h_t)`` in every hour (``docs/model.md#interruptible-load``).
    Neither the block's mean headroom (which curtails less: the max is convex) nor its lowest
    (which curtails more) gives a block the mean of its hours; ``x - mean_t max(0, x - h_t)``
    does, so that averaging an hourly dispatch over the blocks stays a dispatch of the coarse
    year. ``interruptible``: ``x`` per zone [MW] (None: none; the headroom's block mean is
    returned, which then curtails nothing either way).
    """
    blocks = headroom.reshape(headroom.shape[0], -1, block_h)
    if interruptible is None:
        return blocks.mean(axis=2)
    x = np.asarray(interruptible, float)[:, None, None]
    return x[:, :, 0] - np.maximum(x - blocks, 0.0).mean(axis=2)


def coarse_guide(
    inst: Instance,
    plan: Plan,
    horizon: Horizon,
    stores: list[int],
    block_h: int = GUIDE_BLOCK_H,
    components: list[tuple[str, Component]] | None = None,
    solved: tuple[MatrixBlocks, np.ndarray] | None = None,
) -> Guide | None:
    """The states of ``stores`` in the coarse year (:func:`coarse_year`), interpolated to
    every hour: where the windows hold the long stores, so that the windows' bases follow
    the year's seasonal path instead of emptying those stores at every window's end.
    ``solved``: the coarse year already solved. None when there is nothing to guide."""
    if not stores:
        return None
    solved = solved or coarse_year(inst, plan, horizon, block_h, components)
    if solved is None:
        return None
    lp, x = solved
    states = {}
    for k in stores:
        soc = lp.table("so", (k,))
        if soc is None or not soc.n_items:
            continue
        v = x[soc.slice].reshape(soc.n_items, lp.n_hours)
        states[k] = (np.asarray(soc.items), _hourly_states(v, horizon.n_t))
    return Guide(states, 0, horizon.n_t) if states else None


def _hourly_states(v: np.ndarray, n_hours: int) -> np.ndarray:
    """States at the ends of the coarse year's blocks (items x blocks) [MWh] interpolated to
    every hour's start and the year's end (items x hours + 1), cyclic: the year starts where
    it ends."""
    ends = np.arange(v.shape[1] + 1) * (n_hours // v.shape[1])
    at = np.concatenate([v[:, -1:], v], axis=1)
    return np.stack([np.interp(np.arange(n_hours + 1), ends, row) for row in at])


def coarse_dispatch(inst: Instance, plan: Plan, solved: tuple[MatrixBlocks, np.ndarray],
                    n_hours: int, seconds: float) -> Dispatch:  # fmt: skip
    """The coarse year's dispatch spread over the hours (pure): each block's flows
    at every hour of the block, states interpolated; its residual is a lower bound of the
    year's and the CFE it gives an upper bound (:attr:`Dispatch.bound`)."""
    lp, x = solved
    n_z, block = inst.n_zones, n_hours // lp.n_hours

    def spread(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else np.repeat(a, block, axis=1)

    soc = {tech: _hourly_states(_per_zone(lp, x, "so", (k,), n_z), n_hours)[:, 1:]
           for k, tech in enumerate(plan.store_techs) if lp.table("so", (k,)) is not None}  # fmt: skip
    grid = spread(_per_zone(lp, x, "g", (), n_z))
    assert grid is not None
    cut = spread(_per_zone(lp, x, "ic", (), n_z)) if lp.table("ic") is not None else None
    return Dispatch(grid, soc, COARSE_BOUND, seconds, 0, seconds, False, None, cut,
                    spread(_not_carbon_free(inst, lp, x)), bound=True)  # fmt: skip


def stitched_basis(
    full: MatrixBlocks, windows: list[tuple[MatrixBlocks, int, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray] | None:
    """A basis of the whole year from its windows' bases (pure).

    ``windows``: each window's LP, its first hour and its column and row statuses, covering
    the year in order. Every hourly column and row takes its window's status; where a window's
    start-of-window column was basic, the row it enters (its store's first state-of-charge
    row of the window) becomes basic instead, which keeps one basic variable per row. None if
    the count still does not match (the caller then solves without it).
    """
    basic = 1  # HighsBasisStatus.kBasic
    col = np.zeros(full.n_cols, np.int8)  # kLower
    row = np.full(len(full.row_lower), basic, np.int8)
    n_h = full.n_hours
    for lp, first, cs, rs in windows:
        hours = slice(first, first + lp.n_hours)
        hourly = [s for s in lp.tables if s.n_t == lp.n_hours]
        for fs, ws in zip(full.tables, hourly, strict=True):
            if ws.n_items:  # a table of no items (a plan without stores) has nothing to copy
                col[fs.slice].reshape(fs.n_items, n_h)[:, hours] = cs[ws.slice].reshape(
                    ws.n_items, -1
                )
        for fb, wb in zip(full.blocks, lp.blocks, strict=True):
            if wb.daily and wb.n_items:  # windows start on a day's first hour
                days = slice(first // HOURS_PER_DAY, first // HOURS_PER_DAY + wb.n_t)
                row[fb.slice].reshape(fb.n_items, fb.n_t)[:, days] = rs[wb.slice].reshape(
                    wb.n_items, -1
                )
            elif wb.n_t == lp.n_hours and wb.n_items:
                row[fb.slice].reshape(fb.n_items, n_h)[:, hours] = rs[wb.slice].reshape(
                    wb.n_items, -1
                )
        for ws in (s for s in lp.tables if s.n_t == 1):
            for c in np.flatnonzero(cs[ws.slice] == basic) + ws.start:
                row[_full_row(full, lp, int(lp.index[lp.start[c]]), first)] = basic
    if int((col == basic).sum() + (row == basic).sum()) != len(full.row_lower):
        return None
    return col, row


def _full_row(full: MatrixBlocks, lp: MatrixBlocks, r: int, first: int) -> int:
    """The whole year's row of a window's hourly row ``r``."""
    for fb, wb in zip(full.blocks, lp.blocks, strict=True):
        if wb.start <= r < wb.stop:
            item, hour = divmod(r - wb.start, wb.n_t)
            return fb.start + item * full.n_hours + first + hour
    raise ValueError(f"row {r} is in no block")


def _warm_basis(inst: Instance, plan: Plan, horizon: Horizon, lp: MatrixBlocks, h: Any,
                warm_blocks: int, workers: int, components: list[tuple[str, Component]] | None,
                guided: bool, coarse: tuple[MatrixBlocks, np.ndarray] | None = None,
                ) -> tuple[bool, list[Window] | None]:  # fmt: skip
    """Solve the windows side by side, stitch their bases and hand HiGHS the result.

    With ``guided``, long stores (:func:`long_stores`) are held at the states of a coarse
    year (:func:`coarse_guide`) where the windows meet; other stores start and end free.
    Returns whether HiGHS took the basis, and the windows' solutions when every window was
    free at both ends (their residual then bounds the year's from below; None when a store
    was held). ``coarse``: the coarse year, where already solved.
    """
    import highspy

    stores = long_stores(plan) if guided else []
    guide = coarse_guide(inst, plan, horizon, stores, components=components, solved=coarse)
    spans = window_spans(horizon.n_t, warm_blocks, daily=any(b.daily for b in lp.blocks))
    # HiGHS releases the GIL while it solves: threads run the windows side by side, and
    # each window's answer is the same whichever thread solves it
    with ThreadPoolExecutor(max(1, workers)) as pool:
        bases = list(pool.map(
            lambda ab: window_basis(inst, plan, window(horizon, *ab), components=components,
                                    guide=guide.cut(*ab) if guide is not None else None),
            spans,
        ))  # fmt: skip
    windows = [(w, a, cs, rs) for (a, _), (w, cs, rs, _) in zip(spans, bases, strict=True)]
    free = None if stores else [Window(w, a, x) for (a, _), (w, _, _, x) in zip(spans, bases, strict=True)]  # fmt: skip
    stitched = stitched_basis(lp, windows)
    if stitched is None:
        return False, free
    lut = {int(m): m for m in highspy.HighsBasisStatus.__members__.values()}
    basis = highspy.HighsBasis()
    basis.col_status = [lut[v] for v in stitched[0].tolist()]
    basis.row_status = [lut[v] for v in stitched[1].tolist()]
    basis.valid = True
    return bool(h.setBasis(basis) == highspy.HighsStatus.kOk), free


@dataclass(frozen=True)
class Window:
    """One solved window of hours: its LP, its first hour and its optimal column values."""

    lp: MatrixBlocks
    first: int
    x: np.ndarray


def windows_dispatch(inst: Instance, plan: Plan, parts: list[Window], n_hours: int,
                     seconds: float) -> Dispatch:  # fmt: skip
    """The windows' dispatch over the year (pure): each window free at its start and end,
    so their residual is a lower bound of the year's (the year's LP restricted to a window
    is feasible for the window) and the CFE it gives an upper bound (:attr:`Dispatch.bound`).
    """
    n_z = inst.n_zones

    def joined(per_window: list[np.ndarray | None]) -> np.ndarray | None:
        if any(p is None for p in per_window):
            return None
        out = np.zeros((n_z, n_hours))
        for w, p in zip(parts, per_window, strict=True):
            out[:, w.first : w.first + w.lp.n_hours] = p
        return out

    grid = joined([_per_zone(w.lp, w.x, "g", (), n_z) for w in parts])
    assert grid is not None
    soc = {tech: joined([_per_zone(w.lp, w.x, "so", (k,), n_z) for w in parts])
           for k, tech in enumerate(plan.store_techs)}  # fmt: skip
    cut = joined([_per_zone(w.lp, w.x, "ic", (), n_z) if w.lp.table("ic") is not None else None
                  for w in parts])  # fmt: skip
    fossil = joined([_not_carbon_free(inst, w.lp, w.x) for w in parts])
    return Dispatch(grid, {t: v for t, v in soc.items() if v is not None}, WINDOWS_BOUND,
                    seconds, 0, seconds, False, None, cut, fossil, bound=True)  # fmt: skip


WINDOWS_BOUND = "Bound (windows)"
"""Status of a dispatch that is the windows' relaxation, the year's LP not solved."""

COARSE_BOUND = "Bound (coarse year)"
"""Status of a dispatch that is the coarse year's relaxation, the year's LP not solved."""


def window_spans(n_t: int, blocks: int, daily: bool = False) -> list[tuple[int, int]]:
    """``blocks`` windows of hours covering ``n_t`` hours in order, as ``(first, stop)``;
    ``daily``: cut between days (flexible load balances each day within one window)."""
    cuts = np.linspace(0, n_t, blocks + 1)
    if daily:
        cuts = np.unique(np.round(cuts / HOURS_PER_DAY) * HOURS_PER_DAY)
    return list(itertools.pairwise(cuts.astype(int).tolist()))


def solve_dispatch(
    inst: Instance,
    plan: Plan,
    horizon: Horizon,
    threads: int = 1,
    options: dict[str, Any] | None = None,
    warm_blocks: int = WARM_BLOCKS,
    workers: int = 2,
    duals: bool = False,
    components: list[tuple[str, Component]] | None = None,
    guided: bool = True,
    fail_above_mwh: float | None = None,
) -> Dispatch:
    """Build and solve the dispatch LP with HiGHS.

    With ``warm_blocks`` > 1 (and simplex, no reservoirs), the year is first cut into that many
    windows solved on their own, and their bases stitched into a starting basis for the whole
    year. The LP solved is the same; only the simplex method's starting point differs, so the
    optimum is the year's own (``docs/solvers.md#full-year-check``). ``workers`` threads solve the
    windows. A plan with reservoirs asking for simplex gets :func:`reservoir_options` instead.
    ``duals``: also return the :class:`Sensitivity` of the residual to the sizes;
    ``components``: as :func:`build_dispatch`; ``guided``: hold long stores at a coarse
    year's states where the windows meet (:func:`coarse_guide`; the optimum is the same
    either way, only the start differs); ``fail_above_mwh``: when a relaxation's residual (a
    lower bound of the year's) already exceeds it [MWh], return its dispatch (``bound``)
    without solving the year: the plan fails anyway. The relaxation is the free windows
    (:func:`windows_dispatch`), or, where long stores are held through them, the coarse year
    (:func:`coarse_dispatch`).
    """
    lp = build_dispatch(inst, plan, horizon, components)
    reservoirs = any(b.family == "hde" for b in lp.blocks)  # energy tying the whole year
    if reservoirs and (options or {}).get("solver") == "simplex":
        options = {**(options or {}), **reservoir_options()}
    h = _highs(threads, options)
    h.passModel(_highs_lp(lp))
    t = time.perf_counter()
    warm, windows_s = False, 0.0
    if warm_blocks > 1 and not reservoirs and (options or {}).get("solver") == "simplex":
        coarse = None
        if fail_above_mwh is not None and not duals and guided and long_stores(plan):
            # held long stores make the windows a restriction, not a bound: the coarse
            # year, a relaxation, bounds the year instead
            coarse = coarse_year(inst, plan, horizon, components=components)
            if coarse is not None:
                low = coarse_dispatch(inst, plan, coarse, horizon.n_t, time.perf_counter() - t)
                if float(low.residual_mw.sum()) > fail_above_mwh:
                    return low
        warm, parts = _warm_basis(inst, plan, horizon, lp, h, warm_blocks, workers, components,
                                  guided, coarse)  # fmt: skip
        windows_s = time.perf_counter() - t
        if fail_above_mwh is not None and parts is not None and not duals:
            low = windows_dispatch(inst, plan, parts, horizon.n_t, windows_s)
            if float(low.residual_mw.sum()) > fail_above_mwh:
                return low
    from siting.solve.watch import SolveWatch

    watch = SolveWatch()
    watch.run(h)
    if watch.interrupted:
        raise KeyboardInterrupt("full-year check stopped")
    elapsed = time.perf_counter() - t
    status = h.modelStatusToString(h.getModelStatus())
    solution = h.getSolution()
    x = np.asarray(solution.col_value)
    iterations = int(h.getInfo().simplex_iteration_count)
    sens = None
    if duals and solution.dual_valid:
        row_dual = np.asarray(solution.row_dual)
        sens = Sensitivity(row_dual[: inst.n_zones * horizon.n_t].reshape(inst.n_zones, -1),
                           lp.gradient(np.asarray(solution.col_dual), row_dual))  # fmt: skip
    cut = _per_zone(lp, x, "ic", (), inst.n_zones) if lp.table("ic") is not None else None
    return Dispatch(_per_zone(lp, x, "g", (), inst.n_zones), _soc(lp, x, plan, inst.n_zones),
                    status, elapsed, iterations, windows_s, warm, sens, cut,
                    _not_carbon_free(inst, lp, x))  # fmt: skip


def _not_carbon_free(inst: Instance, lp: MatrixBlocks, x: np.ndarray) -> np.ndarray | None:
    """Per zone and hour, the output of dispatched supply not counted as carbon-free [MW]
    (None: all counts)."""
    flags = inst.supply.not_carbon_free
    span = lp.table("hd", ())
    if flags is None or span is None:
        return None
    rows = np.clip(x[span.slice].reshape(span.n_items, lp.n_hours), 0.0, None)
    out = np.zeros((inst.n_zones, lp.n_hours))
    for k, j in enumerate(np.asarray(span.items).tolist()):
        if flags[j]:
            out[inst.supply.zone[j]] += rows[k]
    return out


def _per_zone(lp: MatrixBlocks, x: np.ndarray, family: str, head: tuple[int, ...],
              n_z: int) -> np.ndarray:  # fmt: skip
    """One table's values per zone and hour (zero for zones without columns)."""
    out = np.zeros((n_z, lp.n_hours))
    span = lp.table(family, head)
    if span is not None:
        rows = np.clip(x[span.slice].reshape(span.n_items, lp.n_hours), 0.0, None)
        out[span.items] = rows
    return out


def _soc(lp: MatrixBlocks, x: np.ndarray, plan: Plan, n_z: int) -> dict[str, np.ndarray]:
    """State of charge per store technology: zones x hours [MWh]."""
    return {tech: _per_zone(lp, x, "so", (k,), n_z) for k, tech in enumerate(plan.store_techs)
            if lp.table("so", (k,)) is not None}  # fmt: skip


def longest_stretch(flags: np.ndarray) -> tuple[int, int]:
    """Longest run of True: (start position, length); (-1, 0) when there is none."""
    best, start, run_start = (-1, 0), -1, 0
    for i, f in enumerate(np.append(flags, False)):
        if f and start < 0:
            start = i
        elif not f and start >= 0:
            if i - start > best[1]:
                best = (start, i - start)
            start = -1
    del run_start
    return best


def report(
    plan: Plan,
    dispatch: Dispatch,
    year: int,
    stamps: pd.DatetimeIndex,
    cfe_target: float = 1.0,
    margin: float = 0.01,
    grid_cost_eur_per_mwh: np.ndarray | None = None,
    intensity_g_per_kwh: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-zone table (``tables/full_year.csv`` rows) and headline numbers of one year.

    ``grid_cost_eur_per_mwh``: each zone's price of residual grid energy (price plus carbon
    price x intensity) [EUR/MWh], for the ``grid_cost_eur`` column; None: no cost column.
    ``intensity_g_per_kwh``: each zone's grid carbon intensity [g/kWh], for the
    ``emissions_t`` column (the purchases' emissions [t/yr]); None: no emissions column.

    The worst day is the day with the largest residual grid share of the day's load; the
    longest shortfall stretch counts consecutive days whose system-wide residual grid share
    exceeds the plan's allowance ``1 - cfe_target`` by more than ``margin`` (1 point).
    """
    stretch_share = 1.0 - cfe_target + margin
    load = np.repeat(plan.load_mw[:, None], HOURS, axis=1)
    if dispatch.interrupted_mw is not None:  # load curtailed by the grid is not served
        load = load - dispatch.interrupted_mw
    days = stamps.normalize()
    day_keys = pd.DatetimeIndex(days.unique())
    residual = dispatch.residual_mw
    grid_day = pd.DataFrame(residual.T, index=days).groupby(level=0).sum()
    load_day = pd.DataFrame(load.T, index=days).groupby(level=0).sum()
    rows = []
    for z, zone in enumerate(plan.zone_ids):
        lz = float(load[z].sum())
        gz = float(residual[z].sum())
        share = (grid_day[z] / load_day[z].where(load_day[z] > 0)).fillna(0.0)
        worst = share.idxmax() if lz > 0 else day_keys[0]
        rows.append({
            "zone_id": zone, "weather_year": year, "load_mwh": lz, "grid_mwh": gz,
            "cfe": 1.0 - gz / lz if lz > 0 else 1.0,
            "worst_day": f"{worst:%Y-%m-%d}", "worst_day_grid_share": float(share.max()),
        })  # fmt: skip
        if grid_cost_eur_per_mwh is not None:
            rows[-1]["grid_cost_eur"] = float(dispatch.grid_mw[z].sum()) * float(grid_cost_eur_per_mwh[z])
        if intensity_g_per_kwh is not None:  # g/kWh = kg/MWh
            rows[-1]["emissions_t"] = float(dispatch.grid_mw[z].sum()) * float(intensity_g_per_kwh[z]) / 1e3
        if dispatch.interrupted_mw is not None:
            rows[-1]["interrupted_mwh"] = float(dispatch.interrupted_mw[z].sum())
        if dispatch.not_carbon_free_mw is not None:  # in grid_mwh and cfe, not in the cost
            rows[-1]["not_carbon_free_mwh"] = float(dispatch.not_carbon_free_mw[z].sum())
    table = pd.DataFrame(rows)
    total_load, total_grid = float(load.sum()), float(residual.sum())
    system = grid_day.sum(axis=1) / load_day.sum(axis=1)
    first, length = longest_stretch((system > stretch_share).to_numpy())
    hourly = residual.sum(axis=0) / load.sum(axis=0)
    month = pd.Series(residual.sum(axis=0), index=stamps).groupby(stamps.month).sum()
    head = {
        "cfe": 1.0 - total_grid / total_load if total_load > 0 else 1.0,
        "residual_mwh": total_grid,
        "residual_cost_eur": float(table["grid_cost_eur"].sum())
        if "grid_cost_eur" in table
        else None,
        "emissions_t": float(table["emissions_t"].sum()) if "emissions_t" in table else None,
        "worst_day": f"{system.idxmax():%Y-%m-%d}",
        "worst_day_grid_share": float(system.max()),
        "worst_hour": f"{stamps[int(np.argmax(hourly))]:%Y-%m-%dT%H:%MZ}",
        "worst_hour_grid_share": float(hourly.max()),
        "longest_stretch_days": int(length),
        "stretch_threshold": stretch_share,
        "longest_stretch_start": f"{system.index[first]:%Y-%m-%d}" if length else None,
        "residual_mwh_by_month": {int(m): float(v) for m, v in month.items()},
        "solver_status": dispatch.status,
    }
    return table, head


def plan_from_tables(
    inst: Instance, sites: pd.DataFrame, renewables: pd.DataFrame, zones: pd.DataFrame
) -> Plan:
    """A plan from a run's decision tables (``sites``, ``renewables``, ``zones``) and its instance.

    Only decisions are read: new IT capacity per site, new clean MW per option, store sizes
    per zone (``<tech>_mwh``/``<tech>_mw``/``<tech>_charge_mw``,
    :func:`siting.base.technologies.store_size`). Loads, cfs, links and efficiencies come from the
    instance.
    """
    new_it = sites.set_index("site_id")["new_it_mw"].reindex(inst.sites.ids).fillna(0.0).to_numpy()
    keys = pd.MultiIndex.from_arrays(
        [[inst.zones.ids[z] for z in inst.supply.zone], inst.supply.tech]
    )
    cap = renewables.set_index(["zone_id", "tech"])["new_mw"].reindex(keys).fillna(0.0).to_numpy()
    sizes: dict[SizeKey, FloatArray] = {("it", ()): new_it.astype(float),
                                        ("r", ()): cap.astype(float)}  # fmt: skip
    z = zones.set_index("zone_id").reindex(inst.zones.ids)
    for k, o in enumerate(inst.stores):
        for family, unit in (("se", "mwh"), ("sp", "mw")):
            size = store_size(z, o.tech, unit)
            sizes[(family, (k,))] = (np.zeros(inst.n_zones) if size is None
                                     else size.fillna(0.0).to_numpy(float))  # fmt: skip
        if o.separate_charge and f"{o.tech}_charge_mw" in z.columns:
            sizes[("sq", (k,))] = z[f"{o.tech}_charge_mw"].fillna(0.0).to_numpy(float)
        elif o.separate_charge:  # no charging side recorded: the power rating both ways
            sizes[("sq", (k,))] = sizes[("sp", (k,))]
    load = inst.fixed_load_mw.copy()
    np.add.at(load, inst.sites.zone, inst.new_load_per_mw * new_it)
    sizes.update(flexible_sizes(inst, load))
    sizes.update(movable_sizes(inst, load, _inference_load(inst, sites)))
    if "interruptible_mw" in z.columns and len(inst.zones.interruptible_mw):
        sizes[("ix", ())] = z["interruptible_mw"].fillna(0.0).to_numpy(float)
    return Plan(sizes, list(inst.zones.ids), load, annual_cf(inst), [o.tech for o in inst.stores])


def _inference_load(inst: Instance, sites: pd.DataFrame) -> FloatArray | None:
    """Load of the inference each zone's sites serve within a latency budget [MW] (None: no
    latency layer), from ``sites.csv``'s ``inference_it_mw``."""
    if "inference_it_mw" not in sites.columns or inst.demand.it_mw is None:
        return None
    served = (sites.set_index("site_id")["inference_it_mw"].reindex(inst.sites.ids)
              .fillna(0.0).to_numpy(float))  # fmt: skip
    out = np.zeros(inst.n_zones)
    np.add.at(out, inst.sites.zone, inst.new_load_per_mw * served)
    return out
