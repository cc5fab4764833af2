"""The scenario library in the app: save the workbench scenario, find, open and diff saved
versions, and `/?id=<short id>` links that show one version read-only.

The database is opened once per server process (DATABASE_URL, else SQLite in the data
folder). When it cannot be reached the Library page says so once, and the rest of the app
(estimating, Compare with the session's versions) works as before.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from estimator.errors import EstimatorError, ScenarioError
from estimator.formatting import money
from estimator.storage import Library, LibraryError, LibraryUnavailable, SavedVersion
from estimator.storage.diff import show
from estimator.ui import compute, results, state, summary
from estimator.ui.feedback import guarded

QUERY_KEY = "id"
ORIGIN = "library_origin"  # (name, customer, tags) of the saved scenario the workbench came from
WHO = "library_who"
LAST_SAVED = "library_last_saved"  # (short id, version number, name)
RETRY_AFTER_S = 30.0
COMPARE_VERSIONS = 50

_lock = threading.Lock()
_open: dict[str, Library] = {}
_failed: dict[str, tuple[float, str]] = {}


def _url_key() -> str:
    return os.environ.get("DATABASE_URL", "") + "|" + os.environ.get("CFU_ESTIMATOR_DATA_DIR", "")


def library() -> Library | None:
    """The server's library, or None when it cannot be opened (see unavailable())."""
    key = _url_key()
    with _lock:
        if key in _open:
            return _open[key]
        failed = _failed.get(key)
        if failed and time.monotonic() - failed[0] < RETRY_AFTER_S:
            return None
        try:
            lib = Library.open()
        except LibraryError as exc:
            _failed[key] = (time.monotonic(), str(exc))
            return None
        _failed.pop(key, None)
        _open[key] = lib
        return lib


def unavailable() -> str | None:
    """Why the library cannot be used right now, or None."""
    failed = _failed.get(_url_key())
    return failed[1] if failed else None


def _retry() -> None:
    _failed.pop(_url_key(), None)


def _report_unavailable(exc: LibraryUnavailable) -> None:
    _failed[_url_key()] = (time.monotonic(), str(exc))


def link(short_id: str) -> str:
    """The version's link: the app's address with ?id=."""
    base = ""
    try:
        base = st.context.url or ""
    except Exception:
        base = ""
    base = (base or "http://localhost:8501/").split("?")[0]
    base = base.rsplit("/", 1)[0] + "/" if not base.endswith("/") else base
    return f"{base}?{QUERY_KEY}={short_id}"


# --- /?id=<short id>: one saved version, read-only ---------------------------------------


def opened_link() -> bool:
    """On `/?id=...`, show that saved version read-only and return True (the caller draws
    nothing else). When it cannot be opened, say why and return False: the workbench follows."""
    short_id = st.query_params.get(QUERY_KEY)
    if not short_id:
        return False
    state.ensure()
    lib = library()
    if lib is None:
        st.error(
            f"The saved scenario {short_id} cannot be opened: {unavailable()}",
            icon=":material/cloud_off:",
        )
        st.query_params.pop(QUERY_KEY, None)
        return False
    try:
        saved = lib.get(short_id)
        history = lib.history(short_id)
    except LibraryUnavailable as exc:
        _report_unavailable(exc)
        st.error(str(exc), icon=":material/cloud_off:")
        st.query_params.pop(QUERY_KEY, None)
        return False
    except LibraryError as exc:
        st.error(f"The link does not open a saved scenario. {exc}", icon=":material/link_off:")
        st.query_params.pop(QUERY_KEY, None)
        return False
    _viewer(saved, history)
    return True


def _edit_copy(short_id: str) -> None:
    lib = library()
    if lib is None:
        return
    try:
        saved = lib.get(short_id)
    except LibraryError as exc:
        st.session_state[state.NOTICE] = ("warning", str(exc))
        return
    state.replace(
        saved.data(),
        f"Editing a copy of “{saved.name}” version {saved.version.number}. The saved version "
        "does not change: save this one from the Library page to add a new version.",
    )
    st.session_state[state.EXAMPLE] = None
    st.session_state[ORIGIN] = (saved.name, saved.customer, list(saved.tags))
    st.query_params.pop(QUERY_KEY, None)


def _viewer(saved: SavedVersion, history: list[Any]) -> None:
    v = saved.version
    st.title(saved.name, anchor=False)
    bits = [f"version {v.number} of {saved.latest_number}"]
    if saved.customer:
        bits.insert(0, f"for {saved.customer}")
    bits.append(f"saved {v.created_at:%Y-%m-%d %H:%M} UTC by {v.created_by}")
    if saved.tags:
        bits.append("tags: " + ", ".join(saved.tags))
    st.caption(" · ".join(bits))
    if v.note:
        st.markdown(f"> {v.note}")
    a, b = st.columns([3, 1], vertical_alignment="center")
    a.info(
        "Read-only: a saved version never changes. Save a copy to edit it; saving your "
        "changes adds a new version.",
        icon=":material/lock:",
    )
    b.button(
        "Save a copy to edit",
        on_click=_edit_copy,
        args=(v.short_id,),
        icon=":material/edit:",
        type="primary",
        width="stretch",
    )
    try:
        text = compute.scenario_json(saved.data())
        est = compute.get_estimate(text)
    except (ScenarioError, EstimatorError) as exc:
        st.error(f"This saved version cannot be estimated any more: {exc}")
        return
    summary.strip(est, None)
    tabs = st.tabs(["Results", "Assumptions", "Versions", "Scenario (YAML)"])
    with tabs[0]:
        results.results(text, est, False)
    with tabs[1]:
        results.assumptions(est)
    with tabs[2]:
        _history_table(history, current=v.short_id)
    with tabs[3]:
        st.code(compute.downloads(text)["yaml"].decode("utf-8"), language="yaml")


def _history_table(history: list[Any], current: str | None = None) -> None:
    rows = [
        {
            "Version": h.number,
            "Saved (UTC)": h.created_at.strftime("%Y-%m-%d %H:%M"),
            "By": h.created_by,
            "Monthly": money(h.monthly_cost_usd),
            "Peak CFUs": h.peak_cfu,
            "Note": h.note,
            "Link": f"?{QUERY_KEY}={h.short_id}",
            "": "◀ this one" if h.short_id == current else "",
        }
        for h in history
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text=r"\?id=(.*)")},
    )


# --- Compare: saved versions next to the session's ------------------------------------


def compare_choices() -> dict[str, str]:
    """Labels of recent saved versions for Compare's picker -> their short ids."""
    lib = library()
    if lib is None:
        return {}
    try:
        recent = lib.recent_versions(COMPARE_VERSIONS)
    except LibraryUnavailable as exc:
        _report_unavailable(exc)
        return {}
    out: dict[str, str] = {}
    for name, customer, v in recent:
        who = f" ({customer})" if customer else ""
        out[f"Library: {name}{who} v{v.number} [{v.short_id}]"] = v.short_id
    return out


def compare_data(short_id: str) -> dict[str, Any] | None:
    """A saved version's scenario for Compare, or None (with a warning) when it cannot be read."""
    lib = library()
    try:
        if lib is None:
            raise LibraryUnavailable(unavailable() or "the library is not available")
        return lib.get(short_id).data()
    except LibraryError as exc:
        st.warning(f"Saved version {short_id} cannot be read: {exc}", icon=":material/error:")
        return None


# --- the Library page ------------------------------------------------------------------


def _save(lib: Library) -> None:
    origin: tuple[str, str, list[str]] = st.session_state.get(ORIGIN) or (
        state.work().get("name", ""),
        "",
        [],
    )
    with st.form("library_save", border=True):
        st.markdown("**Save the workbench scenario**")
        st.caption(
            "Each save is a new version under the name and customer; earlier versions never "
            "change. The link of a version opens it read-only."
        )
        c = st.columns(2)
        name = c[0].text_input("Name", value=origin[0], max_chars=200)
        customer = c[1].text_input("Customer", value=origin[1], max_chars=200)
        c = st.columns(2)
        tags = c[0].text_input(
            "Tags", value=", ".join(origin[2]), help="Comma-separated, e.g. retail, q4"
        )
        who = c[1].text_input("Your name", value=st.session_state.get(WHO, ""), max_chars=100)
        note = st.text_area("Note", placeholder="What changed in this version", max_chars=2000)
        submitted = st.form_submit_button("Save to the library", icon=":material/save:")
    if not submitted:
        last = st.session_state.get(LAST_SAVED)
        if last:
            st.success(
                f"Saved “{last[2]}” version {last[1]}: [{link(last[0])}]({link(last[0])})",
                icon=":material/check_circle:",
            )
        return
    st.session_state[WHO] = who
    try:
        info = lib.save(
            copy.deepcopy(state.work()),
            name=name,
            customer=customer,
            tags=[t for t in tags.split(",") if t.strip()],
            note=note,
            by=who,
        )
    except ScenarioError as exc:
        st.error(
            "The scenario was not saved: fix it in the workbench first.\n"
            + "\n".join(f"- {p}" for p in exc.problems[:10]),
            icon=":material/error:",
        )
        return
    except LibraryUnavailable as exc:
        _report_unavailable(exc)
        st.error(str(exc), icon=":material/cloud_off:")
        return
    except EstimatorError as exc:
        st.error(f"The scenario was not saved: {exc}", icon=":material/error:")
        return
    st.session_state[ORIGIN] = (
        name.strip(),
        customer.strip(),
        [t.strip() for t in tags.split(",") if t.strip()],
    )
    st.session_state[LAST_SAVED] = (info.short_id, info.number, name.strip())
    st.success(
        f"Saved “{name.strip()}” version {info.number}: "
        f"[{link(info.short_id)}]({link(info.short_id)})",
        icon=":material/check_circle:",
    )


def _browse(lib: Library) -> None:
    st.markdown("#### Saved scenarios")
    c = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
    search = c[0].text_input("Search name or customer", key="library_search")
    customer = c[1].text_input("Customer (exact)", key="library_customer")
    tag = c[2].text_input("Tag", key="library_tag")
    deleted = c[3].toggle("Deleted", key="library_deleted", help="Show deleted scenarios")
    try:
        rows = lib.list_scenarios(search=search, customer=customer, tag=tag, deleted=deleted)
    except LibraryUnavailable as exc:
        _report_unavailable(exc)
        st.error(str(exc), icon=":material/cloud_off:")
        return
    except LibraryError as exc:
        st.warning(str(exc))
        return
    if not rows:
        st.info("Nothing saved matches." if search or customer or tag else "Nothing saved yet.")
        return
    table = pd.DataFrame(
        [
            {
                "Name": r.name,
                "Customer": r.customer,
                "Tags": ", ".join(r.tags),
                "Versions": r.versions,
                "Monthly": money(r.latest.monthly_cost_usd),
                "Peak CFUs": r.peak_cfu,
                "Saved (UTC)": r.latest.created_at.strftime("%Y-%m-%d %H:%M"),
                "By": r.latest.created_by,
                "Link": f"?{QUERY_KEY}={r.latest.short_id}",
            }
            for r in rows
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text=r"\?id=(.*)")},
    )
    labels = {
        f"{r.name}" + (f" ({r.customer})" if r.customer else ""): r.latest.short_id for r in rows
    }
    picked = st.selectbox("Scenario", list(labels), key="library_pick")
    if picked is None:
        return
    _details(lib, labels[picked], deleted)


def _delete(short_id: str) -> None:
    _library_action(lambda lib: lib.delete(short_id), "Deleted “{}”. Restore it under Deleted.")


def _restore(short_id: str) -> None:
    _library_action(lambda lib: lib.restore(short_id), "Restored “{}”.")


def _library_action(call: Callable[[Library], str], message: str) -> None:
    """Run a library change from a button; its result (the scenario's name) or its error
    becomes the notice shown at the top of the next run."""
    lib = library()
    if lib is None:
        return
    try:
        name = call(lib)
    except LibraryError as exc:
        st.session_state[state.NOTICE] = ("warning", str(exc))
        return
    st.session_state[state.NOTICE] = ("success", message.format(name))


def _details(lib: Library, short_id: str, deleted: bool) -> None:
    try:
        history = lib.history(short_id)
    except LibraryError as exc:
        st.warning(str(exc))
        return
    _history_table(history)
    by_label = {
        f"v{h.number} · {h.created_at:%Y-%m-%d %H:%M} · {h.created_by} [{h.short_id}]": h.short_id
        for h in history
    }
    labels = list(by_label)
    c = st.columns([3, 1, 1], vertical_alignment="bottom")
    version = c[0].selectbox("Version", labels, key=f"library_version:{short_id}")
    chosen = by_label[version] if version else short_id
    if deleted:
        c[1].button(
            "Restore", on_click=_restore, args=(chosen,), icon=":material/restore_from_trash:"
        )
    else:
        c[1].button(
            "Edit a copy",
            on_click=_edit_copy,
            args=(chosen,),
            icon=":material/edit:",
            help="Load this version into the workbench",
        )
        c[2].button("Delete", on_click=_delete, args=(chosen,), icon=":material/delete:")
        st.markdown(f"Read-only link: [{link(chosen)}]({link(chosen)})")
    if len(history) >= 2:
        with st.expander("What changed between two versions"):
            d = st.columns(2)
            first = d[0].selectbox("From", labels, index=1, key=f"library_from:{short_id}")
            second = d[1].selectbox("To", labels, index=0, key=f"library_to:{short_id}")
            if first and second:
                _diff(lib, by_label[first], by_label[second])


def _diff(lib: Library, a: str, b: str) -> None:
    try:
        d = lib.diff(a, b)
    except LibraryError as exc:
        st.warning(str(exc))
        return
    for title, items in (("Inputs", d.inputs), ("Figures", d.figures)):
        st.markdown(f"**{title}**")
        if not items:
            st.caption("No differences.")
            continue
        st.dataframe(
            pd.DataFrame(
                [{"Field": c.path, "From": show(c.before), "To": show(c.after)} for c in items]
            ),
            hide_index=True,
            width="stretch",
        )


@guarded
def page() -> None:
    state.ensure()
    st.title("Scenario library", anchor=False)
    notice = st.session_state.get(state.NOTICE)
    if notice:
        (st.success if notice[0] == "success" else st.warning)(notice[1], icon=":material/info:")
        st.session_state[state.NOTICE] = None
    lib = library()
    if lib is None:
        st.error(
            unavailable() or "The scenario library is not available.", icon=":material/cloud_off:"
        )
        st.button("Try again", on_click=_retry, icon=":material/refresh:")
        return
    _save(lib)
    _browse(lib)
