"""Instance: the optimisation problem as plain arrays, no geometry, units fixed.

Built once from checked layers and the config by a pure function. The model is built from
an :class:`Instance` alone, so tests can construct tiny instances directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from siting.config import Config
from siting.economics import HOURS_PER_YEAR
from siting.errors import InputError, Problem
from siting.inputs.weather import WeatherYear, scale_to_mean
from siting.layers import Layers
from siting.periods import (
    HOURS_PER_DAY,
    Periods,
    PeriodsStore,
    period_hours,
    periods_key,
    representative_days,
)
from siting.technologies import Kind, TechnologyTable, split_efficiency

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


@dataclass(frozen=True)
class Instance:
    """Everything the model needs, as arrays indexed by position.

    Zones ``z``, sites ``s``, clean-capacity options ``j`` (one per zone and tech), directed
    links ``l`` and time slices ``t``. Capacities in [MW], energy in [MWh], costs in
    [EUR/yr] or [EUR/MWh], weights in [h].
    """

    # zones
    zone_ids: list[str]
    zone_country: list[str]
    baseline_it_mw: FloatArray
    baseline_pue: FloatArray
    grid_cost_eur_per_mwh: FloatArray
    carbon_intensity_g_per_kwh: FloatArray
    # sites
    site_ids: list[str]
    site_zone: IntArray
    existing_it_mw: FloatArray
    max_it_mw: FloatArray
    module_it_mw: FloatArray  # NaN: capacity is continuous
    site_capex_eur_per_mw_yr: FloatArray
    site_fixed_eur_per_yr: FloatArray
    site_pue: FloatArray
    eligible: BoolArray
    forced: BoolArray
    # clean capacity options
    re_zone: IntArray
    re_tech: list[str]
    re_potential_mw: FloatArray
    re_existing_mw: FloatArray
    re_capex_eur_per_mw_yr: FloatArray
    re_cf: FloatArray  # shape (J, T)
    # links
    link_ids: list[str]
    link_from: IntArray
    link_to: IntArray
    link_capacity_mw: FloatArray
    link_usable_mw: FloatArray
    link_efficiency: FloatArray
    # time
    slice_ids: list[str]
    weight_h: FloatArray
    period: IntArray
    # scalars
    matching: str
    multiplier: float
    utilisation: float
    cfe_target: float
    scope: str
    wheeling_eur_per_mwh: float
    max_country_share: float | None
    min_sites: int
    max_sites: int | None
    storage: tuple[StorageOption, ...] = ()
    """Storage technologies the model may build (hourly matching only)."""
    hosting_mw: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Per zone, the most new data-centre load its grid can host [MW]; inf: no limit
    (empty: no zone has one)."""
    sale_price_eur_per_mwh: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Per zone, what surplus clean energy sold to the grid fetches [EUR/MWh] (empty: 0)."""
    max_surplus_share: float = 0.0
    """Surplus sold over a year at most the zone's purchases plus this share of its
    data-centre load [-]."""
    exchange: str = "netted"
    """``hourly``: grid purchases and surplus sales settled per slice (every hourly run, and
    annual runs on representative days); ``netted``: one annual slice, nothing priced."""
    site_reinforcement_eur_per_mw_yr: FloatArray | None = None
    """Per site, grid reinforcement per MW of new IT capacity (``pue`` x the zone's rate per
    MW of load) [EUR/MW/yr]; None: zero."""
    re_annual_cf: FloatArray | None = None
    """Each option's annual mean capacity factor [-] (the layer's cf, else its profile's)."""
    weather_levels: str = "layer"
    """``weather.levels``: weather years scaled to the layer's annual cf, or as given."""
    re_dispatchable: BoolArray | None = None
    """Per option: energy-limited dispatchable supply (a reservoir) rather than ``capacity x cf``
    in every slice; None: none is."""
    day_period: IntArray | None = None
    """Per calendar day (365 per weather year), the representative period standing for it;
    None: unknown."""
    period_dates: list[str] = field(default_factory=list)
    """Date of each period's own day, where known."""
    calendar: list[str] = field(default_factory=list)
    """ISO date of every calendar day ``day_period`` runs through (365 per weather year)."""
    storage_linking: str = "per_period"
    """``chronological``: storage carried day to day along ``day_period``; ``per_period``:
    cyclic within every period."""
    residual_cuts: tuple[ResidualCut, ...] = ()
    """The full-year guarantee's cuts on the residual grid (empty outside its rounds)."""
    excluded_reason: list[str] = field(default_factory=list)
    exclusion_kind: list[str] = field(default_factory=list)
    """Per site: '' or forbidden, forbidden_area, moratorium, water, connection."""
    deadline_year: int = 2030
    # per-site costs on top of capex [EUR/MW/yr]; None: zero
    site_water_eur_per_mw_yr: FloatArray | None = None
    site_accel_eur_per_mw_yr: FloatArray | None = None
    site_online_year: FloatArray | None = None  # NaN: unknown
    site_water_stress: FloatArray | None = None  # NaN: unknown
    # latency: demand points d
    demand_ids: list[str] = field(default_factory=list)
    demand_it_mw: FloatArray | None = None  # inference IT load [MW]
    demand_budget_ms: FloatArray | None = None  # RTT budget [ms]; inf: none
    rtt_ms: FloatArray | None = None  # shape (D, S) [ms]
    distance_km: FloatArray | None = None  # shape (D, S), great circle [km]; NaN if unknown
    demand_radius_km: FloatArray | None = None  # great-circle reach of the budget [km]
    # policy
    min_sites_by_country: dict[str, int] = field(default_factory=dict)
    area_names: list[str] = field(default_factory=list)
    area_sites: list[list[int]] = field(default_factory=list)
    area_min_sites: list[int] = field(default_factory=list)

    @property
    def n_zones(self) -> int:
        return len(self.zone_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_slices(self) -> int:
        return len(self.slice_ids)

    @property
    def baseline_total_mw(self) -> float:
        """Today's IT capacity [MW]."""
        return float(self.baseline_it_mw.sum())

    @property
    def target_total_mw(self) -> float:
        """IT capacity required at the deadline [MW]."""
        return self.multiplier * self.baseline_total_mw

    @property
    def required_new_mw(self) -> float:
        """New IT capacity the plan must add [MW]."""
        return self.target_total_mw - self.baseline_total_mw

    @property
    def headroom_mw(self) -> FloatArray:
        """New IT capacity each site can take [MW]."""
        return np.maximum(self.max_it_mw - self.existing_it_mw, 0.0)

    @property
    def max_modules(self) -> IntArray:
        """Largest module count per site (0 for continuous sites)."""
        with np.errstate(invalid="ignore"):
            m = np.floor(self.headroom_mw / self.module_it_mw + 1e-9)
        return np.where(np.isnan(m), 0, m).astype(np.int64)

    @property
    def fixed_load_mw(self) -> FloatArray:
        """Average electrical load of existing capacity that must be matched, per zone [MW]."""
        if self.scope == "new":
            return np.zeros(self.n_zones)
        return self.baseline_pue * self.utilisation * self.baseline_it_mw

    @property
    def n_demand(self) -> int:
        return len(self.demand_ids)

    @property
    def zone_sale_price(self) -> FloatArray:
        """Per zone, what surplus sold to the grid fetches [EUR/MWh]; 0 where none is set."""
        if len(self.sale_price_eur_per_mwh):
            return np.asarray(self.sale_price_eur_per_mwh, float)
        return np.zeros(self.n_zones)

    @property
    def site_extra_eur_per_mw_yr(self) -> FloatArray:
        """Water, connection-acceleration and reinforcement cost per MW of new IT capacity
        [EUR/MW/yr]."""
        out = np.zeros(self.n_sites)
        for part in (
            self.site_water_eur_per_mw_yr,
            self.site_accel_eur_per_mw_yr,
            self.site_reinforcement_eur_per_mw_yr,
        ):
            if part is not None:
                out = out + part
        return out

    def servable(self, d: int) -> list[int]:
        """Sites within demand point ``d``'s RTT budget (eligible or not)."""
        if self.rtt_ms is None or self.demand_budget_ms is None:
            return []
        ok = self.rtt_ms[d] <= self.demand_budget_ms[d] + 1e-9
        return [int(s) for s in np.flatnonzero(ok)]

    @property
    def new_load_per_mw(self) -> FloatArray:
        """Average electrical load per MW of new IT capacity, per site [MW/MW]."""
        return self.site_pue * self.utilisation


@dataclass(frozen=True)
class _SiteRules:
    reasons: list[str]
    kinds: list[str]
    online_year: FloatArray
    accel_eur_per_mw_yr: FloatArray
    water_stress: FloatArray
    water_eur_per_mw_yr: FloatArray


def _first_area(gdf: pd.DataFrame | None, sites: pd.DataFrame) -> dict[int, tuple[str, float]]:
    """Site position -> (name, until_year) of the first polygon of a policy layer holding it."""
    if gdf is None:
        return {}
    pos = {sid: i for i, sid in enumerate(sites["site_id"])}
    out: dict[int, tuple[str, float]] = {}
    for area, members, until in zip(gdf["area"], gdf["site_ids"], gdf["until_year"], strict=True):
        for sid in members:
            out.setdefault(pos[sid], (str(area), float(until)))
    return out


def _site_rules(
    cfg: Config, layers: Layers, sites: pd.DataFrame, zones: pd.DataFrame
) -> _SiteRules:
    """Exclusions, connection years and water cost of each site (sites sorted by ID).

    A site is excluded, with the first reason that applies, when it is forbidden by ID or
    area, lies in a moratorium that outlasts the deadline, sits above the water-stress limit,
    or cannot be connected by the deadline (and may not be accelerated).
    """
    n = len(sites)
    deadline = cfg.target.deadline_year
    zone = zones.set_index("zone_id")
    stress = sites["water_stress"].fillna(sites["zone_id"].map(zone["water_stress"]))
    stress = stress.to_numpy(float)
    lead = sites["grid_connection_years"].fillna(
        sites["zone_id"].map(zone["grid_connection_years"])
    )
    lead = lead.to_numpy(float)
    online = sites["online_year"].to_numpy(float).copy()
    gc = cfg.grid_connection
    if gc.request_year is not None:
        online = np.where(np.isnan(online), gc.request_year + lead, online)

    areas = layers.areas or {}
    in_forbidden = _first_area(areas.get("forbidden_areas"), sites)
    moratorium = _first_area(areas.get("moratoria"), sites)

    forbidden = set(cfg.policy.forbidden_sites)
    limit = cfg.policy.max_water_stress
    reasons = [""] * n
    kinds = [""] * n
    accel = np.zeros(n)
    for i, sid in enumerate(sites["site_id"]):
        late = online[i] - deadline if not np.isnan(online[i]) else np.nan
        if sid in forbidden:
            reasons[i], kinds[i] = "forbidden by policy.forbidden_sites", "forbidden"
        elif i in in_forbidden:
            reasons[i], kinds[i] = f"in forbidden area {in_forbidden[i][0]}", "forbidden_area"
        elif i in moratorium and (
            np.isnan(moratorium[i][1]) or moratorium[i][1] + np.nan_to_num(lead[i]) > deadline
        ):
            area, until = moratorium[i]
            if np.isnan(until):
                reasons[i] = f"in moratorium area {area}"
            else:
                ready = until + np.nan_to_num(lead[i])
                reasons[i] = (
                    f"in moratorium area {area} until {until:g}: connected {ready:g} at the "
                    f"earliest, after the deadline {deadline}"
                )
            kinds[i] = "moratorium"
        elif limit is not None and not np.isnan(stress[i]) and stress[i] > limit:
            reasons[i] = f"water stress {stress[i]:g} above policy.max_water_stress {limit:g}"
            kinds[i] = "water"
        elif late > 0:
            may = gc.late_sites == "accelerate" and (
                gc.max_acceleration_years is None or late <= gc.max_acceleration_years + 1e-9
            )
            if may:
                accel[i] = float(gc.acceleration_eur_per_mw_yr or 0.0) * late
            else:
                reasons[i] = f"online_year {online[i]:g} after deadline {deadline}"
                if gc.late_sites == "accelerate":
                    reasons[i] += f" by more than {gc.max_acceleration_years:g} y"
                kinds[i] = "connection"
    w = cfg.water
    weight = 1.0 + w.stress_weight * np.nan_to_num(stress)
    water = (
        cfg.economics.utilisation * HOURS_PER_YEAR * w.wue_l_per_kwh * w.price_eur_per_m3 * weight
    )
    return _SiteRules(reasons, kinds, online, accel, stress, water)


def _latency(
    cfg: Config, layers: Layers, site_ids: list[str], required_new_mw: float
) -> dict[str, object]:
    """Demand points, their inference load [MW], RTT budget [ms] and RTT to every site [ms]."""
    demand = layers.demand
    if demand is None or layers.distance_km is None:
        return {}
    demand = demand.sort_values("demand_id").reset_index(drop=True)
    lat = cfg.latency
    if lat.allocation == "population":
        pop = demand["population"].to_numpy(float)
        load = lat.inference_share * max(required_new_mw, 0.0) * pop / pop.sum()
    else:
        load = demand["inference_it_mw"].to_numpy(float)
    budget = demand["max_latency_ms"].to_numpy(float)
    default = np.inf if lat.max_rtt_ms is None else lat.max_rtt_ms
    budget = np.where(np.isnan(budget), default, budget)
    dist = layers.distance_km.reindex(index=demand["demand_id"], columns=site_ids).to_numpy(float)
    rtt = 2.0 * dist * lat.route_factor / lat.fibre_km_per_ms
    if layers.rtt is not None and len(layers.rtt):
        dpos = {d: i for i, d in enumerate(demand["demand_id"])}
        spos = {s: i for i, s in enumerate(site_ids)}
        for d, s, ms in layers.rtt.itertuples(index=False):
            rtt[dpos[d], spos[s]] = ms
    return {
        "demand_ids": list(demand["demand_id"]),
        "demand_it_mw": load,
        "demand_budget_ms": budget,
        "rtt_ms": rtt,
        "distance_km": dist,
        "demand_radius_km": budget / 2.0 * lat.fibre_km_per_ms / lat.route_factor,
    }


def _forced_areas(layers: Layers, site_ids: list[str]) -> dict[str, object]:
    gdf = (layers.areas or {}).get("forced_areas")
    if gdf is None:
        return {}
    pos = {sid: i for i, sid in enumerate(site_ids)}
    return {
        "area_names": list(gdf["area"]),
        "area_sites": [[pos[s] for s in members] for members in gdf["site_ids"]],
        "area_min_sites": [round(float(n)) for n in gdf["min_sites"]],
    }


def annual_capacity_factors(layers: Layers, re: pd.DataFrame) -> FloatArray:
    """Each option's annual mean capacity factor [-]: its ``cf``, else its profile's mean."""
    prof = layers.profiles
    annual_cf = re["cf"].to_numpy(float).copy()
    if prof is not None:
        w = prof.groupby(["zone_id", "tech"]).apply(
            lambda g: (
                float(np.average(g["cf"], weights=g["weight_h"]))
                if g["weight_h"].sum() > 0
                else np.nan
            ),
            include_groups=False,
        )
        fill = [w.get((z, k), np.nan) for z, k in zip(re["zone_id"], re["tech"], strict=True)]
        annual_cf = np.where(np.isnan(annual_cf), fill, annual_cf)
    return annual_cf


def _slices(
    layers: Layers, cfg: Config, re: pd.DataFrame
) -> tuple[list[str], FloatArray, IntArray, FloatArray]:
    """Time slices and each clean option's capacity factor per slice."""
    prof = layers.profiles
    annual_cf = annual_capacity_factors(layers, re)
    if not uses_hours(layers, cfg):
        return (
            ["annual"],
            np.array([HOURS_PER_YEAR]),
            np.zeros(1, dtype=np.int64),
            annual_cf[:, None],
        )
    if prof is None:
        raise InputError(
            [
                Problem(
                    "config: carbon.matching",
                    "hourly matching needs a profiles layer",
                    "add layers.profiles or use matching: annual",
                )
            ]
        )
    # slices keep the file's order within each period: that order is the hours' order, which
    # storage follows (sorting by name would put "h10" before "h2")
    sl = prof.drop_duplicates("slice").sort_values("period", kind="stable")
    slice_ids = [str(s) for s in sl["slice"]]
    # one (zone, tech) x slice matrix; missing cells stay NaN and are reported below
    wide = prof.pivot_table(
        index=["zone_id", "tech"], columns="slice", values="cf", aggfunc="first"
    )
    wide = wide.reindex(columns=list(sl["slice"]))
    keys = pd.MultiIndex.from_arrays([re["zone_id"], re["tech"]])
    cf = wide.reindex(keys).to_numpy(float)
    problems = []
    for j, (z, k) in enumerate(keys):
        missing = int(np.isnan(cf[j]).sum())
        if missing == len(sl) and layers.technologies[k].kind in (Kind.FIRM, Kind.DISPATCHABLE):
            cf[j, :] = annual_cf[j]  # firm: flat at its annual availability
        elif missing == len(sl):
            problems.append(
                Problem(
                    f"layers.profiles: {z}/{k}",
                    "no profile for a variable source",
                    "add its profile",
                )
            )
        elif missing:
            problems.append(
                Problem(
                    f"layers.profiles: {z}/{k}",
                    f"has {len(sl) - missing} of {len(sl)} slices",
                    "give every slice",
                )
            )
    if problems:
        raise InputError(problems)
    return slice_ids, sl["weight_h"].to_numpy(float), sl["period"].to_numpy(np.int64), cf


def hosting_limits(zones: pd.DataFrame, share: float | None) -> FloatArray:
    """Per zone, the most new data-centre load its grid can host [MW]: the smaller of its
    ``hosting_mw`` and ``share`` x its ``national_load_mw``; inf where neither applies."""
    n = len(zones)
    own = zones["hosting_mw"].to_numpy(float) if "hosting_mw" in zones else np.full(n, np.nan)
    by_share = np.full(n, np.nan)
    if share is not None and "national_load_mw" in zones:
        by_share = share * zones["national_load_mw"].to_numpy(float)
    limit = np.fmin(own, by_share)  # NaN where neither is given
    return np.where(np.isnan(limit), np.inf, limit)


def _grid_terms(
    cfg: Config, zones: pd.DataFrame, pue: FloatArray, site_zone: IntArray, hours: bool
) -> dict[str, object]:
    """The instance's grid fields: sale prices and limit, how the exchange is settled, and
    each site's reinforcement per MW of new IT (``pue`` x its zone's rate)."""
    per_mw_load = reinforcement_per_mw_load(zones, cfg.grid_connection.reinforcement_eur_per_mw_yr)
    return {
        "sale_price_eur_per_mwh": sale_prices(zones, cfg.economics.surplus_price_share),
        "max_surplus_share": cfg.economics.max_surplus_share,
        "exchange": "hourly" if hours else "netted",
        "site_reinforcement_eur_per_mw_yr": pue * per_mw_load[site_zone],
    }


def reinforcement_per_mw_load(zones: pd.DataFrame, default: float) -> FloatArray:
    """Per zone, annualised grid reinforcement per MW of new connected load [EUR/MW/yr]: its
    ``reinforcement_eur_per_mw_yr`` (else ``default``) x its ``reinforcement_multiplier``."""
    n = len(zones)
    own = (
        zones["reinforcement_eur_per_mw_yr"].to_numpy(float)
        if "reinforcement_eur_per_mw_yr" in zones
        else np.full(n, np.nan)
    )
    scale = (
        zones["reinforcement_multiplier"].fillna(1.0).to_numpy(float)
        if "reinforcement_multiplier" in zones
        else np.ones(n)
    )
    return np.where(np.isnan(own), default, own) * scale


def sale_prices(zones: pd.DataFrame, share: float) -> FloatArray:
    """Per zone, what surplus sold to the grid fetches [EUR/MWh]: ``share`` x its mean
    wholesale price; 0 where the zones layer has none."""
    if "wholesale_price_eur_per_mwh" not in zones:
        return np.zeros(len(zones))
    return share * zones["wholesale_price_eur_per_mwh"].fillna(0.0).to_numpy(float)


def scaled_weather(
    year: WeatherYear,
    zones: list[str],
    techs: list[str],
    annual_cf: FloatArray,
    levels: str = "layer",
) -> dict[int, FloatArray]:
    """Each option's hours of a weather year [-].

    ``levels="layer"``: scaled once over the year to the option's annual cf (the renewables
    layer's): every year at one level, only the shapes differ. ``"file"``: the year's own
    capacity factors as the file gives them, so a windless year delivers less. Options
    without a column (firm supply) are left out: they run flat at their cf.
    """
    out = {}
    for j, (z, k) in enumerate(zip(zones, techs, strict=True)):
        series = year.series(z, k)
        if series is not None:
            out[j] = (np.clip(series, 0.0, 1.0) if levels == "file"
                      else scale_to_mean(series, float(annual_cf[j])))  # fmt: skip
    return out


def uses_hours(layers: Layers, cfg: Config) -> bool:
    """Whether a run is modelled on hours of representative days: every hourly run, and
    annual runs that settle the grid exchange hourly and have a weather or profiles layer
    (without one they fall back to a single annual slice)."""
    if cfg.carbon.matching == "hourly":
        return True
    return cfg.carbon.annual_accounting == "hourly" and (
        bool(layers.weather) or layers.profiles is not None
    )


def periods_for(layers: Layers, cfg: Config, cache: PeriodsStore | None = None) -> Periods | None:
    """The representative days an hourly run with a weather layer is optimised on; taken
    from ``cache`` when it holds them for the same hours (and put there when not)."""
    return default_periods(layers, cfg, _sorted_options(layers), cache=cache)


def _sorted_options(layers: Layers) -> pd.DataFrame:
    return layers.renewables.sort_values(["zone_id", "tech"]).reset_index(drop=True)


def default_periods(
    layers: Layers,
    cfg: Config,
    re: pd.DataFrame,
    hourly: dict[int, FloatArray] | None = None,
    cache: PeriodsStore | None = None,
) -> Periods | None:
    """Representative days cut from the run's weather years, when an hourly run has them.

    ``hourly``: those years' scaled hours per option (:func:`_weather_hours`), if already
    made; ``cache``: where days cut before from the same hours are kept.
    """
    if not uses_hours(layers, cfg) or not layers.weather:
        return None
    years = run_years(layers, cfg)
    if hourly is None:
        hourly = _weather_hours(layers, re, years, cfg.weather.levels)
    frame = pd.DataFrame({(re["zone_id"][j], re["tech"][j]): v for j, v in hourly.items()})
    n_days = cfg.weather.representative_days
    key = periods_key(frame, n_days, years) if cache is not None else ""
    found = cache.get(key) if cache is not None else None
    if found is not None:
        return found
    periods = representative_days(frame, n_days, years)
    if cache is not None:
        cache.put(key, periods)
    return periods


def run_years(layers: Layers, cfg: Config) -> tuple[int, ...]:
    """The weather years a run is optimised on: ``weather.years`` where given, else every
    year of the weather layer (``mode: robust``) or its first (``mode: single``)."""
    have = sorted(wy.year for wy in layers.weather)
    if cfg.weather.years:
        return tuple(cfg.weather.years)
    return tuple(have) if cfg.weather.mode == "robust" else (have[0],)


def _weather_hours(
    layers: Layers, re: pd.DataFrame, years: tuple[int, ...], levels: str
) -> dict[int, FloatArray]:
    """The weather years' hours per option, one year after the other, at ``levels``."""
    annual_cf = annual_capacity_factors(layers, re)
    by_year = {w.year: w for w in layers.weather}
    zones, techs = list(re["zone_id"]), list(re["tech"])
    parts = [scaled_weather(by_year[y], zones, techs, annual_cf, levels) for y in years]
    return {j: np.concatenate([part[j] for part in parts]) for j in parts[0]}


def _period_slices(
    layers: Layers, re: pd.DataFrame, periods: Periods, hourly: dict[int, FloatArray]
) -> tuple[list[str], FloatArray, IntArray, FloatArray]:
    """Slices of representative days taken from the weather year itself (no rescaling)."""
    annual_cf = annual_capacity_factors(layers, re)
    n_t = periods.n_periods * HOURS_PER_DAY
    cf = np.empty((len(re), n_t))
    for j in range(len(re)):
        cf[j] = period_hours(hourly[j], periods) if j in hourly else annual_cf[j]
    period = np.repeat(np.arange(periods.n_periods, dtype=np.int64), HOURS_PER_DAY)
    slice_ids = [f"d{p:02d}h{h:02d}" for p in range(periods.n_periods) for h in range(24)]
    return slice_ids, periods.weight_days[period], period, cf


def _time(
    layers: Layers, cfg: Config, re: pd.DataFrame, periods: Periods | None
) -> tuple[Periods | None, tuple[list[str], FloatArray, IntArray, FloatArray]]:
    """The periods (None without weather days) and the slices: ids, weights, periods, cf."""
    hourly = None
    if uses_hours(layers, cfg) and layers.weather:
        years = periods.calendar_years if periods is not None else run_years(layers, cfg)
        hourly = _weather_hours(layers, re, years, cfg.weather.levels)
    if periods is None:
        periods = default_periods(layers, cfg, re, hourly)
    if periods is not None and hourly is not None:
        slices = _period_slices(layers, re, periods, hourly)
    else:
        periods, slices = None, _slices(layers, cfg, re)
    clip = cfg.solver.clip_capacity_factor
    if clip > 0.0 and len(slices[0]) > 1:
        ids, weights, period, cf = slices
        slices = (ids, weights, period, np.where(cf < clip, 0.0, cf))
    return periods, slices


def _dispatchable(table: TechnologyTable, techs: list[str]) -> BoolArray:
    """Per option, whether its technology is energy-limited dispatchable supply."""
    return np.array([k in table and table[k].kind == Kind.DISPATCHABLE for k in techs], bool)


def _capped_potential(re: pd.DataFrame, cfg: Config) -> FloatArray:
    """Each option's potential [MW], capped at existing + ``max_new_mw`` of its technology."""
    pot = re["potential_mw"].to_numpy(float)
    cap = re["tech"].map(cfg.max_new_mw).to_numpy(float)  # NaN: no cap
    limit = re["existing_mw"].to_numpy(float) + cap
    return np.where(np.isnan(cap), pot, np.minimum(pot, limit))


def _profile_dates(layers: Layers) -> list[str]:
    """Each period's date from a profiles layer's ``day`` column, where it has one."""
    prof = layers.profiles
    if prof is None or "day" not in prof.columns:
        return []
    first = prof.drop_duplicates("period").sort_values("period")
    return [str(d) for d in first["day"]]


def storage_options(
    cfg: Config, table: TechnologyTable, zone_ids: list[str]
) -> tuple[StorageOption, ...]:
    """The storage technologies a run may build, in table order.

    None in annual matching. Every store comes from its table row; the ``storage`` config
    section overrides one of them (``storage.technology``, by default the table's first
    storage row): its costs and efficiency where given, and ``enabled: false`` leaves it out.
    ``technologies: {<id>: false}`` switches any one off.
    """
    if cfg.carbon.matching != "hourly":
        return ()
    stores = table.of_kind(Kind.STORAGE)
    section = cfg.storage.technology or (stores[0].tech if stores else None)
    out = []
    for tech in stores:
        if not table.enabled(tech.tech, cfg.technologies):
            continue
        own = tech.tech == section  # the storage section's overrides apply to this one
        if own and not cfg.storage.enabled:
            continue
        st = cfg.storage
        option = StorageOption(
            tech.tech,
            tech.label,
            _given(st.energy_eur_per_mwh_yr if own else None, tech.energy_eur_per_mwh_yr),
            _given(st.power_eur_per_mw_yr if own else None, tech.capex_eur_per_mw_yr),
            _given(st.roundtrip_efficiency if own else None, tech.roundtrip_efficiency),
            charge_eur_per_mw_yr=_or_none(tech.charge_eur_per_mw_yr),
            charge_efficiency=_or_none(tech.charge_efficiency),
            duration_h=_or_none(tech.duration_h),
            zones=None
            if tech.zones is None
            else tuple(i for i, z in enumerate(zone_ids) if z in set(tech.zones)),
        )
        out.append(option)
    return tuple(out)


def _given(value: float | None, default: float) -> float:
    """A config override where given, else the table's value."""
    return default if value is None else float(value)


def _or_none(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def build_instance(layers: Layers, cfg: Config, periods: Periods | None = None) -> Instance:
    """Turn checked layers and a config into an :class:`Instance`.

    Parameters
    ----------
    layers
        Output of :func:`siting.layers.load_layers`.
    cfg
        Validated config.
    periods
        Representative days of a weather year; by default, in hourly runs with a weather
        layer, those tsam cuts from its first year (else the profiles layer's periods).
    """
    zones = layers.zones.sort_values("zone_id").reset_index(drop=True)
    zpos = {z: i for i, z in enumerate(zones["zone_id"])}
    sites = layers.sites.sort_values("site_id").reset_index(drop=True)
    re = _sorted_options(layers)
    links = layers.links.sort_values("link_id").reset_index(drop=True)

    price = zones["grid_price_eur_per_mwh"].fillna(0.0).to_numpy(float)
    intensity = zones["carbon_intensity_g_per_kwh"].fillna(0.0).to_numpy(float)
    # g/kWh equals kg/MWh, so /1000 gives t/MWh
    grid_cost = price + cfg.economics.carbon_price_eur_per_t * intensity / 1000.0

    site_zone = sites["zone_id"].map(zpos).to_numpy(np.int64)
    pue = sites["pue"].to_numpy(float)
    pue = np.where(np.isnan(pue), zones["baseline_pue"].to_numpy(float)[site_zone], pue)
    rules = _site_rules(cfg, layers, sites, zones)
    reasons = rules.reasons
    forced = sites["site_id"].isin(cfg.policy.forced_sites).to_numpy()

    periods, (slice_ids, weights, period, cf) = _time(layers, cfg, re, periods)
    linked = periods is not None and cfg.storage.linking == "chronological"
    baseline = float(zones["baseline_it_mw"].sum())
    required_new = (cfg.target.multiplier - 1.0) * baseline
    loss = (links["loss_per_1000km"] * links["length_km"] / 1000.0).to_numpy(float)
    return Instance(
        zone_ids=list(zones["zone_id"]),
        zone_country=list(zones["country"]),
        baseline_it_mw=zones["baseline_it_mw"].to_numpy(float),
        baseline_pue=zones["baseline_pue"].to_numpy(float),
        grid_cost_eur_per_mwh=grid_cost,
        carbon_intensity_g_per_kwh=intensity,
        site_ids=list(sites["site_id"]),
        site_zone=site_zone,
        existing_it_mw=sites["existing_it_mw"].to_numpy(float),
        max_it_mw=sites["max_it_mw"].to_numpy(float),
        module_it_mw=sites["module_it_mw"].to_numpy(float),
        site_capex_eur_per_mw_yr=sites["capex_eur_per_mw_yr"].to_numpy(float),
        site_fixed_eur_per_yr=sites["fixed_eur_per_yr"].to_numpy(float),
        site_pue=pue,
        eligible=np.array([r == "" for r in reasons]),
        forced=forced,
        re_zone=re["zone_id"].map(zpos).to_numpy(np.int64),
        re_tech=list(re["tech"]),
        re_potential_mw=_capped_potential(re, cfg),
        re_existing_mw=re["existing_mw"].to_numpy(float),
        re_capex_eur_per_mw_yr=re["capex_eur_per_mw_yr"].to_numpy(float),
        re_cf=cf,
        link_ids=[str(x) for x in links["link_id"]],
        link_from=links["from_zone"].map(zpos).to_numpy(np.int64),
        link_to=links["to_zone"].map(zpos).to_numpy(np.int64),
        link_capacity_mw=links["capacity_mw"].to_numpy(float),
        link_usable_mw=(links["capacity_mw"] * links["dc_share"]).to_numpy(float),
        link_efficiency=1.0 - loss,
        slice_ids=slice_ids,
        weight_h=weights,
        period=period,
        re_annual_cf=annual_capacity_factors(layers, re),
        weather_levels=cfg.weather.levels,
        re_dispatchable=_dispatchable(layers.technologies, list(re["tech"])),
        day_period=periods.sequence.copy() if periods is not None else None,
        period_dates=periods.dates if periods is not None else _profile_dates(layers),
        calendar=periods.calendar if periods is not None else [],
        storage_linking="chronological" if linked else "per_period",
        matching=cfg.carbon.matching,
        multiplier=cfg.target.multiplier,
        utilisation=cfg.economics.utilisation,
        cfe_target=cfg.carbon.cfe_target,
        scope=cfg.carbon.scope,
        wheeling_eur_per_mwh=cfg.economics.wheeling_eur_per_mwh,
        max_country_share=cfg.policy.max_country_share,
        hosting_mw=hosting_limits(zones, cfg.policy.max_hosting_share),
        **_grid_terms(cfg, zones, pue, site_zone, hours=uses_hours(layers, cfg)),  # type: ignore[arg-type]
        min_sites=cfg.policy.min_sites,
        max_sites=cfg.policy.max_sites,
        storage=storage_options(cfg, layers.technologies, list(zones["zone_id"])),
        excluded_reason=reasons,
        exclusion_kind=rules.kinds,
        deadline_year=cfg.target.deadline_year,
        site_water_eur_per_mw_yr=rules.water_eur_per_mw_yr,
        site_accel_eur_per_mw_yr=rules.accel_eur_per_mw_yr,
        site_online_year=rules.online_year,
        site_water_stress=rules.water_stress,
        min_sites_by_country=dict(cfg.policy.min_sites_per_country),
        **_latency(cfg, layers, list(sites["site_id"]), required_new),  # type: ignore[arg-type]
        **_forced_areas(layers, list(sites["site_id"])),  # type: ignore[arg-type]
    )
