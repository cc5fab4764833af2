"""The inputs of the workbench: sidebar settings, statements table, SQL editors, pools.

Every function draws its widgets, reads their values back into the working scenario dict
(`state.work()`) and registers a slot next to each field for validation problems.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import pandas as pd
import streamlit as st

from estimator import autoscaler as autoscaler_presets
from estimator import changes
from estimator.errors import PricingError
from estimator.examples import EXAMPLES
from estimator.formatting import horizon as horizon_label
from estimator.pricing import PriceQuote, known_regions, quote
from estimator.scenario import MAX_HORIZON_MINUTES, Statement
from estimator.sql import Classification
from estimator.ui import calibrate_ui, compute, projection_ui, state
from estimator.ui.feedback import Slots

HORIZONS: tuple[int, ...] = (
    60,
    120,
    360,
    720,
    1440,
    2880,
    4320,
    10080,
    20160,
    44640,
    132480,
    MAX_HORIZON_MINUTES,
)
KIND_COLORS: dict[str, str] = {
    "ddl": "gray",
    "stateless": "green",
    "aggregate": "blue",
    "join": "violet",
    "unknown": "red",
}
CONSTANT = "constant rate"
INLINE = "custom (inline)"


def statement_supports(field: str) -> bool:
    return field in Statement.model_fields


def _digest(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:8]


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return float(value)


def _int(value: Any) -> int | None:
    v = _num(value)
    return None if v is None else round(v)


def parse_cell(value: Any) -> float | str | None:
    """A number typed in a grid cell, read exactly: '1e12' is 1e12, '-5,000' is -5000; text
    that is no number comes back as it is, so validation names the field and says why."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = str(value).strip().replace(",", "").replace("_", "").replace(" ", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return str(value).strip()
    return number if math.isfinite(number) else str(value).strip()


def _whole(value: float | str | None) -> int | float | str | None:
    """Whole numbers as int (so '12' is 12 partitions); a fraction stays for validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def cell_text(value: Any) -> str | None:
    """How a number shows in a text grid cell: '5000', '12.5'; empty for none."""
    v = _num(value) if not isinstance(value, str) else None
    if isinstance(value, str):
        return value
    if v is None:
        return None
    return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"


def resolved_profile(w: dict[str, Any], s: dict[str, Any]) -> dict[str, Any] | None:
    ref = s.get("profile")
    if isinstance(ref, str):
        found = (w.get("profiles") or {}).get(ref)
        return found if isinstance(found, dict) else None
    return ref if isinstance(ref, dict) else None


def shown_rate(w: dict[str, Any], s: dict[str, Any]) -> float | None:
    """The rate a statement's row shows: its rps, or its traffic profile's mean."""
    profile = resolved_profile(w, s)
    if profile is None:
        return _num(s.get("rps")) if not isinstance(s.get("rps"), str) else None
    mean = changes.profile_mean_rps(profile, int(w.get("horizon_minutes", 1440)))
    return round(mean, 1) if mean is not None else None


# --- sidebar -------------------------------------------------------------------------------


def _on_cloud(cloud_key: str, region_key: str) -> None:
    regions = known_regions().get(st.session_state.get(cloud_key, ""), [])
    if regions:
        st.session_state[region_key] = regions[0]


def _price_caption(q: PriceQuote) -> str:
    src = q.source
    link = f"[{src.split('/')[2]}]({src})" if src.startswith("http") else src
    date = f" · effective {q.effective_date:%-d %b %Y}" if q.effective_date else ""
    return f"List price **${q.usd_per_cfu_hour}** per CFU-hour · source {link}{date}"


def scenario_picker() -> None:
    st.markdown("**Scenario**")
    st.selectbox(
        "Start from an example",
        list(EXAMPLES),
        format_func=lambda n: EXAMPLES.get(n, n),
        key=state.EXAMPLE,
        index=None,
        placeholder="Choose an example…",
        on_change=state.on_example,
        help="Loads the example in one step; your current scenario is replaced.",
    )
    up_key = "upload_scenario"
    st.file_uploader(
        "Open a scenario file",
        type=["yaml", "yml", "json"],
        key=up_key,
        on_change=state.on_upload,
        args=(up_key,),
        max_upload_size=5,
        help="A scenario saved from this app or written by hand (YAML or JSON, at most 5 MB).",
    )


def sidebar(slots: Slots) -> None:
    w = state.work()
    pricing = w.setdefault("pricing", {})
    with st.sidebar:
        scenario_picker()
        st.divider()
        st.markdown("**Price**")
        ck = state.init_widget(state.wkey("cloud"), pricing.get("cloud", "aws"))
        rk = state.wkey("region")
        clouds = ["aws", "gcp", "azure"]
        if st.session_state[ck] not in clouds:
            st.session_state[ck] = "aws"
        cloud = st.selectbox(
            "Cloud", clouds, key=ck, format_func=str.upper, on_change=_on_cloud, args=(ck, rk)
        )
        regions = list(known_regions().get(cloud, []))
        state.init_widget(rk, pricing.get("region", regions[0] if regions else ""))
        if st.session_state[rk] and st.session_state[rk] not in regions:
            regions.append(st.session_state[rk])
        region = st.selectbox(
            "Region",
            regions,
            key=rk,
            accept_new_options=True,
            help="Regions with a published price are listed; type another and set your price.",
        )
        pricing["cloud"], pricing["region"] = cloud, region or ""
        list_price: PriceQuote | None = None
        try:
            list_price = quote(cloud, region or "")
            st.caption(_price_caption(list_price))
        except PricingError:
            st.caption("No list price known for this region: set your price below.")
        slots.add("pricing.region")
        slots.add("pricing.cloud")

        override = pricing.get("usd_per_cfu_hour")
        ok = state.init_widget(state.wkey("price_override"), override is not None)
        use_own = st.toggle(
            "Use my own price",
            key=ok,
            help="A contract or regional rate. Shown in the assumptions as an override.",
        )
        if use_own:
            default = override if override is not None else 0.21
            if list_price is not None and override is None:
                default = float(list_price.usd_per_cfu_hour)
            pk = state.init_widget(state.wkey("price"), float(default))
            pricing["usd_per_cfu_hour"] = st.number_input(
                "Price (USD per CFU-hour)", key=pk, min_value=0.0, step=0.01, format="%.4f"
            )
        else:
            pricing.pop("usd_per_cfu_hour", None)
        slots.add("pricing.usd_per_cfu_hour")
        dk = state.init_widget(state.wkey("discount"), float(pricing.get("discount_pct", 0)))
        pricing["discount_pct"] = st.number_input(
            "Discount (%)",
            key=dk,
            min_value=0.0,
            max_value=100.0,
            step=1.0,
            format="%g",
            help="Applied to every cost (a committed-use discount, for example).",
        )
        slots.add("pricing.discount_pct")
        slots.add("pricing")

        st.divider()
        st.markdown("**Horizon and scaling**")
        horizon_input(w, slots)
        projection_ui.settings(w, slots)
        autoscaler_input(w, slots)
        with st.expander("Billing month"):
            mk = state.init_widget(state.wkey("month_hours"), float(w.get("month_hours", 730)))
            w["month_hours"] = st.number_input(
                "Hours in a billing month",
                key=mk,
                min_value=1.0,
                max_value=744.0,
                step=1.0,
                format="%g",
                help="Monthly = recurring cost of whole traffic cycles scaled to this many hours "
                "(730 = 8,760 / 12).",
            )
            slots.add("month_hours")


def horizon_input(w: dict[str, Any], slots: Slots) -> None:
    current = int(w.get("horizon_minutes", 1440))
    options = sorted(set(HORIZONS) | {min(max(current, 1), MAX_HORIZON_MINUTES)})
    hk = state.init_widget(state.wkey("horizon"), current)
    w["horizon_minutes"] = st.select_slider(
        "Horizon",
        options=options,
        key=hk,
        format_func=horizon_label,
        help="The span simulated minute by minute and billed. Monthly and the projection come "
        "from whole traffic cycles simulated apart, whatever the horizon.",
    )
    slots.add("horizon_minutes")


# --- autoscaler ----------------------------------------------------------------------------


def autoscaler_input(w: dict[str, Any], slots: Slots) -> None:
    presets = autoscaler_presets.load_presets()
    names = list(presets)
    raw = w.get("autoscaler", autoscaler_presets.DEFAULT_PRESET)
    current = str(raw.get("preset", names[0]) if isinstance(raw, dict) else raw)
    given = {k: v for k, v in raw.items() if k != "preset"} if isinstance(raw, dict) else {}
    ak = state.init_widget(state.wkey("autoscaler"), current if current in names else names[0])
    preset_name = st.selectbox(
        "Autoscaler",
        names,
        key=ak,
        format_func=lambda n: presets[n].label,
        help="How each statement's CFUs follow its input rate.",
    )
    preset = presets[preset_name]
    st.caption(preset.description)
    overrides: dict[str, float] = {}
    with st.expander("Autoscaler parameters"):
        for p in preset.parameters:
            seeded = given.get(p.key, p.value) if preset_name == current else p.value
            key = state.wkey(f"as.{preset_name}.{p.key}")
            help_text = (
                f"{p.unit}, {p.minimum:g} to {p.maximum:g}. Preset value {p.value:g}: {p.source}"
            )
            if p.unit == "flag":
                state.init_widget(key, bool(seeded))
                value: float = 1.0 if st.toggle(p.label, key=key, help=help_text) else 0.0
            else:
                whole = all(float(x).is_integer() for x in (p.value, p.minimum, p.maximum))
                state.init_widget(key, int(seeded) if whole else float(seeded))
                value = st.number_input(
                    p.label,
                    key=key,
                    min_value=int(p.minimum) if whole else float(p.minimum),
                    max_value=int(p.maximum) if whole else float(p.maximum),
                    step=1 if whole else 0.05,
                    format=None if whole else "%g",
                    help=help_text,
                )
            if float(value) != p.value:
                overrides[p.key] = value
    w["autoscaler"] = {"preset": preset_name, **overrides} if overrides else preset_name
    slots.add("autoscaler")


# --- pools ---------------------------------------------------------------------------------


def pools_editor(slots: Slots) -> None:
    w = state.work()
    key = f"pools@{st.session_state[state.GEN]}.{st.session_state[state.EPOCH]}"
    base_key = key + ":base"
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = pd.DataFrame(
            {
                "id": [p.get("name", "") for p in w["pools"]],
                "name": [p.get("name", "") for p in w["pools"]],
                "max_cfu": pd.array([p.get("max_cfu", 50) for p in w["pools"]], dtype="Int64"),
            }
        )
    edited = st.data_editor(
        st.session_state[base_key],
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=["name", "max_cfu"],
        placeholder="–",
        column_config={
            "name": st.column_config.TextColumn(
                "Compute pool", required=True, max_chars=100, help="Pool name (unique)."
            ),
            "max_cfu": st.column_config.NumberColumn(
                "MAX_CFU",
                min_value=0,
                step=1,
                default=10,
                help="The pool's CFU budget (up to 50 by default in Confluent Cloud).",
            ),
        },
    )
    pools: list[dict[str, Any]] = []
    renames: dict[str, str] = {}
    before = {p.get("name"): p for p in w["pools"]}
    for row in edited.to_dict("records"):
        name = str(row.get("name") or "").strip()
        max_cfu = _int(row.get("max_cfu"))
        kept = before.get(row.get("id"), {})  # fields the table does not show (labels)
        pool: dict[str, Any] = {k: v for k, v in kept.items() if k not in ("name", "max_cfu")}
        pool["name"] = name
        if max_cfu is not None:
            pool["max_cfu"] = max_cfu
        pools.append(pool)
        old = row.get("id")
        if isinstance(old, str) and old and name and old != name:
            renames[old] = name
    if renames:
        for s in w["statements"]:
            if s.get("pool") in renames:
                s["pool"] = renames[s["pool"]]
    w["pools"] = pools
    slots.add("pools")


# --- statements ----------------------------------------------------------------------------


def profile_names(w: dict[str, Any]) -> list[str]:
    profiles = w.get("profiles") or {}
    return [str(n) for n in profiles] if isinstance(profiles, dict) else []


def _profile_cell(value: Any) -> str:
    if value is None:
        return CONSTANT
    if isinstance(value, str):
        return value
    return INLINE


def statements_editor(slots: Slots) -> None:
    """The statements grid. Numbers are typed as text and read exactly, then validated like
    the scenario file (the message goes next to the table, naming row and field). A statement
    that follows a traffic profile shows the profile's mean rate; typing a rate there scales
    its profile (a named one becomes the statement's own scaled copy)."""
    w = state.work()
    ids: list[str] = st.session_state[state.IDS]
    pool_names = [p["name"] for p in w["pools"] if p.get("name")]
    with_profiles = statement_supports("profile")
    profiles = [CONSTANT, *profile_names(w)]
    if with_profiles and any(isinstance(s.get("profile"), dict) for s in w["statements"]):
        profiles.append(INLINE)
    sig = _digest(pool_names, profiles)
    key = f"statements@{st.session_state[state.GEN]}.{st.session_state[state.EPOCH]}.{sig}"
    base_key = key + ":base"
    if key not in st.session_state or base_key not in st.session_state:
        ddl = [not s.get("sql", "").strip() or _is_ddl(s) for s in w["statements"]]
        data: dict[str, Any] = {
            "id": list(ids),
            "name": [s.get("name", "") for s in w["statements"]],
            "pool": [s.get("pool", "default") for s in w["statements"]],
            "rps": [cell_text(shown_rate(w, s)) for s in w["statements"]],
            "message_bytes": [
                None if d else cell_text(s.get("message_bytes", 1024))
                for s, d in zip(w["statements"], ddl, strict=True)
            ],
            "partitions": [cell_text(s.get("partitions")) for s in w["statements"]],
            "state_ttl": [bool(s.get("state_ttl")) for s in w["statements"]],
        }
        if with_profiles:
            data["profile"] = [_profile_cell(s.get("profile")) for s in w["statements"]]
        st.session_state[base_key] = pd.DataFrame(data)
    columns = ["name", "pool", "rps", "message_bytes", "partitions", "state_ttl"]
    config: dict[str, Any] = {
        "name": st.column_config.TextColumn(
            "Statement", required=True, max_chars=200, help="A unique name for the statement."
        ),
        "pool": st.column_config.SelectboxColumn(
            "Pool",
            options=pool_names,
            required=True,
            default=pool_names[0] if pool_names else None,
            help="The compute pool it runs in (edit pools in the Pools tab).",
        ),
        "rps": st.column_config.TextColumn(
            "Rate (records/s)",
            help="Mean input records per second. For a statement that follows a traffic "
            "profile this is the profile's mean: typing a new one scales the profile. Leave "
            "empty for DDL and CFU schedules.",
        ),
        "message_bytes": st.column_config.TextColumn(
            "Message size (bytes)", help="Mean size of an input message, in bytes."
        ),
        "partitions": st.column_config.TextColumn(
            "Partitions",
            help="Partitions of the input topic: Autopilot never scales a source beyond them.",
        ),
        "state_ttl": st.column_config.CheckboxColumn(
            "State TTL",
            default=False,
            help="Runs with sql.state-ttl: joins and GROUP BY keep bounded state. A pasted "
            "script's SET 'sql.state-ttl' ticks it for the statements after the SET.",
        ),
    }
    if with_profiles:
        columns.append("profile")
        config["profile"] = st.column_config.SelectboxColumn(
            "Traffic profile",
            options=profiles,
            default=CONSTANT,
            help="How the rate moves over time; build profiles in the Traffic tab.",
        )
    edited = st.data_editor(
        st.session_state[base_key],
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=columns,
        column_config=config,
        placeholder="–",
        height=min(36 * (len(w["statements"]) + 2) + 4, 760),
    )
    old = dict(zip(ids, w["statements"], strict=False))
    base_rows = {r["id"]: r for r in st.session_state[base_key].to_dict("records")}
    rewritten = False
    notes: list[str] = []
    statements: list[dict[str, Any]] = []
    new_ids: list[str] = []
    added = 0
    for row in edited.to_dict("records"):
        sid = row.get("id")
        if not isinstance(sid, str) or not sid:
            sid = f"{key}+{added}"
            added += 1
        s = dict(old.get(sid, {"sql": ""}))
        base = base_rows.get(sid, {})
        s["name"] = str(row.get("name") or "").strip()
        s["pool"] = row.get("pool") or (pool_names[0] if pool_names else "default")
        for field in ("message_bytes", "partitions"):
            value = _whole(parse_cell(row.get(field)))
            if value is None:
                s.pop(field, None)
            else:
                s[field] = value
        if bool(row.get("state_ttl")):
            s["state_ttl"] = True
        else:
            s.pop("state_ttl", None)
        if with_profiles:
            cell = row.get("profile") or CONSTANT
            if cell == CONSTANT:
                s.pop("profile", None)
            elif cell != INLINE:
                s["profile"] = cell
        rate = parse_cell(row.get("rps"))
        rate_typed = parse_cell(base.get("rps")) != rate
        profile = resolved_profile(w, s) if with_profiles else None
        if profile is None:
            if rate is None:
                s.pop("rps", None)
            else:
                s["rps"] = rate
            if sid in old and old[sid].get("profile") is not None and rate is None:
                # The profile was set back to a constant rate: keep the profile's mean.
                mean = shown_rate(w, old[sid])
                if mean:
                    s["rps"] = mean
                    rewritten = True
        else:
            s.pop("rps", None)
            mean = shown_rate(w, {**s, "rps": None})
            if rate_typed and isinstance(rate, float) and _valid_rate(rate) and mean:
                factor = rate / mean
                s["profile"] = changes.scale_profile(profile, factor)
                notes.append(
                    f"Scaled the traffic profile of {s['name']} by {factor:.3g} to a mean of "
                    f"{rate:,.0f} records/s (it is now the statement's own copy)."
                )
                rewritten = True
            elif rate_typed:
                s["rps"] = rate  # not a usable rate: validation names the field
        statements.append(s)
        new_ids.append(sid)
    w["statements"] = statements
    st.session_state[state.IDS] = new_ids
    if rewritten:
        st.session_state[state.EPOCH] += 1
        if notes:
            st.session_state[state.NOTICE] = ("success", " ".join(notes))
        st.rerun()
    slots.names["statements"] = [s.get("name", "") for s in statements]
    slots.add("statements")


def _valid_rate(rate: float | str | None) -> bool:
    """Whether a typed rate is one the scenario file accepts as rps."""
    if not isinstance(rate, float):
        return False
    try:
        Statement.model_validate({"name": "x", "rps": rate})
    except ValueError:
        return False
    return True


def _is_ddl(s: dict[str, Any]) -> bool:
    sql = s.get("sql", "")
    return compute.classify(sql).kind == "ddl" if sql.strip() else False


def kind_badge(kind: str) -> str:
    return f":{KIND_COLORS.get(kind, 'gray')}-badge[{kind}]"


def classification_block(c: Classification, s: dict[str, Any]) -> None:
    """What the classifier read in the statement: kind, operators, why, and warnings."""
    parts = [kind_badge(c.kind), f":gray-badge[{c.statement_type}]"]
    parts += [f":orange-badge[{op.replace('_', ' ')}]" for op in c.operators]
    if c.parallelism_cap:
        parts.append(f":gray-badge[parallelism ≤ {c.parallelism_cap}]")
    if c.state != "none":
        color = "red" if c.state == "unbounded" else "gray"
        parts.append(f":{color}-badge[state: {c.state}]")
    st.markdown(" ".join(parts))
    if c.explanation:
        st.caption(c.explanation)
    if c.error:
        st.warning(
            f"This statement cannot be read: {c.error}. It is left out of the estimate; the "
            "others are still estimated.",
            icon=":material/report:",
        )
    elif c.state == "unbounded":
        st.warning(
            "Its state grows without bound (a regular join or a GROUP BY without windows): "
            "set `sql.state-ttl`, or expect it to slow down and cost more over time.",
            icon=":material/warning:",
        )
    if c.confidence == "low" and not c.error and s.get("sql", "").strip():
        st.caption(":material/help: Read with low confidence: check the kind above.")
    note = calibrate_ui.measured_note(s)
    if note:
        st.caption(f":material/speed: {note}.")
    if s.get("cfu_schedule"):
        steps = ", ".join(f"{x['cfu']} CFU for {x['minutes']} min" for x in s["cfu_schedule"])
        st.caption(f":material/schedule: Known usage instead of a workload model: {steps}.")


FLEET = 25
"""Statements above which the SQL editors show one statement at a time, picked by name (200
expanders are unusable, and drawing them took a second of every edit)."""


def sql_editors(slots: Slots) -> None:
    w = state.work()
    ids: list[str] = st.session_state[state.IDS]
    rows = list(zip(ids, w["statements"], strict=False))
    if len(rows) <= FLEET:
        for i, (sid, s) in enumerate(rows):
            _sql_editor(slots, i, sid, s, expanded=None)
        return
    names = [s.get("name") or f"row {i + 1}" for i, (_, s) in enumerate(rows)]
    i = st.selectbox(
        f"{len(rows)} statements: pick one to read or edit its SQL",
        range(len(rows)),
        format_func=lambda k: names[k],
        key=f"sql_pick@{st.session_state[state.GEN]}",
    )
    sid, s = rows[i or 0]
    _sql_editor(slots, i or 0, sid, s, expanded=True)


def _sql_editor(
    slots: Slots, i: int, sid: str, s: dict[str, Any], *, expanded: bool | None
) -> None:
    """One statement's SQL and how it was read (`expanded`: None opens it when unreadable)."""
    key = state.init_widget(f"sql@{st.session_state[state.GEN]}.{sid}", s.get("sql", ""))
    sql = st.session_state.get(key, "")
    c = compute.classify(sql) if sql.strip() else None
    kind = c.kind if c else ("schedule" if s.get("cfu_schedule") else "no SQL")
    badge = kind_badge(kind) if c else f":gray-badge[{kind}]"
    name = s.get("name") or f"row {i + 1}"
    ops = ", ".join(op.replace("_", " ") for op in c.operators) if c else ""
    label = f"{badge} **{name}**" + (f" :gray[· {ops}]" if ops else "")
    if c is not None and c.error:
        label += " :red[· cannot be read]"
    if calibrate_ui.is_measured(s.get("records_per_cfu_second_source")):
        label += " " + calibrate_ui.measured_badge()
    with st.expander(
        label, expanded=bool(c is not None and c.error) if expanded is None else expanded
    ):
        s["sql"] = st.text_area(
            f"SQL of {name}",
            key=key,
            height=150,
            label_visibility="collapsed",
            placeholder="INSERT INTO … SELECT … FROM …",
        )
        slots.add(f"statements[{i}]")
        if c is not None:
            classification_block(c, s)
        elif s.get("cfu_schedule"):
            classification_block(
                Classification(statement_type="unknown", kind="unknown", confidence="high"), s
            )


def paste_script() -> None:
    text_key = "paste_sql"
    with st.expander(":material/content_paste: Paste a SQL script", expanded=False):
        st.text_area(
            "Flink SQL script",
            key=text_key,
            height=180,
            placeholder="CREATE TABLE …;\nINSERT INTO … SELECT … FROM …;\n…",
            help="Statements end with a semicolon; EXECUTE STATEMENT SET blocks stay together.",
        )
        a, b, _ = st.columns([1, 1, 2])
        a.button(
            "Replace statements",
            on_click=state.on_paste,
            args=(text_key, "replace"),
            type="primary",
            icon=":material/splitscreen:",
        )
        b.button("Add to statements", on_click=state.on_paste, args=(text_key, "append"))
