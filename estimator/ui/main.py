"""A first page: load a scenario (the retail example by default) and show its estimate."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from estimator import report
from estimator.errors import EstimatorError, ScenarioError
from estimator.estimate import estimate
from estimator.examples import DEFAULT_EXAMPLE, EXAMPLES, example_text
from estimator.scenario import loads_scenario


def main() -> None:
    st.set_page_config(page_title="Flink CFU Estimator", layout="wide")
    st.title("Flink CFU Estimator")
    st.caption("CFUs and cost of Flink SQL statements on Confluent Cloud, with the reasons shown.")
    names = list(EXAMPLES)
    choice = st.sidebar.selectbox(
        "Example scenario",
        names,
        index=names.index(DEFAULT_EXAMPLE),
        format_func=lambda n: EXAMPLES[n],
    )
    text = st.text_area("Scenario (YAML or JSON)", example_text(choice), height=300)
    try:
        est = estimate(loads_scenario(text))
    except ScenarioError as exc:
        st.error("The scenario has problems:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        return
    except EstimatorError as exc:
        st.error(str(exc))
        return
    data = report.to_dict(est)
    t = data["totals"]
    cols = st.columns(4)
    cols[0].metric("Cost over the horizon", f"${t['cost_usd']:,.4f}")
    cols[1].metric("Monthly", f"${t['monthly_cost_usd']:,.2f}")
    cols[2].metric("CFU-hours", f"{t['cfu_hours']:,.3f}")
    cols[3].metric("Peak CFU", t["peak_cfu"])
    st.dataframe(pd.DataFrame(data["statements"]), hide_index=True)
    st.dataframe(pd.DataFrame(data["assumptions"]), hide_index=True)
