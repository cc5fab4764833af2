"""The app's budget view: the projection's settings, months ahead, label roll-ups.

Renders only what the estimate holds (estimator/projection.py, estimator/labels.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from estimator import charts
from estimator.estimate import Estimate
from estimator.formatting import money
from estimator.labels import NONE_LABEL
from estimator.projection import ONE_OFF, next_month
from estimator.ui import state
from estimator.ui.feedback import Slots

MONTH_CHOICES = 24
"""Start months offered: this month and the next 23."""

EXPLAINER = (
    "Cost over the horizon is what the simulated span costs; monthly is what the recurring "
    "statements cost in a {hours:g}-hour month over whole cycles of their traffic at today's "
    "rates, annual adds up the projection's first twelve calendar months with growth, and "
    "one-off statements (DDL, cfu_schedule) are billed once, never monthly."
)


def settings(w: dict[str, Any], slots: Slots) -> None:
    """Sidebar: how many months to project and from which month."""
    current = w.get("projection") or {}
    today = dt.date.today()
    first = dt.date(today.year, today.month, 1)
    starts = [first]
    for _ in range(MONTH_CHOICES - 1):
        starts.append(next_month(starts[-1]))
    labels = [d.strftime("%Y-%m") for d in starts]
    chosen = current.get("start") or next_month(today).strftime("%Y-%m")  # the default
    if chosen not in labels:
        labels.insert(0, chosen)
    mk = state.init_widget(state.wkey("projection_months"), int(current.get("months", 12)))
    sk = state.init_widget(state.wkey("projection_start"), chosen)
    left, right = st.columns(2)
    months = left.number_input(
        "Months projected",
        min_value=1,
        max_value=36,
        step=1,
        key=mk,
        help="Calendar months in the projection (1-36); annual is always its first twelve.",
    )
    start = right.selectbox(
        "From",
        labels,
        key=sk,
        help="First calendar month of the projection; its first day is the profiles' minute 0.",
    )
    default = next_month(today).strftime("%Y-%m")
    if current or int(months) != 12 or start != default:
        w["projection"] = {"months": int(months), "start": str(start)}
    slots.add("projection")


def explainer(est: Estimate) -> None:
    """One sentence next to the cost figures, and the estimate's cautions."""
    st.caption(EXPLAINER.format(hours=est.scenario.month_hours))
    if est.totals.one_off_cost_usd:
        st.caption(f"One-off, billed once: {money(est.totals.one_off_cost_usd)}.")
    for caution in est.cautions:
        st.warning(caution, icon=":material/info:")


def months_ahead(est: Estimate) -> None:
    """The month-by-month chart and table."""
    p = est.projection
    if p is None:
        return
    st.markdown("#### Months ahead")
    st.caption(
        f"Recurring cost per calendar month from {p.start} ({p.method}), with each profile's "
        "growth, the calendar's weekends and each month's real length. One-off statements are "
        "not in it."
    )
    st.plotly_chart(
        charts.projection_by_month(est), key="chart_projection", config={"displaylogo": False}
    )
    rows: list[dict[str, Any]] = [
        {
            "Month": m.month,
            "Hours": m.hours,
            "CFU-hours": m.cfu_minutes / 60,
            "Cost": float(m.cost_usd),
        }
        for m in p.months
    ]
    rows.append(
        {
            "Month": "Total",
            "Hours": sum(m.hours for m in p.months),
            "CFU-hours": sum(m.cfu_minutes for m in p.months) / 60,
            "Cost": sum(float(m.cost_usd) for m in p.months),
        }
    )
    money_columns = ["Cost"]
    if est.range is not None:  # each month's low and high, projected the same way
        spread = est.range.projection
        for bound, values in (("Low", spread.months_low), ("High", spread.months_high)):
            costs = [float(m.cost_usd) for m in values]
            for row, cost in zip(rows, [*costs, sum(costs)], strict=True):
                row[bound] = cost
            money_columns.append(bound)
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "CFU-hours": st.column_config.NumberColumn(format="%.1f"),
            **{c: st.column_config.NumberColumn(format="dollar") for c in money_columns},
        },
    )


def by_label(est: Estimate) -> None:
    """Pick a label key (and values): the roll-up table and the statements behind it."""
    if not est.by_label:
        return
    st.markdown("#### Cost by label")
    keys = list(est.by_label)
    key = st.selectbox("Roll up by", keys, key=state.wkey("label_key"))
    groups = est.by_label[key]
    values = [g.label for g in groups]
    picked = st.multiselect(
        "Show",
        values,
        default=values,
        key=state.wkey(f"label_values_{key}"),
        help=f"Statements without a {key} label are under {NONE_LABEL}.",
    )
    shown = [g for g in groups if g.label in picked]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    key: g.label,
                    "Statements": len(g.statements),
                    "CFU-hours (horizon)": float(g.cfu_hours),
                    "Cost over the horizon": float(g.cost_usd),
                    "Monthly": float(g.monthly_cost_usd),
                    "Annual": float(g.annual_cost_usd),
                    "One-off": float(g.one_off_cost_usd),
                }
                for g in shown
            ]
        ),
        hide_index=True,
        column_config={
            **{
                name: st.column_config.NumberColumn(format="dollar")
                for name in ("Cost over the horizon", "Monthly", "Annual")
            },
            # one-off costs are often fractions of a cent (a DDL is one CFU-minute)
            "One-off": st.column_config.NumberColumn(format="$%.4f"),
        },
    )
    p = est.projection
    members = sorted({i for g in shown for i in g.statements})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Statement": est.statements[i].name,
                    key: est.labels[i].get(key, NONE_LABEL),
                    "Pool": est.statements[i].pool,
                    "Billed": "once" if p and p.recurrence[i] == ONE_OFF else "monthly",
                    "Cost over the horizon": float(est.statements[i].cost_usd),
                    "Monthly": float(p.monthly_cost(est.rate, [i])) if p else 0.0,
                }
                for i in members
            ]
        ),
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(format="dollar")
            for name in ("Cost over the horizon", "Monthly")
        },
    )


def budget(est: Estimate) -> None:
    """The results tab's budget section: months ahead, then cost by label."""
    months_ahead(est)
    by_label(est)
