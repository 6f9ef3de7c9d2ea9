"""Layer reading in every supported format, reprojection, joins and checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from conftest import SIDE, X0, Y0, tiny_layers, write_config
from shapely.geometry import Point, box

from siting.base.errors import InputError
from siting.config import load_config
from siting.inputs.layers import load_layers


def _load(folder: Path, **cfg):
    paths = tiny_layers(folder / "d")
    paths = {k: f"d/{v}" for k, v in paths.items()}
    paths.update(cfg.pop("layers", {}))
    return load_layers(load_config(write_config(folder, paths, **cfg)))


DEFAULT = {"zones": "d/zones.gpkg", "sites": "d/sites.csv", "renewables": "d/renewables.csv"}


def _load_written(folder: Path, **extra: str):
    """Load the layers already written under ``folder/d`` (default names, plus ``extra``)."""
    return load_layers(load_config(write_config(folder, {**DEFAULT, **extra})))


def test_layers_are_reprojected_to_3035(tmp_path: Path) -> None:
    layers = _load(tmp_path)
    assert layers.zones.crs.to_epsg() == 3035 and layers.sites.crs.to_epsg() == 3035
    # CSV lon/lat came back to within a metre of the EPSG:3035 coordinates they were made from
    a1 = layers.sites.set_index("site_id").geometry["A-1"]
    assert a1.x == pytest.approx(X0 + 20_000, abs=1.0) and a1.y == pytest.approx(
        Y0 + 50_000, abs=1.0
    )


def test_sites_join_zones_by_location(tmp_path: Path) -> None:
    layers = _load(tmp_path)
    assert layers.sites.set_index("site_id")["zone_id"].to_dict() == {
        "A-1": "A",
        "A-2": "A",
        "B-1": "B",
    }


def test_point_just_outside_joins_nearest_zone(tmp_path: Path) -> None:
    d = tmp_path / "d"
    tiny_layers(d, sites=[{"site_id": "coast", "x": -3_000, "y": 50_000, "max_it_mw": 100.0}])
    layers = load_layers(
        load_config(
            write_config(
                tmp_path,
                {"zones": "d/zones.gpkg", "sites": "d/sites.csv", "renewables": "d/renewables.csv"},
            )
        )
    )
    assert layers.sites["zone_id"].tolist() == ["A"]


def test_point_far_outside_is_an_error(tmp_path: Path) -> None:
    d = tmp_path / "d"
    tiny_layers(d, sites=[{"site_id": "far", "x": -90_000, "y": 50_000, "max_it_mw": 100.0}])
    with pytest.raises(InputError, match=r"far.*outside every zone"):
        _load_written(tmp_path)


@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
@pytest.mark.filterwarnings("ignore:Column names longer than 10 characters")
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet", ".shp", ".csv"])
def test_every_format_reads_the_same_sites(tmp_path: Path, suffix: str) -> None:
    base = _load(tmp_path / "base").sites.set_index("site_id").sort_index()
    src = pd.read_csv(tmp_path / "base" / "d" / "sites.csv")
    gdf = gpd.GeoDataFrame(
        src, geometry=gpd.points_from_xy(src["lon"], src["lat"]), crs="EPSG:4326"
    ).to_crs("EPSG:3857")
    out = tmp_path / f"sites{suffix}"
    if suffix == ".csv":
        src.to_csv(out, index=False)
    elif suffix == ".parquet":
        gdf.to_parquet(out)
    else:
        gdf.drop(columns=["lon", "lat"]).to_file(out, engine="pyogrio")
    layers = _load(tmp_path / suffix.strip("."), layers={"sites": str(out)}, data_root="..")
    got = layers.sites.set_index("site_id").sort_index()
    assert got["zone_id"].tolist() == base["zone_id"].tolist()
    assert got.geometry.distance(base.geometry).max() < 1.0
    for col in (
        "max_it_mw",
        "existing_it_mw",
        "module_it_mw",
        "capex_eur_per_mw_yr",
        "fixed_eur_per_yr",
    ):
        assert got[col].tolist() == base[col].tolist(), col  # Shapefile truncates names to 10 chars


def test_polygon_renewables_split_by_zone_area(tmp_path: Path) -> None:
    # one 100 MW solar polygon straddling A (1/4 of its area) and B (3/4)
    poly = box(X0 + 0.75 * SIDE, Y0, X0 + 1.75 * SIDE, Y0 + SIDE)
    path = tmp_path / "re.gpkg"
    gpd.GeoDataFrame(
        [{"tech": "solar", "potential_mw": 100.0, "cf": 0.1, "capex_eur_per_mw_yr": 5e4}],
        geometry=[poly],
        crs="EPSG:3035",
    ).to_file(path, engine="pyogrio")
    layers = _load(tmp_path, layers={"renewables": str(path)})
    got = layers.renewables.set_index("zone_id")["potential_mw"]
    assert got["A"] == pytest.approx(25.0) and got["B"] == pytest.approx(75.0)


def test_point_renewables_join_zone(tmp_path: Path) -> None:
    path = tmp_path / "re.geojson"
    pts = [
        Point(X0 + 10_000, Y0 + 10_000),
        Point(X0 + 110_000, Y0 + 10_000),
        Point(X0 + 120_000, Y0 + 10_000),
    ]
    gpd.GeoDataFrame(
        {"tech": ["onshore_wind"] * 3, "potential_mw": [10.0, 20.0, 30.0], "cf": [0.3, 0.2, 0.4]},
        geometry=pts,
        crs="EPSG:3035",
    ).to_file(path, engine="pyogrio")
    re = _load(tmp_path, layers={"renewables": str(path)}).renewables.set_index("zone_id")
    assert re.loc["A", "potential_mw"] == 10.0 and re.loc["B", "potential_mw"] == 50.0
    assert re.loc["B", "cf"] == pytest.approx((20 * 0.2 + 30 * 0.4) / 50)  # potential-weighted


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    d = tmp_path / "d"
    tiny_layers(
        d,
        sites=[
            {"site_id": "s1", "x": 10_000, "y": 10_000, "max_it_mw": -5.0},
            {"site_id": "s1", "x": 20_000, "y": 10_000, "max_it_mw": 10.0, "existing_it_mw": 20.0},
        ],
        renewables=[{"zone_id": "Q", "tech": "fusion", "potential_mw": 1.0, "cf": 1.5}],
    )
    with pytest.raises(InputError) as err:
        _load_written(tmp_path, links="d/links.gpkg")
    text = str(err.value)
    for needle in [
        "duplicate site_id 's1'",
        "'max_it_mw' = -5 is below 0",
        "exceeds max_it_mw",
        "unknown tech 'fusion'",
        "'cf' = 1.5 is above 1",
        "unknown zone_id 'Q'",
    ]:
        assert needle in text, needle
    assert "sites.csv (layers.sites): row 2 (site_id=s1)" in text


def test_missing_required_column(tmp_path: Path) -> None:
    d = tmp_path / "d"
    tiny_layers(d)
    pd.read_csv(d / "renewables.csv").drop(columns="potential_mw").to_csv(
        d / "renewables.csv", index=False
    )
    with pytest.raises(InputError, match="missing required column 'potential_mw'"):
        _load_written(tmp_path)


def test_missing_file_names_the_layer(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, {"zones": "nope.gpkg", "sites": "nope.csv", "renewables": "x.csv"})
    with pytest.raises(InputError) as err:
        load_layers(load_config(cfg))
    assert "layers.zones" in str(err.value) and "file not found" in str(err.value)
    assert len(err.value.problems) == 3


def test_links_to_unknown_zone(tmp_path: Path) -> None:
    d = tmp_path / "d"
    tiny_layers(d, links=[{"from_zone": "A", "to_zone": "Z", "capacity_mw": 1.0}])
    with pytest.raises(InputError, match="to_zone 'Z' is not a zone"):
        _load_written(tmp_path, links="d/links.gpkg")


def test_profile_weights_must_sum_to_a_year(tmp_path: Path) -> None:
    d = tmp_path / "d"
    prof = [
        {"zone_id": "A", "tech": "solar", "slice": s, "weight_h": 4000.0, "cf": 0.1} for s in (0, 1)
    ]
    paths = tiny_layers(d, profiles=prof)
    with pytest.raises(InputError, match="slice weights sum to 8000 h"):
        load_layers(load_config(write_config(tmp_path, {k: f"d/{v}" for k, v in paths.items()})))


def test_layer_paths_are_confined_to_the_config_folder(tmp_path: Path) -> None:
    tiny_layers(tmp_path / "data")
    (tmp_path / "cfg").mkdir()
    outside = {
        "zones": "../data/zones.gpkg",
        "sites": "../data/sites.csv",
        "renewables": "../data/renewables.csv",
    }
    with pytest.raises(InputError, match=r"layers.zones.*outside the data folder.*data_root"):
        load_config(write_config(tmp_path / "cfg", outside))
    cfg = load_config(write_config(tmp_path / "cfg", outside, data_root=".."))
    assert cfg.layers.zones == (tmp_path / "data" / "zones.gpkg").resolve()
