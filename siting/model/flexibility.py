"""Flexible data-centre load: a share of each zone's load moves within its day, and between
zones within the hour (``docs/model.md#flexible-load``).

Training jobs wait and batches queue, so a data centre's hourly draw need not be flat. With
``flexibility.temporal_share`` ``f`` and utilisation ``u``, the load served in zone ``z`` and
slice ``t`` is ``L_z + up[z, t] - down[z, t]`` with

- ``0 <= down[z, t] <= f x L_z``: load put off [MW];
- ``0 <= up[z, t] <= min(f, 1 / u - 1) x L_z``: load brought in [MW]; IT capacity runs at
  ``u`` on average, so it can draw at most ``1 / u`` times its average load;
- ``sum_t d_t x (up[z, t] - down[z, t]) = 0`` over the slices of every day (``d_t``: the
  hours a slice covers): the day's compute is served that day.

``L_z`` is the zone's data-centre load in the balance (existing and new, as the scope
matches it) [MW]; it depends on the sites built, so the two ranges are sizes of the plan
(``fu``, ``fd``) tied to the load by rows.

Between zones (``flexibility.spatial_share``): load moved in and out per zone and slice
within ranges of each zone's movable load, conserved over the fleet in every slice
(:func:`add_move`, :func:`tie_moves`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.arrays import SizeKey
from siting.model.ops import FloatArray, IntArray, Ops, Sizes, Table, Term, per_zone_terms


def ranges(inst: Instance) -> tuple[float, float]:
    """The shares of the load that may be brought in and put off in any hour [-]."""
    share = inst.settings.temporal_share
    return min(share, 1.0 / inst.settings.utilisation - 1.0), share


def flexible_sizes(inst: Instance, load_mw: FloatArray) -> dict[SizeKey, FloatArray]:
    """A plan's ranges per zone from its load ``L_z`` [MW]: the sizes ``fu`` and ``fd`` [MW]
    (none when no load may move)."""
    if inst.settings.temporal_share <= 0:
        return {}
    up, down = ranges(inst)
    load = np.asarray(load_mw, float)
    return {("fu", ()): up * load, ("fd", ()): down * load}


@dataclass(frozen=True)
class Shift:
    """The columns of flexible load: ranges per zone and the load moved per zone and slice."""

    up_range: Sizes
    down_range: Sizes
    up: Table
    down: Table


def add_shift(op: Ops, inst: Instance, sites: tuple[Sizes, FloatArray] | None) -> Shift | None:
    """Flexible load in the balance (None when no load may move or the horizon has no days).

    ``sites``: new capacity per site and its IT per unit [MW IT], as :func:`add_load` took
    them; the ranges are tied to the load they carry.
    """
    if inst.settings.temporal_share <= 0 or op.horizon.day is None or sites is None:
        return None
    n_z = inst.n_zones
    up_range = op.sizes("fu", (), n_z)
    down_range = op.sizes("fd", (), n_z)
    for size, share in zip((up_range, down_range), ranges(inst), strict=True):
        _tie_to_load(op, inst, size, share, sites)
    zones = op.operable(np.arange(n_z), up_range, down_range)
    up = op.table("lu", (), zones, bound=(up_range, "lub"))
    down = op.table("ll", (), zones, bound=(down_range, "llb"))
    op.feed(up, zones, -1.0)
    op.feed(down, zones, 1.0)
    _conserve_days(op, zones, up, down)
    return Shift(up_range, down_range, up, down)


def _tie_to_load(op: Ops, inst: Instance, size: Sizes, share: float,
                 sites: tuple[Sizes, FloatArray]) -> None:  # fmt: skip
    """``size[z] = share x (fixed load + load per MW x new IT at the zone's sites)`` [MW]."""
    new, per_unit = sites
    family = "flu" if size.family == "fu" else "fld"
    zones: IntArray = np.arange(inst.n_zones)
    per_site = inst.new_load_per_mw * np.asarray(per_unit, float)
    has = np.array([c is not None for c in new.cells], bool)
    by_zone = [np.flatnonzero((inst.sites.zone == z) & has) for z in zones]
    terms: list[Term] = [(size, zones, 1.0), *per_zone_terms(by_zone, new, -share * per_site)]
    op.block(family, [zones.astype(np.int64)], pulp.LpConstraintEQ, terms,
             share * inst.fixed_load_mw)  # fmt: skip


def _conserve_days(op: Ops, zones: IntArray, up: Table, down: Table) -> None:
    """``shd``: the load brought in and put off balance over every day [MWh]."""
    h = op.horizon
    assert h.day is not None
    n_t = h.n_t
    hours = np.ones(n_t) if h.duration is None else np.asarray(h.duration, float)
    days, first = np.unique(h.day, return_index=True)
    order = np.argsort(first)
    days = days[order]
    slices = [np.flatnonzero(h.day == d) for d in days]
    longest = max(len(s) for s in slices)
    slot = np.repeat(np.arange(len(zones)), len(days))
    terms: list[Term] = []
    for j in range(longest):
        t = np.array([s[j] if j < len(s) else -1 for s in slices], np.int64)
        t_rows = np.tile(t, len(zones))
        pos = np.where(t_rows >= 0, slot * n_t + t_rows, -1)
        dur = np.where(t_rows >= 0, hours[np.maximum(t_rows, 0)], 0.0)
        terms += [(up, pos, dur), (down, pos, -dur)]
    index: list[IntArray | int] = [np.repeat(zones, len(days)), np.tile(days, len(zones))]
    op.block("shd", index, pulp.LpConstraintEQ, terms, daily=True)


# --- spatial: load moves between zones in the same hour -------------------------------------


def spatial_ranges(inst: Instance) -> tuple[float, float]:
    """The shares of a zone's movable load that may move in and out in any hour [-]."""
    share = inst.settings.spatial_share
    return min(share, 1.0 / inst.settings.utilisation - 1.0), share


@dataclass(frozen=True)
class Move:
    """The columns of load moved between zones: ranges per zone, moved in and out per slice."""

    in_range: Sizes
    out_range: Sizes
    moved_in: Table
    moved_out: Table


def add_move(op: Ops, inst: Instance) -> Move | None:
    """Load moved between the fleet's zones within each slice (None when none may move).

    ``mi`` (moved in) and ``mo`` (moved out) per zone and slice, within the ranges ``gi`` and
    ``go`` (rows ``mib``, ``mob``); ``shs``: what moves out of some zones moves into others
    in the same slice (the fleet's compute is conserved hour by hour). The ranges are tied to
    the zones' movable load by :func:`tie_moves` once every column they depend on exists.
    With temporal flexibility too, ``hup`` keeps the two together within the IT's headroom.
    """
    if inst.settings.spatial_share <= 0 or op.horizon.day is None or inst.n_zones < 2:
        return None
    n_z, n_t = inst.n_zones, op.horizon.n_t
    in_range = op.sizes("gi", (), n_z)
    out_range = op.sizes("go", (), n_z)
    zones = op.operable(np.arange(n_z), in_range, out_range)
    moved_in = op.table("mi", (), zones, bound=(in_range, "mib"))
    moved_out = op.table("mo", (), zones, bound=(out_range, "mob"))
    op.feed(moved_in, zones, -1.0)
    op.feed(moved_out, zones, 1.0)
    t = np.arange(n_t)
    terms: list[Term] = []
    for slot in range(len(zones)):
        terms += [(moved_in, slot * n_t + t, 1.0), (moved_out, slot * n_t + t, -1.0)]
    if terms:
        op.block("shs", [t], pulp.LpConstraintEQ, terms)
    return Move(in_range, out_range, moved_in, moved_out)


def keep_headroom(op: Ops, inst: Instance, shift: Shift | None, move: Move | None) -> None:
    """``hup``: load brought in and moved in together within the IT's headroom,
    ``(1 / u - 1) x L_z`` [MW] (only where both levers are on; each alone has its range)."""
    if shift is None or move is None:
        return
    up_share = ranges(inst)[0]
    if up_share <= 0:
        return
    headroom = 1.0 / inst.settings.utilisation - 1.0
    n_t = op.horizon.n_t
    both = np.intersect1d(shift.up.items, move.moved_in.items)
    slot_up = {int(z): k for k, z in enumerate(shift.up.items.tolist())}
    slot_in = {int(z): k for k, z in enumerate(move.moved_in.items.tolist())}
    t = np.arange(n_t)
    rows_z = np.repeat(both, n_t)
    rows_t = np.tile(t, len(both))
    up_pos = np.array([slot_up[int(z)] for z in rows_z], np.int64) * n_t + rows_t
    in_pos = np.array([slot_in[int(z)] for z in rows_z], np.int64) * n_t + rows_t
    terms: list[Term] = [(shift.up, up_pos, 1.0), (move.moved_in, in_pos, 1.0),
                         (shift.up_range, rows_z, -headroom / up_share)]  # fmt: skip
    op.block("hup", [rows_z, rows_t], pulp.LpConstraintLE, terms)


def tie_moves(op: Ops, inst: Instance, move: Move | None, sites: tuple[Sizes, FloatArray],
              serve: dict[tuple[int, int], Any] | None = None) -> None:  # fmt: skip
    """``gmi``/``gmo``: the ranges of moved load tied to each zone's movable load [MW].

    Movable: the zone's data-centre load less the inference load its sites serve within a
    latency budget (``serve``: the latency rows' column per served (demand point, site)
    pair [MW IT]), which stays where its users are. Rows on the plan only: the full-year
    check takes the ranges from the plan (:func:`movable_sizes`).
    """
    if move is None:
        return
    new, per_unit = sites
    zones: IntArray = np.arange(inst.n_zones)
    per_site = inst.new_load_per_mw * np.asarray(per_unit, float)
    has = np.array([c is not None for c in new.cells], bool)
    by_zone = [np.flatnonzero((inst.sites.zone == z) & has) for z in zones]
    pairs = sorted((serve or {}).items())
    served = Sizes("v", (), [v for _, v in pairs])
    served_zone = np.array([inst.sites.zone[s] for (_, s), _ in pairs], np.int64)
    served_per_it = np.array([inst.new_load_per_mw[s] for (_, s), _ in pairs], float)
    for size, share, family in zip((move.in_range, move.out_range), spatial_ranges(inst),
                                   ("gmi", "gmo"), strict=True):  # fmt: skip
        terms: list[Term] = [(size, zones, 1.0)]
        terms += per_zone_terms(by_zone, new, -share * per_site)
        by_pair = [np.flatnonzero(served_zone == z) for z in zones]
        terms += per_zone_terms(by_pair, served, share * served_per_it)
        op.block(family, [zones], pulp.LpConstraintEQ, terms, share * inst.fixed_load_mw)


def movable_sizes(inst: Instance, load_mw: FloatArray,
                  inference_mw: FloatArray | None = None) -> dict[SizeKey, FloatArray]:  # fmt: skip
    """A plan's spatial ranges per zone [MW] from its load and the inference load its sites
    serve within a latency budget [MW] (none when no load may move between zones)."""
    if inst.settings.spatial_share <= 0:
        return {}
    movable = np.asarray(load_mw, float) - (0.0 if inference_mw is None else inference_mw)
    up, down = spatial_ranges(inst)
    return {("gi", ()): up * movable, ("go", ()): down * movable}
