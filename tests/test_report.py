"""report.html and map.html opened in headless Chromium (Debian's, driven by Playwright) with
the network cut off: no request leaves the page, no script error, and hovering a site shows
its MW from the run's own table."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import REPO
from test_comparison import two_runs  # noqa: F401  (module fixture reused)

import siting
from siting.commands.comparison import compare_runs

ARTIFACTS = REPO / "ci-artifacts"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run installs it with apt")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return path


@dataclass
class Visit:
    """What a page did while it was open."""

    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def offline_page(path: Path, width: int = 1400) -> Iterator[Visit]:
    """``path`` opened in Chromium with every request but the file itself aborted."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url = path.resolve().as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        context = browser.new_context(viewport={"width": width, "height": 900}, offline=True)
        page = context.new_page()
        visit = Visit(page)

        def gate(route: Any) -> None:
            if route.request.url == url or route.request.url.startswith("data:"):
                route.continue_()
            else:
                visit.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page.on("request", lambda r: visit.requests.append(r.url))
        page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.errors.append(str(e)))
        page.goto(url, wait_until="load")
        try:
            yield visit
        finally:
            browser.close()
        assert visit.blocked == [], f"the page tried to reach {visit.blocked}"
        assert [r for r in visit.requests if r != url and not r.startswith("data:")] == []
        assert visit.errors == []


def hover_tip(page: Any, selector: str) -> str:
    """Hover the element and return the text of its map's tooltip."""
    el = page.locator(selector).first
    el.scroll_into_view_if_needed()
    el.hover()
    tip = el.locator("xpath=ancestor::figure[1]").locator(".tip")
    tip.wait_for(state="visible", timeout=2000)
    return tip.inner_text()


def test_report_renders_offline_with_no_requests(two_runs, tmp_path) -> None:  # noqa: F811
    out = compare_runs(two_runs, tmp_path)
    with offline_page(out / "report.html") as visit:
        page = visit.page
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
        )
        body = page.inner_text("body")
        kpi_visible = page.locator("table").first.is_visible()
        maps = page.locator("figure.smap").count()
        sites = pd.read_csv(two_runs[1] / "tables" / "sites.csv")
        site = sites[sites["new_it_mw"] > 0].iloc[0]
        tip = hover_tip(page, f'#map-1 [data-site-id="{site["site_id"]}"]')
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-1400px.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    assert len(images) == 2 and all(ok and w > 500 and h > 300 for ok, w, h in images)
    assert "plain" in body and "cheap-grid" in body
    assert kpi_visible and "annualised cost" in body and "carbon-free energy score" in body
    assert maps == 2
    assert site["site_id"] in tip and f"new IT {site['new_it_mw']:,.0f} MW" in tip
    assert (ARTIFACTS / "report-1400px.png").stat().st_size > 50_000


@pytest.fixture(scope="module")
def policy_run(tmp_path_factory: pytest.TempPathFactory) -> siting.Run:
    out = tmp_path_factory.mktemp("html")
    # the hover test reads sites, not the grid exchange: the one-slice screening is quicker
    return siting.run(REPO / "configs" / "europe-2030-policy.yaml", out=out,
                      overrides=["carbon.annual_accounting=netted"])  # fmt: skip


def test_map_html_shows_each_built_sites_mw_on_hover(policy_run) -> None:
    sites = policy_run.table("sites")
    built = sites[sites["new_it_mw"] > 0].sort_values("new_it_mw")
    zones = policy_run.table("zones")
    with offline_page(policy_run.path / "map.html") as visit:
        page = visit.page
        drawn = page.locator("circle.site[data-site-id]").count()
        # the smallest and the largest built site, a zone and an excluded candidate
        tips = {sid: hover_tip(page, f'[data-site-id="{sid}"]')
                for sid in (built["site_id"].iloc[0], built["site_id"].iloc[-1])}  # fmt: skip
        zone = zones.sort_values("new_it_mw").iloc[-1]
        zone_tip = hover_tip(page, f'path.zone[data-zone-id="{zone["zone_id"]}"]')
        water = sites[sites["exclusion"] == "water"].iloc[0]
        excluded_tip = hover_tip(page, f'[data-site-id="{water["site_id"]}"]')
        page.mouse.wheel(0, -400)  # zoom in: the view box changes, nothing breaks
        view = page.locator("figure.smap svg").get_attribute("viewBox")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-html-policy.png"))
    assert drawn >= len(built)
    for sid, tip in tips.items():
        row = built.set_index("site_id").loc[sid]
        assert f"new IT {row['new_it_mw']:,.0f} MW" in tip and sid in tip
    assert (
        f"new IT {zone['new_it_mw']:,.0f} MW" in zone_tip
        or f"{zone['new_it_mw'] / 1e3:,.1f} GW" in zone_tip
    )
    assert "excluded: water stress" in excluded_tip
    assert view is not None and not view.startswith("0 0 ")


def test_map_html_is_in_the_manifest_and_redrawn_identically(policy_run) -> None:
    before = (policy_run.path / "map.html").read_bytes()
    assert "map.html" in policy_run.manifest["files"]
    assert b"http://" not in before.replace(b"http://www.w3.org/2000/svg", b"")
    assert b"https://" not in before
    policy_run.save_map()
    assert (policy_run.path / "map.html").read_bytes() == before
    assert policy_run.verify() == []


@pytest.mark.parametrize(
    ("value", "unit", "delta", "want"),
    [
        (0.0001, "share", False, "0.01 %"),  # solver.mip_gap: not "0"
        (0.35, "share", False, "35 %"),
        (0.99973, "share", False, "99.97 %"),
        (0.005, "share", True, "+0.5 pp"),  # a change of a share is in points
        (2026, "year", False, "2026"),  # not "2,026"
        (4.33e10, "EUR/yr", False, "43.30 bn"),
        (-1.2e8, "EUR/yr", True, "-120.00 m"),
        (300, "%", False, "300 %"),
        (0.0123, "", False, "0.0123"),
        (12_345.6, "MW", False, "12,346"),
        (True, "", False, "yes"),
        (float("nan"), "MW", False, "–"),
    ],
)
def test_cells_are_formatted_by_unit_and_magnitude(value, unit, delta, want) -> None:
    from siting.outputs.report import format_value

    assert format_value(value, unit, delta=delta) == want


def test_config_keys_carry_their_units() -> None:
    from siting.outputs.report import unit_of_key

    assert unit_of_key("solver.mip_gap") == "share"
    assert unit_of_key("policy.max_country_share") == "share"
    assert unit_of_key("carbon.cfe_target") == "share"
    assert unit_of_key("grid_connection.request_year") == "year"
    assert unit_of_key("target.increase_pct") == "%"
    assert unit_of_key("latency.max_rtt_ms") == ""
