"""A fleet of statements in the app: the SQL editors show one statement at a time."""

from __future__ import annotations

from builders import fleet
from uihelpers import assert_clean, metric, money_value, new_app

from estimator.ui import share
from estimator.ui.inputs import FLEET

N = FLEET + 5


def _fleet() -> dict:
    return fleet(N, rps=5000)


def test_a_fleet_edits_one_statements_sql_at_a_time() -> None:
    at = new_app({share.QUERY_KEY: share.encode(_fleet())})
    assert_clean(at)
    pick = next(s for s in at.selectbox if s.label.startswith(f"{N} statements: pick one"))
    sql_boxes = [t for t in at.text_area if t.label.startswith("SQL of ")]
    assert [t.label for t in sql_boxes] == ["SQL of s00"]
    before = money_value(metric(at, "Monthly"))
    pick.set_value(7).run()
    assert_clean(at)
    box = next(t for t in at.text_area if t.label.startswith("SQL of "))
    assert box.label == "SQL of s07" and box.value == "INSERT INTO o7 SELECT * FROM i7"
    # a costlier statement: an aggregation instead of a pass-through
    box.input("INSERT INTO o7 SELECT k, COUNT(*) FROM i7 GROUP BY k").run()
    assert_clean(at)
    assert money_value(metric(at, "Monthly")) > before
    assert next(t for t in at.text_area if t.label.startswith("SQL of ")).label == "SQL of s07"
