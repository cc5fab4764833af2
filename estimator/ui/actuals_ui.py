"""The Actuals tab: upload Confluent Cloud metrics, see them next to the estimate, and use the
observed records/s per CFU.

The file is read in memory (at most 5 MB, like a scenario) with estimator.actuals: nothing in it
is opened or fetched. "Use observed rates" writes each fitted rate into the working scenario as
the statement's `records_per_cfu_second` (with its source), so the estimate re-runs with them.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pandas as pd
import streamlit as st

from estimator import actuals
from estimator.actuals.charts import estimate_vs_actual
from estimator.actuals.reconcile import COMPARED, Reconciliation
from estimator.actuals.samples import parse_time
from estimator.estimate import Estimate
from estimator.scenario import scenario_to_dict
from estimator.ui import state

LOG = logging.getLogger("estimator.ui")

UPLOAD = "actuals_upload"
MAP = "actuals_map"
START = "actuals_start"
CACHE = "actuals_cache"  # (key, Reconciliation | str error)
APPLY_LABEL = "Use observed rates"
MAX_MB = actuals.MAX_ACTUALS_BYTES // (1024 * 1024)


def parse_mapping(text: str) -> tuple[dict[str, str], list[str]]:
    """`actual=scenario` lines -> mapping, and the lines that could not be read."""
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        actual, sep, target = line.partition("=")
        if not sep or not actual.strip() or not target.strip():
            bad.append(line)
            continue
        mapping[actual.strip()] = target.strip()
    return mapping, bad


def compute(
    est: Estimate, data: bytes, mapping: dict[str, str], start: float | None
) -> Reconciliation | str:
    """The reconciliation, or the one-line reason the file cannot be used."""
    digest = hashlib.sha256(data).hexdigest()
    scenario_key = repr(scenario_to_dict(est.scenario))
    key = (digest, scenario_key, tuple(sorted(mapping.items())), start)
    held = st.session_state.get(CACHE)
    if held is not None and held[0] == key:
        result: Reconciliation | str = held[1]
        return result
    try:
        readout = actuals.read_text(data)
        result = actuals.reconcile(est.scenario, readout, mapping=mapping, start=start)
    except actuals.ActualsError as exc:
        result = str(exc)
    except Exception as exc:  # a bug of ours: say so, never stop the page
        LOG.exception("reconcile failed")
        result = f"internal error ({type(exc).__name__}: {exc})"
    st.session_state[CACHE] = (key, result)
    return result


def errors_frame(rec: Reconciliation) -> pd.DataFrame:
    """One row per statement: actual and estimated CFU-minutes, error, rates."""
    out = actuals.to_dict(rec)
    rows = [
        {
            "Statement": s["name"],
            "In the metrics as": s["actual_name"] or "",
            "Status": s["status"],
            "Actual CFU-min": s["actual_cfu_minutes"],
            "Estimated CFU-min": s["estimated_cfu_minutes"],
            "Error %": s["error_pct"],
            "Actual $": s["actual_cost_usd"],
            "Estimated $": s["estimated_cost_usd"],
            "Peak CFU actual": s["actual_peak_cfu"],
            "Peak CFU estimated": s["estimated_peak_cfu"],
            "Observed rec/s per CFU": s["observed_records_per_cfu_second"],
            "Fitted rec/s per CFU": s["fitted_records_per_cfu_second"],
            "Error % with observed rate": s["refit_error_pct"],
        }
        for s in out["statements"]
    ]
    t = out["totals"]
    rows.append(
        {
            "Statement": "TOTAL (billed)",
            "In the metrics as": "",
            "Status": "",
            "Actual CFU-min": t["actual_cfu_minutes"],
            "Estimated CFU-min": t["estimated_cfu_minutes"],
            "Error %": t["error_pct"],
            "Actual $": t["actual_cost_usd"],
            "Estimated $": t["estimated_cost_usd"],
            "Peak CFU actual": None,
            "Peak CFU estimated": None,
            "Observed rec/s per CFU": t["observed_records_per_cfu_second"],
            "Fitted rec/s per CFU": None,
            "Error % with observed rate": t["refit_error_pct"],
        }
    )
    return pd.DataFrame(rows)


def on_apply(rates: dict[str, tuple[float, str]]) -> None:
    """Write the fitted rates into the working scenario (a button callback)."""
    w = state.work()
    present = {s.get("name") for s in w.get("statements", []) if isinstance(s, dict)}
    usable = {k: v for k, v in rates.items() if k in present}
    if not usable:
        st.session_state[state.NOTICE] = (
            "warning",
            "None of the fitted statements is in the scenario any more: nothing changed.",
        )
        return
    st.session_state[state.WORK] = actuals.with_rates(w, usable)
    st.session_state[state.NOTICE] = (
        "success",
        f"Using the observed records/s per CFU of {', '.join(usable)}: the estimate now runs "
        "with them (see Assumptions).",
    )


def _inputs() -> tuple[Any, dict[str, str], float | None, list[str]]:
    up = st.file_uploader(
        "Metrics file",
        type=["json", "txt", "prom", "csv"],
        key=UPLOAD,
        max_upload_size=MAX_MB,
        help=(
            "A Metrics API query response (JSON), scrapes of the export endpoint "
            f"(Prometheus/OpenMetrics text) or a CSV timestamp,statement,metric,value; at most "
            f"{MAX_MB} MB."
        ),
    )
    left, right = st.columns(2)
    with left:
        text = st.text_area(
            "Renamed statements",
            key=MAP,
            height=80,
            placeholder="fraud-join-v2=fraud_join",
            help="One `name in the metrics=scenario statement` (or compute pool id=pool) a line.",
        )
    with right:
        start_text = st.text_input(
            "Horizon start (UTC)",
            key=START,
            placeholder="2026-11-30T10:00Z (default: the first point)",
        )
    problems: list[str] = []
    mapping, bad = parse_mapping(text or "")
    problems += [f"Renamed statements: cannot read {line!r}; write ACTUAL=NAME" for line in bad]
    start = None
    if start_text and start_text.strip():
        start = parse_time(start_text)
        if start is None:
            problems.append(f"Horizon start: {start_text!r} is not an ISO 8601 time")
    return up, mapping, start, problems


def tab(est: Estimate | None, stale: bool) -> None:
    st.caption(
        "Compare the estimate with what the statements really used on Confluent Cloud: "
        "statement_utilization/current_cfus, num_records_in, pending_records per statement and "
        "the compute pool's cfu_minutes_consumed (Confluent Cloud Metrics API)."
    )
    up, mapping, start, input_problems = _inputs()
    for line in input_problems:
        st.warning(line, icon=":material/report:")
    if est is None:
        st.info("Fix the scenario first: there is no estimate to compare with.")
        return
    if up is None:
        st.info("Upload a metrics file to compare it with this estimate.")
        return
    if stale:
        st.caption(":material/info: Compared with the last valid version of the scenario.")
    result = compute(est, up.getvalue(), mapping, start)
    if isinstance(result, str):
        st.error(f"The metrics file cannot be used: {result}", icon=":material/error:")
        return
    rec = result
    _summary(rec)
    if rec.problems:
        with st.expander(f"{len(rec.problems)} problem(s) with the metrics (the rest compared)"):
            st.markdown("\n".join(f"- {p}" for p in rec.problems))
    st.dataframe(
        errors_frame(rec),
        hide_index=True,
        width="stretch",
        key="actuals_table",
        column_config={
            "Error %": st.column_config.NumberColumn(
                format="%+.1f", help="(estimated - actual) / actual: + means the estimate is high."
            ),
            "Error % with observed rate": st.column_config.NumberColumn(
                format="%+.1f", help="The error once the observed rates are used."
            ),
            "Actual $": st.column_config.NumberColumn(format="$%.4f"),
            "Estimated $": st.column_config.NumberColumn(format="$%.4f"),
        },
    )
    rates = rec.fitted_rates()
    st.button(
        APPLY_LABEL,
        key="actuals_apply",
        on_click=on_apply,
        args=(rates,),
        disabled=not rates or stale,
        help="Write each fitted records/s per CFU into the scenario as records_per_cfu_second.",
        icon=":material/published_with_changes:",
    )
    for row in rec.statements:
        if row.status == COMPARED:
            st.plotly_chart(
                estimate_vs_actual(rec, row.name),
                key=f"actuals_chart_{row.name}",
                config={"displaylogo": False},
            )


def _summary(rec: Reconciliation) -> None:
    a, e = rec.actual_cfu_minutes, rec.estimated_cfu_minutes
    cols = st.columns(3)
    cols[0].metric("Actual CFU-minutes", f"{a:,.0f}", help=f"{rec.start_time} to {rec.end_time}")
    cols[1].metric(
        "Estimated CFU-minutes",
        f"{e:,}",
        delta=None if rec.error_pct is None else f"{rec.error_pct:+.1f}%",
        delta_color="off",
    )
    cols[2].metric(
        "Bill from actuals",
        f"${rec.cost(a):,.4f}",
        help=f"Estimate: ${rec.cost(e):,.4f} at the same price and discount.",
    )
