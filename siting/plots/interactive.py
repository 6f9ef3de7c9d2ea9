"""The interactive map: one offline HTML file (``map.html``) whose SVG shows the run map's
layers and whose inlined script shows each site's, zone's and link's numbers on hover.

No library, font, tile or request: the SVG is written from the run's result layers in
EPSG:3035 (kilometres from the map's corner) and a few lines of JavaScript do the tooltips,
zoom and pan. The same fragment is embedded once per run in the comparison report.
The text is deterministic: the same run gives the same bytes.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from siting.base.technologies import Kind, default_table, store_size
from siting.plots.run_map import (
    AREA_STYLE,
    EXCLUDED_STYLE,
    HOSTING_COLOUR,
    connection_years,
    hosting_full,
    map_title,
    scope_bounds,
    site_colours,
)
from siting.plots.style import (
    EXISTING_COLOUR,
    IDLE_COLOUR,
    LAND_COLOUR,
    LINK_COLOUR,
    NEW_COLOUR,
    OUTLINE_COLOUR,
    SEA_COLOUR,
    SERVICE_COLOUR,
    padded_extent,
)  # fmt: skip
from siting.plots.zone_mix import zone_mix_mw

if TYPE_CHECKING:
    import geopandas as gpd

SIMPLIFY_M = 2_000.0
"""Zone outlines are simplified to this tolerance [m] (the file stays small)."""
KM_PER_SQRT_MW = 1.1
"""Site disc radius [km] per square root of its IT MW (1 GW: 35 km)."""
KM_PER_SQRT_GW = 11.0
"""Pie radius [km] per square root of the zone's new clean GW (50 GW: 78 km)."""

MAP_CSS = """
.smap{position:relative;margin:0 0 1.2rem 0;color:#212121;
font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.smap svg{width:100%;height:auto;display:block;border:1px solid #cfd8dc;background:#eaf1f7;cursor:grab;touch-action:none}
.smap svg.dragging{cursor:grabbing}
.smap svg *{vector-effect:non-scaling-stroke}
.smap [data-tip]:hover,.smap [data-tip]:focus{stroke:#000;stroke-width:1.2px;outline:none}
.smap .tip{position:absolute;pointer-events:none;background:rgba(255,255,255,.97);border:1px solid #90a4ae;
border-radius:4px;padding:.35rem .55rem;box-shadow:0 2px 6px rgba(0,0,0,.18);white-space:pre;font-size:12px;
display:none;z-index:5}
.smap .tip b{font-weight:600}
.smap .bar{display:flex;gap:.4rem;align-items:center;margin:.3rem 0;flex-wrap:wrap}
.smap button{font:inherit;padding:.1rem .55rem;border:1px solid #b0bec5;background:#fff;border-radius:3px;cursor:pointer}
.smap .key{display:flex;flex-wrap:wrap;gap:.25rem .9rem;font-size:12px;color:#424242;margin-top:.35rem}
.smap .key span{display:inline-flex;align-items:center;gap:.3rem}
.smap .sw{display:inline-block;width:11px;height:11px;border-radius:50%}
.smap .sq{border-radius:2px}
.smap figcaption{font-size:12px;color:#616161;margin-top:.3rem}
@media print{.smap .bar{display:none}}
"""

MAP_JS = """
(function(){
  function lines(text){return text.split('\\n');}
  function show(tip, el, x, y, box){
    var rows = lines(el.getAttribute('data-tip'));
    tip.textContent = '';
    rows.forEach(function(row, i){
      var line = document.createElement(i === 0 ? 'b' : 'div');
      line.textContent = row; tip.appendChild(line);
    });
    tip.style.display = 'block';
    var left = Math.min(x + 14, box.width - tip.offsetWidth - 4);
    var top = y + 14 + tip.offsetHeight > box.height ? y - tip.offsetHeight - 10 : y + 14;
    tip.style.left = Math.max(left, 0) + 'px'; tip.style.top = Math.max(top, 0) + 'px';
  }
  function setup(fig){
    var svg = fig.querySelector('svg'), tip = fig.querySelector('.tip');
    var home = svg.getAttribute('viewBox').split(' ').map(Number), view = home.slice();
    function apply(){svg.setAttribute('viewBox', view.join(' '));}
    function zoom(f, cx, cy){
      var w = view[2] * f, h = view[3] * f;
      if (w > home[2] * 1.5 || w < home[2] / 40) return;
      view = [cx - (cx - view[0]) * f, cy - (cy - view[1]) * f, w, h]; apply();
    }
    function toMap(ev){
      var r = svg.getBoundingClientRect();
      return [view[0] + (ev.clientX - r.left) / r.width * view[2],
              view[1] + (ev.clientY - r.top) / r.height * view[3]];
    }
    svg.addEventListener('wheel', function(ev){
      ev.preventDefault(); var p = toMap(ev); zoom(ev.deltaY > 0 ? 1.25 : 0.8, p[0], p[1]);
    }, {passive: false});
    var drag = null;
    svg.addEventListener('pointerdown', function(ev){
      drag = [ev.clientX, ev.clientY, view[0], view[1]]; svg.classList.add('dragging');
    });
    window.addEventListener('pointerup', function(){drag = null; svg.classList.remove('dragging');});
    svg.addEventListener('pointermove', function(ev){
      if (drag){
        var r = svg.getBoundingClientRect();
        view[0] = drag[2] - (ev.clientX - drag[0]) / r.width * view[2];
        view[1] = drag[3] - (ev.clientY - drag[1]) / r.height * view[3]; apply();
      }
      var el = ev.target.closest ? ev.target.closest('[data-tip]') : null;
      var box = fig.getBoundingClientRect();
      if (el && !drag){ show(tip, el, ev.clientX - box.left, ev.clientY - box.top, box); }
      else { tip.style.display = 'none'; }
    });
    svg.addEventListener('pointerleave', function(){tip.style.display = 'none';});
    svg.addEventListener('focusin', function(ev){
      var el = ev.target.closest('[data-tip]'); if (!el) return;
      var box = fig.getBoundingClientRect(), r = el.getBoundingClientRect();
      show(tip, el, r.right - box.left, r.bottom - box.top, box);
    });
    svg.addEventListener('focusout', function(){tip.style.display = 'none';});
    fig.querySelectorAll('button[data-zoom]').forEach(function(b){
      b.addEventListener('click', function(){
        var f = Number(b.getAttribute('data-zoom'));
        if (f === 0){ view = home.slice(); apply(); return; }
        zoom(f, view[0] + view[2] / 2, view[1] + view[3] / 2);
      });
    });
  }
  document.querySelectorAll('figure.smap').forEach(setup);
})();
"""


def _mw(x: float) -> str:
    """A capacity in words: ``1,000 MW`` or ``12.3 GW``."""
    return f"{x / 1e3:,.1f} GW" if abs(x) >= 1_000 else f"{x:,.0f} MW"


def _twh(x: float) -> str:
    return f"{x / 1e6:,.2f} TWh/yr"


class _Frame:
    """Map metres (EPSG:3035) to SVG units: kilometres from the top-left corner."""

    def __init__(self, extent: tuple[float, float, float, float]) -> None:
        self.x0, self.x1, self.y0, self.y1 = extent

    @property
    def view_box(self) -> str:
        return f"0 0 {(self.x1 - self.x0) / 1e3:.0f} {(self.y1 - self.y0) / 1e3:.0f}"

    def xy(self, x: float, y: float) -> str:
        return f"{(x - self.x0) / 1e3:.1f},{(self.y1 - y) / 1e3:.1f}"

    def path(self, geom: Any) -> str:
        """SVG path data of a (multi)polygon or (multi)line."""
        parts = []
        for g in getattr(geom, "geoms", [geom]):
            rings = [g.exterior, *g.interiors] if g.geom_type == "Polygon" else [g]
            for ring in rings:
                pts = " L".join(self.xy(x, y) for x, y in np.asarray(ring.coords)[:, :2])
                parts.append(f"M{pts}" + ("Z" if g.geom_type == "Polygon" else ""))
        return "".join(parts)


def _tip(lines: Iterable[str]) -> str:
    return html.escape("\n".join(lines), quote=True)


def _zone_tip(z: Mapping[str, Any], mix: Mapping[str, float]) -> str:
    table = default_table()
    rows = [f"{z.get('name') or z['zone_id']} ({z['zone_id']})",
            f"new IT {_mw(z.get('new_it_mw', 0.0))} at {int(z.get('sites_built', 0))} sites, "
            f"total {_mw(z.get('total_it_mw', 0.0))}"]  # fmt: skip
    new = {t: mw for t, mw in mix.items() if mw > 0}
    if new:
        rows.append(
            "new clean: " + ", ".join(f"{table.label(t)} {_mw(mw)}" for t, mw in new.items())
        )
    rows.append(
        f"load {_twh(z.get('annual_load_mwh', 0.0))}, residual grid {_twh(z.get('grid_mwh', 0.0))}"
    )
    rows.append(
        f"imports {_twh(z.get('import_mwh', 0.0))}, exports {_twh(z.get('export_mwh', 0.0))}"
    )
    if z.get("shifted_mwh") is not None and np.isfinite(z["shifted_mwh"]):
        rows.append(f"flexible load moved within its day {_twh(z['shifted_mwh'])}")
    if z.get("moved_in_mwh") is not None and np.isfinite(z["moved_in_mwh"]):
        rows.append(f"load moved in from other zones {_twh(z['moved_in_mwh'])}, "
                    f"out {_twh(z.get('moved_out_mwh', 0.0))}")  # fmt: skip
    if z.get("interruptible_mw") is not None and z["interruptible_mw"] > 0:
        rows.append(f"interruptible load {_mw(z['interruptible_mw'])} above the hosting limit, "
                    f"curtailed {_twh(z.get('interrupted_mwh', 0.0))} when the grid is stressed")  # fmt: skip
    frame = pd.DataFrame([z])
    for tech in table.of_kind(Kind.STORAGE):
        energy, power = (store_size(frame, tech.tech, unit) for unit in ("mwh", "mw"))
        if energy is not None and float(energy.iloc[0] or 0.0) > 0:
            mw = 0.0 if power is None else float(power.iloc[0] or 0.0)
            rows.append(f"{table.label(tech.tech)} {_mw(mw)} / {float(energy.iloc[0]):,.0f} MWh")
    limit = z.get("hosting_limit_mw")
    if limit is not None and np.isfinite(limit):
        rows.append(f"new load {_mw(z.get('hosted_load_mw', 0.0))} of the grid's hosting limit "
                    f"{_mw(limit)} ({z.get('hosting_used', 0.0):.0%})")  # fmt: skip
    if z.get("water_stress") is not None and np.isfinite(z.get("water_stress", np.nan)):
        rows.append(f"water stress {z['water_stress']:g} (Aqueduct 0-5)")
    return _tip(rows)


def _site_tip(s: Mapping[str, Any]) -> str:
    total = s["existing_it_mw"] + s["new_it_mw"]
    rows = [f"{s.get('name') or s['site_id']} ({s['site_id']}, {s['zone_id']})"]
    if s["new_it_mw"] > 0:
        rows.append(
            f"new IT {s['new_it_mw']:,.0f} MW, total {total:,.0f} MW (up to {s['max_it_mw']:,.0f} MW)"
        )
        rows.append(f"site cost EUR {s.get('cost_eur_per_yr', 0.0) / 1e6:,.1f} m/yr")
        year = s.get("connect_year")
        if isinstance(year, float) and year == year:  # a build-out: its first milestone
            rows.append(f"new capacity from the {year:.0f} milestone on")
    elif s["existing_it_mw"] > 0:
        rows.append(f"existing IT {s['existing_it_mw']:,.0f} MW, nothing new")
    else:
        rows.append(f"candidate up to {s['max_it_mw']:,.0f} MW, not built")
    reason = s.get("excluded_reason")
    if isinstance(reason, str) and reason:
        rows.append(f"excluded: {reason}")
    return _tip(rows)


def _zones_svg(f: _Frame, zones: gpd.GeoDataFrame, mix: Any) -> list[str]:
    out = []
    for _, z in zones.iterrows():
        geom = z.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
        row = mix.loc[z["zone_id"]].to_dict() if z["zone_id"] in mix.index else {}
        out.append(f'<path class="zone" data-zone-id="{html.escape(str(z["zone_id"]))}" d="{f.path(geom)}" '
                   f'fill="{LAND_COLOUR}" stroke="{OUTLINE_COLOUR}" stroke-width="0.6" '
                   f'data-tip="{_zone_tip(z.to_dict(), row)}"/>')  # fmt: skip
    return out


def _areas_svg(f: _Frame, areas: Mapping[str, gpd.GeoDataFrame] | None, zones: Any,
               water_limit: float | None) -> list[str]:  # fmt: skip
    out = []
    if water_limit is not None and "water_stress" in zones.columns:
        for _, z in zones[zones["water_stress"].astype(float) > water_limit].iterrows():
            geom = z.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
            out.append(
                f'<path d="{f.path(geom)}" fill="url(#water)" stroke="none" pointer-events="none"/>'
            )
    for key, gdf in (areas or {}).items():
        colour, _, words = AREA_STYLE.get(key, ("#424242", "", key))
        for _, a in gdf.iterrows():
            until = a.get("until_year")
            when = f", until {int(until)}" if until is not None and np.isfinite(until) else ""
            tip = _tip(
                [
                    f"{a.get('name', key)}",
                    f"{words}{when}",
                    f"{int(a.get('n_sites', 0))} candidate sites inside",
                ]
            )
            out.append(f'<path d="{f.path(a.geometry)}" fill="url(#hatch-{key})" stroke="{colour}" '
                       f'stroke-width="1" data-tip="{tip}"/>')  # fmt: skip
    return out


def _links_svg(f: _Frame, links: gpd.GeoDataFrame | None) -> list[str]:
    out: list[str] = []
    if links is None:
        return out
    for _, link in links.iterrows():
        mw = float(link.get("mean_flow_mw", 0.0))
        width = 0.8 + 3.0 * mw / 2000.0
        tip = _tip([f"link {link.get('link_id', '')}: {link['from_zone']} - {link['to_zone']}",
                    f"capacity {link['capacity_mw']:,.0f} MW, mean flow {mw:,.0f} MW",
                    f"utilisation {link.get('utilisation', 0.0):.0%}"])  # fmt: skip
        out.append(f'<path d="{f.path(link.geometry)}" fill="none" stroke="{LINK_COLOUR}" '
                   f'stroke-opacity="0.55" stroke-width="{width:.2f}" stroke-linecap="round" data-tip="{tip}"/>')  # fmt: skip
    return out


def _service_svg(f: _Frame, demand: Any, service: Any, areas: Any) -> list[str]:
    out: list[str] = []
    if demand is None or not len(demand):
        return out
    for geom in [] if areas is None else areas.geometry:
        out.append(f'<path d="{f.path(geom.boundary)}" fill="none" stroke="{SERVICE_COLOUR}" '
                   f'stroke-opacity="0.35" stroke-dasharray="6 4" stroke-width="0.8" pointer-events="none"/>')  # fmt: skip
    for _, s in [] if service is None else service.iterrows():
        width = 0.6 + 1.6 * min(s["served_it_mw"], 1000.0) / 1000.0
        out.append(f'<path d="{f.path(s.geometry)}" stroke="{SERVICE_COLOUR}" stroke-opacity="0.6" '
                   f'stroke-width="{width:.2f}" pointer-events="none"/>')  # fmt: skip
    for _, d in demand.iterrows():
        rows = [f"{d.get('name') or d['demand_id']} (inference demand)"]
        for col, words in (("inference_it_mw", "inference"), ("served_it_mw", "served")):
            if col in d:
                rows.append(f"{words} {d[col]:,.0f} MW IT")
        if "max_rtt_ms" in d and np.isfinite(d["max_rtt_ms"]):
            rows.append(f"RTT budget {d['max_rtt_ms']:g} ms")
        x, y = f.xy(d.geometry.x, d.geometry.y).split(",")
        out.append(f'<rect x="{float(x) - 4:.1f}" y="{float(y) - 4:.1f}" width="8" height="8" '
                   f'transform="rotate(45 {x} {y})" fill="{SERVICE_COLOUR}" stroke="#fff" '
                   f'stroke-width="0.6" data-tip="{_tip(rows)}"/>')  # fmt: skip
    return out


def _pies_svg(f: _Frame, zones: gpd.GeoDataFrame, mix: Any, sites_xy: np.ndarray,
              sites_r: np.ndarray) -> list[str]:  # fmt: skip
    from siting.plots.zone_mix import MIN_PIE_GW, pie_centre

    table = default_table()
    out = []
    geoms = zones.set_index("zone_id").geometry
    totals = mix.sum(axis=1).sort_values(ascending=False) / 1e3
    for zone_id, gw in totals.items():
        if gw < MIN_PIE_GW:
            continue
        r = KM_PER_SQRT_GW * np.sqrt(gw) * 1e3
        c = pie_centre(geoms[zone_id], r, sites_xy, sites_r)
        sites_xy, sites_r = np.vstack([sites_xy, [c.x, c.y]]), np.append(sites_r, r)
        tip = _tip([f"new clean capacity in {zone_id}: {gw:,.1f} GW"] + [
            f"{table.label(t)} {_mw(mw)} ({mw / (gw * 1e3):.0%})" for t, mw in mix.loc[zone_id].items() if mw > 0
        ])  # fmt: skip
        out.append(f'<g class="pie" data-zone-id="{html.escape(str(zone_id))}" data-tip="{tip}">')
        start = 0.0
        for tech, mw in mix.loc[zone_id].items():
            if mw <= 0:
                continue
            share = mw / (gw * 1e3)
            out.append(_wedge(f, c.x, c.y, r, start, start + share, table.colour(tech)))
            start += share
        out.append("</g>")
    return out


def _wedge(f: _Frame, x: float, y: float, r: float, a0: float, a1: float, colour: str) -> str:
    """One wedge from share ``a0`` to ``a1`` of the circle, clockwise from twelve o'clock."""
    if a1 - a0 >= 0.9999:
        cx, cy = f.xy(x, y).split(",")
        return f'<circle cx="{cx}" cy="{cy}" r="{r / 1e3:.1f}" fill="{colour}" stroke="#fff" stroke-width="0.5"/>'
    p0 = f.xy(x + r * np.sin(2 * np.pi * a0), y + r * np.cos(2 * np.pi * a0))
    p1 = f.xy(x + r * np.sin(2 * np.pi * a1), y + r * np.cos(2 * np.pi * a1))
    large = 1 if a1 - a0 > 0.5 else 0
    return (f'<path d="M{f.xy(x, y)} L{p0} A{r / 1e3:.1f},{r / 1e3:.1f} 0 {large} 1 {p1}Z" '
            f'fill="{colour}" stroke="#fff" stroke-width="0.5"/>')  # fmt: skip


def _sites_svg(f: _Frame, sites: gpd.GeoDataFrame) -> list[str]:
    out = []
    order = (sites["existing_it_mw"] + sites["new_it_mw"]).sort_values(ascending=False).index
    colours = dict(zip(sites.index, site_colours(sites), strict=True))  # by connection year
    for i in order[::-1]:  # largest drawn last: on top
        s = sites.loc[i]
        x, y = f.xy(s.geometry.x, s.geometry.y).split(",")
        total = s["existing_it_mw"] + s["new_it_mw"]
        code = s.get("exclusion")
        attrs = f'class="site" data-site-id="{html.escape(str(s["site_id"]))}" data-tip="{_site_tip(s.to_dict())}"'
        if s["new_it_mw"] > 0:
            r = KM_PER_SQRT_MW * np.sqrt(total)
            out.append(f'<circle {attrs} tabindex="0" cx="{x}" cy="{y}" r="{r:.1f}" fill="{colours[i]}" '
                       f'fill-opacity="0.78" stroke="#fff" stroke-width="0.8"/>')  # fmt: skip
        elif s["existing_it_mw"] > 0:
            r = KM_PER_SQRT_MW * np.sqrt(total)
            out.append(f'<circle {attrs} cx="{x}" cy="{y}" r="{r:.1f}" fill="#fff" fill-opacity="0.01" '
                       f'stroke="{EXISTING_COLOUR}" stroke-width="1.6"/>')  # fmt: skip
        elif isinstance(code, str) and code in EXCLUDED_STYLE:
            marker, colour, _ = EXCLUDED_STYLE[code]
            cx, cy = float(x), float(y)
            shape = (f"M{cx - 10:.1f},{cy:.1f} h20 M{cx:.1f},{cy - 10:.1f} v20" if marker == "+"
                     else f"M{cx - 8:.1f},{cy - 8:.1f} l16,16 m0,-16 l-16,16")  # fmt: skip
            out.append(f'<path {attrs} d="{shape}" '
                       f'stroke="{colour}" stroke-width="2" fill="none"/>')  # fmt: skip
        else:
            out.append(f'<circle {attrs} cx="{x}" cy="{y}" r="4" fill="{IDLE_COLOUR}"/>')
    return out


def _patterns() -> str:
    hatches = "".join(
        f'<pattern id="hatch-{k}" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="{c}" '
        f'stroke-width="{1.6 if h else 0}" stroke-opacity="0.7"/></pattern>'
        for k, (c, h, _) in AREA_STYLE.items()
    )
    water = ('<pattern id="water" width="10" height="10" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="10" stroke="#4fc3f7" '
             'stroke-width="2"/></pattern>')  # fmt: skip
    return f"<defs>{hatches}{water}</defs>"


def _hosting_svg(f: _Frame, zones: gpd.GeoDataFrame) -> list[str]:
    """Outlines of the zones at their hosting limit (drawn over the areas, under the sites)."""
    return [f'<path d="{f.path(z.geometry.simplify(SIMPLIFY_M, preserve_topology=True))}" '
            f'fill="none" stroke="{HOSTING_COLOUR}" stroke-width="1.8" pointer-events="none"/>'
            for _, z in zones[hosting_full(zones)].iterrows()]  # fmt: skip


def _key(mix: Any, layers: Mapping[str, Any], water: bool) -> str:
    table = default_table()
    sites = layers["sites"]
    years = connection_years(sites)
    colours = dict(zip(sites["connect_year"], site_colours(sites), strict=True)) if years else {}
    items = [
        f'<span><i class="sw" style="background:{colours[float(y)]}"></i>site with new IT '
        f'connected by {y} (area: MW)</span>' for y in years
    ] or [
        f'<span><i class="sw" style="background:{NEW_COLOUR}"></i>site with new IT (area: MW)</span>',
    ]  # fmt: skip
    items += [
        f'<span><i class="sw" style="border:2px solid {EXISTING_COLOUR}"></i>existing only</span>',
        f'<span><i class="sw" style="background:{IDLE_COLOUR};width:7px;height:7px"></i>candidate, not built</span>',
        f'<span><i class="sw sq" style="background:{LINK_COLOUR};height:3px"></i>link (width: mean flow)</span>',
    ]  # fmt: skip
    items += [
        f'<span><i class="sw sq" style="background:{table.colour(t)}"></i>{html.escape(table.label(t))}</span>'
        for t in mix.columns
    ]  # fmt: skip
    codes = (
        set(layers["sites"].get("exclusion", []).dropna())
        if "exclusion" in layers["sites"]
        else set()
    )
    items += [f'<span style="color:{c}">&#x2715; {html.escape(w)}</span>'
              for k, (_, c, w) in EXCLUDED_STYLE.items() if k in codes]  # fmt: skip
    items += [f'<span style="color:{AREA_STYLE[k][0]}">&#x25A7; {html.escape(AREA_STYLE[k][2])}</span>'
              for k in AREA_STYLE if k in layers]  # fmt: skip
    if water:
        items.append('<span style="color:#0288d1">&#x25A8; water stress above the limit</span>')
    if hosting_full(layers["zones"]).any():
        items.append(f'<span><i class="sw sq" style="border:2px solid {HOSTING_COLOUR}"></i>'
                     "grid at its hosting limit</span>")  # fmt: skip
    if layers.get("demand") is not None:
        items.append(
            f'<span style="color:{SERVICE_COLOUR}">&#x25C6; inference demand, its reach dashed</span>'
        )
    items.append("<span>pies: new clean capacity per zone (area: GW)</span>")
    return f'<div class="key">{"".join(items)}</div>'


def map_fragment(
    layers: Mapping[str, Any],
    summary: Mapping[str, Any],
    name: str,
    *,
    map_id: str = "map",
    extent: tuple[float, float, float, float] | None = None,
    water_limit: float | None = None,
) -> str:
    """One run's interactive map as an HTML ``<figure>`` (SVG, tooltips' box, key).

    Parameters
    ----------
    layers
        The run's result layers by name (``zones``, ``sites``, ``links`` and, where the
        run has them, ``demand``, ``service``, ``service_areas``, the policy areas).
    summary, name
        The run's ``summary.json`` and scenario name, for the caption.
    map_id
        The figure's HTML id (unique within a page).
    extent
        ``(x0, x1, y0, y1)`` [m]; default the zones' padded bounds.
    water_limit
        ``policy.max_water_stress``: zones above it are hatched.
    """
    zones, sites = layers["zones"], layers["sites"]
    f = _Frame(extent or padded_extent(scope_bounds(zones)))
    mix = zone_mix_mw(zones)
    total = (sites["existing_it_mw"] + sites["new_it_mw"]).to_numpy()
    built = total > 0
    sites_xy = np.column_stack([sites.geometry.x, sites.geometry.y])[built]
    sites_r = KM_PER_SQRT_MW * np.sqrt(total[built]) * 1e3
    areas = {k: layers[k] for k in AREA_STYLE if k in layers}
    water = water_limit is not None and "water_stress" in zones.columns and bool(
        (zones["water_stress"].astype(float) > water_limit).any())  # fmt: skip
    body = [
        *_zones_svg(f, zones, mix),
        *_areas_svg(f, areas, zones, water_limit),
        *_hosting_svg(f, zones),
        *_links_svg(f, layers.get("links")),
        *_service_svg(f, layers.get("demand"), layers.get("service"), layers.get("service_areas")),
        *_pies_svg(f, zones, mix, sites_xy, sites_r),
        *_sites_svg(f, sites),
    ]
    title = html.escape(map_title(summary, name).replace("\n", " · "))
    return (
        f'<figure class="smap" id="{html.escape(map_id)}">'
        '<div class="bar"><button type="button" data-zoom="0.67" aria-label="zoom in">+</button>'
        '<button type="button" data-zoom="1.5" aria-label="zoom out">&#x2212;</button>'
        '<button type="button" data-zoom="0">reset</button>'
        '<span style="color:#616161">hover or tab to a site, zone, pie or link for its numbers; '
        "wheel to zoom, drag to pan</span></div>"
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{f.view_box}" role="img" '
        f'aria-label="{title}">{_patterns()}<rect x="-5000" y="-5000" width="20000" height="20000" '
        f'fill="{SEA_COLOUR}"/>{"".join(body)}</svg>'
        '<div class="tip" role="tooltip"></div>'
        f"{_key(mix, layers, water)}<figcaption>{title}. ETRS89-LAEA (EPSG:3035); outlines "
        "Made with Natural Earth.</figcaption></figure>"
    )


def map_page(fragments: list[str], title: str) -> str:
    """A whole offline HTML page around one or more :func:`map_fragment` figures."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>body{{margin:1rem auto;max-width:1100px;padding:0 1rem}}"
        f"{MAP_CSS}</style></head><body>{''.join(fragments)}<script>{MAP_JS}</script></body></html>\n"
    )


def save_map_html(
    path: Path, layers: Mapping[str, Any], summary: Mapping[str, Any], name: str,
    water_limit: float | None = None,
) -> Path:  # fmt: skip
    """Write one run's ``map.html`` beside its target and rename it over it (never half-written)."""
    text = map_page(
        [map_fragment(layers, summary, name, water_limit=water_limit)], f"siting: {name}"
    )
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)
    return path
