"""Instance: the optimisation problem as plain arrays, no geometry, units fixed (DESIGN §2).

Built once from checked layers and the config by a pure function. The model is built from
an :class:`Instance` alone, so tests can construct tiny instances directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from siting.config import Config
from siting.economics import HOURS_PER_YEAR
from siting.errors import InputError, Problem
from siting.layers import Layers

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


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
    storage_enabled: bool
    storage_energy_eur_per_mwh_yr: float
    storage_power_eur_per_mw_yr: float
    storage_roundtrip_efficiency: float
    excluded_reason: list[str] = field(default_factory=list)

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
    def new_load_per_mw(self) -> FloatArray:
        """Average electrical load per MW of new IT capacity, per site [MW/MW]."""
        return self.site_pue * self.utilisation


def _exclusions(cfg: Config, sites: pd.DataFrame, zones: pd.DataFrame) -> list[str]:
    """Why each site may not get new capacity ('' when it may)."""
    reasons = [""] * len(sites)
    forbidden = set(cfg.policy.forbidden_sites)
    stress = sites["water_stress"].copy()
    zone_stress = zones.set_index("zone_id")["water_stress"]
    stress = stress.fillna(sites["zone_id"].map(zone_stress))
    limit = cfg.policy.max_water_stress
    for i, (sid, ws, online) in enumerate(
        zip(sites["site_id"], stress, sites["online_year"], strict=True)
    ):
        if sid in forbidden:
            reasons[i] = "forbidden by policy.forbidden_sites"
        elif limit is not None and pd.notna(ws) and ws > limit:
            reasons[i] = f"water stress {ws:g} above policy.max_water_stress {limit:g}"
        elif pd.notna(online) and online > cfg.target.deadline_year:
            reasons[i] = f"online_year {online:g} after deadline {cfg.target.deadline_year}"
    return reasons


def _slices(
    layers: Layers, cfg: Config, re: pd.DataFrame
) -> tuple[list[str], FloatArray, IntArray, FloatArray]:
    """Time slices and each clean option's capacity factor per slice."""
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
    if cfg.carbon.matching == "annual":
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
    sl = prof.drop_duplicates("slice").sort_values(["period", "slice"])
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
        if missing == len(sl) and k in ("hydro", "nuclear"):
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


def build_instance(layers: Layers, cfg: Config) -> Instance:
    """Turn checked layers and a config into an :class:`Instance`.

    Parameters
    ----------
    layers
        Output of :func:`siting.layers.load_layers`.
    cfg
        Validated config.
    """
    zones = layers.zones.sort_values("zone_id").reset_index(drop=True)
    zpos = {z: i for i, z in enumerate(zones["zone_id"])}
    sites = layers.sites.sort_values("site_id").reset_index(drop=True)
    re = layers.renewables.sort_values(["zone_id", "tech"]).reset_index(drop=True)
    links = layers.links.sort_values("link_id").reset_index(drop=True)

    price = zones["grid_price_eur_per_mwh"].fillna(0.0).to_numpy(float)
    intensity = zones["carbon_intensity_g_per_kwh"].fillna(0.0).to_numpy(float)
    # g/kWh equals kg/MWh, so /1000 gives t/MWh
    grid_cost = price + cfg.economics.carbon_price_eur_per_t * intensity / 1000.0

    site_zone = sites["zone_id"].map(zpos).to_numpy(np.int64)
    pue = sites["pue"].to_numpy(float)
    pue = np.where(np.isnan(pue), zones["baseline_pue"].to_numpy(float)[site_zone], pue)
    reasons = _exclusions(cfg, sites, zones)
    forced = sites["site_id"].isin(cfg.policy.forced_sites).to_numpy()

    slice_ids, weights, period, cf = _slices(layers, cfg, re)
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
        re_potential_mw=re["potential_mw"].to_numpy(float),
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
        matching=cfg.carbon.matching,
        multiplier=cfg.target.multiplier,
        utilisation=cfg.economics.utilisation,
        cfe_target=cfg.carbon.cfe_target,
        scope=cfg.carbon.scope,
        wheeling_eur_per_mwh=cfg.economics.wheeling_eur_per_mwh,
        max_country_share=cfg.policy.max_country_share,
        min_sites=cfg.policy.min_sites,
        max_sites=cfg.policy.max_sites,
        storage_enabled=cfg.storage.enabled and cfg.carbon.matching == "hourly",
        storage_energy_eur_per_mwh_yr=cfg.storage.energy_eur_per_mwh_yr,
        storage_power_eur_per_mw_yr=cfg.storage.power_eur_per_mw_yr,
        storage_roundtrip_efficiency=cfg.storage.roundtrip_efficiency,
        excluded_reason=reasons,
    )
