"""The Compare page: scenarios kept in the session, side by side."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import streamlit as st

from estimator import charts
from estimator.autoscaler import preset_names
from estimator.errors import EstimatorError, ScenarioError
from estimator.estimate import Estimate
from estimator.formatting import duration, money, money_delta, number
from estimator.formatting import horizon as horizon_label
from estimator.scenario_diff import differences
from estimator.ui import compute, library_ui, state
from estimator.ui.feedback import guarded

CURRENT = "Current workbench"
PICK = "compare_pick"


def _select(name: str) -> None:
    """Show a newly kept version in the comparison."""
    picked = list(st.session_state.get(PICK) or [])
    if name not in picked:
        st.session_state[PICK] = [*picked, name]


def _keep_current() -> None:
    name = state.save_for_compare(state.work().get("name", "Scenario"))
    if name:
        _select(name)


def _kept_current() -> str:
    """The name the current scenario is kept under: an identical kept version, else a new one
    (never a different version that happens to share its name)."""
    w = state.work()
    saved: dict[str, Any] = st.session_state[state.SAVED]
    for name, data in saved.items():
        if data == w:
            return name
    name = state.unique_name(w.get("name", "Scenario"))
    saved[name] = copy.deepcopy(w)
    return name


def _variant(change: str) -> None:
    """Keep the current scenario and a changed copy of it; compare exactly those two."""
    w = state.work()
    base = _kept_current()
    data = copy.deepcopy(w)
    if change == "partitions":
        for s in data.get("statements", []):
            if s.get("partitions"):
                s["partitions"] = int(s["partitions"]) * 2
        label = f"{base}: partitions x2"
    elif change == "fixed":
        data["autoscaler"] = "fixed"
        label = f"{base}: fixed CFUs"
    else:
        for p in data.get("pools", []):
            p["max_cfu"] = int(p.get("max_cfu", 50)) * 2
        label = f"{base}: MAX_CFU x2"
    data["name"] = label
    st.session_state[state.SAVED][label] = data
    st.session_state[PICK] = [base, label]
    st.session_state[state.NOTICE] = ("success", f"Comparing “{base}” with “{label}”.")


def _estimate(data: dict[str, Any]) -> tuple[Estimate | None, str | None]:
    try:
        text = compute.scenario_json(copy.deepcopy(data))
        return compute.get_estimate(text), None
    except ScenarioError as exc:
        return None, "; ".join(exc.problems[:3])
    except EstimatorError as exc:
        return None, str(exc)


def kpi_frame(named: list[tuple[str, Estimate]]) -> pd.DataFrame:
    rows: dict[str, dict[str, str]] = {}
    for name, est in named:
        t = est.totals
        r = est.range.totals if est.range is not None else None
        lag = max((s.max_lag_seconds for s in est.statements), default=0.0)
        rows[name] = {
            "Horizon": horizon_label(est.scenario.horizon_minutes),
            "Cloud and region": f"{est.price.cloud.upper()} {est.price.region}",
            "Price per CFU-hour": f"${est.price.usd_per_cfu_hour}"
            + (" (own price)" if est.price.overridden else ""),
            "Discount": f"{est.scenario.pricing.discount_pct:g}%",
            "Autoscaler": str(est.autoscaler.get("preset", "")),
            "Cost over the horizon": money(t.cost_usd),
            "Monthly": money(t.monthly_cost_usd),
            "Monthly range (low - high)": "–"
            if r is None
            else f"{money(r.monthly_cost_usd_low)} - {money(r.monthly_cost_usd_high)}",
            "Monthly to keep up": "same (no pool runs out)"
            if est.keep_up is None
            else money(est.keep_up.monthly_cost_usd),
            "Annual": money(t.annual_cost_usd),
            "One-off": money(t.one_off_cost_usd),
            "CFU-hours": number(t.cfu_hours),
            "Peak CFUs": f"{t.peak_cfu:,}",
            "Pools in use": f"{t.pools_in_use} ({t.exhausted_pools} exhausted)",
            "Exhausted pool-minutes": f"{sum(p.exhausted_minutes for p in est.pools):,}",
            "Max lag": "–" if lag <= 0 else duration(lag),
        }
    return pd.DataFrame(rows)


def _value(v: Any) -> str:
    if v is None:
        return "–"
    if v == "present":
        return "present"
    return str(v)


def differences_table(named: list[tuple[str, Estimate]]) -> None:
    """Every input that differs from the first scenario shown, for each other one."""
    if len(named) < 2:
        return
    base_name, base = named[0]
    rows = [
        {
            "Scenario": name,
            "Input": d.path,
            base_name: _value(d.before),
            "This one": _value(d.after),
        }
        for name, est in named[1:]
        for d in differences(base.scenario, est.scenario)
    ]
    st.markdown(f"#### What differs from “{base_name}”")
    if not rows:
        st.caption("No input differs: the scenarios are the same apart from their names.")
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare_diff")


@guarded
def page() -> None:
    state.ensure()
    st.title("Compare scenarios", anchor=False)
    st.caption(
        "Keep versions of a scenario (Share & export › Keep for comparison, or the buttons "
        "below), then compare their costs and CFU curves: today against after adding "
        "partitions, or against fixed CFUs."
    )
    notice = st.session_state.get(state.NOTICE)
    if notice:
        st.success(notice[1], icon=":material/info:")
        st.session_state[state.NOTICE] = None

    presets = preset_names()
    with st.container(border=True):
        st.markdown("**Add versions of the current scenario**")
        c = st.columns(4)
        c[0].button(
            "Keep it as it is",
            on_click=_keep_current,
            icon=":material/bookmark_add:",
            width="stretch",
        )
        c[1].button(
            "With partitions x2",
            on_click=_variant,
            args=("partitions",),
            icon=":material/call_split:",
            width="stretch",
        )
        c[2].button(
            "With MAX_CFU x2",
            on_click=_variant,
            args=("max_cfu",),
            icon=":material/dns:",
            width="stretch",
        )
        if "fixed" in presets:
            c[3].button(
                "With fixed CFUs",
                on_click=_variant,
                args=("fixed",),
                icon=":material/lock:",
                width="stretch",
            )

    state.pending_save_question()
    saved: dict[str, dict[str, Any]] = st.session_state[state.SAVED]
    library = library_ui.compare_choices()  # saved versions in the scenario library
    options = [CURRENT, *saved, *library]
    if PICK not in st.session_state:
        st.session_state[PICK] = list(saved)[-4:] if len(saved) >= 2 else [CURRENT, *saved]
    st.session_state[PICK] = [n for n in st.session_state[PICK] if n in options]
    chosen = st.multiselect(
        "Scenarios to compare",
        options,
        key=PICK,
        help="The current workbench scenario, every version you kept, and recent versions "
        "saved in the library.",
    )
    named: list[tuple[str, Estimate]] = []
    for name in chosen:
        data = state.work() if name == CURRENT else saved.get(name)
        if data is None and (data := library_ui.compare_data(library[name])) is None:
            continue
        est, problem = _estimate(data)
        if est is None:
            st.warning(f"“{name}” cannot be estimated: {problem}", icon=":material/error:")
        else:
            named.append((name, est))
    if len(named) < 2:
        st.info(
            "Pick at least two scenarios to compare them. Keep the current one with the buttons "
            "above, change it in the workbench, and keep it again.",
            icon=":material/compare_arrows:",
        )
    if not named:
        return

    base_name, base = named[0]
    cols = st.columns(len(named))
    for col, (name, est) in zip(cols, named, strict=True):
        with col.container(border=True):
            st.markdown(f"**{name}**")
            delta = None
            d = float(est.totals.monthly_cost_usd - base.totals.monthly_cost_usd)
            if est is not base and abs(d) >= 0.005:
                delta = f"{money_delta(d)} vs {base_name}"
            elif est is not base:
                delta = f"same as {base_name}"
            st.metric(
                "Monthly",
                money(est.totals.monthly_cost_usd),
                delta,
                delta_color="off" if delta and delta.startswith("same") else "inverse",
                delta_arrow="off" if delta and delta.startswith("same") else "auto",
            )
            st.metric("Peak CFUs", f"{est.totals.peak_cfu:,}")
    st.markdown("#### Side by side")
    st.dataframe(kpi_frame(named), width="stretch")
    differences_table(named)
    st.markdown("#### CFUs in use, all pools")
    st.plotly_chart(charts.compare_cfu(named), key="compare_cfu", config={"displaylogo": False})
    st.markdown("#### Monthly cost")
    st.plotly_chart(charts.compare_costs(named), key="compare_cost", config={"displaylogo": False})

    if saved:
        st.markdown("#### Kept versions")
        for name in saved:
            a, b, c2 = st.columns([4, 1, 1], vertical_alignment="center")
            a.markdown(name)
            b.button(
                "Open",
                key=f"open:{name}",
                on_click=state.on_open_saved,
                args=(name,),
                icon=":material/open_in_new:",
                width="stretch",
            )
            c2.button(
                "Remove",
                key=f"remove:{name}",
                on_click=state.on_remove_saved,
                args=(name,),
                icon=":material/delete:",
                width="stretch",
            )
