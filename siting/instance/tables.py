"""The instance's tables: the optimisation problem as plain arrays, no geometry, units fixed.

One table per component kind (zones, sites, clean supply options, links, time slices,
stores, demand points, areas), the scenario's settings, and the notes only the outputs read.
The model is built from an :class:`Instance` alone, so tests can construct tiny instances
directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from siting.base.technologies import split_efficiency

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ResidualCut:
    """A linear bound on a plan's full-year residual grid, from one full-year check's duals.

    The residual is convex in the sizes, so ``R(x) >= R(x0) + g . (x - x0)``; requiring that
    to be within the guarantee's allowance gives ``g . x <= rhs`` (``docs/model.md#guarantee``).
    Every ``g`` is <= 0: more of a size never leaves more residual.

    Attributes
    ----------
    re
        Per clean option: d residual / d new capacity [MWh/MW].
    energy, power, charge
        Per storage technology, per zone: d residual / d energy [MWh/MWh], / d power and
        / d charging power (where sized apart) [MWh/MW].
    rhs
        ``allowance - R(x0) + g . x0`` [MWh].
    """

    re: FloatArray
    energy: tuple[FloatArray, ...]
    power: tuple[FloatArray, ...]
    charge: tuple[FloatArray, ...]
    rhs: float


@dataclass(frozen=True)
class StorageOption:
    """One storage technology as the model sees it (a ``storage`` row of the table).

    Attributes
    ----------
    tech, label
        Technology id and display name.
    energy_eur_per_mwh_yr
        Annualised cost of energy capacity [EUR/MWh/yr] (MWh of the stored medium).
    power_eur_per_mw_yr
        Annualised cost of power capacity [EUR/MW/yr]: the discharging side, and the charging
        side too unless ``charge_eur_per_mw_yr`` is given.
    roundtrip_efficiency
        Energy out over energy in [-].
    charge_eur_per_mw_yr
        Annualised cost of a separately sized charging side [EUR/MW/yr] (an electrolyser);
        None: one power capacity bounds both directions.
    charge_efficiency
        Stored energy per MWh drawn [-]; None: ``sqrt(roundtrip_efficiency)``, and
        discharging then loses the other square root.
    duration_h
        Fixed energy-to-power ratio [h] (iron-air's 100 h); None: sized freely.
    zones
        Zone positions where it may be built; None: every zone.
    """

    tech: str
    label: str
    energy_eur_per_mwh_yr: float
    power_eur_per_mw_yr: float
    roundtrip_efficiency: float
    charge_eur_per_mw_yr: float | None = None
    charge_efficiency: float | None = None
    duration_h: float | None = None
    zones: tuple[int, ...] | None = None

    @property
    def eta_charge(self) -> float:
        """Stored energy per MWh drawn from the bus [-]."""
        return split_efficiency(self.roundtrip_efficiency, self.charge_efficiency)[0]

    @property
    def eta_discharge(self) -> float:
        """MWh delivered to the bus per MWh taken from the store [-]."""
        return split_efficiency(self.roundtrip_efficiency, self.charge_efficiency)[1]

    @property
    def separate_charge(self) -> bool:
        """Whether the charging side has its own capacity (and cost)."""
        return self.charge_eur_per_mw_yr is not None


def _none() -> FloatArray:
    return np.zeros(0)


@dataclass(frozen=True)
class ZoneTable:
    """Bidding zones ``z``: what their load and grid mean for the model.

    Attributes
    ----------
    ids, country
        Zone IDs and their country codes.
    baseline_it_mw, baseline_pue
        Today's data-centre IT capacity [MW IT] and its PUE [-].
    grid_cost_eur_per_mwh
        Residual grid energy's price plus carbon price x intensity [EUR/MWh].
    hosting_mw
        The most new data-centre load the zone's grid can host [MW]; inf: no limit (empty:
        no zone has one).
    sale_price_eur_per_mwh
        What surplus clean energy sold to the grid fetches [EUR/MWh] (empty: 0).
    grid_headroom_mw
        Per zone and hour of the year, what the grid carries below its annual peak: the peak
        of the zone's national load less that hour's load [MW], zones x 8,760 (NaN rows: no
        load profile; empty: no interruptible load, :mod:`siting.model.interruptible`).
    interruptible_mw
        The most interruptible data-centre load each zone's grid takes above its hosting
        limit, curtailed where it exceeds the hour's headroom within
        ``flexibility.interruptible_share`` of its energy [MW] (empty: none).
    in_scope
        Whether the plan is for each zone (``scope``); None: every zone.
    carbon_intensity_g_per_kwh
        The zone's grid carbon intensity [g/kWh], for the emissions of purchases in the
        full-year check (empty: not given).
    """

    ids: list[str]
    country: list[str]
    baseline_it_mw: FloatArray
    baseline_pue: FloatArray
    grid_cost_eur_per_mwh: FloatArray
    hosting_mw: FloatArray = field(default_factory=_none)
    sale_price_eur_per_mwh: FloatArray = field(default_factory=_none)
    grid_headroom_mw: FloatArray = field(default_factory=_none)
    interruptible_mw: FloatArray = field(default_factory=_none)
    in_scope: BoolArray | None = None
    carbon_intensity_g_per_kwh: FloatArray = field(default_factory=_none)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class SiteTable:
    """Candidate sites ``s``: where new IT capacity may go and what it costs.

    Attributes
    ----------
    ids, zone
        Site IDs and their zone positions.
    existing_it_mw, max_it_mw
        IT capacity there today and at most [MW IT].
    module_it_mw
        Size of one module [MW IT]; NaN: capacity is continuous.
    capex_eur_per_mw_yr, fixed_eur_per_yr
        Annualised cost per MW of new IT capacity [EUR/MW/yr] and when built at all [EUR/yr].
    pue
        Power usage effectiveness of new capacity [-].
    eligible, forced
        May get capacity (no exclusion applies); must get capacity (``policy.forced_sites``).
    reinforcement_eur_per_mw_yr, water_eur_per_mw_yr, accel_eur_per_mw_yr
        Per MW of new IT capacity: grid reinforcement, water and connection acceleration
        [EUR/MW/yr]; None: zero.
    """

    ids: list[str]
    zone: IntArray
    existing_it_mw: FloatArray
    max_it_mw: FloatArray
    module_it_mw: FloatArray
    capex_eur_per_mw_yr: FloatArray
    fixed_eur_per_yr: FloatArray
    pue: FloatArray
    eligible: BoolArray
    forced: BoolArray
    reinforcement_eur_per_mw_yr: FloatArray | None = None
    water_eur_per_mw_yr: FloatArray | None = None
    accel_eur_per_mw_yr: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def headroom_mw(self) -> FloatArray:
        """New IT capacity each site can take [MW IT]."""
        return np.maximum(self.max_it_mw - self.existing_it_mw, 0.0)

    @property
    def max_modules(self) -> IntArray:
        """Largest module count per site (0 for continuous sites)."""
        with np.errstate(invalid="ignore"):
            m = np.floor(self.headroom_mw / self.module_it_mw + 1e-9)
        return np.where(np.isnan(m), 0, m).astype(np.int64)

    @property
    def extra_eur_per_mw_yr(self) -> FloatArray:
        """Water, connection-acceleration and reinforcement cost per MW of new IT capacity
        [EUR/MW/yr]."""
        out = np.zeros(len(self.ids))
        for part in (self.water_eur_per_mw_yr, self.accel_eur_per_mw_yr,
                     self.reinforcement_eur_per_mw_yr):  # fmt: skip
            if part is not None:
                out = out + part
        return out


@dataclass(frozen=True)
class SupplyTable:
    """Clean capacity options ``j``: one per zone and technology.

    Attributes
    ----------
    zone, tech
        The option's zone position and technology.
    potential_mw, existing_mw
        Capacity possible and built today [MW].
    capex_eur_per_mw_yr
        Annualised cost of new capacity [EUR/MW/yr].
    cf
        Capacity factor per slice [-], options x slices.
    annual_cf
        Annual mean capacity factor [-] (the layer's cf, else its profile's); None: the
        slices' weighted mean.
    dispatchable
        Energy-limited dispatchable supply (a reservoir) rather than ``capacity x cf``; None:
        none is.
    running_eur_per_mwh
        Cost per MWh a dispatchable option delivers [EUR/MWh] (fuel, variable O&M, CO2
        transport and storage of Allam-cycle gas); None: none has one.
    not_carbon_free
        Dispatchable options whose output counts against the CFE target as grid purchases
        do (``carbon.not_carbon_free``); None: every option is carbon-free.
    """

    zone: IntArray
    tech: list[str]
    potential_mw: FloatArray
    existing_mw: FloatArray
    capex_eur_per_mw_yr: FloatArray
    cf: FloatArray
    annual_cf: FloatArray | None = None
    dispatchable: BoolArray | None = None
    running_eur_per_mwh: FloatArray | None = None
    not_carbon_free: BoolArray | None = None

    def __len__(self) -> int:
        return len(self.tech)


@dataclass(frozen=True)
class LinkTable:
    """Directed links ``l`` between zones.

    ``src``/``dst``: zone positions; ``usable_mw``: the share of capacity data centres may use
    [MW]; ``efficiency``: delivered per MWh sent [-].
    """

    ids: list[str]
    src: IntArray
    dst: IntArray
    usable_mw: FloatArray
    efficiency: FloatArray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class TimeTable:
    """Time slices ``t``: ``ids``, ``weight_h`` (hours of the year each stands for [h]),
    ``period`` (the representative period of each slice), ``day_period`` (per calendar day,
    365 per weather year, the period standing for it; None: unknown) and ``duration_h``
    (hours of its period each slice covers [h]: a segment of several hours; None: one hour
    each)."""

    ids: list[str]
    weight_h: FloatArray
    period: IntArray
    day_period: IntArray | None = None
    duration_h: FloatArray | None = None

    @property
    def durations(self) -> FloatArray:
        """Hours of its period each slice covers [h] (ones for hourly slices)."""
        return np.ones(len(self.ids)) if self.duration_h is None else self.duration_h

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class DemandTable:
    """Inference demand points ``d`` of the latency rule: ``ids``, ``it_mw`` (IT load to serve
    [MW IT]), ``budget_ms`` (round-trip budget [ms]; inf: none), ``rtt_ms`` (round trip to
    every site [ms], points x sites)."""

    ids: list[str] = field(default_factory=list)
    it_mw: FloatArray | None = None
    budget_ms: FloatArray | None = None
    rtt_ms: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class AreaTable:
    """Areas with a minimum number of built sites (``policy.forced_areas``)."""

    names: list[str] = field(default_factory=list)
    sites: list[list[int]] = field(default_factory=list)
    min_sites: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """The scenario's switches and scalars the model reads (from the config).

    Attributes
    ----------
    matching
        ``hourly`` or ``annual`` CFE matching.
    multiplier
        Compute at the deadline over today's [-].
    compute_per_new_mw
        Compute of a MW of new IT over a MW of today's fleet [-] (1: compute is IT MW).
    utilisation
        Average IT load over IT capacity [-].
    cfe_target
        Carbon-free share of the load to meet [-].
    scope
        ``all``: existing load is matched too; ``new``: only new capacity's.
    wheeling_eur_per_mwh
        Cost per MWh sent over a link [EUR/MWh].
    max_country_share, min_sites, max_sites, min_sites_by_country
        Siting policy: most of the new capacity one country may take [-], fewest and most
        built sites, fewest per country.
    max_surplus_share
        Surplus sold over a year at most the zone's purchases plus this share of its
        data-centre load [-].
    exchange
        ``hourly``: purchases and sales settled per slice; ``netted``: one annual slice.
    weather_levels
        ``weather.levels``: weather years scaled to the layer's annual cf, or as given.
    storage_linking
        ``chronological``: storage carried day to day along ``time.day_period``;
        ``per_period``: cyclic within every period.
    temporal_share
        Share of a zone's data-centre load that may move within its day [-]
        (:mod:`siting.model.flexibility`).
    spatial_share
        Share of a zone's movable load that may move to other zones within a slice [-].
    interruptible_share
        Share of its energy interruptible load may lose to curtailment over a year [-].
    lost_compute_eur_per_mwh
        What a MWh of curtailed data-centre load costs [EUR/MWh].
    """

    matching: str
    multiplier: float
    utilisation: float
    cfe_target: float
    scope: str = "all"
    wheeling_eur_per_mwh: float = 0.0
    max_country_share: float | None = None
    min_sites: int = 0
    max_sites: int | None = None
    min_sites_by_country: dict[str, int] = field(default_factory=dict)
    max_surplus_share: float = 0.0
    exchange: str = "netted"
    weather_levels: str = "layer"
    storage_linking: str = "per_period"
    temporal_share: float = 0.0
    spatial_share: float = 0.0
    interruptible_share: float = 0.0
    lost_compute_eur_per_mwh: float = 0.0
    compute_per_new_mw: float = 1.0


@dataclass(frozen=True)
class Notes:
    """What the outputs show beside the plan; the model never reads these.

    Attributes
    ----------
    carbon_intensity_g_per_kwh
        Per zone, the grid's carbon intensity [g/kWh] (emissions of residual grid).
    link_capacity_mw
        Per link, its whole capacity [MW] (utilisation in the outputs).
    excluded_reason, exclusion_kind
        Per site: why it may not get capacity ('' if it may) and which rule (forbidden,
        forbidden_area, moratorium, water, connection).
    online_year, water_stress
        Per site: when it can be connected and its water stress (NaN: unknown).
    deadline_year
        The target's year.
    period_dates, calendar
        Date of each period's own day; ISO date of every calendar day ``time.day_period``
        runs through.
    distance_km, radius_km
        Demand point to site great-circle distance [km] (points x sites; NaN: unknown) and
        the reach of each point's budget [km].
    """

    carbon_intensity_g_per_kwh: FloatArray = field(default_factory=_none)
    link_capacity_mw: FloatArray = field(default_factory=_none)
    excluded_reason: list[str] = field(default_factory=list)
    exclusion_kind: list[str] = field(default_factory=list)
    online_year: FloatArray | None = None
    water_stress: FloatArray | None = None
    deadline_year: int = 2030
    period_dates: list[str] = field(default_factory=list)
    calendar: list[str] = field(default_factory=list)
    distance_km: FloatArray | None = None
    radius_km: FloatArray | None = None


@dataclass(frozen=True)
class Instance:
    """Everything the model needs: component tables indexed by position, and the settings.

    Zones ``z``, sites ``s``, clean-capacity options ``j``, directed links ``l``, time slices
    ``t``, stores ``k`` and demand points ``d``. Capacities in [MW], energy in [MWh], costs
    in [EUR/yr] or [EUR/MWh], weights in [h]. ``notes`` are for the outputs only.
    """

    zones: ZoneTable
    sites: SiteTable
    supply: SupplyTable
    links: LinkTable
    time: TimeTable
    settings: Settings
    stores: tuple[StorageOption, ...] = ()
    """Storage technologies the model may build (hourly matching only)."""
    demand: DemandTable = field(default_factory=DemandTable)
    areas: AreaTable = field(default_factory=AreaTable)
    notes: Notes = field(default_factory=Notes)
    residual_cuts: tuple[ResidualCut, ...] = ()
    """The full-year guarantee's cuts on the residual grid (empty outside its rounds)."""

    @property
    def n_zones(self) -> int:
        return len(self.zones.ids)

    @property
    def n_sites(self) -> int:
        return len(self.sites.ids)

    @property
    def n_slices(self) -> int:
        return len(self.time.ids)

    @property
    def n_demand(self) -> int:
        return len(self.demand.ids)

    @property
    def baseline_total_mw(self) -> float:
        """Today's IT capacity [MW]."""
        return float(self.zones.baseline_it_mw.sum())

    @property
    def target_total_mw(self) -> float:
        """IT capacity required at the deadline [MW]: today's plus the new IT that carries
        the added compute."""
        return self.baseline_total_mw + self.required_new_mw

    @property
    def required_new_mw(self) -> float:
        """New IT capacity the plan must add [MW]: the added compute, in MW of today's IT,
        over the compute a MW of new IT carries."""
        added = (self.settings.multiplier - 1.0) * self.baseline_total_mw
        return added / self.settings.compute_per_new_mw

    @property
    def fixed_load_mw(self) -> FloatArray:
        """Average electrical load of existing capacity that must be matched, per zone [MW]."""
        if self.settings.scope == "new":
            return np.zeros(self.n_zones)
        z = self.zones
        return z.baseline_pue * self.settings.utilisation * z.baseline_it_mw

    @property
    def zone_sale_price(self) -> FloatArray:
        """Per zone, what surplus sold to the grid fetches [EUR/MWh]; 0 where none is set."""
        if len(self.zones.sale_price_eur_per_mwh):
            return np.asarray(self.zones.sale_price_eur_per_mwh, float)
        return np.zeros(self.n_zones)

    @property
    def new_load_per_mw(self) -> FloatArray:
        """Average electrical load per MW of new IT capacity, per site [MW/MW]."""
        return self.sites.pue * self.settings.utilisation

    def servable(self, d: int) -> list[int]:
        """Sites within demand point ``d``'s RTT budget (eligible or not)."""
        if self.demand.rtt_ms is None or self.demand.budget_ms is None:
            return []
        ok = self.demand.rtt_ms[d] <= self.demand.budget_ms[d] + 1e-9
        return [int(s) for s in np.flatnonzero(ok)]
