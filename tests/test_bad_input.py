"""Bad configs and layers: each gives exit 2 and one message naming the culprit and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from conftest import tiny_layers, write_config
from shapely.geometry import Point, Polygon

from siting.cli import main

Mutation = Callable[[Path, Path], None]  # (config path, data folder)


def cfg_set(**changes: object) -> Mutation:
    """Change config keys (dotted) in the file."""

    def apply(cfg: Path, _: Path) -> None:
        data = yaml.safe_load(cfg.read_text())
        for dotted, value in changes.items():
            node = data
            *head, last = dotted.split("__")
            for part in head:
                node = node.setdefault(part, {})
            if value is DELETE:
                node.pop(last, None)
            else:
                node[last] = value
        cfg.write_text(yaml.safe_dump(data))

    return apply


DELETE = object()


def csv_edit(name: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Mutation:
    def apply(_: Path, data: Path) -> None:
        path = data / name
        edit(pd.read_csv(path)).to_csv(path, index=False)

    return apply


def set_cell(name: str, row: int, col: str, value: object) -> Mutation:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df[col] = df[col].astype(object) if col in df.columns else None
        df.loc[row, col] = value
        return df

    return csv_edit(name, edit)


def zones_edit(edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Mutation:
    def apply(_: Path, data: Path) -> None:
        path = data / "zones.gpkg"
        gdf = edit(gpd.read_file(path))
        path.unlink()
        gdf.to_file(path, layer="zones", engine="pyogrio")

    return apply


def write_text(name: str, text: str) -> Mutation:
    def apply(_: Path, data: Path) -> None:
        (data / name).write_text(text)

    return apply


def replace_config(text: str) -> Mutation:
    def apply(cfg: Path, _: Path) -> None:
        cfg.write_text(text)

    return apply


def bowtie(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = gdf.geometry.iloc[0].bounds
    gdf.loc[0, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    return gdf


def as_points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.set_geometry(gdf.geometry.centroid)


def no_crs_zones(cfg: Path, data: Path) -> None:
    import warnings

    gdf = gpd.read_file(data / "zones.gpkg")
    with warnings.catch_warnings():  # writing a CRS-less Shapefile is the point here
        warnings.simplefilter("ignore")
        gdf.set_crs(None, allow_override=True).to_file(data / "zones_nocrs.shp", engine="pyogrio")
    cfg_set(layers__zones="data/zones_nocrs.shp")(cfg, data)


def profiles(weights: float = 8760 / 2, cf: float = 0.5) -> Mutation:
    def apply(cfg: Path, data: Path) -> None:
        rows = [
            {"zone_id": z, "tech": k, "slice": s, "weight_h": weights, "cf": cf}
            for z, k in [
                ("A", "solar"),
                ("A", "onshore_wind"),
                ("B", "solar"),
                ("B", "offshore_wind"),
            ]
            for s in (0, 1)
        ]
        pd.DataFrame(rows).to_csv(data / "profiles.csv", index=False)
        cfg_set(layers__profiles="data/profiles.csv")(cfg, data)

    return apply


CASES: list[tuple[str, Mutation, list[str]]] = [
    # config: keys, types, ranges
    ("unknown top-level key", cfg_set(policyy={}), ["policyy", "did you mean 'policy'"]),
    (
        "misspelt nested key",
        cfg_set(carbon__cfe_targett=1.0),
        ["carbon.cfe_targett", "did you mean 'cfe_target'"],
    ),
    (
        "cfe above 1",
        cfg_set(carbon__cfe_target=1.5),
        ["carbon.cfe_target", "less than or equal to 1"],
    ),
    ("cfe not a number", cfg_set(carbon__cfe_target="high"), ["carbon.cfe_target", "'high'"]),
    (
        "unknown matching",
        cfg_set(carbon__matching="daily"),
        ["carbon.matching", "'annual' or 'hourly'"],
    ),
    ("unknown scope", cfg_set(carbon__scope="some"), ["carbon.scope"]),
    ("unknown solver", cfg_set(solver__name="lindo"), ["solver.name", "'highs', 'cbc', 'gurobi'"]),
    ("zero threads", cfg_set(solver__threads=0), ["solver.threads"]),
    ("gap of 150 %", cfg_set(solver__mip_gap=1.5), ["solver.mip_gap"]),
    ("negative time limit", cfg_set(solver__time_limit_s=-1), ["solver.time_limit_s"]),
    ("negative increase", cfg_set(target__increase_pct=-10), ["target.increase_pct"]),
    (
        "deadline before baseline",
        cfg_set(target__deadline_year=2020),
        ["deadline_year must not be before baseline_year"],
    ),
    ("country share zero", cfg_set(policy__max_country_share=0), ["policy.max_country_share"]),
    (
        "a guarantee round that adds nothing",
        cfg_set(carbon__guarantee_days_per_round=0),
        ["carbon", "guarantee_days_per_round: 0", "guarantee_cuts: true"],
    ),
    (
        "added days in more segments than a day has hours",
        cfg_set(carbon__guarantee_segments_per_day=30),
        ["carbon.guarantee_segments_per_day", "less than or equal to 24", "docs/config.md#carbon"],
    ),
    (
        "min above max sites",
        cfg_set(policy__min_sites=3, policy__max_sites=1),
        ["max_sites (1) is below min_sites (3)"],
    ),
    (
        "forced and forbidden",
        cfg_set(policy__forced_sites=["A-1"], policy__forbidden_sites=["A-1"]),
        ["both forced and forbidden: A-1"],
    ),
    (
        "forced unknown site",
        cfg_set(policy__forced_sites=["Z-9"]),
        ["policy.forced_sites", "unknown site 'Z-9'"],
    ),
    ("bad run name", cfg_set(name="my run!"), ["name may only use"]),
    ("missing name", cfg_set(name=DELETE), ["name", "required key is missing"]),
    (
        "missing zones layer",
        cfg_set(layers__zones=DELETE),
        ["layers.zones", "required key is missing"],
    ),
    (
        "negative carbon price",
        cfg_set(economics__carbon_price_eur_per_t=-5),
        ["economics.carbon_price_eur_per_t"],
    ),
    ("utilisation zero", cfg_set(economics__utilisation=0), ["economics.utilisation"]),
    (
        "yaml syntax",
        replace_config("name: x\nlayers: {zones: a\n"),
        ["config.yaml:", "invalid YAML"],
    ),
    ("yaml not a mapping", replace_config("- a\n- b\n"), ["must be a YAML mapping"]),
    # files
    ("missing layer file", cfg_set(layers__sites="data/nope.csv"), ["nope.csv", "file not found"]),
    (
        "layer outside data root",
        cfg_set(layers__sites="../elsewhere/sites.csv"),
        ["layers.sites", "outside the data folder"],
    ),
    (
        "unsupported type",
        cfg_set(layers__sites="data/sites.xlsx"),
        ["sites.xlsx", "unsupported file type '.xlsx'"],
    ),
    (
        "corrupt geopackage",
        write_text("zones.gpkg", "this is not a database"),
        ["zones.gpkg", "cannot read the file"],
    ),
    (
        "empty layer",
        write_text("renewables.csv", "zone_id,tech,potential_mw\n"),
        ["renewables.csv", "no rows"],
    ),
    # zones
    (
        "zones without zone_id",
        zones_edit(lambda g: g.drop(columns="zone_id")),
        ["zones.gpkg", "missing required column 'zone_id'"],
    ),
    (
        "duplicate zone",
        zones_edit(lambda g: g.assign(zone_id=["A", "A"])),
        ["duplicate zone_id 'A'"],
    ),
    (
        "self-intersecting zone",
        zones_edit(bowtie),
        ["zone_id=A", "invalid geometry (Self-intersection"],
    ),
    (
        "zones as points",
        zones_edit(as_points),
        ["geometry is Point", "use MultiPolygon or Polygon"],
    ),
    ("zones without CRS", no_crs_zones, ["zones_nocrs.shp", "no coordinate reference system"]),
    (
        "blank baseline",
        zones_edit(lambda g: g.assign(baseline_it_mw=[None, 50.0])),
        ["zone_id=A", "'baseline_it_mw' is empty", "0 if it has none"],
    ),
    (
        "zero module",
        set_cell("sites.csv", 0, "module_it_mw", 0),
        ["site_id=A-1", "'module_it_mw' is 0", "leave it empty for continuous capacity"],
    ),
    (
        "site outside the zone it names",
        set_cell("sites.csv", 0, "zone_id", "B"),
        ["site_id=A-1", "km outside its zone_id 'B'", "check its coordinates, or its zone_id"],
    ),
    (
        "negative baseline",
        zones_edit(lambda g: g.assign(baseline_it_mw=[-1.0, 50.0])),
        ["zone_id=A", "'baseline_it_mw' = -1 is below 0"],
    ),
    (
        "pue below 1",
        zones_edit(lambda g: g.assign(baseline_pue=[0.9, 1.2])),
        ["'baseline_pue' = 0.9 is below 1"],
    ),
    # sites
    (
        "sites without max",
        csv_edit("sites.csv", lambda d: d.drop(columns="max_it_mw")),
        ["sites.csv", "missing required column 'max_it_mw'"],
    ),
    (
        "site max empty",
        set_cell("sites.csv", 1, "max_it_mw", None),
        ["row 3 (site_id=A-2)", "'max_it_mw' is empty"],
    ),
    (
        "site max text",
        set_cell("sites.csv", 0, "max_it_mw", "lots"),
        ["site_id=A-1", "'max_it_mw' is not a number ('lots')"],
    ),
    (
        "site capex infinite",
        set_cell("sites.csv", 0, "capex_eur_per_mw_yr", "inf"),
        ["site_id=A-1", "'capex_eur_per_mw_yr' is infinite"],
    ),
    (
        "site existing above max",
        set_cell("sites.csv", 0, "existing_it_mw", 900.0),
        ["site_id=A-1", "exceeds max_it_mw"],
    ),
    (
        "existing above zone baseline",
        set_cell("sites.csv", 2, "existing_it_mw", 80.0),
        ["zone B", "above the zone's baseline_it_mw"],
    ),
    ("duplicate site", set_cell("sites.csv", 1, "site_id", "A-1"), ["duplicate site_id 'A-1'"]),
    (
        "site far at sea",
        set_cell("sites.csv", 0, "lon", 0.0),
        ["site_id=A-1", "outside every zone"],
    ),
    (
        "site unknown zone",
        set_cell("sites.csv", 0, "zone_id", "Q"),
        ["site_id=A-1", "unknown zone_id 'Q'"],
    ),
    (
        "sites without coordinates",
        csv_edit("sites.csv", lambda d: d.drop(columns=["lon", "lat"])),
        ["sites need point geometry"],
    ),
    # renewables
    (
        "unknown tech",
        set_cell("renewables.csv", 0, "tech", "fusion"),
        ["renewables.csv", "unknown tech 'fusion'"],
    ),
    ("cf above 1", set_cell("renewables.csv", 1, "cf", 1.3), ["'cf' = 1.3 is above 1"]),
    (
        "negative potential",
        set_cell("renewables.csv", 2, "potential_mw", -10),
        ["'potential_mw' = -10 is below 0"],
    ),
    (
        "renewables unknown zone",
        set_cell("renewables.csv", 3, "zone_id", "Q"),
        ["unknown zone_id 'Q'"],
    ),
    (
        "no cf and no profile",
        set_cell("renewables.csv", 0, "cf", None),
        ["A/solar", "'cf' is empty and no profiles layer"],
    ),
    # links
    (
        "link to unknown zone",
        lambda c, d: _links(c, d, [{"from_zone": "A", "to_zone": "Q", "capacity_mw": 1.0}]),
        ["to_zone 'Q' is not a zone"],
    ),
    (
        "link to itself",
        lambda c, d: _links(c, d, [{"from_zone": "A", "to_zone": "A", "capacity_mw": 1.0}]),
        ["connects a zone to itself"],
    ),
    (
        "link share above 1",
        lambda c, d: _links(
            c, d, [{"from_zone": "A", "to_zone": "B", "capacity_mw": 1.0, "dc_share": 2.0}]
        ),
        ["'dc_share' = 2 is above 1"],
    ),
    # profiles
    (
        "weights not a year",
        profiles(weights=1000.0),
        ["profiles.csv", "slice weights sum to 2000 h, not 8760 h"],
    ),
    ("profile cf negative", profiles(cf=-0.2), ["profiles.csv", "'cf' = -0.2 is below 0"]),
    (
        "hourly without profiles",
        cfg_set(carbon__matching="hourly"),
        ["carbon.matching", "hourly matching needs a profiles layer"],
    ),
]


def tech_table(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Mutation:
    """A copy of the shipped technology table, edited, as the config's table."""

    def apply(cfg: Path, data: Path) -> None:
        shipped = Path(__file__).parents[1] / "siting" / "data" / "technologies.csv"
        edit(pd.read_csv(shipped, dtype=str)).to_csv(data / "tech.csv", index=False)
        cfg_set(layers__technologies="data/tech.csv")(cfg, data)

    return apply


def tech_cell(tech: str, col: str, value: str) -> Mutation:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[df["tech"] == tech, col] = value
        return df

    return tech_table(edit)


def latin1_table(cfg: Path, data: Path) -> None:
    tech_table(lambda df: df)(cfg, data)
    path = data / "tech.csv"
    text = path.read_text(encoding="utf-8").replace("Solar PV", "Solaire Géné")
    path.write_bytes(text.encode("latin-1"))


def weather_file(text: str) -> Mutation:
    def apply(cfg: Path, data: Path) -> None:
        (data / "weather.csv").write_text(text)
        cfg_set(layers__weather="data/weather.csv")(cfg, data)

    return apply


CASES += [
    # silent defaults that would change a plan
    ("blank site cost", set_cell("sites.csv", 1, "capex_eur_per_mw_yr", ""),
     ["sites.csv", "row 3 (site_id=A-2)", "'capex_eur_per_mw_yr' is empty", "no cost"]),
    ("blank site fixed cost", set_cell("sites.csv", 0, "fixed_eur_per_yr", " "),
     ["row 2 (site_id=A-1)", "'fixed_eur_per_yr' is empty"]),
    ("blank site pue", set_cell("sites.csv", 2, "pue", ""),
     ["row 4 (site_id=B-1)", "'pue' is empty", "baseline_pue", "leave the column out"]),
    # the technology table, strictly typed
    ("tech cost is text", tech_cell("solar", "investment_eur_per_kw", "cheap"),
     ["tech.csv: line 2 (solar): investment_eur_per_kw", "'cheap' is not a number"]),
    ("tech cost with a unit", tech_cell("battery", "energy_investment_eur_per_kwh", "150 EUR"),
     ["energy_investment_eur_per_kwh", "'150 EUR' is not a number"]),
    ("tech yes/no is another word", tech_cell("nuclear", "on_by_default", "maybe"),
     ["(nuclear): on_by_default", "'maybe' is neither yes nor no"]),
    ("tech table not UTF-8", latin1_table, ["tech.csv", "is not UTF-8", "save the table as UTF-8"]),
    ("tech table empty", tech_table(lambda df: df.iloc[0:0]),
     ["tech.csv", "has a header but no technology"]),
    # weather files
    ("weather header without hours", weather_file("utc_timestamp,A_solar\n"),
     ["weather.csv", "has a header but no hours"]),
    ("weather empty file", weather_file(""), ["weather.csv", "is empty"]),
    # settings that cannot apply
    ("storage section on a supply technology", cfg_set(storage__technology="solar"),
     ["storage.technology", "'solar' is not a storage technology", "name one of battery"]),
    ("cap on a storage kind", cfg_set(max_new_mw={"battery": 100.0}),
     ["max_new_mw.battery", "storage technology", "remove it"]),
    ("two years for a single-year mode", cfg_set(weather__years=[2015, 2016]),
     ["weather.years", "single optimises on one", "weather.mode: robust"]),
]  # fmt: skip


def _links(cfg: Path, data: Path, rows: list[dict[str, object]]) -> None:
    pd.DataFrame(rows).to_csv(data / "links.csv", index=False)
    cfg_set(layers__links="data/links.csv")(cfg, data)


def test_there_are_at_least_thirty_distinct_cases() -> None:
    assert len({name for name, _, _ in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize(("name", "mutate", "needles"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_naming_the_culprit(
    tmp_path: Path, capsys, name, mutate, needles
) -> None:
    layers = tiny_layers(tmp_path / "data", links=[])
    cfg = write_config(tmp_path, {k: f"data/{v}" for k, v in layers.items()})
    mutate(cfg, tmp_path / "data")
    code = main(["validate", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2, err
    for needle in needles:
        assert needle in err, f"{needle!r} not in:\n{err}"
    assert "Traceback" not in err
    assert err.startswith("error: ")


def test_run_refuses_bad_input_and_writes_nothing(tmp_path: Path, capsys) -> None:
    layers = tiny_layers(tmp_path / "data")
    cfg = write_config(tmp_path, {k: f"data/{v}" for k, v in layers.items()})
    set_cell("sites.csv", 0, "max_it_mw", -1)(cfg, tmp_path / "data")
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs")]) == 2
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_debug_shows_the_traceback(tmp_path: Path, capsys) -> None:
    assert main(["--debug", "validate", str(tmp_path / "missing.yaml")]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_point_geometry_of_sites_in_a_gis_file(tmp_path: Path, capsys) -> None:
    """A sites GeoJSON with a polygon instead of a point is named by row and ID."""
    layers = tiny_layers(tmp_path / "data")
    cfg = write_config(
        tmp_path, {**{k: f"data/{v}" for k, v in layers.items()}, "sites": "data/sites.geojson"}
    )
    gpd.GeoDataFrame(
        [{"site_id": "S", "max_it_mw": 10.0}],
        geometry=[Point(10.0, 50.0).buffer(0.01)],
        crs="EPSG:4326",
    ).to_file(tmp_path / "data" / "sites.geojson", engine="pyogrio")
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "site_id=S" in err and "geometry is Polygon" in err


def test_row_numbers_survive_dropped_rows(tmp_path: Path, capsys) -> None:
    """A bad coordinate in row 2 must not shift the row number reported for row 4."""
    layers = tiny_layers(tmp_path / "data")
    cfg = write_config(tmp_path, {k: f"data/{v}" for k, v in layers.items()})
    set_cell("sites.csv", 0, "lat", 200.0)(cfg, tmp_path / "data")
    set_cell("sites.csv", 2, "max_it_mw", -3.0)(cfg, tmp_path / "data")
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "row 2 (site_id=A-1): 'lat' = 200 is above 90" in err
    assert "row 4 (site_id=B-1): 'max_it_mw' = -3 is below 0" in err


def test_swapped_lat_and_lon_are_named_with_the_swap(tmp_path: Path, capsys) -> None:
    """The shipped European sites with lat and lon exchanged: all land far outside their
    zones; each is named once with its distance and the swap as the likely cause."""
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "datasets", tmp_path / "datasets")
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    path = tmp_path / "datasets" / "europe" / "sites.csv"
    sites = pd.read_csv(path)
    sites[["lon", "lat"]] = sites[["lat", "lon"]].to_numpy()
    sites.to_csv(path, index=False)
    assert main(["validate", str(tmp_path / "configs" / "europe-2030.yaml")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    frankfurt = [line for line in err.splitlines() if "site_id=DE-FRANKFURT" in line]
    assert len(frankfurt) == 1
    assert "outside its zone_id 'DE'" in frankfurt[0] and "lat and lon swapped?" in frankfurt[0]
    assert err.count("lat and lon swapped?") == len(sites)


def test_a_bad_set_is_named_as_the_set_and_a_percentage_as_a_share(tmp_path: Path, capsys) -> None:
    layers = tiny_layers(tmp_path / "data")
    cfg = write_config(tmp_path, {k: f"data/{v}" for k, v in layers.items()})
    assert main(["validate", str(cfg), "--set", "carbon.cfe_target=90"]) == 2
    err = capsys.readouterr().err
    assert "--set carbon.cfe_target=90 (over " in err
    assert "it is a share: 0.9 for 90 %" in err and "Traceback" not in err
