"""Figures as people read them: one set of rules for the table, the advice and the app."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator import formatting as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.0175"), "$0.0175"),  # Confluent's five interactive queries
        (Decimal("1.0815"), "$1.0815"),  # Confluent's five statements
        (Decimal("8.6300"), "$8.63"),
        (Decimal("8.6310"), "$8.631"),
        (Decimal("969.0912"), "$969.09"),
        (12345.678, "$12,345.68"),
        (0, "$0"),
        (-3.5, "-$3.50"),
    ],
)
def test_money(value: Decimal | float, text: str) -> None:
    assert fmt.money(value) == text


def test_money_delta_has_a_sign_and_no_stray_digits() -> None:
    assert fmt.money_delta(Decimal("8.6310")) == "+$8.63"
    assert fmt.money_delta(-0.0175) == "-$0.0175"
    assert fmt.money_delta(0) == "±$0"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45.4, "45 s"),
        (600, "10 min"),
        (725, "12 min 5 s"),
        (72515.9, "20 h 8 min"),
        (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"),
    ],
)
def test_duration(seconds: float, text: str) -> None:
    assert fmt.duration(seconds) == text


def test_horizon_and_clock() -> None:
    assert fmt.horizon(7 * 1440) == "7 days"
    assert fmt.horizon(60) == "1 hour"
    assert fmt.horizon(90) == "90 min"
    assert fmt.clock(14 * 60 + 5, 1440) == "14:05"
    assert fmt.clock(1440 + 65, 7 * 1440) == "day 2 01:05"


def test_number_drops_trailing_zeros() -> None:
    assert fmt.number(1234.50) == "1,234.5"
    assert fmt.number(2.0) == "2"
    assert fmt.number(1234.5, 0) == "1,234"
