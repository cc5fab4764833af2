"""The headline figures in a strip that stays at the top while inputs are edited, and quick
what-ifs for a live call (traffic x0.5 / x2 / x5, message size, partitions)."""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from estimator.changes import what_ifs
from estimator.errors import EstimatorError, ScenarioError
from estimator.estimate import Estimate
from estimator.formatting import horizon as horizon_label
from estimator.formatting import money, money_delta, number
from estimator.traffic import TrafficError
from estimator.ui import compute, range_ui

STRIP_KEY = "summary_strip"  # the sticky container: the page's, holding the figures' one
FIGURES_KEY = "summary_figures"
STICKY_CSS = f"""
<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-{STRIP_KEY}), .st-key-{STRIP_KEY} {{
  position: sticky; top: 3.5rem; z-index: 999; background: var(--background-color, #fff);
  background-color: rgb(255, 255, 255); padding: 0.25rem 0 0.4rem 0;
  border-bottom: 1px solid rgba(49, 51, 63, 0.15);
}}
/* An opaque header hides what scrolls under it, above the stuck strip (a shadow reaching up
   from the strip would also cover the scenario name above it before the page scrolls). */
[data-testid="stHeader"] {{ background-color: rgb(255, 255, 255); }}
.st-key-{FIGURES_KEY} [data-testid="stMetricValue"] {{ font-size: 1.55rem; }}
</style>
"""


def figures(est: Estimate) -> dict[str, float]:
    t = est.totals
    return {
        "cost": float(t.cost_usd),
        "monthly": float(t.monthly_cost_usd),
        "annual": float(t.annual_cost_usd),
        "cfu_hours": float(t.cfu_hours),
        "peak": float(t.peak_cfu),
        "pools": float(t.pools_in_use),
    }


def sticky() -> Any:
    """The container that stays at the top of the page while it scrolls. Sticky only works
    within its parent: it must sit in the page, not in another container, and Streamlit's
    layout wrapper around it (as tall as the strip itself) is the element made sticky."""
    return st.container(key=STRIP_KEY)


def strip(est: Estimate, previous: dict[str, float] | None) -> dict[str, float]:
    """One row of headline figures; deltas compare with the estimate before the last edit.
    Drawn inside `sticky()` they stay in view while the inputs below are edited."""
    st.html(STICKY_CSS)
    t = est.totals
    now = figures(est)

    def delta(key: str, fmt: str = "money") -> str | None:
        if not previous or key not in previous:
            return None
        d = now[key] - previous[key]
        if abs(d) < 1e-9:
            return None
        if fmt == "money":
            return money_delta(d)
        return f"{'+' if d > 0 else '-'}{number(abs(d))}"

    horizon = horizon_label(est.scenario.horizon_minutes)
    with st.container(key=FIGURES_KEY):
        # With a keep-up figure, it sits beside Monthly; widths keep every label whole at 1400 px.
        order = ["cost", "monthly", "keep_up", "annual", "cfu_hours", "peak", "pools"]
        widths = [1.25, 1.0, 1.35, 1.1, 0.9, 0.8, 0.9]
        if est.keep_up is None:
            order.remove("keep_up")
            widths = [1.0] * len(order)
        cols = dict(zip(order, st.columns(widths), strict=True))
        cols["cost"].metric(
            f"Cost over {horizon}",
            money(t.cost_usd),
            delta("cost"),
            delta_color="inverse",
            help=f"CFU-minutes / 60 × ${est.price.usd_per_cfu_hour} per CFU-hour"
            + (
                f" × (1 − {est.scenario.pricing.discount_pct:g}% discount)"
                if est.rate.discount_pct
                else ""
            )
            + ".",
        )
        cols["monthly"].metric(
            "Monthly",
            money(t.monthly_cost_usd),
            delta("monthly"),
            delta_color="inverse",
            help=f"Recurring statements over whole cycles of their traffic, scaled to a "
            f"{est.scenario.month_hours:g}-hour month (one-off statements excluded)"
            + ("; capped: a pool ran out of CFUs." if est.keep_up else "."),
        )
        cols["annual"].metric(
            "Annual",
            money(t.annual_cost_usd),
            delta("annual"),
            delta_color="inverse",
            help="The projection's first twelve calendar months, with growth.",
        )
        cols["cfu_hours"].metric(
            "CFU-hours",
            number(t.cfu_hours, 2 if t.cfu_hours < 1000 else 0),  # whole hours fit the card
            delta("cfu_hours", "number"),
            delta_color="inverse",
            help=f"{t.cfu_minutes:,} CFU-minutes over {horizon}: what Confluent bills.",
        )
        cols["peak"].metric(
            "Peak CFUs",
            f"{t.peak_cfu:,}",
            delta("peak", "number"),
            delta_color="inverse",
            help="The most CFUs in use in any one minute, over all pools.",
        )
        cols["pools"].metric(
            "Pools in use",
            f"{t.pools_in_use}",
            f"{t.exhausted_pools} exhausted" if t.exhausted_pools else "none exhausted",
            delta_color="red" if t.exhausted_pools else "green",
            delta_arrow="off",
            help="Compute pools that run at least one statement, and how many ran out of CFUs "
            "(statements held back by MAX_CFU) at some point of the horizon.",
        )
        if est.keep_up is not None:
            k = est.keep_up
            cols["keep_up"].metric(
                "Monthly to keep up",
                money(k.monthly_cost_usd),
                money_delta(k.monthly_cost_usd - t.monthly_cost_usd),
                delta_color="off",
                delta_arrow="off",
                help="The bill with every exhausted pool at its recommended MAX_CFU: what the "
                "customer would pay for the pipeline to keep up with its input.",
            )
        range_ui.kpi_range(est, money)
    return now


def _variant(data: dict[str, Any]) -> Estimate | None:
    try:
        return compute.get_estimate(compute.scenario_json(copy.deepcopy(data)))
    except (ScenarioError, EstimatorError, TrafficError):
        return None


AUTO_WHAT_IFS = 100_000  # statement-minutes up to which what-ifs run on every edit
WHAT_IFS_ON = "what_ifs_on"  # the scenario JSON the user asked what-ifs for (large ones)


def quick_what_ifs(est: Estimate, data: dict[str, Any], text: str) -> None:
    """The change in monthly cost of each quick variant of the current scenario. Large
    scenarios compute them on request (each variant is a whole estimate)."""
    with st.container(border=True, key="what_ifs"):
        st.markdown("**Quick what-ifs** · change in monthly cost against the estimate above")
        size = len(est.statements) * est.scenario.horizon_minutes
        if size > AUTO_WHAT_IFS and st.session_state.get(WHAT_IFS_ON) != text:
            st.button(
                "Compute what-ifs (traffic x0.5 / x2 / x5, message size, partitions)",
                key="what_ifs_run",
                on_click=lambda: st.session_state.__setitem__(WHAT_IFS_ON, text),
                icon=":material/science:",
                help="A large scenario: each variant is a whole new estimate.",
            )
            return
        variants = what_ifs(data)
        cols = st.columns(len(variants))
        for col, (label, changed) in zip(cols, variants.items(), strict=True):
            other = _variant(changed)
            if other is None:
                col.metric(label, "n/a", help="This variant is not a valid scenario.")
                continue
            monthly = other.totals.monthly_cost_usd
            change = monthly - est.totals.monthly_cost_usd
            col.metric(
                label,
                money(monthly),
                money_delta(change) if change else "no change",
                delta_color="inverse" if change else "off",
                delta_arrow="auto" if change else "off",
                help=(
                    f"A pool runs out in this variant: {money(other.keep_up.monthly_cost_usd)} "
                    "a month to keep up."
                    if other.keep_up
                    else "No pool runs out of CFUs in this variant."
                ),
            )
