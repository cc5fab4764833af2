"""Confluent's worked billing examples (DOMAIN.md) must come out to the cent."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from estimator import billing
from estimator.estimate import estimate
from estimator.scenario import load_scenario

PRICE = Decimal("0.21")


def test_five_interactive_queries_cost_0_0175(examples_dir):
    est = estimate(load_scenario(examples_dir / "confluent_interactive_queries.yaml"))
    assert est.totals.cfu_minutes == 5
    assert est.totals.cost_usd == Decimal("0.0175")
    # On the invoice: 0.083 CFU-hours x $0.21
    assert round(est.totals.cfu_hours, 3) == Decimal("0.083")
    assert [s.cfu_minutes for s in est.statements] == [1, 1, 1, 1, 1]


def test_five_statements_309_cfu_minutes_cost_1_0815(examples_dir):
    est = estimate(load_scenario(examples_dir / "confluent_five_statements.yaml"))
    assert [s.cfu_minutes for s in est.statements] == [5, 60, 110, 10, 124]
    assert est.totals.cfu_minutes == 309
    assert est.totals.cfu_hours == Decimal("5.15")
    assert est.totals.cost_usd == Decimal("1.0815")


def test_cfu_curve_130_cfu_minutes(examples_dir):
    est = estimate(load_scenario(examples_dir / "confluent_cfu_curve.yaml"))
    assert est.totals.cfu_minutes == 10 + 90 + 20 + 10 == 130
    assert est.totals.peak_cfu == 3
    assert est.totals.cost_usd == Decimal("130") * PRICE / 60


def test_rate_cost_is_exact_decimal():
    rate = billing.Rate(PRICE)
    assert rate.cost(309) == Decimal("1.0815")
    assert rate.cost(5) == Decimal("0.0175")
    # 30 CFU-minutes = 0.5 CFU-hours
    assert billing.cfu_hours(30) == Decimal("0.5")
    assert rate.cost(30) == Decimal("0.105")


def test_discount_applies_to_every_cost():
    rate = billing.Rate(PRICE, Decimal("25"))
    assert rate.cost(60) == Decimal("0.1575")


def test_hourly_sums_blocks_of_sixty_minutes_and_keeps_partial_hour():
    cfu = np.zeros((2, 150), dtype=np.int64)
    cfu[0, :] = 1
    cfu[1, 55:65] = 3
    by_hour = billing.hourly_cfu_minutes(cfu)
    assert by_hour.shape == (2, 3)
    assert by_hour[0].tolist() == [60, 60, 30]
    assert by_hour[1].tolist() == [15, 15, 0]


def test_monthly_and_annual_projection():
    cost = Decimal("0.455")  # one hour of the 130 CFU-minute curve
    month = billing.monthly(cost, 60, 730)
    assert month == Decimal("332.15")
    assert billing.annual(month) == Decimal("3985.80")


def test_peak_is_highest_minute_sum():
    cfu = np.array([[1, 2, 0], [3, 0, 1]])
    assert billing.peak(cfu) == 4
    assert billing.peak(np.zeros((0, 5), dtype=np.int64)) == 0
