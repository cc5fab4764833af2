"""The Estimate page: inputs in the sidebar and tabs, the estimate above them."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError, TrafficError
from estimator.estimate import Estimate
from estimator.formatting import horizon as horizon_label
from estimator.scenario import scenario_to_dict
from estimator.ui import (
    actuals_ui,
    calibrate_ui,
    compute,
    inputs,
    library_ui,
    results,
    share,
    state,
    summary,
    traffic_ui,
)
from estimator.ui.feedback import Slots, guarded, show_problems

TABS = (
    ":material/insights: Results",
    ":material/code: Statements & SQL",
    ":material/dns: Pools",
    ":material/ssid_chart: Traffic",
    ":material/fact_check: Assumptions",
    ":material/speed: Calibrate",
    ":material/ios_share: Share & export",
    ":material/compare_arrows: Actuals",
)
BIG_SIMULATION = 100_000  # statement-minutes above which the run shows its progress


def run_estimate(text: str, statements: int, minutes: int) -> Estimate:
    """The cached estimate; a long simulation shows what it is doing while it runs."""
    message = f"Simulating {statements} statement(s) over {horizon_label(minutes)}…"
    if statements * minutes < BIG_SIMULATION:
        return compute.get_estimate(text)
    with st.spinner(message, show_time=True):
        return compute.get_estimate(text)


def header(slots: Slots) -> None:
    w = state.work()
    st.title("Flink CFU Estimator", anchor=False)
    st.caption(
        "How many CFUs a pipeline of Flink SQL statements needs on Confluent Cloud, and what "
        "it costs per hour, month and year, with every assumption shown."
    )
    nk = state.init_widget(state.wkey("name"), w.get("name", "Untitled scenario"))
    w["name"] = st.text_input("Scenario name", key=nk, max_chars=200)
    slots.add("name")


def notices() -> None:
    notice = st.session_state.get(state.NOTICE)
    if notice:
        kind, text = notice
        (st.success if kind == "success" else st.warning)(text, icon=":material/info:")
        st.session_state[state.NOTICE] = None
    load = st.session_state.get(state.LOAD_PROBLEMS) or []
    if load:
        st.error(load[0] + "\n" + "\n".join(f"- {p}" for p in load[1:]), icon=":material/error:")
        st.session_state[state.LOAD_PROBLEMS] = []


def summary_line(est: Estimate) -> str:
    sc = est.scenario
    running = sum(1 for s in est.statements if s.cfu_minutes and s.kind != "ddl")
    pools = len(sc.pools)
    return (
        f"{len(sc.statements)} statement(s), {running} running · {pools} pool(s) · "
        f"{horizon_label(sc.horizon_minutes)} · {est.price.cloud.upper()} {est.price.region} at "
        f"${est.price.usd_per_cfu_hour}/CFU-hour"
        + (f" − {sc.pricing.discount_pct:g}%" if est.rate.discount_pct else "")
    )


def _sync_link(text: str, data: dict[str, object]) -> None:
    token = share.encode(data)
    if st.query_params.get(share.QUERY_KEY) != token:
        st.query_params[share.QUERY_KEY] = token


@guarded
def page() -> None:
    if library_ui.opened_link():  # /?id=<short id>: a saved version, read-only
        return
    state.ensure()
    slots = Slots()
    header(slots)
    with st.container():  # always drawn, so the tabs below keep their place (and selection)
        notices()
    top = st.container()
    head = summary.sticky()  # the summary line and the headline figures, kept in view
    tabs = st.tabs(list(TABS), key="workbench_tabs")

    inputs.sidebar(slots)
    with tabs[2]:
        st.caption(
            "A compute pool caps the CFUs its statements can use together (MAX_CFU). "
            "Creating a pool is free; you pay only for CFUs in use."
        )
        inputs.pools_editor(slots)
        pool_usage = st.container()
    with tabs[1]:
        inputs.paste_script()
        st.caption(
            "One row per statement. Add or delete rows at the table's edge; expand a statement "
            "below to edit its SQL and see how it was read."
        )
        inputs.statements_editor(slots)
        st.markdown("##### SQL")
        inputs.sql_editors(slots)
    with tabs[3]:
        traffic_ui.builder(slots)

    w = state.work()
    text, problems = compute.check(w)
    est: Estimate | None = None
    if text is not None:
        try:
            est = run_estimate(
                text, len(w.get("statements", [])), int(w.get("horizon_minutes", 1440))
            )
        except TrafficError as exc:
            problems = list(exc.problems)
            text = None
        except EstimatorError as exc:
            problems = [str(exc)]
            text = None
    stale = text is None
    unclaimed = slots.route(problems) if problems else []

    if text is not None and est is not None:
        st.session_state[state.LAST_GOOD] = text
        data = scenario_to_dict(est.scenario)
        _sync_link(text, data)
    else:
        text = st.session_state.get(state.LAST_GOOD)
        est = compute.get_estimate(text) if text else None
        data = scenario_to_dict(est.scenario) if est else {}

    with top:
        if problems:
            n = len(problems)
            st.error(
                f"The scenario has {n} problem{'s' if n != 1 else ''}, shown next to "
                f"{'its field' if n == 1 else 'their fields'}. Your inputs are kept"
                + ("; the numbers below are from the last valid version." if est else "."),
                icon=":material/error:",
            )
            show_problems(unclaimed)
    if est is None or text is None:
        return
    with head:
        st.caption(summary_line(est))
        previous = None
        if not stale:
            now_key = (text, st.session_state[state.GEN])
            held = st.session_state.get(state.KPI_NOW)
            if held and held[0] != now_key and held[0][1] == now_key[1]:
                st.session_state[state.KPI_PREV] = held[1]
            prev = st.session_state.get(state.KPI_PREV)
            previous = prev
            figures_now = summary.strip(est, previous)
            st.session_state[state.KPI_NOW] = (now_key, figures_now)
        else:
            summary.strip(est, None)

    with pool_usage:
        st.markdown("##### Usage in this estimate")
        results.pools_table(est, key="pools_usage")
    with tabs[0]:
        summary.quick_what_ifs(est, data, text)
        results.results(text, est, stale)
    with tabs[4]:
        results.assumptions(est)
    with tabs[6]:
        results.exports(text, est, data, stale)
    with tabs[7]:
        actuals_ui.tab(est, stale)
    with tabs[5]:  # last: a calibration (on click) runs after the rest of the page is drawn
        calibrate_ui.tab(est, stale)
