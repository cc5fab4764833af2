"""What an estimate says: KPI cards, charts, cost tables, pool advice, assumptions, downloads."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from estimator import charts
from estimator.estimate import Estimate, StatementResult
from estimator.formatting import horizon as horizon_label
from estimator.formatting import money, money_delta, number
from estimator.ui import calibrate_ui, compute, pages, projection_ui, range_ui, share, state
from estimator.ui.inputs import kind_badge

MIME = {
    "yaml": "application/x-yaml",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def kpis(est: Estimate, previous: dict[str, float] | None) -> dict[str, float]:
    """Six cards across the page; deltas compare with the estimate before the last edit."""
    t = est.totals
    used = [p for p in est.pools if p.cfu_minutes > 0]
    exhausted = [p for p in used if p.exhausted_minutes > 0]
    now = {
        "cost": float(t.cost_usd),
        "monthly": float(t.monthly_cost_usd),
        "annual": float(t.annual_cost_usd),
        "cfu_hours": float(t.cfu_hours),
        "peak": float(t.peak_cfu),
        "pools": float(len(used)),
    }

    def delta(key: str, fmt: str = "money") -> str | None:
        if not previous or key not in previous:
            return None
        d = now[key] - previous[key]
        if abs(d) < 1e-9:
            return None
        if fmt == "money":
            return money_delta(d)
        return ("+" if d > 0 else "-") + number(abs(d))

    horizon = horizon_label(est.scenario.horizon_minutes)
    top, bottom = st.columns(3), st.columns(3)
    cols = [*top, *bottom]
    cols[0].metric(
        f"Cost over {horizon}",
        money(t.cost_usd),
        delta("cost"),
        delta_color="inverse",
        border=True,
        help=f"CFU-minutes / 60 × ${est.price.usd_per_cfu_hour} per CFU-hour"
        + (
            f" × (1 − {est.scenario.pricing.discount_pct:g}% discount)"
            if est.rate.discount_pct
            else ""
        )
        + ".",
    )
    cols[1].metric(
        "Monthly",
        money(t.monthly_cost_usd),
        delta("monthly"),
        delta_color="inverse",
        border=True,
        help=f"Recurring statements over whole cycles of their traffic, scaled to a "
        f"{est.scenario.month_hours:g}-hour month (one-off statements excluded).",
    )
    cols[2].metric(
        "Annual",
        money(t.annual_cost_usd),
        delta("annual"),
        delta_color="inverse",
        border=True,
        help="The projection's first twelve calendar months, with growth.",
    )
    cols[3].metric(
        "CFU-hours",
        number(t.cfu_hours),
        delta("cfu_hours", "number"),
        delta_color="inverse",
        border=True,
        help=f"{t.cfu_minutes:,} CFU-minutes over {horizon}: what Confluent bills.",
    )
    cols[4].metric(
        "Peak CFUs",
        f"{t.peak_cfu:,}",
        delta("peak", "number"),
        delta_color="inverse",
        border=True,
        help="The most CFUs in use in any one minute, over all pools.",
    )
    cols[5].metric(
        "Pools needed",
        f"{len(used)}",
        f"{len(exhausted)} exhausted" if exhausted else "none exhausted",
        delta_color="red" if exhausted else "green",
        delta_arrow="off",
        border=True,
        help="Compute pools that run at least one statement, and how many ran out of CFUs "
        "(statements held back by MAX_CFU) at some point of the horizon.",
    )
    projection_ui.explainer(est)
    range_ui.kpi_range(est, money)
    return now


def advice(est: Estimate) -> None:
    """Sizing advice, exhausted pools and unreadable statements, most urgent first."""
    exhausted = [p for p in est.pools if p.exhausted_minutes]
    notes = list(est.advice)
    if not notes:
        for p in exhausted:
            rec = f" Raise MAX_CFU to {p.recommended_max_cfu}." if p.recommended_max_cfu else ""
            notes.append(
                f"Pool **{p.name}** ran out of CFUs for {p.exhausted_minutes:,} minute(s): its "
                f"statements wanted more than MAX_CFU {p.max_cfu}, so their backlog grew.{rec}"
            )
    if notes:
        box = st.warning if exhausted else st.info
        box(
            "**Sizing advice**\n" + "\n".join(f"- {a}" for a in notes),
            icon=":material/warning:" if exhausted else ":material/lightbulb:",
        )
    unread = [s for s in est.statements if s.error]
    if unread:
        lines = "\n".join(f"- **{s.name}**: {s.error}" for s in unread)
        st.warning(
            f"{len(unread)} statement(s) left out of the estimate; the others are estimated.\n\n"
            + lines,
            icon=":material/report:",
        )


def rate_source(s: StatementResult) -> str:
    """Where a statement's records/s per CFU comes from: measured, given, or the model."""
    tp = s.throughput
    if tp is None or tp.bound != "override":
        return "model"
    return "measured" if calibrate_ui.is_measured(tp.source) else "given"


def statements_table(est: Estimate) -> None:
    total = float(est.totals.cost_usd) or 1.0
    rows = [
        {
            "Statement": s.name,
            "Pool": s.pool,
            "Kind": s.kind,
            "Records/s per CFU": round(s.records_per_cfu_second),
            "From": rate_source(s),
            "Average CFUs": round(s.avg_cfu, 2),
            "Peak CFUs": s.peak_cfu,
            "CFU-minutes": s.cfu_minutes,
            "Cost": float(s.cost_usd),
            **range_ui.statement_columns(est, i),
            "Share of cost": float(s.cost_usd) / total,
            "Max lag (s)": round(s.max_lag_seconds, 1),
            "Status": "not estimated: " + s.error
            if s.error
            else ("ok" if not s.advice else s.advice[0]),
        }
        for i, s in enumerate(est.statements)
    ]
    st.dataframe(
        pd.DataFrame(rows).sort_values("Cost", ascending=False),
        hide_index=True,
        width="stretch",
        column_config={
            "Records/s per CFU": st.column_config.NumberColumn(format="localized"),
            "From": st.column_config.TextColumn(
                width="small",
                help="Where records/s per CFU comes from: the model, measured on local Flink "
                "(Calibrate tab), or given in the scenario.",
            ),
            "CFU-minutes": st.column_config.NumberColumn(format="localized"),
            "Cost": st.column_config.NumberColumn(format="dollar", help="Over the horizon."),
            "Cost low": st.column_config.NumberColumn(format="dollar"),
            "Cost high": st.column_config.NumberColumn(format="dollar"),
            "Share of cost": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            ),
        },
    )


def pools_table(est: Estimate) -> None:
    rows = [
        {
            "Pool": p.name,
            "MAX_CFU": p.max_cfu,
            "Peak CFUs": p.peak_cfu,
            "Recommended MAX_CFU": p.recommended_max_cfu,
            "Exhausted minutes": p.exhausted_minutes,
            "CFU-minutes": p.cfu_minutes,
            "Cost": float(p.cost_usd),
            "Headroom": (1 - p.peak_cfu / p.max_cfu) if p.max_cfu else 0.0,
            "Advice": " ".join(p.advice) or _pool_note(p.peak_cfu, p.max_cfu, p.exhausted_minutes),
        }
        for p in est.pools
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "Cost": st.column_config.NumberColumn(format="dollar"),
            "CFU-minutes": st.column_config.NumberColumn(format="localized"),
            "Headroom": st.column_config.ProgressColumn(
                format="percent",
                min_value=0.0,
                max_value=1.0,
                help="Share of MAX_CFU still free at the pool's peak minute.",
            ),
            "Advice": st.column_config.TextColumn(width="large"),
        },
    )


def _pool_note(peak: int, max_cfu: int, exhausted: int) -> str:
    if peak == 0:
        return "unused in this horizon"
    if exhausted:
        return "exhausted: raise MAX_CFU or move statements to another pool"
    if peak >= max_cfu:
        return "at its cap at the peak: no headroom"
    return f"fits: peak uses {peak / max_cfu:.0%} of MAX_CFU"


def results(text: str, est: Estimate, stale: bool) -> None:
    figs = compute.figures(text)
    advice(est)
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
    if pick_key in st.session_state:
        st.session_state[pick_key] = [n for n in st.session_state[pick_key] if n in names]
    else:
        st.session_state[pick_key] = names[:3]
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
    running = [s for s in est.statements if s.kind != "ddl" and s.throughput is not None]
    if not running:
        return
    st.markdown("#### Records/s per CFU of each statement")
    measured = [s.name for s in running if rate_source(s) == "measured"]
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
            "From": rate_source(s),
            "How": s.throughput.explain() if s.throughput else "",
        }
        for s in running
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key="statement_rates",
        column_config={
            "Records/s per CFU": st.column_config.NumberColumn(format="localized"),
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
            files["json"],
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
            "Per-minute timeline (CSV)",
            lambda: compute.per_minute_csv(text),
            f"{slug}-per-minute.csv",
            MIME["csv"],
            ":material/timeline:",
            compute.per_minute_tip(text),
        )
    )
    columns = [*st.columns(3), *st.columns(3)]
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
    kept = list(st.session_state.get(state.SAVED) or {})
    if kept:
        st.caption(f"Kept: {', '.join(kept)}.")
        if st.button("Compare kept versions", icon=":material/compare_arrows:"):
            st.switch_page(pages.get("compare"))


__all__ = ["assumptions", "exports", "kind_badge", "kpis", "results"]
