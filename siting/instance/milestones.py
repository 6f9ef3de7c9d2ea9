"""Milestones: one instance per target year of a build-out (``target.milestones``).

Each milestone is the scenario as it stands at its year: its own added compute, its year's
hardware, the sites connected (or accelerated) by then, with the deadline's rules otherwise.
Sites forced by policy and the minimum site counts are the deadline's: earlier milestones
neither force nor count sites, as capacity built for a milestone stays at the deadline
(:mod:`siting.model.buildout`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from siting.config import Config
from siting.inputs.layers import Layers
from siting.instance.build import build_instance
from siting.instance.periods import Periods
from siting.instance.tables import Instance


@dataclass(frozen=True)
class Stage:
    """One milestone of a build-out.

    Attributes
    ----------
    year
        The milestone's year [yr].
    increase_pct
        Compute added over the baseline by then [%].
    weight_yr
        Years the milestone's plan stands in the objective [yr].
    inst
        The milestone's instance (its target, its connected sites).
    """

    year: int
    increase_pct: float
    weight_yr: float
    inst: Instance


def stage_weights(years: list[int]) -> list[float]:
    """Years each milestone's plan stands [yr]: until the next milestone, and the last one
    as long as the gap before it (one year when it is alone), PyPSA-Eur's convention for
    its last investment period."""
    gaps = [float(b - a) for a, b in pairwise(years)]
    return [*gaps, gaps[-1] if gaps else 1.0]


def stage_config(cfg: Config, year: int, increase_pct: float) -> Config:
    """The scenario as it stands at a milestone: its target by ``year``, its hardware, no
    forced sites or minimum site counts (the deadline's alone)."""
    target = cfg.target.model_copy(update={
        "deadline_year": year, "increase_pct": increase_pct, "milestones": None,
        "hardware_year": year,
    })  # fmt: skip
    policy = cfg.policy.model_copy(update={
        "forced_sites": [], "min_sites": 0, "min_sites_per_country": {},
    })  # fmt: skip
    return cfg.model_copy(update={"target": target, "policy": policy})


def milestone_stages(
    layers: Layers, cfg: Config, final: Instance, periods: Periods | None = None
) -> list[Stage]:
    """Every milestone of ``cfg`` as a :class:`Stage`, the deadline's (``final``) last
    (the layers' checks refuse milestones with the full-year guarantee)."""
    stages = cfg.target.stages
    weights = stage_weights([y for y, _ in stages])
    out = []
    for (year, pct), weight in zip(stages, weights, strict=True):
        last = year == cfg.target.deadline_year
        inst = final if last else build_instance(layers, stage_config(cfg, year, pct), periods)
        out.append(Stage(year, pct, weight, inst))
    return out
