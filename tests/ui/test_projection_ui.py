"""The budget view in the app: the projection's settings, months ahead, cost by label."""

from __future__ import annotations

import yaml
from uihelpers import assert_clean, errors_text, metric, money_value, new_app

from estimator.ui.projection_ui import EXPLAINER

LABELLED = yaml.safe_dump(
    {
        "name": "teams",
        "horizon_minutes": 60,
        "projection": {"months": 6, "start": "2027-02"},
        "pools": [{"name": "p", "max_cfu": 20, "labels": {"team": "payments"}}],
        "statements": [
            {"name": "a", "pool": "p", "sql": "INSERT INTO x SELECT * FROM o", "rps": 5000},
            {
                "name": "b",
                "pool": "p",
                "sql": "INSERT INTO y SELECT * FROM o",
                "rps": 2000,
                "labels": {"team": "search"},
            },
            {
                "name": "q",
                "pool": "p",
                "sql": "SELECT * FROM o",
                "cfu_schedule": [{"minutes": 5, "cfu": 1}],
            },
        ],
    }
).encode()


def _frames(at):  # type: ignore[no-untyped-def]
    return [d.value for d in at.dataframe]


def test_months_ahead_chart_table_and_the_one_sentence() -> None:
    at = new_app()
    assert_clean(at)
    assert any(c.value.startswith(EXPLAINER[:40]) for c in at.caption)
    assert any(m.value == "#### Months ahead" for m in at.markdown)
    months = next(f for f in _frames(at) if "Month" in f.columns)
    assert len(months) == 13 and months["Month"].iloc[-1] == "Total"  # 12 months and a total
    annual = money_value(metric(at, "Annual"))
    assert abs(months["Cost"].iloc[:12].sum() - annual) < 0.01
    # low and high per month, from the range's projection: they bracket the expected cost
    assert (months["Low"] < months["Cost"]).all() and (months["Cost"] < months["High"]).all()
    assert abs(months["Low"].iloc[:12].sum() - months["Low"].iloc[-1]) < 0.01
    at.number_input(key=next(k for k in at.session_state if k.startswith("projection_months@")))
    key = next(k for k in at.session_state if k.startswith("projection_months@"))
    at.number_input(key=key).set_value(3).run()
    assert_clean(at)
    months = next(f for f in _frames(at) if "Month" in f.columns)
    assert len(months) == 4


def test_upload_labels_roll_up_and_filter() -> None:
    at = new_app()
    at.file_uploader(key="upload_scenario").set_value(("t.yaml", LABELLED, "application/x-yaml"))
    at.run()
    assert_clean(at)
    assert not at.error, errors_text(at)
    # a 1-hour horizon of recurring statements: the estimate says where monthly comes from
    assert any("projection come from" in w.value for w in at.warning)
    months = next(f for f in _frames(at) if "Month" in f.columns)
    assert months["Month"].tolist()[:2] == ["2027-02", "2027-03"] and len(months) == 7
    roll = next(f for f in _frames(at) if "team" in f.columns and "Annual" in f.columns)
    assert roll["team"].tolist() == ["payments", "search"]
    assert roll["Statements"].tolist() == [2, 1]
    assert roll["One-off"].iloc[0] > 0 and roll["One-off"].iloc[1] == 0
    key = next(k for k in at.session_state if k.startswith("label_values_team@"))
    at.multiselect(key=key).set_value(["search"]).run()
    assert_clean(at)
    roll = next(f for f in _frames(at) if "team" in f.columns and "Annual" in f.columns)
    assert roll["team"].tolist() == ["search"]
    members = next(f for f in _frames(at) if "Billed" in f.columns)
    assert members["Statement"].tolist() == ["b"]
