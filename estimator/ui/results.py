"""What an estimate says: KPI cards, charts, cost tables, pool advice, assumptions, downloads."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from estimator import charts
from estimator.estimate import Estimate, StatementResult
from estimator.formatting import duration, money, number
from estimator.sizing import AdviceRecord
from estimator.ui import (
    advice_ui,
    calibrate_ui,
    compute,
    pages,
    projection_ui,
    range_ui,
    share,
    state,
)
from estimator.ui.inputs import kind_badge

MIME = {
    "yaml": "application/x-yaml",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def rate_source(s: StatementResult) -> str:
    """Where a statement's records/s per CFU comes from: measured, given, or the model."""
    tp = s.throughput
    if tp is None or tp.bound != "override":
        return "model"
    return "measured" if calibrate_ui.is_measured(tp.source) else "given"


STATUS: dict[str, str] = {
    "pending": "waited for CFUs",
    "pool_full": "pool full",
    "parallelism_one": "parallelism 1",
    "partitions": "needs {recommended_partitions} partitions",
    "statement_limit": "above a statement's CFU limit",
    "lag": "behind",
    "unbounded_state": "state grows without bound",
    "low_utilization": "light: could share",
}


def status(s: StatementResult) -> str:
    """A few words from the statement's advice records (the sentences are in the advice box)."""
    if s.error:
        return "not estimated"
    words = []
    for r in s.advice:
        if r.kind in STATUS:
            words.append(STATUS[r.kind].format(**r.numbers))
    return ", ".join(dict.fromkeys(words)) or "ok"


def lag_text(seconds: float) -> str:
    return "–" if seconds <= 0 else duration(seconds)


def statements_table(est: Estimate) -> None:
    rows = [
        {
            "Statement": s.name,
            "Pool": s.pool,
            "Kind": s.kind,
            "State TTL": bool(est.scenario.statements[i].state_ttl),
            "Records/s per CFU": None if s.kind == "ddl" else round(s.records_per_cfu_second),
            "From": "" if s.kind == "ddl" else rate_source(s),
            "Average CFUs": round(s.avg_cfu, 2),
            "Peak CFUs": s.peak_cfu,
            "CFU-minutes": s.cfu_minutes,
            "Cost": float(s.cost_usd),
            **range_ui.statement_columns(est, i),
            "Share of cost": s.cost_share,
            "Max lag": lag_text(s.max_lag_seconds),
            "Status": status(s),
        }
        for i, s in enumerate(est.statements)
    ]
    first = [
        "Statement",
        "Pool",
        "Kind",
        "Cost",
        "Cost range",
        "Share of cost",
        "Max lag",
        "Status",
    ]
    st.dataframe(
        pd.DataFrame(rows).sort_values("Cost", ascending=False),
        hide_index=True,
        width="stretch",
        column_order=[*first, *(c for c in rows[0] if c not in first)] if rows else None,
        column_config={
            "Records/s per CFU": st.column_config.NumberColumn(format="localized"),
            "State TTL": st.column_config.CheckboxColumn(
                width="small", help="Runs with sql.state-ttl (set in the script or the table)."
            ),
            "From": st.column_config.TextColumn(
                width="small",
                help="Where records/s per CFU comes from: the model, measured on local Flink "
                "(Calibrate tab), or given in the scenario.",
            ),
            "CFU-minutes": st.column_config.NumberColumn(format="localized"),
            "Cost": st.column_config.NumberColumn(format="dollar", help="Over the horizon."),
            "Cost range": st.column_config.TextColumn(
                help="Low - high over the horizon: every model parameter at its cheap / "
                "expensive end (see What drives the range)."
            ),
            "Share of cost": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            ),
            "Max lag": st.column_config.TextColumn(help="How far behind its input it falls."),
            "Status": st.column_config.TextColumn(
                width="medium", help="In short; the Sizing advice above says it in full."
            ),
        },
    )


def pool_status(est: Estimate, name: str) -> str:
    """A pool's state in a few words, consistent with its own and its statements' advice."""
    p = next(x for x in est.pools if x.name == name)
    kinds = {r.kind for r in p.advice}
    if "pool_split" in kinds:
        base = "too big for one pool: split it"
    elif p.exhausted_minutes:
        base = f"ran out for {p.exhausted_minutes:,} min: raise MAX_CFU to {p.recommended_max_cfu}"
    elif p.peak_cfu == 0:
        return "unused in this horizon"
    elif p.peak_cfu >= p.max_cfu:
        base = "at its cap at the peak: no headroom"
    else:
        base = f"fits: peak uses {p.peak_cfu / p.max_cfu:.0%} of MAX_CFU"
    capped = [
        s.name
        for s in est.statements
        if s.pool == name and any(r.kind == "partitions" for r in s.advice)
    ]
    if capped:
        base += f"; but {', '.join(capped)} capped by partitions"
    return base


def pools_frame(est: Estimate) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Pool": p.name,
                "MAX_CFU": p.max_cfu,
                "Peak CFUs": p.peak_cfu,
                "Headroom": p.headroom,
                "Status": pool_status(est, p.name),
                "Recommended MAX_CFU": p.recommended_max_cfu,
                "Exhausted minutes": p.exhausted_minutes,
                "CFU-minutes": p.cfu_minutes,
                "Cost": float(p.cost_usd),
                **(
                    {
                        "Cost to keep up": None
                        if p.demand_cost_usd is None
                        else float(p.demand_cost_usd)
                    }
                    if est.keep_up is not None
                    else {}
                ),
            }
            for p in est.pools
        ]
    )


def pools_table(est: Estimate, key: str = "pools_table") -> None:
    st.dataframe(
        pools_frame(est),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "Cost": st.column_config.NumberColumn(format="dollar"),
            "Cost to keep up": st.column_config.NumberColumn(
                format="dollar",
                help="Over the horizon, with the recommended MAX_CFU (pools that ran out).",
            ),
            "CFU-minutes": st.column_config.NumberColumn(format="localized"),
            "Headroom": st.column_config.ProgressColumn(
                format="percent",
                min_value=0.0,
                max_value=1.0,
                help="Share of MAX_CFU still free at the pool's peak minute.",
            ),
            "Status": st.column_config.TextColumn(width="large"),
            "Recommended MAX_CFU": st.column_config.NumberColumn(
                help="The MAX_CFU that covers the pool's peak demand with headroom."
            ),
        },
    )


def _advice_of(est: Estimate, names: list[str]) -> list[AdviceRecord]:
    return [r for s in est.statements if s.name in names for r in s.advice]


def results(text: str, est: Estimate, stale: bool) -> None:
    figs = compute.figures(text)
    projection_ui.explainer(est)
    advice_ui.keep_up(est)
    advice_ui.advice(est)
    range_ui.range_drivers(est, text)
    st.markdown("#### CFUs per statement")
    st.caption(
        "Each band is a statement's CFUs, stacked within its compute pool. The dashed line is "
        "the pool's MAX_CFU; red shading marks minutes where the pool was exhausted and "
        "statements waited for CFUs. You pay for the area, not for the cap."
    )
    st.plotly_chart(figs["cfu"], key="chart_cfu", config={"displaylogo": False})
    st.markdown("#### Where it falls behind")
    running = [s for s in est.statements if s.kind != "ddl" and s.cfu_minutes > 0 and not s.error]
    ranked = sorted(running, key=lambda s: (-s.max_lag_seconds, -float(s.cost_usd)))
    names = [s.name for s in ranked]
    pick_key = state.wkey("detail_pick")
    kept = [n for n in st.session_state.get(pick_key, []) if n in names]
    st.session_state[pick_key] = kept or names[:3]
    picked = st.multiselect(
        "Statements to show",
        names,
        key=pick_key,
        help="The statements furthest behind first, then the most expensive.",
    )
    detail = compute.detail_figures(text, tuple(picked))
    left, right = st.columns(2, gap="medium")
    with left:
        st.markdown("**Backlog and lag**")
        st.caption("Records waiting to be processed, and how many seconds of input that is.")
        if charts.has_backlog(est):
            st.plotly_chart(detail["backlog"], key="chart_backlog", config={"displaylogo": False})
        else:
            st.success(
                "No backlog: every statement keeps up with its input over the whole horizon.",
                icon=":material/check_circle:",
            )
    with right:
        st.markdown("**Input rate and capacity**")
        st.caption("Records/s arriving (solid) and what the CFUs in use can process (dotted).")
        st.plotly_chart(detail["traffic"], key="chart_traffic", config={"displaylogo": False})
    behind = [r for r in _advice_of(est, list(picked)) if r.urgent or r.kind == "partitions"]
    if behind:
        st.markdown("**Why, and what to do**")
        advice_ui.records(behind, "behind")
    st.markdown("#### Hourly bill")
    st.caption(
        f"Cost of each hour at ${est.price.usd_per_cfu_hour} per CFU-hour"
        + (f", less {est.scenario.pricing.discount_pct:g}%" if est.rate.discount_pct else "")
        + ". Confluent counts CFUs per minute."
    )
    st.plotly_chart(figs["hourly"], key="chart_hourly", config={"displaylogo": False})
    projection_ui.budget(est)
    st.markdown("#### Cost per statement")
    st.caption("Click a column header to sort.")
    statements_table(est)
    st.markdown("#### Compute pools")
    pools_table(est)
    if stale:
        st.caption("These results are from the last valid version of the scenario.")


def assumptions(est: Estimate) -> None:
    st.caption(
        "Every number the estimate relies on, with its unit and where it comes from. Override "
        "the price in the sidebar; model parameters are overridable under `parameters:` in "
        "the scenario file."
    )
    statement_rates(est)
    st.markdown("#### Price and model parameters")
    rows = [
        {
            "Assumption": a.label,
            "Value": a.value,
            "Low": a.low,
            "High": a.high,
            "Unit": a.unit,
            "Source": a.source,
            "Overridden": a.overridden,
            "Key": a.key,
        }
        for a in est.assumptions
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        height=min(36 * (len(rows) + 1) + 4, 1200),
        column_order=["Assumption", "Value", "Low", "High", "Unit", "Overridden", "Source", "Key"],
        column_config={
            "Assumption": st.column_config.TextColumn(width="medium"),
            "Value": st.column_config.TextColumn(width="small"),
            "Unit": st.column_config.TextColumn(width="small"),
            "Overridden": st.column_config.CheckboxColumn(width="small"),
            "Source": st.column_config.TextColumn(
                width="large", help="Hover a cell to read the whole source."
            ),
        },
    )


def statement_rates(est: Estimate) -> None:
    """Each statement's records/s per CFU and where it comes from (model or measured)."""
    running = [
        (i, s) for i, s in enumerate(est.statements) if s.kind != "ddl" and s.throughput is not None
    ]
    if not running:
        return
    st.markdown("#### Records/s per CFU of each statement")
    measured = [s.name for _, s in running if rate_source(s) == "measured"]
    if measured:
        st.markdown(
            f"{calibrate_ui.measured_badge()} on local Apache Flink: "
            + ", ".join(f"**{n}**" for n in measured)
        )
    else:
        st.caption(
            "From the model (the parameters above). Measure them on local Apache Flink in the "
            "Calibrate tab."
        )
    rows = [
        {
            "Statement": s.name,
            "Kind": s.kind,
            "Records/s per CFU": round(s.records_per_cfu_second),
            **range_ui.rate_columns(est, i),
            "From": rate_source(s),
            "How": s.throughput.explain() if s.throughput else "",
        }
        for i, s in running
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key="statement_rates",
        column_config={
            "Records/s per CFU": st.column_config.NumberColumn(format="localized"),
            "Low": st.column_config.NumberColumn(
                format="localized", help="Records/s per CFU with the model at its low end."
            ),
            "High": st.column_config.NumberColumn(
                format="localized", help="Records/s per CFU with the model at its high end."
            ),
            "From": st.column_config.TextColumn(
                width="small", help="model, measured (on local Flink) or given in the scenario"
            ),
            "How": st.column_config.TextColumn(width="large"),
        },
    )


def _slug(name: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    while "--" in out:
        out = out.replace("--", "-")
    return out or "scenario"


def share_link(data: dict[str, Any]) -> str:
    base = ""
    try:
        base = st.context.url or ""
    except Exception:
        base = ""
    base = base or "http://localhost:8501/"
    return f"{base}?{share.QUERY_KEY}={share.encode(data)}"


def exports(text: str, est: Estimate, data: dict[str, Any], stale: bool) -> None:
    files = compute.downloads(text)
    slug = _slug(est.scenario.name)
    if stale:
        st.warning(
            "The scenario has problems: these files hold its last valid version.",
            icon=":material/history:",
        )
    st.markdown("#### Take it away")
    # (label, bytes or a callable that makes them on click, file name, MIME, icon, help)
    items: list[tuple[str, Any, str, str, str, str]] = [
        (
            "Scenario (YAML)",
            files["yaml"],
            f"{slug}.yaml",
            MIME["yaml"],
            ":material/description:",
            "Open it again here (sidebar) or run `cfu-estimator estimate` on it.",
        ),
        (
            "Estimate (JSON)",
            lambda: compute.estimate_json(text),
            f"{slug}-estimate.json",
            MIME["json"],
            ":material/data_object:",
            "Totals, statements, pools, hourly bill and assumptions (the CLI's JSON).",
        ),
        (
            "Statements (CSV)",
            files["csv"],
            f"{slug}-statements.csv",
            MIME["csv"],
            ":material/table_view:",
            "One row per statement: CFU-minutes, CFU-hours, cost, peak CFUs.",
        ),
    ]
    items.append(
        (
            "Workbook (xlsx)",
            lambda: compute.workbook(text),
            f"{slug}.xlsx",
            MIME["xlsx"],
            ":material/grid_on:",
            "Every table of the estimate in a spreadsheet finance can reuse.",
        )
    )
    items.append(
        (
            "Customer handout (PDF)",
            lambda: compute.handout(text, share_link(data)),
            f"{slug}-handout.pdf",
            MIME["pdf"],
            ":material/picture_as_pdf:",
            "One or two pages for the customer: figures, CFU chart, statements, pools, advice, "
            "key assumptions with sources and a link back here.",
        )
    )
    items.append(
        (
            "Per-minute timeline (CSV)",
            lambda: compute.per_minute_csv(text),
            f"{slug}-per-minute.csv",
            MIME["csv"],
            ":material/timeline:",
            compute.per_minute_tip(text),
        )
    )
    columns = [c for _ in range(0, len(items), 3) for c in st.columns(3)]
    for column, (label, payload, file_name, mime, icon, tip) in zip(columns, items, strict=False):
        column.download_button(
            label,
            payload,
            file_name,
            mime,
            icon=icon,
            on_click="ignore",
            width="stretch",
            help=tip,
        )
    st.markdown("#### Share a link")
    st.caption(
        "This link opens the app with this exact scenario (it is packed into the address; "
        "nothing is stored on a server). Your browser's address bar holds it too."
    )
    st.code(share_link(data), language=None, wrap_lines=False)
    st.markdown("#### Keep it for comparison")
    name_key = "save_name"
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    a.text_input("Name", key=name_key, placeholder=est.scenario.name)
    b.button(
        "Keep for comparison",
        on_click=state.on_save,
        args=(name_key,),
        icon=":material/bookmark_add:",
        width="stretch",
    )
    state.pending_save_question()
    kept = list(st.session_state.get(state.SAVED) or {})
    if kept:
        st.caption(f"Kept: {', '.join(kept)}.")
        if st.button("Compare kept versions", icon=":material/compare_arrows:"):
            st.switch_page(pages.get("compare"))


__all__ = ["assumptions", "exports", "kind_badge", "money", "number", "results"]
