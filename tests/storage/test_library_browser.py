"""In a real headless Chromium, on SQLite and on PostgreSQL: save a scenario on the Library
page, open it by its short link, restart the app process, and open the link again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit_server import streamlit_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@contextmanager
def app_server(db_url: str, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port with the library at db_url; stopped at the end."""
    with streamlit_app(log_path, env={"DATABASE_URL": db_url}, start_seconds=90) as app:
        yield app.url


def test_save_open_by_link_restart_reopen(db_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    log = tmp_path / "streamlit.log"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with app_server(db_url, log) as url:
                page.goto(f"{url}/library")
                expect(page.get_by_role("heading", name="Scenario library")).to_be_visible(
                    timeout=60_000
                )
                form = page.get_by_test_id("stForm")
                form.get_by_label("Customer", exact=True).fill("Acme")
                form.get_by_label("Note", exact=True).fill("first cut")
                page.get_by_role("button", name="Save to the library").click()
                saved = page.get_by_text(re.compile(r"Saved .* version 1"))
                expect(saved).to_be_visible(timeout=60_000)
                match = re.search(r"\?id=([A-Za-z0-9_-]{12})", saved.inner_text())
                assert match, saved.inner_text()
                short_id = match.group(1)
                expect(page.get_by_role("link", name=short_id).first).to_be_visible()

                page.goto(f"{url}/?id={short_id}")
                expect(page.get_by_role("heading", name="Retail orders pipeline")).to_be_visible(
                    timeout=60_000
                )
                expect(page.get_by_text("version 1 of 1")).to_be_visible()
                cost = page.get_by_test_id("stMetric").filter(has_text="Monthly").first
                expect(cost).to_be_visible(timeout=60_000)
                monthly = cost.get_by_test_id("stMetricValue").inner_text()
                assert monthly.startswith("$")

            # A new app process: the link still opens the same version.
            with app_server(db_url, log) as url:
                page.goto(f"{url}/?id={short_id}")
                expect(page.get_by_role("heading", name="Retail orders pipeline")).to_be_visible(
                    timeout=60_000
                )
                expect(page.get_by_text("for Acme · version 1 of 1")).to_be_visible()
                again = page.get_by_test_id("stMetric").filter(has_text="Monthly").first
                expect(again.get_by_test_id("stMetricValue")).to_have_text(monthly, timeout=60_000)
                page.get_by_role("button", name="Save a copy to edit").click()
                name = page.get_by_label("Scenario name")
                expect(name).to_have_value("Retail orders pipeline", timeout=60_000)
                assert "id=" not in page.url
                assert page.get_by_test_id("stException").count() == 0
                assert "Traceback" not in page.content()
        finally:
            browser.close()
