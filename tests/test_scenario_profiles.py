"""Scenario fields of traffic profiles, the autoscaler and the throughput model."""

from __future__ import annotations

import pytest
from builders import scenario_problems

from estimator.profiles import BurstsProfile, DailyProfile, SeriesProfile, StepsProfile
from estimator.scenario import (
    AutoscalerSettings,
    load_scenario,
    loads_scenario,
    save_scenario,
)

CONTRACT_FORMS = """
name: profiles
horizon_minutes: 1440
autoscaler: {preset: flink-operator, target_utilization: 0.6}
profiles:
  web: {shape: daily, trough_rps: 1000, peak_rps: 8000, peak_hour: 14, weekend_factor: 0.5}
statements:
  - name: a
    sql: "INSERT INTO t SELECT * FROM s"
    profile: {shape: daily, trough_rps: 1000, peak_rps: 8000, peak_hour: 14}
  - name: b
    sql: "INSERT INTO t SELECT * FROM s"
    profile: {shape: steps, steps: [{minute: 0, rps: 2000}, {minute: 60, rps: 40000}]}
  - name: c
    sql: "INSERT INTO t SELECT * FROM s"
    profile: {shape: bursts, base_rps: 2000, multiplier: 5, minutes: 10, every_minutes: 60}
  - name: d
    sql: "INSERT INTO t SELECT * FROM s"
    profile: {shape: series, series: [[0, 10], [30, 20]], growth_pct_per_month: 5}
  - name: e
    sql: "INSERT INTO t SELECT * FROM s"
    profile: web
    key_count: 1000000
    udf_count: 2
    records_per_cfu_second: 3000
    records_per_cfu_second_source: "this one measured 3,000 records/s per CFU"
    state_ttl: true
"""


def _one(profile: str, extra: str = "", horizon: int = 1440) -> str:
    return (
        f"name: x\nhorizon_minutes: {horizon}\n{extra}statements:\n"
        "  - {name: a, sql: 'INSERT INTO t SELECT 1', rps: 1}\n"
        f"  - {{name: b, sql: 'INSERT INTO t SELECT 1', profile: {profile}}}\n"
    )


def test_contract_forms_are_read():
    sc = loads_scenario(CONTRACT_FORMS)
    kinds = [type(sc.profile_of(st)) for st in sc.statements]
    assert kinds == [DailyProfile, StepsProfile, BurstsProfile, SeriesProfile, DailyProfile]
    assert sc.statements[4].profile == "web"
    assert sc.autoscaler_choice() == ("flink-operator", {"target_utilization": 0.6})
    assert isinstance(sc.autoscaler, AutoscalerSettings)
    assert sc.statements[4].records_per_cfu_second == 3000


def test_round_trip_with_profiles_and_autoscaler(tmp_path):
    sc = loads_scenario(CONTRACT_FORMS)
    for suffix in ("yaml", "json"):
        p = tmp_path / f"copy.{suffix}"
        save_scenario(sc, p)
        assert load_scenario(p) == sc


def test_inline_series_also_takes_points():
    sc = loads_scenario(_one("{shape: series, series: [{minute: 0, rps: 5}, {minute: 9, rps: 7}]}"))
    assert sc.statements[1].profile.series == [(0, 5.0), (9, 7.0)]


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (
            "{shape: daily, trough_rps: 1, peak_rps: 8, peak_hour: 30}",
            "statements[1].profile.peak_hour: must be at most 23",
        ),
        ("{shape: dayly, rps: 3}", "statements[1].profile: must be a profile with a shape"),
        (
            "{shape: daily, trough_rps: 9, peak_rps: 8}",
            "statements[1].profile.trough_rps: 9 is above peak_rps 8",
        ),
        (
            "{shape: steps, steps: [{minute: 10, rps: 1}, {minute: 5, rps: 2}]}",
            "statements[1].profile.steps[1]: minute 5 does not come after minute 10",
        ),
        (
            "{shape: bursts, base_rps: 1, multiplier: 2, minutes: 5}",
            "statements[1].profile.every_minutes: give every_minutes",
        ),
        ("{shape: constant, rsp: 4}", "statements[1].profile.rps: is required"),
        ("nightly", "statements[1].profile: no profile named 'nightly'"),
        (
            "{shape: steps, steps: [{minute: 0, rps: 1}, {minute: 99, rps: 2}]}",
            "statements[1].profile.steps[1].minute: minute 99 is past the horizon of 60",
        ),
    ],
)
def test_profile_errors_name_the_field(profile, expected):
    problems = scenario_problems(_one(profile, horizon=1440 if "99" not in profile else 60))
    assert any(p.startswith(expected) for p in problems), problems


def test_rps_and_profile_together_are_refused():
    text = (
        "name: x\nstatements:\n  - {name: a, sql: 'INSERT INTO t SELECT 1', rps: 5, "
        "profile: {shape: constant, rps: 5}}\n"
    )
    assert scenario_problems(text)[0].startswith(
        "statements[0].profile: give rps (a constant rate) or"
    )


def test_named_profile_errors_name_the_profile():
    extra = "profiles:\n  web: {shape: daily, trough_rps: 1, peak_rps: 2, peak_hour: 24}\n"
    assert scenario_problems(_one("web", extra)) == ["profiles.web.peak_hour: must be at most 23"]


@pytest.mark.parametrize(
    ("autoscaler", "expected"),
    [
        ("autopylot", "autoscaler: must be one of autopilot, flink-operator, fixed"),
        ("{preset: flink-operator, target_utilization: 2}", "autoscaler.target_utilization: "),
        ("{preset: fixed, catch_up_minutes: 5}", "autoscaler.catch_up_minutes: is not a param"),
        ("{preset: nope}", "autoscaler.preset: must be one of"),
        ("5", "autoscaler: must be a preset name"),
    ],
)
def test_autoscaler_errors_name_the_field(autoscaler, expected):
    text = f"name: x\nautoscaler: {autoscaler}\nstatements: [{{name: a, sql: 'SELECT 1'}}]\n"
    problems = scenario_problems(text)
    assert problems[0].startswith(expected), problems


def test_autoscaler_string_form_stays_a_string():
    sc = loads_scenario("name: x\nautoscaler: fixed\nstatements: [{name: a, sql: 'SELECT 1'}]\n")
    assert sc.autoscaler == "fixed"
    assert sc.autoscaler_choice() == ("fixed", {})
