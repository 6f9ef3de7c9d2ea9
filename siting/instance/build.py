"""Build an :class:`~siting.instance.tables.Instance` from checked layers and the config.

A pure function of its inputs: exclusions and costs per site, clean options with their
capacity factors per slice (representative days cut from a weather year, or the profiles
layer's), links with their losses, the settings the model reads, and the notes the outputs
show.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.base.economics import HOURS_PER_YEAR
from siting.base.errors import InputError, Problem
from siting.base.technologies import Kind, TechnologyTable
from siting.config import Config
from siting.inputs.grid_load import zone_load
from siting.inputs.layers import Layers
from siting.inputs.weather import WeatherYear, scale_to_mean
from siting.instance.headroom import grid_headroom, interruptible_capacity
from siting.instance.periods import (
    HOURS_PER_DAY,
    Periods,
    PeriodsStore,
    period_hours,
    periods_key,
    representative_days,
)
from siting.instance.segments import segment_days
from siting.instance.tables import (
    AreaTable,
    BoolArray,
    DemandTable,
    FloatArray,
    Instance,
    IntArray,
    LinkTable,
    Notes,
    Settings,
    SiteTable,
    StorageOption,
    SupplyTable,
    TimeTable,
    ZoneTable,
)


@dataclass(frozen=True)
class _SiteRules:
    reasons: list[str]
    kinds: list[str]
    online_year: FloatArray
    accel_eur_per_mw_yr: FloatArray
    water_stress: FloatArray
    water_eur_per_mw_yr: FloatArray


def scope_mask(cfg: Config, zones: pd.DataFrame) -> BoolArray:
    """Per zone (in the frame's order), whether the plan is for it (``scope``; all when
    none is named)."""
    if not cfg.scope.limited:
        return np.ones(len(zones), bool)
    return (zones["country"].isin(cfg.scope.countries)
            | zones["zone_id"].isin(cfg.scope.zones)).to_numpy()  # fmt: skip


def in_scope(cfg: Config, zones: pd.DataFrame) -> pd.DataFrame:
    """The zones with the baseline of zones outside the scope set to 0: their data centres
    are neither the target's baseline nor load the plan matches (trading partners)."""
    if not cfg.scope.limited:
        return zones
    mask = scope_mask(cfg, zones)
    return zones.assign(baseline_it_mw=np.where(mask, zones["baseline_it_mw"], 0.0))


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
    inside = set(zone.index[scope_mask(cfg, zones)])
    reasons = [""] * n
    kinds = [""] * n
    accel = np.zeros(n)
    for i, (sid, zid) in enumerate(zip(sites["site_id"], sites["zone_id"], strict=True)):
        late = online[i] - deadline if not np.isnan(online[i]) else np.nan
        if zid not in inside:
            reasons[i], kinds[i] = "outside the plan's scope (scope.countries, scope.zones)", "scope"
        elif sid in forbidden:
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
) -> tuple[DemandTable, FloatArray | None, FloatArray | None]:
    """Demand points (inference load [MW], RTT budget [ms], RTT to every site [ms]), their
    distance to every site [km] and the reach of their budgets [km] (for the outputs)."""
    demand = layers.demand
    if demand is None or layers.distance_km is None:
        return DemandTable(), None, None
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
    table = DemandTable(list(demand["demand_id"]), load, budget, rtt)
    return table, dist, budget / 2.0 * lat.fibre_km_per_ms / lat.route_factor


def _forced_areas(layers: Layers, site_ids: list[str]) -> AreaTable:
    gdf = (layers.areas or {}).get("forced_areas")
    if gdf is None:
        return AreaTable()
    pos = {sid: i for i, sid in enumerate(site_ids)}
    return AreaTable(list(gdf["area"]), [[pos[s] for s in members] for members in gdf["site_ids"]],
                     [round(float(n)) for n in gdf["min_sites"]])  # fmt: skip


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
    layers: Layers,
    re: pd.DataFrame,
    periods: Periods,
    hourly: dict[int, FloatArray],
    segments: int = HOURS_PER_DAY,
    added_segments: int | None = None,
) -> tuple[list[str], FloatArray, IntArray, FloatArray, FloatArray | None]:
    """Slices of representative days taken from the weather year itself (no rescaling),
    joined into ``segments`` per day where fewer than 24 (:mod:`siting.instance.segments`);
    the days the guarantee added into ``added_segments`` (None: ``segments``)."""
    annual_cf = annual_capacity_factors(layers, re)
    n_t = periods.n_periods * HOURS_PER_DAY
    cf = np.empty((len(re), n_t))
    for j in range(len(re)):
        cf[j] = period_hours(hourly[j], periods) if j in hourly else annual_cf[j]
    counts = periods.segments(segments, added_segments)
    if (counts < HOURS_PER_DAY).any():
        has_profile = np.array([j in hourly for j in range(len(re))], bool)
        seg = segment_days(cf, has_profile, counts, HOURS_PER_DAY)
        ids = [f"d{p:02d}h{h:02d}" for p, h in zip(seg.period.tolist(), seg.start_h.tolist(),
                                                   strict=True)]  # fmt: skip
        weights = periods.weight_days[seg.period] * seg.duration_h
        return ids, weights, seg.period, seg.cf, seg.duration_h
    period = np.repeat(np.arange(periods.n_periods, dtype=np.int64), HOURS_PER_DAY)
    slice_ids = [f"d{p:02d}h{h:02d}" for p in range(periods.n_periods) for h in range(24)]
    return slice_ids, periods.weight_days[period], period, cf, None


def _time(
    layers: Layers, cfg: Config, re: pd.DataFrame, periods: Periods | None
) -> tuple[Periods | None, tuple[list[str], FloatArray, IntArray, FloatArray, FloatArray | None]]:
    """The periods (None without weather days) and the slices: ids, weights, periods, cf and
    durations (None: an hour each)."""
    hourly = None
    if uses_hours(layers, cfg) and layers.weather:
        years = periods.calendar_years if periods is not None else run_years(layers, cfg)
        hourly = _weather_hours(layers, re, years, cfg.weather.levels)
    if periods is None:
        periods = default_periods(layers, cfg, re, hourly)
    if periods is not None and hourly is not None:
        slices = _period_slices(layers, re, periods, hourly, cfg.weather.segments_per_day,
                                cfg.carbon.guarantee_segments_per_day)  # fmt: skip
    else:
        _segments_need_weather(cfg)
        periods, slices = None, (*_slices(layers, cfg, re), None)
    clip = cfg.solver.clip_capacity_factor
    if clip > 0.0 and len(slices[0]) > 1:
        ids, weights, period, cf, duration = slices
        slices = (ids, weights, period, np.where(cf < clip, 0.0, cf), duration)
    return periods, slices


def _segments_need_weather(cfg: Config) -> None:
    """Segments join a day's hours: slices given by a profiles layer have no hours to join."""
    if cfg.weather.segments_per_day < HOURS_PER_DAY and cfg.carbon.matching == "hourly":
        raise InputError([Problem(
            "weather.segments_per_day", "segments join the hours of representative days cut "
            "from a weather layer; this run's slices come from layers.profiles",
            "give layers.weather, or remove weather.segments_per_day")])  # fmt: skip


def _flexibility_needs_hours(cfg: Config, hours: bool) -> None:
    """Load moves between hours and zones hour by hour: a run on one annual slice has none."""
    keys = [k for k in ("temporal_share", "spatial_share") if getattr(cfg.flexibility, k) > 0]
    if keys and not hours:
        raise InputError([Problem(
            f"flexibility.{k}", "flexible load moves within hours and days, and this run has "
            "a single annual slice (annual matching netted over the year, or no weather or "
            "profiles layer)",
            "set carbon.matching: hourly (or carbon.annual_accounting: hourly with "
            f"layers.weather), or flexibility.{k}: 0") for k in keys])  # fmt: skip


def _annual_storage_needs_hours(cfg: Config, hours: bool) -> None:
    """A store shifts energy between hours: an annual run netted on one slice has none."""
    if cfg.carbon.matching == "annual" and cfg.storage.annual_matching and not hours:
        raise InputError([Problem(
            "config: storage.annual_matching", "storage shifts energy between hours, and this "
            "annual run is netted over one annual slice",
            "set carbon.annual_accounting: hourly with layers.weather (or a profiles layer), "
            "or storage.annual_matching: false")])  # fmt: skip


def _dispatchable(table: TechnologyTable, techs: list[str]) -> BoolArray:
    """Per option, whether its technology is energy-limited dispatchable supply."""
    return np.array([k in table and table[k].kind == Kind.DISPATCHABLE for k in techs], bool)


def _running_cost(table: TechnologyTable, techs: list[str]) -> FloatArray | None:
    """Per option, the cost per MWh a dispatchable option delivers [EUR/MWh] (None: none)."""
    cost = np.array([table[k].vom_eur_per_mwh if k in table and table[k].kind == Kind.DISPATCHABLE
                     else 0.0 for k in techs], float)  # fmt: skip
    return cost if (cost > 0).any() else None


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

    None in annual matching unless ``storage.annual_matching``. Every store comes from its table row; the ``storage`` config
    section overrides one of them (``storage.technology``, by default the table's first
    storage row): its costs and efficiency where given, and ``enabled: false`` leaves it out.
    ``technologies: {<id>: false}`` switches any one off.
    """
    if cfg.carbon.matching != "hourly" and not cfg.storage.annual_matching:
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
        Output of :func:`siting.inputs.layers.load_layers`.
    cfg
        Validated config.
    periods
        Representative days of a weather year; by default, in hourly runs with a weather
        layer, those tsam cuts from its first year (else the profiles layer's periods).
    """
    zones = in_scope(cfg, layers.zones.sort_values("zone_id").reset_index(drop=True))
    zpos = {z: i for i, z in enumerate(zones["zone_id"])}
    sites = layers.sites.sort_values("site_id").reset_index(drop=True)
    re = _sorted_options(layers)
    links = layers.links.sort_values("link_id").reset_index(drop=True)
    site_zone = sites["zone_id"].map(zpos).to_numpy(np.int64)
    pue = sites["pue"].to_numpy(float)
    pue = np.where(np.isnan(pue), zones["baseline_pue"].to_numpy(float)[site_zone], pue)
    rules = _site_rules(cfg, layers, sites, zones)
    periods, (slice_ids, weights, period, cf, duration) = _time(layers, cfg, re, periods)
    linked = periods is not None and cfg.storage.linking == "chronological"
    required_new = ((cfg.target.multiplier - 1.0) * float(zones["baseline_it_mw"].sum())
                    / cfg.target.compute_per_new_mw)  # fmt: skip
    hours = uses_hours(layers, cfg)
    _flexibility_needs_hours(cfg, hours)
    _annual_storage_needs_hours(cfg, hours)
    demand, distance, radius = _latency(cfg, layers, list(sites["site_id"]), required_new)
    zone_table = _zone_table(cfg, zones)
    zone_table = _interruptible(layers, cfg, zone_table, zones)
    return Instance(
        zones=zone_table,
        sites=_site_table(cfg, sites, zones, site_zone, pue, rules),
        supply=SupplyTable(
            re["zone_id"].map(zpos).to_numpy(np.int64), list(re["tech"]),
            _capped_potential(re, cfg), re["existing_mw"].to_numpy(float),
            re["capex_eur_per_mw_yr"].to_numpy(float), cf, annual_capacity_factors(layers, re),
            _dispatchable(layers.technologies, list(re["tech"])),
            _running_cost(layers.technologies, list(re["tech"])),
            re["tech"].isin(cfg.carbon.not_carbon_free).to_numpy()
            if cfg.carbon.not_carbon_free else None,
        ),
        links=LinkTable(
            [str(x) for x in links["link_id"]], links["from_zone"].map(zpos).to_numpy(np.int64),
            links["to_zone"].map(zpos).to_numpy(np.int64),
            (links["capacity_mw"] * links["dc_share"]).to_numpy(float),
            1.0 - (links["loss_per_1000km"] * links["length_km"] / 1000.0).to_numpy(float),
        ),
        time=TimeTable(slice_ids, weights, period,
                       periods.sequence.copy() if periods is not None else None, duration),
        settings=_settings(cfg, hours, linked),
        stores=storage_options(cfg, layers.technologies, list(zones["zone_id"])),
        demand=demand,
        areas=_forced_areas(layers, list(sites["site_id"])),
        notes=Notes(
            zones["carbon_intensity_g_per_kwh"].fillna(0.0).to_numpy(float),
            links["capacity_mw"].to_numpy(float), rules.reasons, rules.kinds, rules.online_year,
            rules.water_stress, cfg.target.deadline_year,
            periods.dates if periods is not None else _profile_dates(layers),
            periods.calendar if periods is not None else [], distance, radius,
        ),
    )  # fmt: skip


def _interruptible(layers: Layers, cfg: Config, table: ZoneTable, zones: pd.DataFrame) -> ZoneTable:
    """The zones' grid headroom per hour and the interruptible load each may host above its
    hosting limit (:mod:`siting.instance.headroom`)."""
    share = cfg.flexibility.interruptible_share
    if share <= 0 or layers.grid_load is None:
        return table
    mean = zones["national_load_mw"].to_numpy(float) if "national_load_mw" in zones else None
    load = zone_load(layers.grid_load, table.ids, table.country, mean)
    head = grid_headroom(load)
    limited = np.isfinite(table.hosting_mw) if len(table.hosting_mw) else np.zeros(len(head), bool)
    cap = np.array([interruptible_capacity(h, share) if ok and np.isfinite(h).all() else 0.0
                    for h, ok in zip(head, limited, strict=True)])  # fmt: skip
    return dataclasses.replace(table, grid_headroom_mw=head, interruptible_mw=cap)


def _zone_table(cfg: Config, zones: pd.DataFrame) -> ZoneTable:
    """The zones' load, grid cost (energy price plus carbon price x intensity), hosting limit
    and sale price."""
    price = zones["grid_price_eur_per_mwh"].fillna(0.0).to_numpy(float)
    intensity = zones["carbon_intensity_g_per_kwh"].fillna(0.0).to_numpy(float)
    # g/kWh equals kg/MWh, so /1000 gives t/MWh
    grid_cost = price + cfg.economics.carbon_price_eur_per_t * intensity / 1000.0
    return ZoneTable(
        list(zones["zone_id"]), list(zones["country"]), zones["baseline_it_mw"].to_numpy(float),
        zones["baseline_pue"].to_numpy(float), grid_cost,
        hosting_limits(zones, cfg.policy.max_hosting_share),
        sale_prices(zones, cfg.economics.surplus_price_share),
        in_scope=scope_mask(cfg, zones) if cfg.scope.limited else None,
        carbon_intensity_g_per_kwh=intensity,
    )  # fmt: skip


def _site_table(cfg: Config, sites: pd.DataFrame, zones: pd.DataFrame, site_zone: IntArray,
                pue: FloatArray, rules: _SiteRules) -> SiteTable:  # fmt: skip
    """The candidates' limits and costs, reinforcement at ``pue`` x their zone's rate."""
    per_mw_load = reinforcement_per_mw_load(zones, cfg.grid_connection.reinforcement_eur_per_mw_yr)
    return SiteTable(
        list(sites["site_id"]), site_zone, sites["existing_it_mw"].to_numpy(float),
        sites["max_it_mw"].to_numpy(float), sites["module_it_mw"].to_numpy(float),
        sites["capex_eur_per_mw_yr"].to_numpy(float), sites["fixed_eur_per_yr"].to_numpy(float),
        pue, np.array([r == "" for r in rules.reasons]),
        sites["site_id"].isin(cfg.policy.forced_sites).to_numpy(), pue * per_mw_load[site_zone],
        rules.water_eur_per_mw_yr, rules.accel_eur_per_mw_yr,
    )  # fmt: skip


def _settings(cfg: Config, hours: bool, linked: bool) -> Settings:
    """The config's switches the model reads."""
    return Settings(
        matching=cfg.carbon.matching, multiplier=cfg.target.multiplier,
        utilisation=cfg.economics.utilisation, cfe_target=cfg.carbon.cfe_target,
        scope=cfg.carbon.scope, wheeling_eur_per_mwh=cfg.economics.wheeling_eur_per_mwh,
        max_country_share=cfg.policy.max_country_share, min_sites=cfg.policy.min_sites,
        max_sites=cfg.policy.max_sites,
        min_sites_by_country=dict(cfg.policy.min_sites_per_country),
        max_surplus_share=cfg.economics.max_surplus_share,
        exchange="hourly" if hours else "netted", weather_levels=cfg.weather.levels,
        storage_linking="chronological" if linked else "per_period",
        temporal_share=cfg.flexibility.temporal_share,
        spatial_share=cfg.flexibility.spatial_share,
        interruptible_share=cfg.flexibility.interruptible_share,
        lost_compute_eur_per_mwh=cfg.flexibility.lost_compute_eur_per_mwh,
        compute_per_new_mw=cfg.target.compute_per_new_mw,
    )  # fmt: skip
