"""The comparison report: one self-contained HTML file (its script inlined; no fonts, no
requests)."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.plots.interactive import MAP_CSS, MAP_JS

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1320px;
color:#212121;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #cfd8dc;padding-bottom:.2rem}
.lede{font-size:1.05rem;background:#f1f8e9;border-left:4px solid #7cb342;padding:.6rem 1rem}
table{border-collapse:collapse;font-size:.86rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #eceff1;text-align:right}
th{background:#f5f7f8;position:sticky;top:0}
td:first-child,th:first-child{text-align:left}
td.pos{color:#0d47a1}td.neg{color:#6a1b9a}img{max-width:100%;height:auto;border:1px solid #eceff1}
.meta{color:#616161;font-size:.85rem}
.maps{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:0 1rem}code{background:#f5f5f5;padding:0 .2rem}
@media print{body{margin:0;max-width:none}.interactive{display:none}
h2{page-break-after:avoid}figure,table{page-break-inside:avoid}th{position:static}}
"""


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    caption = f'<figcaption class="meta">{html.escape(alt)}</figcaption>'
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">{caption}</figure>'


SHARE_KEYS = ("_share", "cfe_target", "mip_gap", "utilisation", "guarantee_tolerance")
"""Config keys (by ending) whose values are shares of one, shown as percentages."""


def unit_of_key(key: str) -> str:
    """The unit a config key's value is shown in: ``share``, ``year``, ``%`` or none."""
    if key.endswith(SHARE_KEYS):
        return "share"
    if key.endswith("year"):
        return "year"
    if key.endswith("_pct"):
        return "%"
    return ""


def _number(x: float) -> str:
    """A plain number: thousands separated, small values to three significant digits."""
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def _percent(x: float) -> str:
    """A share of one as a percentage, e.g. ``35 %``, ``99.97 %``, ``0.01 %``."""
    pct = x * 100.0
    if pct == 0 or abs(pct) >= 0.01:
        return f"{pct:,.2f}".rstrip("0").rstrip(".") + " %"
    return f"{pct:.2g} %"


def format_value(v: Any, unit: str = "", *, delta: bool = False) -> str:
    """One table cell: numbers by their unit and magnitude (shares as percentages and their
    changes in points, years as years, money in m or bn, small values not rounded to 0)."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if not isinstance(v, float | int | np.floating | np.integer):
        return html.escape(str(v))
    x = float(v)
    sign = "+" if delta and x > 0 else ""
    if unit == "share":
        text = _percent(x)
        return sign + (text.replace(" %", " pp") if delta else text)
    if unit == "year" and x == int(x):
        return f"{sign}{int(x)}"
    if unit == "%":
        return f"{sign}{_number(x)} %"
    if unit.startswith("EUR") and abs(x) >= 1e6:
        scale, word = (1e9, "bn") if abs(x) >= 1e9 else (1e6, "m")
        return f"{sign}{x / scale:,.2f} {word}"
    return sign + _number(x)


def _header(column: str) -> str:
    """A column's heading: changes against the first run in words."""
    if column.startswith("delta_pct_"):
        return f"change {column[len('delta_pct_') :]} [%]"
    if column.startswith("delta_"):
        return f"change {column[len('delta_') :]}"
    if column.startswith("change_"):
        return f"change {column[len('change_') :]}"
    if column.startswith("total_it_mw_"):
        return f"total IT MW {column[len('total_it_mw_') :]}"
    return column


def _table(
    df: pd.DataFrame,
    units: pd.Series | None = None,
    signed: list[str] | None = None,
    key_col: str | None = None,
) -> str:
    """An HTML table; cells formatted by the row's unit (``units``, or the unit of the config
    key in ``key_col``), ``signed`` columns as changes (coloured, with their sign)."""
    head = "".join(f"<th>{html.escape(_header(str(c)))}</th>" for c in df.columns)
    body = []
    for i, row in df.iterrows():
        unit = units[i] if units is not None else unit_of_key(str(row[key_col])) if key_col else ""
        cells = []
        for col in df.columns:
            v = row[col]
            if col == key_col or col == "unit":
                cells.append(f"<td>{html.escape(str(v))}</td>")
                continue
            change = bool(signed and col in signed)
            cls = ""
            if change and isinstance(v, float) and np.isfinite(v) and abs(v) > 1e-9:
                cls = ' class="pos"' if v > 0 else ' class="neg"'
            pct = col.startswith("delta_pct")
            text = format_value(v, "%" if pct else unit, delta=change or pct)
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _interactive_maps(comp: Any) -> list[str]:
    """Each run's interactive map (``siting.plots.interactive``) on the comparison's extent."""
    from siting.plots.interactive import map_fragment
    from siting.plots.run_map import map_options
    from siting.plots.style import union_extent

    layers = [run.layers() for run in comp.runs]
    extent = union_extent([lay["zones"] for lay in layers])
    return [
        map_fragment(lay, run.summary, label, map_id=f"map-{i}", extent=extent,
                     water_limit=map_options(lay, run.config)["water_limit"])
        for i, (lay, run, label) in enumerate(zip(layers, comp.runs, comp.labels, strict=True))
    ]  # fmt: skip


def _core_section(comp: Any) -> list[str]:
    """The sites every plan builds (the robust core), with their IT capacity per run [MW]."""
    diff = comp.sites_diff
    core = diff[diff["built_in_runs"] == len(comp.labels)]
    cols = ["site_id", "zone_id", *[f"total_it_mw_{label}" for label in comp.labels]]
    return [
        f"<h2>Built in every plan ({len(core)})</h2>",
        _table(core[cols]) if len(core) else "<p>No site is built in every plan.</p>",
    ]


def render_report(comp: Any, folder: Path) -> str:
    """HTML text of ``report.html``; maps are embedded from ``folder``."""
    labels = comp.labels
    kpis = comp.kpis.copy()
    kpi_view = kpis[["name", "unit", *labels, *[c for c in kpis.columns if c.startswith("delta_")]]]
    signed = [c for c in kpi_view.columns if c.startswith("delta_")]
    changed = (
        comp.sites_diff[comp.sites_diff["change"] != "same"]
        if len(labels) == 2
        else comp.sites_diff[
            (
                comp.sites_diff[[c for c in comp.sites_diff.columns if c.startswith("change")]]
                != "same"
            ).any(axis=1)
        ]
    )
    runs = "".join(
        f"<li><b>{html.escape(lbl)}</b>: <code>{html.escape(str(r.path))}</code> ({html.escape(str(r.summary.get('status')))}, "
        f"MIP gap {(r.summary.get('mip_gap') or 0.0):.2%})</li>"
        for lbl, r in zip(labels, comp.runs, strict=True)
    )
    countries = comp.countries.copy()
    for lbl in labels[1:]:
        countries[f"delta_{lbl}"] = countries[lbl] - countries[labels[0]]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>siting comparison: {html.escape(' vs '.join(labels))}</title><style>{CSS}{MAP_CSS}</style></head><body>",
        f"<h1>Comparison: {html.escape(' vs '.join(labels))}</h1>",
        f"<ul class='meta'>{runs}</ul>",
        "".join(f"<p class='lede'>{html.escape(s)}</p>" for s in comp.summary),
        "<h2>Key figures</h2>",
        _table(kpi_view.rename(columns={"name": "KPI"}), kpis["unit"], signed),
        "<h2>Maps</h2>",
        _img(
            folder / "maps_side_by_side.png",
            "Runs side by side on the same extent, site marker scale and pie scale",
        ),
        _img(folder / "map_difference.png", f"Difference map: change from {labels[0]}"),
        "<section class='interactive'><h2>Interactive maps</h2>",
        "<p class='meta'>Each run on the same extent: hover or tab to a site, zone, pie or link "
        "for its numbers; wheel to zoom, drag to pan. (Not printed: the static maps above are.)</p>",
        f"<div class='maps'>{''.join(_interactive_maps(comp))}</div></section>",
        "<h2>New IT capacity by country [MW]</h2>",
        _table(countries, None, [c for c in countries.columns if c.startswith("delta_")]),
        "<h2>Configuration differences</h2>",
        _table(comp.config_diff, key_col="key")
        if len(comp.config_diff)
        else "<p>The configs are identical.</p>",
        *_core_section(comp),
        f"<h2>Sites that changed ({len(changed)})</h2>",
        _table(changed) if len(changed) else "<p>No site changed.</p>",
        "<p class='meta'>Made with siting. Maps: ETRS89-LAEA (EPSG:3035); outlines Made with Natural Earth.</p>",
        f"<script>{MAP_JS}</script></body></html>",
    ]
    return "\n".join(parts)
