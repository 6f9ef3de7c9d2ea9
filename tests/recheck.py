"""Re-check a run from its input layers and its decisions alone, without the model.

Deliberately independent of ``siting``: reads the run's config, its input files and its
tables with pandas and recomputes every balance, bound, state of charge and cost from first
principles (``docs/model.md``), trusting none of the columns the model derived.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

REL = 1e-6
DISCOUNT_RATE = 0.07  # PYPSA_EUR_CFG, as the technology table states
TABLE = Path(__file__).resolve().parents[1] / "siting" / "data" / "technologies.csv"


def recheck_run(run: Path) -> dict[str, float]:
    """Assert that a solved run's decisions are feasible and its reported numbers true.

    Trusted from the run: only its decisions (``sites.new_it_mw``, ``renewables.new_mw``,
    ``flows.flow_mw``, dispatch ``grid_mw`` and per-store charge and discharge, store sizes
    in ``zones.csv``). Everything else (loads, PUEs, eligibility, clean supply per slice,
    link deliveries, states of charge, every cost term) is recomputed from the input layers
    and the config, and the model-written columns are compared with the recomputation.

    Returns a few recomputed numbers for further assertions.
    """
    summary = json.loads((run / "summary.json").read_text())
    cfg = __import__("yaml").safe_load((run / "config.yaml").read_text())
    t = {
        n: pd.read_csv(run / "tables" / f"{n}.csv")
        for n in ("sites", "renewables", "flows", "dispatch", "zones", "links")
    }
    calendar = run / "tables" / "calendar.csv"
    t["calendar"] = pd.read_csv(calendar) if calendar.is_file() else None
    inp = _inputs(cfg)
    if t["calendar"] is not None and cfg["layers"].get("weather"):
        inp["profiles"] = _days_from_weather(cfg, inp, t["calendar"], t["dispatch"])
    sites, disp = t["sites"], t["dispatch"]
    u = cfg["economics"]["utilisation"]
    mult = 1 + cfg["target"]["increase_pct"] / 100
    cfe = cfg["carbon"]["cfe_target"]

    # target, from the zones layer's baseline: the added compute over the compute a MW of
    # new IT carries, (1 + gain)^(hardware year - baseline year)
    tg = cfg["target"]
    year = tg.get("hardware_year") or tg["deadline_year"]
    per_mw = (1 + (tg.get("efficiency_gain_pct_per_yr") or 0.0) / 100) ** (
        year - tg["baseline_year"]
    )
    baseline = float(inp["zones"]["baseline_it_mw"].sum())
    target = baseline + (mult - 1) * baseline / per_mw
    new = sites["new_it_mw"].sum()
    assert np.isclose(summary["baseline_it_mw"], baseline, rtol=REL)
    assert np.isclose(summary["target_it_mw"], target, rtol=REL)
    assert np.isclose(summary["total_it_mw"], baseline + new, rtol=REL)
    assert baseline + new >= target * (1 - REL), "target missed"
    _recheck_sites(sites, inp, summary)

    d = disp.set_index(["zone_id", "slice"])
    if t["calendar"] is not None:  # each period weighs the calendar days standing for it
        counts = t["calendar"]["period"].value_counts()
        assert len(t["calendar"]) == 365 and counts.sum() == 365
        hours = _segment_hours(d)
        assert np.allclose(d["weight_h"], d["period"].map(counts).to_numpy() * hours), "weight_h"
    netted = summary.get("grid_exchange", "netted") == "netted"
    clean = _clean_supply(cfg, inp, t["renewables"], d, netted)
    assert np.allclose(d["clean_mw"], clean, rtol=REL, atol=1e-6), "clean_mw is not capacity x cf"
    imp, exp = _link_flows(inp, t["flows"], d)
    assert np.allclose(d["import_mw"], imp, rtol=REL, atol=1e-6), (
        "import_mw is not flow x (1 - loss)"
    )
    assert np.allclose(d["export_mw"], exp, rtol=REL, atol=1e-6)
    net_storage = _recheck_storage(cfg, inp, d, t["zones"], t["calendar"])

    # loads from the inputs: existing capacity at the zone's PUE, new at the site's
    zl = inp["zones"]
    fixed = zl["baseline_pue"] * u * zl["baseline_it_mw"]
    if cfg["carbon"]["scope"] != "all":
        fixed = fixed * 0.0
    pue = _site_pue(sites, inp)
    new_load = (
        (pue * u * sites.set_index("site_id")["new_it_mw"])
        .groupby(sites.set_index("site_id")["zone_id"])
        .sum()
    )
    load = fixed.add(new_load, fill_value=0.0)
    zone_of_row = d.index.get_level_values(0)
    expected_load = zone_of_row.map(load).to_numpy()
    assert np.allclose(d["load_mw"].to_numpy(), expected_load, rtol=REL), "load_mw is wrong"

    # balance per zone and slice, from recomputed supply
    sale = d["sale_mw"] if "sale_mw" in d.columns else 0.0 * d["grid_mw"]
    assert (sale >= -1e-9).all() and (d["grid_mw"] >= -1e-9).all()
    supply = clean + imp - exp + net_storage + d["grid_mw"] - sale
    _recheck_interrupted(run, cfg, inp, t["zones"])
    served = expected_load + _recheck_shift(cfg, d, expected_load)
    served = served + _recheck_moves(cfg, d, expected_load, _inference_load(sites, inp, u))
    if "served_load_mw" in d.columns:
        assert np.allclose(d["served_load_mw"], served, rtol=REL, atol=1e-6), "served_load_mw"
    if "shift_mw" in d.columns and "moved_mw" in d.columns:  # together within the headroom
        head = (1.0 / u - 1.0) * expected_load + 1e-6 * np.maximum(expected_load, 1.0)
        assert (d["shift_mw"].clip(lower=0) + d["moved_mw"].clip(lower=0) <= head).all()
    # the tables' 9 significant digits: a zone with no load of its own (a trading partner)
    # may still pass large flows, whose rounding sets the tolerance
    scale = np.maximum.reduce([np.abs(expected_load), np.abs(clean), np.abs(imp), np.abs(exp),
                               np.ones(len(expected_load))])  # fmt: skip
    assert ((supply - served) / scale >= -REL).all(), "a zone and slice does not balance"
    if "curtailment_mw" in d.columns:  # the balance's slack, recomputed
        surplus = np.clip(supply - served, 0.0, None)
        assert np.allclose(d["curtailment_mw"], surplus, rtol=1e-6, atol=1e-3), "curtailment"

    # grid purchases within the CFE target, per zone: annual matching nets the sales
    w = d["weight_h"]
    grid_mwh = (d["grid_mw"] * w).groupby(level=0).sum()
    sale_mwh = (sale * w).groupby(level=0).sum()
    load_mwh = pd.Series(expected_load * w.to_numpy(), index=d.index).groupby(level=0).sum()
    annual = cfg["carbon"]["matching"] == "annual"
    # supply not counted as carbon-free counts as purchases do, from its dispatched output
    fossil = [f"clean_{t}_mw" for t in cfg["carbon"].get("not_carbon_free") or []]
    fossil_mwh = sum(((d[c] * w).groupby(level=0).sum() for c in fossil if c in d.columns),
                     0.0 * grid_mwh)  # fmt: skip
    residual_mwh = grid_mwh + fossil_mwh
    counted = residual_mwh - sale_mwh if annual else residual_mwh
    slack = REL * (residual_mwh + sale_mwh) + 1e-3  # the tables' rounding of large energies
    assert (counted <= (1 - cfe + REL) * load_mwh + slack).all(), "grid above the CFE allowance"
    share = cfg["economics"].get("max_surplus_share", 0.2)
    assert (sale_mwh - grid_mwh <= (share + REL) * load_mwh + 1e-3).all(), "sold too much"
    unmatched = max(residual_mwh.sum() - sale_mwh.sum(), 0.0) if annual else residual_mwh.sum()
    cfe_score = 1 - unmatched / load_mwh.sum()
    assert np.isclose(summary["cfe_score"], cfe_score, rtol=1e-9, atol=1e-9)
    if summary.get("hourly_cfe_score") is not None:
        hourly = 1 - residual_mwh.sum() / load_mwh.sum()
        assert np.isclose(summary["hourly_cfe_score"], hourly, rtol=1e-9, atol=1e-9)
    assert np.isclose(summary.get("grid_sale_mwh", 0.0), sale_mwh.sum(), rtol=1e-6, atol=1e-3)
    assert cfe_score >= cfe - 1e-9
    assert np.isclose(summary["annual_load_mwh"], load_mwh.sum(), rtol=REL)
    _recheck_costs(cfg, inp, t, summary)
    _recheck_policy(run, cfg, summary, sites, t["zones"])
    _recheck_hosting(cfg, inp, sites, t["zones"])
    _recheck_latency(run, cfg, sites)
    return {
        "cfe_score": float(cfe_score),
        "new_it_mw": float(new),
        "baseline_it_mw": float(baseline),
    }


def _recheck_shift(cfg: dict, d: pd.DataFrame, load: np.ndarray) -> np.ndarray:
    """Flexible load moved per zone and slice [MW] (a decision), within its ranges and
    balanced over every day: each zone's energy per period equals the nominal load's."""
    share = (cfg.get("flexibility") or {}).get("temporal_share", 0.0)
    if "shift_mw" not in d.columns:
        assert share == 0.0, "flexible load configured, but the dispatch has no shift_mw"
        return np.zeros(len(d))
    shift = d["shift_mw"].to_numpy(float)
    up = min(share, 1.0 / cfg["economics"]["utilisation"] - 1.0)
    tol = 1e-6 * np.maximum(load, 1.0)
    assert (shift <= up * load + tol).all(), "load brought in above its range"
    assert (shift >= -share * load - tol).all(), "load put off beyond its range"
    hours = d["duration_h"].to_numpy(float) if "duration_h" in d.columns else np.ones(len(d))
    per_day = (
        pd.Series(shift * hours, index=d.index)
        .groupby([d.index.get_level_values(0), d["period"].to_numpy()])
        .sum()
    )
    assert np.allclose(per_day, 0.0, atol=1e-5 * max(float(load.max()), 1.0)), (
        "flexible load does not balance over a day"
    )
    return shift


def _recheck_moves(cfg: dict, d: pd.DataFrame, load: np.ndarray,
                   inference: pd.Series | None) -> np.ndarray:  # fmt: skip
    """Load moved between zones per zone and slice [MW] (a decision), within each zone's
    range of movable load (its load less the inference it serves within a latency budget),
    and moved in = moved out over the fleet in every slice."""
    share = (cfg.get("flexibility") or {}).get("spatial_share", 0.0)
    if "moved_mw" not in d.columns:
        assert share == 0.0, "load moving between zones configured, but no moved_mw"
        return np.zeros(len(d))
    moved = d["moved_mw"].to_numpy(float)
    zone = d.index.get_level_values(0)
    movable = load - (0.0 if inference is None else zone.map(inference).fillna(0.0).to_numpy())
    up = min(share, 1.0 / cfg["economics"]["utilisation"] - 1.0)
    tol = 1e-6 * np.maximum(load, 1.0)
    assert (moved <= up * movable + tol).all(), "load moved in above its range"
    assert (moved >= -share * movable - tol).all(), "load moved out beyond its range"
    per_slice = pd.Series(moved, index=d.index).groupby(level=1).sum()
    assert np.allclose(per_slice, 0.0, atol=1e-5 * max(float(load.max()), 1.0)), (
        "load moved between zones is not conserved in a slice"
    )
    return moved


def _grid_headroom(cfg: dict, inp: dict) -> pd.DataFrame:
    """Per zone (columns), the grid's headroom below its annual peak in each hour of the
    grid-load layer's first year, leap day dropped [MW], read from the file by hand: the
    zone's column, else its country's, scaled to the zone's national_load_mw."""
    raw = pd.read_csv(cfg["layers"]["grid_load"], index_col=0, parse_dates=True)
    raw = raw[~((raw.index.month == 2) & (raw.index.day == 29))]
    raw = raw[raw.index.year == raw.index.year.min()]
    assert len(raw) == 8760
    out = {}
    for z, row in inp["zones"].iterrows():
        col = next((f"{k}_load_mw" for k in (z, row.get("country")) if f"{k}_load_mw" in raw), None)
        if col is None:
            continue
        load = raw[col].to_numpy(float)
        mean = row.get("national_load_mw", np.nan)
        if np.isfinite(mean) and mean > 0:
            load = load * mean / load.mean()
        out[z] = load.max() - load
    return pd.DataFrame(out)


def _recheck_interrupted(run: Path, cfg: dict, inp: dict, zones_out: pd.DataFrame) -> None:
    """Each zone's interruptible load (``zones.csv``, a decision) within what its grid takes
    at the configured share over the real year (recomputed by bisection on the hours of the
    grid-load layer), its curtailed energy over the year that load's hours above the
    headroom, in the plan and in the full-year check (``full_year.csv``)."""
    share = (cfg.get("flexibility") or {}).get("interruptible_share", 0.0)
    if "interruptible_mw" not in zones_out.columns:
        assert share == 0.0 or not cfg["layers"].get("grid_load"), "no interruptible_mw"
        return
    z = zones_out.set_index("zone_id")
    size, energy = z["interruptible_mw"].fillna(0.0), z["interrupted_mwh"].fillna(0.0)
    head = _grid_headroom(cfg, inp)
    fy = run / "tables" / "full_year.csv"
    checked = pd.read_csv(fy) if fy.is_file() else None
    for zone, x in size.items():
        if x <= 1e-9:
            assert energy[zone] <= 1e-6, f"zone {zone}: curtailed without interruptible load"
            continue
        h = head[zone].to_numpy()
        year = float(np.maximum(x - h, 0.0).sum())
        assert year <= (share + 1e-9) * x * 8760 + 1e-6, f"zone {zone}: above its share"
        lo, hi = x, 10 * x + 1.0  # the largest load within the share: x may not exceed it
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if np.maximum(mid - h, 0).sum() <= share * mid * 8760 else (lo, mid)
        assert x <= lo * (1 + 1e-6), f"zone {zone}: interruptible load above the grid's cap"
        assert np.isclose(energy[zone], year, rtol=1e-6, atol=1e-3), (zone, energy[zone], year)
        if checked is not None and "interrupted_mwh" in checked.columns:
            got = checked.loc[checked["zone_id"] == zone, "interrupted_mwh"]
            assert np.allclose(got, year, rtol=1e-6, atol=1e-3), (zone, "full year", year)


def _inference_load(sites: pd.DataFrame, inp: dict, u: float) -> pd.Series | None:
    """Electrical load of the inference each zone's sites serve [MW], from sites.csv."""
    if "inference_it_mw" not in sites.columns or sites["inference_it_mw"].fillna(0).sum() == 0:
        return None
    s = sites.set_index("site_id")
    return (
        (_site_pue(sites, inp) * u * s["inference_it_mw"].fillna(0.0)).groupby(s["zone_id"]).sum()
    )


def _inputs(cfg: dict) -> dict[str, pd.DataFrame]:
    """The input layers the run read, straight from its files (paths in its config.yaml)."""
    import geopandas as gpd

    layers = cfg["layers"]
    zones = gpd.read_file(layers["zones"])
    zones = pd.DataFrame(zones.drop(columns="geometry")).set_index("zone_id")
    zones["baseline_it_mw"] = zones.get("baseline_it_mw", pd.Series(0.0, index=zones.index)).fillna(
        0.0
    )
    zones["baseline_pue"] = zones.get("baseline_pue", pd.Series(np.nan, index=zones.index)).fillna(
        1.36
    )
    scope = cfg.get("scope") or {}
    if scope.get("countries") or scope.get("zones"):  # a country's plan: the others' data
        inside = zones["country"].isin(scope.get("countries") or []) | zones.index.isin(
            scope.get("zones") or []
        )  # centres are neither its baseline nor its load
        zones.loc[~inside, "baseline_it_mw"] = 0.0
        zones["in_scope"] = inside
    out = {"zones": zones, "sites": _points(layers["sites"]).set_index("site_id")}
    out["renewables"] = pd.read_csv(layers["renewables"])
    out["profiles"] = pd.read_csv(layers["profiles"]) if layers.get("profiles") else None
    if layers.get("links"):
        g = gpd.read_file(layers["links"])
        links = pd.DataFrame(g.drop(columns="geometry"))
        if "length_km" not in links.columns:  # the line's length in the metric CRS
            links["length_km"] = g.to_crs("EPSG:3035").length.to_numpy() / 1000.0
        if "link_id" not in links.columns:
            links["link_id"] = links["from_zone"] + "->" + links["to_zone"]
        out["links"] = links.set_index("link_id")
    else:
        out["links"] = pd.DataFrame(columns=["from_zone", "to_zone", "capacity_mw"])
    out["table"] = pd.read_csv(layers.get("technologies") or TABLE).set_index("tech")
    return out


def _site_pue(sites: pd.DataFrame, inp: dict) -> pd.Series:
    """PUE of each site's new capacity: its own, else its zone's baseline PUE."""
    raw = inp["sites"].reindex(sites["site_id"])
    zone = sites.set_index("site_id")["zone_id"]
    own = raw.get("pue", pd.Series(np.nan, index=raw.index))
    return own.fillna(zone.map(inp["zones"]["baseline_pue"]))


def _recheck_sites(sites: pd.DataFrame, inp: dict, summary: dict) -> None:
    """Bounds and modules from the sites layer; the table's PUE against the inputs."""
    raw = inp["sites"].reindex(sites["site_id"])
    existing = raw.get("existing_it_mw", pd.Series(0.0, index=raw.index)).fillna(0.0)
    head = (raw["max_it_mw"] - existing).clip(lower=0.0).to_numpy()
    new = sites["new_it_mw"].to_numpy()
    assert (new >= -1e-9).all()
    assert (new <= head + 1e-6).all(), "site above max"
    module = raw.get("module_it_mw", pd.Series(np.nan, index=raw.index)).to_numpy(float)
    modular = ~np.isnan(module) & (module > 0)
    units = new[modular] / module[modular]
    assert np.allclose(units, np.round(units), atol=1e-6), "new capacity is not whole modules"
    assert (sites["built"] == (sites["new_it_mw"] > 1e-9)).all()
    assert summary["sites_built"] == int(sites["built"].sum())
    assert np.allclose(sites["pue"], _site_pue(sites, inp).to_numpy(), rtol=1e-12), "pue column"
    assert np.allclose(sites["existing_it_mw"], existing.to_numpy(), rtol=1e-12)
    if "in_scope" in inp["zones"].columns:  # no site outside the plan's scope gets capacity
        outside = ~sites["zone_id"].map(inp["zones"]["in_scope"]).astype(bool)
        assert (sites.loc[outside, "new_it_mw"] <= 1e-9).all(), "a site outside the scope built"


def _options(inp: dict) -> pd.DataFrame:
    """Supply options per (zone, tech): potential, existing, cost and cf, merged by potential."""
    re = inp["renewables"].copy()
    for col, default in (("existing_mw", 0.0), ("cf", np.nan), ("capex_eur_per_mw_yr", np.nan)):
        re[col] = re.get(col, pd.Series(default, index=re.index))
    re["existing_mw"] = re["existing_mw"].fillna(0.0)
    table = inp["table"]
    for i in re.index[re["capex_eur_per_mw_yr"].isna()]:
        row = table.loc[re.at[i, "tech"]]
        vom = (
            float(np.nan_to_num(row.get("vom_eur_per_mwh", 0.0)))
            * np.nan_to_num(re.at[i, "cf"])
            * 8760
        )
        re.at[i, "capex_eur_per_mw_yr"] = _annualised(row, "") + vom
    w = re["potential_mw"].where(re["potential_mw"] > 0, 1e-9)
    g = re.assign(_w=w, _wc=w * re["capex_eur_per_mw_yr"], _wf=w * re["cf"]).groupby(
        ["zone_id", "tech"]
    )
    out = g[["potential_mw", "existing_mw", "_w", "_wc", "_wf"]].sum(min_count=1)
    out["capex_eur_per_mw_yr"] = out["_wc"] / out["_w"]
    out["cf"] = out["_wf"] / out["_w"]
    return out


def _annualised(row: pd.Series, side: str) -> float:
    """Annuity plus fixed O&M of a technology-table row [EUR/MW/yr]; side '', 'energy_' or
    'charge_' (0 when the row has no such side)."""
    col = "energy_investment_eur_per_kwh" if side == "energy_" else f"{side}investment_eur_per_kw"
    if col not in row.index or pd.isna(row[col]) or str(row[col]).strip() == "":
        return 0.0
    inv = float(row[col]) * 1e3
    life = float(row[f"{side}lifetime_y"])
    fom = float(np.nan_to_num(float(row.get(f"{side}fom_pct_per_yr", 0.0) or 0.0)))
    r = DISCOUNT_RATE
    return inv * (r / (1 - (1 + r) ** -life) + fom / 100)


def _scaled(series: np.ndarray, mean: float) -> np.ndarray:
    """A year's hours times one factor k, clipped to [0, 1], with the given annual mean."""
    x = np.clip(series, 0.0, 1.0)
    if np.isnan(mean) or x.mean() <= 0:
        return x
    lo, hi = 0.0, 1.0
    while np.clip(x * hi, 0, 1).mean() < mean and hi < 1e9:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.clip(x * mid, 0, 1).mean() < mean else (lo, mid)
    return np.clip(x * hi, 0, 1)


def _segment_hours(d: pd.DataFrame) -> np.ndarray:
    """Hours of its day each slice covers, checked to tile every representative day: a
    slice ``dPPhSS`` starts at hour SS, the next starts where it ends, the last ends at 24."""
    if "duration_h" not in d.columns:
        return np.ones(len(d))
    hours = d["duration_h"].to_numpy(float)
    if (hours == 1.0).all():
        return hours
    first = d.reset_index().drop_duplicates("slice")
    for _, g in first.groupby("period"):
        start = g["slice"].astype(str).str.rsplit("h", n=1).str[1].astype(int).to_numpy()
        end = start + g["duration_h"].to_numpy()
        assert start[0] == 0 and end[-1] == 24 and (start[1:] == end[:-1]).all(), "segments"
    return hours


def _days_from_weather(
    cfg: dict, inp: dict, calendar: pd.DataFrame, disp: pd.DataFrame
) -> pd.DataFrame:
    """The representative days' capacity factors, cut from the weather file by hand.

    Each option's year is scaled once to its layer cf; period ``p`` is the hours of the one
    calendar day marked as its own; its weight is the number of days standing for it. A
    segment ``dPPhSS`` of ``n`` hours (``duration_h``) stands at the mean of hours SS..SS+n-1.
    """
    files = cfg["layers"]["weather"]
    year = int(calendar["date"].iloc[0][:4])
    w = pd.concat(
        pd.read_csv(f, index_col=0, parse_dates=True)
        for f in ([files] if isinstance(files, str) else files)
    )
    w = w[~((w.index.month == 2) & (w.index.day == 29)) & (w.index.year == year)]
    assert len(w) == 8760 and len(calendar) == 365
    own = calendar[calendar["own_day"]].set_index("period")["day"]
    segments: dict[int, list[tuple[int, int]]] = {}
    if "duration_h" in disp.columns:
        one = disp.drop_duplicates("slice")
        for sl, p, n in zip(
            one["slice"].astype(str), one["period"], one["duration_h"], strict=True
        ):
            segments.setdefault(int(p), []).append((int(sl.rsplit("h", 1)[1]), int(n)))
    counts = calendar["period"].value_counts()
    opts = _options(inp)
    rows = []
    for (z, k), cf in opts["cf"].items():
        if f"{z}_{k}" not in w.columns:
            continue
        by_day = _scaled(w[f"{z}_{k}"].to_numpy(float), cf).reshape(365, 24)
        for p, day in own.items():
            for h, n in segments.get(p, [(h, 1) for h in range(24)]):
                rows.append((z, k, f"d{p:02d}h{h:02d}", float(counts[p] * n),
                             by_day[day - 1, h : h + n].mean()))  # fmt: skip
    return pd.DataFrame(rows, columns=["zone_id", "tech", "slice", "weight_h", "cf"])


def _clean_supply(
    cfg: dict, inp: dict, re: pd.DataFrame, d: pd.DataFrame, netted: bool
) -> np.ndarray:
    """Clean supply per (zone, slice) [MW]: new capacity x capacity factor from the inputs
    (``netted``: one annual slice at the annual capacity factor)."""
    opts = _options(inp)
    new = re.set_index(["zone_id", "tech"])["new_mw"]
    head = (opts["potential_mw"] - opts["existing_mw"]).clip(lower=0.0)
    assert (new >= -1e-9).all()
    assert (new <= head.reindex(new.index) + 1e-6).all(), "above potential"
    prof = inp["profiles"]
    out = np.zeros(len(d))
    zones = d.index.get_level_values(0).to_numpy()
    slices = d.index.get_level_values(1).astype(str).to_numpy()
    kind = inp["table"]["kind"]
    for (z, k), mw in new.items():
        if mw <= 0:
            continue
        rows = zones == z
        if kind.get(k) == "dispatchable":
            out[rows] += _reservoir_output(d, rows, k, mw, opts.at[(z, k), "cf"])
            continue
        series = None
        if prof is not None:
            p = prof[(prof["zone_id"] == z) & (prof["tech"] == k)]
            if len(p):
                series = p.set_index(p["slice"].astype(str))
        if netted:
            cf = opts.at[(z, k), "cf"]
            if np.isnan(cf):
                assert series is not None, f"{z}/{k}: no cf and no profile"
                cf = np.average(series["cf"], weights=series["weight_h"])
            out[rows] += mw * cf
        elif series is not None:
            out[rows] += mw * series["cf"].reindex(slices[rows]).to_numpy()
        else:  # firm supply without a profile: flat at its availability
            out[rows] += mw * opts.at[(z, k), "cf"]
    return out


def _reservoir_output(
    d: pd.DataFrame, rows: np.ndarray, tech: str, mw: float, cf: float
) -> np.ndarray:
    """A reservoir's dispatched output [MW], checked within its capacity and annual energy."""
    output = d[f"clean_{tech}_mw"].to_numpy()[rows]
    w = d["weight_h"].to_numpy()[rows]
    assert (output >= -1e-9).all() and (output <= mw * (1 + REL) + 1e-6).all(), "above capacity"
    assert output @ w <= cf * w.sum() * mw * (1 + REL) + 1e-6, "more energy than the inflow"
    return output


def _link_flows(inp: dict, flows: pd.DataFrame, d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Imports (delivered after losses) and exports per (zone, slice) [MW], from the links layer."""
    links = inp["links"]
    if not len(flows):
        return np.zeros(len(d)), np.zeros(len(d))
    raw = links.reindex(flows["link_id"])
    assert (flows["from_zone"].to_numpy() == raw["from_zone"].to_numpy()).all()
    assert (flows["to_zone"].to_numpy() == raw["to_zone"].to_numpy()).all()
    usable = raw["capacity_mw"] * raw.get("dc_share", pd.Series(1.0, index=raw.index)).fillna(1.0)
    loss = raw.get("loss_per_1000km", pd.Series(0.0, index=raw.index)).fillna(0.0)
    eff = 1.0 - loss * raw["length_km"].fillna(0.0) / 1000.0
    f = flows["flow_mw"].to_numpy()
    assert (f >= -1e-9).all()
    assert (f <= usable.to_numpy() * (1 + REL) + 1e-6).all(), "flow above usable capacity"
    delivered = f * eff.to_numpy()
    assert np.allclose(flows["delivered_mw"], delivered, rtol=REL, atol=1e-6), "delivered_mw"
    keys = list(d.index)
    got = pd.Series(delivered).groupby([flows["to_zone"], flows["slice"].astype(str)]).sum()
    sent = pd.Series(f).groupby([flows["from_zone"], flows["slice"].astype(str)]).sum()
    imp = np.array([got.get((z, str(s)), 0.0) for z, s in keys])
    exp = np.array([sent.get((z, str(s)), 0.0) for z, s in keys])
    return imp, exp


def _stores(cfg: dict, inp: dict, d: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Efficiencies, duration and costs of every store that has dispatch columns in the run.

    ``eta_in``: stored per MWh drawn (the table's charge_efficiency, else the round trip's
    square root); ``eta_out``: delivered per MWh taken (round trip / eta_in).
    """
    out = {}
    st = cfg.get("storage", {})
    for col in d.columns:
        if col.startswith("charge_") and col.endswith("_mw"):
            tech = col[len("charge_") : -len("_mw")]
            if not tech:  # charge_mw: the sum over stores
                continue
            row = inp["table"].loc[tech]
            rt = float(row["roundtrip_efficiency"])
            eta_in = float(row.get("charge_efficiency", np.nan))
            out[tech] = {"rt": rt, "eta_in": np.sqrt(rt) if np.isnan(eta_in) else eta_in,
                         "energy": _annualised(row, "energy_"), "power": _annualised(row, ""),
                         "charge": _annualised(row, "charge_"),
                         "duration": float(row.get("duration_h", np.nan))}  # fmt: skip
            # the config's storage section overrides one store: storage.technology, else the
            # table's first storage row (docs/config.md)
            stores = inp["table"].index[inp["table"]["kind"] == "storage"]
            if tech == (st.get("technology") or stores[0]):
                for key, name in (("roundtrip_efficiency", "rt"), ("energy_eur_per_mwh_yr", "energy"),
                                  ("power_eur_per_mw_yr", "power")):  # fmt: skip
                    if st.get(key) is not None:
                        out[tech][name] = float(st[key])
                if st.get("roundtrip_efficiency") is not None:
                    out[tech]["eta_in"] = np.sqrt(out[tech]["rt"])
    return out


def _charge_sizes(zones: pd.DataFrame, tech: str) -> pd.Series | None:
    col = f"{tech}_charge_mw"
    return zones.set_index("zone_id")[col] if col in zones.columns else None


def _store_sizes(zones: pd.DataFrame, tech: str) -> tuple[pd.Series, pd.Series]:
    z = zones.set_index("zone_id")
    return z[f"{tech}_mwh"], z[f"{tech}_mw"]


def _store_totals(zones: pd.DataFrame, stores: dict) -> None:
    """``storage_mwh`` and ``storage_mw`` are the sums of every store's own columns."""
    for unit in ("mwh", "mw"):
        own = sum((zones[f"{k}_{unit}"] for k in stores), pd.Series(0.0, index=zones.index))
        assert np.allclose(zones[f"storage_{unit}"], own, rtol=1e-7, atol=1e-6), unit  # 9 digits


def _recheck_storage(
    cfg: dict, inp: dict, d: pd.DataFrame, zones: pd.DataFrame, calendar: pd.DataFrame | None
) -> np.ndarray:
    """Every store's state of charge, rebuilt hour by hour from charge and discharge.

    Per zone and representative period: ``eta_in`` kept per MWh charged, ``1 / eta_out``
    taken per MWh discharged, both within their power capacity. Per-period storage: the state
    back at its start at the end of each period, its swing within the energy capacity. Linked
    storage (a calendar in the run): the year walked day by day through the calendar's
    periods, back at its start after 365 days, and the lowest start that keeps every hour at
    or above zero keeps every hour within the energy capacity. Returns net discharge [MW].
    """
    net = np.zeros(len(d))
    stores = _stores(cfg, inp, d)
    if not stores:
        assert (d.get("charge_mw", pd.Series(0.0)).abs() < 1e-6).all()
        return net
    total_c = sum(d[f"charge_{k}_mw"] for k in stores)
    total_d = sum(d[f"discharge_{k}_mw"] for k in stores)
    assert np.allclose(d["charge_mw"], total_c, atol=1e-6)
    assert np.allclose(d["discharge_mw"], total_d, atol=1e-6)
    assert np.allclose(d["storage_mw"], total_d - total_c, atol=1e-6)
    _store_totals(zones, stores)
    linked = (
        calendar is not None
        and cfg.get("storage", {}).get("linking", "chronological") == "chronological"
    )
    for tech, s in stores.items():
        eta_in, eta_out = s["eta_in"], s["rt"] / s["eta_in"]
        energy, power = _store_sizes(zones, tech)
        charge_cap = _charge_sizes(zones, tech)
        charge_cap = power if charge_cap is None else charge_cap
        if not np.isnan(s["duration"]):
            assert np.allclose(energy, s["duration"] * power, rtol=REL, atol=1e-3), (
                f"{tech} duration"
            )
        ch, dis = d[f"charge_{tech}_mw"], d[f"discharge_{tech}_mw"]
        assert (ch >= -1e-9).all() and (dis >= -1e-9).all()
        both = np.minimum(ch, dis)
        assert (both <= 1e-3).all(), (  # 1 kW
            f"{tech} charges and discharges at once in {int((both > 1e-3).sum())} zone-slices"
        )
        zone_of = d.index.get_level_values(0)
        cap = zone_of.map(power).to_numpy()
        assert (ch <= zone_of.map(charge_cap).to_numpy() * (1 + REL) + 1e-6).all(), (
            f"{tech} charges above its power"
        )
        assert (dis <= cap * (1 + REL) + 1e-6).all(), f"{tech} discharges above its power"
        hours = _segment_hours(d)  # a segment's flows last its hours
        flow = pd.DataFrame({"e": (eta_in * ch - dis / eta_out) * hours, "period": d["period"]})
        for zone, g in flow.groupby(flow.index.get_level_values(0)):
            paths = {p: gp["e"].cumsum().to_numpy() for p, gp in g.groupby("period")}
            tol = 1e-6 * max(float(energy[zone]), float(np.abs(g["e"]).sum()), 1.0) + 1e-5
            if linked:
                _walk_year(
                    tech, zone, paths, calendar["period"].to_numpy(), float(energy[zone]), tol
                )
                continue
            for path in paths.values():
                assert abs(path[-1]) <= tol, (
                    f"{tech} in {zone}: state of charge not cyclic ({path[-1]:g} MWh)"
                )
                swing = max(path.max(), 0.0) - min(path.min(), 0.0)
                assert swing <= energy[zone] + tol, (
                    f"{tech} in {zone}: swing {swing:g} MWh above energy"
                )
        net += (dis - ch).to_numpy()
    return net


def _walk_year(
    tech: str,
    zone: str,
    paths: dict[int, np.ndarray],
    sequence: np.ndarray,
    energy: float,
    tol: float,
) -> None:
    """Linked storage: the calendar year walked day by day from the lowest feasible start."""
    level, lowest, highest = 0.0, 0.0, 0.0
    for p in sequence:
        path = paths[int(p)]
        lowest = min(lowest, level + min(path.min(), 0.0))
        highest = max(highest, level + max(path.max(), 0.0))
        level += path[-1]
    day_tol = tol * len(sequence) ** 0.5
    assert abs(level) <= day_tol, (
        f"{tech} in {zone}: the year does not return to its start ({level:g} MWh)"
    )
    assert highest - lowest <= energy + day_tol, (
        f"{tech} in {zone}: the year's swing {highest - lowest:g} MWh is above energy {energy:g}"
    )


def _recheck_costs(cfg: dict, inp: dict, t: dict[str, pd.DataFrame], summary: dict) -> None:
    """Every cost term recomputed from input prices; together they are the objective."""
    sites, d = t["sites"], t["dispatch"]
    raw = inp["sites"].reindex(sites["site_id"])
    u = cfg["economics"]["utilisation"]
    water = cfg.get("water", {})
    stress = raw.get("water_stress", pd.Series(np.nan, index=raw.index)).fillna(
        sites.set_index("site_id")["zone_id"].map(
            inp["zones"].get("water_stress", pd.Series(dtype=float))
        )
    )
    per_mw_water = (u * 8760 * water.get("wue_l_per_kwh", 1.8) * water.get("price_eur_per_m3", 0.0)
                    * (1 + water.get("stress_weight", 1.0) * np.nan_to_num(stress.to_numpy())))  # fmt: skip
    new = sites["new_it_mw"].to_numpy()
    capex = raw.get("capex_eur_per_mw_yr", pd.Series(0.0, index=raw.index)).fillna(0.0).to_numpy()
    fixed = raw.get("fixed_eur_per_yr", pd.Series(0.0, index=raw.index)).fillna(0.0).to_numpy()
    opts = _options(inp)
    re = t["renewables"].set_index(["zone_id", "tech"])
    stores = _stores(cfg, inp, d)
    storage = sum(
        float((_store_sizes(t["zones"], k)[0] * s["energy"]).sum() + (_store_sizes(t["zones"], k)[1] * s["power"]).sum()
              + (0.0 if _charge_sizes(t["zones"], k) is None else (_charge_sizes(t["zones"], k) * s["charge"]).sum()))
        for k, s in stores.items()
    )  # fmt: skip
    zl = inp["zones"]
    price = zl.get("grid_price_eur_per_mwh", pd.Series(0.0, index=zl.index)).fillna(0.0)
    intensity = zl.get("carbon_intensity_g_per_kwh", pd.Series(0.0, index=zl.index)).fillna(0.0)
    grid_cost = price + cfg["economics"]["carbon_price_eur_per_t"] * intensity / 1000.0
    zone = d["zone_id"]
    wholesale = zl.get("wholesale_price_eur_per_mwh", pd.Series(0.0, index=zl.index)).fillna(0.0)
    sale_price = cfg["economics"].get("surplus_price_share", 0.5) * wholesale
    sale = d["sale_mw"] if "sale_mw" in d.columns else 0.0 * d["grid_mw"]
    expect = {
        "sites": float((fixed * sites["built"].to_numpy()).sum() + (new * capex).sum()),
        "reinforcement": _reinforcement(cfg, inp, sites),
        "grid_sales": -float((sale * d["weight_h"] * zone.map(sale_price)).sum()),
        "water": float((new * per_mw_water).sum()),
        "clean_capacity": float((re["new_mw"] * opts["capex_eur_per_mw_yr"].reindex(re.index)).sum()),
        "clean_running": _running_cost(d),
        "storage": storage,
        "links": float(cfg["economics"]["wheeling_eur_per_mwh"] * (t["flows"]["flow_mw"] * t["flows"]["weight_h"]).sum()),
        "residual_grid": float((d["grid_mw"] * d["weight_h"] * zone.map(grid_cost)).sum()),
        "lost_compute": _lost_compute(cfg, t["zones"]),
    }  # fmt: skip
    got = summary["cost_breakdown_eur_per_yr"]
    for key, value in expect.items():
        assert np.isclose(got.get(key, 0.0), value, rtol=1e-6, atol=1.0), (key, got.get(key), value)
    total = sum(expect.values()) + got["connection_acceleration"]  # checked in _recheck_policy
    assert np.isclose(summary["objective_eur_per_yr"], total, rtol=1e-6), "objective"


def _lost_compute(cfg: dict, zones: pd.DataFrame) -> float:
    """What curtailed interruptible load costs [EUR/yr]: its energy over the year (checked
    against the hours by :func:`_recheck_interrupted`) times the config's value."""
    if "interrupted_mwh" not in zones.columns:
        return 0.0
    value = (cfg.get("flexibility") or {}).get("lost_compute_eur_per_mwh", 1640.0)
    return float(zones["interrupted_mwh"].fillna(0.0).sum()) * value


def _running_cost(d: pd.DataFrame) -> float:
    """What dispatchable supply costs per MWh it delivers [EUR/yr]: the technology table's
    variable cost of every ``dispatchable`` technology times its dispatched energy."""
    table = pd.read_csv(TABLE).set_index("tech")
    total = 0.0
    for tech, row in table[table["kind"] == "dispatchable"].iterrows():
        column = f"clean_{tech}_mw"
        if column in d.columns:
            total += float((d[column] * d["weight_h"]).sum()) * float(row["vom_eur_per_mwh"] or 0)
    return total


def _reinforcement(cfg: dict, inp: dict, sites: pd.DataFrame) -> float:
    """Grid reinforcement [EUR/yr]: per MW of new connected load (site PUE x new IT), the
    zone's own rate or the config's, times the zone's multiplier."""
    zl = inp["zones"]
    default = cfg.get("grid_connection", {}).get("reinforcement_eur_per_mw_yr", 17918.7)
    own = zl.get("reinforcement_eur_per_mw_yr", pd.Series(np.nan, index=zl.index))
    scale = zl.get("reinforcement_multiplier", pd.Series(1.0, index=zl.index)).fillna(1.0)
    per_mw_load = own.fillna(default) * scale
    s = sites.set_index("site_id")
    return float((_site_pue(sites, inp) * s["new_it_mw"] * s["zone_id"].map(per_mw_load)).sum())


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


def _recheck_hosting(cfg: dict, inp: dict, sites: pd.DataFrame, zones_out: pd.DataFrame) -> None:
    """Each zone's new data-centre load within its hosting_mw and the share of its national
    load, both from the zones layer, plus its interruptible load (``zones.csv``, itself
    re-checked against the grid's headroom by :func:`_recheck_interrupted`)."""
    zones = inp["zones"]
    share = (cfg.get("policy") or {}).get("max_hosting_share")
    own = zones["hosting_mw"] if "hosting_mw" in zones else pd.Series(np.nan, zones.index)
    national = (
        zones["national_load_mw"] if "national_load_mw" in zones else pd.Series(np.nan, zones.index)
    )
    limit = np.fmin(own, share * national) if share is not None else own
    util = cfg["economics"]["utilisation"]
    load = sites["new_it_mw"].to_numpy() * _site_pue(sites, inp).to_numpy() * util
    by_zone = pd.Series(load, index=sites["zone_id"].to_numpy()).groupby(level=0).sum()
    if "interruptible_mw" in zones_out.columns:
        extra = zones_out.set_index("zone_id")["interruptible_mw"].fillna(0.0)
        by_zone = by_zone.sub(extra, fill_value=0.0)
    for z, cap in limit.dropna().items():
        assert by_zone.get(z, 0.0) <= cap * (1 + REL) + 1e-6, (
            f"zone {z}: new load above hosting {cap}"
        )


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
    excluded = np.array(sites["site_id"].isin(pol.get("forbidden_sites", [])), dtype=bool)
    scope = cfg.get("scope") or {}
    if scope.get("countries") or scope.get("zones"):  # sites outside the plan's scope
        inside = zone_of.map(raw_zones["country"]).isin(scope.get("countries") or []) | (
            zone_of.isin(scope.get("zones") or [])
        )
        excluded |= ~inside.to_numpy()
    limit = pol.get("max_water_stress")
    if limit is not None:
        stress = raw_sites.get("water_stress", pd.Series(np.nan, index=raw_sites.index))
        zone_stress = zone_of.map(raw_zones.get("water_stress", pd.Series(dtype=float)))
        stress = stress.fillna(zone_stress)
        excluded |= (stress > limit).to_numpy()
    gc = cfg.get("grid_connection") or {}
    deadline = cfg["target"]["deadline_year"]
    lead = raw_sites.get("grid_connection_years", pd.Series(np.nan, index=raw_sites.index))
    lead = lead.fillna(zone_of.map(raw_zones.get("grid_connection_years", pd.Series(dtype=float))))
    online = raw_sites.get("online_year", pd.Series(np.nan, index=raw_sites.index))
    if gc.get("request_year") is not None:
        online = online.fillna(gc["request_year"] + lead)
    late = (online - deadline).fillna(0.0).clip(lower=0.0)
    if gc.get("late_sites", "exclude") == "exclude":
        excluded |= (late > 0).to_numpy()
    else:
        maxy = gc.get("max_acceleration_years")
        if maxy is not None:
            excluded |= (late > maxy + 1e-9).to_numpy()
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
                    inside = inside & ((until + lead.fillna(0.0)).to_numpy() > deadline)
                excluded |= inside
    assert not (built.to_numpy() & excluded).any(), "an excluded site is built"
    assert (sites["eligible"].astype(bool).to_numpy() == ~excluded).all(), "eligible column"
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
