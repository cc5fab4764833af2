"""Load test of the running app: concurrent headless-Chromium sessions editing different
scenarios against one local `streamlit run app.py` (a free port picked at run time).

Each session opens its own scenario from a share link (statement names unique to the
session), then for LOAD_SECONDS edits the discount again and again and times how long the
cost figure takes to change (edit-to-figure). Checked all along: no error or traceback on any
page, no page ever shows another session's statement names. The server's resident memory
(streamlit and its children) is sampled every half second.

    LOAD_SESSIONS=20 LOAD_SECONDS=180 python bench/bench_load.py

Prints e.g. `load: 20 sessions x 180 s, 412 edits, edit-to-figure p50 1.9 s p95 4.8 s, peak
server RSS 620 MB, errors 0, cross-session 0`; exits 1 when any error or leak was seen.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streamlit_server import streamlit_app  # noqa: E402

from estimator.ui import share  # noqa: E402

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "180"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
FIGURE_TIMEOUT_MS = 120_000
RAMP_SECONDS = float(os.environ.get("LOAD_RAMP_SECONDS", "2"))
"""Seconds between two sessions' first page loads (20 at once on 2 cores never load)."""


def scenario(k: int) -> dict:
    """Session k's scenario: its own statement names, rates and horizon."""
    return {
        "name": f"load session {k}",
        "horizon_minutes": 1440 * (1 + k % 3),
        "pools": [{"name": "default", "max_cfu": 50}],
        "statements": [
            {
                "name": f"sess{k}_orders",
                "sql": "INSERT INTO o SELECT * FROM orders WHERE amount > 10",
                "profile": {
                    "shape": "daily",
                    "trough_rps": 500 + 10 * k,
                    "peak_rps": 5000 + 100 * k,
                },
            },
            {
                "name": f"sess{k}_totals",
                "sql": "INSERT INTO t SELECT user_id, COUNT(*) FROM orders GROUP BY user_id",
                "rps": 1000 + 50 * k,
            },
        ],
    }


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, in KB."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                pids += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))


async def session(browser: Any, url: str, k: int, deadline: float, out: dict[str, Any]) -> None:
    from playwright.async_api import expect

    own = f"sess{k}_"
    others = [f"sess{j}_" for j in range(SESSIONS) if j != k]
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    try:
        await asyncio.sleep(k * RAMP_SECONDS)  # people join a call one after another
        await page.goto(
            f"{url}/?{share.QUERY_KEY}={share.encode(scenario(k))}", timeout=FIGURE_TIMEOUT_MS
        )
        cost = page.get_by_test_id("stMetric").filter(has_text="Cost over").first
        await expect(cost).to_be_visible(timeout=FIGURE_TIMEOUT_MS)
        discount = page.get_by_role("spinbutton", name="Discount (%)")
        i = 0
        while time.monotonic() < deadline:
            i += 1
            before = await cost.inner_text()
            value = str((k + i) % 90 + 1)
            await discount.fill(value)
            start = time.monotonic()
            await discount.press("Enter")
            await expect(cost).not_to_have_text(before, timeout=FIGURE_TIMEOUT_MS)
            out["latencies"].append(time.monotonic() - start)
            html = await page.content()
            if "Traceback" in html or await page.get_by_test_id("stException").count():
                out["errors"].append(f"session {k}: an exception on the page")
            if own not in html:
                out["errors"].append(f"session {k}: its own statements are gone")
            leaked = [o for o in others if o in html]
            if leaked:
                out["leaks"].append(f"session {k} saw {', '.join(leaked)}")
    except Exception as exc:  # a timeout or a dead page: counted, the run goes on
        out["errors"].append(f"session {k}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()


async def drive(url: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"latencies": [], "errors": [], "leaks": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + SECONDS
        await asyncio.gather(*(session(browser, url, k, deadline, out) for k in range(SESSIONS)))
        await browser.close()
    return out


def main() -> int:
    if not Path(CHROMIUM).exists():
        print("load: skipped (needs Debian's chromium: make system-deps)")
        return 0
    log_path = Path(tempfile.gettempdir()) / f"bench_load_{os.getpid()}.log"
    try:
        with streamlit_app(log_path) as app:
            sampler = Sampler(app.pid)
            sampler.start()
            try:
                out = asyncio.run(drive(app.url))
            finally:
                sampler.stop.set()
    except RuntimeError as exc:
        print(f"load: {exc}")
        return 1
    lat = sorted(out["latencies"])
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else float("nan")
    print(
        f"load: {SESSIONS} sessions x {SECONDS:.0f} s, {len(lat)} edits, edit-to-figure "
        f"p50 {p50:.2f} s p95 {p95:.2f} s, peak server RSS {sampler.peak_kb / 1024:.0f} MB, "
        f"errors {len(out['errors'])}, cross-session {len(out['leaks'])}"
    )
    for line in (out["errors"] + out["leaks"])[:10]:
        print(f"  {line}")
    return 1 if out["errors"] or out["leaks"] or not lat else 0


if __name__ == "__main__":
    sys.exit(main())
