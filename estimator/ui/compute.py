"""Cached calls into the core, keyed on the scenario's JSON text.

Each function is pure: the same scenario JSON gives the same estimate, figures and files, so a
rerun after a widget interaction that changes nothing costs a cache look-up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import plotly.graph_objects as go
import streamlit as st

from estimator import charts, report
from estimator.errors import ScenarioError
from estimator.estimate import Estimate, estimate
from estimator.export import tables
from estimator.scenario import dumps_scenario, parse_scenario, scenario_to_dict
from estimator.sql import Classification, classify_statement, split_script
from estimator.timeline import PER_MINUTE_KEYS
from estimator.ui import work_budget
from estimator.ui.estimate_cache import EstimateCache
from estimator.uncertainty import EstimateRange, RangeDriver

CACHE_ENTRIES = 32

T = TypeVar("T")


def scenario_json(data: dict[str, Any]) -> str:
    """Validate a scenario dict (ScenarioError when invalid) and return its canonical JSON."""
    return json.dumps(scenario_to_dict(parse_scenario(data)), sort_keys=True)


_ESTIMATES = EstimateCache()
"""Every session's estimates, bounded in bytes overall and in entries per session."""


def _session_id() -> str:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
    except ImportError:  # pragma: no cover - older streamlit
        ctx = None
    return ctx.session_id if ctx is not None else "local"


def _bounded_estimate(text: str) -> Estimate:
    # `text` is always scenario_json's canonical JSON (never a user's file): read it as JSON,
    # 50x faster than the YAML reader, and validate it as every scenario is.
    scenario = parse_scenario(json.loads(text))
    return work_budget.run(scenario, lambda: estimate(scenario))


def get_estimate(text: str) -> Estimate:
    """The estimate of a scenario's canonical JSON, cached; ScenarioError (naming
    horizon_minutes) when it is more work than the app takes (estimator.ui.work_budget)."""
    return _ESTIMATES.get(text, _session_id(), lambda: _bounded_estimate(text))


def range_part(est: Estimate, read: Callable[[EstimateRange], T]) -> T | None:
    """read(the estimate's range), None when it has none. The range's horizon figures and its
    drivers are worked out when first read (then kept with the estimate): that first read runs
    under the same work budget as the estimate, so a large one waits its turn like any large
    estimate."""
    spread = est.range
    if spread is None:
        return None
    return work_budget.run(est.scenario, lambda: read(spread))


def range_drivers(text: str) -> tuple[RangeDriver, ...]:
    """What drives the estimate's range (see range_part)."""
    return range_part(get_estimate(text), lambda r: r.drivers) or ()


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def figures(text: str) -> dict[str, go.Figure]:
    est = get_estimate(text)
    return {"cfu": charts.cfu_by_statement(est), "hourly": charts.hourly_bill(est)}


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def detail_figures(text: str, names: tuple[str, ...]) -> dict[str, go.Figure]:
    """Backlog, lag, input rate and capacity of the statements picked."""
    est = get_estimate(text)
    return {
        "backlog": charts.backlog_and_lag(est, names),
        "traffic": charts.traffic(est, names),
    }


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def downloads(text: str) -> dict[str, bytes]:
    """The small files a user can take away at once, by file extension (the JSON, which holds
    the range drivers, is `estimate_json`, built on click)."""
    est = get_estimate(text)
    return {
        "yaml": dumps_scenario(est.scenario, "yaml").encode("utf-8"),
        "csv": report.to_csv(est).encode("utf-8"),
    }


@st.cache_data(max_entries=4, show_spinner=False)
def estimate_json(text: str) -> bytes:
    """The CLI's JSON of the estimate (built when the user asks for it: finding the range
    drivers simulates the horizon a few times more)."""
    est = get_estimate(text)
    return (json.dumps(report.to_dict(est), indent=2) + "\n").encode("utf-8")


@st.cache_data(max_entries=4, show_spinner=False)
def workbook(text: str) -> bytes:
    """The xlsx workbook (built when the user asks for it: it takes a second or two)."""
    from estimator.export.xlsx import workbook_bytes

    return workbook_bytes(get_estimate(text))


@st.cache_data(max_entries=4, show_spinner=False)
def handout(text: str, link: str) -> bytes:
    """The customer handout PDF (built when the user asks for it)."""
    from estimator.export.pdf import pdf_bytes

    return pdf_bytes(get_estimate(text), link)


def per_minute_csv(text: str) -> bytes:
    """The per-minute table of an estimate, at most tables.PER_MINUTE_JSON_ROWS rows (built
    only when the user asks for it; per_minute_tip says when rows are left out)."""
    import io

    est = get_estimate(text)
    buf = io.StringIO()
    buf.write(",".join(PER_MINUTE_KEYS) + "\r\n")
    left = tables.PER_MINUTE_JSON_ROWS
    for frame in tables.per_minute_frames(tables.timeline_pieces(est)):
        if left <= 0:
            break
        frame.head(left).to_csv(buf, index=False, header=False, lineterminator="\r\n")
        left -= len(frame)
    return buf.getvalue().encode("utf-8")


def per_minute_tip(text: str) -> str:
    """What the per-minute download holds, and where to get every row when it is capped."""
    note = tables.per_minute_limit_note(get_estimate(text))
    return note or "CFUs, rate, backlog and lag of every statement for every minute."


@st.cache_data(max_entries=2048, show_spinner=False)
def classify(sql: str) -> Classification:
    return classify_statement(sql)  # never raises: unreadable SQL comes back as "unknown"


def split(text: str) -> list[str]:
    """The statements of a pasted script (the SQL package's splitter)."""
    return [s.text.strip() for s in split_script(text) if s.text.strip()]


def check(data: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(canonical JSON, []) for a valid scenario dict, or (None, problems)."""
    try:
        return scenario_json(data), []
    except ScenarioError as exc:
        return None, exc.problems
