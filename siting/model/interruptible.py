"""Interruptible data-centre load: more load where the grid is full, curtailed when the grid
is stressed (``docs/model.md#interruptible-load``).

A zone with a hosting limit ``H_z`` may host ``x_z`` [MW] more new load (size ``ix``, at most
the zone's ``interruptible_mw``, :func:`siting.instance.headroom.interruptible_capacity`) if
that load is curtailed by what exceeds the grid's headroom below its peak in every hour of
the year, ``max(0, x_z - h_t)``; the bound on ``x_z`` keeps this within
``flexibility.interruptible_share`` of its energy. The compute lost is priced at
``lost_compute_eur_per_mwh``.

The plan prices the year's curtailed energy exactly, from every hour of the grid-load
layer rather than from the representative slices (which rarely hold the few peak hours):
``E(x) = sum_t max(0, x - h_t)`` is convex and piecewise linear, the largest of its pieces
``k x - S_k`` (``k`` hours of least headroom, ``S_k`` their headroom summed), so a column
``ie`` [MWh/yr] bounded below by each piece (rows ``iet``) and costing the lost compute is
``E(x_z)`` at the optimum. The plan supplies the curtailed load in its own balance (a
simplification that costs clean supply for at most the share of the interruptible energy,
and keeps curtailment from standing in for supply). The full-year check, where ``x_z`` is
fixed, curtails exactly ``max(0, x_z - h_t)`` hour by hour (columns ``ic``, rows ``icf``,
bounded above by the same) and nets it from the zone's load. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from siting.instance import Instance
from siting.model.ops import FloatArray, IntArray, Ops, Sizes, Table, Term, per_zone_terms


@dataclass(frozen=True)
class Interrupt:
    """Interruptible load per zone, and what is curtailed: per zone and hour in the full-year
    check (``cut``), as the year's energy per zone in the plan (``energy``)."""

    size: Sizes
    cut: Table | None = None
    energy: Sizes | None = None


def add_interrupt(op: Ops, inst: Instance) -> Interrupt | None:
    """Interruptible load (None when no zone may host any)."""
    cap = inst.zones.interruptible_mw
    if inst.settings.interruptible_share <= 0 or not len(cap) or not (cap > 0).any():
        return None
    n_z = inst.n_zones
    size = op.sizes("ix", (), n_z, up=cap.tolist(), skip=(cap <= 0).tolist())
    if op.horizon.residual:
        return _curtail_hours(op, size)
    value = inst.settings.lost_compute_eur_per_mwh
    energy = op.sizes("ie", (), n_z, cost=[value] * n_z, skip=(cap <= 0).tolist())
    _price_year(op, inst, size, energy)
    return Interrupt(size, energy=energy)


def curtailment_pieces(headroom_mw: FloatArray, cap_mw: float) -> tuple[FloatArray, FloatArray]:
    """The pieces ``k x - S_k`` of the year's curtailed energy ``E(x)`` [MWh/yr] that matter
    on ``0 <= x <= cap_mw``: slopes ``k`` [h] and offsets ``S_k`` [MWh], one per distinct
    headroom below the cap (the ``k`` hours of least headroom up to it)."""
    h = np.sort(np.asarray(headroom_mw, float))
    k = np.arange(1, len(h) + 1, dtype=float)
    s = np.cumsum(h)
    last = np.r_[h[1:] != h[:-1], True] & (h < cap_mw)
    return k[last], s[last]


def _price_year(op: Ops, inst: Instance, size: Sizes, energy: Sizes) -> None:
    """``iet``: the year's curtailed energy at least every piece, ``ie - k x >= -S_k``."""
    rows_z, slopes, offsets = [], [], []
    for z in np.flatnonzero(inst.zones.interruptible_mw > 0):
        k, s = curtailment_pieces(inst.zones.grid_headroom_mw[z], inst.zones.interruptible_mw[z])
        rows_z.append(np.full(len(k), z, np.int64))
        slopes.append(k)
        offsets.append(s)
    z_of = np.concatenate(rows_z)
    piece = np.concatenate([np.arange(len(k)) for k in slopes]).astype(np.int64)
    terms: list[Term] = [(energy, z_of, 1.0), (size, z_of, -np.concatenate(slopes))]
    op.block("iet", [z_of, piece], pulp.LpConstraintGE, terms, -np.concatenate(offsets))


def _curtail_hours(op: Ops, size: Sizes) -> Interrupt:
    """A fixed plan over hours: the grid curtails ``max(0, x - h_t)``, no more and no less."""
    head = op.horizon.headroom
    assert head is not None, "the full-year check of interruptible load needs the headroom"
    n_t = op.horizon.n_t
    zones: IntArray = op.operable(np.arange(len(size)), size)
    up = np.maximum(np.asarray(size.cells, float)[:, None] - head, 0.0)
    cut = op.table("ic", (), zones, up=up, bound=(size, "icb"))
    op.feed(cut, zones, 1.0)
    rows_z = np.repeat(zones, n_t)
    rows_t = np.tile(np.arange(n_t), len(zones))
    terms: list[Term] = [(cut, np.arange(len(zones) * n_t, dtype=np.int64), 1.0),
                         (size, rows_z, -1.0)]  # fmt: skip
    op.block("icf", [rows_z, rows_t], pulp.LpConstraintGE, terms, -head[rows_z, rows_t])
    return Interrupt(size, cut=cut)


def tie_interruptible(op: Ops, inst: Instance, interrupt: Interrupt | None,
                      sites: tuple[Sizes, FloatArray]) -> None:  # fmt: skip
    """``ixl``: a zone's interruptible load is part of its new data-centre load,
    ``x_z <= sum_{s in z} load per MW x new IT`` [MW] (a row on the plan only)."""
    if interrupt is None:
        return
    new, per_unit = sites
    per_site = inst.new_load_per_mw * np.asarray(per_unit, float)
    zones: IntArray = np.flatnonzero(np.array([c is not None for c in interrupt.size.cells]))
    has = np.array([c is not None for c in new.cells], bool)
    members = [np.flatnonzero((inst.sites.zone == z) & has) for z in zones]
    terms: list[Term] = [(interrupt.size, zones, 1.0), *per_zone_terms(members, new, -per_site)]
    op.block("ixl", [zones], pulp.LpConstraintLE, terms)
