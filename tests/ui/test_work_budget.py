"""The hosted app's work budget: a scenario above it is refused at its horizon field with the
way out; large estimates take turns; small ones never wait."""

from __future__ import annotations

import threading

import pytest
from builders import fleet
from uihelpers import assert_clean, errors_text, metric, new_app

from estimator.errors import ScenarioError
from estimator.scenario import parse_scenario
from estimator.ui import share, work_budget


def _fleet(statements: int, minutes: int) -> dict:
    return fleet(statements, minutes=minutes, name="Big fleet")


def test_a_year_long_fleet_is_refused_at_its_horizon_with_the_way_out() -> None:
    scenario = parse_scenario(_fleet(2000, 366 * 1440))
    with pytest.raises(ScenarioError) as caught:
        work_budget.check(scenario, limit=20_000_000)
    (line,) = caught.value.problems
    assert line.startswith("horizon_minutes: 2,000 statements over 527,040 minutes")
    assert "1,054,080,000 statement-minutes" in line  # 2000 x 527,040
    assert "at most 10,000 minutes" in line  # 20,000,000 / 2000
    assert "cfu-estimator estimate FILE" in line
    work_budget.check(parse_scenario(_fleet(2000, 10_000)), limit=20_000_000)  # at the limit


def test_large_estimates_take_turns_and_small_ones_never_wait() -> None:
    big = parse_scenario(_fleet(10, work_budget.HEAVY_STATEMENT_MINUTES // 5))
    small = parse_scenario(_fleet(2, 60))
    assert work_budget._HEAVY.acquire(timeout=5)  # another large estimate is running
    try:
        assert work_budget.run(small, lambda: "small", wait_seconds=0.01) == "small"
        with pytest.raises(ScenarioError, match="server is busy"):
            work_budget.run(big, lambda: "big", wait_seconds=0.01)
        done: list[str] = []
        waiter = threading.Thread(target=lambda: done.append(work_budget.run(big, lambda: "big")))
        waiter.start()
    finally:
        work_budget._HEAVY.release()
    waiter.join(timeout=30)
    assert done == ["big"]  # it ran as soon as the slot was free


def _weekly(statements: int) -> dict:
    """Statements whose traffic repeats weekly (weekends differ), over a one-hour horizon."""
    data = _fleet(statements, 60)
    for st in data["statements"]:
        del st["rps"]
        st["profile"] = {
            "shape": "daily",
            "trough_rps": 100,
            "peak_rps": 900,
            "weekend_factor": 0.5,
        }
    return data


def test_the_projection_counts_whatever_the_horizon() -> None:
    # One projection of a weekly cycle simulates, per statement, monthly's two weeks
    # (20,160 minutes) and 24 half months of a week and a day of warm-up (24 x 11,520 =
    # 276,480): 296,640 minutes; three projections (expected, low, high) weighed 1 to 30
    # as horizon minutes: 29,664 per statement.
    one = parse_scenario(_weekly(1))
    assert work_budget.projection_minutes(one) == 29_664
    # 2,000 such statements: 59,328,000, above a 20 million budget, though their hour is not
    fleet = parse_scenario(_weekly(2000))
    assert work_budget.statement_minutes(fleet) == 120_000
    with pytest.raises(ScenarioError) as caught:
        work_budget.check(fleet, limit=20_000_000)
    (line,) = caught.value.problems
    assert line.startswith("statements: projecting 2,000 statements twelve months ahead")
    assert "59,328,000 statement-minutes" in line and "cfu-estimator estimate FILE" in line
    # 100 of them (2,966,400) are a large estimate: they take turns with other large ones
    hundred = parse_scenario(_weekly(100))
    assert work_budget._HEAVY.acquire(timeout=5)
    try:
        with pytest.raises(ScenarioError, match="server is busy"):
            work_budget.run(hundred, lambda: "big", wait_seconds=0.01)
    finally:
        work_budget._HEAVY.release()


def test_the_app_names_the_horizon_and_keeps_the_scenario(monkeypatch) -> None:
    monkeypatch.setattr(work_budget, "MAX_STATEMENT_MINUTES", 5_000)
    at = new_app({"s": share.encode(_fleet(10, 1440))})  # 14,400 statement-minutes
    assert_clean(at)
    text = errors_text(at)
    assert "more than this app simulates (5,000)" in text, text
    assert "at most 500 minutes" in text and "cfu-estimator estimate" in text
    assert at.text_input[0].value == "Big fleet"  # what was shared is kept, not lost
    monkeypatch.setattr(work_budget, "MAX_STATEMENT_MINUTES", 10_000_000)
    at.run()
    assert_clean(at)
    assert metric(at, "Monthly").startswith("$")


def test_the_first_read_of_a_range_part_takes_its_turn_like_a_large_estimate() -> None:
    """compute.range_part: the summary's horizon range and the drivers table both read the
    range's lazily worked-out parts through it, under the estimate's work budget."""
    from types import SimpleNamespace
    from typing import Any, cast

    from estimator.ui import compute
    from estimator.uncertainty import EstimateRange, HorizonRange, RangeDriver

    found: list[str] = []

    def find_horizon() -> HorizonRange:
        found.append("horizon")
        return cast(HorizonRange, "horizon")

    def find_drivers() -> tuple[RangeDriver, ...]:
        found.append("drivers")
        return ()

    spread = EstimateRange(cast(Any, None), find_horizon, find_drivers)
    scenario = parse_scenario(_fleet(10, work_budget.HEAVY_STATEMENT_MINUTES // 5))
    big: Any = SimpleNamespace(scenario=scenario, range=spread)
    assert work_budget._HEAVY.acquire(timeout=5)  # another large estimate is running
    try:
        reader = threading.Thread(target=lambda: compute.range_part(big, lambda r: r.drivers))
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and found == []  # waiting for its turn, nothing worked out
    finally:
        work_budget._HEAVY.release()
    reader.join(30)
    assert found == ["drivers"]
    assert compute.range_part(big, lambda r: r.horizon) == "horizon"
    none: Any = SimpleNamespace(scenario=scenario, range=None)
    assert compute.range_part(none, lambda r: r.drivers) is None
