"""The library on SQLite and on a real PostgreSQL: save, version, list, search, open, diff,
delete, restore, and what it refuses. Golden figures are Confluent's CFU-curve example:
130 CFU-minutes in an hour at $0.21/CFU-hour = $0.455. Its cfu_schedule ends inside the
horizon, so (issue 13) it is one-off: billed once, $0.455 in totals.one_off_cost_usd, and
$0 a month recurring. A recurring golden: 5 CFUs held all month (fixed sizing,
ceil(5,000 records/s / 1,000 per CFU)) x 730 hours x $0.21 = $766.50 a month."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

import pytest
import yaml
from builders import MEASURED_FIXED
from sqlalchemy import inspect, text

from estimator.errors import ScenarioError
from estimator.examples import example_text
from estimator.scenario import parse_scenario
from estimator.storage import Library, LibraryError
from estimator.storage import library as library_module


def curve() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(example_text("confluent_cfu_curve"))
    return data


def test_save_returns_a_short_id_and_stores_figures(library: Library) -> None:
    v = library.save(curve(), customer="Acme", tags=["Retail"], note="first cut", by="ana")
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", v.short_id)
    assert v.number == 1
    assert v.monthly_cost_usd == Decimal("0")  # one-off: never multiplied into a month
    assert v.peak_cfu == 3
    [row] = library.list_scenarios()
    assert (row.name, row.customer, row.tags, row.versions) == (
        "CFU curve: 1, 3, 2, 1 CFUs over an hour",
        "Acme",
        ("retail",),
        1,
    )
    assert row.latest.monthly_cost_usd == Decimal("0")
    assert row.latest.created_by == "ana" and row.latest.note == "first cut"
    saved = library.get(v.short_id)
    assert saved.scenario() == parse_scenario(curve())
    assert saved.figures["totals"]["cfu_minutes"] == 130
    assert saved.figures["totals"]["cost_usd"] == 0.455
    assert saved.figures["totals"]["one_off_cost_usd"] == 0.455  # 130 / 60 x $0.21, once


STEADY = MEASURED_FIXED.format(name="Steady")


def test_a_recurring_statement_stores_its_monthly(library: Library) -> None:
    v1 = library.save(yaml.safe_load(STEADY))
    # 5 CFUs x 730 hours x $0.21 = $766.50 a month; at 50% off, $383.25.
    assert v1.monthly_cost_usd == Decimal("766.5")
    half = yaml.safe_load(STEADY)
    half["pricing"] = {"discount_pct": 50}
    v2 = library.save(half)
    assert v2.monthly_cost_usd == Decimal("383.25")
    figures = {c.path: (c.before, c.after) for c in library.diff(v1.short_id, v2.short_id).figures}
    assert figures["totals.monthly_cost_usd"] == (766.5, 383.25)
    assert library.get(v1.short_id).figures["totals"]["one_off_cost_usd"] == 0


def test_every_save_is_a_new_immutable_version(library: Library) -> None:
    first = curve()
    v1 = library.save(first, name="Orders", customer="Acme")
    second = copy.deepcopy(first)
    second["pricing"]["discount_pct"] = 50
    v2 = library.save(second, name="orders", customer="ACME", note="50% off")
    assert (v1.number, v2.number) == (1, 2)
    assert v1.short_id != v2.short_id
    # The first version is untouched by the second.
    assert library.get(v1.short_id).data()["pricing"].get("discount_pct", 0) == 0
    assert library.get(v2.short_id).data()["pricing"]["discount_pct"] == 50
    assert v2.monthly_cost_usd == Decimal("0")
    # one-off at 50% off: 130 / 60 x $0.21 x 0.5 = $0.2275
    assert library.get(v2.short_id).figures["totals"]["one_off_cost_usd"] == 0.2275
    [row] = library.list_scenarios()
    assert row.versions == 2 and row.latest.short_id == v2.short_id
    assert [v.number for v in library.history(v1.short_id)] == [2, 1]
    # Another customer's scenario of the same name is a scenario of its own.
    library.save(first, name="Orders", customer="Globex")
    assert sorted(r.customer for r in library.list_scenarios()) == ["Acme", "Globex"]


def test_list_searches_by_name_customer_and_tag(library: Library) -> None:
    library.save(curve(), name="Orders pipeline", customer="Acme", tags=["retail", "q4"])
    library.save(curve(), name="Clickstream", customer="Globex", tags=["web"])
    library.save(curve(), name="100% batch_jobs", customer="Initech")

    def names(**kw: Any) -> list[str]:
        return sorted(r.name for r in library.list_scenarios(**kw))

    assert names(search="ORDERS") == ["Orders pipeline"]
    assert names(search="glob") == ["Clickstream"]  # matches the customer
    assert names(customer="acme") == ["Orders pipeline"]
    assert names(customer="Acm") == []  # customer is an exact match
    assert names(tag="Q4") == ["Orders pipeline"]
    assert names(tag="web", customer="Globex") == ["Clickstream"]
    # LIKE wildcards in a search are plain characters.
    assert names(search="%") == ["100% batch_jobs"]
    assert names(search="_") == ["100% batch_jobs"]
    assert len(library.list_scenarios()) == 3


def test_hostile_text_is_stored_as_text(library: Library) -> None:
    evil = "x'); DROP TABLE scenarios; --"
    v = library.save(curve(), name=evil, customer='O\'Brien "&" Co', tags=["q4"])
    [row] = library.list_scenarios(search="drop table")
    assert row.name == evil and row.customer == 'O\'Brien "&" Co' and row.tags == ("q4",)
    assert library.get(v.short_id).name == evil
    assert "scenarios" in inspect(library.engine).get_table_names()


def test_delete_is_soft_and_restorable(library: Library) -> None:
    v1 = library.save(curve(), name="Orders")
    v2 = library.save(curve(), name="Orders")
    assert library.delete(v1.short_id) == "Orders"
    assert library.list_scenarios() == []
    assert [r.name for r in library.list_scenarios(deleted=True)] == ["Orders"]
    with pytest.raises(LibraryError, match="restore"):
        library.get(v2.short_id)
    assert library.restore(v2.short_id) == "Orders"
    [row] = library.list_scenarios()
    assert row.versions == 2
    assert library.get(v1.short_id).version.number == 1


def test_restore_refuses_when_the_name_was_taken_again(library: Library) -> None:
    old = library.save(curve(), name="Orders", customer="Acme")
    library.delete(old.short_id)
    new = library.save(curve(), name="Orders", customer="Acme")
    assert new.number == 1  # a new scenario, not a version of the deleted one
    with pytest.raises(LibraryError, match="same name"):
        library.restore(old.short_id)


@pytest.mark.parametrize(
    "bad",
    ["", "short", "AAAAAAAAAAAAA", "AAAAAAAAAAA'", "' OR '1'='1", "../../etc/pas"],
)
def test_bad_ids_are_refused(library: Library, bad: str) -> None:
    with pytest.raises(LibraryError, match="ID:"):
        library.get(bad)


def test_unknown_id_is_refused(library: Library) -> None:
    library.save(curve())
    with pytest.raises(LibraryError, match="no saved version"):
        library.get("AAAAAAAAAAAA")
    with pytest.raises(LibraryError, match="no saved version"):
        library.delete("AAAAAAAAAAAA")


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("name", {"name": "n" * 201}, "name: is too long"),
        ("customer", {"customer": "c" * 201}, "customer: is too long"),
        ("note", {"note": "x" * 2001}, "note: is too long"),
        ("by", {"by": "b" * 101}, "by: is too long"),
        ("tag", {"tags": ["t" * 51]}, "tag: is too long"),
        ("tag", {"tags": [f"t{i}" for i in range(21)]}, "at most 20 tags"),
        ("tag", {"tags": ["<script>"]}, "tag:"),
        ("name", {"name": "bell\x07"}, "control characters"),
        ("name", {"name": "   "}, "name: must not be empty"),
    ],
)
def test_labels_are_length_limited(
    library: Library, field: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(LibraryError, match=re.escape(message)):
        library.save(curve(), **kwargs)
    assert library.list_scenarios() == []


def test_a_file_reference_is_refused(library: Library) -> None:
    data = curve()
    data["statements"].append(
        {
            "name": "from_file",
            "sql": "INSERT INTO t SELECT * FROM s",
            "profile": {"shape": "series", "csv": "/etc/passwd"},
        }
    )
    with pytest.raises(ScenarioError) as err:
        library.save(data)
    assert err.value.problems[0].startswith("statements[1].profile.csv: a ")
    assert "cannot name a file" in err.value.problems[0]
    assert library.list_scenarios() == []


def test_an_invalid_scenario_is_refused_like_an_upload(library: Library) -> None:
    data = curve()
    data["pools"][0]["max_cfu"] = 0
    with pytest.raises(ScenarioError, match=r"pools\[0\]\.max_cfu: must be at least 1"):
        library.save(data)
    data = curve()
    data["statements"][0]["unknown_field"] = 1
    with pytest.raises(ScenarioError, match="not a known field"):
        library.save(data)
    assert library.list_scenarios() == []


def test_diff_lists_inputs_and_figures_that_differ(library: Library) -> None:
    a = curve()
    b = copy.deepcopy(a)
    b["pricing"]["discount_pct"] = 50
    b["statements"][0]["cfu_schedule"][1]["cfu"] = 4  # 3 -> 4 CFUs for 30 minutes
    v1 = library.save(a, name="Curve")
    v2 = library.save(b, name="Curve")
    d = library.diff(v1.short_id, v2.short_id)
    inputs = {c.path: (c.before, c.after) for c in d.inputs}
    assert inputs == {
        "pricing.discount_pct": (0.0, 50.0),
        "statements[enrich_orders].cfu_schedule": (
            a["statements"][0]["cfu_schedule"],
            b["statements"][0]["cfu_schedule"],
        ),
    }
    figures = {c.path: (c.before, c.after) for c in d.figures}
    # 130 + 30 = 160 CFU-minutes; cost 160/60 x 0.21 x 0.5 = $0.28, all of it one-off
    # (a finite cfu_schedule is billed once), so monthly stays $0 and is no change.
    assert figures["totals.cfu_minutes"] == (130, 160)
    assert figures["totals.peak_cfu"] == (3, 4)
    assert figures["totals.cost_usd"] == (0.455, 0.28)
    assert figures["totals.one_off_cost_usd"] == (0.455, 0.28)
    assert "totals.monthly_cost_usd" not in figures
    assert figures["statements[enrich_orders].peak_cfu"] == (3, 4)
    assert library.diff(v1.short_id, v1.short_id).inputs == []


def test_links_survive_reopening_the_database(db_url: str) -> None:
    lib = Library.open(db_url)
    v = lib.save(curve(), name="Kept")
    lib.close()
    again = Library.open(db_url)  # as after a server restart: migrations are a no-op now
    try:
        assert again.get(v.short_id).name == "Kept"
        with again.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    finally:
        again.close()


def test_an_id_collision_is_retried(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    first = library.save(curve(), name="A")
    ids = iter([first.short_id, "BBBBBBBBBBBB"])
    monkeypatch.setattr(library_module, "new_short_id", lambda: next(ids))
    second = library.save(curve(), name="B")
    assert second.short_id == "BBBBBBBBBBBB"
    assert library.get(first.short_id).name == "A"


def test_short_ids_are_random_and_fixed_length() -> None:
    ids = {library_module.new_short_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)


def test_recent_versions_of_live_scenarios(library: Library) -> None:
    a1 = library.save(curve(), name="A")
    b1 = library.save(curve(), name="B")
    a2 = library.save(curve(), name="A")
    assert [(n, v.short_id) for n, _, v in library.recent_versions()] == [
        ("A", a2.short_id),
        ("B", b1.short_id),
        ("A", a1.short_id),
    ]
    library.delete(b1.short_id)
    assert [v.short_id for _, _, v in library.recent_versions(limit=1)] == [a2.short_id]
    assert b1.short_id not in {v.short_id for _, _, v in library.recent_versions()}


def test_short_ids_never_start_like_an_option(monkeypatch):
    from estimator.storage import library as library_module

    drawn = iter(["-abcdefghijk", "_abcdefghijk", "Qbcdefghijk-"])
    monkeypatch.setattr(library_module.secrets, "token_urlsafe", lambda n: next(drawn))
    assert library_module.new_short_id() == "Qbcdefghijk-"
