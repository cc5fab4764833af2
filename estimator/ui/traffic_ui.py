"""The traffic profile builder: shape, parameters, a live preview, CSV series upload."""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from pydantic import TypeAdapter, ValidationError

from estimator import charts
from estimator.errors import FieldProblems, TrafficError, format_validation_error
from estimator.formatting import horizon as horizon_label
from estimator.profiles import Profile, parse_csv_series
from estimator.traffic import profile_rates
from estimator.ui import state
from estimator.ui.feedback import Slots

SHAPES: dict[str, str] = {
    "daily": "Daily",
    "steps": "Steps",
    "bursts": "Bursts",
    "series": "Series",
    "constant": "Constant",
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NEW = "+ New profile"
DRAFT = "traffic_draft"
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Profile)
_TAG = re.compile(r"(?:^|\.)(?:shape|form)=[\w-]+")

DEFAULTS: dict[str, dict[str, Any]] = {
    "daily": {"shape": "daily", "trough_rps": 2000.0, "peak_rps": 10000.0, "peak_hour": 14},
    "steps": {
        "shape": "steps",
        "steps": [{"minute": 0, "rps": 2000.0}, {"minute": 480, "rps": 8000.0}],
    },
    "bursts": {
        "shape": "bursts",
        "base_rps": 2000.0,
        "multiplier": 5.0,
        "minutes": 15,
        "every_minutes": 240,
    },
    "series": {"shape": "series", "series": [[0, 1000.0], [60, 3000.0], [120, 1500.0]]},
    "constant": {"shape": "constant", "rps": 5000.0},
}


def check_profile(data: dict[str, Any]) -> tuple[Any | None, list[str]]:
    """The validated profile model, or the problems with it ('field: message' lines)."""
    try:
        return _ADAPTER.validate_python(copy.deepcopy(data)), []
    except ValidationError as exc:
        return None, [_TAG.sub("", line).lstrip(".") for line in format_validation_error(exc)]
    except FieldProblems as exc:
        return None, [f"{w}: {m}" for w, m in exc.problems]


def _rates(data: dict[str, Any], minutes: int) -> np.ndarray | None:
    model, _ = check_profile(data)
    if model is None:
        return None
    try:
        return profile_rates(model, minutes)
    except TrafficError:
        return None


def _unique(name: str, taken: set[str]) -> str:
    out, k = name, 2
    while out in taken:
        out, k = f"{name}_{k}", k + 1
    return out


def _mean_rps(data: dict[str, Any], minutes: int) -> float:
    rates = _rates(data, minutes)
    return float(round(float(rates.mean()), 1)) if rates is not None and rates.size else 1000.0


def _on_save(picked: str, pick_key: str, users_key: str) -> None:
    draft = st.session_state.get(DRAFT)
    if not draft:
        return
    name, profile = draft
    w = state.work()
    profiles: dict[str, Any] = w.setdefault("profiles", {})
    model, problems = check_profile(profile)
    if model is None:
        st.session_state[state.NOTICE] = ("warning", "Not saved: " + "; ".join(problems))
        return
    if picked != NEW and picked != name:
        profiles.pop(picked, None)
        for s in w["statements"]:
            if s.get("profile") == picked:
                s["profile"] = name
    profiles[name] = profile
    users = set(st.session_state.get(users_key) or [])
    horizon = int(w.get("horizon_minutes", 1440))
    for s in w["statements"]:
        if s.get("name") in users:
            s["profile"] = name
            s.pop("rps", None)
        elif s.get("profile") == name:
            s.pop("profile", None)
            s["rps"] = _mean_rps(profile, horizon)
    st.session_state[pick_key] = name
    st.session_state[state.EPOCH] += 1
    st.session_state[state.NOTICE] = ("success", f"Saved the traffic profile “{name}”.")


def _on_delete(picked: str, pick_key: str) -> None:
    w = state.work()
    profiles: dict[str, Any] = w.setdefault("profiles", {})
    profile = profiles.pop(picked, None)
    if profile is None:
        return
    horizon = int(w.get("horizon_minutes", 1440))
    for s in w["statements"]:
        if s.get("profile") == picked:
            s.pop("profile", None)
            s["rps"] = _mean_rps(profile, horizon)
    st.session_state[pick_key] = next(iter(profiles), NEW)
    st.session_state[state.EPOCH] += 1
    st.session_state[state.NOTICE] = (
        "success",
        f"Deleted the profile “{picked}”; its statements now run at its mean rate.",
    )


def _number(label: str, key: str, value: float, **kw: Any) -> float:
    state.init_widget(key, value)
    return st.number_input(label, key=key, **kw)


def _shape_inputs(shape: str, draft: dict[str, Any], k: Any, horizon: int) -> dict[str, Any]:
    d = {**DEFAULTS[shape], **(draft if draft.get("shape") == shape else {})}
    out: dict[str, Any] = {"shape": shape}
    rate = {"min_value": 0.0, "step": 500.0, "format": "%g"}
    if shape == "constant":
        out["rps"] = _number("Rate (records/s)", k("rps"), float(d["rps"]), **rate)
    elif shape == "daily":
        a, b = st.columns(2)
        with a:
            out["trough_rps"] = _number(
                "Trough (records/s)", k("trough"), float(d["trough_rps"]), **rate
            )
        with b:
            out["peak_rps"] = _number("Peak (records/s)", k("peak"), float(d["peak_rps"]), **rate)
        state.init_widget(k("peak_hour"), int(d.get("peak_hour", 14)))
        out["peak_hour"] = st.slider("Peak hour", 0, 23, key=k("peak_hour"), format="%d:00")
        a, b = st.columns(2)
        with a:
            out["weekend_factor"] = _number(
                "Weekend factor",
                k("weekend"),
                float(d.get("weekend_factor", 1.0)),
                min_value=0.0,
                max_value=10.0,
                step=0.1,
                format="%g",
                help="Multiplies the rate on Saturdays and Sundays (1 = no difference).",
            )
        with b:
            state.init_widget(k("first_day"), d.get("first_day", "monday"))
            out["first_day"] = st.selectbox(
                "First day", WEEKDAYS, key=k("first_day"), format_func=str.capitalize
            )
    elif shape == "steps":
        st.caption("Each rate holds from its minute until the next step.")
        base_key = k("steps") + ":base"
        if base_key not in st.session_state or k("steps") not in st.session_state:
            st.session_state[base_key] = pd.DataFrame(
                {
                    "minute": pd.array([p["minute"] for p in d["steps"]], dtype="Int64"),
                    "rps": pd.array([p["rps"] for p in d["steps"]], dtype="Float64"),
                }
            )
        edited = st.data_editor(
            st.session_state[base_key],
            key=k("steps"),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "minute": st.column_config.NumberColumn("From minute", min_value=0, step=1),
                "rps": st.column_config.NumberColumn("Rate (records/s)", min_value=0),
            },
        )
        out["steps"] = [
            {"minute": int(r["minute"]), "rps": float(r["rps"])}
            for r in edited.to_dict("records")
            if not pd.isna(r["minute"]) and not pd.isna(r["rps"])
        ]
    elif shape == "bursts":
        a, b = st.columns(2)
        with a:
            out["base_rps"] = _number(
                "Base rate (records/s)", k("base"), float(d["base_rps"]), **rate
            )
            out["minutes"] = int(
                _number("Burst length (minutes)", k("len"), int(d["minutes"]), min_value=1, step=1)
            )
        with b:
            out["multiplier"] = _number(
                "Multiplier in a burst",
                k("mult"),
                float(d["multiplier"]),
                min_value=1.0,
                step=0.5,
                format="%g",
            )
            out["every_minutes"] = int(
                _number(
                    "Every (minutes)",
                    k("every"),
                    int(d.get("every_minutes") or 240),
                    min_value=1,
                    step=15,
                )
            )
        out["first_minute"] = int(
            _number("First burst at minute", k("first"), int(d.get("first_minute", 0)), min_value=0)
        )
    else:
        series_key = k("series")
        state.init_widget(series_key, [list(p) for p in d.get("series") or []])
        up_key = k("csv")
        uploaded = st.file_uploader(
            "Per-minute series (CSV: minute,rps)",
            type=["csv", "txt"],
            key=up_key,
            max_upload_size=5,
            help="One row per minute or per change: `minute,rps`; a header row is optional. "
            "Each rate holds until the next row.",
        )
        if uploaded is not None:
            try:
                points = parse_csv_series(
                    uploaded.getvalue().decode("utf-8-sig"),
                    uploaded.name,
                    horizon_minutes=horizon,
                )
                st.session_state[series_key] = [[m, r] for m, r in points]
            except TrafficError as exc:
                st.error("\n".join(f"- {p}" for p in exc.problems), icon=":material/error:")
            except UnicodeDecodeError:
                st.error(f"{uploaded.name} is not UTF-8 text; save it as CSV.")
        points = st.session_state[series_key]
        if points:
            st.caption(
                f"{len(points):,} point(s), minutes {points[0][0]}–{points[-1][0]}"
                + (f" from {uploaded.name}" if uploaded is not None else "")
                + "."
            )
        out["series"] = points
    growth = float(draft.get("growth_pct_per_month", 0.0))
    g = _number(
        "Growth per month (%)",
        k("growth"),
        growth,
        min_value=-99.0,
        max_value=1000.0,
        step=1.0,
        format="%g",
        help="Compound growth of the rate per 30 days, for long horizons.",
    )
    if g:
        out["growth_pct_per_month"] = g
    return out


def builder(slots: Slots) -> None:
    w = state.work()
    profiles: dict[str, Any] = w.get("profiles") or {}
    horizon = int(w.get("horizon_minutes", 1440))
    st.caption(
        "A traffic profile says how a statement's input rate moves over the horizon: a daily "
        "cycle, steps, bursts, or a measured series. Build one, check the preview, save it and "
        "choose the statements that follow it (or pick it in the statements table)."
    )
    pick_key = state.init_widget(state.wkey("tp.pick"), next(iter(profiles), NEW))
    options = [*profiles, NEW]
    if st.session_state[pick_key] not in options:
        st.session_state[pick_key] = options[0]
    left, right = st.columns([2, 3], gap="large")
    with left:
        picked = st.selectbox("Profile", options, key=pick_key)
        stored = profiles.get(picked) if picked != NEW else None
        draft: dict[str, Any] = stored if isinstance(stored, dict) else DEFAULTS["daily"]
        suffix = f"{picked}@{st.session_state[state.GEN]}.{st.session_state[state.EPOCH]}"

        def k(field: str) -> str:
            return f"tp.{field}.{suffix}"

        default_name = picked if picked != NEW else _unique("my_profile", set(profiles))
        state.init_widget(k("name"), default_name)
        name = st.text_input("Name", key=k("name"), max_chars=100).strip()
        state.init_widget(k("shape"), draft.get("shape", "daily"))
        shape = st.segmented_control(
            "Shape", list(SHAPES), key=k("shape"), format_func=lambda s: SHAPES[s]
        ) or str(draft.get("shape", "daily"))
        profile = _shape_inputs(shape, draft, k, horizon)
        names = [s.get("name", "") for s in w["statements"] if s.get("name")]
        users_key = k("users")
        state.init_widget(
            users_key,
            [
                s.get("name")
                for s in w["statements"]
                if picked != NEW and s.get("profile") == picked
            ],
        )
        st.multiselect(
            "Statements that follow it",
            names,
            key=users_key,
            help="Their constant rate is replaced by this profile. A statement taken out "
            "of the list runs at the profile's mean rate.",
        )
    st.session_state[DRAFT] = (name or default_name, profile)
    model, problems = check_profile(profile)
    with right:
        rates = None
        if model is not None:
            try:
                rates = profile_rates(model, horizon)
            except TrafficError as exc:
                problems = exc.problems
        if rates is not None:
            st.plotly_chart(
                charts.profile_preview(
                    rates, title=f"{name or default_name} over {horizon_label(horizon)}"
                ),
                key="profile_preview",
                config={"displaylogo": False},
            )
            a, b, c = st.columns(3)
            a.metric("Mean (records/s)", f"{rates.mean():,.0f}", border=True)
            b.metric("Peak (records/s)", f"{rates.max():,.0f}", border=True)
            c.metric("Lowest (records/s)", f"{rates.min():,.0f}", border=True)
        if problems:
            st.error("\n".join(f"- {p}" for p in problems), icon=":material/error:")
    a, b, _ = st.columns([1, 1, 3])
    a.button(
        "Save profile",
        type="primary",
        icon=":material/save:",
        on_click=_on_save,
        args=(picked, pick_key, users_key),
        disabled=model is None or not name,
        width="stretch",
    )
    if picked != NEW:
        b.button(
            "Delete profile",
            icon=":material/delete:",
            on_click=_on_delete,
            args=(picked, pick_key),
            width="stretch",
        )
    slots.add("profiles")
