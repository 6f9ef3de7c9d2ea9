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
    return {
        "cfe_score": float(cfe_score),
        "new_it_mw": float(new),
        "baseline_it_mw": float(baseline),
    }
