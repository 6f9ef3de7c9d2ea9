"""Scenario configuration: schema, loading, ``--set`` overrides and hashing.

Every key, type, default and unit: ``docs/config.md`` (generated from this schema).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

import siting.base.parameters as parameters
from siting.base.economics import annualised_cost
from siting.base.errors import InputError, Problem


class _Strict(BaseModel):
    # field docstrings become the descriptions in the JSON Schema and docs/config.md
    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, use_attribute_docstrings=True
    )


class LayersConfig(_Strict):
    """Paths of the input layers, relative to the config file."""

    zones: Path
    """Zone polygons with their baseline and grid figures (``docs/layers.md#zones``)."""
    sites: Path
    """Candidate data-centre sites, points (``docs/layers.md#sites``)."""
    renewables: Path
    """Buildable clean capacity per zone and technology (``docs/layers.md#renewables``)."""
    links: Path | None = None
    """Directed interconnectors between zones (``docs/layers.md#links``)."""
    demand: Path | None = None
    """Inference demand points for latency rules (``docs/layers.md#demand``)."""
    profiles: Path | None = None
    """Hourly capacity factors of the representative periods (``docs/layers.md#profiles``)."""
    rtt: Path | None = None
    """Measured round-trip times (``demand_id``, ``site_id``, ``rtt_ms``); overrides distance."""
    moratoria: Path | None = None
    """Polygons where no new capacity may connect (optional ``name``, ``until_year``)."""
    forbidden_areas: Path | None = None
    """Polygons where no new capacity may go (optional ``name``)."""
    forced_areas: Path | None = None
    """Polygons that must each host new sites (optional ``name``, ``min_sites`` (1))."""
    technologies: Path | None = None
    """A technology table CSV replacing siting's own (``docs/technologies.md``)."""
    weather: list[Path] = Field(default_factory=list)
    """Full-year hourly capacity factors, one or more files (``docs/layers.md#weather``):
    every hourly plan is re-dispatched over each year in them (the full-year check)."""
    grid_load: Path | None = None
    """Hourly national load per zone or country over a whole year [MW]
    (``docs/layers.md#grid_load``): where each zone's grid is stressed, for interruptible
    data-centre load (``flexibility.interruptible_share``)."""

    @field_validator("weather", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str | Path) else v


class TargetConfig(_Strict):
    """Compute target: ``(1 + increase_pct / 100) x`` today's compute by ``deadline_year``,
    compute counted in MW of today's IT (``docs/model.md#compute-target``)."""

    baseline_year: int = Field(2024, ge=1990, le=2100)
    """Year of the baseline capacity [yr]."""
    increase_pct: float = Field(300.0, ge=0.0, le=10_000.0)
    """Increase of compute over the baseline by the deadline [%]; 300 means 4 x. With
    ``efficiency_gain_pct_per_yr`` 0 (the default) compute is IT capacity: 4 x the MW."""
    deadline_year: int = Field(2030, ge=1990, le=2100)
    """Year by which the target must be met; sites connected later are excluded [yr]."""
    efficiency_gain_pct_per_yr: float = Field(0.0, ge=0.0, le=200.0)
    """How much more compute a MW of IT carries each year [%/yr] (Epoch AI: leading ML
    hardware is 50 % more energy-efficient each year, ``EPOCH_MLHW_2025``); new IT carries
    ``(1 + gain / 100) ** (hardware_year - baseline_year)`` times the compute per MW of
    today's fleet. 0: a MW of new IT is a MW of today's."""
    hardware_year: int | None = Field(None, ge=1990, le=2100)
    """The year whose hardware the new IT carries [yr] (default: the deadline); e.g. the
    middle of the build-out, as new sites connect over the years before it."""
    milestones: dict[int, float] | None = None
    """Intermediate targets by year, ``{year: increase_pct}`` in ascending years, e.g.
    ``{2027: 100}`` (the deadline's ``increase_pct`` is the last milestone): one model plans
    the build-out, each milestone met by the sites connected by its year, capacity built once
    kept (``docs/model.md#milestones``). Each milestone's new IT carries its year's hardware,
    so ``hardware_year`` must not be set with it."""

    @model_validator(mode="after")
    def _deadline_after_baseline(self) -> TargetConfig:
        if self.deadline_year < self.baseline_year:
            raise ValueError("deadline_year must not be before baseline_year")
        if self.hardware_year is not None and not (
            self.baseline_year <= self.hardware_year <= self.deadline_year
        ):
            raise ValueError("hardware_year must lie between baseline_year and deadline_year")
        return self

    @field_validator("milestones")
    @classmethod
    def _milestones_in_order(
        cls, v: dict[int, float] | None, info: ValidationInfo
    ) -> dict[int, float] | None:
        if v:
            _check_milestones(v, info.data)
        return v

    @property
    def stages(self) -> list[tuple[int, float]]:
        """``(year, increase_pct)`` of every milestone, the deadline last (one entry without
        milestones)."""
        out = [(int(y), float(p)) for y, p in (self.milestones or {}).items()]
        if not out or out[-1][0] != self.deadline_year:
            out.append((self.deadline_year, self.increase_pct))
        return out

    @property
    def multiplier(self) -> float:
        """Target compute over baseline compute [-]."""
        return 1.0 + self.increase_pct / 100.0

    @property
    def compute_per_new_mw(self) -> float:
        """Compute of a MW of new IT over that of a MW of today's fleet [-]."""
        year = self.deadline_year if self.hardware_year is None else self.hardware_year
        return (1.0 + self.efficiency_gain_pct_per_yr / 100.0) ** (year - self.baseline_year)


def _check_milestones(milestones: dict[int, float], target: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming the first problem of ``target.milestones`` (``target``:
    the other target keys, as validated so far)."""
    years = [int(y) for y in milestones]
    pcts = [float(p) for p in milestones.values()]
    base, deadline = target.get("baseline_year", 2024), target.get("deadline_year", 2030)
    increase = target.get("increase_pct", 300.0)
    fix = "list them in ascending years, e.g. milestones: {2027: 100}"
    if years != sorted(set(years)):
        raise ValueError(f"milestones must be in ascending years ({fix}); got {years}")
    if years[0] <= base or years[-1] > deadline:
        raise ValueError(
            f"milestone years must lie after baseline_year {base} and by deadline_year "
            f"{deadline}; got {years} (move the deadline or drop the later milestones)"
        )
    if any(p < 0 for p in pcts) or pcts != sorted(pcts) or pcts[-1] > increase:
        raise ValueError(
            "milestone increases must be >= 0 and must not fall from one milestone to the "
            f"next or exceed increase_pct {increase:g}; got {pcts}"
        )
    if years[-1] == deadline and pcts[-1] != increase:
        raise ValueError(
            f"the milestone at deadline_year {years[-1]} ({pcts[-1]:g} %) contradicts "
            f"increase_pct {increase:g}; drop it (the deadline is the last milestone)"
        )
    if target.get("hardware_year") is not None:
        raise ValueError(
            "hardware_year cannot be set with milestones (each milestone's new IT carries its "
            "own year's hardware); remove hardware_year"
        )


class CarbonConfig(_Strict):
    """How data-centre load is matched with carbon-free supply."""

    matching: Literal["annual", "hourly"] = "annual"
    """``annual``: clean energy over the year covers the load; ``hourly``: in every hour (24/7)."""
    cfe_target: float = Field(1.0, ge=0.0, le=1.0)
    """Share of the load covered by carbon-free supply [-]; 1.0 allows no residual grid."""
    scope: Literal["all", "new"] = "all"
    """``all``: match existing and new data centres; ``new``: new capacity only."""
    annual_accounting: Literal["hourly", "netted"] = "hourly"
    """Annual matching only. ``hourly``: the grid exchange is settled hour by hour on the
    run's representative days (what its own clean supply does not cover is bought, its
    surplus sold; needs a weather or profiles layer, else the run falls back to ``netted``
    with a warning); ``netted``: one annual slice, the exchange netted over the year and not
    priced (a quick screening; ``docs/model.md#grid-exchange``)."""
    guarantee: Literal["none", "full_year"] = "none"
    """``full_year``: after the solve, check the plan on every hour of its weather years and
    add the failing days as periods of their own until the check meets ``cfe_target``
    (hourly matching with a weather layer; ``docs/model.md#guarantee``)."""
    guarantee_tolerance: float = Field(0.001, ge=0.0, lt=1.0)
    """How far below ``cfe_target`` the full-year CFE may stay and count as met [-]."""
    max_guarantee_rounds: int = Field(8, ge=1, le=100)
    """Re-solves the guarantee may take before it gives up (exit 3)."""
    guarantee_days_per_round: int = Field(10, ge=0, le=60)
    """Failing days added per round at most: whole stretches of failing days first (0: none,
    the cuts alone)."""
    guarantee_segments_per_day: int | None = Field(None, ge=1, le=24)
    """Segments each added failing day is joined into (``docs/model.md#guarantee``); None:
    ``weather.segments_per_day``, as the representative days. Fewer make each round's LP
    smaller: a lull is bridged by energy over days, not by the shape of each day."""
    not_carbon_free: list[str] = Field(default_factory=list)
    """Dispatchable technologies whose output does not count as carbon-free, e.g.
    ``[allam_ccs]`` [-]: each MWh they deliver counts against ``cfe_target`` as a MWh
    bought from the grid does (at 1.0 they cannot serve the load). Empty: every clean
    technology counts, as Riepin & Brown count Allam-cycle gas with CCS
    (``docs/model.md#carbon-free``)."""
    guarantee_cuts: bool = False
    """Each round also adds a cut from the check's duals: a linear bound on the full-year
    residual grid that the re-solve keeps within the allowance (``docs/model.md#guarantee``;
    off by default: measured, the added days bind first, and cuts alone converge slowly)."""

    @model_validator(mode="after")
    def _guarantee_makes_progress(self) -> CarbonConfig:
        if self.guarantee_days_per_round == 0 and not self.guarantee_cuts:
            raise ValueError(
                "guarantee_days_per_round: 0 adds nothing to a round without guarantee_cuts: "
                "true; add days or turn the cuts on"
            )
        return self


class ScopeConfig(_Strict):
    """Which zones a plan is for (``docs/model.md#scope``): a country or a group of them
    alone, the other zones trading partners."""

    countries: list[str] = Field(default_factory=list)
    """Countries (the zones layer's ``country``) the plan is for; empty: every zone. Their
    baseline sets the target; only their sites may be built and only their load is matched.
    The other zones stay trading partners: their clean supply may be contracted and imported
    over the links within the links' limits."""
    zones: list[str] = Field(default_factory=list)
    """Zones (``zone_id``) the plan is for, beside ``countries``; empty: as ``countries``
    says."""

    @property
    def limited(self) -> bool:
        """Whether the plan is for some zones only."""
        return bool(self.countries or self.zones)


class PolicyConfig(_Strict):
    """Siting policy: concentration caps, site counts, forced/forbidden sites, water."""

    max_country_share: float | None = Field(0.35, gt=0.0, le=1.0)
    """Largest share of all new IT capacity in one country [-]; null: no cap."""
    min_sites: int = Field(0, ge=0)
    """Least number of sites that get new capacity [sites]."""
    max_sites: int | None = Field(None, ge=0)
    """Most sites that get new capacity [sites]; null: no limit."""
    forced_sites: list[str] = Field(default_factory=list)
    """Site IDs that must get new capacity."""
    forbidden_sites: list[str] = Field(default_factory=list)
    """Site IDs that may not get new capacity."""
    max_water_stress: float | None = Field(None, ge=0.0)
    """Sites above this water stress (Aqueduct 0-5) are excluded [-]; null: no limit."""
    max_hosting_share: float | None = Field(None, gt=0.0, le=1.0)
    """New data-centre load in a zone at most this share of the zone's mean national demand
    (``national_load_mw`` of the zones layer) [-]; null: only ``hosting_mw`` limits it."""
    min_sites_per_country: dict[str, int] = Field(default_factory=dict)
    """Least number of sites with new capacity per country (``country`` of the zones layer)."""

    @field_validator("min_sites_per_country")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        bad = [f"{c}: {n}" for c, n in v.items() if n < 0]
        if bad:
            raise ValueError(f"site counts must be >= 0 ({', '.join(bad)})")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> PolicyConfig:
        if self.max_sites is not None and self.max_sites < self.min_sites:
            raise ValueError(f"max_sites ({self.max_sites}) is below min_sites ({self.min_sites})")
        both = sorted(set(self.forced_sites) & set(self.forbidden_sites))
        if both:
            raise ValueError(f"sites both forced and forbidden: {', '.join(both)}")
        return self


class LatencyConfig(_Strict):
    """Inference load and its round-trip-time budget (used when ``layers.demand`` is given).

    RTT between a demand point and a site is ``2 x great-circle km x route_factor /
    fibre_km_per_ms`` [ms], unless ``layers.rtt`` gives a measured value for the pair.
    """

    inference_share: float = Field(parameters.INFERENCE_SHARE, ge=0.0, le=1.0)
    """Share of the new IT capacity that serves inference [-] (``allocation: population``)."""
    allocation: Literal["population", "given"] = "population"
    """``population``: share x new capacity split by the points' ``population``;
    ``given``: each point's ``inference_it_mw``."""
    max_rtt_ms: float | None = Field(None, gt=0.0)
    """Budget for points without their own ``max_latency_ms`` [ms]; None: no budget."""
    route_factor: float = Field(parameters.LATENCY_ROUTE_FACTOR, ge=1.0, le=10.0)
    """Measured latency over line-of-sight at fibre speed [-] (BOZKURT_2018)."""
    fibre_km_per_ms: float = Field(parameters.FIBRE_KM_PER_MS, gt=0.0)
    """Speed of light in fibre [km/ms] (FIBRE_SOL)."""


class WaterConfig(_Strict):
    """Cooling water priced by scarcity: ``WUE x IT energy x price x (1 + stress_weight x stress)``."""

    wue_l_per_kwh: float = Field(parameters.WUE_L_PER_KWH, ge=0.0)
    """Site water use per kWh of IT energy [L/kWh] (= m3/MWh)."""
    price_eur_per_m3: float = Field(0.0, ge=0.0)
    """Price of water where it is not scarce [EUR/m3]; 0 leaves water out of the cost."""
    stress_weight: float = Field(1.0, ge=0.0)
    """Price mark-up per point of water stress (Aqueduct 0-5 scale) [-]."""


_REINFORCEMENT = round(
    annualised_cost(
        parameters.REINFORCEMENT_EUR_PER_KW * 1e3,
        parameters.REINFORCEMENT_LIFETIME_Y,
        parameters.DISCOUNT_RATE,
        parameters.REINFORCEMENT_FOM_PCT,
    ),
    1,
)


class GridConnectionConfig(_Strict):
    """Time to power: when each site can be connected, and what happens to late ones."""

    request_year: int | None = Field(None, ge=1990, le=2100)
    """Year connection requests are filed; sites without ``online_year`` then get
    ``request_year + grid_connection_years`` (site, else zone). None: use given years only."""
    late_sites: Literal["exclude", "accelerate"] = "exclude"
    """Sites connected after the deadline: ``exclude`` them, or ``accelerate`` at a cost."""
    acceleration_eur_per_mw_yr: float | None = Field(None, ge=0.0)
    """Cost of connecting one year earlier, per MW of new IT capacity [EUR/MW/yr per year]."""
    max_acceleration_years: float | None = Field(None, ge=0.0)
    """Most years a connection can be brought forward; later sites stay excluded."""
    reinforcement_eur_per_mw_yr: float = Field(_REINFORCEMENT, ge=0.0)
    """Grid reinforcement for new load, per MW of connected load (``pue`` x MW IT), annualised
    [EUR/MW/yr]; a zone's ``reinforcement_eur_per_mw_yr`` replaces it and its
    ``reinforcement_multiplier`` scales it. Default: 188.6 EUR/kW over 40 years at 7 % plus
    2 %/yr O&M (PYPSA_TD_2030)."""

    @model_validator(mode="after")
    def _cost_given(self) -> GridConnectionConfig:
        if self.late_sites == "accelerate" and self.acceleration_eur_per_mw_yr is None:
            raise ValueError(
                "late_sites: accelerate needs acceleration_eur_per_mw_yr "
                "(the cost of one year earlier per MW of IT)"
            )
        return self


class EconomicsConfig(_Strict):
    """Economic assumptions."""

    utilisation: float = Field(parameters.DEFAULT_UTILISATION, gt=0.0, le=1.0)
    """Average IT draw over installed IT capacity [-]."""
    carbon_price_eur_per_t: float = Field(100.0, ge=0.0)
    """Price of CO2 added to residual grid energy [EUR/t]."""
    wheeling_eur_per_mwh: float = Field(0.0, ge=0.0)
    """Charge per MWh sent over a link [EUR/MWh]."""
    surplus_price_share: float = Field(parameters.SURPLUS_PRICE_SHARE, ge=0.0, le=2.0)
    """Surplus clean energy sold to the grid fetches this share of the zone's mean wholesale
    price (``wholesale_price_eur_per_mwh`` of the zones layer) [-]."""
    max_surplus_share: float = Field(parameters.MAX_SURPLUS_SHARE, ge=0.0)
    """Surplus sold over a year at most the zone's own grid purchases plus this share of its
    data-centre load [-] (RIEPIN_BROWN_2022: 0.2)."""


class StorageConfig(_Strict):
    """Storage in hourly matching: how stores carry their charge from day to day, and
    overrides of one store technology's row of the technology table.

    The overrides apply to ``technology``: by default the table's first storage row (Li-ion
    batteries in siting's table, PYPSA_TD_2030 annualised at 7 %). A value left out keeps
    the table's.
    """

    technology: str | None = None
    """The store technology the keys below apply to (default: the table's first storage
    row)."""
    enabled: bool = True
    """Let the model build that technology (hourly matching only); ``technologies:`` switches
    any technology on or off."""
    energy_eur_per_mwh_yr: float | None = Field(None, ge=0.0)
    """Annualised cost of its energy capacity [EUR/MWh/yr] (default: the table's)."""
    power_eur_per_mw_yr: float | None = Field(None, ge=0.0)
    """Annualised cost of its power capacity [EUR/MW/yr] (default: the table's)."""
    roundtrip_efficiency: float | None = Field(None, gt=0.0, le=1.0)
    """Energy out over energy in [-]; each direction loses its square root (default: the
    table's)."""
    linking: Literal["chronological", "per_period"] = "chronological"
    """``chronological``: every store's state of charge carries from each calendar day to the
    next through the representative days standing for them (needs a weather layer; without
    one the periods are cyclic); ``per_period``: cyclic within each representative day."""
    annual_matching: bool = False
    """Let annual matching settled hour by hour build storage where it pays: its surplus
    kept for the hours it would buy instead of sold at the sale price
    (``docs/model.md#storage-in-annual-plans``). false: an annual buyer sells its surplus and
    buys its shortfall (the published annual plans). Needs hours (``carbon.annual_accounting:
    hourly`` with a weather or profiles layer)."""


class FlexibilityConfig(_Strict):
    """Data-centre load that may move in time and between zones (``docs/model.md#flexible-load``)."""

    temporal_share: float = Field(0.0, ge=0.0, le=1.0)
    """Share of each zone's data-centre load that may move within its day [-]: every hour the
    load served lies within ``-share`` and ``+min(share, 1 / utilisation - 1)`` of the nominal
    load (no IT runs above full use), and each day's energy (its compute) is the nominal one.
    0: a flat load. Needs hours (hourly matching, or annual matching settled hourly)."""
    spatial_share: float = Field(0.0, ge=0.0, le=1.0)
    """Share of each zone's movable data-centre load that may move to the fleet's other zones
    within the same hour [-], the fleet's compute conserved hour by hour; inference load
    served within a latency budget (``layers.demand``) stays. Ranges as ``temporal_share``'s;
    with both, what a zone takes in stays within its IT's headroom."""
    interruptible_share: float = Field(0.0, ge=0.0, le=1.0)
    """Share of its annual energy that interruptible data-centre load accepts to lose when
    its zone's grid is stressed [-] (Duke University's *Rethinking Load Growth* studies
    0.0025-0.01): each zone with a hosting limit may host more new load, curtailed in the
    hours the grid's national load leaves too little headroom below its peak
    (``layers.grid_load``; ``docs/model.md#interruptible-load``). 0: none."""
    lost_compute_eur_per_mwh: float = Field(1640.0, ge=0.0)
    """What a MWh of data-centre load curtailed costs [EUR/MWh]: by default the accelerators
    standing idle (a USD 25,000 GPU of 700 W written off over 3 years at 70 % use,
    ``LOKSHIN_WB_2026``, at 0.846 EUR/USD: 1,640 EUR per MWh of IT energy); set it to what
    making the compute up elsewhere costs (capacity held in reserve, cloud capacity)."""


class WeatherConfig(_Strict):
    """How representative days are cut from the weather layer (hourly matching)."""

    representative_days: int = Field(12, ge=2, le=365)
    """Representative days cut from the weather year; one of them is the calmest day. 365 is
    every day of the year as its own period, in calendar order: with hourly slices and
    chronological linking, the exact whole-year model (``docs/model.md#whole-year``)."""
    segments_per_day: int = Field(24, ge=1, le=24)
    """Time slices per representative day: 24 is hourly; fewer joins adjacent hours of a
    day into segments of varying length where the weather changes least (tsam's
    segmentation), each segment at the mean of its hours (``docs/model.md#segments``). The
    segmented model is a relaxation of the hourly one on the same days: its bound is a lower
    bound of the hourly optimum. Days added by the guarantee are segmented alike."""
    mode: Literal["single", "robust"] = "single"
    """``single``: optimise on one weather year (the first of the weather layer, or
    ``years``); ``robust``: on all of them at once: the representative days are cut from the
    years together, each year's days weigh a year's share, storage runs through the years in
    order, and the CFE target holds on their union (``docs/model.md#robust``)."""
    years: list[int] = Field(default_factory=list)
    """Weather years of the weather layer to optimise on; empty: as ``mode`` says. The
    full-year check covers every year of the layer whatever this says."""
    levels: Literal["layer", "file"] = "layer"
    """``layer``: every weather year scaled to the renewables layer's annual cf (one level,
    only the shapes differ: right when years come from different sources); ``file``: each
    year's own capacity factors (a windless year delivers less: for years of one source)."""


class SolverConfig(_Strict):
    """Solver choice and limits."""

    name: Literal["highs", "cbc", "gurobi", "cplex", "xpress", "copt", "scip", "mosek"] = "highs"
    """MILP solver: HiGHS (default, installed with siting) or any other solver PuLP drives, if
    installed here (``docs/solvers.md#other-solvers``)."""
    options: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """The solver's own parameters, by the solver's own names, passed through unchanged (e.g.
    ``{Method: 2, Crossover: 0}`` for Gurobi's barrier without crossover) [-]."""
    time_limit_s: float = Field(600.0, gt=0.0)
    """Wall-clock limit of the solve [s]; the best plan found by then is kept."""
    mip_gap: float = Field(0.005, ge=0.0, lt=1.0)
    """Relative gap at which a plan counts as optimal [-]."""
    threads: int = Field(1, ge=1, le=256)
    """Solver threads."""
    seed: int = Field(0, ge=0, le=2_147_483_647)
    """Solver random seed, for repeatable runs."""
    msg: bool = False
    """Show the solver's log on stderr as it runs (it is always in the run's ``solver.log``)."""
    scaling: bool = True
    """Hand HiGHS the model in scaled units (``docs/solvers.md#scaling``); off: raw EUR and MW."""
    lp_algorithm: Literal["auto", "simplex", "ipx", "hipo"] = "auto"
    """LP algorithm inside HiGHS (``docs/solvers.md#algorithm``): ``auto`` takes HiPO's interior
    point (augmented system) for hourly MILPs, IPX for hourly pure LPs (the guarantee's
    fixed-site re-solves, where HiPO stalled) and dual simplex for annual models; ``ipx`` is
    HiGHS's older interior point."""
    clip_capacity_factor: float = Field(0.0, ge=0.0, lt=0.1)
    """Hourly capacity factors below this count as zero in the optimisation (PyPSA-Eur's
    ``clip_p_max_pu``; ``docs/solvers.md#clipping-small-capacity-factors``) [-]. Coefficients of 1e-5 (solar at dawn)
    next to ones of 1 made HiPO stall on the 24-day 24/7 model; 0.01 let it converge. The
    full-year check always uses the weather layer's own factors. 0: no clipping."""
    crossover: Literal["on", "off"] = "on"
    """Crossover after an interior-point LP (``docs/solvers.md#crossover``): ``on`` turns the
    interior solution into a vertex (a basic solution); ``off`` keeps the interior one, which
    has the same objective within HiGHS's tolerances but leaves tiny flows and sizes (1e-5 to
    1e-3 MW) where a vertex has zeros, saved no measurable time on the guarantee's LPs, and
    stalls the residual cuts' loop. Only pure LPs (the guarantee's fixed-site re-solves) are
    affected: branch and bound always needs a basis."""


class Config(_Strict):
    """A complete scenario."""

    name: str = Field(..., min_length=1, max_length=80)
    """Scenario name; names the run folder (letters, digits, '-', '_', '.')."""
    data_root: Path = Path(".")
    """Folder tree, relative to the config file, that layer paths must stay inside."""
    layers: LayersConfig
    """Input layer files, relative to this config (``docs/layers.md``)."""
    target: TargetConfig = Field(default_factory=TargetConfig)  # type: ignore[arg-type]
    """Compute target."""
    carbon: CarbonConfig = Field(default_factory=CarbonConfig)  # type: ignore[arg-type]
    """Carbon-free matching rule."""
    policy: PolicyConfig = Field(default_factory=PolicyConfig)  # type: ignore[arg-type]
    """Siting policy."""
    scope: ScopeConfig = Field(default_factory=ScopeConfig)  # type: ignore[arg-type]
    """The zones the plan is for (default: all)."""
    economics: EconomicsConfig = Field(default_factory=EconomicsConfig)  # type: ignore[arg-type]
    """Economic assumptions."""
    storage: StorageConfig = Field(default_factory=StorageConfig)  # type: ignore[arg-type]
    """Battery storage."""
    latency: LatencyConfig = Field(default_factory=LatencyConfig)  # type: ignore[arg-type]
    """Latency rules for inference."""
    water: WaterConfig = Field(default_factory=WaterConfig)  # type: ignore[arg-type]
    """Water pricing."""
    grid_connection: GridConnectionConfig = Field(default_factory=GridConnectionConfig)  # type: ignore[arg-type]
    """Time to power."""
    weather: WeatherConfig = Field(default_factory=WeatherConfig)  # type: ignore[arg-type]
    """Representative days from the weather layer."""
    flexibility: FlexibilityConfig = Field(default_factory=FlexibilityConfig)  # type: ignore[arg-type]
    """Data-centre load that may move in time and between zones."""
    technologies: dict[str, bool] = Field(default_factory=dict)
    """Switch technologies of the table on or off by id, e.g. ``{nuclear: true}``."""
    max_new_mw: dict[str, float] = Field(default_factory=dict)
    """At most this much new capacity [MW] per zone for the named supply technologies, on top
    of the renewables layer's potential, e.g. ``{nuclear: 1000}``."""

    @field_validator("max_new_mw")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if not x >= 0]
        if bad:
            raise ValueError(f"max_new_mw must be >= 0 MW (check {', '.join(bad)})")
        return v

    solver: SolverConfig = Field(default_factory=SolverConfig)  # type: ignore[arg-type]
    """Solver settings."""

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        bad = set(v) - set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        if bad:
            raise ValueError(
                "name may only use letters, digits, '-', '_' and '.' "
                f"(it names the run folder); found {''.join(sorted(bad))!r}"
            )
        return v

    def layer_paths(self) -> dict[str, Path]:
        """The configured layer paths, by layer name (absent optional layers omitted).

        Weather files are named ``weather`` (one file) or ``weather.0``, ``weather.1``, ...
        """
        out = {
            k: v for k, v in self.layers.model_dump().items() if v is not None and k != "weather"
        }
        files = self.layers.weather
        out.update(
            {"weather": files[0]}
            if len(files) == 1
            else {f"weather.{i}": p for i, p in enumerate(files)}
        )
        return out

    def to_plain(self) -> dict[str, Any]:
        """JSON/YAML-ready dict (paths as strings)."""
        return json.loads(self.model_dump_json())

    def sha256(self, input_hashes: dict[str, str] | None = None) -> str:
        """Stable hash of the resolved config [hex].

        Parameters
        ----------
        input_hashes
            SHA-256 of each layer file by layer name. When given, they replace the layer
            paths, so the same scenario on the same data hashes alike wherever it lives.
        """
        plain = self.to_plain()
        if input_hashes is not None:
            plain["layers"] = dict(sorted(input_hashes.items()))
            plain.pop("data_root", None)  # where the data live does not change the scenario
        blob = json.dumps(plain, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario config (what ``siting schema`` prints)."""
    schema = Config.model_json_schema()
    schema["$id"] = "https://siting.invalid/config.schema.json"
    schema["title"] = "siting scenario config"
    return schema


def _known_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _submodel(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    field = model.model_fields.get(key)
    if field is None:
        return None
    ann = field.annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _closest(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f"did you mean '{match[0]}'?" if match else f"known keys: {', '.join(options)}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Config
    for part in loc:
        sub = _submodel(model, str(part))
        if sub is None:
            break
        model = sub
    return model


def _doc_anchor(loc: tuple[Any, ...]) -> str:
    """Where ``docs/config.md`` documents a key, e.g. ``docs/config.md#carbon``."""
    section = str(loc[0]) if len(loc) > 1 else "top-level"
    return f"docs/config.md#{section}"


def _override_sources(overrides: list[str]) -> dict[str, str]:
    """Dotted key -> the ``--set KEY=VALUE`` that set it (the last one wins, as applied)."""
    return {text.split("=", 1)[0].strip(): f"--set {text}" for text in overrides if "=" in text}


def _share_hint(e: Any) -> str:
    """For a share given as a percentage (``90`` for ``0.9``): say that it is a share."""
    given, limit = e.get("input"), (e.get("ctx") or {}).get("le")
    if (
        e["type"] == "less_than_equal"
        and limit == 1
        and isinstance(given, int | float)
        and 1 < given <= 100
    ):
        return f"; it is a share: {given / 100:g} for {given:g} %"
    return ""


def _problems_from_validation(
    err: ValidationError, source: str, overrides: dict[str, str] | None = None
) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        # a key set on the command line is the command line's problem, not the file's
        where_from = (overrides or {}).get(key)
        src = f"{where_from} (over {source})" if where_from else source
        if e["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            fix = f"remove or rename it; {_closest(str(loc[-1]), _known_keys(parent))}"
            problems.append(Problem(f"{src}: {key}", "unknown key", fix))
        elif e["type"] == "missing":
            problems.append(
                Problem(f"{src}: {key}", "required key is missing", "add it (docs/config.md)")
            )
        else:
            given = e.get("input")
            shown = f" (got {given!r})" if not isinstance(given, dict | list) else ""
            msg = str(e["msg"]).removeprefix("Value error, ")
            text = f"{msg}{shown}{_share_hint(e)}"
            fix = f"correct the value ({_doc_anchor(loc)})"
            problems.append(Problem(f"{src}: {key}", text, fix))
    return problems


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``KEY=VALUE`` into a key path and a YAML-parsed value.

    Parameters
    ----------
    text
        E.g. ``"carbon.cfe_target=0.9"`` or ``"policy.forced_sites=[DE-BERLIN]"``.
    """
    if "=" not in text:
        raise InputError(
            [Problem(f"--set {text}", "expected KEY=VALUE", "e.g. --set carbon.cfe_target=0.9")]
        )
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise InputError(
            [Problem(f"--set {text}", "empty key", "e.g. --set carbon.cfe_target=0.9")]
        )
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise InputError(
            [Problem(f"--set {text}", f"value is not valid YAML ({exc})", "quote it")]
        ) from None
    return key.split("."), value


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return a copy of ``raw`` with ``KEY=VALUE`` overrides applied; unknown keys rejected."""
    out = copy.deepcopy(raw)
    problems = []
    for text in overrides:
        path, value = parse_override(text)
        node: dict[str, Any] = out
        model: type[BaseModel] | None = Config
        ok = True
        for i, part in enumerate(path):
            if model is not None and part not in model.model_fields:
                where = ".".join(path[: i + 1])
                problems.append(
                    Problem(
                        f"--set {text}",
                        f"unknown key '{where}'",
                        _closest(part, _known_keys(model)),
                    )
                )
                ok = False
                break
            if i == len(path) - 1:
                break
            model = _submodel(model, part) if model is not None else None
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                problems.append(
                    Problem(f"--set {text}", f"'{part}' is not a section", "set a leaf key")
                )
                ok = False
                break
            node = child
        if ok:
            node[path[-1]] = value
    if problems:
        raise InputError(problems)
    return out


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping with ``safe_load``; errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(str(path), "config file not found", "check the path")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem(str(path), f"cannot read the file ({exc})", "check the file")]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(where, f"invalid YAML: {problem}", "fix the syntax")]) from None
    if not isinstance(data, dict):
        raise InputError(
            [Problem(str(path), "the config must be a YAML mapping of keys", "see configs/")]
        )
    return data


def load_config(path: str | Path, overrides: list[str] | None = None) -> Config:
    """Load, override and validate a config file; layer paths become absolute.

    Parameters
    ----------
    path
        YAML file; relative layer paths and ``data_root`` resolve against its folder.
    overrides
        ``KEY=VALUE`` strings applied before validation.

    Raises
    ------
    InputError
        With one :class:`~siting.base.errors.Problem` per issue found.
    """
    path = Path(path)
    return config_from_mapping(read_yaml(path), path.resolve().parent, str(path), overrides)


def config_from_mapping(
    raw: dict[str, Any],
    base: Path,
    source: str = "config",
    overrides: list[str] | None = None,
) -> Config:
    """Override and validate a config given as a mapping; layer paths become absolute.

    Parameters
    ----------
    raw
        The config's keys, as a YAML file would hold them (not modified).
    base
        Folder that relative layer paths and ``data_root`` resolve against.
    source
        How problems name where the config came from (a file path, ``"dict"``).
    overrides
        ``KEY=VALUE`` strings applied before validation.

    Raises
    ------
    InputError
        With one :class:`~siting.base.errors.Problem` per issue found.
    """
    raw = copy.deepcopy(raw)
    problems: list[Problem] = []
    good = []
    for text in overrides or []:  # report every bad override, then validate the rest
        try:
            apply_overrides(raw, [text])
            good.append(text)
        except InputError as err:
            problems.extend(err.problems)
    raw = apply_overrides(raw, good)
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as err:
        problems.extend(_problems_from_validation(err, source, _override_sources(good)))
    if problems:
        raise InputError(problems)
    return _resolved(cfg, base.resolve(), source)


def _resolved(cfg: Config, base: Path, source: str) -> Config:
    """``cfg`` with ``data_root`` and layer paths made absolute (and kept inside the root)."""
    root = (base / cfg.data_root).resolve()
    problems = []
    weather: list[Path] = []
    for key, rel in cfg.layer_paths().items():
        resolved = (base / rel).resolve()
        if not resolved.is_relative_to(root):
            problems.append(
                Problem(
                    f"{source}: layers.{key}",
                    f"'{rel}' lies outside the data folder {root}",
                    "move the file under it, or widen it with a top-level 'data_root' (e.g. data_root: ..)",
                )
            )
        if key.startswith("weather"):
            weather.append(resolved)
        else:
            setattr(cfg.layers, key, resolved)
    cfg.layers.weather = weather
    if problems:
        raise InputError(problems)
    cfg.data_root = root
    return cfg


def resolve_config(
    config: str | Path | dict[str, Any] | Config, overrides: list[str] | None = None
) -> tuple[Config, str]:
    """A validated :class:`Config` from a file, a mapping or a ``Config``, and its source.

    A mapping or a ``Config`` built in code resolves relative paths against the working
    directory; a ``Config`` is validated again, so overrides apply to it as to a file.

    Returns
    -------
    tuple
        The config, and the config file's absolute path or ``"dict"`` / ``"Config"``.
    """
    if isinstance(config, str | Path):
        return load_config(config, overrides), str(Path(config).resolve())
    if isinstance(config, Config):
        return config_from_mapping(config.to_plain(), Path.cwd(), "Config", overrides), "Config"
    if isinstance(config, dict):
        return config_from_mapping(config, Path.cwd(), "dict", overrides), "dict"
    raise TypeError(
        f"config must be a path, a dict or a siting.Config, not {type(config).__name__}"
    )
