"""The estimate's range in the app: a line in the summary strip and what drives it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import streamlit as st

from estimator.estimate import Estimate
from estimator.formatting import money
from estimator.ui import compute

Fmt = Callable[[Decimal | float], str]


def kpi_range(est: Estimate, money: Fmt = money) -> None:
    """Low - high of the horizon, monthly and annual cost (a line under the headline cards)."""
    # the first to read the horizon's low / high runs two more simulations of the horizon
    t = compute.range_part(est, lambda r: r.totals)
    if t is None:
        return
    st.markdown(
        f"**Range (low - high):** monthly {money(t.monthly_cost_usd_low)} - "
        f"{money(t.monthly_cost_usd_high)} · annual {money(t.annual_cost_usd_low)} - "
        f"{money(t.annual_cost_usd_high)} · over the horizon {money(t.cost_usd_low)} - "
        f"{money(t.cost_usd_high)} · CFU-minutes {t.cfu_minutes_low:,} - "
        f"{t.cfu_minutes_high:,}",
        help="Every model parameter has a low and a high value (the spread of measurements or "
        "published figures, see Assumptions). Low simulates every parameter at its cheap end, "
        "high at its expensive end. A measured records/s per CFU narrows its statement's range.",
    )


def range_drivers(est: Estimate, text: str) -> None:
    """Cost over the horizon with one assumption at a time at its cheap and expensive end.

    Finding them is the most work of the range (two simulations of the horizon per candidate),
    so they are found only while the user has this section open (then kept with the estimate).
    """
    r = est.range
    if r is None:
        return
    box = st.expander(
        "What drives the range", icon=":material/tune:", key="range_drivers", on_change="rerun"
    )
    with box:
        st.caption(
            "Cost over the horizon with one assumption at its cheap and at its expensive end, "
            "every other at its expected value. Narrow the widest by measuring it (Calibrate) "
            "or by setting the parameter in the scenario."
        )
        if not (box.open or r.drivers_found):
            return
        with st.spinner("Simulating each assumption at its two ends..."):
            drivers = compute.range_drivers(text)
        if not drivers:
            st.caption("No assumption's range moves this scenario's cost.")
            return
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Assumption": d.label,
                        "Key": d.key,
                        "Low cost": float(d.cost_usd_low),
                        "High cost": float(d.cost_usd_high),
                        "Value (low cost)": d.value_low_cost,
                        "Value (high cost)": d.value_high_cost,
                    }
                    for d in drivers
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Low cost": st.column_config.NumberColumn(format="dollar"),
                "High cost": st.column_config.NumberColumn(format="dollar"),
            },
        )


def statement_columns(est: Estimate, i: int) -> dict[str, str]:
    """The low - high cost of a statement's row in the cost table."""
    if est.range is None:
        return {}
    s = est.range.statements[i]
    return {"Cost range": f"{money(s.cost_usd_low)} - {money(s.cost_usd_high)}"}


def rate_columns(est: Estimate, i: int) -> dict[str, float]:
    """Low / high records/s per CFU of a statement's row in the rates table."""
    if est.range is None:
        return {}
    s = est.range.statements[i]
    return {
        "Low": round(s.records_per_cfu_second_low),
        "High": round(s.records_per_cfu_second_high),
    }
