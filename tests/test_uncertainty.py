"""The estimate's range: parameter sets, low <= expected <= high, measured rates, drivers."""

from __future__ import annotations

import json

import pytest
from builders import MEASURED_FIXED

from estimator import report
from estimator.cli import main
from estimator.estimate import estimate
from estimator.parameters import Parameters, default_parameters
from estimator.scenario import load_scenario, loads_scenario

TOTAL_RANGE_KEYS = {
    "cfu_minutes_low",
    "cfu_minutes_high",
    "cost_usd_low",
    "cost_usd_high",
    "monthly_cost_usd_low",
    "monthly_cost_usd_high",
    "annual_cost_usd_low",
    "annual_cost_usd_high",
}
STATEMENT_RANGE_KEYS = {
    "records_per_cfu_second_low",
    "records_per_cfu_second_high",
    "cfu_minutes_low",
    "cfu_minutes_high",
}

FIXED = MEASURED_FIXED.format(name="fixed")


def test_every_parameter_has_low_le_value_le_high_and_a_source_for_its_range():
    for p in default_parameters():
        assert p.low_value <= p.value <= p.high_value, p.key
        if p.has_range:
            assert p.range_source, p.key


def test_parameter_sets_take_each_bound_and_an_override_pins_its_range():
    params = Parameters()
    row = params.row("op_us_regular_join")
    assert params.low()["op_us_regular_join"] == row.low_value
    assert params.high()["op_us_regular_join"] == row.high_value
    assert params.expected()["op_us_regular_join"] == row.value
    pinned = Parameters({"op_us_regular_join": 7.0})
    assert pinned.low()["op_us_regular_join"] == 7.0 == pinned.high()["op_us_regular_join"]
    assert "op_us_regular_join" not in {p.key for p in pinned.ranged()}


def test_a_measured_rate_moves_only_by_its_measurement_spread():
    # Fixed sizing holds ceil(5000 / rate) CFUs for 60 minutes. The measured 1,000 records/s
    # per CFU is trusted to -20% / +25% (measured_rate_factor 0.8 .. 1.25):
    # 800/s -> ceil(6.25) = 7 CFUs = 420 CFU-minutes; 1,250/s -> 4 CFUs = 240; 1,000/s -> 300.
    factor = Parameters().row("measured_rate_factor")
    assert (factor.low_value, factor.high_value) == (0.8, 1.25)
    est = estimate(loads_scenario(FIXED))
    data = report.to_dict(est)
    st = data["statements"][0]
    assert st["cfu_minutes"] == 300
    assert (st["cfu_minutes_low"], st["cfu_minutes_high"]) == (240, 420)
    assert st["records_per_cfu_second_low"] == 800
    assert st["records_per_cfu_second_high"] == 1250
    assert data["totals"]["cost_usd_low"] == 240 / 60 * 0.21
    assert data["totals"]["cost_usd_high"] == 420 / 60 * 0.21
    assert [d["key"] for d in data["range_drivers"]] == ["measured_rate_factor"]


def test_a_measurement_narrows_the_range_of_its_statement():
    modelled = estimate(loads_scenario(FIXED.replace("records_per_cfu_second: 1000", "")))
    measured = estimate(loads_scenario(FIXED))

    def width(est) -> float:
        s = est.range.statements[0]
        return s.records_per_cfu_second_high / s.records_per_cfu_second_low

    assert width(measured) < width(modelled)


def test_range_brackets_the_estimate_everywhere_and_keys_are_the_contract(examples_dir, capsys):
    assert main(["estimate", str(examples_dir / "retail_orders.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    t = data["totals"]
    assert set(t) >= TOTAL_RANGE_KEYS
    assert t["cfu_minutes_low"] <= t["cfu_minutes"] <= t["cfu_minutes_high"]
    assert t["cost_usd_low"] < t["cost_usd"] < t["cost_usd_high"]
    assert t["monthly_cost_usd_low"] < t["monthly_cost_usd"] < t["monthly_cost_usd_high"]
    assert abs(t["annual_cost_usd_low"] - 12 * t["monthly_cost_usd_low"]) < 1e-4
    for s in data["statements"]:
        assert set(s) >= STATEMENT_RANGE_KEYS
        assert s["cfu_minutes_low"] <= s["cfu_minutes"] <= s["cfu_minutes_high"]
        assert (
            s["records_per_cfu_second_low"]
            <= s["records_per_cfu_second"]
            <= s["records_per_cfu_second_high"]
        )
    for p in data["pools"]:
        assert p["cfu_minutes_low"] <= p["cfu_minutes"] <= p["cfu_minutes_high"]
    assert sum(p["cfu_minutes_low"] for p in data["pools"]) == t["cfu_minutes_low"]
    drivers = data["range_drivers"]
    assert 1 <= len(drivers) <= 5
    assert all(set(d) == {"key", "label", "cost_usd_low", "cost_usd_high"} for d in drivers)
    assert all(d["cost_usd_low"] <= t["cost_usd"] <= d["cost_usd_high"] for d in drivers)
    swings = [d["cost_usd_high"] - d["cost_usd_low"] for d in drivers]
    assert swings == sorted(swings, reverse=True)


def test_ddl_and_schedules_have_no_range():
    text = """
name: fixed usage
horizon_minutes: 60
statements:
  - {name: ddl, sql: "CREATE TABLE t (a INT)"}
  - name: backfill
    sql: "INSERT INTO a SELECT * FROM b"
    cfu_schedule: [{minutes: 10, cfu: 1}, {minutes: 30, cfu: 3}]
"""
    data = report.to_dict(estimate(loads_scenario(text)))
    t = data["totals"]
    assert t["cfu_minutes_low"] == t["cfu_minutes"] == t["cfu_minutes_high"] == 1 + 10 + 90
    assert data["range_drivers"] == []


def test_drivers_are_found_on_first_use_and_kept(examples_dir):
    """The drivers simulate the horizon twice per candidate: not done until asked, then once."""
    est = estimate(load_scenario(examples_dir / "retail_orders.yaml"))
    r = est.range
    assert r is not None and not r.drivers_found
    first = r.drivers
    assert first and r.drivers_found
    assert r.drivers is first
    keys = [d["key"] for d in report.to_dict(est)["range_drivers"]]
    assert keys == [d.key for d in first]


def test_terminal_table_shows_the_range_and_its_drivers(examples_dir, capsys):
    assert main(["estimate", str(examples_dir / "retail_orders.yaml")]) == 0
    out = capsys.readouterr().out
    assert "cost range" in out
    assert "Range (low - high)" in out
    assert "What drives the range" in out


def test_the_horizon_range_is_simulated_when_first_read(examples_dir):
    """The headline reads only the monthly range: the horizon's low / high wait to be asked."""
    est = estimate(load_scenario(examples_dir / "retail_orders.yaml"))
    r = est.range
    assert r is not None and not r.horizon_found
    assert r.projection.monthly_cost_usd_low < est.totals.monthly_cost_usd
    assert not r.horizon_found
    t = r.totals
    assert r.horizon_found
    assert t.cost_usd_low < est.totals.cost_usd < t.cost_usd_high
    assert t.monthly_cost_usd_low == r.projection.monthly_cost_usd_low


def test_a_horizon_longer_than_any_cycle_gives_monthly_low_and_high_from_the_horizon():
    """No cycle of 5 weeks or less: monthly comes from the horizon, for low and high alike."""
    text = """
name: steps over 40 days
horizon_minutes: 57600
statements:
  - name: agg
    sql: "INSERT INTO o SELECT k, COUNT(*) FROM s GROUP BY k"
    profile: {shape: steps, steps: [{minute: 0, rps: 2000}, {minute: 30000, rps: 9000}]}
"""
    est = estimate(loads_scenario(text))
    r = est.range
    assert r is not None
    assert any("no span of 5 weeks or less" in c for c in est.cautions)
    scale = est.scenario.month_hours * 60 / est.scenario.horizon_minutes
    for minutes, monthly in [
        (r.totals.cfu_minutes_low, r.totals.monthly_cost_usd_low),
        (est.totals.cfu_minutes, est.totals.monthly_cost_usd),
        (r.totals.cfu_minutes_high, r.totals.monthly_cost_usd_high),
    ]:
        assert float(monthly) == pytest.approx(float(est.rate.cost(minutes)) * scale, rel=0.01)
    assert (
        r.totals.monthly_cost_usd_low < est.totals.monthly_cost_usd < r.totals.monthly_cost_usd_high
    )
