"""Compare runs: KPI, site, country and config differences, maps and one offline report.

The runs are only read, never modified. Tables are computed by pure functions from the
runs' published files; :func:`compare_runs` writes them into a new, atomically published
folder (``docs/outputs.md``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.base.errors import InputError, Problem
from siting.base.summary import compare_fields
from siting.base.technologies import default_table
from siting.outputs.results import RunFolder, read_run
from siting.outputs.runfolder import new_manifest, staged_run, write_json

KPIS: list[tuple[str, str, str]] = [(f.key, f.label, f.unit) for f in compare_fields()]
"""(summary key, label, unit) of every KPI in ``kpis.csv`` (from :mod:`siting.base.summary`)."""


@dataclass(frozen=True)
class Comparison:
    """Everything a comparison reports; ``labels`` name the runs in every table."""

    runs: list[RunFolder]
    labels: list[str]
    kpis: pd.DataFrame
    sites_diff: pd.DataFrame
    countries: pd.DataFrame
    config_diff: pd.DataFrame
    summary: list[str]


def open_runs(paths: list[Path]) -> list[RunFolder]:
    """Read run folders; every problem (not a run, no solution) is reported at once."""
    runs, problems = [], []
    for p in paths:
        try:
            run = read_run(p)
        except InputError as err:
            problems.extend(err.problems)
            continue
        if run.summary.get("status") not in ("optimal", "feasible"):
            problems.append(
                Problem(
                    str(p),
                    f"run has no plan to compare (status {run.summary.get('status')})",
                    "compare solved runs",
                )
            )
            continue
        runs.append(run)
    if len(paths) < 2:
        problems.append(
            Problem("siting compare", "needs at least two runs", "name two or more run folders")
        )
    if problems:
        raise InputError(problems)
    return runs


def run_labels(runs: list[RunFolder]) -> list[str]:
    """Unique short labels: the scenario name, numbered where names repeat."""
    labels: list[str] = []
    for run in runs:
        label, k = run.name, 2
        while label in labels:
            label, k = f"{run.name}#{k}", k + 1
        labels.append(label)
    return labels


def kpi_table(runs: list[RunFolder], labels: list[str]) -> pd.DataFrame:
    """One row per KPI, one column per run, plus deltas against the first run."""
    techs = sorted({t for r in runs for t in r.summary.supply_techs})
    table = default_table()
    rows = []
    for key, name, unit in KPIS + [
        (f"new_re_mw.{t}", f"new {table.label(t).lower()}", "MW") for t in techs
    ]:
        values = []
        for r in runs:
            v = r.summary.number(key)
            if v is None and key.startswith("new_re_mw."):
                v = 0.0  # a run without that technology built none of it
            values.append(np.nan if v is None else v)
        if all(np.isnan(values)):
            continue  # e.g. latency KPIs when no run has a latency rule
        row: dict[str, Any] = {"kpi": key, "name": name, "unit": unit}
        row.update(dict(zip(labels, values, strict=True)))
        for label, v in zip(labels[1:], values[1:], strict=True):
            row[f"delta_{label}"] = v - values[0]
            row[f"delta_pct_{label}"] = (
                (v - values[0]) / abs(values[0]) * 100 if values[0] else np.nan
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _classify(first: float, other: float) -> str:
    a, b = first > 1e-6, other > 1e-6
    if not a and b:
        return "added"
    if a and not b:
        return "removed"
    if a and b and abs(first - other) > 1e-6:
        return "resized"
    return "same"


def sites_diff(runs: list[RunFolder], labels: list[str]) -> pd.DataFrame:
    """Per site: total IT MW in each run and how it changed against the first run.

    ``built_in_runs`` counts the runs that build new capacity at the site (all of them: the
    plans' robust core). ``change`` compares the second run with the first (added / removed /
    resized / same, by new capacity); with more runs, ``change_<label>`` does so for each of them and ``change``
    is their common word, or ``mixed`` where the runs changed the site differently.
    """
    frames = []
    for run, label in zip(runs, labels, strict=True):
        t = run.table("sites")[["site_id", "zone_id", "total_it_mw", "new_it_mw"]].set_index(
            "site_id"
        )
        frames.append(
            t.rename(
                columns={
                    "total_it_mw": f"total_it_mw_{label}",
                    "new_it_mw": f"new_it_mw_{label}",
                    "zone_id": f"zone_{label}",
                }
            )
        )
    df = pd.concat(frames, axis=1)
    df.insert(
        0, "zone_id", df[[c for c in df.columns if c.startswith("zone_")]].bfill(axis=1).iloc[:, 0]
    )
    df = df.drop(columns=[c for c in df.columns if c.startswith("zone_") and c != "zone_id"])
    first = df[f"new_it_mw_{labels[0]}"].fillna(0.0)
    for label in labels[1:]:
        df[f"change_{label}"] = [
            _classify(a, b)
            for a, b in zip(first, df[f"new_it_mw_{label}"].fillna(0.0), strict=True)
        ]
    built = df[[f"new_it_mw_{label}" for label in labels]].fillna(0.0) > 1e-6
    df.insert(1, "built_in_runs", built.sum(axis=1).astype(int))
    per_run = df[[f"change_{label}" for label in labels[1:]]]
    # one word for all runs: their common change, "mixed" where runs differ
    df["change"] = [
        row[0] if len(set(row)) == 1 else "mixed" for row in per_run.itertuples(index=False)
    ]
    df = df.drop(columns=[f"new_it_mw_{label}" for label in labels])
    if len(labels) == 2:
        df = df.drop(columns=[f"change_{labels[1]}"])
    return (
        df.reset_index()
        .rename(columns={"index": "site_id"})
        .sort_values("site_id")
        .reset_index(drop=True)
    )


def country_table(runs: list[RunFolder], labels: list[str]) -> pd.DataFrame:
    """New IT capacity per country [MW], one column per run."""
    cols = {}
    for run, label in zip(runs, labels, strict=True):
        zones = run.table("zones").set_index("zone_id")
        sites = run.table("sites")
        country = sites["zone_id"].map(zones["country"]).fillna(sites["zone_id"])
        cols[label] = sites.groupby(country)["new_it_mw"].sum()
    df = pd.DataFrame(cols).fillna(0.0)
    df.index.name = "country"
    return df[(df > 0).any(axis=1)].sort_values(labels[0], ascending=False).reset_index()


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, f"{key}."))
        else:
            out[key] = json.dumps(v) if isinstance(v, list) else v
    return out


def config_diff(runs: list[RunFolder], labels: list[str]) -> pd.DataFrame:
    """Config keys whose values differ between runs (one column per run)."""
    flat = [_flatten(r.config) for r in runs]
    keys = sorted(set().union(*flat))
    rows = []
    for key in keys:
        values = [f.get(key) for f in flat]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1:
            rows.append({"key": key, **dict(zip(labels, values, strict=True))})
    return pd.DataFrame(rows, columns=["key", *labels])


def plain_summary(kpis: pd.DataFrame, countries: pd.DataFrame, labels: list[str]) -> list[str]:
    """One sentence per run after the first, in words a planner would use."""
    k = kpis.set_index("kpi")
    out = []
    for label in labels[1:]:
        parts = []
        d_sites = round(k.at["sites_built", f"delta_{label}"])
        if d_sites:
            noun = "site" if abs(d_sites) == 1 else "sites"
            parts.append(f"builds {abs(d_sites)} {'more' if d_sites > 0 else 'fewer'} {noun}")
        else:
            parts.append("builds the same number of sites")
        d_new = k.at["new_it_mw", f"delta_{label}"]
        if abs(d_new) > 1:
            parts.append(
                f"builds {abs(d_new) / 1e3:,.1f} GW {'more' if d_new > 0 else 'less'} new IT capacity"
            )
        delta = countries.set_index("country")[label] - countries.set_index("country")[labels[0]]
        losers = delta[delta < -1].sort_values()
        winners = delta[delta > 1].sort_values(ascending=False)
        if len(losers) and len(winners):
            moved = min(-losers.sum(), winners.sum())
            parts.append(
                f"moves {moved / 1e3:,.1f} GW from {_and(list(losers.index[:3]))} to {_and(list(winners.index[:3]))}"
            )
        elif len(winners):
            parts.append(f"adds capacity in {_and(list(winners.index[:3]))}")
        elif len(losers):
            parts.append(f"takes capacity out of {_and(list(losers.index[:3]))}")
        pct = k.at["objective_eur_per_yr", f"delta_pct_{label}"]
        digits = 0 if abs(pct) >= 10 else 1
        parts.append(
            f"costs {abs(pct):.{digits}f} % {'more' if pct > 0 else 'less'}"
            if abs(pct) >= 0.05
            else "costs about the same as"
        )
        d_cfe = k.at["cfe_score", f"delta_{label}"]
        if abs(d_cfe) > 1e-4:
            parts.append(
                f"with a CFE score (each run's own rule) {abs(d_cfe) * 100:.1f} points "
                f"{'higher' if d_cfe > 0 else 'lower'}"
            )
        last = parts[-1] if parts[-1].endswith(" as") else f"{parts[-1]} than"
        out.append(f"{label} {', '.join(parts[:-1])} and {last} {labels[0]}.")
    return out


def core_sentence(diff: pd.DataFrame, runs: list[RunFolder], labels: list[str]) -> str:
    """Which sites every plan builds (the robust core) and how many come and go, naming the
    weather years when the plans were checked on different ones."""
    n = len(labels)
    core = diff[diff["built_in_runs"] == n]
    some = diff[(diff["built_in_runs"] > 0) & (diff["built_in_runs"] < n)]
    gw = float(core[f"total_it_mw_{labels[0]}"].sum()) / 1e3
    years = [", ".join(r.summary.get("cfe_score_by_year") or {}) for r in runs]
    weather = f" (weather years {'; '.join(years)})" if len(set(years)) > 1 and all(years) else ""
    plans = "both plans" if n == 2 else f"all {n} plans"
    subject = "1 site is" if len(core) == 1 else f"{len(core)} sites are"
    return (
        f"{subject} built in {plans}{weather}, the robust core "
        f"({gw:,.1f} GW in {labels[0]}); {len(some)} built in some plans only."
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def build_comparison(paths: list[Path]) -> Comparison:
    """Read runs and compute every comparison table (no writing)."""
    runs = open_runs(paths)
    labels = run_labels(runs)
    kpis = kpi_table(runs, labels)
    countries = country_table(runs, labels)
    diff = sites_diff(runs, labels)
    return Comparison(
        runs=runs,
        labels=labels,
        kpis=kpis,
        sites_diff=diff,
        countries=countries,
        config_diff=config_diff(runs, labels),
        summary=[*plain_summary(kpis, countries, labels), core_sentence(diff, runs, labels)],
    )


def compare_runs(paths: list[Path], out: Path | None = None) -> Path:
    """Write a comparison folder (tables, maps, ``report.html``) and return its path."""
    return write_comparison(build_comparison(paths), out)


def write_comparison(comp: Comparison, out: str | Path | None = None) -> Path:
    """Publish ``comp`` as a new folder under ``out`` (default ``./comparisons``)."""
    from siting.outputs.report import render_report
    from siting.plots import plot_comparison, plot_difference, save_figure

    out_root = Path(out) if out else Path.cwd() / "comparisons"
    name = "compare-" + "-vs-".join(comp.labels)[:60].replace("#", "n")
    digest = (
        __import__("hashlib")
        .sha256("|".join(str(r.path.resolve()) for r in comp.runs).encode())
        .hexdigest()
    )
    with staged_run(out_root, name, digest) as staged:
        folder = staged.path
        comp.kpis.to_csv(folder / "kpis.csv", index=False, float_format="%.10g")
        comp.sites_diff.to_csv(folder / "sites_diff.csv", index=False, float_format="%.10g")
        comp.config_diff.to_csv(folder / "config_diff.csv", index=False)
        comp.countries.to_csv(folder / "countries.csv", index=False, float_format="%.10g")
        side = plot_comparison(comp)
        save_figure(side, folder / "maps_side_by_side")
        diff = plot_difference(comp)
        save_figure(diff, folder / "map_difference")
        (folder / "report.html").write_text(render_report(comp, folder), encoding="utf-8")
        write_json(
            folder / "summary.json",
            {
                "runs": [str(r.path) for r in comp.runs],
                "labels": comp.labels,
                "summary": comp.summary,
            },
        )
        staged.manifest = new_manifest(
            name,
            kind="comparison",
            runs={lbl: str(r.path) for lbl, r in zip(comp.labels, comp.runs, strict=True)},
        )
    assert staged.published is not None
    return staged.published
