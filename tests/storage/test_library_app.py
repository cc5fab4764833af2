"""The library in the app (Streamlit's AppTest): save, open by link read-only, save a copy,
Compare from the library, and an unreachable database that leaves estimating untouched."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from estimator.examples import example_text
from estimator.storage import Library

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 120


def library_page() -> None:
    from estimator.ui import library_ui

    library_ui.page()


def compare_page() -> None:
    from estimator.ui import compare

    compare.page()


@pytest.fixture
def url(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def widget(elements: Any, label: str) -> Any:
    return next(e for e in elements if e.label == label)


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_save_from_the_library_page(url: str) -> None:
    at = AppTest.from_function(library_page, default_timeout=TIMEOUT).run()
    clean(at)
    widget(at.text_input, "Customer").input("Acme")
    widget(at.text_input, "Tags").input("retail, q4")
    widget(at.text_input, "Your name").input("ana")
    widget(at.text_area, "Note").input("first cut")
    at.button[0].click()  # the form's submit button
    at.run()
    clean(at)
    [ok] = [s.value for s in at.success]
    assert "version 1" in ok and "?id=" in ok
    lib = Library.open(url)
    try:
        [row] = lib.list_scenarios()
        assert (row.name, row.customer, row.tags) == (
            "Retail orders pipeline",
            "Acme",
            ("q4", "retail"),
        )
        assert row.latest.created_by == "ana" and row.latest.note == "first cut"
        assert f"?id={row.latest.short_id}" in ok
    finally:
        lib.close()
    listed = next(d for d in at.dataframe if "Customer" in d.value.columns).value
    assert list(listed["Name"]) == ["Retail orders pipeline"]


def test_a_link_opens_the_version_read_only_then_a_copy(url: str) -> None:
    lib = Library.open(url)
    data = yaml.safe_load(example_text("confluent_cfu_curve"))
    v1 = lib.save(data, name="Curve", customer="Acme", note="as published")
    data["pricing"]["discount_pct"] = 50
    lib.save(data, name="Curve", customer="Acme")
    lib.close()

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["id"] = v1.short_id
    at.run()
    clean(at)
    assert at.title[0].value == "Curve"
    assert "version 1 of 2" in at.caption[0].value
    cost = next(m for m in at.metric if m.label.startswith("Cost over"))
    assert cost.value == "$0.455"  # Confluent's curve: 130 CFU-minutes at $0.21/CFU-hour
    assert not [t for t in at.text_input if t.label == "Scenario name"]  # read-only: no inputs
    next(b for b in at.button if b.label == "Save a copy to edit").click().run()
    clean(at)
    work = at.session_state["work"]
    assert work["name"] == "CFU curve: 1, 3, 2, 1 CFUs over an hour"
    assert work["pricing"].get("discount_pct", 0) == 0  # version 1, not the newest
    assert at.session_state["library_origin"] == ("Curve", "Acme", [])
    assert any(t.label == "Scenario name" for t in at.text_input)  # the workbench, editable
    assert "id" not in at.query_params


def test_a_bad_link_says_so_and_shows_the_workbench(url: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["id"] = "AAAAAAAAAAAA"
    at.run()
    clean(at)
    assert any("no saved version" in e.value for e in at.error)
    assert any(m.label.startswith("Cost over") for m in at.metric)


def test_compare_picks_from_the_library(url: str) -> None:
    lib = Library.open(url)
    v = lib.save(yaml.safe_load(example_text("confluent_cfu_curve")), name="Curve")
    lib.close()
    at = AppTest.from_function(compare_page, default_timeout=TIMEOUT).run()
    clean(at)
    picker = at.multiselect[0]
    label = next(o for o in picker.options if v.short_id in o)
    assert label == f"Library: Curve v1 [{v.short_id}]"
    picker.select(label).run()
    clean(at)
    side = next(d for d in at.dataframe if "Monthly" in d.value.index).value
    # the curve's cfu_schedule is one-off (issue 13): 130 / 60 x $0.21 = $0.455 billed once
    assert side.loc["Monthly", label] == "$0"
    assert side.loc["One-off", label] == "$0.455"


def test_an_unreachable_database_leaves_estimating_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DATABASE_URL", f"postgresql://ana:s3cret@127.0.0.1:{port}/lib")
    at = AppTest.from_function(library_page, default_timeout=TIMEOUT).run()
    clean(at)
    [error] = [e.value for e in at.error]
    assert "cannot be reached" in error and "s3cret" not in error
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    clean(app)
    assert not app.error
    assert any(m.label.startswith("Cost over") for m in app.metric)
    at = AppTest.from_function(compare_page, default_timeout=TIMEOUT).run()
    clean(at)
    assert not at.error


def test_delete_then_restore_from_the_library_page(url: str) -> None:
    lib = Library.open(url)
    try:
        lib.save(yaml.safe_load(example_text("retail_orders")), customer="Acme")
    finally:
        lib.close()
    at = AppTest.from_function(library_page, default_timeout=TIMEOUT).run()
    clean(at)
    widget(at.button, "Delete").click().run()
    clean(at)
    assert [s.value for s in at.success] == [
        "Deleted “Retail orders pipeline”. Restore it under Deleted."
    ]
    widget(at.toggle, "Deleted").set_value(True).run()
    widget(at.button, "Restore").click().run()
    clean(at)
    assert [s.value for s in at.success] == ["Restored “Retail orders pipeline”."]
    lib = Library.open(url)
    try:
        assert [row.name for row in lib.list_scenarios()] == ["Retail orders pipeline"]
    finally:
        lib.close()
