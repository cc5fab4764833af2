"""Traffic profiles -> per-minute rates; CSV series validation names file, line and fix."""

from __future__ import annotations

import numpy as np
import pytest

from estimator.errors import ScenarioError, TrafficError
from estimator.profiles import parse_csv_series
from estimator.scenario import load_scenario, loads_scenario
from estimator.traffic import bursts, daily, growth, held, statement_rates


def test_daily_peaks_at_peak_hour_and_troughs_twelve_hours_later():
    rates = daily(1000, 8000, 14, 1440)
    assert int(np.argmax(rates)) == 14 * 60
    assert rates.max() == pytest.approx(8000)
    assert rates[2 * 60] == pytest.approx(1000)
    assert rates.min() >= 1000 - 1e-6


def test_weekend_factor_applies_to_saturday_and_sunday_only():
    week = daily(1000, 1000, 12, 7 * 1440, weekend_factor=0.5)  # Monday first
    assert set(np.unique(week[: 5 * 1440])) == {1000.0}
    assert set(np.unique(week[5 * 1440 :])) == {500.0}
    sunday_first = daily(1000, 1000, 12, 1440, weekend_factor=0.5, first_day="sunday")
    assert sunday_first[0] == 500.0


def test_steps_hold_until_the_next_step():
    rates = held([(0, 2000), (60, 40000)], 120)
    assert rates[59] == 2000 and rates[60] == 40000 and rates[119] == 40000
    assert held([(10, 5.0)], 20)[0] == 5.0  # the first point's rate also holds before it


def test_bursts_every_and_at_given_minutes():
    rates = bursts(2000, 5, 10, 180, every_minutes=60)
    assert (rates[:10] == 10000).all() and (rates[10:60] == 2000).all()
    assert (rates[60:70] == 10000).all()
    one_off = bursts(100, 3, 5, 100, at_minutes=[50])
    assert (one_off[50:55] == 300).all() and one_off[49] == 100 and one_off[55] == 100


def test_growth_compounds_per_thirty_day_month():
    g = growth(10, 2 * 30 * 1440 + 1)
    assert g[0] == 1.0
    assert g[30 * 1440] == pytest.approx(1.10)
    assert g[60 * 1440] == pytest.approx(1.21)


def test_csv_series_with_header_and_comments():
    points = parse_csv_series("minute,rps\n# measured\n0,100\n5,250.5\n", "t.csv")
    assert points == [(0, 100.0), (5, 250.5)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("minute,rps\n0,100\n10,-5\n", "t.csv line 3: rps -5 is negative"),
        ("0,100\n10,200\n5,300\n", "t.csv line 3: minute 5 does not come after minute 10; sort"),
        ("0,100\n2000,5\n", "t.csv line 2: minute 2000 is past the horizon of 1440 minutes"),
        ("0,100\n1.5,3\n", "t.csv line 2: minute 1.5 must be a whole number"),
        ("0,abc\n", "t.csv line 1: rps is not a number"),
        ("minute,rps\n", "t.csv: has no rows"),
    ],
)
def test_csv_problems_name_file_line_and_fix(text, expected):
    with pytest.raises(TrafficError) as err:
        parse_csv_series(text, "t.csv", horizon_minutes=1440)
    assert err.value.problems[0].startswith(expected)


SCENARIO_WITH_CSV = """
name: csv
horizon_minutes: 60
statements:
  - name: a
    sql: "INSERT INTO t SELECT * FROM s"
    profile: {shape: series, csv: traffic.csv}
"""


def test_csv_is_read_relative_to_the_scenario_file(write_scenario, tmp_path):
    (tmp_path / "traffic.csv").write_text("minute,rps\n0,100\n30,900\n")
    sc = load_scenario(write_scenario(SCENARIO_WITH_CSV))
    rates = statement_rates(sc, sc.statements[0])
    assert rates[29] == 100 and rates[30] == 900


def test_bad_csv_fails_the_load_naming_field_file_and_line(write_scenario, tmp_path):
    (tmp_path / "traffic.csv").write_text("minute,rps\n0,100\n30,-1\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(SCENARIO_WITH_CSV))
    assert err.value.problems == [
        "statements[0].profile.csv: traffic.csv line 3: rps -1 is negative; rates are >= 0"
    ]


def test_missing_csv_says_where_it_looked(write_scenario):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(SCENARIO_WITH_CSV))
    assert "cannot read it" in err.value.problems[0]
    assert "next to the scenario file" in err.value.problems[0]


def test_rates_are_zero_before_the_start_and_rps_is_constant():
    sc = loads_scenario(
        "name: x\nhorizon_minutes: 30\nstatements:\n"
        "  - {name: a, sql: 'INSERT INTO t SELECT * FROM s', rps: 50, start_minute: 10}\n"
    )
    rates = statement_rates(sc, sc.statements[0])
    assert (rates[:10] == 0).all() and (rates[10:] == 50).all()


def test_named_profile_with_growth_is_shared():
    sc = loads_scenario(
        """
name: x
horizon_minutes: 86400
profiles:
  flat: {shape: constant, rps: 1000, growth_pct_per_month: 100}
statements:
  - {name: a, sql: "INSERT INTO t SELECT * FROM s", profile: flat}
  - {name: b, sql: "INSERT INTO u SELECT * FROM s", profile: flat}
"""
    )
    a, b = (statement_rates(sc, st) for st in sc.statements)
    assert np.array_equal(a, b)
    assert a[30 * 1440] == pytest.approx(2000)


def test_windows_of_a_shared_profile_match_the_whole_horizon_whatever_the_order():
    """Statements on one profile share its computed windows: a later start zeroes only its own
    copy, never the shared one (nor a window another statement asks for next)."""
    from estimator.traffic import statement_rates_window

    sc = loads_scenario(
        """
name: x
horizon_minutes: 2880
profiles:
  day: {shape: daily, trough_rps: 100, peak_rps: 900, peak_hour: 14}
statements:
  - {name: late, sql: "INSERT INTO t SELECT * FROM s", profile: day, start_minute: 700}
  - {name: early, sql: "INSERT INTO u SELECT * FROM s", profile: day}
"""
    )
    late, early = sc.statements
    whole_late, whole_early = statement_rates(sc, late), statement_rates(sc, early)
    for lo, hi in [(0, 1440), (1440, 2880), (0, 1440), (600, 800)]:
        got_late = statement_rates_window(sc, late)(lo, hi)
        got_early = statement_rates_window(sc, early)(lo, hi)
        assert np.array_equal(got_late, whole_late[lo:hi])
        assert np.array_equal(got_early, whole_early[lo:hi])
    assert whole_late[699] == 0 and whole_early[699] > 0
