"""The session's working scenario, and every action that replaces or edits it.

What the user typed lives in `st.session_state[WORK]` as a plain scenario dict (the scenario
file's fields), even when it is invalid: a validation failure never resets an input. Widgets
are keyed with a generation number that changes only when the whole scenario is replaced
(an example, an upload, a shared link), so their state survives every ordinary edit.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import streamlit as st
import yaml

from estimator.errors import ScenarioError
from estimator.examples import DEFAULT_EXAMPLE, EXAMPLES, example_text
from estimator.scenario import loads_scenario, parse_scenario, scenario_to_dict
from estimator.ui import share

WORK = "work"  # dict: the working scenario, as typed
GEN = "gen"  # int: bumped when the scenario is replaced wholesale
EPOCH = "epoch"  # int: bumped when an action rewrites the statements outside the table
IDS = "statement_ids"  # list[str]: a stable id per statement (keys of the SQL editors)
NEXT_ID = "next_id"
SAVED = "saved"  # dict[str, dict]: scenarios kept for comparison, by name
NOTICE = "notice"  # (kind, text): shown once at the top of the page
LOAD_PROBLEMS = "load_problems"  # list[str]: why the last upload/link was not loaded
LAST_GOOD = "last_good"  # str: JSON of the last valid scenario
EXAMPLE = "example"  # the example picker's value
KPI_NOW = "kpi_now"
KPI_PREV = "kpi_prev"

PLACEHOLDER_RPS = 1000.0
PLACEHOLDER_BYTES = 1024
PLACEHOLDER_PARTITIONS = 6


def ss() -> Any:
    return st.session_state


def wkey(name: str) -> str:
    """A widget key that belongs to the current generation of the working scenario."""
    return f"{name}@{ss()[GEN]}"


def init_widget(key: str, value: Any) -> str:
    """Seed a widget's value the first time it is drawn; later runs keep what the user set."""
    if key not in ss():
        ss()[key] = value
    return key


def work() -> dict[str, Any]:
    return ss()[WORK]


def new_id() -> str:
    n = ss().get(NEXT_ID, 0)
    ss()[NEXT_ID] = n + 1
    return f"s{n}"


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """Fill in the defaults of a valid scenario so every widget finds its field."""
    try:
        return scenario_to_dict(parse_scenario(copy.deepcopy(data)))
    except ScenarioError:
        return copy.deepcopy(data)


def replace(data: dict[str, Any], notice: str | None = None) -> None:
    """Make `data` the working scenario: every input is redrawn from it."""
    data = _normalised(data)
    data.setdefault("pricing", {})
    data.setdefault("pools", [{"name": "default", "max_cfu": 50}])
    data.setdefault("statements", [])
    s = ss()
    s[WORK] = data
    s[GEN] = s.get(GEN, 0) + 1
    s[EPOCH] = s.get(EPOCH, 0) + 1
    s[IDS] = [new_id() for _ in data["statements"]]
    s[LOAD_PROBLEMS] = []
    s.pop(KPI_NOW, None)
    s.pop(KPI_PREV, None)
    if notice:
        s[NOTICE] = ("success", notice)


def rewrite(data: dict[str, Any]) -> None:
    """Replace the working scenario's content after an action (Apply, Undo) but keep the page:
    tables redraw from it, sidebar widgets and the KPI deltas stay."""
    s = ss()
    s[WORK] = _normalised(data)
    if len(s[WORK].get("statements", [])) != len(s.get(IDS, [])):
        s[IDS] = [new_id() for _ in s[WORK].get("statements", [])]
    s[EPOCH] = s.get(EPOCH, 0) + 1


def example_data(name: str) -> dict[str, Any]:
    return yaml.safe_load(example_text(name))


def ensure() -> None:
    """Create the session's state on its first run: from `?s=` when present, else an example."""
    s = ss()
    if WORK in s:
        return
    s[SAVED] = {}
    s[NOTICE] = None
    token = st.query_params.get(share.QUERY_KEY)
    if token:
        try:
            data = share.decode(token)
            parse_scenario(copy.deepcopy(data))
        except ScenarioError as exc:
            replace(example_data(DEFAULT_EXAMPLE))
            s[EXAMPLE] = DEFAULT_EXAMPLE
            s[LOAD_PROBLEMS] = [
                "The shared link could not be opened, so an example is shown instead.",
                *exc.problems,
            ]
            return
        replace(data, "Opened the scenario from the shared link.")
        s[EXAMPLE] = None
        return
    replace(example_data(DEFAULT_EXAMPLE))
    s[EXAMPLE] = DEFAULT_EXAMPLE


# --- callbacks: they run before the script, so the whole next run sees their result ---


def on_example() -> None:
    name = ss().get(EXAMPLE)
    if name in EXAMPLES:
        replace(example_data(name), f"Loaded the example “{EXAMPLES[name]}”.")


def on_upload(key: str) -> None:
    uploaded = ss().get(key)
    if uploaded is None:
        return
    try:
        scenario = loads_scenario(uploaded.getvalue())
    except ScenarioError as exc:
        ss()[LOAD_PROBLEMS] = [
            f"{uploaded.name} was not loaded; your scenario is unchanged.",
            *exc.problems,
        ]
        return
    replace(scenario_to_dict(scenario), f"Loaded {uploaded.name}.")
    ss()[EXAMPLE] = None


_IDENT = re.compile(r"[^0-9A-Za-z_]+")
_DDL_TARGET = re.compile(
    r"^\s*(CREATE|ALTER|DROP)\s+(?:TEMPORARY\s+)?(?:TABLE|VIEW|FUNCTION|DATABASE|CATALOG)\s+"
    r"(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([`\"\w.]+)",
    re.IGNORECASE,
)
_SET = re.compile(r"^\s*(SET|RESET)\b\s*'?([\w.\-]*)", re.IGNORECASE)
_TTL_PROBE = "INSERT INTO ttl_probe SELECT k, COUNT(*) FROM ttl_probe_in GROUP BY k"
PASTED_NAME = "Pasted script"


def _ident(text: str) -> str:
    return _IDENT.sub("_", text.split(".")[-1].strip('`"')).strip("_").lower()


def _base_name(sql: str, c: Any) -> str:
    """What the statement writes: its sink table; for DDL, verb and object; for a SELECT,
    what it reads."""
    if c.sink:
        return "_".join(_ident(x) for x in str(c.sink).split(","))
    m = _DDL_TARGET.match(sql)
    if m:
        return f"{m.group(1).lower()}_{_ident(m.group(2))}"
    m = _SET.match(sql)
    if m:
        return f"{m.group(1).lower()}_{_ident(m.group(2).replace('.', '_').replace('-', '_'))}"
    if c.statement_type == "select" and c.sources:
        return f"select_from_{_ident(c.sources[0])}"
    return ""


def _statement_name(base: str, statement_type: str, n: int, taken: set[str]) -> str:
    base = base.strip("_")
    if not base:
        base = {"ddl": "ddl", "select": "query"}.get(statement_type, "statement")
        base = f"{base}_{n}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _sets_ttl(sql: str) -> bool | None:
    """Whether a SET/RESET statement turns the state TTL on (True), off (False), or leaves it
    (None): asked of the classifier's script-level reading, with a stateful probe after it."""
    from estimator.sql import classify_script

    if not _SET.match(sql):
        return None
    on = classify_script(f"{sql};\n{_TTL_PROBE};")[-1].state != "unbounded"
    if on:
        return True
    off = classify_script(f"SET 'sql.state-ttl' = '1 d';\n{sql};\n{_TTL_PROBE};")[-1]
    return False if off.state == "unbounded" else None


def statements_from_script(text: str, pool: str, taken: set[str]) -> list[dict[str, Any]]:
    """One statement dict per statement of a pasted script, read like the command line reads a
    script (a SET 'sql.state-ttl' carries to the statements after it), named after the table
    it writes, with placeholder rates for the user to set."""
    from estimator.sql import classify_script
    from estimator.ui.compute import split

    pieces = split(text)
    classes = classify_script(text)
    if len(classes) != len(pieces):  # never expected: fall back to one at a time
        from estimator.ui.compute import classify

        classes = [classify(p) for p in pieces]
    out: list[dict[str, Any]] = []
    ttl = False
    for n, (sql, c) in enumerate(zip(pieces, classes, strict=True), start=1):
        row: dict[str, Any] = {
            "name": _statement_name(_base_name(sql, c), c.statement_type, n, taken),
            "pool": pool,
            "sql": sql,
        }
        if c.kind != "ddl":
            row |= {
                "rps": PLACEHOLDER_RPS,
                "message_bytes": PLACEHOLDER_BYTES,
                "partitions": PLACEHOLDER_PARTITIONS,
            }
            if ttl:
                row["state_ttl"] = True
        else:
            turned = _sets_ttl(sql)
            if turned is not None:
                ttl = turned
        out.append(row)
    return out


def on_paste(text_key: str, mode: str) -> None:
    """Read a pasted script. Replace starts a fresh scenario (its own name, one pool, no KPI
    deltas, fresh pickers) keeping price, horizon and autoscaler; Add appends to this one."""
    text = ss().get(text_key) or ""
    w = work()
    keep = mode == "append"
    pools = [p.get("name") for p in w.get("pools", []) if p.get("name")] if keep else []
    pool = pools[0] if pools else "default"
    taken = {s.get("name", "") for s in w["statements"]} if keep else set()
    rows = statements_from_script(text, pool, taken)
    if not rows:
        ss()[NOTICE] = ("warning", "No SQL statement found in the pasted text.")
        return
    running = sum(1 for r in rows if "rps" in r)
    with_ttl = sum(1 for r in rows if r.get("state_ttl"))
    msg = f"Read {len(rows)} statement(s) from the script."
    if with_ttl:
        msg += f" {with_ttl} run with the state TTL the script sets."
    if running:
        msg += (
            f" {running} running statement(s) got a placeholder rate of "
            f"{PLACEHOLDER_RPS:,.0f} records/s: set each one's real rate in the table."
        )
    ss()[text_key] = ""
    if keep:
        if not pools:
            w["pools"] = [{"name": pool, "max_cfu": 50}]
        w["statements"] = [*w["statements"], *rows]
        ss()[IDS] = [*ss()[IDS], *(new_id() for _ in rows)]
        ss()[EPOCH] += 1
        ss()[NOTICE] = ("success", msg)
        return
    fresh: dict[str, Any] = {
        k: copy.deepcopy(w[k])
        for k in ("schema_version", "pricing", "horizon_minutes", "month_hours", "autoscaler")
        if k in w
    }
    fresh |= {
        "name": PASTED_NAME,
        "pools": [{"name": "default", "max_cfu": 50}],
        "statements": rows,
    }
    replace(fresh, msg)
    ss()[EXAMPLE] = None


PENDING_SAVE = "pending_save"  # name the user asked to keep that is already taken


def unique_name(name: str) -> str:
    taken = ss()[SAVED]
    out, k = name, 2
    while out in taken:
        out, k = f"{name} ({k})", k + 1
    return out


def save_for_compare(name: str, *, overwrite: bool = False) -> str | None:
    """Keep the working scenario under `name`. A different version already kept under that
    name is not overwritten unless asked: the question is left in PENDING_SAVE. Returns the
    name kept under (None when the question is pending)."""
    name = name.strip() or work().get("name", "Scenario")
    saved = ss()[SAVED]
    if name in saved and saved[name] != work() and not overwrite:
        ss()[PENDING_SAVE] = name
        return None
    saved[name] = copy.deepcopy(work())
    ss()[PENDING_SAVE] = None
    picked = ss().get("compare_pick")
    if picked is not None and name not in picked:
        ss()["compare_pick"] = [*picked, name]
    ss()[NOTICE] = ("success", f"Kept “{name}” for comparison (see the Compare page).")
    return name


def on_save(name_key: str) -> None:
    save_for_compare(ss().get(name_key) or "")


def on_save_replace() -> None:
    name = ss().get(PENDING_SAVE)
    if name:
        save_for_compare(name, overwrite=True)


def on_save_both() -> None:
    name = ss().get(PENDING_SAVE)
    if name:
        save_for_compare(unique_name(name))


def on_save_cancel() -> None:
    ss()[PENDING_SAVE] = None


def pending_save_question() -> None:
    """Ask before a kept version is overwritten (drawn where the Keep button is)."""
    name = ss().get(PENDING_SAVE)
    if not name:
        return
    st.warning(
        f"A different version is already kept as “{name}”. Replace it, or keep both?",
        icon=":material/help:",
    )
    a, b, c = st.columns(3)
    a.button("Replace it", on_click=on_save_replace, key="save_replace", width="stretch")
    b.button(
        f"Keep both (as “{unique_name(name)}”)",
        on_click=on_save_both,
        key="save_both",
        width="stretch",
    )
    c.button("Cancel", on_click=on_save_cancel, key="save_cancel", width="stretch")


def on_open_saved(name: str) -> None:
    data = ss()[SAVED].get(name)
    if data is not None:
        replace(data, f"Opened “{name}” in the workbench.")
        ss()[EXAMPLE] = None


def on_remove_saved(name: str) -> None:
    ss()[SAVED].pop(name, None)
