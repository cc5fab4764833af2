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


def _statement_name(sink: str | None, statement_type: str, n: int, taken: set[str]) -> str:
    base = _IDENT.sub("_", (sink or "").split(".")[-1].strip('`"')).strip("_")
    if not base:
        base = {"ddl": "ddl", "select": "query"}.get(statement_type, "statement")
        base = f"{base}_{n}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def statements_from_script(text: str, pool: str, taken: set[str]) -> list[dict[str, Any]]:
    """One statement dict per statement of a pasted script, named after its sink table, with
    placeholder rates for the user to set."""
    from estimator.ui.compute import classify, split

    out: list[dict[str, Any]] = []
    for n, sql in enumerate(split(text), start=1):
        c = classify(sql)
        row: dict[str, Any] = {
            "name": _statement_name(c.sink, c.statement_type, n, taken),
            "pool": pool,
            "sql": sql,
        }
        if c.kind != "ddl":
            row |= {
                "rps": PLACEHOLDER_RPS,
                "message_bytes": PLACEHOLDER_BYTES,
                "partitions": PLACEHOLDER_PARTITIONS,
            }
        out.append(row)
    return out


def on_paste(text_key: str, mode: str) -> None:
    text = ss().get(text_key) or ""
    w = work()
    pools = [p.get("name") for p in w.get("pools", []) if p.get("name")]
    pool = pools[0] if pools else "default"
    if not pools:
        w["pools"] = [{"name": pool, "max_cfu": 50}]
    keep = mode == "append"
    taken = {s.get("name", "") for s in w["statements"]} if keep else set()
    rows = statements_from_script(text, pool, taken)
    if not rows:
        ss()[NOTICE] = ("warning", "No SQL statement found in the pasted text.")
        return
    if keep:
        w["statements"] = [*w["statements"], *rows]
        ss()[IDS] = [*ss()[IDS], *(new_id() for _ in rows)]
    else:
        w["statements"] = rows
        ss()[IDS] = [new_id() for _ in rows]
    ss()[EPOCH] += 1
    ss()[text_key] = ""
    running = sum(1 for r in rows if "rps" in r)
    msg = f"Read {len(rows)} statement(s) from the script."
    if running:
        msg += (
            f" {running} running statement(s) got a placeholder rate of "
            f"{PLACEHOLDER_RPS:,.0f} records/s: set each one's real rate in the table."
        )
    ss()[NOTICE] = ("success", msg)


def save_for_compare(name: str) -> None:
    name = name.strip() or work().get("name", "Scenario")
    ss()[SAVED][name] = copy.deepcopy(work())
    picked = ss().get("compare_pick")
    if picked is not None and name not in picked:
        ss()["compare_pick"] = [*picked, name]
    ss()[NOTICE] = ("success", f"Kept “{name}” for comparison (see the Compare page).")


def on_save(name_key: str) -> None:
    save_for_compare(ss().get(name_key) or "")


def on_open_saved(name: str) -> None:
    data = ss()[SAVED].get(name)
    if data is not None:
        replace(data, f"Opened “{name}” in the workbench.")
        ss()[EXAMPLE] = None


def on_remove_saved(name: str) -> None:
    ss()[SAVED].pop(name, None)
