"""Re-check a run from its output files alone, without the model (DESIGN §7).

Deliberately independent of ``siting``: reads CSV and JSON with pandas and recomputes every
balance and bound from first principles.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

REL = 1e-6


def recheck_run(run: Path) -> dict[str, float]:
    """Assert that a solved run's tables are consistent and within all bounds.

    Returns a few recomputed numbers for further assertions.
    """
    summary = json.loads((run / "summary.json").read_text())
    cfg = __import__("yaml").safe_load((run / "config.yaml").read_text())
    t = {
        n: pd.read_csv(run / "tables" / f"{n}.csv")
        for n in ("sites", "renewables", "flows", "dispatch", "zones", "links")
    }
    sites, re, flows, disp, zones, links = (
        t[n] for n in ("sites", "renewables", "flows", "dispatch", "zones", "links")
    )
    u = cfg["economics"]["utilisation"]
    mult = 1 + cfg["target"]["increase_pct"] / 100
    cfe = cfg["carbon"]["cfe_target"]

    # target
    baseline = zones["baseline_it_mw"].sum()
    new = sites["new_it_mw"].sum()
    assert np.isclose(summary["baseline_it_mw"], baseline, rtol=REL)
    assert np.isclose(summary["target_it_mw"], mult * baseline, rtol=REL)
    assert np.isclose(summary["total_it_mw"], baseline + new, rtol=REL)
    assert baseline + new >= mult * baseline * (1 - REL), "target missed"

    # sites within bounds; built exactly where new capacity goes
    assert (sites["new_it_mw"] >= -1e-9).all()
    assert (sites["new_it_mw"] <= sites["max_it_mw"] - sites["existing_it_mw"] + 1e-6).all(), (
        "site above max"
    )
    assert (sites["built"] == (sites["new_it_mw"] > 1e-9)).all()
    assert not (sites["built"] & ~sites["eligible"]).any(), "excluded site built"
    assert summary["sites_built"] == int(sites["built"].sum())

    # clean capacity within potential
    assert (re["new_mw"] >= -1e-9).all()
    assert (
        re["new_mw"] <= re["potential_mw"] - re["existing_mw"].clip(upper=re["potential_mw"]) + 1e-6
    ).all(), "above potential"

    # flows within usable capacity
    cap = links.set_index("link_id")["usable_mw"]
    assert (flows["flow_mw"] >= -1e-9).all()
    assert (flows["flow_mw"] <= flows["link_id"].map(cap) * (1 + REL) + 1e-6).all(), (
        "flow above capacity"
    )

    # loads recomputed from sites and zones
    zi = zones.set_index("zone_id")
    scope_all = cfg["carbon"]["scope"] == "all"
    fixed = (
        (zi["baseline_pue"] * u * zi["baseline_it_mw"]) if scope_all else zi["baseline_it_mw"] * 0
    )
    new_load = (
        (sites["pue"] * u * sites["new_it_mw"])
        .groupby(sites["zone_id"])
        .sum()
        .reindex(zi.index, fill_value=0)
    )
    load = fixed + new_load
    d = disp.set_index(["zone_id", "slice"])
    assert np.allclose(
        d["load_mw"].to_numpy(), d.index.get_level_values(0).map(load).to_numpy(), rtol=REL
    )

    # imports and exports recomputed from flows
    delivered = flows.groupby(["to_zone", "slice"])["delivered_mw"].sum()
    sent = flows.groupby(["from_zone", "slice"])["flow_mw"].sum()
    imp = pd.Series([delivered.get(k, 0.0) for k in d.index], index=d.index)
    exp = pd.Series([sent.get(k, 0.0) for k in d.index], index=d.index)
    assert np.allclose(d["import_mw"], imp, rtol=REL, atol=1e-6)
    assert np.allclose(d["export_mw"], exp, rtol=REL, atol=1e-6)
    eff = flows["delivered_mw"] / flows["flow_mw"].where(flows["flow_mw"] > 0)
    assert (eff.dropna() <= 1 + 1e-9).all(), "a link delivers more than it carries"

    # clean supply per zone equals new capacity x mean CF in annual matching
    if cfg["carbon"]["matching"] == "annual":
        clean = (re["new_mw"] * re["cf"]).groupby(re["zone_id"]).sum()
        assert np.allclose(
            d["clean_mw"],
            d.index.get_level_values(0).map(lambda z: clean.get(z, 0.0)),
            rtol=REL,
            atol=1e-6,
        )

    # balance per zone and slice
    supply = d["clean_mw"] + d["import_mw"] - d["export_mw"] + d["storage_mw"] + d["grid_mw"]
    scale = np.maximum(d["load_mw"].abs(), 1.0)
    assert ((supply - d["load_mw"]) / scale >= -REL).all(), "a zone and slice does not balance"

    # residual grid within the CFE target, per zone
    w = d["weight_h"]
    grid_mwh = (d["grid_mw"] * w).groupby(level=0).sum()
    load_mwh = (d["load_mw"] * w).groupby(level=0).sum()
    assert (grid_mwh <= (1 - cfe) * load_mwh * (1 + REL) + 1e-3).all(), (
        "grid above the CFE allowance"
    )
    cfe_score = 1 - grid_mwh.sum() / load_mwh.sum()
    assert np.isclose(summary["cfe_score"], cfe_score, rtol=1e-9, atol=1e-9)
    assert cfe_score >= cfe - 1e-9

    # annual load and cost breakdown
    assert np.isclose(summary["annual_load_mwh"], load_mwh.sum(), rtol=REL)
    assert np.isclose(
        sum(summary["cost_breakdown_eur_per_yr"].values()),
        summary["objective_eur_per_yr"],
        rtol=1e-6,
    )
    _recheck_policy(run, cfg, summary, sites, zones)
    _recheck_latency(run, cfg, sites)
    return {
        "cfe_score": float(cfe_score),
        "new_it_mw": float(new),
        "baseline_it_mw": float(baseline),
    }


def _points(path: str) -> pd.DataFrame:
    """lon/lat of a point layer (CSV with lon/lat, or any GIS file)."""
    if path.endswith(".csv"):
        return pd.read_csv(path)
    import geopandas as gpd

    g = gpd.read_file(path).to_crs("EPSG:4326")
    df = pd.DataFrame(g.drop(columns="geometry"))
    df["lon"], df["lat"] = g.geometry.x, g.geometry.y
    return df


def _haversine_km(lon1, lat1, lon2, lat2):  # type: ignore[no-untyped-def]
    r = 6371.0088  # mean Earth radius [km]
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * np.arcsin(np.sqrt(a))


def _recheck_policy(
    run: Path, cfg: dict, summary: dict, sites: pd.DataFrame, zones: pd.DataFrame
) -> None:
    """Country cap, site counts, forced/forbidden sites, water, connection and moratoria."""
    pol = cfg.get("policy", {})
    built = sites["built"].astype(bool)
    new = sites["new_it_mw"]
    country = sites["zone_id"].map(
        pd.read_csv(run / "tables" / "zones.csv").set_index("zone_id")["country"]
    )
    total = new.sum()
    cap = pol.get("max_country_share")
    if cap is not None and total > 0:
        share = new.groupby(country).sum() / total
        assert (share <= cap + 1e-6).all(), f"country share above cap: {share.max():.3f} > {cap}"
    assert built.sum() >= pol.get("min_sites", 0)
    if pol.get("max_sites") is not None:
        assert built.sum() <= pol["max_sites"]
    for sid in pol.get("forced_sites", []):
        assert bool(built[sites["site_id"] == sid].iloc[0]), f"forced site {sid} not built"
    for sid in pol.get("forbidden_sites", []):
        assert not bool(built[sites["site_id"] == sid].iloc[0]), f"forbidden site {sid} built"
    for c, n in (pol.get("min_sites_per_country") or {}).items():
        assert int(built[country == c].sum()) >= n, f"country {c} below {n} sites"

    # inputs, read independently of the run's own tables
    layers = cfg["layers"]
    raw_sites = _points(layers["sites"]).set_index("site_id").reindex(sites["site_id"])
    import geopandas as gpd

    raw_zones = gpd.read_file(layers["zones"]).set_index("zone_id")
    zone_of = sites.set_index("site_id")["zone_id"]
    limit = pol.get("max_water_stress")
    if limit is not None:
        stress = raw_sites.get("water_stress", pd.Series(np.nan, index=raw_sites.index))
        zone_stress = zone_of.map(raw_zones.get("water_stress", pd.Series(dtype=float)))
        stress = stress.fillna(zone_stress)
        assert not (built.to_numpy() & (stress > limit).to_numpy()).any(), "water limit broken"
    gc = cfg.get("grid_connection") or {}
    deadline = cfg["target"]["deadline_year"]
    lead = raw_sites.get("grid_connection_years", pd.Series(np.nan, index=raw_sites.index))
    lead = lead.fillna(zone_of.map(raw_zones.get("grid_connection_years", pd.Series(dtype=float))))
    online = raw_sites.get("online_year", pd.Series(np.nan, index=raw_sites.index))
    if gc.get("request_year") is not None:
        online = online.fillna(gc["request_year"] + lead)
    late = (online - deadline).fillna(0.0).clip(lower=0.0)
    if gc.get("late_sites", "exclude") == "exclude":
        assert not (built.to_numpy() & (late > 0).to_numpy()).any(), "a late site is built"
    else:
        maxy = gc.get("max_acceleration_years")
        if maxy is not None:
            assert not (built.to_numpy() & (late > maxy + 1e-9).to_numpy()).any()
        expect = (new.to_numpy() * late.to_numpy() * gc["acceleration_eur_per_mw_yr"]).sum()
        got = summary["cost_breakdown_eur_per_yr"]["connection_acceleration"]
        assert np.isclose(got, expect, rtol=1e-6, atol=1.0), (got, expect)
    if layers.get("forbidden_areas") or layers.get("moratoria"):
        pts = gpd.GeoSeries(
            gpd.points_from_xy(raw_sites["lon"], raw_sites["lat"]), crs="EPSG:4326"
        ).to_crs("EPSG:3035")
        for key in ("forbidden_areas", "moratoria"):
            if not layers.get(key):
                continue
            for _, area in gpd.read_file(layers[key]).to_crs("EPSG:3035").iterrows():
                until = area.get("until_year")
                inside = pts.within(area.geometry).to_numpy()
                if key == "moratoria" and until is not None and pd.notna(until):
                    blocked = inside & ((until + lead.fillna(0.0)).to_numpy() > deadline)
                else:
                    blocked = inside
                assert not (built.to_numpy() & blocked).any(), (
                    f"built inside {key} {area.get('name')}"
                )
    if layers.get("forced_areas"):
        pts = gpd.GeoSeries(
            gpd.points_from_xy(raw_sites["lon"], raw_sites["lat"]), crs="EPSG:4326"
        ).to_crs("EPSG:3035")
        for _, area in gpd.read_file(layers["forced_areas"]).to_crs("EPSG:3035").iterrows():
            need = area.get("min_sites", 1)
            need = 1 if need is None or pd.isna(need) else int(need)
            inside = pts.within(area.geometry).to_numpy()
            assert int((built.to_numpy() & inside).sum()) >= need, f"forced area {area.get('name')}"


def _recheck_latency(run: Path, cfg: dict, sites: pd.DataFrame) -> None:
    """Every demand point fully served, only from sites within its RTT budget, within capacity."""
    layers = cfg["layers"]
    if not layers.get("demand"):
        assert not (run / "tables" / "service.csv").exists()
        return
    svc = pd.read_csv(run / "tables" / "service.csv")
    dem = pd.read_csv(run / "tables" / "demand.csv").set_index("demand_id")
    lat = cfg["latency"]
    raw = _points(layers["demand"]).set_index("demand_id")
    # the load each point must get, from the inputs
    if lat["allocation"] == "population":
        new_needed = (1 + cfg["target"]["increase_pct"] / 100 - 1) * pd.read_csv(
            run / "tables" / "zones.csv"
        )["baseline_it_mw"].sum()
        load = lat["inference_share"] * new_needed * raw["population"] / raw["population"].sum()
    else:
        load = raw["inference_it_mw"]
    assert np.allclose(dem["inference_it_mw"], load.reindex(dem.index), rtol=1e-7)
    served = svc.groupby("demand_id")["served_it_mw"].sum().reindex(dem.index, fill_value=0.0)
    assert (served >= load.reindex(dem.index) * (1 - 1e-6) - 1e-6).all(), "a demand point is short"
    # budgets and RTTs recomputed from coordinates (haversine; the run uses the ellipsoid)
    budget = raw.get("max_latency_ms", pd.Series(np.nan, index=raw.index)).fillna(
        lat["max_rtt_ms"] if lat["max_rtt_ms"] is not None else np.inf
    )
    raw_sites = _points(layers["sites"]).set_index("site_id")
    measured = {}
    if layers.get("rtt"):
        m = pd.read_csv(layers["rtt"])
        measured = {
            (d, s): r for d, s, r in zip(m["demand_id"], m["site_id"], m["rtt_ms"], strict=True)
        }
    for d, s, mw, rtt in zip(
        svc["demand_id"], svc["site_id"], svc["served_it_mw"], svc["rtt_ms"], strict=True
    ):
        if (d, s) in measured:
            expect = measured[d, s]
        else:
            km = _haversine_km(
                raw.at[d, "lon"], raw.at[d, "lat"], raw_sites.at[s, "lon"], raw_sites.at[s, "lat"]
            )
            expect = 2 * km * lat["route_factor"] / lat["fibre_km_per_ms"]
        assert np.isclose(rtt, expect, rtol=6e-3, atol=1e-6), (d, s, rtt, expect)
        assert rtt <= budget[d] * (1 + 1e-9) + 1e-9, f"{d} served from {s} at {rtt:.2f} ms"
        assert mw >= 0
    per_site = svc.groupby("site_id")["served_it_mw"].sum()
    new = sites.set_index("site_id")["new_it_mw"]
    assert (per_site <= new.reindex(per_site.index) * (1 + 1e-6) + 1e-6).all(), "site over-serves"
