"""End to end in a real headless Chromium: `streamlit run app.py`, as a user would use it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from streamlit_server import streamlit_app

from estimator.scenario import loads_scenario

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with streamlit_app(tmp_path / "streamlit.log") as app:
        yield app.url


def test_load_edit_download_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(server)
            cost = page.get_by_test_id("stMetric").filter(has_text="Cost over").first
            # First load: 10-30 s on this shared 2-core machine at load 8-16 (Plotly's bundle).
            expect(cost).to_be_visible(timeout=120_000)
            # The scenario name above the summary strip is painted, not hidden under it: its
            # field's pixels hold its grey fill and dark text (white would be something on top).
            name_box = page.get_by_label("Scenario name").bounding_box()
            assert name_box is not None
            shot = Image.open(io.BytesIO(page.screenshot(clip=name_box))).convert("L")
            counts = shot.histogram()  # pixels per grey level, 0 (black) to 255 (white)
            assert sum(counts[:250]) > sum(counts) / 2, "the scenario name's field is painted over"
            assert sum(counts[:120]) > 0, "the scenario name's text is not visible"

            # Load an example from the sidebar: the estimate follows.
            page.get_by_test_id("stSidebar").get_by_role("combobox").first.click()
            page.get_by_role("option", name="CFU curve").click()
            expect(page.get_by_test_id("stMetric").filter(has_text="CFU-hours")).to_contain_text(
                "2.17", timeout=30_000
            )
            chart = page.get_by_test_id("stPlotlyChart").first
            expect(chart).to_be_visible()
            charts_html = (
                "() => Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
                ".map(c => c.innerHTML).join('')"
            )
            before_chart = page.evaluate(charts_html)
            before_cost = cost.inner_text()

            # Edit a value: a discount of 50% halves the cost and redraws the bill.
            discount = page.get_by_role("spinbutton", name="Discount (%)")
            discount.fill("50")
            discount.press("Enter")
            expect(cost).not_to_have_text(before_cost, timeout=30_000)
            expect(cost).to_contain_text("$0.2275")
            # The hourly bill redraws with the discounted costs.
            page.wait_for_function(
                f"(before) => ({charts_html})() !== before", arg=before_chart, timeout=30_000
            )

            # Take the scenario away as YAML.
            page.get_by_role("tab", name="Share & export").click()
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("button", name="Scenario (YAML)").click()
            saved = tmp_path / info.value.suggested_filename
            info.value.save_as(saved)
            scenario = loads_scenario(saved.read_bytes())
            assert scenario.pricing.discount_pct == 50
            assert scenario.name.startswith("CFU curve")

            # Nothing on the page is an error or a traceback.
            assert page.get_by_test_id("stException").count() == 0
            assert page.get_by_test_id("stAlertContentError").count() == 0
            assert "Traceback" not in page.content()
            page.get_by_role("tab", name="Results").click()
            # The headline figures stay in view while the page scrolls (the summary strip).
            page.get_by_text("Compute pools", exact=True).scroll_into_view_if_needed()
            monthly = page.get_by_test_id("stMetric").filter(has_text="Monthly").first
            page.wait_for_function(
                "() => document.querySelector('[data-testid=stMain]').scrollTop > 500"
            )
            box = monthly.bounding_box()
            assert box is not None and 0 <= box["y"] < 300, box
            page.screenshot(path=str(tmp_path / "estimate.png"), full_page=True)
            assert (tmp_path / "estimate.png").stat().st_size > 10_000
        finally:
            browser.close()
