"""Sizing advice as the core gives it: one line per record, an Apply button where the record
carries a scenario change, and Undo. Also the keep-up bill beside the capped one."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

import streamlit as st

from estimator import changes
from estimator.estimate import Estimate
from estimator.formatting import money
from estimator.sizing import AdviceRecord, Change
from estimator.ui import state

UNDO = "advice_undo"  # list of (label, scenario dict before the change)
SHOWN = 8  # records shown before "more advice"
_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape(text: str) -> str:
    """User text (statement and pool names) shown literally in Markdown."""
    return _MD.sub(r"\\\1", text)


def apply_change(change: Change) -> None:
    """Callback: make the change to the working scenario, keeping the old one for Undo."""
    w = state.work()
    try:
        new = changes.apply(w, change)
    except changes.ChangeError as exc:
        st.session_state[state.NOTICE] = ("warning", str(exc))
        return
    stack = st.session_state.setdefault(UNDO, [])
    stack.append((change.label, copy.deepcopy(w)))
    del stack[:-20]
    state.rewrite(new)
    st.session_state[state.NOTICE] = ("success", f"Applied: {change.label}. Undo it below.")


def undo() -> None:
    stack = st.session_state.get(UNDO) or []
    if not stack:
        return
    label, data = stack.pop()
    state.rewrite(data)
    st.session_state[state.NOTICE] = ("success", f"Undid: {label}.")


def _line(r: AdviceRecord) -> str:
    icon = ":material/warning:" if r.urgent else ":material/lightbulb:"
    return f"{icon} {escape(r.text)}"


def records(items: Sequence[AdviceRecord], key: str) -> None:
    """Each record on a line, with Apply when it changes the scenario."""
    for i, r in enumerate(items):
        if r.change is None:
            st.markdown(_line(r))
            continue
        left, right = st.columns([6, 1.4], vertical_alignment="center")
        left.markdown(_line(r))
        right.button(
            "Apply",
            key=f"apply:{key}:{i}:{r.kind}:{r.subject}",
            on_click=apply_change,
            args=(r.change,),
            icon=":material/auto_fix_high:",
            help=f"{r.change.label} (undoable).",
            width="stretch",
        )


def undo_button() -> None:
    stack = st.session_state.get(UNDO) or []
    if stack:
        st.button(
            f"Undo: {stack[-1][0]}",
            key="advice_undo_button",
            on_click=undo,
            icon=":material/undo:",
        )


def advice(est: Estimate) -> None:
    """All advice, most urgent first; the rest folded away."""
    items = est.all_advice()
    unread = [s for s in est.statements if s.error]
    if not items and not unread and not st.session_state.get(UNDO):
        return
    with st.container(border=True, key="advice_box"):
        st.markdown("**Sizing advice**")
        records(items[:SHOWN], "top")
        if len(items) > SHOWN:
            with st.expander(f"{len(items) - SHOWN} more"):
                records(items[SHOWN:], "more")
        if unread:
            lines = "\n".join(f"- **{escape(s.name)}**: {escape(s.error or '')}" for s in unread)
            st.warning(
                f"{len(unread)} statement(s) left out of the estimate; the others are "
                f"estimated.\n\n{lines}",
                icon=":material/report:",
            )
        undo_button()


def keep_up(est: Estimate) -> None:
    """When a pool ran out: the capped bill and the bill that keeps up, side by side."""
    k = est.keep_up
    if k is None:
        return
    t = est.totals
    pools = ", ".join(f"{escape(n)} at MAX_CFU {v}" for n, v in k.pools.items())
    st.warning(
        f"**{money(t.monthly_cost_usd)} a month is a capped figure**: "
        f"{t.exhausted_pools} pool(s) ran out of CFUs, so statements fell behind instead of "
        f"using more. To keep up with the input ({pools}) it costs "
        f"**{money(k.monthly_cost_usd)} a month** ({money(k.annual_cost_usd)} a year): "
        "that is the figure to budget for.",
        icon=":material/price_change:",
    )
