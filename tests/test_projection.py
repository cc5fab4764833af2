"""The month-by-month projection against a full minute-by-minute simulation of the year, and
honest monthly and one-off figures (issue 13)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from estimator import projection
from estimator.errors import ScenarioError
from estimator.estimate import Estimate, estimate, simulation_setup
from estimator.examples import FOLDER as EXAMPLES
from estimator.report import to_dict
from estimator.scenario import Scenario, loads_scenario, parse_scenario

START = "2027-01"

# A scenario of ours: weekends, two growth rates, periodic bursts, a late start, a DDL.
GROWTH = """
name: Growing shop
horizon_minutes: 1440
projection: {months: 12, start: "2027-01"}
profiles:
  orders: {shape: daily, trough_rps: 1500, peak_rps: 12000, peak_hour: 13,
           weekend_factor: 0.6, growth_pct_per_month: 5}
  clicks: {shape: bursts, base_rps: 3000, multiplier: 4, minutes: 15, every_minutes: 120,
           first_minute: 30, growth_pct_per_month: 8}
pools:
  - {name: orders, max_cfu: 30}
  - {name: tight, max_cfu: 14}
statements:
  - {name: ddl, pool: orders, sql: "CREATE TABLE t (a INT)"}
  - name: clean
    pool: orders
    sql: "INSERT INTO c SELECT order_id, amount FROM orders WHERE amount > 0"
    profile: orders
    message_bytes: 600
    partitions: 12
  - name: join
    pool: orders
    sql: "INSERT INTO j SELECT o.id, s.x FROM orders o JOIN shipments s ON o.id = s.id"
    profile: {shape: daily, trough_rps: 800, peak_rps: 6000, peak_hour: 15,
              growth_pct_per_month: 3}
    message_bytes: 700
    partitions: 12
    key_count: 1000000
  - name: agg
    pool: tight
    sql: "INSERT INTO a SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id"
    profile: clicks
    partitions: 12
    key_count: 2000000
  - {name: steady, pool: tight, sql: "INSERT INTO s SELECT * FROM clicks WHERE x > 1",
     rps: 4000, start_minute: 600}
"""


def _with(data: dict[str, Any], source_dir: Path | None = EXAMPLES, **fields: Any) -> Scenario:
    return parse_scenario({**data, **fields}, source_dir=source_dir)


def _example(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data.pop("calibration", None)
    return data


def _with_growth(data: dict[str, Any], pct: float) -> dict[str, Any]:
    for profile in data.get("profiles", {}).values():
        profile["growth_pct_per_month"] = pct
    for st in data["statements"]:
        if isinstance(st.get("profile"), dict):
            st["profile"]["growth_pct_per_month"] = pct
    return data


def _reference(sc: Scenario, est: Estimate) -> np.ndarray:
    """Recurring CFU-minutes per month from one simulation of every minute of the year."""
    setup = simulation_setup(sc)
    full = projection.simulate_span(
        sc, setup.plans, pools=setup.pools, sim_options=setup.options, start=START, months=12
    )
    assert est.projection is not None
    rec = [i for i, k in enumerate(est.projection.recurrence) if k == projection.RECURRING]
    return full[rec].sum(axis=0)


def _assert_close(sc: Scenario) -> None:
    est = estimate(sc)
    assert est.projection is not None and est.projection.start == START
    got = np.array([m.cfu_minutes for m in est.projection.months], dtype=np.float64)
    want = _reference(sc, est).astype(np.float64)
    assert len(got) == 12
    if want.sum() == 0:
        assert got.sum() == 0
        return
    assert abs(got.sum() - want.sum()) <= 0.01 * want.sum(), (got.sum(), want.sum())
    np.testing.assert_allclose(got, want, rtol=0.01)
    # annual = the sum of the twelve months, to the cent
    costs = [m.cost_usd for m in est.projection.months]
    assert est.totals.annual_cost_usd == est.rate.cost(int(got.sum()))
    assert abs(sum(costs, Decimal(0)) - est.totals.annual_cost_usd) < Decimal("1e-9")


EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_projection_matches_a_full_year_simulation_on_each_example(name: str) -> None:
    _assert_close(_with(_example(name), projection={"months": 12, "start": START}))


def test_projection_matches_the_full_year_with_growth_on_the_clickstream() -> None:
    data = _with_growth(_example("bursty_clickstream"), 5)
    _assert_close(_with(data, projection={"months": 12, "start": START}))


def test_projection_matches_the_full_year_on_a_growth_scenario_of_ours() -> None:
    sc = loads_scenario(GROWTH)
    _assert_close(sc)
    est = estimate(sc)
    assert est.projection is not None
    months = [m.cfu_minutes for m in est.projection.months]
    # growth reaches the year: December well above January, annual well above 12 x monthly
    assert months[11] > 1.4 * months[0]
    assert est.totals.annual_cost_usd > Decimal("1.15") * 12 * est.totals.monthly_cost_usd


def test_calendar_months_have_their_real_hours() -> None:
    months = projection.calendar_months(dt.date(2027, 12, 1), 3)
    assert [(m, d * 24) for m, _, d in months] == [
        ("2027-12", 744),
        ("2028-01", 744),
        ("2028-02", 696),
    ]
    assert months[1][1] == 31 * 1440
    assert projection.next_month(dt.date(2026, 12, 2)) == dt.date(2027, 1, 1)
    assert projection.next_month(dt.date(2027, 3, 31)) == dt.date(2027, 4, 1)


def test_projection_json_contract_and_annual_equals_its_sum() -> None:
    data = _example("retail_orders")
    out = to_dict(estimate(_with(data, projection={"months": 14, "start": "2027-11"})))
    items = out["projection"]
    assert [i["month"] for i in items[:3]] == ["2027-11", "2027-12", "2028-01"]
    assert len(items) == 14
    assert items[0] == {
        "month": "2027-11",
        "hours": 720,
        "cfu_minutes": items[0]["cfu_minutes"],
        "cfu_hours": pytest.approx(items[0]["cfu_minutes"] / 60, abs=1e-6),
        "cost_usd": items[0]["cost_usd"],
        # the range exists: each month's low and high, projected the same way
        "cfu_hours_low": items[0]["cfu_hours_low"],
        "cfu_hours_high": items[0]["cfu_hours_high"],
        "cost_usd_low": items[0]["cost_usd_low"],
        "cost_usd_high": items[0]["cost_usd_high"],
    }
    assert items[3]["hours"] == 696  # February 2028
    t = out["totals"]
    for suffix in ("", "_low", "_high"):
        annual = sum(i[f"cost_usd{suffix}"] for i in items[:12])
        assert t[f"annual_cost_usd{suffix}"] == pytest.approx(annual, abs=1e-5), suffix
    for i in items:
        assert i["cost_usd_low"] < i["cost_usd"] < i["cost_usd_high"], i
        assert i["cfu_hours_low"] < i["cfu_hours"] < i["cfu_hours_high"], i
    assert t["monthly_cost_usd_low"] < t["monthly_cost_usd"] < t["monthly_cost_usd_high"]
    # no growth: a 31-day month costs 31/30 of a 30-day one
    assert items[1]["cost_usd"] == pytest.approx(items[0]["cost_usd"] * 31 / 30, rel=1e-4)


def test_projection_settings_are_validated() -> None:
    data = _example("confluent_cfu_curve")
    for bad, field in (
        ({"months": 37}, "projection.months"),
        ({"months": 0}, "projection.months"),
        ({"start": "2027-13"}, "projection.start"),
        ({"start": "Jan 2027"}, "projection.start"),
    ):
        with pytest.raises(ScenarioError) as err:
            _with(data, projection=bad)
        assert any(line.startswith(field) for line in err.value.problems), err.value.problems
    assert _with(data, projection={"months": 36}).projection.months == 36  # type: ignore[union-attr]


DAILY = """
name: one daily profile
horizon_minutes: {horizon}
pools: [{{name: default, max_cfu: 50}}]
statements:
  - name: enrich
    sql: "INSERT INTO e SELECT id, amount FROM orders WHERE amount > 0"
    profile: {{shape: daily, trough_rps: 1500, peak_rps: 12000, peak_hour: 13}}
    message_bytes: 600
    partitions: 12
"""


def test_monthly_from_one_hour_one_day_and_seven_days_agree() -> None:
    ests = {h: estimate(loads_scenario(DAILY.format(horizon=h))) for h in (60, 1440, 10080)}
    monthly = {h: e.totals.monthly_cost_usd for h, e in ests.items()}
    for h in (60, 1440):
        assert abs(monthly[h] - monthly[10080]) <= Decimal("0.01") * monthly[10080], monthly
    # and it is the long-run rate: the seven-day horizon's own cost scaled to 730 hours
    week = ests[10080]
    scaled = week.totals.cost_usd * 730 * 60 / 10080
    assert abs(monthly[10080] - scaled) <= Decimal("0.01") * scaled
    # the hour's fragment would have said much less; the estimate says where monthly comes from
    fragment = ests[60].totals.cost_usd * 730
    assert fragment < Decimal("0.8") * monthly[60]
    assert any("shorter than the traffic's cycle (1 day)" in c for c in ests[60].cautions)
    assert not ests[1440].cautions and not ests[10080].cautions
    # the range's monthly is defined the same way: from whole cycles, whatever the horizon
    for bound in ("low", "high"):
        got = {h: getattr(e.range.totals, f"monthly_cost_usd_{bound}") for h, e in ests.items()}
        for h in (60, 1440):
            assert abs(got[h] - got[10080]) <= Decimal("0.01") * got[10080], (bound, got)
        assert got[60] != monthly[60]  # and it is a range, not the expected figure


def test_one_off_statements_are_billed_once_never_monthly(examples_dir: Path) -> None:
    queries = estimate(
        parse_scenario(
            yaml.safe_load((examples_dir / "confluent_interactive_queries.yaml").read_text()),
        )
    )
    t = queries.totals
    assert t.cost_usd == Decimal("0.0175") and t.one_off_cost_usd == Decimal("0.0175")
    assert t.monthly_cost_usd == 0 and t.annual_cost_usd == 0
    assert queries.projection is not None
    assert all(m.cost_usd == 0 for m in queries.projection.months)
    five = estimate(
        parse_scenario(
            yaml.safe_load((examples_dir / "confluent_five_statements.yaml").read_text())
        )
    )
    assert five.totals.one_off_cost_usd == Decimal("1.0815") and five.totals.monthly_cost_usd == 0


def test_a_ddl_next_to_a_running_statement_is_one_off() -> None:
    text = DAILY.format(horizon=1440) + '  - {name: make_table, sql: "CREATE TABLE t (a INT)"}\n'
    est = estimate(loads_scenario(text))
    assert est.projection is not None
    assert est.projection.recurrence == (projection.RECURRING, projection.ONE_OFF)
    assert est.totals.one_off_cost_usd == est.rate.cost(1)
    alone = estimate(loads_scenario(DAILY.format(horizon=1440)))
    assert est.totals.monthly_cost_usd == alone.totals.monthly_cost_usd
    out = to_dict(est)
    assert [s["recurrence"] for s in out["statements"]] == ["recurring", "one-off"]
    assert out["totals"]["one_off_cost_usd"] == pytest.approx(0.0035)


def test_a_profile_without_a_cycle_repeats_the_horizon_and_says_so() -> None:
    text = """
name: steps
horizon_minutes: 120
statements:
  - name: s
    sql: "INSERT INTO e SELECT * FROM orders"
    profile: {shape: steps, steps: [{minute: 0, rps: 1000}, {minute: 60, rps: 30000}]}
    partitions: 12
"""
    est = estimate(loads_scenario(text))
    assert any("repeat the horizon's 2 hours" in c for c in est.cautions)
    assert est.projection is not None and est.projection.cycle_minutes == 1440


def test_a_rate_cycle_repeats_its_period_after_its_lead_and_grows_per_month():
    from estimator.cycles import RateCycle

    c = RateCycle(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), lead=2, period=3)
    assert c.at(0, 10).tolist() == [1, 2, 3, 4, 5, 3, 4, 5, 3, 4]
    assert c.at(4, 5).tolist() == [5, 3, 4, 5, 3]
    assert c.at(7, 4).tolist() == [5, 3, 4, 5]
    assert c.at(3, 0).tolist() == []
    doubling = RateCycle(np.array([7.0]), lead=0, period=1, growth_pct_per_month=100.0)
    month = 30 * 1440
    assert doubling.at(month, 1)[0] == pytest.approx(14.0)
    assert doubling.at(month // 2, 3)[0] == pytest.approx(7.0 * 2**0.5)
    assert doubling.at(2 * month, 2, growth=False).tolist() == [7.0, 7.0]
