"""report.html opened in headless Chromium (Debian's, driven by Playwright) with the network cut off."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import REPO
from test_comparison import two_runs  # noqa: F401  (module fixture reused)

from siting.comparison import compare_runs

ARTIFACTS = REPO / "ci-artifacts"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run installs it with apt")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return path


def test_report_renders_offline_with_no_requests(two_runs, tmp_path) -> None:  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    out = compare_runs(two_runs, tmp_path)
    url = (out / "report.html").resolve().as_uri()
    requests: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)

        def gate(route: object) -> None:
            req_url = route.request.url  # type: ignore[attr-defined]
            if req_url == url or req_url.startswith("data:"):
                route.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(req_url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", gate)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])"
        )
        body = page.inner_text("body")
        kpi_visible = page.locator("table").first.is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-1400px.png"), full_page=True)
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
        browser.close()
    assert blocked == [], f"the report tried to reach {blocked}"
    assert [r for r in requests if r != url and not r.startswith("data:")] == []
    assert errors == []
    assert len(images) == 2 and all(ok and w > 500 and h > 300 for ok, w, h in images)
    assert "plain" in body and "cheap-grid" in body
    assert kpi_visible and "annualised cost" in body and "carbon-free energy score" in body
    assert (ARTIFACTS / "report-1400px.png").stat().st_size > 50_000
