"""Cost allocation labels: validation, pool labels inherited, roll-ups in the JSON (issue 13)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.errors import ScenarioError
from estimator.estimate import estimate
from estimator.report import to_dict
from estimator.scenario import loads_scenario

SCENARIO = """
name: teams
horizon_minutes: 60
pools:
  - {name: shared, max_cfu: 20, labels: {team: payments, env: prod}}
  - {name: other, max_cfu: 20}
statements:
  - {name: a, pool: shared, cfu_schedule: [{minutes: 60, cfu: 2}]}
  - {name: b, pool: shared, labels: {team: search}, cfu_schedule: [{minutes: 30, cfu: 1}]}
  - {name: c, pool: other, labels: {team: payments}, cfu_schedule: [{minutes: 10, cfu: 3}]}
  - {name: d, pool: other, cfu_schedule: [{minutes: 5, cfu: 1}]}
"""


def test_pool_labels_apply_unless_the_statement_overrides() -> None:
    est = estimate(loads_scenario(SCENARIO))
    assert est.labels == (
        {"team": "payments", "env": "prod"},
        {"team": "search", "env": "prod"},
        {"team": "payments"},
        {},
    )


def test_roll_up_by_any_key_sums_its_statements() -> None:
    out = to_dict(estimate(loads_scenario(SCENARIO)))
    team = {row["value"]: row for row in out["by_label"]["team"]}
    # a: 120, c: 30 CFU-minutes (payments); b: 30 (search); d: 5 without a team
    assert team["payments"]["cfu_minutes"] == 150
    assert team["payments"]["cost_usd"] == pytest.approx(150 / 60 * 0.21)
    assert team["payments"]["cfu_hours"] == 2.5
    assert team["payments"]["statements"] == ["a", "c"]
    assert team["search"]["cfu_minutes"] == 30
    assert team[None]["cfu_minutes"] == 5
    assert list(team) == ["payments", "search", None]  # the unlabelled group last
    env = {row["value"]: row["cfu_minutes"] for row in out["by_label"]["env"]}
    assert env == {"prod": 150, None: 35}
    # these are one-off schedules: nothing monthly, all of it one-off
    assert team["payments"]["monthly_cost_usd"] == 0
    assert team["payments"]["one_off_cost_usd"] == pytest.approx(150 / 60 * 0.21)
    assert [s["labels"] for s in out["statements"]][1] == {"team": "search", "env": "prod"}


def test_monthly_by_label_adds_up_to_the_total() -> None:
    text = """
name: recurring teams
horizon_minutes: 1440
statements:
  - {name: a, sql: "INSERT INTO x SELECT * FROM o", rps: 20000, partitions: 12,
     labels: {team: payments}}
  - {name: b, sql: "INSERT INTO y SELECT * FROM o", rps: 5000, partitions: 12,
     labels: {team: search}}
"""
    est = estimate(loads_scenario(text))
    rows = est.by_label["team"]
    assert sum((g.monthly_cost_usd for g in rows), Decimal(0)) == pytest.approx(
        est.totals.monthly_cost_usd, abs=Decimal("1e-9")
    )
    assert sum((g.annual_cost_usd for g in rows), Decimal(0)) == est.totals.annual_cost_usd
    assert rows[0].monthly_cost_usd > rows[1].monthly_cost_usd > 0


@pytest.mark.parametrize(
    ("labels", "field"),
    [
        ("{'': x}", "statements[0].labels"),
        ("{'1team': x}", "statements[0].labels"),
        ("{'team name': x}", "statements[0].labels"),
        ("{team: ''}", "statements[0].labels"),
        ("{team: " + "x" * 101 + "}", "statements[0].labels"),
        ('{team: "a\\tb"}', "statements[0].labels"),
        ("{" + ", ".join(f"k{i}: v" for i in range(21)) + "}", "statements[0].labels"),
        ("{team: [1, 2]}", "statements[0].labels.team"),
    ],
)
def test_labels_are_validated(labels: str, field: str) -> None:
    text = f"statements: [{{name: a, cfu_schedule: [{{minutes: 1, cfu: 1}}], labels: {labels}}}]"
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text)
    assert any(line.startswith(field) for line in err.value.problems), err.value.problems


def test_hostile_label_text_is_kept_as_typed() -> None:
    text = "statements: [{name: a, cfu_schedule: [{minutes: 1, cfu: 1}], labels: {team: '=1+1'}}]"
    est = estimate(loads_scenario(text))
    assert est.by_label["team"][0].value == "=1+1"
