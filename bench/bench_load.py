"""Load test of the running app: concurrent headless-Chromium sessions editing different
scenarios against one local `streamlit run app.py` (a free port picked at run time).

Each session opens its own scenario from a share link (statement names unique to the
session), then for LOAD_SECONDS edits the discount, times how long the cost figure takes to
change (edit-to-figure), reads the result for LOAD_THINK_SECONDS (a presenter talking to the
figure; 0 edits back to back) and edits again. Checked all along: no error or traceback on any
page, no page ever shows another session's statement names. The server's resident memory
(streamlit and its children) is sampled every half second, and the CPU time used by the server
and by the browsers is counted apart.

The browsers stand in for 20 people's own computers but share this machine with the server.
Measured here, one Chromium page takes about 11 s of CPU to load the workbench (6 s of it
Streamlit's and plotly's JavaScript) and 2 s per edit; the server about 1 s and 0.9 s. On 2
cores that sets the pace: people join LOAD_RAMP_SECONDS apart and edit every
LOAD_THINK_SECONDS or so (a presenter talks to each new figure); 20 pages editing back to back
measure the load generator, not the server. The server's CPU per edit, printed, is what sizes
a server for a team.

    LOAD_SESSIONS=20 LOAD_SECONDS=360 python bench/bench_load.py

Prints e.g. `load: 20 sessions x 360 s (join 10 s apart, think 40 s), 20 joined (link to
first figure p50 12.0 s max 30.1 s), 112 edits (min 5 a session), edit-to-figure p50 1.9 s p95
4.8 s max 6.0 s, server RSS 70 -> peak 390 MB, CPU server 120 s browsers 500 s (1.07 s and
4.46 s an edit, page loads included), errors 0, cross-session 0`; exits 1 when any error or
leak was seen.
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
SECONDS = float(os.environ.get("LOAD_SECONDS", "360"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
FIGURE_TIMEOUT_MS = 180_000
RAMP_SECONDS = float(os.environ.get("LOAD_RAMP_SECONDS", "10"))
"""Seconds between two sessions' first page loads (a page load is about 15 s of CPU)."""
THINK_SECONDS = float(os.environ.get("LOAD_THINK_SECONDS", "40"))
"""Seconds, on average, a session reads its new figure before the next edit (0: back to back)."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def _tree(pid: int) -> list[int]:
    """A process and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    """User and system CPU of one process so far, in ticks (a process seen alive is counted)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0


def _browser_pids() -> list[int]:
    """Every running Chromium process on the machine (the benchmark's own)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="ascii") as fh:
                    name = fh.read()
            except OSError:
                continue
            if "chrom" in name or "headless" in name:
                pids.append(int(entry))
    return pids


class Sampler(threading.Thread):
    """Every half second: the server's resident memory, and the CPU each process has used."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.first_kb, self.peak_kb = _rss_kb(pid), 0
        self.server_ticks: dict[int, int] = {}
        self.browser_ticks: dict[int, int] = {}
        self.server_start = sum(_cpu_ticks(p) for p in _tree(pid))

    def run(self) -> None:
        while not self.stop.wait(0.5):
            pids = _tree(self.pid)
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))
            for p in pids:
                self.server_ticks[p] = max(self.server_ticks.get(p, 0), _cpu_ticks(p))
            for p in _browser_pids():
                self.browser_ticks[p] = max(self.browser_ticks.get(p, 0), _cpu_ticks(p))

    def server_cpu_s(self) -> float:
        return (sum(self.server_ticks.values()) - self.server_start) / CLOCK_TICKS

    def browser_cpu_s(self) -> float:
        return sum(self.browser_ticks.values()) / CLOCK_TICKS


async def session(browser: Any, url: str, k: int, deadline: float, out: dict[str, Any]) -> None:
    from playwright.async_api import expect

    own = f"sess{k}_"
    others = [f"sess{j}_" for j in range(SESSIONS) if j != k]
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    page = await context.new_page()
    try:
        await asyncio.sleep(k * RAMP_SECONDS)  # people join a call one after another
        opened = time.monotonic()
        await page.goto(
            f"{url}/?{share.QUERY_KEY}={share.encode(scenario(k))}", timeout=FIGURE_TIMEOUT_MS
        )
        cost = page.get_by_test_id("stMetric").filter(has_text="Cost over").first
        await expect(cost).to_be_visible(timeout=FIGURE_TIMEOUT_MS)
        out["joins"].append(time.monotonic() - opened)
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
            out["edits"][k] = i
            html = await page.content()
            if "Traceback" in html or await page.get_by_test_id("stException").count():
                out["errors"].append(f"session {k}: an exception on the page")
            if own not in html:
                out["errors"].append(f"session {k}: its own statements are gone")
            leaked = [o for o in others if o in html]
            if leaked:
                out["leaks"].append(f"session {k} saw {', '.join(leaked)}")
            await asyncio.sleep(THINK_SECONDS * (0.5 + (3 * k + 7 * i) % 11 / 10))
    except Exception as exc:  # a timeout or a dead page: counted, the run goes on
        state = await page.locator("[data-testid=stApp]").get_attribute(
            "data-test-script-state", timeout=5_000
        )
        first = str(exc).splitlines()[0][:160]
        out["errors"].append(f"session {k}: {type(exc).__name__}: {first} (script {state})")
    finally:
        await context.close()


async def drive(url: str) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"latencies": [], "joins": [], "errors": [], "leaks": [], "edits": [0] * SESSIONS}
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
    edits = max(len(lat), 1)
    joins = sorted(out["joins"])
    print(
        f"load: {SESSIONS} sessions x {SECONDS:.0f} s (join {RAMP_SECONDS:g} s apart, think "
        f"{THINK_SECONDS:g} s), {len(joins)} joined (link to first figure p50 "
        f"{statistics.median(joins) if joins else float('nan'):.1f} s max "
        f"{joins[-1] if joins else float('nan'):.1f} s), "
        f"{len(lat)} edits (min {min(out['edits'])} a session), "
        f"edit-to-figure p50 {p50:.2f} s p95 {p95:.2f} s max {lat[-1] if lat else 0:.2f} s, "
        f"server RSS {sampler.first_kb / 1024:.0f} -> peak {sampler.peak_kb / 1024:.0f} MB, "
        f"CPU server {sampler.server_cpu_s():.0f} s browsers {sampler.browser_cpu_s():.0f} s "
        f"({(sampler.server_cpu_s()) / edits:.2f} s and "
        f"{sampler.browser_cpu_s() / edits:.2f} s an edit, page loads included), "
        f"errors {len(out['errors'])}, cross-session {len(out['leaks'])}"
    )
    for line in (out["errors"] + out["leaks"])[:10]:
        print(f"  {line}")
    return 1 if out["errors"] or out["leaks"] or not lat else 0


if __name__ == "__main__":
    sys.exit(main())
